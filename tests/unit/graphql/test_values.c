/* test_values.c — tests of graphql/values.c: variable coercion with
 * graphql-js's messages (checked against graphql-js 16), argument coercion
 * (defaults, absent vs null, variables), literal coercion with variables
 * inside, and values converted from JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/parser.h"
#include "graphql/printer.h"
#include "graphql/schema.h"
#include "graphql/values.h"

static const char sdl[] =
    "schema { query: Q }\n"
    "type Q {\n"
    "  f(a: Int, b: [Int!], e: E, i: In, o: One, n: Int! = 3, l: [[Int]]): String\n"
    "  g(x: Float, y: ID, s: String, j: JSON): Int\n"
    "  h(req: Int!, opt: Int = 5, nul: Int, oe: E = GREEN, oi: In = {a: 7}): Int\n"
    "}\n"
    "scalar JSON\n"
    "enum E { RED GREEN BLUE }\n"
    "input In { a: Int!, b: String = \"dflt\", list: [Int!], nested: In, e: E }\n"
    "input One @oneOf { a: Int, b: String }\n";

typedef struct fixture {
  arena *a;
  gql_schema *s;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  f->s = gql_schema_build(sdl, strlen(sdl), &errs);
  if (!f->s) {
    for (size_t i = 0; i < errs.n; i++)
      print_error("schema: %s\n", errs.items[i]->message);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  gql_schema_free(f->s);
  arena_free(f->a);
  free(f);
  return 0;
}

static const gql_operation *parse_op(fixture *f, const char *query) {
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  gql_document *doc = gql_parse(f->a, query, strlen(query), NULL, &errs);
  assert_non_null(doc);
  assert_int_equal(doc->defs[0].kind, GQL_DEF_OPERATION);
  return &doc->defs[0].u.operation;
}

static const char *print_value(arena *a, const gql_value *v) {
  buf b;
  buf_init(&b, a);
  gql_print_value(&b, v);
  return buf_cstr(&b);
}

/* Errors as "message @line:col" lines, or the printed coerced variables. */
static const char *describe(arena *a, const gql_value *v, const gql_errors *errs) {
  if (v)
    return print_value(a, v);
  buf b;
  buf_init(&b, a);
  for (size_t i = 0; i < errs->n; i++) {
    const gql_error *e = errs->items[i];
    if (i)
      buf_putc(&b, '\n');
    buf_puts(&b, e->message);
    if (e->n_locations)
      buf_printf(&b, " @%u:%u", (unsigned)e->locations[0].line, (unsigned)e->locations[0].column);
  }
  return buf_cstr(&b);
}

static const char *coerce_vars(fixture *f, const char *query, const char *vars_json) {
  const gql_operation *op = parse_op(f, query);
  json_t *vars = vars_json ? json_loads(vars_json, JSON_DECODE_ANY, NULL) : NULL;
  if (vars_json)
    assert_non_null(vars);
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  gql_value *v = gql_coerce_variables(f->s, op, vars, f->a, &errs);
  const char *out = describe(f->a, v, &errs);
  if (v)
    assert_int_equal(errs.n, 0);
  json_decref(vars);
  return out;
}

/* ---- variables ---- */

static void test_required_and_non_null(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_vars(f, "query($x: Int!) { f }", "{}"),
                      "Variable \"$x\" of required type \"Int!\" was not provided. @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int!) { f }", NULL),
                      "Variable \"$x\" of required type \"Int!\" was not provided. @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int!) { f }", "{\"x\":null}"),
                      "Variable \"$x\" of non-null type \"Int!\" must not be null. @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int!) { f }", "{\"x\":4}"), "{x: 4}");
}

static void test_absent_null_and_defaults(void **state) {
  fixture *f = *state;
  /* Absent without default: not in the result; explicit null: kept. */
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{}"), "{}");
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{\"x\":null}"), "{x: null}");
  assert_string_equal(coerce_vars(f, "query($x: Int = 3) { f }", "{}"), "{x: 3}");
  assert_string_equal(coerce_vars(f, "query($x: Int = 3) { f }", "{\"x\":null}"), "{x: null}");
  assert_string_equal(coerce_vars(f, "query($x: Int! = 3) { f }", "{}"), "{x: 3}");
  assert_string_equal(coerce_vars(f, "query($e: E = BLUE, $i: In = {a: 1}) { f }", "{}"),
                      "{e: BLUE, i: {a: 1, b: \"dflt\"}}");
  /* Variables that are not objects count as none. */
  assert_string_equal(coerce_vars(f, "query($x: Int = 1) { f }", "[1]"), "{x: 1}");
}

static void test_scalar_messages(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{\"x\":\"abc\"}"),
                      "Variable \"$x\" got invalid value \"abc\"; Int cannot represent "
                      "non-integer value: \"abc\" @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{\"x\":1.5}"),
                      "Variable \"$x\" got invalid value 1.5; Int cannot represent non-integer "
                      "value: 1.5 @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{\"x\":1.0000001e-7}"),
                      "Variable \"$x\" got invalid value 1.0000001e-7; Int cannot represent "
                      "non-integer value: 1.0000001e-7 @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Boolean!, $y: ID) { f }", "{\"x\":1,\"y\":true}"),
                      "Variable \"$x\" got invalid value 1; Boolean cannot represent a non "
                      "boolean value: 1 @1:7\n"
                      "Variable \"$y\" got invalid value true; ID cannot represent value: "
                      "true @1:21");
  assert_string_equal(coerce_vars(f, "query($x: Float, $s: String) { f }", "{\"x\":2,\"s\":\"q\"}"),
                      "{x: 2, s: \"q\"}");
}

static void test_lists(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_vars(f, "query($x: [Int!]) { f }", "{\"x\":[1,null,\"a\"]}"),
                      "Variable \"$x\" got invalid value null at \"x[1]\"; Expected "
                      "non-nullable type \"Int!\" not to be null. @1:7\n"
                      "Variable \"$x\" got invalid value \"a\" at \"x[2]\"; Int cannot "
                      "represent non-integer value: \"a\" @1:7");
  /* A single value is a list of one, at every level. */
  assert_string_equal(coerce_vars(f, "query($x: [Int!]) { f }", "{\"x\":5}"), "{x: [5]}");
  assert_string_equal(coerce_vars(f, "query($x: [[Int]]) { f }", "{\"x\":5}"), "{x: [[5]]}");
  assert_string_equal(coerce_vars(f, "query($x: [[Int]]) { f }", "{\"x\":[1,[2,null]]}"),
                      "{x: [[1], [2, null]]}");
  assert_string_equal(coerce_vars(f, "query($x: [Int]) { f }", "{\"x\":[]}"), "{x: []}");
}

static void test_inspect_formatting(void **state) {
  fixture *f = *state;
  assert_string_equal(
      coerce_vars(f, "query($x: [[Int]]) { f }",
                  "{\"x\":[[1,{\"a\":{\"b\":{\"c\":1}}}],[1,2,3,4,5,6,7,8,9,10,11,12]]}"),
      "Variable \"$x\" got invalid value { a: { b: [Object] } } at \"x[0][1]\"; Int cannot "
      "represent non-integer value: { a: { b: [Object] } } @1:7");
  assert_string_equal(
      coerce_vars(f, "query($x: [Int]) { f }", "{\"x\":[[1,2,3,4,5,6,7,8,9,10,11,12]]}"),
      "Variable \"$x\" got invalid value [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items] at "
      "\"x[0]\"; Int cannot represent non-integer value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 "
      "more items] @1:7");
  assert_string_equal(
      coerce_vars(f, "query($x: String) { f }", "{\"x\":{\"a\":[1,[2,[3]]],\"b c\":\"\\n\"}}"),
      "Variable \"$x\" got invalid value { a: [1, [Array]], b c: \"\\n\" }; String cannot "
      "represent a non string value: { a: [1, [Array]], b c: \"\\n\" } @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{\"x\":1e21}"),
                      "Variable \"$x\" got invalid value 1e+21; Int cannot represent non "
                      "32-bit signed integer value: 1e+21 @1:7");
  assert_string_equal(coerce_vars(f, "query($x: Int) { f }", "{\"x\":[]}"),
                      "Variable \"$x\" got invalid value []; Int cannot represent non-integer "
                      "value: [] @1:7");
}

static void test_input_objects(void **state) {
  fixture *f = *state;
  assert_string_equal(
      coerce_vars(f, "query($input: In) { f }",
                  "{\"input\":{\"list\":[1,\"x\"],\"bogus\":1,\"a\":1,\"nested\":{\"a\":\"q\"}}}"),
      "Variable \"$input\" got invalid value \"x\" at \"input.list[1]\"; Int cannot represent "
      "non-integer value: \"x\" @1:7\n"
      "Variable \"$input\" got invalid value \"q\" at \"input.nested.a\"; Int cannot represent "
      "non-integer value: \"q\" @1:7\n"
      "Variable \"$input\" got invalid value { list: [1, \"x\"], bogus: 1, a: 1, nested: { a: "
      "\"q\" } }; Field \"bogus\" is not defined by type \"In\". @1:7");
  assert_string_equal(coerce_vars(f, "query($input: In) { f }", "{\"input\":{\"b\":\"x\"}}"),
                      "Variable \"$input\" got invalid value { b: \"x\" }; Field \"a\" of "
                      "required type \"Int!\" was not provided. @1:7");
  assert_string_equal(
      coerce_vars(f, "query($input: In) { f }", "{\"input\":{\"a\":1,\"lisst\":[1]}}"),
      "Variable \"$input\" got invalid value { a: 1, lisst: [1] }; Field \"lisst\" is not "
      "defined by type \"In\". Did you mean \"list\"? @1:7");
  assert_string_equal(coerce_vars(f, "query($input: In) { f }", "{\"input\":[1,2]}"),
                      "Variable \"$input\" got invalid value [1, 2]; Expected type \"In\" to be "
                      "an object. @1:7");
  assert_string_equal(coerce_vars(f, "query($input: In) { f }", "{\"input\":\"str\"}"),
                      "Variable \"$input\" got invalid value \"str\"; Expected type \"In\" to "
                      "be an object. @1:7");
  /* Fields in definition order, defaults filled in, enums by name. */
  assert_string_equal(
      coerce_vars(f, "query($input: In) { f }",
                  "{\"input\":{\"e\":\"RED\",\"nested\":{\"a\":2,\"b\":null},\"a\":1,"
                  "\"list\":3}}"),
      "{input: {a: 1, b: \"dflt\", list: [3], nested: {a: 2, b: null}, e: RED}}");
}

static void test_enums(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_vars(f, "query($e: E) { f }", "{\"e\":\"RDE\"}"),
                      "Variable \"$e\" got invalid value \"RDE\"; Value \"RDE\" does not exist "
                      "in \"E\" enum. Did you mean the enum value \"RED\"? @1:7");
  assert_string_equal(coerce_vars(f, "query($e: E) { f }", "{\"e\":\"red\"}"),
                      "Variable \"$e\" got invalid value \"red\"; Value \"red\" does not exist "
                      "in \"E\" enum. Did you mean the enum value \"RED\"? @1:7");
  assert_string_equal(coerce_vars(f, "query($e: E) { f }", "{\"e\":5}"),
                      "Variable \"$e\" got invalid value 5; Enum \"E\" cannot represent "
                      "non-string value: 5. @1:7");
  assert_string_equal(coerce_vars(f, "query($e: E) { f }", "{\"e\":\"GREEN\"}"), "{e: GREEN}");
}

static void test_one_of(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_vars(f, "query($o: One) { f }", "{\"o\":{\"a\":1,\"b\":\"x\"}}"),
                      "Variable \"$o\" got invalid value { a: 1, b: \"x\" }; Exactly one key "
                      "must be specified for OneOf type \"One\". @1:7");
  assert_string_equal(coerce_vars(f, "query($o: One) { f }", "{\"o\":{}}"),
                      "Variable \"$o\" got invalid value {}; Exactly one key must be specified "
                      "for OneOf type \"One\". @1:7");
  assert_string_equal(coerce_vars(f, "query($o: One) { f }", "{\"o\":{\"a\":null}}"),
                      "Variable \"$o\" got invalid value null at \"o.a\"; Field \"a\" must be "
                      "non-null. @1:7");
  assert_string_equal(coerce_vars(f, "query($o: One) { f }", "{\"o\":{\"b\":\"x\"}}"),
                      "{o: {b: \"x\"}}");
}

static void test_unknown_type_and_error_limit(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_vars(f, "query($x: Nope, $y: Q) { f }", "{}"),
                      "Variable \"$x\" expected value of type \"Nope\" which cannot be used as "
                      "an input type. @1:11\n"
                      "Variable \"$y\" expected value of type \"Q\" which cannot be used as an "
                      "input type. @1:21");
  /* 60 bad items: 50 errors, then graphql-js's abort message. */
  buf vars;
  buf_init(&vars, f->a);
  buf_puts(&vars, "{\"x\":[");
  for (int i = 0; i < 60; i++)
    buf_puts(&vars, i ? ",\"a\"" : "\"a\"");
  buf_puts(&vars, "]}");
  const gql_operation *op = parse_op(f, "query($x: [Int]) { f }");
  json_t *j = json_loads(buf_cstr(&vars), 0, NULL);
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  assert_null(gql_coerce_variables(f->s, op, j, f->a, &errs));
  assert_int_equal(errs.n, 51);
  assert_string_equal(errs.items[50]->message,
                      "Too many errors processing variables, error limit reached. Execution "
                      "aborted.");
  assert_int_equal(errs.items[50]->n_locations, 0);
  json_decref(j);
}

/* ---- arguments ---- */

/* Coerces the arguments of the query's first root field (a field of Q)
 * with the given coerced variables. */
static const char *coerce_args(fixture *f, const char *query, const char *vars_json) {
  const gql_operation *op = parse_op(f, query);
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  json_t *vars = json_loads(vars_json ? vars_json : "{}", 0, NULL);
  gql_value *cv = gql_coerce_variables(f->s, op, vars, f->a, &errs);
  json_decref(vars);
  assert_non_null(cv);
  const gql_selection *sel = &op->selection_set->items[0];
  const gql_field *field = gql_type_field(f->s->query, sel->name);
  assert_non_null(field);
  const gql_value **args = gql_coerce_arguments(f->s, field->args, field->n_args, sel->args,
                                                sel->n_args, cv, sel->loc, f->a, &errs);
  if (!args)
    return describe(f->a, NULL, &errs);
  buf b;
  buf_init(&b, f->a);
  for (size_t i = 0; i < field->n_args; i++) {
    if (i)
      buf_puts(&b, ", ");
    buf_printf(&b, "%s=", field->args[i].name);
    if (args[i])
      gql_print_value(&b, args[i]);
    else
      buf_puts(&b, "<absent>");
  }
  return buf_cstr(&b);
}

static void test_argument_defaults_absent_null(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_args(f, "{ h(req: 1) }", NULL),
                      "req=1, opt=5, nul=<absent>, oe=GREEN, oi={a: 7, b: \"dflt\"}");
  assert_string_equal(coerce_args(f, "{ h(req: 1, opt: null, nul: null, oe: BLUE) }", NULL),
                      "req=1, opt=null, nul=null, oe=BLUE, oi={a: 7, b: \"dflt\"}");
  /* A variable that was not provided leaves the argument absent (default). */
  assert_string_equal(
      coerce_args(f, "query($v: Int, $w: Int) { h(req: 2, opt: $v, nul: $w) }", NULL),
      "req=2, opt=5, nul=<absent>, oe=GREEN, oi={a: 7, b: \"dflt\"}");
  assert_string_equal(coerce_args(f, "query($v: Int, $w: Int) { h(req: 2, opt: $v, nul: $w) }",
                                  "{\"v\":null,\"w\":8}"),
                      "req=2, opt=null, nul=8, oe=GREEN, oi={a: 7, b: \"dflt\"}");
  assert_string_equal(coerce_args(f, "query($v: Int = 4) { h(req: $v) }", NULL),
                      "req=4, opt=5, nul=<absent>, oe=GREEN, oi={a: 7, b: \"dflt\"}");
}

static void test_argument_errors(void **state) {
  fixture *f = *state;
  assert_string_equal(coerce_args(f, "{ h }", NULL),
                      "Argument \"req\" of required type \"Int!\" was not provided. @1:3");
  assert_string_equal(coerce_args(f, "{ h(req: null) }", NULL),
                      "Argument \"req\" of non-null type \"Int!\" must not be null. @1:10");
  assert_string_equal(coerce_args(f, "query($v: Int) { h(req: $v) }", NULL),
                      "Argument \"req\" of required type \"Int!\" was provided the variable "
                      "\"$v\" which was not provided a runtime value. @1:25");
  assert_string_equal(coerce_args(f, "query($v: Int) { h(req: $v) }", "{\"v\":null}"),
                      "Argument \"req\" of non-null type \"Int!\" must not be null. @1:25");
  assert_string_equal(coerce_args(f, "{ h(req: \"x\") }", NULL),
                      "Argument \"req\" has invalid value \"x\". @1:10");
  assert_string_equal(coerce_args(f, "{ h(req: 1, oe: \"RED\") }", NULL),
                      "Argument \"oe\" has invalid value \"RED\". @1:17");
  assert_string_equal(coerce_args(f, "{ h(req: 1, oe: PURPLE) }", NULL),
                      "Argument \"oe\" has invalid value PURPLE. @1:17");
  assert_string_equal(coerce_args(f, "{ f(i: {b: \"x\"}) }", NULL),
                      "Argument \"i\" has invalid value {b: \"x\"}. @1:8");
  assert_string_equal(coerce_args(f, "{ f(o: {a: 1, b: \"x\"}) }", NULL),
                      "Argument \"o\" has invalid value {a: 1, b: \"x\"}. @1:8");
  assert_string_equal(coerce_args(f, "{ f(b: [1, null]) }", NULL),
                      "Argument \"b\" has invalid value [1, null]. @1:8");
}

static void test_literals_with_variables(void **state) {
  fixture *f = *state;
  assert_string_equal(
      coerce_args(f, "query($a: Int!, $b: Int!) { f(i: {a: $a, list: [$b, 2]}, e: RED) }",
                  "{\"a\":1,\"b\":3}"),
      "a=<absent>, b=<absent>, e=RED, i={a: 1, b: \"dflt\", list: [3, 2]}, o=<absent>, n=3, "
      "l=<absent>");
  /* A missing variable in a list is null; in an object field, the field's
   * default applies; single values become lists. */
  assert_string_equal(
      coerce_args(f, "query($m: Int, $s: String) { f(l: [[1, $m], 2], i: {a: 1, b: $s}) }", NULL),
      "a=<absent>, b=<absent>, e=<absent>, i={a: 1, b: \"dflt\"}, o=<absent>, n=3, "
      "l=[[1, null], [2]]");
  /* Missing in a non-null position: the literal is invalid. */
  assert_string_equal(coerce_args(f, "query($m: Int) { f(b: [1, $m]) }", NULL),
                      "Argument \"b\" has invalid value [1, $m]. @1:23");
  assert_string_equal(coerce_args(f, "query($m: Int) { f(i: {a: $m}) }", NULL),
                      "Argument \"i\" has invalid value {a: $m}. @1:23");
  /* Coerced variables are used as they are. */
  assert_string_equal(coerce_args(f, "query($in: In) { f(i: $in) }", "{\"in\":{\"a\":9}}"),
                      "a=<absent>, b=<absent>, e=<absent>, i={a: 9, b: \"dflt\"}, o=<absent>, "
                      "n=3, l=<absent>");
  /* Custom scalars take structured literals with variables substituted. */
  assert_string_equal(
      coerce_args(f, "query($x: Int) { g(j: {a: [1, $x], b: $nope}) }", "{\"x\":2}"),
      "x=<absent>, y=<absent>, s=<absent>, j={a: [1, 2]}");
}

/* ---- single values and JSON ---- */

static void test_coerce_value(void **state) {
  fixture *f = *state;
  gql_type *in = gql_schema_type(f->s, "In");
  json_t *j = json_loads("{\"a\":1,\"list\":[1,\"z\"]}", 0, NULL);
  const char *msg = NULL;
  const gql_value *v =
      gql_coerce_value(f->s, gql_value_from_json(f->a, j), in, true, NULL, f->a, &msg);
  json_decref(j);
  assert_null(v);
  assert_string_equal(msg, "Invalid value \"z\" at \"value.list[1]\": Int cannot represent "
                           "non-integer value: \"z\"");

  gql_type *e = gql_schema_type(f->s, "E");
  gql_value lit = {.kind = GQL_VALUE_STRING, .str = "RED", .str_len = 3};
  assert_null(gql_coerce_value(f->s, &lit, e, false, NULL, f->a, &msg));
  assert_string_equal(msg, "Enum \"E\" cannot represent non-enum value: \"RED\". Did you mean "
                           "the enum value \"RED\" or \"GREEN\"?");
  lit.kind = GQL_VALUE_ENUM;
  v = gql_coerce_value(f->s, &lit, e, false, NULL, f->a, &msg);
  assert_non_null(v);
  assert_int_equal(v->kind, GQL_VALUE_ENUM);
  assert_string_equal(v->str, "RED");
  assert_null(msg);

  gql_value null_lit = {.kind = GQL_VALUE_NULL};
  gql_type *int_nn = gql_non_null_of(f->s, gql_schema_type(f->s, "Int"));
  assert_null(gql_coerce_value(f->s, &null_lit, int_nn, false, NULL, f->a, &msg));
  assert_string_equal(msg, "Expected value of type \"Int!\", found null.");
  v = gql_coerce_value(f->s, &null_lit, gql_schema_type(f->s, "Int"), false, NULL, f->a, &msg);
  assert_non_null(v);
  assert_int_equal(v->kind, GQL_VALUE_NULL);
}

static void test_value_from_json(void **state) {
  fixture *f = *state;
  json_t *j = json_loads("{\"i\":-7,\"f\":1.0,\"s\":\"a\\u0000b\",\"t\":true,\"n\":null,"
                         "\"l\":[1,[2]]}",
                         JSON_ALLOW_NUL, NULL);
  gql_value *v = gql_value_from_json(f->a, j);
  json_decref(j);
  assert_int_equal(v->kind, GQL_VALUE_OBJECT);
  assert_int_equal(v->n_fields, 6);
  const gql_value *i = gql_value_field(v, "i");
  assert_int_equal(i->kind, GQL_VALUE_INT);
  assert_int_equal(i->ival, -7);
  assert_true(gql_value_field(v, "f")->kind == GQL_VALUE_FLOAT);
  assert_true(gql_value_field(v, "f")->fval == 1.0);
  const gql_value *s = gql_value_field(v, "s");
  assert_int_equal(s->str_len, 3);
  assert_memory_equal(s->str, "a\0b", 3);
  assert_true(gql_value_field(v, "t")->boolean);
  assert_int_equal(gql_value_field(v, "n")->kind, GQL_VALUE_NULL);
  assert_int_equal(gql_value_field(v, "l")->items[1]->items[0]->ival, 2);
  assert_null(gql_value_field(v, "zz"));
  assert_null(gql_value_field(NULL, "i"));
  assert_int_equal(gql_value_from_json(f->a, NULL)->kind, GQL_VALUE_NULL);
}

/* A literal as a coerced value would hand it over (literals without
 * variables are their own coerced form for any-JSON scalars). */
static json_t *literal_to_json(fixture *f, const char *src) {
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  gql_value *v = gql_parse_value(f->a, src, strlen(src), &errs);
  assert_non_null(v);
  return gql_value_to_json(v);
}

static void test_value_to_json(void **state) {
  fixture *f = *state;
  json_t *j = literal_to_json(f, "{i: -7, f: 1.5, s: \"a\", e: RED, t: true, n: null, "
                                 "l: [1, [2]], big: 99999999999999999999}");
  char *text = json_dumps(j, JSON_COMPACT);
  assert_string_equal(text, "{\"i\":-7,\"f\":1.5,\"s\":\"a\",\"e\":\"RED\",\"t\":true,"
                            "\"n\":null,\"l\":[1,[2]],\"big\":1e20}");
  free(text);
  json_decref(j);
  /* Beyond a double's range, at any depth: no value (JSON cannot hold it). */
  assert_null(literal_to_json(f, "1e400"));
  assert_null(literal_to_json(f, "{ops: {a: [1, 1e400]}}"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_required_and_non_null),
      cmocka_unit_test(test_absent_null_and_defaults),
      cmocka_unit_test(test_scalar_messages),
      cmocka_unit_test(test_lists),
      cmocka_unit_test(test_inspect_formatting),
      cmocka_unit_test(test_input_objects),
      cmocka_unit_test(test_enums),
      cmocka_unit_test(test_one_of),
      cmocka_unit_test(test_unknown_type_and_error_limit),
      cmocka_unit_test(test_argument_defaults_absent_null),
      cmocka_unit_test(test_argument_errors),
      cmocka_unit_test(test_literals_with_variables),
      cmocka_unit_test(test_coerce_value),
      cmocka_unit_test(test_value_from_json),
      cmocka_unit_test(test_value_to_json),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
