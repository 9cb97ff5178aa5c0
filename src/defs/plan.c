/* plan.c — a job's execution plan: one step per op instance, graphs flattened.
 *
 * Building goes in four passes over draft steps: collect every op node
 * (descending into graph nodes, the handle growing "outer.inner.op"),
 * resolve each input to the step outputs that feed it (or to its place in
 * the run config), compute each step's topological level, and lay the steps
 * out in Dagster's order — by level, each level sorted by key, as Dagster's
 * get_steps_to_execute_by_level sorts the levels of its toposort.
 *
 * Resolution follows Dagster's graph mappings: a source that is a graph
 * node's output leads through the graph's output mapping to the inner node's
 * output (recursively), and an input mapped from a graph input is fed by
 * whatever feeds that input of the graph node one level up. */
#include "defs/plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/strmap.h"

typedef struct builder {
  arena *a;
  defs_step *steps; /* drafts, in collection order */
  size_t n_steps, cap_steps;
  strmap by_key; /* key → draft index + 1 (never NULL) */
} builder;

/* The handle of the first depth nodes of path, joined by dots. */
static char *handle(arena *a, const defs_node *const *path, size_t depth) {
  buf b;
  buf_init(&b, a);
  buf_puts(&b, "");
  for (size_t i = 0; i < depth; i++)
    buf_printf(&b, "%s%s", i ? "." : "", path[i]->name);
  return b.data;
}

static const defs_node **path_push(arena *a, const defs_node *const *path, size_t depth,
                                   const defs_node *node) {
  const defs_node **p = ARENA_ARRAY(a, const defs_node *, depth + 1);
  if (depth)
    memcpy(p, path, depth * sizeof *p);
  p[depth] = node;
  return p;
}

/* Pass 1: a draft step for every op node under the nodes (inside the
 * container at path[0..depth)). */
static void collect(builder *B, const defs_node *nodes, size_t n, const defs_node *const *path,
                    size_t depth) {
  for (size_t i = 0; i < n; i++) {
    const defs_node *node = &nodes[i];
    const defs_node **p = path_push(B->a, path, depth, node);
    if (node->graph) {
      collect(B, node->graph->nodes, node->graph->n_nodes, p, depth + 1);
      continue;
    }
    if (B->n_steps == B->cap_steps) {
      size_t cap = B->cap_steps ? B->cap_steps * 2 : 16;
      B->steps =
          arena_realloc(B->a, B->steps, B->cap_steps * sizeof *B->steps, cap * sizeof *B->steps);
      B->cap_steps = cap;
    }
    defs_step *s = &B->steps[B->n_steps++];
    *s =
        (defs_step){.key = handle(B->a, p, depth + 1), .node = node, .path = p, .depth = depth + 1};
    strmap_put(&B->by_key, B->a, s->key, (void *)(uintptr_t)B->n_steps);
  }
}

/* Pass 2: where an output of node (inside the container at path[0..depth))
 * really comes from: the op node's step, or through a graph's output
 * mapping the inner node's output. The step pointer is a draft's. */
static defs_step_source resolve_output(builder *B, const defs_node *const *path, size_t depth,
                                       const defs_node *node, const defs_io *output) {
  const defs_node **p = path_push(B->a, path, depth, node);
  if (!node->graph) {
    size_t i = (uintptr_t)strmap_get(&B->by_key, handle(B->a, p, depth + 1));
    return (defs_step_source){&B->steps[i - 1], output};
  }
  /* output is one of the graph's outputs, each with its mapping at its index. */
  const defs_output_mapping *m = &node->graph->output_mappings[output - node->graph->outputs];
  return resolve_output(B, p, depth + 1, m->node, m->node_output);
}

/* Fills in how the input bound by b of the node path[depth - 1] is fed:
 * its own sources, those of the graph input it is mapped from (one level
 * up, recursively), or else the run config at the level where it is left
 * unconnected. */
static void resolve_input(builder *B, const defs_node *const *path, size_t depth,
                          const defs_binding *b, defs_step_input *out) {
  if (b && b->n_sources) {
    defs_step_source *src = ARENA_ARRAY(B->a, defs_step_source, b->n_sources);
    for (size_t i = 0; i < b->n_sources; i++)
      src[i] = resolve_output(B, path, depth - 1, b->sources[i].node, b->sources[i].output);
    out->sources = src;
    out->n_sources = b->n_sources;
    out->fan_in = b->fan_in;
    return;
  }
  if (b && b->graph_input && depth > 1) {
    /* Bindings are one per input, in the definition's order. */
    const defs_node *graph_node = path[depth - 2];
    const defs_binding *outer = &graph_node->inputs[b->graph_input - graph_node->graph->inputs];
    resolve_input(B, path, depth - 1, outer, out);
    return;
  }
  if (out->input->type->kind == DEFS_TYPE_NOTHING)
    return;
  const char **cp = ARENA_ARRAY(B->a, const char *, 2 * depth + 2);
  for (size_t i = 0; i < depth; i++) {
    cp[2 * i] = "ops";
    cp[2 * i + 1] = path[i]->name;
  }
  cp[2 * depth] = "inputs";
  cp[2 * depth + 1] = b ? b->input->name : out->input->name;
  out->config_path = cp;
  out->config_path_len = 2 * depth + 2;
}

static void resolve_step(builder *B, defs_step *s) {
  const defs_op *op = s->node->op;
  defs_step_input *ins = ARENA_ARRAY(B->a, defs_step_input, op->n_inputs + 1);
  for (size_t i = 0; i < op->n_inputs; i++) {
    ins[i].input = &op->inputs[i];
    resolve_input(B, s->path, s->depth, s->node->inputs ? &s->node->inputs[i] : NULL, &ins[i]);
  }
  s->inputs = ins;
  s->n_inputs = op->n_inputs;
}

/* Pass 3: 0 without upstream steps, else one more than the highest upstream
 * level (the loader guarantees a DAG). level < 0: not computed yet. */
static int level_of(defs_step *s) {
  if (s->level >= 0)
    return s->level;
  int level = 0;
  for (size_t i = 0; i < s->n_inputs; i++)
    for (size_t j = 0; j < s->inputs[i].n_sources; j++) {
      int up = level_of((defs_step *)s->inputs[i].sources[j].step) + 1;
      if (up > level)
        level = up;
    }
  s->level = level;
  return level;
}

static int cmp_step_ptr(const void *x, const void *y) {
  const defs_step *a = *(const defs_step *const *)x, *b = *(const defs_step *const *)y;
  if (a->level != b->level)
    return a->level < b->level ? -1 : 1;
  return strcmp(a->key, b->key);
}

const defs_plan *defs_plan_build(const defs_job *job, arena *a) {
  builder B = {.a = a};
  collect(&B, job->nodes, job->n_nodes, NULL, 0);
  for (size_t i = 0; i < B.n_steps; i++) {
    resolve_step(&B, &B.steps[i]);
    B.steps[i].level = -1;
  }
  const defs_step **sorted = ARENA_ARRAY(a, const defs_step *, B.n_steps + 1);
  for (size_t i = 0; i < B.n_steps; i++) {
    level_of(&B.steps[i]);
    sorted[i] = &B.steps[i];
  }
  qsort(sorted, B.n_steps, sizeof *sorted, cmp_step_ptr);

  /* Pass 4: the steps in order, their sources repointed from the drafts. */
  size_t *rank = ARENA_ARRAY(a, size_t, B.n_steps + 1);
  for (size_t i = 0; i < B.n_steps; i++)
    rank[sorted[i] - B.steps] = i;
  defs_step *steps = ARENA_ARRAY(a, defs_step, B.n_steps + 1);
  for (size_t i = 0; i < B.n_steps; i++) {
    steps[i] = *sorted[i];
    steps[i].index = i;
    for (size_t k = 0; k < steps[i].n_inputs; k++) {
      defs_step_input *in = (defs_step_input *)&steps[i].inputs[k];
      for (size_t j = 0; j < in->n_sources; j++) {
        defs_step_source *src = (defs_step_source *)&in->sources[j];
        src->step = &steps[rank[src->step - B.steps]];
      }
    }
  }
  defs_plan *p = ARENA_NEW(a, defs_plan);
  p->steps = steps;
  p->n_steps = B.n_steps;
  return p;
}

const defs_step *defs_plan_step(const defs_plan *p, const char *key) {
  for (size_t i = 0; i < p->n_steps; i++)
    if (strcmp(p->steps[i].key, key) == 0)
      return &p->steps[i];
  return NULL;
}

static bool feeds(const defs_step *up, const defs_step *s) {
  for (size_t i = 0; i < s->n_inputs; i++)
    for (size_t j = 0; j < s->inputs[i].n_sources; j++)
      if (s->inputs[i].sources[j].step == up)
        return true;
  return false;
}

const defs_step *const *defs_plan_downstream(const defs_plan *p, const defs_step *step, arena *a,
                                             size_t *n) {
  const defs_step **out = ARENA_ARRAY(a, const defs_step *, p->n_steps + 1);
  *n = 0;
  for (size_t i = 0; i < p->n_steps; i++)
    if (feeds(step, &p->steps[i]))
      out[(*n)++] = &p->steps[i];
  return out;
}
