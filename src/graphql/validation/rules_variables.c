/* rules_variables.c — the variable rules of spec §5.8: All Variable Uses
 * Defined (NoUndefinedVariables), All Variables Used (NoUnusedVariables)
 * and All Variable Usages Are Allowed (VariablesInAllowedPosition).
 *
 * Each works when leaving an operation, on the variable usages of the
 * operation and of every fragment it uses (gql_vctx_recursive_variable_usages).
 * VariablesInAllowedPosition compares the variable's declared type with the
 * type expected where it is used, allowing a nullable variable in a non-null
 * position when the variable or the position has a (non-null) default, and
 * insists on non-null variables for the fields of @oneOf input objects. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/printer.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

/* The variable definitions of op by name; the last definition of a name
 * wins (UniqueVariableNames reports the others), as in graphql-js's map. */
static void var_names(strmap *m, arena *a, const gql_operation *op) {
  for (size_t i = 0; i < op->n_vars; i++)
    strmap_put(m, a, op->vars[i].name, &op->vars[i]);
}

/* ---- NoUndefinedVariables ---- */

static void undefined_leave_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)st;
  strmap defined = {0};
  var_names(&defined, gql_vctx_arena(c), op);
  gql_usage_list usages = gql_vctx_recursive_variable_usages(c, op);
  for (size_t i = 0; i < usages.n; i++) {
    const gql_value *node = usages.items[i].node;
    if (strmap_get(&defined, node->str))
      continue;
    gql_error *e =
        op->name
            ? gql_vctx_report(c, node->loc, "Variable \"$%s\" is not defined by operation \"%s\".",
                              node->str, op->name)
            : gql_vctx_report(c, node->loc, "Variable \"$%s\" is not defined.", node->str);
    gql_vctx_add_loc(c, e, loc);
  }
}

const gql_rule gql_rule_no_undefined_variables = {
    .name = "NoUndefinedVariables",
    .leave_operation = undefined_leave_operation,
};

/* ---- NoUnusedVariables ---- */

static void unused_leave_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)st;
  (void)loc;
  if (op->n_vars == 0)
    return;
  arena *a = gql_vctx_arena(c);
  strmap used = {0};
  gql_usage_list usages = gql_vctx_recursive_variable_usages(c, op);
  for (size_t i = 0; i < usages.n; i++)
    strmap_put(&used, a, usages.items[i].node->str, &used);
  for (size_t i = 0; i < op->n_vars; i++) {
    const gql_variable_definition *vd = &op->vars[i];
    if (strmap_get(&used, vd->name))
      continue;
    if (op->name)
      gql_vctx_report(c, vd->loc, "Variable \"$%s\" is never used in operation \"%s\".", vd->name,
                      op->name);
    else
      gql_vctx_report(c, vd->loc, "Variable \"$%s\" is never used.", vd->name);
  }
}

const gql_rule gql_rule_no_unused_variables = {
    .name = "NoUnusedVariables",
    .leave_operation = unused_leave_operation,
};

/* ---- VariablesInAllowedPosition ---- */

/* Is a value of the written type ref (a variable's type) a subtype of the
 * schema type super? The same as graphql-js's isTypeSubTypeOf, without
 * building wrapper types (the schema is shared and read-only). */
static bool ref_is_subtype(const gql_schema *s, const gql_type_ref *ref, const gql_type *super) {
  if (super->kind == GQL_KIND_NON_NULL) {
    return ref->kind == GQL_TYPE_REF_NON_NULL && ref_is_subtype(s, ref->of, super->of);
  }
  if (ref->kind == GQL_TYPE_REF_NON_NULL)
    return ref_is_subtype(s, ref->of, super);
  if (super->kind == GQL_KIND_LIST) {
    return ref->kind == GQL_TYPE_REF_LIST && ref_is_subtype(s, ref->of, super->of);
  }
  if (ref->kind == GQL_TYPE_REF_LIST)
    return false;
  const gql_type *named = gql_schema_type(s, ref->name);
  if (named == super)
    return true;
  /* Only reachable for output types, which VariablesAreInputTypes reports. */
  return gql_is_abstract_type(super) &&
         (named->kind == GQL_KIND_OBJECT || named->kind == GQL_KIND_INTERFACE) &&
         gql_type_is_subtype(s, named, super);
}

static const gql_type_ref *ref_named(const gql_type_ref *ref) {
  while (ref->kind != GQL_TYPE_REF_NAMED)
    ref = ref->of;
  return ref;
}

static bool allowed_usage(const gql_schema *s, const gql_variable_definition *vd,
                          const gql_variable_usage *u) {
  const gql_type *location = u->type;
  if (location->kind == GQL_KIND_NON_NULL && vd->type->kind != GQL_TYPE_REF_NON_NULL) {
    bool var_default = vd->default_value && vd->default_value->kind != GQL_VALUE_NULL;
    if (!var_default && !u->default_value)
      return false;
    return ref_is_subtype(s, vd->type, location->of);
  }
  return ref_is_subtype(s, vd->type, location);
}

static void allowed_leave_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)st;
  (void)loc;
  const gql_schema *s = gql_vctx_schema(c);
  arena *a = gql_vctx_arena(c);
  strmap defs = {0};
  var_names(&defs, a, op);
  gql_usage_list usages = gql_vctx_recursive_variable_usages(c, op);
  for (size_t i = 0; i < usages.n; i++) {
    const gql_variable_usage *u = &usages.items[i];
    const gql_variable_definition *vd = strmap_get(&defs, u->node->str);
    if (!vd || !u->type)
      continue;
    if (!gql_schema_type(s, ref_named(vd->type)->name))
      continue; /* unknown type */
    buf var_type;
    buf_init(&var_type, a);
    gql_print_type_ref(&var_type, vd->type);
    if (!allowed_usage(s, vd, u)) {
      gql_error *e = gql_vctx_report(
          c, vd->loc, "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".",
          u->node->str, buf_cstr(&var_type), gql_type_str(a, u->type));
      gql_vctx_add_loc(c, e, u->node->loc);
    }
    /* As in graphql-js, the position's parent type itself (not its nullable
     * type) must be the oneOf input object. */
    const gql_type *one_of = u->parent_type;
    if (one_of && one_of->kind == GQL_KIND_INPUT_OBJECT && one_of->one_of &&
        vd->type->kind != GQL_TYPE_REF_NON_NULL) {
      gql_error *e = gql_vctx_report(c, vd->loc,
                                     "Variable \"$%s\" is of type \"%s\" but must be non-nullable "
                                     "to be used for OneOf Input Object \"%s\".",
                                     u->node->str, buf_cstr(&var_type), one_of->name);
      gql_vctx_add_loc(c, e, u->node->loc);
    }
  }
}

const gql_rule gql_rule_variables_in_allowed_position = {
    .name = "VariablesInAllowedPosition",
    .leave_operation = allowed_leave_operation,
};
