/* reexecute.c — re-executions (reexecute.h): which steps a FROM_FAILURE
 * re-execution runs, the re-execution run itself, and the parent chain a
 * run's worker takes the outputs of steps it does not execute from.
 *
 * What a parent run did is read from its events, as Dagster reads it
 * (_derive_state_of_past_run): a step is finished when it has
 * STEP_SUCCESS, failed with STEP_FAILURE or RESOURCE_INIT_FAILURE,
 * interrupted when it has step events but neither, and skipped with
 * STEP_SKIPPED; its outputs are its STEP_OUTPUT events. The files are
 * looked at only by the worker, when it passes them on. */
#include "run/reexecute.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "base/strmap.h"
#include "run/run_internal.h"

/* A long chain of re-executions is fine; a cycle (which storage should
 * never hold) must not loop forever. */
#define MAX_LINEAGE 10000

static const void *const PRESENT = "";

/* The strings of a JSON array text into the map (NULL text: nothing);
 * returns how many. */
static size_t strings_into(strmap *m, arena *a, const char *text) {
  if (!text)
    return 0;
  json_t *v = json_parse_text(text, strlen(text), NULL, 0);
  size_t n = 0, i;
  json_t *item;
  json_array_foreach(v, i, item) {
    const char *s = json_string_value(item);
    if (s) {
      strmap_put(m, a, arena_strdup(a, s), PRESENT);
      n++;
    }
  }
  json_decref(v);
  return n;
}

/* The run's events, oldest first; NULL with err set when storage fails
 * (an empty log is *n == 0 and a non-NULL or NULL result alike). */
static bool read_events(store *s, const char *run_id, arena *a, store_event **ev, size_t *n,
                        run_error *err) {
  store_error serr = {{0}};
  *ev = store_events(s, run_id, 0, -1, a, n, NULL, &serr);
  if (!*ev && serr.message[0]) {
    run_fail(err, RUN_ERR_INTERNAL, "Could not read the events of run %s: %s", run_id,
             serr.message);
    return false;
  }
  if (!*ev)
    *n = 0;
  return true;
}

static bool is_type(const store_event *e, const char *type) {
  return e->event_type && strcmp(e->event_type, type) == 0;
}

/* ---- steps from failure ---- */

typedef struct past_steps {
  strmap seen, failed, succeeded, skipped;
} past_steps;

static void read_past(const store_event *ev, size_t n, arena *a, past_steps *p) {
  static const char *const step_types[] = {"STEP_START",  "STEP_SUCCESS", "STEP_FAILURE",
                                           "STEP_OUTPUT", "STEP_SKIPPED", "RESOURCE_INIT_FAILURE"};
  for (size_t i = 0; i < n; i++) {
    const store_event *e = &ev[i];
    if (!e->step_key)
      continue;
    bool counted = false;
    for (size_t t = 0; t < sizeof step_types / sizeof *step_types && !counted; t++)
      counted = is_type(e, step_types[t]);
    if (!counted)
      continue; /* plain log lines and other events say nothing about the step */
    strmap_put(&p->seen, a, e->step_key, PRESENT);
    if (is_type(e, "STEP_FAILURE") || is_type(e, "RESOURCE_INIT_FAILURE"))
      strmap_put(&p->failed, a, e->step_key, PRESENT);
    else if (is_type(e, "STEP_SUCCESS"))
      strmap_put(&p->succeeded, a, e->step_key, PRESENT);
    else if (is_type(e, "STEP_SKIPPED"))
      strmap_put(&p->skipped, a, e->step_key, PRESENT);
  }
}

/* Whether a step the parent was asked to execute must run again by
 * itself: it failed, was interrupted (started, never ended) or never ran. */
static bool unfinished(const past_steps *p, const char *key) {
  if (strmap_get(&p->failed, key) || !strmap_get(&p->seen, key))
    return true;
  return !strmap_get(&p->succeeded, key) && !strmap_get(&p->skipped, key);
}

static bool upstream_retried(const defs_step *st, const strmap *retry) {
  for (size_t i = 0; i < st->n_inputs; i++)
    for (size_t j = 0; j < st->inputs[i].n_sources; j++)
      if (strmap_get(retry, st->inputs[i].sources[j].step->key))
        return true;
  return false;
}

int run_steps_from_failure(store *s, const store_run *parent, const defs_plan *plan, arena *a,
                           const char *const **keys, size_t *n, run_error *err) {
  *keys = NULL;
  *n = 0;
  store_event *ev;
  size_t n_ev;
  if (!read_events(s, parent->run_id, a, &ev, &n_ev, err))
    return -1;
  past_steps past = {0};
  read_past(ev, n_ev, a, &past);
  strmap selected = {0};
  bool has_selection = strings_into(&selected, a, parent->step_keys_to_execute) > 0;
  const char **out = arena_alloc(a, (plan->n_steps + 1) * sizeof *out);
  strmap retry = {0};
  /* Plan order is topological: a step's upstream steps are decided first. */
  for (size_t i = 0; i < plan->n_steps; i++) {
    const defs_step *st = &plan->steps[i];
    if (has_selection && !strmap_get(&selected, st->key))
      continue; /* the parent did not execute it either: its outputs come from further up */
    if (strmap_get(&past.skipped, st->key))
      continue;
    if (unfinished(&past, st->key) || upstream_retried(st, &retry)) {
      strmap_put(&retry, a, st->key, PRESENT);
      out[(*n)++] = st->key;
    }
  }
  *keys = out;
  return 0;
}

/* ---- the re-execution run ---- */

/* Tags Dagster does not carry from a parent to its retry
 * (TAGS_TO_MAYBE_OMIT_ON_RETRY), and those run_create writes itself. */
static bool dropped_tag(const char *key) {
  static const char *const dropped[] = {
      "dagster/failure_reason",     "dagster/retry_number",      "dagster/is_resume_retry",
      "dagster/will_retry",         "dagster/auto_retry_run_id", "dagster/backfill",
      "dagster/parent_backfill_id", "dagster/root_backfill_id",  "dagster/run_metrics",
      ".dagster/run_metrics",       "dagster/solid_selection",   "dagster/parent_run_id",
      "dagster/root_run_id",
  };
  for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
    if (strcmp(key, dropped[i]) == 0)
      return true;
  return false;
}

static bool system_tag(const char *key) {
  return strncmp(key, "dagster/", 8) == 0 || strncmp(key, ".dagster/", 9) == 0;
}

int run_add_system_tags(run_instance *inst, const char *run_id, const store_tag *tags, size_t n,
                        run_error *err) {
  if (n == 0)
    return 0;
  store_error serr = {{0}};
  if (store_run_add_tags(inst->store, run_id, tags, n, &serr) != 0)
    return run_fail(err, RUN_ERR_INTERNAL, "Could not tag run %s: %s", run_id, serr.message);
  return 0;
}

/* The parent's run config as JSON (a new reference; {} when it has none). */
static json_t *parent_config(const store_run *parent, run_error *err) {
  const char *text = parent->run_config && *parent->run_config ? parent->run_config : "{}";
  char perr[160];
  json_t *cfg = json_parse_text(text, strlen(text), perr, sizeof perr);
  if (!cfg)
    run_fail(err, RUN_ERR_INTERNAL, "The run config of run %s is not valid JSON: %s",
             parent->run_id, perr);
  return cfg;
}

/* The steps to execute for the strategy (NULL, 0: all); false with err. */
static bool steps_for(run_instance *inst, const run_reexecution *req, arena *a,
                      const char *const **keys, size_t *n, run_error *err) {
  *keys = NULL;
  *n = 0;
  if (req->strategy == RUN_REEXECUTE_ALL_STEPS)
    return true;
  store_run_status st = req->parent->status;
  if (st != STORE_RUN_FAILURE && st != STORE_RUN_CANCELED) {
    run_fail(err, RUN_ERR_INVALID,
             "Cannot reexecute from failure a run that is not failed or "
             "canceled");
    return false;
  }
  const defs_plan *plan = defs_plan_build(req->job, a);
  if (run_steps_from_failure(inst->store, req->parent, plan, a, keys, n, err) != 0)
    return false;
  if (*n == 0) {
    run_fail(err, RUN_ERR_INVALID, "No steps needed to be retried in the failed run.");
    return false;
  }
  return true;
}

int run_create_reexecution(run_instance *inst, const run_reexecution *req, char run_id[37],
                           run_error *err) {
  const store_run *parent = req->parent;
  arena *a = arena_new(0);
  int rc = -1;
  json_t *cfg = NULL;
  const char *const *keys;
  size_t n_keys;
  if (!steps_for(inst, req, a, &keys, &n_keys, err) || !(cfg = parent_config(parent, err)))
    goto out;
  /* The parent's tags: a user's go through run_create (over the job's), the
   * system ones it refuses from callers are written once the run exists. */
  store_tag *user = arena_alloc(a, (parent->n_tags + 1) * sizeof *user);
  store_tag *system = arena_alloc(a, (parent->n_tags + 2) * sizeof *system);
  size_t n_user = 0, n_system = 0;
  for (size_t i = 0; i < parent->n_tags; i++) {
    const store_tag *t = &parent->tags[i];
    if (dropped_tag(t->key))
      continue;
    if (system_tag(t->key))
      system[n_system++] = *t;
    else
      user[n_user++] = *t;
  }
  if (req->strategy == RUN_REEXECUTE_FROM_FAILURE)
    system[n_system++] = (store_tag){"dagster/is_resume_retry", "true"};
  run_new nr = {
      .defs = req->defs,
      .job = req->job,
      .location_name = req->location_name,
      .run_config = cfg,
      .tags = user,
      .n_tags = n_user,
      .parent_run_id = parent->run_id,
      .root_run_id = parent->root_run_id ? parent->root_run_id : parent->run_id,
      .step_keys = keys,
      .n_step_keys = n_keys,
  };
  if (run_create(inst, &nr, run_id, err) != 0)
    goto out;
  if (run_add_system_tags(inst, run_id, system, n_system, err) != 0) {
    /* Half a re-execution is worse than none. */
    store_error ignored;
    bool found;
    store_run_delete(inst->store, run_id, &found, &ignored);
    goto out;
  }
  rc = 0;
out:
  json_decref(cfg);
  arena_free(a);
  return rc;
}

/* ---- the lineage of a run ---- */

typedef struct ancestor {
  const char *run_id;
  strmap produced; /* "step\x1foutput" → PRESENT */
} ancestor;

struct run_lineage {
  ancestor *runs; /* nearest first */
  size_t n, cap;
  arena *a;
};

static const char *output_key(arena *a, const char *step_key, const char *output) {
  return arena_printf(a, "%s\x1f%s", step_key, output);
}

/* What the run's events say it produced. */
static bool read_produced(store *s, ancestor *anc, arena *a, run_error *err) {
  store_event *ev;
  size_t n;
  if (!read_events(s, anc->run_id, a, &ev, &n, err))
    return false;
  for (size_t i = 0; i < n; i++) {
    if (!ev[i].step_key || !is_type(&ev[i], "STEP_OUTPUT") || !ev[i].body)
      continue;
    json_t *b = json_parse_text(ev[i].body, strlen(ev[i].body), NULL, 0);
    const char *name = json_string_value(json_object_get(b, "outputName"));
    if (name)
      strmap_put(&anc->produced, a, output_key(a, ev[i].step_key, name), PRESENT);
    json_decref(b);
  }
  return true;
}

static bool in_lineage(const run_lineage *l, const char *run_id) {
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->runs[i].run_id, run_id) == 0)
      return true;
  return false;
}

run_lineage *run_lineage_load(store *s, const store_run *run, arena *a, run_error *err) {
  run_lineage *l = arena_calloc(a, sizeof *l);
  l->a = a;
  const char *next = run->parent_run_id;
  while (next && l->n < MAX_LINEAGE && strcmp(next, run->run_id) != 0 && !in_lineage(l, next)) {
    store_error serr = {{0}};
    store_run *r = store_run_get(s, next, a, &serr);
    if (!r) {
      if (serr.message[0]) {
        run_fail(err, RUN_ERR_INTERNAL, "Could not read run %s: %s", next, serr.message);
        return NULL;
      }
      break; /* deleted: the chain ends here */
    }
    l->runs = arena_grow(a, l->runs, &l->cap, l->n, sizeof *l->runs);
    ancestor *anc = &l->runs[l->n++];
    memset(anc, 0, sizeof *anc);
    anc->run_id = r->run_id;
    if (!read_produced(s, anc, a, err))
      return NULL;
    next = r->parent_run_id;
  }
  return l;
}

const char *run_lineage_producer(const run_lineage *l, const char *step_key, const char *output) {
  if (!l)
    return NULL;
  const char *key = output_key(l->a, step_key, output);
  for (size_t i = 0; i < l->n; i++)
    if (strmap_get(&l->runs[i].produced, key))
      return l->runs[i].run_id;
  return NULL;
}

const char *run_lineage_describe(const run_lineage *l, arena *a) {
  buf out;
  buf_init(&out, a);
  for (size_t i = 0; l && i < l->n; i++)
    buf_printf(&out, "%s%s", i ? ", " : "", l->runs[i].run_id);
  return buf_cstr(&out);
}
