/* stream.h — subscription source streams and the sinks they push into.
 *
 * The contract between the code that produces subscription events (resolvers
 * in src/api: a timer, a run-log watcher, …) and the transport that delivers
 * them (src/http/ws_session.c). It lives in the engine's folder so that
 * both sides can include it without depending on each other, and it is
 * header-only: a sink reaches its implementation through the ops table in
 * its struct, so the graphql library needs no symbol from the transport.
 *
 * A subscription field's subscribe hook (gql_subscribe_fn) returns
 * gql_rv_object(stream, NULL) where `stream` points to a gql_stream: a
 * struct whose first member is `const gql_stream_ops *ops`, embedded at the
 * start of the implementation's own state. The transport then owns it:
 *
 *   1. right after the hook, on the transport's thread, it calls
 *      ops->start(stream, sink). From then on the stream delivers events
 *      with gql_sink_push and ends with gql_sink_end, from ANY thread
 *      (a timer, a run-log watcher, …), also from inside start;
 *   2. exactly once, on the transport's thread, it calls ops->cancel(stream):
 *      when the client stops the subscription, when the socket closes, or
 *      after the stream ended. cancel asks the stream to stop; the stream
 *      frees itself when it is done (inside cancel, or later on its own
 *      thread).
 *   3. The stream holds one reference to the sink: it calls
 *      gql_sink_release exactly once, when it will push no more (after
 *      gql_sink_end, or once cancel has stopped its producers).
 *
 * Events are queued and executed later on the transport's thread, each
 * against the subscription's selection set (gql_execute_event), so a
 * stream never blocks on the client and never runs GraphQL itself. Pushes
 * after cancellation or after the socket closed are dropped (the event is
 * freed) and report false, so producers may stop early. */
#ifndef DAGD_GRAPHQL_STREAM_H
#define DAGD_GRAPHQL_STREAM_H

#include <jansson.h>
#include <stdbool.h>

typedef struct gql_stream gql_stream;
typedef struct gql_sink gql_sink;

/* ---- the stream (implemented by resolvers) ---- */

typedef struct gql_stream_ops {
  /* Starts producing; the stream now holds the sink's reference. */
  void (*start)(gql_stream *stream, gql_sink *sink);
  /* Stops producing (see above); called exactly once, after start. */
  void (*cancel)(gql_stream *stream);
} gql_stream_ops;

struct gql_stream {
  const gql_stream_ops *ops;
};

/* ---- events ---- */

/* One source event. Exactly one of json and object is set. A JSON event is
 * handed to the root field as a JSON value: a root field without resolver
 * completes it against its type (an Int! field takes the event 3 as 3). An
 * object event is the root field resolver's parent pointer. */
typedef struct gql_event {
  json_t *json;                      /* a reference the sink steals */
  void *object;                      /* owned by the sink once pushed */
  void (*free_object)(void *object); /* frees object; NULL: nothing to free */
} gql_event;

/* Frees what an event holds (for sink implementations that drop one). */
static inline void gql_event_free(gql_event *e) {
  json_decref(e->json);
  if (e->object && e->free_object)
    e->free_object(e->object);
}

/* ---- the sink (implemented by transports) ---- */

typedef struct gql_sink_ops {
  bool (*push)(gql_sink *sink, gql_event event);
  void (*end)(gql_sink *sink, const char *error);
  void (*release)(gql_sink *sink);
} gql_sink_ops;

/* A transport embeds this at the start of its own sink state. */
struct gql_sink {
  const gql_sink_ops *ops;
};

/* Queues one event for the subscription (any thread). The sink owns the
 * event from now on. Returns false when nobody listens any more (the event
 * was freed): the stream should stop producing. */
static inline bool gql_sink_push(gql_sink *sink, gql_event event) {
  return sink->ops->push(sink, event);
}

/* Convenience: queues a JSON event, stealing the reference. */
static inline bool gql_sink_push_json(gql_sink *sink, json_t *event) {
  gql_event e = {.json = event};
  return sink->ops->push(sink, e);
}

/* Ends the stream (any thread): error NULL completes the subscription
 * normally; otherwise the client gets an error with that message. Events
 * pushed afterwards are dropped. */
static inline void gql_sink_end(gql_sink *sink, const char *error) { sink->ops->end(sink, error); }

/* Drops the stream's reference to the sink (any thread, exactly once). */
static inline void gql_sink_release(gql_sink *sink) { sink->ops->release(sink); }

#endif
