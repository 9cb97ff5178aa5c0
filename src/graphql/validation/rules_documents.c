/* rules_documents.c — the rules about a document's definitions (spec §5.1,
 * §5.2): Executable Definitions, Operation Name Uniqueness, Lone Anonymous
 * Operation and Single Root Field (for subscriptions), with graphql-js's
 * messages. */
#include <stdbool.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/printer.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

/* ---- ExecutableDefinitions ---- */

static void exec_defs_enter_document(gql_vctx *c, void *st, const gql_document *doc) {
  (void)st;
  /* graphql-js reports them all on entering the document, before anything
   * else is visited. */
  for (size_t i = 0; i < doc->n_defs; i++) {
    const gql_definition *def = &doc->defs[i];
    switch (def->kind) {
    case GQL_DEF_OPERATION:
    case GQL_DEF_FRAGMENT:
      break;
    case GQL_DEF_SCHEMA:
      gql_vctx_report(c, def->loc, "The schema definition is not executable.");
      break;
    case GQL_DEF_TYPE:
      gql_vctx_report(c, def->loc, "The \"%s\" definition is not executable.", def->u.type.name);
      break;
    case GQL_DEF_DIRECTIVE:
      gql_vctx_report(c, def->loc, "The \"%s\" definition is not executable.",
                      def->u.directive.name);
      break;
    }
  }
}

const gql_rule gql_rule_executable_definitions = {
    .name = "ExecutableDefinitions",
    .enter_document = exec_defs_enter_document,
};

/* ---- UniqueOperationNames ---- */

typedef struct unique_ops_state {
  strmap seen; /* name → where the first operation of that name is named */
} unique_ops_state;

static void unique_ops_enter_operation(gql_vctx *c, void *st, const gql_operation *op,
                                       gql_loc loc) {
  (void)loc;
  unique_ops_state *s = st;
  if (!op->name)
    return;
  const gql_loc *first = strmap_add(&s->seen, gql_vctx_arena(c), op->name, &op->name_loc);
  if (first) {
    gql_error *e =
        gql_vctx_report(c, *first, "There can be only one operation named \"%s\".", op->name);
    gql_vctx_add_loc(c, e, op->name_loc);
  }
}

const gql_rule gql_rule_unique_operation_names = {
    .name = "UniqueOperationNames",
    .state_size = sizeof(unique_ops_state),
    .enter_operation = unique_ops_enter_operation,
};

/* ---- LoneAnonymousOperation ---- */

typedef struct lone_anon_state {
  size_t n_operations;
} lone_anon_state;

static void lone_anon_enter_document(gql_vctx *c, void *st, const gql_document *doc) {
  (void)c;
  lone_anon_state *s = st;
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_OPERATION)
      s->n_operations++;
}

static void lone_anon_enter_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  lone_anon_state *s = st;
  if (!op->name && s->n_operations > 1)
    gql_vctx_report(c, loc, "This anonymous operation must be the only defined operation.");
}

const gql_rule gql_rule_lone_anonymous_operation = {
    .name = "LoneAnonymousOperation",
    .state_size = sizeof(lone_anon_state),
    .enter_document = lone_anon_enter_document,
    .enter_operation = lone_anon_enter_operation,
};

/* ---- SingleFieldSubscriptions ----
 *
 * Collects the root fields as execution would (CollectFields with no
 * variable values: fragments and inline fragments whose condition matches
 * the subscription type, @skip/@include applied) and checks there is exactly
 * one response key, not an introspection field. */

typedef struct field_group { /* the fields of one response key */
  const gql_selection **fields;
  size_t n, cap;
} field_group;

typedef struct collector {
  gql_vctx *c;
  const gql_type *root;
  strmap keys;          /* response key → field_group */
  field_group **groups; /* in order of first appearance */
  size_t n_groups, cap_groups;
  strmap visited; /* fragment names already collected */
  bool failed;    /* a directive could not be evaluated (reported) */
} collector;

static void collect_field(collector *k, const gql_selection *sel) {
  arena *a = gql_vctx_arena(k->c);
  const char *key = sel->alias ? sel->alias : sel->name;
  field_group *g = (field_group *)strmap_get(&k->keys, key);
  if (!g) {
    g = ARENA_NEW(a, field_group);
    strmap_put(&k->keys, a, key, g);
    k->groups = arena_grow(a, k->groups, &k->cap_groups, k->n_groups, sizeof *k->groups);
    k->groups[k->n_groups++] = g;
  }
  g->fields = arena_grow(a, g->fields, &g->cap, g->n, sizeof *g->fields);
  g->fields[g->n++] = sel;
}

/* The value of the `if` argument of @skip or @include on sel: 1 true, 0
 * false, -1 when the directive is absent. Without variable values a
 * variable cannot be evaluated; graphql-js throws its coercion error then,
 * which we report (once) instead. */
static int directive_if(collector *k, const gql_selection *sel, const char *directive) {
  const gql_directive *d = NULL;
  for (size_t i = 0; i < sel->n_directives && !d; i++)
    if (strcmp(sel->directives[i].name, directive) == 0)
      d = &sel->directives[i];
  if (!d)
    return -1;
  const gql_argument *arg = NULL;
  for (size_t i = 0; i < d->n_args; i++)
    if (strcmp(d->args[i].name, "if") == 0)
      arg = &d->args[i]; /* the last one counts */
  gql_vctx *c = k->c;
  if (!arg) {
    gql_vctx_report(c, d->loc, "Argument \"if\" of required type \"Boolean!\" was not provided.");
  } else if (arg->value->kind == GQL_VALUE_VARIABLE) {
    gql_vctx_report(c, arg->value->loc,
                    "Argument \"if\" of required type \"Boolean!\" was provided the variable "
                    "\"$%s\" which was not provided a runtime value.",
                    arg->value->str);
  } else if (arg->value->kind == GQL_VALUE_NULL) {
    gql_vctx_report(c, arg->value->loc,
                    "Argument \"if\" of non-null type \"Boolean!\" must not be null.");
  } else if (arg->value->kind != GQL_VALUE_BOOLEAN) {
    buf b;
    buf_init(&b, gql_vctx_arena(c));
    gql_print_value(&b, arg->value);
    gql_vctx_report(c, arg->value->loc, "Argument \"if\" has invalid value %s.", buf_cstr(&b));
  } else {
    return arg->value->boolean ? 1 : 0;
  }
  k->failed = true;
  return -1;
}

static bool should_include(collector *k, const gql_selection *sel) {
  if (directive_if(k, sel, "skip") == 1 || k->failed)
    return false;
  return directive_if(k, sel, "include") != 0 && !k->failed;
}

/* graphql-js charges its fragment-work budget for every selection set
 * collected: its selections, their directives and the arguments of
 * @skip/@include. */
static bool reserve_selection_set_work(collector *k, const gql_selection_set *ss) {
  if (!gql_vctx_spend_fragment_work(k->c, ss->n_items))
    return false;
  for (size_t i = 0; i < ss->n_items; i++) {
    const gql_selection *sel = &ss->items[i];
    if (!gql_vctx_spend_fragment_work(k->c, sel->n_directives))
      return false;
    for (size_t j = 0; j < sel->n_directives; j++) {
      const gql_directive *d = &sel->directives[j];
      if ((strcmp(d->name, "skip") == 0 || strcmp(d->name, "include") == 0) &&
          !gql_vctx_spend_fragment_work(k->c, d->n_args))
        return false;
    }
  }
  return true;
}

static bool condition_matches(collector *k, const char *type_condition) {
  if (!type_condition)
    return true;
  const gql_type *t = gql_schema_type(gql_vctx_schema(k->c), type_condition);
  if (!t)
    return false;
  if (t == k->root)
    return true;
  return gql_is_abstract_type(t) && gql_is_possible_type(t, k->root);
}

/* Depth-first over the selections, with an explicit stack so a long chain
 * of fragments cannot exhaust the C stack. */
static void collect_fields(collector *k, const gql_selection_set *root) {
  typedef struct frame {
    const gql_selection_set *ss;
    size_t next;
  } frame;
  arena *a = gql_vctx_arena(k->c);
  frame *stack = NULL;
  size_t depth = 0, cap = 0;
  if (!reserve_selection_set_work(k, root)) {
    k->failed = true;
    return;
  }
  stack = arena_grow(a, stack, &cap, depth, sizeof *stack);
  stack[depth++] = (frame){root, 0};
  while (depth > 0 && !k->failed) {
    frame *f = &stack[depth - 1];
    if (f->next == f->ss->n_items) {
      depth--;
      continue;
    }
    const gql_selection *sel = &f->ss->items[f->next++];
    const gql_selection_set *inner = NULL;
    if (sel->kind == GQL_SELECTION_FIELD) {
      if (should_include(k, sel))
        collect_field(k, sel);
    } else if (sel->kind == GQL_SELECTION_INLINE_FRAGMENT) {
      if (should_include(k, sel) && condition_matches(k, sel->type_condition))
        inner = sel->selection_set;
    } else if (!strmap_get(&k->visited, sel->name) && should_include(k, sel)) {
      strmap_put(&k->visited, a, sel->name, sel);
      const gql_fragment *frag = gql_vctx_fragment(k->c, sel->name);
      if (frag && condition_matches(k, frag->type_condition))
        inner = frag->selection_set;
    }
    if (inner && !reserve_selection_set_work(k, inner)) {
      k->failed = true;
      break;
    }
    if (inner) {
      stack = arena_grow(a, stack, &cap, depth, sizeof *stack);
      stack[depth++] = (frame){inner, 0};
    }
  }
}

static void report_fields(gql_vctx *c, gql_error *e, const field_group *g, size_t from) {
  for (size_t i = from; i < g->n; i++)
    gql_vctx_add_loc(c, e, g->fields[i]->loc);
}

typedef struct single_field_state {
  bool charged_definitions;
} single_field_state;

static void single_field_enter_operation(gql_vctx *c, void *st, const gql_operation *op,
                                         gql_loc loc) {
  (void)loc;
  single_field_state *s = st;
  const gql_type *root = gql_vctx_schema(c)->subscription;
  if (op->type != GQL_OP_SUBSCRIPTION || !root || !op->selection_set)
    return;
  if (!s->charged_definitions) {
    /* graphql-js charges for indexing the fragments, once. */
    s->charged_definitions = true;
    if (!gql_vctx_spend_fragment_work(c, gql_vctx_document(c)->n_defs))
      return;
  }
  collector k = {.c = c, .root = root};
  collect_fields(&k, op->selection_set);
  if (k.failed)
    return;
  const char *name = op->name;
  if (k.n_groups > 1) {
    gql_error *e = name ? gql_vctx_report(c, k.groups[1]->fields[0]->loc,
                                          "Subscription \"%s\" must select only one top level "
                                          "field.",
                                          name)
                        : gql_vctx_report(c, k.groups[1]->fields[0]->loc,
                                          "Anonymous Subscription must select only one top "
                                          "level field.");
    for (size_t i = 1; i < k.n_groups; i++)
      report_fields(c, e, k.groups[i], i == 1 ? 1 : 0);
  }
  for (size_t i = 0; i < k.n_groups; i++) {
    const field_group *g = k.groups[i];
    if (strncmp(g->fields[0]->name, "__", 2) != 0)
      continue;
    gql_error *e = name ? gql_vctx_report(c, g->fields[0]->loc,
                                          "Subscription \"%s\" must not select an introspection "
                                          "top level field.",
                                          name)
                        : gql_vctx_report(c, g->fields[0]->loc,
                                          "Anonymous Subscription must not select an "
                                          "introspection top level field.");
    report_fields(c, e, g, 1);
  }
}

const gql_rule gql_rule_single_field_subscriptions = {
    .name = "SingleFieldSubscriptions",
    .state_size = sizeof(single_field_state),
    .enter_operation = single_field_enter_operation,
};
