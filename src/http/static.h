/* static.h — the GraphiQL playground, served offline from the binary.
 *
 * GET <prefix>/graphql from a browser (Accept preferring text/html) answers
 * the playground page, rendered from web/playground.html for the server's
 * path prefix; GET <prefix>/graphql/static/<name> answers the embedded files
 * it loads (graphiql, react, the page's script), with their Content-Type, an
 * ETag from their content, and Cache-Control immutable when the URL carries
 * the content tag the page links with (`?v=`). Independent of the HTTP
 * library, like graphql_http.h; server.c routes to it. */
#ifndef DAGD_HTTP_STATIC_H
#define DAGD_HTTP_STATIC_H

#include <stdbool.h>

#include "http/graphql_http.h"

/* Where static assets live below the prefix. */
#define HTTP_STATIC_PATH "/graphql/static/"

/* True when a request to the GraphQL endpoint should get the playground:
 * a GET or HEAD whose Accept header names text/html with a higher q-value
 * than either JSON media type the endpoint answers (wildcards count for
 * neither, so browsers get the page and API clients keep their JSON). */
bool http_static_wants_playground(const char *method, const char *accept);

/* Fills res with the playground page for the normalised path prefix ("" or
 * "/x"): links and the endpoint are below the prefix. The body lives in a. */
void http_static_playground(const char *prefix, arena *a, http_response *res);

/* One GET or HEAD request for an embedded asset. */
typedef struct http_static_request {
  const char *name;          /* the path after HTTP_STATIC_PATH */
  const char *version;       /* the `v` URL parameter, or NULL */
  const char *if_none_match; /* the If-None-Match header, or NULL */
} http_static_request;

/* Answers a GET or HEAD for an embedded asset: 200 with the file (the body
 * is res->static_data, never copied), or 304 when If-None-Match names its
 * ETag. False, with res untouched, when there is no such asset (404). */
bool http_static_asset(const http_static_request *req, arena *a, http_response *res);

#endif
