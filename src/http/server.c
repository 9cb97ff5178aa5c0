/* server.c — the libmicrohttpd server behind `dagd webserver`.
 *
 * We bind the listening socket ourselves (precise errors such as "Address
 * already in use", and the real port when asked for port 0) and hand it to
 * libmicrohttpd. Each request gets an arena on the access handler's first
 * call; body chunks accumulate in it (up to the body limit, beyond which the
 * rest is discarded and 413 answered); the response is queued on the last
 * call — answering earlier would make libmicrohttpd drop keep-alive — and
 * the arena is freed when libmicrohttpd reports the request completed.
 *
 * A GET /graphql asking for a WebSocket is answered with the handshake
 * (ws.h) and, once libmicrohttpd hands the socket over, served by a thread
 * of ws_server.h until the session ends and MHD_upgrade_action closes it.
 *
 * Threads: a pool of epoll threads (http_server_config.threads), which
 * measured faster than a thread per connection for keep-alive traffic
 * (docs/http.md). Shared state is the immutable schema and
 * config, three atomics (open connections, requests in flight,
 * draining) and the WebSocket registry (locked inside ws_server.c). */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/version.h"
#include "http/graphql_http.h"
#include "http/static.h"
#include "http/ws.h"
#include "http/ws_server.h"

#define DEFAULT_MAX_BODY ((size_t)1 << 20)
/* Node's own header limit; libmicrohttpd zeroes this much per request. */
#define DEFAULT_MAX_HEADER ((size_t)16 << 10)
#define DEFAULT_MAX_CONNECTIONS 1024u
#define DEFAULT_TIMEOUT_S 60u
/* How long a WebSocket waits for the peer's close frame (also at shutdown). */
#define WS_CLOSE_TIMEOUT_MS 5000u
/* At shutdown, WebSockets get at least this long to finish closing. */
#define WS_SHUTDOWN_WAIT_MS (WS_CLOSE_TIMEOUT_MS + 2500u)
/* Past the body limit we read and drop the rest of the body, so the client
 * gets its 413 on a connection that stays usable; a body this many times
 * over the limit is not worth reading: we answer at once and close. */
#define DISCARD_FACTOR 8
/* Bodies announced up to this size get their buffer at once; larger ones
 * grow as bytes arrive, so a client cannot reserve memory by announcing. */
#define PRESIZE_MAX ((unsigned long long)64 << 10)

struct http_server {
  struct MHD_Daemon *daemon;
  http_graphql gql;
  char *prefix; /* "" or "/x" */
  size_t prefix_len;
  size_t max_body;
  http_access_log_fn access_log;
  void *access_log_data;
  unsigned port;
  char url_host[INET6_ADDRSTRLEN + 2];
  unsigned max_connections;
  atomic_int connections; /* open connections, across the pool's threads */
  atomic_int in_flight;   /* requests from the first handler call to completion (or upgrade) */
  atomic_bool draining;   /* shutting down: answer with Connection: close */
  ws_server *ws;          /* the upgraded sockets */
};

/* One request, in its own arena. */
typedef struct req_state {
  arena *arena;
  struct timespec start;
  const char *method, *path;
  buf body;
  size_t discarded; /* body bytes dropped past the limit */
  bool too_large;
  bool responded;
  int status;
  size_t bytes;
  ws_protocol ws_protocol; /* a WebSocket upgrade: the subprotocol chosen */
  bool ws_reserved;        /* … holding a place in the registry */
  bool upgraded;           /* … and libmicrohttpd handed the socket over */
} req_state;

/* ---- the listening socket ---- */

static int open_listener(http_server *s, const char *host, unsigned port, char *err,
                         size_t err_size) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  char port_str[16];
  snprintf(port_str, sizeof port_str, "%u", port);
  int rc = getaddrinfo(host, port_str, &hints, &res);
  if (rc != 0) {
    snprintf(err, err_size, "cannot resolve host '%s': %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1, last_errno = 0;
  for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    int one = 1;
    /* SO_REUSEADDR lets a restarted server bind while old connections sit
     * in TIME_WAIT; on Linux it does not let two servers share a port. */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      last_errno = errno;
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    snprintf(err, err_size, "cannot listen on %s:%u: %s%s", host, port, strerror(last_errno),
             last_errno == EADDRINUSE ? " (is another server running on this port?)" : "");
    return -1;
  }
  fcntl(fd, F_SETFD, FD_CLOEXEC);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  char addr[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
    inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
    snprintf(s->url_host, sizeof s->url_host, "[%s]", addr);
    s->port = ntohs(in6->sin6_port);
  } else {
    const struct sockaddr_in *in4 = (const struct sockaddr_in *)&ss;
    inet_ntop(AF_INET, &in4->sin_addr, addr, sizeof addr);
    snprintf(s->url_host, sizeof s->url_host, "%s", addr);
    s->port = ntohs(in4->sin_port);
  }
  return fd;
}

/* ---- routes ---- */

static bool method_is(const char *method, const char *m) { return strcmp(method, m) == 0; }

static void text_response(http_response *res, arena *a, int status, const char *text) {
  res->status = status;
  res->content_type = "text/plain; charset=utf-8";
  buf_init(&res->body, a);
  buf_puts(&res->body, text);
}

/* {"dagster_webserver_version": …}: the keys Dagster's webserver reports,
 * all answered with dagd's version, plus dagd_version. */
static void server_info(http_response *res, arena *a) {
  static const char *const keys[] = {"dagster_webserver_version", "dagster_version",
                                     "dagster_graphql_version", "dagd_version"};
  res->status = 200;
  res->content_type = "application/json; charset=utf-8";
  buf_init(&res->body, a);
  json_writer w;
  json_writer_init(&w, &res->body);
  json_begin_object(&w);
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    json_key(&w, keys[i]);
    json_str(&w, DAGD_VERSION);
  }
  json_end_object(&w);
}

static void health(http_response *res, arena *a) {
  res->status = 200;
  res->content_type = "application/json; charset=utf-8";
  buf_init(&res->body, a);
  buf_puts(&res->body, "{\"status\":\"ok\"}");
}

/* Browsers ask for /favicon.ico at the origin's root whatever the page
 * declares; an empty answer keeps a 404 out of their console. */
static void favicon(http_response *res, arena *a) {
  text_response(res, a, 204, "");
  res->headers[0] = (http_header){"Cache-Control", "public, max-age=86400"};
}

static void redirect(http_server *s, http_response *res, arena *a) {
  text_response(res, a, 307, "");
  res->location = arena_printf(a, "%s/graphql", s->prefix);
}

static const char *header(struct MHD_Connection *c, const char *name) {
  return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static const char *url_arg(struct MHD_Connection *c, const char *name) {
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static void graphql(http_server *s, struct MHD_Connection *c, req_state *st, http_response *res) {
  http_graphql_request req = {
      .method = st->method,
      .content_type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE),
      .accept = header(c, MHD_HTTP_HEADER_ACCEPT),
      .query = url_arg(c, "query"),
      .operation_name = url_arg(c, "operationName"),
      .variables = url_arg(c, "variables"),
      .extensions = url_arg(c, "extensions"),
      .body = st->body.data,
      .body_len = st->body.len,
  };
  http_graphql_handle(&s->gql, &req, st->arena, res);
}

/* GET <prefix>/graphql/static/<name>: an embedded playground file. */
static void static_asset(struct MHD_Connection *c, req_state *st, const char *name,
                         http_response *res) {
  http_static_request req = {
      .name = name,
      .version = url_arg(c, "v"),
      .if_none_match = header(c, MHD_HTTP_HEADER_IF_NONE_MATCH),
  };
  if (!http_static_asset(&req, st->arena, res))
    text_response(res, st->arena, 404, "Not Found\n");
}

/* The path below the prefix, or NULL when the URL is outside it. */
static const char *below_prefix(const http_server *s, const char *url) {
  if (strncmp(url, s->prefix, s->prefix_len) != 0)
    return NULL;
  const char *rest = url + s->prefix_len;
  return *rest == '/' || *rest == '\0' ? rest : NULL;
}

/* Fills res for the request, or returns true (res untouched) when it is a
 * WebSocket upgrade of the GraphQL endpoint. */
static bool route(http_server *s, struct MHD_Connection *c, req_state *st, http_response *res) {
  memset(res, 0, sizeof *res);
  arena *a = st->arena;
  if (strcmp(st->path, "/favicon.ico") == 0 &&
      (method_is(st->method, "GET") || method_is(st->method, "HEAD"))) {
    favicon(res, a);
    return false;
  }
  const char *path = below_prefix(s, st->path);
  if (!path) {
    if (strcmp(st->path, "/") == 0)
      redirect(s, res, a);
    else
      text_response(res, a, 404, "Not Found\n");
    return false;
  }
  if (*path == '\0' || strcmp(path, "/") == 0) {
    redirect(s, res, a);
    return false;
  }
  if (strcmp(path, "/graphql") == 0) {
    if (ws_is_upgrade(header(c, MHD_HTTP_HEADER_UPGRADE), header(c, MHD_HTTP_HEADER_CONNECTION)))
      return true;
    if (http_static_wants_playground(st->method, header(c, MHD_HTTP_HEADER_ACCEPT)))
      http_static_playground(s->prefix, a, res);
    else
      graphql(s, c, st, res);
    return false;
  }
  bool info = strcmp(path, "/server_info") == 0 || strcmp(path, "/dagit_info") == 0;
  bool is_health = strcmp(path, "/health") == 0;
  bool asset = strncmp(path, HTTP_STATIC_PATH, strlen(HTTP_STATIC_PATH)) == 0;
  if (!info && !is_health && !asset) {
    text_response(res, a, 404, "Not Found\n");
  } else if (!method_is(st->method, "GET") && !method_is(st->method, "HEAD")) {
    text_response(res, a, 405, "Method Not Allowed\n");
    res->allow = "GET, HEAD";
  } else if (info) {
    server_info(res, a);
  } else if (asset) {
    static_asset(c, st, path + strlen(HTTP_STATIC_PATH), res);
  } else {
    health(res, a);
  }
  return false;
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result send_response(http_server *s, struct MHD_Connection *c, req_state *st,
                                     const http_response *res) {
  /* Embedded assets outlive the server: libmicrohttpd sends them in place. */
  size_t len = res->static_data ? res->static_len : res->body.len;
  struct MHD_Response *r =
      res->static_data
          ? MHD_create_response_from_buffer(len, (void *)res->static_data, MHD_RESPMEM_PERSISTENT)
          : MHD_create_response_from_buffer(len, res->body.data ? res->body.data : (char *)"",
                                            MHD_RESPMEM_MUST_COPY);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
  if (res->allow)
    MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
  if (res->location)
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, res->location);
  for (size_t i = 0; i < HTTP_RESPONSE_MAX_HEADERS && res->headers[i].name; i++)
    MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
  if (atomic_load_explicit(&s->draining, memory_order_relaxed))
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)res->status, r);
  MHD_destroy_response(r);
  st->responded = true;
  st->status = res->status;
  /* Body bytes actually sent: none for HEAD and 304. */
  st->bytes = method_is(st->method, "HEAD") || res->status == 304 ? 0 : len;
  return ok;
}

/* ---- WebSocket upgrades ---- */

/* Joins every Sec-WebSocket-Protocol header into one list. */
static enum MHD_Result join_protocols(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value) {
  (void)kind;
  buf *b = cls;
  if (key && value && strcasecmp(key, "Sec-WebSocket-Protocol") == 0) {
    if (b->len)
      buf_putc(b, ',');
    buf_puts(b, value);
  }
  return MHD_YES;
}

static void close_upgraded(void *urh) { MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE); }

/* libmicrohttpd sent the 101 and hands over the socket; must not block. */
static void on_upgraded(void *cls, struct MHD_Connection *c, void *con_cls, const char *extra_in,
                        size_t extra_in_size, MHD_socket sock,
                        struct MHD_UpgradeResponseHandle *urh) {
  (void)c;
  http_server *s = cls;
  req_state *st = con_cls;
  /* From here on the socket is the registry's: no longer a request in
   * flight for the drain (libmicrohttpd reports it completed only once the
   * socket is handed back). */
  st->upgraded = true;
  atomic_fetch_sub(&s->in_flight, 1);
  ws_server_serve(s->ws, sock, st->ws_protocol, extra_in, extra_in_size, close_upgraded, urh);
}

/* An upgrade request dagd does not take: a GraphQL-shaped error. */
static enum MHD_Result refuse_upgrade(http_server *s, struct MHD_Connection *c, req_state *st,
                                      int status, const char *message) {
  http_response res;
  memset(&res, 0, sizeof res);
  http_error_response(&res, st->arena, status, HTTP_MEDIA_JSON, message);
  if (status == 426)
    res.headers[0] = (http_header){"Sec-WebSocket-Version", "13"};
  if (status == 405)
    res.allow = "GET";
  return send_response(s, c, st, &res);
}

/* Answers a WebSocket upgrade of the GraphQL endpoint (RFC 6455 §4.2). */
static enum MHD_Result upgrade(http_server *s, struct MHD_Connection *c, req_state *st) {
  buf protocols;
  buf_init(&protocols, st->arena);
  MHD_get_connection_values(c, MHD_HEADER_KIND, join_protocols, &protocols);
  ws_handshake_request hr = {
      .method = st->method,
      .upgrade = header(c, MHD_HTTP_HEADER_UPGRADE),
      .connection = header(c, MHD_HTTP_HEADER_CONNECTION),
      .version = header(c, "Sec-WebSocket-Version"),
      .key = header(c, "Sec-WebSocket-Key"),
      .protocols = protocols.len ? protocols.data : NULL,
  };
  ws_handshake h;
  ws_handshake_check(&hr, &h);
  if (h.status != 101)
    return refuse_upgrade(s, c, st, h.status, h.error);
  if (atomic_load(&s->draining))
    return refuse_upgrade(s, c, st, 503, "The server is shutting down.");
  if (!ws_server_reserve(s->ws))
    return refuse_upgrade(s, c, st, 503,
                          "Too many WebSocket connections are open; try again later.");
  st->ws_reserved = true; /* released in on_completed unless the socket is served */
  st->ws_protocol = h.protocol;
  struct MHD_Response *r = MHD_create_response_for_upgrade(on_upgraded, s);
  if (!r)
    return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_UPGRADE, "websocket");
  MHD_add_response_header(r, "Sec-WebSocket-Accept", h.accept);
  if (h.protocol_header)
    MHD_add_response_header(r, "Sec-WebSocket-Protocol", h.protocol_header);
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_SWITCHING_PROTOCOLS, r);
  MHD_destroy_response(r);
  st->responded = true;
  st->status = MHD_HTTP_SWITCHING_PROTOCOLS;
  st->bytes = 0;
  return ok;
}

static enum MHD_Result too_large(http_server *s, struct MHD_Connection *c, req_state *st) {
  http_response res = {0};
  const char *msg = arena_printf(
      st->arena, "The request body is larger than the limit of %zu bytes.", s->max_body);
  http_error_response(&res, st->arena, 413, http_negotiate_media(header(c, "Accept")), msg);
  return send_response(s, c, st, &res);
}

/* First call for a request: its state, and an early 413 when the declared
 * length is already far over the limit. */
static enum MHD_Result begin_request(http_server *s, struct MHD_Connection *c, const char *url,
                                     const char *method, void **con_cls) {
  arena *a = arena_new(0);
  req_state *st = ARENA_NEW(a, req_state);
  st->arena = a;
  clock_gettime(CLOCK_MONOTONIC, &st->start);
  st->method = arena_strdup(a, method);
  st->path = arena_strdup(a, url);
  buf_init(&st->body, a);
  *con_cls = st;
  atomic_fetch_add(&s->in_flight, 1);

  const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    unsigned long long n = strtoull(cl, NULL, 10);
    if (n > s->max_body) {
      st->too_large = true;
      if (n / DISCARD_FACTOR > s->max_body)
        return too_large(s, c, st);
    } else if (n > 0 && n <= PRESIZE_MAX) {
      buf_reserve(&st->body, (size_t)n);
    }
  }
  return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls) {
  (void)version;
  http_server *s = cls;
  req_state *st = *con_cls;
  if (!st)
    return begin_request(s, c, url, method, con_cls);
  if (st->responded) {
    *upload_data_size = 0;
    return MHD_YES;
  }
  size_t n = *upload_data_size;
  if (n > 0) {
    *upload_data_size = 0;
    if (!st->too_large && st->body.len + n > s->max_body)
      st->too_large = true;
    if (!st->too_large) {
      buf_append(&st->body, upload_data, n);
      return MHD_YES;
    }
    st->discarded += n;
    if (st->discarded / DISCARD_FACTOR > s->max_body)
      return too_large(s, c, st);
    return MHD_YES;
  }
  if (st->too_large)
    return too_large(s, c, st);
  http_response res;
  if (route(s, c, st, &res))
    return upgrade(s, c, st);
  return send_response(s, c, st, &res);
}

static double elapsed_ms(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
  (void)c;
  (void)code;
  http_server *s = cls;
  req_state *st = *con_cls;
  if (!st)
    return;
  if (s->access_log) {
    http_access_entry e = {
        .method = st->method,
        .path = st->path,
        .status = st->status,
        .bytes = st->bytes,
        .duration_ms = elapsed_ms(&st->start),
    };
    s->access_log(s->access_log_data, &e);
  }
  if (st->ws_reserved && !st->upgraded)
    ws_server_unreserve(s->ws);
  bool upgraded = st->upgraded;
  *con_cls = NULL;
  arena_free(st->arena);
  if (!upgraded)
    atomic_fetch_sub(&s->in_flight, 1);
}

/* libmicrohttpd splits its connection limit evenly between the pool's
 * threads, and one thread may accept a burst of connections while the
 * others are busy: it then refuses connections far below the limit. So each
 * thread gets the whole limit and the total is enforced here. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len) {
  (void)addr;
  (void)len;
  const http_server *s = cls;
  /* Draining: a new connection is closed at once (see http_server_shutdown). */
  if (atomic_load(&s->draining))
    return MHD_NO;
  return atomic_load(&s->connections) < (int)s->max_connections ? MHD_YES : MHD_NO;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
  (void)c;
  (void)socket_context;
  http_server *s = cls;
  atomic_fetch_add(&s->connections, code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

/* ---- lifecycle ---- */

/* "/x/" and "x" become "/x"; "/" and "" become "". */
static char *normalise_prefix(const char *p) {
  if (!p)
    p = "";
  while (*p == '/')
    p++;
  size_t n = strlen(p);
  while (n > 0 && p[n - 1] == '/')
    n--;
  char *out = xmalloc(n + 2);
  if (n == 0) {
    out[0] = '\0';
  } else {
    out[0] = '/';
    memcpy(out + 1, p, n);
    out[n + 1] = '\0';
  }
  return out;
}

/* Four threads per CPU: measured on 2 cores, a pool of 4–8 epoll threads
 * serves trivial queries as fast as a pool of 2, with steadier latency, and
 * leaves room for resolvers that block (storage reads). */
static unsigned default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 && n < 256 ? 4u * (unsigned)n : 8u;
}

http_server *http_server_start(const http_server_config *cfg, char *err, size_t err_size) {
  http_server *s = xcalloc(1, sizeof *s);
  s->gql.schema = cfg->schema;
  s->gql.limits = cfg->limits;
  s->gql.context = cfg->context;
  s->prefix = normalise_prefix(cfg->path_prefix);
  s->prefix_len = strlen(s->prefix);
  s->max_body = cfg->max_body_bytes ? cfg->max_body_bytes : DEFAULT_MAX_BODY;
  s->access_log = cfg->access_log;
  s->access_log_data = cfg->access_log_data;
  atomic_init(&s->connections, 0);
  atomic_init(&s->in_flight, 0);
  atomic_init(&s->draining, false);

  int fd = open_listener(s, cfg->host ? cfg->host : "127.0.0.1", cfg->port, err, err_size);
  if (fd < 0) {
    free(s->prefix);
    free(s);
    return NULL;
  }
  ws_server_config wc = {
      .schema = cfg->schema,
      .limits = cfg->limits,
      .context = cfg->context,
      .max_sockets = cfg->max_websockets,
      .max_message_bytes = s->max_body, /* a query is no longer over WebSocket than over POST */
      .max_subscriptions = cfg->max_subscriptions,
      .keepalive_ms = cfg->ws_keepalive_ms,
      .close_timeout_ms = WS_CLOSE_TIMEOUT_MS,
  };
  s->ws = ws_server_new(&wc);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ITC |
                   MHD_ALLOW_UPGRADE;
  unsigned pool = cfg->threads ? cfg->threads : default_threads();
  size_t header_mem = cfg->max_header_bytes ? cfg->max_header_bytes : DEFAULT_MAX_HEADER;
  s->max_connections = cfg->max_connections ? cfg->max_connections : DEFAULT_MAX_CONNECTIONS;
  unsigned timeout = cfg->connection_timeout ? cfg->connection_timeout : DEFAULT_TIMEOUT_S;
  s->daemon = MHD_start_daemon(
      flags, 0, on_accept, s, on_request, s, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, header_mem, MHD_OPTION_CONNECTION_LIMIT,
      s->max_connections * pool, MHD_OPTION_CONNECTION_TIMEOUT, timeout,
      MHD_OPTION_THREAD_POOL_SIZE, pool, MHD_OPTION_END);
  if (!s->daemon) {
    snprintf(err, err_size,
             "cannot start the HTTP server on %s:%u (libmicrohttpd refused the "
             "configuration)",
             s->url_host, s->port);
    close(fd);
    ws_server_free(s->ws);
    free(s->prefix);
    free(s);
    return NULL;
  }
  return s;
}

unsigned http_server_port(const http_server *s) { return s->port; }

const char *http_server_url_host(const http_server *s) { return s->url_host; }

const char *http_server_path_prefix(const http_server *s) { return s->prefix; }

int http_server_shutdown(http_server *s, unsigned drain_ms) {
  /* New connections are refused by on_accept from here on. Not
   * MHD_quiesce_daemon: with an epoll thread pool (libmicrohttpd 0.9.75)
   * it races the workers removing the listening socket from their epoll
   * sets and aborts the process ("Failed to remove listen FD from epoll
   * set") about once in a hundred shutdowns. */
  atomic_store(&s->draining, true);
  ws_server_close_all(s->ws); /* they close while requests drain */
  const struct timespec tick = {0, 5 * 1000 * 1000};
  for (unsigned waited = 0; atomic_load(&s->in_flight) > 0 && waited < drain_ms; waited += 5)
    nanosleep(&tick, NULL);
  int left = atomic_load(&s->in_flight);
  /* They have been closing since close_all, in parallel with the drain. */
  unsigned ws_left =
      ws_server_wait(s->ws, drain_ms > WS_SHUTDOWN_WAIT_MS ? drain_ms : WS_SHUTDOWN_WAIT_MS);
  if (ws_left > 0) {
    /* A socket's thread is stuck (in a resolver): it still holds its
     * upgrade handle, so the daemon must not be freed under it. The
     * process is about to exit anyway. */
    return left + (int)ws_left;
  }
  MHD_stop_daemon(s->daemon);
  ws_server_free(s->ws);
  free(s->prefix);
  free(s);
  return left;
}
