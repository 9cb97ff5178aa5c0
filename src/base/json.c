/* json.c — the streaming JSON writer, string escaping, Python-style float
 * formatting and a thin wrapper over jansson's parser.
 *
 * The writer emits compact JSON (no whitespace). Commas are tracked per
 * nesting depth; past JSON_WRITER_MAX_DEPTH the writer falls back to looking
 * at the last byte written, which is enough because compact JSON needs a
 * comma exactly when the previous byte does not open a container. */
#include "base/json.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"

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

void json_key_raw(json_writer *w, const char *text, size_t n) {
  buf *b = w->out;
  bool comma = take_comma(w);
  buf_reserve(b, n + 1);
  if (comma)
    b->data[b->len++] = ',';
  /* Keys are short: copied a word at a time (the last word may overlap
   * the one before) rather than through a call to memcpy. */
  char *d = b->data + b->len;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      memcpy(d + i, text + i, 8);
    memcpy(d + n - 8, text + n - 8, 8);
  } else if (n >= 4) {
    memcpy(d, text, 4);
    memcpy(d + n - 4, text + n - 4, 4);
  } else {
    for (size_t i = 0; i < n; i++)
      d[i] = text[i];
  }
  b->len += n;
  b->data[b->len] = '\0';
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

/* Bytes that JSON strings cannot hold as they are: controls, '"' and '\\'. */
static const unsigned char needs_escape[256] = {
    [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
    [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
    [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
    [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1,
};

/* Control characters with a two-character escape; the others take \u00XX. */
static const char short_escape[0x20] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n', ['\f'] = 'f', ['\r'] = 'r',
};

/* Appends the escape sequence of byte c (one that needs_escape). */
static void put_escape(buf *b, unsigned char c) {
  static const char hex[] = "0123456789abcdef";
  char letter = c < 0x20 ? short_escape[c] : (char)c;
  if (!letter) {
    char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
    buf_append(b, esc, sizeof esc);
  } else {
    char esc[2] = {'\\', letter};
    buf_append(b, esc, sizeof esc);
  }
}

/* Whether one of the eight bytes of x needs escaping or UTF-8 checking, by
 * the classic bit tricks for "some byte is below 0x20" and "some byte is
 * zero" (after xor with '"' or '\\'), which are exact as yes/no answers,
 * plus "some byte has its high bit set" (non-ASCII goes the checked way). */
static inline bool word_needs_escape(uint64_t x) {
  const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
  uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
  uint64_t hits =
      ((x - ones * 0x20) & ~x) | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | x;
  return (hits & highs) != 0;
}

/* Copies the plain bytes at the start of s[0..n) to d (which has room for
 * n) up to the first byte to escape; returns how many. Whole words first;
 * a tail shorter than a word is tested as the last word of s (overlapping
 * bytes already copied) when s is that long, else byte by byte. */
static size_t copy_plain_run(char *d, const char *s, size_t n) {
  size_t i = 0;
  uint64_t x;
  for (; n - i >= 8; i += 8) {
    memcpy(&x, s + i, sizeof x);
    if (word_needs_escape(x))
      break;
    memcpy(d + i, &x, sizeof x);
  }
  if (i < n && n >= 8 && n - i < 8) {
    memcpy(&x, s + n - 8, sizeof x);
    if (!word_needs_escape(x)) {
      memcpy(d + n - 8, &x, sizeof x);
      return n;
    }
  }
  for (; i < n && (unsigned char)s[i] < 0x80 && !needs_escape[(unsigned char)s[i]]; i++)
    d[i] = s[i];
  return i;
}

void json_escape(buf *b, const char *s, size_t n) {
  /* Room for the common case, a string with nothing to escape, up front
   * (the quotes and n bytes); after an escape, room for the rest again. */
  buf_reserve(b, n + 2);
  b->data[b->len++] = '"';
  size_t i = 0;
  for (;;) {
    size_t run = copy_plain_run(b->data + b->len, s + i, n - i);
    b->len += run;
    i += run;
    if (i == n)
      break;
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      put_escape(b, c);
      i++;
    } else {
      /* Well-formed UTF-8 is copied; a broken byte becomes U+FFFD, so the
       * response stays valid JSON whatever a client or resolver sent. */
      uint32_t cp;
      int k = utf8_decode(s + i, s + n, &cp);
      if (k)
        buf_append(b, s + i, (size_t)k);
      else
        buf_append(b, "\xEF\xBF\xBD", 3);
      i += k ? (size_t)k : 1;
    }
    buf_reserve(b, n - i + 1);
  }
  buf_putc(b, '"');
}

/* ---- shortest round-trip digits ----
 *
 * Python's repr() prints the shortest decimal that reads back as the same
 * double and, among equally short ones, the one closest to it (an exact tie
 * goes to the even last digit). A double v = f × 2^e owns the reals that
 * round to it: up to half the gap to each neighbour, the ends included when
 * f is even (reading rounds halfway cases to the even mantissa). The gap
 * below a power of two is half the gap above it.
 *
 * Two exact methods find the digits, both with integers only. The common
 * one (every value from about 2^-70 up to 10^16: timestamps, durations,
 * ordinary measurements) works in 128-bit integers: for k = 0, 1, 2, … it
 * asks whether an integer N lies in v's interval scaled by 10^k. The first
 * k that has one gives the fewest digits, and the N nearest to v × 10^k is
 * taken. Everything else (huge, tiny and subnormal values) goes through the
 * free-format digit generation described by Steele & White and by Burger &
 * Dybvig, on multi-word integers: scale v below 1, produce one digit at a
 * time, and stop at the first digit after which the digits so far, or the
 * digits with the last one raised by one, fall inside the interval. */

typedef struct decimal {
  char d[24]; /* ASCII digits, no trailing zeros */
  int n;
  int exp; /* the value is d[0].d[1]d[2]… × 10^exp */
} decimal;

/* "00" "01" … "99": two digits per division when printing integers. */
static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* Writes the decimal digits of n so that they end at `end`; returns where
 * they start (at most 20 bytes before end). */
static char *put_digits_before(uint64_t n, char *end) {
  char *p = end;
  while (n >= 100) {
    p -= 2;
    memcpy(p, digit_pairs + 2 * (n % 100), 2);
    n /= 100;
  }
  if (n >= 10) {
    p -= 2;
    memcpy(p, digit_pairs + 2 * n, 2);
  } else {
    *--p = (char)('0' + n);
  }
  return p;
}

/* x = n × 10^-k for n > 0. */
static void decimal_from_u64(uint64_t n, int k, decimal *x) {
  while (n % 10 == 0) {
    n /= 10;
    k--;
  }
  char tmp[48]; /* the digits end at tmp + 20; the copy below reads 24 bytes */
  char *p = put_digits_before(n, tmp + 20);
  int len = (int)(tmp + 20 - p);
  memcpy(x->d, p, sizeof x->d); /* fixed size: a few moves; the tail is ignored */
  x->n = len;
  x->exp = len - 1 - k;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;

/* The 128-bit method for v = f × 2^-E with 0 < E <= 124. Everything is
 * scaled by 2^(E+2), which makes v × 10^k and both half-gaps integers.
 * False when the answer needs more than 21 decimals (the caller then uses
 * the general method); with v > 2^-71 that does not happen. */
static bool shortest_u128(uint64_t f, int E, bool pow2, decimal *out) {
  bool inclusive = (f & 1) == 0;
  int sh = E + 2;
  /* A candidate N × 10^-k >= 10^-k is below 2^(53-E), so k > (E-53)·log10(2):
   * the search may start there (77/256 < log10(2)). */
  int k = E > 54 ? ((E - 54) * 77) >> 8 : 0;
  if (E <= 52) {
    /* v >= 1: an integer is its own answer; other values need a decimal. */
    if ((f & ((UINT64_C(1) << E) - 1)) == 0) {
      decimal_from_u64(f >> E, 0, out);
      return true;
    }
    k = 1;
  }
  u128 p10 = 1;
  for (int i = 0; i < k; i++)
    p10 *= 10;
  /* 4f × 10^21 < 2^125 and the candidates stay below 2^127. */
  u128 c = (u128)f * 4 * p10; /* v × 10^k */
  for (; k <= 21; k++, p10 *= 10, c *= 10) {
    u128 up = 2 * p10;
    u128 down = pow2 ? p10 : up;
    u128 n_below = c >> sh;
    u128 below = n_below << sh;
    u128 above = below + ((u128)1 << sh);
    u128 d_below = c - below, d_above = above - c;
    bool ok_below = inclusive ? d_below <= down : d_below < down;
    bool ok_above = inclusive ? d_above <= up : d_above < up;
    if (!ok_below && !ok_above)
      continue;
    bool take_above =
        ok_above && (!ok_below || d_above < d_below || (d_above == d_below && (n_below & 1)));
    decimal_from_u64((uint64_t)(n_below + take_above), k, out);
    return true;
  }
  return false;
}
#endif

/* Unsigned integers of up to BIG_WORDS 32-bit words, least significant
 * first, n words in use (the top one non-zero). 1280 bits hold every
 * quantity of the general method (at most about 2^1130). */
#define BIG_WORDS 40

typedef struct big {
  uint32_t w[BIG_WORDS];
  int n;
} big;

static void big_set(big *a, uint64_t v) {
  a->w[0] = (uint32_t)v;
  a->w[1] = (uint32_t)(v >> 32);
  a->n = a->w[1] ? 2 : a->w[0] ? 1 : 0;
}

static void big_mul_small(big *a, uint32_t m) {
  uint64_t carry = 0;
  for (int i = 0; i < a->n; i++) {
    uint64_t t = (uint64_t)a->w[i] * m + carry;
    a->w[i] = (uint32_t)t;
    carry = t >> 32;
  }
  if (carry)
    a->w[a->n++] = (uint32_t)carry;
}

static void big_mul_pow10(big *a, int k) {
  static const uint32_t small[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  for (; k >= 9; k -= 9)
    big_mul_small(a, 1000000000u);
  if (k)
    big_mul_small(a, small[k]);
}

static void big_shl(big *a, int bits) {
  if (a->n == 0)
    return;
  int words = bits / 32, s = bits % 32;
  if (s) {
    uint32_t carry = 0;
    for (int i = 0; i < a->n; i++) {
      uint32_t w = a->w[i];
      a->w[i] = (w << s) | carry;
      carry = w >> (32 - s);
    }
    if (carry)
      a->w[a->n++] = carry;
  }
  if (words) {
    memmove(a->w + words, a->w, (size_t)a->n * sizeof a->w[0]);
    memset(a->w, 0, (size_t)words * sizeof a->w[0]);
    a->n += words;
  }
}

static int big_cmp(const big *a, const big *b) {
  if (a->n != b->n)
    return a->n < b->n ? -1 : 1;
  for (int i = a->n - 1; i >= 0; i--)
    if (a->w[i] != b->w[i])
      return a->w[i] < b->w[i] ? -1 : 1;
  return 0;
}

static void big_add(big *out, const big *a, const big *b) {
  const big *x = a->n >= b->n ? a : b, *y = a->n >= b->n ? b : a;
  uint64_t carry = 0;
  for (int i = 0; i < x->n; i++) {
    uint64_t t = (uint64_t)x->w[i] + (i < y->n ? y->w[i] : 0) + carry;
    out->w[i] = (uint32_t)t;
    carry = t >> 32;
  }
  out->n = x->n;
  if (carry)
    out->w[out->n++] = (uint32_t)carry;
}

/* a -= b, for a >= b. */
static void big_sub(big *a, const big *b) {
  int64_t borrow = 0;
  for (int i = 0; i < a->n; i++) {
    int64_t t = (int64_t)a->w[i] - (i < b->n ? b->w[i] : 0) - borrow;
    borrow = t < 0;
    a->w[i] = (uint32_t)(t + (borrow << 32));
  }
  while (a->n > 0 && a->w[a->n - 1] == 0)
    a->n--;
}

/* Whether r + m reaches s: "at or past" when the interval ends are
 * included, "past" when they are not. */
static bool big_sum_reaches(const big *r, const big *m, const big *s, bool inclusive) {
  big sum;
  big_add(&sum, r, m);
  int c = big_cmp(&sum, s);
  return inclusive ? c >= 0 : c > 0;
}

/* The general method for v = f × 2^e. With v = r/s and the half-gaps
 * m_up/s and m_down/s, v is scaled by 10^-k so that the interval's top lies
 * below 1; each step then multiplies by 10 and takes the integer part as
 * the next digit. */
static void shortest_big(double v, uint64_t f, int e, bool pow2, decimal *out) {
  bool inclusive = (f & 1) == 0;
  big r, s, m_up, m_down;
  big_set(&r, f);
  big_set(&s, 1);
  big_set(&m_up, 1);
  big_set(&m_down, 1);
  /* Scale by 2 (by 4 below a power of two) so the half-gaps are integers. */
  int scale = pow2 ? 2 : 1;
  big_shl(&r, scale);
  big_shl(&m_up, scale - 1);
  if (e >= 0) {
    big_shl(&r, e);
    big_shl(&m_up, e);
    big_shl(&m_down, e);
    big_shl(&s, scale);
  } else {
    big_shl(&s, scale - e);
  }
  int k = (int)ceil(log10(v) - 1e-10);
  if (k >= 0) {
    big_mul_pow10(&s, k);
  } else {
    big_mul_pow10(&r, -k);
    big_mul_pow10(&m_up, -k);
    big_mul_pow10(&m_down, -k);
  }
  /* The estimate of k may be one off either way. */
  while (big_sum_reaches(&r, &m_up, &s, inclusive)) {
    big_mul_small(&s, 10);
    k++;
  }
  for (;;) {
    big r10 = r, m10 = m_up;
    big_mul_small(&r10, 10);
    big_mul_small(&m10, 10);
    if (big_sum_reaches(&r10, &m10, &s, inclusive))
      break;
    r = r10;
    m_up = m10;
    big_mul_small(&m_down, 10);
    k--;
  }
  int n = 0;
  for (;;) {
    big_mul_small(&r, 10);
    big_mul_small(&m_up, 10);
    big_mul_small(&m_down, 10);
    int digit = 0;
    while (big_cmp(&r, &s) >= 0) {
      big_sub(&r, &s);
      digit++;
    }
    int c_low = big_cmp(&r, &m_down);
    bool low = inclusive ? c_low <= 0 : c_low < 0;
    bool high = big_sum_reaches(&r, &m_up, &s, inclusive);
    if (low && high) {
      /* Both ends fit: the nearer one, a tie to the even digit. */
      big r2 = r;
      big_shl(&r2, 1);
      int c = big_cmp(&r2, &s);
      if (c > 0 || (c == 0 && (digit & 1)))
        digit++;
    } else if (high) {
      digit++;
    }
    out->d[n++] = (char)('0' + digit);
    if (low || high)
      break;
  }
  while (n > 1 && out->d[n - 1] == '0')
    n--;
  out->n = n;
  out->exp = k - 1;
}

/* The digits Python's repr() prints for a finite v >= 0. */
static void shortest_decimal(double v, decimal *out) {
  if (v == 0) {
    *out = (decimal){.d = "0", .n = 1, .exp = 0};
    return;
  }
  uint64_t bits;
  memcpy(&bits, &v, sizeof bits);
  int biased = (int)(bits >> 52) & 0x7ff;
  uint64_t f = bits & ((UINT64_C(1) << 52) - 1);
  bool pow2 = f == 0 && biased > 1;
  int e = -1074;
  if (biased) {
    f |= UINT64_C(1) << 52;
    e = biased - 1075;
  }
  /* Integers below 10^16 print all their digits: their interval holds no
   * other integer with fewer significant digits. */
  if (e >= 0 && e <= 1 && (f << e) < UINT64_C(10000000000000000)) {
    decimal_from_u64(f << e, 0, out);
    return;
  }
#ifdef __SIZEOF_INT128__
  if (biased && e < 0 && e >= -124 && shortest_u128(f, -e, pow2, out))
    return;
#endif
  shortest_big(v, f, e, pow2, out);
}

size_t json_shortest_digits(double v, char digits[JSON_DIGITS_SIZE], int *exp) {
  if (!isfinite(v)) {
    digits[0] = '\0';
    *exp = 0;
    return 0;
  }
  decimal dec;
  shortest_decimal(fabs(v), &dec);
  memcpy(digits, dec.d, (size_t)dec.n);
  digits[dec.n] = '\0';
  *exp = dec.exp;
  return (size_t)dec.n;
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
    size_t copied = nd < int_len ? nd : int_len;
    memcpy(o, digits, copied);
    memset(o + copied, '0', int_len - copied);
    o += int_len;
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
