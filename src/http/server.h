/* server.h — dagd's HTTP server (libmicrohttpd).
 *
 * Serves, under an optional path prefix: the GraphQL endpoint (/graphql,
 * see graphql_http.h), WebSocket upgrades there for subscriptions (ws.h,
 * ws_session.h, ws_server.h), to browsers the GraphiQL playground there and
 * its files under /graphql/static/ (static.h), /server_info and /dagit_info
 * (version information, as Dagster's webserver has them), /health, and a
 * redirect from / to /graphql. Requests are answered on libmicrohttpd's
 * threads, one arena per request; each WebSocket gets a thread of its own.
 * The server never prints: the access log goes to a callback. */
#ifndef DAGD_HTTP_SERVER_H
#define DAGD_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/parser.h"
#include "graphql/schema.h"

typedef struct http_server http_server;

/* One finished request, for the access log. */
typedef struct http_access_entry {
  const char *method;
  const char *path;   /* the URL path, without the query string */
  int status;         /* 0 when no response was sent (client gone, timeout) */
  size_t bytes;       /* response body bytes */
  double duration_ms; /* first byte of the request to the response completed */
} http_access_entry;

typedef void (*http_access_log_fn)(void *data, const http_access_entry *e);

typedef struct http_server_config {
  const char *host;            /* address or name to listen on; NULL: 127.0.0.1 */
  unsigned port;               /* 0: an ephemeral port (see http_server_port) */
  const char *path_prefix;     /* e.g. "/dagster"; NULL or "": none */
  size_t max_body_bytes;       /* larger request bodies get 413; 0: 1 MiB */
  size_t max_header_bytes;     /* per-connection memory for the request line and
                                  headers (libmicrohttpd answers 431 beyond); 0: 32 KiB */
  unsigned max_connections;    /* 0: 1024 */
  unsigned connection_timeout; /* idle seconds before a connection is closed; 0: 60 */
  unsigned threads;            /* epoll threads serving requests; 0: 4 per CPU */
  unsigned max_websockets;     /* open WebSockets (they also count as connections); 0: 256 */
  unsigned max_subscriptions;  /* running subscriptions per WebSocket; 0: 100 */
  unsigned ws_keepalive_ms;    /* WebSocket ping (and graphql-ws "ka") period; 0: 12000 */
  const gql_schema *schema;
  const gql_limits *limits;      /* NULL: the engine's defaults */
  void *context;                 /* handed to resolvers (gql_request.context) */
  http_access_log_fn access_log; /* NULL: no access log */
  void *access_log_data;
} http_server_config;

/* Binds, listens and starts serving. NULL on failure, with a message a user
 * can act on in err (e.g. "cannot listen on 127.0.0.1:3000: Address already
 * in use"). The config's strings and schema must outlive the server. */
http_server *http_server_start(const http_server_config *cfg, char *err, size_t err_size);

/* The port actually listened on (useful with port 0). */
unsigned http_server_port(const http_server *s);

/* The address listened on, as it goes in a URL ("127.0.0.1", "[::1]"). */
const char *http_server_url_host(const http_server *s);

/* The path prefix in normalised form ("" or "/x" without a trailing slash). */
const char *http_server_path_prefix(const http_server *s);

/* Stops accepting connections, closes every WebSocket with 1001 "Going
 * away", lets requests in flight finish (up to drain_ms milliseconds; the
 * WebSockets get at least their close timeout), closes every connection
 * and frees the server. Returns the number of requests and WebSockets still
 * open when it gave up (0: a clean drain). */
int http_server_shutdown(http_server *s, unsigned drain_ms);

#endif
