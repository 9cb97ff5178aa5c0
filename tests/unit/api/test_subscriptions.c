/* test_subscriptions.c — unit tests for src/api/subscriptions.c: the
 * subscriptions are opened with gql_subscribe as a transport opens them,
 * their events collected by a test sink (pushed from the watcher thread)
 * and executed with gql_execute_event, over a temporary instance whose
 * events are written with run_event as the run worker writes them.
 *
 * Covers pipelineRunLogs (an unknown run's failure and completion; past
 * events then each new event once and in order; every cursor form, HEAD,
 * bad cursors; chunks with hasMorePastEvents; a writer racing the
 * subscription; many subscribers of one run; the stream staying open after
 * the run ends, as Dagster's does, and completing when the run is
 * deleted), capturedLogs (the first read, growth
 * in either file, a cursor to resume from, completion once the run is
 * over, an unknown run, a bad cursor), a server without an instance, the
 * watcher thread existing only while subscriptions do, and the test
 * subscription added to the Subscription type (an `extend type`).
 *
 * On PostgreSQL (a schema of the test server, pg_url.h; skipped without
 * one) the watcher listens for notifications: events arrive through
 * them, and when the server kills the listening connection the watcher
 * reports, once, that notifications fail, keeps delivering by polling,
 * and reports, once, that they work again when it has listened anew. On
 * SQLite nothing is ever reported (polling is its normal way). */
#define _XOPEN_SOURCE 700
#include "home_harness.h"

#include <dirent.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <time.h>

#include "../storage/pg_url.h"
#include "base/fs.h"
#include "graphql/stream.h"
#include "graphql/validate.h"

/* How long a test waits for something that must happen. */
#define DEADLINE_MS 10000

/* ---- a sink that collects events (graphql/stream.h) ---------------------- */

typedef struct test_sink {
  gql_sink base;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  gql_event *events;
  size_t n, cap;
  bool ended;
  char *error;
  bool released;
} test_sink;

static bool sink_push(gql_sink *base, gql_event e) {
  test_sink *k = (test_sink *)base;
  pthread_mutex_lock(&k->lock);
  bool open = !k->ended;
  if (open) {
    if (k->n == k->cap) {
      k->cap = k->cap ? k->cap * 2 : 16;
      k->events = realloc(k->events, k->cap * sizeof *k->events);
    }
    k->events[k->n++] = e;
    pthread_cond_broadcast(&k->cond);
  }
  pthread_mutex_unlock(&k->lock);
  if (!open)
    gql_event_free(&e);
  return open;
}

static void sink_end(gql_sink *base, const char *error) {
  test_sink *k = (test_sink *)base;
  pthread_mutex_lock(&k->lock);
  if (!k->ended) {
    k->ended = true;
    k->error = error ? strdup(error) : NULL;
  }
  pthread_cond_broadcast(&k->cond);
  pthread_mutex_unlock(&k->lock);
}

static void sink_release(gql_sink *base) {
  test_sink *k = (test_sink *)base;
  pthread_mutex_lock(&k->lock);
  if (k->released)
    fail_msg("the sink was released twice");
  k->released = true;
  pthread_cond_broadcast(&k->cond);
  pthread_mutex_unlock(&k->lock);
}

static const gql_sink_ops sink_ops = {sink_push, sink_end, sink_release};

/* Waits on the sink until done(k) holds; false when the deadline passed. */
static bool sink_wait(test_sink *k, bool (*done)(const test_sink *k, size_t arg), size_t arg) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += DEADLINE_MS / 1000;
  pthread_mutex_lock(&k->lock);
  int rc = 0;
  while (!done(k, arg) && rc == 0)
    rc = pthread_cond_timedwait(&k->cond, &k->lock, &until);
  bool ok = done(k, arg);
  pthread_mutex_unlock(&k->lock);
  return ok;
}

static bool has_event(const test_sink *k, size_t i) { return k->n > i || k->ended; }
static bool is_ended(const test_sink *k, size_t i) { return (void)i, k->ended; }
static bool is_released(const test_sink *k, size_t i) { return (void)i, k->released; }

/* ---- what the watcher reports (api_context.report) ------------------------- */

static struct {
  pthread_mutex_t lock;
  char *messages[8];
  size_t n; /* reports made (those past 8 are counted only) */
} reports = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void report(void *data, const char *message) {
  assert_ptr_equal(data, &reports);
  pthread_mutex_lock(&reports.lock);
  if (reports.n < API_COUNT(reports.messages))
    reports.messages[reports.n] = strdup(message);
  reports.n++;
  pthread_mutex_unlock(&reports.lock);
}

static size_t reports_made(void) {
  pthread_mutex_lock(&reports.lock);
  size_t n = reports.n;
  pthread_mutex_unlock(&reports.lock);
  return n;
}

static void reports_clear(void) {
  pthread_mutex_lock(&reports.lock);
  for (size_t i = 0; i < reports.n && i < API_COUNT(reports.messages); i++)
    free(reports.messages[i]);
  reports.n = 0;
  pthread_mutex_unlock(&reports.lock);
}

/* ---- subscriptions as a transport holds them ------------------------------ */

typedef struct sub {
  arena *a; /* the document, for the subscription's lifetime */
  api_context ctx;
  gql_request req;
  json_t *vars;
  gql_stream *stream;
  test_sink sink;
  size_t seen; /* events executed so far */
} sub;

/* Opens the subscription on inst (NULL: a server without one). NULL when
 * gql_subscribe refuses it, with the response in *refusal (free it). */
static sub *open_on(run_instance *inst, const char *query, json_t *vars, char **refusal) {
  sub *s = calloc(1, sizeof *s);
  s->a = arena_new(0);
  s->vars = vars;
  s->ctx = (api_context){
      .workspace = workspace, .instance = inst, .report = report, .report_data = &reports};
  gql_errors errs;
  gql_errors_init(&errs, s->a);
  const gql_document *doc = gql_parse(s->a, query, strlen(query), NULL, &errs);
  assert_non_null(doc);
  if (gql_validate(schema, doc, s->a, &errs) != 0)
    fail_msg("invalid: %s", errs.items[0]->message);
  s->req = (gql_request){
      .schema = schema, .document = doc, .variables = vars, .context = &s->ctx, .arena = s->a};
  gql_rv source;
  buf out;
  buf_init(&out, s->a);
  if (!gql_subscribe(&s->req, &source, &out)) {
    *refusal = strdup(buf_cstr(&out));
    arena_free(s->a);
    json_decref(vars);
    free(s);
    return NULL;
  }
  assert_int_equal(source.kind, GQL_RV_OBJECT);
  s->stream = (gql_stream *)source.u.obj.ptr;
  s->sink.base.ops = &sink_ops;
  pthread_mutex_init(&s->sink.lock, NULL);
  pthread_cond_init(&s->sink.cond, NULL);
  s->stream->ops->start(s->stream, &s->sink.base);
  return s;
}

/* open_on the test's instance; the subscription must be accepted. */
static sub *open_sub(const char *query, json_t *vars) {
  char *refusal = NULL;
  sub *s = open_on(fx->inst, query, vars, &refusal);
  if (!s)
    fail_msg("refused: %s", refusal);
  return s;
}

/* The next event executed against the subscription's selection set, as the
 * parsed response; fails when none comes (or the stream ended first). */
static json_t *next_result(sub *s) {
  if (!sink_wait(&s->sink, has_event, s->seen))
    fail_msg("no event %zu within %d ms", s->seen, DEADLINE_MS);
  pthread_mutex_lock(&s->sink.lock);
  bool have = s->sink.n > s->seen;
  gql_event e = have ? s->sink.events[s->seen] : (gql_event){0};
  pthread_mutex_unlock(&s->sink.lock);
  if (!have)
    fail_msg("the stream ended (%s) before event %zu", s->sink.error ? s->sink.error : "completed",
             s->seen);
  s->seen++;
  arena *a = arena_new(0);
  gql_request req = s->req;
  req.arena = a;
  gql_rv ev = e.json ? gql_rv_json(e.json) : gql_rv_object(e.object, NULL);
  buf out;
  buf_init(&out, a);
  gql_execute_event(&req, &ev, &out);
  json_t *r = json_loads(buf_cstr(&out), 0, NULL);
  if (!r)
    fail_msg("not JSON: %s", buf_cstr(&out));
  arena_free(a);
  return r;
}

/* Waits until the stream ends; returns its error (NULL: completed). */
static const char *wait_end(sub *s) {
  if (!sink_wait(&s->sink, is_ended, 0))
    fail_msg("the stream did not end within %d ms", DEADLINE_MS);
  return s->sink.error;
}

/* Cancels as the transport does, waits for the sink's release, frees. */
static void close_sub(sub *s) {
  s->stream->ops->cancel(s->stream);
  if (!sink_wait(&s->sink, is_released, 0))
    fail_msg("the sink was not released within %d ms", DEADLINE_MS);
  for (size_t i = 0; i < s->sink.n; i++)
    gql_event_free(&s->sink.events[i]);
  free(s->sink.events);
  free(s->sink.error);
  pthread_cond_destroy(&s->sink.cond);
  pthread_mutex_destroy(&s->sink.lock);
  json_decref(s->vars);
  arena_free(s->a);
  free(s);
}

/* ---- helpers ---------------------------------------------------------------- */

#define RUN_LOGS                                                                                   \
  "subscription($id: ID!, $c: String) { pipelineRunLogs(runId: $id, cursor: $c) { __typename "     \
  "... on PipelineRunLogsSubscriptionSuccess { messages { __typename ... on MessageEvent { "       \
  "message eventType } } hasMorePastEvents cursor run { runId status } } ... on "                  \
  "PipelineRunLogsSubscriptionFailure { message missingRunId } } }"

/* Variables {"id": run_id, "c": cursor (NULL: absent)}. */
static json_t *logs_vars(const char *run_id, const char *cursor) {
  json_t *v = json_pack("{s:s}", "id", run_id);
  if (cursor)
    json_object_set_new(v, "c", json_string(cursor));
  return v;
}

static sub *open_logs(const char *run_id, const char *cursor) {
  return open_sub(RUN_LOGS, logs_vars(run_id, cursor));
}

/* Appends a plain log message to the run; returns its id. */
static int64_t log_message(const char *run_id, const char *message) {
  store_error err;
  int64_t id = run_event(fx->inst->store, run_id, NULL, RUN_LEVEL_INFO, NULL, message, NULL, &err);
  if (id < 0)
    fail_msg("run_event: %s", err.message);
  return id;
}

/* Appends a structured event of that type; returns its id. */
static int64_t typed_event(const char *run_id, const char *type) {
  store_error err;
  int64_t id =
      run_event(fx->inst->store, run_id, type, run_event_level(type), NULL, type, NULL, &err);
  if (id < 0)
    fail_msg("run_event: %s", err.message);
  return id;
}

/* Dagster's cursor text after event id (static storage, one at a time). */
static const char *cursor_after(int64_t id) {
  static char text[128];
  arena *a = arena_new(0);
  snprintf(text, sizeof text, "%s", api_log_cursor_text(a, id));
  arena_free(a);
  return text;
}

/* The payload of a pipelineRunLogs result. */
static json_t *payload(json_t *r) {
  if (json_object_get(r, "errors"))
    fail_msg("errors: %s", json_dumps(r, 0));
  return at(r, "data.pipelineRunLogs");
}

/* Asserts a result is a success message with exactly those messages
 * ("|"-joined), that hasMorePastEvents, and that cursor (NULL: not
 * checked). Frees the result. */
static void expect_chunk(json_t *r, const char *messages, bool more, const char *cursor) {
  json_t *p = payload(r);
  assert_string_equal(json_string_value(at(p, "__typename")), "PipelineRunLogsSubscriptionSuccess");
  buf got;
  buf_init(&got, NULL);
  json_t *m;
  size_t i;
  json_array_foreach(at(p, "messages"), i, m) {
    if (i)
      buf_putc(&got, '|');
    buf_puts(&got, json_string_value(at(m, "message")));
  }
  assert_string_equal(buf_cstr(&got), messages);
  buf_free(&got);
  assert_true(json_is_true(at(p, "hasMorePastEvents")) == more);
  if (cursor)
    assert_string_equal(json_string_value(at(p, "cursor")), cursor);
  json_decref(r);
}

/* The number of threads of this process. */
static int thread_count(void) {
  DIR *d = opendir("/proc/self/task");
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

/* Waits until the process has `want` threads; false at the deadline. */
static bool threads_become(int want) {
  for (int waited = 0; waited < DEADLINE_MS; waited += 5) {
    if (thread_count() == want)
      return true;
    nanosleep(&(struct timespec){0, 5000000}, NULL);
  }
  return false;
}

/* ---- the schema ----------------------------------------------------------- */

static void expect_resolvers(const gql_schema *s, const char *type_name) {
  const gql_type *t = gql_schema_type(s, type_name);
  assert_non_null(t);
  for (size_t i = 0; i < t->n_fields; i++)
    if (!t->fields[i].resolve)
      fail_msg("%s.%s has no resolver", type_name, t->fields[i].name);
}

static void test_schema(void **state) {
  (void)state;
  char err[256];
  api_options opts = {.test_subscriptions = true};
  gql_schema *with = api_schema_new(&opts, err, sizeof err);
  if (!with)
    fail_msg("%s", err);
  const gql_type *sub_type = gql_schema_type(with, "Subscription");
  /* The test field joins the API's own in the one Subscription type. */
  const char *fields[] = {"testCounter", "pipelineRunLogs", "capturedLogs"};
  for (size_t i = 0; i < API_COUNT(fields); i++) {
    const gql_field *f = gql_type_field(sub_type, fields[i]);
    if (!f || !f->subscribe || !f->resolve)
      fail_msg("Subscription.%s is missing or has no hooks", fields[i]);
  }
  expect_resolvers(with, "Subscription");
  expect_resolvers(with, "PipelineRunLogsSubscriptionSuccess");
  expect_resolvers(with, "PipelineRunLogsSubscriptionFailure");
  gql_schema_free(with);
  assert_null(gql_type_field(gql_schema_type(schema, "Subscription"), "testCounter"));
  expect_resolvers(schema, "Subscription");
}

/* ---- pipelineRunLogs ---------------------------------------------------- */

static void test_unknown_run(void **state) {
  (void)state;
  sub *s = open_logs("no-such-run", NULL);
  json_t *r = next_result(s);
  char *text = json_dumps(r, JSON_SORT_KEYS);
  assert_string_equal(text, "{\"data\": {\"pipelineRunLogs\": {\"__typename\": "
                            "\"PipelineRunLogsSubscriptionFailure\", \"message\": \"Could not load "
                            "run with id no-such-run\", \"missingRunId\": \"no-such-run\"}}}");
  free(text);
  json_decref(r);
  assert_null(wait_end(s));
  assert_int_equal(s->sink.n, 1);
  close_sub(s);
}

static void test_past_then_live(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  log_message(id, "m1");
  log_message(id, "m2");
  int64_t third = log_message(id, "m3");
  sub *s = open_logs(id, NULL);
  json_t *r = next_result(s);
  assert_string_equal(json_string_value(at(r, "data.pipelineRunLogs.run.runId")), id);
  assert_string_equal(json_string_value(at(r, "data.pipelineRunLogs.run.status")), "STARTED");
  expect_chunk(r, "m1|m2|m3", false, cursor_after(third));
  /* New events: one message each, in order, with the cursor after it. */
  int64_t fourth = log_message(id, "m4");
  int64_t fifth = log_message(id, "m5");
  expect_chunk(next_result(s), "m4", false, cursor_after(fourth));
  expect_chunk(next_result(s), "m5", false, cursor_after(fifth));
  typed_event(id, "RUN_SUCCESS");
  r = next_result(s);
  assert_string_equal(json_string_value(at(r, "data.pipelineRunLogs.messages.0.eventType")),
                      "RUN_SUCCESS");
  assert_string_equal(json_string_value(at(r, "data.pipelineRunLogs.run.status")), "SUCCESS");
  json_decref(r);
  /* As Dagster's, the stream stays open after the run's end: a later
   * event still arrives. */
  log_message(id, "after the end");
  expect_chunk(next_result(s), "after the end", false, NULL);
  assert_false(s->sink.ended);
  close_sub(s);
  assert_int_equal(reports_made(), 0); /* SQLite polls: nothing to report */
}

/* A run deleted while subscribed to: nothing can follow, so its streams
 * complete, past or live, one subscriber or several. */
static void test_deleted_run_completes(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  int64_t first = log_message(id, "m1");
  sub *a = open_logs(id, NULL), *b = open_logs(id, NULL);
  expect_chunk(next_result(a), "m1", false, cursor_after(first));
  expect_chunk(next_result(b), "m1", false, cursor_after(first));
  store_error err = {{0}};
  bool found = false;
  assert_int_equal(store_run_delete(fx->inst->store, id, &found, &err), 0);
  assert_true(found);
  assert_null(wait_end(a));
  assert_null(wait_end(b));
  assert_int_equal(a->sink.n, 1);
  assert_int_equal(b->sink.n, 1);
  close_sub(a);
  close_sub(b);
}

static void test_empty_log(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_NOT_STARTED, id);
  sub *s = open_logs(id, NULL);
  /* One message even with nothing to send; the cursor of storage id -1. */
  expect_chunk(next_result(s), "", false, "eyJ0eXBlIjogIlNUT1JBR0VfSUQiLCAidmFsdWUiOiAtMX0=");
  log_message(id, "first");
  expect_chunk(next_result(s), "first", false, NULL);
  close_sub(s);
}

static void test_cursors(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  int64_t ids[5];
  char text[8];
  for (int i = 0; i < 5; i++) {
    snprintf(text, sizeof text, "m%d", i + 1);
    ids[i] = log_message(id, text);
  }
  char decimal[32], second[128];
  snprintf(decimal, sizeof decimal, "%lld", (long long)ids[1]);
  snprintf(second, sizeof second, "%s", cursor_after(ids[1]));
  struct {
    const char *cursor;
    const char *messages;
    const char *cursor_out; /* NULL: after the last of them */
  } cases[] = {
      {second, "m3|m4|m5", NULL},
      {decimal, "m3|m4|m5", NULL},
      {"eyJ0eXBlIjogIk9GRlNFVCIsICJ2YWx1ZSI6IDR9", "m5", NULL}, /* OFFSET 4 */
      {"eyJ0eXBlIjogIk9GRlNFVCIsICJ2YWx1ZSI6IDl9", "", "eyJ0eXBlIjogIk9GRlNFVCIsICJ2YWx1ZSI6IDl9"},
      {"", "m1|m2|m3|m4|m5", NULL},
  };
  char last[128];
  snprintf(last, sizeof last, "%s", cursor_after(ids[4]));
  for (size_t i = 0; i < API_COUNT(cases); i++) {
    sub *s = open_logs(id, cases[i].cursor);
    expect_chunk(next_result(s), cases[i].messages, false,
                 cases[i].cursor_out ? cases[i].cursor_out : last);
    close_sub(s);
  }
  /* At the end already: nothing past (the cursor kept), then what comes. */
  sub *at_end = open_logs(id, last);
  expect_chunk(next_result(at_end), "", false, last);
  /* HEAD: only what is written from now on. */
  sub *head = open_logs(id, "HEAD");
  int64_t sixth = log_message(id, "m6");
  expect_chunk(next_result(head), "m6", false, cursor_after(sixth));
  expect_chunk(next_result(at_end), "m6", false, cursor_after(sixth));
  close_sub(head);
  close_sub(at_end);
  /* A cursor that is none of Dagster's forms is refused. */
  char *refusal = NULL;
  assert_null(open_on(fx->inst, RUN_LOGS, logs_vars(id, "nope!"), &refusal));
  assert_non_null(strstr(refusal, "\"message\":\"Invalid cursor for fetching run events: nope!\""));
  free(refusal);
}

static void test_chunks(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  char text[8];
  for (int i = 1; i <= 5; i++) {
    snprintf(text, sizeof text, "m%d", i);
    log_message(id, text);
  }
  setenv("DAGSTER_UI_EVENT_LOAD_CHUNK_SIZE", "2", 1);
  sub *s = open_logs(id, NULL);
  unsetenv("DAGSTER_UI_EVENT_LOAD_CHUNK_SIZE");
  expect_chunk(next_result(s), "m1|m2", true, NULL);
  expect_chunk(next_result(s), "m3|m4", true, NULL);
  expect_chunk(next_result(s), "m5", false, NULL);
  log_message(id, "m6");
  expect_chunk(next_result(s), "m6", false, NULL);
  close_sub(s);
}

/* ---- exactly once, in order, under concurrency ------------------------------ */

#define RACE_EVENTS 300

typedef struct writer_arg {
  const char *run_id;
} writer_arg;

static void *writer_main(void *p) {
  writer_arg *w = p;
  char text[16];
  for (int i = 0; i < RACE_EVENTS; i++) {
    snprintf(text, sizeof text, "e%d", i);
    log_message(w->run_id, text);
  }
  return NULL;
}

/* Reads messages until `want` events arrived; asserts they are e<from>..
 * in order, each once. */
static void expect_sequence(sub *s, int from, int want) {
  int next = from;
  while (next < from + want) {
    json_t *r = next_result(s);
    json_t *m;
    size_t i;
    json_array_foreach(at(payload(r), "messages"), i, m) {
      char expected[16];
      snprintf(expected, sizeof expected, "e%d", next);
      if (strcmp(json_string_value(at(m, "message")), expected) != 0)
        fail_msg("got %s where %s was due", json_string_value(at(m, "message")), expected);
      next++;
    }
    json_decref(r);
  }
  assert_int_equal(next, from + want);
}

static void test_writer_racing_subscribers(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  /* Subscribers from before the first event (all of it arrives live) and
   * joining while the writer goes (part past, part live): none loses or
   * doubles an event. */
  enum { SUBS = 6 };
  sub *subs[SUBS];
  for (int i = 0; i < SUBS / 2; i++)
    subs[i] = open_logs(id, NULL);
  writer_arg arg = {id};
  pthread_t writer;
  assert_int_equal(pthread_create(&writer, NULL, writer_main, &arg), 0);
  for (int i = SUBS / 2; i < SUBS; i++)
    subs[i] = open_logs(id, NULL);
  pthread_join(writer, NULL);
  for (int i = 0; i < SUBS; i++)
    expect_sequence(subs[i], 0, RACE_EVENTS);
  /* One resumes from the middle of what another received. */
  size_t n;
  store_event *evs = home_events(fx, id, &n);
  assert_int_equal(n, RACE_EVENTS);
  char cursor[128];
  snprintf(cursor, sizeof cursor, "%s", cursor_after(evs[RACE_EVENTS / 2 - 1].id));
  sub *resumed = open_logs(id, cursor);
  expect_sequence(resumed, RACE_EVENTS / 2, RACE_EVENTS / 2);
  close_sub(resumed);
  for (int i = 0; i < SUBS; i++)
    close_sub(subs[i]);
}

/* The watcher thread exists while subscriptions do, and only then. */
static void test_watcher_thread_lifetime(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  int base = thread_count();
  sub *a = open_logs(id, NULL);
  sub *b = open_logs(id, NULL);
  json_decref(next_result(a));
  json_decref(next_result(b));
  assert_int_equal(thread_count(), base + 1);
  close_sub(a);
  assert_int_equal(thread_count(), base + 1); /* b still watches */
  close_sub(b);
  assert_true(threads_become(base));
  /* A new subscription starts a new thread. */
  sub *c = open_logs(id, NULL);
  json_decref(next_result(c));
  assert_int_equal(thread_count(), base + 1);
  log_message(id, "late");
  expect_chunk(next_result(c), "late", false, NULL);
  close_sub(c);
  assert_true(threads_become(base));
}

static void test_no_instance(void **state) {
  (void)state;
  const char *queries[] = {
      RUN_LOGS,
      "subscription { capturedLogs(logKey: [\"r\", \"compute_logs\", \"s\"]) { stdout } }"};
  for (size_t i = 0; i < API_COUNT(queries); i++) {
    char *refusal = NULL;
    assert_null(open_on(NULL, queries[i], i == 0 ? logs_vars("x", NULL) : NULL, &refusal));
    assert_non_null(strstr(refusal, "This dagd server has no instance"));
    free(refusal);
  }
}

/* ---- capturedLogs --------------------------------------------------------------- */

#define CAPTURED                                                                                   \
  "subscription($key: [String!]!, $c: String) { capturedLogs(logKey: $key, cursor: $c) { "         \
  "logKey stdout stderr cursor } }"

static sub *open_captured(const char *run_id, const char *cursor) {
  json_t *v = json_pack("{s:[s,s,s]}", "key", run_id, "compute_logs", "step");
  if (cursor)
    json_object_set_new(v, "c", json_string(cursor));
  return open_sub(CAPTURED, v);
}

/* Appends text to one stream's file of the run's step (created with its
 * folder when missing). */
static void append_log(const char *run_id, run_log_stream stream, const char *text) {
  const char *key[] = {run_id, "compute_logs", "step"};
  buf path;
  buf_init(&path, NULL);
  assert_true(run_compute_log_path(fx->inst, key, 3, stream, &path));
  char *dir = strdup(buf_cstr(&path));
  *strrchr(dir, '/') = '\0';
  assert_true(fs_mkdir_p(dir));
  free(dir);
  FILE *f = fopen(buf_cstr(&path), "ab");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
  buf_free(&path);
}

/* Asserts a capturedLogs result: stdout, stderr (NULL: null) and cursor. */
static void expect_logs(json_t *r, const char *out, const char *err, const char *cursor) {
  if (json_object_get(r, "errors"))
    fail_msg("errors: %s", json_dumps(r, 0));
  json_t *c = at(r, "data.capturedLogs");
  const char *want[] = {out, err};
  const char *names[] = {"stdout", "stderr"};
  for (int i = 0; i < 2; i++) {
    json_t *v = at(c, names[i]);
    if (want[i])
      assert_string_equal(json_string_value(v), want[i]);
    else
      assert_true(json_is_null(v));
  }
  assert_string_equal(json_string_value(at(c, "cursor")), cursor);
  assert_string_equal(json_string_value(at(c, "logKey.1")), "compute_logs");
  json_decref(r);
}

static void test_captured_logs_follow_the_files(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  append_log(id, RUN_LOG_STDOUT, "hello\n");
  append_log(id, RUN_LOG_STDERR, "warn\n");
  sub *s = open_captured(id, NULL);
  expect_logs(next_result(s), "hello\n", "warn\n", "6:5");
  append_log(id, RUN_LOG_STDOUT, "more\n");
  expect_logs(next_result(s), "more\n", NULL, "11:5");
  append_log(id, RUN_LOG_STDERR, "oops\n");
  expect_logs(next_result(s), NULL, "oops\n", "11:10");
  /* Written just before the run ends: still sent, then the stream completes. */
  append_log(id, RUN_LOG_STDOUT, "bye\n");
  typed_event(id, "RUN_SUCCESS");
  expect_logs(next_result(s), "bye\n", NULL, "15:10");
  assert_null(wait_end(s));
  assert_int_equal(s->sink.n, 4);
  close_sub(s);
  /* Resumed where the reader stopped, after the end: nothing new, so no
   * message (Dagster sends only a read that moved the cursor), and done. */
  s = open_captured(id, "15:10");
  assert_null(wait_end(s));
  assert_int_equal(s->sink.n, 0);
  close_sub(s);
  /* Resumed from the middle: the rest, then done. */
  s = open_captured(id, "11:5");
  expect_logs(next_result(s), "bye\n", "oops\n", "15:10");
  assert_null(wait_end(s));
  close_sub(s);
}

static void test_captured_logs_without_files_or_run(void **state) {
  (void)state;
  /* No such run: the first read (empty) and the end. */
  sub *s = open_captured("not-a-run", NULL);
  expect_logs(next_result(s), NULL, NULL, "0:0");
  assert_null(wait_end(s));
  close_sub(s);
  /* A running step with no output yet: the first read, then its output. */
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  s = open_captured(id, NULL);
  expect_logs(next_result(s), NULL, NULL, "0:0");
  append_log(id, RUN_LOG_STDERR, "late\n");
  expect_logs(next_result(s), NULL, "late\n", "0:5");
  close_sub(s);
}

static void test_captured_logs_bad_cursor(void **state) {
  (void)state;
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  append_log(id, RUN_LOG_STDOUT, "x\n");
  sub *s = open_captured(id, "a:b");
  json_t *r = next_result(s);
  assert_true(json_is_null(at(r, "data")));
  assert_string_equal(json_string_value(at(r, "errors.0.message")),
                      "Invalid cursor for captured logs: a:b");
  json_decref(r);
  assert_null(wait_end(s));
  close_sub(s);
}

/* ---- PostgreSQL ------------------------------------------------------------ */

static void pg_quiet(void *arg, const char *message) { (void)arg, (void)message; }

/* Runs sql on a connection of its own to conninfo; the first value of
 * its first row as a number (0 when none), -1 when it fails. */
static long long pg_exec(const char *conninfo, const char *sql) {
  PGconn *pg = PQconnectdb(conninfo);
  long long v = -1;
  PQsetNoticeProcessor(pg, pg_quiet, NULL); /* "drop cascades to …" */
  if (PQstatus(pg) == CONNECTION_OK) {
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
      v = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    else if (PQresultStatus(res) == PGRES_COMMAND_OK)
      v = 0;
    PQclear(res);
  }
  PQfinish(pg);
  return v;
}

/* A home whose dagd.yaml stores in schema `name` of the test server
 * (its connections named after it too); fx points at it. */
typedef struct pg_home {
  char *server;
  char schema[64];
  char conninfo[1024];
} pg_home;

static pg_home pgh;

static int pg_setup(void **state) {
  pgh.server = pg_test_url();
  if (!pgh.server) {
    *state = NULL;
    return 0; /* the case skips */
  }
  snprintf(pgh.schema, sizeof pgh.schema, "dagd_subs_%ld", (long)getpid());
  char sql[128];
  snprintf(sql, sizeof sql, "CREATE SCHEMA %s", pgh.schema);
  if (pg_exec(pgh.server, sql) != 0)
    return -1;
  const char *url = pgh.server;
  bool is_url = strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
  if (!is_url)
    return -1; /* the fixture writes URLs */
  snprintf(pgh.conninfo, sizeof pgh.conninfo, "%s%coptions=-csearch_path%%3D%s&application_name=%s",
           url, strchr(url, '?') ? '&' : '?', pgh.schema, pgh.schema);
  home_fixture *f = calloc(1, sizeof *f);
  home_mkdtemp(f->dir);
  char path[128], yaml[1200];
  snprintf(path, sizeof path, "%s/dagd.yaml", f->dir);
  snprintf(yaml, sizeof yaml, "storage:\n  postgres:\n    postgres_url: \"%s\"\n", pgh.conninfo);
  home_write_file(path, yaml);
  buf err;
  buf_init(&err, NULL);
  f->inst = run_instance_open(f->dir, &err);
  if (!f->inst)
    fprintf(stderr, "run_instance_open: %s\n", buf_cstr(&err));
  buf_free(&err);
  f->a = arena_new(0);
  *state = fx = f;
  return f->inst ? 0 : -1;
}

static int pg_teardown(void **state) {
  int rc = 0;
  if (*state) {
    home_teardown(state);
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", pgh.schema);
    rc = pg_exec(pgh.server, sql) == 0 ? 0 : -1;
  }
  free(pgh.server);
  reports_clear();
  return rc;
}

/* Terminates the backends of the home's connections that LISTEN; how
 * many. */
static long long kill_listeners(void) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           "WHERE application_name = '%s' AND query LIKE 'LISTEN %%'",
           pgh.schema);
  return pg_exec(pgh.server, sql);
}

/* Waits until `want` reports were made; false at the deadline. */
static bool reports_become(size_t want) {
  for (int waited = 0; waited < DEADLINE_MS; waited += 5) {
    if (reports_made() == want)
      return true;
    nanosleep(&(struct timespec){0, 5000000}, NULL);
  }
  return false;
}

static void test_postgres_notifications_break_and_recover(void **state) {
  if (!*state)
    skip();
  char id[37];
  home_add_run(fx, STORE_RUN_STARTED, id);
  sub *s = open_logs(id, NULL);
  expect_chunk(next_result(s), "", false, NULL);
  expect_chunk(next_result(s), "m1", false, cursor_after(log_message(id, "m1")));

  /* The watcher listens after its first round: kill its connection once
   * it is there. */
  long long killed = 0;
  for (int waited = 0; killed == 0 && waited < DEADLINE_MS; waited += 5) {
    killed = kill_listeners();
    assert_true(killed >= 0);
    if (!killed)
      nanosleep(&(struct timespec){0, 5000000}, NULL);
  }
  assert_int_equal(killed, 1);
  /* Delivery goes on (by polling, then by notifications again). */
  expect_chunk(next_result(s), "m2", false, cursor_after(log_message(id, "m2")));
  assert_true(reports_become(2));
  pthread_mutex_lock(&reports.lock);
  const char *broke = "subscriptions: no change notifications from the store, looking every 20 ms "
                      "until they work: The PostgreSQL change watcher lost its connection: ";
  assert_memory_equal(reports.messages[0], broke, strlen(broke));
  assert_string_equal(reports.messages[1],
                      "subscriptions: change notifications from the store work");
  pthread_mutex_unlock(&reports.lock);
  expect_chunk(next_result(s), "m3", false, cursor_after(log_message(id, "m3")));
  close_sub(s);
  assert_int_equal(reports_made(), 2); /* once each */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema),
      cmocka_unit_test_setup_teardown(test_unknown_run, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_past_then_live, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_empty_log, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_deleted_run_completes, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_cursors, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_chunks, home_harness_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_writer_racing_subscribers, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_watcher_thread_lifetime, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test(test_no_instance),
      cmocka_unit_test_setup_teardown(test_captured_logs_follow_the_files, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_captured_logs_without_files_or_run, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_captured_logs_bad_cursor, home_harness_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_postgres_notifications_break_and_recover, pg_setup,
                                      pg_teardown),
  };
  return cmocka_run_group_tests(tests, harness_group_setup_empty, harness_group_teardown);
}
