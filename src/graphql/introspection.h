/* introspection.h — the introspection system (spec §4).
 *
 * The __Schema, __Type, __Field, __InputValue, __EnumValue, __Directive,
 * __TypeKind and __DirectiveLocation types are written in SDL here and built
 * into every schema by gql_schema_build, which then calls
 * gql_introspection_install to attach their resolvers (reading the schema's
 * own gql_type structures) and to create the meta-fields __schema, __type
 * and __typename. */
#ifndef DAGD_GRAPHQL_INTROSPECTION_H
#define DAGD_GRAPHQL_INTROSPECTION_H

#include "graphql/schema.h"

/* The SDL of the introspection types, as the current spec draft defines
 * them (specifiedByURL, isRepeatable, includeDeprecated on args and input
 * fields, isOneOf). */
extern const char gql_introspection_sdl[];

/* Attaches the resolvers of the introspection types and sets s->meta_schema,
 * s->meta_type and s->meta_typename. Called once by gql_schema_build after
 * the introspection types are in s. */
void gql_introspection_install(gql_schema *s);

#endif
