/* test_monitor.c — unit tests for src/daemon/monitor.c, one pass at a time
 * on a temporary instance with fake workers (tests/unit/run/fixtures/core/
 * workers.h): a STARTED run whose worker died fails with Dagster's message,
 * an engine event and the failure reason tag, and the ops it left are
 * killed (not the session's other processes); a live worker is left alone;
 * STARTING and NOT_STARTED past the start timeout fail (START_TIMEOUT); a
 * CANCELING run ends CANCELED when its worker died or, killing its worker
 * and ops, after the cancel timeout; the maximum runtime (tag, config, tag
 * over config, a tag that is no number) cancels then fails a run; finished
 * runs and a disabled monitor are left alone; a second pass does nothing.
 * A run launched from another host or PID namespace (its worker host tag
 * names another identity) is never judged dead nor signalled, its ops
 * never killed, while the timeouts still end it; once the tag names this
 * host it is judged as any other. A run claimed by a `dagd worker` whose
 * heartbeat is 0, or has not changed (or been missing) for the heartbeat
 * timeout since the monitor's state first read it, ends (FAILURE, or
 * CANCELED when canceling) with an engine event naming the worker, unless
 * its worker is a live one of this host; heartbeats that change are left
 * alone however far behind or ahead their clock is, and a fresh state
 * (a daemon that just started) waits a whole timeout. An offered run no
 * worker claimed has no start timeout; a claimed one counts from its
 * claim's engine event. daemon_monitor_end_run ends the run of an exited
 * worker once. Time is controlled by the `now` given to the pass (it is
 * also the pass's monotonic time): a time in the future stands for a
 * timeout having passed. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <time.h>

#include "../run/fixtures/core/home.h"
#include "../run/fixtures/core/workers.h"
#include "daemon/monitor.h"
#include "daemon/worker_host.h"
#include "run/events.h"
#include "run/run_internal.h"

#define TIMEOUT 180.0

/* What the passes remember between them, as the daemon's loop keeps it. */
static daemon_monitor_state *monitoring;

static int setup(void **state) {
  monitoring = daemon_monitor_state_new();
  int rc = workers_setup(state);
  if (rc == 0) {
    home_fixture *f = *state;
    f->inst->monitoring = (run_monitoring_config){
        .enabled = true,
        .start_timeout = TIMEOUT,
        .cancel_timeout = TIMEOUT,
        .poll_interval = 5,
        .max_runtime = 0,
    };
  }
  return rc;
}

static int teardown(void **state) {
  daemon_monitor_state_free(monitoring);
  monitoring = NULL;
  return workers_teardown(state);
}

static double now(void) { return (double)time(NULL); }

/* One pass at `when` (wall-clock and monotonic time alike); how many runs
 * it acted on (the pass must not fail). */
static int pass(home_fixture *f, double when) {
  buf err;
  buf_init(&err, f->a);
  int n = daemon_monitor_pass(f->inst, monitoring, when, when, &err);
  if (n < 0)
    fail_msg("daemon_monitor_pass: %s", buf_cstr(&err));
  return n;
}

/* Appends a run-level event, as the worker (RUN_START: DEBUG) or the
 * launcher and a terminate (RUN_STARTING, RUN_CANCELING: INFO) would. */
static void event(home_fixture *f, const char *id, const char *type, const char *message) {
  int level = strcmp(type, "RUN_START") == 0 ? RUN_LEVEL_DEBUG : RUN_LEVEL_INFO;
  store_error err;
  if (run_event(f->inst->store, id, type, level, NULL, message, NULL, &err) < 0)
    fail_msg("run_event: %s", err.message);
}

static void add_tag(home_fixture *f, const char *id, const char *key, const char *value) {
  store_tag tag = {key, value};
  store_error err;
  if (store_run_add_tags(f->inst->store, id, &tag, 1, &err) != 0)
    fail_msg("store_run_add_tags: %s", err.message);
}

/* The value of the run's tag key, or NULL. */
static const char *tag_of(home_fixture *f, const char *id, const char *key) {
  return store_run_tag(home_get_run(f, id), key);
}

static size_t event_count(home_fixture *f, const char *id) {
  size_t n;
  home_events(f, id, &n);
  return n;
}

static char *dead_worker_failure(char *out, size_t size, const char *id, long pid) {
  snprintf(out, size,
           "Detected run worker status NOT_FOUND: 'The run worker (pid %ld) is not running'. "
           "Marking run %s as failed.",
           pid, id);
  return out;
}

/* The run of a dead worker once a pass noticed it: the ops it left are
 * stopped, and its log is an engine event saying so, then RUN_FAILURE. */
static void expect_dead_worker_failed(home_fixture *f, const orphan_world *w) {
  check_orphans_stopped(w);
  char engine[256], failure[256];
  snprintf(engine, sizeof engine, ORPHANS_STOPPED ": the run is marked as failed.",
           (long)w->worker);
  check_events(f, w->id, 2, "ENGINE_EVENT", RUN_LEVEL_INFO, engine, "RUN_FAILURE", RUN_LEVEL_ERROR,
               dead_worker_failure(failure, sizeof failure, w->id, (long)w->worker));
}

/* ---- STARTED ---- */

static void test_dead_worker_fails_run(void **state) {
  home_fixture *f = *state;
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  assert_int_equal(pass(f, now()), 0); /* alive: nothing to do */
  check_events(f, w.id, 0);
  end_orphan_worker(&w, true); /* kill -9 */

  assert_int_equal(pass(f, now()), 1);
  expect_dead_worker_failed(f, &w);
  assert_int_equal(home_get_run(f, w.id)->status, STORE_RUN_FAILURE);
  assert_string_equal(tag_of(f, w.id, "dagster/failure_reason"), "UNEXPECTED_TERMINATION");

  /* Idempotent: the run is finished now. */
  assert_int_equal(pass(f, now()), 0);
  assert_int_equal(event_count(f, w.id), 2);
}

static void test_dead_worker_without_ops(void **state) {
  home_fixture *f = *state;
  pid_t dead = dead_pid();
  char id[37], other[37];
  add_run(f, STORE_RUN_STARTED, dead, id);
  pid_t live = add_run_with_worker(f, STORE_RUN_STARTED, other);
  assert_int_equal(pass(f, now()), 1);
  char engine[256], failure[256];
  snprintf(engine, sizeof engine, NOTHING_LEFT ": the run is marked as failed.", (long)dead);
  check_events(f, id, 2, "ENGINE_EVENT", RUN_LEVEL_INFO, engine, "RUN_FAILURE", RUN_LEVEL_ERROR,
               dead_worker_failure(failure, sizeof failure, id, (long)dead));
  /* The other run's worker is alive: untouched. */
  assert_true(still_running(live));
  check_events(f, other, 0);
  assert_int_equal(home_get_run(f, other)->status, STORE_RUN_STARTED);
}

static void test_live_worker_left_alone(void **state) {
  home_fixture *f = *state;
  char id[37];
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTED, id);
  event(f, id, "RUN_START", "Started execution of run for \"job\".");
  /* No maximum runtime: not even a day later. */
  assert_int_equal(pass(f, now()), 0);
  assert_int_equal(pass(f, now() + 86400), 0);
  assert_true(still_running(pid));
  assert_int_equal(event_count(f, id), 1);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_STARTED);
}

static void test_recycled_pid_is_no_worker(void **state) {
  home_fixture *f = *state;
  /* The stored pid now belongs to an unrelated process: the worker is
   * gone, and the unrelated process is not signalled. */
  char *argv[] = {"/bin/sleep", "30", NULL};
  pid_t decoy = spawn(argv);
  char id[37];
  add_run(f, STORE_RUN_STARTED, decoy, id);
  assert_int_equal(pass(f, now()), 1);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_FAILURE);
  assert_true(still_running(decoy));
}

static void test_started_without_worker(void **state) {
  home_fixture *f = *state;
  char id[37];
  add_run(f, STORE_RUN_STARTED, 0, id);
  event(f, id, "RUN_START", "");
  /* A worker records itself before RUN_START; give it the start timeout. */
  assert_int_equal(pass(f, now()), 0);
  assert_int_equal(pass(f, now() + TIMEOUT - 5), 0);
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 1);
  char failure[256];
  snprintf(failure, sizeof failure,
           "Detected run worker status NOT_FOUND: 'The run has no run worker'. Marking run %s as "
           "failed.",
           id);
  check_events(f, id, 3, "RUN_START", RUN_LEVEL_DEBUG, "", "ENGINE_EVENT", RUN_LEVEL_INFO,
               "The run has no run worker, so nothing can stop the run's ops: the run is marked as "
               "failed.",
               "RUN_FAILURE", RUN_LEVEL_ERROR, failure);
}

/* ---- STARTING ---- */

#define START_TIMEOUT_MESSAGE "Run timed out due to taking longer than 180 seconds to start."

/* A run launched as launch.c does: RUN_STARTING, then its worker pid
 * (a live fake worker when live, a dead pid otherwise, none when 0). */
static pid_t add_starting_run(home_fixture *f, int worker, char id[37]) {
  home_add_run(f, STORE_RUN_NOT_STARTED, id);
  event(f, id, "RUN_STARTING", "");
  pid_t pid = worker > 0 ? spawn_worker(f, id) : worker < 0 ? dead_pid() : 0;
  if (pid)
    set_worker(f, id, pid);
  return pid;
}

static void test_start_timeout_live_worker(void **state) {
  home_fixture *f = *state;
  char id[37];
  pid_t pid = add_starting_run(f, 1, id);
  assert_int_equal(pass(f, now() + TIMEOUT - 5), 0);
  assert_true(still_running(pid));
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 1);
  check_events(f, id, 2, "RUN_STARTING", RUN_LEVEL_INFO, "", "RUN_FAILURE", RUN_LEVEL_ERROR,
               START_TIMEOUT_MESSAGE);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_FAILURE);
  assert_string_equal(tag_of(f, id, "dagster/failure_reason"), "START_TIMEOUT");
  assert_int_equal(wait_exit(pid), 42); /* told to stop */
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 0);
}

static void test_start_timeout_dead_worker(void **state) {
  home_fixture *f = *state;
  char id[37], never[37];
  /* A worker that died before it claimed the run: only the timeout tells. */
  pid_t dead = add_starting_run(f, -1, id);
  add_starting_run(f, 0, never); /* no worker recorded at all */
  assert_int_equal(pass(f, now()), 0);
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 2);
  char engine[256];
  snprintf(engine, sizeof engine, NOTHING_LEFT ": the run is marked as failed.", (long)dead);
  check_events(f, id, 3, "RUN_STARTING", RUN_LEVEL_INFO, "", "ENGINE_EVENT", RUN_LEVEL_INFO, engine,
               "RUN_FAILURE", RUN_LEVEL_ERROR, START_TIMEOUT_MESSAGE);
  check_events(f, never, 2, "RUN_STARTING", RUN_LEVEL_INFO, "", "RUN_FAILURE", RUN_LEVEL_ERROR,
               START_TIMEOUT_MESSAGE);
  assert_string_equal(tag_of(f, never, "dagster/failure_reason"), "START_TIMEOUT");
}

static void test_start_timeout_settings(void **state) {
  home_fixture *f = *state;
  char created[37], id[37];
  /* NOT_STARTED counts from its creation (Dagster monitors it too). */
  home_add_run(f, STORE_RUN_NOT_STARTED, created);
  /* A timeout that is not whole is printed as it is. */
  f->inst->monitoring.start_timeout = 2.5;
  assert_int_equal(pass(f, now() + 5), 1);
  check_events(f, created, 1, "RUN_FAILURE", RUN_LEVEL_ERROR,
               "Run timed out due to taking longer than 2.5 seconds to start.");
  /* 0: no start timeout. */
  f->inst->monitoring.start_timeout = 0;
  add_starting_run(f, -1, id);
  assert_int_equal(pass(f, now() + 86400), 0);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_STARTING);
}

/* ---- CANCELING ---- */

/* A STARTED run being canceled (RUN_CANCELING with message). */
static void cancel(home_fixture *f, const char *id, const char *message) {
  event(f, id, "RUN_CANCELING", message);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELING);
}

static void test_canceling_dead_worker(void **state) {
  home_fixture *f = *state;
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  cancel(f, w.id, "Sending run termination request.");
  assert_int_equal(pass(f, now()), 0); /* the worker is stopping its ops */
  end_orphan_worker(&w, true);
  assert_int_equal(pass(f, now()), 1);
  check_orphans_stopped(&w);
  char engine[256];
  snprintf(engine, sizeof engine, ORPHANS_STOPPED ": the run is marked as canceled.",
           (long)w.worker);
  check_canceled_dead_worker(f, w.id, engine);
  assert_null(tag_of(f, w.id, "dagster/failure_reason"));
}

static void test_cancel_timeout(void **state) {
  home_fixture *f = *state;
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  cancel(f, w.id, "Sending run termination request.");
  /* A worker that never finishes canceling: killed with its ops. */
  assert_int_equal(pass(f, now() + TIMEOUT - 5), 0);
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 1);
  close(w.control);
  assert_int_equal(wait_exit(w.worker), 128 + SIGKILL);
  check_orphans_stopped(&w);
  char killed[160], engine[256];
  snprintf(killed, sizeof killed,
           "The run worker (pid %ld) was killed: the run was still canceling after 180 seconds.",
           (long)w.worker);
  snprintf(engine, sizeof engine, ORPHANS_STOPPED ": the run is marked as canceled.",
           (long)w.worker);
  check_events(f, w.id, 4, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "ENGINE_EVENT", RUN_LEVEL_INFO, killed, "ENGINE_EVENT", RUN_LEVEL_INFO, engine,
               "RUN_CANCELED", RUN_LEVEL_ERROR,
               "Run timed out due to taking longer than 180 seconds to cancel.");
  assert_int_equal(home_get_run(f, w.id)->status, STORE_RUN_CANCELED);

  /* No worker recorded: the timeout alone ends it. 0: no timeout. */
  char id[37];
  add_run(f, STORE_RUN_STARTED, 0, id);
  cancel(f, id, "Sending run termination request.");
  f->inst->monitoring.cancel_timeout = 0;
  assert_int_equal(pass(f, now() + 86400), 0);
  f->inst->monitoring.cancel_timeout = TIMEOUT;
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 1);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_CANCELED);
}

/* ---- maximum runtime ---- */

/* A STARTED run with a live fake worker, its RUN_START recorded, and the
 * dagster/max_runtime tag when tag is not NULL. */
static pid_t add_running(home_fixture *f, const char *tag, char id[37]) {
  pid_t pid = add_run_with_worker(f, STORE_RUN_NOT_STARTED, id);
  if (tag)
    add_tag(f, id, "dagster/max_runtime", tag);
  event(f, id, "RUN_START", "");
  return pid;
}

static void check_max_runtime_end(home_fixture *f, const char *id, pid_t pid, int seconds) {
  char canceling[128], failure[128];
  snprintf(canceling, sizeof canceling, "Canceling due to exceeding maximum runtime of %d seconds.",
           seconds);
  snprintf(failure, sizeof failure, "Exceeded maximum runtime of %d seconds.", seconds);
  check_events(f, id, 3, "RUN_START", RUN_LEVEL_DEBUG, "", "RUN_CANCELING", RUN_LEVEL_INFO,
               canceling, "RUN_FAILURE", RUN_LEVEL_ERROR, failure);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_FAILURE);
  assert_int_equal(wait_exit(pid), 42); /* terminated: SIGTERM */
}

static void test_max_runtime_tag(void **state) {
  home_fixture *f = *state;
  char id[37];
  pid_t pid = add_running(f, "60", id);
  assert_int_equal(pass(f, now() + 50), 0);
  assert_true(still_running(pid));
  assert_int_equal(pass(f, now() + 70), 1);
  check_max_runtime_end(f, id, pid, 60);
  assert_int_equal(pass(f, now() + 70), 0);
  assert_int_equal(event_count(f, id), 3);
}

static void test_max_runtime_config(void **state) {
  home_fixture *f = *state;
  f->inst->monitoring.max_runtime = 30;
  char by_config[37], by_tag[37], no_number[37];
  pid_t pid = add_running(f, NULL, by_config);
  pid_t longer = add_running(f, "100.5", by_tag); /* the tag wins */
  pid_t none = add_running(f, "soon", no_number); /* Dagster: no limit then */
  assert_int_equal(pass(f, now() + 40), 1);
  check_max_runtime_end(f, by_config, pid, 30);
  assert_true(still_running(longer));
  assert_int_equal(pass(f, now() + 110), 1);
  check_max_runtime_end(f, by_tag, longer, 100);
  assert_true(still_running(none));
  assert_int_equal(event_count(f, no_number), 1);
}

static void test_max_runtime_later_pass(void **state) {
  home_fixture *f = *state;
  /* A run left CANCELING by a max-runtime pass cut short ends FAILURE on a
   * later pass: once its worker is gone, or after the cancel timeout. */
  const char *why = "Canceling due to exceeding maximum runtime of 60 seconds.";
  char gone[37], stuck[37];
  add_run(f, STORE_RUN_STARTED, dead_pid(), gone);
  cancel(f, gone, why);
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTED, stuck);
  cancel(f, stuck, why);
  assert_int_equal(pass(f, now()), 1);
  assert_int_equal(home_get_run(f, gone)->status, STORE_RUN_FAILURE);
  size_t n;
  store_event *ev = home_events(f, gone, &n);
  assert_int_equal(n, 3);
  assert_string_equal(ev[2].message, "Exceeded maximum runtime of 60 seconds.");
  assert_true(still_running(pid));
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 1);
  assert_int_equal(wait_exit(pid), 128 + SIGKILL);
  assert_int_equal(home_get_run(f, stuck)->status, STORE_RUN_FAILURE);
  ev = home_events(f, stuck, &n);
  assert_string_equal(ev[n - 1].event_type, "RUN_FAILURE");
  assert_string_equal(ev[n - 1].message, "Exceeded maximum runtime of 60 seconds.");
}

/* ---- runs launched elsewhere ---- */

#define CANNOT_STOP_HERE                                                                           \
  "The run worker was launched on another host or in another PID namespace, so its ops cannot "    \
  "be stopped from here"

static void test_other_host_left_alone(void **state) {
  home_fixture *f = *state;
  /* A worker whose pid is dead here, with ops left running; a STARTED run
   * with no worker recorded; a CANCELING run whose pid is dead here. */
  orphan_world w;
  start_orphan_world(f, STORE_RUN_STARTED, &w);
  launched_from(f, w.id, ELSEWHERE);
  end_orphan_worker(&w, true);
  char never[37], canceling[37];
  add_run(f, STORE_RUN_STARTED, 0, never);
  event(f, never, "RUN_START", "");
  launched_from(f, never, ELSEWHERE);
  add_run(f, STORE_RUN_STARTED, dead_pid(), canceling);
  launched_from(f, canceling, ELSEWHERE);
  cancel(f, canceling, "Sending run termination request.");

  assert_int_equal(pass(f, now()), 0);
  assert_int_equal(pass(f, now() + TIMEOUT - 5), 0);
  f->inst->monitoring.cancel_timeout = 0;
  assert_int_equal(pass(f, now() + 86400), 0);
  check_events(f, w.id, 0);
  check_events(f, never, 1, "RUN_START", RUN_LEVEL_DEBUG, "");
  check_events(f, canceling, 1, "RUN_CANCELING", RUN_LEVEL_INFO,
               "Sending run termination request.");
  assert_int_equal(home_get_run(f, w.id)->status, STORE_RUN_STARTED);
  assert_int_equal(home_get_run(f, never)->status, STORE_RUN_STARTED);
  assert_int_equal(home_get_run(f, canceling)->status, STORE_RUN_CANCELING);
  for (int i = 0; i < ORPHAN_PROCS; i++)
    assert_true(still_running(w.pid[i]));

  /* The cancel timeout still ends a run canceling elsewhere, saying its
   * ops are not stopped from here. */
  f->inst->monitoring.cancel_timeout = TIMEOUT;
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 1);
  check_events(f, canceling, 3, "RUN_CANCELING", RUN_LEVEL_INFO, "Sending run termination request.",
               "ENGINE_EVENT", RUN_LEVEL_INFO, CANNOT_STOP_HERE ": the run is marked as canceled.",
               "RUN_CANCELED", RUN_LEVEL_ERROR,
               "Run timed out due to taking longer than 180 seconds to cancel.");
  for (int i = 0; i < ORPHAN_PROCS; i++)
    assert_true(still_running(w.pid[i]));

  /* Once the tag names this host, the dead worker is noticed and its ops
   * stopped, as for a run without the tag. */
  char here[128];
  assert_true(run_host_identity(here, sizeof here));
  launched_from(f, w.id, here);
  assert_int_equal(pass(f, now()), 1);
  expect_dead_worker_failed(f, &w);
  assert_int_equal(home_get_run(f, never)->status, STORE_RUN_STARTED);
}

static void test_other_host_timeouts_never_signal(void **state) {
  home_fixture *f = *state;
  /* Live fake workers stand for pids that, elsewhere, name other
   * processes: none may be signalled. */
  char starting[37], running[37];
  pid_t starter = add_starting_run(f, 1, starting);
  launched_from(f, starting, ELSEWHERE);
  pid_t runner = add_running(f, "60", running);
  launched_from(f, running, ELSEWHERE);

  assert_int_equal(pass(f, now() + TIMEOUT + 5), 2);
  check_events(f, starting, 2, "RUN_STARTING", RUN_LEVEL_INFO, "", "RUN_FAILURE", RUN_LEVEL_ERROR,
               START_TIMEOUT_MESSAGE);
  assert_string_equal(tag_of(f, starting, "dagster/failure_reason"), "START_TIMEOUT");
  check_events(f, running, 4, "RUN_START", RUN_LEVEL_DEBUG, "", "RUN_CANCELING", RUN_LEVEL_INFO,
               "Canceling due to exceeding maximum runtime of 60 seconds.", "ENGINE_EVENT",
               RUN_LEVEL_INFO, CANNOT_STOP_HERE ": the run is marked as failed.", "RUN_FAILURE",
               RUN_LEVEL_ERROR, "Exceeded maximum runtime of 60 seconds.");
  assert_int_equal(home_get_run(f, running)->status, STORE_RUN_FAILURE);
  assert_true(still_running(starter));
  assert_true(still_running(runner));
  assert_int_equal(pass(f, now() + TIMEOUT + 5), 0);
}

/* ---- runs of `dagd worker` hosts ---- */

#define HEARTBEAT_TIMEOUT 60.0

/* Records the run as claimed by the dagd worker `worker`, as
 * store_worker_claim does. */
static void claimed_by(home_fixture *f, const char *id, const char *worker) {
  add_tag(f, id, STORE_TAG_WORKER, worker);
}

/* Writes the heartbeat of the dagd worker `worker` at `when` (0: it
 * stopped). */
static void worker_beat(home_fixture *f, const char *worker, double when) {
  char type[128];
  snprintf(type, sizeof type, DAEMON_WORKER_TYPE_PREFIX "%s", worker);
  bool claimed = false;
  store_error err;
  if (store_daemon_heartbeat(f->inst->store, type, worker, when, 0, &claimed, &err) != 0)
    fail_msg("store_daemon_heartbeat: %s", err.message);
  assert_true(claimed);
}

/* The engine event of a run whose worker host went silent, and the
 * failure message. */
static const char *host_lost_event(char *out, size_t size, const char *lost) {
  snprintf(out, size, "%s (run_launcher.worker_heartbeat_timeout: 60 seconds).", lost);
  return out;
}

static const char *host_lost_failure(char *out, size_t size, const char *lost, const char *id) {
  snprintf(out, size, "Detected run worker status NOT_FOUND: '%s'. Marking run %s as failed.", lost,
           id);
  return out;
}

/* The engine event and the failure of the runs of a worker whose
 * heartbeat has not changed for `seconds`. */
static void check_silent(home_fixture *f, const char *id, const char *worker, int seconds) {
  char lost[160], engine[256], failure[256];
  snprintf(lost, sizeof lost, "The dagd worker %s has sent no heartbeat for %d seconds", worker,
           seconds);
  check_events(f, id, 3, "ENGINE_EVENT", RUN_LEVEL_INFO,
               host_lost_event(engine, sizeof engine, lost), "ENGINE_EVENT", RUN_LEVEL_INFO,
               CANNOT_STOP_HERE ": the run is marked as failed.", "RUN_FAILURE", RUN_LEVEL_ERROR,
               host_lost_failure(failure, sizeof failure, lost, id));
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_FAILURE);
  assert_string_equal(tag_of(f, id, "dagster/failure_reason"), "UNEXPECTED_TERMINATION");
}

static void test_worker_host_heartbeat(void **state) {
  home_fixture *f = *state;
  f->inst->worker_heartbeat_timeout = HEARTBEAT_TIMEOUT;
  f->inst->use_workers = true;
  double t = now();
  /* The clocks of the workers' hosts are anything: an hour behind ours,
   * ten minutes ahead, 100 s behind. Only whether they move counts. */
  worker_beat(f, "w-behind", t - 3600);
  worker_beat(f, "w-ahead", t + 600);
  worker_beat(f, "w-stale", t - 100);
  worker_beat(f, "w-stopped", 0);
  /* Runs on other hosts (their pids mean nothing here). */
  char behind[37], ahead[37], stale[37], stale2[37], stopped[37], missing[37];
  const struct {
    char *id;
    store_run_status status;
    const char *worker;
  } runs[] = {
      {behind, STORE_RUN_STARTED, "w-behind"},   {ahead, STORE_RUN_STARTED, "w-ahead"},
      {stale, STORE_RUN_STARTED, "w-stale"},     {stale2, STORE_RUN_STARTING, "w-stale"},
      {stopped, STORE_RUN_STARTED, "w-stopped"}, {missing, STORE_RUN_CANCELING, "w-missing"},
  };
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    add_run(f, runs[i].status, 4242, runs[i].id);
    launched_from(f, runs[i].id, ELSEWHERE);
    claimed_by(f, runs[i].id, runs[i].worker);
  }

  /* First look: a stopped worker is gone at once; the others, whatever
   * their time says, get a timeout from now. */
  assert_int_equal(pass(f, t), 1);
  char engine[256], failure[256];
  const char *lost = "The dagd worker w-stopped has stopped";
  check_events(f, stopped, 3, "ENGINE_EVENT", RUN_LEVEL_INFO,
               host_lost_event(engine, sizeof engine, lost), "ENGINE_EVENT", RUN_LEVEL_INFO,
               CANNOT_STOP_HERE ": the run is marked as failed.", "RUN_FAILURE", RUN_LEVEL_ERROR,
               host_lost_failure(failure, sizeof failure, lost, stopped));
  assert_int_equal(pass(f, t), 0); /* idempotent */

  /* w-behind beats on, an hour behind; nobody else. */
  worker_beat(f, "w-behind", t - 3600 + 30);
  assert_int_equal(pass(f, t + 30), 0);
  worker_beat(f, "w-behind", t - 3600 + 59);
  assert_int_equal(pass(f, t + HEARTBEAT_TIMEOUT - 1), 0);

  /* A timeout after the first look, the silent ones are gone. */
  assert_int_equal(pass(f, t + HEARTBEAT_TIMEOUT), 4);
  check_silent(f, stale, "w-stale", 60);
  check_silent(f, stale2, "w-stale", 60);
  check_silent(f, ahead, "w-ahead", 60);
  /* A canceling run ends canceled. */
  check_events(f, missing, 3, "ENGINE_EVENT", RUN_LEVEL_INFO,
               host_lost_event(engine, sizeof engine, "The dagd worker w-missing has no heartbeat"),
               "ENGINE_EVENT", RUN_LEVEL_INFO, CANNOT_STOP_HERE ": the run is marked as canceled.",
               "RUN_CANCELED", RUN_LEVEL_ERROR, CANCELED_FROM_OUTSIDE);
  assert_int_equal(home_get_run(f, missing)->status, STORE_RUN_CANCELED);
  assert_null(tag_of(f, missing, "dagster/failure_reason"));
  assert_int_equal(event_count(f, behind), 0);

  /* A daemon that starts now knows nothing: it gives w-behind, silent
   * since t + 59, a whole timeout from its first look. */
  daemon_monitor_state_free(monitoring);
  monitoring = daemon_monitor_state_new();
  assert_int_equal(pass(f, t + 100), 0);
  assert_int_equal(pass(f, t + 100 + HEARTBEAT_TIMEOUT - 1), 0);
  assert_int_equal(pass(f, t + 100 + HEARTBEAT_TIMEOUT), 1);
  check_silent(f, behind, "w-behind", 60);
}

/* Appends an event of the run at a chosen time. */
static void event_at(home_fixture *f, const char *id, const char *type, const char *message,
                     double when) {
  store_event ev = {
      .timestamp = when, .event_type = type, .level = RUN_LEVEL_INFO, .message = message};
  snprintf(ev.run_id, sizeof ev.run_id, "%s", id);
  store_error err;
  if (store_event_append(f->inst->store, &ev, &err) < 0)
    fail_msg("store_event_append: %s", err.message);
}

static void test_worker_offers_start_timeout(void **state) {
  home_fixture *f = *state;
  f->inst->worker_heartbeat_timeout = HEARTBEAT_TIMEOUT;
  f->inst->use_workers = true;
  double t = now();
  /* Offered, no worker yet: it waits as a queued run would, for ever. */
  char waiting[37], claimed[37];
  add_starting_run(f, 0, waiting);
  /* Claimed 100 s after it was offered: the start counts from the claim. */
  add_starting_run(f, 0, claimed);
  claimed_by(f, claimed, "w-late");
  event_at(f, claimed, "ENGINE_EVENT", "Claimed by dagd worker w (w#00000000) on host h.", t + 100);
  worker_beat(f, "w-late", t);
  for (int i = 1; i <= 3; i++) { /* the worker beats on */
    worker_beat(f, "w-late", t + i);
    assert_int_equal(pass(f, t + 100 + TIMEOUT - 5 + i), 0);
  }
  assert_int_equal(event_count(f, waiting), 1);
  worker_beat(f, "w-late", t + 10);
  assert_int_equal(pass(f, t + 100 + TIMEOUT + 5), 1);
  check_events(f, claimed, 3, "RUN_STARTING", RUN_LEVEL_INFO, "", "ENGINE_EVENT", RUN_LEVEL_INFO,
               "Claimed by dagd worker w (w#00000000) on host h.", "RUN_FAILURE", RUN_LEVEL_ERROR,
               START_TIMEOUT_MESSAGE);
  assert_string_equal(tag_of(f, claimed, "dagster/failure_reason"), "START_TIMEOUT");
  assert_int_equal(pass(f, t + 86400), 0);
  assert_int_equal(home_get_run(f, waiting)->status, STORE_RUN_STARTING);
  /* Without run_launcher.workers, the same run is one whose worker never
   * came: the start timeout applies. */
  f->inst->use_workers = false;
  assert_int_equal(pass(f, t + 86400), 1);
  assert_int_equal(home_get_run(f, waiting)->status, STORE_RUN_FAILURE);
}

static void test_worker_host_live_local_worker(void **state) {
  home_fixture *f = *state;
  f->inst->worker_heartbeat_timeout = HEARTBEAT_TIMEOUT;
  char here[128];
  assert_true(run_host_identity(here, sizeof here));
  /* A worker host on this machine whose heartbeat is late while its run
   * worker is alive here: the run goes on. */
  char id[37];
  pid_t pid = add_run_with_worker(f, STORE_RUN_STARTED, id);
  launched_from(f, id, here);
  claimed_by(f, id, "w-local");
  worker_beat(f, "w-local", 0);
  assert_int_equal(pass(f, now()), 0);
  assert_true(still_running(pid));
  check_events(f, id, 0);

  /* Once that worker is gone, the run ends as the host's, its pid judged
   * here (nothing of its ops left). */
  kill(-pid, SIGKILL); /* its group: the fake worker and its sleep */
  assert_int_equal(wait_exit(pid), 128 + SIGKILL);
  assert_int_equal(pass(f, now()), 1);
  const char *lost = "The dagd worker w-local has stopped";
  char engine[256], dead[256], failure[256];
  snprintf(dead, sizeof dead, NOTHING_LEFT ": the run is marked as failed.", (long)pid);
  check_events(f, id, 3, "ENGINE_EVENT", RUN_LEVEL_INFO,
               host_lost_event(engine, sizeof engine, lost), "ENGINE_EVENT", RUN_LEVEL_INFO, dead,
               "RUN_FAILURE", RUN_LEVEL_ERROR,
               host_lost_failure(failure, sizeof failure, lost, id));
}

/* What a dagd worker does when its run worker exits leaving the run
 * unfinished. */
static void test_end_run_of_exited_worker(void **state) {
  home_fixture *f = *state;
  pid_t dead = dead_pid();
  char started[37], canceling[37], done[37], other[37];
  add_run(f, STORE_RUN_STARTED, dead, started);
  add_run(f, STORE_RUN_STARTED, dead, canceling);
  cancel(f, canceling, "Sending run termination request.");
  add_run(f, STORE_RUN_SUCCESS, dead, done);
  add_run(f, STORE_RUN_STARTED, dead_pid(), other); /* another worker's */
  const char *health = "The run worker (pid 7) was killed by signal 9 (SIGKILL)";
  buf err;
  buf_init(&err, f->a);
  assert_int_equal(daemon_monitor_end_run(f->inst, started, dead, health, &err), 1);
  char engine[256], failure[256];
  snprintf(engine, sizeof engine, NOTHING_LEFT ": the run is marked as failed.", (long)dead);
  check_events(f, started, 2, "ENGINE_EVENT", RUN_LEVEL_INFO, engine, "RUN_FAILURE",
               RUN_LEVEL_ERROR, host_lost_failure(failure, sizeof failure, health, started));
  assert_string_equal(tag_of(f, started, "dagster/failure_reason"), "UNEXPECTED_TERMINATION");
  assert_int_equal(daemon_monitor_end_run(f->inst, canceling, dead, health, &err), 1);
  assert_int_equal(home_get_run(f, canceling)->status, STORE_RUN_CANCELED);
  /* Finished, another worker's, gone: left alone. */
  assert_int_equal(daemon_monitor_end_run(f->inst, done, dead, health, &err), 0);
  assert_int_equal(daemon_monitor_end_run(f->inst, other, dead, health, &err), 0);
  assert_int_equal(
      daemon_monitor_end_run(f->inst, "44444444-4444-4444-8444-444444444444", dead, health, &err),
      0);
  assert_int_equal(daemon_monitor_end_run(f->inst, started, dead, health, &err), 0);
  assert_int_equal(event_count(f, done), 0);
  assert_int_equal(event_count(f, other), 0);
  assert_int_equal(event_count(f, started), 2);
  assert_int_equal(err.len, 0);
}

/* ---- left alone ---- */

static void test_finished_and_queued_untouched(void **state) {
  home_fixture *f = *state;
  f->inst->monitoring.max_runtime = 1;
  static const store_run_status statuses[] = {STORE_RUN_SUCCESS, STORE_RUN_FAILURE,
                                              STORE_RUN_CANCELED, STORE_RUN_QUEUED};
  char ids[4][37];
  pid_t dead = dead_pid();
  for (size_t i = 0; i < 4; i++)
    add_run(f, statuses[i], dead, ids[i]);
  assert_int_equal(pass(f, now() + 86400), 0);
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(event_count(f, ids[i]), 0);
    assert_int_equal(home_get_run(f, ids[i])->status, statuses[i]);
  }
}

static void test_disabled(void **state) {
  home_fixture *f = *state;
  f->inst->monitoring.enabled = false;
  char id[37], starting[37];
  add_run(f, STORE_RUN_STARTED, dead_pid(), id);
  add_starting_run(f, 0, starting);
  assert_int_equal(pass(f, now() + 86400), 0);
  check_events(f, id, 0);
  assert_int_equal(home_get_run(f, id)->status, STORE_RUN_STARTED);
  assert_int_equal(home_get_run(f, starting)->status, STORE_RUN_STARTING);
  /* Enabled again, both are dealt with. */
  f->inst->monitoring.enabled = true;
  assert_int_equal(pass(f, now() + 86400), 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_dead_worker_fails_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dead_worker_without_ops, setup, teardown),
      cmocka_unit_test_setup_teardown(test_live_worker_left_alone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_recycled_pid_is_no_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_started_without_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_timeout_live_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_timeout_dead_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_timeout_settings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_canceling_dead_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_max_runtime_tag, setup, teardown),
      cmocka_unit_test_setup_teardown(test_max_runtime_config, setup, teardown),
      cmocka_unit_test_setup_teardown(test_max_runtime_later_pass, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_host_left_alone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_host_timeouts_never_signal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_worker_host_heartbeat, setup, teardown),
      cmocka_unit_test_setup_teardown(test_worker_offers_start_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_worker_host_live_local_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_end_run_of_exited_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_finished_and_queued_untouched, setup, teardown),
      cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
