/* solids.h — what jobs.c and solids.c share (private to those two files).
 *
 * jobs.c answers the containers (Pipeline, Job, PipelineSnapshot, Graph),
 * their modes, presets and Dagster types, and the selectors; solids.c
 * answers what lives inside a container: nodes (Solid), their handles,
 * definitions, inputs, outputs and mappings. Both need to enumerate a
 * container's nodes and handles and to hand out each other's objects. */
#ifndef DAGD_API_SOLIDS_H
#define DAGD_API_SOLIDS_H

#include <stddef.h>

#include "api/objects.h"
#include "defs/definitions.h"
#include "graphql/schema.h"

/* The top-level nodes of a container (its graph's when graph is set, else
 * the job's); *n the count. */
const defs_node *api_container_nodes(const api_container *c, size_t *n);

/* A solid for node at the level of parent (NULL: the top of c), its handle
 * built from parent's (a new api_solid in the arena). */
const api_solid *api_solid_new(const gql_resolve_info *info, const api_container *c,
                               const api_solid *parent, const defs_node *node);

/* The container's top-level solids, in Dagster's order, as a list of "Solid". */
gql_rv api_container_solids(const gql_resolve_info *info, const api_container *c);

/* SolidContainer.solidHandles(parentHandleID) and .solidHandle(handleID)
 * for any container (arguments read from info): the handles of its root,
 * as Dagster answers the whole job's (or graph's) even on a
 * CompositeSolidDefinition. */
gql_rv api_container_solid_handles_field(const gql_resolve_info *info, const api_container *c);
gql_rv api_container_solid_handle_field(const gql_resolve_info *info, const api_container *c);

/* CompositeSolidDefinition.id: Dagster's "<job snapshot id>:<definition
 * name>" (for a definition reached from a graph on its own, at any depth,
 * that Graph's id in place of the snapshot id). */
const char *api_container_definition_id(const gql_resolve_info *info, const api_container *c,
                                        const char *def_name);

/* A Dagster type as an object of its concrete type (RegularDagsterType,
 * ListDagsterType or NullableDagsterType). */
gql_rv api_dagster_type(const gql_resolve_info *info, const defs_type *t);

/* Attaches the resolvers of solids.c (Solid, SolidHandle, the definitions,
 * inputs, outputs, mappings). */
int api_solids_attach(gql_schema *s, char *err, size_t err_size);

#endif
