/* instance.c — opening the dagd instance (instance.h): the home folder,
 * its optional dagd.yaml, the folders it names, and the store.
 *
 * dagd.yaml is read strictly, like the definitions files: an unknown key or
 * a value of the wrong type is an error that names the file, line and
 * column, so a typo never silently falls back to a default folder (or,
 * for run_coordinator and run_monitoring, to a default limit).
 *
 * `storage: postgres:` takes Dagster's dagster-postgres keys and becomes a
 * libpq connection string. Its values may come from environment variables
 * ({env: NAME}, Dagster's StringSource), which is how a password stays out
 * of the file; no value read there is ever put into an error message, so a
 * password cannot leak into a log. */
/* realpath (XSI). */
#define _XOPEN_SOURCE 700
#include "run/instance.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fs.h"
#include "base/mem.h"
#include "base/yaml.h"

#define DEFAULT_HOME ".dagd"
#define CONFIG_FILE "dagd.yaml"

/* What dagd.yaml can set; NULL folders keep their defaults. The tag
 * limits' strings live in the file's tree (copied to the heap by
 * run_instance_open). */
typedef struct settings {
  const char *history_dir;
  const char *postgres_conninfo; /* NULL: SQLite */
  int postgres_pool_size;
  const char *artifacts_dir;
  const char *compute_logs_dir;
  double terminate_grace;
  bool use_workers;
  double worker_heartbeat_timeout;
  run_coordinator_config coordinator;
  run_monitoring_config monitoring;
} settings;

/* The file being read and where its errors go. */
typedef struct reader {
  const char *file;
  buf *err;
  int errors;
} reader;

__attribute__((format(printf, 3, 4))) static void fail_at(reader *r, const yaml_value *at,
                                                          const char *fmt, ...) {
  if (r->errors++)
    buf_putc(r->err, '\n');
  buf_printf(r->err, "%s:%d:%d: ", r->file, at ? at->line : 1, at ? at->column : 1);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(r->err, fmt, ap);
  va_end(ap);
}

/* Checks that v is a mapping whose keys are all among `allowed` (a
 * NULL-terminated list); false after reporting. */
static bool check_map(reader *r, const yaml_value *v, const char *what,
                      const char *const *allowed) {
  if (v->kind != YAML_KIND_MAP) {
    fail_at(r, v, "%s must be a mapping, not a %s", what, yaml_kind_name(v->kind));
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    bool known = false;
    for (size_t j = 0; allowed[j] && !known; j++)
      known = k->kind == YAML_KIND_STR && strcmp(k->str, allowed[j]) == 0;
    if (known)
      continue;
    buf list;
    buf_init(&list, NULL);
    for (size_t j = 0; allowed[j]; j++)
      buf_printf(&list, "%s%s", j ? ", " : "", allowed[j]);
    fail_at(r, k, "unknown key '%s' in %s (expected one of: %s)", k->str ? k->str : "", what,
            buf_cstr(&list));
    buf_free(&list);
    ok = false;
  }
  return ok;
}

/* The mapping under key in map, checked against `allowed`; NULL when absent
 * or wrong (reported). */
static const yaml_value *section(reader *r, const yaml_value *map, const char *key,
                                 const char *what, const char *const *allowed) {
  const yaml_value *v = yaml_map_get(map, key);
  return v && check_map(r, v, what, allowed) ? v : NULL;
}

/* `base_dir` of a section (absent section or key: *out unchanged). */
static void base_dir(reader *r, const yaml_value *sec, const char *what, const char **out) {
  const yaml_value *v = sec ? yaml_map_get(sec, "base_dir") : NULL;
  if (!v)
    return;
  if (v->kind != YAML_KIND_STR || !v->len || memchr(v->str, '\0', v->len)) {
    fail_at(r, v, "%s.base_dir must be a non-empty string", what);
    return;
  }
  *out = v->str;
}

/* A number of seconds under key in sec (absent: *out unchanged): above
 * 0, or from 0 with zero_ok, at most a day (max_runtime: a year). */
static void seconds(reader *r, const yaml_value *sec, const char *what, const char *key,
                    bool zero_ok, double max, double *out) {
  const yaml_value *v = sec ? yaml_map_get(sec, key) : NULL;
  if (!v)
    return;
  double x = v->kind == YAML_KIND_INT     ? (double)v->integer
             : v->kind == YAML_KIND_FLOAT ? v->number
                                          : -1;
  if (!((zero_ok ? x >= 0 : x > 0) && x <= max)) /* also refuses NaN */
    fail_at(r, v, "%s.%s must be a number of seconds %s, at most %.0f", what, key,
            zero_ok ? "from 0" : "above 0", max);
  else
    *out = x;
}

/* An integer under key in sec, from min to max (absent: *out unchanged);
 * max is left out of the message when it is INT_MAX. */
static void integer(reader *r, const yaml_value *sec, const char *what, const char *key,
                    int64_t min, int max, int *out) {
  const yaml_value *v = yaml_map_get(sec, key);
  if (!v)
    return;
  if (v->kind != YAML_KIND_INT || v->integer < min || v->integer > max) {
    char upto[32] = "";
    if (max != INT_MAX)
      snprintf(upto, sizeof upto, " to %d", max);
    fail_at(r, v, "%s.%s must be an integer from %lld%s", what, key, (long long)min, upto);
  } else {
    *out = (int)v->integer;
  }
}

/* A string (no NUL) or NULL after reporting. */
static const char *string(reader *r, const yaml_value *v, const char *what) {
  if (v->kind != YAML_KIND_STR || memchr(v->str, '\0', v->len)) {
    fail_at(r, v, "%s must be a string", what);
    return NULL;
  }
  return v->str;
}

/* Dagster's StringSource: a string, or {env: NAME} for the value of the
 * environment variable NAME; NULL after reporting. Empty values are
 * refused unless empty_ok. The value is never echoed in an error. */
static const char *string_source(reader *r, const yaml_value *v, const char *what, bool empty_ok) {
  static const char *const env_keys[] = {"env", NULL};
  const char *value = NULL;
  if (v->kind == YAML_KIND_STR) {
    value = string(r, v, what);
  } else if (v->kind != YAML_KIND_MAP) {
    fail_at(r, v, "%s must be a string or {env: VARIABLE}, not a %s", what,
            yaml_kind_name(v->kind));
  } else if (check_map(r, v, what, env_keys)) {
    const yaml_value *name = yaml_map_get(v, "env");
    const char *var = name ? string(r, name, "env") : NULL;
    if (!name)
      fail_at(r, v, "%s needs 'env' (the name of an environment variable)", what);
    else if (var && !(value = getenv(var)))
      fail_at(r, name, "%s: the environment variable %s is not set", what, var);
  }
  if (value && !value[0] && !empty_ok) {
    fail_at(r, v, "%s must not be empty", what);
    return NULL;
  }
  return value;
}

/* Appends `key='value'` to a libpq connection string, quoted so that any
 * value (spaces, quotes, backslashes) reaches libpq unchanged. */
static void conninfo_put(buf *c, const char *key, const char *value) {
  buf_printf(c, "%s%s='", c->len ? " " : "", key);
  for (const char *p = value; *p; p++) {
    if (*p == '\'' || *p == '\\')
      buf_putc(c, '\\');
    buf_putc(c, *p);
  }
  buf_putc(c, '\'');
}

/* postgres_db.port: Dagster's IntSource (an integer, or a string of digits
 * possibly from {env: NAME}), 1-65535; 0 after reporting. */
static int port_source(reader *r, const yaml_value *v) {
  const char *what = "storage.postgres.postgres_db.port";
  long long port = -1;
  if (v->kind == YAML_KIND_INT) {
    port = v->integer;
  } else {
    const char *text = string_source(r, v, what, false);
    if (!text)
      return 0;
    char *end;
    errno = 0;
    port = strtoll(text, &end, 10);
    if (errno || *end || end == text || text[0] == '-' || text[0] == '+' || text[0] == ' ')
      port = -1;
  }
  if (port < 1 || port > 65535) {
    fail_at(r, v, "%s must be a port number from 1 to 65535", what);
    return 0;
  }
  return (int)port;
}

/* postgres_db.params: extra libpq keywords (sslmode, connect_timeout, …)
 * with scalar values. libpq itself rejects an unknown keyword. */
static void read_params(reader *r, const yaml_value *params, buf *c) {
  const char *what = "storage.postgres.postgres_db.params";
  if (params->kind == YAML_KIND_NULL)
    return;
  if (params->kind != YAML_KIND_MAP) {
    fail_at(r, params, "%s must be a mapping, not a %s", what, yaml_kind_name(params->kind));
    return;
  }
  for (size_t i = 0; i < params->count; i++) {
    const yaml_value *k = params->pairs[i].key, *v = params->pairs[i].value;
    const char *key = k->kind == YAML_KIND_STR ? k->str : "";
    bool word = key[0] != '\0';
    for (const char *p = key; *p && word; p++)
      word = (*p >= 'a' && *p <= 'z') || *p == '_';
    if (!word) {
      fail_at(r, k, "%s: '%s' is not a connection parameter name", what, key);
      continue;
    }
    char number[32];
    const char *value = NULL;
    if (v->kind == YAML_KIND_INT) {
      snprintf(number, sizeof number, "%lld", (long long)v->integer);
      value = number;
    } else if (v->kind == YAML_KIND_BOOL) {
      value = v->boolean ? "true" : "false";
    } else if (v->kind == YAML_KIND_STR || v->kind == YAML_KIND_MAP) {
      value = string_source(r, v, what, true);
    } else {
      fail_at(r, v, "%s.%s must be a string, an integer or a boolean", what, key);
    }
    if (value)
      conninfo_put(c, key, value);
  }
}

/* postgres_db: Dagster's username, password, hostname, db_name, port
 * (default 5432), params and scheme, as a connection string. The password
 * is optional here (Dagster requires one): a server that trusts its
 * clients, or a ~/.pgpass, needs none. */
static void read_postgres_db(reader *r, const yaml_value *db, buf *c) {
  static const char *const keys[] = {"username", "password", "hostname", "db_name",
                                     "port",     "params",   "scheme",   NULL};
  static const struct {
    const char *key, *keyword;
    bool required;
  } fields[] = {{"hostname", "host", true},
                {"username", "user", true},
                {"password", "password", false},
                {"db_name", "dbname", true}};
  if (!check_map(r, db, "storage.postgres.postgres_db", keys))
    return;
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
    const yaml_value *v = yaml_map_get(db, fields[i].key);
    char what[64];
    snprintf(what, sizeof what, "storage.postgres.postgres_db.%s", fields[i].key);
    if (!v) {
      if (fields[i].required)
        fail_at(r, db, "storage.postgres.postgres_db needs '%s'", fields[i].key);
      continue;
    }
    /* An empty password is no password. */
    const char *value = string_source(r, v, what, !fields[i].required);
    if (value && value[0])
      conninfo_put(c, fields[i].keyword, value);
  }
  const yaml_value *port = yaml_map_get(db, "port");
  int number = port ? port_source(r, port) : 5432;
  char text[16];
  snprintf(text, sizeof text, "%d", number);
  if (number)
    conninfo_put(c, "port", text);
  const yaml_value *scheme = yaml_map_get(db, "scheme");
  const char *name =
      scheme ? string_source(r, scheme, "storage.postgres.postgres_db.scheme", false) : NULL;
  if (name && strcmp(name, "postgresql") != 0 && strcmp(name, "postgres") != 0)
    fail_at(r, scheme, "storage.postgres.postgres_db.scheme must be postgresql");
  const yaml_value *params = yaml_map_get(db, "params");
  if (params)
    read_params(r, params, c);
}

/* storage.postgres: postgres_url or postgres_db (one of them), and
 * Dagster's should_autocreate_tables, checked and ignored: dagd always
 * creates its tables and applies its migrations when opening the store.
 * pool_size is dagd's own: Dagster opens a connection per operation
 * (SQLAlchemy's NullPool), so it has no such key. */
static void read_postgres(reader *r, const yaml_value *sec, arena *a, settings *s) {
  const char *what = "storage.postgres";
  integer(r, sec, what, "pool_size", 1, STORE_POSTGRES_POOL_MAX, &s->postgres_pool_size);
  const yaml_value *url = yaml_map_get(sec, "postgres_url");
  const yaml_value *db = yaml_map_get(sec, "postgres_db");
  const yaml_value *autocreate = yaml_map_get(sec, "should_autocreate_tables");
  if (autocreate && autocreate->kind != YAML_KIND_BOOL)
    fail_at(r, autocreate, "%s.should_autocreate_tables must be true or false", what);
  if (!url == !db) {
    fail_at(r, url && db ? db : sec, "%s takes one of postgres_url and postgres_db", what);
    return;
  }
  if (url) {
    s->postgres_conninfo = string_source(r, url, "storage.postgres.postgres_url", false);
    return;
  }
  buf c;
  buf_init(&c, a);
  read_postgres_db(r, db, &c);
  s->postgres_conninfo = buf_cstr(&c);
}

/* storage: sqlite (the default) or postgres. */
static void read_storage(reader *r, const yaml_value *storage, arena *a, settings *s) {
  static const char *const postgres_keys[] = {"postgres_url", "postgres_db",
                                              "should_autocreate_tables", "pool_size", NULL};
  static const char *const dir_keys[] = {"base_dir", NULL};
  const yaml_value *sqlite = section(r, storage, "sqlite", "storage.sqlite", dir_keys);
  const yaml_value *postgres = section(r, storage, "postgres", "storage.postgres", postgres_keys);
  if (sqlite && postgres)
    fail_at(r, yaml_map_get(storage, "postgres"), "storage takes one of sqlite and postgres");
  else if (postgres)
    read_postgres(r, postgres, a, s);
  base_dir(r, sqlite, "storage.sqlite", &s->history_dir);
}

/* One item of tag_concurrency_limits (Dagster's shape: key, limit, and a
 * value that is a string, {applyLimitPerUniqueValue: bool} or absent). */
static void tag_limit(reader *r, const yaml_value *v, run_tag_limit *out) {
  static const char *const keys[] = {"key", "value", "limit", NULL};
  static const char *const unique_keys[] = {"applyLimitPerUniqueValue", NULL};
  const char *what = "a tag_concurrency_limits item";
  if (!check_map(r, v, what, keys))
    return;
  const yaml_value *key = yaml_map_get(v, "key");
  if (!key)
    fail_at(r, v, "%s needs 'key'", what);
  else
    out->key = string(r, key, "tag_concurrency_limits.key");
  if (!yaml_map_get(v, "limit"))
    fail_at(r, v, "%s needs 'limit'", what);
  integer(r, v, "tag_concurrency_limits", "limit", 0, INT_MAX, &out->limit);
  const yaml_value *value = yaml_map_get(v, "value");
  if (!value || value->kind == YAML_KIND_NULL)
    return;
  if (value->kind == YAML_KIND_STR) {
    out->value = string(r, value, "tag_concurrency_limits.value");
    return;
  }
  const char *value_what = "tag_concurrency_limits.value";
  if (value->kind != YAML_KIND_MAP) {
    fail_at(r, value, "%s must be a string or {applyLimitPerUniqueValue: true}", value_what);
    return;
  }
  if (!check_map(r, value, value_what, unique_keys))
    return;
  const yaml_value *unique = yaml_map_get(value, "applyLimitPerUniqueValue");
  if (!unique || unique->kind != YAML_KIND_BOOL)
    fail_at(r, unique ? unique : value, "%s.applyLimitPerUniqueValue must be true or false",
            value_what);
  else
    out->per_unique_value = unique->boolean;
}

/* run_coordinator: the class, and the QueuedRunCoordinator's config. */
static void read_coordinator(reader *r, const yaml_value *sec, arena *a,
                             run_coordinator_config *c) {
  static const char *const queued_keys[] = {"max_concurrent_runs", "dequeue_interval_seconds",
                                            "tag_concurrency_limits", NULL};
  static const char *const no_keys[] = {NULL};
  const yaml_value *module = yaml_map_get(sec, "module");
  if (module)
    string(r, module, "run_coordinator.module");
  const yaml_value *cls = yaml_map_get(sec, "class");
  const char *name = cls ? string(r, cls, "run_coordinator.class") : NULL;
  if (!cls)
    fail_at(r, sec,
            "run_coordinator needs 'class' (QueuedRunCoordinator or "
            "DefaultRunCoordinator)");
  if (!name)
    return;
  if (strcmp(name, "QueuedRunCoordinator") == 0) {
    c->queued = true;
  } else if (strcmp(name, "DefaultRunCoordinator") != 0) {
    fail_at(r, cls,
            "unknown run_coordinator.class '%s' (expected QueuedRunCoordinator or "
            "DefaultRunCoordinator)",
            name);
    return;
  }
  const yaml_value *config = yaml_map_get(sec, "config");
  if (!config || config->kind == YAML_KIND_NULL)
    return;
  if (!check_map(r, config, c->queued ? "run_coordinator.config" : "DefaultRunCoordinator's config",
                 c->queued ? queued_keys : no_keys))
    return;
  integer(r, config, "run_coordinator.config", "max_concurrent_runs", -1, INT_MAX,
          &c->max_concurrent_runs);
  seconds(r, config, "run_coordinator.config", "dequeue_interval_seconds", false, 86400,
          &c->dequeue_interval);
  const yaml_value *limits = yaml_map_get(config, "tag_concurrency_limits");
  if (!limits || limits->kind == YAML_KIND_NULL)
    return;
  if (limits->kind != YAML_KIND_SEQ) {
    fail_at(r, limits, "run_coordinator.config.tag_concurrency_limits must be a list, not a %s",
            yaml_kind_name(limits->kind));
    return;
  }
  run_tag_limit *out = arena_alloc(a, (limits->count ? limits->count : 1) * sizeof *out);
  memset(out, 0, (limits->count ? limits->count : 1) * sizeof *out);
  for (size_t i = 0; i < limits->count; i++)
    tag_limit(r, limits->items[i], &out[i]);
  c->tag_limits = out;
  c->n_tag_limits = limits->count;
}

/* run_monitoring. */
static void read_monitoring(reader *r, const yaml_value *sec, run_monitoring_config *m) {
  const char *what = "run_monitoring";
  const yaml_value *enabled = yaml_map_get(sec, "enabled");
  if (enabled && enabled->kind != YAML_KIND_BOOL)
    fail_at(r, enabled, "run_monitoring.enabled must be true or false");
  else if (enabled)
    m->enabled = enabled->boolean;
  /* 0: no limit, as Dagster's monitor reads it. */
  seconds(r, sec, what, "start_timeout_seconds", true, 86400, &m->start_timeout);
  seconds(r, sec, what, "cancel_timeout_seconds", true, 86400, &m->cancel_timeout);
  seconds(r, sec, what, "poll_interval_seconds", false, 86400, &m->poll_interval);
  seconds(r, sec, what, "max_runtime_seconds", true, 366 * 86400.0, &m->max_runtime);
  /* Dagster's keys for what dagd does not do (resuming runs, a separate
   * cancellation thread, freeing concurrency slots): accepted, so a
   * dagster.yaml's run_monitoring section carries over, and checked, so
   * a wrong value is still caught; then ignored. */
  int ignored_count;
  double ignored_seconds;
  integer(r, sec, what, "max_resume_run_attempts", 0, INT_MAX, &ignored_count);
  seconds(r, sec, what, "cancellation_thread_poll_interval_seconds", false, 86400,
          &ignored_seconds);
  seconds(r, sec, what, "free_slots_after_run_end_seconds", true, 86400, &ignored_seconds);
}

/* run_launcher: the termination grace, and whether runs go to `dagd
 * worker` processes. */
static void read_launcher(reader *r, const yaml_value *sec, settings *s) {
  const yaml_value *grace = yaml_map_get(sec, "terminate_grace_seconds");
  if (grace) {
    double g = grace->kind == YAML_KIND_INT     ? (double)grace->integer
               : grace->kind == YAML_KIND_FLOAT ? grace->number
                                                : -1;
    if (!(g >= 0 && g <= 86400)) /* also refuses NaN */
      fail_at(r, grace,
              "run_launcher.terminate_grace_seconds must be a number of seconds from 0 to 86400");
    else
      s->terminate_grace = g;
  }
  const yaml_value *workers = yaml_map_get(sec, "workers");
  if (workers && workers->kind != YAML_KIND_BOOL)
    fail_at(r, workers, "run_launcher.workers must be true or false");
  else if (workers)
    s->use_workers = workers->boolean;
  seconds(r, sec, "run_launcher", "worker_heartbeat_timeout", false, 86400,
          &s->worker_heartbeat_timeout);
}

/* Reads the tree of dagd.yaml into s. */
static void read_settings(reader *r, const yaml_value *root, arena *a, settings *s) {
  if (root->kind == YAML_KIND_NULL) /* an empty file */
    return;
  static const char *const top[] = {"storage",
                                    "local_artifact_storage",
                                    "compute_logs",
                                    "run_launcher",
                                    "run_coordinator",
                                    "run_monitoring",
                                    NULL};
  static const char *const coordinator_keys[] = {"module", "class", "config", NULL};
  static const char *const monitoring_keys[] = {"enabled",
                                                "start_timeout_seconds",
                                                "cancel_timeout_seconds",
                                                "poll_interval_seconds",
                                                "max_runtime_seconds",
                                                "max_resume_run_attempts",
                                                "cancellation_thread_poll_interval_seconds",
                                                "free_slots_after_run_end_seconds",
                                                NULL};
  static const char *const storage_keys[] = {"sqlite", "postgres", NULL};
  static const char *const dir_keys[] = {"base_dir", NULL};
  static const char *const launcher_keys[] = {"terminate_grace_seconds", "workers",
                                              "worker_heartbeat_timeout", NULL};
  if (!check_map(r, root, CONFIG_FILE, top))
    return;
  const yaml_value *storage = section(r, root, "storage", "storage", storage_keys);
  if (storage)
    read_storage(r, storage, a, s);
  base_dir(r, section(r, root, "local_artifact_storage", "local_artifact_storage", dir_keys),
           "local_artifact_storage", &s->artifacts_dir);
  base_dir(r, section(r, root, "compute_logs", "compute_logs", dir_keys), "compute_logs",
           &s->compute_logs_dir);
  const yaml_value *launcher = section(r, root, "run_launcher", "run_launcher", launcher_keys);
  if (launcher)
    read_launcher(r, launcher, s);
  const yaml_value *coordinator =
      section(r, root, "run_coordinator", "run_coordinator", coordinator_keys);
  if (coordinator)
    read_coordinator(r, coordinator, a, &s->coordinator);
  const yaml_value *monitoring =
      section(r, root, "run_monitoring", "run_monitoring", monitoring_keys);
  if (monitoring)
    read_monitoring(r, monitoring, &s->monitoring);
}

/* Reads <home>/dagd.yaml when present; false with err filled on a bad file. */
static bool load_settings(const char *home, settings *s, arena *a, buf *err) {
  char *file = arena_printf(a, "%s/%s", home, CONFIG_FILE);
  buf text;
  buf_init(&text, a);
  if (!fs_read_file(file, &text)) {
    if (errno == ENOENT)
      return true;
    buf_printf(err, "%s: %s", file, strerror(errno));
    return false;
  }
  yaml_error yerr;
  yaml_value *root = yaml_parse(a, text.data ? text.data : "", text.len, NULL, &yerr);
  if (!root) {
    if (yerr.line)
      buf_printf(err, "%s:%d:%d: %s", file, yerr.line, yerr.column, yerr.message);
    else
      buf_printf(err, "%s: %s", file, yerr.message);
    return false;
  }
  reader r = {.file = file, .err = err};
  read_settings(&r, root, a, s);
  return r.errors == 0;
}

/* The folder dir (relative to home unless absolute), created, as an
 * absolute canonical path on the heap; NULL with err filled. */
static char *folder(const char *home, const char *dir, buf *err) {
  char *joined = dir[0] == '/' ? xstrdup(dir) : NULL;
  if (!joined) {
    size_t n = strlen(home) + strlen(dir) + 2;
    joined = xmalloc(n);
    snprintf(joined, n, "%s/%s", home, dir);
  }
  char *real = NULL;
  if (!fs_mkdir_p(joined))
    buf_printf(err, "could not create %s: %s", joined,
               errno == ENOTDIR ? "it or a folder above it exists and is not a folder"
                                : strerror(errno));
  else if (!(real = realpath(joined, NULL)))
    buf_printf(err, "could not resolve %s: %s", joined, strerror(errno));
  free(joined);
  return real;
}

/* This process's executable (/proc/self/exe), on the heap; NULL with err. */
static char *self_exe(buf *err) {
  for (size_t size = 256;; size *= 2) {
    char *p = xmalloc(size);
    ssize_t n = readlink("/proc/self/exe", p, size);
    if (n < 0) {
      buf_printf(err, "could not find the dagd executable (/proc/self/exe): %s", strerror(errno));
      free(p);
      return NULL;
    }
    if ((size_t)n < size) {
      p[n] = '\0';
      return p;
    }
    free(p);
  }
}

/* The tag limits on the heap (freed by free_tag_limits); NULL for none. */
static run_tag_limit *copy_tag_limits(const run_tag_limit *from, size_t n) {
  if (!n)
    return NULL;
  run_tag_limit *to = xcalloc(n, sizeof *to);
  for (size_t i = 0; i < n; i++) {
    to[i] = from[i];
    to[i].key = xstrdup(from[i].key);
    to[i].value = from[i].value ? xstrdup(from[i].value) : NULL;
  }
  return to;
}

static void free_tag_limits(const run_coordinator_config *c) {
  run_tag_limit *limits = (run_tag_limit *)c->tag_limits;
  for (size_t i = 0; limits && i < c->n_tag_limits; i++) {
    free((char *)limits[i].key);
    free((char *)limits[i].value);
  }
  free(limits);
}

/* Opens the instance's store: PostgreSQL at s->postgres_conninfo when
 * set, else the SQLite database in the history folder. */
static bool open_store(run_instance *inst, const char *history, const settings *s, buf *err) {
  store_error serr;
  const char *conninfo = s->postgres_conninfo;
  if (conninfo) {
    inst->postgres_conninfo = xstrdup(conninfo);
    inst->postgres_pool_size = s->postgres_pool_size;
    inst->store = store_open_postgres_pool(conninfo, s->postgres_pool_size, &serr);
    /* libpq's messages name the host and database, never the password;
     * the connection string itself stays out of the message. */
    if (!inst->store)
      buf_printf(err, "%s/%s: storage.postgres: %s", inst->home, CONFIG_FILE, serr.message);
    return inst->store != NULL;
  }
  size_t n = strlen(history) + sizeof "/runs.db";
  inst->database = xmalloc(n);
  snprintf(inst->database, n, "%s/runs.db", history);
  inst->store = store_open_sqlite(inst->database, &serr);
  if (!inst->store)
    buf_printf(err, "%s: %s", inst->database, serr.message);
  return inst->store != NULL;
}

run_instance *run_instance_open(const char *home, buf *err) {
  if (!home || !home[0]) {
    const char *env = getenv("DAGD_HOME");
    home = env && env[0] ? env : DEFAULT_HOME;
  }
  run_instance *inst = xcalloc(1, sizeof *inst);
  arena *a = arena_new(0);
  settings s = {
      .history_dir = "history",
      .postgres_pool_size = STORE_POSTGRES_POOL_DEFAULT,
      .artifacts_dir = "storage",
      .compute_logs_dir = "storage",
      .terminate_grace = 5,
      .worker_heartbeat_timeout = 60,
      .coordinator = {.queued = false, .max_concurrent_runs = 10, .dequeue_interval = 5},
      .monitoring = {.enabled = true,
                     .start_timeout = 180,
                     .cancel_timeout = 180,
                     .poll_interval = 5,
                     .max_runtime = 0},
  };
  bool ok = (inst->home = folder(".", home, err)) && load_settings(inst->home, &s, a, err);
  char *history = NULL;
  if (ok)
    ok = (s.postgres_conninfo || (history = folder(inst->home, s.history_dir, err))) &&
         (inst->artifacts_dir = folder(inst->home, s.artifacts_dir, err)) &&
         (inst->compute_logs_dir = folder(inst->home, s.compute_logs_dir, err)) &&
         (inst->dagd_path = self_exe(err));
  if (ok) {
    inst->terminate_grace = s.terminate_grace;
    inst->use_workers = s.use_workers;
    inst->worker_heartbeat_timeout = s.worker_heartbeat_timeout;
    inst->coordinator = s.coordinator;
    inst->coordinator.tag_limits =
        copy_tag_limits(s.coordinator.tag_limits, s.coordinator.n_tag_limits);
    inst->monitoring = s.monitoring;
    ok = open_store(inst, history, &s, err);
  }
  free(history);
  arena_free(a);
  if (!ok) {
    run_instance_close(inst);
    return NULL;
  }
  return inst;
}

void run_instance_close(run_instance *inst) {
  if (!inst)
    return;
  store_close(inst->store);
  free_tag_limits(&inst->coordinator);
  free(inst->home);
  free(inst->database);
  free(inst->postgres_conninfo);
  free(inst->artifacts_dir);
  free(inst->compute_logs_dir);
  free(inst->dagd_path);
  free(inst);
}
