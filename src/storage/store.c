/* store.c — the storage interface shared by every implementation: status
 * names, the event → status table, run ids, and the public functions of
 * storage.h, which check their arguments here once and then dispatch
 * through the store's table of operations (store_internal.h). */
#include "storage/store_internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/mem.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static const char *const status_names[STORE_RUN_STATUS_COUNT] = {
    [STORE_RUN_QUEUED] = "QUEUED",     [STORE_RUN_NOT_STARTED] = "NOT_STARTED",
    [STORE_RUN_MANAGED] = "MANAGED",   [STORE_RUN_STARTING] = "STARTING",
    [STORE_RUN_STARTED] = "STARTED",   [STORE_RUN_SUCCESS] = "SUCCESS",
    [STORE_RUN_FAILURE] = "FAILURE",   [STORE_RUN_CANCELING] = "CANCELING",
    [STORE_RUN_CANCELED] = "CANCELED",
};

const char *store_run_status_name(store_run_status s) {
  if ((unsigned)s >= STORE_RUN_STATUS_COUNT)
    return NULL;
  return status_names[s];
}

int store_run_status_parse(const char *name) {
  if (!name)
    return -1;
  for (int i = 0; i < STORE_RUN_STATUS_COUNT; i++)
    if (strcmp(status_names[i], name) == 0)
      return i;
  return -1;
}

bool store_run_status_finished(store_run_status s) {
  return s == STORE_RUN_SUCCESS || s == STORE_RUN_FAILURE || s == STORE_RUN_CANCELED;
}

/* Event types are stored under their RUN_* display names (dagd's own
 * storage; Dagster's legacy PIPELINE_* values are not used). RUN_DEQUEUED
 * changes nothing, as in Dagster. */
static const struct {
  const char *type;
  store_run_status status;
} event_statuses[] = {
    {"RUN_ENQUEUED", STORE_RUN_QUEUED},   {"RUN_STARTING", STORE_RUN_STARTING},
    {"RUN_START", STORE_RUN_STARTED},     {"RUN_SUCCESS", STORE_RUN_SUCCESS},
    {"RUN_FAILURE", STORE_RUN_FAILURE},   {"RUN_CANCELING", STORE_RUN_CANCELING},
    {"RUN_CANCELED", STORE_RUN_CANCELED},
};

bool store_event_type_status(const char *event_type, store_run_status *out) {
  if (!event_type || strncmp(event_type, "RUN_", 4) != 0)
    return false;
  for (size_t i = 0; i < sizeof event_statuses / sizeof event_statuses[0]; i++) {
    if (strcmp(event_statuses[i].type, event_type) == 0) {
      *out = event_statuses[i].status;
      return true;
    }
  }
  return false;
}

int store_fail(store_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return -1;
}

/* ---- run ids ---- */

/* 16 bytes from the kernel's generator. getrandom without flags blocks only
 * until the pool is first seeded, and a 16-byte read returns whole unless
 * a signal interrupts it; any other failure (no getrandom in the kernel)
 * leaves no good source of ids, so it aborts as an allocation failure does. */
static void random_bytes(unsigned char b[16]) {
  ssize_t r;
  do
    r = getrandom(b, 16, 0);
  while (r < 0 && errno == EINTR);
  if (r != 16) {
    fprintf(stderr, "dagd: cannot read random bytes for a run id: %s\n",
            r < 0 ? strerror(errno) : "short read");
    abort();
  }
}

void store_new_run_id(char id[37]) {
  unsigned char b[16];
  random_bytes(b);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  static const char hex[] = "0123456789abcdef";
  char *p = id;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *p++ = '-';
    *p++ = hex[b[i] >> 4];
    *p++ = hex[b[i] & 15];
  }
  *p = '\0';
}

/* ---- dispatch ---- */

/* Clears err and checks the store; false (err filled) when there is none. */
static bool check(store *s, store_error *err) {
  err->message[0] = '\0';
  if (!s) {
    store_fail(err, "No store is open.");
    return false;
  }
  return true;
}

/* check, and that the run (or snapshot) id the operation needs is given. */
static bool check_id(store *s, const char *id, store_error *err) {
  if (!check(s, err))
    return false;
  if (!id) {
    store_fail(err, "An id is required.");
    return false;
  }
  return true;
}

void store_close(store *s) {
  if (s)
    s->ops->close(s);
}

int store_run_add(store *s, const store_run *run, store_error *err) {
  if (!check_id(s, run ? run->run_id : NULL, err))
    return -1;
  if (!run->run_id[0] || strnlen(run->run_id, sizeof run->run_id) == sizeof run->run_id)
    return store_fail(err, "A run needs a run id of at most 36 characters.");
  if (!run->job_name || !run->job_name[0])
    return store_fail(err, "Run %s needs a job name.", run->run_id);
  if ((unsigned)run->status >= STORE_RUN_STATUS_COUNT)
    return store_fail(err, "Run %s has an unknown status (%d).", run->run_id, (int)run->status);
  for (size_t i = 0; i < run->n_tags; i++)
    if (!run->tags[i].key || !run->tags[i].value)
      return store_fail(err, "Run %s has a tag without a key or value.", run->run_id);
  return s->ops->run_add(s, run, err);
}

store_run *store_run_get(store *s, const char *run_id, arena *a, store_error *err) {
  if (!check_id(s, run_id, err))
    return NULL;
  return s->ops->run_get(s, run_id, a, err);
}

store_run *store_runs_list(store *s, const store_runs_filter *f, const char *cursor, int limit,
                           arena *a, size_t *n, store_error *err) {
  *n = 0;
  if (!check(s, err))
    return NULL;
  static const store_runs_filter none;
  return s->ops->runs_list(s, f ? f : &none, cursor, limit, a, n, err);
}

int64_t store_runs_count(store *s, const store_runs_filter *f, store_error *err) {
  if (!check(s, err))
    return -1;
  static const store_runs_filter none;
  return s->ops->runs_count(s, f ? f : &none, err);
}

int store_run_delete(store *s, const char *run_id, bool *found, store_error *err) {
  bool ignored;
  if (!found)
    found = &ignored;
  *found = false;
  if (!check_id(s, run_id, err))
    return -1;
  return s->ops->run_delete(s, run_id, found, err);
}

int store_run_set_worker(store *s, const char *run_id, int64_t pid, bool *claimed,
                         store_error *err) {
  bool ignored;
  if (!claimed)
    claimed = &ignored;
  *claimed = false;
  if (!check_id(s, run_id, err))
    return -1;
  /* 0 means "no worker" in the claim, so it can never be one. */
  if (pid <= 0)
    return store_fail(err, "Run %s needs a worker process id above 0.", run_id);
  return s->ops->run_set_worker(s, run_id, pid, claimed, err);
}

int store_run_add_tags(store *s, const char *run_id, const store_tag *tags, size_t n,
                       store_error *err) {
  if (!check_id(s, run_id, err))
    return -1;
  for (size_t i = 0; i < n; i++)
    if (!tags[i].key || !tags[i].value)
      return store_fail(err, "A tag needs a key and a value.");
  return s->ops->run_add_tags(s, run_id, tags, n, err);
}

/* A binary search: the tags are sorted by key. */
const char *store_run_tag(const store_run *run, const char *key) {
  if (!run || !key)
    return NULL;
  size_t lo = 0, hi = run->n_tags;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(run->tags[mid].key, key);
    if (c == 0)
      return run->tags[mid].value;
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const char *const *store_tag_keys(store *s, arena *a, size_t *n, store_error *err) {
  *n = 0;
  if (!check(s, err))
    return NULL;
  return s->ops->tag_keys(s, a, n, err);
}

static int compare_strings(const void *x, const void *y) {
  return strcmp(*(const char *const *)x, *(const char *const *)y);
}

store_tag *store_tags(store *s, const char *const *keys, size_t n_keys, const char *value_prefix,
                      int limit, arena *a, size_t *n, store_error *err) {
  *n = 0;
  if (!check(s, err))
    return NULL;
  /* The keys sorted and distinct (NULLs dropped), for every backend. */
  const char **sorted = NULL;
  size_t distinct = 0;
  if (keys && n_keys) {
    sorted = ARENA_ARRAY(a, const char *, n_keys);
    size_t m = 0;
    for (size_t i = 0; i < n_keys; i++)
      if (keys[i])
        sorted[m++] = keys[i];
    qsort(sorted, m, sizeof *sorted, compare_strings);
    for (size_t i = 0; i < m; i++)
      if (!distinct || strcmp(sorted[distinct - 1], sorted[i]) != 0)
        sorted[distinct++] = sorted[i];
  }
  return s->ops->tags(s, sorted, distinct, value_prefix, limit, a, n, err);
}

void store_retry_pause(uint64_t *jitter, unsigned *delay_us, unsigned max_us) {
  *jitter ^= *jitter << 13;
  *jitter ^= *jitter >> 7;
  *jitter ^= *jitter << 17;
  unsigned us = *delay_us / 2 + (unsigned)(*jitter % (*delay_us / 2 + 1));
  struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
  *delay_us = *delay_us * 2 > max_us ? max_us : *delay_us * 2;
}

store_run *store_run_group(store *s, const char *run_id, const char **root_id, arena *a, size_t *n,
                           store_error *err) {
  *n = 0;
  if (root_id)
    *root_id = NULL;
  if (!check_id(s, run_id, err))
    return NULL;
  const char *ignored;
  return s->ops->run_group(s, run_id, root_id ? root_id : &ignored, a, n, err);
}

int64_t store_event_append(store *s, const store_event *ev, store_error *err) {
  if (!check_id(s, ev ? ev->run_id : NULL, err))
    return -1;
  return s->ops->event_append(s, ev, err);
}

store_event *store_events(store *s, const char *run_id, int64_t after, int limit, arena *a,
                          size_t *n, bool *has_more, store_error *err) {
  *n = 0;
  bool ignored;
  if (!has_more)
    has_more = &ignored;
  *has_more = false;
  if (!check_id(s, run_id, err))
    return NULL;
  return s->ops->events(s, run_id, after < 0 ? 0 : after, limit, a, n, has_more, err);
}

int64_t store_events_last_id(store *s, const char *run_id, store_error *err) {
  if (!check_id(s, run_id, err))
    return -1;
  return s->ops->events_last_id(s, run_id, err);
}

store_event *store_event_last_of_type(store *s, const char *run_id, const char *event_type,
                                      arena *a, store_error *err) {
  if (!check_id(s, run_id, err))
    return NULL;
  if (!event_type) {
    store_fail(err, "An event type is required.");
    return NULL;
  }
  return s->ops->event_last_of_type(s, run_id, event_type, a, err);
}

int store_snapshot_put(store *s, const char *snapshot_id, const char *text, size_t len,
                       store_error *err) {
  if (!check_id(s, snapshot_id, err))
    return -1;
  if (!text)
    return store_fail(err, "Snapshot %s has no text.", snapshot_id);
  return s->ops->snapshot_put(s, snapshot_id, text, len, err);
}

char *store_snapshot_get(store *s, const char *snapshot_id, arena *a, size_t *len,
                         store_error *err) {
  size_t ignored;
  if (!len)
    len = &ignored;
  *len = 0;
  if (!check_id(s, snapshot_id, err))
    return NULL;
  return s->ops->snapshot_get(s, snapshot_id, a, len, err);
}

int store_daemon_heartbeat(store *s, const char *daemon_type, const char *daemon_id, double now,
                           double stale, bool *claimed, store_error *err) {
  bool claimed_ignored;
  if (!claimed)
    claimed = &claimed_ignored;
  *claimed = false;
  if (!check_id(s, daemon_type, err))
    return -1;
  if (!daemon_id)
    return store_fail(err, "A daemon heartbeat needs the daemon's id.");
  if (!(stale >= 0)) /* also refuses NaN */
    return store_fail(err, "A daemon heartbeat's staleness limit must be 0 or more seconds.");
  return s->ops->daemon_heartbeat(s, daemon_type, daemon_id, now, stale, claimed, err);
}

int store_daemon_heartbeat_get(store *s, const char *daemon_type, arena *a, const char **daemon_id,
                               double *timestamp, bool *found, store_error *err) {
  const char *id_ignored;
  double time_ignored;
  bool found_ignored;
  if (!daemon_id)
    daemon_id = &id_ignored;
  if (!timestamp)
    timestamp = &time_ignored;
  if (!found)
    found = &found_ignored;
  *daemon_id = NULL;
  *timestamp = 0;
  *found = false;
  if (!check_id(s, daemon_type, err))
    return -1;
  return s->ops->daemon_heartbeat_get(s, daemon_type, a, daemon_id, timestamp, found, err);
}

/* ---- runs executed by `dagd worker` ---- */

int store_worker_offer(store *s, const char *run_id, double now, store_error *err) {
  if (!check_id(s, run_id, err))
    return -1;
  return s->ops->worker_offer(s, run_id, now, err);
}

int store_worker_claim(store *s, const char *worker_id, double now, char run_id[37], bool *found,
                       store_error *err) {
  bool ignored;
  if (!found)
    found = &ignored;
  *found = false;
  if (run_id)
    run_id[0] = '\0';
  if (!check_id(s, worker_id, err))
    return -1;
  if (!run_id)
    return store_fail(err, "A worker claim needs somewhere to put the run id.");
  return s->ops->worker_claim(s, worker_id, now, run_id, found, err);
}

int store_worker_release(store *s, const char *run_id, const char *worker_id, bool *released,
                         store_error *err) {
  bool ignored;
  if (!released)
    released = &ignored;
  *released = false;
  if (!check_id(s, run_id, err) || !check_id(s, worker_id, err))
    return -1;
  return s->ops->worker_release(s, run_id, worker_id, released, err);
}

/* ---- change notification ---- */

int store_watch_poll(store_watch *w, int fd, int timeout_ms, bool *ready, store_error *err) {
  *ready = false;
  int64_t deadline = clock_mono_ms() + timeout_ms;
  struct pollfd p[2] = {{.fd = w->wake_fd, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
  for (;;) {
    int64_t left = deadline - clock_mono_ms();
    int rc = poll(p, fd >= 0 ? 2 : 1, left > 0 ? (int)left : 0);
    if (rc < 0 && errno == EINTR)
      continue;
    if (rc < 0)
      return store_fail(err, "A store watcher cannot wait: %s", strerror(errno));
    if (p[0].revents) {
      eventfd_t count; /* nonblocking: another wait may have used it up */
      (void)eventfd_read(w->wake_fd, &count);
      return 1;
    }
    *ready = rc > 0;
    return 0;
  }
}

void store_watch_runs_add(store_watch_runs *runs, const char *payload) {
  if (!runs || runs->all)
    return;
  size_t len = payload ? strlen(payload) : 0;
  if (len == 0 || len >= sizeof runs->ids[0]) {
    runs->all = true;
    return;
  }
  for (size_t i = 0; i < runs->n; i++)
    if (strcmp(runs->ids[i], payload) == 0)
      return;
  if (runs->n == STORE_WATCH_MAX_RUNS)
    runs->all = true;
  else
    memcpy(runs->ids[runs->n++], payload, len + 1);
}

/* The watcher of a backend without notifications: every wait is a pause
 * of the poll interval (cut short by an interrupt), after which the
 * caller looks at everything again. */
static int pacing_wait(store_watch *w, int timeout_ms, int poll_ms, store_watch_runs *runs,
                       store_error *err) {
  bool ready;
  int rc = store_watch_poll(w, -1, timeout_ms < poll_ms ? timeout_ms : poll_ms, &ready, err);
  if (rc < 0)
    return -1;
  if (rc == 0 && runs)
    runs->all = true;
  return 1;
}

static void pacing_close(store_watch *w) { free(w); }

store_watch *store_watch_open(store *s, int mask, store_error *err) {
  if (!check(s, err))
    return NULL;
  if (mask == 0 || (mask & ~(STORE_WATCH_EVENTS | STORE_WATCH_OFFERS)) != 0) {
    store_fail(err, "A store watcher needs a mask of STORE_WATCH_EVENTS and STORE_WATCH_OFFERS.");
    return NULL;
  }
  store_watch *w;
  if (s->ops->watch_open) {
    if (!(w = s->ops->watch_open(s, mask, err)))
      return NULL;
  } else {
    w = xcalloc(1, sizeof *w);
    w->wait = pacing_wait;
    w->close = pacing_close;
  }
  w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->wake_fd < 0) {
    store_fail(err, "A store watcher cannot be interrupted: %s", strerror(errno));
    w->close(w);
    return NULL;
  }
  return w;
}

/* The checks of both waits. */
static int watch_wait(store_watch *w, int timeout_ms, int poll_ms, store_watch_runs *runs,
                      store_error *err) {
  err->message[0] = '\0';
  if (!w || timeout_ms < 0 || poll_ms <= 0)
    return store_fail(err, "A store watch needs a watcher, a timeout of 0 ms or more and a poll "
                           "interval above 0 ms.");
  return w->wait(w, timeout_ms, poll_ms, runs, err);
}

int store_watch_wait(store_watch *w, int timeout_ms, int poll_ms, store_error *err) {
  return watch_wait(w, timeout_ms, poll_ms, NULL, err);
}

int store_watch_wait_runs(store_watch *w, int timeout_ms, int poll_ms, store_watch_runs *runs,
                          store_error *err) {
  if (!runs) {
    err->message[0] = '\0';
    return store_fail(err, "A store watch for runs needs somewhere to put them.");
  }
  runs->n = 0;
  runs->all = false;
  return watch_wait(w, timeout_ms, poll_ms, runs, err);
}

void store_watch_interrupt(store_watch *w) {
  if (w)
    (void)eventfd_write(w->wake_fd, 1);
}

bool store_watch_notifies(const store_watch *w) { return w && w->notifies; }

void store_watch_close(store_watch *w) {
  if (!w)
    return;
  close(w->wake_fd);
  w->close(w);
}
