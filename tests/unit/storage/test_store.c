/* test_store.c — the storage interface (storage.h) tested against every
 * backend: each case runs on a SQLite store in a fresh temporary folder,
 * and again on a PostgreSQL store in a fresh schema when a test server is
 * known (DAGD_TEST_POSTGRES_URL, or the file CTest's `postgres` fixture
 * writes; pg_url.h), since both must give the same results for every call:
 * runs, filters, ordering and cursors, tags, run groups, events and the
 * status changes they imply, snapshots, the daemon heartbeat's conditional
 * claim, runs offered to workers and their claims, and the shared helpers
 * (status names, run ids). What is particular to one backend is in
 * test_sqlite.c and test_postgres.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <time.h>

#include "store_backends.h"

/* The first value of a query's first row, read around the store. */
static int64_t raw_int(fixture *f, const char *sql) {
  if (on_postgres()) {
    int64_t v = pg_raw(f->conninfo, sql);
    assert_true(v >= 0);
    return v;
  }
  return sqlite_raw_int(f->path, sql);
}

/* ---- helpers shared by the store and run ids ---- */

static void test_status_names(void **state) {
  (void)state;
  static const char *const names[] = {"QUEUED",  "NOT_STARTED", "MANAGED",   "STARTING", "STARTED",
                                      "SUCCESS", "FAILURE",     "CANCELING", "CANCELED"};
  for (int i = 0; i < STORE_RUN_STATUS_COUNT; i++) {
    assert_string_equal(store_run_status_name((store_run_status)i), names[i]);
    assert_int_equal(store_run_status_parse(names[i]), i);
  }
  assert_null(store_run_status_name((store_run_status)STORE_RUN_STATUS_COUNT));
  assert_int_equal(store_run_status_parse("queued"), -1);
  assert_int_equal(store_run_status_parse("PIPELINE_START"), -1);
  assert_int_equal(store_run_status_parse(NULL), -1);
  assert_true(store_run_status_finished(STORE_RUN_SUCCESS));
  assert_true(store_run_status_finished(STORE_RUN_FAILURE));
  assert_true(store_run_status_finished(STORE_RUN_CANCELED));
  assert_false(store_run_status_finished(STORE_RUN_CANCELING));
  assert_false(store_run_status_finished(STORE_RUN_STARTED));
  assert_false(store_run_status_finished(STORE_RUN_QUEUED));
}

static void test_new_run_id_is_uuid4(void **state) {
  (void)state;
  char a[37], b[37];
  store_new_run_id(a);
  store_new_run_id(b);
  assert_int_equal(strlen(a), 36);
  assert_string_not_equal(a, b);
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23)
      assert_int_equal(a[i], '-');
    else
      assert_true(isxdigit((unsigned char)a[i]) && !isupper((unsigned char)a[i]));
  }
  assert_int_equal(a[14], '4');           /* version */
  assert_non_null(strchr("89ab", a[19])); /* variant */
}

/* ---- runs ---- */

static void test_add_and_get_every_field(void **state) {
  fixture *f = *state;
  store_run *r = make_run(f->a, "etl", STORE_RUN_QUEUED, 1700000000.5, "team", "data",
                          "dagster/priority", "3", "a", "first", NULL);
  r->repository_name = "repo";
  r->location_name = "loc";
  r->run_config = "{\"ops\": {}}";
  r->snapshot_id = "snap1";
  r->op_selection = "[\"a*\"]";
  r->resolved_op_selection = "[\"a\", \"b\"]";
  r->step_keys_to_execute = "[\"a\"]";
  r->parent_run_id = "p";
  r->root_run_id = "q";
  r->worker_pid = 4242;
  ADD_RUN(f->s, r);

  store_error err;
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_non_null(g);
  assert_string_equal(g->run_id, r->run_id);
  assert_string_equal(g->job_name, "etl");
  assert_string_equal(g->repository_name, "repo");
  assert_string_equal(g->location_name, "loc");
  assert_int_equal(g->status, STORE_RUN_QUEUED);
  assert_string_equal(g->mode, "default");
  assert_string_equal(g->run_config, "{\"ops\": {}}");
  assert_string_equal(g->snapshot_id, "snap1");
  assert_string_equal(g->op_selection, "[\"a*\"]");
  assert_string_equal(g->resolved_op_selection, "[\"a\", \"b\"]");
  assert_string_equal(g->step_keys_to_execute, "[\"a\"]");
  assert_string_equal(g->parent_run_id, "p");
  assert_string_equal(g->root_run_id, "q");
  assert_true(g->create_time == 1700000000.5);
  assert_true(g->update_time == 1700000000.5); /* defaults to the creation time */
  assert_true(g->start_time == 0 && g->end_time == 0);
  assert_int_equal(g->worker_pid, 4242);
  /* Tags come back sorted by key. */
  assert_int_equal(g->n_tags, 3);
  assert_string_equal(g->tags[0].key, "a");
  assert_string_equal(g->tags[0].value, "first");
  assert_string_equal(g->tags[1].key, "dagster/priority");
  assert_string_equal(g->tags[2].key, "team");
  assert_string_equal(g->tags[2].value, "data");

  /* Unset optional fields stay NULL; a zero creation time becomes now. */
  store_run *bare = make_run(f->a, "etl", STORE_RUN_NOT_STARTED, 0, NULL);
  bare->mode = NULL;
  bare->run_config = NULL;
  double before = (double)time(NULL) - 1;
  ADD_RUN(f->s, bare);
  g = store_run_get(f->s, bare->run_id, f->a, &err);
  assert_non_null(g);
  assert_null(g->mode);
  assert_null(g->run_config);
  assert_null(g->snapshot_id);
  assert_null(g->parent_run_id);
  assert_int_equal(g->n_tags, 0);
  assert_true(g->create_time >= before && g->create_time < before + 60);
  assert_true(g->update_time == g->create_time);
}

static void test_add_refuses_invalid_runs(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *r = make_run(f->a, "etl", STORE_RUN_QUEUED, 1, NULL);
  ADD_RUN(f->s, r);
  assert_int_equal(store_run_add(f->s, r, &err), -1);
  assert_string_equal(err.message, arena_printf(f->a, "Run %s already exists.", r->run_id));

  store_run *nojob = make_run(f->a, NULL, STORE_RUN_QUEUED, 1, NULL);
  assert_int_equal(store_run_add(f->s, nojob, &err), -1);
  assert_non_null(strstr(err.message, "needs a job name"));

  store_run *noid = make_run(f->a, "etl", STORE_RUN_QUEUED, 1, NULL);
  noid->run_id[0] = '\0';
  assert_int_equal(store_run_add(f->s, noid, &err), -1);
  assert_non_null(strstr(err.message, "run id"));

  store_run *badstatus = make_run(f->a, "etl", (store_run_status)42, 1, NULL);
  assert_int_equal(store_run_add(f->s, badstatus, &err), -1);
  assert_non_null(strstr(err.message, "unknown status"));

  store_run *badtag = make_run(f->a, "etl", STORE_RUN_QUEUED, 1, "k", NULL, NULL);
  badtag->n_tags = 1;
  assert_int_equal(store_run_add(f->s, badtag, &err), -1);
  assert_non_null(strstr(err.message, "tag without a key or value"));

  /* Nothing of the refused runs was stored. */
  assert_int_equal(store_runs_count(f->s, NULL, &err), 1);
}

static void test_get_unknown_run_is_not_an_error(void **state) {
  fixture *f = *state;
  store_error err;
  strcpy(err.message, "stale");
  assert_null(store_run_get(f->s, "no-such-run", f->a, &err));
  assert_string_equal(err.message, "");
  assert_null(store_run_get(f->s, NULL, f->a, &err));
  assert_string_not_equal(err.message, "");
}

static void test_delete_takes_tags_and_events(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *keep = make_run(f->a, "etl", STORE_RUN_STARTED, 1, "shared", "x", NULL);
  store_run *gone =
      make_run(f->a, "etl", STORE_RUN_STARTED, 2, "only_gone", "y", "shared", "x", NULL);
  ADD_RUN(f->s, keep);
  ADD_RUN(f->s, gone);
  store_event ev = {.level = 20, .message = "hello"};
  strcpy(ev.run_id, gone->run_id);
  assert_true(store_event_append(f->s, &ev, &err) > 0);
  strcpy(ev.run_id, keep->run_id);
  assert_true(store_event_append(f->s, &ev, &err) > 0);

  bool found = false;
  assert_int_equal(store_run_delete(f->s, gone->run_id, &found, &err), 0);
  assert_true(found);
  assert_null(store_run_get(f->s, gone->run_id, f->a, &err));
  size_t n;
  bool more;
  assert_null(store_events(f->s, gone->run_id, 0, -1, f->a, &n, &more, &err));
  assert_int_equal(n, 0);
  assert_int_equal(store_events_last_id(f->s, gone->run_id, &err), 0);
  const char *const *keys = store_tag_keys(f->s, f->a, &n, &err);
  assert_int_equal(n, 1);
  assert_string_equal(keys[0], "shared");

  /* The other run is untouched. */
  store_events(f->s, keep->run_id, 0, -1, f->a, &n, &more, &err);
  assert_int_equal(n, 1);
  assert_int_equal(store_run_get(f->s, keep->run_id, f->a, &err)->n_tags, 1);

  assert_int_equal(store_run_delete(f->s, gone->run_id, &found, &err), 0);
  assert_false(found);
}

/* Claims and reads back the run's worker; fails the test on a store error. */
static bool claim(fixture *f, const char *run_id, int64_t pid) {
  store_error err;
  bool claimed = !pid; /* the opposite of what is expected of a refused pid */
  if (store_run_set_worker(f->s, run_id, pid, &claimed, &err) != 0)
    fail_msg("store_run_set_worker: %s", err.message);
  return claimed;
}

static int64_t worker_of(fixture *f, const char *run_id) {
  store_error err;
  store_run *r = store_run_get(f->s, run_id, f->a, &err);
  assert_non_null(r);
  return r->worker_pid;
}

static void test_set_worker_claims_once(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *r = make_run(f->a, "etl", STORE_RUN_STARTING, 1, NULL);
  ADD_RUN(f->s, r);
  assert_int_equal(worker_of(f, r->run_id), 0);
  assert_true(claim(f, r->run_id, 31337));
  assert_int_equal(worker_of(f, r->run_id), 31337);
  /* The same worker again: still its own. */
  assert_true(claim(f, r->run_id, 31337));
  /* A second worker is refused, without an error, and changes nothing. */
  assert_false(claim(f, r->run_id, 4242));
  assert_int_equal(worker_of(f, r->run_id), 31337);

  /* A run added with a worker already set belongs to that worker. */
  store_run *owned = make_run(f->a, "etl", STORE_RUN_STARTING, 2, NULL);
  owned->worker_pid = 77;
  ADD_RUN(f->s, owned);
  assert_false(claim(f, owned->run_id, 78));
  assert_true(claim(f, owned->run_id, 77));

  /* Invalid: unknown run, and pids that could never be a worker. */
  bool claimed = true;
  assert_int_equal(store_run_set_worker(f->s, "nope", 1, &claimed, &err), -1);
  assert_string_equal(err.message, "Run nope was not found in instance.");
  assert_false(claimed);
  claimed = true;
  assert_int_equal(store_run_set_worker(f->s, r->run_id, 0, &claimed, &err), -1);
  assert_false(claimed);
  assert_int_equal(store_run_set_worker(f->s, r->run_id, -5, &claimed, &err), -1);
  assert_non_null(strstr(err.message, "above 0"));
  assert_int_equal(worker_of(f, r->run_id), 31337);
  /* claimed may be left out. */
  assert_int_equal(store_run_set_worker(f->s, r->run_id, 31337, NULL, &err), 0);
}

/* ---- filters, ordering, cursors ---- */

/* Six runs covering every filter field; ids[i] is the i-th added (oldest first). */
typedef struct filter_world {
  char ids[6][37];
} filter_world;

static void build_filter_world(fixture *f, filter_world *w) {
  store_run *runs[6] = {
      make_run(f->a, "etl", STORE_RUN_SUCCESS, 100, "team", "a", "env", "prod", NULL),
      make_run(f->a, "etl", STORE_RUN_FAILURE, 200, "team", "b", "env", "prod", NULL),
      make_run(f->a, "report", STORE_RUN_QUEUED, 300, "team", "a", NULL),
      make_run(f->a, "report", STORE_RUN_STARTED, 400, "team", "a", "env", "dev", NULL),
      make_run(f->a, "etl", STORE_RUN_SUCCESS, 500, "env", "prod", NULL),
      make_run(f->a, "backfill", STORE_RUN_CANCELED, 600, NULL),
  };
  runs[1]->snapshot_id = "s1";
  runs[4]->snapshot_id = "s1";
  runs[3]->mode = "other";
  for (int i = 0; i < 6; i++) {
    runs[i]->update_time = runs[i]->create_time + 50;
    ADD_RUN(f->s, runs[i]);
    strcpy(w->ids[i], runs[i]->run_id);
  }
}

/* Lists with the filter and checks the result is exactly the runs at the
 * given indexes, newest first (indexes given newest first), and that count
 * agrees. */
static void expect_runs(fixture *f, const filter_world *w, const store_runs_filter *flt,
                        const int *want, size_t n_want) {
  store_error err;
  size_t n = 99;
  store_run *runs = store_runs_list(f->s, flt, NULL, -1, f->a, &n, &err);
  assert_string_equal(err.message, "");
  assert_int_equal(n, n_want);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(runs[i].run_id, w->ids[want[i]]);
  assert_int_equal(store_runs_count(f->s, flt, &err), (int64_t)n_want);
}

#define EXPECT(flt, ...)                                                                           \
  do {                                                                                             \
    static const int want_[] = {__VA_ARGS__};                                                      \
    expect_runs(f, &w, (flt), want_, sizeof want_ / sizeof want_[0]);                              \
  } while (0)
#define EXPECT_NONE(flt) expect_runs(f, &w, (flt), NULL, 0)

static void test_each_filter_field(void **state) {
  fixture *f = *state;
  filter_world w;
  build_filter_world(f, &w);

  EXPECT(NULL, 5, 4, 3, 2, 1, 0);
  store_runs_filter empty = {0};
  EXPECT(&empty, 5, 4, 3, 2, 1, 0);

  const char *ids[] = {w.ids[0], w.ids[3], "not-a-run"};
  EXPECT(&((store_runs_filter){.run_ids = ids, .n_run_ids = 3}), 3, 0);

  EXPECT(&((store_runs_filter){.job_name = "etl"}), 4, 1, 0);
  EXPECT_NONE(&((store_runs_filter){.job_name = "missing"}));

  store_run_status ok[] = {STORE_RUN_SUCCESS};
  EXPECT(&((store_runs_filter){.statuses = ok, .n_statuses = 1}), 4, 0);
  store_run_status some[] = {STORE_RUN_QUEUED, STORE_RUN_FAILURE, STORE_RUN_CANCELED};
  EXPECT(&((store_runs_filter){.statuses = some, .n_statuses = 3}), 5, 2, 1);

  store_tag team_a[] = {{"team", "a"}};
  EXPECT(&((store_runs_filter){.tags = team_a, .n_tags = 1}), 3, 2, 0);
  store_tag team_a_prod[] = {{"team", "a"}, {"env", "prod"}};
  EXPECT(&((store_runs_filter){.tags = team_a_prod, .n_tags = 2}), 0);
  store_tag prod_team_a[] = {{"env", "prod"}, {"team", "a"}}; /* order does not matter */
  EXPECT(&((store_runs_filter){.tags = prod_team_a, .n_tags = 2}), 0);
  store_tag wrong_value[] = {{"team", "c"}};
  EXPECT_NONE(&((store_runs_filter){.tags = wrong_value, .n_tags = 1}));
  store_tag same_key_twice[] = {{"team", "a"}, {"team", "b"}};
  EXPECT_NONE(&((store_runs_filter){.tags = same_key_twice, .n_tags = 2}));

  EXPECT(&((store_runs_filter){.snapshot_id = "s1"}), 4, 1);
  EXPECT(&((store_runs_filter){.mode = "other"}), 3);
  EXPECT(&((store_runs_filter){.mode = "default"}), 5, 4, 2, 1, 0);

  /* Time bounds are exclusive at both ends. */
  EXPECT(&((store_runs_filter){.created_before = 300}), 1, 0);
  EXPECT(&((store_runs_filter){.created_after = 400}), 5, 4);
  EXPECT(&((store_runs_filter){.created_after = 100, .created_before = 400}), 2, 1);
  EXPECT(&((store_runs_filter){.updated_before = 350}), 1, 0);
  EXPECT(&((store_runs_filter){.updated_after = 450}), 5, 4);
}

static void test_filters_combined(void **state) {
  fixture *f = *state;
  filter_world w;
  build_filter_world(f, &w);
  store_run_status ok_or_failed[] = {STORE_RUN_SUCCESS, STORE_RUN_FAILURE};
  store_tag prod[] = {{"env", "prod"}};
  EXPECT(
      &((store_runs_filter){
          .job_name = "etl", .statuses = ok_or_failed, .n_statuses = 2, .tags = prod, .n_tags = 1}),
      4, 1, 0);
  EXPECT(&((store_runs_filter){.job_name = "etl",
                               .tags = prod,
                               .n_tags = 1,
                               .snapshot_id = "s1",
                               .created_before = 500}),
         1);
  const char *ids[] = {w.ids[2], w.ids[3], w.ids[4]};
  store_tag team_a[] = {{"team", "a"}};
  EXPECT(&((store_runs_filter){.run_ids = ids, .n_run_ids = 3, .tags = team_a, .n_tags = 1}), 3, 2);
  EXPECT(&((store_runs_filter){
             .run_ids = ids, .n_run_ids = 3, .job_name = "report", .mode = "default"}),
         2);
  EXPECT_NONE(&((store_runs_filter){.job_name = "backfill", .tags = team_a, .n_tags = 1}));
  EXPECT(&((store_runs_filter){
             .updated_after = 200, .updated_before = 600, .tags = team_a, .n_tags = 1}),
         3, 2);
}

/* Pages through with a limit, following the cursor, and checks the pages
 * put together are `all` (newest first). */
static void page_through(fixture *f, const store_runs_filter *flt, char (*all)[37], size_t n_all,
                         int page) {
  store_error err;
  const char *cursor = NULL;
  size_t seen = 0, n;
  do {
    store_run *runs = store_runs_list(f->s, flt, cursor, page, f->a, &n, &err);
    assert_string_equal(err.message, "");
    assert_true(n <= (size_t)page);
    for (size_t i = 0; i < n; i++) {
      assert_true(seen < n_all);
      assert_string_equal(runs[i].run_id, all[n_all - 1 - seen]);
      seen++;
    }
    if (n)
      cursor = runs[n - 1].run_id;
  } while (n == (size_t)page);
  assert_int_equal(seen, n_all);
}

static void test_ordering_and_cursor_paging(void **state) {
  fixture *f = *state;
  store_error err;
  char ids[25][37], odd[13][37];
  size_t n_odd = 0;
  for (int i = 0; i < 25; i++) {
    /* Creation times go backwards: order is by insertion, not by the time. */
    store_run *r =
        make_run(f->a, "job", STORE_RUN_SUCCESS, 10000 - i, "parity", i % 2 ? "odd" : "even", NULL);
    ADD_RUN(f->s, r);
    strcpy(ids[i], r->run_id);
    if (i % 2)
      strcpy(odd[n_odd++], r->run_id);
  }
  size_t n;
  store_run *first = store_runs_list(f->s, NULL, NULL, 10, f->a, &n, &err);
  assert_int_equal(n, 10);
  assert_string_equal(first[0].run_id, ids[24]);
  store_run *second = store_runs_list(f->s, NULL, first[9].run_id, 10, f->a, &n, &err);
  assert_int_equal(n, 10);
  assert_string_equal(second[0].run_id, ids[14]);
  store_run *third = store_runs_list(f->s, NULL, second[9].run_id, 10, f->a, &n, &err);
  assert_int_equal(n, 5);
  assert_string_equal(third[4].run_id, ids[0]);
  assert_null(store_runs_list(f->s, NULL, third[4].run_id, 10, f->a, &n, &err));
  assert_int_equal(n, 0);
  assert_string_equal(err.message, "");

  page_through(f, NULL, ids, 25, 10);
  page_through(f, NULL, ids, 25, 7);
  store_tag odd_tag[] = {{"parity", "odd"}};
  store_runs_filter only_odd = {.tags = odd_tag, .n_tags = 1};
  page_through(f, &only_odd, odd, n_odd, 5);
  store_runs_filter odd_with_status = {.tags = odd_tag,
                                       .n_tags = 1,
                                       .statuses = (store_run_status[]){STORE_RUN_SUCCESS},
                                       .n_statuses = 1};
  page_through(f, &odd_with_status, odd, n_odd, 4);

  /* The cursor run need not match the filter: paging after an even run. */
  store_runs_list(f->s, &only_odd, ids[20], -1, f->a, &n, &err);
  assert_int_equal(n, 10); /* odd runs 1, 3, …, 19 */
  /* limit 0 asks for nothing; a negative limit for everything. */
  store_runs_list(f->s, NULL, NULL, 0, f->a, &n, &err);
  assert_int_equal(n, 0);
  store_runs_list(f->s, NULL, NULL, -1, f->a, &n, &err);
  assert_int_equal(n, 25);
  /* As in Dagster, an unknown cursor run id selects nothing (no error). */
  assert_null(store_runs_list(f->s, NULL, "no-such-run", 10, f->a, &n, &err));
  assert_int_equal(n, 0);
  assert_string_equal(err.message, "");
  assert_int_equal(store_runs_count(f->s, NULL, &err), 25);
  assert_int_equal(store_runs_count(f->s, &only_odd, &err), 12);
}

/* More query shapes than the statement cache holds (run-id lists of every
 * length from 1 to 100): cached statements are replaced, results stay right. */
static void test_many_query_shapes(void **state) {
  fixture *f = *state;
  store_error err;
  enum { N = 100 };
  const char *ids[N];
  for (int i = 0; i < N; i++) {
    store_run *r = make_run(f->a, "j", STORE_RUN_SUCCESS, i + 1, NULL);
    ADD_RUN(f->s, r);
    ids[i] = r->run_id;
  }
  for (int round = 0; round < 2; round++) {
    for (size_t k = 1; k <= N; k++) {
      size_t n;
      store_runs_filter flt = {.run_ids = ids, .n_run_ids = k};
      store_run *runs = store_runs_list(f->s, &flt, NULL, -1, f->a, &n, &err);
      assert_int_equal(n, k);
      assert_string_equal(runs[0].run_id, ids[k - 1]);
      assert_string_equal(runs[k - 1].run_id, ids[0]);
      assert_int_equal(store_runs_count(f->s, &flt, &err), (int64_t)k);
    }
  }
}

/* ---- tags ---- */

static void test_tag_keys_and_values(void **state) {
  fixture *f = *state;
  store_error err;
  size_t n;
  assert_null(store_tag_keys(f->s, f->a, &n, &err));
  assert_int_equal(n, 0);
  ADD_RUN(f->s, make_run(f->a, "j", STORE_RUN_SUCCESS, 1, "team", "alpha", "env", "prod", NULL));
  ADD_RUN(f->s, make_run(f->a, "j", STORE_RUN_SUCCESS, 2, "team", "alpine", "env", "dev", NULL));
  ADD_RUN(f->s, make_run(f->a, "j", STORE_RUN_SUCCESS, 3, "team", "beta", "zone", "al", NULL));
  ADD_RUN(f->s, make_run(f->a, "j", STORE_RUN_SUCCESS, 4, "team", "alpha", NULL));

  const char *const *keys = store_tag_keys(f->s, f->a, &n, &err);
  assert_int_equal(n, 3);
  assert_string_equal(keys[0], "env");
  assert_string_equal(keys[1], "team");
  assert_string_equal(keys[2], "zone");

  static const char *const all_pairs[][2] = {{"env", "dev"},    {"env", "prod"},
                                             {"team", "alpha"}, {"team", "alpine"},
                                             {"team", "beta"},  {"zone", "al"}};
  store_tag *t = store_tags(f->s, NULL, 0, NULL, -1, f->a, &n, &err);
  assert_int_equal(n, 6);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(t[i].key, all_pairs[i][0]);
    assert_string_equal(t[i].value, all_pairs[i][1]);
  }
  t = store_tags(f->s, NULL, 0, NULL, 3, f->a, &n, &err);
  assert_int_equal(n, 3);
  assert_string_equal(t[2].value, "alpha");

  /* Keys given in any order, repeated, or unknown. */
  const char *want[] = {"zone", "team", "nope", "team"};
  t = store_tags(f->s, want, 4, NULL, -1, f->a, &n, &err);
  assert_int_equal(n, 4);
  assert_string_equal(t[0].key, "team");
  assert_string_equal(t[3].key, "zone");

  /* Prefix: case-sensitive, on values. */
  t = store_tags(f->s, NULL, 0, "al", -1, f->a, &n, &err);
  assert_int_equal(n, 3);
  assert_string_equal(t[0].value, "alpha");
  assert_string_equal(t[1].value, "alpine");
  assert_string_equal(t[2].key, "zone");
  t = store_tags(f->s, want, 2, "alp", 1, f->a, &n, &err);
  assert_int_equal(n, 1);
  assert_string_equal(t[0].value, "alpha");
  store_tags(f->s, NULL, 0, "AL", -1, f->a, &n, &err);
  assert_int_equal(n, 0);
  store_tags(f->s, NULL, 0, "", -1, f->a, &n, &err);
  assert_int_equal(n, 6);
}

static void test_add_tags(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1000, "a", "1", "b", "2", NULL);
  ADD_RUN(f->s, r);
  store_tag more[] = {{"b", "changed"}, {"c", "3"}};
  assert_int_equal(store_run_add_tags(f->s, r->run_id, more, 2, &err), 0);
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_int_equal(g->n_tags, 3);
  assert_string_equal(g->tags[0].value, "1");
  assert_string_equal(g->tags[1].value, "changed");
  assert_string_equal(g->tags[2].key, "c");
  assert_true(g->update_time > 1000); /* now */
  store_tag changed[] = {{"b", "changed"}};
  size_t n;
  store_runs_list(f->s, &((store_runs_filter){.tags = changed, .n_tags = 1}), NULL, -1, f->a, &n,
                  &err);
  assert_int_equal(n, 1);
  assert_int_equal(store_run_add_tags(f->s, "nope", more, 2, &err), -1);
  assert_string_equal(err.message, "Run nope was not found in instance.");
  store_tag bad[] = {{"k", NULL}};
  assert_int_equal(store_run_add_tags(f->s, r->run_id, bad, 1, &err), -1);
}

static void test_run_tag(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1000, ".dagster/hidden", "h", "a", "1",
                          "dagster/max_runtime", "60", "z", "26", "m", "", NULL);
  ADD_RUN(f->s, r);
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_int_equal(g->n_tags, 5);
  /* Every key found wherever it sorts: first, middle, last. */
  assert_string_equal(store_run_tag(g, ".dagster/hidden"), "h");
  assert_string_equal(store_run_tag(g, "a"), "1");
  assert_string_equal(store_run_tag(g, "dagster/max_runtime"), "60");
  assert_string_equal(store_run_tag(g, "m"), "");
  assert_string_equal(store_run_tag(g, "z"), "26");
  /* Keys that are absent, or only a prefix of one. */
  assert_null(store_run_tag(g, "dagster/max"));
  assert_null(store_run_tag(g, "b"));
  assert_null(store_run_tag(g, "zz"));
  assert_null(store_run_tag(g, ""));
  assert_null(store_run_tag(g, NULL));
  assert_null(store_run_tag(NULL, "a"));
  store_run none = {.n_tags = 0};
  assert_null(store_run_tag(&none, "a"));
}

/* ---- run groups ---- */

static void test_run_group(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *root = make_run(f->a, "j", STORE_RUN_FAILURE, 1, NULL);
  store_run *child = make_run(f->a, "j", STORE_RUN_FAILURE, 2, NULL);
  store_run *other = make_run(f->a, "j", STORE_RUN_SUCCESS, 3, NULL);
  store_run *grandchild = make_run(f->a, "j", STORE_RUN_SUCCESS, 4, NULL);
  child->parent_run_id = child->root_run_id = root->run_id;
  grandchild->parent_run_id = child->run_id;
  grandchild->root_run_id = root->run_id;
  ADD_RUN(f->s, root);
  ADD_RUN(f->s, child);
  ADD_RUN(f->s, other);
  ADD_RUN(f->s, grandchild);

  const char *from[] = {root->run_id, child->run_id, grandchild->run_id};
  for (int i = 0; i < 3; i++) {
    size_t n;
    const char *root_id = NULL;
    store_run *g = store_run_group(f->s, from[i], &root_id, f->a, &n, &err);
    assert_non_null(g);
    assert_string_equal(root_id, root->run_id);
    assert_int_equal(n, 3);
    assert_string_equal(g[0].run_id, root->run_id);
    assert_string_equal(g[1].run_id, child->run_id);
    assert_string_equal(g[2].run_id, grandchild->run_id);
  }
  size_t n;
  const char *root_id;
  store_run *alone = store_run_group(f->s, other->run_id, &root_id, f->a, &n, &err);
  assert_int_equal(n, 1);
  assert_string_equal(alone[0].run_id, other->run_id);
  assert_string_equal(root_id, other->run_id);

  assert_null(store_run_group(f->s, "nope", &root_id, f->a, &n, &err));
  assert_string_equal(err.message, "");
  assert_null(root_id);

  /* With its root gone, a group cannot be formed (Dagster's message). */
  assert_int_equal(store_run_delete(f->s, root->run_id, NULL, &err), 0);
  assert_null(store_run_group(f->s, child->run_id, &root_id, f->a, &n, &err));
  assert_string_equal(err.message,
                      arena_printf(f->a,
                                   "Run id %s set as root run id for run %s was not found in "
                                   "instance.",
                                   root->run_id, child->run_id));
}

/* ---- events ---- */

static int64_t append(fixture *f, const char *run_id, const char *type, double ts,
                      const char *message) {
  store_event ev = {.timestamp = ts, .event_type = type, .level = 20, .message = message};
  snprintf(ev.run_id, sizeof ev.run_id, "%s", run_id);
  store_error err;
  int64_t id = store_event_append(f->s, &ev, &err);
  if (id <= 0)
    fail_msg("store_event_append: %s", err.message);
  return id;
}

static void test_events_paging(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  store_run *other = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  ADD_RUN(f->s, r);
  ADD_RUN(f->s, other);
  int64_t ids[7];
  for (int i = 0; i < 7; i++) {
    ids[i] =
        append(f, r->run_id, i % 2 ? "STEP_START" : NULL, 100 + i, arena_printf(f->a, "m%d", i));
    append(f, other->run_id, "ENGINE_EVENT", 1, "interleaved");
    assert_true(i == 0 || ids[i] > ids[i - 1]);
  }
  assert_int_equal(store_events_last_id(f->s, r->run_id, &err), ids[6]);

  size_t n;
  bool more;
  store_event *e = store_events(f->s, r->run_id, 0, 3, f->a, &n, &more, &err);
  assert_int_equal(n, 3);
  assert_true(more);
  assert_int_equal(e[0].id, ids[0]);
  assert_string_equal(e[0].run_id, r->run_id);
  assert_null(e[0].event_type);
  assert_string_equal(e[1].event_type, "STEP_START");
  assert_string_equal(e[2].message, "m2");
  assert_true(e[2].timestamp == 102);
  assert_int_equal(e[2].level, 20);
  e = store_events(f->s, r->run_id, e[2].id, 3, f->a, &n, &more, &err);
  assert_int_equal(n, 3);
  assert_true(more);
  assert_int_equal(e[0].id, ids[3]);
  e = store_events(f->s, r->run_id, e[2].id, 3, f->a, &n, &more, &err);
  assert_int_equal(n, 1);
  assert_false(more);
  assert_int_equal(e[0].id, ids[6]);
  /* Exactly the rest: no more after it. */
  store_events(f->s, r->run_id, ids[3], 3, f->a, &n, &more, &err);
  assert_int_equal(n, 3);
  assert_false(more);
  store_events(f->s, r->run_id, 0, -1, f->a, &n, &more, &err);
  assert_int_equal(n, 7);
  assert_false(more);
  store_events(f->s, r->run_id, ids[6], -1, f->a, &n, &more, &err);
  assert_int_equal(n, 0);

  /* Every field round-trips. */
  store_event full = {.timestamp = 5.25,
                      .event_type = "STEP_OUTPUT",
                      .level = 10,
                      .step_key = "op_a",
                      .message = "out",
                      .body = "{\"x\": 1}"};
  strcpy(full.run_id, other->run_id);
  int64_t id = store_event_append(f->s, &full, &err);
  e = store_events(f->s, other->run_id, id - 1, -1, f->a, &n, &more, &err);
  assert_int_equal(n, 1);
  assert_int_equal(e[0].id, id);
  assert_string_equal(e[0].step_key, "op_a");
  assert_string_equal(e[0].body, "{\"x\": 1}");
  assert_int_equal(e[0].level, 10);
  assert_true(e[0].timestamp == 5.25);

  /* Unknown runs: reading is empty, appending is an error. */
  assert_null(store_events(f->s, "nope", 0, -1, f->a, &n, &more, &err));
  assert_int_equal(n, 0);
  assert_string_equal(err.message, "");
  assert_int_equal(store_events_last_id(f->s, "nope", &err), 0);
  strcpy(full.run_id, "nope");
  assert_int_equal(store_event_append(f->s, &full, &err), -1);
  assert_string_equal(err.message, "Run nope was not found in instance.");
}

static void test_event_last_of_type(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *r = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  store_run *other = make_run(f->a, "j", STORE_RUN_STARTED, 1, NULL);
  ADD_RUN(f->s, r);
  ADD_RUN(f->s, other);
  append(f, r->run_id, "ENGINE_EVENT", 100, "first");
  int64_t first = append(f, r->run_id, "STEP_START", 101, "s1");
  assert_null(store_event_last_of_type(f->s, r->run_id, "RUN_CANCELING", f->a, &err));
  assert_string_equal(err.message, ""); /* none yet: not an error */
  int64_t mine = append(f, r->run_id, "RUN_CANCELING", 102, "why");
  /* Newer events of other types, of other runs, and plain messages after it. */
  append(f, other->run_id, "RUN_CANCELING", 103, "not this run");
  append(f, r->run_id, NULL, 104, "a log line");
  append(f, r->run_id, "STEP_START", 105, "s2");

  store_event *e = store_event_last_of_type(f->s, r->run_id, "RUN_CANCELING", f->a, &err);
  assert_non_null(e);
  assert_int_equal(e->id, mine);
  assert_string_equal(e->run_id, r->run_id);
  assert_string_equal(e->event_type, "RUN_CANCELING");
  assert_string_equal(e->message, "why");
  assert_true(e->timestamp == 102);
  assert_int_equal(e->level, 20);
  assert_null(e->step_key);
  /* The newest of several. */
  e = store_event_last_of_type(f->s, r->run_id, "STEP_START", f->a, &err);
  assert_int_equal(e->id, mine + 3);
  assert_string_equal(e->message, "s2");
  assert_true(e->id > first);
  e = store_event_last_of_type(f->s, other->run_id, "RUN_CANCELING", f->a, &err);
  assert_string_equal(e->message, "not this run");

  /* An unknown run has none; a missing type or run id is an error. */
  assert_null(store_event_last_of_type(f->s, "nope", "RUN_CANCELING", f->a, &err));
  assert_string_equal(err.message, "");
  assert_null(store_event_last_of_type(f->s, r->run_id, NULL, f->a, &err));
  assert_string_equal(err.message, "An event type is required.");
  assert_null(store_event_last_of_type(f->s, NULL, "RUN_CANCELING", f->a, &err));
  assert_string_not_equal(err.message, "");
}

static void expect_status(fixture *f, const char *run_id, store_run_status status, double update,
                          double start, double end) {
  store_error err;
  store_run *g = store_run_get(f->s, run_id, f->a, &err);
  assert_non_null(g);
  assert_string_equal(store_run_status_name(g->status), store_run_status_name(status));
  assert_true(g->update_time == update);
  assert_true(g->start_time == start);
  assert_true(g->end_time == end);
}

/* A run of job "j" created at 10 with the given status, then the events
 * (types, ending with NULL) appended one a second from `first`. */
__attribute__((sentinel)) static store_run *run_with_events(fixture *f, store_run_status status,
                                                            double first, ...) {
  store_run *r = make_run(f->a, "j", status, 10, NULL);
  ADD_RUN(f->s, r);
  va_list ap;
  va_start(ap, first);
  for (const char *type; (type = va_arg(ap, const char *)); first++)
    append(f, r->run_id, type, first, NULL);
  va_end(ap);
  return r;
}

static void test_status_changes_from_events(void **state) {
  fixture *f = *state;
  store_run *r = make_run(f->a, "j", STORE_RUN_NOT_STARTED, 10, NULL);
  ADD_RUN(f->s, r);
  append(f, r->run_id, "RUN_ENQUEUED", 11, NULL);
  expect_status(f, r->run_id, STORE_RUN_QUEUED, 11, 0, 0);
  append(f, r->run_id, "RUN_DEQUEUED", 12, NULL); /* changes nothing */
  expect_status(f, r->run_id, STORE_RUN_QUEUED, 11, 0, 0);
  append(f, r->run_id, "RUN_STARTING", 13, NULL);
  expect_status(f, r->run_id, STORE_RUN_STARTING, 13, 0, 0);
  append(f, r->run_id, "RUN_START", 14, NULL);
  expect_status(f, r->run_id, STORE_RUN_STARTED, 14, 14, 0);
  append(f, r->run_id, "STEP_START", 15, NULL);
  append(f, r->run_id, "PIPELINE_SUCCESS", 15, NULL); /* legacy names are not stored by dagd */
  expect_status(f, r->run_id, STORE_RUN_STARTED, 14, 14, 0);
  append(f, r->run_id, "RUN_SUCCESS", 16, NULL);
  expect_status(f, r->run_id, STORE_RUN_SUCCESS, 16, 14, 16);

  store_run *failing =
      run_with_events(f, STORE_RUN_NOT_STARTED, 20, "RUN_START", "RUN_FAILURE", NULL);
  expect_status(f, failing->run_id, STORE_RUN_FAILURE, 21, 20, 21);

  store_run *canceled = make_run(f->a, "j", STORE_RUN_QUEUED, 10, NULL);
  ADD_RUN(f->s, canceled);
  append(f, canceled->run_id, "RUN_CANCELING", 30, NULL);
  expect_status(f, canceled->run_id, STORE_RUN_CANCELING, 30, 0, 0);
  append(f, canceled->run_id, "RUN_CANCELED", 31, NULL);
  expect_status(f, canceled->run_id, STORE_RUN_CANCELED, 31, 0, 31);

  /* The status filter sees the new statuses. */
  store_error err;
  store_run_status finished[] = {STORE_RUN_SUCCESS, STORE_RUN_FAILURE, STORE_RUN_CANCELED};
  assert_int_equal(
      store_runs_count(f->s, &((store_runs_filter){.statuses = finished, .n_statuses = 3}), &err),
      3);
}

/* A finished run keeps its status and times whatever events come late
 * (a terminate racing the worker's end, a worker started twice); the
 * events themselves are still logged. */
static void test_finished_run_status_is_final(void **state) {
  fixture *f = *state;
  store_error err;
  store_run *done = run_with_events(f, STORE_RUN_NOT_STARTED, 11, "RUN_START", "RUN_SUCCESS",
                                    "RUN_CANCELING", "RUN_CANCELED", "RUN_FAILURE", NULL);
  expect_status(f, done->run_id, STORE_RUN_SUCCESS, 12, 11, 12);

  store_run *canceled = run_with_events(f, STORE_RUN_QUEUED, 20, "RUN_CANCELING", "RUN_CANCELED",
                                        "RUN_STARTING", "RUN_START", "RUN_SUCCESS", NULL);
  expect_status(f, canceled->run_id, STORE_RUN_CANCELED, 21, 0, 21);

  store_run *failed =
      run_with_events(f, STORE_RUN_NOT_STARTED, 30, "RUN_FAILURE", "RUN_START", NULL);
  expect_status(f, failed->run_id, STORE_RUN_FAILURE, 30, 0, 30);

  /* Every late event is in the log all the same. */
  size_t n;
  bool more;
  store_event *evs = store_events(f->s, canceled->run_id, 0, -1, f->a, &n, &more, &err);
  assert_int_equal(n, 5);
  assert_string_equal(evs[4].event_type, "RUN_SUCCESS");
  store_events(f->s, done->run_id, 0, -1, f->a, &n, &more, &err);
  assert_int_equal(n, 5);

  /* A run that is not finished still moves: CANCELING is not final. */
  store_run *canceling =
      run_with_events(f, STORE_RUN_STARTED, 40, "RUN_CANCELING", "RUN_SUCCESS", NULL);
  expect_status(f, canceling->run_id, STORE_RUN_SUCCESS, 41, 0, 41);
}

/* ---- snapshots ---- */

static void test_snapshots(void **state) {
  fixture *f = *state;
  store_error err;
  size_t len = 99;
  strcpy(err.message, "stale");
  assert_null(store_snapshot_get(f->s, "s1", f->a, &len, &err));
  assert_string_equal(err.message, "");
  assert_int_equal(len, 0);

  const char text[] = "{\"snap\": \"shot\"}";
  assert_int_equal(store_snapshot_put(f->s, "s1", text, strlen(text), &err), 0);
  /* A second put of the same id keeps the first text. */
  assert_int_equal(store_snapshot_put(f->s, "s1", "other", 5, &err), 0);
  char *got = store_snapshot_get(f->s, "s1", f->a, &len, &err);
  assert_string_equal(got, text);
  assert_int_equal(len, strlen(text));

  /* Bytes are kept as given, NULs included; empty text is a snapshot too. */
  const char bin[] = {'a', '\0', 'b'};
  assert_int_equal(store_snapshot_put(f->s, "bin", bin, 3, &err), 0);
  got = store_snapshot_get(f->s, "bin", f->a, &len, &err);
  assert_int_equal(len, 3);
  assert_memory_equal(got, bin, 3);
  assert_int_equal(got[3], '\0');
  assert_int_equal(store_snapshot_put(f->s, "empty", "", 0, &err), 0);
  got = store_snapshot_get(f->s, "empty", f->a, &len, &err);
  assert_non_null(got);
  assert_int_equal(len, 0);
  assert_int_equal(store_snapshot_put(f->s, "x", NULL, 0, &err), -1);
}

/* ---- daemon heartbeats ---- */

/* Claims the "dagd daemon" heartbeat for id at now (3 s staleness);
 * whether it was claimed. */
static bool claim_heartbeat(fixture *f, const char *id, double now) {
  store_error err;
  bool claimed = !now; /* overwritten either way */
  if (store_daemon_heartbeat(f->s, "dagd daemon", id, now, 3, &claimed, &err) != 0)
    fail_msg("store_daemon_heartbeat: %s", err.message);
  return claimed;
}

/* The "dagd daemon" row must be (id, when). */
static void expect_heartbeat(fixture *f, const char *id, double when) {
  store_error err;
  const char *got = NULL;
  double at = -1;
  bool found = false;
  assert_int_equal(store_daemon_heartbeat_get(f->s, "dagd daemon", f->a, &got, &at, &found, &err),
                   0);
  assert_true(found);
  assert_string_equal(got, id);
  assert_true(at == when);
}

static void test_daemon_heartbeats(void **state) {
  fixture *f = *state;
  store_error err;
  const char *id = "x";
  double when = -1;
  bool found = true;
  /* None yet: not an error. */
  assert_int_equal(store_daemon_heartbeat_get(f->s, "dagd daemon", f->a, &id, &when, &found, &err),
                   0);
  assert_false(found);
  assert_null(id);
  assert_true(when == 0);

  /* No row: the first claim wins; rows of other types are apart. */
  assert_true(claim_heartbeat(f, "host:1:aa", 1000.5));
  bool claimed = false;
  assert_int_equal(store_daemon_heartbeat(f->s, "other", "host:2:bb", 7, 3, &claimed, &err), 0);
  assert_true(claimed);
  expect_heartbeat(f, "host:1:aa", 1000.5);

  /* A fresh row is its owner's: another daemon is refused and changes
   * nothing, even at the very limit of the staleness; the owner renews. */
  assert_false(claim_heartbeat(f, "host:3:cc", 1002));
  expect_heartbeat(f, "host:1:aa", 1000.5);
  assert_true(claim_heartbeat(f, "host:1:aa", 1001));
  expect_heartbeat(f, "host:1:aa", 1001);
  assert_false(claim_heartbeat(f, "host:3:cc", 1004));
  expect_heartbeat(f, "host:1:aa", 1001);

  /* Older than the limit: taken over; the old owner is then refused. */
  assert_true(claim_heartbeat(f, "host:3:cc", 1004.5));
  expect_heartbeat(f, "host:3:cc", 1004.5);
  assert_false(claim_heartbeat(f, "host:1:aa", 1005));
  expect_heartbeat(f, "host:3:cc", 1004.5);
  /* A claimer whose clock is behind the row's never takes it. */
  assert_false(claim_heartbeat(f, "host:4:dd", 900));

  /* Clearing (now = 0) lands only on one's own row. */
  assert_false(claim_heartbeat(f, "host:1:aa", 0));
  expect_heartbeat(f, "host:3:cc", 1004.5);
  assert_true(claim_heartbeat(f, "host:3:cc", 0));
  expect_heartbeat(f, "host:3:cc", 0);
  /* A cleared row is free for anyone. */
  assert_true(claim_heartbeat(f, "host:1:aa", 1006));
  expect_heartbeat(f, "host:1:aa", 1006);

  /* One row per type. */
  assert_int_equal(raw_int(f, "SELECT count(*) FROM daemon_heartbeats"), 2);
  assert_int_equal(store_daemon_heartbeat_get(f->s, "other", f->a, &id, &when, &found, &err), 0);
  assert_string_equal(id, "host:2:bb");

  /* Out-pointers are optional; missing arguments are errors and claim
   * nothing. */
  assert_int_equal(store_daemon_heartbeat(f->s, "other", "host:2:bb", 8, 3, NULL, &err), 0);
  assert_int_equal(store_daemon_heartbeat_get(f->s, "other", f->a, NULL, NULL, NULL, &err), 0);
  claimed = true;
  assert_int_equal(store_daemon_heartbeat(f->s, NULL, "id", 1, 3, &claimed, &err), -1);
  assert_false(claimed);
  assert_int_equal(store_daemon_heartbeat(f->s, "t", NULL, 1, 3, &claimed, &err), -1);
  assert_string_equal(err.message, "A daemon heartbeat needs the daemon's id.");
  assert_int_equal(store_daemon_heartbeat(f->s, "t", "id", 1, -1, &claimed, &err), -1);
  assert_string_equal(err.message,
                      "A daemon heartbeat's staleness limit must be 0 or more seconds.");
  assert_int_equal(store_daemon_heartbeat(f->s, "t", "id", 1, NAN, &claimed, &err), -1);
  assert_int_equal(store_daemon_heartbeat(NULL, "t", "id", 1, 3, &claimed, &err), -1);
  assert_false(claimed);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM daemon_heartbeats WHERE daemon_type = 't'"), 0);
  assert_int_equal(store_daemon_heartbeat_get(f->s, NULL, f->a, &id, &when, &found, &err), -1);
  assert_false(found);
}

/* ---- runs executed by `dagd worker` ---- */

static void offer_run(fixture *f, const char *run_id, double now) {
  store_error err;
  if (store_worker_offer(f->s, run_id, now, &err) != 0)
    fail_msg("store_worker_offer: %s", err.message);
}

/* Claims for worker; the run id taken, or "" when nothing was offered. */
static const char *take_offer(fixture *f, const char *worker, char run_id[37]) {
  store_error err;
  bool found = true;
  if (store_worker_claim(f->s, worker, 100, run_id, &found, &err) != 0)
    fail_msg("store_worker_claim: %s", err.message);
  assert_int_equal(found, run_id[0] != '\0');
  return run_id;
}

/* A STARTING run (as launched) offered at time `at`. */
static store_run *offered_run(fixture *f, double at) {
  store_run *r = make_run(f->a, "etl", STORE_RUN_STARTING, 1, "owner", "ops", NULL);
  ADD_RUN(f->s, r);
  offer_run(f, r->run_id, at);
  return r;
}

static void test_worker_claims_oldest_offer_first(void **state) {
  fixture *f = *state;
  char id[37];
  assert_string_equal(take_offer(f, "w1", id), "");
  /* Offering order, not creation order, decides. */
  store_run *later = make_run(f->a, "etl", STORE_RUN_STARTING, 1, NULL);
  store_run *sooner = make_run(f->a, "etl", STORE_RUN_STARTING, 2, NULL);
  ADD_RUN(f->s, later);
  ADD_RUN(f->s, sooner);
  offer_run(f, sooner->run_id, 10);
  offer_run(f, later->run_id, 11);
  store_run *third = offered_run(f, 12);
  assert_string_equal(take_offer(f, "w1", id), sooner->run_id);
  assert_string_equal(take_offer(f, "w2", id), later->run_id);
  assert_string_equal(take_offer(f, "w1", id), third->run_id);
  assert_string_equal(take_offer(f, "w2", id), "");
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers WHERE worker_id = 'w1'"), 2);
  assert_int_equal(raw_int(f, "SELECT max(offered_at) FROM worker_offers"), 12);
  assert_int_equal(raw_int(f, "SELECT min(claimed_at) FROM worker_offers"), 100);
}

static void test_worker_offer_twice_is_claimed_once(void **state) {
  fixture *f = *state;
  char id[37];
  store_run *r = offered_run(f, 5);
  offer_run(f, r->run_id, 6);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers"), 1);
  assert_string_equal(take_offer(f, "w1", id), r->run_id);
  /* Offered again after the claim: still the one offer, already taken. */
  offer_run(f, r->run_id, 7);
  assert_string_equal(take_offer(f, "w2", id), "");
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers"), 1);
  assert_int_equal(raw_int(f, "SELECT offered_at FROM worker_offers"), 5);
}

static void test_worker_claim_tags_the_run(void **state) {
  fixture *f = *state;
  store_error err;
  char id[37];
  store_run *r = offered_run(f, 5);
  double before = store_run_get(f->s, r->run_id, f->a, &err)->update_time;
  assert_string_equal(take_offer(f, "host-a:4242", id), r->run_id);
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_non_null(g);
  assert_string_equal(store_run_tag(g, STORE_TAG_WORKER), "host-a:4242");
  assert_string_equal(store_run_tag(g, "owner"), "ops");
  assert_int_equal(g->n_tags, 2);
  assert_true(g->update_time > before);
  assert_int_equal(g->status, STORE_RUN_STARTING);
  /* The worker tag is a tag like any other: the runs filter finds it. */
  store_tag tag = {STORE_TAG_WORKER, "host-a:4242"};
  store_runs_filter flt = {.tags = &tag, .n_tags = 1};
  assert_int_equal(store_runs_count(f->s, &flt, &err), 1);
}

static void test_worker_claim_drops_runs_no_longer_starting(void **state) {
  fixture *f = *state;
  store_error err;
  char id[37];
  store_run *canceled = offered_run(f, 1);
  store_event ev = {.event_type = "RUN_CANCELED", .level = 20, .message = "canceled"};
  strcpy(ev.run_id, canceled->run_id);
  assert_true(store_event_append(f->s, &ev, &err) > 0);
  store_run *failed = make_run(f->a, "etl", STORE_RUN_FAILURE, 1, NULL);
  ADD_RUN(f->s, failed);
  offer_run(f, failed->run_id, 2);
  store_run *live = offered_run(f, 3);
  assert_string_equal(take_offer(f, "w1", id), live->run_id);
  assert_string_equal(take_offer(f, "w1", id), "");
  /* Dropped offers are marked '' and their runs left untouched. */
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers WHERE worker_id = ''"), 2);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers WHERE worker_id IS NULL"), 0);
  store_run *g = store_run_get(f->s, canceled->run_id, f->a, &err);
  assert_null(store_run_tag(g, STORE_TAG_WORKER));
  assert_int_equal(g->status, STORE_RUN_CANCELED);
  g = store_run_get(f->s, failed->run_id, f->a, &err);
  assert_null(store_run_tag(g, STORE_TAG_WORKER));
  /* A run offered while still queued is dropped too. */
  store_run *queued = make_run(f->a, "etl", STORE_RUN_QUEUED, 1, NULL);
  ADD_RUN(f->s, queued);
  offer_run(f, queued->run_id, 4);
  assert_string_equal(take_offer(f, "w1", id), "");
}

static void test_worker_offer_goes_with_its_run(void **state) {
  fixture *f = *state;
  char id[37];
  store_run *gone = offered_run(f, 1);
  store_run *kept = offered_run(f, 2);
  bool found = false;
  store_error err;
  assert_int_equal(store_run_delete(f->s, gone->run_id, &found, &err), 0);
  assert_true(found);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers"), 1);
  assert_string_equal(take_offer(f, "w1", id), kept->run_id);
  assert_string_equal(take_offer(f, "w1", id), "");
  /* A claimed offer goes with its run as well. */
  assert_int_equal(store_run_delete(f->s, kept->run_id, &found, &err), 0);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers"), 0);
}

static void test_worker_refuses_invalid_calls(void **state) {
  fixture *f = *state;
  store_error err;
  char id[37] = "x";
  bool found = true;
  assert_int_equal(store_worker_offer(f->s, "nope", 1, &err), -1);
  assert_string_equal(err.message, "Run nope was not found in instance.");
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers"), 0);
  assert_int_equal(store_worker_offer(f->s, NULL, 1, &err), -1);
  assert_int_equal(store_worker_offer(NULL, "nope", 1, &err), -1);
  assert_string_equal(err.message, "No store is open.");
  store_run *r = offered_run(f, 1);
  assert_int_equal(store_worker_claim(f->s, NULL, 1, id, &found, &err), -1);
  assert_false(found);
  assert_string_equal(id, "");
  found = true;
  assert_int_equal(store_worker_claim(f->s, "w1", 1, NULL, &found, &err), -1);
  assert_string_equal(err.message, "A worker claim needs somewhere to put the run id.");
  assert_false(found);
  /* Nothing was taken by the refused calls; found may be left out. */
  assert_int_equal(store_worker_claim(f->s, "w1", 1, id, NULL, &err), 0);
  assert_string_equal(id, r->run_id);
}

/* Releases run_id for worker; whether it was released. Fails the test on
 * a store error. */
static bool release(fixture *f, const char *run_id, const char *worker) {
  store_error err;
  bool released = false;
  if (store_worker_release(f->s, run_id, worker, &released, &err) != 0)
    fail_msg("store_worker_release: %s", err.message);
  return released;
}

/* A worker host that claimed a run and could not start it gives it back:
 * the run waits again, ahead of offers made after it (its offering place
 * is kept), without the worker tag, and another worker claims it. */
static void test_worker_release_offers_the_run_again(void **state) {
  fixture *f = *state;
  store_error err;
  char id[37];
  store_run *r = offered_run(f, 1);
  assert_string_equal(take_offer(f, "w1", id), r->run_id);
  store_run *later = offered_run(f, 2);
  assert_true(release(f, r->run_id, "w1"));
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_null(store_run_tag(g, STORE_TAG_WORKER));
  assert_string_equal(store_run_tag(g, "owner"), "ops");
  assert_int_equal(g->n_tags, 1);
  assert_int_equal(g->status, STORE_RUN_STARTING);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers WHERE claimed_at IS NULL"), 2);
  /* Released twice: the second finds the offer no longer w1's. */
  assert_false(release(f, r->run_id, "w1"));
  assert_string_equal(take_offer(f, "w2", id), r->run_id);
  g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_string_equal(store_run_tag(g, STORE_TAG_WORKER), "w2");
  assert_string_equal(take_offer(f, "w1", id), later->run_id);
  assert_string_equal(take_offer(f, "w1", id), "");
}

/* Only the claiming worker's release counts, and only while the run is
 * STARTING: another worker's, one for an offer nobody claimed, one for a
 * run never offered and one for a run canceled meanwhile change nothing.
 * An unknown run is an error; so are missing ids. */
static void test_worker_release_refusals(void **state) {
  fixture *f = *state;
  store_error err;
  char id[37];
  store_run *r = offered_run(f, 1);
  assert_false(release(f, r->run_id, "w1")); /* not claimed yet */
  assert_string_equal(take_offer(f, "w1", id), r->run_id);
  assert_false(release(f, r->run_id, "w2"));
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_string_equal(store_run_tag(g, STORE_TAG_WORKER), "w1");
  assert_string_equal(take_offer(f, "w2", id), "");

  store_run *never = make_run(f->a, "etl", STORE_RUN_STARTING, 1, NULL);
  ADD_RUN(f->s, never);
  assert_false(release(f, never->run_id, "w1"));
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers"), 1);

  store_event ev = {.event_type = "RUN_CANCELED", .level = 20, .message = "canceled"};
  strcpy(ev.run_id, r->run_id);
  assert_true(store_event_append(f->s, &ev, &err) > 0);
  assert_false(release(f, r->run_id, "w1"));
  g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_string_equal(store_run_tag(g, STORE_TAG_WORKER), "w1");
  assert_int_equal(g->status, STORE_RUN_CANCELED);
  assert_string_equal(take_offer(f, "w2", id), "");

  bool released = true;
  assert_int_equal(store_worker_release(f->s, "nope", "w1", &released, &err), -1);
  assert_string_equal(err.message, "Run nope was not found in instance.");
  assert_false(released);
  released = true;
  assert_int_equal(store_worker_release(f->s, r->run_id, NULL, &released, &err), -1);
  assert_false(released);
  assert_int_equal(store_worker_release(f->s, NULL, "w1", NULL, &err), -1);
  assert_int_equal(store_worker_release(NULL, r->run_id, "w1", NULL, &err), -1);
  assert_string_equal(err.message, "No store is open.");
  /* released may be left out. */
  assert_int_equal(store_worker_release(f->s, r->run_id, "w1", NULL, &err), 0);
}

enum { OFFER_CLAIMERS = 6, OFFERED_RUNS = 200 };

typedef struct offer_claimer {
  store *s;
  char worker[16];
  pthread_barrier_t *start;
  char (*taken)[37]; /* OFFERED_RUNS slots */
  size_t n;
  char error[600];
} offer_claimer;

/* Claims until nothing is left. */
static void *offer_claimer_main(void *p) {
  offer_claimer *c = p;
  pthread_barrier_wait(c->start);
  for (;;) {
    store_error err;
    bool found;
    char id[37];
    if (store_worker_claim(c->s, c->worker, 100, id, &found, &err) != 0) {
      snprintf(c->error, sizeof c->error, "%s", err.message);
      break;
    }
    if (!found)
      break;
    if (c->n == OFFERED_RUNS) {
      snprintf(c->error, sizeof c->error, "more claims than offers");
      break;
    }
    memcpy(c->taken[c->n++], id, 37);
  }
  return NULL;
}

static int compare_ids(const void *x, const void *y) { return strcmp(x, y); }

/* Claimers on six threads (each its own connection) empty 200 offers:
 * every run goes to exactly one of them, tagged with that one's id. */
static void test_worker_claims_under_6_threads(void **state) {
  fixture *f = *state;
  store_error err;
  char(*offered)[37] = arena_alloc(f->a, OFFERED_RUNS * 37);
  for (int i = 0; i < OFFERED_RUNS; i++)
    memcpy(offered[i], offered_run(f, i)->run_id, 37);
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, OFFER_CLAIMERS);
  offer_claimer claimers[OFFER_CLAIMERS];
  pthread_t threads[OFFER_CLAIMERS];
  for (int i = 0; i < OFFER_CLAIMERS; i++) {
    claimers[i] = (offer_claimer){.s = f->s, .start = &start};
    snprintf(claimers[i].worker, sizeof claimers[i].worker, "w%d", i);
    claimers[i].taken = arena_alloc(f->a, OFFERED_RUNS * 37);
    assert_int_equal(pthread_create(&threads[i], NULL, offer_claimer_main, &claimers[i]), 0);
  }
  for (int i = 0; i < OFFER_CLAIMERS; i++)
    pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&start);
  char(*all)[37] = arena_alloc(f->a, OFFERED_RUNS * OFFER_CLAIMERS * 37);
  size_t n = 0;
  for (int i = 0; i < OFFER_CLAIMERS; i++) {
    assert_string_equal(claimers[i].error, "");
    for (size_t j = 0; j < claimers[i].n; j++) {
      store_run *g = store_run_get(f->s, claimers[i].taken[j], f->a, &err);
      assert_string_equal(store_run_tag(g, STORE_TAG_WORKER), claimers[i].worker);
      memcpy(all[n++], claimers[i].taken[j], 37);
    }
  }
  assert_int_equal(n, OFFERED_RUNS);
  qsort(all, n, 37, compare_ids);
  qsort(offered, OFFERED_RUNS, 37, compare_ids);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(all[i], offered[i]);
  assert_int_equal(raw_int(f, "SELECT count(*) FROM worker_offers WHERE worker_id IS NULL"), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, backend_setup, backend_teardown)

int main(void) {
  const struct CMUnitTest helpers[] = {
      cmocka_unit_test(test_status_names),
      cmocka_unit_test(test_new_run_id_is_uuid4),
  };
  const struct CMUnitTest tests[] = {
      T(test_add_and_get_every_field),
      T(test_add_refuses_invalid_runs),
      T(test_get_unknown_run_is_not_an_error),
      T(test_delete_takes_tags_and_events),
      T(test_set_worker_claims_once),
      T(test_each_filter_field),
      T(test_filters_combined),
      T(test_ordering_and_cursor_paging),
      T(test_many_query_shapes),
      T(test_tag_keys_and_values),
      T(test_add_tags),
      T(test_run_tag),
      T(test_run_group),
      T(test_events_paging),
      T(test_event_last_of_type),
      T(test_status_changes_from_events),
      T(test_finished_run_status_is_final),
      T(test_snapshots),
      T(test_daemon_heartbeats),
      T(test_worker_claims_oldest_offer_first),
      T(test_worker_offer_twice_is_claimed_once),
      T(test_worker_claim_tags_the_run),
      T(test_worker_claim_drops_runs_no_longer_starting),
      T(test_worker_offer_goes_with_its_run),
      T(test_worker_refuses_invalid_calls),
      T(test_worker_release_offers_the_run_again),
      T(test_worker_release_refusals),
      T(test_worker_claims_under_6_threads),
  };
  int failed = cmocka_run_group_tests_name("helpers", helpers, NULL, NULL);
  current = &sqlite_backend;
  failed += cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
  if (pg_url()) {
    current = &postgres_backend;
    failed += cmocka_run_group_tests_name("postgres", tests, NULL, NULL);
  } else {
    fprintf(stderr, "postgres: skipped (no test server: DAGD_TEST_POSTGRES_URL is not set)\n");
  }
  pg_url_free();
  return failed;
}
