/* run_config.c — composes a job's run config schema from its nodes, the
 * repository's resources, Dagster's default executor and console logger
 * (see run_config.h for the shape), validates run configs against it and
 * writes the job's default run config as YAML.
 *
 * Every type is built through config.h's constructors, which copy their
 * field specs and defaults, so the specs here live on the stack or in a
 * scratch arena and default values are released right after use. */
#include "defs/run_config.h"

#include <string.h>

#include "base/arena.h"
#include "base/yaml.h"

/* Dagster's descriptions, hashed into the keys: they must stay verbatim. */
#define DESC_EXECUTION "Configure how steps are executed within a run."
#define DESC_LOGGERS "Configure how loggers emit messages within a run."
#define DESC_OPS "Configure runtime parameters for ops or assets."
#define DESC_RESOURCES "Configure how shared resources are implemented within a run."
#define DESC_IO_MANAGER                                                                            \
  "Built-in filesystem IO manager that stores and retrieves values using pickling."
#define DESC_RETRIES "Whether retries are enabled or not. By default, retries are enabled."

static const defs_config_alias ops_alias[] = {{"ops", "solids"}};

/* A building session: the registry, the error sink, and a scratch arena
 * for field spec arrays. */
typedef struct builder {
  defs_config_registry *r;
  buf *err;
  arena *scratch;
} builder;

static defs_config_field_spec field(const char *name, const defs_config_type *t,
                                    defs_config_required req, const char *desc) {
  return (defs_config_field_spec){.name = name, .type = t, .required = req, .description = desc};
}

/* A field with a default given as JSON text (parsed, used, released). */
static const defs_config_type *shape_with_default(builder *b, defs_config_field_spec *fields,
                                                  size_t n, size_t def_index,
                                                  const char *default_json, const char *desc) {
  json_t *def = json_loads(default_json, JSON_DECODE_ANY, NULL);
  fields[def_index].default_value = def;
  const defs_config_type *t = defs_config_shape(b->r, fields, n, desc, NULL, 0, b->err);
  json_decref(def);
  return t;
}

static const defs_config_type *plain_shape(builder *b, const defs_config_field_spec *fields,
                                           size_t n) {
  return defs_config_shape(b->r, fields, n, NULL, NULL, 0, b->err);
}

/* ---- execution ---------------------------------------------------------- */

/* Dagster's multi_or_in_process_executor config, wrapped as
 * `{config: Selector(in_process | multiprocess)}` defaulting to multiprocess. */
static const defs_config_type *execution_type(builder *b) {
  const defs_config_type *str = defs_config_scalar(DEFS_CONFIG_STRING);
  const defs_config_type *empty = plain_shape(b, NULL, 0);
  if (!empty)
    return NULL;
  defs_config_field_spec rf[] = {field("disabled", empty, DEFS_CONFIG_REQUIRED_INFER, NULL),
                                 field("enabled", empty, DEFS_CONFIG_REQUIRED_INFER, NULL)};
  const defs_config_type *retries = defs_config_selector(b->r, rf, 2, NULL, b->err);
  const defs_config_type *modules = defs_config_array(b->r, str, b->err);
  if (!retries || !modules)
    return NULL;
  defs_config_field_spec ff[] = {
      field("preload_modules", modules, DEFS_CONFIG_REQUIRED_NO,
            "Explicitly specify the modules to preload in the forkserver. Otherwise, there are two "
            "cases for default values if modules are not specified. If the Dagster job was loaded "
            "from a module, the same module will be preloaded. If not, the `dagster` module is "
            "preloaded.")};
  const defs_config_type *fork = plain_shape(b, ff, 1);
  if (!fork)
    return NULL;
  defs_config_field_spec sf[] = {
      field("forkserver", fork, DEFS_CONFIG_REQUIRED_INFER,
            "Configure the multiprocess executor to start subprocesses using `forkserver`."),
      field("spawn", empty, DEFS_CONFIG_REQUIRED_INFER,
            "Configure the multiprocess executor to start subprocesses using `spawn`.")};
  const defs_config_type *start = defs_config_selector(b->r, sf, 2, NULL, b->err);
  if (!start)
    return NULL;
  defs_config_field_spec inf[] = {
      field("marker_to_close", str, DEFS_CONFIG_REQUIRED_NO, "[DEPRECATED]"),
      field("retries", retries, DEFS_CONFIG_REQUIRED_INFER, DESC_RETRIES)};
  const defs_config_type *in_process = shape_with_default(b, inf, 2, 1, "{\"enabled\":{}}", NULL);
  defs_config_field_spec mpf[] = {
      field("max_concurrent", defs_config_scalar(DEFS_CONFIG_INT), DEFS_CONFIG_REQUIRED_INFER,
            "The number of processes that may run concurrently. By default, this is set to be "
            "the return value of `multiprocessing.cpu_count()`."),
      field("retries", retries, DEFS_CONFIG_REQUIRED_INFER, DESC_RETRIES),
      field("start_method", start, DEFS_CONFIG_REQUIRED_NO,
            "Select how subprocesses are created. By default, `spawn` is selected. See "
            "https://docs.python.org/3/library/multiprocessing.html#contexts-and-start-methods.")};
  json_t *zero = json_integer(0);
  mpf[0].default_value = zero;
  const defs_config_type *multi = shape_with_default(b, mpf, 3, 1, "{\"enabled\":{}}", NULL);
  json_decref(zero);
  if (!in_process || !multi)
    return NULL;
  defs_config_field_spec ef[] = {field("in_process", in_process, DEFS_CONFIG_REQUIRED_INFER,
                                       "Execute all steps in a single process."),
                                 field("multiprocess", multi, DEFS_CONFIG_REQUIRED_INFER,
                                       "Execute each step in an individual process.")};
  const defs_config_type *executors = defs_config_selector(b->r, ef, 2, NULL, b->err);
  if (!executors)
    return NULL;
  defs_config_field_spec cf[] = {field("config", executors, DEFS_CONFIG_REQUIRED_INFER, NULL)};
  return shape_with_default(b, cf, 1, 0, "{\"multiprocess\":{}}", NULL);
}

/* ---- loggers -------------------------------------------------------------- */

/* Dagster's console logger: `{console?: {config: {log_level, name}}}`. */
static const defs_config_type *loggers_type(builder *b) {
  const defs_config_type *str = defs_config_scalar(DEFS_CONFIG_STRING);
  json_t *info = json_string("INFO"), *dagster = json_string("dagster");
  defs_config_field_spec lf[] = {
      field("log_level", str, DEFS_CONFIG_REQUIRED_INFER, "The logger's threshold."),
      field("name", str, DEFS_CONFIG_REQUIRED_INFER, "The name of your logger.")};
  lf[0].default_value = info;
  lf[1].default_value = dagster;
  const defs_config_type *cfg = plain_shape(b, lf, 2);
  json_decref(info);
  json_decref(dagster);
  if (!cfg)
    return NULL;
  defs_config_field_spec cf[] = {
      field("config", cfg, DEFS_CONFIG_REQUIRED_INFER, "The default colored console logger.")};
  const defs_config_type *console = plain_shape(b, cf, 1);
  if (!console)
    return NULL;
  defs_config_field_spec f[] = {field("console", console, DEFS_CONFIG_REQUIRED_NO, NULL)};
  return plain_shape(b, f, 1);
}

/* ---- resources ------------------------------------------------------------ */

/* A configurable definition's config field (Dagster's config_field): its
 * schema as written, or Any, optional, when it has none. */
static defs_config_field_spec config_field(const defs_config_schema *s) {
  if (!s)
    return field("config", defs_config_any(), DEFS_CONFIG_REQUIRED_NO, NULL);
  defs_config_field_spec f = field("config", s->type, s->required, NULL);
  f.default_value = s->default_value;
  return f;
}

/* Whether an op among the nodes, at any depth of graphs, requires the
 * resource. */
static bool nodes_require_resource(const defs_node *nodes, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++) {
    const defs_graph *g = nodes[i].graph;
    if (g && nodes_require_resource(g->nodes, g->n_nodes, name))
      return true;
    const defs_op *op = nodes[i].op;
    for (size_t k = 0; op && k < op->n_required_resources; k++)
      if (strcmp(op->required_resources[k], name) == 0)
        return true;
  }
  return false;
}

static const defs_config_type *resources_type(builder *b, const defs_definitions *d,
                                              const defs_job *job) {
  size_t n = d->n_resources + 1;
  defs_config_field_spec *f = arena_calloc(b->scratch, n * sizeof *f);
  size_t k = 0;
  if (!defs_find_resource(d, "io_manager")) {
    defs_config_field_spec c = config_field(NULL);
    const defs_config_type *io = plain_shape(b, &c, 1);
    if (!io)
      return NULL;
    f[k++] = field("io_manager", io, DEFS_CONFIG_REQUIRED_INFER, DESC_IO_MANAGER);
  }
  for (size_t i = 0; i < d->n_resources; i++) {
    const defs_resource *res = &d->resources[i];
    defs_config_field_spec c = config_field(res->config);
    const defs_config_type *t = plain_shape(b, &c, 1);
    if (!t)
      return NULL;
    /* Dagster: a resource no op of the job requires is explicitly optional. */
    f[k++] = field(res->name, t,
                   nodes_require_resource(job->nodes, job->n_nodes, res->name)
                       ? DEFS_CONFIG_REQUIRED_INFER
                       : DEFS_CONFIG_REQUIRED_NO,
                   res->description);
  }
  return plain_shape(b, f, k);
}

/* ---- ops ------------------------------------------------------------------ */

/* The config schema of Dagster's loader for values of this type; NULL when
 * the type has none (Nothing, or a list/nullable of Nothing). */
static const defs_config_type *loader_type(builder *b, const defs_type *t, bool *failed) {
  switch (t->kind) {
  case DEFS_TYPE_NOTHING:
    return NULL;
  case DEFS_TYPE_LIST:
  case DEFS_TYPE_NULLABLE: {
    const defs_config_type *inner = loader_type(b, t->inner, failed);
    if (!inner)
      return NULL;
    const defs_config_type *r = t->kind == DEFS_TYPE_LIST
                                    ? defs_config_array(b->r, inner, b->err)
                                    : defs_config_noneable(b->r, inner, b->err);
    *failed |= r == NULL;
    return r;
  }
  default:
    break;
  }
  const defs_config_type *value;
  switch (t->kind) {
  case DEFS_TYPE_INT:
    value = defs_config_scalar(DEFS_CONFIG_INT);
    break;
  case DEFS_TYPE_FLOAT:
    value = defs_config_scalar(DEFS_CONFIG_FLOAT);
    break;
  case DEFS_TYPE_STRING:
    value = defs_config_scalar(DEFS_CONFIG_STRING);
    break;
  case DEFS_TYPE_BOOL:
    value = defs_config_scalar(DEFS_CONFIG_BOOL);
    break;
  default:
    value = defs_config_any();
    break;
  }
  defs_config_field_spec pf[] = {
      field("path", defs_config_scalar(DEFS_CONFIG_STRING), DEFS_CONFIG_REQUIRED_INFER, NULL)};
  const defs_config_type *path = plain_shape(b, pf, 1);
  const defs_config_type *sel = NULL;
  if (path) {
    defs_config_field_spec sf[] = {field("value", value, DEFS_CONFIG_REQUIRED_INFER, NULL),
                                   field("json", path, DEFS_CONFIG_REQUIRED_INFER, NULL),
                                   field("pickle", path, DEFS_CONFIG_REQUIRED_INFER, NULL)};
    sel = defs_config_selector(b->r, sf, 3, NULL, b->err);
  }
  const defs_config_type *r = sel;
  if (sel && value != defs_config_any())
    r = defs_config_scalar_union(b->r, value, sel, b->err);
  *failed |= r == NULL;
  return r;
}

/* The `inputs` Shape of a node (its unconnected, loadable inputs), or NULL
 * with *failed unset when it has none. An input is connected when wired to
 * upstream outputs or, inside a graph, mapped from the graph's input
 * (Dagster's input_has_upstream). */
static const defs_config_type *inputs_type(builder *b, const defs_node *node, bool *failed) {
  size_t n;
  const defs_io *ins = defs_node_inputs(node, &n);
  defs_config_field_spec *f = arena_calloc(b->scratch, (n + 1) * sizeof *f);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (node->inputs[i].n_sources > 0 || node->inputs[i].graph_input)
      continue;
    const defs_config_type *t = loader_type(b, ins[i].type, failed);
    if (*failed)
      return NULL;
    if (t) /* no input defaults in dagd: a loadable input is required */
      f[k++] = field(ins[i].name, t, DEFS_CONFIG_REQUIRED_YES, NULL);
  }
  if (k == 0)
    return NULL;
  const defs_config_type *t = plain_shape(b, f, k);
  *failed |= t == NULL;
  return t;
}

static const defs_config_type *ops_type(builder *b, const defs_node *nodes, size_t n);

/* A node's Shape (Dagster's define_isolid_field): `inputs` when it has
 * unconnected loadable inputs, then for an op its `config`, for a graph
 * (dagd's graphs have no config mapping) `ops`, its inner nodes' Shapes. */
static const defs_config_type *node_type(builder *b, const defs_node *node) {
  defs_config_field_spec f[2];
  size_t k = 0;
  if (node->graph) {
    const defs_config_type *inner = ops_type(b, node->graph->nodes, node->graph->n_nodes);
    if (!inner)
      return NULL;
    f[k++] = field("ops", inner, DEFS_CONFIG_REQUIRED_INFER, NULL);
  } else
    f[k++] = config_field(node->op->config);
  bool failed = false;
  const defs_config_type *inputs = inputs_type(b, node, &failed);
  if (failed)
    return NULL;
  if (inputs)
    f[k++] = field("inputs", inputs, DEFS_CONFIG_REQUIRED_INFER, NULL);
  return defs_config_shape(b->r, f, k, NULL, ops_alias, 1, b->err);
}

/* The `ops` Shape: one field per node. */
static const defs_config_type *ops_type(builder *b, const defs_node *nodes, size_t n) {
  defs_config_field_spec *f = arena_calloc(b->scratch, (n + 1) * sizeof *f);
  for (size_t i = 0; i < n; i++) {
    const defs_config_type *t = node_type(b, &nodes[i]);
    if (!t)
      return NULL;
    f[i] = field(nodes[i].name, t, DEFS_CONFIG_REQUIRED_INFER, NULL);
  }
  return defs_config_shape(b->r, f, n, NULL, ops_alias, 1, b->err);
}

/* ---- the root ------------------------------------------------------------- */

const defs_config_type *defs_job_run_config_schema(defs_config_registry *r,
                                                   const defs_definitions *d, const defs_job *job,
                                                   buf *err) {
  builder b = {.r = r, .err = err, .scratch = arena_new(0)};
  const defs_config_type *root = NULL;
  const defs_config_type *execution = execution_type(&b);
  const defs_config_type *loggers = execution ? loggers_type(&b) : NULL;
  const defs_config_type *ops = loggers ? ops_type(&b, job->nodes, job->n_nodes) : NULL;
  const defs_config_type *resources = ops ? resources_type(&b, d, job) : NULL;
  if (resources) {
    defs_config_field_spec f[] = {
        field("execution", execution, DEFS_CONFIG_REQUIRED_INFER, DESC_EXECUTION),
        field("loggers", loggers, DEFS_CONFIG_REQUIRED_INFER, DESC_LOGGERS),
        field("ops", ops, DEFS_CONFIG_REQUIRED_INFER, DESC_OPS),
        field("resources", resources, DEFS_CONFIG_REQUIRED_INFER, DESC_RESOURCES)};
    root = defs_config_shape(r, f, 4, NULL, ops_alias, 1, err);
  }
  arena_free(b.scratch);
  return root;
}

const defs_config_type *defs_type_loader_schema(defs_config_registry *r, const defs_type *t,
                                                buf *err) {
  builder b = {.r = r, .err = err, .scratch = NULL};
  bool failed = false;
  const defs_config_type *schema = loader_type(&b, t, &failed);
  return failed ? NULL : schema;
}

json_t *defs_job_base_run_config(const defs_job *job) {
  json_t *cfg = job->run_config && json_is_object(job->run_config) ? json_deep_copy(job->run_config)
                                                                   : json_object();
  if (json_object_get(cfg, "execution"))
    return cfg;
  json_t *executor = json_object();
  if (job->executor == DEFS_EXECUTOR_IN_PROCESS) {
    json_object_set_new(executor, "in_process", json_object());
  } else {
    json_t *multi = json_object();
    if (job->max_concurrent > 0)
      json_object_set_new(multi, "max_concurrent", json_integer(job->max_concurrent));
    json_object_set_new(executor, "multiprocess", multi);
  }
  json_t *execution = json_object();
  json_object_set_new(execution, "config", executor);
  json_object_set_new(cfg, "execution", execution);
  return cfg;
}

/* The run config with the job's base run config filling each top-level
 * key it leaves out (`ops` also stands for its alias `solids`), as
 * Dagster's job config mapping gives each top-level field the job config's
 * value as its default; NULL when run_config is an object that lacks
 * nothing (use it as is) or is not an object (validation says why). */
static json_t *with_job_defaults(const defs_job *job, const json_t *run_config) {
  if (run_config && !json_is_object(run_config))
    return NULL;
  json_t *base = defs_job_base_run_config(job);
  json_t *merged = run_config ? json_copy((json_t *)run_config) : json_object();
  bool added = !run_config;
  const char *key;
  json_t *value;
  json_object_foreach(base, key, value) {
    bool given = json_object_get(merged, key) ||
                 (strcmp(key, "ops") == 0 && json_object_get(merged, "solids"));
    if (!given) {
      json_object_set(merged, key, value);
      added = true;
    }
  }
  json_decref(base);
  if (!added) {
    json_decref(merged);
    return NULL;
  }
  return merged;
}

json_t *defs_job_validate_run_config(defs_config_registry *r, const defs_definitions *d,
                                     const defs_job *job, const json_t *run_config,
                                     defs_config_errors *errs, buf *err) {
  const defs_config_type *root = defs_job_run_config_schema(r, d, job, err);
  if (!root)
    return NULL;
  json_t *merged = with_job_defaults(job, run_config);
  json_t *resolved = defs_config_process(root, merged ? merged : run_config, errs);
  json_decref(merged);
  return resolved;
}

bool defs_job_default_run_config_yaml(defs_config_registry *r, const defs_definitions *d,
                                      const defs_job *job, buf *out, buf *err) {
  const defs_config_type *root = defs_job_run_config_schema(r, d, job, err);
  if (!root)
    return false;
  json_t *base = defs_job_base_run_config(job);
  json_t *resolved = defs_config_resolve(root, base, true);
  yaml_emit_json(out, resolved, YAML_EMIT_RUN_CONFIG);
  json_decref(resolved);
  json_decref(base);
  return true;
}
