/* workspace.c — the workspace area of the API: the shared workspace holder
 * (api_workspace, its lock and per-location load times), the request's view
 * of the code locations (api_locations), and the resolvers of Dagster's
 * workspace types: repositories and their lookups, location entries and
 * statuses, used ops (usedSolids), and the reload mutations.
 *
 * Dagster's facts carried over: a location and its entry are identified by
 * the location's name, a status entry by "location_status:<name>", the
 * workspace by "Workspace"; repositories and their jobs are listed by name;
 * the permissions of a location entry are Dagster's location-scoped
 * permission list, all granted or (read-only) all refused "Disabled by your
 * administrator"; errors carry Dagster's messages.
 *
 * What dagd does by nature: each location is one definitions file loaded
 * by the server itself: a reload reads the file, then swaps the result in
 * under the workspace lock, so a location is always LOADED when a request
 * sees it (with the old or the new definitions), reloads are supported,
 * and there is no Python environment or code server (environmentPath and
 * serverId are null).
 *
 * A failed reload: Dagster shows a location whose load failed as a
 * PythonError on its WorkspaceLocationEntry, with no repository. dagd keeps
 * serving the definitions that loaded before (defs_workspace_reload keeps
 * them), so such a location shows the load error on its entry (its
 * locationOrLoadError is the PythonError whose message is the error text)
 * while repositoriesOrError still lists its repository and its jobs still
 * resolve; a location that never loaded has no repository at all. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/objects.h"
#include "base/arena.h"
#include "base/mem.h"
#include "base/strmap.h"
#include "graphql/values.h"

/* ---- the workspace holder ---------------------------------------------- */

struct api_workspace {
  /* Guards ws's locations' definitions, errors and update times: readers
   * copy them under it, reloads swap new ones in under it. */
  pthread_mutex_t lock;
  /* Serialises reloads among themselves (held while files are read, which
   * happens outside `lock`, so requests never wait on file I/O). */
  pthread_mutex_t reload_lock;
  defs_workspace *ws; /* its locations' names and paths never change */
};

api_workspace *api_workspace_new(defs_workspace *ws) {
  api_workspace *w = xcalloc(1, sizeof *w);
  pthread_mutex_init(&w->lock, NULL);
  pthread_mutex_init(&w->reload_lock, NULL);
  w->ws = ws;
  return w;
}

void api_workspace_free(api_workspace *w) {
  if (!w)
    return;
  defs_workspace_free(w->ws);
  pthread_mutex_destroy(&w->reload_lock);
  pthread_mutex_destroy(&w->lock);
  free(w);
}

defs_workspace *api_workspace_defs(api_workspace *w) { return w->ws; }

static const api_context *context_of(const gql_resolve_info *info) { return info->context; }

static api_workspace *workspace_of(const gql_resolve_info *info) {
  return context_of(info)->workspace;
}

static void release_defs(void *d) { defs_definitions_release(d); }

/* Copies a location for the request (under the lock): its definitions are
 * retained until the request arena goes. */
static void copy_location(arena *a, const defs_location *src, api_location *dst) {
  dst->name = arena_strdup(a, src->name);
  dst->path = arena_strdup(a, src->path);
  dst->error = src->error ? arena_strdup(a, src->error) : NULL;
  dst->defs = NULL;
  if (src->defs) {
    dst->defs = defs_definitions_retain(src->defs);
    arena_defer(a, release_defs, src->defs);
  }
  dst->updated = src->updated;
}

const api_location *api_locations(const gql_resolve_info *info, size_t *n) {
  api_workspace *w = workspace_of(info);
  pthread_mutex_lock(&w->lock);
  size_t count = w->ws ? w->ws->n_locations : 0;
  api_location *locs = ARENA_ARRAY(info->arena, api_location, count ? count : 1);
  for (size_t i = 0; i < count; i++)
    copy_location(info->arena, &w->ws->locations[i], &locs[i]);
  pthread_mutex_unlock(&w->lock);
  *n = count;
  return locs;
}

const api_location *api_location_find(const gql_resolve_info *info, const char *name) {
  api_workspace *w = workspace_of(info);
  api_location *found = NULL;
  pthread_mutex_lock(&w->lock);
  for (size_t i = 0; name && w->ws && i < w->ws->n_locations; i++) {
    if (strcmp(w->ws->locations[i].name, name) == 0) {
      found = ARENA_NEW(info->arena, api_location);
      copy_location(info->arena, &w->ws->locations[i], found);
      break;
    }
  }
  pthread_mutex_unlock(&w->lock);
  return found;
}

/* Reloads the named location, or every location when name is NULL: each
 * file is read without the lock, then swapped in under it (requests
 * already holding definitions keep them). Returns 0, -1 on a load error,
 * -2 when no location has that name (as defs_workspace_reload); 0 for all. */
static int reload_locations(api_workspace *w, const char *name) {
  int rc = name ? -2 : 0;
  pthread_mutex_lock(&w->reload_lock);
  for (size_t i = 0; w->ws && i < w->ws->n_locations; i++) {
    defs_location *loc = &w->ws->locations[i];
    if (name && strcmp(loc->name, name) != 0)
      continue;
    defs_location_load load = defs_location_read(loc->path);
    if (name)
      rc = load.defs ? 0 : -1;
    pthread_mutex_lock(&w->lock);
    defs_location_apply(loc, &load);
    pthread_mutex_unlock(&w->lock);
  }
  pthread_mutex_unlock(&w->reload_lock);
  return rc;
}

/* ---- shared pieces ------------------------------------------------------ */

/* A list of locations as one request saw them: Workspace (every entry),
 * WorkspaceLocationStatusEntries, RepositoryConnection (the loaded ones). */
typedef struct ws_view {
  const api_location *locs;
  size_t n;
} ws_view;

static const ws_view *view_new(const gql_resolve_info *info, const api_location *locs, size_t n) {
  ws_view *v = ARENA_NEW(info->arena, ws_view);
  v->locs = locs;
  v->n = n;
  return v;
}

static const ws_view *view_all(const gql_resolve_info *info) {
  size_t n;
  const api_location *locs = api_locations(info, &n);
  return view_new(info, locs, n);
}

/* The view's locations as objects of the type; only those whose
 * definitions are loaded when loaded_only. */
static gql_rv view_list(const gql_resolve_info *info, const ws_view *v, const char *type,
                        bool loaded_only) {
  size_t n = 0;
  for (size_t i = 0; i < v->n; i++)
    n += !loaded_only || v->locs[i].defs;
  gql_rv r = gql_rv_list(info->arena, n);
  size_t k = 0;
  for (size_t i = 0; i < v->n; i++) {
    if (!loaded_only || v->locs[i].defs)
      r.u.list.items[k++] = api_object(info, &v->locs[i], type);
  }
  return r;
}

/* Dagster identifies a repository by a hash of its origin; dagd's origin is
 * the location and repository names, so the id is stable across restarts
 * and reloads: SHA-1 of "location:repository", in hex. */
static const char *repository_id(arena *a, const api_location *loc) {
  return api_sha1_hex(a, arena_printf(a, "%s:%s", loc->name, loc->defs->repository_name));
}

static gql_rv metadata_item(const gql_resolve_info *info, const char *key, const char *value) {
  return api_json(info, json_pack("{s:s, s:s, s:s}", "__typename", "RepositoryMetadata", "key", key,
                                  "value", value));
}

/* Dagster's display metadata of a location is its origin's (for a Python
 * file: python_file, working_directory, …), and a repository shows its
 * location's. dagd's origin is the definitions file ("definitions_file");
 * where its ops run ("working_directory") is known once it has loaded. */
static gql_rv display_metadata(const gql_resolve_info *info, const api_location *loc) {
  bool wd = loc->defs && loc->defs->working_directory;
  gql_rv r = gql_rv_list(info->arena, wd ? 2 : 1);
  r.u.list.items[0] = metadata_item(info, "definitions_file", loc->path);
  if (wd)
    r.u.list.items[1] = metadata_item(info, "working_directory", loc->defs->working_directory);
  return r;
}

/* Dagster's location-scoped permissions, in its order. */
static const char *const location_permissions[] = {
    "launch_pipeline_execution",
    "launch_pipeline_reexecution",
    "start_schedule",
    "stop_running_schedule",
    "schedule_dry_run",
    "edit_sensor",
    "sensor_dry_run",
    "update_sensor_cursor",
    "terminate_pipeline_execution",
    "delete_pipeline_run",
    "reload_repository_location",
    "wipe_assets",
    "report_runless_asset_events",
    "launch_partition_backfill",
    "cancel_partition_backfill",
    "edit_dynamic_partitions",
    "edit_app_managed_components",
};

static gql_rv permissions(const gql_resolve_info *info) {
  bool granted = !context_of(info)->read_only;
  size_t n = API_COUNT(location_permissions);
  gql_rv r = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++) {
    json_t *p = json_pack("{s:s, s:s, s:b}", "__typename", "Permission", "permission",
                          location_permissions[i], "value", granted);
    json_object_set_new(p, "disabledReason",
                        granted ? json_null() : json_string("Disabled by your administrator"));
    r.u.list.items[i] = api_json(info, p);
  }
  return r;
}

/* The repository a RepositorySelector names: its location, loaded, with
 * that repository name; NULL when there is none. */
static const api_location *select_repository(const gql_resolve_info *info, const gql_value *sel,
                                             const char **location_name,
                                             const char **repository_name) {
  const char *loc_name = api_value_string(sel, "repositoryLocationName");
  const char *repo_name = api_value_string(sel, "repositoryName");
  *location_name = loc_name ? loc_name : "";
  *repository_name = repo_name ? repo_name : "";
  return api_repository_find(info, *location_name, *repository_name);
}

static gql_rv repository_not_found(const gql_resolve_info *info, const char *location_name,
                                   const char *repository_name) {
  const char *msg =
      arena_printf(info->arena, "Could not find Repository %s.%s", location_name, repository_name);
  return api_error(info, "RepositoryNotFoundError", msg, "repositoryName", repository_name,
                   "repositoryLocationName", location_name, (const char *)NULL);
}

/* ---- Query -------------------------------------------------------------- */

static gql_rv resolve_repositories_or_error(const gql_resolve_info *info, const void *parent,
                                            void *data) {
  (void)parent;
  (void)data;
  const gql_value *sel = gql_arg(info, "repositorySelector");
  if (!sel || sel->kind == GQL_VALUE_NULL)
    return api_object(info, view_all(info), "RepositoryConnection");
  const char *location_name, *repository_name;
  const api_location *loc = select_repository(info, sel, &location_name, &repository_name);
  if (!loc)
    return repository_not_found(info, location_name, repository_name);
  return api_object(info, view_new(info, loc, 1), "RepositoryConnection");
}

static gql_rv resolve_repository_or_error(const gql_resolve_info *info, const void *parent,
                                          void *data) {
  (void)parent;
  (void)data;
  const char *location_name, *repository_name;
  const api_location *loc = select_repository(info, gql_arg(info, "repositorySelector"),
                                              &location_name, &repository_name);
  if (!loc)
    return repository_not_found(info, location_name, repository_name);
  return api_object(info, loc, "Repository");
}

static gql_rv resolve_workspace_or_error(const gql_resolve_info *info, const void *parent,
                                         void *data) {
  (void)parent;
  (void)data;
  return api_object(info, view_all(info), "Workspace");
}

static gql_rv resolve_location_statuses_or_error(const gql_resolve_info *info, const void *parent,
                                                 void *data) {
  (void)parent;
  (void)data;
  return api_object(info, view_all(info), "WorkspaceLocationStatusEntries");
}

/* An unknown name answers null, as Dagster's. */
static gql_rv resolve_workspace_location_entry_or_error(const gql_resolve_info *info,
                                                        const void *parent, void *data) {
  (void)parent;
  (void)data;
  const api_location *loc = api_location_find(info, api_arg_string(info, "name"));
  return loc ? api_object(info, loc, "WorkspaceLocationEntry") : gql_rv_null();
}

/* ---- Mutation ----------------------------------------------------------- */

/* Dagster checks the permission first (for a location it does not know,
 * its global permission): read-only refuses before anything else. */
static bool refused(const gql_resolve_info *info, gql_rv *result) {
  if (!context_of(info)->read_only)
    return false;
  *result = api_unauthorized(info);
  return true;
}

static gql_rv location_not_found(const gql_resolve_info *info, const char *name) {
  return api_error(info, "RepositoryLocationNotFound",
                   arena_printf(info->arena, "Location %s does not exist.", name),
                   (const char *)NULL);
}

static gql_rv resolve_reload_repository_location(const gql_resolve_info *info, const void *parent,
                                                 void *data) {
  (void)parent;
  (void)data;
  gql_rv result;
  if (refused(info, &result))
    return result;
  const char *name = api_arg_string(info, "repositoryLocationName");
  if (!name || reload_locations(workspace_of(info), name) == -2)
    return location_not_found(info, name ? name : "");
  /* The entry as reloaded: its new repository, or its load error. */
  return api_object(info, api_location_find(info, name), "WorkspaceLocationEntry");
}

/* Dagster's reloadWorkspace also re-reads the workspace file; dagd's
 * workspace file is read once at start, so this reloads every location. */
static gql_rv resolve_reload_workspace(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)parent;
  (void)data;
  gql_rv result;
  if (refused(info, &result))
    return result;
  reload_locations(workspace_of(info), NULL);
  return api_object(info, view_all(info), "Workspace");
}

/* Dagster shuts down only a code server the user runs (a gRPC server
 * location); for a location the webserver loads itself (a Python file or
 * module) it answers a PythonError "Location X does not support shutting
 * down via GraphQL". Every dagd location is loaded by the server itself,
 * with no server process to stop, so dagd answers the same error;
 * reloadRepositoryLocation is the way to re-read one. */
static gql_rv resolve_shutdown_repository_location(const gql_resolve_info *info, const void *parent,
                                                   void *data) {
  (void)parent;
  (void)data;
  gql_rv result;
  if (refused(info, &result))
    return result;
  const char *name = api_arg_string(info, "repositoryLocationName");
  if (!api_location_find(info, name))
    return location_not_found(info, name ? name : "");
  return api_python_error(info, "Location %s does not support shutting down via GraphQL", name);
}

/* ---- RepositoryConnection, Workspace, WorkspaceLocationStatusEntries ---- */

static gql_rv resolve_connection_nodes(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)data;
  return view_list(info, parent, "Repository", true);
}

static gql_rv resolve_workspace_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)parent;
  (void)data;
  return gql_rv_string("Workspace");
}

static gql_rv resolve_workspace_entries(const gql_resolve_info *info, const void *parent,
                                        void *data) {
  (void)data;
  return view_list(info, parent, "WorkspaceLocationEntry", false);
}

static gql_rv resolve_status_entries(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return view_list(info, parent, "WorkspaceLocationStatusEntry", false);
}

/* ---- fields on an api_location ----------------------------------------- */

/* RepositoryLocation and WorkspaceLocationEntry: id and name are both the
 * location's name; also RepositoryOrigin.repositoryLocationName. */
static gql_rv resolve_location_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  const api_location *loc = parent;
  return gql_rv_string(loc->name);
}

static gql_rv resolve_repository_name(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info;
  (void)data;
  const api_location *loc = parent;
  return gql_rv_string(loc->defs->repository_name);
}

/* Repository.id and RepositoryOrigin.id (the same hash, as Dagster's). */
static gql_rv resolve_repository_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_string(repository_id(info->arena, parent));
}

static gql_rv resolve_display_metadata(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)data;
  return display_metadata(info, parent);
}

static gql_rv resolve_permissions(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  (void)data;
  return permissions(info);
}

static gql_rv resolve_load_status(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)parent;
  (void)data;
  return gql_rv_string("LOADED");
}

static gql_rv resolve_updated(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  const api_location *loc = parent;
  return gql_rv_float(loc->updated);
}

static gql_rv resolve_status_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_location *loc = parent;
  return gql_rv_string(arena_printf(info->arena, "location_status:%s", loc->name));
}

static gql_rv resolve_location_or_load_error(const gql_resolve_info *info, const void *parent,
                                             void *data) {
  (void)data;
  const api_location *loc = parent;
  if (loc->error)
    return api_python_error(info, "%s", loc->error);
  return loc->defs ? api_object(info, loc, "RepositoryLocation") : gql_rv_null();
}

/* One repository a location, once its definitions have loaded. */
static gql_rv resolve_location_repositories(const gql_resolve_info *info, const void *parent,
                                            void *data) {
  (void)data;
  const api_location *loc = parent;
  gql_rv r = gql_rv_list(info->arena, loc->defs ? 1 : 0);
  if (loc->defs)
    r.u.list.items[0] = api_object(info, loc, "Repository");
  return r;
}

static gql_rv resolve_repository_location(const gql_resolve_info *info, const void *parent,
                                          void *data) {
  (void)data;
  return api_object(info, parent, "RepositoryLocation");
}

static gql_rv resolve_repository_origin(const gql_resolve_info *info, const void *parent,
                                        void *data) {
  (void)data;
  return api_object(info, parent, "RepositoryOrigin");
}

static int job_name_cmp(const void *a, const void *b) {
  const defs_job *x = *(const defs_job *const *)a;
  const defs_job *y = *(const defs_job *const *)b;
  return strcmp(x->name, y->name);
}

/* The repository's jobs sorted by name (Dagster's order), as containers. */
static const api_container **jobs_by_name(const gql_resolve_info *info, const api_location *loc,
                                          size_t *n) {
  const defs_definitions *d = loc->defs;
  const defs_job **jobs = ARENA_ARRAY(info->arena, const defs_job *, d->n_jobs ? d->n_jobs : 1);
  for (size_t i = 0; i < d->n_jobs; i++)
    jobs[i] = &d->jobs[i];
  qsort(jobs, d->n_jobs, sizeof *jobs, job_name_cmp);
  const api_container **out =
      ARENA_ARRAY(info->arena, const api_container *, d->n_jobs ? d->n_jobs : 1);
  for (size_t i = 0; i < d->n_jobs; i++)
    out[i] = api_job_container(info, loc, jobs[i]);
  *n = d->n_jobs;
  return out;
}

/* Repository.pipelines and .jobs: every job (dagd's jobs are all jobs),
 * as "Pipeline" or "Job". */
static gql_rv job_list(const gql_resolve_info *info, const api_location *loc, const char *type) {
  size_t n;
  const api_container **jobs = jobs_by_name(info, loc, &n);
  gql_rv r = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    r.u.list.items[i] = api_object(info, jobs[i], type);
  return r;
}

static gql_rv resolve_repository_pipelines(const gql_resolve_info *info, const void *parent,
                                           void *data) {
  (void)data;
  return job_list(info, parent, "Pipeline");
}

static gql_rv resolve_repository_jobs(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)data;
  return job_list(info, parent, "Job");
}

/* ---- used ops ----------------------------------------------------------- */

/* NodeInvocationSite: one handle of one job; seq is the order it was met
 * in (jobs by name, handles in Dagster's order), for a stable sort. */
typedef struct ws_invocation {
  const api_container *job;
  const api_solid *handle;
  size_t seq;
} ws_invocation;

/* UsedSolid: a definition (by name) and where it is used. */
typedef struct ws_used_solid {
  const char *name;
  api_solid_def def;
  ws_invocation *inv;
  size_t n_inv, cap_inv;
} ws_used_solid;

static int used_solid_cmp(const void *a, const void *b) {
  const ws_used_solid *x = *(const ws_used_solid *const *)a;
  const ws_used_solid *y = *(const ws_used_solid *const *)b;
  return strcmp(x->name, y->name);
}

static int invocation_cmp(const void *a, const void *b) {
  const ws_invocation *x = a, *y = b;
  int c = strcmp(x->handle->handle_id, y->handle->handle_id);
  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void add_invocation(arena *a, ws_used_solid *u, const api_container *job,
                           const api_solid *handle, size_t seq) {
  if (u->n_inv == u->cap_inv) {
    size_t cap = u->cap_inv ? 2 * u->cap_inv : 4;
    u->inv = arena_realloc(a, u->inv, u->cap_inv * sizeof *u->inv, cap * sizeof *u->inv);
    u->cap_inv = cap;
  }
  u->inv[u->n_inv++] = (ws_invocation){.job = job, .handle = handle, .seq = seq};
}

/* Dagster's used ops of a repository: every op and graph definition used
 * by its jobs at any depth, sorted by name, each with its invocations
 * sorted by handle id (stably: jobs by name, then Dagster's handle order).
 * A definition is told by its name; its objects are seen from the first job
 * using it. */
static ws_used_solid **used_solids(const gql_resolve_info *info, const api_location *loc,
                                   size_t *n) {
  arena *a = info->arena;
  strmap by_name = {0};
  ws_used_solid **list = NULL;
  size_t count = 0, cap = 0, seq = 0;
  size_t n_jobs;
  const api_container **jobs = jobs_by_name(info, loc, &n_jobs);
  for (size_t j = 0; j < n_jobs; j++) {
    size_t n_handles;
    const api_solid *const *handles = api_container_handles(info, jobs[j], NULL, &n_handles);
    for (size_t h = 0; h < n_handles; h++) {
      const defs_node *node = handles[h]->node;
      const char *name = defs_node_def_name(node);
      ws_used_solid *u = strmap_get(&by_name, name);
      if (!u) {
        u = ARENA_NEW(a, ws_used_solid);
        u->name = name;
        u->def = (api_solid_def){.top = jobs[j], .op = node->op, .graph = node->graph};
        strmap_put(&by_name, a, name, u);
        if (count == cap) {
          size_t grown = cap ? 2 * cap : 8;
          list = arena_realloc(a, list, cap * sizeof *list, grown * sizeof *list);
          cap = grown;
        }
        list[count++] = u;
      }
      add_invocation(a, u, jobs[j], handles[h], seq++);
    }
  }
  if (count)
    qsort(list, count, sizeof *list, used_solid_cmp);
  for (size_t i = 0; i < count; i++)
    qsort(list[i]->inv, list[i]->n_inv, sizeof *list[i]->inv, invocation_cmp);
  *n = count;
  return list;
}

static gql_rv resolve_used_solids(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  size_t n;
  ws_used_solid **used = used_solids(info, parent, &n);
  gql_rv r = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    r.u.list.items[i] = api_object(info, used[i], "UsedSolid");
  return r;
}

/* null for a definition no job uses (Dagster fails on it instead). */
static gql_rv resolve_used_solid(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const char *name = api_arg_string(info, "name");
  size_t n;
  ws_used_solid **used = used_solids(info, parent, &n);
  for (size_t i = 0; name && i < n; i++) {
    if (strcmp(used[i]->name, name) == 0)
      return api_object(info, used[i], "UsedSolid");
  }
  return gql_rv_null();
}

static gql_rv resolve_used_solid_definition(const gql_resolve_info *info, const void *parent,
                                            void *data) {
  (void)data;
  const ws_used_solid *u = parent;
  return api_object(info, &u->def, u->def.op ? "SolidDefinition" : "CompositeSolidDefinition");
}

static gql_rv resolve_used_solid_invocations(const gql_resolve_info *info, const void *parent,
                                             void *data) {
  (void)data;
  const ws_used_solid *u = parent;
  gql_rv r = gql_rv_list(info->arena, u->n_inv);
  for (size_t i = 0; i < u->n_inv; i++)
    r.u.list.items[i] = api_object(info, &u->inv[i], "NodeInvocationSite");
  return r;
}

static gql_rv resolve_invocation_pipeline(const gql_resolve_info *info, const void *parent,
                                          void *data) {
  (void)data;
  const ws_invocation *inv = parent;
  return api_object(info, inv->job, "Pipeline");
}

static gql_rv resolve_invocation_handle(const gql_resolve_info *info, const void *parent,
                                        void *data) {
  (void)data;
  const ws_invocation *inv = parent;
  return api_object(info, inv->handle, "SolidHandle");
}

/* ---- attaching ---------------------------------------------------------- */

static const api_resolver workspace_resolvers[] = {
    {"Query.repositoriesOrError", resolve_repositories_or_error},
    {"Query.repositoryOrError", resolve_repository_or_error},
    {"Query.workspaceOrError", resolve_workspace_or_error},
    {"Query.locationStatusesOrError", resolve_location_statuses_or_error},
    {"Query.workspaceLocationEntryOrError", resolve_workspace_location_entry_or_error},
    {"Mutation.reloadRepositoryLocation", resolve_reload_repository_location},
    {"Mutation.reloadWorkspace", resolve_reload_workspace},
    {"Mutation.shutdownRepositoryLocation", resolve_shutdown_repository_location},
    {"RepositoryConnection.nodes", resolve_connection_nodes},
    {"Workspace.id", resolve_workspace_id},
    {"Workspace.locationEntries", resolve_workspace_entries},
    {"WorkspaceLocationStatusEntries.entries", resolve_status_entries},
    {"Repository.id", resolve_repository_id},
    {"Repository.name", resolve_repository_name},
    {"Repository.location", resolve_repository_location},
    {"Repository.pipelines", resolve_repository_pipelines},
    {"Repository.jobs", resolve_repository_jobs},
    {"Repository.usedSolids", resolve_used_solids},
    {"Repository.usedSolid", resolve_used_solid},
    {"Repository.origin", resolve_repository_origin},
    {"Repository.displayMetadata", resolve_display_metadata},
    {"RepositoryLocation.id", resolve_location_name},
    {"RepositoryLocation.name", resolve_location_name},
    {"RepositoryLocation.isReloadSupported", api_resolve_true},
    {"RepositoryLocation.environmentPath", api_resolve_null},
    {"RepositoryLocation.repositories", resolve_location_repositories},
    {"RepositoryLocation.serverId", api_resolve_null},
    {"WorkspaceLocationEntry.id", resolve_location_name},
    {"WorkspaceLocationEntry.name", resolve_location_name},
    {"WorkspaceLocationEntry.locationOrLoadError", resolve_location_or_load_error},
    {"WorkspaceLocationEntry.loadStatus", resolve_load_status},
    {"WorkspaceLocationEntry.displayMetadata", resolve_display_metadata},
    {"WorkspaceLocationEntry.updatedTimestamp", resolve_updated},
    {"WorkspaceLocationEntry.permissions", resolve_permissions},
    {"WorkspaceLocationStatusEntry.id", resolve_status_id},
    {"WorkspaceLocationStatusEntry.name", resolve_location_name},
    {"WorkspaceLocationStatusEntry.loadStatus", resolve_load_status},
    {"WorkspaceLocationStatusEntry.updateTimestamp", resolve_updated},
    {"WorkspaceLocationStatusEntry.permissions", resolve_permissions},
    {"RepositoryOrigin.id", resolve_repository_id},
    {"RepositoryOrigin.repositoryLocationName", resolve_location_name},
    {"RepositoryOrigin.repositoryName", resolve_repository_name},
    {"RepositoryOrigin.repositoryLocationMetadata", resolve_display_metadata},
    {"UsedSolid.definition", resolve_used_solid_definition},
    {"UsedSolid.invocations", resolve_used_solid_invocations},
    {"NodeInvocationSite.pipeline", resolve_invocation_pipeline},
    {"NodeInvocationSite.solidHandle", resolve_invocation_handle},
};

/* The JSON-backed types of this area (api_error, api_python_error and the
 * small records built here). */
static const char *const workspace_json_types[] = {
    "PythonError",
    "ErrorChainLink",
    "UnauthorizedError",
    "ReloadNotSupported",
    "RepositoryLocationNotFound",
    "RepositoryNotFoundError",
    "ShutdownRepositoryLocationSuccess",
    "Permission",
    "RepositoryMetadata",
};

int api_workspace_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_json_types(s, workspace_json_types, API_COUNT(workspace_json_types), err, err_size) != 0)
    return -1;
  return api_attach(s, workspace_resolvers, API_COUNT(workspace_resolvers), err, err_size);
}
