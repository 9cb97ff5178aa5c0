/* test_terminate.c — Mutation.terminateRun / terminatePipelineExecution,
 * terminateRuns, deleteRun / deletePipelineRun (src/api/terminate.c): each
 * policy against runs in every status (runs put straight into the store,
 * their status set by the event Dagster writes), unknown runs, a batch
 * with mixed results in order, deleting, a read-only server, no instance,
 * and the documents Dagster's Python client sends. */
/* nftw (XSI), for removing the temporary home. */
#define _XOPEN_SOURCE 700
#include "fixtures/launch/launch.h"

/* Dagster's TERMINATE_RUN_JOB_MUTATION (dagster_graphql/client/
 * client_queries.py), verbatim. */
static const char *const TERMINATE_RUN_JOB_MUTATION = "\n"
                                                      "mutation TerminateRun($runId: String!) {\n"
                                                      "  terminateRun(runId: $runId){\n"
                                                      "    __typename\n"
                                                      "    ... on TerminateRunSuccess{\n"
                                                      "      run {\n"
                                                      "        runId\n"
                                                      "      }\n"
                                                      "    }\n"
                                                      "    ... on TerminateRunFailure {\n"
                                                      "      message\n"
                                                      "    }\n"
                                                      "    ... on RunNotFoundError {\n"
                                                      "      runId\n"
                                                      "    }\n"
                                                      "    ... on PythonError {\n"
                                                      "      message\n"
                                                      "      stack\n"
                                                      "    }\n"
                                                      "  }\n"
                                                      "}\n";

/* The client's TERMINATE_RUNS_JOB_MUTATION (client.py's terminate_runs),
 * verbatim. */
static const char *const TERMINATE_RUNS_JOB_MUTATION =
    "\n"
    "mutation GraphQLClientTerminateRuns($runIds: [String!]! $terminatePolicy: "
    "TerminateRunPolicy) {\n"
    "  terminateRuns(runIds: $runIds, terminatePolicy: $terminatePolicy) {\n"
    "    __typename\n"
    "    ... on TerminateRunsResult {\n"
    "      terminateRunResults {\n"
    "        __typename\n"
    "        ... on TerminateRunSuccess {\n"
    "          run  {\n"
    "            runId\n"
    "          }\n"
    "        }\n"
    "        ... on TerminateRunFailure {\n"
    "          message\n"
    "        }\n"
    "        ... on RunNotFoundError {\n"
    "          runId\n"
    "          message\n"
    "        }\n"
    "        ... on UnauthorizedError {\n"
    "          message\n"
    "        }\n"
    "        ... on PythonError {\n"
    "          message\n"
    "          stack\n"
    "        }\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

/* terminateRun with a policy, showing the run's status in either outcome. */
static const char *const TERMINATE =
    "mutation($id: String!, $policy: TerminateRunPolicy) {"
    " terminateRun(runId: $id, terminatePolicy: $policy) { __typename"
    " ... on TerminatePipelineExecutionSuccess { run { runId status } }"
    " ... on TerminatePipelineExecutionFailure { run { runId status } message }"
    " ... on RunNotFoundError { runId message }"
    " ... on Error { message } } }";

static const char *const DELETE = "mutation($id: String!) { deleteRun(runId: $id) { __typename"
                                  " ... on DeletePipelineRunSuccess { runId }"
                                  " ... on RunNotFoundError { runId message }"
                                  " ... on Error { message } } }";

/* The statuses a run can be put in (MANAGED has no event). */
static const store_run_status statuses[] = {
    STORE_RUN_NOT_STARTED, STORE_RUN_QUEUED,  STORE_RUN_STARTING,  STORE_RUN_STARTED,
    STORE_RUN_SUCCESS,     STORE_RUN_FAILURE, STORE_RUN_CANCELING, STORE_RUN_CANCELED,
};

static bool finished(store_run_status s) {
  return s == STORE_RUN_SUCCESS || s == STORE_RUN_FAILURE || s == STORE_RUN_CANCELED;
}

/* Whether the policy may terminate a run in that status: Dagster's
 * CANCELABLE_RUN_STATUSES for SAFE_TERMINATE, any unfinished run for
 * MARK_AS_CANCELED_IMMEDIATELY. */
static bool terminable(store_run_status s, bool mark) {
  return mark ? !finished(s) : s == STORE_RUN_QUEUED || s == STORE_RUN_STARTED;
}

static store_run_status status_now(const char *id) {
  arena *a = arena_new(0);
  store_run_status s = stored_run(id, a)->status;
  arena_free(a);
  return s;
}

static json_t *terminate(const char *id, const char *policy, bool read_only) {
  char vars[256];
  if (policy)
    snprintf(vars, sizeof vars, "{\"id\": \"%s\", \"policy\": \"%s\"}", id, policy);
  else
    snprintf(vars, sizeof vars, "{\"id\": \"%s\"}", id);
  return harness_response_on(TERMINATE, vars, read_only, launch_inst);
}

static const char *cannot_terminate(char *out, size_t size, const char *id, store_run_status s) {
  snprintf(out, size, "Run %s could not be terminated due to having status %s.", id,
           store_run_status_name(s));
  return out;
}

/* Every status under one policy (NULL: the default, SAFE_TERMINATE). */
static void check_policy(const char *policy) {
  bool mark = policy && strcmp(policy, "MARK_AS_CANCELED_IMMEDIATELY") == 0;
  for (size_t i = 0; i < API_COUNT(statuses); i++) {
    store_run_status s = statuses[i];
    char id[37], message[256];
    add_run_in_status(s, id);
    json_t *response = terminate(id, policy, false);
    json_t *r = at(response, "data.terminateRun");
    assert_string_equal(at_str(r, "run.runId"), id);
    if (terminable(s, mark)) {
      assert_string_equal(at_str(r, "__typename"), "TerminateRunSuccess");
      /* No live worker holds these runs, so they are canceled at once, and
       * the answer shows the run as it is afterwards. */
      assert_string_equal(at_str(r, "run.status"), "CANCELED");
      assert_int_equal(status_now(id), STORE_RUN_CANCELED);
    } else {
      assert_string_equal(at_str(r, "__typename"), "TerminateRunFailure");
      assert_string_equal(at_str(r, "message"), cannot_terminate(message, sizeof message, id, s));
      assert_string_equal(at_str(r, "run.status"), store_run_status_name(s));
      assert_int_equal(status_now(id), s);
    }
    json_decref(response);
  }
}

static void test_safe_terminate_by_status(void **state) {
  (void)state;
  check_policy(NULL);
  check_policy("SAFE_TERMINATE");
}

static void test_mark_as_canceled_by_status(void **state) {
  (void)state;
  check_policy("MARK_AS_CANCELED_IMMEDIATELY");
}

static void test_python_client_terminate(void **state) {
  (void)state;
  char started[37], done[37], vars[128];
  add_run_in_status(STORE_RUN_STARTED, started);
  add_run_in_status(STORE_RUN_SUCCESS, done);

  snprintf(vars, sizeof vars, "{\"runId\": \"%s\"}", started);
  json_t *response = launch_query(TERMINATE_RUN_JOB_MUTATION, vars);
  assert_string_equal(at_str(response, "data.terminateRun.__typename"), "TerminateRunSuccess");
  assert_string_equal(at_str(response, "data.terminateRun.run.runId"), started);
  json_decref(response);

  char message[256];
  snprintf(vars, sizeof vars, "{\"runId\": \"%s\"}", done);
  response = launch_query(TERMINATE_RUN_JOB_MUTATION, vars);
  assert_string_equal(at_str(response, "data.terminateRun.__typename"), "TerminateRunFailure");
  assert_string_equal(at_str(response, "data.terminateRun.message"),
                      cannot_terminate(message, sizeof message, done, STORE_RUN_SUCCESS));
  json_decref(response);

  response = launch_query(TERMINATE_RUN_JOB_MUTATION, "{\"runId\": \"no-such-run\"}");
  assert_string_equal(at_str(response, "data.terminateRun.__typename"), "RunNotFoundError");
  assert_string_equal(at_str(response, "data.terminateRun.runId"), "no-such-run");
  json_decref(response);
}

static void test_legacy_alias(void **state) {
  (void)state;
  char id[37], vars[128];
  add_run_in_status(STORE_RUN_QUEUED, id);
  snprintf(vars, sizeof vars, "{\"id\": \"%s\"}", id);
  json_t *response =
      launch_query("mutation($id: String!) { terminatePipelineExecution(runId: $id) { __typename"
                   " ... on TerminatePipelineExecutionSuccess { run { runId status } } } }",
                   vars);
  assert_string_equal(at_str(response, "data.terminatePipelineExecution.__typename"),
                      "TerminateRunSuccess");
  assert_string_equal(at_str(response, "data.terminatePipelineExecution.run.status"), "CANCELED");
  json_decref(response);
}

static void test_unknown_run(void **state) {
  (void)state;
  char id[37];
  store_new_run_id(id);
  json_t *response = terminate(id, NULL, false);
  json_t *r = at(response, "data.terminateRun");
  assert_string_equal(at_str(r, "__typename"), "RunNotFoundError");
  assert_string_equal(at_str(r, "runId"), id);
  char message[128];
  snprintf(message, sizeof message, "Pipeline run %s could not be found.", id);
  assert_string_equal(at_str(r, "message"), message);
  json_decref(response);
}

static void test_terminate_runs(void **state) {
  (void)state;
  char started[37], done[37], queued[37], missing[37], message[256];
  add_run_in_status(STORE_RUN_STARTED, started);
  add_run_in_status(STORE_RUN_SUCCESS, done);
  add_run_in_status(STORE_RUN_QUEUED, queued);
  store_new_run_id(missing);
  char vars[512];
  snprintf(vars, sizeof vars, "{\"runIds\": [\"%s\", \"%s\", \"%s\", \"%s\"]}", started, missing,
           done, queued);
  json_t *response = launch_query(TERMINATE_RUNS_JOB_MUTATION, vars);
  json_t *r = at(response, "data.terminateRuns");
  assert_string_equal(at_str(r, "__typename"), "TerminateRunsResult");
  assert_int_equal(json_array_size(at(r, "terminateRunResults")), 4);
  assert_string_equal(at_str(r, "terminateRunResults.0.__typename"), "TerminateRunSuccess");
  assert_string_equal(at_str(r, "terminateRunResults.0.run.runId"), started);
  assert_string_equal(at_str(r, "terminateRunResults.1.__typename"), "RunNotFoundError");
  assert_string_equal(at_str(r, "terminateRunResults.1.runId"), missing);
  assert_string_equal(at_str(r, "terminateRunResults.2.__typename"), "TerminateRunFailure");
  assert_string_equal(at_str(r, "terminateRunResults.2.message"),
                      cannot_terminate(message, sizeof message, done, STORE_RUN_SUCCESS));
  assert_string_equal(at_str(r, "terminateRunResults.3.__typename"), "TerminateRunSuccess");
  assert_int_equal(status_now(started), STORE_RUN_CANCELED);
  assert_int_equal(status_now(queued), STORE_RUN_CANCELED);
  assert_int_equal(status_now(done), STORE_RUN_SUCCESS);
  json_decref(response);

  /* The policy applies to each: STARTING only gives way to the forced one. */
  char starting[37];
  add_run_in_status(STORE_RUN_STARTING, starting);
  snprintf(vars, sizeof vars, "{\"runIds\": [\"%s\"]}", starting);
  response = launch_query(TERMINATE_RUNS_JOB_MUTATION, vars);
  assert_string_equal(at_str(response, "data.terminateRuns.terminateRunResults.0.__typename"),
                      "TerminateRunFailure");
  json_decref(response);
  snprintf(vars, sizeof vars,
           "{\"runIds\": [\"%s\"], \"terminatePolicy\": \"MARK_AS_CANCELED_IMMEDIATELY\"}",
           starting);
  response = launch_query(TERMINATE_RUNS_JOB_MUTATION, vars);
  assert_string_equal(at_str(response, "data.terminateRuns.terminateRunResults.0.__typename"),
                      "TerminateRunSuccess");
  assert_int_equal(status_now(starting), STORE_RUN_CANCELED);
  json_decref(response);

  /* No ids, no results. */
  response = launch_query(TERMINATE_RUNS_JOB_MUTATION, "{\"runIds\": []}");
  assert_int_equal(json_array_size(at(response, "data.terminateRuns.terminateRunResults")), 0);
  json_decref(response);
}

static void test_delete(void **state) {
  (void)state;
  char id[37], vars[128];
  add_run_in_status(STORE_RUN_SUCCESS, id);
  snprintf(vars, sizeof vars, "{\"id\": \"%s\"}", id);
  json_t *response = launch_query(DELETE, vars);
  assert_string_equal(at_str(response, "data.deleteRun.__typename"), "DeletePipelineRunSuccess");
  assert_string_equal(at_str(response, "data.deleteRun.runId"), id);
  json_decref(response);
  arena *a = arena_new(0);
  store_error err = {{0}};
  assert_null(store_run_get(launch_inst->store, id, a, &err));
  assert_string_equal(err.message, "");
  arena_free(a);

  /* Gone now. */
  response = launch_query(DELETE, vars);
  assert_string_equal(at_str(response, "data.deleteRun.__typename"), "RunNotFoundError");
  assert_string_equal(at_str(response, "data.deleteRun.runId"), id);
  json_decref(response);

  /* The legacy name, on a run that is still going. */
  add_run_in_status(STORE_RUN_STARTED, id);
  snprintf(vars, sizeof vars, "{\"id\": \"%s\"}", id);
  response = launch_query("mutation($id: String!) { deletePipelineRun(runId: $id) { __typename"
                          " ... on DeletePipelineRunSuccess { runId } } }",
                          vars);
  assert_string_equal(at_str(response, "data.deletePipelineRun.__typename"),
                      "DeletePipelineRunSuccess");
  json_decref(response);
  a = arena_new(0);
  assert_null(store_run_get(launch_inst->store, id, a, &err));
  arena_free(a);
}

static void test_read_only(void **state) {
  (void)state;
  char id[37], missing[37], vars[256];
  add_run_in_status(STORE_RUN_STARTED, id);
  store_new_run_id(missing);

  /* An existing run: a failure naming the permission; an unknown one:
   * UnauthorizedError (Dagster checks the permission per run). */
  json_t *response = terminate(id, "MARK_AS_CANCELED_IMMEDIATELY", true);
  assert_string_equal(at_str(response, "data.terminateRun.__typename"), "TerminateRunFailure");
  assert_string_equal(at_str(response, "data.terminateRun.message"),
                      "You do not have permission to terminate this run");
  json_decref(response);
  response = terminate(missing, NULL, true);
  assert_string_equal(at_str(response, "data.terminateRun.__typename"), "UnauthorizedError");
  assert_string_equal(at_str(response, "data.terminateRun.message"), "Authorization failed");
  json_decref(response);

  snprintf(vars, sizeof vars, "{\"runIds\": [\"%s\", \"%s\"]}", id, missing);
  response = harness_response_on(TERMINATE_RUNS_JOB_MUTATION, vars, true, launch_inst);
  assert_string_equal(at_str(response, "data.terminateRuns.terminateRunResults.0.__typename"),
                      "TerminateRunFailure");
  assert_string_equal(at_str(response, "data.terminateRuns.terminateRunResults.1.__typename"),
                      "UnauthorizedError");
  json_decref(response);

  snprintf(vars, sizeof vars, "{\"id\": \"%s\"}", id);
  response = harness_response_on(DELETE, vars, true, launch_inst);
  assert_string_equal(at_str(response, "data.deleteRun.__typename"), "UnauthorizedError");
  json_decref(response);
  snprintf(vars, sizeof vars, "{\"id\": \"%s\"}", missing);
  response = harness_response_on(DELETE, vars, true, launch_inst);
  assert_string_equal(at_str(response, "data.deleteRun.__typename"), "UnauthorizedError");
  json_decref(response);

  assert_int_equal(status_now(id), STORE_RUN_STARTED);
}

static void test_no_instance(void **state) {
  (void)state;
  const char *const queries[][2] = {
      {TERMINATE, "data.terminateRun"},
      {DELETE, "data.deleteRun"},
      {"mutation($id: String!) { terminateRuns(runIds: [$id]) { __typename"
       " ... on PythonError { message } } }",
       "data.terminateRuns"},
  };
  for (size_t i = 0; i < API_COUNT(queries); i++) {
    json_t *response = harness_response_on(queries[i][0], "{\"id\": \"x\"}", false, NULL);
    json_t *r = at(response, queries[i][1]);
    assert_string_equal(at_str(r, "__typename"), "PythonError");
    assert_true(strlen(at_str(r, "message")) > 0);
    json_decref(response);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_safe_terminate_by_status),
      cmocka_unit_test(test_mark_as_canceled_by_status),
      cmocka_unit_test(test_python_client_terminate),
      cmocka_unit_test(test_legacy_alias),
      cmocka_unit_test(test_unknown_run),
      cmocka_unit_test(test_terminate_runs),
      cmocka_unit_test(test_delete),
      cmocka_unit_test(test_read_only),
      cmocka_unit_test(test_no_instance),
  };
  return cmocka_run_group_tests(tests, launch_setup, launch_teardown);
}
