/* suggest.c — "Did you mean" suggestions (see suggest.h). The distance keeps
 * three rows of the dynamic-programming table (the row before the previous
 * one serves transpositions) and gives up as soon as a whole row passes the
 * threshold, so long unrelated names cost little. */
#include "graphql/suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

#define MAX_SUGGESTIONS 5

int gql_natural_compare(const char *a, const char *b) {
  size_t i = 0, j = 0;
  size_t alen = strlen(a), blen = strlen(b);
  while (i < alen && j < blen) {
    unsigned char ac = (unsigned char)a[i], bc = (unsigned char)b[j];
    if (isdigit(ac) && isdigit(bc)) {
      /* Doubles, as JavaScript numbers: long runs do not wrap around. */
      double an = 0, bn = 0;
      do {
        an = an * 10 + (a[i++] - '0');
      } while (isdigit((unsigned char)a[i]) && an > 0);
      do {
        bn = bn * 10 + (b[j++] - '0');
      } while (isdigit((unsigned char)b[j]) && bn > 0);
      if (an != bn)
        return an < bn ? -1 : 1;
    } else {
      if (ac != bc)
        return ac < bc ? -1 : 1;
      i++;
      j++;
    }
  }
  return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* The input side of the distance, prepared once for all options. */
typedef struct distance_ctx {
  const char *input;
  char *input_lower;
  size_t input_len;
  size_t *rows[3];
  char *scratch; /* room for the longest option, lower-cased */
} distance_ctx;

static void lower_into(char *dst, const char *src, size_t n) {
  for (size_t i = 0; i < n; i++)
    dst[i] = (char)tolower((unsigned char)src[i]);
  dst[n] = '\0';
}

static size_t min3(size_t x, size_t y, size_t z) {
  size_t m = x < y ? x : y;
  return m < z ? m : z;
}

/* The distance between the input and option, or SIZE_MAX above threshold. */
static size_t measure(distance_ctx *d, const char *option, size_t threshold) {
  if (strcmp(d->input, option) == 0)
    return 0;
  size_t olen = strlen(option);
  lower_into(d->scratch, option, olen);
  if (strcmp(d->input_lower, d->scratch) == 0)
    return 1; /* a change of case is one edit */
  const char *a = d->scratch, *b = d->input_lower;
  size_t alen = olen, blen = d->input_len;
  if (alen < blen) { /* a is the longer one */
    const char *t = a;
    a = b;
    b = t;
    size_t tl = alen;
    alen = blen;
    blen = tl;
  }
  if (alen - blen > threshold)
    return SIZE_MAX;
  for (size_t j = 0; j <= blen; j++)
    d->rows[0][j] = j;
  for (size_t i = 1; i <= alen; i++) {
    size_t *up = d->rows[(i - 1) % 3], *cur = d->rows[i % 3];
    size_t smallest = cur[0] = i;
    for (size_t j = 1; j <= blen; j++) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t cell = min3(up[j] + 1, cur[j - 1] + 1, up[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        size_t transposed = d->rows[(i - 2) % 3][j - 2] + 1;
        if (transposed < cell)
          cell = transposed;
      }
      if (cell < smallest)
        smallest = cell;
      cur[j] = cell;
    }
    if (smallest > threshold)
      return SIZE_MAX;
  }
  size_t dist = d->rows[alen % 3][blen];
  return dist <= threshold ? dist : SIZE_MAX;
}

typedef struct scored {
  const char *name;
  size_t distance;
} scored;

static bool scored_before(const scored *x, const scored *y) {
  if (x->distance != y->distance)
    return x->distance < y->distance;
  return gql_natural_compare(x->name, y->name) < 0;
}

size_t gql_suggestion_list(arena *a, const char *input, const char *const *options, size_t n,
                           const char ***out) {
  distance_ctx d = {.input = input, .input_len = strlen(input)};
  d.input_lower = arena_alloc(a, d.input_len + 1);
  lower_into(d.input_lower, input, d.input_len);
  for (int r = 0; r < 3; r++)
    d.rows[r] = ARENA_ARRAY(a, size_t, d.input_len + 1);
  size_t longest = 0;
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(options[i]);
    if (l > longest)
      longest = l;
  }
  d.scratch = arena_alloc(a, longest + 1);
  size_t threshold = d.input_len * 2 / 5 + 1; /* floor(length * 0.4) + 1 */
  scored *hits = ARENA_ARRAY(a, scored, n ? n : 1);
  size_t n_hits = 0;
  for (size_t i = 0; i < n; i++) {
    size_t dist = measure(&d, options[i], threshold);
    if (dist == SIZE_MAX)
      continue;
    /* Insertion sort: suggestion lists are short. */
    scored s = {options[i], dist};
    size_t k = n_hits++;
    while (k > 0 && scored_before(&s, &hits[k - 1])) {
      hits[k] = hits[k - 1];
      k--;
    }
    hits[k] = s;
  }
  const char **res = ARENA_ARRAY(a, const char *, n_hits ? n_hits : 1);
  size_t n_res = 0;
  for (size_t i = 0; i < n_hits; i++) {
    /* Equal options sort next to each other; keep one. */
    if (n_res > 0 && strcmp(res[n_res - 1], hits[i].name) == 0)
      continue;
    res[n_res++] = hits[i].name;
  }
  *out = res;
  return n_res;
}

static void put_quoted_or_list(buf *b, const char *const *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      buf_puts(b, n == 2 ? " or " : i == n - 1 ? ", or " : ", ");
    buf_printf(b, "\"%s\"", items[i]);
  }
}

const char *gql_quoted_or_list(arena *a, const char *const *items, size_t n) {
  buf b;
  buf_init(&b, a);
  put_quoted_or_list(&b, items, n);
  return buf_cstr(&b);
}

const char *gql_did_you_mean(arena *a, const char *sub, const char *const *suggestions, size_t n) {
  if (n == 0)
    return "";
  buf b;
  buf_init(&b, a);
  buf_puts(&b, " Did you mean ");
  if (sub)
    buf_printf(&b, "%s ", sub);
  put_quoted_or_list(&b, suggestions, n < MAX_SUGGESTIONS ? n : MAX_SUGGESTIONS);
  buf_putc(&b, '?');
  return buf_cstr(&b);
}

const char *gql_suggest(arena *a, const char *sub, const char *input, const char *const *options,
                        size_t n) {
  const char **list;
  size_t n_list = gql_suggestion_list(a, input, options, n, &list);
  return gql_did_you_mean(a, sub, list, n_list);
}
