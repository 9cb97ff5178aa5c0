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

/* The steps of plan (the job the re-execution will run) that a
 * FROM_FAILURE re-execution of parent executes, in plan order, read from
 * the parent's events (STEP_START, STEP_SUCCESS, STEP_FAILURE,
 * STEP_SKIPPED, RESOURCE_INIT_FAILURE). Into arena a; *n receives the
 * count (0 when nothing needs re-executing). -1 with err when the events
 * cannot be read. */
int run_steps_from_failure(store *s, const store_run *parent, const defs_plan *plan, arena *a,
                           const char *const **keys, size_t *n, run_error *err);

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
 * dagster/is_resume_retry=true for FROM_FAILURE. FROM_FAILURE needs a
 * parent that ended FAILURE or CANCELED and something to re-execute;
 * otherwise -1 with RUN_ERR_INVALID and Dagster's message. */
int run_create_reexecution(run_instance *inst, const run_reexecution *req, char run_id[37],
                           run_error *err);

/* Adds tags that run_create refuses from callers (system tags dagd sets
 * on a caller's behalf: dagster/is_resume_retry, dagster/step_selection)
 * to a run just created, before it is submitted. */
int run_add_system_tags(run_instance *inst, const char *run_id, const store_tag *tags, size_t n,
                        run_error *err);

/* ---- where a step that is not executed finds its outputs ---- */

/* The runs up a run's parent chain (parent, grandparent, …) with the
 * outputs each produced. */
typedef struct run_lineage run_lineage;

/* Reads the ancestors of run (none when it has no parent) into arena a.
 * NULL with err when storage fails; a chain that breaks (an ancestor
 * deleted) just ends there. */
run_lineage *run_lineage_load(store *s, const store_run *run, arena *a, run_error *err);

/* The id of the nearest ancestor whose events show it produced output of
 * step_key, or NULL. */
const char *run_lineage_producer(const run_lineage *l, const char *step_key, const char *output);

/* The ancestors' ids, nearest first, joined by ", " (for messages); "" when
 * there are none. */
const char *run_lineage_describe(const run_lineage *l, arena *a);

#endif
