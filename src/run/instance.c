/* instance.c — opening the dagd instance (instance.h): the home folder,
 * its optional dagd.yaml, the folders it names, and the store.
 *
 * dagd.yaml is read strictly, like the definitions files: an unknown key or
 * a value of the wrong type is an error that names the file, line and
 * column, so a typo never silently falls back to a default folder. */
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

/* What dagd.yaml can set; NULL folders keep their defaults. */
typedef struct settings {
  const char *history_dir;
  const char *artifacts_dir;
  const char *compute_logs_dir;
  double terminate_grace;
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

/* Reads the tree of dagd.yaml into s. */
static void read_settings(reader *r, const yaml_value *root, settings *s) {
  if (root->kind == YAML_KIND_NULL) /* an empty file */
    return;
  static const char *const top[] = {"storage", "local_artifact_storage", "compute_logs",
                                    "run_launcher", NULL};
  static const char *const storage_keys[] = {"sqlite", NULL};
  static const char *const dir_keys[] = {"base_dir", NULL};
  static const char *const launcher_keys[] = {"terminate_grace_seconds", NULL};
  if (!check_map(r, root, CONFIG_FILE, top))
    return;
  const yaml_value *storage = section(r, root, "storage", "storage", storage_keys);
  base_dir(r, storage ? section(r, storage, "sqlite", "storage.sqlite", dir_keys) : NULL,
           "storage.sqlite", &s->history_dir);
  base_dir(r, section(r, root, "local_artifact_storage", "local_artifact_storage", dir_keys),
           "local_artifact_storage", &s->artifacts_dir);
  base_dir(r, section(r, root, "compute_logs", "compute_logs", dir_keys), "compute_logs",
           &s->compute_logs_dir);
  const yaml_value *launcher = section(r, root, "run_launcher", "run_launcher", launcher_keys);
  const yaml_value *grace = launcher ? yaml_map_get(launcher, "terminate_grace_seconds") : NULL;
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
  read_settings(&r, root, s);
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

run_instance *run_instance_open(const char *home, buf *err) {
  if (!home || !home[0]) {
    const char *env = getenv("DAGD_HOME");
    home = env && env[0] ? env : DEFAULT_HOME;
  }
  run_instance *inst = xcalloc(1, sizeof *inst);
  arena *a = arena_new(0);
  settings s = {"history", "storage", "storage", 5};
  bool ok = (inst->home = folder(".", home, err)) && load_settings(inst->home, &s, a, err);
  char *history = NULL;
  if (ok)
    ok = (history = folder(inst->home, s.history_dir, err)) &&
         (inst->artifacts_dir = folder(inst->home, s.artifacts_dir, err)) &&
         (inst->compute_logs_dir = folder(inst->home, s.compute_logs_dir, err)) &&
         (inst->dagd_path = self_exe(err));
  if (ok) {
    size_t n = strlen(history) + sizeof "/runs.db";
    inst->database = xmalloc(n);
    snprintf(inst->database, n, "%s/runs.db", history);
    inst->terminate_grace = s.terminate_grace;
    store_error serr;
    inst->store = store_open_sqlite(inst->database, &serr);
    if (!inst->store) {
      buf_printf(err, "%s: %s", inst->database, serr.message);
      ok = false;
    }
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
  free(inst->home);
  free(inst->database);
  free(inst->artifacts_dir);
  free(inst->compute_logs_dir);
  free(inst->dagd_path);
  free(inst);
}
