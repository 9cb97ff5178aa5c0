/* sqlite_migrations.c — the SQLite schema, as an ordered list of versioned
 * migrations. sqlite.c applies the ones a database lacks at open, each in a
 * transaction of its own that also records the new version in
 * schema_version. A released migration never changes: a schema change is a
 * new entry at the end.
 *
 * The schema is shaped by the queries dagd runs on 100,000+ runs:
 * - runs.id (AUTOINCREMENT, never reused) orders runs newest first and is
 *   the cursor; run_id is the UUID text the API speaks.
 * - single-column indexes on status, job_name, snapshot_id, root_run_id,
 *   update_time end, as every SQLite index does, in the rowid (runs.id), so
 *   "status = ? ORDER BY id DESC LIMIT 10" walks one index backwards.
 * - run_tags and events point at runs.id (an integer, not the 36-byte
 *   text) and go with their run (ON DELETE CASCADE). run_tags is keyed by
 *   (run_pk, key) to read a run's tags in key order, and indexed by
 *   (key, value, run_pk) so that a tag filter reads the matching runs
 *   newest first straight from the index.
 * - events.id (AUTOINCREMENT) is the event cursor, increasing across the
 *   store; (run_pk, id) serves "a run's events after the cursor". Event
 *   types are stored by their RUN_* display names. */
#include "storage/sqlite_internal.h"

static const store_sqlite_migration migrations[] = {
    {1, "CREATE TABLE runs (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  run_id TEXT NOT NULL UNIQUE,\n"
        "  job_name TEXT NOT NULL,\n"
        "  repository_name TEXT,\n"
        "  location_name TEXT,\n"
        "  status TEXT NOT NULL,\n"
        "  mode TEXT,\n"
        "  run_config TEXT,\n"
        "  snapshot_id TEXT,\n"
        "  op_selection TEXT,\n"
        "  resolved_op_selection TEXT,\n"
        "  step_keys_to_execute TEXT,\n"
        "  parent_run_id TEXT,\n"
        "  root_run_id TEXT,\n"
        "  create_time REAL NOT NULL,\n"
        "  update_time REAL NOT NULL,\n"
        "  start_time REAL,\n"
        "  end_time REAL,\n"
        "  worker_pid INTEGER NOT NULL DEFAULT 0\n"
        ");\n"
        "CREATE INDEX runs_by_status ON runs(status);\n"
        "CREATE INDEX runs_by_job ON runs(job_name);\n"
        "CREATE INDEX runs_by_snapshot ON runs(snapshot_id);\n"
        "CREATE INDEX runs_by_root ON runs(root_run_id) WHERE root_run_id IS NOT NULL;\n"
        "CREATE INDEX runs_by_update_time ON runs(update_time);\n"
        "CREATE TABLE run_tags (\n"
        "  run_pk INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
        "  key TEXT NOT NULL,\n"
        "  value TEXT NOT NULL,\n"
        "  PRIMARY KEY (run_pk, key)\n"
        ") WITHOUT ROWID;\n"
        "CREATE INDEX run_tags_by_key_value ON run_tags(key, value, run_pk);\n"
        "CREATE TABLE events (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  run_pk INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
        "  timestamp REAL NOT NULL,\n"
        "  event_type TEXT,\n"
        "  level INTEGER NOT NULL,\n"
        "  step_key TEXT,\n"
        "  message TEXT,\n"
        "  body TEXT\n"
        ");\n"
        "CREATE INDEX events_by_run ON events(run_pk, id);\n"
        "CREATE TABLE snapshots (\n"
        "  snapshot_id TEXT PRIMARY KEY,\n"
        "  body BLOB NOT NULL\n"
        ");\n"},
    /* The daemon's heartbeat, one row per daemon type (Dagster's
     * daemon_heartbeats). */
    {2, "CREATE TABLE daemon_heartbeats (\n"
        "  daemon_type TEXT PRIMARY KEY,\n"
        "  daemon_id TEXT NOT NULL,\n"
        "  timestamp REAL NOT NULL\n"
        ");\n"},
    /* Runs offered to `dagd worker` processes (store_worker_offer): id is
     * the offering order; worker_id is NULL while the offer waits, the
     * claiming worker's id once taken, and '' when it was dropped (its run
     * was no longer STARTING when a claim reached it). The partial index
     * holds only waiting offers, so a claim is one probe however many
     * claimed offers pile up behind it. An offer goes with its run. */
    {3, "CREATE TABLE worker_offers (\n"
        "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
        "  run_pk INTEGER NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,\n"
        "  offered_at REAL NOT NULL,\n"
        "  worker_id TEXT,\n"
        "  claimed_at REAL\n"
        ");\n"
        "CREATE INDEX worker_offers_waiting ON worker_offers(id) WHERE worker_id IS NULL;\n"},
};

const store_sqlite_migration *store_sqlite_migrations(size_t *n) {
  *n = sizeof migrations / sizeof migrations[0];
  return migrations;
}
