/* test_printer.c — tests of graphql/printer.c: documents print exactly
 * as graphql-js's print() prints them (expected texts taken from graphql-js
 * 16), printing is stable under parse -> print -> parse, and values and type
 * references print in the forms introspection and error messages use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/parser.h"
#include "graphql/printer.h"

static arena *A;

static int setup(void **state) {
  (void)state;
  A = arena_new(0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  arena_free(A);
  return 0;
}

static gql_document *parse(const char *src) {
  gql_errors errs;
  gql_errors_init(&errs, A);
  gql_document *d = gql_parse(A, src, strlen(src), NULL, &errs);
  if (!d)
    fail_msg("parse error: %s in\n%s", errs.items[0]->message, src);
  return d;
}

static const char *print_doc(const gql_document *d) {
  buf *b = arena_alloc(A, sizeof *b);
  buf_init(b, A);
  gql_print_document(b, d);
  return buf_cstr(b);
}

/* Descriptions are printed as block strings whenever graphql-js's
 * isPrintableAsBlockString allows it (the AST does not record which form
 * the source used); the expected texts were printed by graphql-js with the
 * same choice. */
static const struct {
  const char *src;
  const char *printed;
} cases[] = {
    {"# Every executable construct, in one document.\nquery RunsPage($limit: Int = 10, $cursor: "
     "String, $filter: RunsFilter = {statuses: [QUEUED, STARTED], tags: [{key: \"team\", value: "
     "\"data\"}]}, $flag: Boolean! @deprecated) @live {\n  pipelineRunsOrError(filter: $filter, "
     "cursor: $cursor, limit: $limit) {\n    __typename\n    ... on Runs @include(if: $flag) {\n   "
     "   results {\n        id: runId,\n        status\n        stats: statsOrError { ...RunStats "
     "@skip(if: false) }\n        tags { key value }\n      }\n    }\n    ... @defer(label: "
     "\"slow\") { count }\n    ... { __typename }\n    ... on PythonError { message stack }\n  }\n "
     " nums: echo(int: -42, zero: 0, float: 3.25e-2, big: 1E10, neg: -0.5, str: \"tab\\tquote\\\" "
     "\\u00e9 \\u{1F600}\", empty: \"\", list: [], obj: {}, nested: [[1], [2, [3]]], enum: "
     "SUCCESS, nul: null, yes: true, no: false, block: \"\"\"\n      First line\n        "
     "indented\n      last\n  \"\"\")\n}\n\nmutation Launch($params: ExecutionParams!) @trace {\n  "
     "launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } "
     "}\n}\n\nsubscription Events($runId: ID!, $after: Cursor) {\n  pipelineRunLogs(runId: $runId, "
     "cursor: $after) { __typename }\n}\n\nfragment RunStats on RunStatsSnapshot "
     "@fragmentLevel(depth: 1) {\n  stepsSucceeded, stepsFailed\n  startTime endTime\n}\n\n{\n  "
     "version\n  alias: instance { info }\n}\n",
     "query RunsPage($limit: Int = 10, $cursor: String, $filter: RunsFilter = {statuses: [QUEUED, "
     "STARTED], tags: [{key: \"team\", value: \"data\"}]}, $flag: Boolean! @deprecated) @live {\n  "
     "pipelineRunsOrError(filter: $filter, cursor: $cursor, limit: $limit) {\n    __typename\n    "
     "... on Runs @include(if: $flag) {\n      results {\n        id: runId\n        status\n      "
     "  stats: statsOrError {\n          ...RunStats @skip(if: false)\n        }\n        tags {\n "
     "         key\n          value\n        }\n      }\n    }\n    ... @defer(label: \"slow\") "
     "{\n      count\n    }\n    ... {\n      __typename\n    }\n    ... on PythonError {\n      "
     "message\n      stack\n    }\n  }\n  nums: echo(\n    int: -42\n    zero: 0\n    float: "
     "3.25e-2\n    big: 1E10\n    neg: -0.5\n    str: \"tab\\tquote\\\" \303\251 "
     "\360\237\230\200\"\n    empty: \"\"\n    list: []\n    obj: {}\n    nested: [[1], [2, "
     "[3]]]\n    enum: SUCCESS\n    nul: null\n    yes: true\n    no: false\n    block: \"\"\"\n   "
     " First line\n      indented\n    last\n    \"\"\"\n  )\n}\n\nmutation Launch($params: "
     "ExecutionParams!) @trace {\n  launchRun(executionParams: $params) {\n    __typename\n    ... "
     "on LaunchRunSuccess {\n      run {\n        runId\n      }\n    }\n  }\n}\n\nsubscription "
     "Events($runId: ID!, $after: Cursor) {\n  pipelineRunLogs(runId: $runId, cursor: $after) {\n  "
     "  __typename\n  }\n}\n\nfragment RunStats on RunStatsSnapshot @fragmentLevel(depth: 1) {\n  "
     "stepsSucceeded\n  stepsFailed\n  startTime\n  endTime\n}\n\n{\n  version\n  alias: instance "
     "{\n    info\n  }\n}"},
    {"\"\"\"\nThe schema of an orchestration service.\n   Keeps its relative "
     "indentation.\n\"\"\"\nschema @link(url: \"https://example.com\") {\n  query: Query\n  "
     "mutation: Mutation\n  subscription: Subscription\n}\n\n\"A point in time, as a float of "
     "seconds.\"\nscalar Timestamp @specifiedBy(url: "
     "\"https://example.com/ts\")\n\n\"\"\"Something with an identity.\"\"\"\ninterface Node {\n  "
     "id: ID!\n}\n\ninterface Entity implements Node & Named @key(fields: \"id\") {\n  id: ID!\n  "
     "name: String\n}\n\ntype Run implements & Node & Entity @key(fields: \"id\") {\n  id: ID!\n  "
     "name: String @deprecated(reason: \"use runName\")\n  \"The steps, optionally filtered.\"\n  "
     "steps(\n    \"\"\"Only these statuses.\"\"\"\n    statuses: [StepStatus!] = [SUCCESS, "
     "FAILURE]\n    limit: Int = 100 @constraint(max: 1000)\n    filter: StepFilter = {kinds: "
     "[\"op\"], nested: {deep: [[1.5]]}}\n  ): [Step!]!\n  tags(prefix: String = \"dagster/\"): "
     "[[Tag]]\n}\n\ntype Empty\n\nunion Result @unionLevel = | Run | PythonError | "
     "RunNotFound\n\nunion Nothing\n\nenum RunStatus @enumLevel {\n  \"Waiting for a slot.\"\n  "
     "QUEUED\n  \"\"\"Running now.\"\"\"\n  STARTED @deprecated\n  SUCCESS\n}\n\ninput RunsFilter "
     "@oneOf {\n  \"Run ids\"\n  runIds: [String!] = []\n  statuses: [RunStatus!]\n  since: "
     "Timestamp = 0.5 @deprecated(reason: \"no\")\n}\n\ndirective @constraint(max: Int, min: Int = "
     "0) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION\n\n\"\"\"Marks a type as "
     "keyed.\"\"\"\ndirective @key(fields: String!) repeatable on\n  | OBJECT\n  | "
     "INTERFACE\n\nextend schema @extra\n\nextend schema { subscription: Subscription2 }\n\nextend "
     "scalar Timestamp @extra\n\nextend type Run implements Extra @extra {\n  extraField(a: Int): "
     "Int\n}\n\nextend interface Node @extra\n\nextend interface Entity { more: Int }\n\nextend "
     "union Result = Unauthorized\n\nextend enum RunStatus @extra { CANCELED }\n\nextend input "
     "RunsFilter { tags: [String] }\n",
     "\"\"\"\nThe schema of an orchestration service.\n   Keeps its relative "
     "indentation.\n\"\"\"\nschema @link(url: \"https://example.com\") {\n  query: Query\n  "
     "mutation: Mutation\n  subscription: Subscription\n}\n\n\"\"\"A point in time, as a float of "
     "seconds.\"\"\"\nscalar Timestamp @specifiedBy(url: "
     "\"https://example.com/ts\")\n\n\"\"\"Something with an identity.\"\"\"\ninterface Node {\n  "
     "id: ID!\n}\n\ninterface Entity implements Node & Named @key(fields: \"id\") {\n  id: ID!\n  "
     "name: String\n}\n\ntype Run implements Node & Entity @key(fields: \"id\") {\n  id: ID!\n  "
     "name: String @deprecated(reason: \"use runName\")\n  \"\"\"The steps, optionally "
     "filtered.\"\"\"\n  steps(\n    \"\"\"Only these statuses.\"\"\"\n    statuses: [StepStatus!] "
     "= [SUCCESS, FAILURE]\n    limit: Int = 100 @constraint(max: 1000)\n    filter: StepFilter = "
     "{kinds: [\"op\"], nested: {deep: [[1.5]]}}\n  ): [Step!]!\n  tags(prefix: String = "
     "\"dagster/\"): [[Tag]]\n}\n\ntype Empty\n\nunion Result @unionLevel = Run | PythonError | "
     "RunNotFound\n\nunion Nothing\n\nenum RunStatus @enumLevel {\n  \"\"\"Waiting for a "
     "slot.\"\"\"\n  QUEUED\n  \"\"\"Running now.\"\"\"\n  STARTED @deprecated\n  "
     "SUCCESS\n}\n\ninput RunsFilter @oneOf {\n  \"\"\"Run ids\"\"\"\n  runIds: [String!] = []\n  "
     "statuses: [RunStatus!]\n  since: Timestamp = 0.5 @deprecated(reason: \"no\")\n}\n\ndirective "
     "@constraint(max: Int, min: Int = 0) on ARGUMENT_DEFINITION | "
     "INPUT_FIELD_DEFINITION\n\n\"\"\"Marks a type as keyed.\"\"\"\ndirective @key(fields: "
     "String!) repeatable on OBJECT | INTERFACE\n\nextend schema @extra\n\nextend schema {\n  "
     "subscription: Subscription2\n}\n\nextend scalar Timestamp @extra\n\nextend type Run "
     "implements Extra @extra {\n  extraField(a: Int): Int\n}\n\nextend interface Node "
     "@extra\n\nextend interface Entity {\n  more: Int\n}\n\nextend union Result = "
     "Unauthorized\n\nextend enum RunStatus @extra {\n  CANCELED\n}\n\nextend input RunsFilter {\n "
     " tags: [String]\n}"},
    {"{ a(x: \"\"\"\n\n   indented\n     more\n   \n\"\"\") }",
     "{\n  a(x: \"\"\"\n  indented\n    more\n  \"\"\")\n}"},
    {"{ a(x: "
     "\"\"\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\"\") }",
     "{\n  a(\n    x: \"\"\"\n    "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n    \"\"\"\n  "
     ")\n}"},
    {"{ a(x: \"\"\"a\n\n b\"\"\") { b(y: \"\"\"multi\n line\"\"\") } }",
     "{\n  a(x: \"\"\"\n  a\n  \n  b\n  \"\"\") {\n    b(y: \"\"\"\n    multi\n    line\n    "
     "\"\"\")\n  }\n}"},
    {"{ a(x: \"\"\"\\\"\"\"\"\"\") }", "{\n  a(x: \"\"\"\n  \\\"\"\"\n  \"\"\")\n}"},
    {"{ a(x: \"\"\"line1\n\tline2\"\"\") }", "{\n  a(x: \"\"\"\n  line1\n  line2\n  \"\"\")\n}"},
    {"{ aVeryLongFieldNameHereToForceWrapping(argumentNumberOne: \"some long string value\", "
     "argumentTwo: 12345) { x } }",
     "{\n  aVeryLongFieldNameHereToForceWrapping(\n    argumentNumberOne: \"some long string "
     "value\"\n    argumentTwo: 12345\n  ) {\n    x\n  }\n}"},
    {"{ a { b { aVeryLongFieldNameHereToForceWrapping(argumentNumberOne: \"some long string "
     "value\", two: 1) { x } } } }",
     "{\n  a {\n    b {\n      aVeryLongFieldNameHereToForceWrapping(\n        argumentNumberOne: "
     "\"some long string value\"\n        two: 1\n      ) {\n        x\n      }\n    }\n  }\n}"},
    {"{ a(x: \"\\u0000\\u001f\\u007f\\u0080\\u009f\\u00a0 \\\" \\\\ \\/ \\b\\f\\n\\r\\t \303\251 "
     "\360\237\230\200\") }",
     "{\n  a(x: \"\\u0000\\u001F\\u007F\\u0080\\u009F\302\240 \\\" \\\\ / \\b\\f\\n\\r\\t \303\251 "
     "\360\237\230\200\")\n}"},
    {"query Q($a: String = \"\"\"multi\nline\"\"\", $b: Int) { a }",
     "query Q(\n$a: String = \"\"\"\nmulti\nline\n\"\"\"\n$b: Int\n) {\n  a\n}"},
    {"type T { f(a: Int = \"\"\"x\ny\"\"\"): Int }",
     "type T {\n  f(\n    a: Int = \"\"\"\n    x\n    y\n    \"\"\"\n  ): Int\n}"},
    {"\"\"\"  leading\"\"\"\ntype T { a: Int }", "\"\"\"  leading\"\"\"\ntype T {\n  a: Int\n}"},
    {"\"trailing\\n\"\ntype T { a: Int }", "\"trailing\\n\"\ntype T {\n  a: Int\n}"},
    {"\"\\u0001 control\"\ntype T { a: Int }", "\"\\u0001 control\"\ntype T {\n  a: Int\n}"},
    {"\"\"\"\n  indented\n  all\n\"\"\"\ntype T { a: Int }",
     "\"\"\"\nindented\nall\n\"\"\"\ntype T {\n  a: Int\n}"},
    {"query @d { a }", "query @d {\n  a\n}"},
    {"query Q @d { a }", "query Q @d {\n  a\n}"},
    {"mutation M($a: Int) @d { a }", "mutation M($a: Int) @d {\n  a\n}"},
    {"\"\"\"a\n  b\"\"\"\nscalar S", "\"\"\"\na\nb\n\"\"\"\nscalar S"},
    {"\"a\\n b\" scalar S", "\"\"\"\na\n b\n\"\"\"\nscalar S"},
    {"type Q { \"desc\" f(\n\"arg desc\" a: Int, b: Int): Int }",
     "type Q {\n  \"\"\"desc\"\"\"\n  f(\n    \"\"\"arg desc\"\"\"\n    a: Int\n    b: Int\n  ): "
     "Int\n}"},
    {"directive @d(\"desc\" a: Int) on FIELD",
     "directive @d(\n  \"\"\"desc\"\"\"\n  a: Int\n) on FIELD"},
    {"{ a(x: 1.0, y: -1.5e-10, z: 0, w: -0, v: 1E5) }",
     "{\n  a(x: 1.0, y: -1.5e-10, z: 0, w: -0, v: 1E5)\n}"},
    {"query Q($a: Int = 1, $b: [String!]! = [\"x\"] @d) @q(x: 1) { a }",
     "query Q($a: Int = 1, $b: [String!]! = [\"x\"] @d) @q(x: 1) {\n  a\n}"},
    {"query ($a: Int) { a }", "query ($a: Int) {\n  a\n}"},
    {"subscription { a }", "subscription {\n  a\n}"},
    {"{ a { b { c(x: {a: [1, {b: null}], c: ENUM_V, d: $v}) @d(a: \"s\") } } }",
     "{\n  a {\n    b {\n      c(x: {a: [1, {b: null}], c: ENUM_V, d: $v}) @d(a: \"s\")\n    }\n  "
     "}\n}"},
    {"{ f(a: \"\"\"block\n  with indent\"\"\", b: 2) }",
     "{\n  f(a: \"\"\"\n  block\n  with indent\n  \"\"\", b: 2)\n}"},
    {"fragment F on T @d(x: 1) @e { ... on U @f { a } ...G @h }",
     "fragment F on T @d(x: 1) @e {\n  ... on U @f {\n    a\n  }\n  ...G @h\n}"},
    {"type T { f: Int }\n\nextend type T implements I @d { g(a: Int = 1): [T!]! }",
     "type T {\n  f: Int\n}\n\nextend type T implements I @d {\n  g(a: Int = 1): [T!]!\n}"},
    {"extend schema @d { query: Q }", "extend schema @d {\n  query: Q\n}"},
    {"extend union U @d = A | B", "extend union U @d = A | B"},
    {"extend enum E @d { A B }", "extend enum E @d {\n  A\n  B\n}"},
    {"extend input I @d { a: Int }", "extend input I @d {\n  a: Int\n}"},
    {"extend interface I implements J & K", "extend interface I implements J & K"},
    {"directive @d repeatable on FIELD | QUERY", "directive @d repeatable on FIELD | QUERY"},
    {"union U", "union U"},
    {"enum E", "enum E"},
    {"input I", "input I"},
    {"type T", "type T"},
    {"interface I", "interface I"},
    {"{ a(x: \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\") "
     "}",
     "{\n  a(\n    x: "
     "\"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"\n  "
     ")\n}"},
};

static void test_print_matches_graphql_js(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *out = print_doc(parse(cases[i].src));
    if (strcmp(out, cases[i].printed) != 0)
      fail_msg("case %zu printed\n%s\nexpected\n%s", i, out, cases[i].printed);
  }
}

static void test_round_trip(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *once = print_doc(parse(cases[i].src));
    const char *twice = print_doc(parse(once));
    assert_string_equal(once, twice);
  }
}

static const char *print_value_text(const char *value_src) {
  gql_errors errs;
  gql_errors_init(&errs, A);
  gql_value *v = gql_parse_value(A, value_src, strlen(value_src), &errs);
  assert_non_null(v);
  buf *b = arena_alloc(A, sizeof *b);
  buf_init(b, A);
  gql_print_value(b, v);
  return buf_cstr(b);
}

static void test_print_value(void **state) {
  (void)state;
  assert_string_equal(print_value_text("{a:[1,2.5,\"s\",E,null,true,false,[],{}],b:{c:-1e5}}"),
                      "{a: [1, 2.5, \"s\", E, null, true, false, [], {}], b: {c: -1e5}}");
  /* block strings print as block strings, as graphql-js's print() (and
   * printForError, which messages quote literals with) prints them */
  assert_string_equal(print_value_text("\"\"\"block\n  x\"\"\""), "\"\"\"\nblock\nx\n\"\"\"");
  assert_string_equal(print_value_text("[\"\"\"a\"\"\", {k: \"\"\"b\nc\"\"\"}, \"d\"]"),
                      "[\"\"\"a\"\"\", {k: \"\"\"\nb\nc\n\"\"\"}, \"d\"]");
  /* escaping as graphql-js's printString: C0 and C1 controls, quote, backslash */
  assert_string_equal(
      print_value_text(
          "\"a\\u0000\\u0001\\u001f\\u007f\\u0080\\u009f\\u00a0\\\"\\\\\\n\\t\\b\\f\\r\\/"
          "\xc3\xa9\xf0\x9f\x98\x80\""),
      "\"a\\u0000\\u0001\\u001F\\u007F\\u0080\\u009F\xc2\xa0\\\"\\\\\\n\\t\\b\\f\\r/"
      "\xc3\xa9\xf0\x9f\x98\x80\"");
  assert_string_equal(print_value_text("\"\""), "\"\"");
}

static const char *print_block_value(const char *s, size_t n) {
  gql_value v = {.kind = GQL_VALUE_STRING, .str = s, .str_len = n, .block = true};
  buf *b = arena_alloc(A, sizeof *b);
  buf_init(b, A);
  gql_print_value(b, &v);
  return buf_cstr(b);
}

/* printBlockString's layout: on one line unless the value has several
 * lines, is longer than 70 UTF-16 units, ends in a quote, a backslash or an
 * escaped triple quote; a leading newline whenever every later line is
 * indented; a single line that starts with white space keeps its first
 * line. Expected texts from graphql-js 16.15's print() of a StringValue
 * node with block: true. */
static void test_print_block_string_value(void **state) {
  (void)state;
  static const struct {
    const char *value, *printed;
  } block_cases[] = {
      {"x", "\"\"\"x\"\"\""},
      {"", "\"\"\"\"\"\""},
      {"a\nb", "\"\"\"\na\nb\n\"\"\""},
      {"a\n  b", "\"\"\"\na\n  b\n\"\"\""},
      {"  lead", "\"\"\"  lead\"\"\""},
      {"\tlead", "\"\"\"\tlead\"\"\""},
      {"a \"\"\" b", "\"\"\"a \\\"\"\" b\"\"\""},
      {"ends\"", "\"\"\"\nends\"\n\"\"\""},
      {"ends \"\"\"", "\"\"\"\nends \\\"\"\"\n\"\"\""},
      {"\"\"\"", "\"\"\"\n\\\"\"\"\n\"\"\""},
      {"back\\", "\"\"\"\nback\\\n\"\"\""},
      {"\n  a\n  b", "\"\"\"\n\n  a\n  b\n\"\"\""},
      {"a\n\n  b", "\"\"\"\na\n\n  b\n\"\"\""},
      {"a\n b\nc", "\"\"\"\na\n b\nc\n\"\"\""},
      {" x\n y", "\"\"\"\n x\n y\n\"\"\""},
      {"line\n", "\"\"\"\nline\n\n\"\"\""},
      {"\n", "\"\"\"\n\n\n\"\"\""},
      {"a\r\nb", "\"\"\"\na\r\nb\n\"\"\""},
  };
  for (size_t i = 0; i < sizeof block_cases / sizeof *block_cases; i++) {
    const char *got = print_block_value(block_cases[i].value, strlen(block_cases[i].value));
    if (strcmp(got, block_cases[i].printed) != 0)
      fail_msg("case %zu: got [%s], expected [%s]", i, got, block_cases[i].printed);
  }

  /* 70 UTF-16 units stay on one line, 71 do not: "é😀" counts 3 (6 bytes) */
  char text[80];
  memset(text, 'y', sizeof text);
  assert_int_equal(print_block_value(text, 70)[3], 'y');
  assert_int_equal(print_block_value(text, 71)[3], '\n');
  memcpy(text, "\xc3\xa9\xf0\x9f\x98\x80", 6);
  assert_int_equal(print_block_value(text, 6 + 67)[3], '\xc3');
  assert_int_equal(print_block_value(text, 6 + 68)[3], '\n');
}

static void test_print_value_without_text(void **state) {
  (void)state;
  /* coerced values carry numbers, not literal text: printed as JavaScript would */
  static const struct {
    double v;
    const char *want;
  } floats[] = {
      {1.5, "1.5"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000"},
      {0.1, "0.1"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {123456789.125, "123456789.125"},
      {-0.000001, "-0.000001"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {100, "100"},
      {-2.5e-5, "-0.000025"},
      {1.0 / 3.0, "0.3333333333333333"},
      {0.0, "0"},
  };
  for (size_t i = 0; i < sizeof floats / sizeof *floats; i++) {
    gql_value v = {.kind = GQL_VALUE_FLOAT, .fval = floats[i].v};
    buf b;
    buf_init(&b, NULL);
    gql_print_value(&b, &v);
    assert_string_equal(buf_cstr(&b), floats[i].want);
    buf_free(&b);
  }
  gql_value i64 = {.kind = GQL_VALUE_INT, .ival = INT64_MIN};
  gql_value s = {.kind = GQL_VALUE_STRING, .str = "a\0b", .str_len = 3};
  gql_value *items[] = {&i64, &s};
  gql_value list = {.kind = GQL_VALUE_LIST, .items = items, .n_items = 2};
  buf b;
  buf_init(&b, NULL);
  gql_print_value(&b, &list);
  assert_string_equal(buf_cstr(&b), "[-9223372036854775808, \"a\\u0000b\"]");
  buf_free(&b);
}

static void test_print_type_ref(void **state) {
  (void)state;
  gql_document *d = parse("query ($a: [[Int!]]!, $b: String, $c: [B]) { a }");
  const char *want[] = {"[[Int!]]!", "String", "[B]"};
  for (size_t i = 0; i < 3; i++) {
    buf b;
    buf_init(&b, NULL);
    gql_print_type_ref(&b, d->defs[0].u.operation.vars[i].type);
    assert_string_equal(buf_cstr(&b), want[i]);
    buf_free(&b);
  }
}

static void test_long_arguments_wrap(void **state) {
  (void)state;
  /* graphql-js puts field arguments on their own lines past 80 columns */
  const char *out = print_doc(parse("{ a { field(first: \"aaaaaaaaaaaaaaaaaaaaaaaa\", second: "
                                    "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\") { x } } }"));
  assert_string_equal(out, "{\n"
                           "  a {\n"
                           "    field(\n"
                           "      first: \"aaaaaaaaaaaaaaaaaaaaaaaa\"\n"
                           "      second: \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"\n"
                           "    ) {\n"
                           "      x\n"
                           "    }\n"
                           "  }\n"
                           "}");
  /* 80 columns exactly still fit; 81 do not */
  out = print_doc(parse(
      "{ f(a: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") }"));
  assert_string_equal(
      out,
      "{\n  f(a: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\")\n}");
  out = print_doc(parse(
      "{ f(a: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\") }"));
  assert_string_equal(
      out, "{\n  f(\n    a: "
           "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n  )\n}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_print_matches_graphql_js, setup, teardown),
      cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_print_value, setup, teardown),
      cmocka_unit_test_setup_teardown(test_print_block_string_value, setup, teardown),
      cmocka_unit_test_setup_teardown(test_print_value_without_text, setup, teardown),
      cmocka_unit_test_setup_teardown(test_print_type_ref, setup, teardown),
      cmocka_unit_test_setup_teardown(test_long_arguments_wrap, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
