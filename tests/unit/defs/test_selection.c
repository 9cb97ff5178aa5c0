/* test_selection.c — unit tests for src/defs/selection.c: Dagster's op
 * selection queries (names, `*` and `+` in both directions, several queries,
 * "*" for everything, surrounding spaces), the subset job (selected nodes in
 * the job's order, bindings cut at the selection's edge, fan-ins keeping
 * their selected sources, op_selection and parent), graph nodes, subsets of
 * subsets, the resolved selection, and Dagster's error for malformed or
 * unmatched queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "defs/selection.h"

/* a, b → c → d; e fans in from a, c and d; lone stands apart. */
static const char *const DEFS =
    "ops:\n"
    "  emit: {command: ['true'], outputs: {n: Int}}\n"
    "  add:\n"
    "    command: ['true']\n"
    "    inputs: {x: Int, y: Int}\n"
    "    outputs: {n: Int}\n"
    "  collect: {command: ['true'], inputs: {xs: '[Int]'}, outputs: {}}\n"
    "jobs:\n"
    "  j:\n"
    "    tags: {team: t}\n"
    "    ops:\n"
    "      e: {op: collect, inputs: {xs: [a.n, c.n, d.n]}}\n"
    "      d: {op: add, inputs: {x: c.n, y: c.n}}\n"
    "      c: {op: add, inputs: {x: a.n, y: b.n}}\n"
    "      a: {op: emit}\n"
    "      b: {op: emit}\n"
    "      lone: {op: emit}\n";

typedef struct fixture {
  defs_definitions *d;
  const defs_job *job;
  arena *a;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  buf err;
  buf_init(&err, NULL);
  f->d = defs_load_text("t.yaml", DEFS, strlen(DEFS), &err);
  if (!f->d)
    print_error("%s", err.data);
  buf_free(&err);
  assert_non_null(f->d);
  f->job = defs_find_job(f->d, "j");
  f->a = arena_new(0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  arena_free(f->a);
  defs_definitions_release(f->d);
  free(f);
  return 0;
}

/* The subset's node names in its order, joined by commas. */
static const char *names(const defs_job *job, arena *a) {
  buf b;
  buf_init(&b, a);
  buf_puts(&b, "");
  for (size_t i = 0; i < job->n_nodes; i++)
    buf_printf(&b, "%s%s", i ? "," : "", job->nodes[i].name);
  return b.data;
}

/* Selects with the queries (a NULL-terminated list) and returns the node names. */
static const char *select_names(fixture *f, const char *const *queries) {
  size_t n = 0;
  while (queries[n])
    n++;
  buf err;
  buf_init(&err, f->a);
  const defs_job *sub = defs_job_subset(f->job, queries, n, f->a, &err);
  if (!sub)
    print_error("%s\n", err.data);
  assert_non_null(sub);
  return names(sub, f->a);
}

#define SELECT(f, ...) select_names((f), (const char *const[]){__VA_ARGS__, NULL})

static void test_queries(void **state) {
  fixture *f = *state;
  assert_string_equal(SELECT(f, "c"), "c");
  assert_string_equal(SELECT(f, "*c"), "c,a,b");
  assert_string_equal(SELECT(f, "c+"), "e,d,c");
  assert_string_equal(SELECT(f, "c*"), "e,d,c");
  assert_string_equal(SELECT(f, "+d"), "d,c");
  assert_string_equal(SELECT(f, "++d"), "d,c,a,b");
  assert_string_equal(SELECT(f, "a+"), "e,c,a");
  assert_string_equal(SELECT(f, "a++"), "e,d,c,a");
  assert_string_equal(SELECT(f, "*++e"), "e,d,c,a,b"); /* `*` wins over the `+`s */
  assert_string_equal(SELECT(f, "c++*"), "e,d,c");
  assert_string_equal(SELECT(f, "+c+"), "e,d,c,a,b");
  assert_string_equal(SELECT(f, "a", "lone"), "a,lone");
  assert_string_equal(SELECT(f, "lone*", "b+"), "c,b,lone");
  assert_string_equal(SELECT(f, "  c\t"), "c");
  assert_string_equal(SELECT(f, "*"), "e,d,c,a,b,lone");
}

/* Asserts that the queries fail with exactly message. */
static void assert_invalid(fixture *f, const char *const *queries, size_t n, const char *message) {
  buf err;
  buf_init(&err, f->a);
  assert_null(defs_job_subset(f->job, queries, n, f->a, &err));
  assert_string_equal(err.data, message);
}

static void test_errors(void **state) {
  fixture *f = *state;
  static const struct {
    const char *query, *message;
  } cases[] = {
      {"nope", "No qualified ops to execute found for op_selection=['nope']"},
      {"c*+", "No qualified ops to execute found for op_selection=['c*+']"},
      {"**c", "No qualified ops to execute found for op_selection=['**c']"},
      {"+*c", "No qualified ops to execute found for op_selection=['+*c']"},
      {"", "No qualified ops to execute found for op_selection=['']"},
      {"++", "No qualified ops to execute found for op_selection=['++']"},
      {"a b", "No qualified ops to execute found for op_selection=['a b']"},
      {"C", "No qualified ops to execute found for op_selection=['C']"},
      {"it's", "No qualified ops to execute found for op_selection=[\"it's\"]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    assert_invalid(f, (const char *const[]){cases[i].query}, 1, cases[i].message);
  /* One bad query fails the whole selection, which is quoted whole. */
  assert_invalid(f, (const char *const[]){"a", "x", "c"}, 3,
                 "No qualified ops to execute found for op_selection=['a', 'x', 'c']");
  /* "*" selects everything only on its own. */
  assert_invalid(f, (const char *const[]){"*", "a"}, 2,
                 "No qualified ops to execute found for op_selection=['*', 'a']");
  assert_invalid(f, NULL, 0, "No qualified ops to execute found for op_selection=[]");
}

static const defs_binding *binding(const defs_node *node, const char *input) {
  for (size_t i = 0; i < node->op->n_inputs; i++)
    if (strcmp(node->inputs[i].input->name, input) == 0)
      return &node->inputs[i];
  fail_msg("node %s has no input %s", node->name, input);
  return NULL;
}

static bool in_job(const defs_job *job, const defs_node *node) {
  return node >= job->nodes && node < job->nodes + job->n_nodes;
}

static void test_subset_job(void **state) {
  fixture *f = *state;
  const char *const queries[] = {"a", "d+"};
  buf err;
  buf_init(&err, f->a);
  const defs_job *sub = defs_job_subset(f->job, queries, 2, f->a, &err);
  assert_non_null(sub);
  assert_string_equal(names(sub, f->a), "e,d,a");
  assert_string_equal(sub->name, "j");
  assert_ptr_equal(sub->parent, f->job);
  assert_int_equal(sub->n_op_selection, 2);
  assert_string_equal(sub->op_selection[0], "a");
  assert_string_equal(sub->op_selection[1], "d+");
  assert_int_equal(sub->n_tags, 1);
  assert_string_equal(sub->tags[0].value, "t");
  assert_null(f->job->parent);

  /* The fan-in keeps a and d (now the subset's own nodes), drops c. */
  const defs_node *e = defs_job_find_node(sub, "e");
  const defs_binding *xs = binding(e, "xs");
  assert_true(xs->fan_in);
  assert_int_equal(xs->n_sources, 2);
  assert_string_equal(xs->sources[0].node->name, "a");
  assert_string_equal(xs->sources[1].node->name, "d");
  assert_true(in_job(sub, xs->sources[0].node));
  assert_true(in_job(sub, xs->sources[1].node));
  assert_string_equal(xs->sources[1].output->name, "n");
  /* d's inputs both came from c: now unconnected. */
  const defs_node *d = defs_job_find_node(sub, "d");
  assert_int_equal(binding(d, "x")->n_sources, 0);
  assert_int_equal(binding(d, "y")->n_sources, 0);
  assert_false(binding(d, "y")->fan_in);
  /* The parent is untouched. */
  assert_int_equal(binding(defs_job_find_node(f->job, "e"), "xs")->n_sources, 3);

  /* The order: the job's, restricted (upstream first). */
  assert_string_equal(sub->order[0]->name, "a");
  assert_string_equal(sub->order[1]->name, "d");
  assert_string_equal(sub->order[2]->name, "e");
  for (size_t i = 0; i < sub->n_nodes; i++)
    assert_true(in_job(sub, sub->order[i]));

  size_t n;
  const char *const *resolved = defs_job_resolved_selection(sub, f->a, &n);
  assert_int_equal(n, 3);
  assert_string_equal(resolved[0], "a");
  assert_string_equal(resolved[1], "d");
  assert_string_equal(resolved[2], "e");
}

static void test_fan_in_emptied(void **state) {
  fixture *f = *state;
  buf err;
  buf_init(&err, f->a);
  const defs_job *sub = defs_job_subset(f->job, (const char *const[]){"e", "b"}, 2, f->a, &err);
  assert_non_null(sub);
  const defs_binding *xs = binding(defs_job_find_node(sub, "e"), "xs");
  assert_int_equal(xs->n_sources, 0);
  assert_false(xs->fan_in);
}

static void test_subset_of_subset(void **state) {
  fixture *f = *state;
  buf err;
  buf_init(&err, f->a);
  const defs_job *sub = defs_job_subset(f->job, (const char *const[]){"*d"}, 1, f->a, &err);
  assert_non_null(sub);
  /* Within the subset, d has no descendants and e is unknown. */
  const defs_job *sub2 = defs_job_subset(sub, (const char *const[]){"b*"}, 1, f->a, &err);
  assert_non_null(sub2);
  assert_string_equal(names(sub2, f->a), "d,c,b");
  assert_ptr_equal(sub2->parent, sub);
  const defs_binding *x = binding(defs_job_find_node(sub2, "c"), "x");
  assert_int_equal(x->n_sources, 0);
  const defs_binding *y = binding(defs_job_find_node(sub2, "c"), "y");
  assert_int_equal(y->n_sources, 1);
  assert_true(in_job(sub2, y->sources[0].node));
  assert_null(defs_job_subset(sub, (const char *const[]){"e"}, 1, f->a, &err));
}

/* Graph nodes are selected like op nodes; their insides come along whole. */
static void test_graph_nodes(void **state) {
  (void)state;
  static const char *const text =
      "ops:\n"
      "  emit: {command: ['true'], outputs: {n: Int}}\n"
      "  add: {command: ['true'], inputs: {x: Int}, outputs: {n: Int}}\n"
      "graphs:\n"
      "  twice:\n"
      "    inputs: {x: one.x}\n"
      "    outputs: {n: two.n}\n"
      "    ops:\n"
      "      one: {op: add}\n"
      "      two: {op: add, inputs: {x: one.n}}\n"
      "jobs:\n"
      "  j:\n"
      "    ops:\n"
      "      src: {op: emit}\n"
      "      g: {op: twice, inputs: {x: src.n}}\n"
      "      last: {op: add, inputs: {x: g.n}}\n";
  buf err;
  buf_init(&err, NULL);
  defs_definitions *d = defs_load_text("t.yaml", text, strlen(text), &err);
  if (!d)
    print_error("%s", err.data);
  buf_free(&err);
  assert_non_null(d);
  arena *a = arena_new(0);
  buf_init(&err, a);
  const defs_job *job = defs_find_job(d, "j");
  const defs_job *sub = defs_job_subset(job, (const char *const[]){"g+"}, 1, a, &err);
  assert_non_null(sub);
  assert_string_equal(names(sub, a), "g,last");
  const defs_node *g = defs_job_find_node(sub, "g");
  assert_ptr_equal(g->graph, defs_find_graph(d, "twice"));
  assert_int_equal(g->inputs[0].n_sources, 0);
  const defs_node *last = defs_job_find_node(sub, "last");
  assert_ptr_equal(last->inputs[0].sources[0].node, g);
  assert_string_equal(last->inputs[0].sources[0].output->name, "n");
  /* Inner nodes are not top-level nodes: Dagster's queries name top-level ones. */
  assert_null(defs_job_subset(job, (const char *const[]){"one"}, 1, a, &err));
  assert_string_equal(err.data, "No qualified ops to execute found for op_selection=['one']");
  arena_free(a);
  defs_definitions_release(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_subset_job, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fan_in_emptied, setup, teardown),
      cmocka_unit_test_setup_teardown(test_subset_of_subset, setup, teardown),
      cmocka_unit_test(test_graph_nodes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
