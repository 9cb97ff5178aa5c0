/* workspace.h — workspace.yaml: the code locations a server serves.
 *
 *   load_from:
 *     - definitions: etl/defs.yaml     # relative to the workspace file
 *       location_name: etl             # optional: default the file's base
 *                                      # name without extension ("defs")
 *
 * Each location loads on its own: one that fails keeps its error text (the
 * API shows it as the location's load error) while the others load. A
 * reload re-reads one location; a failed reload keeps what was loaded
 * before and records the error. The workspace itself is not locked: its
 * owner serialises reloads against readers (readers that retain a location's
 * definitions keep them valid across a reload). */
#ifndef DAGD_DEFS_WORKSPACE_H
#define DAGD_DEFS_WORKSPACE_H

#include <stddef.h>

#include "base/buf.h"
#include "defs/definitions.h"

typedef struct defs_location {
  const char *name;
  const char *path; /* the definitions file, resolved against the workspace's folder */
  /* The last definitions that loaded; NULL when none ever did. */
  defs_definitions *defs;
  /* The errors of the last load or reload ("file:line:column: …" lines);
   * NULL when it succeeded. */
  char *error;
  double updated; /* Unix time of the last load or reload attempt */
} defs_location;

typedef struct defs_workspace {
  const char *path;
  defs_location *locations; /* in load_from order */
  size_t n_locations;
  struct arena *arena; /* names and paths */
} defs_workspace;

/* Reads the workspace file at path and loads every location. Returns NULL
 * (errors appended to err as "path:line:column: …" lines) only when the
 * workspace file itself is unreadable or malformed; a location that fails
 * to load is kept with its error. */
defs_workspace *defs_workspace_load(const char *path, buf *err);

/* Frees the workspace and releases its locations' definitions. NULL is allowed. */
void defs_workspace_free(defs_workspace *ws);

/* The location of that name, or NULL. */
defs_location *defs_workspace_find(defs_workspace *ws, const char *name);

/* One reading of a location's definitions file, done apart from the
 * workspace so that its owner need not hold a lock while files are read:
 * defs_location_read does the I/O and touches no location,
 * defs_location_apply swaps the result in. */
typedef struct defs_location_load {
  defs_definitions *defs; /* NULL on failure */
  char *error;            /* the errors on failure, else NULL */
  double time;            /* when it was read (Unix time) */
} defs_location_load;

/* Reads and loads the definitions file at path. */
defs_location_load defs_location_read(const char *path);

/* Applies a load to its location, taking what it holds (load is cleared):
 * on success the new definitions replace the old (released) and the error
 * is cleared; on failure the old definitions stay and the error is
 * recorded. updated becomes the load's time. */
void defs_location_apply(defs_location *loc, defs_location_load *load);

/* Re-reads one location's definitions file. On success the new definitions
 * replace the old (released) and the error is cleared: returns 0. On failure
 * the old definitions stay, the error is recorded in the location and
 * returns -1. Returns -2 when no location has that name. */
int defs_workspace_reload(defs_workspace *ws, const char *name);

#endif
