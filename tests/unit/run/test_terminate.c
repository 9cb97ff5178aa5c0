/* test_terminate.c — unit tests for src/run/terminate.c: each policy on
 * each status (Dagster's failure message for the statuses that cannot be
 * terminated, the queue's cancel events, RUN_CANCELING and SIGTERM for a
 * live worker, CANCELED at once for a dead one, the forced cancel's
 * message), the worker check (a recycled pid whose command line is not
 * `… execute-run <id>` is left alone), unknown runs, deleting a run with
 * its files (symlinks removed, never followed), and the ops a dead worker
 * left running, stopped by each policy and by deleting (only the run's:
 * processes of the same session without its DAGD_RUN_ID are left alone).
 * A run launched on another host or PID namespace is never signalled nor
 * declared dead: SAFE_TERMINATE leaves it CANCELING, its ops running. A
 * run that finished (or was deleted) after it was read is not ended a
 * second time by run_end_abandoned.
 *
 * The fake workers and their orphans are fixtures/core/workers.h's. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/mem.h"
#include "fixtures/core/home.h"
#include "fixtures/core/workers.h"
#include "run/events.h"
#include "run/terminate.h"

#define FORCED                                                                                     \
  "This pipeline was forcibly marked as canceled from outside the execution context. The "         \
  "computational resources created by the run may not have been fully cleaned up."

static void terminate_ok(home_fixture *f, const char *id, run_terminate_policy policy) {
  run_error err;
  if (run_terminate(f->inst, id, policy, &err) != 0)
    fail_msg("run_terminate: %s", err.message);
}

static void test_can_terminate(void **state) {
  (void)state;
  for (int s = 0; s < STORE_RUN_STATUS_COUNT; s++)
    assert_int_equal(run_can_terminate((store_run_status)s),
                     s == STORE_RUN_STARTED || s == STORE_RUN_QUEUED);
}

static void test_refused_statuses(void **state) {
  home_fixture *f = *state;
  static const struct {
    store_run_status status;
    run_terminate_policy policy;
  } cases[] = {
      {STORE_RUN_NOT_STARTED, RUN_SAFE_TERMINATE},
      {STORE_RUN_STARTING, RUN_SAFE_TERMINATE},
      {STORE_RUN_CANCELING, RUN_SAFE_TERMINATE},
      {STORE_RUN_MANAGED, RUN_SAFE_TERMINATE},
      {STORE_RUN_SUCCESS, RUN_SAFE_TERMINATE},
      {STORE_RUN_FAILURE, RUN_SAFE_TERMINATE},
      {STORE_RUN_CANCELED, RUN_SAFE_TERMINATE},
      {STORE_RUN_SUCCESS, RUN_MARK_AS_CANCELED_IMMEDIATELY},
      {STORE_RUN_FAILURE, RUN_MARK_AS_CANCELED_IMMEDIATELY},
      {STORE_RUN_CANCELED, RUN_MARK_AS_CANCELED_IMMEDIATELY},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char id[37];
    add_run(f, cases[i].status, 0, id);
    run_error err;
    assert_int_equal(run_terminate(f->inst, id, cases[i].policy, &err), -1);
    assert_int_equal(err.code, RUN_ERR_CANNOT_TERMINATE);
    char want[160];
    snprintf(want, sizeof want, "Run %s could not be terminated due to having status %s.", id,
             store_run_status_name(cases[i].status));
    assert_string_equal(err.message, want);
    check_events(f, id, 0);
    assert_int_equal(home_get_run(f, id)->status, cases[i].status);
  }
}

static void test_unknown_run(void **state) {
  home_fixture *f = *state;
  run_error err;
  const char *id = "44444444-4444-4444-8444-444444444444";
  assert_int_equal(run_terminate(f->inst, id, RUN_SAFE_TERMINATE, &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_string_equal(err.message, "Run 44444444-4444-4444-8444-444444444444 could not be found.");
  assert_int_equal(run_terminate(f->inst, "nope", RUN_MARK_AS_CANCELED_IMMEDIATELY, &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_int_equal(run_delete(f->inst, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_int_equal(run_delete(f->inst, "../..", &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
}

static void test_queued(void **state) {
  home_fixture *f = *state;
  for (int policy = 0; policy < 2; policy++) {
    char id[37];
    add_run(f, STORE_RUN_QUEUED, 0, id);
    terminate_ok(f, id, (run_terminate_policy)policy);
    check_events(f, id, 2, "RUN_CANCELING", RUN_LEVEL_INFO, "Canceling run from the queue.",
                 "RUN_CANCELED", RUN_LEVEL_ERROR, CANCELED_FROM_OUTSIDE);
    assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);
  }
}

static void test_started_live_worker(void **state) {
  home_fixture *f = *state;
  char id[37];
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTED, id);
  add_run(f, STORE_RUN_STARTED, 0, (char[37]){0}); /* another run, untouched */
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  assert_int_equal(wait_exit(pid), 42); /* SIGTERM arrived */
  /* The worker reports RUN_CANCELED when its ops are stopped; until then
   * the run is CANCELING. */
  check_events(f, id, 1, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.");
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELING);
}

static void test_started_dead_worker(void **state) {
  home_fixture *f = *state;
  pid_t dead = dead_pid();
  char id[37];
  add_run(f, STORE_RUN_STARTED, dead, id);
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  char engine[200];
  snprintf(engine, sizeof engine, NOTHING_LEFT ": the run is marked as canceled.", (long)dead);
  check_canceled_dead_worker(f, id, engine);

  /* No worker pid at all. */
  add_run(f, STORE_RUN_STARTED, 0, id);
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  check_canceled_dead_worker(f, id,
                             "The run has no run worker, so nothing can stop the run's ops: the "
                             "run is marked as canceled.");
}

static void test_recycled_pid_left_alone(void **state) {
  home_fixture *f = *state;
  /* A live process that is not this run's worker: a plain sleep, and a
   * worker of another run. */
  char *argv[] = {"/bin/sleep", "30", NULL};
  pid_t decoy = spawn(argv);
  char other[37], id[37];
  home_add_run(f, STORE_RUN_STARTED, other);
  pid_t other_worker = spawn_worker(f, other);
  assert_false(run_signal_worker(decoy, other, SIGTERM));
  assert_false(run_signal_worker(other_worker, "55555555-5555-4555-8555-555555555555", SIGTERM));
  assert_false(run_signal_worker(0, other, SIGTERM));
  assert_false(run_signal_worker(-1, other, SIGTERM));
  assert_false(run_signal_worker((int64_t)1 << 40, other, SIGTERM));
  assert_false(run_signal_worker(other_worker, NULL, SIGTERM));

  add_run(f, STORE_RUN_STARTED, decoy, id);
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  add_run(f, STORE_RUN_STARTED, other_worker, id);
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  assert_true(still_running(decoy));
  assert_true(still_running(other_worker));
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);

  /* Signal 0 checks without disturbing it. */
  assert_true(run_signal_worker(other_worker, other, 0));
  assert_true(still_running(other_worker));
}

static void test_mark_as_canceled(void **state) {
  home_fixture *f = *state;
  /* STARTING: control passed to the worker, so only the forced cancel
   * applies; the live worker is signalled after the run is marked. */
  char id[37];
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTING, id);
  terminate_ok(f, id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
  check_events(f, id, 1, "RUN_CANCELED", RUN_LEVEL_ERROR, FORCED);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);
  assert_int_equal(wait_exit(pid), 42);

  /* STARTED: Dagster cancels first, then marks it. */
  add_run(f, STORE_RUN_STARTED, 0, id);
  terminate_ok(f, id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
  check_events(f, id, 2, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "RUN_CANCELED", RUN_LEVEL_ERROR, FORCED);

  /* NOT_STARTED and CANCELING too (any unfinished run). */
  static const store_run_status others[] = {STORE_RUN_NOT_STARTED, STORE_RUN_CANCELING};
  for (size_t i = 0; i < 2; i++) {
    add_run(f, others[i], 0, id);
    terminate_ok(f, id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
    check_events(f, id, 1, "RUN_CANCELED", RUN_LEVEL_ERROR, FORCED);
    assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);
  }
}

/* mkdir -p for the test's own folders. */
static void make_dirs(const char *path) {
  char p[512];
  snprintf(p, sizeof p, "%s", path);
  for (char *c = p + 1; *c; c++)
    if (*c == '/') {
      *c = '\0';
      mkdir(p, 0777);
      *c = '/';
    }
  mkdir(p, 0777);
}

static void test_delete(void **state) {
  home_fixture *f = *state;
  run_instance *inst = f->inst;
  /* Separate folders for outputs and compute logs. */
  char logs[128];
  snprintf(logs, sizeof logs, "%s/logs", f->dir);
  make_dirs(logs);
  free(inst->compute_logs_dir);
  inst->compute_logs_dir = xstrdup(logs);

  char id[37], keep[37];
  home_add_run(f, STORE_RUN_SUCCESS, id);
  home_add_run(f, STORE_RUN_SUCCESS, keep);
  store_error serr;
  assert_true(run_event(inst->store, id, "RUN_START", RUN_LEVEL_DEBUG, NULL, "", NULL, &serr) > 0);

  char path[512], outside[128];
  snprintf(outside, sizeof outside, "%s/outside.txt", f->dir);
  home_write_file(outside, "precious");
  snprintf(path, sizeof path, "%s/%s/step/deep", inst->artifacts_dir, id);
  make_dirs(path);
  snprintf(path, sizeof path, "%s/%s/step/deep/result", inst->artifacts_dir, id);
  home_write_file(path, "1");
  /* Symlinks to a file and to a folder outside: removed, not followed. */
  snprintf(path, sizeof path, "%s/%s/step/link", inst->artifacts_dir, id);
  assert_int_equal(symlink(outside, path), 0);
  snprintf(path, sizeof path, "%s/%s/step/dirlink", inst->artifacts_dir, id);
  assert_int_equal(symlink(f->dir, path), 0);
  snprintf(path, sizeof path, "%s/%s/compute_logs", logs, id);
  make_dirs(path);
  snprintf(path, sizeof path, "%s/%s/compute_logs/step.err", logs, id);
  home_write_file(path, "oops");
  snprintf(path, sizeof path, "%s/%s/worker.log", logs, id);
  home_write_file(path, "log");
  snprintf(path, sizeof path, "%s/%s/result", inst->artifacts_dir, keep);
  make_dirs(path);

  run_error err;
  assert_int_equal(run_delete(inst, id, &err), 0);
  snprintf(path, sizeof path, "%s/%s", inst->artifacts_dir, id);
  assert_int_equal(access(path, F_OK), -1);
  snprintf(path, sizeof path, "%s/%s", logs, id);
  assert_int_equal(access(path, F_OK), -1);
  assert_int_equal(access(outside, F_OK), 0);
  assert_int_equal(access(f->dir, F_OK), 0);
  snprintf(path, sizeof path, "%s/%s/result", inst->artifacts_dir, keep);
  assert_int_equal(access(path, F_OK), 0); /* other runs keep theirs */
  assert_null(store_run_get(inst->store, id, f->a, &serr));
  assert_string_equal(serr.message, "");
  check_events(f, id, 0);
  assert_non_null(store_run_get(inst->store, keep, f->a, &serr));

  /* Gone now; a run without files deletes too. */
  assert_int_equal(run_delete(inst, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_int_equal(run_delete(inst, keep, &err), 0);
}

static void test_delete_signals_worker(void **state) {
  home_fixture *f = *state;
  char id[37];
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTED, id);
  run_error err;
  assert_int_equal(run_delete(f->inst, id, &err), 0);
  assert_int_equal(wait_exit(pid), 42);
  store_error serr;
  assert_null(store_run_get(f->inst->store, id, f->a, &serr));
}

static void test_safe_terminate_stops_orphans(void **state) {
  home_fixture *f = *state;
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  end_orphan_worker(&w, true);
  terminate_ok(f, w.id, RUN_SAFE_TERMINATE);
  check_orphans_stopped(&w);
  char engine[256];
  snprintf(engine, sizeof engine, ORPHANS_STOPPED ": the run is marked as canceled.",
           (long)w.worker);
  check_canceled_dead_worker(f, w.id, engine);
}

static void test_mark_as_canceled_stops_orphans(void **state) {
  home_fixture *f = *state;
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  end_orphan_worker(&w, false); /* a worker that exited without stopping its ops */
  terminate_ok(f, w.id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
  check_orphans_stopped(&w);
  char engine[256];
  snprintf(engine, sizeof engine, ORPHANS_STOPPED ".", (long)w.worker);
  check_events(f, w.id, 3, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "RUN_CANCELED", RUN_LEVEL_ERROR, FORCED, "ENGINE_EVENT", RUN_LEVEL_INFO, engine);
  assert_int_equal(home_get_run(f, w.id)->status, STORE_RUN_CANCELED);

  /* A dead worker that left nothing: the engine event says so. */
  pid_t dead = dead_pid();
  char id[37];
  add_run(f, STORE_RUN_STARTING, dead, id);
  terminate_ok(f, id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
  snprintf(engine, sizeof engine, NOTHING_LEFT ".", (long)dead);
  check_events(f, id, 2, "RUN_CANCELED", RUN_LEVEL_ERROR, FORCED, "ENGINE_EVENT", RUN_LEVEL_INFO,
               engine);
}

static void test_delete_stops_orphans(void **state) {
  home_fixture *f = *state;
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  end_orphan_worker(&w, true);
  run_error err;
  assert_int_equal(run_delete(f->inst, w.id, &err), 0);
  check_orphans_stopped(&w);
  store_error serr;
  assert_null(store_run_get(f->inst->store, w.id, f->a, &serr));
}

/* ---- runs launched elsewhere ---- */

static void test_other_host_not_judged(void **state) {
  home_fixture *f = *state;
  /* Its pid is dead here, with the run's ops left running here: neither
   * means anything for a run launched elsewhere. */
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  launched_from(f, w.id, ELSEWHERE);
  end_orphan_worker(&w, true);
  terminate_ok(f, w.id, RUN_SAFE_TERMINATE);
  check_events(f, w.id, 1, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.");
  assert_int_equal(home_get_run(f, w.id)->status, STORE_RUN_CANCELING);
  for (int i = 0; i < ORPHAN_PROCS; i++)
    assert_true(still_running(w.pid[i]));

  /* Forced: marked CANCELED, and the process its pid names here (a live
   * fake worker of the run) is not signalled; nor is it on delete. */
  char id[37];
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTED, id);
  launched_from(f, id, ELSEWHERE);
  terminate_ok(f, id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
  check_events(f, id, 2, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "RUN_CANCELED", RUN_LEVEL_ERROR, FORCED);
  run_error err;
  assert_int_equal(run_delete(f->inst, w.id, &err), 0);
  assert_int_equal(run_delete(f->inst, id, &err), 0);
  assert_true(still_running(pid));
  for (int i = 0; i < ORPHAN_PROCS; i++)
    assert_true(still_running(w.pid[i]));
}

static void test_end_abandoned_finished_meanwhile(void **state) {
  home_fixture *f = *state;
  /* Read while STARTED with a dead worker; then its worker ends it. */
  char id[37], gone[37];
  add_run(f, STORE_RUN_STARTED, dead_pid(), id);
  store_run *stale = home_get_run(f, id);
  store_error serr;
  assert_true(run_event(f->inst->store, id, "RUN_SUCCESS", RUN_LEVEL_DEBUG, NULL,
                        "Finished execution of run for \"job\".", NULL, &serr) > 0);
  run_error err;
  assert_int_equal(run_end_abandoned(f->inst, stale, "RUN_FAILURE", "abandoned", &err), 0);
  check_events(f, id, 1, "RUN_SUCCESS", RUN_LEVEL_DEBUG, "Finished execution of run for \"job\".");
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_SUCCESS);

  /* Deleted meanwhile: nothing left to end, and no error. */
  add_run(f, STORE_RUN_STARTED, dead_pid(), gone);
  stale = home_get_run(f, gone);
  assert_int_equal(store_run_delete(f->inst->store, gone, NULL, &serr), 0);
  assert_int_equal(run_end_abandoned(f->inst, stale, "RUN_CANCELED", "abandoned", &err), 0);
  assert_null(store_run_get(f->inst->store, gone, f->a, &serr));

  /* Still unfinished (CANCELING now): ended. */
  add_run(f, STORE_RUN_STARTED, 0, id);
  stale = home_get_run(f, id);
  assert_true(run_event(f->inst->store, id, "RUN_CANCELING", RUN_LEVEL_INFO, NULL, "stop", NULL,
                        &serr) > 0);
  assert_int_equal(run_end_abandoned(f->inst, stale, "RUN_CANCELED", CANCELED_FROM_OUTSIDE, &err),
                   0);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);
  size_t n;
  store_event *ev = home_events(f, id, &n);
  assert_int_equal(n, 3);
  assert_string_equal(ev[1].event_type, "ENGINE_EVENT");
  assert_string_equal(ev[2].message, CANCELED_FROM_OUTSIDE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_can_terminate),
      cmocka_unit_test_setup_teardown(test_refused_statuses, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_unknown_run, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_queued, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_started_live_worker, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_started_dead_worker, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_recycled_pid_left_alone, workers_setup,
                                      workers_teardown),
      cmocka_unit_test_setup_teardown(test_mark_as_canceled, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_delete, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_delete_signals_worker, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_safe_terminate_stops_orphans, workers_setup,
                                      workers_teardown),
      cmocka_unit_test_setup_teardown(test_mark_as_canceled_stops_orphans, workers_setup,
                                      workers_teardown),
      cmocka_unit_test_setup_teardown(test_delete_stops_orphans, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_other_host_not_judged, workers_setup, workers_teardown),
      cmocka_unit_test_setup_teardown(test_end_abandoned_finished_meanwhile, workers_setup,
                                      workers_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
