/* subscriptions.c — the Subscription root type: pipelineRunLogs (a run's
 * events as they are written) and capturedLogs (a step's stdout and stderr
 * as they grow), as Dagster's dagster-graphql serves them
 * (implementation/execution/__init__.py: gen_events_for_run,
 * gen_captured_log_data; the compute log manager's CapturedLogSubscription).
 *
 * pipelineRunLogs: an unknown run gets one PipelineRunLogsSubscriptionFailure
 * and the stream completes. Otherwise the run's past events after the
 * cursor come first, in chunks of DAGSTER_UI_EVENT_LOAD_CHUNK_SIZE (1000)
 * with hasMorePastEvents true while more chunks follow (one message even
 * when there are none; the cursor "HEAD" skips the past), then each new
 * event as a message of its own, with the cursor after it. Like Dagster's,
 * the stream does not complete when the run finishes: a finished run may
 * still get events, and the client (Dagster's UI) decides when it has seen
 * enough. It completes when the run is deleted (nothing can follow).
 *
 * capturedLogs: the first read is always sent when no cursor is given,
 * later reads only when a file grew, in chunks of at most 1 MiB a stream;
 * the stream completes once the run of the log key ([run_id,
 * "compute_logs", step]) is finished (or does not exist) and the files are
 * read to their end. Dagster completes when the capture is complete; the
 * run's end is when dagd's op processes can no longer write.
 *
 * Delivery: one watcher thread for the whole process, running only while
 * some subscription is active, looks at the store (and the log files) for
 * every subscription that is due; live subscriptions of one run share one
 * query, one copy of the events and one read of the run (the `run` field
 * of their messages). Between looks it waits on a store watcher
 * (storage.h, STORE_WATCH_EVENTS) that it opens for itself after its
 * first round and closes before it ends: on PostgreSQL a NOTIFY names the
 * run an event was appended to (or that was deleted) and wakes that run's
 * subscriptions only, and a live subscription otherwise looks every
 * SAFETY_POLL_MS; a new subscription, or the stop after the last one,
 * interrupts the wait. SQLite does not notify: the thread looks every
 * POLL_MS. When the notifications break (or cannot be had), it looks
 * every POLL_MS until a new watcher opens, and says so, once, through
 * the api_context's report hook, as it does when they work again. A
 * captured-logs subscription whose files did not grow waits IDLE_LOGS_MS
 * before looking again (files give no notifications). The worker writes
 * to the store on its own, so no subscriber ever slows a run, and pushes
 * only queue into each socket's mailbox (graphql/stream.h), so a slow
 * socket never holds up the others. GraphQL runs later, on the socket's
 * thread, over the events a message holds. A run deleted while
 * subscribed to ends its streams (they complete).
 *
 * Exactly once and in order: each subscription reads from its own
 * position (the id of the last event it sent), past chunks and live
 * events alike, so nothing is sent twice or skipped when the past gives
 * way to the live events. That relies on the store giving a run's events
 * ids that grow in the order they become visible to readers: SQLite does,
 * since its writes are serialized (an event committed later always has a
 * larger id). A store where concurrent writers could commit ids out of
 * order (PostgreSQL sequences do) must keep that property, e.g. by
 * serializing a run's appends, or a reader could pass over an event
 * committed late with a smaller id. A notification only says "look": a
 * wake that is spurious, late or stands for many events changes nothing
 * of what is read. */
#include <gnutls/gnutls.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api/objects.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "graphql/stream.h"
#include "run/compute_logs.h"

/* How often the watcher looks for new events and log data when its store
 * has no notifications (SQLite) or its notifications broke; also the pace
 * of past chunks and of subscriptions that are due at once. */
#define POLL_MS 20
/* How often a live subscription looks at its run when the store notifies
 * (PostgreSQL): a safety net, since each new event of its run wakes it
 * anyway; also the longest the thread waits at a time, so an idle thread
 * wakes about once a second. */
#define SAFETY_POLL_MS 1000
/* How long after its notifications broke (or failed to open) the thread
 * tries to open a new watcher. */
#define REOPEN_MS 1000
/* The shortest time from one round of looks to the next for
 * subscriptions woken by notifications: under a steady stream of events
 * the thread reads them in batches no more often than polling did; after
 * a quiet spell a wake is served at once. */
#define MIN_ROUND_MS POLL_MS
/* How often it looks at a run that has finished (its log rarely grows). */
#define FINISHED_POLL_MS 1000
/* How long a captured-logs subscription whose files did not grow waits
 * before looking again (a follower sees new output within this). */
#define IDLE_LOGS_MS 200
/* Dagster's get_chunk_size() default. */
#define DEFAULT_CHUNK 1000
/* Dagster's MAX_BYTES_CHUNK_READ: a captured-logs message holds at most
 * this much of each stream. */
#define LOG_CHUNK_BYTES (1 << 20)

/* ---- events read together -------------------------------------------------- */

/* The events one store query read and the run as read right after them,
 * shared by every message made from them (the live subscribers of a run
 * all get the same copy). */
typedef struct batch {
  atomic_uint refs;
  arena *arena; /* holds the events and the run */
  store_event *events;
  size_t n;
  store_run *run; /* NULL: the run is no longer stored */
} batch;

static batch *batch_new(arena *a, store_event *events, size_t n, store_run *run) {
  batch *b = xcalloc(1, sizeof *b);
  atomic_init(&b->refs, 1);
  b->arena = a;
  b->events = events;
  b->n = n;
  b->run = run;
  return b;
}

static void batch_unref(batch *b) {
  if (b && atomic_fetch_sub(&b->refs, 1) == 1) {
    arena_free(b->arena);
    free(b);
  }
}

/* ---- subscriptions ---------------------------------------------------------- */

typedef enum watch_kind { WATCH_RUN_LOGS, WATCH_CAPTURED_LOGS } watch_kind;

/* One subscription: the source stream the transport owns, and an entry in
 * the watcher's list. Freed when its last reference goes: the stream's
 * (until cancel), the list's (until unlinked) and one per queued message
 * (whose resolvers read it on the socket's thread). */
typedef struct watch {
  gql_stream base; /* first: a gql_stream * is a watch * */
  watch_kind kind;
  atomic_uint refs;
  gql_sink *sink;
  run_instance *inst;
  char run_id[37];
  /* The api_context's report hook, for the watcher's troubles. */
  void (*report)(void *data, const char *message);
  void *report_data;

  /* Guarded by the watcher's lock. */
  struct watch *next;
  bool listed;        /* in the watcher's list (holds a reference) */
  bool counted;       /* counted as active: started and not cancelled */
  bool polling;       /* a watcher thread is polling it outside the lock */
  bool cancelled;     /* the transport cancelled it */
  bool sink_released; /* its sink reference was dropped */

  /* Touched only by the thread polling it (and the hook before start). */
  bool done;       /* the stream ended: no more polls */
  uint64_t due_ms; /* the next poll, on the monotonic clock */

  /* pipelineRunLogs */
  char *missing_id;   /* an unknown run: one failure, then the end */
  char *job_name;     /* the run's job (RunEvent.pipelineName) */
  char *given_cursor; /* the cursor asked for, answered while nothing is read */
  bool past;          /* still sending the past chunks */
  bool finished;      /* a run-ending event was seen: polled slowly */
  int64_t after;      /* the last event id sent */
  int64_t skip;       /* an OFFSET cursor's events to skip first */
  int chunk;

  /* capturedLogs */
  char **key;
  size_t n_key;
  /* Guarded by the watcher's lock: the cursor the next read starts from
   * (the resolver, on the socket's thread, moves it on after each read). */
  char *cursor;
  bool first;   /* the first read is due whatever the files hold */
  bool pending; /* a message is queued and its read has not run */
  bool failed;  /* a read failed (the client got the error): end */
} watch;

static void watch_free(watch *w) {
  free(w->missing_id);
  free(w->job_name);
  free(w->given_cursor);
  for (size_t i = 0; i < w->n_key; i++)
    free(w->key[i]);
  free(w->key);
  free(w->cursor);
  free(w);
}

static void watch_ref(watch *w) { atomic_fetch_add(&w->refs, 1); }

static void watch_unref(watch *w) {
  if (atomic_fetch_sub(&w->refs, 1) == 1)
    watch_free(w);
}

/* ---- messages ---------------------------------------------------------------- */

typedef enum msg_kind { MSG_FAILURE, MSG_RUN_LOGS, MSG_CAPTURED_LOGS } msg_kind;

/* One source event: what the root field's resolver turns into the payload. */
typedef struct msg {
  msg_kind kind;
  watch *w;
  batch *b; /* MSG_RUN_LOGS: the events, b->events[first .. first+count) */
  size_t first, count;
  bool has_more; /* hasMorePastEvents */
} msg;

static void msg_free(void *p) {
  msg *m = p;
  batch_unref(m->b);
  watch_unref(m->w);
  free(m);
}

/* Queues a message; false when nobody listens any more. */
static bool push(watch *w, msg_kind kind, batch *b, size_t first, size_t count, bool has_more) {
  msg *m = xcalloc(1, sizeof *m);
  m->kind = kind;
  m->w = w;
  watch_ref(w);
  if (b) {
    m->b = b;
    atomic_fetch_add(&b->refs, 1);
  }
  m->first = first;
  m->count = count;
  m->has_more = has_more;
  gql_event e = {.object = m, .free_object = msg_free};
  return gql_sink_push(w->sink, e);
}

/* Ends the stream (error NULL: completes it). */
static void finish(watch *w, const char *error) {
  gql_sink_end(w->sink, error);
  w->done = true;
}

/* ---- the watcher ---------------------------------------------------------- */

/* A watcher thread. A new one may start while a stopped one finishes its
 * last poll; each polls only the subscriptions it marked. */
typedef struct worker {
  pthread_t thread;
  bool stop; /* guarded by the lock */
} worker;

static struct {
  pthread_once_t once;
  pthread_mutex_t lock;
  pthread_cond_t wake; /* on the monotonic clock */
  watch *list;
  size_t active;   /* counted subscriptions */
  bool kick;       /* poll now: a subscription was added */
  worker *current; /* NULL: no thread runs (or the last one is stopping) */
  /* The newest thread's store watcher while it is open (set and cleared
   * by the thread that owns it: a stopping thread may still run beside a
   * new one), for store_watch_interrupt, as the condition variable does
   * not wake its waits. */
  store_watch *watch;
} W = {.once = PTHREAD_ONCE_INIT, .lock = PTHREAD_MUTEX_INITIALIZER};

static void watcher_init(void) {
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&W.wake, &ca);
  pthread_condattr_destroy(&ca);
}

static uint64_t now_ms(void) { return (uint64_t)clock_mono_ms(); }

/* Takes w out of the list, drops its sink and the list's reference; the
 * caller holds the lock. */
static void unlink_locked(watch *w) {
  for (watch **p = &W.list; *p; p = &(*p)->next) {
    if (*p == w) {
      *p = w->next;
      break;
    }
  }
  w->listed = false;
  if (!w->sink_released) {
    w->sink_released = true;
    gql_sink_release(w->sink);
  }
  watch_unref(w);
}

/* ---- polling a run's log ---- */

static bool run_ending(const store_event *ev) {
  static const char *const types[] = {"RUN_SUCCESS", "RUN_FAILURE", "RUN_CANCELED"};
  for (size_t i = 0; ev->event_type && i < API_COUNT(types); i++)
    if (strcmp(ev->event_type, types[i]) == 0)
      return true;
  return false;
}

/* Reads events of w's run after `after`, then the run (so its status is
 * at least as recent as the events), into a batch of its own; NULL with
 * err set on a storage error. */
static batch *read_events(watch *w, int64_t after, int limit, bool *has_more, store_error *err) {
  arena *a = arena_new(0);
  size_t n = 0;
  store_event *evs = store_events(w->inst->store, w->run_id, after, limit, a, &n, has_more, err);
  store_run *run = NULL;
  if ((!evs && err->message[0]) ||
      (!(run = store_run_get(w->inst->store, w->run_id, a, err)) && err->message[0])) {
    arena_free(a);
    return NULL;
  }
  return batch_new(a, evs, n, run);
}

/* Notes a run-ending event among events[0..n) (the run is then polled
 * slowly). */
static void note_finished(watch *w, const store_event *events, size_t n) {
  for (size_t i = 0; i < n && !w->finished; i++)
    w->finished = run_ending(&events[i]);
}

/* Sends the next chunk of past events (Dagster's loop over
 * get_records_for_run), one chunk a poll. */
static void poll_past(watch *w) {
  bool more = false;
  store_error err = {{0}};
  int limit = w->skip > INT_MAX - w->chunk ? -1 : (int)w->skip + w->chunk;
  batch *b = read_events(w, w->after, limit, &more, &err);
  if (!b || !b->run) { /* a storage error, or the run was deleted: the end */
    finish(w, b ? NULL : err.message);
    batch_unref(b);
    return;
  }
  size_t first = w->skip < (int64_t)b->n ? (size_t)w->skip : b->n;
  note_finished(w, b->events, b->n);
  if (b->n)
    w->after = b->events[b->n - 1].id;
  w->skip = 0;
  if (!push(w, MSG_RUN_LOGS, b, first, b->n - first, more))
    w->done = true;
  w->past = more;
  batch_unref(b);
}

/* Sends each new event of one run, one message an event, to the live
 * subscriptions ws[0..n) of that run (one query for them all). They look
 * again at once while events remain, after SAFETY_POLL_MS when their store
 * is `notified`, whose notifications wake them before (a store that
 * does not notify, or whose notifications broke, is not), else on the
 * next round. */
static void poll_live(watch **ws, size_t n, uint64_t now, const store *notified) {
  int64_t from = ws[0]->after;
  for (size_t i = 1; i < n; i++)
    from = ws[i]->after < from ? ws[i]->after : from;
  bool more = false;
  store_error err = {{0}};
  batch *b = read_events(ws[0], from, ws[0]->chunk, &more, &err);
  for (size_t i = 0; i < n; i++) {
    watch *w = ws[i];
    if (!b || !b->run) { /* a storage error, or the run was deleted: the end */
      finish(w, b ? NULL : err.message);
      continue;
    }
    for (size_t k = 0; k < b->n && !w->done; k++) {
      if (b->events[k].id <= w->after)
        continue;
      w->after = b->events[k].id;
      note_finished(w, &b->events[k], 1);
      if (!push(w, MSG_RUN_LOGS, b, k, 1, false))
        w->done = true;
    }
    if (more)
      w->due_ms = now;
    else if (!b->n && w->finished)
      w->due_ms = now + FINISHED_POLL_MS;
    else
      w->due_ms = w->inst->store == notified ? now + SAFETY_POLL_MS : now;
  }
  batch_unref(b);
}

/* Orders live subscriptions by instance and run, so a run's are adjacent. */
static int by_run(const void *x, const void *y) {
  const watch *a = *(watch *const *)x, *b = *(watch *const *)y;
  if (a->inst != b->inst)
    return (uintptr_t)a->inst < (uintptr_t)b->inst ? -1 : 1;
  return strcmp(a->run_id, b->run_id);
}

/* ---- polling captured logs ---- */

/* The two offsets of a cursor as dagd writes it ("<stdout>:<stderr>");
 * NULL or "" is 0:0. False for any other text (events.c reads the forms
 * Python's int() accepts: the next read settles those). */
static bool cursor_offsets(const char *cursor, int64_t off[2]) {
  off[0] = off[1] = 0;
  if (!cursor || !*cursor)
    return true;
  const char *p = cursor;
  for (int s = 0; s < 2; s++) {
    if (*p < '0' || *p > '9')
      return false;
    for (; *p >= '0' && *p <= '9'; p++) {
      if (off[s] > (INT64_MAX - (*p - '0')) / 10)
        return false;
      off[s] = off[s] * 10 + (*p - '0');
    }
    if (*p != (s == 0 ? ':' : '\0'))
      return false;
    p++;
  }
  return true;
}

/* The size of one stream's file of w's key (0 when missing or unreadable). */
static int64_t log_size(const watch *w, run_log_stream s, arena *a) {
  buf path;
  buf_init(&path, a);
  struct stat st;
  if (!run_compute_log_path(w->inst, (const char *const *)w->key, w->n_key, s, &path) ||
      stat(buf_cstr(&path), &st) != 0)
    return 0;
  return st.st_size;
}

/* Whether w's run can no longer write to its logs: finished, or no such run. */
static bool run_over(const watch *w, arena *a) {
  store_error err = {{0}};
  store_run *run = store_run_get(w->inst->store, w->run_id, a, &err);
  return run ? store_run_status_finished(run->status) : !err.message[0];
}

static void poll_captured(watch *w, uint64_t now, arena *a) {
  pthread_mutex_lock(&W.lock);
  bool pending = w->pending, failed = w->failed, first = w->first;
  int64_t off[2];
  bool known = cursor_offsets(w->cursor, off);
  pthread_mutex_unlock(&W.lock);
  if (failed) {
    finish(w, NULL);
    return;
  }
  if (pending)
    return; /* polled again next round: the read runs soon */
  /* The run's end first: once it is over, the sizes seen next are final. */
  bool over = run_over(w, a);
  bool grew = first || !known || log_size(w, RUN_LOG_STDOUT, a) > off[0] ||
              log_size(w, RUN_LOG_STDERR, a) > off[1];
  if (grew) {
    pthread_mutex_lock(&W.lock);
    w->pending = true;
    w->first = false;
    pthread_mutex_unlock(&W.lock);
    if (!push(w, MSG_CAPTURED_LOGS, NULL, 0, 0, false))
      w->done = true;
  } else if (over) {
    finish(w, NULL);
  } else {
    w->due_ms = now + IDLE_LOGS_MS;
  }
}

/* ---- the thread ---- */

/* Polls the subscriptions ws[0..n) once; notified: the store whose
 * changes wake the thread (NULL: none does). */
static void poll_all(watch **ws, size_t n, uint64_t now, arena *scratch, const store *notified) {
  size_t n_live = 0;
  for (size_t i = 0; i < n; i++) {
    watch *w = ws[i];
    arena_reset(scratch);
    if (w->kind == WATCH_CAPTURED_LOGS)
      poll_captured(w, now, scratch);
    else if (w->past)
      poll_past(w);
    else
      ws[n_live++] = w; /* ws[n_live..] are not needed again */
  }
  qsort(ws, n_live, sizeof *ws, by_run);
  for (size_t i = 0, j; i < n_live; i = j) {
    for (j = i + 1; j < n_live && by_run(&ws[i], &ws[j]) == 0; j++)
      ;
    poll_live(ws + i, j - i, now, notified);
  }
}

/* ---- waiting for changes ---- */

/* A watcher thread's store watcher (storage.h's store_watch), opened by
 * the thread for itself after its first round (a connection must not
 * hold up the first messages) and closed before it ends, so always
 * before the store closes (the last cancel joins the thread). It watches
 * the store of the first pipelineRunLogs subscription the thread sees: a
 * process serves one instance, and subscriptions of another store are
 * polled every POLL_MS. A store whose watcher does not notify (SQLite:
 * it only paces a poll) is polled too, without a watcher. */
typedef struct listener {
  store *store;       /* NULL until a subscription names one */
  store_watch *watch; /* NULL: not open (none yet, it broke, or polls) */
  bool polls;         /* the store does not notify: never opened again */
  bool failing;       /* the last open failed, or the watcher broke */
  uint64_t retry_ms;  /* when to open it again after a failure */
  /* Where troubles go (the api_context's, NULL: nowhere). */
  void (*report)(void *data, const char *message);
  void *report_data;
} listener;

/* Tells l's report hook, once a change, that notifications failed
 * (error: why) or work again (error NULL); called without the lock. */
static void listener_report(listener *l, const char *error) {
  bool failing = error != NULL;
  if (failing == l->failing)
    return;
  l->failing = failing;
  if (!l->report)
    return;
  char message[700];
  if (error)
    snprintf(message, sizeof message,
             "subscriptions: no change notifications from the store, looking every %d ms "
             "until they work: %s",
             POLL_MS, error);
  else
    snprintf(message, sizeof message, "subscriptions: change notifications from the store work");
  l->report(l->report_data, message);
}

/* Names l's store (and its report hook) after some listed
 * pipelineRunLogs subscription, when not named yet; the caller holds the
 * lock. */
static void listener_pick_store_locked(listener *l) {
  for (watch *w = W.list; w && !l->store; w = w->next) {
    if (w->kind == WATCH_RUN_LOGS && !w->missing_id) {
      l->store = w->inst->store;
      l->report = w->report;
      l->report_data = w->report_data;
    }
  }
}

/* Makes the live pipelineRunLogs subscriptions of s that runs names (all
 * of them when runs is NULL or says all) due by due_ms; the caller holds
 * the lock. Past chunks are due anyway; a finished run keeps its slow
 * pace unless a notification names it (an event after its end, or its
 * deletion, which ends the stream). Those being polled set their own
 * next time. */
static void wake_live_locked(const store *s, const store_watch_runs *runs, uint64_t due_ms) {
  bool all = !runs || runs->all;
  if (!all && runs->n == 0)
    return;
  for (watch *w = W.list; w; w = w->next) {
    if (w->kind != WATCH_RUN_LOGS || w->polling || w->past || w->inst->store != s ||
        w->due_ms <= due_ms)
      continue;
    bool named = false;
    for (size_t i = 0; !all && !named && i < runs->n; i++)
      named = strcmp(runs->ids[i], w->run_id) == 0;
    if (named || (all && !w->finished))
      w->due_ms = due_ms;
  }
}

/* The earliest time a listed subscription is due (UINT64_MAX: none); the
 * caller holds the lock. */
static uint64_t next_due_locked(void) {
  uint64_t next = UINT64_MAX;
  for (watch *w = W.list; w; w = w->next)
    if (!w->polling && !w->cancelled && !w->done && w->due_ms < next)
      next = w->due_ms;
  return next;
}

/* Takes l's watcher away from interrupts and from l (before it closes);
 * the caller holds the lock. */
static void listener_detach_locked(listener *l) {
  if (W.watch == l->watch)
    W.watch = NULL;
  l->watch = NULL;
}

/* Closes l's watcher after it broke (error: why): the subscriptions poll
 * until a new one opens, from now on, as notifications may have been
 * missed. The caller holds the lock, released while it closes. */
static void listener_broke_locked(listener *l, const char *error) {
  store_watch *sw = l->watch;
  listener_detach_locked(l);
  l->retry_ms = now_ms() + REOPEN_MS;
  wake_live_locked(l->store, NULL, 0);
  pthread_mutex_unlock(&W.lock);
  store_watch_close(sw);
  listener_report(l, error);
  pthread_mutex_lock(&W.lock);
}

/* Opens l's watcher when it is not open and may be (re)tried; the caller
 * holds the lock, which is released while the store connects. An opening
 * wakes the live subscriptions: an event written between their last look
 * and the LISTEN taking effect sends no notification. */
static void listener_open_locked(listener *l) {
  if (l->watch || l->polls || now_ms() < l->retry_ms)
    return;
  listener_pick_store_locked(l);
  if (!l->store)
    return;
  pthread_mutex_unlock(&W.lock);
  store_error err = {{0}};
  store_watch *sw = store_watch_open(l->store, STORE_WATCH_EVENTS, &err);
  if (sw && !store_watch_notifies(sw)) {
    store_watch_close(sw);
    sw = NULL;
    l->polls = true;
  } else {
    listener_report(l, sw ? NULL : err.message);
  }
  pthread_mutex_lock(&W.lock);
  if (!sw) {
    l->retry_ms = now_ms() + REOPEN_MS; /* from the failure: a connect may take long */
    return;
  }
  l->watch = W.watch = sw;
  wake_live_locked(l->store, NULL, 0);
}

/* Waits up to timeout_ms for a change in l's store, or an interrupt (a
 * new subscription, a stop), without the lock (the caller holds it, and
 * holds it again after). The subscriptions of the runs a change names
 * become due, no sooner than MIN_ROUND_MS after round_ms, when the last
 * round began; a broken watcher is closed. */
static void listener_wait_locked(listener *l, int timeout_ms, uint64_t round_ms) {
  pthread_mutex_unlock(&W.lock);
  store_error err = {{0}};
  store_watch_runs runs;
  int rc = store_watch_wait_runs(l->watch, timeout_ms, POLL_MS, &runs, &err);
  pthread_mutex_lock(&W.lock);
  if (rc < 0)
    listener_broke_locked(l, err.message);
  else if (rc > 0)
    wake_live_locked(l->store, &runs, round_ms + MIN_ROUND_MS);
}

/* Without a watcher: as before notifications, a look every POLL_MS
 * (sooner when kicked or stopped); the caller holds the lock. */
static void pause_locked(void) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_nsec += POLL_MS * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_cond_timedwait(&W.wake, &W.lock, &until);
}

/* Gets the thread's attention (a subscription added, a stop): the
 * condition variable for its pauses, an interrupt for its store waits;
 * the caller holds the lock. */
static void wake_thread_locked(void) {
  pthread_cond_broadcast(&W.wake);
  store_watch_interrupt(W.watch);
}

static void *watcher_main(void *arg) {
  worker *self = arg;
  arena *scratch = arena_new(0);
  watch **work = NULL, **polled = NULL;
  size_t cap = 0;
  listener l = {0};
  pthread_mutex_lock(&W.lock);
  while (!self->stop) {
    uint64_t now = now_ms();
    size_t n = 0;
    for (watch *w = W.list; w; w = w->next) {
      if (w->polling || w->cancelled || w->done || w->due_ms > now)
        continue;
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        work = xrealloc(work, cap * sizeof *work);
        polled = xrealloc(polled, cap * sizeof *polled);
      }
      w->polling = true;
      work[n] = polled[n] = w;
      n++;
    }
    W.kick = false;
    pthread_mutex_unlock(&W.lock);
    /* poll_all reorders work; polled keeps what to settle afterwards. */
    poll_all(work, n, now, scratch, l.watch ? l.store : NULL);
    pthread_mutex_lock(&W.lock);
    for (size_t i = 0; i < n; i++) {
      watch *w = polled[i];
      w->polling = false;
      if (w->done || w->cancelled)
        unlink_locked(w);
    }
    if (!self->stop && !W.kick)
      listener_open_locked(&l);
    if (self->stop || W.kick)
      continue;
    if (!l.watch) {
      pause_locked();
      continue;
    }
    /* Something already due (a past chunk, a queued log read) waits one
     * POLL_MS, as it did before notifications: the pace of a round. */
    uint64_t next = next_due_locked(), after = now_ms();
    uint64_t ms = next <= after ? POLL_MS : next - after;
    listener_wait_locked(&l, (int)(ms < SAFETY_POLL_MS ? ms : SAFETY_POLL_MS), now);
  }
  store_watch *sw = l.watch;
  listener_detach_locked(&l);
  pthread_mutex_unlock(&W.lock);
  store_watch_close(sw);
  free(work);
  free(polled);
  arena_free(scratch);
  return NULL;
}

/* Lists w for polling, starting the thread when none runs; false when it
 * could not start one (w is then not listed). */
static bool watcher_add(watch *w) {
  pthread_once(&W.once, watcher_init);
  pthread_mutex_lock(&W.lock);
  if (!W.current) {
    worker *k = xcalloc(1, sizeof *k);
    if (pthread_create(&k->thread, NULL, watcher_main, k) != 0) {
      pthread_mutex_unlock(&W.lock);
      free(k);
      return false;
    }
    W.current = k;
  }
  watch_ref(w);
  w->listed = w->counted = true;
  w->due_ms = 0;
  w->next = W.list;
  W.list = w;
  W.active++;
  W.kick = true;
  wake_thread_locked();
  pthread_mutex_unlock(&W.lock);
  return true;
}

/* ---- the stream ---------------------------------------------------------------- */

static void watch_start(gql_stream *st, gql_sink *sink) {
  watch *w = (watch *)st;
  w->sink = sink;
  const char *error = NULL;
  if (w->missing_id) {
    push(w, MSG_FAILURE, NULL, 0, 0, false);
  } else if (!watcher_add(w)) {
    error = "The subscription could not start its watcher thread.";
  } else {
    return;
  }
  gql_sink_end(sink, error);
  w->sink_released = true;
  gql_sink_release(sink);
}

static void watch_cancel(gql_stream *st) {
  watch *w = (watch *)st;
  worker *stopped = NULL;
  pthread_mutex_lock(&W.lock);
  w->cancelled = true;
  if (w->listed && !w->polling)
    unlink_locked(w);
  if (w->counted) {
    w->counted = false;
    if (--W.active == 0 && W.current) {
      /* No subscription left: no thread either (joined here, so none
       * outlives the last subscription or touches a closed store). */
      stopped = W.current;
      W.current = NULL;
      stopped->stop = true;
      wake_thread_locked();
    }
  }
  pthread_mutex_unlock(&W.lock);
  if (stopped) {
    pthread_join(stopped->thread, NULL);
    free(stopped);
  }
  watch_unref(w);
}

static const gql_stream_ops watch_ops = {watch_start, watch_cancel};

static watch *watch_new(watch_kind kind, run_instance *inst, const gql_resolve_info *info) {
  watch *w = xcalloc(1, sizeof *w);
  w->base.ops = &watch_ops;
  w->kind = kind;
  atomic_init(&w->refs, 1);
  w->inst = inst;
  const api_context *ctx = info->context; /* not NULL: there is an instance */
  w->report = ctx->report;
  w->report_data = ctx->report_data;
  return w;
}

/* ---- the hooks -------------------------------------------------------------- */

/* The instance, or NULL with *error set to why there is none. */
static run_instance *instance_of(const gql_resolve_info *info, gql_rv *error) {
  gql_rv rv;
  run_instance *inst = api_instance(info, &rv);
  if (!inst)
    *error =
        gql_rv_errorf(info->arena, "%s", json_string_value(json_object_get(rv.u.json, "message")));
  return inst;
}

/* Dagster's get_chunk_size(): DAGSTER_UI_EVENT_LOAD_CHUNK_SIZE, then the
 * older DAGIT_EVENT_LOAD_CHUNK_SIZE, else 1000. */
static int chunk_size(void) {
  const char *names[] = {"DAGSTER_UI_EVENT_LOAD_CHUNK_SIZE", "DAGIT_EVENT_LOAD_CHUNK_SIZE"};
  for (size_t i = 0; i < API_COUNT(names); i++) {
    const char *v = getenv(names[i]);
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (v && *v && !*end && n > 0 && n <= 1000000000)
      return (int)n;
  }
  return DEFAULT_CHUNK;
}

static gql_rv subscribe_run_logs(const gql_resolve_info *info, void *data) {
  (void)data;
  gql_rv rv;
  run_instance *inst = instance_of(info, &rv);
  if (!inst)
    return rv;
  const char *run_id = api_arg_string(info, "runId");
  const char *cursor = api_arg_string(info, "cursor");
  store_error err = {{0}};
  store_run *run = store_run_get(inst->store, run_id, info->arena, &err);
  if (!run && err.message[0])
    return gql_rv_errorf(info->arena, "%s", err.message);
  watch *w = watch_new(WATCH_RUN_LOGS, inst, info);
  if (!run) {
    w->missing_id = xstrdup(run_id);
    return gql_rv_object(w, NULL);
  }
  memcpy(w->run_id, run->run_id, sizeof w->run_id);
  w->job_name = xstrdup(run->job_name ? run->job_name : "");
  w->chunk = chunk_size();
  if (cursor && strcmp(cursor, "HEAD") == 0) {
    /* Dagster's sigil: only what is written from now on. */
    int64_t last = store_events_last_id(inst->store, run->run_id, &err);
    if (last < 0) {
      watch_free(w);
      return gql_rv_errorf(info->arena, "%s", err.message);
    }
    w->after = last;
    return gql_rv_object(w, NULL);
  }
  api_log_position pos;
  if (!api_log_cursor_parse(cursor, &pos)) {
    watch_free(w);
    return gql_rv_errorf(info->arena, "Invalid cursor for fetching run events: %s", cursor);
  }
  w->past = true;
  w->skip = pos.is_offset && pos.value > 0 ? pos.value : 0;
  w->after = pos.is_offset || pos.value < 0 ? 0 : pos.value;
  w->given_cursor = cursor && *cursor ? xstrdup(cursor) : NULL;
  return gql_rv_object(w, NULL);
}

static gql_rv subscribe_captured_logs(const gql_resolve_info *info, void *data) {
  (void)data;
  gql_rv rv;
  run_instance *inst = instance_of(info, &rv);
  if (!inst)
    return rv;
  const gql_value *key = gql_arg(info, "logKey");
  size_t n = key && key->kind == GQL_VALUE_LIST ? key->n_items : 0;
  for (size_t i = 0; i < n; i++) {
    const gql_value *part = key->items[i];
    if (part->kind != GQL_VALUE_STRING || strlen(part->str) != part->str_len)
      return gql_rv_errorf(info->arena, "A log key part holds a NUL byte.");
  }
  watch *w = watch_new(WATCH_CAPTURED_LOGS, inst, info);
  w->key = xcalloc(n + 1, sizeof *w->key);
  for (size_t i = 0; i < n; i++)
    w->key[i] = xstrdup(key->items[i]->str);
  w->n_key = n;
  /* [run_id, "compute_logs", step]: a first part that is no run id names
   * a run that does not exist, and whose logs are then complete. */
  if (n && strlen(w->key[0]) < sizeof w->run_id)
    strcpy(w->run_id, w->key[0]);
  const char *cursor = api_arg_string(info, "cursor");
  w->cursor = cursor ? xstrdup(cursor) : NULL;
  w->first = !cursor || !*cursor;
  return gql_rv_object(w, NULL);
}

/* ---- the resolvers ------------------------------------------------------------ */

#define MSG(p) ((const msg *)(p))

static gql_rv resolve_run_logs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const msg *m = parent;
  if (!m)
    return gql_rv_errorf(info->arena, "pipelineRunLogs is a subscription.");
  if (m->kind == MSG_FAILURE)
    return api_error(info, "PipelineRunLogsSubscriptionFailure",
                     arena_printf(info->arena, "Could not load run with id %s", m->w->missing_id),
                     "missingRunId", m->w->missing_id, (const char *)NULL);
  return api_object(info, m, "PipelineRunLogsSubscriptionSuccess");
}

/* The run as read with the message's events (Dagster shows the record it
 * read at the start; its status would be stale by the time the run's end
 * arrives). It lives as long as the message. */
static gql_rv resolve_success_run(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  return api_run_object(info, MSG(parent)->b->run);
}

static gql_rv resolve_success_messages(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)data;
  const msg *m = parent;
  gql_rv list = gql_rv_list(info->arena, m->count);
  for (size_t i = 0; i < m->count; i++)
    list.u.list.items[i] = api_event_object(info, &m->b->events[m->first + i], m->w->job_name);
  return list;
}

static gql_rv resolve_success_has_more(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)info, (void)data;
  return gql_rv_bool(MSG(parent)->has_more);
}

/* After the message's last event; with none, where the client asked to
 * start (Dagster's get_records_for_run keeps the cursor it was given). */
static gql_rv resolve_success_cursor(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const msg *m = parent;
  if (m->count)
    return gql_rv_string(
        api_log_cursor_text(info->arena, m->b->events[m->first + m->count - 1].id));
  if (m->w->given_cursor)
    return gql_rv_string(m->w->given_cursor);
  return gql_rv_string(api_log_cursor_text(info->arena, -1));
}

/* Reads the next chunk from where the last read ended, and moves the
 * cursor on for the watcher. */
static gql_rv resolve_captured_logs(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const msg *m = parent;
  if (!m)
    return gql_rv_errorf(info->arena, "capturedLogs is a subscription.");
  watch *w = m->w;
  pthread_mutex_lock(&W.lock);
  const char *cursor = w->cursor ? arena_strdup(info->arena, w->cursor) : NULL;
  pthread_mutex_unlock(&W.lock);
  const char *next;
  gql_rv logs = api_captured_logs(info, (const char *const *)w->key, w->n_key, cursor,
                                  LOG_CHUNK_BYTES, &next);
  pthread_mutex_lock(&W.lock);
  if (next) {
    free(w->cursor);
    w->cursor = xstrdup(next);
  } else {
    w->failed = true;
  }
  w->pending = false;
  pthread_mutex_unlock(&W.lock);
  return logs;
}

static const api_resolver subscription_resolvers[] = {
    {"Subscription.pipelineRunLogs", resolve_run_logs},
    {"Subscription.capturedLogs", resolve_captured_logs},
    {"PipelineRunLogsSubscriptionSuccess.run", resolve_success_run},
    {"PipelineRunLogsSubscriptionSuccess.messages", resolve_success_messages},
    {"PipelineRunLogsSubscriptionSuccess.hasMorePastEvents", resolve_success_has_more},
    {"PipelineRunLogsSubscriptionSuccess.cursor", resolve_success_cursor},
};

static const char *const subscription_json_types[] = {"PipelineRunLogsSubscriptionFailure"};

int api_subscriptions_attach(gql_schema *s, char *err, size_t err_size) {
  if (gql_schema_set_subscribe(s, "Subscription.pipelineRunLogs", subscribe_run_logs, NULL) != 0 ||
      gql_schema_set_subscribe(s, "Subscription.capturedLogs", subscribe_captured_logs, NULL) !=
          0) {
    snprintf(err, err_size, "the API schema has no Subscription.pipelineRunLogs or capturedLogs");
    return -1;
  }
  if (api_json_types(s, subscription_json_types, API_COUNT(subscription_json_types), err,
                     err_size) != 0)
    return -1;
  return api_attach(s, subscription_resolvers, API_COUNT(subscription_resolvers), err, err_size);
}
