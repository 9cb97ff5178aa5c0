/* test_config_types.c — unit tests for src/api/config_types.c through the
 * served schema, on the fixture location tests/unit/api/fixtures/config/:
 * every kind of config type (an op config using each one) with its fields,
 * type parameters and recursive types; runConfigSchemaOrError (the schema,
 * its types, its default YAML, ModeNotFoundError, PipelineNotFoundError);
 * run config validation with each of Dagster's error types, their messages
 * and evaluation stacks, YAML text configs; and execution plans (order,
 * inputs with fan-in and their upstream steps, outputs, tags as metadata,
 * a step inside a nested graph). */
#include "harness.h"

#define WORKSPACE "tests/unit/api/fixtures/config/workspace.yaml"

static int group_setup(void **state) {
  (void)state;
  return harness_open(WORKSPACE);
}

static int group_teardown(void **state) {
  (void)state;
  harness_close();
  return 0;
}

/* Runs a query (variables: JSON text or NULL) and returns its "data",
 * failing on any error in the response. The caller json_decrefs it. */
static json_t *run(const char *query, const char *variables) {
  json_t *response = harness_response(query, variables, false);
  json_t *data = json_incref(json_object_get(response, "data"));
  json_decref(response);
  return data;
}

/* Asserts that the value at path equals the JSON text (compared in
 * compact form, keys sorted). */
static void expect(json_t *v, const char *path, const char *json_text) {
  json_t *want = json_loads(json_text, JSON_DECODE_ANY, NULL);
  if (!want)
    fail_msg("bad expectation: %s", json_text);
  char *got = json_dumps(at(v, path), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  char *exp = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
  if (strcmp(got, exp) != 0)
    fail_msg("at %s:\n  got      %s\n  expected %s", path, got, exp);
  free(got);
  free(exp);
  json_decref(want);
}

static const char *string_at(json_t *v, const char *path) {
  const char *s = json_string_value(at(v, path));
  if (!s)
    fail_msg("no string at %s", path);
  return s;
}

/* The element of a list whose `key` member is the string value. */
static json_t *find(json_t *list, const char *key, const char *value) {
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    const char *s = json_string_value(json_object_get(item, key));
    if (s && strcmp(s, value) == 0)
      return item;
  }
  fail_msg("no %s '%s'", key, value);
  return NULL;
}

#define SELECTOR(job)                                                                              \
  "{\"repositoryLocationName\": \"cfg\", \"repositoryName\": \"config_repo\", "                    \
  "\"pipelineName\": \"" job "\"}"

/* ---- config types ---------------------------------------------------------- */

static const char *const all_types_query =
    "query($s: PipelineSelector!) { runConfigSchemaOrError(selector: $s) {"
    "  __typename"
    "  ... on RunConfigSchema {"
    "    rootConfigType { key }"
    "    allConfigTypes {"
    "      __typename key description isSelector typeParamKeys"
    "      recursiveConfigTypes { key }"
    "      ... on RegularConfigType { givenName }"
    "      ... on WrappingConfigType { ofType { key } }"
    "      ... on EnumConfigType { givenName values { value description } }"
    "      ... on MapConfigType { keyType { key } valueType { key } keyLabelName }"
    "      ... on ScalarUnionConfigType { scalarTypeKey nonScalarTypeKey"
    "          scalarType { key } nonScalarType { __typename key } }"
    "      ... on CompositeConfigType { fields { name description configTypeKey isRequired"
    "          defaultValueAsJson configType { __typename key } } }"
    "    }"
    "  }"
    "} }";

/* The type of a field (by name) of a composite type, looked up by key in
 * the schema's types. */
static json_t *field_type(json_t *types, json_t *composite, const char *name) {
  json_t *f = find(json_object_get(composite, "fields"), "name", name);
  return find(types, "key", json_string_value(json_object_get(f, "configTypeKey")));
}

static void test_config_type_kinds(void **state) {
  (void)state;
  json_t *d = run(all_types_query, "{\"s\": " SELECTOR("kinds_job") "}");
  json_t *rcs = at(d, "runConfigSchemaOrError");
  expect(rcs, "__typename", "\"RunConfigSchema\"");
  json_t *types = at(rcs, "allConfigTypes");

  /* allConfigTypes: sorted by key, each once, the built-ins included. */
  const char *prev = "";
  size_t i;
  json_t *t;
  json_array_foreach(types, i, t) {
    const char *key = json_string_value(json_object_get(t, "key"));
    if (strcmp(prev, key) >= 0)
      fail_msg("'%s' listed after '%s'", key, prev);
    prev = key;
  }
  expect(find(types, "key", "Bool"), "",
         "{\"__typename\": \"RegularConfigType\", \"key\": "
         "\"Bool\", \"givenName\": \"Bool\", \"description\": "
         "\"\", \"isSelector\": false, \"typeParamKeys\": [], "
         "\"recursiveConfigTypes\": []}");

  /* The root: Dagster's four fields, sorted by name. */
  json_t *root = find(types, "key", string_at(rcs, "rootConfigType.key"));
  expect(root, "__typename", "\"CompositeConfigType\"");
  expect(root, "fields.0.name", "\"execution\"");
  expect(root, "fields.1.name", "\"loggers\"");
  expect(root, "fields.2.name", "\"ops\"");
  expect(root, "fields.2.isRequired", "true");
  expect(root, "fields.3.name", "\"resources\"");

  /* Down to the op's config: ops.kinds.config. */
  json_t *config =
      field_type(types, field_type(types, field_type(types, root, "ops"), "kinds"), "config");
  static const char *const names[] = {"count", "extra",  "ids",   "labels", "limit", "mode",
                                      "names", "nested", "ratio", "source", "target"};
  assert_int_equal(json_array_size(json_object_get(config, "fields")), 11);
  for (i = 0; i < 11; i++) {
    char path[32];
    snprintf(path, sizeof path, "fields.%zu.name", i);
    assert_string_equal(string_at(config, path), names[i]);
  }

  /* Scalars: RegularConfigType; field requiredness and defaults as JSON. */
  json_t *count = find(at(config, "fields"), "name", "count");
  expect(count, "",
         "{\"name\": \"count\", \"description\": null, \"configTypeKey\": \"Int\", "
         "\"isRequired\": true, \"defaultValueAsJson\": null, \"configType\": "
         "{\"__typename\": \"RegularConfigType\", \"key\": \"Int\"}}");
  json_t *ratio = find(at(config, "fields"), "name", "ratio");
  expect(ratio, "description", "\"A ratio.\"");
  expect(ratio, "isRequired", "false");
  expect(ratio, "defaultValueAsJson", "\"0.5\"");
  expect(field_type(types, config, "ratio"), "givenName", "\"Float\"");

  /* Array: ofType, one type parameter. */
  json_t *names_t = field_type(types, config, "names");
  expect(names_t, "",
         "{\"__typename\": \"ArrayConfigType\", \"key\": \"Array.String\", \"description\": "
         "\"List of Array.String\", \"isSelector\": false, \"typeParamKeys\": [\"String\"], "
         "\"recursiveConfigTypes\": [{\"key\": \"String\"}], \"ofType\": {\"key\": \"String\"}}");

  /* Noneable: NullableConfigType, optional with the implied default None. */
  expect(field_type(types, config, "limit"), "",
         "{\"__typename\": \"NullableConfigType\", \"key\": \"Noneable.Int\", \"description\": "
         "null, \"isSelector\": false, \"typeParamKeys\": [\"Int\"], \"recursiveConfigTypes\": "
         "[{\"key\": \"Int\"}], \"ofType\": {\"key\": \"Int\"}}");
  expect(find(at(config, "fields"), "name", "limit"), "defaultValueAsJson", "\"null\"");

  /* Enum: its name, values in definition order. */
  expect(field_type(types, config, "mode"), "",
         "{\"__typename\": \"EnumConfigType\", \"key\": \"Mode\", \"givenName\": \"Mode\", "
         "\"description\": null, \"isSelector\": false, \"typeParamKeys\": [], "
         "\"recursiveConfigTypes\": [], \"values\": [{\"value\": \"fast\", \"description\": "
         "null}, {\"value\": \"slow\", \"description\": null}]}");
  expect(find(at(config, "fields"), "name", "mode"), "defaultValueAsJson", "\"\\\"fast\\\"\"");

  /* Map: key then value type, the key label. */
  json_t *labels = field_type(types, config, "labels");
  expect(labels, "__typename", "\"MapConfigType\"");
  expect(labels, "typeParamKeys", "[\"String\", \"Int\"]");
  expect(labels, "keyType", "{\"key\": \"String\"}");
  expect(labels, "valueType", "{\"key\": \"Int\"}");
  expect(labels, "keyLabelName", "\"label\"");
  expect(labels, "recursiveConfigTypes", "[{\"key\": \"Int\"}, {\"key\": \"String\"}]");
  expect(field_type(types, config, "ids"), "keyLabelName", "null");
  expect(field_type(types, config, "ids"), "typeParamKeys", "[\"Int\", \"String\"]");

  /* Selector and Permissive: CompositeConfigType, isSelector for the first. */
  json_t *source = field_type(types, config, "source");
  expect(source, "isSelector", "true");
  expect(source, "fields.0.name", "\"file\"");
  expect(source, "fields.1.name", "\"url\"");
  expect(field_type(types, config, "extra"), "",
         "{\"__typename\": \"CompositeConfigType\", \"key\": \"Permissive\", \"description\": "
         "null, \"isSelector\": false, \"typeParamKeys\": [], \"recursiveConfigTypes\": [], "
         "\"fields\": []}");

  /* ScalarUnion: scalar and non-scalar, as types, keys and parameters. */
  json_t *target = field_type(types, config, "target");
  const char *shape = string_at(target, "nonScalarTypeKey");
  assert_true(strncmp(shape, "Shape.", 6) == 0);
  expect(target, "__typename", "\"ScalarUnionConfigType\"");
  expect(target, "scalarTypeKey", "\"String\"");
  expect(target, "scalarType", "{\"key\": \"String\"}");
  expect(target, "nonScalarType.__typename", "\"CompositeConfigType\"");
  assert_string_equal(string_at(target, "nonScalarType.key"), shape);
  assert_string_equal(string_at(target, "typeParamKeys.0"), "String");
  assert_string_equal(string_at(target, "typeParamKeys.1"), shape);
  assert_string_equal(string_at(target, "recursiveConfigTypes.0.key"), shape);
  assert_string_equal(string_at(target, "recursiveConfigTypes.1.key"), "String");

  /* A nested Shape: its implied default. */
  expect(find(at(config, "fields"), "name", "nested"), "defaultValueAsJson",
         "\"{\\\"inner\\\": 1}\"");

  /* recursiveConfigTypes: everything below, sorted, without the type itself. */
  json_t *below = at(config, "recursiveConfigTypes");
  assert_int_equal(json_array_size(below), 13);
  prev = "";
  json_array_foreach(below, i, t) {
    const char *key = json_string_value(json_object_get(t, "key"));
    assert_true(strcmp(prev, key) < 0);
    assert_string_not_equal(key, string_at(config, "key"));
    prev = key;
  }
  json_decref(d);
}

/* Config types handed out as the abstract ConfigType (by jobs.c's
 * inputSchemaType): the hook picks the concrete type, and WrappingConfigType
 * fragments apply. */
static void test_config_type_through_interfaces(void **state) {
  (void)state;
  json_t *d = run("query($s: PipelineSelector!) { pipelineOrError(params: $s) {"
                  "  ... on Pipeline { solids { name definition { inputDefinitions {"
                  "    name type { key inputSchemaType {"
                  "      __typename key"
                  "      ... on WrappingConfigType { ofType { __typename key"
                  "        ... on WrappingConfigType { ofType { __typename key } } } }"
                  "      ... on ScalarUnionConfigType { scalarTypeKey } } } } } } } } }",
                  "{\"s\": " SELECTOR("fan_job") "}");
  json_t *gather = find(at(d, "pipelineOrError.solids"), "name", "gather");
  json_t *inputs = at(gather, "definition.inputDefinitions");
  json_t *offset = at(find(inputs, "name", "offset"), "type.inputSchemaType");
  expect(offset, "__typename", "\"ScalarUnionConfigType\"");
  expect(offset, "scalarTypeKey", "\"Int\"");
  /* [[Int]]: an Array of an Array of Int's loader schema. */
  json_t *batches = at(find(inputs, "name", "batches"), "type.inputSchemaType");
  expect(batches, "__typename", "\"ArrayConfigType\"");
  expect(batches, "ofType.__typename", "\"ArrayConfigType\"");
  expect(batches, "ofType.ofType.__typename", "\"ScalarUnionConfigType\"");
  assert_string_equal(string_at(batches, "ofType.ofType.key"), string_at(offset, "key"));
  json_decref(d);
}

/* ---- runConfigSchemaOrError ------------------------------------------------- */

static const char *const schema_query =
    "query($s: PipelineSelector!, $m: String) { runConfigSchemaOrError(selector: $s, mode: $m) {"
    "  __typename"
    "  ... on RunConfigSchema { rootConfigType { key } rootDefaultYaml }"
    "  ... on Error { message }"
    "  ... on ModeNotFoundError { mode }"
    "  ... on PipelineNotFoundError { pipelineName repositoryName repositoryLocationName }"
    "} }";

static void test_run_config_schema_modes_and_errors(void **state) {
  (void)state;
  /* No mode, or Dagster's only mode "default": the schema. */
  json_t *d = run(schema_query, "{\"s\": " SELECTOR("kinds_job") ", \"m\": \"default\"}");
  expect(d, "runConfigSchemaOrError.__typename", "\"RunConfigSchema\"");
  json_decref(d);

  d = run(schema_query, "{\"s\": " SELECTOR("kinds_job") ", \"m\": \"prod\"}");
  expect(d, "runConfigSchemaOrError",
         "{\"__typename\": \"ModeNotFoundError\", \"message\": \"Mode prod not found in pipeline "
         "kinds_job.\", \"mode\": \"prod\"}");
  json_decref(d);

  /* The mode is refused before the job is looked up, as Dagster does. */
  d = run(schema_query, "{\"s\": " SELECTOR("nope") ", \"m\": \"prod\"}");
  expect(d, "runConfigSchemaOrError.__typename", "\"ModeNotFoundError\"");
  json_decref(d);

  d = run(schema_query, "{\"s\": " SELECTOR("nope") "}");
  expect(d, "runConfigSchemaOrError",
         "{\"__typename\": \"PipelineNotFoundError\", \"message\": \"Could not find Pipeline "
         "cfg.config_repo.nope\", \"pipelineName\": \"nope\", \"repositoryName\": "
         "\"config_repo\", \"repositoryLocationName\": \"cfg\"}");
  json_decref(d);
}

/* rootDefaultYaml: every default, empties dropped, the default executor's
 * sentinel config dropped, ops and resources first. */
static void test_root_default_yaml(void **state) {
  (void)state;
  json_t *d = run(schema_query, "{\"s\": " SELECTOR("kinds_job") "}");
  expect(d, "runConfigSchemaOrError.rootDefaultYaml",
         "\"ops:\\n  kinds:\\n    config:\\n      mode: fast\\n      nested:\\n        inner: "
         "1\\n      ratio: 0.5\\n\"");
  json_decref(d);
  d = run(schema_query, "{\"s\": " SELECTOR("fan_job") "}");
  expect(d, "runConfigSchemaOrError.rootDefaultYaml",
         "\"resources:\\n  store:\\n    config:\\n      path: /tmp/store\\n\"");
  json_decref(d);
}

/* ---- validation ------------------------------------------------------------- */

static const char *const valid_query =
    "query($s: PipelineSelector!, $c: RunConfigData) {"
    "  isPipelineConfigValid(pipeline: $s, mode: \"default\", runConfigData: $c) {"
    "    __typename"
    "    ... on PipelineConfigValidationValid { pipelineName }"
    "    ... on PythonError { message }"
    "    ... on RunConfigValidationInvalid { pipelineName errors {"
    "      __typename message path reason"
    "      stack { entries { __typename"
    "        ... on EvaluationStackPathEntry { fieldName }"
    "        ... on EvaluationStackListItemEntry { listIndex }"
    "        ... on EvaluationStackMapKeyEntry { mapKey }"
    "        ... on EvaluationStackMapValueEntry { mapKey } } }"
    "      ... on RuntimeMismatchConfigError { valueRep }"
    "      ... on MissingFieldConfigError { field { name configTypeKey isRequired } }"
    "      ... on MissingFieldsConfigError { fields { name configTypeKey } }"
    "      ... on FieldNotDefinedConfigError { fieldName }"
    "      ... on FieldsNotDefinedConfigError { fieldNames }"
    "      ... on SelectorTypeConfigError { incomingFields }"
    "    } }"
    "  }"
    "}";

/* Validates a run config (JSON text) for a job; returns the result object. */
static json_t *validation(const char *job, const char *config) {
  char vars[2048];
  snprintf(vars, sizeof vars,
           "{\"s\": {\"repositoryLocationName\": \"cfg\", \"repositoryName\": \"config_repo\", "
           "\"pipelineName\": \"%s\"}, \"c\": %s}",
           job, config);
  json_t *d = run(valid_query, vars);
  json_t *r = json_incref(at(d, "isPipelineConfigValid"));
  json_decref(d);
  return r;
}

#define KINDS_STACK                                                                                \
  "{\"__typename\": \"EvaluationStackPathEntry\", \"fieldName\": \"ops\"}, "                       \
  "{\"__typename\": \"EvaluationStackPathEntry\", \"fieldName\": \"kinds\"}, "                     \
  "{\"__typename\": \"EvaluationStackPathEntry\", \"fieldName\": \"config\"}"

static void test_validation_valid(void **state) {
  (void)state;
  static const char *const valid_config =
      "{\"ops\": {\"kinds\": {\"config\": {\"count\": 1, \"names\": [\"a\"], \"labels\": "
      "{\"a\": 1}, \"source\": {\"file\": \"f\"}, \"target\": {\"path\": \"p\"}}}}}";
  json_t *r = validation("kinds_job", valid_config);
  expect(r, "",
         "{\"__typename\": \"PipelineConfigValidationValid\", \"pipelineName\": "
         "\"kinds_job\"}");
  json_decref(r);
  /* The same config as YAML text. */
  r = validation("kinds_job", "\"ops:\\n  kinds:\\n    config:\\n      count: 1\\n      names: "
                              "[a]\\n      labels: {a: 1}\\n      source: {file: f}\\n      "
                              "target: t\\n\"");
  expect(r, "__typename", "\"PipelineConfigValidationValid\"");
  json_decref(r);
  /* fan_job needs a value only for its unwired input (the resource has its default). */
  r = validation("fan_job", "{\"ops\": {\"gather\": {\"inputs\": {\"offset\": 1}}}}");
  expect(r, "__typename", "\"PipelineConfigValidationValid\"");
  json_decref(r);
}

static void test_validation_errors(void **state) {
  (void)state;
  json_t *r = validation(
      "kinds_job", "{\"ops\": {\"kinds\": {\"config\": {\"count\": \"x\", \"names\": [\"a\", 3], "
                   "\"labels\": {\"k\": \"v\"}, \"ids\": {\"x\": \"y\"}, \"source\": {\"file\": "
                   "\"a\", \"url\": \"b\"}, \"target\": \"t\", \"bogus\": 1}}}}");
  expect(r, "__typename", "\"RunConfigValidationInvalid\"");
  expect(r, "pipelineName", "\"kinds_job\"");
  json_t *errors = at(r, "errors");
  assert_int_equal(json_array_size(errors), 6);
  /* One unknown entry. */
  expect(errors, "0.__typename", "\"FieldNotDefinedConfigError\"");
  expect(errors, "0.reason", "\"FIELD_NOT_DEFINED\"");
  expect(errors, "0.fieldName", "\"bogus\"");
  expect(errors, "0.path", "[]");
  expect(errors, "0.stack.entries", "[" KINDS_STACK "]");
  assert_true(strncmp(string_at(errors, "0.message"),
                      "Received unexpected config entry \"bogus\" at path root:ops:kinds:config. "
                      "Expected: \"{ count: Int extra?: { } ",
                      90) == 0);
  /* A scalar of the wrong type. */
  expect(errors, "1",
         "{\"__typename\": \"RuntimeMismatchConfigError\", \"reason\": \"RUNTIME_TYPE_MISMATCH\", "
         "\"message\": \"Invalid scalar at path root:ops:kinds:config:count. Value \\\"x\\\" of "
         "type \\\"<class 'str'>\\\" is not valid for expected type \\\"Int\\\".\", \"path\": [], "
         "\"valueRep\": \"'x'\", \"stack\": {\"entries\": [" KINDS_STACK
         ", {\"__typename\": \"EvaluationStackPathEntry\", \"fieldName\": \"count\"}]}}");
  /* A map key, a map value and a list item. */
  expect(errors, "2.stack.entries.4",
         "{\"__typename\": \"EvaluationStackMapKeyEntry\", \"mapKey\": \"x\"}");
  expect(errors, "2.message",
         "\"Invalid scalar at path root:ops:kinds:config:ids:'x':key. Value \\\"x\\\" of type "
         "\\\"<class 'str'>\\\" is not valid for expected type \\\"Int\\\".\"");
  expect(errors, "3.stack.entries.4",
         "{\"__typename\": \"EvaluationStackMapValueEntry\", \"mapKey\": \"k\"}");
  expect(errors, "3.valueRep", "\"'v'\"");
  expect(errors, "4.stack.entries.4",
         "{\"__typename\": \"EvaluationStackListItemEntry\", \"listIndex\": 1}");
  expect(errors, "4.valueRep", "\"3\"");
  /* Two fields given to a selector. */
  expect(errors, "5.__typename", "\"SelectorTypeConfigError\"");
  expect(errors, "5.reason", "\"SELECTOR_FIELD_ERROR\"");
  expect(errors, "5.incomingFields", "[\"file\", \"url\"]");
  expect(errors, "5.message",
         "\"You can only specify a single field at path root:ops:kinds:config:source. You "
         "specified ['file', 'url']. The available fields are ['file', 'url']\"");
  json_decref(r);

  /* Several unknown entries, several missing ones. */
  r = validation("kinds_job", "{\"ops\": {\"kinds\": {\"config\": {\"b1\": 1, \"b2\": 2}}}}");
  errors = at(r, "errors");
  assert_int_equal(json_array_size(errors), 2);
  expect(errors, "0.__typename", "\"FieldsNotDefinedConfigError\"");
  expect(errors, "0.fieldNames", "[\"b1\", \"b2\"]");
  expect(errors, "1.__typename", "\"MissingFieldsConfigError\"");
  expect(errors, "1.reason", "\"MISSING_REQUIRED_FIELDS\"");
  expect(errors, "1.fields.0", "{\"name\": \"count\", \"configTypeKey\": \"Int\"}");
  expect(errors, "1.fields.4.name", "\"target\"");
  assert_int_equal(json_array_size(at(errors, "1.fields")), 5);
  expect(errors, "1.stack.entries", "[" KINDS_STACK "]");
  json_decref(r);

  /* One missing entry at the root: an empty stack; the field itself. */
  r = validation("kinds_job", "{}");
  errors = at(r, "errors");
  assert_int_equal(json_array_size(errors), 1);
  expect(errors, "0.__typename", "\"MissingFieldConfigError\"");
  expect(errors, "0.reason", "\"MISSING_REQUIRED_FIELD\"");
  expect(errors, "0.stack.entries", "[]");
  expect(errors, "0.field.name", "\"ops\"");
  expect(errors, "0.field.isRequired", "true");
  assert_true(strncmp(string_at(errors, "0.field.configTypeKey"), "Shape.", 6) == 0);
  assert_true(strncmp(string_at(errors, "0.message"),
                      "Missing required config entry \"ops\" at the root. Sample config for "
                      "missing entry: {'ops': {'kinds': {'config': {'count': 0, ",
                      120) == 0);
  json_decref(r);
  /* Python's `runConfigData or {}`: an empty list is an empty config. */
  r = validation("kinds_job", "[]");
  expect(r, "errors.0.__typename", "\"MissingFieldConfigError\"");
  json_decref(r);
  /* A non-empty list is validated as it is. */
  r = validation("kinds_job", "[1]");
  expect(r, "errors.0.__typename", "\"RuntimeMismatchConfigError\"");
  expect(r, "errors.0.valueRep", "\"[1]\"");
  json_decref(r);
}

/* Text that is not YAML is validated as the string it is (Dagster passes it
 * through "so that it will return a useful validation error"). */
static void test_validation_of_bad_yaml(void **state) {
  (void)state;
  json_t *r = validation("kinds_job", "\"ops: [\"");
  expect(r, "errors.0.__typename", "\"RuntimeMismatchConfigError\"");
  expect(r, "errors.0.valueRep", "\"'ops: ['\"");
  expect(r, "errors.0.stack.entries", "[]");
  assert_true(strncmp(string_at(r, "errors.0.message"),
                      "Value at the root must be dict. Expected: \"{ execution?: ", 55) == 0);
  json_decref(r);
}

/* A number no JSON value can carry (a literal beyond a double's range) is
 * a PythonError, never a config silently missing the key. */
static void test_validation_of_a_number_too_large(void **state) {
  (void)state;
  json_t *d = run("{ isPipelineConfigValid(pipeline: {repositoryLocationName: \"cfg\", "
                  "repositoryName: \"config_repo\", pipelineName: \"kinds_job\"}, mode: "
                  "\"default\", runConfigData: {ops: {kinds: {config: {count: 1e400}}}}) "
                  "{ __typename ... on PythonError { message } } }",
                  NULL);
  expect(d, "isPipelineConfigValid.__typename", "\"PythonError\"");
  expect(d, "isPipelineConfigValid.message",
         "\"the run config holds a number too large to represent\"");
  json_decref(d);
}

static void test_validation_selector_errors(void **state) {
  (void)state;
  json_t *r = validation("nope", "{}");
  expect(r, "__typename", "\"PipelineNotFoundError\"");
  json_decref(r);
  json_t *d = run(valid_query, "{\"s\": {\"repositoryLocationName\": \"cfg\", "
                               "\"repositoryName\": \"config_repo\", \"pipelineName\": "
                               "\"fan_job\", \"solidSelection\": [\"zzz\"]}}");
  expect(d, "isPipelineConfigValid.__typename", "\"InvalidSubsetError\"");
  json_decref(d);
  /* A subset's schema has only the selected ops. */
  d = run(valid_query, "{\"s\": {\"repositoryLocationName\": \"cfg\", "
                       "\"repositoryName\": \"config_repo\", \"pipelineName\": "
                       "\"fan_job\", \"solidSelection\": [\"a\"]}, "
                       "\"c\": {\"ops\": {\"gather\": {}}}}");
  expect(d, "isPipelineConfigValid.__typename", "\"RunConfigValidationInvalid\"");
  expect(d, "isPipelineConfigValid.errors.0.fieldName", "\"gather\"");
  json_decref(d);
}

/* RunConfigSchema.isRunConfigValid answers as isPipelineConfigValid. */
static void test_run_config_schema_is_valid(void **state) {
  (void)state;
  json_t *d =
      run("query($s: PipelineSelector!) { runConfigSchemaOrError(selector: $s) {"
          "  ... on RunConfigSchema {"
          "    valid: isRunConfigValid(runConfigData: {ops: {gather: {inputs: {offset: "
          "1}}}}) { __typename ... on PipelineConfigValidationValid { pipelineName } }"
          "    invalid: isRunConfigValid(runConfigData: {ops: {gather: {inputs: {offset: "
          "\"x\"}}}}) { __typename ... on RunConfigValidationInvalid { errors {"
          "      __typename stack { entries { ... on EvaluationStackPathEntry { fieldName } "
          "} } } } }"
          "    none: isRunConfigValid { __typename }"
          "} } }",
          "{\"s\": " SELECTOR("fan_job") "}");
  expect(d, "runConfigSchemaOrError.valid",
         "{\"__typename\": \"PipelineConfigValidationValid\", \"pipelineName\": \"fan_job\"}");
  expect(d, "runConfigSchemaOrError.invalid.__typename", "\"RunConfigValidationInvalid\"");
  expect(d, "runConfigSchemaOrError.invalid.errors.0.stack.entries.3",
         "{\"fieldName\": \"offset\"}");
  expect(d, "runConfigSchemaOrError.none.__typename", "\"RunConfigValidationInvalid\"");
  json_decref(d);
}

/* ---- execution plans --------------------------------------------------------- */

static const char *const plan_query =
    "query($s: PipelineSelector!, $c: RunConfigData) {"
    "  executionPlanOrError(pipeline: $s, mode: \"default\", runConfigData: $c) {"
    "    __typename"
    "    ... on ExecutionPlan { artifactsPersisted steps {"
    "      key solidHandleID kind"
    "      inputs { name dependsOn { key } }"
    "      outputs { name }"
    "      metadata { key value } } }"
    "    ... on RunConfigValidationInvalid { pipelineName errors { __typename message } }"
    "    ... on Error { message }"
    "  }"
    "}";

static json_t *plan(const char *selector, const char *config) {
  char vars[1024];
  snprintf(vars, sizeof vars, "{\"s\": %s, \"c\": %s}", selector, config);
  json_t *d = run(plan_query, vars);
  json_t *r = json_incref(at(d, "executionPlanOrError"));
  json_decref(d);
  return r;
}

/* A fan-in (b, a, b: one upstream step per source, in order), steps by
 * level then key, inputs and outputs by name. */
static void test_execution_plan_fan_in(void **state) {
  (void)state;
  json_t *r = plan(SELECTOR("fan_job"), "{\"ops\": {\"gather\": {\"inputs\": {\"offset\": 1}}}}");
  expect(r, "__typename", "\"ExecutionPlan\"");
  expect(r, "artifactsPersisted", "true");
  expect(r, "steps",
         "[{\"key\": \"a\", \"solidHandleID\": \"a\", \"kind\": \"COMPUTE\", \"inputs\": [], "
         "\"outputs\": [{\"name\": \"numbers\"}], \"metadata\": []},"
         " {\"key\": \"b\", \"solidHandleID\": \"b\", \"kind\": \"COMPUTE\", \"inputs\": [], "
         "\"outputs\": [{\"name\": \"numbers\"}], \"metadata\": []},"
         " {\"key\": \"gather\", \"solidHandleID\": \"gather\", \"kind\": \"COMPUTE\", \"inputs\": "
         "[{\"name\": \"batches\", \"dependsOn\": [{\"key\": \"b\"}, {\"key\": \"a\"}, {\"key\": "
         "\"b\"}]}, {\"name\": \"offset\", \"dependsOn\": []}], \"outputs\": [{\"name\": "
         "\"total\"}], \"metadata\": []},"
         " {\"key\": \"show\", \"solidHandleID\": \"show\", \"kind\": \"COMPUTE\", \"inputs\": "
         "[{\"name\": \"total\", \"dependsOn\": [{\"key\": \"gather\"}]}], \"outputs\": [], "
         "\"metadata\": []}]");
  json_decref(r);
}

/* Outputs sorted by name; the op's tags, sorted, as metadata. */
static void test_execution_plan_outputs_and_tags(void **state) {
  (void)state;
  json_t *r = plan(SELECTOR("kinds_job"),
                   "\"ops:\\n  kinds:\\n    config:\\n      count: 1\\n      names: [a]\\n      "
                   "labels: {a: 1}\\n      source: {url: u}\\n      target: t\\n\"");
  expect(r, "steps.0.outputs", "[{\"name\": \"aux\"}, {\"name\": \"out\"}]");
  expect(r, "steps.0.metadata",
         "[{\"key\": \"area\", \"value\": \"api\"}, {\"key\": \"team\", \"value\": \"config\"}]");
  json_decref(r);
}

/* A step inside a graph node: keyed by its handle, fed through the graph's
 * input mapping, feeding through its output mapping. */
static void test_execution_plan_nested_graph(void **state) {
  (void)state;
  json_t *r = plan(SELECTOR("graph_job"),
                   "{\"ops\": {\"sum\": {\"ops\": {\"add\": {\"inputs\": {\"offset\": 0}}}}}}");
  expect(r, "steps.1.key", "\"sum.add\"");
  expect(r, "steps.1.solidHandleID", "\"sum.add\"");
  expect(r, "steps.1.inputs.0", "{\"name\": \"batches\", \"dependsOn\": [{\"key\": \"a\"}]}");
  expect(r, "steps.2.key", "\"show\"");
  expect(r, "steps.2.inputs.0.dependsOn", "[{\"key\": \"sum.add\"}]");
  json_decref(r);
}

static void test_execution_plan_errors(void **state) {
  (void)state;
  /* The run config is validated first. */
  json_t *r = plan(SELECTOR("fan_job"), "{}");
  expect(r, "__typename", "\"RunConfigValidationInvalid\"");
  expect(r, "pipelineName", "\"fan_job\"");
  expect(r, "errors.0.__typename", "\"MissingFieldConfigError\"");
  json_decref(r);
  /* Text that is not YAML is a PythonError here (Dagster raises). */
  r = plan(SELECTOR("fan_job"), "\"ops: [\"");
  expect(r, "__typename", "\"PythonError\"");
  assert_true(strncmp(string_at(r, "message"), "the run config is not valid YAML", 32) == 0);
  json_decref(r);
  r = plan(SELECTOR("nope"), "null");
  expect(r, "__typename", "\"PipelineNotFoundError\"");
  expect(r, "message", "\"Could not find Pipeline cfg.config_repo.nope\"");
  json_decref(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_config_type_kinds),
      cmocka_unit_test(test_config_type_through_interfaces),
      cmocka_unit_test(test_run_config_schema_modes_and_errors),
      cmocka_unit_test(test_root_default_yaml),
      cmocka_unit_test(test_validation_valid),
      cmocka_unit_test(test_validation_errors),
      cmocka_unit_test(test_validation_of_bad_yaml),
      cmocka_unit_test(test_validation_of_a_number_too_large),
      cmocka_unit_test(test_validation_selector_errors),
      cmocka_unit_test(test_run_config_schema_is_valid),
      cmocka_unit_test(test_execution_plan_fan_in),
      cmocka_unit_test(test_execution_plan_outputs_and_tags),
      cmocka_unit_test(test_execution_plan_nested_graph),
      cmocka_unit_test(test_execution_plan_errors),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
