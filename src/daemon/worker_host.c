/* worker_host.c — the `dagd worker` loop (worker_host.h).
 *
 * One thread does everything in rounds of at most poll_interval: the
 * heartbeat when due, reaping the run workers that exited, claiming
 * offers while there is room, then waiting for new offers (on PostgreSQL
 * a store watcher, which NOTIFY wakes at once; SQLite's watcher would
 * only pace the poll, so the round just pauses). Waits are cut into
 * slices of STOP_LOOK seconds with a look at the stop request between, so
 * a signal is acted on promptly whatever the round's length.
 *
 * Run workers are reaped by pid (never waitpid(-1)), so a caller with
 * children of its own (a test) keeps them. A worker that exited while its
 * run is unfinished could not record the run's end: the run is ended
 * here, with what the exit status says (exit code, or the signal that
 * killed it). When that cannot be written, it is retried every round
 * until it is, or until the loop stops: the stopped worker's heartbeat
 * then makes the monitor end the run.
 *
 * The heartbeat records wall-clock time, but nobody compares it with a
 * clock: the monitor only watches it change. Scheduling uses the
 * monotonic clock. The row is this incarnation's alone (a stale limit of
 * 0), and a write of 0 at the end marks it stopped. Claims stop when the
 * heartbeat has not been written for a beat less than the timeout, as
 * the daemon stops its passes when its heartbeat may have been taken
 * over: a worker that cannot beat would claim runs only for the monitor
 * to fail them. */
#define _GNU_SOURCE /* kill, gethostname */
#include "daemon/worker_host.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/mem.h"
#include "daemon/daemon_internal.h"
#include "daemon/monitor.h"
#include "run/launch.h"
#include "run/run_internal.h"
#include "run/step.h"
#include "run/terminate.h"

/* Seconds between two looks at the stop request during a wait. */
#define STOP_LOOK 0.1

/* A run worker this host started. */
typedef struct child {
  pid_t pid;
  char run_id[37];
  bool exited;      /* reaped; its run still to be ended (ending failed) */
  bool killed;      /* SIGKILLed after a cancel went unheeded */
  char health[160]; /* how it exited, when it did */
} child;

typedef struct host {
  run_instance *inst;
  const daemon_worker_options *o;
  const char *name;   /* o->name, else o->id */
  char type[320];     /* the heartbeat type */
  char hostname[256]; /* for the claim's engine event */
  child *kids;
  size_t n_kids;      /* at most max_runs: claims stop there */
  size_t running;     /* not yet exited */
  store_watch *watch; /* woken by offers; NULL: none open (yet) */
  bool polls;         /* the store's watchers only pace a poll: none is kept */
  daemon_turn heartbeat, claim, watcher, ending;
  double beat_every;  /* seconds between heartbeats */
  double beat_stands; /* monotonic: claims stop then, unless a beat is written */
  double backoff;     /* seconds of the last pause in claims; 0: none */
  double claim_after; /* monotonic: no claims before */
  double kill_at;     /* monotonic: SIGKILL to run workers still alive; 0: none */
} host;

void daemon_worker_incarnation(const char *name, char *out, size_t size) {
  snprintf(out, size, "%s#%08x", name, daemon_random32());
}

__attribute__((format(printf, 2, 3))) static void say(const host *h, const char *fmt, ...) {
  if (!h->o->say)
    return;
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  h->o->say(h->o->say_data, line);
}

/* Records how a turn went (error NULL: it worked), saying so when that
 * changed. */
static void turn_done(const host *h, daemon_turn *t, const char *error) {
  buf line;
  buf_init(&line, NULL);
  if (daemon_turn_done(t, error, &line))
    say(h, "%s", buf_cstr(&line));
  buf_free(&line);
}

/* Writes the heartbeat (`when`: wall-clock time, 0: stopped); a write
 * that lands keeps claims going for a while (worker_host.h). */
static void heartbeat(host *h, double when) {
  double mono = clock_mono();
  store_error serr;
  bool claimed = false;
  const char *error = NULL;
  char refused[400];
  if (store_daemon_heartbeat(h->inst->store, h->type, h->o->id, when, 0, &claimed, &serr) != 0) {
    error = serr.message;
  } else if (!claimed && when > 0) {
    /* Only another process that took this incarnation's id could. */
    snprintf(refused, sizeof refused, "the heartbeat row of %s is written by another process",
             h->o->id);
    error = refused;
  } else {
    h->beat_stands = daemon_heartbeat_lasts(mono, h->inst->worker_heartbeat_timeout, h->beat_every);
  }
  turn_done(h, &h->heartbeat, error);
}

/* ---- the runs ---- */

/* How a run worker ended, from its wait status. */
static void describe_exit(child *k, int status) {
  buf how;
  buf_init(&how, NULL);
  run_step_describe_status(status, &how);
  snprintf(k->health, sizeof k->health, "The run worker (pid %ld) %s", (long)k->pid,
           buf_cstr(&how));
  buf_free(&how);
}

/* Ends the run of an exited worker if the worker left it unfinished;
 * false when the store failed (to be retried). */
static bool end_run(host *h, child *k) {
  buf err;
  buf_init(&err, NULL);
  int rc = daemon_monitor_end_run(h->inst, k->run_id, k->pid, k->health, &err);
  turn_done(h, &h->ending, rc < 0 ? buf_cstr(&err) : NULL);
  buf_free(&err);
  if (rc < 0)
    return false;
  arena *a = arena_new(0);
  store_error serr = {{0}};
  store_run *run = store_run_get(h->inst->store, k->run_id, a, &serr);
  const char *status = run ? store_run_status_name(run->status) : "deleted";
  if (rc > 0)
    say(h, "run %s ended: %s (%s)", k->run_id, status, k->health);
  else if (run || !serr.message[0])
    say(h, "run %s ended: %s", k->run_id, status);
  else
    say(h, "run %s ended", k->run_id);
  arena_free(a);
  return true;
}

/* Reaps the workers that exited and ends their runs; drops each one once
 * its run is taken care of. */
static void reap(host *h) {
  size_t kept = 0;
  for (size_t i = 0; i < h->n_kids; i++) {
    child *k = &h->kids[i];
    int status;
    if (!k->exited) {
      pid_t r = waitpid(k->pid, &status, WNOHANG);
      if (r == k->pid || (r < 0 && errno == ECHILD)) {
        if (r == k->pid)
          describe_exit(k, status);
        else
          snprintf(k->health, sizeof k->health, "The run worker (pid %ld) is not running",
                   (long)k->pid);
        k->exited = true;
        h->running--;
      }
    }
    if (k->exited && end_run(h, k))
      continue;
    h->kids[kept++] = *k;
  }
  h->n_kids = kept;
}

/* Reports an ENGINE_EVENT on the run, saying on failure what could not be
 * recorded: the run goes on without it. */
static void engine_event(const host *h, const char *run_id, const char *message) {
  run_error err;
  if (!run_report(h->inst->store, run_id, "ENGINE_EVENT", message, NULL, &err))
    say(h, "run %s: could not record \"%s\": %s", run_id, message, err.message);
}

/* Pauses claims after a run worker could not be started: the cause (a
 * missing binary, no processes or files left) is this host's, and would
 * fail the next start too. */
static void back_off(host *h) {
  h->backoff = h->backoff > 0 ? h->backoff * 2 : DAEMON_WORKER_BACKOFF_MIN;
  if (h->backoff > DAEMON_WORKER_BACKOFF_MAX)
    h->backoff = DAEMON_WORKER_BACKOFF_MAX;
  h->claim_after = clock_mono() + h->backoff;
  say(h, "claiming no runs for %g s", h->backoff);
}

/* Gives a run whose worker could not be started back to the offers, for
 * another host; fails it only when it cannot be given back. */
static void give_back(host *h, const char *run_id, const char *reason) {
  say(h, "run %s could not be started: %s", run_id, reason);
  char message[2048];
  snprintf(message, sizeof message, "dagd worker %s (%s) on host %s could not start the run: %s",
           h->name, h->o->id, h->hostname, reason);
  engine_event(h, run_id, message);
  bool released = false;
  store_error serr;
  if (store_worker_release(h->inst->store, run_id, h->o->id, &released, &serr) == 0) {
    say(h, released ? "run %s given back to the offers" : "run %s is no longer this worker's",
        run_id);
  } else {
    run_error err;
    if (run_fail_launch(h->inst, run_id, reason, &err) == 0)
      say(h, "run %s failed: it could not be given back: %s", run_id, serr.message);
    else
      say(h, "run %s could be neither given back (%s) nor failed (%s)", run_id, serr.message,
          err.message);
  }
  back_off(h);
}

/* Starts the worker of a run this host claimed. */
static void start(host *h, const char *run_id) {
  char claimed[1024];
  snprintf(claimed, sizeof claimed, "Claimed by dagd worker %s (%s) on host %s.", h->name, h->o->id,
           h->hostname);
  engine_event(h, run_id, claimed);
  run_error err;
  int64_t pid = 0;
  if (run_start_worker(h->inst, run_id, RUN_WORKER_CHILD, &pid, &err) != 0 || !pid) {
    give_back(h, run_id, err.message);
    return;
  }
  h->backoff = 0;
  child *k = &h->kids[h->n_kids++];
  memset(k, 0, sizeof *k);
  k->pid = (pid_t)pid;
  memcpy(k->run_id, run_id, 37);
  h->running++;
  say(h, "run %s started (pid %lld)", run_id, (long long)pid);
}

/* Claims offers while fewer than max_runs of this host's runs are going,
 * its heartbeat stands and no start failure holds claims back. */
static void claim_runs(host *h) {
  while (h->n_kids < (size_t)h->o->max_runs) {
    double mono = clock_mono();
    if (mono < h->claim_after || mono >= h->beat_stands)
      return;
    char run_id[37];
    bool found = false;
    store_error serr;
    if (store_worker_claim(h->inst->store, h->o->id, clock_now(), run_id, &found, &serr) != 0) {
      turn_done(h, &h->claim, serr.message);
      return;
    }
    turn_done(h, &h->claim, NULL);
    if (!found)
      return;
    start(h, run_id);
  }
}

/* Asks each going run to cancel: RUN_CANCELING first (so a worker that
 * dies of the signal before it could handle it still ends its run
 * CANCELED), then SIGTERM; SIGKILL comes after the grace period. */
static void cancel_all(host *h) {
  arena *a = arena_new(0);
  for (size_t i = 0; i < h->n_kids; i++) {
    child *k = &h->kids[i];
    if (k->exited)
      continue;
    store_error serr = {{0}};
    store_run *run = store_run_get(h->inst->store, k->run_id, a, &serr);
    run_error err;
    if (run && (run->status == STORE_RUN_STARTING || run->status == STORE_RUN_STARTED) &&
        !run_report(h->inst->store, k->run_id, "RUN_CANCELING", RUN_TERMINATION_REQUEST, NULL,
                    &err))
      say(h, "run %s: could not record its cancellation: %s", k->run_id, err.message);
    kill(k->pid, SIGTERM);
  }
  arena_free(a);
  h->kill_at = clock_mono() + h->inst->terminate_grace + DAEMON_WORKER_CANCEL_SLACK;
}

/* Kills the run workers a cancel did not stop in time. */
static void kill_late(host *h) {
  if (!h->kill_at || clock_mono() < h->kill_at)
    return;
  for (size_t i = 0; i < h->n_kids; i++) {
    child *k = &h->kids[i];
    if (k->exited || k->killed)
      continue;
    k->killed = true;
    kill(k->pid, SIGKILL);
    say(h, "run %s: its worker (pid %ld) was still running %g s after SIGTERM: killed", k->run_id,
        (long)k->pid, h->inst->terminate_grace + DAEMON_WORKER_CANCEL_SLACK);
  }
}

/* ---- waiting ---- */

static void nap(double seconds) {
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  nanosleep(&ts, NULL); /* a signal ends it early: the caller looks again */
}

/* Waits one slice (seconds) for an offer: true when one may have come. A
 * broken watcher is closed and opened again at the next wait; a store
 * whose watchers only pace a poll (SQLite) is polled without one. */
static bool wait_slice(host *h, double seconds) {
  store_error serr;
  if (!h->watch && !h->polls) {
    h->watch = store_watch_open(h->inst->store, STORE_WATCH_OFFERS, &serr);
    turn_done(h, &h->watcher, h->watch ? NULL : serr.message);
    if (h->watch && !store_watch_notifies(h->watch)) {
      store_watch_close(h->watch);
      h->watch = NULL;
      h->polls = true;
    }
  }
  if (!h->watch) {
    nap(seconds);
    return false;
  }
  int ms = (int)(seconds * 1000);
  int rc = store_watch_wait(h->watch, ms > 0 ? ms : 1, ms > 0 ? ms : 1, &serr);
  if (rc < 0) {
    turn_done(h, &h->watcher, serr.message);
    store_watch_close(h->watch);
    h->watch = NULL;
    nap(seconds);
  }
  return rc > 0;
}

/* Waits until monotonic time `until`, or less: the stop request moved
 * from `seen`, or (claiming, on a store whose watcher is woken by offers)
 * an offer came. */
static void wait_round(host *h, double until, bool claiming, const atomic_int *stop, int seen) {
  for (;;) {
    double left = until - clock_mono();
    if (left <= 0 || atomic_load(stop) != seen)
      return;
    double slice = left < STOP_LOOK ? left : STOP_LOOK;
    if (!claiming)
      nap(slice);
    else if (wait_slice(h, slice))
      return;
  }
}

int daemon_worker_run(run_instance *inst, const daemon_worker_options *o, const atomic_int *stop,
                      buf *err) {
  if (!o->id || !o->id[0] || o->max_runs < 1 || !(o->poll_interval > 0)) {
    buf_printf(err,
               "a dagd worker needs an id, max_runs of at least 1 and a poll interval above 0");
    return -1;
  }
  host h = {.inst = inst, .o = o, .name = o->name && o->name[0] ? o->name : o->id};
  h.heartbeat.name = "the heartbeat";
  h.claim.name = "claiming runs";
  h.watcher.name = "watching for offers";
  h.ending.name = "ending the run of an exited worker";
  snprintf(h.type, sizeof h.type, DAEMON_WORKER_TYPE_PREFIX "%s", o->id);
  if (gethostname(h.hostname, sizeof h.hostname) != 0)
    snprintf(h.hostname, sizeof h.hostname, "localhost");
  h.hostname[sizeof h.hostname - 1] = '\0';
  h.beat_every = inst->worker_heartbeat_timeout / 3;
  if (h.beat_every > DAEMON_WORKER_HEARTBEAT_INTERVAL)
    h.beat_every = DAEMON_WORKER_HEARTBEAT_INTERVAL;
  size_t leftovers = run_kill_ops_of_dead_workers(inst->home);
  if (leftovers)
    say(&h, "killed %zu process group%s of ops left on this host by run workers that are gone",
        leftovers, leftovers == 1 ? "" : "s");
  h.kids = xcalloc((size_t)o->max_runs, sizeof *h.kids); /* kids never outnumber max_runs */
  int seen = DAEMON_WORKER_GO;
  double next_beat = 0;
  for (;;) {
    int level = atomic_load(stop);
    if (level > seen) {
      say(&h, "%s %zu going run%s, claiming no more",
          level >= DAEMON_WORKER_CANCEL ? "stopping: canceling" : "stopping: waiting for",
          h.running, h.running == 1 ? "" : "s");
      if (level >= DAEMON_WORKER_CANCEL)
        cancel_all(&h);
      seen = level;
    }
    double now = clock_mono();
    if (now >= next_beat) {
      heartbeat(&h, clock_now());
      next_beat = now + h.beat_every;
    }
    reap(&h);
    kill_late(&h);
    bool claiming = level == DAEMON_WORKER_GO;
    if (claiming)
      claim_runs(&h);
    else if (h.running == 0)
      break;
    double until = clock_mono() + o->poll_interval;
    if (until > next_beat)
      until = next_beat;
    if (claiming && h.claim_after > clock_mono() && until > h.claim_after)
      until = h.claim_after;
    wait_round(&h, until, claiming, stop, seen);
  }
  /* Runs whose end could not be written: the stopped heartbeat makes the
   * monitor end them. */
  store_watch_close(h.watch);
  heartbeat(&h, 0);
  free(h.kids);
  return 0;
}
