/* main.c — the `dagd` command: dispatches to its subcommands.
 *
 * `webserver` and `dev` (webserver.c) serve the API; `graphql` (graphql.c)
 * runs one query in-process; `execute-run` (execute_run.c) is the run
 * worker's process; `daemon` (daemon.c) runs the daemon; `worker`
 * (worker.c) executes the runs offered to the instance's workers. */
#include <stdio.h>
#include <string.h>

#include "base/version.h"
#include "cli/daemon.h"
#include "cli/execute_run.h"
#include "cli/graphql.h"
#include "cli/job_cmd.h"
#include "cli/run_cmd.h"
#include "cli/webserver.h"
#include "cli/worker.h"

static const char usage[] =
    "usage: dagd <command> [options]\n"
    "\n"
    "A Dagster-compatible orchestration server written in C.\n"
    "\n"
    "Commands:\n"
    "  --help, -h      show this help\n"
    "  --version, -V   print the version\n"
    "  webserver       serve the GraphQL API (see 'dagd webserver --help')\n"
    "  dev             serve for local development: the webserver and the daemon\n"
    "                  in one process (see 'dagd dev --help')\n"
    "  daemon          launch queued runs and watch unfinished ones\n"
    "                  (see 'dagd daemon --help')\n"
    "  worker          execute the runs offered to the instance's workers on this\n"
    "                  host (see 'dagd worker --help')\n"
    "  graphql         run one GraphQL query against the workspace, print the\n"
    "                  response (see 'dagd graphql --help')\n"
    "  run             list, show, follow, launch, terminate, delete and re-execute\n"
    "                  runs, locally or with --url (see 'dagd run --help')\n"
    "  job             list and show the workspace's jobs (see 'dagd job --help')\n"
    "  execute-run     execute one run; started by the run launcher\n"
    "                  (see 'dagd execute-run --help')\n";

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    fputs(usage, stdout);
    return 0;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    printf("dagd %s\n", DAGD_VERSION);
    return 0;
  }
  if (strcmp(cmd, "webserver") == 0)
    return cli_webserver(argc - 1, argv + 1);
  if (strcmp(cmd, "dev") == 0)
    return cli_dev(argc - 1, argv + 1);
  if (strcmp(cmd, "graphql") == 0)
    return cli_graphql(argc - 1, argv + 1);
  if (strcmp(cmd, "run") == 0)
    return cli_run(argc - 1, argv + 1);
  if (strcmp(cmd, "job") == 0)
    return cli_job(argc - 1, argv + 1);
  if (strcmp(cmd, "daemon") == 0)
    return cli_daemon(argc - 1, argv + 1);
  if (strcmp(cmd, "worker") == 0)
    return cli_worker(argc - 1, argv + 1);
  if (strcmp(cmd, "execute-run") == 0)
    return cli_execute_run(argc - 1, argv + 1);
  fprintf(stderr, "dagd: unknown command '%s' (see 'dagd --help')\n", cmd);
  return 2;
}
