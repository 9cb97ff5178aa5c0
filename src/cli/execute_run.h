/* execute_run.h — the `dagd execute-run` subcommand (the run worker's
 * process). */
#ifndef DAGD_CLI_EXECUTE_RUN_H
#define DAGD_CLI_EXECUTE_RUN_H

/* Runs `dagd execute-run RUN_ID` (argv[0] is "execute-run"): executes the
 * run in the instance ($DAGD_HOME, else ./.dagd, or --home DIR). Returns
 * the exit status: 0 when the run reached a finished status (failed runs
 * included), 1 when it could not be executed (reason on stderr), 2 for a
 * usage error. */
int cli_execute_run(int argc, char **argv);

#endif
