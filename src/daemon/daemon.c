/* daemon.c — the daemon's thread (daemon.h).
 *
 * One thread does everything in turn: the heartbeat, the queue pass, the
 * monitoring pass. A pass that takes long delays the next heartbeat, so
 * passes are kept short (a queue pass launches workers, which return at
 * once) and the staleness limit allows three missed beats. Scheduling
 * uses the monotonic clock (a wall-clock jump neither stalls nor floods
 * the loop); the heartbeat records wall-clock time, since other processes
 * compare it with theirs.
 *
 * Between dequeue intervals, the queue is also watched, every
 * QUEUE_WATCH_INTERVAL: the daemon counts the QUEUED runs and, when some
 * wait, those in progress (one indexed count each). More QUEUED runs than
 * last seen (submitted by another process: `dagd webserver` next to `dagd
 * daemon`) or fewer in progress (a run ended and freed a slot) make a pass
 * run at once. Dagster waits for the next interval (its passes are
 * costly); here a freed slot or a new run is seen within the watch period,
 * and a run submitted through `dagd dev` at once (daemon_wake).
 *
 * The watch costs two indexed counts per look; four looks a second keep
 * an idle daemon's share of the store small.
 *
 * Ownership: every heartbeat turn re-claims the heartbeat (one
 * conditional write, store_daemon_heartbeat), and its answer decides
 * whether the passes run until the next beat. When the claim cannot be
 * written at all (the store is failing), the daemon keeps its ownership
 * only as long as no other daemon could have taken the heartbeat over:
 * one beat less than the staleness limit after its last successful
 * claim. A change of ownership is logged once.
 *
 * The daemon must outlive any trouble with the store: a failed heartbeat
 * or pass is written to stderr and tried again at its next turn. A
 * failure that repeats itself is written once, and its end noted, so a
 * database down for an hour does not fill the log. */
#define _GNU_SOURCE /* pthread_condattr_setclock */

/* Seconds between two looks at the queue (see above). */
#define QUEUE_WATCH_INTERVAL 0.25
/* "Not scheduled": a time no clock reaches. */
#define NEVER 1e300
#include "daemon/daemon.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/mem.h"
#include "daemon/daemon_internal.h"
#include "daemon/monitor.h"
#include "daemon/queue.h"

struct daemon_loop {
  run_instance *inst;
  daemon_turn heartbeat, queue, monitor; /* the daemon thread's own */
  /* What run monitoring remembers between passes (worker heartbeats). */
  daemon_monitor_state *monitoring;
  /* Counted after the last pass or look at the queue; -1: unknown. */
  int64_t in_progress, waiting;
  /* Whether the last claim succeeded; written by the daemon's thread
   * (and daemon_start before it), read by daemon_owned from any. */
  atomic_bool owned;
  /* Monotonic time until which the last successful claim keeps the
   * heartbeat ours when the next claims fail on the store. */
  double owned_until;
  char id[320];
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond; /* on CLOCK_MONOTONIC */
  bool stop, wake;     /* under lock */
};

static struct timespec mono_deadline(double t) {
  struct timespec ts;
  ts.tv_sec = (time_t)t;
  ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

/* host:pid:random, unique enough to tell two daemons apart even on one
 * host after a pid is reused. */
static void make_id(char *out, size_t size) {
  char host[256] = "localhost";
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "localhost");
  host[sizeof host - 1] = '\0';
  snprintf(out, size, "%s:%ld:%08x", host, (long)getpid(), daemon_random32());
}

/* Records how a turn went, and says so on stderr when that changed. */
static void turn_done(const daemon_loop *d, daemon_turn *t, bool ok, buf *err) {
  buf line;
  buf_init(&line, NULL);
  if (daemon_turn_done(t, ok ? NULL : buf_cstr(err), &line))
    fprintf(stderr, "dagd daemon %s: %s\n", d->id, buf_cstr(&line));
  buf_free(&line);
  buf_free(err);
}

/* Claims the heartbeat at wall-clock time `when` (0: clears it, if
 * still ours); false with err set when the store failed. */
static bool claim(run_instance *inst, const char *id, double when, bool *claimed, buf *err) {
  store_error serr;
  if (store_daemon_heartbeat(inst->store, DAEMON_TYPE, id, when, DAEMON_HEARTBEAT_STALE, claimed,
                             &serr) != 0) {
    buf_printf(err, "Cannot write the daemon heartbeat: %s", serr.message);
    return false;
  }
  return true;
}

/* Explains a refused claim into err: who owns the heartbeat and how old
 * it is (1). 0 when the row turns out claimable after all (its daemon
 * stopped or went stale since the claim), -1 when the store failed. */
static int explain_refusal(run_instance *inst, buf *err) {
  arena *a = arena_new(0);
  const char *id = NULL;
  double when = 0;
  bool found = false;
  store_error serr;
  int rc = 1;
  if (store_daemon_heartbeat_get(inst->store, DAEMON_TYPE, a, &id, &when, &found, &serr) != 0) {
    buf_printf(err, "Cannot read the daemon heartbeat: %s", serr.message);
    rc = -1;
  } else {
    double age = clock_now() - when;
    if (age < 0)
      age = 0; /* another host's clock ahead of ours: as good as fresh */
    if (found && age < DAEMON_HEARTBEAT_STALE)
      buf_printf(err, "another dagd daemon (%s) is running: its heartbeat is %.1f s old", id, age);
    else
      rc = 0;
  }
  arena_free(a);
  return rc;
}

/* daemon_start's claim: false when the store failed; else *claimed
 * tells whether the heartbeat is ours, with the reason in err when not.
 * A row that frees up between the refused claim and reading it is
 * claimed again. */
static bool first_claim(daemon_loop *d, bool *claimed, buf *err) {
  for (int attempt = 0; attempt < 3; attempt++) {
    if (!claim(d->inst, d->id, clock_now(), claimed, err))
      return false;
    if (*claimed)
      return true;
    int rc = explain_refusal(d->inst, err);
    if (rc != 0)
      return rc > 0;
  }
  buf_printf(err, "the daemon heartbeat keeps changing owners");
  return true;
}

/* Until when a claim made at monotonic time mono keeps the heartbeat ours
 * should the next claims fail on the store: one beat short of the moment
 * another daemon may take it over. */
static double claim_lasts(double mono, bool claimed) {
  return claimed ? daemon_heartbeat_lasts(mono, DAEMON_HEARTBEAT_STALE, DAEMON_HEARTBEAT_INTERVAL)
                 : 0;
}

/* Records whether the daemon owns the heartbeat, logging a change. */
static void set_owned(daemon_loop *d, bool owned, const char *why) {
  if (atomic_exchange(&d->owned, owned) == owned)
    return;
  if (owned)
    fprintf(stderr, "dagd daemon %s: owns the heartbeat now: running its passes\n", d->id);
  else
    fprintf(stderr, "dagd daemon %s: %s: standing by (no passes) until the heartbeat is free\n",
            d->id, why);
}

/* Re-claims the heartbeat and updates the ownership. */
static void heartbeat_turn(daemon_loop *d) {
  buf err;
  buf_init(&err, NULL);
  double mono = clock_mono();
  bool claimed = false;
  bool ok = claim(d->inst, d->id, clock_now(), &claimed, &err);
  turn_done(d, &d->heartbeat, ok, &err);
  if (ok) {
    d->owned_until = claim_lasts(mono, claimed);
    set_owned(d, claimed, "another daemon took the heartbeat over");
  } else {
    set_owned(d, mono < d->owned_until, "the heartbeat cannot be renewed");
  }
}

static void queue_turn(daemon_loop *d) {
  buf err;
  buf_init(&err, NULL);
  bool ok = daemon_queue_pass(d->inst, &err) >= 0;
  d->in_progress = ok ? daemon_queue_in_progress(d->inst, &err) : -1;
  d->waiting = ok && d->in_progress >= 0 ? daemon_queue_waiting(d->inst, &err) : -1;
  turn_done(d, &d->queue, d->waiting >= 0, &err);
}

/* Whether the queue changed since the last look so that a pass may
 * launch something: more runs QUEUED, or, while some are, fewer in
 * progress. A failed count is left to the next pass to report. */
static bool queue_changed(daemon_loop *d) {
  buf err;
  buf_init(&err, NULL);
  int64_t waiting = daemon_queue_waiting(d->inst, &err);
  int64_t in_progress = waiting > 0 ? daemon_queue_in_progress(d->inst, &err) : -1;
  buf_free(&err);
  bool changed = (waiting > d->waiting && d->waiting >= 0) ||
                 (in_progress >= 0 && d->in_progress >= 0 && in_progress < d->in_progress);
  d->waiting = waiting;
  d->in_progress = in_progress;
  return changed;
}

static void monitor_turn(daemon_loop *d) {
  buf err;
  buf_init(&err, NULL);
  int acted = daemon_monitor_pass(d->inst, d->monitoring, clock_now(), clock_mono(), &err);
  turn_done(d, &d->monitor, acted >= 0, &err);
}

static double min2(double a, double b) { return a < b ? a : b; }

/* When each job is next due, on the monotonic clock. */
typedef struct schedule {
  double beat, watch, queue, monitor;
} schedule;

/* The passes from now, as at a start: a queue pass at once, the
 * monitoring pass after its interval; none at all when not owned. */
static void schedule_passes(daemon_loop *d, double now, schedule *s) {
  const run_coordinator_config *q = &d->inst->coordinator;
  const run_monitoring_config *m = &d->inst->monitoring;
  bool owned = atomic_load(&d->owned);
  s->queue = owned && q->queued ? now : NEVER;
  s->watch = owned && q->queued ? now + QUEUE_WATCH_INTERVAL : NEVER;
  s->monitor = owned && m->enabled ? now + m->poll_interval : NEVER;
  d->in_progress = d->waiting = -1;
}

static void *daemon_main(void *arg) {
  daemon_loop *d = arg;
  const run_coordinator_config *q = &d->inst->coordinator;
  const run_monitoring_config *m = &d->inst->monitoring;
  double now = clock_mono();
  schedule s = {.beat = now + DAEMON_HEARTBEAT_INTERVAL}; /* daemon_start made the first claim */
  schedule_passes(d, now, &s);
  pthread_mutex_lock(&d->lock);
  while (!d->stop) {
    bool woken = d->wake;
    d->wake = false;
    pthread_mutex_unlock(&d->lock);

    now = clock_mono();
    if (now >= s.beat) {
      bool was_owned = atomic_load(&d->owned);
      heartbeat_turn(d);
      s.beat = now + DAEMON_HEARTBEAT_INTERVAL;
      if (atomic_load(&d->owned) != was_owned)
        schedule_passes(d, now, &s);
    }
    bool owned = atomic_load(&d->owned);
    if (owned && q->queued && now >= s.watch) {
      woken = queue_changed(d) || woken;
      s.watch = now + QUEUE_WATCH_INTERVAL;
    }
    if (owned && q->queued && (woken || now >= s.queue)) {
      queue_turn(d);
      s.queue = clock_mono() + q->dequeue_interval;
    }
    if (owned && m->enabled && now >= s.monitor) {
      monitor_turn(d);
      s.monitor = clock_mono() + m->poll_interval;
    }

    pthread_mutex_lock(&d->lock);
    if (d->stop || d->wake)
      continue;
    struct timespec until = mono_deadline(min2(min2(s.beat, s.watch), min2(s.queue, s.monitor)));
    int rc;
    do
      rc = pthread_cond_timedwait(&d->cond, &d->lock, &until);
    while (rc == 0 && !d->stop && !d->wake);
  }
  pthread_mutex_unlock(&d->lock);
  return NULL;
}

/* Clears the heartbeat if it is still this daemon's. */
static void clear_heartbeat(daemon_loop *d) {
  buf ignored;
  buf_init(&ignored, NULL);
  claim(d->inst, d->id, 0, NULL, &ignored);
  buf_free(&ignored);
}

daemon_loop *daemon_start(run_instance *inst, bool standby, buf *err) {
  daemon_loop *d = xcalloc(1, sizeof *d);
  d->inst = inst;
  d->heartbeat.name = "the heartbeat";
  d->queue.name = "the queue pass";
  d->monitor.name = "the monitoring pass";
  d->in_progress = d->waiting = -1;
  make_id(d->id, sizeof d->id);
  double mono = clock_mono();
  bool claimed = false;
  if (!first_claim(d, &claimed, err) || (!claimed && !standby)) {
    free(d);
    return NULL;
  }
  d->monitoring = daemon_monitor_state_new();
  atomic_init(&d->owned, claimed);
  d->owned_until = claim_lasts(mono, claimed);
  pthread_mutex_init(&d->lock, NULL);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&d->cond, &attr);
  pthread_condattr_destroy(&attr);
  /* The thread starts with every signal blocked: the process's own
   * thread (sigwait in dagd dev and dagd daemon) receives them. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  int rc = pthread_create(&d->thread, NULL, daemon_main, d);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) {
    buf_printf(err, "Cannot start the daemon thread: %s", strerror(rc));
    clear_heartbeat(d);
    daemon_monitor_state_free(d->monitoring);
    pthread_cond_destroy(&d->cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
    return NULL;
  }
  return d;
}

const char *daemon_id(const daemon_loop *d) { return d->id; }

bool daemon_owned(const daemon_loop *d) { return atomic_load(&d->owned); }

void daemon_wake(daemon_loop *d) {
  if (!d)
    return;
  pthread_mutex_lock(&d->lock);
  d->wake = true;
  pthread_cond_signal(&d->cond);
  pthread_mutex_unlock(&d->lock);
}

void daemon_stop(daemon_loop *d) {
  if (!d)
    return;
  pthread_mutex_lock(&d->lock);
  d->stop = true;
  pthread_cond_signal(&d->cond);
  pthread_mutex_unlock(&d->lock);
  pthread_join(d->thread, NULL);
  /* A conditional write: a heartbeat another daemon took over stays. */
  clear_heartbeat(d);
  daemon_monitor_state_free(d->monitoring);
  pthread_cond_destroy(&d->cond);
  pthread_mutex_destroy(&d->lock);
  free(d);
}
