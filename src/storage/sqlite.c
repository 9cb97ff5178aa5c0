/* sqlite.c — the SQLite store: one database file shared by every thread
 * and process of an instance.
 *
 * Each thread gets its own connection (a pthread key; closed when the
 * thread exits or at store_close, whichever comes first) with its prepared
 * statements cached by SQL text. The file is in WAL mode (readers never
 * block the writer), with synchronous=NORMAL, foreign keys on and a busy
 * timeout. Every operation runs in a transaction (txn): writes in BEGIN
 * IMMEDIATE, so a writer takes the lock up front instead of failing to
 * upgrade later, and an operation that still meets SQLITE_BUSY or
 * SQLITE_LOCKED rolls back and runs again after a randomised, growing
 * pause, for up to a minute, so "database is locked" does not reach a
 * caller. Operations are written as bodies that can run more than once.
 *
 * A store must not cross fork(): a child process opens its own. The schema
 * and its migrations are in sqlite_migrations.c. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "storage/sqlite_internal.h"
#include "storage/store_internal.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum {
  CACHE_SLOTS = 64,       /* prepared statements kept per connection */
  BUSY_TIMEOUT_MS = 1000, /* SQLite's own wait for a lock, per attempt */
  BACKOFF_MAX_US = 100000,
};
#define RETRY_DEADLINE_S 60.0

/* A body's return value for an error it has described in err (not to be
 * retried); otherwise bodies return SQLite result codes. */
#define BODY_FAILED (-1)

typedef struct cached_stmt {
  uint64_t hash;
  char *sql;
  sqlite3_stmt *st;
} cached_stmt;

typedef struct sq_store sq_store;

/* One thread's connection. */
typedef struct conn {
  sqlite3 *db;
  sq_store *owner;
  struct conn *prev, *next;
  cached_stmt cache[CACHE_SLOTS];
  size_t n_cached;
  size_t hand;     /* the slot replaced next when the cache is full */
  uint64_t jitter; /* xorshift state for the retry pauses */
} conn;

struct sq_store {
  store base;
  char *path;
  pthread_key_t key;    /* this store's connection of the calling thread */
  pthread_mutex_t lock; /* guards conns, the list of every thread's connection */
  conn *conns;
};

/* ---- connections and statements ---- */

/* Describes a failed SQLite call in err (the connection's message when it
 * is about this failure) and returns rc. */
static int db_fail(conn *c, store_error *err, int rc) {
  const char *why =
      sqlite3_extended_errcode(c->db) == rc ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc);
  store_fail(err, "Storage error (%s): %s", c->owner->path, why);
  return rc;
}

static bool is_busy(int rc) { return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED; }

static void conn_close(conn *c) {
  for (size_t i = 0; i < c->n_cached; i++) {
    sqlite3_finalize(c->cache[i].st);
    free(c->cache[i].sql);
  }
  sqlite3_close_v2(c->db);
  free(c);
}

/* The pthread key's destructor: a thread that exits closes its connection. */
static void conn_thread_exit(void *p) {
  conn *c = p;
  sq_store *s = c->owner;
  pthread_mutex_lock(&s->lock);
  if (c->prev)
    c->prev->next = c->next;
  else
    s->conns = c->next;
  if (c->next)
    c->next->prev = c->prev;
  pthread_mutex_unlock(&s->lock);
  conn_close(c);
}

static conn *conn_open(sq_store *s, store_error *err) {
  conn *c = xcalloc(1, sizeof *c);
  c->owner = s;
  c->jitter = (uint64_t)(uintptr_t)c ^ (uint64_t)(clock_now() * 1e6) ^ 0x9e3779b97f4a7c15u;
  int rc = sqlite3_open_v2(s->path, &c->db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    rc =
        sqlite3_exec(c->db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
  }
  if (rc != SQLITE_OK) {
    store_fail(err, "Cannot open the database %s: %s", s->path,
               c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    conn_close(c);
    return NULL;
  }
  return c;
}

/* The calling thread's connection, opened on its first use. */
static conn *conn_get(sq_store *s, store_error *err) {
  conn *c = pthread_getspecific(s->key);
  if (c)
    return c;
  c = conn_open(s, err);
  if (!c)
    return NULL;
  pthread_mutex_lock(&s->lock);
  c->next = s->conns;
  if (s->conns)
    s->conns->prev = c;
  s->conns = c;
  pthread_mutex_unlock(&s->lock);
  pthread_setspecific(s->key, c);
  return c;
}

static uint64_t hash_sql(const char *sql) {
  uint64_t h = 0xcbf29ce484222325u;
  for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  return h;
}

/* The prepared statement for sql, from the cache or prepared now (it may
 * replace a cached one, so a statement must be reset before the next call);
 * NULL with *rc set when SQLite rejects it. */
static sqlite3_stmt *stmt(conn *c, const char *sql, int *rc) {
  uint64_t h = hash_sql(sql);
  for (size_t i = 0; i < c->n_cached; i++)
    if (c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0)
      return c->cache[i].st;
  sqlite3_stmt *st = NULL;
  *rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
  if (*rc != SQLITE_OK)
    return NULL;
  cached_stmt *slot;
  if (c->n_cached < CACHE_SLOTS) {
    slot = &c->cache[c->n_cached++];
  } else {
    slot = &c->cache[c->hand];
    c->hand = (c->hand + 1) % CACHE_SLOTS;
    sqlite3_finalize(slot->st);
    free(slot->sql);
  }
  slot->hash = h;
  slot->sql = xstrdup(sql);
  slot->st = st;
  return st;
}

/* Runs a statement without parameters or rows (BEGIN, COMMIT, …). */
static int exec(conn *c, const char *sql) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c, sql, &rc);
  if (!st)
    return rc;
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Steps a statement that returns no rows (INSERT, UPDATE, DELETE) and resets it. */
static int step_done(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Ends a failed attempt: every statement reset, the transaction rolled back. */
static void abandon(conn *c) {
  for (sqlite3_stmt *st = sqlite3_next_stmt(c->db, NULL); st; st = sqlite3_next_stmt(c->db, st))
    sqlite3_reset(st);
  if (!sqlite3_get_autocommit(c->db))
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

typedef int (*txn_body)(conn *c, void *ctx, store_error *err);

/* Runs body in a transaction of the calling thread's connection (write:
 * BEGIN IMMEDIATE), again from the start while SQLite reports contention. */
static int txn(sq_store *s, bool write, txn_body body, void *ctx, store_error *err) {
  conn *c = conn_get(s, err);
  if (!c)
    return -1;
  double start = 0;
  unsigned delay_us = 1000;
  for (;;) {
    err->message[0] = '\0';
    int rc = exec(c, write ? "BEGIN IMMEDIATE" : "BEGIN");
    if (rc == SQLITE_OK) {
      rc = body(c, ctx, err);
      if (rc == SQLITE_OK)
        rc = exec(c, "COMMIT");
    }
    if (rc == SQLITE_OK)
      return 0;
    abandon(c);
    if (rc == BODY_FAILED)
      return -1;
    double now = clock_now();
    if (start == 0)
      start = now;
    if (!is_busy(rc) || now - start > RETRY_DEADLINE_S) {
      if (!err->message[0] || is_busy(rc))
        db_fail(c, err, rc);
      return -1;
    }
    store_retry_pause(&c->jitter, &delay_us, BACKOFF_MAX_US);
  }
}

/* ---- values in and out ---- */

static void bind_str(sqlite3_stmt *st, int i, const char *v) {
  if (v)
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, i);
}

/* Times: 0 ("not set") is stored as NULL. */
static void bind_time(sqlite3_stmt *st, int i, double t) {
  if (t > 0)
    sqlite3_bind_double(st, i, t);
  else
    sqlite3_bind_null(st, i);
}

static const char *col_str(sqlite3_stmt *st, int i, arena *a) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL)
    return NULL;
  const char *t = (const char *)sqlite3_column_text(st, i);
  return arena_strndup(a, t, (size_t)sqlite3_column_bytes(st, i));
}

static void col_id(sqlite3_stmt *st, int i, char out[37]) {
  const char *t = (const char *)sqlite3_column_text(st, i);
  snprintf(out, 37, "%s", t ? t : "");
}

/* ---- runs ---- */

#define RUN_COLUMNS                                                                                \
  "r.id, r.run_id, r.job_name, r.repository_name, r.location_name, r.status, r.mode, "             \
  "r.run_config, r.snapshot_id, r.op_selection, r.resolved_op_selection, "                         \
  "r.step_keys_to_execute, r.parent_run_id, r.root_run_id, r.create_time, r.update_time, "         \
  "r.start_time, r.end_time, r.worker_pid"

/* Runs read by a query, with the runs' primary keys to find their tags. */
typedef struct run_list {
  store_run *runs;
  int64_t *pks;
  size_t n, cap, pk_cap;
} run_list;

static void read_run(sqlite3_stmt *st, arena *a, store_run *r) {
  memset(r, 0, sizeof *r);
  col_id(st, 1, r->run_id);
  r->job_name = col_str(st, 2, a);
  r->repository_name = col_str(st, 3, a);
  r->location_name = col_str(st, 4, a);
  int status = store_run_status_parse((const char *)sqlite3_column_text(st, 5));
  r->status = status < 0 ? STORE_RUN_NOT_STARTED : (store_run_status)status;
  r->mode = col_str(st, 6, a);
  r->run_config = col_str(st, 7, a);
  r->snapshot_id = col_str(st, 8, a);
  r->op_selection = col_str(st, 9, a);
  r->resolved_op_selection = col_str(st, 10, a);
  r->step_keys_to_execute = col_str(st, 11, a);
  r->parent_run_id = col_str(st, 12, a);
  r->root_run_id = col_str(st, 13, a);
  r->create_time = sqlite3_column_double(st, 14);
  r->update_time = sqlite3_column_double(st, 15);
  r->start_time = sqlite3_column_double(st, 16);
  r->end_time = sqlite3_column_double(st, 17);
  r->worker_pid = sqlite3_column_int64(st, 18);
}

static int load_tags(conn *c, arena *a, store_run *r, int64_t pk, store_error *err) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c, "SELECT key, value FROM run_tags WHERE run_pk = ?1 ORDER BY key", &rc);
  if (!st)
    return db_fail(c, err, rc);
  sqlite3_bind_int64(st, 1, pk);
  store_tag *tags = NULL;
  size_t n = 0, cap = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    tags = arena_grow(a, tags, &cap, n, sizeof *tags);
    tags[n].key = col_str(st, 0, a);
    tags[n].value = col_str(st, 1, a);
    n++;
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_fail(c, err, rc);
  r->tags = tags;
  r->n_tags = n;
  return SQLITE_OK;
}

/* Reads every row of st (bound, selecting RUN_COLUMNS) into l, then the
 * runs' tags. */
static int read_runs(conn *c, sqlite3_stmt *st, arena *a, run_list *l, store_error *err) {
  int rc;
  l->n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    l->runs = arena_grow(a, l->runs, &l->cap, l->n, sizeof *l->runs);
    l->pks = arena_grow(a, l->pks, &l->pk_cap, l->n, sizeof *l->pks);
    l->pks[l->n] = sqlite3_column_int64(st, 0);
    read_run(st, a, &l->runs[l->n++]);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_DONE)
    return db_fail(c, err, rc);
  for (size_t i = 0; i < l->n; i++)
    if ((rc = load_tags(c, a, &l->runs[i], l->pks[i], err)) != SQLITE_OK)
      return rc;
  return SQLITE_OK;
}

static int upsert_tags(conn *c, int64_t pk, const store_tag *tags, size_t n, store_error *err) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "INSERT INTO run_tags (run_pk, key, value) VALUES (?1, ?2, ?3) "
                          "ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  for (size_t i = 0; i < n; i++) {
    sqlite3_bind_int64(st, 1, pk);
    bind_str(st, 2, tags[i].key);
    bind_str(st, 3, tags[i].value);
    if ((rc = step_done(st)) != SQLITE_OK)
      return db_fail(c, err, rc);
  }
  return SQLITE_OK;
}

static const char run_not_found[] = "Run %s was not found in instance.";

typedef struct run_add_ctx {
  const store_run *run;
} run_add_ctx;

static int run_add_body(conn *c, void *ctx, store_error *err) {
  const store_run *r = ((run_add_ctx *)ctx)->run;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(
      c,
      "INSERT INTO runs (run_id, job_name, repository_name, location_name, status, mode, "
      "run_config, snapshot_id, op_selection, resolved_op_selection, step_keys_to_execute, "
      "parent_run_id, root_run_id, create_time, update_time, start_time, end_time, worker_pid) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
      &rc);
  if (!st)
    return db_fail(c, err, rc);
  double now = clock_now();
  double created = r->create_time > 0 ? r->create_time : now;
  bind_str(st, 1, r->run_id);
  bind_str(st, 2, r->job_name);
  bind_str(st, 3, r->repository_name);
  bind_str(st, 4, r->location_name);
  bind_str(st, 5, store_run_status_name(r->status));
  bind_str(st, 6, r->mode);
  bind_str(st, 7, r->run_config);
  bind_str(st, 8, r->snapshot_id);
  bind_str(st, 9, r->op_selection);
  bind_str(st, 10, r->resolved_op_selection);
  bind_str(st, 11, r->step_keys_to_execute);
  bind_str(st, 12, r->parent_run_id);
  bind_str(st, 13, r->root_run_id);
  sqlite3_bind_double(st, 14, created);
  sqlite3_bind_double(st, 15, r->update_time > 0 ? r->update_time : created);
  bind_time(st, 16, r->start_time);
  bind_time(st, 17, r->end_time);
  sqlite3_bind_int64(st, 18, r->worker_pid);
  rc = step_done(st);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    store_fail(err, "Run %s already exists.", r->run_id);
    return BODY_FAILED;
  }
  if (rc != SQLITE_OK)
    return db_fail(c, err, rc);
  return upsert_tags(c, sqlite3_last_insert_rowid(c->db), r->tags, r->n_tags, err);
}

static int sq_run_add(store *s, const store_run *run, store_error *err) {
  run_add_ctx ctx = {run};
  return txn((sq_store *)s, true, run_add_body, &ctx, err);
}

/* For the bodies that read runs: the query's inputs and the runs read. */
typedef struct runs_ctx {
  const store_runs_filter *filter;
  const char *run_id; /* run_get, run_group; the cursor of runs_list */
  int limit;
  arena *a;
  run_list out;
  const char *root_id; /* run_group */
  int64_t count;       /* runs_count */
} runs_ctx;

static int run_get_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c, "SELECT " RUN_COLUMNS " FROM runs r WHERE r.run_id = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, q->run_id);
  return read_runs(c, st, q->a, &q->out, err);
}

static store_run *sq_run_get(store *s, const char *run_id, arena *a, store_error *err) {
  runs_ctx q = {.run_id = run_id, .a = a};
  if (txn((sq_store *)s, false, run_get_body, &q, err) != 0)
    return NULL;
  return q.out.n ? q.out.runs : NULL;
}

/* The runs query is written once and walked twice: to write its text (sql
 * set) and to bind its values (st set), so text and parameters always
 * agree. Parameters are anonymous "?", numbered in the order they appear. */
typedef struct query_walk {
  buf *sql;
  sqlite3_stmt *st;
  int param;
} query_walk;

static void w_text(query_walk *w, const char *text) {
  if (w->sql)
    buf_puts(w->sql, text);
}

static void w_str(query_walk *w, const char *v) {
  w_text(w, "?");
  if (w->st)
    bind_str(w->st, ++w->param, v);
}

static void w_double(query_walk *w, double v) {
  w_text(w, "?");
  if (w->st)
    sqlite3_bind_double(w->st, ++w->param, v);
}

static void w_int(query_walk *w, int64_t v) {
  w_text(w, "?");
  if (w->st)
    sqlite3_bind_int64(w->st, ++w->param, v);
}

static void w_time_bound(query_walk *w, const char *column_op, double t) {
  if (t > 0) {
    w_text(w, " AND ");
    w_text(w, column_op);
    w_double(w, t);
  }
}

/* With tag filters the first tag drives the query: its index entries
 * (key, value, run_pk) come newest first, so "ORDER BY run_pk DESC LIMIT
 * 10" reads about ten entries however rare or common the tag is; the
 * other tags are EXISTS lookups on run_tags' primary key. Without tags the
 * runs table (or the status/job index SQLite picks) is read newest first. */
static void walk_runs_query(query_walk *w, const store_runs_filter *f, const char *cursor,
                            int limit, bool count) {
  bool by_tag = f->n_tags > 0;
  const char *order_col = by_tag ? "t0.run_pk" : "r.id";
  w_text(w, count ? "SELECT count(*)" : "SELECT " RUN_COLUMNS);
  if (by_tag) {
    w_text(w, " FROM run_tags t0 JOIN runs r ON r.id = t0.run_pk WHERE t0.key = ");
    w_str(w, f->tags[0].key);
    w_text(w, " AND t0.value = ");
    w_str(w, f->tags[0].value);
  } else {
    w_text(w, " FROM runs r WHERE 1");
  }
  if (f->n_run_ids) {
    w_text(w, " AND r.run_id IN (");
    for (size_t i = 0; i < f->n_run_ids; i++) {
      w_text(w, i ? ", " : "");
      w_str(w, f->run_ids[i]);
    }
    w_text(w, ")");
  }
  if (f->job_name) {
    w_text(w, " AND r.job_name = ");
    w_str(w, f->job_name);
  }
  if (f->n_statuses) {
    w_text(w, " AND r.status IN (");
    for (size_t i = 0; i < f->n_statuses; i++) {
      w_text(w, i ? ", " : "");
      w_str(w, store_run_status_name(f->statuses[i]));
    }
    w_text(w, ")");
  }
  if (f->snapshot_id) {
    w_text(w, " AND r.snapshot_id = ");
    w_str(w, f->snapshot_id);
  }
  if (f->mode) {
    w_text(w, " AND r.mode = ");
    w_str(w, f->mode);
  }
  w_time_bound(w, "r.create_time < ", f->created_before);
  w_time_bound(w, "r.create_time > ", f->created_after);
  w_time_bound(w, "r.update_time < ", f->updated_before);
  w_time_bound(w, "r.update_time > ", f->updated_after);
  for (size_t i = 1; i < f->n_tags; i++) {
    w_text(w, " AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_pk = r.id AND t.key = ");
    w_str(w, f->tags[i].key);
    w_text(w, " AND t.value = ");
    w_str(w, f->tags[i].value);
    w_text(w, ")");
  }
  if (count)
    return;
  /* As in Dagster, an unknown cursor selects nothing (the subquery is NULL). */
  if (cursor) {
    w_text(w, " AND ");
    w_text(w, order_col);
    w_text(w, " < (SELECT id FROM runs WHERE run_id = ");
    w_str(w, cursor);
    w_text(w, ")");
  }
  w_text(w, " ORDER BY ");
  w_text(w, order_col);
  w_text(w, " DESC LIMIT ");
  w_int(w, limit < 0 ? -1 : limit);
}

void store_sqlite_runs_sql(buf *out, const store_runs_filter *f, const char *cursor, bool count) {
  query_walk w = {.sql = out};
  walk_runs_query(&w, f, cursor, -1, count);
}

/* Prepares and binds the runs query into *st (NULL: rc). */
static int runs_query(conn *c, const runs_ctx *q, bool count, sqlite3_stmt **st) {
  buf sql;
  buf_init(&sql, NULL);
  query_walk w = {.sql = &sql};
  walk_runs_query(&w, q->filter, q->run_id, q->limit, count);
  int rc = SQLITE_OK;
  *st = stmt(c, sql.data, &rc);
  buf_free(&sql);
  if (!*st)
    return rc;
  w = (query_walk){.st = *st};
  walk_runs_query(&w, q->filter, q->run_id, q->limit, count);
  return SQLITE_OK;
}

static int runs_list_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  sqlite3_stmt *st;
  int rc = runs_query(c, q, false, &st);
  if (rc != SQLITE_OK)
    return db_fail(c, err, rc);
  return read_runs(c, st, q->a, &q->out, err);
}

static store_run *sq_runs_list(store *s, const store_runs_filter *f, const char *cursor, int limit,
                               arena *a, size_t *n, store_error *err) {
  runs_ctx q = {.filter = f, .run_id = cursor, .limit = limit, .a = a};
  if (txn((sq_store *)s, false, runs_list_body, &q, err) != 0)
    return NULL;
  *n = q.out.n;
  return q.out.runs;
}

static int runs_count_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  sqlite3_stmt *st;
  int rc = runs_query(c, q, true, &st);
  if (rc != SQLITE_OK)
    return db_fail(c, err, rc);
  rc = sqlite3_step(st);
  q->count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_ROW ? SQLITE_OK : db_fail(c, err, rc);
}

static int64_t sq_runs_count(store *s, const store_runs_filter *f, store_error *err) {
  runs_ctx q = {.filter = f, .limit = -1};
  return txn((sq_store *)s, false, runs_count_body, &q, err) == 0 ? q.count : -1;
}

/* For the bodies that change one run by id. */
typedef struct run_write_ctx {
  const char *run_id;
  int64_t pid;
  const store_tag *tags;
  size_t n_tags;
  bool found;
} run_write_ctx;

/* Binds the run id to ?1 of sql (and pid to ?2 when the text has it), runs
 * it and tells whether a row changed. */
static int run_update(conn *c, const char *sql, run_write_ctx *w, store_error *err) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c, sql, &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, w->run_id);
  if (sqlite3_bind_parameter_count(st) >= 2)
    sqlite3_bind_int64(st, 2, w->pid);
  if ((rc = step_done(st)) != SQLITE_OK)
    return db_fail(c, err, rc);
  w->found = sqlite3_changes(c->db) > 0;
  return SQLITE_OK;
}

static int run_delete_body(conn *c, void *ctx, store_error *err) {
  return run_update(c, "DELETE FROM runs WHERE run_id = ?1", ctx, err);
}

static int sq_run_delete(store *s, const char *run_id, bool *found, store_error *err) {
  run_write_ctx w = {.run_id = run_id};
  int rc = txn((sq_store *)s, true, run_delete_body, &w, err);
  *found = w.found;
  return rc;
}

/* For a conditional write that changed nothing: SQLITE_OK when the run
 * exists (the condition refused it), else BODY_FAILED with "not found". */
static int require_run(conn *c, const char *run_id, store_error *err) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c, "SELECT 1 FROM runs WHERE run_id = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, run_id);
  rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_ROW)
    return SQLITE_OK;
  if (rc != SQLITE_DONE)
    return db_fail(c, err, rc);
  store_fail(err, run_not_found, run_id);
  return BODY_FAILED;
}

/* The claim and its check are one statement, so two workers racing for
 * one run cannot both win: the loser's UPDATE matches no row. A miss is
 * then either "someone else's" or "no such run", told apart by a lookup in
 * the same transaction. */
static int run_set_worker_body(conn *c, void *ctx, store_error *err) {
  run_write_ctx *w = ctx;
  int rc = run_update(c,
                      "UPDATE runs SET worker_pid = ?2 WHERE run_id = ?1"
                      " AND (worker_pid IS NULL OR worker_pid IN (0, ?2))",
                      w, err);
  if (rc != SQLITE_OK || w->found)
    return rc;
  return require_run(c, w->run_id, err); /* exists: another worker holds it */
}

static int sq_run_set_worker(store *s, const char *run_id, int64_t pid, bool *claimed,
                             store_error *err) {
  run_write_ctx w = {.run_id = run_id, .pid = pid};
  int rc = txn((sq_store *)s, true, run_set_worker_body, &w, err);
  *claimed = rc == 0 && w.found;
  return rc;
}

static int run_add_tags_body(conn *c, void *ctx, store_error *err) {
  run_write_ctx *w = ctx;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "UPDATE runs SET update_time = ?2 WHERE run_id = ?1 "
                          "RETURNING id",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, w->run_id);
  sqlite3_bind_double(st, 2, clock_now());
  rc = sqlite3_step(st);
  int64_t pk = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE)
    return db_fail(c, err, rc);
  if (!pk) {
    store_fail(err, run_not_found, w->run_id);
    return BODY_FAILED;
  }
  return upsert_tags(c, pk, w->tags, w->n_tags, err);
}

static int sq_run_add_tags(store *s, const char *run_id, const store_tag *tags, size_t n,
                           store_error *err) {
  run_write_ctx w = {.run_id = run_id, .tags = tags, .n_tags = n};
  return txn((sq_store *)s, true, run_add_tags_body, &w, err);
}

static int run_group_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  int rc = SQLITE_OK;
  q->out.n = 0;
  q->root_id = NULL;
  sqlite3_stmt *st =
      stmt(c, "SELECT coalesce(root_run_id, run_id) FROM runs WHERE run_id = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, q->run_id);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW)
    q->root_id = col_str(st, 0, q->a);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE)
    return SQLITE_OK; /* unknown run */
  if (rc != SQLITE_ROW)
    return db_fail(c, err, rc);
  st = stmt(c,
            "SELECT " RUN_COLUMNS " FROM runs r WHERE r.run_id = ?1 OR r.root_run_id = ?1 "
            "ORDER BY r.id",
            &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, q->root_id);
  if ((rc = read_runs(c, st, q->a, &q->out, err)) != SQLITE_OK)
    return rc;
  for (size_t i = 0; i < q->out.n; i++)
    if (strcmp(q->out.runs[i].run_id, q->root_id) == 0)
      return SQLITE_OK;
  store_fail(err, "Run id %s set as root run id for run %s was not found in instance.", q->root_id,
             q->run_id);
  return BODY_FAILED;
}

static store_run *sq_run_group(store *s, const char *run_id, const char **root_id, arena *a,
                               size_t *n, store_error *err) {
  runs_ctx q = {.run_id = run_id, .a = a};
  if (txn((sq_store *)s, false, run_group_body, &q, err) != 0 || !q.root_id)
    return NULL;
  *root_id = q.root_id;
  *n = q.out.n;
  return q.out.runs;
}

/* ---- tags ---- */

/* Distinct keys and values are read by skipping through the (key, value,
 * run_pk) index, one seek per distinct entry, rather than by reading every
 * tag row (there are several per run). */
#define SKIP_KEYS_SQL                                                                              \
  "WITH RECURSIVE k(key) AS ("                                                                     \
  " SELECT (SELECT key FROM run_tags ORDER BY key LIMIT 1)"                                        \
  " UNION ALL"                                                                                     \
  " SELECT (SELECT key FROM run_tags WHERE key > k.key ORDER BY key LIMIT 1) FROM k"               \
  " WHERE k.key IS NOT NULL)"                                                                      \
  " SELECT key FROM k WHERE key IS NOT NULL"

/* ?1 key, ?2 the lowest value, ?3 (UPPER only) the bound above the prefix, ?4 limit. */
#define SKIP_VALUES_SQL(UPPER)                                                                     \
  "WITH RECURSIVE v(value) AS ("                                                                   \
  " SELECT (SELECT value FROM run_tags WHERE key = ?1 AND value >= ?2" UPPER                       \
  " ORDER BY value LIMIT 1)"                                                                       \
  " UNION ALL"                                                                                     \
  " SELECT (SELECT value FROM run_tags WHERE key = ?1 AND value > v.value" UPPER                   \
  " ORDER BY value LIMIT 1) FROM v WHERE v.value IS NOT NULL)"                                     \
  " SELECT value FROM v WHERE value IS NOT NULL LIMIT ?4"

typedef struct tags_ctx {
  const char *const *keys; /* sorted, distinct; NULL: read them */
  size_t n_keys;
  const char *prefix;
  int limit;
  arena *a;
  const char **key_out;
  size_t n_key_out, key_cap;
  store_tag *out;
  size_t n, cap;
} tags_ctx;

static int tag_keys_body(conn *c, void *ctx, store_error *err) {
  tags_ctx *t = ctx;
  int rc = SQLITE_OK;
  t->n_key_out = 0;
  sqlite3_stmt *st = stmt(c, SKIP_KEYS_SQL, &rc);
  if (!st)
    return db_fail(c, err, rc);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    t->key_out = arena_grow(t->a, t->key_out, &t->key_cap, t->n_key_out, sizeof *t->key_out);
    t->key_out[t->n_key_out++] = col_str(st, 0, t->a);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? SQLITE_OK : db_fail(c, err, rc);
}

static const char *const *sq_tag_keys(store *s, arena *a, size_t *n, store_error *err) {
  tags_ctx t = {.a = a};
  if (txn((sq_store *)s, false, tag_keys_body, &t, err) != 0)
    return NULL;
  *n = t.n_key_out;
  return t.key_out;
}

/* Appends the values of one key (within the prefix and the limit left). */
static int key_values(conn *c, tags_ctx *t, const char *key, const char *upper, store_error *err) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c, upper ? SKIP_VALUES_SQL(" AND value < ?3") : SKIP_VALUES_SQL(""), &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, key);
  bind_str(st, 2, t->prefix ? t->prefix : "");
  if (upper)
    bind_str(st, 3, upper);
  sqlite3_bind_int64(st, 4, t->limit < 0 ? -1 : (int64_t)t->limit - (int64_t)t->n);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    t->out = arena_grow(t->a, t->out, &t->cap, t->n, sizeof *t->out);
    t->out[t->n].key = key;
    t->out[t->n++].value = col_str(st, 0, t->a);
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? SQLITE_OK : db_fail(c, err, rc);
}

static int tags_body(conn *c, void *ctx, store_error *err) {
  tags_ctx *t = ctx;
  t->n = 0;
  const char *const *keys = t->keys;
  size_t n_keys = t->n_keys;
  if (!keys) {
    int rc = tag_keys_body(c, t, err);
    if (rc != SQLITE_OK)
      return rc;
    keys = t->key_out;
    n_keys = t->n_key_out;
  }
  /* Every value that starts with the prefix sorts below the prefix followed
   * by a 0xff byte, which UTF-8 text never contains. */
  const char *upper = t->prefix && t->prefix[0] ? arena_printf(t->a, "%s\xff", t->prefix) : NULL;
  for (size_t i = 0; i < n_keys && (t->limit < 0 || t->n < (size_t)t->limit); i++) {
    int rc = key_values(c, t, keys[i], upper, err);
    if (rc != SQLITE_OK)
      return rc;
  }
  return SQLITE_OK;
}

static store_tag *sq_tags(store *s, const char *const *keys, size_t n_keys,
                          const char *value_prefix, int limit, arena *a, size_t *n,
                          store_error *err) {
  tags_ctx t = {.prefix = value_prefix, .limit = limit, .a = a, .keys = keys, .n_keys = n_keys};
  if (txn((sq_store *)s, false, tags_body, &t, err) != 0)
    return NULL;
  *n = t.n;
  return t.out;
}

/* ---- events ---- */

typedef struct event_ctx {
  const store_event *ev;
  int64_t id;
} event_ctx;

static int event_append_body(conn *c, void *ctx, store_error *err) {
  event_ctx *e = ctx;
  const store_event *ev = e->ev;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "INSERT INTO events (run_pk, timestamp, event_type, level, step_key, "
                          "message, body) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM runs "
                          "WHERE run_id = ?1",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  double ts = ev->timestamp > 0 ? ev->timestamp : clock_now();
  bind_str(st, 1, ev->run_id);
  sqlite3_bind_double(st, 2, ts);
  bind_str(st, 3, ev->event_type);
  sqlite3_bind_int(st, 4, ev->level);
  bind_str(st, 5, ev->step_key);
  bind_str(st, 6, ev->message);
  bind_str(st, 7, ev->body);
  if ((rc = step_done(st)) != SQLITE_OK)
    return db_fail(c, err, rc);
  if (sqlite3_changes(c->db) == 0) {
    store_fail(err, run_not_found, ev->run_id);
    return BODY_FAILED;
  }
  e->id = sqlite3_last_insert_rowid(c->db);
  store_run_status status;
  if (!store_event_type_status(ev->event_type, &status))
    return SQLITE_OK;
  /* The guard on the current status sits in the statement itself: a
   * finished run stays finished even when a late RUN_CANCELING (a
   * terminate racing the worker's RUN_SUCCESS) commits after it. */
  st = stmt(c,
            "UPDATE runs SET status = ?2, update_time = ?3,"
            " start_time = CASE WHEN ?4 THEN ?3 ELSE start_time END,"
            " end_time = CASE WHEN ?5 THEN ?3 ELSE end_time END"
            " WHERE run_id = ?1 AND status NOT IN ('SUCCESS', 'FAILURE', 'CANCELED')",
            &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, ev->run_id);
  bind_str(st, 2, store_run_status_name(status));
  sqlite3_bind_double(st, 3, ts);
  sqlite3_bind_int(st, 4, status == STORE_RUN_STARTED);
  sqlite3_bind_int(st, 5, store_run_status_finished(status));
  rc = step_done(st);
  return rc == SQLITE_OK ? SQLITE_OK : db_fail(c, err, rc);
}

static int64_t sq_event_append(store *s, const store_event *ev, store_error *err) {
  event_ctx e = {.ev = ev};
  if (txn((sq_store *)s, true, event_append_body, &e, err) != 0)
    return -1;
  return e.id;
}

typedef struct events_ctx {
  const char *run_id;
  int64_t after;
  int limit;
  arena *a;
  store_event *out;
  size_t n, cap;
  bool has_more;
  int64_t last_id;
} events_ctx;

/* The event of a row of `SELECT id, timestamp, event_type, level,
 * step_key, message, body` (texts copied into a). */
static void read_event(sqlite3_stmt *st, const char *run_id, arena *a, store_event *ev) {
  ev->id = sqlite3_column_int64(st, 0);
  snprintf(ev->run_id, sizeof ev->run_id, "%s", run_id);
  ev->timestamp = sqlite3_column_double(st, 1);
  ev->event_type = col_str(st, 2, a);
  ev->level = sqlite3_column_int(st, 3);
  ev->step_key = col_str(st, 4, a);
  ev->message = col_str(st, 5, a);
  ev->body = col_str(st, 6, a);
}

static int events_body(conn *c, void *ctx, store_error *err) {
  events_ctx *q = ctx;
  int rc = SQLITE_OK;
  q->n = 0;
  q->has_more = false;
  sqlite3_stmt *st = stmt(c,
                          "SELECT id, timestamp, event_type, level, step_key, message, body "
                          "FROM events WHERE run_pk = (SELECT id FROM runs WHERE run_id = ?1) "
                          "AND id > ?2 ORDER BY id LIMIT ?3",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, q->run_id);
  sqlite3_bind_int64(st, 2, q->after);
  /* One more than asked tells whether more follow. */
  sqlite3_bind_int64(st, 3, q->limit < 0 ? -1 : (int64_t)q->limit + 1);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (q->limit >= 0 && q->n == (size_t)q->limit) {
      q->has_more = true;
      break;
    }
    q->out = arena_grow(q->a, q->out, &q->cap, q->n, sizeof *q->out);
    read_event(st, q->run_id, q->a, &q->out[q->n++]);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : db_fail(c, err, rc);
}

static store_event *sq_events(store *s, const char *run_id, int64_t after, int limit, arena *a,
                              size_t *n, bool *has_more, store_error *err) {
  events_ctx q = {.run_id = run_id, .after = after, .limit = limit, .a = a};
  if (txn((sq_store *)s, false, events_body, &q, err) != 0)
    return NULL;
  *n = q.n;
  *has_more = q.has_more;
  return q.out;
}

static int events_last_id_body(conn *c, void *ctx, store_error *err) {
  events_ctx *q = ctx;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "SELECT id FROM events WHERE run_pk = "
                          "(SELECT id FROM runs WHERE run_id = ?1) ORDER BY id DESC LIMIT 1",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, q->run_id);
  rc = sqlite3_step(st);
  q->last_id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : db_fail(c, err, rc);
}

static int64_t sq_events_last_id(store *s, const char *run_id, store_error *err) {
  events_ctx q = {.run_id = run_id};
  if (txn((sq_store *)s, false, events_last_id_body, &q, err) != 0)
    return -1;
  return q.last_id;
}

typedef struct last_of_type_ctx {
  const char *run_id, *event_type;
  arena *a;
  store_event *out;
} last_of_type_ctx;

/* events_by_run (run_pk, id) walked backwards from the run's newest
 * event: the rows read are those after the one found. */
static int event_last_of_type_body(conn *c, void *ctx, store_error *err) {
  last_of_type_ctx *q = ctx;
  int rc = SQLITE_OK;
  q->out = NULL;
  sqlite3_stmt *st = stmt(c,
                          "SELECT id, timestamp, event_type, level, step_key, message, body "
                          "FROM events WHERE run_pk = (SELECT id FROM runs WHERE run_id = ?1) "
                          "AND event_type = ?2 ORDER BY id DESC LIMIT 1",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, q->run_id);
  bind_str(st, 2, q->event_type);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    q->out = arena_alloc(q->a, sizeof *q->out);
    read_event(st, q->run_id, q->a, q->out);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : db_fail(c, err, rc);
}

static store_event *sq_event_last_of_type(store *s, const char *run_id, const char *event_type,
                                          arena *a, store_error *err) {
  last_of_type_ctx q = {.run_id = run_id, .event_type = event_type, .a = a};
  if (txn((sq_store *)s, false, event_last_of_type_body, &q, err) != 0)
    return NULL;
  return q.out;
}

/* ---- snapshots ---- */

typedef struct snapshot_ctx {
  const char *id;
  const char *text;
  size_t len;
  arena *a;
  char *out;
} snapshot_ctx;

static int snapshot_put_body(conn *c, void *ctx, store_error *err) {
  snapshot_ctx *p = ctx;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "INSERT INTO snapshots (snapshot_id, body) VALUES (?1, ?2) "
                          "ON CONFLICT (snapshot_id) DO NOTHING",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, p->id);
  sqlite3_bind_blob64(st, 2, p->text, p->len, SQLITE_STATIC);
  rc = step_done(st);
  return rc == SQLITE_OK ? SQLITE_OK : db_fail(c, err, rc);
}

static int sq_snapshot_put(store *s, const char *snapshot_id, const char *text, size_t len,
                           store_error *err) {
  snapshot_ctx p = {.id = snapshot_id, .text = text, .len = len};
  return txn((sq_store *)s, true, snapshot_put_body, &p, err);
}

static int snapshot_get_body(conn *c, void *ctx, store_error *err) {
  snapshot_ctx *p = ctx;
  int rc = SQLITE_OK;
  p->out = NULL;
  sqlite3_stmt *st = stmt(c, "SELECT body FROM snapshots WHERE snapshot_id = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, p->id);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    p->len = (size_t)sqlite3_column_bytes(st, 0);
    p->out = arena_alloc(p->a, p->len + 1);
    if (p->len)
      memcpy(p->out, sqlite3_column_blob(st, 0), p->len);
    p->out[p->len] = '\0';
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : db_fail(c, err, rc);
}

static char *sq_snapshot_get(store *s, const char *snapshot_id, arena *a, size_t *len,
                             store_error *err) {
  snapshot_ctx p = {.id = snapshot_id, .a = a};
  if (txn((sq_store *)s, false, snapshot_get_body, &p, err) != 0 || !p.out)
    return NULL;
  *len = p.len;
  return p.out;
}

/* ---- daemon heartbeats ---- */

typedef struct heartbeat_ctx {
  const char *type, *id;
  double time, stale;
  arena *a;
  bool found, claimed;
} heartbeat_ctx;

static int heartbeat_body(conn *c, void *ctx, store_error *err) {
  heartbeat_ctx *h = ctx;
  int rc = SQLITE_OK;
  /* One statement, so the check and the claim cannot be split by
   * another writer; a refused DO UPDATE changes no row. */
  sqlite3_stmt *st = stmt(c,
                          "INSERT INTO daemon_heartbeats (daemon_type, daemon_id, timestamp) "
                          "VALUES (?1, ?2, ?3) ON CONFLICT (daemon_type) DO UPDATE SET "
                          "daemon_id = excluded.daemon_id, timestamp = excluded.timestamp "
                          "WHERE daemon_heartbeats.daemon_id = excluded.daemon_id "
                          "OR daemon_heartbeats.timestamp < ?4",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, h->type);
  bind_str(st, 2, h->id);
  sqlite3_bind_double(st, 3, h->time);
  sqlite3_bind_double(st, 4, h->time - h->stale);
  if ((rc = step_done(st)) != SQLITE_OK)
    return db_fail(c, err, rc);
  h->claimed = sqlite3_changes(c->db) > 0;
  return SQLITE_OK;
}

static int sq_daemon_heartbeat(store *s, const char *daemon_type, const char *daemon_id, double now,
                               double stale, bool *claimed, store_error *err) {
  heartbeat_ctx h = {.type = daemon_type, .id = daemon_id, .time = now, .stale = stale};
  if (txn((sq_store *)s, true, heartbeat_body, &h, err) != 0)
    return -1;
  *claimed = h.claimed;
  return 0;
}

static int heartbeat_get_body(conn *c, void *ctx, store_error *err) {
  heartbeat_ctx *h = ctx;
  int rc = SQLITE_OK;
  h->found = false;
  sqlite3_stmt *st =
      stmt(c, "SELECT daemon_id, timestamp FROM daemon_heartbeats WHERE daemon_type = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, h->type);
  rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    h->found = true;
    h->id = col_str(st, 0, h->a);
    h->time = sqlite3_column_double(st, 1);
  }
  sqlite3_reset(st);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : db_fail(c, err, rc);
}

static int sq_daemon_heartbeat_get(store *s, const char *daemon_type, arena *a,
                                   const char **daemon_id, double *timestamp, bool *found,
                                   store_error *err) {
  heartbeat_ctx h = {.type = daemon_type, .a = a};
  if (txn((sq_store *)s, false, heartbeat_get_body, &h, err) != 0)
    return -1;
  *found = h.found;
  if (h.found) {
    *daemon_id = h.id;
    *timestamp = h.time;
  }
  return 0;
}

/* ---- runs executed by `dagd worker` ---- */

typedef struct worker_ctx {
  const char *run_id; /* offer */
  const char *worker_id;
  double now;
  char *claimed; /* claim: the run id taken (37 bytes) */
  bool found;
} worker_ctx;

/* The offer and its run's existence are checked in one write transaction;
 * an offer already there is left as it is (DO NOTHING). */
static int worker_offer_body(conn *c, void *ctx, store_error *err) {
  worker_ctx *w = ctx;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "INSERT INTO worker_offers (run_pk, offered_at) "
                          "SELECT id, ?2 FROM runs WHERE run_id = ?1 "
                          "ON CONFLICT (run_pk) DO NOTHING",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, w->run_id);
  sqlite3_bind_double(st, 2, w->now);
  if ((rc = step_done(st)) != SQLITE_OK)
    return db_fail(c, err, rc);
  return sqlite3_changes(c->db) > 0 ? SQLITE_OK : require_run(c, w->run_id, err);
}

static int sq_worker_offer(store *s, const char *run_id, double now, store_error *err) {
  worker_ctx w = {.run_id = run_id, .now = now};
  return txn((sq_store *)s, true, worker_offer_body, &w, err);
}

/* Marks offer `id` taken by worker_id ('' when dropped). */
static int close_offer(conn *c, int64_t id, const char *worker_id, double now, store_error *err) {
  int rc = SQLITE_OK;
  sqlite3_stmt *st =
      stmt(c, "UPDATE worker_offers SET worker_id = ?2, claimed_at = ?3 WHERE id = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  sqlite3_bind_int64(st, 1, id);
  bind_str(st, 2, worker_id);
  sqlite3_bind_double(st, 3, now);
  rc = step_done(st);
  return rc == SQLITE_OK ? SQLITE_OK : db_fail(c, err, rc);
}

/* The write transaction (BEGIN IMMEDIATE) holds the database's one write
 * lock, so two claimers cannot take one offer. The run is touched only
 * while it is still STARTING: the status check and the update_time bump
 * are one UPDATE, and an offer whose run moved on is dropped. */
static int worker_claim_body(conn *c, void *ctx, store_error *err) {
  worker_ctx *w = ctx;
  w->found = false;
  for (;;) {
    int rc = SQLITE_OK;
    sqlite3_stmt *st = stmt(c,
                            "SELECT id, run_pk FROM worker_offers WHERE worker_id IS NULL "
                            "ORDER BY id LIMIT 1",
                            &rc);
    if (!st)
      return db_fail(c, err, rc);
    rc = sqlite3_step(st);
    int64_t offer = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int64_t pk = rc == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
      return SQLITE_OK; /* nothing waits */
    if (rc != SQLITE_ROW)
      return db_fail(c, err, rc);
    st = stmt(c,
              "UPDATE runs SET update_time = ?2 WHERE id = ?1 AND status = 'STARTING' "
              "RETURNING run_id",
              &rc);
    if (!st)
      return db_fail(c, err, rc);
    sqlite3_bind_int64(st, 1, pk);
    sqlite3_bind_double(st, 2, clock_now());
    rc = sqlite3_step(st);
    bool starting = rc == SQLITE_ROW;
    if (starting) {
      col_id(st, 0, w->claimed);
      rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
      return db_fail(c, err, rc);
    if ((rc = close_offer(c, offer, starting ? w->worker_id : "", w->now, err)) != SQLITE_OK)
      return rc;
    if (starting) {
      store_tag tag = {STORE_TAG_WORKER, w->worker_id};
      w->found = true;
      return upsert_tags(c, pk, &tag, 1, err);
    }
  }
}

static int sq_worker_claim(store *s, const char *worker_id, double now, char run_id[37],
                           bool *found, store_error *err) {
  worker_ctx w = {.worker_id = worker_id, .now = now, .claimed = run_id};
  int rc = txn((sq_store *)s, true, worker_claim_body, &w, err);
  *found = rc == 0 && w.found;
  if (!*found)
    run_id[0] = '\0';
  return rc;
}

/* The offer is reopened only while its run is STARTING and it is
 * worker_id's (one UPDATE, under the write transaction's lock, so a status
 * change cannot come in between); it keeps its id, so its place in
 * offering order. */
static int worker_release_body(conn *c, void *ctx, store_error *err) {
  worker_ctx *w = ctx;
  w->found = false;
  int rc = SQLITE_OK;
  sqlite3_stmt *st = stmt(c,
                          "UPDATE worker_offers SET worker_id = NULL, claimed_at = NULL "
                          "WHERE worker_id = ?2 AND run_pk = "
                          "(SELECT id FROM runs WHERE run_id = ?1 AND status = 'STARTING') "
                          "RETURNING run_pk",
                          &rc);
  if (!st)
    return db_fail(c, err, rc);
  bind_str(st, 1, w->run_id);
  bind_str(st, 2, w->worker_id);
  rc = sqlite3_step(st);
  int64_t pk = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  if (rc == SQLITE_ROW)
    rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc != SQLITE_DONE)
    return db_fail(c, err, rc);
  if (pk == 0)
    return require_run(c, w->run_id, err);
  w->found = true;
  st = stmt(c, "DELETE FROM run_tags WHERE run_pk = ?1 AND key = '" STORE_TAG_WORKER "'", &rc);
  if (!st)
    return db_fail(c, err, rc);
  sqlite3_bind_int64(st, 1, pk);
  if ((rc = step_done(st)) != SQLITE_OK)
    return db_fail(c, err, rc);
  st = stmt(c, "UPDATE runs SET update_time = ?2 WHERE id = ?1", &rc);
  if (!st)
    return db_fail(c, err, rc);
  sqlite3_bind_int64(st, 1, pk);
  sqlite3_bind_double(st, 2, clock_now());
  rc = step_done(st);
  return rc == SQLITE_OK ? SQLITE_OK : db_fail(c, err, rc);
}

static int sq_worker_release(store *s, const char *run_id, const char *worker_id, bool *released,
                             store_error *err) {
  worker_ctx w = {.run_id = run_id, .worker_id = worker_id};
  int rc = txn((sq_store *)s, true, worker_release_body, &w, err);
  *released = rc == 0 && w.found;
  return rc;
}

/* ---- opening, migrations, closing ---- */

static void sq_close(store *base) {
  sq_store *s = (sq_store *)base;
  pthread_mutex_lock(&s->lock);
  for (conn *c = s->conns, *next; c; c = next) {
    next = c->next;
    conn_close(c);
  }
  s->conns = NULL;
  pthread_mutex_unlock(&s->lock);
  pthread_key_delete(s->key);
  pthread_mutex_destroy(&s->lock);
  free(s->path);
  free(s);
}

typedef struct migrate_ctx {
  bool done;
} migrate_ctx;

/* Applies the next migration the database lacks, if any (one per
 * transaction, so each step commits on its own). */
static int migrate_body(conn *c, void *ctx, store_error *err) {
  migrate_ctx *m = ctx;
  size_t n;
  const store_sqlite_migration *migrations = store_sqlite_migrations(&n);
  int rc = exec(c, "CREATE TABLE IF NOT EXISTS schema_version ("
                   "version INTEGER PRIMARY KEY, applied_time REAL NOT NULL)");
  if (rc != SQLITE_OK)
    return db_fail(c, err, rc);
  sqlite3_stmt *st = stmt(c, "SELECT coalesce(max(version), 0) FROM schema_version", &rc);
  if (!st)
    return db_fail(c, err, rc);
  rc = sqlite3_step(st);
  int64_t version = sqlite3_column_int64(st, 0);
  sqlite3_reset(st);
  if (rc != SQLITE_ROW)
    return db_fail(c, err, rc);
  if (version > (int64_t)n) {
    store_fail(err,
               "The database %s has schema version %lld, newer than this dagd supports (%zu): "
               "it was written by a newer dagd; use that version or a newer one.",
               c->owner->path, (long long)version, n);
    return BODY_FAILED;
  }
  if (version == (int64_t)n) {
    m->done = true;
    return SQLITE_OK;
  }
  const store_sqlite_migration *next = &migrations[version];
  char *msg = NULL;
  rc = sqlite3_exec(c->db, next->sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    store_fail(err, "Migration %d of the database %s failed: %s", next->version, c->owner->path,
               msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return is_busy(rc) ? rc : BODY_FAILED;
  }
  st = stmt(c, "INSERT INTO schema_version (version, applied_time) VALUES (?1, ?2)", &rc);
  if (!st)
    return db_fail(c, err, rc);
  sqlite3_bind_int(st, 1, next->version);
  sqlite3_bind_double(st, 2, clock_now());
  rc = step_done(st);
  return rc == SQLITE_OK ? SQLITE_OK : db_fail(c, err, rc);
}

/* Creates the folders above path (mkdir -p of its directory). */
static int make_parent_dirs(const char *path, store_error *err) {
  char *dir = xstrdup(path);
  int rc = 0;
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
      rc = store_fail(err, "Cannot create the folder %s for the database %s: %s", dir, path,
                      strerror(errno));
      break;
    }
    *p = '/';
  }
  free(dir);
  return rc;
}

/* journal_mode=WAL is a property of the file; setting it needs a moment
 * when no other process is writing, so it is retried like a transaction. */
static int enable_wal(conn *c, store_error *err) {
  double start = clock_now();
  unsigned delay_us = 1000;
  for (;;) {
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
      rc = sqlite3_step(st);
    bool wal = rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (wal)
      return 0;
    if (rc == SQLITE_ROW)
      return store_fail(err, "The database %s cannot use write-ahead logging.", c->owner->path);
    if (!is_busy(rc) || clock_now() - start > RETRY_DEADLINE_S) {
      db_fail(c, err, rc);
      return -1;
    }
    store_retry_pause(&c->jitter, &delay_us, BACKOFF_MAX_US);
  }
}

static const store_ops sqlite_ops = {
    .close = sq_close,
    .run_add = sq_run_add,
    .run_get = sq_run_get,
    .runs_list = sq_runs_list,
    .runs_count = sq_runs_count,
    .run_delete = sq_run_delete,
    .run_set_worker = sq_run_set_worker,
    .run_add_tags = sq_run_add_tags,
    .tag_keys = sq_tag_keys,
    .tags = sq_tags,
    .run_group = sq_run_group,
    .event_append = sq_event_append,
    .events = sq_events,
    .events_last_id = sq_events_last_id,
    .event_last_of_type = sq_event_last_of_type,
    .snapshot_put = sq_snapshot_put,
    .snapshot_get = sq_snapshot_get,
    .daemon_heartbeat = sq_daemon_heartbeat,
    .daemon_heartbeat_get = sq_daemon_heartbeat_get,
    .worker_offer = sq_worker_offer,
    .worker_claim = sq_worker_claim,
    .worker_release = sq_worker_release,
};

store *store_open_sqlite(const char *path, store_error *err) {
  err->message[0] = '\0';
  if (!path || !path[0] || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0) {
    store_fail(err, "The SQLite store needs the path of a database file (got \"%s\").",
               path ? path : "");
    return NULL;
  }
  if (make_parent_dirs(path, err) != 0)
    return NULL;
  sq_store *s = xcalloc(1, sizeof *s);
  s->base.ops = &sqlite_ops;
  s->path = xstrdup(path);
  pthread_mutex_init(&s->lock, NULL);
  if (pthread_key_create(&s->key, conn_thread_exit) != 0) {
    store_fail(err, "Cannot open the database %s: out of thread-local keys.", path);
    pthread_mutex_destroy(&s->lock);
    free(s->path);
    free(s);
    return NULL;
  }
  conn *c = conn_get(s, err);
  if (!c || enable_wal(c, err) != 0) {
    sq_close(&s->base);
    return NULL;
  }
  migrate_ctx m = {.done = false};
  while (!m.done) {
    if (txn(s, true, migrate_body, &m, err) != 0) {
      sq_close(&s->base);
      return NULL;
    }
  }
  return &s->base;
}
