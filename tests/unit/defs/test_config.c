/* test_config.c — unit tests for src/defs/config.c: the built-ins, the
 * constructors and their errors, type keys (golden keys taken from Dagster's
 * own snapshot tests, among them the whole run config schema of a one-op
 * job), field requiredness and implied defaults, memoization, the type
 * printer of Dagster's messages, reachable types, and the Python texts
 * (repr, str, json.dumps) with expectations produced by CPython 3. */
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

/* JSON values made by J() live until the test's teardown. */
static json_t *pool[256];
static size_t n_pool;

static json_t *J(const char *text) {
  json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
  assert_non_null(v);
  assert_true(n_pool < sizeof pool / sizeof pool[0]);
  pool[n_pool++] = v;
  return v;
}

static int teardown_pool(void **state) {
  (void)state;
  for (size_t i = 0; i < n_pool; i++)
    json_decref(pool[i]);
  n_pool = 0;
  return 0;
}

static defs_config_field_spec F(const char *name, const defs_config_type *t) {
  return (defs_config_field_spec){.name = name, .type = t};
}

/* An optional field without a default (Dagster's is_required=False). */
static defs_config_field_spec F_NO(const char *name, const defs_config_type *t, const char *desc) {
  return (defs_config_field_spec){
      .name = name, .type = t, .required = DEFS_CONFIG_REQUIRED_NO, .description = desc};
}

/* A field with a default given as JSON text. */
static defs_config_field_spec F_DEF(const char *name, const defs_config_type *t,
                                    const char *default_json, const char *desc) {
  return (defs_config_field_spec){
      .name = name, .type = t, .default_value = J(default_json), .description = desc};
}

static defs_config_field_spec F_DESC(const char *name, const defs_config_type *t,
                                     const char *desc) {
  return (defs_config_field_spec){.name = name, .type = t, .description = desc};
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const defs_config_type *INT, *STR, *FLT, *BOOL, *ANY;

static int setup(void **state) {
  (void)state;
  INT = defs_config_scalar(DEFS_CONFIG_INT);
  STR = defs_config_scalar(DEFS_CONFIG_STRING);
  FLT = defs_config_scalar(DEFS_CONFIG_FLOAT);
  BOOL = defs_config_scalar(DEFS_CONFIG_BOOL);
  ANY = defs_config_any();
  return 0;
}

static const defs_config_type *shape(defs_config_registry *r, const defs_config_field_spec *f,
                                     size_t n) {
  buf err;
  buf_init(&err, NULL);
  const defs_config_type *t = defs_config_shape(r, f, n, NULL, NULL, 0, &err);
  if (!t)
    fail_msg("shape: %s", buf_cstr(&err));
  buf_free(&err);
  return t;
}

static const defs_config_type *selector(defs_config_registry *r, const defs_config_field_spec *f,
                                        size_t n) {
  const defs_config_type *t = defs_config_selector(r, f, n, NULL, NULL);
  assert_non_null(t);
  return t;
}

/* The text in b, kept in a static buffer until the next call; frees b. */
static char *take_text(buf *b) {
  static char text[4096];
  snprintf(text, sizeof text, "%s", buf_cstr(b));
  buf_free(b);
  return text;
}

static char *printed(const defs_config_type *t) {
  buf b;
  buf_init(&b, NULL);
  defs_config_print_type(t, &b);
  return take_text(&b);
}

/* The text one of the Python writers (repr, json.dumps) gives for v. */
static char *written(void (*write)(const json_t *, buf *), const json_t *v) {
  buf b;
  buf_init(&b, NULL);
  write(v, &b);
  return take_text(&b);
}

static char *repr(const json_t *v) { return written(defs_config_py_repr, v); }

static char *dumps(const json_t *v) { return written(defs_config_json_dumps, v); }

/* ---- Built-ins and closed generics -------------------------------------- */

static void test_builtins(void **state) {
  (void)state;
  assert_string_equal(INT->key, "Int");
  assert_string_equal(STR->key, "String");
  assert_string_equal(FLT->key, "Float");
  assert_string_equal(BOOL->key, "Bool");
  assert_string_equal(ANY->key, "Any");
  assert_int_equal(INT->kind, DEFS_CONFIG_SCALAR);
  assert_int_equal(INT->scalar_kind, DEFS_CONFIG_INT);
  assert_int_equal(ANY->kind, DEFS_CONFIG_ANY);
  /* Dagster's snapshots: the scalars describe themselves as "", Any not at all. */
  assert_string_equal(BOOL->description, "");
  assert_null(ANY->description);
  assert_string_equal(FLT->given_name, "Float");
  assert_string_equal(defs_config_kind_name(DEFS_CONFIG_STRICT_SHAPE), "STRICT_SHAPE");
  assert_string_equal(defs_config_scalar_kind_name(DEFS_CONFIG_BOOL), "BOOL");

  defs_config_registry *r = defs_config_registry_new();
  size_t n;
  const defs_config_type *const *all = defs_config_registry_types(r, &n);
  assert_int_equal(n, 5);
  assert_ptr_equal(all[0], ANY);
  assert_ptr_equal(all[1], BOOL);
  assert_ptr_equal(all[4], STR);
  assert_ptr_equal(defs_config_lookup(r, "Int"), INT);
  assert_null(defs_config_lookup(r, "Nope"));
  defs_config_registry_free(r);
  defs_config_registry_free(NULL);
}

static void test_closed_generic_keys(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *a = defs_config_array(r, INT, NULL);
  assert_string_equal(a->key, "Array.Int");
  assert_string_equal(a->description, "List of Array.Int");
  assert_ptr_equal(a->inner, INT);
  assert_int_equal(a->depth, 2);
  /* Memoized: the same type comes back. */
  assert_ptr_equal(defs_config_array(r, INT, NULL), a);
  assert_ptr_equal(defs_config_lookup(r, "Array.Int"), a);

  const defs_config_type *na = defs_config_noneable(r, a, NULL);
  assert_string_equal(na->key, "Noneable.Array.Int");
  assert_null(na->description);
  assert_string_equal(defs_config_array(r, na, NULL)->key, "Array.Noneable.Array.Int");

  const defs_config_type *m = defs_config_map(r, STR, INT, NULL, NULL);
  assert_string_equal(m->key, "Map.String.Int");
  assert_null(m->given_name);
  const defs_config_type *ml = defs_config_map(r, STR, INT, "name", NULL);
  assert_string_equal(ml->key, "Map.String.Int:name: name");
  assert_string_equal(ml->given_name, "name");
  assert_ptr_not_equal(m, ml);
  assert_ptr_equal(defs_config_map(r, STR, INT, "", NULL), m); /* "" is no label */

  const defs_config_type *path = shape(r, (defs_config_field_spec[]){F("path", STR)}, 1);
  const defs_config_type *sel = selector(
      r, (defs_config_field_spec[]){F("json", path), F("pickle", path), F("value", INT)}, 3);
  const defs_config_type *su = defs_config_scalar_union(r, INT, sel, NULL);
  /* From Dagster's snapshot of the Int loader schema. */
  assert_string_equal(su->key, "ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725");
  assert_ptr_equal(su->scalar_type, INT);
  assert_ptr_equal(su->non_scalar_type, sel);
  assert_string_equal(defs_config_scalar_union(r, STR, a, NULL)->key,
                      "ScalarUnion.String-Array.Int");

  const defs_config_type *e = defs_config_enum(
      r, "Color", (defs_config_enum_value[]){{"RED", "warm"}, {"BLUE", NULL}}, 2, NULL);
  assert_string_equal(e->key, "Color");
  assert_string_equal(e->given_name, "Color");
  assert_int_equal(e->n_enum_values, 2);
  assert_string_equal(e->enum_values[0].description, "warm");
  /* The same enum again is the same type. */
  assert_ptr_equal(defs_config_enum(r, "Color",
                                    (defs_config_enum_value[]){{"RED", "warm"}, {"BLUE", NULL}}, 2,
                                    NULL),
                   e);
  defs_config_registry_free(r);
}

static void test_constructor_errors(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  buf err;
  buf_init(&err, NULL);
  const defs_config_type *arr = defs_config_array(r, INT, NULL);

  assert_null(defs_config_map(r, arr, INT, NULL, &err));
  assert_string_equal(buf_cstr(&err),
                      "the key type of a Map must be a scalar (Int, Float, String or Bool), not "
                      "Array.Int");
  buf_truncate(&err, 0);
  assert_null(defs_config_scalar_union(r, arr, arr, &err));
  assert_string_equal(buf_cstr(&err),
                      "the scalar side of a ScalarUnion must be a scalar, not Array.Int");
  buf_truncate(&err, 0);
  assert_null(defs_config_scalar_union(r, INT, STR, &err));
  assert_string_equal(
      buf_cstr(&err),
      "the non-scalar side of a ScalarUnion must be a Shape, Selector or Array, not String");
  buf_truncate(&err, 0);
  assert_null(
      defs_config_enum(r, "E", (defs_config_enum_value[]){{"A", NULL}, {"A", NULL}}, 2, &err));
  assert_string_equal(buf_cstr(&err), "Enum \"E\": the value \"A\" appears twice");
  buf_truncate(&err, 0);
  assert_non_null(defs_config_enum(r, "E", (defs_config_enum_value[]){{"A", NULL}}, 1, NULL));
  assert_null(defs_config_enum(r, "E", (defs_config_enum_value[]){{"B", NULL}}, 1, &err));
  assert_string_equal(buf_cstr(&err),
                      "Enum \"E\" clashes with another config type of the same name");
  buf_truncate(&err, 0);
  assert_null(defs_config_enum(r, "Int", (defs_config_enum_value[]){{"B", NULL}}, 1, &err));
  assert_string_equal(buf_cstr(&err),
                      "Enum \"Int\" clashes with another config type of the same name");
  buf_truncate(&err, 0);
  assert_null(defs_config_enum(r, "", NULL, 0, &err));
  assert_string_equal(buf_cstr(&err), "an Enum needs a name");
  buf_truncate(&err, 0);

  assert_null(defs_config_shape(r, (defs_config_field_spec[]){F("a", INT), F("a", STR)}, 2, NULL,
                                NULL, 0, &err));
  assert_string_equal(buf_cstr(&err), "field \"a\" is defined twice");
  buf_truncate(&err, 0);
  defs_config_field_spec req_def = {
      .name = "a", .type = INT, .required = DEFS_CONFIG_REQUIRED_YES, .default_value = J("1")};
  assert_null(defs_config_shape(r, &req_def, 1, NULL, NULL, 0, &err));
  assert_string_equal(buf_cstr(&err), "field \"a\": a required field cannot have a default value");
  buf_truncate(&err, 0);
  /* A default is validated against its type, with Dagster's messages. */
  assert_null(defs_config_shape(r, (defs_config_field_spec[]){F_DEF("n", INT, "\"x\"", NULL)}, 1,
                                NULL, NULL, 0, &err));
  assert_string_equal(buf_cstr(&err),
                      "Invalid default_value for Field \"n\".\n    Error 1: Invalid scalar at the "
                      "root. Value \"x\" of type \"<class 'str'>\" is not valid for expected type "
                      "\"Int\".");
  buf_truncate(&err, 0);
  assert_null(defs_config_selector(r, NULL, 0, NULL, &err));
  assert_string_equal(buf_cstr(&err), "a Selector needs at least one field");
  buf_truncate(&err, 0);
  assert_null(defs_config_shape(r, (defs_config_field_spec[]){F("a", INT), F("b", INT)}, 2, NULL,
                                (defs_config_alias[]){{"a", "x"}, {"a", "y"}}, 2, &err));
  assert_string_equal(buf_cstr(&err), "field \"a\" has two aliases");
  buf_truncate(&err, 0);
  assert_null(
      defs_config_shape(r, (defs_config_field_spec[]){{.name = "a"}}, 1, NULL, NULL, 0, &err));
  assert_string_equal(buf_cstr(&err), "a config field needs a name and a type");
  /* Errors without a buffer are fine too. */
  assert_null(defs_config_map(r, arr, INT, NULL, NULL));
  buf_free(&err);
  defs_config_registry_free(r);
}

static void test_depth_limit(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  buf err;
  buf_init(&err, NULL);
  const defs_config_type *t = INT;
  for (int i = 1; i < DEFS_CONFIG_MAX_DEPTH; i++) {
    t = defs_config_array(r, t, &err);
    assert_non_null(t);
  }
  assert_int_equal(t->depth, DEFS_CONFIG_MAX_DEPTH);
  assert_null(defs_config_noneable(r, t, &err));
  assert_string_equal(buf_cstr(&err), "config type nests deeper than 100 levels");
  buf_truncate(&err, 0);
  assert_null(
      defs_config_shape(r, (defs_config_field_spec[]){F("deep", t)}, 1, NULL, NULL, 0, &err));
  assert_string_equal(buf_cstr(&err), "config type nests deeper than 100 levels");
  /* Shapes count too: 99 nested shapes around an Int are 100 levels. */
  const defs_config_type *s = INT;
  for (int i = 1; i < DEFS_CONFIG_MAX_DEPTH; i++)
    s = shape(r, (defs_config_field_spec[]){F("x", s)}, 1);
  assert_int_equal(s->depth, DEFS_CONFIG_MAX_DEPTH);
  assert_null(defs_config_selector(r, (defs_config_field_spec[]){F("x", s)}, 1, NULL, NULL));
  buf_free(&err);
  defs_config_registry_free(r);
}

/* ---- Keys of types with fields (golden keys from Dagster's snapshots) --- */

static void test_shape_keys_from_dagster(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *empty = shape(r, NULL, 0);
  assert_string_equal(empty->key, "Shape.da39a3ee5e6b4b0d3255bfef95601890afd80709");
  const defs_config_type *path = shape(r, (defs_config_field_spec[]){F("path", STR)}, 1);
  assert_string_equal(path->key, "Shape.4b53b73df342381d0d05c5f36183dc99cb9676e2");
  assert_true(path->fields[0].is_required);
  assert_false(path->fields[0].default_provided);
  const defs_config_type *jp =
      selector(r, (defs_config_field_spec[]){F("json", path), F("pickle", path)}, 2);
  assert_string_equal(jp->key, "Selector.e52fa3afbe531d9522fae1206f3ae9d248775742");
  const defs_config_type *out = shape(r, (defs_config_field_spec[]){F_NO("result", jp, NULL)}, 1);
  assert_string_equal(out->key, "Shape.41de0e2d7b75524510155d0bdab8723c6feced3b");
  assert_string_equal(defs_config_array(r, out, NULL)->key,
                      "Array.Shape.41de0e2d7b75524510155d0bdab8723c6feced3b");
  assert_string_equal(defs_config_array(r, out, NULL)->description,
                      "List of Array.Shape.41de0e2d7b75524510155d0bdab8723c6feced3b");
  assert_string_equal(shape(r, (defs_config_field_spec[]){F_NO("config", ANY, NULL)}, 1)->key,
                      "Shape.743e47901855cb245064dd633e217bfcb49a11a7");
  /* Defaults hash as json.dumps writes them. */
  const defs_config_type *logger =
      shape(r,
            (defs_config_field_spec[]){F_DEF("log_level", STR, "\"INFO\"", NULL),
                                       F_DEF("name", STR, "\"dagster\"", NULL)},
            2);
  assert_string_equal(logger->key, "Shape.241ac489ffa5f718db6444bae7849fb86a62e441");
  assert_string_equal(logger->fields[0].default_json, "\"INFO\"");
  assert_false(logger->fields[0].is_required);
  const defs_config_type *wrap =
      shape(r,
            (defs_config_field_spec[]){
                F_DEF("config", logger, "{\"log_level\":\"INFO\",\"name\":\"dagster\"}", NULL)},
            1);
  assert_string_equal(wrap->key, "Shape.3baab16166bacfaf4705811e64d356112fd733cb");
  assert_string_equal(wrap->fields[0].default_json,
                      "{\"log_level\": \"INFO\", \"name\": \"dagster\"}");
  /* Field descriptions are hashed. */
  const defs_config_type *described = shape(
      r,
      (defs_config_field_spec[]){F_DEF("log_level", STR, "\"INFO\"", "The logger's threshold."),
                                 F_DEF("name", STR, "\"dagster\"", "The name of your logger.")},
      2);
  assert_string_equal(described->key, "Shape.081354663b9d4b8fbfd1cb8e358763912953913f");
  defs_config_registry_free(r);
}

/* The whole run config schema of Dagster's one-op test job `a_job` (its
 * snapshot in dagster's test suite): every key, every implied default. */
static void test_run_config_schema_of_a_job(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *empty = shape(r, NULL, 0);
  const defs_config_type *retries =
      selector(r, (defs_config_field_spec[]){F("disabled", empty), F("enabled", empty)}, 2);
  assert_string_equal(retries->key, "Selector.1bfb167aea90780aa679597800c71bd8c65ed0b2");
  assert_string_equal(retries->fields[0].default_json, "{}");
  assert_false(retries->fields[0].is_required);

  const defs_config_type *fork = shape(
      r,
      (defs_config_field_spec[]){F_NO(
          "preload_modules", defs_config_array(r, STR, NULL),
          "Explicitly specify the modules to preload in the forkserver. Otherwise, there are two "
          "cases for default values if modules are not specified. If the Dagster job was loaded "
          "from a module, the same module will be preloaded. If not, the `dagster` module is "
          "preloaded.")},
      1);
  assert_string_equal(fork->key, "Shape.4b5c35afb20df31266eeee7e8c1060f1b490d054");
  const defs_config_type *start = selector(
      r,
      (defs_config_field_spec[]){
          F_DESC("forkserver", fork,
                 "Configure the multiprocess executor to start subprocesses using `forkserver`."),
          F_DESC("spawn", empty,
                 "Configure the multiprocess executor to start subprocesses using `spawn`.")},
      2);
  assert_string_equal(start->key, "Selector.8318f5aff6cd0698a5c7fedfb9bdc75fd8006db8");
  const char *retries_desc = "Whether retries are enabled or not. By default, retries are enabled.";
  const defs_config_type *in_process =
      shape(r,
            (defs_config_field_spec[]){F_NO("marker_to_close", STR, "[DEPRECATED]"),
                                       F_DEF("retries", retries, "{\"enabled\":{}}", retries_desc)},
            2);
  assert_string_equal(in_process->key, "Shape.44f24ac55059da1634e84af6c1bf7e0ed332251c");
  const defs_config_type *multiprocess = shape(
      r,
      (defs_config_field_spec[]){
          F_DEF("max_concurrent", INT, "0",
                "The number of processes that may run concurrently. By default, this is set to be "
                "the return value of `multiprocessing.cpu_count()`."),
          F_DEF("retries", retries, "{\"enabled\":{}}", retries_desc),
          F_NO("start_method", start,
               "Select how subprocesses are created. By default, `spawn` is selected. See "
               "https://docs.python.org/3/library/"
               "multiprocessing.html#contexts-and-start-methods.")},
      3);
  assert_string_equal(multiprocess->key, "Shape.f14346cd5dd7ef8afab32d29899a1776169809b7");
  const defs_config_type *executors = selector(
      r,
      (defs_config_field_spec[]){
          F_DESC("in_process", in_process, "Execute all steps in a single process."),
          F_DESC("multiprocess", multiprocess, "Execute each step in an individual process.")},
      2);
  assert_string_equal(executors->key, "Selector.3e0ad7f3aee04af8582c18aac87e178b1e57b562");
  /* Implied defaults are the types' resolved defaults, in field order. */
  assert_string_equal(executors->fields[0].default_json, "{\"retries\": {\"enabled\": {}}}");
  assert_string_equal(executors->fields[1].default_json,
                      "{\"max_concurrent\": 0, \"retries\": {\"enabled\": {}}}");
  const defs_config_type *execution = shape(
      r, (defs_config_field_spec[]){F_DEF("config", executors, "{\"multiprocess\":{}}", NULL)}, 1);
  assert_string_equal(execution->key, "Shape.2a0c9dd01828dbdb711cd20ec080da42bd1eae2f");

  const defs_config_type *logger_cfg = shape(
      r,
      (defs_config_field_spec[]){F_DEF("log_level", STR, "\"INFO\"", "The logger's threshold."),
                                 F_DEF("name", STR, "\"dagster\"", "The name of your logger.")},
      2);
  const defs_config_type *console =
      shape(r,
            (defs_config_field_spec[]){
                F_DESC("config", logger_cfg, "The default colored console logger.")},
            1);
  assert_string_equal(console->key, "Shape.0fe8353d6b542accfad9becbdbaeb92f649ebb9a");
  const defs_config_type *loggers =
      shape(r, (defs_config_field_spec[]){F_NO("console", console, NULL)}, 1);
  assert_string_equal(loggers->key, "Shape.e895d95ee6d0eff1b884c76f44a2ab7089f0c49b");

  const defs_config_type *path = shape(r, (defs_config_field_spec[]){F("path", STR)}, 1);
  const defs_config_type *jp =
      selector(r, (defs_config_field_spec[]){F("json", path), F("pickle", path)}, 2);
  const defs_config_type *out = shape(r, (defs_config_field_spec[]){F_NO("result", jp, NULL)}, 1);
  const defs_config_alias alias[] = {{"ops", "solids"}};
  const defs_config_type *a_solid = defs_config_shape(
      r,
      (defs_config_field_spec[]){F_NO("config", ANY, NULL),
                                 F_NO("outputs", defs_config_array(r, out, NULL), NULL)},
      2, NULL, alias, 1, NULL);
  assert_string_equal(a_solid->key, "Shape.e20183fcf9f186a6569b322579dcc1e6fae8d0d5");
  const defs_config_type *ops = defs_config_shape(
      r, (defs_config_field_spec[]){F("a_solid", a_solid)}, 1, NULL, alias, 1, NULL);
  assert_string_equal(ops->key, "Shape.2eccae05ac069f3556e311b2227904693c11a5ae");
  assert_int_equal(ops->n_aliases, 1);
  assert_string_equal(ops->aliases[0].alias, "solids");

  const defs_config_type *io = shape(r, (defs_config_field_spec[]){F_NO("config", ANY, NULL)}, 1);
  const defs_config_type *resources =
      shape(r,
            (defs_config_field_spec[]){F_DESC(
                "io_manager", io,
                "Built-in filesystem IO manager that stores and retrieves values using pickling.")},
            1);
  assert_string_equal(resources->key, "Shape.1578133c1c71e8e3c9cf3ad46c216eb51b48c778");

  const defs_config_type *root = defs_config_shape(
      r,
      (defs_config_field_spec[]){
          F_DESC("execution", execution, "Configure how steps are executed within a run."),
          F_DESC("loggers", loggers, "Configure how loggers emit messages within a run."),
          F_DESC("ops", ops, "Configure runtime parameters for ops or assets."),
          F_DESC("resources", resources,
                 "Configure how shared resources are implemented within a run.")},
      4, NULL, alias, 1, NULL);
  assert_non_null(root);
  assert_string_equal(root->key, "Shape.9a204c5963d7f6831e501117a579edfb454a4934");
  assert_string_equal(
      root->fields[0].default_json,
      "{\"config\": {\"multiprocess\": {\"max_concurrent\": 0, \"retries\": {\"enabled\": {}}}}}");
  assert_string_equal(root->fields[1].default_json, "{}");
  assert_string_equal(root->fields[2].default_json, "{\"a_solid\": {}}");
  assert_string_equal(root->fields[3].default_json, "{\"io_manager\": {}}");
  for (size_t i = 0; i < root->n_fields; i++)
    assert_false(root->fields[i].is_required);

  /* The job's resolved run config for {}: every default filled in. */
  json_t *resolved = defs_config_resolve(root, J("{}"), true);
  assert_string_equal(dumps(resolved),
                      "{\"execution\": {\"config\": {\"multiprocess\": {\"max_concurrent\": 0, "
                      "\"retries\": {\"enabled\": {}}}}}, \"loggers\": {}, \"ops\": {\"a_solid\": "
                      "{}}, \"resources\": {\"io_manager\": {}}}");
  json_decref(resolved);

  /* Reachable types: each once, children first, the root last. */
  arena *a = arena_new(0);
  size_t n;
  const defs_config_type **all = defs_config_reachable(root, a, &n);
  assert_ptr_equal(all[n - 1], root);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      assert_ptr_not_equal(all[i], all[j]);
  /* Dagster's snapshot of a_job lists these 24 and ten more that come from
   * its Dagster types' loader schemas (the ScalarUnions, their Selectors,
   * Bool and Float), not from the run config schema. */
  assert_int_equal(n, 24);
  bool saw_int = false;
  for (size_t i = 0; i < n; i++)
    saw_int |= all[i] == INT;
  assert_true(saw_int);
  arena_free(a);
  defs_config_registry_free(r);
}

static void test_other_keys(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  /* Expected keys computed with Python's hashlib over Dagster's text. */
  assert_string_equal(defs_config_permissive(r, NULL, 0, NULL, NULL)->key, "Permissive");
  const defs_config_type *p =
      defs_config_permissive(r, (defs_config_field_spec[]){F("a", INT)}, 1, NULL, NULL);
  assert_string_equal(p->key, "Permissive.4bd0d9ee00d9301c66a6871ed759572466124adf");
  assert_int_equal(p->kind, DEFS_CONFIG_PERMISSIVE_SHAPE);
  const defs_config_type *s = shape(r, (defs_config_field_spec[]){F("a", INT)}, 1);
  assert_string_equal(s->key, "Shape.4bd0d9ee00d9301c66a6871ed759572466124adf");
  const defs_config_type *d =
      defs_config_shape(r, (defs_config_field_spec[]){F("a", INT)}, 1, "A shape.", NULL, 0, NULL);
  assert_string_equal(d->key, "Shape.b86c0598bb24457519553a11f2b0325d13495eb5");
  assert_string_equal(d->description, "A shape.");
  /* Order of definition does not change the key: the same type comes back. */
  const defs_config_type *ab = shape(r, (defs_config_field_spec[]){F("a", INT), F("b", STR)}, 2);
  const defs_config_type *ba = shape(r, (defs_config_field_spec[]){F("b", STR), F("a", INT)}, 2);
  assert_ptr_equal(ab, ba);
  assert_string_equal(ab->sorted_fields[1]->name, "b");
  /* 1 and 1.0 are different defaults. */
  const defs_config_type *f1 = shape(r, (defs_config_field_spec[]){F_DEF("x", FLT, "1", NULL)}, 1);
  const defs_config_type *f2 =
      shape(r, (defs_config_field_spec[]){F_DEF("x", FLT, "1.0", NULL)}, 1);
  assert_string_equal(f1->fields[0].default_json, "1");
  assert_string_equal(f2->fields[0].default_json, "1.0");
  assert_ptr_not_equal(f1, f2);
  /* Non-ASCII defaults hash in json.dumps's ensure_ascii form. */
  const defs_config_type *u =
      shape(r, (defs_config_field_spec[]){F_DEF("w", STR, "\"w\\u00f6rld\"", NULL)}, 1);
  assert_string_equal(u->fields[0].default_json, "\"w\\u00f6rld\"");
  assert_string_equal(u->key, "Shape.9b6cb3db65fbac218628981cbe28fa66e57566cc");
  assert_ptr_equal(defs_config_field_get(ab, "b"), ab->sorted_fields[1]);
  assert_null(defs_config_field_get(ab, "c"));
  defs_config_registry_free(r);
}

/* ---- Requiredness and implied defaults (Dagster's Field) ---------------- */

static void test_requiredness(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *nint = defs_config_noneable(r, INT, NULL);
  const defs_config_type *opt_shape =
      shape(r, (defs_config_field_spec[]){F_DEF("x", FLT, "1", NULL), F_NO("y", INT, NULL)}, 2);
  const defs_config_type *req_shape = shape(r, (defs_config_field_spec[]){F("x", INT)}, 1);
  const defs_config_type *one_sel =
      selector(r, (defs_config_field_spec[]){F("only", opt_shape)}, 1);
  const defs_config_type *two_sel =
      selector(r, (defs_config_field_spec[]){F("a", opt_shape), F("b", opt_shape)}, 2);
  const defs_config_type *t =
      shape(r,
            (defs_config_field_spec[]){
                F("plain", INT),
                F("noneable", nint),
                F("all_optional", opt_shape),
                F("needs", req_shape),
                F("one", one_sel),
                F("two", two_sel),
                F_NO("said_no", opt_shape, NULL),
                F_DEF("given", INT, "3", NULL),
                {.name = "said_yes", .type = nint, .required = DEFS_CONFIG_REQUIRED_YES},
                F("any", ANY),
                F("list", defs_config_array(r, INT, NULL)),
            },
            11);
  const defs_config_field *f = t->fields;
  assert_true(f[0].is_required);
  assert_false(f[0].default_provided);
  /* Noneable: optional, with None as its implied default. */
  assert_false(f[1].is_required);
  assert_true(f[1].default_provided);
  assert_true(json_is_null(f[1].default_value));
  assert_string_equal(f[1].default_json, "null");
  /* All-optional shape: optional, defaults resolved but not post-processed. */
  assert_false(f[2].is_required);
  assert_string_equal(f[2].default_json, "{\"x\": 1}");
  assert_true(f[3].is_required);
  assert_false(f[4].is_required);
  assert_string_equal(f[4].default_json, "{\"only\": {\"x\": 1}}");
  assert_true(f[5].is_required);
  assert_false(f[5].default_provided);
  /* Said optional: no default is implied. */
  assert_false(f[6].is_required);
  assert_false(f[6].default_provided);
  assert_null(f[6].default_json);
  assert_false(f[7].is_required);
  assert_string_equal(f[7].default_json, "3");
  assert_true(f[8].is_required);
  assert_false(f[8].default_provided);
  /* Any and Array need a value unless said otherwise (Dagster's rule). */
  assert_true(f[9].is_required);
  assert_true(f[10].is_required);
  /* The type printer marks the optional ones. */
  assert_string_equal(printed(t),
                      "{ all_optional?: { x?: Float y?: Int } any: Any given?: Int list: [Int] "
                      "needs: { x: Int } noneable?: Int? one?: { only?: { x?: Float y?: Int } } "
                      "plain: Int said_no?: { x?: Float y?: Int } said_yes: Int? two: { a?: { x?: "
                      "Float y?: Int } b?: { x?: Float y?: Int } } }");
  defs_config_registry_free(r);
}

/* ---- The type printer --------------------------------------------------- */

static void test_print_type(void **state) {
  (void)state;
  defs_config_registry *r = defs_config_registry_new();
  assert_string_equal(printed(INT), "Int");
  assert_string_equal(printed(ANY), "Any");
  assert_string_equal(printed(defs_config_array(r, STR, NULL)), "[String]");
  assert_string_equal(printed(defs_config_noneable(r, BOOL, NULL)), "Bool?");
  assert_string_equal(printed(defs_config_map(r, STR, INT, NULL, NULL)), "{ [String]: Int }");
  assert_string_equal(printed(defs_config_map(r, STR, INT, "op", NULL)), "{ [op: String]: Int }");
  assert_string_equal(printed(shape(r, NULL, 0)), "{ }");
  assert_string_equal(printed(defs_config_permissive(r, NULL, 0, NULL, NULL)), "{ }");
  const defs_config_type *path = shape(r, (defs_config_field_spec[]){F("path", STR)}, 1);
  const defs_config_type *sel =
      selector(r, (defs_config_field_spec[]){F("json", path), F("value", INT)}, 2);
  assert_string_equal(printed(defs_config_scalar_union(r, INT, sel, NULL)),
                      "(Int | { json: { path: String } value: Int })");
  assert_string_equal(printed(defs_config_array(r, path, NULL)), "[{ path: String }]");
  const defs_config_type *e =
      defs_config_enum(r, "Color", (defs_config_enum_value[]){{"RED", NULL}}, 1, NULL);
  assert_string_equal(printed(defs_config_array(r, e, NULL)), "[Color]");

  /* A type whose parts are shared prints in bounded space. */
  const defs_config_type *t = INT;
  for (int i = 0; i < 40; i++)
    t = shape(r, (defs_config_field_spec[]){F("a", t), F("b", t)}, 2);
  buf b;
  buf_init(&b, NULL);
  defs_config_print_type(t, &b);
  assert_true(b.len < 20000);
  assert_non_null(strstr(buf_cstr(&b), "..."));
  buf_free(&b);
  defs_config_registry_free(r);
}

/* ---- Python texts ------------------------------------------------------- */

static void test_python_repr(void **state) {
  (void)state;
  assert_string_equal(repr(J("\"it's\"")), "\"it's\"");
  assert_string_equal(repr(J("\"say \\\"hi\\\"\"")), "'say \"hi\"'");
  assert_string_equal(repr(J("\"both ' and \\\"\"")), "'both \\' and \"'");
  assert_string_equal(repr(J("\"tab\\there\\nnl\\\\\"")), "'tab\\there\\nnl\\\\'");
  assert_string_equal(repr(J("\"\\u0001\\u007f\"")), "'\\x01\\x7f'");
  assert_string_equal(repr(J("\"\\u00e9\\u00a0\\u2028\\ud83d\\ude00\\u00ad\"")),
                      "'\xc3\xa9\\xa0\\u2028\xf0\x9f\x98\x80\\xad'");
  assert_string_equal(repr(J("{\"a\": [1, 2.5, null, true, false], \"b\": {\"c\": \"x\"}, \"e\": "
                             "1e16, \"f\": 1.5e-05, \"g\": 0.1}")),
                      "{'a': [1, 2.5, None, True, False], 'b': {'c': 'x'}, 'e': 1e+16, 'f': "
                      "1.5e-05, 'g': 0.1}");
  assert_string_equal(repr(J("{}")), "{}");
  assert_string_equal(repr(J("[]")), "[]");
  assert_string_equal(repr(NULL), "None");
  assert_string_equal(repr(J("1.0")), "1.0");
  buf b;
  buf_init(&b, NULL);
  defs_config_py_str(J("\"plain 'text'\""), &b);
  assert_string_equal(buf_cstr(&b), "plain 'text'");
  buf_truncate(&b, 0);
  defs_config_py_str(J("[\"x\"]"), &b);
  assert_string_equal(buf_cstr(&b), "['x']");
  buf_free(&b);
}

static void test_json_dumps(void **state) {
  (void)state;
  assert_string_equal(dumps(J("\"it's\"")), "\"it's\"");
  assert_string_equal(dumps(J("\"say \\\"hi\\\"\"")), "\"say \\\"hi\\\"\"");
  assert_string_equal(dumps(J("\"tab\\there\\nnl\\\\\"")), "\"tab\\there\\nnl\\\\\"");
  assert_string_equal(dumps(J("\"\\u0001\\u007f\\b\\f\\r\"")), "\"\\u0001\\u007f\\b\\f\\r\"");
  assert_string_equal(dumps(J("\"\\u00e9\\u00a0\\u2028\\ud83d\\ude00\\u00ad\"")),
                      "\"\\u00e9\\u00a0\\u2028\\ud83d\\ude00\\u00ad\"");
  assert_string_equal(dumps(J("{\"a\": [1, 2.5, null, true, false], \"b\": {\"c\": \"x\"}, \"e\": "
                              "1e16, \"f\": 1.5e-05, \"g\": 0.1}")),
                      "{\"a\": [1, 2.5, null, true, false], \"b\": {\"c\": \"x\"}, \"e\": 1e+16, "
                      "\"f\": 1.5e-05, \"g\": 0.1}");
  assert_string_equal(dumps(J("{}")), "{}");
  assert_string_equal(dumps(J("[]")), "[]");
  assert_string_equal(dumps(NULL), "null");
  json_t *deep = json_array();
  json_t *cur = deep;
  for (int i = 0; i < 5000; i++) { /* deeper than any parser hands over */
    json_t *next = json_array();
    json_array_append_new(cur, next);
    cur = next;
  }
  buf b;
  buf_init(&b, NULL);
  defs_config_json_dumps(deep, &b);
  assert_non_null(strstr(buf_cstr(&b), "..."));
  buf_truncate(&b, 0);
  defs_config_py_repr(deep, &b);
  assert_non_null(strstr(buf_cstr(&b), "..."));
  buf_free(&b);
  json_decref(deep);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_builtins, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_closed_generic_keys, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_constructor_errors, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_shape_keys_from_dagster, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_run_config_schema_of_a_job, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_other_keys, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_requiredness, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_print_type, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_python_repr, setup, teardown_pool),
      cmocka_unit_test_setup_teardown(test_json_dumps, setup, teardown_pool),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
