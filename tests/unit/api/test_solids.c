/* test_solids.c — unit tests for src/api/solids.c through the served
 * schema, over the fixture workspace of tests/unit/api/fixtures/jobs/ (job
 * etl: small and large are aliases of extract, fanning into the graph node
 * summary (graph summarize: sum, then twice, itself the graph double_scale
 * of first and second), whose total feeds report). Covers top-level
 * solids, solidHandles with and without a parent and solidHandle,
 * dependsOn/dependedBy at each level and across a graph node's boundary,
 * op definitions (metadata, config field, resources, input and output
 * definitions with their Dagster types) and graph definitions (id, inner
 * solids, mappings, modes, handles), also nested three levels under a graph
 * on its own (graph quarterly). */
#include "fixtures/jobs/harness.h"

#define ETL "pipelineName: \"etl\", repositoryName: \"shop\", repositoryLocationName: \"shop_loc\""
#define PIPELINE "pipelineOrError(params: {" ETL "}) { ... on Pipeline "

/* {pipelineOrError: inner}. */
static void expect_pipeline(const char *selection, const char *inner) {
  char *q = fmt("{ " PIPELINE "{ %s } } }", selection);
  char *want = fmt("{\"pipelineOrError\":%s}", inner);
  expect_data(q, want);
  free(q);
  free(want);
}

static void test_solids_sorted_by_name(void **state) {
  (void)state;
  expect_pipeline("solids { name isDynamicMapped definition { __typename name } }",
                  "{\"solids\":[{\"name\":\"large\",\"isDynamicMapped\":false,\"definition\":{"
                  "\"__typename\":\"SolidDefinition\",\"name\":\"extract\"}},{\"name\":\"report\","
                  "\"isDynamicMapped\":false,\"definition\":{\"__typename\":\"SolidDefinition\","
                  "\"name\":\"report\"}},{\"name\":\"small\",\"isDynamicMapped\":false,"
                  "\"definition\":{\"__typename\":\"SolidDefinition\",\"name\":\"extract\"}},"
                  "{\"name\":\"summary\",\"isDynamicMapped\":false,\"definition\":{\"__typename\":"
                  "\"CompositeSolidDefinition\",\"name\":\"summarize\"}}]}");
}

static void test_solid_handles(void **state) {
  (void)state;
  /* Every handle at any depth, sorted by id, each with its parent. */
  expect_pipeline("solidHandles { handleID parent { handleID } }",
                  "{\"solidHandles\":[{\"handleID\":\"large\",\"parent\":null},{\"handleID\":"
                  "\"report\",\"parent\":null},{\"handleID\":\"small\",\"parent\":null},"
                  "{\"handleID\":\"summary\",\"parent\":null},{\"handleID\":\"summary.sum\","
                  "\"parent\":{\"handleID\":\"summary\"}},{\"handleID\":\"summary.twice\","
                  "\"parent\":{\"handleID\":\"summary\"}},{\"handleID\":\"summary.twice.first\","
                  "\"parent\":{\"handleID\":\"summary.twice\"}},{\"handleID\":"
                  "\"summary.twice.second\",\"parent\":{\"handleID\":\"summary.twice\"}}]}");
  /* "" keeps the top level; an id the handles directly under it. */
  expect_pipeline("top: solidHandles(parentHandleID: \"\") { handleID } "
                  "inner: solidHandles(parentHandleID: \"summary.twice\") { handleID solid { "
                  "name definition { name } } } "
                  "leaf: solidHandles(parentHandleID: \"small\") { handleID } "
                  "unknown: solidHandles(parentHandleID: \"nope\") { handleID }",
                  "{\"top\":[{\"handleID\":\"large\"},{\"handleID\":\"report\"},{\"handleID\":"
                  "\"small\"},{\"handleID\":\"summary\"}],\"inner\":[{\"handleID\":"
                  "\"summary.twice.first\",\"solid\":{\"name\":\"first\",\"definition\":{\"name\":"
                  "\"scale\"}}},{\"handleID\":\"summary.twice.second\",\"solid\":{\"name\":"
                  "\"second\",\"definition\":{\"name\":\"scale\"}}}],\"leaf\":[],\"unknown\":[]}");
  expect_pipeline("h: solidHandle(handleID: \"summary.twice.second\") { handleID solid { name } "
                  "parent { handleID parent { handleID parent { handleID } } } } "
                  "none: solidHandle(handleID: \"summary.nope\") { handleID } "
                  "partial: solidHandle(handleID: \"twice\") { handleID }",
                  "{\"h\":{\"handleID\":\"summary.twice.second\",\"solid\":{\"name\":\"second\"},"
                  "\"parent\":{\"handleID\":\"summary.twice\",\"parent\":{\"handleID\":"
                  "\"summary\",\"parent\":null}}},\"none\":null,\"partial\":null}");
}

static void test_dependencies_top_level(void **state) {
  (void)state;
  /* The fan-in into the graph node keeps its written order; the graph
   * node's output feeds report; Nothing inputs unwired depend on nothing. */
  expect_pipeline(
      "solids { name inputs { isDynamicCollect definition { name } dependsOn { solid { name } "
      "definition { name } } } outputs { definition { name } dependedBy { solid { name } "
      "definition { name } } } }",
      "{\"solids\":[{\"name\":\"large\",\"inputs\":[],\"outputs\":[{\"definition\":{\"name\":"
      "\"numbers\"},\"dependedBy\":[{\"solid\":{\"name\":\"summary\"},\"definition\":{\"name\":"
      "\"batches\"}}]}]},{\"name\":\"report\",\"inputs\":[{\"isDynamicCollect\":false,"
      "\"definition\":{\"name\":\"value\"},\"dependsOn\":[{\"solid\":{\"name\":\"summary\"},"
      "\"definition\":{\"name\":\"total\"}}]},{\"isDynamicCollect\":false,\"definition\":{"
      "\"name\":\"after\"},\"dependsOn\":[]}],\"outputs\":[]},{\"name\":\"small\",\"inputs\":[],"
      "\"outputs\":[{\"definition\":{\"name\":\"numbers\"},\"dependedBy\":[{\"solid\":{\"name\":"
      "\"summary\"},\"definition\":{\"name\":\"batches\"}}]}]},{\"name\":\"summary\","
      "\"inputs\":[{\"isDynamicCollect\":false,\"definition\":{\"name\":\"batches\"},"
      "\"dependsOn\":[{\"solid\":{\"name\":\"small\"},\"definition\":{\"name\":\"numbers\"}},"
      "{\"solid\":{\"name\":\"large\"},\"definition\":{\"name\":\"numbers\"}}]}],\"outputs\":[{"
      "\"definition\":{\"name\":\"total\"},\"dependedBy\":[{\"solid\":{\"name\":\"report\"},"
      "\"definition\":{\"name\":\"value\"}}]}]}]}");
}

static void test_dependencies_inside_graphs(void **state) {
  (void)state;
  /* At a graph's own level only: sum's input comes through the graph's
   * input (no dependency here), twice's output leaves through the graph's
   * output (depended on by nothing here), second depends on first. */
  expect_pipeline(
      "sum: solidHandle(handleID: \"summary.sum\") { solid { inputs { dependsOn { solid { name "
      "} } } outputs { dependedBy { solid { name } definition { name } } } } } "
      "twice: solidHandle(handleID: \"summary.twice\") { solid { inputs { dependsOn { solid { "
      "name } definition { name } } } outputs { dependedBy { solid { name } } } } } "
      "second: solidHandle(handleID: \"summary.twice.second\") { solid { inputs { dependsOn { "
      "solid { name } definition { name } } } outputs { dependedBy { solid { name } } } } }",
      "{\"sum\":{\"solid\":{\"inputs\":[{\"dependsOn\":[]}],\"outputs\":[{\"dependedBy\":[{"
      "\"solid\":{\"name\":\"twice\"},\"definition\":{\"name\":\"value\"}}]}]}},\"twice\":{"
      "\"solid\":{\"inputs\":[{\"dependsOn\":[{\"solid\":{\"name\":\"sum\"},\"definition\":{"
      "\"name\":\"total\"}}]}],\"outputs\":[{\"dependedBy\":[]}]}},\"second\":{\"solid\":{"
      "\"inputs\":[{\"dependsOn\":[{\"solid\":{\"name\":\"first\"},\"definition\":{\"name\":"
      "\"scaled\"}}]}],\"outputs\":[{\"dependedBy\":[]}]}}}");
  /* Following a dependency keeps the handle context: the upstream solid of
   * second is first, whose output is depended on by second again. */
  expect_pipeline("solidHandle(handleID: \"summary.twice.second\") { solid { inputs { dependsOn "
                  "{ solid { outputs { dependedBy { solid { name } } } } } } } }",
                  "{\"solidHandle\":{\"solid\":{\"inputs\":[{\"dependsOn\":[{\"solid\":{"
                  "\"outputs\":[{\"dependedBy\":[{\"solid\":{\"name\":\"second\"}}]}]}}]}]}}}");
}

static void test_op_definition(void **state) {
  (void)state;
  expect_pipeline(
      "solidHandle(handleID: \"small\") { solid { definition { ... on SolidDefinition { name "
      "description metadata { key value } inputDefinitions { name } outputDefinitions { name "
      "description isDynamic type { __typename key name displayName isList isNullable "
      "isBuiltin innerTypes { key } ... on ListDagsterType { ofType { key } } inputSchemaType { "
      "key } } } configField { name configTypeKey isRequired defaultValueAsJson } "
      "requiredResources { resourceKey } } } } }",
      "{\"solidHandle\":{\"solid\":{\"definition\":{\"name\":\"extract\",\"description\":"
      "\"Makes numbers.\",\"metadata\":[{\"key\":\"kind\",\"value\":\"extract\"},{\"key\":"
      "\"owner\",\"value\":\"data\"}],\"inputDefinitions\":[],\"outputDefinitions\":[{\"name\":"
      "\"numbers\",\"description\":\"The numbers made.\",\"isDynamic\":false,\"type\":{"
      "\"__typename\":\"ListDagsterType\",\"key\":\"List.Int\",\"name\":null,\"displayName\":"
      "\"[Int]\",\"isList\":true,\"isNullable\":false,\"isBuiltin\":false,\"innerTypes\":[{"
      "\"key\":\"Int\"}],\"ofType\":{\"key\":\"Int\"},\"inputSchemaType\":{\"key\":"
      "\"Array.ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725\"}}}],"
      "\"configField\":{\"name\":\"config\",\"configTypeKey\":"
      "\"Shape.b913979f74b37a9d82cb23b6eaf8875d70bfcf45\",\"isRequired\":false,"
      "\"defaultValueAsJson\":\"{\\\"count\\\": 3}\"},\"requiredResources\":[]}}}}");
  /* Required resources sorted; an op without config has Dagster's default
   * config field (Any, optional); a config with a required field is
   * required. */
  expect_pipeline("sum: solidHandle(handleID: \"summary.sum\") { solid { definition { ... on "
                  "SolidDefinition { requiredResources { resourceKey } configField { "
                  "configTypeKey isRequired } metadata { key } } } } } "
                  "first: solidHandle(handleID: \"summary.twice.first\") { solid { definition { "
                  "... on SolidDefinition { configField { isRequired configType { key } } } } } }",
                  "{\"sum\":{\"solid\":{\"definition\":{\"requiredResources\":[{\"resourceKey\":"
                  "\"unused\"},{\"resourceKey\":\"warehouse\"}],\"configField\":{"
                  "\"configTypeKey\":\"Any\",\"isRequired\":false},\"metadata\":[]}}},\"first\":{"
                  "\"solid\":{\"definition\":{\"configField\":{\"isRequired\":true,\"configType\":"
                  "{\"key\":\"Shape.607cca6224255d7ef3ad4c59ad596e2b01282ec9\"}}}}}}");
  /* An optional input: Dagster's NullableDagsterType, and Nothing. */
  expect_pipeline(
      "solidHandle(handleID: \"report\") { solid { definition { inputDefinitions { name "
      "description type { __typename key name displayName isNullable isBuiltin isNothing "
      "innerTypes { key } inputSchemaType { key } ... on NullableDagsterType { ofType { "
      "displayName } } } } } } }",
      "{\"solidHandle\":{\"solid\":{\"definition\":{\"inputDefinitions\":[{\"name\":\"value\","
      "\"description\":\"The value to report.\",\"type\":{\"__typename\":\"NullableDagsterType\","
      "\"key\":\"Optional.Int\",\"name\":null,\"displayName\":\"Int?\",\"isNullable\":true,"
      "\"isBuiltin\":false,\"isNothing\":false,\"innerTypes\":[{\"key\":\"Int\"}],"
      "\"inputSchemaType\":{\"key\":"
      "\"Noneable.ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725\"},"
      "\"ofType\":{\"displayName\":\"Int\"}}},{\"name\":\"after\",\"description\":null,\"type\":"
      "{\"__typename\":\"RegularDagsterType\",\"key\":\"Nothing\",\"name\":\"Nothing\","
      "\"displayName\":\"Nothing\",\"isNullable\":false,\"isBuiltin\":true,\"isNothing\":true,"
      "\"innerTypes\":[],\"inputSchemaType\":null}}]}}}}");
}

static void test_graph_definition(void **state) {
  (void)state;
  char *want = fmt(
      "{\"solidHandle\":{\"solid\":{\"definition\":{\"__typename\":\"CompositeSolidDefinition\","
      "\"id\":\"%s:summarize\",\"name\":\"summarize\",\"description\":\"Adds the batches, then "
      "scales twice.\",\"metadata\":[],\"modes\":[],\"inputDefinitions\":[{\"name\":\"batches\","
      "\"description\":null,\"type\":{\"displayName\":\"[[Int]]\"}}],\"outputDefinitions\":[{"
      "\"name\":\"total\",\"description\":\"The scaled total.\",\"isDynamic\":false,\"type\":{"
      "\"displayName\":\"Int\"}}],\"solids\":[{\"name\":\"sum\",\"definition\":{\"__typename\":"
      "\"SolidDefinition\",\"name\":\"add\"}},{\"name\":\"twice\",\"definition\":{"
      "\"__typename\":\"CompositeSolidDefinition\",\"name\":\"double_scale\"}}]}}}}",
      snapshot_id("etl"));
  char *q = fmt("solidHandle(handleID: \"summary\") { solid { definition { __typename ... on "
                "CompositeSolidDefinition { id name description metadata { key } modes { name } "
                "inputDefinitions { name description type { displayName } } outputDefinitions { "
                "name description isDynamic type { displayName } } solids { name definition { "
                "__typename name } } } } } }");
  expect_pipeline(q, want);
  free(q);
  free(want);
  /* Mappings: the inner input and output at the graph's own level, and the
   * graph's definitions; a nested graph's mappings the same way. */
  want = fmt("{\"solidHandle\":{\"solid\":{\"definition\":{\"inputMappings\":[{\"mappedInput\":"
             "{\"solid\":{\"name\":\"sum\"},\"definition\":{\"name\":\"batches\"},\"dependsOn\":"
             "[]},\"definition\":{\"name\":\"batches\"}}],\"outputMappings\":[{\"mappedOutput\":"
             "{\"solid\":{\"name\":\"twice\",\"definition\":{\"id\":\"%s:double_scale\","
             "\"inputMappings\":[{\"mappedInput\":{\"solid\":{\"name\":\"first\"}},"
             "\"definition\":{\"name\":\"value\"}}],\"outputMappings\":[{\"mappedOutput\":{"
             "\"solid\":{\"name\":\"second\"},\"definition\":{\"name\":\"scaled\"}},"
             "\"definition\":{\"name\":\"result\"}}]}},\"definition\":{\"name\":\"result\"}},"
             "\"definition\":{\"name\":\"total\",\"description\":\"The scaled total.\"}}]}}}}",
             snapshot_id("etl"));
  expect_pipeline(
      "solidHandle(handleID: \"summary\") { solid { definition { ... on "
      "CompositeSolidDefinition { inputMappings { mappedInput { solid { name } definition { "
      "name } dependsOn { solid { name } } } definition { name } } outputMappings { "
      "mappedOutput { solid { name definition { ... on CompositeSolidDefinition { id "
      "inputMappings { mappedInput { solid { name } } definition { name } } outputMappings { "
      "mappedOutput { solid { name } definition { name } } definition { name } } } } } "
      "definition { name } } definition { name description } } } } } }",
      want);
  free(want);
  /* Dagster answers the whole job's handles on a graph definition too. */
  expect_pipeline("solidHandle(handleID: \"summary.twice\") { solid { definition { ... on "
                  "CompositeSolidDefinition { solidHandles(parentHandleID: \"\") { handleID } "
                  "solidHandle(handleID: \"summary.twice.first\") { handleID } } } } }",
                  "{\"solidHandle\":{\"solid\":{\"definition\":{\"solidHandles\":[{"
                  "\"handleID\":\"large\"},{\"handleID\":\"report\"},{\"handleID\":\"small\"},"
                  "{\"handleID\":\"summary\"}],\"solidHandle\":{\"handleID\":"
                  "\"summary.twice.first\"}}}}}");
}

/* graphOrError(quarterly): graph definitions nested under a graph on its
 * own, at every depth, take that Graph's id in their ids and answer its
 * handles (quarterly > summarize > double_scale > scale). */
static void test_graph_definitions_under_a_graph(void **state) {
  (void)state;
  char *origin = origin_id("quarterly");
  char *g = fmt("graph:%s", origin);
  free(origin);
  const char *all = "[{\"handleID\":\"summary\"},{\"handleID\":\"summary.sum\"},{\"handleID\":"
                    "\"summary.twice\"},{\"handleID\":\"summary.twice.first\"},{\"handleID\":"
                    "\"summary.twice.second\"}]";
  char *want =
      fmt("{\"graphOrError\":{\"id\":\"%s\",\"solidHandles\":%s,\"solids\":[{\"name\":\"summary\","
          "\"definition\":{\"id\":\"%s:summarize\",\"solidHandles\":%s,\"solidHandle\":{"
          "\"handleID\":\"summary.twice.first\"},\"solids\":[{\"name\":\"sum\",\"definition\":{"
          "\"name\":\"add\"}},{\"name\":\"twice\",\"definition\":{\"name\":\"double_scale\","
          "\"id\":\"%s:double_scale\",\"solidHandles\":%s,\"solidHandle\":{\"handleID\":"
          "\"summary.twice.first\"},\"solids\":[{\"name\":\"first\",\"definition\":{\"name\":"
          "\"scale\"}},{\"name\":\"second\",\"definition\":{\"name\":\"scale\"}}]}}]}}]}}",
          g, all, g, all, g, all);
  expect_data(
      "{ graphOrError(selector: {graphName: \"quarterly\", repositoryName: \"shop\", "
      "repositoryLocationName: \"shop_loc\"}) { ... on Graph { id solidHandles { handleID } "
      "solids { name definition { ... on CompositeSolidDefinition { id solidHandles { handleID } "
      "solidHandle(handleID: \"summary.twice.first\") { handleID } solids { name definition { "
      "name ... on CompositeSolidDefinition { id solidHandles { handleID } "
      "solidHandle(handleID: \"summary.twice.first\") { handleID } solids { name definition { "
      "name } } } } } } } } } } }",
      want);
  free(want);
  /* Reached through a mapping the same: the level of summarize's own nodes
   * still belongs to quarterly; "" keeps quarterly's top level only. */
  want = fmt("{\"graphOrError\":{\"solids\":[{\"definition\":{\"outputMappings\":[{"
             "\"mappedOutput\":{\"solid\":{\"name\":\"twice\",\"definition\":{\"id\":"
             "\"%s:double_scale\",\"solidHandles\":[{\"handleID\":\"summary\"}]}}}}]}}]}}",
             g);
  expect_data("{ graphOrError(selector: {graphName: \"quarterly\", repositoryName: \"shop\", "
              "repositoryLocationName: \"shop_loc\"}) { ... on Graph { solids { definition { ... "
              "on CompositeSolidDefinition { outputMappings { mappedOutput { solid { name "
              "definition { ... on CompositeSolidDefinition { id solidHandles(parentHandleID: "
              "\"\") { handleID } } } } } } } } } } } }",
              want);
  free(want);
  free(g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_solids_sorted_by_name),
      cmocka_unit_test(test_solid_handles),
      cmocka_unit_test(test_dependencies_top_level),
      cmocka_unit_test(test_dependencies_inside_graphs),
      cmocka_unit_test(test_op_definition),
      cmocka_unit_test(test_graph_definition),
      cmocka_unit_test(test_graph_definitions_under_a_graph),
  };
  return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
