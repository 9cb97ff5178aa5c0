/* terminate.c — Mutation.terminateRun, terminatePipelineExecution (its
 * legacy alias), terminateRuns, deleteRun and deletePipelineRun, answered
 * as Dagster's implementation/execution/__init__.py answers them, through
 * run_terminate and run_delete (src/run/terminate.h); and the run-holding
 * objects the run mutations share (run_outcome.h).
 *
 * Permissions follow Dagster's per-run checks, with a read-only server
 * holding none: terminating an unknown run is UnauthorizedError, an
 * existing one a TerminateRunFailure saying so; deleting is
 * UnauthorizedError either way. */
#include <string.h>

#include "api/objects.h"
#include "api/run_outcome.h"
#include "base/arena.h"
#include "run/terminate.h"

/* ---- the run-holding objects (run_outcome.h) ------------------------------- */

gql_rv api_run_outcome_object(const gql_resolve_info *info, const char *type_name,
                              const store_run *run, const char *message) {
  api_run_outcome *o = ARENA_NEW(info->arena, api_run_outcome);
  o->run = run;
  o->message = message;
  return api_object(info, o, type_name);
}

gql_rv api_run_outcome_run(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_run_object(info, ((const api_run_outcome *)parent)->run);
}

gql_rv api_run_outcome_message(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const api_run_outcome *)parent)->message);
}

/* ---- terminating ------------------------------------------------------------- */

static bool read_only(const gql_resolve_info *info) {
  return ((const api_context *)info->context)->read_only;
}

/* The terminatePolicy argument; absent or null is SAFE_TERMINATE. */
static run_terminate_policy policy_arg(const gql_resolve_info *info) {
  const gql_value *v = gql_arg(info, "terminatePolicy");
  if (v && v->kind == GQL_VALUE_ENUM && strcmp(v->str, "MARK_AS_CANCELED_IMMEDIATELY") == 0)
    return RUN_MARK_AS_CANCELED_IMMEDIATELY;
  return RUN_SAFE_TERMINATE;
}

/* The run, or NULL after setting *result to the answer for a run that
 * cannot be read: RunNotFoundError (UnauthorizedError when read-only, as
 * Dagster checks the permission first for a run it does not find) or a
 * PythonError. */
static const store_run *find_run(const gql_resolve_info *info, run_instance *inst,
                                 const char *run_id, gql_rv *result) {
  store_error se = {{0}};
  const store_run *run = store_run_get(inst->store, run_id, info->arena, &se);
  if (!run)
    *result = se.message[0]     ? api_python_error(info, "%s", se.message)
              : read_only(info) ? api_unauthorized(info)
                                : api_run_not_found(info, run_id);
  return run;
}

/* One run's TerminateRunResult. */
static gql_rv terminate_one(const gql_resolve_info *info, run_instance *inst, const char *run_id,
                            run_terminate_policy policy) {
  gql_rv result;
  const store_run *run = find_run(info, inst, run_id, &result);
  if (!run)
    return result;
  if (read_only(info))
    return api_run_outcome_object(info, "TerminateRunFailure", run,
                                  "You do not have permission to terminate this run");
  run_error err = {0};
  if (run_terminate(inst, run_id, policy, &err) != 0) {
    switch (err.code) {
    case RUN_ERR_CANNOT_TERMINATE:
      return api_run_outcome_object(info, "TerminateRunFailure", run,
                                    arena_strdup(info->arena, err.message));
    case RUN_ERR_NOT_FOUND: /* deleted meanwhile */
      return api_run_not_found(info, run_id);
    default:
      return api_python_error(info, "%s", err.message);
    }
  }
  /* Read again, so the answer shows what terminating did (CANCELING or
   * CANCELED). */
  const store_run *after = find_run(info, inst, run_id, &result);
  if (!after)
    return result;
  return api_run_outcome_object(info, "TerminateRunSuccess", after, NULL);
}

static gql_rv mutation_terminate_run(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  return terminate_one(info, inst, api_arg_string(info, "runId"), policy_arg(info));
}

/* TerminateRunsResult: one result per id, in the order given. */
typedef struct terminate_results {
  gql_rv *items;
  size_t n;
} terminate_results;

static gql_rv mutation_terminate_runs(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)parent, (void)data;
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  const gql_value *ids = gql_arg(info, "runIds");
  run_terminate_policy policy = policy_arg(info);
  terminate_results *r = ARENA_NEW(info->arena, terminate_results);
  r->n = ids && ids->kind == GQL_VALUE_LIST ? ids->n_items : 0;
  r->items = ARENA_ARRAY(info->arena, gql_rv, r->n + 1);
  for (size_t i = 0; i < r->n; i++)
    r->items[i] = terminate_one(info, inst, ids->items[i]->str, policy);
  return api_object(info, r, "TerminateRunsResult");
}

static gql_rv results_list(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const terminate_results *r = parent;
  gql_rv list = gql_rv_list(info->arena, r->n);
  for (size_t i = 0; i < r->n; i++)
    list.u.list.items[i] = r->items[i];
  return list;
}

/* ---- deleting ---------------------------------------------------------------- */

static gql_rv mutation_delete_run(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  const char *run_id = api_arg_string(info, "runId");
  if (!find_run(info, inst, run_id, &result))
    return result;
  if (read_only(info))
    return api_unauthorized(info);
  run_error err = {0};
  if (run_delete(inst, run_id, &err) != 0)
    return err.code == RUN_ERR_NOT_FOUND ? api_run_not_found(info, run_id)
                                         : api_python_error(info, "%s", err.message);
  return api_json(
      info, json_pack("{s:s, s:s}", "__typename", "DeletePipelineRunSuccess", "runId", run_id));
}

/* ---- attaching --------------------------------------------------------------- */

static const api_resolver resolvers[] = {
    {"Mutation.terminateRun", mutation_terminate_run},
    {"Mutation.terminatePipelineExecution", mutation_terminate_run},
    {"Mutation.terminateRuns", mutation_terminate_runs},
    {"Mutation.deleteRun", mutation_delete_run},
    {"Mutation.deletePipelineRun", mutation_delete_run},
    {"TerminateRunSuccess.run", api_run_outcome_run},
    {"TerminateRunFailure.run", api_run_outcome_run},
    {"TerminateRunFailure.message", api_run_outcome_message},
    {"TerminateRunsResult.terminateRunResults", results_list},
};

static const char *const json_types[] = {"DeletePipelineRunSuccess", "RunNotFoundError",
                                         "UnauthorizedError"};

int api_terminate_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_attach(s, resolvers, API_COUNT(resolvers), err, err_size) != 0 ||
      api_json_types(s, json_types, API_COUNT(json_types), err, err_size) != 0)
    return -1;
  return 0;
}
