/* api.h — the GraphQL schema dagd serves, with its resolvers.
 *
 * This is where Dagster's schema will grow, one area at a time (runs,
 * workspace, jobs, …); only what has a real resolver goes in. Today the
 * schema has a single field, `version`, answering dagd's version, and —
 * only when asked for, to test the transports — a subscription field. */
#ifndef DAGD_API_API_H
#define DAGD_API_API_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/schema.h"

/* What resolvers get as the request context (gql_request.context). One per
 * request, owned by the transport. */
typedef struct api_context {
  bool read_only; /* the server runs with --read-only: mutations must refuse */
} api_context;

/* What goes into the schema besides the API proper. */
typedef struct api_options {
  /* Adds `type Subscription { testCounter(to: Int!, intervalMs: Int = 10):
   * Int! }`, which counts 1..to on a timer, for testing the subscription
   * transports until dagd has subscriptions of its own
   * (`dagd webserver --test-subscriptions`). */
  bool test_subscriptions;
} api_options;

/* Builds the schema with its resolvers attached (opts NULL: the API only).
 * Returns NULL only when the embedded SDL is broken (a bug), with the reason
 * in err (err_size bytes). Free it with gql_schema_free. */
gql_schema *api_schema_new(const api_options *opts, char *err, size_t err_size);

#endif
