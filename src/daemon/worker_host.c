/* worker_host.c — the `dagd worker` loop (worker_host.h).
 *
 * One thread does everything in rounds of at most poll_interval: the
 * heartbeat when due, reaping the run workers that exited, claiming
 * offers while there is room, then waiting on a store watcher for new
 * offers (PostgreSQL's NOTIFY wakes it at once; SQLite's watcher only
 * paces the poll). The round's length bounds how late a stop request, an
 * exited worker or a missed notification is seen.
 *
 * Run workers are reaped by pid (never waitpid(-1)), so a caller with
 * children of its own (a test) keeps them. A worker that exited while its
 * run is unfinished could not record the run's end: the run is ended
 * here, with what the exit status says (exit code, or the signal that
 * killed it). When that cannot be written, it is retried every round
 * until it is, or until the loop stops: the stopped worker's heartbeat
 * then makes the monitor end the run.
 *
 * The heartbeat records wall-clock time (other hosts compare it with
 * theirs); scheduling uses the monotonic clock. Claims take a written
 * stale limit of 0: the row is this worker's alone, and a write of 0 at
 * the end marks it stopped. */
#define _GNU_SOURCE /* sigabbrev_np */
#include "daemon/worker_host.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/mem.h"
#include "daemon/monitor.h"
#include "run/launch.h"

/* A run worker this host started. */
typedef struct child {
  pid_t pid;
  char run_id[37];
  bool exited;      /* reaped; its run still to be ended (ending failed) */
  char health[160]; /* how it exited, when it did */
} child;

/* A job of the loop that can fail on the store, and its last failure. */
typedef struct turn {
  const char *name;
  char last_error[512]; /* "" after a success */
} turn;

typedef struct host {
  run_instance *inst;
  const daemon_worker_options *o;
  char type[320]; /* the heartbeat type */
  child *kids;
  size_t n_kids;  /* at most max_runs: claims stop there */
  size_t running; /* not yet exited */
  store_watch *watch;
  turn heartbeat, claim, watcher, ending;
} host;

static double mono_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* Records how a turn went, and says so when that changed: a failure that
 * repeats itself is said once, and its end noted. */
static void turn_done(const host *h, turn *t, const char *error) {
  const char *message = error ? error : "";
  if (strncmp(t->last_error, message, sizeof t->last_error - 1) != 0) {
    if (error)
      say(h, "%s failed (retrying): %s", t->name, error);
    else
      say(h, "%s works again", t->name);
  }
  snprintf(t->last_error, sizeof t->last_error, "%s", message);
}

static void heartbeat(host *h, double when) {
  store_error serr;
  bool claimed = false;
  const char *error = NULL;
  char refused[400];
  if (store_daemon_heartbeat(h->inst->store, h->type, h->o->id, when, 0, &claimed, &serr) != 0) {
    error = serr.message;
  } else if (!claimed && when > 0) {
    snprintf(refused, sizeof refused,
             "another worker named %s heartbeats with a clock ahead of this one", h->o->id);
    error = refused;
  }
  turn_done(h, &h->heartbeat, error);
}

/* ---- the runs ---- */

/* How a run worker ended, from its wait status. */
static void describe_exit(child *k, int status) {
  if (WIFSIGNALED(status)) {
    const char *name = sigabbrev_np(WTERMSIG(status));
    snprintf(k->health, sizeof k->health, "The run worker (pid %ld) was killed by signal %d%s%s%s",
             (long)k->pid, WTERMSIG(status), name ? " (SIG" : "", name ? name : "",
             name ? ")" : "");
  } else {
    snprintf(k->health, sizeof k->health, "The run worker (pid %ld) exited with status %d",
             (long)k->pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
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

/* Starts the worker of a run this host claimed. */
static void start(host *h, const char *run_id) {
  run_error err;
  int64_t pid = 0;
  if (run_start_worker(h->inst, run_id, RUN_WORKER_CHILD, &pid, &err) != 0) {
    say(h, "run %s could not be started: %s", run_id, err.message);
    return;
  }
  if (!pid) {
    say(h, "run %s could not be started: its worker did not start (the run failed)", run_id);
    return;
  }
  child *k = &h->kids[h->n_kids++];
  memset(k, 0, sizeof *k);
  k->pid = (pid_t)pid;
  memcpy(k->run_id, run_id, 37);
  h->running++;
  say(h, "run %s started (pid %lld)", run_id, (long long)pid);
}

/* Claims offers while fewer than max_runs of this host's runs are going. */
static void claim_runs(host *h) {
  while (h->n_kids < (size_t)h->o->max_runs) {
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

/* ---- waiting ---- */

static void nap(double seconds) {
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Waits up to `seconds` for new offers (a plain pause without a
 * watcher, or while not claiming). A broken watcher is closed and opened
 * again at the next wait. */
static void wait_round(host *h, double seconds, bool claiming) {
  int ms = (int)(seconds * 1000);
  if (ms < 1)
    ms = 1;
  store_error serr;
  if (claiming && !h->watch) {
    h->watch = store_watch_open(h->inst->store, STORE_WATCH_OFFERS, &serr);
    turn_done(h, &h->watcher, h->watch ? NULL : serr.message);
  }
  if (!claiming || !h->watch) {
    nap(seconds);
    return;
  }
  int poll_ms = (int)(h->o->poll_interval * 1000);
  if (store_watch_wait(h->watch, ms, poll_ms > 0 ? poll_ms : 1, &serr) < 0) {
    turn_done(h, &h->watcher, serr.message);
    store_watch_close(h->watch);
    h->watch = NULL;
    nap(seconds);
  }
}

/* SIGTERM to each going run worker: each cancels its run. */
static void cancel_all(const host *h) {
  for (size_t i = 0; i < h->n_kids; i++)
    if (!h->kids[i].exited)
      kill(h->kids[i].pid, SIGTERM);
}

int daemon_worker_run(run_instance *inst, const daemon_worker_options *o, const atomic_int *stop,
                      buf *err) {
  if (!o->id || !o->id[0] || o->max_runs < 1 || !(o->poll_interval > 0)) {
    buf_printf(err,
               "a dagd worker needs an id, max_runs of at least 1 and a poll interval above 0");
    return -1;
  }
  host h = {.inst = inst, .o = o};
  h.heartbeat.name = "the heartbeat";
  h.claim.name = "claiming runs";
  h.watcher.name = "watching for offers";
  h.ending.name = "ending the run of an exited worker";
  snprintf(h.type, sizeof h.type, DAEMON_WORKER_TYPE_PREFIX "%s", o->id);
  double beat_every = inst->worker_heartbeat_timeout / 3;
  if (beat_every > DAEMON_WORKER_HEARTBEAT_INTERVAL)
    beat_every = DAEMON_WORKER_HEARTBEAT_INTERVAL;
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
    double now = mono_now();
    if (now >= next_beat) {
      heartbeat(&h, clock_now());
      next_beat = now + beat_every;
    }
    reap(&h);
    bool claiming = level == DAEMON_WORKER_GO;
    if (claiming)
      claim_runs(&h);
    else if (h.running == 0)
      break;
    double wait = next_beat - mono_now();
    if (wait > o->poll_interval)
      wait = o->poll_interval;
    if (wait > 0)
      wait_round(&h, wait, claiming);
  }
  /* Runs whose end could not be written: the stopped heartbeat makes the
   * monitor end them. */
  store_watch_close(h.watch);
  heartbeat(&h, 0);
  free(h.kids);
  return 0;
}
