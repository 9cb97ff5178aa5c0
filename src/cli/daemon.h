/* daemon.h — the `dagd daemon` subcommand. */
#ifndef DAGD_CLI_DAEMON_H
#define DAGD_CLI_DAEMON_H

/* Runs `dagd daemon` with its own arguments (argv[0] is "daemon"): opens
 * the instance and runs the daemon (src/daemon/daemon.h) until SIGINT or
 * SIGTERM. Returns the exit status: 0 after a clean stop, 1 when the
 * instance cannot be opened or another daemon is running, 2 for a usage
 * error. */
int cli_daemon(int argc, char **argv);

#endif
