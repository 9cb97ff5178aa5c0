/* monitor.h — run monitoring (Dagster's run_monitoring daemon): finds runs
 * whose worker died (or whose `dagd worker` host stopped heartbeating),
 * runs stuck starting or canceling, and runs past their maximum runtime,
 * and ends them with Dagster's events and messages. */
#ifndef DAGD_DAEMON_MONITOR_H
#define DAGD_DAEMON_MONITOR_H

#include <stdint.h>

#include "base/buf.h"
#include "run/instance.h"

/* What run monitoring remembers from one pass to the next: the `dagd
 * worker` heartbeats it read, each with the monotonic time it first read
 * that value. Owned by the loop that runs the passes (one thread). */
typedef struct daemon_monitor_state daemon_monitor_state;

/* A state that has seen nothing yet. */
daemon_monitor_state *daemon_monitor_state_new(void);
/* Frees it; NULL is allowed. */
void daemon_monitor_state_free(daemon_monitor_state *st);

/* One pass over the unfinished runs of the instance at time now (Unix
 * seconds; run and event ages) and monotonic time mono (clock_mono:
 * heartbeat silences), as inst->monitoring says (nothing at all when
 * disabled), remembering in st what the next pass needs:
 * - NOT_STARTED or STARTING longer than start_timeout (from its creation,
 *   or its last RUN_STARTING; for a run a `dagd worker` claimed, from the
 *   later of that and its last ENGINE_EVENT, which the worker writes right
 *   after its claim; 0: no limit): RUN_FAILURE "Run timed out due
 *   to taking longer than {N} seconds to start." (tag
 *   dagster/failure_reason START_TIMEOUT), the worker told to stop (a dead
 *   worker's ops killed, with an ENGINE_EVENT first saying so). A run
 *   offered to the workers (run_launcher.workers) that no worker has
 *   claimed yet (STARTING, no STORE_TAG_WORKER, no worker pid) waits in a
 *   queue, as a QUEUED run does: no start timeout;
 * - STARTED or CANCELING whose worker is no longer running (this host: the
 *   stored pid is not a live `execute-run <id>`; a STARTED run with no
 *   worker recorded counts once it has been STARTED for start_timeout):
 *   the ops it left killed, an ENGINE_EVENT saying what became of them,
 *   then RUN_FAILURE "Detected run worker status NOT_FOUND: '…'. Marking
 *   run {id} as failed." (tag dagster/failure_reason
 *   UNEXPECTED_TERMINATION); a CANCELING run ends CANCELED instead;
 * - CANCELING longer than cancel_timeout (from its last RUN_CANCELING; 0:
 *   no limit): its worker and ops killed, RUN_CANCELED "Run timed out due
 *   to taking longer than {N} seconds to cancel.";
 * - STARTED past max_runtime (the dagster/max_runtime tag, else
 *   inst->monitoring.max_runtime when > 0): RUN_CANCELING "Canceling due to
 *   exceeding maximum runtime of {N} seconds.", the worker sent SIGTERM,
 *   and at once RUN_FAILURE "Exceeded maximum runtime of {N} seconds." (as
 *   Dagster does once its launcher's terminate succeeded: the run ends
 *   FAILURE, not CANCELED); a run left CANCELING that way (a pass cut
 *   short) ends FAILURE with that message on a later pass, once its worker
 *   is gone or the cancel timeout passed.
 * - STARTING, STARTED or CANCELING, claimed by a `dagd worker`
 *   (STORE_TAG_WORKER) whose heartbeat ("dagd worker <id>",
 *   worker_host.h) is 0 (the worker stopped), or has not changed (or been
 *   missing) for inst->worker_heartbeat_timeout seconds of this host's
 *   monotonic clock, as st remembers it, unless the run's worker is a live
 *   one of this host: an ENGINE_EVENT naming the worker and how long it
 *   has been silent, then the run ends as one whose worker died
 *   (RUN_FAILURE "Detected run worker status NOT_FOUND: 'The dagd worker W
 *   has sent no heartbeat for N seconds'. Marking run {id} as failed.", or
 *   CANCELED); nothing is signalled. Each worker's heartbeat is read once
 *   per pass. Only change counts, never the time written, so the clocks
 *   of the worker's host and of this one need not agree; but a heartbeat
 *   first read by this state (a daemon that just started) counts from
 *   that read: a worker that died before is failed one timeout later.
 * A run launched on another host or in another PID namespace (its
 * RUN_TAG_WORKER_HOST tag names another identity, launch.h) has a worker
 * pid that means nothing here: its worker counts as running, is never
 * signalled, and its ops are never killed from here; the timeouts still
 * apply to it (their engine event then says its ops cannot be stopped
 * from here). A run without the tag is judged by its pid.
 * Every run is read again right before anything is written, so a pass is
 * idempotent and two passes at once (two processes) rarely both write.
 * Returns the number of runs it acted on, or -1 with err set when the
 * storage failed (the other runs are still checked). */
int daemon_monitor_pass(run_instance *inst, daemon_monitor_state *st, double now, double mono,
                        buf *err);

/* Ends the run run_id whose worker (pid worker_pid) has ended without
 * finishing it, health saying how ("The run worker (pid 12) was killed by
 * signal 9"), as a pass ends a run whose worker died: RUN_FAILURE
 * "Detected run worker status NOT_FOUND: '{health}'. Marking run {id} as
 * failed." with UNEXPECTED_TERMINATION (a CANCELING run: CANCELED), after
 * the engine event saying what became of its ops. For a `dagd worker`,
 * which sees its run workers exit. The run is read first: one that is
 * finished, gone, not STARTING/STARTED/CANCELING or another worker's is
 * left alone (0). 1 when ended; -1 with err when the storage failed. */
int daemon_monitor_end_run(run_instance *inst, const char *run_id, int64_t worker_pid,
                           const char *health, buf *err);

#endif
