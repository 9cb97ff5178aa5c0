/* test_inspect.c — unit tests for src/graphql/inspect.c: Number#toString
 * (positional and exponential ranges, shortest round-trip digits, -0, NaN,
 * infinities) and inspect() over input values, resolver values and JSON
 * data (quoting, nesting limit, ten-item limit). Expected texts are
 * graphql-js 16's (String(n) and jsutils/inspect on the same values). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/inspect.h"
#include "graphql/values.h"

static void test_js_number(void **state) {
  (void)state;
  static const struct {
    double v;
    const char *text;
  } cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {100, "100"},
      {1.5, "1.5"},
      {-1.5, "-1.5"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000"},
      {123456789012345680000.0, "123456789012345680000"},
      {1e-7, "1e-7"},
      {-1e-7, "-1e-7"},
      {0.000001, "0.000001"},
      {1.5e-7, "1.5e-7"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {9007199254740992.0, "9007199254740992"},
      {12345.678, "12345.678"},
      /* a power of two whose shortest form is 16 digits (a %.17g loop gave 17) */
      {0x1p-778, "6.290184345309701e-235"},
  };
  char out[GQL_JS_NUMBER_SIZE];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    gql_js_number(cases[i].v, out);
    assert_string_equal(out, cases[i].text);
  }
  gql_js_number(NAN, out);
  assert_string_equal(out, "NaN");
  gql_js_number(INFINITY, out);
  assert_string_equal(out, "Infinity");
  gql_js_number(-INFINITY, out);
  assert_string_equal(out, "-Infinity");
  buf b;
  buf_init(&b, NULL);
  gql_put_js_number(&b, 2.5);
  gql_put_js_number(&b, 1e21);
  assert_string_equal(buf_cstr(&b), "2.51e+21");
  buf_free(&b);
}

static const char *inspect_json_text(arena *a, const char *json) {
  json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
  assert_non_null(j);
  const char *from_value = gql_inspect_value(a, gql_value_from_json(a, j));
  /* The same data as a resolver's JSON value prints the same. */
  buf b;
  buf_init(&b, a);
  gql_rv rv = {.kind = GQL_RV_JSON, .u.json = j};
  gql_inspect_rv_into(&b, &rv);
  assert_string_equal(buf_cstr(&b), from_value);
  json_decref(j);
  return from_value;
}

static void test_inspect_values(void **state) {
  (void)state;
  arena *a = arena_new(0);
  assert_string_equal(inspect_json_text(a, "{\"a\":1,\"b\":\"x\",\"c\":[1,2,{\"d\":[1]}],"
                                           "\"e\":{\"f\":{\"g\":1}}}"),
                      "{ a: 1, b: \"x\", c: [1, 2, [Object]], e: { f: [Object] } }");
  assert_string_equal(inspect_json_text(a, "[1,2,3,4,5,6,7,8,9,10,11]"),
                      "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 1 more item]");
  assert_string_equal(inspect_json_text(a, "[1,2,3,4,5,6,7,8,9,10,11,12]"),
                      "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]");
  assert_string_equal(inspect_json_text(a, "[]"), "[]");
  assert_string_equal(inspect_json_text(a, "{}"), "{}");
  assert_string_equal(inspect_json_text(a, "[[[1]]]"), "[[[Array]]]");
  assert_string_equal(inspect_json_text(a, "\"a\\\"b\\n\""), "\"a\\\"b\\n\"");
  assert_string_equal(inspect_json_text(a, "1.5e300"), "1.5e+300");
  assert_string_equal(inspect_json_text(a, "[true, false, null, -7]"), "[true, false, null, -7]");
  arena_free(a);
}

static void test_inspect_resolver_values(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_value red = {.kind = GQL_VALUE_ENUM, .str = "RED"};
  gql_rv items[] = {
      gql_rv_int(1),
      gql_rv_float(0.5),
      {.kind = GQL_RV_STRING, .u.str = {.s = "s", .len = 1}},
      {.kind = GQL_RV_VALUE, .u.value = &red}, /* in JavaScript, the string "RED" */
      gql_rv_null(),
      {.kind = GQL_RV_ERROR},
  };
  gql_rv list = {.kind = GQL_RV_LIST, .u.list = {.items = items, .n = 6}};
  buf b;
  buf_init(&b, a);
  gql_inspect_rv_into(&b, &list);
  assert_string_equal(buf_cstr(&b), "[1, 0.5, \"s\", \"RED\", null, [Error]]");
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_js_number),
      cmocka_unit_test(test_inspect_values),
      cmocka_unit_test(test_inspect_resolver_values),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
