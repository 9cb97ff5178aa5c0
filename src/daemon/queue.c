/* queue.c — the run queue (queue.h), Dagster's QueuedRunCoordinatorDaemon
 * with its TagConcurrencyLimitsCounter.
 *
 * Tag limits follow Dagster's reading of the configuration: a limit with
 * a string value counts the runs with that key and value; one without a
 * value (or with applyLimitPerUniqueValue false) counts every run with
 * the key; one with applyLimitPerUniqueValue counts, for a candidate, the
 * runs sharing its value. Dagster keeps the limits in maps, so of two
 * limits of one kind for the same key (and value), the later wins; so it
 * does here.
 *
 * The counting is by scanning the runs in progress and those chosen so
 * far, for each candidate and limit: the number of runs in progress is
 * bounded by the limits being enforced, and the queue is read once per
 * pass, so this stays far below the cost of launching a single run. */
#include "daemon/queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "run/events.h"
#include "run/launch.h"

#define PRIORITY_TAG "dagster/priority"

/* The kind of a tag limit, which decides what it counts. */
typedef enum { LIMIT_KEY, LIMIT_KEY_VALUE, LIMIT_UNIQUE_VALUE } limit_kind;

static limit_kind kind_of(const run_tag_limit *l) {
  if (l->value)
    return LIMIT_KEY_VALUE;
  return l->per_unique_value ? LIMIT_UNIQUE_VALUE : LIMIT_KEY;
}

/* Dagster's int() of the priority tag: an optional sign and digits,
 * surrounding blanks allowed; anything else is priority 0. */
static long priority_of(const store_run *r) {
  const char *v = store_run_tag(r, PRIORITY_TAG);
  if (!v)
    return 0;
  char *end;
  errno = 0;
  long p = strtol(v, &end, 10);
  if (end == v || errno)
    return 0;
  while (*end == ' ' || *end == '\t' || *end == '\n')
    end++;
  return *end ? 0 : p;
}

/* Whether a later limit of the same kind replaces limit i. */
static bool superseded(const run_coordinator_config *cfg, size_t i) {
  const run_tag_limit *l = &cfg->tag_limits[i];
  for (size_t j = i + 1; j < cfg->n_tag_limits; j++) {
    const run_tag_limit *m = &cfg->tag_limits[j];
    if (kind_of(m) == kind_of(l) && strcmp(m->key, l->key) == 0 &&
        (!l->value || strcmp(m->value, l->value) == 0))
      return true;
  }
  return false;
}

/* Whether run r counts against limit l for a candidate whose value for
 * l's key is value. */
static bool counts_against(const run_tag_limit *l, const store_run *r, const char *value) {
  const char *v = store_run_tag(r, l->key);
  if (!v)
    return false;
  return kind_of(l) == LIMIT_KEY || strcmp(v, value) == 0;
}

/* Whether a limit stops the candidate, given the active runs. */
static bool blocked(const run_coordinator_config *cfg, const store_run *const *active,
                    size_t n_active, const store_run *candidate) {
  for (size_t i = 0; i < cfg->n_tag_limits; i++) {
    const run_tag_limit *l = &cfg->tag_limits[i];
    const char *value = store_run_tag(candidate, l->key);
    if (!value || (l->value && strcmp(value, l->value) != 0) || superseded(cfg, i))
      continue;
    int count = 0;
    for (size_t k = 0; k < n_active; k++)
      count += counts_against(l, active[k], value);
    if (count >= l->limit)
      return true;
  }
  return false;
}

typedef struct ranked {
  size_t index;
  long priority;
} ranked;

/* Higher priority first, then the older run (the lower index). */
static int cmp_ranked(const void *x, const void *y) {
  const ranked *a = x, *b = y;
  if (a->priority != b->priority)
    return a->priority > b->priority ? -1 : 1;
  return (a->index > b->index) - (a->index < b->index);
}

size_t daemon_queue_choose(const run_coordinator_config *cfg, const store_run *in_progress,
                           size_t n_in_progress, const store_run *queued, size_t n_queued,
                           size_t *chosen) {
  bool limited = cfg->max_concurrent_runs != -1;
  long room = (long)cfg->max_concurrent_runs - (long)n_in_progress;
  if ((limited && room <= 0) || n_queued == 0)
    return 0;
  ranked *order = xcalloc(n_queued, sizeof *order);
  const store_run **active = xcalloc(n_in_progress + n_queued, sizeof *active);
  for (size_t i = 0; i < n_queued; i++)
    order[i] = (ranked){i, priority_of(&queued[i])};
  qsort(order, n_queued, sizeof *order, cmp_ranked);
  size_t n_active = 0, n_chosen = 0;
  for (size_t i = 0; i < n_in_progress; i++)
    active[n_active++] = &in_progress[i];
  for (size_t i = 0; i < n_queued; i++) {
    if (limited && (long)n_chosen >= room)
      break;
    const store_run *r = &queued[order[i].index];
    if (blocked(cfg, active, n_active, r))
      continue; /* later runs may still go */
    active[n_active++] = r;
    chosen[n_chosen++] = order[i].index;
  }
  free(order);
  free((void *)active);
  return n_chosen;
}

/* Runs with one of the statuses, oldest first, into *runs (NULL when
 * none); false with err set when the store failed. */
static bool runs_with(run_instance *inst, const store_run_status *statuses, size_t n_statuses,
                      arena *a, store_run **runs, size_t *n, buf *err) {
  store_runs_filter f = {.statuses = statuses, .n_statuses = n_statuses};
  store_error serr;
  *n = 0;
  *runs = store_runs_list(inst->store, &f, NULL, -1, a, n, &serr);
  if (!*runs && serr.message[0]) {
    buf_printf(err, "Cannot read the runs: %s", serr.message);
    return false;
  }
  store_run *r = *runs;
  for (size_t i = 0; i < *n / 2; i++) { /* the store lists newest first */
    store_run t = r[i];
    r[i] = r[*n - 1 - i];
    r[*n - 1 - i] = t;
  }
  return true;
}

/* Whether the run is gone from the store: after a write to it failed, a
 * deletion (a user's deleteRun) racing the pass, not the store failing. */
static bool deleted(run_instance *inst, const char *run_id, arena *a) {
  store_error serr;
  return !store_run_get(inst->store, run_id, a, &serr) && !serr.message[0];
}

/* Dequeues one run: still QUEUED (a terminate may have canceled it since
 * the queue was read), RUN_DEQUEUED, then launched. 1 when launched, 0
 * when skipped, -1 when the store failed. A run deleted at any point is
 * skipped: its failed write is no reason to stop the pass. */
static int dequeue(run_instance *inst, const char *run_id, arena *a, buf *err) {
  store_error serr;
  store_run *now = store_run_get(inst->store, run_id, a, &serr);
  if (!now) {
    if (!serr.message[0])
      return 0; /* deleted meanwhile */
    buf_printf(err, "Cannot read run %s: %s", run_id, serr.message);
    return -1;
  }
  if (now->status != STORE_RUN_QUEUED)
    return 0;
  /* Like RUN_ENQUEUED and RUN_STARTING, no message of its own. */
  if (run_event(inst->store, run_id, "RUN_DEQUEUED", RUN_LEVEL_INFO, NULL, "", NULL, &serr) < 0) {
    if (deleted(inst, run_id, a))
      return 0;
    buf_printf(err, "Cannot dequeue run %s: %s", run_id, serr.message);
    return -1;
  }
  run_error rerr = {0};
  if (run_launch(inst, run_id, &rerr) != 0) {
    if (rerr.code == RUN_ERR_INTERNAL && !deleted(inst, run_id, a)) {
      buf_printf(err, "Cannot launch run %s: %s", run_id, rerr.message);
      return -1;
    }
    return 0; /* no longer launchable: canceled or deleted meanwhile */
  }
  return 1;
}

/* Dagster's IN_PROGRESS_RUN_STATUSES. */
static const store_run_status in_progress_statuses[] = {STORE_RUN_STARTING, STORE_RUN_STARTED,
                                                        STORE_RUN_CANCELING};

static const store_run_status queued_status[] = {STORE_RUN_QUEUED};

static int64_t count_with(run_instance *inst, const store_run_status *statuses, size_t n_statuses,
                          buf *err) {
  store_runs_filter f = {.statuses = statuses, .n_statuses = n_statuses};
  store_error serr;
  int64_t n = store_runs_count(inst->store, &f, &serr);
  if (n < 0)
    buf_printf(err, "Cannot count the runs: %s", serr.message);
  return n;
}

int64_t daemon_queue_in_progress(run_instance *inst, buf *err) {
  return count_with(inst, in_progress_statuses, 3, err);
}

int64_t daemon_queue_waiting(run_instance *inst, buf *err) {
  return count_with(inst, queued_status, 1, err);
}

int daemon_queue_pass(run_instance *inst, buf *err) {
  const run_coordinator_config *cfg = &inst->coordinator;
  if (cfg->max_concurrent_runs == 0)
    return 0;
  arena *a = arena_new(0);
  store_run *running, *queued = NULL;
  size_t n_running, n_queued = 0;
  int launched = -1;
  if (!runs_with(inst, in_progress_statuses, 3, a, &running, &n_running, err))
    goto out;
  /* Dagster reads the queue only when there is room. */
  if (cfg->max_concurrent_runs == -1 || n_running < (size_t)cfg->max_concurrent_runs)
    if (!runs_with(inst, queued_status, 1, a, &queued, &n_queued, err))
      goto out;
  launched = 0;
  size_t *chosen = arena_alloc(a, (n_queued ? n_queued : 1) * sizeof *chosen);
  size_t n = daemon_queue_choose(cfg, running, n_running, queued, n_queued, chosen);
  for (size_t i = 0; i < n; i++) {
    int rc = dequeue(inst, queued[chosen[i]].run_id, a, err);
    if (rc < 0) {
      launched = -1;
      break;
    }
    launched += rc;
  }
out:
  arena_free(a);
  return launched;
}
