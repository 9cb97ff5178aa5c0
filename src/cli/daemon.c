/* daemon.c — `dagd daemon`: the daemon on its own, for deployments where
 * the webserver (`dagd webserver`) does not run one (`dagd dev` runs it
 * in-process). Opens the instance, starts the daemon, prints its
 * heartbeat id and the settings it works with, and waits for SIGINT or
 * SIGTERM, then stops it (a pass under way finishes first).
 *
 * Signals are blocked before the daemon's thread starts, so only this
 * thread receives them (sigwait). Run workers are started detached (a
 * double fork), so they are not this process's children, unless it runs
 * as PID 1 (a container without an init): then orphans are reaped on
 * SIGCHLD. */
#include "cli/daemon.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "base/buf.h"
#include "cli/workspace_arg.h"
#include "daemon/daemon.h"

#define CMD "dagd daemon"

static const char usage[] =
    "usage: dagd daemon [options]\n"
    "\n"
    "Runs the daemon of the instance until SIGINT or SIGTERM: it launches queued\n"
    "runs within the run coordinator's limits (run_coordinator in dagd.yaml) and\n"
    "watches unfinished runs (run_monitoring), with a heartbeat in the instance's\n"
    "storage. One daemon runs per instance: while another one's heartbeat is fresh,\n"
    "this one refuses to start. 'dagd dev' runs the daemon in its own process\n"
    "(standing by while another daemon runs, and taking over when it stops).\n"
    "Exits 0 when stopped, 1 when the instance cannot be opened or another daemon\n"
    "runs, 2 for a usage error.\n"
    "\n"
    "Options:\n" CLI_HOME_HELP "      --help                    show this help\n";

enum { OPT_HOME = 256, OPT_HELP };

static const struct option long_options[] = {
    {"home", required_argument, NULL, OPT_HOME},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Reads --home; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, const char **home) {
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
  if (optind < argc) {
    fprintf(stderr, CMD ": unexpected argument '%s'\n%s", argv[optind], usage);
    return 2;
  }
  return -1;
}

/* What the daemon will do, in one line each. */
static void describe(const run_instance *inst) {
  const run_coordinator_config *c = &inst->coordinator;
  if (!c->queued)
    fprintf(stderr, CMD ": runs launch at once (DefaultRunCoordinator): no queue to serve\n");
  else if (c->max_concurrent_runs < 0)
    fprintf(stderr, CMD ": queue: no run limit, %zu tag limit(s), checked every %g s\n",
            c->n_tag_limits, c->dequeue_interval);
  else
    fprintf(stderr,
            CMD ": queue: at most %d run(s) at once, %zu tag limit(s), checked every %g s\n",
            c->max_concurrent_runs, c->n_tag_limits, c->dequeue_interval);
  const run_monitoring_config *m = &inst->monitoring;
  if (m->enabled)
    fprintf(stderr, CMD ": run monitoring every %g s\n", m->poll_interval);
  else
    fprintf(stderr, CMD ": run monitoring off\n");
}

int cli_daemon(int argc, char **argv) {
  const char *home = NULL;
  int rc = parse_options(argc, argv, &home);
  if (rc >= 0)
    return rc;
  run_instance *inst = cli_instance_open(CMD, home);
  if (!inst)
    return 1;
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  buf err;
  buf_init(&err, NULL);
  daemon_loop *d = daemon_start(inst, false, &err);
  if (!d) {
    fprintf(stderr, CMD ": %s\n", buf_cstr(&err));
    buf_free(&err);
    run_instance_close(inst);
    return 1;
  }
  buf_free(&err);
  /* Tests read the "heartbeat" line: its format stays as it is. */
  fprintf(stderr, CMD ": instance at %s\n", inst->home);
  describe(inst);
  fprintf(stderr, CMD " running, heartbeat id %s\n", daemon_id(d));
  fflush(stderr);

  int sig = 0;
  while (sigwait(&stop, &sig) == 0 && sig == SIGCHLD)
    while (waitpid(-1, NULL, WNOHANG) > 0)
      ;
  fprintf(stderr, CMD ": %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  daemon_stop(d);
  run_instance_close(inst);
  fprintf(stderr, CMD ": stopped\n");
  return 0;
}
