/* test_worker.c — unit tests for src/run/worker.c: runs of the jobs in
 * fixtures/worker/defs.yaml (and of the example jobs) executed by
 * run_worker_execute in this process, checked through what storage and
 * the files say afterwards: event sequences and texts, values through
 * inputs and outputs, config, resources, failures and what they stop,
 * retries, timeouts, concurrency limits, cancellation (through storage
 * and by signal), the ops' own events, compute logs, op selections and
 * runs that cannot start. Each test has its own temporary instance; ops
 * share files with the test under $WORKER_TEST_DIR inside it. */
#define _GNU_SOURCE /* setenv, nftw */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "defs/definitions.h"
#include "defs/run_config.h"
#include "defs/snapshot.h"
#include "fixtures/core/home.h"
#include "run/events.h"
#include "run/worker.h"

#define FIXTURE "tests/unit/run/fixtures/worker/defs.yaml"

/* ---- helpers ---- */

typedef struct wt {
  home_fixture *home; /* first: home_teardown takes it */
  defs_definitions *defs;
  char work[128]; /* $WORKER_TEST_DIR */
} wt;

static defs_definitions *load_defs(const char *path) {
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_file(path, &err);
  if (!d)
    fail_msg("%s: %s", path, buf_cstr(&err));
  buf_free(&err);
  return d;
}

static int setup(void **state) {
  void *home;
  if (home_setup(&home) != 0)
    return -1;
  wt *t = calloc(1, sizeof *t);
  t->home = home;
  t->defs = load_defs(FIXTURE);
  snprintf(t->work, sizeof t->work, "%s/work", t->home->dir);
  mkdir(t->work, 0777);
  setenv("WORKER_TEST_DIR", t->work, 1);
  *state = t;
  return 0;
}

static int teardown(void **state) {
  wt *t = *state;
  defs_definitions_release(t->defs);
  void *home = t->home;
  free(t);
  unsetenv("WORKER_TEST_DIR");
  return home_teardown(&home);
}

/* Stores the snapshot of job (of d) and a NOT_STARTED run of it with the
 * given run config and op selection (JSON texts, NULL: none); its id goes
 * into id. */
static void add_run_of(wt *t, const defs_definitions *d, const char *job_name,
                       const char *run_config, const char *selection, char id[37]) {
  const defs_job *job = defs_find_job(d, job_name);
  if (!job)
    fail_msg("no job %s", job_name);
  buf text;
  buf_init(&text, NULL);
  defs_job_snapshot(d, job, &text);
  char sid[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(d, job, sid);
  store_error err;
  if (store_snapshot_put(t->home->inst->store, sid, text.data, text.len, &err) != 0)
    fail_msg("store_snapshot_put: %s", err.message);
  buf_free(&text);
  store_run r = {
      .job_name = job_name,
      .repository_name = d->repository_name,
      .location_name = "test",
      .status = STORE_RUN_NOT_STARTED,
      .mode = "default",
      .run_config = run_config ? run_config : "{}",
      .snapshot_id = sid,
      .op_selection = selection,
  };
  store_new_run_id(r.run_id);
  if (store_run_add(t->home->inst->store, &r, &err) != 0)
    fail_msg("store_run_add: %s", err.message);
  memcpy(id, r.run_id, 37);
}

static void add_run(wt *t, const char *job, const char *run_config, const char *selection,
                    char id[37]) {
  add_run_of(t, t->defs, job, run_config, selection, id);
}

static void execute_ok(wt *t, const char *id) {
  buf err;
  buf_init(&err, NULL);
  int rc = run_worker_execute(t->home->inst, id, &err);
  if (rc != 0)
    fail_msg("run_worker_execute: %s", buf_cstr(&err));
  buf_free(&err);
}

static store_run_status status_of(wt *t, const char *id) {
  return home_get_run(t->home, id)->status;
}

/* Adds a run of job (as add_run), executes it and asserts it ends in
 * status want. */
static void run_job(wt *t, const char *job, const char *run_config, const char *selection,
                    store_run_status want, char id[37]) {
  add_run(t, job, run_config, selection, id);
  execute_ok(t, id);
  assert_int_equal(status_of(t, id), want);
}

static const char *tag_of(wt *t, const char *id, const char *key) {
  store_run *r = home_get_run(t->home, id);
  for (size_t i = 0; i < r->n_tags; i++)
    if (strcmp(r->tags[i].key, key) == 0)
      return r->tags[i].value;
  return NULL;
}

/* The event types of the run (LOG for a plain message), space-separated;
 * only those of step (NULL: all). */
static const char *types(wt *t, const char *id, const char *step) {
  size_t n;
  store_event *ev = home_events(t->home, id, &n);
  buf out;
  buf_init(&out, t->home->a);
  for (size_t i = 0; i < n; i++) {
    if (step && (!ev[i].step_key || strcmp(ev[i].step_key, step) != 0))
      continue;
    buf_printf(&out, "%s%s", out.len ? " " : "", ev[i].event_type ? ev[i].event_type : "LOG");
  }
  return buf_cstr(&out);
}

/* The nth (from 0) event of that type (NULL: a plain log message) and
 * step (NULL: any); fails the test when there is none. */
static store_event *event_of(wt *t, const char *id, const char *type, const char *step, int nth) {
  size_t n;
  store_event *ev = home_events(t->home, id, &n);
  for (size_t i = 0; i < n; i++) {
    bool type_ok =
        type ? ev[i].event_type && strcmp(ev[i].event_type, type) == 0 : ev[i].event_type == NULL;
    bool step_ok = !step || (ev[i].step_key && strcmp(ev[i].step_key, step) == 0);
    if (type_ok && step_ok && nth-- == 0)
      return &ev[i];
  }
  fail_msg("no event %s of step %s", type ? type : "LOG", step ? step : "(any)");
  return NULL;
}

/* Whether some plain log message of the run has exactly this text. */
static store_event *log_with(wt *t, const char *id, const char *message) {
  size_t n;
  store_event *ev = home_events(t->home, id, &n);
  for (size_t i = 0; i < n; i++)
    if (!ev[i].event_type && strcmp(ev[i].message, message) == 0)
      return &ev[i];
  return NULL;
}

/* An event's body, parsed (decref it). */
static json_t *body_of(const store_event *ev) {
  assert_non_null(ev->body);
  json_t *b = json_loads(ev->body, 0, NULL);
  assert_non_null(b);
  return b;
}

/* Asserts the step's STEP_FAILURE carries an error of that class (NULL:
 * not checked) with exactly that message. */
static void expect_step_error(wt *t, const char *id, const char *step, const char *class_name,
                              const char *message) {
  json_t *b = body_of(event_of(t, id, "STEP_FAILURE", step, 0));
  json_t *error = json_object_get(b, "error");
  if (class_name)
    assert_string_equal(json_string_value(json_object_get(error, "className")), class_name);
  assert_string_equal(json_string_value(json_object_get(error, "message")), message);
  json_decref(b);
}

static char *slurp(wt *t, const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("cannot read %s", path);
  buf b;
  buf_init(&b, t->home->a);
  buf_read_file(&b, f);
  fclose(f);
  return (char *)buf_cstr(&b);
}

static char *output_of(wt *t, const char *id, const char *step, const char *output) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s/%s/%s", t->home->inst->artifacts_dir, id, step, output);
  return slurp(t, path);
}

static pid_t read_pid(wt *t, const char *file) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", t->work, file);
  return (pid_t)atol(slurp(t, path));
}

/* Waits (10 s at most) for a file under $WORKER_TEST_DIR to exist. */
static bool wait_for_file(const char *work, const char *file) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", work, file);
  struct stat st;
  for (int i = 0; i < 1000; i++) {
    if (stat(path, &st) == 0 && st.st_size > 0)
      return true;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return false;
}

static bool group_gone(pid_t pgid) { return kill(-pgid, 0) != 0 && errno == ESRCH; }

/* ---- sequences and values ---- */

static void test_two_ops_sequence(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "two_ops", NULL, NULL, STORE_RUN_SUCCESS, id);
  assert_string_equal(types(t, id, NULL),
                      "ENGINE_EVENT RUN_START ENGINE_EVENT "
                      "LOGS_CAPTURED STEP_START STEP_OUTPUT HANDLED_OUTPUT STEP_SUCCESS "
                      "LOGS_CAPTURED STEP_START LOADED_INPUT STEP_INPUT STEP_OUTPUT "
                      "HANDLED_OUTPUT STEP_SUCCESS "
                      "ENGINE_EVENT RUN_SUCCESS");
  assert_string_equal(output_of(t, id, "produce", "result"), "41");
  assert_string_equal(output_of(t, id, "add_one", "result"), "42\n");

  char want[256];
  snprintf(want, sizeof want, "Started process for run (pid: %ld).", (long)getpid());
  assert_string_equal(event_of(t, id, "ENGINE_EVENT", NULL, 0)->message, want);
  snprintf(want, sizeof want,
           "Executing steps using multiprocess executor: parent process (pid: %ld)",
           (long)getpid());
  assert_string_equal(event_of(t, id, "ENGINE_EVENT", NULL, 1)->message, want);
  assert_string_equal(event_of(t, id, "RUN_START", NULL, 0)->message,
                      "Started execution of run for \"two_ops\".");
  assert_string_equal(event_of(t, id, "STEP_START", "add_one", 0)->message,
                      "Started execution of step \"add_one\".");
  assert_string_equal(event_of(t, id, "LOADED_INPUT", "add_one", 0)->message,
                      "Loaded input \"x\" using input manager \"io_manager\", from output "
                      "\"result\" of step \"produce\"");
  assert_string_equal(event_of(t, id, "STEP_INPUT", "add_one", 0)->message,
                      "Got input \"x\" of type \"Int\". (Type check passed).");
  assert_string_equal(event_of(t, id, "STEP_OUTPUT", "add_one", 0)->message,
                      "Yielded output \"result\" of type \"Int\". (Type check passed).");
  assert_string_equal(event_of(t, id, "HANDLED_OUTPUT", "add_one", 0)->message,
                      "Handled output \"result\" using IO manager \"io_manager\"");
  assert_non_null(strstr(event_of(t, id, "STEP_SUCCESS", "add_one", 0)->message,
                         "Finished execution of step \"add_one\" in "));
  assert_string_equal(event_of(t, id, "RUN_SUCCESS", NULL, 0)->message,
                      "Finished execution of run for \"two_ops\".");
  assert_non_null(strstr(event_of(t, id, "ENGINE_EVENT", NULL, 2)->message,
                         "Multiprocess executor: parent process exiting after "));

  /* Bodies, keyed by Dagster's GraphQL fields. */
  store_event *lc = event_of(t, id, "LOGS_CAPTURED", NULL, 1);
  assert_null(lc->step_key);
  json_t *b = body_of(lc);
  assert_string_equal(json_string_value(json_object_get(b, "fileKey")), "add_one");
  assert_string_equal(json_string_value(json_object_get(b, "logKey")), "add_one");
  assert_string_equal(json_string_value(json_array_get(json_object_get(b, "stepKeys"), 0)),
                      "add_one");
  json_int_t pid = json_integer_value(json_object_get(b, "pid"));
  assert_true(pid > 0);
  snprintf(want, sizeof want, "Started capturing logs in process (pid: %lld).", (long long)pid);
  assert_string_equal(lc->message, want);
  json_decref(b);

  b = body_of(event_of(t, id, "LOADED_INPUT", "add_one", 0));
  assert_string_equal(json_string_value(json_object_get(b, "inputName")), "x");
  assert_string_equal(json_string_value(json_object_get(b, "managerKey")), "io_manager");
  assert_string_equal(json_string_value(json_object_get(b, "upstreamOutputName")), "result");
  assert_string_equal(json_string_value(json_object_get(b, "upstreamStepKey")), "produce");
  /* Dagster's file IO manager reports the path it loaded from. */
  json_t *loaded = json_array_get(json_object_get(b, "metadataEntries"), 0);
  assert_string_equal(json_string_value(json_object_get(loaded, "label")), "path");
  snprintf(want, sizeof want, "%s/%s/produce/result", t->home->inst->artifacts_dir, id);
  assert_string_equal(json_string_value(json_object_get(loaded, "path")), want);
  json_decref(b);

  b = body_of(event_of(t, id, "STEP_INPUT", "add_one", 0));
  json_t *check = json_object_get(b, "typeCheck");
  assert_string_equal(json_string_value(json_object_get(check, "label")), "x");
  assert_true(json_is_true(json_object_get(check, "success")));
  json_decref(b);

  b = body_of(event_of(t, id, "HANDLED_OUTPUT", "produce", 0));
  json_t *entry = json_array_get(json_object_get(b, "metadataEntries"), 0);
  assert_string_equal(json_string_value(json_object_get(entry, "__typename")), "PathMetadataEntry");
  assert_string_equal(json_string_value(json_object_get(entry, "label")), "path");
  char path[512];
  snprintf(path, sizeof path, "%s/%s/produce/result", t->home->inst->artifacts_dir, id);
  assert_string_equal(json_string_value(json_object_get(entry, "path")), path);
  json_decref(b);

  /* The worker is recorded. */
  assert_int_equal(home_get_run(t->home, id)->worker_pid, getpid());
}

static void test_fan_in(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "fan",
          "{\"ops\": {\"hello\": {\"config\": {\"word\": \"hi\"}}, "
          "\"world\": {\"config\": {\"word\": \"there\"}}}}",
          NULL, STORE_RUN_SUCCESS, id);
  /* The list file names the upstream outputs in the order written. */
  assert_string_equal(output_of(t, id, "gather", "result"), "hi\nthere\n");
  char list[1024];
  snprintf(list, sizeof list, "%s/%s/hello/result\n%s/%s/world/result\n",
           t->home->inst->artifacts_dir, id, t->home->inst->artifacts_dir, id);
  assert_string_equal(output_of(t, id, "gather", "inputs.d/items"), list);
  /* One LOADED_INPUT per upstream output, then one STEP_INPUT. */
  assert_string_equal(types(t, id, "gather"),
                      "STEP_START LOADED_INPUT LOADED_INPUT STEP_INPUT STEP_OUTPUT "
                      "HANDLED_OUTPUT STEP_SUCCESS");
  assert_string_equal(event_of(t, id, "STEP_INPUT", "gather", 0)->message,
                      "Got input \"items\" of type \"List[String]\". (Type check passed).");
}

static void test_config_resources_and_config_inputs(void **state) {
  wt *t = *state;
  char doc[256], config[1024], id[37];
  snprintf(doc, sizeof doc, "%s/doc.json", t->work);
  home_write_file(doc, "{\"a\": [1, 2]}\n");
  snprintf(config, sizeof config,
           "{\"ops\": {\"configured\": {\"config\": {\"greeting\": \"hey\"}, \"inputs\": {"
           "\"text\": {\"value\": \"some text\"}, \"numbers\": [1, {\"value\": 2}], "
           "\"doc\": {\"json\": {\"path\": \"%s\"}}, \"maybe\": null}}}, "
           "\"resources\": {\"store\": {\"config\": {\"root\": \"/data\"}}}}",
           doc);
  add_run(t, "configured", config, NULL, id);
  /* A resource variable in the worker's own environment is not passed on. */
  setenv("DAGD_RESOURCE_leaked", "{}", 1);
  execute_ok(t, id);
  unsetenv("DAGD_RESOURCE_leaked");
  assert_int_equal(status_of(t, id), STORE_RUN_SUCCESS);
  char want[1024];
  snprintf(want, sizeof want,
           "config={\"greeting\":\"hey\",\"times\":2}\n"
           "resource={\"root\":\"/data\",\"mode\":\"fast\"}\n"
           "env=from-env\n"
           "step=configured\n"
           "job=configured\n"
           "text=some text\n"
           "numbers=[1,2]\n"
           "doc={\"a\":[1,2]}\n"
           "maybe=null\n"
           "cwd=%s\n"
           "resources=DAGD_RESOURCE_store \n",
           t->defs->working_directory);
  assert_string_equal(output_of(t, id, "configured", "result"), want);
  /* Inputs from config: STEP_INPUT alone; the Nothing output exists, empty,
   * with no path (Dagster's None). */
  assert_string_equal(types(t, id, "configured"),
                      "STEP_START STEP_INPUT STEP_INPUT STEP_INPUT STEP_INPUT STEP_OUTPUT "
                      "HANDLED_OUTPUT STEP_OUTPUT HANDLED_OUTPUT STEP_SUCCESS");
  assert_string_equal(output_of(t, id, "configured", "nothing"), "");
  json_t *b = body_of(event_of(t, id, "HANDLED_OUTPUT", "configured", 1));
  assert_string_equal(json_string_value(json_object_get(b, "outputName")), "nothing");
  assert_int_equal(json_array_size(json_object_get(b, "metadataEntries")), 0);
  json_decref(b);
}

static void test_config_input_of_pickle_fails(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "configured",
          "{\"ops\": {\"configured\": {\"config\": {\"greeting\": \"hey\"}, \"inputs\": {"
          "\"text\": {\"pickle\": {\"path\": \"/x.pkl\"}}, \"numbers\": [], "
          "\"doc\": {\"value\": 1}, \"maybe\": 3}}}, "
          "\"resources\": {\"store\": {\"config\": {\"root\": \"/data\"}}}}",
          NULL, STORE_RUN_FAILURE, id);
  json_t *b = body_of(event_of(t, id, "STEP_FAILURE", "configured", 0));
  json_t *error = json_object_get(b, "error");
  assert_string_equal(json_string_value(json_object_get(error, "className")), "dagd.OpInputError");
  assert_non_null(strstr(json_string_value(json_object_get(error, "message")), "pickle"));
  json_decref(b);
}

/* ---- failures ---- */

static void test_failure_stops_downstream(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "failing", NULL, NULL, STORE_RUN_FAILURE, id);
  assert_string_equal(tag_of(t, id, "dagster/failure_reason"), "STEP_FAILURE");
  /* The failed op's downstream steps never start; the other branch runs. */
  assert_string_equal(types(t, id, "after"), "LOG");
  assert_string_equal(types(t, id, "later"), "LOG");
  assert_non_null(log_with(t, id, "Dependencies for step after failed: ['fail']. Not executing."));
  assert_non_null(
      log_with(t, id, "Dependencies for step later were not executed: ['after']. Not executing."));
  assert_int_equal(
      log_with(t, id, "Dependencies for step after failed: ['fail']. Not executing.")->level,
      RUN_LEVEL_ERROR);
  assert_string_equal(types(t, id, "side"),
                      "STEP_START LOADED_INPUT STEP_INPUT STEP_OUTPUT HANDLED_OUTPUT STEP_SUCCESS");

  store_event *f = event_of(t, id, "STEP_FAILURE", "fail", 0);
  assert_string_equal(f->message, "Execution of step \"fail\" failed.");
  assert_int_equal(f->level, RUN_LEVEL_ERROR);
  json_t *b = body_of(f);
  json_t *error = json_object_get(b, "error");
  assert_string_equal(json_string_value(json_object_get(b, "errorSource")), "USER_CODE_ERROR");
  assert_string_equal(json_string_value(json_object_get(error, "className")),
                      "dagd.OpProcessError");
  assert_string_equal(json_string_value(json_object_get(error, "message")),
                      "Op \"fail\" (step \"fail\") exited with status 3.");
  json_t *stack = json_object_get(error, "stack");
  assert_int_equal(json_array_size(stack), 2);
  assert_string_equal(json_string_value(json_array_get(stack, 0)), "first line");
  assert_string_equal(json_string_value(json_array_get(stack, 1)), "boom happened");

  store_event *rf = event_of(t, id, "RUN_FAILURE", NULL, 0);
  assert_string_equal(rf->message,
                      "Execution of run for \"failing\" failed. Steps failed: ['fail'].");
  /* The steps' failures hold the errors; the run's failure has none. */
  assert_null(rf->body);
  json_decref(b);
  /* The run ends as it always does: executor exit, then the failure. */
  const char *all = types(t, id, NULL);
  assert_non_null(strstr(all, "ENGINE_EVENT RUN_FAILURE"));
  assert_int_equal(strlen(strstr(all, "ENGINE_EVENT RUN_FAILURE")),
                   strlen("ENGINE_EVENT RUN_FAILURE"));
}

static void test_missing_output(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "lazy", NULL, NULL, STORE_RUN_FAILURE, id);
  expect_step_error(t, id, "lazy", "dagd.OpOutputError",
                    "Op \"lazy\" (step \"lazy\") exited with status 0 but did not write output "
                    "\"result\" (the file named by DAGD_OUTPUT_result).");
  /* No output is reported for a step that failed. */
  assert_string_equal(types(t, id, "lazy"), "STEP_START STEP_FAILURE");
}

static void test_retry(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "retry", NULL, NULL, STORE_RUN_FAILURE, id);
  /* flaky fails its first attempt, then succeeds as retry number 1. */
  assert_string_equal(types(t, id, "flaky"),
                      "STEP_START STEP_UP_FOR_RETRY STEP_RESTARTED STEP_OUTPUT HANDLED_OUTPUT "
                      "STEP_SUCCESS");
  assert_string_equal(output_of(t, id, "flaky", "result"), "1\n");
  store_event *up = event_of(t, id, "STEP_UP_FOR_RETRY", "flaky", 0);
  assert_string_equal(up->message,
                      "Execution of step \"flaky\" failed and has requested a retry in 0.1 "
                      "seconds.");
  json_t *b = body_of(up);
  assert_int_equal(json_integer_value(json_object_get(b, "secondsToWait")), 1);
  json_t *stack = json_object_get(json_object_get(b, "error"), "stack");
  assert_string_equal(json_string_value(json_array_get(stack, 0)), "attempt 0 fails");
  json_decref(b);
  assert_string_equal(event_of(t, id, "STEP_RESTARTED", "flaky", 0)->message,
                      "Started re-execution (attempt # 2) of step \"flaky\".");
  /* always_fails: one retry, then Dagster's "Exceeded max_retries" with
   * the op's error as its cause. */
  assert_string_equal(types(t, id, "always_fails"),
                      "STEP_START STEP_UP_FOR_RETRY STEP_RESTARTED STEP_FAILURE");
  assert_string_equal(event_of(t, id, "STEP_UP_FOR_RETRY", "always_fails", 0)->message,
                      "Execution of step \"always_fails\" failed and has requested a retry.");
  b = body_of(event_of(t, id, "STEP_FAILURE", "always_fails", 0));
  json_t *error = json_object_get(b, "error");
  assert_string_equal(json_string_value(json_object_get(error, "message")),
                      "Exceeded max_retries of 1\n");
  json_t *cause = json_object_get(error, "cause");
  assert_string_equal(json_string_value(json_object_get(cause, "message")),
                      "Op \"always_fails\" (step \"always_fails\") exited with status 2.");
  /* Only the last attempt's stderr. */
  assert_int_equal(json_array_size(json_object_get(cause, "stack")), 1);
  json_decref(b);
  assert_string_equal(event_of(t, id, "RUN_FAILURE", NULL, 0)->message,
                      "Execution of run for \"retry\" failed. Steps failed: ['always_fails'].");
}

static void test_missing_program(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "missing_program", NULL, NULL, STORE_RUN_FAILURE, id);
  /* Nothing ran, so no logs were captured. */
  assert_string_equal(types(t, id, "missing_program"), "STEP_START STEP_FAILURE");
  expect_step_error(
      t, id, "missing_program", NULL,
      "Op \"missing_program\" (step \"missing_program\") could not be started: could not run "
      "dagd-no-such-program-anywhere: no such program in PATH");
}

static void test_timeout_kills_group(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "timeout", NULL, NULL, STORE_RUN_FAILURE, id);
  expect_step_error(t, id, "hang", "dagd.OpTimeoutError",
                    "Op \"hang\" (step \"hang\") timed out after 0.5 seconds and was stopped.");
  /* The op's shell and both of its sleeps are gone. */
  assert_true(group_gone(read_pid(t, "hang.pid")));
}

/* ---- concurrency ---- */

/* The most ticks that ran at once, from the order of their start and end
 * lines; also checks every tick started and ended once. */
static int most_at_once(wt *t, size_t ticks) {
  char path[256];
  snprintf(path, sizeof path, "%s/ticks", t->work);
  char *text = slurp(t, path);
  int running = 0, most = 0;
  size_t starts = 0, ends = 0;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    if (strncmp(line, "start ", 6) == 0) {
      starts++;
      if (++running > most)
        most = running;
    } else {
      assert_true(strncmp(line, "end ", 4) == 0);
      ends++;
      running--;
    }
  }
  assert_int_equal(starts, ticks);
  assert_int_equal(ends, ticks);
  return most;
}

static void test_max_concurrent(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "concurrent", NULL, NULL, STORE_RUN_SUCCESS, id);
  /* Each tick waits for a second one to start: exactly two overlap. */
  assert_int_equal(most_at_once(t, 5), 2);
}

static void test_in_process_runs_one_at_a_time(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "serial", NULL, NULL, STORE_RUN_SUCCESS, id);
  assert_int_equal(most_at_once(t, 3), 1);
  char want[128];
  snprintf(want, sizeof want, "Executing steps in process (pid: %ld)", (long)getpid());
  assert_string_equal(event_of(t, id, "ENGINE_EVENT", NULL, 1)->message, want);
  snprintf(want, sizeof want, "Finished steps in process (pid: %ld) in ", (long)getpid());
  assert_non_null(strstr(event_of(t, id, "ENGINE_EVENT", NULL, 2)->message, want));
  /* A run config naming the executor wins over the job's setting. */
  char id2[37];
  add_run(t, "serial", "{\"execution\": {\"config\": {\"multiprocess\": {}}}}", NULL, id2);
  execute_ok(t, id2);
  assert_non_null(strstr(event_of(t, id2, "ENGINE_EVENT", NULL, 1)->message,
                         "Executing steps using multiprocess executor"));
}

/* ---- cancellation ---- */

typedef struct canceler {
  wt *t;
  const char *id;
  const char *event_type; /* appended once the op runs; NULL: the run is deleted */
  bool ok;
} canceler;

/* Whether the run has a STEP_START event yet (read from this thread). */
static bool step_started(store *s, const char *id) {
  arena *a = arena_new(0);
  store_error err;
  size_t n = 0;
  store_event *ev = store_events(s, id, 0, -1, a, &n, NULL, &err);
  bool started = false;
  for (size_t i = 0; ev && i < n && !started; i++)
    started = ev[i].event_type && strcmp(ev[i].event_type, "STEP_START") == 0;
  arena_free(a);
  return started;
}

static void *cancel_thread(void *arg) {
  canceler *c = arg;
  /* The op runs (it wrote its pid, after its trap) and the worker has
   * reported its start. */
  if (!wait_for_file(c->t->work, "stubborn.pid"))
    return NULL;
  for (int i = 0; i < 1000 && !step_started(c->t->home->inst->store, c->id); i++) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  store_error err;
  bool found = false;
  if (!c->event_type) /* deleted from storage, as run_delete does */
    c->ok = store_run_delete(c->t->home->inst->store, c->id, &found, &err) == 0 && found;
  else
    c->ok = run_event(c->t->home->inst->store, c->id, c->event_type, run_event_level(c->event_type),
                      NULL, "Sending run termination request.", NULL, &err) > 0;
  return NULL;
}

static void run_canceled_by(wt *t, const char *event_type, char id[37]) {
  t->home->inst->terminate_grace = 0.3; /* the op ignores SIGTERM */
  add_run(t, "cancel", NULL, NULL, id);
  canceler c = {t, id, event_type, false};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, cancel_thread, &c), 0);
  execute_ok(t, id);
  pthread_join(th, NULL);
  assert_true(c.ok);
  assert_true(group_gone(read_pid(t, "stubborn.pid")));
}

static void test_cancel_through_storage(void **state) {
  wt *t = *state;
  char id[37];
  run_canceled_by(t, "RUN_CANCELING", id);
  assert_int_equal(status_of(t, id), STORE_RUN_CANCELED);
  assert_string_equal(types(t, id, NULL),
                      "ENGINE_EVENT RUN_START ENGINE_EVENT LOGS_CAPTURED STEP_START "
                      "RUN_CANCELING ENGINE_EVENT STEP_FAILURE ENGINE_EVENT RUN_CANCELED");
  assert_string_equal(event_of(t, id, "ENGINE_EVENT", NULL, 2)->message,
                      "Multiprocess executor: received termination signal - forwarding to "
                      "active child processes");
  json_t *b = body_of(event_of(t, id, "ENGINE_EVENT", NULL, 2));
  json_t *entry = json_array_get(json_object_get(b, "metadataEntries"), 0);
  assert_string_equal(json_string_value(json_object_get(entry, "label")), "steps_interrupted");
  assert_string_equal(json_string_value(json_object_get(entry, "text")), "['stubborn']");
  json_decref(b);
  b = body_of(event_of(t, id, "STEP_FAILURE", "stubborn", 0));
  assert_string_equal(json_string_value(json_object_get(b, "errorSource")), "INTERRUPT");
  json_decref(b);
  assert_string_equal(event_of(t, id, "ENGINE_EVENT", NULL, 3)->message,
                      "Multiprocess executor: interrupted all active child processes");
  assert_string_equal(event_of(t, id, "RUN_CANCELED", NULL, 0)->message,
                      "Execution of run for \"cancel\" canceled.");
}

static void test_marked_canceled_writes_nothing_more(void **state) {
  wt *t = *state;
  char id[37];
  run_canceled_by(t, "RUN_CANCELED", id);
  assert_int_equal(status_of(t, id), STORE_RUN_CANCELED);
  /* The ops are stopped, and the log ends with the mark. */
  assert_string_equal(types(t, id, NULL),
                      "ENGINE_EVENT RUN_START ENGINE_EVENT LOGS_CAPTURED STEP_START RUN_CANCELED");
}

/* Forks a worker process of its own, as `dagd execute-run` is. In the
 * child (0 returned) *inst is an instance opened anew on the test's home,
 * with a short terminate grace, and *err is ready; a child that cannot open
 * one exits 2. The parent gets the child's pid. */
static pid_t fork_worker(wt *t, run_instance **inst, buf *err) {
  pid_t child = fork();
  assert_true(child >= 0);
  if (child == 0) {
    buf_init(err, NULL);
    *inst = run_instance_open(t->home->dir, err);
    if (!*inst)
      _exit(2);
    (*inst)->terminate_grace = 0.3;
  }
  return child;
}

static void test_sigterm_cancels(void **state) {
  wt *t = *state;
  char id[37];
  add_run(t, "cancel", NULL, NULL, id);
  buf err;
  run_instance *inst = NULL;
  pid_t child = fork_worker(t, &inst, &err);
  if (child == 0)
    _exit(run_worker_execute(inst, id, &err) == 0 ? 0 : 1);
  assert_true(wait_for_file(t->work, "stubborn.pid"));
  kill(child, SIGTERM);
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_true(group_gone(read_pid(t, "stubborn.pid")));
  assert_int_equal(status_of(t, id), STORE_RUN_CANCELED);
  json_t *b = body_of(event_of(t, id, "STEP_FAILURE", "stubborn", 0));
  assert_string_equal(json_string_value(json_object_get(b, "errorSource")), "INTERRUPT");
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(b, "error"), "message")),
      "Op \"stubborn\" (step \"stubborn\") was interrupted: the run worker received SIGTERM.");
  json_decref(b);
  /* The downstream step never started. */
  assert_string_equal(types(t, id, "after_stubborn"), "");
}

/* ---- the op's own events and logs ---- */

static void test_op_events_and_compute_logs(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "events", NULL, NULL, STORE_RUN_SUCCESS, id);
  assert_string_equal(types(t, id, "events"),
                      "STEP_START LOG LOG LOG LOG LOG LOG LOG ASSET_MATERIALIZATION "
                      "ASSET_MATERIALIZATION LOG LOG LOG STEP_OUTPUT HANDLED_OUTPUT STEP_SUCCESS");
  static const struct {
    const char *message;
    int level;
  } logs[] = {
      {"a debug line", RUN_LEVEL_DEBUG},
      {"careful", RUN_LEVEL_WARNING},
      {"an error", RUN_LEVEL_ERROR},
      {"plain info", RUN_LEVEL_INFO},
      {"Ignored line 5 of the events of op \"events\" (DAGD_EVENTS): not valid JSON (line 1, "
       "column 3: invalid token near 'not')",
       RUN_LEVEL_WARNING},
      {"Ignored line 7 of the events of op \"events\" (DAGD_EVENTS): unknown event type "
       "\"party\" (expected log, asset_materialization or output_metadata)",
       RUN_LEVEL_WARNING},
      {"Ignored line 8 of the events of op \"events\" (DAGD_EVENTS): \"level\" of a \"log\" "
       "event must be DEBUG, INFO, WARNING, ERROR, CRITICAL or a number from 0 to 50",
       RUN_LEVEL_WARNING},
      {"Ignored line 12 of the events of op \"events\" (DAGD_EVENTS): metadata for output "
       "\"nope\", which op \"events\" does not have",
       RUN_LEVEL_WARNING},
      {"Ignored line 13 of the events of op \"events\" (DAGD_EVENTS): the line is longer than "
       "65536 bytes",
       RUN_LEVEL_WARNING},
      {"after the long line", RUN_LEVEL_INFO},
  };
  for (size_t i = 0; i < sizeof logs / sizeof *logs; i++) {
    store_event *ev = event_of(t, id, NULL, "events", (int)i);
    assert_string_equal(ev->message, logs[i].message);
    assert_int_equal(ev->level, logs[i].level);
  }

  store_event *m = event_of(t, id, "ASSET_MATERIALIZATION", "events", 0);
  assert_string_equal(m->message, "Materialized value warehouse totals.");
  json_t *b = body_of(m);
  json_t *path = json_object_get(json_object_get(b, "assetKey"), "path");
  assert_int_equal(json_array_size(path), 2);
  assert_string_equal(json_string_value(json_array_get(path, 1)), "totals");
  json_t *entries = json_object_get(b, "metadataEntries");
  assert_int_equal(json_array_size(entries), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "__typename")),
                      "IntMetadataEntry");
  assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 1), "__typename")),
                      "PathMetadataEntry");
  json_decref(b);
  m = event_of(t, id, "ASSET_MATERIALIZATION", "events", 1);
  assert_string_equal(m->message, "Made b.");
  b = body_of(m);
  assert_string_equal(json_string_value(json_object_get(b, "partition")), "2024-01-01");
  assert_string_equal(json_string_value(json_object_get(b, "description")), "Made b.");
  json_decref(b);

  b = body_of(event_of(t, id, "STEP_OUTPUT", "events", 0));
  entries = json_object_get(b, "metadataEntries");
  assert_int_equal(json_array_size(entries), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "label")),
                      "count");
  json_decref(b);

  /* stdout and stderr are the step's compute logs. */
  char file[512];
  snprintf(file, sizeof file, "%s/%s/compute_logs/events.out", t->home->inst->compute_logs_dir, id);
  assert_string_equal(slurp(t, file), "to stdout\n");
  snprintf(file, sizeof file, "%s/%s/compute_logs/events.err", t->home->inst->compute_logs_dir, id);
  assert_string_equal(slurp(t, file), "to stderr\n");
}

/* ---- selections and runs that cannot start ---- */

static void test_op_selection(void **state) {
  wt *t = *state;
  char id[37];
  /* add_one alone: its input, no longer wired, comes from run config. */
  run_job(t, "two_ops", "{\"ops\": {\"add_one\": {\"inputs\": {\"x\": 5}}}}", "[\"add_one\"]",
          STORE_RUN_SUCCESS, id);
  assert_string_equal(types(t, id, "produce"), "");
  assert_string_equal(output_of(t, id, "add_one", "result"), "6\n");
  assert_string_equal(output_of(t, id, "add_one", "inputs.d/x"), "5");
}

static void test_initialization_failures(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "two_ops", "{\"ops\": {\"nope\": {}}}", NULL, STORE_RUN_FAILURE, id);
  assert_string_equal(tag_of(t, id, "dagster/failure_reason"), "JOB_INITIALIZATION_FAILURE");
  assert_string_equal(types(t, id, NULL), "ENGINE_EVENT RUN_FAILURE");
  store_event *f = event_of(t, id, "RUN_FAILURE", NULL, 0);
  assert_string_equal(f->message,
                      "Execution of run for \"two_ops\" failed. Failure during initialization "
                      "for job \"two_ops\". This may be due to a failure in initializing the "
                      "executor or one of the loggers.");
  json_t *b = body_of(f);
  json_t *error = json_object_get(b, "error");
  assert_string_equal(json_string_value(json_object_get(error, "className")),
                      "DagsterInvalidConfigError");
  assert_non_null(strstr(json_string_value(json_object_get(error, "message")),
                         "Error in config for job two_ops\n    Error 1: "));
  assert_non_null(strstr(json_string_value(json_object_get(error, "message")), "nope"));
  json_decref(b);

  /* A snapshot that is not in storage. */
  store_run r = {.job_name = "two_ops",
                 .status = STORE_RUN_STARTING,
                 .mode = "default",
                 .run_config = "{}",
                 .snapshot_id = "0123456789012345678901234567890123456789"};
  store_new_run_id(r.run_id);
  store_error err;
  assert_int_equal(store_run_add(t->home->inst->store, &r, &err), 0);
  execute_ok(t, r.run_id);
  assert_int_equal(status_of(t, r.run_id), STORE_RUN_FAILURE);
  assert_string_equal(tag_of(t, r.run_id, "dagster/failure_reason"), "JOB_INITIALIZATION_FAILURE");
  b = body_of(event_of(t, r.run_id, "RUN_FAILURE", NULL, 0));
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(b, "error"), "message")),
      "The job snapshot 0123456789012345678901234567890123456789 of the run is missing from "
      "storage.");
  json_decref(b);

  /* A selection that selects nothing of the job. */
  run_job(t, "two_ops", NULL, "[\"nowhere\"]", STORE_RUN_FAILURE, id);
  assert_string_equal(types(t, id, NULL), "ENGINE_EVENT RUN_FAILURE");
}

static void test_refuses_runs_it_cannot_execute(void **state) {
  wt *t = *state;
  char id[37];
  home_add_run(t->home, STORE_RUN_STARTED, id);
  buf err;
  buf_init(&err, NULL);
  assert_int_equal(run_worker_execute(t->home->inst, id, &err), -1);
  char want[256];
  snprintf(want, sizeof want,
           "Run %s has status STARTED: only a NOT_STARTED or STARTING run can be executed.", id);
  assert_string_equal(buf_cstr(&err), want);
  assert_string_equal(types(t, id, NULL), "");
  assert_int_equal(home_get_run(t->home, id)->worker_pid, 0);

  /* Not twice: a finished run is refused too. */
  add_run(t, "two_ops", NULL, NULL, id);
  execute_ok(t, id);
  buf_truncate(&err, 0);
  assert_int_equal(run_worker_execute(t->home->inst, id, &err), -1);

  buf_truncate(&err, 0);
  assert_int_equal(run_worker_execute(t->home->inst, "00000000-0000-4000-8000-000000000000", &err),
                   -1);
  assert_string_equal(buf_cstr(&err), "Run 00000000-0000-4000-8000-000000000000 not found.");
  buf_free(&err);
}

/* ---- claiming, and runs stopped before any op starts ---- */

static bool work_file_exists(wt *t, const char *file) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", t->work, file);
  return access(path, F_OK) == 0;
}

/* How the process of execute_in_child is set up before the run. */
typedef enum child_setup {
  CHILD_PENDING_SIGTERM, /* a SIGTERM is already waiting (blocked) */
  CHILD_NO_FDS,          /* no file descriptor left: the worker cannot watch signals */
} child_setup;

/* Executes the run in a worker process of its own (as `dagd execute-run`
 * is), set up as asked, and returns its wait status: exit 0 when
 * run_worker_execute returned 0, 1 when -1 (its message then goes to
 * $WORKER_TEST_DIR/worker.err). Afterwards the process unblocks SIGTERM,
 * so a SIGTERM the worker left pending kills it. */
static int execute_in_child(wt *t, const char *id, child_setup how) {
  buf err;
  run_instance *inst = NULL;
  pid_t child = fork_worker(t, &inst, &err);
  if (child == 0) {
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    int spare = -1;
    if (how == CHILD_PENDING_SIGTERM) {
      sigprocmask(SIG_BLOCK, &term, NULL);
      raise(SIGTERM);
    } else {
      arena *a = arena_new(0);
      store_error se;
      store_run_get(inst->store, id, a, &se); /* the database is open */
      arena_free(a);
      struct rlimit rl;
      getrlimit(RLIMIT_NOFILE, &rl);
      rl.rlim_cur = rl.rlim_cur > 256 ? 256 : rl.rlim_cur;
      setrlimit(RLIMIT_NOFILE, &rl);
      for (int fd; (fd = dup(0)) >= 0;)
        spare = fd;
    }
    int rc = run_worker_execute(inst, id, &err);
    if (spare >= 0)
      close(spare);
    char path[256];
    snprintf(path, sizeof path, "%s/worker.err", t->work);
    FILE *f = fopen(path, "w");
    if (f) {
      fputs(buf_cstr(&err), f);
      fclose(f);
    }
    sigprocmask(SIG_UNBLOCK, &term, NULL);
    _exit(rc == 0 ? 0 : 1);
  }
  int status;
  assert_int_equal(waitpid(child, &status, 0), child);
  return status;
}

static void test_claimed_by_another_worker(void **state) {
  wt *t = *state;
  char id[37];
  add_run(t, "two_ops", NULL, NULL, id);
  store_error se;
  bool claimed = false;
  assert_int_equal(store_run_set_worker(t->home->inst->store, id, 1, &claimed, &se), 0);
  assert_true(claimed);
  buf err;
  buf_init(&err, NULL);
  assert_int_equal(run_worker_execute(t->home->inst, id, &err), -1);
  char want[160];
  snprintf(want, sizeof want, "Run %s is being executed by another worker (pid 1).", id);
  assert_string_equal(buf_cstr(&err), want);
  buf_free(&err);
  /* Nothing is written, nothing changes. */
  assert_string_equal(types(t, id, NULL), "");
  assert_int_equal(status_of(t, id), STORE_RUN_NOT_STARTED);
  assert_int_equal(home_get_run(t->home, id)->worker_pid, 1);

  /* A run its launcher recorded this process for is this process's. */
  add_run(t, "two_ops", NULL, NULL, id);
  assert_int_equal(store_run_set_worker(t->home->inst->store, id, getpid(), &claimed, &se), 0);
  execute_ok(t, id);
  assert_int_equal(status_of(t, id), STORE_RUN_SUCCESS);
}

static void test_canceled_before_start(void **state) {
  wt *t = *state;
  char id[37];
  add_run(t, "cancel", NULL, NULL, id);
  /* Marked CANCELED while it was starting (MARK_AS_CANCELED_IMMEDIATELY),
   * and the worker signalled too: the waiting SIGTERM is consumed, not
   * left to kill the process once run_worker_execute has returned. */
  store_error se;
  assert_true(run_event(t->home->inst->store, id, "RUN_CANCELED", RUN_LEVEL_ERROR, NULL, "marked",
                        NULL, &se) > 0);
  int status = execute_in_child(t, id, CHILD_PENDING_SIGTERM);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(status_of(t, id), STORE_RUN_CANCELED);
  assert_string_equal(types(t, id, NULL), "RUN_CANCELED ENGINE_EVENT ENGINE_EVENT");
  store_event *ev = event_of(t, id, "ENGINE_EVENT", NULL, 1);
  assert_string_equal(ev->message,
                      "Not starting execution since the run was canceled before execution could "
                      "start");
  assert_int_equal(ev->level, RUN_LEVEL_INFO);
  assert_false(work_file_exists(t, "stubborn.pid"));
}

static void test_pending_sigterm_stops_before_any_op(void **state) {
  wt *t = *state;
  char id[37];
  add_run(t, "cancel", NULL, NULL, id);
  int status = execute_in_child(t, id, CHILD_PENDING_SIGTERM);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(status_of(t, id), STORE_RUN_CANCELED);
  /* No op started. */
  assert_string_equal(types(t, id, NULL),
                      "ENGINE_EVENT RUN_START ENGINE_EVENT ENGINE_EVENT ENGINE_EVENT RUN_CANCELED");
  assert_false(work_file_exists(t, "stubborn.pid"));
  json_t *b = body_of(event_of(t, id, "RUN_CANCELED", NULL, 0));
  assert_string_equal(json_string_value(json_object_get(json_object_get(b, "error"), "message")),
                      "Execution was interrupted: the run worker received SIGTERM.");
  json_decref(b);
}

static void test_worker_setup_failure_fails_run(void **state) {
  wt *t = *state;
  char id[37];
  add_run(t, "two_ops", NULL, NULL, id);
  int status = execute_in_child(t, id, CHILD_NO_FDS);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 1);
  char path[256];
  snprintf(path, sizeof path, "%s/worker.err", t->work);
  const char *why = slurp(t, path);
  assert_string_equal(why, "Could not watch for signals: Too many open files");
  /* The run does not stay STARTING: it failed, with the reason. */
  assert_int_equal(status_of(t, id), STORE_RUN_FAILURE);
  assert_string_equal(types(t, id, NULL), "RUN_FAILURE");
  json_t *b = body_of(event_of(t, id, "RUN_FAILURE", NULL, 0));
  json_t *error = json_object_get(b, "error");
  assert_string_equal(json_string_value(json_object_get(error, "className")),
                      "dagd.RunWorkerError");
  assert_string_equal(json_string_value(json_object_get(error, "message")), why);
  json_decref(b);
}

/* ---- what ops leave behind ---- */

static void test_output_named_inputs(void **state) {
  wt *t = *state;
  char id[37];
  /* The step's input files are kept apart from its outputs. */
  run_job(t, "collide", "{\"ops\": {\"collide\": {\"inputs\": {\"x\": 7}}}}", NULL,
          STORE_RUN_SUCCESS, id);
  assert_string_equal(output_of(t, id, "collide", "inputs"), "7");
  assert_string_equal(output_of(t, id, "collide", "inputs.d/x"), "7");
  /* A folder where the output file belongs is not an output. */
  run_job(t, "folder_output", NULL, NULL, STORE_RUN_FAILURE, id);
  expect_step_error(t, id, "folder_output", "dagd.OpOutputError",
                    "Op \"folder_output\" (step \"folder_output\") exited with status 0 but did "
                    "not write output \"result\" (the file named by DAGD_OUTPUT_result).");
}

static void test_escaped_process_dies_with_run(void **state) {
  wt *t = *state;
  char id[37];
  run_job(t, "escape", NULL, NULL, STORE_RUN_SUCCESS, id);
  pid_t pid = read_pid(t, "escaped.pid");
  assert_true(pid > 0);
  bool gone = kill(pid, 0) != 0 && errno == ESRCH;
  if (!gone) { /* not left behind by the test either */
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
  }
  assert_true(gone);
}

static void test_deleted_run_files_removed(void **state) {
  wt *t = *state;
  char id[37];
  run_canceled_by(t, NULL, id);
  store_error se;
  assert_null(store_run_get(t->home->inst->store, id, t->home->a, &se));
  /* What the ops wrote until they were stopped is gone too. */
  const char *dirs[] = {t->home->inst->artifacts_dir, t->home->inst->compute_logs_dir};
  for (size_t i = 0; i < 2; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dirs[i], id);
    assert_int_equal(access(path, F_OK), -1);
  }
}

static void test_events_file_not_a_file(void **state) {
  wt *t = *state;
  char id[37];
  /* A FIFO and a link to /dev/zero at DAGD_EVENTS: warned about once,
   * never read (neither hangs the worker). */
  run_job(t, "odd_events", NULL, NULL, STORE_RUN_SUCCESS, id);
  const char *steps[] = {"fifo_events", "zero_events"};
  for (size_t i = 0; i < 2; i++) {
    assert_string_equal(types(t, id, steps[i]), "STEP_START LOG STEP_SUCCESS");
    store_event *ev = event_of(t, id, NULL, steps[i], 0);
    char want[512];
    snprintf(want, sizeof want,
             "Ignored the events of op \"%s\" (DAGD_EVENTS): %s/%s/%s/events.jsonl: it is not a "
             "regular file",
             steps[i], t->home->inst->artifacts_dir, id, steps[i]);
    assert_string_equal(ev->message, want);
    assert_int_equal(ev->level, RUN_LEVEL_WARNING);
  }
}

/* ---- the examples ---- */

/* Runs job of the example definitions file with its default run config
 * and the extra settings merged in (resources kept inside the test). */
static const char *run_example(wt *t, const char *file, const char *job_name, json_t *extra,
                               char id[37]) {
  defs_definitions *d = load_defs(file);
  json_t *config = defs_job_base_run_config(defs_find_job(d, job_name));
  if (extra)
    json_object_update_recursive(config, extra);
  char *text = json_dumps(config, JSON_COMPACT);
  add_run_of(t, d, job_name, text, NULL, id);
  free(text);
  json_decref(config);
  json_decref(extra);
  execute_ok(t, id);
  defs_definitions_release(d);
  if (status_of(t, id) != STORE_RUN_SUCCESS) {
    size_t n;
    store_event *ev = home_events(t->home, id, &n);
    for (size_t i = 0; i < n; i++)
      fprintf(stderr, "%s %s: %s %s\n", ev[i].event_type ? ev[i].event_type : "LOG",
              ev[i].step_key ? ev[i].step_key : "-", ev[i].message, ev[i].body ? ev[i].body : "");
    fail_msg("%s did not succeed", job_name);
  }
  return id;
}

static void test_examples_succeed(void **state) {
  wt *t = *state;
  char id[37], dir[256];
  snprintf(dir, sizeof dir, "%s/warehouse", t->work);
  run_example(t, "examples/hello/defs.yaml", "hello_etl",
              json_pack("{s:{s:{s:{s:s}}}}", "resources", "warehouse", "config", "path", dir), id);
  char totals[300];
  snprintf(totals, sizeof totals, "%s/totals.txt", dir);
  /* 1..3 and 1..100, summed. */
  assert_string_equal(slurp(t, totals), "5056\n");

  snprintf(dir, sizeof dir, "%s/reports", t->work);
  run_example(t, "examples/sales/defs.yaml", "sales_report",
              json_pack("{s:{s:{s:{s:s}}}}", "resources", "report_store", "config", "root", dir),
              id);
  assert_non_null(strstr(output_of(t, id, "report", "report"), dir));

  run_example(t, "examples/stats/defs.yaml", "stats", NULL, id);
  /* Nested graphs: the steps are keyed by their handles. */
  assert_string_equal(types(t, id, "summary.clean.drop"),
                      "STEP_START LOADED_INPUT STEP_INPUT STEP_OUTPUT HANDLED_OUTPUT STEP_SUCCESS");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_two_ops_sequence, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fan_in, setup, teardown),
      cmocka_unit_test_setup_teardown(test_config_resources_and_config_inputs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_config_input_of_pickle_fails, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failure_stops_downstream, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_output, setup, teardown),
      cmocka_unit_test_setup_teardown(test_retry, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_program, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timeout_kills_group, setup, teardown),
      cmocka_unit_test_setup_teardown(test_max_concurrent, setup, teardown),
      cmocka_unit_test_setup_teardown(test_in_process_runs_one_at_a_time, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_through_storage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_marked_canceled_writes_nothing_more, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sigterm_cancels, setup, teardown),
      cmocka_unit_test_setup_teardown(test_op_events_and_compute_logs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_op_selection, setup, teardown),
      cmocka_unit_test_setup_teardown(test_initialization_failures, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refuses_runs_it_cannot_execute, setup, teardown),
      cmocka_unit_test_setup_teardown(test_claimed_by_another_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_canceled_before_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pending_sigterm_stops_before_any_op, setup, teardown),
      cmocka_unit_test_setup_teardown(test_worker_setup_failure_fails_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_output_named_inputs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_escaped_process_dies_with_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deleted_run_files_removed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_events_file_not_a_file, setup, teardown),
      cmocka_unit_test_setup_teardown(test_examples_succeed, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
