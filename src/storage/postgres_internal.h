/* postgres_internal.h — the PostgreSQL store's private parts that its other
 * file (postgres_migrations.c) and its tests use: the migration list. */
#ifndef DAGD_STORAGE_POSTGRES_INTERNAL_H
#define DAGD_STORAGE_POSTGRES_INTERNAL_H

#include <stddef.h>

/* One schema migration: the SQL script (several statements, no
 * parameters) that takes the database from version - 1 to version. */
typedef struct store_postgres_migration {
  int version;
  const char *sql;
} store_postgres_migration;

/* The migrations in order (versions 1, 2, …, n); *n receives their number,
 * which is also the newest schema version this binary knows. */
const store_postgres_migration *store_postgres_migrations(size_t *n);

#endif
