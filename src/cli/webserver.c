/* webserver.c — `dagd webserver` and `dagd dev`: parses the options,
 * opens the instance (the runs' storage and folders), builds the API
 * schema, loads the workspace (workspace_arg.c), starts the HTTP server and
 * waits for SIGINT/SIGTERM, then drains requests in flight, closes
 * WebSockets, frees the workspace and closes the instance (unless something
 * was still open after the drain) and exits 0. `--test-subscriptions` (left
 * out of --help: it is for tests) adds the test subscription field.
 *
 * `dagd dev` is the same server with the daemon (src/daemon/daemon.h)
 * running in its process: started once the server listens, woken by each
 * run submitted to the queue (the instance's on_submit hook), and stopped
 * before the requests in flight are drained. Its daemon starts on
 * standby: while another daemon's heartbeat is fresh (a `dagd daemon`, or
 * a dev killed a moment ago), it serves and stands by, and takes over
 * once that heartbeat stops; it says which at startup.
 * `dagd webserver` runs no daemon: with a queued run coordinator, it
 * reminds that `dagd daemon` must run for queued runs to start.
 *
 * The signals are blocked before the server starts, so libmicrohttpd's
 * threads inherit the mask and only this thread receives them (sigwait). */
#include "cli/webserver.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "api/api.h"
#include "cli/workspace_arg.h"
#include "daemon/daemon.h"
#include "http/server.h"

#define DRAIN_MS_DEFAULT 10000u

/* A command served by this file: its name in messages and its help. */
typedef struct command {
  const char *name;    /* "dagd webserver" */
  const char *summary; /* the paragraph after the usage line */
  bool daemon;         /* runs the daemon in-process (dev) */
} command;

static const command webserver_command = {
    "dagd webserver",
    "Serves the GraphQL API at /graphql (GET, POST and WebSocket subscriptions),\n"
    "/server_info and /health. Launched runs are stored in the instance (--home)\n"
    "and executed right away, each by a `dagd execute-run` process of its own, or,\n"
    "with the QueuedRunCoordinator (dagd.yaml), queued for 'dagd daemon' to launch.\n",
    false,
};

static const command dev_command = {
    "dagd dev",
    "Runs dagd for local development: the webserver, with the same options as\n"
    "'dagd webserver', and the daemon in the same process (it launches queued runs\n"
    "and watches unfinished ones, see 'dagd daemon --help'). When another daemon\n"
    "runs for the instance, its daemon stands by and takes over once the other one\n"
    "stops.\n",
    true,
};

static const char options_help[] =
    "Options:\n"
    "  -w, --workspace FILE          the workspace file (default ./workspace.yaml when it\n"
    "                                exists, else an empty workspace)\n" CLI_HOME_HELP
    "  -h, --host HOST               address to listen on (default 127.0.0.1)\n"
    "  -p, --port PORT               port to listen on (default 3000; 0: any free port)\n"
    "  -l, --path-prefix PREFIX      serve everything under PREFIX (e.g. /dagster)\n"
    "      --read-only               refuse mutations\n"
    "      --access-log              log each request on stderr\n"
    "      --max-body BYTES          largest request body (default 1048576; beyond: 413)\n"
    "      --max-header BYTES        memory for request line and headers (default 16384)\n"
    "      --max-connections N       simultaneous connections (default 1024)\n"
    "      --connection-timeout SEC  close idle connections after SEC seconds (default 60)\n"
    "      --max-query-depth N       deepest nesting a query may have (default 128)\n"
    "      --max-query-tokens N      most tokens a query may have (default 100000)\n"
    "      --threads N               threads serving requests (default: 4 per CPU)\n"
    "      --max-websockets N        simultaneous WebSockets (default 256)\n"
    "      --max-subscriptions N     subscriptions per WebSocket (default 100)\n"
    "      --ws-keepalive SEC        WebSocket keep-alive period (default 12)\n"
    "      --drain-timeout SEC       on SIGTERM, wait this long for requests (default 10)\n"
    "      --help                    show this help\n";

static void print_usage(const command *cmd, FILE *out) {
  fprintf(out, "usage: %s [options]\n\n%s\n%s", cmd->name, cmd->summary, options_help);
}

typedef struct options {
  http_server_config server;
  gql_limits limits;
  const char *workspace; /* -w; NULL: the default */
  const char *home;      /* --home; NULL: $DAGD_HOME, else ./.dagd */
  bool read_only;
  bool test_subscriptions;
  unsigned drain_ms;
} options;

enum {
  OPT_READ_ONLY = 256,
  OPT_ACCESS_LOG,
  OPT_MAX_BODY,
  OPT_MAX_HEADER,
  OPT_MAX_CONNECTIONS,
  OPT_TIMEOUT,
  OPT_MAX_DEPTH,
  OPT_MAX_TOKENS,
  OPT_THREADS,
  OPT_DRAIN,
  OPT_MAX_WEBSOCKETS,
  OPT_MAX_SUBSCRIPTIONS,
  OPT_WS_KEEPALIVE,
  OPT_TEST_SUBSCRIPTIONS,
  OPT_HOME,
  OPT_HELP,
};

static const struct option long_options[] = {
    {"workspace", required_argument, NULL, 'w'},
    {"host", required_argument, NULL, 'h'},
    {"port", required_argument, NULL, 'p'},
    {"path-prefix", required_argument, NULL, 'l'},
    {"read-only", no_argument, NULL, OPT_READ_ONLY},
    {"access-log", no_argument, NULL, OPT_ACCESS_LOG},
    {"max-body", required_argument, NULL, OPT_MAX_BODY},
    {"max-header", required_argument, NULL, OPT_MAX_HEADER},
    {"max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS},
    {"connection-timeout", required_argument, NULL, OPT_TIMEOUT},
    {"max-query-depth", required_argument, NULL, OPT_MAX_DEPTH},
    {"max-query-tokens", required_argument, NULL, OPT_MAX_TOKENS},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"drain-timeout", required_argument, NULL, OPT_DRAIN},
    {"max-websockets", required_argument, NULL, OPT_MAX_WEBSOCKETS},
    {"max-subscriptions", required_argument, NULL, OPT_MAX_SUBSCRIPTIONS},
    {"ws-keepalive", required_argument, NULL, OPT_WS_KEEPALIVE},
    {"test-subscriptions", no_argument, NULL, OPT_TEST_SUBSCRIPTIONS},
    {"home", required_argument, NULL, OPT_HOME},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* The long name of option id, for messages. */
static const char *option_name(int id) {
  for (const struct option *lo = long_options; lo->name; lo++)
    if (lo->val == id)
      return lo->name;
  return "";
}

/* Parses a decimal number in [min, max] into *out, or explains on stderr. */
static bool parse_number(const command *cmd, int id, const char *text, unsigned long long min,
                         unsigned long long max, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || v < min || v > max) {
    fprintf(stderr, "%s: --%s expects a number from %llu to %llu, got '%s'\n", cmd->name,
            option_name(id), min, max, text);
    return false;
  }
  *out = v;
  return true;
}

/* The API's troubles that no request answers with (api_context.report);
 * data is the command's name. */
static void print_report(void *data, const char *message) {
  fprintf(stderr, "%s: %s\n", (const char *)data, message);
}

static void print_access(void *data, const http_access_entry *e) {
  (void)data;
  fprintf(stderr, "dagd access: %s %s %d %zu %.3fms\n", e->method, e->path, e->status, e->bytes,
          e->duration_ms);
}

/* A numeric option: the range it accepts and the field it sets (exactly
 * one of u and z), times scale (seconds given, milliseconds kept: 1000). */
typedef struct number_option {
  int id;
  unsigned long long min, max;
  unsigned scale;
  unsigned *u;
  size_t *z;
} number_option;

/* Fills o from argv; returns -1 to go on, or an exit status. */
static int parse_options(const command *cmd, int argc, char **argv, options *o) {
  o->server.host = "127.0.0.1";
  o->server.port = 3000;
  o->limits = gql_default_limits;
  o->drain_ms = DRAIN_MS_DEFAULT;
  http_server_config *sc = &o->server;
  const number_option numbers[] = {
      {'p', 0, 65535, 1, &sc->port, NULL},
      {OPT_MAX_BODY, 1, (unsigned long long)1 << 40, 1, NULL, &sc->max_body_bytes},
      {OPT_MAX_HEADER, 1024, (unsigned long long)1 << 30, 1, NULL, &sc->max_header_bytes},
      {OPT_MAX_CONNECTIONS, 1, 100000, 1, &sc->max_connections, NULL},
      {OPT_TIMEOUT, 1, 86400, 1, &sc->connection_timeout, NULL},
      {OPT_MAX_DEPTH, 1, 100000, 1, &o->limits.max_depth, NULL},
      {OPT_MAX_TOKENS, 1, 100000000, 1, NULL, &o->limits.max_tokens},
      {OPT_THREADS, 1, 1024, 1, &sc->threads, NULL},
      {OPT_DRAIN, 0, 3600, 1000, &o->drain_ms, NULL},
      {OPT_MAX_WEBSOCKETS, 1, 100000, 1, &sc->max_websockets, NULL},
      {OPT_MAX_SUBSCRIPTIONS, 1, 100000, 1, &sc->max_subscriptions, NULL},
      {OPT_WS_KEEPALIVE, 1, 3600, 1000, &sc->ws_keepalive_ms, NULL},
  };
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "w:h:p:l:", long_options, NULL)) != -1) {
    const number_option *num = NULL;
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0] && !num; i++)
      if (numbers[i].id == c)
        num = &numbers[i];
    if (num) {
      unsigned long long v;
      if (!parse_number(cmd, c, optarg, num->min, num->max, &v))
        return 2;
      if (num->u)
        *num->u = (unsigned)v * num->scale;
      else
        *num->z = (size_t)v * num->scale;
      continue;
    }
    switch (c) {
    case 'w':
      o->workspace = optarg;
      break;
    case 'h':
      sc->host = optarg;
      break;
    case 'l':
      sc->path_prefix = optarg;
      break;
    case OPT_READ_ONLY:
      o->read_only = true;
      break;
    case OPT_ACCESS_LOG:
      sc->access_log = print_access;
      break;
    case OPT_TEST_SUBSCRIPTIONS:
      o->test_subscriptions = true;
      break;
    case OPT_HOME:
      o->home = optarg;
      break;
    case OPT_HELP:
      print_usage(cmd, stdout);
      return 0;
    default:
      print_usage(cmd, stderr);
      return 2;
    }
  }
  if (optind < argc) {
    fprintf(stderr, "%s: unexpected argument '%s'\n", cmd->name, argv[optind]);
    return 2;
  }
  return -1;
}

/* The daemon of `dagd dev`, as the on_submit hook reaches it: the hook
 * may run on a request's thread while the daemon is being stopped, so it
 * goes through this lock rather than holding the pointer. */
static pthread_mutex_t dev_daemon_lock = PTHREAD_MUTEX_INITIALIZER;
static daemon_loop *dev_daemon;

static void wake_dev_daemon(void *data) {
  (void)data;
  pthread_mutex_lock(&dev_daemon_lock);
  daemon_wake(dev_daemon);
  pthread_mutex_unlock(&dev_daemon_lock);
}

/* Starts dev's daemon, on standby: when another daemon's heartbeat is
 * fresh (a `dagd daemon`, or a dev just killed whose beat has not gone
 * stale yet), this one takes over once it is not. Explains which. */
static void start_dev_daemon(const command *cmd, run_instance *instance) {
  buf err;
  buf_init(&err, NULL);
  daemon_loop *d = daemon_start(instance, true, &err);
  if (d && daemon_owned(d))
    fprintf(stderr, "%s: daemon running, heartbeat id %s\n", cmd->name, daemon_id(d));
  else if (d)
    fprintf(stderr,
            "%s: %s; daemon standing by, heartbeat id %s: it takes over when that heartbeat "
            "stops\n",
            cmd->name, buf_cstr(&err), daemon_id(d));
  else
    fprintf(stderr, "%s: %s; serving without a daemon of its own\n", cmd->name, buf_cstr(&err));
  buf_free(&err);
  pthread_mutex_lock(&dev_daemon_lock);
  dev_daemon = d;
  pthread_mutex_unlock(&dev_daemon_lock);
}

static void stop_dev_daemon(void) {
  pthread_mutex_lock(&dev_daemon_lock);
  daemon_loop *d = dev_daemon;
  dev_daemon = NULL;
  pthread_mutex_unlock(&dev_daemon_lock);
  daemon_stop(d);
}

/* Frees what serve() set up, in the reverse order. */
static void release(api_workspace *workspace, gql_schema *schema, run_instance *instance) {
  api_workspace_free(workspace);
  gql_schema_free(schema);
  run_instance_close(instance);
}

/* Runs the server of cmd; returns the exit status. */
static int serve(const command *cmd, int argc, char **argv) {
  options o = {0};
  int rc = parse_options(cmd, argc, argv, &o);
  if (rc >= 0)
    return rc;

  run_instance *instance = cli_instance_open(cmd->name, o.home);
  if (!instance)
    return 1;
  char err[256];
  api_options api = {.test_subscriptions = o.test_subscriptions};
  gql_schema *schema = api_schema_new(&api, err, sizeof err);
  if (!schema) {
    fprintf(stderr, "%s: %s\n", cmd->name, err);
    release(NULL, NULL, instance);
    return 1;
  }
  api_workspace *workspace = cli_workspace_load(cmd->name, o.workspace);
  if (!workspace) {
    release(NULL, schema, instance);
    return 1;
  }
  api_context ctx = {.read_only = o.read_only,
                     .workspace = workspace,
                     .instance = instance,
                     .report = print_report,
                     .report_data = (void *)cmd->name};
  if (cmd->daemon) {
    instance->on_submit = wake_dev_daemon;
    instance->on_submit_data = NULL;
  }
  /* A query can never be longer than the body that carries it. */
  o.limits.max_document_bytes =
      o.server.max_body_bytes ? o.server.max_body_bytes : o.limits.max_document_bytes;
  o.server.schema = schema;
  o.server.limits = &o.limits;
  o.server.context = &ctx;

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  /* Run workers are started detached (a double fork), so they are not this
   * process's children, unless it runs as PID 1 (a container without an
   * init): then orphans come here and must be reaped, or they stay
   * zombies. */
  sigaddset(&stop, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  http_server *srv = http_server_start(&o.server, err, sizeof err);
  if (!srv) {
    fprintf(stderr, "%s: %s\n", cmd->name, err);
    release(workspace, schema, instance);
    return 1;
  }
  /* Tests parse the "listening on" line: its format stays as it is. */
  fprintf(stderr, "%s: instance at %s\n", cmd->name, instance->home);
  fprintf(stderr, "%s listening on http://%s:%u%s/graphql\n", cmd->name, http_server_url_host(srv),
          http_server_port(srv), http_server_path_prefix(srv));
  if (cmd->daemon)
    start_dev_daemon(cmd, instance);
  else if (instance->coordinator.queued)
    fprintf(stderr, "%s: runs are queued (QueuedRunCoordinator): 'dagd daemon' launches them\n",
            cmd->name);
  fflush(stderr);

  int sig = 0;
  while (sigwait(&stop, &sig) == 0 && sig == SIGCHLD)
    while (waitpid(-1, NULL, WNOHANG) > 0)
      ;
  fprintf(stderr, "%s: %s received, finishing requests in flight\n", cmd->name,
          sig == SIGINT ? "SIGINT" : "SIGTERM");
  stop_dev_daemon();
  int left = http_server_shutdown(srv, o.drain_ms);
  if (left > 0) {
    /* The server may have been left running (a socket's thread stuck in a
     * resolver) and its threads may still use the schema, workspace and
     * instance: they stay allocated for the moment until the process exits. */
    fprintf(stderr, "%s: %d request(s) or WebSocket(s) still open after the drain timeout\n",
            cmd->name, left);
  } else {
    release(workspace, schema, instance);
  }
  fprintf(stderr, "%s: stopped\n", cmd->name);
  return 0;
}

int cli_webserver(int argc, char **argv) { return serve(&webserver_command, argc, argv); }

int cli_dev(int argc, char **argv) { return serve(&dev_command, argc, argv); }
