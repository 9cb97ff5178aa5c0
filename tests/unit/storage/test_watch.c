/* test_watch.c — the change watchers of storage.h (store_watch_open, wait,
 * close) on both backends, as test_store.c runs its cases: each case on a
 * SQLite store in a fresh folder, then on a PostgreSQL store in a fresh
 * schema when a test server is known (pg_fixture.h).
 *
 * PostgreSQL watchers LISTEN on a connection of their own: a waiter wakes
 * when another thread appends an event, a notification sent before the
 * wait counts for it, a quiet wait times out, an OFFERS watcher ignores
 * events, and a watcher whose connection the server kills reports it.
 * SQLite's watcher only paces a poll, so it returns 1 after the poll
 * interval whatever happened. On both, an interrupt from another thread
 * ends a wait (or the next one) with 1 and no run named, and only
 * PostgreSQL's watcher says it notifies; store_watch_wait_runs names the
 * runs whose events, or deletion, notified (SQLite: every wake is for
 * all runs). Bad arguments fail with messages on both.
 *
 * NOTIFY channels belong to a database, not to a schema, so the
 * PostgreSQL cases run in a database of their own (created on the test
 * server, dropped at the end): the other tests that share the server
 * write events all the time. Spurious wakes remain allowed by the
 * contract, so a case that expects no wake still retries a few times and
 * needs one quiet wait, and a case that expects a wake checks that the
 * event it appended is readable once woken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "base/buf.h"
#include "storage/store_internal.h"
#include "store_backends.h"

/* Long enough never to pass on a loaded machine while a wake is due. */
#define LONG_MS 10000
/* A quiet wait: short, since it is expected to run out. */
#define QUIET_MS 200
/* Quiet waits tried before concluding that other tests are not the cause. */
#define QUIET_TRIES 10

/* ---- helpers ---- */

/* The case's fixture; skips the case on any backend but PostgreSQL. */
static fixture *postgres_only(void **state) {
  if (!on_postgres())
    skip();
  return *state;
}

static int64_t elapsed_ms(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (int64_t)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

/* A new run in f's store; its id into id. */
static void add_run(fixture *f, char id[37]) {
  store_run *r = make_run(f->a, "job", STORE_RUN_STARTED, 1.0, NULL);
  ADD_RUN(f->s, r);
  memcpy(id, r->run_id, 37);
}

/* A new STARTING run in f's store, offered to the workers. */
static void offer_new_run(fixture *f) {
  store_run *r = make_run(f->a, "job", STORE_RUN_STARTING, 1.0, NULL);
  ADD_RUN(f->s, r);
  store_error err;
  if (store_worker_offer(f->s, r->run_id, 3.0, &err) != 0)
    fail_msg("store_worker_offer: %s", err.message);
}

/* Appends a log message to run id; fails the test when the store refuses. */
static int64_t append(store *s, const char *id, const char *message) {
  store_event ev = {.timestamp = 2.0, .level = 20, .message = message};
  memcpy(ev.run_id, id, 37);
  store_error err;
  int64_t event_id = store_event_append(s, &ev, &err);
  if (event_id <= 0)
    fail_msg("store_event_append: %s", err.message);
  return event_id;
}

/* The id of run id's newest event (0: none). */
static int64_t last_id(fixture *f, const char *id) {
  store_error err;
  int64_t last = store_events_last_id(f->s, id, &err);
  if (last < 0)
    fail_msg("store_events_last_id: %s", err.message);
  return last;
}

static store_watch *open_watch(fixture *f, int mask) {
  store_error err;
  store_watch *w = store_watch_open(f->s, mask, &err);
  if (!w)
    fail_msg("store_watch_open: %s", err.message);
  return w;
}

/* Waits on w with timeout_ms and a 20 ms poll; fails the test on -1. */
static int wait_ok(store_watch *w, int timeout_ms) {
  store_error err;
  int rc = store_watch_wait(w, timeout_ms, 20, &err);
  if (rc < 0)
    fail_msg("store_watch_wait: %s", err.message);
  assert_true(rc == 0 || rc == 1);
  return rc;
}

/* Waits on w until run id's newest event is `expected`, each wait woken
 * (1, never a timeout of LONG_MS), within a deadline. */
static void wait_for_event(fixture *f, store_watch *w, const char *id, int64_t expected) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  while (last_id(f, id) != expected) {
    assert_true(elapsed_ms(&start) < 3 * LONG_MS);
    assert_int_equal(wait_ok(w, LONG_MS), 1);
  }
}

/* Waits QUIET_MS at a time until a wait times out (0), within
 * QUIET_TRIES, running before() (may be NULL) ahead of each wait; a
 * timeout must have lasted its whole time. */
static void expect_quiet(store_watch *w, void (*before)(void *), void *arg) {
  for (int i = 0; i < QUIET_TRIES; i++) {
    if (before)
      before(arg);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (wait_ok(w, QUIET_MS) == 0) {
      assert_true(elapsed_ms(&start) >= QUIET_MS - 2);
      return;
    }
  }
  fail_msg("the watcher woke in each of %d quiet waits", QUIET_TRIES);
}

/* ---- a writer on another thread ---- */

typedef struct writer {
  store *s;
  char run_id[37];
  int64_t id; /* the appended event's */
} writer;

static void *writer_main(void *arg) {
  writer *wr = arg;
  wr->id = append(wr->s, wr->run_id, "from another thread");
  return NULL;
}

/* ---- a database of the test's own ---- */

/* conninfo with its database replaced by db, as a key=value string (URL
 * or key=value in; values quoted for libpq), on the heap; NULL when
 * malformed. */
static char *conninfo_with_db(const char *conninfo, const char *db) {
  PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
  if (!opts)
    return NULL;
  buf out;
  buf_init(&out, NULL);
  for (PQconninfoOption *o = opts; o->keyword; o++) {
    const char *v = strcmp(o->keyword, "dbname") == 0 ? db : o->val;
    if (!v)
      continue;
    buf_printf(&out, "%s%s='", out.len ? " " : "", o->keyword);
    for (; *v; v++) {
      if (*v == '\\' || *v == '\'')
        buf_putc(&out, '\\');
      buf_putc(&out, *v);
    }
    buf_putc(&out, '\'');
  }
  PQconninfoFree(opts);
  char *text = strdup(buf_cstr(&out));
  buf_free(&out);
  return text;
}

/* Creates this process's database db on the test server at url and
 * points the fixture at it (DAGD_TEST_POSTGRES_URL, which pg_url.h reads
 * first). */
static void use_own_database(const char *url, char db[64]) {
  snprintf(db, 64, "dagd_watch_%ld", (long)getpid());
  char sql[128];
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
  char *own = pg_raw(url, sql) == 0 ? conninfo_with_db(url, db) : NULL;
  if (!own) {
    fprintf(stderr, "test_watch: cannot create the database %s\n", db);
    exit(1);
  }
  setenv("DAGD_TEST_POSTGRES_URL", own, 1);
  free(own);
}

/* Drops it again (connected to the server's database at url); 0 when
 * done. */
static int drop_own_database(const char *url, const char *db) {
  char sql[128];
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
  return pg_raw(url, sql) == 0 ? 0 : 1;
}

/* ---- cases ---- */

/* The waiter sleeps in the wait (LONG_MS) while another thread appends:
 * PostgreSQL wakes it with the append's notification, SQLite's pacing
 * after its poll interval; either way the event is there to read. */
static void test_wakes_on_append_by_another_thread(void **state) {
  fixture *f = *state;
  writer wr = {.s = f->s};
  add_run(f, wr.run_id);
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, writer_main, &wr), 0);
  assert_int_equal(wait_ok(w, LONG_MS), 1);
  pthread_join(t, NULL);
  wait_for_event(f, w, wr.run_id, wr.id);
  store_watch_close(w);
}

/* A notification that arrives between two waits ends the next one at
 * once, and one wake may stand for many appends (coalesced). */
static void test_append_before_wait_counts(void **state) {
  fixture *f = *state;
  char id[37];
  add_run(f, id);
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS | STORE_WATCH_OFFERS);
  int64_t last = 0;
  for (int i = 0; i < 5; i++)
    last = append(f->s, id, "before the wait");
  assert_int_equal(wait_ok(w, LONG_MS), 1);
  assert_int_equal(last_id(f, id), last);
  store_watch_close(w);
}

/* Nothing written: PostgreSQL's wait runs out (0) after its whole
 * timeout; SQLite's pacing says "look" (1) after min(timeout, poll), so
 * even a timeout of 0 gives 1. */
static void test_quiet_wait(void **state) {
  fixture *f = *state;
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS);
  if (on_postgres()) {
    expect_quiet(w, NULL, NULL);
  } else {
    assert_int_equal(wait_ok(w, 0), 1);
    assert_int_equal(wait_ok(w, LONG_MS), 1);
  }
  store_watch_close(w);
}

typedef struct appender {
  fixture *f;
  const char *run_id;
} appender;

static void append_one(void *arg) {
  appender *ap = arg;
  append(ap->f->s, ap->run_id, "not an offer");
}

/* A watcher of offers alone sleeps through events (PostgreSQL: it does
 * not LISTEN to them), and wakes when a run is offered. */
static void test_offers_mask_ignores_events(void **state) {
  fixture *f = postgres_only(state);
  char id[37];
  add_run(f, id);
  store_watch *w = open_watch(f, STORE_WATCH_OFFERS);
  appender ap = {f, id};
  expect_quiet(w, append_one, &ap);
  offer_new_run(f);
  assert_int_equal(wait_ok(w, LONG_MS), 1);
  store_watch_close(w);
}

/* The server ends the watcher's session (pg_terminate_backend of the
 * backend that LISTENs, found by the application name pg_fixture.h gives
 * the test's connections): the wait reports the broken connection, and
 * keeps reporting it; a new watcher works. */
static void test_killed_connection_breaks_the_watcher(void **state) {
  fixture *f = postgres_only(state);
  char id[37];
  add_run(f, id);
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS);
  char sql[512];
  snprintf(sql, sizeof sql,
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
           "WHERE application_name = '%s' AND query LIKE 'LISTEN %%' "
           "AND pid <> pg_backend_pid()",
           f->schema);
  assert_int_equal(pg_raw(f->conninfo, sql), 1);
  store_error err;
  assert_int_equal(store_watch_wait(w, LONG_MS, 20, &err), -1);
  assert_non_null(strstr(err.message, "The PostgreSQL change watcher lost its connection"));
  assert_int_equal(store_watch_wait(w, 0, 20, &err), -1);
  assert_non_null(strstr(err.message, "lost its connection"));
  store_watch_close(w);

  /* The store's own connection was not the one killed: it still writes,
   * and a new watcher hears it. */
  w = open_watch(f, STORE_WATCH_EVENTS);
  int64_t event_id = append(f->s, id, "after the kill");
  wait_for_event(f, w, id, event_id);
  store_watch_close(w);
}

static void test_bad_arguments(void **state) {
  fixture *f = *state;
  store_error err;
  static const int bad_masks[] = {0, 4, STORE_WATCH_EVENTS | 8, -1};
  for (size_t i = 0; i < sizeof bad_masks / sizeof *bad_masks; i++) {
    err.message[0] = '\0';
    assert_null(store_watch_open(f->s, bad_masks[i], &err));
    assert_string_equal(
        err.message, "A store watcher needs a mask of STORE_WATCH_EVENTS and STORE_WATCH_OFFERS.");
  }
  err.message[0] = '\0';
  assert_null(store_watch_open(NULL, STORE_WATCH_EVENTS, &err));
  assert_string_not_equal(err.message, "");

  store_watch *w = open_watch(f, STORE_WATCH_EVENTS);
  static const char expected[] = "A store watch needs a watcher, a timeout of 0 ms or more and a "
                                 "poll interval above 0 ms.";
  assert_int_equal(store_watch_wait(w, -1, 20, &err), -1);
  assert_string_equal(err.message, expected);
  assert_int_equal(store_watch_wait(w, 10, 0, &err), -1);
  assert_string_equal(err.message, expected);
  assert_int_equal(store_watch_wait(w, 10, -5, &err), -1);
  assert_string_equal(err.message, expected);
  assert_int_equal(store_watch_wait(NULL, 10, 20, &err), -1);
  assert_string_equal(err.message, expected);
  assert_int_equal(store_watch_wait_runs(w, 10, 20, NULL, &err), -1);
  assert_string_equal(err.message, "A store watch for runs needs somewhere to put them.");
  store_watch_runs runs;
  assert_int_equal(store_watch_wait_runs(NULL, 10, 20, &runs, &err), -1);
  assert_string_equal(err.message, expected);
  /* A refused call leaves the watcher usable. */
  char id[37];
  add_run(f, id);
  wait_for_event(f, w, id, append(f->s, id, "still works"));
  store_watch_close(w);
  store_watch_close(NULL);
}

/* ---- interrupts and the runs a wake is for ---- */

typedef struct interrupter {
  store_watch *w;
  int times;
} interrupter;

/* Interrupts w `times` times, after a pause that lets the waiter (most
 * likely) be in its wait already: the contract holds either way. */
static void *interrupter_main(void *arg) {
  interrupter *in = arg;
  struct timespec pause = {0, 50 * 1000000L};
  nanosleep(&pause, NULL);
  for (int i = 0; i < in->times; i++)
    store_watch_interrupt(in->w);
  return NULL;
}

/* Waits on w with store_watch_wait_runs (timeout and poll interval
 * LONG_MS, so that SQLite's pacing does not end it either); fails the
 * test on -1. */
static int wait_runs_ok(store_watch *w, int timeout_ms, store_watch_runs *runs) {
  store_error err;
  int rc = store_watch_wait_runs(w, timeout_ms, timeout_ms > 0 ? timeout_ms : 1, runs, &err);
  if (rc < 0)
    fail_msg("store_watch_wait_runs: %s", err.message);
  return rc;
}

/* A wait of LONG_MS (SQLite: its poll interval too) is ended by another
 * thread's interrupts: it returns 1 with no run and not `all`, which
 * neither a notification nor SQLite's pacing running out gives, so the
 * interrupt ended it. The interrupts are used up by that one wake, and
 * an interrupt made before a wait ends that wait too. */
static void test_interrupt_ends_a_wait(void **state) {
  fixture *f = *state;
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS);
  interrupter in = {w, 3};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, interrupter_main, &in), 0);
  store_watch_runs runs;
  assert_int_equal(wait_runs_ok(w, LONG_MS, &runs), 1);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(runs.n, 0);
  assert_false(runs.all);

  /* Used up: the next wait is not an interrupt's. */
  if (on_postgres()) {
    expect_quiet(w, NULL, NULL);
  } else {
    assert_int_equal(wait_runs_ok(w, QUIET_MS, &runs), 1);
    assert_true(runs.all); /* the pacing ran its time */
  }

  store_watch_interrupt(w);
  assert_int_equal(wait_runs_ok(w, LONG_MS, &runs), 1);
  assert_int_equal(runs.n, 0);
  assert_false(runs.all);
  store_watch_interrupt(NULL); /* allowed, does nothing */
  store_watch_close(w);
}

/* Only PostgreSQL's watcher notifies; SQLite's paces a poll. */
static void test_notifies(void **state) {
  fixture *f = *state;
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS);
  assert_int_equal(store_watch_notifies(w), on_postgres());
  assert_false(store_watch_notifies(NULL));
  store_watch_close(w);
}

/* Whether id is among runs' ids. */
static bool has_run(const store_watch_runs *runs, const char *id) {
  for (size_t i = 0; i < runs->n; i++)
    if (strcmp(runs->ids[i], id) == 0)
      return true;
  return false;
}

/* Waits (each wait woken, never a timeout) until every run of ids[0..n)
 * was named by a wake, within a deadline; no wake may be for `all`, nor
 * name a run not in ids (what notified before must be waited out). */
static void expect_runs(store_watch *w, const char *const *ids, size_t n) {
  bool seen[8] = {false};
  assert_true(n <= 8);
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (size_t left = n; left;) {
    assert_true(elapsed_ms(&start) < 3 * LONG_MS);
    store_watch_runs runs;
    assert_int_equal(wait_runs_ok(w, LONG_MS, &runs), 1);
    assert_false(runs.all);
    for (size_t i = 0; i < runs.n; i++) {
      size_t k = 0;
      while (k < n && strcmp(runs.ids[i], ids[k]) != 0)
        k++;
      if (k == n)
        fail_msg("a wake named the run %s, which nothing changed", runs.ids[i]);
      if (!seen[k]) {
        seen[k] = true;
        left--;
      }
    }
  }
}

/* PostgreSQL: a wake names the runs whose events woke it, each once
 * however many events, and a deleted run; an offer names none (all).
 * SQLite: every paced wake is for all runs. */
static void test_wait_runs_names_the_runs(void **state) {
  fixture *f = *state;
  char a[37], b[37], gone[37];
  add_run(f, a);
  add_run(f, b);
  add_run(f, gone);
  store_watch *w = open_watch(f, STORE_WATCH_EVENTS | STORE_WATCH_OFFERS);
  store_watch_runs runs;
  if (!on_postgres()) {
    append(f->s, a, "paced");
    assert_int_equal(wait_runs_ok(w, 20, &runs), 1);
    assert_true(runs.all);
    assert_int_equal(runs.n, 0);
    store_watch_close(w);
    return;
  }
  append(f->s, a, "one");
  append(f->s, b, "two");
  append(f->s, a, "three");
  expect_runs(w, (const char *const[]){a, b}, 2);
  expect_quiet(w, NULL, NULL); /* the rest of those notifications */

  store_error err;
  bool found = false;
  if (store_run_delete(f->s, gone, &found, &err) != 0)
    fail_msg("store_run_delete: %s", err.message);
  assert_true(found);
  expect_runs(w, (const char *const[]){gone}, 1);

  /* Deleting a run that is not there notifies nobody. */
  if (store_run_delete(f->s, gone, &found, &err) != 0)
    fail_msg("store_run_delete: %s", err.message);
  assert_false(found);
  expect_quiet(w, NULL, NULL);

  offer_new_run(f);
  do
    assert_int_equal(wait_runs_ok(w, LONG_MS, &runs), 1);
  while (!runs.all);
  store_watch_close(w);
}

/* What notifications name is kept once each, up to STORE_WATCH_MAX_RUNS
 * runs; a payload that is no run id, or one run more, makes the wake one
 * for all runs. (store_internal.h: the backends' shared part.) */
static void test_runs_add(void **state) {
  (void)state;
  if (on_postgres())
    skip(); /* no store involved: once is enough */
  store_watch_runs runs = {0};
  store_watch_runs_add(NULL, "ignored");
  char first[37], id[37];
  store_new_run_id(first);
  store_watch_runs_add(&runs, first);
  store_watch_runs_add(&runs, first);
  assert_int_equal(runs.n, 1);
  assert_string_equal(runs.ids[0], first);
  assert_false(runs.all);

  static const char *const not_ids[] = {"", NULL, "0123456789012345678901234567890123456"};
  for (size_t i = 0; i < sizeof not_ids / sizeof *not_ids; i++) {
    store_watch_runs one = {0};
    store_watch_runs_add(&one, not_ids[i]);
    assert_int_equal(one.n, 0);
    assert_true(one.all);
  }

  while (runs.n < STORE_WATCH_MAX_RUNS) {
    store_new_run_id(id);
    store_watch_runs_add(&runs, id);
  }
  assert_false(runs.all);
  assert_true(has_run(&runs, first));
  store_watch_runs_add(&runs, first); /* known: still fits */
  assert_false(runs.all);
  store_new_run_id(id);
  store_watch_runs_add(&runs, id);
  assert_true(runs.all);
  assert_int_equal(runs.n, STORE_WATCH_MAX_RUNS);
  assert_false(has_run(&runs, id));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, backend_setup, backend_teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_wakes_on_append_by_another_thread),
      T(test_append_before_wait_counts),
      T(test_quiet_wait),
      T(test_offers_mask_ignores_events),
      T(test_killed_connection_breaks_the_watcher),
      T(test_bad_arguments),
      T(test_interrupt_ends_a_wait),
      T(test_notifies),
      T(test_wait_runs_names_the_runs),
      T(test_runs_add),
  };
  current = &sqlite_backend;
  int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
  char *server = pg_test_url();
  if (server) {
    char db[64];
    use_own_database(server, db);
    current = &postgres_backend;
    failed += cmocka_run_group_tests_name("postgres", tests, NULL, NULL);
    failed += drop_own_database(server, db);
    free(server);
  } else {
    fprintf(stderr, "postgres: skipped (no test server: DAGD_TEST_POSTGRES_URL is not set)\n");
  }
  pg_url_free();
  return failed;
}
