/* pg_url.h — the URL of the PostgreSQL server the storage tests run
 * against: $DAGD_TEST_POSTGRES_URL, or else the first line of the file
 * named by $DAGD_TEST_POSTGRES_URL_FILE. CTest sets the latter: its fixture
 * `postgres` (scripts/postgres-test.sh) starts a private server and writes
 * the URL there, which is only known once the server runs, so CTest cannot
 * put the URL itself in the environment. By hand:
 *   scripts/postgres-test.sh start /tmp/pg && \
 *     DAGD_TEST_POSTGRES_URL=$(cat /tmp/pg/url) build/storage_test_...
 *
 * Header-only (static functions) because only the test executables use it. */
#ifndef DAGD_TESTS_PG_URL_H
#define DAGD_TESTS_PG_URL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The test server's URL on the heap (free it), or NULL when neither
 * variable is set (no server: the PostgreSQL tests are skipped). A URL file
 * that is named but unreadable or empty means the fixture failed: that is
 * reported on stderr and the test exits with status 1 rather than quietly
 * skipping. */
static inline char *pg_test_url(void) {
  const char *url = getenv("DAGD_TEST_POSTGRES_URL");
  if (url && url[0])
    return strdup(url);
  const char *file = getenv("DAGD_TEST_POSTGRES_URL_FILE");
  if (!file || !file[0])
    return NULL;
  FILE *f = fopen(file, "r");
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = f ? getline(&line, &cap, f) : -1;
  if (f)
    fclose(f);
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
    line[--n] = '\0';
  if (n <= 0) {
    fprintf(stderr,
            "%s (DAGD_TEST_POSTGRES_URL_FILE) holds no URL: did `scripts/postgres-test.sh start` "
            "(the CTest fixture postgres/start) fail?\n",
            file);
    free(line);
    exit(1);
  }
  return line;
}

#endif
