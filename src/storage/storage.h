/* storage.h — the instance's durable state: runs, their tags, the event
 * log, job snapshots. One interface, implemented by SQLite (sqlite.c) and
 * PostgreSQL (postgres.c) with the same results for every call.
 *
 * A store is shared by every thread of a process and by several processes
 * (webserver, run workers, daemon) at once: implementations keep a
 * connection per thread (SQLite) or a bounded pool that the threads share
 * (PostgreSQL), and retry on contention, so "database is locked" never
 * reaches a caller. Writes that belong together (an event and the
 * run status it implies) commit in one transaction.
 *
 * Results are allocated in the caller's arena. Errors fill a store_error
 * and return -1 (or NULL); "not found" is not an error (0 with *found
 * false, or NULL with err->message empty). Run ids are 36-character UUIDs
 * (Dagster's make_new_run_id: uuid4 text). Times are Unix seconds as
 * doubles (0: not set). */
#ifndef DAGD_STORAGE_STORAGE_H
#define DAGD_STORAGE_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena arena;

typedef struct store_error {
  char message[512];
} store_error;

/* Dagster's DagsterRunStatus. */
typedef enum store_run_status {
  STORE_RUN_QUEUED,
  STORE_RUN_NOT_STARTED,
  STORE_RUN_MANAGED,
  STORE_RUN_STARTING,
  STORE_RUN_STARTED,
  STORE_RUN_SUCCESS,
  STORE_RUN_FAILURE,
  STORE_RUN_CANCELING,
  STORE_RUN_CANCELED,
} store_run_status;
#define STORE_RUN_STATUS_COUNT 9

/* "QUEUED", …; and back (-1 for an unknown name). */
const char *store_run_status_name(store_run_status s);
int store_run_status_parse(const char *name);
/* SUCCESS, FAILURE, CANCELED. */
bool store_run_status_finished(store_run_status s);

typedef struct store_tag {
  const char *key;
  const char *value;
} store_tag;

typedef struct store_run {
  char run_id[37];
  const char *job_name;
  const char *repository_name; /* where the job came from (origin) */
  const char *location_name;
  store_run_status status;
  const char *mode;                  /* "default" */
  const char *run_config;            /* JSON text of the resolved run config */
  const char *snapshot_id;           /* the job snapshot (store_snapshot_*) */
  const char *op_selection;          /* JSON array text of the queries; NULL: none */
  const char *resolved_op_selection; /* JSON array text of node names; NULL: none */
  const char *step_keys_to_execute;  /* JSON array text; NULL: every step */
  const char *parent_run_id;         /* NULL: none */
  const char *root_run_id;           /* NULL: none */
  const store_tag *tags;             /* sorted by key */
  size_t n_tags;
  double create_time, update_time, start_time, end_time;
  int64_t worker_pid; /* the run worker's process id; 0: none */
} store_run;

/* Dagster's RunsFilter. Empty lists and NULLs do not filter; everything
 * given is ANDed; run_ids and statuses match any listed value; every tag
 * must match (key and value). */
typedef struct store_runs_filter {
  const char *const *run_ids;
  size_t n_run_ids;
  const char *job_name;
  const store_run_status *statuses;
  size_t n_statuses;
  const store_tag *tags;
  size_t n_tags;
  const char *snapshot_id;
  const char *mode;
  double created_before, created_after; /* 0: none; before is exclusive, after exclusive */
  double updated_before, updated_after;
} store_runs_filter;

/* One event of a run's log (Dagster's EventLogEntry). */
typedef struct store_event {
  int64_t id; /* the cursor: increases across the whole store */
  char run_id[37];
  double timestamp;
  const char *event_type; /* DagsterEventType name ("STEP_START"); NULL for a plain log message */
  int level; /* Python logging level: 10 DEBUG, 20 INFO, 30 WARNING, 40 ERROR, 50 CRITICAL */
  const char *step_key; /* NULL: a run-level event */
  const char *message;
  const char *body; /* JSON text: the event's own fields; NULL: none */
} store_event;

typedef struct store store;

/* Opens the SQLite store at path (created, with its folder, when missing;
 * migrations applied). ":memory:" is not supported (several connections
 * must see one database). */
store *store_open_sqlite(const char *path, store_error *err);
/* Opens the PostgreSQL store at conninfo (a libpq connection string or
 * postgresql:// URL; its options may set search_path to keep the tables in
 * a schema), creating its tables or applying the migrations the database
 * lacks. Fails when the server cannot be reached or its schema is newer
 * than this dagd. Error messages never include conninfo (it may hold a
 * password). The store's threads share a pool of at most
 * STORE_POSTGRES_POOL_DEFAULT connections (see store_open_postgres_pool);
 * change watchers (store_watch_open) have one each besides. */
store *store_open_postgres(const char *conninfo, store_error *err);
/* The pool sizes store_open_postgres_pool takes: 1 to this. */
#define STORE_POSTGRES_POOL_DEFAULT 10
#define STORE_POSTGRES_POOL_MAX 1000
/* store_open_postgres with a pool of at most pool_size connections: a
 * call takes one for its duration (an idle one, or a new one while fewer
 * exist), waits for one when all are busy, and fails after a minute of
 * that. The server's max_connections bounds the sum over every process
 * of every host. Fails when pool_size is out of range. */
store *store_open_postgres_pool(const char *conninfo, int pool_size, store_error *err);
/* Closes every connection and frees the store. NULL is allowed. Every
 * other thread must be done with the store first: none may still be in a
 * store call, nor be exiting after using it (on SQLite an exiting thread
 * closes its own connection through the store), so join the threads that
 * used it before closing. */
void store_close(store *s);

/* ---- runs ---- */

/* Adds a run (its run_id, tags and every field as given; status usually
 * NOT_STARTED or QUEUED; create/update times set to now when 0). Fails on
 * a duplicate run id. */
int store_run_add(store *s, const store_run *run, store_error *err);
/* The run, or NULL (err->message empty when it does not exist). */
store_run *store_run_get(store *s, const char *run_id, arena *a, store_error *err);
/* Runs matching the filter, newest first (creation order), after the run
 * `cursor` (exclusive; NULL: from the newest), at most limit (<0: all). */
store_run *store_runs_list(store *s, const store_runs_filter *f, const char *cursor, int limit,
                           arena *a, size_t *n, store_error *err);
/* How many runs match. */
int64_t store_runs_count(store *s, const store_runs_filter *f, store_error *err);
/* Removes the run, its tags and its events. *found tells whether it existed. */
int store_run_delete(store *s, const char *run_id, bool *found, store_error *err);
/* Records pid (> 0) as the run's worker, only when the run has no worker
 * yet (0) or has this one: *claimed tells whether the run is now pid's. A
 * second worker started for a run finds it claimed and must not execute it. */
int store_run_set_worker(store *s, const char *run_id, int64_t pid, bool *claimed,
                         store_error *err);
/* Adds or replaces tags of a run. */
int store_run_add_tags(store *s, const char *run_id, const store_tag *tags, size_t n,
                       store_error *err);
/* The value of the run's tag key, or NULL when it has none (run->tags
 * must be sorted by key, as the store returns them). */
const char *store_run_tag(const store_run *run, const char *key);
/* Every distinct tag key, sorted. */
const char *const *store_tag_keys(store *s, arena *a, size_t *n, store_error *err);
/* Distinct (key, value) pairs for the keys (NULL/0: all keys) whose value
 * starts with value_prefix (NULL: any), sorted by key then value, at most
 * limit (<0: all). */
store_tag *store_tags(store *s, const char *const *keys, size_t n_keys, const char *value_prefix,
                      int limit, arena *a, size_t *n, store_error *err);
/* The runs of the group of run_id (same root run), oldest first; *root_id
 * receives the root. NULL with an empty message when run_id is unknown. */
store_run *store_run_group(store *s, const char *run_id, const char **root_id, arena *a, size_t *n,
                           store_error *err);

/* ---- events ---- */

/* Appends an event to its run's log and returns its id (>0), or -1. When
 * the run is not finished (SUCCESS, FAILURE, CANCELED: a finished run's
 * status never changes again, so a late RUN_CANCELING or RUN_START cannot
 * revive it) and the event type changes the run's status (Dagster's
 * EVENT_TYPE_TO_PIPELINE_RUN_STATUS: RUN_ENQUEUED → QUEUED, RUN_STARTING →
 * STARTING, RUN_START → STARTED, RUN_SUCCESS → SUCCESS, RUN_FAILURE →
 * FAILURE, RUN_CANCELING → CANCELING, RUN_CANCELED → CANCELED), the run's
 * status, update time and start time (RUN_START) or end time (finished)
 * change in the same transaction. ev->id is ignored. */
int64_t store_event_append(store *s, const store_event *ev, store_error *err);
/* The run's events with id > after (0: from the start), oldest first, at
 * most limit (<0: all); *has_more tells whether more follow. */
store_event *store_events(store *s, const char *run_id, int64_t after, int limit, arena *a,
                          size_t *n, bool *has_more, store_error *err);
/* The newest event id of the run (0: none). */
int64_t store_events_last_id(store *s, const char *run_id, store_error *err);
/* The run's newest event of type event_type (e.g. "RUN_CANCELING"), or
 * NULL (err->message empty when the run has none, or does not exist). One
 * row read from the end of the run's log, however long it is: how long a
 * run has been STARTING or CANCELING is asked of every such run on every
 * monitoring pass. */
store_event *store_event_last_of_type(store *s, const char *run_id, const char *event_type,
                                      arena *a, store_error *err);

/* ---- job snapshots ---- */

/* Stores a snapshot text under its id (a no-op when present). */
int store_snapshot_put(store *s, const char *snapshot_id, const char *text, size_t len,
                       store_error *err);
/* The text (NUL-terminated; *len its length) or NULL (empty message: absent). */
char *store_snapshot_get(store *s, const char *snapshot_id, arena *a, size_t *len,
                         store_error *err);

/* ---- daemon heartbeats ---- */

/* Claims the heartbeat of daemon_type (e.g. "dagd daemon"; one row per
 * type, Dagster's daemon_heartbeats table) for the daemon daemon_id at
 * time now, in one conditional write: the row becomes (daemon_id, now)
 * when there is none, when it is daemon_id's own, or when its time is
 * older than now - stale seconds (its daemon stopped beating); any other
 * row is left alone. *claimed tells whether the write happened, that is
 * whether daemon_id owns the heartbeat now: of daemons claiming at once
 * (threads or processes), at most one owns a fresh heartbeat, and a row
 * dated ahead of now (another host's clock) stays its writer's. A daemon
 * that stops writes now = 0 (read as "no daemon alive"); with stale >= 0
 * that write only lands on its own row. */
int store_daemon_heartbeat(store *s, const char *daemon_type, const char *daemon_id, double now,
                           double stale, bool *claimed, store_error *err);
/* The last heartbeat of daemon_type: the id of the daemon that wrote it
 * (in a) and its time. *found is false when there is none. */
int store_daemon_heartbeat_get(store *s, const char *daemon_type, arena *a, const char **daemon_id,
                               double *timestamp, bool *found, store_error *err);

/* ---- runs executed by `dagd worker` processes ---- */

/* The hidden tag a worker claim writes on its run: the claiming worker's
 * id (store_worker_claim). */
#define STORE_TAG_WORKER ".dagster/worker"

/* Offers a launched (STARTING) run to the `dagd worker` processes of the
 * instance (run_launcher.workers in dagd.yaml). Offering a run that has
 * already been offered is a no-op; an unknown run is an error. The offer
 * goes with the run when the run is deleted. */
int store_worker_offer(store *s, const char *run_id, double now, store_error *err);
/* Takes, for worker_id, the oldest offer (offering order) that no worker
 * has taken, in one transaction that also sets the run's STORE_TAG_WORKER
 * tag to worker_id: of workers claiming at once (threads, processes,
 * hosts), each offer goes to exactly one, and claimers do not wait on each
 * other (PostgreSQL: FOR UPDATE SKIP LOCKED). An offer whose run is no
 * longer STARTING (canceled or failed while it waited) is dropped on the
 * way, never handed out. *found tells whether a run was taken (its id in
 * run_id). */
int store_worker_claim(store *s, const char *worker_id, double now, char run_id[37], bool *found,
                       store_error *err);
/* Gives back a run that worker_id claimed but cannot run (its worker
 * process could not be started): in one transaction the offer waits again
 * (no worker, at its original place in offering order, so it is the next
 * one claimed) and the run's STORE_TAG_WORKER tag goes. Only while the run
 * is still STARTING and its offer is worker_id's: *released tells whether
 * it happened (false for another worker's claim, an offer not claimed, a
 * run never offered, or a run that moved on: a canceled run stays with no
 * worker). The release is announced to watchers of STORE_WATCH_OFFERS. An
 * unknown run is an error, as for store_worker_offer. */
int store_worker_release(store *s, const char *run_id, const char *worker_id, bool *released,
                         store_error *err);

/* ---- change notification ---- */

/* What a watcher waits for. */
enum {
  STORE_WATCH_EVENTS = 1, /* an event was appended to some run, or a run deleted */
  STORE_WATCH_OFFERS = 2, /* a run was offered to the workers */
};
typedef struct store_watch store_watch;
/* A watcher of the changes in mask, for one thread at a time. PostgreSQL
 * delivers them with LISTEN/NOTIFY on a connection of the watcher's own;
 * SQLite has no notification, so its watcher only paces a poll. NULL with
 * err set when it cannot be opened. */
store_watch *store_watch_open(store *s, int mask, store_error *err);
/* Returns 1 when a change in the watcher's mask may have happened since
 * the previous call returned (at most timeout_ms later; SQLite: after
 * min(timeout_ms, poll_ms) in every case, as a change may have happened),
 * 0 when timeout_ms passed with none, -1 with err set when the watcher
 * broke (its connection lost: the caller polls, and may open a new one).
 * A notification only says "look": readers still read from the store by
 * cursor, so a spurious or coalesced wake loses nothing. */
int store_watch_wait(store_watch *w, int timeout_ms, int poll_ms, store_error *err);

/* The most runs a wait tells apart (store_watch_runs). */
#define STORE_WATCH_MAX_RUNS 64
/* The runs a wait of store_watch_wait_runs was woken for. */
typedef struct store_watch_runs {
  size_t n;
  char ids[STORE_WATCH_MAX_RUNS][37]; /* distinct run ids, ids[0..n) */
  /* The wake may stand for runs not listed, so look at every run: the
   * watcher does not notify (SQLite's pacing ran its time), a
   * notification named no run (an offer), or more than
   * STORE_WATCH_MAX_RUNS runs were named. */
  bool all;
} store_watch_runs;
/* store_watch_wait that also tells which runs the wake is for, so a
 * caller watching a few runs looks only at those: *runs is emptied, then
 * filled when it returns 1. A PostgreSQL notification names its run (the
 * run an event was appended to, or that was deleted). An interrupt alone
 * returns 1 with no run and all false. */
int store_watch_wait_runs(store_watch *w, int timeout_ms, int poll_ms, store_watch_runs *runs,
                          store_error *err);
/* Makes the wait under way on w (or, when none is, the next one) return
 * 1 at once: how another thread gets the waiter's attention (a new thing
 * to watch, a stop) without waiting for a change or the timeout. Safe
 * from any thread while another waits; not during or after the close. */
void store_watch_interrupt(store_watch *w);
/* Whether w's wakes stand for changes (PostgreSQL). false: it only paces
 * a poll (SQLite: every wait returns 1), and a caller that has a pace of
 * its own may as well poll without it. */
bool store_watch_notifies(const store_watch *w);
/* Closes the watcher. NULL is allowed. */
void store_watch_close(store_watch *w);

/* ---- helpers ---- */

/* A new run id (uuid4 text from getrandom) into id. Aborts, with a
 * message on stderr, when the system has no random source. */
void store_new_run_id(char id[37]);

#endif
