/* gql_exec.c — runs GraphQL requests against an SDL schema backed by JSON data.
 *
 *   gql-exec --schema FILE.graphql [--data FILE.json] [--variables JSON]
 *            [--operation NAME] < query.graphql
 *   gql-exec --schema FILE.graphql [--data FILE.json] --batch < requests.jsonl
 *
 * The first form prints the response of one request as one line of JSON.
 * The second reads one request a line ({"query":…,"variables":…,
 * "operationName":…}) and prints one response line for each; the
 * differential tests use it to run hundreds of queries in one process.
 *
 * Every field resolves from JSON: the root value is the --data object ({}
 * when absent) and a field's value is its parent object's entry under the
 * field's name (null when absent). A field that has arguments and no entry
 * returns its coerced arguments as a JSON object instead, so tests can see
 * what coercion produced. Interfaces and unions take the concrete type from
 * the "__typename" entry (the executor reads it from JSON objects itself),
 * and custom scalars pass any JSON through.
 *
 * Exit status: 0 when a response was printed (even one with errors), 1 when
 * the schema or the data cannot be loaded, 2 for usage errors. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/exec.h"
#include "graphql/schema.h"

/* What a request's resolvers share: JSON values created while resolving,
 * kept alive until the response is written. */
typedef struct request_ctx {
  json_t *keep;
} request_ctx;

/* A number as JSON; non-finite ones (a literal like 1e400) become null, as
 * JSON.stringify makes them. */
static json_t *number_to_json(double d) {
  json_t *j = json_real(d);
  return j ? j : json_null();
}

static json_t *value_to_json(const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_INT:
    return v->int_overflow ? number_to_json(v->fval) : json_integer(v->ival);
  case GQL_VALUE_FLOAT:
    return number_to_json(v->fval);
  case GQL_VALUE_STRING:
    return json_stringn(v->str, v->str_len);
  case GQL_VALUE_ENUM:
    return json_string(v->str);
  case GQL_VALUE_BOOLEAN:
    return json_boolean(v->boolean);
  case GQL_VALUE_LIST: {
    json_t *a = json_array();
    for (size_t i = 0; i < v->n_items; i++)
      json_array_append_new(a, value_to_json(v->items[i]));
    return a;
  }
  case GQL_VALUE_OBJECT: {
    json_t *o = json_object();
    for (size_t i = 0; i < v->n_fields; i++)
      json_object_set_new(o, v->fields[i].name, value_to_json(v->fields[i].value));
    return o;
  }
  default: /* NULL; variables never reach resolvers */
    return json_null();
  }
}

/* The arguments given or defaulted, in definition order. */
static gql_rv echo_arguments(const gql_resolve_info *info) {
  request_ctx *ctx = info->context;
  json_t *o = json_object();
  for (size_t i = 0; i < info->field->n_args; i++)
    if (info->args[i])
      json_object_set_new(o, info->field->args[i].name, value_to_json(info->args[i]));
  json_array_append_new(ctx->keep, o);
  return gql_rv_json(o);
}

static gql_rv json_resolve(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *obj = parent;
  const json_t *v = json_is_object(obj) ? json_object_get(obj, info->field->name) : NULL;
  if (!v && info->field->n_args > 0)
    return echo_arguments(info);
  return gql_rv_json(v);
}

static char *read_stream(FILE *f, size_t *len) {
  buf b;
  buf_init(&b, NULL);
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_append(&b, chunk, n);
  *len = b.len;
  if (!b.data)
    buf_puts(&b, "");
  return b.data;
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *text = read_stream(f, len);
  fclose(f);
  return text;
}

static gql_schema *load_schema(const char *path) {
  size_t len;
  char *sdl = read_file(path, &len);
  if (!sdl) {
    fprintf(stderr, "gql-exec: cannot read %s\n", path);
    return NULL;
  }
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(sdl, len, &errs);
  for (size_t i = 0; !s && i < errs.n; i++) {
    const gql_error *e = errs.items[i];
    if (e->n_locations > 0)
      fprintf(stderr, "%s:%u:%u: %s\n", path, (unsigned)e->locations[0].line,
              (unsigned)e->locations[0].column, e->message);
    else
      fprintf(stderr, "%s: %s\n", path, e->message);
  }
  arena_free(a);
  free(sdl);
  if (!s)
    return NULL;
  gql_schema_set_default_resolver(s, json_resolve, NULL);
  for (size_t i = 0; i < s->n_types; i++)
    if (s->types[i]->kind == GQL_KIND_SCALAR && !s->types[i]->builtin)
      gql_schema_set_scalar(s, s->types[i]->name, &gql_json_scalar_hooks);
  return s;
}

/* Runs one request and prints its response line. */
static void run_one(const gql_schema *s, const json_t *root, const char *query, size_t len,
                    const json_t *variables, const char *operation) {
  request_ctx ctx = {json_array()};
  arena *a = arena_new(0);
  gql_request req = {
      .schema = s,
      .operation_name = operation,
      .variables = variables,
      .root_value = root,
      .context = &ctx,
      .arena = a,
  };
  buf out;
  buf_init(&out, a);
  gql_run(&req, query, len, NULL, &out);
  fwrite(out.data ? out.data : "", 1, out.len, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  arena_free(a);
  json_decref(ctx.keep);
}

/* --batch: one JSON request a line. A line that is not a request object
 * gets a response with one error, so line numbers stay aligned. */
static void run_batch(const gql_schema *s, const json_t *root) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) > 0) {
    if (n == 1 && line[0] == '\n')
      continue;
    json_error_t jerr;
    json_t *req = json_loadb(line, (size_t)n, 0, &jerr);
    const char *query = json_string_value(json_object_get(req, "query"));
    if (!query) {
      printf("{\"errors\":[{\"message\":\"gql-exec: bad batch line: %s\"}]}\n",
             req ? "no query" : "not JSON");
      fflush(stdout);
      json_decref(req);
      continue;
    }
    const json_t *vars = json_object_get(req, "variables");
    const char *op = json_string_value(json_object_get(req, "operationName"));
    run_one(s, root, query, json_string_length(json_object_get(req, "query")),
            json_is_object(vars) ? vars : NULL, op);
    json_decref(req);
  }
  free(line);
}

static int usage(const char *why) {
  fprintf(stderr,
          "gql-exec: %s\n"
          "usage: gql-exec --schema FILE.graphql [--data FILE.json] [--variables JSON]\n"
          "                [--operation NAME] < query.graphql\n"
          "       gql-exec --schema FILE.graphql [--data FILE.json] --batch < requests.jsonl\n",
          why);
  return 2;
}

int main(int argc, char **argv) {
  const char *schema_path = NULL, *data_path = NULL, *vars_text = NULL, *operation = NULL;
  int batch = 0;
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    if (strcmp(opt, "--batch") == 0) {
      batch = 1;
      continue;
    }
    if (i + 1 >= argc)
      return usage(strncmp(opt, "--", 2) == 0 ? "option needs a value" : "unexpected argument");
    if (strcmp(opt, "--schema") == 0)
      schema_path = argv[++i];
    else if (strcmp(opt, "--data") == 0)
      data_path = argv[++i];
    else if (strcmp(opt, "--variables") == 0)
      vars_text = argv[++i];
    else if (strcmp(opt, "--operation") == 0)
      operation = argv[++i];
    else
      return usage("unknown option");
  }
  if (!schema_path)
    return usage("--schema is required");
  if (batch && (vars_text || operation))
    return usage("--batch takes variables and operation names from its input lines");

  json_t *variables = NULL;
  if (vars_text) {
    json_error_t jerr;
    variables = json_loads(vars_text, JSON_DECODE_ANY, &jerr);
    if (!json_is_object(variables)) {
      json_decref(variables);
      return usage("--variables must be a JSON object");
    }
  }

  json_t *root = NULL;
  if (data_path) {
    json_error_t jerr;
    root = json_load_file(data_path, 0, &jerr);
    if (!json_is_object(root)) {
      fprintf(stderr, "%s:%d:%d: %s\n", data_path, jerr.line, jerr.column,
              root ? "the data must be a JSON object" : jerr.text);
      json_decref(root);
      json_decref(variables);
      return 1;
    }
  } else {
    root = json_object();
  }

  gql_schema *s = load_schema(schema_path);
  if (!s) {
    json_decref(root);
    json_decref(variables);
    return 1;
  }

  if (batch) {
    run_batch(s, root);
  } else {
    size_t len;
    char *query = read_stream(stdin, &len);
    run_one(s, root, query, len, variables, operation);
    free(query);
  }
  gql_schema_free(s);
  json_decref(root);
  json_decref(variables);
  return 0;
}
