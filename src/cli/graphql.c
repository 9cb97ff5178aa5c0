/* graphql.c — `dagd graphql` (Dagster's `dagster-graphql` command): runs
 * one GraphQL query or mutation against the local workspace in-process,
 * with no server, and prints the response JSON on stdout. For scripts and
 * tests: the exit status says whether the response has errors. It opens
 * the instance as the webserver does, so runs can be queried and launched
 * (a launched run's worker is a detached process: it goes on after this
 * command exits).
 *
 * Usage errors (bad flags, an unreadable query file, variables that are
 * not a JSON object) are found before the instance opens and the
 * workspace loads, so they never wait on either. The operation name is
 * long-only (--operation): dagster-graphql's -p is --predefined, its
 * built-in queries, which dagd refuses by name. */
#include "cli/graphql.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "cli/workspace_arg.h"
#include "graphql/exec.h"

#define CMD "dagd graphql"

static const char usage[] =
    "usage: dagd graphql [options] (-t QUERY | -f FILE)\n"
    "\n"
    "Runs a GraphQL query or mutation against the workspace in this process and\n"
    "prints the response JSON. Exits 0 when the response has no errors, 1 when it\n"
    "has, 2 for a usage error.\n"
    "\n"
    "Options:\n"
    "  -w, --workspace FILE     the workspace file (default ./workspace.yaml when it\n"
    "                           exists, else an empty workspace)\n"
    "      --home DIR           the instance folder: runs, their events, logs and\n"
    "                           outputs (default $DAGD_HOME, else ./.dagd)\n"
    "  -t, --text QUERY         the GraphQL document\n"
    "  -f, --file FILE          read the document from FILE ('-': standard input)\n"
    "  -v, --variables JSON     the variables, a JSON object\n"
    "      --operation NAME     the operation to run, when the document has several\n"
    "      --help               show this help\n";

typedef struct options {
  const char *workspace; /* NULL: the default */
  const char *home;      /* --home; NULL: $DAGD_HOME, else ./.dagd */
  const char *text;
  const char *file;
  const char *variables;
  const char *operation;
} options;

enum { OPT_OPERATION = 256, OPT_PREDEFINED, OPT_HOME, OPT_HELP };

static const struct option long_options[] = {
    {"workspace", required_argument, NULL, 'w'},
    {"text", required_argument, NULL, 't'},
    {"file", required_argument, NULL, 'f'},
    {"variables", required_argument, NULL, 'v'},
    {"operation", required_argument, NULL, OPT_OPERATION},
    {"predefined", required_argument, NULL, OPT_PREDEFINED},
    {"home", required_argument, NULL, OPT_HOME},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Fills o from argv; returns -1 to go on, or an exit status. */
static int parse_options(int argc, char **argv, options *o) {
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "w:t:f:v:p:", long_options, NULL)) != -1) {
    switch (c) {
    case 'w':
      o->workspace = optarg;
      break;
    case 't':
      o->text = optarg;
      break;
    case 'f':
      o->file = optarg;
      break;
    case 'v':
      o->variables = optarg;
      break;
    case OPT_OPERATION:
      o->operation = optarg;
      break;
    case OPT_HOME:
      o->home = optarg;
      break;
    case 'p':
    case OPT_PREDEFINED:
      /* dagster-graphql's -p/--predefined names one of its built-in queries. */
      fprintf(stderr,
              CMD ": -p/--predefined (dagster-graphql's predefined queries) is not supported;"
                  " use --operation NAME to pick an operation of the document\n");
      return 2;
    case OPT_HELP:
      fputs(usage, stdout);
      return 0;
    default:
      fputs(usage, stderr);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, CMD ": unexpected argument '%s'\n", argv[optind]);
    return 2;
  }
  if (!o->text == !o->file) {
    fprintf(stderr, CMD ": give the query with exactly one of -t QUERY and -f FILE\n");
    return 2;
  }
  return -1;
}

/* The query text of -t or -f into out; false after explaining on stderr. */
static bool read_query(const options *o, buf *out) {
  if (o->text) {
    buf_puts(out, o->text);
    return true;
  }
  bool is_stdin = strcmp(o->file, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(o->file, "rb");
  if (!f) {
    fprintf(stderr, CMD ": cannot read %s: %s\n", o->file, strerror(errno));
    return false;
  }
  bool ok = buf_read_file(out, f);
  if (!ok)
    fprintf(stderr, CMD ": cannot read %s: %s\n", is_stdin ? "standard input" : o->file,
            strerror(errno));
  if (!is_stdin)
    fclose(f);
  return ok;
}

/* The -v variables as a JSON object (a new reference), NULL when none
 * were given; false after explaining on stderr. */
static bool parse_variables(const char *text, json_t **out) {
  *out = NULL;
  if (!text)
    return true;
  char why[160];
  json_t *v = json_parse_text(text, strlen(text), why, sizeof why);
  if (!v) {
    fprintf(stderr, CMD ": -v is not JSON: %s\n", why);
    return false;
  }
  if (!json_is_object(v)) {
    fprintf(stderr, CMD ": -v must be a JSON object, e.g. '{\"name\": \"value\"}'\n");
    json_decref(v);
    return false;
  }
  *out = v;
  return true;
}

/* Whether the response has errors: gql_run writes "errors" first, and
 * only when there are some (exec.h). */
static bool has_errors(const buf *response) {
  static const char prefix[] = "{\"errors\":";
  return response->len >= sizeof prefix - 1 &&
         memcmp(response->data, prefix, sizeof prefix - 1) == 0;
}

/* Runs the query against the schema, workspace and instance, prints the
 * response; returns the exit status. */
static int run(const options *o, const buf *query, const json_t *variables,
               const gql_schema *schema, api_workspace *workspace, run_instance *instance) {
  api_context ctx = {.read_only = false, .workspace = workspace, .instance = instance};
  arena *a = arena_new(0);
  gql_request req = {
      .schema = schema,
      .operation_name = o->operation,
      .variables = variables,
      .context = &ctx,
      .arena = a,
  };
  /* Mutations are allowed (this is the owner's own workspace); there is no
   * event stream to carry a subscription's events. */
  gql_run_options opts = {.limits = &gql_default_limits, .forbid_subscriptions = true};
  buf out;
  buf_init(&out, a);
  gql_run(&req, query->data ? query->data : "", query->len, &opts, &out);
  fwrite(out.data, 1, out.len, stdout);
  fputc('\n', stdout);
  int status = has_errors(&out) ? 1 : 0;
  arena_free(a);
  if (fflush(stdout) != 0) {
    fprintf(stderr, CMD ": cannot write the response: %s\n", strerror(errno));
    return 1;
  }
  return status;
}

int cli_graphql(int argc, char **argv) {
  options o = {0};
  int rc = parse_options(argc, argv, &o);
  if (rc >= 0)
    return rc;

  buf query;
  buf_init(&query, NULL);
  json_t *variables = NULL;
  if (!read_query(&o, &query) || !parse_variables(o.variables, &variables)) {
    buf_free(&query);
    return 2;
  }

  rc = 1;
  char err[256];
  gql_schema *schema = api_schema_new(NULL, err, sizeof err);
  run_instance *instance = NULL;
  api_workspace *workspace = NULL;
  if (!schema)
    fprintf(stderr, CMD ": %s\n", err);
  else if ((instance = cli_instance_open(CMD, o.home)) != NULL &&
           (workspace = cli_workspace_load(CMD, o.workspace)) != NULL)
    rc = run(&o, &query, variables, schema, workspace, instance);

  api_workspace_free(workspace);
  run_instance_close(instance);
  gql_schema_free(schema);
  json_decref(variables);
  buf_free(&query);
  return rc;
}
