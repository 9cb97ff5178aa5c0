/* test_reexecute.c — Mutation.launchRunReexecution and its alias
 * launchPipelineReexecution (src/api/reexecute.c): reexecutionParams with
 * both strategies (the steps, run config, tags and lineage of the new run,
 * the family in runGroupOrError), the older executionParams form (stepKeys,
 * the resume tag, the required lineage), and every refusal: both or
 * neither argument, an unknown parent, FROM_FAILURE of a run that did not
 * fail or left nothing to retry (by either form), an ancestor deleted, a
 * job gone from the workspace, a parent config that no longer fits,
 * unknown step keys, resuming with no parent, a read-only server. Parent runs are written
 * straight to the store with the events their worker would have written;
 * the fixture's workers are /bin/true (launch.h). */
/* nftw (XSI), for removing the temporary home. */
#define _XOPEN_SOURCE 700
#include "fixtures/launch/launch.h"

static const char *const REEXECUTE =
    "mutation($e: ExecutionParams, $r: ReexecutionParams) {"
    " launchRunReexecution(executionParams: $e, reexecutionParams: $r) { __typename"
    " ... on LaunchRunSuccess { run { runId status pipelineName parentRunId rootRunId"
    " stepKeysToExecute runConfigYaml tags { key value } } }"
    " ... on PythonError { className }"
    " ... on PipelineNotFoundError { pipelineName repositoryName repositoryLocationName }"
    " ... on Error { message } } }";

#define CONFIG "{\"ops\": {\"double\": {\"config\": {\"factor\": 2}}}}"

/* A stored run to re-execute. */
typedef struct parent_spec {
  const char *job;
  const char *config;
  const store_tag *tags;
  size_t n_tags;
  store_run_status status;
  const char *parent_run_id; /* its own parent (its root is that one's root) */
  const char *step_keys;     /* the steps it was asked to execute (JSON); NULL: all */
} parent_spec;

/* A run of spec's job (in launch_loc) with its run config, tags, lineage
 * and step keys, brought to status by its events: "make" succeeded, then
 * "double" succeeded (SUCCESS) or failed (FAILURE, CANCELED) or never ran
 * (others). */
static void add_run(const parent_spec *spec, char id[37]) {
  const char *root = NULL;
  if (spec->parent_run_id) {
    arena *a = arena_new(0);
    store_run *p = stored_run(spec->parent_run_id, a);
    root = fmt("%s", p->root_run_id ? p->root_run_id : p->run_id);
    arena_free(a);
  }
  store_run_status status = spec->status;
  store_run r = {.job_name = spec->job,
                 .repository_name = "launch_repo",
                 .location_name = "launch_loc",
                 .status = STORE_RUN_NOT_STARTED,
                 .mode = "default",
                 .run_config = spec->config,
                 .tags = spec->tags,
                 .n_tags = spec->n_tags,
                 .parent_run_id = spec->parent_run_id,
                 .root_run_id = root,
                 .step_keys_to_execute = spec->step_keys};
  store_new_run_id(r.run_id);
  store_error err = {{0}};
  if (store_run_add(launch_inst->store, &r, &err) != 0)
    fail_msg("store_run_add: %s", err.message);
  const char *events[][2] = {
      {"RUN_START", NULL},
      {"STEP_START", "make"},
      {"STEP_OUTPUT", "make"},
      {"STEP_SUCCESS", "make"},
      {"STEP_START", "double"},
      {status == STORE_RUN_SUCCESS ? "STEP_SUCCESS" : "STEP_FAILURE", "double"},
      {status_event(status), NULL},
  };
  size_t n =
      status == STORE_RUN_SUCCESS || status == STORE_RUN_FAILURE || status == STORE_RUN_CANCELED
          ? sizeof events / sizeof *events
          : 0;
  for (size_t i = 0; i < n; i++) {
    json_t *body =
        strcmp(events[i][0], "STEP_OUTPUT") == 0 ? json_pack("{s:s}", "outputName", "value") : NULL;
    if (run_event(launch_inst->store, r.run_id, events[i][0], run_event_level(events[i][0]),
                  events[i][1], "written by the test", body, &err) < 0)
      fail_msg("run_event: %s", err.message);
  }
  memcpy(id, r.run_id, 37);
  free((char *)root);
}

/* add_run of a run of its own (no parent, every step). */
static void add_parent(const char *job, const char *config, const store_tag *tags, size_t n_tags,
                       store_run_status status, char id[37]) {
  parent_spec spec = {
      .job = job, .config = config, .tags = tags, .n_tags = n_tags, .status = status};
  add_run(&spec, id);
}

/* A FAILURE run of "numbers" whose parent is parent_id (NULL: none). */
static void add_failed_child(const char *parent_id, char id[37]) {
  parent_spec spec = {
      .job = "numbers", .config = CONFIG, .status = STORE_RUN_FAILURE, .parent_run_id = parent_id};
  add_run(&spec, id);
}

static void delete_run(const char *id) {
  store_error err = {{0}};
  bool found = false;
  if (store_run_delete(launch_inst->store, id, &found, &err) != 0 || !found)
    fail_msg("store_run_delete %s: %s", id, err.message);
}

static json_t *reexecute_as(const char *variables, bool read_only, const char *typename_,
                            json_t **response) {
  *response = harness_response_on(REEXECUTE, variables, read_only, launch_inst);
  json_t *r = at(*response, "data.launchRunReexecution");
  if (strcmp(at_str(r, "__typename"), typename_) != 0)
    fail_msg("expected %s: %s", typename_, json_dumps(r, 0));
  return r;
}

/* reexecutionParams for the parent and strategy, as variables. */
static char *by_parent(const char *parent, const char *strategy) {
  return fmt("{\"r\": {\"parentRunId\": \"%s\", \"strategy\": \"%s\"}}", parent, strategy);
}

/* reexecute_as with by_parent's variables. */
static json_t *reexecute_parent(const char *parent, const char *strategy, const char *typename_,
                                json_t **response) {
  char *vars = by_parent(parent, strategy);
  json_t *r = reexecute_as(vars, false, typename_, response);
  free(vars);
  return r;
}

static const char *tag_value(json_t *run, const char *key) {
  json_t *tags = at(run, "tags");
  for (size_t i = 0; i < json_array_size(tags); i++) {
    json_t *t = json_array_get(tags, i);
    if (strcmp(at_str(t, "key"), key) == 0)
      return at_str(t, "value");
  }
  return NULL;
}

/* The run's stepKeysToExecute joined by spaces ("null" for null). */
static char *step_keys(json_t *run) {
  json_t *keys = at(run, "stepKeysToExecute");
  if (json_is_null(keys))
    return strdup("null");
  buf out;
  buf_init(&out, NULL);
  for (size_t i = 0; i < json_array_size(keys); i++)
    buf_printf(&out, "%s%s", i ? " " : "", json_string_value(json_array_get(keys, i)));
  char *s = strdup(buf_cstr(&out));
  buf_free(&out);
  return s;
}

static void assert_step_keys(json_t *run, const char *want) {
  char *got = step_keys(run);
  assert_string_equal(got, want);
  free(got);
}

/* Expects the re-execution with these variables to launch a run whose
 * stepKeysToExecute are want (joined as step_keys joins them). */
static void expect_launched_steps(const char *variables, const char *want) {
  json_t *response;
  assert_step_keys(at(reexecute_as(variables, false, "LaunchRunSuccess", &response), "run"), want);
  json_decref(response);
}

/* Expects a PythonError of that class and message, and no new run. */
static void expect_python_error(const char *variables, bool read_only, const char *class_name,
                                const char *message) {
  store_error err = {{0}};
  store_runs_filter all = {0};
  int64_t before = store_runs_count(launch_inst->store, &all, &err);
  json_t *response;
  json_t *r = reexecute_as(variables, read_only, "PythonError", &response);
  assert_string_equal(at_str(r, "className"), class_name);
  assert_string_equal(at_str(r, "message"), message);
  assert_int_equal(store_runs_count(launch_inst->store, &all, &err), before);
  json_decref(response);
}

/* ---- reexecutionParams ---- */

static void test_from_failure(void **state) {
  (void)state;
  char parent[37];
  store_tag tags[] = {{"owner", "ana"}, {"dagster/failure_reason", "STEP_FAILURE"}};
  add_parent("numbers", CONFIG, tags, 2, STORE_RUN_FAILURE, parent);
  json_t *response;
  json_t *run = at(reexecute_parent(parent, "FROM_FAILURE", "LaunchRunSuccess", &response), "run");
  assert_string_equal(at_str(run, "status"), "STARTING");
  assert_string_equal(at_str(run, "pipelineName"), "numbers");
  assert_string_equal(at_str(run, "parentRunId"), parent);
  assert_string_equal(at_str(run, "rootRunId"), parent);
  assert_step_keys(run, "double"); /* make succeeded: its output is reused */
  assert_string_equal(at_str(run, "runConfigYaml"),
                      "ops:\n  double:\n    config:\n      factor: 2\n");
  /* Job tags, then the parent's (winning), then lineage and the resume tag. */
  assert_string_equal(tag_value(run, "team"), "math");
  assert_string_equal(tag_value(run, "owner"), "ana");
  assert_string_equal(tag_value(run, "dagster/parent_run_id"), parent);
  assert_string_equal(tag_value(run, "dagster/root_run_id"), parent);
  assert_string_equal(tag_value(run, "dagster/is_resume_retry"), "true");
  assert_null(tag_value(run, "dagster/failure_reason"));
  json_decref(response);
}

static void test_all_steps_and_group(void **state) {
  (void)state;
  char parent[37], child[37];
  add_parent("numbers", CONFIG, NULL, 0, STORE_RUN_SUCCESS, parent);
  json_t *response;
  json_t *run = at(reexecute_parent(parent, "ALL_STEPS", "LaunchRunSuccess", &response), "run");
  assert_step_keys(run, "null");
  assert_null(tag_value(run, "dagster/is_resume_retry"));
  snprintf(child, sizeof child, "%s", at_str(run, "runId"));
  json_decref(response);

  /* The grandchild, through the legacy name, keeps the first run as root. */
  char *vars = by_parent(child, "ALL_STEPS");
  response = launch_query("mutation($r: ReexecutionParams) { launchPipelineReexecution("
                          "reexecutionParams: $r) { __typename ... on LaunchRunSuccess { run {"
                          " runId parentRunId rootRunId } } } }",
                          vars);
  free(vars);
  run = at(response, "data.launchPipelineReexecution.run");
  assert_string_equal(at_str(run, "parentRunId"), child);
  assert_string_equal(at_str(run, "rootRunId"), parent);
  char *group = fmt("{\"id\": \"%s\"}", at_str(run, "runId"));
  json_decref(response);

  response = launch_query("query($id: ID!) { runGroupOrError(runId: $id) { __typename"
                          " ... on RunGroup { rootRunId runs { runId parentRunId } } } }",
                          group);
  free(group);
  json_t *g = at(response, "data.runGroupOrError");
  assert_string_equal(at_str(g, "__typename"), "RunGroup");
  assert_string_equal(at_str(g, "rootRunId"), parent);
  assert_int_equal(json_array_size(at(g, "runs")), 3);
  assert_string_equal(at_str(g, "runs.0.runId"), parent);
  json_decref(response);
}

static void test_from_failure_of_canceled(void **state) {
  (void)state;
  char parent[37];
  add_parent("numbers", CONFIG, NULL, 0, STORE_RUN_CANCELED, parent);
  char *vars = by_parent(parent, "FROM_FAILURE");
  expect_launched_steps(vars, "double");
  free(vars);
}

static void test_refusals(void **state) {
  (void)state;
  char ok[37], bad_config[37], gone[37];
  add_parent("numbers", CONFIG, NULL, 0, STORE_RUN_SUCCESS, ok);
  add_parent("numbers", "{}", NULL, 0, STORE_RUN_FAILURE, bad_config);
  add_parent("vanished", "{}", NULL, 0, STORE_RUN_FAILURE, gone);

  const char *one_of = "Must only provide one of either executionParams or reexecutionParams";
  expect_python_error("{}", false, "DagsterInvariantViolationError", one_of);
  char *vars = fmt("{\"r\": {\"parentRunId\": \"%s\", \"strategy\": \"ALL_STEPS\"}, \"e\":"
                   " {\"selector\": {\"jobName\": \"numbers\", \"repositoryName\": \"launch_repo\","
                   " \"repositoryLocationName\": \"launch_loc\"}}}",
                   ok);
  expect_python_error(vars, false, "DagsterInvariantViolationError", one_of);
  free(vars);

  const char *unknown = "11111111-2222-3333-4444-555555555555";
  vars = by_parent(unknown, "ALL_STEPS");
  expect_python_error(vars, false, "CheckError",
                      "Expected non-None value: Could not find parent run with id: "
                      "11111111-2222-3333-4444-555555555555");
  /* The parent is looked up before the permission. */
  expect_python_error(vars, true, "CheckError",
                      "Expected non-None value: Could not find parent run with id: "
                      "11111111-2222-3333-4444-555555555555");
  free(vars);

  vars = by_parent(ok, "FROM_FAILURE");
  expect_python_error(vars, false, "DagsterInvariantViolationError",
                      "Cannot reexecute from failure a run that is not failed or canceled");
  json_t *response;
  json_t *r = reexecute_as(vars, true, "UnauthorizedError", &response);
  assert_string_equal(at_str(r, "message"), "Authorization failed");
  json_decref(response);
  free(vars);

  r = reexecute_parent(gone, "ALL_STEPS", "PipelineNotFoundError", &response);
  assert_string_equal(at_str(r, "pipelineName"), "vanished");
  assert_string_equal(at_str(r, "repositoryLocationName"), "launch_loc");
  json_decref(response);

  r = reexecute_parent(bad_config, "FROM_FAILURE", "PythonError", &response);
  assert_string_equal(at_str(r, "className"), "DagsterInvalidConfigError");
  assert_non_null(strstr(at_str(r, "message"), "DagsterInvalidConfigError: Error in config for "
                                               "job numbers\n    Error 1: "));
  json_decref(response);
}

/* A parent that failed after doing all it was asked to (make only). */
static void add_nothing_to_retry(char id[37]) {
  parent_spec spec = {
      .job = "numbers", .config = CONFIG, .status = STORE_RUN_FAILURE, .step_keys = "[\"make\"]"};
  add_run(&spec, id);
}

static const char *const NOTHING_TO_RETRY = "No steps needed to be retried in the failed run.";

/* "Could not load ancestor run ID for re-execution" (fmt's). */
static char *ancestor_gone(const char *id) {
  return fmt("Could not load ancestor run %s for re-execution", id);
}

static void test_lineage_refusals(void **state) {
  (void)state;
  char done[37];
  add_nothing_to_retry(done);
  char *vars = by_parent(done, "FROM_FAILURE");
  expect_python_error(vars, false, "DagsterInvalidSubsetError", NOTHING_TO_RETRY);
  free(vars);

  /* root <- child <- grandchild, and the root deleted: re-executing a
   * subset needs every ancestor (the steps left out read their outputs). */
  char root[37], child[37], grandchild[37];
  add_failed_child(NULL, root);
  add_failed_child(root, child);
  add_failed_child(child, grandchild);
  delete_run(root);
  char *message = ancestor_gone(root);
  vars = by_parent(child, "FROM_FAILURE");
  expect_python_error(vars, false, "DagsterRunNotFoundError", message);
  free(vars);
  vars = by_parent(grandchild, "FROM_FAILURE");
  expect_python_error(vars, false, "DagsterRunNotFoundError", message);
  free(vars);
  free(message);
  /* ALL_STEPS reads nothing from the ancestors (as Dagster's). */
  json_t *response;
  json_t *run = at(reexecute_parent(grandchild, "ALL_STEPS", "LaunchRunSuccess", &response), "run");
  assert_string_equal(at_str(run, "parentRunId"), grandchild);
  assert_string_equal(at_str(run, "rootRunId"), root);
  json_decref(response);
}

/* ---- executionParams (Dagster's older re-execution) ---- */

static char *legacy(const char *parent, const char *root, const char *step_keys, const char *tags) {
  char lineage[160] = "";
  int off = 0;
  if (parent)
    off = snprintf(lineage, sizeof lineage, "\"parentRunId\": \"%s\", ", parent);
  if (root)
    snprintf(lineage + off, sizeof lineage - (size_t)off, "\"rootRunId\": \"%s\", ", root);
  return fmt("{\"e\": {\"selector\": {\"repositoryLocationName\": \"launch_loc\","
             " \"repositoryName\": \"launch_repo\", \"pipelineName\": \"numbers\"},"
             " \"runConfigData\": " CONFIG ", \"stepKeys\": %s, \"executionMetadata\": {"
             "%s\"tags\": %s}}}",
             step_keys, lineage, tags);
}

static void test_execution_params(void **state) {
  (void)state;
  char parent[37];
  add_parent("numbers", CONFIG, NULL, 0, STORE_RUN_FAILURE, parent);
  /* What Dagster's UI sent: the lineage and the resume tag with the keys. */
  char *tags = fmt("[{\"key\": \"dagster/is_resume_retry\", \"value\": \"true\"},"
                   " {\"key\": \"dagster/parent_run_id\", \"value\": \"%s\"},"
                   " {\"key\": \"dagster/step_selection\", \"value\": \"double\"}]",
                   parent);
  char *vars = legacy(parent, parent, "[\"double\"]", tags);
  json_t *response;
  json_t *run = at(reexecute_as(vars, false, "LaunchRunSuccess", &response), "run");
  free(vars);
  assert_step_keys(run, "double");
  assert_string_equal(at_str(run, "parentRunId"), parent);
  assert_string_equal(tag_value(run, "dagster/is_resume_retry"), "true");
  assert_string_equal(tag_value(run, "dagster/step_selection"), "double");
  assert_string_equal(tag_value(run, "dagster/root_run_id"), parent);
  json_decref(response);

  /* The resume tag without stepKeys: the steps from the parent's failure. */
  vars = legacy(parent, parent, "null",
                "[{\"key\": \"dagster/is_resume_retry\", \"value\": "
                "\"true\"}]");
  expect_launched_steps(vars, "double");
  free(vars);

  /* Neither: every step. */
  vars = legacy(parent, parent, "null", "[]");
  expect_launched_steps(vars, "null");
  free(vars);
  free(tags);
}

/* The tags of Dagster's older re-execution from failure. */
static const char RESUME[] = "[{\"key\": \"dagster/is_resume_retry\", \"value\": \"true\"}]";

static void test_execution_params_refusals(void **state) {
  (void)state;
  char parent[37];
  add_parent("numbers", CONFIG, NULL, 0, STORE_RUN_FAILURE, parent);
  char *vars = legacy(parent, NULL, "null", "[]");
  expect_python_error(vars, false, "ParameterCheckError",
                      "Param \"root_run_id\" is not a str. Got None which is type <class "
                      "'NoneType'>.");
  free(vars);
  vars = legacy(parent, parent, "[\"double\", \"nope\"]", "[]");
  expect_python_error(vars, false, "DagsterExecutionStepNotFoundError",
                      "Can not build subset plan from unknown step: nope");
  free(vars);
  const char *unknown = "11111111-2222-3333-4444-555555555555";
  vars = legacy(unknown, unknown, "null", RESUME);
  expect_python_error(vars, false, "DagsterRunNotFoundError",
                      "Run 11111111-2222-3333-4444-555555555555 could not be found.");
  free(vars);
  /* Other system tags stay refused. */
  vars = legacy(parent, parent, "null", "[{\"key\": \"dagster/backfill\", \"value\": \"x\"}]");
  expect_python_error(vars, false, "dagd",
                      "Attempted to set tag with reserved system prefix: dagster/backfill");
  free(vars);
  vars = legacy(parent, parent, "null", "[]");
  json_t *response;
  reexecute_as(vars, true, "UnauthorizedError", &response);
  json_decref(response);
  free(vars);
}

/* The resume tag refuses as reexecutionParams' FROM_FAILURE does. */
static void test_execution_params_resume_refusals(void **state) {
  (void)state;
  char succeeded[37], done[37];
  add_parent("numbers", CONFIG, NULL, 0, STORE_RUN_SUCCESS, succeeded);
  char *vars = legacy(succeeded, succeeded, "null", RESUME);
  expect_python_error(vars, false, "DagsterInvariantViolationError",
                      "Cannot reexecute from failure a run that is not failed or canceled");
  free(vars);
  add_nothing_to_retry(done);
  vars = legacy(done, done, "null", RESUME);
  expect_python_error(vars, false, "DagsterInvalidSubsetError", NOTHING_TO_RETRY);
  free(vars);

  /* launchRun takes the same parameters; there the lineage is optional,
   * but resuming needs a parent (Dagster's check.not_none). */
  char *launch = fmt("{\"e\": {\"selector\": {\"repositoryLocationName\": \"launch_loc\","
                     " \"repositoryName\": \"launch_repo\", \"pipelineName\": \"numbers\"},"
                     " \"runConfigData\": " CONFIG ", \"executionMetadata\": {\"tags\": %s}}}",
                     RESUME);
  json_t *response = launch_query("mutation($e: ExecutionParams!) { launchRun(executionParams: $e)"
                                  " { __typename ... on PythonError { className message } } }",
                                  launch);
  free(launch);
  json_t *r = at(response, "data.launchRun");
  assert_string_equal(at_str(r, "__typename"), "PythonError");
  assert_string_equal(at_str(r, "className"), "CheckError");
  assert_string_equal(at_str(r, "message"), "Expected non-None value: None");
  json_decref(response);
}

/* With stepKeys a parent that is not stored is passed over (Dagster
 * builds no known state then); a stored one needs its ancestors, with
 * stepKeys or the resume tag alike. */
static void test_execution_params_lineage(void **state) {
  (void)state;
  const char *unknown = "11111111-2222-3333-4444-555555555555";
  char *vars = legacy(unknown, unknown, "[\"double\"]", "[]");
  json_t *response;
  json_t *run = at(reexecute_as(vars, false, "LaunchRunSuccess", &response), "run");
  assert_string_equal(at_str(run, "parentRunId"), unknown);
  assert_step_keys(run, "double");
  json_decref(response);
  free(vars);

  char root[37], child[37];
  add_failed_child(NULL, root);
  add_failed_child(root, child);
  delete_run(root);
  char *message = ancestor_gone(root);
  vars = legacy(child, root, "[\"double\"]", "[]");
  expect_python_error(vars, false, "DagsterRunNotFoundError", message);
  free(vars);
  vars = legacy(child, root, "null", RESUME);
  expect_python_error(vars, false, "DagsterRunNotFoundError", message);
  free(vars);
  free(message);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_from_failure, launch_setup, launch_teardown),
      cmocka_unit_test_setup_teardown(test_all_steps_and_group, launch_setup, launch_teardown),
      cmocka_unit_test_setup_teardown(test_from_failure_of_canceled, launch_setup, launch_teardown),
      cmocka_unit_test_setup_teardown(test_refusals, launch_setup, launch_teardown),
      cmocka_unit_test_setup_teardown(test_execution_params, launch_setup, launch_teardown),
      cmocka_unit_test_setup_teardown(test_execution_params_refusals, launch_setup,
                                      launch_teardown),
      cmocka_unit_test_setup_teardown(test_lineage_refusals, launch_setup, launch_teardown),
      cmocka_unit_test_setup_teardown(test_execution_params_resume_refusals, launch_setup,
                                      launch_teardown),
      cmocka_unit_test_setup_teardown(test_execution_params_lineage, launch_setup, launch_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
