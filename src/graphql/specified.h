/* specified.h — the type names the GraphQL specification itself defines:
 * the five scalars and the introspection types (graphql-js's
 * specifiedScalarTypes and introspectionTypes). A type-system document may
 * name them without defining them. Shared by the SDL checks (schema_check.c)
 * and KnownTypeNames (validation/rules_types.c); private to src/graphql/. */
#ifndef DAGD_GRAPHQL_SPECIFIED_H
#define DAGD_GRAPHQL_SPECIFIED_H

#include <stdbool.h>
#include <stddef.h>

/* String, Int, Float, Boolean, ID, then __Schema … __DirectiveLocation. */
extern const char *const gql_specified_type_names[];
extern const size_t gql_n_specified_type_names;

/* Whether name is one of them. */
bool gql_is_specified_type_name(const char *name);

#endif
