/* worker.c — the run worker (worker.h): executes one run's steps as op
 * processes and records what happens as Dagster's events.
 *
 * One loop drives everything: it starts the steps whose upstream steps
 * succeeded (at most max_concurrent at once, in plan order), abandons the
 * ones whose upstream failed, and every ~100 ms (or at once on SIGCHLD)
 * reads the ops' DAGD_EVENTS files, reaps ended processes, enforces
 * timeouts and grace periods and starts retries whose delay is over.
 * SIGCHLD, SIGTERM and SIGINT are blocked and read from a signalfd, so
 * nothing happens inside a signal handler; the run's status is polled
 * every 500 ms so a termination requested through storage (RUN_CANCELING,
 * mark-as-canceled, deletion) is noticed too. The loop ends only when no
 * op process is left, whatever the path; then whatever escaped an op's
 * process group (setsid) is killed, since the worker, a subreaper while
 * ops run, has inherited it.
 *
 * A worker first claims its run in storage (its pid becomes the run's
 * worker), so two workers never execute one run. The run's last event is
 * retried until it is recorded or storage has clearly failed: no run
 * stays STARTED because of its worker.
 *
 * Values travel between ops as files: an output is the file the op wrote,
 * an input the path of the upstream output's file. dagd never reads the
 * values, so the type checks it reports are Dagster's check for Any (the
 * label, as in Dagster, is the input's or output's name). */
#define _GNU_SOURCE /* sysconf(_SC_NPROCESSORS_ONLN) */
#include "run/worker.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/fs.h"
#include "base/json.h"
#include "base/strmap.h"
#include "defs/config.h"
#include "defs/plan.h"
#include "defs/run_config.h"
#include "defs/selection.h"
#include "run/compute_logs.h"
#include "run/events.h"
#include "run/op_events.h"
#include "run/reexecute.h"
#include "run/run_internal.h"
#include "run/step.h"

extern char **environ;

#define TICK_MS 100 /* how often running ops are looked at */
#define STATUS_POLL_SECONDS 0.5
#define STDERR_LINES 20 /* stderr lines in a step failure's stack */
#define IO_MANAGER "io_manager"
#define INPUTS_DIR "inputs.d" /* under a step's folder; no output name has a '.' */
#define FINAL_TRIES 5         /* writes of the run's last event before giving up */
#define FINAL_BACKOFF 0.05    /* seconds before the first retry; doubled each time */

typedef enum step_state {
  STEP_PENDING,    /* waiting for upstream steps */
  STEP_RUNNING,    /* an attempt's process is running (or being reaped) */
  STEP_RETRY_WAIT, /* failed, to be retried at retry_at */
  STEP_SUCCEEDED,
  STEP_FAILED,
  STEP_ABANDONED,    /* an upstream step failed or was abandoned */
  STEP_DROPPED,      /* pending or waiting for a retry when the run was interrupted */
  STEP_NOT_SELECTED, /* outside the run's step selection: an earlier run has its outputs */
} step_state;

/* Why a running attempt was signalled. */
typedef enum stop_reason { STOP_NONE, STOP_TIMEOUT, STOP_INTERRUPT } stop_reason;

typedef struct step_run {
  const defs_step *step;
  step_state state;
  int attempt; /* 0 for the first */
  pid_t pid;   /* the attempt's process (= its process group) */
  bool reaped;
  int status;
  double started;  /* monotonic time the attempt started */
  double deadline; /* monotonic: the op's timeout (0: none) */
  double kill_at;  /* monotonic: SIGKILL the group then (0: not scheduled) */
  bool killed;
  stop_reason stop;
  double retry_at;
  const char *dir, *events_path, *stdout_path, *stderr_path;
  int64_t stderr_from; /* where this attempt's stderr starts */
  run_op_events_tail tail;
  bool events_refused;    /* DAGD_EVENTS could not be read: warned once */
  json_t *output_entries; /* output name → metadata entries the op reported */
  /* Per input of the step, the files of its sources as the attempt's
   * environment named them (LOADED_INPUT reports them). */
  const char ***input_paths;
} step_run;

typedef struct worker {
  run_instance *inst;
  store *s;
  const char *run_id;
  const store_run *run; /* as read when claimed */
  const char *job_name;
  arena *a;
  defs_definitions *defs;
  const defs_job *job;
  const defs_plan *plan;
  json_t *config; /* the resolved run config */
  /* The run's step selection (step_keys_to_execute); none: every step. */
  bool has_selection;
  strmap selected;
  run_lineage *lineage; /* the runs up the parent chain, for unselected steps' outputs */
  bool multiprocess;
  int max_concurrent;
  step_run *steps; /* one per plan step, in plan order */
  size_t n_running;
  int sigfd;
  bool interrupted; /* termination requested: stop everything */
  const char *interrupt_why;
  bool quiet;   /* the run is CANCELED or deleted: record nothing more */
  bool deleted; /* the run is gone from storage: its files go too */
  double next_poll;
  json_t *failed_keys; /* the steps that failed, in order */
  char **base_env;     /* what every op's environment starts from */
  pid_t *own_children; /* the caller's children before the run: not ours to kill */
  size_t n_own_children;
  char end_error[1024]; /* why the last event could not be recorded */
} worker;

static char *fmt(worker *w, const char *f, ...) __attribute__((format(printf, 2, 3)));
static char *fmt(worker *w, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char *s = arena_vprintf(w->a, f, ap);
  va_end(ap);
  return s;
}

static void sleep_seconds(double seconds) {
  struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* Records an event (body stolen); false when it could not be written. A
 * lost event in the middle of a run is dropped (the run goes on: its end
 * is what matters to whoever watches it); the end goes through
 * emit_final. Nothing is written, and that counts as done, once the run
 * is CANCELED or deleted. */
static bool emit_at(worker *w, const char *type, int level, const char *step_key,
                    const char *message, json_t *body) {
  if (w->quiet) {
    json_decref(body);
    return true;
  }
  store_error e;
  return run_event(w->s, w->run_id, type, level, step_key, message, body, &e) > 0;
}

static bool emit(worker *w, const char *type, const char *step_key, const char *message,
                 json_t *body) {
  return emit_at(w, type, run_event_level(type), step_key, message, body);
}

static int run_status(worker *w);

/* Records the event that ends the run (RUN_SUCCESS, RUN_FAILURE,
 * RUN_CANCELED; body stolen): without it the run would stay STARTED for
 * good, so a failed write (a database busy with another writer) is tried
 * again a few times, with a growing pause, unless the run turns out to be
 * canceled or deleted meanwhile (then there is nothing to record). False,
 * with the storage error in w->end_error, when every try failed. */
static bool emit_final(worker *w, const char *type, const char *message, json_t *body) {
  store_error e = {{0}};
  bool ok = w->quiet;
  double pause = FINAL_BACKOFF;
  for (int i = 0; i < FINAL_TRIES && !ok; i++, pause *= 2) {
    if (i > 0)
      sleep_seconds(pause);
    ok = run_event(w->s, w->run_id, type, run_event_level(type), NULL, message, json_incref(body),
                   &e) > 0;
    if (!ok) {
      run_status(w);
      ok = w->quiet;
    }
  }
  json_decref(body);
  if (!ok)
    snprintf(w->end_error, sizeof w->end_error, "Could not record %s of run %s: %s", type,
             w->run_id, e.message);
  return ok;
}

/* ---- texts Dagster writes ---- */

/* Dagster's format_duration (dagster/_utils/timing.py). */
static void format_duration(double ms, buf *out) {
  char num[32], rounded[32];
  if (ms < 60000) {
    bool small = ms < 10;
    if (!small && ms < 1000) {
      buf_printf(out, "%dms", (int)ms);
      return;
    }
    /* Python's round(x, 2), printed as repr() does. */
    snprintf(rounded, sizeof rounded, "%.2f", small ? ms : ms / 1000);
    json_format_double(strtod(rounded, NULL), num);
    buf_printf(out, "%s%s", num, small ? "ms" : "s");
  } else if (ms < 3600000) {
    buf_printf(out, "%dm%ds", (int)(ms / 60000), (int)fmod(ms, 60000) / 1000);
  } else {
    buf_printf(out, "%dh%dm", (int)(ms / 3600000), (int)fmod(ms, 3600000) / 60000);
  }
}

/* A Python repr of the list of strings (e.g. "['a', 'b']"), in the arena. */
static const char *py_list(worker *w, const json_t *strings) {
  buf out;
  buf_init(&out, w->a);
  defs_config_py_repr(strings, &out);
  return buf_cstr(&out);
}

/* A Text metadata entry. */
static json_t *text_entry(const char *label, const char *text) {
  json_t *v = json_string(text);
  json_t *e = run_metadata_entry(label, v);
  json_decref(v);
  return e;
}

/* An ENGINE_EVENT body: metadata entries (stolen), optional markers. */
static json_t *engine_body(json_t *entries, const char *marker_start, const char *marker_end) {
  json_t *b = json_object();
  json_object_set_new(b, "metadataEntries", entries ? entries : json_array());
  if (marker_start)
    json_object_set_new(b, "markerStart", json_string(marker_start));
  if (marker_end)
    json_object_set_new(b, "markerEnd", json_string(marker_end));
  return b;
}

/* Whether the run executes the step (its step selection names it, or it
 * has none). */
static bool executes(const worker *w, const defs_step *st) {
  return !w->has_selection || strmap_get(&w->selected, st->key);
}

/* Dagster's EngineEventData.in_process / multiprocess metadata: the pid,
 * and the steps to execute when given. */
static json_t *pid_entries(worker *w, bool with_steps) {
  json_t *entries = json_array();
  char pid[32];
  snprintf(pid, sizeof pid, "%ld", (long)getpid());
  json_array_append_new(entries, text_entry("pid", pid));
  if (with_steps) {
    json_t *keys = json_array();
    for (size_t i = 0; i < w->plan->n_steps; i++)
      if (executes(w, &w->plan->steps[i]))
        json_array_append_new(keys, json_string(w->plan->steps[i].key));
    json_array_append_new(entries, text_entry("step_keys", py_list(w, keys)));
    json_decref(keys);
  }
  return entries;
}

/* ---- files ---- */

static bool write_file(const char *path, const char *data, size_t n) {
  FILE *f = fopen(path, "wbe");
  if (!f)
    return false;
  bool ok = fwrite(data, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

/* Whether an output was written: a regular file (a folder or a FIFO the
 * op made there is not a value). */
static bool file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int64_t file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (int64_t)st.st_size : 0;
}

/* ---- preparing the run ---- */

static void release_defs(void *d) { defs_definitions_release(d); }
static void free_registry(void *r) { defs_config_registry_free(r); }
static void decref(void *v) { json_decref(v); }

/* The run config to validate: the stored one, with the job's executor
 * setting when it names no executor itself. A job's `execution` lives in
 * its base run config (run_config.h) and the executor is part of the
 * job's identity, as Dagster's executor_def is, so a run launched with a
 * config of its own still runs with the job's executor. */
static json_t *run_config_of(worker *w, const store_run *run, buf *why) {
  json_t *cfg;
  if (run->run_config && run->run_config[0]) {
    char perr[160];
    cfg = json_parse_text(run->run_config, strlen(run->run_config), perr, sizeof perr);
    if (!cfg) {
      buf_printf(why, "The stored run config is not valid JSON: %s", perr);
      return NULL;
    }
    if (json_is_null(cfg)) {
      json_decref(cfg);
      cfg = json_object();
    }
  } else {
    cfg = json_object();
  }
  if (json_is_object(cfg) && !json_object_get(cfg, "execution")) {
    json_t *base = defs_job_base_run_config(w->job);
    json_object_set(cfg, "execution", json_object_get(base, "execution"));
    json_decref(base);
  }
  return cfg;
}

/* The strings of one of the run's selections (JSON array text: its op
 * selection's queries, its step keys); false with the reason (naming the
 * selection as `what`) when it is not an array of strings. */
static bool selection_of(worker *w, const char *text, const char *what, const char ***queries,
                         size_t *n, buf *why) {
  json_t *v = json_parse_text(text, strlen(text), NULL, 0);
  size_t count = json_array_size(v);
  *queries = arena_alloc(w->a, (count + 1) * sizeof **queries);
  *n = 0;
  for (size_t i = 0; i < count; i++) {
    const char *q = json_string_value(json_array_get(v, i));
    if (!q)
      break;
    (*queries)[(*n)++] = arena_strdup(w->a, q);
  }
  bool ok = json_is_array(v) && *n == count;
  if (!ok)
    buf_printf(why, "The run's %s is not a list of strings: %s", what, text);
  json_decref(v);
  return ok;
}

/* The executor and its concurrency, from the resolved config's
 * execution.config: {in_process: …} or {multiprocess: {max_concurrent}}. */
static void executor_of(worker *w) {
  const json_t *ex = json_object_get(json_object_get(w->config, "execution"), "config");
  const json_t *multi = json_object_get(ex, "multiprocess");
  w->multiprocess = !json_object_get(ex, "in_process");
  w->max_concurrent = 1;
  if (w->multiprocess) {
    json_int_t n = json_integer_value(json_object_get(multi, "max_concurrent"));
    if (n <= 0) /* Dagster: 0 or absent means multiprocessing.cpu_count() */
      n = sysconf(_SC_NPROCESSORS_ONLN);
    w->max_concurrent = n > 0 ? (n > 100000 ? 100000 : (int)n) : 1;
  }
}

/* The run's step selection (step_keys_to_execute): every key must be a
 * step of the plan (Dagster's DagsterExecutionStepNotFoundError
 * otherwise). The runs up the parent chain are read then, for the outputs
 * of the steps left out. An empty selection selects every step. */
static bool select_steps(worker *w, const store_run *run, buf *why, const char **class_name) {
  if (!run->step_keys_to_execute)
    return true;
  const char **keys;
  size_t n;
  if (!selection_of(w, run->step_keys_to_execute, "step selection", &keys, &n, why))
    return false;
  buf unknown;
  buf_init(&unknown, w->a);
  size_t n_unknown = 0;
  for (size_t i = 0; i < n; i++) {
    if (defs_plan_step(w->plan, keys[i]))
      strmap_put(&w->selected, w->a, keys[i], "");
    else
      buf_printf(&unknown, "%s%s", n_unknown++ ? ", " : "", keys[i]);
  }
  if (n_unknown) {
    *class_name = "DagsterExecutionStepNotFoundError";
    buf_printf(why, "Can not build subset plan from unknown step%s: %s", n_unknown > 1 ? "s" : "",
               buf_cstr(&unknown));
    return false;
  }
  w->has_selection = n > 0;
  if (!w->has_selection)
    return true;
  run_error err = {0};
  w->lineage = run_lineage_load(w->s, run, w->a, &err);
  if (!w->lineage) {
    buf_puts(why, err.message);
    return false;
  }
  return true;
}

/* Loads the job from the run's snapshot, applies the op selection,
 * resolves the run config and builds the plan; false with a message (and
 * the class name of the error) when the run cannot start. */
static bool prepare(worker *w, const store_run *run, buf *why, const char **class_name) {
  *class_name = "dagd.JobInitializationError";
  const char *sid = run->snapshot_id ? run->snapshot_id : "";
  store_error se = {{0}};
  size_t len = 0;
  char *text = store_snapshot_get(w->s, sid, w->a, &len, &se);
  if (!text) {
    if (se.message[0])
      buf_printf(why, "Could not read the job snapshot %s: %s", sid, se.message);
    else
      buf_printf(why, "The job snapshot %s of the run is missing from storage.", sid);
    return false;
  }
  buf derr;
  buf_init(&derr, w->a);
  w->defs = defs_load_text(fmt(w, "snapshot %s", sid), text, len, &derr);
  if (!w->defs) {
    buf_printf(why, "The job snapshot %s could not be loaded:\n%s", sid, buf_cstr(&derr));
    return false;
  }
  arena_defer(w->a, release_defs, w->defs);
  w->job = defs_find_job(w->defs, run->job_name);
  if (!w->job) {
    buf_printf(why, "The job snapshot %s holds no job \"%s\".", sid, run->job_name);
    return false;
  }
  if (run->op_selection) {
    const char **queries;
    size_t n;
    if (!selection_of(w, run->op_selection, "op selection", &queries, &n, why))
      return false;
    const defs_job *subset = defs_job_subset(w->job, queries, n, w->a, &derr);
    if (!subset) {
      buf_printf(why, "The run's op selection does not apply to the job: %s", buf_cstr(&derr));
      return false;
    }
    w->job = subset;
  }
  json_t *cfg = run_config_of(w, run, why);
  if (!cfg)
    return false;
  arena_defer(w->a, decref, cfg);
  defs_config_registry *reg = defs_config_registry_new();
  arena_defer(w->a, free_registry, reg);
  defs_config_errors errs;
  defs_config_errors_init(&errs, w->a);
  w->config = defs_job_validate_run_config(reg, w->defs, w->job, cfg, &errs, &derr);
  if (!w->config) {
    /* Dagster's DagsterInvalidConfigError text. */
    *class_name = "DagsterInvalidConfigError";
    buf_printf(why, "Error in config for job %s", w->job->name);
    for (size_t i = 0; i < errs.count; i++)
      buf_printf(why, "\n    Error %zu: %s", i + 1, errs.items[i].message);
    if (derr.len)
      buf_printf(why, "\n    %s", buf_cstr(&derr));
    return false;
  }
  arena_defer(w->a, decref, w->config);
  executor_of(w);
  w->plan = defs_plan_build(w->job, w->a);
  return select_steps(w, run, why, class_name);
}

/* RUN_FAILURE for a run that could not start, tagged
 * JOB_INITIALIZATION_FAILURE, with Dagster's message; false (reason in
 * w->end_error) when it could not be recorded. */
static bool fail_initialization(worker *w, const char *class_name, const char *why) {
  store_tag tag = {RUN_TAG_FAILURE_REASON, "JOB_INITIALIZATION_FAILURE"};
  store_error e;
  store_run_add_tags(w->s, w->run_id, &tag, 1, &e);
  json_t *body = json_object();
  json_object_set_new(body, "error", run_error_json(class_name, why, NULL, 0));
  return emit_final(
      w, "RUN_FAILURE",
      fmt(w,
          "Execution of run for \"%s\" failed. Failure during initialization for job \"%s\". "
          "This may be due to a failure in initializing the executor or one of the loggers.",
          w->job_name, w->job_name),
      body);
}

/* ---- step values ---- */

/* The value at the keys of path under the resolved config (NULL: absent). */
static const json_t *config_at(const json_t *config, const char *const *path, size_t n) {
  const json_t *v = config;
  for (size_t i = 0; i < n && v; i++)
    v = json_object_get(v, path[i]);
  return v;
}

/* The op node's config (ops.<outer>.ops.<inner>.config), compact JSON;
 * "{}" when it has none. */
static const char *op_config_json(worker *w, const defs_step *st) {
  const json_t *v = w->config;
  for (size_t i = 0; i < st->depth && v; i++)
    v = json_object_get(json_object_get(v, "ops"), st->path[i]->name);
  v = json_object_get(v, "config");
  if (!v || json_is_null(v))
    return "{}";
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  char *copy = arena_strdup(w->a, s ? s : "{}");
  free(s);
  return copy;
}

/* The value an input gets from run config, resolving Dagster's loader
 * forms along the type (defs_type_loader_schema): a scalar is given as
 * itself or as {"value": v}, Any only as {"value": v}, either also as
 * {"json": {"path": p}} (the JSON file at p) — {"pickle": …} is Python's
 * and refused; a list item by item, a nullable as null or its inner form.
 * A new reference, or NULL with the reason in why. */
static json_t *loaded_value(const defs_type *t, const json_t *v, buf *why) {
  if (t->kind == DEFS_TYPE_NULLABLE) {
    if (!v || json_is_null(v))
      return json_null();
    return loaded_value(t->inner, v, why);
  }
  if (t->kind == DEFS_TYPE_LIST) {
    json_t *out = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) {
      json_t *x = loaded_value(t->inner, item, why);
      if (!x) {
        json_decref(out);
        return NULL;
      }
      json_array_append_new(out, x);
    }
    return out;
  }
  if (!json_is_object(v))
    return v ? json_incref((json_t *)v) : json_null();
  const json_t *value = json_object_get(v, "value");
  if (value)
    return json_incref((json_t *)value);
  const char *path = json_string_value(json_object_get(json_object_get(v, "json"), "path"));
  if (path) {
    json_error_t je;
    json_t *loaded = json_load_file(path, JSON_DECODE_ANY, &je);
    if (!loaded)
      buf_printf(why, "could not load the JSON file %s: %s", path, je.text);
    return loaded;
  }
  if (json_object_get(v, "pickle"))
    buf_puts(why, "pickle files are Python's: dagd cannot load them (use \"value\" or \"json\")");
  else
    buf_puts(why, "the config value is none of Dagster's input forms (value, json)");
  return NULL;
}

/* The file an input from run config is passed in: a JSON string's text as
 * it is (so a String input reads like an output an op wrote), anything
 * else as compact JSON. False with the reason in why. */
static bool write_config_input(const defs_step_input *in, const json_t *config, const char *path,
                               buf *why) {
  const json_t *raw = config_at(config, in->config_path, in->config_path_len);
  json_t *v = loaded_value(in->input->type, raw, why);
  if (!v)
    return false;
  bool ok;
  if (json_is_string(v)) {
    ok = write_file(path, json_string_value(v), json_string_length(v));
  } else {
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    ok = s && write_file(path, s, strlen(s));
    free(s);
  }
  json_decref(v);
  if (!ok)
    buf_printf(why, "could not write %s: %s", path, strerror(errno));
  return ok;
}

static const char *run_output_path(worker *w, const char *run_id, const defs_step *st,
                                   const char *output) {
  return fmt(w, "%s/%s/%s/%s", w->inst->artifacts_dir, run_id, st->key, output);
}

static const char *output_path(worker *w, const defs_step *st, const char *output) {
  return run_output_path(w, w->run_id, st, output);
}

/* The file of an upstream output: this run's, or, for a step the run does
 * not execute, the one of the nearest run up the parent chain that
 * produced it (Dagster's PastExecutionState). NULL with the reason in why
 * when no run did, or its file is gone. */
static const char *source_path(worker *w, const defs_step_source *src, buf *why) {
  const char *step = src->step->key, *output = src->output->name;
  if (executes(w, src->step))
    return output_path(w, src->step, output);
  const char *producer = run_lineage_producer(w->lineage, step, output);
  if (!producer) {
    const char *runs = run_lineage_describe(w->lineage, w->a);
    const char *missing = run_lineage_missing(w->lineage);
    const char *reason = missing && *runs
                             ? fmt(w,
                                   "none of the runs it re-executes produced it (%s), and run %s "
                                   "further up its lineage no longer exists",
                                   runs, missing)
                         : missing ? fmt(w, "run %s of its lineage no longer exists", missing)
                         : *runs ? fmt(w, "none of the runs it re-executes produced it (%s)", runs)
                                 : "this run re-executes no run";
    buf_printf(why,
               "output \"%s\" of step \"%s\" comes from an earlier run (this run does not execute "
               "the step), but %s",
               output, step, reason);
    return NULL;
  }
  const char *path = run_output_path(w, producer, src->step, output);
  if (!file_exists(path)) {
    buf_printf(why, "output \"%s\" of step \"%s\" was produced by run %s, but its file %s is gone",
               output, step, producer, path);
    return NULL;
  }
  return path;
}

/* Dagster's metadata of a file IO manager's value: {"path": path}. */
static json_t *path_entries(const char *path) {
  json_t *entries = json_array();
  json_t *p = json_pack("{s:s, s:s}", "type", "path", "value", path);
  json_array_append_new(entries, run_metadata_entry("path", p));
  json_decref(p);
  return entries;
}

/* ---- step events ---- */

static json_t *loaded_input_body(const char *input, const defs_step_source *src, const char *path) {
  json_t *b = json_object();
  json_object_set_new(b, "inputName", json_string(input));
  json_object_set_new(b, "managerKey", json_string(IO_MANAGER));
  json_object_set_new(b, "upstreamOutputName", json_string(src->output->name));
  json_object_set_new(b, "upstreamStepKey", json_string(src->step->key));
  json_object_set_new(b, "metadataEntries", path ? path_entries(path) : json_array());
  return b;
}

/* LOADED_INPUT (per upstream output, with the path its value was read
 * from, which names the run that produced it) and STEP_INPUT for every
 * input that carries a value, as Dagster loads inputs after STEP_START. */
static void emit_inputs(worker *w, const step_run *r) {
  const defs_step *st = r->step;
  for (size_t i = 0; i < st->n_inputs; i++) {
    const defs_step_input *in = &st->inputs[i];
    const char *name = in->input->name;
    if (in->input->type->kind == DEFS_TYPE_NOTHING)
      continue;
    for (size_t j = 0; j < in->n_sources; j++)
      emit(w, "LOADED_INPUT", st->key,
           fmt(w,
               "Loaded input \"%s\" using input manager \"" IO_MANAGER
               "\", from output \"%s\" of step \"%s\"",
               name, in->sources[j].output->name, in->sources[j].step->key),
           loaded_input_body(name, &in->sources[j], r->input_paths[i][j]));
    json_t *b = json_object();
    json_object_set_new(b, "inputName", json_string(name));
    json_object_set_new(b, "typeCheck", run_type_check_json(name));
    emit(w, "STEP_INPUT", st->key,
         fmt(w, "Got input \"%s\" of type \"%s\". (Type check passed).", name,
             in->input->type->name),
         b);
  }
}

/* The op's own events, as they are read. */
static void on_op_event(void *ctx, run_op_event *ev);

typedef struct event_ctx {
  worker *w;
  step_run *r;
} event_ctx;

/* Reads what the op appended to DAGD_EVENTS. A file that cannot be read
 * (not a regular file: a FIFO, a link to a device) is warned about once
 * and left alone. */
static void read_op_events(worker *w, step_run *r, bool final) {
  if (r->events_refused)
    return;
  event_ctx c = {w, r};
  if (run_op_events_tail_read(&r->tail, final, on_op_event, &c))
    return;
  const char *why = errno == EINVAL ? "it is not a regular file" : strerror(errno);
  r->events_refused = true;
  emit_at(w, NULL, RUN_LEVEL_WARNING, r->step->key,
          fmt(w, "Ignored the events of op \"%s\" (DAGD_EVENTS): %s: %s", r->step->node->op->name,
              r->events_path, why),
          NULL);
}

static void on_op_event(void *ctx, run_op_event *ev) {
  worker *w = ((event_ctx *)ctx)->w;
  step_run *r = ((event_ctx *)ctx)->r;
  const defs_op *op = r->step->node->op;
  const char *key = r->step->key;
  switch (ev->kind) {
  case RUN_OP_EVENT_LOG:
    emit_at(w, NULL, ev->level, key, buf_cstr(&ev->message), NULL);
    return;
  case RUN_OP_EVENT_MATERIALIZATION:
    emit(w, "ASSET_MATERIALIZATION", key, buf_cstr(&ev->message), ev->body);
    ev->body = NULL;
    return;
  case RUN_OP_EVENT_OUTPUT_METADATA:
    if (defs_op_output(op, ev->output)) {
      json_t *list = json_object_get(r->output_entries, ev->output);
      if (!list)
        json_object_set_new(r->output_entries, ev->output, list = json_array());
      json_array_extend(list, ev->entries);
      return;
    }
    buf_truncate(&ev->message, 0);
    buf_printf(&ev->message, "metadata for output \"%s\", which op \"%s\" does not have",
               ev->output, op->name);
    break;
  case RUN_OP_EVENT_INVALID:
    break;
  }
  emit_at(w, NULL, RUN_LEVEL_WARNING, key,
          fmt(w, "Ignored line %zu of the events of op \"%s\" (DAGD_EVENTS): %s", ev->line,
              op->name, buf_cstr(&ev->message)),
          NULL);
}

/* ---- ending steps ---- */

static const char *op_label(worker *w, const step_run *r) {
  return fmt(w, "Op \"%s\" (step \"%s\")", r->step->node->op->name, r->step->key);
}

/* A step error: class and message, the attempt's last stderr lines as its
 * stack. A new reference. */
static json_t *step_error(worker *w, const step_run *r, const char *class_name,
                          const char *message) {
  size_t n = 0;
  const char **lines = NULL;
  if (r->pid > 0)
    lines = run_step_tail_lines(r->stderr_path, r->stderr_from, STDERR_LINES, w->a, &n);
  return run_error_json(class_name, message, lines, n);
}

static void mark_failed(worker *w, step_run *r, json_t *error, const char *source) {
  json_t *b = json_object();
  json_object_set_new(b, "error", error);
  json_object_set_new(b, "errorSource", json_string(source));
  json_array_append_new(w->failed_keys, json_string(r->step->key));
  r->state = STEP_FAILED;
  emit(w, "STEP_FAILURE", r->step->key, fmt(w, "Execution of step \"%s\" failed.", r->step->key),
       b);
}

/* A failed attempt (error stolen): retried while the op's retry policy
 * allows, else the step fails. Dagster's retry policy turns the error
 * into "Exceeded max_retries" with the op's error as its cause. */
static void attempt_failed(worker *w, step_run *r, json_t *error) {
  const defs_op *op = r->step->node->op;
  if (r->attempt < op->max_retries && !w->interrupted) {
    double delay = op->retry_delay > 0 ? op->retry_delay : 0;
    json_t *b = json_object();
    json_object_set_new(b, "error", error);
    /* GraphQL's secondsToWait is an Int: whole seconds, rounded up. */
    json_object_set_new(b, "secondsToWait", json_integer((json_int_t)ceil(delay)));
    char secs[32] = "";
    if (delay > 0)
      json_format_double(delay, secs);
    emit(w, "STEP_UP_FOR_RETRY", r->step->key,
         fmt(w, "Execution of step \"%s\" failed and has requested a retry%s%s%s.", r->step->key,
             delay > 0 ? " in " : "", secs, delay > 0 ? " seconds" : ""),
         b);
    r->state = STEP_RETRY_WAIT;
    r->retry_at = clock_mono() + delay;
    r->attempt++;
    return;
  }
  if (op->max_retries > 0) {
    json_t *outer = run_error_json(
        "RetryRequested", fmt(w, "Exceeded max_retries of %d\n", op->max_retries), NULL, 0);
    json_object_set_new(outer, "cause", error);
    error = outer;
  }
  mark_failed(w, r, error, "USER_CODE_ERROR");
}

/* After exit 0: every output file is there (an optional one — Any,
 * Nullable, Nothing — is created empty, Dagster's None), then
 * STEP_OUTPUT and HANDLED_OUTPUT per output and STEP_SUCCESS. */
static void attempt_succeeded(worker *w, step_run *r, double ms) {
  const defs_op *op = r->step->node->op;
  const char *key = r->step->key;
  bool *none = arena_calloc(w->a, (op->n_outputs + 1) * sizeof *none);
  for (size_t i = 0; i < op->n_outputs; i++) {
    const defs_io *o = &op->outputs[i];
    const char *path = output_path(w, r->step, o->name);
    if (file_exists(path))
      continue;
    defs_type_kind k = o->type->kind;
    if (k == DEFS_TYPE_ANY || k == DEFS_TYPE_NULLABLE || k == DEFS_TYPE_NOTHING) {
      none[i] = write_file(path, "", 0);
      if (none[i])
        continue;
    }
    attempt_failed(w, r,
                   step_error(w, r, "dagd.OpOutputError",
                              fmt(w,
                                  "%s exited with status 0 but did not write output \"%s\" (the "
                                  "file named by DAGD_OUTPUT_%s).",
                                  op_label(w, r), o->name, o->name)));
    return;
  }
  for (size_t i = 0; i < op->n_outputs; i++) {
    const defs_io *o = &op->outputs[i];
    json_t *entries = json_object_get(r->output_entries, o->name);
    json_t *b = json_object();
    json_object_set_new(b, "outputName", json_string(o->name));
    json_object_set_new(b, "typeCheck", run_type_check_json(o->name));
    json_object_set_new(b, "metadataEntries", entries ? json_incref(entries) : json_array());
    emit(w, "STEP_OUTPUT", key,
         fmt(w, "Yielded output \"%s\" of type \"%s\". (Type check passed).", o->name,
             o->type->name),
         b);
    /* Dagster's file IO managers give the path, except for None. */
    json_t *handled = none[i] ? json_array() : path_entries(output_path(w, r->step, o->name));
    b = json_object();
    json_object_set_new(b, "outputName", json_string(o->name));
    json_object_set_new(b, "managerKey", json_string(IO_MANAGER));
    json_object_set_new(b, "metadataEntries", handled);
    emit(w, "HANDLED_OUTPUT", key,
         fmt(w, "Handled output \"%s\" using IO manager \"" IO_MANAGER "\"", o->name), b);
  }
  buf d;
  buf_init(&d, w->a);
  format_duration(ms, &d);
  r->state = STEP_SUCCEEDED;
  emit(w, "STEP_SUCCESS", key,
       fmt(w, "Finished execution of step \"%s\" in %s.", key, buf_cstr(&d)), NULL);
}

/* The attempt's process group is gone: what happened to it. */
static void finish_attempt(worker *w, step_run *r) {
  read_op_events(w, r, true);
  w->n_running--;
  double ms = (clock_mono() - r->started) * 1000;
  const defs_op *op = r->step->node->op;
  if (r->stop == STOP_INTERRUPT) {
    mark_failed(w, r,
                step_error(w, r, "dagd.OpInterruptedError",
                           fmt(w, "%s was interrupted: %s.", op_label(w, r), w->interrupt_why)),
                "INTERRUPT");
    return;
  }
  if (r->stop == STOP_TIMEOUT) {
    char secs[32];
    json_format_double(op->timeout, secs);
    attempt_failed(
        w, r,
        step_error(w, r, "dagd.OpTimeoutError",
                   fmt(w, "%s timed out after %s seconds and was stopped.", op_label(w, r), secs)));
    return;
  }
  if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0) {
    attempt_succeeded(w, r, ms);
    return;
  }
  buf how;
  buf_init(&how, w->a);
  run_step_describe_status(r->status, &how);
  attempt_failed(
      w, r,
      step_error(w, r, "dagd.OpProcessError", fmt(w, "%s %s.", op_label(w, r), buf_cstr(&how))));
}

/* ---- starting steps ---- */

static void add_env(worker *w, const char ***env, size_t *n, size_t *cap, const char *name,
                    const char *value) {
  *env = arena_grow(w->a, *env, cap, *n, sizeof **env);
  (*env)[(*n)++] = fmt(w, "%s=%s", name, value);
}

/* The inputs' variables (writing fan-in lists and config values to
 * <dir>/INPUTS_DIR/, a name no output can have), and their sources' files
 * into r->input_paths; false with the reason in why. */
static bool input_env(worker *w, step_run *r, const char ***env, size_t *n, size_t *cap, buf *why) {
  const defs_step *st = r->step;
  const char *dir = r->dir;
  r->input_paths = arena_calloc(w->a, (st->n_inputs + 1) * sizeof *r->input_paths);
  for (size_t i = 0; i < st->n_inputs; i++) {
    const defs_step_input *in = &st->inputs[i];
    const char *name = in->input->name;
    const char *var = fmt(w, "DAGD_INPUT_%s", name);
    if (in->input->type->kind == DEFS_TYPE_NOTHING)
      continue;
    const char **paths = arena_alloc(w->a, (in->n_sources + 1) * sizeof *paths);
    r->input_paths[i] = paths;
    for (size_t j = 0; j < in->n_sources; j++) {
      if (!(paths[j] = source_path(w, &in->sources[j], why))) {
        buf_printf(why, " (input \"%s\")", name);
        return false;
      }
    }
    if (in->n_sources > 0 && !in->fan_in) {
      add_env(w, env, n, cap, var, paths[0]);
      continue;
    }
    const char *file = fmt(w, "%s/" INPUTS_DIR "/%s", dir, name);
    if (in->n_sources > 0) {
      buf list;
      buf_init(&list, w->a);
      for (size_t j = 0; j < in->n_sources; j++)
        buf_printf(&list, "%s\n", paths[j]);
      if (!write_file(file, list.data ? list.data : "", list.len)) {
        buf_printf(why, "could not write %s: %s", file, strerror(errno));
        return false;
      }
    } else if (in->config_path_len > 0) {
      if (!write_config_input(in, w->config, file, why)) {
        buf_printf(why, " (input \"%s\")", name);
        return false;
      }
    } else {
      continue;
    }
    add_env(w, env, n, cap, var, file);
  }
  return true;
}

/* The op's whole environment: the worker's, the op's `env`, then the op
 * protocol's variables (which win). NULL with the reason in why. */
static char **step_environment(worker *w, step_run *r, buf *why) {
  const defs_step *st = r->step;
  const defs_op *op = st->node->op;
  const char **env = NULL;
  size_t n = 0, cap = 0;
  for (size_t i = 0; i < op->n_env; i++)
    add_env(w, &env, &n, &cap, op->env[i].key, op->env[i].value);
  add_env(w, &env, &n, &cap, "DAGD_RUN_ID", w->run_id);
  add_env(w, &env, &n, &cap, "DAGD_JOB_NAME", w->job_name);
  add_env(w, &env, &n, &cap, "DAGD_STEP_KEY", st->key);
  add_env(w, &env, &n, &cap, "DAGD_OP_CONFIG", op_config_json(w, st));
  add_env(w, &env, &n, &cap, "DAGD_EVENTS", r->events_path);
  add_env(w, &env, &n, &cap, "DAGD_RETRY_NUMBER", fmt(w, "%d", r->attempt));
  for (size_t i = 0; i < op->n_outputs; i++)
    add_env(w, &env, &n, &cap, fmt(w, "DAGD_OUTPUT_%s", op->outputs[i].name),
            output_path(w, st, op->outputs[i].name));
  for (size_t i = 0; i < op->n_required_resources; i++) {
    const char *name = op->required_resources[i];
    const json_t *c =
        json_object_get(json_object_get(json_object_get(w->config, "resources"), name), "config");
    char *text = c && !json_is_null(c) ? json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    add_env(w, &env, &n, &cap, fmt(w, "DAGD_RESOURCE_%s", name), text ? text : "{}");
    free(text);
  }
  if (!input_env(w, r, &env, &n, &cap, why))
    return NULL;
  return run_step_environ(w->base_env, env, n, w->a);
}

/* The worker's environment without the op protocol's per-op variables
 * (an op's inputs, outputs and resources are its own: a worker started
 * from inside an op must not pass that op's on). */
static char **base_environment(worker *w) {
  static const char *const own[] = {"DAGD_INPUT_", "DAGD_OUTPUT_", "DAGD_RESOURCE_"};
  size_t n = 0;
  while (environ && environ[n])
    n++;
  char **env = arena_alloc(w->a, (n + 1) * sizeof *env);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    bool skip = false;
    for (size_t j = 0; j < sizeof own / sizeof *own && !skip; j++)
      skip = strncmp(environ[i], own[j], strlen(own[j])) == 0;
    if (!skip)
      env[k++] = environ[i];
  }
  env[k] = NULL;
  return env;
}

/* Starts an attempt of the step: its files and environment, the process,
 * then LOGS_CAPTURED, STEP_START (STEP_RESTARTED for a retry) and the
 * input events. A step whose process cannot start fails that attempt. */
static void start_attempt(worker *w, step_run *r) {
  const defs_step *st = r->step;
  const defs_op *op = st->node->op;
  buf why;
  buf_init(&why, w->a);
  r->pid = -1;
  r->reaped = r->killed = false;
  r->stop = STOP_NONE;
  r->kill_at = 0;
  r->state = STEP_RUNNING;
  r->started = clock_mono();
  r->deadline = op->timeout > 0 ? r->started + op->timeout : 0;
  json_object_clear(r->output_entries);
  const char *class_name = "dagd.OpProcessError";
  char *log_dir = strdup(r->stdout_path);
  char *slash = log_dir ? strrchr(log_dir, '/') : NULL;
  if (slash)
    *slash = '\0';
  bool dirs = fs_mkdir_p(fmt(w, "%s/" INPUTS_DIR, r->dir)) && log_dir && fs_mkdir_p(log_dir);
  free(log_dir);
  char **envp = NULL;
  if (!dirs) {
    buf_printf(&why, "could not create the step's folders under %s: %s", r->dir, strerror(errno));
  } else if (!(envp = step_environment(w, r, &why))) {
    class_name = "dagd.OpInputError";
  } else {
    /* A retry must not pass off the last attempt's outputs as its own. */
    for (size_t i = 0; i < op->n_outputs; i++)
      unlink(output_path(w, st, op->outputs[i].name));
    r->stderr_from = file_size(r->stderr_path);
    run_step_command cmd = {
        .argv = op->argv,
        .shell = op->shell,
        .cwd = w->defs->working_directory,
        .envp = envp,
        .stdout_path = r->stdout_path,
        .stderr_path = r->stderr_path,
    };
    r->pid = run_step_start(&cmd, &why);
  }
  if (r->pid > 0) {
    const char *log_key = st->key;
    json_t *b = json_pack("{s:s, s:[s], s:s, s:I}", "fileKey", log_key, "stepKeys", st->key,
                          "logKey", log_key, "pid", (json_int_t)r->pid);
    emit(w, "LOGS_CAPTURED", NULL,
         fmt(w, "Started capturing logs in process (pid: %ld).", (long)r->pid), b);
  }
  if (r->attempt > 0)
    emit(w, "STEP_RESTARTED", st->key,
         fmt(w, "Started re-execution (attempt # %d) of step \"%s\".", r->attempt + 1, st->key),
         NULL);
  else
    emit(w, "STEP_START", st->key, fmt(w, "Started execution of step \"%s\".", st->key), NULL);
  if (r->pid > 0) {
    w->n_running++;
    emit_inputs(w, r);
    return;
  }
  attempt_failed(
      w, r,
      run_error_json(class_name,
                     fmt(w, "%s could not be started: %s", op_label(w, r), buf_cstr(&why)), NULL,
                     0));
}

/* ---- scheduling ---- */

/* Whether the step's upstream steps are all done: 1 ready to run, 0 not
 * yet, -1 to be abandoned (one failed or was abandoned). */
static int upstream_state(worker *w, const defs_step *st) {
  bool bad = false;
  for (size_t i = 0; i < st->n_inputs; i++)
    for (size_t j = 0; j < st->inputs[i].n_sources; j++) {
      step_state s = w->steps[st->inputs[i].sources[j].step->index].state;
      if (s == STEP_FAILED || s == STEP_ABANDONED)
        bad = true;
      else if (s != STEP_SUCCEEDED && s != STEP_NOT_SELECTED)
        return 0;
    }
  return bad ? -1 : 1;
}

/* Dagster's message for a step not executed because of its upstream
 * steps (an ERROR log message of the step, no event type). */
static void abandon(worker *w, step_run *r) {
  const defs_step *st = r->step;
  json_t *failed = json_array(), *skipped = json_array();
  for (size_t i = 0; i < st->n_inputs; i++)
    for (size_t j = 0; j < st->inputs[i].n_sources; j++) {
      const defs_step *up = st->inputs[i].sources[j].step;
      step_state s = w->steps[up->index].state;
      json_t *list = s == STEP_FAILED ? failed : s == STEP_ABANDONED ? skipped : NULL;
      bool seen = false;
      for (size_t k = 0; list && k < json_array_size(list) && !seen; k++)
        seen = strcmp(json_string_value(json_array_get(list, k)), up->key) == 0;
      if (list && !seen)
        json_array_append_new(list, json_string(up->key));
    }
  r->state = STEP_ABANDONED;
  emit_at(w, NULL, RUN_LEVEL_ERROR, st->key,
          fmt(w, "Dependencies for step %s%s%s%s%s. Not executing.", st->key,
              json_array_size(failed) ? " failed: " : "",
              json_array_size(failed) ? py_list(w, failed) : "",
              json_array_size(skipped) ? " were not executed: " : "",
              json_array_size(skipped) ? py_list(w, skipped) : ""),
          NULL);
  json_decref(failed);
  json_decref(skipped);
}

/* Abandons what can no longer run and starts what can, in plan order,
 * within the concurrency limit. */
static void schedule(worker *w) {
  bool changed = true;
  while (changed) { /* an abandoned step may doom its own downstream steps */
    changed = false;
    for (size_t i = 0; i < w->plan->n_steps; i++)
      if (w->steps[i].state == STEP_PENDING && upstream_state(w, w->steps[i].step) < 0) {
        abandon(w, &w->steps[i]);
        changed = true;
      }
  }
  double now = clock_mono();
  for (size_t i = 0; i < w->plan->n_steps && (int)w->n_running < w->max_concurrent;) {
    step_run *r = &w->steps[i];
    bool ready = (r->state == STEP_PENDING && upstream_state(w, r->step) > 0) ||
                 (r->state == STEP_RETRY_WAIT && now >= r->retry_at);
    if (ready) {
      start_attempt(w, r);
      /* One that failed at once is looked at again: a retry without delay
       * starts now (a retry's time is always after `now`, so this ends). */
      if (r->state != STEP_RUNNING)
        continue;
    }
    i++;
  }
}

static bool work_left(const worker *w) {
  if (w->n_running > 0)
    return true;
  if (w->interrupted)
    return false;
  for (size_t i = 0; i < w->plan->n_steps; i++)
    if (w->steps[i].state == STEP_PENDING || w->steps[i].state == STEP_RETRY_WAIT)
      return true;
  return false;
}

/* ---- termination ---- */

/* The run's status, or -1 (deleted) / -2 (unknown: storage failed). */
static int read_status(worker *w) {
  arena *a = arena_new(0);
  store_error e = {{0}};
  store_run *run = store_run_get(w->s, w->run_id, a, &e);
  int status = run ? (int)run->status : e.message[0] ? -2 : -1;
  arena_free(a);
  return status;
}

/* read_status, noting a run finished from outside (marked CANCELED, or
 * failed by the run monitor: quiet, its log is closed) or deleted (quiet,
 * and its files are removed at the end). */
static int run_status(worker *w) {
  int status = read_status(w);
  if (status == -1)
    w->deleted = true;
  if (status == -1 || (status >= 0 && store_run_status_finished((store_run_status)status)))
    w->quiet = true;
  return status;
}

/* Stops every op: SIGTERM to each process group now, SIGKILL after the
 * instance's grace period (the loop sends it). */
static void interrupt(worker *w, const char *why) {
  if (w->interrupted)
    return;
  w->interrupted = true;
  w->interrupt_why = why;
  run_status(w);
  json_t *running = json_array();
  for (size_t i = 0; i < w->plan->n_steps; i++)
    if (w->steps[i].state == STEP_RUNNING)
      json_array_append_new(running, json_string(w->steps[i].step->key));
  if (w->multiprocess) {
    json_t *entries = json_array();
    json_array_append_new(entries, text_entry("steps_interrupted", py_list(w, running)));
    emit(w, "ENGINE_EVENT", NULL,
         "Multiprocess executor: received termination signal - forwarding to active child "
         "processes",
         engine_body(entries, NULL, NULL));
  }
  json_decref(running);
  double kill_at = clock_mono() + w->inst->terminate_grace;
  for (size_t i = 0; i < w->plan->n_steps; i++) {
    step_run *r = &w->steps[i];
    if (r->state == STEP_RETRY_WAIT || r->state == STEP_PENDING)
      r->state = STEP_DROPPED;
    if (r->state != STEP_RUNNING)
      continue;
    r->stop = STOP_INTERRUPT;
    if (!r->killed)
      run_step_signal(r->pid, SIGTERM);
    if (!r->kill_at || r->kill_at > kill_at)
      r->kill_at = kill_at;
  }
}

/* Polls the run's status every STATUS_POLL_SECONDS: CANCELING, CANCELED or
 * a deleted run stops the ops. */
static void watch_status(worker *w, double now) {
  if (now < w->next_poll)
    return;
  w->next_poll = now + STATUS_POLL_SECONDS;
  int status = run_status(w);
  if (status == -1)
    interrupt(w, "the run was deleted");
  else if (status == STORE_RUN_CANCELED)
    interrupt(w, "the run was marked as canceled");
  else if (status >= 0 && store_run_status_finished((store_run_status)status))
    interrupt(w, "the run was marked as finished from outside");
  else if (status == STORE_RUN_CANCELING)
    interrupt(w, "the run is being canceled");
}

/* Handles the termination signals waiting in the signalfd. */
static void read_signals(worker *w) {
  struct signalfd_siginfo si;
  while (read(w->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
    if (si.ssi_signo == SIGTERM)
      interrupt(w, "the run worker received SIGTERM");
    else if (si.ssi_signo == SIGINT)
      interrupt(w, "the run worker received SIGINT");
  }
}

/* Looks after one running attempt: its events, its timeout, its grace
 * period, its end. */
static void tend(worker *w, step_run *r, double now) {
  read_op_events(w, r, false);
  if (!r->reaped && run_step_reap(r->pid, &r->status))
    r->reaped = true;
  if (!r->reaped && r->stop == STOP_NONE && r->deadline && now >= r->deadline) {
    r->stop = STOP_TIMEOUT;
    run_step_signal(r->pid, SIGTERM);
    r->kill_at = now + w->inst->terminate_grace;
  }
  if (r->reaped && !r->kill_at) {
    /* The op ended but left processes behind in its group: they go too. */
    if (run_step_group_gone(r->pid)) {
      finish_attempt(w, r);
      return;
    }
    r->kill_at = now;
  }
  if (r->kill_at && now >= r->kill_at && !r->killed) {
    run_step_signal(r->pid, SIGKILL);
    r->killed = true;
  }
  if (!r->reaped && r->killed && run_step_reap(r->pid, &r->status))
    r->reaped = true;
  if (r->reaped && run_step_group_gone(r->pid))
    finish_attempt(w, r);
}

/* How long the loop may sleep: until the next tick or the earliest retry
 * (timeouts and grace periods are looked at every tick). */
static int sleep_ms(const worker *w, double now) {
  double until = now + TICK_MS / 1000.0;
  for (size_t i = 0; i < w->plan->n_steps; i++) {
    const step_run *r = &w->steps[i];
    if (r->state == STEP_RETRY_WAIT && r->retry_at < until)
      until = r->retry_at;
  }
  double ms = (until - now) * 1000;
  return ms < 1 ? 1 : (int)ms;
}

/* ---- the run ---- */

static void init_steps(worker *w) {
  w->steps = arena_calloc(w->a, (w->plan->n_steps + 1) * sizeof *w->steps);
  for (size_t i = 0; i < w->plan->n_steps; i++) {
    step_run *r = &w->steps[i];
    const defs_step *st = &w->plan->steps[i];
    r->step = st;
    r->dir = fmt(w, "%s/%s/%s", w->inst->artifacts_dir, w->run_id, st->key);
    r->events_path = fmt(w, "%s/events.jsonl", r->dir);
    /* The run id is a UUID (checked at the start) and step keys are
     * dotted names, so the log key is always a valid one. */
    const char *key[] = {w->run_id, "compute_logs", st->key};
    buf path;
    buf_init(&path, w->a);
    run_compute_log_path(w->inst, key, 3, RUN_LOG_STDOUT, &path);
    r->stdout_path = buf_cstr(&path);
    buf_init(&path, w->a);
    run_compute_log_path(w->inst, key, 3, RUN_LOG_STDERR, &path);
    r->stderr_path = buf_cstr(&path);
    run_op_events_tail_init(&r->tail, r->events_path);
    r->output_entries = json_object();
    if (!executes(w, st))
      r->state = STEP_NOT_SELECTED;
  }
}

static void free_steps(worker *w) {
  for (size_t i = 0; w->steps && i < w->plan->n_steps; i++) {
    run_op_events_tail_free(&w->steps[i].tail);
    json_decref(w->steps[i].output_entries);
  }
}

/* The executor's loop; returns when no op process is left. Termination
 * requests are looked at before anything is scheduled: a SIGTERM already
 * waiting, or a run marked CANCELED while it was starting (the first poll
 * happens at once, after RUN_START), stops the run before any op starts. */
static void run_steps(worker *w) {
  for (;;) {
    double now = clock_mono();
    read_signals(w);
    watch_status(w, now);
    if (!w->interrupted)
      schedule(w);
    if (!work_left(w))
      return;
    struct pollfd p = {.fd = w->sigfd, .events = POLLIN};
    if (poll(&p, 1, sleep_ms(w, now)) < 0 && errno != EINTR)
      interrupt(w, "the run worker could not wait for its ops");
    read_signals(w);
    now = clock_mono();
    for (size_t i = 0; i < w->plan->n_steps; i++)
      if (w->steps[i].state == STEP_RUNNING && w->steps[i].pid > 0)
        tend(w, &w->steps[i], now);
  }
}

/* The events after the loop: executor exit and the run's end. False
 * (reason in w->end_error) when the end could not be recorded. */
static bool finish_run(worker *w, double started) {
  if (w->interrupted) {
    if (w->multiprocess)
      emit(w, "ENGINE_EVENT", NULL, "Multiprocess executor: interrupted all active child processes",
           engine_body(NULL, NULL, NULL));
    run_status(w); /* marked as canceled meanwhile: nothing more to say */
    json_t *b = json_object();
    json_object_set_new(b, "error",
                        run_error_json("dagd.ExecutionInterruptedError",
                                       fmt(w, "Execution was interrupted: %s.", w->interrupt_why),
                                       NULL, 0));
    return emit_final(w, "RUN_CANCELED",
                      fmt(w, "Execution of run for \"%s\" canceled.", w->job_name), b);
  }
  buf d;
  buf_init(&d, w->a);
  format_duration((clock_mono() - started) * 1000, &d);
  if (w->multiprocess)
    emit(w, "ENGINE_EVENT", NULL,
         fmt(w, "Multiprocess executor: parent process exiting after %s (pid: %ld)", buf_cstr(&d),
             (long)getpid()),
         engine_body(pid_entries(w, false), NULL, NULL));
  else
    emit(w, "ENGINE_EVENT", NULL,
         fmt(w, "Finished steps in process (pid: %ld) in %s", (long)getpid(), buf_cstr(&d)),
         engine_body(pid_entries(w, true), NULL, NULL));
  if (json_array_size(w->failed_keys) == 0)
    return emit_final(w, "RUN_SUCCESS",
                      fmt(w, "Finished execution of run for \"%s\".", w->job_name), NULL);
  store_tag tag = {RUN_TAG_FAILURE_REASON, "STEP_FAILURE"};
  store_error e;
  if (!w->quiet)
    store_run_add_tags(w->s, w->run_id, &tag, 1, &e);
  /* Dagster's run failure after step failures carries no error of its
   * own: the steps' failure events hold them. */
  return emit_final(w, "RUN_FAILURE",
                    fmt(w, "Execution of run for \"%s\" failed. Steps failed: %s.", w->job_name,
                        py_list(w, w->failed_keys)),
                    NULL);
}

/* Runs the plan as the subreaper of its ops; false when the run's end
 * could not be recorded. */
static bool execute(worker *w) {
  double started = clock_mono();
  emit(w, "RUN_START", NULL, fmt(w, "Started execution of run for \"%s\".", w->job_name), NULL);
  if (w->multiprocess)
    emit(w, "ENGINE_EVENT", NULL,
         fmt(w, "Executing steps using multiprocess executor: parent process (pid: %ld)",
             (long)getpid()),
         engine_body(pid_entries(w, true), NULL, NULL));
  else
    emit(w, "ENGINE_EVENT", NULL, fmt(w, "Executing steps in process (pid: %ld)", (long)getpid()),
         engine_body(pid_entries(w, true), NULL, NULL));
  w->failed_keys = json_array();
  w->base_env = base_environment(w);
  init_steps(w);
  int subreaper;
  run_step_subreaper(true, &subreaper);
  run_steps(w);
  /* Every op's group is gone; what is left are processes that left their
   * group (setsid) and were handed to us when their parents ended. They
   * die with the run rather than outlive it. */
  run_step_kill_children(w->own_children, w->n_own_children);
  run_step_subreaper(false, &subreaper);
  bool ok = finish_run(w, started);
  free_steps(w);
  json_decref(w->failed_keys);
  return ok;
}

/* ---- the run's files after deletion ---- */

/* rm -r of <dir>/<run_id>. Nobody is left to tell about what could not
 * be removed: the run is gone. */
static void remove_run_dir(worker *w, const char *dir) {
  char failed[PATH_MAX];
  run_remove_run_dir(dir, w->run_id, true, failed, sizeof failed);
}

/* A deleted run's files: run_delete removed them while the ops may still
 * have been writing, so they are removed again once the ops are gone. */
static void remove_run_files(worker *w) {
  remove_run_dir(w, w->inst->artifacts_dir);
  if (strcmp(w->inst->artifacts_dir, w->inst->compute_logs_dir) != 0)
    remove_run_dir(w, w->inst->compute_logs_dir);
}

/* ---- the run ---- */

/* Takes the run for this process: refused (false, reason in err) when it
 * cannot be executed (unknown, finished other than CANCELED, already
 * running) or another worker holds it. */
static bool claim(worker *w, buf *err) {
  store_error se = {{0}};
  store_run *run = store_run_get(w->s, w->run_id, w->a, &se);
  if (!run) {
    if (se.message[0])
      buf_printf(err, "Could not read run %s: %s", w->run_id, se.message);
    else
      buf_printf(err, "Run %s not found.", w->run_id);
    return false;
  }
  /* CANCELED: marked while it was starting; the worker says why it does
   * not start it. */
  if (run->status != STORE_RUN_NOT_STARTED && run->status != STORE_RUN_STARTING &&
      run->status != STORE_RUN_CANCELED) {
    buf_printf(err, "Run %s has status %s: only a NOT_STARTED or STARTING run can be executed.",
               w->run_id, store_run_status_name(run->status));
    return false;
  }
  w->run = run;
  w->job_name = run->job_name;
  bool claimed = false;
  if (store_run_set_worker(w->s, w->run_id, (int64_t)getpid(), &claimed, &se) != 0) {
    buf_printf(err, "Could not record the worker of run %s: %s", w->run_id, se.message);
    return false;
  }
  if (!claimed) {
    store_run *now = store_run_get(w->s, w->run_id, w->a, &se);
    buf_printf(err, "Run %s is being executed by another worker (pid %lld).", w->run_id,
               now ? (long long)now->worker_pid : 0LL);
    return false;
  }
  return true;
}

/* Everything after the claim: the run ends with a finished status (or is
 * found canceled or deleted) unless its end cannot be recorded (-1). */
static int execute_claimed(worker *w, const sigset_t *set, buf *err) {
  if ((w->sigfd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
    const char *why = fmt(w, "Could not watch for signals: %s", strerror(errno));
    buf_puts(err, why);
    if (!fail_initialization(w, "dagd.RunWorkerError", why))
      buf_printf(err, " (and the run's failure could not be recorded: %s)", w->end_error);
    return -1;
  }
  json_t *entries = json_array();
  json_array_append_new(entries, text_entry("pid", fmt(w, "%ld", (long)getpid())));
  /* Dagster's instance reports its engine events at INFO. */
  emit_at(w, "ENGINE_EVENT", RUN_LEVEL_INFO, NULL,
          fmt(w, "Started process for run (pid: %ld).", (long)getpid()),
          engine_body(entries, NULL, "cli_api_subprocess_init"));
  int status = read_status(w);
  if (status == STORE_RUN_CANCELED) {
    emit_at(w, "ENGINE_EVENT", RUN_LEVEL_INFO, NULL,
            "Not starting execution since the run was canceled before execution could start", NULL);
    return 0;
  }
  if (status == -1) { /* deleted meanwhile */
    w->deleted = true;
    return 0;
  }
  buf why;
  buf_init(&why, w->a);
  const char *class_name;
  bool ok = prepare(w, w->run, &why, &class_name)
                ? execute(w)
                : fail_initialization(w, class_name, buf_cstr(&why));
  if (!ok) {
    buf_puts(err, w->end_error);
    return -1;
  }
  return 0;
}

/* Reads and drops the signals still waiting in the signalfd: once the
 * mask is restored, a SIGTERM that came too late to stop anything would
 * otherwise kill the caller with the default action. */
static void drain_signals(int fd) {
  struct signalfd_siginfo si;
  while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
    ;
}

int run_worker_execute(run_instance *inst, const char *run_id, buf *err) {
  if (!run_id_is_uuid(run_id)) { /* run ids become folder names */
    buf_printf(err, "Run %s not found.", run_id ? run_id : "(none)");
    return -1;
  }
  /* SIGTERM and SIGINT wait in the signalfd from the start: a termination
   * request that comes while the run is being prepared is not lost. A
   * SIGCHLD that is ignored would make the kernel reap ops behind our
   * back, so its disposition is the default while ops run. */
  sigset_t set, old_mask;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, &old_mask);
  struct sigaction dfl, old_chld;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(SIGCHLD, &dfl, &old_chld);

  worker w = {.inst = inst, .s = inst->store, .run_id = run_id, .a = arena_new(0), .sigfd = -1};
  w.own_children = run_step_children(w.a, &w.n_own_children);
  int rc = claim(&w, err) ? execute_claimed(&w, &set, err) : -1;
  if (w.deleted)
    remove_run_files(&w);
  if (w.sigfd >= 0) {
    drain_signals(w.sigfd);
    close(w.sigfd);
  }
  arena_free(w.a);
  sigaction(SIGCHLD, &old_chld, NULL);
  pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
  return rc;
}
