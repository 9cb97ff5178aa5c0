/* test_terminate.c — unit tests for src/run/terminate.c: each policy on
 * each status (Dagster's failure message for the statuses that cannot be
 * terminated, the queue's cancel events, RUN_CANCELING and SIGTERM for a
 * live worker, CANCELED at once for a dead one, the forced cancel's
 * message), the worker check (a recycled pid whose command line is not
 * `… execute-run <id>` is left alone), unknown runs, deleting a run with
 * its files (symlinks removed, never followed), and the ops a dead worker
 * left running, stopped by each policy and by deleting (only the run's:
 * processes of the same session without its DAGD_RUN_ID are left alone).
 *
 * Fake workers are `sh -c SCRIPT execute-run <id> <ready-file>`: sh keeps
 * the extra arguments in its command line, traps SIGTERM to exit 42 (so
 * the test knows the signal arrived, after reaping its sleep) and touches
 * the ready file once the trap is set. Each runs in its own process group, killed at teardown. */
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
#include "run/events.h"
#include "run/terminate.h"

#define FORCED                                                                                     \
  "This pipeline was forcibly marked as canceled from outside the execution context. The "         \
  "computational resources created by the run may not have been fully cleaned up."
#define OUTSIDE "This run has been marked as canceled from outside the execution context."
#define FAKE_SCRIPT                                                                                \
  "trap 'kill $p 2>/dev/null; wait $p; exit 42' TERM; sleep 30 & p=$!; : > \"$2\"; wait; exit 1"

/* Processes the test started, killed (whole group) and reaped at teardown. */
static pid_t spawned[8];
static size_t n_spawned;

static pid_t spawn(char *const argv[]) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    execv(argv[0], argv);
    _exit(127);
  }
  assert_true(pid > 0);
  setpgid(pid, pid);
  assert_true(n_spawned < sizeof spawned / sizeof *spawned);
  spawned[n_spawned++] = pid;
  return pid;
}

static void sleep_a_bit(void) {
  struct timespec nap = {0, 10 * 1000 * 1000};
  nanosleep(&nap, NULL);
}

/* A fake worker of run_id, started and ready for SIGTERM. */
static pid_t spawn_worker(home_fixture *f, const char *run_id) {
  char ready[128];
  snprintf(ready, sizeof ready, "%s/ready-%zu", f->dir, n_spawned);
  char *argv[] = {"/bin/sh", "-c", FAKE_SCRIPT, "execute-run", (char *)run_id, ready, NULL};
  pid_t pid = spawn(argv);
  for (int i = 0; i < 2000 && access(ready, F_OK) != 0; i++)
    sleep_a_bit();
  assert_int_equal(access(ready, F_OK), 0);
  return pid;
}

/* The exit status of a spawned process, waiting up to ~20 s; -1 when it
 * is still running then. */
static int wait_exit(pid_t pid) {
  for (int i = 0; i < 2000; i++) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      for (size_t k = 0; k < n_spawned; k++)
        if (spawned[k] == pid)
          spawned[k] = 0;
      return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    }
    sleep_a_bit();
  }
  return -1;
}

static bool still_running(pid_t pid) {
  int st;
  return waitpid(pid, &st, WNOHANG) == 0;
}

static int setup(void **state) {
  n_spawned = 0;
  return home_setup(state);
}

static int teardown(void **state) {
  for (size_t i = 0; i < n_spawned; i++)
    if (spawned[i] > 0) {
      /* The whole group: sh and its sleep, which this subreaper adopts. */
      kill(-spawned[i], SIGKILL);
      while (waitpid(-spawned[i], NULL, 0) > 0)
        ;
    }
  n_spawned = 0;
  return home_teardown(state);
}

/* Records pid as the run's worker; fails the test unless the run is now
 * pid's. */
static void set_worker(home_fixture *f, const char *id, int64_t pid) {
  store_error err = {{0}};
  bool claimed = false;
  if (store_run_set_worker(f->inst->store, id, pid, &claimed, &err) != 0 || !claimed)
    fail_msg("store_run_set_worker: %s", err.message[0] ? err.message : "not claimed");
}

/* A run with the status and worker pid (0: none) given; its id into id. */
static void add_run(home_fixture *f, store_run_status status, int64_t pid, char id[37]) {
  home_add_run(f, status, id);
  if (pid)
    set_worker(f, id, pid);
}

/* A run in status whose recorded worker is a live fake worker of it; its
 * id into id. Returns the worker's pid. */
static pid_t add_run_with_worker(home_fixture *f, store_run_status status, char id[37]) {
  home_add_run(f, status, id);
  pid_t pid = spawn_worker(f, id);
  set_worker(f, id, pid);
  return pid;
}

static void terminate_ok(home_fixture *f, const char *id, run_terminate_policy policy) {
  run_error err;
  if (run_terminate(f->inst, id, policy, &err) != 0)
    fail_msg("run_terminate: %s", err.message);
}

/* Checks the run's events: n of them, (type, level, message) each. */
static void check_events(home_fixture *f, const char *id, size_t n, ...) {
  size_t got;
  store_event *ev = home_events(f, id, &got);
  assert_int_equal(got, n);
  va_list ap;
  va_start(ap, n);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(ev[i].event_type, va_arg(ap, const char *));
    assert_int_equal(ev[i].level, va_arg(ap, int));
    assert_string_equal(ev[i].message, va_arg(ap, const char *));
  }
  va_end(ap);
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
                 "RUN_CANCELED", RUN_LEVEL_ERROR, OUTSIDE);
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
  char *argv[] = {"/bin/true", NULL};
  pid_t dead = spawn(argv);
  assert_int_equal(wait_exit(dead), 0);
  char id[37];
  add_run(f, STORE_RUN_STARTED, dead, id);
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  char engine[200];
  snprintf(engine, sizeof engine,
           "The run worker (pid %ld) is not running; no process of the run's ops was left "
           "running: the run is marked as canceled.",
           (long)dead);
  check_events(f, id, 3, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "ENGINE_EVENT", RUN_LEVEL_INFO, engine, "RUN_CANCELED", RUN_LEVEL_ERROR, OUTSIDE);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);

  /* No worker pid at all. */
  add_run(f, STORE_RUN_STARTED, 0, id);
  terminate_ok(f, id, RUN_SAFE_TERMINATE);
  check_events(f, id, 3, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "ENGINE_EVENT", RUN_LEVEL_INFO,
               "The run has no run worker, so nothing can stop the run's ops: the run is marked "
               "as canceled.",
               "RUN_CANCELED", RUN_LEVEL_ERROR, OUTSIDE);
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

/* ---- ops left behind by a dead worker ---- */

/* The op script: a child that shares the op's process group, whose pid
 * goes into the file $1 once it runs. */
#define OP_SCRIPT "sleep 30 & echo $! > \"$1\"; wait"

enum { ORPHAN_OPS = 2, ORPHAN_DECOYS = 2, ORPHAN_PROCS = ORPHAN_OPS + ORPHAN_DECOYS };

/* A fake worker that made itself a session leader (as launch.c's does)
 * and started, each in a process group of its own, ORPHAN_OPS ops of the
 * run (DAGD_RUN_ID=<id> in their environment) and ORPHAN_DECOYS processes
 * that are not (no DAGD_RUN_ID; another run's id). Each runs OP_SCRIPT,
 * so each group is a shell and its sleep: pid[i] and child[i]. */
typedef struct orphan_world {
  char id[37];
  pid_t worker;
  int control; /* closing it makes the worker exit */
  pid_t pid[ORPHAN_PROCS];
  pid_t child[ORPHAN_PROCS];
} orphan_world;

/* The fake worker, in the forked child: never returns. */
__attribute__((noreturn)) static void orphan_worker_main(const char *dir, const char *id,
                                                         int report, int control) {
  if (setsid() < 0)
    _exit(1);
  char run_env[64], other_env[64];
  snprintf(run_env, sizeof run_env, "DAGD_RUN_ID=%s", id);
  snprintf(other_env, sizeof other_env, "DAGD_RUN_ID=55555555-5555-4555-8555-555555555555");
  for (int i = 0; i < ORPHAN_PROCS; i++) {
    char pid_file[128];
    snprintf(pid_file, sizeof pid_file, "%s/orphan-%d", dir, i);
    char *env[] = {"PATH=/usr/bin:/bin",
                   i < ORPHAN_OPS    ? run_env
                   : i == ORPHAN_OPS ? NULL
                                     : other_env,
                   NULL};
    pid_t pid = fork();
    if (pid == 0) {
      setpgid(0, 0);
      char *argv[] = {"/bin/sh", "-c", OP_SCRIPT, "sh", pid_file, NULL};
      execve(argv[0], argv, env);
      _exit(127);
    }
    if (pid > 0)
      setpgid(pid, pid);
    if (write(report, &pid, sizeof pid) != (ssize_t)sizeof pid)
      _exit(1);
  }
  char c;
  while (read(control, &c, 1) > 0) {
  }
  _exit(0);
}

/* The pid written into path, waiting up to ~20 s for it. */
static pid_t wait_pid_file(const char *path) {
  for (int i = 0; i < 2000; i++) {
    FILE *in = fopen(path, "r");
    long pid = 0;
    int got = in ? fscanf(in, "%ld", &pid) : 0;
    if (in)
      fclose(in);
    if (got == 1 && pid > 0)
      return (pid_t)pid;
    sleep_a_bit();
  }
  fail_msg("no pid in %s", path);
  return 0;
}

/* Starts the fake worker of a new run in status, records it as the run's
 * worker and waits until every process it starts is running. */
static void start_orphan_world(home_fixture *f, store_run_status status, orphan_world *w) {
  int report[2], control[2];
  assert_int_equal(pipe(report), 0);
  assert_int_equal(pipe(control), 0);
  home_add_run(f, status, w->id);
  w->worker = fork();
  if (w->worker == 0) {
    close(report[0]);
    close(control[1]);
    orphan_worker_main(f->dir, w->id, report[1], control[0]);
  }
  assert_true(w->worker > 0);
  close(report[1]);
  close(control[0]);
  w->control = control[1];
  assert_true(n_spawned + 1 + ORPHAN_PROCS <= sizeof spawned / sizeof *spawned);
  spawned[n_spawned++] = w->worker; /* teardown kills every group */
  for (int i = 0; i < ORPHAN_PROCS; i++) {
    assert_int_equal(read(report[0], &w->pid[i], sizeof w->pid[i]), sizeof w->pid[i]);
    assert_true(w->pid[i] > 0);
    spawned[n_spawned++] = w->pid[i];
    char pid_file[128];
    snprintf(pid_file, sizeof pid_file, "%s/orphan-%d", f->dir, i);
    w->child[i] = wait_pid_file(pid_file);
  }
  close(report[0]);
  bool claimed = false;
  store_error err;
  if (store_run_set_worker(f->inst->store, w->id, w->worker, &claimed, &err) != 0 || !claimed)
    fail_msg("store_run_set_worker: %s", err.message);
}

/* Ends the fake worker: SIGKILL, or a plain exit; its processes live on,
 * adopted by this test process (a subreaper). */
static void end_orphan_worker(orphan_world *w, bool kill_it) {
  if (kill_it)
    kill(w->worker, SIGKILL);
  close(w->control);
  assert_int_equal(wait_exit(w->worker), kill_it ? 128 + SIGKILL : 0);
}

/* Whether pid is gone (reaped here once it has exited), waiting up to ~20 s. */
static bool wait_gone(pid_t pid) {
  for (int i = 0; i < 2000; i++) {
    pid_t r = waitpid(pid, NULL, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD && kill(pid, 0) != 0 && errno == ESRCH))
      return true;
    sleep_a_bit();
  }
  return false;
}

/* The run's ops and their children are gone; the decoys still run. */
static void check_orphans_stopped(const orphan_world *w) {
  for (int i = 0; i < ORPHAN_OPS; i++) {
    assert_true(wait_gone(w->pid[i]));
    assert_true(wait_gone(w->child[i]));
  }
  for (int i = ORPHAN_OPS; i < ORPHAN_PROCS; i++) {
    assert_true(still_running(w->pid[i]));
    assert_int_equal(kill(w->child[i], 0), 0);
  }
}

#define ORPHANS_STOPPED                                                                            \
  "The run worker (pid %ld) is not running; 2 process groups of the run's ops left running were "  \
  "stopped"

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
  check_events(f, w.id, 3, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "ENGINE_EVENT", RUN_LEVEL_INFO, engine, "RUN_CANCELED", RUN_LEVEL_ERROR, OUTSIDE);
  assert_int_equal(home_get_run(f, w.id)->status, STORE_RUN_CANCELED);
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
  char *argv[] = {"/bin/true", NULL};
  pid_t dead = spawn(argv);
  assert_int_equal(wait_exit(dead), 0);
  char id[37];
  add_run(f, STORE_RUN_STARTING, dead, id);
  terminate_ok(f, id, RUN_MARK_AS_CANCELED_IMMEDIATELY);
  snprintf(engine, sizeof engine,
           "The run worker (pid %ld) is not running; no process of the run's ops was left "
           "running.",
           (long)dead);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_can_terminate),
      cmocka_unit_test_setup_teardown(test_refused_statuses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_queued, setup, teardown),
      cmocka_unit_test_setup_teardown(test_started_live_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_started_dead_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_recycled_pid_left_alone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mark_as_canceled, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete_signals_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_safe_terminate_stops_orphans, setup, teardown),
      cmocka_unit_test_setup_teardown(test_mark_as_canceled_stops_orphans, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delete_stops_orphans, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
