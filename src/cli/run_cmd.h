/* run_cmd.h — `dagd run list|show|logs|launch|terminate|delete|reexecute`:
 * runs for people at a terminal (docs/cli.md). */
#ifndef DAGD_CLI_RUN_CMD_H
#define DAGD_CLI_RUN_CMD_H

/* Runs `dagd run` with its own arguments (argv[0] is "run"); returns the
 * exit status (CLI_EXIT_* of client.h). */
int cli_run(int argc, char **argv);

#endif
