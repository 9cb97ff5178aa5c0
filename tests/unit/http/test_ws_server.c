/* test_ws_server.c — tests of http/ws_server.c over real sockets
 * (socketpair): the thread serving a socket, bytes read before the hand-over,
 * wakes from a stream's timer thread (the API's testCounter subscription),
 * output buffered for a slow reader and flushed in order, a reader too slow
 * being dropped, the peer vanishing, the socket limit, and shutdown closing
 * every socket with 1001. The test side speaks raw RFC 6455 frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "base/buf.h"
#include "http/ws.h"
#include "http/ws_server.h"

static gql_schema *schema;

static int group_setup(void **state) {
  (void)state;
  char err[256];
  api_options opts = {.test_subscriptions = true};
  schema = api_schema_new(&opts, err, sizeof err);
  return schema ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  gql_schema_free(schema);
  return 0;
}

/* ---- one socket, from the client's side ---- */

typedef struct peer {
  int fd;            /* the client's end */
  int server_fd;     /* the end handed to ws_server */
  atomic_int closed; /* the server's close callback ran */
} peer;

/* The transport's close callback: closes the server's end. */
static void close_server_end(void *data) {
  peer *p = data;
  close(p->server_fd);
  atomic_fetch_add(&p->closed, 1);
}

static void open_peer(peer *p) {
  int sv[2];
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  p->fd = sv[1];
  p->server_fd = sv[0];
  atomic_init(&p->closed, 0);
}

static const uint8_t mask_key[4] = {0x11, 0x22, 0x33, 0x44};

static void frame_bytes(buf *b, ws_opcode op, const char *payload, size_t len) {
  ws_frame_encode_masked(b, op, true, payload, len, mask_key);
}

static void send_frame(peer *p, ws_opcode op, const char *payload, size_t len) {
  buf b;
  buf_init(&b, NULL);
  frame_bytes(&b, op, payload, len);
  assert_int_equal(write(p->fd, b.data, b.len), (ssize_t)b.len);
  buf_free(&b);
}

static void send_text(peer *p, const char *text) { send_frame(p, WS_OP_TEXT, text, strlen(text)); }

/* Reads exactly n bytes within timeout_ms; false on end of stream. */
static bool read_exact(int fd, void *dst, size_t n, int timeout_ms) {
  char *d = dst;
  while (n > 0) {
    struct pollfd pf = {.fd = fd, .events = POLLIN};
    if (poll(&pf, 1, timeout_ms) <= 0)
      fail_msg("timed out waiting for the server");
    ssize_t k = read(fd, d, n);
    if (k <= 0)
      return false;
    d += k;
    n -= (size_t)k;
  }
  return true;
}

/* The next server frame (unmasked); its payload NUL-terminated in out. */
static bool read_frame(peer *p, unsigned *op, buf *out) {
  unsigned char h[2];
  if (!read_exact(p->fd, h, 2, 5000))
    return false;
  assert_int_equal(h[1] & 0x80, 0); /* servers never mask */
  uint64_t len = h[1] & 0x7f;
  unsigned char ext[8];
  if (len == 126) {
    assert_true(read_exact(p->fd, ext, 2, 5000));
    len = (uint64_t)ext[0] << 8 | ext[1];
  } else if (len == 127) {
    assert_true(read_exact(p->fd, ext, 8, 5000));
    len = 0;
    for (int i = 0; i < 8; i++)
      len = len << 8 | ext[i];
  }
  buf_truncate(out, 0);
  buf_reserve(out, (size_t)len + 1);
  assert_true(len == 0 || read_exact(p->fd, out->data, (size_t)len, 5000));
  out->len = (size_t)len;
  out->data[len] = '\0';
  *op = h[0] & 0x0f;
  return true;
}

/* Expects the next frame to be the text message `want`. */
static void expect_text(peer *p, const char *want) {
  buf b;
  buf_init(&b, NULL);
  unsigned op = 0;
  assert_true(read_frame(p, &op, &b));
  assert_int_equal(op, WS_OP_TEXT);
  assert_string_equal(b.data, want);
  buf_free(&b);
}

/* Expects a close frame with `code` (and, unless NULL, `reason`). */
static void expect_close(peer *p, unsigned code, const char *reason) {
  buf b;
  buf_init(&b, NULL);
  unsigned op = 0;
  assert_true(read_frame(p, &op, &b));
  assert_int_equal(op, WS_OP_CLOSE);
  assert_true(b.len >= 2);
  assert_int_equal(((unsigned char)b.data[0] << 8) | (unsigned char)b.data[1], code);
  if (reason)
    assert_string_equal(b.data + 2, reason);
  buf_free(&b);
}

/* Sends a close frame with code 1000 (the reply to the server's close). */
static void send_close(peer *p) {
  const char payload[2] = {0x03, (char)0xe8};
  send_frame(p, WS_OP_CLOSE, payload, 2);
}

static void assert_server_end_gone(peer *p) {
  /* After the close callback, the client reads end of stream. */
  char c;
  struct pollfd pf = {.fd = p->fd, .events = POLLIN};
  assert_int_equal(poll(&pf, 1, 5000), 1);
  assert_int_equal(read(p->fd, &c, 1), 0);
  assert_int_equal(atomic_load(&p->closed), 1);
  close(p->fd);
}

static ws_server *new_server(unsigned max_sockets, size_t max_pending) {
  ws_server_config cfg = {
      .schema = schema,
      .max_sockets = max_sockets,
      .max_pending_bytes = max_pending,
  };
  return ws_server_new(&cfg);
}

static void serve(ws_server *w, peer *p, ws_protocol proto, const char *extra) {
  open_peer(p);
  assert_true(ws_server_reserve(w));
  buf b;
  buf_init(&b, NULL);
  if (extra)
    frame_bytes(&b, WS_OP_TEXT, extra, strlen(extra));
  assert_int_equal(ws_server_serve(w, p->server_fd, proto, b.data, b.len, close_server_end, p), 0);
  buf_free(&b);
}

static const char init_msg[] = "{\"type\":\"connection_init\"}";
static const char ack_msg[] = "{\"type\":\"connection_ack\"}";

/* ---- tests ---- */

static void test_subscription_over_a_socket(void **state) {
  (void)state;
  ws_server *w = new_server(0, 0);
  peer p;
  /* connection_init arrived with the upgrade request (libmicrohttpd's extra_in). */
  serve(w, &p, WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, init_msg);
  expect_text(&p, ack_msg);
  send_text(&p, "{\"id\":\"a\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
                "testCounter(to: 3, intervalMs: 1) }\"}}");
  /* The events come from the counter's timer thread, through the eventfd. */
  expect_text(&p, "{\"id\":\"a\",\"type\":\"next\",\"payload\":{\"data\":{\"testCounter\":1}}}");
  expect_text(&p, "{\"id\":\"a\",\"type\":\"next\",\"payload\":{\"data\":{\"testCounter\":2}}}");
  expect_text(&p, "{\"id\":\"a\",\"type\":\"next\",\"payload\":{\"data\":{\"testCounter\":3}}}");
  expect_text(&p, "{\"id\":\"a\",\"type\":\"complete\"}");
  /* A query runs at once. */
  send_text(&p, "{\"id\":\"b\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ __typename }\"}}");
  expect_text(&p,
              "{\"id\":\"b\",\"type\":\"next\",\"payload\":{\"data\":{\"__typename\":\"Query\"}}}");
  expect_text(&p, "{\"id\":\"b\",\"type\":\"complete\"}");
  assert_int_equal(ws_server_count(w), 1);
  /* The client closes: the server echoes and hands the socket back. */
  send_close(&p);
  expect_close(&p, 1000, NULL);
  assert_int_equal(ws_server_wait(w, 5000), 0);
  assert_server_end_gone(&p);
  ws_server_free(w);
}

static void test_legacy_protocol(void **state) {
  (void)state;
  ws_server *w = new_server(0, 0);
  peer p;
  serve(w, &p, WS_PROTOCOL_GRAPHQL_WS, NULL);
  send_text(&p, init_msg);
  expect_text(&p, ack_msg);
  expect_text(&p, "{\"type\":\"ka\"}");
  send_text(&p, "{\"type\":\"start\",\"id\":\"1\",\"payload\":{\"query\":\"subscription { "
                "testCounter(to: 1, intervalMs: 0) }\"}}");
  expect_text(&p, "{\"type\":\"data\",\"id\":\"1\",\"payload\":{\"data\":{\"testCounter\":1}}}");
  expect_text(&p, "{\"type\":\"complete\",\"id\":\"1\"}");
  send_text(&p, "{\"type\":\"connection_terminate\"}");
  expect_close(&p, 1000, NULL);
  send_close(&p);
  assert_int_equal(ws_server_wait(w, 5000), 0);
  assert_server_end_gone(&p);
  ws_server_free(w);
}

/* A client that stops reading: output queues up (in the socket, then in
 * the server's buffer) and is delivered complete and in order once it reads
 * again. */
static void test_buffered_output_is_flushed_in_order(void **state) {
  (void)state;
  ws_server *w = new_server(0, 0);
  peer p;
  serve(w, &p, WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, init_msg);
  expect_text(&p, ack_msg);
  int small = 4096;
  setsockopt(p.fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  enum { N = 20000 };
  char sub[200];
  snprintf(sub, sizeof sub,
           "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
           "testCounter(to: %d, intervalMs: 0) }\"}}",
           N);
  send_text(&p, sub);
  struct timespec nap = {0, 200 * 1000 * 1000};
  nanosleep(&nap, NULL); /* the server runs ahead of the reader */
  buf b;
  buf_init(&b, NULL);
  char want[128];
  for (int i = 1; i <= N; i++) {
    unsigned op;
    assert_true(read_frame(&p, &op, &b));
    snprintf(want, sizeof want,
             "{\"id\":\"s\",\"type\":\"next\",\"payload\":{\"data\":{\"testCounter\":%d}}}", i);
    assert_string_equal(b.data, want);
  }
  buf_free(&b);
  expect_text(&p, "{\"id\":\"s\",\"type\":\"complete\"}");
  close(p.fd); /* and the peer vanishes without a close frame */
  assert_int_equal(ws_server_wait(w, 5000), 0);
  assert_int_equal(atomic_load(&p.closed), 1);
  ws_server_free(w);
}

/* A client that never reads is dropped once max_pending_bytes pile up. */
static void test_too_slow_reader_is_dropped(void **state) {
  (void)state;
  ws_server *w = new_server(0, 16384);
  peer p;
  serve(w, &p, WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, init_msg);
  expect_text(&p, ack_msg);
  send_text(&p, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
                "testCounter(to: 1000000, intervalMs: 0) }\"}}");
  assert_int_equal(ws_server_wait(w, 10000), 0);
  assert_int_equal(atomic_load(&p.closed), 1);
  close(p.fd);
  ws_server_free(w);
}

static void test_socket_limit(void **state) {
  (void)state;
  ws_server *w = new_server(2, 0);
  assert_true(ws_server_reserve(w));
  assert_true(ws_server_reserve(w));
  assert_false(ws_server_reserve(w));
  assert_int_equal(ws_server_count(w), 2);
  ws_server_unreserve(w);
  /* A served socket holds its place until it ends. */
  peer p;
  serve(w, &p, WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, NULL);
  assert_false(ws_server_reserve(w));
  close(p.fd);
  ws_server_unreserve(w);
  assert_int_equal(ws_server_wait(w, 5000), 0);
  assert_true(ws_server_reserve(w));
  ws_server_unreserve(w);
  ws_server_free(w);
}

/* Shutdown: every socket gets 1001 "Going away"; its streams stop; new
 * sockets are refused; a peer that never answers is dropped after the close
 * timeout. */
static void test_close_all(void **state) {
  (void)state;
  ws_server_config cfg = {.schema = schema, .close_timeout_ms = 300};
  ws_server *w = ws_server_new(&cfg);
  peer a, b, mute;
  serve(w, &a, WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, init_msg);
  serve(w, &b, WS_PROTOCOL_GRAPHQL_WS, NULL);
  serve(w, &mute, WS_PROTOCOL_GRAPHQL_WS, NULL);
  expect_text(&a, ack_msg);
  send_text(&a, "{\"id\":\"x\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
                "testCounter(to: 1000, intervalMs: 1000) }\"}}");
  assert_int_equal(ws_server_count(w), 3);
  ws_server_close_all(w);
  assert_false(ws_server_reserve(w));
  expect_close(&a, 1001, "Going away");
  expect_close(&b, 1001, "Going away");
  expect_close(&mute, 1001, "Going away");
  send_close(&a);
  send_close(&b);
  assert_int_equal(ws_server_wait(w, 5000), 0);
  assert_server_end_gone(&a);
  assert_server_end_gone(&b);
  assert_server_end_gone(&mute);
  ws_server_free(w);
}

/* A socket served after shutdown began is closed at once. */
static void test_serve_after_close_all(void **state) {
  (void)state;
  ws_server *w = new_server(0, 0);
  peer p;
  open_peer(&p);
  assert_true(ws_server_reserve(w));
  ws_server_close_all(w);
  assert_int_equal(
      ws_server_serve(w, p.server_fd, WS_PROTOCOL_GRAPHQL_WS, NULL, 0, close_server_end, &p), 0);
  expect_close(&p, 1001, "Going away");
  send_close(&p);
  assert_int_equal(ws_server_wait(w, 5000), 0);
  assert_server_end_gone(&p);
  ws_server_free(w);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_subscription_over_a_socket),
      cmocka_unit_test(test_legacy_protocol),
      cmocka_unit_test(test_buffered_output_is_flushed_in_order),
      cmocka_unit_test(test_too_slow_reader_is_dropped),
      cmocka_unit_test(test_socket_limit),
      cmocka_unit_test(test_close_all),
      cmocka_unit_test(test_serve_after_close_all),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
