/* test_postgres_pool.c — unit tests for the PostgreSQL store's connection
 * pool (src/storage/postgres.c, store_open_postgres_pool): the size is
 * checked; many threads share at most pool_size server connections,
 * counted by the server itself (pg_stat_activity, by the test schema's
 * application name) while they run; a thread that exits leaves its
 * connection for the next one; connections the server ended are made
 * again inside the calls that meet them; and a call that finds every
 * connection busy waits, then fails with a message naming the pool,
 * without opening more. Each test works in a schema of its own
 * (pg_fixture.h) and is skipped when no test server is known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "pg_fixture.h"
#include "pg_fixture_cmocka.h"
#include "storage/postgres_internal.h"
#include "store_fixture.h"

/* The server process of the test's store when it has exactly one. */
static int64_t the_backend(const fixture *f) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT min(pid) FROM pg_stat_activity WHERE application_name = '%s' "
           "AND pid <> pg_backend_pid()",
           f->schema);
  return pg_raw(pg_url(), sql);
}

/* Replaces the fixture's store by one with a pool of `size`, once the
 * old store's connection is gone: the test then counts only the new
 * store's connections. */
static void reopen_with_pool(fixture *f, int size) {
  store_close(f->s);
  store_error err;
  f->s = store_open_postgres_pool(f->conninfo, size, &err);
  if (!f->s)
    fail_msg("store_open_postgres_pool: %s", err.message);
  assert_true(connections_become(f, 1));
}

/* ---- threads doing store work ---- */

/* A thread's share of the work: `rounds` times a run added, an event
 * appended to it, the run read back and the runs counted; the first
 * failure is kept. */
typedef struct worker {
  pthread_t thread;
  store *s;
  int rounds;
  atomic_bool *done; /* set when the thread is about to end (may be NULL) */
  char error[600];
} worker;

static void *worker_main(void *p) {
  worker *w = p;
  arena *a = arena_new(0);
  store_error err;
  for (int i = 0; i < w->rounds && !w->error[0]; i++) {
    store_run r = {.job_name = "pooled", .status = STORE_RUN_STARTED, .mode = "default"};
    store_new_run_id(r.run_id);
    store_event ev = {.level = 20, .message = "m", .event_type = "ENGINE_EVENT"};
    strcpy(ev.run_id, r.run_id);
    store_run *back;
    if (store_run_add(w->s, &r, &err) != 0 || store_event_append(w->s, &ev, &err) <= 0 ||
        !(back = store_run_get(w->s, r.run_id, a, &err)) || store_runs_count(w->s, NULL, &err) < 1)
      snprintf(w->error, sizeof w->error, "%s", err.message[0] ? err.message : "run not found");
    arena_reset(a);
  }
  arena_free(a);
  if (w->done)
    atomic_store(w->done, true);
  return NULL;
}

static void workers_start(worker *ws, int n, store *s, int rounds, atomic_bool *done) {
  for (int i = 0; i < n; i++) {
    ws[i] = (worker){.s = s, .rounds = rounds, .done = done ? &done[i] : NULL};
    assert_int_equal(pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]), 0);
  }
}

/* Joins the workers; fails the test with the first error any of them met. */
static void workers_join(worker *ws, int n) {
  for (int i = 0; i < n; i++)
    pthread_join(ws[i].thread, NULL);
  for (int i = 0; i < n; i++)
    if (ws[i].error[0])
      fail_msg("worker %d: %s", i, ws[i].error);
}

static int64_t runs_of(fixture *f) {
  store_error err;
  int64_t n = store_runs_count(f->s, NULL, &err);
  if (n < 0)
    fail_msg("store_runs_count: %s", err.message);
  return n;
}

/* Reads run t->run_id; whether it was found in t->found. */
static void task_get(task *t) {
  arena *a = arena_new(0);
  store_error err;
  t->found = store_run_get(t->s, t->run_id, a, &err) != NULL;
  if (!t->found)
    snprintf(t->error, sizeof t->error, "%s", err.message[0] ? err.message : "run not found");
  arena_free(a);
}

/* Whether t ended within 30 s; joined and released only when it ended (a
 * stuck thread is left for the test's failure). */
static bool task_finish(task *t) {
  bool ended = task_wait(t, 30);
  if (ended)
    task_join(t);
  return ended;
}

/* ---- the tests ---- */

/* Sizes from 1 to STORE_POSTGRES_POOL_MAX open; others are refused before
 * anything is connected. */
static void test_pool_size_is_checked(void **state) {
  fixture *f = need_server(state);
  static const int bad[] = {0, -1, STORE_POSTGRES_POOL_MAX + 1};
  store_error err;
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    assert_null(store_open_postgres_pool(f->conninfo, bad[i], &err));
    char want[128];
    snprintf(want, sizeof want, "The PostgreSQL store's pool size must be from 1 to %d, not %d.",
             STORE_POSTGRES_POOL_MAX, bad[i]);
    assert_string_equal(err.message, want);
  }
  static const int good[] = {1, STORE_POSTGRES_POOL_MAX};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    store *s = store_open_postgres_pool(f->conninfo, good[i], &err);
    if (!s)
      fail_msg("pool of %d: %s", good[i], err.message);
    assert_int_equal(store_runs_count(s, NULL, &err), 0);
    store_close(s);
  }
}

enum { BUSY_THREADS = 32, BUSY_ROUNDS = 15, BUSY_POOL = 4 };

/* 32 threads share a pool of 4: while they work, the server never shows
 * more than 4 connections of the store (sampled until every thread is
 * done), and every operation succeeds. */
static void test_threads_share_a_bounded_pool(void **state) {
  fixture *f = need_server(state);
  reopen_with_pool(f, BUSY_POOL);
  worker ws[BUSY_THREADS];
  atomic_bool done[BUSY_THREADS] = {0};
  workers_start(ws, BUSY_THREADS, f->s, BUSY_ROUNDS, done);
  int64_t most = 0;
  int samples = 0;
  for (bool all_done = false; !all_done; samples++) {
    all_done = true;
    for (int i = 0; i < BUSY_THREADS; i++)
      all_done &= atomic_load(&done[i]);
    int64_t n = store_connections(f);
    most = n > most ? n : most;
  }
  workers_join(ws, BUSY_THREADS);
  assert_true(samples >= 1);
  if (most > BUSY_POOL)
    fail_msg("the server showed %lld connections of a pool of %d", (long long)most, BUSY_POOL);
  assert_true(most >= 1);
  assert_int_equal(runs_of(f), BUSY_THREADS * BUSY_ROUNDS);
  assert_true(store_connections(f) <= BUSY_POOL);
}

enum { SHORT_LIVED = 12, SHORT_ROUNDS = 8, SHORT_BATCH = 8 };

/* A thread that exits leaves its connection in the pool: threads one
 * after another all use the connection the open made (the same server
 * process throughout); batches of concurrent short-lived threads never
 * take the store past its pool. */
static void test_exiting_threads_leave_their_connection(void **state) {
  fixture *f = need_server(state);
  reopen_with_pool(f, BUSY_POOL);
  int64_t backend = the_backend(f);
  assert_true(backend > 0);
  for (int i = 0; i < SHORT_LIVED; i++) {
    worker w;
    workers_start(&w, 1, f->s, 1, NULL);
    workers_join(&w, 1);
    assert_int_equal(store_connections(f), 1);
    assert_int_equal(the_backend(f), backend);
  }
  for (int round = 0; round < SHORT_ROUNDS; round++) {
    worker ws[SHORT_BATCH];
    workers_start(ws, SHORT_BATCH, f->s, 2, NULL);
    workers_join(ws, SHORT_BATCH);
    int64_t n = store_connections(f);
    assert_true(n >= 1 && n <= BUSY_POOL);
  }
  assert_int_equal(runs_of(f), SHORT_LIVED + SHORT_ROUNDS * SHORT_BATCH * 2);
}

/* The server ends every pooled connection while they are idle: the
 * threads that take them next make them again inside their calls, and
 * the pool stays within its size. */
static void test_pooled_connections_that_broke_are_made_again(void **state) {
  fixture *f = need_server(state);
  reopen_with_pool(f, BUSY_POOL);
  worker ws[SHORT_BATCH];
  workers_start(ws, SHORT_BATCH, f->s, 3, NULL);
  workers_join(ws, SHORT_BATCH);
  for (int round = 0; round < 2; round++) {
    end_store_connections(f);
    workers_start(ws, SHORT_BATCH, f->s, 3, NULL);
    workers_join(ws, SHORT_BATCH);
    int64_t n = store_connections(f);
    assert_true(n >= 1 && n <= BUSY_POOL);
  }
  assert_int_equal(runs_of(f), 3 * SHORT_BATCH * 3);
}

/* A pool of one whose connection is busy (an append waiting for the run's
 * row, which another session holds): a read waits for the connection,
 * gives up after the pool's wait with a message naming the pool, and
 * opens no second connection; once the row is let go, the append and a
 * read waiting meanwhile both complete on the one connection. */
static void test_busy_pool_waits_then_fails(void **state) {
  fixture *f = need_server(state);
  reopen_with_pool(f, 1);
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  ADD_RUN(f->s, r);
  /* On the server's URL: the holder's session is not counted as the store's. */
  PGconn *holder = PQconnectdb(pg_url());
  assert_int_equal(PQstatus(holder), CONNECTION_OK);
  raw_exec(holder, "BEGIN");
  char sql[200];
  snprintf(sql, sizeof sql, "SELECT 1 FROM %s.runs WHERE run_id = '%s' FOR UPDATE", f->schema,
           r->run_id);
  raw_exec(holder, sql);

  task append = {.s = f->s, .event_type = "ENGINE_EVENT"};
  strcpy(append.run_id, r->run_id);
  task_start(&append, task_append);
  bool blocked = store_waits_for_locks(f, 1);
  store_postgres_set_pool_wait(f->s, 0.25);
  store_error err;
  store_run *got = store_run_get(f->s, r->run_id, f->a, &err);
  int64_t during = store_connections(f);
  store_postgres_set_pool_wait(f->s, 60);
  task read = {.s = f->s};
  strcpy(read.run_id, r->run_id);
  task_start(&read, task_get);
  raw_exec(holder, "COMMIT");
  PQfinish(holder);
  bool ended = task_finish(&append) && task_finish(&read);

  assert_true(blocked);
  assert_null(got);
  assert_string_equal(err.message, "All 1 PostgreSQL connections of this process stayed busy for "
                                   "0.25 s (storage.postgres.pool_size sets how many there may "
                                   "be).");
  assert_int_equal(during, 1);
  assert_true(ended);
  assert_string_equal(append.error, "");
  assert_string_equal(read.error, "");
  assert_true(read.found);
  assert_int_equal(store_events_last_id(f->s, r->run_id, &err), append.id);
  assert_int_equal(store_connections(f), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_pool_size_is_checked, setup, teardown),
      cmocka_unit_test_setup_teardown(test_threads_share_a_bounded_pool, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exiting_threads_leave_their_connection, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pooled_connections_that_broke_are_made_again, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_busy_pool_waits_then_fails, setup, teardown),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  pg_url_free();
  return rc;
}
