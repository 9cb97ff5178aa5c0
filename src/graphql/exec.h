/* exec.h — executing GraphQL requests (spec §6) and writing responses.
 *
 * The executor runs a validated document against a schema: it selects the
 * operation, coerces variables, collects fields (fragments, @skip,
 * @include), calls resolvers, completes values (lists, abstract types,
 * scalars and enums), propagates nulls for non-null fields, and streams the
 * response JSON into a buffer in the request arena, fields in selection
 * order. Mutation root fields run serially. Subscriptions follow the spec's
 * model: gql_subscribe creates the source stream from the root field's
 * subscribe hook, and each event is executed with gql_execute_event.
 *
 * gql_run is the whole pipeline (parse, validate, execute) that transports
 * call. */
#ifndef DAGD_GRAPHQL_EXEC_H
#define DAGD_GRAPHQL_EXEC_H

#include <jansson.h>
#include <stdbool.h>

#include "base/buf.h"
#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/parser.h"
#include "graphql/schema.h"

typedef struct arena arena;

typedef struct gql_request {
  const gql_schema *schema;
  const gql_document *document; /* parsed and validated */
  const char *operation_name;   /* NULL: the document's only operation */
  const json_t *variables;      /* a JSON object, or NULL */
  const void *root_value;       /* the parent of root fields; usually NULL */
  void *context;                /* handed to resolvers */
  arena *arena;                 /* the request arena */
} gql_request;

/* The operation the request names, or NULL after adding the spec's error
 * ("Unknown operation named \"X\"." / "Must provide operation name if query
 * contains multiple operations." / "Must provide an operation."). */
const gql_operation *gql_select_operation(const gql_document *doc, const char *name,
                                          gql_errors *errs);

/* Executes a query or mutation and appends the response object to out:
 * {"errors":[…],"data":…} (errors first, as graphql-js orders them, and
 * only when there are some). Returns false when no execution happened
 * (unknown operation, invalid variables): the response then has no "data". */
bool gql_execute(const gql_request *req, buf *out);

/* What gql_run did, for transports that map outcomes to HTTP statuses. */
typedef enum gql_outcome {
  GQL_OUTCOME_EXECUTED,      /* "data" is present (possibly with field errors) */
  GQL_OUTCOME_SYNTAX_ERROR,  /* the document did not parse */
  GQL_OUTCOME_INVALID,       /* the document failed validation */
  GQL_OUTCOME_REQUEST_ERROR, /* unknown operation, bad variables */
  GQL_OUTCOME_FORBIDDEN,     /* the operation type is not allowed (see allow_mutations) */
} gql_outcome;

typedef struct gql_run_options {
  const gql_limits *limits; /* NULL: defaults */
  bool forbid_mutations;    /* e.g. GET requests: a mutation gives GQL_OUTCOME_FORBIDDEN */
  /* Transports without event streams (plain HTTP): a subscription
   * operation is a request error naming the WebSocket alternative. */
  bool forbid_subscriptions;
  /* Operation type actually selected, filled by gql_run (valid when parsed). */
  gql_operation_type *selected_type;
} gql_run_options;

/* Parses, validates and executes `query` for the request (req->document is
 * ignored and replaced) and appends the response to out. */
gql_outcome gql_run(gql_request *req, const char *query, size_t query_len,
                    const gql_run_options *opts, buf *out);

/* Starts a subscription: selects the operation (must be a subscription),
 * coerces variables and calls the root field's subscribe hook. On success
 * returns true and sets *source to the hook's result (an OBJECT rv whose
 * pointer is the source stream). On failure returns false and appends a
 * response with errors to out. */
bool gql_subscribe(const gql_request *req, gql_rv *source, buf *out);

/* Executes the subscription's selection set for one source event: the root
 * field's resolver receives `event` as its parent (the default resolver
 * passes the event through) and the response is appended to out. */
void gql_execute_event(const gql_request *req, const gql_rv *event, buf *out);

#endif
