/* rules_types.c — the rules about the types a document names and selects
 * (spec §5.3.1, §5.3.3, §5.5.1.2, §5.5.1.3, §5.8.2): Known Type Names,
 * Fragments On Composite Types, Variables Are Input Types, Leaf Field
 * Selections and Field Selections, with graphql-js's messages and "Did you
 * mean" suggestions. */
#include <stdbool.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/printer.h"
#include "graphql/specified.h"
#include "graphql/suggest.h"
#include "graphql/validation/rules.h"

/* ---- KnownTypeNames ---- */

typedef struct known_types_state {
  strmap defined;     /* names of the type definitions in the document */
  bool in_sdl;        /* the current definition is a type-system one */
  const char **names; /* the candidates for suggestions, built on first need */
  size_t n_names;
} known_types_state;

static void known_types_enter_document(gql_vctx *c, void *st, const gql_document *doc) {
  known_types_state *s = st;
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_TYPE && !doc->defs[i].u.type.extension)
      strmap_put(&s->defined, gql_vctx_arena(c), doc->defs[i].u.type.name, &doc->defs[i]);
}

static void known_types_enter_definition(gql_vctx *c, void *st, const gql_definition *def) {
  (void)c;
  known_types_state *s = st;
  s->in_sdl = def->kind != GQL_DEF_OPERATION && def->kind != GQL_DEF_FRAGMENT;
}

/* The schema's type names, then the document's type definitions (graphql-js's
 * order; the suggestion list sorts them anyway). */
static void collect_type_names(gql_vctx *c, known_types_state *s) {
  const gql_schema *schema = gql_vctx_schema(c);
  const gql_document *doc = gql_vctx_document(c);
  size_t n = gql_n_specified_type_names + schema->n_types + doc->n_defs;
  s->names = ARENA_ARRAY(gql_vctx_arena(c), const char *, n);
  for (size_t i = 0; i < schema->n_types; i++)
    s->names[s->n_names++] = schema->types[i]->name;
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_TYPE && !doc->defs[i].u.type.extension)
      s->names[s->n_names++] = doc->defs[i].u.type.name;
}

static void known_types_enter_named_type(gql_vctx *c, void *st, const char *name, gql_loc loc) {
  known_types_state *s = st;
  if (gql_schema_type(gql_vctx_schema(c), name) || strmap_get(&s->defined, name))
    return;
  if (s->in_sdl && gql_is_specified_type_name(name))
    return;
  if (!s->names)
    collect_type_names(c, s);
  arena *a = gql_vctx_arena(c);
  const char *const *options = s->names;
  size_t n_options = s->n_names;
  if (s->in_sdl) {
    size_t n_specified = gql_n_specified_type_names;
    const char **both = ARENA_ARRAY(a, const char *, n_specified + s->n_names);
    memcpy(both, gql_specified_type_names, n_specified * sizeof *both);
    memcpy(both + n_specified, s->names, s->n_names * sizeof *both);
    options = both;
    n_options += n_specified;
  }
  gql_vctx_report(c, loc, "Unknown type \"%s\".%s", name,
                  gql_suggest(a, NULL, name, options, n_options));
}

const gql_rule gql_rule_known_type_names = {
    .name = "KnownTypeNames",
    .state_size = sizeof(known_types_state),
    .enter_document = known_types_enter_document,
    .enter_definition = known_types_enter_definition,
    .enter_named_type = known_types_enter_named_type,
};

/* ---- FragmentsOnCompositeTypes ---- */

/* Is the type condition a known type that is not composite? */
static bool condition_not_composite(gql_vctx *c, const char *type_condition) {
  const gql_type *t = gql_schema_type(gql_vctx_schema(c), type_condition);
  return t && !gql_is_composite_type(t);
}

static void on_composite_enter_inline_fragment(gql_vctx *c, void *st, const gql_selection *sel) {
  (void)st;
  if (sel->type_condition && condition_not_composite(c, sel->type_condition))
    gql_vctx_report(c, sel->type_condition_loc,
                    "Fragment cannot condition on non composite type \"%s\".", sel->type_condition);
}

static void on_composite_enter_fragment(gql_vctx *c, void *st, const gql_fragment *frag,
                                        gql_loc loc) {
  (void)st;
  (void)loc;
  if (condition_not_composite(c, frag->type_condition))
    gql_vctx_report(c, frag->type_condition_loc,
                    "Fragment \"%s\" cannot condition on non composite type \"%s\".", frag->name,
                    frag->type_condition);
}

const gql_rule gql_rule_fragments_on_composite_types = {
    .name = "FragmentsOnCompositeTypes",
    .enter_inline_fragment = on_composite_enter_inline_fragment,
    .enter_fragment = on_composite_enter_fragment,
};

/* ---- VariablesAreInputTypes ---- */

static void input_vars_enter_variable_definition(gql_vctx *c, void *st,
                                                 const gql_variable_definition *vd) {
  (void)st;
  /* Wrappers do not change whether a type is an input type: the named type decides. */
  const gql_type_ref *named = vd->type;
  while (named->kind != GQL_TYPE_REF_NAMED)
    named = named->of;
  const gql_type *t = gql_schema_type(gql_vctx_schema(c), named->name);
  if (!t || gql_is_input_type(t))
    return;
  buf type_str;
  buf_init(&type_str, gql_vctx_arena(c));
  gql_print_type_ref(&type_str, vd->type);
  gql_vctx_report(c, vd->type->loc, "Variable \"$%s\" cannot be non-input type \"%s\".", vd->name,
                  buf_cstr(&type_str));
}

const gql_rule gql_rule_variables_are_input_types = {
    .name = "VariablesAreInputTypes",
    .enter_variable_definition = input_vars_enter_variable_definition,
};

/* ---- ScalarLeafs ---- */

static void scalar_leafs_enter_field(gql_vctx *c, void *st, const gql_selection *field) {
  (void)st;
  const gql_type *type = gql_vctx_type(c);
  if (!type)
    return;
  const gql_selection_set *ss = field->selection_set;
  bool leaf = gql_is_leaf_type(gql_named_type(type));
  if (leaf ? !ss : ss && ss->n_items > 0)
    return; /* valid: the type's name is printed for errors only */
  const char *type_str = gql_type_str(gql_vctx_arena(c), type);
  if (leaf) {
    gql_vctx_report(c, ss->loc,
                    "Field \"%s\" must not have a selection since type \"%s\" has no subfields.",
                    field->name, type_str);
  } else if (!ss) {
    gql_vctx_report(c, field->loc,
                    "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you mean "
                    "\"%s { ... }\"?",
                    field->name, type_str, field->name);
  } else {
    gql_vctx_report(c, field->loc,
                    "Field \"%s\" of type \"%s\" must have at least one field selected.",
                    field->name, type_str);
  }
}

const gql_rule gql_rule_scalar_leafs = {
    .name = "ScalarLeafs",
    .enter_field = scalar_leafs_enter_field,
};

/* ---- FieldsOnCorrectType ---- */

typedef struct suggested_type {
  const gql_type *type;
  size_t uses; /* how many of the possible types have (or are) it */
} suggested_type;

static bool implements(const gql_type *t, const gql_type *iface) {
  for (size_t i = 0; i < t->n_interfaces; i++)
    if (t->interfaces[i] == iface)
      return true;
  return false;
}

/* graphql-js's order of suggested types: more uses first, then super types
 * before their subtypes, then natural order of names. */
static int compare_suggested(const suggested_type *x, const suggested_type *y) {
  if (x->uses != y->uses)
    return x->uses > y->uses ? -1 : 1;
  if (x->type->kind == GQL_KIND_INTERFACE && implements(y->type, x->type))
    return -1;
  if (y->type->kind == GQL_KIND_INTERFACE && implements(x->type, y->type))
    return 1;
  return gql_natural_compare(x->type->name, y->type->name);
}

/* That comparison is not a total order (an interface and an unrelated
 * object compare by name, the object and the interface's implementation
 * too), so the result depends on the sorting algorithm. This is the one
 * Array.prototype.sort uses in V8 for short arrays (TimSort's first run made
 * ascending, then binary insertion), so the suggestions come out as
 * graphql-js's; longer lists sort the same way. */
static void sort_suggested(suggested_type *list, size_t n) {
  if (n < 2)
    return;
  size_t run = 2;
  bool descending = compare_suggested(&list[1], &list[0]) < 0;
  for (; run < n; run++) {
    int order = compare_suggested(&list[run], &list[run - 1]);
    if (descending ? order >= 0 : order < 0)
      break;
  }
  if (descending)
    for (size_t i = 0, j = run - 1; i < j; i++, j--) {
      suggested_type t = list[i];
      list[i] = list[j];
      list[j] = t;
    }
  for (size_t start = run; start < n; start++) {
    suggested_type pivot = list[start];
    size_t left = 0, right = start;
    while (left < right) {
      size_t mid = left + (right - left) / 2;
      if (compare_suggested(&pivot, &list[mid]) < 0)
        right = mid;
      else
        left = mid + 1;
    }
    memmove(&list[left + 1], &list[left], (start - left) * sizeof *list);
    list[left] = pivot;
  }
}

static void add_suggested(suggested_type *list, size_t *n, const gql_type *t) {
  for (size_t i = 0; i < *n; i++)
    if (list[i].type == t) {
      list[i].uses++;
      return;
    }
  list[(*n)++] = (suggested_type){t, 1};
}

/* For an abstract parent: the types (objects and their interfaces) that do
 * have the field, to suggest an inline fragment on. */
static size_t suggested_type_names(gql_vctx *c, const gql_type *parent, const char *field,
                                   const char ***out) {
  if (!gql_is_abstract_type(parent))
    return 0;
  arena *a = gql_vctx_arena(c);
  size_t cap = 0;
  for (size_t i = 0; i < parent->n_possible; i++)
    cap += 1 + parent->possible[i]->n_interfaces;
  suggested_type *list = ARENA_ARRAY(a, suggested_type, cap ? cap : 1);
  size_t n = 0;
  for (size_t i = 0; i < parent->n_possible; i++) {
    const gql_type *obj = parent->possible[i];
    if (!gql_type_field(obj, field))
      continue;
    add_suggested(list, &n, obj);
    for (size_t j = 0; j < obj->n_interfaces; j++)
      if (gql_type_field(obj->interfaces[j], field))
        add_suggested(list, &n, obj->interfaces[j]);
  }
  sort_suggested(list, n);
  const char **names = ARENA_ARRAY(a, const char *, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    names[i] = list[i].type->name;
  *out = names;
  return n;
}

static void fields_enter_field(gql_vctx *c, void *st, const gql_selection *field) {
  (void)st;
  const gql_type *parent = gql_vctx_parent_type(c);
  if (!parent || gql_vctx_field_def(c))
    return;
  arena *a = gql_vctx_arena(c);
  const char **sugg = NULL;
  const char *suggestion = "";
  size_t n = suggested_type_names(c, parent, field->name, &sugg);
  if (n > 0) {
    suggestion = gql_did_you_mean(a, "to use an inline fragment on", sugg, n);
  } else if (parent->kind == GQL_KIND_OBJECT || parent->kind == GQL_KIND_INTERFACE) {
    const char **names = ARENA_ARRAY(a, const char *, parent->n_fields ? parent->n_fields : 1);
    for (size_t i = 0; i < parent->n_fields; i++)
      names[i] = parent->fields[i].name;
    suggestion = gql_suggest(a, NULL, field->name, names, parent->n_fields);
  }
  gql_vctx_report(c, field->loc, "Cannot query field \"%s\" on type \"%s\".%s", field->name,
                  parent->name, suggestion);
}

const gql_rule gql_rule_fields_on_correct_type = {
    .name = "FieldsOnCorrectType",
    .enter_field = fields_enter_field,
};
