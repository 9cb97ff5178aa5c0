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
  snprintf(want, sizeof want, expected, home, home);
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
  expect_error(f->dir, "run_coordinator: {}\n",
               "%s/dagd.yaml:1:1: unknown key 'run_coordinator' in dagd.yaml (expected one of: "
               "storage, local_artifact_storage, compute_logs, run_launcher)");
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
      cmocka_unit_test_setup_teardown(test_home_not_a_folder, home_setup, home_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
