/* error.h — GraphQL errors as the response carries them.
 *
 * An error has a message, the source locations it concerns and, for errors
 * raised while executing, the response path of the field. Lists of errors
 * live in an arena (the request's or the schema builder's). */
#ifndef DAGD_GRAPHQL_ERROR_H
#define DAGD_GRAPHQL_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/ast.h"

typedef struct arena arena;
typedef struct json_writer json_writer;

typedef struct gql_path_seg {
  const char *key; /* a response key, or NULL for a list index */
  int64_t index;
} gql_path_seg;

typedef struct gql_error {
  char *message;
  gql_loc *locations;
  size_t n_locations;
  gql_path_seg *path; /* NULL for errors that are not about a field */
  size_t path_len;
} gql_error;

typedef struct gql_errors {
  arena *arena;
  gql_error **items;
  size_t n;
  size_t cap;
} gql_errors;

void gql_errors_init(gql_errors *e, arena *a);
/* Adds an error with a printf-style message and one location (none when
 * loc.line == 0); returns it so more locations or a path can be attached. */
gql_error *gql_errors_add(gql_errors *e, gql_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gql_error_add_loc(gql_errors *e, gql_error *err, gql_loc loc);
void gql_error_set_path(gql_errors *e, gql_error *err, const gql_path_seg *path, size_t len);
/* Writes the errors as the JSON array of the response's "errors" entry:
 * [{"message":…,"locations":[{"line":…,"column":…}],"path":[…]}] with
 * locations and path omitted when empty. */
void gql_errors_write(json_writer *w, const gql_errors *e);

#endif
