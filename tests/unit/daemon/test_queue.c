/* test_queue.c — unit tests for src/daemon/queue.c.
 *
 * daemon_queue_choose, on runs built here: priorities (the dagster/priority
 * tag, higher first, creation order within a priority, a bad value counts
 * as 0), max_concurrent_runs (a limit, -1 none, 0 nothing, runs in
 * progress counted), and Dagster's three kinds of tag limits (key and
 * value, key alone, per unique value), where a blocked run does not block
 * those after it and the later of two limits on one tag wins.
 *
 * daemon_queue_pass, on a real instance whose run worker is /bin/true (it
 * exits at once, so launched runs stay STARTING, in progress): it launches
 * up to the limit with RUN_DEQUEUED then RUN_STARTING, counts runs in
 * progress in later passes, skips canceled runs and does nothing with a
 * limit of 0; a run deleted while the pass launches it is skipped and the
 * pass goes on. Launched workers are reaped by this process, a child
 * subreaper (home.h). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../run/fixtures/core/home.h"
#include "base/mem.h"
#include "daemon/queue.h"
#include "run/events.h"
#include "run/launch.h"
#include "run/terminate.h"

#include <sqlite3.h>

/* ---- daemon_queue_choose ---- */

/* A run named by its job, with tags given as "key=value" strings. */
static store_run make_run(arena *a, const char *name, const char *const *tags) {
  store_run r = {.job_name = name};
  size_t n = 0;
  while (tags && tags[n])
    n++;
  store_tag *t = arena_alloc(a, (n ? n : 1) * sizeof *t);
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(tags[i], '=');
    t[i].key = arena_strndup(a, tags[i], (size_t)(eq - tags[i]));
    t[i].value = eq + 1;
  }
  r.tags = t;
  r.n_tags = n;
  return r;
}

#define TAGS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The names of the runs chosen, in launch order, comma-separated. */
static const char *choose(arena *a, const run_coordinator_config *cfg, const store_run *running,
                          size_t n_running, const store_run *queued, size_t n_queued) {
  size_t *chosen = arena_alloc(a, (n_queued ? n_queued : 1) * sizeof *chosen);
  size_t n = daemon_queue_choose(cfg, running, n_running, queued, n_queued, chosen);
  buf b;
  buf_init(&b, a);
  buf_printf(&b, "%s", "");
  for (size_t i = 0; i < n; i++) {
    assert_true(chosen[i] < n_queued);
    buf_printf(&b, "%s%s", i ? "," : "", queued[chosen[i]].job_name);
  }
  return buf_cstr(&b);
}

static void test_priority_order(void **state) {
  (void)state;
  arena *a = arena_new(0);
  /* Oldest first, as the pass hands them over. */
  store_run q[] = {
      make_run(a, "a", NULL),
      make_run(a, "b", TAGS("dagster/priority=5")),
      make_run(a, "c", TAGS("dagster/priority=-1")),
      make_run(a, "d", TAGS("dagster/priority= 5 ")),
      make_run(a, "e", TAGS("dagster/priority=high")),
      make_run(a, "f", TAGS("dagster/priority=0")),
      make_run(a, "g", TAGS("dagster/priority=10", "team=x")),
  };
  run_coordinator_config cfg = {.queued = true, .max_concurrent_runs = -1};
  assert_string_equal(choose(a, &cfg, NULL, 0, q, 7), "g,b,d,a,e,f,c");
  /* With a limit, the first ones in that order. */
  cfg.max_concurrent_runs = 3;
  assert_string_equal(choose(a, &cfg, NULL, 0, q, 7), "g,b,d");
  arena_free(a);
}

static void test_max_concurrent_runs(void **state) {
  (void)state;
  arena *a = arena_new(0);
  store_run q[] = {make_run(a, "q1", NULL), make_run(a, "q2", NULL), make_run(a, "q3", NULL)};
  store_run running[] = {make_run(a, "r1", NULL), make_run(a, "r2", NULL)};
  run_coordinator_config cfg = {.queued = true, .max_concurrent_runs = 3};
  assert_string_equal(choose(a, &cfg, running, 2, q, 3), "q1");
  assert_string_equal(choose(a, &cfg, running, 0, q, 3), "q1,q2,q3");
  cfg.max_concurrent_runs = 2;
  assert_string_equal(choose(a, &cfg, running, 2, q, 3), "");
  /* More in progress than the limit (launched before it was lowered). */
  cfg.max_concurrent_runs = 1;
  assert_string_equal(choose(a, &cfg, running, 2, q, 3), "");
  cfg.max_concurrent_runs = 0;
  assert_string_equal(choose(a, &cfg, NULL, 0, q, 3), "");
  cfg.max_concurrent_runs = -1;
  assert_string_equal(choose(a, &cfg, running, 2, q, 3), "q1,q2,q3");
  assert_string_equal(choose(a, &cfg, running, 2, q, 0), "");
  arena_free(a);
}

static void test_tag_limit_key_value(void **state) {
  (void)state;
  arena *a = arena_new(0);
  run_tag_limit limits[] = {{.key = "team", .value = "ml", .limit = 2}};
  run_coordinator_config cfg = {
      .queued = true, .max_concurrent_runs = 10, .tag_limits = limits, .n_tag_limits = 1};
  store_run running[] = {make_run(a, "r", TAGS("team=ml"))};
  store_run q[] = {
      make_run(a, "ml1", TAGS("team=ml")),
      make_run(a, "ml2", TAGS("team=ml")),
      make_run(a, "data", TAGS("team=data")),
      make_run(a, "none", NULL),
      make_run(a, "ml3", TAGS("dagster/priority=1", "team=ml")),
  };
  /* One slot left for team=ml: the prioritized one takes it; the other
   * ml runs are skipped without stopping data and none. */
  assert_string_equal(choose(a, &cfg, running, 1, q, 5), "ml3,data,none");
  assert_string_equal(choose(a, &cfg, NULL, 0, q, 5), "ml3,ml1,data,none");
  /* The max still applies on top. */
  cfg.max_concurrent_runs = 3;
  assert_string_equal(choose(a, &cfg, running, 1, q, 5), "ml3,data");
  /* A limit of 0 blocks every matching run. */
  limits[0].limit = 0;
  cfg.max_concurrent_runs = -1;
  assert_string_equal(choose(a, &cfg, NULL, 0, q, 5), "data,none");
  arena_free(a);
}

static void test_tag_limit_key_only(void **state) {
  (void)state;
  arena *a = arena_new(0);
  run_tag_limit limits[] = {{.key = "heavy", .limit = 2}};
  run_coordinator_config cfg = {
      .queued = true, .max_concurrent_runs = -1, .tag_limits = limits, .n_tag_limits = 1};
  store_run running[] = {make_run(a, "r", TAGS("heavy=cpu"))};
  store_run q[] = {make_run(a, "gpu", TAGS("heavy=gpu")), make_run(a, "cpu", TAGS("heavy=cpu")),
                   make_run(a, "light", TAGS("light=1"))};
  /* Every value shares the limit of 2: one in progress, one more. */
  assert_string_equal(choose(a, &cfg, running, 1, q, 3), "gpu,light");
  arena_free(a);
}

static void test_tag_limit_per_unique_value(void **state) {
  (void)state;
  arena *a = arena_new(0);
  run_tag_limit limits[] = {{.key = "db", .per_unique_value = true, .limit = 1}};
  run_coordinator_config cfg = {
      .queued = true, .max_concurrent_runs = -1, .tag_limits = limits, .n_tag_limits = 1};
  store_run running[] = {make_run(a, "r", TAGS("db=a"))};
  store_run q[] = {make_run(a, "a1", TAGS("db=a")), make_run(a, "b1", TAGS("db=b")),
                   make_run(a, "b2", TAGS("db=b")), make_run(a, "c1", TAGS("db=c")),
                   make_run(a, "x", NULL)};
  /* One run per value: a is taken, b once (b2 waits for b1), c once. */
  assert_string_equal(choose(a, &cfg, running, 1, q, 5), "b1,c1,x");
  limits[0].limit = 2;
  assert_string_equal(choose(a, &cfg, running, 1, q, 5), "a1,b1,b2,c1,x");
  arena_free(a);
}

static void test_tag_limits_combined_and_replaced(void **state) {
  (void)state;
  arena *a = arena_new(0);
  /* The later of two limits of a kind on one key and value wins, as in
   * Dagster's maps; limits of other kinds all apply. */
  run_tag_limit limits[] = {
      {.key = "team", .value = "ml", .limit = 0},
      {.key = "team", .value = "ml", .limit = 1},
      {.key = "team", .limit = 2},
  };
  run_coordinator_config cfg = {
      .queued = true, .max_concurrent_runs = -1, .tag_limits = limits, .n_tag_limits = 3};
  store_run q[] = {make_run(a, "ml1", TAGS("team=ml")), make_run(a, "ml2", TAGS("team=ml")),
                   make_run(a, "d1", TAGS("team=data")), make_run(a, "d2", TAGS("team=data")),
                   make_run(a, "free", NULL)};
  assert_string_equal(choose(a, &cfg, NULL, 0, q, 5), "ml1,d1,free");
  arena_free(a);
}

/* ---- daemon_queue_pass ---- */

static int pass_setup(void **state) {
  if (home_setup(state) != 0)
    return -1;
  home_fixture *f = *state;
  free(f->inst->dagd_path);
  f->inst->dagd_path = xstrdup("/bin/true");
  f->inst->coordinator.queued = true;
  f->inst->coordinator.max_concurrent_runs = 2;
  return 0;
}

/* A QUEUED run as run_submit leaves it (RUN_ENQUEUED), with tags. */
static void add_queued(home_fixture *f, const store_tag *tags, size_t n, char id[37]) {
  store_run r = {.job_name = "job",
                 .status = STORE_RUN_NOT_STARTED,
                 .mode = "default",
                 .run_config = "{}",
                 .tags = tags,
                 .n_tags = n};
  store_new_run_id(r.run_id);
  store_error err;
  if (store_run_add(f->inst->store, &r, &err) != 0)
    fail_msg("store_run_add: %s", err.message);
  memcpy(id, r.run_id, 37);
  run_error rerr;
  if (run_submit(f->inst, id, &rerr) != 0)
    fail_msg("run_submit: %s", rerr.message);
}

static int pass(home_fixture *f) {
  buf err;
  buf_init(&err, NULL);
  int n = daemon_queue_pass(f->inst, &err);
  if (n < 0)
    fail_msg("daemon_queue_pass: %s", buf_cstr(&err));
  buf_free(&err);
  return n;
}

static const char *types(home_fixture *f, const char *id) {
  size_t n;
  store_event *ev = home_events(f, id, &n);
  buf b;
  buf_init(&b, f->a);
  buf_printf(&b, "%s", "");
  for (size_t i = 0; i < n; i++)
    buf_printf(&b, "%s%s", i ? " " : "", ev[i].event_type);
  return buf_cstr(&b);
}

static void finish(home_fixture *f, const char *id) {
  store_error err;
  if (run_event(f->inst->store, id, "RUN_SUCCESS", RUN_LEVEL_INFO, NULL, "done", NULL, &err) < 0)
    fail_msg("run_event: %s", err.message);
}

static void test_pass_launches_within_limit(void **state) {
  home_fixture *f = *state;
  char ids[5][37];
  store_tag prio = {"dagster/priority", "3"};
  for (int i = 0; i < 4; i++)
    add_queued(f, NULL, 0, ids[i]);
  add_queued(f, &prio, 1, ids[4]); /* newest, but first */
  buf counting;
  buf_init(&counting, NULL);
  assert_int_equal(daemon_queue_in_progress(f->inst, &counting), 0);
  assert_int_equal(pass(f), 2);
  assert_int_equal(daemon_queue_in_progress(f->inst, &counting), 2);
  buf_free(&counting);
  assert_int_equal(home_get_run(f, ids[4])->status, STORE_RUN_STARTING);
  assert_int_equal(home_get_run(f, ids[0])->status, STORE_RUN_STARTING);
  assert_string_equal(types(f, ids[4]), "RUN_ENQUEUED RUN_DEQUEUED RUN_STARTING");
  size_t n;
  store_event *ev = home_events(f, ids[4], &n);
  assert_int_equal(ev[1].level, RUN_LEVEL_INFO);
  assert_string_equal(ev[1].message, "");
  for (int i = 1; i < 4; i++) {
    assert_int_equal(home_get_run(f, ids[i])->status, STORE_RUN_QUEUED);
    assert_string_equal(types(f, ids[i]), "RUN_ENQUEUED");
  }
  /* Both still in progress (STARTING, then STARTED, then CANCELING): no room. */
  assert_int_equal(pass(f), 0);
  store_error err;
  assert_true(run_event(f->inst->store, ids[0], "RUN_START", RUN_LEVEL_INFO, NULL, "", NULL, &err) >
              0);
  assert_true(
      run_event(f->inst->store, ids[4], "RUN_CANCELING", RUN_LEVEL_INFO, NULL, "", NULL, &err) > 0);
  assert_int_equal(pass(f), 0);
  /* One ends: one more starts, the oldest queued. */
  finish(f, ids[0]);
  assert_int_equal(pass(f), 1);
  assert_int_equal(home_get_run(f, ids[1])->status, STORE_RUN_STARTING);
  assert_int_equal(home_get_run(f, ids[2])->status, STORE_RUN_QUEUED);
  /* A queued run canceled (terminated) is not launched; the next one is. */
  run_error rerr;
  assert_int_equal(run_terminate(f->inst, ids[2], RUN_SAFE_TERMINATE, &rerr), 0);
  assert_int_equal(home_get_run(f, ids[2])->status, STORE_RUN_CANCELED);
  finish(f, ids[4]);
  assert_int_equal(pass(f), 1);
  assert_int_equal(home_get_run(f, ids[3])->status, STORE_RUN_STARTING);
  assert_string_equal(types(f, ids[2]), "RUN_ENQUEUED RUN_CANCELING RUN_CANCELED");
  /* Nothing queued any more. */
  finish(f, ids[1]);
  finish(f, ids[3]);
  assert_int_equal(pass(f), 0);
}

static void test_pass_no_limit_and_zero(void **state) {
  home_fixture *f = *state;
  char ids[4][37];
  for (int i = 0; i < 4; i++)
    add_queued(f, NULL, 0, ids[i]);
  f->inst->coordinator.max_concurrent_runs = 0;
  assert_int_equal(pass(f), 0);
  for (int i = 0; i < 4; i++)
    assert_string_equal(types(f, ids[i]), "RUN_ENQUEUED");
  f->inst->coordinator.max_concurrent_runs = -1;
  assert_int_equal(pass(f), 4);
  for (int i = 0; i < 4; i++)
    assert_int_equal(home_get_run(f, ids[i])->status, STORE_RUN_STARTING);
}

static void test_pass_tag_limits(void **state) {
  home_fixture *f = *state;
  run_tag_limit limits[] = {{.key = "db", .per_unique_value = true, .limit = 1}};
  f->inst->coordinator.max_concurrent_runs = -1;
  const run_tag_limit *own = f->inst->coordinator.tag_limits; /* the instance frees it */
  f->inst->coordinator.tag_limits = limits;
  f->inst->coordinator.n_tag_limits = 1;
  store_tag a = {"db", "a"}, b = {"db", "b"};
  char a1[37], a2[37], b1[37];
  add_queued(f, &a, 1, a1);
  add_queued(f, &a, 1, a2);
  add_queued(f, &b, 1, b1);
  assert_int_equal(pass(f), 2);
  assert_int_equal(home_get_run(f, a2)->status, STORE_RUN_QUEUED);
  assert_int_equal(home_get_run(f, b1)->status, STORE_RUN_STARTING);
  assert_int_equal(pass(f), 0);
  finish(f, a1);
  assert_int_equal(pass(f), 1);
  assert_int_equal(home_get_run(f, a2)->status, STORE_RUN_STARTING);
  f->inst->coordinator.tag_limits = own;
  f->inst->coordinator.n_tag_limits = 0;
}

static void db_exec(home_fixture *f, const char *sql) {
  sqlite3 *db;
  assert_int_equal(sqlite3_open(f->inst->database, &db), SQLITE_OK);
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fail_msg("%s: %s", sql, msg ? msg : "?");
  sqlite3_close(db);
}

static void test_pass_skips_run_deleted_meanwhile(void **state) {
  home_fixture *f = *state;
  f->inst->coordinator.max_concurrent_runs = -1;
  char ids[3][37];
  for (int i = 0; i < 3; i++)
    add_queued(f, NULL, 0, ids[i]);
  /* The middle run is deleted (a deleteRun from another request) once
   * its launch has begun: after it was read and dequeued, as its worker
   * host is recorded, so reporting RUN_STARTING fails. */
  char sql[512];
  snprintf(sql, sizeof sql,
           "CREATE TRIGGER delete_meanwhile AFTER INSERT ON run_tags WHEN NEW.key = '%s' AND "
           "NEW.run_pk = (SELECT id FROM runs WHERE run_id = '%s') "
           "BEGIN DELETE FROM runs WHERE id = NEW.run_pk; END",
           RUN_TAG_WORKER_HOST, ids[1]);
  db_exec(f, sql);
  assert_int_equal(pass(f), 2);
  store_error err;
  assert_null(store_run_get(f->inst->store, ids[1], f->a, &err));
  assert_string_equal(err.message, "");
  assert_int_equal(home_get_run(f, ids[0])->status, STORE_RUN_STARTING);
  assert_int_equal(home_get_run(f, ids[2])->status, STORE_RUN_STARTING);
  assert_string_equal(types(f, ids[2]), "RUN_ENQUEUED RUN_DEQUEUED RUN_STARTING");
  /* A store that fails for a run still there still fails the pass. */
  db_exec(f, "DROP TRIGGER delete_meanwhile");
  char kept[37];
  add_queued(f, NULL, 0, kept);
  db_exec(f, "CREATE TRIGGER refuse AFTER INSERT ON events WHEN NEW.event_type = 'RUN_STARTING' "
             "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  buf b;
  buf_init(&b, NULL);
  assert_int_equal(daemon_queue_pass(f->inst, &b), -1);
  char expected[128];
  snprintf(expected, sizeof expected, "Cannot launch run %s: ", kept);
  assert_memory_equal(buf_cstr(&b), expected, strlen(expected));
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_priority_order),
      cmocka_unit_test(test_max_concurrent_runs),
      cmocka_unit_test(test_tag_limit_key_value),
      cmocka_unit_test(test_tag_limit_key_only),
      cmocka_unit_test(test_tag_limit_per_unique_value),
      cmocka_unit_test(test_tag_limits_combined_and_replaced),
      cmocka_unit_test_setup_teardown(test_pass_launches_within_limit, pass_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_pass_no_limit_and_zero, pass_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_pass_tag_limits, pass_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_pass_skips_run_deleted_meanwhile, pass_setup,
                                      home_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
