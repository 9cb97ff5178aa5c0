/* test_runs.c — unit tests for src/api/runs.c through the served schema,
 * over the workspace of tests/unit/api/fixtures/runs/ (location runs_loc,
 * repository runs_repo, job etl: extract → transform → load) and a fresh
 * instance per test (a mkdtemp folder, removed afterwards) whose runs,
 * events and snapshots are written through the store directly.
 *
 * Covers runsOrError / pipelineRunsOrError / runIdsOrError with every
 * RunsFilter field, cursor paging and count, the invalid filter; runOrError
 * and its not-found error; run groups; tag keys and values (prefix, limit,
 * hidden tags); every Run field, with the job as its stored snapshot (a
 * subset, a job the workspace no longer has, UnknownPipeline without one);
 * stats and step stats of a realistic event log with a retry; the stored
 * snapshots pipelineSnapshotOrError finds; permissions when read-only; and
 * the PythonError of a failing store and of a server with no instance. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <unistd.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <sqlite3.h>

#include "defs/selection.h"
#include "defs/snapshot.h"
#include "harness.h"
#include "run/instance.h"
#include "storage/storage.h"

#define RUNS_WORKSPACE "tests/unit/api/fixtures/runs/workspace.yaml"
#define RETIRED_DEFS "tests/unit/api/fixtures/runs/retired.yaml"
#define N_LISTED 25

static char home[64];
static run_instance *inst;
static char etl_snapshot[DEFS_SNAPSHOT_ID_LEN + 1];

/* ---- helpers ---------------------------------------------------------- */

static const defs_definitions *defs(void) {
  return api_workspace_defs(workspace)->locations[0].defs;
}

static const defs_job *etl(void) { return defs_find_job(defs(), "etl"); }

/* The id of test run i. */
static const char *rid(int i) {
  static char ids[100][37];
  assert_true(i >= 0 && i < 100);
  snprintf(ids[i], sizeof ids[i], "00000000-0000-4000-8000-%012d", i);
  return ids[i];
}

/* The response to q on a server with instance `with` (heap text). */
static char *query_with(const char *q, bool read_only, run_instance *with) {
  return harness_query_on(q, NULL, read_only, with, NULL);
}

/* Asserts the response to q is {"data": data}. */
static void expect_as(const char *q, bool read_only, run_instance *with, const char *data) {
  char *got = query_with(q, read_only, with);
  char *want = fmt("{\"data\":%s}", data);
  bool same = strcmp(got, want) == 0;
  if (!same)
    fprintf(stderr, "query: %s\nwant: %s\ngot:  %s\n", q, want, got);
  free(want);
  free(got);
  assert_true(same);
}

static void expect(const char *q, const char *data) { expect_as(q, false, inst, data); }

/* SHA-1 hex of text (heap). */
static char *sha1(const char *text) {
  unsigned char digest[20];
  gnutls_hash_fast(GNUTLS_DIG_SHA1, text, strlen(text), digest);
  char hex[41];
  for (int i = 0; i < 20; i++)
    snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return strdup(hex);
}

/* A run of job etl made from its snapshot, SUCCESS, created at 1000 + i
 * and updated at 2000 + i. */
static store_run base_run(int i) {
  store_run r = {0};
  memcpy(r.run_id, rid(i), 37);
  r.job_name = "etl";
  r.repository_name = "runs_repo";
  r.location_name = "runs_loc";
  r.status = STORE_RUN_SUCCESS;
  r.mode = "default";
  r.run_config = "{}";
  r.snapshot_id = etl_snapshot;
  r.create_time = 1000 + i;
  r.update_time = 2000 + i;
  return r;
}

static void add(const store_run *r) {
  store_error err = {{0}};
  if (store_run_add(inst->store, r, &err) != 0)
    fail_msg("store_run_add: %s", err.message);
}

static void event(int run, double ts, const char *type, const char *step, const char *body) {
  store_event ev = {.timestamp = ts,
                    .event_type = type,
                    .level = 10,
                    .step_key = step,
                    .message = "",
                    .body = body};
  memcpy(ev.run_id, rid(run), 37);
  store_error err = {{0}};
  if (store_event_append(inst->store, &ev, &err) < 0)
    fail_msg("store_event_append: %s", err.message);
}

/* Stores the snapshot of a job of d under its id (written into id). */
static void put_snapshot(const defs_definitions *d, const defs_job *job, char *id) {
  buf text;
  buf_init(&text, NULL);
  defs_job_snapshot(d, job, &text);
  defs_job_snapshot_id(d, job, id);
  store_error err = {{0}};
  if (store_snapshot_put(inst->store, id, text.data, text.len, &err) != 0)
    fail_msg("store_snapshot_put: %s", err.message);
  buf_free(&text);
}

/* ---- fixtures ----------------------------------------------------------- */

static int group_setup(void **state) {
  (void)state;
  if (harness_open(RUNS_WORKSPACE) != 0)
    return -1;
  defs_job_snapshot_id(defs(), etl(), etl_snapshot);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  harness_close();
  return 0;
}

static int instance_setup(void **state) {
  (void)state;
  snprintf(home, sizeof home, "/tmp/dagd-test-runs-XXXXXX");
  if (!mkdtemp(home))
    return -1;
  buf err;
  buf_init(&err, NULL);
  inst = run_instance_open(home, &err);
  if (!inst)
    fprintf(stderr, "run_instance_open: %s\n", buf_cstr(&err));
  buf_free(&err);
  if (!inst)
    return -1;
  put_snapshot(defs(), etl(), etl_snapshot);
  return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(path);
}

static int instance_teardown(void **state) {
  (void)state;
  run_instance_close(inst);
  inst = NULL;
  return nftw(home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the listed runs: 25 runs varying every filtered field ------------- */

static const store_run_status cycle[] = {STORE_RUN_SUCCESS, STORE_RUN_FAILURE, STORE_RUN_STARTED,
                                         STORE_RUN_QUEUED, STORE_RUN_CANCELED};

static const char *job_of(int i) { return i % 3 == 0 ? "other" : "etl"; }
static store_run_status status_of(int i) { return cycle[i % 5]; }
static const char *team_of(int i) { return i % 2 ? "a" : "b"; }
static bool prod(int i) { return i % 4 == 0; }
static const char *mode_of(int i) { return i == 7 ? "other_mode" : "default"; }

static void add_listed_runs(void) {
  for (int i = 1; i <= N_LISTED; i++) {
    store_run r = base_run(i);
    r.job_name = job_of(i);
    r.status = status_of(i);
    r.mode = mode_of(i);
    r.snapshot_id = i % 3 == 0 ? "0000000000000000000000000000000000000000" : etl_snapshot;
    store_tag tags[] = {{"env", "prod"}, {"team", team_of(i)}};
    r.tags = prod(i) ? tags : tags + 1;
    r.n_tags = prod(i) ? 2 : 1;
    add(&r);
  }
}

/* The runs of 1..N_LISTED matching pred, newest first, as
 * {"runsOrError":{"results":[{"runId":…}…],"count":n}} (heap). */
static char *expected_runs(const char *field, bool (*pred)(int)) {
  buf b;
  buf_init(&b, NULL);
  buf_printf(&b, "{\"%s\":{\"results\":[", field);
  int n = 0;
  for (int i = N_LISTED; i >= 1; i--) {
    if (!pred(i))
      continue;
    buf_printf(&b, "%s{\"runId\":\"%s\"}", n++ ? "," : "", rid(i));
  }
  buf_printf(&b, "],\"count\":%d}}", n);
  char *s = strdup(buf_cstr(&b));
  buf_free(&b);
  return s;
}

/* The same ids as runIdsOrError answers them (heap). */
static char *expected_ids(bool (*pred)(int)) {
  buf b;
  buf_init(&b, NULL);
  buf_puts(&b, "{\"runIdsOrError\":{\"results\":[");
  int n = 0;
  for (int i = N_LISTED; i >= 1; i--)
    if (pred(i))
      buf_printf(&b, "%s\"%s\"", n++ ? "," : "", rid(i));
  buf_puts(&b, "]}}");
  char *s = strdup(buf_cstr(&b));
  buf_free(&b);
  return s;
}

/* Asserts runsOrError, pipelineRunsOrError and runIdsOrError with the
 * filter (GraphQL input text) answer the runs pred selects. */
static void check_filter(const char *filter, bool (*pred)(int)) {
  static const char *const fields[] = {"runsOrError", "pipelineRunsOrError"};
  for (size_t k = 0; k < API_COUNT(fields); k++) {
    char *q =
        fmt("{ %s(filter: %s) { ... on Runs { results { runId } count } } }", fields[k], filter);
    char *want = expected_runs(fields[k], pred);
    expect(q, want);
    free(q);
    free(want);
  }
  char *q = fmt("{ runIdsOrError(filter: %s) { ... on RunIds { results } } }", filter);
  char *want = expected_ids(pred);
  expect(q, want);
  free(q);
  free(want);
}

static bool all_runs(int i) { return i >= 1; }
static bool ids_3_5(int i) { return i == 3 || i == 5; }
static bool job_other(int i) { return strcmp(job_of(i), "other") == 0; }
static bool team_b_prod(int i) { return strcmp(team_of(i), "b") == 0 && prod(i); }
static bool team_b(int i) { return strcmp(team_of(i), "b") == 0; }
static bool job_etl(int i) { return strcmp(job_of(i), "etl") == 0; }
static bool failed_or_queued(int i) {
  return status_of(i) == STORE_RUN_FAILURE || status_of(i) == STORE_RUN_QUEUED;
}
static bool etl_succeeded(int i) {
  return strcmp(job_of(i), "etl") == 0 && status_of(i) == STORE_RUN_SUCCESS;
}
static bool created_11_to_14(int i) { return i > 10 && i < 15; }
static bool updated_after_20(int i) { return i > 20; }
static bool updated_before_3(int i) { return i < 3; }
static bool other_mode(int i) { return strcmp(mode_of(i), "other_mode") == 0; }
static bool no_run(int i) { return i < 0; }

static void test_filters(void **state) {
  (void)state;
  add_listed_runs();
  check_filter("{}", all_runs);
  check_filter("{runIds: []}", all_runs);
  char *ids = fmt("{runIds: [\"%s\", \"%s\", \"unknown\"]}", rid(3), rid(5));
  check_filter(ids, ids_3_5);
  free(ids);
  check_filter("{pipelineName: \"other\"}", job_other);
  check_filter("{pipelineName: \"nope\"}", no_run);
  check_filter("{tags: [{key: \"team\", value: \"b\"}, {key: \"env\", value: \"prod\"}]}",
               team_b_prod);
  /* A key given twice keeps its last value (Dagster builds a dict). */
  check_filter("{tags: [{key: \"team\", value: \"a\"}, {key: \"team\", value: \"b\"}]}", team_b);
  check_filter("{statuses: [FAILURE, QUEUED]}", failed_or_queued);
  check_filter("{pipelineName: \"etl\", statuses: [SUCCESS]}", etl_succeeded);
  char *snap = fmt("{snapshotId: \"%s\"}", etl_snapshot);
  check_filter(snap, job_etl);
  free(snap);
  /* Both time bounds are exclusive; 0 is no bound (Dagster: falsy). */
  check_filter("{createdAfter: 1010, createdBefore: 1015.0}", created_11_to_14);
  check_filter("{updatedAfter: 2020.5}", updated_after_20);
  check_filter("{updatedBefore: 2003, createdAfter: 0}", updated_before_3);
  check_filter("{mode: \"other_mode\"}", other_mode);
  check_filter("{statuses: []}", all_runs);
}

/* ---- paging --------------------------------------------------------------- */

/* {"<field>":{"results":[runs top..bottom],"count":count}} (heap). */
static char *page_json(const char *field, int top, int bottom, int count) {
  buf b;
  buf_init(&b, NULL);
  buf_printf(&b, "{\"%s\":{\"results\":[", field);
  for (int i = top; i >= bottom; i--)
    buf_printf(&b, "%s{\"runId\":\"%s\"}", i == top ? "" : ",", rid(i));
  buf_printf(&b, "],\"count\":%d}}", count);
  char *s = strdup(buf_cstr(&b));
  buf_free(&b);
  return s;
}

static void expect_page(const char *args, int top, int bottom) {
  char *q = fmt("{ runsOrError%s%s%s { ... on Runs { results { runId } count } } }",
                *args ? "(" : "", args, *args ? ")" : "");
  char *want = page_json("runsOrError", top, bottom, N_LISTED);
  expect(q, want);
  free(q);
  free(want);
}

static void test_paging(void **state) {
  (void)state;
  add_listed_runs();
  /* Pages of 10, each after the last run of the one before (exclusive);
   * the count ignores cursor and limit. */
  expect_page("limit: 10", 25, 16);
  char *args = fmt("cursor: \"%s\", limit: 10", rid(16));
  expect_page(args, 15, 6);
  free(args);
  args = fmt("cursor: \"%s\", limit: 10", rid(6));
  expect_page(args, 5, 1);
  free(args);
  args = fmt("cursor: \"%s\", limit: 10", rid(1));
  expect_page(args, 0, 1);
  free(args);
  /* An unknown cursor selects nothing (as Dagster's subquery); "" is none. */
  expect_page("cursor: \"nope\"", 0, 1);
  expect_page("cursor: \"\", limit: 2", 25, 24);
  /* No limit, or Dagster's falsy 0: every run. */
  expect_page("limit: 0", 25, 1);
  expect_page("", 25, 1);
  char *q =
      fmt("{ runIdsOrError(cursor: \"%s\", limit: 3) { ... on RunIds { results } } }", rid(16));
  char *want =
      fmt("{\"runIdsOrError\":{\"results\":[\"%s\",\"%s\",\"%s\"]}}", rid(15), rid(14), rid(13));
  expect(q, want);
  free(q);
  free(want);
  /* Filtered paging: etl runs after run 20, two at a time. */
  q = fmt("{ runsOrError(filter: {pipelineName: \"etl\"}, cursor: \"%s\", limit: 2) { ... on "
          "Runs { results { runId } count } } }",
          rid(20));
  want = fmt("{\"runsOrError\":{\"results\":[{\"runId\":\"%s\"},{\"runId\":\"%s\"}],\"count\":17}}",
             rid(19), rid(17));
  expect(q, want);
  free(q);
  free(want);
}

static void test_invalid_filter(void **state) {
  (void)state;
  add_listed_runs();
  static const char *const fields[] = {"runsOrError", "pipelineRunsOrError", "runIdsOrError"};
  for (size_t i = 0; i < API_COUNT(fields); i++) {
    char *q = fmt("{ %s(filter: {runIds: [\"%s\", null]}) { __typename ... on "
                  "InvalidPipelineRunsFilterError { message } } }",
                  fields[i], rid(1));
    char *want = fmt("{\"%s\":{\"__typename\":\"InvalidPipelineRunsFilterError\",\"message\":"
                     "\"Invalid runs filter: runIds[1] is null; each item must be a run id.\"}}",
                     fields[i]);
    expect(q, want);
    free(q);
    free(want);
  }
}

/* ---- single runs and groups ------------------------------------------------ */

static void test_run_or_error(void **state) {
  (void)state;
  store_run r = base_run(1);
  add(&r);
  static const char *const fields[] = {"runOrError", "pipelineRunOrError"};
  for (size_t i = 0; i < API_COUNT(fields); i++) {
    char *q = fmt("{ %s(runId: \"%s\") { __typename ... on Run { runId } } }", fields[i], rid(1));
    char *want = fmt("{\"%s\":{\"__typename\":\"Run\",\"runId\":\"%s\"}}", fields[i], rid(1));
    expect(q, want);
    free(q);
    free(want);
    q = fmt("{ %s(runId: \"%s\") { __typename ... on RunNotFoundError { runId message } } }",
            fields[i], rid(2));
    want = fmt("{\"%s\":{\"__typename\":\"RunNotFoundError\",\"runId\":\"%s\",\"message\":"
               "\"Pipeline run %s could not be found.\"}}",
               fields[i], rid(2), rid(2));
    expect(q, want);
    free(q);
    free(want);
  }
}

static void add_child(int i, int parent, int root) {
  store_run r = base_run(i);
  r.parent_run_id = rid(parent);
  r.root_run_id = rid(root);
  add(&r);
}

#define GROUP_Q                                                                                    \
  "{ runGroupOrError(runId: \"%s\") { __typename ... on RunGroup { rootRunId runs { runId "        \
  "parentRunId rootRunId } } ... on RunGroupNotFoundError { runId message } } }"

static void test_run_groups(void **state) {
  (void)state;
  store_run root = base_run(1), unrelated = base_run(4);
  add(&root);
  add_child(2, 1, 1);
  add_child(3, 2, 1);
  add(&unrelated);
  add_child(5, 9, 9); /* its root run does not exist */
  char *want = fmt("{\"runGroupOrError\":{\"__typename\":\"RunGroup\",\"rootRunId\":\"%s\","
                   "\"runs\":[{\"runId\":\"%s\",\"parentRunId\":null,\"rootRunId\":null},"
                   "{\"runId\":\"%s\",\"parentRunId\":\"%s\",\"rootRunId\":\"%s\"},"
                   "{\"runId\":\"%s\",\"parentRunId\":\"%s\",\"rootRunId\":\"%s\"}]}}",
                   rid(1), rid(1), rid(2), rid(1), rid(1), rid(3), rid(2), rid(1));
  /* The same group from any of its runs: root first, then oldest first. */
  for (int i = 1; i <= 3; i++) {
    char *q = fmt(GROUP_Q, rid(i));
    expect(q, want);
    free(q);
  }
  free(want);
  char *q = fmt(GROUP_Q, rid(4));
  want = fmt("{\"runGroupOrError\":{\"__typename\":\"RunGroup\",\"rootRunId\":\"%s\",\"runs\":"
             "[{\"runId\":\"%s\",\"parentRunId\":null,\"rootRunId\":null}]}}",
             rid(4), rid(4));
  expect(q, want);
  free(q);
  free(want);
  /* An unknown run, and a run whose root is gone. */
  const char *missing[] = {"nope", rid(5)};
  for (size_t i = 0; i < API_COUNT(missing); i++) {
    q = fmt(GROUP_Q, missing[i]);
    want = fmt("{\"runGroupOrError\":{\"__typename\":\"RunGroupNotFoundError\",\"runId\":\"%s\","
               "\"message\":\"Run group of run %s could not be found.\"}}",
               missing[i], missing[i]);
    expect(q, want);
    free(q);
    free(want);
  }
}

/* ---- tags -------------------------------------------------------------------- */

static void add_tagged(int i, const store_tag *tags, size_t n) {
  store_run r = base_run(i);
  r.tags = tags;
  r.n_tags = n;
  add(&r);
}

static void test_tags(void **state) {
  (void)state;
  static const store_tag t1[] = {
      {".dagster/repository", "runs_repo@runs_loc"}, {"dagster/priority", "5"}, {"team", "data"}};
  static const store_tag t2[] = {{"env", "prod"}, {"team", "ml"}};
  static const store_tag t3[] = {{"team", "data"}};
  add_tagged(1, t1, 3);
  add_tagged(2, t2, 2);
  add_tagged(3, t3, 1);
  /* Hidden keys (.dagster/) are never shown. */
  expect("{ runTagKeysOrError { __typename ... on RunTagKeys { keys } } }",
         "{\"runTagKeysOrError\":{\"__typename\":\"RunTagKeys\",\"keys\":[\"dagster/priority\","
         "\"env\",\"team\"]}}");
  struct {
    const char *args, *tags;
  } cases[] = {
      {"", "{\"key\":\"dagster/priority\",\"values\":[\"5\"]},{\"key\":\"env\",\"values\":"
           "[\"prod\"]},{\"key\":\"team\",\"values\":[\"data\",\"ml\"]}"},
      {"(tagKeys: [\"team\"])", "{\"key\":\"team\",\"values\":[\"data\",\"ml\"]}"},
      {"(tagKeys: [\"team\", \"env\"], valuePrefix: \"m\")",
       "{\"key\":\"team\",\"values\":[\"ml\"]}"},
      {"(valuePrefix: \"d\")", "{\"key\":\"team\",\"values\":[\"data\"]}"},
      {"(tagKeys: [\"nope\"])", ""},
      /* The limit counts pairs in key order before hidden ones are left out. */
      {"(limit: 2)", "{\"key\":\"dagster/priority\",\"values\":[\"5\"]}"},
      {"(limit: 3)", "{\"key\":\"dagster/priority\",\"values\":[\"5\"]},{\"key\":\"env\","
                     "\"values\":[\"prod\"]}"},
      {"(limit: 0, tagKeys: [])", "{\"key\":\"dagster/priority\",\"values\":[\"5\"]},{\"key\":"
                                  "\"env\",\"values\":[\"prod\"]},{\"key\":\"team\",\"values\":"
                                  "[\"data\",\"ml\"]}"},
  };
  for (size_t i = 0; i < API_COUNT(cases); i++) {
    char *q = fmt("{ runTagsOrError%s { __typename ... on RunTags { tags { key values } } } }",
                  cases[i].args);
    char *want =
        fmt("{\"runTagsOrError\":{\"__typename\":\"RunTags\",\"tags\":[%s]}}", cases[i].tags);
    expect(q, want);
    free(q);
    free(want);
  }
}

/* ---- the Run object ---------------------------------------------------------- */

#define FIELDS_Q                                                                                   \
  "{ runOrError(runId: \"%s\") { __typename ... on Run { id runId pipelineSnapshotId "             \
  "repositoryOrigin { id repositoryName repositoryLocationName } status pipelineName jobName "     \
  "solidSelection resolvedOpSelection stepKeysToExecute mode tags { key value } rootRunId "        \
  "parentRunId canTerminate creationTime startTime endTime updateTime hasReExecutePermission "     \
  "hasTerminatePermission hasDeletePermission runConfigYaml runConfig capturedLogs(fileKey: "      \
  "\"extract\") { __typename } eventConnection { __typename } assetMaterializations { "            \
  "__typename } } } }"

static void test_run_fields(void **state) {
  (void)state;
  static const store_tag tags[] = {
      {".dagster/repository", "runs_repo@runs_loc"}, {"dagster/priority", "3"}, {"team", "data"}};
  store_run r = base_run(1);
  r.status = STORE_RUN_NOT_STARTED;
  r.tags = tags;
  r.n_tags = 3;
  r.run_config = "{\"ops\":{\"extract\":{\"config\":{\"rows\":5}}},\"execution\":{\"config\":"
                 "{\"in_process\":{}}},\"loggers\":{\"console\":{\"config\":{\"log_level\":"
                 "\"DEBUG\"}}}}";
  add(&r);
  event(1, 1500, "RUN_STARTING", NULL, NULL);
  event(1, 1501.25, "RUN_START", NULL, NULL);
  char *origin = sha1("runs_loc:runs_repo");
  char *q = fmt(FIELDS_Q, rid(1));
  char *want = fmt(
      "{\"runOrError\":{\"__typename\":\"Run\",\"id\":\"%s\",\"runId\":\"%s\","
      "\"pipelineSnapshotId\":\"%s\",\"repositoryOrigin\":{\"id\":\"%s\",\"repositoryName\":"
      "\"runs_repo\",\"repositoryLocationName\":\"runs_loc\"},\"status\":\"STARTED\","
      "\"pipelineName\":\"etl\",\"jobName\":\"etl\",\"solidSelection\":null,"
      "\"resolvedOpSelection\":null,\"stepKeysToExecute\":null,\"mode\":\"default\",\"tags\":"
      "[{\"key\":\"dagster/priority\",\"value\":\"3\"},{\"key\":\"team\",\"value\":\"data\"}],"
      "\"rootRunId\":null,\"parentRunId\":null,\"canTerminate\":true,\"creationTime\":1001.0,"
      "\"startTime\":1501.25,\"endTime\":null,\"updateTime\":1501.25,"
      "\"hasReExecutePermission\":true,\"hasTerminatePermission\":true,"
      "\"hasDeletePermission\":true,\"runConfigYaml\":\"execution:\\n  config:\\n    "
      "in_process: {}\\nloggers:\\n  console:\\n    config:\\n      log_level: DEBUG\\nops:\\n  "
      "extract:\\n    config:\\n      rows: 5\\n\",\"runConfig\":{\"ops\":{\"extract\":"
      "{\"config\":{\"rows\":5}}},\"execution\":{\"config\":{\"in_process\":{}}},\"loggers\":"
      "{\"console\":{\"config\":{\"log_level\":\"DEBUG\"}}}},\"capturedLogs\":{\"__typename\":"
      "\"CapturedLogs\"},\"eventConnection\":{\"__typename\":\"EventConnection\"},"
      "\"assetMaterializations\":[]}}",
      rid(1), rid(1), etl_snapshot, origin);
  expect(q, want);
  free(q);
  free(want);
  free(origin);
  /* Finished: no longer terminable, with an end time. */
  event(1, 1600.5, "RUN_SUCCESS", NULL, NULL);
  q = fmt("{ runOrError(runId: \"%s\") { ... on Run { status canTerminate startTime endTime "
          "updateTime } } }",
          rid(1));
  expect(q, "{\"runOrError\":{\"status\":\"SUCCESS\",\"canTerminate\":false,\"startTime\":"
            "1501.25,\"endTime\":1600.5,\"updateTime\":1600.5}}");
  free(q);
}

/* A run that failed while starting has no start time: Dagster shows its
 * end time instead; a queued run is terminable and has no times. */
static void test_run_times(void **state) {
  (void)state;
  store_run failed = base_run(1), queued = base_run(2);
  failed.status = STORE_RUN_NOT_STARTED;
  queued.status = STORE_RUN_NOT_STARTED;
  add(&failed);
  add(&queued);
  event(1, 1500, "RUN_STARTING", NULL, NULL);
  event(1, 1502, "RUN_FAILURE", NULL, NULL);
  event(2, 1503, "RUN_ENQUEUED", NULL, NULL);
  char *q = fmt("{ a: runOrError(runId: \"%s\") { ... on Run { status startTime endTime "
                "canTerminate } } b: runOrError(runId: \"%s\") { ... on Run { status startTime "
                "endTime canTerminate } } }",
                rid(1), rid(2));
  expect(q, "{\"a\":{\"status\":\"FAILURE\",\"startTime\":1502.0,\"endTime\":1502.0,"
            "\"canTerminate\":false},\"b\":{\"status\":\"QUEUED\",\"startTime\":null,"
            "\"endTime\":null,\"canTerminate\":true}}");
  free(q);
}

#define PIPELINE_Q                                                                                 \
  "{ runOrError(runId: \"%s\") { ... on Run { solidSelection resolvedOpSelection "                 \
  "stepKeysToExecute repositoryOrigin { repositoryName } pipeline { __typename name "              \
  "solidSelection ... on PipelineSnapshot { id pipelineSnapshotId description solids { name } } }" \
  " executionPlan { steps { key } artifactsPersisted } } } }"

/* Asserts PIPELINE_Q of test run i answers {"data": want}, want_fmt with
 * the run's snapshot id in place of both of its %s (pipeline id and
 * pipelineSnapshotId). */
static void expect_run_pipeline(int i, const char *want_fmt, const char *snapshot_id) {
  char *q = fmt(PIPELINE_Q, rid(i));
  char *want = fmt(want_fmt, snapshot_id, snapshot_id);
  expect(q, want);
  free(q);
  free(want);
}

static void test_run_pipeline(void **state) {
  (void)state;
  /* The whole job. */
  store_run whole = base_run(1);
  add(&whole);
  expect_run_pipeline(1,
                      "{\"runOrError\":{\"solidSelection\":null,\"resolvedOpSelection\":null,"
                      "\"stepKeysToExecute\":null,\"repositoryOrigin\":{\"repositoryName\":"
                      "\"runs_repo\"},\"pipeline\":{\"__typename\":\"PipelineSnapshot\",\"name\":"
                      "\"etl\",\"solidSelection\":null,\"id\":\"%s\",\"pipelineSnapshotId\":\"%s\","
                      "\"description\":\"Extracts, transforms, loads.\",\"solids\":[{\"name\":"
                      "\"extract\"},{\"name\":\"load\"},{\"name\":\"transform\"}]},"
                      "\"executionPlan\":{\"steps\":[{\"key\":\"extract\"},{\"key\":\"transform\"},"
                      "{\"key\":\"load\"}],\"artifactsPersisted\":true}}}",
                      etl_snapshot);

  /* A subset, executing one of its steps: its snapshot shows the subset. */
  const char *queries[] = {"extract+"};
  arena *a = arena_new(0);
  buf err;
  buf_init(&err, a);
  const defs_job *subset = defs_job_subset(etl(), queries, 1, a, &err);
  assert_non_null(subset);
  char subset_id[DEFS_SNAPSHOT_ID_LEN + 1];
  put_snapshot(defs(), subset, subset_id);
  arena_free(a);
  assert_string_not_equal(subset_id, etl_snapshot);
  store_run part = base_run(2);
  part.snapshot_id = subset_id;
  part.op_selection = "[\"extract+\"]";
  part.resolved_op_selection = "[\"extract\",\"transform\"]";
  part.step_keys_to_execute = "[\"transform\"]";
  add(&part);
  expect_run_pipeline(
      2,
      "{\"runOrError\":{\"solidSelection\":[\"extract+\"],\"resolvedOpSelection\":"
      "[\"extract\",\"transform\"],\"stepKeysToExecute\":[\"transform\"],"
      "\"repositoryOrigin\":{\"repositoryName\":\"runs_repo\"},\"pipeline\":"
      "{\"__typename\":\"PipelineSnapshot\",\"name\":\"etl\",\"solidSelection\":"
      "[\"extract+\"],\"id\":\"%s\",\"pipelineSnapshotId\":\"%s\",\"description\":"
      "\"Extracts, transforms, loads.\",\"solids\":[{\"name\":\"extract\"},{\"name\":"
      "\"transform\"}]},\"executionPlan\":{\"steps\":[{\"key\":\"transform\"}],"
      "\"artifactsPersisted\":true}}}",
      subset_id);

  /* A job no location serves any more: still shown from its snapshot;
   * its repository's origin is gone. */
  buf lerr;
  buf_init(&lerr, NULL);
  defs_definitions *retired = defs_load_file(RETIRED_DEFS, &lerr);
  if (!retired)
    fail_msg("%s", buf_cstr(&lerr));
  buf_free(&lerr);
  char retired_id[DEFS_SNAPSHOT_ID_LEN + 1];
  put_snapshot(retired, defs_find_job(retired, "retired"), retired_id);
  defs_definitions_release(retired);
  store_run old = base_run(3);
  old.job_name = "retired";
  old.repository_name = "old_repo";
  old.location_name = "gone_loc";
  old.snapshot_id = retired_id;
  add(&old);
  expect_run_pipeline(
      3,
      "{\"runOrError\":{\"solidSelection\":null,\"resolvedOpSelection\":null,"
      "\"stepKeysToExecute\":null,\"repositoryOrigin\":null,\"pipeline\":{\"__typename\":"
      "\"PipelineSnapshot\",\"name\":\"retired\",\"solidSelection\":null,\"id\":\"%s\","
      "\"pipelineSnapshotId\":\"%s\",\"description\":\"Gone from the workspace.\","
      "\"solids\":[{\"name\":\"legacy\"}]},\"executionPlan\":{\"steps\":[{\"key\":"
      "\"legacy\"}],\"artifactsPersisted\":true}}}",
      retired_id);

  /* No snapshot stored, or none recorded: UnknownPipeline, no plan. */
  store_run lost = base_run(4), none = base_run(5);
  lost.snapshot_id = "ffffffffffffffffffffffffffffffffffffffff";
  lost.op_selection = "[\"extract\"]";
  lost.resolved_op_selection = "[\"extract\"]";
  none.snapshot_id = NULL;
  add(&lost);
  add(&none);
  char *q = fmt("{ a: runOrError(runId: \"%s\") { ... on Run { pipelineSnapshotId pipeline { "
                "__typename name solidSelection } executionPlan { artifactsPersisted } } } b: "
                "runOrError(runId: \"%s\") { ... on Run { pipelineSnapshotId pipeline { __typename "
                "name solidSelection } executionPlan { artifactsPersisted } } } }",
                rid(4), rid(5));
  expect(q, "{\"a\":{\"pipelineSnapshotId\":\"ffffffffffffffffffffffffffffffffffffffff\","
            "\"pipeline\":{\"__typename\":\"UnknownPipeline\",\"name\":\"etl\",\"solidSelection\":"
            "[\"extract\"]},\"executionPlan\":null},\"b\":{\"pipelineSnapshotId\":null,"
            "\"pipeline\":{\"__typename\":\"UnknownPipeline\",\"name\":\"etl\","
            "\"solidSelection\":null},\"executionPlan\":null}}");
  free(q);

  /* pipelineSnapshotOrError finds the stored snapshots the workspace lacks. */
  const char *stored[][2] = {{subset_id, "etl"}, {retired_id, "retired"}};
  for (size_t i = 0; i < API_COUNT(stored); i++) {
    q = fmt("{ pipelineSnapshotOrError(snapshotId: \"%s\") { __typename ... on PipelineSnapshot "
            "{ id name } } }",
            stored[i][0]);
    char *want =
        fmt("{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineSnapshot\",\"id\":\"%s\","
            "\"name\":\"%s\"}}",
            stored[i][0], stored[i][1]);
    expect(q, want);
    free(q);
    free(want);
  }
  expect("{ pipelineSnapshotOrError(snapshotId: \"ffffffffffffffffffffffffffffffffffffffff\") "
         "{ __typename } }",
         "{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineSnapshotNotFoundError\"}}");
}

/* ---- stats -------------------------------------------------------------------- */

#define MARKER_START(name) "{\"metadataEntries\":[],\"markerStart\":\"" name "\"}"
#define MARKER_END(name) "{\"metadataEntries\":[],\"markerEnd\":\"" name "\"}"
#define ERROR_BODY                                                                                 \
  "{\"error\":{\"message\":\"boom\",\"className\":\"dagd.OpProcessError\",\"stack\":[],"           \
  "\"cause\":null},\"errorSource\":\"USER_CODE_ERROR\"}"

/* A run as Dagster logs one: queued, started, extract succeeds with a
 * materialization, transform succeeds on its second attempt, load fails. */
static void log_failed_run(int i) {
  store_run r = base_run(i);
  r.status = STORE_RUN_NOT_STARTED;
  add(&r);
  event(i, 100, "RUN_ENQUEUED", NULL, NULL);
  event(i, 101, "RUN_DEQUEUED", NULL, NULL);
  event(i, 102, "RUN_STARTING", NULL, NULL);
  event(i, 103, "ENGINE_EVENT", NULL, NULL);
  event(i, 104, "RUN_START", NULL, NULL);
  event(i, 105, "STEP_WORKER_STARTING", "extract", MARKER_START("step_process_start"));
  event(i, 106, "STEP_WORKER_STARTED", "extract", MARKER_END("step_process_start"));
  event(i, 107, "LOGS_CAPTURED", "extract",
        "{\"fileKey\":\"extract\",\"stepKeys\":[\"extract\"],\"logKey\":[],\"pid\":7}");
  event(i, 108, "STEP_START", "extract", NULL);
  event(i, 109, "STEP_OUTPUT", "extract", NULL);
  event(i, 110, "ASSET_MATERIALIZATION", "extract",
        "{\"assetKey\":{\"path\":[\"rows\"]},\"metadataEntries\":[]}");
  event(i, 111, "STEP_SUCCESS", "extract", NULL);
  event(i, 112, "STEP_START", "transform", NULL);
  event(i, 113, "STEP_UP_FOR_RETRY", "transform",
        "{\"error\":{\"message\":\"flaky\",\"className\":\"dagd.OpProcessError\",\"stack\":[],"
        "\"cause\":null},\"secondsToWait\":1}");
  event(i, 115, "STEP_RESTARTED", "transform", NULL);
  event(i, 116, "STEP_SUCCESS", "transform", NULL);
  event(i, 117, "STEP_START", "load", NULL);
  event(i, 117.25, "ENGINE_EVENT", "load", MARKER_START("resources"));
  event(i, 117.5, NULL, "load", NULL); /* a plain log message counts for nothing */
  event(i, 118, "STEP_FAILURE", "load", ERROR_BODY);
  event(i, 119, "ENGINE_EVENT", NULL, NULL);
  event(i, 120, "RUN_FAILURE", NULL, NULL);
}

#define STATS_Q                                                                                    \
  "{ runOrError(runId: \"%s\") { ... on Run { status stats { __typename ... on RunStatsSnapshot "  \
  "{ id runId stepsSucceeded stepsFailed materializations expectations enqueuedTime launchTime "   \
  "startTime endTime } } stepStats { runId stepKey status startTime endTime materializations { "   \
  "__typename } attempts { startTime endTime } markers { startTime endTime } } "                   \
  "assetMaterializations { __typename } } } }"

static void test_stats(void **state) {
  (void)state;
  log_failed_run(1);
  const char *id = rid(1);
  char *q = fmt(STATS_Q, id);
  char *want = fmt(
      "{\"runOrError\":{\"status\":\"FAILURE\",\"stats\":{\"__typename\":\"RunStatsSnapshot\","
      "\"id\":\"stats-%s\",\"runId\":\"%s\",\"stepsSucceeded\":2,\"stepsFailed\":1,"
      "\"materializations\":1,\"expectations\":0,\"enqueuedTime\":100.0,\"launchTime\":102.0,"
      "\"startTime\":104.0,\"endTime\":120.0},\"stepStats\":["
      "{\"runId\":\"%s\",\"stepKey\":\"extract\",\"status\":\"SUCCESS\",\"startTime\":108.0,"
      "\"endTime\":111.0,\"materializations\":[{\"__typename\":\"MaterializationEvent\"}],"
      "\"attempts\":[{\"startTime\":108.0,\"endTime\":111.0}],\"markers\":[{\"startTime\":105.0,"
      "\"endTime\":106.0}]},"
      "{\"runId\":\"%s\",\"stepKey\":\"transform\",\"status\":\"SUCCESS\",\"startTime\":112.0,"
      "\"endTime\":116.0,\"materializations\":[],\"attempts\":[{\"startTime\":112.0,\"endTime\":"
      "113.0},{\"startTime\":115.0,\"endTime\":116.0}],\"markers\":[]},"
      "{\"runId\":\"%s\",\"stepKey\":\"load\",\"status\":\"FAILURE\",\"startTime\":117.0,"
      "\"endTime\":118.0,\"materializations\":[],\"attempts\":[{\"startTime\":117.0,\"endTime\":"
      "118.0}],\"markers\":[{\"startTime\":117.25,\"endTime\":null}]}],"
      "\"assetMaterializations\":[{\"__typename\":\"MaterializationEvent\"}]}}",
      id, id, id, id, id);
  expect(q, want);
  free(q);
  free(want);

  /* A step still running, in a run that was never queued. */
  store_run r = base_run(2);
  r.status = STORE_RUN_NOT_STARTED;
  add(&r);
  event(2, 198, "RUN_STARTING", NULL, NULL);
  event(2, 199, "RUN_START", NULL, NULL);
  event(2, 200, "STEP_START", "extract", NULL);
  id = rid(2);
  q = fmt(STATS_Q, id);
  want = fmt("{\"runOrError\":{\"status\":\"STARTED\",\"stats\":{\"__typename\":"
             "\"RunStatsSnapshot\",\"id\":\"stats-%s\",\"runId\":\"%s\",\"stepsSucceeded\":0,"
             "\"stepsFailed\":0,\"materializations\":0,\"expectations\":0,\"enqueuedTime\":null,"
             "\"launchTime\":198.0,\"startTime\":199.0,\"endTime\":null},\"stepStats\":[{\"runId\":"
             "\"%s\",\"stepKey\":\"extract\",\"status\":\"IN_PROGRESS\",\"startTime\":200.0,"
             "\"endTime\":null,\"materializations\":[],\"attempts\":[],\"markers\":[]}],"
             "\"assetMaterializations\":[]}}",
             id, id, id);
  expect(q, want);
  free(q);
  free(want);

  /* A run with no events at all. */
  store_run fresh = base_run(3);
  add(&fresh);
  q = fmt("{ runOrError(runId: \"%s\") { ... on Run { stats { ... on RunStatsSnapshot { "
          "stepsSucceeded startTime endTime } } stepStats { stepKey } } } }",
          rid(3));
  expect(q, "{\"runOrError\":{\"stats\":{\"stepsSucceeded\":0,\"startTime\":null,\"endTime\":"
            "null},\"stepStats\":[]}}");
  free(q);
}

/* The stats of a page of runs: each run's own, read once per run. */
static void test_stats_in_list(void **state) {
  (void)state;
  log_failed_run(1);
  store_run r = base_run(2);
  add(&r);
  event(2, 300, "STEP_START", "extract", NULL);
  event(2, 301, "STEP_SUCCESS", "extract", NULL);
  expect("{ runsOrError(limit: 5) { ... on Runs { results { stats { ... on RunStatsSnapshot { "
         "stepsSucceeded stepsFailed } } stepStats { stepKey status } } } } }",
         "{\"runsOrError\":{\"results\":[{\"stats\":{\"stepsSucceeded\":1,\"stepsFailed\":0},"
         "\"stepStats\":[{\"stepKey\":\"extract\",\"status\":\"SUCCESS\"}]},{\"stats\":"
         "{\"stepsSucceeded\":2,\"stepsFailed\":1},\"stepStats\":[{\"stepKey\":\"extract\","
         "\"status\":\"SUCCESS\"},{\"stepKey\":\"transform\",\"status\":\"SUCCESS\"},"
         "{\"stepKey\":\"load\",\"status\":\"FAILURE\"}]}]}}");
}

/* ---- permissions and the missing instance -------------------------------------- */

static void test_read_only(void **state) {
  (void)state;
  store_run r = base_run(1);
  r.status = STORE_RUN_QUEUED;
  add(&r);
  char *q = fmt("{ runOrError(runId: \"%s\") { ... on Run { canTerminate hasReExecutePermission "
                "hasTerminatePermission hasDeletePermission } } }",
                rid(1));
  expect_as(q, true, inst,
            "{\"runOrError\":{\"canTerminate\":true,\"hasReExecutePermission\":false,"
            "\"hasTerminatePermission\":false,\"hasDeletePermission\":false}}");
  free(q);
}

static void test_no_instance(void **state) {
  (void)state;
  static const char *const fields[] = {
      "runsOrError",
      "pipelineRunsOrError",
      "runIdsOrError",
      "runOrError(runId: \"x\")",
      "pipelineRunOrError(runId: \"x\")",
      "runGroupOrError(runId: \"x\")",
      "runTagKeysOrError",
      "runTagsOrError",
  };
  for (size_t i = 0; i < API_COUNT(fields); i++) {
    char *q = fmt("{ r: %s { __typename ... on PythonError { message } } }", fields[i]);
    expect_as(q, false, NULL,
              "{\"r\":{\"__typename\":\"PythonError\",\"message\":\"This dagd server has no "
              "instance: runs are neither stored nor read (serve with an instance, e.g. `dagd "
              "dev`).\"}}");
    free(q);
  }
  /* Snapshot ids are then looked for in the workspace only. */
  expect_as("{ pipelineSnapshotOrError(snapshotId: \"x\") { __typename } }", false, NULL,
            "{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineSnapshotNotFoundError\"}}");
}

/* A store that fails (its runs table gone behind its back): the runs
 * queries answer PythonError with the storage's message; a list read
 * lazily fails its field. */
static void test_storage_failure(void **state) {
  (void)state;
  store_run r = base_run(1);
  add(&r);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(inst->database, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "ALTER TABLE runs RENAME TO runs_gone", NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  char *run = fmt("runOrError(runId: \"%s\")", rid(1));
  char *group = fmt("runGroupOrError(runId: \"%s\")", rid(1));
  const char *fields[] = {"runsOrError(limit: 10)", "pipelineRunsOrError(limit: 1)",
                          "runIdsOrError", run, group};
  for (size_t i = 0; i < API_COUNT(fields); i++) {
    char *q = fmt("{ r: %s { __typename ... on PythonError { message } } }", fields[i]);
    char *text = query_with(q, false, inst);
    json_t *got = json_loads(text, 0, NULL);
    assert_non_null(got);
    assert_string_equal(json_string_value(at(got, "data.r.__typename")), "PythonError");
    assert_non_null(strstr(json_string_value(at(got, "data.r.message")), "runs"));
    json_decref(got);
    free(text);
    free(q);
  }
  free(run);
  free(group);
  char *text = query_with("{ runsOrError { ... on Runs { results { runId } } } }", false, inst);
  json_t *got = json_loads(text, 0, NULL);
  assert_non_null(got);
  assert_true(json_is_null(at(got, "data")));
  assert_non_null(strstr(json_string_value(at(got, "errors.0.message")), "runs"));
  json_decref(got);
  free(text);
}

#define INSTANCE_TEST(f) cmocka_unit_test_setup_teardown(f, instance_setup, instance_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      INSTANCE_TEST(test_filters),         INSTANCE_TEST(test_paging),
      INSTANCE_TEST(test_invalid_filter),  INSTANCE_TEST(test_run_or_error),
      INSTANCE_TEST(test_run_groups),      INSTANCE_TEST(test_tags),
      INSTANCE_TEST(test_run_fields),      INSTANCE_TEST(test_run_times),
      INSTANCE_TEST(test_run_pipeline),    INSTANCE_TEST(test_stats),
      INSTANCE_TEST(test_stats_in_list),   INSTANCE_TEST(test_read_only),
      INSTANCE_TEST(test_storage_failure), cmocka_unit_test(test_no_instance),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
