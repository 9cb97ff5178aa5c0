/* ws.h — the WebSocket protocol (RFC 6455), independent of any socket.
 *
 * Three pieces: the opening handshake (checking the upgrade request,
 * computing Sec-WebSocket-Accept, choosing the GraphQL subprotocol from
 * Sec-WebSocket-Protocol), a frame encoder (server frames are unmasked;
 * a masked variant exists for clients and tests), and ws_conn, the server
 * side of one connection: an incremental decoder fed arbitrary byte chunks
 * that reassembles fragmented messages, validates UTF-8 in text messages,
 * enforces the masking, control-frame and size rules, answers pings and
 * performs the closing handshake. A broken rule fails the connection with
 * the status code the RFC names (1002, 1007, 1009). Nothing here reads or
 * writes a socket: bytes go in through ws_conn_feed and come out through a
 * callback. */
#ifndef DAGD_HTTP_WS_H
#define DAGD_HTTP_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* ---- the opening handshake ---- */

/* The GraphQL subprotocols dagd speaks. */
typedef enum ws_protocol {
  WS_PROTOCOL_NONE,                 /* the client offered only protocols dagd does not speak */
  WS_PROTOCOL_GRAPHQL_WS,           /* "graphql-ws": legacy subscriptions-transport-ws */
  WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, /* "graphql-transport-ws": the graphql-ws npm library */
} ws_protocol;

/* "graphql-ws", "graphql-transport-ws", or NULL for WS_PROTOCOL_NONE. */
const char *ws_protocol_name(ws_protocol p);

/* Chooses the subprotocol from a Sec-WebSocket-Protocol value (a
 * comma-separated list; repeated headers joined with ","), taking the first
 * supported one in the client's order. A missing or empty header gives the
 * legacy graphql-ws protocol, as Dagster's webserver speaks it to any client;
 * *offered (may be NULL) tells whether the client named any protocol, which
 * decides whether the response may carry the header. */
ws_protocol ws_choose_protocol(const char *header, bool *offered);

/* Length of a Sec-WebSocket-Accept value (base64 of a SHA-1 digest). */
#define WS_ACCEPT_LEN 28

/* Computes Sec-WebSocket-Accept for a Sec-WebSocket-Key into out
 * (WS_ACCEPT_LEN characters and a NUL). Returns -1 when the key is not the
 * base64 encoding of 16 bytes (leading and trailing blanks are ignored). */
int ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1]);

/* The upgrade request's relevant headers, NULL when absent. */
typedef struct ws_handshake_request {
  const char *method;     /* "GET" */
  const char *upgrade;    /* Upgrade */
  const char *connection; /* Connection */
  const char *version;    /* Sec-WebSocket-Version */
  const char *key;        /* Sec-WebSocket-Key */
  const char *protocols;  /* Sec-WebSocket-Protocol, repeated headers joined with "," */
} ws_handshake_request;

/* The answer to an upgrade request. */
typedef struct ws_handshake {
  /* 101 to switch protocols; 400 for a malformed request; 405 for a method
   * other than GET; 426 for a version other than 13 (send
   * "Sec-WebSocket-Version: 13" with it). */
  int status;
  const char *error;              /* why status is not 101; NULL otherwise */
  char accept[WS_ACCEPT_LEN + 1]; /* the Sec-WebSocket-Accept value (101) */
  const char *protocol_header;    /* the Sec-WebSocket-Protocol value to send, or NULL */
  ws_protocol protocol;           /* what the session speaks (hand to ws_session) */
} ws_handshake;

/* Does the request ask for a WebSocket upgrade (Upgrade: websocket and a
 * Connection header naming "upgrade", both case-insensitive)? */
bool ws_is_upgrade(const char *upgrade, const char *connection);

/* Checks an upgrade request (RFC 6455 §4.2.1) and fills out. */
void ws_handshake_check(const ws_handshake_request *req, ws_handshake *out);

/* ---- frames ---- */

typedef enum ws_opcode {
  WS_OP_CONTINUATION = 0x0,
  WS_OP_TEXT = 0x1,
  WS_OP_BINARY = 0x2,
  WS_OP_CLOSE = 0x8,
  WS_OP_PING = 0x9,
  WS_OP_PONG = 0xA,
} ws_opcode;

/* Close status codes (RFC 6455 §7.4.1). */
enum {
  WS_CLOSE_NORMAL = 1000,
  WS_CLOSE_GOING_AWAY = 1001,
  WS_CLOSE_PROTOCOL_ERROR = 1002,
  WS_CLOSE_NO_STATUS = 1005, /* reported for a close frame without a code; never sent */
  WS_CLOSE_ABNORMAL = 1006,  /* reported when the peer vanished; never sent */
  WS_CLOSE_INVALID_DATA = 1007,
  WS_CLOSE_TOO_BIG = 1009,
  WS_CLOSE_INTERNAL_ERROR = 1011,
};

/* Largest close reason that fits a control frame (125 - 2 bytes of code). */
#define WS_MAX_CLOSE_REASON 123

/* Appends one unmasked (server) frame to out. */
void ws_frame_encode(buf *out, ws_opcode op, bool fin, const void *payload, size_t len);

/* Appends one masked (client) frame to out, masked with the given key. */
void ws_frame_encode_masked(buf *out, ws_opcode op, bool fin, const void *payload, size_t len,
                            const uint8_t mask[4]);

/* Is s[0..n) well-formed UTF-8 (no overlongs, surrogates or code points
 * beyond U+10FFFF)? */
bool ws_utf8_valid(const char *s, size_t n);

/* ---- one connection, server side ---- */

typedef struct ws_conn ws_conn;

typedef enum ws_conn_state {
  WS_CONN_OPEN,    /* messages flow both ways */
  WS_CONN_CLOSING, /* dagd sent a close frame and waits for the peer's */
  WS_CONN_CLOSED,  /* the closing handshake is over or the connection failed:
                      close the TCP connection */
} ws_conn_state;

typedef struct ws_conn_callbacks {
  /* Bytes to send to the peer (whole frames). */
  void (*write)(void *data, const void *bytes, size_t n);
  /* A complete message (op is WS_OP_TEXT, already UTF-8 checked, or
   * WS_OP_BINARY). The payload is valid until the callback returns. The
   * callback may send messages and call ws_conn_close, not ws_conn_free. */
  void (*message)(void *data, ws_opcode op, const char *payload, size_t len);
} ws_conn_callbacks;

/* A new open connection. Messages longer than max_message bytes (summed
 * over their fragments) fail it with 1009; 0 means 1 MiB. */
ws_conn *ws_conn_new(size_t max_message, const ws_conn_callbacks *cb, void *data);
/* Frees the connection (NULL is allowed); sends nothing. */
void ws_conn_free(ws_conn *c);

/* Feeds bytes read from the socket, in chunks of any size. Complete
 * messages are handed to the message callback; pings are answered; a close
 * frame is answered with a close frame echoing its code (the connection is
 * then CLOSED). A protocol violation sends a close frame with the matching
 * code and leaves the connection CLOSED; input after that is ignored. */
void ws_conn_feed(ws_conn *c, const void *bytes, size_t n);

/* Sends a text message as one frame (ignored unless the connection is OPEN). */
void ws_conn_send_text(ws_conn *c, const char *text, size_t len);

/* Sends a ping with an optional payload (at most 125 bytes; ignored unless OPEN). */
void ws_conn_ping(ws_conn *c, const void *payload, size_t len);

/* Starts the closing handshake: sends a close frame with code and reason
 * (truncated to WS_MAX_CLOSE_REASON bytes on a UTF-8 boundary) and moves to
 * CLOSING. No-op unless OPEN. */
void ws_conn_close(ws_conn *c, uint16_t code, const char *reason);

/* Gives up on the connection without a closing handshake (peer gone, close
 * timeout): the state becomes CLOSED. */
void ws_conn_abort(ws_conn *c);

/* Where the connection stands (see ws_conn_state). */
ws_conn_state ws_conn_get_state(const ws_conn *c);

/* The code of the close frame dagd sent (0 when none), and the one the peer
 * sent (0 when none yet, WS_CLOSE_NO_STATUS for a close frame without a
 * code). */
uint16_t ws_conn_sent_code(const ws_conn *c);
uint16_t ws_conn_received_code(const ws_conn *c);

#endif
