/* error.c — lists of GraphQL errors and their JSON form.
 *
 * Every error and its parts live in the list's arena, so a request's errors
 * go away with the request. gql_errors_write emits the "errors" array of a
 * response in the key order graphql-js uses: message, locations, path. */
#include "graphql/error.h"

#include <stdarg.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"

void gql_errors_init(gql_errors *e, arena *a) {
  e->arena = a;
  e->items = NULL;
  e->n = 0;
  e->cap = 0;
}

gql_error *gql_errors_add(gql_errors *e, gql_loc loc, const char *fmt, ...) {
  gql_error *err = ARENA_NEW(e->arena, gql_error);
  va_list ap;
  va_start(ap, fmt);
  err->message = arena_vprintf(e->arena, fmt, ap);
  va_end(ap);
  if (loc.line != 0)
    gql_error_add_loc(e, err, loc);
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 4;
    e->items = arena_realloc(e->arena, e->items, e->cap * sizeof *e->items, cap * sizeof *e->items);
    e->cap = cap;
  }
  e->items[e->n++] = err;
  return err;
}

void gql_error_add_loc(gql_errors *e, gql_error *err, gql_loc loc) {
  /* Locations are few (usually one or two): grow by exact size. */
  size_t n = err->n_locations;
  err->locations =
      arena_realloc(e->arena, err->locations, n * sizeof(gql_loc), (n + 1) * sizeof(gql_loc));
  err->locations[n] = loc;
  err->n_locations = n + 1;
}

void gql_error_set_path(gql_errors *e, gql_error *err, const gql_path_seg *path, size_t len) {
  if (len == 0) {
    err->path = NULL;
    err->path_len = 0;
    return;
  }
  gql_path_seg *copy = arena_alloc(e->arena, len * sizeof *copy);
  for (size_t i = 0; i < len; i++) {
    copy[i].key = path[i].key ? arena_strdup(e->arena, path[i].key) : NULL;
    copy[i].index = path[i].index;
  }
  err->path = copy;
  err->path_len = len;
}

static void write_one(json_writer *w, const gql_error *err) {
  json_begin_object(w);
  json_key(w, "message");
  json_str(w, err->message ? err->message : "");
  if (err->n_locations > 0) {
    json_key(w, "locations");
    json_begin_array(w);
    for (size_t i = 0; i < err->n_locations; i++) {
      json_begin_object(w);
      json_key(w, "line");
      json_int(w, err->locations[i].line);
      json_key(w, "column");
      json_int(w, err->locations[i].column);
      json_end_object(w);
    }
    json_end_array(w);
  }
  if (err->path_len > 0) {
    json_key(w, "path");
    json_begin_array(w);
    for (size_t i = 0; i < err->path_len; i++) {
      if (err->path[i].key)
        json_str(w, err->path[i].key);
      else
        json_int(w, err->path[i].index);
    }
    json_end_array(w);
  }
  json_end_object(w);
}

void gql_errors_write(json_writer *w, const gql_errors *e) {
  json_begin_array(w);
  for (size_t i = 0; i < e->n; i++)
    write_one(w, e->items[i]);
  json_end_array(w);
}
