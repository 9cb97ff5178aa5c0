/* seed_runs.c — fills a dagd instance's store with many finished runs, their
 * tags and a few events, for the runs benchmarks (scripts/bench-runs.sh)
 * and for trying the runs API on a big history by hand.
 *
 *   seed_runs [--home DIR | --postgres URL] [--runs N] [--event-runs M]
 *             [--dump FILE] [--seed S]
 *
 * --home is the instance folder (default $DAGD_HOME, else ./.dagd, as
 * run_instance_open decides), so the runs land where `dagd webserver`
 * started with the same DAGD_HOME reads them: in its SQLite file, or in the
 * PostgreSQL database its dagd.yaml names. --postgres URL (a postgresql://
 * URL or libpq connection string) seeds that database directly, without an
 * instance folder, for a webserver whose dagd.yaml names the same
 * database (the benchmarks compare the two backends this way). N runs (default 100000) are
 * added oldest first through store_run_add, so the last one is the newest;
 * the newest M of them (default 1000) also get a short event log
 * (RUN_STARTING, RUN_START, then the event of their final status) through
 * store_event_append. --dump writes every run as one JSON line (oldest
 * first) so a peer server can serve the very same runs from memory.
 *
 * The data is deterministic for a given --seed (default 1): run ids are
 * uuid4-shaped text from a seeded generator instead of store_new_run_id's
 * random ones, so two seedings with one seed hold the same runs. Every
 * run has the tags team (10 values: 10% each), env (2) and batch (the
 * thousand it belongs to); 5% are FAILURE, 2% CANCELED, the rest SUCCESS.
 * Times are fractions of a power of two (…, .25, .5) so Python's repr and
 * JavaScript's toString print them alike.
 *
 * storage.h offers no batch insert, so every run is a transaction of its
 * own (SQLite in WAL mode with synchronous=NORMAL: no fsync per commit; on
 * PostgreSQL a round trip per statement); the tool prints how long the
 * runs and the events took. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "run/instance.h"
#include "storage/storage.h"

static const char usage[] =
    "usage: seed_runs [--home DIR | --postgres URL] [--runs N] [--event-runs M]\n"
    "                 [--dump FILE] [--seed S]\n";

static const char *const job_names[] = {"one_op", "etl_daily", "etl_hourly", "report"};
static const char *const teams[] = {"analytics", "billing", "core",   "data",   "growth",
                                    "infra",     "ml",      "mobile", "search", "web"};

/* The first run's creation time (2025-01-01T00:00:00Z) and the spacing of
 * creation times: 100,000 runs span about five weeks. */
#define BASE_TIME 1735689600.0
#define RUN_SPACING 30.0

typedef struct options {
  const char *home;
  const char *postgres; /* a conninfo: seed it instead of an instance */
  long runs;
  long event_runs;
  const char *dump;
  uint64_t seed;
} options;

/* splitmix64: a small, well-mixed generator; only determinism matters. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

/* A uuid4-shaped id (version 4, variant 10xx) from the generator. */
static void make_run_id(uint64_t *state, char id[37]) {
  uint64_t hi = next_random(state), lo = next_random(state);
  hi = (hi & ~(uint64_t)0xf000) | 0x4000;
  lo = (lo & ~((uint64_t)0xc << 60)) | ((uint64_t)0x8 << 60);
  snprintf(id, 37, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64, hi >> 32,
           (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffffffffffffu);
}

static store_run_status status_of(long i) {
  if (i % 20 == 7)
    return STORE_RUN_FAILURE;
  if (i % 50 == 13)
    return STORE_RUN_CANCELED;
  return STORE_RUN_SUCCESS;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool parse_long(const char *text, long min, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < min)
    return false;
  *out = v;
  return true;
}

static int parse_args(int argc, char **argv, options *o) {
  *o = (options){.runs = 100000, .event_runs = 1000, .seed = 1};
  /* Options come in pairs: the name, then its value. */
  for (int i = 1; i < argc; i += 2) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(usage, stdout);
      exit(0);
    }
    if (!v) {
      fprintf(stderr, "seed_runs: %s needs a value\n%s", a, usage);
      return -1;
    }
    if (strcmp(a, "--home") == 0)
      o->home = v;
    else if (strcmp(a, "--postgres") == 0)
      o->postgres = v;
    else if (strcmp(a, "--dump") == 0)
      o->dump = v;
    else if (strcmp(a, "--runs") == 0 && parse_long(v, 0, &n))
      o->runs = n;
    else if (strcmp(a, "--event-runs") == 0 && parse_long(v, 0, &n))
      o->event_runs = n;
    else if (strcmp(a, "--seed") == 0 && parse_long(v, 0, &n))
      o->seed = (uint64_t)n;
    else {
      fprintf(stderr, "seed_runs: bad option or value: %s %s\n%s", a, v, usage);
      return -1;
    }
  }
  if (o->home && o->postgres) {
    fprintf(stderr, "seed_runs: --home and --postgres exclude each other\n%s", usage);
    return -1;
  }
  return 0;
}

/* One run's generated fields; the strings live in the struct. */
typedef struct seeded_run {
  store_run run;
  store_tag tags[3]; /* sorted by key, as store_run wants */
  char batch[24];
  char config[64];
} seeded_run;

static void make_run(long i, uint64_t *state, seeded_run *s) {
  memset(s, 0, sizeof *s);
  store_run *r = &s->run;
  make_run_id(state, r->run_id);
  snprintf(s->batch, sizeof s->batch, "%ld", i / 1000);
  snprintf(s->config, sizeof s->config, "{\"ops\":{\"noop\":{\"config\":{\"count\":%ld}}}}",
           i % 100);
  s->tags[0] = (store_tag){"batch", s->batch};
  s->tags[1] = (store_tag){"env", i % 3 == 0 ? "dev" : "prod"};
  s->tags[2] = (store_tag){"team", teams[i % 10]};
  r->job_name = job_names[i % 4];
  r->repository_name = "bench";
  r->location_name = "bench";
  r->status = status_of(i);
  r->mode = "default";
  r->run_config = s->config;
  r->tags = s->tags;
  r->n_tags = 3;
  r->create_time = BASE_TIME + (double)i * RUN_SPACING + 0.5;
  r->start_time = r->create_time + 1.25;
  r->end_time = r->start_time + 10.5 + (double)(i % 7);
  r->update_time = r->end_time;
}

/* The JSON line of one run for --dump. Every string is generated here from
 * letters, digits and punctuation that JSON needs no escape for. */
static void dump_run(FILE *f, const seeded_run *s) {
  const store_run *r = &s->run;
  fprintf(f,
          "{\"runId\":\"%s\",\"jobName\":\"%s\",\"status\":\"%s\",\"runConfig\":%s,"
          "\"creationTime\":%.17g,\"startTime\":%.17g,\"endTime\":%.17g,\"tags\":{",
          r->run_id, r->job_name, store_run_status_name(r->status), r->run_config, r->create_time,
          r->start_time, r->end_time);
  for (size_t t = 0; t < r->n_tags; t++)
    fprintf(f, "%s\"%s\":\"%s\"", t ? "," : "", r->tags[t].key, r->tags[t].value);
  fputs("}}\n", f);
}

/* RUN_STARTING, RUN_START and the event of the run's final status, with the
 * run's own times (the store sets start and end times from them). */
static int add_events(store *st, const store_run *r, store_error *err) {
  static const char *const final_event[STORE_RUN_STATUS_COUNT] = {
      [STORE_RUN_SUCCESS] = "RUN_SUCCESS",
      [STORE_RUN_FAILURE] = "RUN_FAILURE",
      [STORE_RUN_CANCELED] = "RUN_CANCELED",
  };
  char start_msg[128], end_msg[128];
  snprintf(start_msg, sizeof start_msg, "Started execution of run for \"%s\".", r->job_name);
  snprintf(end_msg, sizeof end_msg,
           r->status == STORE_RUN_SUCCESS   ? "Finished execution of run for \"%s\"."
           : r->status == STORE_RUN_FAILURE ? "Execution of run for \"%s\" failed."
                                            : "Execution of run for \"%s\" canceled.",
           r->job_name);
  const store_event events[] = {
      {.timestamp = r->create_time + 0.25, .event_type = "RUN_STARTING", .level = 10},
      {.timestamp = r->start_time, .event_type = "RUN_START", .level = 10, .message = start_msg},
      {.timestamp = r->end_time,
       .event_type = final_event[r->status],
       .level = r->status == STORE_RUN_SUCCESS ? 10 : 40,
       .message = end_msg},
  };
  for (size_t e = 0; e < sizeof events / sizeof events[0]; e++) {
    store_event ev = events[e];
    memcpy(ev.run_id, r->run_id, sizeof ev.run_id);
    if (store_event_append(st, &ev, err) < 0)
      return -1;
  }
  return 0;
}

/* Where the runs go: an instance's store, or a PostgreSQL store of our own
 * (--postgres). */
typedef struct seed_target {
  run_instance *inst; /* NULL with --postgres */
  store *store;
  const char *where; /* for the summary line; never the conninfo (a password) */
} seed_target;

static int open_target(const options *o, seed_target *t) {
  *t = (seed_target){0};
  if (o->postgres) {
    store_error err = {{0}};
    if (!(t->store = store_open_postgres(o->postgres, &err))) {
      fprintf(stderr, "seed_runs: %s\n", err.message);
      return -1;
    }
    t->where = "the PostgreSQL database of --postgres";
    return 0;
  }
  buf berr;
  buf_init(&berr, NULL);
  t->inst = run_instance_open(o->home, &berr);
  if (!t->inst) {
    fprintf(stderr, "seed_runs: %s\n", berr.data ? berr.data : "cannot open the instance");
    buf_free(&berr);
    return -1;
  }
  buf_free(&berr);
  t->store = t->inst->store;
  t->where = t->inst->database ? t->inst->database : "the instance's PostgreSQL database";
  return 0;
}

static void close_target(seed_target *t) {
  if (t->inst)
    run_instance_close(t->inst);
  else
    store_close(t->store);
}

int main(int argc, char **argv) {
  options o;
  if (parse_args(argc, argv, &o) < 0)
    return 2;
  seed_target t;
  if (open_target(&o, &t) < 0)
    return 1;
  FILE *dump = NULL;
  if (o.dump && !(dump = fopen(o.dump, "w"))) {
    fprintf(stderr, "seed_runs: %s: %s\n", o.dump, strerror(errno));
    close_target(&t);
    return 1;
  }

  int rc = 0;
  store_error err = {{0}};
  uint64_t state = o.seed;
  long first_with_events = o.runs - o.event_runs;
  long n_events = 0;
  double t0 = now_seconds(), events_time = 0;
  seeded_run s;
  for (long i = 0; i < o.runs; i++) {
    make_run(i, &state, &s);
    if (store_run_add(t.store, &s.run, &err) < 0) {
      fprintf(stderr, "seed_runs: run %ld: %s\n", i, err.message);
      rc = 1;
      break;
    }
    if (i >= first_with_events) {
      double te = now_seconds();
      if (add_events(t.store, &s.run, &err) < 0) {
        fprintf(stderr, "seed_runs: events of run %ld: %s\n", i, err.message);
        rc = 1;
        break;
      }
      events_time += now_seconds() - te;
      n_events += 3;
    }
    if (dump)
      dump_run(dump, &s);
  }
  double total = now_seconds() - t0;
  if (dump && fclose(dump) != 0) {
    fprintf(stderr, "seed_runs: %s: %s\n", o.dump, strerror(errno));
    rc = 1;
  }
  if (rc == 0) {
    double runs_time = total - events_time;
    printf("seeded %ld runs (%ld tags) in %.2f s (%.0f runs/s, one transaction each) and "
           "%ld events in %.2f s, into %s\n",
           o.runs, o.runs * 3, runs_time, runs_time > 0 ? (double)o.runs / runs_time : 0.0,
           n_events, events_time, t.where);
  }
  close_target(&t);
  return rc;
}
