/* test_yaml.c — unit tests for src/base/yaml.c: reading (types as PyYAML
 * resolves them, locations, errors, duplicate keys, aliases and merge keys,
 * limits, the JSON conversion) and emitting (byte for byte what PyYAML's
 * yaml.dump writes).
 *
 * The expected texts of yaml_cases/emit.json and the types of
 * yaml_cases/resolve.json were produced by PyYAML (yaml_cases/generate.py,
 * run by hand); these tests read the baked files and need no Python. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/yaml.h"

#define CASES_DIR "tests/unit/base/yaml_cases/"

/* ---- helpers ---- */

static yaml_value *parse(arena *a, const char *text, yaml_error *err) {
  return yaml_parse(a, text, strlen(text), NULL, err);
}

/* Parses text that must be valid. */
static yaml_value *parse_ok(arena *a, const char *text) {
  yaml_error err;
  yaml_value *v = parse(a, text, &err);
  if (!v)
    fail_msg("unexpected error for %s: %d:%d: %s", text, err.line, err.column, err.message);
  return v;
}

/* Parses text that must fail at line:column with a message containing `part`. */
static void assert_parse_error(const char *text, int line, int column, const char *part) {
  arena *a = arena_new(0);
  yaml_error err;
  yaml_value *v = parse(a, text, &err);
  if (v)
    fail_msg("expected an error for %s", text);
  if (err.line != line || err.column != column || !strstr(err.message, part))
    fail_msg("for %s: got %d:%d: %s; expected %d:%d: …%s…", text, err.line, err.column, err.message,
             line, column, part);
  arena_free(a);
}

static json_t *load_cases(const char *name) {
  json_error_t jerr;
  json_t *cases = json_load_file(name, JSON_ALLOW_NUL, &jerr);
  if (!cases)
    fail_msg("%s: %d: %s", name, jerr.line, jerr.text);
  return cases;
}

static unsigned flags_of(const json_t *list) {
  unsigned flags = 0;
  size_t i;
  json_t *f;
  json_array_foreach(list, i, f) {
    const char *s = json_string_value(f);
    if (!strcmp(s, "sort_keys"))
      flags |= YAML_EMIT_SORT_KEYS;
    else if (!strcmp(s, "allow_unicode"))
      flags |= YAML_EMIT_ALLOW_UNICODE;
    else if (!strcmp(s, "dagster"))
      flags |= YAML_EMIT_DAGSTER;
    else
      fail_msg("unknown flag %s", s);
  }
  return flags;
}

static void assert_emits(const json_t *data, unsigned flags, const char *expected) {
  buf b;
  buf_init(&b, NULL);
  yaml_emit_json(&b, data, flags);
  if (strcmp(buf_cstr(&b), expected) != 0) {
    char *j = json_dumps(data, JSON_ENCODE_ANY);
    fail_msg("yaml of %s (flags %u):\n--- got\n%s--- expected\n%s", j, flags, buf_cstr(&b),
             expected);
  }
  buf_free(&b);
}

/* JSON text → YAML text under flags. */
static void assert_emits_json(const char *json_text, unsigned flags, const char *expected) {
  json_error_t jerr;
  json_t *data = json_loads(json_text, JSON_DECODE_ANY, &jerr);
  if (!data)
    fail_msg("bad JSON %s: %s", json_text, jerr.text);
  assert_emits(data, flags, expected);
  json_decref(data);
}

/* ---- reading: types ---- */

static void test_read_scalar_types(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "n1: ~\n"
                              "n2: null\n"
                              "n3:\n"
                              "b1: yes\n"
                              "b2: Off\n"
                              "b3: TRUE\n"
                              "i1: 0x1F\n"
                              "i2: -1_000\n"
                              "i3: 0b101\n"
                              "i4: 017\n"
                              "i5: 1:30\n"
                              "f1: 1.5\n"
                              "f2: -.Inf\n"
                              "f3: .nan\n"
                              "f4: 1.0e+3\n"
                              "s1: 1e3\n"
                              "s2: '1'\n"
                              "s3: \"true\"\n"
                              "s4: 2024-01-01\n"
                              "s5: yEs\n"
                              "s6: 0o17\n");
  assert_int_equal(v->kind, YAML_KIND_MAP);
  assert_int_equal(v->count, 21);
  assert_int_equal(yaml_map_get(v, "n1")->kind, YAML_KIND_NULL);
  assert_int_equal(yaml_map_get(v, "n2")->kind, YAML_KIND_NULL);
  assert_int_equal(yaml_map_get(v, "n3")->kind, YAML_KIND_NULL);
  assert_true(yaml_map_get(v, "b1")->boolean);
  assert_int_equal(yaml_map_get(v, "b2")->kind, YAML_KIND_BOOL);
  assert_false(yaml_map_get(v, "b2")->boolean);
  assert_true(yaml_map_get(v, "b3")->boolean);
  assert_int_equal(yaml_map_get(v, "i1")->integer, 31);
  assert_int_equal(yaml_map_get(v, "i1")->kind, YAML_KIND_INT);
  assert_string_equal(yaml_map_get(v, "i1")->str, "0x1F");
  assert_int_equal(yaml_map_get(v, "i2")->integer, -1000);
  assert_int_equal(yaml_map_get(v, "i3")->integer, 5);
  assert_int_equal(yaml_map_get(v, "i4")->integer, 15);
  assert_int_equal(yaml_map_get(v, "i5")->integer, 90);
  assert_int_equal(yaml_map_get(v, "f1")->kind, YAML_KIND_FLOAT);
  assert_true(yaml_map_get(v, "f1")->number == 1.5);
  assert_true(isinf(yaml_map_get(v, "f2")->number) && yaml_map_get(v, "f2")->number < 0);
  assert_true(isnan(yaml_map_get(v, "f3")->number));
  assert_true(yaml_map_get(v, "f4")->number == 1000.0);
  for (int i = 1; i <= 6; i++) {
    char key[4];
    snprintf(key, sizeof key, "s%d", i);
    assert_int_equal(yaml_map_get(v, key)->kind, YAML_KIND_STR);
  }
  assert_string_equal(yaml_map_get(v, "s4")->str, "2024-01-01");
  assert_null(yaml_map_get(v, "missing"));
  assert_null(yaml_map_get(yaml_map_get(v, "s1"), "x"));
  arena_free(a);
}

/* Every plain scalar of resolve.json gets the type and value PyYAML (with
 * Dagster's loader) gives it. */
static void test_read_resolve_cases(void **state) {
  (void)state;
  json_t *cases = load_cases(CASES_DIR "resolve.json");
  size_t i, failures = 0;
  json_t *c;
  json_array_foreach(cases, i, c) {
    const char *text = json_string_value(json_object_get(c, "text"));
    const char *kind = json_string_value(json_object_get(c, "kind"));
    const json_t *value = json_object_get(c, "value");
    arena *a = arena_new(0);
    yaml_error err;
    yaml_value *v = parse(a, text, &err);
    char got[400];
    if (!v)
      snprintf(got, sizeof got, "error %s", err.message);
    else if (strcmp(yaml_kind_name(v->kind), kind) != 0)
      snprintf(got, sizeof got, "kind %s", yaml_kind_name(v->kind));
    else
      got[0] = '\0';
    if (!strcmp(kind, "error") && !v)
      got[0] = '\0';
    if (!got[0] && v) {
      char repr[40];
      switch (v->kind) {
      case YAML_KIND_BOOL:
        if (v->boolean != json_is_true(value))
          snprintf(got, sizeof got, "bool %d", v->boolean);
        break;
      case YAML_KIND_INT:
        snprintf(repr, sizeof repr, "%" PRId64, v->integer);
        if (strcmp(repr, json_string_value(value)))
          snprintf(got, sizeof got, "int %s", repr);
        break;
      case YAML_KIND_FLOAT:
        json_format_double(v->number, repr);
        if (strcmp(repr, json_string_value(value)))
          snprintf(got, sizeof got, "float %s", repr);
        break;
      case YAML_KIND_STR:
        if (strcmp(v->str, json_string_value(value)))
          snprintf(got, sizeof got, "string %s", v->str);
        break;
      default:
        break;
      }
    }
    if (got[0]) {
      print_message("resolve %s: expected %s, got %s\n", text, kind, got);
      failures++;
    }
    arena_free(a);
  }
  assert_true(json_array_size(cases) > 100);
  json_decref(cases);
  assert_int_equal(failures, 0);
}

static void test_read_explicit_tags(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "- !!str 123\n"
                              "- !!int '12'\n"
                              "- !!float '1'\n"
                              "- !!bool 'on'\n"
                              "- !!null x\n"
                              "- ! 12\n"
                              "- ! '12'\n"
                              "- !!str\n"
                              "- !!seq [1]\n"
                              "- !!map {a: 1}\n");
  assert_int_equal(v->count, 10);
  assert_int_equal(v->items[0]->kind, YAML_KIND_STR);
  assert_string_equal(v->items[0]->str, "123");
  assert_int_equal(v->items[1]->integer, 12);
  assert_true(v->items[2]->kind == YAML_KIND_FLOAT && v->items[2]->number == 1.0);
  assert_true(v->items[3]->kind == YAML_KIND_BOOL && v->items[3]->boolean);
  assert_int_equal(v->items[4]->kind, YAML_KIND_NULL);
  /* the bare "!" resolves as a plain scalar would, quoted or not (PyYAML) */
  assert_int_equal(v->items[5]->kind, YAML_KIND_INT);
  assert_int_equal(v->items[6]->kind, YAML_KIND_INT);
  assert_true(v->items[7]->kind == YAML_KIND_STR && v->items[7]->len == 0);
  assert_int_equal(v->items[8]->kind, YAML_KIND_SEQ);
  assert_int_equal(v->items[9]->kind, YAML_KIND_MAP);
  arena_free(a);

  assert_parse_error("a: !foo x", 1, 4, "could not determine a constructor for the tag '!foo'");
  assert_parse_error("a: !!binary aGVsbG8=", 1, 4, "the tag '!!binary'");
  assert_parse_error("a: !!set {x}", 1, 4, "the tag '!!set'");
  assert_parse_error("a: !!int abc", 1, 4, "'abc' is not an integer for the tag !!int");
  assert_parse_error("a: !!float x1", 1, 4, "not a float");
  assert_parse_error("a: !!bool maybe", 1, 4, "not a bool");
  assert_parse_error("a: !!seq x", 1, 4, "could not determine a constructor");
  assert_parse_error("a: =", 1, 4, "could not determine a constructor for the tag '!!value'");
  assert_parse_error("a: <<", 1, 4, "the tag '!!merge'");
  assert_parse_error("- <<", 1, 3, "the tag '!!merge'");
  assert_parse_error("<<", 1, 1, "the tag '!!merge'");
}

static void test_read_int_range(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "[9223372036854775807, -9223372036854775808, 0x7fffffffffffffff, "
                              "-0x8000000000000000]");
  assert_int_equal(v->items[0]->integer, INT64_MAX);
  assert_int_equal(v->items[1]->integer, INT64_MIN);
  assert_int_equal(v->items[2]->integer, INT64_MAX);
  assert_int_equal(v->items[3]->integer, INT64_MIN);
  arena_free(a);
  assert_parse_error("x: 9223372036854775808", 1, 4, "integer 9223372036854775808 is out of range");
  assert_parse_error("x: -9223372036854775809", 1, 4, "out of range");
  assert_parse_error("[0x10000000000000000]", 1, 2, "out of range");
  assert_parse_error("[1:0:0:0:0:0:0:0:0:0:0:0]", 1, 2, "out of range");
  /* PyYAML raises ValueError for these: the resolver says int, int() disagrees */
  assert_parse_error("x: 0b_", 1, 4, "not an integer");
  assert_parse_error("x: 0x_", 1, 4, "not an integer");
}

/* ---- reading: structure and locations ---- */

static void test_read_locations(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "# comment\n"
                              "load_from:\n"
                              "  - python_file: a.py\n"
                              "    location_name: \"x\"\n"
                              "  - {b: [1, 2]}\n"
                              "caf\xc3\xa9: \xc3\xa9t\xc3\xa9 ok\n");
  assert_int_equal(v->line, 2);
  assert_int_equal(v->column, 1);
  assert_int_equal(v->pairs[0].key->line, 2);
  assert_int_equal(v->pairs[0].key->column, 1);
  const yaml_value *list = yaml_map_get(v, "load_from");
  assert_int_equal(list->kind, YAML_KIND_SEQ);
  assert_int_equal(list->line, 3);
  assert_int_equal(list->column, 3);
  const yaml_value *first = list->items[0];
  assert_int_equal(first->line, 3);
  assert_int_equal(first->column, 5);
  assert_int_equal(first->pairs[1].key->line, 4);
  assert_int_equal(first->pairs[1].key->column, 5);
  assert_int_equal(first->pairs[1].value->line, 4);
  assert_int_equal(first->pairs[1].value->column, 20);
  const yaml_value *b = yaml_map_get(list->items[1], "b");
  assert_int_equal(b->line, 5);
  assert_int_equal(b->column, 9);
  assert_int_equal(b->items[1]->column, 13);
  /* columns count characters, not bytes */
  const yaml_value *cafe = yaml_map_get(v, "caf\xc3\xa9");
  assert_non_null(cafe);
  assert_int_equal(cafe->column, 7);
  assert_string_equal(cafe->str, "\xc3\xa9t\xc3\xa9 ok");
  assert_int_equal(v->nodes, 1 + (1 + 1 + 5 + 5) + 2);
  assert_int_equal(v->height, 4);
  arena_free(a);
}

static void test_read_documents(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "");
  assert_int_equal(v->kind, YAML_KIND_NULL);
  assert_int_equal(v->line, 1);
  yaml_error err;
  v = yaml_parse(a, NULL, 0, NULL, &err);
  assert_non_null(v);
  assert_int_equal(v->kind, YAML_KIND_NULL);
  v = parse_ok(a, "# only a comment\n");
  assert_int_equal(v->kind, YAML_KIND_NULL);
  v = parse_ok(a, "--- 1\n...\n");
  assert_int_equal(v->integer, 1);
  v = parse_ok(a, "---\nplain text\n...\n");
  assert_string_equal(v->str, "plain text");
  v = parse_ok(a, "\xef\xbb\xbf"
                  "a: 1\n"); /* a UTF-8 BOM */
  assert_int_equal(yaml_map_get(v, "a")->integer, 1);
  v = parse_ok(a, "s: \"\\0x\\u00e9\"\n");
  const yaml_value *s = yaml_map_get(v, "s");
  assert_int_equal(s->len, 4);
  assert_memory_equal(s->str, "\0x\xc3\xa9", 4);
  arena_free(a);
  /* PyYAML's yaml.load takes a single document */
  assert_parse_error("---\na\n---\nb\n", 3, 1,
                     "expected a single document in the stream, but found another document");
}

static void test_read_syntax_errors(void **state) {
  (void)state;
  assert_parse_error("a: b: c", 1, 5, "mapping values are not allowed in this context");
  /* libyaml puts the end of a stream without a final newline on a line of
   * its own (PyYAML: line 1, column 6) */
  assert_parse_error("[1, 2", 2, 1,
                     "did not find expected ',' or ']' (while parsing a flow sequence at line 1, "
                     "column 1)");
  assert_parse_error(
      "a:\n  - 1\n - 2\n", 3, 2,
      "did not find expected key (while parsing a block mapping at line 1, column 1)");
  assert_parse_error("\t- x", 1, 1, "found character that cannot start any token");
  assert_parse_error("a: 'x", 1, 6, "found unexpected end of stream");
  assert_parse_error("a: 1\n\x01: 2\n", 2, 1, "control characters are not allowed: #x1");
  assert_parse_error("a: \xff\n", 1, 4, "invalid leading UTF-8 octet: #xFF");
  assert_parse_error(
      "a: b\nc", 3, 1,
      "could not find expected ':' (while scanning a simple key at line 2, column 1)");
}

/* Parses text that must fail because of a NUL byte inside. */
static void test_read_nul_byte(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_error err;
  assert_null(yaml_parse(a, "a: b\0c", 6, NULL, &err));
  assert_int_equal(err.line, 1);
  assert_int_equal(err.column, 5);
  assert_non_null(strstr(err.message, "control characters are not allowed"));
  arena_free(a);
}

static void test_read_duplicate_keys(void **state) {
  (void)state;
  assert_parse_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key 'a' (first at line 1, column 1)");
  assert_parse_error("{x: 1, 'x': 2}", 1, 8, "duplicate key 'x'");
  /* keys equal as Python compares them */
  assert_parse_error("{1: a, 1.0: b}", 1, 8, "duplicate key '1.0'");
  assert_parse_error("{true: a, 1: b}", 1, 11, "duplicate key '1'");
  assert_parse_error("{null: a, ~: b}", 1, 11, "duplicate key '~'");
  assert_parse_error("outer:\n  k: 1\n  k: 2\n", 3, 3,
                     "duplicate key 'k' (first at line 2, column 3)");
  /* different keys */
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "{1: a, '1': b, 1.5: c, false: d, '': f, ~: g, 'null': h}");
  assert_int_equal(v->count, 7);
  assert_int_equal(v->pairs[0].key->kind, YAML_KIND_INT);
  assert_int_equal(v->pairs[1].key->kind, YAML_KIND_STR);
  arena_free(a);
  assert_parse_error("{[1]: 2}", 1, 2, "found unhashable key");
  assert_parse_error("? {a: 1}\n: x\n", 1, 3, "found unhashable key");
}

static void test_read_aliases_and_merge(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "base: &b {x: 1, y: [1, 2]}\n"
                              "copy: *b\n"
                              "list: [&s hello, *s]\n");
  const yaml_value *base = yaml_map_get(v, "base"), *copy = yaml_map_get(v, "copy");
  assert_int_equal(copy->kind, YAML_KIND_MAP);
  assert_ptr_equal(copy->pairs, base->pairs); /* shared, not copied */
  assert_int_equal(copy->line, 2);            /* where the alias is */
  assert_int_equal(copy->column, 7);
  assert_string_equal(yaml_map_get(v, "list")->items[1]->str, "hello");
  /* the alias counts as the nodes it expands to */
  assert_int_equal(v->nodes, 1 + 2 * (1 + 7) + 1 + 3);

  /* merge keys: merged pairs first, a list's first mapping wins, the
   * mapping's own keys win and stay where the merge put them */
  v = parse_ok(a, "- &a {x: 1, y: 1}\n"
                  "- &b {y: 2, z: 2}\n"
                  "- <<: [*a, *b]\n"
                  "  w: 0\n"
                  "  x: 9\n"
                  "- {a: 1, <<: {a: 2, b: 2}}\n"
                  "- {<<: {b: 1}, <<: {c: 1}}\n"
                  "- {<<: {a: 1, <<: {q: 0}}, b: 1}\n");
  const yaml_value *m = v->items[2];
  const char *order[] = {"y", "z", "x", "w"};
  int64_t values[] = {1, 2, 9, 0};
  assert_int_equal(m->count, 4);
  for (size_t i = 0; i < 4; i++) {
    assert_string_equal(m->pairs[i].key->str, order[i]);
    assert_int_equal(m->pairs[i].value->integer, values[i]);
  }
  assert_int_equal(m->pairs[2].key->line, 5); /* the overriding key's place */
  m = v->items[3];
  assert_int_equal(m->count, 2);
  assert_int_equal(yaml_map_get(m, "a")->integer, 1);
  assert_string_equal(m->pairs[0].key->str, "a");
  assert_int_equal(v->items[4]->count, 2);
  m = v->items[5];
  assert_string_equal(m->pairs[0].key->str, "q");
  assert_string_equal(m->pairs[1].key->str, "a");
  assert_string_equal(m->pairs[2].key->str, "b");
  /* a quoted '<<' is an ordinary key */
  v = parse_ok(a, "'<<': {x: 1}\n");
  assert_int_equal(yaml_map_get(v, "<<")->kind, YAML_KIND_MAP);
  arena_free(a);

  assert_parse_error("a: *nope", 1, 4, "found undefined alias 'nope'");
  assert_parse_error("x: &a [1, *a]", 1, 11, "found recursive alias 'a'");
  assert_parse_error("&a a: &a b", 1, 7,
                     "found duplicate anchor 'a'; first occurrence at line 1, column 1");
  assert_parse_error("a: {<<: 1}", 1, 9,
                     "expected a mapping or list of mappings for merging, but found scalar");
  assert_parse_error("a: {<<: [{b: 1}, [1]]}", 1, 18,
                     "expected a mapping for merging, but found sequence");
  assert_parse_error("a: {<<: {b: 1}, b: 2, b: 3}", 1, 23, "duplicate key 'b'");
}

static void test_read_limits(void **state) {
  (void)state;
  /* billion laughs: 9 levels of 9 aliases each expand to 9^9 nodes */
  const char *laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                       "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                       "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
                       "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
  arena *a = arena_new(0);
  yaml_error err;
  assert_null(parse(a, laughs, &err));
  assert_non_null(strstr(err.message, "more than 1000000 nodes once aliases are expanded"));
  assert_int_equal(err.line, 7);
  /* a small budget */
  yaml_limits small = {.max_nodes = 20};
  assert_null(yaml_parse(a, laughs, strlen(laughs), &small, &err));
  assert_int_equal(err.line, 2);
  assert_non_null(strstr(err.message, "more than 20 nodes"));
  assert_non_null(yaml_parse(a, "[1, 2, 3]", 9, &small, &err));

  /* depth, directly and through aliases */
  yaml_limits shallow = {.max_depth = 3};
  assert_non_null(yaml_parse(a, "[[[1]]]", 7, &shallow, &err));
  assert_null(yaml_parse(a, "[[[[1]]]]", 9, &shallow, &err));
  assert_int_equal(err.column, 4);
  assert_non_null(strstr(err.message, "nested more than 3 levels deep"));
  const char *via_alias = "- &x [[1]]\n- [*x]\n";
  assert_null(yaml_parse(a, via_alias, strlen(via_alias), &shallow, &err));
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 4);
  /* the default depth limit stops deep nesting without exhausting the stack */
  size_t deep = 100000;
  char *text = malloc(deep * 2 + 1);
  memset(text, '[', deep);
  memset(text + deep, ']', deep);
  text[deep * 2] = '\0';
  assert_null(parse(a, text, &err));
  assert_non_null(strstr(err.message, "nested more than 256 levels deep"));
  free(text);
  arena_free(a);
}

static void test_to_json(void **state) {
  (void)state;
  arena *a = arena_new(0);
  yaml_value *v = parse_ok(a, "ops:\n"
                              "  b: {config: {n: 0x10, r: 2.5, ok: yes, s: '1', z: ~}}\n"
                              "  a: [1, 1.0, \"x\\0y\"]\n"
                              "alias: &q {k: v}\n"
                              "again: *q\n");
  yaml_error err;
  json_t *j = yaml_to_json(v, &err);
  assert_non_null(j);
  char *text = json_dumps(j, JSON_COMPACT);
  assert_string_equal(text, "{\"ops\":{\"b\":{\"config\":{\"n\":16,\"r\":2.5,\"ok\":true,\"s\":"
                            "\"1\",\"z\":null}},\"a\":[1,1.0,\"x\\u0000y\"]},\"alias\":{\"k\":"
                            "\"v\"},\"again\":{\"k\":\"v\"}}");
  free(text);
  json_decref(j);

  v = parse_ok(a, "a:\n  1: x\n");
  assert_null(yaml_to_json(v, &err));
  assert_int_equal(err.line, 2);
  assert_int_equal(err.column, 3);
  assert_string_equal(err.message, "mapping keys must be strings, found int '1'");
  v = parse_ok(a, "[1, .inf]");
  assert_null(yaml_to_json(v, &err));
  assert_int_equal(err.column, 5);
  assert_string_equal(err.message, "JSON cannot hold .inf or .nan");
  arena_free(a);
}

/* ---- emitting ---- */

static void test_emit_examples(void **state) {
  (void)state;
  /* Dagster's runConfigYaml for a typical run config */
  assert_emits_json("{\"ops\": {\"extract\": {\"config\": {\"url\": \"https://x.io/a.csv\","
                    " \"columns\": [\"a\", \"01\"], \"day\": \"2024-01-01\", \"n\": 3,"
                    " \"on\": \"yes\", \"ratio\": 1e16, \"none\": null}}},"
                    " \"execution\": {\"config\": {}}}",
                    YAML_EMIT_RUN_CONFIG,
                    "execution:\n"
                    "  config: {}\n"
                    "ops:\n"
                    "  extract:\n"
                    "    config:\n"
                    "      columns:\n"
                    "      - a\n"
                    "      - '01'\n"
                    "      day: 2024-01-01\n"
                    "      n: 3\n"
                    "      none: null\n"
                    "      'on': 'yes'\n"
                    "      ratio: 1.0e+16\n"
                    "      url: https://x.io/a.csv\n");
  /* PyYAML's Dumper quotes timestamps; without sort_keys the order is kept */
  assert_emits_json("{\"z\": \"2024-01-01\", \"a\": \"0x\"}", 0, "z: '2024-01-01'\na: 0x\n");
  /* a top-level plain scalar ends the document with "..." */
  assert_emits_json("\"hello\"", YAML_EMIT_RUN_CONFIG, "hello\n...\n");
  assert_emits_json("null", YAML_EMIT_RUN_CONFIG, "null\n...\n");
  assert_emits_json("\"true\"", YAML_EMIT_RUN_CONFIG, "'true'\n");
  assert_emits_json("{}", YAML_EMIT_RUN_CONFIG, "{}\n");
  assert_emits_json("[[], [1, [2]], {\"a\": []}]", YAML_EMIT_RUN_CONFIG,
                    "- []\n- - 1\n  - - 2\n- a: []\n");
  /* non-ASCII without allow_unicode */
  assert_emits_json("\"caf\\u00e9\"", YAML_EMIT_SORT_KEYS, "\"caf\\xE9\"\n");
  assert_emits_json("\"caf\\u00e9\"", YAML_EMIT_RUN_CONFIG, "caf\xc3\xa9\n...\n");
  /* multi-line strings */
  assert_emits_json("{\"s\": \"line one\\nline two\\n\"}", YAML_EMIT_RUN_CONFIG,
                    "s: 'line one\n\n  line two\n\n  '\n");
  assert_emits_json("{\"s\": \"tab\\there \"}", YAML_EMIT_RUN_CONFIG, "s: \"tab\\there \"\n");
}

/* Every case of emit.json, byte for byte. */
static void test_emit_cases(void **state) {
  (void)state;
  json_t *cases = load_cases(CASES_DIR "emit.json");
  size_t i, failures = 0;
  json_t *c;
  buf b;
  buf_init(&b, NULL);
  json_array_foreach(cases, i, c) {
    const json_t *data = json_object_get(c, "data");
    const char *expected = json_string_value(json_object_get(c, "yaml"));
    unsigned flags = flags_of(json_object_get(c, "flags"));
    buf_truncate(&b, 0);
    yaml_emit_json(&b, data, flags);
    if (strcmp(buf_cstr(&b), expected) != 0) {
      if (failures < 10) {
        char *j = json_dumps(data, JSON_ENCODE_ANY);
        print_message("case %zu (flags %u) %s\n--- got\n%s--- expected\n%s", i, flags, j,
                      buf_cstr(&b), expected);
        free(j);
      }
      failures++;
    }
  }
  buf_free(&b);
  assert_true(json_array_size(cases) > 1000);
  json_decref(cases);
  assert_int_equal(failures, 0);
}

/* Whether a string of v holds U+0085 (NEL). */
static bool has_nel(const json_t *v) {
  const char *key;
  json_t *item;
  size_t i;
  switch (json_typeof(v)) {
  case JSON_STRING:
    return strstr(json_string_value(v), "\xc2\x85") != NULL;
  case JSON_ARRAY:
    json_array_foreach(v, i, item) if (has_nel(item)) return true;
    return false;
  case JSON_OBJECT:
    json_object_foreach((json_t *)v, key,
                        item) if (strstr(key, "\xc2\x85") || has_nel(item)) return true;
    return false;
  default:
    return false;
  }
}

/* What the emitter writes, the reader reads back as the same data; except
 * a NEL written raw (allow_unicode) in a quoted scalar, which PyYAML too
 * reads back as a folded line break (' '). */
static void test_emit_read_round_trip(void **state) {
  (void)state;
  json_t *cases = load_cases(CASES_DIR "emit.json");
  size_t i, failures = 0;
  json_t *c;
  buf b;
  buf_init(&b, NULL);
  json_array_foreach(cases, i, c) {
    const json_t *data = json_object_get(c, "data");
    unsigned flags = flags_of(json_object_get(c, "flags"));
    if ((flags & YAML_EMIT_ALLOW_UNICODE) && has_nel(data))
      continue;
    buf_truncate(&b, 0);
    yaml_emit_json(&b, data, flags);
    arena *a = arena_new(0);
    yaml_error err;
    yaml_value *v = yaml_parse(a, b.data, b.len, NULL, &err);
    json_t *back = v ? yaml_to_json(v, &err) : NULL;
    if (!back || !json_equal(back, (json_t *)data)) {
      if (failures < 10)
        print_message("case %zu: %s read back %s\n", i, buf_cstr(&b),
                      back ? "differently" : err.message);
      failures++;
    }
    json_decref(back);
    arena_free(a);
  }
  buf_free(&b);
  json_decref(cases);
  assert_int_equal(failures, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_scalar_types),    cmocka_unit_test(test_read_resolve_cases),
      cmocka_unit_test(test_read_explicit_tags),   cmocka_unit_test(test_read_int_range),
      cmocka_unit_test(test_read_locations),       cmocka_unit_test(test_read_documents),
      cmocka_unit_test(test_read_syntax_errors),   cmocka_unit_test(test_read_nul_byte),
      cmocka_unit_test(test_read_duplicate_keys),  cmocka_unit_test(test_read_aliases_and_merge),
      cmocka_unit_test(test_read_limits),          cmocka_unit_test(test_to_json),
      cmocka_unit_test(test_emit_examples),        cmocka_unit_test(test_emit_cases),
      cmocka_unit_test(test_emit_read_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
