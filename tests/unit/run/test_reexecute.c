/* test_reexecute.c — unit tests for src/run/reexecute.c and the run
 * worker's step selections (src/run/worker.c): which steps a FROM_FAILURE
 * re-execution runs, read from event logs written as the worker writes
 * them (a failed step and its downstream, an independent branch that
 * succeeded, interrupted and skipped steps, a parent's own step
 * selection, nested graph handles); the re-execution run itself (tags,
 * lineage, refusals: a parent that did not fail, nothing to retry, an
 * ancestor deleted); and workers executing children and grandchildren
 * for real, taking the outputs of the steps they leave out from the run up
 * the chain that produced them, or failing clearly when none did or an
 * ancestor was deleted since. */
#define _GNU_SOURCE /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "defs/definitions.h"
#include "defs/plan.h"
#include "defs/snapshot.h"
#include "fixtures/core/home.h"
#include "run/events.h"
#include "run/reexecute.h"
#include "run/worker.h"

#define FIXTURE "tests/unit/run/fixtures/worker/defs.yaml"

typedef struct rt {
  home_fixture *home; /* first: home_teardown takes it */
  defs_definitions *defs;
  char work[128]; /* $WORKER_TEST_DIR: fail_once succeeds once "fixed" is there */
} rt;

static int setup(void **state) {
  void *home;
  if (home_setup(&home) != 0)
    return -1;
  rt *t = calloc(1, sizeof *t);
  t->home = home;
  buf err;
  buf_init(&err, NULL);
  t->defs = defs_load_file(FIXTURE, &err);
  if (!t->defs) {
    fprintf(stderr, "%s: %s\n", FIXTURE, buf_cstr(&err));
    buf_free(&err);
    return -1;
  }
  buf_free(&err);
  snprintf(t->work, sizeof t->work, "%s/work", t->home->dir);
  mkdir(t->work, 0777);
  setenv("WORKER_TEST_DIR", t->work, 1);
  *state = t;
  return 0;
}

static int teardown(void **state) {
  rt *t = *state;
  defs_definitions_release(t->defs);
  void *home = t->home;
  free(t);
  unsetenv("WORKER_TEST_DIR");
  return home_teardown(&home);
}

static const defs_job *job_of(rt *t, const char *name) {
  const defs_job *job = defs_find_job(t->defs, name);
  if (!job)
    fail_msg("no job %s", name);
  return job;
}

/* A NOT_STARTED run of the job through run_create (step keys: NULL for
 * all; tags as given); its id into id. */
static void create_run(rt *t, const char *job, const char *const *keys, size_t n_keys,
                       const store_tag *tags, size_t n_tags, char id[37]) {
  run_new req = {.defs = t->defs,
                 .job = job_of(t, job),
                 .location_name = "test",
                 .tags = tags,
                 .n_tags = n_tags,
                 .step_keys = keys,
                 .n_step_keys = n_keys};
  run_error err = {0};
  if (run_create(t->home->inst, &req, id, &err) != 0)
    fail_msg("run_create: %s", err.message);
}

static void execute(rt *t, const char *id, store_run_status want) {
  buf err;
  buf_init(&err, NULL);
  if (run_worker_execute(t->home->inst, id, &err) != 0)
    fail_msg("run_worker_execute: %s", buf_cstr(&err));
  buf_free(&err);
  assert_int_equal(home_get_run(t->home, id)->status, want);
}

/* run_create_reexecution of parent's job (of location "test") with that
 * strategy; the new run's id into id. */
static int create_reexecution(rt *t, const char *job, const char *parent_id,
                              run_reexecution_strategy strategy, char id[37], run_error *err) {
  run_reexecution req = {.defs = t->defs,
                         .job = job_of(t, job),
                         .location_name = "test",
                         .parent = home_get_run(t->home, parent_id),
                         .strategy = strategy};
  return run_create_reexecution(t->home->inst, &req, id, err);
}

/* Creates the re-execution of parent, expecting success. */
static void reexecute(rt *t, const char *job, const char *parent_id,
                      run_reexecution_strategy strategy, char id[37]) {
  run_error err = {0};
  if (create_reexecution(t, job, parent_id, strategy, id, &err) != 0)
    fail_msg("run_create_reexecution: %s", err.message);
}

/* The runs stored. */
static int64_t runs_count(rt *t) {
  store_error se = {{0}};
  return store_runs_count(t->home->inst->store, &(store_runs_filter){0}, &se);
}

/* Expects run_create_reexecution to refuse with that code, message and
 * Dagster class, creating no run. */
static void expect_refused_as(rt *t, const char *job, const char *parent_id,
                              run_reexecution_strategy strategy, run_error_code code,
                              const char *class_name, const char *message) {
  run_error err = {0};
  char id[37];
  int64_t before = runs_count(t);
  assert_int_equal(create_reexecution(t, job, parent_id, strategy, id, &err), -1);
  assert_int_equal(err.code, code);
  assert_string_equal(err.message, message);
  assert_string_equal(run_reexecution_error_class(&err), class_name);
  assert_int_equal(runs_count(t), before);
}

static const char NOT_FAILED[] =
    "Cannot reexecute from failure a run that is not failed or canceled";

/* Expects run_create_reexecution to refuse as invalid with that message. */
static void expect_refused(rt *t, const char *job, const char *parent_id,
                           run_reexecution_strategy strategy, const char *message) {
  expect_refused_as(t, job, parent_id, strategy, RUN_ERR_INVALID,
                    strcmp(message, NOT_FAILED) == 0 ? "DagsterInvariantViolationError"
                                                     : "DagsterInvalidSubsetError",
                    message);
}

static void event(rt *t, const char *id, const char *type, const char *step, const char *body) {
  json_t *b = body ? json_loads(body, 0, NULL) : NULL;
  store_error err;
  if (run_event(t->home->inst->store, id, type, type ? run_event_level(type) : RUN_LEVEL_ERROR,
                step, "written by the test", b, &err) < 0)
    fail_msg("run_event: %s", err.message);
}

/* The events of a step that succeeded with one output, as the worker
 * writes them. */
static void step_succeeded(rt *t, const char *id, const char *step) {
  event(t, id, "STEP_START", step, NULL);
  event(t, id, "STEP_OUTPUT", step, "{\"outputName\": \"result\"}");
  event(t, id, "HANDLED_OUTPUT", step, "{\"outputName\": \"result\"}");
  event(t, id, "STEP_SUCCESS", step, NULL);
}

static void step_failed(rt *t, const char *id, const char *step) {
  event(t, id, "STEP_START", step, NULL);
  event(t, id, "STEP_FAILURE", step, "{\"error\": {\"message\": \"boom\"}}");
}

/* A step abandoned after its upstream failed: a plain ERROR log line. */
static void step_abandoned(rt *t, const char *id, const char *step) {
  event(t, id, NULL, step, NULL);
}

/* run_steps_from_failure of the parent for its own job. */
static int steps_from_failure(rt *t, const char *job, const char *parent_id,
                              const char *const **keys, size_t *n, run_error *err) {
  const defs_plan *plan = defs_plan_build(job_of(t, job), t->home->a);
  return run_steps_from_failure(t->home->inst->store, home_get_run(t->home, parent_id), plan,
                                t->home->a, keys, n, err);
}

/* The FROM_FAILURE steps of the parent for its own job, joined by spaces. */
static const char *from_failure(rt *t, const char *job, const char *parent_id) {
  const char *const *keys;
  size_t n;
  run_error err = {0};
  if (steps_from_failure(t, job, parent_id, &keys, &n, &err) != 0)
    fail_msg("run_steps_from_failure: %s", err.message);
  buf out;
  buf_init(&out, t->home->a);
  for (size_t i = 0; i < n; i++)
    buf_printf(&out, "%s%s", i ? " " : "", keys[i]);
  return buf_cstr(&out);
}

static const char *tag_of(rt *t, const char *id, const char *key) {
  store_run *r = home_get_run(t->home, id);
  for (size_t i = 0; i < r->n_tags; i++)
    if (strcmp(r->tags[i].key, key) == 0)
      return r->tags[i].value;
  return NULL;
}

/* Whether the event is the step's, of that type. */
static bool is_step_event(const store_event *e, const char *type, const char *step) {
  return e->event_type && strcmp(e->event_type, type) == 0 && e->step_key &&
         strcmp(e->step_key, step) == 0;
}

/* The step's events of that type in the run. */
static size_t count(rt *t, const char *id, const char *type, const char *step) {
  size_t n, k = 0;
  store_event *ev = home_events(t->home, id, &n);
  for (size_t i = 0; i < n; i++)
    if (is_step_event(&ev[i], type, step))
      k++;
  return k;
}

/* The body of the step's first event of that type (decref it). */
static json_t *body_of(rt *t, const char *id, const char *type, const char *step) {
  size_t n;
  store_event *ev = home_events(t->home, id, &n);
  for (size_t i = 0; i < n; i++)
    if (is_step_event(&ev[i], type, step) && ev[i].body)
      return json_loads(ev[i].body, 0, NULL);
  fail_msg("no %s event with a body for step %s", type, step);
  return NULL;
}

/* The error message of the step's STEP_FAILURE (in the fixture's arena). */
static const char *failure_message(rt *t, const char *id, const char *step) {
  json_t *b = body_of(t, id, "STEP_FAILURE", step);
  const char *message = json_string_value(json_object_get(json_object_get(b, "error"), "message"));
  assert_non_null(message);
  const char *copy = arena_strdup(t->home->a, message);
  json_decref(b);
  return copy;
}

/* The path of the file holding the step's output "result" in the run (in
 * the fixture's arena). */
static const char *result_path(rt *t, const char *id, const char *step) {
  buf b;
  buf_init(&b, t->home->a);
  buf_printf(&b, "%s/%s/%s/result", t->home->inst->artifacts_dir, id, step);
  return buf_cstr(&b);
}

static const char *output_of(rt *t, const char *id, const char *step) {
  const char *path = result_path(t, id, step);
  FILE *f = fopen(path, "rb");
  if (!f)
    fail_msg("no output file %s", path);
  buf b;
  buf_init(&b, t->home->a);
  buf_read_file(&b, f);
  fclose(f);
  return buf_cstr(&b);
}

/* The metadata entry of the step's LOADED_INPUT (its "path", which names
 * the run that produced the value), as compact JSON. */
static const char *loaded_path(rt *t, const char *id, const char *step) {
  json_t *b = body_of(t, id, "LOADED_INPUT", step);
  json_t *entry = json_array_get(json_object_get(b, "metadataEntries"), 0);
  const char *label = json_string_value(json_object_get(entry, "label"));
  assert_non_null(label);
  assert_string_equal(label, "path");
  char *text = json_dumps(entry, JSON_COMPACT);
  const char *copy = arena_strdup(t->home->a, text);
  free(text);
  json_decref(b);
  return copy;
}

/* Asserts the step of run id loaded its input from the output of from_step
 * in run from_id (its LOADED_INPUT's path). */
static void assert_loaded_from(rt *t, const char *id, const char *step, const char *from_id,
                               const char *from_step) {
  buf want;
  buf_init(&want, t->home->a);
  buf_printf(&want, "\"path\":\"%s\"", result_path(t, from_id, from_step));
  const char *got = loaded_path(t, id, step);
  if (!strstr(got, buf_cstr(&want)))
    fail_msg("%s of run %s: want %s in %s", step, id, buf_cstr(&want), got);
}

static void fix(rt *t) {
  char path[192];
  snprintf(path, sizeof path, "%s/fixed", t->work);
  home_write_file(path, "yes");
}

/* ---- steps from failure, on event logs ---- */

static void test_failed_step_and_downstream(void **state) {
  rt *t = *state;
  char id[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, id);
  event(t, id, "RUN_START", NULL, NULL);
  step_succeeded(t, id, "produce");
  step_failed(t, id, "fail_once");
  step_succeeded(t, id, "side"); /* independent of the failure: not re-run */
  step_abandoned(t, id, "after");
  event(t, id, "RUN_FAILURE", NULL, NULL);
  assert_string_equal(from_failure(t, "recovering", id), "fail_once after");
}

static void test_interrupted_and_never_ran(void **state) {
  rt *t = *state;
  char id[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, id);
  step_succeeded(t, id, "produce");
  step_succeeded(t, id, "fail_once");
  event(t, id, "STEP_START", "side", NULL); /* canceled while it ran */
  event(t, id, "RUN_CANCELED", NULL, NULL);
  /* after never started; plan order: side (level 1) before after (level 2). */
  assert_string_equal(from_failure(t, "recovering", id), "side after");
}

static void test_resource_failure_and_skipped(void **state) {
  rt *t = *state;
  char id[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, id);
  step_succeeded(t, id, "produce");
  event(t, id, "RESOURCE_INIT_FAILURE", "side", NULL);
  step_succeeded(t, id, "fail_once");
  event(t, id, "STEP_SKIPPED", "after", NULL);
  event(t, id, "RUN_FAILURE", NULL, NULL);
  assert_string_equal(from_failure(t, "recovering", id), "side");
}

static void test_nothing_to_retry(void **state) {
  rt *t = *state;
  char id[37];
  create_run(t, "two_ops", NULL, 0, NULL, 0, id);
  step_succeeded(t, id, "produce");
  step_succeeded(t, id, "add_one");
  event(t, id, "RUN_FAILURE", NULL, NULL);
  const char *const *keys;
  size_t n = 7;
  run_error err = {0};
  assert_int_equal(steps_from_failure(t, "two_ops", id, &keys, &n, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  assert_string_equal(err.message, RUN_NOTHING_TO_RETRY);
  assert_int_equal(n, 0);
  expect_refused(t, "two_ops", id, RUN_REEXECUTE_FROM_FAILURE, RUN_NOTHING_TO_RETRY);
}

static void test_parent_step_selection(void **state) {
  rt *t = *state;
  char id[37];
  const char *keys[] = {"fail_once", "after"};
  create_run(t, "recovering", keys, 2, NULL, 0, id);
  step_failed(t, id, "fail_once");
  step_abandoned(t, id, "after");
  event(t, id, "RUN_FAILURE", NULL, NULL);
  /* produce and side never ran in it, but it was not asked to run them. */
  assert_string_equal(from_failure(t, "recovering", id), "fail_once after");
}

static void test_nested_graph_handles(void **state) {
  rt *t = *state;
  char id[37];
  create_run(t, "nested_recovering", NULL, 0, NULL, 0, id);
  step_succeeded(t, id, "produce");
  step_succeeded(t, id, "side");
  step_failed(t, id, "box.inner");
  step_abandoned(t, id, "box.inner2");
  step_abandoned(t, id, "after");
  event(t, id, "RUN_FAILURE", NULL, NULL);
  assert_string_equal(from_failure(t, "nested_recovering", id), "box.inner box.inner2 after");
}

/* ---- the re-execution run ---- */

static void test_refusals(void **state) {
  rt *t = *state;
  char id[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, id);
  step_failed(t, id, "produce"); /* a status check, whatever the events say */
  expect_refused(t, "recovering", id, RUN_REEXECUTE_FROM_FAILURE, NOT_FAILED); /* NOT_STARTED */
  const char *const *keys;
  size_t n;
  run_error err = {0};
  assert_int_equal(steps_from_failure(t, "recovering", id, &keys, &n, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  assert_string_equal(err.message, NOT_FAILED);
  event(t, id, "RUN_SUCCESS", NULL, NULL);
  expect_refused(t, "recovering", id, RUN_REEXECUTE_FROM_FAILURE, NOT_FAILED);
  /* ALL_STEPS re-executes any run. */
  char child[37];
  reexecute(t, "recovering", id, RUN_REEXECUTE_ALL_STEPS, child);
  assert_null(home_get_run(t->home, child)->step_keys_to_execute);
}

static void test_tags_and_lineage(void **state) {
  rt *t = *state;
  char parent[37], child[37], grandchild[37];
  store_tag tags[] = {{"dagster/priority", "3"}, {"owner", "ana"}};
  create_run(t, "recovering", NULL, 0, tags, 2, parent);
  store_tag system[] = {{"dagster/failure_reason", "STEP_FAILURE"},
                        {"dagster/step_selection", "a,b"}};
  store_error se;
  assert_int_equal(store_run_add_tags(t->home->inst->store, parent, system, 2, &se), 0);
  step_succeeded(t, parent, "produce");
  step_failed(t, parent, "fail_once");
  event(t, parent, "RUN_FAILURE", NULL, NULL);

  reexecute(t, "recovering", parent, RUN_REEXECUTE_FROM_FAILURE, child);
  store_run *c = home_get_run(t->home, child);
  assert_int_equal(c->status, STORE_RUN_NOT_STARTED);
  assert_string_equal(c->parent_run_id, parent);
  assert_string_equal(c->root_run_id, parent);
  assert_string_equal(c->step_keys_to_execute, "[\"fail_once\",\"side\",\"after\"]");
  assert_string_equal(tag_of(t, child, "dagster/parent_run_id"), parent);
  assert_string_equal(tag_of(t, child, "dagster/root_run_id"), parent);
  assert_string_equal(tag_of(t, child, "dagster/is_resume_retry"), "true");
  assert_string_equal(tag_of(t, child, "dagster/priority"), "3");
  assert_string_equal(tag_of(t, child, "owner"), "ana");
  assert_string_equal(tag_of(t, child, "dagster/step_selection"), "a,b");
  assert_null(tag_of(t, child, "dagster/failure_reason"));

  /* The grandchild's root is the first run; ALL_STEPS drops the resume tag. */
  event(t, child, "RUN_FAILURE", NULL, NULL);
  reexecute(t, "recovering", child, RUN_REEXECUTE_ALL_STEPS, grandchild);
  store_run *g = home_get_run(t->home, grandchild);
  assert_string_equal(g->parent_run_id, child);
  assert_string_equal(g->root_run_id, parent);
  assert_null(g->step_keys_to_execute);
  assert_null(tag_of(t, grandchild, "dagster/is_resume_retry"));
  assert_string_equal(tag_of(t, grandchild, "owner"), "ana");
  size_t n;
  const char *root;
  store_run_group(t->home->inst->store, grandchild, &root, t->home->a, &n, &se);
  assert_int_equal(n, 3);
  assert_string_equal(root, parent);
}

/* A FAILURE run of "recovering" whose parent is parent_id (NULL: none),
 * with one failed step. */
static void failed_child(rt *t, const char *parent_id, char id[37]) {
  if (!parent_id) {
    create_run(t, "recovering", NULL, 0, NULL, 0, id);
  } else {
    store_run *p = home_get_run(t->home, parent_id);
    run_new req = {.defs = t->defs,
                   .job = job_of(t, "recovering"),
                   .location_name = "test",
                   .parent_run_id = parent_id,
                   .root_run_id = p->root_run_id ? p->root_run_id : parent_id};
    run_error err = {0};
    if (run_create(t->home->inst, &req, id, &err) != 0)
      fail_msg("run_create: %s", err.message);
  }
  step_failed(t, id, "fail_once");
  event(t, id, "RUN_FAILURE", NULL, NULL);
}

static void delete_run(rt *t, const char *id) {
  store_error se = {{0}};
  bool found = false;
  if (store_run_delete(t->home->inst->store, id, &found, &se) != 0 || !found)
    fail_msg("store_run_delete %s: %s", id, se.message);
}

static void test_ancestor_gone_at_creation(void **state) {
  rt *t = *state;
  char root[37], child[37], grandchild[37];
  failed_child(t, NULL, root);
  failed_child(t, root, child);
  failed_child(t, child, grandchild);
  run_error err = {0};
  assert_int_equal(
      run_check_ancestors(t->home->inst->store, home_get_run(t->home, grandchild), &err), 0);
  delete_run(t, root);
  char want[128];
  snprintf(want, sizeof want, "Could not load ancestor run %s for re-execution", root);
  assert_int_equal(
      run_check_ancestors(t->home->inst->store, home_get_run(t->home, grandchild), &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_string_equal(err.message, want);
  /* Two runs up or one, FROM_FAILURE refuses; ALL_STEPS needs no ancestor. */
  expect_refused_as(t, "recovering", grandchild, RUN_REEXECUTE_FROM_FAILURE, RUN_ERR_NOT_FOUND,
                    "DagsterRunNotFoundError", want);
  expect_refused_as(t, "recovering", child, RUN_REEXECUTE_FROM_FAILURE, RUN_ERR_NOT_FOUND,
                    "DagsterRunNotFoundError", want);
  char id[37];
  reexecute(t, "recovering", grandchild, RUN_REEXECUTE_ALL_STEPS, id);
  /* A run without a parent has no ancestors to miss. */
  char lone[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, lone);
  assert_int_equal(run_check_ancestors(t->home->inst->store, home_get_run(t->home, lone), &err), 0);
}

/* ---- workers executing re-executions ---- */

static void test_child_takes_parent_outputs(void **state) {
  rt *t = *state;
  char parent[37], child[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, parent);
  execute(t, parent, STORE_RUN_FAILURE);
  assert_string_equal(output_of(t, parent, "side"), "42\n");

  reexecute(t, "recovering", parent, RUN_REEXECUTE_FROM_FAILURE, child);
  assert_string_equal(home_get_run(t->home, child)->step_keys_to_execute,
                      "[\"fail_once\",\"after\"]");
  fix(t);
  execute(t, child, STORE_RUN_SUCCESS);
  /* Only the failed step and its downstream ran. */
  assert_int_equal(count(t, child, "STEP_START", "produce"), 0);
  assert_int_equal(count(t, child, "STEP_START", "side"), 0);
  assert_int_equal(count(t, child, "STEP_SUCCESS", "fail_once"), 1);
  assert_int_equal(count(t, child, "STEP_SUCCESS", "after"), 1);
  /* fail_once read produce's 41 from the parent's file. */
  assert_string_equal(output_of(t, child, "fail_once"), "410\n");
  assert_string_equal(output_of(t, child, "after"), "411\n");
  assert_loaded_from(t, child, "fail_once", parent, "produce");
  /* after's input is the child's own fail_once output. */
  assert_loaded_from(t, child, "after", child, "fail_once");
  /* The executor lists only the steps it executes. */
  json_t *start = NULL;
  size_t n;
  store_event *ev = home_events(t->home, child, &n);
  for (size_t i = 0; i < n && !start; i++)
    if (ev[i].event_type && strcmp(ev[i].event_type, "ENGINE_EVENT") == 0 &&
        strstr(ev[i].message, "Executing steps"))
      start = json_loads(ev[i].body, 0, NULL);
  assert_non_null(start);
  char *entries = json_dumps(json_object_get(start, "metadataEntries"), JSON_COMPACT);
  assert_non_null(strstr(entries, "['fail_once', 'after']"));
  free(entries);
  json_decref(start);
}

static void test_grandchild_walks_the_chain(void **state) {
  rt *t = *state;
  char root[37], child[37], grandchild[37];
  create_run(t, "nested_recovering", NULL, 0, NULL, 0, root);
  execute(t, root, STORE_RUN_FAILURE);
  reexecute(t, "nested_recovering", root, RUN_REEXECUTE_FROM_FAILURE, child);
  execute(t, child, STORE_RUN_FAILURE); /* not fixed yet: fails again */
  assert_int_equal(count(t, child, "STEP_START", "produce"), 0);
  assert_int_equal(count(t, child, "STEP_FAILURE", "box.inner"), 1);

  reexecute(t, "nested_recovering", child, RUN_REEXECUTE_FROM_FAILURE, grandchild);
  store_run *g = home_get_run(t->home, grandchild);
  assert_string_equal(g->root_run_id, root);
  assert_string_equal(g->step_keys_to_execute, "[\"box.inner\",\"box.inner2\",\"after\"]");
  fix(t);
  execute(t, grandchild, STORE_RUN_SUCCESS);
  /* produce ran only in the root: its output comes from two runs up. */
  assert_loaded_from(t, grandchild, "box.inner", root, "produce");
  assert_string_equal(output_of(t, grandchild, "box.inner"), "410\n");
  assert_string_equal(output_of(t, grandchild, "after"), "412\n");
}

static void test_missing_upstream_output(void **state) {
  rt *t = *state;
  char id[37];
  const char *keys[] = {"add_one"};
  create_run(t, "two_ops", keys, 1, NULL, 0, id);
  execute(t, id, STORE_RUN_FAILURE);
  assert_string_equal(failure_message(t, id, "add_one"),
                      "Op \"add_one\" (step \"add_one\") could not be started: output \"result\" "
                      "of step \"produce\" comes from an earlier run (this run does not execute "
                      "the step), but this run re-executes no run (input \"x\")");
  assert_int_equal(count(t, id, "STEP_START", "produce"), 0);
}

static void test_parent_output_file_gone(void **state) {
  rt *t = *state;
  char parent[37], child[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, parent);
  execute(t, parent, STORE_RUN_FAILURE);
  reexecute(t, "recovering", parent, RUN_REEXECUTE_FROM_FAILURE, child);
  const char *path = result_path(t, parent, "produce");
  assert_int_equal(unlink(path), 0);
  fix(t);
  execute(t, child, STORE_RUN_FAILURE);
  char want[1024];
  snprintf(want, sizeof want,
           "Op \"fail_once\" (step \"fail_once\") could not be started: output \"result\" of step "
           "\"produce\" was produced by run %s, but its file %s is gone (input \"x\")",
           parent, path);
  assert_string_equal(failure_message(t, child, "fail_once"), want);
}

/* An ancestor deleted after its re-execution was created: the step that
 * needs its output fails, naming the run that is gone. */
static void test_ancestor_gone_later(void **state) {
  rt *t = *state;
  char root[37], child[37], grandchild[37], sibling[37];
  create_run(t, "recovering", NULL, 0, NULL, 0, root);
  execute(t, root, STORE_RUN_FAILURE);
  reexecute(t, "recovering", root, RUN_REEXECUTE_FROM_FAILURE, child);
  execute(t, child, STORE_RUN_FAILURE); /* not fixed: fail_once fails again */
  reexecute(t, "recovering", child, RUN_REEXECUTE_FROM_FAILURE, grandchild);
  reexecute(t, "recovering", root, RUN_REEXECUTE_FROM_FAILURE, sibling);
  delete_run(t, root);
  fix(t);
  execute(t, grandchild, STORE_RUN_FAILURE);
  char want[1024];
  snprintf(want, sizeof want,
           "Op \"fail_once\" (step \"fail_once\") could not be started: output \"result\" of step "
           "\"produce\" comes from an earlier run (this run does not execute the step), but none "
           "of the runs it re-executes produced it (%s), and run %s further up its lineage no "
           "longer exists (input \"x\")",
           child, root);
  assert_string_equal(failure_message(t, grandchild, "fail_once"), want);
  execute(t, sibling, STORE_RUN_FAILURE);
  snprintf(want, sizeof want,
           "Op \"fail_once\" (step \"fail_once\") could not be started: output \"result\" of step "
           "\"produce\" comes from an earlier run (this run does not execute the step), but run %s "
           "of its lineage no longer exists (input \"x\")",
           root);
  assert_string_equal(failure_message(t, sibling, "fail_once"), want);
}

static void test_unknown_step_key(void **state) {
  rt *t = *state;
  char id[37];
  const char *keys[] = {"add_one", "nope", "nada"};
  create_run(t, "two_ops", keys, 3, NULL, 0, id);
  execute(t, id, STORE_RUN_FAILURE);
  size_t n;
  store_event *ev = home_events(t->home, id, &n);
  const store_event *last = &ev[n - 1];
  assert_string_equal(last->event_type, "RUN_FAILURE");
  json_t *b = json_loads(last->body, 0, NULL);
  json_t *error = json_object_get(b, "error");
  assert_string_equal(json_string_value(json_object_get(error, "className")),
                      "DagsterExecutionStepNotFoundError");
  assert_string_equal(json_string_value(json_object_get(error, "message")),
                      "Can not build subset plan from unknown steps: nope, nada");
  json_decref(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_failed_step_and_downstream, setup, teardown),
      cmocka_unit_test_setup_teardown(test_interrupted_and_never_ran, setup, teardown),
      cmocka_unit_test_setup_teardown(test_resource_failure_and_skipped, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nothing_to_retry, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parent_step_selection, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nested_graph_handles, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tags_and_lineage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_child_takes_parent_outputs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_grandchild_walks_the_chain, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_upstream_output, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parent_output_file_gone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_step_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ancestor_gone_at_creation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ancestor_gone_later, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
