/* solids.c — what lives inside a node container: Solid (a node), its
 * SolidHandle, its definition (SolidDefinition for an op,
 * CompositeSolidDefinition for a graph), Input and Output with the
 * dependencies between nodes, InputDefinition, OutputDefinition and the
 * graph's InputMapping and OutputMapping.
 *
 * Answers follow Dagster's schema/solids.py and snap/dep_snapshot.py:
 * dependencies are those of one level (a job's top, or inside one graph),
 * so an input fed through a graph boundary depends on nothing at its own
 * level, and a graph node's output is depended on by its siblings only. */
#include <stdlib.h>
#include <string.h>

#include "api/objects.h"
#include "api/solids.h"
#include "base/arena.h"

/* ---- solids, levels, handles -------------------------------------------------- */

const api_solid *api_solid_new(const gql_resolve_info *info, const api_container *c,
                               const api_solid *parent, const defs_node *node) {
  api_solid *s = ARENA_NEW(info->arena, api_solid);
  s->top = c;
  s->node = node;
  s->parent = parent;
  s->handle_id =
      parent ? arena_printf(info->arena, "%s.%s", parent->handle_id, node->name) : node->name;
  return s;
}

/* The nodes at the level a solid lives on: its siblings and itself (the
 * enclosing graph's nodes, or the container's at the top); *n the count. */
static const defs_node *solid_level(const api_solid *s, size_t *n) {
  if (s->parent) {
    *n = s->parent->node->graph->n_nodes;
    return s->parent->node->graph->nodes;
  }
  return api_container_nodes(s->top, n);
}

static int cmp_node_ptr(const void *a, const void *b) {
  return strcmp((*(const defs_node *const *)a)->name, (*(const defs_node *const *)b)->name);
}

/* The nodes of a level sorted by name (Dagster's order for solids and for
 * the dependency index), in the arena. */
static const defs_node **sorted_nodes(arena *a, const defs_node *nodes, size_t n) {
  const defs_node **sorted = ARENA_ARRAY(a, const defs_node *, n + 1);
  for (size_t i = 0; i < n; i++)
    sorted[i] = &nodes[i];
  qsort(sorted, n, sizeof *sorted, cmp_node_ptr);
  return sorted;
}

gql_rv api_container_solids(const gql_resolve_info *info, const api_container *c) {
  size_t n;
  const defs_node *nodes = api_container_nodes(c, &n);
  const defs_node **sorted = sorted_nodes(info->arena, nodes, n);
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = api_object(info, api_solid_new(info, c, NULL, sorted[i]), "Solid");
  return list;
}

/* Whose handles a container answers: Dagster's handles are always the whole
 * job's (build_solid_handles of the job), even on a CompositeSolidDefinition;
 * under a graph on its own, the whole graph's. */
static const api_container *handles_root(const api_container *c) { return c->root ? c->root : c; }

gql_rv api_container_solid_handles_field(const gql_resolve_info *info, const api_container *c) {
  size_t n;
  const api_solid *const *handles =
      api_container_handles(info, handles_root(c), api_arg_string(info, "parentHandleID"), &n);
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = api_object(info, handles[i], "SolidHandle");
  return list;
}

gql_rv api_container_solid_handle_field(const gql_resolve_info *info, const api_container *c) {
  const char *id = api_arg_string(info, "handleID");
  size_t n;
  const api_solid *const *handles = api_container_handles(info, handles_root(c), NULL, &n);
  for (size_t i = 0; id && i < n; i++)
    if (strcmp(handles[i]->handle_id, id) == 0)
      return api_object(info, handles[i], "SolidHandle");
  return gql_rv_null();
}

/* ---- small helpers ------------------------------------------------------------ */

/* The index of the io named name in ios[0..n), or n. */
static size_t io_index(const defs_io *ios, size_t n, const char *name) {
  size_t i = 0;
  while (i < n && strcmp(ios[i].name, name) != 0)
    i++;
  return i;
}

static const api_solid_def *def_of(const gql_resolve_info *info, const api_container *top,
                                   const defs_node *node) {
  api_solid_def *d = ARENA_NEW(info->arena, api_solid_def);
  d->top = top;
  d->op = node->op;
  d->graph = node->graph;
  return d;
}

static gql_rv def_object(const gql_resolve_info *info, const api_solid_def *d) {
  return api_object(info, d, d->op ? "SolidDefinition" : "CompositeSolidDefinition");
}

static gql_rv io_object(const gql_resolve_info *info, const api_solid *s, const api_solid_def *d,
                        size_t index, const char *type_name) {
  api_io *io = ARENA_NEW(info->arena, api_io);
  io->solid = s;
  io->def = d;
  io->index = index;
  return api_object(info, io, type_name);
}

/* ---- Solid, SolidHandle ---------------------------------------------------------- */

#define SOLID(parent) ((const api_solid *)(parent))

static gql_rv s_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(SOLID(parent)->node->name);
}

static gql_rv s_definition(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return def_object(info, def_of(info, SOLID(parent)->top, SOLID(parent)->node));
}

/* Solid.inputs or .outputs: one per input or output of the definition, in
 * the definition's order. */
static gql_rv solid_ios(const gql_resolve_info *info, const api_solid *s, bool inputs) {
  size_t n;
  if (inputs)
    defs_node_inputs(s->node, &n);
  else
    defs_node_outputs(s->node, &n);
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = io_object(info, s, NULL, i, inputs ? "Input" : "Output");
  return list;
}

static gql_rv s_inputs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return solid_ios(info, SOLID(parent), true);
}

static gql_rv s_outputs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return solid_ios(info, SOLID(parent), false);
}

static gql_rv h_handle_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(SOLID(parent)->handle_id);
}

static gql_rv h_solid(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_object(info, parent, "Solid");
}

static gql_rv h_parent(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid *p = SOLID(parent)->parent;
  return p ? api_object(info, p, "SolidHandle") : gql_rv_null();
}

/* ---- Input, Output ---------------------------------------------------------------- */

#define IO(parent) ((const api_io *)(parent))

static gql_rv io_solid(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_object(info, IO(parent)->solid, "Solid");
}

static gql_rv input_definition(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid *s = IO(parent)->solid;
  return io_object(info, NULL, def_of(info, s->top, s->node), IO(parent)->index, "InputDefinition");
}

static gql_rv output_definition(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid *s = IO(parent)->solid;
  return io_object(info, NULL, def_of(info, s->top, s->node), IO(parent)->index,
                   "OutputDefinition");
}

/* The upstream outputs at the input's own level, in the order written (a
 * fan-in's order); an input mapped from the enclosing graph's input, or
 * unconnected, depends on nothing here. A source is always a node of the
 * input's own level (a subset job's sources point at its own copies). */
static gql_rv input_depends_on(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid *s = IO(parent)->solid;
  const defs_binding *b = &s->node->inputs[IO(parent)->index];
  gql_rv list = gql_rv_list(info->arena, b->n_sources);
  for (size_t i = 0; i < b->n_sources; i++) {
    const defs_node *up = b->sources[i].node;
    size_t n;
    const defs_io *outs = defs_node_outputs(up, &n);
    size_t k = io_index(outs, n, b->sources[i].output->name);
    list.u.list.items[i] =
        io_object(info, api_solid_new(info, s->top, s->parent, up), NULL, k, "Output");
  }
  return list;
}

/* The inputs at the output's level fed by it, as Dagster's dependency index
 * lists them: nodes by name, then each node's inputs in definition order. */
static gql_rv output_depended_by(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid *s = IO(parent)->solid;
  size_t n_outs;
  const char *name = defs_node_outputs(s->node, &n_outs)[IO(parent)->index].name;
  size_t n;
  const defs_node *level = solid_level(s, &n);
  const defs_node **sorted = sorted_nodes(info->arena, level, n);
  size_t count = 0, cap = 4;
  gql_rv *items = ARENA_ARRAY(info->arena, gql_rv, cap);
  for (size_t i = 0; i < n; i++) {
    const defs_node *down = sorted[i];
    size_t n_in;
    defs_node_inputs(down, &n_in);
    const api_solid *down_solid = NULL;
    for (size_t k = 0; k < n_in; k++) {
      const defs_binding *b = &down->inputs[k];
      for (size_t j = 0; j < b->n_sources; j++) {
        if (strcmp(b->sources[j].node->name, s->node->name) != 0 ||
            strcmp(b->sources[j].output->name, name) != 0)
          continue;
        if (!down_solid)
          down_solid = api_solid_new(info, s->top, s->parent, down);
        if (count == cap) {
          items = arena_realloc(info->arena, items, cap * sizeof *items, 2 * cap * sizeof *items);
          cap *= 2;
        }
        items[count++] = io_object(info, down_solid, NULL, k, "Input");
      }
    }
  }
  gql_rv list = gql_rv_list(info->arena, count);
  if (count)
    memcpy(list.u.list.items, items, count * sizeof *items);
  return list;
}

/* ---- InputDefinition, OutputDefinition ---------------------------------------------- */

static const defs_io *def_inputs(const api_solid_def *d, size_t *n) {
  if (d->op) {
    *n = d->op->n_inputs;
    return d->op->inputs;
  }
  *n = d->graph->n_inputs;
  return d->graph->inputs;
}

static const defs_io *def_outputs(const api_solid_def *d, size_t *n) {
  if (d->op) {
    *n = d->op->n_outputs;
    return d->op->outputs;
  }
  *n = d->graph->n_outputs;
  return d->graph->outputs;
}

static const defs_io *io_def(const api_io *io, bool input) {
  size_t n;
  const defs_io *ios = input ? def_inputs(io->def, &n) : def_outputs(io->def, &n);
  return &ios[io->index];
}

static gql_rv idef_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(io_def(IO(parent), true)->name);
}

static gql_rv idef_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(io_def(IO(parent), true)->description);
}

static gql_rv idef_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_dagster_type(info, io_def(IO(parent), true)->type);
}

static gql_rv odef_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(io_def(IO(parent), false)->name);
}

static gql_rv odef_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(io_def(IO(parent), false)->description);
}

static gql_rv odef_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_dagster_type(info, io_def(IO(parent), false)->type);
}

/* ---- SolidDefinition, CompositeSolidDefinition ---------------------------------------- */

#define DEF(parent) ((const api_solid_def *)(parent))

static gql_rv d_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(DEF(parent)->op ? DEF(parent)->op->name : DEF(parent)->graph->name);
}

static gql_rv d_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_string(DEF(parent)->op ? DEF(parent)->op->description
                                       : DEF(parent)->graph->description);
}

/* Dagster lists a definition's tags as its metadata; graphs have none in
 * dagd. */
static gql_rv d_metadata(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_op *op = DEF(parent)->op;
  return op ? api_pairs_list(info, op->tags, op->n_tags, "MetadataItemDefinition")
            : gql_rv_list(info->arena, 0);
}

static gql_rv def_ios(const gql_resolve_info *info, const api_solid_def *d, bool inputs) {
  size_t n;
  if (inputs)
    def_inputs(d, &n);
  else
    def_outputs(d, &n);
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] =
        io_object(info, NULL, d, i, inputs ? "InputDefinition" : "OutputDefinition");
  return list;
}

static gql_rv d_input_definitions(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return def_ios(info, DEF(parent), true);
}

static gql_rv d_output_definitions(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return def_ios(info, DEF(parent), false);
}

/* The op's `config` field as Dagster's Field resolves it (requiredness and
 * implied defaults): built as the one field of a Shape in the request's
 * registry, which applies exactly those rules. An op without a config
 * schema has Dagster's default, Field(Any, is_required=False). */
static gql_rv d_config_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_config_schema *cs = DEF(parent)->op->config;
  defs_config_field_spec spec = {.name = "config",
                                 .type = cs ? cs->type : defs_config_any(),
                                 .required = cs ? cs->required : DEFS_CONFIG_REQUIRED_NO,
                                 .default_value = cs ? cs->default_value : NULL};
  buf err;
  buf_init(&err, info->arena);
  const defs_config_type *shape =
      defs_config_shape(api_request_registry(info), &spec, 1, NULL, NULL, 0, &err);
  if (!shape)
    return api_python_error(info, "the config field of op %s cannot be built: %s",
                            DEF(parent)->op->name, buf_cstr(&err));
  return api_object(info, &shape->fields[0], "ConfigTypeField");
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted, as Dagster's op snapshot sorts required_resource_keys. */
static gql_rv d_required_resources(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const defs_op *op = DEF(parent)->op;
  const char **keys = ARENA_ARRAY(info->arena, const char *, op->n_required_resources + 1);
  for (size_t i = 0; i < op->n_required_resources; i++)
    keys[i] = op->required_resources[i];
  qsort(keys, op->n_required_resources, sizeof *keys, cmp_str);
  gql_rv list = gql_rv_list(info->arena, op->n_required_resources);
  for (size_t i = 0; i < op->n_required_resources; i++)
    list.u.list.items[i] = api_json(
        info, json_pack("{s:s, s:s}", "__typename", "ResourceRequirement", "resourceKey", keys[i]));
  return list;
}

/* The level of a graph definition's own nodes: the graph, seen from the
 * job (or graph) the definition was reached from, which stays the root at
 * every depth. */
static const api_container *inner_container(const gql_resolve_info *info, const api_solid_def *d) {
  api_container *c = ARENA_NEW(info->arena, api_container);
  c->loc = d->top->loc;
  c->job = d->top->job;
  c->graph = d->graph;
  c->root = d->top->root ? d->top->root : d->top;
  return c;
}

static gql_rv g_id(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return gql_rv_string(
      api_container_definition_id(info, DEF(parent)->top, DEF(parent)->graph->name));
}

static gql_rv g_solids(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_container_solids(info, inner_container(info, DEF(parent)));
}

static gql_rv g_solid_handle(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_container_solid_handle_field(info, DEF(parent)->top);
}

static gql_rv g_solid_handles(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_container_solid_handles_field(info, DEF(parent)->top);
}

static gql_rv mappings(const gql_resolve_info *info, const api_solid_def *d, bool inputs) {
  size_t n = inputs ? d->graph->n_input_mappings : d->graph->n_output_mappings;
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = io_object(info, NULL, d, i, inputs ? "InputMapping" : "OutputMapping");
  return list;
}

static gql_rv g_input_mappings(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return mappings(info, DEF(parent), true);
}

static gql_rv g_output_mappings(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return mappings(info, DEF(parent), false);
}

/* ---- InputMapping, OutputMapping ------------------------------------------------------- */

/* The mapped inner input (or output) as an Input (Output) of the graph's
 * own level, and the graph's input (output) definition. */
static gql_rv im_mapped_input(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid_def *d = IO(parent)->def;
  const defs_input_mapping *m = &d->graph->input_mappings[IO(parent)->index];
  size_t n;
  const defs_io *ins = defs_node_inputs(m->node, &n);
  const api_solid *s = api_solid_new(info, inner_container(info, d), NULL, m->node);
  return io_object(info, s, NULL, io_index(ins, n, m->node_input->name), "Input");
}

static gql_rv im_definition(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid_def *d = IO(parent)->def;
  const defs_input_mapping *m = &d->graph->input_mappings[IO(parent)->index];
  return io_object(info, NULL, d, io_index(d->graph->inputs, d->graph->n_inputs, m->input->name),
                   "InputDefinition");
}

static gql_rv om_mapped_output(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid_def *d = IO(parent)->def;
  const defs_output_mapping *m = &d->graph->output_mappings[IO(parent)->index];
  size_t n;
  const defs_io *outs = defs_node_outputs(m->node, &n);
  const api_solid *s = api_solid_new(info, inner_container(info, d), NULL, m->node);
  return io_object(info, s, NULL, io_index(outs, n, m->node_output->name), "Output");
}

static gql_rv om_definition(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const api_solid_def *d = IO(parent)->def;
  const defs_output_mapping *m = &d->graph->output_mappings[IO(parent)->index];
  return io_object(info, NULL, d, io_index(d->graph->outputs, d->graph->n_outputs, m->output->name),
                   "OutputDefinition");
}

/* ---- attaching ------------------------------------------------------------------------- */

static const api_resolver solids_resolvers[] = {
    {"Solid.name", s_name},
    {"Solid.definition", s_definition},
    {"Solid.inputs", s_inputs},
    {"Solid.outputs", s_outputs},
    {"Solid.isDynamicMapped", api_resolve_false},
    {"SolidHandle.handleID", h_handle_id},
    {"SolidHandle.solid", h_solid},
    {"SolidHandle.parent", h_parent},
    {"Input.solid", io_solid},
    {"Input.definition", input_definition},
    {"Input.dependsOn", input_depends_on},
    {"Input.isDynamicCollect", api_resolve_false},
    {"Output.solid", io_solid},
    {"Output.definition", output_definition},
    {"Output.dependedBy", output_depended_by},
    {"InputDefinition.name", idef_name},
    {"InputDefinition.description", idef_description},
    {"InputDefinition.type", idef_type},
    {"OutputDefinition.name", odef_name},
    {"OutputDefinition.description", odef_description},
    {"OutputDefinition.isDynamic", api_resolve_false},
    {"OutputDefinition.type", odef_type},
    {"SolidDefinition.name", d_name},
    {"SolidDefinition.description", d_description},
    {"SolidDefinition.metadata", d_metadata},
    {"SolidDefinition.inputDefinitions", d_input_definitions},
    {"SolidDefinition.outputDefinitions", d_output_definitions},
    {"SolidDefinition.configField", d_config_field},
    {"SolidDefinition.requiredResources", d_required_resources},
    {"CompositeSolidDefinition.name", d_name},
    {"CompositeSolidDefinition.description", d_description},
    {"CompositeSolidDefinition.metadata", d_metadata},
    {"CompositeSolidDefinition.inputDefinitions", d_input_definitions},
    {"CompositeSolidDefinition.outputDefinitions", d_output_definitions},
    {"CompositeSolidDefinition.id", g_id},
    {"CompositeSolidDefinition.solids", g_solids},
    {"CompositeSolidDefinition.solidHandle", g_solid_handle},
    {"CompositeSolidDefinition.solidHandles", g_solid_handles},
    /* Dagster: "composite solids don't have modes". */
    {"CompositeSolidDefinition.modes", api_resolve_empty_list},
    {"CompositeSolidDefinition.inputMappings", g_input_mappings},
    {"CompositeSolidDefinition.outputMappings", g_output_mappings},
    {"InputMapping.mappedInput", im_mapped_input},
    {"InputMapping.definition", im_definition},
    {"OutputMapping.mappedOutput", om_mapped_output},
    {"OutputMapping.definition", om_definition},
};

int api_solids_attach(gql_schema *s, char *err, size_t err_size) {
  return api_attach(s, solids_resolvers, sizeof solids_resolvers / sizeof solids_resolvers[0], err,
                    err_size);
}
