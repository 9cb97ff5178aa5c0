/* test_events.c — unit tests for src/api/events.c through the served
 * schema, over a temporary instance (a fresh DAGD_HOME per test) holding a
 * run whose events are written with run_event as the run worker writes
 * them. Covers logsForRun with every member of DagsterRunEvent and every
 * field (metadata entry kinds, errors with stacks and causes, type checks),
 * types Dagster has members for that dagd's union lacks, levels, paging
 * (limit, hasMore, Dagster's cursors and event ids, a cursor kept when
 * nothing is new, bad cursors), unknown runs, a server without an
 * instance, capturedLogs (cursor continuation, limits that would cut a
 * UTF-8 sequence, missing files, log keys that would leave the folder,
 * bad cursors) and capturedLogsMetadata. */
#define _XOPEN_SOURCE 700
#include "home_harness.h"

#include <sys/stat.h>

/* The response text to q on inst (NULL: a server without one), with
 * {"id": run_id} as variables when run_id is given (free it). */
static char *query_on(run_instance *inst, const char *q, const char *run_id) {
  char vars[64];
  if (run_id)
    snprintf(vars, sizeof vars, "{\"id\":\"%s\"}", run_id);
  return harness_query_on(q, run_id ? vars : NULL, false, inst, NULL);
}

/* Asserts the response to q on the test's instance (variables as for
 * query_on) is exactly want. */
static void expect(const char *q, const char *run_id, const char *want) {
  char *got = query_on(fx->inst, q, run_id);
  if (strcmp(got, want) != 0) {
    fprintf(stderr, "query: %s\nwant: %s\ngot:  %s\n", q, want, got);
    free(got);
    fail();
  }
  free(got);
}

/* Asserts the response to q on inst (as query_on asks it) holds `part` and,
 * when given, `also` (such as "\"data\":null" for a field error reaching
 * the root): for answers with parts that vary, such as error locations. */
static void expect_has(run_instance *inst, const char *q, const char *run_id, const char *part,
                       const char *also) {
  char *got = query_on(inst, q, run_id);
  if (!strstr(got, part) || (also && !strstr(got, also))) {
    fprintf(stderr, "query: %s\nwant parts: %s, %s\ngot:  %s\n", q, part, also ? also : "-", got);
    free(got);
    fail();
  }
  free(got);
}

/* Appends t to out with "$R" replaced by the run id. */
static void put_with_run(buf *out, const char *t, const char *run_id) {
  for (const char *p = t; *p; p++) {
    if (p[0] == '$' && p[1] == 'R') {
      buf_puts(out, run_id);
      p++;
    } else {
      buf_putc(out, *p);
    }
  }
}

/* Writes one event; fails the test when it is not stored. */
static void event(const char *run_id, const char *type, int level, const char *step,
                  const char *message, json_t *body) {
  store_error err;
  if (run_event(fx->inst->store, run_id, type, level, step, message, body, &err) < 0)
    fail_msg("run_event: %s", err.message);
}

/* ---- every member of DagsterRunEvent --------------------------------------- */

#define META_FRAGMENT                                                                              \
  "fragment Meta on MetadataEntry { __typename label description ... on TextMetadataEntry { "      \
  "text } ... on IntMetadataEntry { intValue intRepr } ... on FloatMetadataEntry { floatValue "    \
  "} ... on BoolMetadataEntry { boolValue } ... on JsonMetadataEntry { jsonString } ... on "       \
  "PathMetadataEntry { path } ... on UrlMetadataEntry { url } ... on MarkdownMetadataEntry { "     \
  "mdStr } }"

#define EVENT_FRAGMENTS                                                                            \
  META_FRAGMENT                                                                                    \
  " fragment Err on PythonError { message className stack cause { message className stack } "      \
  "causes { message } errorChain { isExplicitLink error { message } } } "                          \
  "fragment TC on TypeCheck { label description success metadataEntries { ...Meta } } "            \
  "fragment E on DagsterRunEvent { __typename ... on MessageEvent { runId message timestamp "      \
  "level stepKey solidHandleID eventType } ... on RunEvent { pipelineName } ... on ErrorEvent { "  \
  "error { ...Err } } ... on DisplayableEvent { label description metadataEntries { ...Meta } } "  \
  "... on MarkerEvent { markerStart markerEnd } ... on ExecutionStepFailureEvent { errorSource "   \
  "failureMetadata { label description metadataEntries { ...Meta } } } ... on "                    \
  "ExecutionStepUpForRetryEvent { secondsToWait } ... on ExecutionStepInputEvent { inputName "     \
  "typeCheck { ...TC } } ... on ExecutionStepOutputEvent { outputName typeCheck { ...TC } } ... "  \
  "on LoadedInputEvent { inputName managerKey upstreamOutputName upstreamStepKey } ... on "        \
  "HandledOutputEvent { outputName managerKey } ... on LogsCapturedEvent { fileKey stepKeys "      \
  "externalUrl externalStdoutUrl externalStderrUrl pid logKey } ... on MaterializationEvent { "    \
  "assetKey { path } partition runOrError { __typename ... on Run { runId } } stepStats { "        \
  "stepKey } } }"

#define LOGS_QUERY                                                                                 \
  "query($id: ID!) { logsForRun(runId: $id) { __typename ... on EventConnection { events { ...E "  \
  "} cursor hasMore } } } " EVENT_FRAGMENTS

/* One event as the query answers it: its type, level and the rest of its
 * fields after eventType (JSON text, "$R" the run id). */
typedef struct want_event {
  const char *type_name;
  const char *level;
  const char *rest;
} want_event;

static json_t *error_with(const char *class_name, const char *message, json_t *cause) {
  const char *stack[] = {"  step load: ops/load.sh exited with status 1",
                         "  while executing step load"};
  json_t *e = run_error_json(class_name, message, stack, 2);
  if (cause)
    json_object_set_new(e, "cause", cause);
  return e;
}

static json_t *entries(json_t *first, ...) {
  json_t *list = json_array();
  va_list ap;
  va_start(ap, first);
  for (json_t *e = first; e; e = va_arg(ap, json_t *))
    json_array_append_new(list, e);
  va_end(ap);
  return list;
}

/* A metadata entry from JSON text as an op reports the value. */
static json_t *entry(const char *label, const char *value_json) {
  json_t *v = json_loads(value_json, JSON_DECODE_ANY, NULL);
  assert_non_null(v);
  json_t *e = run_metadata_entry(label, v);
  json_decref(v);
  return e;
}

/* Writes the log of a run of "job" through every kind of event dagd
 * writes, in the order a run produces them. */
static void write_full_log(const char *id) {
  event(id, "RUN_STARTING", RUN_LEVEL_DEBUG, NULL, NULL, NULL);
  event(id, "ENGINE_EVENT", RUN_LEVEL_DEBUG, NULL, "Started process for run (pid: 4242).",
        json_pack("{s:o}", "metadataEntries", entries(entry("pid", "4242"), NULL)));
  event(id, "RUN_START", RUN_LEVEL_DEBUG, NULL, "Started execution of run for \"job\".", NULL);
  event(id, "LOGS_CAPTURED", RUN_LEVEL_DEBUG, "extract",
        "Started capturing logs in process (pid: 4243).",
        json_pack("{s:s, s:[s], s:s, s:i}", "fileKey", "extract", "stepKeys", "extract", "logKey",
                  "extract", "pid", 4243));
  event(id, "STEP_START", RUN_LEVEL_DEBUG, "extract", "Started execution of step \"extract\".",
        NULL);
  event(id, "STEP_OUTPUT", RUN_LEVEL_DEBUG, "extract",
        "Yielded output \"result\" of type \"Any\". (Type check passed).",
        json_pack("{s:s, s:o, s:o}", "outputName", "result", "typeCheck",
                  run_type_check_json("Any"), "metadataEntries",
                  entries(entry("rows", "42"), entry("bytes", "5000000000"), NULL)));
  event(
      id, "HANDLED_OUTPUT", RUN_LEVEL_DEBUG, "extract",
      "Handled output \"result\" using IO manager \"io_manager\"",
      json_pack("{s:s, s:s, s:o}", "outputName", "result", "managerKey", "io_manager",
                "metadataEntries",
                entries(entry("path", "{\"type\": \"path\", \"value\": \"/data/result\"}"), NULL)));
  event(id, "ASSET_MATERIALIZATION", RUN_LEVEL_DEBUG, "extract", "The daily report.",
        json_pack("{s:{s:[s,s]}, s:s, s:s, s:o}", "assetKey", "path", "sales", "report",
                  "description", "The daily report.", "partition", "2024-01-01", "metadataEntries",
                  entries(entry("owner", "\"data team\""), entry("ratio", "2.5"),
                          entry("fresh", "true"), entry("shape", "{\"a\": [1, 2.0]}"),
                          entry("link", "{\"type\": \"url\", \"value\": \"https://x.test/r\"}"),
                          entry("notes", "{\"type\": \"md\", \"value\": \"# Report\"}"),
                          entry("gone", "null"), NULL)));
  event(id, "STEP_SUCCESS", RUN_LEVEL_DEBUG, "extract",
        "Finished execution of step \"extract\" in 1.2s.", NULL);
  event(id, NULL, RUN_LEVEL_INFO, "extract", "hello from extract", NULL);
  event(id, "STEP_START", RUN_LEVEL_DEBUG, "load", "Started execution of step \"load\".", NULL);
  event(id, "STEP_INPUT", RUN_LEVEL_DEBUG, "load",
        "Got input \"rows\" of type \"Int\". (Type check passed).",
        json_pack("{s:s, s:o}", "inputName", "rows", "typeCheck", run_type_check_json("Int")));
  event(id, "LOADED_INPUT", RUN_LEVEL_DEBUG, "load",
        "Loaded input \"rows\" using input manager \"io_manager\", from output \"result\" of "
        "step \"extract\"",
        json_pack("{s:s, s:s, s:s, s:s}", "inputName", "rows", "managerKey", "io_manager",
                  "upstreamOutputName", "result", "upstreamStepKey", "extract"));
  event(id, "STEP_UP_FOR_RETRY", RUN_LEVEL_DEBUG, "load",
        "Execution of step \"load\" failed and has requested a retry in 5 seconds.",
        json_pack("{s:o, s:i}", "error", error_with("dagd.OpProcessError", "exit 1", NULL),
                  "secondsToWait", 5));
  event(id, "STEP_RESTARTED", RUN_LEVEL_DEBUG, "load",
        "Started re-execution (attempt # 2) of step \"load\".", NULL);
  event(id, "STEP_FAILURE", RUN_LEVEL_ERROR, "load", "Execution of step \"load\" failed.",
        json_pack("{s:o, s:s, s:{s:o}}", "error",
                  error_with("dagd.OpProcessError", "exit 2",
                             error_with("dagd.OpTimeout", "timed out",
                                        error_with("dagd.Signal", "SIGKILL", NULL))),
                  "errorSource", "USER_CODE_ERROR", "failureMetadata", "metadataEntries",
                  entries(entry("exit code", "2"), NULL)));
  event(id, "STEP_SKIPPED", RUN_LEVEL_DEBUG, "report", "Skipped execution of step \"report\".",
        NULL);
  event(id, "ENGINE_EVENT", RUN_LEVEL_DEBUG, "load", "Step process exited.",
        json_pack("{s:o, s:[], s:s, s:s}", "error", error_with("dagd.Crash", "segfault", NULL),
                  "metadataEntries", "markerStart", "step_process", "markerEnd", "step_process"));
  event(id, "RUN_FAILURE", RUN_LEVEL_ERROR, NULL,
        "Execution of run for \"job\" failed. Steps failed: ['load'].", NULL);
  event(id, "RUN_CANCELING", RUN_LEVEL_DEBUG, NULL, "Sending run termination request.", NULL);
  event(id, "RUN_CANCELED", RUN_LEVEL_ERROR, NULL, "Run canceled.",
        json_pack("{s:o}", "error", error_with("dagd.Interrupt", "interrupted", NULL)));
  event(id, "RUN_SUCCESS", RUN_LEVEL_DEBUG, NULL, "Finished execution of run for \"job\".", NULL);
}

#define NO_CAUSE "\"cause\":null,\"causes\":[],\"errorChain\":[]"
#define STACK                                                                                      \
  "\"stack\":[\"  step load: ops/load.sh exited with status 1\",\"  while executing step load\"]"
#define ERR(cls, msg) "{\"message\":\"" msg "\",\"className\":\"" cls "\"," STACK "," NO_CAUSE "}"
#define NO_META "\"label\":null,\"description\":null"

/* What the query answers for the log of write_full_log, after eventType. */
static const want_event full_log[] = {
    {"RunStartingEvent", "DEBUG", ",\"pipelineName\":\"job\""},
    {"EngineEvent", "DEBUG",
     ",\"error\":null," NO_META ",\"metadataEntries\":[{\"__typename\":\"IntMetadataEntry\","
     "\"label\":\"pid\",\"description\":null,\"intValue\":4242,\"intRepr\":\"4242\"}],"
     "\"markerStart\":null,\"markerEnd\":null"},
    {"RunStartEvent", "DEBUG", ",\"pipelineName\":\"job\""},
    {"LogsCapturedEvent", "DEBUG",
     ",\"fileKey\":\"extract\",\"stepKeys\":[\"extract\"],\"externalUrl\":null,"
     "\"externalStdoutUrl\":null,\"externalStderrUrl\":null,\"pid\":4243,\"logKey\":\"extract\""},
    {"ExecutionStepStartEvent", "DEBUG", ""},
    {"ExecutionStepOutputEvent", "DEBUG",
     "," NO_META ",\"metadataEntries\":[{\"__typename\":\"IntMetadataEntry\",\"label\":\"rows\","
     "\"description\":null,\"intValue\":42,\"intRepr\":\"42\"},{\"__typename\":"
     "\"IntMetadataEntry\",\"label\":\"bytes\",\"description\":null,\"intValue\":null,"
     "\"intRepr\":\"5000000000\"}],\"outputName\":\"result\",\"typeCheck\":{\"label\":\"Any\","
     "\"description\":null,\"success\":true,\"metadataEntries\":[]}"},
    {"HandledOutputEvent", "DEBUG",
     "," NO_META ",\"metadataEntries\":[{\"__typename\":\"PathMetadataEntry\",\"label\":\"path\","
     "\"description\":null,\"path\":\"/data/result\"}],\"outputName\":\"result\","
     "\"managerKey\":\"io_manager\""},
    {"MaterializationEvent", "DEBUG",
     ",\"label\":null,\"description\":\"The daily report.\",\"metadataEntries\":[{\"__typename\":"
     "\"TextMetadataEntry\",\"label\":\"owner\",\"description\":null,\"text\":\"data team\"},"
     "{\"__typename\":\"FloatMetadataEntry\",\"label\":\"ratio\",\"description\":null,"
     "\"floatValue\":2.5},{\"__typename\":\"BoolMetadataEntry\",\"label\":\"fresh\","
     "\"description\":null,\"boolValue\":true},{\"__typename\":\"JsonMetadataEntry\",\"label\":"
     "\"shape\",\"description\":null,\"jsonString\":\"{\\\"a\\\": [1, 2.0]}\"},{\"__typename\":"
     "\"UrlMetadataEntry\",\"label\":\"link\",\"description\":null,\"url\":\"https://x.test/r\"},"
     "{\"__typename\":\"MarkdownMetadataEntry\",\"label\":\"notes\",\"description\":null,"
     "\"mdStr\":\"# Report\"},{\"__typename\":\"NullMetadataEntry\",\"label\":\"gone\","
     "\"description\":null}],\"assetKey\":{\"path\":[\"sales\",\"report\"]},\"partition\":"
     "\"2024-01-01\",\"runOrError\":{\"__typename\":\"Run\",\"runId\":\"$R\"},\"stepStats\":{"
     "\"stepKey\":\"extract\"}"},
    {"ExecutionStepSuccessEvent", "DEBUG", ""},
    {"LogMessageEvent", "INFO", ""},
    {"ExecutionStepStartEvent", "DEBUG", ""},
    {"ExecutionStepInputEvent", "DEBUG",
     ",\"inputName\":\"rows\",\"typeCheck\":{\"label\":\"Int\",\"description\":null,\"success\":"
     "true,\"metadataEntries\":[]}"},
    {"LoadedInputEvent", "DEBUG",
     "," NO_META ",\"metadataEntries\":[],\"inputName\":\"rows\",\"managerKey\":\"io_manager\","
     "\"upstreamOutputName\":\"result\",\"upstreamStepKey\":\"extract\""},
    {"ExecutionStepUpForRetryEvent", "DEBUG",
     ",\"error\":" ERR("dagd.OpProcessError", "exit 1") ",\"secondsToWait\":5"},
    {"ExecutionStepRestartEvent", "DEBUG", ""},
    {"ExecutionStepFailureEvent", "ERROR",
     ",\"error\":{\"message\":\"exit 2\",\"className\":\"dagd.OpProcessError\"," STACK
     ",\"cause\":{\"message\":\"timed out\",\"className\":\"dagd.OpTimeout\"," STACK
     "},\"causes\":[{\"message\":\"timed out\"},{\"message\":\"SIGKILL\"}],\"errorChain\":[{"
     "\"isExplicitLink\":true,\"error\":{\"message\":\"timed out\"}},{\"isExplicitLink\":true,"
     "\"error\":{\"message\":\"SIGKILL\"}}]},\"errorSource\":\"USER_CODE_ERROR\","
     "\"failureMetadata\":{\"label\":null,\"description\":null,\"metadataEntries\":[{"
     "\"__typename\":\"IntMetadataEntry\",\"label\":\"exit code\",\"description\":null,"
     "\"intValue\":2,\"intRepr\":\"2\"}]}"},
    {"ExecutionStepSkippedEvent", "DEBUG", ""},
    {"EngineEvent", "DEBUG",
     ",\"error\":" ERR("dagd.Crash", "segfault") "," NO_META
                                                 ",\"metadataEntries\":[],\"markerStart\":\"step_"
                                                 "process\",\"markerEnd\":\"step_process\""},
    {"RunFailureEvent", "ERROR", ",\"pipelineName\":\"job\",\"error\":null"},
    {"RunCancelingEvent", "DEBUG", ",\"pipelineName\":\"job\""},
    {"RunCanceledEvent", "ERROR",
     ",\"pipelineName\":\"job\",\"error\":" ERR("dagd.Interrupt", "interrupted")},
    {"RunSuccessEvent", "DEBUG", ",\"pipelineName\":\"job\""},
};

/* A JSON string of s, or null. */
static void put_json_string(buf *out, const char *s) {
  if (!s) {
    buf_puts(out, "null");
    return;
  }
  json_t *v = json_string(s);
  char *text = json_dumps(v, JSON_ENCODE_ANY);
  buf_puts(out, text);
  free(text);
  json_decref(v);
}

/* The expected text of stored event ev answered as w. */
static void put_event(buf *out, const store_event *ev, const want_event *w, const char *run_id) {
  buf_printf(out, "{\"__typename\":\"%s\",\"runId\":\"%s\",\"message\":", w->type_name, run_id);
  put_json_string(out, ev->message);
  /* The stored time, as Dagster's int(timestamp * 1000). */
  buf_printf(out, ",\"timestamp\":\"%lld\",\"level\":\"%s\",\"stepKey\":",
             (long long)(ev->timestamp * 1000), w->level);
  put_json_string(out, ev->step_key);
  buf_puts(out, ",\"solidHandleID\":");
  put_json_string(out, ev->event_type ? ev->step_key : NULL);
  buf_puts(out, ",\"eventType\":");
  put_json_string(out, ev->event_type);
  put_with_run(out, w->rest, run_id);
  buf_putc(out, '}');
}

static void test_every_member(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_NOT_STARTED, id);
  write_full_log(id);
  size_t n;
  store_event *evs = home_events(fx, id, &n);
  assert_int_equal(n, API_COUNT(full_log));
  buf want;
  buf_init(&want, NULL);
  buf_puts(&want, "{\"data\":{\"logsForRun\":{\"__typename\":\"EventConnection\",\"events\":[");
  for (size_t i = 0; i < n; i++) {
    if (i)
      buf_putc(&want, ',');
    put_event(&want, &evs[i], &full_log[i], id);
  }
  /* Dagster's cursor: base64 of {"type": "STORAGE_ID", "value": 22}. */
  buf_puts(&want, "],\"cursor\":\"eyJ0eXBlIjogIlNUT1JBR0VfSUQiLCAidmFsdWUiOiAyMn0=\","
                  "\"hasMore\":false}}}");
  assert_int_equal(evs[n - 1].id, 22);
  expect(LOGS_QUERY, id, buf_cstr(&want));
  buf_free(&want);
}

/* The queue's events: RunEnqueuedEvent and RunDequeuedEvent, RunEvents
 * with their job's name, as Dagster answers them. */
static void test_queue_events(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_NOT_STARTED, id);
  event(id, "RUN_ENQUEUED", RUN_LEVEL_INFO, NULL, "", NULL);
  event(id, "RUN_DEQUEUED", RUN_LEVEL_INFO, NULL, "", NULL);
  expect("query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { "
         "__typename ... on MessageEvent { message level stepKey eventType } ... on RunEvent { "
         "pipelineName } } } } }",
         id,
         "{\"data\":{\"logsForRun\":{\"events\":[{\"__typename\":\"RunEnqueuedEvent\","
         "\"message\":\"\",\"level\":\"INFO\",\"stepKey\":null,\"eventType\":\"RUN_ENQUEUED\","
         "\"pipelineName\":\"job\"},{\"__typename\":\"RunDequeuedEvent\",\"message\":\"\","
         "\"level\":\"INFO\",\"stepKey\":null,\"eventType\":\"RUN_DEQUEUED\",\"pipelineName\":"
         "\"job\"}]}}}");
}

/* Types Dagster has members for that dagd's union lacks, types outside
 * DagsterEventType, a legacy name dagd never stores (a plain message
 * keeping its type), and a level Python's logging does not name. */
static void test_other_types(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_QUEUED, id);
  event(id, "ALERT_START", RUN_LEVEL_DEBUG, NULL, "Alerting.", NULL);
  event(id, "STEP_WORKER_STARTING", RUN_LEVEL_DEBUG, "a", "Launching subprocess for \"a\".",
        json_pack("{s:o}", "metadataEntries", entries(entry("pid", "7"), NULL)));
  event(id, "HOOK_COMPLETED", RUN_LEVEL_DEBUG, "a", "Finished hook.", NULL);
  event(id, "NOT_A_DAGSTER_TYPE", RUN_LEVEL_WARNING, "a", "odd", NULL);
  event(id, "PIPELINE_START", RUN_LEVEL_CRITICAL, NULL, "legacy", NULL);
  expect("query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { "
         "__typename ... on MessageEvent { level stepKey solidHandleID eventType } ... on "
         "EngineEvent { metadataEntries { label } } ... on RunEvent { pipelineName } } } } }",
         id,
         "{\"data\":{\"logsForRun\":{\"events\":[{\"__typename\":\"LogMessageEvent\",\"level\":"
         "\"DEBUG\",\"stepKey\":null,\"solidHandleID\":null,\"eventType\":\"ALERT_START\"},{"
         "\"__typename\":\"EngineEvent\",\"level\":\"DEBUG\",\"stepKey\":\"a\",\"solidHandleID\":"
         "\"a\",\"eventType\":\"STEP_WORKER_STARTING\",\"metadataEntries\":[{\"label\":\"pid\"}]},"
         "{\"__typename\":\"LogMessageEvent\",\"level\":\"DEBUG\",\"stepKey\":\"a\","
         "\"solidHandleID\":\"a\",\"eventType\":\"HOOK_COMPLETED\"},{\"__typename\":"
         "\"LogMessageEvent\",\"level\":\"WARNING\",\"stepKey\":\"a\",\"solidHandleID\":\"a\","
         "\"eventType\":null},{\"__typename\":\"LogMessageEvent\",\"level\":\"CRITICAL\","
         "\"stepKey\":null,\"solidHandleID\":null,\"eventType\":\"PIPELINE_START\"}]}}}");

  /* A level Dagster's GrapheneLogLevel cannot name fails the field, as
   * Dagster's check does (LogLevel! and the lists being required, the
   * null reaches the root). */
  event(id, NULL, 25, NULL, "between INFO and WARNING", NULL);
  expect_has(fx->inst,
             "query($id: ID!) { logsForRun(runId: $id, afterCursor: \"5\") { ... on "
             "EventConnection { events { ... on MessageEvent { message level } } } } }",
             id, "\"message\":\"Invalid log level: 25\"", "\"data\":null");
}

/* ---- paging --------------------------------------------------------------- */

#define CURSOR(n) "eyJ0eXBlIjogIlNUT1JBR0VfSUQiLCAidmFsdWUiOiA" n
#define CURSOR_1 CURSOR("xfQ==")
#define CURSOR_2 CURSOR("yfQ==")
#define CURSOR_4 CURSOR("0fQ==")
#define CURSOR_5 CURSOR("1fQ==")
#define CURSOR_NONE CURSOR("tMX0=")

/* The messages and paging fields of logsForRun(args). */
static void expect_page(const char *id, const char *args, const char *want_data) {
  char q[512];
  snprintf(q, sizeof q,
           "query($id: ID!) { logsForRun(runId: $id%s) { __typename ... on EventConnection { "
           "events { ... on MessageEvent { message } } cursor hasMore } ... on PythonError { "
           "message } } }",
           args);
  char want[1024];
  snprintf(want, sizeof want, "{\"data\":{\"logsForRun\":%s}}", want_data);
  expect(q, id, want);
}

#define PAGE_BODY(events, cursor, more)                                                            \
  "{\"events\":[" events "],\"cursor\":\"" cursor "\",\"hasMore\":" more "}"
#define PAGE(events, cursor, more)                                                                 \
  "{\"__typename\":\"EventConnection\",\"events\":[" events "],\"cursor\":\"" cursor               \
  "\",\"hasMore\":" more "}"

static void test_paging(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  /* No events yet: Dagster's cursor of "before any id". */
  expect_page(id, "", PAGE("", CURSOR_NONE, "false"));
  const char *messages[] = {"m1", "m2", "m3", "m4", "m5"};
  for (size_t i = 0; i < 5; i++)
    event(id, NULL, RUN_LEVEL_INFO, NULL, messages[i], NULL);

  expect_page(id, ", limit: 2",
              PAGE("{\"message\":\"m1\"},{\"message\":\"m2\"}", CURSOR_2, "true"));
  expect_page(id, ", afterCursor: \"" CURSOR_2 "\", limit: 2",
              PAGE("{\"message\":\"m3\"},{\"message\":\"m4\"}", CURSOR_4, "true"));
  expect_page(id, ", afterCursor: \"" CURSOR_4 "\", limit: 2",
              PAGE("{\"message\":\"m5\"}", CURSOR_5, "false"));
  /* Nothing new: the caller keeps its cursor, whatever its form. */
  expect_page(id, ", afterCursor: \"" CURSOR_5 "\"", PAGE("", CURSOR_5, "false"));
  expect_page(id, ", afterCursor: \"5\"", PAGE("", "5", "false"));
  /* dagd's own cursor, the event id. */
  expect_page(id, ", afterCursor: \"3\"",
              PAGE("{\"message\":\"m4\"},{\"message\":\"m5\"}", CURSOR_5, "false"));
  /* Dagster's offset cursor skips that many events of the run. */
  expect_page(id, ", afterCursor: \"eyJ0eXBlIjogIk9GRlNFVCIsICJ2YWx1ZSI6IDN9\", limit: 1",
              PAGE("{\"message\":\"m4\"}", CURSOR("0fQ=="), "true"));
  /* A limit of 0 is no limit (Dagster applies only a truthy one); "" is
   * the start. */
  expect_page(id, ", afterCursor: \"\", limit: 0",
              PAGE("{\"message\":\"m1\"},{\"message\":\"m2\"},{\"message\":\"m3\"},{\"message\":"
                   "\"m4\"},{\"message\":\"m5\"}",
                   CURSOR_5, "false"));
  /* Another run's events never show. */
  char other[37];
  home_add_run(fx, STORE_RUN_STARTED, other);
  event(other, NULL, RUN_LEVEL_INFO, NULL, "other", NULL);
  expect_page(id, ", afterCursor: \"" CURSOR_1 "\", limit: 9",
              PAGE("{\"message\":\"m2\"},{\"message\":\"m3\"},{\"message\":\"m4\"},{\"message\":"
                   "\"m5\"}",
                   CURSOR_5, "false"));

  /* Run.eventConnection pages the same way (runs.c hands it here); its
   * type has no error member, so a bad cursor fails the field. */
  expect("query($id: ID!) { runOrError(runId: $id) { ... on Run { eventConnection(afterCursor: "
         "\"" CURSOR_2 "\", limit: 1) { events { ... on MessageEvent { message } } cursor "
         "hasMore } } } }",
         id,
         "{\"data\":{\"runOrError\":{\"eventConnection\":" PAGE_BODY(
             "{\"message\":\"m3\"}", CURSOR("zfQ=="), "true") "}}}");
  expect_has(fx->inst,
             "query($id: ID!) { runOrError(runId: $id) { ... on Run { "
             "eventConnection(afterCursor: \"?\") { cursor } } } }",
             id, "\"message\":\"Invalid cursor for fetching run events: ?\"", NULL);

  /* Cursors that are neither: Dagster's resolver answers a PythonError. */
  const char *bad[] = {"not a cursor", "eyJ0eXBlIjogIk5PUEUiLCAidmFsdWUiOiAzfQ==", "-3",
                       "99999999999999999999"};
  for (size_t i = 0; i < API_COUNT(bad); i++) {
    char args[128], want[256];
    snprintf(args, sizeof args, ", afterCursor: \"%s\"", bad[i]);
    snprintf(want, sizeof want,
             "{\"__typename\":\"PythonError\",\"message\":\"Invalid cursor for fetching run "
             "events: %s\"}",
             bad[i]);
    expect_page(id, args, want);
  }
}

static void test_unknown_run_and_no_instance(void **state) {
  (void)state;
  const char *q = "{ logsForRun(runId: \"0b7c4a63-0000-4000-8000-000000000000\") { __typename "
                  "... on RunNotFoundError { runId message } } }";
  expect(q, NULL,
         "{\"data\":{\"logsForRun\":{\"__typename\":\"RunNotFoundError\",\"runId\":"
         "\"0b7c4a63-0000-4000-8000-000000000000\",\"message\":\"Pipeline run "
         "0b7c4a63-0000-4000-8000-000000000000 could not be found.\"}}}");
  expect_has(NULL, "{ logsForRun(runId: \"x\") { __typename ... on PythonError { message } } }",
             NULL,
             "{\"data\":{\"logsForRun\":{\"__typename\":\"PythonError\","
             "\"message\":\"This dagd server has no instance",
             NULL);
  /* capturedLogs has no error member: the same message as a field error. */
  expect_has(NULL, "{ capturedLogs(logKey: [\"a\"]) { stdout } }", NULL,
             "\"message\":\"This dagd server has no instance", "\"data\":null");
}

/* ---- captured logs ------------------------------------------------------ */

/* Writes the step's stdout and stderr files of run id (NULL: not written). */
static void write_logs(const char *id, const char *step, const char *out, const char *err) {
  const char *key[] = {id, "compute_logs", step};
  /* The instance made compute_logs_dir; the run's folders are the worker's. */
  char *run_dir = arena_printf(fx->a, "%s/%s", fx->inst->compute_logs_dir, id);
  mkdir(run_dir, 0755);
  mkdir(arena_printf(fx->a, "%s/compute_logs", run_dir), 0755);
  const char *text[] = {out, err};
  for (int s = RUN_LOG_STDOUT; s <= RUN_LOG_STDERR; s++) {
    buf path;
    buf_init(&path, fx->a);
    assert_true(run_compute_log_path(fx->inst, key, 3, (run_log_stream)s, &path));
    if (text[s])
      home_write_file(buf_cstr(&path), text[s]);
  }
}

#define KEY "[\"$R\", \"compute_logs\", \"extract\"]"
#define KEY_OUT "[\"$R\",\"compute_logs\",\"extract\"]"

/* Asserts capturedLogs(logKey: KEY, args) answers the extract step's key,
 * stdout and stderr (JSON values: a quoted string or null) and cursor. */
static void expect_chunk(const char *id, const char *args, const char *out, const char *err,
                         const char *cursor) {
  char q[512], want[1024];
  snprintf(q, sizeof q, "{ capturedLogs(logKey: " KEY "%s) { logKey stdout stderr cursor } }",
           args);
  snprintf(want, sizeof want,
           "{\"data\":{\"capturedLogs\":{\"logKey\":" KEY_OUT
           ",\"stdout\":%s,\"stderr\":%s,\"cursor\":\"%s\"}}}",
           out, err, cursor);
  buf qq, ww;
  buf_init(&qq, fx->a);
  buf_init(&ww, fx->a);
  put_with_run(&qq, q, id);
  put_with_run(&ww, want, id);
  expect(buf_cstr(&qq), NULL, buf_cstr(&ww));
}

static void test_captured_logs(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  /* Nothing captured yet. */
  expect_chunk(id, "", "null", "null", "0:0");
  write_logs(id, "extract", "rows: 3\ndone\n", "warn: slow\n");
  expect_chunk(id, "", "\"rows: 3\\ndone\\n\"", "\"warn: slow\\n\"", "13:11");
  /* Run.capturedLogs(fileKey) reads the same files (runs.c hands it here
   * with a key of its own stack). */
  buf run_logs;
  buf_init(&run_logs, fx->a);
  put_with_run(&run_logs,
               "{\"data\":{\"runOrError\":{\"capturedLogs\":{\"logKey\":" KEY_OUT
               ",\"stdout\":\"rows: 3\\ndone\\n\",\"stderr\":\"warn: slow\\n\",\"cursor\":"
               "\"13:11\"}}}}",
               id);
  expect("query($id: ID!) { runOrError(runId: $id) { ... on Run { capturedLogs(fileKey: "
         "\"extract\") { logKey stdout stderr cursor } } } }",
         id, buf_cstr(&run_logs));
  /* A limit applies to each stream; the cursor continues both. */
  expect_chunk(id, ", limit: 5", "\"rows:\"", "\"warn:\"", "5:5");
  expect_chunk(id, ", cursor: \"5:5\", limit: 5", "\" 3\\ndo\"", "\" slow\"", "10:10");
  expect_chunk(id, ", cursor: \"10:10\"", "\"ne\\n\"", "\"\\n\"", "13:11");
  /* At the end nothing is read: null, as Dagster answers an empty read. */
  expect_chunk(id, ", cursor: \"13:11\"", "null", "null", "13:11");
  /* A limit of 0 reads nothing; text that is not two offsets starts over. */
  expect_chunk(id, ", cursor: \"2:3\", limit: 0", "null", "null", "2:3");
  expect_chunk(id, ", cursor: \"1:2:3\", limit: 4", "\"rows\"", "\"warn\"", "4:4");
  expect_chunk(id, ", cursor: \" 8 :+6\", limit: 2", "\"do\"", "\"sl\"", "10:8");
  /* Offsets that are not offsets fail the field, as Python's int() does. */
  const char *bad[] = {"a:1", "1:-1", ":", "1:2x"};
  for (size_t i = 0; i < API_COUNT(bad); i++) {
    char q[256];
    snprintf(q, sizeof q,
             "query($id: String!) { capturedLogs(logKey: [$id, \"compute_logs\", \"extract\"], "
             "cursor: \"%s\") { cursor } }",
             bad[i]);
    char want[128];
    snprintf(want, sizeof want, "Invalid cursor for captured logs: %s", bad[i]);
    expect_has(fx->inst, q, id, want, "\"data\":null");
  }
}

/* A limit never splits a UTF-8 sequence: the chunk stops before it and the
 * next one starts with it whole. */
static void test_captured_logs_utf8(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  /* "aé€😀": 1 + 2 + 3 + 4 bytes; stderr missing. */
  write_logs(id, "extract", "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", NULL);
  expect_chunk(id, ", limit: 2", "\"a\"", "null", "1:0");
  expect_chunk(id, ", cursor: \"1:0\", limit: 4", "\"\xc3\xa9\"", "null", "3:0");
  expect_chunk(id, ", cursor: \"3:0\", limit: 8", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"", "null",
               "10:0");
}

/* Log keys that would name a file outside the compute logs folder read
 * nothing, even when the file they would name exists. */
static void test_captured_logs_bad_keys(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  write_logs(id, "extract", "inside\n", "inside\n");
  char *outside = arena_printf(fx->a, "%s/secret.out", fx->dir);
  home_write_file(outside, "secret\n");
  const char *keys[] = {
      "[\"..\", \"secret\"]",
      "[\"$R\", \"..\", \"..\", \"secret\"]",
      "[\"$R/compute_logs\", \"extract\"]",
      "[\"$R\", \"compute_logs\", \"../extract\"]",
      "[\".\", \"$R\", \"compute_logs\", \"extract\"]",
      "[\"\", \"extract\"]",
  };
  for (size_t i = 0; i < API_COUNT(keys); i++) {
    char q[256];
    snprintf(q, sizeof q, "{ capturedLogs(logKey: %s) { stdout stderr cursor } }", keys[i]);
    buf qq, want;
    buf_init(&qq, fx->a);
    buf_init(&want, fx->a);
    put_with_run(&qq, q, id);
    buf_puts(&want,
             "{\"data\":{\"capturedLogs\":{\"stdout\":null,\"stderr\":null,\"cursor\":\"0:0\"}}}");
    expect(buf_cstr(&qq), NULL, buf_cstr(&want));
  }
  /* No key at all, and a part holding a NUL byte (a C path would end
   * there and name another file). */
  expect("{ capturedLogs(logKey: []) { logKey stdout } }", NULL,
         "{\"data\":{\"capturedLogs\":{\"logKey\":[],\"stdout\":null}}}");
  write_logs(id, "ex", "cut here\n", NULL);
  buf q;
  buf_init(&q, fx->a);
  put_with_run(&q,
               "{ capturedLogs(logKey: [\"$R\", \"compute_logs\", \"ex\\u0000tract\"]) { "
               "stdout } }",
               id);
  expect(buf_cstr(&q), NULL, "{\"data\":{\"capturedLogs\":{\"stdout\":null}}}");
}

static void test_captured_logs_metadata(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  const char *key[] = {id, "compute_logs", "extract"};
  buf out, err;
  buf_init(&out, fx->a);
  buf_init(&err, fx->a);
  assert_true(run_compute_log_path(fx->inst, key, 3, RUN_LOG_STDOUT, &out));
  assert_true(run_compute_log_path(fx->inst, key, 3, RUN_LOG_STDERR, &err));
  /* The files need not exist: the metadata says where they go. */
  char *want = arena_printf(fx->a,
                            "{\"data\":{\"capturedLogsMetadata\":{\"stdoutLocation\":\"%s\","
                            "\"stderrLocation\":\"%s\",\"stdoutDownloadUrl\":null,"
                            "\"stderrDownloadUrl\":null}}}",
                            buf_cstr(&out), buf_cstr(&err));
  assert_non_null(strstr(buf_cstr(&out), fx->dir));
  assert_non_null(strstr(buf_cstr(&out), "/compute_logs/extract.out"));
  char *q = arena_printf(fx->a,
                         "{ capturedLogsMetadata(logKey: [\"%s\", \"compute_logs\", \"extract\"]) "
                         "{ stdoutLocation stderrLocation stdoutDownloadUrl stderrDownloadUrl } }",
                         id);
  expect(q, NULL, want);
  expect("{ capturedLogsMetadata(logKey: [\"..\", \"x\"]) { stdoutLocation stderrLocation } }",
         NULL,
         "{\"data\":{\"capturedLogsMetadata\":{\"stdoutLocation\":null,\"stderrLocation\":null}}}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_every_member, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_queue_events, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_other_types, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_paging, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_unknown_run_and_no_instance, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_captured_logs, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_captured_logs_utf8, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_captured_logs_bad_keys, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_captured_logs_metadata, home_harness_setup,
                                      home_teardown),
  };
  return cmocka_run_group_tests(tests, harness_group_setup_empty, harness_group_teardown);
}
