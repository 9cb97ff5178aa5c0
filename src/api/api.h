/* api.h — the GraphQL schema dagd serves, with its resolvers.
 *
 * This is where Dagster's schema will grow, one area at a time (runs,
 * workspace, jobs, …); only what has a real resolver goes in. Today the
 * schema has a single field, `version`, answering dagd's version. */
#ifndef DAGD_API_API_H
#define DAGD_API_API_H

#include <stdbool.h>

#include "graphql/schema.h"

/* What resolvers get as the request context (gql_request.context). One per
 * request, owned by the transport. */
typedef struct api_context {
  bool read_only; /* the server runs with --read-only: mutations must refuse */
} api_context;

/* Builds the schema with its resolvers attached. Returns NULL only when the
 * embedded SDL is broken (a bug), with the reason in err (err_size bytes).
 * Free it with gql_schema_free. */
gql_schema *api_schema_new(char *err, size_t err_size);

#endif
