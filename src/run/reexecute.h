/* reexecute.h — re-executing a run (Dagster's create_reexecuted_run and
 * KnownExecutionState, _core/execution/plan/state.py).
 *
 * A re-execution is a new run of the parent's job (as the workspace has it
 * now, with the parent's op selection and run config) that belongs to the
 * parent's run group: parent_run_id is the parent, root_run_id the
 * parent's root (or the parent itself). ALL_STEPS executes every step;
 * FROM_FAILURE only the steps the parent did not finish — those that
 * failed, those that started and never ended, those that never ran — and
 * everything downstream of them (steps the parent's own step selection
 * left out stay out). A step that is not executed hands its outputs on
 * from the nearest run up the parent chain that produced them (its
 * STEP_OUTPUT event), which the run worker finds with run_lineage_*. */
#ifndef DAGD_RUN_REEXECUTE_H
#define DAGD_RUN_REEXECUTE_H

#include <stddef.h>

#include "defs/plan.h"
#include "run/launch.h"

typedef enum run_reexecution_strategy {
  RUN_REEXECUTE_ALL_STEPS,
  RUN_REEXECUTE_FROM_FAILURE,
} run_reexecution_strategy;

/* Dagster's text for a FROM_FAILURE re-execution that has nothing to
 * re-execute (its DagsterInvalidSubsetError). */
#define RUN_NOTHING_TO_RETRY "No steps needed to be retried in the failed run."

/* The steps of plan (the job the re-execution will run) that a
 * FROM_FAILURE re-execution of parent executes, in plan order, read from
 * the parent's events (STEP_START, STEP_SUCCESS, STEP_FAILURE,
 * STEP_SKIPPED, RESOURCE_INIT_FAILURE), as Dagster's
 * build_resume_retry_reexecution: -1 with RUN_ERR_INVALID and Dagster's
 * text when the parent did not end FAILURE or CANCELED ("Cannot reexecute
 * from failure a run that is not failed or canceled") or nothing needs
 * re-executing (RUN_NOTHING_TO_RETRY), with RUN_ERR_NOT_FOUND when one of
 * the parent's ancestors is gone (as run_check_ancestors), with
 * RUN_ERR_INTERNAL when storage fails. Keys into arena a; *n > 0 on
 * success. */
int run_steps_from_failure(store *s, const store_run *parent, const defs_plan *plan, arena *a,
                           const char *const **keys, size_t *n, run_error *err);

/* Checks that the run's ancestors (its parent, the parent's parent, …)
 * are all stored, as Dagster does before re-executing a subset of a run
 * (the outputs of the steps left out come from them): -1 with
 * RUN_ERR_NOT_FOUND and Dagster's "Could not load ancestor run ID for
 * re-execution" (its DagsterRunNotFoundError) when one is not, with
 * RUN_ERR_INTERNAL when storage fails. */
int run_check_ancestors(store *s, const store_run *run, run_error *err);

/* Dagster's exception class of a refusal of run_steps_from_failure,
 * run_check_ancestors or run_create_reexecution (DagsterInvalidSubsetError,
 * DagsterInvariantViolationError, DagsterRunNotFoundError); NULL for
 * other failures (storage, run_create's own). */
const char *run_reexecution_error_class(const run_error *err);

typedef struct run_reexecution {
  const defs_definitions *defs; /* the job as the workspace has it now */
  const defs_job *job;          /* with the parent's op selection applied */
  const char *location_name;
  const store_run *parent;
  run_reexecution_strategy strategy;
} run_reexecution;

/* Creates the re-execution of req->parent as Dagster's
 * create_reexecuted_run (NOT_STARTED; submitting it is the caller's):
 * the parent's run config, tags = the job's, then the parent's (but for
 * those Dagster drops on a retry: dagster/failure_reason,
 * dagster/is_resume_retry, dagster/retry_number, dagster/will_retry,
 * dagster/auto_retry_run_id, the backfill and run metrics tags), then
 * dagster/parent_run_id and dagster/root_run_id, and
 * dagster/is_resume_retry=true for FROM_FAILURE, all written with the run.
 * FROM_FAILURE refuses as run_steps_from_failure does (-1 with err). */
int run_create_reexecution(run_instance *inst, const run_reexecution *req, char run_id[37],
                           run_error *err);

/* ---- where a step that is not executed finds its outputs ---- */

/* The runs up a run's parent chain (parent, grandparent, …) with the
 * outputs each produced. */
typedef struct run_lineage run_lineage;

/* Reads the ancestors of run (none when it has no parent) into arena a:
 * their ids and the outputs their events show they produced (the events
 * themselves are read in a scratch arena and not kept). NULL with err when
 * storage fails; a chain that breaks (an ancestor deleted since the run
 * was created) ends there, and run_lineage_missing names the run. */
run_lineage *run_lineage_load(store *s, const store_run *run, arena *a, run_error *err);

/* The ancestor the chain broke at (no longer stored), or NULL. */
const char *run_lineage_missing(const run_lineage *l);

/* The id of the nearest ancestor whose events show it produced output of
 * step_key, or NULL. */
const char *run_lineage_producer(const run_lineage *l, const char *step_key, const char *output);

/* The ancestors' ids, nearest first, joined by ", " (for messages); "" when
 * there are none. */
const char *run_lineage_describe(const run_lineage *l, arena *a);

#endif
