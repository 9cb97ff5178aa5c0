/* ws_session.h — GraphQL over one WebSocket, independent of the socket.
 *
 * A session sits on top of ws_conn (ws.h) and speaks one of the two GraphQL
 * subprotocols chosen at the handshake:
 *
 *   graphql-transport-ws (the graphql-ws npm library, GraphiQL):
 *     connection_init → connection_ack, ping → pong, subscribe → next… and
 *     complete (or error), complete from the client stops an operation.
 *     Protocol violations close the socket: 4400 invalid message, 4401
 *     subscribe before the ack, 4403 connection refused by the authorize
 *     hook, 4406 no acceptable subprotocol, 4408 no connection_init in time,
 *     4409 "Subscriber for <id> already exists", 4429 a second
 *     connection_init.
 *   graphql-ws (legacy subscriptions-transport-ws, Dagster's UI):
 *     connection_init → connection_ack and periodic ka, start → data… and
 *     complete (or error), stop, connection_terminate; a message that is not
 *     JSON gets connection_error. Message shapes follow Dagster's webserver.
 *
 * Queries and mutations sent over the socket run once (one next/data, then
 * complete); subscriptions create a source stream (graphql/stream.h) through
 * gql_subscribe and execute each event with gql_execute_event. Up to
 * max_subscriptions streams run per socket.
 *
 * Threads: every ws_session_* function runs on the session's thread (the
 * one serving the socket). Source streams push events from any thread into
 * a locked queue and call the wake hook; the transport then calls
 * ws_session_tick on the session's thread, which executes them. Time is
 * given by the caller in milliseconds (any monotonic clock). */
#ifndef DAGD_HTTP_WS_SESSION_H
#define DAGD_HTTP_WS_SESSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/stream.h"
#include "http/ws.h"

typedef struct ws_session ws_session;

/* Close codes of graphql-transport-ws. */
enum {
  WS_CLOSE_BAD_REQUEST = 4400,
  WS_CLOSE_UNAUTHORIZED = 4401,
  WS_CLOSE_FORBIDDEN = 4403,
  WS_CLOSE_SUBPROTOCOL_NOT_ACCEPTABLE = 4406,
  WS_CLOSE_INIT_TIMEOUT = 4408,
  WS_CLOSE_SUBSCRIBER_EXISTS = 4409,
  WS_CLOSE_TOO_MANY_INITS = 4429,
};

typedef struct ws_session_config {
  ws_protocol protocol;     /* from ws_handshake; NONE closes with 4406 */
  const gql_schema *schema; /* must outlive the session */
  const gql_limits *limits; /* NULL: the engine's defaults */
  void *context;            /* handed to resolvers (gql_request.context) */

  size_t max_message_bytes;   /* larger messages close with 1009; 0: 1 MiB */
  unsigned max_subscriptions; /* running streams per socket; 0: 100 */
  unsigned init_timeout_ms;   /* connection_init must arrive within; 0: 3000 */
  /* Every keepalive_ms: a WebSocket ping (and "ka" in graphql-ws once
   * acknowledged); a peer that sent nothing, not even the pong, since the
   * previous ping is dropped. 0: 12000. */
  unsigned keepalive_ms;
  unsigned close_timeout_ms; /* wait for the peer's close frame; 0: 5000 */

  /* Decides on connection_init (payload: its JSON object, or NULL). NULL
   * accepts everyone. */
  bool (*authorize)(void *data, const json_t *payload);
  void *authorize_data;

  /* Bytes to send on the socket (called on the session's thread, also from
   * ws_session_new). The transport buffers what it cannot send at once. */
  void (*write)(void *io, const void *bytes, size_t n);
  /* Events are waiting: arrange for ws_session_tick to run soon on the
   * session's thread. Called from ANY thread, with an internal lock held:
   * it must only signal (write to an eventfd or pipe), never call into the
   * session. May be NULL for transports that tick often anyway. */
  void (*wake)(void *io);
  void *io;
} ws_session_config;

/* A session for a freshly upgraded socket. With WS_PROTOCOL_NONE it closes
 * at once with 4406. */
ws_session *ws_session_new(const ws_session_config *cfg, uint64_t now_ms);

/* Cancels every running stream, and frees the session. Streams still
 * finishing on other threads may keep pushing harmlessly. */
void ws_session_free(ws_session *s);

/* Bytes read from the socket, in chunks of any size. */
void ws_session_feed(ws_session *s, const void *bytes, size_t n, uint64_t now_ms);

/* Runs queued stream events and the timers (init timeout, keep-alive,
 * close timeout). Call after a wake and no later than
 * ws_session_next_deadline. */
void ws_session_tick(ws_session *s, uint64_t now_ms);

/* When ws_session_tick must run next at the latest (UINT64_MAX: never). */
uint64_t ws_session_next_deadline(const ws_session *s);

/* Closes from dagd's side (e.g. 1001 "Going away" at shutdown): stops every
 * stream and starts the closing handshake; keep feeding input and ticking
 * until ws_session_done. */
void ws_session_close(ws_session *s, uint16_t code, const char *reason, uint64_t now_ms);

/* The peer closed the TCP connection or it broke: stops every stream. */
void ws_session_peer_closed(ws_session *s);

/* Should the transport close the TCP connection now? (The closing
 * handshake is over, the connection failed, or the peer went silent.) */
bool ws_session_done(const ws_session *s);

/* Streams currently running (for tests and metrics). */
size_t ws_session_subscriptions(const ws_session *s);

#endif
