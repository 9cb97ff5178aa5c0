/* graphql_http.h — GraphQL over HTTP, independent of the HTTP library.
 *
 * Turns one HTTP request addressed to the GraphQL endpoint (method, headers,
 * URL parameters, body) into one HTTP response (status, media type, body),
 * following the GraphQL-over-HTTP specification: POST with application/json
 * or application/graphql bodies, GET with URL parameters, content
 * negotiation between application/graphql-response+json and
 * application/json, and the status codes of docs/http.md. server.c feeds it
 * from libmicrohttpd; tests can call it directly. */
#ifndef DAGD_HTTP_GRAPHQL_HTTP_H
#define DAGD_HTTP_GRAPHQL_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "graphql/parser.h"
#include "graphql/schema.h"

typedef struct arena arena;

/* A header beyond the ones http_response names. */
typedef struct http_header {
  const char *name, *value;
} http_header;

#define HTTP_RESPONSE_MAX_HEADERS 4

/* A response to send: everything lives in the request arena, except a
 * static_data body. */
typedef struct http_response {
  int status;
  const char *content_type; /* the Content-Type header */
  const char *allow;        /* an Allow header (405), or NULL */
  const char *location;     /* a Location header (redirects), or NULL */
  buf body;
  /* More headers (ETag, Cache-Control, …); unused entries have name NULL. */
  http_header headers[HTTP_RESPONSE_MAX_HEADERS];
  /* When non-NULL, the body instead of `body`: memory that outlives the
   * server (embedded assets), sent without a copy. */
  const void *static_data;
  size_t static_len;
} http_response;

/* The endpoint's shared, read-only configuration. */
typedef struct http_graphql {
  const gql_schema *schema;
  const gql_limits *limits; /* NULL: the engine's defaults */
  void *context;            /* handed to resolvers as gql_request.context */
} http_graphql;

/* One request, as the transport received it. Strings are NUL-terminated,
 * NULL when absent; URL parameters are already percent-decoded. */
typedef struct http_graphql_request {
  const char *method;       /* "GET", "HEAD", "POST", … */
  const char *content_type; /* the Content-Type header */
  const char *accept;       /* the Accept header */
  /* URL parameters (GET): query, operationName, variables, extensions. */
  const char *query;
  const char *operation_name;
  const char *variables;
  const char *extensions;
  const char *body; /* POST body (need not be NUL-terminated) */
  size_t body_len;
} http_graphql_request;

/* The response media types the endpoint can produce. */
typedef enum http_media {
  HTTP_MEDIA_NONE,         /* the Accept header allows neither (406) */
  HTTP_MEDIA_JSON,         /* application/json */
  HTTP_MEDIA_GRAPHQL_JSON, /* application/graphql-response+json */
} http_media;

/* Chooses the response media type from an Accept header (NULL: absent,
 * which means application/json). The highest q-value wins; on a tie,
 * application/graphql-response+json wins only when named explicitly, so
 * wildcards (any type, or any application subtype) give application/json. */
http_media http_negotiate_media(const char *accept);

/* The q-value the Accept header gives to the media type `type` named
 * exactly (e.g. "text/html"; wildcards do not count): 0 when not named or
 * when accept is NULL. */
double http_accept_q(const char *accept, const char *type);

/* The Content-Type value for a media type ("application/json; charset=utf-8"). */
const char *http_media_content_type(http_media m);

/* Answers one GraphQL request: fills res (status, headers, body in a). */
void http_graphql_handle(const http_graphql *g, const http_graphql_request *req, arena *a,
                         http_response *res);

/* Fills res with a GraphQL-shaped error body {"errors":[{"message":…}]}
 * of the given status and media type (for errors found before the engine
 * runs: bad JSON, 405, 413, 415). */
void http_error_response(http_response *res, arena *a, int status, http_media m,
                         const char *message);

#endif
