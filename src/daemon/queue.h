/* queue.h — the run queue (Dagster's QueuedRunCoordinatorDaemon): which
 * QUEUED runs may start now, and starting them.
 *
 * Runs in progress are those STARTING, STARTED or CANCELING (Dagster's
 * IN_PROGRESS_RUN_STATUSES). QUEUED runs are taken by the dagster/priority
 * tag (an integer, 0 when absent or not a number, higher first), then in
 * creation order; a run a tag limit blocks is skipped without blocking
 * the runs after it. */
#ifndef DAGD_DAEMON_QUEUE_H
#define DAGD_DAEMON_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "run/instance.h"

/* Chooses, from the queued runs (oldest first), those that may start
 * given the runs in progress and cfg's limits (max_concurrent_runs: -1 no
 * limit, 0 none; the tag limits). Writes their indexes into `chosen` (room
 * for n_queued), in the order they are to be launched, and returns how
 * many. Pure: it reads nothing but its arguments. */
size_t daemon_queue_choose(const run_coordinator_config *cfg, const store_run *in_progress,
                           size_t n_in_progress, const store_run *queued, size_t n_queued,
                           size_t *chosen);

/* How many runs are in progress (STARTING, STARTED or CANCELING), and
 * how many are QUEUED: one count on the store's status index each, cheap
 * enough to ask many times a second. -1 with err set when the store
 * failed. */
int64_t daemon_queue_in_progress(run_instance *inst, buf *err);
int64_t daemon_queue_waiting(run_instance *inst, buf *err);

/* One pass: reads the runs in progress and the QUEUED runs from inst's
 * store, chooses as above, and for each chosen run still QUEUED reports
 * RUN_DEQUEUED and launches it (run_launch); a run canceled or deleted
 * meanwhile is skipped and the pass goes on. Returns the number of runs
 * launched, or -1 with err set when the store failed. */
int daemon_queue_pass(run_instance *inst, buf *err);

#endif
