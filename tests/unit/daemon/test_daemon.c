/* test_daemon.c — unit tests for src/daemon/daemon.c: the heartbeat (its
 * id, its row in the store, renewed while the daemon runs, cleared when it
 * stops), one daemon per instance (a second one refused with the other's
 * id and the heartbeat's age, also from another instance object on the
 * same home, as another process would be; a stale heartbeat does not
 * refuse; of two daemons started at once by two threads exactly one owns
 * the heartbeat; a daemon whose heartbeat went stale is replaced and stops
 * passing until the heartbeat is free again), standby (a daemon that
 * starts next to a fresh heartbeat takes over, and runs its passes, once
 * that heartbeat goes stale; stopped on standby, it leaves the other's
 * heartbeat alone), the queue pass at start, on daemon_wake, when a run is
 * queued by another process, when a run in progress ends and every
 * dequeue interval, and a pass that fails on the store logged and retried.
 *
 * Launched runs' worker is /bin/true (it exits at once, the run stays
 * STARTING); waits have deadlines, nothing asserts a duration. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>

#include "../run/fixtures/core/home.h"
#include "base/clock.h"
#include "base/mem.h"
#include "daemon/daemon.h"
#include "run/events.h"
#include "run/launch.h"

#define DEADLINE_S 10.0

static int setup(void **state) {
  if (home_setup(state) != 0)
    return -1;
  home_fixture *f = *state;
  free(f->inst->dagd_path);
  f->inst->dagd_path = xstrdup("/bin/true");
  f->inst->monitoring.enabled = false;
  return 0;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* The stored heartbeat (id in f->a). */
static bool heartbeat(home_fixture *f, const char **id, double *when) {
  bool found;
  store_error err;
  if (store_daemon_heartbeat_get(f->inst->store, DAEMON_TYPE, f->a, id, when, &found, &err) != 0)
    fail_msg("store_daemon_heartbeat_get: %s", err.message);
  return found;
}

/* Waits (with a deadline) for the stored heartbeat to be renewed after
 * `first`, and fails the test if it is not; the new time (*id: the id
 * stored with it). */
static double expect_renewed(home_fixture *f, double first, const char **id) {
  double when = first, deadline = clock_now() + DEADLINE_S;
  while (when == first && clock_now() < deadline) {
    sleep_ms(50);
    heartbeat(f, id, &when);
  }
  assert_true(when > first);
  return when;
}

static void db_exec(home_fixture *f, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->inst->database, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg ? msg : "?");
  sqlite3_close(db);
}

/* Writes the heartbeat row as a daemon elsewhere would have left it,
 * past the conditional claim. */
static void plant_heartbeat(home_fixture *f, const char *id, double when) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "INSERT OR REPLACE INTO daemon_heartbeats (daemon_type, daemon_id, timestamp) "
           "VALUES ('%s', '%s', %.6f)",
           DAEMON_TYPE, id, when);
  db_exec(f, sql);
}

/* Another instance object on the same home, as another process has. */
static run_instance *open_other(home_fixture *f) {
  buf err;
  buf_init(&err, NULL);
  run_instance *other = run_instance_open(f->dir, &err);
  if (!other)
    fail_msg("run_instance_open: %s", buf_cstr(&err));
  buf_free(&err);
  other->coordinator.queued = false;
  other->monitoring.enabled = false;
  return other;
}

/* Waits until the daemon owns the heartbeat (or no longer does). */
static bool wait_owned(daemon_loop *d, bool owned) {
  double deadline = clock_now() + DEADLINE_S;
  while (daemon_owned(d) != owned && clock_now() < deadline)
    sleep_ms(20);
  return daemon_owned(d) == owned;
}

static daemon_loop *start_ok(run_instance *inst) {
  buf err;
  buf_init(&err, NULL);
  daemon_loop *d = daemon_start(inst, false, &err);
  if (!d)
    fail_msg("daemon_start: %s", buf_cstr(&err));
  buf_free(&err);
  return d;
}

/* daemon_start's refusal message. */
static char *start_refused(run_instance *inst) {
  buf err;
  buf_init(&err, NULL);
  daemon_loop *d = daemon_start(inst, false, &err);
  if (d) {
    daemon_stop(d);
    fail_msg("a second daemon started");
  }
  char *msg = xstrdup(buf_cstr(&err));
  buf_free(&err);
  return msg;
}

/* msg must be the refusal naming other_id, with a fresh age. */
static void expect_refusal_message(const char *msg, const char *other_id) {
  char prefix[400];
  snprintf(prefix, sizeof prefix, "another dagd daemon (%s) is running: its heartbeat is ",
           other_id);
  if (strncmp(msg, prefix, strlen(prefix)) != 0)
    fail_msg("unexpected refusal: %s", msg);
  const char *age = msg + strlen(prefix);
  char *end;
  double seconds = strtod(age, &end);
  assert_true(end > age && seconds >= 0 && seconds < DAEMON_HEARTBEAT_STALE);
  assert_string_equal(end, " s old");
}

static void expect_refusal(run_instance *inst, const char *other_id) {
  char *msg = start_refused(inst);
  expect_refusal_message(msg, other_id);
  free(msg);
}

static void test_heartbeat_and_one_daemon(void **state) {
  home_fixture *f = *state;
  daemon_loop *d = start_ok(f->inst);
  /* host:pid:8 hex digits. */
  char id[320];
  snprintf(id, sizeof id, "%s", daemon_id(d));
  char pid[32];
  snprintf(pid, sizeof pid, ":%ld:", (long)getpid());
  const char *p = strstr(id, pid);
  assert_non_null(p);
  assert_true(p > id);
  assert_int_equal(strlen(p + strlen(pid)), 8);
  const char *stored;
  double first;
  assert_true(heartbeat(f, &stored, &first));
  assert_string_equal(stored, id);
  assert_true(first > 0);

  /* The heartbeat is renewed. */
  double when = expect_renewed(f, first, &stored);
  assert_string_equal(stored, id);

  /* A second daemon is refused, on this instance or on another opened on
   * the same home; the refusal leaves the heartbeat alone. */
  expect_refusal(f->inst, id);
  buf err;
  buf_init(&err, NULL);
  run_instance *other = run_instance_open(f->dir, &err);
  assert_non_null(other);
  buf_free(&err);
  expect_refusal(other, id);
  heartbeat(f, &stored, &when);
  assert_string_equal(stored, id);

  /* Stopped, it clears its heartbeat: a new daemon starts at once. */
  daemon_stop(d);
  assert_true(heartbeat(f, &stored, &when));
  assert_true(when == 0);
  daemon_loop *again = start_ok(other);
  assert_string_not_equal(daemon_id(again), id);
  daemon_stop(again);
  run_instance_close(other);
  daemon_stop(NULL);
}

static void test_stale_heartbeat_does_not_refuse(void **state) {
  home_fixture *f = *state;
  /* A daemon killed a while ago left this. */
  plant_heartbeat(f, "gone:1:00000000", clock_now() - DAEMON_HEARTBEAT_STALE - 1);
  daemon_loop *d = start_ok(f->inst);
  assert_true(daemon_owned(d));
  const char *stored;
  double when;
  heartbeat(f, &stored, &when);
  assert_string_equal(stored, daemon_id(d));
  daemon_stop(d);
  /* A fresh one from elsewhere refuses; so does one ahead of our clock. */
  plant_heartbeat(f, "alive:2:00000000", clock_now());
  expect_refusal(f->inst, "alive:2:00000000");
  plant_heartbeat(f, "ahead:3:00000000", clock_now() + 60);
  expect_refusal(f->inst, "ahead:3:00000000");
}

/* One of the threads of test_concurrent_starts. */
typedef struct racer {
  run_instance *inst;
  bool standby;
  pthread_barrier_t *go;
  daemon_loop *d;
  char err[512];
} racer;

static void *race(void *arg) {
  racer *r = arg;
  buf err;
  buf_init(&err, NULL);
  pthread_barrier_wait(r->go);
  r->d = daemon_start(r->inst, r->standby, &err);
  snprintf(r->err, sizeof r->err, "%s", buf_cstr(&err));
  buf_free(&err);
  return NULL;
}

/* Starts two daemons at once, one per instance, from two threads. */
static void start_both(run_instance *a, run_instance *b, bool standby, racer out[2]) {
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, 2);
  pthread_t threads[2];
  run_instance *insts[2] = {a, b};
  for (int i = 0; i < 2; i++) {
    out[i] = (racer){.inst = insts[i], .standby = standby, .go = &go};
    assert_int_equal(pthread_create(&threads[i], NULL, race, &out[i]), 0);
  }
  for (int i = 0; i < 2; i++)
    pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&go);
}

static void test_concurrent_starts(void **state) {
  home_fixture *f = *state;
  run_instance *other = open_other(f);
  const char *stored;
  double when;
  /* Exclusive: one starts, the other is refused naming it. */
  for (int round = 0; round < 10; round++) {
    racer r[2];
    start_both(f->inst, other, false, r);
    assert_true(!r[0].d != !r[1].d);
    racer *won = r[0].d ? &r[0] : &r[1], *lost = r[0].d ? &r[1] : &r[0];
    assert_true(daemon_owned(won->d));
    expect_refusal_message(lost->err, daemon_id(won->d));
    assert_string_equal(won->err, "");
    assert_true(heartbeat(f, &stored, &when));
    assert_string_equal(stored, daemon_id(won->d));
    daemon_stop(won->d);
  }
  /* Standby: both start, exactly one owns, and it stays so over beats. */
  racer r[2];
  start_both(f->inst, other, true, r);
  assert_non_null(r[0].d);
  assert_non_null(r[1].d);
  assert_true(daemon_owned(r[0].d) != daemon_owned(r[1].d));
  racer *won = daemon_owned(r[0].d) ? &r[0] : &r[1], *standing = won == r ? &r[1] : &r[0];
  expect_refusal_message(standing->err, daemon_id(won->d));
  double first;
  heartbeat(f, &stored, &first);
  expect_renewed(f, first, &stored);
  assert_string_equal(stored, daemon_id(won->d));
  assert_true(daemon_owned(won->d));
  assert_false(daemon_owned(standing->d));
  daemon_stop(r[0].d);
  daemon_stop(r[1].d);
  run_instance_close(other);
}

/* A run submitted to the queue (RUN_ENQUEUED). */
static void add_queued(home_fixture *f, char id[37]) {
  home_add_run(f, STORE_RUN_NOT_STARTED, id);
  run_error err;
  if (run_submit(f->inst, id, &err) != 0)
    fail_msg("run_submit: %s", err.message);
}

/* Waits until the run leaves QUEUED; its status then. */
static store_run_status wait_dequeued(home_fixture *f, const char *id) {
  double deadline = clock_now() + DEADLINE_S;
  store_run_status s;
  while ((s = home_get_run(f, id)->status) == STORE_RUN_QUEUED && clock_now() < deadline)
    sleep_ms(20);
  return s;
}

static void test_stale_daemon_is_replaced(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.dequeue_interval = 3600; /* passes at start, on wakes and queue changes */
  daemon_loop *old = start_ok(f->inst);
  char old_id[320];
  snprintf(old_id, sizeof old_id, "%s", daemon_id(old));
  /* Its beats stop reaching the store as others see them (a stalled
   * process, a clock far behind): every write of its row is dated back
   * to long ago, though its claims still succeed. */
  char sql[1024];
  snprintf(sql, sizeof sql,
           "CREATE TRIGGER frozen AFTER UPDATE ON daemon_heartbeats WHEN NEW.daemon_id = '%s' "
           "BEGIN UPDATE daemon_heartbeats SET timestamp = 1 WHERE daemon_type = NEW.daemon_type; "
           "END",
           old_id);
  db_exec(f, sql);
  double deadline = clock_now() + DEADLINE_S;
  const char *stored;
  double when = -1;
  while (when != 1 && clock_now() < deadline) {
    sleep_ms(50);
    heartbeat(f, &stored, &when);
  }
  assert_true(when == 1);
  /* So another daemon (another process's: its own instance, no queue)
   * starts, and the old one, at its next beat, finds the heartbeat taken. */
  run_instance *other = open_other(f);
  daemon_loop *replacement = start_ok(other);
  db_exec(f, "DROP TRIGGER frozen");
  assert_true(heartbeat(f, &stored, &when));
  assert_string_equal(stored, daemon_id(replacement));
  assert_true(wait_owned(old, false));
  /* It passes no more: a queued run waits, woken or not, over beats and
   * looks at the queue (nothing else could launch it). */
  char id[37];
  add_queued(f, id);
  daemon_wake(old);
  sleep_ms((long)(1500 * DAEMON_HEARTBEAT_INTERVAL));
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_QUEUED);
  assert_false(daemon_owned(old));
  /* The replacement stops and clears its heartbeat: the old daemon owns
   * it again and launches the run. */
  daemon_stop(replacement);
  run_instance_close(other);
  assert_int_equal(wait_dequeued(f, id), STORE_RUN_STARTING);
  assert_true(daemon_owned(old));
  assert_true(heartbeat(f, &stored, &when));
  assert_string_equal(stored, old_id);
  daemon_stop(old);
}

static void test_standby_takes_over(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.dequeue_interval = 3600;
  char id[37];
  add_queued(f, id);
  /* A daemon was killed a moment ago: its heartbeat goes stale soon. */
  plant_heartbeat(f, "killed:1:00000000", clock_now() - DAEMON_HEARTBEAT_STALE + 1.5);
  expect_refusal(f->inst, "killed:1:00000000"); /* exclusive: refused */
  buf err;
  buf_init(&err, NULL);
  daemon_loop *d = daemon_start(f->inst, true, &err);
  assert_non_null(d);
  expect_refusal_message(buf_cstr(&err), "killed:1:00000000");
  buf_free(&err);
  assert_false(daemon_owned(d));
  /* Once the heartbeat is stale, the standby daemon claims it and runs
   * its first pass. */
  assert_int_equal(wait_dequeued(f, id), STORE_RUN_STARTING);
  assert_true(daemon_owned(d));
  const char *stored;
  double when;
  assert_true(heartbeat(f, &stored, &when));
  assert_string_equal(stored, daemon_id(d));
  daemon_stop(d);

  /* Standing by next to a heartbeat that stays fresh (ahead of our
   * clock), then stopped: the other daemon's heartbeat is left alone. */
  double ahead = clock_now() + 60;
  plant_heartbeat(f, "ahead:2:00000000", ahead);
  buf_init(&err, NULL);
  d = daemon_start(f->inst, true, &err);
  assert_non_null(d);
  buf_free(&err);
  assert_false(daemon_owned(d));
  daemon_stop(d);
  assert_true(heartbeat(f, &stored, &when));
  assert_string_equal(stored, "ahead:2:00000000");
  assert_true(fabs(when - ahead) < 1e-3);
}

static void test_queue_pass_at_start_and_on_wake(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.dequeue_interval = 3600; /* only the first pass and wakes */
  char before[37], after[37];
  add_queued(f, before);
  daemon_loop *d = start_ok(f->inst);
  assert_int_equal(wait_dequeued(f, before), STORE_RUN_STARTING);
  add_queued(f, after);
  daemon_wake(d);
  assert_int_equal(wait_dequeued(f, after), STORE_RUN_STARTING);
  daemon_stop(d);
  daemon_wake(NULL);
}

static void test_run_queued_elsewhere_is_seen(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.dequeue_interval = 3600;
  daemon_loop *d = start_ok(f->inst);
  /* Queued by another process (a webserver next to `dagd daemon`): no
   * wake; the daemon sees the QUEUED count grow. */
  buf err;
  buf_init(&err, NULL);
  run_instance *other = run_instance_open(f->dir, &err);
  assert_non_null(other);
  buf_free(&err);
  other->coordinator.queued = true;
  char id[37];
  store_run r = {
      .job_name = "job", .status = STORE_RUN_NOT_STARTED, .mode = "default", .run_config = "{}"};
  store_new_run_id(r.run_id);
  store_error serr;
  assert_int_equal(store_run_add(other->store, &r, &serr), 0);
  memcpy(id, r.run_id, 37);
  run_error rerr;
  assert_int_equal(run_submit(other, id, &rerr), 0);
  run_instance_close(other);
  assert_int_equal(wait_dequeued(f, id), STORE_RUN_STARTING);
  daemon_stop(d);
}

static void test_ended_run_frees_its_slot(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.max_concurrent_runs = 1;
  f->inst->coordinator.dequeue_interval = 3600; /* no pass but the first, no wake */
  char first[37], second[37];
  add_queued(f, first);
  add_queued(f, second);
  daemon_loop *d = start_ok(f->inst);
  assert_int_equal(wait_dequeued(f, first), STORE_RUN_STARTING);
  assert_int_equal(home_get_run(f, second)->status, STORE_RUN_QUEUED);
  /* The first run ends (its worker would report this): the daemon sees
   * the count of runs in progress drop and starts the second. */
  store_error err;
  assert_true(run_event(f->inst->store, first, "RUN_FAILURE", RUN_LEVEL_ERROR, NULL, "over", NULL,
                        &err) > 0);
  assert_int_equal(wait_dequeued(f, second), STORE_RUN_STARTING);
  daemon_stop(d);
}

static void test_queue_pass_every_interval(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.dequeue_interval = 0.05;
  daemon_loop *d = start_ok(f->inst);
  char id[37];
  add_queued(f, id);
  assert_int_equal(wait_dequeued(f, id), STORE_RUN_STARTING);
  daemon_stop(d);
}

static void test_failed_pass_is_retried(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.queued = true;
  f->inst->coordinator.dequeue_interval = 0.05;
  /* The store refuses RUN_DEQUEUED for now: every pass fails. */
  db_exec(f, "CREATE TRIGGER no_dequeue BEFORE INSERT ON events "
             "WHEN NEW.event_type = 'RUN_DEQUEUED' BEGIN SELECT RAISE(ABORT, 'refused'); END");
  char id[37];
  add_queued(f, id);
  daemon_loop *d = start_ok(f->inst);
  /* Wait for a few failed passes: the heartbeat keeps going meanwhile. */
  const char *stored;
  double first;
  heartbeat(f, &stored, &first);
  expect_renewed(f, first, &stored);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_QUEUED);
  db_exec(f, "DROP TRIGGER no_dequeue");
  assert_int_equal(wait_dequeued(f, id), STORE_RUN_STARTING);
  daemon_stop(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_heartbeat_and_one_daemon, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_stale_heartbeat_does_not_refuse, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_concurrent_starts, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_stale_daemon_is_replaced, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_standby_takes_over, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_queue_pass_at_start_and_on_wake, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_run_queued_elsewhere_is_seen, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_ended_run_frees_its_slot, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_queue_pass_every_interval, setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_failed_pass_is_retried, setup, home_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
