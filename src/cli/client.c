/* client.c — the GraphQL client of `dagd run` and `dagd job`, in process
 * or over HTTP, and the terminal output both commands share.
 *
 * In process, a request runs through gql_run against the API schema with
 * the instance and workspace this process opened, exactly as graphql.c
 * does. Over HTTP it is a small HTTP/1.1 client on POSIX sockets (no new
 * library): one connection per request (Connection: close), since the
 * commands send a handful of requests and a poll every half second at
 * most; the answer is read by Content-Length, chunked encoding, or up to
 * the close, within one deadline for the whole exchange. Either way the
 * response JSON goes through the same checks, so a command cannot tell
 * the two apart. https is refused by name: TLS would need a library and
 * the webserver serves plain HTTP. */
#include "cli/client.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "api/api.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/json.h"
#include "cli/workspace_arg.h"
#include "graphql/exec.h"

#define DEFAULT_TIMEOUT 30.0
/* Bounds what a server can make this process hold. */
#define MAX_HEADER_BYTES (64 * 1024)
#define MAX_BODY_BYTES ((size_t)512 * 1024 * 1024)

struct cli_client {
  const char *cmd;
  double timeout;
  /* Over HTTP: */
  char *host;     /* as given, without brackets for IPv6 */
  char *port;     /* "80" when none is given */
  char *path;     /* the GraphQL endpoint's path, e.g. /prefix/graphql */
  char *host_hdr; /* the Host header: host[:port] as given */
  char *url;      /* as given, for messages */
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
  snprintf(optstring, sizeof optstring, ":w:%s", shortopts);
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

/* Fills c's host, port, path and Host header from url; false after
 * explaining why it is not an http:// URL dagd can use. */
static bool parse_url(cli_client *c, const char *url) {
  static const char scheme[] = "http://";
  if (strncasecmp(url, "https://", 8) == 0) {
    fprintf(stderr, "%s: --url %s: https is not supported; use http:// (dagd serves plain HTTP)\n",
            c->cmd, url);
    return false;
  }
  if (strncasecmp(url, scheme, sizeof scheme - 1) != 0) {
    fprintf(stderr, "%s: --url %s: not an http:// URL (e.g. http://127.0.0.1:3000)\n", c->cmd, url);
    return false;
  }
  const char *auth = url + sizeof scheme - 1;
  size_t auth_len = strcspn(auth, "/?#");
  const char *rest = auth + auth_len;
  if (strpbrk(rest, "?#") || auth_len == 0 || memchr(auth, '@', auth_len)) {
    fprintf(stderr,
            "%s: --url %s: expected http://host[:port][/prefix], with no user, query or "
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
  c->port = port ? strndup(port, port_len) : strdup("80");
  c->host_hdr = strndup(auth, auth_len);
  /* The webserver prints its endpoint ending in /graphql: take that as it
   * is, else the URL is the server's root (or its path prefix). */
  size_t path_len = strlen(rest);
  while (path_len > 0 && rest[path_len - 1] == '/')
    path_len--;
  static const char endpoint[] = "/graphql";
  bool has_endpoint =
      path_len >= sizeof endpoint - 1 &&
      memcmp(rest + path_len - (sizeof endpoint - 1), endpoint, sizeof endpoint - 1) == 0;
  buf p;
  buf_init(&p, NULL);
  buf_append(&p, rest, path_len);
  if (!has_endpoint)
    buf_puts(&p, endpoint);
  c->path = p.data;
  return true;
}

/* ---- HTTP ------------------------------------------------------------ */

/* What went wrong in an exchange, for one message. */
typedef struct http_failure {
  char why[512];
} http_failure;

static void fail(http_failure *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(http_failure *f, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->why, sizeof f->why, fmt, ap);
  va_end(ap);
}

/* Milliseconds left before the deadline (0 when past it). */
static int ms_left(double deadline) {
  double left = deadline - clock_now();
  return left <= 0 ? 0 : left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
}

/* Waits until fd is ready for events; false on timeout (errno ETIMEDOUT)
 * or error. */
static bool wait_fd(int fd, short events, double deadline) {
  for (;;) {
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, ms_left(deadline));
    if (n > 0)
      return true;
    if (n == 0) {
      errno = ETIMEDOUT;
      return false;
    }
    if (errno != EINTR)
      return false;
  }
}

/* Connects to one address within the deadline; the socket, or -1 with
 * errno set. */
static int connect_one(const struct addrinfo *ai, double deadline) {
  int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
  if (fd < 0)
    return -1;
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
    return fd;
  if (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline)) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
      return fd;
    errno = err ? err : errno;
  }
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}

/* Connects to the client's host, trying each address it resolves to (a
 * name like localhost may give ::1 first while the server listens on
 * 127.0.0.1). */
static int http_connect(const cli_client *c, double deadline, http_failure *f) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(c->host, c->port, &hints, &res);
  if (rc != 0) {
    fail(f, "cannot resolve '%s': %s", c->host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  int err = 0;
  for (const struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = connect_one(ai, deadline);
    if (fd < 0)
      err = errno;
  }
  freeaddrinfo(res);
  if (fd < 0) {
    if (err == ETIMEDOUT)
      fail(f, "cannot connect to %s:%s: no answer within %g s", c->host, c->port, c->timeout);
    else
      fail(f, "cannot connect to %s:%s: %s (is `dagd dev` or `dagd webserver` running there?)",
           c->host, c->port, strerror(err));
  }
  return fd;
}

static bool send_all(int fd, const char *data, size_t n, double deadline, http_failure *f) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w > 0) {
      data += w;
      n -= (size_t)w;
    } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      if (!wait_fd(fd, POLLOUT, deadline)) {
        fail(f, "sending the request: %s", strerror(errno));
        return false;
      }
    } else {
      fail(f, "sending the request: %s", strerror(errno));
      return false;
    }
  }
  return true;
}

/* Reads more bytes into b: >0 read, 0 at the end of the stream, -1 after
 * filling f. */
static ssize_t read_more(int fd, buf *b, double deadline, http_failure *f) {
  for (;;) {
    buf_reserve(b, 16384);
    ssize_t r = recv(fd, b->data + b->len, 16384, 0);
    if (r > 0) {
      b->len += (size_t)r;
      b->data[b->len] = '\0';
      return r;
    }
    if (r == 0)
      return 0;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      fail(f, "reading the answer: %s", strerror(errno));
      return -1;
    }
    if (!wait_fd(fd, POLLIN, deadline)) {
      if (errno == ETIMEDOUT)
        fail(f, "no complete answer within the timeout (--timeout)");
      else
        fail(f, "reading the answer: %s", strerror(errno));
      return -1;
    }
  }
}

/* The parsed head of a response. */
typedef struct http_head {
  int status;
  char reason[64];
  char content_type[128];
  bool chunked;
  long long content_length; /* -1: none */
} http_head;

/* The value of header line `line` (len bytes) when its name is `name`. */
static bool header_value(const char *line, size_t len, const char *name, char *out, size_t size) {
  size_t n = strlen(name);
  if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
    return false;
  const char *v = line + n + 1;
  const char *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  snprintf(out, size, "%.*s", (int)(end - v), v);
  return true;
}

/* Parses the status line and headers (head_len bytes, the final CRLFCRLF
 * excluded). */
static bool parse_head(const char *text, size_t head_len, http_head *h, http_failure *f) {
  *h = (http_head){.content_length = -1};
  const char *eol = memchr(text, '\r', head_len);
  size_t line_len = eol ? (size_t)(eol - text) : head_len;
  int minor;
  int consumed = 0;
  if (sscanf(text, "HTTP/1.%d %3d%n", &minor, &h->status, &consumed) != 2 || consumed < 12) {
    fail(f, "the answer is not HTTP/1.x (it begins '%.40s')", text);
    return false;
  }
  /* The reason phrase follows one space, when there is one. */
  size_t at = (size_t)consumed + (line_len > (size_t)consumed);
  snprintf(h->reason, sizeof h->reason, "%.*s", (int)(line_len - at), text + at);
  const char *p = text + line_len + 2;
  const char *end = text + head_len;
  while (p < end) {
    const char *nl = strstr(p, "\r\n");
    size_t len = nl && nl < end ? (size_t)(nl - p) : (size_t)(end - p);
    char value[128];
    if (header_value(p, len, "Content-Length", value, sizeof value)) {
      char *e;
      h->content_length = strtoll(value, &e, 10);
      if (*e || h->content_length < 0) {
        fail(f, "bad Content-Length '%s' in the answer", value);
        return false;
      }
    } else if (header_value(p, len, "Transfer-Encoding", value, sizeof value)) {
      for (char *v = value; *v; v++)
        *v = (char)tolower((unsigned char)*v);
      h->chunked = strstr(value, "chunked") != NULL;
    } else if (header_value(p, len, "Content-Type", value, sizeof value)) {
      snprintf(h->content_type, sizeof h->content_type, "%s", value);
    }
    p += len + 2;
  }
  return true;
}

/* Incremental chunked decoding of raw[*pos..len) into body: returns 1 when
 * the last chunk was read, 0 when more bytes are needed, -1 after filling
 * f. */
static int dechunk(const buf *raw, size_t *pos, buf *body, http_failure *f) {
  for (;;) {
    const char *p = raw->data + *pos;
    const char *nl = strstr(p, "\r\n");
    if (!nl)
      return 0;
    char *end;
    unsigned long long size = strtoull(p, &end, 16);
    if (end == p || (*end != ';' && *end != '\r') || size > MAX_BODY_BYTES) {
      fail(f, "bad chunk size in the answer");
      return -1;
    }
    size_t data_at = (size_t)(nl + 2 - raw->data);
    if (size == 0) {
      /* The trailers, if any, end with an empty line. */
      return strstr(nl, "\r\n\r\n") ? 1 : 0;
    }
    if (raw->len < data_at + size + 2)
      return 0;
    buf_append(body, raw->data + data_at, size);
    *pos = data_at + size + 2;
  }
}

/* One POST of body to the client's endpoint: the status and response body
 * into head and out; false after filling f. */
static bool http_post(const cli_client *c, const char *body, size_t n, http_head *head, buf *out,
                      http_failure *f) {
  double deadline = clock_now() + c->timeout;
  int fd = http_connect(c, deadline, f);
  if (fd < 0)
    return false;
  buf req;
  buf_init(&req, NULL);
  buf_printf(&req,
             "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: dagd-cli\r\n"
             "Content-Type: application/json\r\nAccept: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n",
             c->path, c->host_hdr, n);
  buf_append(&req, body, n);
  bool ok = send_all(fd, req.data, req.len, deadline, f);
  buf_free(&req);

  buf raw;
  buf_init(&raw, NULL);
  buf_reserve(&raw, 1);
  size_t head_end = 0; /* where the body starts, once the head was read */
  size_t chunk_pos = 0;
  bool done = false;
  while (ok && !done) {
    ssize_t r = read_more(fd, &raw, deadline, f);
    if (r < 0) {
      ok = false;
      break;
    }
    if (!head_end) {
      const char *sep = strstr(raw.data, "\r\n\r\n");
      if (!sep && (r == 0 || raw.len > MAX_HEADER_BYTES)) {
        fail(f, raw.len ? "the answer's headers are incomplete or too long"
                        : "the server closed the connection without answering");
        ok = false;
        break;
      }
      if (!sep)
        continue;
      head_end = (size_t)(sep - raw.data) + 4;
      chunk_pos = head_end;
      if (!parse_head(raw.data, head_end - 4, head, f)) {
        ok = false;
        break;
      }
    }
    if (head->chunked) {
      int d = dechunk(&raw, &chunk_pos, out, f);
      ok = d >= 0;
      done = d == 1;
    } else if (head->content_length >= 0) {
      done = raw.len - head_end >= (size_t)head->content_length;
      if (done)
        buf_append(out, raw.data + head_end, (size_t)head->content_length);
    } else if (r == 0) {
      buf_append(out, raw.data + head_end, raw.len - head_end);
      done = true;
    }
    if (ok && !done && r == 0) {
      fail(f, "the server closed the connection in the middle of its answer");
      ok = false;
    }
    if (ok && raw.len > MAX_BODY_BYTES) {
      fail(f, "the answer is larger than %zu MiB", MAX_BODY_BYTES >> 20);
      ok = false;
    }
  }
  buf_free(&raw);
  close(fd);
  return ok;
}

/* ---- requests -------------------------------------------------------- */

/* The first line of text, at most 100 bytes, for a message. */
static void print_excerpt(const char *text, size_t n) {
  size_t line = strcspn(text, "\r\n");
  if (line > n)
    line = n;
  size_t rest = line; /* is anything but white space left after the line? */
  while (rest < n && isspace((unsigned char)text[rest]))
    rest++;
  fprintf(stderr, "  %.*s%s\n", (int)(line > 100 ? 100 : line), text,
          line > 100 || rest < n ? " …" : "");
}

/* Prints each message of a response's "errors". */
static void print_graphql_errors(const char *cmd, const json_t *errors) {
  size_t i;
  const json_t *e;
  json_array_foreach(errors, i, e) {
    const char *m = cli_json_str(e, "message");
    fprintf(stderr, "%s: GraphQL error: %s\n", cmd, m ? m : "(no message)");
  }
}

/* The response text's data, or NULL after explaining (status: the HTTP
 * status, 0 in process). */
static json_t *response_data(const cli_client *c, const char *text, size_t n, int status,
                             const char *reason) {
  char why[200];
  json_t *resp = json_parse_text(text, n, why, sizeof why);
  if (status && status != 200) {
    const json_t *errors = resp ? json_object_get(resp, "errors") : NULL;
    fprintf(stderr, "%s: %s answered HTTP %d %s for POST %s%s\n", c->cmd, c->url, status, reason,
            c->path, status == 404 ? " (is the URL's path prefix right?)" : "");
    if (json_is_array(errors))
      print_graphql_errors(c->cmd, errors);
    else if (n)
      print_excerpt(text, n);
    json_decref(resp);
    return NULL;
  }
  if (!resp || !json_is_object(resp)) {
    fprintf(stderr, "%s: the answer from %s is not a JSON object (%s):\n", c->cmd,
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

static json_t *request_http(cli_client *c, const char *document, const json_t *variables) {
  json_t *body = json_pack("{s:s}", "query", document);
  if (variables)
    json_object_set(body, "variables", (json_t *)variables);
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  http_head head = {0};
  buf out;
  buf_init(&out, NULL);
  http_failure f = {{0}};
  json_t *data = NULL;
  if (!text)
    fprintf(stderr, "%s: cannot encode the request\n", c->cmd);
  else if (!http_post(c, text, strlen(text), &head, &out, &f))
    fprintf(stderr, "%s: %s: %s\n", c->cmd, c->url, f.why);
  else
    data = response_data(c, out.data ? out.data : "", out.len, head.status, head.reason);
  free(text);
  buf_free(&out);
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
    if (!parse_url(c, o->url)) {
      *exit_status = CLI_EXIT_USAGE;
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
  free(c->host);
  free(c->port);
  free(c->path);
  free(c->host_hdr);
  free(c->url);
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
    fprintf(stderr, "%s: %s: the run config is invalid for job '%s' (%zu error%s):\n", cmd, what,
            cli_json_str(member, "pipelineName") ? cli_json_str(member, "pipelineName") : "?",
            json_array_size(errors), json_array_size(errors) == 1 ? "" : "s");
    size_t i;
    const json_t *e;
    json_array_foreach(errors, i, e) { fprintf(stderr, "  - %s\n", cli_error_message(e)); }
  } else if (type && strcmp(type, "PythonError") == 0) {
    const char *cls = cli_json_str(member, "className");
    fprintf(stderr, "%s: %s: server error%s%s%s: %s\n", cmd, what, cls ? " (" : "", cls ? cls : "",
            cls ? ")" : "", cli_error_message(member));
  } else {
    fprintf(stderr, "%s: %s: %s\n", cmd, what, cli_error_message(member));
  }
  return CLI_EXIT_FAILED;
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
    t->cells[t->n_rows * t->n_cols + i] = strdup(cells[i] ? cells[i] : "-");
  t->n_rows++;
}

/* Characters in s (UTF-8 continuation bytes not counted). */
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
