/* scalars.c — result and input coercion of the specified scalars (Int,
 * Float, String, Boolean, ID), of custom scalars without hooks of their own
 * (pass-through, like graphql-js's GraphQLScalarType defaults), and of the
 * JSON scalar Dagster uses for GenericScalar and RunConfigData.
 *
 * The rules and the messages are graphql-js 16's: results are coerced as its
 * serialize() does (booleans and numeric strings become numbers, integral
 * floats become Ints, …), variables as parseValue() does (JavaScript values
 * quoted with inspect(): "abc", 1.5, [1, 2], { a: 1 }) and literals as
 * parseLiteral() does (quoted with print()). Numbers in messages are printed
 * the way JavaScript prints them (1e+21, 1.5, 100). */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/inspect.h"
#include "graphql/printer.h"
#include "graphql/schema.h"
#include "graphql/schema_internal.h"

#define INT32_MAX_D 2147483647.0
#define INT32_MIN_D -2147483648.0

/* Writes "<prefix><what>" into err, where `what` is written by one of the
 * inspect/print helpers into a heap buffer. */
typedef enum { Q_RV, Q_VARIABLE, Q_LITERAL } quote_mode;

static void fail(char *err, size_t err_size, const char *prefix, quote_mode mode, const void *x) {
  if (!err || err_size == 0)
    return;
  buf b;
  buf_init(&b, NULL);
  buf_puts(&b, prefix);
  switch (mode) {
  case Q_RV:
    gql_inspect_rv_into(&b, x);
    break;
  case Q_VARIABLE:
    gql_inspect_value_into(&b, x);
    break;
  case Q_LITERAL:
    gql_print_value(&b, x);
    break;
  }
  snprintf(err, err_size, "%s", buf_cstr(&b));
  buf_free(&b);
}

/* ---- a JavaScript view of result values ---- */

typedef enum { JS_NULL, JS_BOOL, JS_NUMBER, JS_STRING, JS_OTHER } js_kind;

typedef struct js_val {
  js_kind kind;
  bool b;
  double num;
  bool exact_int; /* num came from an int64, exactly i */
  int64_t i;
  const char *s;
  size_t len;
} js_val;

static js_val js_of_json(const json_t *j) {
  js_val v = {.kind = JS_OTHER};
  switch (json_typeof(j)) {
  case JSON_INTEGER:
    v.kind = JS_NUMBER;
    v.exact_int = true;
    v.i = (int64_t)json_integer_value(j);
    v.num = (double)v.i;
    break;
  case JSON_REAL:
    v.kind = JS_NUMBER;
    v.num = json_real_value(j);
    break;
  case JSON_STRING:
    v.kind = JS_STRING;
    v.s = json_string_value(j);
    v.len = json_string_length(j);
    break;
  case JSON_TRUE:
  case JSON_FALSE:
    v.kind = JS_BOOL;
    v.b = json_is_true(j);
    break;
  case JSON_NULL:
    v.kind = JS_NULL;
    break;
  default:
    break;
  }
  return v;
}

/* Values echoed back (GQL_RV_VALUE) and variables share this view. */
static js_val js_of_value(const gql_value *x) {
  js_val v = {.kind = JS_OTHER};
  switch (x->kind) {
  case GQL_VALUE_INT:
    v.kind = JS_NUMBER;
    v.num = x->fval;
    if (!x->int_overflow) {
      v.exact_int = true;
      v.i = x->ival;
      v.num = (double)x->ival;
    }
    break;
  case GQL_VALUE_FLOAT:
    v.kind = JS_NUMBER;
    v.num = x->fval;
    break;
  case GQL_VALUE_STRING:
    v.kind = JS_STRING;
    v.s = x->str;
    v.len = x->str_len;
    break;
  case GQL_VALUE_ENUM:
    v.kind = JS_STRING;
    v.s = x->str;
    v.len = strlen(x->str);
    break;
  case GQL_VALUE_BOOLEAN:
    v.kind = JS_BOOL;
    v.b = x->boolean;
    break;
  case GQL_VALUE_NULL:
  case GQL_VALUE_VARIABLE:
    v.kind = JS_NULL;
    break;
  default:
    break;
  }
  return v;
}

static js_val js_of_rv(const gql_rv *r) {
  js_val v = {.kind = JS_OTHER};
  switch (r->kind) {
  case GQL_RV_NULL:
    v.kind = JS_NULL;
    break;
  case GQL_RV_BOOL:
    v.kind = JS_BOOL;
    v.b = r->u.b;
    break;
  case GQL_RV_INT:
    v.kind = JS_NUMBER;
    v.exact_int = true;
    v.i = r->u.i;
    v.num = (double)r->u.i;
    break;
  case GQL_RV_FLOAT:
    v.kind = JS_NUMBER;
    v.num = r->u.f;
    break;
  case GQL_RV_STRING:
    v.kind = JS_STRING;
    v.s = r->u.str.s;
    v.len = r->u.str.len;
    break;
  case GQL_RV_JSON:
    return js_of_json(r->u.json);
  case GQL_RV_VALUE:
    return js_of_value(r->u.value);
  default:
    break;
  }
  return v;
}

static bool is_js_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* JavaScript's Number(string); NaN when the text is not a number. */
static double js_string_to_number(const char *s, size_t len) {
  const char *p = s, *end = s + len;
  while (p < end && is_js_space(*p))
    p++;
  while (end > p && is_js_space(end[-1]))
    end--;
  if (p == end)
    return 0;
  char tmp[128];
  size_t n = (size_t)(end - p);
  if (n >= sizeof tmp)
    return NAN;
  memcpy(tmp, p, n);
  tmp[n] = '\0';
  if (n > 2 && tmp[0] == '0' && strchr("xXoObB", tmp[1])) {
    int base = (tmp[1] == 'x' || tmp[1] == 'X') ? 16 : (tmp[1] == 'o' || tmp[1] == 'O') ? 8 : 2;
    double v = 0;
    for (size_t i = 2; i < n; i++) {
      int d = isdigit((unsigned char)tmp[i])    ? tmp[i] - '0'
              : isxdigit((unsigned char)tmp[i]) ? tolower((unsigned char)tmp[i]) - 'a' + 10
                                                : 99;
      if (d >= base)
        return NAN;
      v = v * base + d;
    }
    return v;
  }
  const char *q = tmp;
  if (*q == '+' || *q == '-')
    q++;
  if (strcmp(q, "Infinity") == 0)
    return tmp[0] == '-' ? -INFINITY : INFINITY;
  /* StrDecimalLiteral: digits [. digits] [e [+-] digits], with digits on at
   * least one side of the point. */
  size_t int_digits = 0, frac_digits = 0;
  while (isdigit((unsigned char)*q))
    q++, int_digits++;
  if (*q == '.') {
    q++;
    while (isdigit((unsigned char)*q))
      q++, frac_digits++;
  }
  if (int_digits + frac_digits == 0)
    return NAN;
  if (*q == 'e' || *q == 'E') {
    q++;
    if (*q == '+' || *q == '-')
      q++;
    if (!isdigit((unsigned char)*q))
      return NAN;
    while (isdigit((unsigned char)*q))
      q++;
  }
  if (*q)
    return NAN;
  return strtod(tmp, NULL);
}

static bool is_integral(double v) { return isfinite(v) && floor(v) == v; }

/* ---- Int ---- */

/* The 32-bit integer a JavaScript number stands for, in *out; otherwise the
 * prefix of the message that rejects it. */
static const char *js_int32(const js_val *v, int64_t *out) {
  if (v->kind != JS_NUMBER || !(v->exact_int || is_integral(v->num)))
    return "Int cannot represent non-integer value: ";
  if (v->exact_int ? (v->i > INT32_MAX || v->i < INT32_MIN)
                   : (v->num > INT32_MAX_D || v->num < INT32_MIN_D))
    return "Int cannot represent non 32-bit signed integer value: ";
  *out = v->exact_int ? v->i : (int64_t)v->num;
  return NULL;
}

static bool int_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  js_val v = js_of_rv(in);
  if (v.kind == JS_BOOL) {
    json_int(w, v.b ? 1 : 0);
    return true;
  }
  if (v.kind == JS_STRING && v.len > 0) {
    v.num = js_string_to_number(v.s, v.len);
    v.kind = JS_NUMBER;
    v.exact_int = false;
  }
  int64_t i;
  const char *why = js_int32(&v, &i);
  if (why) {
    fail(err, err_size, why, Q_RV, in);
    return false;
  }
  json_int(w, i);
  return true;
}

static gql_value *new_value(arena *a, const gql_value *in, gql_value_kind kind) {
  gql_value *v = ARENA_NEW(a, gql_value);
  v->kind = kind;
  v->loc = in->loc;
  return v;
}

static gql_value *int_value(arena *a, const gql_value *in, int64_t i) {
  gql_value *v = new_value(a, in, GQL_VALUE_INT);
  v->ival = i;
  v->fval = (double)i;
  v->str = arena_printf(a, "%lld", (long long)i);
  return v;
}

static const gql_value *int_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                  size_t err_size) {
  if (!from_variable) {
    if (in->kind != GQL_VALUE_INT) {
      fail(err, err_size, "Int cannot represent non-integer value: ", Q_LITERAL, in);
      return NULL;
    }
    if (in->int_overflow || in->ival > INT32_MAX || in->ival < INT32_MIN) {
      snprintf(err, err_size, "Int cannot represent non 32-bit signed integer value: %s", in->str);
      return NULL;
    }
    return int_value(a, in, in->ival);
  }
  js_val v = js_of_value(in);
  int64_t i;
  const char *why = js_int32(&v, &i);
  if (why) {
    fail(err, err_size, why, Q_VARIABLE, in);
    return NULL;
  }
  return int_value(a, in, i);
}

/* ---- Float ---- */

static bool float_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  js_val v = js_of_rv(in);
  if (v.kind == JS_BOOL) {
    json_double(w, v.b ? 1 : 0);
    return true;
  }
  if (v.kind == JS_STRING && v.len > 0) {
    v.num = js_string_to_number(v.s, v.len);
    v.kind = JS_NUMBER;
  }
  if (v.kind != JS_NUMBER || !isfinite(v.num)) {
    fail(err, err_size, "Float cannot represent non numeric value: ", Q_RV, in);
    return false;
  }
  json_double(w, v.num);
  return true;
}

static gql_value *float_value(arena *a, const gql_value *in, double f) {
  gql_value *v = new_value(a, in, GQL_VALUE_FLOAT);
  v->fval = f;
  char tmp[GQL_JS_NUMBER_SIZE];
  gql_js_number(f, tmp);
  v->str = arena_strdup(a, tmp);
  return v;
}

static const gql_value *float_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                    size_t err_size) {
  if (!from_variable) {
    if (in->kind != GQL_VALUE_FLOAT && in->kind != GQL_VALUE_INT) {
      fail(err, err_size, "Float cannot represent non numeric value: ", Q_LITERAL, in);
      return NULL;
    }
    return float_value(
        a, in, in->kind == GQL_VALUE_INT && !in->int_overflow ? (double)in->ival : in->fval);
  }
  js_val v = js_of_value(in);
  if (v.kind != JS_NUMBER || !isfinite(v.num)) {
    fail(err, err_size, "Float cannot represent non numeric value: ", Q_VARIABLE, in);
    return NULL;
  }
  return float_value(a, in, v.num);
}

/* ---- String ---- */

static bool string_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  js_val v = js_of_rv(in);
  char tmp[GQL_JS_NUMBER_SIZE];
  switch (v.kind) {
  case JS_STRING:
    json_str_n(w, v.s, v.len);
    return true;
  case JS_BOOL:
    json_str(w, v.b ? "true" : "false");
    return true;
  case JS_NUMBER:
    if (v.exact_int) {
      snprintf(tmp, sizeof tmp, "%lld", (long long)v.i);
      json_str(w, tmp);
      return true;
    }
    if (isfinite(v.num)) {
      gql_js_number(v.num, tmp);
      json_str(w, tmp);
      return true;
    }
    break;
  default:
    break;
  }
  fail(err, err_size, "String cannot represent value: ", Q_RV, in);
  return false;
}

static gql_value *string_value(arena *a, const gql_value *in, const char *s, size_t len) {
  gql_value *v = new_value(a, in, GQL_VALUE_STRING);
  v->str = s;
  v->str_len = len;
  return v;
}

static const gql_value *string_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                     size_t err_size) {
  if (in->kind != GQL_VALUE_STRING) {
    fail(err, err_size,
         "String cannot represent a non string value: ", from_variable ? Q_VARIABLE : Q_LITERAL,
         in);
    return NULL;
  }
  return string_value(a, in, in->str, in->str_len);
}

/* ---- Boolean ---- */

static bool boolean_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  js_val v = js_of_rv(in);
  if (v.kind == JS_BOOL) {
    json_bool(w, v.b);
    return true;
  }
  if (v.kind == JS_NUMBER && isfinite(v.num)) {
    json_bool(w, v.num != 0);
    return true;
  }
  fail(err, err_size, "Boolean cannot represent a non boolean value: ", Q_RV, in);
  return false;
}

static const gql_value *boolean_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                      size_t err_size) {
  if (in->kind != GQL_VALUE_BOOLEAN) {
    fail(err, err_size,
         "Boolean cannot represent a non boolean value: ", from_variable ? Q_VARIABLE : Q_LITERAL,
         in);
    return NULL;
  }
  gql_value *v = new_value(a, in, GQL_VALUE_BOOLEAN);
  v->boolean = in->boolean;
  return v;
}

/* ---- ID ---- */

/* The text of an integral JavaScript number, or NULL. */
static const char *js_int_text(const js_val *v, char *tmp) {
  if (v->kind != JS_NUMBER)
    return NULL;
  if (v->exact_int) {
    sprintf(tmp, "%lld", (long long)v->i);
    return tmp;
  }
  if (!is_integral(v->num))
    return NULL;
  gql_js_number(v->num, tmp);
  return tmp;
}

static bool id_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  js_val v = js_of_rv(in);
  char tmp[GQL_JS_NUMBER_SIZE];
  if (v.kind == JS_STRING) {
    json_str_n(w, v.s, v.len);
    return true;
  }
  const char *text = js_int_text(&v, tmp);
  if (text) {
    json_str(w, text);
    return true;
  }
  fail(err, err_size, "ID cannot represent value: ", Q_RV, in);
  return false;
}

static const gql_value *id_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                 size_t err_size) {
  if (!from_variable) {
    if (in->kind == GQL_VALUE_STRING)
      return string_value(a, in, in->str, in->str_len);
    if (in->kind == GQL_VALUE_INT)
      return string_value(a, in, in->str, strlen(in->str));
    fail(err, err_size, "ID cannot represent a non-string and non-integer value: ", Q_LITERAL, in);
    return NULL;
  }
  if (in->kind == GQL_VALUE_STRING)
    return string_value(a, in, in->str, in->str_len);
  js_val v = js_of_value(in);
  char tmp[GQL_JS_NUMBER_SIZE];
  const char *text = js_int_text(&v, tmp);
  if (text) {
    const char *copy = arena_strdup(a, text);
    return string_value(a, in, copy, strlen(copy));
  }
  fail(err, err_size, "ID cannot represent value: ", Q_VARIABLE, in);
  return NULL;
}

/* ---- JSON and custom scalars: pass-through ---- */

static void write_value_json(json_writer *w, const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_INT:
    if (v->int_overflow)
      json_raw(w, v->str, strlen(v->str));
    else
      json_int(w, v->ival);
    break;
  case GQL_VALUE_FLOAT:
    json_double(w, v->fval);
    break;
  case GQL_VALUE_STRING:
    json_str_n(w, v->str, v->str_len);
    break;
  case GQL_VALUE_ENUM:
    json_str(w, v->str);
    break;
  case GQL_VALUE_BOOLEAN:
    json_bool(w, v->boolean);
    break;
  case GQL_VALUE_NULL:
  case GQL_VALUE_VARIABLE:
    json_nil(w);
    break;
  case GQL_VALUE_LIST:
    json_begin_array(w);
    for (size_t i = 0; i < v->n_items; i++)
      write_value_json(w, v->items[i]);
    json_end_array(w);
    break;
  case GQL_VALUE_OBJECT:
    json_begin_object(w);
    for (size_t i = 0; i < v->n_fields; i++) {
      json_key(w, v->fields[i].name);
      write_value_json(w, v->fields[i].value);
    }
    json_end_object(w);
    break;
  }
}

/* Fails without writing anything, so the caller's output stays valid. */
static bool check_any(const gql_rv *in, char *err, size_t err_size) {
  if (in->kind == GQL_RV_OBJECT) {
    snprintf(err, err_size, "Scalar cannot represent an object value");
    return false;
  }
  if (in->kind == GQL_RV_ERROR) {
    snprintf(err, err_size, "%s", in->u.error ? in->u.error : "error");
    return false;
  }
  if (in->kind == GQL_RV_LIST)
    for (size_t i = 0; i < in->u.list.n; i++)
      if (!check_any(&in->u.list.items[i], err, err_size))
        return false;
  return true;
}

static void write_any(const gql_rv *in, json_writer *w) {
  switch (in->kind) {
  case GQL_RV_BOOL:
    json_bool(w, in->u.b);
    break;
  case GQL_RV_INT:
    json_int(w, in->u.i);
    break;
  case GQL_RV_FLOAT:
    json_double(w, in->u.f);
    break;
  case GQL_RV_STRING:
    json_str_n(w, in->u.str.s, in->u.str.len);
    break;
  case GQL_RV_JSON:
    json_value(w, in->u.json);
    break;
  case GQL_RV_VALUE:
    write_value_json(w, in->u.value);
    break;
  case GQL_RV_LIST:
    json_begin_array(w);
    for (size_t i = 0; i < in->u.list.n; i++)
      write_any(&in->u.list.items[i], w);
    json_end_array(w);
    break;
  default:
    json_nil(w);
    break;
  }
}

static bool any_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  if (!check_any(in, err, err_size))
    return false;
  write_any(in, w);
  return true;
}

static const gql_value *any_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                  size_t err_size) {
  (void)from_variable, (void)a, (void)err, (void)err_size;
  return in; /* constant by contract: no variables inside */
}

const gql_scalar_hooks gql_int_scalar_hooks = {int_serialize, int_parse};
const gql_scalar_hooks gql_float_scalar_hooks = {float_serialize, float_parse};
const gql_scalar_hooks gql_string_scalar_hooks = {string_serialize, string_parse};
const gql_scalar_hooks gql_boolean_scalar_hooks = {boolean_serialize, boolean_parse};
const gql_scalar_hooks gql_id_scalar_hooks = {id_serialize, id_parse};
const gql_scalar_hooks gql_custom_scalar_hooks = {any_serialize, any_parse};
const gql_scalar_hooks gql_json_scalar_hooks = {any_serialize, any_parse};
