/* test_worker_host.c — unit tests for src/daemon/worker_host.c: worker
 * hosts run in threads of this process on a SQLite instance whose
 * dagd.yaml says run_launcher.workers: true, executing runs through the
 * real dagd binary (env DAGD, set by CTest). A launch only offers its
 * run (no worker started, no pid); two hosts run a batch of runs to
 * SUCCESS, each run claimed and started once; a run worker killed with
 * SIGKILL fails its run with the monitor's message naming the signal; a
 * drain (SIGTERM's level) claims nothing more and returns only after the
 * going run finished, leaving a stopped heartbeat; a cancel (SIGINT's)
 * ends the going run CANCELED; options that make no sense are refused.
 * Every wait has a deadline; ops are sh scripts that wait for files. */
#define _GNU_SOURCE /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

#include "../run/fixtures/core/home.h"
#include "base/mem.h"
#include "daemon/worker_host.h"
#include "defs/definitions.h"
#include "run/events.h"
#include "run/launch.h"
#include "run/run_internal.h"

/* `quick` ends at once; `gated` signals that it runs, then waits for the
 * file "open" in $WORKER_HOST_TEST_DIR. */
static const char DEFS[] = "repository: r\n"
                           "ops:\n"
                           "  quick: {shell: 'echo quick'}\n"
                           "  gate:\n"
                           "    shell: ': > \"$WORKER_HOST_TEST_DIR/started-$DAGD_RUN_ID\"; "
                           "while [ ! -e \"$WORKER_HOST_TEST_DIR/open\" ]; do sleep 0.02; done'\n"
                           "jobs:\n"
                           "  quick: {ops: {quick: {op: quick}}}\n"
                           "  gated: {ops: {gate: {op: gate}}}\n";

#define DEADLINE_TICKS 3000 /* 60 s of 20 ms */

typedef struct host_thread host_thread;

typedef struct wh {
  home_fixture home; /* the instance, on a dagd.yaml with workers: true */
  defs_definitions *defs;
  host_thread *hosts[4]; /* running: a failed test's are stopped at teardown */
} wh;

static void host_cancel_and_free(host_thread *h);

static void nap(void) {
  struct timespec ts = {0, 20 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

static int setup(void **state) {
  const char *dagd = getenv("DAGD");
  if (!dagd || !dagd[0]) {
    fprintf(stderr, "DAGD must name the dagd binary (CTest sets it)\n");
    return -1;
  }
  wh *t = calloc(1, sizeof *t);
  home_mkdtemp(t->home.dir);
  char path[128];
  snprintf(path, sizeof path, "%s/dagd.yaml", t->home.dir);
  home_write_file(path, "run_launcher:\n  workers: true\n  worker_heartbeat_timeout: 30\n");
  setenv("WORKER_HOST_TEST_DIR", t->home.dir, 1);
  buf err;
  buf_init(&err, NULL);
  t->home.inst = run_instance_open(t->home.dir, &err);
  if (!t->home.inst) {
    fprintf(stderr, "run_instance_open: %s\n", buf_cstr(&err));
    return -1;
  }
  buf_free(&err);
  free(t->home.inst->dagd_path);
  t->home.inst->dagd_path = xstrdup(dagd);
  t->home.a = arena_new(0);
  buf_init(&err, NULL);
  t->defs = defs_load_text("defs.yaml", DEFS, strlen(DEFS), &err);
  if (!t->defs) {
    fprintf(stderr, "defs: %s\n", buf_cstr(&err));
    return -1;
  }
  buf_free(&err);
  *state = t;
  return 0;
}

static int teardown(void **state) {
  wh *t = *state;
  for (size_t i = 0; i < sizeof t->hosts / sizeof *t->hosts; i++)
    if (t->hosts[i])
      host_cancel_and_free(t->hosts[i]);
  defs_definitions_release(t->defs);
  run_instance_close(t->home.inst);
  arena_free(t->home.a);
  home_remove_tree(t->home.dir);
  free(t);
  return 0;
}

/* ---- a worker host in a thread ---- */

struct host_thread {
  wh *t;
  pthread_t thread;
  run_instance *inst;
  daemon_worker_options o;
  atomic_int stop;
  atomic_bool done;
  int rc;
  pthread_mutex_t lock;
  buf lines; /* what it said, one line each (under lock) */
};

static void collect(void *data, const char *line) {
  host_thread *h = data;
  pthread_mutex_lock(&h->lock);
  buf_printf(&h->lines, "%s\n", line);
  pthread_mutex_unlock(&h->lock);
}

static void *host_main(void *arg) {
  host_thread *h = arg;
  buf err;
  buf_init(&err, NULL);
  h->rc = daemon_worker_run(h->inst, &h->o, &h->stop, &err);
  buf_free(&err);
  atomic_store(&h->done, true);
  return NULL;
}

static host_thread *host_start(wh *t, const char *id, int max_runs) {
  host_thread *h = calloc(1, sizeof *h);
  h->t = t;
  h->inst = t->home.inst;
  h->o = (daemon_worker_options){
      .id = id, .max_runs = max_runs, .poll_interval = 0.05, .say = collect, .say_data = h};
  pthread_mutex_init(&h->lock, NULL);
  buf_init(&h->lines, NULL);
  atomic_init(&h->stop, DAEMON_WORKER_GO);
  atomic_init(&h->done, false);
  assert_int_equal(pthread_create(&h->thread, NULL, host_main, h), 0);
  size_t i = 0;
  while (t->hosts[i])
    i++;
  t->hosts[i] = h;
  return h;
}

/* Whether the host said a line containing text. */
static bool host_said(host_thread *h, const char *text) {
  pthread_mutex_lock(&h->lock);
  bool said = strstr(buf_cstr(&h->lines), text) != NULL;
  pthread_mutex_unlock(&h->lock);
  return said;
}

/* Waits until the host said a line containing text (deadline: fails the
 * test): it says so after the fact it reports, which a test may see
 * first. */
static void wait_said(host_thread *h, const char *text) {
  for (int i = 0; i < DEADLINE_TICKS && !host_said(h, text); i++)
    nap();
  if (!host_said(h, text))
    fail_msg("the worker host never said \"%s\"", text);
}

/* Stops the host at level, waits for it and frees it; its return code. */
static int host_end(host_thread *h, int level) {
  atomic_store(&h->stop, level);
  pthread_join(h->thread, NULL);
  for (size_t i = 0; i < sizeof h->t->hosts / sizeof *h->t->hosts; i++)
    if (h->t->hosts[i] == h)
      h->t->hosts[i] = NULL;
  int rc = h->rc;
  pthread_mutex_destroy(&h->lock);
  buf_free(&h->lines);
  free(h);
  return rc;
}

static void host_cancel_and_free(host_thread *h) { host_end(h, DAEMON_WORKER_CANCEL); }

/* Asks the host to stop at level, waits for it and checks it returned 0. */
static void host_stop(host_thread *h, int level) { assert_int_equal(host_end(h, level), 0); }

/* ---- runs ---- */

/* Creates and launches a run of job; its id into id. */
static void launch(wh *t, const char *job, char id[37]) {
  const defs_job *j = defs_find_job(t->defs, job);
  assert_non_null(j);
  run_new req = {.defs = t->defs, .job = j, .location_name = "loc"};
  run_error err;
  if (run_create(t->home.inst, &req, id, &err) != 0)
    fail_msg("run_create: %s", err.message);
  if (run_launch(t->home.inst, id, &err) != 0)
    fail_msg("run_launch: %s", err.message);
}

/* The run once it is finished (deadline: fails the test). */
static store_run *wait_finished(wh *t, const char *id) {
  for (int i = 0; i < DEADLINE_TICKS; i++) {
    store_run *r = home_get_run(&t->home, id);
    if (store_run_status_finished(r->status))
      return r;
    nap();
  }
  fail_msg("run %s did not finish", id);
  return NULL;
}

/* Waits until the gated op of run id runs. */
static void wait_gate_reached(wh *t, const char *id) {
  char path[160];
  snprintf(path, sizeof path, "%s/started-%s", t->home.dir, id);
  for (int i = 0; i < DEADLINE_TICKS && access(path, F_OK) != 0; i++)
    nap();
  if (access(path, F_OK) != 0)
    fail_msg("the gated op of run %s never ran", id);
}

static void open_gate(wh *t) {
  char path[160];
  snprintf(path, sizeof path, "%s/open", t->home.dir);
  home_write_file(path, "");
}

static size_t count_events(wh *t, const char *id, const char *type) {
  size_t n, count = 0;
  store_event *ev = home_events(&t->home, id, &n);
  for (size_t i = 0; i < n; i++)
    count += ev[i].event_type && strcmp(ev[i].event_type, type) == 0;
  return count;
}

/* The last heartbeat of the worker id: its time (found required). */
static double heartbeat_of(wh *t, const char *id) {
  char type[128];
  snprintf(type, sizeof type, DAEMON_WORKER_TYPE_PREFIX "%s", id);
  const char *who;
  double when = -1;
  bool found = false;
  store_error err;
  assert_int_equal(
      store_daemon_heartbeat_get(t->home.inst->store, type, t->home.a, &who, &when, &found, &err),
      0);
  assert_true(found);
  assert_string_equal(who, id);
  return when;
}

/* ---- tests ---- */

#define RUNS 6

static void test_two_hosts_run_each_once(void **state) {
  wh *t = *state;
  /* Offered, not started: no worker, no host, no claim yet. */
  char ids[RUNS][37];
  launch(t, "quick", ids[0]);
  store_run *r = home_get_run(&t->home, ids[0]);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_int_equal(r->worker_pid, 0);
  assert_null(store_run_tag(r, RUN_TAG_WORKER_HOST));
  assert_null(store_run_tag(r, STORE_TAG_WORKER));

  host_thread *w1 = host_start(t, "w1", 2), *w2 = host_start(t, "w2", 2);
  for (int i = 1; i < RUNS; i++)
    launch(t, "quick", ids[i]);
  char here[128];
  assert_true(run_host_identity(here, sizeof here));
  for (int i = 0; i < RUNS; i++) {
    r = wait_finished(t, ids[i]);
    assert_int_equal(r->status, STORE_RUN_SUCCESS);
    const char *worker = store_run_tag(r, STORE_TAG_WORKER);
    assert_non_null(worker);
    assert_true(strcmp(worker, "w1") == 0 || strcmp(worker, "w2") == 0);
    assert_string_equal(store_run_tag(r, RUN_TAG_WORKER_HOST), here);
    assert_true(r->worker_pid > 0);
    /* Executed once: one RUN_STARTING (the launch), one RUN_START. */
    assert_int_equal(count_events(t, ids[i], "RUN_STARTING"), 1);
    assert_int_equal(count_events(t, ids[i], "RUN_START"), 1);
    assert_int_equal(count_events(t, ids[i], "RUN_SUCCESS"), 1);
    char started[256];
    snprintf(started, sizeof started, "run %s started", ids[i]);
    wait_said(strcmp(worker, "w1") == 0 ? w1 : w2, started);
    assert_false(host_said(strcmp(worker, "w1") == 0 ? w2 : w1, started));
  }
  assert_true(heartbeat_of(t, "w1") > 0);
  host_stop(w1, DAEMON_WORKER_DRAIN);
  host_stop(w2, DAEMON_WORKER_DRAIN);
  /* Stopped workers leave a heartbeat of 0. */
  assert_true(heartbeat_of(t, "w1") == 0);
  assert_true(heartbeat_of(t, "w2") == 0);
}

static void test_killed_worker_fails_run(void **state) {
  wh *t = *state;
  host_thread *h = host_start(t, "killed", 1);
  char id[37];
  launch(t, "gated", id);
  wait_gate_reached(t, id);
  store_run *r = home_get_run(&t->home, id);
  assert_int_equal(r->status, STORE_RUN_STARTED);
  long pid = (long)r->worker_pid;
  assert_true(pid > 0);
  assert_int_equal(kill((pid_t)pid, SIGKILL), 0);
  r = wait_finished(t, id);
  assert_int_equal(r->status, STORE_RUN_FAILURE);
  assert_string_equal(store_run_tag(r, RUN_TAG_FAILURE_REASON), "UNEXPECTED_TERMINATION");
  size_t n;
  store_event *ev = home_events(&t->home, id, &n);
  char want[256];
  snprintf(want, sizeof want,
           "Detected run worker status NOT_FOUND: 'The run worker (pid %ld) was killed by signal 9 "
           "(SIGKILL)'. Marking run %s as failed.",
           pid, id);
  assert_string_equal(ev[n - 1].event_type, "RUN_FAILURE");
  assert_string_equal(ev[n - 1].message, want);
  assert_string_equal(ev[n - 2].event_type, "ENGINE_EVENT");
  assert_non_null(strstr(ev[n - 2].message, "is not running"));
  snprintf(want, sizeof want, "run %s ended: FAILURE (The run worker (pid %ld) was killed", id,
           pid);
  wait_said(h, want);
  /* The host goes on: the next run runs. */
  char next[37];
  launch(t, "quick", next);
  assert_int_equal(wait_finished(t, next)->status, STORE_RUN_SUCCESS);
  host_stop(h, DAEMON_WORKER_DRAIN);
}

static void test_drain_waits_for_going_run(void **state) {
  wh *t = *state;
  host_thread *h = host_start(t, "drainer", 2);
  char going[37], later[37];
  launch(t, "gated", going);
  wait_gate_reached(t, going);
  atomic_store(&h->stop, DAEMON_WORKER_DRAIN);
  wait_said(h, "stopping: waiting for 1 going run, claiming no more");
  /* Draining: nothing more is claimed, and it waits for the going run. */
  launch(t, "quick", later);
  assert_false(atomic_load(&h->done));
  assert_true(heartbeat_of(t, "drainer") > 0);
  open_gate(t);
  host_stop(h, DAEMON_WORKER_DRAIN);
  assert_int_equal(home_get_run(&t->home, going)->status, STORE_RUN_SUCCESS);
  store_run *r = home_get_run(&t->home, later);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_null(store_run_tag(r, STORE_TAG_WORKER));
  assert_true(heartbeat_of(t, "drainer") == 0);

  /* Another worker takes the offer up. */
  h = host_start(t, "next", 1);
  r = wait_finished(t, later);
  assert_int_equal(r->status, STORE_RUN_SUCCESS);
  assert_string_equal(store_run_tag(r, STORE_TAG_WORKER), "next");
  host_stop(h, DAEMON_WORKER_DRAIN);
}

static void test_cancel_ends_going_runs(void **state) {
  wh *t = *state;
  host_thread *h = host_start(t, "canceler", 2);
  char a[37], b[37];
  launch(t, "gated", a);
  launch(t, "gated", b);
  wait_gate_reached(t, a);
  wait_gate_reached(t, b);
  atomic_store(&h->stop, DAEMON_WORKER_DRAIN); /* a first SIGTERM, then a second */
  host_stop(h, DAEMON_WORKER_CANCEL);
  const char *ids[] = {a, b};
  for (int i = 0; i < 2; i++) {
    store_run *r = home_get_run(&t->home, ids[i]);
    assert_int_equal(r->status, STORE_RUN_CANCELED);
    assert_int_equal(count_events(t, ids[i], "RUN_CANCELED"), 1);
  }
  assert_true(heartbeat_of(t, "canceler") == 0);
}

static void test_bad_options(void **state) {
  wh *t = *state;
  atomic_int stop;
  atomic_init(&stop, DAEMON_WORKER_DRAIN);
  const daemon_worker_options bad[] = {
      {.id = "w", .max_runs = 0, .poll_interval = 0.5},
      {.id = "", .max_runs = 1, .poll_interval = 0.5},
      {.id = NULL, .max_runs = 1, .poll_interval = 0.5},
      {.id = "w", .max_runs = 1, .poll_interval = 0},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    buf err;
    buf_init(&err, NULL);
    assert_int_equal(daemon_worker_run(t->home.inst, &bad[i], &stop, &err), -1);
    assert_string_equal(
        buf_cstr(&err),
        "a dagd worker needs an id, max_runs of at least 1 and a poll interval above 0");
    buf_free(&err);
  }
  /* Valid, and told to stop from the start: it beats, then stops. */
  const daemon_worker_options ok = {.id = "w", .max_runs = 1, .poll_interval = 0.05};
  buf err;
  buf_init(&err, NULL);
  assert_int_equal(daemon_worker_run(t->home.inst, &ok, &stop, &err), 0);
  assert_int_equal(err.len, 0);
  buf_free(&err);
  assert_true(heartbeat_of(t, "w") == 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_two_hosts_run_each_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_killed_worker_fails_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drain_waits_for_going_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_ends_going_runs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
