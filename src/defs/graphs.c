/* graphs.c — the nodes of jobs and graphs, and graphs themselves
 * (docs/definitions.md, "Jobs" and "Graphs").
 *
 * A job's and a graph's `ops:` load alike: each node's definition (an op,
 * or a graph, loaded on first use so that graphs may come in any order and
 * one that contains itself shows up on the stack of graphs being loaded),
 * then the wiring of every input against upstream outputs with Dagster's
 * type rules, then a depth-first walk for the dependency order that
 * reports the first cycle. A graph then maps its inputs onto inner inputs
 * and its outputs onto inner outputs, taking their types. The node lookups
 * of definitions.h live here too. */
#include "defs/definitions.h"

#include <string.h>

#include "defs/definitions_internal.h"

/* ---- Nodes: the wiring shared by jobs and graphs ---------------------------- */

static const defs_io *find_io(const defs_io *list, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(list[i].name, name) == 0)
      return &list[i];
  return NULL;
}

/* What a node is an instance of, for messages: "op" or "graph". */
static const char *def_kind(const defs_node *n) { return n->graph ? "graph" : "op"; }

/* "a → b → a": the names on a stack from the first occurrence of name,
 * closed by name again. */
static const char *cycle_text(defs_loader *L, const char *const *stack, size_t depth,
                              const char *name) {
  buf msg;
  buf_init(&msg, L->a);
  size_t from = 0;
  while (from < depth && strcmp(stack[from], name) != 0)
    from++;
  for (size_t j = from; j < depth; j++)
    buf_printf(&msg, "%s → ", stack[j]);
  buf_puts(&msg, name);
  return buf_cstr(&msg);
}

/* Splits a reference "node.member" (*member NULL without a dot) and finds
 * the node in c: an upstream node of an input (upstream) or the inner node
 * of a graph's mapping. Reports a reference that is not a string (form: the
 * form expected) or names no node of c. The node may lack a definition when
 * its own error was reported. */
static const defs_node *split_ref(defs_loader *L, const defs_container *c, const yaml_value *ref,
                                  bool upstream, const char *form, const char **member) {
  if (ref->kind != YAML_KIND_STR) {
    defs_fail(L, ref, "%s must be a string '%s'",
              upstream ? "an input's source" : "a graph mapping", form);
    return NULL;
  }
  const char *dot = strchr(ref->str, '.');
  const char *name = dot ? arena_strndup(L->a, ref->str, (size_t)(dot - ref->str)) : ref->str;
  *member = dot ? dot + 1 : NULL;
  const defs_node *n = strmap_get(&c->by_name, name);
  if (!n && upstream)
    defs_fail(L, ref, "unknown upstream op '%s' in %s '%s'", name, c->kind, c->name);
  else if (!n)
    defs_fail(L, ref, "graph '%s' has no node '%s'", c->name, name);
  return n;
}

/* The output of node named by member, or its only output when member is
 * NULL; reports when there is none. */
static const defs_io *node_output(defs_loader *L, const defs_node *n, const yaml_value *ref,
                                  const char *member) {
  size_t n_out;
  const defs_io *outs = defs_node_outputs(n, &n_out);
  if (member) {
    const defs_io *o = find_io(outs, n_out, member);
    if (!o)
      defs_fail(L, ref, "%s '%s' has no output '%s'", def_kind(n), n->name, member);
    return o;
  }
  if (n_out == 1)
    return &outs[0];
  defs_fail(L, ref, "%s '%s' has %zu outputs; name one, as in '%s.<output>'", def_kind(n), n->name,
            n_out, n->name);
  return NULL;
}

/* One upstream reference, "node.output" or "node" (its only output). */
static bool resolve_source(defs_loader *L, const defs_container *c, const yaml_value *ref,
                           defs_source *out) {
  const char *member;
  const defs_node *up = split_ref(L, c, ref, true, "op.output", &member);
  if (!up || (!up->op && !up->graph))
    return false;
  const defs_io *o = node_output(L, up, ref, member);
  if (!o)
    return false;
  *out = (defs_source){up, o};
  return true;
}

/* Whether an input of type in accepts a value of type out (Dagster's rule
 * for one source): Nothing accepts anything (only the ordering counts) and
 * is accepted by Nothing only (no value would arrive, as Dagster refuses);
 * otherwise the same type, Any on either side, Nullable[T] accepting T, and
 * lists whose items accept. */
static bool type_accepts(const defs_type *in, const defs_type *out) {
  if (in->kind == DEFS_TYPE_NOTHING)
    return true;
  if (out->kind == DEFS_TYPE_NOTHING)
    return false;
  if (in->kind == DEFS_TYPE_ANY || out->kind == DEFS_TYPE_ANY)
    return true;
  if (in->kind == out->kind && (in->kind == DEFS_TYPE_LIST || in->kind == DEFS_TYPE_NULLABLE))
    return type_accepts(in->inner, out->inner);
  if (in->kind == DEFS_TYPE_NULLABLE)
    return type_accepts(in->inner, out);
  return in->kind == out->kind && out->kind != DEFS_TYPE_LIST && out->kind != DEFS_TYPE_NULLABLE;
}

/* The type each source of a fan-in into type t must have (Dagster's
 * get_inner_type_for_fan_in: List[T] → T, Nullable[List[T]] → T, Any → Any),
 * NULL when t does not fan in; Nothing fans in from anything. */
static const defs_type *fan_in_item_type(const defs_type *t) {
  switch (t->kind) {
  case DEFS_TYPE_ANY:
  case DEFS_TYPE_NOTHING:
    return t;
  case DEFS_TYPE_LIST:
    return t->inner;
  case DEFS_TYPE_NULLABLE:
    return fan_in_item_type(t->inner);
  default:
    return NULL;
  }
}

/* Reports a source whose output type the input does not accept; item is
 * the type each source must have (the input's type when not a fan-in). */
static void check_source_type(defs_loader *L, const defs_node *node, const defs_io *in, bool fan_in,
                              const defs_type *item, const yaml_value *ref,
                              const defs_source *src) {
  const defs_type *out = src->output->type;
  if (type_accepts(item, out))
    return;
  if (fan_in)
    defs_fail(L, ref,
              "input '%s' of node '%s' fans in from '%s.%s' of type %s, but the input is %s: each "
              "source must be %s",
              in->name, node->name, src->node->name, src->output->name, out->name, in->type->name,
              item->name);
  else
    defs_fail(L, ref, "input '%s' of node '%s' has type %s, but its source '%s.%s' has type %s",
              in->name, node->name, in->type->name, src->node->name, src->output->name, out->name);
}

/* The binding of one input of a node the loader is building. */
static defs_binding *binding_of(const defs_node *node, const defs_io *in) {
  size_t n;
  const defs_io *ins = defs_node_inputs(node, &n);
  return (defs_binding *)&node->inputs[in - ins];
}

/* Wires the inputs of one node from its `inputs:` mapping. */
static void wire_node(defs_loader *L, const defs_container *c, defs_node *node,
                      const yaml_value *v) {
  size_t n_in;
  const defs_io *ins = defs_node_inputs(node, &n_in);
  defs_binding *b = ARENA_ARRAY(L->a, defs_binding, n_in + 1);
  for (size_t i = 0; i < n_in; i++)
    b[i].input = &ins[i];
  node->inputs = b;
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, "'inputs' of a node"))
    return;
  const char *kind = def_kind(node), *def = defs_node_def_name(node);
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *src = v->pairs[i].value;
    const defs_io *in = k->kind == YAML_KIND_STR ? find_io(ins, n_in, k->str) : NULL;
    if (!in) {
      defs_fail(L, k, "%s '%s' has no input '%s'", kind, def, k->str ? k->str : "");
      continue;
    }
    defs_binding *bi = &b[in - ins];
    bool list = src->kind == YAML_KIND_SEQ;
    const defs_type *item = list ? fan_in_item_type(in->type) : in->type;
    if (!item) {
      /* Dagster's rule: fan-in collects a list. */
      defs_fail(L, src,
                "input '%s' of %s '%s' has type %s: only List, Any or Nothing inputs fan in",
                in->name, kind, def, in->type->name);
      continue;
    }
    size_t n = list ? src->count : 1;
    defs_source *s = ARENA_ARRAY(L->a, defs_source, n + 1);
    size_t got = 0;
    for (size_t j = 0; j < n; j++) {
      const yaml_value *ref = list ? src->items[j] : src;
      if (!resolve_source(L, c, ref, &s[got]))
        continue;
      check_source_type(L, node, in, list, item, ref, &s[got]);
      got++;
    }
    bi->sources = s;
    bi->n_sources = got;
    bi->fan_in = list;
  }
}

/* Depth-first ordering; on a cycle reports "cycle in job 'j': a → b → a" once. */
typedef struct order_state {
  const defs_container *c;
  unsigned char *mark; /* 0 new, 1 on the stack, 2 done */
  const char **stack;  /* names of the nodes on the stack */
  size_t depth;
  const defs_node **order;
  size_t n_order;
  bool cycle;
} order_state;

static void visit(defs_loader *L, order_state *st, const defs_node *n) {
  size_t i = (size_t)(n - st->c->nodes);
  if (st->mark[i] == 2 || st->cycle)
    return;
  if (st->mark[i] == 1) {
    defs_fail(L, &(yaml_value){.line = n->line, .column = n->column}, "cycle in %s '%s': %s",
              st->c->kind, st->c->name, cycle_text(L, st->stack, st->depth, n->name));
    st->cycle = true;
    return;
  }
  st->mark[i] = 1;
  st->stack[st->depth++] = n->name;
  size_t n_in = 0;
  if (n->inputs)
    defs_node_inputs(n, &n_in);
  for (size_t j = 0; j < n_in; j++)
    for (size_t s = 0; s < n->inputs[j].n_sources; s++)
      visit(L, st, n->inputs[j].sources[s].node);
  st->depth--;
  st->mark[i] = 2;
  st->order[st->n_order++] = n;
}

static void load_graph(defs_loader *L, size_t index);

/* Sets the op or graph a node names (ref); reports when there is none or
 * when the graph is being loaded, i.e. contains itself. */
static void resolve_definition(defs_loader *L, const defs_container *c, defs_node *node,
                               const yaml_value *ref) {
  const char *name = ref->kind == YAML_KIND_STR ? ref->str : NULL;
  if (name && (node->op = defs_find_op(L->d, name)) != NULL)
    return;
  const defs_graph *g = name ? defs_find_graph(L->d, name) : NULL;
  if (!g) {
    defs_fail(L, ref, "%s '%s' uses '%s', which is neither an op nor a graph", c->kind, c->name,
              name ? name : "");
    return;
  }
  size_t i = (size_t)(g - L->d->graphs);
  if (L->graph_state[i] == 1) {
    defs_fail(L, ref, "graph '%s' contains itself: %s", g->name,
              cycle_text(L, L->graph_stack, L->graph_depth, g->name));
    return;
  }
  if (L->graph_state[i] == 0)
    load_graph(L, i);
  node->graph = g;
}

/* Loads the `ops:` of a job or a graph (owner) into c: each node's
 * definition, then the wiring of every node (once all are known), then the
 * dependency order. */
void defs_load_nodes(defs_loader *L, defs_container *c, const yaml_value *owner,
                     const yaml_value *ops) {
  static const char *const node_keys[] = {"op", "inputs", NULL};
  if (!ops) {
    defs_fail(L, owner, "%s '%s' has no 'ops'", c->kind, c->name);
    return;
  }
  if (!defs_expect(L, ops, YAML_KIND_MAP, arena_printf(L->a, "'ops' of a %s", c->kind)))
    return;
  const char *what = arena_printf(L->a, "an op of a %s", c->kind);
  defs_node *nodes = ARENA_ARRAY(L->a, defs_node, ops->count + 1);
  const yaml_value **wiring = ARENA_ARRAY(L->a, const yaml_value *, ops->count + 1);
  size_t n = 0;
  for (size_t i = 0; i < ops->count; i++) {
    const yaml_value *k = ops->pairs[i].key, *nv = ops->pairs[i].value;
    if (!defs_check_name(L, k, "op"))
      continue;
    defs_node *node = &nodes[n];
    *node = (defs_node){.name = k->str, .line = k->line, .column = k->column};
    const yaml_value *def_ref = k;
    if (nv->kind != YAML_KIND_NULL && defs_expect(L, nv, YAML_KIND_MAP, what)) {
      defs_check_keys(L, nv, what, node_keys);
      if (yaml_map_get(nv, "op"))
        def_ref = yaml_map_get(nv, "op");
      wiring[n] = yaml_map_get(nv, "inputs");
    }
    resolve_definition(L, c, node, def_ref);
    strmap_put(&c->by_name, L->a, node->name, node);
    n++;
  }
  c->nodes = nodes;
  c->n_nodes = n;
  for (size_t i = 0; i < n; i++)
    if (nodes[i].op || nodes[i].graph)
      wire_node(L, c, &nodes[i], wiring[i]);
  order_state st = {.c = c,
                    .mark = ARENA_ARRAY(L->a, unsigned char, n + 1),
                    .stack = ARENA_ARRAY(L->a, const char *, n + 1),
                    .order = ARENA_ARRAY(L->a, const defs_node *, n + 1)};
  for (size_t i = 0; i < n; i++)
    visit(L, &st, &nodes[i]);
  c->order = st.order;
}

/* ---- Graphs ------------------------------------------------------------------- */

/* The targets of one graph input: "node.input", a list of them, or
 * {to: …, description: …}. Returns the reference(s) (*n of them) and sets
 * *description; NULL after reporting. */
static const yaml_value *const *input_targets(defs_loader *L, const char *name, const yaml_value *v,
                                              const char **description, size_t *n) {
  static const char *const keys[] = {"to", "description", NULL};
  *description = NULL;
  if (v->kind == YAML_KIND_MAP) {
    defs_check_keys(L, v, "a graph input", keys);
    *description = defs_opt_str(L, v, "description", "a graph input");
    const yaml_value *to = yaml_map_get(v, "to");
    if (!to) {
      defs_fail(L, v, "graph input '%s' has no 'to'", name);
      return NULL;
    }
    v = to;
  }
  if (v->kind == YAML_KIND_SEQ) {
    if (v->count == 0)
      defs_fail(L, v, "graph input '%s' maps to no input", name);
    *n = v->count;
    return (const yaml_value *const *)v->items;
  }
  *n = 1;
  const yaml_value **one = ARENA_NEW(L->a, const yaml_value *);
  *one = v;
  return one;
}

/* Maps one graph input (io, its type still unset) onto the inner input at
 * ref; returns whether it did, after reporting why not. */
static bool map_input(defs_loader *L, const defs_container *c, defs_io *io, const yaml_value *ref,
                      const defs_input_mapping *first, defs_input_mapping *out) {
  const char *member;
  const defs_node *node = split_ref(L, c, ref, false, "node.input", &member);
  if (!node || (!node->op && !node->graph))
    return false;
  size_t n_in;
  const defs_io *ins = defs_node_inputs(node, &n_in);
  const defs_io *in = member ? find_io(ins, n_in, member) : NULL;
  if (!member) {
    defs_fail(L, ref, "graph input '%s' must name an input, as in '%s.<input>'", io->name,
              node->name);
    return false;
  }
  if (!in) {
    defs_fail(L, ref, "node '%s' has no input '%s'", node->name, member);
    return false;
  }
  defs_binding *b = binding_of(node, in);
  if (b->graph_input) {
    defs_fail(L, ref, "input '%s' of node '%s' is already mapped from graph input '%s'", in->name,
              node->name, b->graph_input->name);
    return false;
  }
  if (b->n_sources || b->fan_in) {
    defs_fail(L, ref,
              "input '%s' of node '%s' is wired in its 'inputs' and mapped from graph input '%s'; "
              "give it one source",
              in->name, node->name, io->name);
    return false;
  }
  if (first && strcmp(first->node_input->type->key, in->type->key) != 0) {
    defs_fail(L, ref,
              "graph input '%s' maps to inputs of different types: '%s.%s' is %s, '%s.%s' is %s",
              io->name, first->node->name, first->node_input->name, first->node_input->type->name,
              node->name, in->name, in->type->name);
    return false;
  }
  b->graph_input = io;
  *out = (defs_input_mapping){io, node, in};
  return true;
}

/* The graph's `inputs:`: each graph input and its mappings onto inner
 * inputs; its type is theirs. */
static void graph_inputs(defs_loader *L, defs_graph *g, const defs_container *c,
                         const yaml_value *v) {
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, "'inputs' of a graph"))
    return;
  defs_io *ins = ARENA_ARRAY(L->a, defs_io, v->count + 1);
  size_t total = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *t = v->pairs[i].value;
    const yaml_value *to = t->kind == YAML_KIND_MAP ? yaml_map_get(t, "to") : t;
    total += to && to->kind == YAML_KIND_SEQ ? to->count : 1;
  }
  defs_input_mapping *maps = ARENA_ARRAY(L->a, defs_input_mapping, total + 1);
  size_t n = 0, m = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (!defs_check_name(L, k, "input"))
      continue;
    defs_io *io = &ins[n];
    *io = (defs_io){.name = k->str, .line = k->line, .column = k->column};
    size_t n_refs = 0;
    const yaml_value *const *refs =
        input_targets(L, k->str, v->pairs[i].value, &io->description, &n_refs);
    if (!refs)
      continue;
    size_t from = m;
    for (size_t j = 0; j < n_refs; j++)
      m += map_input(L, c, io, refs[j], m > from ? &maps[from] : NULL, &maps[m]);
    io->type = m > from ? maps[from].node_input->type : defs_type_any();
    n++;
  }
  g->inputs = ins;
  g->n_inputs = n;
  g->input_mappings = maps;
  g->n_input_mappings = m;
}

/* The graph's `outputs:`: each exposes an inner output, "node.output" (or
 * "node", its only output), or {from: …, description: …}. */
static void graph_outputs(defs_loader *L, defs_graph *g, const defs_container *c,
                          const yaml_value *v) {
  static const char *const keys[] = {"from", "description", NULL};
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, "'outputs' of a graph"))
    return;
  defs_io *outs = ARENA_ARRAY(L->a, defs_io, v->count + 1);
  defs_output_mapping *maps = ARENA_ARRAY(L->a, defs_output_mapping, v->count + 1);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *ref = v->pairs[i].value;
    if (!defs_check_name(L, k, "output"))
      continue;
    const char *description = NULL;
    if (ref->kind == YAML_KIND_MAP) {
      defs_check_keys(L, ref, "a graph output", keys);
      description = defs_opt_str(L, ref, "description", "a graph output");
      if (!yaml_map_get(ref, "from")) {
        defs_fail(L, ref, "graph output '%s' has no 'from'", k->str);
        continue;
      }
      ref = yaml_map_get(ref, "from");
    }
    const char *member;
    const defs_node *node = split_ref(L, c, ref, false, "node.output", &member);
    const defs_io *o = node && (node->op || node->graph) ? node_output(L, node, ref, member) : NULL;
    if (!o)
      continue;
    outs[n] = (defs_io){.name = k->str,
                        .type = o->type,
                        .description = description,
                        .line = k->line,
                        .column = k->column};
    maps[n] = (defs_output_mapping){&outs[n], node, o};
    n++;
  }
  g->outputs = outs;
  g->n_outputs = n;
  g->output_mappings = maps;
  g->n_output_mappings = n;
}

/* Loads graph `index` (its nodes first: their definitions give the types
 * of its inputs and outputs). Graphs load on demand, when a node first uses
 * one, so the stack of graphs being loaded shows a graph that contains
 * itself. */
static void load_graph(defs_loader *L, size_t index) {
  static const char *const keys[] = {"description", "inputs", "outputs", "ops", NULL};
  defs_graph *g = &L->graphs[index];
  const yaml_value *v = L->graph_yaml[index];
  L->graph_state[index] = 1;
  L->graph_stack[L->graph_depth++] = g->name;
  if (defs_expect(L, v, YAML_KIND_MAP, "a graph")) {
    defs_check_keys(L, v, "a graph", keys);
    g->description = defs_opt_str(L, v, "description", "a graph");
    defs_container c = {.kind = "graph", .name = g->name};
    defs_load_nodes(L, &c, v, yaml_map_get(v, "ops"));
    g->nodes = c.nodes;
    g->n_nodes = c.n_nodes;
    g->order = c.order;
    graph_inputs(L, g, &c, yaml_map_get(v, "inputs"));
    graph_outputs(L, g, &c, yaml_map_get(v, "outputs"));
  }
  L->graph_depth--;
  L->graph_state[index] = 2;
}

void defs_load_graphs(defs_loader *L, const yaml_value *v) {
  if (!v || !defs_expect(L, v, YAML_KIND_MAP, "'graphs'"))
    return;
  L->graphs = ARENA_ARRAY(L->a, defs_graph, v->count + 1);
  L->graph_yaml = ARENA_ARRAY(L->a, const yaml_value *, v->count + 1);
  L->graph_state = ARENA_ARRAY(L->a, unsigned char, v->count + 1);
  L->graph_stack = ARENA_ARRAY(L->a, const char *, v->count + 1);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (!defs_check_name(L, k, "graph"))
      continue;
    if (defs_find_op(L->d, k->str)) {
      defs_fail(L, k, "'%s' is defined as an op and as a graph; ops and graphs share one namespace",
                k->str);
      continue;
    }
    L->graphs[n] = (defs_graph){.name = k->str, .line = k->line, .column = k->column};
    L->graph_yaml[n] = v->pairs[i].value;
    strmap_put(&L->d->priv->graphs, L->a, k->str, &L->graphs[n]);
    n++;
  }
  L->d->graphs = L->graphs;
  L->d->n_graphs = n;
  for (size_t i = 0; i < n; i++)
    if (L->graph_state[i] == 0)
      load_graph(L, i);
}

/* ---- Lookups ------------------------------------------------------------------ */

/* The node named by the first len bytes of name. */
static const defs_node *find_node(const defs_node *nodes, size_t n, const char *name, size_t len) {
  for (size_t i = 0; i < n; i++)
    if (strncmp(nodes[i].name, name, len) == 0 && nodes[i].name[len] == '\0')
      return &nodes[i];
  return NULL;
}

const defs_node *defs_job_find_node(const defs_job *job, const char *name) {
  return find_node(job->nodes, job->n_nodes, name, strlen(name));
}

const defs_io *defs_op_input(const defs_op *op, const char *name) {
  return find_io(op->inputs, op->n_inputs, name);
}

const defs_io *defs_op_output(const defs_op *op, const char *name) {
  return find_io(op->outputs, op->n_outputs, name);
}

const defs_graph *defs_find_graph(const defs_definitions *d, const char *name) {
  return strmap_get(&d->priv->graphs, name);
}

const defs_node *defs_graph_find_node(const defs_graph *g, const char *name) {
  return find_node(g->nodes, g->n_nodes, name, strlen(name));
}

const defs_node *defs_job_node_at(const defs_job *job, const char *handle) {
  const defs_node *nodes = job->nodes, *n = NULL;
  size_t count = job->n_nodes;
  for (const char *s = handle;; s++) {
    size_t len = strcspn(s, ".");
    n = find_node(nodes, count, s, len);
    if (!n || !s[len])
      return n;
    if (!n->graph)
      return NULL;
    nodes = n->graph->nodes;
    count = n->graph->n_nodes;
    s += len;
  }
}

const char *defs_node_def_name(const defs_node *node) {
  return node->graph ? node->graph->name : node->op->name;
}

const char *defs_node_def_description(const defs_node *node) {
  return node->graph ? node->graph->description : node->op->description;
}

const defs_io *defs_node_inputs(const defs_node *node, size_t *n) {
  *n = node->graph ? node->graph->n_inputs : node->op->n_inputs;
  return node->graph ? node->graph->inputs : node->op->inputs;
}

const defs_io *defs_node_outputs(const defs_node *node, size_t *n) {
  *n = node->graph ? node->graph->n_outputs : node->op->n_outputs;
  return node->graph ? node->graph->outputs : node->op->outputs;
}
