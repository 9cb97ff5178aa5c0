/* terminate.h — terminating and deleting runs, as Dagster does.
 *
 * SAFE_TERMINATE is allowed for a run that is STARTED or QUEUED (Dagster's
 * CANCELABLE_RUN_STATUSES). A QUEUED run is canceled at once (RUN_CANCELING
 * "Canceling run from the queue.", then RUN_CANCELED). A STARTED run gets
 * RUN_CANCELING ("Sending run termination request.") and its worker SIGTERM
 * (when the pid stored for the run is a live `execute-run` of that run):
 * the worker stops every op process group (SIGTERM, the grace period, then
 * SIGKILL) and reports RUN_CANCELED. A worker that is not alive cannot
 * finish the run, so it is marked CANCELED at once with an engine event
 * saying so, and the ops it left behind are stopped: every process of the
 * worker's session whose environment names the run (DAGD_RUN_ID) has its
 * process group killed (the same on MARK_AS_CANCELED_IMMEDIATELY and
 * run_delete). A run launched on another host or in another PID namespace
 * (RUN_TAG_WORKER_HOST, launch.h) is never signalled nor judged dead from
 * here: SAFE_TERMINATE leaves it CANCELING, for its worker to see in the
 * store, and the other calls leave its processes alone.
 *
 * MARK_AS_CANCELED_IMMEDIATELY works on any unfinished run: RUN_CANCELED
 * with Dagster's message ("This pipeline was forcibly marked as canceled
 * from outside the execution context. The computational resources created
 * by the run may not have been fully cleaned up."), and the worker, if
 * alive, SIGTERM too.
 *
 * A finished run, or SAFE_TERMINATE of a run in another status, fails with
 * RUN_ERR_CANNOT_TERMINATE and Dagster's message "Run {id} could not be
 * terminated due to having status {STATUS}.". */
#ifndef DAGD_RUN_TERMINATE_H
#define DAGD_RUN_TERMINATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "run/instance.h"
#include "run/launch.h"

/* The message of the RUN_CANCELING that asks a run's worker to stop
 * (Dagster's): SAFE_TERMINATE's, and a `dagd worker` canceling its runs. */
#define RUN_TERMINATION_REQUEST "Sending run termination request."

typedef enum run_terminate_policy {
  RUN_SAFE_TERMINATE,
  RUN_MARK_AS_CANCELED_IMMEDIATELY,
} run_terminate_policy;

/* Terminates the run as above: 0, or -1 with err (RUN_ERR_NOT_FOUND,
 * RUN_ERR_CANNOT_TERMINATE, RUN_ERR_INTERNAL). */
int run_terminate(run_instance *inst, const char *run_id, run_terminate_policy policy,
                  run_error *err);

/* Dagster's canTerminate: STARTED or QUEUED. */
bool run_can_terminate(store_run_status status);

/* Deletes the run (its row, tags and events) and its files (outputs,
 * compute logs, worker log). An unfinished run's worker is signalled
 * first, so it stops its ops (it exits when it finds its run gone). -1
 * with err (RUN_ERR_NOT_FOUND, RUN_ERR_INTERNAL). */
int run_delete(run_instance *inst, const char *run_id, run_error *err);

/* Sends sig to the run's worker when pid is alive and its command line is
 * `… execute-run <run_id>` (a recycled pid is left alone). True when sent. */
bool run_signal_worker(int64_t pid, const char *run_id, int sig);

/* Kills (SIGKILL, whole process groups) the ops of run_id left running in
 * the session of its worker worker_pid, found by their DAGD_RUN_ID, as the
 * top of this file says: for a worker that is dead, or has just been
 * killed. Returns how many process groups were killed. */
size_t run_kill_orphaned_ops(int64_t worker_pid, const char *run_id);

/* Kills (SIGKILL, whole process groups) the ops that run workers of the
 * instance at home left running on this host when they died: processes
 * whose environment holds DAGD_HOME=<home> and a DAGD_RUN_ID, in a
 * session (the run worker led it) whose leader is no longer running; the
 * caller's own session is never touched. For a `dagd worker` starting on
 * a host where an earlier one was killed: its run workers died with it,
 * and the op leaders with them, but not what those ops started. Returns
 * how many process groups were killed. */
size_t run_kill_ops_of_dead_workers(const char *home);

/* Ends a run whose worker is not running (or that never had one), since
 * nothing else ever would: kills the ops the worker left, reports an
 * ENGINE_EVENT saying what became of them, then end_type (RUN_FAILURE or
 * RUN_CANCELED) with message. The run is read again first: one that
 * finished meanwhile (its worker ended it normally) or was deleted is left
 * as it is. A run launched on another host or PID namespace
 * (run_worker_is_local) gets no kill, and the engine event says its ops
 * cannot be stopped from here. Used by SAFE_TERMINATE and by run
 * monitoring. 0, or -1 with err (RUN_ERR_INTERNAL). */
int run_end_abandoned(run_instance *inst, const store_run *run, const char *end_type,
                      const char *message, run_error *err);

#endif
