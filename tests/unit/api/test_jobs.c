/* test_jobs.c — unit tests for src/api/jobs.c through the served schema,
 * over the fixture workspace of tests/unit/api/fixtures/jobs/: a job with
 * aliases, a fan-in into a graph node, graphs nested two levels, resources
 * and presets. Covers pipelineOrError (the job's fields, ids, tags, modes
 * with resources and loggers, presets, Dagster types), every error member
 * of the selectors (unknown location, repository or job, a location that
 * failed to load, an op selection that selects nothing, asset selections),
 * subsets, pipelineSnapshotOrError by id and by selector, and graphOrError
 * for a job's graph, a defined graph and an unknown name. */
#include "fixtures/jobs/harness.h"

#define ETL "pipelineName: \"etl\", repositoryName: \"shop\", repositoryLocationName: \"shop_loc\""

static void test_pipeline_fields(void **state) {
  (void)state;
  char *id = origin_id("etl");
  char *want =
      fmt("{\"pipelineOrError\":{\"__typename\":\"Pipeline\",\"id\":\"%s\",\"name\":\"etl\","
          "\"description\":\"Extracts twice, summarizes, reports.\",\"isJob\":true,"
          "\"isAssetJob\":false,\"graphName\":\"etl\",\"tags\":[{\"key\":\"team\","
          "\"value\":\"data\"},{\"key\":\"area\",\"value\":\"shop\"}],"
          "\"pipelineSnapshotId\":\"%s\",\"parentSnapshotId\":null,"
          "\"repository\":{\"name\":\"shop\"},\"solids\":[{\"name\":\"large\"},"
          "{\"name\":\"report\"},{\"name\":\"small\"},{\"name\":\"summary\"}]}}",
          id, snapshot_id("etl"));
  expect_data("{ pipelineOrError(params: {" ETL "}) { __typename ... on Pipeline { id name "
              "description isJob isAssetJob graphName tags { key value } pipelineSnapshotId "
              "parentSnapshotId repository { name } solids { name } } } }",
              want);
  free(want);
  free(id);
  /* The ids are stable and distinct per job. */
  char *other = origin_id("simple");
  assert_int_equal(strlen(other), 40);
  assert_string_not_equal(snapshot_id("etl"), snapshot_id("simple"));
  free(other);
}

/* Repository.jobs answers the same container as a "Job". */
static void test_job_type(void **state) {
  (void)state;
  char *etl = origin_id("etl"), *simple = origin_id("simple");
  char *want = fmt("{\"repositoryOrError\":{\"jobs\":[{\"__typename\":\"Job\",\"id\":\"%s\","
                   "\"name\":\"etl\",\"pipelineSnapshotId\":\"%s\",\"isJob\":true,"
                   "\"presets\":[{\"name\":\"all\"},{\"name\":\"small_run\"}],\"solidHandle\":{"
                   "\"handleID\":\"summary.twice\"}},{\"__typename\":\"Job\",\"id\":\"%s\","
                   "\"name\":\"simple\",\"pipelineSnapshotId\":\"%s\",\"isJob\":true,"
                   "\"presets\":[],\"solidHandle\":null}]}}",
                   etl, snapshot_id("etl"), simple, snapshot_id("simple"));
  expect_data("{ repositoryOrError(repositorySelector: {repositoryName: \"shop\", "
              "repositoryLocationName: \"shop_loc\"}) { ... on Repository { jobs { __typename "
              "id name pipelineSnapshotId isJob presets { name } solidHandle(handleID: "
              "\"summary.twice\") { handleID } } } } }",
              want);
  free(want);
  free(etl);
  free(simple);
}

static void test_modes(void **state) {
  (void)state;
  char *want =
      fmt("{\"pipelineOrError\":{\"modes\":[{\"id\":\"%s-default\",\"name\":\"default\","
          "\"description\":null,\"resources\":[{\"name\":\"io_manager\",\"description\":\"Built-in "
          "filesystem IO manager that stores and retrieves values using pickling.\","
          "\"configField\":{\"name\":\"config\",\"configTypeKey\":\"Any\",\"isRequired\":false}},"
          "{\"name\":\"unused\",\"description\":null,\"configField\":{\"name\":\"config\","
          "\"configTypeKey\":\"Any\",\"isRequired\":false}},{\"name\":\"warehouse\","
          "\"description\":\"Where rows go.\",\"configField\":{\"name\":\"config\","
          "\"configTypeKey\":\"Shape.d8322b363e6101bfd10584ef9e5597874dc1f485\","
          "\"isRequired\":false}}],\"loggers\":[{\"name\":\"console\",\"description\":\"The "
          "default colored console logger.\",\"configField\":{\"name\":\"config\"}}]}]}}",
          snapshot_id("etl"));
  expect_data("{ pipelineOrError(params: {" ETL "}) { ... on Pipeline { modes { id name "
              "description resources { name description configField { name configTypeKey "
              "isRequired } } loggers { name description configField { name } } } } } }",
              want);
  free(want);
  /* The resource's default, as Dagster's Field shows it. */
  expect_data(
      "{ pipelineOrError(params: {" ETL "}) { ... on Pipeline { modes { resources { "
      "configField { defaultValueAsJson } } } } } }",
      "{\"pipelineOrError\":{\"modes\":[{\"resources\":[{\"configField\":{"
      "\"defaultValueAsJson\":null}},{\"configField\":{\"defaultValueAsJson\":null}},"
      "{\"configField\":{\"defaultValueAsJson\":\"{\\\"path\\\": \\\"/tmp/warehouse\\\"}\"}}"
      "]}]}}");
}

static void test_presets(void **state) {
  (void)state;
  /* Sorted by name; a preset without config dumps Dagster's "{}\n". */
  expect_data("{ pipelineOrError(params: {" ETL "}) { ... on Pipeline { presets { name "
              "solidSelection runConfigYaml mode tags { key value } } } } }",
              "{\"pipelineOrError\":{\"presets\":[{\"name\":\"all\",\"solidSelection\":null,"
              "\"runConfigYaml\":\"{}\\n\",\"mode\":\"default\",\"tags\":[]},"
              "{\"name\":\"small_run\",\"solidSelection\":[\"small+\"],\"runConfigYaml\":"
              "\"ops:\\n  small:\\n    config:\\n      count: 2\\n\",\"mode\":\"default\","
              "\"tags\":[{\"key\":\"size\",\"value\":\"small\"}]}]}}");
  expect_data("{ pipelineOrError(params: {pipelineName: \"simple\", repositoryName: \"shop\", "
              "repositoryLocationName: \"shop_loc\"}) { ... on Pipeline { presets { name } tags { "
              "key } description } } }",
              "{\"pipelineOrError\":{\"presets\":[],\"tags\":[],\"description\":null}}");
}

static void test_dagster_types(void **state) {
  (void)state;
  /* The job's named types: Dagster's built-ins, by name. */
  expect_data("{ pipelineOrError(params: {" ETL "}) { ... on Pipeline { dagsterTypes { "
              "__typename key name displayName isBuiltin isNothing isList isNullable "
              "description } } } }",
              "{\"pipelineOrError\":{\"dagsterTypes\":["
              "{\"__typename\":\"RegularDagsterType\",\"key\":\"Any\",\"name\":\"Any\","
              "\"displayName\":\"Any\",\"isBuiltin\":true,\"isNothing\":false,\"isList\":false,"
              "\"isNullable\":false,\"description\":null},"
              "{\"__typename\":\"RegularDagsterType\",\"key\":\"Bool\",\"name\":\"Bool\","
              "\"displayName\":\"Bool\",\"isBuiltin\":true,\"isNothing\":false,\"isList\":false,"
              "\"isNullable\":false,\"description\":null},"
              "{\"__typename\":\"RegularDagsterType\",\"key\":\"Float\",\"name\":\"Float\","
              "\"displayName\":\"Float\",\"isBuiltin\":true,\"isNothing\":false,\"isList\":false,"
              "\"isNullable\":false,\"description\":null},"
              "{\"__typename\":\"RegularDagsterType\",\"key\":\"Int\",\"name\":\"Int\","
              "\"displayName\":\"Int\",\"isBuiltin\":true,\"isNothing\":false,\"isList\":false,"
              "\"isNullable\":false,\"description\":null},"
              "{\"__typename\":\"RegularDagsterType\",\"key\":\"Nothing\",\"name\":\"Nothing\","
              "\"displayName\":\"Nothing\",\"isBuiltin\":true,\"isNothing\":true,\"isList\":false,"
              "\"isNullable\":false,\"description\":null},"
              "{\"__typename\":\"RegularDagsterType\",\"key\":\"String\",\"name\":\"String\","
              "\"displayName\":\"String\",\"isBuiltin\":true,\"isNothing\":false,\"isList\":false,"
              "\"isNullable\":false,\"description\":null}]}}");
  expect_data("{ pipelineOrError(params: {" ETL "}) { ... on Pipeline { "
              "a: dagsterTypeOrError(dagsterTypeName: \"Int\") { __typename ... on "
              "RegularDagsterType { key innerTypes { key } outputSchemaType { key } "
              "inputSchemaType { key } } } "
              "b: dagsterTypeOrError(dagsterTypeName: \"Nothing\") { ... on RegularDagsterType { "
              "inputSchemaType { key } } } "
              "c: dagsterTypeOrError(dagsterTypeName: \"Any\") { ... on RegularDagsterType { "
              "inputSchemaType { key } } } "
              "d: dagsterTypeOrError(dagsterTypeName: \"List.Int\") { __typename ... on "
              "DagsterTypeNotFoundError { message dagsterTypeName } } } } }",
              "{\"pipelineOrError\":{\"a\":{\"__typename\":\"RegularDagsterType\",\"key\":\"Int\","
              "\"innerTypes\":[],\"outputSchemaType\":null,\"inputSchemaType\":{\"key\":"
              "\"ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725\"}},"
              "\"b\":{\"inputSchemaType\":null},"
              "\"c\":{\"inputSchemaType\":{\"key\":"
              "\"Selector.f2fe6dfdc60a1947a8f8e7cd377a012b47065bc4\"}},"
              "\"d\":{\"__typename\":\"DagsterTypeNotFoundError\",\"message\":\"Dagster type "
              "List.Int not found.\",\"dagsterTypeName\":\"List.Int\"}}}");
}

static void test_not_found(void **state) {
  (void)state;
  const char *cases[][4] = {
      {"nope", "shop", "shop_loc", "shop_loc.shop.nope"},
      {"etl", "other", "shop_loc", "shop_loc.other.etl"},
      {"etl", "shop", "nowhere", "nowhere.shop.etl"},
      /* A location that failed to load has no jobs. */
      {"lost", "__repository__", "broken_loc", "broken_loc.__repository__.lost"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *q = fmt("{ pipelineOrError(params: {pipelineName: \"%s\", repositoryName: \"%s\", "
                  "repositoryLocationName: \"%s\"}) { __typename ... on PipelineNotFoundError { "
                  "message pipelineName repositoryName repositoryLocationName } } }",
                  cases[i][0], cases[i][1], cases[i][2]);
    char *want = fmt("{\"pipelineOrError\":{\"__typename\":\"PipelineNotFoundError\","
                     "\"message\":\"Could not find Pipeline %s\",\"pipelineName\":\"%s\","
                     "\"repositoryName\":\"%s\",\"repositoryLocationName\":\"%s\"}}",
                     cases[i][3], cases[i][0], cases[i][1], cases[i][2]);
    expect_data(q, want);
    free(q);
    free(want);
  }
}

static void test_subset(void **state) {
  (void)state;
  /* "small+": small and its child; an input fed by a node left out stays
   * fed only by what was selected. */
  char *want = fmt("{\"pipelineOrError\":{\"__typename\":\"Pipeline\",\"name\":\"etl\","
                   "\"parentSnapshotId\":\"%s\",\"solids\":[{\"name\":\"small\",\"inputs\":[]},"
                   "{\"name\":\"summary\",\"inputs\":[{\"dependsOn\":[{\"solid\":{\"name\":"
                   "\"small\"}}]}]}]}}",
                   snapshot_id("etl"));
  expect_data("{ pipelineOrError(params: {" ETL ", solidSelection: [\"small+\"]}) { __typename "
              "... on Pipeline { name parentSnapshotId solids { name inputs { dependsOn { solid "
              "{ name } } } } } } }",
              want);
  free(want);
  char *got = run("{ pipelineOrError(params: {" ETL ", solidSelection: [\"small+\"]}) { ... on "
                  "Pipeline { pipelineSnapshotId } } }");
  assert_non_null(strstr(got, "\"pipelineSnapshotId\":\""));
  assert_null(strstr(got, snapshot_id("etl")));
  free(got);
  /* An empty selection is the whole job, as in Dagster. */
  expect_data("{ pipelineOrError(params: {" ETL ", solidSelection: []}) { ... on Pipeline { "
              "parentSnapshotId solids { name } } } }",
              "{\"pipelineOrError\":{\"parentSnapshotId\":null,\"solids\":[{\"name\":\"large\"},"
              "{\"name\":\"report\"},{\"name\":\"small\"},{\"name\":\"summary\"}]}}");
}

static void test_invalid_subset(void **state) {
  (void)state;
  expect_data("{ pipelineOrError(params: {" ETL ", solidSelection: [\"nope\"]}) { __typename "
              "... on InvalidSubsetError { message pipeline { name solids { name } } } } }",
              "{\"pipelineOrError\":{\"__typename\":\"InvalidSubsetError\",\"message\":\"No "
              "qualified ops to execute found for op_selection=['nope']\",\"pipeline\":{\"name\":"
              "\"etl\",\"solids\":[{\"name\":\"large\"},{\"name\":\"report\"},{\"name\":"
              "\"small\"},{\"name\":\"summary\"}]}}}");
  const char *selections[] = {
      "assetSelection: [{path: [\"x\"]}]",
      "assetCheckSelection: [{assetKey: {path: [\"x\"]}, name: \"c\"}]",
  };
  for (size_t i = 0; i < 2; i++) {
    char *q = fmt("{ pipelineOrError(params: {" ETL ", %s}) { __typename ... on "
                  "InvalidSubsetError { message pipeline { name } } } }",
                  selections[i]);
    expect_data(q, "{\"pipelineOrError\":{\"__typename\":\"InvalidSubsetError\",\"message\":"
                   "\"Job etl has no assets or asset checks to select: dagd defines none\","
                   "\"pipeline\":{\"name\":\"etl\"}}}");
    free(q);
  }
  /* Empty asset selections select nothing extra: the job answers. */
  expect_data("{ pipelineOrError(params: {" ETL ", assetSelection: [], assetCheckSelection: []}) "
              "{ __typename } }",
              "{\"pipelineOrError\":{\"__typename\":\"Pipeline\"}}");
}

static void test_snapshot(void **state) {
  (void)state;
  char *q = fmt("{ pipelineSnapshotOrError(snapshotId: \"%s\") { __typename ... on "
                "PipelineSnapshot { id name pipelineSnapshotId solidSelection parentSnapshotId "
                "graphName tags { key } modes { name } solids { name } } } }",
                snapshot_id("simple"));
  char *want = fmt("{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineSnapshot\","
                   "\"id\":\"%s\",\"name\":\"simple\",\"pipelineSnapshotId\":\"%s\","
                   "\"solidSelection\":null,\"parentSnapshotId\":null,\"graphName\":\"simple\","
                   "\"tags\":[],\"modes\":[{\"name\":\"default\"}],\"solids\":[{\"name\":"
                   "\"extract\"}]}}",
                   snapshot_id("simple"), snapshot_id("simple"));
  expect_data(q, want);
  free(q);
  free(want);
  /* By selector: the full job's snapshot, selection or not (Dagster's
   * get_full_external_job_or_raise). */
  want = fmt("{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineSnapshot\",\"id\":\"%s\","
             "\"solidSelection\":null}}",
             snapshot_id("etl"));
  expect_data("{ pipelineSnapshotOrError(activePipelineSelector: {" ETL
              ", solidSelection: [\"small\"]}) { __typename ... on PipelineSnapshot { id "
              "solidSelection } } }",
              want);
  free(want);
  expect_data("{ pipelineSnapshotOrError(snapshotId: \"0123\") { __typename ... on "
              "PipelineSnapshotNotFoundError { message snapshotId } } }",
              "{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineSnapshotNotFoundError\","
              "\"message\":\"Pipeline snapshot 0123 is not present in the current instance.\","
              "\"snapshotId\":\"0123\"}}");
  expect_data("{ pipelineSnapshotOrError(activePipelineSelector: {pipelineName: \"x\", "
              "repositoryName: \"shop\", repositoryLocationName: \"shop_loc\"}) { __typename ... "
              "on PipelineNotFoundError { message } } }",
              "{\"pipelineSnapshotOrError\":{\"__typename\":\"PipelineNotFoundError\","
              "\"message\":\"Could not find Pipeline shop_loc.shop.x\"}}");
  expect_data("{ pipelineSnapshotOrError { __typename ... on PythonError { message } } }",
              "{\"pipelineSnapshotOrError\":{\"__typename\":\"PythonError\",\"message\":\"Must "
              "set one of snapshotId or activePipelineSelector\"}}");
}

static void test_graph_or_error(void **state) {
  (void)state;
  /* A job's name finds the job's graph. */
  char *id = origin_id("etl");
  char *want = fmt("{\"graphOrError\":{\"__typename\":\"Graph\",\"id\":\"graph:%s\",\"name\":"
                   "\"etl\",\"description\":\"Extracts twice, summarizes, reports.\",\"modes\":[],"
                   "\"solids\":[{\"name\":\"large\"},{\"name\":\"report\"},{\"name\":\"small\"},"
                   "{\"name\":\"summary\"}],\"solidHandles\":[{\"handleID\":\"summary.sum\"},"
                   "{\"handleID\":\"summary.twice\"}]}}",
                   id);
  expect_data("{ graphOrError(selector: {graphName: \"etl\", repositoryName: \"shop\", "
              "repositoryLocationName: \"shop_loc\"}) { __typename ... on Graph { id name "
              "description modes { name } solids { name } solidHandles(parentHandleID: "
              "\"summary\") { handleID } } } }",
              want);
  free(want);
  free(id);
  /* A defined graph's name finds the graph, with its own nodes. */
  id = origin_id("double_scale");
  want = fmt("{\"graphOrError\":{\"__typename\":\"Graph\",\"id\":\"graph:%s\",\"name\":"
             "\"double_scale\",\"description\":\"Scales twice.\",\"solids\":[{\"name\":"
             "\"first\"},{\"name\":\"second\"}],\"solidHandle\":{\"handleID\":\"second\"}}}",
             id);
  expect_data("{ graphOrError(selector: {graphName: \"double_scale\", repositoryName: \"shop\", "
              "repositoryLocationName: \"shop_loc\"}) { __typename ... on Graph { id name "
              "description solids { name } solidHandle(handleID: \"second\") { handleID } } } }",
              want);
  free(want);
  free(id);
  const char *missing[][3] = {
      {"zzz", "shop", "shop_loc"}, {"etl", "other", "shop_loc"}, {"etl", "shop", "nowhere"}};
  for (size_t i = 0; i < 3; i++) {
    char *q = fmt("{ graphOrError(selector: {graphName: \"%s\", repositoryName: \"%s\", "
                  "repositoryLocationName: \"%s\"}) { __typename ... on GraphNotFoundError { "
                  "message graphName repositoryName repositoryLocationName } } }",
                  missing[i][0], missing[i][1], missing[i][2]);
    want = fmt("{\"graphOrError\":{\"__typename\":\"GraphNotFoundError\",\"message\":\"Could "
               "not find Graph %s.%s.%s\",\"graphName\":\"%s\",\"repositoryName\":\"%s\","
               "\"repositoryLocationName\":\"%s\"}}",
               missing[i][2], missing[i][1], missing[i][0], missing[i][0], missing[i][1],
               missing[i][2]);
    expect_data(q, want);
    free(q);
    free(want);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pipeline_fields), cmocka_unit_test(test_job_type),
      cmocka_unit_test(test_modes),           cmocka_unit_test(test_presets),
      cmocka_unit_test(test_dagster_types),   cmocka_unit_test(test_not_found),
      cmocka_unit_test(test_subset),          cmocka_unit_test(test_invalid_subset),
      cmocka_unit_test(test_snapshot),        cmocka_unit_test(test_graph_or_error),
  };
  return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
