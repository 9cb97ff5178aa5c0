/* reexecute.c — re-executions (reexecute.h): which steps a FROM_FAILURE
 * re-execution runs, the re-execution run itself, and the parent chain a
 * run's worker takes the outputs of steps it does not execute from.
 *
 * What a parent run did is read from its events, as Dagster reads it
 * (_derive_state_of_past_run): a step is finished when it has
 * STEP_SUCCESS, failed with STEP_FAILURE or RESOURCE_INIT_FAILURE,
 * interrupted when it has step events but neither, and skipped with
 * STEP_SKIPPED; its outputs are its STEP_OUTPUT events. The files are
 * looked at only by the worker, when it passes them on. Event logs can be
 * long and a chain of re-executions deep: each run's events are read into
 * a scratch arena, and only step keys, output keys and run ids are kept. */
#include "run/reexecute.h"

#include <stdio.h>
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

/* The run's events, oldest first, into arena a (a scratch arena: only
 * what is taken from them is kept); false with err set when storage fails. */
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

/* ---- walking up a run's parent chain ---- */

/* Called with each ancestor, nearest first (r lives until the next call);
 * false with err set stops the walk. */
typedef bool (*visit_fn)(void *ctx, const store_run *r, arena *scratch, run_error *err);

/* Walks run's ancestors, each read into a scratch arena reset between
 * them. At one that is not stored the walk ends with its id in missing
 * (otherwise ""). -1 with err when storage or visit fails. */
static int walk_ancestors(store *s, const store_run *run, visit_fn visit, void *ctx,
                          char missing[37], run_error *err) {
  missing[0] = '\0';
  if (!run->parent_run_id)
    return 0;
  arena *scratch = arena_new(0), *seen_arena = arena_new(0);
  strmap seen = {0};
  strmap_put(&seen, seen_arena, arena_strdup(seen_arena, run->run_id), PRESENT);
  char next[37];
  snprintf(next, sizeof next, "%s", run->parent_run_id);
  int rc = 0;
  for (size_t depth = 0; next[0] && depth < MAX_LINEAGE; depth++) {
    if (strmap_add(&seen, seen_arena, arena_strdup(seen_arena, next), PRESENT))
      break; /* a cycle: every run of it was visited */
    arena_reset(scratch);
    store_error serr = {{0}};
    const store_run *r = store_run_get(s, next, scratch, &serr);
    if (!r) {
      if (serr.message[0])
        rc = run_fail(err, RUN_ERR_INTERNAL, "Could not read run %s: %s", next, serr.message);
      else
        memcpy(missing, next, 37);
      break;
    }
    if (!visit(ctx, r, scratch, err)) {
      rc = -1;
      break;
    }
    snprintf(next, sizeof next, "%s", r->parent_run_id ? r->parent_run_id : "");
  }
  arena_free(scratch);
  arena_free(seen_arena);
  return rc;
}

static bool visit_nothing(void *ctx, const store_run *r, arena *scratch, run_error *err) {
  (void)ctx, (void)r, (void)scratch, (void)err;
  return true;
}

int run_check_ancestors(store *s, const store_run *run, run_error *err) {
  char missing[37];
  if (walk_ancestors(s, run, visit_nothing, NULL, missing, err) != 0)
    return -1;
  if (missing[0])
    return run_fail(err, RUN_ERR_NOT_FOUND, "Could not load ancestor run %s for re-execution",
                    missing);
  return 0;
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

static const char NOT_FAILED[] = "Cannot reexecute from failure a run that is not failed or "
                                 "canceled";

int run_steps_from_failure(store *s, const store_run *parent, const defs_plan *plan, arena *a,
                           const char *const **keys, size_t *n, run_error *err) {
  *keys = NULL;
  *n = 0;
  if (parent->status != STORE_RUN_FAILURE && parent->status != STORE_RUN_CANCELED)
    return run_fail(err, RUN_ERR_INVALID, "%s", NOT_FAILED);
  /* The parent's events and what is read from them are scratch: the keys
   * returned are the plan's. */
  arena *scratch = arena_new(0);
  int rc = -1;
  store_event *ev;
  size_t n_ev;
  if (!read_events(s, parent->run_id, scratch, &ev, &n_ev, err))
    goto out;
  past_steps past = {0};
  read_past(ev, n_ev, scratch, &past);
  strmap selected = {0};
  bool has_selection = strings_into(&selected, scratch, parent->step_keys_to_execute) > 0;
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
      strmap_put(&retry, scratch, st->key, PRESENT);
      out[(*n)++] = st->key;
    }
  }
  /* Dagster's order: the parent's state, its ancestors', then the count. */
  if (run_check_ancestors(s, parent, err) != 0)
    goto out;
  if (*n == 0) {
    run_fail(err, RUN_ERR_INVALID, "%s", RUN_NOTHING_TO_RETRY);
    goto out;
  }
  *keys = out;
  rc = 0;
out:
  if (rc != 0)
    *n = 0;
  arena_free(scratch);
  return rc;
}

const char *run_reexecution_error_class(const run_error *err) {
  if (err->code == RUN_ERR_NOT_FOUND)
    return "DagsterRunNotFoundError";
  if (err->code != RUN_ERR_INVALID)
    return NULL;
  if (strcmp(err->message, RUN_NOTHING_TO_RETRY) == 0)
    return "DagsterInvalidSubsetError";
  if (strcmp(err->message, NOT_FAILED) == 0)
    return "DagsterInvariantViolationError";
  return NULL;
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
      "dagster/root_run_id",        RUN_TAG_WORKER_HOST, /* dagd's: the child is launched anew */
  };
  for (size_t i = 0; i < sizeof dropped / sizeof *dropped; i++)
    if (strcmp(key, dropped[i]) == 0)
      return true;
  return false;
}

static bool system_tag(const char *key) {
  return strncmp(key, "dagster/", 8) == 0 || strncmp(key, ".dagster/", 9) == 0;
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

int run_create_reexecution(run_instance *inst, const run_reexecution *req, char run_id[37],
                           run_error *err) {
  const store_run *parent = req->parent;
  arena *a = arena_new(0);
  int rc = -1;
  json_t *cfg = NULL;
  const char *const *keys = NULL;
  size_t n_keys = 0;
  if (req->strategy == RUN_REEXECUTE_FROM_FAILURE &&
      run_steps_from_failure(inst->store, parent, defs_plan_build(req->job, a), a, &keys, &n_keys,
                             err) != 0)
    goto out;
  if (!(cfg = parent_config(parent, err)))
    goto out;
  /* The parent's tags: a user's go through run_create's checks (over the
   * job's), the system ones it refuses from callers are passed as such. */
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
      .system_tags = system,
      .n_system_tags = n_system,
      .parent_run_id = parent->run_id,
      .root_run_id = parent->root_run_id ? parent->root_run_id : parent->run_id,
      .step_keys = keys,
      .n_step_keys = n_keys,
  };
  if (run_create(inst, &nr, run_id, err) != 0)
    goto out;
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
  const char *missing; /* where the chain broke, or NULL */
};

static const char *output_key(arena *a, const char *step_key, const char *output) {
  return arena_printf(a, "%s\x1f%s", step_key, output);
}

/* Adds the ancestor r with the outputs its events show it produced (the
 * events read into scratch; only the keys go into the lineage's arena). */
typedef struct lineage_load {
  store *s;
  run_lineage *l;
} lineage_load;

static bool add_ancestor(void *ctx, const store_run *r, arena *scratch, run_error *err) {
  const lineage_load *load = ctx;
  run_lineage *l = load->l;
  store_event *ev;
  size_t n;
  if (!read_events(load->s, r->run_id, scratch, &ev, &n, err))
    return false;
  l->runs = arena_grow(l->a, l->runs, &l->cap, l->n, sizeof *l->runs);
  ancestor *anc = &l->runs[l->n++];
  memset(anc, 0, sizeof *anc);
  anc->run_id = arena_strdup(l->a, r->run_id);
  for (size_t i = 0; i < n; i++) {
    if (!ev[i].step_key || !is_type(&ev[i], "STEP_OUTPUT") || !ev[i].body)
      continue;
    json_t *b = json_parse_text(ev[i].body, strlen(ev[i].body), NULL, 0);
    const char *name = json_string_value(json_object_get(b, "outputName"));
    if (name)
      strmap_put(&anc->produced, l->a, output_key(l->a, ev[i].step_key, name), PRESENT);
    json_decref(b);
  }
  return true;
}

run_lineage *run_lineage_load(store *s, const store_run *run, arena *a, run_error *err) {
  run_lineage *l = arena_calloc(a, sizeof *l);
  l->a = a;
  char missing[37];
  lineage_load load = {s, l};
  if (walk_ancestors(s, run, add_ancestor, &load, missing, err) != 0)
    return NULL;
  if (missing[0])
    l->missing = arena_strdup(a, missing);
  return l;
}

const char *run_lineage_missing(const run_lineage *l) { return l ? l->missing : NULL; }

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
