/* rules_values.c — the value rules of spec §5.6: Values of Correct Type
 * (ValuesOfCorrectType) and Input Object Field Uniqueness
 * (UniqueInputFieldNames).
 *
 * ValuesOfCorrectType checks every literal against the input type expected
 * where it stands (TypeInfo's input type): leaf literals through the scalar's
 * parse hook or the enum's values (with graphql-js's messages and "Did you
 * mean" suggestions), null against non-null types, input objects for unknown
 * and missing required fields and the @oneOf constraints. Like graphql-js it
 * stops descending into a list or object literal that stands where no list or
 * input object is expected, after reporting it once. */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/printer.h"
#include "graphql/suggest.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

static const char *print_value(arena *a, const gql_value *v) {
  buf b;
  buf_init(&b, a);
  gql_print_value(&b, v);
  return buf_cstr(&b);
}

/* ---- ValuesOfCorrectType ---- */

typedef struct values_state {
  /* A list or object literal whose contents are not checked (it was reported
   * as a whole); NULL when none. */
  const gql_value *skip;
} values_state;

static void report_expected(gql_vctx *c, const gql_type *type, const gql_value *v,
                            const char *detail) {
  arena *a = gql_vctx_arena(c);
  if (detail)
    gql_vctx_report(c, v->loc, "Expected value of type \"%s\", found %s; %s", gql_type_str(a, type),
                    print_value(a, v), detail);
  else
    gql_vctx_report(c, v->loc, "Expected value of type \"%s\", found %s.", gql_type_str(a, type),
                    print_value(a, v));
}

static void check_enum_literal(gql_vctx *c, const gql_type *e, const gql_value *v) {
  if (v->kind == GQL_VALUE_ENUM && gql_type_enum_value(e, v->str))
    return;
  arena *a = gql_vctx_arena(c);
  const char *shown = print_value(a, v);
  const char *msg =
      v->kind != GQL_VALUE_ENUM
          ? arena_printf(a, "Enum \"%s\" cannot represent non-enum value: %s.", e->name, shown)
          : arena_printf(a, "Value \"%s\" does not exist in \"%s\" enum.", shown, e->name);
  gql_vctx_report(
      c, v->loc, "%s%s", msg,
      gql_suggest(a, "the enum value", shown, gql_venum_value_names(a, e), e->n_values));
}

/* graphql-js's isValidValueNode: a literal where a leaf value is expected. */
static void check_leaf(gql_vctx *c, const gql_value *v) {
  const gql_type *location = gql_vctx_input_type(c);
  if (!location)
    return;
  const gql_type *t = gql_named_type(location);
  if (!gql_is_leaf_type(t)) {
    report_expected(c, location, v, NULL);
    return;
  }
  if (t->kind == GQL_KIND_ENUM) {
    check_enum_literal(c, t, v);
    return;
  }
  if (!t->scalar || !t->scalar->parse)
    return; /* a pass-through custom scalar */
  arena *a = gql_vctx_arena(c);
  char small[512] = "";
  char *err = small;
  if (t->scalar->parse(v, false, a, err, sizeof small))
    return;
  if (strlen(err) == sizeof small - 1) {
    /* The message quotes the literal and may have been cut: ask again with
     * room for it (escaping at most sextuples a character). */
    size_t size = 6 * strlen(print_value(a, v)) + 512;
    err = arena_calloc(a, size);
    t->scalar->parse(v, false, a, err, size);
  }
  /* Built-in scalars raise GraphQL errors of their own; other failures are
   * wrapped, as graphql-js does for errors thrown by a custom parseLiteral. */
  if (t->builtin && err[0])
    gql_vctx_report(c, v->loc, "%s", err);
  else
    report_expected(c, location, v, err[0] ? err : NULL);
}

/* Counts the distinct field names of an object literal; sets *only to the
 * value of the last field named like the first when there is one name. */
static size_t distinct_fields(arena *a, const gql_value *obj, const gql_object_field **only) {
  strmap names = {0};
  *only = NULL;
  for (size_t i = 0; i < obj->n_fields; i++) {
    strmap_put(&names, a, obj->fields[i].name, &obj->fields[i]);
    *only = &obj->fields[i];
  }
  return names.n;
}

static bool has_field(const gql_value *obj, const char *name) {
  for (size_t i = 0; i < obj->n_fields; i++)
    if (strcmp(obj->fields[i].name, name) == 0)
      return true;
  return false;
}

static void check_input_object(gql_vctx *c, const gql_type *t, const gql_value *v) {
  arena *a = gql_vctx_arena(c);
  for (size_t i = 0; i < t->n_input_fields; i++) {
    const gql_input_value *f = &t->input_fields[i];
    if (f->type->kind != GQL_KIND_NON_NULL || f->default_value || has_field(v, f->name))
      continue;
    gql_vctx_report(c, v->loc, "Field \"%s.%s\" of required type \"%s\" was not provided.", t->name,
                    f->name, gql_type_str(a, f->type));
  }
  if (!t->one_of)
    return;
  const gql_object_field *only;
  if (distinct_fields(a, v, &only) != 1) {
    gql_vctx_report(c, v->loc, "OneOf Input Object \"%s\" must specify exactly one key.", t->name);
    return;
  }
  if (only->value->kind == GQL_VALUE_NULL)
    gql_vctx_report(c, v->loc, "Field \"%s.%s\" must be non-null.", t->name, only->name);
}

static void values_enter_value(gql_vctx *c, void *st_, const gql_value *v) {
  values_state *st = st_;
  if (st->skip)
    return;
  switch (v->kind) {
  case GQL_VALUE_VARIABLE:
    return;
  case GQL_VALUE_LIST: {
    /* TypeInfo has already stepped to the item type: the list's own
     * position is the parent input type. */
    const gql_type *t = gql_vctx_parent_input_type(c);
    if (t && t->kind == GQL_KIND_NON_NULL)
      t = t->of;
    if (!t || t->kind != GQL_KIND_LIST) {
      check_leaf(c, v);
      st->skip = v;
    }
    return;
  }
  case GQL_VALUE_OBJECT: {
    const gql_type *location = gql_vctx_input_type(c);
    const gql_type *t = location ? gql_named_type(location) : NULL;
    if (!t || t->kind != GQL_KIND_INPUT_OBJECT) {
      check_leaf(c, v);
      st->skip = v;
      return;
    }
    check_input_object(c, t, v);
    return;
  }
  case GQL_VALUE_NULL: {
    const gql_type *t = gql_vctx_input_type(c);
    if (t && t->kind == GQL_KIND_NON_NULL)
      report_expected(c, t, v, NULL);
    return;
  }
  default:
    check_leaf(c, v);
  }
}

static void values_leave_value(gql_vctx *c, void *st_, const gql_value *v) {
  values_state *st = st_;
  (void)c;
  if (st->skip == v)
    st->skip = NULL;
}

static void values_enter_object_field(gql_vctx *c, void *st_, const gql_object_field *f) {
  values_state *st = st_;
  if (st->skip || gql_vctx_input_type(c))
    return;
  const gql_type *parent = gql_vctx_parent_input_type(c);
  parent = parent ? gql_named_type(parent) : NULL;
  if (!parent || parent->kind != GQL_KIND_INPUT_OBJECT)
    return;
  arena *a = gql_vctx_arena(c);
  const char **names = gql_vinput_value_names(a, parent->input_fields, parent->n_input_fields);
  gql_vctx_report(c, f->loc, "Field \"%s\" is not defined by type \"%s\".%s", f->name, parent->name,
                  gql_suggest(a, NULL, f->name, names, parent->n_input_fields));
}

const gql_rule gql_rule_values_of_correct_type = {
    .name = "ValuesOfCorrectType",
    .state_size = sizeof(values_state),
    .enter_value = values_enter_value,
    .leave_value = values_leave_value,
    .enter_object_field = values_enter_object_field,
};

/* ---- UniqueInputFieldNames ---- */

/* For each object literal being walked (innermost last), the names of the
 * fields seen so far: name → the first field of that name. */
typedef struct unique_state {
  strmap *stack;
  size_t n, cap;
} unique_state;

static void unique_enter_value(gql_vctx *c, void *st_, const gql_value *v) {
  unique_state *st = st_;
  if (v->kind != GQL_VALUE_OBJECT)
    return;
  st->stack = arena_grow(gql_vctx_arena(c), st->stack, &st->cap, st->n, sizeof *st->stack);
  memset(&st->stack[st->n++], 0, sizeof *st->stack);
}

static void unique_leave_value(gql_vctx *c, void *st_, const gql_value *v) {
  unique_state *st = st_;
  (void)c;
  if (v->kind == GQL_VALUE_OBJECT && st->n)
    st->n--;
}

static void unique_enter_object_field(gql_vctx *c, void *st_, const gql_object_field *f) {
  unique_state *st = st_;
  if (!st->n)
    return;
  strmap *seen = &st->stack[st->n - 1];
  const gql_loc *first = strmap_add(seen, gql_vctx_arena(c), f->name, &f->loc);
  if (!first)
    return;
  gql_error *e =
      gql_vctx_report(c, *first, "There can be only one input field named \"%s\".", f->name);
  gql_vctx_add_loc(c, e, f->loc);
}

const gql_rule gql_rule_unique_input_field_names = {
    .name = "UniqueInputFieldNames",
    .state_size = sizeof(unique_state),
    .enter_value = unique_enter_value,
    .leave_value = unique_leave_value,
    .enter_object_field = unique_enter_object_field,
};
