/* workspace.c — workspace.yaml: reads the list of code locations and loads
 * each definitions file, keeping per-location errors (workspace.h). */
#include "defs/workspace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/clock.h"
#include "base/fs.h"
#include "base/mem.h"
#include "base/yaml.h"

__attribute__((format(printf, 4, 5))) static void
ws_fail(buf *err, const char *file, const yaml_value *at, const char *fmt, ...) {
  buf_printf(err, "%s:%d:%d: ", file, at ? at->line : 1, at ? at->column : 1);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(err, fmt, ap);
  va_end(ap);
  buf_putc(err, '\n');
}

/* The base name of path without its extension: "a/etl.defs.yaml" → "etl.defs". */
static const char *default_name(arena *a, const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  return arena_strndup(a, base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

/* path relative to the folder of the workspace file (absolute paths stay). */
static const char *resolve(arena *a, const char *ws_path, const char *path) {
  const char *slash = strrchr(ws_path, '/');
  if (path[0] == '/' || !slash)
    return arena_strdup(a, path);
  return arena_printf(a, "%.*s/%s", (int)(slash - ws_path), ws_path, path);
}

defs_location_load defs_location_read(const char *path) {
  defs_location_load load = {.time = clock_now()};
  buf err;
  buf_init(&err, NULL);
  load.defs = defs_load_file(path, &err);
  if (!load.defs) {
    if (err.len && err.data[err.len - 1] == '\n')
      buf_truncate(&err, err.len - 1);
    load.error = xstrdup(err.len ? buf_cstr(&err) : "failed to load");
  }
  buf_free(&err);
  return load;
}

void defs_location_apply(defs_location *loc, defs_location_load *load) {
  free(loc->error);
  loc->error = load->error;
  if (load->defs) {
    defs_definitions_release(loc->defs);
    loc->defs = load->defs;
  }
  loc->updated = load->time;
  *load = (defs_location_load){0};
}

static void load_location(defs_location *loc) {
  defs_location_load load = defs_location_read(loc->path);
  defs_location_apply(loc, &load);
}

/* Reads one `load_from` entry into loc; false after reporting. */
static bool read_entry(arena *a, const char *file, const yaml_value *e, defs_location *loc,
                       buf *err) {
  if (e->kind != YAML_KIND_MAP) {
    ws_fail(err, file, e, "a load_from entry must be a mapping with 'definitions'");
    return false;
  }
  bool ok = true;
  for (size_t i = 0; i < e->count; i++) {
    const yaml_value *k = e->pairs[i].key, *v = e->pairs[i].value;
    bool known = k->kind == YAML_KIND_STR &&
                 (strcmp(k->str, "definitions") == 0 || strcmp(k->str, "location_name") == 0);
    if (!known) {
      ws_fail(err, file, k,
              "unknown key '%s' in a load_from entry (expected one of: definitions, "
              "location_name)",
              k->str ? k->str : "");
      ok = false;
    } else if (v->kind != YAML_KIND_STR || !*v->str) {
      ws_fail(err, file, v, "'%s' must be a non-empty string", k->str);
      ok = false;
    }
  }
  const yaml_value *def = yaml_map_get(e, "definitions"), *name = yaml_map_get(e, "location_name");
  if (!def) {
    ws_fail(err, file, e, "a load_from entry needs 'definitions: <file>'");
    return false;
  }
  if (!ok)
    return false;
  loc->path = resolve(a, file, def->str);
  loc->name = name ? name->str : default_name(a, def->str);
  return true;
}

defs_workspace *defs_workspace_load(const char *path, buf *err) {
  arena *a = arena_new(0);
  buf text;
  buf_init(&text, a);
  if (!fs_read_file(path, &text)) {
    buf_printf(err, "%s: cannot read: %s\n", path, strerror(errno));
    arena_free(a);
    return NULL;
  }
  const char *file = arena_strdup(a, path);
  yaml_error ye;
  const yaml_value *root = yaml_parse(a, text.data ? text.data : "", text.len, NULL, &ye);
  const yaml_value *list = NULL;
  size_t before = err->len;
  if (!root)
    ws_fail(err, file,
            &(yaml_value){.line = ye.line ? ye.line : 1, .column = ye.column ? ye.column : 1}, "%s",
            ye.message);
  else if (root->kind != YAML_KIND_MAP || !(list = yaml_map_get(root, "load_from")))
    ws_fail(err, file, root, "a workspace file must be a mapping with a 'load_from' list");
  else if (list->kind != YAML_KIND_SEQ)
    ws_fail(err, file, list, "'load_from' must be a sequence, not a %s",
            yaml_kind_name(list->kind));
  else
    for (size_t i = 0; i < root->count; i++)
      if (root->pairs[i].key->kind != YAML_KIND_STR ||
          strcmp(root->pairs[i].key->str, "load_from") != 0)
        ws_fail(err, file, root->pairs[i].key,
                "unknown key '%s' in a workspace file (expected one of: load_from)",
                root->pairs[i].key->str ? root->pairs[i].key->str : "");
  defs_workspace *ws = NULL;
  if (err->len == before) {
    ws = ARENA_NEW(a, defs_workspace);
    ws->arena = a;
    ws->path = file;
    ws->locations = ARENA_ARRAY(a, defs_location, list->count);
    for (size_t i = 0; i < list->count; i++) {
      defs_location *loc = &ws->locations[ws->n_locations];
      if (!read_entry(a, file, list->items[i], loc, err))
        continue;
      if (defs_workspace_find(ws, loc->name)) {
        ws_fail(err, file, list->items[i], "duplicate location name '%s'", loc->name);
        continue;
      }
      ws->n_locations++;
    }
  }
  if (err->len != before) {
    arena_free(a);
    return NULL;
  }
  for (size_t i = 0; i < ws->n_locations; i++)
    load_location(&ws->locations[i]);
  return ws;
}

void defs_workspace_free(defs_workspace *ws) {
  if (!ws)
    return;
  for (size_t i = 0; i < ws->n_locations; i++) {
    defs_definitions_release(ws->locations[i].defs);
    free(ws->locations[i].error);
  }
  arena_free(ws->arena);
}

defs_location *defs_workspace_find(defs_workspace *ws, const char *name) {
  for (size_t i = 0; i < ws->n_locations; i++)
    if (strcmp(ws->locations[i].name, name) == 0)
      return &ws->locations[i];
  return NULL;
}

int defs_workspace_reload(defs_workspace *ws, const char *name) {
  defs_location *loc = defs_workspace_find(ws, name);
  if (!loc)
    return -2;
  load_location(loc);
  return loc->error ? -1 : 0;
}
