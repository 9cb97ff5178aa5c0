/* test_launch.c — unit tests for src/run/launch.c.
 *
 * run_create: the stored run's fields, tags merged (job's, then the
 * caller's, then the request's system tags, then dagd's) and sorted,
 * written with the run, reserved tags refused with
 * Dagster's message, caller-given ids (conflicts, bad ids), subsets (their
 * selections, the snapshot stored under both ids), lineage ids.
 *
 * run_launch: the worker is fixtures/core/fake_worker.sh standing in for
 * dagd; it records its argv, DAGD_HOME, session and signal masks, which
 * the tests check (its own session, no inherited blocked or ignored
 * signals), along with the stored worker pid, RUN_STARTING and the worker
 * log. A worker that cannot be executed fails the run with the reason; so
 * does a store that cannot record RUN_STARTING (a trigger makes it fail),
 * and a run claimed already is launched all the same. The launch records
 * this host's identity (boot id and PID namespace) in the run's hidden
 * worker host tag, before RUN_STARTING; when that cannot be stored the
 * run fails unstarted. With run_launcher.workers a launch only offers
 * the run (one claim takes it; an offer the store refuses fails the run).
 * run_start_worker as a child: the caller's child in its own session,
 * killed when the thread that started it ends; one that cannot start (or
 * whose host cannot be recorded) leaves its run STARTING for the caller,
 * with the reason, and run_fail_launch fails a run as a launch does. A
 * job whose
 * snapshot is stored already does not write it again. The
 * workers, orphaned by the double fork, are reaped by this process, a
 * child subreaper (home.h). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "base/mem.h"
#include "defs/selection.h"
#include "defs/snapshot.h"
#include "fixtures/core/home.h"
#include "run/events.h"
#include "run/launch.h"
#include "run/run_internal.h"

#define FAKE_WORKER "tests/unit/run/fixtures/core/fake_worker.sh"

static const char DEFS[] = "repository: r\n"
                           "ops:\n"
                           "  a: {command: [\"true\"]}\n"
                           "  b:\n"
                           "    command: [\"true\"]\n"
                           "    inputs: {x: Any}\n"
                           "  c: {command: [\"true\"]}\n"
                           "jobs:\n"
                           "  j:\n"
                           "    tags: {team: core, owner: job}\n"
                           "    ops:\n"
                           "      a: {op: a}\n"
                           "      b: {op: b, inputs: {x: a.result}}\n"
                           "      c: {op: c}\n";

typedef struct launch_fixture {
  home_fixture *home;
  defs_definitions *defs;
  const defs_job *job;
} launch_fixture;

static int setup(void **state) {
  void *home_state;
  if (home_setup(&home_state) != 0)
    return -1;
  launch_fixture *f = calloc(1, sizeof *f);
  f->home = home_state;
  buf err;
  buf_init(&err, NULL);
  f->defs = defs_load_text("defs.yaml", DEFS, strlen(DEFS), &err);
  if (!f->defs) {
    fprintf(stderr, "defs: %s\n", buf_cstr(&err));
    return -1;
  }
  buf_free(&err);
  f->job = &f->defs->jobs[0];
  *state = f;
  return 0;
}

static int teardown(void **state) {
  launch_fixture *f = *state;
  defs_definitions_release(f->defs);
  void *home_state = f->home;
  free(f);
  return home_teardown(&home_state);
}

/* run_create that must work; the id goes into id. */
static void create_ok(launch_fixture *f, const run_new *req, char id[37]) {
  run_error err;
  if (run_create(f->home->inst, req, id, &err) != 0)
    fail_msg("run_create: %s", err.message);
}

static const char *tag_value(const store_run *r, const char *key) {
  for (size_t i = 0; i < r->n_tags; i++)
    if (strcmp(r->tags[i].key, key) == 0)
      return r->tags[i].value;
  return NULL;
}

/* ---- run_create ---- */

static void test_create_fields_and_tags(void **state) {
  launch_fixture *f = *state;
  store_tag tags[] = {{"zeta", "z"}, {"owner", "me"}, {"dagster/priority", "5"}};
  json_t *config = json_pack("{s:{s:{s:i}},s:{}}", "ops", "a", "config", 1, "execution");
  const char *steps[] = {"a", "c"};
  run_new req = {.defs = f->defs,
                 .job = f->job,
                 .location_name = "loc",
                 .run_config = config,
                 .tags = tags,
                 .n_tags = 3,
                 .step_keys = steps,
                 .n_step_keys = 2};
  char id[37];
  create_ok(f, &req, id);
  json_decref(config);
  assert_int_equal(strlen(id), 36);

  store_run *r = home_get_run(f->home, id);
  assert_string_equal(r->job_name, "j");
  assert_string_equal(r->repository_name, "r");
  assert_string_equal(r->location_name, "loc");
  assert_string_equal(r->mode, "default");
  assert_int_equal(r->status, STORE_RUN_NOT_STARTED);
  assert_string_equal(r->run_config, "{\"ops\":{\"a\":{\"config\":1}},\"execution\":{}}");
  assert_null(r->op_selection);
  assert_null(r->resolved_op_selection);
  assert_string_equal(r->step_keys_to_execute, "[\"a\",\"c\"]");
  assert_null(r->parent_run_id);
  assert_null(r->root_run_id);
  assert_int_equal(r->worker_pid, 0);
  /* Job tags, then the caller's (owner replaced), sorted by key. */
  assert_int_equal(r->n_tags, 4);
  const char *want[][2] = {
      {"dagster/priority", "5"}, {"owner", "me"}, {"team", "core"}, {"zeta", "z"}};
  for (size_t i = 0; i < 4; i++) {
    assert_string_equal(r->tags[i].key, want[i][0]);
    assert_string_equal(r->tags[i].value, want[i][1]);
  }

  /* The snapshot is stored under the run's snapshot id. */
  char snap_id[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(f->defs, f->job, snap_id);
  assert_string_equal(r->snapshot_id, snap_id);
  buf text;
  buf_init(&text, NULL);
  defs_job_snapshot(f->defs, f->job, &text);
  size_t len;
  store_error serr;
  char *stored = store_snapshot_get(f->home->inst->store, snap_id, f->home->a, &len, &serr);
  assert_non_null(stored);
  assert_string_equal(stored, text.data);
  buf_free(&text);

  /* Defaults: {} for no run config, every step, no tags of the caller. */
  run_new plain = {.defs = f->defs, .job = f->job, .location_name = "loc"};
  char id2[37];
  create_ok(f, &plain, id2);
  assert_string_not_equal(id, id2);
  r = home_get_run(f->home, id2);
  assert_string_equal(r->run_config, "{}");
  assert_null(r->step_keys_to_execute);
  assert_int_equal(r->n_tags, 2);
  assert_string_equal(tag_value(r, "owner"), "job");
}

static void test_create_reserved_tags(void **state) {
  launch_fixture *f = *state;
  static const char *const refused[] = {"dagster/solid_selection", "dagster/parent_run_id",
                                        "dagster/anything", ".dagster/grpc_info",
                                        "dagster/failure_reason"};
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    store_tag tags[] = {{"ok", "1"}, {refused[i], "x"}};
    run_new req = {.defs = f->defs, .job = f->job, .tags = tags, .n_tags = 2};
    char id[37];
    run_error err;
    assert_int_equal(run_create(f->home->inst, &req, id, &err), -1);
    assert_int_equal(err.code, RUN_ERR_INVALID);
    char want[128];
    snprintf(want, sizeof want, "Attempted to set tag with reserved system prefix: %s", refused[i]);
    assert_string_equal(err.message, want);
  }
  store_error serr;
  assert_int_equal(store_runs_count(f->home->inst->store, &(store_runs_filter){0}, &serr), 0);

  /* Every tag users may set under dagster/ is accepted. */
  static const char *const editable[] = {
      "dagster/priority",    "dagster/max_retries", "dagster/retry_strategy",
      "dagster/max_runtime", "dagster/isolation",   "dagster/retry_on_asset_or_op_failure"};
  store_tag tags[6];
  for (size_t i = 0; i < 6; i++)
    tags[i] = (store_tag){editable[i], "1"};
  run_new req = {.defs = f->defs, .job = f->job, .tags = tags, .n_tags = 6};
  char id[37];
  create_ok(f, &req, id);
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->n_tags, 8);
}

static void test_create_given_ids(void **state) {
  launch_fixture *f = *state;
  const char *wanted = "6b0f1d2c-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
  run_new req = {.defs = f->defs, .job = f->job, .run_id = wanted};
  char id[37];
  create_ok(f, &req, id);
  assert_string_equal(id, wanted);

  run_error err;
  assert_int_equal(run_create(f->home->inst, &req, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_CONFLICT);
  assert_string_equal(err.message, "Found conflicting existing run with same id "
                                   "6b0f1d2c-1a2b-4c3d-8e9f-0a1b2c3d4e5f.");

  static const char *const bad[] = {"../../etc",
                                    "",
                                    "6b0f1d2c-1a2b-4c3d-8e9f-0a1b2c3d4e5",
                                    "6b0f1d2c-1a2b-4c3d-8e9f-0a1b2c3d4e5fa",
                                    "6b0f1d2c_1a2b-4c3d-8e9f-0a1b2c3d4e5f",
                                    "6b0f1d2c-1a2b-4c3d-8e9f-0a1b2c3d4e5g"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    req.run_id = bad[i];
    assert_int_equal(run_create(f->home->inst, &req, id, &err), -1);
    assert_int_equal(err.code, RUN_ERR_INVALID);
  }
  req.run_id = "../../etc";
  run_create(f->home->inst, &req, id, &err);
  assert_string_equal(err.message, "Invalid run id \"../../etc\": a run id is a UUID.");
}

static void test_create_subset(void **state) {
  launch_fixture *f = *state;
  const char *queries[] = {"c", "a"};
  buf err_text;
  buf_init(&err_text, NULL);
  const defs_job *sub = defs_job_subset(f->job, queries, 2, f->home->a, &err_text);
  assert_non_null(sub);
  buf_free(&err_text);
  run_new req = {.defs = f->defs, .job = sub, .location_name = "loc"};
  char id[37];
  create_ok(f, &req, id);
  store_run *r = home_get_run(f->home, id);
  assert_string_equal(r->job_name, "j");
  assert_string_equal(r->op_selection, "[\"c\",\"a\"]");
  assert_string_equal(r->resolved_op_selection, "[\"a\",\"c\"]");
  assert_string_equal(tag_value(r, "dagster/solid_selection"), "c,a");
  assert_string_equal(tag_value(r, "team"), "core"); /* the job's tags still apply */

  /* The run's snapshot id is the subset's; the parent's text is stored
   * under it and under the parent's own id. */
  char sub_id[DEFS_SNAPSHOT_ID_LEN + 1], parent_id[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(f->defs, sub, sub_id);
  defs_job_snapshot_id(f->defs, f->job, parent_id);
  assert_string_equal(r->snapshot_id, sub_id);
  assert_string_not_equal(sub_id, parent_id);
  buf text;
  buf_init(&text, NULL);
  defs_job_snapshot(f->defs, f->job, &text);
  size_t len;
  store_error serr;
  assert_string_equal(store_snapshot_get(f->home->inst->store, sub_id, f->home->a, &len, &serr),
                      text.data);
  assert_string_equal(store_snapshot_get(f->home->inst->store, parent_id, f->home->a, &len, &serr),
                      text.data);
  buf_free(&text);
}

static void test_create_lineage(void **state) {
  launch_fixture *f = *state;
  const char *parent = "11111111-1111-4111-8111-111111111111";
  const char *root = "22222222-2222-4222-8222-222222222222";
  run_new req = {.defs = f->defs, .job = f->job, .parent_run_id = parent, .root_run_id = root};
  char id[37];
  create_ok(f, &req, id);
  store_run *r = home_get_run(f->home, id);
  assert_string_equal(r->parent_run_id, parent);
  assert_string_equal(r->root_run_id, root);
  assert_string_equal(tag_value(r, "dagster/parent_run_id"), parent);
  assert_string_equal(tag_value(r, "dagster/root_run_id"), root);

  run_error err;
  req.root_run_id = NULL;
  assert_int_equal(run_create(f->home->inst, &req, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  req.parent_run_id = NULL;
  req.root_run_id = root;
  assert_int_equal(run_create(f->home->inst, &req, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
}

static void test_create_system_tags(void **state) {
  launch_fixture *f = *state;
  const char *parent = "11111111-1111-4111-8111-111111111111";
  store_tag tags[] = {{"owner", "me"}, {"step", "mine"}};
  /* Not checked against the reserved prefixes; they win over the
   * caller's, and lose to the lineage tags run_create writes. */
  store_tag system[] = {{"dagster/is_resume_retry", "true"},
                        {"dagster/step_selection", "a,c"},
                        {"owner", "system"},
                        {"dagster/parent_run_id", "stale"}};
  run_new req = {.defs = f->defs,
                 .job = f->job,
                 .tags = tags,
                 .n_tags = 2,
                 .system_tags = system,
                 .n_system_tags = 4,
                 .parent_run_id = parent,
                 .root_run_id = parent};
  char id[37];
  create_ok(f, &req, id);
  store_run *r = home_get_run(f->home, id);
  assert_string_equal(tag_value(r, "dagster/is_resume_retry"), "true");
  assert_string_equal(tag_value(r, "dagster/step_selection"), "a,c");
  assert_string_equal(tag_value(r, "owner"), "system");
  assert_string_equal(tag_value(r, "step"), "mine");
  assert_string_equal(tag_value(r, "dagster/parent_run_id"), parent);
  for (size_t i = 1; i < r->n_tags; i++) /* stored sorted, one per key */
    assert_true(strcmp(r->tags[i - 1].key, r->tags[i].key) < 0);

  /* A caller's reserved tag is refused all the same, as is a system tag
   * without a value; no run is left behind either way. */
  store_error serr;
  int64_t before = store_runs_count(f->home->inst->store, &(store_runs_filter){0}, &serr);
  store_tag reserved[] = {{"dagster/backfill", "b"}};
  run_new bad = {.defs = f->defs,
                 .job = f->job,
                 .tags = reserved,
                 .n_tags = 1,
                 .system_tags = system,
                 .n_system_tags = 1};
  run_error err;
  assert_int_equal(run_create(f->home->inst, &bad, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  assert_string_equal(err.message,
                      "Attempted to set tag with reserved system prefix: dagster/backfill");
  store_tag no_value[] = {{"dagster/is_resume_retry", NULL}};
  bad = (run_new){.defs = f->defs, .job = f->job, .system_tags = no_value, .n_system_tags = 1};
  assert_int_equal(run_create(f->home->inst, &bad, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  assert_string_equal(err.message, "A tag needs a key and a value.");
  assert_int_equal(store_runs_count(f->home->inst->store, &(store_runs_filter){0}, &serr), before);
}

/* ---- run_launch ---- */

/* Polls until path exists; false after ~20 s. */
static bool wait_for_file(const char *path) {
  struct timespec nap = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 2000; i++) {
    if (access(path, F_OK) == 0)
      return true;
    nanosleep(&nap, NULL);
  }
  return false;
}

/* Waits (up to ~20 s) for the worker, now a child of this subreaper, to
 * exit, and reaps it. */
static void wait_gone(long pid) {
  struct timespec nap = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 2000; i++) {
    if (waitpid((pid_t)pid, NULL, WNOHANG) == (pid_t)pid)
      return;
    nanosleep(&nap, NULL);
  }
  fail_msg("the fake worker %ld did not exit", pid);
}

/* The value of `key=` on its n-th line (0-based) of the record, or NULL. */
static const char *record_value(const char *record, const char *key, int nth, char *out,
                                size_t size) {
  size_t klen = strlen(key);
  for (const char *line = record; *line;) {
    const char *end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) : strlen(line);
    if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=' && nth-- == 0) {
      snprintf(out, size, "%.*s", (int)(len - klen - 1), line + klen + 1);
      return out;
    }
    line += len + (end ? 1 : 0);
  }
  return NULL;
}

static char *read_text(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp)
    fail_msg("cannot read %s", path);
  buf b;
  buf_init(&b, NULL);
  buf_read_file(&b, fp);
  fclose(fp);
  return b.data ? b.data : strdup("");
}

/* Points the instance at another worker executable. */
static void set_worker(launch_fixture *f, const char *path) {
  free(f->home->inst->dagd_path);
  f->home->inst->dagd_path = xstrdup(path);
}

/* Points the instance at a copy of the fake worker in the home folder,
 * executable whatever the checkout did; the copy's path into path. */
static void use_fake_worker(launch_fixture *f, char path[128]) {
  snprintf(path, 128, "%s/fake_worker.sh", f->home->dir);
  char *script = read_text(FAKE_WORKER);
  home_write_file(path, script);
  free(script);
  assert_int_equal(chmod(path, 0755), 0);
  set_worker(f, path);
}

/* What the fake worker recorded of itself (free it), once it has. */
static char *worker_record(const run_instance *inst) {
  char path[160];
  snprintf(path, sizeof path, "%s/worker-record", inst->home);
  assert_true(wait_for_file(path));
  return read_text(path);
}

static void test_launch_starts_worker(void **state) {
  launch_fixture *f = *state;
  run_instance *inst = f->home->inst;
  char worker[128];
  use_fake_worker(f, worker);

  run_new req = {.defs = f->defs, .job = f->job};
  char id[37];
  create_ok(f, &req, id);

  /* The worker must not inherit what the server blocks or ignores. */
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, &old_mask);
  struct sigaction ign = {.sa_handler = SIG_IGN}, old_usr2;
  sigaction(SIGUSR2, &ign, &old_usr2);
  run_error err;
  int rc = run_launch(inst, id, &err);
  sigprocmask(SIG_SETMASK, &old_mask, NULL);
  sigaction(SIGUSR2, &old_usr2, NULL);
  if (rc != 0)
    fail_msg("run_launch: %s", err.message);

  char *record = worker_record(inst);
  char v[512];
  assert_string_equal(record_value(record, "arg0", 0, v, sizeof v), worker);
  assert_string_equal(record_value(record, "argc", 0, v, sizeof v), "2");
  assert_string_equal(record_value(record, "arg", 0, v, sizeof v), "execute-run");
  assert_string_equal(record_value(record, "arg", 1, v, sizeof v), id);
  assert_string_equal(record_value(record, "home", 0, v, sizeof v), inst->home);
  long pid = atol(record_value(record, "pid", 0, v, sizeof v));
  long sid = atol(record_value(record, "sid", 0, v, sizeof v));
  assert_true(pid > 0);
  assert_int_equal(sid, pid); /* a session of its own */
  assert_int_not_equal(sid, (long)getsid(0));
  unsigned long long blocked = strtoull(record_value(record, "sigblk", 0, v, sizeof v), NULL, 16);
  unsigned long long ignored = strtoull(record_value(record, "sigign", 0, v, sizeof v), NULL, 16);
  assert_int_equal(blocked & (1ULL << (SIGUSR1 - 1)), 0);
  assert_int_equal(ignored & (1ULL << (SIGUSR2 - 1)), 0);
  free(record);

  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->worker_pid, pid);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  size_t n;
  store_event *ev = home_events(f->home, id, &n);
  assert_int_equal(n, 1);
  assert_string_equal(ev[0].event_type, "RUN_STARTING");
  assert_int_equal(ev[0].level, RUN_LEVEL_INFO);
  assert_string_equal(ev[0].message, "");
  assert_null(ev[0].body);

  char log_path[256];
  snprintf(log_path, sizeof log_path, "%s/%s/worker.log", inst->compute_logs_dir, id);
  char *log = read_text(log_path);
  assert_string_equal(log, "worker stdout\nworker stderr\n");
  free(log);
  wait_gone(pid);

  /* Launching it again is refused: it is no longer NOT_STARTED. */
  assert_int_equal(run_launch(inst, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  char want[200];
  snprintf(want, sizeof want,
           "Run %s cannot be launched: its status is STARTING, and only a NOT_STARTED or QUEUED "
           "run can be.",
           id);
  assert_string_equal(err.message, want);
}

/* The run failed as it started (no worker, JOB_INITIALIZATION_FAILURE):
 * its events RUN_STARTING, an error ENGINE_EVENT that says why, and
 * RUN_FAILURE; returned for the caller to check what they say. */
static const store_event *assert_failed_at_start(launch_fixture *f, const char *id) {
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_FAILURE);
  assert_int_equal(r->worker_pid, 0);
  assert_string_equal(tag_value(r, "dagster/failure_reason"), "JOB_INITIALIZATION_FAILURE");
  size_t n;
  store_event *ev = home_events(f->home, id, &n);
  assert_int_equal(n, 3);
  assert_string_equal(ev[0].event_type, "RUN_STARTING");
  assert_string_equal(ev[1].event_type, "ENGINE_EVENT");
  assert_int_equal(ev[1].level, RUN_LEVEL_ERROR);
  assert_string_equal(ev[2].event_type, "RUN_FAILURE");
  return ev;
}

/* Launches a run with worker path `path` and checks the run failed with
 * reason "Could not start the run worker: <path>: <why>". */
static void check_worker_fails(launch_fixture *f, const char *path, const char *why) {
  set_worker(f, path);
  run_new req = {.defs = f->defs, .job = f->job};
  char id[37];
  create_ok(f, &req, id);
  run_error err;
  assert_int_equal(run_launch(f->home->inst, id, &err), 0);

  char reason[300];
  snprintf(reason, sizeof reason, "Could not start the run worker: %s: %s", path, why);
  const store_event *ev = assert_failed_at_start(f, id);
  assert_string_equal(ev[1].message, reason);
  char body[512];
  snprintf(body, sizeof body,
           "{\"error\":{\"message\":\"%s\",\"className\":\"dagd.RunLaunchError\",\"stack\":[],"
           "\"cause\":null}}",
           reason);
  assert_string_equal(ev[1].body, body);
  assert_int_equal(ev[2].level, RUN_LEVEL_ERROR);
  assert_string_equal(ev[2].message,
                      "This run has been marked as failed from outside the execution context.");
  assert_string_equal(ev[2].body, body);
}

static void test_launch_worker_cannot_start(void **state) {
  launch_fixture *f = *state;
  check_worker_fails(f, "/nonexistent/dagd-worker", "No such file or directory");
  char path[128];
  snprintf(path, sizeof path, "%s/not-executable", f->home->dir);
  home_write_file(path, "#!/bin/sh\n");
  chmod(path, 0644);
  if (geteuid() != 0) /* root may execute anything */
    check_worker_fails(f, path, "Permission denied");
}

static void test_launch_refused(void **state) {
  launch_fixture *f = *state;
  run_error err;
  const char *unknown = "33333333-3333-4333-8333-333333333333";
  assert_int_equal(run_launch(f->home->inst, unknown, &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_string_equal(err.message, "Run 33333333-3333-4333-8333-333333333333 could not be found.");
  assert_int_equal(run_launch(f->home->inst, "../x", &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  static const store_run_status refused[] = {STORE_RUN_STARTING, STORE_RUN_STARTED,
                                             STORE_RUN_SUCCESS, STORE_RUN_CANCELED};
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    char id[37];
    home_add_run(f->home, refused[i], id);
    assert_int_equal(run_launch(f->home->inst, id, &err), -1);
    assert_int_equal(err.code, RUN_ERR_INVALID);
    assert_non_null(strstr(err.message, "only a NOT_STARTED or QUEUED run can be"));
    size_t n;
    home_events(f->home, id, &n);
    assert_int_equal(n, 0); /* nothing reported */
  }
}

/* The types of the run's events, space-separated (in the fixture's arena). */
static const char *event_types(launch_fixture *f, const char *id) {
  size_t n;
  store_event *ev = home_events(f->home, id, &n);
  buf b;
  buf_init(&b, f->home->a);
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, "%s%s", i ? " " : "", ev[i].event_type);
  return buf_cstr(&b);
}

static void test_submit_default_launches(void **state) {
  launch_fixture *f = *state;
  set_worker(f, "/bin/true");
  char id[37];
  home_add_run(f->home, STORE_RUN_NOT_STARTED, id);
  run_error err;
  assert_int_equal(run_submit(f->home->inst, id, &err), 0);
  assert_int_equal(home_get_run(f->home, id)->status, STORE_RUN_STARTING);
  assert_string_equal(event_types(f, id), "RUN_STARTING");
}

static void count_submit(void *data) { ++*(int *)data; }

static void test_submit_queued_enqueues(void **state) {
  launch_fixture *f = *state;
  run_instance *inst = f->home->inst;
  inst->coordinator.queued = true;
  int submitted = 0;
  inst->on_submit = count_submit;
  inst->on_submit_data = &submitted;
  set_worker(f, "/bin/true");
  char id[37];
  home_add_run(f->home, STORE_RUN_NOT_STARTED, id);
  run_error err;
  assert_int_equal(run_submit(inst, id, &err), 0);
  assert_int_equal(submitted, 1); /* the hook hears of it */
  /* Dagster's submit_run: RUN_ENQUEUED at INFO, no message, no worker. */
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_QUEUED);
  assert_int_equal(r->worker_pid, 0);
  size_t n;
  store_event *ev = home_events(f->home, id, &n);
  assert_int_equal(n, 1);
  assert_string_equal(ev[0].event_type, "RUN_ENQUEUED");
  assert_int_equal(ev[0].level, RUN_LEVEL_INFO);
  assert_string_equal(ev[0].message, "");

  /* Submitted once only; unknown runs and bad ids are not found. */
  assert_int_equal(run_submit(inst, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INVALID);
  assert_non_null(strstr(err.message, "its status is QUEUED, and only a NOT_STARTED run can be"));
  assert_int_equal(run_submit(inst, "33333333-3333-4333-8333-333333333333", &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_int_equal(run_submit(inst, "../x", &err), -1);
  assert_int_equal(err.code, RUN_ERR_NOT_FOUND);
  assert_string_equal(event_types(f, id), "RUN_ENQUEUED");
  assert_int_equal(submitted, 1); /* refusals are not submissions */

  /* What the daemon does next: a QUEUED run launches. */
  assert_int_equal(run_launch(inst, id, &err), 0);
  assert_int_equal(home_get_run(f->home, id)->status, STORE_RUN_STARTING);
  assert_string_equal(event_types(f, id), "RUN_ENQUEUED RUN_STARTING");
}

/* Runs sql on the instance's database through a connection of its own
 * (triggers that make the store fail on purpose). */
static void db_exec(launch_fixture *f, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->home->inst->database, &db), SQLITE_OK);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg ? msg : "?");
  sqlite3_close(db);
}

static void test_create_reuses_stored_snapshot(void **state) {
  launch_fixture *f = *state;
  run_new req = {.defs = f->defs, .job = f->job};
  char first[37], second[37];
  create_ok(f, &req, first);
  /* From now on the store refuses any new snapshot: a run of the same job
   * must not even try to write it again. */
  db_exec(f, "CREATE TRIGGER no_snapshots BEFORE INSERT ON snapshots "
             "BEGIN SELECT RAISE(ABORT, 'no new snapshots'); END");
  create_ok(f, &req, second);
  assert_string_equal(home_get_run(f->home, second)->snapshot_id,
                      home_get_run(f->home, first)->snapshot_id);

  /* A subset has a snapshot id of its own, not stored yet: it is written. */
  const char *queries[] = {"a"};
  buf err_text;
  buf_init(&err_text, NULL);
  const defs_job *sub = defs_job_subset(f->job, queries, 1, f->home->a, &err_text);
  buf_free(&err_text);
  assert_non_null(sub);
  run_new sub_req = {.defs = f->defs, .job = sub};
  run_error err;
  assert_int_equal(run_create(f->home->inst, &sub_req, second, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INTERNAL);
  assert_non_null(strstr(err.message, "no new snapshots"));
}

/* The run failed before any worker started: its one event a RUN_FAILURE
 * that gives why. */
static void assert_failed_unstarted(launch_fixture *f, const char *id, const char *why) {
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_FAILURE);
  assert_int_equal(r->worker_pid, 0);
  size_t n;
  store_event *ev = home_events(f->home, id, &n);
  assert_int_equal(n, 1);
  assert_string_equal(ev[0].event_type, "RUN_FAILURE");
  assert_int_equal(ev[0].level, RUN_LEVEL_ERROR);
  assert_non_null(strstr(ev[0].message, "The run could not be started: "));
  assert_non_null(strstr(ev[0].message, why));
  assert_non_null(strstr(ev[0].body, "dagd.RunLaunchError"));
}

static void test_launch_starting_not_recorded(void **state) {
  launch_fixture *f = *state;
  set_worker(f, "/nonexistent/never-started");
  run_new req = {.defs = f->defs, .job = f->job};
  char id[37];
  create_ok(f, &req, id);
  db_exec(f, "CREATE TRIGGER no_starting BEFORE INSERT ON events "
             "WHEN NEW.event_type = 'RUN_STARTING' "
             "BEGIN SELECT RAISE(ABORT, 'cannot log RUN_STARTING'); END");
  run_error err;
  assert_int_equal(run_launch(f->home->inst, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INTERNAL);
  assert_non_null(strstr(err.message, "cannot log RUN_STARTING"));
  /* No worker, and the run is failed rather than left NOT_STARTED. */
  assert_failed_unstarted(f, id, "cannot log RUN_STARTING");
}

/* A worker already recorded for the run (the launched worker won the race
 * to claim it, or another one did): the launch still succeeds and the
 * record is not overwritten. */
static void test_launch_run_claimed_already(void **state) {
  launch_fixture *f = *state;
  char worker[128];
  use_fake_worker(f, worker);
  run_new req = {.defs = f->defs, .job = f->job};
  char id[37];
  create_ok(f, &req, id);
  bool claimed = false;
  store_error serr;
  assert_int_equal(store_run_set_worker(f->home->inst->store, id, 1, &claimed, &serr), 0);
  assert_true(claimed);
  run_error err;
  if (run_launch(f->home->inst, id, &err) != 0)
    fail_msg("run_launch: %s", err.message);
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_int_equal(r->worker_pid, 1);
  char v[64];
  char *record = worker_record(f->home->inst);
  long pid = atol(record_value(record, "pid", 0, v, sizeof v));
  free(record);
  assert_true(pid > 1);
  wait_gone(pid);
}

static void test_launch_records_host(void **state) {
  launch_fixture *f = *state;
  char here[128];
  assert_true(run_host_identity(here, sizeof here));
  /* "<boot id>:<PID namespace inode>": a UUID, then a number. */
  const char *colon = strchr(here, ':');
  assert_non_null(colon);
  assert_int_equal(colon - here, 36);
  char boot[37];
  snprintf(boot, sizeof boot, "%.36s", here);
  assert_true(run_id_is_uuid(boot));
  assert_true(colon[1] >= '1' && colon[1] <= '9');
  assert_int_equal(strspn(colon + 1, "0123456789"), strlen(colon + 1));
  char again[128];
  assert_true(run_host_identity(again, sizeof again));
  assert_string_equal(again, here);
  assert_false(run_host_identity(again, 20)); /* too small: nothing */
  assert_string_equal(again, "");

  /* Recorded even when the worker then fails to start. */
  set_worker(f, "/nonexistent/never-started");
  run_new req = {.defs = f->defs, .job = f->job};
  char id[37];
  create_ok(f, &req, id);
  assert_null(tag_value(home_get_run(f->home, id), RUN_TAG_WORKER_HOST));
  run_error err;
  assert_int_equal(run_launch(f->home->inst, id, &err), 0);
  store_run *r = home_get_run(f->home, id);
  assert_string_equal(tag_value(r, RUN_TAG_WORKER_HOST), here);
  assert_true(run_worker_is_local(r));

  /* Not storable: no RUN_STARTING, no worker, the run failed with why. */
  create_ok(f, &req, id);
  db_exec(f, "CREATE TRIGGER no_host BEFORE INSERT ON run_tags "
             "WHEN NEW.key = '.dagster/run_worker_host' "
             "BEGIN SELECT RAISE(ABORT, 'cannot tag the host'); END");
  assert_int_equal(run_launch(f->home->inst, id, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INTERNAL);
  assert_non_null(strstr(err.message, "cannot tag the host"));
  assert_failed_unstarted(f, id, "cannot tag the host");
}

/* ---- run_launcher.workers ---- */

static void test_launch_offers_to_workers(void **state) {
  launch_fixture *f = *state;
  run_instance *inst = f->home->inst;
  inst->use_workers = true;
  set_worker(f, "/nonexistent/never-started"); /* a start would fail the run */
  run_new req = {.defs = f->defs, .job = f->job};
  char id[37];
  create_ok(f, &req, id);
  run_error err;
  if (run_launch(inst, id, &err) != 0)
    fail_msg("run_launch: %s", err.message);
  /* STARTING, nothing started, no host recorded: the worker does that. */
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_int_equal(r->worker_pid, 0);
  assert_null(tag_value(r, RUN_TAG_WORKER_HOST));
  assert_null(tag_value(r, STORE_TAG_WORKER));
  assert_string_equal(event_types(f, id), "RUN_STARTING");

  /* A worker claims it, once. */
  char claimed[37];
  bool found = false;
  store_error serr;
  assert_int_equal(store_worker_claim(inst->store, "w1", 1, claimed, &found, &serr), 0);
  assert_true(found);
  assert_string_equal(claimed, id);
  assert_string_equal(tag_value(home_get_run(f->home, id), STORE_TAG_WORKER), "w1");
  assert_int_equal(store_worker_claim(inst->store, "w2", 1, claimed, &found, &serr), 0);
  assert_false(found);

  /* An offer the store refuses fails the run as a worker that cannot
   * start does. */
  create_ok(f, &req, id);
  db_exec(f, "CREATE TRIGGER no_offers BEFORE INSERT ON worker_offers "
             "BEGIN SELECT RAISE(ABORT, 'no offers today'); END");
  assert_int_equal(run_launch(inst, id, &err), 0);
  const store_event *ev = assert_failed_at_start(f, id);
  assert_non_null(strstr(ev[1].message, "Could not offer the run to the dagd workers: "));
  assert_non_null(strstr(ev[1].message, "no offers today"));
}

/* A worker started as a child: its own session, its pid recorded, the
 * host tagged, and reaped by the caller. */
static void test_start_worker_as_child(void **state) {
  launch_fixture *f = *state;
  run_instance *inst = f->home->inst;
  char worker[128];
  use_fake_worker(f, worker);
  char id[37];
  home_add_run(f->home, STORE_RUN_STARTING, id);
  run_error err;
  int64_t pid = 0;
  if (run_start_worker(inst, id, RUN_WORKER_CHILD, &pid, &err) != 0)
    fail_msg("run_start_worker: %s", err.message);
  assert_true(pid > 0);
  int status;
  assert_int_equal(waitpid((pid_t)pid, &status, 0), (pid_t)pid); /* a child of ours */
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  char v[512];
  char *record = worker_record(inst);
  assert_int_equal(atol(record_value(record, "pid", 0, v, sizeof v)), pid);
  assert_int_equal(atol(record_value(record, "sid", 0, v, sizeof v)), pid);
  assert_string_equal(record_value(record, "arg", 1, v, sizeof v), id);
  free(record);
  store_run *r = home_get_run(f->home, id);
  assert_int_equal(r->worker_pid, pid);
  char here[128];
  assert_true(run_host_identity(here, sizeof here));
  assert_string_equal(tag_value(r, RUN_TAG_WORKER_HOST), here);
  assert_string_equal(event_types(f, id), ""); /* starting it reports nothing */

  /* One that cannot be executed: not started, the run left STARTING for
   * the caller (a worker host gives it to another), the reason given,
   * nothing left to reap. */
  set_worker(f, "/nonexistent/dagd-worker");
  home_add_run(f->home, STORE_RUN_STARTING, id);
  memset(&err, 0, sizeof err);
  assert_int_equal(run_start_worker(inst, id, RUN_WORKER_CHILD, &pid, &err), 0);
  assert_int_equal(pid, 0);
  assert_string_equal(err.message,
                      "Could not start the run worker: /nonexistent/dagd-worker: No such file or "
                      "directory");
  r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_STARTING);
  assert_int_equal(r->worker_pid, 0);
  assert_string_equal(event_types(f, id), "");
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
  assert_int_equal(errno, ECHILD);
  /* The caller fails it as a launch would. */
  assert_int_equal(run_fail_launch(inst, id, err.message, &err), 0);
  r = home_get_run(f->home, id);
  assert_int_equal(r->status, STORE_RUN_FAILURE);
  assert_string_equal(tag_value(r, "dagster/failure_reason"), "JOB_INITIALIZATION_FAILURE");
  assert_string_equal(event_types(f, id), "ENGINE_EVENT RUN_FAILURE");

  /* A host that cannot be recorded: nothing started, the run left as it
   * was. */
  home_add_run(f->home, STORE_RUN_STARTING, id);
  db_exec(f, "CREATE TRIGGER no_host BEFORE INSERT ON run_tags "
             "WHEN NEW.key = '.dagster/run_worker_host' "
             "BEGIN SELECT RAISE(ABORT, 'cannot tag the host'); END");
  assert_int_equal(run_start_worker(inst, id, RUN_WORKER_CHILD, &pid, &err), -1);
  assert_int_equal(err.code, RUN_ERR_INTERNAL);
  assert_non_null(strstr(err.message, "cannot tag the host"));
  assert_int_equal(pid, 0);
  assert_int_equal(home_get_run(f->home, id)->status, STORE_RUN_STARTING);
  assert_string_equal(event_types(f, id), "");
  assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
}

/* What a child worker's parent thread leaves behind when it ends: its
 * worker is killed (PR_SET_PDEATHSIG), as on a worker host that dies. */
typedef struct start_args {
  run_instance *inst;
  const char *run_id;
  int64_t pid;
  int rc;
} start_args;

static void *start_in_thread(void *arg) {
  start_args *s = arg;
  run_error err;
  s->rc = run_start_worker(s->inst, s->run_id, RUN_WORKER_CHILD, &s->pid, &err);
  return NULL;
}

static void test_child_worker_dies_with_parent_thread(void **state) {
  launch_fixture *f = *state;
  char worker[128];
  snprintf(worker, sizeof worker, "%s/sleeper.sh", f->home->dir);
  home_write_file(worker, "#!/bin/sh\nexec sleep 30\n");
  assert_int_equal(chmod(worker, 0755), 0);
  set_worker(f, worker);
  char id[37];
  home_add_run(f->home, STORE_RUN_STARTING, id);
  start_args s = {.inst = f->home->inst, .run_id = id};
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, start_in_thread, &s), 0);
  assert_int_equal(pthread_join(t, NULL), 0);
  assert_int_equal(s.rc, 0);
  assert_true(s.pid > 0);
  int status;
  assert_int_equal(waitpid((pid_t)s.pid, &status, 0), (pid_t)s.pid);
  assert_true(WIFSIGNALED(status));
  assert_int_equal(WTERMSIG(status), SIGKILL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_create_fields_and_tags, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_reserved_tags, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_system_tags, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_given_ids, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_subset, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_lineage, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_starts_worker, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_worker_cannot_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_submit_default_launches, setup, teardown),
      cmocka_unit_test_setup_teardown(test_submit_queued_enqueues, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_reuses_stored_snapshot, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_starting_not_recorded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_run_claimed_already, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_records_host, setup, teardown),
      cmocka_unit_test_setup_teardown(test_launch_offers_to_workers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_start_worker_as_child, setup, teardown),
      cmocka_unit_test_setup_teardown(test_child_worker_dies_with_parent_thread, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
