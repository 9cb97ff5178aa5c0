/* client.c — the GraphQL client of `dagd run` and `dagd job`, in process
 * or over HTTP, and the terminal output both commands share.
 *
 * In process, a request runs through gql_run against the API schema with
 * the instance and workspace this process opened, exactly as graphql.c
 * does. Over HTTP it is libcurl (DESIGN.md §3: a well-kept library rather
 * than a hand-written client): one easy handle per command, so the polls
 * of --wait and --follow reuse one connection; one deadline
 * (CURLOPT_TIMEOUT_MS) covers the whole exchange from name resolution to
 * the last byte; the answer is capped in the write callback, so a server
 * that keeps sending cannot make this process hold more than it reads.
 * https works with libcurl's certificate checks left on; proxies from the
 * environment are not used. Either way the
 * response JSON goes through the same checks, so a command cannot tell the
 * two apart.
 *
 * Everything a server or a run gives that reaches the terminal goes
 * through cli_clean: run tags, op log messages and error texts are data
 * anyone launching a run controls, and escape sequences in them must not
 * reach the terminal as commands. */
#include "cli/client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "base/arena.h"
#include "base/json.h"
#include "base/utf8.h"
#include "base/version.h"
#include "cli/workspace_arg.h"
#include "graphql/exec.h"

#define DEFAULT_TIMEOUT 30.0
/* Bounds what a server can make this process hold: GraphQL answers of
 * these commands are pages of at most a few MiB. */
#define MAX_BODY_BYTES ((size_t)64 * 1024 * 1024)

struct cli_client {
  const char *cmd;
  double timeout;
  /* Over HTTP: */
  char *url;       /* as given, for messages */
  char *path;      /* the endpoint's path as sent, e.g. /prefix/graphql */
  char *host;      /* the host as given (no brackets), for messages */
  char *host_port; /* host:port as connected to, for messages */
  CURL *curl;
  struct curl_slist *headers;
  char errbuf[CURL_ERROR_SIZE];
  /* In process: */
  gql_schema *schema;
  run_instance *instance;
  api_workspace *workspace;
};

/* Handles getopt's answer c when it is a common option: -1 when it was
 * one (go on), 0 after --help, CLI_EXIT_USAGE after explaining a bad
 * value, 1 when c is not a common option. */
static int common_option(const char *cmd, int c, const char *arg, const char *usage,
                         cli_client_options *o) {
  switch (c) {
  case CLI_OPT_URL:
    o->url = arg;
    return -1;
  case CLI_OPT_HOME:
    o->home = arg;
    return -1;
  case 'w':
    o->workspace = arg;
    return -1;
  case CLI_OPT_JSON:
    o->json = true;
    return -1;
  case CLI_OPT_TIMEOUT: {
    char *end;
    errno = 0;
    double t = strtod(arg, &end);
    if (errno || end == arg || *end || !(t > 0) || t > 86400) {
      fprintf(stderr, "%s: --timeout wants seconds between 0 and 86400, not '%s'\n", cmd, arg);
      return CLI_EXIT_USAGE;
    }
    o->timeout = t;
    return -1;
  }
  case 'h':
  case CLI_OPT_HELP:
    fputs(usage, stdout);
    return 0;
  default:
    return 1;
  }
}

int cli_parse_options(const char *cmd, const char *usage, int argc, char **argv,
                      const char *shortopts, const struct option *longopts, cli_client_options *o,
                      int (*own)(int c, const char *arg, void *ctx), void *ctx) {
  /* A leading ':' makes getopt answer ':' for a missing value, and its own
   * messages are replaced by ones that name the command. */
  char optstring[64];
  snprintf(optstring, sizeof optstring, ":hw:%s", shortopts);
  opterr = 0;
  optind = 1;
  int c;
  while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
    const char *bad = argv[optind - 1];
    if (c == '?' || c == ':') {
      if (c == ':')
        fprintf(stderr, "%s: option '%s' needs a value (see --help)\n", cmd, bad);
      else if (optopt)
        fprintf(stderr, "%s: unknown option '-%c' (see --help)\n", cmd, optopt);
      else
        fprintf(stderr, "%s: unknown option '%s' (see --help)\n", cmd, bad);
      return CLI_EXIT_USAGE;
    }
    int rc = common_option(cmd, c, optarg, usage, o);
    if (rc == 1)
      rc = own ? own(c, optarg, ctx) : CLI_EXIT_USAGE;
    if (rc >= 0)
      return rc;
  }
  return -1;
}

/* ---- the URL --------------------------------------------------------- */

/* Appends path to out with the bytes a URL path cannot hold as they are
 * (spaces, controls, non-ASCII, …) percent-encoded; an existing %XX
 * escape is kept. */
static void append_escaped_path(buf *out, const char *path, size_t n) {
  static const char allowed[] = "-._~!$&'()*+,;=:@/";
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)path[i];
    bool escape_kept = ch == '%' && i + 2 < n && isxdigit((unsigned char)path[i + 1]) &&
                       isxdigit((unsigned char)path[i + 2]);
    if (isalnum(ch) || (ch && strchr(allowed, ch)) || escape_kept)
      buf_putc(out, (char)ch);
    else
      buf_printf(out, "%%%02X", ch);
  }
}

/* Fills c's endpoint from url: the path, the host and host:port for
 * messages, and the URL libcurl is given (into *endpoint); false after
 * explaining why it is not a URL dagd can use. */
static bool parse_url(cli_client *c, const char *url, buf *endpoint) {
  bool https = strncasecmp(url, "https://", 8) == 0;
  if (!https && strncasecmp(url, "http://", 7) != 0) {
    fprintf(stderr, "%s: --url %s: not an http:// or https:// URL (e.g. http://127.0.0.1:3000)\n",
            c->cmd, url);
    return false;
  }
  const char *auth = url + (https ? 8 : 7);
  size_t auth_len = strcspn(auth, "/?#");
  const char *rest = auth + auth_len;
  if (strpbrk(rest, "?#") || auth_len == 0 || memchr(auth, '@', auth_len)) {
    fprintf(stderr,
            "%s: --url %s: expected http[s]://host[:port][/prefix], with no user, query or "
            "fragment\n",
            c->cmd, url);
    return false;
  }
  const char *host = auth;
  size_t host_len;
  const char *port = NULL;
  if (*auth == '[') { /* [IPv6]:port */
    const char *close = memchr(auth, ']', auth_len);
    if (!close) {
      fprintf(stderr, "%s: --url %s: unclosed '[' in the host\n", c->cmd, url);
      return false;
    }
    host = auth + 1;
    host_len = (size_t)(close - host);
    if (close + 1 < auth + auth_len) {
      if (close[1] != ':') {
        fprintf(stderr, "%s: --url %s: expected ':port' after ']'\n", c->cmd, url);
        return false;
      }
      port = close + 2;
    }
  } else {
    const char *colon = memchr(auth, ':', auth_len);
    host_len = colon ? (size_t)(colon - auth) : auth_len;
    port = colon ? colon + 1 : NULL;
  }
  size_t port_len = port ? (size_t)(auth + auth_len - port) : 0;
  if (host_len == 0) {
    fprintf(stderr, "%s: --url %s: no host\n", c->cmd, url);
    return false;
  }
  if (port) {
    bool digits = port_len > 0 && port_len <= 5;
    for (size_t i = 0; i < port_len && digits; i++)
      digits = port[i] >= '0' && port[i] <= '9';
    if (!digits || atoi(port) < 1 || atoi(port) > 65535) {
      fprintf(stderr, "%s: --url %s: the port must be a number from 1 to 65535\n", c->cmd, url);
      return false;
    }
  }
  c->host = strndup(host, host_len);
  buf hp;
  buf_init(&hp, NULL);
  if (port)
    buf_append(&hp, auth, auth_len);
  else
    buf_printf(&hp, "%.*s:%s", (int)auth_len, auth, https ? "443" : "80");
  c->host_port = hp.data;
  /* The webserver prints its endpoint ending in /graphql: take that as it
   * is, else the URL is the server's root (or its path prefix). */
  size_t path_len = strlen(rest);
  while (path_len > 0 && rest[path_len - 1] == '/')
    path_len--;
  static const char suffix[] = "/graphql";
  bool has_endpoint = path_len >= sizeof suffix - 1 &&
                      memcmp(rest + path_len - (sizeof suffix - 1), suffix, sizeof suffix - 1) == 0;
  buf p;
  buf_init(&p, NULL);
  append_escaped_path(&p, rest, path_len);
  if (!has_endpoint)
    buf_puts(&p, suffix);
  c->path = p.data;
  buf_printf(endpoint, "%s://%.*s%s", https ? "https" : "http", (int)auth_len, auth, c->path);
  return true;
}

/* ---- HTTP ------------------------------------------------------------ */

bool cli_client_global_init(const char *cmd) {
  CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    fprintf(stderr, "%s: cannot set up libcurl: %s\n", cmd, curl_easy_strerror(rc));
    return false;
  }
  return true;
}

void cli_client_global_cleanup(void) { curl_global_cleanup(); }

/* One exchange's answer, filled by libcurl's callbacks. */
typedef struct transfer {
  buf body;
  bool too_large;
  char reason[64]; /* the reason phrase of the last status line */
} transfer;

static size_t on_body(char *data, size_t size, size_t n, void *ctx) {
  transfer *t = ctx;
  size_t len = size * n;
  if (t->body.len + len > MAX_BODY_BYTES) {
    t->too_large = true;
    return 0; /* libcurl stops with CURLE_WRITE_ERROR */
  }
  buf_append(&t->body, data, len);
  return len;
}

/* Keeps the reason phrase of each status line ("HTTP/1.1 404 Not Found"):
 * the last one is the final answer's, after any 100 Continue. HTTP/2 has
 * none. */
static size_t on_header(char *data, size_t size, size_t n, void *ctx) {
  transfer *t = ctx;
  size_t len = size * n;
  if (len > 5 && memcmp(data, "HTTP/", 5) == 0) {
    const char *end = data + len;
    const char *p = memchr(data, ' ', len);                   /* before the status */
    p = p ? memchr(p + 1, ' ', (size_t)(end - p - 1)) : NULL; /* before the reason */
    size_t reason_len = p ? strcspn(p + 1, "\r\n") : 0;
    if (p && reason_len > (size_t)(end - p - 1))
      reason_len = (size_t)(end - p - 1);
    snprintf(t->reason, sizeof t->reason, "%.*s", (int)reason_len, p ? p + 1 : "");
  }
  return len;
}

/* Sets up c's easy handle for POSTs of JSON to endpoint; false after
 * explaining. */
static bool http_open(cli_client *c, const char *endpoint) {
  c->curl = curl_easy_init();
  if (!c->curl) {
    fprintf(stderr, "%s: cannot set up libcurl\n", c->cmd);
    return false;
  }
  /* "Expect:" turns off 100-continue: the server would wait for nothing. */
  static const char *const headers[] = {"Content-Type: application/json",
                                        "Accept: application/json", "Expect:"};
  for (size_t i = 0; i < sizeof headers / sizeof *headers; i++)
    c->headers = curl_slist_append(c->headers, headers[i]);
  CURL *h = c->curl;
  long timeout_ms = (long)(c->timeout * 1000);
  bool ok =
      c->headers && curl_easy_setopt(h, CURLOPT_URL, endpoint) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_USERAGENT, "dagd-cli/" DAGD_VERSION) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 1) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
      /* Straight to the server, whatever http_proxy says: the messages
       * then name what was reached (see docs/cli.md). */
      curl_easy_setopt(h, CURLOPT_PROXY, "") == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)MAX_BODY_BYTES) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
      curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf) == CURLE_OK;
  if (!ok)
    fprintf(stderr, "%s: cannot set up libcurl (is it built with http and https?)\n", c->cmd);
  return ok;
}

/* Explains on stderr why an exchange failed with rc. */
static void report_failure(const cli_client *c, CURLcode rc, const transfer *t) {
  const char *detail = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
  long os_errno = 0;
  switch (rc) {
  case CURLE_COULDNT_CONNECT:
    curl_easy_getinfo(c->curl, CURLINFO_OS_ERRNO, &os_errno);
    cli_printf(stderr,
               "%s: %s: cannot connect to %s: %s (is `dagd dev` or `dagd webserver` running "
               "there?)",
               c->cmd, c->url, c->host_port, os_errno ? strerror((int)os_errno) : detail);
    break;
  case CURLE_COULDNT_RESOLVE_HOST:
    cli_printf(stderr, "%s: %s: unknown host '%s'", c->cmd, c->url, c->host);
    break;
  case CURLE_OPERATION_TIMEDOUT:
    cli_printf(stderr, "%s: %s: no complete answer within the timeout (%g s; see --timeout)",
               c->cmd, c->url, c->timeout);
    break;
  case CURLE_WRITE_ERROR:
  case CURLE_FILESIZE_EXCEEDED:
    if (t->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
      cli_printf(stderr, "%s: %s: the answer is larger than %zu MiB", c->cmd, c->url,
                 MAX_BODY_BYTES >> 20);
      break;
    }
    cli_printf(stderr, "%s: %s: %s", c->cmd, c->url, detail);
    break;
  case CURLE_GOT_NOTHING:
    cli_printf(stderr, "%s: %s: the server closed the connection without answering", c->cmd,
               c->url);
    break;
  case CURLE_PARTIAL_FILE:
    cli_printf(stderr, "%s: %s: the server closed the connection in the middle of its answer (%s)",
               c->cmd, c->url, detail);
    break;
  case CURLE_RECV_ERROR:
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_UNSUPPORTED_PROTOCOL: /* an answer without a status line ("HTTP/0.9") */
    cli_printf(stderr, "%s: %s: the answer is not valid HTTP or was cut off (%s)", c->cmd, c->url,
               detail);
    break;
  case CURLE_PEER_FAILED_VERIFICATION:
    cli_printf(stderr, "%s: %s: the server's TLS certificate was not accepted (%s)", c->cmd, c->url,
               detail);
    break;
  case CURLE_SSL_CACERT_BADFILE:
    cli_printf(stderr,
               "%s: %s: cannot read the trusted CA certificates to check the server's (%s; "
               "is ca-certificates installed?)",
               c->cmd, c->url, detail);
    break;
  case CURLE_SSL_CONNECT_ERROR:
    cli_printf(stderr, "%s: %s: the TLS handshake failed (%s)", c->cmd, c->url, detail);
    break;
  default:
    cli_printf(stderr, "%s: %s: %s", c->cmd, c->url, detail);
    break;
  }
}

/* ---- requests -------------------------------------------------------- */

/* The first line of text, at most 100 characters, for a message. */
static void print_excerpt(const char *text, size_t n) {
  size_t line = strcspn(text, "\r\n");
  if (line > n)
    line = n;
  size_t rest = line; /* is anything but white space left after the line? */
  while (rest < n && isspace((unsigned char)text[rest]))
    rest++;
  size_t cut = cli_cut(text, line, 100);
  cli_printf(stderr, "  %.*s%s", (int)cut, text, cut < line || rest < n ? " …" : "");
}

/* Prints each message of a response's "errors". */
static void print_graphql_errors(const char *cmd, const json_t *errors) {
  size_t i;
  const json_t *e;
  json_array_foreach(errors, i, e) {
    const char *m = cli_json_str(e, "message");
    cli_printf(stderr, "%s: GraphQL error: %s", cmd, m ? m : "(no message)");
  }
}

/* The response text's data, or NULL after explaining (status: the HTTP
 * status, 0 in process). */
static json_t *response_data(const cli_client *c, const char *text, size_t n, long status,
                             const char *reason) {
  char why[200];
  json_t *resp = json_parse_text(text, n, why, sizeof why);
  if (status && status != 200) {
    const json_t *errors = resp ? json_object_get(resp, "errors") : NULL;
    cli_printf(stderr, "%s: %s answered HTTP %ld%s%s for POST %s%s", c->cmd, c->url, status,
               *reason ? " " : "", reason, c->path,
               status == 404 ? " (is the URL's path prefix right?)" : "");
    if (json_is_array(errors))
      print_graphql_errors(c->cmd, errors);
    else if (n)
      print_excerpt(text, n);
    json_decref(resp);
    return NULL;
  }
  if (!resp || !json_is_object(resp)) {
    cli_printf(stderr, "%s: the answer from %s is not a JSON object (%s):", c->cmd,
               c->url ? c->url : "the API", resp ? "another JSON value" : why);
    print_excerpt(text, n);
    json_decref(resp);
    return NULL;
  }
  const json_t *errors = json_object_get(resp, "errors");
  json_t *data = json_object_get(resp, "data");
  if (json_is_array(errors) && json_array_size(errors) > 0) {
    print_graphql_errors(c->cmd, errors);
    json_decref(resp);
    return NULL;
  }
  if (!json_is_object(data)) {
    fprintf(stderr, "%s: the answer has no data\n", c->cmd);
    json_decref(resp);
    return NULL;
  }
  json_incref(data);
  json_decref(resp);
  return data;
}

/* Runs the document in this process. */
static json_t *request_in_process(cli_client *c, const char *document, const json_t *variables) {
  api_context ctx = {.read_only = false, .workspace = c->workspace, .instance = c->instance};
  arena *a = arena_new(0);
  gql_request req = {.schema = c->schema, .variables = variables, .context = &ctx, .arena = a};
  gql_run_options opts = {.limits = &gql_default_limits, .forbid_subscriptions = true};
  buf out;
  buf_init(&out, a);
  gql_run(&req, document, strlen(document), &opts, &out);
  json_t *data = response_data(c, out.data, out.len, 0, "");
  arena_free(a);
  return data;
}

/* POSTs the document to the server. */
static json_t *request_http(cli_client *c, const char *document, const json_t *variables) {
  json_t *body = json_pack("{s:s}", "query", document);
  if (variables)
    json_object_set(body, "variables", (json_t *)variables);
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  if (!text) {
    fprintf(stderr, "%s: cannot encode the request\n", c->cmd);
    return NULL;
  }
  transfer t = {.reason = ""};
  buf_init(&t.body, NULL);
  c->errbuf[0] = '\0';
  curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, text);
  curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(text));
  curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &t);
  CURLcode rc = curl_easy_perform(c->curl);
  json_t *data = NULL;
  if (rc != CURLE_OK) {
    report_failure(c, rc, &t);
  } else {
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    data = response_data(c, t.body.data ? t.body.data : "", t.body.len, status, t.reason);
  }
  /* The handle outlives text: it must not keep pointing at it. */
  curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, NULL);
  free(text);
  buf_free(&t.body);
  return data;
}

json_t *cli_client_request(cli_client *c, const char *document, const json_t *variables) {
  return c->schema ? request_in_process(c, document, variables)
                   : request_http(c, document, variables);
}

cli_client *cli_client_open(const char *cmd, const cli_client_options *o, int *exit_status) {
  cli_client *c = calloc(1, sizeof *c);
  c->cmd = cmd;
  c->timeout = o->timeout > 0 ? o->timeout : DEFAULT_TIMEOUT;
  *exit_status = CLI_EXIT_SERVER;
  if (o->url) {
    if (o->workspace || o->home) {
      fprintf(stderr,
              "%s: -w/--workspace and --home are for the local instance; with --url the "
              "server has its own\n",
              cmd);
      *exit_status = CLI_EXIT_USAGE;
      free(c);
      return NULL;
    }
    c->url = strdup(o->url);
    buf endpoint;
    buf_init(&endpoint, NULL);
    bool parsed = parse_url(c, o->url, &endpoint);
    bool opened = parsed && http_open(c, buf_cstr(&endpoint));
    buf_free(&endpoint);
    if (!opened) {
      *exit_status = parsed ? CLI_EXIT_SERVER : CLI_EXIT_USAGE;
      cli_client_close(c);
      return NULL;
    }
    return c;
  }
  char err[256];
  c->schema = api_schema_new(NULL, err, sizeof err);
  if (!c->schema) {
    fprintf(stderr, "%s: %s\n", cmd, err);
    cli_client_close(c);
    return NULL;
  }
  c->instance = cli_instance_open(cmd, o->home);
  if (c->instance) {
    /* Without -w, ./workspace.yaml as the other commands do; when there
     * is none, only a command that needs definitions says so. */
    bool load = o->workspace || o->needs_workspace || access(CLI_DEFAULT_WORKSPACE, F_OK) == 0;
    c->workspace = load ? cli_workspace_load(cmd, o->workspace) : api_workspace_new(NULL);
  }
  if (!c->instance || !c->workspace) {
    cli_client_close(c);
    return NULL;
  }
  return c;
}

void cli_client_close(cli_client *c) {
  if (!c)
    return;
  api_workspace_free(c->workspace);
  run_instance_close(c->instance);
  gql_schema_free(c->schema);
  if (c->curl)
    curl_easy_cleanup(c->curl);
  curl_slist_free_all(c->headers);
  free(c->url);
  free(c->path);
  free(c->host);
  free(c->host_port);
  free(c);
}

/* ---- results --------------------------------------------------------- */

void cli_print_json(const json_t *data) {
  char *text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (text)
    puts(text);
  free(text);
  fflush(stdout);
}

const char *cli_error_message(const json_t *member) {
  const char *m = cli_json_str(member, "message");
  if (m)
    return m;
  m = cli_json_str(member, "__typename");
  return m ? m : "unknown error";
}

int cli_report_error(const char *cmd, const char *what, const json_t *member) {
  const char *type = cli_json_str(member, "__typename");
  const json_t *errors = json_object_get(member, "errors");
  if (type && strcmp(type, "RunConfigValidationInvalid") == 0 && json_is_array(errors)) {
    cli_printf(stderr, "%s: %s: the run config is invalid for job '%s' (%zu error%s):", cmd, what,
               cli_json_str(member, "pipelineName") ? cli_json_str(member, "pipelineName") : "?",
               json_array_size(errors), json_array_size(errors) == 1 ? "" : "s");
    size_t i;
    const json_t *e;
    json_array_foreach(errors, i, e) { cli_printf(stderr, "  - %s", cli_error_message(e)); }
  } else if (type && strcmp(type, "PythonError") == 0) {
    const char *cls = cli_json_str(member, "className");
    cli_printf(stderr, "%s: %s: server error%s%s%s: %s", cmd, what, cls ? " (" : "", cls ? cls : "",
               cls ? ")" : "", cli_error_message(member));
  } else {
    cli_printf(stderr, "%s: %s: %s", cmd, what, cli_error_message(member));
  }
  return CLI_EXIT_FAILED;
}

/* ---- text from runs and servers -------------------------------------- */

/* Whether code point cp is a control character: C0, DEL or C1. */
static bool is_control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp < 0xA0); }

char *cli_clean(const char *s, const char *indent) {
  buf out;
  buf_init(&out, NULL);
  buf_append(&out, "", 0); /* an empty s still gives a string */
  const char *end = s + strlen(s);
  if (indent)
    while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
      end--;
  for (const char *p = s; p < end;) {
    uint32_t cp;
    int n = utf8_decode(p, end, &cp);
    if (n == 0) { /* not UTF-8: the byte, escaped */
      buf_printf(&out, "\\x%02x", (unsigned char)*p);
      p++;
      continue;
    }
    bool crlf = indent && cp == '\r' && p + 1 < end && p[1] == '\n';
    if (cp == '\n' || crlf) {
      if (indent) {
        buf_putc(&out, '\n');
        buf_puts(&out, indent);
      } else {
        buf_puts(&out, "\\n");
      }
      n += crlf;
    } else if (cp == '\t') {
      buf_puts(&out, "\\t");
    } else if (is_control(cp)) {
      buf_printf(&out, "\\x%02x", (unsigned)cp);
    } else {
      buf_append(&out, p, (size_t)n);
    }
    p += n;
  }
  return out.data;
}

void cli_printf(FILE *f, const char *fmt, ...) {
  buf text;
  buf_init(&text, NULL);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&text, fmt, ap);
  va_end(ap);
  char *clean = cli_clean(buf_cstr(&text), "    ");
  fputs(clean, f);
  fputc('\n', f);
  free(clean);
  buf_free(&text);
}

size_t cli_cut(const char *s, size_t n, size_t max_chars) {
  size_t at = 0;
  for (size_t chars = 0; at < n && chars < max_chars; chars++) {
    uint32_t cp;
    int len = utf8_decode(s + at, s + n, &cp);
    at += len ? (size_t)len : 1; /* a stray byte counts as one */
  }
  return at;
}

const char *cli_join_tags(const json_t *tags, buf *out) {
  size_t i;
  const json_t *tag;
  json_array_foreach(tags, i, tag) {
    const char *key = cli_json_str(tag, "key");
    const char *value = cli_json_str(tag, "value");
    buf_printf(out, "%s%s=%s", i ? ", " : "", key ? key : "?", value ? value : "");
  }
  return out->len ? out->data : NULL;
}

/* ---- output ---------------------------------------------------------- */

struct cli_table {
  size_t n_cols;
  size_t n_rows;
  size_t cap;
  char **cells; /* n_rows × n_cols */
};

cli_table *cli_table_new(size_t n_cols, const char *const *header) {
  cli_table *t = calloc(1, sizeof *t);
  t->n_cols = n_cols;
  if (header)
    cli_table_add(t, header);
  return t;
}

void cli_table_add(cli_table *t, const char *const *cells) {
  if (t->n_rows == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 16;
    t->cells = realloc(t->cells, t->cap * t->n_cols * sizeof *t->cells);
  }
  for (size_t i = 0; i < t->n_cols; i++)
    t->cells[t->n_rows * t->n_cols + i] = cli_clean(cells[i] ? cells[i] : "-", NULL);
  t->n_rows++;
}

/* Characters in s (UTF-8 continuation bytes not counted; cli_clean left
 * only well-formed UTF-8). */
static size_t text_width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    w += ((unsigned char)*s & 0xC0) != 0x80;
  return w;
}

void cli_table_print(cli_table *t, FILE *f) {
  size_t *width = calloc(t->n_cols, sizeof *width);
  for (size_t r = 0; r < t->n_rows; r++)
    for (size_t i = 0; i < t->n_cols; i++) {
      size_t w = text_width(t->cells[r * t->n_cols + i]);
      if (w > width[i])
        width[i] = w;
    }
  for (size_t r = 0; r < t->n_rows; r++) {
    for (size_t i = 0; i < t->n_cols; i++) {
      const char *cell = t->cells[r * t->n_cols + i];
      fputs(cell, f);
      if (i + 1 < t->n_cols)
        fprintf(f, "%*s", (int)(width[i] - text_width(cell) + 2), "");
      free(t->cells[r * t->n_cols + i]);
    }
    fputc('\n', f);
  }
  free(width);
  free(t->cells);
  free(t);
}

const char *cli_format_time(double t, bool millis, char *out, size_t size) {
  if (!(t > 0)) {
    snprintf(out, size, "-");
    return out;
  }
  time_t secs = (time_t)t;
  struct tm tm;
  localtime_r(&secs, &tm);
  size_t n = strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm);
  if (millis && n)
    snprintf(out + n, size - n, ".%03d", (int)((t - (double)secs) * 1000));
  return out;
}

const char *cli_format_duration(double s, char *out, size_t size) {
  if (s < 0)
    snprintf(out, size, "-");
  else if (s < 10)
    snprintf(out, size, "%.2fs", s);
  else if (s < 60)
    snprintf(out, size, "%.1fs", s);
  else if (s < 3600)
    snprintf(out, size, "%dm%02ds", (int)s / 60, (int)s % 60);
  else
    snprintf(out, size, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
  return out;
}

double cli_json_number(const json_t *obj, const char *key) {
  const json_t *v = json_object_get(obj, key);
  return json_is_number(v) ? json_number_value(v) : -1;
}

bool cli_json_is(const json_t *obj, const char *type) {
  const char *t = cli_json_str(obj, "__typename");
  return t && strcmp(t, type) == 0;
}

const char *cli_json_str(const json_t *obj, const char *key) {
  return json_string_value(json_object_get(obj, key));
}

json_t *cli_parse_tag(const char *cmd, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (!eq || eq == arg) {
    fprintf(stderr, "%s: --tag wants KEY=VALUE, not '%s'\n", cmd, arg);
    return NULL;
  }
  json_t *key = json_stringn(arg, (size_t)(eq - arg));
  json_t *value = json_string(eq + 1);
  if (!key || !value) {
    fprintf(stderr, "%s: --tag %s is not UTF-8 text\n", cmd, arg);
    json_decref(key);
    json_decref(value);
    return NULL;
  }
  return json_pack("{s:o,s:o}", "key", key, "value", value);
}
