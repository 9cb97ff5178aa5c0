/* config_types.c — the config side of the API: the ConfigType family and
 * its fields, a job's run config schema (Query.runConfigSchemaOrError),
 * run config validation with Dagster's error types (isPipelineConfigValid,
 * RunConfigSchema.isRunConfigValid) and execution plans
 * (executionPlanOrError).
 *
 * Backing objects: defs_config_type for every ConfigType (its GraphQL type
 * follows its kind), defs_config_field for ConfigTypeField,
 * defs_config_enum_value for EnumConfigValue, defs_config_error for the
 * validation errors and their EvaluationStack, defs_config_path_entry for
 * the stack entries, defs_plan / defs_step / defs_step_input / defs_io for
 * the plan, and two private records (run_config_schema, invalid_config)
 * below. Everything answers as Dagster's dagster-graphql answers for an
 * equivalent Python repository; where dagd differs by nature the comment
 * says so. */
#include <stdlib.h>
#include <string.h>

#include "api/objects.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/yaml.h"
#include "defs/plan.h"
#include "defs/run_config.h"
#include "graphql/values.h"

/* ---- small helpers ------------------------------------------------------- */

/* A list of n objects of one GraphQL type, the i-th around ptrs[i]. */
static gql_rv object_list(const gql_resolve_info *info, const void *const *ptrs, size_t n,
                          const char *type_name) {
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = api_object(info, ptrs[i], type_name);
  return list;
}

/* ConfigTypeField objects around each field. */
static gql_rv field_list(const gql_resolve_info *info, const defs_config_field *const *fields,
                         size_t n) {
  return object_list(info, (const void *const *)fields, n, "ConfigTypeField");
}

/* ---- config types --------------------------------------------------------- */

/* Dagster's to_config_type: the GraphQL type of a config type by its kind. */
static const char *config_type_name(defs_config_kind kind) {
  switch (kind) {
  case DEFS_CONFIG_ENUM:
    return "EnumConfigType";
  case DEFS_CONFIG_SELECTOR:
  case DEFS_CONFIG_STRICT_SHAPE:
  case DEFS_CONFIG_PERMISSIVE_SHAPE:
    return "CompositeConfigType";
  case DEFS_CONFIG_ARRAY:
    return "ArrayConfigType";
  case DEFS_CONFIG_MAP:
    return "MapConfigType";
  case DEFS_CONFIG_NONEABLE:
    return "NullableConfigType";
  case DEFS_CONFIG_SCALAR_UNION:
    return "ScalarUnionConfigType";
  case DEFS_CONFIG_ANY:
  case DEFS_CONFIG_SCALAR:
    break;
  }
  return "RegularConfigType";
}

static gql_rv config_type(const gql_resolve_info *info, const defs_config_type *t) {
  return api_object(info, t, config_type_name(t->kind));
}

/* The resolve_type hook of ConfigType and WrappingConfigType, for the other
 * areas that hand out a defs_config_type as the abstract type. */
static const gql_type *resolve_config_type(const gql_schema *s, const gql_type *abstract,
                                           const gql_rv *value, void *data) {
  (void)abstract;
  (void)data;
  const defs_config_type *t = value->kind == GQL_RV_OBJECT ? value->u.obj.ptr : NULL;
  return t ? gql_schema_type(s, config_type_name(t->kind)) : NULL;
}

static int by_key(const void *a, const void *b) {
  const defs_config_type *x = *(const defs_config_type *const *)a;
  const defs_config_type *y = *(const defs_config_type *const *)b;
  return strcmp(x->key, y->key);
}

/* The types (n of them, in an arena array that this sorts) as a list sorted
 * by key, each key once. */
static gql_rv config_type_list(const gql_resolve_info *info, const defs_config_type **types,
                               size_t n) {
  qsort(types, n, sizeof *types, by_key);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (k == 0 || strcmp(types[k - 1]->key, types[i]->key) != 0)
      types[k++] = types[i];
  gql_rv list = gql_rv_list(info->arena, k);
  for (size_t i = 0; i < k; i++)
    list.u.list.items[i] = config_type(info, types[i]);
  return list;
}

/* Dagster's type_param_keys: the closed generics' parameters (Array and
 * Noneable: the inner type; Map: key then value; ScalarUnion: scalar then
 * non-scalar). Returns the count (at most 2). */
static size_t type_params(const defs_config_type *t, const defs_config_type *out[2]) {
  switch (t->kind) {
  case DEFS_CONFIG_ARRAY:
  case DEFS_CONFIG_NONEABLE:
    out[0] = t->inner;
    return 1;
  case DEFS_CONFIG_MAP:
    out[0] = t->key_type;
    out[1] = t->inner;
    return 2;
  case DEFS_CONFIG_SCALAR_UNION:
    out[0] = t->scalar_type;
    out[1] = t->non_scalar_type;
    return 2;
  default:
    return 0;
  }
}

static gql_rv ct_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_type *)parent)->key);
}

static gql_rv ct_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_type *)parent)->description);
}

/* Every type below this one (Dagster's get_recursive_type_keys). Dagster
 * answers a Python set, whose order is arbitrary; dagd sorts by key. */
static gql_rv ct_recursive_config_types(const gql_resolve_info *info, const void *parent,
                                        void *data) {
  (void)data;
  const defs_config_type *t = parent;
  size_t n;
  const defs_config_type **all = defs_config_reachable(t, info->arena, &n);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (all[i] != t)
      all[k++] = all[i];
  return config_type_list(info, all, k);
}

static gql_rv ct_type_param_keys(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_type *params[2];
  size_t n = type_params(parent, params);
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = gql_rv_string(params[i]->key);
  return list;
}

static gql_rv ct_is_selector(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_bool(((const defs_config_type *)parent)->kind == DEFS_CONFIG_SELECTOR);
}

/* RegularConfigType and EnumConfigType.givenName; MapConfigType.keyLabelName
 * (Dagster keeps a Map's key label as its given_name). */
static gql_rv ct_given_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_type *)parent)->given_name);
}

/* Array and Noneable ofType, Map valueType. */
static gql_rv ct_inner(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return config_type(info, ((const defs_config_type *)parent)->inner);
}

static gql_rv ct_key_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return config_type(info, ((const defs_config_type *)parent)->key_type);
}

static gql_rv ct_scalar_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return config_type(info, ((const defs_config_type *)parent)->scalar_type);
}

static gql_rv ct_non_scalar_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return config_type(info, ((const defs_config_type *)parent)->non_scalar_type);
}

static gql_rv ct_scalar_type_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_type *)parent)->scalar_type->key);
}

static gql_rv ct_non_scalar_type_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_type *)parent)->non_scalar_type->key);
}

static gql_rv ct_values(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_type *t = parent;
  gql_rv list = gql_rv_list(info->arena, t->n_enum_values);
  for (size_t i = 0; i < t->n_enum_values; i++)
    list.u.list.items[i] = api_object(info, &t->enum_values[i], "EnumConfigValue");
  return list;
}

/* CompositeConfigType.fields: sorted by name, as Dagster sorts them. */
static gql_rv ct_fields(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_type *t = parent;
  return field_list(info, t->sorted_fields, t->n_fields);
}

static gql_rv enum_value(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_enum_value *)parent)->value);
}

static gql_rv enum_value_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_enum_value *)parent)->description);
}

/* ---- ConfigTypeField ------------------------------------------------------ */

static gql_rv field_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_field *)parent)->name);
}

static gql_rv field_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_field *)parent)->description);
}

static gql_rv field_config_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return config_type(info, ((const defs_config_field *)parent)->type);
}

static gql_rv field_config_type_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_field *)parent)->type->key);
}

static gql_rv field_is_required(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_bool(((const defs_config_field *)parent)->is_required);
}

/* json.dumps of the default when one is provided (given or implied). */
static gql_rv field_default_value_as_json(const gql_resolve_info *info, const void *parent,
                                          void *data) {
  (void)info, (void)data;
  const defs_config_field *f = parent;
  return gql_rv_string(f->default_provided ? f->default_json : NULL);
}

/* ---- run config arguments and validation --------------------------------- */

/* Reads the runConfigData argument as Dagster's parse_run_config_input:
 * NULL for an empty config; a string is YAML. A string that is not YAML is
 * a PythonError when raise_on_error (executionPlanOrError); otherwise it is
 * validated as the string it is (Dagster: "so that it will return a useful
 * validation error"). Returns false with *failure set on a PythonError. */
static bool run_config_arg(const gql_resolve_info *info, bool raise_on_error, const json_t **out,
                           gql_rv *failure) {
  *out = NULL;
  const gql_value *v = gql_arg(info, "runConfigData");
  if (!api_value_truthy(v))
    return true;
  const char *error;
  *out = api_run_config_arg(info, "runConfigData", &error);
  if (!error)
    return true;
  if (raise_on_error || v->kind != GQL_VALUE_STRING) {
    *failure = api_python_error(info, "%s", error);
    return false;
  }
  json_t *raw = json_stringn(v->str, v->str_len);
  if (!raw) /* not UTF-8: nothing useful to validate */
    raw = json_string("");
  *out = api_json_defer(info->arena, raw);
  return true;
}

/* RunConfigValidationInvalid: the job and its errors (in the request arena). */
typedef struct invalid_config {
  const char *pipeline_name;
  const defs_config_error *errors;
  size_t n_errors;
} invalid_config;

/* Dagster's GraphQL type of a validation error by its reason; NULL for the
 * reasons it has none for. */
static const char *error_type_name(defs_config_error_reason reason) {
  switch (reason) {
  case DEFS_CONFIG_RUNTIME_TYPE_MISMATCH:
    return "RuntimeMismatchConfigError";
  case DEFS_CONFIG_MISSING_REQUIRED_FIELD:
    return "MissingFieldConfigError";
  case DEFS_CONFIG_MISSING_REQUIRED_FIELDS:
    return "MissingFieldsConfigError";
  case DEFS_CONFIG_FIELD_NOT_DEFINED:
    return "FieldNotDefinedConfigError";
  case DEFS_CONFIG_FIELDS_NOT_DEFINED:
    return "FieldsNotDefinedConfigError";
  case DEFS_CONFIG_SELECTOR_FIELD_ERROR:
    return "SelectorTypeConfigError";
  case DEFS_CONFIG_FAILED_POST_PROCESSING:
  case DEFS_CONFIG_FIELD_ALIAS_COLLISION:
    break;
  }
  return NULL;
}

bool api_run_config_check(const gql_resolve_info *info, defs_config_registry *r,
                          const api_container *c, const json_t *run_config, gql_rv *failure) {
  defs_config_errors errs;
  defs_config_errors_init(&errs, info->arena);
  buf err;
  buf_init(&err, info->arena);
  json_t *resolved = defs_job_validate_run_config(r, c->loc->defs, c->job, run_config, &errs, &err);
  if (resolved) {
    json_decref(resolved);
    return true;
  }
  if (errs.count == 0) {
    *failure = api_python_error(info, "%s", buf_cstr(&err));
    return false;
  }
  for (size_t i = 0; i < errs.count; i++) {
    const defs_config_error *e = &errs.items[i];
    if (!error_type_name(e->reason)) {
      /* Dagster's from_dagster_error fails on these (check.failed). */
      *failure = api_python_error(info, "Failure condition: Error type not supported %s: %s",
                                  defs_config_error_reason_name(e->reason), e->message);
      return false;
    }
  }
  invalid_config *inv = ARENA_NEW(info->arena, invalid_config);
  inv->pipeline_name = c->job->name;
  inv->errors = errs.items;
  inv->n_errors = errs.count;
  *failure = api_object(info, inv, "RunConfigValidationInvalid");
  return false;
}

/* Validates the runConfigData argument (a string that is not YAML is a
 * PythonError when raise_on_error) with api_run_config_check. */
static bool validate(const gql_resolve_info *info, defs_config_registry *r, const api_container *c,
                     bool raise_on_error, gql_rv *failure) {
  const json_t *run_config;
  if (!run_config_arg(info, raise_on_error, &run_config, failure))
    return false;
  return api_run_config_check(info, r, c, run_config, failure);
}

/* PipelineConfigValidationValid, or the failure validate() set. */
static gql_rv validation_result(const gql_resolve_info *info, defs_config_registry *r,
                                const api_container *c) {
  gql_rv failure;
  if (!validate(info, r, c, false, &failure))
    return failure;
  return api_json(info, json_pack("{s:s, s:s}", "__typename", "PipelineConfigValidationValid",
                                  "pipelineName", c->job->name));
}

static gql_rv invalid_pipeline_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const invalid_config *)parent)->pipeline_name);
}

static gql_rv invalid_errors(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const invalid_config *inv = parent;
  gql_rv list = gql_rv_list(info->arena, inv->n_errors);
  for (size_t i = 0; i < inv->n_errors; i++) {
    const defs_config_error *e = &inv->errors[i];
    list.u.list.items[i] = api_object(info, e, error_type_name(e->reason));
  }
  return list;
}

/* ---- validation errors ---------------------------------------------------- */

static gql_rv error_message(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_error *)parent)->message);
}

/* Dagster's resolver answers an empty path for every error (the field is
 * kept only for old clients); the place is in the stack. */
static gql_rv error_path(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  return gql_rv_list(info->arena, 0);
}

static gql_rv error_stack(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_object(info, parent, "EvaluationStack");
}

static gql_rv error_reason(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(defs_config_error_reason_name(((const defs_config_error *)parent)->reason));
}

static gql_rv error_value_rep(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_error *)parent)->value_rep);
}

/* MissingFieldConfigError.field: the one missing field. */
static gql_rv error_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_object(info, ((const defs_config_error *)parent)->fields[0], "ConfigTypeField");
}

static gql_rv error_fields(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_error *e = parent;
  return field_list(info, e->fields, e->n_names);
}

static gql_rv error_field_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_error *)parent)->names[0]);
}

/* FieldsNotDefinedConfigError.fieldNames, SelectorTypeConfigError.incomingFields
 * (a selector given no field has no names: an empty list). */
static gql_rv error_names(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_error *e = parent;
  return e->n_names ? api_string_list(info, e->names, e->n_names) : gql_rv_list(info->arena, 0);
}

static const char *stack_entry_type_name(defs_config_path_kind kind) {
  switch (kind) {
  case DEFS_CONFIG_PATH_INDEX:
    return "EvaluationStackListItemEntry";
  case DEFS_CONFIG_PATH_MAP_KEY:
    return "EvaluationStackMapKeyEntry";
  case DEFS_CONFIG_PATH_MAP_VALUE:
    return "EvaluationStackMapValueEntry";
  case DEFS_CONFIG_PATH_FIELD:
    break;
  }
  return "EvaluationStackPathEntry";
}

static gql_rv stack_entries(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_error *e = parent;
  gql_rv list = gql_rv_list(info->arena, e->path_len);
  for (size_t i = 0; i < e->path_len; i++)
    list.u.list.items[i] = api_object(info, &e->path[i], stack_entry_type_name(e->path[i].kind));
  return list;
}

/* fieldName, and mapKey (a run config's map keys are JSON object keys:
 * always strings). */
static gql_rv entry_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_config_path_entry *)parent)->name);
}

static gql_rv entry_list_index(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_int((int64_t)((const defs_config_path_entry *)parent)->index);
}

/* ---- run config schemas ---------------------------------------------------- */

/* RunConfigSchema: a job's schema, built in the request's registry r. */
typedef struct run_config_schema {
  const api_container *job;
  defs_config_registry *r;
  const defs_config_type *root;
} run_config_schema;

/* The job a selector argument names, or false with *result the error. */
static bool selected_job(const gql_resolve_info *info, const char *arg, const api_container **c,
                         gql_rv *result) {
  return api_select_job(info, gql_arg(info, arg), c, result);
}

/* Query.runConfigSchemaOrError: Dagster refuses a mode other than the
 * default before it looks the job up. */
static gql_rv query_run_config_schema(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)parent, (void)data;
  const char *mode = api_arg_string(info, "mode");
  if (mode && *mode && strcmp(mode, "default") != 0) {
    const char *job = api_value_string(gql_arg(info, "selector"), "pipelineName");
    return api_error(
        info, "ModeNotFoundError",
        arena_printf(info->arena, "Mode %s not found in pipeline %s.", mode, job ? job : ""),
        "mode", mode, (const char *)NULL);
  }
  const api_container *c;
  gql_rv result;
  if (!selected_job(info, "selector", &c, &result))
    return result;
  run_config_schema *rcs = ARENA_NEW(info->arena, run_config_schema);
  rcs->job = c;
  rcs->r = api_request_registry(info);
  buf err;
  buf_init(&err, info->arena);
  rcs->root = defs_job_run_config_schema(rcs->r, c->loc->defs, c->job, &err);
  if (!rcs->root)
    return api_python_error(info, "%s", buf_cstr(&err));
  return api_object(info, rcs, "RunConfigSchema");
}

static gql_rv rcs_root_config_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return config_type(info, ((const run_config_schema *)parent)->root);
}

/* Appends t and every type below it to *all (growing it in the arena). */
static void add_reachable(const gql_resolve_info *info, const defs_config_type *t,
                          const defs_config_type ***all, size_t *n, size_t *cap) {
  if (!t)
    return;
  size_t k;
  const defs_config_type **below = defs_config_reachable(t, info->arena, &k);
  if (*n + k > *cap) {
    size_t grown = (*n + k) * 2;
    *all = arena_realloc(info->arena, *all, *cap * sizeof **all, grown * sizeof **all);
    *cap = grown;
  }
  memcpy(*all + *n, below, k * sizeof *below);
  *n += k;
}

/* Adds the loader schemas of the Dagster types of every input and output
 * of the nodes, at any depth. */
static void add_io_loaders(const gql_resolve_info *info, defs_config_registry *r,
                           const defs_node *nodes, size_t n_nodes, const defs_config_type ***all,
                           size_t *n, size_t *cap) {
  for (size_t i = 0; i < n_nodes; i++) {
    size_t n_in, n_out;
    const defs_io *ins = defs_node_inputs(&nodes[i], &n_in);
    const defs_io *outs = defs_node_outputs(&nodes[i], &n_out);
    for (size_t k = 0; k < n_in; k++)
      add_reachable(info, defs_type_loader_schema(r, ins[k].type, NULL), all, n, cap);
    for (size_t k = 0; k < n_out; k++)
      add_reachable(info, defs_type_loader_schema(r, outs[k].type, NULL), all, n, cap);
    if (nodes[i].graph)
      add_io_loaders(info, r, nodes[i].graph->nodes, nodes[i].graph->n_nodes, all, n, cap);
  }
}

/* Every type of the job's config schema snapshot, sorted by key, as
 * Dagster's snapshot holds them: the built-ins (Any, Bool, Float, Int,
 * String), every type below the root, and the loader schemas of the
 * built-in Dagster types and of every Dagster type the job's ops use (wired
 * inputs included). */
static gql_rv rcs_all_config_types(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const run_config_schema *rcs = parent;
  size_t n = 0, cap = 0;
  const defs_config_type **all = NULL;
  add_reachable(info, rcs->root, &all, &n, &cap);
  static const defs_type_kind builtin_kinds[] = {DEFS_TYPE_ANY, DEFS_TYPE_BOOL, DEFS_TYPE_FLOAT,
                                                 DEFS_TYPE_INT, DEFS_TYPE_STRING};
  for (size_t i = 0; i < API_COUNT(builtin_kinds); i++) {
    defs_type t = {.kind = builtin_kinds[i]};
    add_reachable(info, defs_type_loader_schema(rcs->r, &t, NULL), &all, &n, &cap);
  }
  add_reachable(info, defs_config_any(), &all, &n, &cap);
  for (int k = DEFS_CONFIG_INT; k <= DEFS_CONFIG_BOOL; k++)
    add_reachable(info, defs_config_scalar((defs_config_scalar_kind)k), &all, &n, &cap);
  const defs_job *job = rcs->job->job;
  add_io_loaders(info, rcs->r, job->nodes, job->n_nodes, &all, &n, &cap);
  return config_type_list(info, all, n);
}

static gql_rv rcs_is_run_config_valid(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)data;
  const run_config_schema *rcs = parent;
  return validation_result(info, rcs->r, rcs->job);
}

/* Dagster's default_values_from_type_snap: per field (in name order) its
 * default when one is provided, else for a field whose type has fields,
 * that type's defaults. A new object. */
static json_t *type_defaults(const defs_config_type *t) {
  json_t *o = json_object();
  if (!defs_config_kind_has_fields(t->kind))
    return o;
  for (size_t i = 0; i < t->n_fields; i++) {
    const defs_config_field *f = t->sorted_fields[i];
    if (f->default_provided)
      json_object_set_new(o, f->name, json_deep_copy(f->default_value));
    else if (defs_config_kind_has_fields(f->type->kind) && f->type->n_fields > 0)
      json_object_set_new(o, f->name, type_defaults(f->type));
  }
  return o;
}

/* Dagster's _filter_empty_dicts: objects lose, recursively, their None
 * values and empty objects. A new value. */
static json_t *without_empties(const json_t *v) {
  if (!json_is_object(v))
    return json_deep_copy(v);
  json_t *o = json_object();
  const char *k;
  const json_t *child;
  json_object_foreach((json_t *)v, k, child) {
    json_t *c = without_empties(child);
    if (json_is_null(c) || (json_is_object(c) && json_object_size(c) == 0))
      json_decref(c);
    else
      json_object_set_new(o, k, c);
  }
  return o;
}

/* Dagster's default_values_yaml_from_type_snap over the root: the defaults
 * without empties; the default executor's config dropped when it is the
 * sentinel `{multiprocess: {max_concurrent: 0}}` (Dagster strips it as
 * confusing, for the executor schema dagd shares); `ops` and `resources`
 * first; written by dump_run_config_yaml(sort_keys=False). */
static gql_rv rcs_root_default_yaml(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const run_config_schema *rcs = parent;
  json_t *defaults = type_defaults(rcs->root);
  json_t *filtered = without_empties(defaults);
  json_decref(defaults);
  json_t *sentinel = json_pack("{s:{s:{s:i}}}", "config", "multiprocess", "max_concurrent", 0);
  if (json_equal(json_object_get(filtered, "execution"), sentinel))
    json_object_del(filtered, "execution");
  json_decref(sentinel);
  json_t *ordered = json_object();
  static const char *const first[] = {"ops", "resources"};
  for (size_t i = 0; i < 2; i++) {
    json_t *v = json_object_get(filtered, first[i]);
    if (v)
      json_object_set(ordered, first[i], v);
  }
  const char *k;
  json_t *v;
  json_object_foreach(filtered, k, v) {
    if (!json_object_get(ordered, k))
      json_object_set(ordered, k, v);
  }
  buf out;
  buf_init(&out, info->arena);
  yaml_emit_json(&out, ordered, YAML_EMIT_ALLOW_UNICODE | YAML_EMIT_DAGSTER);
  json_decref(ordered);
  json_decref(filtered);
  return gql_rv_string(buf_cstr(&out));
}

/* Query.isPipelineConfigValid: the mode is not looked at (Dagster ignores it). */
static gql_rv query_is_pipeline_config_valid(const gql_resolve_info *info, const void *parent,
                                             void *data) {
  (void)parent, (void)data;
  const api_container *c;
  gql_rv result;
  if (!selected_job(info, "pipeline", &c, &result))
    return result;
  return validation_result(info, api_request_registry(info), c);
}

/* ---- execution plans ------------------------------------------------------- */

/* Query.executionPlanOrError: the run config must be valid (mode ignored,
 * as Dagster does); then the plan. */
static gql_rv query_execution_plan(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  const api_container *c;
  gql_rv result;
  if (!selected_job(info, "pipeline", &c, &result))
    return result;
  if (!validate(info, api_request_registry(info), c, true, &result))
    return result;
  return api_object(info, defs_plan_build(c->job, info->arena), "ExecutionPlan");
}

static gql_rv plan_steps(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_plan *p = parent;
  gql_rv list = gql_rv_list(info->arena, p->n_steps);
  for (size_t i = 0; i < p->n_steps; i++)
    list.u.list.items[i] = api_object(info, &p->steps[i], "ExecutionStep");
  return list;
}

/* Dagster: whether the IO manager persists outputs. dagd always writes
 * step outputs to files, so they persist. */
static gql_rv plan_artifacts_persisted(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_bool(true);
}

/* key, and solidHandleID (a step's key is its op node's handle). */
static gql_rv step_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_step *)parent)->key);
}

static gql_rv step_kind(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_string("COMPUTE");
}

static int input_by_name(const void *a, const void *b) {
  const defs_step_input *x = *(const defs_step_input *const *)a;
  const defs_step_input *y = *(const defs_step_input *const *)b;
  return strcmp(x->input->name, y->input->name);
}

static int io_by_name(const void *a, const void *b) {
  return strcmp((*(const defs_io *const *)a)->name, (*(const defs_io *const *)b)->name);
}

static int pair_by_key(const void *a, const void *b) {
  return strcmp(((const defs_pair *)a)->key, ((const defs_pair *)b)->key);
}

/* Pointers to the n items (each size bytes) of an array, sorted with cmp:
 * the snapshot's orders (inputs and outputs by name). */
static const void **sorted_refs(arena *a, const void *items, size_t n, size_t size,
                                int (*cmp)(const void *, const void *)) {
  const void **refs = ARENA_ARRAY(a, const void *, n);
  for (size_t i = 0; i < n; i++)
    refs[i] = (const char *)items + i * size;
  qsort(refs, n, sizeof *refs, cmp);
  return refs;
}

static gql_rv step_inputs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_step *s = parent;
  const void **in =
      sorted_refs(info->arena, s->inputs, s->n_inputs, sizeof *s->inputs, input_by_name);
  return object_list(info, in, s->n_inputs, "ExecutionStepInput");
}

static gql_rv step_outputs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_op *op = ((const defs_step *)parent)->node->op;
  const void **out =
      sorted_refs(info->arena, op->outputs, op->n_outputs, sizeof *op->outputs, io_by_name);
  return object_list(info, out, op->n_outputs, "ExecutionStepOutput");
}

/* The step's tags (the op's), sorted by key, as Dagster's metadata items. */
static gql_rv step_metadata(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_op *op = ((const defs_step *)parent)->node->op;
  defs_pair *tags = ARENA_ARRAY(info->arena, defs_pair, op->n_tags + 1);
  if (op->n_tags)
    memcpy(tags, op->tags, op->n_tags * sizeof *tags);
  qsort(tags, op->n_tags, sizeof *tags, pair_by_key);
  return api_pairs_list(info, tags, op->n_tags, "MetadataItemDefinition");
}

static gql_rv step_input_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_step_input *)parent)->input->name);
}

/* The steps of the upstream outputs, one per source in order (Dagster's
 * upstream_step_keys: a fan-in from two outputs of one step names it twice). */
static gql_rv step_input_depends_on(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_step_input *in = parent;
  gql_rv list = gql_rv_list(info->arena, in->n_sources);
  for (size_t i = 0; i < in->n_sources; i++)
    list.u.list.items[i] = api_object(info, in->sources[i].step, "ExecutionStep");
  return list;
}

static gql_rv step_output_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const defs_io *)parent)->name);
}

/* ---- attaching ------------------------------------------------------------- */

/* The ConfigType fields every concrete config type has. */
static const char *const config_type_names[] = {
    "ArrayConfigType",   "CompositeConfigType",   "EnumConfigType", "NullableConfigType",
    "RegularConfigType", "ScalarUnionConfigType", "MapConfigType"};
static const api_resolver config_type_common[] = {
    {"key", ct_key},
    {"description", ct_description},
    {"recursiveConfigTypes", ct_recursive_config_types},
    {"typeParamKeys", ct_type_param_keys},
    {"isSelector", ct_is_selector},
};

/* The PipelineConfigValidationError fields every error type has. */
static const char *const error_type_names[] = {
    "RuntimeMismatchConfigError", "MissingFieldConfigError",     "MissingFieldsConfigError",
    "FieldNotDefinedConfigError", "FieldsNotDefinedConfigError", "SelectorTypeConfigError"};
static const api_resolver error_common[] = {
    {"message", error_message},
    {"path", error_path},
    {"stack", error_stack},
    {"reason", error_reason},
};

static const api_resolver resolvers[] = {
    {"RegularConfigType.givenName", ct_given_name},
    {"EnumConfigType.givenName", ct_given_name},
    {"EnumConfigType.values", ct_values},
    {"EnumConfigValue.value", enum_value},
    {"EnumConfigValue.description", enum_value_description},
    {"ArrayConfigType.ofType", ct_inner},
    {"NullableConfigType.ofType", ct_inner},
    {"MapConfigType.keyType", ct_key_type},
    {"MapConfigType.valueType", ct_inner},
    {"MapConfigType.keyLabelName", ct_given_name},
    {"ScalarUnionConfigType.scalarType", ct_scalar_type},
    {"ScalarUnionConfigType.nonScalarType", ct_non_scalar_type},
    {"ScalarUnionConfigType.scalarTypeKey", ct_scalar_type_key},
    {"ScalarUnionConfigType.nonScalarTypeKey", ct_non_scalar_type_key},
    {"CompositeConfigType.fields", ct_fields},
    {"ConfigTypeField.name", field_name},
    {"ConfigTypeField.description", field_description},
    {"ConfigTypeField.configType", field_config_type},
    {"ConfigTypeField.configTypeKey", field_config_type_key},
    {"ConfigTypeField.isRequired", field_is_required},
    {"ConfigTypeField.defaultValueAsJson", field_default_value_as_json},
    {"Query.runConfigSchemaOrError", query_run_config_schema},
    {"Query.isPipelineConfigValid", query_is_pipeline_config_valid},
    {"Query.executionPlanOrError", query_execution_plan},
    {"RunConfigSchema.rootConfigType", rcs_root_config_type},
    {"RunConfigSchema.allConfigTypes", rcs_all_config_types},
    {"RunConfigSchema.isRunConfigValid", rcs_is_run_config_valid},
    {"RunConfigSchema.rootDefaultYaml", rcs_root_default_yaml},
    {"RunConfigValidationInvalid.pipelineName", invalid_pipeline_name},
    {"RunConfigValidationInvalid.errors", invalid_errors},
    {"RuntimeMismatchConfigError.valueRep", error_value_rep},
    {"MissingFieldConfigError.field", error_field},
    {"MissingFieldsConfigError.fields", error_fields},
    {"FieldNotDefinedConfigError.fieldName", error_field_name},
    {"FieldsNotDefinedConfigError.fieldNames", error_names},
    {"SelectorTypeConfigError.incomingFields", error_names},
    {"EvaluationStack.entries", stack_entries},
    {"EvaluationStackPathEntry.fieldName", entry_name},
    {"EvaluationStackListItemEntry.listIndex", entry_list_index},
    {"EvaluationStackMapKeyEntry.mapKey", entry_name},
    {"EvaluationStackMapValueEntry.mapKey", entry_name},
    {"ExecutionPlan.steps", plan_steps},
    {"ExecutionPlan.artifactsPersisted", plan_artifacts_persisted},
    {"ExecutionStep.key", step_key},
    {"ExecutionStep.solidHandleID", step_key},
    {"ExecutionStep.kind", step_kind},
    {"ExecutionStep.inputs", step_inputs},
    {"ExecutionStep.outputs", step_outputs},
    {"ExecutionStep.metadata", step_metadata},
    {"ExecutionStepInput.name", step_input_name},
    {"ExecutionStepInput.dependsOn", step_input_depends_on},
    {"ExecutionStepOutput.name", step_output_name},
};

/* The one JSON-backed record of this area (ModeNotFoundError and
 * MetadataItemDefinition are jobs.c's). */
static const char *const config_json_types[] = {"PipelineConfigValidationValid"};

static const char *const config_type_abstract[] = {"ConfigType", "WrappingConfigType"};

int api_config_types_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_attach_common(s, config_type_names, API_COUNT(config_type_names), config_type_common,
                        API_COUNT(config_type_common), err, err_size) != 0 ||
      api_attach_common(s, error_type_names, API_COUNT(error_type_names), error_common,
                        API_COUNT(error_common), err, err_size) != 0 ||
      api_attach(s, resolvers, API_COUNT(resolvers), err, err_size) != 0 ||
      api_resolve_types(s, config_type_abstract, API_COUNT(config_type_abstract),
                        resolve_config_type, err, err_size) != 0 ||
      api_json_types(s, config_json_types, API_COUNT(config_json_types), err, err_size) != 0)
    return -1;
  return 0;
}
