/* postgres.c — the PostgreSQL store (libpq): one database shared by the
 * webservers, the daemon and the run workers of an instance, on one host
 * or many. Same results as the SQLite store (sqlite.c) for every call.
 *
 * A libpq connection must not be used by two threads at once, and the
 * server's max_connections is shared by every process of every host, so a
 * store keeps a bounded pool (pool_acquire): an operation takes an idle
 * connection (the most recently used, whose prepared statements, cached by
 * SQL text, are the warmest), else opens one while fewer than the pool's
 * size exist, else waits for one, for a minute at most; it gives the
 * connection back when it ends. A thread holds one connection at a time: no
 * operation calls another. Connections time out instead of hanging: a
 * connect timeout, TCP keepalives, a TCP user timeout and a server-side
 * limit on a transaction left idle, each overridable by the user's
 * connection string (pg_connect). Every value is a bound parameter, never
 * spliced into the text; a list is one array parameter, so one statement
 * serves every length. An operation of one statement runs on its own (its
 * own transaction and snapshot: no BEGIN and COMMIT round trips), so reads
 * of one statement (a page of runs with their tags, events) and an event
 * append take one round trip; others run in a transaction (txn): writes at
 * READ COMMITTED, whose conditional UPDATEs re-check their WHERE after
 * waiting for a row lock (so a claim has one winner); reads of several
 * statements at REPEATABLE READ READ ONLY, so they see one snapshot. An
 * operation that meets a serialization failure or a deadlock, whose
 * connection broke (or could not be made: a pool's new connection is made
 * inside txn) before its commit was sent, or whose cached statement
 * vanished or went stale (a transaction pooler, DISCARD ALL, a migration),
 * rolls back (reconnecting or re-preparing when needed; behind a
 * transaction pooler the connection stops preparing) and runs again after a
 * randomised, growing pause, for up to a minute; a connection that breaks
 * during its commit without an answer is not retried, since the commit may
 * have landed. Only store_open_postgres fails at once on an unreachable
 * server. Operations are written as bodies that can run more than once.
 * Event appends to one run are serialized by the run's row lock, so a run's
 * event ids become visible in increasing order (event_append_body).
 *
 * Changes are announced with NOTIFY after their commit (appends on
 * dagd_events, offers on dagd_offers: notify_after_commit), and watchers
 * (store_watch) LISTEN on a connection of their own, which must reach the
 * server directly or through a pooler in session mode: a transaction
 * pooler does not keep a LISTEN (their safety look every second still
 * finds every change). Everything else works behind either.
 *
 * A store must not cross fork(): a child process opens its own. The schema
 * and its migrations are in postgres_migrations.c. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "storage/postgres_internal.h"
#include "storage/store_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

enum {
  CACHE_SLOTS = 64, /* prepared statements kept per connection */
  BACKOFF_MAX_US = 100000,
};
#define RETRY_DEADLINE_S 60.0
/* Idle connections beyond POOL_IDLE_KEEP are closed once unused this long
 * (pool_release): a burst of work does not pin its connections, and the
 * server's max_connections, for good. */
#define POOL_IDLE_CLOSE_S 60.0
enum { POOL_IDLE_KEEP = 2 };

/* Bodies return OK, BODY_FAILED (an error described in err, not to be
 * retried) or DB_FAILED (the server refused: retried when transient). */
#define OK 0
#define BODY_FAILED (-1)
#define DB_FAILED (-2)

/* Advisory lock key (any fixed number, only dagd's own). */
#define MIGRATION_LOCK "7300142002"

/* The channels of LISTEN/NOTIFY (store_watch). They are the database's,
 * not a schema's: stores in other schemas of one database wake each
 * other, which costs a spurious look (allowed: a wake only says "look"). */
#define EVENTS_CHANNEL "dagd_events"
#define OFFERS_CHANNEL "dagd_offers"

typedef struct cached_stmt {
  uint64_t hash;
  char *sql;
  char name[40];
} cached_stmt;

typedef struct pg_store pg_store;

/* A connection of the pool (or a watcher's own): used by one thread at a
 * time. */
typedef struct conn {
  PGconn *pg;
  pg_store *owner;
  double idle_since; /* clock_mono() when it went back to the pool */
  cached_stmt cache[CACHE_SLOTS];
  size_t n_cached;
  size_t hand;       /* the slot replaced next when the cache is full */
  unsigned next_id;  /* for statement names */
  uint64_t name_tag; /* random, in statement names: see prepared() */
  char sqlstate[6];  /* of the last failure; "" when none */
  bool ready;        /* connected, and the session prepared */
  bool doomed;       /* the server said it is closing the connection (on_notice) */
  bool replan;       /* the last failure was a vanished or stale statement */
  bool unnamed;      /* statements go unprepared from now on (a pooler: see forget_if_stale) */
  bool pending;      /* a notification was sent without waiting: its result is read first */
  /* What the operation announces once it has committed (notify_after_commit):
   * a channel (NULL: nothing) and a payload. */
  const char *notify_channel;
  char notify_payload[40];
  uint64_t jitter; /* xorshift state for the retry pauses */
} conn;

struct pg_store {
  store base;
  char *conninfo;
  pthread_mutex_t lock; /* guards what follows */
  pthread_cond_t freed; /* a connection went idle, or one closed: a slot is free */
  conn **idle;          /* idle connections, the most recently used last */
  int n_idle;
  int n_open;          /* idle or in use */
  int size;            /* at most this many open */
  double wait_limit_s; /* how long pool_acquire waits for a busy pool */
};

/* ---- parameters ---- */

/* The parameters of one statement, as libpq takes them: texts (format 0)
 * or bytes (format 1); the texts formatted here are owned. */
typedef struct params {
  const char **v;
  int *len, *fmt;
  int n, cap;
  char **owned;
  int n_owned, owned_cap;
} params;

static void p_add(params *p, const char *v, int len, int fmt) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 8;
    p->v = xrealloc(p->v, (size_t)p->cap * sizeof *p->v);
    p->len = xrealloc(p->len, (size_t)p->cap * sizeof *p->len);
    p->fmt = xrealloc(p->fmt, (size_t)p->cap * sizeof *p->fmt);
  }
  p->v[p->n] = v;
  p->len[p->n] = len;
  p->fmt[p->n++] = fmt;
}

/* Text, or NULL for SQL NULL. */
static void p_str(params *p, const char *v) { p_add(p, v, 0, 0); }

static void p_owned(params *p, const char *text) {
  if (p->n_owned == p->owned_cap) {
    p->owned_cap = p->owned_cap ? p->owned_cap * 2 : 8;
    p->owned = xrealloc(p->owned, (size_t)p->owned_cap * sizeof *p->owned);
  }
  char *copy = xstrdup(text);
  p->owned[p->n_owned++] = copy;
  p_str(p, copy);
}

/* %.17g reads back as the same double. */
static void p_double(params *p, double v) {
  char b[40];
  snprintf(b, sizeof b, "%.17g", v);
  p_owned(p, b);
}

/* Times: 0 ("not set") is stored as NULL. */
static void p_time(params *p, double t) {
  if (t > 0)
    p_double(p, t);
  else
    p_str(p, NULL);
}

static void p_int(params *p, int64_t v) {
  char b[24];
  snprintf(b, sizeof b, "%" PRId64, v);
  p_owned(p, b);
}

/* A limit: NULL (no limit) when negative. */
static void p_limit(params *p, int64_t limit) {
  if (limit < 0)
    p_str(p, NULL);
  else
    p_int(p, limit);
}

static void p_bool(params *p, bool v) { p_str(p, v ? "true" : "false"); }

/* A text[] parameter in PostgreSQL's array syntax, built an element at a
 * time: every element is double-quoted, so none reads as NULL or splits at
 * a comma or brace, and only " and \ take a backslash (NULL, unquoted,
 * is SQL NULL). As one parameter, a list of any length goes through one
 * prepared statement (= ANY($n), unnest($n)). */
static void array_add(buf *b, const char *v) {
  buf_putc(b, b->len ? ',' : '{');
  if (!v) {
    buf_puts(b, "NULL");
    return;
  }
  buf_putc(b, '"');
  for (; *v; v++) {
    if (*v == '"' || *v == '\\')
      buf_putc(b, '\\');
    buf_putc(b, *v);
  }
  buf_putc(b, '"');
}

/* Closes the array array_add began in b (empty when nothing was added),
 * adds it as the next parameter and frees b. */
static void p_array(params *p, buf *b) {
  if (!b->len)
    buf_putc(b, '{');
  buf_putc(b, '}');
  p_owned(p, buf_cstr(b));
  buf_free(b);
}

static void p_free(params *p) {
  for (int i = 0; i < p->n_owned; i++)
    free(p->owned[i]);
  free(p->owned);
  free(p->v);
  free(p->len);
  free(p->fmt);
  memset(p, 0, sizeof *p);
}

/* ---- connections and statements ---- */

/* libpq's messages end with a newline; err gets the first line. */
static void set_message(store_error *err, const char *prefix, const char *msg) {
  size_t n = strcspn(msg, "\n");
  snprintf(err->message, sizeof err->message, "%s%.*s", prefix, (int)n, msg);
}

/* Records a failed result (or the connection's error when res is NULL) in
 * err and c->sqlstate, frees res, and returns DB_FAILED. */
static int db_fail(conn *c, PGresult *res, store_error *err) {
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
  const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  set_message(err, "Storage error (PostgreSQL): ", primary ? primary : PQerrorMessage(c->pg));
  PQclear(res);
  return DB_FAILED;
}

static void clear_cache(conn *c) {
  for (size_t i = 0; i < c->n_cached; i++)
    free(c->cache[i].sql);
  c->n_cached = 0;
  c->hand = 0;
}

static void conn_close(conn *c) {
  clear_cache(c);
  PQfinish(c->pg);
  free(c);
}

/* Library code never prints: the server's notices ("relation already
 * exists, skipping") are dropped instead of going to stderr. An error
 * that arrives while the connection is idle comes this way too: a FATAL
 * one (a terminated backend, a server shutting down, an idle timeout)
 * means the server is closing the connection, which conn_ensure then
 * makes again before a statement is sent on it. */
static void on_notice(void *arg, const PGresult *res) {
  conn *c = arg;
  const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
  if (severity && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0))
    c->doomed = true;
}

/* Session settings every connection needs, after (re)connecting: doubles
 * printed exactly (the default from PostgreSQL 12 on; 3 makes older
 * servers agree). It is a SET, which a transaction pooler does not carry
 * to the server connections it hands the session later: behind a pooler,
 * use PostgreSQL 12 or newer. */
static int conn_prepare_session(conn *c, store_error *err) {
  if (PQstatus(c->pg) != CONNECTION_OK) {
    snprintf(c->sqlstate, sizeof c->sqlstate, "08006");
    set_message(err, "Cannot connect to PostgreSQL: ", PQerrorMessage(c->pg));
    return DB_FAILED;
  }
  PQsetNoticeReceiver(c->pg, on_notice, c);
  PGresult *res = PQexec(c->pg, "SET extra_float_digits = 3");
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    return db_fail(c, res, err);
  PQclear(res);
  return OK;
}

/* dagd's connection settings go before the user's string, so that the
 * string overrides any of them (PQconnectdbParams reads its keywords in
 * order and the last value wins): an attempt gives up after
 * connect_timeout seconds (libpq's default is to wait forever), and TCP
 * keepalives with tcp_user_timeout make a half-open connection (a host
 * gone without a FIN, a cut network) fail within about a minute instead of
 * blocking its thread for good; txn then reconnects. The server ends a
 * transaction left idle for a minute (idle_in_transaction_session_timeout,
 * in the startup `options`), so a client that vanished mid-transaction
 * does not hold a run's row lock until keepalives notice: dagd's own
 * transactions never pause between statements. The string's `options`
 * replaces dagd's whole (add the timeout to it to keep it); options=''
 * sends none. PgBouncer refuses a startup `options` setting it does not
 * track unless its ignore_startup_parameters lists options (then the
 * timeout is dropped: set it on the role, ALTER ROLE … SET). PGCONNECT_TIMEOUT,
 * when set, wins over dagd's timeout as it would over libpq's, and
 * fallback_application_name gives way to PGAPPNAME and to the string's
 * application_name. client_encoding comes after the string: dagd's strings
 * are UTF-8 whatever PGCLIENTENCODING says (a conversion would change
 * them), and a startup parameter, unlike a SET, survives a pooler handing
 * the session another server connection. */
static PGconn *pg_connect(const pg_store *s) {
  static const char *const defaults[][2] = {
      {"connect_timeout", "10"},
      {"keepalives", "1"},
      {"keepalives_idle", "30"},
      {"keepalives_interval", "10"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", "60000"},
      {"options", "-c idle_in_transaction_session_timeout=60000"},
      {"fallback_application_name", "dagd"},
  };
  enum { N_DEFAULTS = sizeof defaults / sizeof *defaults };
  const char *keys[N_DEFAULTS + 3], *values[N_DEFAULTS + 3];
  size_t n = 0;
  const char *env_timeout = getenv("PGCONNECT_TIMEOUT");
  for (size_t i = 0; i < N_DEFAULTS; i++) {
    if (i == 0 && env_timeout && env_timeout[0])
      continue;
    keys[n] = defaults[i][0];
    values[n++] = defaults[i][1];
  }
  keys[n] = "dbname";
  values[n++] = s->conninfo;
  keys[n] = "client_encoding";
  values[n++] = "UTF8";
  keys[n] = values[n] = NULL;
  return PQconnectdbParams(keys, values, 1);
}

/* 8 bytes from the kernel's generator (as store_new_run_id's), for the
 * statement names of a connection: behind a transaction pooler, the
 * sessions of every dagd process share server connections, so a tag made
 * of an address, a time and a pid could repeat across hosts. Should the
 * read fail (no getrandom in the kernel), fallback stands in: a name is
 * not a secret, and a clash would only fail an attempt. */
static uint64_t random_tag(uint64_t fallback) {
  uint64_t tag;
  ssize_t r;
  do
    r = getrandom(&tag, sizeof tag, 0);
  while (r < 0 && errno == EINTR);
  return r == (ssize_t)sizeof tag ? tag : fallback;
}

/* A connection of s, not connected yet (conn_ensure connects it). */
static conn *conn_new(pg_store *s) {
  conn *c = xcalloc(1, sizeof *c);
  c->owner = s;
  c->jitter = (uint64_t)(uintptr_t)c ^ (uint64_t)(clock_now() * 1e6) ^ 0x9e3779b97f4a7c15u;
  c->name_tag = random_tag(c->jitter);
  return c;
}

/* Readies a connection for its next statement. The result of a
 * notification sent without waiting (notify_after_commit) is read and
 * dropped: libpq takes no new statement before it. Otherwise, input that
 * arrived while the connection was idle is read and parsed (no round
 * trip, the socket is only looked at), so a connection the server closed
 * meanwhile (a restart, a terminated backend, an idle timeout: it says
 * FATAL first, see on_notice) is made again before a statement goes out
 * on it: a one-statement write sent on a dead connection could not tell
 * whether it was saved (txn). */
static void conn_settle(conn *c) {
  if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
    c->pending = false;
    return;
  }
  if (c->pending) {
    PGresult *res;
    while ((res = PQgetResult(c->pg)))
      PQclear(res);
    c->pending = false;
  } else if (PQconsumeInput(c->pg)) {
    PQisBusy(c->pg); /* parses what came: a FATAL error reaches on_notice */
  }
}

/* Connects c when it is not: on its first use, or when the connection
 * broke (server restarted, network cut, a half-open connection timed
 * out); the prepared statements of an earlier session went with it. A
 * failure is DB_FAILED with SQLSTATE 08006, which txn retries. */
static int conn_ensure(conn *c, store_error *err) {
  conn_settle(c);
  if (c->ready && !c->doomed && PQstatus(c->pg) == CONNECTION_OK)
    return OK;
  c->ready = false;
  clear_cache(c);
  if (!c->pg)
    c->pg = pg_connect(c->owner); /* NULL only when out of memory: tried again */
  else if (PQstatus(c->pg) != CONNECTION_OK || c->doomed)
    PQreset(c->pg);
  c->doomed = false;
  if (conn_prepare_session(c, err) != OK)
    return DB_FAILED;
  c->ready = true;
  return OK;
}

/* A connection of its own, connected now; NULL (err filled) when the
 * server cannot be reached. */
static conn *conn_open(pg_store *s, store_error *err) {
  conn *c = conn_new(s);
  if (conn_ensure(c, err) != OK) {
    conn_close(c);
    return NULL;
  }
  return c;
}

/* ---- the pool ---- */

/* The store whose connection the calling thread holds (NULL: none). An
 * operation never makes another store call while it holds a connection:
 * with every connection held that way, each would wait for the others
 * for good (a pool of one at once). txn refuses such a call instead. */
static _Thread_local const pg_store *thread_holds;

/* CLOCK_MONOTONIC (the clock of s->freed) seconds from now. */
static struct timespec mono_after(double seconds) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  double whole = (double)(time_t)seconds;
  t.tv_sec += (time_t)whole;
  t.tv_nsec += (long)((seconds - whole) * 1e9);
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

/* A connection of s for the calling thread: the idle one used last (its
 * prepared statements are the warmest), else a new one while fewer than
 * s->size are open, else the first one given back, waited for up to
 * s->wait_limit_s. A new connection is not connected yet: txn's loop
 * connects it (conn_ensure), so a failure to connect is retried like a
 * broken connection. NULL with err filled when none came in time. */
static conn *pool_acquire(pg_store *s, store_error *err) {
  pthread_mutex_lock(&s->lock);
  conn *c = NULL;
  bool make = false, waited = false;
  struct timespec until;
  int rc = 0;
  for (;;) {
    if (s->n_idle) {
      c = s->idle[--s->n_idle];
      break;
    }
    if (s->n_open < s->size) {
      s->n_open++;
      make = true;
      break;
    }
    if (rc != 0) /* ETIMEDOUT: the condition was looked at once more above */
      break;
    if (!waited)
      until = mono_after(s->wait_limit_s);
    waited = true;
    rc = pthread_cond_timedwait(&s->freed, &s->lock, &until);
  }
  int size = s->size;
  double limit = s->wait_limit_s;
  pthread_mutex_unlock(&s->lock);
  if (make)
    return conn_new(s);
  if (!c)
    store_fail(err,
               "All %d PostgreSQL connections of this process stayed busy for %g s "
               "(storage.postgres.pool_size sets how many there may be).",
               size, limit);
  return c;
}

/* Gives c back to s's pool, on top of the idle ones. A connection that
 * broke goes back too: its next operation makes it again (conn_ensure),
 * inside that operation's retry loop. When more than POOL_IDLE_KEEP are
 * idle, the one idle longest (at the bottom: connections are taken from
 * the top) is closed once unused for POOL_IDLE_CLOSE_S. */
static void pool_release(pg_store *s, conn *c) {
  double now = clock_mono();
  c->idle_since = now;
  conn *stale = NULL;
  pthread_mutex_lock(&s->lock);
  s->idle[s->n_idle++] = c;
  if (s->n_idle > POOL_IDLE_KEEP && now - s->idle[0]->idle_since > POOL_IDLE_CLOSE_S) {
    stale = s->idle[0];
    s->n_idle--;
    memmove(s->idle, s->idle + 1, (size_t)s->n_idle * sizeof *s->idle);
    s->n_open--;
  }
  pthread_cond_signal(&s->freed);
  pthread_mutex_unlock(&s->lock);
  if (stale)
    conn_close(stale);
}

static uint64_t hash_sql(const char *sql) {
  uint64_t h = 0xcbf29ce484222325u;
  for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
    h = (h ^ *p) * 0x100000001b3u;
  return h;
}

/* After a cached statement turned out stale (0A000, "cached plan must
 * not change result type": a newer dagd's migration changed a table it
 * reads) or missing (26000), every cached statement is forgotten and the
 * failure is marked transient, so txn runs the operation again. A stale
 * one is prepared afresh (the old one goes with the session). A missing
 * one means a pooler such as PgBouncer in transaction mode gave the
 * session another server connection, and will again: from then on the
 * connection sends its statements unnamed (unprepared, parsed each time:
 * PQexecParams), so the next move costs no failed attempt and no named
 * statement is left behind on the server connections it visits. The
 * choice outlives reconnections (the pooler stays). */
static void forget_if_stale(conn *c) {
  bool missing = strcmp(c->sqlstate, "26000") == 0;
  if (missing || strcmp(c->sqlstate, "0A000") == 0) {
    clear_cache(c);
    c->replan = true;
    c->unnamed |= missing;
  }
}

/* The name of sql's prepared statement on this connection, prepared now
 * when not cached (replacing the oldest when the cache is full; *cached
 * tells which); NULL with err filled when the server refuses it. Names
 * carry a random tag of the connection: behind a transaction pooler, the
 * server connection may hold statements of other clients too. */
static const char *prepared(conn *c, const char *sql, bool *cached, store_error *err) {
  uint64_t h = hash_sql(sql);
  *cached = true;
  for (size_t i = 0; i < c->n_cached; i++)
    if (c->cache[i].hash == h && strcmp(c->cache[i].sql, sql) == 0)
      return c->cache[i].name;
  *cached = false;
  cached_stmt *slot;
  if (c->n_cached < CACHE_SLOTS) {
    slot = &c->cache[c->n_cached++];
  } else {
    slot = &c->cache[c->hand];
    char dealloc[64];
    snprintf(dealloc, sizeof dealloc, "DEALLOCATE %s", slot->name);
    PGresult *res = PQexec(c->pg, dealloc);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      db_fail(c, res, err);
      forget_if_stale(c);
      return NULL;
    }
    PQclear(res);
    c->hand = (c->hand + 1) % CACHE_SLOTS;
    free(slot->sql);
  }
  slot->sql = NULL;
  snprintf(slot->name, sizeof slot->name, "dagd_%016" PRIx64 "_%u", c->name_tag, c->next_id++);
  PGresult *res = PQprepare(c->pg, slot->name, sql, 0, NULL);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    /* Drop the slot: it holds no statement. */
    *slot = c->cache[--c->n_cached];
    if (c->hand > c->n_cached)
      c->hand = 0;
    db_fail(c, res, err);
    return NULL;
  }
  PQclear(res);
  slot->hash = h;
  slot->sql = xstrdup(sql);
  return slot->name;
}

/* Runs sql (prepared, or unnamed behind a transaction pooler, with p's
 * parameters; p may be NULL) and returns its result, rows in result_fmt
 * (0 text, 1 binary); NULL (err filled) when the server refused it. */
static PGresult *query(conn *c, const char *sql, const params *p, int result_fmt,
                       store_error *err) {
  bool cached = false;
  PGresult *res;
  if (c->unnamed) {
    res = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, p ? p->len : NULL,
                       p ? p->fmt : NULL, result_fmt);
  } else {
    const char *name = prepared(c, sql, &cached, err);
    if (!name)
      return NULL;
    res = PQexecPrepared(c->pg, name, p ? p->n : 0, p ? p->v : NULL, p ? p->len : NULL,
                         p ? p->fmt : NULL, result_fmt);
  }
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    db_fail(c, res, err);
    if (cached) /* prepared just now, it is neither gone nor stale */
      forget_if_stale(c);
    return NULL;
  }
  return res;
}

/* Runs a statement without parameters (BEGIN, COMMIT, a migration). */
static int exec_simple(conn *c, const char *sql, store_error *err) {
  PGresult *res = PQexec(c->pg, sql);
  ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return db_fail(c, res, err);
  PQclear(res);
  return OK;
}

/* Runs a statement for its effect; *changed (may be NULL) receives the
 * number of rows it changed. */
static int command(conn *c, const char *sql, const params *p, int64_t *changed, store_error *err) {
  PGresult *res = query(c, sql, p, 0, err);
  if (!res)
    return DB_FAILED;
  if (changed)
    *changed = strtoll(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  return OK;
}

/* Contention and lost connections pass; anything else would fail again. */
static bool is_transient(conn *c) {
  return c->replan || strcmp(c->sqlstate, "40001") == 0 || strcmp(c->sqlstate, "40P01") == 0 ||
         strncmp(c->sqlstate, "08", 2) == 0 || strcmp(c->sqlstate, "57P01") == 0 ||
         PQstatus(c->pg) != CONNECTION_OK;
}

/* Ends a failed attempt: the transaction rolled back. */
static void abandon(conn *c) {
  if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
    PQclear(PQexec(c->pg, "ROLLBACK"));
}

/* What a body asks of the server once its operation has committed: a
 * notification on channel with payload (at most 39 bytes), sent by
 * notify_after_commit. A failed or retried attempt announces nothing. */
static void announce(conn *c, const char *channel, const char *payload) {
  c->notify_channel = channel;
  snprintf(c->notify_payload, sizeof c->notify_payload, "%s", payload);
}

/* Sends the announced notification as a statement of its own, after the
 * COMMIT, without waiting for its result (conn_settle reads it before the
 * connection's next statement): the operation pays no round trip for it.
 * A NOTIFY in the operation's own transaction would take PostgreSQL's
 * notification lock, one for the whole cluster, at its commit and hold it
 * through the commit's WAL flush, so every notifying commit of the cluster
 * would flush alone (no group commit). Here the lock is taken by this
 * transaction, which changes no rows and, with synchronous_commit off for
 * itself, does not wait for its commit record's flush while it holds it
 * (a crash forgets notifications anyway; watchers look again every
 * second): notifications still take turns, briefly. Listeners are
 * woken after the rows are visible. A notification that fails to go (a
 * connection broken just now) is lost the same way. */
static void notify_after_commit(conn *c) {
  const char *channel = c->notify_channel;
  c->notify_channel = NULL;
  if (!channel)
    return;
  const char *values[2] = {channel, c->notify_payload};
  c->pending = PQsendQueryParams(c->pg,
                                 "SELECT set_config('synchronous_commit', 'off', true), "
                                 "pg_notify($1, $2)",
                                 2, NULL, values, NULL, NULL, 0) == 1;
}

typedef int (*txn_body)(conn *c, void *ctx, store_error *err);

/* How an operation's statements run. A single statement needs no BEGIN
 * and COMMIT (two round trips): on its own it runs in a transaction of its
 * own, and reads from one snapshot. */
typedef enum txn_kind {
  TXN_WRITE,     /* BEGIN … COMMIT at READ COMMITTED */
  TXN_SNAPSHOT,  /* reads of several statements: BEGIN REPEATABLE READ READ ONLY … COMMIT */
  TXN_READ_ONE,  /* one read statement on its own */
  TXN_WRITE_ONE, /* one write statement on its own: it commits as it ends */
} txn_kind;

/* Runs body in a transaction on c, again from the start while the
 * failure is transient (see the top of the file); c is the operation's
 * for every attempt. Connecting is part of an attempt, a new connection's
 * first too. Whether a commit landed is unknown only when the connection
 * broke during it (COMMIT, or a TXN_WRITE_ONE statement) without the
 * server saying why: a server's error (such as 57P01 for a terminated
 * backend) is an answer, and means the transaction did not commit. */
static int txn_on(conn *c, txn_kind kind, txn_body body, void *ctx, store_error *err) {
  bool single = kind == TXN_READ_ONE || kind == TXN_WRITE_ONE;
  double start = 0;
  unsigned delay_us = 1000;
  for (;;) {
    err->message[0] = '\0';
    c->sqlstate[0] = '\0';
    c->replan = false;
    c->notify_channel = NULL;
    bool committing = false;
    int rc = conn_ensure(c, err);
    if (rc == OK && !single)
      rc = exec_simple(
          c, kind == TXN_WRITE ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    if (rc == OK) {
      committing = kind == TXN_WRITE_ONE;
      rc = body(c, ctx, err);
    }
    if (rc == OK && !single) {
      committing = true;
      rc = exec_simple(c, "COMMIT", err);
    }
    if (rc == OK) {
      notify_after_commit(c);
      return 0;
    }
    bool broken = PQstatus(c->pg) != CONNECTION_OK;
    abandon(c);
    if (rc == BODY_FAILED)
      return -1;
    if (committing && broken && !c->sqlstate[0]) {
      set_message(err,
                  "The connection to PostgreSQL broke while committing; the change may or "
                  "may not have been saved: ",
                  PQerrorMessage(c->pg));
      return -1;
    }
    double now = clock_now();
    if (start == 0)
      start = now;
    if (!is_transient(c) || now - start > RETRY_DEADLINE_S)
      return -1;
    store_retry_pause(&c->jitter, &delay_us, BACKOFF_MAX_US);
  }
}

/* Runs body (txn_on) on a connection of s's pool, held for the whole
 * operation, retries included, and given back after it. */
static int txn(pg_store *s, txn_kind kind, txn_body body, void *ctx, store_error *err) {
  if (thread_holds == s)
    return store_fail(err, "Storage error (PostgreSQL): a store call was made inside another "
                           "on the same thread (it would wait for its own connection).");
  conn *c = pool_acquire(s, err);
  if (!c)
    return -1;
  const pg_store *outer = thread_holds;
  thread_holds = s;
  int rc = txn_on(c, kind, body, ctx, err);
  thread_holds = outer;
  pool_release(s, c);
  return rc;
}

/* ---- values out ---- */

static const char *col_str(const PGresult *res, int row, int col, arena *a) {
  if (PQgetisnull(res, row, col))
    return NULL;
  return arena_strndup(a, PQgetvalue(res, row, col), (size_t)PQgetlength(res, row, col));
}

static double col_double(const PGresult *res, int row, int col) {
  return PQgetisnull(res, row, col) ? 0 : strtod(PQgetvalue(res, row, col), NULL);
}

static int64_t col_int(const PGresult *res, int row, int col) {
  return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void col_id(const PGresult *res, int row, int col, char out[37]) {
  snprintf(out, 37, "%s", PQgetvalue(res, row, col));
}

/* ---- runs ---- */

#define RUN_COLUMNS                                                                                \
  "r.id, r.run_id, r.job_name, r.repository_name, r.location_name, r.status, r.mode, "             \
  "r.run_config, r.snapshot_id, r.op_selection, r.resolved_op_selection, "                         \
  "r.step_keys_to_execute, r.parent_run_id, r.root_run_id, r.create_time, r.update_time, "         \
  "r.start_time, r.end_time, r.worker_pid"
#define RUN_COLUMN_COUNT 19

/* Runs read by a query. */
typedef struct run_list {
  store_run *runs;
  size_t n;
} run_list;

static void read_run(const PGresult *res, int row, arena *a, store_run *r) {
  memset(r, 0, sizeof *r);
  col_id(res, row, 1, r->run_id);
  r->job_name = col_str(res, row, 2, a);
  r->repository_name = col_str(res, row, 3, a);
  r->location_name = col_str(res, row, 4, a);
  int status = store_run_status_parse(PQgetvalue(res, row, 5));
  r->status = status < 0 ? STORE_RUN_NOT_STARTED : (store_run_status)status;
  r->mode = col_str(res, row, 6, a);
  r->run_config = col_str(res, row, 7, a);
  r->snapshot_id = col_str(res, row, 8, a);
  r->op_selection = col_str(res, row, 9, a);
  r->resolved_op_selection = col_str(res, row, 10, a);
  r->step_keys_to_execute = col_str(res, row, 11, a);
  r->parent_run_id = col_str(res, row, 12, a);
  r->root_run_id = col_str(res, row, 13, a);
  r->create_time = col_double(res, row, 14);
  r->update_time = col_double(res, row, 15);
  r->start_time = col_double(res, row, 16);
  r->end_time = col_double(res, row, 17);
  r->worker_pid = col_int(res, row, 18);
}

/* The next element of a text[] in PostgreSQL's output syntax, at *p
 * (after the '{' or a ','), copied into a; *p moves past it and its
 * delimiter. An element is double-quoted when it is empty or holds a
 * delimiter, brace, quote, backslash or space (or reads NULL), and inside
 * quotes a backslash escapes the next byte. NULL at the closing brace. */
static const char *array_next(const char **p, arena *a) {
  const char *in = *p;
  if (*in == '}' || *in == '\0')
    return NULL;
  char *out;
  if (*in == '"') {
    size_t len = 0;
    const char *end = ++in;
    for (; *end && *end != '"'; end++, len++)
      if (*end == '\\' && end[1])
        end++;
    out = arena_alloc(a, len + 1);
    for (size_t i = 0; in < end; in++)
      out[i++] = *in == '\\' ? *++in : *in;
    out[len] = '\0';
    in = *end ? end + 1 : end;
  } else {
    size_t len = strcspn(in, ",}");
    out = arena_strndup(a, in, len);
    in += len;
  }
  if (*in == ',')
    in++;
  *p = in;
  return out;
}

/* A run's tags from two text[] columns (keys, then values, in key order:
 * see with_tags); none when NULL. */
static void read_tags(const PGresult *res, int row, int col, arena *a, store_run *r) {
  if (PQgetisnull(res, row, col) || PQgetisnull(res, row, col + 1))
    return;
  const char *keys = PQgetvalue(res, row, col) + 1, *values = PQgetvalue(res, row, col + 1) + 1;
  size_t cap = 0;
  store_tag *tags = NULL;
  for (;;) {
    const char *key = array_next(&keys, a), *value = array_next(&values, a);
    if (!key || !value)
      break;
    tags = arena_grow(a, tags, &cap, r->n_tags, sizeof *tags);
    tags[r->n_tags++] = (store_tag){key, value};
  }
  r->tags = tags;
}

/* The runs query `inner` (selecting RUN_COLUMNS, possibly ordered and
 * limited) with every run's tags joined on as two arrays in key order,
 * ordered by id (`order`: ASC or DESC): one statement, so one round trip
 * and one snapshot for a page of runs and their tags (the tags of each run
 * are one walk of run_tags' primary key). */
static void with_tags(buf *sql, const char *inner, const char *order) {
  buf_printf(sql,
             "SELECT q.*, g.keys, g.vals FROM (%s) q LEFT JOIN LATERAL "
             "(SELECT array_agg(t.key ORDER BY t.key) AS keys, "
             "array_agg(t.value ORDER BY t.key) AS vals "
             "FROM run_tags t WHERE t.run_pk = q.id) g ON true ORDER BY q.id %s",
             inner, order);
}

/* Runs the runs query `inner` (see with_tags) and reads every row, tags
 * included, into l. */
static int read_runs(conn *c, const char *inner, const char *order, const params *p, arena *a,
                     run_list *l, store_error *err) {
  l->n = 0;
  buf sql;
  buf_init(&sql, NULL);
  with_tags(&sql, inner, order);
  PGresult *res = query(c, buf_cstr(&sql), p, 0, err);
  buf_free(&sql);
  if (!res)
    return DB_FAILED;
  size_t rows = (size_t)PQntuples(res);
  l->runs = rows ? ARENA_ARRAY(a, store_run, rows) : NULL;
  for (size_t i = 0; i < rows; i++) {
    read_run(res, (int)i, a, &l->runs[i]);
    read_tags(res, (int)i, RUN_COLUMN_COUNT, a, &l->runs[i]);
  }
  l->n = rows;
  PQclear(res);
  return OK;
}

/* Every tag in one statement (a round trip per tag would dominate adding
 * a run). Of a key given twice the last value wins, as in SQLite's one
 * upsert per tag; ON CONFLICT may not change a row twice in a statement,
 * hence DISTINCT ON. */
static int upsert_tags(conn *c, const char *pk, const store_tag *tags, size_t n, store_error *err) {
  if (!n)
    return OK;
  buf keys, values;
  buf_init(&keys, NULL);
  buf_init(&values, NULL);
  for (size_t i = 0; i < n; i++) {
    array_add(&keys, tags[i].key);
    array_add(&values, tags[i].value);
  }
  params p = {0};
  p_str(&p, pk);
  p_array(&p, &keys);
  p_array(&p, &values);
  int rc = command(c,
                   "INSERT INTO run_tags (run_pk, key, value) "
                   "SELECT DISTINCT ON (t.key) $1::bigint, t.key, t.value "
                   "FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS t(key, value, i) "
                   "ORDER BY t.key, t.i DESC "
                   "ON CONFLICT (run_pk, key) DO UPDATE SET value = excluded.value",
                   &p, NULL, err);
  p_free(&p);
  return rc;
}

static const char run_not_found[] = "Run %s was not found in instance.";

/* A body that runs one statement returning at most one row: *res gets it
 * (NULL when the server refused; then DB_FAILED). */
static int one_row(conn *c, const char *sql, const params *p, int fmt, PGresult **res,
                   store_error *err) {
  *res = query(c, sql, p, fmt, err);
  return *res ? OK : DB_FAILED;
}

static int run_add_body(conn *c, void *ctx, store_error *err) {
  const store_run *r = ctx;
  double created = r->create_time > 0 ? r->create_time : clock_now();
  params p = {0};
  p_str(&p, r->run_id);
  p_str(&p, r->job_name);
  p_str(&p, r->repository_name);
  p_str(&p, r->location_name);
  p_str(&p, store_run_status_name(r->status));
  p_str(&p, r->mode);
  p_str(&p, r->run_config);
  p_str(&p, r->snapshot_id);
  p_str(&p, r->op_selection);
  p_str(&p, r->resolved_op_selection);
  p_str(&p, r->step_keys_to_execute);
  p_str(&p, r->parent_run_id);
  p_str(&p, r->root_run_id);
  p_double(&p, created);
  p_double(&p, r->update_time > 0 ? r->update_time : created);
  p_time(&p, r->start_time);
  p_time(&p, r->end_time);
  p_int(&p, r->worker_pid);
  PGresult *res;
  int rc = one_row(
      c,
      "INSERT INTO runs (run_id, job_name, repository_name, location_name, status, mode, "
      "run_config, snapshot_id, op_selection, resolved_op_selection, step_keys_to_execute, "
      "parent_run_id, root_run_id, create_time, update_time, start_time, end_time, worker_pid) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) "
      "RETURNING id",
      &p, 0, &res, err);
  p_free(&p);
  if (rc != OK) {
    if (strcmp(c->sqlstate, "23505") == 0) { /* unique_violation */
      store_fail(err, "Run %s already exists.", r->run_id);
      return BODY_FAILED;
    }
    return rc;
  }
  char pk[24];
  snprintf(pk, sizeof pk, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return upsert_tags(c, pk, r->tags, r->n_tags, err);
}

static int pg_run_add(store *s, const store_run *run, store_error *err) {
  return txn((pg_store *)s, TXN_WRITE, run_add_body, (void *)run, err);
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
  params p = {0};
  p_str(&p, q->run_id);
  int rc = read_runs(c, "SELECT " RUN_COLUMNS " FROM runs r WHERE r.run_id = $1", "", &p, q->a,
                     &q->out, err);
  p_free(&p);
  return rc;
}

static store_run *pg_run_get(store *s, const char *run_id, arena *a, store_error *err) {
  runs_ctx q = {.run_id = run_id, .a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, run_get_body, &q, err) != 0)
    return NULL;
  return q.out.n ? q.out.runs : NULL;
}

/* The runs query: its text and its parameters written together ($1, $2, …
 * in order), so they always agree. */
typedef struct query_build {
  buf sql;
  params p;
} query_build;

static void b_text(query_build *b, const char *text) { buf_puts(&b->sql, text); }

static void b_str(query_build *b, const char *v) {
  p_str(&b->p, v);
  buf_printf(&b->sql, "$%d", b->p.n);
}

static void b_time_bound(query_build *b, const char *column_op, double t) {
  if (t > 0) {
    b_text(b, " AND ");
    b_text(b, column_op);
    p_double(&b->p, t);
    buf_printf(&b->sql, "$%d::float8", b->p.n);
  }
}

/* " AND column = ANY($i::text[])" for a list of texts: the statement's
 * text does not depend on the list's length, so one prepared statement
 * serves every length. */
static void b_in(query_build *b, const char *column, const char *const *values, size_t n) {
  if (!n)
    return;
  buf array;
  buf_init(&array, NULL);
  for (size_t i = 0; i < n; i++)
    array_add(&array, values[i]);
  p_array(&b->p, &array);
  b_text(b, " AND ");
  b_text(b, column);
  buf_printf(&b->sql, " = ANY($%d::text[])", b->p.n);
}

/* As in the SQLite store: with tag filters the first tag drives the query,
 * its index entries (key, value, run_pk) read newest first; the other tags
 * are EXISTS lookups on run_tags' primary key. Without tags the runs table
 * (or a (column, id) index) is read newest first. */
static void build_runs_query(query_build *b, const store_runs_filter *f, const char *cursor,
                             int limit, bool count) {
  bool by_tag = f->n_tags > 0;
  const char *order_col = by_tag ? "t0.run_pk" : "r.id";
  b_text(b, count ? "SELECT count(*)" : "SELECT " RUN_COLUMNS);
  if (by_tag) {
    b_text(b, " FROM run_tags t0 JOIN runs r ON r.id = t0.run_pk WHERE t0.key = ");
    b_str(b, f->tags[0].key);
    b_text(b, " AND t0.value = ");
    b_str(b, f->tags[0].value);
  } else {
    b_text(b, " FROM runs r WHERE true");
  }
  b_in(b, "r.run_id", f->run_ids, f->n_run_ids);
  if (f->job_name) {
    b_text(b, " AND r.job_name = ");
    b_str(b, f->job_name);
  }
  if (f->n_statuses) {
    const char **names = xmalloc(f->n_statuses * sizeof *names);
    for (size_t i = 0; i < f->n_statuses; i++)
      names[i] = store_run_status_name(f->statuses[i]);
    b_in(b, "r.status", names, f->n_statuses);
    free(names);
  }
  if (f->snapshot_id) {
    b_text(b, " AND r.snapshot_id = ");
    b_str(b, f->snapshot_id);
  }
  if (f->mode) {
    b_text(b, " AND r.mode = ");
    b_str(b, f->mode);
  }
  b_time_bound(b, "r.create_time < ", f->created_before);
  b_time_bound(b, "r.create_time > ", f->created_after);
  b_time_bound(b, "r.update_time < ", f->updated_before);
  b_time_bound(b, "r.update_time > ", f->updated_after);
  for (size_t i = 1; i < f->n_tags; i++) {
    b_text(b, " AND EXISTS (SELECT 1 FROM run_tags t WHERE t.run_pk = r.id AND t.key = ");
    b_str(b, f->tags[i].key);
    b_text(b, " AND t.value = ");
    b_str(b, f->tags[i].value);
    b_text(b, ")");
  }
  if (count)
    return;
  /* As in Dagster, an unknown cursor selects nothing (the subquery is NULL). */
  if (cursor) {
    b_text(b, " AND ");
    b_text(b, order_col);
    b_text(b, " < (SELECT id FROM runs WHERE run_id = ");
    b_str(b, cursor);
    b_text(b, ")");
  }
  b_text(b, " ORDER BY ");
  b_text(b, order_col);
  b_text(b, " DESC");
  /* The one value written into the text: a LIMIT parameter makes the
   * planner price a statement's generic plan at a tenth of the table's
   * runs, each with its tags joined (with_tags), so it never settles on
   * the generic plan and plans every execution afresh (about half the
   * server's time for a page of runs). A number formatted here, never a
   * caller's text; pages come in a few sizes, so few statements. */
  if (limit >= 0)
    buf_printf(&b->sql, " LIMIT %d", limit);
}

static void query_build_free(query_build *b) {
  buf_free(&b->sql);
  p_free(&b->p);
}

static int runs_list_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  query_build b = {0};
  buf_init(&b.sql, NULL);
  build_runs_query(&b, q->filter, q->run_id, q->limit, false);
  int rc = read_runs(c, buf_cstr(&b.sql), "DESC", &b.p, q->a, &q->out, err);
  query_build_free(&b);
  return rc;
}

static store_run *pg_runs_list(store *s, const store_runs_filter *f, const char *cursor, int limit,
                               arena *a, size_t *n, store_error *err) {
  runs_ctx q = {.filter = f, .run_id = cursor, .limit = limit, .a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, runs_list_body, &q, err) != 0)
    return NULL;
  *n = q.out.n;
  return q.out.n ? q.out.runs : NULL;
}

static int runs_count_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  query_build b = {0};
  buf_init(&b.sql, NULL);
  build_runs_query(&b, q->filter, NULL, -1, true);
  PGresult *res;
  int rc = one_row(c, buf_cstr(&b.sql), &b.p, 0, &res, err);
  query_build_free(&b);
  if (rc != OK)
    return rc;
  q->count = col_int(res, 0, 0);
  PQclear(res);
  return OK;
}

static int64_t pg_runs_count(store *s, const store_runs_filter *f, store_error *err) {
  runs_ctx q = {.filter = f, .limit = -1};
  return txn((pg_store *)s, TXN_READ_ONE, runs_count_body, &q, err) == 0 ? q.count : -1;
}

/* For the bodies that change one run by id. */
typedef struct run_write_ctx {
  const char *run_id;
  int64_t pid;
  const store_tag *tags;
  size_t n_tags;
  bool found;
} run_write_ctx;

/* The run's offer goes first, on its own: a claim locks an offer and
 * then its run, and the run's delete would lock the run and then cascade
 * to the offer, the other way round (a deadlock when they meet). Deleting
 * the offer first takes the locks in a claim's order. */
static int run_delete_body(conn *c, void *ctx, store_error *err) {
  run_write_ctx *w = ctx;
  params p = {0};
  p_str(&p, w->run_id);
  int rc =
      command(c, "DELETE FROM worker_offers WHERE run_pk = (SELECT id FROM runs WHERE run_id = $1)",
              &p, NULL, err);
  int64_t changed = 0;
  if (rc == OK)
    rc = command(c, "DELETE FROM runs WHERE run_id = $1", &p, &changed, err);
  p_free(&p);
  w->found = changed > 0;
  if (rc == OK && w->found) /* its subscribers' streams end at once */
    announce(c, EVENTS_CHANNEL, w->run_id);
  return rc;
}

static int pg_run_delete(store *s, const char *run_id, bool *found, store_error *err) {
  run_write_ctx w = {.run_id = run_id};
  int rc = txn((pg_store *)s, TXN_WRITE, run_delete_body, &w, err);
  *found = rc == 0 && w.found;
  return rc;
}

/* For a conditional write that changed nothing: OK when the run exists
 * (the condition refused it), else BODY_FAILED with "not found". */
/* Runs sql, a query of run run_id's row (p, released here): OK with the
 * row in *res, or "not found" when there is none. */
static int run_row(conn *c, const char *sql, params *p, const char *run_id, PGresult **res,
                   store_error *err) {
  int rc = one_row(c, sql, p, 0, res, err);
  p_free(p);
  if (rc != OK)
    return rc;
  if (PQntuples(*res) == 0) {
    PQclear(*res);
    store_fail(err, run_not_found, run_id);
    return BODY_FAILED;
  }
  return OK;
}

static int require_run(conn *c, const char *run_id, store_error *err) {
  params p = {0};
  p_str(&p, run_id);
  PGresult *res;
  int rc = run_row(c, "SELECT 1 FROM runs WHERE run_id = $1", &p, run_id, &res, err);
  if (rc == OK)
    PQclear(res);
  return rc;
}

/* Runs sql, a change of run run_id (p, released here), the rows changed
 * into *changed; when there were none, whether the run exists tells "not
 * found" (BODY_FAILED) from a change that did not apply (OK). */
static int run_command(conn *c, const char *sql, params *p, const char *run_id, int64_t *changed,
                       store_error *err) {
  *changed = 0;
  int rc = command(c, sql, p, changed, err);
  p_free(p);
  if (rc != OK || *changed > 0)
    return rc;
  return require_run(c, run_id, err);
}

/* The claim and its check are one UPDATE: a second claimer waits for the
 * first one's row lock, then re-reads the row (READ COMMITTED) and no
 * longer matches. A miss is either "someone else's" or "no such run". */
static int run_set_worker_body(conn *c, void *ctx, store_error *err) {
  run_write_ctx *w = ctx;
  params p = {0};
  p_str(&p, w->run_id);
  p_int(&p, w->pid);
  int64_t changed;
  /* No change to a run that exists: another worker holds it. */
  int rc = run_command(c,
                       "UPDATE runs SET worker_pid = $2::bigint WHERE run_id = $1"
                       " AND worker_pid IN (0, $2::bigint)",
                       &p, w->run_id, &changed, err);
  w->found = changed > 0;
  return rc;
}

static int pg_run_set_worker(store *s, const char *run_id, int64_t pid, bool *claimed,
                             store_error *err) {
  run_write_ctx w = {.run_id = run_id, .pid = pid};
  int rc = txn((pg_store *)s, TXN_WRITE, run_set_worker_body, &w, err);
  *claimed = rc == 0 && w.found;
  return rc;
}

static int run_add_tags_body(conn *c, void *ctx, store_error *err) {
  run_write_ctx *w = ctx;
  params p = {0};
  p_str(&p, w->run_id);
  p_double(&p, clock_now());
  PGresult *res;
  int rc = run_row(c, "UPDATE runs SET update_time = $2::float8 WHERE run_id = $1 RETURNING id", &p,
                   w->run_id, &res, err);
  if (rc != OK)
    return rc;
  char pk[24];
  snprintf(pk, sizeof pk, "%s", PQgetvalue(res, 0, 0));
  PQclear(res);
  return upsert_tags(c, pk, w->tags, w->n_tags, err);
}

static int pg_run_add_tags(store *s, const char *run_id, const store_tag *tags, size_t n,
                           store_error *err) {
  run_write_ctx w = {.run_id = run_id, .tags = tags, .n_tags = n};
  return txn((pg_store *)s, TXN_WRITE, run_add_tags_body, &w, err);
}

static int run_group_body(conn *c, void *ctx, store_error *err) {
  runs_ctx *q = ctx;
  q->out.n = 0;
  q->root_id = NULL;
  params p = {0};
  p_str(&p, q->run_id);
  PGresult *res;
  int rc = one_row(c, "SELECT coalesce(root_run_id, run_id) FROM runs WHERE run_id = $1", &p, 0,
                   &res, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return OK; /* unknown run */
  }
  q->root_id = col_str(res, 0, 0, q->a);
  PQclear(res);
  p_str(&p, q->root_id);
  rc = read_runs(c, "SELECT " RUN_COLUMNS " FROM runs r WHERE r.run_id = $1 OR r.root_run_id = $1",
                 "ASC", &p, q->a, &q->out, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  for (size_t i = 0; i < q->out.n; i++)
    if (strcmp(q->out.runs[i].run_id, q->root_id) == 0)
      return OK;
  store_fail(err, "Run id %s set as root run id for run %s was not found in instance.", q->root_id,
             q->run_id);
  return BODY_FAILED;
}

static store_run *pg_run_group(store *s, const char *run_id, const char **root_id, arena *a,
                               size_t *n, store_error *err) {
  runs_ctx q = {.run_id = run_id, .a = a};
  if (txn((pg_store *)s, TXN_SNAPSHOT, run_group_body, &q, err) != 0 || !q.root_id)
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

/* $1 key, $2 the prefix, $3 limit. The walk starts at the prefix and stops
 * at the first value past it (values with the prefix are contiguous in
 * byte order), so no upper bound needs to be spelled out (SQLite's "prefix
 * + 0xff" is not valid UTF-8 text for PostgreSQL). */
#define SKIP_VALUES_SQL                                                                            \
  "WITH RECURSIVE v(value) AS ("                                                                   \
  " SELECT (SELECT value FROM run_tags WHERE key = $1 AND value >= $2::text"                       \
  " ORDER BY value LIMIT 1)"                                                                       \
  " UNION ALL"                                                                                     \
  " SELECT (SELECT value FROM run_tags WHERE key = $1 AND value > v.value"                         \
  " ORDER BY value LIMIT 1) FROM v WHERE v.value IS NOT NULL AND starts_with(v.value, $2::text))"  \
  " SELECT value FROM v WHERE value IS NOT NULL AND starts_with(value, $2::text) LIMIT $3::bigint"

typedef struct tags_ctx {
  const char *const *keys; /* sorted, distinct; NULL: read them */
  size_t n_keys;
  const char *prefix;
  int limit;
  arena *a;
  const char **key_out;
  size_t n_key_out;
  store_tag *out;
  size_t n, cap;
} tags_ctx;

static int tag_keys_body(conn *c, void *ctx, store_error *err) {
  tags_ctx *t = ctx;
  t->n_key_out = 0;
  PGresult *res = query(c, SKIP_KEYS_SQL, NULL, 0, err);
  if (!res)
    return DB_FAILED;
  size_t rows = (size_t)PQntuples(res);
  t->key_out = rows ? ARENA_ARRAY(t->a, const char *, rows) : NULL;
  for (size_t i = 0; i < rows; i++)
    t->key_out[i] = col_str(res, (int)i, 0, t->a);
  t->n_key_out = rows;
  PQclear(res);
  return OK;
}

static const char *const *pg_tag_keys(store *s, arena *a, size_t *n, store_error *err) {
  tags_ctx t = {.a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, tag_keys_body, &t, err) != 0)
    return NULL;
  *n = t.n_key_out;
  return t.key_out;
}

/* Appends the values of one key (within the prefix and the limit left). */
static int key_values(conn *c, tags_ctx *t, const char *key, store_error *err) {
  params p = {0};
  p_str(&p, key);
  p_str(&p, t->prefix ? t->prefix : "");
  p_limit(&p, t->limit < 0 ? -1 : (int64_t)t->limit - (int64_t)t->n);
  PGresult *res = query(c, SKIP_VALUES_SQL, &p, 0, err);
  p_free(&p);
  if (!res)
    return DB_FAILED;
  int rows = PQntuples(res);
  for (int i = 0; i < rows; i++) {
    t->out = arena_grow(t->a, t->out, &t->cap, t->n, sizeof *t->out);
    t->out[t->n].key = key;
    t->out[t->n++].value = col_str(res, i, 0, t->a);
  }
  PQclear(res);
  return OK;
}

static int tags_body(conn *c, void *ctx, store_error *err) {
  tags_ctx *t = ctx;
  t->n = 0;
  const char *const *keys = t->keys;
  size_t n_keys = t->n_keys;
  if (!keys) {
    int rc = tag_keys_body(c, t, err);
    if (rc != OK)
      return rc;
    keys = t->key_out;
    n_keys = t->n_key_out;
  }
  for (size_t i = 0; i < n_keys && (t->limit < 0 || t->n < (size_t)t->limit); i++) {
    int rc = key_values(c, t, keys[i], err);
    if (rc != OK)
      return rc;
  }
  return OK;
}

static store_tag *pg_tags(store *s, const char *const *keys, size_t n_keys,
                          const char *value_prefix, int limit, arena *a, size_t *n,
                          store_error *err) {
  tags_ctx t = {.prefix = value_prefix, .limit = limit, .a = a, .keys = keys, .n_keys = n_keys};
  if (txn((pg_store *)s, TXN_SNAPSHOT, tags_body, &t, err) != 0)
    return NULL;
  *n = t.n;
  return t.out;
}

/* ---- events ---- */

typedef struct event_ctx {
  const store_event *ev;
  int64_t id;
} event_ctx;

/* Appends to a run are serialized by the run's row, locked before the
 * id is drawn: an identity hands out ids at insert time, but transactions
 * commit in their own order, so without the lock a reader could see event
 * 11 of a run committed before event 10 and, having moved its cursor past
 * 11, never deliver 10. Under the lock each append to the run draws its id
 * and commits before the next one draws, so the run's ids become visible
 * in increasing order and a subscription that reads the run's events
 * "id > cursor" gets every one exactly once. Events are only ever read by
 * run, so appends to different runs need no order between them: each
 * locks its own run's row, and the commit holds no lock shared by every
 * append (the notification is sent after it: notify_after_commit).
 *
 * One statement, so no BEGIN or COMMIT (it is a transaction of its own):
 * `r` locks the run's row, the INSERT reads its rows from `r` (the lock is
 * taken as LockRows hands the row up, so the id, computed as the INSERT
 * receives it, is drawn after the lock: also when the lock had to wait,
 * since READ COMMITTED then hands up the row's newest version; EXPLAIN
 * VERBOSE shows nextval in the projection of the scan of `r`, above its
 * LockRows, and a CTE with FOR NO KEY UPDATE is never inlined), and the
 * UPDATE joins the INSERT's output, so it runs only when an event was
 * stored. No run: no row locked, nothing inserted, no id returned.
 *
 * FOR NO KEY UPDATE is the lock the status UPDATE takes anyway (it
 * changes no key column), so no lock held is ever upgraded, and it lets
 * through the inserts that only refer to the run (tags, offers: KEY
 * SHARE). Writers of the run's row (a worker claim, added tags) wait for
 * each other; each locks this one row of runs only, so no cycle forms.
 *
 * The status guard sits in the UPDATE itself: a finished run stays
 * finished even when a late RUN_CANCELING (a terminate racing the worker's
 * RUN_SUCCESS) comes after it; $8 is NULL for a type that changes no
 * status. */
static int event_append_body(conn *c, void *ctx, store_error *err) {
  event_ctx *e = ctx;
  const store_event *ev = e->ev;
  double ts = ev->timestamp > 0 ? ev->timestamp : clock_now();
  store_run_status status;
  bool moves = store_event_type_status(ev->event_type, &status);
  params p = {0};
  p_str(&p, ev->run_id);
  p_double(&p, ts);
  p_str(&p, ev->event_type);
  p_int(&p, ev->level);
  p_str(&p, ev->step_key);
  p_str(&p, ev->message);
  p_str(&p, ev->body);
  p_str(&p, moves ? store_run_status_name(status) : NULL);
  p_bool(&p, moves && status == STORE_RUN_STARTED);
  p_bool(&p, moves && store_run_status_finished(status));
  PGresult *res;
  int rc = run_row(
      c,
      "WITH r AS (SELECT id FROM runs WHERE run_id = $1 FOR NO KEY UPDATE), "
      "e AS (INSERT INTO events (run_pk, timestamp, event_type, level, step_key, message, body) "
      "SELECT r.id, $2::float8, $3::text, $4::integer, $5::text, $6::text, $7::text FROM r "
      "RETURNING id, run_pk), "
      "u AS (UPDATE runs SET status = $8::text, update_time = $2::float8,"
      " start_time = CASE WHEN $9::boolean THEN $2::float8 ELSE start_time END,"
      " end_time = CASE WHEN $10::boolean THEN $2::float8 ELSE end_time END"
      " FROM e WHERE runs.id = e.run_pk AND $8::text IS NOT NULL"
      " AND runs.status NOT IN ('SUCCESS', 'FAILURE', 'CANCELED')) "
      "SELECT id FROM e",
      &p, ev->run_id, &res, err);
  if (rc != OK)
    return rc;
  e->id = col_int(res, 0, 0);
  PQclear(res);
  announce(c, EVENTS_CHANNEL, ev->run_id);
  return OK;
}

static int64_t pg_event_append(store *s, const store_event *ev, store_error *err) {
  event_ctx e = {.ev = ev};
  if (txn((pg_store *)s, TXN_WRITE_ONE, event_append_body, &e, err) != 0)
    return -1;
  return e.id;
}

#define EVENT_COLUMNS "id, timestamp, event_type, level, step_key, message, body"

typedef struct events_ctx {
  const char *run_id;
  const char *event_type; /* event_last_of_type */
  int64_t after;
  int limit;
  arena *a;
  store_event *out;
  size_t n;
  bool has_more;
  int64_t last_id;
} events_ctx;

/* The event of a row of EVENT_COLUMNS (texts copied into a). */
static void read_event(const PGresult *res, int row, const char *run_id, arena *a,
                       store_event *ev) {
  ev->id = col_int(res, row, 0);
  snprintf(ev->run_id, sizeof ev->run_id, "%s", run_id);
  ev->timestamp = col_double(res, row, 1);
  ev->event_type = col_str(res, row, 2, a);
  ev->level = (int)col_int(res, row, 3);
  ev->step_key = col_str(res, row, 4, a);
  ev->message = col_str(res, row, 5, a);
  ev->body = col_str(res, row, 6, a);
}

static int events_body(conn *c, void *ctx, store_error *err) {
  events_ctx *q = ctx;
  q->n = 0;
  q->has_more = false;
  params p = {0};
  p_str(&p, q->run_id);
  p_int(&p, q->after);
  /* One more than asked tells whether more follow. */
  p_limit(&p, q->limit < 0 ? -1 : (int64_t)q->limit + 1);
  PGresult *res = query(c,
                        "SELECT " EVENT_COLUMNS " FROM events WHERE run_pk = "
                        "(SELECT id FROM runs WHERE run_id = $1) AND id > $2::bigint "
                        "ORDER BY id LIMIT $3::bigint",
                        &p, 0, err);
  p_free(&p);
  if (!res)
    return DB_FAILED;
  size_t rows = (size_t)PQntuples(res);
  if (q->limit >= 0 && rows > (size_t)q->limit) {
    q->has_more = true;
    rows = (size_t)q->limit;
  }
  q->out = rows ? ARENA_ARRAY(q->a, store_event, rows) : NULL;
  for (size_t i = 0; i < rows; i++)
    read_event(res, (int)i, q->run_id, q->a, &q->out[i]);
  q->n = rows;
  PQclear(res);
  return OK;
}

static store_event *pg_events(store *s, const char *run_id, int64_t after, int limit, arena *a,
                              size_t *n, bool *has_more, store_error *err) {
  events_ctx q = {.run_id = run_id, .after = after, .limit = limit, .a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, events_body, &q, err) != 0)
    return NULL;
  *n = q.n;
  *has_more = q.has_more;
  return q.out;
}

static int events_last_id_body(conn *c, void *ctx, store_error *err) {
  events_ctx *q = ctx;
  params p = {0};
  p_str(&p, q->run_id);
  PGresult *res;
  int rc = one_row(c,
                   "SELECT id FROM events WHERE run_pk = "
                   "(SELECT id FROM runs WHERE run_id = $1) ORDER BY id DESC LIMIT 1",
                   &p, 0, &res, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  q->last_id = PQntuples(res) ? col_int(res, 0, 0) : 0;
  PQclear(res);
  return OK;
}

static int64_t pg_events_last_id(store *s, const char *run_id, store_error *err) {
  events_ctx q = {.run_id = run_id};
  if (txn((pg_store *)s, TXN_READ_ONE, events_last_id_body, &q, err) != 0)
    return -1;
  return q.last_id;
}

/* events_by_run (run_pk, id) walked backwards from the run's newest
 * event: the rows read are those after the one found. */
static int event_last_of_type_body(conn *c, void *ctx, store_error *err) {
  events_ctx *q = ctx;
  q->out = NULL;
  params p = {0};
  p_str(&p, q->run_id);
  p_str(&p, q->event_type);
  PGresult *res;
  int rc = one_row(c,
                   "SELECT " EVENT_COLUMNS " FROM events WHERE run_pk = "
                   "(SELECT id FROM runs WHERE run_id = $1) AND event_type = $2 "
                   "ORDER BY id DESC LIMIT 1",
                   &p, 0, &res, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  if (PQntuples(res)) {
    q->out = ARENA_NEW(q->a, store_event);
    read_event(res, 0, q->run_id, q->a, q->out);
  }
  PQclear(res);
  return OK;
}

static store_event *pg_event_last_of_type(store *s, const char *run_id, const char *event_type,
                                          arena *a, store_error *err) {
  events_ctx q = {.run_id = run_id, .event_type = event_type, .a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, event_last_of_type_body, &q, err) != 0)
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

/* The text goes as bytes (binary format), NULs included. */
static int snapshot_put_body(conn *c, void *ctx, store_error *err) {
  snapshot_ctx *sp = ctx;
  if (sp->len > INT32_MAX) {
    store_fail(err, "Snapshot %s is too large (%zu bytes).", sp->id, sp->len);
    return BODY_FAILED;
  }
  params p = {0};
  p_str(&p, sp->id);
  p_add(&p, sp->text, (int)sp->len, 1);
  int rc = command(c,
                   "INSERT INTO snapshots (snapshot_id, body) VALUES ($1, $2::bytea) "
                   "ON CONFLICT (snapshot_id) DO NOTHING",
                   &p, NULL, err);
  p_free(&p);
  return rc;
}

static int pg_snapshot_put(store *s, const char *snapshot_id, const char *text, size_t len,
                           store_error *err) {
  snapshot_ctx sp = {.id = snapshot_id, .text = text, .len = len};
  return txn((pg_store *)s, TXN_WRITE, snapshot_put_body, &sp, err);
}

static int snapshot_get_body(conn *c, void *ctx, store_error *err) {
  snapshot_ctx *sp = ctx;
  sp->out = NULL;
  params p = {0};
  p_str(&p, sp->id);
  PGresult *res;
  /* Binary results: the bytea's bytes as they are. */
  int rc = one_row(c, "SELECT body FROM snapshots WHERE snapshot_id = $1::text", &p, 1, &res, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  if (PQntuples(res)) {
    sp->len = (size_t)PQgetlength(res, 0, 0);
    sp->out = arena_alloc(sp->a, sp->len + 1);
    if (sp->len)
      memcpy(sp->out, PQgetvalue(res, 0, 0), sp->len);
    sp->out[sp->len] = '\0';
  }
  PQclear(res);
  return OK;
}

static char *pg_snapshot_get(store *s, const char *snapshot_id, arena *a, size_t *len,
                             store_error *err) {
  snapshot_ctx sp = {.id = snapshot_id, .a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, snapshot_get_body, &sp, err) != 0 || !sp.out)
    return NULL;
  *len = sp.len;
  return sp.out;
}

/* ---- daemon heartbeats ---- */

typedef struct heartbeat_ctx {
  const char *type, *id;
  double time, stale;
  arena *a;
  bool found, claimed;
} heartbeat_ctx;

/* One statement, so the check and the claim cannot be split by another
 * writer: PostgreSQL's ON CONFLICT locks the row and evaluates the WHERE
 * on its newest version; a refused DO UPDATE changes no row. */
static int heartbeat_body(conn *c, void *ctx, store_error *err) {
  heartbeat_ctx *h = ctx;
  params p = {0};
  p_str(&p, h->type);
  p_str(&p, h->id);
  p_double(&p, h->time);
  p_double(&p, h->time - h->stale);
  int64_t changed = 0;
  int rc = command(c,
                   "INSERT INTO daemon_heartbeats (daemon_type, daemon_id, timestamp) "
                   "VALUES ($1, $2, $3::float8) ON CONFLICT (daemon_type) DO UPDATE SET "
                   "daemon_id = excluded.daemon_id, timestamp = excluded.timestamp "
                   "WHERE daemon_heartbeats.daemon_id = excluded.daemon_id "
                   "OR daemon_heartbeats.timestamp < $4::float8",
                   &p, &changed, err);
  p_free(&p);
  h->claimed = changed > 0;
  return rc;
}

static int pg_daemon_heartbeat(store *s, const char *daemon_type, const char *daemon_id, double now,
                               double stale, bool *claimed, store_error *err) {
  heartbeat_ctx h = {.type = daemon_type, .id = daemon_id, .time = now, .stale = stale};
  if (txn((pg_store *)s, TXN_WRITE, heartbeat_body, &h, err) != 0)
    return -1;
  *claimed = h.claimed;
  return 0;
}

static int heartbeat_get_body(conn *c, void *ctx, store_error *err) {
  heartbeat_ctx *h = ctx;
  h->found = false;
  params p = {0};
  p_str(&p, h->type);
  PGresult *res;
  int rc = one_row(c, "SELECT daemon_id, timestamp FROM daemon_heartbeats WHERE daemon_type = $1",
                   &p, 0, &res, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  if (PQntuples(res)) {
    h->found = true;
    h->id = col_str(res, 0, 0, h->a);
    h->time = col_double(res, 0, 1);
  }
  PQclear(res);
  return OK;
}

static int pg_daemon_heartbeat_get(store *s, const char *daemon_type, arena *a,
                                   const char **daemon_id, double *timestamp, bool *found,
                                   store_error *err) {
  heartbeat_ctx h = {.type = daemon_type, .a = a};
  if (txn((pg_store *)s, TXN_READ_ONE, heartbeat_get_body, &h, err) != 0)
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

/* An offer already there is left as it is (DO NOTHING). A new one is
 * announced on OFFERS_CHANNEL once committed (announce), so the listening
 * workers (store_watch) claim at once. */
static int worker_offer_body(conn *c, void *ctx, store_error *err) {
  worker_ctx *w = ctx;
  params p = {0};
  p_str(&p, w->run_id);
  p_double(&p, w->now);
  int64_t changed;
  int rc = run_command(c,
                       "INSERT INTO worker_offers (run_pk, offered_at) "
                       "SELECT id, $2::float8 FROM runs WHERE run_id = $1 "
                       "ON CONFLICT (run_pk) DO NOTHING",
                       &p, w->run_id, &changed, err);
  if (rc == OK && changed > 0)
    announce(c, OFFERS_CHANNEL, "");
  return rc;
}

static int pg_worker_offer(store *s, const char *run_id, double now, store_error *err) {
  worker_ctx w = {.run_id = run_id, .now = now};
  return txn((pg_store *)s, TXN_WRITE, worker_offer_body, &w, err);
}

/* Marks offer `id` taken by worker_id ('' when dropped). */
static int close_offer(conn *c, const char *id, const char *worker_id, double now,
                       store_error *err) {
  params p = {0};
  p_str(&p, id);
  p_str(&p, worker_id);
  p_double(&p, now);
  int rc =
      command(c, "UPDATE worker_offers SET worker_id = $2, claimed_at = $3::float8 WHERE id = $1",
              &p, NULL, err);
  p_free(&p);
  return rc;
}

/* The oldest waiting offer whose row no other claimer has locked (SKIP
 * LOCKED: claimers pass over each other instead of queueing on one row;
 * READ COMMITTED re-checks a row taken just now, so a committed claim is
 * never handed out twice). The run is touched only while it is still
 * STARTING: the status check and the update_time bump are one UPDATE,
 * which waits for a status change being committed and re-checks; an offer
 * whose run moved on is dropped. */
static int worker_claim_body(conn *c, void *ctx, store_error *err) {
  worker_ctx *w = ctx;
  w->found = false;
  for (;;) {
    PGresult *res;
    int rc = one_row(c,
                     "SELECT id, run_pk FROM worker_offers WHERE worker_id IS NULL "
                     "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                     NULL, 0, &res, err);
    if (rc != OK)
      return rc;
    if (PQntuples(res) == 0) {
      PQclear(res);
      return OK; /* nothing waits, or every waiting offer is being claimed */
    }
    char offer[24], pk[24];
    snprintf(offer, sizeof offer, "%s", PQgetvalue(res, 0, 0));
    snprintf(pk, sizeof pk, "%s", PQgetvalue(res, 0, 1));
    PQclear(res);
    params p = {0};
    p_str(&p, pk);
    p_double(&p, clock_now());
    rc = one_row(c,
                 "UPDATE runs SET update_time = $2::float8 WHERE id = $1 AND status = 'STARTING' "
                 "RETURNING run_id",
                 &p, 0, &res, err);
    p_free(&p);
    if (rc != OK)
      return rc;
    bool starting = PQntuples(res) > 0;
    if (starting)
      col_id(res, 0, 0, w->claimed);
    PQclear(res);
    if ((rc = close_offer(c, offer, starting ? w->worker_id : "", w->now, err)) != OK)
      return rc;
    if (starting) {
      store_tag tag = {STORE_TAG_WORKER, w->worker_id};
      w->found = true;
      return upsert_tags(c, pk, &tag, 1, err);
    }
  }
}

static int pg_worker_claim(store *s, const char *worker_id, double now, char run_id[37],
                           bool *found, store_error *err) {
  worker_ctx w = {.worker_id = worker_id, .now = now, .claimed = run_id};
  int rc = txn((pg_store *)s, TXN_WRITE, worker_claim_body, &w, err);
  *found = rc == 0 && w.found;
  if (!*found)
    run_id[0] = '\0';
  return rc;
}

/* Locks are taken in a claim's order, the offer's row and then the run's
 * (a release taking them the other way round could deadlock with a
 * claim). The offer must still be worker_id's (READ COMMITTED re-checks
 * the row after waiting for its lock); the run must still be STARTING,
 * checked by the UPDATE that locks it, so a cancel being committed is
 * waited for and wins. The offer keeps its id, so its place in offering
 * order. */
static int worker_release_body(conn *c, void *ctx, store_error *err) {
  worker_ctx *w = ctx;
  w->found = false;
  params p = {0};
  p_str(&p, w->run_id);
  p_str(&p, w->worker_id);
  PGresult *res;
  int rc = one_row(c,
                   "SELECT o.id, o.run_pk FROM worker_offers o JOIN runs r ON r.id = o.run_pk "
                   "WHERE r.run_id = $1 AND o.worker_id = $2 FOR UPDATE OF o",
                   &p, 0, &res, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return require_run(c, w->run_id, err);
  }
  char offer[24], pk[24];
  snprintf(offer, sizeof offer, "%s", PQgetvalue(res, 0, 0));
  snprintf(pk, sizeof pk, "%s", PQgetvalue(res, 0, 1));
  PQclear(res);
  p_str(&p, pk);
  p_double(&p, clock_now());
  int64_t changed = 0;
  rc = command(c, "UPDATE runs SET update_time = $2::float8 WHERE id = $1 AND status = 'STARTING'",
               &p, &changed, err);
  p_free(&p);
  if (rc != OK || changed == 0)
    return rc; /* the run moved on: the offer stays as it is */
  p_str(&p, offer);
  p_str(&p, pk);
  rc = command(c,
               "WITH o AS (UPDATE worker_offers SET worker_id = NULL, claimed_at = NULL "
               "WHERE id = $1::bigint) "
               "DELETE FROM run_tags WHERE run_pk = $2::bigint AND key = '" STORE_TAG_WORKER "'",
               &p, NULL, err);
  p_free(&p);
  if (rc != OK)
    return rc;
  w->found = true;
  announce(c, OFFERS_CHANNEL, "");
  return OK;
}

static int pg_worker_release(store *s, const char *run_id, const char *worker_id, bool *released,
                             store_error *err) {
  worker_ctx w = {.run_id = run_id, .worker_id = worker_id};
  int rc = txn((pg_store *)s, TXN_WRITE, worker_release_body, &w, err);
  *released = rc == 0 && w.found;
  return rc;
}

/* ---- change notification ---- */

/* A watcher: a connection of its own (outside the store's pool, so no
 * transaction ever runs on it and it takes none of the pool's places)
 * that LISTENs and is otherwise idle; it does not refer to the store
 * after opening. */
typedef struct pg_watch {
  store_watch base;
  conn *c;
} pg_watch;

/* Drops the notifications libpq has read, noting their runs in runs
 * (NULL: not asked); whether there were any. */
static bool watch_drain(PGconn *pg, store_watch_runs *runs) {
  bool any = false;
  PGnotify *n;
  while ((n = PQnotifies(pg))) {
    any = true;
    store_watch_runs_add(runs, n->extra);
    PQfreemem(n);
  }
  return any;
}

static int watch_broken(pg_watch *w, store_error *err) {
  set_message(err, "The PostgreSQL change watcher lost its connection: ", PQerrorMessage(w->c->pg));
  return -1;
}

/* Notifications that arrived before this call wait in libpq's buffer or in
 * the socket, so they end this wait at once; so does an interrupt
 * (store_watch_poll). Other traffic (a notice, a parameter change) wakes
 * poll() without ending the wait. A broken connection stays broken: the
 * caller opens a new watcher. */
static int pg_watch_wait(store_watch *base, int timeout_ms, int poll_ms, store_watch_runs *runs,
                         store_error *err) {
  (void)poll_ms;
  pg_watch *w = (pg_watch *)base;
  PGconn *pg = w->c->pg;
  if (watch_drain(pg, runs))
    return 1;
  int64_t deadline = clock_mono_ms() + timeout_ms;
  for (;;) {
    int sock = PQsocket(pg);
    if (PQstatus(pg) != CONNECTION_OK || sock < 0)
      return watch_broken(w, err);
    int64_t left = deadline - clock_mono_ms();
    bool readable;
    int rc = store_watch_poll(base, sock, left > 0 ? (int)left : 0, &readable, err);
    if (rc != 0)
      return rc;
    if (!readable)
      return 0;
    if (!PQconsumeInput(pg))
      return watch_broken(w, err);
    if (watch_drain(pg, runs))
      return 1;
  }
}

static void pg_watch_close(store_watch *base) {
  pg_watch *w = (pg_watch *)base;
  conn_close(w->c);
  free(w);
}

static store_watch *pg_watch_open(store *base, int mask, store_error *err) {
  conn *c = conn_open((pg_store *)base, err);
  if (!c)
    return NULL;
  if (((mask & STORE_WATCH_EVENTS) && exec_simple(c, "LISTEN " EVENTS_CHANNEL, err) != OK) ||
      ((mask & STORE_WATCH_OFFERS) && exec_simple(c, "LISTEN " OFFERS_CHANNEL, err) != OK)) {
    conn_close(c);
    return NULL;
  }
  pg_watch *w = xcalloc(1, sizeof *w);
  w->base.wait = pg_watch_wait;
  w->base.close = pg_watch_close;
  w->base.notifies = true;
  w->c = c;
  return &w->base;
}

/* ---- opening, migrations, closing ---- */

/* Every connection is idle by now: store_close's callers are done with
 * the store (storage.h). */
static void pg_close(store *base) {
  pg_store *s = (pg_store *)base;
  for (int i = 0; i < s->n_idle; i++)
    conn_close(s->idle[i]);
  free(s->idle);
  pthread_cond_destroy(&s->freed);
  pthread_mutex_destroy(&s->lock);
  free(s->conninfo);
  free(s);
}

void store_postgres_set_pool_wait(store *base, double seconds) {
  pg_store *s = (pg_store *)base;
  pthread_mutex_lock(&s->lock);
  s->wait_limit_s = seconds;
  pthread_mutex_unlock(&s->lock);
}

typedef struct migrate_ctx {
  bool done;
} migrate_ctx;

/* Applies the next migration the database lacks, if any (one per
 * transaction, so each step commits on its own). The advisory lock comes
 * first: two processes opening a new database at once would otherwise both
 * create schema_version (and both apply migration 1). */
static int migrate_body(conn *c, void *ctx, store_error *err) {
  migrate_ctx *m = ctx;
  size_t n;
  const store_postgres_migration *migrations = store_postgres_migrations(&n);
  int rc = exec_simple(c, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", err);
  /* Created only when missing: since PostgreSQL 15 a role without CREATE
   * on the schema fails even CREATE TABLE IF NOT EXISTS of a table that
   * exists, and a deployment may migrate once with an owner role and run
   * dagd with a limited one. */
  PGresult *exists = NULL;
  if (rc == OK)
    rc = one_row(c, "SELECT to_regclass('schema_version') IS NOT NULL", NULL, 0, &exists, err);
  bool have_table = rc == OK && PQgetvalue(exists, 0, 0)[0] == 't';
  PQclear(exists);
  if (rc == OK && !have_table)
    rc = exec_simple(c,
                     "CREATE TABLE schema_version ("
                     "version INTEGER PRIMARY KEY, applied_time DOUBLE PRECISION NOT NULL)",
                     err);
  PGresult *res = NULL;
  if (rc == OK)
    rc = one_row(c, "SELECT coalesce(max(version), 0) FROM schema_version", NULL, 0, &res, err);
  if (rc != OK)
    return rc;
  int64_t version = col_int(res, 0, 0);
  PQclear(res);
  if (version > (int64_t)n) {
    store_fail(err,
               "The PostgreSQL database %s has schema version %lld, newer than this dagd supports "
               "(%zu): it was written by a newer dagd; use that version or a newer one.",
               PQdb(c->pg), (long long)version, n);
    return BODY_FAILED;
  }
  if (version == (int64_t)n) {
    m->done = true;
    return OK;
  }
  const store_postgres_migration *next = &migrations[version];
  if ((rc = exec_simple(c, next->sql, err)) != OK) {
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    store_fail(err, "Migration %d of the PostgreSQL database %s failed: %s", next->version,
               PQdb(c->pg), why);
    return is_transient(c) ? rc : BODY_FAILED;
  }
  params p = {0};
  p_int(&p, next->version);
  p_double(&p, clock_now());
  rc = command(c, "INSERT INTO schema_version (version, applied_time) VALUES ($1, $2)", &p, NULL,
               err);
  p_free(&p);
  return rc;
}

static const store_ops postgres_ops = {
    .close = pg_close,
    .run_add = pg_run_add,
    .run_get = pg_run_get,
    .runs_list = pg_runs_list,
    .runs_count = pg_runs_count,
    .run_delete = pg_run_delete,
    .run_set_worker = pg_run_set_worker,
    .run_add_tags = pg_run_add_tags,
    .tag_keys = pg_tag_keys,
    .tags = pg_tags,
    .run_group = pg_run_group,
    .event_append = pg_event_append,
    .events = pg_events,
    .events_last_id = pg_events_last_id,
    .event_last_of_type = pg_event_last_of_type,
    .snapshot_put = pg_snapshot_put,
    .snapshot_get = pg_snapshot_get,
    .daemon_heartbeat = pg_daemon_heartbeat,
    .daemon_heartbeat_get = pg_daemon_heartbeat_get,
    .watch_open = pg_watch_open,
    .worker_offer = pg_worker_offer,
    .worker_claim = pg_worker_claim,
    .worker_release = pg_worker_release,
};

store *store_open_postgres(const char *conninfo, store_error *err) {
  return store_open_postgres_pool(conninfo, STORE_POSTGRES_POOL_DEFAULT, err);
}

store *store_open_postgres_pool(const char *conninfo, int pool_size, store_error *err) {
  err->message[0] = '\0';
  if (pool_size < 1 || pool_size > STORE_POSTGRES_POOL_MAX) {
    store_fail(err, "The PostgreSQL store's pool size must be from 1 to %d, not %d.",
               STORE_POSTGRES_POOL_MAX, pool_size);
    return NULL;
  }
  if (!conninfo || !conninfo[0]) {
    store_fail(err, "The PostgreSQL store needs a connection string or URL.");
    return NULL;
  }
  /* libpq's own message for a malformed string quotes it, password
   * included: check the syntax first and say only that. */
  char *parse_error = NULL;
  PQconninfoOption *options = PQconninfoParse(conninfo, &parse_error);
  PQfreemem(parse_error);
  if (!options) {
    store_fail(err, "The PostgreSQL connection string or URL is malformed.");
    return NULL;
  }
  PQconninfoFree(options);
  pg_store *s = xcalloc(1, sizeof *s);
  s->base.ops = &postgres_ops;
  s->conninfo = xstrdup(conninfo);
  s->size = pool_size;
  s->idle = xcalloc((size_t)pool_size, sizeof *s->idle);
  s->wait_limit_s = RETRY_DEADLINE_S;
  pthread_mutex_init(&s->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&s->freed, &attr);
  pthread_condattr_destroy(&attr);
  /* A server that cannot be reached fails the open at once (no retries):
   * the caller is usually starting up and should say so. The pool's later
   * connections are retried as a broken one would be (txn). This first
   * one is the pool's, idle once the migrations are done. */
  conn *first = conn_open(s, err);
  if (!first) {
    pg_close(&s->base);
    return NULL;
  }
  s->idle[s->n_idle++] = first;
  s->n_open = 1;
  migrate_ctx m = {.done = false};
  while (!m.done) {
    if (txn(s, TXN_WRITE, migrate_body, &m, err) != 0) {
      pg_close(&s->base);
      return NULL;
    }
  }
  return &s->base;
}
