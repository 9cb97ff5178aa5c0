/* webserver.h — the `dagd webserver` subcommand. */
#ifndef DAGD_CLI_WEBSERVER_H
#define DAGD_CLI_WEBSERVER_H

/* Runs `dagd webserver` with its own arguments (argv[0] is "webserver"):
 * serves until SIGINT or SIGTERM. Returns the process exit status (0 after
 * a clean shutdown, 1 when the server cannot start, 2 for a usage error). */
int cli_webserver(int argc, char **argv);

#endif
