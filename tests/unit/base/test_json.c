/* test_json.c — unit tests for src/base/json.c: the streaming writer,
 * escaping, Python repr() float formatting and json_parse_text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/utf8.h"

static void assert_repr(double v, const char *expected) {
  char out[32];
  size_t n = json_format_double(v, out);
  assert_string_equal(out, expected);
  assert_int_equal(n, strlen(expected));
}

static void test_format_double_fixed(void **state) {
  (void)state;
  assert_repr(0.0, "0.0");
  assert_repr(-0.0, "-0.0");
  assert_repr(1.0, "1.0");
  assert_repr(-1.0, "-1.0");
  assert_repr(100.0, "100.0");
  assert_repr(0.1, "0.1");
  assert_repr(0.5, "0.5");
  assert_repr(123.456, "123.456");
  assert_repr(123456789.123, "123456789.123");
  assert_repr(0.0001, "0.0001");
  assert_repr(0.00012345, "0.00012345");
  assert_repr(1e15, "1000000000000000.0");
  assert_repr(9999999999999998.0, "9999999999999998.0");
  assert_repr(0.1 + 0.2, "0.30000000000000004");
  assert_repr(1.0 / 3.0, "0.3333333333333333");
  assert_repr(2.0 / 3.0, "0.6666666666666666");
  assert_repr(3.141592653589793, "3.141592653589793");
}

static void test_format_double_scientific(void **state) {
  (void)state;
  assert_repr(1e16, "1e+16");
  assert_repr(-1e16, "-1e+16");
  assert_repr(1.5e-05, "1.5e-05");
  assert_repr(1e-05, "1e-05");
  assert_repr(1.2345e20, "1.2345e+20");
  assert_repr(1e100, "1e+100");
  assert_repr(1e-100, "1e-100");
  assert_repr(5e-324, "5e-324");
  assert_repr(2.2250738585072014e-308, "2.2250738585072014e-308");
  assert_repr(1.7976931348623157e308, "1.7976931348623157e+308");
  assert_repr(1.2345678901234566e-7, "1.2345678901234566e-07");
  assert_repr(12345678901234567890.0, "1.2345678901234567e+19");
}

static void test_format_double_powers_of_two(void **state) {
  (void)state;
  /* The gap below a power of two is half the one above: the nearest
   * 16-digit decimal misses, a neighbour on the far side reads back. */
  assert_repr(ldexp(1.0, -778), "6.290184345309701e-235");
  assert_repr(ldexp(1.0, 64), "1.8446744073709552e+19");
  assert_repr(ldexp(1.0, 53), "9007199254740992.0");
  assert_repr(ldexp(1.0, -1074), "5e-324");
}

static void assert_digits(double v, const char *digits, int exp) {
  char got[JSON_DIGITS_SIZE];
  int got_exp = 99;
  size_t n = json_shortest_digits(v, got, &got_exp);
  assert_string_equal(got, digits);
  assert_int_equal(n, strlen(digits));
  assert_int_equal(got_exp, exp);
}

static void test_shortest_digits(void **state) {
  (void)state;
  assert_digits(0.0, "0", 0);
  assert_digits(-123.456, "123456", 2);
  assert_digits(1.5e-05, "15", -5);
  assert_digits(1e21, "1", 21);
  assert_digits(1717999998.875, "1717999998875", 9);
  assert_digits(ldexp(1.0, -778), "6290184345309701", -235);
  assert_digits(5e-324, "5", -324);
  assert_digits(1.7976931348623157e308, "17976931348623157", 308);
  assert_digits(INFINITY, "", 0);
  assert_digits(NAN, "", 0);
}

static void test_format_double_non_finite(void **state) {
  (void)state;
  assert_repr(NAN, "nan");
  assert_repr(INFINITY, "inf");
  assert_repr(-INFINITY, "-inf");
}

/* ---- the randomized check against a slow reference ----
 *
 * The reference is the obvious method: print v with 1, 2, … 17 significant
 * digits (correctly rounded by the C library) until strtod reads the text
 * back as v. Below a power of two the nearest candidate may miss on the
 * narrow side while its neighbour on the wide side reads back, so that one
 * is tried too. Subnormals start at one digit, normal values at 15 (if k
 * <= 15 digits round-trip, the 15-digit rounding is those digits padded with
 * zeros). */

typedef struct ref_decimal {
  char d[24];
  int n;
  int exp;
} ref_decimal;

static void ref_round(double v, int prec, ref_decimal *x) {
  char tmp[40];
  snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
  const char *p = tmp;
  x->n = 0;
  for (; *p != 'e'; p++)
    if (*p != '.')
      x->d[x->n++] = *p;
  x->exp = atoi(p + 1);
}

static double ref_value(const ref_decimal *x) {
  char tmp[48];
  snprintf(tmp, sizeof tmp, "0.%.*se%d", x->n, x->d, x->exp + 1);
  return strtod(tmp, NULL);
}

/* Moves x one unit of its last digit up (dir > 0) or down. */
static void ref_step(ref_decimal *x, int dir) {
  int i = x->n - 1;
  char from = dir > 0 ? '9' : '0', to = dir > 0 ? '0' : '9';
  while (i >= 0 && x->d[i] == from)
    x->d[i--] = to;
  if (i >= 0) {
    x->d[i] = (char)(x->d[i] + (dir > 0 ? 1 : -1));
  } else if (dir > 0) {
    x->d[0] = '1';
    x->exp++;
  }
}

/* repr(v) for a finite v, by the reference method. */
static void ref_repr(double v, char *out) {
  if (signbit(v)) {
    *out++ = '-';
    v = -v;
  }
  ref_decimal x = {.d = "0", .n = 1, .exp = 0};
  if (v != 0) {
    int e2;
    bool pow2 = frexp(v, &e2) == 0.5 && v > DBL_MIN;
    for (int prec = v < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
      ref_round(v, prec, &x);
      double back = ref_value(&x);
      if (back == v)
        break;
      if (pow2) {
        ref_decimal other = x;
        ref_step(&other, back < v ? 1 : -1);
        if (ref_value(&other) == v) {
          x = other;
          break;
        }
      }
    }
    while (x.n > 1 && x.d[x.n - 1] == '0')
      x.n--;
  }
  /* Python's layout: scientific outside 1e-4 <= v < 1e16. */
  if (x.exp < -4 || x.exp >= 16) {
    sprintf(out, "%c%s%.*se%+03d", x.d[0], x.n > 1 ? "." : "", x.n - 1, x.d + 1, x.exp);
  } else if (x.exp < 0) {
    out += sprintf(out, "0.");
    for (int i = -1; i > x.exp; i--)
      *out++ = '0';
    sprintf(out, "%.*s", x.n, x.d);
  } else {
    for (int i = 0; i <= x.exp; i++)
      *out++ = i < x.n ? x.d[i] : '0';
    sprintf(out, ".%.*s", x.n > x.exp + 1 ? x.n - x.exp - 1 : 1,
            x.n > x.exp + 1 ? x.d + x.exp + 1 : "0");
  }
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1du;
}

static double from_bits(uint64_t bits) {
  double v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

static void check_against_reference(double v) {
  if (!isfinite(v))
    return;
  char got[32], want[40];
  json_format_double(v, got);
  ref_repr(v, want);
  if (strcmp(got, want) != 0) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    fail_msg("%.17g (bits %016llx): got %s, want %s", v, (unsigned long long)bits, got, want);
  }
}

/* A million values in all; a quarter under AddressSanitizer, where the
 * unoptimised multi-word arithmetic makes each one far slower. */
#ifdef __SANITIZE_ADDRESS__
#define RANDOM_SCALE 4
#else
#define RANDOM_SCALE 1
#endif

static void test_format_double_random(void **state) {
  (void)state;
  /* Uniform bit patterns: every exponent, subnormals, both signs. */
  for (int i = 0; i < 400000 / RANDOM_SCALE; i++)
    check_against_reference(from_bits(rng()));
  /* Subnormals and the smallest normals. */
  for (int i = 0; i < 100000 / RANDOM_SCALE; i++)
    check_against_reference(from_bits(rng() & ((UINT64_C(1) << 53) - 1)));
  /* Exponents between 2^-80 and 2^60, where everyday values live. */
  for (int i = 0; i < 300000 / RANDOM_SCALE; i++) {
    uint64_t exp = 1023 - 80 + rng() % 140;
    check_against_reference(from_bits((rng() & ((UINT64_C(1) << 52) - 1)) | exp << 52));
  }
  /* Short decimals (n / 10^k), the values JSON data usually holds. */
  for (int i = 0; i < 200000 / RANDOM_SCALE; i++) {
    double n = (double)(rng() % 100000000);
    check_against_reference(n / pow(10, (double)(rng() % 25)));
  }
  /* Powers of two and ten and their neighbours. */
  for (int e = -1074; e <= 1023; e++) {
    double p = ldexp(1.0, e);
    check_against_reference(p);
    check_against_reference(nextafter(p, 0));
    check_against_reference(nextafter(p, INFINITY));
  }
  for (int e = -323; e <= 308; e++) {
    char text[16];
    snprintf(text, sizeof text, "1e%d", e);
    double p = strtod(text, NULL);
    check_against_reference(p);
    check_against_reference(nextafter(p, 0));
    check_against_reference(nextafter(p, INFINITY));
  }
}

/* A writer over a fresh heap buffer. */
typedef struct fixture {
  buf out;
  json_writer w;
} fixture;

static int setup(void **state) {
  static fixture f;
  buf_init(&f.out, NULL);
  json_writer_init(&f.w, &f.out);
  *state = &f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  buf_free(&f->out);
  return 0;
}

static void test_writer_nesting(void **state) {
  fixture *f = *state;
  json_writer *w = &f->w;
  json_begin_object(w);
  json_key(w, "data");
  json_begin_object(w);
  json_key(w, "a");
  json_int(w, 1);
  json_key(w, "b");
  json_begin_array(w);
  json_int(w, -2);
  json_double(w, 2.5);
  json_bool(w, true);
  json_bool(w, false);
  json_nil(w);
  json_begin_array(w);
  json_end_array(w);
  json_begin_object(w);
  json_end_object(w);
  json_str(w, "s");
  json_end_array(w);
  json_key_n(w, "cut", 1);
  json_str_n(w, "xyz", 2);
  json_key(w, "raw");
  json_raw(w, "{\"r\":[1]}", 9);
  json_end_object(w);
  json_key(w, "errors");
  json_begin_array(w);
  json_end_array(w);
  json_end_object(w);
  assert_string_equal(buf_cstr(&f->out),
                      "{\"data\":{\"a\":1,\"b\":[-2,2.5,true,false,null,[],{},\"s\"],"
                      "\"c\":\"xy\",\"raw\":{\"r\":[1]}},\"errors\":[]}");
  assert_int_equal(w->depth, 0);
}

static void test_writer_scalars(void **state) {
  fixture *f = *state;
  json_writer *w = &f->w;
  json_begin_array(w);
  json_int(w, INT64_MIN);
  json_int(w, INT64_MAX);
  json_int(w, 0);
  json_double(w, NAN);
  json_double(w, INFINITY);
  json_double(w, 1e16);
  json_double(w, 3.0);
  json_end_array(w);
  assert_string_equal(buf_cstr(&f->out),
                      "[-9223372036854775808,9223372036854775807,0,null,null,1e+16,3.0]");
}

static void test_writer_top_level_scalar(void **state) {
  fixture *f = *state;
  json_str(&f->w, "only");
  assert_string_equal(buf_cstr(&f->out), "\"only\"");
}

static void test_writer_deep_nesting(void **state) {
  fixture *f = *state;
  json_writer *w = &f->w;
  /* Beyond JSON_WRITER_MAX_DEPTH commas must still be right. */
  int depth = JSON_WRITER_MAX_DEPTH + 10;
  for (int i = 0; i < depth; i++) {
    json_begin_array(w);
    json_int(w, i);
  }
  for (int i = 0; i < depth; i++) {
    json_end_array(w);
    if (i < depth - 1)
      json_nil(w);
  }
  assert_int_equal(w->depth, 0);
  char err[160];
  /* jansson accepts up to 2048 levels, so the text must parse. */
  json_t *parsed = json_parse_text(f->out.data, f->out.len, err, sizeof err);
  assert_non_null(parsed);
  /* Every level is [i, <next level>, null]; the innermost is [depth-1]. */
  const json_t *level = parsed;
  for (int i = 0; i < depth - 1; i++) {
    assert_int_equal(json_array_size(level), 3);
    assert_int_equal(json_integer_value(json_array_get(level, 0)), i);
    assert_true(json_is_null(json_array_get(level, 2)));
    level = json_array_get(level, 1);
  }
  assert_int_equal(json_array_size(level), 1);
  assert_int_equal(json_integer_value(json_array_get(level, 0)), depth - 1);
  json_decref(parsed);
}

static void assert_escaped(const char *s, size_t n, const char *expected) {
  buf b;
  buf_init(&b, NULL);
  json_escape(&b, s, n);
  assert_string_equal(buf_cstr(&b), expected);
  buf_free(&b);
}

static void test_escape(void **state) {
  (void)state;
  assert_escaped("", 0, "\"\"");
  assert_escaped("plain", 5, "\"plain\"");
  assert_escaped("q\"b\\", 4, "\"q\\\"b\\\\\"");
  assert_escaped("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
  assert_escaped("\x01\x1f", 2, "\"\\u0001\\u001f\"");
  assert_escaped("a\0b", 3, "\"a\\u0000b\"");
  /* Slash, DEL and non-ASCII UTF-8 (including U+2028) stay as they are. */
  assert_escaped("/\x7f", 2, "\"/\x7f\"");
  assert_escaped("h\xc3\xa9llo \xe2\x80\xa8 \xf0\x9f\x98\x80", 15,
                 "\"h\xc3\xa9llo \xe2\x80\xa8 \xf0\x9f\x98\x80\"");
  /* Broken UTF-8 (found by fuzzing: an operation name from a GET request)
   * becomes U+FFFD byte by byte, so the output is always valid JSON text. */
  assert_escaped("a\xff", 2, "\"a\xef\xbf\xbd\"");
  assert_escaped("\xc3(", 2, "\"\xef\xbf\xbd(\"");
  assert_escaped("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
  assert_escaped("\xc0\xaf"
                 "0123456789",
                 12,
                 "\"\xef\xbf\xbd\xef\xbf\xbd"
                 "0123456789\"");
  assert_escaped("0123456789\xf0\x9f\x98", 13,
                 "\"0123456789\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

/* The slow reference for the escaper: byte by byte, with the position of
 * the one special byte given. */
static void reference_escape(const char *in, size_t len, size_t pos, const char *esc, char *want) {
  size_t w = 0;
  want[w++] = '"';
  for (size_t i = 0; i < len;) {
    if (i == pos) {
      w += (size_t)sprintf(want + w, "%s", esc);
      i++;
      continue;
    }
    uint32_t cp;
    int k = utf8_decode(in + i, in + (i < pos ? pos : len), &cp);
    if (k) {
      memcpy(want + w, in + i, (size_t)k);
      w += (size_t)k;
      i += (size_t)k;
    } else {
      memcpy(want + w, "\xef\xbf\xbd", 3);
      w += 3;
      i++;
    }
  }
  want[w++] = '"';
  want[w] = '\0';
}

/* Escapes at every position of strings longer than the eight-byte words
 * the scanner tests at once, among bytes that must stay as they are (space,
 * '!' and '#' next to '"', '[' and ']' next to '\\', DEL, UTF-8) and the
 * halves of a UTF-8 character that the cycling cuts apart (U+FFFD each). */
static void test_escape_every_position(void **state) {
  (void)state;
  static const char plain[] = " !#[]\x7f\xc3\xa9"
                              "abcdefghijklmnopqrstuvwxyz";
  static const struct {
    char c;
    const char *esc;
  } specials[] = {{'"', "\\\""},       {'\\', "\\\\"},      {'\n', "\\n"},
                  {'\x01', "\\u0001"}, {'\x1f', "\\u001f"}, {'\0', "\\u0000"}};
  for (size_t len = 1; len <= 33; len++) {
    for (size_t pos = 0; pos < len; pos++) {
      for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
        char in[40];
        char want[160];
        for (size_t i = 0; i < len; i++)
          in[i] = i == pos ? specials[k].c : plain[i % (sizeof plain - 1)];
        reference_escape(in, len, pos, specials[k].esc, want);
        assert_escaped(in, len, want);
      }
    }
  }
}

static void test_keys_are_escaped(void **state) {
  fixture *f = *state;
  json_begin_object(&f->w);
  json_key(&f->w, "a\"b");
  json_str(&f->w, "line\nbreak");
  json_end_object(&f->w);
  assert_string_equal(buf_cstr(&f->out), "{\"a\\\"b\":\"line\\nbreak\"}");
}

/* json_key_raw writes what json_key writes, for keys of every length
 * around the word size, first in an object or after other members, and
 * inside an object nested past the depth table. */
static void test_key_raw_matches_key(void **state) {
  (void)state;
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
  for (int deep = 0; deep < 2; deep++) {
    buf plain, raw;
    buf_init(&plain, NULL);
    buf_init(&raw, NULL);
    json_writer wp, wr;
    json_writer_init(&wp, &plain);
    json_writer_init(&wr, &raw);
    int depth = deep ? JSON_WRITER_MAX_DEPTH + 3 : 1;
    for (int d = 0; d < depth; d++) {
      json_begin_array(&wp);
      json_begin_array(&wr);
    }
    json_begin_object(&wp);
    json_begin_object(&wr);
    for (size_t len = 0; len < sizeof letters; len++) {
      char key[sizeof letters];
      memcpy(key, letters, len);
      key[len] = '\0';
      if (len == 5)
        key[2] = '"'; /* escaped in the encoded text */
      buf enc;
      buf_init(&enc, NULL);
      json_escape(&enc, key, len);
      buf_putc(&enc, ':');
      json_key(&wp, key);
      json_key_raw(&wr, enc.data, enc.len);
      json_int(&wp, (int64_t)len);
      json_int(&wr, (int64_t)len);
      buf_free(&enc);
    }
    json_end_object(&wp);
    json_end_object(&wr);
    assert_string_equal(buf_cstr(&raw), buf_cstr(&plain));
    assert_int_equal(raw.len, plain.len);
    buf_free(&plain);
    buf_free(&raw);
  }
}

static void test_rewind_after_key(void **state) {
  fixture *f = *state;
  json_writer *w = &f->w;
  json_begin_object(w);
  json_key(w, "a");
  json_int(w, 1);
  json_key(w, "b");
  /* The executor records the point where b's value starts... */
  size_t len = f->out.len;
  int depth = w->depth;
  json_begin_object(w);
  json_key(w, "x");
  json_begin_array(w);
  json_int(w, 1);
  /* ...and replaces the partial value with null. */
  json_writer_rewind(w, len, depth, true);
  json_nil(w);
  json_key(w, "c");
  json_int(w, 3);
  json_end_object(w);
  assert_string_equal(buf_cstr(&f->out), "{\"a\":1,\"b\":null,\"c\":3}");
}

static void test_rewind_in_array(void **state) {
  fixture *f = *state;
  json_writer *w = &f->w;
  json_begin_array(w);
  size_t len = f->out.len;
  int depth = w->depth;
  json_begin_object(w);
  json_key(w, "x");
  json_int(w, 1);
  json_writer_rewind(w, len, depth, false);
  json_nil(w);
  json_int(w, 2);
  /* A point after a value: the next value needs a comma. */
  len = f->out.len;
  json_begin_object(w);
  json_writer_rewind(w, len, depth, true);
  json_int(w, 3);
  json_end_array(w);
  assert_string_equal(buf_cstr(&f->out), "[null,2,3]");
}

static void test_json_value(void **state) {
  fixture *f = *state;
  const char *text = "{\"z\":1,\"a\":[1.0,2.5,1e16,-0.0,\"s\\u0000t\",true,false,null],"
                     "\"n\":{},\"m\":[],\"big\":-9223372036854775808}";
  json_t *v = json_parse_text(text, strlen(text), NULL, 0);
  assert_non_null(v);
  json_begin_array(&f->w);
  json_value(&f->w, v);
  json_value(&f->w, NULL);
  json_end_array(&f->w);
  /* Key order is kept; reals are printed as Python does. */
  assert_string_equal(buf_cstr(&f->out),
                      "[{\"z\":1,\"a\":[1.0,2.5,1e+16,-0.0,\"s\\u0000t\",true,false,null],"
                      "\"n\":{},\"m\":[],\"big\":-9223372036854775808},null]");
  json_decref(v);
}

static void test_json_value_key_with_nul(void **state) {
  fixture *f = *state;
  /* jansson's parser refuses such keys, but a program can build them. */
  json_t *obj = json_object();
  json_object_setn_new(obj, "a\0b", 3, json_real(0.5));
  json_value(&f->w, obj);
  assert_string_equal(buf_cstr(&f->out), "{\"a\\u0000b\":0.5}");
  json_decref(obj);
}

static void test_parse_ok(void **state) {
  (void)state;
  char err[128] = "";
  json_t *v = json_parse_text("42", 2, err, sizeof err);
  assert_non_null(v);
  assert_int_equal(json_integer_value(v), 42);
  json_decref(v);
  /* Only n bytes are read: the text need not be NUL-terminated. */
  v = json_parse_text("\"ab\"garbage", 4, err, sizeof err);
  assert_non_null(v);
  assert_string_equal(json_string_value(v), "ab");
  json_decref(v);
  v = json_parse_text("null", 4, err, sizeof err);
  assert_true(json_is_null(v));
  json_decref(v);
}

static void test_parse_errors(void **state) {
  (void)state;
  char err[128];
  assert_null(json_parse_text("{\"a\":}", 6, err, sizeof err));
  assert_string_equal(err, "line 1, column 6: unexpected token near '}'");
  assert_null(json_parse_text("[1,\n2,\n", 7, err, sizeof err));
  assert_true(strncmp(err, "line 3, column 0: ", 18) == 0);
  assert_null(json_parse_text("", 0, err, sizeof err));
  assert_true(strncmp(err, "line 1, column 0: ", 18) == 0);
  /* Invalid UTF-8 is refused. */
  assert_null(json_parse_text("\"\xff\"", 3, err, sizeof err));
  assert_string_equal(err, "line 1, column 1: unable to decode byte 0xff near '\"'");
  /* A short error buffer is truncated, not overrun. */
  char small[8];
  assert_null(json_parse_text("x", 1, small, sizeof small));
  assert_int_equal(strlen(small), 7);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_format_double_fixed),
      cmocka_unit_test(test_format_double_scientific),
      cmocka_unit_test(test_format_double_powers_of_two),
      cmocka_unit_test(test_format_double_non_finite),
      cmocka_unit_test(test_shortest_digits),
      cmocka_unit_test(test_format_double_random),
      cmocka_unit_test_setup_teardown(test_writer_nesting, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_scalars, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_top_level_scalar, setup, teardown),
      cmocka_unit_test_setup_teardown(test_writer_deep_nesting, setup, teardown),
      cmocka_unit_test(test_escape),
      cmocka_unit_test(test_escape_every_position),
      cmocka_unit_test_setup_teardown(test_keys_are_escaped, setup, teardown),
      cmocka_unit_test(test_key_raw_matches_key),
      cmocka_unit_test_setup_teardown(test_rewind_after_key, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rewind_in_array, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_value, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_value_key_with_nul, setup, teardown),
      cmocka_unit_test(test_parse_ok),
      cmocka_unit_test(test_parse_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
