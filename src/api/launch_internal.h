/* launch_internal.h — private to launch.c and reexecute.c: ExecutionParams
 * as Dagster's create_execution_params reads them, and the creation of a
 * run from them (create_valid_pipeline_run: step keys, then run_create and
 * run_submit), which launchRun and the legacy form of
 * launchRunReexecution (executionParams) share. */
#ifndef DAGD_API_LAUNCH_INTERNAL_H
#define DAGD_API_LAUNCH_INTERNAL_H

#include "api/objects.h"
#include "run/launch.h"

/* What an ExecutionParams value asks for, once read. */
typedef struct launch_params {
  const char *job_name;
  const char *repository_name;
  const char *location_name;
  const char *const *selection; /* op selection queries; n_selection 0: none */
  size_t n_selection;
  const json_t *run_config; /* NULL: {} */
  store_tag *tags;          /* the caller's, one per key (the last wins) */
  size_t n_tags;
  /* The caller's tags under dagster/ that Dagster's clients send with a
   * (re-)execution and dagd takes although run_create refuses them from
   * callers: dagster/is_resume_retry and dagster/step_selection. */
  store_tag *system_tags;
  size_t n_system_tags;
  const char *parent_run_id;
  const char *root_run_id;
  const char *const *step_keys; /* ExecutionParams.stepKeys; n_step_keys 0: none */
  size_t n_step_keys;
} launch_params;

/* Reads ExecutionParams into *p, or sets *failure to the answer. */
bool api_launch_read_params(const gql_resolve_info *info, const gql_value *params, launch_params *p,
                            gql_rv *failure);

/* The PipelineSelector value for api_select_job of the params' job (with
 * their op selection when with_selection). */
const gql_value *api_launch_selector(arena *a, const launch_params *p, bool with_selection);

/* Creates the run of c's job that p describes, submits it and answers
 * LaunchRunSuccess, or the failure's member. The steps to execute are
 * p's stepKeys (each must be a step of the job), or, with
 * dagster/is_resume_retry=true and no stepKeys, those a FROM_FAILURE
 * re-execution of the parent run executes (refused as
 * run_steps_from_failure refuses). The caller's system tags are written
 * with the run. */
gql_rv api_launch_create(const gql_resolve_info *info, run_instance *inst, const api_container *c,
                         const launch_params *p);

/* Launches what p describes: its job (and selection) looked up, its run
 * config checked, the run created and submitted; the answer as launchRun's. */
gql_rv api_launch_params(const gql_resolve_info *info, const launch_params *p);

/* LaunchRunSuccess with the submitted run read again. */
gql_rv api_launch_success(const gql_resolve_info *info, run_instance *inst, const char *run_id);

/* The answer for a run_create / run_submit failure. */
gql_rv api_launch_run_failure(const gql_resolve_info *info, const run_error *err);

/* The answer for a refusal of a re-execution (run/reexecute.h): a
 * PythonError with Dagster's class name (run_reexecution_error_class), or
 * as api_launch_run_failure for other failures. */
gql_rv api_launch_reexecution_failure(const gql_resolve_info *info, const run_error *err);

/* Attaches the re-execution mutations (reexecute.c); called by
 * api_launch_attach. */
int api_reexecute_attach(gql_schema *s, char *err, size_t err_size);

#endif
