/* worker.c — `dagd worker`: a worker host (daemon/worker_host.h) on its
 * own process. Parses the options, opens the instance, refuses one whose
 * launches are not offered to workers (they would never come), then runs
 * the loop in the main thread until a signal stops it, printing what the
 * loop says on stderr, one line each, prefixed with the worker's name. The
 * process's incarnation id (the name and a random suffix: what the
 * storage knows it by) is printed once, at the start.
 *
 * The signal handlers only store how far the stop goes (an atomic int):
 * SIGTERM asks for a drain, SIGINT or a second SIGTERM for the going runs
 * to be canceled. The loop looks at it at least every tenth of a second,
 * whatever it is waiting for. The run workers are this process's children
 * in sessions of their own: a Ctrl-C at a terminal reaches only this
 * process, which then cancels them itself. */
#include "cli/worker.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/workspace_arg.h"
#include "daemon/worker_host.h"

#define CMD "dagd worker"
#define NAME_MAX_LEN 128

static const char usage[] =
    "usage: dagd worker [options]\n"
    "\n"
    "Executes the runs the instance offers to its workers, on this host, until\n"
    "SIGTERM or SIGINT. The instance must have run_launcher.workers: true in its\n"
    "dagd.yaml (then every launch is offered to the workers rather than started on\n"
    "the launching host) and, for workers on several hosts, PostgreSQL storage\n"
    "shared by all (docs/deploying.md). The worker heartbeats in the storage; when\n"
    "it stops heartbeating for run_launcher.worker_heartbeat_timeout, the daemon's\n"
    "run monitoring fails its runs. SIGTERM: claim no more runs, let the going ones\n"
    "finish, then exit; SIGINT or a second SIGTERM: cancel the going runs, then\n"
    "exit. Exits 0 when stopped, 1 when the instance cannot be opened or does not\n"
    "offer runs to workers, 2 for a usage error.\n"
    "\n"
    "Options:\n" CLI_HOME_HELP
    "      --name NAME               the worker's name, in its messages and the runs'\n"
    "                                events: letters, digits and . _ - : @ (default\n"
    "                                <hostname>-<pid>); each process adds a random\n"
    "                                suffix for its id in the storage (NAME#1a2b3c4d)\n"
    "      --max-runs N              runs executed at once, at least 1 (default: the\n"
    "                                number of processors)\n"
    "      --poll-interval SEC       seconds between looks for offered runs and ended\n"
    "                                ones when not woken sooner (default 0.5)\n"
    "      --help                    show this help\n";

enum { OPT_HOME = 256, OPT_NAME, OPT_MAX_RUNS, OPT_POLL, OPT_HELP };

static const struct option long_options[] = {
    {"home", required_argument, NULL, OPT_HOME},
    {"name", required_argument, NULL, OPT_NAME},
    {"max-runs", required_argument, NULL, OPT_MAX_RUNS},
    {"poll-interval", required_argument, NULL, OPT_POLL},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

typedef struct options {
  const char *home;
  const char *name; /* NULL: <hostname>-<pid> */
  int max_runs;
  double poll_interval;
} options;

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, CMD ": ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\n%s", usage);
  return 2;
}

/* Whether name is usable as a worker name (it goes into heartbeat types,
 * tags and log lines). */
static bool valid_name(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > NAME_MAX_LEN)
    return false;
  for (const char *p = name; *p; p++) {
    char c = *p;
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("._-:@", c);
    if (!ok)
      return false;
  }
  return true;
}

static bool parse_int(const char *text, int min, int *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < min || v > INT_MAX)
    return false;
  *out = (int)v;
  return true;
}

static bool parse_seconds(const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || !(v > 0 && v <= 3600)) /* also refuses NaN */
    return false;
  *out = v;
  return true;
}

/* Reads the options; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, options *o) {
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
    switch (c) {
    case OPT_HOME:
      o->home = optarg;
      break;
    case OPT_NAME:
      if (!valid_name(optarg))
        return usage_error("--name '%s': a worker name is 1 to 128 letters, digits and . _ - : @",
                           optarg);
      o->name = optarg;
      break;
    case OPT_MAX_RUNS:
      if (!parse_int(optarg, 1, &o->max_runs))
        return usage_error("--max-runs '%s': expected an integer of at least 1", optarg);
      break;
    case OPT_POLL:
      if (!parse_seconds(optarg, &o->poll_interval))
        return usage_error("--poll-interval '%s': expected seconds above 0, at most 3600", optarg);
      break;
    case OPT_HELP:
      fputs(usage, stdout);
      return 0;
    default:
      fputs(usage, stderr);
      return 2;
    }
  }
  if (optind < argc)
    return usage_error("unexpected argument '%s'", argv[optind]);
  return -1;
}

/* How far the stop goes (worker_host.h's levels), set by the handlers. */
static atomic_int stop_level;

static void on_signal(int sig) {
  if (sig == SIGINT || atomic_load(&stop_level) >= DAEMON_WORKER_DRAIN)
    atomic_store(&stop_level, DAEMON_WORKER_CANCEL);
  else
    atomic_store(&stop_level, DAEMON_WORKER_DRAIN);
}

static void install_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* Run workers are reaped by pid: their exit must not be discarded. */
  signal(SIGCHLD, SIG_DFL);
  signal(SIGPIPE, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGCHLD);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void say(void *data, const char *line) {
  fprintf(stderr, CMD " %s: %s\n", (const char *)data, line);
  fflush(stderr);
}

int cli_worker(int argc, char **argv) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  options o = {.max_runs = cpus > 0 && cpus < INT_MAX ? (int)cpus : 1, .poll_interval = 0.5};
  int rc = parse_options(argc, argv, &o);
  if (rc >= 0)
    return rc;
  char name[NAME_MAX_LEN + 32], id[NAME_MAX_LEN + 48];
  if (o.name) {
    snprintf(name, sizeof name, "%s", o.name);
  } else {
    char hostname[NAME_MAX_LEN + 1] = "";
    if (gethostname(hostname, sizeof hostname) != 0 || !valid_name(hostname))
      snprintf(hostname, sizeof hostname, "localhost");
    hostname[NAME_MAX_LEN - 16] = '\0'; /* room for -<pid> */
    snprintf(name, sizeof name, "%s-%ld", hostname, (long)getpid());
  }
  daemon_worker_incarnation(name, id, sizeof id);
  run_instance *inst = cli_instance_open(CMD, o.home);
  if (!inst)
    return 1;
  if (!inst->use_workers) {
    fprintf(stderr,
            CMD ": the instance at %s does not offer its runs to workers: set\n"
                "  run_launcher:\n"
                "    workers: true\n"
                "in %s/dagd.yaml (for every process of the instance)\n",
            inst->home, inst->home);
    run_instance_close(inst);
    return 1;
  }
  atomic_store(&stop_level, DAEMON_WORKER_GO);
  install_handlers();
  fprintf(stderr, CMD " %s: instance at %s, up to %d run%s at once\n", name, inst->home, o.max_runs,
          o.max_runs == 1 ? "" : "s");
  fprintf(stderr, CMD " %s: heartbeat and claims as %s\n", name, id);
  fflush(stderr);
  daemon_worker_options wo = {
      .id = id,
      .name = name,
      .max_runs = o.max_runs,
      .poll_interval = o.poll_interval,
      .say = say,
      .say_data = name,
  };
  buf err;
  buf_init(&err, NULL);
  rc = daemon_worker_run(inst, &wo, &stop_level, &err);
  if (rc != 0)
    fprintf(stderr, CMD " %s: %s\n", name, buf_cstr(&err));
  else
    fprintf(stderr, CMD " %s: stopped\n", name);
  buf_free(&err);
  run_instance_close(inst);
  return rc == 0 ? 0 : 1;
}
