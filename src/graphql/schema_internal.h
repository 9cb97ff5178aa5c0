/* schema_internal.h — private to schema.c, schema_build.c, schema_check.c
 * and scalars.c: the name maps behind the schema's lookups, the built-in
 * scalar hooks, and the SDL and type-system checks the builder runs. The
 * "Did you mean" sentences of those checks come from suggest.h.
 *
 * Nothing here is part of the engine's contract; other modules use
 * schema.h only. */
#ifndef DAGD_GRAPHQL_SCHEMA_INTERNAL_H
#define DAGD_GRAPHQL_SCHEMA_INTERNAL_H

#include <pthread.h>
#include <stddef.h>

#include "base/strmap.h"
#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

/* The name maps are base/strmap.h. gql_map binds one to the arena it grows
 * in, for schema_build.c, which speaks this older interface; new code uses
 * strmap directly. Only wrappers: the map itself is strmap's. */
typedef struct gql_map {
  strmap map;
  arena *arena;
} gql_map;

/* Starts an empty map growing in a, with room for `expected` names. */
static inline void gql_map_init(gql_map *m, arena *a, size_t expected) {
  m->map = (strmap){0};
  m->arena = a;
  strmap_reserve(&m->map, a, expected);
}
/* Inserts or replaces. */
static inline void gql_map_put(gql_map *m, const char *key, void *val) {
  strmap_put(&m->map, m->arena, key, val);
}
/* NULL when absent (or when m is NULL). */
static inline void *gql_map_get(const gql_map *m, const char *key) {
  return m ? strmap_get(&m->map, key) : NULL;
}

/* What gql_schema.lookup points to. */
typedef struct gql_schema_priv {
  gql_map types;      /* name → gql_type * */
  gql_map directives; /* name → gql_schema_directive * */
  /* Guards the creation of list and non-null wrappers (gql_list_of,
   * gql_non_null_of), which may happen while requests share the schema. */
  pthread_mutex_t wrap_lock;
} gql_schema_priv;

/* Builds t->lookup, a strmap: name → index + 1 of its fields, enum values
 * or input fields (whichever its kind has). */
void gql_type_build_lookup(arena *a, gql_type *t);

/* The hooks of the specified scalars and the default for custom scalars. */
extern const gql_scalar_hooks gql_int_scalar_hooks;
extern const gql_scalar_hooks gql_float_scalar_hooks;
extern const gql_scalar_hooks gql_string_scalar_hooks;
extern const gql_scalar_hooks gql_boolean_scalar_hooks;
extern const gql_scalar_hooks gql_id_scalar_hooks;
extern const gql_scalar_hooks gql_custom_scalar_hooks;

/* buildASTSchema's SDL rules (graphql-js's specifiedSDLRules) over a
 * document about to be built without a prior schema. Adds every error to
 * errs and returns how many. */
size_t gql_schema_check_sdl(const gql_document *doc, arena *a, gql_errors *errs);

/* Where the type-system check finds the syntax behind a built schema, for
 * error locations. Indexed like s->types; NULL entries for built-ins. */
typedef struct gql_type_nodes {
  const gql_typedef **defs; /* the definition first, then extensions */
  size_t n_defs;
} gql_type_nodes;

typedef struct gql_schema_nodes {
  const gql_type_nodes *types;          /* aligned with s->types */
  const gql_directive_def **directives; /* aligned with s->directives; NULL for built-ins */
  const gql_schema_def **schema_defs;   /* the schema definition and its extensions */
  size_t n_schema_defs;
} gql_schema_nodes;

/* graphql-js's validateSchema: adds every error and returns how many. */
size_t gql_schema_check(const gql_schema *s, const gql_schema_nodes *nodes, gql_errors *errs);

#endif
