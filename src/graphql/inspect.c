/* inspect.c — graphql-js's inspect() and JavaScript's Number#toString over
 * the engine's three kinds of values (see inspect.h). The three walks share
 * the container rules (empty, too deep, too long) through put_open and
 * put_more; depth counts the containers already entered, as inspect's list
 * of seen values does. */
#include "graphql/inspect.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"

#define INSPECT_MAX_ITEMS 10
#define INSPECT_MAX_DEPTH 2

void gql_js_number(double v, char out[GQL_JS_NUMBER_SIZE]) {
  if (isnan(v)) {
    strcpy(out, "NaN");
    return;
  }
  if (v == 0) { /* -0 too */
    strcpy(out, "0");
    return;
  }
  char *o = out;
  if (v < 0) {
    *o++ = '-';
    v = -v;
  }
  if (isinf(v)) {
    strcpy(o, "Infinity");
    return;
  }
  /* The shortest digit string that reads back as v: v = 0.digits × 10^n. */
  char digits[JSON_DIGITS_SIZE];
  int exp10;
  int k = (int)json_shortest_digits(v, digits, &exp10);
  int n = exp10 + 1;
  if (k <= n && n <= 21) {
    o += sprintf(o, "%s", digits);
    memset(o, '0', (size_t)(n - k));
    o[n - k] = '\0';
  } else if (0 < n && n < k) { /* a point inside the digits */
    sprintf(o, "%.*s.%s", n, digits, digits + n);
  } else if (-6 < n && n <= 0) {
    o += sprintf(o, "0.");
    memset(o, '0', (size_t)-n);
    sprintf(o + -n, "%s", digits);
  } else {
    int e = n - 1;
    if (k == 1)
      sprintf(o, "%se%c%d", digits, e < 0 ? '-' : '+', abs(e));
    else
      sprintf(o, "%c.%se%c%d", digits[0], digits + 1, e < 0 ? '-' : '+', abs(e));
  }
}

void gql_put_js_number(buf *b, double v) {
  char tmp[GQL_JS_NUMBER_SIZE];
  gql_js_number(v, tmp);
  buf_puts(b, tmp);
}

/* Opens a container of n entries: false when it is printed whole already
 * ("[]", "{}", "[Array]", "[Object]"). */
static bool put_open(buf *b, bool list, size_t n, int depth) {
  if (n == 0)
    buf_puts(b, list ? "[]" : "{}");
  else if (depth >= INSPECT_MAX_DEPTH)
    buf_puts(b, list ? "[Array]" : "[Object]");
  else {
    buf_puts(b, list ? "[" : "{ ");
    return true;
  }
  return false;
}

/* Closes a list of n items, of which INSPECT_MAX_ITEMS at most were shown. */
static void put_list_end(buf *b, size_t n) {
  if (n > INSPECT_MAX_ITEMS) {
    size_t rest = n - INSPECT_MAX_ITEMS;
    buf_printf(b, rest == 1 ? ", ... 1 more item" : ", ... %zu more items", rest);
  }
  buf_putc(b, ']');
}

static void put_separator(buf *b, size_t i) {
  if (i)
    buf_puts(b, ", ");
}

static void inspect_value(buf *b, const gql_value *v, int depth) {
  switch (v->kind) {
  case GQL_VALUE_INT:
    if (v->int_overflow)
      gql_put_js_number(b, v->fval);
    else
      buf_printf(b, "%lld", (long long)v->ival);
    break;
  case GQL_VALUE_FLOAT:
    gql_put_js_number(b, v->fval);
    break;
  case GQL_VALUE_STRING:
    json_escape(b, v->str, v->str_len);
    break;
  case GQL_VALUE_ENUM: /* a coerced enum value is its name, a string */
    json_escape(b, v->str, strlen(v->str));
    break;
  case GQL_VALUE_BOOLEAN:
    buf_puts(b, v->boolean ? "true" : "false");
    break;
  case GQL_VALUE_NULL:
    buf_puts(b, "null");
    break;
  case GQL_VALUE_VARIABLE: /* never in a coerced value; as written */
    buf_printf(b, "$%s", v->str);
    break;
  case GQL_VALUE_LIST:
    if (!put_open(b, true, v->n_items, depth))
      break;
    for (size_t i = 0; i < v->n_items && i < INSPECT_MAX_ITEMS; i++) {
      put_separator(b, i);
      inspect_value(b, v->items[i], depth + 1);
    }
    put_list_end(b, v->n_items);
    break;
  case GQL_VALUE_OBJECT:
    if (!put_open(b, false, v->n_fields, depth))
      break;
    for (size_t i = 0; i < v->n_fields; i++) {
      put_separator(b, i);
      buf_printf(b, "%s: ", v->fields[i].name);
      inspect_value(b, v->fields[i].value, depth + 1);
    }
    buf_puts(b, " }");
    break;
  }
}

static void inspect_json(buf *b, const json_t *j, int depth) {
  switch (json_typeof(j)) {
  case JSON_INTEGER:
    buf_printf(b, "%lld", (long long)json_integer_value(j));
    break;
  case JSON_REAL:
    gql_put_js_number(b, json_real_value(j));
    break;
  case JSON_STRING:
    json_escape(b, json_string_value(j), json_string_length(j));
    break;
  case JSON_TRUE:
    buf_puts(b, "true");
    break;
  case JSON_FALSE:
    buf_puts(b, "false");
    break;
  case JSON_NULL:
    buf_puts(b, "null");
    break;
  case JSON_ARRAY: {
    size_t n = json_array_size(j);
    if (!put_open(b, true, n, depth))
      break;
    for (size_t i = 0; i < n && i < INSPECT_MAX_ITEMS; i++) {
      put_separator(b, i);
      inspect_json(b, json_array_get(j, i), depth + 1);
    }
    put_list_end(b, n);
    break;
  }
  case JSON_OBJECT: {
    if (!put_open(b, false, json_object_size(j), depth))
      break;
    const char *key;
    json_t *val;
    size_t i = 0;
    json_object_foreach((json_t *)j, key, val) {
      put_separator(b, i++);
      buf_printf(b, "%s: ", key);
      inspect_json(b, val, depth + 1);
    }
    buf_puts(b, " }");
    break;
  }
  }
}

static void inspect_rv(buf *b, const gql_rv *r, int depth) {
  switch (r->kind) {
  case GQL_RV_NULL:
    buf_puts(b, "null");
    break;
  case GQL_RV_BOOL:
    buf_puts(b, r->u.b ? "true" : "false");
    break;
  case GQL_RV_INT:
    buf_printf(b, "%lld", (long long)r->u.i);
    break;
  case GQL_RV_FLOAT:
    gql_put_js_number(b, r->u.f);
    break;
  case GQL_RV_STRING:
    json_escape(b, r->u.str.s, r->u.str.len);
    break;
  case GQL_RV_JSON:
    inspect_json(b, r->u.json, depth);
    break;
  case GQL_RV_VALUE:
    inspect_value(b, r->u.value, depth);
    break;
  case GQL_RV_LIST:
    if (!put_open(b, true, r->u.list.n, depth))
      break;
    for (size_t i = 0; i < r->u.list.n && i < INSPECT_MAX_ITEMS; i++) {
      put_separator(b, i);
      inspect_rv(b, &r->u.list.items[i], depth + 1);
    }
    put_list_end(b, r->u.list.n);
    break;
  case GQL_RV_OBJECT:
    buf_puts(b, "{}");
    break;
  case GQL_RV_ERROR:
    buf_puts(b, "[Error]");
    break;
  }
}

void gql_inspect_value_into(buf *b, const gql_value *v) { inspect_value(b, v, 0); }
void gql_inspect_rv_into(buf *b, const gql_rv *r) { inspect_rv(b, r, 0); }

const char *gql_inspect_value(arena *a, const gql_value *v) {
  buf b;
  buf_init(&b, a);
  inspect_value(&b, v, 0);
  return buf_cstr(&b);
}
