/* ws_server.h — serving upgraded WebSocket sockets, one thread each.
 *
 * The HTTP server (server.c) answers the upgrade handshake and hands the
 * socket over; from then on a thread of this module owns it: it runs a
 * ws_session (ws_session.h) over the socket, with non-blocking sends and
 * an output buffer, an eventfd that source streams use to wake it, and the
 * session's timers. A registry of live sockets bounds their number
 * (separately from HTTP connections) and closes them all with 1001 "Going
 * away" at shutdown. Nothing here knows libmicrohttpd: the transport gives
 * each socket a close callback (for libmicrohttpd, MHD_upgrade_action). */
#ifndef DAGD_HTTP_WS_SERVER_H
#define DAGD_HTTP_WS_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/parser.h"
#include "graphql/schema.h"
#include "http/ws.h"

typedef struct ws_server ws_server;

typedef struct ws_server_config {
  const gql_schema *schema; /* must outlive the server */
  const gql_limits *limits; /* NULL: the engine's defaults */
  void *context;            /* handed to resolvers (gql_request.context) */
  unsigned max_sockets;     /* open WebSockets at once; 0: 256 */
  /* Output the peer has not taken yet: beyond this the peer is too slow and
   * its socket is dropped. 0: 16 MiB. */
  size_t max_pending_bytes;
  /* Passed on to every session (ws_session_config; 0: its defaults). */
  size_t max_message_bytes;
  unsigned max_subscriptions;
  unsigned init_timeout_ms;
  unsigned keepalive_ms;
  unsigned close_timeout_ms;
} ws_server_config;

/* Closes the transport's socket once its session is over (called on the
 * socket's thread, exactly once). */
typedef void (*ws_server_close_fn)(void *data);

/* A registry with no sockets. The config's pointers must outlive it. */
ws_server *ws_server_new(const ws_server_config *cfg);

/* Reserves room for one socket before the handshake is answered. False
 * when max_sockets are open (or reserved), or once ws_server_close_all
 * ran: answer 503 then. A reservation is used by ws_server_serve or
 * returned with ws_server_unreserve. */
bool ws_server_reserve(ws_server *w);
void ws_server_unreserve(ws_server *w);

/* Serves an upgraded socket on a thread of its own, using a reservation:
 * the session speaks `protocol`, first reading `extra` (bytes the HTTP
 * layer read past the request; copied). When the session is over the
 * thread calls close(close_data) — it never closes sock itself — and the
 * reservation is released. Returns -1 when no thread could be started
 * (close was called already). */
int ws_server_serve(ws_server *w, int sock, ws_protocol protocol, const void *extra,
                    size_t extra_len, ws_server_close_fn close, void *close_data);

/* Open sockets (and reservations). */
unsigned ws_server_count(ws_server *w);

/* Starts closing every socket with 1001 "Going away" and refuses new ones
 * from now on; returns at once. */
void ws_server_close_all(ws_server *w);

/* Waits up to wait_ms for every socket to finish; returns how many are
 * still open. */
unsigned ws_server_wait(ws_server *w, unsigned wait_ms);

/* Frees the registry; call only once ws_server_wait returned 0. */
void ws_server_free(ws_server *w);

#endif
