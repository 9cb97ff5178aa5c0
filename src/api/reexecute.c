/* reexecute.c — Mutation.launchRunReexecution and its legacy alias
 * launchPipelineReexecution (Dagster's GrapheneLaunchRunReexecutionMutation,
 * schema/roots/mutation.py; implementation/execution/launch_execution.py).
 *
 * Exactly one of the two arguments is given. reexecutionParams
 * {parentRunId, strategy} is Dagster's launch_reexecution_from_parent_run:
 * the parent is looked up (Dagster's check.not_none text when it is not
 * stored), then the permission, then the parent's job in the workspace as
 * it is now (its location, repository and name, with the parent's op
 * selection: PipelineNotFoundError when it is gone), the parent's run
 * config checked against it (DagsterInvalidConfigError as a PythonError,
 * as Dagster's code server raises it), and the run made by
 * run_create_reexecution (src/run/reexecute.h) and submitted.
 * executionParams is the older form Dagster's UI sent: a launch (launch.c)
 * that must name the parent and root runs, whose stepKeys or
 * dagster/is_resume_retry tag choose the steps. */
#include <string.h>

#include "api/launch_internal.h"
#include "api/run_outcome.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "defs/run_config.h"
#include "graphql/values.h"
#include "run/reexecute.h"

/* ---- executionParams ---- */

static gql_rv reexecute_with_params(const gql_resolve_info *info, const gql_value *params) {
  launch_params p;
  gql_rv result;
  if (!api_launch_read_params(info, params, &p, &result))
    return result;
  if (((const api_context *)info->context)->read_only)
    return api_unauthorized(info);
  /* Dagster's do_launch requires both ids of a re-execution, root first. */
  if (!p.root_run_id || !p.parent_run_id)
    return api_python_error_class(
        info, "ParameterCheckError",
        "Param \"%s\" is not a str. Got None which is type <class 'NoneType'>.",
        !p.root_run_id ? "root_run_id" : "parent_run_id");
  return api_launch_params(info, &p);
}

/* ---- reexecutionParams ---- */

/* The queries of the parent's op selection (JSON array text) into p. */
static void parent_selection(arena *a, const store_run *parent, launch_params *p) {
  if (!parent->op_selection)
    return;
  json_t *v = json_parse_text(parent->op_selection, strlen(parent->op_selection), NULL, 0);
  size_t n = json_array_size(v);
  const char **queries = ARENA_ARRAY(a, const char *, n + 1);
  for (size_t i = 0; i < n; i++) {
    const char *q = json_string_value(json_array_get(v, i));
    if (q)
      queries[p->n_selection++] = arena_strdup(a, q);
  }
  p->selection = queries;
  json_decref(v);
}

/* The parent's run config must still fit its job (Dagster's code server
 * fails building the plan with DagsterInvalidConfigError otherwise). */
static bool check_parent_config(const gql_resolve_info *info, const api_container *c,
                                const store_run *parent, gql_rv *failure) {
  const char *text = parent->run_config && *parent->run_config ? parent->run_config : "{}";
  char perr[160];
  json_t *cfg = json_parse_text(text, strlen(text), perr, sizeof perr);
  if (!cfg) {
    *failure = api_python_error(info, "The run config of run %s is not valid JSON: %s",
                                parent->run_id, perr);
    return false;
  }
  api_json_defer(info->arena, cfg);
  defs_config_errors errs;
  defs_config_errors_init(&errs, info->arena);
  buf derr;
  buf_init(&derr, info->arena);
  json_t *resolved = defs_job_validate_run_config(api_request_registry(info), c->loc->defs, c->job,
                                                  cfg, &errs, &derr);
  if (resolved) {
    json_decref(resolved);
    return true;
  }
  buf why;
  buf_init(&why, info->arena);
  buf_printf(&why, "DagsterInvalidConfigError: Error in config for job %s", c->job->name);
  for (size_t i = 0; i < errs.count; i++)
    buf_printf(&why, "\n    Error %zu: %s", i + 1, errs.items[i].message);
  if (derr.len)
    buf_printf(&why, "\n    %s", buf_cstr(&derr));
  *failure = api_python_error_class(info, "DagsterInvalidConfigError", "%s", buf_cstr(&why));
  return false;
}

static gql_rv reexecute_parent(const gql_resolve_info *info, const gql_value *params) {
  const char *parent_id = api_value_string(params, "parentRunId");
  const gql_value *strategy = gql_value_field(params, "strategy");
  const char *strategy_name = strategy ? strategy->str : "";
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  store_error se = {{0}};
  const store_run *parent =
      parent_id ? store_run_get(inst->store, parent_id, info->arena, &se) : NULL;
  if (!parent) {
    if (se.message[0])
      return api_python_error(info, "%s", se.message);
    return api_python_error_class(info, "CheckError",
                                  "Expected non-None value: Could not find parent run with id: %s",
                                  parent_id ? parent_id : "None");
  }
  if (((const api_context *)info->context)->read_only)
    return api_unauthorized(info);
  launch_params p = {
      .job_name = parent->job_name,
      .repository_name = parent->repository_name ? parent->repository_name : "",
      .location_name = parent->location_name ? parent->location_name : "",
  };
  parent_selection(info->arena, parent, &p);
  const api_container *c;
  if (!api_select_job(info, api_launch_selector(info->arena, &p, true), &c, &result) ||
      !check_parent_config(info, c, parent, &result))
    return result;
  run_reexecution req = {
      .defs = c->loc->defs,
      .job = c->job,
      .location_name = c->loc->name,
      .parent = parent,
      .strategy = strcmp(strategy_name, "FROM_FAILURE") == 0 ? RUN_REEXECUTE_FROM_FAILURE
                                                             : RUN_REEXECUTE_ALL_STEPS,
  };
  char run_id[37];
  run_error err = {0};
  if (run_create_reexecution(inst, &req, run_id, &err) != 0)
    return api_launch_reexecution_failure(info, &err);
  if (run_submit(inst, run_id, &err) != 0)
    return api_launch_run_failure(info, &err);
  return api_launch_success(info, inst, run_id);
}

/* ---- the mutation ---- */

static gql_rv mutation_reexecute(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  const gql_value *execution = gql_arg(info, "executionParams");
  const gql_value *reexecution = gql_arg(info, "reexecutionParams");
  if (api_value_truthy(execution) == api_value_truthy(reexecution))
    return api_python_error_class(
        info, "DagsterInvariantViolationError",
        "Must only provide one of either executionParams or reexecutionParams");
  return api_value_truthy(execution) ? reexecute_with_params(info, execution)
                                     : reexecute_parent(info, reexecution);
}

static const api_resolver resolvers[] = {
    {"Mutation.launchRunReexecution", mutation_reexecute},
    {"Mutation.launchPipelineReexecution", mutation_reexecute},
};

int api_reexecute_attach(gql_schema *s, char *err, size_t err_size) {
  return api_attach(s, resolvers, API_COUNT(resolvers), err, err_size);
}
