/* test_workspace.c — unit tests for src/defs/workspace.c: the example
 * workspace loads; location names (given, or the file's base name); paths
 * relative to the workspace file; a broken location keeps its error while
 * the others load; errors of the workspace file itself; reload after good
 * and bad edits, keeping the old definitions on failure. Scratch files go
 * to a fresh temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "defs/workspace.h"

static char dir[64];

static int make_dir(void **state) {
  (void)state;
  strcpy(dir, "/tmp/dagd-ws-test-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state) {
  (void)state;
  const char *names[] = {"workspace.yaml", "a.yaml", "b.defs.yaml", "bad.yaml", "sub/c.yaml"};
  char path[128];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/sub", dir);
  rmdir(path);
  return rmdir(dir);
}

static void write_file(const char *name, const char *text) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static const char *ws_path(void) {
  static char path[128];
  snprintf(path, sizeof path, "%s/workspace.yaml", dir);
  return path;
}

static void test_example_workspace(void **state) {
  (void)state;
  buf err;
  buf_init(&err, NULL);
  defs_workspace *ws = defs_workspace_load("examples/hello/workspace.yaml", &err);
  assert_non_null(ws);
  assert_null(err.data);
  assert_int_equal(ws->n_locations, 1);
  assert_string_equal(ws->locations[0].name, "hello");
  assert_string_equal(ws->locations[0].path, "examples/hello/defs.yaml");
  assert_null(ws->locations[0].error);
  assert_non_null(ws->locations[0].defs);
  assert_non_null(defs_find_job(ws->locations[0].defs, "hello_etl"));
  defs_workspace_free(ws);
  buf_free(&err);
}

static void test_locations_load_independently(void **state) {
  (void)state;
  write_file("a.yaml", "repository: a\nops: {x: {command: [\"true\"]}}\n");
  write_file("b.defs.yaml", "ops: {y: {command: [\"true\"]}}\n");
  write_file("bad.yaml", "ops:\n  z: {command: true}\n");
  char sub[128];
  snprintf(sub, sizeof sub, "%s/sub", dir);
  mkdir(sub, 0700);
  write_file("sub/c.yaml", "repository: c\n");
  write_file("workspace.yaml", "load_from:\n"
                               "  - definitions: a.yaml\n"
                               "    location_name: first\n"
                               "  - definitions: b.defs.yaml\n"
                               "  - definitions: bad.yaml\n"
                               "  - definitions: sub/c.yaml\n");
  buf err;
  buf_init(&err, NULL);
  defs_workspace *ws = defs_workspace_load(ws_path(), &err);
  assert_non_null(ws);
  assert_int_equal(ws->n_locations, 4);
  assert_string_equal(ws->locations[0].name, "first");
  assert_string_equal(ws->locations[0].defs->repository_name, "a");
  assert_string_equal(ws->locations[1].name, "b.defs");
  assert_string_equal(ws->locations[1].defs->repository_name, "__repository__");
  defs_location *bad = defs_workspace_find(ws, "bad");
  assert_non_null(bad);
  assert_null(bad->defs);
  char expected[256];
  snprintf(expected, sizeof expected, "%s/bad.yaml:2:16: 'command' must be a sequence, not a bool",
           dir);
  assert_string_equal(bad->error, expected);
  defs_location *c = defs_workspace_find(ws, "c");
  assert_non_null(c);
  assert_string_equal(c->defs->repository_name, "c");
  assert_null(defs_workspace_find(ws, "nope"));
  defs_workspace_free(ws);
  buf_free(&err);
}

static void test_reload(void **state) {
  (void)state;
  write_file("a.yaml", "ops: {x: {command: [\"true\"]}}\n");
  write_file("workspace.yaml", "load_from:\n  - definitions: a.yaml\n");
  buf err;
  buf_init(&err, NULL);
  defs_workspace *ws = defs_workspace_load(ws_path(), &err);
  assert_non_null(ws);
  defs_location *a = defs_workspace_find(ws, "a");
  defs_definitions *first = defs_definitions_retain(a->defs);

  /* A good edit replaces the definitions; a reader's reference stays valid. */
  write_file("a.yaml", "ops: {x: {command: [\"true\"]}, y: {command: [\"false\"]}}\n");
  assert_int_equal(defs_workspace_reload(ws, "a"), 0);
  assert_null(a->error);
  assert_ptr_not_equal(a->defs, first);
  assert_int_equal(a->defs->n_ops, 2);
  assert_int_equal(first->n_ops, 1);
  defs_definitions_release(first);

  /* A bad edit keeps what was loaded and records the error. */
  defs_definitions *second = a->defs;
  write_file("a.yaml", "ops: {x: {command: [\"true\"]}, y: {comand: [\"false\"]}}\n");
  assert_int_equal(defs_workspace_reload(ws, "a"), -1);
  assert_ptr_equal(a->defs, second);
  assert_non_null(a->error);
  assert_non_null(strstr(a->error, "/a.yaml:1:35: unknown key 'comand' in an op"));

  /* Fixing it clears the error. */
  write_file("a.yaml", "ops: {x: {command: [\"true\"]}}\n");
  assert_int_equal(defs_workspace_reload(ws, "a"), 0);
  assert_null(a->error);
  assert_int_equal(a->defs->n_ops, 1);

  /* A deleted file is an error too, and keeps the old definitions. */
  char path[128];
  snprintf(path, sizeof path, "%s/a.yaml", dir);
  unlink(path);
  assert_int_equal(defs_workspace_reload(ws, "a"), -1);
  assert_non_null(strstr(a->error, "a.yaml: cannot read: No such file or directory"));
  assert_int_equal(a->defs->n_ops, 1);
  assert_int_equal(defs_workspace_reload(ws, "other"), -2);
  defs_workspace_free(ws);
  buf_free(&err);
}

/* Asserts the workspace text fails with exactly these error lines, each
 * after "<path>:". */
static void assert_ws_error(const char *text, const char *expected) {
  write_file("workspace.yaml", text);
  buf err, want;
  buf_init(&err, NULL);
  buf_init(&want, NULL);
  assert_null(defs_workspace_load(ws_path(), &err));
  for (const char *line = expected; *line;) {
    const char *end = strchr(line, '\n');
    buf_printf(&want, "%s:%.*s\n", ws_path(), (int)(end - line), line);
    line = end + 1;
  }
  assert_string_equal(err.data, want.data);
  buf_free(&err);
  buf_free(&want);
}

static void test_workspace_errors(void **state) {
  (void)state;
  assert_ws_error("locations: []\n",
                  "1:1: a workspace file must be a mapping with a 'load_from' list\n");
  assert_ws_error("load_from: {a: b}\nextra: 1\n",
                  "1:12: 'load_from' must be a sequence, not a mapping\n");
  assert_ws_error("load_from: []\nextra: 1\n",
                  "2:1: unknown key 'extra' in a workspace file (expected one of: load_from)\n");
  assert_ws_error("load_from:\n  - python_file: repo.py\n",
                  "2:5: unknown key 'python_file' in a load_from entry (expected one of: "
                  "definitions, location_name)\n"
                  "2:5: a load_from entry needs 'definitions: <file>'\n");
  assert_ws_error("load_from:\n  - definitions: x.yaml\n  - definitions: other/x.yml\n",
                  "3:5: duplicate location name 'x'\n");
  assert_ws_error("load_from:\n  - definitions: [a]\n",
                  "2:18: 'definitions' must be a non-empty string\n");
  assert_ws_error("load_from: [\n", "2:1: did not find expected node content (while parsing a "
                                    "flow node at line 2, column 1)\n");
  buf err;
  buf_init(&err, NULL);
  assert_null(defs_workspace_load("/nonexistent/workspace.yaml", &err));
  assert_string_equal(err.data,
                      "/nonexistent/workspace.yaml: cannot read: No such file or directory\n");
  /* A folder opens but cannot be read. */
  buf_truncate(&err, 0);
  assert_null(defs_workspace_load("/tmp", &err));
  assert_string_equal(err.data, "/tmp: cannot read: Is a directory\n");
  buf_free(&err);
}

/* A load read apart and applied later: the location changes only when
 * applied, with the load's time. */
static void test_read_then_apply(void **state) {
  (void)state;
  write_file("a.yaml", "ops: {x: {command: [\"true\"]}}\n");
  write_file("workspace.yaml", "load_from:\n  - definitions: a.yaml\n");
  buf err;
  buf_init(&err, NULL);
  defs_workspace *ws = defs_workspace_load(ws_path(), &err);
  assert_non_null(ws);
  defs_location *a = defs_workspace_find(ws, "a");
  assert_true(a->updated > 0);
  const defs_definitions *before = a->defs;
  write_file("a.yaml", "ops: {x: {command: [\"true\"]}, y: {command: [\"true\"]}}\n");
  defs_location_load load = defs_location_read(a->path);
  assert_non_null(load.defs);
  assert_null(load.error);
  assert_ptr_equal(a->defs, before);
  double read_at = load.time;
  assert_true(read_at >= a->updated);
  defs_location_apply(a, &load);
  assert_null(load.defs);
  assert_int_equal(a->defs->n_ops, 2);
  assert_true(a->updated == read_at);
  /* A failed read keeps the definitions and records the error. */
  write_file("a.yaml", "ops: [\n");
  load = defs_location_read(a->path);
  assert_null(load.defs);
  assert_non_null(load.error);
  read_at = load.time;
  defs_location_apply(a, &load);
  assert_int_equal(a->defs->n_ops, 2);
  assert_non_null(a->error);
  assert_true(a->updated == read_at);
  defs_workspace_free(ws);
  buf_free(&err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_example_workspace),
      cmocka_unit_test(test_locations_load_independently),
      cmocka_unit_test(test_reload),
      cmocka_unit_test(test_workspace_errors),
      cmocka_unit_test(test_read_then_apply),
  };
  return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
