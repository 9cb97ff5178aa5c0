/* job_cmd.c — `dagd job list` and `dagd job show JOB`: what the
 * workspace's jobs are, read through the GraphQL API (workspaceOrError,
 * pipelineOrError, runConfigSchemaOrError) in process or over --url.
 *
 * `job show` summarises the run config schema as a tree built from
 * allConfigTypes by key, not by nesting selections in the query: the
 * schema's depth is the job's, and a query can only nest as deep as it is
 * written. The top-level sections other than ops and resources (the
 * executor, the loggers) are Dagster's boilerplate and stay one line. */
#include "cli/job_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define MAX_CONFIG_DEPTH 32
/* Characters of a description `job list` shows. */
#define LIST_DESCRIPTION_CHARS 100

/* The locations with their repositories and jobs; locations that failed
 * to load carry their PythonError. */
static const char workspace_doc[] =
    "query DagdJobs {\n"
    "  workspaceOrError {\n"
    "    __typename\n"
    "    ... on Workspace { locationEntries { name locationOrLoadError { __typename\n"
    "      ... on RepositoryLocation { name repositories { name jobs { name description } } }\n"
    "      ... on PythonError { message } } } }\n"
    "    ... on Error { message }\n"
    "  }\n"
    "}\n";

static const char show_doc[] =
    "query DagdJob($s: PipelineSelector!) {\n"
    "  pipelineOrError(params: $s) {\n"
    "    __typename\n"
    "    ... on Pipeline { name description tags { key value }\n"
    "      solids { name definition { name }\n"
    "        inputs { definition { name } dependsOn { solid { name } definition { name } } }\n"
    "        outputs { definition { name } } } }\n"
    "    ... on PythonError { className }\n"
    "    ... on Error { message }\n"
    "  }\n"
    "  runConfigSchemaOrError(selector: $s) {\n"
    "    __typename\n"
    "    ... on RunConfigSchema { rootConfigType { key } allConfigTypes { __typename key\n"
    "      ... on CompositeConfigType { fields { name isRequired configTypeKey defaultValueAsJson "
    "} }\n"
    "      ... on RegularConfigType { givenName }\n"
    "      ... on EnumConfigType { givenName }\n"
    "      ... on ArrayConfigType { ofType { key } }\n"
    "      ... on NullableConfigType { ofType { key } }\n"
    "      ... on MapConfigType { keyType { key } valueType { key } }\n"
    "      ... on ScalarUnionConfigType { scalarTypeKey nonScalarTypeKey } } }\n"
    "    ... on PythonError { className }\n"
    "    ... on Error { message }\n"
    "  }\n"
    "}\n";

static const char usage_job[] = "usage: dagd job <list|show> [options]\n"
                                "\n"
                                "The workspace's jobs. 'dagd job <command> --help' for each.\n"
                                "  list             the jobs of every location and repository\n"
                                "  show JOB         a job's ops, dependencies and config schema\n";

static const char usage_list[] =
    "usage: dagd job list [-l LOCATION] [options]\n"
    "\n"
    "Lists the jobs of the workspace: location, repository, job.\n"
    "\n"
    "Options:\n"
    "  -l, --location NAME    only this code location's jobs\n" CLI_CLIENT_HELP;

static const char usage_show[] =
    "usage: dagd job show JOB [-l LOCATION] [-r REPOSITORY] [options]\n"
    "\n"
    "Shows a job: its ops with their inputs' upstream outputs, and a summary of\n"
    "its run config schema. -l/-r are needed only when several repositories\n"
    "have a job of that name.\n"
    "\n"
    "Options:\n"
    "  -l, --location NAME    the job's code location\n"
    "  -r, --repository NAME  the job's repository\n" CLI_CLIENT_HELP;

/* What -l and -r gave. */
typedef struct job_args {
  const char *location;
  const char *repository;
} job_args;

static int own_option(int c, const char *arg, void *ctx) {
  job_args *a = ctx;
  if (c == 'l')
    a->location = arg;
  else if (c == 'r')
    a->repository = arg;
  else
    return CLI_EXIT_USAGE;
  return -1;
}

static const struct option long_options[] = {
    CLI_CLIENT_LONG_OPTIONS,
    {"location", required_argument, NULL, 'l'},
    {"repository", required_argument, NULL, 'r'},
    {NULL, 0, NULL, 0},
};

/* The workspace's locations (workspaceOrError's locationEntries) into
 * *data; the entries array, or NULL after explaining (*status set). */
static const json_t *fetch_locations(cli_client *c, const char *cmd, json_t **data, int *status) {
  *data = cli_client_request(c, workspace_doc, NULL);
  if (!*data) {
    *status = CLI_EXIT_SERVER;
    return NULL;
  }
  const json_t *ws = json_object_get(*data, "workspaceOrError");
  if (!cli_json_is(ws, "Workspace")) {
    *status = cli_report_error(cmd, "cannot read the workspace", ws);
    return NULL;
  }
  return json_object_get(ws, "locationEntries");
}

/* Calls fn for every job of every loaded location (filtered by location
 * and repository when not NULL); warns on stderr about the locations that
 * failed to load. */
static void each_job(const char *cmd, const json_t *entries, const char *location,
                     const char *repository,
                     void (*fn)(const char *loc, const char *repo, const json_t *job, void *ctx),
                     void *ctx) {
  size_t i, j, k;
  const json_t *entry, *repo, *job;
  json_array_foreach(entries, i, entry) {
    const char *name = cli_json_str(entry, "name");
    if (location && (!name || strcmp(name, location) != 0))
      continue;
    const json_t *loc = json_object_get(entry, "locationOrLoadError");
    if (!cli_json_is(loc, "RepositoryLocation")) {
      const char *m = loc ? cli_error_message(loc) : "still loading";
      cli_printf(stderr, "%s: location '%s' failed to load: %.*s", cmd, name ? name : "?",
                 (int)strcspn(m, "\n"), m);
      continue;
    }
    json_array_foreach(json_object_get(loc, "repositories"), j, repo) {
      const char *repo_name = cli_json_str(repo, "name");
      if (repository && (!repo_name || strcmp(repo_name, repository) != 0))
        continue;
      json_array_foreach(json_object_get(repo, "jobs"), k, job) { fn(name, repo_name, job, ctx); }
    }
  }
}

/* The start of a description for one table cell into out: its first line,
 * cut at a character boundary after LIST_DESCRIPTION_CHARS characters,
 * with … when anything but white space was left out. */
static const char *description_start(const char *desc, buf *out) {
  size_t line = strcspn(desc, "\n");
  size_t cut = cli_cut(desc, line, LIST_DESCRIPTION_CHARS);
  bool more = cut < line || desc[line + strspn(desc + line, " \t\r\n")] != '\0';
  buf_printf(out, "%.*s%s", (int)cut, desc, more ? "…" : "");
  return out->data;
}

static void add_job_row(const char *loc, const char *repo, const json_t *job, void *ctx) {
  const char *desc = cli_json_str(job, "description");
  buf start;
  buf_init(&start, NULL);
  const char *cells[] = {loc, repo, cli_json_str(job, "name"),
                         desc ? description_start(desc, &start) : NULL};
  cli_table_add(ctx, cells);
  buf_free(&start);
}

static int job_list(cli_client *c, const char *cmd, const cli_client_options *o,
                    const job_args *a) {
  json_t *data = NULL;
  int status = CLI_EXIT_OK;
  const json_t *entries = fetch_locations(c, cmd, &data, &status);
  if (entries) {
    if (o->json) {
      cli_print_json(data);
    } else {
      static const char *const header[] = {"LOCATION", "REPOSITORY", "JOB", "DESCRIPTION"};
      cli_table *t = cli_table_new(4, header);
      each_job(cmd, entries, a->location, NULL, add_job_row, t);
      cli_table_print(t, stdout);
    }
  }
  json_decref(data);
  return status;
}

/* Where a job was found, for cli_job_locate. */
typedef struct job_matches {
  const char *job;
  size_t n;
  const char *loc;
  const char *repo;
  buf all; /* "loc/repo, …" for the message when several match */
} job_matches;

static void match_job(const char *loc, const char *repo, const json_t *job, void *ctx) {
  job_matches *m = ctx;
  const char *name = cli_json_str(job, "name");
  if (!name || strcmp(name, m->job) != 0)
    return;
  buf_printf(&m->all, "%s%s/%s", m->n ? ", " : "", loc, repo);
  m->n++;
  m->loc = loc;
  m->repo = repo;
}

int cli_job_locate(cli_client *c, const char *cmd, const char *job, char **location,
                   char **repository) {
  if (*location && *repository) {
    *location = strdup(*location);
    *repository = strdup(*repository);
    return -1;
  }
  json_t *data = NULL;
  int status = -1;
  const json_t *entries = fetch_locations(c, cmd, &data, &status);
  if (!entries) {
    json_decref(data);
    return status;
  }
  job_matches m = {.job = job};
  buf_init(&m.all, NULL);
  each_job(cmd, entries, *location, *repository, match_job, &m);
  if (m.n == 1) {
    *location = strdup(m.loc);
    *repository = strdup(m.repo);
  } else if (m.n == 0) {
    cli_printf(stderr, "%s: no job named '%s' in %s%s%s (see 'dagd job list')", cmd, job,
               *location ? "location '" : "the workspace", *location ? *location : "",
               *location ? "'" : "");
    status = CLI_EXIT_FAILED;
  } else {
    cli_printf(stderr,
               "%s: several repositories have a job named '%s' (%s): choose one with "
               "-l LOCATION and -r REPOSITORY",
               cmd, job, m.all.data);
    status = CLI_EXIT_USAGE;
  }
  buf_free(&m.all);
  json_decref(data);
  return status;
}

/* ---- job show -------------------------------------------------------- */

/* The ops table: each op, its definition, each input with the upstream
 * outputs it reads, its outputs. */
static void print_ops(const json_t *solids) {
  static const char *const header[] = {"OP", "DEFINITION", "INPUTS", "OUTPUTS"};
  cli_table *t = cli_table_new(4, header);
  size_t i, j, k;
  const json_t *solid, *input, *dep, *output;
  json_array_foreach(solids, i, solid) {
    buf inputs, outputs;
    buf_init(&inputs, NULL);
    buf_init(&outputs, NULL);
    json_array_foreach(json_object_get(solid, "inputs"), j, input) {
      buf_printf(&inputs, "%s%s", inputs.len ? ", " : "",
                 cli_json_str(json_object_get(input, "definition"), "name"));
      const json_t *deps = json_object_get(input, "dependsOn");
      json_array_foreach(deps, k, dep) {
        buf_printf(&inputs, "%s%s.%s", k ? " + " : " <- ",
                   cli_json_str(json_object_get(dep, "solid"), "name"),
                   cli_json_str(json_object_get(dep, "definition"), "name"));
      }
      if (json_array_size(deps) == 0)
        buf_puts(&inputs, " (config)");
    }
    json_array_foreach(json_object_get(solid, "outputs"), j, output) {
      buf_printf(&outputs, "%s%s", outputs.len ? ", " : "",
                 cli_json_str(json_object_get(output, "definition"), "name"));
    }
    const char *cells[] = {cli_json_str(solid, "name"),
                           cli_json_str(json_object_get(solid, "definition"), "name"),
                           inputs.len ? inputs.data : NULL, outputs.len ? outputs.data : NULL};
    cli_table_add(t, cells);
    buf_free(&inputs);
    buf_free(&outputs);
  }
  cli_table_print(t, stdout);
}

/* The config types by key, for the schema tree. */
typedef struct config_types {
  const json_t *by_key; /* key → the type's JSON object */
} config_types;

/* A readable name of the type with key `key` into out: Int, [String],
 * String?, Map[String, Int], … ({…} for a composite). */
static void type_label(const config_types *ts, const char *key, buf *out, int depth) {
  const json_t *t = json_object_get(ts->by_key, key);
  const char *kind = cli_json_str(t, "__typename");
  if (!t || !kind || depth > MAX_CONFIG_DEPTH) {
    buf_puts(out, key ? key : "?");
    return;
  }
  if (strcmp(kind, "ArrayConfigType") == 0 || strcmp(kind, "NullableConfigType") == 0) {
    bool array = kind[0] == 'A';
    if (array)
      buf_putc(out, '[');
    type_label(ts, cli_json_str(json_object_get(t, "ofType"), "key"), out, depth + 1);
    buf_puts(out, array ? "]" : "?");
  } else if (strcmp(kind, "MapConfigType") == 0) {
    buf_puts(out, "Map[");
    type_label(ts, cli_json_str(json_object_get(t, "keyType"), "key"), out, depth + 1);
    buf_puts(out, ", ");
    type_label(ts, cli_json_str(json_object_get(t, "valueType"), "key"), out, depth + 1);
    buf_putc(out, ']');
  } else if (strcmp(kind, "ScalarUnionConfigType") == 0) {
    type_label(ts, cli_json_str(t, "scalarTypeKey"), out, depth + 1);
    buf_puts(out, " | ");
    type_label(ts, cli_json_str(t, "nonScalarTypeKey"), out, depth + 1);
  } else if (strcmp(kind, "CompositeConfigType") == 0) {
    buf_puts(out, "{…}");
  } else {
    const char *given = cli_json_str(t, "givenName");
    buf_puts(out, given ? given : key);
  }
}

/* Prints the fields of composite type `key` indented by depth, the
 * children of composite fields below them. */
static void print_fields(const config_types *ts, const char *key, int depth) {
  const json_t *t = json_object_get(ts->by_key, key);
  size_t i;
  const json_t *field;
  json_array_foreach(json_object_get(t, "fields"), i, field) {
    const char *name = cli_json_str(field, "name");
    const char *field_key = cli_json_str(field, "configTypeKey");
    bool composite =
        cli_json_is(json_object_get(ts->by_key, field_key ? field_key : ""), "CompositeConfigType");
    bool required = json_is_true(json_object_get(field, "isRequired"));
    const char *dflt = cli_json_str(field, "defaultValueAsJson");
    /* Only ops and resources are the job's own at the top. */
    bool expand = composite && depth < MAX_CONFIG_DEPTH &&
                  (depth > 1 || strcmp(name, "ops") == 0 || strcmp(name, "resources") == 0);
    buf line;
    buf_init(&line, NULL);
    buf_printf(&line, "%*s%s:", depth * 2, "", name);
    if (!expand) {
      buf_putc(&line, ' ');
      type_label(ts, field_key, &line, 0);
    }
    if (required)
      buf_puts(&line, "  (required)");
    else if (dflt && !expand)
      buf_printf(&line, "  (default %s)", dflt);
    else
      buf_puts(&line, "  (optional)");
    char *clean = cli_clean(line.data, NULL); /* names and defaults are the definitions' */
    puts(clean);
    free(clean);
    buf_free(&line);
    if (expand)
      print_fields(ts, field_key, depth + 1);
  }
}

static void print_config_schema(const json_t *schema) {
  json_t *by_key = json_object();
  size_t i;
  const json_t *t;
  json_array_foreach(json_object_get(schema, "allConfigTypes"), i, t) {
    const char *key = cli_json_str(t, "key");
    if (key)
      json_object_set(by_key, key, (json_t *)t);
  }
  config_types ts = {.by_key = by_key};
  puts("Run config:");
  print_fields(&ts, cli_json_str(json_object_get(schema, "rootConfigType"), "key"), 1);
  json_decref(by_key);
}

static void print_job(const json_t *job, const char *location, const char *repository,
                      const json_t *schema) {
  buf tags;
  buf_init(&tags, NULL);
  const char *desc = cli_json_str(job, "description");
  const char *rows[][2] = {{"Job:", cli_json_str(job, "name")},
                           {"Location:", location},
                           {"Repository:", repository},
                           {"Description:", desc},
                           {"Tags:", cli_join_tags(json_object_get(job, "tags"), &tags)}};
  cli_table *t = cli_table_new(2, NULL);
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++)
    cli_table_add(t, rows[r]);
  cli_table_print(t, stdout);
  buf_free(&tags);
  putchar('\n');
  print_ops(json_object_get(job, "solids"));
  putchar('\n');
  print_config_schema(schema);
}

static int job_show(cli_client *c, const char *cmd, const cli_client_options *o, const job_args *a,
                    const char *name) {
  char *location = (char *)a->location;
  char *repository = (char *)a->repository;
  int status = cli_job_locate(c, cmd, name, &location, &repository);
  if (status >= 0)
    return status;
  json_t *vars = json_pack("{s:{s:s,s:s,s:s}}", "s", "pipelineName", name, "repositoryName",
                           repository, "repositoryLocationName", location);
  json_t *data = cli_client_request(c, show_doc, vars);
  const json_t *job = json_object_get(data, "pipelineOrError");
  const json_t *schema = json_object_get(data, "runConfigSchemaOrError");
  status = CLI_EXIT_OK;
  if (!data)
    status = CLI_EXIT_SERVER;
  else if (!cli_json_is(job, "Pipeline"))
    status = cli_report_error(cmd, name, job);
  else if (!cli_json_is(schema, "RunConfigSchema"))
    status = cli_report_error(cmd, name, schema);
  else if (o->json)
    cli_print_json(data);
  else
    print_job(job, location, repository, schema);
  json_decref(data);
  json_decref(vars);
  free(location);
  free(repository);
  return status;
}

int cli_job(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_job, stderr);
    return CLI_EXIT_USAGE;
  }
  const char *sub = argv[1];
  if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
    fputs(usage_job, stdout);
    return CLI_EXIT_OK;
  }
  bool list = strcmp(sub, "list") == 0;
  if (!list && strcmp(sub, "show") != 0) {
    fprintf(stderr, "dagd job: unknown command '%s' (list or show)\n", sub);
    return CLI_EXIT_USAGE;
  }
  const char *cmd = list ? "dagd job list" : "dagd job show";
  const char *usage = list ? usage_list : usage_show;
  cli_client_options o = {.needs_workspace = true};
  job_args a = {0};
  int status = cli_parse_options(cmd, usage, argc - 1, argv + 1, list ? "l:" : "l:r:", long_options,
                                 &o, own_option, &a);
  if (status >= 0)
    return status;
  int operands = argc - 1 - optind;
  if (list ? operands != 0 : operands != 1) {
    fprintf(stderr,
            list ? "%s: takes no arguments (see --help)\n"
                 : "%s: give exactly one job name (see --help)\n",
            cmd);
    return CLI_EXIT_USAGE;
  }
  if (list && a.repository) {
    fprintf(stderr, "%s: unknown option '-r' (see --help)\n", cmd);
    return CLI_EXIT_USAGE;
  }
  if (!cli_client_global_init(cmd))
    return CLI_EXIT_SERVER;
  cli_client *c = cli_client_open(cmd, &o, &status);
  if (c) {
    status = list ? job_list(c, cmd, &o, &a) : job_show(c, cmd, &o, &a, argv[1 + optind]);
    cli_client_close(c);
  }
  cli_client_global_cleanup();
  return status;
}
