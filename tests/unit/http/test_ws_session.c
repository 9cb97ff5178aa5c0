/* test_ws_session.c — tests of http/ws_session.c: both GraphQL subprotocols
 * driven with scripted client frames, checking the exact messages and close
 * codes the server writes. A small schema supplies Subscription.counter(to),
 * whose source stream emits 1..to whenever the test's "timer" fires (and a
 * variant that emits from its own thread), so subscriptions, interleaving,
 * cancellation, stream errors, limits and timers are all observable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/schema.h"
#include "graphql/stream.h"
#include "http/ws.h"
#include "http/ws_session.h"

static const char sdl[] = "type Query { hello: String }\n"
                          "type Mutation { bump: Int }\n"
                          "type Subscription {\n"
                          "  counter(to: Int!): Int!\n"
                          "  failing(to: Int!): Int\n"
                          "  threaded(to: Int!): Int!\n"
                          "  broken: Int\n"
                          "  nostream: Int\n"
                          "}\n";

static gql_schema *schema;
static int bumps;

/* ---- source streams for the tests ---- */

/* Counts 1..to, one number each time the test's timer fires (tick_counters),
 * then ends (with fail_with as the error, if set). */
typedef struct counter {
  gql_stream base;
  int to, at;
  const char *fail_with;
  gql_sink *sink; /* NULL once released */
  struct counter *next;
} counter;

static counter *live_counters; /* every counter not yet cancelled */

static void counter_start(gql_stream *st, gql_sink *sink) { ((counter *)st)->sink = sink; }

static void counter_cancel(gql_stream *st) {
  counter *c = (counter *)st;
  for (counter **p = &live_counters; *p; p = &(*p)->next)
    if (*p == c) {
      *p = c->next;
      break;
    }
  if (c->sink)
    gql_sink_release(c->sink);
  free(c);
}

static const gql_stream_ops counter_ops = {counter_start, counter_cancel};

static size_t n_live_counters(void) {
  size_t n = 0;
  for (counter *c = live_counters; c; c = c->next)
    n++;
  return n;
}

/* The timer: every running counter emits its next number. Returns how many
 * pushes were accepted. */
static int tick_counters(void) {
  int accepted = 0;
  for (counter *c = live_counters; c; c = c->next) {
    if (!c->sink)
      continue;
    c->at++;
    accepted += gql_sink_push_json(c->sink, json_integer(c->at));
    if (c->at == c->to) {
      gql_sink_end(c->sink, c->fail_with);
      gql_sink_release(c->sink);
      c->sink = NULL;
    }
  }
  return accepted;
}

static gql_rv subscribe_counter(const gql_resolve_info *info, void *data) {
  counter *c = calloc(1, sizeof *c);
  c->base.ops = &counter_ops;
  c->to = (int)gql_arg(info, "to")->ival;
  c->fail_with = data;
  c->next = live_counters;
  live_counters = c;
  return gql_rv_object(c, NULL);
}

/* Emits 1..to from its own thread as fast as it can. */
typedef struct threaded {
  gql_stream base;
  int to;
  gql_sink *sink;
  pthread_t thread;
} threaded;

static void *threaded_run(void *arg) {
  threaded *t = arg;
  for (int i = 1; i <= t->to; i++)
    if (!gql_sink_push_json(t->sink, json_integer(i)))
      break;
  gql_sink_end(t->sink, NULL);
  gql_sink_release(t->sink);
  return NULL;
}

static void threaded_start(gql_stream *st, gql_sink *sink) {
  threaded *t = (threaded *)st;
  t->sink = sink;
  pthread_create(&t->thread, NULL, threaded_run, t);
}

static void threaded_cancel(gql_stream *st) {
  threaded *t = (threaded *)st;
  pthread_join(t->thread, NULL);
  free(t);
}

static const gql_stream_ops threaded_ops = {threaded_start, threaded_cancel};

static gql_rv subscribe_threaded(const gql_resolve_info *info, void *data) {
  (void)data;
  threaded *t = calloc(1, sizeof *t);
  t->base.ops = &threaded_ops;
  t->to = (int)gql_arg(info, "to")->ival;
  return gql_rv_object(t, NULL);
}

static gql_rv subscribe_broken(const gql_resolve_info *info, void *data) {
  (void)data;
  return gql_rv_errorf(info->arena, "cannot watch %s", info->field->name);
}

static gql_rv subscribe_nothing(const gql_resolve_info *info, void *data) {
  (void)info, (void)data;
  return gql_rv_null();
}

static gql_rv resolve_hello(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_string("world");
}

static gql_rv resolve_bump(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_int(++bumps);
}

static int group_setup(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  schema = gql_schema_build(sdl, strlen(sdl), &errs);
  arena_free(a);
  if (!schema)
    return -1;
  gql_schema_set_resolver(schema, "Query.hello", resolve_hello, NULL);
  gql_schema_set_resolver(schema, "Mutation.bump", resolve_bump, NULL);
  gql_schema_set_subscribe(schema, "Subscription.counter", subscribe_counter, NULL);
  gql_schema_set_subscribe(schema, "Subscription.failing", subscribe_counter,
                           (void *)"the run was deleted");
  gql_schema_set_subscribe(schema, "Subscription.threaded", subscribe_threaded, NULL);
  gql_schema_set_subscribe(schema, "Subscription.broken", subscribe_broken, NULL);
  gql_schema_set_subscribe(schema, "Subscription.nostream", subscribe_nothing, NULL);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  gql_schema_free(schema);
  return 0;
}

/* ---- the scripted client ---- */

typedef struct client {
  ws_session *s;
  buf out;    /* everything the server wrote */
  size_t pos; /* frames before this were checked */
  uint64_t now;
  bool whole;           /* send frames in one chunk */
  pthread_mutex_t lock; /* guards wakes, cond */
  pthread_cond_t cond;
  int wakes;
} client;

static void c_write(void *io, const void *bytes, size_t n) {
  client *c = io;
  buf_append(&c->out, bytes, n);
}

static void c_wake(void *io) {
  client *c = io;
  pthread_mutex_lock(&c->lock);
  c->wakes++;
  pthread_cond_signal(&c->cond);
  pthread_mutex_unlock(&c->lock);
}

static client *open_with(ws_session_config cfg) {
  client *c = calloc(1, sizeof *c);
  buf_init(&c->out, NULL);
  pthread_mutex_init(&c->lock, NULL);
  pthread_cond_init(&c->cond, NULL);
  c->now = 1000;
  cfg.schema = schema;
  cfg.write = c_write;
  cfg.wake = c_wake;
  cfg.io = c;
  c->s = ws_session_new(&cfg, c->now);
  return c;
}

static client *open_client(ws_protocol p) { return open_with((ws_session_config){.protocol = p}); }

static void close_client(client *c) {
  ws_session_free(c->s);
  assert_int_equal(n_live_counters(), 0); /* every stream was cancelled */
  buf_free(&c->out);
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static const uint8_t mask_key[4] = {0xa1, 0x02, 0xb3, 0x04};

static void send_frame(client *c, ws_opcode op, const char *payload, size_t len) {
  buf b;
  buf_init(&b, NULL);
  ws_frame_encode_masked(&b, op, true, payload, len, mask_key);
  /* Two chunks, to split the frame mid-way (unless c->whole). */
  size_t half = c->whole ? 0 : b.len / 2;
  if (half)
    ws_session_feed(c->s, b.data, half, c->now);
  ws_session_feed(c->s, b.data + half, b.len - half, c->now);
  buf_free(&b);
}

static void send_text(client *c, const char *text) {
  send_frame(c, WS_OP_TEXT, text, strlen(text));
}

/* The next server frame: its opcode, and its payload copied into out. */
static bool next_frame(client *c, unsigned *op, buf *out) {
  const unsigned char *p = (const unsigned char *)c->out.data + c->pos;
  size_t avail = c->out.len - c->pos;
  if (avail < 2)
    return false;
  size_t at = 2;
  size_t len = p[1] & 0x7F;
  if (len == 126) {
    len = (size_t)p[2] << 8 | p[3];
    at = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; i++)
      len = len << 8 | p[2 + i];
    at = 10;
  }
  assert_true(avail >= at + len);
  *op = p[0] & 0x0F;
  buf_truncate(out, 0);
  buf_append(out, p + at, len);
  c->pos += at + len;
  return true;
}

/* Asserts the next server frame is this text message. */
static void expect(client *c, const char *text) {
  unsigned op;
  buf b;
  buf_init(&b, NULL);
  if (!next_frame(c, &op, &b))
    fail_msg("expected %s, got nothing", text);
  if (op != WS_OP_TEXT || strcmp(b.data, text) != 0)
    fail_msg("expected %s\n     got (op %u) %s", text, op, buf_cstr(&b));
  buf_free(&b);
}

static void expect_close(client *c, unsigned code, const char *reason) {
  unsigned op;
  buf b;
  buf_init(&b, NULL);
  assert_true(next_frame(c, &op, &b));
  assert_int_equal(op, WS_OP_CLOSE);
  assert_true(b.len >= 2);
  assert_int_equal((unsigned char)b.data[0] << 8 | (unsigned char)b.data[1], code);
  assert_int_equal(b.len - 2, strlen(reason));
  assert_memory_equal(b.data + 2, reason, b.len - 2);
  buf_free(&b);
}

static void expect_ping(client *c) {
  unsigned op;
  buf b;
  buf_init(&b, NULL);
  assert_true(next_frame(c, &op, &b));
  assert_int_equal(op, WS_OP_PING);
  buf_free(&b);
}

static void expect_nothing(client *c) {
  unsigned op;
  buf b;
  buf_init(&b, NULL);
  if (next_frame(c, &op, &b))
    fail_msg("expected nothing, got (op %u) %s", op, buf_cstr(&b));
  buf_free(&b);
}

/* The timer fires, then the session runs what was queued. */
static void fire(client *c) {
  tick_counters();
  ws_session_tick(c->s, c->now);
}

static void advance(client *c, uint64_t ms) {
  c->now += ms;
  ws_session_tick(c->s, c->now);
}

/* ---- graphql-transport-ws ---- */

static client *transport_acked(void) {
  client *c = open_client(WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);
  send_text(c, "{\"type\":\"connection_init\",\"payload\":{\"token\":\"t\"}}");
  expect(c, "{\"type\":\"connection_ack\"}");
  return c;
}

static void test_transport_init_and_ping(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"type\":\"ping\"}");
  expect(c, "{\"type\":\"pong\"}");
  send_text(c, "{\"type\":\"ping\",\"payload\":{\"n\":1}}");
  expect(c, "{\"type\":\"pong\",\"payload\":{\"n\":1}}");
  send_text(c, "{\"type\":\"pong\",\"payload\":null}");
  expect_nothing(c);
  assert_false(ws_session_done(c->s));
  close_client(c);
}

static void test_transport_query_and_mutation(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"q\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect(c, "{\"id\":\"q\",\"type\":\"next\",\"payload\":{\"data\":{\"hello\":\"world\"}}}");
  expect(c, "{\"id\":\"q\",\"type\":\"complete\"}");
  bumps = 0;
  send_text(c, "{\"id\":\"m\",\"type\":\"subscribe\",\"payload\":{\"query\":\"mutation M { bump "
               "}\",\"operationName\":\"M\",\"variables\":null,\"extensions\":{}}}");
  expect(c, "{\"id\":\"m\",\"type\":\"next\",\"payload\":{\"data\":{\"bump\":1}}}");
  expect(c, "{\"id\":\"m\",\"type\":\"complete\"}");
  /* The same id may be reused once the operation completed. */
  send_text(c, "{\"id\":\"q\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect(c, "{\"id\":\"q\",\"type\":\"next\",\"payload\":{\"data\":{\"hello\":\"world\"}}}");
  expect(c, "{\"id\":\"q\",\"type\":\"complete\"}");
  close_client(c);
}

static void test_transport_subscription_counts(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription "
               "C($n: Int!) { counter(to: $n) }\",\"variables\":{\"n\":3}}}");
  expect_nothing(c);
  assert_int_equal(ws_session_subscriptions(c->s), 1);
  fire(c);
  expect(c, "{\"id\":\"s\",\"type\":\"next\",\"payload\":{\"data\":{\"counter\":1}}}");
  fire(c);
  fire(c);
  expect(c, "{\"id\":\"s\",\"type\":\"next\",\"payload\":{\"data\":{\"counter\":2}}}");
  expect(c, "{\"id\":\"s\",\"type\":\"next\",\"payload\":{\"data\":{\"counter\":3}}}");
  expect(c, "{\"id\":\"s\",\"type\":\"complete\"}");
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  assert_int_equal(n_live_counters(), 0);
  assert_true(c->wakes > 0);
  close_client(c);
}

static void test_transport_many_subscriptions_and_complete(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"a\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  send_text(c, "{\"id\":\"b\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "n: counter(to: 2) }\"}}");
  assert_int_equal(ws_session_subscriptions(c->s), 2);
  fire(c);
  /* Counters fire newest first (the test's list order). */
  expect(c, "{\"id\":\"b\",\"type\":\"next\",\"payload\":{\"data\":{\"n\":1}}}");
  expect(c, "{\"id\":\"a\",\"type\":\"next\",\"payload\":{\"data\":{\"counter\":1}}}");
  /* A query runs between the streams' events. */
  send_text(c, "{\"id\":\"q\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect(c, "{\"id\":\"q\",\"type\":\"next\",\"payload\":{\"data\":{\"hello\":\"world\"}}}");
  expect(c, "{\"id\":\"q\",\"type\":\"complete\"}");
  fire(c);
  expect(c, "{\"id\":\"b\",\"type\":\"next\",\"payload\":{\"data\":{\"n\":2}}}");
  expect(c, "{\"id\":\"b\",\"type\":\"complete\"}");
  expect(c, "{\"id\":\"a\",\"type\":\"next\",\"payload\":{\"data\":{\"counter\":2}}}");
  /* The client stops "a": its stream is cancelled and nothing more is sent. */
  send_text(c, "{\"id\":\"a\",\"type\":\"complete\"}");
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  assert_int_equal(n_live_counters(), 0);
  fire(c);
  expect_nothing(c);
  /* Completing an unknown id is harmless. */
  send_text(c, "{\"id\":\"zzz\",\"type\":\"complete\"}");
  expect_nothing(c);
  assert_false(ws_session_done(c->s));
  close_client(c);
}

static void test_transport_events_after_client_complete_are_dropped(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"a\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 9) }\"}}");
  /* Events queued but not yet run when the client completes are discarded
   * (the session runs queued events after each chunk of input). */
  tick_counters();
  tick_counters();
  c->whole = true;
  send_text(c, "{\"id\":\"a\",\"type\":\"complete\"}");
  ws_session_tick(c->s, c->now);
  expect_nothing(c);
  close_client(c);
}

static void test_transport_request_errors(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello\"}}");
  expect(c, "{\"id\":\"1\",\"type\":\"error\",\"payload\":[{\"message\":\"Syntax Error: Expected "
            "Name, found <EOF>.\",\"locations\":[{\"line\":1,\"column\":8}]}]}");
  send_text(c, "{\"id\":\"2\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ nope }\"}}");
  expect(c, "{\"id\":\"2\",\"type\":\"error\",\"payload\":[{\"message\":\"Cannot query field "
            "\\\"nope\\\" on type \\\"Query\\\".\",\"locations\":[{\"line\":1,\"column\":3}]}]}");
  send_text(c, "{\"id\":\"3\",\"type\":\"subscribe\",\"payload\":{\"query\":\"query A { hello } "
               "query B { hello }\"}}");
  expect(c, "{\"id\":\"3\",\"type\":\"error\",\"payload\":[{\"message\":\"Must provide operation "
            "name if query contains multiple operations.\"}]}");
  /* Bad variables: graphql-js's subscribe() answers with a result, sent as next + complete. */
  send_text(c, "{\"id\":\"4\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription "
               "C($n: Int!) { counter(to: $n) }\"}}");
  expect(c, "{\"id\":\"4\",\"type\":\"next\",\"payload\":{\"errors\":[{\"message\":\"Variable "
            "\\\"$n\\\" of required type \\\"Int!\\\" was not provided.\",\"locations\":[{"
            "\"line\":1,\"column\":16}]}]}}");
  expect(c, "{\"id\":\"4\",\"type\":\"complete\"}");
  /* The subscribe hook fails. */
  send_text(c, "{\"id\":\"5\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "broken }\"}}");
  expect(c, "{\"id\":\"5\",\"type\":\"next\",\"payload\":{\"errors\":[{\"message\":\"cannot "
            "watch broken\",\"locations\":[{\"line\":1,\"column\":16}],\"path\":[\"broken\"]}]}}");
  expect(c, "{\"id\":\"5\",\"type\":\"complete\"}");
  /* The hook returns no stream at all. */
  send_text(c, "{\"id\":\"6\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "nostream }\"}}");
  expect(c, "{\"id\":\"6\",\"type\":\"error\",\"payload\":[{\"message\":\"The subscription field "
            "returned no source stream.\"}]}");
  assert_false(ws_session_done(c->s));
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  close_client(c);
}

static void test_transport_stream_error(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"f\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "failing(to: 1) }\"}}");
  fire(c);
  expect(c, "{\"id\":\"f\",\"type\":\"next\",\"payload\":{\"data\":{\"failing\":1}}}");
  expect(c, "{\"id\":\"f\",\"type\":\"error\",\"payload\":[{\"message\":\"the run was "
            "deleted\"}]}");
  expect_nothing(c);
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  close_client(c);
}

/* Sends one message on a fresh acknowledged socket and expects a close. */
static void expect_violation(bool ack, const char *message, unsigned code, const char *reason) {
  client *c = ack ? transport_acked() : open_client(WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);
  send_text(c, message);
  expect_close(c, code, reason);
  expect_nothing(c);
  assert_false(ws_session_done(c->s)); /* waiting for the client's close frame */
  send_frame(c, WS_OP_CLOSE, "\x03\xe8", 2);
  assert_true(ws_session_done(c->s));
  expect_nothing(c);
  close_client(c);
}

static void test_transport_violations(void **state) {
  (void)state;
  const char *invalid[] = {
      "not json",
      "[1,2]",
      "{\"payload\":{}}",
      "{\"type\":42}",
      "{\"type\":\"bogus\"}",
      "{\"type\":\"next\",\"id\":\"1\",\"payload\":{}}",
      "{\"type\":\"connection_ack\"}",
      "{\"type\":\"ping\",\"payload\":[1]}",
      "{\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}",
      "{\"type\":\"subscribe\",\"id\":\"\",\"payload\":{\"query\":\"{ hello }\"}}",
      "{\"type\":\"subscribe\",\"id\":7,\"payload\":{\"query\":\"{ hello }\"}}",
      "{\"type\":\"subscribe\",\"id\":\"1\"}",
      "{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":1}}",
      "{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":\"{ hello "
      "}\",\"variables\":[]}}",
      "{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{\"query\":\"{ hello "
      "}\",\"operationName\":1}}",
      "{\"type\":\"complete\"}",
  };
  for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++)
    expect_violation(true, invalid[i], 4400, "Invalid message received");
  expect_violation(false,
                   "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}",
                   4401, "Unauthorized");
  expect_violation(true, "{\"type\":\"connection_init\"}", 4429,
                   "Too many initialisation requests");
}

static void test_transport_duplicate_subscriber(void **state) {
  (void)state;
  client *c = transport_acked();
  const char *sub = "{\"id\":\"dup\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription "
                    "{ counter(to: 5) }\"}}";
  send_text(c, sub);
  send_text(c, sub);
  expect_close(c, 4409, "Subscriber for dup already exists");
  /* Closing stops the streams. */
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  assert_int_equal(n_live_counters(), 0);
  close_client(c);
}

static void test_transport_subscription_limit(void **state) {
  (void)state;
  client *c = open_with(
      (ws_session_config){.protocol = WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, .max_subscriptions = 2});
  send_text(c, "{\"type\":\"connection_init\"}");
  expect(c, "{\"type\":\"connection_ack\"}");
  const char *fmt = "{\"id\":\"%d\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription "
                    "{ counter(to: 5) }\"}}";
  char msg[200];
  for (int i = 1; i <= 3; i++) {
    snprintf(msg, sizeof msg, fmt, i);
    send_text(c, msg);
  }
  expect(c, "{\"id\":\"3\",\"type\":\"error\",\"payload\":[{\"message\":\"Too many subscriptions "
            "on this socket (the limit is 2).\"}]}");
  assert_int_equal(ws_session_subscriptions(c->s), 2);
  /* Queries still run at the limit. */
  send_text(c, "{\"id\":\"q\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect(c, "{\"id\":\"q\",\"type\":\"next\",\"payload\":{\"data\":{\"hello\":\"world\"}}}");
  expect(c, "{\"id\":\"q\",\"type\":\"complete\"}");
  /* A slot frees up once one is completed. */
  send_text(c, "{\"id\":\"1\",\"type\":\"complete\"}");
  snprintf(msg, sizeof msg, fmt, 3);
  send_text(c, msg);
  expect_nothing(c);
  assert_int_equal(ws_session_subscriptions(c->s), 2);
  close_client(c);
}

static void test_transport_init_timeout(void **state) {
  (void)state;
  client *c = open_client(WS_PROTOCOL_GRAPHQL_TRANSPORT_WS);
  assert_int_equal(ws_session_next_deadline(c->s), c->now + 3000);
  advance(c, 2999);
  expect_nothing(c);
  advance(c, 1);
  expect_close(c, 4408, "Connection initialisation timeout");
  /* No answer to the close: the session gives up after the close timeout. */
  assert_int_equal(ws_session_next_deadline(c->s), c->now + 5000);
  advance(c, 4999);
  assert_false(ws_session_done(c->s));
  advance(c, 1);
  assert_true(ws_session_done(c->s));
  assert_int_equal(ws_session_next_deadline(c->s), UINT64_MAX);
  close_client(c);

  /* Once initialised, no timeout applies; keep-alive pings go out instead. */
  c = transport_acked();
  advance(c, 3000);
  expect_nothing(c);
  close_client(c);
}

static bool only_token_t(void *data, const json_t *payload) {
  (void)data;
  const char *tok = json_string_value(json_object_get(payload, "token"));
  return tok && strcmp(tok, "t") == 0;
}

static void test_transport_authorize(void **state) {
  (void)state;
  ws_session_config cfg = {.protocol = WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, .authorize = only_token_t};
  client *c = open_with(cfg);
  send_text(c, "{\"type\":\"connection_init\",\"payload\":{\"token\":\"t\"}}");
  expect(c, "{\"type\":\"connection_ack\"}");
  close_client(c);
  c = open_with(cfg);
  send_text(c, "{\"type\":\"connection_init\"}");
  expect_close(c, 4403, "Forbidden");
  close_client(c);
}

static void test_no_acceptable_protocol(void **state) {
  (void)state;
  client *c = open_client(WS_PROTOCOL_NONE);
  expect_close(c, 4406, "Subprotocol not acceptable");
  send_text(c, "{\"type\":\"connection_init\"}");
  expect_nothing(c);
  close_client(c);
}

static void test_keepalive(void **state) {
  (void)state;
  client *c = transport_acked();
  assert_int_equal(ws_session_next_deadline(c->s), c->now + 12000);
  advance(c, 12000);
  expect_ping(c);
  expect_nothing(c);
  /* The pong (any input) proves the peer alive. */
  send_frame(c, WS_OP_PONG, "", 0);
  advance(c, 12000);
  expect_ping(c);
  assert_false(ws_session_done(c->s));
  /* Silence through a whole interval: the peer is gone. */
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  c->now += 1; /* that message came before the ping below */
  advance(c, 12000);
  expect_ping(c);
  advance(c, 12000);
  assert_true(ws_session_done(c->s));
  assert_int_equal(n_live_counters(), 0);
  expect_nothing(c);
  close_client(c);
}

static void test_client_close_cancels_streams(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  fire(c);
  expect(c, "{\"id\":\"s\",\"type\":\"next\",\"payload\":{\"data\":{\"counter\":1}}}");
  send_frame(c, WS_OP_CLOSE, "\x03\xe9", 2);
  expect_close(c, 1001, "");
  assert_true(ws_session_done(c->s));
  assert_int_equal(n_live_counters(), 0);
  close_client(c);
}

static void test_server_shutdown_close(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  ws_session_close(c->s, WS_CLOSE_GOING_AWAY, "Going away", c->now);
  expect_close(c, 1001, "Going away");
  assert_int_equal(n_live_counters(), 0);
  assert_false(ws_session_done(c->s));
  /* Messages racing the close are ignored; the client's close ends it. */
  send_text(c, "{\"id\":\"q\",\"type\":\"subscribe\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect_nothing(c);
  send_frame(c, WS_OP_CLOSE, "\x03\xe9", 2);
  assert_true(ws_session_done(c->s));
  expect_nothing(c);
  close_client(c);
}

static void test_frame_violation_inside_session(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  ws_session_feed(c->s, "\x81\x02hi", 4, c->now); /* unmasked */
  expect_close(c, 1002, "Client frames must be masked");
  assert_true(ws_session_done(c->s));
  assert_int_equal(n_live_counters(), 0);
  close_client(c);
}

static void test_peer_gone_and_free_with_running_streams(void **state) {
  (void)state;
  client *c = transport_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  ws_session_peer_closed(c->s);
  assert_true(ws_session_done(c->s));
  assert_int_equal(n_live_counters(), 0);
  expect_nothing(c);
  close_client(c);
  /* Freed while streams run: they are cancelled by ws_session_free. */
  c = transport_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  tick_counters(); /* queued, never run */
  close_client(c);
}

/* Waits for a wake, then lets the session run the events. */
static void wait_and_tick(client *c) {
  pthread_mutex_lock(&c->lock);
  while (c->wakes == 0)
    pthread_cond_wait(&c->cond, &c->lock);
  c->wakes = 0;
  pthread_mutex_unlock(&c->lock);
  ws_session_tick(c->s, c->now);
}

static void test_events_from_another_thread(void **state) {
  (void)state;
  ws_protocol protos[] = {WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, WS_PROTOCOL_GRAPHQL_WS};
  for (size_t p = 0; p < 2; p++) {
    client *c = open_client(protos[p]);
    bool transport = protos[p] == WS_PROTOCOL_GRAPHQL_TRANSPORT_WS;
    send_text(c, "{\"type\":\"connection_init\"}");
    expect(c, "{\"type\":\"connection_ack\"}");
    if (!transport)
      expect(c, "{\"type\":\"ka\"}");
    send_text(c, transport ? "{\"id\":\"t\",\"type\":\"subscribe\",\"payload\":{\"query\":"
                             "\"subscription { threaded(to: 200) }\"}}"
                           : "{\"id\":\"t\",\"type\":\"start\",\"payload\":{\"query\":"
                             "\"subscription { threaded(to: 200) }\"}}");
    while (ws_session_subscriptions(c->s) > 0)
      wait_and_tick(c);
    char want[200];
    for (int i = 1; i <= 200; i++) {
      snprintf(want, sizeof want,
               transport
                   ? "{\"id\":\"t\",\"type\":\"next\",\"payload\":{\"data\":{\"threaded\":%d}}}"
                   : "{\"type\":\"data\",\"id\":\"t\",\"payload\":{\"data\":{\"threaded\":%d}}}",
               i);
      expect(c, want);
    }
    expect(c, transport ? "{\"id\":\"t\",\"type\":\"complete\"}"
                        : "{\"type\":\"complete\",\"id\":\"t\"}");
    close_client(c);
  }
  /* Cancelled while its thread is still pushing: later pushes are refused. */
  client *c = transport_acked();
  send_text(c, "{\"id\":\"t\",\"type\":\"subscribe\",\"payload\":{\"query\":\"subscription { "
               "threaded(to: 100000) }\"}}");
  send_text(c, "{\"id\":\"t\",\"type\":\"complete\"}");
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  ws_session_tick(c->s, c->now);
  close_client(c);
}

/* ---- graphql-ws (legacy) ---- */

static client *legacy_acked(void) {
  client *c = open_client(WS_PROTOCOL_GRAPHQL_WS);
  send_text(c, "{\"type\":\"connection_init\",\"payload\":{}}");
  expect(c, "{\"type\":\"connection_ack\"}");
  expect(c, "{\"type\":\"ka\"}");
  return c;
}

static void test_legacy_query_and_subscription(void **state) {
  (void)state;
  client *c = legacy_acked();
  send_text(c, "{\"id\":\"1\",\"type\":\"start\",\"payload\":{\"query\":\"{ hello }\","
               "\"variables\":{},\"operationName\":null}}");
  expect(c, "{\"type\":\"data\",\"id\":\"1\",\"payload\":{\"data\":{\"hello\":\"world\"}}}");
  expect(c, "{\"type\":\"complete\",\"id\":\"1\"}");
  send_text(c, "{\"id\":2,\"type\":\"start\",\"payload\":{\"query\":\"subscription S($n: Int!) "
               "{ counter(to: $n) }\",\"variables\":{\"n\":2},\"operationName\":\"S\"}}");
  expect_nothing(c);
  fire(c);
  fire(c);
  expect(c, "{\"type\":\"data\",\"id\":2,\"payload\":{\"data\":{\"counter\":1}}}");
  expect(c, "{\"type\":\"data\",\"id\":2,\"payload\":{\"data\":{\"counter\":2}}}");
  expect(c, "{\"type\":\"complete\",\"id\":2}");
  close_client(c);
}

static void test_legacy_stop_and_repeated_start(void **state) {
  (void)state;
  client *c = legacy_acked();
  const char *start = "{\"id\":\"a\",\"type\":\"start\",\"payload\":{\"query\":\"subscription { "
                      "counter(to: 5) }\"}}";
  send_text(c, start);
  send_text(c, start); /* ignored, as Dagster does */
  assert_int_equal(ws_session_subscriptions(c->s), 1);
  fire(c);
  expect(c, "{\"type\":\"data\",\"id\":\"a\",\"payload\":{\"data\":{\"counter\":1}}}");
  expect_nothing(c);
  send_text(c, "{\"id\":\"a\",\"type\":\"stop\"}");
  assert_int_equal(ws_session_subscriptions(c->s), 0);
  fire(c);
  expect_nothing(c); /* Dagster sends no complete after stop */
  send_text(c, "{\"id\":\"nope\",\"type\":\"stop\"}");
  expect_nothing(c);
  close_client(c);
}

static void test_legacy_errors(void **state) {
  (void)state;
  client *c = legacy_acked();
  send_text(c, "{\"id\":\"1\",\"type\":\"start\",\"payload\":{\"query\":\"{ nope hello nada }\"}}");
  /* Only the first error, as Dagster's webserver sends it. */
  expect(c, "{\"type\":\"error\",\"id\":\"1\",\"payload\":{\"message\":\"Cannot query field "
            "\\\"nope\\\" on type \\\"Query\\\".\",\"locations\":[{\"line\":1,\"column\":3}]}}");
  send_text(c, "{\"id\":\"2\",\"type\":\"start\",\"payload\":{\"query\":\"subscription { broken "
               "}\"}}");
  expect(c, "{\"type\":\"error\",\"id\":\"2\",\"payload\":{\"message\":\"cannot watch "
            "broken\",\"locations\":[{\"line\":1,\"column\":16}],\"path\":[\"broken\"]}}");
  send_text(c, "{\"id\":\"3\",\"type\":\"start\",\"payload\":{\"variables\":{}}}");
  expect(c, "{\"type\":\"error\",\"id\":\"3\",\"payload\":{\"message\":\"The payload must have a "
            "query string.\"}}");
  send_text(c, "{\"type\":\"start\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect(c, "{\"type\":\"error\",\"payload\":{\"message\":\"The start message must have an "
            "id.\"}}");
  send_text(c, "{\"id\":\"4\",\"type\":\"subscribe\"}");
  expect(c, "{\"type\":\"error\",\"id\":\"4\",\"payload\":{\"message\":\"Invalid message "
            "type!\"}}");
  send_text(c, "{\"id\":\"5\"}");
  expect(c, "{\"type\":\"error\",\"id\":\"5\",\"payload\":{\"message\":\"Invalid message "
            "type!\"}}");
  send_text(c, "[]");
  expect(c, "{\"type\":\"connection_error\",\"payload\":{\"message\":\"Messages must be JSON "
            "objects.\"}}");
  send_text(c, "{oops");
  unsigned op;
  buf b;
  buf_init(&b, NULL);
  assert_true(next_frame(c, &op, &b));
  assert_true(strncmp(b.data, "{\"type\":\"connection_error\",\"payload\":{\"message\":\"", 49) ==
              0);
  buf_free(&b);
  /* None of this closes the socket. */
  assert_false(ws_session_done(c->s));
  expect_nothing(c);
  close_client(c);
}

static void test_legacy_stream_error(void **state) {
  (void)state;
  client *c = legacy_acked();
  send_text(c, "{\"id\":\"f\",\"type\":\"start\",\"payload\":{\"query\":\"subscription { "
               "failing(to: 1) }\"}}");
  fire(c);
  expect(c, "{\"type\":\"data\",\"id\":\"f\",\"payload\":{\"data\":{\"failing\":1}}}");
  expect(c, "{\"type\":\"data\",\"id\":\"f\",\"payload\":{\"data\":null,\"errors\":[{\"message\":"
            "\"the run was deleted\"}]}}");
  expect(c, "{\"type\":\"complete\",\"id\":\"f\"}");
  close_client(c);
}

static void test_legacy_start_before_init_and_keepalive(void **state) {
  (void)state;
  client *c = open_client(WS_PROTOCOL_GRAPHQL_WS);
  /* Dagster answers operations without connection_init; no init timeout then. */
  send_text(c, "{\"id\":\"1\",\"type\":\"start\",\"payload\":{\"query\":\"{ hello }\"}}");
  expect(c, "{\"type\":\"data\",\"id\":\"1\",\"payload\":{\"data\":{\"hello\":\"world\"}}}");
  expect(c, "{\"type\":\"complete\",\"id\":\"1\"}");
  advance(c, 5000);
  expect_nothing(c);
  close_client(c);

  c = legacy_acked();
  advance(c, 12000);
  expect_ping(c);
  expect(c, "{\"type\":\"ka\"}");
  close_client(c);

  /* Without any message, the init timeout applies to graphql-ws as well. */
  c = open_client(WS_PROTOCOL_GRAPHQL_WS);
  advance(c, 3000);
  expect_close(c, 4408, "Connection initialisation timeout");
  close_client(c);
}

static void test_legacy_terminate_and_forbidden(void **state) {
  (void)state;
  client *c = legacy_acked();
  send_text(c, "{\"id\":\"s\",\"type\":\"start\",\"payload\":{\"query\":\"subscription { "
               "counter(to: 5) }\"}}");
  send_text(c, "{\"type\":\"connection_terminate\"}");
  expect_close(c, 1000, "");
  assert_int_equal(n_live_counters(), 0);
  send_frame(c, WS_OP_CLOSE, "\x03\xe8", 2);
  assert_true(ws_session_done(c->s));
  close_client(c);

  c = open_with((ws_session_config){.protocol = WS_PROTOCOL_GRAPHQL_WS, .authorize = only_token_t});
  send_text(c, "{\"type\":\"connection_init\",\"payload\":{\"token\":\"x\"}}");
  expect(c, "{\"type\":\"connection_error\",\"payload\":{\"message\":\"Forbidden\"}}");
  expect_close(c, 1011, "Forbidden");
  close_client(c);
}

static void test_message_size_limit(void **state) {
  (void)state;
  client *c = open_with(
      (ws_session_config){.protocol = WS_PROTOCOL_GRAPHQL_TRANSPORT_WS, .max_message_bytes = 64});
  send_text(c, "{\"type\":\"connection_init\",\"payload\":{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
               "xxxxxxxxx\"}}");
  expect_close(c, 1009, "Message too big");
  assert_true(ws_session_done(c->s));
  close_client(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_transport_init_and_ping),
      cmocka_unit_test(test_transport_query_and_mutation),
      cmocka_unit_test(test_transport_subscription_counts),
      cmocka_unit_test(test_transport_many_subscriptions_and_complete),
      cmocka_unit_test(test_transport_events_after_client_complete_are_dropped),
      cmocka_unit_test(test_transport_request_errors),
      cmocka_unit_test(test_transport_stream_error),
      cmocka_unit_test(test_transport_violations),
      cmocka_unit_test(test_transport_duplicate_subscriber),
      cmocka_unit_test(test_transport_subscription_limit),
      cmocka_unit_test(test_transport_init_timeout),
      cmocka_unit_test(test_transport_authorize),
      cmocka_unit_test(test_no_acceptable_protocol),
      cmocka_unit_test(test_keepalive),
      cmocka_unit_test(test_client_close_cancels_streams),
      cmocka_unit_test(test_server_shutdown_close),
      cmocka_unit_test(test_frame_violation_inside_session),
      cmocka_unit_test(test_peer_gone_and_free_with_running_streams),
      cmocka_unit_test(test_events_from_another_thread),
      cmocka_unit_test(test_legacy_query_and_subscription),
      cmocka_unit_test(test_legacy_stop_and_repeated_start),
      cmocka_unit_test(test_legacy_errors),
      cmocka_unit_test(test_legacy_stream_error),
      cmocka_unit_test(test_legacy_start_before_init_and_keepalive),
      cmocka_unit_test(test_legacy_terminate_and_forbidden),
      cmocka_unit_test(test_message_size_limit),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
