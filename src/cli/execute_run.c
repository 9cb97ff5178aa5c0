/* execute_run.c — `dagd execute-run RUN_ID`: the run worker's process.
 * The run launcher (run/launch.c) starts it detached, with DAGD_HOME set
 * and its output appended to the run's worker.log; it can also be run by
 * hand on a run that was created but not launched. Everything about the
 * run itself (plan, op processes, events, termination) is the worker's
 * (run/worker.c); this file only opens the instance and turns the outcome
 * into an exit status and a line on stderr. */
#include "cli/execute_run.h"

#include <getopt.h>
#include <stdio.h>

#include "base/buf.h"
#include "cli/workspace_arg.h"
#include "run/worker.h"

#define CMD "dagd execute-run"

static const char usage[] =
    "usage: dagd execute-run [options] RUN_ID\n"
    "\n"
    "Executes one run that was created but has not started: its ops run as\n"
    "processes, its events, logs and outputs go to the instance. The run launcher\n"
    "starts this command for each launched run; it also runs by hand. Exits 0 when\n"
    "the run finished (a failed run included), 1 when it could not be executed\n"
    "(unknown run, a run that already started, storage failing), 2 for a usage\n"
    "error.\n"
    "\n"
    "Options:\n" CLI_HOME_HELP "      --help                    show this help\n";

enum { OPT_HOME = 256, OPT_HELP };

static const struct option long_options[] = {
    {"home", required_argument, NULL, OPT_HOME},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Finds the run id and --home in argv; returns -1 to go on, or an exit
 * status. */
static int parse_options(int argc, char **argv, const char **home, const char **run_id) {
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_HOME:
      *home = optarg;
      break;
    case OPT_HELP:
      fputs(usage, stdout);
      return 0;
    default:
      fputs(usage, stderr);
      return 2;
    }
  }
  if (argc - optind != 1) {
    fprintf(stderr, CMD ": %s\n%s",
            optind == argc ? "expects the RUN_ID" : "expects one RUN_ID, no other argument", usage);
    return 2;
  }
  *run_id = argv[optind];
  return -1;
}

int cli_execute_run(int argc, char **argv) {
  const char *home = NULL, *run_id = NULL;
  int rc = parse_options(argc, argv, &home, &run_id);
  if (rc >= 0)
    return rc;
  run_instance *inst = cli_instance_open(CMD, home);
  if (!inst)
    return 1;
  buf err;
  buf_init(&err, NULL);
  rc = 0;
  if (run_worker_execute(inst, run_id, &err) != 0) {
    fprintf(stderr, CMD ": %s\n", err.len ? err.data : "the run could not be executed");
    rc = 1;
  }
  buf_free(&err);
  run_instance_close(inst);
  return rc;
}
