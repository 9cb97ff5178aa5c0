/* instance.h — the dagd instance: the folder $DAGD_HOME (default ./.dagd)
 * holding the storage and the run artifacts, configured by an optional
 * dagd.yaml there (Dagster's dagster.yaml plays the same role).
 *
 * dagd.yaml (every key optional; unknown keys are errors, reported as
 * "dagd.yaml:line:column: …"):
 *
 *   storage:                     # one of sqlite (the default) and postgres
 *     sqlite:
 *       base_dir: history        # the SQLite database is <base_dir>/runs.db
 *     postgres:                  # Dagster's dagster-postgres keys; one of:
 *       postgres_url: "postgresql://user@host:5432/db"   # or {env: VARIABLE}
 *       postgres_db:
 *         username: dagd
 *         password: {env: DAGD_PG_PASSWORD}  # StringSource: any value here
 *         hostname: db.internal              # may be {env: VARIABLE}
 *         port: 5432                         # optional
 *         db_name: dagd
 *         params: {sslmode: require}         # optional: more libpq keywords
 *       should_autocreate_tables: true       # checked and ignored
 *       pool_size: 10            # dagd's own (Dagster has none): the most
 *                                # connections this process keeps open to the
 *                                # server, shared by its threads (1-1000);
 *                                # change watchers have one each besides.
 *                                # Size max_connections for every process of
 *                                # every host (docs/deploying.md)
 *   local_artifact_storage:
 *     base_dir: storage          # op outputs: <base_dir>/<run_id>/<step_key>/<output>
 *   compute_logs:
 *     base_dir: storage          # <base_dir>/<run_id>/compute_logs/<step_key>.out|.err
 *   run_launcher:
 *     terminate_grace_seconds: 5 # SIGTERM to an op's process group, then SIGKILL after this
 *     workers: false             # true: a launch offers the run to the `dagd worker`
 *                                # processes (docs/deploying.md) instead of starting
 *                                # `dagd execute-run` on the launching host
 *     worker_heartbeat_timeout: 60  # seconds (above 0): a `dagd worker` silent this long
 *                                   # is gone, and run monitoring fails its runs; the
 *                                   # same in every process of the instance (workers
 *                                   # pace their beats and claims by it, the daemon
 *                                   # judges them by it)
 *   run_coordinator:             # Dagster's syntax; module is optional and ignored
 *     class: QueuedRunCoordinator   # or DefaultRunCoordinator (the default: launch at once)
 *     config:
 *       max_concurrent_runs: 10     # -1: no limit, 0: launch nothing
 *       dequeue_interval_seconds: 5
 *       tag_concurrency_limits:
 *         - {key: team, value: ml, limit: 2}
 *         - {key: db, value: {applyLimitPerUniqueValue: true}, limit: 1}
 *         - {key: heavy, limit: 1}          # any value
 *   run_monitoring:
 *     enabled: true                 # dagd's default (Dagster OSS: false): the check is cheap
 *     start_timeout_seconds: 180    # 0: no limit
 *     cancel_timeout_seconds: 180   # 0: no limit
 *     poll_interval_seconds: 5      # Dagster: 120
 *     max_runtime_seconds: 0        # 0: none (the dagster/max_runtime tag sets one per run)
 *     # Dagster's max_resume_run_attempts (an integer from 0),
 *     # cancellation_thread_poll_interval_seconds (above 0) and
 *     # free_slots_after_run_end_seconds (from 0) are checked and ignored,
 *     # as run_coordinator.module is: dagd does not resume runs, and has
 *     # neither a cancellation thread nor concurrency slots.
 *
 * Relative folders are relative to $DAGD_HOME. Every path in the struct is
 * absolute. The instance is opened once per process (webserver, run worker)
 * and shared by its threads; it is read-only after opening apart from the
 * store, which is thread-safe. */
#ifndef DAGD_RUN_INSTANCE_H
#define DAGD_RUN_INSTANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "storage/storage.h"

/* One of Dagster's tag_concurrency_limits. */
typedef struct run_tag_limit {
  const char *key;
  const char *value;     /* NULL: any value (all values share the limit) */
  bool per_unique_value; /* applyLimitPerUniqueValue: the limit holds for each value */
  int limit;
} run_tag_limit;

/* The run coordinator (Dagster's DefaultRunCoordinator or
 * QueuedRunCoordinator). */
typedef struct run_coordinator_config {
  bool queued;             /* false: runs launch at once */
  int max_concurrent_runs; /* default 10; -1: no limit */
  double dequeue_interval; /* seconds, default 5 */
  const run_tag_limit *tag_limits;
  size_t n_tag_limits;
} run_coordinator_config;

/* Run monitoring (Dagster's run_monitoring). */
typedef struct run_monitoring_config {
  bool enabled;          /* default true */
  double start_timeout;  /* seconds in STARTING before FAILURE; default 180, 0: none */
  double cancel_timeout; /* seconds in CANCELING before CANCELED; default 180, 0: none */
  double poll_interval;  /* seconds between checks; default 5 */
  double max_runtime;    /* seconds; 0: none */
} run_monitoring_config;

typedef struct run_instance {
  char *home;             /* absolute $DAGD_HOME, created when missing */
  char *database;         /* the SQLite database file; NULL on PostgreSQL */
  char *artifacts_dir;    /* local_artifact_storage.base_dir */
  char *compute_logs_dir; /* compute_logs.base_dir */
  /* The libpq connection string of storage.postgres; NULL on SQLite. It
   * may hold a password: never log or print it. */
  char *postgres_conninfo;
  int postgres_pool_size; /* storage.postgres.pool_size (default 10); 0 on SQLite */
  double terminate_grace; /* seconds (default 5) */
  /* run_launcher.workers: launches are offered to `dagd worker`
   * processes (default false: started on the launching host). */
  bool use_workers;
  double worker_heartbeat_timeout; /* seconds (default 60) */
  run_coordinator_config coordinator;
  run_monitoring_config monitoring;
  /* The dagd executable run workers are started from: this process's own
   * (/proc/self/exe) unless set otherwise (tests set it to build/dagd). */
  char *dagd_path;
  store *store;
  /* Called by run_submit after it queued a run (NULL: nothing), from the
   * submitting thread: `dagd dev` wakes its daemon this way, so a queued
   * run starts without waiting for the next dequeue interval. Set before
   * the instance is shared, like everything else here. */
  void (*on_submit)(void *data);
  void *on_submit_data;
} run_instance;

/* Opens the instance at home (NULL: $DAGD_HOME when set and not empty,
 * else ./.dagd), creating the folder and the database when missing. On
 * failure returns NULL with the reason appended to err. */
run_instance *run_instance_open(const char *home, buf *err);

/* Closes the store and frees the instance (NULL is allowed). */
void run_instance_close(run_instance *inst);

#endif
