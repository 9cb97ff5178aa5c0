/* validate.c — the validation framework: one walk over the document that
 * keeps graphql-js's TypeInfo and calls every rule's callbacks in order.
 *
 * For each node the walk first updates TypeInfo (entering), then calls the
 * rules' enter callbacks in list order; after the children, the leave
 * callbacks in list order, then restores TypeInfo — the order of graphql-js's
 * visitInParallel inside visitWithTypeInfo, so errors come out in the same
 * order. TypeInfo lives in the C stack frames of the walk (each step saves
 * what it changes and restores it), which is graphql-js's stacks in another
 * form. Fragment spreads are not followed, so the walk's depth is the
 * document's nesting, which the parser bounds.
 *
 * The same walk, in a second mode, collects variable usages (a variable
 * node with the input type and default value at its place) for a single
 * operation or fragment; the helpers built on it (spreads of a selection
 * set, fragments an operation uses transitively, their usages) are
 * iterative with visited sets and cached per node, as graphql-js's
 * ValidationContext caches them.
 *
 * Two limits stop a validation, as in graphql-js: the 101st error is
 * replaced by "Too many validation errors, error limit reached. Validation
 * aborted.", and running out of the fragment-work budget (spent by those
 * helpers, counted as graphql-js counts) adds "Validation aborted."; no rule
 * is called after either. Type-system definitions in the document are only
 * walked for the type names they mention (the rest of them is an error of
 * ExecutableDefinitions anyway). Everything lives in the request arena. */
#include "graphql/validate.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/ptrmap.h"
#include "base/strmap.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

static const gql_rule *const specified_rules[] = {
    &gql_rule_executable_definitions,
    &gql_rule_unique_operation_names,
    &gql_rule_lone_anonymous_operation,
    &gql_rule_single_field_subscriptions,
    &gql_rule_known_type_names,
    &gql_rule_fragments_on_composite_types,
    &gql_rule_variables_are_input_types,
    &gql_rule_scalar_leafs,
    &gql_rule_fields_on_correct_type,
    &gql_rule_unique_fragment_names,
    &gql_rule_known_fragment_names,
    &gql_rule_no_unused_fragments,
    &gql_rule_possible_fragment_spreads,
    &gql_rule_no_fragment_cycles,
    &gql_rule_unique_variable_names,
    &gql_rule_no_undefined_variables,
    &gql_rule_no_unused_variables,
    &gql_rule_known_directives,
    &gql_rule_unique_directives_per_location,
    &gql_rule_known_argument_names,
    &gql_rule_unique_argument_names,
    &gql_rule_values_of_correct_type,
    &gql_rule_provided_required_arguments,
    &gql_rule_variables_in_allowed_position,
    &gql_rule_overlapping_fields_can_be_merged,
    &gql_rule_unique_input_field_names,
};

/* ---- growable arrays in the arena ---- */

typedef struct vec {
  void *items;
  size_t n, cap;
} vec;

static void *vec_push(vec *v, arena *a, size_t size) {
  v->items = arena_grow(a, v->items, &v->cap, v->n, size);
  return (char *)v->items + size * v->n++;
}

/* ---- the walker: TypeInfo plus what the walk is for ---- */

typedef enum walk_mode {
  WALK_RULES,  /* call the rules */
  WALK_USAGES, /* collect variable usages */
} walk_mode;

typedef struct walker {
  gql_vctx *c;
  walk_mode mode;
  /* TypeInfo: the top of each of graphql-js's stacks. */
  const gql_type *parent_type;
  const gql_type *type;
  const gql_field *field_def;
  const gql_schema_directive *directive;
  const gql_input_value *argument;
  const gql_type *input_type;
  const gql_type *parent_input_type;
  const gql_value *default_value;
  vec usages; /* WALK_USAGES: gql_variable_usage */
} walker;

/* The callbacks of gql_rule are consecutive function pointers from
 * enter_document on; a callback's slot is its index among them. Most rules
 * have a few callbacks, so the walk keeps, per slot, the rules that have
 * that callback rather than asking every rule at every node. */
typedef void (*any_callback)(void);
#define CALLBACK_SLOT(cb)                                                                          \
  ((offsetof(gql_rule, cb) - offsetof(gql_rule, enter_document)) / sizeof(any_callback))
#define N_CALLBACK_SLOTS                                                                           \
  ((sizeof(gql_rule) - offsetof(gql_rule, enter_document)) / sizeof(any_callback))

_Static_assert((sizeof(gql_rule) - offsetof(gql_rule, enter_document)) % sizeof(any_callback) == 0,
               "gql_rule ends with its callbacks");
_Static_assert(CALLBACK_SLOT(enter_named_type) == N_CALLBACK_SLOTS - 1,
               "enter_named_type is gql_rule's last callback");

typedef struct rule_list {
  size_t n;
  size_t *rules; /* indices into gql_vctx.rules */
} rule_list;

struct gql_vctx {
  const gql_schema *schema;
  const gql_document *doc;
  arena *a;
  gql_errors *errs;
  const gql_rule *const *rules;
  size_t n_rules;
  void **states;
  const rule_list *by_callback; /* [callback slot]: the rules that have it */
  size_t n_reported;
  bool aborted;
  gql_error *sink; /* handed out after the abort, so callers can add locations */
  const walker *main;
  int64_t fragment_work; /* what is left of graphql-js's budget */
  strmap fragments;      /* name → the last fragment of that name */
  ptrmap spreads;        /* selection set → gql_spread_list */
  strmap name_sets;      /* "a,b,c" (sorted spread names) → gql_fragment_list */
  ptrmap usages;         /* operation or fragment → gql_usage_list (its own) */
  ptrmap frag_usages;    /* items of a cached gql_fragment_list → gql_usage_list */
  ptrmap op_usages;      /* operation → gql_usage_list (recursive) */
};

#define FRAGMENT_WORK_BUDGET 50000

/* Calls one callback of every rule that has it, in list order (only when
 * the walk is the rules' walk). */
#define EACH_RULE(w, cb, ...)                                                                      \
  do {                                                                                             \
    gql_vctx *c_ = (w)->c;                                                                         \
    if ((w)->mode != WALK_RULES)                                                                   \
      break;                                                                                       \
    const rule_list *l_ = &c_->by_callback[CALLBACK_SLOT(cb)];                                     \
    for (size_t k_ = 0; k_ < l_->n && !c_->aborted; k_++) {                                        \
      size_t i_ = l_->rules[k_];                                                                   \
      c_->rules[i_]->cb(c_, c_->states[i_], __VA_ARGS__);                                          \
    }                                                                                              \
  } while (0)

static bool stopped(const walker *w) { return w->c->aborted; }

/* ---- types ---- */

/* A list or non-null wrapper of `of`: the schema's cached one when it has
 * it, else a new one in the request arena (the schema is shared and
 * read-only while serving). */
static const gql_type *wrap(gql_vctx *c, gql_kind kind, const gql_type *of) {
  const gql_type *cached = kind == GQL_KIND_LIST ? of->list_of : of->non_null_of;
  if (cached)
    return cached;
  gql_type *t = ARENA_NEW(c->a, gql_type);
  t->kind = kind;
  t->of = (gql_type *)of;
  return t;
}

/* graphql-js's typeFromAST: NULL when a name is unknown. */
static const gql_type *type_from_ref(gql_vctx *c, const gql_type_ref *ref) {
  if (!ref)
    return NULL;
  if (ref->kind == GQL_TYPE_REF_NAMED)
    return gql_schema_type(c->schema, ref->name);
  const gql_type *inner = type_from_ref(c, ref->of);
  if (!inner)
    return NULL;
  return wrap(c, ref->kind == GQL_TYPE_REF_LIST ? GQL_KIND_LIST : GQL_KIND_NON_NULL, inner);
}

static const gql_type *as_output(const gql_type *t) {
  return t && gql_is_output_type(t) ? t : NULL;
}

static const gql_type *as_input(const gql_type *t) { return t && gql_is_input_type(t) ? t : NULL; }

static const gql_type *root_type(const gql_schema *s, gql_operation_type op) {
  const gql_type *t = op == GQL_OP_QUERY      ? s->query
                      : op == GQL_OP_MUTATION ? s->mutation
                                              : s->subscription;
  return t && t->kind == GQL_KIND_OBJECT ? t : NULL;
}

/* ---- the walk ---- */

static void walk_value(walker *w, const gql_value *v);
static void walk_selection_set(walker *w, const gql_selection_set *ss);

static void walk_named_type(walker *w, const char *name, gql_loc loc) {
  EACH_RULE(w, enter_named_type, name, loc);
}

static void walk_type_ref(walker *w, const gql_type_ref *ref) {
  while (ref && ref->kind != GQL_TYPE_REF_NAMED)
    ref = ref->of;
  if (ref)
    walk_named_type(w, ref->name, ref->loc);
}

/* The input half of TypeInfo, saved on entering an input position and
 * put back on leaving it. */
typedef struct input_info {
  const gql_type *input_type;
  const gql_type *parent_input_type;
  const gql_value *default_value;
} input_info;

static input_info save_input(const walker *w) {
  return (input_info){w->input_type, w->parent_input_type, w->default_value};
}

/* Steps into a position expecting `type` (NULL: unknown), the current input
 * type becoming the parent. */
static void enter_input(walker *w, const gql_type *type, const gql_value *default_value) {
  w->default_value = default_value;
  w->parent_input_type = w->input_type;
  w->input_type = type;
}

static void restore_input(walker *w, input_info saved) {
  w->input_type = saved.input_type;
  w->parent_input_type = saved.parent_input_type;
  w->default_value = saved.default_value;
}

static void walk_object_field(walker *w, const gql_object_field *f) {
  input_info saved = save_input(w);
  const gql_type *obj = w->input_type ? gql_named_type(w->input_type) : NULL;
  const gql_input_value *field =
      obj && obj->kind == GQL_KIND_INPUT_OBJECT ? gql_type_input_field(obj, f->name) : NULL;
  enter_input(w, field ? as_input(field->type) : NULL, field ? field->default_value : NULL);
  EACH_RULE(w, enter_object_field, f);
  walk_value(w, f->value);
  EACH_RULE(w, leave_object_field, f);
  restore_input(w, saved);
}

static void walk_value(walker *w, const gql_value *v) {
  if (!v || stopped(w))
    return;
  input_info saved = save_input(w);
  if (v->kind == GQL_VALUE_LIST) {
    /* TypeInfo steps into the item type on the list node itself; list
     * positions have no default value. */
    const gql_type *list = w->input_type ? gql_nullable_type(w->input_type) : NULL;
    const gql_type *item = list && list->kind == GQL_KIND_LIST ? list->of : list;
    enter_input(w, as_input(item), NULL);
  }
  if (v->kind == GQL_VALUE_VARIABLE && w->mode == WALK_USAGES) {
    gql_variable_usage *u = vec_push(&w->usages, w->c->a, sizeof *u);
    u->node = v;
    u->type = w->input_type;
    u->default_value = w->default_value;
    u->parent_type = w->parent_input_type;
  }
  EACH_RULE(w, enter_value, v);
  if (v->kind == GQL_VALUE_LIST) {
    for (size_t i = 0; i < v->n_items && !stopped(w); i++)
      walk_value(w, v->items[i]);
  } else if (v->kind == GQL_VALUE_OBJECT) {
    for (size_t i = 0; i < v->n_fields && !stopped(w); i++)
      walk_object_field(w, &v->fields[i]);
  }
  EACH_RULE(w, leave_value, v);
  restore_input(w, saved);
}

static const gql_input_value *find_arg(const gql_input_value *args, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(args[i].name, name) == 0)
      return &args[i];
  return NULL;
}

static void walk_argument(walker *w, const gql_argument *arg) {
  input_info saved = save_input(w);
  /* graphql-js looks in the directive, or (also for an unknown directive) in
   * the field. */
  const gql_input_value *def = NULL;
  if (w->directive)
    def = find_arg(w->directive->args, w->directive->n_args, arg->name);
  else if (w->field_def)
    def = find_arg(w->field_def->args, w->field_def->n_args, arg->name);
  w->argument = def;
  enter_input(w, def ? as_input(def->type) : NULL, def ? def->default_value : NULL);
  EACH_RULE(w, enter_argument, arg);
  walk_value(w, arg->value);
  EACH_RULE(w, leave_argument, arg);
  w->argument = NULL;
  restore_input(w, saved);
}

static void walk_directives(walker *w, const gql_directive *ds, size_t n, unsigned location) {
  for (size_t i = 0; i < n && !stopped(w); i++) {
    const gql_directive *d = &ds[i];
    w->directive = gql_schema_directive_named(w->c->schema, d->name);
    EACH_RULE(w, enter_directive, d, location);
    for (size_t j = 0; j < d->n_args && !stopped(w); j++)
      walk_argument(w, &d->args[j]);
    EACH_RULE(w, leave_directive, d, location);
    w->directive = NULL;
  }
}

static void walk_field(walker *w, const gql_selection *sel) {
  const gql_field *saved_def = w->field_def;
  const gql_type *saved_type = w->type;
  const gql_field *def =
      w->parent_type ? gql_schema_field(w->c->schema, w->parent_type, sel->name) : NULL;
  w->field_def = def;
  w->type = def ? as_output(def->type) : NULL;
  EACH_RULE(w, enter_field, sel);
  for (size_t i = 0; i < sel->n_args && !stopped(w); i++)
    walk_argument(w, &sel->args[i]);
  walk_directives(w, sel->directives, sel->n_directives, GQL_DL_FIELD);
  if (sel->selection_set)
    walk_selection_set(w, sel->selection_set);
  EACH_RULE(w, leave_field, sel);
  w->field_def = saved_def;
  w->type = saved_type;
}

static void walk_inline_fragment(walker *w, const gql_selection *sel) {
  const gql_type *saved_type = w->type;
  if (sel->type_condition)
    w->type = as_output(gql_schema_type(w->c->schema, sel->type_condition));
  else
    w->type = w->type ? as_output(gql_named_type(w->type)) : NULL;
  EACH_RULE(w, enter_inline_fragment, sel);
  if (sel->type_condition)
    walk_named_type(w, sel->type_condition, sel->type_condition_loc);
  walk_directives(w, sel->directives, sel->n_directives, GQL_DL_INLINE_FRAGMENT);
  if (sel->selection_set)
    walk_selection_set(w, sel->selection_set);
  EACH_RULE(w, leave_inline_fragment, sel);
  w->type = saved_type;
}

static void walk_selection_set(walker *w, const gql_selection_set *ss) {
  if (stopped(w))
    return;
  const gql_type *saved_parent = w->parent_type;
  const gql_type *named = w->type ? gql_named_type(w->type) : NULL;
  w->parent_type = named && gql_is_composite_type(named) ? named : NULL;
  EACH_RULE(w, enter_selection_set, ss);
  for (size_t i = 0; i < ss->n_items && !stopped(w); i++) {
    const gql_selection *sel = &ss->items[i];
    switch (sel->kind) {
    case GQL_SELECTION_FIELD:
      walk_field(w, sel);
      break;
    case GQL_SELECTION_FRAGMENT_SPREAD:
      EACH_RULE(w, enter_fragment_spread, sel);
      walk_directives(w, sel->directives, sel->n_directives, GQL_DL_FRAGMENT_SPREAD);
      break;
    case GQL_SELECTION_INLINE_FRAGMENT:
      walk_inline_fragment(w, sel);
      break;
    }
  }
  EACH_RULE(w, leave_selection_set, ss);
  w->parent_type = saved_parent;
}

static void walk_variable_definition(walker *w, const gql_variable_definition *vd) {
  input_info saved = save_input(w);
  /* The default value stays as it is: graphql-js's TypeInfo sets it for
   * arguments and input fields only. */
  enter_input(w, as_input(type_from_ref(w->c, vd->type)), w->default_value);
  EACH_RULE(w, enter_variable_definition, vd);
  walk_type_ref(w, vd->type);
  walk_value(w, vd->default_value);
  walk_directives(w, vd->directives, vd->n_directives, GQL_DL_VARIABLE_DEFINITION);
  EACH_RULE(w, leave_variable_definition, vd);
  restore_input(w, saved);
}

static void walk_operation(walker *w, const gql_operation *op, gql_loc loc) {
  static const unsigned op_location[] = {GQL_DL_QUERY, GQL_DL_MUTATION, GQL_DL_SUBSCRIPTION};
  const gql_type *saved_type = w->type;
  w->type = root_type(w->c->schema, op->type);
  EACH_RULE(w, enter_operation, op, loc);
  /* Usages do not count the variable definitions (graphql-js skips them). */
  if (w->mode == WALK_RULES)
    for (size_t i = 0; i < op->n_vars && !stopped(w); i++)
      walk_variable_definition(w, &op->vars[i]);
  walk_directives(w, op->directives, op->n_directives, op_location[op->type]);
  if (op->selection_set)
    walk_selection_set(w, op->selection_set);
  EACH_RULE(w, leave_operation, op, loc);
  w->type = saved_type;
}

static void walk_fragment(walker *w, const gql_fragment *frag, gql_loc loc) {
  const gql_type *saved_type = w->type;
  w->type = as_output(gql_schema_type(w->c->schema, frag->type_condition));
  EACH_RULE(w, enter_fragment, frag, loc);
  walk_named_type(w, frag->type_condition, frag->type_condition_loc);
  walk_directives(w, frag->directives, frag->n_directives, GQL_DL_FRAGMENT_DEFINITION);
  if (frag->selection_set)
    walk_selection_set(w, frag->selection_set);
  EACH_RULE(w, leave_fragment, frag, loc);
  w->type = saved_type;
}

/* Type-system definitions are not executable (ExecutableDefinitions says
 * so), but graphql-js still visits them; the names of the types they refer
 * to are what the rules here look at (KnownTypeNames). */
static void walk_input_value_defs(walker *w, const gql_input_value_def *defs, size_t n) {
  for (size_t i = 0; i < n; i++)
    walk_type_ref(w, defs[i].type);
}

static void walk_type_definition(walker *w, const gql_typedef *t) {
  for (size_t i = 0; i < t->n_interfaces; i++)
    walk_named_type(w, t->interfaces[i].name, t->interfaces[i].loc);
  for (size_t i = 0; i < t->n_fields; i++) {
    walk_input_value_defs(w, t->fields[i].args, t->fields[i].n_args);
    walk_type_ref(w, t->fields[i].type);
  }
  for (size_t i = 0; i < t->n_members; i++)
    walk_named_type(w, t->members[i].name, t->members[i].loc);
  walk_input_value_defs(w, t->input_fields, t->n_input_fields);
}

static void walk_document(walker *w, const gql_document *doc) {
  EACH_RULE(w, enter_document, doc);
  for (size_t i = 0; i < doc->n_defs && !stopped(w); i++) {
    const gql_definition *def = &doc->defs[i];
    EACH_RULE(w, enter_definition, def);
    switch (def->kind) {
    case GQL_DEF_OPERATION:
      walk_operation(w, &def->u.operation, def->loc);
      break;
    case GQL_DEF_FRAGMENT:
      walk_fragment(w, &def->u.fragment, def->loc);
      break;
    case GQL_DEF_SCHEMA:
      for (size_t j = 0; j < def->u.schema.n_operation_types; j++)
        walk_named_type(w, def->u.schema.operation_types[j].type_name,
                        def->u.schema.operation_types[j].loc);
      break;
    case GQL_DEF_TYPE:
      walk_type_definition(w, &def->u.type);
      break;
    case GQL_DEF_DIRECTIVE:
      walk_input_value_defs(w, def->u.directive.args, def->u.directive.n_args);
      break;
    }
  }
  if (!stopped(w))
    EACH_RULE(w, leave_document, doc);
}

/* ---- entry points ---- */

/* Lists, for each callback slot, the rules (of rules[0..n)) that define it,
 * in rule order; `all` has room for N_CALLBACK_SLOTS * n indexes. */
static void index_callbacks(const gql_rule *const *rules, size_t n, rule_list *by_callback,
                            size_t *all) {
  for (size_t slot = 0; slot < N_CALLBACK_SLOTS; slot++) {
    by_callback[slot].rules = all + slot * n;
    by_callback[slot].n = 0;
  }
  for (size_t i = 0; i < n; i++) {
    const char *first = (const char *)rules[i] + offsetof(gql_rule, enter_document);
    for (size_t slot = 0; slot < N_CALLBACK_SLOTS; slot++) {
      any_callback cb;
      memcpy(&cb, first + slot * sizeof cb, sizeof cb);
      if (cb) {
        rule_list *l = &by_callback[slot];
        l->rules[l->n++] = i;
      }
    }
  }
}

#define N_SPECIFIED (sizeof specified_rules / sizeof specified_rules[0])

/* The index of the specified rules depends on nothing else, so it is built
 * once per process rather than per request. */
static rule_list specified_index[N_CALLBACK_SLOTS];
static size_t specified_index_storage[N_CALLBACK_SLOTS * N_SPECIFIED];
static pthread_once_t specified_index_once = PTHREAD_ONCE_INIT;

static void index_specified_rules(void) {
  index_callbacks(specified_rules, N_SPECIFIED, specified_index, specified_index_storage);
}

static size_t validate_with(const gql_schema *s, const gql_document *doc,
                            const gql_rule *const *rules, size_t n_rules,
                            const rule_list *by_callback, arena *a, gql_errors *errs) {
  gql_vctx c = {.schema = s,
                .doc = doc,
                .a = a,
                .errs = errs,
                .rules = rules,
                .n_rules = n_rules,
                .by_callback = by_callback,
                .fragment_work = FRAGMENT_WORK_BUDGET};
  size_t before = errs->n;
  c.states = ARENA_ARRAY(a, void *, n_rules ? n_rules : 1);
  for (size_t i = 0; i < n_rules; i++)
    c.states[i] = rules[i]->state_size ? arena_calloc(a, rules[i]->state_size) : NULL;
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_FRAGMENT)
      strmap_put(&c.fragments, a, doc->defs[i].u.fragment.name, &doc->defs[i].u.fragment);
  walker w = {.c = &c, .mode = WALK_RULES};
  c.main = &w;
  walk_document(&w, doc);
  return errs->n - before;
}

size_t gql_validate_rules(const gql_schema *s, const gql_document *doc,
                          const gql_rule *const *rules, size_t n_rules, arena *a,
                          gql_errors *errs) {
  rule_list *by_callback = ARENA_ARRAY(a, rule_list, N_CALLBACK_SLOTS);
  size_t *all = ARENA_ARRAY(a, size_t, N_CALLBACK_SLOTS * (n_rules ? n_rules : 1));
  index_callbacks(rules, n_rules, by_callback, all);
  return validate_with(s, doc, rules, n_rules, by_callback, a, errs);
}

size_t gql_validate(const gql_schema *s, const gql_document *doc, arena *a, gql_errors *errs) {
  pthread_once(&specified_index_once, index_specified_rules);
  return validate_with(s, doc, specified_rules, N_SPECIFIED, specified_index, a, errs);
}

/* ---- the context ---- */

const gql_schema *gql_vctx_schema(const gql_vctx *c) { return c->schema; }
const gql_document *gql_vctx_document(const gql_vctx *c) { return c->doc; }
arena *gql_vctx_arena(const gql_vctx *c) { return c->a; }

gql_error *gql_vctx_report(gql_vctx *c, gql_loc loc, const char *fmt, ...) {
  if (!c->sink)
    c->sink = ARENA_NEW(c->a, gql_error);
  if (c->aborted)
    return c->sink;
  if (c->n_reported >= GQL_VALIDATE_MAX_ERRORS) {
    gql_errors_add(c->errs, (gql_loc){0, 0}, "%s",
                   "Too many validation errors, error limit reached. Validation aborted.");
    c->aborted = true;
    return c->sink;
  }
  va_list ap;
  va_start(ap, fmt);
  const char *msg = arena_vprintf(c->a, fmt, ap);
  va_end(ap);
  c->n_reported++;
  return gql_errors_add(c->errs, loc, "%s", msg);
}

void gql_vctx_add_loc(gql_vctx *c, gql_error *e, gql_loc loc) {
  if (e && e != c->sink)
    gql_error_add_loc(c->errs, e, loc);
}

const gql_type *gql_vctx_parent_type(const gql_vctx *c) { return c->main->parent_type; }
const gql_field *gql_vctx_field_def(const gql_vctx *c) { return c->main->field_def; }
const gql_type *gql_vctx_type(const gql_vctx *c) { return c->main->type; }
const gql_schema_directive *gql_vctx_directive(const gql_vctx *c) { return c->main->directive; }
const gql_input_value *gql_vctx_argument(const gql_vctx *c) { return c->main->argument; }
const gql_type *gql_vctx_input_type(const gql_vctx *c) { return c->main->input_type; }
const gql_type *gql_vctx_parent_input_type(const gql_vctx *c) { return c->main->parent_input_type; }
const gql_value *gql_vctx_default_value(const gql_vctx *c) { return c->main->default_value; }

const gql_fragment *gql_vctx_fragment(const gql_vctx *c, const char *name) {
  return strmap_get(&c->fragments, name);
}

gql_spread_list gql_vctx_fragment_spreads(gql_vctx *c, const gql_selection_set *ss) {
  gql_spread_list *cached = ptrmap_get(&c->spreads, ss, NULL);
  if (cached)
    return *cached;
  /* graphql-js's order: a stack of selection sets, last pushed first. */
  vec spreads = {0}, stack = {0};
  *(const gql_selection_set **)vec_push(&stack, c->a, sizeof ss) = ss;
  while (stack.n > 0) {
    const gql_selection_set *set = ((const gql_selection_set **)stack.items)[--stack.n];
    for (size_t i = 0; i < set->n_items; i++) {
      const gql_selection *sel = &set->items[i];
      if (sel->kind == GQL_SELECTION_FRAGMENT_SPREAD)
        *(const gql_selection **)vec_push(&spreads, c->a, sizeof sel) = sel;
      else if (sel->selection_set)
        *(const gql_selection_set **)vec_push(&stack, c->a, sizeof ss) = sel->selection_set;
    }
  }
  gql_spread_list *list = ARENA_NEW(c->a, gql_spread_list);
  list->items = spreads.items;
  list->n = spreads.n;
  *ptrmap_slot(&c->spreads, c->a, ss, NULL, true) = list;
  return *list;
}

static int cmp_names(const void *x, const void *y) {
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The cache key of a set of names: sorted, comma-separated (names have no
 * commas), so equal sets share their result as in graphql-js. */
static const char *name_set_key(gql_vctx *c, const char **names, size_t n) {
  const char **sorted = ARENA_ARRAY(c->a, const char *, n ? n : 1);
  if (n)
    memcpy(sorted, names, n * sizeof *names);
  qsort(sorted, n, sizeof *sorted, cmp_names);
  buf key;
  buf_init(&key, c->a);
  for (size_t i = 0; i < n; i++) {
    buf_puts(&key, sorted[i]);
    buf_putc(&key, ',');
  }
  return buf_cstr(&key);
}

/* An ordered set of names being collected. */
typedef struct name_set {
  vec names; /* const char * */
  strmap seen;
} name_set;

static void name_set_add(gql_vctx *c, name_set *ns, const char *name) {
  if (strmap_get(&ns->seen, name))
    return;
  strmap_put(&ns->seen, c->a, name, name);
  *(const char **)vec_push(&ns->names, c->a, sizeof name) = name;
}

gql_fragment_list gql_vctx_recursively_referenced_fragments_for_operations(
    gql_vctx *c, const gql_operation *const *ops, size_t n_ops) {
  /* The names spread directly by the operations, then (appended while
   * going through the list) those spread by each fragment found. */
  name_set ns = {0};
  for (size_t i = 0; i < n_ops; i++) {
    if (!ops[i]->selection_set)
      continue;
    gql_spread_list spreads = gql_vctx_fragment_spreads(c, ops[i]->selection_set);
    for (size_t j = 0; j < spreads.n; j++)
      name_set_add(c, &ns, spreads.items[j]->name);
  }
  const char *key = name_set_key(c, ns.names.items, ns.names.n);
  const gql_fragment_list *cached = strmap_get(&c->name_sets, key);
  if (cached)
    return *cached;
  vec frags = {0};
  gql_vctx_spend_fragment_work(c, ns.names.n);
  for (size_t i = 0; i < ns.names.n && !c->aborted; i++) {
    const gql_fragment *frag = gql_vctx_fragment(c, ((const char **)ns.names.items)[i]);
    if (!frag)
      continue;
    *(const gql_fragment **)vec_push(&frags, c->a, sizeof frag) = frag;
    if (!frag->selection_set)
      continue;
    gql_spread_list spreads = gql_vctx_fragment_spreads(c, frag->selection_set);
    gql_vctx_spend_fragment_work(c, spreads.n);
    for (size_t j = 0; j < spreads.n; j++)
      name_set_add(c, &ns, spreads.items[j]->name);
  }
  gql_fragment_list *list = ARENA_NEW(c->a, gql_fragment_list);
  list->items = frags.items;
  list->n = frags.n;
  strmap_put(&c->name_sets, c->a, key, list);
  return *list;
}

gql_fragment_list gql_vctx_recursively_referenced_fragments(gql_vctx *c, const gql_operation *op) {
  return gql_vctx_recursively_referenced_fragments_for_operations(c, &op, 1);
}

bool gql_vctx_spend_fragment_work(gql_vctx *c, size_t cost) {
  if (c->aborted)
    return false;
  c->fragment_work -= (int64_t)cost;
  if (c->fragment_work < 0) {
    gql_vctx_abort(c);
    return false;
  }
  return true;
}

void gql_vctx_abort(gql_vctx *c) {
  if (c->aborted)
    return;
  gql_errors_add(c->errs, (gql_loc){0, 0}, "%s", "Validation aborted.");
  c->aborted = true;
}

/* The usages in one operation or fragment (node is one of them, the other NULL). */
static gql_usage_list usages_of(gql_vctx *c, const gql_operation *op, const gql_fragment *frag) {
  const void *key = op ? (const void *)op : (const void *)frag;
  gql_usage_list *cached = ptrmap_get(&c->usages, key, NULL);
  if (cached)
    return *cached;
  walker w = {.c = c, .mode = WALK_USAGES};
  if (op)
    walk_operation(&w, op, (gql_loc){0, 0});
  else
    walk_fragment(&w, frag, (gql_loc){0, 0});
  gql_usage_list *list = ARENA_NEW(c->a, gql_usage_list);
  list->items = w.usages.items;
  list->n = w.usages.n;
  *ptrmap_slot(&c->usages, c->a, key, NULL, true) = list;
  return *list;
}

static gql_usage_list concat_usages(gql_vctx *c, const gql_usage_list *lists, size_t n) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += lists[i].n;
  gql_usage_list out = {ARENA_ARRAY(c->a, gql_variable_usage, total ? total : 1), 0};
  for (size_t i = 0; i < n; i++) {
    if (lists[i].n)
      memcpy(out.items + out.n, lists[i].items, lists[i].n * sizeof *out.items);
    out.n += lists[i].n;
  }
  return out;
}

/* The usages in the fragments of a list (shared by the operations using
 * the same fragments). */
static gql_usage_list fragment_usages(gql_vctx *c, gql_fragment_list frags) {
  gql_usage_list none = {0};
  if (frags.n == 0)
    return none;
  gql_usage_list *cached = ptrmap_get(&c->frag_usages, frags.items, NULL);
  if (cached)
    return *cached;
  gql_vctx_spend_fragment_work(c, frags.n);
  gql_usage_list *parts = ARENA_ARRAY(c->a, gql_usage_list, frags.n);
  for (size_t i = 0; i < frags.n && !c->aborted; i++) {
    parts[i] = usages_of(c, NULL, frags.items[i]);
    gql_vctx_spend_fragment_work(c, parts[i].n);
  }
  gql_usage_list *list = ARENA_NEW(c->a, gql_usage_list);
  *list = concat_usages(c, parts, frags.n);
  *ptrmap_slot(&c->frag_usages, c->a, frags.items, NULL, true) = list;
  return *list;
}

gql_usage_list gql_vctx_recursive_variable_usages(gql_vctx *c, const gql_operation *op) {
  gql_usage_list *cached = ptrmap_get(&c->op_usages, op, NULL);
  if (cached)
    return *cached;
  gql_usage_list parts[2];
  parts[1] = fragment_usages(c, gql_vctx_recursively_referenced_fragments(c, op));
  gql_vctx_spend_fragment_work(c, parts[1].n);
  parts[0] = usages_of(c, op, NULL);
  gql_usage_list *list = ARENA_NEW(c->a, gql_usage_list);
  *list = concat_usages(c, parts, 2);
  *ptrmap_slot(&c->op_usages, c->a, op, NULL, true) = list;
  return *list;
}
