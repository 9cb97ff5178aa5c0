/* test_instance.c — unit tests for src/run/instance.c: where the home is
 * (argument, $DAGD_HOME, ./.dagd), the folders and database it creates,
 * every dagd.yaml key, and the errors a bad dagd.yaml gives (file, line
 * and column), and `storage: postgres:`: its errors always, and opening
 * a real server when one is configured (pg_url.h: CTest's `postgres`
 * fixture starts one), in a database of its own created and dropped here. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <sys/stat.h>

#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "../storage/pg_url.h"
#include "fixtures/core/home.h"

static bool is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Opens the instance at home or fails the test with the error. */
static run_instance *open_ok(const char *home) {
  buf err;
  buf_init(&err, NULL);
  run_instance *inst = run_instance_open(home, &err);
  if (!inst)
    fail_msg("run_instance_open: %s", buf_cstr(&err));
  assert_int_equal(err.len, 0);
  buf_free(&err);
  return inst;
}

/* Writes dagd.yaml into home and returns the error opening it gives. */
static char *open_error(const char *home, const char *yaml) {
  char path[128];
  snprintf(path, sizeof path, "%s/dagd.yaml", home);
  home_write_file(path, yaml);
  buf err;
  buf_init(&err, NULL);
  run_instance *inst = run_instance_open(home, &err);
  assert_null(inst);
  assert_true(err.len > 0);
  char *msg = strdup(buf_cstr(&err));
  buf_free(&err);
  return msg;
}

static void expect_error(const char *home, const char *yaml, const char *expected) {
  char *msg = open_error(home, yaml);
  char want[2048];
  snprintf(want, sizeof want, expected, home, home, home, home, home);
  assert_string_equal(msg, want);
  free(msg);
}

static void test_defaults(void **state) {
  (void)state;
  char dir[64], home[128];
  home_mkdtemp(dir);
  snprintf(home, sizeof home, "%s/a/b", dir); /* missing: created */
  run_instance *inst = open_ok(home);
  assert_string_equal(inst->home, home);
  char want[256];
  snprintf(want, sizeof want, "%s/history/runs.db", home);
  assert_string_equal(inst->database, want);
  assert_true(is_file(inst->database));
  assert_null(inst->postgres_conninfo);
  assert_int_equal(inst->postgres_pool_size, 0); /* SQLite has no pool */
  snprintf(want, sizeof want, "%s/storage", home);
  assert_string_equal(inst->artifacts_dir, want);
  assert_string_equal(inst->compute_logs_dir, want);
  assert_true(is_dir(want));
  assert_true(inst->terminate_grace == 5.0);
  assert_false(inst->use_workers); /* runs start on the launching host */
  assert_true(inst->worker_heartbeat_timeout == 60.0);
  /* Dagster's defaults, but monitoring on and polled every 5 s. */
  assert_false(inst->coordinator.queued);
  assert_int_equal(inst->coordinator.max_concurrent_runs, 10);
  assert_true(inst->coordinator.dequeue_interval == 5.0);
  assert_int_equal(inst->coordinator.n_tag_limits, 0);
  assert_true(inst->monitoring.enabled);
  assert_true(inst->monitoring.start_timeout == 180.0);
  assert_true(inst->monitoring.cancel_timeout == 180.0);
  assert_true(inst->monitoring.poll_interval == 5.0);
  assert_true(inst->monitoring.max_runtime == 0.0);
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  assert_true(n > 0);
  exe[n] = '\0';
  assert_string_equal(inst->dagd_path, exe);

  /* The store is open and usable. */
  store_run r = {.job_name = "j", .mode = "default", .run_config = "{}"};
  store_new_run_id(r.run_id);
  store_error serr;
  assert_int_equal(store_run_add(inst->store, &r, &serr), 0);
  run_instance_close(inst);

  /* Reopening finds the same database. */
  inst = open_ok(home);
  arena *a = arena_new(0);
  assert_non_null(store_run_get(inst->store, r.run_id, a, &serr));
  arena_free(a);
  run_instance_close(inst);
  run_instance_close(NULL);
  home_remove_tree(dir);
}

/* Runs open(arg) with DAGD_HOME set to env (NULL: unset) from inside cwd,
 * and checks the home it chose. */
static void check_home_choice(const char *cwd, const char *arg, const char *env,
                              const char *expected) {
  char old[PATH_MAX];
  assert_non_null(getcwd(old, sizeof old));
  assert_int_equal(chdir(cwd), 0);
  if (env)
    setenv("DAGD_HOME", env, 1);
  else
    unsetenv("DAGD_HOME");
  run_instance *inst = open_ok(arg);
  unsetenv("DAGD_HOME");
  assert_int_equal(chdir(old), 0);
  assert_string_equal(inst->home, expected);
  run_instance_close(inst);
}

static void test_home_choice(void **state) {
  (void)state;
  char dir[64], real[PATH_MAX], want[PATH_MAX + 32];
  home_mkdtemp(dir);
  assert_non_null(realpath(dir, real));

  snprintf(want, sizeof want, "%s/from-env", real);
  check_home_choice(dir, NULL, want, want);

  /* An empty DAGD_HOME counts as unset: ./.dagd, made absolute. */
  snprintf(want, sizeof want, "%s/.dagd", real);
  check_home_choice(dir, NULL, "", want);
  check_home_choice(dir, NULL, NULL, want);
  assert_true(is_dir(want));

  /* The argument wins over DAGD_HOME; a relative one is made absolute. */
  snprintf(want, sizeof want, "%s/rel/home", real);
  check_home_choice(dir, "rel/home", "/nonexistent-dagd-home", want);
  home_remove_tree(dir);
}

static void test_config_every_key(void **state) {
  home_fixture *f = *state;
  char home[128], art[128], path[160];
  snprintf(home, sizeof home, "%s/home", f->dir);
  snprintf(art, sizeof art, "%s/artifacts", f->dir);
  assert_int_equal(mkdir(home, 0777), 0);
  snprintf(path, sizeof path, "%s/dagd.yaml", home);
  char yaml[512];
  snprintf(yaml, sizeof yaml,
           "# every key\n"
           "storage:\n"
           "  sqlite:\n"
           "    base_dir: db/here\n"
           "local_artifact_storage:\n"
           "  base_dir: %s\n"
           "compute_logs:\n"
           "  base_dir: logs\n"
           "run_launcher:\n"
           "  terminate_grace_seconds: 2.5\n"
           "  workers: true\n"
           "  worker_heartbeat_timeout: 12.5\n",
           art);
  home_write_file(path, yaml);
  run_instance *inst = open_ok(home);
  char want[256];
  snprintf(want, sizeof want, "%s/db/here/runs.db", home);
  assert_string_equal(inst->database, want);
  assert_true(is_file(want));
  assert_string_equal(inst->artifacts_dir, art);
  assert_true(is_dir(art));
  snprintf(want, sizeof want, "%s/logs", home);
  assert_string_equal(inst->compute_logs_dir, want);
  assert_true(is_dir(want));
  assert_true(inst->terminate_grace == 2.5);
  assert_true(inst->use_workers);
  assert_true(inst->worker_heartbeat_timeout == 12.5);
  run_instance_close(inst);

  /* An integer grace, and an empty file: defaults for the rest. */
  home_write_file(path, "run_launcher:\n  terminate_grace_seconds: 0\n  workers: false\n"
                        "  worker_heartbeat_timeout: 3\n");
  inst = open_ok(home);
  assert_true(inst->terminate_grace == 0.0);
  assert_false(inst->use_workers);
  assert_true(inst->worker_heartbeat_timeout == 3.0);
  snprintf(want, sizeof want, "%s/storage", home);
  assert_string_equal(inst->compute_logs_dir, want);
  run_instance_close(inst);
  home_write_file(path, "");
  inst = open_ok(home);
  assert_true(inst->terminate_grace == 5.0);
  run_instance_close(inst);
}

static void test_config_unknown_keys(void **state) {
  home_fixture *f = *state;
  expect_error(f->dir,
               "storage:\n"
               "  sqlite:\n"
               "    base_dir: x\n"
               "  mysql: {}\n",
               "%s/dagd.yaml:4:3: unknown key 'mysql' in storage (expected one of: sqlite, "
               "postgres)");
  expect_error(f->dir, "scheduler: {}\n",
               "%s/dagd.yaml:1:1: unknown key 'scheduler' in dagd.yaml (expected one of: "
               "storage, local_artifact_storage, compute_logs, run_launcher, run_coordinator, "
               "run_monitoring)");
  expect_error(f->dir, "compute_logs:\n  base_dir: a\n  dir: b\n",
               "%s/dagd.yaml:3:3: unknown key 'dir' in compute_logs (expected one of: base_dir)");
  /* Every error is reported, one a line. */
  expect_error(f->dir, "storage:\n  sqlite:\n    path: x\nrun_launcher:\n  grace: 1\n",
               "%s/dagd.yaml:3:5: unknown key 'path' in storage.sqlite (expected one of: "
               "base_dir)\n"
               "%s/dagd.yaml:5:3: unknown key 'grace' in run_launcher (expected one of: "
               "terminate_grace_seconds, workers, worker_heartbeat_timeout)");
}

static void test_config_bad_types(void **state) {
  home_fixture *f = *state;
  expect_error(f->dir, "run_launcher:\n  terminate_grace_seconds: soon\n",
               "%s/dagd.yaml:2:28: run_launcher.terminate_grace_seconds must be a number of "
               "seconds from 0 to 86400");
  expect_error(f->dir, "run_launcher:\n  terminate_grace_seconds: -1\n",
               "%s/dagd.yaml:2:28: run_launcher.terminate_grace_seconds must be a number of "
               "seconds from 0 to 86400");
  expect_error(f->dir, "run_launcher:\n  workers: 1\n",
               "%s/dagd.yaml:2:12: run_launcher.workers must be true or false");
  expect_error(f->dir, "run_launcher:\n  workers: 'true'\n",
               "%s/dagd.yaml:2:12: run_launcher.workers must be true or false");
  static const char *const bad_timeouts[] = {"0", "-5", "soon", "86401", ".nan", "[60]"};
  for (size_t i = 0; i < sizeof bad_timeouts / sizeof *bad_timeouts; i++) {
    char yaml[128];
    snprintf(yaml, sizeof yaml, "run_launcher:\n  worker_heartbeat_timeout: %s\n", bad_timeouts[i]);
    expect_error(f->dir, yaml,
                 "%s/dagd.yaml:2:29: run_launcher.worker_heartbeat_timeout must be a number of "
                 "seconds above 0, at most 86400");
  }
  /* Each wrong key of the section is reported. */
  expect_error(f->dir, "run_launcher:\n  workers: on_demand\n  worker_heartbeat_timeout: 0\n",
               "%s/dagd.yaml:2:12: run_launcher.workers must be true or false\n"
               "%s/dagd.yaml:3:29: run_launcher.worker_heartbeat_timeout must be a number of "
               "seconds above 0, at most 86400");
  expect_error(f->dir, "compute_logs:\n  base_dir: 5\n",
               "%s/dagd.yaml:2:13: compute_logs.base_dir must be a non-empty string");
  expect_error(f->dir, "local_artifact_storage:\n  base_dir: ''\n",
               "%s/dagd.yaml:2:13: local_artifact_storage.base_dir must be a non-empty string");
  expect_error(f->dir, "storage: [sqlite]\n",
               "%s/dagd.yaml:1:10: storage must be a mapping, not a sequence");
  expect_error(f->dir, "- a\n", "%s/dagd.yaml:1:1: dagd.yaml must be a mapping, not a sequence");
  /* A YAML syntax error has its place too. */
  char *msg = open_error(f->dir, "storage: {\n");
  char prefix[128];
  snprintf(prefix, sizeof prefix, "%s/dagd.yaml:", f->dir);
  assert_true(strncmp(msg, prefix, strlen(prefix)) == 0);
  free(msg);
}

/* Writes dagd.yaml into home and opens the instance. */
static run_instance *open_with(const char *home, const char *yaml) {
  char path[160];
  snprintf(path, sizeof path, "%s/dagd.yaml", home);
  home_write_file(path, yaml);
  return open_ok(home);
}

static void test_config_coordinator_and_monitoring(void **state) {
  home_fixture *f = *state;
  run_instance *inst = open_with(f->dir, "run_coordinator:\n"
                                         "  module: dagster.core.run_coordinator\n"
                                         "  class: QueuedRunCoordinator\n"
                                         "  config:\n"
                                         "    max_concurrent_runs: 3\n"
                                         "    dequeue_interval_seconds: 0.5\n"
                                         "    tag_concurrency_limits:\n"
                                         "      - {key: team, value: ml, limit: 2}\n"
                                         "      - key: db\n"
                                         "        value: {applyLimitPerUniqueValue: true}\n"
                                         "        limit: 1\n"
                                         "      - {key: heavy, limit: 0}\n"
                                         "      - {key: io, value: {applyLimitPerUniqueValue: "
                                         "false}, limit: 4}\n"
                                         "run_monitoring:\n"
                                         "  enabled: false\n"
                                         "  start_timeout_seconds: 30\n"
                                         "  cancel_timeout_seconds: 2.5\n"
                                         "  poll_interval_seconds: 1\n"
                                         "  max_runtime_seconds: 0\n");
  const run_coordinator_config *c = &inst->coordinator;
  assert_true(c->queued);
  assert_int_equal(c->max_concurrent_runs, 3);
  assert_true(c->dequeue_interval == 0.5);
  assert_int_equal(c->n_tag_limits, 4);
  assert_string_equal(c->tag_limits[0].key, "team");
  assert_string_equal(c->tag_limits[0].value, "ml");
  assert_false(c->tag_limits[0].per_unique_value);
  assert_int_equal(c->tag_limits[0].limit, 2);
  assert_string_equal(c->tag_limits[1].key, "db");
  assert_null(c->tag_limits[1].value);
  assert_true(c->tag_limits[1].per_unique_value);
  assert_int_equal(c->tag_limits[1].limit, 1);
  assert_string_equal(c->tag_limits[2].key, "heavy");
  assert_null(c->tag_limits[2].value);
  assert_false(c->tag_limits[2].per_unique_value);
  assert_int_equal(c->tag_limits[2].limit, 0);
  /* applyLimitPerUniqueValue false: a limit on the key, as in Dagster. */
  assert_null(c->tag_limits[3].value);
  assert_false(c->tag_limits[3].per_unique_value);
  const run_monitoring_config *m = &inst->monitoring;
  assert_false(m->enabled);
  assert_true(m->start_timeout == 30.0);
  assert_true(m->cancel_timeout == 2.5);
  assert_true(m->poll_interval == 1.0);
  assert_true(m->max_runtime == 0.0);
  run_instance_close(inst);

  /* The queued coordinator with no config has Dagster's defaults; -1 and
   * 0 are limits too; the default coordinator queues nothing. */
  inst = open_with(f->dir, "run_coordinator:\n  class: QueuedRunCoordinator\n");
  assert_true(inst->coordinator.queued);
  assert_int_equal(inst->coordinator.max_concurrent_runs, 10);
  assert_true(inst->coordinator.dequeue_interval == 5.0);
  assert_int_equal(inst->coordinator.n_tag_limits, 0);
  run_instance_close(inst);
  inst = open_with(f->dir, "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                           "    max_concurrent_runs: -1\n    tag_concurrency_limits: ~\n");
  assert_int_equal(inst->coordinator.max_concurrent_runs, -1);
  assert_int_equal(inst->coordinator.n_tag_limits, 0);
  run_instance_close(inst);
  inst = open_with(f->dir, "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
                           "    max_concurrent_runs: 0\n");
  assert_int_equal(inst->coordinator.max_concurrent_runs, 0);
  run_instance_close(inst);
  inst = open_with(f->dir, "run_coordinator:\n  class: DefaultRunCoordinator\n"
                           "run_monitoring:\n  max_runtime_seconds: 60\n");
  assert_false(inst->coordinator.queued);
  assert_true(inst->monitoring.enabled);
  assert_true(inst->monitoring.max_runtime == 60.0);
  run_instance_close(inst);
}

/* A dagster.yaml's run_monitoring section: timeouts of 0 (no limit) and
 * Dagster's keys dagd has no use for, accepted and ignored. */
static void test_config_monitoring_from_dagster(void **state) {
  home_fixture *f = *state;
  run_instance *inst = open_with(f->dir, "run_monitoring:\n"
                                         "  enabled: true\n"
                                         "  start_timeout_seconds: 0\n"
                                         "  cancel_timeout_seconds: 0\n"
                                         "  max_resume_run_attempts: 3\n"
                                         "  cancellation_thread_poll_interval_seconds: 10\n"
                                         "  free_slots_after_run_end_seconds: 0\n"
                                         "  poll_interval_seconds: 120\n");
  const run_monitoring_config *m = &inst->monitoring;
  assert_true(m->enabled);
  assert_true(m->start_timeout == 0.0);
  assert_true(m->cancel_timeout == 0.0);
  assert_true(m->poll_interval == 120.0);
  assert_true(m->max_runtime == 0.0);
  run_instance_close(inst);
  /* Ignored, but still checked. */
  expect_error(f->dir, "run_monitoring:\n  max_resume_run_attempts: -1\n",
               "%s/dagd.yaml:2:28: run_monitoring.max_resume_run_attempts must be an integer "
               "from 0");
  expect_error(f->dir, "run_monitoring:\n  max_resume_run_attempts: lots\n",
               "%s/dagd.yaml:2:28: run_monitoring.max_resume_run_attempts must be an integer "
               "from 0");
  expect_error(f->dir, "run_monitoring:\n  cancellation_thread_poll_interval_seconds: 0\n",
               "%s/dagd.yaml:2:46: run_monitoring.cancellation_thread_poll_interval_seconds must "
               "be a number of seconds above 0, at most 86400");
  expect_error(f->dir, "run_monitoring:\n  free_slots_after_run_end_seconds: -2\n",
               "%s/dagd.yaml:2:37: run_monitoring.free_slots_after_run_end_seconds must be a "
               "number of seconds from 0, at most 86400");
  expect_error(f->dir, "run_monitoring:\n  start_timeout_seconds: -1\n",
               "%s/dagd.yaml:2:26: run_monitoring.start_timeout_seconds must be a number of "
               "seconds from 0, at most 86400");
  expect_error(f->dir, "run_monitoring:\n  cancel_timeout_seconds: 90000\n",
               "%s/dagd.yaml:2:27: run_monitoring.cancel_timeout_seconds must be a number of "
               "seconds from 0, at most 86400");
}

static void test_config_coordinator_errors(void **state) {
  home_fixture *f = *state;
  expect_error(f->dir, "run_coordinator:\n  config: {}\n",
               "%s/dagd.yaml:2:3: run_coordinator needs 'class' (QueuedRunCoordinator or "
               "DefaultRunCoordinator)");
  expect_error(f->dir, "run_coordinator:\n  class: FancyRunCoordinator\n",
               "%s/dagd.yaml:2:10: unknown run_coordinator.class 'FancyRunCoordinator' (expected "
               "QueuedRunCoordinator or DefaultRunCoordinator)");
  expect_error(f->dir, "run_coordinator:\n  class: QueuedRunCoordinator\n  limits: 3\n",
               "%s/dagd.yaml:3:3: unknown key 'limits' in run_coordinator (expected one of: "
               "module, class, config)");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    max_concurrent: 3\n",
               "%s/dagd.yaml:4:5: unknown key 'max_concurrent' in run_coordinator.config "
               "(expected one of: max_concurrent_runs, dequeue_interval_seconds, "
               "tag_concurrency_limits)");
  expect_error(f->dir,
               "run_coordinator:\n  class: DefaultRunCoordinator\n  config:\n"
               "    max_concurrent_runs: 3\n",
               "%s/dagd.yaml:4:5: unknown key 'max_concurrent_runs' in DefaultRunCoordinator's "
               "config (expected one of: )");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    max_concurrent_runs: -2\n    dequeue_interval_seconds: 0\n",
               "%s/dagd.yaml:4:26: run_coordinator.config.max_concurrent_runs must be an integer "
               "from -1\n"
               "%s/dagd.yaml:5:31: run_coordinator.config.dequeue_interval_seconds must be a "
               "number of seconds above 0, at most 86400");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits: {key: a, limit: 1}\n",
               "%s/dagd.yaml:4:29: run_coordinator.config.tag_concurrency_limits must be a list, "
               "not a mapping");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits:\n      - {key: a}\n",
               "%s/dagd.yaml:5:9: a tag_concurrency_limits item needs 'limit'");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits:\n      - {limit: 1, key: 7}\n",
               "%s/dagd.yaml:5:25: tag_concurrency_limits.key must be a string");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits:\n      - {key: a, limit: -1}\n      - {limit: 2.5}\n",
               "%s/dagd.yaml:5:25: tag_concurrency_limits.limit must be an integer from 0\n"
               "%s/dagd.yaml:6:9: a tag_concurrency_limits item needs 'key'\n"
               "%s/dagd.yaml:6:17: tag_concurrency_limits.limit must be an integer from 0");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits:\n      - {key: a, value: 3, limit: 1}\n",
               "%s/dagd.yaml:5:25: tag_concurrency_limits.value must be a string or "
               "{applyLimitPerUniqueValue: true}");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits:\n"
               "      - {key: a, value: {applyLimitPerUniqueValue: yes please}, limit: 1}\n",
               "%s/dagd.yaml:5:52: tag_concurrency_limits.value.applyLimitPerUniqueValue must be "
               "true or false");
  expect_error(f->dir,
               "run_coordinator:\n  class: QueuedRunCoordinator\n  config:\n"
               "    tag_concurrency_limits:\n      - {key: a, limit: -1, other: 2}\n",
               "%s/dagd.yaml:5:29: unknown key 'other' in a tag_concurrency_limits item (expected "
               "one of: key, value, limit)");
}

static void test_config_monitoring_errors(void **state) {
  home_fixture *f = *state;
  expect_error(f->dir, "run_monitoring:\n  enabled: 1\n",
               "%s/dagd.yaml:2:12: run_monitoring.enabled must be true or false");
  expect_error(f->dir, "run_monitoring:\n  poll_interval_seconds: 0\n",
               "%s/dagd.yaml:2:26: run_monitoring.poll_interval_seconds must be a number of "
               "seconds above 0, at most 86400");
  expect_error(f->dir, "run_monitoring:\n  max_runtime_seconds: -5\n",
               "%s/dagd.yaml:2:24: run_monitoring.max_runtime_seconds must be a number of "
               "seconds from 0, at most 31622400");
  expect_error(f->dir, "run_monitoring:\n  start_timeout: 5\n",
               "%s/dagd.yaml:2:3: unknown key 'start_timeout' in run_monitoring (expected one of: "
               "enabled, start_timeout_seconds, cancel_timeout_seconds, poll_interval_seconds, "
               "max_runtime_seconds, max_resume_run_attempts, "
               "cancellation_thread_poll_interval_seconds, free_slots_after_run_end_seconds)");
  expect_error(f->dir, "run_monitoring: yes\n",
               "%s/dagd.yaml:1:17: run_monitoring must be a mapping, not a bool");
}

static void test_config_postgres_errors(void **state) {
  home_fixture *f = *state;
  unsetenv("DAGD_TEST_UNSET");
  expect_error(f->dir, "storage:\n  sqlite: {}\n  postgres: {postgres_url: x}\n",
               "%s/dagd.yaml:3:13: storage takes one of sqlite and postgres");
  expect_error(f->dir, "storage:\n  postgres: {}\n",
               "%s/dagd.yaml:2:13: storage.postgres takes one of postgres_url and postgres_db");
  expect_error(f->dir,
               "storage:\n  postgres:\n    postgres_url: x\n    postgres_db: {}\n"
               "    should_autocreate_tables: 1\n",
               "%s/dagd.yaml:5:31: storage.postgres.should_autocreate_tables must be true or "
               "false\n"
               "%s/dagd.yaml:4:18: storage.postgres takes one of postgres_url and postgres_db");
  expect_error(f->dir, "storage:\n  postgres:\n    postgres_url: ''\n",
               "%s/dagd.yaml:3:19: storage.postgres.postgres_url must not be empty");
  /* pool_size: an integer from 1 to 1000, checked whatever else is wrong. */
  static const char *const bad_sizes[] = {"0", "1001", "-3", "2.5", "ten", "[4]", "''"};
  for (size_t i = 0; i < sizeof bad_sizes / sizeof *bad_sizes; i++) {
    char yaml[128];
    snprintf(yaml, sizeof yaml, "storage:\n  postgres:\n    postgres_url: x\n    pool_size: %s\n",
             bad_sizes[i]);
    expect_error(f->dir, yaml,
                 "%s/dagd.yaml:4:16: storage.postgres.pool_size must be an integer from 1 to "
                 "1000");
  }
  expect_error(f->dir, "storage:\n  postgres:\n    pool_size: 0\n",
               "%s/dagd.yaml:3:16: storage.postgres.pool_size must be an integer from 1 to 1000\n"
               "%s/dagd.yaml:3:5: storage.postgres takes one of postgres_url and postgres_db");
  expect_error(f->dir, "storage:\n  postgres:\n    postgres_url: {env: DAGD_TEST_UNSET}\n",
               "%s/dagd.yaml:3:25: storage.postgres.postgres_url: the environment variable "
               "DAGD_TEST_UNSET is not set");
  expect_error(f->dir, "storage:\n  postgres:\n    postgres_url: {variable: X}\n",
               "%s/dagd.yaml:3:20: unknown key 'variable' in storage.postgres.postgres_url "
               "(expected one of: env)");
  expect_error(f->dir, "storage:\n  postgres:\n    postgres_url: {}\n",
               "%s/dagd.yaml:3:19: storage.postgres.postgres_url needs 'env' (the name of an "
               "environment variable)");
  expect_error(f->dir, "storage:\n  postgres:\n    postgres_url: [a]\n",
               "%s/dagd.yaml:3:19: storage.postgres.postgres_url must be a string or {env: "
               "VARIABLE}, not a sequence");
  /* Every missing key of postgres_db, and each bad value. */
  expect_error(f->dir, "storage:\n  postgres:\n    postgres_db: {password: x}\n",
               "%s/dagd.yaml:3:18: storage.postgres.postgres_db needs 'hostname'\n"
               "%s/dagd.yaml:3:18: storage.postgres.postgres_db needs 'username'\n"
               "%s/dagd.yaml:3:18: storage.postgres.postgres_db needs 'db_name'");
  expect_error(f->dir,
               "storage:\n  postgres:\n    postgres_db:\n      hostname: h\n"
               "      username: ''\n      db_name: d\n      password: {env: DAGD_TEST_UNSET}\n"
               "      port: 70000\n      scheme: mysql\n      host: h\n",
               "%s/dagd.yaml:10:7: unknown key 'host' in storage.postgres.postgres_db "
               "(expected one of: username, password, hostname, db_name, port, params, scheme)");
  expect_error(f->dir,
               "storage:\n  postgres:\n    postgres_db:\n      hostname: h\n"
               "      username: ''\n      db_name: 5\n      password: {env: DAGD_TEST_UNSET}\n"
               "      port: 70000\n      scheme: mysql\n",
               "%s/dagd.yaml:5:17: storage.postgres.postgres_db.username must not be empty\n"
               "%s/dagd.yaml:7:23: storage.postgres.postgres_db.password: the environment "
               "variable DAGD_TEST_UNSET is not set\n"
               "%s/dagd.yaml:6:16: storage.postgres.postgres_db.db_name must be a string or "
               "{env: VARIABLE}, not a int\n"
               "%s/dagd.yaml:8:13: storage.postgres.postgres_db.port must be a port number "
               "from 1 to 65535\n"
               "%s/dagd.yaml:9:15: storage.postgres.postgres_db.scheme must be postgresql");
  expect_error(f->dir,
               "storage:\n  postgres:\n    postgres_db:\n      hostname: h\n"
               "      username: u\n      db_name: d\n      port: '54x'\n"
               "      params: {sslmode: [a], Bad-Key: 1}\n",
               "%s/dagd.yaml:7:13: storage.postgres.postgres_db.port must be a port number "
               "from 1 to 65535\n"
               "%s/dagd.yaml:8:25: storage.postgres.postgres_db.params.sslmode must be a "
               "string, an integer or a boolean\n"
               "%s/dagd.yaml:8:30: storage.postgres.postgres_db.params: 'Bad-Key' is not a "
               "connection parameter name");
}

/* The error of a server that does not answer names dagd.yaml and
 * storage.postgres, and never the password (given through the
 * environment, as it should be). */
static void test_postgres_unreachable(void **state) {
  home_fixture *f = *state;
  /* A port nothing listens on: bound and released by this process. */
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
  assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
  close(fd);
  setenv("DAGD_TEST_PG_PASSWORD", "s3cret-'pw", 1);
  char yaml[512];
  snprintf(yaml, sizeof yaml,
           "storage:\n  postgres:\n    postgres_db:\n      hostname: 127.0.0.1\n"
           "      username: nobody\n      db_name: nothing\n"
           "      password: {env: DAGD_TEST_PG_PASSWORD}\n      port: %d\n"
           "      params: {connect_timeout: 5}\n",
           ntohs(addr.sin_port));
  char *msg = open_error(f->dir, yaml);
  char prefix[160];
  snprintf(prefix, sizeof prefix, "%s/dagd.yaml: storage.postgres: ", f->dir);
  assert_true(strncmp(msg, prefix, strlen(prefix)) == 0);
  assert_true(strlen(msg) > strlen(prefix));
  assert_null(strstr(msg, "s3cret"));
  free(msg);
  unsetenv("DAGD_TEST_PG_PASSWORD");
}

/* A database of its own on the test server, so that this test never meets
 * the storage tests' tables. */
typedef struct pg_fixture {
  home_fixture *home;
  char *server_url;
  char db[64];
  PQconninfoOption *parts; /* the server URL's host, port, user, password */
} pg_fixture;

static void pg_quiet(void *data, const char *message) { (void)data, (void)message; }

/* Runs one statement on the server's own database; fails the test
 * otherwise. Notices ("does not exist, skipping") are not shown. */
static void pg_exec(const char *url, const char *sql) {
  PGconn *conn = PQconnectdb(url);
  if (PQstatus(conn) != CONNECTION_OK)
    fail_msg("%s", PQerrorMessage(conn));
  PQsetNoticeProcessor(conn, pg_quiet, NULL);
  PGresult *res = PQexec(conn, sql);
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    fail_msg("%s: %s", sql, PQerrorMessage(conn));
  PQclear(res);
  PQfinish(conn);
}

static const char *pg_part(const pg_fixture *p, const char *keyword) {
  for (PQconninfoOption *o = p->parts; o->keyword; o++)
    if (strcmp(o->keyword, keyword) == 0)
      return o->val;
  return NULL;
}

static int pg_setup(void **state) {
  char *url = pg_test_url();
  if (!url)
    return 0; /* no server: the tests skip */
  if (home_setup(state) != 0)
    return -1;
  pg_fixture *p = calloc(1, sizeof *p);
  p->home = *state;
  p->server_url = url;
  p->parts = PQconninfoParse(url, NULL);
  assert_non_null(p->parts);
  snprintf(p->db, sizeof p->db, "dagd_instance_test_%ld", (long)getpid());
  char sql[128];
  snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", p->db);
  pg_exec(url, sql);
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", p->db);
  pg_exec(url, sql);
  *state = p;
  return 0;
}

static int pg_teardown(void **state) {
  pg_fixture *p = *state;
  if (!p)
    return 0;
  char sql[128];
  snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", p->db);
  pg_exec(p->server_url, sql);
  PQconninfoFree(p->parts);
  free(p->server_url);
  *state = p->home;
  home_teardown(state);
  free(p);
  return 0;
}

/* Writes yaml as the dagd.yaml of a home of its own (p->home's instance
 * is on SQLite) and opens it, failing the test otherwise. */
static run_instance *pg_open(pg_fixture *p, const char *yaml) {
  char home[128], path[160];
  snprintf(home, sizeof home, "%s/pg", p->home->dir);
  mkdir(home, 0777);
  snprintf(path, sizeof path, "%s/dagd.yaml", home);
  home_write_file(path, yaml);
  run_instance *inst = open_ok(home);
  /* No SQLite database or folder on PostgreSQL. */
  assert_null(inst->database);
  snprintf(path, sizeof path, "%s/history", home);
  assert_false(is_dir(path));
  return inst;
}

/* The store of an instance on PostgreSQL works: a run added is found. */
static void check_store(pg_fixture *p, run_instance *inst) {
  run_instance *sqlite = p->home->inst;
  p->home->inst = inst;
  char id[37];
  home_add_run(p->home, STORE_RUN_QUEUED, id);
  assert_string_equal(home_get_run(p->home, id)->job_name, "job");
  p->home->inst = sqlite;
}

static void test_postgres_url(void **state) {
  pg_fixture *p = *state;
  if (!p)
    skip();
  /* The server's URL with this test's database: libpq's keywords after a
   * URL are not allowed, so the test gives the parts as a connection
   * string, which postgres_url takes as well (libpq reads both). */
  char conninfo[512], yaml[640];
  snprintf(conninfo, sizeof conninfo, "host=%s port=%s user=%s dbname=%s", pg_part(p, "host"),
           pg_part(p, "port"), pg_part(p, "user"), p->db);
  setenv("DAGD_TEST_PG_URL", conninfo, 1);
  snprintf(yaml, sizeof yaml,
           "storage:\n  postgres:\n    postgres_url: {env: DAGD_TEST_PG_URL}\n"
           "    should_autocreate_tables: true\n    pool_size: 3\n");
  run_instance *inst = pg_open(p, yaml);
  assert_string_equal(inst->postgres_conninfo, conninfo);
  assert_int_equal(inst->postgres_pool_size, 3);
  check_store(p, inst);
  run_instance_close(inst);
  unsetenv("DAGD_TEST_PG_URL");
}

static void test_postgres_db(void **state) {
  pg_fixture *p = *state;
  if (!p)
    skip();
  /* The test server trusts 127.0.0.1, so the password is not checked,
   * but it must reach libpq intact: quotes and backslashes included. */
  setenv("DAGD_TEST_PG_PASSWORD", "p w'x\\y", 1);
  setenv("DAGD_TEST_PG_PORT", pg_part(p, "port"), 1);
  char yaml[640], want[512];
  snprintf(yaml, sizeof yaml,
           "storage:\n  postgres:\n    postgres_db:\n      hostname: %s\n"
           "      username: %s\n      password: {env: DAGD_TEST_PG_PASSWORD}\n"
           "      db_name: %s\n      port: {env: DAGD_TEST_PG_PORT}\n"
           "      params: {connect_timeout: 10, application_name: 'dagd test'}\n"
           "      scheme: postgresql\n",
           pg_part(p, "host"), pg_part(p, "user"), p->db);
  run_instance *inst = pg_open(p, yaml);
  snprintf(want, sizeof want,
           "host='%s' user='%s' password='p w\\'x\\\\y' dbname='%s' port='%s' "
           "connect_timeout='10' application_name='dagd test'",
           pg_part(p, "host"), pg_part(p, "user"), p->db, pg_part(p, "port"));
  assert_string_equal(inst->postgres_conninfo, want);
  assert_int_equal(inst->postgres_pool_size, STORE_POSTGRES_POOL_DEFAULT);
  check_store(p, inst);
  run_instance_close(inst);
  unsetenv("DAGD_TEST_PG_PASSWORD");
  unsetenv("DAGD_TEST_PG_PORT");
}

static void test_home_not_a_folder(void **state) {
  home_fixture *f = *state;
  char path[128];
  snprintf(path, sizeof path, "%s/file", f->dir);
  home_write_file(path, "x");
  buf err;
  buf_init(&err, NULL);
  assert_null(run_instance_open(path, &err));
  char want[256];
  snprintf(want, sizeof want,
           "could not create %s: it or a folder above it exists and is not a folder", path);
  assert_string_equal(buf_cstr(&err), want);
  buf_free(&err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_home_choice),
      cmocka_unit_test_setup_teardown(test_config_every_key, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_config_unknown_keys, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_config_bad_types, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_config_coordinator_and_monitoring, home_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_config_monitoring_from_dagster, home_setup,
                                      home_teardown),
      cmocka_unit_test_setup_teardown(test_config_coordinator_errors, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_config_monitoring_errors, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_config_postgres_errors, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_postgres_unreachable, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_postgres_url, pg_setup, pg_teardown),
      cmocka_unit_test_setup_teardown(test_postgres_db, pg_setup, pg_teardown),
      cmocka_unit_test_setup_teardown(test_home_not_a_folder, home_setup, home_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
