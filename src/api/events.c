/* events.c — the events area of the API: a run's event log
 * (Query.logsForRun, and Run.eventConnection through api_event_connection),
 * every member of DagsterRunEvent (api_event_object), and the captured
 * stdout/stderr of steps (Query.capturedLogs, Query.capturedLogsMetadata,
 * and Run.capturedLogs through api_captured_logs).
 *
 * Answers follow Dagster's dagster-graphql: implementation/events.py
 * (from_event_record, construct_basic_params), fetch_runs.py
 * (get_logs_for_run), schema/errors.py (PythonError's causes and
 * errorChain), the SQL event log's get_records_for_run with its
 * EventLogCursor, and LocalComputeLogManager.get_log_data with
 * from_captured_log_data.
 *
 * An event's own fields live in its body, a JSON object keyed by the
 * GraphQL field names (run/events.h), so most fields read their key; the
 * body is parsed once, when the event's object is made. */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/objects.h"
#include "base/arena.h"
#include "base/buf.h"
#include "run/compute_logs.h"

/* How many links of a cause chain Dagster reports (PythonError.causes,
 * errorChain); also how deep a body's causes are followed. */
#define MAX_CAUSES 10

#define EVENT(p) ((const api_event *)(p))

/* ---- event types -------------------------------------------------------- */

/* The member of DagsterRunEvent for each stored event type Dagster gives a
 * type of its own (implementation/events.py, from_dagster_event_record;
 * dagd never stores the legacy PIPELINE_* names). Dagster's
 * StepWorkerStarting/Started and ResourceInit* events carry an engine
 * event's fields (metadata, markers, error), so they are EngineEvents here,
 * the member of our union with those fields; any other type (hooks,
 * alerts, …: members dagd's union does not have) is a
 * LogMessageEvent that keeps its eventType, rather than failing the whole
 * log as Dagster does for a type it cannot map. */
static const struct {
  const char *event_type, *type_name;
} member_of[] = {
    {"RUN_ENQUEUED", "RunEnqueuedEvent"},
    {"RUN_DEQUEUED", "RunDequeuedEvent"},
    {"RUN_STARTING", "RunStartingEvent"},
    {"RUN_START", "RunStartEvent"},
    {"RUN_SUCCESS", "RunSuccessEvent"},
    {"RUN_FAILURE", "RunFailureEvent"},
    {"RUN_CANCELING", "RunCancelingEvent"},
    {"RUN_CANCELED", "RunCanceledEvent"},
    {"ENGINE_EVENT", "EngineEvent"},
    {"STEP_WORKER_STARTING", "EngineEvent"},
    {"STEP_WORKER_STARTED", "EngineEvent"},
    {"RESOURCE_INIT_STARTED", "EngineEvent"},
    {"RESOURCE_INIT_SUCCESS", "EngineEvent"},
    {"RESOURCE_INIT_FAILURE", "EngineEvent"},
    {"STEP_START", "ExecutionStepStartEvent"},
    {"STEP_SUCCESS", "ExecutionStepSuccessEvent"},
    {"STEP_FAILURE", "ExecutionStepFailureEvent"},
    {"STEP_SKIPPED", "ExecutionStepSkippedEvent"},
    {"STEP_UP_FOR_RETRY", "ExecutionStepUpForRetryEvent"},
    {"STEP_RESTARTED", "ExecutionStepRestartEvent"},
    {"STEP_INPUT", "ExecutionStepInputEvent"},
    {"STEP_OUTPUT", "ExecutionStepOutputEvent"},
    {"LOADED_INPUT", "LoadedInputEvent"},
    {"HANDLED_OUTPUT", "HandledOutputEvent"},
    {"LOGS_CAPTURED", "LogsCapturedEvent"},
    {"ASSET_MATERIALIZATION", "MaterializationEvent"},
};

static const char *member_name(const store_event *ev) {
  for (size_t i = 0; ev->event_type && i < API_COUNT(member_of); i++)
    if (strcmp(ev->event_type, member_of[i].event_type) == 0)
      return member_of[i].type_name;
  return "LogMessageEvent";
}

gql_rv api_event_object(const gql_resolve_info *info, const store_event *ev, const char *job_name) {
  api_event *e = ARENA_NEW(info->arena, api_event);
  e->event = ev;
  e->job_name = job_name;
  json_t *body = ev->body ? json_loads(ev->body, 0, NULL) : NULL;
  if (!json_is_object(body)) {
    /* A body the worker did not write as an object means "no fields":
     * the event still shows, with its own fields null or empty. */
    json_decref(body);
    body = json_object();
  }
  e->body = api_json_defer(info->arena, body);
  return api_object(info, e, member_name(ev));
}

/* The resolve_type hook of DagsterRunEvent and the event interfaces; NULL
 * for a JSON value (TypeCheck, FailureMetadata), which names its type. */
static const gql_type *event_resolve_type(const gql_schema *schema, const gql_type *abstract,
                                          const gql_rv *value, void *data) {
  (void)abstract;
  (void)data;
  if (value->kind != GQL_RV_OBJECT)
    return NULL;
  return gql_schema_type(schema, member_name(EVENT(value->u.obj.ptr)->event));
}

/* ---- MessageEvent: the fields every event has ------------------------------ */

static gql_rv resolve_run_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(EVENT(parent)->event->run_id);
}

static gql_rv resolve_message(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(EVENT(parent)->event->message);
}

/* Milliseconds as a string, truncated as Python's int(timestamp * 1000). */
static gql_rv resolve_timestamp(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_string(
      arena_printf(info->arena, "%lld", (long long)(EVENT(parent)->event->timestamp * 1000)));
}

/* GrapheneLogLevel.from_level: the five Python levels; anything else is
 * an error, as there. */
static gql_rv resolve_level(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  int level = EVENT(parent)->event->level;
  switch (level) {
  case 50:
    return gql_rv_string("CRITICAL");
  case 40:
    return gql_rv_string("ERROR");
  case 30:
    return gql_rv_string("WARNING");
  case 20:
    return gql_rv_string("INFO");
  case 10:
    return gql_rv_string("DEBUG");
  default:
    return gql_rv_errorf(info->arena, "Invalid log level: %d", level);
  }
}

static gql_rv resolve_step_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(EVENT(parent)->event->step_key);
}

/* Dagster names the step's node handle for structured events only; dagd's
 * step keys are node handles. */
static gql_rv resolve_solid_handle_id(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  const store_event *ev = EVENT(parent)->event;
  return gql_rv_string(ev->event_type ? ev->step_key : NULL);
}

/* The stored type, when DagsterEventType has it (a type the enum lacks
 * would not serialize). */
static gql_rv resolve_event_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const char *t = EVENT(parent)->event->event_type;
  const gql_type *e = gql_schema_type(info->schema, "DagsterEventType");
  return gql_rv_string(t && e && gql_type_enum_value(e, t) ? t : NULL);
}

static gql_rv resolve_pipeline_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(EVENT(parent)->job_name);
}

/* ---- fields from the body --------------------------------------------------- */

/* The body's key of the field's name (absent: null). */
static gql_rv resolve_body_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_json(json_object_get(EVENT(parent)->body, info->field->name));
}

/* metadataEntries of an object: absent means none. */
static gql_rv entries_of(const gql_resolve_info *info, const json_t *obj) {
  const json_t *entries = json_object_get(obj, "metadataEntries");
  return json_is_array(entries) ? gql_rv_json(entries) : gql_rv_list(info->arena, 0);
}

static gql_rv resolve_event_entries(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return entries_of(info, EVENT(parent)->body);
}

/* TypeCheck and FailureMetadata are JSON objects of the body. */
static gql_rv resolve_json_entries(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return entries_of(info, parent);
}

/* Sets key of out to src's value of key, null when absent. */
static void copy_key(json_t *out, const json_t *src, const char *key) {
  json_t *v = json_object_get(src, key);
  json_object_set_new(out, key, v ? json_incref(v) : json_null());
}

/* A body's error as the JSON-backed PythonError serves it (as
 * api_python_error builds it): the worker's {"message", "className",
 * "stack", "cause"} plus Dagster's derived fields, causes (the chain of
 * causes) and errorChain (a link to each of them, explicit ones as a
 * cause is). A new reference. */
static json_t *python_error(const json_t *e, int depth) {
  json_t *out = json_pack("{s:s}", "__typename", "PythonError");
  copy_key(out, e, "message");
  copy_key(out, e, "className");
  const json_t *stack = json_object_get(e, "stack");
  json_object_set_new(out, "stack",
                      json_is_array(stack) ? json_incref((json_t *)stack) : json_array());
  const json_t *cause = json_object_get(e, "cause");
  json_t *first =
      json_is_object(cause) && depth < MAX_CAUSES ? python_error(cause, depth + 1) : json_null();
  json_object_set_new(out, "cause", first);
  json_t *causes = json_array(), *chain = json_array();
  for (json_t *c = first; json_is_object(c) && json_array_size(causes) < MAX_CAUSES;
       c = json_object_get(c, "cause")) {
    json_array_append(causes, c);
    json_array_append_new(chain, json_pack("{s:s, s:O, s:O, s:b}", "__typename", "ErrorChainLink",
                                           "message", json_object_get(c, "message"), "error", c,
                                           "isExplicitLink", 1));
  }
  json_object_set_new(out, "causes", causes);
  json_object_set_new(out, "errorChain", chain);
  return out;
}

static gql_rv resolve_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *e = json_object_get(EVENT(parent)->body, "error");
  return json_is_object(e) ? api_json(info, python_error(e, 0)) : gql_rv_null();
}

static gql_rv resolve_run_or_error(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_run_or_error(info, EVENT(parent)->event->run_id);
}

static gql_rv resolve_step_stats(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const store_event *ev = EVENT(parent)->event;
  if (!ev->step_key)
    return gql_rv_errorf(info->arena, "The materialization belongs to no step.");
  return api_step_stats_object(info, ev->run_id, EVENT(parent)->job_name, ev->step_key);
}

/* ---- EventConnection -------------------------------------------------------- */

typedef struct event_connection {
  gql_rv events;
  const char *cursor;
  bool has_more;
} event_connection;

#define CONNECTION(p) ((const event_connection *)(p))

static gql_rv resolve_connection_events(const gql_resolve_info *info, const void *parent,
                                        void *data) {
  (void)info, (void)data;
  return CONNECTION(parent)->events;
}

static gql_rv resolve_connection_cursor(const gql_resolve_info *info, const void *parent,
                                        void *data) {
  (void)info, (void)data;
  return gql_rv_string(CONNECTION(parent)->cursor);
}

static gql_rv resolve_connection_has_more(const gql_resolve_info *info, const void *parent,
                                          void *data) {
  (void)info, (void)data;
  return gql_rv_bool(CONNECTION(parent)->has_more);
}

/* Whether s is a non-empty run of decimal digits. */
static bool all_digits(const char *s) {
  if (!*s)
    return false;
  for (; *s; s++)
    if (*s < '0' || *s > '9')
      return false;
  return true;
}

/* Reads Dagster's cursor text: base64 of {"type": "STORAGE_ID"|"OFFSET",
 * "value": N}. */
static bool parse_dagster_cursor(const char *text, api_log_position *out) {
  gnutls_datum_t in = {(unsigned char *)text, (unsigned)strlen(text)}, raw = {0};
  if (gnutls_base64_decode2(&in, &raw) != 0)
    return false;
  json_t *o = json_loadb((const char *)raw.data, raw.size, 0, NULL);
  gnutls_free(raw.data);
  const char *type = json_string_value(json_object_get(o, "type"));
  const json_t *value = json_object_get(o, "value");
  bool ok = type && json_is_integer(value) &&
            (strcmp(type, "STORAGE_ID") == 0 || strcmp(type, "OFFSET") == 0);
  if (ok) {
    out->is_offset = strcmp(type, "OFFSET") == 0;
    out->value = json_integer_value(value);
  }
  json_decref(o);
  return ok;
}

bool api_log_cursor_parse(const char *cursor, api_log_position *out) {
  *out = (api_log_position){0};
  if (!cursor || !*cursor)
    return true;
  if (all_digits(cursor)) {
    errno = 0;
    out->value = strtoll(cursor, NULL, 10);
    return errno == 0;
  }
  return parse_dagster_cursor(cursor, out);
}

const char *api_log_cursor_text(arena *a, int64_t id) {
  const char *raw = arena_printf(a, "{\"type\": \"STORAGE_ID\", \"value\": %lld}", (long long)id);
  gnutls_datum_t in = {(unsigned char *)raw, (unsigned)strlen(raw)}, b64 = {0};
  if (gnutls_base64_encode2(&in, &b64) != 0)
    return NULL;
  char *text = arena_strndup(a, (const char *)b64.data, b64.size);
  gnutls_free(b64.data);
  return text;
}

/* A PythonError value (as api_instance answers) as a field error, for
 * fields whose type has no error member. */
static gql_rv as_field_error(const gql_resolve_info *info, gql_rv rv) {
  const char *message =
      rv.kind == GQL_RV_JSON ? json_string_value(json_object_get(rv.u.json, "message")) : NULL;
  return message ? gql_rv_errorf(info->arena, "%s", message) : rv;
}

/* The store_events limit that reaches `want` events (<0: all) past `skip`. */
static int fetch_limit(int64_t skip, int want) {
  return want < 0 || skip > INT_MAX - want ? -1 : (int)skip + want;
}

gql_rv api_event_connection(const gql_resolve_info *info, const store_run *run,
                            const char *after_cursor, int limit) {
  gql_rv rv;
  run_instance *inst = api_instance(info, &rv);
  if (!inst)
    return as_field_error(info, rv);
  api_log_position pos;
  if (!api_log_cursor_parse(after_cursor, &pos))
    return gql_rv_errorf(info->arena, "Invalid cursor for fetching run events: %s", after_cursor);
  /* Dagster applies a limit only when it is truthy: 0 means all. */
  int want = limit > 0 ? limit : -1;
  int64_t skip = pos.is_offset && pos.value > 0 ? pos.value : 0;
  int64_t after = pos.is_offset || pos.value < 0 ? 0 : pos.value;
  store_error err = {{0}};
  size_t n = 0;
  bool has_more = false;
  store_event *evs = store_events(inst->store, run->run_id, after, fetch_limit(skip, want),
                                  info->arena, &n, &has_more, &err);
  if (!evs && err.message[0])
    return gql_rv_errorf(info->arena, "%s", err.message);
  size_t first = skip < (int64_t)n ? (size_t)skip : n;
  event_connection *c = ARENA_NEW(info->arena, event_connection);
  c->events = gql_rv_list(info->arena, n - first);
  for (size_t i = first; i < n; i++)
    c->events.u.list.items[i - first] = api_event_object(info, &evs[i], run->job_name);
  c->has_more = has_more;
  /* With nothing new the caller keeps its place (get_records_for_run). */
  if (n > first)
    c->cursor = api_log_cursor_text(info->arena, evs[n - 1].id);
  else
    c->cursor = after_cursor && *after_cursor ? after_cursor : api_log_cursor_text(info->arena, -1);
  return api_object(info, c, "EventConnection");
}

static gql_rv resolve_logs_for_run(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv rv;
  run_instance *inst = api_instance(info, &rv);
  if (!inst)
    return rv;
  const char *run_id = api_arg_string(info, "runId");
  store_error err = {{0}};
  store_run *run = store_run_get(inst->store, run_id, info->arena, &err);
  if (!run && err.message[0])
    return api_python_error(info, "%s", err.message);
  if (!run)
    return api_run_not_found(info, run_id);
  const gql_value *limit = gql_arg(info, "limit");
  rv = api_event_connection(info, run, api_arg_string(info, "afterCursor"),
                            limit && limit->kind == GQL_VALUE_INT ? (int)limit->ival : -1);
  /* Dagster's resolver captures errors into the union's PythonError. */
  return rv.kind == GQL_RV_ERROR ? api_python_error(info, "%s", rv.u.error) : rv;
}

/* ---- captured logs ----------------------------------------------------------- */

/* A CapturedLogs object: the key, each stream's text (NULL: null) and the
 * cursor after them. */
typedef struct captured_logs {
  const char *const *key;
  size_t n;
  const char *text[2];
  size_t len[2];
  const char *cursor;
} captured_logs;

#define CAPTURED(p) ((const captured_logs *)(p))

static gql_rv resolve_captured_key(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_string_list(info, CAPTURED(parent)->key, CAPTURED(parent)->n);
}

/* The text of a stream as read, NUL bytes included. */
static gql_rv stream_text(const captured_logs *c, run_log_stream s) {
  if (!c->text[s])
    return gql_rv_null();
  gql_rv rv = {.kind = GQL_RV_STRING, .u.str = {c->text[s], c->len[s]}};
  return rv;
}

static gql_rv resolve_captured_stdout(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  return stream_text(parent, RUN_LOG_STDOUT);
}

static gql_rv resolve_captured_stderr(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  return stream_text(parent, RUN_LOG_STDERR);
}

static gql_rv resolve_captured_cursor(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  return gql_rv_string(CAPTURED(parent)->cursor);
}

/* Whether c is a blank as Python's int() skips it around digits. */
static bool is_blank(char c) { return c && strchr(" \t\n\r\f\v", c); }

/* One offset of a captured-logs cursor, s[0..n): decimal digits with
 * blanks around them allowed, as Python's int() reads it (a sign only as
 * "+": a file offset is never negative); false when it is not one. */
static bool parse_offset(const char *s, size_t n, int64_t *out) {
  const char *p = s, *end = s + n;
  while (p < end && is_blank(*p))
    p++;
  if (p < end && *p == '+')
    p++;
  const char *digits = p;
  int64_t v = 0;
  for (; p < end && *p >= '0' && *p <= '9'; p++) {
    if (v > (INT64_MAX - (*p - '0')) / 10)
      return false;
    v = v * 10 + (*p - '0');
  }
  bool any = p > digits;
  while (p < end && is_blank(*p))
    p++;
  *out = v;
  return any && p == end;
}

/* Dagster's cursor "<stdout offset>:<stderr offset>"; none, or text that is
 * not two parts, starts both at 0 (LocalComputeLogManager.parse_cursor).
 * False when a part is not an offset. */
static bool parse_log_cursor(const char *cursor, int64_t offsets[2]) {
  offsets[0] = offsets[1] = 0;
  const char *colon = cursor ? strchr(cursor, ':') : NULL;
  if (!colon || strchr(colon + 1, ':'))
    return true;
  return parse_offset(cursor, (size_t)(colon - cursor), &offsets[0]) &&
         parse_offset(colon + 1, strlen(colon + 1), &offsets[1]);
}

/* The file of one stream of the key into path; false when the key could
 * name a file outside the compute logs folder (usable false: a part held
 * a NUL byte). */
static bool stream_path(const run_instance *inst, const char *const *key, size_t n, bool usable,
                        run_log_stream s, buf *path) {
  return usable && run_compute_log_path(inst, key, n, s, path);
}

/* Reads a stream of the key from *offset, at most max bytes unless all,
 * into c (text NULL when the file is missing or nothing was read, as
 * Dagster answers an empty read), advancing *offset. -1 on a read error. */
static int read_stream(const gql_resolve_info *info, const run_instance *inst, bool usable,
                       captured_logs *c, run_log_stream s, int64_t *offset, bool all, size_t max) {
  buf path, out;
  buf_init(&path, info->arena);
  buf_init(&out, info->arena);
  /* A limit of 0 reads nothing (Python's read(0)); run_compute_log_read
   * would take 0 as no limit. */
  if ((!all && max == 0) || !stream_path(inst, c->key, c->n, usable, s, &path))
    return 0;
  int r = run_compute_log_read(buf_cstr(&path), *offset, all ? 0 : max, &out, offset);
  if (r < 0)
    return -1;
  if (r > 0 && out.len) {
    c->text[s] = out.data;
    c->len[s] = out.len;
  }
  return 0;
}

/* The CapturedLogs object of a key; see api_captured_logs (*next, when
 * next is not NULL: its cursor, or NULL when there is no object). */
static gql_rv captured_logs_object(const gql_resolve_info *info, const char *const *key, size_t n,
                                   bool usable, const char *cursor, bool all, size_t max,
                                   const char **next) {
  if (next)
    *next = NULL;
  gql_rv rv;
  run_instance *inst = api_instance(info, &rv);
  if (!inst)
    return as_field_error(info, rv);
  int64_t offsets[2];
  if (!parse_log_cursor(cursor, offsets))
    return gql_rv_errorf(info->arena, "Invalid cursor for captured logs: %s", cursor);
  captured_logs *c = ARENA_NEW(info->arena, captured_logs);
  /* The key outlives this call (logKey resolves later): callers may pass
   * an array of their own stack. */
  const char **copy = arena_alloc(info->arena, (n + 1) * sizeof *copy);
  for (size_t i = 0; i < n; i++)
    copy[i] = arena_strdup(info->arena, key[i]);
  c->key = copy;
  c->n = n;
  for (int s = RUN_LOG_STDOUT; s <= RUN_LOG_STDERR; s++) {
    if (read_stream(info, inst, usable, c, (run_log_stream)s, &offsets[s], all, max) != 0)
      return gql_rv_errorf(info->arena, "The captured %s could not be read.",
                           s == RUN_LOG_STDOUT ? "stdout" : "stderr");
  }
  c->cursor = arena_printf(info->arena, "%lld:%lld", (long long)offsets[0], (long long)offsets[1]);
  if (next)
    *next = c->cursor;
  return api_object(info, c, "CapturedLogs");
}

gql_rv api_captured_logs(const gql_resolve_info *info, const char *const *log_key, size_t n,
                         const char *cursor, int limit, const char **next) {
  return captured_logs_object(info, log_key, n, true, cursor, limit <= 0,
                              limit > 0 ? (size_t)limit : 0, next);
}

/* The logKey argument as strings; *usable false when a part holds a NUL
 * byte (C paths would cut it there). */
static const char *const *log_key_arg(const gql_resolve_info *info, size_t *n, bool *usable) {
  const gql_value *v = gql_arg(info, "logKey");
  *n = 0;
  *usable = true;
  if (!v || v->kind != GQL_VALUE_LIST)
    return NULL;
  const char **key = arena_alloc(info->arena, (v->n_items + 1) * sizeof *key);
  for (size_t i = 0; i < v->n_items; i++) {
    const gql_value *part = v->items[i];
    key[i] = part->kind == GQL_VALUE_STRING ? part->str : "";
    if (part->kind != GQL_VALUE_STRING || strlen(part->str) != part->str_len)
      *usable = false;
  }
  *n = v->n_items;
  return key;
}

static gql_rv resolve_captured_logs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  size_t n;
  bool usable;
  const char *const *key = log_key_arg(info, &n, &usable);
  /* max_bytes=limit: absent reads all, 0 nothing; Python reads a negative
   * count as all. */
  const gql_value *limit = gql_arg(info, "limit");
  bool all = !limit || limit->kind != GQL_VALUE_INT || limit->ival < 0;
  return captured_logs_object(info, key, n, usable, api_arg_string(info, "cursor"), all,
                              all ? 0 : (size_t)limit->ival, NULL);
}

/* The path of one stream of the key as JSON (null when the key is unusable). */
static json_t *location_json(const gql_resolve_info *info, const run_instance *inst,
                             const char *const *key, size_t n, bool usable, run_log_stream s) {
  buf path;
  buf_init(&path, info->arena);
  json_t *v = stream_path(inst, key, n, usable, s, &path) ? json_string(buf_cstr(&path)) : NULL;
  return v ? v : json_null();
}

/* Dagster's LocalComputeLogManager.get_log_metadata: the files' paths;
 * dagd serves no download route, so no URLs. */
static gql_rv resolve_captured_logs_metadata(const gql_resolve_info *info, const void *parent,
                                             void *data) {
  (void)parent, (void)data;
  gql_rv rv;
  run_instance *inst = api_instance(info, &rv);
  if (!inst)
    return as_field_error(info, rv);
  size_t n;
  bool usable;
  const char *const *key = log_key_arg(info, &n, &usable);
  json_t *o = json_object();
  json_object_set_new(o, "stdoutDownloadUrl", json_null());
  json_object_set_new(o, "stdoutLocation",
                      location_json(info, inst, key, n, usable, RUN_LOG_STDOUT));
  json_object_set_new(o, "stderrDownloadUrl", json_null());
  json_object_set_new(o, "stderrLocation",
                      location_json(info, inst, key, n, usable, RUN_LOG_STDERR));
  return api_json(info, o);
}

/* ---- attaching -------------------------------------------------------------- */

/* Every member of DagsterRunEvent. */
static const char *const event_type_names[] = {
    "ExecutionStepFailureEvent",
    "ExecutionStepInputEvent",
    "ExecutionStepOutputEvent",
    "ExecutionStepSkippedEvent",
    "ExecutionStepStartEvent",
    "ExecutionStepSuccessEvent",
    "ExecutionStepUpForRetryEvent",
    "ExecutionStepRestartEvent",
    "LogMessageEvent",
    "RunFailureEvent",
    "RunStartEvent",
    "RunEnqueuedEvent",
    "RunDequeuedEvent",
    "RunStartingEvent",
    "RunCancelingEvent",
    "RunCanceledEvent",
    "RunSuccessEvent",
    "HandledOutputEvent",
    "LoadedInputEvent",
    "LogsCapturedEvent",
    "MaterializationEvent",
    "EngineEvent",
};

static const api_resolver message_event_fields[] = {
    {"runId", resolve_run_id},         {"message", resolve_message},
    {"timestamp", resolve_timestamp},  {"level", resolve_level},
    {"stepKey", resolve_step_key},     {"solidHandleID", resolve_solid_handle_id},
    {"eventType", resolve_event_type},
};

/* RunEvent's members. */
static const char *const run_event_types[] = {
    "RunEnqueuedEvent", "RunDequeuedEvent", "RunStartingEvent",  "RunStartEvent",
    "RunSuccessEvent",  "RunFailureEvent",  "RunCancelingEvent", "RunCanceledEvent",
};

static const api_resolver run_event_fields[] = {{"pipelineName", resolve_pipeline_name}};

/* The members with DisplayableEvent's fields. */
static const char *const displayable_types[] = {
    "EngineEvent",        "ExecutionStepOutputEvent", "LoadedInputEvent",
    "HandledOutputEvent", "MaterializationEvent",
};

static const api_resolver displayable_fields[] = {
    {"label", resolve_body_field},
    {"description", resolve_body_field},
    {"metadataEntries", resolve_event_entries},
};

/* ErrorEvent's members. */
static const char *const error_event_types[] = {
    "RunFailureEvent",
    "RunCanceledEvent",
    "EngineEvent",
    "ExecutionStepFailureEvent",
    "ExecutionStepUpForRetryEvent",
};

static const api_resolver error_event_fields[] = {{"error", resolve_error}};

static const api_resolver events_resolvers[] = {
    {"Query.logsForRun", resolve_logs_for_run},
    {"Query.capturedLogs", resolve_captured_logs},
    {"Query.capturedLogsMetadata", resolve_captured_logs_metadata},
    {"EventConnection.events", resolve_connection_events},
    {"EventConnection.cursor", resolve_connection_cursor},
    {"EventConnection.hasMore", resolve_connection_has_more},
    {"CapturedLogs.logKey", resolve_captured_key},
    {"CapturedLogs.stdout", resolve_captured_stdout},
    {"CapturedLogs.stderr", resolve_captured_stderr},
    {"CapturedLogs.cursor", resolve_captured_cursor},
    {"EngineEvent.markerStart", resolve_body_field},
    {"EngineEvent.markerEnd", resolve_body_field},
    {"ExecutionStepFailureEvent.errorSource", resolve_body_field},
    {"ExecutionStepFailureEvent.failureMetadata", resolve_body_field},
    {"ExecutionStepUpForRetryEvent.secondsToWait", resolve_body_field},
    {"ExecutionStepInputEvent.inputName", resolve_body_field},
    {"ExecutionStepInputEvent.typeCheck", resolve_body_field},
    {"ExecutionStepOutputEvent.outputName", resolve_body_field},
    {"ExecutionStepOutputEvent.typeCheck", resolve_body_field},
    {"LoadedInputEvent.inputName", resolve_body_field},
    {"LoadedInputEvent.managerKey", resolve_body_field},
    {"LoadedInputEvent.upstreamOutputName", resolve_body_field},
    {"LoadedInputEvent.upstreamStepKey", resolve_body_field},
    {"HandledOutputEvent.outputName", resolve_body_field},
    {"HandledOutputEvent.managerKey", resolve_body_field},
    {"LogsCapturedEvent.fileKey", resolve_body_field},
    {"LogsCapturedEvent.stepKeys", resolve_body_field},
    {"LogsCapturedEvent.pid", resolve_body_field},
    {"LogsCapturedEvent.logKey", resolve_body_field},
    /* dagd's compute logs are local files: no external URLs. */
    {"LogsCapturedEvent.externalUrl", api_resolve_null},
    {"LogsCapturedEvent.externalStdoutUrl", api_resolve_null},
    {"LogsCapturedEvent.externalStderrUrl", api_resolve_null},
    {"MaterializationEvent.assetKey", resolve_body_field},
    {"MaterializationEvent.partition", resolve_body_field},
    {"MaterializationEvent.runOrError", resolve_run_or_error},
    {"MaterializationEvent.stepStats", resolve_step_stats},
    /* After api_json_types: absent entries mean none. */
    {"TypeCheck.metadataEntries", resolve_json_entries},
    {"FailureMetadata.metadataEntries", resolve_json_entries},
};

/* The JSON-backed types of this area: the body's records, metadata
 * entries, and the error and metadata objects built here. */
static const char *const events_json_types[] = {
    "TypeCheck",
    "FailureMetadata",
    "AssetKey",
    "TextMetadataEntry",
    "IntMetadataEntry",
    "FloatMetadataEntry",
    "BoolMetadataEntry",
    "JsonMetadataEntry",
    "PathMetadataEntry",
    "UrlMetadataEntry",
    "MarkdownMetadataEntry",
    "NullMetadataEntry",
    "CapturedLogsMetadata",
};

/* The abstract types whose values are events (MetadataEntry needs no
 * hook: its entries name their type in "__typename"). */
static const char *const event_abstract[] = {
    "DagsterRunEvent", "MessageEvent", "RunEvent",         "StepEvent",
    "ErrorEvent",      "MarkerEvent",  "DisplayableEvent",
};

int api_events_attach(gql_schema *s, char *err, size_t err_size) {
  if (api_json_types(s, events_json_types, API_COUNT(events_json_types), err, err_size) != 0 ||
      api_attach_common(s, event_type_names, API_COUNT(event_type_names), message_event_fields,
                        API_COUNT(message_event_fields), err, err_size) != 0 ||
      api_attach_common(s, run_event_types, API_COUNT(run_event_types), run_event_fields,
                        API_COUNT(run_event_fields), err, err_size) != 0 ||
      api_attach_common(s, displayable_types, API_COUNT(displayable_types), displayable_fields,
                        API_COUNT(displayable_fields), err, err_size) != 0 ||
      api_attach_common(s, error_event_types, API_COUNT(error_event_types), error_event_fields,
                        API_COUNT(error_event_fields), err, err_size) != 0 ||
      api_attach(s, events_resolvers, API_COUNT(events_resolvers), err, err_size) != 0)
    return -1;
  return api_resolve_types(s, event_abstract, API_COUNT(event_abstract), event_resolve_type, err,
                           err_size);
}
