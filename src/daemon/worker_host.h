/* worker_host.h — `dagd worker`: a process, on any host, that executes the
 * runs offered to the instance's workers (run_launcher.workers in
 * dagd.yaml: run_launch offers each launched run instead of starting it).
 *
 * The loop heartbeats in the store (the daemon heartbeat table, type
 * "dagd worker <id>"), claims offered runs (store_worker_claim: each run
 * goes to one worker, whatever the number of hosts) while fewer than
 * max_runs of its own are going, starts each claimed run's worker as its
 * child (run_start_worker, RUN_WORKER_CHILD: killed with the worker host,
 * so no run goes on unwatched), and reaps them. A run whose worker exits
 * without finishing it is ended as run monitoring ends a run whose worker
 * died (daemon_monitor_end_run). A worker host that disappears stops
 * heartbeating, and the daemon's monitor fails its runs once its
 * heartbeat is older than run_launcher.worker_heartbeat_timeout.
 *
 * Storage failures are reported (through the caller's callback) and
 * retried at the next round; the loop never gives up on them. */
#ifndef DAGD_DAEMON_WORKER_HOST_H
#define DAGD_DAEMON_WORKER_HOST_H

#include <stdatomic.h>

#include "base/buf.h"
#include "run/instance.h"

/* The heartbeat type of worker W is DAEMON_WORKER_TYPE_PREFIX W. */
#define DAEMON_WORKER_TYPE_PREFIX "dagd worker "
/* Seconds between heartbeats at most (a third of the timeout when that is
 * shorter). */
#define DAEMON_WORKER_HEARTBEAT_INTERVAL 5.0

/* What *stop asks of a running worker host (set from a signal handler or
 * another thread). */
enum {
  DAEMON_WORKER_GO = 0,     /* claim and run */
  DAEMON_WORKER_DRAIN = 1,  /* claim nothing more; return once the going runs finished */
  DAEMON_WORKER_CANCEL = 2, /* SIGTERM every going run (they end CANCELED), then return */
};

typedef struct daemon_worker_options {
  const char *id;       /* the worker's id: its heartbeat and the runs' STORE_TAG_WORKER */
  int max_runs;         /* runs going at once, at least 1 */
  double poll_interval; /* seconds between looks at the offers and the runs, above 0 */
  /* Called with one line (no newline) for each run started or ended and
   * for each storage failure (once, until it works again); NULL: none. */
  void (*say)(void *data, const char *line);
  void *say_data;
} daemon_worker_options;

/* Runs the worker host on inst (its store shared, the instance read-only)
 * in the calling thread until *stop says DRAIN or CANCEL and its runs are
 * over, then writes a heartbeat of 0 (a worker that stopped) and returns
 * 0. The runs' workers are children of the calling thread: they are
 * killed if it ends otherwise. -1 with err for options that make no
 * sense. */
int daemon_worker_run(run_instance *inst, const daemon_worker_options *o, const atomic_int *stop,
                      buf *err);

#endif
