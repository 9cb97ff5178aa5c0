/* test_plan.c — unit tests for src/defs/plan.c: steps in Dagster's order
 * (topological levels, each sorted by key), levels and indices, inputs
 * resolved to upstream step outputs (fan-ins in the order written),
 * unconnected inputs resolved to their run config path (none for Nothing),
 * step lookup, downstream steps, the plan of a subset job, and graphs
 * flattened into "outer.inner" steps whose inputs resolve through the
 * graphs' input and output mappings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "defs/plan.h"
#include "defs/selection.h"

static const char *const OPS =
    "ops:\n"
    "  emit: {command: ['true'], outputs: {n: Int}}\n"
    "  add:\n"
    "    command: ['true']\n"
    "    inputs: {x: Int, y: Int}\n"
    "    outputs: {n: Int}\n"
    "  collect: {command: ['true'], inputs: {xs: '[Int]'}, outputs: {}}\n"
    "  wait:\n"
    "    command: ['true']\n"
    "    inputs: {after: Nothing, v: Int}\n"
    "    outputs: {}\n";

static const char *const JOBS = "jobs:\n"
                                "  j:\n"
                                "    ops:\n"
                                "      zed: {op: emit}\n"
                                "      e: {op: collect, inputs: {xs: [d.n, a.n, c.n]}}\n"
                                "      d: {op: add, inputs: {x: c.n, y: c.n}}\n"
                                "      c: {op: add, inputs: {x: a.n}}\n"
                                "      a: {op: emit}\n"
                                "      w: {op: wait, inputs: {after: a.n}}\n"
                                "      w2: {op: wait}\n";

typedef struct fixture {
  defs_definitions *d;
  arena *a;
} fixture;

/* Loads OPS followed by the rest. */
static defs_definitions *load(const char *rest) {
  buf text, err;
  buf_init(&text, NULL);
  buf_init(&err, NULL);
  buf_puts(&text, OPS);
  buf_puts(&text, rest);
  defs_definitions *d = defs_load_text("t.yaml", text.data, text.len, &err);
  if (!d)
    print_error("%s", err.data);
  buf_free(&text);
  buf_free(&err);
  return d;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->d = load(JOBS);
  assert_non_null(f->d);
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

/* "key@level" of every step in plan order, joined by spaces. */
static const char *layout(const defs_plan *p, arena *a) {
  buf b;
  buf_init(&b, a);
  buf_puts(&b, "");
  for (size_t i = 0; i < p->n_steps; i++) {
    assert_int_equal(p->steps[i].index, i);
    buf_printf(&b, "%s%s@%d", i ? " " : "", p->steps[i].key, p->steps[i].level);
  }
  return b.data;
}

/* The input's sources as "step.output" joined by commas, or its config path
 * as "cfg:ops/x/inputs/y", or "-" when it has neither. */
static const char *fed_by(const defs_plan *p, const char *step_key, const char *input, arena *a) {
  const defs_step *s = defs_plan_step(p, step_key);
  assert_non_null(s);
  const defs_step_input *in = NULL;
  for (size_t i = 0; i < s->n_inputs; i++)
    if (strcmp(s->inputs[i].input->name, input) == 0)
      in = &s->inputs[i];
  assert_non_null(in);
  buf b;
  buf_init(&b, a);
  buf_puts(&b, in->fan_in ? "[" : "");
  for (size_t i = 0; i < in->n_sources; i++) {
    const defs_step *up = in->sources[i].step;
    assert_ptr_equal(up, &p->steps[up->index]); /* a step of this plan */
    buf_printf(&b, "%s%s.%s", i ? "," : "", up->key, in->sources[i].output->name);
  }
  if (in->fan_in)
    buf_puts(&b, "]");
  if (in->config_path_len) {
    assert_int_equal(in->n_sources, 0);
    buf_puts(&b, "cfg:");
    for (size_t i = 0; i < in->config_path_len; i++)
      buf_printf(&b, "%s%s", i ? "/" : "", in->config_path[i]);
  }
  if (!b.len)
    buf_puts(&b, "-");
  return b.data;
}

static const char *downstream(const defs_plan *p, const char *key, arena *a) {
  size_t n;
  const defs_step *const *down = defs_plan_downstream(p, defs_plan_step(p, key), a, &n);
  buf b;
  buf_init(&b, a);
  buf_puts(&b, "");
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, "%s%s", i ? "," : "", down[i]->key);
  return b.data;
}

static void test_order_and_levels(void **state) {
  fixture *f = *state;
  const defs_plan *p = defs_plan_build(defs_find_job(f->d, "j"), f->a);
  assert_int_equal(p->n_steps, 7);
  assert_string_equal(layout(p, f->a), "a@0 w2@0 zed@0 c@1 w@1 d@2 e@3");
  const defs_step *c = defs_plan_step(p, "c");
  assert_string_equal(c->node->name, "c");
  assert_int_equal(c->depth, 1);
  assert_ptr_equal(c->path[0], c->node);
  assert_int_equal(c->n_inputs, 2);
  assert_null(defs_plan_step(p, "nope"));
  assert_null(defs_plan_step(p, "c.x"));
}

static void test_inputs(void **state) {
  fixture *f = *state;
  const defs_plan *p = defs_plan_build(defs_find_job(f->d, "j"), f->a);
  assert_string_equal(fed_by(p, "c", "x", f->a), "a.n");
  assert_string_equal(fed_by(p, "c", "y", f->a), "cfg:ops/c/inputs/y");
  assert_string_equal(fed_by(p, "d", "y", f->a), "c.n");
  /* A fan-in keeps the order written. */
  assert_string_equal(fed_by(p, "e", "xs", f->a), "[d.n,a.n,c.n]");
  assert_string_equal(fed_by(p, "w", "after", f->a), "a.n");
  assert_string_equal(fed_by(p, "w", "v", f->a), "cfg:ops/w/inputs/v");
  /* An unconnected Nothing input needs no value. */
  assert_string_equal(fed_by(p, "w2", "after", f->a), "-");
  assert_string_equal(fed_by(p, "w2", "v", f->a), "cfg:ops/w2/inputs/v");
}

static void test_downstream(void **state) {
  fixture *f = *state;
  const defs_plan *p = defs_plan_build(defs_find_job(f->d, "j"), f->a);
  assert_string_equal(downstream(p, "a", f->a), "c,w,e");
  assert_string_equal(downstream(p, "c", f->a), "d,e");
  assert_string_equal(downstream(p, "d", f->a), "e");
  assert_string_equal(downstream(p, "e", f->a), "");
  assert_string_equal(downstream(p, "zed", f->a), "");
}

static void test_subset_plan(void **state) {
  fixture *f = *state;
  buf err;
  buf_init(&err, f->a);
  const defs_job *sub =
      defs_job_subset(defs_find_job(f->d, "j"), (const char *const[]){"c+", "zed"}, 2, f->a, &err);
  assert_non_null(sub);
  const defs_plan *p = defs_plan_build(sub, f->a);
  assert_string_equal(layout(p, f->a), "c@0 zed@0 d@1 e@2");
  assert_string_equal(fed_by(p, "c", "x", f->a), "cfg:ops/c/inputs/x");
  assert_string_equal(fed_by(p, "e", "xs", f->a), "[d.n,c.n]");
}

static void test_keys_sorted_within_levels(void **state) {
  (void)state;
  /* Definition order is the reverse of key order; levels are by longest path. */
  defs_definitions *d = load("jobs:\n"
                             "  k:\n"
                             "    ops:\n"
                             "      z: {op: add, inputs: {x: b2.n, y: m.n}}\n"
                             "      m: {op: add, inputs: {x: b1.n, y: b1.n}}\n"
                             "      b2: {op: emit}\n"
                             "      b1: {op: emit}\n"
                             "      B0: {op: emit}\n");
  assert_non_null(d);
  arena *a = arena_new(0);
  const defs_plan *p = defs_plan_build(defs_find_job(d, "k"), a);
  assert_string_equal(layout(p, a), "B0@0 b1@0 b2@0 m@1 z@2");
  arena_free(a);
  defs_definitions_release(d);
}

/* Graphs: `pair` fans its input `seed` out to two inner inputs and leaves
 * `other` to whoever uses it; `outer` nests `pair` and adds an op whose `y`
 * nothing feeds. */
static const char *const GRAPHS = "graphs:\n"
                                  "  pair:\n"
                                  "    inputs:\n"
                                  "      seed: [p.x, q.x]\n"
                                  "      other: p.y\n"
                                  "    outputs:\n"
                                  "      out: q.n\n"
                                  "    ops:\n"
                                  "      p: {op: add}\n"
                                  "      q: {op: add, inputs: {y: p.n}}\n"
                                  "  outer:\n"
                                  "    inputs:\n"
                                  "      x: inner.seed\n"
                                  "    outputs:\n"
                                  "      y: inner.out\n"
                                  "    ops:\n"
                                  "      inner: {op: pair}\n"
                                  "      after: {op: add, inputs: {x: inner.out}}\n"
                                  "jobs:\n"
                                  "  g:\n"
                                  "    ops:\n"
                                  "      sink: {op: collect, inputs: {xs: [top.y, a.n]}}\n"
                                  "      top: {op: outer, inputs: {x: a.n}}\n"
                                  "      top2: {op: outer}\n"
                                  "      a: {op: emit}\n";

static void test_graphs_flattened(void **state) {
  fixture *f = *state;
  defs_definitions *d = load(GRAPHS);
  assert_non_null(d);
  const defs_plan *p = defs_plan_build(defs_find_job(d, "g"), f->a);
  assert_string_equal(layout(p, f->a), "a@0 top2.inner.p@0 top.inner.p@1 top2.inner.q@1 "
                                       "top.inner.q@2 top2.after@2 sink@3 top.after@3");
  const defs_step *s = defs_plan_step(p, "top.inner.q");
  assert_int_equal(s->depth, 3);
  assert_string_equal(s->path[0]->name, "top");
  assert_string_equal(s->path[1]->name, "inner");
  assert_ptr_equal(s->path[2], s->node);
  assert_string_equal(s->node->op->name, "add");
  assert_null(defs_plan_step(p, "top"));
  assert_null(defs_plan_step(p, "top.inner"));

  /* Through two graph input mappings (one fanned out) to a top-level step. */
  assert_string_equal(fed_by(p, "top.inner.p", "x", f->a), "a.n");
  assert_string_equal(fed_by(p, "top.inner.q", "x", f->a), "a.n");
  /* Wired inside the graph. */
  assert_string_equal(fed_by(p, "top.inner.q", "y", f->a), "top.inner.p.n");
  /* Through a graph output mapping, one level and two levels deep. */
  assert_string_equal(fed_by(p, "top.after", "x", f->a), "top.inner.q.n");
  assert_string_equal(fed_by(p, "sink", "xs", f->a), "[top.inner.q.n,a.n]");
  /* Unconnected at the level where nothing feeds them. */
  assert_string_equal(fed_by(p, "top.inner.p", "y", f->a), "cfg:ops/top/ops/inner/inputs/other");
  assert_string_equal(fed_by(p, "top.after", "y", f->a), "cfg:ops/top/ops/after/inputs/y");
  assert_string_equal(fed_by(p, "top2.inner.p", "x", f->a), "cfg:ops/top2/inputs/x");
  assert_string_equal(fed_by(p, "top2.inner.q", "x", f->a), "cfg:ops/top2/inputs/x");

  assert_string_equal(downstream(p, "a", f->a), "top.inner.p,top.inner.q,sink");
  assert_string_equal(downstream(p, "top.inner.q", f->a), "sink,top.after");
  assert_string_equal(downstream(p, "top2.inner.p", f->a), "top2.inner.q");

  /* A subset keeping the graph node but not what fed it. */
  buf err;
  buf_init(&err, f->a);
  const defs_job *sub =
      defs_job_subset(defs_find_job(d, "g"), (const char *const[]){"top+"}, 1, f->a, &err);
  assert_non_null(sub);
  p = defs_plan_build(sub, f->a);
  assert_string_equal(layout(p, f->a), "top.inner.p@0 top.inner.q@1 sink@2 top.after@2");
  assert_string_equal(fed_by(p, "top.inner.q", "x", f->a), "cfg:ops/top/inputs/x");
  assert_string_equal(fed_by(p, "sink", "xs", f->a), "[top.inner.q.n]");
  defs_definitions_release(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_order_and_levels, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inputs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_downstream, setup, teardown),
      cmocka_unit_test_setup_teardown(test_subset_plan, setup, teardown),
      cmocka_unit_test(test_keys_sorted_within_levels),
      cmocka_unit_test_setup_teardown(test_graphs_flattened, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
