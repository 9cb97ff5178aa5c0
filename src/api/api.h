/* api.h — the GraphQL schema dagd serves, with its resolvers.
 *
 * The schema is Dagster's (src/api/schema.graphql, embedded in the binary),
 * restricted to what dagd answers truly; it grows one area at a time. The
 * resolvers live one file an area: workspace.c (locations, repositories,
 * reloads), jobs.c (jobs, ops, graphs, Dagster types), config_types.c
 * (config types, run config schemas and validation, execution plans),
 * runs.c (runs, their stats, groups and tags), events.c (run events and
 * compute logs), launch.c (launching), reexecute.c (re-executing),
 * terminate.c (terminating and deleting), subscriptions.c (a run's events
 * and compute logs, live). Only when asked for, to test the transports,
 * a test subscription field is added (testing.c). */
#ifndef DAGD_API_API_H
#define DAGD_API_API_H

#include <stdbool.h>
#include <stddef.h>

#include "defs/workspace.h"
#include "graphql/schema.h"
#include "run/instance.h"

/* The workspace the API serves, shared by every request thread: reloads
 * swap a location's definitions in under a lock while requests keep the
 * definitions they started with. */
typedef struct api_workspace api_workspace;

/* Takes ownership of ws (NULL: an empty workspace, no locations). */
api_workspace *api_workspace_new(defs_workspace *ws);
/* Frees it and the workspace. NULL is allowed. */
void api_workspace_free(api_workspace *w);

/* What resolvers get as the request context (gql_request.context): shared
 * by every request of a server. */
typedef struct api_context {
  bool read_only;           /* the server runs with --read-only: mutations refuse */
  api_workspace *workspace; /* never NULL while serving */
  /* The instance runs are stored in and launched from; NULL: none (the
   * runs API then answers a PythonError saying so). */
  run_instance *instance;
  /* Told, from any thread, of a trouble no request can answer with, once
   * each time it starts or ends (subscriptions losing the store's change
   * notifications and getting them back); NULL: nobody. report_data
   * must outlive every subscription. */
  void (*report)(void *data, const char *message);
  void *report_data;
} api_context;

/* What goes into the schema besides the API proper. */
typedef struct api_options {
  /* Adds `testCounter(to: Int!, intervalMs: Int = 10): Int!` to the
   * Subscription type, which counts 1..to on a timer, for testing the
   * subscription transports without a run
   * (`dagd webserver --test-subscriptions`). */
  bool test_subscriptions;
} api_options;

/* Builds the schema with its resolvers attached (opts NULL: the API only).
 * Returns NULL only when the embedded SDL is broken (a bug), with the reason
 * in err (err_size bytes). Free it with gql_schema_free. */
gql_schema *api_schema_new(const api_options *opts, char *err, size_t err_size);

#endif
