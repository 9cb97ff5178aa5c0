/* test_sqlite_concurrency.c — the SQLite store under concurrent writers:
 * several processes (fork) and several threads of one process add runs and
 * append events to one database file at once, starting together on a file
 * that does not exist yet (so the migrations race too). Every write must
 * land and none may fail with "database is locked"; threads racing to claim
 * one run as its worker get exactly one winner. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>

#include "store_fixture.h"

enum {
  WORKERS = 4,
  EVENTS_PER_WORKER = 500,
  EVENTS_PER_RUN = 20, /* so 25 runs per worker */
  RUNS_PER_WORKER = EVENTS_PER_WORKER / EVENTS_PER_RUN,
};

/* One worker's share, with its own store (a process) or a shared one (a
 * thread). Returns 0, or -1 with the first error in err. The run's events
 * start RUN_START and end RUN_SUCCESS, so statuses change under load. */
static int work(store *s, int worker, store_error *err) {
  arena *a = arena_new(0);
  int rc = 0;
  char tag_value[16];
  snprintf(tag_value, sizeof tag_value, "w%d", worker);
  for (int r = 0; r < RUNS_PER_WORKER && rc == 0; r++) {
    store_run *run = make_run(a, "load", STORE_RUN_NOT_STARTED, 0, "worker", tag_value, NULL);
    if (store_run_add(s, run, err) != 0) {
      rc = -1;
      break;
    }
    for (int e = 0; e < EVENTS_PER_RUN; e++) {
      store_event ev = {.level = 20, .message = "load"};
      strcpy(ev.run_id, run->run_id);
      ev.event_type = e == 0                    ? "RUN_START"
                      : e == EVENTS_PER_RUN - 1 ? "RUN_SUCCESS"
                                                : "STEP_OUTPUT";
      if (store_event_append(s, &ev, err) <= 0) {
        rc = -1;
        break;
      }
    }
    /* Reads in between, as a webserver would. */
    size_t n;
    store_runs_filter mine = {.tags = (store_tag[]){{"worker", tag_value}}, .n_tags = 1};
    if (!store_runs_list(s, &mine, NULL, 10, a, &n, err) || n == 0)
      rc = -1;
    arena_reset(a);
  }
  arena_free(a);
  return rc;
}

/* Checks that every worker's runs and events are all there. */
static void check_everything_landed(const char *path) {
  store_error err;
  store *s = store_open_sqlite(path, &err);
  assert_non_null(s);
  arena *a = arena_new(0);
  assert_int_equal(store_runs_count(s, NULL, &err), WORKERS * RUNS_PER_WORKER);
  store_run_status ok[] = {STORE_RUN_SUCCESS};
  assert_int_equal(
      store_runs_count(s, &((store_runs_filter){.statuses = ok, .n_statuses = 1}), &err),
      WORKERS * RUNS_PER_WORKER);
  size_t n_runs;
  store_run *runs = store_runs_list(s, NULL, NULL, -1, a, &n_runs, &err);
  size_t events = 0;
  for (size_t i = 0; i < n_runs; i++) {
    size_t n;
    bool more;
    store_event *ev = store_events(s, runs[i].run_id, 0, -1, a, &n, &more, &err);
    assert_int_equal(n, EVENTS_PER_RUN);
    for (size_t j = 1; j < n; j++)
      assert_true(ev[j].id > ev[j - 1].id);
    assert_true(runs[i].start_time > 0 && runs[i].end_time >= runs[i].start_time);
    events += n;
  }
  assert_int_equal(events, WORKERS * EVENTS_PER_WORKER);
  for (int w = 0; w < WORKERS; w++) {
    char v[16];
    snprintf(v, sizeof v, "w%d", w);
    store_runs_filter mine = {.tags = (store_tag[]){{"worker", v}}, .n_tags = 1};
    assert_int_equal(store_runs_count(s, &mine, &err), RUNS_PER_WORKER);
  }
  arena_free(a);
  store_close(s);
}

static void test_processes_write_at_once(void **state) {
  (void)state;
  char dir[] = "/tmp/dagd-store-procs-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/runs.db", dir);
  int go[2];
  assert_int_equal(pipe(go), 0);
  pid_t pids[WORKERS];
  for (int w = 0; w < WORKERS; w++) {
    pids[w] = fork();
    assert_true(pids[w] >= 0);
    if (pids[w] == 0) {
      /* The child: wait for the start, open the (new) file, work. */
      close(go[1]);
      char c;
      while (read(go[0], &c, 1) > 0) {
      }
      store_error err = {{0}};
      store *s = store_open_sqlite(path, &err);
      int rc = s ? work(s, w, &err) : -1;
      store_close(s);
      if (rc != 0)
        fprintf(stderr, "worker %d: %s\n", w, err.message);
      _exit(rc == 0 ? 0 : 1);
    }
  }
  close(go[0]);
  close(go[1]); /* every child starts now */
  for (int w = 0; w < WORKERS; w++) {
    int status = 0;
    assert_int_equal(waitpid(pids[w], &status, 0), pids[w]);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
  }
  check_everything_landed(path);
  remove_tree(dir);
}

typedef struct thread_job {
  store *s;
  int worker;
  int rc;
  store_error err;
} thread_job;

static void *thread_main(void *p) {
  thread_job *j = p;
  j->rc = work(j->s, j->worker, &j->err);
  return NULL;
}

static void test_threads_write_at_once(void **state) {
  fixture *f = *state;
  thread_job jobs[WORKERS];
  pthread_t threads[WORKERS];
  for (int w = 0; w < WORKERS; w++) {
    jobs[w] = (thread_job){.s = f->s, .worker = w};
    assert_int_equal(pthread_create(&threads[w], NULL, thread_main, &jobs[w]), 0);
  }
  for (int w = 0; w < WORKERS; w++) {
    pthread_join(threads[w], NULL);
    if (jobs[w].rc != 0)
      fail_msg("thread %d: %s", w, jobs[w].err.message);
  }
  /* The threads have exited (their connections with them); the store still works. */
  check_everything_landed(f->path);
  store_error err;
  assert_int_equal(store_runs_count(f->s, NULL, &err), WORKERS * RUNS_PER_WORKER);
}

/* Threads (each with its own connection) claim one run at once, each for
 * a different worker pid: exactly one wins and the run records its pid. */
enum { CLAIMERS = 6 };

typedef struct claim_job {
  store *s;
  const char *run_id;
  pthread_barrier_t *start;
  int64_t pid;
  bool claimed;
  int rc;
  store_error err;
} claim_job;

static void *claim_main(void *p) {
  claim_job *j = p;
  pthread_barrier_wait(j->start);
  j->rc = store_run_set_worker(j->s, j->run_id, j->pid, &j->claimed, &j->err);
  return NULL;
}

static void test_threads_claim_one_run(void **state) {
  fixture *f = *state;
  for (int round = 0; round < 5; round++) {
    store_run *r = make_run(f->a, "j", STORE_RUN_STARTING, 0, NULL);
    ADD_RUN(f->s, r);
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, CLAIMERS), 0);
    claim_job jobs[CLAIMERS];
    pthread_t threads[CLAIMERS];
    for (int i = 0; i < CLAIMERS; i++) {
      jobs[i] = (claim_job){.s = f->s, .run_id = r->run_id, .start = &start, .pid = 1000 + i};
      assert_int_equal(pthread_create(&threads[i], NULL, claim_main, &jobs[i]), 0);
    }
    int winners = 0;
    int64_t winner = 0;
    for (int i = 0; i < CLAIMERS; i++) {
      pthread_join(threads[i], NULL);
      if (jobs[i].rc != 0)
        fail_msg("claim %d: %s", i, jobs[i].err.message);
      if (jobs[i].claimed) {
        winners++;
        winner = jobs[i].pid;
      }
    }
    pthread_barrier_destroy(&start);
    assert_int_equal(winners, 1);
    store_error err;
    assert_int_equal(store_run_get(f->s, r->run_id, f->a, &err)->worker_pid, winner);
  }
}

/* Another program holds the write lock longer than SQLite's own busy wait
 * (1 s): the write waits, retries and lands once the lock goes. */
typedef struct lock_holder {
  const char *path;
  int locked[2]; /* the holder tells it has the lock */
  int rc;
} lock_holder;

static void *hold_write_lock(void *p) {
  lock_holder *h = p;
  sqlite3 *db;
  h->rc = sqlite3_open(h->path, &db);
  if (h->rc == SQLITE_OK)
    h->rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  char c = 'l';
  if (write(h->locked[1], &c, 1) != 1)
    h->rc = -1;
  struct timespec pause = {.tv_sec = 1, .tv_nsec = 600000000};
  nanosleep(&pause, NULL);
  if (h->rc == SQLITE_OK)
    h->rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close(db);
  return NULL;
}

static void test_write_outlasts_a_long_lock(void **state) {
  fixture *f = *state;
  lock_holder h = {.path = f->path};
  assert_int_equal(pipe(h.locked), 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, hold_write_lock, &h), 0);
  char c;
  assert_int_equal(read(h.locked[0], &c, 1), 1);
  store_error err;
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 0, NULL);
  int rc = store_run_add(f->s, r, &err);
  pthread_join(t, NULL);
  close(h.locked[0]);
  close(h.locked[1]);
  assert_int_equal(h.rc, SQLITE_OK);
  if (rc != 0)
    fail_msg("store_run_add: %s", err.message);
  assert_non_null(store_run_get(f->s, r->run_id, f->a, &err));
}

/* A thread still alive when the store closes: store_close closes its
 * connection (no leak under ASan), and its exit afterwards touches nothing. */
typedef struct waiting_job {
  store *s;
  int used[2];   /* the thread tells it has used the store */
  int closed[2]; /* the test tells the store is closed */
  int rc;
} waiting_job;

static void *use_then_wait(void *p) {
  waiting_job *j = p;
  store_error err;
  j->rc = store_runs_count(j->s, NULL, &err) >= 0 ? 0 : -1;
  char c = 'u';
  if (write(j->used[1], &c, 1) != 1)
    j->rc = -1;
  if (read(j->closed[0], &c, 1) != 1)
    j->rc = -1;
  return NULL;
}

static void test_close_with_live_thread_connections(void **state) {
  (void)state;
  fixture *f;
  assert_int_equal(fixture_setup((void **)&f), 0);
  waiting_job j = {.s = f->s};
  assert_int_equal(pipe(j.used), 0);
  assert_int_equal(pipe(j.closed), 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, use_then_wait, &j), 0);
  char c;
  assert_int_equal(read(j.used[0], &c, 1), 1);
  fixture_teardown((void **)&f); /* store_close while the thread holds a connection */
  assert_int_equal(write(j.closed[1], "c", 1), 1);
  pthread_join(t, NULL);
  assert_int_equal(j.rc, 0);
  for (int i = 0; i < 2; i++) {
    close(j.used[i]);
    close(j.closed[i]);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_processes_write_at_once),
      cmocka_unit_test_setup_teardown(test_threads_write_at_once, fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(test_threads_claim_one_run, fixture_setup, fixture_teardown),
      cmocka_unit_test_setup_teardown(test_write_outlasts_a_long_lock, fixture_setup,
                                      fixture_teardown),
      cmocka_unit_test(test_close_with_live_thread_connections),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
