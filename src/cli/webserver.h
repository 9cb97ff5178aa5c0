/* webserver.h — the `dagd webserver` and `dagd dev` subcommands. */
#ifndef DAGD_CLI_WEBSERVER_H
#define DAGD_CLI_WEBSERVER_H

/* Runs `dagd webserver` with its own arguments (argv[0] is "webserver"):
 * opens the instance, serves until SIGINT or SIGTERM. Returns the process
 * exit status (0 after a clean shutdown, 1 when the instance cannot be
 * opened or the server cannot start, 2 for a usage error). */
int cli_webserver(int argc, char **argv);

/* Runs `dagd dev` (argv[0] is "dev"): the webserver under that name, with
 * the same options and exit statuses, and the daemon in the same process
 * (unless another daemon runs for the instance). */
int cli_dev(int argc, char **argv);

#endif
