/* ws_session.c — the GraphQL subprotocols over one WebSocket (see
 * ws_session.h), and the thread-safe sink that source streams push into
 * (graphql/stream.h).
 *
 * Events travel through a mailbox: a locked queue shared by the session and
 * the sinks of its streams, reference-counted so that a stream finishing on
 * another thread can outlive the session. Each item names its subscription
 * by a key that is never reused, so events of a subscription that has
 * already stopped are recognised and dropped. */
#include "http/ws_session.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/mem.h"
#include "graphql/exec.h"
#include "graphql/validate.h"

/* ---- the mailbox ---- */

typedef enum item_kind { ITEM_EVENT, ITEM_END } item_kind;

typedef struct item {
  struct item *next;
  uint64_t key;
  item_kind kind;
  gql_event event; /* ITEM_EVENT */
  char *error;     /* ITEM_END: NULL for a normal end */
} item;

typedef struct mailbox {
  /* Guards every field below and the refs/cancelled/ended fields of every
   * sink pointing here. */
  pthread_mutex_t lock;
  unsigned refs; /* the session (until it is freed) and each live sink */
  bool closed;   /* the session is gone: drop whatever arrives */
  item *head, *tail;
  void (*wake)(void *io);
  void *io;
} mailbox;

/* A sink (graphql/stream.h): reaches this file through sink_ops. */
typedef struct mb_sink {
  gql_sink base; /* first: a gql_sink * is an mb_sink * */
  mailbox *mb;
  uint64_t key;
  unsigned refs;  /* the stream's and the session's */
  bool cancelled; /* the session stopped listening */
  bool ended;     /* the stream called gql_sink_end */
} mb_sink;

static void items_free(item *it) {
  while (it) {
    item *next = it->next;
    gql_event_free(&it->event);
    free(it->error);
    free(it);
    it = next;
  }
}

static mailbox *mailbox_new(void (*wake)(void *io), void *io) {
  mailbox *mb = xcalloc(1, sizeof *mb);
  pthread_mutex_init(&mb->lock, NULL);
  mb->refs = 1;
  mb->wake = wake;
  mb->io = io;
  return mb;
}

static void mailbox_destroy(mailbox *mb) {
  items_free(mb->head);
  pthread_mutex_destroy(&mb->lock);
  free(mb);
}

/* Drops one reference; the caller holds the lock. True when the mailbox
 * must be destroyed (after unlocking). */
static bool mailbox_unref_locked(mailbox *mb) { return --mb->refs == 0; }

/* Queues an item unless nobody listens; frees it otherwise. */
static bool sink_enqueue(mb_sink *sk, item *it, bool end) {
  mailbox *mb = sk->mb;
  pthread_mutex_lock(&mb->lock);
  bool listening = !mb->closed && !sk->cancelled && !sk->ended;
  if (listening) {
    if (end)
      sk->ended = true;
    bool was_empty = mb->head == NULL;
    if (mb->tail)
      mb->tail->next = it;
    else
      mb->head = it;
    mb->tail = it;
    if (was_empty && mb->wake)
      mb->wake(mb->io);
  }
  pthread_mutex_unlock(&mb->lock);
  if (!listening)
    items_free(it);
  return listening;
}

static bool sink_push(gql_sink *base, gql_event event) {
  mb_sink *sk = (mb_sink *)base;
  item *it = xcalloc(1, sizeof *it);
  it->key = sk->key;
  it->kind = ITEM_EVENT;
  it->event = event;
  return sink_enqueue(sk, it, false);
}

static void sink_end(gql_sink *base, const char *error) {
  mb_sink *sk = (mb_sink *)base;
  item *it = xcalloc(1, sizeof *it);
  it->key = sk->key;
  it->kind = ITEM_END;
  it->error = error ? xstrdup(error) : NULL;
  sink_enqueue(sk, it, true);
}

/* Drops one of the sink's two references (the stream's or the session's). */
static void sink_release(gql_sink *base) {
  mb_sink *sk = (mb_sink *)base;
  mailbox *mb = sk->mb;
  pthread_mutex_lock(&mb->lock);
  bool last = --sk->refs == 0;
  bool destroy = last && mailbox_unref_locked(mb);
  pthread_mutex_unlock(&mb->lock);
  if (last)
    free(sk);
  if (destroy)
    mailbox_destroy(mb);
}

static const gql_sink_ops sink_ops = {sink_push, sink_end, sink_release};

static mb_sink *sink_new(mailbox *mb, uint64_t key) {
  mb_sink *sk = xcalloc(1, sizeof *sk);
  sk->base.ops = &sink_ops;
  sk->mb = mb;
  sk->key = key;
  sk->refs = 2;
  pthread_mutex_lock(&mb->lock);
  mb->refs++;
  pthread_mutex_unlock(&mb->lock);
  return sk;
}

static void sink_cancel(mb_sink *sk) {
  pthread_mutex_lock(&sk->mb->lock);
  sk->cancelled = true;
  pthread_mutex_unlock(&sk->mb->lock);
}

/* Takes every queued item, oldest first. */
static item *mailbox_take(mailbox *mb) {
  pthread_mutex_lock(&mb->lock);
  item *list = mb->head;
  mb->head = mb->tail = NULL;
  pthread_mutex_unlock(&mb->lock);
  return list;
}

/* The session lets go: later pushes are dropped. */
static void mailbox_close(mailbox *mb) {
  pthread_mutex_lock(&mb->lock);
  mb->closed = true;
  item *list = mb->head;
  mb->head = mb->tail = NULL;
  bool destroy = mailbox_unref_locked(mb);
  pthread_mutex_unlock(&mb->lock);
  items_free(list);
  if (destroy)
    mailbox_destroy(mb);
}

/* ---- the session ---- */

/* A running subscription (a source stream). */
typedef struct sub {
  char *id;          /* the client's id as JSON text, e.g. "\"1\"" */
  uint64_t key;      /* the mailbox key */
  arena *arena;      /* the document and the operation name */
  json_t *variables; /* a reference, or NULL */
  gql_request req;
  gql_stream *stream;
  mb_sink *sink;
} sub;

struct ws_session {
  ws_session_config cfg;
  ws_conn *conn;
  mailbox *mb;
  arena *scratch; /* per message and per event; reset before each */
  sub **subs;
  size_t n_subs, cap_subs;
  uint64_t next_key;
  bool transport; /* graphql-transport-ws (else legacy graphql-ws) */
  bool init_received;
  bool acked;
  bool engaged; /* the client got going: no init timeout any more */
  uint64_t created_ms;
  uint64_t last_input_ms;
  uint64_t next_keepalive_ms;
  uint64_t last_ping_ms; /* 0: no ping sent yet */
  uint64_t closing_since_ms;
  bool closing_seen;
};

static const char bad_message[] = "Invalid message received";

static void conn_write(void *data, const void *bytes, size_t n) {
  ws_session *s = data;
  s->cfg.write(s->cfg.io, bytes, n);
}

static void on_message(void *data, ws_opcode op, const char *payload, size_t len);

ws_session *ws_session_new(const ws_session_config *cfg, uint64_t now_ms) {
  ws_session *s = xcalloc(1, sizeof *s);
  s->cfg = *cfg;
  if (!s->cfg.max_subscriptions)
    s->cfg.max_subscriptions = 100;
  if (!s->cfg.init_timeout_ms)
    s->cfg.init_timeout_ms = 3000;
  if (!s->cfg.keepalive_ms)
    s->cfg.keepalive_ms = 12000;
  if (!s->cfg.close_timeout_ms)
    s->cfg.close_timeout_ms = 5000;
  ws_conn_callbacks cb = {.write = conn_write, .message = on_message};
  s->conn = ws_conn_new(cfg->max_message_bytes, &cb, s);
  s->mb = mailbox_new(cfg->wake, cfg->io);
  s->scratch = arena_new(0);
  s->next_key = 1;
  s->transport = cfg->protocol == WS_PROTOCOL_GRAPHQL_TRANSPORT_WS;
  s->created_ms = s->last_input_ms = now_ms;
  s->next_keepalive_ms = now_ms + s->cfg.keepalive_ms;
  if (cfg->protocol == WS_PROTOCOL_NONE) {
    ws_conn_close(s->conn, WS_CLOSE_SUBPROTOCOL_NOT_ACCEPTABLE, "Subprotocol not acceptable");
    s->closing_seen = true;
    s->closing_since_ms = now_ms;
  }
  return s;
}

size_t ws_session_subscriptions(const ws_session *s) { return s->n_subs; }
bool ws_session_done(const ws_session *s) { return ws_conn_get_state(s->conn) == WS_CONN_CLOSED; }

static sub *find_sub(const ws_session *s, const char *id) {
  for (size_t i = 0; i < s->n_subs; i++)
    if (strcmp(s->subs[i]->id, id) == 0)
      return s->subs[i];
  return NULL;
}

static sub *find_sub_key(const ws_session *s, uint64_t key) {
  for (size_t i = 0; i < s->n_subs; i++)
    if (s->subs[i]->key == key)
      return s->subs[i];
  return NULL;
}

/* Stops a subscription's stream and forgets it (no message is sent). */
static void end_sub(ws_session *s, sub *u) {
  for (size_t i = 0; i < s->n_subs; i++) {
    if (s->subs[i] == u) {
      s->subs[i] = s->subs[--s->n_subs];
      break;
    }
  }
  sink_cancel(u->sink);
  u->stream->ops->cancel(u->stream);
  sink_release(&u->sink->base);
  json_decref(u->variables);
  arena_free(u->arena);
  free(u->id);
  free(u);
}

static void end_all_subs(ws_session *s) {
  while (s->n_subs)
    end_sub(s, s->subs[s->n_subs - 1]);
}

void ws_session_free(ws_session *s) {
  if (!s)
    return;
  end_all_subs(s);
  mailbox_close(s->mb);
  ws_conn_free(s->conn);
  arena_free(s->scratch);
  free(s->subs);
  free(s);
}

/* ---- writing messages ---- */

static void send_json(ws_session *s, buf *b) { ws_conn_send_text(s->conn, b->data, b->len); }

/* An operation message: {"id","type","payload"} in graphql-transport-ws,
 * {"type","id","payload"} in graphql-ws (Dagster's order). id is JSON
 * text; payload is JSON text or NULL. */
static void send_op(ws_session *s, const char *id, const char *type, const char *payload,
                    size_t payload_len) {
  buf b;
  buf_init(&b, NULL);
  json_writer w;
  json_writer_init(&w, &b);
  json_begin_object(&w);
  if (s->transport) {
    json_key(&w, "id");
    json_raw(&w, id, strlen(id));
  }
  json_key(&w, "type");
  json_str(&w, type);
  if (!s->transport && id) {
    json_key(&w, "id");
    json_raw(&w, id, strlen(id));
  }
  if (payload) {
    json_key(&w, "payload");
    json_raw(&w, payload, payload_len);
  }
  json_end_object(&w);
  send_json(s, &b);
  buf_free(&b);
}

/* send_op with a jansson payload. */
static void send_op_value(ws_session *s, const char *id, const char *type, const json_t *payload) {
  buf b;
  buf_init(&b, NULL);
  json_writer w;
  json_writer_init(&w, &b);
  json_value(&w, payload);
  send_op(s, id, type, b.data, b.len);
  buf_free(&b);
}

/* A connection-level message: {"type"} or {"type","payload"}. */
static void send_type(ws_session *s, const char *type, const json_t *payload) {
  buf b;
  buf_init(&b, NULL);
  json_writer w;
  json_writer_init(&w, &b);
  json_begin_object(&w);
  json_key(&w, "type");
  json_str(&w, type);
  if (payload) {
    json_key(&w, "payload");
    json_value(&w, payload);
  }
  json_end_object(&w);
  send_json(s, &b);
  buf_free(&b);
}

/* {"message": text} as a jansson object. */
static json_t *message_object(const char *text) { return json_pack("{ss}", "message", text); }

/* A result (next / data) of an operation: payload is an execution result. */
static void send_result(ws_session *s, const char *id, const buf *result) {
  send_op(s, id, s->transport ? "next" : "data", result->data, result->len);
}

static void send_complete(ws_session *s, const char *id) { send_op(s, id, "complete", NULL, 0); }

/* An error message carrying a JSON array of GraphQL errors: the whole array
 * in graphql-transport-ws, its first error in graphql-ws (as Dagster). */
static void send_errors(ws_session *s, const char *id, const json_t *errors) {
  send_op_value(s, id, "error", s->transport ? errors : json_array_get(errors, 0));
}

/* An error message with one error of the given text. */
static void send_error_text(ws_session *s, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void send_error_text(ws_session *s, const char *id, const char *fmt, ...) {
  char text[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  json_t *errors = json_pack("[o]", message_object(text));
  send_errors(s, id, errors);
  json_decref(errors);
}

/* The "errors" array of an engine response, as jansson (NULL if none). */
static json_t *response_errors(const buf *response) {
  json_t *r = json_loadb(response->data, response->len, 0, NULL);
  json_t *errors = json_incref(json_object_get(r, "errors"));
  json_decref(r);
  return errors;
}

/* Errors found before execution (syntax, validation, operation choice). */
static void send_gql_errors(ws_session *s, const char *id, const gql_errors *errs) {
  buf b;
  buf_init(&b, s->scratch);
  json_writer w;
  json_writer_init(&w, &b);
  gql_errors_write(&w, errs);
  json_t *errors = json_loadb(b.data, b.len, 0, NULL);
  send_errors(s, id, errors);
  json_decref(errors);
}

/* Closes the socket with a code and a printf-style reason. */
static void close_with(ws_session *s, uint16_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void close_with(ws_session *s, uint16_t code, const char *fmt, ...) {
  char reason[WS_MAX_CLOSE_REASON * 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  ws_conn_close(s->conn, code, reason);
}

/* ---- operations ---- */

/* Starts the stream of a subscription that gql_subscribe accepted. */
static void start_sub(ws_session *s, const char *id, arena *a, gql_request *req,
                      gql_stream *stream) {
  sub *u = xcalloc(1, sizeof *u);
  u->id = xstrdup(id);
  u->key = s->next_key++;
  u->arena = a;
  u->variables = json_incref((json_t *)req->variables);
  u->req = *req;
  u->stream = stream;
  u->sink = sink_new(s->mb, u->key);
  if (s->n_subs == s->cap_subs) {
    s->cap_subs = s->cap_subs ? s->cap_subs * 2 : 4;
    s->subs = xrealloc(s->subs, s->cap_subs * sizeof *s->subs);
  }
  s->subs[s->n_subs++] = u;
  stream->ops->start(stream, &u->sink->base);
}

/* Runs a subscription request whose payload was checked: a query or
 * mutation once, a subscription as a stream. id is JSON text. */
static void run_operation(ws_session *s, const char *id, const json_t *payload) {
  const json_t *q = json_object_get(payload, "query");
  const char *op_name = json_string_value(json_object_get(payload, "operationName"));
  const json_t *vars = json_object_get(payload, "variables");
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  /* The document may point into its source: keep the text with it. */
  size_t qlen = json_string_length(q);
  const char *query = arena_strndup(a, json_string_value(q), qlen);
  const gql_document *doc = gql_parse(a, query, qlen, s->cfg.limits, &errs);
  const gql_operation *op = NULL;
  if (doc && gql_validate(s->cfg.schema, doc, a, &errs) == 0)
    op = gql_select_operation(doc, op_name, &errs);
  if (!op) {
    send_gql_errors(s, id, &errs);
    arena_free(a);
    return;
  }
  gql_request req = {
      .schema = s->cfg.schema,
      .document = doc,
      .operation_name = op_name ? arena_strdup(a, op_name) : NULL,
      .variables = json_is_object(vars) ? vars : NULL,
      .context = s->cfg.context,
      .arena = a,
  };
  buf out;
  buf_init(&out, a);
  if (op->type != GQL_OP_SUBSCRIPTION) {
    gql_execute(&req, &out);
    send_result(s, id, &out);
    send_complete(s, id);
  } else if (s->n_subs >= s->cfg.max_subscriptions) {
    send_error_text(s, id, "Too many subscriptions on this socket (the limit is %u).",
                    s->cfg.max_subscriptions);
  } else {
    gql_rv source;
    if (gql_subscribe(&req, &source, &out)) {
      if (source.kind == GQL_RV_OBJECT && source.u.obj.ptr) {
        start_sub(s, id, a, &req, (gql_stream *)source.u.obj.ptr);
        return; /* the subscription owns the arena now */
      }
      send_error_text(s, id, "The subscription field returned no source stream.");
    } else if (s->transport) {
      /* graphql-js's subscribe() returns an execution result here, which
       * the graphql-ws library sends as next, then complete. */
      send_result(s, id, &out);
      send_complete(s, id);
    } else {
      json_t *errors = response_errors(&out);
      send_errors(s, id, errors);
      json_decref(errors);
    }
  }
  arena_free(a);
}

static bool null_or(const json_t *v, bool ok) { return !v || json_is_null(v) || ok; }

/* Checks a subscribe/start payload; returns an error text or NULL. */
static const char *check_request_payload(const json_t *payload) {
  if (!json_is_object(payload))
    return "The payload must be an object.";
  if (!json_is_string(json_object_get(payload, "query")))
    return "The payload must have a query string.";
  const json_t *v = json_object_get(payload, "variables");
  if (!null_or(v, json_is_object(v)))
    return "The variables must be an object.";
  v = json_object_get(payload, "operationName");
  if (!null_or(v, json_is_string(v)))
    return "The operationName must be a string.";
  v = json_object_get(payload, "extensions");
  if (!null_or(v, json_is_object(v)))
    return "The extensions must be an object.";
  return NULL;
}

/* The id as JSON text in the scratch arena (strings and numbers only). */
static const char *id_text(ws_session *s, const json_t *id) {
  if (!json_is_string(id) && !json_is_integer(id))
    return NULL;
  buf b;
  buf_init(&b, s->scratch);
  json_writer w;
  json_writer_init(&w, &b);
  json_value(&w, id);
  return b.data;
}

/* ---- graphql-transport-ws ---- */

static void transport_message(ws_session *s, const json_t *msg) {
  const char *type = json_string_value(json_object_get(msg, "type"));
  const json_t *payload = json_object_get(msg, "payload");
  const json_t *id = json_object_get(msg, "id");
  bool payload_ok = null_or(payload, json_is_object(payload));
  bool id_ok = json_is_string(id) && json_string_length(id) > 0;
  if (!type) {
    close_with(s, WS_CLOSE_BAD_REQUEST, bad_message);
  } else if (strcmp(type, "connection_init") == 0 && payload_ok) {
    if (s->init_received) {
      close_with(s, WS_CLOSE_TOO_MANY_INITS, "Too many initialisation requests");
      return;
    }
    s->init_received = s->engaged = true;
    if (s->cfg.authorize &&
        !s->cfg.authorize(s->cfg.authorize_data, json_is_object(payload) ? payload : NULL)) {
      close_with(s, WS_CLOSE_FORBIDDEN, "Forbidden");
      return;
    }
    s->acked = true;
    send_type(s, "connection_ack", NULL);
  } else if (strcmp(type, "ping") == 0 && payload_ok) {
    send_type(s, "pong", json_is_object(payload) ? payload : NULL);
  } else if (strcmp(type, "pong") == 0 && payload_ok) {
    /* an answer to nothing dagd asked: fine */
  } else if (strcmp(type, "subscribe") == 0 && id_ok && !check_request_payload(payload)) {
    if (!s->acked) {
      close_with(s, WS_CLOSE_UNAUTHORIZED, "Unauthorized");
      return;
    }
    const char *idt = id_text(s, id);
    if (find_sub(s, idt)) {
      close_with(s, WS_CLOSE_SUBSCRIBER_EXISTS, "Subscriber for %s already exists",
                 json_string_value(id));
      return;
    }
    run_operation(s, idt, payload);
  } else if (strcmp(type, "complete") == 0 && id_ok) {
    sub *u = find_sub(s, id_text(s, id));
    if (u)
      end_sub(s, u); /* the client asked: no complete goes back */
  } else {
    close_with(s, WS_CLOSE_BAD_REQUEST, bad_message);
  }
}

/* ---- graphql-ws (legacy) ---- */

static void send_connection_error(ws_session *s, const char *text) {
  json_t *p = message_object(text);
  send_type(s, "connection_error", p);
  json_decref(p);
}

static void send_legacy_error(ws_session *s, const char *id, const char *text) {
  json_t *p = message_object(text);
  send_op_value(s, id, "error", p);
  json_decref(p);
}

static void legacy_message(ws_session *s, const json_t *msg) {
  const char *type = json_string_value(json_object_get(msg, "type"));
  const char *id = id_text(s, json_object_get(msg, "id"));
  if (!type) {
    send_legacy_error(s, id, "Invalid message type!");
  } else if (strcmp(type, "connection_init") == 0) {
    s->init_received = s->engaged = true;
    const json_t *payload = json_object_get(msg, "payload");
    if (s->cfg.authorize &&
        !s->cfg.authorize(s->cfg.authorize_data, json_is_object(payload) ? payload : NULL)) {
      send_connection_error(s, "Forbidden");
      close_with(s, WS_CLOSE_INTERNAL_ERROR, "Forbidden");
      return;
    }
    s->acked = true;
    send_type(s, "connection_ack", NULL);
    send_type(s, "ka", NULL);
  } else if (strcmp(type, "connection_terminate") == 0) {
    close_with(s, WS_CLOSE_NORMAL, "%s", "");
  } else if (strcmp(type, "start") == 0) {
    const char *problem = check_request_payload(json_object_get(msg, "payload"));
    if (!id)
      send_legacy_error(s, NULL, "The start message must have an id.");
    else if (problem)
      send_legacy_error(s, id, problem);
    else if (!find_sub(s, id)) { /* a repeated start is ignored, as by Dagster */
      s->engaged = true;
      run_operation(s, id, json_object_get(msg, "payload"));
    }
  } else if (strcmp(type, "stop") == 0) {
    sub *u = id ? find_sub(s, id) : NULL;
    if (u)
      end_sub(s, u);
  } else {
    send_legacy_error(s, id, "Invalid message type!");
  }
}

/* ---- input, events, timers ---- */

static void on_message(void *data, ws_opcode op, const char *payload, size_t len) {
  (void)op; /* binary messages are read as text, as the JS servers do */
  ws_session *s = data;
  arena_reset(s->scratch);
  json_error_t jerr;
  json_t *msg = json_loadb(payload, len, 0, &jerr);
  if (!json_is_object(msg)) {
    if (s->transport)
      close_with(s, WS_CLOSE_BAD_REQUEST, bad_message);
    else
      send_connection_error(s, msg ? "Messages must be JSON objects." : jerr.text);
  } else if (s->transport) {
    transport_message(s, msg);
  } else {
    legacy_message(s, msg);
  }
  json_decref(msg);
}

static void run_event(ws_session *s, sub *u, const gql_event *e) {
  arena_reset(s->scratch);
  gql_request req = u->req;
  req.arena = s->scratch;
  gql_rv ev = e->json ? gql_rv_json(e->json) : gql_rv_object(e->object, NULL);
  buf out;
  buf_init(&out, s->scratch);
  gql_execute_event(&req, &ev, &out);
  send_result(s, u->id, &out);
}

static void run_end(ws_session *s, sub *u, const char *error) {
  if (error && s->transport) {
    arena_reset(s->scratch);
    send_error_text(s, u->id, "%s", error);
  } else if (error) {
    /* Dagster reports a failing stream as a result with errors, then complete. */
    json_t *r = json_pack("{s:n,s:[o]}", "data", "errors", message_object(error));
    send_op_value(s, u->id, "data", r); /* graphql-ws's result message */
    json_decref(r);
    send_complete(s, u->id);
  } else {
    send_complete(s, u->id);
  }
  end_sub(s, u);
}

/* Executes queued stream events in order. */
static void drain(ws_session *s) {
  item *list = mailbox_take(s->mb);
  for (item *it = list; it; it = it->next) {
    sub *u = find_sub_key(s, it->key);
    if (!u || ws_conn_get_state(s->conn) != WS_CONN_OPEN)
      continue;
    if (it->kind == ITEM_EVENT)
      run_event(s, u, &it->event);
    else
      run_end(s, u, it->error);
  }
  items_free(list);
}

/* After any activity: note when closing began, and stop the streams once
 * the connection no longer carries messages. */
static void settle(ws_session *s, uint64_t now_ms) {
  ws_conn_state st = ws_conn_get_state(s->conn);
  if (st != WS_CONN_OPEN)
    end_all_subs(s);
  if (st == WS_CONN_CLOSING && !s->closing_seen) {
    s->closing_seen = true;
    s->closing_since_ms = now_ms;
  }
}

void ws_session_feed(ws_session *s, const void *bytes, size_t n, uint64_t now_ms) {
  if (ws_session_done(s))
    return;
  s->last_input_ms = now_ms;
  ws_conn_feed(s->conn, bytes, n);
  drain(s); /* events a stream pushed while starting */
  settle(s, now_ms);
}

static void keepalive(ws_session *s, uint64_t now_ms) {
  if (s->last_ping_ms && s->last_input_ms < s->last_ping_ms) {
    ws_conn_abort(s->conn); /* not even a pong since the last ping */
    return;
  }
  ws_conn_ping(s->conn, NULL, 0);
  s->last_ping_ms = now_ms;
  if (!s->transport && s->acked)
    send_type(s, "ka", NULL);
  s->next_keepalive_ms = now_ms + s->cfg.keepalive_ms;
}

void ws_session_tick(ws_session *s, uint64_t now_ms) {
  if (ws_session_done(s))
    return;
  drain(s);
  ws_conn_state st = ws_conn_get_state(s->conn);
  if (st == WS_CONN_OPEN && !s->engaged && now_ms >= s->created_ms + s->cfg.init_timeout_ms)
    close_with(s, WS_CLOSE_INIT_TIMEOUT, "Connection initialisation timeout");
  else if (st == WS_CONN_OPEN && now_ms >= s->next_keepalive_ms)
    keepalive(s, now_ms);
  else if (st == WS_CONN_CLOSING && now_ms >= s->closing_since_ms + s->cfg.close_timeout_ms)
    ws_conn_abort(s->conn);
  settle(s, now_ms);
}

uint64_t ws_session_next_deadline(const ws_session *s) {
  switch (ws_conn_get_state(s->conn)) {
  case WS_CONN_OPEN: {
    uint64_t d = s->next_keepalive_ms;
    uint64_t init = s->created_ms + s->cfg.init_timeout_ms;
    return !s->engaged && init < d ? init : d;
  }
  case WS_CONN_CLOSING:
    return s->closing_since_ms + s->cfg.close_timeout_ms;
  case WS_CONN_CLOSED:
    break;
  }
  return UINT64_MAX;
}

void ws_session_close(ws_session *s, uint16_t code, const char *reason, uint64_t now_ms) {
  ws_conn_close(s->conn, code, reason);
  settle(s, now_ms);
}

void ws_session_peer_closed(ws_session *s) {
  ws_conn_abort(s->conn);
  end_all_subs(s);
}
