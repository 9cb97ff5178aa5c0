/* testing.c — the testCounter subscription, served only with
 * `dagd webserver --test-subscriptions` so that the WebSocket transports
 * can be tested end to end on a stream whose pace the test chooses (runs
 * have subscriptions of their own, subscriptions.c, whose pace the runs
 * set). api.c splices the field into the schema's Subscription type.
 *
 * Each subscription is a source stream (graphql/stream.h) with a timer
 * thread of its own: it pushes 1, 2, … `to` every `intervalMs`
 * milliseconds, then ends the stream. Cancelling wakes the thread at once
 * and joins it, so no thread outlives its subscription. */
#include "api/testing.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "base/mem.h"
#include "graphql/stream.h"

#define MAX_TO 1000000
#define MAX_INTERVAL_MS 60000

const char api_testing_fields[] =
    "  \"Counts from 1 to `to`, one number every `intervalMs` milliseconds, then completes "
    "(for testing the subscription transports: dagd webserver --test-subscriptions).\"\n"
    "  testCounter(to: Int!, intervalMs: Int = 10): Int!\n";

typedef struct counter {
  gql_stream base;
  int64_t to;
  int64_t interval_ms;
  gql_sink *sink;
  pthread_t thread;
  bool running; /* the thread was started */
  /* Guards `cancelled`; cond wakes the timer thread when it is set. */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  bool cancelled;
} counter;

static void add_ms(struct timespec *t, int64_t ms) {
  t->tv_sec += (time_t)(ms / 1000);
  t->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (t->tv_nsec >= 1000000000L) {
    t->tv_sec++;
    t->tv_nsec -= 1000000000L;
  }
}

static void *counter_run(void *arg) {
  counter *c = arg;
  struct timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  bool listening = true;
  pthread_mutex_lock(&c->lock);
  for (int64_t i = 1; i <= c->to && listening && !c->cancelled; i++) {
    add_ms(&next, c->interval_ms);
    int rc = 0;
    while (!c->cancelled && rc != ETIMEDOUT)
      rc = pthread_cond_timedwait(&c->cond, &c->lock, &next);
    if (c->cancelled)
      break;
    pthread_mutex_unlock(&c->lock);
    listening = gql_sink_push_json(c->sink, json_integer(i));
    pthread_mutex_lock(&c->lock);
  }
  bool finished = listening && !c->cancelled;
  pthread_mutex_unlock(&c->lock);
  if (finished)
    gql_sink_end(c->sink, NULL);
  gql_sink_release(c->sink);
  return NULL;
}

static void counter_start(gql_stream *st, gql_sink *sink) {
  counter *c = (counter *)st;
  c->sink = sink;
  c->running = pthread_create(&c->thread, NULL, counter_run, c) == 0;
  if (!c->running) {
    gql_sink_end(sink, "testCounter could not start its timer thread.");
    gql_sink_release(sink);
  }
}

static void counter_cancel(gql_stream *st) {
  counter *c = (counter *)st;
  pthread_mutex_lock(&c->lock);
  c->cancelled = true;
  pthread_cond_signal(&c->cond);
  pthread_mutex_unlock(&c->lock);
  if (c->running)
    pthread_join(c->thread, NULL);
  pthread_cond_destroy(&c->cond);
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static const gql_stream_ops counter_ops = {counter_start, counter_cancel};

/* An Int argument in [min, max]; false when out of range. */
static bool int_arg(const gql_resolve_info *info, const char *name, int64_t dflt, int64_t min,
                    int64_t max, int64_t *out) {
  const gql_value *v = gql_arg(info, name);
  *out = v && v->kind == GQL_VALUE_INT ? v->ival : dflt;
  return *out >= min && *out <= max;
}

static gql_rv subscribe_test_counter(const gql_resolve_info *info, void *data) {
  (void)data;
  int64_t to, interval;
  if (!int_arg(info, "to", 0, 0, MAX_TO, &to))
    return gql_rv_errorf(info->arena, "testCounter: \"to\" must be from 0 to %d.", MAX_TO);
  if (!int_arg(info, "intervalMs", 10, 0, MAX_INTERVAL_MS, &interval))
    return gql_rv_errorf(info->arena, "testCounter: \"intervalMs\" must be from 0 to %d.",
                         MAX_INTERVAL_MS);
  counter *c = xcalloc(1, sizeof *c);
  c->base.ops = &counter_ops;
  c->to = to;
  c->interval_ms = interval;
  pthread_mutex_init(&c->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&c->cond, &ca);
  pthread_condattr_destroy(&ca);
  return gql_rv_object(c, NULL);
}

/* Each event reaches the field as its parent (a JSON number). The HTTP
 * transport refuses subscription operations before any field runs. */
static gql_rv resolve_test_counter(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)data;
  return gql_rv_json(parent);
}

int api_testing_attach(gql_schema *s) {
  if (gql_schema_set_subscribe(s, "Subscription.testCounter", subscribe_test_counter, NULL) != 0)
    return -1;
  return gql_schema_set_resolver(s, "Subscription.testCounter", resolve_test_counter, NULL);
}
