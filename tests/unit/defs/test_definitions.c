/* test_definitions.c — unit tests for src/defs/definitions.c: the example
 * definitions load with their structure (ops, types, config schemas, fan-in
 * wiring, dependency order, execution config), the defaults (repository
 * name, the `result` output), and every class of loading error with its
 * exact "file:line:column: message" text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "defs/definitions.h"

/* Loads text as "t.yaml"; returns the definitions (or NULL) and the errors in *errors. */
static defs_definitions *load(const char *text, buf *errors) {
  buf_init(errors, NULL);
  return defs_load_text("t.yaml", text, strlen(text), errors);
}

/* Asserts that text fails to load with exactly these error lines. */
static void assert_errors(const char *text, const char *expected) {
  buf err;
  defs_definitions *d = load(text, &err);
  if (d || !err.data || strcmp(err.data, expected) != 0)
    print_error("got:\n%s\nexpected:\n%s\n", err.data ? err.data : "(none)", expected);
  assert_null(d);
  assert_string_equal(err.data ? err.data : "", expected);
  buf_free(&err);
}

static void test_example_loads(void **state) {
  (void)state;
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_file("examples/hello/defs.yaml", &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  assert_string_equal(d->repository_name, "hello");
  assert_int_equal(d->n_ops, 3);
  assert_int_equal(d->n_resources, 1);
  assert_int_equal(d->n_jobs, 1);

  const defs_op *ex = defs_find_op(d, "extract_numbers");
  assert_non_null(ex);
  assert_int_equal(ex->n_argv, 2);
  assert_string_equal(ex->argv[0], "sh");
  assert_string_equal(ex->argv[1], "ops/extract_numbers.sh");
  assert_null(ex->argv[2]);
  assert_null(ex->shell);
  assert_int_equal(ex->n_outputs, 1);
  assert_string_equal(ex->outputs[0].name, "numbers");
  assert_string_equal(ex->outputs[0].type->name, "List[Int]");
  assert_string_equal(ex->outputs[0].type->key, "List.Int");
  assert_int_equal(ex->n_tags, 1);
  assert_string_equal(ex->tags[0].key, "kind");
  assert_string_equal(ex->tags[0].value, "extract");
  assert_non_null(ex->config);
  assert_int_equal(ex->config->type->kind, DEFS_CONFIG_STRICT_SHAPE);
  const defs_config_field *count = defs_config_field_get(ex->config->type, "count");
  assert_non_null(count);
  assert_false(count->is_required);
  assert_string_equal(count->default_json, "5");
  assert_string_equal(count->description, "How many numbers to write.");

  const defs_op *tr = defs_find_op(d, "transform");
  assert_int_equal(tr->max_retries, 2);
  assert_true(tr->retry_delay == 0.5);
  assert_true(tr->timeout == 60);
  const defs_config_field *mode = defs_config_field_get(tr->config->type, "mode");
  assert_int_equal(mode->type->kind, DEFS_CONFIG_ENUM);
  assert_string_equal(mode->type->key, "mode");
  assert_int_equal(mode->type->n_enum_values, 2);

  const defs_op *ld = defs_find_op(d, "load");
  assert_int_equal(ld->n_outputs, 0);
  assert_int_equal(ld->n_required_resources, 1);
  assert_string_equal(ld->required_resources[0], "warehouse");
  assert_int_equal(ld->n_env, 1);
  assert_string_equal(ld->env[0].value, "C");

  const defs_resource *wh = defs_find_resource(d, "warehouse");
  assert_non_null(wh);
  assert_string_equal(wh->description, "Where loaded rows are written.");
  assert_string_equal(defs_config_field_get(wh->config->type, "path")->default_json,
                      "\"/tmp/dagd-hello-warehouse\"");

  const defs_job *job = defs_find_job(d, "hello_etl");
  assert_non_null(job);
  assert_int_equal(job->n_nodes, 4);
  assert_int_equal(job->executor, DEFS_EXECUTOR_MULTIPROCESS);
  assert_int_equal(job->max_concurrent, 2);
  assert_non_null(job->run_config);
  assert_int_equal(
      json_integer_value(json_object_get(
          json_object_get(json_object_get(json_object_get(job->run_config, "ops"), "large"),
                          "config"),
          "count")),
      100);
  const defs_node *small = defs_job_find_node(job, "small");
  assert_ptr_equal(small->op, ex);
  const defs_node *t = defs_job_find_node(job, "transform");
  assert_ptr_equal(t->op, tr);
  assert_string_equal(t->inputs[0].input->type->name, "List[List[Int]]");
  assert_true(t->inputs[0].fan_in);
  assert_int_equal(t->inputs[0].n_sources, 2);
  assert_string_equal(t->inputs[0].sources[0].node->name, "small");
  assert_string_equal(t->inputs[0].sources[1].node->name, "large");
  assert_string_equal(t->inputs[0].sources[1].output->name, "numbers");
  const defs_node *l = defs_job_find_node(job, "load");
  assert_false(l->inputs[0].fan_in);
  assert_ptr_equal(l->inputs[0].sources[0].node, t);
  const char *order[] = {"small", "large", "transform", "load"};
  for (int i = 0; i < 4; i++)
    assert_string_equal(job->order[i]->name, order[i]);
  defs_definitions_release(d);
  buf_free(&err);
}

static void test_defaults(void **state) {
  (void)state;
  buf err;
  defs_definitions *d =
      load("ops:\n"
           "  hello: {shell: echo hi}\n"
           "  after:\n"
           "    command: [\"true\"]\n"
           "    inputs: {x: Int?, y: {type: \"Optional[[String]]\"}, z: Nothing}\n"
           "jobs:\n"
           "  j:\n"
           "    execution: in_process\n"
           "    ops:\n"
           "      after: {inputs: {z: hello}}\n"
           "      hello:\n",
           &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  assert_string_equal(d->repository_name, "__repository__");
  const defs_op *hello = defs_find_op(d, "hello");
  assert_string_equal(hello->shell, "echo hi");
  assert_null(hello->argv);
  assert_null(hello->config);
  assert_int_equal(hello->n_outputs, 1);
  assert_string_equal(hello->outputs[0].name, "result");
  assert_string_equal(hello->outputs[0].type->name, "Any");
  const defs_op *after = defs_find_op(d, "after");
  assert_string_equal(after->inputs[0].type->name, "Optional[Int]");
  assert_string_equal(after->inputs[1].type->name, "Optional[List[String]]");
  assert_string_equal(after->inputs[1].type->key, "Optional.List.String");
  assert_string_equal(after->inputs[2].type->name, "Nothing");
  const defs_job *j = defs_find_job(d, "j");
  assert_int_equal(j->executor, DEFS_EXECUTOR_IN_PROCESS);
  assert_null(j->run_config);
  /* Unconnected inputs stay unconnected; the dependency comes first in the order. */
  const defs_node *n = defs_job_find_node(j, "after");
  assert_int_equal(n->inputs[0].n_sources, 0);
  assert_int_equal(n->inputs[2].n_sources, 1);
  assert_string_equal(n->inputs[2].sources[0].output->name, "result");
  assert_string_equal(j->order[0]->name, "hello");
  assert_string_equal(j->order[1]->name, "after");
  /* Sharing: a retained reference outlives the loader's. */
  defs_definitions_retain(d);
  defs_definitions_release(d);
  assert_string_equal(defs_find_op(d, "hello")->name, "hello");
  defs_definitions_release(d);
  buf_free(&err);
}

static void test_config_schemas(void **state) {
  (void)state;
  buf err;
  defs_definitions *d = load("ops:\n"
                             "  a:\n"
                             "    command: [x]\n"
                             "    config:\n"
                             "      names: [String]\n"
                             "      limit: Int?\n"
                             "      extra: Permissive\n"
                             "      pick: {selector: {one: Int, two: String}}\n"
                             "      labels: {map: Int, key_label: label}\n"
                             "      when: {scalar_union: [String, {shape: {at: Int}}]}\n"
                             "      nested: {shape: {type: String}}\n"
                             "      opt: {type: Bool, required: false}\n"
                             "      text_forms: \"[Int?]?\"\n"
                             "  b:\n"
                             "    command: [x]\n"
                             "    config: {type: Int, default: 3}\n",
                             &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  const defs_config_type *t = defs_find_op(d, "a")->config->type;
  assert_string_equal(defs_config_field_get(t, "names")->type->key, "Array.String");
  assert_string_equal(defs_config_field_get(t, "limit")->type->key, "Noneable.Int");
  assert_false(defs_config_field_get(t, "limit")->is_required);
  assert_string_equal(defs_config_field_get(t, "extra")->type->key, "Permissive");
  assert_int_equal(defs_config_field_get(t, "pick")->type->kind, DEFS_CONFIG_SELECTOR);
  assert_string_equal(defs_config_field_get(t, "labels")->type->key, "Map.String.Int:name: label");
  assert_int_equal(defs_config_field_get(t, "when")->type->kind, DEFS_CONFIG_SCALAR_UNION);
  const defs_config_type *nested = defs_config_field_get(t, "nested")->type;
  assert_int_equal(nested->kind, DEFS_CONFIG_STRICT_SHAPE);
  assert_non_null(defs_config_field_get(nested, "type"));
  assert_false(defs_config_field_get(t, "opt")->is_required);
  assert_string_equal(defs_config_field_get(t, "text_forms")->type->key,
                      "Noneable.Array.Noneable.Int");
  const defs_config_schema *b = defs_find_op(d, "b")->config;
  assert_string_equal(b->type->key, "Int");
  assert_int_equal(json_integer_value(b->default_value), 3);
  defs_definitions_release(d);
  buf_free(&err);
}

static void test_unknown_keys_and_wrong_types(void **state) {
  (void)state;
  assert_errors("repo: x\n", "t.yaml:1:1: unknown key 'repo' in a definitions file (expected one "
                             "of: repository, resources, ops, jobs)\n");
  assert_errors("ops:\n"
                "  a:\n"
                "    command: echo hi\n"
                "    timout: 3\n",
                "t.yaml:4:5: unknown key 'timout' in an op (expected one of: command, shell, "
                "description, tags, config, inputs, outputs, resources, retry_policy, timeout, "
                "env)\n"
                "t.yaml:3:14: 'command' must be a list of arguments, such as [sh, run.sh]; use "
                "'shell' for a shell command line\n");
  assert_errors("ops: [a, b]\n", "t.yaml:1:6: 'ops' must be a mapping, not a sequence\n");
  assert_errors("ops:\n  a: {command: [x], timeout: -1, retry_policy: {max_retries: many}}\n",
                "t.yaml:2:62: 'max_retries' must be an integer from 0 to 1000\n"
                "t.yaml:2:30: 'timeout' must be a non-negative number\n");
  assert_errors("ops:\n  a: {description: [x]}\n",
                "t.yaml:2:20: 'description' of an op must be a string, not a sequence\n"
                "t.yaml:2:6: op 'a' has no 'command'\n");
  assert_errors("ops:\n  a-b: {command: [x]}\n",
                "t.yaml:2:3: invalid op name 'a-b': use letters, digits and underscores\n");
  assert_errors("", "t.yaml:1:1: the definitions file is empty\n");
  assert_errors("ops: {a: [\n", "t.yaml:2:1: did not find expected node content (while parsing a "
                                "flow node at line 2, column 1)\n");
}

static void test_duplicate_names(void **state) {
  (void)state;
  assert_errors("ops:\n"
                "  a: {command: [x]}\n"
                "  a: {command: [y]}\n",
                "t.yaml:3:3: duplicate key 'a' (first at line 2, column 3)\n");
}

static void test_bad_types(void **state) {
  (void)state;
  assert_errors("ops:\n"
                "  a:\n"
                "    command: [x]\n"
                "    inputs: {x: Integer, y: \"List[Str]\", z: [Int, String]}\n"
                "    outputs: {o: {type: 3}}\n",
                "t.yaml:4:17: bad type 'Integer': expected Any, Int, Float, String, Bool, "
                "Nothing, [T], List[T], T? or Optional[T]\n"
                "t.yaml:4:29: bad type 'List[Str]': expected Any, Int, Float, String, Bool, "
                "Nothing, [T], List[T], T? or Optional[T]\n"
                "t.yaml:4:45: bad type a sequence: expected Any, Int, Float, String, Bool, "
                "Nothing, [T], List[T], T? or Optional[T]\n"
                "t.yaml:5:25: bad type '3': expected Any, Int, Float, String, Bool, Nothing, "
                "[T], List[T], T? or Optional[T]\n");
}

static void test_bad_config_schemas(void **state) {
  (void)state;
  assert_errors("ops:\n"
                "  a:\n"
                "    command: [x]\n"
                "    config:\n"
                "      n: Integer\n"
                "      l: [Int, String]\n"
                "      d: {type: Int, default: nope}\n"
                "      e: {enum: [x, x]}\n"
                "      m: {map: Int, key: [Int]}\n",
                "t.yaml:5:10: bad config schema: unknown config type 'Integer' (expected Any, "
                "Int, Float, String, Bool, Permissive, [T], T? or a mapping)\n"
                "t.yaml:6:10: bad config schema: a list type holds exactly one item type, as in "
                "[Int]\n"
                "t.yaml:8:17: bad config schema: Enum \"e\": the value \"x\" appears twice\n"
                "t.yaml:9:26: the key type of a map must be Int, Float, String or Bool\n");
  /* A default that does not fit its type is the Shape's complaint. */
  buf err;
  defs_definitions *d = load("ops:\n"
                             "  a:\n"
                             "    command: [x]\n"
                             "    config: {d: {type: Int, default: nope}}\n",
                             &err);
  assert_null(d);
  assert_string_equal(err.data,
                      "t.yaml:4:13: bad config schema: Invalid default_value for Field \"d\". "
                      "Error 1: Invalid scalar at the root. Value \"nope\" of type \"<class "
                      "'str'>\" is not valid for expected type \"Int\".\n");
  buf_free(&err);
  assert_errors("ops:\n  a: {command: [x], config: {type: Int, default: nope}}\n",
                "t.yaml:2:50: bad default: Invalid scalar at the root. Value \"nope\" of type "
                "\"<class 'str'>\" is not valid for expected type \"Int\".\n");
}

static void test_references(void **state) {
  (void)state;
  assert_errors("resources: {db: }\n"
                "ops:\n"
                "  a: {command: [x], resources: [db, cache], outputs: {o1: Int, o2: Int}}\n"
                "  b: {command: [x], inputs: {i: Any}}\n"
                "jobs:\n"
                "  j:\n"
                "    ops:\n"
                "      a:\n"
                "      b: {inputs: {i: a.o3, k: a.o1}}\n"
                "      c: {op: b, inputs: {i: a}}\n"
                "      d: {op: nope, inputs: {i: zz.o1}}\n"
                "      e: {op: b, inputs: {i: [a.o1, ghost.result]}}\n",
                "t.yaml:3:37: op 'a' requires resource 'cache', which is not defined\n"
                "t.yaml:11:15: job 'j' uses op 'nope', which is not defined\n"
                "t.yaml:9:23: op 'a' has no output 'o3'\n"
                "t.yaml:9:29: op 'b' has no input 'k'\n"
                "t.yaml:10:30: op 'a' has 2 outputs; name one, as in 'a.<output>'\n"
                "t.yaml:12:37: unknown upstream op 'ghost' in job 'j'\n");
  assert_errors("ops:\n"
                "  a: {command: [x]}\n"
                "  b: {command: [x], inputs: {i: Int}}\n"
                "jobs:\n"
                "  j: {ops: {a: , b: {inputs: {i: [a]}}}}\n",
                "t.yaml:5:34: input 'i' of op 'b' has type Int: only List, Any or Nothing inputs "
                "fan in\n");
  assert_errors("jobs:\n  j: {description: empty}\n", "t.yaml:2:6: job 'j' has no 'ops'\n");
  assert_errors("ops: {a: {command: [x]}}\njobs:\n  j: {ops: {a: }, execution: threads}\n",
                "t.yaml:3:30: 'execution' must be in_process, multiprocess or {multiprocess: "
                "{max_concurrent: N}}\n");
}

/* Dagster's typing of wired inputs: what loads, then one error of each kind. */
static void test_input_types(void **state) {
  (void)state;
  const char *ops = "ops:\n"
                    "  i: {command: [x], outputs: {o: Int}}\n"
                    "  f: {command: [x], outputs: {o: Float}}\n"
                    "  l: {command: [x], outputs: {o: \"[Int]\"}}\n"
                    "  a: {command: [x]}\n"
                    "  n: {command: [x], outputs: {o: Nothing}}\n"
                    "  take: {command: [x], inputs: {x: Int, y: Int?, z: \"[Int?]\", w: Any, "
                    "v: Nothing, ll: \"[[Int]]\", li: \"[Int]?\"}, outputs: {}}\n";
  buf text;
  buf_init(&text, NULL);
  /* Same type, Any either side, T? from T, lists item by item, Nothing
   * from anything; fan-ins into [T], [T]?, Any and Nothing. */
  buf_printf(&text,
             "%sjobs:\n  ok:\n    ops:\n      i:\n      f:\n      l:\n      a:\n      n:\n"
             "      t1: {op: take, inputs: {x: i, y: i, z: l, w: f, v: n, ll: [l, l, a], "
             "li: [i, a]}}\n"
             "      t2: {op: take, inputs: {x: a, y: a, z: a, w: [i, l, a], v: [n, i], "
             "ll: [a], li: [i]}}\n",
             ops);
  buf err;
  defs_definitions *d = load(text.data, &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  defs_definitions_release(d);
  buf_free(&err);

  buf_truncate(&text, 0);
  buf_printf(&text,
             "%sjobs:\n  bad:\n    ops:\n      i:\n      f:\n      l:\n      n:\n"
             "      t1: {op: take, inputs: {x: f, y: l.o, z: i, w: n}}\n"
             "      t2: {op: take, inputs: {ll: [i, l], li: [l.o, f], w: [n]}}\n",
             ops);
  assert_errors(text.data,
                "t.yaml:15:34: input 'x' of node 't1' has type Int, but its source 'f.o' has type "
                "Float\n"
                "t.yaml:15:40: input 'y' of node 't1' has type Optional[Int], but its source "
                "'l.o' has type List[Int]\n"
                "t.yaml:15:48: input 'z' of node 't1' has type List[Optional[Int]], but its "
                "source 'i.o' has type Int\n"
                "t.yaml:15:54: input 'w' of node 't1' has type Any, but its source 'n.o' has "
                "type Nothing\n"
                "t.yaml:16:36: input 'll' of node 't2' fans in from 'i.o' of type Int, but the "
                "input is List[List[Int]]: each source must be List[Int]\n"
                "t.yaml:16:48: input 'li' of node 't2' fans in from 'l.o' of type List[Int], but "
                "the input is Optional[List[Int]]: each source must be Int\n"
                "t.yaml:16:53: input 'li' of node 't2' fans in from 'f.o' of type Float, but the "
                "input is Optional[List[Int]]: each source must be Int\n"
                "t.yaml:16:61: input 'w' of node 't2' fans in from 'n.o' of type Nothing, but "
                "the input is Any: each source must be Any\n");
  /* The example's mistake before: two [Int] outputs fanned into [Int]. */
  assert_errors("ops:\n"
                "  e: {command: [x], outputs: {numbers: \"[Int]\"}}\n"
                "  t: {command: [x], inputs: {batches: \"[Int]\"}}\n"
                "jobs:\n"
                "  j:\n"
                "    ops:\n"
                "      small: {op: e}\n"
                "      transform: {op: t, inputs: {batches: [small.numbers]}}\n",
                "t.yaml:8:45: input 'batches' of node 'transform' fans in from 'small.numbers' of "
                "type List[Int], but the input is List[Int]: each source must be Int\n");
  buf_free(&text);
}

static void test_cycles(void **state) {
  (void)state;
  const char *ops = "ops:\n"
                    "  a: {command: [x], inputs: {i: Any}}\n";
  buf text;
  buf_init(&text, NULL);
  buf_printf(&text,
             "%sjobs:\n"
             "  j:\n"
             "    ops:\n"
             "      a: {inputs: {i: b}}\n"
             "      b: {op: a, inputs: {i: c}}\n"
             "      c: {op: a, inputs: {i: a}}\n",
             ops);
  assert_errors(text.data, "t.yaml:6:7: cycle in job 'j': a → b → c → a\n");
  buf_truncate(&text, 0);
  buf_printf(&text, "%sjobs:\n  self:\n    ops:\n      a: {inputs: {i: [a.result]}}\n", ops);
  assert_errors(text.data, "t.yaml:6:7: cycle in job 'self': a → a\n");
  buf_free(&text);
}

static void test_many_errors_are_capped(void **state) {
  (void)state;
  buf text;
  buf_init(&text, NULL);
  buf_puts(&text, "ops:\n");
  for (int i = 0; i < 25; i++)
    buf_printf(&text, "  op%d: {command: [x], bogus: 1}\n", i);
  buf err;
  defs_definitions *d = load(text.data, &err);
  assert_null(d);
  size_t lines = 0;
  for (const char *p = err.data; *p; p++)
    lines += *p == '\n';
  assert_int_equal(lines, DEFS_MAX_ERRORS + 1);
  assert_non_null(strstr(err.data, "t.yaml: 5 more errors\n"));
  buf_free(&err);
  buf_free(&text);
}

static void test_missing_file(void **state) {
  (void)state;
  buf err;
  buf_init(&err, NULL);
  assert_null(defs_load_file("tests/unit/defs/no-such-file.yaml", &err));
  assert_string_equal(
      err.data, "tests/unit/defs/no-such-file.yaml: cannot open: No such file or directory\n");
  buf_free(&err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example_loads),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_config_schemas),
      cmocka_unit_test(test_unknown_keys_and_wrong_types),
      cmocka_unit_test(test_duplicate_names),
      cmocka_unit_test(test_bad_types),
      cmocka_unit_test(test_bad_config_schemas),
      cmocka_unit_test(test_references),
      cmocka_unit_test(test_input_types),
      cmocka_unit_test(test_cycles),
      cmocka_unit_test(test_many_errors_are_capped),
      cmocka_unit_test(test_missing_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
