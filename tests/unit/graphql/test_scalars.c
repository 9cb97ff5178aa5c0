/* test_scalars.c — tests of graphql/scalars.c: result coercion (serialize)
 * and input coercion of variables and literals (parse) for Int, Float,
 * String, Boolean and ID, with graphql-js 16's messages; and the
 * pass-through hooks of the JSON scalar and of custom scalars.
 *
 * The table was produced by running graphql-js's serialize, parseValue and
 * parseLiteral on the same inputs; outputs differ from graphql-js only in
 * how floats are written (Python's repr, as Dagster's server writes them:
 * 1.0, 1e-07). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/schema_internal.h"
#include "graphql/values.h"

/* mode: "ser" serializes a result given as JSON (integral numbers become
 * Int results, others Float results, strings String results, booleans
 * Boolean results, anything else a JSON result; null stands for NaN);
 * "var" parses a variable given as JSON; "lit" parses a GraphQL literal.
 * expected: "OK <output JSON>" or "ERR <message>". */
static const struct {
  const char *mode, *type, *input, *expected;
} cases[] = {
    {"ser", "Int", "1", "OK 1"},
    {"ser", "Int", "-5", "OK -5"},
    {"ser", "Int", "1.5", "ERR Int cannot represent non-integer value: 1.5"},
    {"ser", "Int", "2147483648",
     "ERR Int cannot represent non 32-bit signed integer value: 2147483648"},
    {"ser", "Int", "-2147483649",
     "ERR Int cannot represent non 32-bit signed integer value: -2147483649"},
    {"ser", "Int", "1e+21", "ERR Int cannot represent non 32-bit signed integer value: 1e+21"},
    {"ser", "Int", "0.1", "ERR Int cannot represent non-integer value: 0.1"},
    {"ser", "Int", "true", "OK 1"},
    {"ser", "Int", "false", "OK 0"},
    {"ser", "Int", "\"12\"", "OK 12"},
    {"ser", "Int", "\"abc\"", "ERR Int cannot represent non-integer value: \"abc\""},
    {"ser", "Int", "\"\"", "ERR Int cannot represent non-integer value: \"\""},
    {"ser", "Int", "\" 7 \"", "OK 7"},
    {"ser", "Int", "\"0x10\"", "OK 16"},
    {"ser", "Int", "\"1e3\"", "OK 1000"},
    {"ser", "Int", "1", "OK 1"},
    {"ser", "Int", "[1,2]", "ERR Int cannot represent non-integer value: [1, 2]"},
    {"ser", "Int", "{\"a\":1}", "ERR Int cannot represent non-integer value: { a: 1 }"},
    {"ser", "Int", "123456789012",
     "ERR Int cannot represent non 32-bit signed integer value: 123456789012"},
    {"ser", "Int", "1e-7", "ERR Int cannot represent non-integer value: 1e-7"},
    {"ser", "Int", "\"Infinity\"", "ERR Int cannot represent non-integer value: \"Infinity\""},
    {"ser", "Int", "null", "ERR Int cannot represent non-integer value: NaN"},
    {"ser", "Float", "1", "OK 1.0"},
    {"ser", "Float", "-5", "OK -5.0"},
    {"ser", "Float", "1.5", "OK 1.5"},
    {"ser", "Float", "2147483648", "OK 2147483648.0"},
    {"ser", "Float", "-2147483649", "OK -2147483649.0"},
    {"ser", "Float", "1e+21", "OK 1e+21"},
    {"ser", "Float", "0.1", "OK 0.1"},
    {"ser", "Float", "true", "OK 1.0"},
    {"ser", "Float", "false", "OK 0.0"},
    {"ser", "Float", "\"12\"", "OK 12.0"},
    {"ser", "Float", "\"abc\"", "ERR Float cannot represent non numeric value: \"abc\""},
    {"ser", "Float", "\"\"", "ERR Float cannot represent non numeric value: \"\""},
    {"ser", "Float", "\" 7 \"", "OK 7.0"},
    {"ser", "Float", "\"0x10\"", "OK 16.0"},
    {"ser", "Float", "\"1e3\"", "OK 1000.0"},
    {"ser", "Float", "1", "OK 1.0"},
    {"ser", "Float", "[1,2]", "ERR Float cannot represent non numeric value: [1, 2]"},
    {"ser", "Float", "{\"a\":1}", "ERR Float cannot represent non numeric value: { a: 1 }"},
    {"ser", "Float", "123456789012", "OK 123456789012.0"},
    {"ser", "Float", "1e-7", "OK 1e-07"},
    {"ser", "Float", "\"Infinity\"", "ERR Float cannot represent non numeric value: \"Infinity\""},
    {"ser", "Float", "null", "ERR Float cannot represent non numeric value: NaN"},
    {"ser", "String", "1", "OK \"1\""},
    {"ser", "String", "-5", "OK \"-5\""},
    {"ser", "String", "1.5", "OK \"1.5\""},
    {"ser", "String", "2147483648", "OK \"2147483648\""},
    {"ser", "String", "-2147483649", "OK \"-2147483649\""},
    {"ser", "String", "1e+21", "OK \"1e+21\""},
    {"ser", "String", "0.1", "OK \"0.1\""},
    {"ser", "String", "true", "OK \"true\""},
    {"ser", "String", "false", "OK \"false\""},
    {"ser", "String", "\"12\"", "OK \"12\""},
    {"ser", "String", "\"abc\"", "OK \"abc\""},
    {"ser", "String", "\"\"", "OK \"\""},
    {"ser", "String", "\" 7 \"", "OK \" 7 \""},
    {"ser", "String", "\"0x10\"", "OK \"0x10\""},
    {"ser", "String", "\"1e3\"", "OK \"1e3\""},
    {"ser", "String", "1", "OK \"1\""},
    {"ser", "String", "[1,2]", "ERR String cannot represent value: [1, 2]"},
    {"ser", "String", "{\"a\":1}", "ERR String cannot represent value: { a: 1 }"},
    {"ser", "String", "123456789012", "OK \"123456789012\""},
    {"ser", "String", "1e-7", "OK \"1e-7\""},
    {"ser", "String", "\"Infinity\"", "OK \"Infinity\""},
    {"ser", "String", "null", "ERR String cannot represent value: NaN"},
    {"ser", "Boolean", "1", "OK true"},
    {"ser", "Boolean", "-5", "OK true"},
    {"ser", "Boolean", "1.5", "OK true"},
    {"ser", "Boolean", "2147483648", "OK true"},
    {"ser", "Boolean", "-2147483649", "OK true"},
    {"ser", "Boolean", "1e+21", "OK true"},
    {"ser", "Boolean", "0.1", "OK true"},
    {"ser", "Boolean", "true", "OK true"},
    {"ser", "Boolean", "false", "OK false"},
    {"ser", "Boolean", "\"12\"", "ERR Boolean cannot represent a non boolean value: \"12\""},
    {"ser", "Boolean", "\"abc\"", "ERR Boolean cannot represent a non boolean value: \"abc\""},
    {"ser", "Boolean", "\"\"", "ERR Boolean cannot represent a non boolean value: \"\""},
    {"ser", "Boolean", "\" 7 \"", "ERR Boolean cannot represent a non boolean value: \" 7 \""},
    {"ser", "Boolean", "\"0x10\"", "ERR Boolean cannot represent a non boolean value: \"0x10\""},
    {"ser", "Boolean", "\"1e3\"", "ERR Boolean cannot represent a non boolean value: \"1e3\""},
    {"ser", "Boolean", "1", "OK true"},
    {"ser", "Boolean", "[1,2]", "ERR Boolean cannot represent a non boolean value: [1, 2]"},
    {"ser", "Boolean", "{\"a\":1}", "ERR Boolean cannot represent a non boolean value: { a: 1 }"},
    {"ser", "Boolean", "123456789012", "OK true"},
    {"ser", "Boolean", "1e-7", "OK true"},
    {"ser", "Boolean", "\"Infinity\"",
     "ERR Boolean cannot represent a non boolean value: \"Infinity\""},
    {"ser", "Boolean", "null", "ERR Boolean cannot represent a non boolean value: NaN"},
    {"ser", "ID", "1", "OK \"1\""},
    {"ser", "ID", "-5", "OK \"-5\""},
    {"ser", "ID", "1.5", "ERR ID cannot represent value: 1.5"},
    {"ser", "ID", "2147483648", "OK \"2147483648\""},
    {"ser", "ID", "-2147483649", "OK \"-2147483649\""},
    {"ser", "ID", "1e+21", "OK \"1e+21\""},
    {"ser", "ID", "0.1", "ERR ID cannot represent value: 0.1"},
    {"ser", "ID", "true", "ERR ID cannot represent value: true"},
    {"ser", "ID", "false", "ERR ID cannot represent value: false"},
    {"ser", "ID", "\"12\"", "OK \"12\""},
    {"ser", "ID", "\"abc\"", "OK \"abc\""},
    {"ser", "ID", "\"\"", "OK \"\""},
    {"ser", "ID", "\" 7 \"", "OK \" 7 \""},
    {"ser", "ID", "\"0x10\"", "OK \"0x10\""},
    {"ser", "ID", "\"1e3\"", "OK \"1e3\""},
    {"ser", "ID", "1", "OK \"1\""},
    {"ser", "ID", "[1,2]", "ERR ID cannot represent value: [1, 2]"},
    {"ser", "ID", "{\"a\":1}", "ERR ID cannot represent value: { a: 1 }"},
    {"ser", "ID", "123456789012", "OK \"123456789012\""},
    {"ser", "ID", "1e-7", "ERR ID cannot represent value: 1e-7"},
    {"ser", "ID", "\"Infinity\"", "OK \"Infinity\""},
    {"ser", "ID", "null", "ERR ID cannot represent value: NaN"},
    {"var", "Int", "1", "OK 1"},
    {"var", "Int", "1.0", "OK 1"},
    {"var", "Int", "1.5", "ERR Int cannot represent non-integer value: 1.5"},
    {"var", "Int", "2147483648",
     "ERR Int cannot represent non 32-bit signed integer value: 2147483648"},
    {"var", "Int", "-2147483648", "OK -2147483648"},
    {"var", "Int", "\"abc\"", "ERR Int cannot represent non-integer value: \"abc\""},
    {"var", "Int", "true", "ERR Int cannot represent non-integer value: true"},
    {"var", "Int", "null", "ERR Int cannot represent non-integer value: null"},
    {"var", "Int", "[1,2]", "ERR Int cannot represent non-integer value: [1, 2]"},
    {"var", "Int", "{\"a\":1}", "ERR Int cannot represent non-integer value: { a: 1 }"},
    {"var", "Int", "[[[1]]]", "ERR Int cannot represent non-integer value: [[[Array]]]"},
    {"var", "Int", "{\"a\":{\"b\":{\"c\":1}}}",
     "ERR Int cannot represent non-integer value: { a: { b: [Object] } }"},
    {"var", "Int", "[1,2,3,4,5,6,7,8,9,10,11,12]",
     "ERR Int cannot represent non-integer value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"var", "Int", "\"\"", "ERR Int cannot represent non-integer value: \"\""},
    {"var", "Float", "1", "OK 1.0"},
    {"var", "Float", "1.0", "OK 1.0"},
    {"var", "Float", "1.5", "OK 1.5"},
    {"var", "Float", "2147483648", "OK 2147483648.0"},
    {"var", "Float", "-2147483648", "OK -2147483648.0"},
    {"var", "Float", "\"abc\"", "ERR Float cannot represent non numeric value: \"abc\""},
    {"var", "Float", "true", "ERR Float cannot represent non numeric value: true"},
    {"var", "Float", "null", "ERR Float cannot represent non numeric value: null"},
    {"var", "Float", "[1,2]", "ERR Float cannot represent non numeric value: [1, 2]"},
    {"var", "Float", "{\"a\":1}", "ERR Float cannot represent non numeric value: { a: 1 }"},
    {"var", "Float", "[[[1]]]", "ERR Float cannot represent non numeric value: [[[Array]]]"},
    {"var", "Float", "{\"a\":{\"b\":{\"c\":1}}}",
     "ERR Float cannot represent non numeric value: { a: { b: [Object] } }"},
    {"var", "Float", "[1,2,3,4,5,6,7,8,9,10,11,12]",
     "ERR Float cannot represent non numeric value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"var", "Float", "\"\"", "ERR Float cannot represent non numeric value: \"\""},
    {"var", "String", "1", "ERR String cannot represent a non string value: 1"},
    {"var", "String", "1.0", "ERR String cannot represent a non string value: 1"},
    {"var", "String", "1.5", "ERR String cannot represent a non string value: 1.5"},
    {"var", "String", "2147483648", "ERR String cannot represent a non string value: 2147483648"},
    {"var", "String", "-2147483648", "ERR String cannot represent a non string value: -2147483648"},
    {"var", "String", "\"abc\"", "OK \"abc\""},
    {"var", "String", "true", "ERR String cannot represent a non string value: true"},
    {"var", "String", "null", "ERR String cannot represent a non string value: null"},
    {"var", "String", "[1,2]", "ERR String cannot represent a non string value: [1, 2]"},
    {"var", "String", "{\"a\":1}", "ERR String cannot represent a non string value: { a: 1 }"},
    {"var", "String", "[[[1]]]", "ERR String cannot represent a non string value: [[[Array]]]"},
    {"var", "String", "{\"a\":{\"b\":{\"c\":1}}}",
     "ERR String cannot represent a non string value: { a: { b: [Object] } }"},
    {"var", "String", "[1,2,3,4,5,6,7,8,9,10,11,12]",
     "ERR String cannot represent a non string value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"var", "String", "\"\"", "OK \"\""},
    {"var", "Boolean", "1", "ERR Boolean cannot represent a non boolean value: 1"},
    {"var", "Boolean", "1.0", "ERR Boolean cannot represent a non boolean value: 1"},
    {"var", "Boolean", "1.5", "ERR Boolean cannot represent a non boolean value: 1.5"},
    {"var", "Boolean", "2147483648",
     "ERR Boolean cannot represent a non boolean value: 2147483648"},
    {"var", "Boolean", "-2147483648",
     "ERR Boolean cannot represent a non boolean value: -2147483648"},
    {"var", "Boolean", "\"abc\"", "ERR Boolean cannot represent a non boolean value: \"abc\""},
    {"var", "Boolean", "true", "OK true"},
    {"var", "Boolean", "null", "ERR Boolean cannot represent a non boolean value: null"},
    {"var", "Boolean", "[1,2]", "ERR Boolean cannot represent a non boolean value: [1, 2]"},
    {"var", "Boolean", "{\"a\":1}", "ERR Boolean cannot represent a non boolean value: { a: 1 }"},
    {"var", "Boolean", "[[[1]]]", "ERR Boolean cannot represent a non boolean value: [[[Array]]]"},
    {"var", "Boolean", "{\"a\":{\"b\":{\"c\":1}}}",
     "ERR Boolean cannot represent a non boolean value: { a: { b: [Object] } }"},
    {"var", "Boolean", "[1,2,3,4,5,6,7,8,9,10,11,12]",
     "ERR Boolean cannot represent a non boolean value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"var", "Boolean", "\"\"", "ERR Boolean cannot represent a non boolean value: \"\""},
    {"var", "ID", "1", "OK \"1\""},
    {"var", "ID", "1.0", "OK \"1\""},
    {"var", "ID", "1.5", "ERR ID cannot represent value: 1.5"},
    {"var", "ID", "2147483648", "OK \"2147483648\""},
    {"var", "ID", "-2147483648", "OK \"-2147483648\""},
    {"var", "ID", "\"abc\"", "OK \"abc\""},
    {"var", "ID", "true", "ERR ID cannot represent value: true"},
    {"var", "ID", "null", "ERR ID cannot represent value: null"},
    {"var", "ID", "[1,2]", "ERR ID cannot represent value: [1, 2]"},
    {"var", "ID", "{\"a\":1}", "ERR ID cannot represent value: { a: 1 }"},
    {"var", "ID", "[[[1]]]", "ERR ID cannot represent value: [[[Array]]]"},
    {"var", "ID", "{\"a\":{\"b\":{\"c\":1}}}",
     "ERR ID cannot represent value: { a: { b: [Object] } }"},
    {"var", "ID", "[1,2,3,4,5,6,7,8,9,10,11,12]",
     "ERR ID cannot represent value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"var", "ID", "\"\"", "OK \"\""},
    {"lit", "Int", "1", "OK 1"},
    {"lit", "Int", "1.5", "ERR Int cannot represent non-integer value: 1.5"},
    {"lit", "Int", "2147483648",
     "ERR Int cannot represent non 32-bit signed integer value: 2147483648"},
    {"lit", "Int", "-2147483649",
     "ERR Int cannot represent non 32-bit signed integer value: -2147483649"},
    {"lit", "Int", "\"abc\"", "ERR Int cannot represent non-integer value: \"abc\""},
    {"lit", "Int", "true", "ERR Int cannot represent non-integer value: true"},
    {"lit", "Int", "null", "ERR Int cannot represent non-integer value: null"},
    {"lit", "Int", "ENUM", "ERR Int cannot represent non-integer value: ENUM"},
    {"lit", "Int", "[1, 2]", "ERR Int cannot represent non-integer value: [1, 2]"},
    {"lit", "Int", "{a: 1}", "ERR Int cannot represent non-integer value: {a: 1}"},
    {"lit", "Int", "99999999999999999999",
     "ERR Int cannot represent non 32-bit signed integer value: 99999999999999999999"},
    {"lit", "Float", "1", "OK 1.0"},
    {"lit", "Float", "1.5", "OK 1.5"},
    {"lit", "Float", "2147483648", "OK 2147483648.0"},
    {"lit", "Float", "-2147483649", "OK -2147483649.0"},
    {"lit", "Float", "\"abc\"", "ERR Float cannot represent non numeric value: \"abc\""},
    {"lit", "Float", "true", "ERR Float cannot represent non numeric value: true"},
    {"lit", "Float", "null", "ERR Float cannot represent non numeric value: null"},
    {"lit", "Float", "ENUM", "ERR Float cannot represent non numeric value: ENUM"},
    {"lit", "Float", "[1, 2]", "ERR Float cannot represent non numeric value: [1, 2]"},
    {"lit", "Float", "{a: 1}", "ERR Float cannot represent non numeric value: {a: 1}"},
    {"lit", "Float", "99999999999999999999", "OK 1e+20"},
    {"lit", "String", "1", "ERR String cannot represent a non string value: 1"},
    {"lit", "String", "1.5", "ERR String cannot represent a non string value: 1.5"},
    {"lit", "String", "2147483648", "ERR String cannot represent a non string value: 2147483648"},
    {"lit", "String", "-2147483649", "ERR String cannot represent a non string value: -2147483649"},
    {"lit", "String", "\"abc\"", "OK \"abc\""},
    {"lit", "String", "true", "ERR String cannot represent a non string value: true"},
    {"lit", "String", "null", "ERR String cannot represent a non string value: null"},
    {"lit", "String", "ENUM", "ERR String cannot represent a non string value: ENUM"},
    {"lit", "String", "[1, 2]", "ERR String cannot represent a non string value: [1, 2]"},
    {"lit", "String", "{a: 1}", "ERR String cannot represent a non string value: {a: 1}"},
    {"lit", "String", "99999999999999999999",
     "ERR String cannot represent a non string value: 99999999999999999999"},
    {"lit", "Boolean", "1", "ERR Boolean cannot represent a non boolean value: 1"},
    {"lit", "Boolean", "1.5", "ERR Boolean cannot represent a non boolean value: 1.5"},
    {"lit", "Boolean", "2147483648",
     "ERR Boolean cannot represent a non boolean value: 2147483648"},
    {"lit", "Boolean", "-2147483649",
     "ERR Boolean cannot represent a non boolean value: -2147483649"},
    {"lit", "Boolean", "\"abc\"", "ERR Boolean cannot represent a non boolean value: \"abc\""},
    {"lit", "Boolean", "true", "OK true"},
    {"lit", "Boolean", "null", "ERR Boolean cannot represent a non boolean value: null"},
    {"lit", "Boolean", "ENUM", "ERR Boolean cannot represent a non boolean value: ENUM"},
    {"lit", "Boolean", "[1, 2]", "ERR Boolean cannot represent a non boolean value: [1, 2]"},
    {"lit", "Boolean", "{a: 1}", "ERR Boolean cannot represent a non boolean value: {a: 1}"},
    {"lit", "Boolean", "99999999999999999999",
     "ERR Boolean cannot represent a non boolean value: 99999999999999999999"},
    {"lit", "ID", "1", "OK \"1\""},
    {"lit", "ID", "1.5", "ERR ID cannot represent a non-string and non-integer value: 1.5"},
    {"lit", "ID", "2147483648", "OK \"2147483648\""},
    {"lit", "ID", "-2147483649", "OK \"-2147483649\""},
    {"lit", "ID", "\"abc\"", "OK \"abc\""},
    {"lit", "ID", "true", "ERR ID cannot represent a non-string and non-integer value: true"},
    {"lit", "ID", "null", "ERR ID cannot represent a non-string and non-integer value: null"},
    {"lit", "ID", "ENUM", "ERR ID cannot represent a non-string and non-integer value: ENUM"},
    {"lit", "ID", "[1, 2]", "ERR ID cannot represent a non-string and non-integer value: [1, 2]"},
    {"lit", "ID", "{a: 1}", "ERR ID cannot represent a non-string and non-integer value: {a: 1}"},
    {"lit", "ID", "99999999999999999999", "OK \"99999999999999999999\""},
};

static const gql_scalar_hooks *hooks_of(const char *type) {
  if (strcmp(type, "Int") == 0)
    return &gql_int_scalar_hooks;
  if (strcmp(type, "Float") == 0)
    return &gql_float_scalar_hooks;
  if (strcmp(type, "String") == 0)
    return &gql_string_scalar_hooks;
  if (strcmp(type, "Boolean") == 0)
    return &gql_boolean_scalar_hooks;
  return &gql_id_scalar_hooks;
}

/* A coerced value written as JSON, checking its kind agrees. */
static void write_coerced(json_writer *w, const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_INT:
    assert_true(v->fval == (double)v->ival);
    json_int(w, v->ival);
    break;
  case GQL_VALUE_FLOAT:
    json_double(w, v->fval);
    break;
  case GQL_VALUE_STRING:
    json_str_n(w, v->str, v->str_len);
    break;
  case GQL_VALUE_BOOLEAN:
    json_bool(w, v->boolean);
    break;
  default:
    fail_msg("unexpected coerced kind %d", (int)v->kind);
  }
}

static gql_rv result_of(const char *input, json_t **keep) {
  if (strcmp(input, "null") == 0)
    return gql_rv_float(NAN);
  json_t *j = json_loads(input, JSON_DECODE_ANY, NULL);
  assert_non_null(j);
  *keep = j;
  if (json_is_integer(j))
    return gql_rv_int(json_integer_value(j));
  if (json_is_real(j)) {
    double d = json_real_value(j);
    return d == floor(d) && fabs(d) < 1e18 ? gql_rv_int((int64_t)d) : gql_rv_float(d);
  }
  if (json_is_string(j))
    return gql_rv_string(json_string_value(j));
  if (json_is_boolean(j))
    return gql_rv_bool(json_is_true(j));
  return gql_rv_json(j);
}

static const char *run_case(arena *a, const char *mode, const char *type, const char *input) {
  const gql_scalar_hooks *h = hooks_of(type);
  char err[512] = "";
  buf out;
  buf_init(&out, a);
  json_writer w;
  json_writer_init(&w, &out);
  bool ok;
  if (strcmp(mode, "ser") == 0) {
    json_t *keep = NULL;
    gql_rv rv = result_of(input, &keep);
    ok = h->serialize(&rv, &w, err, sizeof err);
    json_decref(keep);
  } else {
    bool from_variable = strcmp(mode, "var") == 0;
    gql_value *v;
    if (from_variable) {
      json_t *j = json_loads(input, JSON_DECODE_ANY, NULL);
      assert_non_null(j);
      v = gql_value_from_json(a, j);
      json_decref(j);
    } else {
      gql_errors errs;
      gql_errors_init(&errs, a);
      v = gql_parse_value(a, input, strlen(input), &errs);
      assert_non_null(v);
    }
    const gql_value *o = h->parse(v, from_variable, a, err, sizeof err);
    ok = o != NULL;
    if (o)
      write_coerced(&w, o);
  }
  return ok ? arena_printf(a, "OK %s", buf_cstr(&out)) : arena_printf(a, "ERR %s", err);
}

static void test_specified_scalars_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    arena *a = arena_new(0);
    const char *got = run_case(a, cases[i].mode, cases[i].type, cases[i].input);
    if (strcmp(got, cases[i].expected) != 0)
      print_error("%s %s %s: expected %s, got %s\n", cases[i].mode, cases[i].type, cases[i].input,
                  cases[i].expected, got);
    assert_string_equal(got, cases[i].expected);
    arena_free(a);
  }
}

static const char *serialize(arena *a, const gql_scalar_hooks *h, const gql_rv *rv, bool *ok) {
  buf out;
  buf_init(&out, a);
  json_writer w;
  json_writer_init(&w, &out);
  char *err = arena_alloc(a, 256);
  err[0] = '\0';
  *ok = h->serialize(rv, &w, err, 256);
  return *ok ? buf_cstr(&out) : err;
}

static void test_serialize_echoed_values(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  bool ok;
  /* An argument echoed back keeps its coerced form. */
  gql_value *v = gql_parse_value(a, "42", 2, &errs);
  gql_rv rv = {.kind = GQL_RV_VALUE, .u.value = v};
  assert_string_equal(serialize(a, &gql_int_scalar_hooks, &rv, &ok), "42");
  assert_string_equal(serialize(a, &gql_id_scalar_hooks, &rv, &ok), "\"42\"");
  v = gql_parse_value(a, "RED", 3, &errs);
  rv.u.value = v;
  assert_string_equal(serialize(a, &gql_string_scalar_hooks, &rv, &ok), "\"RED\"");
  /* An error or an opaque object is never a scalar. */
  gql_rv obj = gql_rv_object(&ok, NULL);
  assert_string_equal(serialize(a, &gql_string_scalar_hooks, &obj, &ok),
                      "String cannot represent value: {}");
  assert_false(ok);
  gql_rv null = gql_rv_null();
  assert_string_equal(serialize(a, &gql_boolean_scalar_hooks, &null, &ok),
                      "Boolean cannot represent a non boolean value: null");
  arena_free(a);
}

static void test_json_scalar(void **state) {
  (void)state;
  arena *a = arena_new(0);
  bool ok;
  json_t *j = json_loads("{\"b\":[1,2.5,\"x\",null,true],\"a\":{}}", 0, NULL);
  gql_rv rv = gql_rv_json(j);
  assert_string_equal(serialize(a, &gql_json_scalar_hooks, &rv, &ok),
                      "{\"b\":[1,2.5,\"x\",null,true],\"a\":{}}");
  json_decref(j);

  gql_rv list = gql_rv_list(a, 4);
  list.u.list.items[0] = gql_rv_int(1);
  list.u.list.items[1] = gql_rv_string("two");
  list.u.list.items[2] = gql_rv_float(0.5);
  list.u.list.items[3] = gql_rv_bool(false);
  assert_string_equal(serialize(a, &gql_json_scalar_hooks, &list, &ok), "[1,\"two\",0.5,false]");

  gql_errors errs;
  gql_errors_init(&errs, a);
  const char *text = "{a: [1, 2.5], b: \"s\", c: ENUM_X, d: null, e: 12345678901234567890123}";
  gql_value *lit = gql_parse_value(a, text, strlen(text), &errs);
  assert_non_null(lit);
  gql_rv echoed = {.kind = GQL_RV_VALUE, .u.value = lit};
  assert_string_equal(serialize(a, &gql_json_scalar_hooks, &echoed, &ok),
                      "{\"a\":[1,2.5],\"b\":\"s\",\"c\":\"ENUM_X\",\"d\":null,"
                      "\"e\":12345678901234567890123}");

  /* Parsing hands any constant value through, literal or variable. */
  char err[64];
  assert_ptr_equal(gql_json_scalar_hooks.parse(lit, false, a, err, sizeof err), lit);
  assert_ptr_equal(gql_json_scalar_hooks.parse(lit, true, a, err, sizeof err), lit);

  /* Objects and errors cannot be written, and nothing is written then. */
  gql_rv bad = gql_rv_list(a, 2);
  bad.u.list.items[0] = gql_rv_int(1);
  bad.u.list.items[1] = gql_rv_errorf(a, "boom %d", 7);
  buf out;
  buf_init(&out, a);
  json_writer w;
  json_writer_init(&w, &out);
  assert_false(gql_json_scalar_hooks.serialize(&bad, &w, err, sizeof err));
  assert_string_equal(err, "boom 7");
  assert_int_equal(out.len, 0);
  arena_free(a);
}

static void test_custom_scalar_default_is_pass_through(void **state) {
  (void)state;
  arena *a = arena_new(0);
  bool ok;
  gql_rv s = gql_rv_string("2024-01-01");
  assert_string_equal(serialize(a, &gql_custom_scalar_hooks, &s, &ok), "\"2024-01-01\"");
  gql_rv n = gql_rv_float(1.5);
  assert_string_equal(serialize(a, &gql_custom_scalar_hooks, &n, &ok), "1.5");
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_value *v = gql_parse_value(a, "[1, \"x\"]", 8, &errs);
  char err[64];
  assert_ptr_equal(gql_custom_scalar_hooks.parse(v, false, a, err, sizeof err), v);
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_specified_scalars_table),
      cmocka_unit_test(test_serialize_echoed_values),
      cmocka_unit_test(test_json_scalar),
      cmocka_unit_test(test_custom_scalar_default_is_pass_through),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
