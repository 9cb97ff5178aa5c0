/* run_cmd.c — `dagd run list|show|logs|launch|terminate|delete|reexecute`:
 * runs for people at a terminal, through Dagster's GraphQL API (the
 * documents below are what any remote client could send), in process or
 * over --url (client.c).
 *
 * Waiting on a run (`launch --wait`, `reexecute --wait`) and following its
 * logs (`logs --follow`) share one loop that polls logsForRun from a
 * cursor: polling needs nothing but queries, so it works against any
 * server and in process alike. Each poll asks for the run's status before
 * its events; once the status is final, one more poll is made, which
 * therefore sees every event written before the run ended. Progress while
 * waiting comes from the run's own events, in their order, on stderr, so
 * stdout keeps only what a script reads (the run id, or --json). */
#include "cli/run_cmd.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/fs.h"
#include "base/json.h"
#include "cli/client.h"
#include "cli/job_cmd.h"

/* How often a run is polled while waiting or following (seconds). */
#define POLL_INTERVAL 0.25
/* Events asked for per logsForRun request. */
#define LOG_PAGE 500
/* Runs listed when no --limit is given. */
#define DEFAULT_LIST_LIMIT 50

/* ---- documents ------------------------------------------------------- */

static const char list_doc[] =
    "query DagdRuns($filter: RunsFilter, $cursor: String, $limit: Int) {\n"
    "  runsOrError(filter: $filter, cursor: $cursor, limit: $limit) {\n"
    "    __typename\n"
    "    ... on Runs { count results { runId jobName status creationTime startTime endTime } }\n"
    "    ... on PythonError { className }\n"
    "    ... on Error { message }\n"
    "  }\n"
    "}\n";

static const char show_doc[] =
    "query DagdRun($id: ID!) {\n"
    "  runOrError(runId: $id) {\n"
    "    __typename\n"
    "    ... on Run { runId jobName status mode creationTime startTime endTime\n"
    "      rootRunId parentRunId canTerminate solidSelection resolvedOpSelection "
    "stepKeysToExecute\n"
    "      repositoryOrigin { repositoryLocationName repositoryName }\n"
    "      tags { key value } runConfigYaml\n"
    "      stats { __typename ... on RunStatsSnapshot { stepsSucceeded stepsFailed "
    "materializations\n"
    "        expectations enqueuedTime launchTime startTime endTime } ... on PythonError { message "
    "} }\n"
    "      stepStats { stepKey status startTime endTime attempts { startTime endTime } } }\n"
    "    ... on PythonError { className }\n"
    "    ... on Error { message }\n"
    "  }\n"
    "}\n";

/* The status first, then the events: see the top comment. */
static const char logs_doc[] =
    "query DagdRunLogs($id: ID!, $cursor: String, $limit: Int) {\n"
    "  runOrError(runId: $id) {\n"
    "    __typename ... on Run { status } ... on PythonError { className } ... on Error { message "
    "}\n"
    "  }\n"
    "  logsForRun(runId: $id, afterCursor: $cursor, limit: $limit) {\n"
    "    __typename\n"
    "    ... on EventConnection { cursor hasMore events { __typename\n"
    "      ... on MessageEvent { timestamp level stepKey eventType message }\n"
    "      ... on ErrorEvent { error { className message } } } }\n"
    "    ... on PythonError { className }\n"
    "    ... on Error { message }\n"
    "  }\n"
    "}\n";

/* What launchRun and launchRunReexecution answer, the same members. */
#define LAUNCH_RESULT                                                                              \
  "    __typename\n"                                                                               \
  "    ... on LaunchRunSuccess { run { runId jobName status } }\n"                                 \
  "    ... on RunConfigValidationInvalid { pipelineName errors { __typename message reason } }\n"  \
  "    ... on InvalidStepError { invalidStepKey }\n"                                               \
  "    ... on InvalidOutputError { stepKey invalidOutputName }\n"                                  \
  "    ... on PythonError { className }\n"                                                         \
  "    ... on Error { message }\n"

static const char launch_doc[] = "mutation DagdLaunch($p: ExecutionParams!) {\n"
                                 "  launchRun(executionParams: $p) {\n" LAUNCH_RESULT "  }\n"
                                 "}\n";

static const char reexecute_doc[] =
    "mutation DagdReexecute($p: ReexecutionParams!) {\n"
    "  launchRunReexecution(reexecutionParams: $p) {\n" LAUNCH_RESULT "  }\n"
    "}\n";

static const char terminate_doc[] =
    "mutation DagdTerminate($ids: [String!]!, $policy: TerminateRunPolicy) {\n"
    "  terminateRuns(runIds: $ids, terminatePolicy: $policy) {\n"
    "    __typename\n"
    "    ... on TerminateRunsResult { terminateRunResults { __typename\n"
    "      ... on TerminateRunSuccess { run { runId status } }\n"
    "      ... on TerminateRunFailure { message run { runId status } }\n"
    "      ... on RunNotFoundError { runId }\n"
    "      ... on PythonError { className }\n"
    "      ... on Error { message } } }\n"
    "    ... on PythonError { className message }\n"
    "  }\n"
    "}\n";

static const char delete_doc[] = "mutation DagdDelete($id: String!) {\n"
                                 "  deleteRun(runId: $id) {\n"
                                 "    __typename\n"
                                 "    ... on DeletePipelineRunSuccess { runId }\n"
                                 "    ... on PythonError { className }\n"
                                 "    ... on Error { message }\n"
                                 "  }\n"
                                 "}\n";

/* ---- usage ----------------------------------------------------------- */

static const char usage_run[] =
    "usage: dagd run <command> [options]\n"
    "\n"
    "Runs of the local instance, or of a running dagd with --url.\n"
    "'dagd run <command> --help' for each command's options.\n"
    "\n"
    "Commands:\n"
    "  list                 the runs, newest first\n"
    "  show RUN_ID          a run: status, times, tags, config, step stats\n"
    "  logs RUN_ID          a run's events (--follow: until it finishes)\n"
    "  launch JOB           launch a run of a job (--wait: until it finishes)\n"
    "  terminate RUN_ID...  terminate runs (--force: mark canceled at once)\n"
    "  delete RUN_ID...     delete runs, their events and files\n"
    "  reexecute RUN_ID     launch a run again (--from-failure: the failed steps)\n"
    "\n"
    "Exit statuses: 0 done (a waited-for run succeeded); 1 refused (unknown run or\n"
    "job, invalid config, …) or a waited-for run failed or was canceled; 2 usage\n"
    "error; 3 no answer (connection, HTTP, instance or GraphQL errors).\n";

static const char usage_list[] =
    "usage: dagd run list [options]\n"
    "\n"
    "Lists runs, newest first: run id, job, status, creation time, duration.\n"
    "\n"
    "Options:\n"
    "      --status STATUS    only runs in this status (repeatable, or comma-separated:\n"
    "                         QUEUED, NOT_STARTED, MANAGED, STARTING, STARTED, SUCCESS,\n"
    "                         FAILURE, CANCELING, CANCELED)\n"
    "      --job NAME         only runs of this job\n"
    "      --tag KEY=VALUE    only runs with this tag (repeatable: all must match)\n"
    "      --limit N          at most N runs (default 50)\n"
    "      --cursor RUN_ID    the runs after this one (the next page)\n" CLI_CLIENT_HELP;

static const char usage_show[] = "usage: dagd run show RUN_ID [options]\n"
                                 "\n"
                                 "Shows a run: job, status, times, tags, config and its steps.\n"
                                 "\n"
                                 "Options:\n" CLI_CLIENT_HELP;

static const char usage_logs[] =
    "usage: dagd run logs RUN_ID [options]\n"
    "\n"
    "Prints a run's events, one a line: time, level, step, message. With --json,\n"
    "each page of logsForRun as one line of JSON.\n"
    "\n"
    "Options:\n"
    "  -f, --follow           keep printing new events until the run finishes\n"
    "      --after CURSOR     only the events after this logsForRun cursor\n" CLI_CLIENT_HELP;

static const char usage_launch[] =
    "usage: dagd run launch JOB [options]\n"
    "\n"
    "Launches a run of JOB and prints its run id. -l/-r are needed only when\n"
    "several repositories have a job of that name. With --wait, progress goes to\n"
    "stderr and the exit status is 0 for SUCCESS, 1 for FAILURE or CANCELED.\n"
    "\n"
    "Options:\n"
    "  -l, --location NAME      the job's code location\n"
    "  -r, --repository NAME    the job's repository\n"
    "      --config FILE        the run config, a YAML (or JSON) file ('-': stdin)\n"
    "  -c, --config-json JSON   the run config as a JSON object\n"
    "      --tag KEY=VALUE      a tag of the run (repeatable)\n"
    "      --op-selection SEL   run only these ops: Dagster's selection syntax\n"
    "                           (*op, op+, …); repeatable or comma-separated\n"
    "      --wait               wait until the run finishes\n" CLI_CLIENT_HELP;

static const char usage_terminate[] =
    "usage: dagd run terminate RUN_ID... [options]\n"
    "\n"
    "Terminates runs: their processes are stopped and they end CANCELED.\n"
    "\n"
    "Options:\n"
    "      --force            mark them canceled at once (MARK_AS_CANCELED_IMMEDIATELY)\n"
    "                         instead of waiting for their workers to stop\n" CLI_CLIENT_HELP;

static const char usage_delete[] = "usage: dagd run delete RUN_ID... [options]\n"
                                   "\n"
                                   "Deletes runs with their events, logs and outputs.\n"
                                   "\n"
                                   "Options:\n" CLI_CLIENT_HELP;

static const char usage_reexecute[] =
    "usage: dagd run reexecute RUN_ID [options]\n"
    "\n"
    "Launches a new run of a run's job with its config, and prints its run id.\n"
    "\n"
    "Options:\n"
    "      --from-failure     only the steps that failed or did not run, and their\n"
    "                         downstream (default: every step)\n"
    "      --wait             wait until the run finishes (exit 0 SUCCESS, 1 "
    "otherwise)\n" CLI_CLIENT_HELP;

/* ---- options --------------------------------------------------------- */

enum {
  OPT_STATUS = 2000,
  OPT_JOB,
  OPT_TAG,
  OPT_LIMIT,
  OPT_CURSOR,
  OPT_AFTER,
  OPT_CONFIG,
  OPT_OP_SELECTION,
  OPT_WAIT,
  OPT_FORCE,
  OPT_FROM_FAILURE,
};

/* Everything a run subcommand was given. */
typedef struct run_ctx {
  const char *cmd;
  cli_client_options o;
  json_t *statuses;     /* --status: array of enum names */
  json_t *tags;         /* --tag: array of ExecutionTag objects */
  json_t *op_selection; /* --op-selection: array of strings */
  json_t *run_config;   /* --config text or -c object; NULL: none */
  const char *job;
  const char *cursor;
  const char *after;
  const char *location;
  const char *repository;
  const char *config_file;
  const char *config_json;
  long limit; /* 0: none given */
  bool follow, wait, force, from_failure;
  char **args; /* the operands */
  int n_args;
} run_ctx;

static const char *const run_statuses[] = {"QUEUED",   "NOT_STARTED", "MANAGED",
                                           "STARTING", "STARTED",     "SUCCESS",
                                           "FAILURE",  "CANCELING",   "CANCELED"};

static bool is_finished(const char *status) {
  return status && (strcmp(status, "SUCCESS") == 0 || strcmp(status, "FAILURE") == 0 ||
                    strcmp(status, "CANCELED") == 0);
}

/* Appends the comma-separated items of arg to *list (made when NULL),
 * uppercased when `upper`; false for an empty item. */
static bool add_items(json_t **list, const char *arg, bool upper) {
  if (!*list)
    *list = json_array();
  const char *p = arg;
  for (;;) {
    size_t n = strcspn(p, ",");
    char *item = strndup(p, n);
    for (char *q = item; upper && *q; q++)
      *q = (char)toupper((unsigned char)*q);
    bool ok = n > 0 && json_array_append_new(*list, json_string(item)) == 0;
    free(item);
    if (!ok)
      return false;
    if (!p[n])
      return true;
    p += n + 1;
  }
}

/* Checks the --status names against RunStatus. */
static bool statuses_known(const char *cmd, const json_t *statuses) {
  size_t i;
  const json_t *s;
  json_array_foreach(statuses, i, s) {
    bool known = false;
    for (size_t k = 0; k < sizeof run_statuses / sizeof *run_statuses; k++)
      known = known || strcmp(json_string_value(s), run_statuses[k]) == 0;
    if (!known) {
      buf names;
      buf_init(&names, NULL);
      for (size_t k = 0; k < sizeof run_statuses / sizeof *run_statuses; k++)
        buf_printf(&names, "%s%s", k ? ", " : "", run_statuses[k]);
      fprintf(stderr, "%s: unknown status '%s' (one of %s)\n", cmd, json_string_value(s),
              names.data);
      buf_free(&names);
      return false;
    }
  }
  return true;
}

static int own_option(int c, const char *arg, void *ctx) {
  run_ctx *x = ctx;
  switch (c) {
  case OPT_STATUS:
    if (!add_items(&x->statuses, arg, true)) {
      fprintf(stderr, "%s: --status has an empty item: '%s'\n", x->cmd, arg);
      return CLI_EXIT_USAGE;
    }
    return statuses_known(x->cmd, x->statuses) ? -1 : CLI_EXIT_USAGE;
  case OPT_JOB:
    x->job = arg;
    return -1;
  case OPT_TAG: {
    json_t *tag = cli_parse_tag(x->cmd, arg);
    if (!tag)
      return CLI_EXIT_USAGE;
    if (!x->tags)
      x->tags = json_array();
    json_array_append_new(x->tags, tag);
    return -1;
  }
  case OPT_LIMIT: {
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (errno || end == arg || *end || n < 1 || n > 1000000) {
      fprintf(stderr, "%s: --limit wants a number from 1 to 1000000, not '%s'\n", x->cmd, arg);
      return CLI_EXIT_USAGE;
    }
    x->limit = n;
    return -1;
  }
  case OPT_CURSOR:
    x->cursor = arg;
    return -1;
  case OPT_AFTER:
    x->after = arg;
    return -1;
  case 'f':
    x->follow = true;
    return -1;
  case 'l':
    x->location = arg;
    return -1;
  case 'r':
    x->repository = arg;
    return -1;
  case OPT_CONFIG:
    x->config_file = arg;
    return -1;
  case 'c':
    x->config_json = arg;
    return -1;
  case OPT_OP_SELECTION:
    if (!add_items(&x->op_selection, arg, false)) {
      fprintf(stderr, "%s: --op-selection has an empty item: '%s'\n", x->cmd, arg);
      return CLI_EXIT_USAGE;
    }
    return -1;
  case OPT_WAIT:
    x->wait = true;
    return -1;
  case OPT_FORCE:
    x->force = true;
    return -1;
  case OPT_FROM_FAILURE:
    x->from_failure = true;
    return -1;
  default:
    return CLI_EXIT_USAGE;
  }
}

#define END_OPTIONS                                                                                \
  { NULL, 0, NULL, 0 }

static const struct option list_options[] = {
    CLI_CLIENT_LONG_OPTIONS,
    {"status", required_argument, NULL, OPT_STATUS},
    {"job", required_argument, NULL, OPT_JOB},
    {"tag", required_argument, NULL, OPT_TAG},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"cursor", required_argument, NULL, OPT_CURSOR},
    END_OPTIONS,
};
static const struct option plain_options[] = {CLI_CLIENT_LONG_OPTIONS, END_OPTIONS};
static const struct option logs_options[] = {
    CLI_CLIENT_LONG_OPTIONS,
    {"follow", no_argument, NULL, 'f'},
    {"after", required_argument, NULL, OPT_AFTER},
    END_OPTIONS,
};
static const struct option launch_options[] = {
    CLI_CLIENT_LONG_OPTIONS,
    {"location", required_argument, NULL, 'l'},
    {"repository", required_argument, NULL, 'r'},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"config-json", required_argument, NULL, 'c'},
    {"tag", required_argument, NULL, OPT_TAG},
    {"op-selection", required_argument, NULL, OPT_OP_SELECTION},
    {"wait", no_argument, NULL, OPT_WAIT},
    END_OPTIONS,
};
static const struct option terminate_options[] = {
    CLI_CLIENT_LONG_OPTIONS,
    {"force", no_argument, NULL, OPT_FORCE},
    END_OPTIONS,
};
static const struct option reexecute_options[] = {
    CLI_CLIENT_LONG_OPTIONS,
    {"from-failure", no_argument, NULL, OPT_FROM_FAILURE},
    {"wait", no_argument, NULL, OPT_WAIT},
    END_OPTIONS,
};

/* ---- list ------------------------------------------------------------ */

/* The run's duration so far, or until it ended ("-" before it started). */
static const char *run_duration(const json_t *run, char *out, size_t size) {
  double start = cli_json_number(run, "startTime");
  double end = cli_json_number(run, "endTime");
  if (start <= 0)
    return cli_format_duration(-1, out, size);
  return cli_format_duration((end > 0 ? end : clock_now()) - start, out, size);
}

/* Says how to get the next page when more runs remain. count is every run
 * the filter matches, whatever the cursor: from the first page, more
 * remain exactly when count exceeds the page; after a cursor the runs
 * before it are unknown, so a full page may be followed by more. */
static void print_next_page_hint(const json_t *runs, long limit, bool after_cursor) {
  const json_t *results = json_object_get(runs, "results");
  size_t n = json_array_size(results);
  double count = cli_json_number(runs, "count");
  bool more = after_cursor ? n == (size_t)limit && count > (double)n : count > (double)n;
  if (!more || n == 0)
    return;
  cli_printf(stderr, "(%zu of %.0f runs shown; the next ones: --cursor %s)", n, count,
             cli_json_str(json_array_get(results, n - 1), "runId"));
}

static int run_list(cli_client *c, run_ctx *x) {
  json_t *filter = json_object();
  if (x->statuses)
    json_object_set(filter, "statuses", x->statuses);
  if (x->job)
    json_object_set_new(filter, "pipelineName", json_string(x->job));
  if (x->tags)
    json_object_set(filter, "tags", x->tags);
  long limit = x->limit ? x->limit : DEFAULT_LIST_LIMIT;
  json_t *vars = json_pack("{s:o,s:I}", "filter", filter, "limit", (json_int_t)limit);
  if (x->cursor)
    json_object_set_new(vars, "cursor", json_string(x->cursor));
  json_t *data = cli_client_request(c, list_doc, vars);
  json_decref(vars);
  if (!data)
    return CLI_EXIT_SERVER;
  const json_t *runs = json_object_get(data, "runsOrError");
  int status = CLI_EXIT_OK;
  if (!cli_json_is(runs, "Runs")) {
    status = cli_report_error(x->cmd, "cannot list the runs", runs);
  } else if (x->o.json) {
    cli_print_json(data);
  } else if (json_array_size(json_object_get(runs, "results")) == 0) {
    fprintf(stderr, "%s: no runs%s\n", x->cmd,
            x->statuses || x->job || x->tags || x->cursor ? " match" : "");
  } else {
    static const char *const header[] = {"RUN ID", "JOB", "STATUS", "CREATED", "DURATION"};
    cli_table *t = cli_table_new(5, header);
    const json_t *results = json_object_get(runs, "results");
    size_t i;
    const json_t *run;
    json_array_foreach(results, i, run) {
      char created[32], duration[16];
      const char *cells[] = {
          cli_json_str(run, "runId"), cli_json_str(run, "jobName"), cli_json_str(run, "status"),
          cli_format_time(cli_json_number(run, "creationTime"), false, created, sizeof created),
          run_duration(run, duration, sizeof duration)};
      cli_table_add(t, cells);
    }
    cli_table_print(t, stdout);
    print_next_page_hint(runs, limit, x->cursor != NULL);
  }
  json_decref(data);
  return status;
}

/* ---- show ------------------------------------------------------------ */

/* Items of a JSON array of strings joined by ", " into out; NULL when
 * the array is absent or null. */
static const char *joined(const json_t *list, buf *out) {
  if (!json_is_array(list))
    return NULL;
  size_t i;
  const json_t *s;
  json_array_foreach(list, i, s) { buf_printf(out, "%s%s", i ? ", " : "", json_string_value(s)); }
  return out->data ? out->data : "";
}

static void print_step_stats(const json_t *steps) {
  static const char *const header[] = {"STEP", "STATUS", "STARTED", "DURATION", "ATTEMPTS"};
  cli_table *t = cli_table_new(5, header);
  size_t i;
  const json_t *step;
  json_array_foreach(steps, i, step) {
    char started[32], duration[16], attempts[16];
    double start = cli_json_number(step, "startTime");
    double end = cli_json_number(step, "endTime");
    snprintf(attempts, sizeof attempts, "%zu", json_array_size(json_object_get(step, "attempts")));
    const char *cells[] = {
        cli_json_str(step, "stepKey"), cli_json_str(step, "status"),
        cli_format_time(start, false, started, sizeof started),
        cli_format_duration(start > 0 && end > 0 ? end - start : -1, duration, sizeof duration),
        attempts};
    cli_table_add(t, cells);
  }
  cli_table_print(t, stdout);
}

static void print_run(const json_t *run) {
  buf tags, selection, step_keys, location, steps;
  buf_init(&tags, NULL);
  buf_init(&selection, NULL);
  buf_init(&step_keys, NULL);
  buf_init(&location, NULL);
  buf_init(&steps, NULL);
  const json_t *origin = json_object_get(run, "repositoryOrigin");
  if (json_is_object(origin))
    buf_printf(&location, "%s (repository %s)", cli_json_str(origin, "repositoryLocationName"),
               cli_json_str(origin, "repositoryName"));
  const json_t *stats = json_object_get(run, "stats");
  if (cli_json_is(stats, "RunStatsSnapshot"))
    buf_printf(&steps, "%lld succeeded, %lld failed, %lld materializations",
               (long long)cli_json_number(stats, "stepsSucceeded"),
               (long long)cli_json_number(stats, "stepsFailed"),
               (long long)cli_json_number(stats, "materializations"));
  else
    buf_printf(&steps, "(unavailable: %s)", cli_error_message(stats));
  char created[32], started[32], ended[32], duration[16];
  const char *rows[][2] = {
      {"Run:", cli_json_str(run, "runId")},
      {"Job:", cli_json_str(run, "jobName")},
      {"Status:", cli_json_str(run, "status")},
      {"Location:", location.len ? location.data : NULL},
      {"Created:",
       cli_format_time(cli_json_number(run, "creationTime"), false, created, sizeof created)},
      {"Started:",
       cli_format_time(cli_json_number(run, "startTime"), false, started, sizeof started)},
      {"Ended:", cli_format_time(cli_json_number(run, "endTime"), false, ended, sizeof ended)},
      {"Duration:", run_duration(run, duration, sizeof duration)},
      {"Op selection:", joined(json_object_get(run, "resolvedOpSelection"), &selection)},
      {"Steps to run:", joined(json_object_get(run, "stepKeysToExecute"), &step_keys)},
      {"Parent run:", cli_json_str(run, "parentRunId")},
      {"Root run:", cli_json_str(run, "rootRunId")},
      {"Tags:", cli_join_tags(json_object_get(run, "tags"), &tags)},
      {"Steps:", steps.data},
  };
  cli_table *t = cli_table_new(2, NULL);
  for (size_t r = 0; r < sizeof rows / sizeof *rows; r++) {
    /* Lineage and selections only when the run has them. */
    if (rows[r][1] || r < 8 || r == 12)
      cli_table_add(t, rows[r]);
  }
  cli_table_print(t, stdout);
  const char *yaml = cli_json_str(run, "runConfigYaml");
  if (yaml && strcmp(yaml, "{}\n") != 0 && *yaml) {
    char *clean = cli_clean(yaml, "  ");
    printf("Run config:\n  %s\n", clean);
    free(clean);
  }
  putchar('\n');
  print_step_stats(json_object_get(run, "stepStats"));
  buf_free(&tags);
  buf_free(&selection);
  buf_free(&step_keys);
  buf_free(&location);
  buf_free(&steps);
}

/* Fetches the run (show_doc): returns the response's data (a new
 * reference) with *run its Run, printed as JSON with --json; NULL after
 * explaining, with *status the exit status. */
static json_t *fetch_run(cli_client *c, run_ctx *x, const char *run_id, const json_t **run,
                         int *status) {
  json_t *vars = json_pack("{s:s}", "id", run_id);
  json_t *data = cli_client_request(c, show_doc, vars);
  json_decref(vars);
  if (!data) {
    *status = CLI_EXIT_SERVER;
    return NULL;
  }
  *run = json_object_get(data, "runOrError");
  if (!cli_json_is(*run, "Run")) {
    *status = cli_report_error(x->cmd, run_id, *run);
    json_decref(data);
    return NULL;
  }
  if (x->o.json)
    cli_print_json(data);
  return data;
}

static int run_show(cli_client *c, run_ctx *x) {
  const json_t *run;
  int status = CLI_EXIT_OK;
  json_t *data = fetch_run(c, x, x->args[0], &run, &status);
  if (data && !x->o.json)
    print_run(run);
  json_decref(data);
  return status;
}

/* ---- following a run ------------------------------------------------- */

typedef void (*page_fn)(const json_t *data, void *ctx);

static void sleep_seconds(double s) {
  struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Reads the run's events from cursor (NULL: the first) page by page,
 * handing each response's data to on_page; with until_finished, keeps
 * polling until the run is over. Returns -1 when done, else the exit status
 * after explaining. */
static int follow_run(cli_client *c, run_ctx *x, const char *run_id, const char *cursor,
                      bool until_finished, page_fn on_page, void *ctx) {
  char final_status[16] = "";
  char *cur = cursor ? strdup(cursor) : NULL;
  bool saw_finished = false;
  int status = -1;
  for (;;) {
    json_t *vars = json_pack("{s:s,s:o,s:i}", "id", run_id, "cursor",
                             cur ? json_string(cur) : json_null(), "limit", LOG_PAGE);
    json_t *data = cli_client_request(c, logs_doc, vars);
    json_decref(vars);
    if (!data) {
      status = CLI_EXIT_SERVER;
      break;
    }
    const json_t *run = json_object_get(data, "runOrError");
    const json_t *logs = json_object_get(data, "logsForRun");
    if (!cli_json_is(run, "Run") || !cli_json_is(logs, "EventConnection")) {
      status = cli_report_error(x->cmd, run_id, cli_json_is(run, "Run") ? logs : run);
      json_decref(data);
      break;
    }
    on_page(data, ctx);
    free(cur);
    cur = strdup(cli_json_str(logs, "cursor") ? cli_json_str(logs, "cursor") : "");
    snprintf(final_status, sizeof final_status, "%s", cli_json_str(run, "status"));
    bool more = json_is_true(json_object_get(logs, "hasMore"));
    json_decref(data);
    if (more)
      continue;
    if (!until_finished || saw_finished)
      break;
    if (is_finished(final_status)) {
      saw_finished = true; /* one more poll: see the top comment */
      continue;
    }
    sleep_seconds(POLL_INTERVAL);
  }
  free(cur);
  return status;
}

/* How events print as log lines. */
typedef struct log_printer {
  bool json;
  int step_width; /* the widest step key so far, so messages mostly align */
} log_printer;

/* The first line of s (for one-line messages). */
static int first_line(const char *s) { return (int)strcspn(s, "\n"); }

static void print_log_page(const json_t *data, void *ctx) {
  log_printer *p = ctx;
  const json_t *events = json_object_get(json_object_get(data, "logsForRun"), "events");
  if (p->json) {
    if (json_array_size(events) > 0)
      cli_print_json(data);
    return;
  }
  size_t i;
  const json_t *e;
  json_array_foreach(events, i, e) {
    const char *ts = cli_json_str(e, "timestamp");
    const char *step = cli_json_str(e, "stepKey");
    const char *message = cli_json_str(e, "message");
    if (!message || !*message) /* e.g. RUN_STARTING's */
      message = cli_json_str(e, "eventType");
    char when[40];
    cli_format_time(ts ? strtod(ts, NULL) / 1000 : -1, true, when, sizeof when);
    int w = step ? (int)strlen(step) : 1;
    if (w > p->step_width)
      p->step_width = w;
    cli_printf(stdout, "%s %-8s %-*s %s", when,
               cli_json_str(e, "level") ? cli_json_str(e, "level") : "-", p->step_width,
               step ? step : "-", message ? message : "");
    const json_t *error = json_object_get(e, "error");
    const char *why = cli_json_str(error, "message");
    if (why && (!message || !strstr(message, why)))
      cli_printf(stdout, "    %s", why);
  }
  fflush(stdout);
}

static int run_logs(cli_client *c, run_ctx *x) {
  log_printer p = {.json = x->o.json, .step_width = 10};
  int status = follow_run(c, x, x->args[0], x->after, x->follow, print_log_page, &p);
  return status >= 0 ? status : CLI_EXIT_OK;
}

/* Progress on stderr while waiting: the run's status changes and its
 * steps' ends, from its events. */
typedef struct progress {
  const char *run_id;
  double since;      /* when waiting began */
  bool noted_queued; /* the note on a run that stays QUEUED was printed */
} progress;

/* Seconds a run may stay QUEUED before the note on who dequeues it. */
#define QUEUED_NOTE_AFTER 5.0

static void print_progress(const json_t *data, void *ctx) {
  progress *p = ctx;
  const char *run_status = cli_json_str(json_object_get(data, "runOrError"), "status");
  if (!p->noted_queued && run_status && strcmp(run_status, "QUEUED") == 0 &&
      clock_now() - p->since >= QUEUED_NOTE_AFTER) {
    /* Nothing in this process dequeues it: say what must be running. */
    cli_printf(stderr,
               "run %s: still QUEUED: it waits for the daemon to dequeue it (`dagd daemon` or "
               "`dagd dev` must be running on this instance, with the queued run coordinator)",
               p->run_id);
    p->noted_queued = true;
  }
  size_t i;
  const json_t *e;
  json_array_foreach(json_object_get(json_object_get(data, "logsForRun"), "events"), i, e) {
    const char *type = cli_json_str(e, "eventType");
    const char *step = cli_json_str(e, "stepKey");
    const char *why = cli_json_str(json_object_get(e, "error"), "message");
    if (!type)
      continue;
    static const struct {
      const char *event, *status;
    } run_events[] = {{"RUN_ENQUEUED", "QUEUED (the daemon launches it when there is room)"},
                      {"RUN_DEQUEUED", "DEQUEUED"},
                      {"RUN_STARTING", "STARTING"},
                      {"RUN_START", "STARTED"},
                      {"RUN_SUCCESS", "SUCCESS"},
                      {"RUN_FAILURE", "FAILURE"},
                      {"RUN_CANCELING", "CANCELING"},
                      {"RUN_CANCELED", "CANCELED"}};
    for (size_t k = 0; k < sizeof run_events / sizeof *run_events; k++)
      if (strcmp(type, run_events[k].event) == 0)
        cli_printf(stderr, "run %s: %s", p->run_id, run_events[k].status);
    if (!step)
      continue;
    if (strcmp(type, "STEP_SUCCESS") == 0)
      cli_printf(stderr, "  step %s succeeded", step);
    else if (strcmp(type, "STEP_SKIPPED") == 0)
      cli_printf(stderr, "  step %s skipped", step);
    else if (strcmp(type, "STEP_FAILURE") == 0 || strcmp(type, "STEP_UP_FOR_RETRY") == 0)
      cli_printf(stderr, "  step %s failed%s%s%.*s", step, type[5] == 'U' ? " (up for retry)" : "",
                 why ? ": " : "", why ? first_line(why) : 0, why ? why : "");
  }
}

/* Waits until the run finishes, showing progress; the exit status says
 * how it ended. */
static int wait_for_run(cli_client *c, run_ctx *x, const char *run_id) {
  progress p = {.run_id = run_id, .since = clock_now()};
  int status = follow_run(c, x, run_id, NULL, true, print_progress, &p);
  if (status >= 0)
    return status;
  /* The finished run once more: --json prints it, people get its time. */
  const json_t *run;
  json_t *data = fetch_run(c, x, run_id, &run, &status);
  if (!data)
    return status;
  const char *end_status = cli_json_str(run, "status") ? cli_json_str(run, "status") : "?";
  char duration[16];
  cli_printf(stderr, "run %s finished: %s (%s)", run_id, end_status,
             run_duration(run, duration, sizeof duration));
  status = strcmp(end_status, "SUCCESS") == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
  json_decref(data);
  return status;
}

/* ---- launching ------------------------------------------------------- */

/* Handles launchRun's or launchRunReexecution's answer (data[field]):
 * the new run's id on stdout (or --json), then waits when asked. */
static int launched(cli_client *c, run_ctx *x, json_t *data, const char *field, const char *what) {
  const json_t *result = json_object_get(data, field);
  if (!cli_json_is(result, "LaunchRunSuccess")) {
    if (cli_json_is(result, "InvalidStepError"))
      cli_printf(stderr, "%s: %s: no step '%s' in the job", x->cmd, what,
                 cli_json_str(result, "invalidStepKey"));
    else if (cli_json_is(result, "InvalidOutputError"))
      cli_printf(stderr, "%s: %s: step '%s' has no output '%s'", x->cmd, what,
                 cli_json_str(result, "stepKey"), cli_json_str(result, "invalidOutputName"));
    else
      return cli_report_error(x->cmd, what, result);
    return CLI_EXIT_FAILED;
  }
  const json_t *run = json_object_get(result, "run");
  const char *run_id = cli_json_str(run, "runId");
  if (x->o.json) {
    cli_print_json(data);
  } else {
    cli_printf(stdout, "%s", run_id ? run_id : "?");
    fflush(stdout);
    cli_printf(stderr, "Launched run %s of job %s: %s", run_id, cli_json_str(run, "jobName"),
               cli_json_str(run, "status"));
  }
  return x->wait ? wait_for_run(c, x, run_id) : CLI_EXIT_OK;
}

static int run_launch(cli_client *c, run_ctx *x) {
  const char *job = x->args[0];
  char *location = (char *)x->location;
  char *repository = (char *)x->repository;
  int status = cli_job_locate(c, x->cmd, job, &location, &repository);
  if (status >= 0)
    return status;
  json_t *selector = json_pack("{s:s,s:s,s:s}", "repositoryLocationName", location,
                               "repositoryName", repository, "jobName", job);
  if (x->op_selection)
    json_object_set(selector, "solidSelection", x->op_selection);
  json_t *params = json_pack("{s:o}", "selector", selector);
  if (x->run_config)
    json_object_set(params, "runConfigData", x->run_config);
  if (x->tags)
    json_object_set_new(params, "executionMetadata", json_pack("{s:O}", "tags", x->tags));
  json_t *vars = json_pack("{s:o}", "p", params);
  json_t *data = cli_client_request(c, launch_doc, vars);
  char what[300];
  snprintf(what, sizeof what, "cannot launch job '%s'", job);
  status = data ? launched(c, x, data, "launchRun", what) : CLI_EXIT_SERVER;
  json_decref(data);
  json_decref(vars);
  free(location);
  free(repository);
  return status;
}

static int run_reexecute(cli_client *c, run_ctx *x) {
  json_t *vars = json_pack("{s:{s:s,s:s}}", "p", "parentRunId", x->args[0], "strategy",
                           x->from_failure ? "FROM_FAILURE" : "ALL_STEPS");
  json_t *data = cli_client_request(c, reexecute_doc, vars);
  json_decref(vars);
  char what[300];
  snprintf(what, sizeof what, "cannot re-execute run %s", x->args[0]);
  int status = data ? launched(c, x, data, "launchRunReexecution", what) : CLI_EXIT_SERVER;
  json_decref(data);
  return status;
}

/* Reads --config FILE or -c JSON into x->run_config: the file's text as
 * it is (the API takes YAML text), the JSON as an object. */
static bool read_run_config(run_ctx *x) {
  if (x->config_file && x->config_json) {
    fprintf(stderr, "%s: give the run config with --config FILE or -c JSON, not both\n", x->cmd);
    return false;
  }
  if (x->config_json) {
    char why[160];
    json_t *v = json_parse_text(x->config_json, strlen(x->config_json), why, sizeof why);
    if (!json_is_object(v)) {
      fprintf(stderr, "%s: -c wants a JSON object, e.g. '{\"ops\": {}}'%s%s\n", x->cmd,
              v ? "" : ": ", v ? "" : why);
      json_decref(v);
      return false;
    }
    x->run_config = v;
  } else if (x->config_file) {
    buf text;
    buf_init(&text, NULL);
    bool is_stdin = strcmp(x->config_file, "-") == 0;
    bool ok = is_stdin ? buf_read_file(&text, stdin) : fs_read_file(x->config_file, &text);
    if (!ok)
      fprintf(stderr, "%s: cannot read %s: %s\n", x->cmd, x->config_file, strerror(errno));
    else
      x->run_config = json_stringn(text.data ? text.data : "", text.len);
    buf_free(&text);
    if (ok && !x->run_config)
      fprintf(stderr, "%s: %s is not UTF-8 text\n", x->cmd, x->config_file);
    return x->run_config != NULL;
  }
  return true;
}

/* ---- terminate, delete ----------------------------------------------- */

static int run_terminate(cli_client *c, run_ctx *x) {
  json_t *ids = json_array();
  for (int i = 0; i < x->n_args; i++)
    json_array_append_new(ids, json_string(x->args[i]));
  json_t *vars = json_pack("{s:o,s:s}", "ids", ids, "policy",
                           x->force ? "MARK_AS_CANCELED_IMMEDIATELY" : "SAFE_TERMINATE");
  json_t *data = cli_client_request(c, terminate_doc, vars);
  json_decref(vars);
  if (!data)
    return CLI_EXIT_SERVER;
  const json_t *all = json_object_get(data, "terminateRuns");
  int status = CLI_EXIT_OK;
  if (!cli_json_is(all, "TerminateRunsResult")) {
    status = cli_report_error(x->cmd, "cannot terminate", all);
  } else {
    if (x->o.json)
      cli_print_json(data);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(all, "terminateRunResults"), i, r) {
      const char *id = i < (size_t)x->n_args ? x->args[i] : "?";
      if (cli_json_is(r, "TerminateRunSuccess")) {
        if (!x->o.json)
          cli_printf(stdout, "%s  %s", id, cli_json_str(json_object_get(r, "run"), "status"));
      } else {
        status = cli_report_error(x->cmd, id, r);
      }
    }
  }
  json_decref(data);
  return status;
}

static int run_delete(cli_client *c, run_ctx *x) {
  int status = CLI_EXIT_OK;
  for (int i = 0; i < x->n_args; i++) {
    json_t *vars = json_pack("{s:s}", "id", x->args[i]);
    json_t *data = cli_client_request(c, delete_doc, vars);
    json_decref(vars);
    if (!data)
      return CLI_EXIT_SERVER;
    const json_t *r = json_object_get(data, "deleteRun");
    if (!cli_json_is(r, "DeletePipelineRunSuccess"))
      status = cli_report_error(x->cmd, x->args[i], r);
    else if (x->o.json)
      cli_print_json(data);
    else
      printf("%s  deleted\n", x->args[i]);
    json_decref(data);
  }
  return status;
}

/* ---- dispatch -------------------------------------------------------- */

typedef struct subcommand {
  const char *name;
  const char *cmd; /* for messages */
  const char *usage;
  const char *shortopts;
  const struct option *options;
  int min_args, max_args; /* operands; max -1: any number */
  const char *operand;    /* what they are, for the message */
  bool needs_workspace;
  int (*run)(cli_client *c, run_ctx *x);
} subcommand;

static const subcommand subcommands[] = {
    {"list", "dagd run list", usage_list, "", list_options, 0, 0, NULL, false, run_list},
    {"show", "dagd run show", usage_show, "", plain_options, 1, 1, "one run id", false, run_show},
    {"logs", "dagd run logs", usage_logs, "f", logs_options, 1, 1, "one run id", false, run_logs},
    {"launch", "dagd run launch", usage_launch, "l:r:c:", launch_options, 1, 1, "one job name",
     true, run_launch},
    {"terminate", "dagd run terminate", usage_terminate, "", terminate_options, 1, -1,
     "one or more run ids", false, run_terminate},
    {"delete", "dagd run delete", usage_delete, "", plain_options, 1, -1, "one or more run ids",
     false, run_delete},
    {"reexecute", "dagd run reexecute", usage_reexecute, "", reexecute_options, 1, 1, "one run id",
     true, run_reexecute},
};

static void free_ctx(run_ctx *x) {
  json_decref(x->statuses);
  json_decref(x->tags);
  json_decref(x->op_selection);
  json_decref(x->run_config);
}

int cli_run(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_run, stderr);
    return CLI_EXIT_USAGE;
  }
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
    fputs(usage_run, stdout);
    return CLI_EXIT_OK;
  }
  const subcommand *sub = NULL;
  for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
    if (strcmp(name, subcommands[i].name) == 0)
      sub = &subcommands[i];
  if (!sub) {
    fprintf(stderr, "dagd run: unknown command '%s' (see 'dagd run --help')\n", name);
    return CLI_EXIT_USAGE;
  }
  run_ctx x = {.cmd = sub->cmd, .o = {.needs_workspace = sub->needs_workspace}};
  int status = cli_parse_options(sub->cmd, sub->usage, argc - 1, argv + 1, sub->shortopts,
                                 sub->options, &x.o, own_option, &x);
  x.args = argv + 1 + optind;
  x.n_args = argc - 1 - optind;
  if (status < 0 &&
      (x.n_args < sub->min_args || (sub->max_args >= 0 && x.n_args > sub->max_args))) {
    fprintf(stderr, "%s: give %s (see --help)\n", sub->cmd,
            sub->operand ? sub->operand : "no arguments");
    status = CLI_EXIT_USAGE;
  }
  if (status < 0 && !read_run_config(&x))
    status = CLI_EXIT_USAGE;
  if (status < 0 && !cli_client_global_init(sub->cmd))
    status = CLI_EXIT_SERVER;
  else if (status < 0) {
    cli_client *c = cli_client_open(sub->cmd, &x.o, &status);
    if (c) {
      status = sub->run(c, &x);
      cli_client_close(c);
    }
    cli_client_global_cleanup();
  }
  free_ctx(&x);
  return status;
}
