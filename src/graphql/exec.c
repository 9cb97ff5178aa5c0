/* exec.c — the executor (spec §6): operation selection, field collection,
 * resolver calls, value completion and the streamed response.
 *
 * The data part of the response is written straight into a scratch buffer
 * while resolvers run; the response is then assembled as {"errors":…,
 * "data":…}, errors first as graphql-js orders them. A null propagating from
 * a non-null field rewinds the scratch buffer to where the nearest nullable
 * value began and writes null there instead, so no result tree is ever
 * built.
 *
 * Work that depends only on the document and the variables is done once
 * per request: collecting a selection set for a runtime type (fragments,
 * @skip/@include, merging by response key), looking up field definitions
 * and coercing arguments. The results hang off a tree of "plans": a plan is
 * the collected fields of one selection set for one object type, and each of
 * its field groups caches the plans of its sub-selection per runtime type.
 * Lists of objects therefore reuse one plan for every item. All of it lives
 * in the request arena; the document itself is never written to, so one
 * parsed document may be executed concurrently. */
#include "graphql/exec.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/inspect.h"
#include "graphql/validate.h"
#include "graphql/values.h"

/* ---- plans ---- */

typedef struct plan plan;

/* The plan of a field's sub-selection for one runtime type. */
typedef struct sub_plan {
  const gql_type *type;
  plan *plan;
  struct sub_plan *next;
} sub_plan;

/* Built-in scalars whose common values the executor writes itself
 * (exactly as their serialize hooks would) instead of calling the hook. */
typedef enum leaf_kind {
  LEAF_OTHER,
  LEAF_STRING, /* String and ID */
  LEAF_INT,
  LEAF_FLOAT,
  LEAF_BOOLEAN,
} leaf_kind;

/* The field nodes sharing one response key, merged. */
typedef struct field_group {
  const char *key;
  /* `"key":` encoded once, for json_key_raw. */
  const char *key_json;
  size_t key_json_len;
  const gql_selection **nodes;
  size_t n_nodes;
  size_t cap_nodes;
  const gql_field *def;         /* NULL: not a field of the type (left out) */
  const gql_value *const *args; /* coerced, aligned with def->args; NULL until done */
  leaf_kind leaf;               /* of def's named type */
  sub_plan *subs;
} field_group;

struct plan {
  field_group *fields;
  size_t n;
  size_t cap;
};

/* ---- the request's execution state ---- */

typedef struct exec_ctx {
  const gql_request *req;
  const gql_schema *schema;
  arena *arena;
  const gql_value *variables;
  gql_errors errs;
  buf data; /* the "data" value being written */
  json_writer w;
  gql_path_seg *path;
  size_t path_len;
  size_t path_cap;
  const gql_fragment **frags;
  size_t n_frags;
  /* Subscription events: the event replaces the root value, and root fields
   * without a resolver take the event itself as their value. */
  const gql_rv *event;
} exec_ctx;

/* Where a nullable value began in the data buffer. */
typedef struct mark {
  size_t len;
  int depth;
  bool need_comma;
} mark;

static mark save_mark(const exec_ctx *x) {
  mark m = {x->data.len, x->w.depth, true};
  if (x->w.depth < JSON_WRITER_MAX_DEPTH)
    m.need_comma = x->w.need_comma[x->w.depth];
  return m;
}

/* Replaces whatever was written since m with null. */
static void write_null_at(exec_ctx *x, mark m) {
  json_writer_rewind(&x->w, m.len, m.depth, m.need_comma);
  json_nil(&x->w);
}

static void grow_path(exec_ctx *x) {
  size_t cap = x->path_cap ? x->path_cap * 2 : 32;
  x->path = arena_realloc(x->arena, x->path, x->path_cap * sizeof *x->path, cap * sizeof *x->path);
  x->path_cap = cap;
}

static inline void push_path(exec_ctx *x, const char *key, int64_t index) {
  if (x->path_len == x->path_cap)
    grow_path(x);
  x->path[x->path_len].key = key;
  x->path[x->path_len].index = index;
  x->path_len++;
}

/* Gives the most recent error the current response path. */
static void locate_last_error(exec_ctx *x) {
  if (x->errs.n)
    gql_error_set_path(&x->errs, x->errs.items[x->errs.n - 1], x->path, x->path_len);
}

/* Adds a field error located at the group's field nodes, at the current path. */
static void field_error(exec_ctx *x, const field_group *g, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void field_error(exec_ctx *x, const field_group *g, const char *fmt, ...) {
  buf msg;
  buf_init(&msg, x->arena);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&msg, fmt, ap);
  va_end(ap);
  gql_error *e = gql_errors_add(&x->errs, g->nodes[0]->loc, "%s", buf_cstr(&msg));
  for (size_t i = 1; i < g->n_nodes; i++)
    gql_error_add_loc(&x->errs, e, g->nodes[i]->loc);
  gql_error_set_path(&x->errs, e, x->path, x->path_len);
}

/* ---- collecting fields (spec CollectFields) ---- */

typedef struct visited {
  const gql_fragment **items;
  size_t n;
  size_t cap;
} visited;

static bool visit(exec_ctx *x, visited *v, const gql_fragment *f) {
  for (size_t i = 0; i < v->n; i++)
    if (v->items[i] == f)
      return false;
  if (v->n == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    v->items = arena_realloc(x->arena, v->items, v->cap * sizeof *v->items, cap * sizeof *v->items);
    v->cap = cap;
  }
  v->items[v->n++] = f;
  return true;
}

static const gql_fragment *find_fragment(const exec_ctx *x, const char *name) {
  for (size_t i = 0; i < x->n_frags; i++)
    if (strcmp(x->frags[i]->name, name) == 0)
      return x->frags[i];
  return NULL;
}

static void index_fragments(exec_ctx *x, const gql_document *doc) {
  x->frags = ARENA_ARRAY(x->arena, const gql_fragment *, doc->n_defs + 1);
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_FRAGMENT)
      x->frags[x->n_frags++] = &doc->defs[i].u.fragment;
}

/* 1: include the selection, 0: @skip/@include leave it out, -1: a directive
 * argument failed to coerce (error added). */
static int included(exec_ctx *x, const gql_directive *dirs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    bool skip = strcmp(dirs[i].name, "skip") == 0;
    if (!skip && strcmp(dirs[i].name, "include") != 0)
      continue;
    const gql_schema_directive *def = gql_schema_directive_named(x->schema, dirs[i].name);
    if (!def)
      continue;
    const gql_value **args =
        gql_coerce_arguments(x->schema, def->args, def->n_args, dirs[i].args, dirs[i].n_args,
                             x->variables, dirs[i].loc, x->arena, &x->errs);
    if (!args)
      return -1;
    bool cond =
        def->n_args > 0 && args[0] && args[0]->kind == GQL_VALUE_BOOLEAN && args[0]->boolean;
    if (cond == skip)
      return 0;
  }
  return 1;
}

static bool type_applies(const exec_ctx *x, const char *condition, const gql_type *t) {
  if (!condition)
    return true;
  const gql_type *ct = gql_schema_type(x->schema, condition);
  if (!ct)
    return false;
  if (ct == t)
    return true;
  return gql_is_abstract_type(ct) && gql_is_possible_type(ct, t);
}

static field_group *group_for(exec_ctx *x, plan *p, const char *key) {
  for (size_t i = 0; i < p->n; i++) {
    const char *k = p->fields[i].key;
    /* The first byte settles most comparisons without a call. */
    if (k[0] == key[0] && strcmp(k, key) == 0)
      return &p->fields[i];
  }
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 8;
    p->fields =
        arena_realloc(x->arena, p->fields, p->cap * sizeof *p->fields, cap * sizeof *p->fields);
    p->cap = cap;
  }
  field_group *g = &p->fields[p->n++];
  memset(g, 0, sizeof *g);
  g->key = key;
  buf kj;
  buf_init(&kj, x->arena);
  json_escape(&kj, key, strlen(key));
  buf_putc(&kj, ':');
  g->key_json = kj.data;
  g->key_json_len = kj.len;
  return g;
}

static void add_node(exec_ctx *x, field_group *g, const gql_selection *sel) {
  if (g->n_nodes == g->cap_nodes) {
    size_t cap = g->cap_nodes ? g->cap_nodes * 2 : 2;
    g->nodes =
        arena_realloc(x->arena, g->nodes, g->cap_nodes * sizeof *g->nodes, cap * sizeof *g->nodes);
    g->cap_nodes = cap;
  }
  g->nodes[g->n_nodes++] = sel;
}

/* Adds the fields of ss that apply to object type t to p. False when a
 * directive failed (error added). */
static bool collect(exec_ctx *x, plan *p, const gql_type *t, const gql_selection_set *ss,
                    visited *seen) {
  for (size_t i = 0; i < ss->n_items; i++) {
    const gql_selection *sel = &ss->items[i];
    int inc = included(x, sel->directives, sel->n_directives);
    if (inc < 0)
      return false;
    if (inc == 0)
      continue;
    switch (sel->kind) {
    case GQL_SELECTION_FIELD:
      add_node(x, group_for(x, p, sel->alias ? sel->alias : sel->name), sel);
      break;
    case GQL_SELECTION_FRAGMENT_SPREAD: {
      const gql_fragment *f = find_fragment(x, sel->name);
      if (!f || !visit(x, seen, f) || !type_applies(x, f->type_condition, t))
        break;
      if (!collect(x, p, t, f->selection_set, seen))
        return false;
      break;
    }
    case GQL_SELECTION_INLINE_FRAGMENT:
      if (type_applies(x, sel->type_condition, t) && !collect(x, p, t, sel->selection_set, seen))
        return false;
      break;
    }
  }
  return true;
}

static leaf_kind leaf_kind_of(const gql_type *t) {
  if (t->kind != GQL_KIND_SCALAR || !t->builtin)
    return LEAF_OTHER;
  if (strcmp(t->name, "String") == 0 || strcmp(t->name, "ID") == 0)
    return LEAF_STRING;
  if (strcmp(t->name, "Int") == 0)
    return LEAF_INT;
  if (strcmp(t->name, "Float") == 0)
    return LEAF_FLOAT;
  if (strcmp(t->name, "Boolean") == 0)
    return LEAF_BOOLEAN;
  return LEAF_OTHER;
}

static void resolve_defs(exec_ctx *x, plan *p, const gql_type *t) {
  for (size_t i = 0; i < p->n; i++) {
    field_group *g = &p->fields[i];
    g->def = gql_schema_field(x->schema, t, g->nodes[0]->name);
    if (g->def)
      g->leaf = leaf_kind_of(gql_named_type(g->def->type));
  }
}

static plan *root_plan(exec_ctx *x, const gql_operation *op, const gql_type *t) {
  plan *p = ARENA_NEW(x->arena, plan);
  visited seen = {0};
  if (!collect(x, p, t, op->selection_set, &seen))
    return NULL;
  resolve_defs(x, p, t);
  return p;
}

/* The plan of g's merged sub-selections for runtime type t, made once. */
static plan *sub_plan_for(exec_ctx *x, field_group *g, const gql_type *t) {
  for (sub_plan *sp = g->subs; sp; sp = sp->next)
    if (sp->type == t)
      return sp->plan;
  plan *p = ARENA_NEW(x->arena, plan);
  visited seen = {0};
  for (size_t i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->selection_set && !collect(x, p, t, g->nodes[i]->selection_set, &seen))
      return NULL;
  resolve_defs(x, p, t);
  sub_plan *sp = ARENA_NEW(x->arena, sub_plan);
  sp->type = t;
  sp->plan = p;
  sp->next = g->subs;
  g->subs = sp;
  return p;
}

/* ---- completing values (spec CompleteValue) ---- */

static bool execute_fields(exec_ctx *x, const plan *p, const gql_type *t, const void *parent);

/* The field being completed: for messages and sub-plans. */
typedef struct field_ctx {
  const gql_type *parent_type;
  field_group *g;
} field_ctx;

static bool rv_is_null(const gql_rv *rv) {
  switch (rv->kind) {
  case GQL_RV_NULL:
    return true;
  case GQL_RV_JSON:
    return !rv->u.json || json_is_null(rv->u.json);
  case GQL_RV_VALUE:
    return !rv->u.value || rv->u.value->kind == GQL_VALUE_NULL;
  default:
    return false;
  }
}

/* A resolver's value as graphql-js's inspect() prints it, for messages. */
static const char *inspect_rv(arena *a, const gql_rv *rv) {
  buf b;
  buf_init(&b, a);
  gql_inspect_rv_into(&b, rv);
  return buf_cstr(&b);
}

static const char *field_name(const field_ctx *fc) { return fc->g->def->name; }

static bool complete_value(exec_ctx *x, const field_ctx *fc, const gql_type *type,
                           const gql_rv *rv);

static bool complete_list(exec_ctx *x, const field_ctx *fc, const gql_type *t, const gql_rv *rv) {
  size_t n;
  if (rv->kind == GQL_RV_LIST)
    n = rv->u.list.n;
  else if (rv->kind == GQL_RV_JSON && json_is_array(rv->u.json))
    n = json_array_size(rv->u.json);
  else if (rv->kind == GQL_RV_VALUE && rv->u.value->kind == GQL_VALUE_LIST)
    n = rv->u.value->n_items;
  else {
    field_error(x, fc->g, "Expected Iterable, but did not find one for field \"%s.%s\".",
                fc->parent_type->name, field_name(fc));
    return false;
  }
  json_begin_array(&x->w);
  for (size_t i = 0; i < n; i++) {
    gql_rv item;
    if (rv->kind == GQL_RV_LIST)
      item = rv->u.list.items[i];
    else if (rv->kind == GQL_RV_JSON)
      item = (gql_rv){.kind = GQL_RV_JSON, .u.json = json_array_get(rv->u.json, i)};
    else
      item = (gql_rv){.kind = GQL_RV_VALUE, .u.value = rv->u.value->items[i]};
    push_path(x, NULL, (int64_t)i);
    bool ok = complete_value(x, fc, t->of, &item);
    x->path_len--;
    if (!ok)
      return false;
  }
  json_end_array(&x->w);
  return true;
}

static bool complete_enum(exec_ctx *x, const field_ctx *fc, const gql_type *t, const gql_rv *rv) {
  const char *name = NULL;
  if (rv->kind == GQL_RV_STRING)
    name = rv->u.str.s;
  else if (rv->kind == GQL_RV_JSON && json_is_string(rv->u.json))
    name = json_string_value(rv->u.json);
  else if (rv->kind == GQL_RV_VALUE &&
           (rv->u.value->kind == GQL_VALUE_ENUM || rv->u.value->kind == GQL_VALUE_STRING))
    name = rv->u.value->str;
  const gql_enum_value *ev = name ? gql_type_enum_value(t, name) : NULL;
  if (!ev) {
    field_error(x, fc->g, "Enum \"%s\" cannot represent value: %s", t->name,
                inspect_rv(x->arena, rv));
    return false;
  }
  json_str(&x->w, ev->name);
  return true;
}

/* Writes the values of built-in scalars that need no conversion; false
 * leaves everything else to the scalar's serialize hook. */
static bool write_plain_leaf(json_writer *w, leaf_kind kind, const gql_rv *rv) {
  const json_t *j = rv->kind == GQL_RV_JSON ? rv->u.json : NULL;
  switch (kind) {
  case LEAF_STRING:
    if (rv->kind == GQL_RV_STRING)
      json_str_n(w, rv->u.str.s, rv->u.str.len);
    else if (json_is_string(j))
      json_str_n(w, json_string_value(j), json_string_length(j));
    else
      return false;
    return true;
  case LEAF_INT:
    if (rv->kind == GQL_RV_INT && rv->u.i >= INT32_MIN && rv->u.i <= INT32_MAX)
      json_int(w, rv->u.i);
    else if (json_is_integer(j) && json_integer_value(j) >= INT32_MIN &&
             json_integer_value(j) <= INT32_MAX)
      json_int(w, (int64_t)json_integer_value(j));
    else
      return false;
    return true;
  case LEAF_FLOAT:
    if (rv->kind == GQL_RV_FLOAT && isfinite(rv->u.f))
      json_double(w, rv->u.f);
    else if (json_is_real(j) && isfinite(json_real_value(j)))
      json_double(w, json_real_value(j));
    else
      return false;
    return true;
  case LEAF_BOOLEAN:
    if (rv->kind == GQL_RV_BOOL)
      json_bool(w, rv->u.b);
    else if (json_is_boolean(j))
      json_bool(w, json_is_true(j));
    else
      return false;
    return true;
  default:
    return false;
  }
}

/* Serializes through the scalar's hook (kept out of line: its message
 * buffer would weigh on the common path). */
static bool __attribute__((noinline))
serialize_with_hook(exec_ctx *x, const field_ctx *fc, const gql_type *t, const gql_rv *rv) {
  const gql_scalar_hooks *h = t->scalar;
  if (!h || !h->serialize)
    h = &gql_json_scalar_hooks;
  char err[512];
  err[0] = '\0';
  mark m = save_mark(x);
  if (h->serialize(rv, &x->w, err, sizeof err))
    return true;
  json_writer_rewind(&x->w, m.len, m.depth, m.need_comma);
  field_error(x, fc->g, "%s",
              err[0] ? err
                     : arena_printf(x->arena, "%s cannot represent value: %s", t->name,
                                    inspect_rv(x->arena, rv)));
  return false;
}

static inline bool complete_scalar(exec_ctx *x, const field_ctx *fc, const gql_type *t,
                                   const gql_rv *rv) {
  return write_plain_leaf(&x->w, fc->g->leaf, rv) || serialize_with_hook(x, fc, t, rv);
}

/* The concrete object type of a value of an interface or union, or NULL
 * after a field error. */
static const gql_type *runtime_type(exec_ctx *x, const field_ctx *fc, const gql_type *abs,
                                    const gql_rv *rv) {
  const gql_schema *s = x->schema;
  const gql_type *rt = NULL;
  if (rv->kind == GQL_RV_OBJECT && rv->u.obj.type && rv->u.obj.type->kind == GQL_KIND_OBJECT)
    rt = rv->u.obj.type;
  else if (abs->resolve_type)
    rt = abs->resolve_type(s, abs, rv, abs->resolve_type_data);
  else if (s->default_resolve_type)
    rt = s->default_resolve_type(s, abs, rv, s->default_resolve_type_data);
  /* JSON objects name their type, as graphql-js's default type resolver
   * reads it, when no hook could tell. */
  if (!rt && rv->kind == GQL_RV_JSON && json_is_object(rv->u.json)) {
    const json_t *tn = json_object_get(rv->u.json, "__typename");
    if (json_is_string(tn)) {
      rt = gql_schema_type(s, json_string_value(tn));
      if (!rt) {
        field_error(x, fc->g,
                    "Abstract type \"%s\" was resolved to a type \"%s\" that does not exist "
                    "inside the schema.",
                    abs->name, json_string_value(tn));
        return NULL;
      }
    }
  }
  if (!rt) {
    field_error(x, fc->g,
                "Abstract type \"%s\" must resolve to an Object type at runtime for field "
                "\"%s.%s\". Either the \"%s\" type should provide a \"resolveType\" function or "
                "each possible type should provide an \"isTypeOf\" function.",
                abs->name, fc->parent_type->name, field_name(fc), abs->name);
    return NULL;
  }
  if (rt->kind != GQL_KIND_OBJECT) {
    field_error(x, fc->g, "Abstract type \"%s\" was resolved to a non-object type \"%s\".",
                abs->name, rt->name);
    return NULL;
  }
  if (!gql_is_possible_type(abs, rt)) {
    field_error(x, fc->g, "Runtime Object type \"%s\" is not a possible type for \"%s\".", rt->name,
                abs->name);
    return NULL;
  }
  return rt;
}

/* Completes an object: its fields resolve with the value as their parent.
 * As in graphql-js, which hands any value to the object's resolvers, a JSON
 * or input value of another kind (a string where an object was expected)
 * is still a parent: resolvers reading such values see that it is not an
 * object, and the JSON default resolvers give null for each field. Plain C
 * values (an int, a string, a list) have no pointer a resolver could take,
 * so they fail here. */
static bool complete_object(exec_ctx *x, const field_ctx *fc, const gql_type *t, const gql_rv *rv) {
  const void *parent;
  if (rv->kind == GQL_RV_OBJECT)
    parent = rv->u.obj.ptr;
  else if (rv->kind == GQL_RV_JSON)
    parent = rv->u.json;
  else if (rv->kind == GQL_RV_VALUE)
    parent = rv->u.value;
  else {
    field_error(x, fc->g, "Expected value of type \"%s\" but got: %s.", t->name,
                inspect_rv(x->arena, rv));
    return false;
  }
  const plan *p = sub_plan_for(x, fc->g, t);
  if (!p) {
    locate_last_error(x);
    return false;
  }
  return execute_fields(x, p, t, parent);
}

/* Completes a non-null value of nullable type t. False when the value
 * could not be completed (error added): a null must take its place. */
static bool complete_nullable(exec_ctx *x, const field_ctx *fc, const gql_type *t,
                              const gql_rv *rv) {
  switch (t->kind) {
  case GQL_KIND_LIST:
    return complete_list(x, fc, t, rv);
  case GQL_KIND_SCALAR:
    return complete_scalar(x, fc, t, rv);
  case GQL_KIND_ENUM:
    return complete_enum(x, fc, t, rv);
  case GQL_KIND_OBJECT:
    return complete_object(x, fc, t, rv);
  case GQL_KIND_INTERFACE:
  case GQL_KIND_UNION: {
    const gql_type *rt = runtime_type(x, fc, t, rv);
    return rt && complete_object(x, fc, rt, rv);
  }
  default:
    field_error(x, fc->g, "Type \"%s\" cannot be an output type.", gql_type_str(x->arena, t));
    return false;
  }
}

/* Writes the completed value of rv (of type `type`) at the current
 * position. Returns false when a null has to propagate to the parent
 * because `type` is non-null; the caller then discards what was written. */
static bool complete_value(exec_ctx *x, const field_ctx *fc, const gql_type *type,
                           const gql_rv *rv) {
  bool non_null = type->kind == GQL_KIND_NON_NULL;
  if (rv->kind == GQL_RV_ERROR) {
    field_error(x, fc->g, "%s", rv->u.error ? rv->u.error : "Unknown error");
  } else if (rv_is_null(rv)) {
    if (non_null)
      field_error(x, fc->g, "Cannot return null for non-nullable field %s.%s.",
                  fc->parent_type->name, field_name(fc));
  } else {
    const gql_type *t = non_null ? type->of : type;
    /* Leaves write nothing when they fail; lists and objects may have
     * written part of themselves, which a null replaces. */
    bool leaf = t->kind == GQL_KIND_SCALAR || t->kind == GQL_KIND_ENUM;
    mark m = leaf ? (mark){0, 0, false} : save_mark(x);
    if (complete_nullable(x, fc, t, rv))
      return true;
    if (non_null)
      return false;
    if (leaf)
      json_nil(&x->w);
    else
      write_null_at(x, m);
    return true;
  }
  if (!non_null)
    json_nil(&x->w);
  return !non_null;
}

/* ---- executing fields ---- */

static bool coerce_field_args(exec_ctx *x, field_group *g) {
  if (g->args)
    return true;
  const gql_selection *node = g->nodes[0];
  const gql_value **args =
      gql_coerce_arguments(x->schema, g->def->args, g->def->n_args, node->args, node->n_args,
                           x->variables, node->loc, x->arena, &x->errs);
  if (!args) {
    locate_last_error(x);
    return false;
  }
  g->args = args;
  return true;
}

/* The parent pointer root fields get for a subscription event. */
static const void *event_parent(const gql_rv *event) {
  switch (event->kind) {
  case GQL_RV_OBJECT:
    return event->u.obj.ptr;
  case GQL_RV_JSON:
    return event->u.json;
  case GQL_RV_VALUE:
    return event->u.value;
  default:
    return event;
  }
}

static gql_resolve_info resolve_info(const exec_ctx *x, const gql_type *parent_type,
                                     const field_group *g) {
  gql_resolve_info info = {
      .schema = x->schema,
      .field = g->def,
      .parent_type = parent_type,
      .selection = g->nodes[0],
      .arena = x->arena,
      .context = x->req->context,
      .args = g->args,
      .path = x->path,
      .path_len = x->path_len,
      .variables = x->variables,
  };
  return info;
}

/* Calls the field's resolver (or the schema's default) on parent. */
static gql_rv resolve_field(const exec_ctx *x, const gql_type *parent_type, const field_group *g,
                            const void *parent, bool root) {
  const gql_field *f = g->def;
  if (root && x->event && !f->resolve)
    return *x->event;
  gql_resolve_fn fn = f->resolve ? f->resolve : x->schema->default_resolve;
  void *data = f->resolve ? f->resolve_data : x->schema->default_resolve_data;
  if (!fn)
    return gql_rv_errorf(x->arena, "Field \"%s.%s\" has no resolver.", parent_type->name, f->name);
  gql_resolve_info info = resolve_info(x, parent_type, g);
  /* Resolvers return values in the arena or their own data, never in info. */
  /* cppcheck-suppress returnDanglingLifetime */
  return fn(&info, parent, data);
}

static bool execute_field(exec_ctx *x, const gql_type *parent_type, field_group *g,
                          const void *parent, bool root) {
  const gql_field *f = g->def;
  if (f == x->schema->meta_typename) {
    json_str(&x->w, parent_type->name);
    return true;
  }
  if (!coerce_field_args(x, g)) {
    /* The error is reported; only non-null propagation remains. */
    if (f->type->kind == GQL_KIND_NON_NULL)
      return false;
    json_nil(&x->w);
    return true;
  }
  gql_rv rv = resolve_field(x, parent_type, g, parent, root);
  field_ctx fc = {parent_type, g};
  return complete_value(x, &fc, f->type, &rv);
}

static bool execute_fields_impl(exec_ctx *x, const plan *p, const gql_type *t, const void *parent,
                                bool root) {
  json_begin_object(&x->w);
  for (size_t i = 0; i < p->n; i++) {
    field_group *g = &p->fields[i];
    if (!g->def)
      continue;
    json_key_raw(&x->w, g->key_json, g->key_json_len);
    push_path(x, g->key, 0);
    bool ok = execute_field(x, t, g, parent, root);
    x->path_len--;
    if (!ok)
      return false;
  }
  json_end_object(&x->w);
  return true;
}

static bool execute_fields(exec_ctx *x, const plan *p, const gql_type *t, const void *parent) {
  return execute_fields_impl(x, p, t, parent, false);
}

/* ---- operations ---- */

const gql_operation *gql_select_operation(const gql_document *doc, const char *name,
                                          gql_errors *errs) {
  const gql_operation *op = NULL;
  for (size_t i = 0; doc && i < doc->n_defs; i++) {
    if (doc->defs[i].kind != GQL_DEF_OPERATION)
      continue;
    const gql_operation *cand = &doc->defs[i].u.operation;
    if (!name) {
      if (op) {
        gql_errors_add(errs, (gql_loc){0, 0},
                       "Must provide operation name if query contains multiple operations.");
        return NULL;
      }
      op = cand;
    } else if (cand->name && strcmp(cand->name, name) == 0) {
      op = cand;
    }
  }
  if (!op) {
    if (name)
      gql_errors_add(errs, (gql_loc){0, 0}, "Unknown operation named \"%s\".", name);
    else
      gql_errors_add(errs, (gql_loc){0, 0}, "Must provide an operation.");
  }
  return op;
}

static const char *const op_names[] = {"query", "mutation", "subscription"};

static gql_loc operation_loc(const gql_document *doc, const gql_operation *op) {
  for (size_t i = 0; i < doc->n_defs; i++)
    if (&doc->defs[i].u.operation == op)
      return doc->defs[i].loc;
  return (gql_loc){0, 0};
}

static const gql_type *root_type(const gql_schema *s, gql_operation_type t) {
  return t == GQL_OP_QUERY ? s->query : t == GQL_OP_MUTATION ? s->mutation : s->subscription;
}

static void ctx_init(exec_ctx *x, const gql_request *req) {
  memset(x, 0, sizeof *x);
  x->req = req;
  x->schema = req->schema;
  x->arena = req->arena;
  gql_errors_init(&x->errs, req->arena);
  buf_init(&x->data, req->arena);
  json_writer_init(&x->w, &x->data);
}

/* Appends {"errors":[…],"data":…} (errors only when there are some; data
 * only when with_data). */
static void write_response(const gql_errors *errs, const buf *data, buf *out) {
  json_writer w;
  json_writer_init(&w, out);
  json_begin_object(&w);
  if (errs->n) {
    json_key(&w, "errors");
    gql_errors_write(&w, errs);
  }
  if (data) {
    json_key(&w, "data");
    json_raw(&w, data->data ? data->data : "null", data->data ? data->len : 4);
  }
  json_end_object(&w);
}

/* Prepares the execution of op: its root type, the fragments and the
 * coerced variables. False after adding request errors. */
static bool prepare(exec_ctx *x, const gql_operation *op) {
  x->variables = gql_coerce_variables(x->schema, op, x->req->variables, x->arena, &x->errs);
  if (!x->variables)
    return false;
  index_fragments(x, x->req->document);
  return true;
}

/* Executes the selected operation's root selection set into x->data. */
static void execute_root(exec_ctx *x, const gql_operation *op, const void *root_value) {
  const gql_type *t = root_type(x->schema, op->type);
  if (!t) {
    gql_errors_add(&x->errs, operation_loc(x->req->document, op),
                   "Schema is not configured to execute %s operation.", op_names[op->type]);
    json_nil(&x->w);
    return;
  }
  const plan *p = root_plan(x, op, t);
  if (!p || !execute_fields_impl(x, p, t, root_value, true))
    write_null_at(x, (mark){0, 0, false});
}

/* gql_execute and gql_execute_event: event is NULL for queries and mutations. */
static bool execute_request(const gql_request *req, const gql_rv *event, buf *out) {
  exec_ctx x;
  ctx_init(&x, req);
  x.event = event;
  const gql_operation *op = gql_select_operation(req->document, req->operation_name, &x.errs);
  if (!op || !prepare(&x, op)) {
    write_response(&x.errs, NULL, out);
    return false;
  }
  execute_root(&x, op, event ? event_parent(event) : req->root_value);
  write_response(&x.errs, &x.data, out);
  return true;
}

bool gql_execute(const gql_request *req, buf *out) { return execute_request(req, NULL, out); }

void gql_execute_event(const gql_request *req, const gql_rv *event, buf *out) {
  execute_request(req, event, out);
}

/* Calls the subscribe hook of the subscription's root field (the first,
 * validation makes it the only one). False after adding errors. */
static bool create_source_stream(exec_ctx *x, const gql_operation *op, gql_rv *source) {
  const gql_type *t = x->schema->subscription;
  plan *p = root_plan(x, op, t);
  if (!p)
    return false;
  field_group *g = NULL;
  for (size_t i = 0; i < p->n && !g; i++)
    if (p->fields[i].def)
      g = &p->fields[i];
  if (!g) {
    gql_errors_add(&x->errs, operation_loc(x->req->document, op),
                   "The subscription selects no field.");
    return false;
  }
  push_path(x, g->key, 0);
  if (!coerce_field_args(x, g))
    return false;
  const gql_field *f = g->def;
  gql_resolve_info info = resolve_info(x, t, g);
  gql_rv rv =
      f->subscribe
          ? f->subscribe(&info, f->subscribe_data)
          : gql_rv_errorf(x->arena, "Subscription field \"%s\" has no source stream.", f->name);
  if (rv.kind == GQL_RV_ERROR) {
    field_error(x, g, "%s", rv.u.error ? rv.u.error : "Unknown error");
    return false;
  }
  *source = rv;
  return true;
}

bool gql_subscribe(const gql_request *req, gql_rv *source, buf *out) {
  exec_ctx x;
  ctx_init(&x, req);
  const gql_operation *op = gql_select_operation(req->document, req->operation_name, &x.errs);
  bool ok = false;
  if (op && op->type != GQL_OP_SUBSCRIPTION)
    gql_errors_add(&x.errs, operation_loc(req->document, op), "Expected a subscription operation.");
  else if (op && !req->schema->subscription)
    gql_errors_add(&x.errs, operation_loc(req->document, op),
                   "Schema is not configured to execute subscription operation.");
  else if (op && prepare(&x, op))
    ok = create_source_stream(&x, op, source);
  if (!ok)
    write_response(&x.errs, NULL, out);
  return ok;
}

/* ---- the whole pipeline ---- */

static gql_outcome errors_only(const gql_errors *errs, buf *out, gql_outcome outcome) {
  write_response(errs, NULL, out);
  return outcome;
}

gql_outcome gql_run(gql_request *req, const char *query, size_t query_len,
                    const gql_run_options *opts, buf *out) {
  gql_errors errs;
  gql_errors_init(&errs, req->arena);
  const gql_document *doc =
      gql_parse(req->arena, query, query_len, opts ? opts->limits : NULL, &errs);
  if (!doc)
    return errors_only(&errs, out, GQL_OUTCOME_SYNTAX_ERROR);
  if (gql_validate(req->schema, doc, req->arena, &errs) > 0)
    return errors_only(&errs, out, GQL_OUTCOME_INVALID);
  req->document = doc;
  const gql_operation *op = gql_select_operation(doc, req->operation_name, &errs);
  if (!op)
    return errors_only(&errs, out, GQL_OUTCOME_REQUEST_ERROR);
  if (opts && opts->selected_type)
    *opts->selected_type = op->type;
  if (opts && opts->forbid_mutations && op->type == GQL_OP_MUTATION) {
    gql_errors_add(&errs, (gql_loc){0, 0},
                   "Can only perform a mutation operation from a POST request.");
    return errors_only(&errs, out, GQL_OUTCOME_FORBIDDEN);
  }
  if (opts && opts->forbid_subscriptions && op->type == GQL_OP_SUBSCRIPTION) {
    gql_errors_add(&errs, (gql_loc){0, 0},
                   "Subscriptions are served over WebSocket only (graphql-transport-ws or "
                   "graphql-ws) at this endpoint.");
    return errors_only(&errs, out, GQL_OUTCOME_REQUEST_ERROR);
  }
  return gql_execute(req, out) ? GQL_OUTCOME_EXECUTED : GQL_OUTCOME_REQUEST_ERROR;
}
