/* op_events.c — reading the structured events an op appends to its
 * DAGD_EVENTS file (op_events.h).
 *
 * Parsing is strict about shape (an unknown key is reported, so a typo in
 * an op's event is noticed) but never fatal: whatever is wrong becomes an
 * INVALID event carrying the reason, which the worker logs as a warning.
 * The file is read incrementally from a byte offset, so a line the op is
 * still writing is kept until its newline arrives; each pass reads at most
 * what the file held when it began, so a writer faster than the reader
 * cannot keep the worker in one pass. */
#include "run/op_events.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "base/mem.h"
#include "run/events.h"

static void invalid(run_op_event *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void invalid(run_op_event *ev, const char *fmt, ...) {
  ev->kind = RUN_OP_EVENT_INVALID;
  buf_truncate(&ev->message, 0);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(&ev->message, fmt, ap);
  va_end(ap);
}

/* False (after reporting) when obj has a key outside `allowed`
 * (NULL-terminated). */
static bool known_keys(run_op_event *ev, const json_t *obj, const char *type,
                       const char *const *allowed) {
  const char *key;
  json_t *value;
  json_object_foreach((json_t *)obj, key, value) {
    bool ok = false;
    for (size_t i = 0; allowed[i] && !ok; i++)
      ok = strcmp(key, allowed[i]) == 0;
    if (!ok) {
      buf list;
      buf_init(&list, NULL);
      for (size_t i = 0; allowed[i]; i++)
        buf_printf(&list, "%s%s", i ? ", " : "", allowed[i]);
      invalid(ev, "unknown key \"%s\" in a \"%s\" event (expected: %s)", key, type,
              buf_cstr(&list));
      buf_free(&list);
      return false;
    }
  }
  return true;
}

/* The level of a log event; -1 when it is not one. */
static int parse_level(const json_t *v) {
  static const struct {
    const char *name;
    int level;
  } names[] = {{"DEBUG", RUN_LEVEL_DEBUG},     {"INFO", RUN_LEVEL_INFO},
               {"WARNING", RUN_LEVEL_WARNING}, {"WARN", RUN_LEVEL_WARNING},
               {"ERROR", RUN_LEVEL_ERROR},     {"CRITICAL", RUN_LEVEL_CRITICAL},
               {"FATAL", RUN_LEVEL_CRITICAL}};
  if (!v)
    return RUN_LEVEL_INFO;
  if (json_is_integer(v)) {
    json_int_t n = json_integer_value(v);
    return n >= 0 && n <= RUN_LEVEL_CRITICAL ? (int)n : -1;
  }
  const char *s = json_string_value(v);
  for (size_t i = 0; s && i < sizeof names / sizeof *names; i++)
    if (strcasecmp(s, names[i].name) == 0)
      return names[i].level;
  return -1;
}

static void parse_log(const json_t *obj, run_op_event *ev) {
  static const char *const keys[] = {"type", "level", "message", NULL};
  if (!known_keys(ev, obj, "log", keys))
    return;
  int level = parse_level(json_object_get(obj, "level"));
  if (level < 0) {
    invalid(ev, "\"level\" of a \"log\" event must be DEBUG, INFO, WARNING, ERROR, CRITICAL "
                "or a number from 0 to 50");
    return;
  }
  const json_t *message = json_object_get(obj, "message");
  if (!json_is_string(message)) {
    invalid(ev, "a \"log\" event needs a \"message\" string");
    return;
  }
  ev->kind = RUN_OP_EVENT_LOG;
  ev->level = level;
  buf_append(&ev->message, json_string_value(message), json_string_length(message));
}

/* The metadata entries of `metadata` (an object: label → value) as a new
 * array; NULL after reporting when it is not an object. */
static json_t *metadata_entries(run_op_event *ev, const json_t *metadata, const char *type) {
  if (!json_is_object(metadata)) {
    invalid(ev, "\"metadata\" of a \"%s\" event must be an object (label: value)", type);
    return NULL;
  }
  json_t *entries = json_array();
  const char *label;
  json_t *value;
  json_object_foreach((json_t *)metadata, label, value) {
    json_array_append_new(entries, run_metadata_entry(label, value));
  }
  return entries;
}

/* The path of an asset key ("a/b" or ["a", "b"]) as a new array; NULL after
 * reporting. */
static json_t *asset_path(run_op_event *ev, const json_t *key) {
  json_t *path = json_array();
  if (json_is_string(key)) {
    /* Dagster's AssetKey.from_user_string: parts separated by slashes. */
    const char *s = json_string_value(key);
    for (;;) {
      const char *slash = strchr(s, '/');
      size_t n = slash ? (size_t)(slash - s) : strlen(s);
      if (n == 0)
        break;
      json_array_append_new(path, json_stringn(s, n));
      if (!slash) {
        s = NULL;
        break;
      }
      s = slash + 1;
    }
    if (!s)
      return path;
  } else if (json_is_array(key) && json_array_size(key) > 0) {
    size_t i;
    json_t *part;
    json_array_foreach(key, i, part) {
      if (!json_is_string(part) || json_string_length(part) == 0)
        break;
      json_array_append(path, part);
    }
    if (json_array_size(path) == json_array_size(key))
      return path;
  }
  json_decref(path);
  invalid(ev, "\"asset_key\" of an \"asset_materialization\" event must be a string \"a/b\" or a "
              "list of strings, with no empty part");
  return NULL;
}

/* An optional string field; false after reporting when present but not a string. */
static bool optional_string(run_op_event *ev, const json_t *obj, const char *field,
                            const json_t **out) {
  *out = json_object_get(obj, field);
  if (*out && !json_is_string(*out)) {
    invalid(ev, "\"%s\" of an \"asset_materialization\" event must be a string", field);
    return false;
  }
  return true;
}

static void parse_materialization(const json_t *obj, run_op_event *ev) {
  static const char *const keys[] = {"type",      "asset_key", "description",
                                     "partition", "metadata",  NULL};
  const json_t *description, *partition;
  if (!known_keys(ev, obj, "asset_materialization", keys) ||
      !optional_string(ev, obj, "description", &description) ||
      !optional_string(ev, obj, "partition", &partition))
    return;
  json_t *path = asset_path(ev, json_object_get(obj, "asset_key"));
  if (!path)
    return;
  const json_t *metadata = json_object_get(obj, "metadata");
  json_t *entries =
      metadata ? metadata_entries(ev, metadata, "asset_materialization") : json_array();
  if (!entries) {
    json_decref(path);
    return;
  }
  /* Dagster's message: the description, else "Materialized value <label>."
   * where the label is the key's parts joined by spaces. */
  ev->kind = RUN_OP_EVENT_MATERIALIZATION;
  if (description && json_string_length(description) > 0) {
    buf_append(&ev->message, json_string_value(description), json_string_length(description));
  } else {
    buf_puts(&ev->message, "Materialized value");
    size_t i;
    json_t *part;
    json_array_foreach(path, i, part) {
      buf_putc(&ev->message, ' ');
      buf_puts(&ev->message, json_string_value(part));
    }
    buf_putc(&ev->message, '.');
  }
  json_t *key = json_object();
  json_object_set_new(key, "path", path);
  ev->body = json_object();
  json_object_set_new(ev->body, "assetKey", key);
  if (description)
    json_object_set(ev->body, "description", (json_t *)description);
  if (partition)
    json_object_set(ev->body, "partition", (json_t *)partition);
  json_object_set_new(ev->body, "metadataEntries", entries);
}

static void parse_output_metadata(const json_t *obj, run_op_event *ev) {
  static const char *const keys[] = {"type", "output", "metadata", NULL};
  if (!known_keys(ev, obj, "output_metadata", keys))
    return;
  const json_t *output = json_object_get(obj, "output");
  if (!json_is_string(output) || json_string_length(output) == 0) {
    invalid(ev, "an \"output_metadata\" event needs an \"output\" name");
    return;
  }
  const json_t *metadata = json_object_get(obj, "metadata");
  if (!metadata) {
    invalid(ev, "an \"output_metadata\" event needs \"metadata\"");
    return;
  }
  json_t *entries = metadata_entries(ev, metadata, "output_metadata");
  if (!entries)
    return;
  ev->kind = RUN_OP_EVENT_OUTPUT_METADATA;
  ev->output = xstrdup(json_string_value(output));
  ev->entries = entries;
}

void run_op_event_parse(const char *line, size_t n, run_op_event *ev) {
  memset(ev, 0, sizeof *ev);
  buf_init(&ev->message, NULL);
  char reason[256];
  json_t *obj = json_parse_text(line, n, reason, sizeof reason);
  if (!obj) {
    invalid(ev, "not valid JSON (%s)", reason);
    return;
  }
  const char *type = json_string_value(json_object_get(obj, "type"));
  if (!json_is_object(obj))
    invalid(ev, "an event must be a JSON object");
  else if (!type)
    invalid(ev, "an event needs a \"type\" string (log, asset_materialization or "
                "output_metadata)");
  else if (strcmp(type, "log") == 0)
    parse_log(obj, ev);
  else if (strcmp(type, "asset_materialization") == 0)
    parse_materialization(obj, ev);
  else if (strcmp(type, "output_metadata") == 0)
    parse_output_metadata(obj, ev);
  else
    invalid(ev,
            "unknown event type \"%s\" (expected log, asset_materialization or "
            "output_metadata)",
            type);
  json_decref(obj);
}

void run_op_event_free(run_op_event *ev) {
  buf_free(&ev->message);
  json_decref(ev->body);
  json_decref(ev->entries);
  free(ev->output);
  ev->body = ev->entries = NULL;
  ev->output = NULL;
}

/* ---- following the file ---- */

void run_op_events_tail_init(run_op_events_tail *t, const char *path) {
  memset(t, 0, sizeof *t);
  t->path = xstrdup(path);
  buf_init(&t->pending, NULL);
}

void run_op_events_tail_free(run_op_events_tail *t) {
  free(t->path);
  buf_free(&t->pending);
  t->path = NULL;
}

static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!strchr(" \t\r", s[i]))
      return false;
  return true;
}

/* Hands one whole line to fn (a blank one is skipped, but counted). */
static void deliver(run_op_events_tail *t, const char *line, size_t n, run_op_event_fn *fn,
                    void *ctx) {
  t->lines++;
  if (blank(line, n))
    return;
  run_op_event ev;
  run_op_event_parse(line, n, &ev);
  ev.line = t->lines;
  fn(ctx, &ev);
  run_op_event_free(&ev);
}

/* Reports the line being skipped as too long (counted when it ends). */
static void too_long(run_op_events_tail *t, run_op_event_fn *fn, void *ctx) {
  run_op_event ev;
  memset(&ev, 0, sizeof ev);
  buf_init(&ev.message, NULL);
  invalid(&ev, "the line is longer than %d bytes", RUN_OP_EVENT_MAX_LINE);
  ev.line = t->lines + 1;
  fn(ctx, &ev);
  run_op_event_free(&ev);
}

/* Feeds n bytes of the file to the line splitter. */
static void feed(run_op_events_tail *t, const char *data, size_t n, run_op_event_fn *fn,
                 void *ctx) {
  while (n > 0) {
    const char *nl = memchr(data, '\n', n);
    size_t part = nl ? (size_t)(nl - data) : n;
    if (!t->skipping) {
      if (t->pending.len + part > RUN_OP_EVENT_MAX_LINE) {
        too_long(t, fn, ctx);
        t->skipping = true;
        buf_truncate(&t->pending, 0);
      } else {
        buf_append(&t->pending, data, part);
      }
    }
    if (!nl)
      return;
    if (t->skipping)
      t->lines++;
    else
      deliver(t, t->pending.data ? t->pending.data : "", t->pending.len, fn, ctx);
    t->skipping = false;
    buf_truncate(&t->pending, 0);
    data = nl + 1;
    n -= part + 1;
  }
}

bool run_op_events_tail_read(run_op_events_tail *t, bool final, run_op_event_fn *fn, void *ctx) {
  /* O_NONBLOCK and regular files only: a FIFO or a device planted at
   * DAGD_EVENTS must not hang the worker. */
  int fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return errno == ENOENT;
  struct stat st;
  bool stated = fstat(fd, &st) == 0;
  if (!stated || !S_ISREG(st.st_mode)) {
    int saved = stated ? EINVAL : errno;
    close(fd);
    errno = saved;
    return false;
  }
  if (st.st_size < t->offset) {
    t->offset = 0;
    t->skipping = false;
    buf_truncate(&t->pending, 0);
  }
  /* Only what the file held when this pass began: an op that keeps
   * writing is read on the next pass, so the worker gets back to its
   * other ops. */
  bool ok = true;
  char chunk[16384];
  while (t->offset < (int64_t)st.st_size) {
    size_t want = sizeof chunk;
    if ((int64_t)want > (int64_t)st.st_size - t->offset)
      want = (size_t)((int64_t)st.st_size - t->offset);
    ssize_t got = pread(fd, chunk, want, (off_t)t->offset);
    if (got < 0 && errno == EINTR)
      continue;
    if (got <= 0) {
      ok = got == 0;
      break;
    }
    t->offset += got;
    feed(t, chunk, (size_t)got, fn, ctx);
  }
  int saved = errno;
  close(fd);
  if (final && ok) {
    if (!t->skipping && t->pending.len > 0)
      deliver(t, t->pending.data, t->pending.len, fn, ctx);
    else if (t->skipping)
      t->lines++;
    t->skipping = false;
    buf_truncate(&t->pending, 0);
  }
  errno = saved;
  return ok;
}
