/* pg_fixture_cmocka.h — what the PostgreSQL-only tests (test_postgres.c,
 * test_postgres_pool.c) share on top of pg_fixture.h: cmocka setup and
 * teardown that skip when no test server is known, looks at the server's
 * view of the test's store (its connections, which it can end, and which
 * of them wait for a lock), and a store call on a thread of its own,
 * waited for with a deadline so that a call that blocks fails the test
 * instead of hanging it. Header-only (static inline functions); include
 * it after cmocka.h. */
#ifndef DAGD_TESTS_PG_FIXTURE_CMOCKA_H
#define DAGD_TESTS_PG_FIXTURE_CMOCKA_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "pg_fixture.h"

/* cmocka setup: the fixture, or a NULL state (need_server then skips)
 * when there is no server. */
static inline int setup(void **state) {
  if (!pg_url()) {
    *state = NULL;
    return 0;
  }
  return pg_fixture_setup(state);
}

static inline int teardown(void **state) { return *state ? pg_fixture_teardown(state) : 0; }

/* The test's fixture; skips the test when there is no server. */
static inline fixture *need_server(void **state) {
  if (!*state)
    skip();
  return *state;
}

/* Sleeps a few milliseconds between looks at something that will change. */
static inline void nap(void) {
  struct timespec ms10 = {0, 10 * 1000 * 1000};
  nanosleep(&ms10, NULL);
}

/* Waits, for 30 s at most, until the query counting something of the
 * server's (no parameters) gives a result that `done` accepts; whether it
 * did. */
static inline bool pg_count_becomes(const char *sql, bool (*done)(int64_t n, int64_t want),
                                    int64_t want) {
  time_t until = time(NULL) + 30;
  while (!done(pg_raw(pg_url(), sql), want)) {
    if (time(NULL) > until)
      return false;
    nap();
  }
  return true;
}

static inline bool pg_count_is(int64_t n, int64_t want) { return n == want; }

static inline bool pg_count_reaches(int64_t n, int64_t want) { return n >= want; }

/* How many server connections the test's stores have (the fixture's
 * conninfo names them after the schema), as the server counts them. */
static inline int64_t store_connections(const fixture *f) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' "
           "AND pid <> pg_backend_pid()",
           f->schema);
  int64_t n = pg_raw(pg_url(), sql);
  assert_true(n >= 0);
  return n;
}

/* Waits, for 30 s at most, until the server shows `want` connections of
 * the test's stores (a closed connection's backend ends a moment after
 * the client let go); whether it did. */
static inline bool connections_become(const fixture *f, int64_t want) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' "
           "AND pid <> pg_backend_pid()",
           f->schema);
  return pg_count_becomes(sql, pg_count_is, want);
}

/* Ends every server connection of the test's store (as an administrator,
 * a failover or a restart would) and waits, within a deadline, until they
 * are gone: pg_terminate_backend only signals. */
static inline void end_store_connections(const fixture *f) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           "WHERE application_name = '%s' AND pid <> pg_backend_pid()",
           f->schema);
  assert_true(pg_raw(pg_url(), sql) >= 1);
  if (!connections_become(f, 0))
    fail_msg("the store's connections outlived their termination");
}

/* Whether, within 30 s, `n` connections of the test's store wait for a
 * lock. */
static inline bool store_waits_for_locks(const fixture *f, int n) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s' "
           "AND wait_event_type = 'Lock'",
           f->schema);
  return pg_count_becomes(sql, pg_count_reaches, n);
}

/* Runs sql on a raw connection, failing the test unless it succeeds. */
static inline void raw_exec(PGconn *pg, const char *sql) {
  PGresult *res = PQexec(pg, sql);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQresultErrorMessage(res));
  PQclear(res);
}

/* ---- a store call on a thread of its own ---- */

typedef struct task {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  bool done;
  void (*run)(struct task *);
  /* The call's inputs and outputs (each call uses some of them). */
  store *s;
  const char *conninfo;
  char run_id[37];
  const char *event_type;
  int64_t id;
  bool found;
  store *opened;
  char error[600];
} task;

static inline void *task_main(void *p) {
  task *t = p;
  t->run(t);
  pthread_mutex_lock(&t->lock);
  t->done = true;
  pthread_cond_broadcast(&t->changed);
  pthread_mutex_unlock(&t->lock);
  return NULL;
}

/* Starts t doing run with the inputs already set in t. */
static inline void task_start(task *t, void (*run)(task *)) {
  t->run = run;
  pthread_mutex_init(&t->lock, NULL);
  pthread_cond_init(&t->changed, NULL);
  assert_int_equal(pthread_create(&t->thread, NULL, task_main, t), 0);
}

static inline struct timespec deadline_in(int seconds) {
  struct timespec at;
  clock_gettime(CLOCK_REALTIME, &at);
  at.tv_sec += seconds;
  return at;
}

/* Whether the task finished within `seconds` (0: whether it has). */
static inline bool task_wait(task *t, int seconds) {
  struct timespec at = deadline_in(seconds);
  pthread_mutex_lock(&t->lock);
  while (!t->done && pthread_cond_timedwait(&t->changed, &t->lock, &at) == 0) {
  }
  bool done = t->done;
  pthread_mutex_unlock(&t->lock);
  return done;
}

static inline void task_join(task *t) {
  pthread_join(t->thread, NULL);
  pthread_cond_destroy(&t->changed);
  pthread_mutex_destroy(&t->lock);
}

/* Appends an event of t->event_type to run t->run_id; its id in t->id. */
static inline void task_append(task *t) {
  store_event ev = {.level = 20, .message = "m", .event_type = t->event_type};
  strcpy(ev.run_id, t->run_id);
  store_error err;
  t->id = store_event_append(t->s, &ev, &err);
  if (t->id <= 0)
    snprintf(t->error, sizeof t->error, "%s", err.message);
}

#endif
