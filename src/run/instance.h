/* instance.h — the dagd instance: the folder $DAGD_HOME (default ./.dagd)
 * holding the storage and the run artifacts, configured by an optional
 * dagd.yaml there (Dagster's dagster.yaml plays the same role).
 *
 * dagd.yaml (every key optional; unknown keys are errors, reported as
 * "dagd.yaml:line:column: …"):
 *
 *   storage:
 *     sqlite:
 *       base_dir: history        # the SQLite database is <base_dir>/runs.db
 *   local_artifact_storage:
 *     base_dir: storage          # op outputs: <base_dir>/<run_id>/<step_key>/<output>
 *   compute_logs:
 *     base_dir: storage          # <base_dir>/<run_id>/compute_logs/<step_key>.out|.err
 *   run_launcher:
 *     terminate_grace_seconds: 5 # SIGTERM to an op's process group, then SIGKILL after this
 *
 * Relative folders are relative to $DAGD_HOME. Every path in the struct is
 * absolute. The instance is opened once per process (webserver, run worker)
 * and shared by its threads; it is read-only after opening apart from the
 * store, which is thread-safe. */
#ifndef DAGD_RUN_INSTANCE_H
#define DAGD_RUN_INSTANCE_H

#include "base/buf.h"
#include "storage/storage.h"

typedef struct run_instance {
  char *home;             /* absolute $DAGD_HOME, created when missing */
  char *database;         /* the SQLite database file */
  char *artifacts_dir;    /* local_artifact_storage.base_dir */
  char *compute_logs_dir; /* compute_logs.base_dir */
  double terminate_grace; /* seconds (default 5) */
  /* The dagd executable run workers are started from: this process's own
   * (/proc/self/exe) unless set otherwise (tests set it to build/dagd). */
  char *dagd_path;
  store *store;
} run_instance;

/* Opens the instance at home (NULL: $DAGD_HOME when set and not empty,
 * else ./.dagd), creating the folder and the database when missing. On
 * failure returns NULL with the reason appended to err. */
run_instance *run_instance_open(const char *home, buf *err);

/* Closes the store and frees the instance (NULL is allowed). */
void run_instance_close(run_instance *inst);

#endif
