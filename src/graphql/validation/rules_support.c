/* rules_support.c — the small lookups shared by the rule files (see
 * rules_support.h). */
#include "graphql/validation/rules_support.h"

#include <stdint.h>

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

gql_vdups gql_vduplicates(arena *a, const char *const *names, size_t n) {
  gql_vdups out = {0};
  if (n < 2)
    return out;
  /* Number the names' groups in order of first occurrence and count them. */
  strmap first = {0}; /* name → 1 + its group */
  size_t *group_of = ARENA_ARRAY(a, size_t, n);
  gql_vdup *groups = ARENA_ARRAY(a, gql_vdup, n);
  size_t n_groups = 0;
  for (size_t i = 0; i < n; i++) {
    size_t g = (size_t)(uintptr_t)strmap_get(&first, names[i]);
    if (!g) {
      g = ++n_groups;
      strmap_put(&first, a, names[i], (const void *)(uintptr_t)g);
    }
    group_of[i] = g - 1;
    groups[g - 1].n++;
  }
  /* Keep the repeated ones, then list their occurrences. */
  size_t *dup_of = ARENA_ARRAY(a, size_t, n_groups); /* 1 + index in out, 0 if unique */
  out.items = ARENA_ARRAY(a, gql_vdup, n_groups);
  for (size_t g = 0; g < n_groups; g++) {
    if (groups[g].n < 2)
      continue;
    dup_of[g] = out.n + 1;
    out.items[out.n++] = (gql_vdup){ARENA_ARRAY(a, size_t, groups[g].n), 0};
  }
  for (size_t i = 0; i < n; i++) {
    size_t d = dup_of[group_of[i]];
    if (d)
      out.items[d - 1].idx[out.items[d - 1].n++] = i;
  }
  return out;
}

const char **gql_venum_value_names(arena *a, const gql_type *t) {
  const char **names = ARENA_ARRAY(a, const char *, t->n_values ? t->n_values : 1);
  for (size_t i = 0; i < t->n_values; i++)
    names[i] = t->values[i].name;
  return names;
}
