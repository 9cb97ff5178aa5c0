/* worker.h — the run worker (`dagd execute-run RUN_ID`): executes one run.
 *
 * It loads the run and its job snapshot, re-validates the stored run config
 * (defaults filled in), builds the execution plan (of the op selection, if
 * any), and runs the steps as op processes (DESIGN.md §4, the op protocol),
 * as many at once as the job's executor allows (multiprocess:
 * max_concurrent, 0 = the number of CPUs; in_process: one), in plan order
 * as their inputs become ready. Each step's outputs are files under
 * <artifacts_dir>/<run_id>/<step_key>/<output>; stdout and stderr are its
 * compute logs; the lines an op appends to DAGD_EVENTS become events while
 * it runs. Retries and timeouts follow the op's definition. A step whose
 * upstream failed does not run. Events follow Dagster's order, names and
 * messages (events.h). SIGTERM or SIGINT, or the run turning CANCELING,
 * CANCELED or disappearing from storage, stops every op process group
 * (SIGTERM, the instance's grace period, SIGKILL); the run ends CANCELED
 * (unless it was already). No op process outlives the worker. */
#ifndef DAGD_RUN_WORKER_H
#define DAGD_RUN_WORKER_H

#include "base/buf.h"
#include "run/instance.h"

/* Executes the run. Returns 0 when it reached a finished status (FAILURE
 * included); -1 (reason in err) when it could not be executed at all:
 * unknown run, a run not NOT_STARTED or STARTING (never run twice), or
 * storage failing. A run that cannot start (snapshot missing, config no
 * longer valid) is marked FAILURE with the reason and returns 0. */
int run_worker_execute(run_instance *inst, const char *run_id, buf *err);

#endif
