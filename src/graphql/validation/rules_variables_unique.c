/* rules_variables_unique.c — Variable Uniqueness (spec §5.8.1): an
 * operation defines each variable name once; graphql-js reports each
 * repeated name once, with the location of every definition of it. */
#include <stddef.h>

#include "base/arena.h"
#include "base/strmap.h"
#include "graphql/validation/rules.h"

typedef struct var_group { /* the definitions of one name, linked through next[] */
  size_t first, last, n;
} var_group;

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
  /* Groups in order of each name's first definition. */
  var_group *groups = ARENA_ARRAY(a, var_group, op->n_vars);
  size_t *next = ARENA_ARRAY(a, size_t, op->n_vars);
  size_t n_groups = 0;
  strmap by_name = {0};
  for (size_t i = 0; i < op->n_vars; i++) {
    var_group *g = (var_group *)strmap_get(&by_name, op->vars[i].name);
    if (!g) {
      g = &groups[n_groups++];
      *g = (var_group){i, i, 0};
      strmap_put(&by_name, a, op->vars[i].name, g);
    }
    next[g->last] = i;
    g->last = i;
    g->n++;
  }
  for (size_t i = 0; i < n_groups; i++) {
    const var_group *g = &groups[i];
    if (g->n < 2)
      continue;
    const gql_variable_definition *first = &op->vars[g->first];
    gql_error *e = gql_vctx_report(c, name_loc(first),
                                   "There can be only one variable named \"$%s\".", first->name);
    for (size_t j = next[g->first], k = 1; k < g->n; j = next[j], k++)
      gql_vctx_add_loc(c, e, name_loc(&op->vars[j]));
  }
}

const gql_rule gql_rule_unique_variable_names = {
    .name = "UniqueVariableNames",
    .enter_operation = unique_vars_enter_operation,
};
