/* job_cmd.h — `dagd job list|show`: the workspace's jobs for people at a
 * terminal (docs/cli.md). */
#ifndef DAGD_CLI_JOB_CMD_H
#define DAGD_CLI_JOB_CMD_H

#include "cli/client.h"

/* Runs `dagd job` with its own arguments (argv[0] is "job"); returns the
 * exit status (CLI_EXIT_*). */
int cli_job(int argc, char **argv);

/* Finds where job `job` is when -l/-r left it open: *location and
 * *repository hold what was given (NULL: any) and receive the only
 * location and repository of the workspace that have such a job (new
 * strings the caller frees). When both were given nothing is asked.
 * Returns -1 when found; else the exit status after explaining on stderr:
 * CLI_EXIT_FAILED for no such job, CLI_EXIT_USAGE when several
 * repositories have it, CLI_EXIT_SERVER when the server did not answer. */
int cli_job_locate(cli_client *c, const char *cmd, const char *job, char **location,
                   char **repository);

#endif
