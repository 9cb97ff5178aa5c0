/* worker_host.h — `dagd worker`: a process, on any host, that executes the
 * runs offered to the instance's workers (run_launcher.workers in
 * dagd.yaml: run_launch offers each launched run instead of starting it).
 *
 * Each worker process is an incarnation with an id of its own
 * (daemon_worker_incarnation: its name and a random suffix), so two
 * processes under one name (a name given twice, a container restarted
 * with the same hostname and pid) never share a heartbeat or each
 * other's runs. The loop heartbeats in the store (the daemon heartbeat
 * table, type "dagd worker <id>"), claims offered runs
 * (store_worker_claim: each run goes to one worker, whatever the number
 * of hosts; the claim is recorded as an ENGINE_EVENT naming the worker and
 * its host) while fewer than max_runs of its own are going and its last
 * heartbeat still stands, starts each claimed run's worker as its child
 * (run_start_worker, RUN_WORKER_CHILD: killed with the worker host, so no
 * run goes on unwatched), and reaps them. A run whose worker cannot be
 * started is given back to the offers (store_worker_release) for another
 * host, and this one claims nothing for a while (1 s, doubling up to 60 s,
 * until a start works again). A run whose worker exits without finishing
 * it is ended as run monitoring ends a run whose worker died
 * (daemon_monitor_end_run). A worker host that disappears stops
 * heartbeating, and the daemon's monitor fails its runs once its
 * heartbeat has not changed for run_launcher.worker_heartbeat_timeout. At
 * its start it kills what ops of dead run workers of its instance were
 * left on this host (run_kill_ops_of_dead_workers: a killed predecessor's).
 *
 * Storage failures are reported (through the caller's callback) and
 * retried at the next round; the loop never gives up on them. */
#ifndef DAGD_DAEMON_WORKER_HOST_H
#define DAGD_DAEMON_WORKER_HOST_H

#include <stdatomic.h>
#include <stddef.h>

#include "base/buf.h"
#include "run/instance.h"

/* The heartbeat type of worker W is DAEMON_WORKER_TYPE_PREFIX W. */
#define DAEMON_WORKER_TYPE_PREFIX "dagd worker "
/* Seconds between heartbeats at most (a third of the timeout when that is
 * shorter). */
#define DAEMON_WORKER_HEARTBEAT_INTERVAL 5.0

/* Seconds a canceled run worker has, beyond the instance's
 * terminate_grace, to end before it is killed. */
#define DAEMON_WORKER_CANCEL_SLACK 5.0
/* Bounds of the pause in claims after a run worker could not be started. */
#define DAEMON_WORKER_BACKOFF_MIN 1.0
#define DAEMON_WORKER_BACKOFF_MAX 60.0

/* What *stop asks of a running worker host (set from a signal handler or
 * another thread; seen within a tenth of a second). */
enum {
  DAEMON_WORKER_GO = 0,    /* claim and run */
  DAEMON_WORKER_DRAIN = 1, /* claim nothing more; return once the going runs finished */
  /* Each going run gets RUN_CANCELING (RUN_TERMINATION_REQUEST) and its
   * worker SIGTERM, so it ends CANCELED whether the worker stops its ops
   * or dies of the signal; a worker still alive terminate_grace +
   * DAEMON_WORKER_CANCEL_SLACK seconds later is killed (SIGKILL). Returns
   * once they all ended. */
  DAEMON_WORKER_CANCEL = 2,
};

/* Writes into out the id of a new worker incarnation named name:
 * "<name>#<8 hex digits>", random. */
void daemon_worker_incarnation(const char *name, char *out, size_t size);

typedef struct daemon_worker_options {
  /* The worker's incarnation id (daemon_worker_incarnation): its
   * heartbeat and the runs' STORE_TAG_WORKER. */
  const char *id;
  const char *name;     /* what people call it (--name), in engine events; NULL: id */
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
 * sense. Every process of the instance must use the same
 * run_launcher.worker_heartbeat_timeout: the worker beats a third of it
 * (at most DAEMON_WORKER_HEARTBEAT_INTERVAL) apart and claims nothing once
 * its last successful beat is a beat short of it, while the monitor
 * judges by it. */
int daemon_worker_run(run_instance *inst, const daemon_worker_options *o, const atomic_int *stop,
                      buf *err);

#endif
