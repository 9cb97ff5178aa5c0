/* test_launch.c — Mutation.launchRun / launchPipelineExecution
 * (src/api/launch.c): the documents Dagster's Python client and docs send,
 * what the stored run holds (job, origin, config, tags, selection, parent
 * and root, STARTING after the launch), and every answer of
 * LaunchRunResult dagd gives: RunConfigValidationInvalid (identical to
 * isPipelineConfigValid's), PipelineNotFoundError, InvalidSubsetError,
 * PresetNotFoundError, ConflictingExecutionParamsError, UnauthorizedError
 * and PythonError (bad run config shapes, reserved tags, a parent without
 * a root, no instance). */
/* nftw (XSI), for removing the temporary home. */
#define _XOPEN_SOURCE 700
#include "fixtures/launch/launch.h"

/* Dagster's CLIENT_SUBMIT_PIPELINE_RUN_MUTATION (dagster_graphql/client/
 * client_queries.py), verbatim. */
static const char *const CLIENT_SUBMIT_PIPELINE_RUN_MUTATION =
    "\n"
    "mutation($executionParams: ExecutionParams!) {\n"
    "  launchPipelineExecution(executionParams: $executionParams) {\n"
    "    __typename\n"
    "\n"
    "    ... on InvalidStepError {\n"
    "      invalidStepKey\n"
    "    }\n"
    "    ... on InvalidOutputError {\n"
    "      stepKey\n"
    "      invalidOutputName\n"
    "    }\n"
    "    ... on LaunchPipelineRunSuccess {\n"
    "      run {\n"
    "        runId\n"
    "      }\n"
    "    }\n"
    "    ... on ConflictingExecutionParamsError {\n"
    "      message\n"
    "    }\n"
    "    ... on PresetNotFoundError {\n"
    "      message\n"
    "    }\n"
    "    ... on PipelineRunConflict {\n"
    "      message\n"
    "    }\n"
    "    ... on PipelineConfigValidationInvalid {\n"
    "      errors {\n"
    "        __typename\n"
    "        message\n"
    "        path\n"
    "        reason\n"
    "      }\n"
    "    }\n"
    "    ... on PipelineNotFoundError {\n"
    "      message\n"
    "    }\n"
    "    ... on PythonError {\n"
    "      message\n"
    "    }\n"
    "  }\n"
    "}\n";

/* The launchRun example of Dagster's GraphQL docs, verbatim. */
static const char *const DOCS_LAUNCH_RUN_MUTATION =
    "mutation LaunchRunMutation(\n"
    "  $repositoryLocationName: String!\n"
    "  $repositoryName: String!\n"
    "  $jobName: String!\n"
    "  $runConfigData: RunConfigData!\n"
    ") {\n"
    "  launchRun(\n"
    "    executionParams: {\n"
    "      selector: {\n"
    "        repositoryLocationName: $repositoryLocationName\n"
    "        repositoryName: $repositoryName\n"
    "        jobName: $jobName\n"
    "      }\n"
    "      runConfigData: $runConfigData\n"
    "    }\n"
    "  ) {\n"
    "    __typename\n"
    "    ... on LaunchRunSuccess {\n"
    "      run {\n"
    "        runId\n"
    "      }\n"
    "    }\n"
    "    ... on RunConfigValidationInvalid {\n"
    "      errors {\n"
    "        message\n"
    "        reason\n"
    "      }\n"
    "    }\n"
    "    ... on PythonError {\n"
    "      message\n"
    "    }\n"
    "  }\n"
    "}\n";

/* launchRun with every member's fields, for the error cases. */
static const char *const LAUNCH =
    "mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename"
    " ... on LaunchRunSuccess { run { runId status } }"
    " ... on Error { message }"
    " ... on PresetNotFoundError { preset }"
    " ... on PipelineNotFoundError { pipelineName repositoryName repositoryLocationName }"
    " ... on InvalidSubsetError { pipeline { name } }"
    " ... on RunConfigValidationInvalid { pipelineName errors { __typename message path reason } }"
    " } }";

static int64_t run_count(void) {
  store_error err = {{0}};
  store_runs_filter all = {0};
  int64_t n = store_runs_count(launch_inst->store, &all, &err);
  if (n < 0)
    fail_msg("store_runs_count: %s", err.message);
  return n;
}

/* Runs LAUNCH with {"p": params} and returns launchRun's answer (in *response,
 * to json_decref). */
static json_t *launch(const char *params, json_t **response) {
  char vars[2048];
  if ((size_t)snprintf(vars, sizeof vars, "{\"p\": %s}", params) >= sizeof vars)
    fail_msg("params too long");
  *response = launch_query(LAUNCH, vars);
  return at(*response, "data.launchRun");
}

/* launch, asserting the answer's __typename. */
static json_t *launch_as(const char *params, const char *typename_, json_t **response) {
  json_t *r = launch(params, response);
  assert_string_equal(at_str(r, "__typename"), typename_);
  return r;
}

/* Launches params and checks the answer is a typename with that message
 * and no run was stored. */
static void expect_refused(const char *params, const char *typename_, const char *message) {
  int64_t before = run_count();
  json_t *response;
  json_t *r = launch_as(params, typename_, &response);
  if (message)
    assert_string_equal(at_str(r, "message"), message);
  assert_int_equal(run_count(), before);
  json_decref(response);
}

/* Checks a launch's answer r is LaunchRunSuccess and returns the run it
 * names as stored (in a), STARTING. */
static store_run *launched_run(json_t *r, arena *a) {
  if (strcmp(at_str(r, "__typename"), "LaunchRunSuccess") != 0)
    fail_msg("not launched: %s", json_dumps(r, 0));
  store_run *run = stored_run(at_str(r, "run.runId"), a);
  assert_int_equal(run->status, STORE_RUN_STARTING);
  return run;
}

/* Launches params, expects LaunchRunSuccess and returns the stored run (in a). */
static store_run *expect_launched(const char *params, arena *a) {
  json_t *response;
  json_t *r = launch(params, &response);
  /* The answer shows the run after launching. */
  assert_string_equal(at_str(r, "run.status"), "STARTING");
  store_run *run = launched_run(r, a);
  json_decref(response);
  return run;
}

/* Sends CLIENT_SUBMIT_PIPELINE_RUN_MUTATION with the variables
 * DagsterGraphQLClient.submit_job_execution builds for a job of the fixture
 * location: no op selection, the run config, and the tags (a JSON array, or
 * NULL for none: then executionMetadata is {}). Returns the response
 * (json_decref it) and launchPipelineExecution's answer in *r. */
static json_t *client_submit(const char *job, const char *run_config, const char *tags,
                             json_t **r) {
  char tags_[512] = "";
  if (tags)
    snprintf(tags_, sizeof tags_, "\"tags\": %s", tags);
  char vars[2048];
  if ((size_t)snprintf(vars, sizeof vars,
                       "{\"executionParams\": {\"selector\": {\"repositoryLocationName\":"
                       " \"launch_loc\", \"repositoryName\": \"launch_repo\", \"pipelineName\":"
                       " \"%s\", \"solidSelection\": null}, \"runConfigData\": %s,"
                       " \"mode\": \"default\", \"executionMetadata\": {%s}}}",
                       job, run_config, tags_) >= sizeof vars)
    fail_msg("variables too long");
  json_t *response = launch_query(CLIENT_SUBMIT_PIPELINE_RUN_MUTATION, vars);
  *r = at(response, "data.launchPipelineExecution");
  return response;
}

/* client_submit, expecting LaunchRunSuccess: the stored run (in a). */
static store_run *client_launched(const char *job, const char *run_config, const char *tags,
                                  arena *a) {
  json_t *r;
  json_t *response = client_submit(job, run_config, tags, &r);
  store_run *run = launched_run(r, a);
  json_decref(response);
  return run;
}

static void assert_json_text(const char *text, const char *expected) {
  json_t *got = json_loads(text, 0, NULL), *want = json_loads(expected, 0, NULL);
  assert_non_null(got);
  assert_non_null(want);
  if (!json_equal(got, want))
    fail_msg("got %s, want %s", text, expected);
  json_decref(got);
  json_decref(want);
}

#define SELECTOR(job)                                                                              \
  "\"selector\": {\"repositoryLocationName\": \"launch_loc\", \"repositoryName\": "                \
  "\"launch_repo\", \"pipelineName\": \"" job "\"}"

/* ---- the documents clients send ------------------------------------------- */

static void test_python_client_submit(void **state) {
  (void)state;
  arena *a = arena_new(0);
  store_run *run =
      client_launched("numbers", "{\"ops\": {\"double\": {\"config\": {\"factor\": 3}}}}",
                      "[{\"key\": \"team\", \"value\": \"ops\"},"
                      " {\"key\": \"ticket\", \"value\": \"42\"}]",
                      a);
  assert_int_equal(strlen(run->run_id), 36);
  assert_string_equal(run->job_name, "numbers");
  assert_string_equal(run->location_name, "launch_loc");
  assert_string_equal(run->repository_name, "launch_repo");
  assert_json_text(run->run_config, "{\"ops\": {\"double\": {\"config\": {\"factor\": 3}}}}");
  assert_null(run->op_selection);
  assert_null(run->parent_run_id);
  /* The job's tags, the caller's winning. */
  assert_string_equal(run_tag(run, "team"), "ops");
  assert_string_equal(run_tag(run, "owner"), "jobs");
  assert_string_equal(run_tag(run, "ticket"), "42");
  assert_null(run_tag(run, "dagster/solid_selection"));
  arena_free(a);
}

static void test_python_client_without_tags(void **state) {
  (void)state;
  /* No tags: the client sends "executionMetadata": {}. */
  arena *a = arena_new(0);
  store_run *run = client_launched("greet", "{}", NULL, a);
  assert_string_equal(run->job_name, "greet");
  assert_json_text(run->run_config, "{}");
  assert_null(run_tag(run, "team"));
  arena_free(a);
}

static void test_python_client_invalid_config(void **state) {
  (void)state;
  json_t *r;
  json_t *response =
      client_submit("numbers", "{\"ops\": {\"double\": {\"config\": {}}}}", NULL, &r);
  assert_string_equal(at_str(r, "__typename"), "RunConfigValidationInvalid");
  assert_string_equal(at_str(r, "errors.0.__typename"), "MissingFieldConfigError");
  assert_string_equal(at_str(r, "errors.0.reason"), "MISSING_REQUIRED_FIELD");
  assert_true(json_is_array(at(r, "errors.0.path")));
  json_decref(response);
}

static void test_docs_launch_run(void **state) {
  (void)state;
  /* runConfigData as YAML text (as the playground sends it), then as JSON
   * text (JSON is YAML), then as an object. */
  const char *const configs[] = {
      "\"ops:\\n  double:\\n    config:\\n      factor: 5\\n\"",
      "\"{\\\"ops\\\": {\\\"double\\\": {\\\"config\\\": {\\\"factor\\\": 5}}}}\"",
      "{\"ops\": {\"double\": {\"config\": {\"factor\": 5}}}}",
  };
  for (size_t i = 0; i < API_COUNT(configs); i++) {
    char vars[512];
    snprintf(vars, sizeof vars,
             "{\"repositoryLocationName\": \"launch_loc\", \"repositoryName\": \"launch_repo\","
             " \"jobName\": \"numbers\", \"runConfigData\": %s}",
             configs[i]);
    json_t *response = launch_query(DOCS_LAUNCH_RUN_MUTATION, vars);
    arena *a = arena_new(0);
    store_run *run = launched_run(at(response, "data.launchRun"), a);
    assert_string_equal(run->job_name, "numbers");
    assert_json_text(run->run_config, "{\"ops\": {\"double\": {\"config\": {\"factor\": 5}}}}");
    arena_free(a);
    json_decref(response);
  }
}

/* ---- run config ------------------------------------------------------------- */

static void test_invalid_config_matches_is_pipeline_config_valid(void **state) {
  (void)state;
  const char *config = "{\"ops\": {\"double\": {\"config\": {\"factor\": \"x\"}}, \"nope\": {}},"
                       " \"extra\": 1}";
  char params[512];
  snprintf(params, sizeof params, "{" SELECTOR("numbers") ", \"runConfigData\": %s}", config);
  int64_t before = run_count();
  json_t *response;
  json_t *r = launch_as(params, "RunConfigValidationInvalid", &response);
  assert_string_equal(at_str(r, "pipelineName"), "numbers");
  assert_true(json_array_size(at(r, "errors")) >= 2);
  assert_int_equal(run_count(), before);

  char vars[512];
  snprintf(vars, sizeof vars, "{\"c\": %s}", config);
  json_t *valid = launch_query(
      "query($c: RunConfigData) { isPipelineConfigValid(pipeline: {repositoryLocationName:"
      " \"launch_loc\", repositoryName: \"launch_repo\", pipelineName: \"numbers\"},"
      " runConfigData: $c, mode: \"default\") { __typename ... on RunConfigValidationInvalid {"
      " pipelineName"
      " errors { __typename message path reason } } } }",
      vars);
  json_t *expected = at(valid, "data.isPipelineConfigValid");
  assert_string_equal(at_str(expected, "__typename"), "RunConfigValidationInvalid");
  if (!json_equal(at(r, "errors"), at(expected, "errors")))
    fail_msg("launch: %s\nisPipelineConfigValid: %s", json_dumps(at(r, "errors"), 0),
             json_dumps(at(expected, "errors"), 0));
  json_decref(valid);
  json_decref(response);
}

static void test_missing_config(void **state) {
  (void)state;
  /* No runConfigData at all: {} lacks the required factor. */
  json_t *response;
  json_t *r = launch_as("{" SELECTOR("numbers") "}", "RunConfigValidationInvalid", &response);
  assert_int_equal(json_array_size(at(r, "errors")), 1);
  assert_string_equal(at_str(r, "errors.0.reason"), "MISSING_REQUIRED_FIELD");
  json_decref(response);
}

static void test_run_config_shapes(void **state) {
  (void)state;
  /* What ExecutionParams refuses: not a mapping, or not YAML. */
  expect_refused("{" SELECTOR("greet") ", \"runConfigData\": \"[1, 2]\"}", "PythonError",
                 "Param \"run_config\" is not one of ['Mapping']. Got [1, 2] which is type "
                 "<class 'list'>.");
  expect_refused("{" SELECTOR("greet") ", \"runConfigData\": 5}", "PythonError",
                 "Param \"run_config\" is not one of ['Mapping']. Got 5 which is type "
                 "<class 'int'>.");
  expect_refused("{" SELECTOR("greet") ", \"runConfigData\": \"'text'\"}", "PythonError",
                 "Param \"run_config\" is not one of ['Mapping']. Got 'text' which is type "
                 "<class 'str'>.");
  json_t *response;
  json_t *r =
      launch_as("{" SELECTOR("greet") ", \"runConfigData\": \"ops: [\"}", "PythonError", &response);
  assert_true(strncmp(at_str(r, "message"), "the run config is not valid YAML", 32) == 0);
  json_decref(response);

  /* What is false in Python is {}; YAML's null is None, which is {} too. */
  arena *a = arena_new(0);
  const char *const empties[] = {"\"\"", "null", "{}", "[]", "0", "false", "\"~\""};
  for (size_t i = 0; i < API_COUNT(empties); i++) {
    char params[256];
    snprintf(params, sizeof params, "{" SELECTOR("greet") ", \"runConfigData\": %s}", empties[i]);
    store_run *run = expect_launched(params, a);
    assert_json_text(run->run_config, "{}");
  }
  arena_free(a);
}

/* ---- the selector --------------------------------------------------------------- */

static void test_job_not_found(void **state) {
  (void)state;
  const char *const cases[][4] = {
      {"launch_loc", "launch_repo", "nope", "Could not find Pipeline launch_loc.launch_repo.nope"},
      {"launch_loc", "other", "numbers", "Could not find Pipeline launch_loc.other.numbers"},
      {"elsewhere", "launch_repo", "numbers",
       "Could not find Pipeline elsewhere.launch_repo.numbers"},
  };
  for (size_t i = 0; i < API_COUNT(cases); i++) {
    char params[512];
    snprintf(params, sizeof params,
             "{\"selector\": {\"repositoryLocationName\": \"%s\", \"repositoryName\": \"%s\","
             " \"jobName\": \"%s\"}}",
             cases[i][0], cases[i][1], cases[i][2]);
    json_t *response;
    json_t *r = launch_as(params, "PipelineNotFoundError", &response);
    assert_string_equal(at_str(r, "message"), cases[i][3]);
    assert_string_equal(at_str(r, "pipelineName"), cases[i][2]);
    assert_string_equal(at_str(r, "repositoryName"), cases[i][1]);
    assert_string_equal(at_str(r, "repositoryLocationName"), cases[i][0]);
    json_decref(response);
  }
}

static void test_job_name_fields(void **state) {
  (void)state;
  /* Neither name: Dagster's selector check fails. */
  expect_refused("{\"selector\": {\"repositoryLocationName\": \"launch_loc\", \"repositoryName\":"
                 " \"launch_repo\"}}",
                 "PythonError",
                 "Param \"job_name\" is not a str. Got None which is type <class 'NoneType'>.");
  /* Both: pipelineName wins; an empty one gives way to jobName. */
  arena *a = arena_new(0);
  store_run *run = expect_launched(
      "{\"selector\": {\"repositoryLocationName\": \"launch_loc\", \"repositoryName\":"
      " \"launch_repo\", \"pipelineName\": \"greet\", \"jobName\": \"numbers\"}}",
      a);
  assert_string_equal(run->job_name, "greet");
  run = expect_launched(
      "{\"selector\": {\"repositoryLocationName\": \"launch_loc\", \"repositoryName\":"
      " \"launch_repo\", \"pipelineName\": \"\", \"jobName\": \"greet\"}}",
      a);
  assert_string_equal(run->job_name, "greet");
  arena_free(a);
}

static void test_solid_selection(void **state) {
  (void)state;
  arena *a = arena_new(0);
  /* Only make: double's required config is no longer needed. */
  store_run *run = expect_launched(
      "{\"selector\": {\"repositoryLocationName\": \"launch_loc\", \"repositoryName\":"
      " \"launch_repo\", \"jobName\": \"numbers\", \"solidSelection\": [\"make\"]}}",
      a);
  assert_string_equal(run->job_name, "numbers");
  assert_json_text(run->op_selection, "[\"make\"]");
  assert_json_text(run->resolved_op_selection, "[\"make\"]");
  assert_string_equal(run_tag(run, "dagster/solid_selection"), "make");
  assert_string_equal(run_tag(run, "team"), "math");

  /* An empty selection is the whole job. */
  run = expect_launched("{\"selector\": {\"repositoryLocationName\": \"launch_loc\","
                        " \"repositoryName\": \"launch_repo\", \"jobName\": \"numbers\","
                        " \"solidSelection\": []}, \"runConfigData\": {\"ops\": {\"double\":"
                        " {\"config\": {\"factor\": 1}}}}}",
                        a);
  assert_null(run->op_selection);
  assert_null(run_tag(run, "dagster/solid_selection"));
  arena_free(a);

  json_t *response;
  json_t *r = launch_as("{\"selector\": {\"repositoryLocationName\": \"launch_loc\","
                        " \"repositoryName\": \"launch_repo\", \"jobName\": \"numbers\","
                        " \"solidSelection\": [\"nope\"]}}",
                        "InvalidSubsetError", &response);
  assert_string_equal(at_str(r, "pipeline.name"), "numbers");
  assert_true(strlen(at_str(r, "message")) > 0);
  json_decref(response);
}

/* ---- presets ------------------------------------------------------------------- */

static void test_preset(void **state) {
  (void)state;
  arena *a = arena_new(0);
  store_run *run = expect_launched("{" SELECTOR("numbers") ", \"preset\": \"quick\"}", a);
  assert_json_text(run->run_config, "{\"ops\": {\"double\": {\"config\": {\"factor\": 2}}}}");
  /* The job's tags; a preset's tags are not the server's to apply (Dagster
   * takes only executionMetadata's). */
  assert_string_equal(run_tag(run, "team"), "math");
  assert_string_equal(run_tag(run, "owner"), "jobs");
  assert_null(run_tag(run, "speed"));
  assert_null(run->op_selection);

  /* The caller's tags over the job's; a false runConfigData is no conflict. */
  run = expect_launched(
      "{" SELECTOR(
          "numbers") ", \"preset\": \"quick\", \"runConfigData\": {},"
                     " \"mode\": \"\", \"executionMetadata\": {\"tags\": [{\"key\": \"owner\","
                     " \"value\": \"me\"}]}}",
      a);
  assert_string_equal(run_tag(run, "owner"), "me");
  assert_null(run_tag(run, "speed"));

  /* A preset's op selection. */
  run = expect_launched("{" SELECTOR("numbers") ", \"preset\": \"only_make\"}", a);
  assert_json_text(run->op_selection, "[\"make\"]");
  assert_string_equal(run_tag(run, "dagster/solid_selection"), "make");
  assert_json_text(run->run_config, "{}");
  arena_free(a);
}

static void test_preset_errors(void **state) {
  (void)state;
  json_t *response;
  json_t *r = launch_as("{" SELECTOR("numbers") ", \"preset\": \"nope\"}", "PresetNotFoundError",
                        &response);
  assert_string_equal(at_str(r, "message"), "Preset nope not found in pipeline numbers.");
  assert_string_equal(at_str(r, "preset"), "nope");
  json_decref(response);

  expect_refused("{" SELECTOR("numbers") ", \"preset\": \"quick\", \"runConfigData\": {\"ops\":"
                                         " {}}}",
                 "ConflictingExecutionParamsError",
                 "Invalid ExecutionParams. Cannot define runConfigData when using a preset.");
  expect_refused("{" SELECTOR("numbers") ", \"preset\": \"quick\", \"runConfigData\": \"a: 1\"}",
                 "ConflictingExecutionParamsError",
                 "Invalid ExecutionParams. Cannot define runConfigData when using a preset.");
  expect_refused("{" SELECTOR("numbers") ", \"preset\": \"quick\", \"mode\": \"default\"}",
                 "ConflictingExecutionParamsError",
                 "Invalid ExecutionParams. Cannot define mode when using a preset.");
  expect_refused("{\"selector\": {\"repositoryLocationName\": \"launch_loc\", \"repositoryName\":"
                 " \"launch_repo\", \"jobName\": \"numbers\", \"solidSelection\": [\"make\"]},"
                 " \"preset\": \"quick\"}",
                 "ConflictingExecutionParamsError",
                 "Invalid ExecutionParams. Cannot define selector.solid_selection when using a "
                 "preset.");
  expect_refused("{" SELECTOR("missing") ", \"preset\": \"quick\"}", "PipelineNotFoundError",
                 "Could not find Pipeline launch_loc.launch_repo.missing");
  /* A preset whose selection names no op (checked when it is used). */
  expect_refused("{" SELECTOR("numbers") ", \"preset\": \"bad_selection\"}", "InvalidSubsetError",
                 NULL);
}

/* ---- metadata ------------------------------------------------------------------- */

static void test_tags(void **state) {
  (void)state;
  arena *a = arena_new(0);
  /* A repeated key: the last one wins. dagster/priority is a system tag
   * users may set. */
  store_run *run = expect_launched(
      "{" SELECTOR("greet") ", \"executionMetadata\": {\"tags\": [{\"key\": \"k\", \"value\":"
                            " \"1\"}, {\"key\": \"k\", \"value\": \"2\"}, {\"key\": "
                            "\"dagster/priority\", \"value\":"
                            " \"5\"}]}}",
      a);
  assert_string_equal(run_tag(run, "k"), "2");
  assert_string_equal(run_tag(run, "dagster/priority"), "5");
  arena_free(a);

  /* Reserved: a PythonError with Dagster's words, and no run. */
  int64_t before = run_count();
  json_t *response;
  json_t *r = launch_as("{" SELECTOR("greet") ", \"executionMetadata\": {\"tags\": [{\"key\":"
                                              " \"dagster/solid_selection\", \"value\": \"x\"}]}}",
                        "PythonError", &response);
  assert_non_null(strstr(at_str(r, "message"), "Attempted to set tag with reserved system prefix: "
                                               "dagster/solid_selection"));
  assert_int_equal(run_count(), before);
  json_decref(response);

  /* A NUL in a key or value (valid GraphQL, "\u0000") would cut the C
   * string short and could merge two keys: refused, and no run. */
  r = launch_as("{" SELECTOR("greet") ", \"executionMetadata\": {\"tags\": [{\"key\": \"k\","
                                      " \"value\": \"a\\u0000b\"}]}}",
                "PythonError", &response);
  assert_string_equal(at_str(r, "message"), "Tag keys and values may not contain NUL characters.");
  assert_int_equal(run_count(), before);
  json_decref(response);
}

static void test_parent_and_root(void **state) {
  (void)state;
  char parent[37], root[37];
  add_run_in_status(STORE_RUN_FAILURE, root);
  add_run_in_status(STORE_RUN_FAILURE, parent);
  char params[512];
  snprintf(params, sizeof params,
           "{" SELECTOR("greet") ", \"executionMetadata\": {\"parentRunId\": \"%s\","
                                 " \"rootRunId\": \"%s\"}}",
           parent, root);
  arena *a = arena_new(0);
  store_run *run = expect_launched(params, a);
  assert_string_equal(run->parent_run_id, parent);
  assert_string_equal(run->root_run_id, root);
  arena_free(a);

  snprintf(params, sizeof params,
           "{" SELECTOR("greet") ", \"executionMetadata\": {\"parentRunId\": \"%s\"}}", parent);
  expect_refused(params, "PythonError",
                 "Invariant failed. Description: Must set both root_run_id and parent_run_id "
                 "when creating a PipelineRun that belongs to a run group");
}

/* stepKeys: the steps the run executes (Run.stepKeysToExecute); Dagster's
 * clients tag such runs dagster/step_selection themselves. */
static void test_step_keys(void **state) {
  (void)state;
  const char *params = "{" SELECTOR(
      "numbers") ", \"runConfigData\": {\"ops\": {\"double\":"
                 " {\"config\": {\"factor\": 2}}}}, \"stepKeys\": [\"double\"],"
                 " \"executionMetadata\": {\"tags\": [{\"key\": \"dagster/step_selection\","
                 " \"value\": \"double\"}]}}";
  arena *a = arena_new(0);
  store_run *run = expect_launched(params, a);
  assert_string_equal(run->step_keys_to_execute, "[\"double\"]");
  assert_string_equal(run_tag(run, "dagster/step_selection"), "double");
  arena_free(a);
  expect_refused(
      "{" SELECTOR(
          "numbers") ", \"runConfigData\": {\"ops\": {\"double\":"
                     " {\"config\": {\"factor\": 2}}}}, \"stepKeys\": [\"make\", \"nope\"]}",
      "PythonError", "Can not build subset plan from unknown step: nope");
  /* A step of the job left out by the op selection is unknown too. */
  expect_refused("{\"selector\": {\"repositoryLocationName\": \"launch_loc\","
                 " \"repositoryName\": \"launch_repo\", \"jobName\": \"numbers\","
                 " \"solidSelection\": [\"make\"]}, \"stepKeys\": [\"double\"]}",
                 "PythonError", "Can not build subset plan from unknown step: double");
}

/* ---- permissions and the instance ----------------------------------------------- */

static void test_read_only(void **state) {
  (void)state;
  int64_t before = run_count();
  const char *vars = "{\"p\": {" SELECTOR("greet") "}}";
  json_t *response = harness_response_on(LAUNCH, vars, true, launch_inst);
  assert_string_equal(at_str(response, "data.launchRun.__typename"), "UnauthorizedError");
  assert_string_equal(at_str(response, "data.launchRun.message"), "Authorization failed");
  json_decref(response);
  /* Dagster reads the params before it checks the permission. */
  response = harness_response_on(LAUNCH, "{\"p\": {" SELECTOR("greet") ", \"preset\": \"nope\"}}",
                                 true, launch_inst);
  assert_string_equal(at_str(response, "data.launchRun.__typename"), "PresetNotFoundError");
  json_decref(response);
  response =
      harness_response_on(CLIENT_SUBMIT_PIPELINE_RUN_MUTATION,
                          "{\"executionParams\": {" SELECTOR("greet") "}}", true, launch_inst);
  assert_string_equal(at_str(response, "data.launchPipelineExecution.__typename"),
                      "UnauthorizedError");
  json_decref(response);
  assert_int_equal(run_count(), before);
}

static void test_no_instance(void **state) {
  (void)state;
  json_t *response = harness_response_on(LAUNCH, "{\"p\": {" SELECTOR("greet") "}}", false, NULL);
  assert_string_equal(at_str(response, "data.launchRun.__typename"), "PythonError");
  assert_true(strlen(at_str(response, "data.launchRun.message")) > 0);
  json_decref(response);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_python_client_submit),
      cmocka_unit_test(test_python_client_without_tags),
      cmocka_unit_test(test_python_client_invalid_config),
      cmocka_unit_test(test_docs_launch_run),
      cmocka_unit_test(test_invalid_config_matches_is_pipeline_config_valid),
      cmocka_unit_test(test_missing_config),
      cmocka_unit_test(test_run_config_shapes),
      cmocka_unit_test(test_job_not_found),
      cmocka_unit_test(test_job_name_fields),
      cmocka_unit_test(test_solid_selection),
      cmocka_unit_test(test_preset),
      cmocka_unit_test(test_preset_errors),
      cmocka_unit_test(test_tags),
      cmocka_unit_test(test_parent_and_root),
      cmocka_unit_test(test_step_keys),
      cmocka_unit_test(test_read_only),
      cmocka_unit_test(test_no_instance),
  };
  return cmocka_run_group_tests(tests, launch_setup, launch_teardown);
}
