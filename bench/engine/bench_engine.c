/* bench_engine.c — throughput of the GraphQL engine on one request shaped
 * like the Dagster UI's runs table query (bench/engine/query.graphql against
 * schema.graphql, data.json and variables.json).
 *
 * Each iteration is what a server does per request: a fresh request arena,
 * gql_run (parse, validate, coerce variables, execute, write the response
 * JSON) and the arena freed. The schema is built once, and the data is a
 * jansson tree served by a default resolver that reads the parent JSON
 * object's member named like the field; abstract types are resolved from the
 * object's "__typename" — what graphql-js's default resolvers do, so
 * bench_graphqljs.mjs computes the same response with no resolvers at all.
 *
 * Usage: bench_engine [--seconds S] [--reset] [--print] [--iterations N] DIR
 *   --print         write the response to stdout once and exit (for comparing)
 *   --reset         reuse one arena with arena_reset instead of a fresh arena
 *   --iterations N  run exactly N requests, untimed (for callgrind and perf)
 * Otherwise it warms up and prints ops_per_sec=N. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/error.h"
#include "graphql/exec.h"
#include "graphql/schema.h"

typedef struct bench_input {
  gql_schema *schema;
  char *query;
  size_t query_len;
  json_t *data;
  json_t *variables;
} bench_input;

static void die(const char *fmt, const char *arg) {
  fprintf(stderr, "bench_engine: ");
  fprintf(stderr, fmt, arg);
  fputc('\n', stderr);
  exit(1);
}

static char *slurp(const char *dir, const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f)
    die("cannot open %s", path);
  size_t cap = 1 << 16, n = 0;
  char *text = malloc(cap);
  size_t got;
  while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n - 1 == 0)
      text = realloc(text, cap *= 2);
  }
  fclose(f);
  if (!text)
    die("out of memory reading %s", path);
  text[n] = '\0';
  *len = n;
  return text;
}

static json_t *load_json(const char *dir, const char *name) {
  char path[4096];
  json_error_t err;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  json_t *j = json_load_file(path, 0, &err);
  if (!j)
    die("cannot parse %s", path);
  return j;
}

/* The parent object's member named like the field (null when absent). */
static gql_rv json_resolve(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *obj = parent;
  if (!json_is_object(obj))
    return gql_rv_null();
  return gql_rv_json(json_object_get(obj, info->field->name));
}

static const gql_type *json_resolve_type(const gql_schema *schema, const gql_type *abstract,
                                         const gql_rv *value, void *data) {
  (void)abstract;
  (void)data;
  const json_t *obj = NULL;
  if (value->kind == GQL_RV_JSON)
    obj = value->u.json;
  else if (value->kind == GQL_RV_OBJECT)
    obj = value->u.obj.ptr;
  const char *name = json_string_value(json_object_get(obj, "__typename"));
  return name ? gql_schema_type(schema, name) : NULL;
}

static void load(bench_input *in, const char *dir) {
  size_t sdl_len;
  char *sdl = slurp(dir, "schema.graphql", &sdl_len);
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  in->schema = gql_schema_build(sdl, sdl_len, &errs);
  if (!in->schema)
    die("schema.graphql: %s", errs.n ? errs.items[0]->message : "does not build");
  arena_free(a);
  free(sdl);
  gql_schema_set_default_resolver(in->schema, json_resolve, NULL);
  gql_schema_set_default_resolve_type(in->schema, json_resolve_type, NULL);
  in->query = slurp(dir, "query.graphql", &in->query_len);
  in->data = load_json(dir, "data.json");
  in->variables = load_json(dir, "variables.json");
}

/* One request. With `reuse` the arena is reset and kept, else a fresh one
 * is made and freed. Returns the response length (and the text when out is
 * not NULL). */
static size_t run_once(const bench_input *in, arena *reuse, char **out_text) {
  arena *a = reuse ? reuse : arena_new(0);
  if (reuse)
    arena_reset(a);
  gql_request req = {
      .schema = in->schema,
      .variables = in->variables,
      .root_value = in->data,
      .arena = a,
  };
  buf out;
  buf_init(&out, a);
  gql_outcome outcome = gql_run(&req, in->query, in->query_len, NULL, &out);
  if (outcome != GQL_OUTCOME_EXECUTED || strncmp(buf_cstr(&out), "{\"data\"", 7) != 0)
    die("the request failed: %s", buf_cstr(&out));
  size_t len = out.len;
  if (out_text)
    *out_text = strdup(buf_cstr(&out));
  if (!reuse)
    arena_free(a);
  return len;
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs requests for about `seconds`; returns requests per second. */
static double time_loop(const bench_input *in, arena *reuse, double seconds) {
  double start = now_seconds(), now = start;
  size_t n = 0, sink = 0;
  do {
    for (int i = 0; i < 100; i++)
      sink += run_once(in, reuse, NULL);
    n += 100;
    now = now_seconds();
  } while (now - start < seconds);
  if (sink == 0)
    die("%s", "empty responses");
  return (double)n / (now - start);
}

int main(int argc, char **argv) {
  double seconds = 1.0;
  long iterations = -1;
  bool print = false, reset = false;
  const char *dir = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
      iterations = atol(argv[++i]);
    else if (strcmp(argv[i], "--print") == 0)
      print = true;
    else if (strcmp(argv[i], "--reset") == 0)
      reset = true;
    else if (argv[i][0] != '-' && !dir)
      dir = argv[i];
    else
      die("unknown argument %s; usage: bench_engine [--seconds S] [--reset] [--print] "
          "[--iterations N] DIR",
          argv[i]);
  }
  if (!dir)
    die("%s", "usage: bench_engine [--seconds S] [--reset] [--print] [--iterations N] DIR");

  bench_input in;
  load(&in, dir);
  if (print) {
    char *text;
    run_once(&in, NULL, &text);
    puts(text);
    free(text);
  } else {
    arena *reuse = reset ? arena_new(1 << 16) : NULL;
    if (iterations >= 0) {
      for (long i = 0; i < iterations; i++)
        run_once(&in, reuse, NULL);
    } else {
      time_loop(&in, reuse, seconds / 4); /* warm caches and the allocator */
      printf("ops_per_sec=%.1f\n", time_loop(&in, reuse, seconds));
    }
    arena_free(reuse);
  }
  gql_schema_free(in.schema);
  json_decref(in.data);
  json_decref(in.variables);
  free(in.query);
  return 0;
}
