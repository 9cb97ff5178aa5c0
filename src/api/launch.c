/* launch.c — Mutation.launchRun and its legacy alias launchPipelineExecution:
 * ExecutionParams read as Dagster's create_execution_params reads them
 * (schema/roots/mutation.py, implementation/utils.py), then the job looked
 * up, its run config validated, the run created and launched
 * (implementation/execution/launch_execution.py, run_lifecycle.py) through
 * run_create and run_submit (src/run/launch.h: launched now, or queued for
 * the daemon).
 *
 * The order of Dagster's checks is kept, since it decides which error a
 * request with several faults gets: the selector, then a preset's conflicts,
 * its job and its name (or, without a preset, the run config's shape), then
 * the permission (a read-only server), then the job and selection, the run
 * config, and the run's creation. `mode` only matters with a preset (a
 * conflict): Dagster ignores it otherwise since jobs have one mode. A
 * preset's tags are not applied (Dagster's server takes only
 * executionMetadata's; its launchpad copies a preset's tags there).
 *
 * stepKeys name the steps to execute (Dagster's step_keys_to_execute);
 * the steps left out hand their outputs on from the parent run's lineage
 * (the worker's business). A key that is not a step of the job is
 * Dagster's DagsterExecutionStepNotFoundError, a PythonError (its code
 * server raises it while building the plan). With the tag
 * dagster/is_resume_retry=true and no stepKeys, the steps are those a
 * FROM_FAILURE re-execution of the parent runs, as Dagster's
 * compute_step_keys_to_execute does for its UI's older re-execution (with
 * the same refusals as launchRunReexecution's FROM_FAILURE). */
#include <string.h>

#include "api/launch_internal.h"
#include "api/run_outcome.h"
#include "base/arena.h"
#include "base/buf.h"
#include "defs/plan.h"
#include "graphql/values.h"
#include "run/launch.h"
#include "run/reexecute.h"

/* Reads runConfigData as Dagster's execution_params_from_graphql: a false
 * value is {}, a string is YAML (not YAML: a PythonError), and what results
 * must be a mapping or None (ExecutionParams' check). */
static bool read_run_config(const gql_resolve_info *info, const gql_value *v, const json_t **out,
                            gql_rv *failure) {
  *out = NULL;
  if (!api_value_truthy(v))
    return true;
  const char *error;
  const json_t *j = api_run_config_value(info, v, &error);
  if (error) {
    *failure = api_python_error(info, "%s", error);
    return false;
  }
  if (!j || json_is_null(j))
    return true;
  if (!json_is_object(j)) {
    buf repr;
    buf_init(&repr, info->arena);
    defs_config_py_repr(j, &repr);
    *failure = api_python_error(info,
                                "Param \"run_config\" is not one of ['Mapping']. Got %s which is "
                                "type <class '%s'>.",
                                buf_cstr(&repr), defs_config_py_type_name(j));
    return false;
  }
  *out = j;
  return true;
}

/* Sets key to value in the tag list, replacing an earlier value of key
 * (Dagster builds a dict: the last one wins, in first-seen order). */
static void put_tag(launch_params *p, size_t cap, const char *key, const char *value) {
  for (size_t i = 0; i < p->n_tags; i++) {
    if (strcmp(p->tags[i].key, key) == 0) {
      p->tags[i].value = value;
      return;
    }
  }
  if (p->n_tags < cap)
    p->tags[p->n_tags++] = (store_tag){key, value};
}

/* Whether a string input value holds a NUL character (GraphQL allows
 * "\u0000"; dagd's tags are C strings, which would cut it off). */
static bool has_nul(const gql_value *v) {
  return v && v->kind == GQL_VALUE_STRING && strlen(v->str) != v->str_len;
}

/* The caller's tags (executionMetadata.tags); false with a PythonError in
 * *failure for a key or value holding a NUL character. */
static bool read_tags(const gql_resolve_info *info, const gql_value *metadata, launch_params *p,
                      gql_rv *failure) {
  const gql_value *tags = gql_value_field(metadata, "tags");
  size_t cap = tags && tags->kind == GQL_VALUE_LIST ? tags->n_items : 0;
  p->tags = ARENA_ARRAY(info->arena, store_tag, cap + 1);
  p->n_tags = 0;
  for (size_t i = 0; i < cap; i++) {
    const gql_value *key = gql_value_field(tags->items[i], "key");
    const gql_value *value = gql_value_field(tags->items[i], "value");
    if (has_nul(key) || has_nul(value)) {
      *failure = api_python_error(info, "Tag keys and values may not contain NUL characters.");
      return false;
    }
    if (key && value && key->kind == GQL_VALUE_STRING && value->kind == GQL_VALUE_STRING)
      put_tag(p, cap, key->str, value->str);
  }
  return true;
}

/* ---- the selector, as a PipelineSelector value for api_select_job ------- */

static gql_value *string_value(arena *a, const char *s) {
  gql_value *v = ARENA_NEW(a, gql_value);
  v->kind = GQL_VALUE_STRING;
  v->str = s;
  v->str_len = strlen(s);
  return v;
}

/* {pipelineName, repositoryName, repositoryLocationName, solidSelection} of
 * the params: Dagster's JobSubsetSelector, whichever of pipelineName and
 * jobName named the job. */
const gql_value *api_launch_selector(arena *a, const launch_params *p, bool with_selection) {
  gql_value *sel = ARENA_NEW(a, gql_value);
  sel->kind = GQL_VALUE_OBJECT;
  sel->fields = ARENA_ARRAY(a, gql_object_field, 4);
  sel->fields[sel->n_fields++] =
      (gql_object_field){.name = "pipelineName", .value = string_value(a, p->job_name)};
  sel->fields[sel->n_fields++] =
      (gql_object_field){.name = "repositoryName", .value = string_value(a, p->repository_name)};
  sel->fields[sel->n_fields++] = (gql_object_field){.name = "repositoryLocationName",
                                                    .value = string_value(a, p->location_name)};
  if (with_selection && p->n_selection) {
    gql_value *list = ARENA_NEW(a, gql_value);
    list->kind = GQL_VALUE_LIST;
    list->items = ARENA_ARRAY(a, gql_value *, p->n_selection);
    for (size_t i = 0; i < p->n_selection; i++)
      list->items[list->n_items++] = string_value(a, p->selection[i]);
    sel->fields[sel->n_fields++] = (gql_object_field){.name = "solidSelection", .value = list};
  }
  return sel;
}

/* Reads the selector's names and op selection. Dagster takes pipelineName
 * or (when it is empty) jobName; with neither its selector's check fails. */
static bool read_selector(const gql_resolve_info *info, const gql_value *selector, launch_params *p,
                          gql_rv *failure) {
  const char *pipeline = api_value_string(selector, "pipelineName");
  p->job_name = pipeline && *pipeline ? pipeline : api_value_string(selector, "jobName");
  if (!p->job_name) {
    *failure = api_python_error(
        info, "Param \"job_name\" is not a str. Got None which is type <class 'NoneType'>.");
    return false;
  }
  p->repository_name = api_value_string(selector, "repositoryName");
  p->location_name = api_value_string(selector, "repositoryLocationName");
  const gql_value *sel = gql_value_field(selector, "solidSelection");
  if (sel && sel->kind == GQL_VALUE_LIST && sel->n_items) {
    const char **queries = ARENA_ARRAY(info->arena, const char *, sel->n_items);
    for (size_t i = 0; i < sel->n_items; i++)
      queries[i] = sel->items[i]->str;
    p->selection = queries;
    p->n_selection = sel->n_items;
  }
  return true;
}

static gql_rv conflicting(const gql_resolve_info *info, const char *param) {
  return api_error(info, "ConflictingExecutionParamsError",
                   arena_printf(info->arena,
                                "Invalid ExecutionParams. Cannot define %s when using a preset.",
                                param),
                   (const char *)NULL);
}

/* Applies the named preset as Dagster's create_execution_params: nothing
 * else may set the run config, mode or selection; the job must exist and
 * have the preset. */
static bool apply_preset(const gql_resolve_info *info, const gql_value *params, const char *name,
                         launch_params *p, gql_rv *failure) {
  if (api_value_truthy(gql_value_field(params, "runConfigData"))) {
    *failure = conflicting(info, "runConfigData");
    return false;
  }
  if (api_value_truthy(gql_value_field(params, "mode"))) {
    *failure = conflicting(info, "mode");
    return false;
  }
  if (p->n_selection) {
    *failure = conflicting(info, "selector.solid_selection");
    return false;
  }
  const api_container *c;
  if (!api_select_job(info, api_launch_selector(info->arena, p, false), &c, failure))
    return false;
  for (size_t i = 0; i < c->job->n_presets; i++) {
    const defs_preset *preset = &c->job->presets[i];
    if (strcmp(preset->name, name) == 0) {
      p->run_config = preset->run_config;
      p->selection = preset->op_selection;
      p->n_selection = preset->op_selection ? preset->n_op_selection : 0;
      return true;
    }
  }
  *failure =
      api_error(info, "PresetNotFoundError",
                arena_printf(info->arena, "Preset %s not found in pipeline %s.", name, p->job_name),
                "preset", name, (const char *)NULL);
  return false;
}

/* Moves the caller's tags that run_create would refuse but Dagster's
 * clients send with a re-execution out of p->tags: dagster/is_resume_retry
 * and dagster/step_selection into p->system_tags, and dagster/parent_run_id
 * and dagster/root_run_id when they repeat executionMetadata's ids (which
 * run_create tags the run with). Any other reserved tag stays, for
 * run_create to refuse. */
static void take_system_tags(arena *a, launch_params *p) {
  p->system_tags = ARENA_ARRAY(a, store_tag, p->n_tags + 1);
  size_t kept = 0;
  for (size_t i = 0; i < p->n_tags; i++) {
    const store_tag *t = &p->tags[i];
    const char *lineage = strcmp(t->key, "dagster/parent_run_id") == 0 ? p->parent_run_id
                          : strcmp(t->key, "dagster/root_run_id") == 0 ? p->root_run_id
                                                                       : NULL;
    if (lineage && strcmp(lineage, t->value) == 0)
      continue;
    if (strcmp(t->key, "dagster/is_resume_retry") == 0 ||
        strcmp(t->key, "dagster/step_selection") == 0)
      p->system_tags[p->n_system_tags++] = *t;
    else
      p->tags[kept++] = *t;
  }
  p->n_tags = kept;
}

/* ExecutionParams.stepKeys (an empty list is none, as Dagster's `if not
 * step_keys`). */
static void read_step_keys(arena *a, const gql_value *params, launch_params *p) {
  const gql_value *keys = gql_value_field(params, "stepKeys");
  if (!keys || keys->kind != GQL_VALUE_LIST || keys->n_items == 0)
    return;
  const char **out = ARENA_ARRAY(a, const char *, keys->n_items);
  for (size_t i = 0; i < keys->n_items; i++)
    out[i] = keys->items[i]->str;
  p->step_keys = out;
  p->n_step_keys = keys->n_items;
}

bool api_launch_read_params(const gql_resolve_info *info, const gql_value *params, launch_params *p,
                            gql_rv *failure) {
  memset(p, 0, sizeof *p);
  if (!read_selector(info, gql_value_field(params, "selector"), p, failure))
    return false;
  const char *preset_name = api_value_string(params, "preset");
  if (preset_name && *preset_name) {
    if (!apply_preset(info, params, preset_name, p, failure))
      return false;
  } else if (!read_run_config(info, gql_value_field(params, "runConfigData"), &p->run_config,
                              failure)) {
    return false;
  }
  const gql_value *metadata = gql_value_field(params, "executionMetadata");
  if (!read_tags(info, metadata, p, failure))
    return false;
  p->parent_run_id = api_value_string(metadata, "parentRunId");
  p->root_run_id = api_value_string(metadata, "rootRunId");
  take_system_tags(info->arena, p);
  read_step_keys(info->arena, params, p);
  return true;
}

/* ---- creating and launching --------------------------------------------- */

gql_rv api_launch_run_failure(const gql_resolve_info *info, const run_error *err) {
  if (err->code == RUN_ERR_CONFLICT)
    return api_error(info, "RunConflict", err->message, (const char *)NULL);
  return api_python_error(info, "%s", err->message);
}

gql_rv api_launch_reexecution_failure(const gql_resolve_info *info, const run_error *err) {
  const char *class_name = run_reexecution_error_class(err);
  if (!class_name)
    return api_launch_run_failure(info, err);
  return api_python_error_class(info, class_name, "%s", err->message);
}

static const char *system_tag(const launch_params *p, const char *key) {
  for (size_t i = 0; i < p->n_system_tags; i++)
    if (strcmp(p->system_tags[i].key, key) == 0)
      return p->system_tags[i].value;
  return NULL;
}

/* The parent run p names (NULL: none stored), into *parent; false with
 * *failure set when storage fails. */
static bool parent_of(const gql_resolve_info *info, run_instance *inst, const launch_params *p,
                      const store_run **parent, gql_rv *failure) {
  store_error se = {{0}};
  *parent =
      p->parent_run_id ? store_run_get(inst->store, p->parent_run_id, info->arena, &se) : NULL;
  if (!*parent && se.message[0]) {
    *failure = api_python_error(info, "%s", se.message);
    return false;
  }
  return true;
}

/* Dagster's build_resume_retry_reexecution for the older re-execution:
 * the parent must be named and stored, then run_steps_from_failure
 * decides (its refusals with their Dagster classes). */
static bool steps_from_failure(const gql_resolve_info *info, run_instance *inst,
                               const defs_plan *plan, const launch_params *p,
                               const char *const **keys, size_t *n, gql_rv *failure) {
  if (!p->parent_run_id) { /* Dagster's check.not_none of the parent run id */
    *failure = api_python_error_class(info, "CheckError", "Expected non-None value: None");
    return false;
  }
  const store_run *parent;
  if (!parent_of(info, inst, p, &parent, failure))
    return false;
  if (!parent) {
    *failure = api_python_error_class(info, "DagsterRunNotFoundError", "Run %s could not be found.",
                                      p->parent_run_id);
    return false;
  }
  run_error err = {0};
  if (run_steps_from_failure(inst->store, parent, plan, info->arena, keys, n, &err) != 0) {
    *failure = api_launch_reexecution_failure(info, &err);
    return false;
  }
  return true;
}

/* The steps the run executes (*keys NULL: all), as Dagster's
 * compute_step_keys_to_execute and then its plan's check of the keys;
 * false with *failure set. With stepKeys, a stored parent's ancestors
 * must all be stored (Dagster builds their known state); a parent that
 * is not stored is passed over, as Dagster does. */
static bool steps_to_execute(const gql_resolve_info *info, run_instance *inst,
                             const api_container *c, const launch_params *p,
                             const char *const **keys, size_t *n, gql_rv *failure) {
  *keys = p->step_keys;
  *n = p->n_step_keys;
  const char *resume = system_tag(p, "dagster/is_resume_retry");
  bool from_failure = !p->n_step_keys && resume && strcmp(resume, "true") == 0;
  if (!p->n_step_keys && !from_failure)
    return true;
  const defs_plan *plan = defs_plan_build(c->job, info->arena);
  if (from_failure)
    return steps_from_failure(info, inst, plan, p, keys, n, failure);
  const store_run *parent;
  if (!parent_of(info, inst, p, &parent, failure))
    return false;
  run_error err = {0};
  if (parent && run_check_ancestors(inst->store, parent, &err) != 0) {
    *failure = api_launch_reexecution_failure(info, &err);
    return false;
  }
  buf unknown;
  buf_init(&unknown, info->arena);
  size_t n_unknown = 0;
  for (size_t i = 0; i < p->n_step_keys; i++)
    if (!defs_plan_step(plan, p->step_keys[i]))
      buf_printf(&unknown, "%s%s", n_unknown++ ? ", " : "", p->step_keys[i]);
  if (n_unknown) {
    *failure = api_python_error_class(info, "DagsterExecutionStepNotFoundError",
                                      "Can not build subset plan from unknown step%s: %s",
                                      n_unknown > 1 ? "s" : "", buf_cstr(&unknown));
    return false;
  }
  return true;
}

gql_rv api_launch_create(const gql_resolve_info *info, run_instance *inst, const api_container *c,
                         const launch_params *p) {
  if (!p->parent_run_id != !p->root_run_id) /* DagsterRun's invariant */
    return api_python_error(info, "Invariant failed. Description: Must set both root_run_id and "
                                  "parent_run_id when creating a PipelineRun that belongs to a "
                                  "run group");
  gql_rv failure;
  const char *const *keys;
  size_t n_keys;
  if (!steps_to_execute(info, inst, c, p, &keys, &n_keys, &failure))
    return failure;
  run_new req = {
      .defs = c->loc->defs,
      .job = c->job,
      .location_name = c->loc->name,
      .run_config = p->run_config,
      .tags = p->tags,
      .n_tags = p->n_tags,
      .system_tags = p->system_tags,
      .n_system_tags = p->n_system_tags,
      .parent_run_id = p->parent_run_id,
      .root_run_id = p->root_run_id,
      .step_keys = keys,
      .n_step_keys = n_keys,
  };
  char run_id[37];
  run_error err = {0};
  if (run_create(inst, &req, run_id, &err) != 0 || run_submit(inst, run_id, &err) != 0)
    return api_launch_run_failure(info, &err);
  return api_launch_success(info, inst, run_id);
}

gql_rv api_launch_success(const gql_resolve_info *info, run_instance *inst, const char *run_id) {
  /* Read again: submitting moved it to QUEUED, STARTING (or FAILURE). */
  store_error se = {{0}};
  const store_run *run = store_run_get(inst->store, run_id, info->arena, &se);
  if (!run)
    return api_python_error(info, "%s",
                            se.message[0] ? se.message : "the launched run is no longer stored");
  return api_run_outcome_object(info, "LaunchRunSuccess", run, NULL);
}

static gql_rv mutation_launch_run(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  launch_params p;
  gql_rv result;
  if (!api_launch_read_params(info, gql_arg(info, "executionParams"), &p, &result))
    return result;
  if (((const api_context *)info->context)->read_only)
    return api_unauthorized(info);
  return api_launch_params(info, &p);
}

gql_rv api_launch_params(const gql_resolve_info *info, const launch_params *p) {
  gql_rv result;
  const api_container *c;
  if (!api_select_job(info, api_launch_selector(info->arena, p, true), &c, &result))
    return result;
  if (!api_run_config_check(info, api_request_registry(info), c, p->run_config, &result))
    return result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  return api_launch_create(info, inst, c, p);
}

/* ---- attaching --------------------------------------------------------------- */

static const api_resolver resolvers[] = {
    {"Mutation.launchRun", mutation_launch_run},
    {"Mutation.launchPipelineExecution", mutation_launch_run},
    {"LaunchRunSuccess.run", api_run_outcome_run},
};

/* The members of LaunchRunResult with nothing but scalars: JSON-backed.
 * (dagd answers neither InvalidStepError nor InvalidOutputError nor
 * NoModeProvidedError — an unknown step key is a PythonError, as in
 * Dagster now, and jobs have one mode — but they are members of Dagster's
 * union.) */
static const char *const json_types[] = {
    "RunConflict",         "PresetNotFoundError", "ConflictingExecutionParamsError",
    "NoModeProvidedError", "InvalidStepError",    "InvalidOutputError",
};

int api_launch_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_attach(s, resolvers, API_COUNT(resolvers), err, err_size) != 0 ||
      api_json_types(s, json_types, API_COUNT(json_types), err, err_size) != 0 ||
      api_reexecute_attach(s, err, err_size) != 0)
    return -1;
  return 0;
}
