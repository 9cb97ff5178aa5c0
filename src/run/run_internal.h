/* run_internal.h — what the files of src/run/ share (private to it): run
 * id checks, filling a run_error, reporting an event from outside the run
 * worker as Dagster's instance does; loading a run, removing a run's
 * folders and telling whether a run's worker is this host's
 * (run_internal.c). */
#ifndef DAGD_RUN_INTERNAL_H
#define DAGD_RUN_INTERNAL_H

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "run/events.h"
#include "run/launch.h"

/* Whether id has the shape of a UUID (8-4-4-4-12 hex digits): run ids
 * become folder names, so anything else (a '/', "..") is refused before a
 * path is built from it. */
static inline bool run_id_is_uuid(const char *id) {
  if (!id)
    return false;
  for (int i = 0; i < 36; i++) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? id[i] != '-' : !isxdigit((unsigned char)id[i]))
      return false;
  }
  return id[36] == '\0';
}

__attribute__((format(printf, 3, 4))) static inline int
run_fail(run_error *err, run_error_code code, const char *fmt, ...) {
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return -1;
}

/* Dagster's RunNotFoundError text. */
#define RUN_NOT_FOUND_FMT "Run %s could not be found."
/* Dagster's message for a run marked CANCELED by someone other than its
 * worker (a queued run canceled, a dead worker's run, the monitor). */
#define RUN_CANCELED_OUTSIDE                                                                       \
  "This run has been marked as canceled from outside the execution context."

/* Events the instance reports about a run from outside its worker
 * (starting, canceling, failing it) are logged at INFO, as Dagster's
 * report_dagster_event does, except failures and cancellations (ERROR).
 * Returns false with err set (RUN_ERR_INTERNAL) when storage fails; body
 * is stolen. */
static inline bool run_report(store *s, const char *run_id, const char *type, const char *message,
                              json_t *body, run_error *err) {
  int level = run_event_level(type) == RUN_LEVEL_ERROR ? RUN_LEVEL_ERROR : RUN_LEVEL_INFO;
  if (type && strcmp(type, "ENGINE_EVENT") == 0 && body && json_object_get(body, "error"))
    level = RUN_LEVEL_ERROR; /* Dagster: an engine event carrying an error */
  store_error serr;
  if (run_event(s, run_id, type, level, NULL, message, body, &serr) < 0) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    return false;
  }
  return true;
}

/* The run (in arena a), or NULL with err set: RUN_ERR_NOT_FOUND for an id
 * that is no UUID or no run, RUN_ERR_INTERNAL when the store failed. */
store_run *run_load(run_instance *inst, const char *run_id, arena *a, run_error *err);

/* This process's host identity as run_launch records it (launch.h):
 * "<boot id>:<PID namespace inode>" into out; false (out empty) when /proc
 * does not tell. */
bool run_host_identity(char *out, size_t size);

/* Whether the run's worker pid can be judged here: the run was launched
 * from this host and PID namespace (RUN_TAG_WORKER_HOST), or before that
 * tag was recorded. A worker launched elsewhere is not ours to signal or
 * to declare dead; when this process cannot tell its own identity, no
 * tagged run counts as local. */
bool run_worker_is_local(const store_run *run);

/* rm -r of <dir>/<run_id>, symlinks removed, never followed. A folder
 * already gone is fine; with `racing`, so is one that something else (the
 * run's worker, its ops) writes into or removes meanwhile. Returns 0, or
 * the errno of the first failure with its path in failed (size bytes). */
int run_remove_run_dir(const char *dir, const char *run_id, bool racing, char *failed, size_t size);

#endif
