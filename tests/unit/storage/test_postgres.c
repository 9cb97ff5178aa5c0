/* test_postgres.c — unit tests for what is particular to the PostgreSQL
 * store (src/storage/postgres.c, postgres_migrations.c): opening (bad
 * connection strings, no password in messages), migrations (versions, a
 * newer database refused, an older one upgraded), reconnecting after the
 * server drops a connection, and the guarantees under concurrency that
 * other processes rely on: event ids become visible in increasing order
 * (a tailing reader gets every event exactly once), one winner for a run's
 * worker claim and for a daemon heartbeat. Each test works in a schema of
 * its own (pg_fixture.h); all are skipped when no test server is known.
 * What every backend must do alike is tested in test_store.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

#include "pg_fixture.h"
#include "storage/postgres_internal.h"
#include "store_fixture.h"

/* cmocka setup that skips when there is no server. */
static int setup(void **state) {
  if (!pg_url()) {
    *state = NULL;
    return 0;
  }
  return pg_fixture_setup(state);
}

static int teardown(void **state) { return *state ? pg_fixture_teardown(state) : 0; }

#define NEED_SERVER(f)                                                                             \
  do {                                                                                             \
    if (!(f))                                                                                      \
      skip();                                                                                      \
  } while (0)

static int64_t latest_version(void) {
  size_t n;
  store_postgres_migrations(&n);
  return (int64_t)n;
}

/* pg_raw on the fixture's schema, failing the test on an error. */
static int64_t raw(fixture *f, const char *sql) {
  int64_t v = pg_raw(f->conninfo, sql);
  assert_true(v >= 0);
  return v;
}

/* ---- opening ---- */

static void test_open_refuses_bad_conninfo(void **state) {
  (void)state;
  store_error err;
  assert_null(store_open_postgres("", &err));
  assert_string_equal(err.message, "The PostgreSQL store needs a connection string or URL.");
  assert_null(store_open_postgres(NULL, &err));
  /* Nothing listens on port 1: a quick failure, and the password given is
   * not repeated in the message. */
  assert_null(store_open_postgres("postgresql://dagd:s3cr3t-pw@127.0.0.1:1/dagd", &err));
  assert_non_null(strstr(err.message, "Cannot connect to PostgreSQL"));
  assert_null(strstr(err.message, "s3cr3t-pw"));
  assert_null(store_open_postgres("host=127.0.0.1 port=1 password=s3cr3t-pw", &err));
  assert_null(strstr(err.message, "s3cr3t-pw"));
  assert_null(store_open_postgres("not a conninfo", &err));
  assert_string_not_equal(err.message, "");
  /* Malformed strings: libpq's own message would quote them, password
   * and all. */
  static const char *const malformed[] = {"postgresql://u:s3cr3t-pw@[::1/db",
                                          "postgresql://u:s3cr3t-pw%zz@h/db",
                                          "host=h password='s3cr3t-pw"};
  for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
    assert_null(store_open_postgres(malformed[i], &err));
    assert_string_equal(err.message, "The PostgreSQL connection string or URL is malformed.");
  }
}

/* ---- migrations ---- */

static void test_migrations_fresh_and_reopen(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  store_error err;
  assert_int_equal(raw(f, "SELECT max(version) FROM schema_version"), latest_version());
  assert_int_equal(raw(f, "SELECT count(*) FROM schema_version"), latest_version());
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "k", "v", NULL);
  ADD_RUN(f->s, r);
  /* Opening again (twice, while the first store is open) changes nothing. */
  for (int i = 0; i < 2; i++) {
    store *again = store_open_postgres(f->conninfo, &err);
    assert_non_null(again);
    store_run *g = store_run_get(again, r->run_id, f->a, &err);
    assert_non_null(g);
    assert_int_equal(g->n_tags, 1);
    store_close(again);
  }
  assert_int_equal(raw(f, "SELECT count(*) FROM schema_version"), latest_version());
  /* The tables are in the test's schema, nowhere else. */
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_tables WHERE tablename = 'runs' AND schemaname = '%s'",
           f->schema);
  assert_int_equal(raw(f, sql), 1);
}

static void test_migrations_refuse_newer_database(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  store_error err;
  raw(f, "INSERT INTO schema_version (version, applied_time) VALUES (7, 0)");
  assert_null(store_open_postgres(f->conninfo, &err));
  char want[96];
  snprintf(want, sizeof want, "has schema version 7, newer than this dagd supports (%lld)",
           (long long)latest_version());
  assert_non_null(strstr(err.message, want));
  /* The database is left as it was. */
  assert_int_equal(raw(f, "SELECT max(version) FROM schema_version"), 7);
}

static void test_migrations_upgrade_older_database(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  store_error err;
  /* Back to version 1 (as a dagd that knew one migration left it), with
   * a row of its time: opening applies the rest and keeps the data. */
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, NULL);
  ADD_RUN(f->s, r);
  raw(f, "DROP TABLE daemon_heartbeats");
  raw(f, "DELETE FROM schema_version WHERE version > 1");
  store *again = store_open_postgres(f->conninfo, &err);
  assert_non_null(again);
  assert_non_null(store_run_get(again, r->run_id, f->a, &err));
  bool claimed = false;
  assert_int_equal(store_daemon_heartbeat(again, "d", "id", 5, 1, &claimed, &err), 0);
  assert_true(claimed);
  store_close(again);
  assert_int_equal(raw(f, "SELECT max(version) FROM schema_version"), latest_version());
}

/* ---- reconnecting ---- */

/* The server ends every connection of the test's store (an administrator,
 * a failover, a restart): the next calls reconnect and succeed. */
static void test_reconnects_after_connection_loss(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  store_error err;
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  ADD_RUN(f->s, r);
  char sql[200];
  snprintf(sql, sizeof sql,
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           "WHERE application_name = '%s' AND pid <> pg_backend_pid()",
           f->schema);
  for (int round = 0; round < 2; round++) {
    assert_true(pg_raw(pg_url(), sql) >= 1);
    store_event ev = {.level = 20, .message = "after the loss", .event_type = "STEP_START"};
    strcpy(ev.run_id, r->run_id);
    int64_t id = store_event_append(f->s, &ev, &err);
    assert_true(id > 0);
    assert_int_equal(store_events_last_id(f->s, r->run_id, &err), id);
  }
  assert_non_null(store_run_get(f->s, r->run_id, f->a, &err));
}

/* ---- concurrency ---- */

enum { WRITERS = 4, EVENTS_PER_WRITER = 60 };

typedef struct tail_world {
  store *s;
  char run_id[37];
  bool writers_done;
  pthread_mutex_t lock;
  /* The reader's findings. */
  size_t seen;
  bool out_of_order;
  char error[600];
} tail_world;

static void *writer_main(void *p) {
  tail_world *w = p;
  for (int i = 0; i < EVENTS_PER_WRITER; i++) {
    store_event ev = {.level = 20, .message = "m", .event_type = "ENGINE_EVENT"};
    strcpy(ev.run_id, w->run_id);
    store_error err;
    if (store_event_append(w->s, &ev, &err) <= 0) {
      pthread_mutex_lock(&w->lock);
      snprintf(w->error, sizeof w->error, "append: %s", err.message);
      pthread_mutex_unlock(&w->lock);
      break;
    }
  }
  return NULL;
}

/* Tails the run's log as a subscription does (after the last id seen) until
 * the writers are done and nothing more comes. */
static void *reader_main(void *p) {
  tail_world *w = p;
  arena *a = arena_new(0);
  int64_t cursor = 0;
  for (;;) {
    pthread_mutex_lock(&w->lock);
    bool done = w->writers_done;
    pthread_mutex_unlock(&w->lock);
    size_t n;
    bool more;
    store_error err;
    store_event *evs = store_events(w->s, w->run_id, cursor, 7, a, &n, &more, &err);
    if (err.message[0]) {
      snprintf(w->error, sizeof w->error, "read: %s", err.message);
      break;
    }
    for (size_t i = 0; i < n; i++) {
      if (evs[i].id <= cursor)
        w->out_of_order = true;
      cursor = evs[i].id;
      w->seen++;
    }
    if (done && n == 0)
      break;
    arena_reset(a);
  }
  arena_free(a);
  return NULL;
}

/* Writers on their own connections append to one run while a reader
 * tails it: the reader gets every event once, in increasing id order, and
 * the ids it saw are exactly the ones stored (none skipped by a cursor
 * that moved past an id still uncommitted). */
static void test_concurrent_appends_tail_exactly_once(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  tail_world w = {.s = f->s};
  pthread_mutex_init(&w.lock, NULL);
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  ADD_RUN(f->s, r);
  strcpy(w.run_id, r->run_id);
  pthread_t writers[WRITERS], reader;
  pthread_create(&reader, NULL, reader_main, &w);
  for (int i = 0; i < WRITERS; i++)
    pthread_create(&writers[i], NULL, writer_main, &w);
  for (int i = 0; i < WRITERS; i++)
    pthread_join(writers[i], NULL);
  pthread_mutex_lock(&w.lock);
  w.writers_done = true;
  pthread_mutex_unlock(&w.lock);
  pthread_join(reader, NULL);
  pthread_mutex_destroy(&w.lock);
  assert_string_equal(w.error, "");
  assert_false(w.out_of_order);
  assert_int_equal(w.seen, WRITERS * EVENTS_PER_WRITER);
  size_t n;
  store_error err;
  store_events(f->s, r->run_id, 0, -1, f->a, &n, NULL, &err);
  assert_int_equal(n, WRITERS * EVENTS_PER_WRITER);
}

enum { CLAIMERS = 6 };

typedef struct race {
  store *s;
  const char *run_id;
  int index;
  bool won;
  char error[600];
  pthread_barrier_t *start;
} race;

static void *claim_main(void *p) {
  race *r = p;
  store_error err;
  pthread_barrier_wait(r->start);
  if (store_run_set_worker(r->s, r->run_id, 1000 + r->index, &r->won, &err) != 0)
    snprintf(r->error, sizeof r->error, "%s", err.message);
  return NULL;
}

static void *heartbeat_main(void *p) {
  race *r = p;
  store_error err;
  char id[32];
  snprintf(id, sizeof id, "host:%d", r->index);
  pthread_barrier_wait(r->start);
  if (store_daemon_heartbeat(r->s, "dagd daemon", id, 500, 30, &r->won, &err) != 0)
    snprintf(r->error, sizeof r->error, "%s", err.message);
  return NULL;
}

/* Runs fn on CLAIMERS threads released at once; how many won. */
static int race_threads(fixture *f, const char *run_id, void *(*fn)(void *)) {
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, CLAIMERS);
  race races[CLAIMERS];
  pthread_t threads[CLAIMERS];
  for (int i = 0; i < CLAIMERS; i++) {
    races[i] = (race){.s = f->s, .run_id = run_id, .index = i, .start = &start};
    pthread_create(&threads[i], NULL, fn, &races[i]);
  }
  int winners = 0;
  for (int i = 0; i < CLAIMERS; i++) {
    pthread_join(threads[i], NULL);
    assert_string_equal(races[i].error, "");
    winners += races[i].won;
  }
  pthread_barrier_destroy(&start);
  return winners;
}

static void test_concurrent_claims_have_one_winner(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  store_error err;
  for (int round = 0; round < 5; round++) {
    store_run *r = make_run(f->a, "j", STORE_RUN_STARTING, round, NULL);
    ADD_RUN(f->s, r);
    assert_int_equal(race_threads(f, r->run_id, claim_main), 1);
    store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
    assert_true(g->worker_pid >= 1000 && g->worker_pid < 1000 + CLAIMERS);
    raw(f, "DELETE FROM daemon_heartbeats");
    assert_int_equal(race_threads(f, NULL, heartbeat_main), 1);
  }
}

/* A role that may read and write the tables but not create any (the
 * default on a PostgreSQL 15 schema it does not own) opens a database
 * migrated by its owner: the store creates nothing that already exists. */
static void test_opens_without_create_rights(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  const char *url = pg_url();
  const char *at = strchr(url, '@');
  if (strncmp(url, "postgresql://", 13) != 0 || !at)
    skip(); /* the role swap below needs a URL with a user */
  char role[80], sql[1024];
  snprintf(role, sizeof role, "%s_limited", f->schema);
  snprintf(sql, sizeof sql,
           "CREATE ROLE %s LOGIN; GRANT USAGE ON SCHEMA %s TO %s; "
           "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s; "
           "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s",
           role, f->schema, role, f->schema, role, f->schema, role);
  raw(f, sql);
  char as_role[256], conninfo[512];
  snprintf(as_role, sizeof as_role, "postgresql://%s%s", role, at);
  pg_conninfo_for_schema(as_role, f->schema, conninfo, sizeof conninfo);
  store_error err;
  store *limited = store_open_postgres(conninfo, &err);
  if (!limited)
    fail_msg("a role without CREATE could not open the store: %s", err.message);
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "k", "v", NULL);
  ADD_RUN(limited, r);
  store_close(limited);
  snprintf(sql, sizeof sql, "DROP OWNED BY %s; DROP ROLE %s", role, role);
  raw(f, sql);
}

/* Text reaches the database as the UTF-8 it is, even when the
 * environment asks libpq for another client encoding. */
static void test_text_stays_utf8(void **state) {
  fixture *f = *state;
  NEED_SERVER(f);
  setenv("PGCLIENTENCODING", "LATIN1", 1);
  store_error err;
  store *s = store_open_postgres(f->conninfo, &err);
  unsetenv("PGCLIENTENCODING");
  assert_non_null(s);
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "currency", "\xe2\x82\xac", NULL);
  ADD_RUN(s, r);
  store_close(s);
  /* The euro sign: 3 bytes of UTF-8 (as LATIN1 it would become 6). */
  assert_int_equal(raw(f, "SELECT octet_length(value) FROM run_tags WHERE key = 'currency'"), 3);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_open_refuses_bad_conninfo),
      T(test_migrations_fresh_and_reopen),
      T(test_migrations_refuse_newer_database),
      T(test_migrations_upgrade_older_database),
      T(test_reconnects_after_connection_loss),
      T(test_concurrent_appends_tail_exactly_once),
      T(test_concurrent_claims_have_one_winner),
      T(test_opens_without_create_rights),
      T(test_text_stays_utf8),
  };
  if (!pg_url())
    fprintf(stderr, "postgres: skipped (no test server: DAGD_TEST_POSTGRES_URL is not set)\n");
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  pg_url_free();
  return failed;
}
