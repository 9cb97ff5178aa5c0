/* pg_fixture.h — a PostgreSQL store for one test: a schema of its own
 * (CREATE SCHEMA dagd_test_<pid>_<n>) on the test server (pg_url.h), the
 * store opened with that schema as its search_path, and the schema dropped
 * with everything in it afterwards, so tests never see each other's rows.
 * Header-only (static functions), like store_fixture.h. */
#ifndef DAGD_TESTS_PG_FIXTURE_H
#define DAGD_TESTS_PG_FIXTURE_H

#include <libpq-fe.h>
#include <stdint.h>
#include <unistd.h>

#include "pg_url.h"
#include "store_fixture.h"

/* The test server's URL (NULL: none; the PostgreSQL tests are skipped),
 * read once; pg_url_free releases it at the end of main. */
static char *pg_url_value;
static bool pg_url_read;

static inline const char *pg_url(void) {
  if (!pg_url_read) {
    pg_url_value = pg_test_url();
    pg_url_read = true;
  }
  return pg_url_value;
}

static inline void pg_url_free(void) {
  free(pg_url_value);
  pg_url_value = NULL;
}

/* conninfo: the server's URL (or key=value string) with search_path set to
 * schema, so that the store's tables live in it, and the schema as the
 * application name, so that a test can find its store's connections in
 * pg_stat_activity. */
static inline void pg_conninfo_for_schema(const char *url, const char *schema, char *out,
                                          size_t n) {
  if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
    snprintf(out, n, "%s%coptions=-csearch_path%%3D%s&application_name=%s", url,
             strchr(url, '?') ? '&' : '?', schema, schema);
  else
    snprintf(out, n, "%s options='-csearch_path=%s' application_name=%s", url, schema, schema);
}

static inline void pg_ignore_notice(void *arg, const char *message) {
  (void)arg;
  (void)message;
}

/* Runs sql (no parameters) on a connection of its own to conninfo; the
 * first value of the first row as an integer when it returns rows (0
 * otherwise), or -1 (message on stderr) when it fails. */
static inline int64_t pg_raw(const char *conninfo, const char *sql) {
  PGconn *pg = PQconnectdb(conninfo);
  int64_t v = -1;
  PQsetNoticeProcessor(pg, pg_ignore_notice, NULL); /* "drop cascades to …" */
  if (PQstatus(pg) != CONNECTION_OK) {
    fprintf(stderr, "pg_raw: cannot connect: %s", PQerrorMessage(pg));
  } else {
    PGresult *res = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_TUPLES_OK)
      v = PQntuples(res) && !PQgetisnull(res, 0, 0) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    else if (st == PGRES_COMMAND_OK)
      v = 0;
    else
      fprintf(stderr, "pg_raw: %s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
  }
  PQfinish(pg);
  return v;
}

/* cmocka setup: a fresh schema and a PostgreSQL store in it. The schema
 * name is made here from digits (DDL takes no parameters). */
static inline int pg_fixture_setup(void **state) {
  static int counter;
  const char *url = pg_url();
  if (!url)
    return -1;
  fixture *f = calloc(1, sizeof *f);
  snprintf(f->schema, sizeof f->schema, "dagd_test_%ld_%d", (long)getpid(), counter++);
  char sql[128];
  snprintf(sql, sizeof sql, "CREATE SCHEMA %s", f->schema);
  if (pg_raw(url, sql) != 0) {
    free(f);
    return -1;
  }
  pg_conninfo_for_schema(url, f->schema, f->conninfo, sizeof f->conninfo);
  store_error err;
  f->s = store_open_postgres(f->conninfo, &err);
  if (!f->s) {
    fprintf(stderr, "store_open_postgres: %s\n", err.message);
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
    pg_raw(url, sql);
    free(f);
    return -1;
  }
  f->a = arena_new(0);
  *state = f;
  return 0;
}

static inline int pg_fixture_teardown(void **state) {
  fixture *f = *state;
  store_close(f->s);
  arena_free(f->a);
  char sql[128];
  snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", f->schema);
  int rc = pg_raw(pg_url(), sql) == 0 ? 0 : -1;
  free(f);
  return rc;
}

#endif
