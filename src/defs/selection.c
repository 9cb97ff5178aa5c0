/* selection.c — Dagster's op selection over a job's top-level nodes.
 *
 * A query is parsed as Dagster's parse_clause reads it (after stripping
 * surrounding whitespace): an optional `*` and any number of `+` before the
 * node name, any number of `+` and an optional `*` after it; `*` means no
 * depth limit, n `+`s n levels. Ancestors and descendants are walked
 * breadth-first along the wiring up to that depth. A single query "*"
 * selects everything. Any query that is malformed or names no node fails the
 * whole selection with Dagster's InvalidSubsetError message.
 *
 * The subset job is a shallow copy: its nodes are copies of the selected
 * nodes whose bindings keep only the sources among the selection (pointing
 * at the copies), so an input fed only from outside becomes unconnected. */
#include "defs/selection.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "defs/config_internal.h"

/* A parsed query: the node's name and how far to walk each way. */
typedef struct clause {
  const char *name;
  size_t name_len;
  size_t up, down; /* SIZE_MAX: unlimited */
} clause;

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Parses "[*][+…]name[+…][*]"; false when the query is malformed. */
static bool parse_clause(const char *q, clause *out) {
  const char *s = q, *end = q + strlen(q);
  while (s < end && is_space(*s))
    s++;
  while (end > s && is_space(end[-1]))
    end--;
  bool star = s < end && *s == '*';
  s += star;
  size_t plus = 0;
  while (s < end && *s == '+')
    s++, plus++;
  out->up = star ? SIZE_MAX : plus;
  const char *name = s;
  while (s < end && *s != '+' && *s != '*')
    s++;
  if (s == name)
    return false;
  out->name = name;
  out->name_len = (size_t)(s - name);
  plus = 0;
  while (s < end && *s == '+')
    s++, plus++;
  star = s < end && *s == '*';
  s += star;
  out->down = star ? SIZE_MAX : plus;
  return s == end;
}

/* The job's wiring between top-level nodes, by node index. */
typedef struct dep_graph {
  size_t n;
  size_t **edges[2]; /* [0] upstream, [1] downstream: per node, the neighbours */
  size_t *count[2];
} dep_graph;

enum { UP = 0, DOWN = 1 };

static size_t node_index(const defs_job *job, const defs_node *node) {
  return (size_t)(node - job->nodes);
}

static void add_edge(dep_graph *g, arena *a, int dir, size_t from, size_t to) {
  size_t c = g->count[dir][from];
  for (size_t i = 0; i < c; i++)
    if (g->edges[dir][from][i] == to)
      return;
  g->edges[dir][from] =
      arena_realloc(a, g->edges[dir][from], c * sizeof(size_t), (c + 1) * sizeof(size_t));
  g->edges[dir][from][c] = to;
  g->count[dir][from] = c + 1;
}

static void build_graph(const defs_job *job, arena *a, dep_graph *g) {
  g->n = job->n_nodes;
  for (int dir = 0; dir < 2; dir++) {
    g->edges[dir] = ARENA_ARRAY(a, size_t *, g->n + 1);
    g->count[dir] = ARENA_ARRAY(a, size_t, g->n + 1);
  }
  for (size_t i = 0; i < job->n_nodes; i++) {
    const defs_node *node = &job->nodes[i];
    size_t n_inputs;
    defs_node_inputs(node, &n_inputs);
    for (size_t b = 0; node->inputs && b < n_inputs; b++)
      for (size_t s = 0; s < node->inputs[b].n_sources; s++) {
        size_t up = node_index(job, node->inputs[b].sources[s].node);
        add_edge(g, a, UP, i, up);
        add_edge(g, a, DOWN, up, i);
      }
  }
}

/* Marks the nodes within depth steps of start in one direction
 * (breadth-first, as Dagster's Traverser). */
static void walk(const dep_graph *g, int dir, size_t start, size_t depth, bool *selected,
                 arena *a) {
  size_t *queue = ARENA_ARRAY(a, size_t, g->n + 1);
  bool *seen = ARENA_ARRAY(a, bool, g->n + 1);
  size_t head = 0, tail = 0;
  queue[tail++] = start;
  for (size_t level = 0; level < depth && head < tail; level++) {
    size_t level_end = tail;
    for (; head < level_end; head++) {
      size_t cur = queue[head];
      for (size_t k = 0; k < g->count[dir][cur]; k++) {
        size_t next = g->edges[dir][cur][k];
        if (!seen[next]) {
          seen[next] = true;
          selected[next] = true;
          queue[tail++] = next;
        }
      }
    }
  }
}

/* Dagster's message: "No qualified ops to execute found for
 * op_selection=['a', 'b']" (the queries as a Python list). */
static void invalid_subset(const char *const *queries, size_t n, buf *err) {
  buf_puts(err, "No qualified ops to execute found for op_selection=[");
  for (size_t i = 0; i < n; i++) {
    if (i)
      buf_puts(err, ", ");
    defs_config_py_repr_str(queries[i], strlen(queries[i]), err);
  }
  buf_putc(err, ']');
}

/* Fills selected[] from the queries; false when one selects nothing. */
static bool select_nodes(const defs_job *job, const char *const *queries, size_t n, bool *selected,
                         arena *a) {
  if (n == 1 && strcmp(queries[0], "*") == 0) {
    for (size_t i = 0; i < job->n_nodes; i++)
      selected[i] = true;
    return true;
  }
  if (n == 0)
    return false;
  dep_graph g;
  build_graph(job, a, &g);
  for (size_t q = 0; q < n; q++) {
    clause c;
    const defs_node *node = parse_clause(queries[q], &c)
                                ? defs_job_find_node(job, arena_strndup(a, c.name, c.name_len))
                                : NULL;
    if (!node)
      return false;
    size_t i = node_index(job, node);
    selected[i] = true;
    walk(&g, UP, i, c.up, selected, a);
    walk(&g, DOWN, i, c.down, selected, a);
  }
  return true;
}

/* A copy of node whose bindings keep the sources among the selection,
 * repointed at their copies (copies[i]: the copy of job->nodes[i] or NULL). */
static void copy_node(const defs_job *job, const defs_node *node, defs_node *const *copies,
                      defs_node *out, arena *a) {
  *out = *node;
  size_t n_inputs;
  defs_node_inputs(node, &n_inputs);
  if (!node->inputs)
    return;
  defs_binding *bindings = ARENA_ARRAY(a, defs_binding, n_inputs + 1);
  for (size_t b = 0; b < n_inputs; b++) {
    const defs_binding *in = &node->inputs[b];
    defs_binding *bo = &bindings[b];
    *bo = *in;
    defs_source *kept = ARENA_ARRAY(a, defs_source, in->n_sources + 1);
    size_t n_kept = 0;
    for (size_t s = 0; s < in->n_sources; s++) {
      defs_node *copy = copies[node_index(job, in->sources[s].node)];
      if (copy)
        kept[n_kept++] = (defs_source){copy, in->sources[s].output};
    }
    bo->sources = n_kept ? kept : NULL;
    bo->n_sources = n_kept;
    bo->fan_in = in->fan_in && n_kept > 0;
  }
  out->inputs = bindings;
}

const defs_job *defs_job_subset(const defs_job *job, const char *const *queries, size_t n, arena *a,
                                buf *err) {
  bool *selected = ARENA_ARRAY(a, bool, job->n_nodes + 1);
  if (!select_nodes(job, queries, n, selected, a)) {
    invalid_subset(queries, n, err);
    return NULL;
  }
  defs_node **copies = ARENA_ARRAY(a, defs_node *, job->n_nodes + 1);
  defs_node *nodes = ARENA_ARRAY(a, defs_node, job->n_nodes + 1);
  size_t n_nodes = 0;
  for (size_t i = 0; i < job->n_nodes; i++)
    if (selected[i])
      copies[i] = &nodes[n_nodes++];
  for (size_t i = 0; i < job->n_nodes; i++)
    if (copies[i])
      copy_node(job, &job->nodes[i], copies, copies[i], a);

  const defs_node **order = ARENA_ARRAY(a, const defs_node *, n_nodes + 1);
  size_t n_order = 0;
  for (size_t i = 0; job->order && i < job->n_nodes; i++) {
    defs_node *copy = copies[node_index(job, job->order[i])];
    if (copy)
      order[n_order++] = copy;
  }

  const char **qs = ARENA_ARRAY(a, const char *, n + 1);
  for (size_t i = 0; i < n; i++)
    qs[i] = arena_strdup(a, queries[i]);

  defs_job *sub = ARENA_NEW(a, defs_job);
  *sub = *job;
  sub->nodes = nodes;
  sub->n_nodes = n_nodes;
  sub->order = order;
  sub->op_selection = qs;
  sub->n_op_selection = n;
  sub->parent = job;
  return sub;
}

static int cmp_str(const void *x, const void *y) {
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

const char *const *defs_job_resolved_selection(const defs_job *subset, arena *a, size_t *n) {
  const char **names = ARENA_ARRAY(a, const char *, subset->n_nodes + 1);
  for (size_t i = 0; i < subset->n_nodes; i++)
    names[i] = subset->nodes[i].name;
  qsort(names, subset->n_nodes, sizeof *names, cmp_str);
  *n = subset->n_nodes;
  return names;
}
