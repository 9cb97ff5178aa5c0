/* ws.c — RFC 6455: the opening handshake, frame encoding, and the server
 * side of a connection (an incremental frame decoder with message
 * reassembly, UTF-8 checks, pings and the closing handshake). See ws.h.
 *
 * The decoder is a two-state machine: it collects a frame header (2 to 14
 * bytes, possibly across many feeds), then consumes the payload as it
 * arrives, unmasking it straight into the message buffer (data frames) or
 * the control buffer (close, ping, pong, at most 125 bytes). Text is
 * validated incrementally so invalid UTF-8 fails fast, even mid-fragment. */
#include "http/ws.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/mem.h"

/* ---- handshake ---- */

static const char ws_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const char *ws_protocol_name(ws_protocol p) {
  switch (p) {
  case WS_PROTOCOL_GRAPHQL_WS:
    return "graphql-ws";
  case WS_PROTOCOL_GRAPHQL_TRANSPORT_WS:
    return "graphql-transport-ws";
  case WS_PROTOCOL_NONE:
    break;
  }
  return NULL;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Calls fn on each token of a comma-separated header value, blanks trimmed;
 * stops when fn returns true, and returns whether one did. */
static bool each_token(const char *list, bool (*fn)(const char *tok, size_t n, void *data),
                       void *data) {
  const char *p = list;
  while (p && *p) {
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    const char *t = p;
    size_t tn = n;
    while (tn && is_blank(*t))
      t++, tn--;
    while (tn && is_blank(t[tn - 1]))
      tn--;
    if (tn && fn(t, tn, data))
      return true;
    p = end ? end + 1 : NULL;
  }
  return false;
}

typedef struct choose_state {
  ws_protocol chosen;
  bool offered;
} choose_state;

static bool choose_token(const char *tok, size_t n, void *data) {
  choose_state *st = data;
  st->offered = true;
  for (ws_protocol p = WS_PROTOCOL_GRAPHQL_WS; p <= WS_PROTOCOL_GRAPHQL_TRANSPORT_WS; p++) {
    const char *name = ws_protocol_name(p);
    if (strlen(name) == n && memcmp(name, tok, n) == 0) {
      st->chosen = p;
      return true;
    }
  }
  return false;
}

ws_protocol ws_choose_protocol(const char *header, bool *offered) {
  choose_state st = {WS_PROTOCOL_NONE, false};
  each_token(header, choose_token, &st);
  if (offered)
    *offered = st.offered;
  return st.offered ? st.chosen : WS_PROTOCOL_GRAPHQL_WS;
}

static int b64_value(char c) {
  const char *p = c ? strchr(b64_alphabet, c) : NULL;
  return p ? (int)(p - b64_alphabet) : -1;
}

/* Is s[0..n) the base64 encoding of exactly 16 bytes? (22 characters and
 * "==", the last character carrying no stray bits.) */
static bool key_is_valid(const char *s, size_t n) {
  if (n != 24 || s[22] != '=' || s[23] != '=')
    return false;
  for (size_t i = 0; i < 22; i++)
    if (b64_value(s[i]) < 0)
      return false;
  return (b64_value(s[21]) & 0xF) == 0;
}

static void base64_encode(const unsigned char *in, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16;
    if (i + 1 < n)
      v |= (unsigned)in[i + 1] << 8;
    if (i + 2 < n)
      v |= in[i + 2];
    out[o++] = b64_alphabet[(v >> 18) & 63];
    out[o++] = b64_alphabet[(v >> 12) & 63];
    out[o++] = i + 1 < n ? b64_alphabet[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? b64_alphabet[v & 63] : '=';
  }
  out[o] = '\0';
}

int ws_accept_key(const char *key, char out[WS_ACCEPT_LEN + 1]) {
  if (!key)
    return -1;
  while (is_blank(*key))
    key++;
  size_t n = strlen(key);
  while (n && is_blank(key[n - 1]))
    n--;
  if (!key_is_valid(key, n))
    return -1;
  char joined[24 + sizeof ws_guid];
  memcpy(joined, key, n);
  memcpy(joined + n, ws_guid, sizeof ws_guid - 1);
  unsigned char digest[20];
  if (gnutls_hash_fast(GNUTLS_DIG_SHA1, joined, n + sizeof ws_guid - 1, digest) < 0)
    return -1;
  base64_encode(digest, sizeof digest, out);
  return 0;
}

static bool token_is_upgrade(const char *tok, size_t n, void *data) {
  (void)data;
  return n == 7 && strncasecmp(tok, "upgrade", 7) == 0;
}

static bool token_is_websocket(const char *tok, size_t n, void *data) {
  (void)data;
  return n == 9 && strncasecmp(tok, "websocket", 9) == 0;
}

bool ws_is_upgrade(const char *upgrade, const char *connection) {
  return each_token(upgrade, token_is_websocket, NULL) &&
         each_token(connection, token_is_upgrade, NULL);
}

static void refuse(ws_handshake *out, int status, const char *error) {
  out->status = status;
  out->error = error;
}

void ws_handshake_check(const ws_handshake_request *req, ws_handshake *out) {
  memset(out, 0, sizeof *out);
  if (!req->method || strcmp(req->method, "GET") != 0) {
    refuse(out, 405, "A WebSocket upgrade must use GET.");
    return;
  }
  if (!ws_is_upgrade(req->upgrade, req->connection)) {
    refuse(out, 400, "Expected \"Upgrade: websocket\" and \"Connection: Upgrade\".");
    return;
  }
  if (!req->version || strcmp(req->version, "13") != 0) {
    refuse(out, 426, "Unsupported Sec-WebSocket-Version (dagd speaks 13).");
    return;
  }
  if (ws_accept_key(req->key, out->accept) < 0) {
    refuse(out, 400, "Missing or malformed Sec-WebSocket-Key.");
    return;
  }
  bool offered = false;
  out->protocol = ws_choose_protocol(req->protocols, &offered);
  /* The response may only name a protocol the client offered. */
  out->protocol_header = offered ? ws_protocol_name(out->protocol) : NULL;
  out->status = 101;
}

/* ---- frames ---- */

static void encode_header(buf *out, ws_opcode op, bool fin, size_t len, bool masked) {
  unsigned char h[10];
  size_t hn = 2;
  h[0] = (unsigned char)((fin ? 0x80 : 0) | (unsigned)op);
  unsigned char mask_bit = masked ? 0x80 : 0;
  if (len < 126) {
    h[1] = (unsigned char)(mask_bit | len);
  } else if (len <= 0xFFFF) {
    h[1] = mask_bit | 126;
    h[2] = (unsigned char)(len >> 8);
    h[3] = (unsigned char)len;
    hn = 4;
  } else {
    h[1] = mask_bit | 127;
    uint64_t l = len;
    for (int i = 0; i < 8; i++)
      h[2 + i] = (unsigned char)(l >> (56 - 8 * i));
    hn = 10;
  }
  buf_append(out, h, hn);
}

void ws_frame_encode(buf *out, ws_opcode op, bool fin, const void *payload, size_t len) {
  encode_header(out, op, fin, len, false);
  if (len)
    buf_append(out, payload, len);
}

void ws_frame_encode_masked(buf *out, ws_opcode op, bool fin, const void *payload, size_t len,
                            const uint8_t mask[4]) {
  encode_header(out, op, fin, len, true);
  buf_append(out, mask, 4);
  buf_reserve(out, len);
  const unsigned char *p = payload;
  for (size_t i = 0; i < len; i++)
    out->data[out->len + i] = (char)(p[i] ^ mask[i & 3]);
  out->len += len;
  out->data[out->len] = '\0';
}

/* ---- UTF-8, incrementally ---- */

typedef struct utf8_state {
  unsigned need;        /* continuation bytes still expected */
  unsigned char lo, hi; /* the range allowed for the next continuation byte */
} utf8_state;

/* Feeds bytes; false at the first byte that cannot be part of valid UTF-8. */
static bool utf8_feed(utf8_state *st, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (st->need) {
      if (c < st->lo || c > st->hi)
        return false;
      st->lo = 0x80, st->hi = 0xBF;
      st->need--;
      continue;
    }
    if (c < 0x80)
      continue;
    st->lo = 0x80, st->hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      st->need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      st->need = 2;
      if (c == 0xE0)
        st->lo = 0xA0; /* overlong */
      else if (c == 0xED)
        st->hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      st->need = 3;
      if (c == 0xF0)
        st->lo = 0x90; /* overlong */
      else if (c == 0xF4)
        st->hi = 0x8F; /* beyond U+10FFFF */
    } else {
      return false;
    }
  }
  return true;
}

bool ws_utf8_valid(const char *s, size_t n) {
  utf8_state st = {0, 0x80, 0xBF};
  return utf8_feed(&st, (const unsigned char *)s, n) && st.need == 0;
}

/* ---- the connection ---- */

#define MAX_CONTROL 125
#define MAX_HEADER 14

typedef enum decode_step { STEP_HEADER, STEP_PAYLOAD } decode_step;

struct ws_conn {
  ws_conn_callbacks cb;
  void *data;
  size_t max_message;
  ws_conn_state state;
  uint16_t sent_code, received_code;
  buf out; /* scratch for encoding frames */

  /* the frame being decoded */
  decode_step step;
  unsigned char hdr[MAX_HEADER];
  size_t hdr_len;
  bool fin;
  ws_opcode op;
  unsigned char mask[4];
  uint64_t payload_len, payload_pos;

  /* the data message being reassembled */
  bool in_message;
  ws_opcode msg_op;
  buf msg;
  utf8_state utf8;

  /* the control frame being read */
  unsigned char ctrl[MAX_CONTROL];
};

ws_conn *ws_conn_new(size_t max_message, const ws_conn_callbacks *cb, void *data) {
  ws_conn *c = xcalloc(1, sizeof *c);
  c->cb = *cb;
  c->data = data;
  c->max_message = max_message ? max_message : (size_t)1 << 20;
  c->state = WS_CONN_OPEN;
  buf_init(&c->out, NULL);
  buf_init(&c->msg, NULL);
  return c;
}

void ws_conn_free(ws_conn *c) {
  if (!c)
    return;
  buf_free(&c->out);
  buf_free(&c->msg);
  free(c);
}

ws_conn_state ws_conn_get_state(const ws_conn *c) { return c->state; }
uint16_t ws_conn_sent_code(const ws_conn *c) { return c->sent_code; }
uint16_t ws_conn_received_code(const ws_conn *c) { return c->received_code; }

static void send_frame(ws_conn *c, ws_opcode op, const void *payload, size_t len) {
  buf_truncate(&c->out, 0);
  ws_frame_encode(&c->out, op, true, payload, len);
  c->cb.write(c->data, c->out.data, c->out.len);
}

void ws_conn_send_text(ws_conn *c, const char *text, size_t len) {
  if (c->state == WS_CONN_OPEN)
    send_frame(c, WS_OP_TEXT, text, len);
}

void ws_conn_ping(ws_conn *c, const void *payload, size_t len) {
  if (c->state == WS_CONN_OPEN && len <= MAX_CONTROL)
    send_frame(c, WS_OP_PING, payload, len);
}

/* Sends a close frame; code 0 sends one without a status. */
static void send_close(ws_conn *c, uint16_t code, const char *reason) {
  unsigned char p[2 + WS_MAX_CLOSE_REASON];
  size_t n = 0;
  if (code) {
    p[0] = (unsigned char)(code >> 8);
    p[1] = (unsigned char)code;
    n = 2;
    size_t rn = reason ? strlen(reason) : 0;
    if (rn > WS_MAX_CLOSE_REASON) {
      rn = WS_MAX_CLOSE_REASON;
      while (rn && ((unsigned char)reason[rn] & 0xC0) == 0x80)
        rn--; /* do not cut a character in two */
    }
    if (rn)
      memcpy(p + 2, reason, rn);
    n += rn;
  }
  send_frame(c, WS_OP_CLOSE, p, n);
  c->sent_code = code;
}

void ws_conn_close(ws_conn *c, uint16_t code, const char *reason) {
  if (c->state != WS_CONN_OPEN)
    return;
  send_close(c, code, reason);
  c->state = WS_CONN_CLOSING;
}

void ws_conn_abort(ws_conn *c) { c->state = WS_CONN_CLOSED; }

/* Fails the connection (RFC 6455 §7.1.7): a close frame, then CLOSED. */
static void fail(ws_conn *c, uint16_t code, const char *reason) {
  if (c->state == WS_CONN_OPEN)
    send_close(c, code, reason);
  c->state = WS_CONN_CLOSED;
}

static bool close_code_valid(unsigned code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

static void on_close_frame(ws_conn *c, const unsigned char *p, size_t n) {
  unsigned code = n >= 2 ? (unsigned)p[0] << 8 | p[1] : 0;
  if (n == 1 || (n >= 2 && !close_code_valid(code))) {
    fail(c, WS_CLOSE_PROTOCOL_ERROR, "Invalid close frame");
    return;
  }
  if (n > 2 && !ws_utf8_valid((const char *)p + 2, n - 2)) {
    fail(c, WS_CLOSE_INVALID_DATA, "Close reason is not valid UTF-8");
    return;
  }
  c->received_code = code ? (uint16_t)code : WS_CLOSE_NO_STATUS;
  if (c->state == WS_CONN_OPEN)
    send_close(c, (uint16_t)code, NULL); /* echo the code */
  c->state = WS_CONN_CLOSED;
}

static void on_control_frame(ws_conn *c) {
  size_t n = (size_t)c->payload_len;
  switch (c->op) {
  case WS_OP_CLOSE:
    on_close_frame(c, c->ctrl, n);
    break;
  case WS_OP_PING:
    if (c->state == WS_CONN_OPEN)
      send_frame(c, WS_OP_PONG, c->ctrl, n);
    break;
  default: /* pongs need no answer */
    break;
  }
}

static void on_data_frame_end(ws_conn *c) {
  if (!c->fin)
    return;
  c->in_message = false;
  if (c->msg_op == WS_OP_TEXT && c->utf8.need) {
    fail(c, WS_CLOSE_INVALID_DATA, "Text message is not valid UTF-8");
    return;
  }
  if (c->state == WS_CONN_OPEN)
    c->cb.message(c->data, c->msg_op, c->msg.data ? c->msg.data : "", c->msg.len);
  buf_truncate(&c->msg, 0);
}

/* Header bytes needed so far: 2, then 2 + extended length + mask. */
static size_t header_size(const unsigned char *h) {
  unsigned len7 = h[1] & 0x7F;
  size_t n = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
  return n + ((h[1] & 0x80) ? 4 : 0);
}

/* Checks a complete header and prepares for the payload; false when the
 * connection failed. */
static bool begin_frame(ws_conn *c) {
  const unsigned char *h = c->hdr;
  c->fin = (h[0] & 0x80) != 0;
  c->op = (ws_opcode)(h[0] & 0x0F);
  unsigned len7 = h[1] & 0x7F;
  size_t at = 2;
  if (len7 == 126) {
    c->payload_len = (uint64_t)h[2] << 8 | h[3];
    at = 4;
  } else if (len7 == 127) {
    c->payload_len = 0;
    for (int i = 0; i < 8; i++)
      c->payload_len = c->payload_len << 8 | h[2 + i];
    at = 10;
  } else {
    c->payload_len = len7;
  }
  c->payload_pos = 0;
  if (h[0] & 0x70) {
    fail(c, WS_CLOSE_PROTOCOL_ERROR, "Reserved bits set without an extension");
    return false;
  }
  if (!(h[1] & 0x80)) {
    fail(c, WS_CLOSE_PROTOCOL_ERROR, "Client frames must be masked");
    return false;
  }
  memcpy(c->mask, h + at, 4);
  if (c->payload_len >> 63) {
    fail(c, WS_CLOSE_PROTOCOL_ERROR, "Invalid payload length");
    return false;
  }
  bool control = c->op & 0x8;
  if (control) {
    if (c->op != WS_OP_CLOSE && c->op != WS_OP_PING && c->op != WS_OP_PONG) {
      fail(c, WS_CLOSE_PROTOCOL_ERROR, "Unknown opcode");
      return false;
    }
    if (!c->fin || c->payload_len > MAX_CONTROL) {
      fail(c, WS_CLOSE_PROTOCOL_ERROR, "Control frames must be short and unfragmented");
      return false;
    }
    return true;
  }
  if (c->op == WS_OP_CONTINUATION) {
    if (!c->in_message) {
      fail(c, WS_CLOSE_PROTOCOL_ERROR, "Continuation frame without a message");
      return false;
    }
  } else if (c->op == WS_OP_TEXT || c->op == WS_OP_BINARY) {
    if (c->in_message) {
      fail(c, WS_CLOSE_PROTOCOL_ERROR, "New message before the last one ended");
      return false;
    }
    c->in_message = true;
    c->msg_op = c->op;
    c->utf8 = (utf8_state){0, 0x80, 0xBF};
    buf_truncate(&c->msg, 0);
  } else {
    fail(c, WS_CLOSE_PROTOCOL_ERROR, "Unknown opcode");
    return false;
  }
  if (c->payload_len > c->max_message - c->msg.len) {
    fail(c, WS_CLOSE_TOO_BIG, "Message too big");
    return false;
  }
  return true;
}

/* Unmasks up to n payload bytes from p; returns how many it consumed. */
static size_t take_payload(ws_conn *c, const unsigned char *p, size_t n) {
  uint64_t left = c->payload_len - c->payload_pos;
  size_t k = n < left ? n : (size_t)left;
  unsigned char *dst;
  bool control = c->op & 0x8;
  if (control) {
    dst = c->ctrl + c->payload_pos;
  } else {
    buf_reserve(&c->msg, k);
    dst = (unsigned char *)c->msg.data + c->msg.len;
  }
  for (size_t i = 0; i < k; i++)
    dst[i] = p[i] ^ c->mask[(c->payload_pos + i) & 3];
  if (!control) {
    if (c->msg_op == WS_OP_TEXT && !utf8_feed(&c->utf8, dst, k)) {
      fail(c, WS_CLOSE_INVALID_DATA, "Text message is not valid UTF-8");
      return n;
    }
    c->msg.len += k;
    c->msg.data[c->msg.len] = '\0';
  }
  c->payload_pos += k;
  return k;
}

void ws_conn_feed(ws_conn *c, const void *bytes, size_t n) {
  const unsigned char *p = bytes;
  while (c->state != WS_CONN_CLOSED) {
    if (c->step == STEP_HEADER) {
      /* Collect 2 bytes, then as many as the header turns out to need. */
      size_t want = c->hdr_len < 2 ? 2 : header_size(c->hdr);
      while (c->hdr_len < want && n) {
        c->hdr[c->hdr_len++] = *p++;
        n--;
        if (c->hdr_len == 2)
          want = header_size(c->hdr);
      }
      if (c->hdr_len < want)
        return;
      c->hdr_len = 0;
      if (!begin_frame(c))
        return;
      c->step = STEP_PAYLOAD;
    }
    if (c->payload_pos < c->payload_len) {
      if (!n)
        return;
      size_t k = take_payload(c, p, n);
      p += k;
      n -= k;
      if (c->state == WS_CONN_CLOSED || c->payload_pos < c->payload_len)
        continue;
    }
    c->step = STEP_HEADER;
    if (c->op & 0x8)
      on_control_frame(c);
    else
      on_data_frame_end(c);
  }
}
