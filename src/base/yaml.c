/* yaml.c — YAML reading (libyaml events composed into a located tree) and
 * writing (PyYAML's emitter for JSON-like data, rule for rule).
 *
 * Three parts share one resolver, the YAML 1.1 rules by which PyYAML types
 * a plain scalar (its Resolver's regular expressions, written out as small
 * matchers): the reader uses it to type plain scalars, the emitter to know
 * which strings must be quoted so that they read back as strings.
 *
 * The emitter follows PyYAML's Emitter state by state for the events its
 * Serializer produces from dicts, lists and scalars: the same column,
 * indentation, "whitespace" and "indention" bookkeeping, the same scalar
 * analysis and style choice, the same line folding at width 80. Columns are
 * counted in code points, as Python counts them, so strings are decoded to
 * code points before they are written. */
#include "base/yaml.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/strmap.h"
#include "base/utf8.h"

#define DEFAULT_MAX_NODES 1000000
#define DEFAULT_MAX_DEPTH 256

/* ---- The resolver (PyYAML's Resolver, plain scalars) ---- */

typedef enum resolved {
  RES_STR,
  RES_NULL,
  RES_BOOL,
  RES_INT,
  RES_FLOAT,
  RES_MERGE,     /* "<<" */
  RES_VALUE,     /* "=" */
  RES_TIMESTAMP, /* only when asked for: Dagster's loader and dumper drop it */
} resolved;

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the run of characters in [0-9_] from p[i]. */
static size_t digits_(const char *p, size_t i, size_t n) {
  size_t j = i;
  while (j < n && (is_digit(p[j]) || p[j] == '_'))
    j++;
  return j - i;
}

/* Length of the run of digits from p[i]. */
static size_t digits(const char *p, size_t i, size_t n) {
  size_t j = i;
  while (j < n && is_digit(p[j]))
    j++;
  return j - i;
}

static bool equals(const char *s, size_t n, const char *word) {
  return strlen(word) == n && memcmp(s, word, n) == 0;
}

static bool one_of(const char *s, size_t n, const char *const *words) {
  for (; *words; words++)
    if (equals(s, n, *words))
      return true;
  return false;
}

static const char *const TRUE_WORDS[] = {"yes",  "Yes", "YES", "true", "True",
                                         "TRUE", "on",  "On",  "ON",   NULL};
static const char *const FALSE_WORDS[] = {"no",    "No",  "NO",  "false", "False",
                                          "FALSE", "off", "Off", "OFF",   NULL};
static const char *const NULL_WORDS[] = {"~", "null", "Null", "NULL", NULL};
static const char *const INF_WORDS[] = {"inf", "Inf", "INF", NULL};
static const char *const NAN_WORDS[] = {"nan", "NaN", "NAN", NULL};

/* (?::[0-5]?[0-9])+ from p[i]: returns the index after it, or 0 when there
 * is not at least one such group. */
static size_t sexagesimal_groups(const char *p, size_t i, size_t n) {
  size_t groups = 0;
  while (i < n && p[i] == ':') {
    size_t k = digits(p, i + 1, n);
    if (!(k == 1 || (k == 2 && p[i + 1] <= '5')))
      return 0;
    i += 1 + k;
    groups++;
  }
  return groups ? i : 0;
}

/* [eE][-+][0-9]+ exactly filling p[i..n). */
static bool exponent_to_end(const char *p, size_t i, size_t n) {
  if (i + 2 >= n || (p[i] != 'e' && p[i] != 'E') || (p[i + 1] != '-' && p[i + 1] != '+'))
    return false;
  return digits(p, i + 2, n) == n - i - 2;
}

static bool match_int(const char *s, size_t n) {
  size_t i = (n && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const char *p = s + i;
  size_t m = n - i;
  if (m == 0)
    return false;
  if (m >= 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'x')) {
    if (m == 2)
      return false;
    for (size_t j = 2; j < m; j++)
      if (!(p[j] == '_' || (p[1] == 'b' ? (p[j] == '0' || p[j] == '1') : is_hex(p[j]))))
        return false;
    return true;
  }
  if (p[0] == '0') {
    if (m == 1)
      return true;
    for (size_t j = 1; j < m; j++)
      if (!(p[j] == '_' || (p[j] >= '0' && p[j] <= '7')))
        return false;
    return true;
  }
  if (!is_digit(p[0]))
    return false;
  size_t j = 1 + digits_(p, 1, m);
  return j == m || sexagesimal_groups(p, j, m) == m;
}

static bool match_float(const char *s, size_t n) {
  bool sign = n && (s[0] == '-' || s[0] == '+');
  const char *p = s + sign;
  size_t m = n - sign;
  if (m == 0)
    return false;
  if (p[0] == '.') {
    if (one_of(p + 1, m - 1, INF_WORDS))
      return true;
    if (sign)
      return false;
    if (one_of(p + 1, m - 1, NAN_WORDS))
      return true;
    if (m < 2 || !is_digit(p[1]))
      return false;
    size_t j = 2 + digits_(p, 2, m);
    return j == m || exponent_to_end(p, j, m);
  }
  if (!is_digit(p[0]))
    return false;
  size_t j = 1 + digits_(p, 1, m);
  if (j < m && p[j] == '.') {
    j += 1 + digits_(p, j + 1, m);
    return j == m || exponent_to_end(p, j, m);
  }
  j = sexagesimal_groups(p, j, m);
  if (!j || j >= m || p[j] != '.')
    return false;
  return j + 1 + digits_(p, j + 1, m) == m;
}

/* [0-9]{k} at p[i]. */
static bool fixed_digits(const char *p, size_t i, size_t n, size_t k) {
  return i + k <= n && digits(p, i, n) >= k;
}

static bool match_timestamp(const char *p, size_t n) {
  if (n < 10 || !fixed_digits(p, 0, n, 4) || p[4] != '-')
    return false;
  if (n == 10)
    return is_digit(p[5]) && is_digit(p[6]) && p[7] == '-' && is_digit(p[8]) && is_digit(p[9]);
  size_t i = 5, k;
  /* month, day and hour: one or two digits */
  if ((k = digits(p, i, n)) < 1 || k > 2 || i + k >= n || p[i + k] != '-')
    return false;
  i += k + 1;
  if ((k = digits(p, i, n)) < 1 || k > 2 || i + k >= n)
    return false;
  i += k;
  if (p[i] == 'T' || p[i] == 't') {
    i++;
  } else {
    if (p[i] != ' ' && p[i] != '\t')
      return false;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
      i++;
  }
  if ((k = digits(p, i, n)) < 1 || k > 2)
    return false;
  i += k;
  if (i >= n || p[i] != ':' || digits(p, i + 1, n) != 2)
    return false;
  i += 3;
  if (i >= n || p[i] != ':' || digits(p, i + 1, n) != 2)
    return false;
  i += 3;
  if (i < n && p[i] == '.')
    i += 1 + digits(p, i + 1, n);
  if (i == n)
    return true;
  while (i < n && (p[i] == ' ' || p[i] == '\t'))
    i++;
  if (i < n && p[i] == 'Z')
    return i + 1 == n;
  if (i >= n || (p[i] != '-' && p[i] != '+'))
    return false;
  i++;
  if ((k = digits(p, i, n)) < 1 || k > 2)
    return false;
  i += k;
  return i == n || (p[i] == ':' && i + 3 == n && digits(p, i + 1, n) == 2);
}

/* The type PyYAML's resolver gives the plain scalar s[0..n). */
static resolved resolve_plain(const char *s, size_t n, bool timestamps) {
  if (n == 0 || one_of(s, n, NULL_WORDS))
    return RES_NULL;
  if (one_of(s, n, TRUE_WORDS) || one_of(s, n, FALSE_WORDS))
    return RES_BOOL;
  if (match_float(s, n))
    return RES_FLOAT;
  if (match_int(s, n))
    return RES_INT;
  if (equals(s, n, "<<"))
    return RES_MERGE;
  if (equals(s, n, "="))
    return RES_VALUE;
  if (timestamps && match_timestamp(s, n))
    return RES_TIMESTAMP;
  return RES_STR;
}

/* ---- Constructors (PyYAML's SafeConstructor, for these types) ---- */

/* s without '_', lower-cased when asked, NUL-terminated, in a.  */
static char *strip_underscores(arena *a, const char *s, size_t n, bool lower) {
  char *out = arena_alloc(a, n + 1), *o = out;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '_')
      *o++ = (char)(lower && s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
  *o = '\0';
  return out;
}

static int digit_value(char c) {
  if (is_digit(c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return 99;
}

#define INT_MAGNITUDE_MAX (UINT64_C(1) << 63) /* |INT64_MIN| */

/* Adds the digits of p[0..n) in base to *acc: 0, -1 for an empty string or
 * a digit outside the base, -2 when the magnitude passes 2^63. */
static int accumulate(const char *p, size_t n, unsigned base, uint64_t *acc) {
  if (n == 0)
    return -1;
  bool overflow = false;
  for (size_t i = 0; i < n; i++) {
    unsigned d = (unsigned)digit_value(p[i]);
    if (d >= base)
      return -1;
    if (*acc > (INT_MAGNITUDE_MAX - d) / base)
      overflow = true;
    else
      *acc = *acc * base + d;
  }
  return overflow ? -2 : 0;
}

/* construct_yaml_int: 0, -1 when the text is no integer, -2 when it is out
 * of int64's range. */
static int construct_int(arena *a, const char *s, size_t n, int64_t *out) {
  char *v = strip_underscores(a, s, n, false);
  bool negative = v[0] == '-';
  if (v[0] == '-' || v[0] == '+')
    v++;
  size_t len = strlen(v);
  uint64_t mag = 0;
  int rc;
  if (v[0] == '0' && (v[1] == 'b' || v[1] == 'x')) {
    rc = accumulate(v + 2, len - 2, v[1] == 'b' ? 2 : 16, &mag);
  } else if (v[0] == '0' && len > 1) {
    rc = accumulate(v + 1, len - 1, 8, &mag);
  } else if (strchr(v, ':')) {
    rc = 0;
    for (char *part = v; rc == 0;) {
      char *colon = strchr(part, ':');
      size_t plen = colon ? (size_t)(colon - part) : strlen(part);
      uint64_t d = 0;
      rc = accumulate(part, plen, 10, &d);
      if (rc == 0 && mag > (INT_MAGNITUDE_MAX - d) / 60)
        rc = -2;
      if (rc == 0)
        mag = mag * 60 + d;
      if (!colon)
        break;
      part = colon + 1;
    }
  } else {
    rc = accumulate(v, len, 10, &mag);
  }
  if (rc == 0 && !negative && mag > (uint64_t)INT64_MAX)
    rc = -2;
  if (rc == 0)
    *out = negative ? (int64_t)(0 - mag) : (int64_t)mag;
  return rc;
}

/* Python's float() of a decimal string (no hex, no spaces). */
static bool decimal_float(const char *s, double *out) {
  if (!*s || strpbrk(s, "xXpP \t\n"))
    return false;
  char *end;
  *out = strtod(s, &end);
  return *end == '\0';
}

/* construct_yaml_float. */
static bool construct_float(arena *a, const char *s, size_t n, double *out) {
  char *v = strip_underscores(a, s, n, true);
  double sign = v[0] == '-' ? -1.0 : 1.0;
  if (v[0] == '-' || v[0] == '+')
    v++;
  if (strcmp(v, ".inf") == 0) {
    *out = sign * INFINITY;
    return true;
  }
  if (strcmp(v, ".nan") == 0) {
    *out = NAN;
    return true;
  }
  if (!strchr(v, ':')) {
    if (!decimal_float(v, out))
      return false;
    *out *= sign;
    return true;
  }
  /* base 60, summed from the last part as PyYAML sums it */
  double value = 0.0, base = 1.0;
  char *end = v + strlen(v);
  for (;;) {
    char *start = end;
    while (start > v && start[-1] != ':')
      start--;
    char saved = *end, *part = start;
    *end = '\0';
    double d;
    bool ok = decimal_float(part, &d);
    *end = saved;
    if (!ok)
      return false;
    value += d * base;
    base *= 60.0;
    if (start == v)
      break;
    end = start - 1;
  }
  *out = sign * value;
  return true;
}

/* ---- Reading ---- */

typedef struct anchor {
  yaml_value *node; /* NULL while its node is being composed */
  int line, column;
} anchor;

typedef struct reader {
  arena *a;
  yaml_parser_t parser;
  yaml_event_t event;
  bool have_event;
  const char *text;
  size_t text_len;
  yaml_error *err;
  size_t max_nodes;
  int max_depth;
  size_t nodes; /* composed so far, aliases expanded */
  strmap anchors;
} reader;

static void fail_at(reader *r, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail_at(reader *r, int line, int column, const char *fmt, ...) {
  r->err->line = line;
  r->err->column = column;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
  va_end(ap);
}

/* Line and column (in characters) of a byte offset of the input. */
static void place_of_offset(const reader *r, size_t offset, int *line, int *column) {
  *line = 1;
  *column = 1;
  const char *p = r->text, *end = r->text + (offset < r->text_len ? offset : r->text_len);
  while (p < end) {
    if (*p == '\n') {
      ++*line;
      *column = 1;
      p++;
      continue;
    }
    uint32_t cp;
    int k = utf8_decode(p, r->text + r->text_len, &cp);
    p += k ? k : 1;
    ++*column;
  }
}

static void fail_parser(reader *r) {
  yaml_parser_t *p = &r->parser;
  if (p->error == YAML_READER_ERROR) {
    int line, column;
    place_of_offset(r, p->problem_offset, &line, &column);
    if (p->problem_value != -1)
      fail_at(r, line, column, "%s: #x%X", p->problem, (unsigned)p->problem_value);
    else
      fail_at(r, line, column, "%s", p->problem);
    return;
  }
  const char *problem = p->problem ? p->problem : "cannot parse the document";
  int line = (int)p->problem_mark.line + 1, column = (int)p->problem_mark.column + 1;
  if (p->context)
    fail_at(r, line, column, "%s (%s at line %d, column %d)", problem, p->context,
            (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
  else
    fail_at(r, line, column, "%s", problem);
}

static bool next_event(reader *r) {
  if (r->have_event)
    yaml_event_delete(&r->event);
  r->have_event = false;
  if (!yaml_parser_parse(&r->parser, &r->event)) {
    fail_parser(r);
    return false;
  }
  r->have_event = true;
  return true;
}

static bool count_nodes(reader *r, size_t more, int line, int column) {
  if (more > r->max_nodes - r->nodes) {
    fail_at(r, line, column, "the document has more than %zu nodes once aliases are expanded",
            r->max_nodes);
    return false;
  }
  r->nodes += more;
  return true;
}

static yaml_value *new_node(reader *r, yaml_kind kind, yaml_mark_t mark) {
  yaml_value *v = ARENA_NEW(r->a, yaml_value);
  v->kind = kind;
  v->line = (int)mark.line + 1;
  v->column = (int)mark.column + 1;
  v->nodes = 1;
  return v;
}

/* Registers the anchor of the node starting now (NULL: none). */
static anchor *open_anchor(reader *r, const yaml_char_t *name, yaml_mark_t mark) {
  if (!name)
    return NULL;
  anchor *prev = strmap_get(&r->anchors, (const char *)name);
  if (prev) {
    fail_at(r, (int)mark.line + 1, (int)mark.column + 1,
            "found duplicate anchor '%s'; first occurrence at line %d, column %d",
            (const char *)name, prev->line, prev->column);
    return NULL;
  }
  anchor *an = ARENA_NEW(r->a, anchor);
  an->line = (int)mark.line + 1;
  an->column = (int)mark.column + 1;
  strmap_put(&r->anchors, r->a, arena_strdup(r->a, (const char *)name), an);
  return an;
}

static const char *const TAG_PREFIX = "tag:yaml.org,2002:";

/* The tag as the user would write it, for messages: "!!int" for the
 * standard ones. */
static const char *tag_text(reader *r, const char *tag) {
  size_t k = strlen(TAG_PREFIX);
  if (strncmp(tag, TAG_PREFIX, k) == 0)
    return arena_printf(r->a, "!!%s", tag + k);
  return tag;
}

static bool is_std_tag(const char *tag, const char *name) {
  size_t k = strlen(TAG_PREFIX);
  return tag && strncmp(tag, TAG_PREFIX, k) == 0 && strcmp(tag + k, name) == 0;
}

/* Gives v the value of its text as the type res; false with the error set
 * when the text is not one (only for explicit tags: the resolver has
 * checked implicit ones, except for integers past int64). */
static bool construct_scalar(reader *r, yaml_value *v, resolved res, const char *tag) {
  switch (res) {
  case RES_NULL:
    v->kind = YAML_KIND_NULL;
    return true;
  case RES_BOOL: {
    char *lower = strip_underscores(r->a, v->str, v->len, true);
    if (strchr(v->str, '_') ||
        !(one_of(lower, strlen(lower), TRUE_WORDS) || one_of(lower, strlen(lower), FALSE_WORDS))) {
      fail_at(r, v->line, v->column, "'%s' is not a bool for the tag %s", v->str, tag);
      return false;
    }
    v->kind = YAML_KIND_BOOL;
    v->boolean = one_of(lower, strlen(lower), TRUE_WORDS);
    return true;
  }
  case RES_INT: {
    int rc = construct_int(r->a, v->str, v->len, &v->integer);
    if (rc == -2) {
      fail_at(r, v->line, v->column, "integer %s is out of range (64 bits)", v->str);
      return false;
    }
    if (rc < 0) {
      fail_at(r, v->line, v->column, "'%s' is not an integer for the tag %s", v->str, tag);
      return false;
    }
    v->kind = YAML_KIND_INT;
    return true;
  }
  case RES_FLOAT:
    if (!construct_float(r->a, v->str, v->len, &v->number)) {
      fail_at(r, v->line, v->column, "'%s' is not a float for the tag %s", v->str, tag);
      return false;
    }
    v->kind = YAML_KIND_FLOAT;
    return true;
  default:
    v->kind = YAML_KIND_STR;
    return true;
  }
}

static bool compose_node(reader *r, int depth, yaml_value **out, bool *is_merge);

static bool compose_scalar(reader *r, yaml_value **out, bool *is_merge) {
  yaml_event_t *ev = &r->event;
  yaml_value *v = new_node(r, YAML_KIND_STR, ev->start_mark);
  anchor *an = open_anchor(r, ev->data.scalar.anchor, ev->start_mark);
  if (ev->data.scalar.anchor && !an)
    return false;
  size_t n = ev->data.scalar.length;
  char *s = arena_alloc(r->a, n + 1);
  memcpy(s, ev->data.scalar.value, n);
  s[n] = '\0';
  v->str = s;
  v->len = n;
  const char *tag = (const char *)ev->data.scalar.tag;
  resolved res;
  /* PyYAML resolves a scalar tagged with the bare "!" as if it were plain,
   * quoted or not. */
  if ((!tag && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) || (tag && !strcmp(tag, "!")))
    res = resolve_plain(s, n, false);
  else if (!tag || is_std_tag(tag, "str"))
    res = RES_STR;
  else if (is_std_tag(tag, "null"))
    res = RES_NULL;
  else if (is_std_tag(tag, "bool"))
    res = RES_BOOL;
  else if (is_std_tag(tag, "int"))
    res = RES_INT;
  else if (is_std_tag(tag, "float"))
    res = RES_FLOAT;
  else if (is_std_tag(tag, "merge"))
    res = RES_MERGE;
  else {
    fail_at(r, v->line, v->column, "could not determine a constructor for the tag '%s'",
            tag_text(r, tag));
    return false;
  }
  if (res == RES_VALUE) {
    fail_at(r, v->line, v->column, "could not determine a constructor for the tag '!!value'");
    return false;
  }
  *is_merge = res == RES_MERGE;
  if (!construct_scalar(r, v, res, tag ? tag_text(r, tag) : "!!int"))
    return false;
  if (an)
    an->node = v;
  *out = v;
  return count_nodes(r, 1, v->line, v->column);
}

static bool compose_alias(reader *r, int depth, yaml_value **out) {
  yaml_event_t *ev = &r->event;
  const char *name = (const char *)ev->data.alias.anchor;
  int line = (int)ev->start_mark.line + 1, column = (int)ev->start_mark.column + 1;
  anchor *an = strmap_get(&r->anchors, name);
  if (!an) {
    fail_at(r, line, column, "found undefined alias '%s'", name);
    return false;
  }
  if (!an->node) {
    fail_at(r, line, column, "found recursive alias '%s' (its anchor's node contains it)", name);
    return false;
  }
  if (depth + an->node->height > r->max_depth) {
    fail_at(r, line, column, "the document is nested more than %d levels deep", r->max_depth);
    return false;
  }
  if (!count_nodes(r, an->node->nodes, line, column))
    return false;
  /* A shallow copy that says where the alias is; the content is shared. */
  yaml_value *v = ARENA_NEW(r->a, yaml_value);
  *v = *an->node;
  v->line = line;
  v->column = column;
  *out = v;
  return true;
}

static bool check_collection_tag(reader *r, const yaml_char_t *tag, const char *name,
                                 const yaml_value *v) {
  const char *t = (const char *)tag;
  if (!t || !strcmp(t, "!") || is_std_tag(t, name))
    return true;
  fail_at(r, v->line, v->column, "could not determine a constructor for the tag '%s'",
          tag_text(r, t));
  return false;
}

static bool compose_sequence(reader *r, int depth, yaml_value **out) {
  yaml_event_t *ev = &r->event;
  yaml_value *v = new_node(r, YAML_KIND_SEQ, ev->start_mark);
  if (!check_collection_tag(r, ev->data.sequence_start.tag, "seq", v))
    return false;
  anchor *an = open_anchor(r, ev->data.sequence_start.anchor, ev->start_mark);
  if (ev->data.sequence_start.anchor && !an)
    return false;
  if (!count_nodes(r, 1, v->line, v->column))
    return false;
  size_t cap = 0;
  v->height = 1;
  for (;;) {
    if (!next_event(r))
      return false;
    if (r->event.type == YAML_SEQUENCE_END_EVENT)
      break;
    yaml_value *item;
    bool merge = false;
    if (!compose_node(r, depth + 1, &item, &merge))
      return false;
    if (merge) {
      fail_at(r, item->line, item->column,
              "could not determine a constructor for the tag '!!merge'");
      return false;
    }
    if (v->count == cap) {
      size_t ncap = cap ? cap * 2 : 4;
      v->items = arena_realloc(r->a, v->items, cap * sizeof *v->items, ncap * sizeof *v->items);
      cap = ncap;
    }
    v->items[v->count++] = item;
    v->nodes += item->nodes;
    if (item->height + 1 > v->height)
      v->height = item->height + 1;
  }
  if (an)
    an->node = v;
  *out = v;
  return true;
}

/* A key's identity as Python's dict sees it (1, 1.0 and true are one key),
 * as a string for the strmap. */
static const char *key_identity(arena *a, const yaml_value *k) {
  switch (k->kind) {
  case YAML_KIND_NULL:
    return "z";
  case YAML_KIND_BOOL:
    return k->boolean ? "n1" : "n0";
  case YAML_KIND_INT:
    return arena_printf(a, "n%" PRId64, k->integer);
  case YAML_KIND_FLOAT:
    if (k->number == floor(k->number) && fabs(k->number) < 9.2e18)
      return arena_printf(a, "n%" PRId64, (int64_t)k->number);
    if (isnan(k->number))
      return "nnan";
    if (isinf(k->number))
      return k->number > 0 ? "ninf" : "n-inf";
    return arena_printf(a, "n%.17g", k->number);
  default: {
    /* strings may hold NULs: escape them and the escape character */
    buf b;
    buf_init(&b, a);
    buf_putc(&b, 's');
    for (size_t i = 0; i < k->len; i++) {
      if (k->str[i] == '\0' || k->str[i] == '\\')
        buf_putc(&b, '\\');
      buf_putc(&b, k->str[i] ? k->str[i] : '0');
    }
    return buf_cstr(&b);
  }
  }
}

typedef struct slot {
  size_t index;  /* in the mapping's pairs */
  bool explicit; /* set by a key of this mapping rather than a merge */
} slot;

typedef struct pair_list {
  yaml_pair *pairs;
  size_t count, cap;
} pair_list;

static void push_pair(arena *a, pair_list *l, yaml_value *key, yaml_value *value) {
  if (l->count == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 4;
    l->pairs = arena_realloc(a, l->pairs, l->cap * sizeof *l->pairs, ncap * sizeof *l->pairs);
    l->cap = ncap;
  }
  l->pairs[l->count].key = key;
  l->pairs[l->count].value = value;
  l->count++;
}

/* Adds the pairs a merge key's value brings (PyYAML's flatten_mapping: a
 * mapping, or a list of mappings of which the first wins). */
static bool collect_merge(reader *r, pair_list *merged, const yaml_value *value) {
  if (value->kind == YAML_KIND_MAP) {
    for (size_t i = 0; i < value->count; i++)
      push_pair(r->a, merged, value->pairs[i].key, value->pairs[i].value);
    return true;
  }
  if (value->kind != YAML_KIND_SEQ) {
    fail_at(r, value->line, value->column,
            "expected a mapping or list of mappings for merging, but found scalar");
    return false;
  }
  for (size_t i = value->count; i-- > 0;) {
    const yaml_value *m = value->items[i];
    if (m->kind != YAML_KIND_MAP) {
      fail_at(r, m->line, m->column, "expected a mapping for merging, but found %s",
              m->kind == YAML_KIND_SEQ ? "sequence" : "scalar");
      return false;
    }
    collect_merge(r, merged, m);
  }
  return true;
}

/* Puts key: value into the mapping v, as a Python dict would (a key seen
 * before keeps its place and takes the new value); two explicit equal keys
 * are an error. */
static bool add_pair(reader *r, pair_list *out, strmap *seen, yaml_value *key, yaml_value *value,
                     bool explicit) {
  const char *id = key_identity(r->a, key);
  slot *s = strmap_get(seen, id);
  if (!s) {
    s = ARENA_NEW(r->a, slot);
    s->index = out->count;
    s->explicit = explicit;
    strmap_put(seen, r->a, id, s);
    push_pair(r->a, out, key, value);
    return true;
  }
  yaml_pair *p = &out->pairs[s->index];
  if (explicit && s->explicit) {
    fail_at(r, key->line, key->column, "duplicate key '%s' (first at line %d, column %d)", key->str,
            p->key->line, p->key->column);
    return false;
  }
  if (explicit)
    p->key = key;
  p->value = value;
  s->explicit = s->explicit || explicit;
  return true;
}

static bool compose_mapping(reader *r, int depth, yaml_value **out) {
  yaml_event_t *ev = &r->event;
  yaml_value *v = new_node(r, YAML_KIND_MAP, ev->start_mark);
  if (!check_collection_tag(r, ev->data.mapping_start.tag, "map", v))
    return false;
  anchor *an = open_anchor(r, ev->data.mapping_start.anchor, ev->start_mark);
  if (ev->data.mapping_start.anchor && !an)
    return false;
  if (!count_nodes(r, 1, v->line, v->column))
    return false;
  pair_list explicit = {0}, merged = {0};
  for (;;) {
    if (!next_event(r))
      return false;
    if (r->event.type == YAML_MAPPING_END_EVENT)
      break;
    yaml_value *key, *value;
    bool key_merge = false, value_merge = false;
    if (!compose_node(r, depth + 1, &key, &key_merge))
      return false;
    if (!next_event(r) || !compose_node(r, depth + 1, &value, &value_merge))
      return false;
    if (value_merge) {
      fail_at(r, value->line, value->column,
              "could not determine a constructor for the tag '!!merge'");
      return false;
    }
    if (key->kind == YAML_KIND_SEQ || key->kind == YAML_KIND_MAP) {
      fail_at(r, key->line, key->column, "found unhashable key (a %s cannot be a mapping key)",
              yaml_kind_name(key->kind));
      return false;
    }
    if (key_merge) {
      if (!collect_merge(r, &merged, value))
        return false;
    } else {
      push_pair(r->a, &explicit, key, value);
    }
  }
  /* merged pairs first, then the mapping's own: PyYAML's order */
  pair_list all = {0};
  strmap seen = {0};
  strmap_reserve(&seen, r->a, merged.count + explicit.count);
  for (size_t i = 0; i < merged.count; i++)
    add_pair(r, &all, &seen, merged.pairs[i].key, merged.pairs[i].value, false);
  for (size_t i = 0; i < explicit.count; i++)
    if (!add_pair(r, &all, &seen, explicit.pairs[i].key, explicit.pairs[i].value, true))
      return false;
  v->pairs = all.pairs;
  v->count = all.count;
  v->height = 1;
  for (size_t i = 0; i < all.count; i++) {
    const yaml_pair *p = &all.pairs[i];
    v->nodes += p->key->nodes + p->value->nodes;
    if (p->value->height + 1 > v->height)
      v->height = p->value->height + 1;
  }
  if (an)
    an->node = v;
  *out = v;
  return true;
}

/* Composes the node whose first event is the current one; depth counts the
 * collections around it. */
static bool compose_node(reader *r, int depth, yaml_value **out, bool *is_merge) {
  *is_merge = false;
  switch (r->event.type) {
  case YAML_ALIAS_EVENT:
    return compose_alias(r, depth, out);
  case YAML_SCALAR_EVENT:
    return compose_scalar(r, out, is_merge);
  case YAML_SEQUENCE_START_EVENT:
  case YAML_MAPPING_START_EVENT:
    if (depth + 1 > r->max_depth) {
      fail_at(r, (int)r->event.start_mark.line + 1, (int)r->event.start_mark.column + 1,
              "the document is nested more than %d levels deep", r->max_depth);
      return false;
    }
    return r->event.type == YAML_SEQUENCE_START_EVENT ? compose_sequence(r, depth, out)
                                                      : compose_mapping(r, depth, out);
  default:
    fail_at(r, (int)r->event.start_mark.line + 1, (int)r->event.start_mark.column + 1,
            "unexpected YAML event");
    return false;
  }
}

static yaml_value *compose_stream(reader *r) {
  if (!next_event(r)) /* stream start */
    return NULL;
  if (!next_event(r))
    return NULL;
  if (r->event.type == YAML_STREAM_END_EVENT) {
    yaml_value *v = new_node(r, YAML_KIND_NULL, r->event.start_mark);
    v->line = v->column = 1;
    v->str = "";
    return v;
  }
  /* document start */
  if (!next_event(r))
    return NULL;
  yaml_value *root;
  bool merge;
  if (!compose_node(r, 0, &root, &merge))
    return NULL;
  if (merge) {
    fail_at(r, root->line, root->column, "could not determine a constructor for the tag '!!merge'");
    return NULL;
  }
  if (!next_event(r)) /* document end */
    return NULL;
  if (!next_event(r))
    return NULL;
  if (r->event.type != YAML_STREAM_END_EVENT) {
    fail_at(r, (int)r->event.start_mark.line + 1, (int)r->event.start_mark.column + 1,
            "expected a single document in the stream, but found another document");
    return NULL;
  }
  return root;
}

yaml_value *yaml_parse(arena *a, const char *text, size_t n, const yaml_limits *limits,
                       yaml_error *err) {
  reader r;
  memset(&r, 0, sizeof r);
  memset(err, 0, sizeof *err);
  r.a = a;
  r.text = text;
  r.text_len = n;
  r.err = err;
  r.max_nodes = limits && limits->max_nodes ? limits->max_nodes : DEFAULT_MAX_NODES;
  r.max_depth = limits && limits->max_depth > 0 ? limits->max_depth : DEFAULT_MAX_DEPTH;
  if (!yaml_parser_initialize(&r.parser)) {
    fail_at(&r, 0, 0, "out of memory");
    return NULL;
  }
  yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);
  /* libyaml asserts that its input is not NULL, even when empty */
  yaml_parser_set_input_string(&r.parser, (const unsigned char *)(text ? text : ""), n);
  yaml_value *root = compose_stream(&r);
  if (r.have_event)
    yaml_event_delete(&r.event);
  yaml_parser_delete(&r.parser);
  return root;
}

const yaml_value *yaml_map_get(const yaml_value *map, const char *key) {
  if (!map || map->kind != YAML_KIND_MAP)
    return NULL;
  size_t n = strlen(key);
  for (size_t i = 0; i < map->count; i++) {
    const yaml_value *k = map->pairs[i].key;
    if (k->kind == YAML_KIND_STR && k->len == n && memcmp(k->str, key, n) == 0)
      return map->pairs[i].value;
  }
  return NULL;
}

const char *yaml_kind_name(yaml_kind kind) {
  switch (kind) {
  case YAML_KIND_NULL:
    return "null";
  case YAML_KIND_BOOL:
    return "bool";
  case YAML_KIND_INT:
    return "int";
  case YAML_KIND_FLOAT:
    return "float";
  case YAML_KIND_STR:
    return "string";
  case YAML_KIND_SEQ:
    return "sequence";
  case YAML_KIND_MAP:
    return "mapping";
  }
  return "unknown";
}

static void json_fail(yaml_error *err, const yaml_value *v, const char *message) {
  err->line = v->line;
  err->column = v->column;
  snprintf(err->message, sizeof err->message, "%s", message);
}

json_t *yaml_to_json(const yaml_value *v, yaml_error *err) {
  switch (v->kind) {
  case YAML_KIND_NULL:
    return json_null();
  case YAML_KIND_BOOL:
    return json_boolean(v->boolean);
  case YAML_KIND_INT:
    return json_integer((json_int_t)v->integer);
  case YAML_KIND_FLOAT:
    if (!isfinite(v->number)) {
      json_fail(err, v, "JSON cannot hold .inf or .nan");
      return NULL;
    }
    return json_real(v->number);
  case YAML_KIND_STR:
    return json_stringn(v->str, v->len);
  case YAML_KIND_SEQ: {
    json_t *arr = json_array();
    for (size_t i = 0; i < v->count; i++) {
      json_t *item = yaml_to_json(v->items[i], err);
      if (!item) {
        json_decref(arr);
        return NULL;
      }
      json_array_append_new(arr, item);
    }
    return arr;
  }
  case YAML_KIND_MAP: {
    json_t *obj = json_object();
    for (size_t i = 0; i < v->count; i++) {
      const yaml_pair *p = &v->pairs[i];
      if (p->key->kind != YAML_KIND_STR) {
        char message[128];
        snprintf(message, sizeof message, "mapping keys must be strings, found %s '%s'",
                 yaml_kind_name(p->key->kind), p->key->str);
        json_fail(err, p->key, message);
        json_decref(obj);
        return NULL;
      }
      json_t *item = yaml_to_json(p->value, err);
      if (!item) {
        json_decref(obj);
        return NULL;
      }
      json_object_setn_new(obj, p->key->str, p->key->len, item);
    }
    return obj;
  }
  }
  return NULL;
}

/* ---- Emitting (PyYAML's Emitter) ---- */

#define BEST_INDENT 2
#define BEST_WIDTH 80
#define NO_CHAR UINT32_MAX /* PyYAML's ch = None: past the end of the text */

typedef struct emitter {
  buf *out;
  unsigned flags;
  int column;
  int indent; /* -1: PyYAML's None */
  bool whitespace, indention, open_ended;
  bool root_context, mapping_context, simple_key_context;
} emitter;

/* What analyze_scalar finds (what matters outside flow context). */
typedef struct analysis {
  bool empty, multiline, allow_block_plain, allow_single_quoted;
} analysis;

typedef struct scalar {
  uint32_t *text; /* code points */
  size_t n;
  bool implicit_plain; /* read back plain, it has its own type (implicit[0]) */
  char style;          /* the representer's: 0 or '\'' */
  analysis an;
} scalar;

static bool is_break(uint32_t ch) {
  return ch == '\n' || ch == 0x85 || ch == 0x2028 || ch == 0x2029;
}

static bool is_space_or_break(uint32_t ch) {
  return ch == 0 || ch == ' ' || ch == '\t' || ch == '\r' || is_break(ch);
}

static void put_char(buf *b, uint32_t cp) {
  char s[4];
  size_t n;
  if (cp < 0x80) {
    s[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    s[0] = (char)(0xC0 | (cp >> 6));
    s[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    s[0] = (char)(0xE0 | (cp >> 12));
    s[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    s[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    s[0] = (char)(0xF0 | (cp >> 18));
    s[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    s[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    s[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  buf_append(b, s, n);
}

/* Writes text[start..end) (nothing when end <= start, as Python's slice). */
static void write_text(emitter *e, const uint32_t *text, size_t start, size_t end) {
  for (size_t i = start; i < end; i++)
    put_char(e->out, text[i]);
  if (end > start)
    e->column += (int)(end - start);
}

static void write_ascii(emitter *e, const char *s) {
  buf_puts(e->out, s);
  e->column += (int)strlen(s);
}

static void write_indicator(emitter *e, const char *indicator, bool need_whitespace,
                            bool whitespace, bool indention) {
  if (!e->whitespace && need_whitespace)
    write_ascii(e, " ");
  write_ascii(e, indicator);
  e->whitespace = whitespace;
  e->indention = e->indention && indention;
  e->open_ended = false;
}

/* A line break: '\n', or the break character itself (U+0085, U+2028, U+2029). */
static void write_line_break(emitter *e, uint32_t ch) {
  put_char(e->out, ch == 0 ? '\n' : ch);
  e->whitespace = true;
  e->indention = true;
  e->column = 0;
}

static void write_indent(emitter *e) {
  int indent = e->indent < 0 ? 0 : e->indent;
  if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
    write_line_break(e, 0);
  if (e->column < indent) {
    e->whitespace = true;
    for (; e->column < indent; e->column++)
      buf_putc(e->out, ' ');
  }
}

static bool is_unicode_printable(uint32_t ch) {
  return (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD) ||
          (ch >= 0x10000 && ch < 0x10FFFF)) &&
         ch != 0xFEFF;
}

static analysis analyze_scalar(const uint32_t *t, size_t n, bool allow_unicode) {
  analysis an = {0};
  if (n == 0) {
    an.empty = true;
    an.allow_block_plain = true;
    an.allow_single_quoted = true;
    return an;
  }
  bool block_indicators = false, line_breaks = false, special = false;
  bool leading = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false;
  if (n >= 3 &&
      ((t[0] == '-' && t[1] == '-' && t[2] == '-') || (t[0] == '.' && t[1] == '.' && t[2] == '.')))
    block_indicators = true;
  bool preceded_by_whitespace = true;
  bool followed_by_whitespace = n == 1 || is_space_or_break(t[1]);
  bool previous_space = false, previous_break = false;
  for (size_t i = 0; i < n; i++) {
    uint32_t ch = t[i];
    if (i == 0) {
      if (ch && ch < 0x80 && strchr("#,[]{}&*!|>'\"%@`", (int)ch))
        block_indicators = true;
      if ((ch == '?' || ch == ':' || ch == '-') && followed_by_whitespace)
        block_indicators = true;
    } else {
      if ((ch == ':' && followed_by_whitespace) || (ch == '#' && preceded_by_whitespace))
        block_indicators = true;
    }
    if (is_break(ch))
      line_breaks = true;
    if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
      if (!is_unicode_printable(ch) || !allow_unicode)
        special = true;
    }
    if (ch == ' ') {
      if (i == 0)
        leading = true;
      if (i == n - 1)
        trailing_space = true;
      if (previous_break)
        break_space = true;
      previous_space = true;
      previous_break = false;
    } else if (is_break(ch)) {
      if (i == 0)
        leading = true;
      if (i == n - 1)
        trailing_break = true;
      if (previous_space)
        space_break = true;
      previous_space = false;
      previous_break = true;
    } else {
      previous_space = false;
      previous_break = false;
    }
    preceded_by_whitespace = is_space_or_break(ch);
    followed_by_whitespace = i + 2 >= n || is_space_or_break(t[i + 2]);
  }
  an.multiline = line_breaks;
  an.allow_block_plain = true;
  an.allow_single_quoted = true;
  if (leading || trailing_space || trailing_break)
    an.allow_block_plain = false;
  if (break_space)
    an.allow_block_plain = an.allow_single_quoted = false;
  if (space_break || special)
    an.allow_block_plain = an.allow_single_quoted = false;
  if (line_breaks || block_indicators)
    an.allow_block_plain = false;
  return an;
}

/* choose_scalar_style outside flow context: '\0' plain, '\'' or '"'. */
static char choose_style(const emitter *e, const scalar *s) {
  const analysis *an = &s->an;
  if (!s->style && s->implicit_plain && !(e->simple_key_context && (an->empty || an->multiline)) &&
      an->allow_block_plain)
    return '\0';
  if (an->allow_single_quoted && !(e->simple_key_context && an->multiline))
    return '\'';
  return '"';
}

static void write_plain(emitter *e, const uint32_t *t, size_t n, bool split) {
  if (e->root_context)
    e->open_ended = true;
  if (n == 0)
    return;
  if (!e->whitespace)
    write_ascii(e, " ");
  e->whitespace = false;
  e->indention = false;
  bool spaces = false;
  size_t start = 0;
  /* a plain scalar never holds a line break (analyze_scalar forbids it) */
  for (size_t end = 0; end <= n; end++) {
    uint32_t ch = end < n ? t[end] : NO_CHAR;
    if (spaces) {
      if (ch != ' ') {
        if (start + 1 == end && e->column > BEST_WIDTH && split) {
          write_indent(e);
          e->whitespace = false;
          e->indention = false;
        } else {
          write_text(e, t, start, end);
        }
        start = end;
      }
    } else if (ch == NO_CHAR || ch == ' ') {
      write_text(e, t, start, end);
      start = end;
    }
    if (ch != NO_CHAR)
      spaces = ch == ' ';
  }
}

/* The run of breaks text[start..end) inside a quoted scalar. */
static void write_breaks(emitter *e, const uint32_t *t, size_t start, size_t end) {
  if (t[start] == '\n')
    write_line_break(e, 0);
  for (size_t i = start; i < end; i++)
    write_line_break(e, t[i] == '\n' ? 0 : t[i]);
  write_indent(e);
}

static void write_single_quoted(emitter *e, const uint32_t *t, size_t n, bool split) {
  write_indicator(e, "'", true, false, false);
  bool spaces = false, breaks = false;
  size_t start = 0;
  for (size_t end = 0; end <= n; end++) {
    uint32_t ch = end < n ? t[end] : NO_CHAR;
    if (spaces) {
      if (ch != ' ') {
        if (start + 1 == end && e->column > BEST_WIDTH && split && start != 0 && end != n)
          write_indent(e);
        else
          write_text(e, t, start, end);
        start = end;
      }
    } else if (breaks) {
      if (ch == NO_CHAR || !is_break(ch)) {
        write_breaks(e, t, start, end);
        start = end;
      }
    } else if (ch == NO_CHAR || ch == ' ' || is_break(ch) || ch == '\'') {
      if (start < end) {
        write_text(e, t, start, end);
        start = end;
      }
    }
    if (ch == '\'') {
      write_ascii(e, "''");
      start = end + 1;
    }
    if (ch != NO_CHAR) {
      spaces = ch == ' ';
      breaks = is_break(ch);
    }
  }
  write_indicator(e, "'", false, false, false);
}

static const char *escape_of(uint32_t ch) {
  switch (ch) {
  case 0:
    return "\\0";
  case 0x07:
    return "\\a";
  case 0x08:
    return "\\b";
  case 0x09:
    return "\\t";
  case 0x0A:
    return "\\n";
  case 0x0B:
    return "\\v";
  case 0x0C:
    return "\\f";
  case 0x0D:
    return "\\r";
  case 0x1B:
    return "\\e";
  case '"':
    return "\\\"";
  case '\\':
    return "\\\\";
  case 0x85:
    return "\\N";
  case 0xA0:
    return "\\_";
  case 0x2028:
    return "\\L";
  case 0x2029:
    return "\\P";
  default:
    return NULL;
  }
}

static bool needs_escape(uint32_t ch, bool allow_unicode) {
  if (ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xFEFF)
    return true;
  if (ch >= 0x20 && ch <= 0x7E)
    return false;
  return !(allow_unicode && ((ch >= 0xA0 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD)));
}

static void write_double_quoted(emitter *e, const uint32_t *t, size_t n, bool split) {
  bool allow_unicode = e->flags & YAML_EMIT_ALLOW_UNICODE;
  write_indicator(e, "\"", true, false, false);
  size_t start = 0;
  for (size_t end = 0; end <= n; end++) {
    uint32_t ch = end < n ? t[end] : NO_CHAR;
    if (ch == NO_CHAR || needs_escape(ch, allow_unicode)) {
      if (start < end) {
        write_text(e, t, start, end);
        start = end;
      }
      if (ch != NO_CHAR) {
        const char *esc = escape_of(ch);
        char tmp[16];
        if (!esc) {
          snprintf(tmp, sizeof tmp,
                   ch <= 0xFF     ? "\\x%02X"
                   : ch <= 0xFFFF ? "\\u%04X"
                                  : "\\U%08X",
                   (unsigned)ch);
          esc = tmp;
        }
        write_ascii(e, esc);
        start = end + 1;
      }
    }
    if (end > 0 && end + 1 < n && (ch == ' ' || start >= end) &&
        e->column + ((long)end - (long)start) > BEST_WIDTH && split) {
      if (start < end) {
        write_text(e, t, start, end);
        start = end;
      }
      write_ascii(e, "\\");
      write_indent(e);
      e->whitespace = false;
      e->indention = false;
      if (t[start] == ' ')
        write_ascii(e, "\\");
    }
  }
  write_indicator(e, "\"", false, false, false);
}

/* expect_scalar: the scalar's own indentation level, then its text. */
static void emit_scalar(emitter *e, const scalar *s) {
  char style = choose_style(e, s);
  int saved = e->indent;
  e->indent = saved < 0 ? BEST_INDENT : saved + BEST_INDENT;
  bool split = !e->simple_key_context;
  if (style == '"')
    write_double_quoted(e, s->text, s->n, split);
  else if (style == '\'')
    write_single_quoted(e, s->text, s->n, split);
  else
    write_plain(e, s->text, s->n, split);
  e->indent = saved;
}

/* The scalar event the Serializer makes of a value's text. */
static void prepare_scalar(const emitter *e, scalar *s, const char *text, size_t len,
                           bool is_string) {
  s->text = xmalloc((len ? len : 1) * sizeof *s->text);
  s->n = 0;
  for (const char *p = text, *end = text + len; p < end;) {
    uint32_t cp;
    int k = utf8_decode(p, end, &cp);
    p += k ? k : 1;
    s->text[s->n++] = cp;
  }
  if (is_string) {
    s->implicit_plain = resolve_plain(text, len, !(e->flags & YAML_EMIT_DAGSTER)) == RES_STR;
    s->style = (e->flags & YAML_EMIT_DAGSTER) && len && text[0] == '0' ? '\'' : 0;
  } else {
    s->implicit_plain = true;
    s->style = 0;
  }
  s->an = analyze_scalar(s->text, s->n, e->flags & YAML_EMIT_ALLOW_UNICODE);
}

static void set_context(emitter *e, bool root, bool mapping, bool simple_key) {
  e->root_context = root;
  e->mapping_context = mapping;
  e->simple_key_context = simple_key;
}

static void emit_node(emitter *e, const json_t *v, bool root, bool mapping, bool simple_key);

static void emit_text_node(emitter *e, const char *text, size_t len, bool is_string) {
  scalar s;
  prepare_scalar(e, &s, text, len, is_string);
  emit_scalar(e, &s);
  free(s.text);
}

typedef struct entry {
  const char *key;
  size_t len;
  const json_t *value;
} entry;

static int compare_entries(const void *a, const void *b) {
  const entry *x = a, *y = b;
  int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

static void emit_mapping(emitter *e, const json_t *obj) {
  size_t n = json_object_size(obj), i = 0;
  entry *entries = xmalloc(n * sizeof *entries);
  for (void *it = json_object_iter((json_t *)obj); it;
       it = json_object_iter_next((json_t *)obj, it)) {
    entries[i].key = json_object_iter_key(it);
    entries[i].len = json_object_iter_key_len(it);
    entries[i].value = json_object_iter_value(it);
    i++;
  }
  if (e->flags & YAML_EMIT_SORT_KEYS)
    qsort(entries, n, sizeof *entries, compare_entries);
  int saved = e->indent;
  e->indent = saved < 0 ? 0 : saved + BEST_INDENT;
  for (i = 0; i < n; i++) {
    write_indent(e);
    scalar key;
    prepare_scalar(e, &key, entries[i].key, entries[i].len, true);
    /* check_simple_key: the length counts the event's tag too, "!!str" */
    if (key.n + 5 < 128 && !key.an.empty && !key.an.multiline) {
      set_context(e, false, true, true);
      emit_scalar(e, &key);
      write_indicator(e, ":", false, false, false);
    } else {
      write_indicator(e, "?", true, false, true);
      set_context(e, false, true, false);
      emit_scalar(e, &key);
      write_indent(e);
      write_indicator(e, ":", true, false, true);
    }
    free(key.text);
    emit_node(e, entries[i].value, false, true, false);
  }
  e->indent = saved;
  free(entries);
}

static void emit_sequence(emitter *e, const json_t *arr) {
  bool indentless = e->mapping_context && !e->indention;
  int saved = e->indent;
  e->indent = saved < 0 ? 0 : indentless ? saved : saved + BEST_INDENT;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    write_indent(e);
    write_indicator(e, "-", true, false, true);
    emit_node(e, json_array_get(arr, i), false, false, false);
  }
  e->indent = saved;
}

/* expect_node for the events of one value. */
static void emit_node(emitter *e, const json_t *v, bool root, bool mapping, bool simple_key) {
  set_context(e, root, mapping, simple_key);
  char tmp[40];
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    if (json_object_size(v) == 0) {
      write_indicator(e, "{", true, true, false);
      write_indicator(e, "}", false, false, false);
    } else {
      emit_mapping(e, v);
    }
    break;
  case JSON_ARRAY:
    if (json_array_size(v) == 0) {
      write_indicator(e, "[", true, true, false);
      write_indicator(e, "]", false, false, false);
    } else {
      emit_sequence(e, v);
    }
    break;
  case JSON_STRING:
    emit_text_node(e, json_string_value(v), json_string_length(v), true);
    break;
  case JSON_INTEGER:
    snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    emit_text_node(e, tmp, strlen(tmp), false);
    break;
  case JSON_REAL: {
    /* represent_float: repr(), with ".0" put before a bare exponent */
    double d = json_real_value(v);
    if (isnan(d)) {
      strcpy(tmp, ".nan");
    } else if (isinf(d)) {
      strcpy(tmp, d > 0 ? ".inf" : "-.inf");
    } else {
      size_t k = json_format_double(d, tmp);
      char *exp = strchr(tmp, 'e');
      if (exp && !memchr(tmp, '.', k)) {
        memmove(exp + 2, exp, k - (size_t)(exp - tmp) + 1);
        exp[0] = '.';
        exp[1] = '0';
      }
    }
    emit_text_node(e, tmp, strlen(tmp), false);
    break;
  }
  case JSON_TRUE:
    emit_text_node(e, "true", 4, false);
    break;
  case JSON_FALSE:
    emit_text_node(e, "false", 5, false);
    break;
  case JSON_NULL:
    emit_text_node(e, "null", 4, false);
    break;
  }
}

void yaml_emit_json(buf *out, const json_t *v, unsigned flags) {
  emitter e = {.out = out, .flags = flags, .indent = -1, .whitespace = true, .indention = true};
  emit_node(&e, v, true, false, false);
  /* document end, then stream end */
  e.indent = -1;
  write_indent(&e);
  if (e.open_ended) {
    write_indicator(&e, "...", true, false, false);
    write_indent(&e);
  }
}
