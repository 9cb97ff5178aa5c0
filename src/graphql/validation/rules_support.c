/* rules_support.c — the pointer-pair map and the small lookups shared by
 * the rule files (see rules_support.h). The map is open addressing with
 * linear probing, kept at most three quarters full, storage in the arena. */
#include "graphql/validation/rules_support.h"

#include <stdint.h>
#include <string.h>

#include "base/arena.h"

static size_t pair_hash(const void *a, const void *b) {
  uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15u;
  h ^= (uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4Fu;
  return (size_t)(h ^ (h >> 29));
}

static bool slot_empty(const gql_pairmap_entry *e) { return !e->a && !e->b; }

static size_t probe(const gql_pairmap_entry *slots, size_t cap, const void *a, const void *b) {
  size_t i = pair_hash(a, b) & (cap - 1);
  while (!slot_empty(&slots[i]) && !(slots[i].a == a && slots[i].b == b))
    i = (i + 1) & (cap - 1);
  return i;
}

static void grow(gql_pairmap *m, arena *ar) {
  size_t cap = m->cap ? m->cap * 2 : 16;
  gql_pairmap_entry *slots = ARENA_ARRAY(ar, gql_pairmap_entry, cap);
  for (size_t i = 0; i < m->cap; i++) {
    const gql_pairmap_entry *e = &m->slots[i];
    if (!slot_empty(e))
      slots[probe(slots, cap, e->a, e->b)] = *e;
  }
  m->slots = slots;
  m->cap = cap;
}

void **gql_pairmap_slot(gql_pairmap *m, arena *ar, const void *a, const void *b, bool create) {
  if (m->cap) {
    gql_pairmap_entry *e = &m->slots[probe(m->slots, m->cap, a, b)];
    if (!slot_empty(e))
      return &e->value;
  }
  if (!create)
    return NULL;
  if ((m->n + 1) * 4 > m->cap * 3)
    grow(m, ar);
  gql_pairmap_entry *e = &m->slots[probe(m->slots, m->cap, a, b)];
  e->a = a;
  e->b = b;
  e->value = NULL;
  m->n++;
  return &e->value;
}

void *gql_pairmap_get(const gql_pairmap *m, const void *a, const void *b) {
  if (!m->cap)
    return NULL;
  const gql_pairmap_entry *e = &m->slots[probe(m->slots, m->cap, a, b)];
  return slot_empty(e) ? NULL : e->value;
}

void gql_vdoc_directives(gql_namemap *m, arena *a, const gql_document *doc) {
  for (size_t i = 0; i < doc->n_defs; i++)
    if (doc->defs[i].kind == GQL_DEF_DIRECTIVE)
      gql_namemap_put(m, a, doc->defs[i].u.directive.name, &doc->defs[i].u.directive);
}

const char *gql_vsuggest(arena *a, const char *msg, const char *input, const char *const *options,
                         size_t n, const char *sub) {
  const char **sugg;
  size_t n_sugg = gql_suggestion_list(a, input, options, n, &sugg);
  return arena_printf(a, "%s%s", msg, gql_vdid_you_mean(a, sub, sugg, n_sugg));
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
