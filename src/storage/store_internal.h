/* store_internal.h — what the storage implementations share, private to
 * src/storage/.
 *
 * A store is a table of function pointers (store_ops) that an
 * implementation fills: sqlite.c and postgres.c. The public
 * functions of storage.h (store.c) check their arguments once for every
 * implementation and dispatch through the table, so an implementation may
 * assume: non-NULL store, run ids that are non-NULL, non-NULL out-pointers,
 * and a cleared err. */
#ifndef DAGD_STORAGE_STORE_INTERNAL_H
#define DAGD_STORAGE_STORE_INTERNAL_H

#include "storage/storage.h"

#include <stdarg.h>

typedef struct store_ops {
  void (*close)(store *s);
  int (*run_add)(store *s, const store_run *run, store_error *err);
  store_run *(*run_get)(store *s, const char *run_id, arena *a, store_error *err);
  store_run *(*runs_list)(store *s, const store_runs_filter *f, const char *cursor, int limit,
                          arena *a, size_t *n, store_error *err);
  int64_t (*runs_count)(store *s, const store_runs_filter *f, store_error *err);
  int (*run_delete)(store *s, const char *run_id, bool *found, store_error *err);
  /* Must claim atomically (see storage.h): two processes racing to claim
   * one run get one winner. */
  int (*run_set_worker)(store *s, const char *run_id, int64_t pid, bool *claimed, store_error *err);
  int (*run_add_tags)(store *s, const char *run_id, const store_tag *tags, size_t n,
                      store_error *err);
  const char *const *(*tag_keys)(store *s, arena *a, size_t *n, store_error *err);
  /* keys arrive sorted and distinct (store.c normalizes them). */
  store_tag *(*tags)(store *s, const char *const *keys, size_t n_keys, const char *value_prefix,
                     int limit, arena *a, size_t *n, store_error *err);
  store_run *(*run_group)(store *s, const char *run_id, const char **root_id, arena *a, size_t *n,
                          store_error *err);
  int64_t (*event_append)(store *s, const store_event *ev, store_error *err);
  store_event *(*events)(store *s, const char *run_id, int64_t after, int limit, arena *a,
                         size_t *n, bool *has_more, store_error *err);
  int64_t (*events_last_id)(store *s, const char *run_id, store_error *err);
  store_event *(*event_last_of_type)(store *s, const char *run_id, const char *event_type, arena *a,
                                     store_error *err);
  int (*snapshot_put)(store *s, const char *snapshot_id, const char *text, size_t len,
                      store_error *err);
  char *(*snapshot_get)(store *s, const char *snapshot_id, arena *a, size_t *len, store_error *err);
  int (*daemon_heartbeat)(store *s, const char *daemon_type, const char *daemon_id, double now,
                          double stale, bool *claimed, store_error *err);
  int (*daemon_heartbeat_get)(store *s, const char *daemon_type, arena *a, const char **daemon_id,
                              double *timestamp, bool *found, store_error *err);
  int (*worker_offer)(store *s, const char *run_id, double now, store_error *err);
  /* Must hand each offer to one claimer (see storage.h). */
  int (*worker_claim)(store *s, const char *worker_id, double now, char run_id[37], bool *found,
                      store_error *err);
  int (*worker_release)(store *s, const char *run_id, const char *worker_id, bool *released,
                        store_error *err);
  /* NULL for a backend without notifications: store.c then gives a
   * watcher that only paces a poll. mask is not 0. */
  store_watch *(*watch_open)(store *s, int mask, store_error *err);
} store_ops;

/* The head of every implementation's watcher struct: wait and close are
 * the implementation's (timeout_ms >= 0, poll_ms > 0; runs NULL, or
 * emptied, to add what notifications name with store_watch_runs_add).
 * The implementation sets notifies; store.c owns wake_fd (an eventfd that
 * store_watch_interrupt signals), made after the implementation's open
 * and closed before its close. A wait ends when it is signalled: waits
 * use store_watch_poll. */
struct store_watch {
  int (*wait)(store_watch *w, int timeout_ms, int poll_ms, store_watch_runs *runs,
              store_error *err);
  void (*close)(store_watch *w);
  bool notifies;
  int wake_fd;
};

/* Waits up to timeout_ms for fd (-1: none) to become readable or for an
 * interrupt of w. 1: interrupted (the interrupt is used up); 0: not,
 * *ready telling whether fd is readable (false: the time ran out); -1
 * with err set when it cannot wait. */
int store_watch_poll(store_watch *w, int fd, int timeout_ms, bool *ready, store_error *err);
/* Notes in runs (NULL: nothing to do) the run a notification's payload
 * names, once; a payload that is no run id, or one run too many, makes
 * runs->all true. */
void store_watch_runs_add(store_watch_runs *runs, const char *payload);

/* The head of every implementation's store struct. */
struct store {
  const store_ops *ops;
};

/* Fills err->message (printf format) and returns -1. */
int store_fail(store_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The status an event type moves its run to (Dagster's
 * EVENT_TYPE_TO_PIPELINE_RUN_STATUS, by RUN_* display names); false when the
 * type (or NULL) changes nothing. */
bool store_event_type_status(const char *event_type, store_run_status *out);

/* Sleeps before a retried transaction: between half of *delay_us and all
 * of it (jitter, an xorshift state, spreads colliding writers out), then
 * doubles *delay_us up to max_us. */
void store_retry_pause(uint64_t *jitter, unsigned *delay_us, unsigned max_us);

#endif
