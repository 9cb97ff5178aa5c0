/* test_worker_host.c — unit tests for src/daemon/worker_host.c: worker
 * hosts run in threads of this process on a SQLite instance whose
 * dagd.yaml says run_launcher.workers: true, executing runs through the
 * real dagd binary (env DAGD, set by CTest). A launch only offers its
 * run (no worker started, no pid); two hosts run a batch of runs to
 * SUCCESS, each run claimed (an engine event naming the worker, its
 * incarnation and host) and started once; two hosts under one name are
 * two incarnations with heartbeats of their own; a run worker killed with
 * SIGKILL fails its run with the monitor's message naming the signal; a
 * host that cannot start run workers gives the run back (the monitor
 * leaves a waiting offer alone) and backs off, and another host runs it;
 * a host whose heartbeat cannot be written claims nothing until it can;
 * a drain (SIGTERM's level) claims nothing more and returns only after the
 * going run finished, leaving a stopped heartbeat; a cancel (SIGINT's)
 * ends the going runs CANCELED, killing a run worker that ignores
 * SIGTERM; a host starting kills the ops dead run workers of its instance
 * left, and nothing else; options that make no sense are refused. Every
 * wait has a deadline; ops are sh scripts that wait for files. */
#define _GNU_SOURCE /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "../run/fixtures/core/home.h"
#include "base/clock.h"
#include "base/mem.h"
#include "daemon/monitor.h"
#include "daemon/worker_host.h"
#include "defs/definitions.h"
#include "run/events.h"
#include "run/launch.h"
#include "run/run_internal.h"
#include "run/terminate.h"

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
  prctl(PR_SET_CHILD_SUBREAPER, 1); /* orphans of the test's processes come back here */
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
  char id[192]; /* its incarnation */
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

/* Starts a worker host named name on inst, a new incarnation. */
static host_thread *host_start_on(wh *t, run_instance *inst, const char *name, int max_runs) {
  host_thread *h = calloc(1, sizeof *h);
  h->t = t;
  h->inst = inst;
  daemon_worker_incarnation(name, h->id, sizeof h->id);
  h->o = (daemon_worker_options){.id = h->id,
                                 .name = name,
                                 .max_runs = max_runs,
                                 .poll_interval = 0.05,
                                 .say = collect,
                                 .say_data = h};
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

static host_thread *host_start(wh *t, const char *name, int max_runs) {
  return host_start_on(t, t->home.inst, name, max_runs);
}

/* The host's incarnation id, kept for the test after the host is gone. */
static const char *kept_id(wh *t, const host_thread *h) { return arena_strdup(t->home.a, h->id); }

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

/* wait_said for "run <id> <what>". */
static void wait_run_said(host_thread *h, const char *id, const char *what) {
  char text[256];
  snprintf(text, sizeof text, "run %s %s", id, what);
  wait_said(h, text);
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

/* A second instance on the same folder (the same store), whose run
 * workers start from dagd_path: a host with other means. */
static run_instance *other_instance(wh *t, const char *dagd_path) {
  buf err;
  buf_init(&err, NULL);
  run_instance *inst = run_instance_open(t->home.dir, &err);
  if (!inst)
    fail_msg("run_instance_open: %s", buf_cstr(&err));
  buf_free(&err);
  free(inst->dagd_path);
  inst->dagd_path = xstrdup(dagd_path);
  return inst;
}

/* The message of the run's event of type `type` that contains text, or
 * NULL. */
static const char *event_with(wh *t, const char *id, const char *type, const char *text) {
  size_t n;
  store_event *ev = home_events(&t->home, id, &n);
  for (size_t i = 0; i < n; i++)
    if (ev[i].event_type && strcmp(ev[i].event_type, type) == 0 && ev[i].message &&
        strstr(ev[i].message, text))
      return ev[i].message;
  return NULL;
}

/* Waits until the run has an event of type `type` (deadline: fails). */
static void wait_event(wh *t, const char *id, const char *type) {
  for (int i = 0; i < DEADLINE_TICKS && count_events(t, id, type) == 0; i++)
    nap();
  if (count_events(t, id, type) == 0)
    fail_msg("run %s never had %s", id, type);
}

/* The claim's engine event as host h writes it. */
static void claim_event(const host_thread *h, char *out, size_t size) {
  char hostname[256] = "";
  gethostname(hostname, sizeof hostname);
  snprintf(out, size, "Claimed by dagd worker %s (%s) on host %s.", h->o.name, h->id, hostname);
}

/* One monitoring pass, time `ahead` seconds from now; how many runs it
 * acted on. */
static int monitor_pass(wh *t, daemon_monitor_state *st, double ahead) {
  buf err;
  buf_init(&err, t->home.a);
  int n = daemon_monitor_pass(t->home.inst, st, clock_now() + ahead, clock_mono() + ahead, &err);
  if (n < 0)
    fail_msg("daemon_monitor_pass: %s", buf_cstr(&err));
  return n;
}

/* Checks that host h takes up the waiting offer of run id and runs it to
 * SUCCESS, once; then stops h. */
static void runs_it(wh *t, const char *id, host_thread *h) {
  store_run *r = wait_finished(t, id);
  assert_int_equal(r->status, STORE_RUN_SUCCESS);
  assert_string_equal(store_run_tag(r, STORE_TAG_WORKER), h->id);
  assert_int_equal(count_events(t, id, "RUN_START"), 1);
  host_stop(h, DAEMON_WORKER_DRAIN);
}

/* Runs SQL on the instance's SQLite database (a trigger that makes the
 * store fail). */
static void db_exec(wh *t, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(t->home.inst->database, &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg ? msg : "?");
  sqlite3_close(db);
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
  /* Each process is an incarnation of its own: name#8 hex digits. */
  assert_int_equal(strlen(w1->id), strlen("w1#") + 8);
  assert_memory_equal(w1->id, "w1#", 3);
  assert_int_equal(strspn(w1->id + 3, "0123456789abcdef"), 8);
  for (int i = 1; i < RUNS; i++)
    launch(t, "quick", ids[i]);
  char here[128];
  assert_true(run_host_identity(here, sizeof here));
  for (int i = 0; i < RUNS; i++) {
    r = wait_finished(t, ids[i]);
    assert_int_equal(r->status, STORE_RUN_SUCCESS);
    const char *worker = store_run_tag(r, STORE_TAG_WORKER);
    assert_non_null(worker);
    assert_true(strcmp(worker, w1->id) == 0 || strcmp(worker, w2->id) == 0);
    host_thread *mine = strcmp(worker, w1->id) == 0 ? w1 : w2;
    assert_string_equal(store_run_tag(r, RUN_TAG_WORKER_HOST), here);
    assert_true(r->worker_pid > 0);
    /* Executed once: one RUN_STARTING (the launch), one RUN_START. */
    assert_int_equal(count_events(t, ids[i], "RUN_STARTING"), 1);
    assert_int_equal(count_events(t, ids[i], "RUN_START"), 1);
    assert_int_equal(count_events(t, ids[i], "RUN_SUCCESS"), 1);
    /* The claim, right after RUN_STARTING, names the worker and host. */
    size_t n;
    store_event *ev = home_events(&t->home, ids[i], &n);
    char claimed[512];
    claim_event(mine, claimed, sizeof claimed);
    assert_string_equal(ev[0].event_type, "RUN_STARTING");
    assert_string_equal(ev[1].event_type, "ENGINE_EVENT");
    assert_string_equal(ev[1].message, claimed);
    char started[256];
    snprintf(started, sizeof started, "run %s started", ids[i]);
    wait_said(mine, started);
    assert_false(host_said(mine == w1 ? w2 : w1, started));
  }
  assert_true(heartbeat_of(t, w1->id) > 0);
  const char *w1_id = kept_id(t, w1), *w2_id = kept_id(t, w2);
  host_stop(w1, DAEMON_WORKER_DRAIN);
  host_stop(w2, DAEMON_WORKER_DRAIN);
  /* Stopped workers leave a heartbeat of 0. */
  assert_true(heartbeat_of(t, w1_id) == 0);
  assert_true(heartbeat_of(t, w2_id) == 0);
}

static void test_same_name_two_incarnations(void **state) {
  wh *t = *state;
  daemon_monitor_state *st = daemon_monitor_state_new();
  /* Two processes given one name (or a restart reusing hostname-pid). */
  host_thread *a = host_start(t, "twin", 1);
  char going[37];
  launch(t, "gated", going);
  wait_gate_reached(t, going);
  host_thread *b = host_start(t, "twin", 1);
  assert_string_not_equal(a->id, b->id);
  const char *a_id = kept_id(t, a), *b_id = kept_id(t, b);
  const char *claimer = store_run_tag(home_get_run(&t->home, going), STORE_TAG_WORKER);
  assert_string_equal(claimer, a_id);
  assert_int_equal(monitor_pass(t, st, 0), 0);
  /* The other twin stops: its heartbeat of 0 is its own, and a's run
   * goes on, whatever the monitor passes. */
  host_stop(b, DAEMON_WORKER_DRAIN);
  assert_true(heartbeat_of(t, b_id) == 0);
  assert_true(heartbeat_of(t, a_id) > 0);
  assert_int_equal(monitor_pass(t, st, 0), 0);
  assert_int_equal(home_get_run(&t->home, going)->status, STORE_RUN_STARTED);
  open_gate(t);
  assert_int_equal(wait_finished(t, going)->status, STORE_RUN_SUCCESS);
  host_stop(a, DAEMON_WORKER_DRAIN);
  daemon_monitor_state_free(st);
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

static void test_start_failure_gives_run_back(void **state) {
  wh *t = *state;
  /* A host whose dagd binary is missing cannot start any run worker. */
  run_instance *broken = other_instance(t, "/nonexistent/dagd");
  host_thread *bad = host_start_on(t, broken, "broken", 2);
  char id[37];
  launch(t, "quick", id);
  wait_run_said(bad, id, "given back to the offers");
  /* It tries again after 1 s, fails again, then waits 2 s. */
  wait_said(bad, "claiming no runs for 2 s");
  assert_true(host_said(bad, "claiming no runs for 1 s"));
  char why[256];
  snprintf(why, sizeof why,
           "run %s could not be started: Could not start the run worker: /nonexistent/dagd: No "
           "such file or directory",
           id);
  assert_true(host_said(bad, why));
  host_stop(bad, DAEMON_WORKER_DRAIN);
  run_instance_close(broken);
  /* Still offered, no worker's: the reason is in the run's events, and
   * the monitor, seeing a run that waits for a worker, leaves it be. */
  store_run *r = home_get_run(&t->home, id);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_int_equal(r->worker_pid, 0);
  assert_null(store_run_tag(r, STORE_TAG_WORKER));
  assert_non_null(event_with(t, id, "ENGINE_EVENT",
                             "could not start the run: Could not start the run worker: "
                             "/nonexistent/dagd: No such file or directory"));
  daemon_monitor_state *st = daemon_monitor_state_new();
  assert_int_equal(monitor_pass(t, st, 3600), 0);
  daemon_monitor_state_free(st);
  assert_int_equal(home_get_run(&t->home, id)->status, STORE_RUN_STARTING);

  /* A host that can takes it and runs it. */
  runs_it(t, id, host_start(t, "good", 1));
}

static void test_no_claims_without_heartbeat(void **state) {
  wh *t = *state;
  /* Heartbeats cannot be written (the timeout is short, so claims would
   * go on only a moment after the last one that landed). */
  db_exec(t, "CREATE TRIGGER no_beats BEFORE INSERT ON daemon_heartbeats "
             "BEGIN SELECT RAISE(ABORT, 'no heartbeats today'); END");
  run_instance *inst = other_instance(t, t->home.inst->dagd_path);
  inst->worker_heartbeat_timeout = 0.6;
  char id[37];
  launch(t, "quick", id);
  host_thread *h = host_start_on(t, inst, "mute", 1);
  wait_said(h, "the heartbeat failed (retrying at its next turn): ");
  assert_true(host_said(h, "no heartbeats today"));
  /* Had it claimed without a heartbeat, it would have by now: the claim
   * follows the heartbeat in the same round. */
  double allowed = clock_now();
  db_exec(t, "DROP TRIGGER no_beats");
  wait_said(h, "the heartbeat works again");
  runs_it(t, id, h);
  size_t n;
  store_event *ev = home_events(&t->home, id, &n);
  assert_string_equal(ev[1].event_type, "ENGINE_EVENT");
  assert_non_null(strstr(ev[1].message, "Claimed by dagd worker mute"));
  assert_true(ev[1].timestamp >= allowed);
  run_instance_close(inst);
}

static void test_drain_waits_for_going_run(void **state) {
  wh *t = *state;
  host_thread *h = host_start(t, "drainer", 2);
  const char *drainer_id = kept_id(t, h);
  char going[37], later[37];
  launch(t, "gated", going);
  wait_event(t, going, "RUN_START");
  /* The run is going when the drain starts. */
  store_run *r = home_get_run(&t->home, going);
  assert_int_equal(r->status, STORE_RUN_STARTED);
  atomic_store(&h->stop, DAEMON_WORKER_DRAIN);
  wait_said(h, "stopping: waiting for 1 going run, claiming no more");
  /* Draining: nothing more is claimed, and the host waits for the going
   * run, which cannot end while its gate is closed. */
  launch(t, "quick", later);
  wait_gate_reached(t, going);
  assert_int_equal(home_get_run(&t->home, going)->status, STORE_RUN_STARTED);
  assert_false(atomic_load(&h->done));
  assert_true(heartbeat_of(t, drainer_id) > 0);
  open_gate(t);
  host_stop(h, DAEMON_WORKER_DRAIN);
  /* It returned once the run had finished, SUCCESS. */
  assert_int_equal(home_get_run(&t->home, going)->status, STORE_RUN_SUCCESS);
  assert_int_equal(count_events(t, going, "RUN_SUCCESS"), 1);
  r = home_get_run(&t->home, later);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_null(store_run_tag(r, STORE_TAG_WORKER));
  assert_true(heartbeat_of(t, drainer_id) == 0);

  /* Another worker takes the offer up. */
  runs_it(t, later, host_start(t, "next", 1));
}

static void test_cancel_ends_going_runs(void **state) {
  wh *t = *state;
  host_thread *h = host_start(t, "canceler", 2);
  const char *canceler_id = kept_id(t, h);
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
    assert_non_null(event_with(t, ids[i], "RUN_CANCELING", RUN_TERMINATION_REQUEST));
  }
  assert_true(heartbeat_of(t, canceler_id) == 0);
}

static void test_cancel_kills_stuck_worker(void **state) {
  wh *t = *state;
  /* A run worker that ignores SIGTERM (and never gets to its run). */
  char path[160];
  snprintf(path, sizeof path, "%s/stubborn.sh", t->home.dir);
  home_write_file(path, "#!/bin/sh\ntrap '' TERM\nexec sleep 60\n");
  assert_int_equal(chmod(path, 0755), 0);
  run_instance *stubborn = other_instance(t, path);
  stubborn->terminate_grace = 0.1;
  host_thread *h = host_start_on(t, stubborn, "stubborn", 1);
  char id[37];
  launch(t, "quick", id);
  wait_run_said(h, id, "started");
  long pid = (long)home_get_run(&t->home, id)->worker_pid;
  assert_true(pid > 0);
  /* Canceled: RUN_CANCELING at once, SIGTERM ignored, SIGKILL after the
   * grace and the slack; the run ends CANCELED. */
  host_stop(h, DAEMON_WORKER_CANCEL);
  store_run *r = home_get_run(&t->home, id);
  assert_int_equal(r->status, STORE_RUN_CANCELED);
  assert_non_null(event_with(t, id, "RUN_CANCELING", RUN_TERMINATION_REQUEST));
  char engine[160];
  snprintf(engine, sizeof engine, "The run worker (pid %ld) is not running", pid);
  assert_non_null(event_with(t, id, "ENGINE_EVENT", engine));
  assert_int_equal(kill((pid_t)pid, 0), -1); /* killed and reaped */
  run_instance_close(stubborn);
}

/* A process left as a dead run worker leaves its ops: a session whose
 * leader exited, holding a `sleep` whose environment is envp. Its pid. */
static pid_t leave_orphan(char *const envp[]) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  pid_t leader = fork();
  assert_true(leader >= 0);
  if (leader == 0) {
    setsid();
    pid_t op = fork();
    if (op == 0) {
      setpgid(0, 0);
      char *argv[] = {"/bin/sleep", "60", NULL};
      execve(argv[0], argv, envp);
      _exit(127);
    }
    (void)!write(fds[1], &op, sizeof op);
    _exit(0);
  }
  close(fds[1]);
  pid_t op = 0;
  assert_int_equal(read(fds[0], &op, sizeof op), (ssize_t)sizeof op);
  close(fds[0]);
  assert_int_equal(waitpid(leader, NULL, 0), leader);
  return op;
}

static void test_start_kills_leftover_ops(void **state) {
  wh *t = *state;
  char home_entry[256], other_entry[256];
  snprintf(home_entry, sizeof home_entry, "DAGD_HOME=%s", t->home.inst->home);
  snprintf(other_entry, sizeof other_entry, "DAGD_HOME=%s/elsewhere", t->home.inst->home);
  char *orphan_env[] = {home_entry, "DAGD_RUN_ID=55555555-5555-4555-8555-555555555555", NULL};
  char *other_home_env[] = {other_entry, "DAGD_RUN_ID=55555555-5555-4555-8555-555555555555", NULL};
  char *no_run_env[] = {home_entry, NULL};
  pid_t orphan = leave_orphan(orphan_env);
  pid_t other_home = leave_orphan(other_home_env); /* another instance's */
  pid_t no_run = leave_orphan(no_run_env);         /* no op of a run */
  host_thread *h = host_start(t, "restarted", 1);
  wait_said(h, "killed 1 process group of ops left on this host by run workers that are gone");
  int status;
  assert_int_equal(waitpid(orphan, &status, 0), orphan);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGKILL);
  host_stop(h, DAEMON_WORKER_DRAIN);
  /* The others are alive (not yet reaped, nor killed). */
  assert_int_equal(waitpid(other_home, &status, WNOHANG), 0);
  assert_int_equal(waitpid(no_run, &status, WNOHANG), 0);
  /* A second start finds nothing of this instance left. */
  h = host_start(t, "again", 1);
  host_stop(h, DAEMON_WORKER_DRAIN);
  assert_int_equal(waitpid(other_home, &status, WNOHANG), 0);
  kill(other_home, SIGKILL);
  kill(no_run, SIGKILL);
  assert_int_equal(waitpid(other_home, NULL, 0), other_home);
  assert_int_equal(waitpid(no_run, NULL, 0), no_run);
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
      cmocka_unit_test_setup_teardown(test_same_name_two_incarnations, setup, teardown),
      cmocka_unit_test_setup_teardown(test_killed_worker_fails_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_failure_gives_run_back, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_claims_without_heartbeat, setup, teardown),
      cmocka_unit_test_setup_teardown(test_drain_waits_for_going_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_ends_going_runs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cancel_kills_stuck_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_kills_leftover_ops, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
