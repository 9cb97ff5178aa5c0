/* sqlite_internal.h — the SQLite store's private parts that its other file
 * (sqlite_migrations.c) and its tests use: the migration list and the text
 * of the runs query, which the tests hand to EXPLAIN QUERY PLAN. */
#ifndef DAGD_STORAGE_SQLITE_INTERNAL_H
#define DAGD_STORAGE_SQLITE_INTERNAL_H

#include "base/buf.h"
#include "storage/storage.h"

/* One schema migration: the SQL script that takes the database from
 * version - 1 to version. */
typedef struct store_sqlite_migration {
  int version;
  const char *sql;
} store_sqlite_migration;

/* The migrations in order (versions 1, 2, …, n); *n receives their number,
 * which is also the newest schema version this binary knows. */
const store_sqlite_migration *store_sqlite_migrations(size_t *n);

/* Appends to out the SELECT that store_runs_list runs for this filter and
 * cursor (NULL: none), or with count the one store_runs_count runs; its
 * parameters are anonymous "?" (the tests give the text to EXPLAIN QUERY
 * PLAN). */
void store_sqlite_runs_sql(buf *out, const store_runs_filter *f, const char *cursor, bool count);

#endif
