/* test_postgres.c — unit tests for what is particular to the PostgreSQL
 * store (src/storage/postgres.c, postgres_migrations.c): opening (bad
 * connection strings, no password in messages), migrations (versions, a
 * newer database refused, an older one upgraded), reconnecting after the
 * server drops a connection, and the guarantees under concurrency that
 * other processes rely on: event ids become visible in increasing order
 * (a tailing reader gets every event exactly once), one winner for a run's
 * worker claim and for a daemon heartbeat, appends to different runs not
 * waiting for each other, a claim that loses the race for its run's
 * status dropping the offer. Notifications: sent after the commit, none
 * for a failed or rolled-back change. Through a TCP proxy of the test's
 * own (proxy, which also reads what the client sends): connecting inside
 * a call retried, connection settings (keepalives, timeouts, the idle
 * transaction limit, application name), a pooler moving the session
 * (prepared statements gone: the connection stops preparing). Also texts
 * in array parameters, and the test server script leaving folders it did
 * not make alone. Each test works in a schema of its own (pg_fixture.h);
 * those needing a server are skipped when no test server is known.
 * What every backend must do alike is tested in test_store.c. */
#define _DEFAULT_SOURCE /* TCP_KEEPIDLE & co. in netinet/tcp.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "pg_fixture.h"
#include "pg_fixture_cmocka.h"
#include "storage/postgres_internal.h"
#include "store_fixture.h"

static int64_t latest_version(void) {
  size_t n;
  store_postgres_migrations(&n);
  return (int64_t)n;
}

/* pg_raw on the fixture's schema, failing the test on an error. */
static int64_t raw(fixture *f, const char *sql) {
  int64_t v = pg_raw(f->conninfo, sql);
  assert_true(v >= 0);
  return v;
}

/* A run of job "j" (no tags) added to the fixture's store. */
static store_run *add_run(fixture *f, store_run_status status, double created) {
  store_run *r = make_run(f->a, "j", status, created, NULL);
  ADD_RUN(f->s, r);
  return r;
}

/* ---- opening ---- */

static void test_open_refuses_bad_conninfo(void **state) {
  (void)state;
  store_error err;
  assert_null(store_open_postgres("", &err));
  assert_string_equal(err.message, "The PostgreSQL store needs a connection string or URL.");
  assert_null(store_open_postgres(NULL, &err));
  /* Nothing listens on port 1: a quick failure, and the password given is
   * not repeated in the message. */
  assert_null(store_open_postgres("postgresql://dagd:s3cr3t-pw@127.0.0.1:1/dagd", &err));
  assert_non_null(strstr(err.message, "Cannot connect to PostgreSQL"));
  assert_null(strstr(err.message, "s3cr3t-pw"));
  assert_null(store_open_postgres("host=127.0.0.1 port=1 password=s3cr3t-pw", &err));
  assert_null(strstr(err.message, "s3cr3t-pw"));
  assert_null(store_open_postgres("not a conninfo", &err));
  assert_string_not_equal(err.message, "");
  /* Malformed strings: libpq's own message would quote them, password
   * and all. */
  static const char *const malformed[] = {"postgresql://u:s3cr3t-pw@[::1/db",
                                          "postgresql://u:s3cr3t-pw%zz@h/db",
                                          "host=h password='s3cr3t-pw"};
  for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
    assert_null(store_open_postgres(malformed[i], &err));
    assert_string_equal(err.message, "The PostgreSQL connection string or URL is malformed.");
  }
}

/* ---- migrations ---- */

static void test_migrations_fresh_and_reopen(void **state) {
  fixture *f = need_server(state);
  store_error err;
  assert_int_equal(raw(f, "SELECT max(version) FROM schema_version"), latest_version());
  assert_int_equal(raw(f, "SELECT count(*) FROM schema_version"), latest_version());
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "k", "v", NULL);
  ADD_RUN(f->s, r);
  /* Opening again (twice, while the first store is open) changes nothing. */
  for (int i = 0; i < 2; i++) {
    store *again = store_open_postgres(f->conninfo, &err);
    assert_non_null(again);
    store_run *g = store_run_get(again, r->run_id, f->a, &err);
    assert_non_null(g);
    assert_int_equal(g->n_tags, 1);
    store_close(again);
  }
  assert_int_equal(raw(f, "SELECT count(*) FROM schema_version"), latest_version());
  /* The tables are in the test's schema, nowhere else. */
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_tables WHERE tablename = 'runs' AND schemaname = '%s'",
           f->schema);
  assert_int_equal(raw(f, sql), 1);
}

static void test_migrations_refuse_newer_database(void **state) {
  fixture *f = need_server(state);
  store_error err;
  raw(f, "INSERT INTO schema_version (version, applied_time) VALUES (7, 0)");
  assert_null(store_open_postgres(f->conninfo, &err));
  char want[96];
  snprintf(want, sizeof want, "has schema version 7, newer than this dagd supports (%lld)",
           (long long)latest_version());
  assert_non_null(strstr(err.message, want));
  /* The database is left as it was. */
  assert_int_equal(raw(f, "SELECT max(version) FROM schema_version"), 7);
}

static void test_migrations_upgrade_older_database(void **state) {
  fixture *f = need_server(state);
  store_error err;
  /* Back to version 1 (as a dagd that knew one migration left it), with
   * a row of its time: opening applies the rest and keeps the data. */
  store_run *r = add_run(f, STORE_RUN_QUEUED, 1);
  raw(f, "DROP TABLE worker_offers");
  raw(f, "DROP TABLE daemon_heartbeats");
  raw(f, "DELETE FROM schema_version WHERE version > 1");
  store *again = store_open_postgres(f->conninfo, &err);
  assert_non_null(again);
  assert_non_null(store_run_get(again, r->run_id, f->a, &err));
  bool claimed = false;
  assert_int_equal(store_daemon_heartbeat(again, "d", "id", 5, 1, &claimed, &err), 0);
  assert_true(claimed);
  store_close(again);
  assert_int_equal(raw(f, "SELECT max(version) FROM schema_version"), latest_version());
}

/* ---- reconnecting ---- */

/* The server ended every connection of the test's store while it was
 * idle: the next calls, writes of one statement (an append, which could
 * not be retried had it gone out on the dead connection) and of several
 * (a new run) as well as reads, reconnect and succeed. */
static void test_reconnects_after_connection_loss(void **state) {
  fixture *f = need_server(state);
  store_error err;
  store_run *r = add_run(f, STORE_RUN_STARTED, 1);
  for (int round = 0; round < 2; round++) {
    end_store_connections(f);
    store_event ev = {.level = 20, .message = "after the loss", .event_type = "STEP_START"};
    strcpy(ev.run_id, r->run_id);
    int64_t id = store_event_append(f->s, &ev, &err);
    if (id <= 0)
      fail_msg("append after the loss: %s", err.message);
    assert_int_equal(store_events_last_id(f->s, r->run_id, &err), id);
    end_store_connections(f);
    add_run(f, STORE_RUN_QUEUED, 2);
  }
  end_store_connections(f);
  assert_non_null(store_run_get(f->s, r->run_id, f->a, &err));
}

/* ---- concurrency ---- */

enum { WRITERS = 4, EVENTS_PER_WRITER = 60 };

typedef struct tail_world {
  store *s;
  char run_id[37];
  bool writers_done;
  pthread_mutex_t lock;
  /* The reader's findings. */
  size_t seen;
  bool out_of_order;
  char error[600];
} tail_world;

static void *writer_main(void *p) {
  tail_world *w = p;
  for (int i = 0; i < EVENTS_PER_WRITER; i++) {
    store_event ev = {.level = 20, .message = "m", .event_type = "ENGINE_EVENT"};
    strcpy(ev.run_id, w->run_id);
    store_error err;
    if (store_event_append(w->s, &ev, &err) <= 0) {
      pthread_mutex_lock(&w->lock);
      snprintf(w->error, sizeof w->error, "append: %s", err.message);
      pthread_mutex_unlock(&w->lock);
      break;
    }
  }
  return NULL;
}

/* Tails the run's log as a subscription does (after the last id seen) until
 * the writers are done and nothing more comes. */
static void *reader_main(void *p) {
  tail_world *w = p;
  arena *a = arena_new(0);
  int64_t cursor = 0;
  for (;;) {
    pthread_mutex_lock(&w->lock);
    bool done = w->writers_done;
    pthread_mutex_unlock(&w->lock);
    size_t n;
    bool more;
    store_error err;
    store_event *evs = store_events(w->s, w->run_id, cursor, 7, a, &n, &more, &err);
    if (err.message[0]) {
      snprintf(w->error, sizeof w->error, "read: %s", err.message);
      break;
    }
    for (size_t i = 0; i < n; i++) {
      if (evs[i].id <= cursor)
        w->out_of_order = true;
      cursor = evs[i].id;
      w->seen++;
    }
    if (done && n == 0)
      break;
    arena_reset(a);
  }
  arena_free(a);
  return NULL;
}

/* Writers on their own connections append to one run while a reader
 * tails it: the reader gets every event once, in increasing id order, and
 * the ids it saw are exactly the ones stored (none skipped by a cursor
 * that moved past an id still uncommitted). */
static void test_concurrent_appends_tail_exactly_once(void **state) {
  fixture *f = need_server(state);
  tail_world w = {.s = f->s};
  pthread_mutex_init(&w.lock, NULL);
  store_run *r = add_run(f, STORE_RUN_STARTED, 1);
  strcpy(w.run_id, r->run_id);
  pthread_t writers[WRITERS], reader;
  pthread_create(&reader, NULL, reader_main, &w);
  for (int i = 0; i < WRITERS; i++)
    pthread_create(&writers[i], NULL, writer_main, &w);
  for (int i = 0; i < WRITERS; i++)
    pthread_join(writers[i], NULL);
  pthread_mutex_lock(&w.lock);
  w.writers_done = true;
  pthread_mutex_unlock(&w.lock);
  pthread_join(reader, NULL);
  pthread_mutex_destroy(&w.lock);
  assert_string_equal(w.error, "");
  assert_false(w.out_of_order);
  assert_int_equal(w.seen, WRITERS * EVENTS_PER_WRITER);
  size_t n;
  store_error err;
  store_events(f->s, r->run_id, 0, -1, f->a, &n, NULL, &err);
  assert_int_equal(n, WRITERS * EVENTS_PER_WRITER);
}

enum { CLAIMERS = 6 };

typedef struct race {
  store *s;
  const char *run_id;
  int index;
  bool won;
  char error[600];
  pthread_barrier_t *start;
} race;

static void *claim_main(void *p) {
  race *r = p;
  store_error err;
  pthread_barrier_wait(r->start);
  if (store_run_set_worker(r->s, r->run_id, 1000 + r->index, &r->won, &err) != 0)
    snprintf(r->error, sizeof r->error, "%s", err.message);
  return NULL;
}

static void *heartbeat_main(void *p) {
  race *r = p;
  store_error err;
  char id[32];
  snprintf(id, sizeof id, "host:%d", r->index);
  pthread_barrier_wait(r->start);
  if (store_daemon_heartbeat(r->s, "dagd daemon", id, 500, 30, &r->won, &err) != 0)
    snprintf(r->error, sizeof r->error, "%s", err.message);
  return NULL;
}

/* Runs fn on CLAIMERS threads released at once; how many won. */
static int race_threads(fixture *f, const char *run_id, void *(*fn)(void *)) {
  pthread_barrier_t start;
  pthread_barrier_init(&start, NULL, CLAIMERS);
  race races[CLAIMERS];
  pthread_t threads[CLAIMERS];
  for (int i = 0; i < CLAIMERS; i++) {
    races[i] = (race){.s = f->s, .run_id = run_id, .index = i, .start = &start};
    pthread_create(&threads[i], NULL, fn, &races[i]);
  }
  int winners = 0;
  for (int i = 0; i < CLAIMERS; i++) {
    pthread_join(threads[i], NULL);
    assert_string_equal(races[i].error, "");
    winners += races[i].won;
  }
  pthread_barrier_destroy(&start);
  return winners;
}

static void test_concurrent_claims_have_one_winner(void **state) {
  fixture *f = need_server(state);
  store_error err;
  for (int round = 0; round < 5; round++) {
    store_run *r = add_run(f, STORE_RUN_STARTING, round);
    assert_int_equal(race_threads(f, r->run_id, claim_main), 1);
    store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
    assert_true(g->worker_pid >= 1000 && g->worker_pid < 1000 + CLAIMERS);
    raw(f, "DELETE FROM daemon_heartbeats");
    assert_int_equal(race_threads(f, NULL, heartbeat_main), 1);
  }
}

/* A role that may read and write the tables but not create any (the
 * default on a PostgreSQL 15 schema it does not own) opens a database
 * migrated by its owner: the store creates nothing that already exists. */
static void test_opens_without_create_rights(void **state) {
  fixture *f = need_server(state);
  const char *url = pg_url();
  const char *at = strchr(url, '@');
  if (strncmp(url, "postgresql://", 13) != 0 || !at)
    skip(); /* the role swap below needs a URL with a user */
  char role[80], sql[1024];
  snprintf(role, sizeof role, "%s_limited", f->schema);
  snprintf(sql, sizeof sql,
           "CREATE ROLE %s LOGIN; GRANT USAGE ON SCHEMA %s TO %s; "
           "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s; "
           "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s",
           role, f->schema, role, f->schema, role, f->schema, role);
  raw(f, sql);
  char as_role[256], conninfo[512];
  snprintf(as_role, sizeof as_role, "postgresql://%s%s", role, at);
  pg_conninfo_for_schema(as_role, f->schema, conninfo, sizeof conninfo);
  store_error err;
  store *limited = store_open_postgres(conninfo, &err);
  if (!limited)
    fail_msg("a role without CREATE could not open the store: %s", err.message);
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "k", "v", NULL);
  ADD_RUN(limited, r);
  store_close(limited);
  snprintf(sql, sizeof sql, "DROP OWNED BY %s; DROP ROLE %s", role, role);
  raw(f, sql);
}

/* Text reaches the database as the UTF-8 it is, even when the
 * environment asks libpq for another client encoding. */
static void test_text_stays_utf8(void **state) {
  fixture *f = need_server(state);
  setenv("PGCLIENTENCODING", "LATIN1", 1);
  store_error err;
  store *s = store_open_postgres(f->conninfo, &err);
  unsetenv("PGCLIENTENCODING");
  assert_non_null(s);
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, "currency", "\xe2\x82\xac", NULL);
  ADD_RUN(s, r);
  store_close(s);
  /* The euro sign: 3 bytes of UTF-8 (as LATIN1 it would become 6). */
  assert_int_equal(raw(f, "SELECT octet_length(value) FROM run_tags WHERE key = 'currency'"), 3);
}

/* ---- worker offers ---- */

static PGconn *raw_connect(fixture *f) {
  PGconn *pg = PQconnectdb(f->conninfo);
  if (PQstatus(pg) != CONNECTION_OK)
    fail_msg("cannot connect: %s", PQerrorMessage(pg));
  return pg;
}

/* Waits (up to a deadline) for the next notification on pg, returning it
 * (PQfreemem it), or fails the test. */
static PGnotify *next_notification(PGconn *pg) {
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    if (!PQconsumeInput(pg))
      fail_msg("listener: %s", PQerrorMessage(pg));
    PGnotify *n = PQnotifies(pg);
    if (n)
      return n;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec - start.tv_sec > 30)
      fail_msg("no notification arrived");
    struct pollfd pfd = {.fd = PQsocket(pg), .events = POLLIN};
    poll(&pfd, 1, 1000);
  }
}

/* A raw connection listening on `channel` and on a sentinel of its own,
 * and the backend pid of the store's one connection. Channels are shared
 * by the whole server, so the store's notifications are told apart by the
 * backend that sent them, and the sentinel (delivered in commit order
 * after everything before it) marks where to stop counting. */
typedef struct listener {
  PGconn *pg;
  const char *channel;
  char sentinel[96];
  int store_pid;
} listener;

static void listener_open(fixture *f, listener *l, const char *channel) {
  l->pg = raw_connect(f);
  l->channel = channel;
  char sql[256];
  snprintf(l->sentinel, sizeof l->sentinel, "%s_sentinel", f->schema);
  snprintf(sql, sizeof sql, "LISTEN %s; LISTEN %s", channel, l->sentinel);
  raw_exec(l->pg, sql);
  snprintf(sql, sizeof sql,
           "SELECT pid FROM pg_stat_activity WHERE application_name = '%s' "
           "AND pid <> pg_backend_pid()",
           f->schema);
  PGresult *res = PQexec(l->pg, sql);
  assert_int_equal(PQntuples(res), 1);
  l->store_pid = atoi(PQgetvalue(res, 0, 0));
  PQclear(res);
}

/* Waits for the store's next notification on the channel (others are
 * passed over); its payload into payload. */
static void listener_next(listener *l, char *payload, size_t n) {
  for (;;) {
    PGnotify *note = next_notification(l->pg);
    bool ours = strcmp(note->relname, l->channel) == 0 && note->be_pid == l->store_pid;
    if (ours)
      snprintf(payload, n, "%s", note->extra);
    PQfreemem(note);
    if (ours)
      return;
  }
}

/* How many notifications the store sent on the channel before the
 * sentinel, sent now; closes the listener. */
static int listener_close_counting(listener *l) {
  char sql[128];
  snprintf(sql, sizeof sql, "NOTIFY %s", l->sentinel);
  raw_exec(l->pg, sql);
  int more = 0;
  for (;;) {
    PGnotify *note = next_notification(l->pg);
    bool done = strcmp(note->relname, l->sentinel) == 0;
    more += strcmp(note->relname, l->channel) == 0 && note->be_pid == l->store_pid;
    PQfreemem(note);
    if (done)
      break;
  }
  PQfinish(l->pg);
  return more;
}

/* A new offer is announced on dagd_offers (by the store's own backend,
 * after its commit), and so is a released claim; an offer that changes
 * nothing, or fails, announces nothing. */
static void test_worker_offer_notifies(void **state) {
  fixture *f = need_server(state);
  store_error err;
  /* The store's connection exists from here on. */
  store_run *r = add_run(f, STORE_RUN_STARTING, 1);
  listener l;
  listener_open(f, &l, "dagd_offers");
  char payload[64];
  assert_int_equal(store_worker_offer(f->s, r->run_id, 1, &err), 0);
  listener_next(&l, payload, sizeof payload);
  assert_int_equal(store_worker_offer(f->s, r->run_id, 2, &err), 0);
  assert_int_equal(store_worker_offer(f->s, "nope", 3, &err), -1);
  char id[37];
  bool found = false, released = false;
  assert_int_equal(store_worker_claim(f->s, "w1", 4, id, &found, &err), 0);
  assert_true(found);
  assert_int_equal(store_worker_release(f->s, r->run_id, "w2", &released, &err), 0);
  assert_false(released);
  assert_int_equal(listener_close_counting(&l), 0);

  listener_open(f, &l, "dagd_offers");
  assert_int_equal(store_worker_release(f->s, r->run_id, "w1", &released, &err), 0);
  assert_true(released);
  listener_next(&l, payload, sizeof payload);
  assert_int_equal(listener_close_counting(&l), 0);
}

/* An append is announced on dagd_events with its run id, once it has
 * committed (the event is readable by then); an append that fails (no
 * such run) or rolls back (refused by a constraint after the run's row
 * was locked and the event inserted) announces nothing. */
static void test_append_notifies_after_commit(void **state) {
  fixture *f = need_server(state);
  store_error err;
  store_run *r = add_run(f, STORE_RUN_STARTED, 1);
  raw(f, "ALTER TABLE events ADD CONSTRAINT no_boom CHECK (message <> 'boom')");
  listener l;
  listener_open(f, &l, "dagd_events");
  store_event ev = {.level = 20, .message = "fine", .event_type = "STEP_START"};
  strcpy(ev.run_id, r->run_id);
  int64_t id = store_event_append(f->s, &ev, &err);
  assert_true(id > 0);
  char payload[64], sql[128];
  listener_next(&l, payload, sizeof payload);
  assert_string_equal(payload, r->run_id);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM events WHERE id = %lld", (long long)id);
  PGresult *res = PQexec(l.pg, sql);
  assert_string_equal(PQgetvalue(res, 0, 0), "1");
  PQclear(res);

  ev.message = "boom";
  assert_int_equal(store_event_append(f->s, &ev, &err), -1);
  assert_non_null(strstr(err.message, "no_boom"));
  strcpy(ev.run_id, "no-such-run");
  ev.message = "fine";
  assert_int_equal(store_event_append(f->s, &ev, &err), -1);
  assert_int_equal(listener_close_counting(&l), 0);
  assert_int_equal(store_events_last_id(f->s, r->run_id, &err), id);
}

/* ---- appends to different runs ---- */

/* A transaction appending to run A, as the store does (its row locked,
 * an id drawn, not yet committed), holds up the store's next append to A
 * until it commits, and that append's id comes after, so a reader of A
 * never sees a later id first. An append to run B meanwhile waits for
 * nothing (appends used to queue on one lock for the whole store: B's
 * append then waited for A's, which waited for the transaction). */
static void test_appends_serialize_per_run(void **state) {
  fixture *f = need_server(state);
  store_error err;
  store_run *a = add_run(f, STORE_RUN_STARTING, 1);
  store_run *b = add_run(f, STORE_RUN_STARTING, 2);
  PGconn *holder = raw_connect(f);
  char sql[512];
  raw_exec(holder, "BEGIN");
  snprintf(sql, sizeof sql, "SELECT id FROM runs WHERE run_id = '%s' FOR NO KEY UPDATE", a->run_id);
  raw_exec(holder, sql);
  snprintf(sql, sizeof sql,
           "INSERT INTO events (run_pk, timestamp, event_type, level) "
           "SELECT id, 1, 'ENGINE_EVENT', 20 FROM runs WHERE run_id = '%s' RETURNING id",
           a->run_id);
  PGresult *res = PQexec(holder, sql);
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  int64_t held_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
  PQclear(res);

  /* RUN_START also changes the run's status: the append writes the row. */
  task on_a = {.s = f->s, .event_type = "RUN_START"},
       on_b = {.s = f->s, .event_type = "STEP_START"};
  strcpy(on_a.run_id, a->run_id);
  strcpy(on_b.run_id, b->run_id);
  task_start(&on_a, task_append);
  bool a_waits = store_waits_for_locks(f, 1);
  task_start(&on_b, task_append);
  bool b_done = task_wait(&on_b, 30);
  bool a_done_early = task_wait(&on_a, 0);
  /* Nothing of A is visible yet: the held id is not committed. */
  size_t n;
  store_events(f->s, a->run_id, 0, -1, f->a, &n, NULL, &err);
  raw_exec(holder, "COMMIT");
  PQfinish(holder);
  task_join(&on_a);
  task_join(&on_b);
  assert_true(a_waits);
  assert_true(b_done);
  assert_false(a_done_early);
  assert_int_equal(n, 0);
  assert_string_equal(on_a.error, "");
  assert_string_equal(on_b.error, "");
  assert_true(on_a.id > held_id);
  store_event *evs = store_events(f->s, a->run_id, 0, -1, f->a, &n, NULL, &err);
  assert_int_equal(n, 2);
  assert_int_equal(evs[0].id, held_id);
  assert_int_equal(evs[1].id, on_a.id);
  evs = store_events(f->s, a->run_id, held_id, -1, f->a, &n, NULL, &err);
  assert_int_equal(n, 1);
  assert_int_equal(evs[0].id, on_a.id);
  assert_int_equal(store_run_get(f->s, a->run_id, f->a, &err)->status, STORE_RUN_STARTED);
  assert_int_equal(store_events_last_id(f->s, b->run_id, &err), on_b.id);
  /* An append to a run that does not exist still says so. */
  task none = {.s = f->s, .event_type = "STEP_START"};
  strcpy(none.run_id, "no-such-run");
  task_append(&none);
  assert_int_equal(none.id, -1);
  assert_string_equal(none.error, "Run no-such-run was not found in instance.");
}

static void task_claim(task *t) {
  store_error err;
  if (store_worker_claim(t->s, "w1", 100, t->run_id, &t->found, &err) != 0)
    snprintf(t->error, sizeof t->error, "%s", err.message);
}

/* Another claimer holds the oldest offer's row (FOR UPDATE, transaction
 * open): a claim passes over it to the next offer instead of waiting. The
 * claim runs on a thread; should it wait after all, the holder lets go
 * after a deadline so that the test fails instead of hanging. */
static void test_worker_claim_skips_locked_offers(void **state) {
  fixture *f = need_server(state);
  store_error err;
  store_run *first = add_run(f, STORE_RUN_STARTING, 1);
  store_run *second = add_run(f, STORE_RUN_STARTING, 2);
  assert_int_equal(store_worker_offer(f->s, first->run_id, 1, &err), 0);
  assert_int_equal(store_worker_offer(f->s, second->run_id, 2, &err), 0);
  PGconn *holder = raw_connect(f);
  raw_exec(holder, "BEGIN");
  raw_exec(holder, "SELECT id FROM worker_offers ORDER BY id LIMIT 1 FOR UPDATE");

  task claim = {.s = f->s};
  task_start(&claim, task_claim);
  bool waited = !task_wait(&claim, 30);
  if (waited)
    raw_exec(holder, "ROLLBACK");
  task_join(&claim);
  if (waited) {
    PQfinish(holder);
    fail_msg("the claim waited for the locked offer");
  }
  assert_string_equal(claim.error, "");
  assert_true(claim.found);
  assert_string_equal(claim.run_id, second->run_id);
  /* With the first offer locked and the second taken, nothing is free. */
  char id[37];
  bool found = true;
  assert_int_equal(store_worker_claim(f->s, "w2", 100, id, &found, &err), 0);
  assert_false(found);
  /* The holder lets go without claiming: the first offer is free again. */
  raw_exec(holder, "ROLLBACK");
  PQfinish(holder);
  assert_int_equal(store_worker_claim(f->s, "w2", 100, id, &found, &err), 0);
  assert_true(found);
  assert_string_equal(id, first->run_id);
}

/* A claim that loses the race for the run's status: while a transaction
 * holds the run's row, a RUN_CANCELED append queues for it and then a
 * claim of the run's offer does (the offer itself is free). The cancel
 * gets the row first and commits CANCELED; the claim, re-checking the row
 * it waited for, finds the run no longer STARTING and drops the offer
 * instead of handing out a canceled run. */
static void test_claim_losing_the_status_race_drops_the_offer(void **state) {
  fixture *f = need_server(state);
  store_error err;
  store_run *r = add_run(f, STORE_RUN_STARTING, 1);
  assert_int_equal(store_worker_offer(f->s, r->run_id, 1, &err), 0);
  PGconn *holder = raw_connect(f);
  char sql[256];
  raw_exec(holder, "BEGIN");
  snprintf(sql, sizeof sql, "SELECT id FROM runs WHERE run_id = '%s' FOR NO KEY UPDATE", r->run_id);
  raw_exec(holder, sql);

  task cancel = {.s = f->s, .event_type = "RUN_CANCELED"}, claim = {.s = f->s};
  strcpy(cancel.run_id, r->run_id);
  task_start(&cancel, task_append);
  bool cancel_waits = store_waits_for_locks(f, 1);
  task_start(&claim, task_claim);
  bool both_wait = store_waits_for_locks(f, 2);
  raw_exec(holder, "COMMIT");
  PQfinish(holder);
  bool ended = task_wait(&cancel, 30) && task_wait(&claim, 30);
  task_join(&cancel);
  task_join(&claim);
  assert_true(cancel_waits);
  assert_true(both_wait);
  assert_true(ended);
  assert_string_equal(cancel.error, "");
  assert_string_equal(claim.error, "");
  assert_false(claim.found);
  assert_int_equal(raw(f, "SELECT count(*) FROM worker_offers WHERE worker_id = ''"), 1);
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_int_equal(g->status, STORE_RUN_CANCELED);
  assert_null(store_run_tag(g, STORE_TAG_WORKER));
}

/* ---- a network path the tests control ---- */

/* A TCP proxy in front of the test server, in one thread. It passes
 * connections through, and can move every session it carries to a new
 * server connection between two transactions, as PgBouncer in transaction
 * mode does (the session's prepared statements stay behind); or it closes
 * new connections at once (a server refusing them), or accepts them and
 * never answers (a host gone silent). Sessions must not use SSL (the
 * startup message is replayed to a new server connection). */
typedef enum { PROXY_PASS, PROXY_REFUSE, PROXY_HOLD } proxy_mode;

enum { PROXY_PAIRS = 16, STARTUP_MAX = 1024 };

typedef struct proxy_pair {
  int client, server; /* -1: unused */
  unsigned char startup[STARTUP_MAX];
  size_t startup_len;
  /* The client's message being read after the startup: its type and
   * length (head), the first bytes of its body, and how much is left. */
  unsigned char head[5];
  size_t head_len;
  unsigned char body[64];
  size_t body_len;
  uint32_t body_left;
} proxy_pair;

typedef struct proxy {
  struct sockaddr_in target;
  int listener, port;
  int wake[2]; /* the test's requests to the proxy thread */
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  /* Under lock. */
  proxy_mode mode;
  int refused, held;
  int switches_asked, switches_done;
  bool switch_failed, stop;
  int server_port; /* local port of the newest server connection */
  /* Messages of the clients: Parse of a named statement (preparing it),
   * Bind of a named one (using it). */
  int named_parses, named_binds;
  /* The startup message of the newest session. */
  unsigned char startup[STARTUP_MAX];
  size_t startup_len;
  /* The proxy thread's own. */
  proxy_pair pairs[PROXY_PAIRS];
  int holding[PROXY_PAIRS];
  int n_holding;
} proxy;

/* Sends or receives exactly n bytes; false when the peer is gone. */
static bool transfer_all(int fd, void *data, size_t n, bool sending) {
  char *p = data;
  while (n) {
    ssize_t k = sending ? send(fd, p, n, MSG_NOSIGNAL) : recv(fd, p, n, 0);
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0)
      return false;
    p += k;
    n -= (size_t)k;
  }
  return true;
}

static bool send_all(int fd, void *data, size_t n) { return transfer_all(fd, data, n, true); }

static bool recv_all(int fd, void *data, size_t n) { return transfer_all(fd, data, n, false); }

static void proxy_signal(proxy *x) {
  char b = 1;
  while (write(x->wake[1], &b, 1) < 0 && errno == EINTR) {
  }
}

static int proxy_connect_server(proxy *x) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, (const struct sockaddr *)&x->target, sizeof x->target) != 0) {
    close(fd);
    return -1;
  }
  struct sockaddr_in local;
  socklen_t len = sizeof local;
  getsockname(fd, (struct sockaddr *)&local, &len);
  pthread_mutex_lock(&x->lock);
  x->server_port = ntohs(local.sin_port);
  pthread_mutex_unlock(&x->lock);
  return fd;
}

static void pair_close(proxy_pair *p) {
  close(p->client);
  close(p->server);
  p->client = p->server = -1;
}

static void proxy_accept(proxy *x) {
  int fd = accept(x->listener, NULL, NULL);
  if (fd < 0)
    return;
  pthread_mutex_lock(&x->lock);
  proxy_mode mode = x->mode;
  x->refused += mode == PROXY_REFUSE;
  x->held += mode == PROXY_HOLD;
  pthread_cond_broadcast(&x->changed);
  pthread_mutex_unlock(&x->lock);
  if (mode == PROXY_HOLD && x->n_holding < PROXY_PAIRS) {
    x->holding[x->n_holding++] = fd;
    return;
  }
  proxy_pair *p = NULL;
  for (int i = 0; i < PROXY_PAIRS && !p; i++)
    if (x->pairs[i].client < 0)
      p = &x->pairs[i];
  int server = mode == PROXY_PASS && p ? proxy_connect_server(x) : -1;
  if (server < 0) {
    close(fd);
    return;
  }
  *p = (proxy_pair){.client = fd, .server = server};
}

/* Whether the client's first message (the startup message: length first,
 * no type) is complete. */
static bool startup_done(const proxy_pair *p) {
  uint32_t len;
  if (p->startup_len < 4)
    return false;
  memcpy(&len, p->startup, 4);
  return p->startup_len >= ntohl(len) || p->startup_len == STARTUP_MAX;
}

/* A client message read whole: Parse and Bind of named statements are
 * counted (Parse: the statement's name first; Bind: the portal's name,
 * then the statement's). */
static void client_message(proxy *x, const proxy_pair *p) {
  const unsigned char *b = p->body;
  size_t n = p->body_len;
  size_t portal_end = strnlen((const char *)b, n);
  bool named_parse = p->head[0] == 'P' && n > 0 && b[0] != 0;
  bool named_bind = p->head[0] == 'B' && portal_end + 1 < n && b[portal_end + 1] != 0;
  if (!named_parse && !named_bind)
    return;
  pthread_mutex_lock(&x->lock);
  x->named_parses += named_parse;
  x->named_binds += named_bind;
  pthread_mutex_unlock(&x->lock);
}

/* Follows what the client sends: its startup message is kept (to replay
 * it, see pair_switch, and for proxy_startup), then its messages are read
 * one by one for client_message. */
static void scan_client(proxy *x, proxy_pair *p, const unsigned char *data, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!startup_done(p)) {
      p->startup[p->startup_len++] = data[i];
      if (startup_done(p)) {
        pthread_mutex_lock(&x->lock);
        memcpy(x->startup, p->startup, p->startup_len);
        x->startup_len = p->startup_len;
        pthread_mutex_unlock(&x->lock);
      }
      continue;
    }
    if (p->head_len < sizeof p->head) {
      p->head[p->head_len++] = data[i];
      if (p->head_len < sizeof p->head)
        continue;
      uint32_t len;
      memcpy(&len, p->head + 1, 4);
      p->body_left = ntohl(len) >= 4 ? ntohl(len) - 4 : 0;
      p->body_len = 0;
    } else {
      if (p->body_len < sizeof p->body)
        p->body[p->body_len++] = data[i];
      p->body_left--;
    }
    if (p->body_left == 0) {
      client_message(x, p);
      p->head_len = 0;
    }
  }
}

static void relay(proxy *x, proxy_pair *p, bool from_client) {
  unsigned char data[16384];
  ssize_t n = recv(from_client ? p->client : p->server, data, sizeof data, 0);
  if (n < 0 && errno == EINTR)
    return;
  if (n <= 0) {
    pair_close(p);
    return;
  }
  if (from_client)
    scan_client(x, p, data, (size_t)n);
  if (!send_all(from_client ? p->server : p->client, data, (size_t)n))
    pair_close(p);
}

/* Moves a session to a new server connection: the startup message again,
 * the server's answers up to ReadyForQuery swallowed (trust
 * authentication only), the old server connection closed. */
static bool pair_switch(proxy *x, proxy_pair *p) {
  int fd = proxy_connect_server(x);
  if (fd < 0 || !send_all(fd, p->startup, p->startup_len)) {
    close(fd);
    return false;
  }
  for (;;) {
    unsigned char head[5], body[4096];
    uint32_t len;
    if (!recv_all(fd, head, sizeof head))
      break;
    memcpy(&len, head + 1, 4);
    len = ntohl(len);
    if (len < 4 || len - 4 > sizeof body || !recv_all(fd, body, len - 4))
      break;
    bool auth_ok = head[0] != 'R' || (len >= 8 && memcmp(body, "\0\0\0\0", 4) == 0);
    if (head[0] == 'E' || !auth_ok)
      break;
    if (head[0] == 'Z') {
      close(p->server);
      p->server = fd;
      return true;
    }
  }
  close(fd);
  return false;
}

static void *proxy_main(void *arg) {
  proxy *x = arg;
  for (;;) {
    struct pollfd fds[2 + 2 * PROXY_PAIRS];
    fds[0] = (struct pollfd){.fd = x->wake[0], .events = POLLIN};
    fds[1] = (struct pollfd){.fd = x->listener, .events = POLLIN};
    for (int i = 0; i < PROXY_PAIRS; i++) {
      fds[2 + 2 * i] = (struct pollfd){.fd = x->pairs[i].client, .events = POLLIN};
      fds[3 + 2 * i] = (struct pollfd){.fd = x->pairs[i].server, .events = POLLIN};
    }
    if (poll(fds, 2 + 2 * PROXY_PAIRS, -1) < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    if (fds[0].revents) {
      char b;
      if (read(x->wake[0], &b, 1) < 0 && errno != EINTR)
        break;
      pthread_mutex_lock(&x->lock);
      bool stop = x->stop;
      int asked = x->switches_asked;
      bool switching = asked != x->switches_done;
      pthread_mutex_unlock(&x->lock);
      if (stop)
        break;
      bool ok = true;
      for (int i = 0; switching && i < PROXY_PAIRS; i++)
        if (x->pairs[i].client >= 0)
          ok = pair_switch(x, &x->pairs[i]) && ok;
      pthread_mutex_lock(&x->lock);
      x->switch_failed |= !ok;
      x->switches_done = asked;
      pthread_cond_broadcast(&x->changed);
      pthread_mutex_unlock(&x->lock);
      continue; /* the server sockets may have changed */
    }
    if (fds[1].revents & POLLIN)
      proxy_accept(x);
    for (int i = 0; i < PROXY_PAIRS; i++) {
      if (x->pairs[i].client >= 0 && fds[2 + 2 * i].revents)
        relay(x, &x->pairs[i], true);
      if (x->pairs[i].client >= 0 && fds[3 + 2 * i].revents)
        relay(x, &x->pairs[i], false);
    }
  }
  return NULL;
}

/* Starts a proxy to the test server; false when that server is not on an
 * IPv4 address (the tests that need one are skipped). */
static bool proxy_start(proxy *x) {
  memset(x, 0, sizeof *x);
  PQconninfoOption *opts = PQconninfoParse(pg_url(), NULL);
  const char *host = NULL, *port = NULL;
  for (PQconninfoOption *o = opts; o && o->keyword; o++) {
    if (strcmp(o->keyword, "host") == 0)
      host = o->val;
    if (strcmp(o->keyword, "port") == 0)
      port = o->val;
  }
  x->target.sin_family = AF_INET;
  x->target.sin_port = htons((uint16_t)(port ? atoi(port) : 5432));
  bool ipv4 = host && inet_pton(AF_INET, host, &x->target.sin_addr) == 1;
  PQconninfoFree(opts);
  if (!ipv4)
    return false;
  for (int i = 0; i < PROXY_PAIRS; i++)
    x->pairs[i].client = x->pairs[i].server = -1;
  x->listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in at = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof at;
  assert_int_equal(bind(x->listener, (struct sockaddr *)&at, sizeof at), 0);
  assert_int_equal(listen(x->listener, 16), 0);
  getsockname(x->listener, (struct sockaddr *)&at, &len);
  x->port = ntohs(at.sin_port);
  assert_int_equal(pipe(x->wake), 0);
  pthread_mutex_init(&x->lock, NULL);
  pthread_cond_init(&x->changed, NULL);
  assert_int_equal(pthread_create(&x->thread, NULL, proxy_main, x), 0);
  return true;
}

static void proxy_stop(proxy *x) {
  pthread_mutex_lock(&x->lock);
  x->stop = true;
  pthread_mutex_unlock(&x->lock);
  proxy_signal(x);
  pthread_join(x->thread, NULL);
  for (int i = 0; i < PROXY_PAIRS; i++)
    if (x->pairs[i].client >= 0)
      pair_close(&x->pairs[i]);
  for (int i = 0; i < x->n_holding; i++)
    close(x->holding[i]);
  close(x->listener);
  close(x->wake[0]);
  close(x->wake[1]);
  pthread_cond_destroy(&x->changed);
  pthread_mutex_destroy(&x->lock);
}

static void proxy_set_mode(proxy *x, proxy_mode mode) {
  pthread_mutex_lock(&x->lock);
  x->mode = mode;
  pthread_mutex_unlock(&x->lock);
}

/* Moves every session to a new server connection; whether that worked. */
static bool proxy_switch(proxy *x) {
  pthread_mutex_lock(&x->lock);
  int asked = ++x->switches_asked;
  pthread_mutex_unlock(&x->lock);
  proxy_signal(x);
  pthread_mutex_lock(&x->lock);
  while (x->switches_done < asked)
    pthread_cond_wait(&x->changed, &x->lock);
  bool ok = !x->switch_failed;
  pthread_mutex_unlock(&x->lock);
  return ok;
}

/* Reads a counter of the proxy (under its lock). */
static int proxy_count(proxy *x, const int *counter) {
  pthread_mutex_lock(&x->lock);
  int v = *counter;
  pthread_mutex_unlock(&x->lock);
  return v;
}

/* Whether the counter reaches at_least within 30 s. */
static bool proxy_wait_count(proxy *x, const int *counter, int at_least) {
  struct timespec at = deadline_in(30);
  pthread_mutex_lock(&x->lock);
  while (*counter < at_least && pthread_cond_timedwait(&x->changed, &x->lock, &at) == 0) {
  }
  bool reached = *counter >= at_least;
  pthread_mutex_unlock(&x->lock);
  return reached;
}

/* A conninfo for the test server through the proxy (no SSL, see proxy),
 * then `tail` (key=value settings that come after, so win). */
static void conninfo_through(const proxy *x, const char *tail, char *out, size_t n) {
  PQconninfoOption *opts = PQconninfoParse(pg_url(), NULL);
  int len = snprintf(out, n, "host=127.0.0.1 port=%d sslmode=disable gssencmode=disable", x->port);
  for (PQconninfoOption *o = opts; o && o->keyword; o++)
    if (o->val && (strcmp(o->keyword, "user") == 0 || strcmp(o->keyword, "dbname") == 0 ||
                   strcmp(o->keyword, "password") == 0))
      len += snprintf(out + len, n - (size_t)len, " %s='%s'", o->keyword, o->val);
  snprintf(out + len, n - (size_t)len, " %s", tail);
  PQconninfoFree(opts);
}

/* conninfo_through for the fixture's schema, then `extra`. */
static void conninfo_via(const fixture *f, const proxy *x, const char *extra, char *out, size_t n) {
  char tail[512];
  snprintf(tail, sizeof tail, "options='-csearch_path=%s' %s", f->schema, extra);
  conninfo_through(x, tail, out, n);
}

/* Starts a proxy (skipping the test when it cannot be started) and opens
 * a store of the fixture's schema through it; its conninfo into out
 * (NULL: not wanted). */
static store *open_via_proxy(const fixture *f, proxy *x, char *out, size_t n) {
  char conninfo[1024];
  if (!proxy_start(x))
    skip();
  conninfo_via(f, x, "", conninfo, sizeof conninfo);
  if (out)
    snprintf(out, n, "%s", conninfo);
  store_error err;
  store *s = store_open_postgres(conninfo, &err);
  if (!s)
    fail_msg("open through the proxy: %s", err.message);
  return s;
}

/* The value of `name` in the startup message of the proxy's newest
 * session (NULL: absent), into out. */
static const char *proxy_startup_param(proxy *x, const char *name, char *out, size_t n) {
  pthread_mutex_lock(&x->lock);
  const char *found = NULL;
  size_t len = x->startup_len;
  const char *msg = (const char *)x->startup;
  for (size_t at = 8; at < len && msg[at];) { /* after the length and the protocol */
    const char *key = msg + at;
    const char *value = key + strnlen(key, len - at) + 1;
    if (value >= msg + len)
      break;
    if (strcmp(key, name) == 0) {
      snprintf(out, n, "%.*s", (int)strnlen(value, (size_t)(msg + len - value)), value);
      found = out;
    }
    at = (size_t)(value - msg) + strnlen(value, (size_t)(msg + len - value)) + 1;
  }
  pthread_mutex_unlock(&x->lock);
  return found;
}

/* What a session started with the startup parameters of the proxy's
 * newest session (straight to the test server) shows for `setting`. */
static void shown_by_proxied_session(proxy *x, const char *setting, char *out, size_t n) {
  static const char *const names[][2] = {
      {"user", "user"}, {"database", "dbname"}, {"options", "options"}};
  char values[3][512];
  const char *keys[8], *vals[8];
  int k = 0;
  keys[k] = "dbname"; /* the server's address and password */
  vals[k++] = pg_url();
  for (int i = 0; i < 3; i++)
    if (proxy_startup_param(x, names[i][0], values[i], sizeof values[i])) {
      keys[k] = names[i][1];
      vals[k++] = values[i];
    }
  keys[k] = vals[k] = NULL;
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(pg) != CONNECTION_OK)
    fail_msg("as the proxied session: %s", PQerrorMessage(pg));
  char sql[128];
  snprintf(sql, sizeof sql, "SHOW %s", setting);
  PGresult *res = PQexec(pg, sql);
  assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
  snprintf(out, n, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  PQfinish(pg);
}

static void task_open(task *t) {
  store_error err;
  t->opened = store_open_postgres(t->conninfo, &err);
  if (!t->opened)
    snprintf(t->error, sizeof t->error, "%s", err.message);
}

static void task_add_run(task *t) {
  store_run r = {.job_name = "j", .status = STORE_RUN_QUEUED};
  strcpy(r.run_id, t->run_id);
  store_error err;
  if (store_run_add(t->s, &r, &err) != 0)
    snprintf(t->error, sizeof t->error, "%s", err.message);
}

/* ---- connecting ---- */

/* Only the open fails at once when the server cannot be reached. A call
 * that must connect (here the pool's one connection, the open's, was
 * ended by the server meanwhile) and meets a server refusing connections
 * tries again, and gets through once the server takes connections again. */
static void test_connecting_inside_a_call_is_retried(void **state) {
  fixture *f = need_server(state);
  proxy x;
  char conninfo[1024];
  store *s = open_via_proxy(f, &x, conninfo, sizeof conninfo);
  store_error err;
  char sql[160];
  int port = proxy_count(&x, &x.server_port);
  snprintf(sql, sizeof sql,
           "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE client_port = %d",
           port);
  assert_int_equal(pg_raw(pg_url(), sql), 1);
  snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_stat_activity WHERE client_port = %d", port);
  for (time_t until = time(NULL) + 30; pg_raw(pg_url(), sql) != 0;)
    if (time(NULL) > until)
      fail_msg("the store's connection outlived its termination");

  proxy_set_mode(&x, PROXY_REFUSE);
  task t = {.s = s};
  store_new_run_id(t.run_id);
  task_start(&t, task_add_run);
  bool retried = proxy_wait_count(&x, &x.refused, 2);
  proxy_set_mode(&x, PROXY_PASS);
  bool done = task_wait(&t, 60);
  if (!done) {
    proxy_stop(&x); /* the thread's attempts fail from here on, and end */
    task_join(&t);
    fail_msg("the call's connection was never made");
  }
  task_join(&t);
  assert_true(retried);
  assert_string_equal(t.error, "");
  assert_non_null(store_run_get(s, t.run_id, f->a, &err));
  store_close(s);

  /* The open itself tries once. */
  proxy_set_mode(&x, PROXY_REFUSE);
  int before = proxy_count(&x, &x.refused);
  assert_null(store_open_postgres(conninfo, &err));
  assert_non_null(strstr(err.message, "Cannot connect to PostgreSQL: "));
  assert_int_equal(proxy_count(&x, &x.refused), before + 1);
  proxy_stop(&x);
}

/* The TCP settings of this process's sockets to the proxy's port, that is
 * of the store's connections through it (the proxy's own sockets have
 * that port on their side); how many there are. */
typedef struct tcp_settings {
  int keepalive, idle, interval, count, user_timeout;
} tcp_settings;

static int store_sockets(const proxy *x, tcp_settings *out) {
  int found = 0;
  for (int fd = 0; fd < 1024; fd++) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_family != AF_INET ||
        ntohs(peer.sin_port) != x->port)
      continue;
    found++;
    socklen_t n = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &out->keepalive, &n);
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &out->idle, &n);
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &out->interval, &n);
    getsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &out->count, &n);
    getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &out->user_timeout, &n);
  }
  return found;
}

/* The application name the server shows for the proxy's newest server
 * connection is `name`. */
static bool shows_application_name(proxy *x, const char *name) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT count(*) FROM pg_stat_activity WHERE client_port = %d "
           "AND application_name = '%s'",
           proxy_count(x, &x->server_port), name);
  return pg_raw(pg_url(), sql) == 1;
}

/* dagd's connection settings: keepalives and a TCP user timeout (so a
 * half-open connection fails instead of blocking), the application name
 * "dagd" and a connect timeout; the user's string overrides each. A
 * server that accepts and never answers ends the open after the connect
 * timeout (dagd's 10 s, or the string's) instead of never. */
static void test_connection_settings(void **state) {
  fixture *f = need_server(state);
  proxy x;
  if (!proxy_start(&x))
    skip();
  char plain[1024], own[1024];
  conninfo_via(f, &x, "", plain, sizeof plain);
  conninfo_via(f, &x, "application_name=mine keepalives_idle=45 tcp_user_timeout=5000", own,
               sizeof own);
  store_error err;
  store *s = store_open_postgres(plain, &err);
  assert_non_null(s);
  assert_true(shows_application_name(&x, "dagd"));
  tcp_settings t = {0};
  assert_int_equal(store_sockets(&x, &t), 1);
  assert_int_equal(t.keepalive, 1);
  assert_int_equal(t.idle, 30);
  assert_int_equal(t.interval, 10);
  assert_int_equal(t.count, 3);
  assert_int_equal(t.user_timeout, 60000);
  store_close(s);
  s = store_open_postgres(own, &err);
  assert_non_null(s);
  assert_true(shows_application_name(&x, "mine"));
  assert_int_equal(store_sockets(&x, &t), 1);
  assert_int_equal(t.idle, 45);
  assert_int_equal(t.interval, 10);
  assert_int_equal(t.user_timeout, 5000);
  store_close(s);

  proxy_set_mode(&x, PROXY_HOLD);
  conninfo_via(f, &x, "connect_timeout=2", own, sizeof own);
  task by_default = {.conninfo = plain}, by_string = {.conninfo = own};
  task_start(&by_default, task_open);
  task_start(&by_string, task_open);
  bool ended = task_wait(&by_string, 60) && task_wait(&by_default, 60);
  proxy_stop(&x); /* closes the held connections: nothing waits after this */
  task_join(&by_default);
  task_join(&by_string);
  assert_true(ended);
  assert_null(by_default.opened);
  assert_null(by_string.opened);
  assert_non_null(strstr(by_default.error, "timeout expired"));
  assert_non_null(strstr(by_string.error, "timeout expired"));
  assert_true(x.held >= 2);
}

/* A transaction whose client vanished cannot hold its locks for long: the
 * store's sessions start with idle_in_transaction_session_timeout at a
 * minute (in the startup options, which the server applies as the session
 * begins). The string's own options replace dagd's; options='' sends
 * none. The default case needs a store without options of its own, so
 * it opens in a database of its own (its tables in public there). */
static void test_idle_transactions_time_out(void **state) {
  fixture *f = need_server(state);
  proxy x;
  if (!proxy_start(&x))
    skip();
  char db[64], sql[128], conninfo[1024], tail[128], shown[64], value[512];
  snprintf(db, sizeof db, "dagd_options_%ld", (long)getpid());
  snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
  assert_int_equal(pg_raw(pg_url(), sql), 0);
  store_error err;

  snprintf(tail, sizeof tail, "dbname=%s", db);
  conninfo_through(&x, tail, conninfo, sizeof conninfo);
  store *s = store_open_postgres(conninfo, &err);
  if (!s)
    fail_msg("open: %s", err.message);
  assert_non_null(proxy_startup_param(&x, "options", value, sizeof value));
  assert_string_equal(value, "-c idle_in_transaction_session_timeout=60000");
  shown_by_proxied_session(&x, "idle_in_transaction_session_timeout", shown, sizeof shown);
  assert_string_equal(shown, "1min");
  store_close(s);

  snprintf(tail, sizeof tail, "dbname=%s options=''", db);
  conninfo_through(&x, tail, conninfo, sizeof conninfo);
  s = store_open_postgres(conninfo, &err);
  assert_non_null(s);
  assert_null(proxy_startup_param(&x, "options", value, sizeof value));
  store_close(s);

  conninfo_via(f, &x, "", conninfo, sizeof conninfo);
  s = store_open_postgres(conninfo, &err);
  assert_non_null(s);
  assert_non_null(proxy_startup_param(&x, "options", value, sizeof value));
  char want[128];
  snprintf(want, sizeof want, "-csearch_path=%s", f->schema);
  assert_string_equal(value, want);
  shown_by_proxied_session(&x, "idle_in_transaction_session_timeout", shown, sizeof shown);
  assert_string_not_equal(shown, "1min");
  store_close(s);
  proxy_stop(&x);
  snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db);
  assert_int_equal(pg_raw(pg_url(), sql), 0);
}

/* ---- prepared statements that vanish or go stale ---- */

/* Statement shapes: every combination of seven optional run filters is a
 * statement text of its own, twice as many as a connection caches. */
enum { SHAPES = 128 };

/* A run that every filter of shape_filter matches. */
static store_run *shapes_run(fixture *f) {
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 100, "k", "v", NULL);
  r->snapshot_id = "snap";
  ADD_RUN(f->s, r);
  return r;
}

static store_runs_filter shape_filter(unsigned mask) {
  return (store_runs_filter){
      .job_name = mask & 1 ? "j" : NULL,
      .mode = mask & 2 ? "default" : NULL,
      .snapshot_id = mask & 4 ? "snap" : NULL,
      .created_before = mask & 8 ? 200 : 0,
      .created_after = mask & 16 ? 50 : 0,
      .updated_before = mask & 32 ? 200 : 0,
      .updated_after = mask & 64 ? 50 : 0,
  };
}

/* The proxy moves the store's session to a new server connection between
 * two operations, as PgBouncer in transaction mode may: the statements the
 * store prepared are gone. The first operation after the first move fails
 * once on its prepared statement (26000) and runs again; from then on the
 * connection prepares nothing (no named Parse) and uses no prepared
 * statement (no named Bind), so later moves cost no failed attempt. */
static void test_pooler_moves_end_prepared_statements(void **state) {
  fixture *f = need_server(state);
  proxy x;
  store *s = open_via_proxy(f, &x, NULL, 0);
  store_error err;
  store_run *r = shapes_run(f);
  store_event ev = {.level = 20, .message = "m", .event_type = "STEP_START"};
  strcpy(ev.run_id, r->run_id);
  int parses = 0, binds = 0;
  for (int round = 0; round < 4; round++) {
    store_run *g = store_run_get(s, r->run_id, f->a, &err);
    if (!g)
      fail_msg("round %d: %s", round, err.message);
    assert_string_equal(store_run_tag(g, "k"), "v");
    int64_t id = store_event_append(s, &ev, &err);
    if (id <= 0)
      fail_msg("round %d, append: %s", round, err.message);
    assert_int_equal(store_events_last_id(s, r->run_id, &err), id);
    int now_parses = proxy_count(&x, &x.named_parses), now_binds = proxy_count(&x, &x.named_binds);
    if (round == 0) {
      assert_true(now_parses >= 3); /* prepared before any move */
      assert_true(now_binds >= 3);
    } else if (round == 1) {
      assert_int_equal(now_parses, parses);   /* the retry prepared nothing */
      assert_int_equal(now_binds, binds + 1); /* the one attempt that failed */
    } else {
      assert_int_equal(now_parses, parses);
      assert_int_equal(now_binds, binds);
    }
    parses = now_parses;
    binds = now_binds;
    int before = proxy_count(&x, &x.server_port);
    assert_true(proxy_switch(&x));
    assert_int_not_equal(proxy_count(&x, &x.server_port), before);
  }
  store_close(s);
  proxy_stop(&x);
}

/* A move while the connection's cache is full (the newest SHAPES / 2
 * shapes): the first statement after it is a new one, and making room for
 * it deallocates a statement the session no longer has (26000 too). Every
 * shape still runs. */
static void test_pooler_move_with_a_full_cache(void **state) {
  fixture *f = need_server(state);
  proxy x;
  store *s = open_via_proxy(f, &x, NULL, 0);
  store_error err;
  shapes_run(f);
  for (unsigned mask = 0; mask < SHAPES; mask++) {
    store_runs_filter flt = shape_filter(mask);
    assert_int_equal(store_runs_count(s, &flt, &err), 1);
  }
  assert_true(proxy_switch(&x));
  for (unsigned mask = 0; mask < SHAPES; mask++) {
    store_runs_filter flt = shape_filter(mask);
    int64_t n = store_runs_count(s, &flt, &err);
    if (n != 1)
      fail_msg("shape %u after the switch: %lld (%s)", mask, (long long)n, err.message);
  }
  store_close(s);
  proxy_stop(&x);
}

/* A table changes under a cached statement (a newer dagd's migration):
 * PostgreSQL refuses the statement ("cached plan must not change result
 * type"), and the store prepares it again. */
static void test_stale_statements_are_prepared_again(void **state) {
  fixture *f = need_server(state);
  store_error err;
  store_run *r = add_run(f, STORE_RUN_QUEUED, 1);
  assert_non_null(store_run_get(f->s, r->run_id, f->a, &err));
  raw(f, "ALTER TABLE runs ALTER COLUMN mode TYPE varchar(200)");
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  if (!g)
    fail_msg("run_get after the change: %s", err.message);
  assert_string_equal(g->mode, "default");
}

/* ---- lists as parameters ---- */

/* Tags go in one statement as text arrays: texts with array syntax in
 * them (quotes, backslashes, commas, braces, NULL, spaces, "") and any
 * UTF-8 come back as they were; of a key given twice the last value wins.
 * Run-id filters go as arrays too. */
static void test_awkward_texts_in_arrays(void **state) {
  fixture *f = need_server(state);
  store_error err;
  static const store_tag awkward[] = {
      {"quote\"d", "a \"quoted\" value"},
      {"back\\slash", "C:\\path\\"},
      {"comma,key", "a,b,c"},
      {"{braces}", "{}"},
      {"NULL", "NULL"},
      {"null", ""},
      {"", "empty key"},
      {" spaced ", " padded "},
      {"dup", "first"},
      {"unicode \xc3\xa9", "\xe2\x82\xac \xf0\x9f\x9a\x80"},
      {"dup", "second"},
  };
  enum { N = sizeof awkward / sizeof *awkward };
  store_run *r = make_run(f->a, "j", STORE_RUN_QUEUED, 1, NULL);
  r->tags = awkward;
  r->n_tags = N;
  ADD_RUN(f->s, r);
  store_run *g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_int_equal(g->n_tags, N - 1);
  for (size_t i = 0; i < N; i++)
    if (strcmp(awkward[i].key, "dup") != 0)
      assert_string_equal(store_run_tag(g, awkward[i].key), awkward[i].value);
  assert_string_equal(store_run_tag(g, "dup"), "second");

  static const store_tag more[] = {
      {"comma,key", "x\"y\\z"}, {"dup", "third"}, {"new}", "{\"a\": [1, 2]}"}, {"dup", "fourth"}};
  assert_int_equal(store_run_add_tags(f->s, r->run_id, more, 4, &err), 0);
  g = store_run_get(f->s, r->run_id, f->a, &err);
  assert_int_equal(g->n_tags, N);
  assert_string_equal(store_run_tag(g, "comma,key"), "x\"y\\z");
  assert_string_equal(store_run_tag(g, "dup"), "fourth");
  assert_string_equal(store_run_tag(g, "new}"), "{\"a\": [1, 2]}");
  assert_string_equal(store_run_tag(g, "quote\"d"), "a \"quoted\" value");
  assert_int_equal(store_run_add_tags(f->s, "no-such-run", more, 1, &err), -1);

  /* Ids that look like array syntax match nothing; the real one matches. */
  const char *ids[] = {"no\"such", "a,b", "{x}", "NULL", "", r->run_id, "back\\"};
  store_runs_filter by_ids = {.run_ids = ids, .n_run_ids = 7};
  size_t n;
  store_run *runs = store_runs_list(f->s, &by_ids, NULL, -1, f->a, &n, &err);
  assert_int_equal(n, 1);
  assert_string_equal(runs[0].run_id, r->run_id);
  assert_int_equal(store_runs_count(f->s, &by_ids, &err), 1);
  by_ids.n_run_ids = 5;
  assert_int_equal(store_runs_count(f->s, &by_ids, &err), 0);
  store_runs_filter by_tag = {.tags = &awkward[1], .n_tags = 1};
  assert_int_equal(store_runs_count(f->s, &by_tag, &err), 1);
}

/* More statement shapes than a connection caches (every combination of
 * seven optional filters, each its own text): cached statements are
 * replaced, and results stay right. (Lists of run ids no longer make
 * shapes of their own.) */
static void test_more_shapes_than_the_cache(void **state) {
  fixture *f = need_server(state);
  store_run *r = shapes_run(f);
  store_error err;
  for (int round = 0; round < 2; round++)
    for (unsigned mask = 0; mask < SHAPES; mask++) {
      store_runs_filter flt = shape_filter(mask);
      size_t n;
      store_run *runs = round ? store_runs_list(f->s, &flt, NULL, -1, f->a, &n, &err) : NULL;
      if (round) {
        assert_int_equal(n, 1);
        assert_string_equal(runs[0].run_id, r->run_id);
      }
      assert_int_equal(store_runs_count(f->s, &flt, &err), 1);
      flt.created_after = 150; /* after the run's creation: none match */
      assert_int_equal(store_runs_count(f->s, &flt, &err), 0);
    }
}

/* ---- the test server script ---- */

/* scripts/postgres-test.sh leaves a folder it did not make alone: `start`
 * neither chowns nor fills it, `stop` does not delete it. (Run from the
 * source folder, as CTest does; skipped elsewhere.) */
static void test_server_script_leaves_foreign_folders(void **state) {
  (void)state;
  if (access("scripts/postgres-test.sh", R_OK) != 0)
    skip();
  char dir[] = "/tmp/dagd-foreign-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char file[64], cmd[160];
  snprintf(file, sizeof file, "%s/mine", dir);
  FILE *out = fopen(file, "w");
  fputs("keep", out);
  fclose(out);
  static const char *const verbs[] = {"start", "stop"};
  for (int i = 0; i < 2; i++) {
    snprintf(cmd, sizeof cmd, "sh scripts/postgres-test.sh %s %s 2>/dev/null", verbs[i], dir);
    int status = system(cmd);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    assert_int_equal(access(file, R_OK), 0);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_uid, getuid());
  }
  remove(file);
  assert_int_equal(rmdir(dir), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_open_refuses_bad_conninfo),
      T(test_migrations_fresh_and_reopen),
      T(test_migrations_refuse_newer_database),
      T(test_migrations_upgrade_older_database),
      T(test_reconnects_after_connection_loss),
      T(test_concurrent_appends_tail_exactly_once),
      T(test_concurrent_claims_have_one_winner),
      T(test_opens_without_create_rights),
      T(test_text_stays_utf8),
      T(test_appends_serialize_per_run),
      T(test_connecting_inside_a_call_is_retried),
      T(test_connection_settings),
      T(test_idle_transactions_time_out),
      T(test_pooler_moves_end_prepared_statements),
      T(test_pooler_move_with_a_full_cache),
      T(test_stale_statements_are_prepared_again),
      T(test_awkward_texts_in_arrays),
      T(test_more_shapes_than_the_cache),
      T(test_server_script_leaves_foreign_folders),
      T(test_worker_claim_skips_locked_offers),
      T(test_worker_offer_notifies),
      T(test_append_notifies_after_commit),
      T(test_claim_losing_the_status_race_drops_the_offer),
  };
  if (!pg_url())
    fprintf(stderr, "postgres: skipped (no test server: DAGD_TEST_POSTGRES_URL is not set)\n");
  int failed = cmocka_run_group_tests(tests, NULL, NULL);
  pg_url_free();
  return failed;
}
