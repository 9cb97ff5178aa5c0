/* test_run_config.c — unit tests for src/defs/run_config.c: the run config
 * schema of the examples/hello job (fields, requiredness, defaults, golden
 * keys shared with Dagster's snapshot of its one-op job `a_job`), input
 * config typed by Dagster's type loaders (golden keys from Dagster's
 * snapshot tests), resource requiredness, validation errors with Dagster's
 * reasons, messages and paths, resolved configs, and the default run config
 * as runConfigYaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "defs/run_config.h"

/* ---- Helpers ------------------------------------------------------------ */

static defs_definitions *load_text(const char *text) {
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_text("test.yaml", text, strlen(text), &err);
  if (!d)
    fail_msg("%s", buf_cstr(&err));
  buf_free(&err);
  return d;
}

static const defs_config_type *schema(defs_config_registry *r, const defs_definitions *d,
                                      const char *job) {
  buf err;
  buf_init(&err, NULL);
  const defs_config_type *root = defs_job_run_config_schema(r, d, defs_find_job(d, job), &err);
  assert_non_null(root);
  assert_int_equal(err.len, 0);
  buf_free(&err);
  return root;
}

/* The field at a colon-separated path of field names, failing when absent. */
static const defs_config_field *at(const defs_config_type *t, const char *path) {
  char name[64];
  const defs_config_field *f = NULL;
  while (*path) {
    size_t n = strcspn(path, ":");
    assert_true(n < sizeof name);
    memcpy(name, path, n);
    name[n] = '\0';
    f = defs_config_field_get(t, name);
    if (!f)
      fail_msg("no field '%s'", name);
    t = f->type;
    path += n + (path[n] == ':');
  }
  assert_non_null(f);
  return f;
}

static char *dumps(const json_t *v) { return json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT); }

static void assert_json(const json_t *v, const char *expected) {
  char *s = dumps(v);
  assert_string_equal(s, expected);
  free(s);
}

/* ---- The hello job ---------------------------------------------------------- */

static void test_hello_schema(void **state) {
  (void)state;
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_file("examples/hello/defs.yaml", &err);
  assert_non_null(d);
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *root = schema(r, d, "hello_etl");
  assert_int_equal(root->kind, DEFS_CONFIG_STRICT_SHAPE);
  assert_int_equal(root->n_fields, 4);
  assert_string_equal(root->sorted_fields[0]->name, "execution");
  assert_string_equal(root->sorted_fields[1]->name, "loggers");
  assert_string_equal(root->sorted_fields[2]->name, "ops");
  assert_string_equal(root->sorted_fields[3]->name, "resources");
  assert_string_equal(at(root, "ops")->description,
                      "Configure runtime parameters for ops or assets.");
  /* Every op config has defaults: nothing at all is required. */
  for (size_t i = 0; i < root->n_fields; i++)
    assert_false(root->fields[i].is_required);
  /* Dagster's keys for the default executor and the console logger (the
   * same parts of Dagster's snapshot of a_job). */
  assert_string_equal(at(root, "execution")->type->key,
                      "Shape.2a0c9dd01828dbdb711cd20ec080da42bd1eae2f");
  assert_string_equal(at(root, "loggers")->type->key,
                      "Shape.e895d95ee6d0eff1b884c76f44a2ab7089f0c49b");
  assert_string_equal(at(root, "execution:config")->type->key,
                      "Selector.3e0ad7f3aee04af8582c18aac87e178b1e57b562");
  assert_string_equal(at(root, "execution:config:multiprocess:max_concurrent")->default_json, "0");
  assert_non_null(at(root, "execution:config:in_process:retries"));
  assert_string_equal(at(root, "loggers:console:config:log_level")->default_json, "\"INFO\"");

  /* ops: one field per node; aliases share the op's node type. */
  const defs_config_type *ops = at(root, "ops")->type;
  assert_int_equal(ops->n_fields, 4);
  assert_int_equal(ops->n_aliases, 1);
  assert_string_equal(ops->aliases[0].alias, "solids");
  assert_ptr_equal(at(root, "ops:small")->type, at(root, "ops:large")->type);
  const defs_config_field *count = at(root, "ops:small:config:count");
  assert_ptr_equal(count->type, defs_config_scalar(DEFS_CONFIG_INT));
  assert_false(count->is_required);
  assert_string_equal(count->default_json, "5");
  assert_string_equal(at(root, "ops:transform:config:scale")->default_json, "1.0");
  assert_int_equal(at(root, "ops:transform:config:mode")->type->kind, DEFS_CONFIG_ENUM);
  /* Connected inputs take no config; an op without config gets Any. */
  assert_null(defs_config_field_get(at(root, "ops:transform")->type, "inputs"));
  assert_null(defs_config_field_get(at(root, "ops:load")->type, "inputs"));
  assert_ptr_equal(at(root, "ops:load:config")->type, defs_config_any());
  assert_false(at(root, "ops:load:config")->is_required);

  /* resources: Dagster's io_manager and the repository's warehouse. */
  assert_string_equal(at(root, "resources:io_manager")->description,
                      "Built-in filesystem IO manager that stores and retrieves values using "
                      "pickling.");
  assert_string_equal(at(root, "resources:warehouse")->description,
                      "Where loaded rows are written.");
  assert_string_equal(at(root, "resources:warehouse:config:path")->default_json,
                      "\"/tmp/dagd-hello-warehouse\"");

  /* Memoized: building again gives the same type. */
  assert_ptr_equal(schema(r, d, "hello_etl"), root);
  defs_config_registry_free(r);
  defs_definitions_release(d);
  buf_free(&err);
}

/* ---- Inputs and resources ------------------------------------------------------ */

static const char *inputs_defs = "resources:\n"
                                 "  db:\n"
                                 "    config: {url: String}\n"
                                 "  unused:\n"
                                 "    config: {url: String}\n"
                                 "ops:\n"
                                 "  source:\n"
                                 "    command: [\"true\"]\n"
                                 "    outputs: {n: Int}\n"
                                 "  take:\n"
                                 "    command: [\"true\"]\n"
                                 "    resources: [db]\n"
                                 "    inputs:\n"
                                 "      wired: Int\n"
                                 "      n: Int\n"
                                 "      f: Float\n"
                                 "      s: String\n"
                                 "      b: Bool\n"
                                 "      a: Any\n"
                                 "      l: \"[Int]\"\n"
                                 "      o: Int?\n"
                                 "      z: Nothing\n"
                                 "jobs:\n"
                                 "  j:\n"
                                 "    ops:\n"
                                 "      source:\n"
                                 "      take: {inputs: {wired: source.n}}\n"
                                 "  lone:\n"
                                 "    execution: in_process\n"
                                 "    ops:\n"
                                 "      source:\n";

static void test_input_config_types(void **state) {
  (void)state;
  defs_definitions *d = load_text(inputs_defs);
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *root = schema(r, d, "j");
  const defs_config_type *inputs = at(root, "ops:take:inputs")->type;
  /* Unconnected inputs only, Nothing excepted. */
  assert_int_equal(inputs->n_fields, 7);
  assert_null(defs_config_field_get(inputs, "wired"));
  assert_null(defs_config_field_get(inputs, "z"));
  /* The keys of Dagster's built-in type loaders, as in its snapshots. */
  assert_string_equal(at(inputs, "n")->type->key,
                      "ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725");
  assert_string_equal(at(inputs, "f")->type->key,
                      "ScalarUnion.Float-Selector.d00a37e3807d37c9f69cc62997c4a5f4a176e5c3");
  assert_string_equal(at(inputs, "s")->type->key,
                      "ScalarUnion.String-Selector.e04723c9d9937e3ab21206435b22247cfbe58269");
  assert_string_equal(at(inputs, "b")->type->key,
                      "ScalarUnion.Bool-Selector.be5d518b39e86a43c5f2eecaf538c1f6c7711b59");
  assert_string_equal(at(inputs, "a")->type->key,
                      "Selector.f2fe6dfdc60a1947a8f8e7cd377a012b47065bc4");
  assert_string_equal(at(inputs, "l")->type->key,
                      "Array.ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725");
  assert_string_equal(at(inputs, "o")->type->key,
                      "Noneable.ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725");
  /* Inputs are required, so the node, `ops` and the root need them. */
  assert_true(at(inputs, "n")->is_required);
  assert_true(at(root, "ops:take:inputs")->is_required);
  assert_true(at(root, "ops:take")->is_required);
  assert_true(at(root, "ops")->is_required);
  assert_false(at(root, "ops:source")->is_required);
  /* A resource an op requires is required when its config is; one no op
   * of the job requires is optional. */
  assert_true(at(root, "resources:db")->is_required);
  assert_true(at(root, "resources")->is_required);
  assert_false(at(root, "resources:unused")->is_required);

  /* A job with no required resources: resources is optional there. */
  const defs_config_type *lone = schema(r, d, "lone");
  assert_false(at(lone, "resources")->is_required);
  assert_false(at(lone, "ops")->is_required);
  assert_ptr_equal(at(lone, "execution")->type, at(root, "execution")->type);
  defs_config_registry_free(r);
  defs_definitions_release(d);
}

/* Dagster's resources Shape of a job with only its default io_manager. */
static void test_io_manager_only_matches_dagster(void **state) {
  (void)state;
  defs_definitions *d = load_text("ops:\n  a_solid: {command: [\"true\"]}\n"
                                  "jobs:\n  a_job:\n    ops:\n      a_solid:\n");
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *root = schema(r, d, "a_job");
  assert_string_equal(at(root, "resources")->type->key,
                      "Shape.1578133c1c71e8e3c9cf3ad46c216eb51b48c778");
  assert_string_equal(at(root, "resources")->default_json, "{\"io_manager\": {}}");
  assert_string_equal(at(root, "ops")->default_json, "{\"a_solid\": {}}");
  defs_config_registry_free(r);
  defs_definitions_release(d);
}

/* ---- Validation --------------------------------------------------------------- */

static json_t *validate(defs_config_registry *r, const defs_definitions *d, const char *job,
                        const char *config_json, defs_config_errors *errs) {
  json_t *cfg = config_json ? json_loads(config_json, 0, NULL) : NULL;
  assert_true(!config_json || cfg);
  buf err;
  buf_init(&err, NULL);
  json_t *out = defs_job_validate_run_config(r, d, defs_find_job(d, job), cfg, errs, &err);
  assert_int_equal(err.len, 0);
  buf_free(&err);
  json_decref(cfg);
  return out;
}

static void test_validate_hello(void **state) {
  (void)state;
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_file("examples/hello/defs.yaml", &err);
  assert_non_null(d);
  defs_config_registry *r = defs_config_registry_new();
  arena *a = arena_new(0);
  defs_config_errors errs;

  /* A string for an Int. */
  defs_config_errors_init(&errs, a);
  assert_null(validate(r, d, "hello_etl",
                       "{\"ops\": {\"small\": {\"config\": {\"count\": \"x\"}}}}", &errs));
  assert_int_equal(errs.count, 1);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_RUNTIME_TYPE_MISMATCH);
  assert_string_equal(errs.items[0].path_text, "root:ops:small:config:count");
  assert_string_equal(errs.items[0].message,
                      "Invalid scalar at path root:ops:small:config:count. Value \"x\" of type "
                      "\"<class 'str'>\" is not valid for expected type \"Int\".");

  /* An op that is not in the job, and an executor that does not exist (in
   * Dagster's order: the fields of a Shape sorted by name). */
  defs_config_errors_init(&errs, a);
  assert_null(validate(r, d, "hello_etl",
                       "{\"ops\": {\"nope\": {}}, \"execution\": {\"config\": {\"threads\": {}}}}",
                       &errs));
  assert_int_equal(errs.count, 2);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_FIELD_NOT_DEFINED);
  assert_string_equal(errs.items[0].path_text, "root:execution:config");
  assert_string_equal(errs.items[0].names[0], "threads");
  assert_int_equal(errs.items[1].reason, DEFS_CONFIG_FIELD_NOT_DEFINED);
  assert_string_equal(errs.items[1].path_text, "root:ops");
  assert_string_equal(errs.items[1].message,
                      "Received unexpected config entry \"nope\" at path root:ops. Expected: "
                      "\"{ large?: { config?: { count?: Int } } load?: { config?: Any } small?: { "
                      "config?: { count?: Int } } transform?: { config?: { mode?: mode scale?: "
                      "Float } } }\".");

  /* Two executors at once. */
  defs_config_errors_init(&errs, a);
  assert_null(validate(r, d, "hello_etl",
                       "{\"execution\": {\"config\": {\"in_process\": {}, \"multiprocess\": {}}}}",
                       &errs));
  assert_int_equal(errs.count, 1);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_SELECTOR_FIELD_ERROR);
  assert_string_equal(errs.items[0].path_text, "root:execution:config");

  /* Valid: defaults filled in, the given values kept, Floats as floats. */
  defs_config_errors_init(&errs, a);
  json_t *ok = validate(r, d, "hello_etl",
                        "{\"ops\": {\"transform\": {\"config\": {\"scale\": 2}}}, "
                        "\"loggers\": {\"console\": {}}}",
                        &errs);
  assert_non_null(ok);
  assert_int_equal(errs.count, 0);
  assert_json(json_object_get(ok, "ops"),
              "{\"large\":{\"config\":{\"count\":5}},\"load\":{},\"small\":{\"config\":{\"count\":"
              "5}},\"transform\":{\"config\":{\"mode\":\"sum\",\"scale\":2.0}}}");
  assert_json(json_object_get(ok, "loggers"),
              "{\"console\":{\"config\":{\"log_level\":\"INFO\",\"name\":\"dagster\"}}}");
  /* The job's `execution` setting fills the key the config leaves out. */
  assert_json(
      json_object_get(ok, "execution"),
      "{\"config\":{\"multiprocess\":{\"max_concurrent\":2,\"retries\":{\"enabled\":{}}}}}");
  json_decref(ok);

  /* No run config at all: the job's config (ops small/large) applies. */
  defs_config_errors_init(&errs, a);
  ok = validate(r, d, "hello_etl", NULL, &errs);
  assert_non_null(ok);
  assert_json(json_object_get(ok, "ops"),
              "{\"large\":{\"config\":{\"count\":100}},\"load\":{},\"small\":{\"config\":{"
              "\"count\":3}},\"transform\":{\"config\":{\"mode\":\"sum\",\"scale\":1.0}}}");
  assert_json(
      json_object_get(ok, "resources"),
      "{\"io_manager\":{},\"warehouse\":{\"config\":{\"path\":\"/tmp/dagd-hello-warehouse\"}}}");
  json_decref(ok);

  /* A config giving only resources keeps the job's ops config; given via
   * the `solids` alias, ops are the caller's alone. */
  defs_config_errors_init(&errs, a);
  ok = validate(r, d, "hello_etl",
                "{\"resources\": {\"warehouse\": {\"config\": {\"path\": \"/w\"}}}}", &errs);
  assert_non_null(ok);
  assert_json(json_object_get(json_object_get(ok, "ops"), "large"), "{\"config\":{\"count\":100}}");
  json_decref(ok);
  defs_config_errors_init(&errs, a);
  ok =
      validate(r, d, "hello_etl", "{\"solids\": {\"large\": {\"config\": {\"count\": 7}}}}", &errs);
  assert_non_null(ok);
  assert_int_equal(errs.count, 0);
  assert_json(json_object_get(json_object_get(ok, "ops"), "small"), "{\"config\":{\"count\":5}}");
  json_decref(ok);

  arena_free(a);
  defs_config_registry_free(r);
  defs_definitions_release(d);
  buf_free(&err);
}

static void test_validate_missing_inputs(void **state) {
  (void)state;
  defs_definitions *d = load_text(inputs_defs);
  defs_config_registry *r = defs_config_registry_new();
  arena *a = arena_new(0);
  defs_config_errors errs;
  defs_config_errors_init(&errs, a);
  assert_null(
      validate(r, d, "j", "{\"resources\": {\"db\": {\"config\": {\"url\": \"x\"}}}}", &errs));
  assert_int_equal(errs.count, 1);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_MISSING_REQUIRED_FIELD);
  assert_string_equal(errs.items[0].path_text, "");
  assert_string_equal(errs.items[0].names[0], "ops");

  /* Inputs given as scalars and through the loader's selector. */
  defs_config_errors_init(&errs, a);
  json_t *ok = validate(r, d, "j",
                        "{\"resources\": {\"db\": {\"config\": {\"url\": \"x\"}}}, \"ops\": "
                        "{\"take\": {\"inputs\": {\"n\": 1, \"f\": {\"value\": 2}, \"s\": \"s\", "
                        "\"b\": true, \"a\": {\"json\": {\"path\": \"p\"}}, \"l\": [1, {\"value\": "
                        "2}], \"o\": null}}}}",
                        &errs);
  assert_int_equal(errs.count, 0);
  assert_non_null(ok);
  assert_json(json_object_get(json_object_get(json_object_get(ok, "ops"), "take"), "inputs"),
              "{\"a\":{\"json\":{\"path\":\"p\"}},\"b\":true,\"f\":{\"value\":2.0},\"l\":[1,{"
              "\"value\":2}],\"n\":1,\"o\":null,\"s\":\"s\"}");
  json_decref(ok);

  /* A wrong input value: the error names the input's path. */
  defs_config_errors_init(&errs, a);
  assert_null(validate(r, d, "j",
                       "{\"resources\": {\"db\": {\"config\": {\"url\": \"x\"}}}, \"ops\": "
                       "{\"take\": {\"inputs\": {\"n\": \"one\", \"f\": 1, \"s\": \"s\", "
                       "\"b\": true, \"a\": 1, \"l\": [], \"o\": null}}}}",
                       &errs));
  assert_true(errs.count >= 1);
  assert_string_equal(errs.items[0].path_text, "root:ops:take:inputs:a");
  arena_free(a);
  defs_config_registry_free(r);
  defs_definitions_release(d);
}

/* ---- Default run config --------------------------------------------------------- */

static void test_default_run_config_yaml(void **state) {
  (void)state;
  buf err, out;
  buf_init(&err, NULL);
  buf_init(&out, NULL);
  defs_definitions *d = defs_load_file("examples/hello/defs.yaml", &err);
  assert_non_null(d);
  defs_config_registry *r = defs_config_registry_new();
  assert_true(defs_job_default_run_config_yaml(r, d, defs_find_job(d, "hello_etl"), &out, &err));
  assert_string_equal(buf_cstr(&out), "execution:\n"
                                      "  config:\n"
                                      "    multiprocess:\n"
                                      "      max_concurrent: 2\n"
                                      "      retries:\n"
                                      "        enabled: {}\n"
                                      "loggers: {}\n"
                                      "ops:\n"
                                      "  large:\n"
                                      "    config:\n"
                                      "      count: 100\n"
                                      "  load: {}\n"
                                      "  small:\n"
                                      "    config:\n"
                                      "      count: 3\n"
                                      "  transform:\n"
                                      "    config:\n"
                                      "      mode: sum\n"
                                      "      scale: 1.0\n"
                                      "resources:\n"
                                      "  io_manager: {}\n"
                                      "  warehouse:\n"
                                      "    config:\n"
                                      "      path: /tmp/dagd-hello-warehouse\n");
  defs_config_registry_free(r);
  defs_definitions_release(d);

  /* An in_process job's base config selects in_process; a job's own
   * `execution` in its config wins. */
  d = load_text(inputs_defs);
  json_t *base = defs_job_base_run_config(defs_find_job(d, "lone"));
  assert_json(base, "{\"execution\":{\"config\":{\"in_process\":{}}}}");
  json_decref(base);
  defs_definitions_release(d);
  d = load_text("ops:\n  o: {command: [\"true\"]}\n"
                "jobs:\n  j:\n    ops: {o: }\n    execution: in_process\n"
                "    config: {execution: {config: {multiprocess: {}}}}\n");
  base = defs_job_base_run_config(defs_find_job(d, "j"));
  assert_json(base, "{\"execution\":{\"config\":{\"multiprocess\":{}}}}");
  json_decref(base);
  defs_definitions_release(d);
  buf_free(&out);
  buf_free(&err);
}

/* ---- Graphs ------------------------------------------------------------------ */

/* `outer` holds the graph `inner`, which maps its input onto `normalize`
 * and leaves `add.scale` unconnected; `open` holds `inner` with its input
 * unconnected. */
static const char *graph_defs = "resources:\n"
                                "  db: {config: {url: String}}\n"
                                "ops:\n"
                                "  emit: {command: [x], outputs: {numbers: \"[Int]\"}}\n"
                                "  normalize:\n"
                                "    command: [x]\n"
                                "    config: {factor: {type: Int, default: 2}}\n"
                                "    inputs: {batches: \"[[Int]]\"}\n"
                                "    outputs: {result: \"[Int]\"}\n"
                                "  add:\n"
                                "    command: [x]\n"
                                "    resources: [db]\n"
                                "    inputs: {numbers: \"[Int]\", scale: Float}\n"
                                "    outputs: {total: Int}\n"
                                "graphs:\n"
                                "  inner:\n"
                                "    inputs: {batches: normalize.batches}\n"
                                "    outputs: {total: add.total}\n"
                                "    ops:\n"
                                "      normalize:\n"
                                "      add: {inputs: {numbers: normalize.result}}\n"
                                "  outer:\n"
                                "    inputs: {batches: inner.batches}\n"
                                "    outputs: {total: inner.total}\n"
                                "    ops: {inner: }\n"
                                "  open:\n"
                                "    ops: {inner: }\n"
                                "jobs:\n"
                                "  wired:\n"
                                "    ops:\n"
                                "      emit:\n"
                                "      outer: {inputs: {batches: [emit.numbers]}}\n"
                                "  loose:\n"
                                "    ops: {outer: , open: }\n";

static void test_graph_schema(void **state) {
  (void)state;
  defs_definitions *d = load_text(graph_defs);
  defs_config_registry *r = defs_config_registry_new();
  const defs_config_type *root = schema(r, d, "wired");
  /* A graph node's Shape holds `ops` (alias `solids`), no `config`. */
  const defs_config_type *outer = at(root, "ops:outer")->type;
  assert_int_equal(outer->n_fields, 1);
  assert_string_equal(outer->fields[0].name, "ops");
  assert_null(defs_config_field_get(outer, "config"));
  assert_null(defs_config_field_get(outer, "inputs"));
  assert_int_equal(outer->n_aliases, 1);
  assert_string_equal(outer->aliases[0].field, "ops");
  assert_string_equal(outer->aliases[0].alias, "solids");
  assert_int_equal(at(root, "ops:outer:ops")->type->n_aliases, 1);
  /* Inner inputs mapped from the graph's input take no config; the op
   * nodes inside keep their config. */
  assert_null(defs_config_field_get(at(root, "ops:outer:ops:inner")->type, "inputs"));
  assert_null(defs_config_field_get(at(root, "ops:outer:ops:inner:ops:normalize")->type, "inputs"));
  const defs_config_field *factor = at(root, "ops:outer:ops:inner:ops:normalize:config:factor");
  assert_false(factor->is_required);
  assert_string_equal(factor->default_json, "2");
  /* The unconnected `add.scale` is required, and so is every level above. */
  const defs_config_field *scale = at(root, "ops:outer:ops:inner:ops:add:inputs:scale");
  assert_true(scale->is_required);
  assert_string_equal(scale->type->key,
                      "ScalarUnion.Float-Selector.d00a37e3807d37c9f69cc62997c4a5f4a176e5c3");
  assert_null(
      defs_config_field_get(at(root, "ops:outer:ops:inner:ops:add:inputs")->type, "numbers"));
  assert_true(at(root, "ops:outer:ops:inner:ops:add")->is_required);
  assert_true(at(root, "ops:outer:ops:inner")->is_required);
  assert_true(at(root, "ops:outer")->is_required);
  assert_false(at(root, "ops:emit")->is_required);
  /* An op two graphs down requires db. */
  assert_true(at(root, "resources:db")->is_required);

  /* Unconnected graph inputs: the job's graph node takes `batches` under
   * its own `inputs`, typed as the inner input; inside `open`, the graph
   * node `inner` takes it. */
  const defs_config_type *loose = schema(r, d, "loose");
  const defs_config_field *batches = at(loose, "ops:outer:inputs:batches");
  assert_true(batches->is_required);
  assert_string_equal(
      batches->type->key,
      "Array.Array.ScalarUnion.Int-Selector.a9799b971d12ace70a2d8803c883c863417d0725");
  assert_null(defs_config_field_get(at(loose, "ops:outer:ops:inner")->type, "inputs"));
  assert_ptr_equal(at(loose, "ops:open:ops:inner:inputs:batches")->type, batches->type);
  assert_null(defs_config_field_get(at(loose, "ops:open")->type, "inputs"));
  /* The same graph wired alike gives the same node type. */
  assert_ptr_equal(at(loose, "ops:outer:ops:inner")->type, at(root, "ops:outer:ops:inner")->type);
  defs_config_registry_free(r);
  defs_definitions_release(d);
}

static void test_validate_graph(void **state) {
  (void)state;
  defs_definitions *d = load_text(graph_defs);
  defs_config_registry *r = defs_config_registry_new();
  arena *a = arena_new(0);
  defs_config_errors errs;
  const char *db = "\"resources\": {\"db\": {\"config\": {\"url\": \"u\"}}}";
  char cfg[512];

  /* A wrong value and a missing input, two graphs down. */
  defs_config_errors_init(&errs, a);
  snprintf(cfg, sizeof cfg,
           "{%s, \"ops\": {\"outer\": {\"ops\": {\"inner\": {\"ops\": {\"normalize\": "
           "{\"config\": {\"factor\": \"x\"}}, \"add\": {}}}}}}}",
           db);
  assert_null(validate(r, d, "wired", cfg, &errs));
  assert_int_equal(errs.count, 2);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_MISSING_REQUIRED_FIELD);
  assert_string_equal(errs.items[0].path_text, "root:ops:outer:ops:inner:ops:add");
  assert_string_equal(errs.items[0].names[0], "inputs");
  assert_int_equal(errs.items[1].reason, DEFS_CONFIG_RUNTIME_TYPE_MISMATCH);
  assert_string_equal(errs.items[1].path_text,
                      "root:ops:outer:ops:inner:ops:normalize:config:factor");

  /* A graph node takes no `config`, and its inner ops are not its fields. */
  defs_config_errors_init(&errs, a);
  snprintf(cfg, sizeof cfg,
           "{%s, \"ops\": {\"outer\": {\"config\": {}, \"ops\": {\"inner\": {\"ops\": {\"add\": "
           "{\"inputs\": {\"scale\": 1.5}}}, \"config\": 1}}}}}",
           db);
  assert_null(validate(r, d, "wired", cfg, &errs));
  assert_int_equal(errs.count, 2);
  assert_int_equal(errs.items[0].reason, DEFS_CONFIG_FIELD_NOT_DEFINED);
  assert_string_equal(errs.items[0].path_text, "root:ops:outer");
  assert_string_equal(errs.items[0].names[0], "config");
  assert_int_equal(errs.items[1].reason, DEFS_CONFIG_FIELD_NOT_DEFINED);
  assert_string_equal(errs.items[1].path_text, "root:ops:outer:ops:inner");
  assert_string_equal(errs.items[1].names[0], "config");

  /* Valid, through the `solids` alias: defaults filled in at every depth. */
  defs_config_errors_init(&errs, a);
  snprintf(cfg, sizeof cfg,
           "{%s, \"ops\": {\"outer\": {\"solids\": {\"inner\": {\"ops\": {\"add\": {\"inputs\": "
           "{\"scale\": 1.5}}}}}}}}",
           db);
  json_t *ok = validate(r, d, "wired", cfg, &errs);
  assert_int_equal(errs.count, 0);
  assert_non_null(ok);
  assert_json(json_object_get(ok, "ops"),
              "{\"emit\":{},\"outer\":{\"ops\":{\"inner\":{\"ops\":{\"add\":{\"inputs\":{\"scale\":"
              "1.5}},\"normalize\":{\"config\":{\"factor\":2}}}}}}}");
  json_decref(ok);
  arena_free(a);
  defs_config_registry_free(r);
  defs_definitions_release(d);
}

static void test_graph_default_run_config_yaml(void **state) {
  (void)state;
  defs_definitions *d = load_text("ops:\n"
                                  "  emit: {command: [x], outputs: {numbers: \"[Int]\"}}\n"
                                  "  normalize:\n"
                                  "    command: [x]\n"
                                  "    config: {factor: {type: Int, default: 2}}\n"
                                  "    inputs: {batches: \"[[Int]]\"}\n"
                                  "graphs:\n"
                                  "  inner: {inputs: {b: normalize.batches}, ops: {normalize: }}\n"
                                  "  outer: {inputs: {b: inner.b}, ops: {inner: }}\n"
                                  "jobs:\n"
                                  "  j:\n"
                                  "    execution: in_process\n"
                                  "    ops:\n"
                                  "      emit:\n"
                                  "      outer: {inputs: {b: [emit]}}\n");
  defs_config_registry *r = defs_config_registry_new();
  buf out, err;
  buf_init(&out, NULL);
  buf_init(&err, NULL);
  assert_true(defs_job_default_run_config_yaml(r, d, defs_find_job(d, "j"), &out, &err));
  assert_string_equal(buf_cstr(&out), "execution:\n"
                                      "  config:\n"
                                      "    in_process:\n"
                                      "      retries:\n"
                                      "        enabled: {}\n"
                                      "loggers: {}\n"
                                      "ops:\n"
                                      "  emit: {}\n"
                                      "  outer:\n"
                                      "    ops:\n"
                                      "      inner:\n"
                                      "        ops:\n"
                                      "          normalize:\n"
                                      "            config:\n"
                                      "              factor: 2\n"
                                      "resources:\n"
                                      "  io_manager: {}\n");
  buf_free(&out);
  buf_free(&err);
  defs_config_registry_free(r);
  defs_definitions_release(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hello_schema),
      cmocka_unit_test(test_input_config_types),
      cmocka_unit_test(test_io_manager_only_matches_dagster),
      cmocka_unit_test(test_validate_hello),
      cmocka_unit_test(test_validate_missing_inputs),
      cmocka_unit_test(test_default_run_config_yaml),
      cmocka_unit_test(test_graph_schema),
      cmocka_unit_test(test_validate_graph),
      cmocka_unit_test(test_graph_default_run_config_yaml),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
