/* stream.h — subscription source streams, as transports consume them.
 *
 * A subscription field's subscribe hook (gql_subscribe_fn) returns
 * gql_rv_object(stream, NULL) where `stream` points to an http_stream: a
 * struct whose first member is `const http_stream_ops *ops`, embedded at
 * the start of the implementation's own state. The transport (ws_session)
 * then owns it:
 *
 *   1. right after the hook, on the session's thread, it calls
 *      ops->start(stream, sink). From then on the stream delivers events
 *      with http_sink_push and ends with http_sink_end, from ANY thread
 *      (a timer, a run-log watcher, …), also from inside start;
 *   2. exactly once, on the session's thread, it calls ops->cancel(stream):
 *      when the client stops the subscription, when the socket closes, or
 *      after the stream ended. cancel asks the stream to stop; the stream
 *      frees itself when it is done (inside cancel, or later on its own
 *      thread).
 *   3. The stream holds one reference to the sink: it calls
 *      http_sink_release exactly once, when it will push no more (after
 *      http_sink_end, or once cancel has stopped its producers).
 *
 * Events are queued and executed later on the session's thread, each
 * against the subscription's selection set (gql_execute_event), so a
 * stream never blocks on the client and never runs GraphQL itself. Pushes
 * after cancellation or after the socket closed are dropped (the event is
 * freed) and report false, so producers may stop early.
 *
 * This header depends on nothing above jansson, so resolver code (src/api)
 * can implement streams without the HTTP layer. */
#ifndef DAGD_HTTP_STREAM_H
#define DAGD_HTTP_STREAM_H

#include <jansson.h>
#include <stdbool.h>

typedef struct http_stream http_stream;
typedef struct http_sink http_sink;

typedef struct http_stream_ops {
  /* Starts producing; the stream now holds the sink's reference. */
  void (*start)(http_stream *stream, http_sink *sink);
  /* Stops producing (see above); called exactly once, after start. */
  void (*cancel)(http_stream *stream);
} http_stream_ops;

struct http_stream {
  const http_stream_ops *ops;
};

/* One source event. Exactly one of json and object is set. A JSON event is
 * handed to the root field as a JSON value: a root field without resolver
 * completes it against its type (an Int! field takes the event 3 as 3). An
 * object event is the root field resolver's parent pointer. */
typedef struct http_event {
  json_t *json;                      /* a reference the sink steals */
  void *object;                      /* owned by the sink once pushed */
  void (*free_object)(void *object); /* frees object; NULL: nothing to free */
} http_event;

/* Queues one event for the subscription (any thread). The sink owns the
 * event from now on. Returns false when nobody listens any more (the event
 * was freed): the stream should stop producing. */
bool http_sink_push(http_sink *sink, http_event event);

/* Convenience: queues a JSON event, stealing the reference. */
bool http_sink_push_json(http_sink *sink, json_t *event);

/* Ends the stream (any thread): error NULL completes the subscription
 * normally; otherwise the client gets an error with that message. Events
 * pushed afterwards are dropped. */
void http_sink_end(http_sink *sink, const char *error);

/* Drops the stream's reference to the sink (any thread, exactly once). */
void http_sink_release(http_sink *sink);

#endif
