/* test_definitions.c — unit tests for src/defs/definitions.c: the example
 * definitions load with their structure (ops, types, config schemas, fan-in
 * wiring, dependency order, execution config), the defaults (repository
 * name, the `result` output), and every class of loading error with its
 * exact "file:line:column: message" text. */
/* realpath (XSI), to check the working directory. */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
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
                             "of: repository, working_directory, resources, ops, graphs, "
                             "jobs)\n");
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
  assert_errors("ops:\n  a: {command: [x], timeout: .inf, retry_policy: {delay: .nan}}\n",
                "t.yaml:2:58: 'delay' must be a non-negative number\n"
                "t.yaml:2:30: 'timeout' must be a non-negative number\n");
  assert_errors("ops:\n  a: {command: [x]}\njobs:\n  j: {ops: {a: }, config: 5}\n",
                "t.yaml:4:27: 'config' of a job must be a mapping, not an int\n");
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
                "t.yaml:11:15: job 'j' uses 'nope', which is neither an op nor a graph\n"
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

/* ---- Graphs, presets, working directory ------------------------------------ */

/* Two levels of graphs: `outer` holds `sum` (a sum_batches), whose input
 * fans out to two inner inputs; the job fans two outputs into `outer`,
 * uses sum_batches again under an alias, and reads the graphs' outputs. */
static const char *graphs_text =
    "ops:\n"
    "  emit: {command: [x], outputs: {numbers: \"[Int]\"}}\n"
    "  normalize_batches: {command: [x], inputs: {batches: \"[[Int]]\"}, "
    "outputs: {result: \"[Int]\"}}\n"
    "  add_numbers: {command: [x], inputs: {numbers: \"[Int]\", scale: Float}, "
    "outputs: {total: Int}}\n"
    "  audit: {command: [x], inputs: {rows: \"[[Int]]\"}, outputs: {}}\n"
    "  show: {command: [x], inputs: {total: Int, extra: Int}, outputs: {}}\n"
    "graphs:\n"
    "  outer:\n"
    "    inputs: {batches: sum.batches}\n"
    "    outputs: {total: {from: sum.total, description: The sum.}}\n"
    "    ops:\n"
    "      sum: {op: sum_batches}\n"
    "      show: {inputs: {total: sum}}\n"
    "  sum_batches:\n"
    "    description: Normalises each batch, then adds them up.\n"
    "    inputs:\n"
    "      batches: {to: [normalize.batches, audit.rows], description: The batches.}\n"
    "    outputs:\n"
    "      total: add.total\n"
    "    ops:\n"
    "      normalize: {op: normalize_batches}\n"
    "      audit:\n"
    "      add: {op: add_numbers, inputs: {numbers: normalize.result}}\n"
    "jobs:\n"
    "  j:\n"
    "    ops:\n"
    "      last: {op: show, inputs: {total: o.total, extra: s2}}\n"
    "      a: {op: emit}\n"
    "      b: {op: emit}\n"
    "      o: {op: outer, inputs: {batches: [a.numbers, b.numbers]}}\n"
    "      s2: {op: sum_batches}\n";

static void test_graphs(void **state) {
  (void)state;
  buf err;
  defs_definitions *d = load(graphs_text, &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  /* Definition order, although `outer` loads `sum_batches` first. */
  assert_int_equal(d->n_graphs, 2);
  assert_string_equal(d->graphs[0].name, "outer");
  assert_string_equal(d->graphs[1].name, "sum_batches");
  assert_null(defs_find_graph(d, "emit"));
  assert_null(defs_find_op(d, "outer"));

  const defs_graph *sum = defs_find_graph(d, "sum_batches");
  assert_ptr_equal(sum, &d->graphs[1]);
  assert_string_equal(sum->description, "Normalises each batch, then adds them up.");
  assert_int_equal(sum->line, 14);
  assert_int_equal(sum->column, 3);
  /* The input's type is its inner inputs'; one mapping per inner input. */
  assert_int_equal(sum->n_inputs, 1);
  assert_string_equal(sum->inputs[0].name, "batches");
  assert_string_equal(sum->inputs[0].type->key, "List.List.Int");
  assert_string_equal(sum->inputs[0].description, "The batches.");
  assert_int_equal(sum->n_input_mappings, 2);
  assert_ptr_equal(sum->input_mappings[0].input, &sum->inputs[0]);
  assert_string_equal(sum->input_mappings[0].node->name, "normalize");
  assert_string_equal(sum->input_mappings[0].node_input->name, "batches");
  assert_string_equal(sum->input_mappings[1].node->name, "audit");
  assert_string_equal(sum->input_mappings[1].node_input->name, "rows");
  assert_int_equal(sum->n_outputs, 1);
  assert_string_equal(sum->outputs[0].type->name, "Int");
  assert_null(sum->outputs[0].description);
  assert_int_equal(sum->n_output_mappings, 1);
  assert_ptr_equal(sum->output_mappings[0].output, &sum->outputs[0]);
  assert_string_equal(sum->output_mappings[0].node->name, "add");
  assert_string_equal(sum->output_mappings[0].node_output->name, "total");

  /* Inner wiring: mapped inputs point at the graph's input; `scale` of
   * `add` is neither wired nor mapped. */
  const defs_node *norm = defs_graph_find_node(sum, "normalize");
  assert_ptr_equal(norm->op, defs_find_op(d, "normalize_batches"));
  assert_null(norm->graph);
  assert_ptr_equal(norm->inputs[0].graph_input, &sum->inputs[0]);
  assert_int_equal(norm->inputs[0].n_sources, 0);
  const defs_node *add = defs_graph_find_node(sum, "add");
  assert_null(add->inputs[0].graph_input);
  assert_ptr_equal(add->inputs[0].sources[0].node, norm);
  assert_null(add->inputs[1].graph_input);
  assert_int_equal(add->inputs[1].n_sources, 0);
  assert_null(defs_graph_find_node(sum, "nope"));
  assert_string_equal(sum->order[0]->name, "normalize");
  assert_string_equal(sum->order[1]->name, "audit");
  assert_string_equal(sum->order[2]->name, "add");

  /* A graph inside a graph; a single-output graph node as a source. */
  const defs_graph *outer = defs_find_graph(d, "outer");
  const defs_node *inner = defs_graph_find_node(outer, "sum");
  assert_ptr_equal(inner->graph, sum);
  assert_null(inner->op);
  assert_ptr_equal(inner->inputs[0].graph_input, &outer->inputs[0]);
  assert_string_equal(outer->inputs[0].type->name, "List[List[Int]]");
  assert_string_equal(outer->outputs[0].description, "The sum.");
  assert_ptr_equal(outer->output_mappings[0].node_output, &sum->outputs[0]);
  const defs_node *show = defs_graph_find_node(outer, "show");
  assert_ptr_equal(show->inputs[0].sources[0].output, &sum->outputs[0]);

  /* The job: a fan-in into a graph node, an alias of a graph, graph outputs
   * as sources, ordered after the graphs. */
  const defs_job *j = defs_find_job(d, "j");
  assert_null(j->presets);
  assert_null(j->op_selection);
  assert_null(j->parent);
  const defs_node *o = defs_job_find_node(j, "o");
  assert_ptr_equal(o->graph, outer);
  assert_true(o->inputs[0].fan_in);
  assert_int_equal(o->inputs[0].n_sources, 2);
  assert_string_equal(o->inputs[0].sources[1].node->name, "b");
  const defs_node *s2 = defs_job_find_node(j, "s2");
  assert_ptr_equal(s2->graph, sum);
  assert_int_equal(s2->inputs[0].n_sources, 0);
  const defs_node *last = defs_job_find_node(j, "last");
  assert_ptr_equal(last->inputs[0].sources[0].node, o);
  assert_ptr_equal(last->inputs[1].sources[0].output, &sum->outputs[0]);
  const char *order[] = {"a", "b", "o", "s2", "last"};
  for (int i = 0; i < 5; i++)
    assert_string_equal(j->order[i]->name, order[i]);

  /* Handles and a node's definition, whichever kind. */
  assert_ptr_equal(defs_job_node_at(j, "o"), o);
  assert_ptr_equal(defs_job_node_at(j, "o.sum"), inner);
  const defs_node *deep = defs_job_node_at(j, "o.sum.add");
  assert_non_null(deep);
  assert_string_equal(defs_node_def_name(deep), "add_numbers");
  assert_ptr_equal(defs_job_node_at(j, "s2.add")->op, deep->op);
  assert_null(defs_job_node_at(j, "o.sum.add.x"));
  assert_null(defs_job_node_at(j, "o.nope"));
  assert_null(defs_job_node_at(j, "a.x"));
  assert_null(defs_job_node_at(j, "o.su"));
  assert_null(defs_job_node_at(j, ""));
  assert_string_equal(defs_node_def_name(o), "outer");
  assert_null(defs_node_def_description(o));
  assert_string_equal(defs_node_def_description(s2), "Normalises each batch, then adds them up.");
  size_t n;
  assert_ptr_equal(defs_node_inputs(s2, &n), sum->inputs);
  assert_int_equal(n, 1);
  assert_ptr_equal(defs_node_outputs(s2, &n), sum->outputs);
  assert_int_equal(n, 1);
  assert_ptr_equal(defs_node_inputs(last, &n), defs_find_op(d, "show")->inputs);
  assert_int_equal(n, 2);
  defs_definitions_release(d);
  buf_free(&err);
}

static void test_graph_errors(void **state) {
  (void)state;
  /* Names, containment, and every kind of mapping error (the nodes'
   * definitions resolve before their wiring, hence the order). */
  assert_errors("ops:\n"
                "  o: {command: [x], inputs: {i: Int, j: String}, outputs: {r: Int, s: Int}}\n"
                "  g: {command: [x]}\n"
                "graphs:\n"
                "  g: {ops: {o: }}\n"
                "  a:\n"
                "    ops: {x: {op: b}}\n"
                "  b:\n"
                "    ops: {y: {op: a}}\n"
                "  c:\n"
                "    inputs:\n"
                "      p: [n1.i, n2.j]\n"
                "      q: {to: n1.zz}\n"
                "      r: nope.i\n"
                "      s: n1.i\n"
                "      t: n3.i\n"
                "      u: n2\n"
                "      v: {description: none}\n"
                "      w: []\n"
                "    outputs:\n"
                "      out1: n1\n"
                "      out2: ghost.r\n"
                "      out3: {from: n1.t}\n"
                "      out4: {description: none}\n"
                "    ops:\n"
                "      n1: {op: o}\n"
                "      n2: {op: o}\n"
                "      n3: {op: o, inputs: {i: n1.r, k: n1.r}}\n"
                "      n4: {op: c}\n",
                "t.yaml:5:3: 'g' is defined as an op and as a graph; ops and graphs share one "
                "namespace\n"
                "t.yaml:9:19: graph 'a' contains itself: a → b → a\n"
                "t.yaml:29:16: graph 'c' contains itself: c → c\n"
                "t.yaml:28:37: op 'o' has no input 'k'\n"
                "t.yaml:12:17: graph input 'p' maps to inputs of different types: 'n1.i' is "
                "Int, 'n2.j' is String\n"
                "t.yaml:13:15: node 'n1' has no input 'zz'\n"
                "t.yaml:14:10: graph 'c' has no node 'nope'\n"
                "t.yaml:15:10: input 'i' of node 'n1' is already mapped from graph input 'p'\n"
                "t.yaml:16:10: input 'i' of node 'n3' is wired in its 'inputs' and mapped from "
                "graph input 't'; give it one source\n"
                "t.yaml:17:10: graph input 'u' must name an input, as in 'n2.<input>'\n"
                "t.yaml:18:10: graph input 'v' has no 'to'\n"
                "t.yaml:19:10: graph input 'w' maps to no input\n"
                "t.yaml:21:13: op 'n1' has 2 outputs; name one, as in 'n1.<output>'\n"
                "t.yaml:22:13: graph 'c' has no node 'ghost'\n"
                "t.yaml:23:20: op 'n1' has no output 't'\n"
                "t.yaml:24:13: graph output 'out4' has no 'from'\n");
  /* Cycles inside a graph, a graph using itself, a graph without nodes,
   * and a job's references into a graph. */
  assert_errors("ops:\n"
                "  o: {command: [x], inputs: {i: Int}, outputs: {r: Int}}\n"
                "graphs:\n"
                "  cyc:\n"
                "    ops:\n"
                "      p: {op: o, inputs: {i: q.r}}\n"
                "      q: {op: o, inputs: {i: p.r}}\n"
                "  self: {ops: {me: {op: self}}}\n"
                "  empty: {description: nothing}\n"
                "  c: {inputs: {p: n1.i}, ops: {n1: {op: o}}}\n"
                "jobs:\n"
                "  j:\n"
                "    ops:\n"
                "      x: {op: c, inputs: {p: n1.r, zz: x}}\n"
                "      y: {op: ghost}\n",
                "t.yaml:6:7: cycle in graph 'cyc': p → q → p\n"
                "t.yaml:8:25: graph 'self' contains itself: self → self\n"
                "t.yaml:9:10: graph 'empty' has no 'ops'\n"
                "t.yaml:15:15: job 'j' uses 'ghost', which is neither an op nor a graph\n"
                "t.yaml:14:30: unknown upstream op 'n1' in job 'j'\n"
                "t.yaml:14:36: graph 'c' has no input 'zz'\n");
  /* Types through graphs: a graph input takes its inner input's type, a
   * graph output its inner output's. */
  assert_errors("ops:\n"
                "  i: {command: [x], outputs: {o: Int}}\n"
                "  s: {command: [x], inputs: {x: String}, outputs: {o: String}}\n"
                "  l: {command: [x], inputs: {x: \"[Int]\"}}\n"
                "graphs:\n"
                "  g: {inputs: {x: s.x}, outputs: {o: s.o}, ops: {s: }}\n"
                "jobs:\n"
                "  j:\n"
                "    ops:\n"
                "      i:\n"
                "      g: {inputs: {x: i.o}}\n"
                "      l: {inputs: {x: [g.o]}}\n"
                "      g2: {op: g, inputs: {x: [i]}}\n",
                "t.yaml:11:23: input 'x' of node 'g' has type String, but its source 'i.o' has "
                "type Int\n"
                "t.yaml:12:24: input 'x' of node 'l' fans in from 'g.o' of type String, but the "
                "input is List[Int]: each source must be Int\n"
                "t.yaml:13:31: input 'x' of graph 'g' has type String: only List, Any or Nothing "
                "inputs fan in\n");
}

static void test_presets(void **state) {
  (void)state;
  buf err;
  defs_definitions *d = load("ops: {extract: {command: [x]}}\n"
                             "jobs:\n"
                             "  j:\n"
                             "    ops: {extract: }\n"
                             "    presets:\n"
                             "      small:\n"
                             "        config: {ops: {extract: {config: {count: 2}}}}\n"
                             "        op_selection: [\"extract+\", \"*x\"]\n"
                             "        tags: {size: small}\n"
                             "      bare:\n"
                             "      none_selected: {op_selection: []}\n",
                             &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  const defs_job *j = defs_find_job(d, "j");
  assert_int_equal(j->n_presets, 3);
  const defs_preset *p = &j->presets[0];
  assert_string_equal(p->name, "small");
  assert_int_equal(p->line, 6);
  assert_int_equal(p->column, 7);
  char *cfg = json_dumps(p->run_config, JSON_SORT_KEYS | JSON_COMPACT);
  assert_string_equal(cfg, "{\"ops\":{\"extract\":{\"config\":{\"count\":2}}}}");
  free(cfg);
  assert_int_equal(p->n_op_selection, 2);
  assert_string_equal(p->op_selection[0], "extract+");
  assert_string_equal(p->op_selection[1], "*x");
  assert_int_equal(p->n_tags, 1);
  assert_string_equal(p->tags[0].key, "size");
  assert_string_equal(p->tags[0].value, "small");
  p = &j->presets[1];
  assert_string_equal(p->name, "bare");
  assert_null(p->run_config);
  assert_null(p->op_selection);
  assert_int_equal(p->n_tags, 0);
  assert_null(j->presets[2].op_selection);
  assert_int_equal(j->presets[2].n_op_selection, 0);
  defs_definitions_release(d);
  buf_free(&err);

  assert_errors("ops: {e: {command: [x]}}\n"
                "jobs:\n"
                "  j:\n"
                "    ops: {e: }\n"
                "    presets:\n"
                "      a: {config: [1], op_selection: e, tags: [x]}\n"
                "      b: {op_selection: [e, 3, \"\"], mode: x}\n"
                "      c-d:\n"
                "      e: []\n",
                "t.yaml:6:19: 'config' of a preset must be a mapping, not a sequence\n"
                "t.yaml:6:38: 'op_selection' must be a sequence, not a string\n"
                "t.yaml:6:47: 'tags' must be a mapping, not a sequence\n"
                "t.yaml:7:37: unknown key 'mode' in a preset (expected one of: config, "
                "op_selection, tags)\n"
                "t.yaml:7:29: op selection queries must be non-empty strings\n"
                "t.yaml:7:32: op selection queries must be non-empty strings\n"
                "t.yaml:8:7: invalid preset name 'c-d': use letters, digits and underscores\n"
                "t.yaml:9:10: a preset must be a mapping, not a sequence\n");
}

/* The working directory of `path` with `working_directory: wd` (NULL: none). */
static char *working_directory(const char *path, const char *wd) {
  buf text, err;
  buf_init(&text, NULL);
  buf_init(&err, NULL);
  if (wd)
    buf_printf(&text, "working_directory: %s\n", wd);
  buf_puts(&text, "repository: r\n");
  defs_definitions *d = defs_load_text(path, text.data, text.len, &err);
  if (!d)
    print_error("%s", err.data);
  assert_non_null(d);
  char *out = strdup(d->working_directory);
  defs_definitions_release(d);
  buf_free(&text);
  buf_free(&err);
  return out;
}

static void test_working_directory(void **state) {
  (void)state;
  char *cwd = realpath(".", NULL);
  buf want;
  buf_init(&want, NULL);
  /* Default: the file's folder, made absolute. */
  char *got = working_directory("t.yaml", NULL);
  assert_string_equal(got, cwd);
  free(got);
  buf_printf(&want, "%s/tests/unit/defs", cwd);
  got = working_directory("tests/unit/defs/t.yaml", NULL);
  assert_string_equal(got, want.data);
  free(got);
  /* Relative to the file's folder, resolved when it exists... */
  got = working_directory("tests/unit/defs/t.yaml", "../../../examples/hello");
  buf_truncate(&want, 0);
  buf_printf(&want, "%s/examples/hello", cwd);
  assert_string_equal(got, want.data);
  free(got);
  /* ... joined as text when it does not. */
  got = working_directory("tests/unit/defs/t.yaml", "no/such/dir");
  buf_truncate(&want, 0);
  buf_printf(&want, "%s/tests/unit/defs/no/such/dir", cwd);
  assert_string_equal(got, want.data);
  free(got);
  /* Absolute paths stay, resolved or not. */
  got = working_directory("tests/unit/defs/t.yaml", "/");
  assert_string_equal(got, "/");
  free(got);
  got = working_directory("/somewhere/t.yaml", "/no/such/dir");
  assert_string_equal(got, "/no/such/dir");
  free(got);
  got = working_directory("/no/such/place/t.yaml", "data");
  assert_string_equal(got, "/no/such/place/data");
  free(got);
  assert_errors("working_directory: [a]\n",
                "t.yaml:1:20: 'working_directory' must be a non-empty string\n");
  assert_errors("working_directory: \"\"\n",
                "t.yaml:1:20: 'working_directory' must be a non-empty string\n");
  buf_free(&want);
  free(cwd);
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
      err.data, "tests/unit/defs/no-such-file.yaml: cannot read: No such file or directory\n");
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
      cmocka_unit_test(test_graphs),
      cmocka_unit_test(test_graph_errors),
      cmocka_unit_test(test_presets),
      cmocka_unit_test(test_working_directory),
      cmocka_unit_test(test_many_errors_are_capped),
      cmocka_unit_test(test_missing_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
