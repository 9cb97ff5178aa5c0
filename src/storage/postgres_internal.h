/* postgres_internal.h — the PostgreSQL store's private parts that its other
 * file (postgres_migrations.c) and its tests use: the migration list, and
 * how long a call waits for a connection of a busy pool. */
#ifndef DAGD_STORAGE_POSTGRES_INTERNAL_H
#define DAGD_STORAGE_POSTGRES_INTERNAL_H

#include <stddef.h>

#include "storage/storage.h"

/* One schema migration: the SQL script (several statements, no
 * parameters) that takes the database from version - 1 to version. */
typedef struct store_postgres_migration {
  int version;
  const char *sql;
} store_postgres_migration;

/* The migrations in order (versions 1, 2, …, n); *n receives their number,
 * which is also the newest schema version this binary knows. */
const store_postgres_migration *store_postgres_migrations(size_t *n);

/* Sets how long a call of the PostgreSQL store s waits for one of its
 * pool's connections when every one is busy (60 s from the open), so a
 * test of an exhausted pool need not wait a minute. */
void store_postgres_set_pool_wait(store *s, double seconds);

#endif
