/* json.c — the streaming JSON writer, string escaping, Python-style float
 * formatting and a thin wrapper over jansson's parser.
 *
 * The writer emits compact JSON (no whitespace). Commas are tracked per
 * nesting depth; past JSON_WRITER_MAX_DEPTH the writer falls back to looking
 * at the last byte written, which is enough because compact JSON needs a
 * comma exactly when the previous byte does not open a container. */
#include "base/json.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void json_writer_init(json_writer *w, buf *out) {
  w->out = out;
  w->depth = 0;
  w->need_comma[0] = 0;
  w->after_key = false;
}

/* Whether a value or key at the current depth must be preceded by a comma,
 * and records that one more item is being written at this depth. */
static bool take_comma(json_writer *w) {
  if (w->depth < JSON_WRITER_MAX_DEPTH) {
    bool need = w->need_comma[w->depth];
    w->need_comma[w->depth] = 1;
    return need;
  }
  char prev = w->out->len ? w->out->data[w->out->len - 1] : '\0';
  return prev != '[' && prev != '{';
}

static void before_value(json_writer *w) {
  if (w->after_key) {
    w->after_key = false;
    return;
  }
  if (take_comma(w))
    buf_putc(w->out, ',');
}

static void open_container(json_writer *w, char c) {
  before_value(w);
  buf_putc(w->out, c);
  w->depth++;
  if (w->depth < JSON_WRITER_MAX_DEPTH)
    w->need_comma[w->depth] = 0;
}

static void close_container(json_writer *w, char c) {
  if (w->depth > 0)
    w->depth--;
  w->after_key = false;
  buf_putc(w->out, c);
}

void json_begin_object(json_writer *w) { open_container(w, '{'); }
void json_end_object(json_writer *w) { close_container(w, '}'); }
void json_begin_array(json_writer *w) { open_container(w, '['); }
void json_end_array(json_writer *w) { close_container(w, ']'); }

void json_key_n(json_writer *w, const char *key, size_t n) {
  w->after_key = false;
  if (take_comma(w))
    buf_putc(w->out, ',');
  json_escape(w->out, key, n);
  buf_putc(w->out, ':');
  w->after_key = true;
}

void json_key(json_writer *w, const char *key) { json_key_n(w, key, strlen(key)); }

void json_str_n(json_writer *w, const char *s, size_t n) {
  before_value(w);
  json_escape(w->out, s, n);
}

void json_str(json_writer *w, const char *s) { json_str_n(w, s, strlen(s)); }

/* Appends the decimal digits of v. */
static void put_int(buf *b, int64_t v) {
  char tmp[24];
  char *p = tmp + sizeof tmp;
  /* Work on the magnitude as unsigned so INT64_MIN needs no special case. */
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    *--p = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    *--p = '-';
  buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

void json_int(json_writer *w, int64_t v) {
  before_value(w);
  put_int(w->out, v);
}

static void put_double(buf *b, double v) {
  if (!isfinite(v)) {
    buf_append(b, "null", 4);
    return;
  }
  char tmp[32];
  size_t n = json_format_double(v, tmp);
  buf_append(b, tmp, n);
}

void json_double(json_writer *w, double v) {
  before_value(w);
  put_double(w->out, v);
}

void json_bool(json_writer *w, bool v) {
  before_value(w);
  if (v)
    buf_append(w->out, "true", 4);
  else
    buf_append(w->out, "false", 5);
}

void json_nil(json_writer *w) {
  before_value(w);
  buf_append(w->out, "null", 4);
}

void json_raw(json_writer *w, const char *text, size_t n) {
  before_value(w);
  buf_append(w->out, text, n);
}

/* Writes a jansson value with its own comma bookkeeping, so arbitrarily
 * deep values (jansson parses up to 2048 levels) never touch the writer's
 * depth table. */
static void put_jansson(buf *b, const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    const char *key;
    size_t key_len;
    const json_t *item;
    bool first = true;
    buf_putc(b, '{');
    /* json_object_keylen_foreach wants a non-const object; it does not modify it. */
    json_t *obj = (json_t *)v;
    json_object_keylen_foreach(obj, key, key_len, item) {
      if (!first)
        buf_putc(b, ',');
      first = false;
      json_escape(b, key, key_len);
      buf_putc(b, ':');
      put_jansson(b, item);
    }
    buf_putc(b, '}');
    break;
  }
  case JSON_ARRAY: {
    buf_putc(b, '[');
    for (size_t i = 0; i < json_array_size(v); i++) {
      if (i)
        buf_putc(b, ',');
      put_jansson(b, json_array_get(v, i));
    }
    buf_putc(b, ']');
    break;
  }
  case JSON_STRING:
    json_escape(b, json_string_value(v), json_string_length(v));
    break;
  case JSON_INTEGER:
    put_int(b, (int64_t)json_integer_value(v));
    break;
  case JSON_REAL:
    put_double(b, json_real_value(v));
    break;
  case JSON_TRUE:
    buf_append(b, "true", 4);
    break;
  case JSON_FALSE:
    buf_append(b, "false", 5);
    break;
  case JSON_NULL:
    buf_append(b, "null", 4);
    break;
  }
}

void json_value(json_writer *w, const json_t *v) {
  before_value(w);
  if (v)
    put_jansson(w->out, v);
  else
    buf_append(w->out, "null", 4);
}

void json_writer_rewind(json_writer *w, size_t len, int depth, bool need_comma) {
  buf_truncate(w->out, len);
  w->depth = depth;
  if (depth < JSON_WRITER_MAX_DEPTH)
    w->need_comma[depth] = need_comma;
  /* The point may lie right after a key ("k":): compact JSON values never end
   * in ':', so that byte tells us the next value takes no comma. */
  w->after_key = depth > 0 && len > 0 && len <= w->out->len && w->out->data[len - 1] == ':';
}

/* Control characters with a two-character escape; the others take \u00XX. */
static const char short_escape[0x20] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
};

void json_escape(buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  buf_reserve(b, n + 2);
  buf_putc(b, '"');
  size_t run = 0; /* start of the pending run of bytes copied verbatim */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    char letter = c < 0x20 ? short_escape[c] : (char)c;
    buf_append(b, s + run, i - run);
    run = i + 1;
    if (!letter) {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
      buf_append(b, esc, sizeof esc);
    } else {
      char esc[2] = {'\\', letter};
      buf_append(b, esc, sizeof esc);
    }
  }
  buf_append(b, s + run, n - run);
  buf_putc(b, '"');
}

/* Decimal digits of a double: d[0].d[1]d[2]... × 10^exp. */
typedef struct decimal {
  char d[20];
  int n;
  int exp;
} decimal;

/* v correctly rounded to prec significant digits. */
static void round_to(double v, int prec, decimal *out) {
  char tmp[40];
  snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
  /* tmp is "d.ddde±XX", or "de±XX" for a single digit. */
  const char *p = tmp;
  out->n = 0;
  for (; *p != 'e'; p++)
    if (*p != '.')
      out->d[out->n++] = *p;
  out->exp = atoi(p + 1);
}

static double decimal_value(const decimal *x) {
  char tmp[40];
  snprintf(tmp, sizeof tmp, "0.%.*se%d", x->n, x->d, x->exp + 1);
  return strtod(tmp, NULL);
}

/* Moves x one unit of its last digit up (dir > 0) or down. */
static void step_last_digit(decimal *x, int dir) {
  int i = x->n - 1;
  if (dir > 0) {
    while (i >= 0 && x->d[i] == '9')
      x->d[i--] = '0';
    if (i >= 0) {
      x->d[i]++;
    } else { /* 9.99 -> 10.0: renormalise to 1.00 × 10^(exp+1) */
      x->d[0] = '1';
      x->exp++;
    }
  } else {
    while (i >= 0 && x->d[i] == '0')
      x->d[i--] = '9';
    if (i >= 0)
      x->d[i]--;
  }
}

/* The digits Python's repr() prints for a finite v > 0: the shortest decimal
 * that reads back as v, the closest to v among equally short ones. */
static void shortest_decimal(double v, decimal *out) {
  /* A normal double carries 15.95 digits, so when some k <= 15 digits
   * round-trip, rounding to 15 digits yields exactly those digits padded
   * with zeros: the search may start at 15. Subnormals carry fewer digits. */
  int mant_exp;
  bool pow2 = frexp(v, &mant_exp) == 0.5 && v > DBL_MIN;
  int prec = v < DBL_MIN ? 1 : 15;
  for (; prec <= 17; prec++) {
    round_to(v, prec, out);
    double back = decimal_value(out);
    if (back == v)
      break;
    if (pow2) {
      /* The gap below a power of two is half the gap above, so the nearest
       * candidate may miss on the narrow side while its neighbour on the
       * other side still reads back as v. */
      decimal other = *out;
      step_last_digit(&other, back < v ? 1 : -1);
      if (decimal_value(&other) == v) {
        *out = other;
        break;
      }
    }
  }
  if (prec > 17)
    round_to(v, 17, out); /* not reached: 17 digits always round-trip */
  while (out->n > 1 && out->d[out->n - 1] == '0')
    out->n--;
}

size_t json_format_double(double v, char *out) {
  char *o = out;
  if (isnan(v)) {
    memcpy(out, "nan", 4);
    return 3;
  }
  if (signbit(v)) {
    *o++ = '-';
    v = -v;
  }
  if (isinf(v)) {
    memcpy(o, "inf", 4);
    return (size_t)(o - out) + 3;
  }
  decimal dec;
  shortest_decimal(v, &dec);
  const char *digits = dec.d;
  size_t nd = (size_t)dec.n;
  int exp = dec.exp;
  if (exp < -4 || exp >= 16) {
    /* Scientific, as Python: 1e+16, 1.5e-05, 1.2345e+20. */
    *o++ = digits[0];
    if (nd > 1) {
      *o++ = '.';
      memcpy(o, digits + 1, nd - 1);
      o += nd - 1;
    }
    o += sprintf(o, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
  } else if (exp < 0) {
    /* 0.000123 */
    *o++ = '0';
    *o++ = '.';
    for (int i = -1; i > exp; i--)
      *o++ = '0';
    memcpy(o, digits, nd);
    o += nd;
  } else {
    /* Integer part (padded with zeros), point, fraction or a single 0. */
    size_t int_len = (size_t)exp + 1;
    for (size_t i = 0; i < int_len; i++)
      *o++ = i < nd ? digits[i] : '0';
    *o++ = '.';
    if (nd > int_len) {
      memcpy(o, digits + int_len, nd - int_len);
      o += nd - int_len;
    } else {
      *o++ = '0';
    }
  }
  *o = '\0';
  return (size_t)(o - out);
}

json_t *json_parse_text(const char *text, size_t n, char *err, size_t err_size) {
  json_error_t e;
  /* Any value at the top level; \u0000 allowed in strings (callers use
   * json_string_length). jansson rejects invalid UTF-8 itself. */
  json_t *v = json_loadb(text, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
  if (!v && err && err_size)
    snprintf(err, err_size, "line %d, column %d: %s", e.line, e.column, e.text);
  return v;
}
