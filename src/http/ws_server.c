/* ws_server.c — the thread behind each upgraded WebSocket (ws_server.h).
 *
 * One thread per socket runs a poll loop over the socket and an eventfd:
 * input goes to ws_session_feed; the eventfd (written by source streams
 * through the session's wake hook, or by ws_server_close_all) and the
 * session's next deadline lead to ws_session_tick. The session writes
 * through io_write, which sends what the socket takes at once and keeps
 * the rest in an output buffer flushed on POLLOUT; a peer that lets more
 * than max_pending_bytes pile up is dropped. A thread per socket keeps a
 * slow resolver on one socket from delaying the others, and the socket
 * count is bounded by max_sockets.
 *
 * The registry (lock below) lists the live sockets so that shutdown can
 * reach each one, and counts reservations so that the limit holds between
 * the handshake and the thread's start. */
#include "http/ws_server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/mem.h"
#include "http/ws_session.h"

#define DEFAULT_MAX_SOCKETS 256u
#define DEFAULT_MAX_PENDING ((size_t)16 << 20)
#define READ_CHUNK 16384
/* After the session ended, how long its last frames (the close frame) may
 * take to leave. */
#define FLUSH_TIMEOUT_MS 2000

typedef struct ws_client ws_client;

struct ws_server {
  ws_server_config cfg;
  /* Guards everything below, and the prev/next links of every client. */
  pthread_mutex_t lock;
  pthread_cond_t gone; /* signalled whenever a socket finishes */
  unsigned count;      /* live sockets plus reservations */
  bool closing;        /* ws_server_close_all ran */
  ws_client *live;     /* the sockets being served */
};

struct ws_client {
  ws_server *w;
  int sock;
  int efd; /* eventfd: wakes the loop (stream events, shutdown) */
  ws_protocol protocol;
  char *extra;
  size_t extra_len;
  ws_server_close_fn close;
  void *close_data;
  buf out; /* output not yet sent: out.data[out_off, out.len) */
  size_t out_off;
  bool broken;      /* sending failed or the peer is too slow: drop it */
  atomic_bool stop; /* shutdown: close with 1001 */
  ws_client *prev, *next;
};

static uint64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

/* ---- output ---- */

/* Sends as much of [p, p+n) as the socket takes now; returns the bytes
 * sent, or -1 when the connection is broken. */
static ssize_t send_now(int sock, const char *p, size_t n) {
  size_t sent = 0;
  while (sent < n) {
    ssize_t k = send(sock, p + sent, n - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (k > 0)
      sent += (size_t)k;
    else if (k < 0 && errno == EINTR)
      continue;
    else if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    else
      return -1;
  }
  return (ssize_t)sent;
}

static size_t pending(const ws_client *c) { return c->out.len - c->out_off; }

/* Sends buffered output; called when the socket is writable. */
static void flush_out(ws_client *c) {
  ssize_t k = send_now(c->sock, c->out.data + c->out_off, pending(c));
  if (k < 0) {
    c->broken = true;
    return;
  }
  c->out_off += (size_t)k;
  if (c->out_off == c->out.len) {
    buf_truncate(&c->out, 0);
    c->out_off = 0;
  }
}

/* The session's write hook (on this socket's thread). */
static void io_write(void *io, const void *bytes, size_t n) {
  ws_client *c = io;
  if (c->broken)
    return;
  const char *p = bytes;
  if (pending(c) == 0) {
    ssize_t k = send_now(c->sock, p, n);
    if (k < 0) {
      c->broken = true;
      return;
    }
    p += k;
    n -= (size_t)k;
  }
  if (n == 0)
    return;
  if (pending(c) + n > c->w->cfg.max_pending_bytes) {
    c->broken = true; /* the peer does not read: give up on it */
    return;
  }
  if (c->out_off > 0 && c->out_off >= c->out.len / 2) {
    /* Reclaim the part already sent before growing. */
    memmove(c->out.data, c->out.data + c->out_off, pending(c));
    buf_truncate(&c->out, pending(c));
    c->out_off = 0;
  }
  buf_append(&c->out, p, n);
}

/* The session's wake hook: any thread, under the session's lock. */
static void io_wake(void *io) {
  const ws_client *c = io;
  uint64_t one = 1;
  ssize_t r = write(c->efd, &one, sizeof one);
  (void)r; /* a full counter already means "wake up" */
}

/* ---- the socket's thread ---- */

static ws_session *open_session(ws_client *c, uint64_t now) {
  const ws_server_config *wc = &c->w->cfg;
  ws_session_config sc = {
      .protocol = c->protocol,
      .schema = wc->schema,
      .limits = wc->limits,
      .context = wc->context,
      .max_message_bytes = wc->max_message_bytes,
      .max_subscriptions = wc->max_subscriptions,
      .init_timeout_ms = wc->init_timeout_ms,
      .keepalive_ms = wc->keepalive_ms,
      .close_timeout_ms = wc->close_timeout_ms,
      .write = io_write,
      .wake = io_wake,
      .io = c,
  };
  ws_session *s = ws_session_new(&sc, now);
  if (c->extra_len)
    ws_session_feed(s, c->extra, c->extra_len, now);
  free(c->extra);
  c->extra = NULL;
  return s;
}

/* Milliseconds until `deadline` as a poll timeout (-1: none). */
static int poll_timeout(uint64_t deadline, uint64_t now) {
  if (deadline == UINT64_MAX)
    return -1;
  if (deadline <= now)
    return 0;
  uint64_t d = deadline - now;
  return d > INT_MAX ? INT_MAX : (int)d;
}

/* Reads what the socket has for the session. */
static void read_input(ws_client *c, ws_session *s, uint64_t now) {
  char in[READ_CHUNK];
  ssize_t n = recv(c->sock, in, sizeof in, MSG_DONTWAIT);
  if (n > 0)
    ws_session_feed(s, in, (size_t)n, now);
  else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
    ws_session_peer_closed(s);
}

static void run_loop(ws_client *c, ws_session *s) {
  uint64_t now = now_ms();
  uint64_t flush_deadline = 0;
  bool going_away = false;
  for (;;) {
    if (c->broken && !ws_session_done(s))
      ws_session_peer_closed(s);
    if (!going_away && atomic_load(&c->stop)) {
      going_away = true;
      ws_session_close(s, 1001, "Going away", now);
      continue;
    }
    bool done = ws_session_done(s);
    if (done && (pending(c) == 0 || c->broken))
      return;
    int timeout;
    if (done) {
      /* Only the last frames are left to send. */
      if (!flush_deadline)
        flush_deadline = now + FLUSH_TIMEOUT_MS;
      if (now >= flush_deadline)
        return;
      timeout = poll_timeout(flush_deadline, now);
    } else {
      timeout = poll_timeout(ws_session_next_deadline(s), now);
    }
    struct pollfd fds[2] = {
        {.fd = c->sock, .events = (short)((done ? 0 : POLLIN) | (pending(c) ? POLLOUT : 0))},
        {.fd = c->efd, .events = POLLIN},
    };
    int r = poll(fds, 2, timeout);
    now = now_ms();
    if (r < 0 && errno != EINTR) {
      c->broken = true;
      continue;
    }
    if (fds[0].revents & POLLOUT)
      flush_out(c);
    if (!done && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
      read_input(c, s, now);
    if (fds[1].revents & POLLIN) {
      uint64_t v;
      ssize_t k = read(c->efd, &v, sizeof v);
      (void)k;
    }
    ws_session_tick(s, now);
  }
}

static void unregister(ws_client *c) {
  ws_server *w = c->w;
  pthread_mutex_lock(&w->lock);
  if (c->prev)
    c->prev->next = c->next;
  else
    w->live = c->next;
  if (c->next)
    c->next->prev = c->prev;
  w->count--;
  pthread_cond_broadcast(&w->gone);
  pthread_mutex_unlock(&w->lock);
}

static void *client_main(void *arg) {
  ws_client *c = arg;
  ws_session *s = open_session(c, now_ms());
  run_loop(c, s);
  ws_session_free(s);
  c->close(c->close_data);
  buf_free(&c->out);
  /* Unregister last but one: after this the server may be freed; the
   * eventfd must stay open while the registry can still reach it. */
  unregister(c);
  close(c->efd);
  free(c);
  return NULL;
}

/* ---- the registry ---- */

ws_server *ws_server_new(const ws_server_config *cfg) {
  ws_server *w = xcalloc(1, sizeof *w);
  w->cfg = *cfg;
  if (!w->cfg.max_sockets)
    w->cfg.max_sockets = DEFAULT_MAX_SOCKETS;
  if (!w->cfg.max_pending_bytes)
    w->cfg.max_pending_bytes = DEFAULT_MAX_PENDING;
  pthread_mutex_init(&w->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w->gone, &ca);
  pthread_condattr_destroy(&ca);
  return w;
}

bool ws_server_reserve(ws_server *w) {
  pthread_mutex_lock(&w->lock);
  bool ok = !w->closing && w->count < w->cfg.max_sockets;
  if (ok)
    w->count++;
  pthread_mutex_unlock(&w->lock);
  return ok;
}

void ws_server_unreserve(ws_server *w) {
  pthread_mutex_lock(&w->lock);
  w->count--;
  pthread_cond_broadcast(&w->gone);
  pthread_mutex_unlock(&w->lock);
}

int ws_server_serve(ws_server *w, int sock, ws_protocol protocol, const void *extra,
                    size_t extra_len, ws_server_close_fn close_fn, void *close_data) {
  ws_client *c = xcalloc(1, sizeof *c);
  c->w = w;
  c->sock = sock;
  c->protocol = protocol;
  c->close = close_fn;
  c->close_data = close_data;
  buf_init(&c->out, NULL);
  atomic_init(&c->stop, false);
  if (extra_len) {
    c->extra = xmalloc(extra_len);
    memcpy(c->extra, extra, extra_len);
    c->extra_len = extra_len;
  }
  c->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  pthread_mutex_lock(&w->lock);
  /* Registered before the thread runs, so that close_all reaches it. */
  c->next = w->live;
  if (w->live)
    w->live->prev = c;
  w->live = c;
  if (w->closing)
    atomic_store(&c->stop, true);
  int rc = c->efd < 0 ? -1 : pthread_create(&t, &attr, client_main, c);
  pthread_mutex_unlock(&w->lock);
  pthread_attr_destroy(&attr);
  if (rc == 0)
    return 0;
  close_fn(close_data);
  if (c->efd >= 0)
    close(c->efd);
  free(c->extra);
  unregister(c);
  free(c);
  return -1;
}

unsigned ws_server_count(ws_server *w) {
  pthread_mutex_lock(&w->lock);
  unsigned n = w->count;
  pthread_mutex_unlock(&w->lock);
  return n;
}

void ws_server_close_all(ws_server *w) {
  pthread_mutex_lock(&w->lock);
  w->closing = true;
  for (ws_client *c = w->live; c; c = c->next) {
    atomic_store(&c->stop, true);
    io_wake(c);
  }
  pthread_mutex_unlock(&w->lock);
}

unsigned ws_server_wait(ws_server *w, unsigned wait_ms) {
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += wait_ms / 1000;
  until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&w->lock);
  int rc = 0;
  while (w->count > 0 && rc != ETIMEDOUT)
    rc = pthread_cond_timedwait(&w->gone, &w->lock, &until);
  unsigned left = w->count;
  pthread_mutex_unlock(&w->lock);
  return left;
}

void ws_server_free(ws_server *w) {
  if (!w)
    return;
  pthread_cond_destroy(&w->gone);
  pthread_mutex_destroy(&w->lock);
  free(w);
}
