/* rules_variables_unique.c — Variable Uniqueness (spec §5.8.1): an
 * operation defines each variable name once; graphql-js reports each
 * repeated name once, with the location of every definition of it. */
#include <stddef.h>

#include "base/arena.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

static gql_loc name_loc(const gql_variable_definition *vd) {
  /* Without the name's own location, "$name" (no space) is the usual form. */
  if (vd->name_loc.line)
    return vd->name_loc;
  return (gql_loc){vd->loc.line, vd->loc.column + 1};
}

static void unique_vars_enter_operation(gql_vctx *c, void *st, const gql_operation *op,
                                        gql_loc loc) {
  (void)st;
  (void)loc;
  if (op->n_vars < 2)
    return;
  arena *a = gql_vctx_arena(c);
  const char **names = ARENA_ARRAY(a, const char *, op->n_vars);
  for (size_t i = 0; i < op->n_vars; i++)
    names[i] = op->vars[i].name;
  gql_vdups dups = gql_vduplicates(a, names, op->n_vars);
  for (size_t i = 0; i < dups.n; i++) {
    const gql_vdup *d = &dups.items[i];
    const gql_variable_definition *first = &op->vars[d->idx[0]];
    gql_error *e = gql_vctx_report(c, name_loc(first),
                                   "There can be only one variable named \"$%s\".", first->name);
    for (size_t j = 1; j < d->n; j++)
      gql_vctx_add_loc(c, e, name_loc(&op->vars[d->idx[j]]));
  }
}

const gql_rule gql_rule_unique_variable_names = {
    .name = "UniqueVariableNames",
    .enter_operation = unique_vars_enter_operation,
};
