/* test_parser.c — tests of graphql/parser.c: the AST of valid documents
 * (executable and SDL), every class of syntax error with graphql-js's exact
 * message and location, the limits, and hostile input (deep nesting, broken
 * UTF-8). The expected errors were taken from graphql-js 16. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "graphql/parser.h"

/* ---- helpers ---- */

static arena *A;
static gql_errors ERRS;

static int setup(void **state) {
  (void)state;
  A = arena_new(0);
  gql_errors_init(&ERRS, A);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  arena_free(A);
  A = NULL;
  return 0;
}

static gql_document *parse_ok(const char *src) {
  gql_errors_init(&ERRS, A);
  gql_document *d = gql_parse(A, src, strlen(src), NULL, &ERRS);
  if (!d)
    fail_msg("unexpected error for %s: %s", src, ERRS.items[0]->message);
  assert_int_equal(ERRS.n, 0);
  return d;
}

/* Parses src[0..len) with lim, expects exactly one error and checks it. */
static void expect_error_n(const char *src, size_t len, const gql_limits *lim, const char *msg,
                           uint32_t line, uint32_t col) {
  gql_errors_init(&ERRS, A);
  gql_document *d = gql_parse(A, src, len, lim, &ERRS);
  if (d)
    fail_msg("expected an error for \"%.*s\"", (int)(len > 200 ? 200 : len), src);
  assert_int_equal(ERRS.n, 1);
  assert_string_equal(ERRS.items[0]->message, msg);
  assert_int_equal(ERRS.items[0]->n_locations, 1);
  if (ERRS.items[0]->locations[0].line != line || ERRS.items[0]->locations[0].column != col)
    fail_msg("%s: location %u:%u, expected %u:%u", msg, ERRS.items[0]->locations[0].line,
             ERRS.items[0]->locations[0].column, line, col);
}

static void expect_error(const char *src, const char *msg, uint32_t line, uint32_t col) {
  expect_error_n(src, strlen(src), NULL, msg, line, col);
}

static const gql_argument *arg(const gql_selection *s, const char *name) {
  for (size_t i = 0; i < s->n_args; i++)
    if (strcmp(s->args[i].name, name) == 0)
      return &s->args[i];
  fail_msg("no argument %s", name);
  return NULL;
}

#define ASSERT_LOC(l, ln, col)                                                                     \
  do {                                                                                             \
    assert_int_equal((l).line, (ln));                                                              \
    assert_int_equal((l).column, (col));                                                           \
  } while (0)

/* ---- syntax errors (messages and locations as graphql-js 16 reports them) ---- */

typedef struct error_case {
  const char *src;
  size_t len;
  const char *msg;
  uint32_t line, col;
} error_case;

#define E(src, msg, line, col)                                                                     \
  { src, sizeof(src) - 1, msg, line, col }

static const error_case error_cases[] = {
    E("\000", "Syntax Error: Unexpected character: U+0000.", 1, 1),
    E("\077", "Syntax Error: Unexpected character: \"\077\".", 1, 1),
    E("\303\251", "Syntax Error: Unexpected character: U+00E9.", 1, 1),
    E("\360\237\230\200", "Syntax Error: Unexpected character: U+1F600.", 1, 1),
    E("'a'",
      "Syntax Error: Unexpected single quote character ('), did you mean to use a double quote "
      "(\")\077",
      1, 1),
    E("..", "Syntax Error: Unexpected character: \".\".", 1, 1),
    E(".", "Syntax Error: Unexpected character: \".\".", 1, 1),
    E("{ a ^ }", "Syntax Error: Unexpected character: \"^\".", 1, 5),
    E("\007", "Syntax Error: Unexpected character: U+0007.", 1, 1),
    E("0x", "Syntax Error: Invalid number, expected digit but got: \"x\".", 1, 2),
    E("1.", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 3),
    E("1e", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 3),
    E("00", "Syntax Error: Invalid number, unexpected digit after 0: \"0\".", 1, 2),
    E("1a", "Syntax Error: Invalid number, expected digit but got: \"a\".", 1, 2),
    E("1.2.3", "Syntax Error: Invalid number, expected digit but got: \".\".", 1, 4),
    E("01.5", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 1, 2),
    E("1e+", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 4),
    E("-", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 2),
    E("- 1", "Syntax Error: Invalid number, expected digit but got: \" \".", 1, 2),
    E("-a", "Syntax Error: Invalid number, expected digit but got: \"a\".", 1, 2),
    E("1_", "Syntax Error: Invalid number, expected digit but got: \"_\".", 1, 2),
    E("-01", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 1, 3),
    E("1.e5", "Syntax Error: Invalid number, expected digit but got: \"e\".", 1, 3),
    E("1.5e", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 1, 5),
    E("0.x", "Syntax Error: Invalid number, expected digit but got: \"x\".", 1, 3),
    E("1E-x", "Syntax Error: Invalid number, expected digit but got: \"x\".", 1, 4),
    E("12.34.5", "Syntax Error: Invalid number, expected digit but got: \".\".", 1, 6),
    E("0xF", "Syntax Error: Invalid number, expected digit but got: \"x\".", 1, 2),
    E("\"abc", "Syntax Error: Unterminated string.", 1, 5),
    E("\"a\nb\"", "Syntax Error: Unterminated string.", 1, 3),
    E("\"a\rb\"", "Syntax Error: Unterminated string.", 1, 3),
    E("\"a\\q\"", "Syntax Error: Invalid character escape sequence: \"\\q\".", 1, 3),
    E("\"\\u12G4\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u12G4\".", 1, 2),
    E("\"\\u{110000}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{110000}\".", 1, 2),
    E("\"\\u{}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{}\".", 1, 2),
    E("\"\\uD800\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD800\".", 1, 2),
    E("\"\\uDE00\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uDE00\".", 1, 2),
    E("\"\\u{D800}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{D800}\".", 1, 2),
    E("\"\\u{80000000}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{80000000\".", 1,
      2),
    E("\"\\u{7FFFFFFF}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{7FFFFFFF}\".", 1,
      2),
    E("\"\\u{12G}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{12G\".", 1, 2),
    E("\"\\u{123456789}\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{123456789\".", 1,
      2),
    E("\"\\u{41\"", "Syntax Error: Invalid Unicode escape sequence: \"\\u{41\"\".", 1, 2),
    E("\"\\", "Syntax Error: Invalid character escape sequence: \"\\\".", 1, 2),
    E("\"\\u00", "Syntax Error: Invalid Unicode escape sequence: \"\\u00\".", 1, 2),
    E("\"\\uD83D\\u0041\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".", 1, 2),
    E("\"\\uD83Dx\"", "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".", 1, 2),
    E("\"\\x\"", "Syntax Error: Invalid character escape sequence: \"\\x\".", 1, 2),
    E("\"\\\303\251\"", "Syntax Error: Invalid character escape sequence: \"\\\303\251\".", 1, 2),
    E("\"\"\"abc", "Syntax Error: Unterminated string.", 1, 7),
    E("\"\"\"abc\"\"", "Syntax Error: Unterminated string.", 1, 9),
    E("\"\"\"a\\\"\"\"", "Syntax Error: Unterminated string.", 1, 9),
    E("{ a(x: \"\303\251\303\251\" b: \077) }", "Syntax Error: Unexpected character: \"\077\".", 1,
      16),
    E("{ a(x: \"\360\237\230\200\" b: \077) }", "Syntax Error: Unexpected character: \"\077\".", 1,
      16),
    E("# comment \360\237\230\200\n  \077", "Syntax Error: Unexpected character: \"\077\".", 2, 3),
    E("\357\273\277\077", "Syntax Error: Unexpected character: \"\077\".", 1, 2),
    E("{\r\n a\r\n \077}", "Syntax Error: Unexpected character: \"\077\".", 3, 2),
    E("{\r a\r \077}", "Syntax Error: Unexpected character: \"\077\".", 3, 2),
    E("{\n\n  a(x: \"\"\"\n  \303\251\n  \360\237\230\200\"\"\", y: \077) }",
      "Syntax Error: Unexpected character: \"\077\".", 5, 13),
    E("", "Syntax Error: Unexpected <EOF>.", 1, 1),
    E("   ", "Syntax Error: Unexpected <EOF>.", 1, 4),
    E("# only a comment", "Syntax Error: Unexpected <EOF>.", 1, 17),
    E("{a", "Syntax Error: Expected Name, found <EOF>.", 1, 3),
    E("{}", "Syntax Error: Expected Name, found \"}\".", 1, 2),
    E("{ a }}", "Syntax Error: Unexpected \"}\".", 1, 6),
    E("query", "Syntax Error: Expected \"{\", found <EOF>.", 1, 6),
    E("query {a} \"d\"", "Syntax Error: Unexpected <EOF>.", 1, 14),
    E("1", "Syntax Error: Unexpected Int \"1\".", 1, 1),
    E("\"d\" 1", "Syntax Error: Unexpected Int \"1\".", 1, 5),
    E("query { a(x:) }", "Syntax Error: Unexpected \")\".", 1, 13),
    E("query Q($a: Int = $b) { a }", "Syntax Error: Unexpected variable \"$b\" in constant value.",
      1, 19),
    E("query Q($a: Int = $) { a }", "Syntax Error: Unexpected \"$\".", 1, 19),
    E("query Q($a: Int = [$b]) { a }",
      "Syntax Error: Unexpected variable \"$b\" in constant value.", 1, 20),
    E("query Q($a: Int @d(x: $b)) { a }",
      "Syntax Error: Unexpected variable \"$b\" in constant value.", 1, 23),
    E("fragment on on T { a }", "Syntax Error: Unexpected Name \"on\".", 1, 10),
    E("fragment F T { a }", "Syntax Error: Expected \"on\", found Name \"T\".", 1, 12),
    E("fragment F($a: Int) on T { a }", "Syntax Error: Expected \"on\", found \"(\".", 1, 11),
    E("fragment F on { a }", "Syntax Error: Expected Name, found \"{\".", 1, 15),
    E("{ ...on }", "Syntax Error: Expected Name, found \"}\".", 1, 9),
    E("{ ... on { a } }", "Syntax Error: Expected Name, found \"{\".", 1, 10),
    E("{ a(x: 1)(y: 2) }", "Syntax Error: Expected Name, found \"(\".", 1, 10),
    E("{ a: b: c }", "Syntax Error: Expected Name, found \":\".", 1, 7),
    E("{ a @ }", "Syntax Error: Expected Name, found \"}\".", 1, 7),
    E("{ a(x: [1 2 3] y: {a b}) }", "Syntax Error: Expected \":\", found Name \"b\".", 1, 22),
    E("{ a(x: {}) b(y: {a}) }", "Syntax Error: Expected \":\", found \"}\".", 1, 19),
    E("{ a(x: $) }", "Syntax Error: Expected Name, found \")\".", 1, 9),
    E("{ a(x: ]) }", "Syntax Error: Unexpected \"]\".", 1, 8),
    E("query Q Q2 { a }", "Syntax Error: Expected \"{\", found Name \"Q2\".", 1, 9),
    E("query Q { a } fragment", "Syntax Error: Expected Name, found <EOF>.", 1, 23),
    E("query ($a) { a }", "Syntax Error: Expected \":\", found \")\".", 1, 10),
    E("query ($a: ) { a }", "Syntax Error: Expected Name, found \")\".", 1, 12),
    E("query ($a: [Int) { a }", "Syntax Error: Expected \"]\", found \")\".", 1, 16),
    E("query ($a: Int!!) { a }", "Syntax Error: Expected \"$\", found \"!\".", 1, 16),
    E("query () { a }", "Syntax Error: Expected \"$\", found \")\".", 1, 8),
    E("query ($a: Int) @ { a }", "Syntax Error: Expected Name, found \"{\".", 1, 19),
    E("mutation", "Syntax Error: Expected \"{\", found <EOF>.", 1, 9),
    E("subscription S", "Syntax Error: Expected \"{\", found <EOF>.", 1, 15),
    E("query Q { a } {", "Syntax Error: Expected Name, found <EOF>.", 1, 16),
    E("\"desc\" { a }",
      "Syntax Error: Unexpected description, descriptions are not supported on shorthand queries.",
      1, 1),
    E("\"d\" extend type A @a",
      "Syntax Error: Unexpected description, only GraphQL definitions support descriptions.", 1, 1),
    E("\"d\" foo",
      "Syntax Error: Unexpected description, only GraphQL definitions support descriptions.", 1, 1),
    E("\"d\"", "Syntax Error: Unexpected <EOF>.", 1, 4),
    E("directive @d on FOO", "Syntax Error: Unexpected Name \"FOO\".", 1, 17),
    E("directive @d on", "Syntax Error: Expected Name, found <EOF>.", 1, 16),
    E("directive @d repeatable FIELD", "Syntax Error: Expected \"on\", found Name \"FIELD\".", 1,
      25),
    E("directive d on FIELD", "Syntax Error: Expected \"@\", found Name \"d\".", 1, 11),
    /* no directives on directive definitions (graphql-js 16.15's default) */
    E("directive @x @y on DIRECTIVE_DEFINITION", "Syntax Error: Expected \"on\", found \"@\".", 1,
      14),
    E("directive @d(a) on FIELD", "Syntax Error: Expected \":\", found \")\".", 1, 15),
    E("directive @d on FIELD |", "Syntax Error: Expected Name, found <EOF>.", 1, 24),
    E("directive @d on field", "Syntax Error: Unexpected Name \"field\".", 1, 17),
    E("schema { foo: Q }", "Syntax Error: Unexpected Name \"foo\".", 1, 10),
    E("schema { query Q }", "Syntax Error: Expected \":\", found Name \"Q\".", 1, 16),
    E("schema {}", "Syntax Error: Expected Name, found \"}\".", 1, 9),
    E("schema @d", "Syntax Error: Expected \"{\", found <EOF>.", 1, 10),
    E("extend schema", "Syntax Error: Unexpected <EOF>.", 1, 14),
    E("extend schema {}", "Syntax Error: Expected Name, found \"}\".", 1, 16),
    E("extend scalar X", "Syntax Error: Unexpected <EOF>.", 1, 16),
    E("extend type T", "Syntax Error: Unexpected <EOF>.", 1, 14),
    E("extend interface I", "Syntax Error: Unexpected <EOF>.", 1, 19),
    E("extend union U", "Syntax Error: Unexpected <EOF>.", 1, 15),
    E("extend enum E", "Syntax Error: Unexpected <EOF>.", 1, 14),
    E("extend input I", "Syntax Error: Unexpected <EOF>.", 1, 15),
    E("extend directive @d on FIELD", "Syntax Error: Unexpected Name \"directive\".", 1, 8),
    E("extend foo", "Syntax Error: Unexpected Name \"foo\".", 1, 8),
    E("extend", "Syntax Error: Unexpected <EOF>.", 1, 7),
    E("extend \"x\"", "Syntax Error: Unexpected String \"x\".", 1, 8),
    E("type T {}", "Syntax Error: Expected Name, found \"}\".", 1, 9),
    E("type T { a }", "Syntax Error: Expected \":\", found \"}\".", 1, 12),
    E("type T { a: }", "Syntax Error: Expected Name, found \"}\".", 1, 13),
    E("type T { a(): Int }", "Syntax Error: Expected Name, found \")\".", 1, 12),
    E("type T implements { a: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 19),
    E("type T implements A & { a: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 23),
    E("type T implements A B { a: Int }", "Syntax Error: Unexpected Name \"B\".", 1, 21),
    E("type T { a: Int = 1 }", "Syntax Error: Expected Name, found \"=\".", 1, 17),
    E("union U =", "Syntax Error: Expected Name, found <EOF>.", 1, 10),
    E("union U = A |", "Syntax Error: Expected Name, found <EOF>.", 1, 14),
    E("union U = | | A", "Syntax Error: Expected Name, found \"|\".", 1, 13),
    E("enum E {}", "Syntax Error: Expected Name, found \"}\".", 1, 9),
    E("enum E { true }",
      "Syntax Error: Name \"true\" is reserved and cannot be used for an enum value.", 1, 10),
    E("enum E { false }",
      "Syntax Error: Name \"false\" is reserved and cannot be used for an enum value.", 1, 10),
    E("enum E { null }",
      "Syntax Error: Name \"null\" is reserved and cannot be used for an enum value.", 1, 10),
    E("enum E { \"d\" \"true\" }",
      "Syntax Error: String \"true\" is reserved and cannot be used for an enum value.", 1, 14),
    E("enum E { A(x: 1) }", "Syntax Error: Expected Name, found \"(\".", 1, 11),
    E("input I { a: Int = $v }", "Syntax Error: Unexpected variable \"$v\" in constant value.", 1,
      20),
    E("input I { a(x: Int): Int }", "Syntax Error: Expected \":\", found \"(\".", 1, 12),
    E("input I {}", "Syntax Error: Expected Name, found \"}\".", 1, 10),
    E("scalar", "Syntax Error: Expected Name, found <EOF>.", 1, 7),
    E("scalar S S2", "Syntax Error: Unexpected Name \"S2\".", 1, 10),
    E("interface I implements & { a: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 26),
    E("query { a(x: 9223372036854775808 y: \077) }",
      "Syntax Error: Unexpected character: \"\077\".", 1, 37),
};

static void test_syntax_errors(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof error_cases / sizeof *error_cases; i++) {
    const error_case *c = &error_cases[i];
    expect_error_n(c->src, c->len, NULL, c->msg, c->line, c->col);
  }
}

/* ---- broken UTF-8 is an error wherever it appears, never a crash ---- */

static void test_broken_utf8(void **state) {
  (void)state;
  static const struct {
    const char *src;
    uint32_t col;
  } cases[] = {
      {"{ a(x: \"\xff\") }", 9},             /* invalid byte in a string */
      {"{ a(x: \"\xc3\") }", 9},             /* truncated sequence */
      {"{ a(x: \"\xc0\xaf\") }", 9},         /* overlong '/' */
      {"{ a(x: \"\xe0\x80\xaf\") }", 9},     /* overlong, 3 bytes */
      {"{ a(x: \"\xed\xa0\x80\") }", 9},     /* encoded surrogate U+D800 */
      {"{ a(x: \"\xf4\x90\x80\x80\") }", 9}, /* past U+10FFFF */
      {"{ a(x: \"\xf5\x80\x80\x80\") }", 9},
      {"{ a(x: \"\x80\") }", 9},             /* lone continuation byte */
      {"{ a(x: \"\"\"ok\n\xfe\"\"\") }", 1}, /* in a block string, line 2 */
      {"# comment \xc3\x28\n{ a }", 11},     /* in a comment */
      {"{ a \xff }", 5},                     /* between tokens */
      {"{ a \xe2\x82 }", 5},                 /* truncated between tokens */
      {"\xef\xbb{ a }", 1},                  /* half a BOM */
      {"{ a(x: \"\xc3\xa9\xff\") }", 10},    /* after a valid character */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    uint32_t line = strchr(cases[i].src, '\n') && strstr(cases[i].src, "\"\"\"") ? 2 : 1;
    expect_error(cases[i].src, "Syntax Error: Invalid UTF-8 sequence.", line, cases[i].col);
  }
}

static void test_embedded_nul(void **state) {
  (void)state;
  /* NUL inside a string is a character like any other (graphql-js accepts it) */
  static const char src[] = "{ a(x: \"a\0b\") }";
  gql_document *d = gql_parse(A, src, sizeof src - 1, NULL, &ERRS);
  assert_non_null(d);
  const gql_value *v = d->defs[0].u.operation.selection_set->items[0].args[0].value;
  assert_int_equal(v->str_len, 3);
  assert_memory_equal(v->str, "a\0b", 4);
  /* outside strings it is an unexpected character, and the rest is not read */
  static const char src2[] = "{ a }\0{ b }";
  expect_error_n(src2, sizeof src2 - 1, NULL, "Syntax Error: Unexpected character: U+0000.", 1, 6);
}

/* ---- executable documents ---- */

static const char kitchen_sink_query[] =
    "# Every executable construct, in one document.\n"
    "query RunsPage($limit: Int = 10, $cursor: String, $filter: RunsFilter = {statuses: [QUEUED, "
    "STARTED], tags: [{key: \"team\", value: \"data\"}]}, $flag: Boolean! @deprecated) @live {\n"
    "  pipelineRunsOrError(filter: $filter, cursor: $cursor, limit: $limit) {\n"
    "    __typename\n"
    "    ... on Runs @include(if: $flag) {\n"
    "      results {\n"
    "        id: runId,\n"
    "        status\n"
    "        stats: statsOrError { ...RunStats @skip(if: false) }\n"
    "        tags { key value }\n"
    "      }\n"
    "    }\n"
    "    ... @defer(label: \"slow\") { count }\n"
    "    ... { __typename }\n"
    "    ... on PythonError { message stack }\n"
    "  }\n"
    "  nums: echo(int: -42, zero: 0, float: 3.25e-2, big: 1E10, neg: -0.5, str: \"tab\\tquote\\\" "
    "\\u00e9 \\u{1F600}\", empty: \"\", list: [], obj: {}, nested: [[1], [2, [3]]], enum: SUCCESS, "
    "nul: null, yes: true, no: false, block: \"\"\"\n"
    "      First line\n"
    "        indented\n"
    "      last\n"
    "  \"\"\")\n"
    "}\n"
    "\n"
    "mutation Launch($params: ExecutionParams!) @trace {\n"
    "  launchRun(executionParams: $params) { __typename ... on LaunchRunSuccess { run { runId } } "
    "}\n"
    "}\n"
    "\n"
    "subscription Events($runId: ID!, $after: Cursor) {\n"
    "  pipelineRunLogs(runId: $runId, cursor: $after) { __typename }\n"
    "}\n"
    "\n"
    "fragment RunStats on RunStatsSnapshot @fragmentLevel(depth: 1) {\n"
    "  stepsSucceeded, stepsFailed\n"
    "  startTime endTime\n"
    "}\n"
    "\n"
    "{\n"
    "  version\n"
    "  alias: instance { info }\n"
    "}\n";

static void test_kitchen_sink_query(void **state) {
  (void)state;
  gql_document *d = parse_ok(kitchen_sink_query);
  assert_int_equal(d->n_defs, 5);

  /* query RunsPage(...) @live { ... } */
  const gql_definition *def = &d->defs[0];
  assert_int_equal(def->kind, GQL_DEF_OPERATION);
  ASSERT_LOC(def->loc, 2, 1);
  const gql_operation *op = &def->u.operation;
  assert_int_equal(op->type, GQL_OP_QUERY);
  assert_string_equal(op->name, "RunsPage");
  ASSERT_LOC(op->name_loc, 2, 7);
  assert_int_equal(op->n_vars, 4);
  assert_string_equal(op->vars[0].name, "limit");
  ASSERT_LOC(op->vars[0].loc, 2, 16);
  ASSERT_LOC(op->vars[0].name_loc, 2, 17);
  assert_int_equal(op->vars[0].type->kind, GQL_TYPE_REF_NAMED);
  assert_string_equal(op->vars[0].type->name, "Int");
  assert_int_equal(op->vars[0].default_value->kind, GQL_VALUE_INT);
  assert_int_equal(op->vars[0].default_value->ival, 10);
  assert_null(op->vars[1].default_value);
  ASSERT_LOC(op->vars[1].loc, 2, 34);
  const gql_value *filter = op->vars[2].default_value;
  assert_int_equal(filter->kind, GQL_VALUE_OBJECT);
  assert_int_equal(filter->n_fields, 2);
  assert_string_equal(filter->fields[0].name, "statuses");
  assert_int_equal(filter->fields[0].value->kind, GQL_VALUE_LIST);
  assert_int_equal(filter->fields[0].value->n_items, 2);
  assert_int_equal(filter->fields[0].value->items[1]->kind, GQL_VALUE_ENUM);
  assert_string_equal(filter->fields[0].value->items[1]->str, "STARTED");
  const gql_value *tags = filter->fields[1].value;
  assert_int_equal(tags->n_items, 1);
  assert_string_equal(tags->items[0]->fields[1].name, "value");
  assert_string_equal(tags->items[0]->fields[1].value->str, "data");
  const gql_type_ref *flag = op->vars[3].type;
  ASSERT_LOC(op->vars[3].loc, 2, 142);
  assert_int_equal(flag->kind, GQL_TYPE_REF_NON_NULL);
  assert_int_equal(flag->of->kind, GQL_TYPE_REF_NAMED);
  assert_string_equal(flag->of->name, "Boolean");
  assert_int_equal(op->vars[3].n_directives, 1);
  assert_string_equal(op->vars[3].directives[0].name, "deprecated");
  assert_int_equal(op->n_directives, 1);
  assert_string_equal(op->directives[0].name, "live");
  assert_int_equal(op->directives[0].n_args, 0);

  assert_int_equal(op->selection_set->n_items, 2);
  const gql_selection *runs = &op->selection_set->items[0];
  assert_int_equal(runs->kind, GQL_SELECTION_FIELD);
  assert_null(runs->alias);
  assert_string_equal(runs->name, "pipelineRunsOrError");
  ASSERT_LOC(runs->loc, 3, 3);
  assert_int_equal(runs->n_args, 3);
  assert_int_equal(arg(runs, "cursor")->value->kind, GQL_VALUE_VARIABLE);
  assert_string_equal(arg(runs, "cursor")->value->str, "cursor");
  ASSERT_LOC(runs->selection_set->loc, 3, 72);
  assert_int_equal(runs->selection_set->n_items, 5);
  assert_null(runs->selection_set->items[0].selection_set);

  const gql_selection *inl = &runs->selection_set->items[1];
  assert_int_equal(inl->kind, GQL_SELECTION_INLINE_FRAGMENT);
  ASSERT_LOC(inl->loc, 5, 5);
  assert_string_equal(inl->type_condition, "Runs");
  ASSERT_LOC(inl->type_condition_loc, 5, 12);
  assert_int_equal(inl->n_directives, 1);
  ASSERT_LOC(inl->directives[0].loc, 5, 17);
  assert_string_equal(inl->directives[0].args[0].name, "if");
  const gql_selection *results = &inl->selection_set->items[0];
  const gql_selection *id = &results->selection_set->items[0];
  assert_string_equal(id->alias, "id");
  assert_string_equal(id->name, "runId");
  const gql_selection *stats = &results->selection_set->items[2];
  assert_string_equal(stats->alias, "stats");
  const gql_selection *spread = &stats->selection_set->items[0];
  assert_int_equal(spread->kind, GQL_SELECTION_FRAGMENT_SPREAD);
  assert_string_equal(spread->name, "RunStats");
  ASSERT_LOC(spread->name_loc, 9, 34);
  assert_int_equal(spread->n_directives, 1);
  assert_int_equal(spread->directives[0].args[0].value->kind, GQL_VALUE_BOOLEAN);
  assert_false(spread->directives[0].args[0].value->boolean);

  const gql_selection *deferred = &runs->selection_set->items[2];
  assert_int_equal(deferred->kind, GQL_SELECTION_INLINE_FRAGMENT);
  assert_null(deferred->type_condition);
  assert_int_equal(deferred->n_directives, 1);
  const gql_selection *bare = &runs->selection_set->items[3];
  assert_null(bare->type_condition);
  assert_int_equal(bare->n_directives, 0);

  /* the field with one argument of every kind of value */
  const gql_selection *nums = &op->selection_set->items[1];
  assert_string_equal(nums->alias, "nums");
  ASSERT_LOC(nums->loc, 17, 3);
  assert_int_equal(nums->n_args, 15);
  ASSERT_LOC(arg(nums, "int")->loc, 17, 14);
  ASSERT_LOC(arg(nums, "int")->name_loc, 17, 14);
  ASSERT_LOC(arg(nums, "int")->value->loc, 17, 19);
  assert_int_equal(arg(nums, "int")->value->ival, -42);
  assert_true(arg(nums, "int")->value->fval == -42.0);
  assert_string_equal(arg(nums, "int")->value->str, "-42");
  assert_int_equal(arg(nums, "zero")->value->ival, 0);
  const gql_value *fl = arg(nums, "float")->value;
  assert_int_equal(fl->kind, GQL_VALUE_FLOAT);
  assert_string_equal(fl->str, "3.25e-2");
  assert_true(fl->fval == 0.0325);
  assert_int_equal(arg(nums, "big")->value->kind, GQL_VALUE_FLOAT);
  assert_true(arg(nums, "big")->value->fval == 1e10);
  assert_true(arg(nums, "neg")->value->fval == -0.5);
  const gql_value *str = arg(nums, "str")->value;
  ASSERT_LOC(str->loc, 17, 76);
  assert_int_equal(str->kind, GQL_VALUE_STRING);
  assert_false(str->block);
  assert_int_equal(str->str_len, 18);
  assert_string_equal(str->str, "tab\tquote\" \xc3\xa9 \xf0\x9f\x98\x80");
  ASSERT_LOC(arg(nums, "empty")->loc, 17, 109);
  assert_int_equal(arg(nums, "empty")->value->str_len, 0);
  assert_string_equal(arg(nums, "empty")->value->str, "");
  assert_int_equal(arg(nums, "list")->value->kind, GQL_VALUE_LIST);
  assert_int_equal(arg(nums, "list")->value->n_items, 0);
  assert_int_equal(arg(nums, "obj")->value->kind, GQL_VALUE_OBJECT);
  assert_int_equal(arg(nums, "obj")->value->n_fields, 0);
  const gql_value *nested = arg(nums, "nested")->value;
  assert_int_equal(nested->n_items, 2);
  assert_int_equal(nested->items[1]->items[1]->items[0]->ival, 3);
  ASSERT_LOC(nested->loc, 17, 147);
  assert_int_equal(arg(nums, "enum")->value->kind, GQL_VALUE_ENUM);
  assert_string_equal(arg(nums, "enum")->value->str, "SUCCESS");
  assert_int_equal(arg(nums, "nul")->value->kind, GQL_VALUE_NULL);
  ASSERT_LOC(arg(nums, "nul")->value->loc, 17, 184);
  assert_true(arg(nums, "yes")->value->boolean);
  assert_false(arg(nums, "no")->value->boolean);
  const gql_value *block = arg(nums, "block")->value;
  ASSERT_LOC(block->loc, 17, 219);
  assert_true(block->block);
  assert_string_equal(block->str, "First line\n  indented\nlast");

  assert_int_equal(d->defs[1].u.operation.type, GQL_OP_MUTATION);
  assert_string_equal(d->defs[1].u.operation.directives[0].name, "trace");
  assert_int_equal(d->defs[2].u.operation.type, GQL_OP_SUBSCRIPTION);
  assert_int_equal(d->defs[2].u.operation.vars[1].type->kind, GQL_TYPE_REF_NAMED);

  const gql_definition *frag = &d->defs[3];
  assert_int_equal(frag->kind, GQL_DEF_FRAGMENT);
  ASSERT_LOC(frag->loc, 32, 1);
  assert_string_equal(frag->u.fragment.name, "RunStats");
  ASSERT_LOC(frag->u.fragment.name_loc, 32, 10);
  assert_string_equal(frag->u.fragment.type_condition, "RunStatsSnapshot");
  ASSERT_LOC(frag->u.fragment.type_condition_loc, 32, 22);
  assert_int_equal(frag->u.fragment.n_directives, 1);
  assert_int_equal(frag->u.fragment.selection_set->n_items, 4);

  const gql_definition *shorthand = &d->defs[4];
  ASSERT_LOC(shorthand->loc, 37, 1);
  assert_int_equal(shorthand->u.operation.type, GQL_OP_QUERY);
  assert_null(shorthand->u.operation.name);
  assert_int_equal(shorthand->u.operation.n_vars, 0);
  ASSERT_LOC(shorthand->u.operation.selection_set->items[1].loc, 39, 3);
  assert_null(shorthand->u.operation.selection_set->items[0].cache);
}

static void test_values_numbers(void **state) {
  (void)state;
  gql_document *d =
      parse_ok("{ f(a: 9223372036854775807, b: 9223372036854775808, c: -9223372036854775808,"
               " d: -9223372036854775809, e: 123456789012345678901234567890, f: 0.1,"
               " g: -1.5E+3, h: 1e-400, i: -0) }");
  const gql_selection *f = &d->defs[0].u.operation.selection_set->items[0];
  const gql_value *a = arg(f, "a")->value, *b = arg(f, "b")->value, *c = arg(f, "c")->value,
                  *dv = arg(f, "d")->value, *e = arg(f, "e")->value;
  assert_false(a->int_overflow);
  assert_true(a->ival == INT64_MAX);
  assert_true(b->int_overflow);
  assert_true(b->fval == 9223372036854775808.0);
  assert_string_equal(b->str, "9223372036854775808");
  assert_false(c->int_overflow);
  assert_true(c->ival == INT64_MIN);
  assert_true(dv->int_overflow);
  assert_true(e->int_overflow);
  assert_true(e->fval > 1.2e29 && e->fval < 1.3e29);
  assert_true(arg(f, "f")->value->fval == 0.1);
  assert_true(arg(f, "g")->value->fval == -1500.0);
  assert_true(arg(f, "h")->value->fval == 0.0);
  assert_int_equal(arg(f, "i")->value->kind, GQL_VALUE_INT);
  assert_int_equal(arg(f, "i")->value->ival, 0);
}

static void test_variables_and_directives(void **state) {
  (void)state;
  gql_document *d = parse_ok("query ($a: [[Int!]]! = [[1, 2], null] @x(y: 1) @z, $b: In = {a: [B]})"
                             " @dir(arg: [$a, {b: $b}]) { f(a: $a) @include(if: $b) }");
  const gql_operation *op = &d->defs[0].u.operation;
  assert_null(op->name);
  ASSERT_LOC(op->name_loc, 0, 0);
  const gql_type_ref *t = op->vars[0].type;
  assert_int_equal(t->kind, GQL_TYPE_REF_NON_NULL);
  ASSERT_LOC(t->loc, 1, 12);
  assert_int_equal(t->of->kind, GQL_TYPE_REF_LIST);
  ASSERT_LOC(t->of->loc, 1, 12);
  assert_int_equal(t->of->of->kind, GQL_TYPE_REF_LIST);
  ASSERT_LOC(t->of->of->loc, 1, 13);
  assert_int_equal(t->of->of->of->kind, GQL_TYPE_REF_NON_NULL);
  assert_string_equal(t->of->of->of->of->name, "Int");
  ASSERT_LOC(t->of->of->of->of->loc, 1, 14);
  assert_int_equal(op->vars[0].n_directives, 2);
  assert_int_equal(op->vars[0].default_value->items[1]->kind, GQL_VALUE_NULL);
  assert_int_equal(op->directives[0].args[0].value->items[0]->kind, GQL_VALUE_VARIABLE);
  assert_string_equal(op->directives[0].args[0].value->items[1]->fields[0].value->str, "b");
}

static void test_descriptions_on_executables(void **state) {
  (void)state;
  /* graphql-js 16.x accepts (draft) descriptions on operations, fragments
   * and variables; the AST has no place for them, so they are dropped */
  gql_document *d =
      parse_ok("\"op\" query Q(\"v\" $a: Int) { a }\n\"\"\"frag\"\"\" fragment F on T { a }");
  assert_int_equal(d->n_defs, 2);
  ASSERT_LOC(d->defs[0].loc, 1, 1);
  assert_string_equal(d->defs[0].u.operation.name, "Q");
  assert_string_equal(d->defs[0].u.operation.vars[0].name, "a");
  ASSERT_LOC(d->defs[0].u.operation.vars[0].loc, 1, 18);
  assert_string_equal(d->defs[1].u.fragment.name, "F");
}

static void test_ignored_tokens(void **state) {
  (void)state;
  /* BOM, commas, comments, every kind of line break */
  gql_document *d = parse_ok("\xef\xbb\xbf# comment\r\n,,{\r\ta,b\r\n # x\n\n  c\xef\xbb\xbf d }");
  const gql_selection_set *s = d->defs[0].u.operation.selection_set;
  ASSERT_LOC(s->loc, 2, 3);
  assert_int_equal(s->n_items, 4);
  ASSERT_LOC(s->items[0].loc, 3, 2);
  ASSERT_LOC(s->items[1].loc, 3, 4);
  ASSERT_LOC(s->items[2].loc, 6, 3);
  ASSERT_LOC(s->items[3].loc, 6, 6); /* the BOM takes a column */
}

static void test_columns_count_utf16_units(void **state) {
  (void)state;
  /* é is one unit, U+1F600 two (graphql-js counts UTF-16 code units) */
  gql_document *d = parse_ok("{ a(x: \"\xc3\xa9\xf0\x9f\x98\x80\") b # \xf0\x9f\x98\x80\n"
                             "c(y: \"\"\"\xf0\x9f\x98\x80\n\xc3\xa9\"\"\") d }");
  ASSERT_LOC(d->defs[0].u.operation.selection_set->items[1].loc, 1, 15);
  ASSERT_LOC(d->defs[0].u.operation.selection_set->items[3].loc, 3, 7);
  expect_error("{ a(x: \"\xc3\xa9\xf0\x9f\x98\x80\") ? }",
               "Syntax Error: Unexpected character: \"?\".", 1, 15);
  expect_error("{ a(x: \"\"\"\xf0\x9f\x98\x80\n\xc3\xa9\"\"\") ? }",
               "Syntax Error: Unexpected character: \"?\".", 2, 7);
  /* a token after a block string on the same line gets the right column */
  d = parse_ok("{ a(x: \"\"\"\n\xc3\xa9\xc3\xa9\"\"\", y: 1) }");
  const gql_selection *a = &d->defs[0].u.operation.selection_set->items[0];
  ASSERT_LOC(a->args[1].loc, 2, 8);
}

/* ---- the type-system language ---- */

static const char kitchen_sink_schema[] =
    "\"\"\"\n"
    "The schema of an orchestration service.\n"
    "   Keeps its relative indentation.\n"
    "\"\"\"\n"
    "schema @link(url: \"https://example.com\") {\n"
    "  query: Query\n"
    "  mutation: Mutation\n"
    "  subscription: Subscription\n"
    "}\n"
    "\n"
    "\"A point in time, as a float of seconds.\"\n"
    "scalar Timestamp @specifiedBy(url: \"https://example.com/ts\")\n"
    "\n"
    "\"\"\"Something with an identity.\"\"\"\n"
    "interface Node {\n"
    "  id: ID!\n"
    "}\n"
    "\n"
    "interface Entity implements Node & Named @key(fields: \"id\") {\n"
    "  id: ID!\n"
    "  name: String\n"
    "}\n"
    "\n"
    "type Run implements & Node & Entity @key(fields: \"id\") {\n"
    "  id: ID!\n"
    "  name: String @deprecated(reason: \"use runName\")\n"
    "  \"The steps, optionally filtered.\"\n"
    "  steps(\n"
    "    \"\"\"Only these statuses.\"\"\"\n"
    "    statuses: [StepStatus!] = [SUCCESS, FAILURE]\n"
    "    limit: Int = 100 @constraint(max: 1000)\n"
    "    filter: StepFilter = {kinds: [\"op\"], nested: {deep: [[1.5]]}}\n"
    "  ): [Step!]!\n"
    "  tags(prefix: String = \"dagster/\"): [[Tag]]\n"
    "}\n"
    "\n"
    "type Empty\n"
    "\n"
    "union Result @unionLevel = | Run | PythonError | RunNotFound\n"
    "\n"
    "union Nothing\n"
    "\n"
    "enum RunStatus @enumLevel {\n"
    "  \"Waiting for a slot.\"\n"
    "  QUEUED\n"
    "  \"\"\"Running now.\"\"\"\n"
    "  STARTED @deprecated\n"
    "  SUCCESS\n"
    "}\n"
    "\n"
    "input RunsFilter @oneOf {\n"
    "  \"Run ids\"\n"
    "  runIds: [String!] = []\n"
    "  statuses: [RunStatus!]\n"
    "  since: Timestamp = 0.5 @deprecated(reason: \"no\")\n"
    "}\n"
    "\n"
    "directive @constraint(max: Int, min: Int = 0) on ARGUMENT_DEFINITION | "
    "INPUT_FIELD_DEFINITION\n"
    "\n"
    "\"\"\"Marks a type as keyed.\"\"\"\n"
    "directive @key(fields: String!) repeatable on\n"
    "  | OBJECT\n"
    "  | INTERFACE\n"
    "\n"
    "extend schema @extra\n"
    "\n"
    "extend schema { subscription: Subscription2 }\n"
    "\n"
    "extend scalar Timestamp @extra\n"
    "\n"
    "extend type Run implements Extra @extra {\n"
    "  extraField(a: Int): Int\n"
    "}\n"
    "\n"
    "extend interface Node @extra\n"
    "\n"
    "extend interface Entity { more: Int }\n"
    "\n"
    "extend union Result = Unauthorized\n"
    "\n"
    "extend enum RunStatus @extra { CANCELED }\n"
    "\n"
    "extend input RunsFilter { tags: [String] }\n";

static void test_kitchen_sink_schema(void **state) {
  (void)state;
  gql_document *d = parse_ok(kitchen_sink_schema);
  assert_int_equal(d->n_defs, 21);

  const gql_schema_def *schema = &d->defs[0].u.schema;
  assert_int_equal(d->defs[0].kind, GQL_DEF_SCHEMA);
  ASSERT_LOC(d->defs[0].loc, 1, 1);
  assert_false(schema->extension);
  assert_string_equal(
      schema->description,
      "The schema of an orchestration service.\n   Keeps its relative indentation.");
  assert_int_equal(schema->n_directives, 1);
  assert_int_equal(schema->n_operation_types, 3);
  assert_int_equal(schema->operation_types[2].operation, GQL_OP_SUBSCRIPTION);
  assert_string_equal(schema->operation_types[2].type_name, "Subscription");
  ASSERT_LOC(schema->operation_types[0].loc, 6, 3);

  const gql_typedef *ts = &d->defs[1].u.type;
  assert_int_equal(ts->kind, GQL_TYPEDEF_SCALAR);
  ASSERT_LOC(d->defs[1].loc, 11, 1);
  ASSERT_LOC(ts->name_loc, 12, 8);
  assert_string_equal(ts->description, "A point in time, as a float of seconds.");
  assert_string_equal(ts->directives[0].name, "specifiedBy");

  const gql_typedef *entity = &d->defs[3].u.type;
  assert_int_equal(entity->kind, GQL_TYPEDEF_INTERFACE);
  assert_int_equal(entity->n_interfaces, 2);
  assert_string_equal(entity->interfaces[1].name, "Named");

  const gql_typedef *run = &d->defs[4].u.type;
  assert_int_equal(run->kind, GQL_TYPEDEF_OBJECT);
  assert_string_equal(run->name, "Run");
  assert_int_equal(run->n_interfaces, 2);
  assert_string_equal(run->interfaces[0].name, "Node");
  ASSERT_LOC(run->interfaces[0].loc, 24, 23);
  assert_int_equal(run->n_fields, 4);
  ASSERT_LOC(run->fields[0].loc, 25, 3);
  assert_string_equal(run->fields[1].directives[0].args[0].value->str, "use runName");
  const gql_field_def *steps = &run->fields[2];
  ASSERT_LOC(steps->loc, 28, 3);
  assert_string_equal(steps->description, "The steps, optionally filtered.");
  assert_int_equal(steps->n_args, 3);
  assert_string_equal(steps->args[0].description, "Only these statuses.");
  assert_int_equal(steps->args[0].default_value->n_items, 2);
  assert_int_equal(steps->args[1].default_value->ival, 100);
  assert_int_equal(steps->args[1].n_directives, 1);
  assert_int_equal(
      steps->args[2].default_value->fields[1].value->fields[0].value->items[0]->items[0]->kind,
      GQL_VALUE_FLOAT);
  assert_int_equal(steps->type->kind, GQL_TYPE_REF_NON_NULL);

  const gql_typedef *empty = &d->defs[5].u.type;
  assert_int_equal(empty->n_fields, 0);
  assert_null(empty->fields);

  const gql_typedef *result = &d->defs[6].u.type;
  assert_int_equal(result->kind, GQL_TYPEDEF_UNION);
  assert_int_equal(result->n_members, 3);
  assert_string_equal(result->members[2].name, "RunNotFound");
  assert_int_equal(d->defs[7].u.type.n_members, 0);

  const gql_typedef *status = &d->defs[8].u.type;
  assert_int_equal(status->kind, GQL_TYPEDEF_ENUM);
  assert_int_equal(status->n_values, 3);
  assert_string_equal(status->values[0].description, "Waiting for a slot.");
  assert_string_equal(status->values[1].name, "STARTED");
  assert_int_equal(status->values[1].n_directives, 1);
  assert_null(status->values[2].description);

  const gql_typedef *filter = &d->defs[9].u.type;
  assert_int_equal(filter->kind, GQL_TYPEDEF_INPUT_OBJECT);
  assert_int_equal(filter->n_input_fields, 3);
  assert_int_equal(filter->input_fields[0].default_value->kind, GQL_VALUE_LIST);
  assert_true(filter->input_fields[2].default_value->fval == 0.5);

  const gql_directive_def *constraint = &d->defs[10].u.directive;
  assert_int_equal(d->defs[10].kind, GQL_DEF_DIRECTIVE);
  assert_string_equal(constraint->name, "constraint");
  ASSERT_LOC(constraint->name_loc, 58, 12);
  assert_int_equal(constraint->n_args, 2);
  assert_false(constraint->repeatable);
  assert_int_equal(constraint->n_locations, 2);
  assert_string_equal(constraint->locations[1].name, "INPUT_FIELD_DEFINITION");
  const gql_directive_def *key = &d->defs[11].u.directive;
  assert_true(key->repeatable);
  assert_string_equal(key->description, "Marks a type as keyed.");
  assert_int_equal(key->n_locations, 2);
  ASSERT_LOC(key->locations[0].loc, 62, 5);

  assert_true(d->defs[12].u.schema.extension);
  assert_int_equal(d->defs[12].u.schema.n_operation_types, 0);
  assert_int_equal(d->defs[13].u.schema.n_operation_types, 1);
  for (size_t i = 14; i < 21; i++) {
    assert_int_equal(d->defs[i].kind, GQL_DEF_TYPE);
    assert_true(d->defs[i].u.type.extension);
    assert_null(d->defs[i].u.type.description);
  }
  assert_int_equal(d->defs[15].u.type.n_interfaces, 1);
  assert_int_equal(d->defs[15].u.type.n_fields, 1);
  assert_int_equal(d->defs[18].u.type.n_members, 1);
  assert_int_equal(d->defs[19].u.type.n_values, 1);
  assert_int_equal(d->defs[20].u.type.kind, GQL_TYPEDEF_INPUT_OBJECT);
}

/* ---- limits ---- */

static char *repeat(const char *prefix, const char *unit, size_t n, const char *suffix) {
  size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
  char *s = malloc(pl + ul * n + sl + 1);
  memcpy(s, prefix, pl);
  for (size_t i = 0; i < n; i++)
    memcpy(s + pl + i * ul, unit, ul);
  memcpy(s + pl + ul * n, suffix, sl + 1);
  return s;
}

static void test_depth_limit(void **state) {
  (void)state;
  /* 128 nested selection sets are fine, 129 are not */
  char *open = repeat("", "{a", 128, "");
  char *ok = repeat(open, "}", 128, "");
  parse_ok(ok);
  char *deep = repeat("", "{a", 129, "");
  expect_error(deep, "Syntax Error: Document exceeds the maximum nesting depth of 128.", 1, 257);
  free(open);
  free(ok);
  free(deep);

  /* a million of anything fails at once, without deep recursion */
  char *braces = repeat("", "{", 1000000, "");
  expect_error(braces, "Syntax Error: Expected Name, found \"{\".", 1, 2);
  free(braces);
  char *fields = repeat("", "{a", 1000000, "");
  gql_limits big = {0, 0, 128};
  expect_error_n(fields, strlen(fields), &big,
                 "Syntax Error: Document exceeds the maximum nesting depth of 128.", 1, 257);
  free(fields);
  char *lists = repeat("{ a(x: ", "[", 1000000, "");
  expect_error_n(lists, strlen(lists), &big,
                 "Syntax Error: Document exceeds the maximum nesting depth of 128.", 1, 135);
  free(lists);
  char *objects = repeat("{ a(x: ", "{a:", 1000000, "");
  expect_error_n(objects, strlen(objects), &big,
                 "Syntax Error: Document exceeds the maximum nesting depth of 128.", 1, 389);
  free(objects);
  char *types = repeat("query ($v: ", "[", 1000000, "");
  expect_error_n(types, strlen(types), &big,
                 "Syntax Error: Document exceeds the maximum nesting depth of 128.", 1, 140);
  free(types);
  char *sdl = repeat("type T { f: ", "[", 1000000, "");
  expect_error_n(sdl, strlen(sdl), &big,
                 "Syntax Error: Document exceeds the maximum nesting depth of 128.", 1, 141);
  free(sdl);

  /* the limit is configurable; 0 means the default */
  gql_limits two = {0, 0, 2};
  expect_error_n("{ a { b { c } } }", 17, &two,
                 "Syntax Error: Document exceeds the maximum nesting depth of 2.", 1, 9);
  expect_error_n("{ a(x: [[1]]) }", 15, &two,
                 "Syntax Error: Document exceeds the maximum nesting depth of 2.", 1, 9);
  gql_errors_init(&ERRS, A);
  assert_non_null(gql_parse(A, "{ a { b } }", 11, &two, &ERRS));
  gql_limits zero = {0, 0, 0};
  char *d128 = repeat("{ a(x: ", "[", 127, "");
  char *v128 = repeat(d128, "]", 127, ") }");
  assert_non_null(gql_parse(A, v128, strlen(v128), &zero, &ERRS));
  free(d128);
  free(v128);
}

static void test_token_limit(void **state) {
  (void)state;
  gql_limits lim = {0, 5, 128};
  /* { a b c } is 5 tokens: fine; the sixth fails where it starts */
  gql_errors_init(&ERRS, A);
  assert_non_null(gql_parse(A, "{ a b c }", 9, &lim, &ERRS));
  expect_error_n("{ a b c d }", 11, &lim, "Syntax Error: Document exceeds the maximum of 5 tokens.",
                 1, 11);
  /* the default: 100,000 */
  char *many = repeat("{", " a", 100000, "}");
  expect_error(many, "Syntax Error: Document exceeds the maximum of 100000 tokens.", 1, 200001);
  free(many);
  char *enough = repeat("{", " a", 99998, "}");
  parse_ok(enough);
  free(enough);
}

static void test_size_limit(void **state) {
  (void)state;
  gql_limits lim = {10, 0, 128};
  expect_error_n("{ a b c d }", 11, &lim,
                 "Syntax Error: Document is larger than the maximum of 10 bytes.", 1, 11);
  expect_error_n("{\n a\n b c d }", 13, &lim,
                 "Syntax Error: Document is larger than the maximum of 10 bytes.", 3, 6);
  gql_errors_init(&ERRS, A);
  assert_non_null(gql_parse(A, "{ a b c d}", 10, &lim, &ERRS));
  size_t n = 1024 * 1024 + 1;
  char *big = repeat("{", " ", n - 2, "}");
  expect_error(big, "Syntax Error: Document is larger than the maximum of 1048576 bytes.", 1,
               1048577);
  free(big);
}

/* ---- wide documents exercise the scratch stack ---- */

static void test_wide_documents(void **state) {
  (void)state;
  /* thousands of items at several levels at once */
  char *inner = repeat("{ f(x: [", "1, ", 3000, "2]) {");
  char *fields = repeat(inner, " g", 3000, " } h }");
  gql_document *d = parse_ok(fields);
  const gql_selection *f = &d->defs[0].u.operation.selection_set->items[0];
  assert_int_equal(d->defs[0].u.operation.selection_set->n_items, 2);
  assert_int_equal(f->args[0].value->n_items, 3001);
  assert_int_equal(f->args[0].value->items[3000]->ival, 2);
  assert_int_equal(f->selection_set->n_items, 3000);
  assert_string_equal(d->defs[0].u.operation.selection_set->items[1].name, "h");
  free(inner);
  free(fields);

  /* interleaved nesting: objects in lists in objects keep their own items */
  d = parse_ok("{ f(x: [{a: 1, b: [2, 3], c: {d: 4}}, {e: 5}], y: 6) }");
  const gql_value *x = d->defs[0].u.operation.selection_set->items[0].args[0].value;
  assert_int_equal(x->n_items, 2);
  assert_int_equal(x->items[0]->n_fields, 3);
  assert_string_equal(x->items[0]->fields[2].name, "c");
  assert_int_equal(x->items[0]->fields[2].value->fields[0].value->ival, 4);
  assert_int_equal(x->items[0]->fields[1].value->items[1]->ival, 3);
  assert_string_equal(x->items[1]->fields[0].name, "e");
  assert_int_equal(d->defs[0].u.operation.selection_set->items[0].n_args, 2);
}

/* ---- gql_parse_value ---- */

static void test_parse_value(void **state) {
  (void)state;
  gql_errors_init(&ERRS, A);
  gql_value *v = gql_parse_value(A, "{a: [1, 2.5, \"s\", E, null, true]}", 33, &ERRS);
  assert_non_null(v);
  assert_int_equal(v->kind, GQL_VALUE_OBJECT);
  assert_int_equal(v->fields[0].value->n_items, 6);
  assert_int_equal(v->fields[0].value->items[3]->kind, GQL_VALUE_ENUM);

  v = gql_parse_value(A, "  \"\"\"  x\"\"\" ", 12, &ERRS);
  assert_non_null(v);
  assert_true(v->block);
  assert_string_equal(v->str, "  x");
  ASSERT_LOC(v->loc, 1, 3);

  static const struct {
    const char *src;
    const char *msg;
    uint32_t col;
  } bad[] = {
      {"$v", "Syntax Error: Unexpected variable \"$v\" in constant value.", 1},
      {"[1, $v]", "Syntax Error: Unexpected variable \"$v\" in constant value.", 5},
      {"1 2", "Syntax Error: Expected <EOF>, found Int \"2\".", 3},
      {"", "Syntax Error: Unexpected <EOF>.", 1},
      {"{a: 1", "Syntax Error: Expected Name, found <EOF>.", 6},
      {"[1", "Syntax Error: Unexpected <EOF>.", 3},
      {"1.", "Syntax Error: Invalid number, expected digit but got: <EOF>.", 3},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    gql_errors_init(&ERRS, A);
    assert_null(gql_parse_value(A, bad[i].src, strlen(bad[i].src), &ERRS));
    assert_int_equal(ERRS.n, 1);
    assert_string_equal(ERRS.items[0]->message, bad[i].msg);
    ASSERT_LOC(ERRS.items[0]->locations[0], 1, bad[i].col);
  }
}

static void test_errors_appends_one(void **state) {
  (void)state;
  /* an error list that already holds errors gets exactly one more */
  gql_errors_init(&ERRS, A);
  gql_errors_add(&ERRS, (gql_loc){0, 0}, "earlier");
  assert_null(gql_parse(A, "{ a(", 4, NULL, &ERRS));
  assert_int_equal(ERRS.n, 2);
  assert_string_equal(ERRS.items[1]->message, "Syntax Error: Expected Name, found <EOF>.");
  /* an empty document, even given as NULL */
  gql_errors_init(&ERRS, A);
  assert_null(gql_parse(A, NULL, 0, NULL, &ERRS));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Unexpected <EOF>.");
  /* a long string value is quoted in full */
  char *s = repeat("{ \"", "x", 1000, "\" }");
  gql_errors_init(&ERRS, A);
  gql_document *d = gql_parse(A, s, strlen(s), NULL, &ERRS);
  free(s);
  assert_null(d);
  assert_int_equal(strlen(ERRS.items[0]->message),
                   strlen("Syntax Error: Expected Name, found String \"\".") + 1000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_broken_utf8, setup, teardown),
      cmocka_unit_test_setup_teardown(test_embedded_nul, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kitchen_sink_query, setup, teardown),
      cmocka_unit_test_setup_teardown(test_values_numbers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_variables_and_directives, setup, teardown),
      cmocka_unit_test_setup_teardown(test_descriptions_on_executables, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ignored_tokens, setup, teardown),
      cmocka_unit_test_setup_teardown(test_columns_count_utf16_units, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kitchen_sink_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_token_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wide_documents, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parse_value, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors_appends_one, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
