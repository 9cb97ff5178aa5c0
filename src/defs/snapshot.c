/* snapshot.c — a job written back as a definitions document (JSON).
 *
 * The document declares the repository name, the working directory, every
 * resource of the repository in definition order (the job's run config
 * schema has a field for each, and its default lists them in that order,
 * which its type key hashes), the ops and graphs the job's nodes use
 * (directly or inside graphs), sorted by name, and the job itself. Everything is written in the
 * definitions syntax the loader reads (docs/definitions.md), in a fixed key
 * order and without spaces, so equal jobs give equal text:
 *
 * - config schemas in the descriptor syntax: a type is its name ("Int",
 *   "Any", "Permissive") or a mapping of one constructor ({"shape": …},
 *   {"array": …}, {"enum": […], "name": …}, …); a field is that mapping with
 *   "required" and "default" as Dagster resolved them (so the type keys,
 *   which hash both, come out the same) and its description;
 * - JSON values (defaults, run configs) as written, except that floats keep
 *   a ".0" before an exponent (YAML 1.1 reads "1e+16" as a string);
 * - strings escaped for both JSON and YAML: characters YAML may not carry
 *   raw or would fold (DEL, C1 controls, line and paragraph separators,
 *   a byte order mark, U+FFFE, U+FFFF) as \u escapes.
 *
 * libyaml bounds an implicit key to 1024 characters, so a run config whose
 * keys are longer cannot be read back; definitions names never are. */
#include "defs/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/strmap.h"
#include "base/utf8.h"
#include "defs/selection.h"
#include "defs/sha1.h"

/* ---- Strings and JSON values ----------------------------------------------- */

/* Whether a (non-ASCII) code point reads back as itself when written raw in
 * a quoted YAML scalar: printable, and not one of the line breaks (NEL,
 * U+2028, U+2029) that YAML folds, nor a byte order mark. */
static bool yaml_raw_ok(uint32_t cp) {
  if (cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF)
    return false;
  return (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
}

/* Writes s as a string literal that JSON and YAML read alike: JSON's
 * escaping, then \u escapes for what YAML refuses raw. */
static void put_string_n(json_writer *w, const char *s, size_t n) {
  buf lit, out;
  buf_init(&lit, NULL);
  buf_init(&out, NULL);
  json_escape(&lit, s, n);
  const char *p = lit.data, *end = lit.data + lit.len;
  while (p < end) {
    unsigned char c = (unsigned char)*p;
    uint32_t cp = c;
    int len = c >= 0x80 ? utf8_decode(p, end, &cp) : 1;
    if (len == 0) /* json_escape leaves no broken UTF-8 */
      len = 1;
    if (c == 0x7F || (c >= 0x80 && !yaml_raw_ok(cp)))
      buf_printf(&out, "\\u%04x", (unsigned)cp);
    else
      buf_append(&out, p, (size_t)len);
    p += len;
  }
  json_raw(w, out.data, out.len);
  buf_free(&lit);
  buf_free(&out);
}

static void put_string(json_writer *w, const char *s) { put_string_n(w, s, strlen(s)); }

/* A float as Python's repr() writes it, with ".0" before a bare exponent
 * so that YAML 1.1 reads a float back ("1e+16" would be a string). */
static void put_double(json_writer *w, double x) {
  char text[40];
  size_t n = json_format_double(x, text);
  char *e = memchr(text, 'e', n);
  if (e && !memchr(text, '.', n)) {
    memmove(e + 2, e, n - (size_t)(e - text) + 1);
    memcpy(e, ".0", 2);
    n += 2;
  }
  json_raw(w, text, n);
}

/* Appends a JSON value, with floats as the YAML loader reads them back. */
static void put_value(json_writer *w, const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    json_begin_object(w);
    const char *k;
    json_t *item;
    json_object_foreach((json_t *)v, k, item) {
      json_key(w, k);
      put_value(w, item);
    }
    json_end_object(w);
    break;
  }
  case JSON_ARRAY:
    json_begin_array(w);
    for (size_t i = 0; i < json_array_size(v); i++)
      put_value(w, json_array_get(v, i));
    json_end_array(w);
    break;
  case JSON_STRING:
    put_string_n(w, json_string_value(v), json_string_length(v));
    break;
  case JSON_REAL:
    put_double(w, json_real_value(v));
    break;
  default:
    json_value(w, v);
  }
}

static void put_key_string(json_writer *w, const char *key, const char *value) {
  if (!value)
    return;
  json_key(w, key);
  put_string(w, value);
}

/* "key": {k: v, …} for string pairs; nothing when there are none. */
static void put_pairs(json_writer *w, const char *key, const defs_pair *pairs, size_t n) {
  if (!n)
    return;
  json_key(w, key);
  json_begin_object(w);
  for (size_t i = 0; i < n; i++) {
    json_key(w, pairs[i].key);
    put_string(w, pairs[i].value);
  }
  json_end_object(w);
}

/* ---- Config schemas ----------------------------------------------------------- */

static const char *const scalar_names[] = {
    [DEFS_CONFIG_INT] = "Int",
    [DEFS_CONFIG_STRING] = "String",
    [DEFS_CONFIG_FLOAT] = "Float",
    [DEFS_CONFIG_BOOL] = "Bool",
};

/* The name a type is written as, or NULL when it takes a descriptor. */
static const char *type_name(const defs_config_type *t) {
  if (t->kind == DEFS_CONFIG_ANY)
    return "Any";
  if (t->kind == DEFS_CONFIG_SCALAR)
    return scalar_names[t->scalar_kind];
  if (t->kind == DEFS_CONFIG_PERMISSIVE_SHAPE && t->n_fields == 0)
    return "Permissive";
  return NULL;
}

static void put_type(json_writer *w, const defs_config_type *t);
static void put_field(json_writer *w, const defs_config_type *t, defs_config_required required,
                      const json_t *default_value, const char *description);

/* The fields of a Shape, Permissive or Selector, in definition order, each
 * with what Dagster resolved. */
static void put_fields(json_writer *w, const defs_config_type *t) {
  json_begin_object(w);
  for (size_t i = 0; i < t->n_fields; i++) {
    const defs_config_field *f = &t->fields[i];
    json_key(w, f->name);
    put_field(w, f->type, f->is_required ? DEFS_CONFIG_REQUIRED_YES : DEFS_CONFIG_REQUIRED_NO,
              f->default_provided ? f->default_value : NULL, f->description);
  }
  json_end_object(w);
}

/* The keys of a descriptor mapping for t (one without a name). */
static void put_descriptor_keys(json_writer *w, const defs_config_type *t) {
  switch (t->kind) {
  case DEFS_CONFIG_STRICT_SHAPE:
  case DEFS_CONFIG_PERMISSIVE_SHAPE:
  case DEFS_CONFIG_SELECTOR:
    json_key(w, t->kind == DEFS_CONFIG_STRICT_SHAPE       ? "shape"
                : t->kind == DEFS_CONFIG_PERMISSIVE_SHAPE ? "permissive"
                                                          : "selector");
    put_fields(w, t);
    break;
  case DEFS_CONFIG_ARRAY:
  case DEFS_CONFIG_NONEABLE:
    json_key(w, t->kind == DEFS_CONFIG_ARRAY ? "array" : "noneable");
    put_type(w, t->inner);
    break;
  case DEFS_CONFIG_MAP:
    json_key(w, "map");
    put_type(w, t->inner);
    json_key(w, "key");
    put_type(w, t->key_type);
    put_key_string(w, "key_label", t->given_name);
    break;
  case DEFS_CONFIG_SCALAR_UNION:
    json_key(w, "scalar_union");
    json_begin_array(w);
    put_type(w, t->scalar_type);
    put_type(w, t->non_scalar_type);
    json_end_array(w);
    break;
  case DEFS_CONFIG_ENUM:
    json_key(w, "enum");
    json_begin_array(w);
    for (size_t i = 0; i < t->n_enum_values; i++)
      put_string(w, t->enum_values[i].value);
    json_end_array(w);
    put_key_string(w, "name", t->given_name);
    break;
  default: /* named types never get here */
    json_key(w, "type");
    put_string(w, type_name(t));
  }
}

static void put_type(json_writer *w, const defs_config_type *t) {
  const char *name = type_name(t);
  if (name) {
    put_string(w, name);
    return;
  }
  json_begin_object(w);
  put_descriptor_keys(w, t);
  json_end_object(w);
}

/* A field: t's descriptor (a named type as {"type": name}) with the
 * requiredness (unless inferred), the default and the description. */
static void put_field(json_writer *w, const defs_config_type *t, defs_config_required required,
                      const json_t *default_value, const char *description) {
  json_begin_object(w);
  const char *name = type_name(t);
  if (name) {
    json_key(w, "type");
    put_string(w, name);
  } else
    put_descriptor_keys(w, t);
  if (required != DEFS_CONFIG_REQUIRED_INFER) {
    json_key(w, "required");
    json_bool(w, required == DEFS_CONFIG_REQUIRED_YES);
  }
  if (default_value) {
    json_key(w, "default");
    put_value(w, default_value);
  }
  put_key_string(w, "description", description);
  json_end_object(w);
}

static void put_schema(json_writer *w, const defs_config_schema *s) {
  if (!s)
    return;
  json_key(w, "config");
  put_field(w, s->type, s->required, s->default_value, NULL);
}

/* ---- Resources, ops, graphs ----------------------------------------------------- */

/* "Type", or {"type": "Type", "description": …}. */
static void put_io(json_writer *w, const defs_io *io) {
  json_key(w, io->name);
  if (!io->description) {
    put_string(w, io->type->name);
    return;
  }
  json_begin_object(w);
  json_key(w, "type");
  put_string(w, io->type->name);
  put_key_string(w, "description", io->description);
  json_end_object(w);
}

static void put_ios(json_writer *w, const char *key, const defs_io *ios, size_t n, bool always) {
  if (!n && !always)
    return;
  json_key(w, key);
  json_begin_object(w);
  for (size_t i = 0; i < n; i++)
    put_io(w, &ios[i]);
  json_end_object(w);
}

static void put_resource(json_writer *w, const defs_resource *r) {
  json_key(w, r->name);
  json_begin_object(w);
  put_key_string(w, "description", r->description);
  put_schema(w, r->config);
  json_end_object(w);
}

static void put_op(json_writer *w, const defs_op *op) {
  json_key(w, op->name);
  json_begin_object(w);
  put_key_string(w, "description", op->description);
  if (op->shell)
    put_key_string(w, "shell", op->shell);
  else {
    json_key(w, "command");
    json_begin_array(w);
    for (size_t i = 0; i < op->n_argv; i++)
      put_string(w, op->argv[i]);
    json_end_array(w);
  }
  put_pairs(w, "tags", op->tags, op->n_tags);
  put_schema(w, op->config);
  put_ios(w, "inputs", op->inputs, op->n_inputs, false);
  /* Always said: without the key the loader would add Dagster's `result`. */
  put_ios(w, "outputs", op->outputs, op->n_outputs, true);
  if (op->n_required_resources) {
    json_key(w, "resources");
    json_begin_array(w);
    for (size_t i = 0; i < op->n_required_resources; i++)
      put_string(w, op->required_resources[i]);
    json_end_array(w);
  }
  if (op->max_retries || op->retry_delay > 0) {
    json_key(w, "retry_policy");
    json_begin_object(w);
    json_key(w, "max_retries");
    json_int(w, op->max_retries);
    json_key(w, "delay");
    put_double(w, op->retry_delay);
    json_end_object(w);
  }
  if (op->timeout > 0) {
    json_key(w, "timeout");
    put_double(w, op->timeout);
  }
  put_pairs(w, "env", op->env, op->n_env);
  json_end_object(w);
}

/* The reference "node.member" as a string. */
static void put_ref(json_writer *w, const char *node, const char *member) {
  buf ref;
  buf_init(&ref, NULL);
  buf_printf(&ref, "%s.%s", node, member);
  put_string(w, ref.data);
  buf_free(&ref);
}

/* The nodes of a job or graph: {"name": {"op": def, "inputs": {…}}}, the
 * inputs wired from sibling nodes only (graph input mappings belong to the
 * graph). */
static void put_nodes(json_writer *w, const defs_node *nodes, size_t n) {
  json_key(w, "ops");
  json_begin_object(w);
  for (size_t i = 0; i < n; i++) {
    const defs_node *node = &nodes[i];
    json_key(w, node->name);
    json_begin_object(w);
    json_key(w, "op");
    put_string(w, defs_node_def_name(node));
    size_t n_in;
    defs_node_inputs(node, &n_in);
    bool any = false;
    for (size_t k = 0; node->inputs && k < n_in; k++) {
      const defs_binding *b = &node->inputs[k];
      if (!b->n_sources)
        continue;
      if (!any) {
        json_key(w, "inputs");
        json_begin_object(w);
        any = true;
      }
      json_key(w, b->input->name);
      if (b->fan_in)
        json_begin_array(w);
      for (size_t s = 0; s < b->n_sources; s++)
        put_ref(w, b->sources[s].node->name, b->sources[s].output->name);
      if (b->fan_in)
        json_end_array(w);
    }
    if (any)
      json_end_object(w);
    json_end_object(w);
  }
  json_end_object(w);
}

static void put_graph(json_writer *w, const defs_graph *g) {
  json_key(w, g->name);
  json_begin_object(w);
  put_key_string(w, "description", g->description);
  if (g->n_inputs) {
    json_key(w, "inputs");
    json_begin_object(w);
    for (size_t i = 0; i < g->n_inputs; i++) {
      const defs_io *io = &g->inputs[i];
      json_key(w, io->name);
      if (io->description) {
        json_begin_object(w);
        json_key(w, "to");
      }
      /* Always a list: one target or several read back alike. */
      json_begin_array(w);
      for (size_t m = 0; m < g->n_input_mappings; m++)
        if (strcmp(g->input_mappings[m].input->name, io->name) == 0)
          put_ref(w, g->input_mappings[m].node->name, g->input_mappings[m].node_input->name);
      json_end_array(w);
      if (io->description) {
        put_key_string(w, "description", io->description);
        json_end_object(w);
      }
    }
    json_end_object(w);
  }
  if (g->n_outputs) {
    json_key(w, "outputs");
    json_begin_object(w);
    for (size_t i = 0; i < g->n_output_mappings; i++) {
      const defs_output_mapping *m = &g->output_mappings[i];
      json_key(w, m->output->name);
      if (m->output->description) {
        json_begin_object(w);
        json_key(w, "from");
      }
      put_ref(w, m->node->name, m->node_output->name);
      if (m->output->description) {
        put_key_string(w, "description", m->output->description);
        json_end_object(w);
      }
    }
    json_end_object(w);
  }
  put_nodes(w, g->nodes, g->n_nodes);
  json_end_object(w);
}

/* ---- What the job uses ---------------------------------------------------------- */

/* The ops and graphs a job uses, each as the first node met that uses it. */
typedef struct uses {
  arena *a;
  strmap seen; /* names of the definitions met */
  const defs_node **ops, **graphs;
  size_t n_ops, n_graphs;
} uses;

static void push(arena *a, const defs_node ***list, size_t *n, const defs_node *node) {
  *list = arena_realloc(a, *list, *n * sizeof **list, (*n + 1) * sizeof **list);
  (*list)[(*n)++] = node;
}

static void collect_uses(uses *u, const defs_node *nodes, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const defs_node *node = &nodes[i];
    if (strmap_add(&u->seen, u->a, defs_node_def_name(node), node))
      continue;
    if (node->op)
      push(u->a, &u->ops, &u->n_ops, node);
    else {
      push(u->a, &u->graphs, &u->n_graphs, node);
      collect_uses(u, node->graph->nodes, node->graph->n_nodes);
    }
  }
}

static int cmp_def_name(const void *x, const void *y) {
  return strcmp(defs_node_def_name(*(const defs_node *const *)x),
                defs_node_def_name(*(const defs_node *const *)y));
}

/* ---- The job and the document --------------------------------------------------- */

static void put_json_key(json_writer *w, const char *key, const json_t *v) {
  if (!v)
    return;
  json_key(w, key);
  put_value(w, v);
}

static void put_execution(json_writer *w, const defs_job *job) {
  if (job->executor == DEFS_EXECUTOR_IN_PROCESS) {
    json_key(w, "execution");
    put_string(w, "in_process");
  } else if (job->max_concurrent) {
    json_key(w, "execution");
    json_begin_object(w);
    json_key(w, "multiprocess");
    json_begin_object(w);
    json_key(w, "max_concurrent");
    json_int(w, job->max_concurrent);
    json_end_object(w);
    json_end_object(w);
  }
}

static void put_presets(json_writer *w, const defs_job *job) {
  if (!job->n_presets)
    return;
  json_key(w, "presets");
  json_begin_object(w);
  for (size_t i = 0; i < job->n_presets; i++) {
    const defs_preset *p = &job->presets[i];
    json_key(w, p->name);
    json_begin_object(w);
    put_json_key(w, "config", p->run_config);
    if (p->n_op_selection) {
      json_key(w, "op_selection");
      json_begin_array(w);
      for (size_t k = 0; k < p->n_op_selection; k++)
        put_string(w, p->op_selection[k]);
      json_end_array(w);
    }
    put_pairs(w, "tags", p->tags, p->n_tags);
    json_end_object(w);
  }
  json_end_object(w);
}

static void put_job(json_writer *w, const defs_job *job) {
  json_key(w, job->name);
  json_begin_object(w);
  put_key_string(w, "description", job->description);
  put_pairs(w, "tags", job->tags, job->n_tags);
  put_nodes(w, job->nodes, job->n_nodes);
  put_json_key(w, "config", job->run_config);
  put_execution(w, job);
  put_presets(w, job);
  json_end_object(w);
}

/* The job as defined: a subset's parent, or its parent's, and so on. */
static const defs_job *root_job(const defs_job *job) {
  while (job->parent)
    job = job->parent;
  return job;
}

void defs_job_snapshot(const defs_definitions *d, const defs_job *job, buf *out) {
  job = root_job(job);
  arena *a = arena_new(0);
  uses u = {.a = a};
  collect_uses(&u, job->nodes, job->n_nodes);
  if (u.n_ops)
    qsort(u.ops, u.n_ops, sizeof *u.ops, cmp_def_name);
  if (u.n_graphs)
    qsort(u.graphs, u.n_graphs, sizeof *u.graphs, cmp_def_name);

  json_writer w;
  json_writer_init(&w, out);
  json_begin_object(&w);
  put_key_string(&w, "repository", d->repository_name);
  put_key_string(&w, "working_directory", d->working_directory);
  if (d->n_resources) {
    json_key(&w, "resources");
    json_begin_object(&w);
    for (size_t i = 0; i < d->n_resources; i++)
      put_resource(&w, &d->resources[i]);
    json_end_object(&w);
  }
  json_key(&w, "ops");
  json_begin_object(&w);
  for (size_t i = 0; i < u.n_ops; i++)
    put_op(&w, u.ops[i]->op);
  json_end_object(&w);
  if (u.n_graphs) {
    json_key(&w, "graphs");
    json_begin_object(&w);
    for (size_t i = 0; i < u.n_graphs; i++)
      put_graph(&w, u.graphs[i]->graph);
    json_end_object(&w);
  }
  json_key(&w, "jobs");
  json_begin_object(&w);
  put_job(&w, job);
  json_end_object(&w);
  json_end_object(&w);
  arena_free(a);
}

void defs_job_snapshot_id(const defs_definitions *d, const defs_job *job,
                          char id[DEFS_SNAPSHOT_ID_LEN + 1]) {
  const defs_job *root = job;
  while (root->parent)
    root = root->parent;
  if (root->snapshot_id[0]) {
    memcpy(id, root->snapshot_id, DEFS_SNAPSHOT_ID_LEN + 1);
  } else { /* while loading: the text's hash */
    buf text;
    buf_init(&text, NULL);
    defs_job_snapshot(d, root, &text);
    defs_sha1_hex(text.data, text.len, id);
    buf_free(&text);
  }
  if (job->parent) {
    /* A subset: the parent's id, a newline, the selected names. */
    arena *a = arena_new(0);
    size_t n;
    const char *const *names = defs_job_resolved_selection(job, a, &n);
    buf text;
    buf_init(&text, a);
    buf_printf(&text, "%s\n", id);
    for (size_t i = 0; i < n; i++)
      buf_printf(&text, "%s%s", i ? "," : "", names[i]);
    defs_sha1_hex(text.data, text.len, id);
    arena_free(a);
  }
}
