/* store_backends.h — running one list of cmocka cases on every backend
 * (test_store.c, test_watch.c): main runs the group once with `current` at
 * sqlite_backend and again at postgres_backend when a test server is
 * known, and the cases' setup and teardown follow `current`. Header-only
 * (static), like store_fixture.h. */
#ifndef DAGD_TESTS_STORE_BACKENDS_H
#define DAGD_TESTS_STORE_BACKENDS_H

#include "pg_fixture.h"
#include "store_fixture.h"

typedef struct backend {
  const char *name;
  CMFixtureFunction setup, teardown;
} backend;

static const backend sqlite_backend = {"sqlite", fixture_setup, fixture_teardown};
static const backend postgres_backend = {"postgres", pg_fixture_setup, pg_fixture_teardown};
/* The backend the group running now tests. */
static const backend *current = &sqlite_backend;

static inline int backend_setup(void **state) { return current->setup(state); }
static inline int backend_teardown(void **state) { return current->teardown(state); }

static inline bool on_postgres(void) { return current == &postgres_backend; }

#endif
