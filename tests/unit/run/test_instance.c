/* test_instance.c — unit tests for src/run/instance.c: where the home is
 * (argument, $DAGD_HOME, ./.dagd), the folders and database it creates,
 * every dagd.yaml key, and the errors a bad dagd.yaml gives (file, line
 * and column). Every test works in fresh temporary folders. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <sys/stat.h>

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
  char want[1024];
  snprintf(want, sizeof want, expected, home, home, home);
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
  snprintf(want, sizeof want, "%s/storage", home);
  assert_string_equal(inst->artifacts_dir, want);
  assert_string_equal(inst->compute_logs_dir, want);
  assert_true(is_dir(want));
  assert_true(inst->terminate_grace == 5.0);
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
           "  terminate_grace_seconds: 2.5\n",
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
  run_instance_close(inst);

  /* An integer grace, and an empty file: defaults for the rest. */
  home_write_file(path, "run_launcher:\n  terminate_grace_seconds: 0\n");
  inst = open_ok(home);
  assert_true(inst->terminate_grace == 0.0);
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
               "  postgres: {}\n",
               "%s/dagd.yaml:4:3: unknown key 'postgres' in storage (expected one of: sqlite)");
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
               "terminate_grace_seconds)");
}

static void test_config_bad_types(void **state) {
  home_fixture *f = *state;
  expect_error(f->dir, "run_launcher:\n  terminate_grace_seconds: soon\n",
               "%s/dagd.yaml:2:28: run_launcher.terminate_grace_seconds must be a number of "
               "seconds from 0 to 86400");
  expect_error(f->dir, "run_launcher:\n  terminate_grace_seconds: -1\n",
               "%s/dagd.yaml:2:28: run_launcher.terminate_grace_seconds must be a number of "
               "seconds from 0 to 86400");
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
      cmocka_unit_test_setup_teardown(test_home_not_a_folder, home_setup, home_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
