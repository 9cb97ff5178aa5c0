/* main.c — the `dagd` command: dispatches to its subcommands.
 *
 * `webserver` (webserver.c) serves the API; `graphql` (graphql.c) runs one
 * query in-process; the other server commands (dev, daemon, execute-run)
 * are listed in the usage text as planned. */
#include <stdio.h>
#include <string.h>

#include "base/version.h"
#include "cli/graphql.h"
#include "cli/webserver.h"

static const char usage[] =
    "usage: dagd <command> [options]\n"
    "\n"
    "A Dagster-compatible orchestration server written in C.\n"
    "\n"
    "Commands:\n"
    "  --help, -h      show this help\n"
    "  --version, -V   print the version\n"
    "  webserver       serve the GraphQL API (see 'dagd webserver --help')\n"
    "  graphql         run one GraphQL query against the workspace, print the\n"
    "                  response (see 'dagd graphql --help')\n"
    "\n"
    "Planned (not available yet):\n"
    "  dev             webserver and daemon together, for local development\n"
    "  daemon          run queued runs, schedules and sensors\n"
    "  execute-run     execute one run (started by the run launcher)\n";

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
  if (strcmp(cmd, "graphql") == 0)
    return cli_graphql(argc - 1, argv + 1);
  fprintf(stderr, "dagd: unknown command '%s' (see 'dagd --help')\n", cmd);
  return 2;
}
