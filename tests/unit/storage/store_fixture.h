/* store_fixture.h — what the storage tests share: a store in a fresh
 * temporary folder (removed afterwards) and a quick way to describe a run.
 * Header-only (static functions), included by each tests/unit/storage test. */
#ifndef DAGD_TESTS_STORE_FIXTURE_H
#define DAGD_TESTS_STORE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "storage/storage.h"

typedef struct fixture {
  char dir[64];
  char path[128]; /* dir/sub/runs.db: the store creates the missing folder */
  store *s;
  arena *a;
  /* PostgreSQL (pg_fixture.h): the test's schema and the store's conninfo. */
  char schema[64];
  char conninfo[1024];
} fixture;

/* rm -r of a folder the tests made (files and folders only). */
static void remove_tree(const char *path) {
  DIR *d = opendir(path);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d))) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
        continue;
      char sub[512];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      remove_tree(sub);
    }
    closedir(d);
  }
  remove(path);
}

/* cmocka setup: a temporary folder and an open store in it. */
static inline int fixture_setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/dagd-store-test-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->path, sizeof f->path, "%s/sub/runs.db", f->dir);
  store_error err;
  f->s = store_open_sqlite(f->path, &err);
  if (!f->s) {
    fprintf(stderr, "store_open_sqlite: %s\n", err.message);
    return -1;
  }
  f->a = arena_new(0);
  *state = f;
  return 0;
}

static inline int fixture_teardown(void **state) {
  fixture *f = *state;
  store_close(f->s);
  arena_free(f->a);
  remove_tree(f->dir);
  free(f);
  return 0;
}

/* The first value of a query's first row, read straight from the SQLite
 * file at path (around the store). */
static inline int64_t sqlite_raw_int(const char *path, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

/* A run of job `job` with the given status, creation time and tags
 * (key/value pairs ending with NULL), a fresh run id, in arena a. */
static store_run *make_run(arena *a, const char *job, store_run_status status, double created,
                           ...) {
  store_run *r = ARENA_NEW(a, store_run);
  store_new_run_id(r->run_id);
  r->job_name = job;
  r->status = status;
  r->mode = "default";
  r->run_config = "{}";
  r->create_time = created;
  va_list ap;
  va_start(ap, created);
  store_tag *tags = ARENA_ARRAY(a, store_tag, 16);
  const char *k;
  while (r->n_tags < 16 && (k = va_arg(ap, const char *))) {
    tags[r->n_tags].key = k;
    tags[r->n_tags++].value = va_arg(ap, const char *);
  }
  va_end(ap);
  r->tags = tags;
  return r;
}

/* Adds a run and fails the test when the store refuses it. */
#define ADD_RUN(s, r)                                                                              \
  do {                                                                                             \
    store_error add_err_;                                                                          \
    if (store_run_add((s), (r), &add_err_) != 0)                                                   \
      fail_msg("store_run_add: %s", add_err_.message);                                             \
  } while (0)

#endif
