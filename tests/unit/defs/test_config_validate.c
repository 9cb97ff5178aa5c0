/* test_config_validate.c — unit tests for src/defs/config_validate.c and
 * config_defaults.c: every error reason with Dagster's message (texts as
 * dagster/_config/errors.py formats them, Python reprs included), the order
 * errors come in, evaluation paths and their text, the error data GraphQL
 * will need, hostile input (huge arrays, deep values, deep types), and
 * post-processing (defaults filled in, Float coercion, Selector defaults,
 * Permissive extras, aliases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "defs/config.h"

/* ---- Helpers ------------------------------------------------------------ */

static json_t *pool[256];
static size_t n_pool;
static arena *ar;
static defs_config_registry *reg;
static defs_config_errors errs;
static const defs_config_type *INT, *STR, *FLT, *BOOL, *ANY;

static json_t *J(const char *text) {
  json_error_t e;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &e);
  if (!v)
    fail_msg("bad JSON in test: %s: %s", text, e.text);
  assert_true(n_pool < sizeof pool / sizeof pool[0]);
  pool[n_pool++] = v;
  return v;
}

static int setup(void **state) {
  (void)state;
  ar = arena_new(0);
  defs_config_errors_init(&errs, ar);
  reg = defs_config_registry_new();
  INT = defs_config_scalar(DEFS_CONFIG_INT);
  STR = defs_config_scalar(DEFS_CONFIG_STRING);
  FLT = defs_config_scalar(DEFS_CONFIG_FLOAT);
  BOOL = defs_config_scalar(DEFS_CONFIG_BOOL);
  ANY = defs_config_any();
  return 0;
}

static int teardown(void **state) {
  (void)state;
  for (size_t i = 0; i < n_pool; i++)
    json_decref(pool[i]);
  n_pool = 0;
  defs_config_registry_free(reg);
  arena_free(ar);
  return 0;
}

static defs_config_field_spec F(const char *name, const defs_config_type *t) {
  return (defs_config_field_spec){.name = name, .type = t};
}

static defs_config_field_spec F_NO(const char *name, const defs_config_type *t) {
  return (defs_config_field_spec){.name = name, .type = t, .required = DEFS_CONFIG_REQUIRED_NO};
}

static defs_config_field_spec F_DEF(const char *name, const defs_config_type *t,
                                    const char *default_json) {
  return (defs_config_field_spec){.name = name, .type = t, .default_value = J(default_json)};
}

#define SHAPE(...)                                                                                 \
  shape((defs_config_field_spec[]){__VA_ARGS__},                                                   \
        sizeof((defs_config_field_spec[]){__VA_ARGS__}) / sizeof(defs_config_field_spec))
#define SELECTOR(...)                                                                              \
  selector((defs_config_field_spec[]){__VA_ARGS__},                                                \
           sizeof((defs_config_field_spec[]){__VA_ARGS__}) / sizeof(defs_config_field_spec))

static const defs_config_type *shape(const defs_config_field_spec *f, size_t n) {
  buf err;
  buf_init(&err, NULL);
  const defs_config_type *t = defs_config_shape(reg, f, n, NULL, NULL, 0, &err);
  if (!t)
    fail_msg("shape: %s", buf_cstr(&err));
  buf_free(&err);
  return t;
}

static const defs_config_type *selector(const defs_config_field_spec *f, size_t n) {
  const defs_config_type *t = defs_config_selector(reg, f, n, NULL, NULL);
  assert_non_null(t);
  return t;
}

static const defs_config_type *color(void) {
  return defs_config_enum(reg, "Color",
                          (defs_config_enum_value[]){{"RED", NULL}, {"GREEN", "grass"}}, 2, NULL);
}

/* Validates and returns the number of errors (fresh list each time). */
static size_t check(const defs_config_type *t, const json_t *v) {
  defs_config_errors_init(&errs, ar);
  return defs_config_validate(t, v, &errs);
}

/* Asserts exactly one error with this reason and message. */
static const defs_config_error *one(const defs_config_type *t, const json_t *v,
                                    defs_config_error_reason reason, const char *message) {
  size_t n = check(t, v);
  if (n != 1) {
    for (size_t i = 0; i < errs.count; i++)
      print_message("error %zu: %s\n", i, errs.items[i].message);
    fail_msg("expected one error, got %zu", n);
  }
  assert_string_equal(defs_config_error_reason_name(errs.items[0].reason),
                      defs_config_error_reason_name(reason));
  assert_string_equal(errs.items[0].message, message);
  return &errs.items[0];
}

static void valid(const defs_config_type *t, const json_t *v) {
  size_t n = check(t, v);
  if (n)
    fail_msg("unexpected error: %s", errs.items[0].message);
}

static char *dumps(json_t *v) {
  static char text[4096];
  buf b;
  buf_init(&b, NULL);
  defs_config_json_dumps(v, &b);
  snprintf(text, sizeof text, "%s", buf_cstr(&b));
  buf_free(&b);
  json_decref(v);
  return text;
}

/* ---- Scalars, None, Any, Noneable --------------------------------------- */

static void test_scalars(void **state) {
  (void)state;
  valid(INT, J("3"));
  valid(INT, J("-9223372036854775807"));
  valid(STR, J("\"\""));
  valid(BOOL, J("false"));
  /* Python's isinstance(v, (int, float)): ints and bools are floats too. */
  valid(FLT, J("1"));
  valid(FLT, J("2.5"));
  valid(FLT, J("true"));

  const json_t *three = J("\"3\"");
  const defs_config_error *e = one(INT, three, DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
                                   "Invalid scalar at the root. Value \"3\" of type \"<class "
                                   "'str'>\" is not valid for expected type \"Int\".");
  assert_ptr_equal(e->value, three);
  assert_string_equal(e->value_rep, "'3'");
  assert_ptr_equal(e->type, INT);
  assert_int_equal(e->path_len, 0);
  assert_string_equal(e->path_text, "");
  /* Int is not bool, and not float. */
  one(INT, J("true"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at the root. Value \"True\" of type \"<class 'bool'>\" is not valid for "
      "expected type \"Int\".");
  one(INT, J("1.5"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at the root. Value \"1.5\" of type \"<class 'float'>\" is not valid for "
      "expected type \"Int\".");
  e = one(STR, J("{\"a\": 1, \"b\": [\"x\"]}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
          "Invalid scalar at the root. Value \"{'a': 1, 'b': ['x']}\" of type \"<class 'dict'>\" "
          "is not valid for expected type \"String\".");
  assert_string_equal(e->value_rep, "{'a': 1, 'b': ['x']}");
  one(BOOL, J("1"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at the root. Value \"1\" of type \"<class 'int'>\" is not valid for "
      "expected type \"Bool\".");
  one(FLT, J("[1.0]"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at the root. Value \"[1.0]\" of type \"<class 'list'>\" is not valid for "
      "expected type \"Float\".");
  /* str() of a string with quotes is the string itself; repr quotes it. */
  e = one(INT, J("\"it's\""), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
          "Invalid scalar at the root. Value \"it's\" of type \"<class 'str'>\" is not valid for "
          "expected type \"Int\".");
  assert_string_equal(e->value_rep, "\"it's\"");
}

static void test_none_any_noneable(void **state) {
  (void)state;
  const defs_config_error *e = one(INT, J("null"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
                                   "Value at the root must not be None. Expected \"Int\"");
  assert_string_equal(e->value_rep, "None");
  assert_true(json_is_null(e->value));
  /* NULL is None as well. */
  one(STR, NULL, DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at the root must not be None. Expected \"String\"");
  const defs_config_type *inner = SHAPE(F("b", INT));
  one(SHAPE(F("a", inner)), J("{\"a\": null}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at path root:a must not be None. Expected \"{ b: Int }\"");

  valid(ANY, J("null"));
  valid(ANY, NULL);
  valid(ANY, J("{\"anything\": [1, {\"goes\": null}]}"));
  const defs_config_type *n = defs_config_noneable(reg, INT, NULL);
  valid(n, J("null"));
  valid(n, NULL);
  valid(n, J("4"));
  /* The inner type speaks for a Noneable's non-None values. */
  one(n, J("\"x\""), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at the root. Value \"x\" of type \"<class 'str'>\" is not valid for "
      "expected type \"Int\".");
  const defs_config_type *arr =
      defs_config_array(reg, defs_config_noneable(reg, inner, NULL), NULL);
  one(arr, J("[null, 5]"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at path root[1] must be dict. Expected: \"{ b: Int }\".");
}

/* ---- Shapes ------------------------------------------------------------- */

static void test_missing_fields(void **state) {
  (void)state;
  const defs_config_type *t = SHAPE(F("a", INT), F_DEF("b", STR, "\"x\""));
  const defs_config_error *e =
      one(t, J("{}"), DEFS_CONFIG_MISSING_REQUIRED_FIELD,
          "Missing required config entry \"a\" at the root. Sample config for missing entry: "
          "{'a': 0}");
  assert_int_equal(e->n_names, 1);
  assert_string_equal(e->names[0], "a");
  assert_ptr_equal(e->fields[0], &t->fields[0]);
  assert_ptr_equal(e->type, t);

  /* Several: sorted, with the sample config Dagster builds for each type. */
  const defs_config_type *sub = SHAPE(F("c", STR), F_NO("d", INT));
  const defs_config_type *sel = SELECTOR(F("x", INT), F("y", INT));
  const defs_config_type *su = defs_config_scalar_union(reg, INT, sel, NULL);
  const defs_config_field_spec n_yes = {.name = "n",
                                        .type = defs_config_noneable(reg, INT, NULL),
                                        .required = DEFS_CONFIG_REQUIRED_YES};
  const defs_config_type *big =
      SHAPE(F("u", su), F("s", sel), F("b", sub), F("a", INT), F("any", ANY), F("e", color()),
            F("f", FLT), F("g", BOOL), F("h", defs_config_array(reg, INT, NULL)),
            F("m", defs_config_map(reg, STR, INT, NULL, NULL)), n_yes, F_NO("opt", INT));
  e = one(big, J("{\"opt\": 1}"), DEFS_CONFIG_MISSING_REQUIRED_FIELDS,
          "Missing required config entries ['a', 'any', 'b', 'e', 'f', 'g', 'h', 'm', 'n', 's', "
          "'u'] at the root. Sample config for missing entries: {'a': 0, 'any': 'AnyType', 'b': "
          "{'c': '...'}, 'e': 'RED', 'f': 0.0, 'g': True, 'h': [], 'm': {}, 'n': '<unknown>', "
          "'s': '<selector>', 'u': 0}");
  assert_int_equal(e->n_names, 11);
  assert_string_equal(e->names[0], "a");
  assert_string_equal(e->names[10], "u");
  assert_string_equal(e->fields[2]->name, "b");
}

static void test_unexpected_fields(void **state) {
  (void)state;
  const defs_config_type *t = SHAPE(F("a", INT), F_NO("b", STR));
  const defs_config_error *e =
      one(t, J("{\"a\": 1, \"zz\": 2}"), DEFS_CONFIG_FIELD_NOT_DEFINED,
          "Received unexpected config entry \"zz\" at the root. Expected: \"{ a: Int b?: String "
          "}\".");
  assert_int_equal(e->n_names, 1);
  assert_string_equal(e->names[0], "zz");
  e = one(t, J("{\"a\": 1, \"zz\": 2, \"yy\": 3}"), DEFS_CONFIG_FIELDS_NOT_DEFINED,
          "Received unexpected config entries \"['yy', 'zz']\" at the root. Expected: \"['a', "
          "'b'].\"");
  assert_int_equal(e->n_names, 2);
  assert_string_equal(e->names[0], "yy");
  assert_string_equal(e->names[1], "zz");
  e = one(t, J("[1]"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
          "Value at the root must be dict. Expected: \"{ a: Int b?: String }\".");
  assert_string_equal(e->value_rep, "[1]");
  /* A Permissive lets unknown keys through but still wants its fields. */
  const defs_config_type *p =
      defs_config_permissive(reg, (defs_config_field_spec[]){F("a", INT)}, 1, NULL, NULL);
  valid(p, J("{\"a\": 1, \"extra\": {\"x\": [1]}}"));
  one(p, J("{\"extra\": 1}"), DEFS_CONFIG_MISSING_REQUIRED_FIELD,
      "Missing required config entry \"a\" at the root. Sample config for missing entry: {'a': 0}");
  one(p, J("{\"a\": \"1\"}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at path root:a. Value \"1\" of type \"<class 'str'>\" is not valid for "
      "expected type \"Int\".");
  const defs_config_type *bare = defs_config_permissive(reg, NULL, 0, NULL, NULL);
  valid(bare, J("{\"whatever\": 1}"));
  one(bare, J("3"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at the root must be dict. Expected: \"{ }\".");
}

/* Unknown keys first, then missing fields, then each field by name. */
static void test_error_order_and_collection(void **state) {
  (void)state;
  const defs_config_type *t = SHAPE(F("c", STR), F("b", INT), F("a", INT));
  assert_int_equal(check(t, J("{\"x\": 1, \"c\": 5, \"b\": \"no\"}")), 4);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_FIELD_NOT_DEFINED);
  assert_int_equal(errs.items[1].reason, DEFS_CONFIG_MISSING_REQUIRED_FIELD);
  assert_string_equal(errs.items[2].path_text, "root:b");
  assert_string_equal(errs.items[3].path_text, "root:c");
  assert_string_equal(errs.items[3].message,
                      "Invalid scalar at path root:c. Value \"5\" of type \"<class 'int'>\" is not "
                      "valid for expected type \"String\".");
  /* The errors list keeps growing across validations until re-initialised. */
  assert_int_equal(defs_config_validate(t, J("{}"), &errs), 1);
  assert_int_equal(errs.count, 5);
}

static void test_paths(void **state) {
  (void)state;
  const defs_config_type *cfg = SHAPE(F("items", defs_config_array(reg, INT, NULL)),
                                      F("m", defs_config_map(reg, STR, INT, NULL, NULL)));
  const defs_config_type *root = SHAPE(F("ops", SHAPE(F("foo", SHAPE(F("config", cfg))))));
  assert_int_equal(
      check(root, J("{\"ops\": {\"foo\": {\"config\": {\"items\": [1, \"two\"], \"m\": {\"k\": "
                    "\"v\", \"it's\": 1.5}}}}}")),
      3);
  const defs_config_error *e = &errs.items[0];
  assert_string_equal(e->message,
                      "Invalid scalar at path root:ops:foo:config:items[1]. Value \"two\" of type "
                      "\"<class 'str'>\" is not valid for expected type \"Int\".");
  assert_string_equal(e->path_text, "root:ops:foo:config:items[1]");
  assert_int_equal(e->path_len, 5);
  assert_int_equal(e->path[0].kind, DEFS_CONFIG_PATH_FIELD);
  assert_string_equal(e->path[0].name, "ops");
  assert_string_equal(e->path[3].name, "items");
  assert_int_equal(e->path[4].kind, DEFS_CONFIG_PATH_INDEX);
  assert_int_equal(e->path[4].index, 1);
  e = &errs.items[1];
  assert_string_equal(e->message,
                      "Invalid scalar at path root:ops:foo:config:m:'k':value. Value \"v\" of type "
                      "\"<class 'str'>\" is not valid for expected type \"Int\".");
  assert_int_equal(e->path[4].kind, DEFS_CONFIG_PATH_MAP_VALUE);
  assert_string_equal(e->path[4].name, "k");
  /* Map keys print as Python reprs. */
  assert_string_equal(errs.items[2].path_text, "root:ops:foo:config:m:\"it's\":value");
}

/* ---- Selectors ---------------------------------------------------------- */

static void test_selectors(void **state) {
  (void)state;
  const defs_config_type *t = SELECTOR(F("y", INT), F("x", SHAPE(F("p", INT))));
  valid(t, J("{\"y\": 1}"));
  valid(t, J("{\"x\": {\"p\": 1}}"));
  const defs_config_error *e =
      one(t, J("{}"), DEFS_CONFIG_SELECTOR_FIELD_ERROR,
          "Must specify a field at the root if more than one field is defined. Defined fields: "
          "['x', 'y']");
  assert_int_equal(e->n_names, 0);
  e = one(t, J("{\"y\": 2, \"x\": {\"p\": 1}}"), DEFS_CONFIG_SELECTOR_FIELD_ERROR,
          "You can only specify a single field at the root. You specified ['x', 'y']. The "
          "available fields are ['x', 'y']");
  assert_int_equal(e->n_names, 2);
  assert_string_equal(e->names[0], "x");
  e = one(t, J("{\"z\": 1}"), DEFS_CONFIG_FIELD_NOT_DEFINED,
          "Received unexpected config entry \"z\" at the root. Expected: \"{ x: { p: Int } y: Int "
          "}\".");
  assert_string_equal(e->names[0], "z");
  e = one(t, J("5"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
          "Value for selector type at the root must be a dict");
  assert_string_equal(e->value_rep, "5");
  one(t, J("null"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at the root must not be None. Expected \"{ x: { p: Int } y: Int }\"");
  /* A field selected without a value stands for {} when its type has fields. */
  one(t, J("{\"x\": null}"), DEFS_CONFIG_MISSING_REQUIRED_FIELD,
      "Missing required config entry \"p\" at path root:x. Sample config for missing entry: "
      "{'p': 0}");
  one(t, J("{\"y\": null}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at path root:y must not be None. Expected \"Int\"");
  one(t, J("{\"y\": \"1\"}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at path root:y. Value \"1\" of type \"<class 'str'>\" is not valid for "
      "expected type \"Int\".");

  one(SELECTOR(F("only", INT)), J("{}"), DEFS_CONFIG_SELECTOR_FIELD_ERROR,
      "Must specify the required field at the root. Defined fields: ['only']");
  const defs_config_type *opt = SELECTOR(F("only", SHAPE(F_NO("d", INT))));
  valid(opt, J("{}"));
  valid(opt, J("{\"only\": null}"));
  /* Nested, the path says where. */
  one(SHAPE(F("storage", t)), J("{\"storage\": {}}"), DEFS_CONFIG_SELECTOR_FIELD_ERROR,
      "Must specify a field at path root:storage if more than one field is defined. Defined "
      "fields: ['x', 'y']");
}

/* ---- Maps, arrays, enums, scalar unions --------------------------------- */

static void test_maps(void **state) {
  (void)state;
  const defs_config_type *m = defs_config_map(reg, STR, INT, NULL, NULL);
  valid(m, J("{}"));
  valid(m, J("{\"a\": 1, \"b\": 2}"));
  const defs_config_error *e =
      one(m, J("[]"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
          "Value at the root must be dict. Expected: \"{ [String]: Int }\"");
  assert_string_equal(e->value_rep, "[]");
  one(defs_config_map(reg, STR, INT, "name", NULL), J("1"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at the root must be dict. Expected: \"{ [name: String]: Int }\"");
  /* JSON keys are strings: a map keyed by Int rejects every key (as Dagster
   * does for JSON run config), keys first, then values. */
  const defs_config_type *im = defs_config_map(reg, INT, STR, NULL, NULL);
  assert_int_equal(check(im, J("{\"1\": \"a\", \"b\": 2}")), 3);
  e = &errs.items[0];
  assert_string_equal(e->message,
                      "Invalid scalar at path root:'1':key. Value \"1\" of type \"<class 'str'>\" "
                      "is not valid for expected type \"Int\".");
  assert_int_equal(e->path[0].kind, DEFS_CONFIG_PATH_MAP_KEY);
  assert_string_equal(e->path[0].name, "1");
  assert_null(e->value);
  assert_string_equal(e->value_rep, "'1'");
  assert_string_equal(errs.items[1].path_text, "root:'b':key");
  assert_string_equal(
      errs.items[2].message,
      "Invalid scalar at path root:'b':value. Value \"2\" of type \"<class 'int'>\" "
      "is not valid for expected type \"String\".");
}

static void test_arrays(void **state) {
  (void)state;
  const defs_config_type *a = defs_config_array(reg, INT, NULL);
  valid(a, J("[]"));
  valid(a, J("[1, 2, 3]"));
  one(a, J("{\"a\": 1}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at the root must be list. Expected: \"[Int]\"");
  one(a, J("[1, null]"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at path root[1] must not be None. Expected \"Int\"");
  valid(defs_config_array(reg, defs_config_noneable(reg, INT, NULL), NULL), J("[1, null]"));
  const defs_config_type *rows = defs_config_array(reg, SHAPE(F("id", INT)), NULL);
  assert_int_equal(check(rows, J("[{\"id\": 1}, {}, {\"id\": \"x\"}]")), 2);
  assert_string_equal(errs.items[0].message,
                      "Missing required config entry \"id\" at path root[1]. Sample config for "
                      "missing entry: {'id': 0}");
  assert_string_equal(errs.items[1].path_text, "root[2]:id");
  one(defs_config_array(reg, defs_config_array(reg, STR, NULL), NULL), J("[[\"a\"], \"b\"]"),
      DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at path root[1] must be list. Expected: \"[String]\"");
}

static void test_enums(void **state) {
  (void)state;
  const defs_config_type *c = color();
  valid(c, J("\"GREEN\""));
  const defs_config_error *e = one(c, J("3"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
                                   "Value at the root for enum type Color must be a string");
  assert_string_equal(e->value_rep, "3");
  e = one(SHAPE(F("c", c)), J("{\"c\": \"PURPLE\"}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
          "Value at path root:c not in enum type Color got PURPLE");
  assert_string_equal(e->value_rep, "'PURPLE'");
  assert_ptr_equal(e->type, c);
}

static void test_scalar_unions(void **state) {
  (void)state;
  const defs_config_type *path = SHAPE(F("path", STR));
  const defs_config_type *su =
      defs_config_scalar_union(reg, INT, SELECTOR(F("json", path), F("value", INT)), NULL);
  valid(su, J("5"));
  valid(su, J("{\"value\": 5}"));
  valid(su, J("{\"json\": {\"path\": \"/tmp/x\"}}"));
  one(su, J("{\"json\": {}}"), DEFS_CONFIG_MISSING_REQUIRED_FIELD,
      "Missing required config entry \"path\" at path root:json. Sample config for missing entry: "
      "{'path': '...'}");
  one(su, J("\"x\""), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at the root. Value \"x\" of type \"<class 'str'>\" is not valid for expected "
      "type \"Int\".");
  one(su, J("[1]"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value for selector type at the root must be a dict");
  one(su, J("null"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Value at the root must not be None. Expected \"(Int | { json: { path: String } value: Int "
      "})\"");
}

static void test_aliases(void **state) {
  (void)state;
  const defs_config_type *ops_t = SHAPE(F("a", INT));
  const defs_config_alias alias[] = {{"ops", "solids"}};
  const defs_config_type *root =
      defs_config_shape(reg, (defs_config_field_spec[]){F("ops", ops_t), F_NO("other", INT)}, 2,
                        NULL, alias, 1, NULL);
  valid(root, J("{\"ops\": {\"a\": 1}}"));
  valid(root, J("{\"solids\": {\"a\": 1}}"));
  one(root, J("{}"), DEFS_CONFIG_MISSING_REQUIRED_FIELD,
      "Missing required config entry \"ops\" at the root. Sample config for missing entry: "
      "{'ops': {'a': 0}}");
  const defs_config_error *e = one(
      root, J("{\"ops\": {\"a\": 1}, \"solids\": {\"a\": 1}}"), DEFS_CONFIG_FIELD_ALIAS_COLLISION,
      "Received both field 'ops' and field 'solids' in config. Please use one or the other.");
  assert_string_equal(e->path_text, "root:ops");
  assert_int_equal(e->n_names, 2);
  assert_string_equal(e->names[1], "solids");
  /* The aliased value's errors are reported at the field's own name. */
  one(root, J("{\"solids\": {\"a\": \"x\"}}"), DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
      "Invalid scalar at path root:ops:a. Value \"x\" of type \"<class 'str'>\" is not valid for "
      "expected type \"Int\".");
  one(root, J("{\"ops\": {\"a\": 1}, \"solid\": 1}"), DEFS_CONFIG_FIELD_NOT_DEFINED,
      "Received unexpected config entry \"solid\" at the root. Expected: \"{ ops: { a: Int } "
      "other?: Int }\".");
}

static void test_reason_names(void **state) {
  (void)state;
  assert_string_equal(defs_config_error_reason_name(DEFS_CONFIG_RUNTIME_TYPE_MISMATCH),
                      "RUNTIME_TYPE_MISMATCH");
  assert_string_equal(defs_config_error_reason_name(DEFS_CONFIG_MISSING_REQUIRED_FIELDS),
                      "MISSING_REQUIRED_FIELDS");
  assert_string_equal(defs_config_error_reason_name(DEFS_CONFIG_FIELDS_NOT_DEFINED),
                      "FIELDS_NOT_DEFINED");
  assert_string_equal(defs_config_error_reason_name(DEFS_CONFIG_SELECTOR_FIELD_ERROR),
                      "SELECTOR_FIELD_ERROR");
  assert_string_equal(defs_config_error_reason_name(DEFS_CONFIG_FAILED_POST_PROCESSING),
                      "FAILED_POST_PROCESSING");
  assert_string_equal(defs_config_error_reason_name(DEFS_CONFIG_FIELD_ALIAS_COLLISION),
                      "FIELD_ALIAS_COLLISION");
}

/* ---- Hostile input ------------------------------------------------------ */

static void test_huge_array_caps_errors(void **state) {
  (void)state;
  json_t *big = json_array();
  for (int i = 0; i < 200000; i++)
    json_array_append_new(big, json_string("x"));
  const defs_config_type *a = defs_config_array(reg, INT, NULL);
  size_t n = check(a, big);
  assert_true(n >= DEFS_CONFIG_MAX_ERRORS && n < DEFS_CONFIG_MAX_ERRORS + 10);
  assert_string_equal(errs.items[999].path_text, "root[999]");
  /* A huge valid array is simply valid. */
  json_t *ok = json_array();
  for (int i = 0; i < 200000; i++)
    json_array_append_new(ok, json_integer(i));
  valid(a, ok);
  json_t *resolved = defs_config_resolve(defs_config_array(reg, FLT, NULL), ok, true);
  assert_int_equal(json_array_size(resolved), 200000);
  assert_true(json_is_real(json_array_get(resolved, 199999)));
  json_decref(resolved);
  json_decref(ok);
  json_decref(big);
}

static void test_deep_values_and_types(void **state) {
  (void)state;
  /* A deep value under a shallow type: Any takes it whole, a scalar reports
   * it with a repr cut short at a sane depth. */
  json_t *deep = json_array();
  json_t *cur = deep;
  for (int i = 0; i < 6000; i++) {
    json_t *next = json_array();
    json_array_append_new(cur, next);
    cur = next;
  }
  valid(ANY, deep);
  assert_int_equal(check(INT, deep), 1);
  assert_non_null(strstr(errs.items[0].value_rep, "..."));
  json_t *copy = defs_config_resolve(ANY, deep, true);
  assert_true(json_equal(copy, deep));
  json_decref(copy);
  json_decref(deep);

  /* The deepest type there may be: the path has one entry per level. */
  const defs_config_type *t = INT;
  for (int i = 1; i < DEFS_CONFIG_MAX_DEPTH; i++)
    t = SHAPE(F("a", t));
  json_t *v = json_string("leaf");
  for (int i = 1; i < DEFS_CONFIG_MAX_DEPTH; i++)
    v = json_pack("{s:o}", "a", v);
  assert_int_equal(check(t, v), 1);
  assert_int_equal(errs.items[0].path_len, DEFS_CONFIG_MAX_DEPTH - 1);
  assert_int_equal(strlen(errs.items[0].path_text),
                   strlen("root") + 2 * (DEFS_CONFIG_MAX_DEPTH - 1));
  json_decref(v);
  /* Missing everything at the top: the sample config is the whole chain. */
  assert_int_equal(check(t, J("{}")), 1);
  assert_non_null(strstr(errs.items[0].message, "{'a': {'a': {'a':"));
}

/* ---- Post-processing ---------------------------------------------------- */

static void test_defaults_filled(void **state) {
  (void)state;
  const defs_config_type *inner = SHAPE(F_DEF("retries", INT, "3"), F_NO("label", STR));
  const defs_config_type *t =
      SHAPE(F("name", STR), F_DEF("ratio", FLT, "1"), F("inner", inner), F_NO("absent", inner),
            F("maybe", defs_config_noneable(reg, INT, NULL)));
  /* Defaults in definition order, nested defaults too; optional fields
   * without one stay out; Floats become floats. */
  assert_string_equal(
      dumps(defs_config_process(t, J("{\"name\": \"n\"}"), &errs)),
      "{\"name\": \"n\", \"ratio\": 1.0, \"inner\": {\"retries\": 3}, \"maybe\": null}");
  assert_string_equal(
      dumps(defs_config_process(t,
                                J("{\"maybe\": 2, \"inner\": {\"label\": \"l\"}, \"name\": "
                                  "\"n\", \"ratio\": 2}"),
                                &errs)),
      "{\"name\": \"n\", \"ratio\": 2.0, \"inner\": {\"retries\": 3, \"label\": \"l\"}, \"maybe\": "
      "2}");
  /* Without post-processing (Dagster's resolve_defaults) ints stay ints. */
  assert_string_equal(
      dumps(defs_config_resolve(t, J("{\"name\": \"n\"}"), false)),
      "{\"name\": \"n\", \"ratio\": 1, \"inner\": {\"retries\": 3}, \"maybe\": null}");
  /* Python's float(True). */
  assert_string_equal(dumps(defs_config_resolve(FLT, J("true"), true)), "1.0");
  assert_string_equal(dumps(defs_config_resolve(FLT, J("2.5"), true)), "2.5");
  /* Invalid config gives NULL and the errors. */
  defs_config_errors_init(&errs, ar);
  assert_null(defs_config_process(t, J("{}"), &errs));
  assert_int_equal(errs.count, 1);
}

static void test_selector_and_permissive_defaults(void **state) {
  (void)state;
  const defs_config_type *fs = SHAPE(F_DEF("base_dir", STR, "\"/tmp\""));
  const defs_config_type *storage = SELECTOR(F("filesystem", fs));
  /* Given nothing, the only field is chosen with its defaults. */
  assert_string_equal(dumps(defs_config_resolve(storage, J("{}"), true)),
                      "{\"filesystem\": {\"base_dir\": \"/tmp\"}}");
  assert_string_equal(dumps(defs_config_resolve(storage, J("{\"filesystem\": null}"), true)),
                      "{\"filesystem\": {\"base_dir\": \"/tmp\"}}");
  assert_string_equal(
      dumps(defs_config_resolve(storage, J("{\"filesystem\": {\"base_dir\": \"/x\"}}"), true)),
      "{\"filesystem\": {\"base_dir\": \"/x\"}}");
  /* A Selector field of a Shape: its implied default is resolved. */
  const defs_config_type *root = SHAPE(F("storage", storage));
  assert_false(root->fields[0].is_required);
  assert_string_equal(root->fields[0].default_json, "{\"filesystem\": {\"base_dir\": \"/tmp\"}}");
  assert_string_equal(dumps(defs_config_process(root, J("{}"), &errs)),
                      "{\"storage\": {\"filesystem\": {\"base_dir\": \"/tmp\"}}}");
  /* An explicit default on a selector's field is what an empty dict takes. */
  const defs_config_type *one_int = SELECTOR(F_DEF("n", INT, "7"));
  assert_string_equal(dumps(defs_config_resolve(one_int, J("{}"), true)), "{\"n\": 7}");
  /* Several fields: the chosen one is processed. */
  const defs_config_type *two = SELECTOR(F("a", fs), F("b", INT));
  assert_string_equal(dumps(defs_config_resolve(two, J("{\"a\": {}}"), true)),
                      "{\"a\": {\"base_dir\": \"/tmp\"}}");

  /* Permissive keeps unknown keys, after its own fields. */
  const defs_config_type *p = defs_config_permissive(
      reg, (defs_config_field_spec[]){F_DEF("known", FLT, "0")}, 1, NULL, NULL);
  assert_string_equal(
      dumps(defs_config_process(p, J("{\"extra\": {\"x\": [1]}, \"more\": 2}"), &errs)),
      "{\"known\": 0.0, \"extra\": {\"x\": [1]}, \"more\": 2}");
}

static void test_containers_and_aliases_resolve(void **state) {
  (void)state;
  const defs_config_type *item = SHAPE(F("id", INT), F_DEF("weight", FLT, "1"));
  assert_string_equal(
      dumps(defs_config_resolve(defs_config_array(reg, item, NULL),
                                J("[{\"id\": 1}, {\"id\": 2, \"weight\": 3}]"), true)),
      "[{\"id\": 1, \"weight\": 1.0}, {\"id\": 2, \"weight\": 3.0}]");
  assert_string_equal(dumps(defs_config_resolve(defs_config_array(reg, item, NULL), NULL, true)),
                      "[]");
  assert_string_equal(dumps(defs_config_resolve(defs_config_map(reg, STR, item, NULL, NULL),
                                                J("{\"k\": {\"id\": 1}}"), true)),
                      "{\"k\": {\"id\": 1, \"weight\": 1.0}}");
  const defs_config_type *su =
      defs_config_scalar_union(reg, STR, SELECTOR(F("value", STR), F("env", STR)), NULL);
  assert_string_equal(dumps(defs_config_resolve(su, J("\"v\""), true)), "\"v\"");
  assert_string_equal(dumps(defs_config_resolve(su, J("{\"env\": \"HOME\"}"), true)),
                      "{\"env\": \"HOME\"}");
  assert_string_equal(dumps(defs_config_resolve(color(), J("\"RED\""), true)), "\"RED\"");
  assert_string_equal(dumps(defs_config_resolve(ANY, NULL, true)), "null");

  const defs_config_alias alias[] = {{"ops", "solids"}};
  const defs_config_type *root =
      defs_config_shape(reg, (defs_config_field_spec[]){F("ops", SHAPE(F_DEF("x", FLT, "2")))}, 1,
                        NULL, alias, 1, NULL);
  /* An alias is stored under its field's name. */
  assert_string_equal(dumps(defs_config_process(root, J("{\"solids\": {}}"), &errs)),
                      "{\"ops\": {\"x\": 2.0}}");
  /* The input is left as it was. */
  json_t *in = J("{\"ops\": {}}");
  json_decref(defs_config_resolve(root, in, true));
  assert_int_equal(json_object_size(json_object_get(in, "ops")), 0);
}

int main(void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
      T(test_scalars),
      T(test_none_any_noneable),
      T(test_missing_fields),
      T(test_unexpected_fields),
      T(test_error_order_and_collection),
      T(test_paths),
      T(test_selectors),
      T(test_maps),
      T(test_arrays),
      T(test_enums),
      T(test_scalar_unions),
      T(test_aliases),
      T(test_reason_names),
      T(test_huge_array_caps_errors),
      T(test_deep_values_and_types),
      T(test_defaults_filled),
      T(test_selector_and_permissive_defaults),
      T(test_containers_and_aliases_resolve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
