/* test_introspection.c — tests of src/graphql/introspection.c: __schema,
 * __type and __typename executed through gql_run on a small schema, with
 * the responses graphql-js 16 gives for the same schema and queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/exec.h"
#include "graphql/introspection.h"
#include "graphql/parser.h"
#include "graphql/schema.h"

static const char SDL[] =
    "\"\"\"Tiny.\"\"\"\n"
    "schema { query: Query mutation: Mutation }\n"
    "scalar Url @specifiedBy(url: \"https://example.com/url\")\n"
    "\"\"\"A shape.\"\"\"\n"
    "interface Shape { area: Float name: String @deprecated(reason: \"gone\") }\n"
    "type Circle implements Shape { area: Float name: String @deprecated(reason: \"gone\") "
    "r: Int! }\n"
    "type Square implements Shape { area: Float name: String @deprecated(reason: \"gone\") "
    "side(unit: Unit = CM, old: Int @deprecated): [Int!]! }\n"
    "union Any = Circle | Square\n"
    "enum Unit { CM MM @deprecated(reason: \"too small\") IN @deprecated }\n"
    "input Opts @oneOf { a: Int b: String }\n"
    "input Filter { min: Float = 1.0, max: Float = 1e21, tiny: Float = 0.00000015, "
    "ids: [ID] = \"12\", nested: Inner = {}, old: Int @deprecated(reason: \"x\"), "
    "label: String = \"\"\"a \"b\" \\ c\"\"\" }\n"
    "input Inner { x: Int = 3, y: [Unit!] = MM, z: String }\n"
    "directive @tag(name: String! = \"t\") repeatable on QUERY | OBJECT | FIELD_DEFINITION\n"
    "type Query { shapes(f: Filter, o: Opts): [Shape] any: Any home: Url }\n"
    "type Mutation { reset: Boolean }\n";

static gql_schema *schema;

static int setup(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  schema = gql_schema_build(SDL, strlen(SDL), &errs);
  for (size_t i = 0; i < errs.n; i++)
    fprintf(stderr, "schema error: %s\n", errs.items[i]->message);
  arena_free(a);
  return schema ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  gql_schema_free(schema);
  return 0;
}

/* Runs query against s and returns the response text (heap, the caller
 * frees). */
static char *run_on(gql_schema *s, const char *query) {
  arena *a = arena_new(0);
  gql_request req = {.schema = s, .arena = a};
  buf out;
  buf_init(&out, a);
  gql_run(&req, query, strlen(query), NULL, &out);
  char *text = strdup(buf_cstr(&out));
  arena_free(a);
  return text;
}

static char *run(const char *query) { return run_on(schema, query); }

static void assert_response(const char *query, const char *expected) {
  char *got = run(query);
  if (strcmp(got, expected) != 0)
    fprintf(stderr, "query:    %s\nexpected: %s\ngot:      %s\n", query, expected, got);
  assert_string_equal(got, expected);
  free(got);
}

static void test_sdl_parses(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_document *doc =
      gql_parse(a, gql_introspection_sdl, strlen(gql_introspection_sdl), NULL, &errs);
  assert_non_null(doc);
  assert_int_equal(doc->n_defs, 8);
  for (size_t i = 0; i < doc->n_defs; i++) {
    assert_int_equal(doc->defs[i].kind, GQL_DEF_TYPE);
    assert_non_null(doc->defs[i].u.type.description);
  }
  arena_free(a);
}

static void test_meta_fields(void **state) {
  (void)state;
  assert_string_equal(schema->meta_schema->name, "__schema");
  assert_int_equal(schema->meta_schema->type->kind, GQL_KIND_NON_NULL);
  assert_string_equal(schema->meta_schema->type->of->name, "__Schema");
  assert_string_equal(schema->meta_type->name, "__type");
  assert_string_equal(schema->meta_type->type->name, "__Type");
  assert_int_equal(schema->meta_type->n_args, 1);
  assert_string_equal(schema->meta_type->args[0].name, "name");
  assert_int_equal(schema->meta_type->args[0].type->kind, GQL_KIND_NON_NULL);
  assert_string_equal(schema->meta_type->args[0].type->of->name, "String");
  assert_string_equal(schema->meta_typename->name, "__typename");
  assert_int_equal(schema->meta_typename->type->kind, GQL_KIND_NON_NULL);
  assert_non_null(schema->meta_schema->resolve);
  assert_non_null(schema->meta_type->resolve);
  assert_non_null(schema->meta_typename->resolve);
  /* Every field of every introspection type has a resolver. */
  const char *types[] = {"__Schema",     "__Type",      "__Field",
                         "__InputValue", "__EnumValue", "__Directive"};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
    const gql_type *t = gql_schema_type(schema, types[i]);
    assert_non_null(t);
    assert_true(t->builtin);
    for (size_t j = 0; j < t->n_fields; j++)
      assert_non_null(t->fields[j].resolve);
  }
}

static void test_typename(void **state) {
  (void)state;
  assert_response("{ __typename }", "{\"data\":{\"__typename\":\"Query\"}}");
  assert_response("mutation { __typename }", "{\"data\":{\"__typename\":\"Mutation\"}}");
  assert_response("{ __schema { __typename queryType { __typename fields { __typename } } } }",
                  "{\"data\":{\"__schema\":{\"__typename\":\"__Schema\",\"queryType\":{"
                  "\"__typename\":\"__Type\",\"fields\":[{\"__typename\":\"__Field\"},{"
                  "\"__typename\":\"__Field\"},{\"__typename\":\"__Field\"}]}}}}");
}

static void test_schema_roots(void **state) {
  (void)state;
  assert_response("{ __schema { description queryType { name } mutationType { name } "
                  "subscriptionType { name } } }",
                  "{\"data\":{\"__schema\":{\"description\":\"Tiny.\",\"queryType\":{\"name\":"
                  "\"Query\"},\"mutationType\":{\"name\":\"Mutation\"},\"subscriptionType\":"
                  "null}}}");
}

/* User types in definition order, each followed by the built-in scalars it
 * is first to use; unused built-in scalars are absent. */
static void test_type_order(void **state) {
  (void)state;
  assert_response(
      "{ __schema { types { name } } }",
      "{\"data\":{\"__schema\":{\"types\":[{\"name\":\"Url\"},{\"name\":\"Shape\"},{\"name\":"
      "\"Float\"},{\"name\":\"String\"},{\"name\":\"Circle\"},{\"name\":\"Int\"},{\"name\":"
      "\"Square\"},{\"name\":\"Any\"},{\"name\":\"Unit\"},{\"name\":\"Opts\"},{\"name\":"
      "\"Filter\"},{\"name\":\"ID\"},{\"name\":\"Inner\"},{\"name\":\"Query\"},{\"name\":"
      "\"Mutation\"},{\"name\":\"Boolean\"},{\"name\":\"__Schema\"},{\"name\":\"__Type\"},{"
      "\"name\":\"__TypeKind\"},{\"name\":\"__Field\"},{\"name\":\"__InputValue\"},{\"name\":"
      "\"__EnumValue\"},{\"name\":\"__Directive\"},{\"name\":\"__DirectiveLocation\"}]}}}");
}

static void test_object_type(void **state) {
  (void)state;
  assert_response(
      "{ __type(name: \"Square\") { kind name description interfaces { name } fields { name "
      "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } args "
      "{ name defaultValue } } } }",
      "{\"data\":{\"__type\":{\"kind\":\"OBJECT\",\"name\":\"Square\",\"description\":null,"
      "\"interfaces\":[{\"name\":\"Shape\"}],\"fields\":[{\"name\":\"area\",\"type\":{\"kind\":"
      "\"SCALAR\",\"name\":\"Float\",\"ofType\":null},\"args\":[]},{\"name\":\"side\",\"type\":"
      "{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"kind\":\"LIST\",\"name\":null,"
      "\"ofType\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"kind\":\"SCALAR\","
      "\"name\":\"Int\"}}}},\"args\":[{\"name\":\"unit\",\"defaultValue\":\"CM\"}]}]}}}");
}

static void test_deprecated_fields_and_args(void **state) {
  (void)state;
  assert_response(
      "{ __type(name: \"Shape\") { kind possibleTypes { name } fields(includeDeprecated: true) "
      "{ name isDeprecated deprecationReason } } }",
      "{\"data\":{\"__type\":{\"kind\":\"INTERFACE\",\"possibleTypes\":[{\"name\":\"Circle\"},"
      "{\"name\":\"Square\"}],\"fields\":[{\"name\":\"area\",\"isDeprecated\":false,"
      "\"deprecationReason\":null},{\"name\":\"name\",\"isDeprecated\":true,"
      "\"deprecationReason\":\"gone\"}]}}}");
  assert_response(
      "{ __type(name: \"Square\") { fields { name args(includeDeprecated: true) { name "
      "isDeprecated deprecationReason defaultValue } } } }",
      "{\"data\":{\"__type\":{\"fields\":[{\"name\":\"area\",\"args\":[]},{\"name\":\"side\","
      "\"args\":[{\"name\":\"unit\",\"isDeprecated\":false,\"deprecationReason\":null,"
      "\"defaultValue\":\"CM\"},{\"name\":\"old\",\"isDeprecated\":true,\"deprecationReason\":"
      "\"No longer supported\",\"defaultValue\":null}]}]}}}");
}

static void test_enum_values(void **state) {
  (void)state;
  assert_response(
      "{ __type(name: \"Unit\") { enumValues { name } all: enumValues(includeDeprecated: true) "
      "{ name isDeprecated deprecationReason } } }",
      "{\"data\":{\"__type\":{\"enumValues\":[{\"name\":\"CM\"}],\"all\":[{\"name\":\"CM\","
      "\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"MM\",\"isDeprecated\":"
      "true,\"deprecationReason\":\"too small\"},{\"name\":\"IN\",\"isDeprecated\":true,"
      "\"deprecationReason\":\"No longer supported\"}]}}}");
  /* includeDeprecated: null counts as false. */
  assert_response("{ __type(name: \"Unit\") { enumValues(includeDeprecated: null) { name } } }",
                  "{\"data\":{\"__type\":{\"enumValues\":[{\"name\":\"CM\"}]}}}");
}

/* defaultValue prints the coerced value as graphql-js does: JavaScript
 * number formatting, a single item coerced to a list, ID strings that look
 * like integers as integers, input object fields filled with their
 * defaults, strings escaped (never as block strings). */
static void test_default_values(void **state) {
  (void)state;
  assert_response(
      "{ __type(name: \"Filter\") { isOneOf inputFields { name defaultValue } all: "
      "inputFields(includeDeprecated: true) { name isDeprecated deprecationReason } } }",
      "{\"data\":{\"__type\":{\"isOneOf\":false,\"inputFields\":[{\"name\":\"min\","
      "\"defaultValue\":\"1\"},{\"name\":\"max\",\"defaultValue\":\"1e+21\"},{\"name\":"
      "\"tiny\",\"defaultValue\":\"1.5e-7\"},{\"name\":\"ids\",\"defaultValue\":\"[12]\"},{"
      "\"name\":\"nested\",\"defaultValue\":\"{x: 3, y: [MM]}\"},{\"name\":\"label\","
      "\"defaultValue\":\"\\\"a \\\\\\\"b\\\\\\\" \\\\\\\\ c\\\"\"}],\"all\":[{\"name\":"
      "\"min\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"max\","
      "\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"tiny\",\"isDeprecated\":"
      "false,\"deprecationReason\":null},{\"name\":\"ids\",\"isDeprecated\":false,"
      "\"deprecationReason\":null},{\"name\":\"nested\",\"isDeprecated\":false,"
      "\"deprecationReason\":null},{\"name\":\"old\",\"isDeprecated\":true,"
      "\"deprecationReason\":\"x\"},{\"name\":\"label\",\"isDeprecated\":false,"
      "\"deprecationReason\":null}]}}}");
  assert_response("{ __type(name: \"Inner\") { inputFields { name defaultValue } } }",
                  "{\"data\":{\"__type\":{\"inputFields\":[{\"name\":\"x\",\"defaultValue\":"
                  "\"3\"},{\"name\":\"y\",\"defaultValue\":\"[MM]\"},{\"name\":\"z\","
                  "\"defaultValue\":null}]}}}");
}

/* Defaults written as block strings: graphql-js re-creates the coerced
 * value with astFromValue, so they print as ordinary strings wherever they
 * sit (in lists, input objects, custom scalars), though validation
 * messages quote the same literals as block strings. */
static void test_block_string_defaults(void **state) {
  (void)state;
  static const char sdl[] =
      "scalar Json\n"
      "input In { s: String = \"\"\"in\n  side\"\"\" }\n"
      "type Query { f(a: [String] = [\"\"\"a\n  b\"\"\", \"c\"], b: [String] = \"\"\"one\"\"\", "
      "d: ID = \"\"\"7\"\"\", e: In = {}, h: String = \"\"\"  lead\n  x\"\"\", "
      "i: Json = \"\"\"multi\nline\"\"\", j: [Json] = [\"\"\"k\"\"\"]): Int }\n";
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(sdl, strlen(sdl), &errs);
  assert_non_null(s);
  char *got = run_on(s, "{ __type(name: \"Query\") { fields { args { name defaultValue } } } }");
  assert_string_equal(
      got, "{\"data\":{\"__type\":{\"fields\":[{\"args\":[{\"name\":\"a\",\"defaultValue\":"
           "\"[\\\"a\\\\nb\\\", \\\"c\\\"]\"},{\"name\":\"b\",\"defaultValue\":\"[\\\"one\\\"]\"},"
           "{\"name\":\"d\",\"defaultValue\":\"7\"},{\"name\":\"e\",\"defaultValue\":"
           "\"{s: \\\"in\\\\nside\\\"}\"},{\"name\":\"h\",\"defaultValue\":"
           "\"\\\"  lead\\\\nx\\\"\"},{\"name\":\"i\",\"defaultValue\":\"\\\"multi\\\\nline\\\"\"},"
           "{\"name\":\"j\",\"defaultValue\":\"[\\\"k\\\"]\"}]}]}}}");
  free(got);
  gql_schema_free(s);
  arena_free(a);
}

static void test_kind_specific_fields(void **state) {
  (void)state;
  assert_response(
      "{ a: __type(name: \"Opts\") { kind isOneOf } b: __type(name: \"Url\") { kind "
      "specifiedByURL isOneOf fields { name } } c: __type(name: \"Nope\") { name } d: "
      "__type(name: \"Any\") { kind possibleTypes { name } interfaces { name } } }",
      "{\"data\":{\"a\":{\"kind\":\"INPUT_OBJECT\",\"isOneOf\":true},\"b\":{\"kind\":"
      "\"SCALAR\",\"specifiedByURL\":\"https://example.com/url\",\"isOneOf\":null,\"fields\":"
      "null},\"c\":null,\"d\":{\"kind\":\"UNION\",\"possibleTypes\":[{\"name\":\"Circle\"},{"
      "\"name\":\"Square\"}],\"interfaces\":null}}}");
}

/* The directive list holds the built-in ones and @tag; @tag is checked
 * entry by entry. */
static void test_directives(void **state) {
  (void)state;
  char *text = run("{ __schema { directives { name description isRepeatable locations args { "
                   "name type { kind ofType { name } } defaultValue } } } }");
  json_error_t jerr;
  json_t *r = json_loads(text, 0, &jerr);
  assert_non_null(r);
  json_t *list =
      json_object_get(json_object_get(json_object_get(r, "data"), "__schema"), "directives");
  assert_true(json_is_array(list));
  const char *names[] = {"include", "skip", "deprecated", "specifiedBy", "oneOf"};
  size_t found = 0;
  json_t *tag = NULL;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *d = json_array_get(list, i);
    const char *name = json_string_value(json_object_get(d, "name"));
    for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
      found += strcmp(name, names[j]) == 0;
    if (strcmp(name, "tag") == 0)
      tag = d;
  }
  assert_int_equal(found, 5);
  assert_non_null(tag);
  json_t *want = json_loads(
      "{\"name\":\"tag\",\"description\":null,\"isRepeatable\":true,\"locations\":[\"QUERY\","
      "\"OBJECT\",\"FIELD_DEFINITION\"],\"args\":[{\"name\":\"name\",\"type\":{\"kind\":"
      "\"NON_NULL\",\"ofType\":{\"name\":\"String\"}},\"defaultValue\":\"\\\"t\\\"\"}]}",
      0, &jerr);
  assert_non_null(want);
  assert_true(json_equal(tag, want));
  json_decref(want);
  json_decref(r);
  free(text);
}

/* locations come in declaration order, repeats kept, as graphql-js 16.15
 * reports them; @deprecated also applies to directive definitions there. */
static void test_directive_locations_order(void **state) {
  (void)state;
  static const char sdl[] = "directive @x on FIELD | OBJECT | FIELD | DIRECTIVE_DEFINITION\n"
                            "directive @y on INPUT_FIELD_DEFINITION | QUERY\n"
                            "type Query { a: Int }\n";
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(sdl, strlen(sdl), &errs);
  assert_non_null(s);
  char *got = run_on(s, "{ __schema { directives { name locations } } }");
  assert_string_equal(
      got, "{\"data\":{\"__schema\":{\"directives\":[{\"name\":\"x\",\"locations\":[\"FIELD\","
           "\"OBJECT\",\"FIELD\",\"DIRECTIVE_DEFINITION\"]},{\"name\":\"y\",\"locations\":["
           "\"INPUT_FIELD_DEFINITION\",\"QUERY\"]},{\"name\":\"include\",\"locations\":["
           "\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_FRAGMENT\"]},{\"name\":\"skip\","
           "\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_FRAGMENT\"]},{\"name\":"
           "\"deprecated\",\"locations\":[\"FIELD_DEFINITION\",\"ARGUMENT_DEFINITION\","
           "\"INPUT_FIELD_DEFINITION\",\"ENUM_VALUE\",\"DIRECTIVE_DEFINITION\"]},{\"name\":"
           "\"specifiedBy\",\"locations\":[\"SCALAR\"]},{\"name\":\"oneOf\",\"locations\":["
           "\"INPUT_OBJECT\"]}]}}}");
  free(got);
  gql_schema_free(s);
  arena_free(a);
}

static void test_validation_of_meta_fields(void **state) {
  (void)state;
  assert_response("{ __type { name } }",
                  "{\"errors\":[{\"message\":\"Field \\\"__type\\\" argument \\\"name\\\" of "
                  "type \\\"String!\\\" is required, but it was not provided.\",\"locations\":[{"
                  "\"line\":1,\"column\":3}]}]}");
  assert_response("{ __schema }",
                  "{\"errors\":[{\"message\":\"Field \\\"__schema\\\" of type \\\"__Schema!\\\" "
                  "must have a selection of subfields. Did you mean \\\"__schema { ... }\\\"?\","
                  "\"locations\":[{\"line\":1,\"column\":3}]}]}");
  assert_response("{ __type(name: \"Circle\") { __schema { description } } }",
                  "{\"errors\":[{\"message\":\"Cannot query field \\\"__schema\\\" on type "
                  "\\\"__Type\\\".\",\"locations\":[{\"line\":1,\"column\":28}]}]}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sdl_parses),
      cmocka_unit_test(test_meta_fields),
      cmocka_unit_test(test_typename),
      cmocka_unit_test(test_schema_roots),
      cmocka_unit_test(test_type_order),
      cmocka_unit_test(test_object_type),
      cmocka_unit_test(test_deprecated_fields_and_args),
      cmocka_unit_test(test_enum_values),
      cmocka_unit_test(test_default_values),
      cmocka_unit_test(test_block_string_defaults),
      cmocka_unit_test(test_kind_specific_fields),
      cmocka_unit_test(test_directives),
      cmocka_unit_test(test_directive_locations_order),
      cmocka_unit_test(test_validation_of_meta_fields),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
