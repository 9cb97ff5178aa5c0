/* test_ws.c — tests of http/ws.c: the opening handshake (accept key,
 * subprotocol choice, request checks), frame encoding, UTF-8 validation,
 * and the connection's decoder fed in chunks of every size: lengths of 7,
 * 16 and 64 bits, masking, fragmentation, control frames, pings, the
 * closing handshake and each protocol violation with its close code. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "http/ws.h"

/* ---- handshake ---- */

static void test_accept_key(void **state) {
  (void)state;
  char out[WS_ACCEPT_LEN + 1];
  /* The example of RFC 6455 §1.3. */
  assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out), 0);
  assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert_int_equal(ws_accept_key("  dGhlIHNhbXBsZSBub25jZQ==\t", out), 0);
  assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert_int_equal(ws_accept_key(NULL, out), -1);
  assert_int_equal(ws_accept_key("", out), -1);
  assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ", out), -1);    /* no padding */
  assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", out), -1);   /* short */
  assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25j*Q==", out), -1);  /* bad character */
  assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZR==", out), -1);  /* stray bits */
  assert_int_equal(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==x", out), -1); /* long */
}

static void test_choose_protocol(void **state) {
  (void)state;
  bool offered = false;
  assert_int_equal(ws_choose_protocol("graphql-ws", &offered), WS_PROTOCOL_GRAPHQL_WS);
  assert_true(offered);
  assert_int_equal(ws_choose_protocol("graphql-transport-ws", &offered),
                   WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);
  /* The client's order decides. */
  assert_int_equal(ws_choose_protocol("graphql-transport-ws, graphql-ws", NULL),
                   WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);
  assert_int_equal(ws_choose_protocol("graphql-ws,graphql-transport-ws", NULL),
                   WS_PROTOCOL_GRAPHQL_WS);
  assert_int_equal(ws_choose_protocol(" mqtt ,\tgraphql-transport-ws ", NULL),
                   WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);
  /* Exact, case-sensitive names only. */
  assert_int_equal(ws_choose_protocol("mqtt, GraphQL-WS, graphql-ws2", &offered), WS_PROTOCOL_NONE);
  assert_true(offered);
  /* Nothing offered: the legacy protocol, as Dagster answers any client. */
  assert_int_equal(ws_choose_protocol(NULL, &offered), WS_PROTOCOL_GRAPHQL_WS);
  assert_false(offered);
  assert_int_equal(ws_choose_protocol(" , ", &offered), WS_PROTOCOL_GRAPHQL_WS);
  assert_false(offered);
  assert_string_equal(ws_protocol_name(WS_PROTOCOL_GRAPHQL_WS), "graphql-ws");
  assert_string_equal(ws_protocol_name(WS_PROTOCOL_GRAPHQL_TRANSPORT_WS), "graphql-transport-ws");
  assert_null(ws_protocol_name(WS_PROTOCOL_NONE));
}

static void test_is_upgrade(void **state) {
  (void)state;
  assert_true(ws_is_upgrade("websocket", "Upgrade"));
  assert_true(ws_is_upgrade("WebSocket", "keep-alive, Upgrade"));
  assert_false(ws_is_upgrade("h2c", "Upgrade"));
  assert_false(ws_is_upgrade("websocket", "keep-alive"));
  assert_false(ws_is_upgrade(NULL, "Upgrade"));
  assert_false(ws_is_upgrade("websocket", NULL));
  assert_false(ws_is_upgrade("websocket", "upgrades"));
}

static void test_handshake(void **state) {
  (void)state;
  ws_handshake_request req = {
      .method = "GET",
      .upgrade = "websocket",
      .connection = "keep-alive, Upgrade",
      .version = "13",
      .key = "dGhlIHNhbXBsZSBub25jZQ==",
      .protocols = "graphql-transport-ws",
  };
  ws_handshake h;
  ws_handshake_check(&req, &h);
  assert_int_equal(h.status, 101);
  assert_null(h.error);
  assert_string_equal(h.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  assert_string_equal(h.protocol_header, "graphql-transport-ws");
  assert_int_equal(h.protocol, WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);

  /* No protocol offered: legacy graphql-ws, and no header in the response. */
  req.protocols = NULL;
  ws_handshake_check(&req, &h);
  assert_int_equal(h.status, 101);
  assert_null(h.protocol_header);
  assert_int_equal(h.protocol, WS_PROTOCOL_GRAPHQL_WS);

  /* Only unknown protocols: upgrade without the header; the session closes with 4406. */
  req.protocols = "mqtt";
  ws_handshake_check(&req, &h);
  assert_int_equal(h.status, 101);
  assert_null(h.protocol_header);
  assert_int_equal(h.protocol, WS_PROTOCOL_NONE);
  req.protocols = NULL;

  ws_handshake_request bad = req;
  bad.method = "POST";
  ws_handshake_check(&bad, &h);
  assert_int_equal(h.status, 405);
  assert_non_null(h.error);
  bad = req;
  bad.upgrade = NULL;
  ws_handshake_check(&bad, &h);
  assert_int_equal(h.status, 400);
  bad = req;
  bad.version = "8";
  ws_handshake_check(&bad, &h);
  assert_int_equal(h.status, 426);
  bad = req;
  bad.key = "short";
  ws_handshake_check(&bad, &h);
  assert_int_equal(h.status, 400);
  assert_string_equal(h.error, "Missing or malformed Sec-WebSocket-Key.");
}

/* ---- frames and UTF-8 ---- */

static void test_frame_encode_lengths(void **state) {
  (void)state;
  static char payload[70000];
  memset(payload, 'a', sizeof payload);
  struct {
    size_t len;
    size_t header;
    unsigned char b1;
  } cases[] = {{0, 2, 0}, {125, 2, 125}, {126, 4, 126}, {65535, 4, 126}, {65536, 10, 127}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    buf b;
    buf_init(&b, NULL);
    ws_frame_encode(&b, WS_OP_TEXT, true, payload, cases[i].len);
    assert_int_equal(b.len, cases[i].header + cases[i].len);
    assert_int_equal((unsigned char)b.data[0], 0x81);
    assert_int_equal((unsigned char)b.data[1], cases[i].b1);
    if (cases[i].header == 4)
      assert_int_equal((unsigned char)b.data[2] << 8 | (unsigned char)b.data[3], cases[i].len);
    if (cases[i].header == 10) {
      uint64_t l = 0;
      for (int k = 0; k < 8; k++)
        l = l << 8 | (unsigned char)b.data[2 + k];
      assert_int_equal(l, cases[i].len);
    }
    buf_free(&b);
  }
  /* A non-final binary frame, and a masked one. */
  buf b;
  buf_init(&b, NULL);
  ws_frame_encode(&b, WS_OP_BINARY, false, "x", 1);
  assert_memory_equal(b.data, "\x02\x01x", 3);
  buf_truncate(&b, 0);
  const uint8_t mask[4] = {1, 2, 3, 4};
  ws_frame_encode_masked(&b, WS_OP_TEXT, true, "abcde", 5, mask);
  assert_int_equal(b.len, 11);
  assert_memory_equal(b.data, "\x81\x85\x01\x02\x03\x04", 6);
  const char want[] = {'a' ^ 1, 'b' ^ 2, 'c' ^ 3, 'd' ^ 4, 'e' ^ 1};
  assert_memory_equal(b.data + 6, want, 5);
  buf_free(&b);
}

static void test_utf8(void **state) {
  (void)state;
  assert_true(ws_utf8_valid("", 0));
  assert_true(ws_utf8_valid("plain ascii", 11));
  assert_true(ws_utf8_valid("\xc3\xa9t\xc3\xa9", 6)); /* été */
  assert_true(ws_utf8_valid("\xe2\x82\xac", 3));      /* € */
  assert_true(ws_utf8_valid("\xf0\x9f\x98\x80", 4));  /* 😀 */
  assert_true(ws_utf8_valid("\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF */
  assert_true(ws_utf8_valid("\xed\x9f\xbf", 3));      /* U+D7FF */
  assert_false(ws_utf8_valid("\x80", 1));             /* lone continuation */
  assert_false(ws_utf8_valid("\xc0\xaf", 2));         /* overlong / */
  assert_false(ws_utf8_valid("\xc1\xbf", 2));         /* overlong */
  assert_false(ws_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
  assert_false(ws_utf8_valid("\xf0\x80\x80\xaf", 4)); /* overlong */
  assert_false(ws_utf8_valid("\xed\xa0\x80", 3));     /* surrogate U+D800 */
  assert_false(ws_utf8_valid("\xf4\x90\x80\x80", 4)); /* U+110000 */
  assert_false(ws_utf8_valid("\xf5\x80\x80\x80", 4));
  assert_false(ws_utf8_valid("\xff", 1));
  assert_false(ws_utf8_valid("\xe2\x82", 2)); /* truncated */
  assert_false(ws_utf8_valid("\xc3\x28", 2)); /* bad continuation */
}

/* ---- the connection ---- */

typedef struct frame {
  unsigned char op;
  bool fin;
  char *payload;
  size_t len;
} frame;

typedef struct harness {
  ws_conn *c;
  buf out;             /* what the server wrote */
  size_t out_pos;      /* frames before this offset were read */
  ws_opcode msg_op[8]; /* messages delivered */
  buf msgs[8];
  size_t n_msgs;
  bool close_on_message; /* the message callback starts a close */
} harness;

static void h_write(void *data, const void *bytes, size_t n) {
  harness *h = data;
  buf_append(&h->out, bytes, n);
}

static void h_message(void *data, ws_opcode op, const char *payload, size_t len) {
  harness *h = data;
  assert_true(h->n_msgs < 8);
  h->msg_op[h->n_msgs] = op;
  buf_init(&h->msgs[h->n_msgs], NULL);
  buf_append(&h->msgs[h->n_msgs], payload, len);
  h->n_msgs++;
  if (h->close_on_message)
    ws_conn_close(h->c, 4400, "Invalid message received");
}

static harness *h_new(size_t max_message) {
  harness *h = calloc(1, sizeof *h);
  buf_init(&h->out, NULL);
  ws_conn_callbacks cb = {.write = h_write, .message = h_message};
  h->c = ws_conn_new(max_message, &cb, h);
  return h;
}

static void h_free(harness *h) {
  ws_conn_free(h->c);
  buf_free(&h->out);
  for (size_t i = 0; i < h->n_msgs; i++)
    buf_free(&h->msgs[i]);
  free(h);
}

/* The next frame the server wrote (server frames are never masked). */
static bool h_next_frame(harness *h, frame *f) {
  const unsigned char *p = (const unsigned char *)h->out.data + h->out_pos;
  size_t avail = h->out.len - h->out_pos;
  if (avail < 2)
    return false;
  assert_int_equal(p[1] & 0x80, 0);
  size_t at = 2;
  uint64_t len = p[1] & 0x7F;
  if (len == 126) {
    len = (uint64_t)p[2] << 8 | p[3];
    at = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; i++)
      len = len << 8 | p[2 + i];
    at = 10;
  }
  assert_true(avail >= at + len);
  f->fin = (p[0] & 0x80) != 0;
  f->op = p[0] & 0x0F;
  f->payload = (char *)p + at;
  f->len = (size_t)len;
  h->out_pos += at + (size_t)len;
  return true;
}

/* Asserts that the next server frame is a close with this code. */
static void h_expect_close(harness *h, unsigned code) {
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_CLOSE);
  assert_true(f.len >= 2);
  assert_int_equal((unsigned char)f.payload[0] << 8 | (unsigned char)f.payload[1], code);
}

static void h_expect_nothing(harness *h) {
  frame f;
  assert_false(h_next_frame(h, &f));
}

static const uint8_t mask_key[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Feeds a masked client frame, in pieces of `chunk` bytes (0: at once). */
static void h_send(harness *h, ws_opcode op, bool fin, const void *payload, size_t len,
                   size_t chunk) {
  buf b;
  buf_init(&b, NULL);
  ws_frame_encode_masked(&b, op, fin, payload, len, mask_key);
  if (!chunk)
    chunk = b.len;
  for (size_t i = 0; i < b.len; i += chunk)
    ws_conn_feed(h->c, b.data + i, b.len - i < chunk ? b.len - i : chunk);
  buf_free(&b);
}

/* Feeds raw header bytes followed by a masked payload. */
static void h_send_raw(harness *h, const unsigned char *hdr, size_t hn, const char *payload,
                       size_t len) {
  buf b;
  buf_init(&b, NULL);
  buf_append(&b, hdr, hn);
  for (size_t i = 0; i < len; i++)
    buf_putc(&b, (char)(payload[i] ^ mask_key[i & 3]));
  ws_conn_feed(h->c, b.data, b.len);
  buf_free(&b);
}

static void test_conn_text_message_any_chunking(void **state) {
  (void)state;
  const char *text = "{\"type\":\"connection_init\"}";
  for (size_t chunk = 0; chunk <= 7; chunk++) {
    harness *h = h_new(0);
    h_send(h, WS_OP_TEXT, true, text, strlen(text), chunk);
    assert_int_equal(h->n_msgs, 1);
    assert_int_equal(h->msg_op[0], WS_OP_TEXT);
    assert_string_equal(h->msgs[0].data, text);
    assert_int_equal(ws_conn_get_state(h->c), WS_CONN_OPEN);
    h_expect_nothing(h);
    h_free(h);
  }
}

static void test_conn_several_frames_in_one_chunk(void **state) {
  (void)state;
  harness *h = h_new(0);
  buf b;
  buf_init(&b, NULL);
  ws_frame_encode_masked(&b, WS_OP_TEXT, true, "one", 3, mask_key);
  ws_frame_encode_masked(&b, WS_OP_PING, true, "p", 1, mask_key);
  ws_frame_encode_masked(&b, WS_OP_BINARY, true, "\xff\x00", 2, mask_key);
  ws_frame_encode_masked(&b, WS_OP_TEXT, true, "", 0, mask_key);
  ws_conn_feed(h->c, b.data, b.len);
  buf_free(&b);
  assert_int_equal(h->n_msgs, 3);
  assert_string_equal(h->msgs[0].data, "one");
  assert_int_equal(h->msg_op[1], WS_OP_BINARY);
  assert_int_equal(h->msgs[1].len, 2);
  assert_memory_equal(h->msgs[1].data, "\xff\x00", 2);
  assert_int_equal(h->msgs[2].len, 0);
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_PONG);
  assert_int_equal(f.len, 1);
  assert_memory_equal(f.payload, "p", 1);
  h_free(h);
}

static void test_conn_extended_lengths(void **state) {
  (void)state;
  size_t sizes[] = {125, 126, 65535, 65536, 200000};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char *big = malloc(sizes[i]);
    for (size_t k = 0; k < sizes[i]; k++)
      big[k] = (char)('a' + k % 26);
    harness *h = h_new(0);
    h_send(h, WS_OP_TEXT, true, big, sizes[i], 1000);
    assert_int_equal(h->n_msgs, 1);
    assert_int_equal(h->msgs[0].len, sizes[i]);
    assert_memory_equal(h->msgs[0].data, big, sizes[i]);
    h_free(h);
    free(big);
  }
}

static void test_conn_fragmentation_with_interleaved_ping(void **state) {
  (void)state;
  harness *h = h_new(0);
  /* "é€" split inside both characters. */
  h_send(h, WS_OP_TEXT, false, "ab\xc3", 3, 0);
  h_send(h, WS_OP_PING, true, "hi", 2, 1);
  h_send(h, WS_OP_CONTINUATION, false, "\xa9\xe2", 2, 0);
  h_send(h, WS_OP_CONTINUATION, false, "", 0, 0);
  assert_int_equal(h->n_msgs, 0);
  h_send(h, WS_OP_CONTINUATION, true, "\x82\xac!", 3, 2);
  assert_int_equal(h->n_msgs, 1);
  assert_string_equal(h->msgs[0].data, "ab\xc3\xa9\xe2\x82\xac!");
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_PONG);
  assert_memory_equal(f.payload, "hi", 2);
  h_expect_nothing(h);
  /* A pong from the client needs no answer. */
  h_send(h, WS_OP_PONG, true, "x", 1, 0);
  h_expect_nothing(h);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_OPEN);
  h_free(h);
}

/* Each violation fails the connection with its code and ignores what follows. */
static void expect_failure(harness *h, unsigned code) {
  h_expect_close(h, code);
  h_expect_nothing(h);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_CLOSED);
  assert_int_equal(ws_conn_sent_code(h->c), code);
  size_t n = h->n_msgs;
  h_send(h, WS_OP_TEXT, true, "late", 4, 0);
  assert_int_equal(h->n_msgs, n);
  h_expect_nothing(h);
  h_free(h);
}

static void test_conn_unmasked_frame(void **state) {
  (void)state;
  harness *h = h_new(0);
  ws_conn_feed(h->c, "\x81\x02hi", 4);
  assert_int_equal(h->n_msgs, 0);
  expect_failure(h, 1002);
}

static void test_conn_reserved_bits_and_opcodes(void **state) {
  (void)state;
  const unsigned char firsts[] = {0xC1, 0xA1, 0x91, 0x83, 0x87, 0x8B, 0x8F};
  for (size_t i = 0; i < sizeof firsts; i++) {
    harness *h = h_new(0);
    const unsigned char hdr[] = {firsts[i],   0x81,        mask_key[0],
                                 mask_key[1], mask_key[2], mask_key[3]};
    h_send_raw(h, hdr, sizeof hdr, "x", 1);
    assert_int_equal(h->n_msgs, 0);
    expect_failure(h, 1002);
  }
}

static void test_conn_control_frame_rules(void **state) {
  (void)state;
  char big[126];
  memset(big, 'p', sizeof big);
  harness *h = h_new(0);
  h_send(h, WS_OP_PING, true, big, 126, 0); /* too long for a control frame */
  expect_failure(h, 1002);
  h = h_new(0);
  h_send(h, WS_OP_PING, false, "x", 1, 0); /* fragmented control frame */
  expect_failure(h, 1002);
  h = h_new(0);
  h_send(h, WS_OP_PING, true, big, 125, 0); /* the longest allowed */
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_PONG);
  assert_int_equal(f.len, 125);
  h_free(h);
}

static void test_conn_fragmentation_rules(void **state) {
  (void)state;
  harness *h = h_new(0);
  h_send(h, WS_OP_CONTINUATION, true, "x", 1, 0); /* nothing to continue */
  expect_failure(h, 1002);
  h = h_new(0);
  h_send(h, WS_OP_TEXT, false, "x", 1, 0);
  h_send(h, WS_OP_TEXT, true, "y", 1, 0); /* a new message inside one */
  assert_int_equal(h->n_msgs, 0);
  expect_failure(h, 1002);
}

static void test_conn_64bit_length_msb(void **state) {
  (void)state;
  harness *h = h_new(0);
  const unsigned char hdr[] = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
  ws_conn_feed(h->c, hdr, sizeof hdr);
  expect_failure(h, 1002);
}

static void test_conn_invalid_utf8(void **state) {
  (void)state;
  harness *h = h_new(0);
  h_send(h, WS_OP_TEXT, true, "ok \xed\xa0\x80", 6, 0);
  assert_int_equal(h->n_msgs, 0);
  expect_failure(h, 1007);
  /* Fails fast: the first fragment already holds an impossible byte. */
  h = h_new(0);
  h_send(h, WS_OP_TEXT, false, "a\xff", 2, 0);
  expect_failure(h, 1007);
  /* A message ending inside a character. */
  h = h_new(0);
  h_send(h, WS_OP_TEXT, false, "a\xe2\x82", 3, 0);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_OPEN);
  h_send(h, WS_OP_CONTINUATION, true, "", 0, 0);
  expect_failure(h, 1007);
}

static void test_conn_message_size_limit(void **state) {
  (void)state;
  harness *h = h_new(10);
  h_send(h, WS_OP_TEXT, true, "0123456789", 10, 0);
  assert_int_equal(h->n_msgs, 1);
  h_send(h, WS_OP_TEXT, true, "0123456789a", 11, 0);
  assert_int_equal(h->n_msgs, 1);
  expect_failure(h, 1009);
  /* Over the limit across fragments. */
  h = h_new(10);
  h_send(h, WS_OP_BINARY, false, "012345", 6, 0);
  h_send(h, WS_OP_CONTINUATION, true, "6789a", 5, 0);
  assert_int_equal(h->n_msgs, 0);
  expect_failure(h, 1009);
  /* The limit is checked at the header: a huge declared length fails at once. */
  h = h_new(0);
  const unsigned char hdr[] = {0x81, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
  ws_conn_feed(h->c, hdr, sizeof hdr);
  expect_failure(h, 1009);
}

static void test_conn_close_echoes_code(void **state) {
  (void)state;
  harness *h = h_new(0);
  h_send(h, WS_OP_CLOSE, true,
         "\x03\xe8"
         "bye",
         5, 0);
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_CLOSE);
  assert_int_equal(f.len, 2);
  assert_memory_equal(f.payload, "\x03\xe8", 2);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_CLOSED);
  assert_int_equal(ws_conn_received_code(h->c), 1000);
  h_free(h);

  /* An application code is echoed as well. */
  h = h_new(0);
  h_send(h, WS_OP_CLOSE, true, "\x0f\xa0", 2, 0);
  h_expect_close(h, 4000);
  h_free(h);

  /* A close without status is answered with one without status. */
  h = h_new(0);
  h_send(h, WS_OP_CLOSE, true, "", 0, 0);
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_CLOSE);
  assert_int_equal(f.len, 0);
  assert_int_equal(ws_conn_received_code(h->c), WS_CLOSE_NO_STATUS);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_CLOSED);
  h_free(h);
}

static void test_conn_invalid_close_frames(void **state) {
  (void)state;
  const char *bad_codes[] = {"\x03\xe7", "\x03\xec", "\x03\xed", "\x03\xee",
                             "\x03\xf7", "\x07\xcf", "\x13\x88", "\x00\x00"};
  for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
    harness *h = h_new(0);
    h_send(h, WS_OP_CLOSE, true, bad_codes[i], 2, 0);
    expect_failure(h, 1002);
  }
  harness *h = h_new(0);
  h_send(h, WS_OP_CLOSE, true, "\x03", 1, 0);
  expect_failure(h, 1002);
  h = h_new(0);
  h_send(h, WS_OP_CLOSE, true, "\x03\xe8\xff", 3, 0);
  expect_failure(h, 1007);
}

static void test_conn_server_initiated_close(void **state) {
  (void)state;
  harness *h = h_new(0);
  h->close_on_message = true;
  /* The message triggers a close; the next frame in the same chunk is not delivered. */
  buf b;
  buf_init(&b, NULL);
  ws_frame_encode_masked(&b, WS_OP_TEXT, true, "bad", 3, mask_key);
  ws_frame_encode_masked(&b, WS_OP_TEXT, true, "more", 4, mask_key);
  ws_frame_encode_masked(&b, WS_OP_PING, true, "", 0, mask_key);
  ws_conn_feed(h->c, b.data, b.len);
  buf_free(&b);
  assert_int_equal(h->n_msgs, 1);
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_CLOSE);
  assert_int_equal(f.len, 2 + strlen("Invalid message received"));
  assert_memory_equal(f.payload, "\x11\x30Invalid message received", f.len);
  h_expect_nothing(h); /* no pong while closing */
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_CLOSING);
  ws_conn_send_text(h->c, "x", 1); /* nothing is sent after a close */
  h_expect_nothing(h);
  /* The peer's close ends the handshake without a second close frame. */
  h_send(h, WS_OP_CLOSE, true, "\x11\x30", 2, 0);
  h_expect_nothing(h);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_CLOSED);
  assert_int_equal(ws_conn_received_code(h->c), 4400);
  h_free(h);
}

static void test_conn_close_reason_truncated(void **state) {
  (void)state;
  harness *h = h_new(0);
  /* "x" and 62 two-byte characters: 125 bytes, cut to 123 between characters. */
  char reason[200] = "x";
  for (int i = 0; i < 62; i++)
    strcat(reason, "\xc3\xa9");
  ws_conn_close(h->c, 1000, reason);
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_CLOSE);
  assert_true(f.len <= 125);
  assert_int_equal(f.len, 2 + 123);
  assert_true(ws_utf8_valid(f.payload + 2, f.len - 2));
  h_free(h);
  /* Without the "x", byte 123 is the middle of a character: 122 bytes go. */
  h = h_new(0);
  ws_conn_close(h->c, 1000, reason + 1);
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.len, 2 + 122);
  assert_true(ws_utf8_valid(f.payload + 2, f.len - 2));
  /* A second close is a no-op. */
  ws_conn_close(h->c, 1001, "again");
  h_expect_nothing(h);
  ws_conn_abort(h->c);
  assert_int_equal(ws_conn_get_state(h->c), WS_CONN_CLOSED);
  h_free(h);
}

static void test_conn_send_and_ping(void **state) {
  (void)state;
  harness *h = h_new(0);
  ws_conn_send_text(h->c, "{\"type\":\"ka\"}", 13);
  ws_conn_ping(h->c, NULL, 0);
  frame f;
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_TEXT);
  assert_true(f.fin);
  assert_int_equal(f.len, 13);
  assert_memory_equal(f.payload, "{\"type\":\"ka\"}", 13);
  assert_true(h_next_frame(h, &f));
  assert_int_equal(f.op, WS_OP_PING);
  assert_int_equal(f.len, 0);
  h_free(h);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept_key),
      cmocka_unit_test(test_choose_protocol),
      cmocka_unit_test(test_is_upgrade),
      cmocka_unit_test(test_handshake),
      cmocka_unit_test(test_frame_encode_lengths),
      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_conn_text_message_any_chunking),
      cmocka_unit_test(test_conn_several_frames_in_one_chunk),
      cmocka_unit_test(test_conn_extended_lengths),
      cmocka_unit_test(test_conn_fragmentation_with_interleaved_ping),
      cmocka_unit_test(test_conn_unmasked_frame),
      cmocka_unit_test(test_conn_reserved_bits_and_opcodes),
      cmocka_unit_test(test_conn_control_frame_rules),
      cmocka_unit_test(test_conn_fragmentation_rules),
      cmocka_unit_test(test_conn_64bit_length_msb),
      cmocka_unit_test(test_conn_invalid_utf8),
      cmocka_unit_test(test_conn_message_size_limit),
      cmocka_unit_test(test_conn_close_echoes_code),
      cmocka_unit_test(test_conn_invalid_close_frames),
      cmocka_unit_test(test_conn_server_initiated_close),
      cmocka_unit_test(test_conn_close_reason_truncated),
      cmocka_unit_test(test_conn_send_and_ping),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
