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
 * (unless it was already); a deleted run's files are removed once its ops
 * are gone. No op process outlives the worker. */
#ifndef DAGD_RUN_WORKER_H
#define DAGD_RUN_WORKER_H

#include "base/buf.h"
#include "run/instance.h"

/* Executes the run, first claiming it for this process (storage records
 * the worker's pid; a run another worker holds is refused). Returns 0
 * when it reached a finished status (FAILURE included), or when it was
 * found CANCELED before it started (an engine event says so; no op runs)
 * or deleted; -1 (reason in err) when it could not be executed at all:
 * unknown run, a run not NOT_STARTED or STARTING (never run twice), a run
 * claimed by another worker (nothing is written then), or storage failing,
 * including its last event (RUN_SUCCESS, RUN_FAILURE, RUN_CANCELED) that
 * could not be recorded even after a few tries. A run that cannot start
 * (snapshot missing, config no longer valid, the worker's own setup
 * failing) is marked FAILURE with the reason: 0, or -1 for a setup
 * failure of the worker. On return no process the run started is left,
 * even one that left its op's process group, and no SIGTERM/SIGINT that
 * came during the run is left pending. Call it from a thread that lives
 * as long as the run (op processes die with the thread that started
 * them); other threads must not start processes meanwhile (every new
 * child is taken for one of the run's). */
int run_worker_execute(run_instance *inst, const char *run_id, buf *err);

#endif
