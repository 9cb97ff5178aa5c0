/* objects.h — the C objects behind the API's GraphQL objects, and the
 * helpers every resolver file shares (private to src/api/).
 *
 * A resolver's parent is one of these structs (or a defs_* struct where the
 * GraphQL object maps one to one onto it), allocated in the request arena.
 * Which struct backs which GraphQL type:
 *
 *   api_location        Repository, RepositoryLocation, WorkspaceLocationEntry,
 *                       WorkspaceLocationStatusEntry, RepositoryOrigin
 *   api_container       Pipeline, Job, PipelineSnapshot (job set),
 *                       Graph (graph set, job NULL)
 *   api_solid           Solid, SolidHandle
 *   api_solid_def       SolidDefinition, CompositeSolidDefinition
 *   api_io              Input, Output, InputDefinition, OutputDefinition,
 *                       InputMapping, OutputMapping
 *   defs_type           RegularDagsterType, ListDagsterType, NullableDagsterType
 *   defs_config_type    the ConfigType family
 *   defs_config_field   ConfigTypeField
 *   store_run           Run (also for PipelineRun, the interface)
 *   api_event           every member of DagsterRunEvent
 *   (runs.c private)    RunStatsSnapshot, RunStepStats, RunGroup, Runs (stats
 *                       computed from the run's events, read once a request)
 *   (subscriptions.c    PipelineRunLogsSubscriptionSuccess (a message of a
 *    private)           run's log subscription: its events and cursor)
 *   json_t              the simple error types and small records (JSON
 *                       objects with "__typename"; api_json_types attaches
 *                       a resolver per field reading the key of that name)
 *
 * Every field of every object type has a resolver (a unit test checks it).
 * The definitions a request reads stay alive until the request ends:
 * api_locations retains them and releases them with the request arena
 * (arena_defer). */
#ifndef DAGD_API_OBJECTS_H
#define DAGD_API_OBJECTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "api/api.h"
#include "base/arena.h"
#include "defs/config.h"
#include "defs/definitions.h"
#include "defs/workspace.h"
#include "graphql/schema.h"
#include "run/instance.h"
#include "storage/storage.h"

/* The workspace w holds, read without its lock: for callers that know no
 * reload runs (tests inspecting what was loaded). */
defs_workspace *api_workspace_defs(api_workspace *w);

/* A code location as one request sees it (one repository per location). */
typedef struct api_location {
  const char *name;
  const char *path;  /* its definitions file */
  const char *error; /* the last load error, NULL when it loaded */
  /* The definitions last loaded (retained for the request); NULL when the
   * location never loaded. */
  const defs_definitions *defs;
  double updated; /* unix time of the last load attempt */
} api_location;

/* Every location of the workspace, in workspace order, as of now; *n
 * receives the count. Each call takes a fresh look (under the lock). */
const api_location *api_locations(const gql_resolve_info *info, size_t *n);
/* The location of that name (fresh, as api_locations), or NULL. */
const api_location *api_location_find(const gql_resolve_info *info, const char *name);

/* A node container: a job (the top level of its graph), or a graph on its
 * own (graphOrError: job NULL). For a job selected with solidSelection,
 * job is the subset job (defs_job_subset).
 *
 * The level of a graph definition's own nodes (a CompositeSolidDefinition's
 * solids) is a container too: graph is that graph, job the job it was
 * reached from (NULL under a graph on its own), and root the Pipeline, Job
 * or Graph container it was reached from. Such containers never back a
 * Pipeline, Job or Graph object. */
typedef struct api_container {
  const api_location *loc;
  const defs_job *job;
  const defs_graph *graph;          /* job NULL or root set: the graph */
  const struct api_container *root; /* NULL: this container is its own root */
} api_container;

/* A node in a container, with its handle. */
typedef struct api_solid {
  const api_container *top; /* the job or graph it was reached from */
  const defs_node *node;
  const char *handle_id;          /* "outer.inner" */
  const struct api_solid *parent; /* the enclosing graph node; NULL at the top */
} api_solid;

/* An op or graph definition (exactly one set), seen from a container. */
typedef struct api_solid_def {
  const api_container *top;
  const defs_op *op;
  const defs_graph *graph;
} api_solid_def;

/* An input or output of a node (Input, Output: solid set) or of a
 * definition (InputDefinition, OutputDefinition: def set); for InputMapping
 * and OutputMapping, def is the graph and index the mapping's. */
typedef struct api_io {
  const api_solid *solid;
  const api_solid_def *def;
  size_t index;
} api_io;

/* ---- helpers ---------------------------------------------------------- */

/* The number of items of an array. */
#define API_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* An object of the named GraphQL type (which must exist) around ptr. */
gql_rv api_object(const gql_resolve_info *info, const void *ptr, const char *type_name);

/* A JSON object to return as a GraphQL object: it is released with the
 * request. Takes the reference. */
gql_rv api_json(const gql_resolve_info *info, json_t *obj);

/* A JSON-backed object {"__typename": type_name, "message": message,
 * key: value…}: the varargs are (const char *key, const char *value) pairs
 * ending with NULL. For Dagster's error types (PipelineNotFoundError, …). */
gql_rv api_error(const gql_resolve_info *info, const char *type_name, const char *message, ...);

/* Dagster's PythonError for an internal failure: message formatted,
 * className "dagd", stack the given context lines (none here). */
gql_rv api_python_error(const gql_resolve_info *info, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The same with Dagster's exception class name (className), for the
 * errors Dagster raises as exceptions its resolvers capture. */
gql_rv api_python_error_class(const gql_resolve_info *info, const char *class_name, const char *fmt,
                              ...) __attribute__((format(printf, 3, 4)));

/* Takes the reference to v and releases it when the arena goes; returns v. */
json_t *api_json_defer(arena *a, json_t *v);

/* A list of strings (items NULL: null). */
gql_rv api_string_list(const gql_resolve_info *info, const char *const *items, size_t n);

/* Resolvers answering a constant: true, false, null, an empty list. */
gql_rv api_resolve_true(const gql_resolve_info *info, const void *parent, void *data);
gql_rv api_resolve_false(const gql_resolve_info *info, const void *parent, void *data);
gql_rv api_resolve_null(const gql_resolve_info *info, const void *parent, void *data);
gql_rv api_resolve_empty_list(const gql_resolve_info *info, const void *parent, void *data);

/* A table of resolvers: "Type.field" (or only "field", for
 * api_attach_common) and its function. */
typedef struct api_resolver {
  const char *field;
  gql_resolve_fn fn;
} api_resolver;

/* Attaches each resolver of the table; on a field that does not exist,
 * returns -1 and names it in err. */
int api_attach(gql_schema *s, const api_resolver *table, size_t n, char *err, size_t err_size);

/* Attaches the same resolvers (fields named without their type) to the
 * fields of each of the n_types types; -1 and err as api_attach. */
int api_attach_common(gql_schema *s, const char *const *types, size_t n_types,
                      const api_resolver *fields, size_t n_fields, char *err, size_t err_size);

/* Makes each of the n object types JSON-backed: every field gets a
 * resolver reading the JSON parent's key of the field's name. On a type
 * that is not an object type of the schema, returns -1 and names it in err. */
int api_json_types(gql_schema *s, const char *const *types, size_t n, char *err, size_t err_size);

/* Sets fn as the resolve_type hook of each of the n abstract types; -1 and
 * err on one the schema does not have. */
int api_resolve_types(gql_schema *s, const char *const *types, size_t n, gql_resolve_type_fn fn,
                      char *err, size_t err_size);

/* Whether an input value (NULL: absent) is true in Python: Dagster tests
 * `params.get(x)` and reads `runConfigData or {}`, so null, "", 0, false,
 * [] and {} are all false. */
bool api_value_truthy(const gql_value *v);

/* The string argument of that name, or NULL when absent or null. */
const char *api_arg_string(const gql_resolve_info *info, const char *name);

/* The string field of that name of an input object value (obj may be NULL
 * or not an object), or NULL when absent or not a string. */
const char *api_value_string(const gql_value *obj, const char *name);

/* The location a repository selector names, when it has loaded and its
 * repository has that name; NULL otherwise (either name NULL included). */
const api_location *api_repository_find(const gql_resolve_info *info, const char *location_name,
                                        const char *repository_name);

/* Finds the job a PipelineSelector value names, applying its
 * solidSelection (and refusing a non-empty assetSelection or
 * assetCheckSelection: dagd has no assets). On success returns true and
 * sets *out (in the request arena). On failure returns false and sets
 * *result to the union member to answer: PipelineNotFoundError (unknown
 * location, repository or job, or a location that failed to load) or
 * InvalidSubsetError. */
bool api_select_job(const gql_resolve_info *info, const gql_value *selector,
                    const api_container **out, gql_rv *result);

/* The run config value of a RunConfigData argument as JSON (a new
 * reference, released with the request): an object as given, or a string
 * parsed as YAML (Dagster accepts both); absent or null gives NULL. On a
 * string that is not YAML, returns NULL and sets *error to the message. */
const json_t *api_run_config_arg(const gql_resolve_info *info, const char *name,
                                 const char **error);
/* The same for a RunConfigData value (an argument or an input field). */
const json_t *api_run_config_value(const gql_resolve_info *info, const gql_value *v,
                                   const char **error);

/* Validates run_config (NULL: {}) against the job's run config schema
 * (built in r) as Dagster's validate_config_from_snap (config_types.c).
 * Returns true when it is valid; otherwise sets *failure to
 * RunConfigValidationInvalid with every error (as isPipelineConfigValid
 * answers it), or to a PythonError (a schema that cannot be built, an
 * error Dagster has no GraphQL type for). */
bool api_run_config_check(const gql_resolve_info *info, defs_config_registry *r,
                          const api_container *c, const json_t *run_config, gql_rv *failure);

/* SHA-1 of the text in hex, in the arena: the API's ids of repositories and
 * jobs hash their origin with it. */
const char *api_sha1_hex(arena *a, const char *text);

/* The request's config type registry: one a request, made on first use and
 * freed with it, so types built by several resolvers (a job's run config
 * schema for its modes, its resources, its loggers) are built once. */
defs_config_registry *api_request_registry(const gql_resolve_info *info);

/* ---- shared between areas (implemented in jobs.c) ---------------------- */

/* A job of a location as a container (a new api_container in the arena). */
const api_container *api_job_container(const gql_resolve_info *info, const api_location *loc,
                                       const defs_job *job);

/* A list of JSON-backed {key, value} objects of the named type
 * (PipelineTag, MetadataItemDefinition), in the pairs' order. */
gql_rv api_pairs_list(const gql_resolve_info *info, const defs_pair *pairs, size_t n,
                      const char *type_name);

/* Every node handle of the container at any depth (Dagster's
 * solidHandles with no parent: each node, then, for a graph node, its
 * inner handles), or only the handles directly under parent_handle_id
 * (NULL: all); *n receives the count. */
const api_solid *const *api_container_handles(const gql_resolve_info *info, const api_container *c,
                                              const char *parent_handle_id, size_t *n);

/* ---- runs (runs.c, events.c) ------------------------------------------ */

/* The instance of the request; NULL after setting *result to a PythonError
 * saying the server has none. */
run_instance *api_instance(const gql_resolve_info *info, gql_rv *result);

/* A Run object (runs.c) for the run, which must live in the request arena
 * (as what store_run_get and store_runs_list return there does). */
gql_rv api_run_object(const gql_resolve_info *info, const store_run *run);

/* Dagster's RunNotFoundError for run_id: "Pipeline run {id} could not be
 * found." (runs.c). */
gql_rv api_run_not_found(const gql_resolve_info *info, const char *run_id);

/* Dagster's UnauthorizedError ("Authorization failed"): what mutations
 * answer on a read-only server (objects.c). */
gql_rv api_unauthorized(const gql_resolve_info *info);

/* The run of that id as a Run object, or RunNotFoundError ("Pipeline run
 * {id} could not be found.", Dagster's text) / PythonError: Dagster's
 * RunOrError (runs.c). */
gql_rv api_run_or_error(const gql_resolve_info *info, const char *run_id);

/* One event of a run's log as the GraphQL object of its type (events.c). */
typedef struct api_event {
  const store_event *event;
  const json_t *body;   /* the parsed body (an empty object when it has none) */
  const char *job_name; /* the run's job (RunEvent.pipelineName) */
} api_event;

/* The object of the DagsterRunEvent member for the event (events.c). */
gql_rv api_event_object(const gql_resolve_info *info, const store_event *ev, const char *job_name);

/* An EventConnection of the run's events after the cursor (an event id in
 * decimal; NULL or "": from the start), at most limit (<0: all) (events.c). */
gql_rv api_event_connection(const gql_resolve_info *info, const store_run *run,
                            const char *after_cursor, int limit);

/* Where a read of a run's log starts (Dagster's EventLogCursor): after an
 * event id, or after skipping that many of the run's events. */
typedef struct api_log_position {
  bool is_offset;
  int64_t value;
} api_log_position;

/* Reads a run-log cursor: NULL or "" is the start, an event id in decimal
 * (dagd's store cursor), or Dagster's cursor text (base64 of
 * {"type": "STORAGE_ID"|"OFFSET", "value": N}). False when it is none of
 * these (events.c). */
bool api_log_cursor_parse(const char *cursor, api_log_position *out);

/* Dagster's cursor text after event id (EventLogCursor.from_storage_id(id)
 * .to_string()), in the arena (events.c). */
const char *api_log_cursor_text(arena *a, int64_t id);

/* The stats of one step of the run, as a RunStepStats object (runs.c). */
gql_rv api_step_stats_object(const gql_resolve_info *info, const char *run_id, const char *job_name,
                             const char *step_key);

/* A CapturedLogs object for the log key (events.c): each stream from its
 * cursor offset ("<stdout>:<stderr>" as Dagster's cursor; NULL: 0:0), at
 * most limit bytes each (<=0: all). *next (next may be NULL) receives the
 * object's cursor, where the next read starts (in the request's arena), or
 * NULL when the answer is an error. */
gql_rv api_captured_logs(const gql_resolve_info *info, const char *const *log_key, size_t n,
                         const char *cursor, int limit, const char **next);

/* The job of the snapshot the instance stores under snapshot_id (as
 * Dagster's historical job), as a container: loaded once per request and
 * released with it, subset by the op selection of the runs made from it.
 * NULL when there is no instance, no such snapshot, or it no longer loads
 * into the job that id names, and then *error set when the storage failed
 * (runs.c). */
const api_container *api_stored_snapshot(const gql_resolve_info *info, const char *snapshot_id,
                                         const char **error);

/* ---- the areas (each attaches its resolvers; -1 and err on failure) ---- */

int api_workspace_attach(gql_schema *s, char *err, size_t err_size);
int api_jobs_attach(gql_schema *s, char *err, size_t err_size);
int api_config_types_attach(gql_schema *s, char *err, size_t err_size);
int api_runs_attach(gql_schema *s, char *err, size_t err_size);
int api_events_attach(gql_schema *s, char *err, size_t err_size);
int api_launch_attach(gql_schema *s, char *err, size_t err_size);
int api_terminate_attach(gql_schema *s, char *err, size_t err_size);
int api_subscriptions_attach(gql_schema *s, char *err, size_t err_size);

/* Resolve-type hooks for the abstract types of each area are set by the
 * same functions. */

#endif
