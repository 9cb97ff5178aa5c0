/* runs.c — the runs area of the API: Query.runsOrError / pipelineRunsOrError
 * (RunsFilter, cursor, limit, count), runOrError / pipelineRunOrError,
 * runIdsOrError, runGroupOrError, runTagKeysOrError, runTagsOrError; the
 * Run object (backed by a store_run copied into the request arena) with its
 * stats, step stats, execution plan, job snapshot and tags; and the stored
 * snapshots other areas show (pipelineSnapshotOrError).
 *
 * Answers follow Dagster's dagster-graphql (implementation/fetch_runs.py,
 * schema/pipelines/pipeline.py GrapheneRun, schema/inputs.py RunsFilter,
 * pipeline_run_stats.py) and Dagster's _core/execution/stats.py
 * (build_run_stats_from_events, build_run_step_stats_from_events).
 *
 * Cost: the fields a run list usually asks for (ids, names, status, times,
 * tags, config) read only the run row. A run's events are read once per
 * request, on the first field that needs them (stats, stepStats,
 * assetMaterializations), and a job snapshot is loaded once per request
 * and snapshot id, so a page of runs of one job loads it once. Both caches
 * live in the request arena (found with arena_find_deferred); the loaded
 * definitions are released with it. */
#include <stdlib.h>
#include <string.h>

#include "api/objects.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "base/yaml.h"
#include "defs/plan.h"
#include "defs/selection.h"
#include "defs/snapshot.h"
#include "graphql/values.h"
#include "run/terminate.h"

/* Dagster's hidden tags (TagType.HIDDEN): never shown by the API. */
#define HIDDEN_TAG_PREFIX ".dagster/"

/* ---- the instance and the request's caches -------------------------------- */

run_instance *api_instance(const gql_resolve_info *info, gql_rv *result) {
  const api_context *ctx = info->context;
  if (ctx && ctx->instance)
    return ctx->instance;
  *result = api_python_error(info, "This dagd server has no instance: runs are neither stored "
                                   "nor read (serve with an instance, e.g. `dagd dev`).");
  return NULL;
}

/* A run's events as one request read them, and what was computed from them. */
typedef struct run_events {
  const store_event *items;
  size_t n;
  const char *error; /* the storage failure; NULL when read */
  const struct run_stats *stats;
  const struct step_stats *steps; /* NULL until computed */
} run_events;

/* A stored snapshot as one request loaded it: the job (subset as its runs
 * were) as a container, or NULL when absent or not loadable. */
typedef struct snapshot_entry {
  const api_container *container;
} snapshot_entry;

typedef struct runs_request {
  strmap events;    /* run id → run_events */
  strmap snapshots; /* snapshot id → snapshot_entry */
} runs_request;

/* Marks the request's runs_request (its memory is the arena's; the
 * definitions it loaded are released by their own cleanups). */
static void request_done(void *p) { (void)p; }

static runs_request *request_of(const gql_resolve_info *info) {
  runs_request *r = arena_find_deferred(info->arena, request_done);
  if (!r) {
    r = ARENA_NEW(info->arena, runs_request);
    arena_defer_keyed(info->arena, request_done, r);
  }
  return r;
}

/* The run's events, read once per request. */
static run_events *events_of(const gql_resolve_info *info, const char *run_id) {
  runs_request *r = request_of(info);
  run_events *ev = strmap_get(&r->events, run_id);
  if (ev)
    return ev;
  ev = ARENA_NEW(info->arena, run_events);
  strmap_put(&r->events, info->arena, arena_strdup(info->arena, run_id), ev);
  gql_rv ignored;
  run_instance *inst = api_instance(info, &ignored);
  if (!inst) {
    ev->error = "This dagd server has no instance.";
    return ev;
  }
  store_error err = {{0}};
  bool has_more = false;
  ev->items = store_events(inst->store, run_id, 0, -1, info->arena, &ev->n, &has_more, &err);
  if (!ev->items && err.message[0]) {
    ev->error = arena_strdup(info->arena, err.message);
    ev->n = 0;
  }
  return ev;
}

static bool is_type(const store_event *e, const char *type) {
  return e->event_type && strcmp(e->event_type, type) == 0;
}

/* ---- small conversions ----------------------------------------------------- */

/* A time, or null when not set (0). */
static gql_rv time_or_null(double t) { return t != 0 ? gql_rv_float(t) : gql_rv_null(); }

/* The strings of a JSON array text, into the arena (*items never NULL);
 * false, with none, when text is NULL or not an array of strings. */
static bool strings_of(arena *a, const char *text, const char ***items, size_t *n) {
  json_t *arr = text ? json_loads(text, 0, NULL) : NULL;
  size_t count = json_is_array(arr) ? json_array_size(arr) : 0;
  const char **out = ARENA_ARRAY(a, const char *, count + 1);
  bool ok = json_is_array(arr);
  for (size_t i = 0; ok && i < count; i++) {
    const char *s = json_string_value(json_array_get(arr, i));
    ok = s != NULL;
    out[i] = ok ? arena_strdup(a, s) : NULL;
  }
  json_decref(arr);
  *items = out;
  *n = ok ? count : 0;
  return ok;
}

/* A stored JSON array of strings as a list of strings; NULL text is null. */
static gql_rv string_array(const gql_resolve_info *info, const char *text) {
  if (!text)
    return gql_rv_null();
  const char **items;
  size_t n;
  if (!strings_of(info->arena, text, &items, &n))
    return gql_rv_errorf(info->arena, "a stored list is not a JSON array of strings: %s", text);
  return api_string_list(info, items, n);
}

/* ---- stored snapshots ------------------------------------------------------- */

static void release_defs(void *d) { defs_definitions_release(d); }

/* Loads the job stored under snapshot_id, subset by the op selection (a
 * JSON array text; NULL: none), as a container of a location named
 * location_name. NULL when the instance lacks it or it does not load, and
 * then *error set when the storage failed. */
static const api_container *load_snapshot(const gql_resolve_info *info, run_instance *inst,
                                          const char *snapshot_id, const char *location_name,
                                          const char *op_selection, const char **error) {
  arena *a = info->arena;
  store_error err = {{0}};
  size_t len = 0;
  char *text = store_snapshot_get(inst->store, snapshot_id, a, &len, &err);
  if (!text) {
    if (err.message[0])
      *error = arena_strdup(a, err.message);
    return NULL;
  }
  buf load_err;
  buf_init(&load_err, a);
  const char *path = arena_printf(a, "snapshot %s", snapshot_id);
  defs_definitions *d = defs_load_text(path, text, len, &load_err);
  if (!d)
    return NULL;
  arena_defer(a, release_defs, d);
  /* A snapshot declares exactly its job. */
  if (d->n_jobs != 1)
    return NULL;
  const defs_job *job = &d->jobs[0];
  const char **queries;
  size_t n_queries;
  strings_of(a, op_selection, &queries, &n_queries);
  if (n_queries) {
    buf sel_err;
    buf_init(&sel_err, a);
    job = defs_job_subset(job, queries, n_queries, a, &sel_err);
    if (!job)
      return NULL;
  }
  api_location *loc = ARENA_NEW(a, api_location);
  loc->name = arena_strdup(a, location_name ? location_name : "");
  loc->path = d->path ? d->path : path;
  loc->defs = d;
  return api_job_container(info, loc, job);
}

/* The container of a stored snapshot, once per request and snapshot id (a
 * storage failure, in *error, is not remembered). */
static const api_container *snapshot_container(const gql_resolve_info *info, run_instance *inst,
                                               const char *snapshot_id, const char *location_name,
                                               const char *op_selection, const char **error) {
  runs_request *r = request_of(info);
  snapshot_entry *e = strmap_get(&r->snapshots, snapshot_id);
  if (e)
    return e->container;
  const api_container *c =
      load_snapshot(info, inst, snapshot_id, location_name, op_selection, error);
  if (*error)
    return NULL;
  e = ARENA_NEW(info->arena, snapshot_entry);
  e->container = c;
  strmap_put(&r->snapshots, info->arena, arena_strdup(info->arena, snapshot_id), e);
  return c;
}

/* The run's job as stored (subset by its selection), or NULL (*error set
 * when the storage failed). */
static const api_container *run_container(const gql_resolve_info *info, const store_run *run,
                                          const char **error) {
  *error = NULL;
  gql_rv ignored;
  run_instance *inst = api_instance(info, &ignored);
  if (!inst || !run->snapshot_id)
    return NULL;
  return snapshot_container(info, inst, run->snapshot_id, run->location_name, run->op_selection,
                            error);
}

const api_container *api_stored_snapshot(const gql_resolve_info *info, const char *snapshot_id,
                                         const char **error) {
  *error = NULL;
  gql_rv ignored;
  run_instance *inst = api_instance(info, &ignored);
  if (!inst || !snapshot_id)
    return NULL;
  /* A subset's snapshot is stored as its parent's text: a run made from
   * it tells the selection (and the location) to rebuild it with. */
  store_runs_filter f = {.snapshot_id = snapshot_id};
  store_error err = {{0}};
  size_t n = 0;
  store_run *runs = store_runs_list(inst->store, &f, NULL, 1, info->arena, &n, &err);
  if (err.message[0]) {
    *error = arena_strdup(info->arena, err.message);
    return NULL;
  }
  const api_container *c =
      snapshot_container(info, inst, snapshot_id, n ? runs[0].location_name : NULL,
                         n ? runs[0].op_selection : NULL, error);
  if (!c)
    return NULL;
  /* What was rebuilt must be what the id names (a subset's snapshot with no
   * run left to tell its selection is not). */
  char id[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(c->loc->defs, c->job, id);
  return strcmp(id, snapshot_id) == 0 ? c : NULL;
}

/* ---- RunsFilter --------------------------------------------------------------- */

static bool is_null(const gql_value *v) { return !v || v->kind == GQL_VALUE_NULL; }

/* A limit argument as the store takes it: Dagster applies only a truthy
 * limit, so null, 0 and below are no limit (-1). */
static int limit_arg(const gql_resolve_info *info, const char *name) {
  const gql_value *v = gql_arg(info, name);
  if (!v || v->kind != GQL_VALUE_INT || v->ival <= 0)
    return -1;
  return v->ival > 1000000000 ? 1000000000 : (int)v->ival;
}

/* A Float field of the filter; 0 (Dagster: falsy, no bound) when absent. */
static double float_field(const gql_value *obj, const char *name) {
  const gql_value *v = gql_value_field(obj, name);
  return v && (v->kind == GQL_VALUE_FLOAT || v->kind == GQL_VALUE_INT) ? v->fval : 0;
}

static bool filter_run_ids(const gql_resolve_info *info, const gql_value *v, store_runs_filter *f,
                           const char **message) {
  if (is_null(v))
    return true;
  const char **ids = ARENA_ARRAY(info->arena, const char *, v->n_items + 1);
  for (size_t i = 0; i < v->n_items; i++) {
    /* RunsFilter.runIds is [String]: Dagster fails on a null item (its
     * RunsFilter takes strings only); dagd says so. */
    if (v->items[i]->kind != GQL_VALUE_STRING) {
      *message = arena_printf(info->arena,
                              "Invalid runs filter: runIds[%zu] is null; each item must be a "
                              "run id.",
                              i);
      return false;
    }
    ids[i] = v->items[i]->str;
  }
  f->run_ids = ids;
  f->n_run_ids = v->n_items;
  return true;
}

/* Dagster turns the tags into a dict: a key given twice keeps its last value. */
static void filter_tags(const gql_resolve_info *info, const gql_value *v, store_runs_filter *f) {
  if (is_null(v))
    return;
  store_tag *tags = ARENA_ARRAY(info->arena, store_tag, v->n_items + 1);
  size_t n = 0;
  for (size_t i = 0; i < v->n_items; i++) {
    const char *key = api_value_string(v->items[i], "key");
    const char *value = api_value_string(v->items[i], "value");
    if (!key || !value)
      continue;
    size_t k = 0;
    while (k < n && strcmp(tags[k].key, key) != 0)
      k++;
    tags[k] = (store_tag){key, value};
    n += k == n;
  }
  f->tags = tags;
  f->n_tags = n;
}

static void filter_statuses(const gql_resolve_info *info, const gql_value *v,
                            store_runs_filter *f) {
  if (is_null(v))
    return;
  store_run_status *st = ARENA_ARRAY(info->arena, store_run_status, v->n_items + 1);
  size_t n = 0;
  for (size_t i = 0; i < v->n_items; i++) {
    int s = v->items[i]->str ? store_run_status_parse(v->items[i]->str) : -1;
    if (s >= 0)
      st[n++] = (store_run_status)s;
  }
  f->statuses = st;
  f->n_statuses = n;
}

/* A RunsFilter input value as a store filter in the request arena; false
 * with *message set (InvalidPipelineRunsFilterError's) when it is invalid. */
static bool runs_filter(const gql_resolve_info *info, const gql_value *filter,
                        store_runs_filter *out, const char **message) {
  *out = (store_runs_filter){0};
  *message = NULL;
  if (is_null(filter))
    return true;
  if (!filter_run_ids(info, gql_value_field(filter, "runIds"), out, message))
    return false;
  filter_tags(info, gql_value_field(filter, "tags"), out);
  filter_statuses(info, gql_value_field(filter, "statuses"), out);
  out->job_name = api_value_string(filter, "pipelineName");
  out->snapshot_id = api_value_string(filter, "snapshotId");
  out->mode = api_value_string(filter, "mode");
  out->created_before = float_field(filter, "createdBefore");
  out->created_after = float_field(filter, "createdAfter");
  out->updated_before = float_field(filter, "updatedBefore");
  out->updated_after = float_field(filter, "updatedAfter");
  return true;
}

/* ---- Query: runs ------------------------------------------------------------- */

/* The arguments of a runs query, and the page once read. */
typedef struct runs_page {
  run_instance *inst;
  store_runs_filter filter;
  const char *cursor; /* NULL: from the newest */
  int limit;          /* -1: all */
  bool fetched;
  const store_run *runs;
  size_t n;
} runs_page;

/* Reads the page; false after setting *error (PythonError, or a field
 * error when as_field). */
static bool fetch_page(const gql_resolve_info *info, runs_page *p, bool as_field, gql_rv *error) {
  if (p->fetched)
    return true;
  store_error err = {{0}};
  p->runs =
      store_runs_list(p->inst->store, &p->filter, p->cursor, p->limit, info->arena, &p->n, &err);
  if (!p->runs && err.message[0]) {
    *error = as_field ? gql_rv_errorf(info->arena, "%s", err.message)
                      : api_python_error(info, "%s", err.message);
    return false;
  }
  p->fetched = true;
  return true;
}

/* The filter, cursor and limit arguments as a page; NULL after setting
 * *result (no instance, or InvalidPipelineRunsFilterError). */
static runs_page *page_args(const gql_resolve_info *info, gql_rv *result) {
  run_instance *inst = api_instance(info, result);
  if (!inst)
    return NULL;
  runs_page *p = ARENA_NEW(info->arena, runs_page);
  p->inst = inst;
  const char *message;
  if (!runs_filter(info, gql_arg(info, "filter"), &p->filter, &message)) {
    *result = api_error(info, "InvalidPipelineRunsFilterError", message, (const char *)NULL);
    return NULL;
  }
  /* Dagster reads both as truthy values: "" is no cursor, 0 no limit. */
  const char *cursor = api_arg_string(info, "cursor");
  p->cursor = cursor && *cursor ? cursor : NULL;
  p->limit = limit_arg(info, "limit");
  return p;
}

/* runsOrError, pipelineRunsOrError. A page of bounded size is read now, so
 * a storage failure answers a PythonError; with no limit the runs are read
 * only when `results` is asked for (a client counting runs reads none). */
static gql_rv q_runs_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  runs_page *p = page_args(info, &result);
  if (!p)
    return result;
  if (p->limit > 0 && !fetch_page(info, p, false, &result))
    return result;
  return api_object(info, p, "Runs");
}

static gql_rv runs_results(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  /* The page is this request's own: read on first use, kept for count. */
  runs_page *p = (runs_page *)parent;
  gql_rv error;
  if (!fetch_page(info, p, true, &error))
    return error;
  gql_rv list = gql_rv_list(info->arena, p->n);
  for (size_t i = 0; i < p->n; i++)
    list.u.list.items[i] = api_run_object(info, &p->runs[i]);
  return list;
}

/* Dagster's count: every run the filter matches, whatever the cursor and
 * limit (GrapheneRuns.resolve_count). */
static gql_rv runs_count(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const runs_page *p = parent;
  store_error err = {{0}};
  int64_t n = store_runs_count(p->inst->store, &p->filter, &err);
  if (n < 0)
    return gql_rv_errorf(info->arena, "%s", err.message);
  return gql_rv_int(n);
}

static gql_rv q_run_ids_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  runs_page *p = page_args(info, &result);
  if (!p)
    return result;
  if (!fetch_page(info, p, false, &result))
    return result;
  json_t *ids = json_array();
  for (size_t i = 0; i < p->n; i++)
    json_array_append_new(ids, json_string(p->runs[i].run_id));
  return api_json(info, json_pack("{s:s, s:o}", "__typename", "RunIds", "results", ids));
}

gql_rv api_run_or_error(const gql_resolve_info *info, const char *run_id) {
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  store_error err = {{0}};
  store_run *run = run_id ? store_run_get(inst->store, run_id, info->arena, &err) : NULL;
  if (run)
    return api_run_object(info, run);
  if (err.message[0])
    return api_python_error(info, "%s", err.message);
  return api_run_not_found(info, run_id);
}

gql_rv api_run_not_found(const gql_resolve_info *info, const char *run_id) {
  const char *id = run_id ? run_id : "";
  return api_error(info, "RunNotFoundError",
                   arena_printf(info->arena, "Pipeline run %s could not be found.", id), "runId",
                   id, (const char *)NULL);
}

static gql_rv q_run_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  return api_run_or_error(info, api_arg_string(info, "runId"));
}

/* ---- run groups --------------------------------------------------------------- */

typedef struct run_group {
  const char *root_run_id;
  const store_run *runs;
  size_t n;
} run_group;

/* Dagster: the group of the run (its root and every run naming that root),
 * root first, then the others oldest first; RunGroupNotFoundError when the
 * run, or the root it names, does not exist. */
static gql_rv q_run_group_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  const char *run_id = api_arg_string(info, "runId");
  run_id = run_id ? run_id : "";
  store_error err = {{0}};
  const char *root = NULL;
  size_t n = 0;
  store_run *runs = store_run_group(inst->store, run_id, &root, info->arena, &n, &err);
  if (!runs && err.message[0]) {
    /* The run exists but its root does not: Dagster's DagsterRunNotFoundError,
     * answered as not found; anything else is the storage failing. */
    store_error get_err = {{0}};
    if (!store_run_get(inst->store, run_id, info->arena, &get_err) || get_err.message[0])
      return api_python_error(info, "%s", err.message);
  }
  if (!runs)
    return api_error(info, "RunGroupNotFoundError",
                     arena_printf(info->arena, "Run group of run %s could not be found.", run_id),
                     "runId", run_id, (const char *)NULL);
  for (size_t i = 1; i < n; i++) {
    if (strcmp(runs[i].run_id, root) == 0) {
      store_run r = runs[i];
      memmove(&runs[1], &runs[0], i * sizeof *runs);
      runs[0] = r;
      break;
    }
  }
  run_group *g = ARENA_NEW(info->arena, run_group);
  g->root_run_id = root;
  g->runs = runs;
  g->n = n;
  return api_object(info, g, "RunGroup");
}

static gql_rv group_root(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const run_group *)parent)->root_run_id);
}

static gql_rv group_runs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const run_group *g = parent;
  gql_rv list = gql_rv_list(info->arena, g->n);
  for (size_t i = 0; i < g->n; i++)
    list.u.list.items[i] = api_run_object(info, &g->runs[i]);
  return list;
}

/* ---- tags --------------------------------------------------------------------- */

static bool is_hidden(const char *key) {
  return strncmp(key, HIDDEN_TAG_PREFIX, strlen(HIDDEN_TAG_PREFIX)) == 0;
}

/* Every tag key of the instance but the hidden ones, sorted. */
static gql_rv q_run_tag_keys(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  store_error err = {{0}};
  size_t n = 0;
  const char *const *keys = store_tag_keys(inst->store, info->arena, &n, &err);
  if (!keys && err.message[0])
    return api_python_error(info, "%s", err.message);
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    if (!is_hidden(keys[i]))
      json_array_append_new(list, json_string(keys[i]));
  return api_json(info, json_pack("{s:s, s:o}", "__typename", "RunTagKeys", "keys", list));
}

/* Dagster's get_run_tags: the distinct (key, value) pairs of the keys asked
 * for (all when none) whose value starts with the prefix, at most limit
 * pairs (a falsy limit: all), grouped by key; hidden keys are left out
 * after the limit, as Dagster filters them. Keys and values sorted. */
static gql_rv q_run_tags(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv result;
  run_instance *inst = api_instance(info, &result);
  if (!inst)
    return result;
  const gql_value *keys_arg = gql_arg(info, "tagKeys");
  size_t n_keys = is_null(keys_arg) ? 0 : keys_arg->n_items;
  const char **keys = ARENA_ARRAY(info->arena, const char *, n_keys + 1);
  for (size_t i = 0; i < n_keys; i++)
    keys[i] = keys_arg->items[i]->str;
  const char *prefix = api_arg_string(info, "valuePrefix");
  store_error err = {{0}};
  size_t n = 0;
  store_tag *tags =
      store_tags(inst->store, n_keys ? keys : NULL, n_keys, prefix && *prefix ? prefix : NULL,
                 limit_arg(info, "limit"), info->arena, &n, &err);
  if (!tags && err.message[0])
    return api_python_error(info, "%s", err.message);
  json_t *groups = json_array();
  json_t *values = NULL;
  for (size_t i = 0; i < n; i++) {
    if (is_hidden(tags[i].key))
      continue;
    if (!values || strcmp(tags[i].key, tags[i - 1].key) != 0) {
      values = json_array();
      json_array_append_new(groups,
                            json_pack("{s:s, s:s, s:o}", "__typename", "PipelineTagAndValues",
                                      "key", tags[i].key, "values", values));
    }
    json_array_append_new(values, json_string(tags[i].value));
  }
  return api_json(info, json_pack("{s:s, s:o}", "__typename", "RunTags", "tags", groups));
}

/* ---- stats ---------------------------------------------------------------------- */

/* Dagster's RunStatsSnapshot of a run's events (build_run_stats_from_events). */
typedef struct run_stats {
  const char *run_id;
  int64_t steps_succeeded, steps_failed, materializations, expectations;
  double enqueued, launched, started, ended; /* 0: none */
} run_stats;

static const run_stats *stats_of(const gql_resolve_info *info, const char *run_id, run_events *ev) {
  if (ev->stats)
    return ev->stats;
  run_stats *s = ARENA_NEW(info->arena, run_stats);
  s->run_id = arena_strdup(info->arena, run_id);
  for (size_t i = 0; i < ev->n; i++) {
    const store_event *e = &ev->items[i];
    if (!e->event_type)
      continue;
    if (is_type(e, "RUN_START"))
      s->started = e->timestamp;
    else if (is_type(e, "RUN_STARTING"))
      s->launched = e->timestamp;
    else if (is_type(e, "RUN_ENQUEUED"))
      s->enqueued = e->timestamp;
    else if (is_type(e, "STEP_FAILURE"))
      s->steps_failed++;
    else if (is_type(e, "STEP_SUCCESS"))
      s->steps_succeeded++;
    else if (is_type(e, "ASSET_MATERIALIZATION"))
      s->materializations++;
    else if (is_type(e, "STEP_EXPECTATION_RESULT"))
      s->expectations++;
    else if (is_type(e, "RUN_SUCCESS") || is_type(e, "RUN_FAILURE") || is_type(e, "RUN_CANCELED"))
      s->ended = e->timestamp;
  }
  ev->stats = s;
  return s;
}

#define STATS(parent) ((const run_stats *)(parent))

static gql_rv stats_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_string(arena_printf(info->arena, "stats-%s", STATS(parent)->run_id));
}

static gql_rv stats_run_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(STATS(parent)->run_id);
}

static gql_rv stats_succeeded(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_int(STATS(parent)->steps_succeeded);
}

static gql_rv stats_failed(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_int(STATS(parent)->steps_failed);
}

static gql_rv stats_materializations(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_int(STATS(parent)->materializations);
}

static gql_rv stats_expectations(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_int(STATS(parent)->expectations);
}

static gql_rv stats_enqueued(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(STATS(parent)->enqueued);
}

static gql_rv stats_launched(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(STATS(parent)->launched);
}

static gql_rv stats_started(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(STATS(parent)->started);
}

static gql_rv stats_ended(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(STATS(parent)->ended);
}

/* ---- step stats ----------------------------------------------------------------- */

/* Dagster's RunStepMarker: an attempt or a marker's span (0: an end not known). */
typedef struct step_marker {
  const char *key; /* markers: the marker's name; attempts: NULL */
  double start, end;
} step_marker;

/* Dagster's RunStepKeyStatsSnapshot. */
typedef struct step_stat {
  const char *run_id;
  const char *job_name; /* the events' pipelineName */
  const char *step_key;
  const char *status; /* NULL: none */
  double start, end;
  const store_event **materializations;
  size_t n_materializations, cap_materializations;
  /* STEP_UP_FOR_RETRY and STEP_RESTARTED, in order */
  const store_event **attempt_events;
  size_t n_attempt_events, cap_attempt_events;
  step_marker *attempts;
  size_t n_attempts, cap_attempts;
  step_marker *markers;
  size_t n_markers, cap_markers;
  bool listed; /* has an entry of its own (Dagster's by_step_key) */
} step_stat;

typedef struct step_stats {
  const char *job_name;
  step_stat **items; /* the listed ones, in order of their first event */
  size_t n, cap;
  strmap by_key; /* step key → step_stat (listed or not) */
} step_stats;

/* Dagster's MARKER_EVENTS: those whose body may open or close a marker. */
static bool is_marker_event(const store_event *e) {
  static const char *const types[] = {"ENGINE_EVENT",          "STEP_WORKER_STARTING",
                                      "STEP_WORKER_STARTED",   "RESOURCE_INIT_STARTED",
                                      "RESOURCE_INIT_SUCCESS", "RESOURCE_INIT_FAILURE"};
  for (size_t i = 0; i < API_COUNT(types); i++)
    if (is_type(e, types[i]))
      return true;
  return false;
}

/* The step's entry; listed makes it one of the answer's (as Dagster's
 * by_step_key entries are made by the step events, not the markers). */
static step_stat *step_entry(const gql_resolve_info *info, step_stats *all, const char *run_id,
                             const char *key, bool listed) {
  step_stat *s = strmap_get(&all->by_key, key);
  if (!s) {
    s = ARENA_NEW(info->arena, step_stat);
    s->run_id = run_id;
    s->job_name = all->job_name;
    s->step_key = key;
    strmap_put(&all->by_key, info->arena, key, s);
  }
  if (listed && !s->listed) {
    s->listed = true;
    all->items = arena_grow(info->arena, all->items, &all->cap, all->n, sizeof *all->items);
    all->items[all->n++] = s;
  }
  return s;
}

static void push_event(arena *a, const store_event ***items, size_t *n, size_t *cap,
                       const store_event *e) {
  *items = arena_grow(a, *items, cap, *n, sizeof **items);
  (*items)[(*n)++] = e;
}

static void push_marker(arena *a, step_stat *s, bool attempt, step_marker m) {
  step_marker **items = attempt ? &s->attempts : &s->markers;
  size_t *n = attempt ? &s->n_attempts : &s->n_markers;
  size_t *cap = attempt ? &s->cap_attempts : &s->cap_markers;
  *items = arena_grow(a, *items, cap, *n, sizeof **items);
  (*items)[(*n)++] = m;
}

/* Opens (start) or closes the named marker of the step at time t. */
static void mark(arena *a, step_stat *s, const char *key, bool start, double t) {
  size_t i = 0;
  while (i < s->n_markers && strcmp(s->markers[i].key, key) != 0)
    i++;
  if (i == s->n_markers)
    push_marker(a, s, false, (step_marker){.key = arena_strdup(a, key)});
  if (start)
    s->markers[i].start = t;
  else
    s->markers[i].end = t;
}

static void read_markers(arena *a, step_stat *s, const store_event *e) {
  json_t *body = e->body ? json_loads(e->body, 0, NULL) : NULL;
  const char *start = json_string_value(json_object_get(body, "markerStart"));
  const char *end = json_string_value(json_object_get(body, "markerEnd"));
  if (start)
    mark(a, s, start, true, e->timestamp);
  if (end)
    mark(a, s, end, false, e->timestamp);
  json_decref(body);
}

/* One event's part of the stats (the first loop of Dagster's
 * build_run_step_stats_from_events). */
static void step_event(const gql_resolve_info *info, step_stats *all, const char *run_id,
                       const store_event *e) {
  arena *a = info->arena;
  bool is_step = is_type(e, "STEP_START") || is_type(e, "STEP_FAILURE") ||
                 is_type(e, "STEP_RESTARTED") || is_type(e, "STEP_SUCCESS") ||
                 is_type(e, "STEP_SKIPPED") || is_type(e, "ASSET_MATERIALIZATION") ||
                 is_type(e, "STEP_EXPECTATION_RESULT");
  bool attempt = is_type(e, "STEP_UP_FOR_RETRY") || is_type(e, "STEP_RESTARTED");
  bool marker = is_marker_event(e);
  if (!is_step && !attempt && !marker)
    return;
  step_stat *s = step_entry(info, all, run_id, e->step_key, is_step);
  if (is_type(e, "STEP_START")) {
    s->start = e->timestamp;
  } else if (is_type(e, "STEP_FAILURE")) {
    s->end = e->timestamp;
    s->status = "FAILURE";
  } else if (is_type(e, "STEP_SUCCESS")) {
    s->end = e->timestamp;
    s->status = "SUCCESS";
  } else if (is_type(e, "STEP_SKIPPED")) {
    s->end = e->timestamp;
    s->status = "SKIPPED";
  } else if (is_type(e, "ASSET_MATERIALIZATION")) {
    push_event(a, &s->materializations, &s->n_materializations, &s->cap_materializations, e);
  }
  if (attempt)
    push_event(a, &s->attempt_events, &s->n_attempt_events, &s->cap_attempt_events, e);
  if (marker)
    read_markers(a, s, e);
}

/* The attempts of a step (the second loop): each retry closes one, each
 * restart opens the next, the end closes the last; no end: in progress. */
static void step_attempts(arena *a, step_stat *s) {
  double attempt_start = s->start;
  for (size_t i = 0; i < s->n_attempt_events; i++) {
    const store_event *e = s->attempt_events[i];
    if (is_type(e, "STEP_UP_FOR_RETRY"))
      push_marker(a, s, true, (step_marker){.start = attempt_start, .end = e->timestamp});
    else
      attempt_start = e->timestamp;
  }
  if (s->end != 0)
    push_marker(a, s, true, (step_marker){.start = attempt_start, .end = s->end});
  else
    s->status = "IN_PROGRESS";
}

static const step_stats *step_stats_of(const gql_resolve_info *info, const char *run_id,
                                       const char *job_name, run_events *ev) {
  if (ev->steps)
    return ev->steps;
  step_stats *all = ARENA_NEW(info->arena, step_stats);
  all->job_name = arena_strdup(info->arena, job_name);
  const char *id = arena_strdup(info->arena, run_id);
  for (size_t i = 0; i < ev->n; i++)
    if (ev->items[i].event_type && ev->items[i].step_key)
      step_event(info, all, id, &ev->items[i]);
  for (size_t i = 0; i < all->n; i++)
    step_attempts(info->arena, all->items[i]);
  ev->steps = all;
  return all;
}

gql_rv api_step_stats_object(const gql_resolve_info *info, const char *run_id, const char *job_name,
                             const char *step_key) {
  run_events *ev = events_of(info, run_id);
  if (ev->error)
    return gql_rv_errorf(info->arena, "%s", ev->error);
  const step_stats *all = step_stats_of(info, run_id, job_name, ev);
  step_stat *s = strmap_get(&all->by_key, step_key);
  if (!s || !s->listed) {
    /* A step with no events yet: its key and nothing else. */
    s = ARENA_NEW(info->arena, step_stat);
    s->run_id = arena_strdup(info->arena, run_id);
    s->job_name = all->job_name;
    s->step_key = arena_strdup(info->arena, step_key);
  }
  return api_object(info, s, "RunStepStats");
}

#define STEP(parent) ((const step_stat *)(parent))

static gql_rv step_run_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(STEP(parent)->run_id);
}

static gql_rv step_key_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(STEP(parent)->step_key);
}

static gql_rv step_status(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(STEP(parent)->status);
}

static gql_rv step_start(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(STEP(parent)->start);
}

static gql_rv step_end(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(STEP(parent)->end);
}

static gql_rv event_list(const gql_resolve_info *info, const store_event *const *events, size_t n,
                         const char *job_name) {
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = api_event_object(info, events[i], job_name);
  return list;
}

static gql_rv step_materializations(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const step_stat *s = STEP(parent);
  return event_list(info, s->materializations, s->n_materializations, s->job_name);
}

static gql_rv marker_list(const gql_resolve_info *info, const step_marker *m, size_t n) {
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_pack("{s:s}", "__typename", "RunMarker");
    json_object_set_new(o, "startTime", m[i].start != 0 ? json_real(m[i].start) : json_null());
    json_object_set_new(o, "endTime", m[i].end != 0 ? json_real(m[i].end) : json_null());
    list.u.list.items[i] = api_json(info, o);
  }
  return list;
}

static gql_rv step_attempts_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return marker_list(info, STEP(parent)->attempts, STEP(parent)->n_attempts);
}

static gql_rv step_markers_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return marker_list(info, STEP(parent)->markers, STEP(parent)->n_markers);
}

/* ---- Run ------------------------------------------------------------------------ */

gql_rv api_run_object(const gql_resolve_info *info, const store_run *run) {
  return api_object(info, run, "Run");
}

#define RUN(parent) ((const store_run *)(parent))

static gql_rv run_id_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(RUN(parent)->run_id);
}

static gql_rv run_snapshot_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(RUN(parent)->snapshot_id);
}

/* The origin of the repository the run came from, as the workspace's
 * repository of that location and name shows it (so their ids match);
 * null once the workspace no longer has that repository. */
static gql_rv run_repository_origin(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const store_run *run = RUN(parent);
  const api_location *loc = api_repository_find(info, run->location_name, run->repository_name);
  return loc ? api_object(info, loc, "RepositoryOrigin") : gql_rv_null();
}

static gql_rv run_status(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(store_run_status_name(RUN(parent)->status));
}

/* The job snapshot the run was made from (subset as it ran), or Dagster's
 * UnknownPipeline when the instance no longer has it. */
static gql_rv run_pipeline(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const store_run *run = RUN(parent);
  const char *error;
  const api_container *c = run_container(info, run, &error);
  if (error)
    return gql_rv_errorf(info->arena, "%s", error);
  if (c)
    return api_object(info, c, "PipelineSnapshot");
  json_t *o = json_pack("{s:s, s:s}", "__typename", "UnknownPipeline", "name",
                        run->job_name ? run->job_name : "");
  /* Dagster shows the resolved selection, null when there is none. */
  json_t *sel = run->resolved_op_selection ? json_loads(run->resolved_op_selection, 0, NULL) : NULL;
  if (!json_is_array(sel) || !json_array_size(sel)) {
    json_decref(sel);
    sel = json_null();
  }
  json_object_set_new(o, "solidSelection", sel);
  return api_json(info, o);
}

static gql_rv run_job_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(RUN(parent)->job_name);
}

static gql_rv run_solid_selection(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return string_array(info, RUN(parent)->op_selection);
}

static gql_rv run_resolved_selection(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return string_array(info, RUN(parent)->resolved_op_selection);
}

static gql_rv run_step_keys(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return string_array(info, RUN(parent)->step_keys_to_execute);
}

static gql_rv run_stats_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  run_events *ev = events_of(info, RUN(parent)->run_id);
  if (ev->error)
    return api_python_error(info, "%s", ev->error);
  return api_object(info, stats_of(info, RUN(parent)->run_id, ev), "RunStatsSnapshot");
}

static gql_rv run_step_stats(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  run_events *ev = events_of(info, RUN(parent)->run_id);
  if (ev->error)
    return gql_rv_errorf(info->arena, "%s", ev->error);
  const step_stats *all = step_stats_of(info, RUN(parent)->run_id, RUN(parent)->job_name, ev);
  gql_rv list = gql_rv_list(info->arena, all->n);
  for (size_t i = 0; i < all->n; i++)
    list.u.list.items[i] = api_object(info, all->items[i], "RunStepStats");
  return list;
}

/* The step's captured stdout/stderr: log key [run id, "compute_logs", file key]. */
static gql_rv run_captured_logs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const char *file_key = api_arg_string(info, "fileKey");
  const char *key[] = {RUN(parent)->run_id, "compute_logs", file_key ? file_key : ""};
  return api_captured_logs(info, key, API_COUNT(key), NULL, 0, NULL);
}

/* The plan of the run's job as stored, restricted to the steps it
 * executes (Dagster's steps in plan); null without its snapshot. */
static gql_rv run_execution_plan(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const store_run *run = RUN(parent);
  const char *error;
  const api_container *c = run_container(info, run, &error);
  if (error)
    return gql_rv_errorf(info->arena, "%s", error);
  if (!c)
    return gql_rv_null();
  const defs_plan *full = defs_plan_build(c->job, info->arena);
  const char **keys;
  size_t n_keys;
  strings_of(info->arena, run->step_keys_to_execute, &keys, &n_keys);
  if (!n_keys)
    return api_object(info, full, "ExecutionPlan");
  defs_step *steps = ARENA_ARRAY(info->arena, defs_step, full->n_steps + 1);
  size_t n = 0;
  for (size_t i = 0; i < full->n_steps; i++) {
    for (size_t k = 0; k < n_keys; k++) {
      if (strcmp(full->steps[i].key, keys[k]) == 0) {
        steps[n++] = full->steps[i];
        break;
      }
    }
  }
  defs_plan *p = ARENA_NEW(info->arena, defs_plan);
  p->steps = steps;
  p->n_steps = n;
  return api_object(info, p, "ExecutionPlan");
}

/* The stored run config, parsed (NULL after setting *error). */
static json_t *run_config_json(const gql_resolve_info *info, const store_run *run, gql_rv *error) {
  json_error_t je;
  json_t *config =
      run->run_config ? json_loads(run->run_config, JSON_DECODE_ANY, &je) : json_object();
  if (!config) {
    *error = gql_rv_errorf(info->arena, "the stored run config of run %s is not JSON: %s",
                           run->run_id, je.text);
    return NULL;
  }
  return api_json_defer(info->arena, config);
}

/* Dagster's dump_run_config_yaml of the run config as stored. */
static gql_rv run_config_yaml(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  gql_rv error;
  json_t *config = run_config_json(info, RUN(parent), &error);
  if (!config)
    return error;
  buf out;
  buf_init(&out, info->arena);
  yaml_emit_json(&out, config, YAML_EMIT_RUN_CONFIG);
  return gql_rv_string(buf_cstr(&out));
}

static gql_rv run_config_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  gql_rv error;
  json_t *config = run_config_json(info, RUN(parent), &error);
  return config ? gql_rv_json(config) : error;
}

static gql_rv run_mode(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(RUN(parent)->mode ? RUN(parent)->mode : "default");
}

/* The run's tags in their stored order (by key), the hidden ones left out
 * as Dagster leaves them out. */
static gql_rv run_tags(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const store_run *run = RUN(parent);
  defs_pair *pairs = ARENA_ARRAY(info->arena, defs_pair, run->n_tags + 1);
  size_t n = 0;
  for (size_t i = 0; i < run->n_tags; i++)
    if (!is_hidden(run->tags[i].key))
      pairs[n++] = (defs_pair){run->tags[i].key, run->tags[i].value};
  return api_pairs_list(info, pairs, n, "PipelineTag");
}

static gql_rv run_root_run_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(RUN(parent)->root_run_id);
}

static gql_rv run_parent_run_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(RUN(parent)->parent_run_id);
}

static gql_rv run_can_terminate_field(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  return gql_rv_bool(run_can_terminate(RUN(parent)->status));
}

static gql_rv run_event_connection(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_event_connection(info, RUN(parent), api_arg_string(info, "afterCursor"),
                              limit_arg(info, "limit"));
}

static gql_rv run_asset_materializations(const gql_resolve_info *info, const void *parent,
                                         void *data) {
  (void)data;
  const store_run *run = RUN(parent);
  run_events *ev = events_of(info, run->run_id);
  if (ev->error)
    return gql_rv_errorf(info->arena, "%s", ev->error);
  const store_event **mats = ARENA_ARRAY(info->arena, const store_event *, ev->n + 1);
  size_t n = 0;
  for (size_t i = 0; i < ev->n; i++)
    if (is_type(&ev->items[i], "ASSET_MATERIALIZATION"))
      mats[n++] = &ev->items[i];
  return event_list(info, mats, n, run->job_name);
}

static gql_rv run_creation_time(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_float(RUN(parent)->create_time);
}

/* Dagster: a run that got past starting but has no start time (it failed
 * while starting) shows its end time as its start time. */
static gql_rv run_start_time(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  const store_run *run = RUN(parent);
  if (run->start_time != 0)
    return gql_rv_float(run->start_time);
  bool past_start = run->status == STORE_RUN_STARTED || store_run_status_finished(run->status);
  return past_start ? time_or_null(run->end_time) : gql_rv_null();
}

static gql_rv run_end_time(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(RUN(parent)->end_time);
}

static gql_rv run_update_time(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return time_or_null(RUN(parent)->update_time);
}

/* Dagster's run-scoped permissions: granted unless the server is read-only. */
static gql_rv run_permission(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  const api_context *ctx = info->context;
  return gql_rv_bool(!ctx->read_only);
}

/* ---- attaching -------------------------------------------------------------------- */

static const api_resolver runs_resolvers[] = {
    {"Query.runsOrError", q_runs_or_error},
    {"Query.pipelineRunsOrError", q_runs_or_error},
    {"Query.runOrError", q_run_or_error},
    {"Query.pipelineRunOrError", q_run_or_error},
    {"Query.runIdsOrError", q_run_ids_or_error},
    {"Query.runGroupOrError", q_run_group_or_error},
    {"Query.runTagKeysOrError", q_run_tag_keys},
    {"Query.runTagsOrError", q_run_tags},
    {"Runs.results", runs_results},
    {"Runs.count", runs_count},
    {"RunGroup.rootRunId", group_root},
    {"RunGroup.runs", group_runs},
    {"Run.id", run_id_field},
    {"Run.runId", run_id_field},
    {"Run.pipelineSnapshotId", run_snapshot_id},
    {"Run.repositoryOrigin", run_repository_origin},
    {"Run.status", run_status},
    {"Run.pipeline", run_pipeline},
    {"Run.pipelineName", run_job_name},
    {"Run.jobName", run_job_name},
    {"Run.solidSelection", run_solid_selection},
    {"Run.resolvedOpSelection", run_resolved_selection},
    {"Run.stats", run_stats_field},
    {"Run.stepStats", run_step_stats},
    {"Run.capturedLogs", run_captured_logs},
    {"Run.executionPlan", run_execution_plan},
    {"Run.stepKeysToExecute", run_step_keys},
    {"Run.runConfigYaml", run_config_yaml},
    {"Run.runConfig", run_config_field},
    {"Run.mode", run_mode},
    {"Run.tags", run_tags},
    {"Run.rootRunId", run_root_run_id},
    {"Run.parentRunId", run_parent_run_id},
    {"Run.canTerminate", run_can_terminate_field},
    {"Run.eventConnection", run_event_connection},
    {"Run.assetMaterializations", run_asset_materializations},
    {"Run.creationTime", run_creation_time},
    {"Run.startTime", run_start_time},
    {"Run.endTime", run_end_time},
    {"Run.updateTime", run_update_time},
    {"Run.hasReExecutePermission", run_permission},
    {"Run.hasTerminatePermission", run_permission},
    {"Run.hasDeletePermission", run_permission},
    {"RunStatsSnapshot.id", stats_id},
    {"RunStatsSnapshot.runId", stats_run_id},
    {"RunStatsSnapshot.stepsSucceeded", stats_succeeded},
    {"RunStatsSnapshot.stepsFailed", stats_failed},
    {"RunStatsSnapshot.materializations", stats_materializations},
    {"RunStatsSnapshot.expectations", stats_expectations},
    {"RunStatsSnapshot.enqueuedTime", stats_enqueued},
    {"RunStatsSnapshot.launchTime", stats_launched},
    {"RunStatsSnapshot.startTime", stats_started},
    {"RunStatsSnapshot.endTime", stats_ended},
    {"RunStepStats.runId", step_run_id},
    {"RunStepStats.stepKey", step_key_field},
    {"RunStepStats.status", step_status},
    {"RunStepStats.startTime", step_start},
    {"RunStepStats.endTime", step_end},
    {"RunStepStats.materializations", step_materializations},
    {"RunStepStats.attempts", step_attempts_field},
    {"RunStepStats.markers", step_markers_field},
};

/* The JSON-backed types of this area. */
static const char *const runs_json_types[] = {
    "RunNotFoundError",
    "InvalidPipelineRunsFilterError",
    "RunGroupNotFoundError",
    "RunIds",
    "RunTagKeys",
    "RunTags",
    "PipelineTagAndValues",
    "RunMarker",
    "UnknownPipeline",
};

int api_runs_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_json_types(s, runs_json_types, API_COUNT(runs_json_types), err, err_size) != 0)
    return -1;
  return api_attach(s, runs_resolvers, API_COUNT(runs_resolvers), err, err_size);
}
