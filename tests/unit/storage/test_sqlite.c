/* test_sqlite.c — unit tests for what is particular to the SQLite store
 * (src/storage/sqlite.c, sqlite_migrations.c): the paths it accepts and
 * its migrations (versions, a newer file refused, WAL). What every backend
 * must do alike is tested in test_store.c, on SQLite and PostgreSQL. Every
 * test works on a store in a fresh temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>

#include "storage/sqlite_internal.h"
#include "store_fixture.h"

static void test_open_refuses_bad_paths(void **state) {
  (void)state;
  store_error err;
  assert_null(store_open_sqlite(":memory:", &err));
  assert_non_null(strstr(err.message, "path of a database file"));
  assert_null(store_open_sqlite("", &err));
  assert_non_null(strstr(err.message, "path of a database file"));
  assert_null(store_open_sqlite("/proc/dagd-no-such/x/runs.db", &err));
  assert_non_null(strstr(err.message, "/proc/dagd-no-such"));
  store_close(NULL); /* allowed */
  assert_int_equal(store_run_add(NULL, NULL, &err), -1);
  assert_string_equal(err.message, "No store is open.");
}

/* ---- migrations ---- */

static void raw_exec(const char *path, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(db);
}

/* The newest schema version (the number of migrations). */
static int64_t latest_version(void) {
  size_t n;
  store_sqlite_migrations(&n);
  return (int64_t)n;
}

static void test_migrations_fresh_and_reopen(void **state) {
  fixture *f = *state;
  store_error err;
  /* The fixture opened a fresh file: every migration applied once, WAL on. */
  assert_int_equal(sqlite_raw_int(f->path, "SELECT max(version) FROM schema_version"),
                   latest_version());
  assert_int_equal(sqlite_raw_int(f->path, "SELECT count(*) FROM schema_version"),
                   latest_version());
  assert_int_equal(
      sqlite_raw_int(f->path, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), 1);
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "k", "v", NULL);
  ADD_RUN(f->s, r);

  /* Opening again (twice, while the first store is open) changes nothing. */
  for (int i = 0; i < 2; i++) {
    store *again = store_open_sqlite(f->path, &err);
    assert_non_null(again);
    store_run *g = store_run_get(again, r->run_id, f->a, &err);
    assert_non_null(g);
    assert_int_equal(g->n_tags, 1);
    store_close(again);
  }
  assert_int_equal(sqlite_raw_int(f->path, "SELECT count(*) FROM schema_version"),
                   latest_version());
  char wal[16] = "";
  sqlite3 *db;
  sqlite3_open(f->path, &db);
  sqlite3_stmt *st;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  snprintf(wal, sizeof wal, "%s", (const char *)sqlite3_column_text(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  assert_string_equal(wal, "wal");
}

static void test_migrations_refuse_newer_database(void **state) {
  fixture *f = *state;
  store_error err;
  raw_exec(f->path, "INSERT INTO schema_version (version, applied_time) VALUES (7, 0)");
  assert_null(store_open_sqlite(f->path, &err));
  char want[96];
  snprintf(want, sizeof want, "has schema version 7, newer than this dagd supports (%lld)",
           (long long)latest_version());
  assert_non_null(strstr(err.message, want));
  assert_non_null(strstr(err.message, f->path));
  /* The database is left as it was. */
  assert_int_equal(sqlite_raw_int(f->path, "SELECT max(version) FROM schema_version"), 7);
}

static void test_migrations_upgrade_older_database(void **state) {
  (void)state;
  /* A file that exists but has no schema yet (version 0) is brought up to date. */
  char dir[] = "/tmp/dagd-store-old-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/old.db", dir);
  raw_exec(path, "CREATE TABLE unrelated (x)");
  store_error err;
  store *s = store_open_sqlite(path, &err);
  assert_non_null(s);
  store_close(s);
  assert_int_equal(sqlite_raw_int(path, "SELECT max(version) FROM schema_version"),
                   latest_version());
  assert_int_equal(
      sqlite_raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'unrelated'"), 1);
  remove_tree(dir);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fixture_setup, fixture_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_open_refuses_bad_paths),
      T(test_migrations_fresh_and_reopen),
      T(test_migrations_refuse_newer_database),
      cmocka_unit_test(test_migrations_upgrade_older_database),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
