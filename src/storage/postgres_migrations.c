/* postgres_migrations.c — the PostgreSQL schema, as an ordered list of
 * versioned migrations, the same tables as SQLite's (sqlite_migrations.c)
 * so that every query reads alike. postgres.c applies the ones a database
 * lacks at open, each in a transaction of its own (under an advisory lock,
 * so processes opening at once do not race) that also records the new
 * version in schema_version. A released migration never changes: a schema
 * change is a new entry at the end.
 *
 * Differences from the SQLite schema, and why:
 * - PostgreSQL's indexes do not end in the primary key as SQLite's end in
 *   the rowid, so the filter indexes name runs.id explicitly: "status = $1
 *   ORDER BY id DESC LIMIT 10" walks (status, id) backwards.
 * - Tag keys and values are COLLATE "C": byte order, as SQLite's BINARY,
 *   so tag lists and prefix ranges sort the same on both (the database's
 *   default collation may be a locale's).
 * - Ids are BIGINT identities (never reused, as AUTOINCREMENT); a run's
 *   event ids are handed out under its row lock (postgres.c), so they
 *   commit in order within the run. Snapshots are BYTEA (any bytes, NULs
 *   included). */
#include "storage/postgres_internal.h"

static const store_postgres_migration migrations[] = {
    {1, "CREATE TABLE runs (\n"
        "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
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
        "  create_time DOUBLE PRECISION NOT NULL,\n"
        "  update_time DOUBLE PRECISION NOT NULL,\n"
        "  start_time DOUBLE PRECISION,\n"
        "  end_time DOUBLE PRECISION,\n"
        "  worker_pid BIGINT NOT NULL DEFAULT 0\n"
        ");\n"
        "CREATE INDEX runs_by_status ON runs(status, id);\n"
        "CREATE INDEX runs_by_job ON runs(job_name, id);\n"
        "CREATE INDEX runs_by_snapshot ON runs(snapshot_id, id);\n"
        "CREATE INDEX runs_by_root ON runs(root_run_id) WHERE root_run_id IS NOT NULL;\n"
        "CREATE INDEX runs_by_update_time ON runs(update_time);\n"
        "CREATE TABLE run_tags (\n"
        "  run_pk BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
        "  key TEXT COLLATE \"C\" NOT NULL,\n"
        "  value TEXT COLLATE \"C\" NOT NULL,\n"
        "  PRIMARY KEY (run_pk, key)\n"
        ");\n"
        "CREATE INDEX run_tags_by_key_value ON run_tags(key, value, run_pk);\n"
        "CREATE TABLE events (\n"
        "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  run_pk BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
        "  timestamp DOUBLE PRECISION NOT NULL,\n"
        "  event_type TEXT,\n"
        "  level INTEGER NOT NULL,\n"
        "  step_key TEXT,\n"
        "  message TEXT,\n"
        "  body TEXT\n"
        ");\n"
        "CREATE INDEX events_by_run ON events(run_pk, id);\n"
        "CREATE TABLE snapshots (\n"
        "  snapshot_id TEXT PRIMARY KEY,\n"
        "  body BYTEA NOT NULL\n"
        ");\n"},
    /* The daemon's heartbeat, one row per daemon type (Dagster's
     * daemon_heartbeats). */
    {2, "CREATE TABLE daemon_heartbeats (\n"
        "  daemon_type TEXT PRIMARY KEY,\n"
        "  daemon_id TEXT NOT NULL,\n"
        "  timestamp DOUBLE PRECISION NOT NULL\n"
        ");\n"},
    /* Runs offered to `dagd worker` processes, as in SQLite's migration 3
     * (worker_id: NULL waiting, the claimer's id, or '' dropped). Claims
     * walk the partial index of waiting offers with FOR UPDATE SKIP
     * LOCKED, so claimers pass over each other's rows instead of queueing. */
    {3, "CREATE TABLE worker_offers (\n"
        "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        "  run_pk BIGINT NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,\n"
        "  offered_at DOUBLE PRECISION NOT NULL,\n"
        "  worker_id TEXT,\n"
        "  claimed_at DOUBLE PRECISION\n"
        ");\n"
        "CREATE INDEX worker_offers_waiting ON worker_offers(id) WHERE worker_id IS NULL;\n"},
};

const store_postgres_migration *store_postgres_migrations(size_t *n) {
  *n = sizeof migrations / sizeof migrations[0];
  return migrations;
}
