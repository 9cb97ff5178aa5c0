/* jobs.c — the jobs area of the API: Query.pipelineOrError,
 * pipelineSnapshotOrError and graphOrError; the node containers (Pipeline,
 * Job, PipelineSnapshot, Graph) with their modes (Mode, Resource, Logger),
 * presets, tags and Dagster types; the selectors (PipelineSelector) and
 * the errors they answer. What lives inside a container (solids, handles,
 * definitions) is solids.c's.
 *
 * Answers follow Dagster's dagster-graphql (schema/pipelines/pipeline.py,
 * mode.py, resource.py, logger.py, dagster_types.py,
 * implementation/fetch_pipelines.py, fetch_solids.py) for an equivalent
 * Dagster repository: a dagd job is a Dagster @job with one mode,
 * "default", Dagster's default executor, io manager and console logger. */
#include <stdlib.h>
#include <string.h>

#include "api/objects.h"
#include "api/solids.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/yaml.h"
#include "defs/run_config.h"
#include "defs/selection.h"
#include "defs/snapshot.h"
#include "graphql/values.h"

/* Dagster's only mode of a job, and its console logger's description. */
#define DEFAULT_MODE "default"
#define CONSOLE_LOGGER "console"
#define CONSOLE_LOGGER_DESCRIPTION "The default colored console logger."

/* ---- containers ----------------------------------------------------------- */

const api_container *api_job_container(const gql_resolve_info *info, const api_location *loc,
                                       const defs_job *job) {
  api_container *c = ARENA_NEW(info->arena, api_container);
  c->loc = loc;
  c->job = job;
  return c;
}

const defs_node *api_container_nodes(const api_container *c, size_t *n) {
  if (c->graph) {
    *n = c->graph->n_nodes;
    return c->graph->nodes;
  }
  *n = c->job->n_nodes;
  return c->job->nodes;
}

/* A growing array of handles. */
typedef struct handle_list {
  const api_solid **items;
  size_t n, cap;
} handle_list;

static void handle_push(arena *a, handle_list *l, const api_solid *s) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 16;
    l->items = arena_realloc(a, l->items, l->cap * sizeof *l->items, cap * sizeof *l->items);
    l->cap = cap;
  }
  l->items[l->n++] = s;
}

/* Every handle under parent (NULL: the top of c), at any depth. */
static void collect_handles(const gql_resolve_info *info, const api_container *c,
                            const api_solid *parent, handle_list *out) {
  size_t n;
  const defs_node *nodes;
  if (parent) {
    nodes = parent->node->graph->nodes;
    n = parent->node->graph->n_nodes;
  } else {
    nodes = api_container_nodes(c, &n);
  }
  for (size_t i = 0; i < n; i++) {
    const api_solid *s = api_solid_new(info, c, parent, &nodes[i]);
    handle_push(info->arena, out, s);
    if (nodes[i].graph)
      collect_handles(info, c, s, out);
  }
}

static int cmp_handle(const void *a, const void *b) {
  const api_solid *x = *(const api_solid *const *)a, *y = *(const api_solid *const *)b;
  return strcmp(x->handle_id, y->handle_id);
}

/* Dagster sorts the handles by their id (build_solid_handles keyed by the
 * handle string, answered `sorted(handles)`), and filters them by parent:
 * "" keeps the top-level ones, an id the ones directly under it. */
const api_solid *const *api_container_handles(const gql_resolve_info *info, const api_container *c,
                                              const char *parent_handle_id, size_t *n) {
  handle_list all = {0};
  collect_handles(info, c, NULL, &all);
  qsort(all.items, all.n, sizeof *all.items, cmp_handle);
  if (!parent_handle_id) {
    *n = all.n;
    return all.items;
  }
  size_t k = 0;
  for (size_t i = 0; i < all.n; i++) {
    const api_solid *p = all.items[i]->parent;
    bool keep = *parent_handle_id ? p && strcmp(p->handle_id, parent_handle_id) == 0 : !p;
    if (keep)
      all.items[k++] = all.items[i];
  }
  *n = k;
  return all.items;
}

/* ---- ids ------------------------------------------------------------------ */

/* The id of a job's or a graph's origin: Dagster hashes the serialized
 * origin (location, repository, job); dagd hashes "location:repository:name",
 * stable across restarts (as Repository.id hashes "location:repository"). */
static const char *origin_id(const gql_resolve_info *info, const api_container *c,
                             const char *name) {
  return api_sha1_hex(info->arena, arena_printf(info->arena, "%s:%s:%s", c->loc->name,
                                                c->loc->defs->repository_name, name));
}

static const char *container_name(const api_container *c) {
  return c->job ? c->job->name : c->graph->name;
}

static const char *snapshot_id_of(const gql_resolve_info *info, const api_location *loc,
                                  const defs_job *job) {
  char *id = arena_alloc(info->arena, DEFS_SNAPSHOT_ID_LEN + 1);
  defs_job_snapshot_id(loc->defs, job, id);
  return id;
}

/* What a definition's id is built from: the root's (the job's snapshot id,
 * Dagster's identifying_job_snapshot_id; for a graph on its own its Graph
 * id), at any depth. */
static const char *container_snapshot_id(const gql_resolve_info *info, const api_container *c) {
  const api_container *root = c->root ? c->root : c;
  if (root->job)
    return snapshot_id_of(info, root->loc, root->job);
  return arena_printf(info->arena, "graph:%s", origin_id(info, root, root->graph->name));
}

const char *api_container_definition_id(const gql_resolve_info *info, const api_container *c,
                                        const char *def_name) {
  return arena_printf(info->arena, "%s:%s", container_snapshot_id(info, c), def_name);
}

/* ---- selectors --------------------------------------------------------------- */

static bool nonempty_list(const gql_value *obj, const char *name) {
  const gql_value *v = gql_value_field(obj, name);
  return v && v->kind == GQL_VALUE_LIST && v->n_items > 0;
}

/* InvalidSubsetError: the message and the whole job it failed to subset
 * (answered as a "Pipeline"). */
typedef struct subset_error {
  const char *message;
  const api_container *pipeline;
} subset_error;

static gql_rv invalid_subset(const gql_resolve_info *info, const char *message,
                             const api_container *full) {
  subset_error *e = ARENA_NEW(info->arena, subset_error);
  e->message = message;
  e->pipeline = full;
  return api_object(info, e, "InvalidSubsetError");
}

/* The job a PipelineSelector names, or NULL after setting *result to
 * Dagster's PipelineNotFoundError. */
static const defs_job *find_job(const gql_resolve_info *info, const gql_value *selector,
                                const api_location **loc_out, gql_rv *result) {
  const char *job_name = api_value_string(selector, "pipelineName");
  const char *repo_name = api_value_string(selector, "repositoryName");
  const char *loc_name = api_value_string(selector, "repositoryLocationName");
  const api_location *loc = api_repository_find(info, loc_name, repo_name);
  const defs_job *job = loc && job_name ? defs_find_job(loc->defs, job_name) : NULL;
  if (!job) {
    const char *j = job_name ? job_name : "", *r = repo_name ? repo_name : "",
               *l = loc_name ? loc_name : "";
    *result = api_error(info, "PipelineNotFoundError",
                        arena_printf(info->arena, "Could not find Pipeline %s.%s.%s", l, r, j),
                        "pipelineName", j, "repositoryName", r, "repositoryLocationName", l,
                        (const char *)NULL);
    return NULL;
  }
  *loc_out = loc;
  return job;
}

bool api_select_job(const gql_resolve_info *info, const gql_value *selector,
                    const api_container **out, gql_rv *result) {
  const api_location *loc;
  const defs_job *job = find_job(info, selector, &loc, result);
  if (!job)
    return false;
  const api_container *full = api_job_container(info, loc, job);
  /* dagd defines no assets, so no asset selection can name anything in the
   * job (Dagster answers an unknown asset key with InvalidSubsetError too). */
  if (nonempty_list(selector, "assetSelection") || nonempty_list(selector, "assetCheckSelection")) {
    *result = invalid_subset(info,
                             arena_printf(info->arena,
                                          "Job %s has no assets or asset checks to select: "
                                          "dagd defines none",
                                          job->name),
                             full);
    return false;
  }
  /* Dagster subsets only for a non-empty solidSelection (an empty list
   * selects the whole job). */
  const gql_value *sel = gql_value_field(selector, "solidSelection");
  if (sel && sel->kind == GQL_VALUE_LIST && sel->n_items > 0) {
    const char **queries = ARENA_ARRAY(info->arena, const char *, sel->n_items);
    for (size_t i = 0; i < sel->n_items; i++)
      queries[i] = sel->items[i]->str;
    buf err;
    buf_init(&err, info->arena);
    const defs_job *subset = defs_job_subset(job, queries, sel->n_items, info->arena, &err);
    if (!subset) {
      *result = invalid_subset(info, err.len ? err.data : "Invalid op selection", full);
      return false;
    }
    full = api_job_container(info, loc, subset);
  }
  *out = full;
  return true;
}

/* ---- Query ---------------------------------------------------------------- */

static gql_rv q_pipeline_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  (void)data;
  const api_container *c;
  gql_rv err;
  if (!api_select_job(info, gql_arg(info, "params"), &c, &err))
    return err;
  return api_object(info, c, "Pipeline");
}

/* The workspace's job whose snapshot id is id, or NULL (then
 * pipelineSnapshotOrError looks among the snapshots the instance stores
 * for its runs: api_stored_snapshot). */
static const api_container *find_snapshot(const gql_resolve_info *info, const char *id) {
  size_t n;
  const api_location *locs = api_locations(info, &n);
  char sid[DEFS_SNAPSHOT_ID_LEN + 1];
  for (size_t i = 0; i < n; i++) {
    const defs_definitions *d = locs[i].defs;
    for (size_t k = 0; d && k < d->n_jobs; k++) {
      defs_job_snapshot_id(d, &d->jobs[k], sid);
      if (strcmp(sid, id) == 0)
        return api_job_container(info, &locs[i], &d->jobs[k]);
    }
  }
  return NULL;
}

static gql_rv q_pipeline_snapshot_or_error(const gql_resolve_info *info, const void *parent,
                                           void *data) {
  (void)parent;
  (void)data;
  const char *id = api_arg_string(info, "snapshotId");
  const gql_value *selector = gql_arg(info, "activePipelineSelector");
  if (id) {
    const api_container *c = find_snapshot(info, id);
    const char *error = NULL;
    if (!c)
      c = api_stored_snapshot(info, id, &error);
    if (error)
      return api_python_error(info, "%s", error);
    if (!c)
      return api_error(info, "PipelineSnapshotNotFoundError",
                       arena_printf(info->arena,
                                    "Pipeline snapshot %s is not present in the current instance.",
                                    id),
                       "snapshotId", id, (const char *)NULL);
    return api_object(info, c, "PipelineSnapshot");
  }
  if (selector && selector->kind == GQL_VALUE_OBJECT) {
    /* Dagster answers the full job's snapshot here
     * (get_full_external_job_or_raise): the selection is not applied. */
    const api_location *loc;
    gql_rv err;
    const defs_job *job = find_job(info, selector, &loc, &err);
    if (!job)
      return err;
    return api_object(info, api_job_container(info, loc, job), "PipelineSnapshot");
  }
  /* Dagster's check.invariant when neither argument is given. */
  return api_python_error(info, "Must set one of snapshotId or activePipelineSelector");
}

static gql_rv q_graph_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  (void)data;
  const gql_value *sel = gql_arg(info, "selector");
  const char *graph_name = api_value_string(sel, "graphName");
  const char *repo_name = api_value_string(sel, "repositoryName");
  const char *loc_name = api_value_string(sel, "repositoryLocationName");
  const api_location *loc = api_repository_find(info, loc_name, repo_name);
  if (loc && graph_name) {
    /* Dagster looks at the jobs' graphs first (a @job's graph has the
     * job's name), then at the graphs they use. */
    const defs_job *job = defs_find_job(loc->defs, graph_name);
    if (job)
      return api_object(info, api_job_container(info, loc, job), "Graph");
    const defs_graph *g = defs_find_graph(loc->defs, graph_name);
    if (g) {
      api_container *c = ARENA_NEW(info->arena, api_container);
      c->loc = loc;
      c->graph = g;
      return api_object(info, c, "Graph");
    }
  }
  const char *g = graph_name ? graph_name : "", *r = repo_name ? repo_name : "",
             *l = loc_name ? loc_name : "";
  return api_error(info, "GraphNotFoundError",
                   arena_printf(info->arena, "Could not find Graph %s.%s.%s", l, r, g), "graphName",
                   g, "repositoryName", r, "repositoryLocationName", l, (const char *)NULL);
}

/* ---- Pipeline, Job, PipelineSnapshot, Graph --------------------------------- */

#define CONTAINER(parent) ((const api_container *)(parent))

/* Pipeline.id and Job.id: the job's origin id (Dagster's
 * get_external_origin_id). */
static gql_rv c_origin_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_string(origin_id(info, CONTAINER(parent), CONTAINER(parent)->job->name));
}

/* PipelineSnapshot.id and pipelineSnapshotId. */
static gql_rv c_snapshot_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_string(snapshot_id_of(info, CONTAINER(parent)->loc, CONTAINER(parent)->job));
}

/* Graph.id: "graph:" and the origin id (Dagster's GrapheneGraph). */
static gql_rv c_graph_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_container *c = CONTAINER(parent);
  return gql_rv_string(
      arena_printf(info->arena, "graph:%s", origin_id(info, c, container_name(c))));
}

static gql_rv c_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(container_name(CONTAINER(parent)));
}

static gql_rv c_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  const api_container *c = CONTAINER(parent);
  return gql_rv_string(c->job ? c->job->description : c->graph->description);
}

static gql_rv c_solids(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_container_solids(info, CONTAINER(parent));
}

static gql_rv c_solid_handle(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_container_solid_handle_field(info, CONTAINER(parent));
}

static gql_rv c_solid_handles(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_container_solid_handles_field(info, CONTAINER(parent));
}

/* A job's one mode, "default". */
static gql_rv c_modes(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  gql_rv list = gql_rv_list(info->arena, 1);
  list.u.list.items[0] = api_object(info, parent, "Mode");
  return list;
}

gql_rv api_pairs_list(const gql_resolve_info *info, const defs_pair *pairs, size_t n,
                      const char *type_name) {
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = api_json(info, json_pack("{s:s, s:s, s:s}", "__typename", type_name,
                                                    "key", pairs[i].key, "value", pairs[i].value));
  return list;
}

/* In definition order, as Dagster keeps the snapshot's tags dict. */
static gql_rv c_tags(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_job *job = CONTAINER(parent)->job;
  return api_pairs_list(info, job->tags, job->n_tags, "PipelineTag");
}

static gql_rv c_parent_snapshot_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_container *c = CONTAINER(parent);
  return c->job->parent ? gql_rv_string(snapshot_id_of(info, c->loc, c->job->parent))
                        : gql_rv_null();
}

/* A @job's graph has the job's name. */
static gql_rv c_graph_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(CONTAINER(parent)->job->name);
}

static int cmp_preset(const void *a, const void *b) {
  return strcmp((*(const defs_preset *const *)a)->name, (*(const defs_preset *const *)b)->name);
}

static gql_rv c_presets(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_job *job = CONTAINER(parent)->job;
  /* A subset job shows its parent's presets, as Dagster's subset keeps the
   * job's presets. */
  const defs_job *def = job->parent ? job->parent : job;
  const defs_preset **sorted = ARENA_ARRAY(info->arena, const defs_preset *, def->n_presets + 1);
  for (size_t i = 0; i < def->n_presets; i++)
    sorted[i] = &def->presets[i];
  qsort(sorted, def->n_presets, sizeof *sorted, cmp_preset);
  gql_rv list = gql_rv_list(info->arena, def->n_presets);
  for (size_t i = 0; i < def->n_presets; i++)
    list.u.list.items[i] = api_object(info, sorted[i], "PipelinePreset");
  return list;
}

static gql_rv c_repository(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_object(info, CONTAINER(parent)->loc, "Repository");
}

/* PipelineSnapshot.solidSelection: the queries that selected a subset. */
static gql_rv c_solid_selection(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_job *job = CONTAINER(parent)->job;
  return api_string_list(info, job->op_selection, job->n_op_selection);
}

/* ---- Dagster types ------------------------------------------------------------ */

/* Dagster's built-in types, which every job's type namespace holds
 * (construct_dagster_type_dictionary starts from them), in name order. */
static const defs_type builtin_types[] = {
    {DEFS_TYPE_ANY, "Any", "Any", NULL},
    {DEFS_TYPE_BOOL, "Bool", "Bool", NULL},
    {DEFS_TYPE_FLOAT, "Float", "Float", NULL},
    {DEFS_TYPE_INT, "Int", "Int", NULL},
    {DEFS_TYPE_NOTHING, "Nothing", "Nothing", NULL},
    {DEFS_TYPE_STRING, "String", "String", NULL},
};
#define N_BUILTIN_TYPES API_COUNT(builtin_types)

/* Dagster's dagsterTypes: the job's types that have a name, sorted by
 * name. dagd's own types are the built-ins and lists/optionals of them,
 * and those have no name (ListType, OptionalType): the built-ins are it. */
static gql_rv c_dagster_types(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  (void)data;
  gql_rv list = gql_rv_list(info->arena, N_BUILTIN_TYPES);
  for (size_t i = 0; i < N_BUILTIN_TYPES; i++)
    list.u.list.items[i] = api_dagster_type(info, &builtin_types[i]);
  return list;
}

static gql_rv c_dagster_type_or_error(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)parent;
  (void)data;
  const char *name = api_arg_string(info, "dagsterTypeName");
  for (size_t i = 0; name && i < N_BUILTIN_TYPES; i++)
    if (strcmp(builtin_types[i].name, name) == 0)
      return api_dagster_type(info, &builtin_types[i]);
  /* Dagster sets no message on this error (its non-null message then
   * fails); dagd says what happened. */
  return api_error(info, "DagsterTypeNotFoundError",
                   arena_printf(info->arena, "Dagster type %s not found.", name ? name : ""),
                   "dagsterTypeName", name ? name : "", (const char *)NULL);
}

/* The GraphQL type of a Dagster type, by its kind. */
static const char *dagster_type_name(const defs_type *t) {
  switch (t->kind) {
  case DEFS_TYPE_LIST:
    return "ListDagsterType";
  case DEFS_TYPE_NULLABLE:
    return "NullableDagsterType";
  default:
    return "RegularDagsterType";
  }
}

gql_rv api_dagster_type(const gql_resolve_info *info, const defs_type *t) {
  return api_object(info, t, dagster_type_name(t));
}

#define DTYPE(parent) ((const defs_type *)(parent))

static bool is_wrapper(const defs_type *t) {
  return t->kind == DEFS_TYPE_LIST || t->kind == DEFS_TYPE_NULLABLE;
}

static gql_rv t_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(DTYPE(parent)->key);
}

/* Lists and optionals have no name in Dagster (name=None). */
static gql_rv t_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  const defs_type *t = DTYPE(parent);
  return is_wrapper(t) ? gql_rv_null() : gql_rv_string(t->key);
}

/* Dagster's display_name: "[Int]" for a list, "Int?" for an optional. */
static void display_name(const defs_type *t, buf *out) {
  if (t->kind == DEFS_TYPE_LIST) {
    buf_putc(out, '[');
    display_name(t->inner, out);
    buf_putc(out, ']');
  } else if (t->kind == DEFS_TYPE_NULLABLE) {
    display_name(t->inner, out);
    buf_putc(out, '?');
  } else {
    buf_puts(out, t->key);
  }
}

static gql_rv t_display_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  buf b;
  buf_init(&b, info->arena);
  display_name(DTYPE(parent), &b);
  return gql_rv_string(buf_cstr(&b));
}

static gql_rv t_is_nullable(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_bool(DTYPE(parent)->kind == DEFS_TYPE_NULLABLE);
}

static gql_rv t_is_list(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_bool(DTYPE(parent)->kind == DEFS_TYPE_LIST);
}

/* The built-ins are Dagster's is_builtin types; List and Optional are not. */
static gql_rv t_is_builtin(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_bool(!is_wrapper(DTYPE(parent)));
}

static gql_rv t_is_nothing(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_bool(DTYPE(parent)->kind == DEFS_TYPE_NOTHING);
}

static gql_rv t_input_schema_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_type *ct =
      defs_type_loader_schema(api_request_registry(info), DTYPE(parent), NULL);
  return ct ? gql_rv_object(ct, NULL) : gql_rv_null();
}

static gql_rv t_inner_types(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_type *t = DTYPE(parent);
  if (!is_wrapper(t))
    return gql_rv_list(info->arena, 0);
  gql_rv list = gql_rv_list(info->arena, 1);
  list.u.list.items[0] = api_dagster_type(info, t->inner);
  return list;
}

static gql_rv t_of_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_dagster_type(info, DTYPE(parent)->inner);
}

static const gql_type *dagster_type_resolve(const gql_schema *schema, const gql_type *abstract,
                                            const gql_rv *value, void *data) {
  (void)abstract;
  (void)data;
  if (value->kind != GQL_RV_OBJECT)
    return NULL;
  return gql_schema_type(schema, dagster_type_name(value->u.obj.ptr));
}

/* ---- Mode, Resource, Logger -------------------------------------------------- */

/* A resource or logger of the mode: its name, description and config field. */
typedef struct mode_member {
  const char *name;
  const char *description;
  const defs_config_field *config;
} mode_member;

/* The job's run config schema field `name` of the root, or NULL after
 * setting *error. */
static const defs_config_field *root_field(const gql_resolve_info *info, const api_container *c,
                                           const char *name, gql_rv *error) {
  buf err;
  buf_init(&err, info->arena);
  const defs_config_type *root =
      defs_job_run_config_schema(api_request_registry(info), c->loc->defs, c->job, &err);
  const defs_config_field *f = root ? defs_config_field_get(root, name) : NULL;
  if (!f)
    *error = api_python_error(info, "the run config schema of job %s cannot be built: %s",
                              c->job->name, err.len ? err.data : "no field");
  return f;
}

static gql_rv m_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_container *c = CONTAINER(parent);
  return gql_rv_string(
      arena_printf(info->arena, "%s-%s", snapshot_id_of(info, c->loc, c->job), DEFAULT_MODE));
}

static gql_rv m_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)parent;
  (void)data;
  return gql_rv_string(DEFAULT_MODE);
}

static gql_rv member(const gql_resolve_info *info, const char *name, const char *description,
                     const defs_config_type *holder, const char *type_name) {
  mode_member *m = ARENA_NEW(info->arena, mode_member);
  m->name = name;
  m->description = description;
  m->config = defs_config_field_get(holder, "config");
  return api_object(info, m, type_name);
}

/* The resources of the run config schema (Dagster's io_manager and the
 * repository's resources), sorted by name as Dagster sorts the mode's
 * resource snaps. */
static gql_rv m_resources(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  gql_rv error;
  const defs_config_field *f = root_field(info, CONTAINER(parent), "resources", &error);
  if (!f)
    return error;
  const defs_config_type *t = f->type;
  gql_rv list = gql_rv_list(info->arena, t->n_fields);
  for (size_t i = 0; i < t->n_fields; i++) {
    const defs_config_field *r = t->sorted_fields[i];
    list.u.list.items[i] = member(info, r->name, r->description, r->type, "Resource");
  }
  return list;
}

/* Dagster's default loggers: "console". */
static gql_rv m_loggers(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  gql_rv error;
  const defs_config_field *f = root_field(info, CONTAINER(parent), "loggers", &error);
  if (!f)
    return error;
  const defs_config_field *console = defs_config_field_get(f->type, CONSOLE_LOGGER);
  if (!console)
    return gql_rv_list(info->arena, 0);
  gql_rv list = gql_rv_list(info->arena, 1);
  list.u.list.items[0] =
      member(info, CONSOLE_LOGGER, CONSOLE_LOGGER_DESCRIPTION, console->type, "Logger");
  return list;
}

#define MEMBER(parent) ((const mode_member *)(parent))

static gql_rv mm_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(MEMBER(parent)->name);
}

static gql_rv mm_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(MEMBER(parent)->description);
}

static gql_rv mm_config_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_field *f = MEMBER(parent)->config;
  return f ? api_object(info, f, "ConfigTypeField") : gql_rv_null();
}

/* ---- PipelinePreset ------------------------------------------------------------ */

#define PRESET(parent) ((const defs_preset *)(parent))

static gql_rv p_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(PRESET(parent)->name);
}

static gql_rv p_solid_selection(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_string_list(info, PRESET(parent)->op_selection, PRESET(parent)->n_op_selection);
}

/* Dagster's dump_run_config_yaml of the preset's run config ({} when it
 * has none, which dumps as "{}\n"). */
static gql_rv p_run_config_yaml(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  json_t *empty = json_object();
  const json_t *config = PRESET(parent)->run_config ? PRESET(parent)->run_config : empty;
  buf out;
  buf_init(&out, info->arena);
  yaml_emit_json(&out, config, YAML_EMIT_RUN_CONFIG);
  json_decref(empty);
  return gql_rv_string(buf_cstr(&out));
}

static gql_rv p_mode(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)parent;
  (void)data;
  return gql_rv_string(DEFAULT_MODE);
}

static gql_rv p_tags(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_pairs_list(info, PRESET(parent)->tags, PRESET(parent)->n_tags, "PipelineTag");
}

/* ---- InvalidSubsetError ------------------------------------------------------- */

static gql_rv e_message(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(((const subset_error *)parent)->message);
}

static gql_rv e_pipeline(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_object(info, ((const subset_error *)parent)->pipeline, "Pipeline");
}

/* ---- attaching ------------------------------------------------------------------ */

/* The SolidContainer fields of the four container types. */
static const char *const container_types[] = {"Pipeline", "Job", "PipelineSnapshot", "Graph"};
static const api_resolver container_fields[] = {
    {"name", c_name},
    {"description", c_description},
    {"solids", c_solids},
    {"solidHandle", c_solid_handle},
    {"solidHandles", c_solid_handles},
};

/* The IPipelineSnapshot fields besides those (id differs by type). */
static const char *const snapshot_types[] = {"Pipeline", "Job", "PipelineSnapshot"};
static const api_resolver snapshot_fields[] = {
    {"modes", c_modes},
    {"pipelineSnapshotId", c_snapshot_id},
    {"dagsterTypes", c_dagster_types},
    {"dagsterTypeOrError", c_dagster_type_or_error},
    {"tags", c_tags},
    {"parentSnapshotId", c_parent_snapshot_id},
    {"graphName", c_graph_name},
};

/* What Pipeline and Job have besides. */
static const char *const job_types[] = {"Pipeline", "Job"};
static const api_resolver job_fields[] = {
    {"id", c_origin_id},          {"presets", c_presets},
    {"isJob", api_resolve_true},  {"isAssetJob", api_resolve_false},
    {"repository", c_repository},
};

/* The DagsterType fields of the three Dagster types. */
static const char *const dagster_types[] = {"RegularDagsterType", "ListDagsterType",
                                            "NullableDagsterType"};
static const api_resolver dagster_type_fields[] = {
    {"key", t_key},
    {"name", t_name},
    {"displayName", t_display_name},
    {"description", api_resolve_null},
    {"isNullable", t_is_nullable},
    {"isList", t_is_list},
    {"isBuiltin", t_is_builtin},
    {"isNothing", t_is_nothing},
    {"inputSchemaType", t_input_schema_type},
    {"outputSchemaType", api_resolve_null},
    {"innerTypes", t_inner_types},
};

static const api_resolver jobs_resolvers[] = {
    {"Query.pipelineOrError", q_pipeline_or_error},
    {"Query.pipelineSnapshotOrError", q_pipeline_snapshot_or_error},
    {"Query.graphOrError", q_graph_or_error},
    {"PipelineSnapshot.id", c_snapshot_id},
    {"PipelineSnapshot.solidSelection", c_solid_selection},
    {"Graph.id", c_graph_id},
    /* Dagster: "graphs don't have modes". */
    {"Graph.modes", api_resolve_empty_list},
    {"Mode.id", m_id},
    {"Mode.name", m_name},
    {"Mode.description", api_resolve_null},
    {"Mode.resources", m_resources},
    {"Mode.loggers", m_loggers},
    {"Resource.name", mm_name},
    {"Resource.description", mm_description},
    {"Resource.configField", mm_config_field},
    {"Logger.name", mm_name},
    {"Logger.description", mm_description},
    {"Logger.configField", mm_config_field},
    {"PipelinePreset.name", p_name},
    {"PipelinePreset.solidSelection", p_solid_selection},
    {"PipelinePreset.runConfigYaml", p_run_config_yaml},
    {"PipelinePreset.mode", p_mode},
    {"PipelinePreset.tags", p_tags},
    {"ListDagsterType.ofType", t_of_type},
    {"NullableDagsterType.ofType", t_of_type},
    {"InvalidSubsetError.message", e_message},
    {"InvalidSubsetError.pipeline", e_pipeline},
};

/* The JSON-backed types of this area. */
static const char *const jobs_json_types[] = {
    "PipelineNotFoundError",  "ModeNotFoundError",        "PipelineSnapshotNotFoundError",
    "GraphNotFoundError",     "DagsterTypeNotFoundError", "PipelineTag",
    "MetadataItemDefinition", "ResourceRequirement",
};

static const char *const dagster_type_abstract[] = {"DagsterType", "WrappingDagsterType"};

int api_jobs_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_attach_common(s, container_types, API_COUNT(container_types), container_fields,
                        API_COUNT(container_fields), err, err_size) != 0 ||
      api_attach_common(s, snapshot_types, API_COUNT(snapshot_types), snapshot_fields,
                        API_COUNT(snapshot_fields), err, err_size) != 0 ||
      api_attach_common(s, job_types, API_COUNT(job_types), job_fields, API_COUNT(job_fields), err,
                        err_size) != 0 ||
      api_attach_common(s, dagster_types, API_COUNT(dagster_types), dagster_type_fields,
                        API_COUNT(dagster_type_fields), err, err_size) != 0 ||
      api_attach(s, jobs_resolvers, API_COUNT(jobs_resolvers), err, err_size) != 0 ||
      api_json_types(s, jobs_json_types, API_COUNT(jobs_json_types), err, err_size) != 0 ||
      api_resolve_types(s, dagster_type_abstract, API_COUNT(dagster_type_abstract),
                        dagster_type_resolve, err, err_size) != 0)
    return -1;
  return api_solids_attach(s, err, err_size);
}
