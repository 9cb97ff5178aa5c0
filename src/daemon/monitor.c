/* monitor.c — run monitoring (monitor.h), Dagster's run_monitoring daemon
 * with the DefaultRunLauncher's worker health check made local: a run's
 * worker is healthy while its stored pid is a live `execute-run <id>`.
 * That pid means something only on the host and in the PID namespace the
 * run was launched from (run_worker_is_local); a worker launched elsewhere
 * counts as healthy here, and is never signalled from here.
 *
 * A pass may run in two processes at once (two daemons briefly, a daemon
 * and a test), and a run changes under it all the time: the worker claims
 * it, finishes it, a user cancels it. So each decision is taken on the run
 * as listed, and the run is read again right before anything is written;
 * a run whose status or worker changed meanwhile is left to the next pass.
 * The worker's liveness is checked before that re-read: a worker that
 * ended normally wrote its last event before exiting, so it is seen
 * finished rather than abandoned. The storage never changes a finished
 * run's status, so the rare write that still races is harmless.
 *
 * How long a run has been STARTING or CANCELING is the age of its last
 * RUN_STARTING or RUN_CANCELING event, as in Dagster (the run's update
 * time moves with every tag), read as one row from the store; a run a
 * `dagd worker` claimed counts from the claim (the worker's engine event)
 * when that is later.
 *
 * A `dagd worker`'s heartbeat is its host's wall-clock time, which this
 * host's clock cannot judge (either may be off). So the monitor judges by
 * change alone: it remembers, per worker id, the value it last read and
 * the monotonic time that value was first read, in a state that outlives
 * the pass (daemon_monitor_state); a value that has not changed for the
 * timeout means a worker that stopped beating. Each pass keeps only the
 * workers it looked at, so the state holds no more than the workers with
 * unfinished runs. */
#include "daemon/monitor.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/mem.h"
#include "base/strmap.h"
#include "daemon/worker_host.h"
#include "run/run_internal.h"
#include "run/terminate.h"

#define MAX_RUNTIME_TAG "dagster/max_runtime"
#define MAX_RUNTIME_SECONDS_TAG "dagster/max_runtime_seconds" /* Dagster reads it too */
#define MAX_RUNTIME_CANCELING "Canceling due to exceeding maximum runtime of %lld seconds."
#define MAX_RUNTIME_FAILURE "Exceeded maximum runtime of %lld seconds."

/* What a check of one run came to. */
enum { LEFT_ALONE = 0, ACTED = 1, STORE_FAILED = -1 };

/* A worker heartbeat as the monitor last read it. */
typedef struct beat_seen {
  bool found;     /* a row was there */
  double value;   /* the time it holds, as its worker wrote it */
  double changed; /* monotonic time this value (or this absence) was first read */
} beat_seen;

struct daemon_monitor_state {
  arena *a;
  strmap seen; /* worker id → beat_seen (in a) */
};

typedef struct check {
  run_instance *inst;
  const run_monitoring_config *cfg;
  double now, mono;
  arena *a;                         /* freed after each run */
  arena *pass;                      /* freed after the pass */
  strmap workers;                   /* worker id → worker_health, read once per pass (in pass) */
  const daemon_monitor_state *last; /* what earlier passes saw; NULL: nothing */
  daemon_monitor_state next;        /* what this pass saw */
  run_error err;
} check;

/* A timeout as Dagster prints it: 180, or 2.5 when not whole. */
static const char *seconds_text(check *c, double seconds) {
  if (seconds < 1e15 && seconds == (double)(long long)seconds)
    return arena_printf(c->a, "%lld", (long long)seconds);
  return arena_printf(c->a, "%g", seconds);
}

/* Where a run's worker stands, as far as this process can tell. */
typedef enum worker_state {
  WORKER_GONE,      /* none recorded, or its pid is no live worker of the run */
  WORKER_RUNNING,   /* a live worker of this host: it can be signalled */
  WORKER_ELSEWHERE, /* launched on another host or PID namespace: taken as alive */
} worker_state;

static worker_state worker_of(const store_run *run) {
  if (!run_worker_is_local(run))
    return WORKER_ELSEWHERE;
  return run->worker_pid > 0 && run_signal_worker(run->worker_pid, run->run_id, 0) ? WORKER_RUNNING
                                                                                   : WORKER_GONE;
}

/* Sends sig to the run's worker when it is a live one of this host. */
static bool signal_worker(const store_run *run, int sig) {
  return run_worker_is_local(run) && run_signal_worker(run->worker_pid, run->run_id, sig);
}

/* The run as it is now, when its status and worker are still those it was
 * judged on: otherwise NULL (and c->err set when the storage failed). */
static store_run *still_as_judged(check *c, const store_run *judged, int *rc) {
  store_error serr = {{0}};
  store_run *now = store_run_get(c->inst->store, judged->run_id, c->a, &serr);
  if (!now && serr.message[0]) {
    run_fail(&c->err, RUN_ERR_INTERNAL, "%s", serr.message);
    *rc = STORE_FAILED;
    return NULL;
  }
  *rc = LEFT_ALONE;
  if (!now || now->status != judged->status || now->worker_pid != judged->worker_pid)
    return NULL;
  return now;
}

/* The last event of type `type` of the run: its time and message (NULL:
 * none, *time untouched). */
static int last_event(check *c, const char *run_id, const char *type, double *time,
                      const char **message) {
  *message = NULL;
  store_error serr = {{0}};
  store_event *ev = store_event_last_of_type(c->inst->store, run_id, type, c->a, &serr);
  if (!ev && serr.message[0])
    return run_fail(&c->err, RUN_ERR_INTERNAL, "%s", serr.message);
  if (ev) {
    *time = ev->timestamp;
    *message = ev->message ? ev->message : "";
  }
  return 0;
}

static int add_failure_reason(check *c, const char *run_id, const char *reason) {
  store_tag tag = {RUN_TAG_FAILURE_REASON, reason};
  store_error serr;
  if (store_run_add_tags(c->inst->store, run_id, &tag, 1, &serr) != 0)
    return run_fail(&c->err, RUN_ERR_INTERNAL, "%s", serr.message);
  return 0;
}

static int report(check *c, const char *run_id, const char *type, const char *message) {
  return run_report(c->inst->store, run_id, type, message, NULL, &c->err) ? ACTED : STORE_FAILED;
}

static int end_abandoned(check *c, const store_run *run, const char *type, const char *message) {
  return run_end_abandoned(c->inst, run, type, message, &c->err) == 0 ? ACTED : STORE_FAILED;
}

/* Whether why, the message of a run's last RUN_CANCELING (NULL: none),
 * says the maximum runtime canceled it: *max receives that runtime. */
static bool over_runtime(const char *why, long long *max) {
  return why && sscanf(why, MAX_RUNTIME_CANCELING, max) == 1;
}

/* Ends a run (as read right before) whose worker is gone, health saying
 * how (Dagster's check_run_worker_health message): a STARTING or STARTED
 * run fails with Dagster's "Detected run worker status" message and
 * UNEXPECTED_TERMINATION; a CANCELING one ends CANCELED (FAILURE when the
 * maximum runtime was what canceled it). */
static int end_dead_worker(check *c, const store_run *run, const char *health) {
  if (run->status == STORE_RUN_CANCELING) {
    double since;
    const char *why;
    long long max;
    if (last_event(c, run->run_id, "RUN_CANCELING", &since, &why) != 0)
      return STORE_FAILED;
    return over_runtime(why, &max)
               ? end_abandoned(c, run, "RUN_FAILURE", arena_printf(c->a, MAX_RUNTIME_FAILURE, max))
               : end_abandoned(c, run, "RUN_CANCELED", RUN_CANCELED_OUTSIDE);
  }
  const char *message =
      arena_printf(c->a, "Detected run worker status NOT_FOUND: '%s'. Marking run %s as failed.",
                   health, run->run_id);
  if (add_failure_reason(c, run->run_id, "UNEXPECTED_TERMINATION") != 0)
    return STORE_FAILED;
  return end_abandoned(c, run, "RUN_FAILURE", message);
}

/* ---- runs of `dagd worker` hosts ---- */

/* What the heartbeat of a `dagd worker` says, read once per pass. */
typedef struct worker_health {
  const char *lost; /* why the worker counts as gone; NULL: it heartbeats */
} worker_health;

/* Records what this pass read of worker id's heartbeat for the next
 * passes. */
static void remember_beat(check *c, const char *id, const beat_seen *seen) {
  beat_seen *copy = arena_alloc(c->next.a, sizeof *copy);
  *copy = *seen;
  strmap_put(&c->next.seen, c->next.a, arena_strdup(c->next.a, id), copy);
}

/* The health of the worker host `id`, from its heartbeat (cached for the
 * pass): gone when it wrote 0 (it stopped), or when what it holds (a time,
 * or no row at all) has not changed for worker_heartbeat_timeout seconds
 * of this host's monotonic clock. NULL with c->err set when the storage
 * failed (what earlier passes saw is kept). */
static const worker_health *worker_host_health(check *c, const char *id) {
  worker_health *h = strmap_get(&c->workers, id);
  if (h)
    return h;
  const beat_seen *before = c->last ? strmap_get(&c->last->seen, id) : NULL;
  const char *stored_id;
  beat_seen seen = {.changed = c->mono};
  store_error serr;
  const char *type = arena_printf(c->pass, DAEMON_WORKER_TYPE_PREFIX "%s", id);
  if (store_daemon_heartbeat_get(c->inst->store, type, c->pass, &stored_id, &seen.value,
                                 &seen.found, &serr) != 0) {
    if (before)
      remember_beat(c, id, before);
    run_fail(&c->err, RUN_ERR_INTERNAL, "%s", serr.message);
    return NULL;
  }
  if (before && before->found == seen.found && (!seen.found || before->value == seen.value))
    seen.changed = before->changed;
  remember_beat(c, id, &seen);
  h = arena_alloc(c->pass, sizeof *h);
  double silent = c->mono - seen.changed;
  if (seen.found && seen.value <= 0)
    h->lost = arena_printf(c->pass, "The dagd worker %s has stopped", id);
  else if (silent < c->inst->worker_heartbeat_timeout)
    h->lost = NULL;
  else if (!seen.found)
    h->lost = arena_printf(c->pass, "The dagd worker %s has no heartbeat", id);
  else
    h->lost = arena_printf(c->pass, "The dagd worker %s has sent no heartbeat for %lld seconds", id,
                           (long long)silent);
  strmap_put(&c->workers, c->pass, arena_strdup(c->pass, id), h);
  return h;
}

/* A run claimed by a `dagd worker` (STORE_TAG_WORKER) whose worker host
 * stopped heartbeating is ended as one whose worker died, with an engine
 * event naming the host first; its worker (another host's pid) is never
 * signalled. A run whose worker is a live one of this host is left to the
 * other checks, whatever its host's heartbeat says. LEFT_ALONE when the
 * host heartbeats (or the run has none). */
static int check_worker_host(check *c, const store_run *listed, bool *ended) {
  *ended = false;
  const char *worker = store_run_tag(listed, STORE_TAG_WORKER);
  if (!worker || (run_worker_is_local(listed) && listed->worker_pid > 0 &&
                  run_signal_worker(listed->worker_pid, listed->run_id, 0)))
    return LEFT_ALONE;
  const worker_health *h = worker_host_health(c, worker);
  if (!h)
    return STORE_FAILED;
  if (!h->lost)
    return LEFT_ALONE;
  *ended = true;
  int rc;
  store_run *run = still_as_judged(c, listed, &rc);
  if (!run)
    return rc;
  if (report(c, run->run_id, "ENGINE_EVENT",
             arena_printf(c->a, "%s (run_launcher.worker_heartbeat_timeout: %s seconds).", h->lost,
                          seconds_text(c, c->inst->worker_heartbeat_timeout))) != ACTED)
    return STORE_FAILED;
  return end_dead_worker(c, run, h->lost);
}

/* ---- STARTING (and NOT_STARTED) ---- */

/* Since when the STARTING run has been starting: its last RUN_STARTING,
 * or for a run a `dagd worker` claimed, the worker's engine event after
 * the claim when that is later (the time it waited for a worker was
 * queueing, not starting). */
static int starting_since(check *c, const store_run *run, double *since) {
  const char *ignored;
  if (last_event(c, run->run_id, "RUN_STARTING", since, &ignored) != 0)
    return STORE_FAILED;
  double claimed = *since;
  if (store_run_tag(run, STORE_TAG_WORKER) &&
      last_event(c, run->run_id, "ENGINE_EVENT", &claimed, &ignored) != 0)
    return STORE_FAILED;
  if (claimed > *since)
    *since = claimed;
  return 0;
}

/* Whether the run is offered to the `dagd worker`s and waits for one to
 * claim it: STARTING with no worker claim and no worker process. */
static bool waiting_for_worker(const check *c, const store_run *run) {
  return c->inst->use_workers && run->status == STORE_RUN_STARTING &&
         !store_run_tag(run, STORE_TAG_WORKER) && run->worker_pid <= 0;
}

/* Dagster's monitor_starting_run: past the start timeout (counted from
 * starting_since, or from the run's creation when it never got that far),
 * the run fails with START_TIMEOUT; a live worker is then told to stop,
 * a dead one's ops are stopped. A run waiting for a `dagd worker` is
 * queued in all but name: no timeout. */
static int check_starting(check *c, const store_run *listed) {
  double timeout = c->cfg->start_timeout;
  if (timeout <= 0 || waiting_for_worker(c, listed))
    return LEFT_ALONE;
  double since =
      listed->status == STORE_RUN_NOT_STARTED ? listed->create_time : listed->update_time;
  if (listed->status == STORE_RUN_STARTING && starting_since(c, listed, &since) != 0)
    return STORE_FAILED;
  if (c->now - since < timeout)
    return LEFT_ALONE;
  worker_state worker = worker_of(listed);
  int rc;
  store_run *run = still_as_judged(c, listed, &rc);
  if (!run)
    return rc;
  const char *message =
      arena_printf(c->a, "Run timed out due to taking longer than %s seconds to start.",
                   seconds_text(c, timeout));
  if (add_failure_reason(c, run->run_id, "START_TIMEOUT") != 0)
    return STORE_FAILED;
  if (run->worker_pid > 0 && worker == WORKER_GONE)
    return end_abandoned(c, run, "RUN_FAILURE", message);
  rc = report(c, run->run_id, "RUN_FAILURE", message);
  /* Failed first, so a worker that gets going after all finds the run
   * finished; one that died since gets its ops stopped. */
  if (rc == ACTED && worker == WORKER_RUNNING &&
      !run_signal_worker(run->worker_pid, run->run_id, SIGTERM))
    run_kill_orphaned_ops(run->worker_pid, run->run_id);
  return rc;
}

/* ---- STARTED ---- */

/* The run's maximum runtime in seconds: its dagster/max_runtime tag (or
 * dagster/max_runtime_seconds), else the configured one. False when it
 * has none; a tag that is not a number means none, as in Dagster. */
static bool max_runtime(const check *c, const store_run *run, double *max) {
  const char *text = store_run_tag(run, MAX_RUNTIME_TAG);
  if (!text)
    text = store_run_tag(run, MAX_RUNTIME_SECONDS_TAG);
  if (text && text[0]) {
    char *end;
    *max = strtod(text, &end);
    if (*end)
      return false;
  } else {
    *max = c->cfg->max_runtime;
  }
  return *max > 0;
}

/* Dagster's check_run_timeout: RUN_CANCELING, the worker terminated, and
 * RUN_FAILURE at once when the request reached it (as Dagster does when
 * its launcher's terminate succeeds); a worker gone meanwhile cannot end
 * the run, so it is ended here with its ops stopped. */
static int check_max_runtime(check *c, const store_run *listed) {
  double max;
  if (!max_runtime(c, listed, &max) || listed->start_time <= 0 ||
      c->now - listed->start_time <= max)
    return LEFT_ALONE;
  int rc;
  store_run *run = still_as_judged(c, listed, &rc);
  if (!run)
    return rc;
  long long n = (long long)max;
  if (report(c, run->run_id, "RUN_CANCELING", arena_printf(c->a, MAX_RUNTIME_CANCELING, n)) !=
      ACTED)
    return STORE_FAILED;
  const char *failed = arena_printf(c->a, MAX_RUNTIME_FAILURE, n);
  if (signal_worker(run, SIGTERM))
    return report(c, run->run_id, "RUN_FAILURE", failed);
  return end_abandoned(c, run, "RUN_FAILURE", failed);
}

/* Dagster's monitor_started_run with check_run_worker_health: a worker
 * that is gone (status NOT_FOUND in Dagster's terms; dagd cannot resume a
 * run) fails the run. A run without a recorded worker only counts as
 * abandoned once it has been STARTED for the start timeout: every worker
 * records itself before RUN_START, so it had none to begin with. */
static int check_started(check *c, const store_run *listed) {
  if (worker_of(listed) != WORKER_GONE)
    return check_max_runtime(c, listed);
  if (listed->worker_pid <= 0) {
    double since = listed->start_time > 0 ? listed->start_time : listed->update_time;
    if (c->cfg->start_timeout <= 0 || c->now - since < c->cfg->start_timeout)
      return LEFT_ALONE;
  }
  int rc;
  store_run *run = still_as_judged(c, listed, &rc);
  if (!run)
    return rc;
  const char *health = run->worker_pid > 0
                           ? arena_printf(c->a, "The run worker (pid %lld) is not running",
                                          (long long)run->worker_pid)
                           : "The run has no run worker";
  return end_dead_worker(c, run, health);
}

/* ---- CANCELING ---- */

/* Dagster's monitor_canceling_run, and a worker that died while
 * canceling: the run ends CANCELED (FAILURE when the maximum runtime was
 * what canceled it), its ops stopped. A worker that is alive past the
 * cancel timeout is killed first: it had its grace period and more. */
static int check_canceling(check *c, const store_run *listed) {
  double since = listed->update_time;
  const char *why;
  if (last_event(c, listed->run_id, "RUN_CANCELING", &since, &why) != 0)
    return STORE_FAILED;
  worker_state worker = worker_of(listed);
  bool dead = listed->worker_pid > 0 && worker == WORKER_GONE;
  double timeout = c->cfg->cancel_timeout;
  bool late = timeout > 0 && c->now - since >= timeout;
  if (!dead && !late)
    return LEFT_ALONE;
  int rc;
  store_run *run = still_as_judged(c, listed, &rc);
  if (!run)
    return rc;
  long long max;
  bool over = over_runtime(why, &max);
  const char *type = over ? "RUN_FAILURE" : "RUN_CANCELED";
  const char *message =
      over   ? arena_printf(c->a, MAX_RUNTIME_FAILURE, max)
      : dead ? RUN_CANCELED_OUTSIDE
             : arena_printf(c->a, "Run timed out due to taking longer than %s seconds to cancel.",
                            seconds_text(c, timeout));
  if (worker == WORKER_RUNNING && run_signal_worker(run->worker_pid, run->run_id, SIGKILL) &&
      report(c, run->run_id, "ENGINE_EVENT",
             arena_printf(c->a,
                          "The run worker (pid %lld) was killed: the run was still canceling "
                          "after %s seconds.",
                          (long long)run->worker_pid, seconds_text(c, timeout))) != ACTED)
    return STORE_FAILED;
  return end_abandoned(c, run, type, message);
}

/* ---- the pass ---- */

/* Whether a run in this status has a worker that should be going. */
static bool in_flight(store_run_status status) {
  return status == STORE_RUN_STARTING || status == STORE_RUN_STARTED ||
         status == STORE_RUN_CANCELING;
}

static int check_run(check *c, const store_run *listed) {
  if (in_flight(listed->status)) {
    bool ended;
    int rc = check_worker_host(c, listed, &ended);
    if (ended || rc == STORE_FAILED)
      return rc;
  }
  switch (listed->status) {
  case STORE_RUN_NOT_STARTED:
  case STORE_RUN_STARTING:
    return check_starting(c, listed);
  case STORE_RUN_STARTED:
    return check_started(c, listed);
  case STORE_RUN_CANCELING:
    return check_canceling(c, listed);
  default:
    return LEFT_ALONE;
  }
}

daemon_monitor_state *daemon_monitor_state_new(void) {
  daemon_monitor_state *st = xcalloc(1, sizeof *st);
  st->a = arena_new(0);
  return st;
}

void daemon_monitor_state_free(daemon_monitor_state *st) {
  if (!st)
    return;
  arena_free(st->a);
  free(st);
}

int daemon_monitor_pass(run_instance *inst, daemon_monitor_state *st, double now, double mono,
                        buf *err) {
  if (!inst->monitoring.enabled)
    return 0;
  static const store_run_status watched[] = {STORE_RUN_NOT_STARTED, STORE_RUN_STARTING,
                                             STORE_RUN_STARTED, STORE_RUN_CANCELING};
  store_runs_filter filter = {.statuses = watched, .n_statuses = sizeof watched / sizeof *watched};
  arena *list = arena_new(0);
  size_t n = 0;
  store_error serr = {{0}};
  store_run *runs = store_runs_list(inst->store, &filter, NULL, -1, list, &n, &serr);
  if (!runs && serr.message[0]) {
    buf_printf(err, "run monitoring: %s", serr.message);
    arena_free(list);
    return -1;
  }
  check c = {.inst = inst,
             .cfg = &inst->monitoring,
             .now = now,
             .mono = mono,
             .pass = list,
             .last = st,
             .next = {.a = arena_new(0)}};
  int acted = 0;
  bool failed = false;
  /* Oldest first: the order runs were launched in. */
  for (size_t i = n; i-- > 0;) {
    c.a = arena_new(0);
    int rc = check_run(&c, &runs[i]);
    arena_free(c.a);
    if (rc == ACTED)
      acted++;
    else if (rc == STORE_FAILED && !failed) {
      /* The other runs are still checked; the first failure is reported. */
      failed = true;
      buf_printf(err, "run monitoring: run %s: %s", runs[i].run_id, c.err.message);
    }
  }
  arena_free(list);
  /* The workers looked at replace what was remembered. */
  arena_free(st->a);
  *st = c.next;
  return failed ? -1 : acted;
}

int daemon_monitor_end_run(run_instance *inst, const char *run_id, int64_t worker_pid,
                           const char *health, buf *err) {
  arena *a = arena_new(0);
  check c = {.inst = inst, .cfg = &inst->monitoring, .now = clock_now(), .a = a, .pass = a};
  store_error serr = {{0}};
  store_run *run = store_run_get(inst->store, run_id, a, &serr);
  int rc = LEFT_ALONE;
  if (!run && serr.message[0])
    rc = run_fail(&c.err, RUN_ERR_INTERNAL, "%s", serr.message);
  else if (run && in_flight(run->status) && (run->worker_pid == worker_pid || run->worker_pid == 0))
    rc = end_dead_worker(&c, run, health);
  if (rc == STORE_FAILED)
    buf_printf(err, "run %s: %s", run_id, c.err.message);
  arena_free(a);
  return rc;
}
