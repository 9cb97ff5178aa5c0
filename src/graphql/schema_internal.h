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

/* What gql_schema.lookup points to. */
typedef struct gql_schema_priv {
  strmap types;      /* name → gql_type * */
  strmap directives; /* name → gql_schema_directive * */
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
