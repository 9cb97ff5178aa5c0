/* rules_support.c — the small lookups shared by the rule files (see
 * rules_support.h). */
#include "graphql/validation/rules_support.h"

#include "base/arena.h"

void gql_vdoc_directives(strmap *m, arena *a, const gql_document *doc) {
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_DIRECTIVE)
      strmap_put(m, a, doc->defs[i].u.directive.name, &doc->defs[i].u.directive);
}

const char **gql_vinput_value_names(arena *a, const gql_input_value *defs, size_t n) {
  const char **names = ARENA_ARRAY(a, const char *, n ? n : 1);
  for (size_t i = 0; i < n; i++)
    names[i] = defs[i].name;
  return names;
}

const char **gql_venum_value_names(arena *a, const gql_type *t) {
  const char **names = ARENA_ARRAY(a, const char *, t->n_values ? t->n_values : 1);
  for (size_t i = 0; i < t->n_values; i++)
    names[i] = t->values[i].name;
  return names;
}
