/* test_sqlite_scale.c — the SQLite store with 100,000 runs: filtered lists
 * return the right runs, and the query plans use the indexes (EXPLAIN QUERY
 * PLAN of the very text store_runs_list runs; no full scan of run_tags for
 * a tag filter, no sort of all runs for "newest first"). A behavioural check
 * of the schema, not a timing: the times are printed for information only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <time.h>

#include "base/buf.h"
#include "storage/sqlite_internal.h"
#include "store_fixture.h"

enum { RUNS = 100000, JOBS = 10, TEAMS = 5, RARE_EVERY = 20000 };

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run i: job j<i % JOBS>, team t<i % TEAMS>, a partition tag, FAILURE every
 * 7th run, QUEUED every 1000th, SUCCESS otherwise, and tag rare=yes on
 * every RARE_EVERY-th run. */
static store_run_status status_of(int i) {
  return i % 1000 == 0 ? STORE_RUN_QUEUED : i % 7 == 0 ? STORE_RUN_FAILURE : STORE_RUN_SUCCESS;
}

static void fill(fixture *f) {
  static const char *const jobs[JOBS] = {"j0", "j1", "j2", "j3", "j4",
                                         "j5", "j6", "j7", "j8", "j9"};
  static const char *const teams[TEAMS] = {"t0", "t1", "t2", "t3", "t4"};
  double start = seconds();
  arena *a = arena_new(1 << 16);
  for (int i = 0; i < RUNS; i++) {
    char partition[16];
    snprintf(partition, sizeof partition, "p%d", i % 1000);
    store_run *r =
        make_run(a, jobs[i % JOBS], status_of(i), 1000000 + i, "team", teams[i % TEAMS],
                 "dagster/partition", partition, i % RARE_EVERY == 0 ? "rare" : NULL, "yes", NULL);
    ADD_RUN(f->s, r);
    arena_reset(a);
  }
  arena_free(a);
  print_message("inserted %d runs in %.2f s\n", RUNS, seconds() - start);
}

static int filled_setup(void **state) {
  if (fixture_setup(state) != 0)
    return -1;
  fill(*state);
  return 0;
}

/* The plan's lines, joined by "; ". */
static char *plan_of(fixture *f, const store_runs_filter *flt, const char *cursor, bool count) {
  buf sql;
  buf_init(&sql, f->a);
  buf_puts(&sql, "EXPLAIN QUERY PLAN ");
  store_sqlite_runs_sql(&sql, flt, cursor, count);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(db, sql.data, -1, &st, NULL), SQLITE_OK);
  buf plan;
  buf_init(&plan, f->a);
  while (sqlite3_step(st) == SQLITE_ROW)
    buf_printf(&plan, "%s%s", plan.len ? "; " : "", (const char *)sqlite3_column_text(st, 3));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return plan.data;
}

/* No full scan of the tags (t0/t: run_tags' aliases) and no sort of the
 * runs (the order comes from an index). */
static void expect_indexed(fixture *f, const char *what, const store_runs_filter *flt,
                           bool may_sort) {
  const char *plan = plan_of(f, flt, "cursor", false);
  print_message("%s: %s\n", what, plan);
  assert_null(strstr(plan, "SCAN t"));
  assert_null(strstr(plan, "SCAN run_tags"));
  if (!may_sort)
    assert_null(strstr(plan, "TEMP B-TREE"));
  const char *count_plan = plan_of(f, flt, NULL, true);
  assert_null(strstr(count_plan, "SCAN t"));
}

/* Lists with the filter (limit 10, then the next page), checks every run
 * matches `want`, and prints the time of 1000 first pages. */
static void expect_list(fixture *f, const char *what, const store_runs_filter *flt,
                        bool (*want)(const store_run *), int64_t expected_count) {
  store_error err;
  size_t n;
  store_run *page = store_runs_list(f->s, flt, NULL, 10, f->a, &n, &err);
  assert_string_equal(err.message, "");
  assert_int_equal(n, expected_count < 10 ? (size_t)expected_count : 10);
  for (size_t i = 0; i < n; i++) {
    assert_true(want(&page[i]));
    assert_true(i == 0 || page[i].create_time < page[i - 1].create_time);
  }
  if (n == 10) {
    size_t n2;
    store_run *next = store_runs_list(f->s, flt, page[9].run_id, 10, f->a, &n2, &err);
    assert_true(n2 > 0 && next[0].create_time < page[9].create_time && want(&next[0]));
  }
  assert_int_equal(store_runs_count(f->s, flt, &err), expected_count);
  double start = seconds();
  for (int i = 0; i < 1000; i++) {
    store_runs_list(f->s, flt, NULL, 10, f->a, &n, &err);
    arena_reset(f->a);
  }
  print_message("%s: %.1f us per list(limit 10)\n", what, (seconds() - start) * 1000);
}

static bool has_tag(const store_run *r, const char *key, const char *value) {
  for (size_t i = 0; i < r->n_tags; i++)
    if (strcmp(r->tags[i].key, key) == 0 && strcmp(r->tags[i].value, value) == 0)
      return true;
  return false;
}

static bool any_run(const store_run *r) { return r->job_name != NULL; }
static bool is_failure(const store_run *r) { return r->status == STORE_RUN_FAILURE; }
static bool is_queued(const store_run *r) { return r->status == STORE_RUN_QUEUED; }
static bool is_queued_or_failure(const store_run *r) { return is_queued(r) || is_failure(r); }
static bool is_team_t3(const store_run *r) { return has_tag(r, "team", "t3"); }
static bool is_rare(const store_run *r) { return has_tag(r, "rare", "yes"); }
static bool is_t3_failure(const store_run *r) { return is_team_t3(r) && is_failure(r); }
static bool is_j3_p13(const store_run *r) {
  return strcmp(r->job_name, "j3") == 0 && has_tag(r, "dagster/partition", "p13") && is_team_t3(r);
}

static int64_t count_where(bool (*pred)(int)) {
  int64_t n = 0;
  for (int i = 0; i < RUNS; i++)
    n += pred(i);
  return n;
}
static bool i_failure(int i) { return status_of(i) == STORE_RUN_FAILURE; }
static bool i_queued_or_failure(int i) { return status_of(i) != STORE_RUN_SUCCESS; }
static bool i_t3_failure(int i) { return i % TEAMS == 3 && i_failure(i); }
static bool i_j3_p13(int i) { return i % JOBS == 3 && i % 1000 == 13 && i % TEAMS == 3; }

static void test_100k_runs(void **state) {
  fixture *f = *state;

  store_runs_filter none = {0};
  store_run_status failure[] = {STORE_RUN_FAILURE};
  store_run_status queued[] = {STORE_RUN_QUEUED};
  store_run_status queued_or_failed[] = {STORE_RUN_QUEUED, STORE_RUN_FAILURE};
  store_tag t3[] = {{"team", "t3"}};
  store_tag rare[] = {{"rare", "yes"}};
  store_tag p13_t3[] = {{"dagster/partition", "p13"}, {"team", "t3"}};
  store_runs_filter by_failure = {.statuses = failure, .n_statuses = 1};
  store_runs_filter by_queued = {.statuses = queued, .n_statuses = 1};
  store_runs_filter by_two_statuses = {.statuses = queued_or_failed, .n_statuses = 2};
  store_runs_filter by_team = {.tags = t3, .n_tags = 1};
  store_runs_filter by_rare = {.tags = rare, .n_tags = 1};
  store_runs_filter by_team_failure = {
      .tags = t3, .n_tags = 1, .statuses = failure, .n_statuses = 1};
  store_runs_filter by_job_two_tags = {.job_name = "j3", .tags = p13_t3, .n_tags = 2};

  /* The plans hold with and without the statistics ANALYZE (or PRAGMA
   * optimize) gathers. */
  for (int analyzed = 0; analyzed < 2; analyzed++) {
    if (analyzed) {
      sqlite3 *db;
      assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
      assert_int_equal(sqlite3_exec(db, "ANALYZE", NULL, NULL, NULL), SQLITE_OK);
      sqlite3_close(db);
    }
    expect_indexed(f, "no filter", &none, false);
    expect_indexed(f, "one status", &by_failure, false);
    expect_indexed(f, "two statuses", &by_two_statuses, true);
    expect_indexed(f, "one tag", &by_team, false);
    expect_indexed(f, "tag and status", &by_team_failure, false);
    expect_indexed(f, "job and two tags", &by_job_two_tags, false);
  }
  /* The tag filter reads the (key, value) index. */
  assert_non_null(strstr(plan_of(f, &by_team, NULL, false), "run_tags_by_key_value"));

  expect_list(f, "no filter", &none, any_run, RUNS);
  expect_list(f, "FAILURE", &by_failure, is_failure, count_where(i_failure));
  expect_list(f, "QUEUED", &by_queued, is_queued, RUNS / 1000);
  expect_list(f, "QUEUED or FAILURE", &by_two_statuses, is_queued_or_failure,
              count_where(i_queued_or_failure));
  expect_list(f, "team=t3", &by_team, is_team_t3, RUNS / TEAMS);
  expect_list(f, "rare=yes", &by_rare, is_rare, RUNS / RARE_EVERY);
  expect_list(f, "team=t3 + FAILURE", &by_team_failure, is_t3_failure, count_where(i_t3_failure));
  expect_list(f, "j3 + partition + team", &by_job_two_tags, is_j3_p13, count_where(i_j3_p13));
}

/* Distinct tag keys and values come from skipping through the index. */
static void test_tag_lists(void **state) {
  fixture *f = *state;
  store_error err;
  size_t n;
  double start = seconds();
  const char *const *keys = store_tag_keys(f->s, f->a, &n, &err);
  assert_int_equal(n, 3);
  assert_string_equal(keys[0], "dagster/partition");
  assert_string_equal(keys[1], "rare");
  assert_string_equal(keys[2], "team");
  const char *team[] = {"team"};
  store_tag *t = store_tags(f->s, team, 1, NULL, -1, f->a, &n, &err);
  assert_int_equal(n, TEAMS);
  assert_string_equal(t[4].value, "t4");
  const char *partition[] = {"dagster/partition"};
  t = store_tags(f->s, partition, 1, "p99", -1, f->a, &n, &err);
  assert_int_equal(n, 11); /* p99, p990 … p999 */
  assert_string_equal(t[0].value, "p99");
  assert_string_equal(t[10].value, "p999");
  store_tags(f->s, NULL, 0, NULL, -1, f->a, &n, &err);
  assert_int_equal(n, 1000 + 1 + TEAMS);
  print_message("tag keys and lists: %.2f ms\n", (seconds() - start) * 1000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_100k_runs),
      cmocka_unit_test(test_tag_lists),
  };
  /* One store, filled once, for both tests. */
  return cmocka_run_group_tests(tests, filled_setup, fixture_teardown);
}
