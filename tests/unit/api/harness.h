/* harness.h — what the API's unit tests share: the served schema and a
 * workspace loaded from a fixture (or an empty one, as cmocka group
 * setups), requests run through gql_run as a transport runs them (with or
 * without a run instance), a path lookup into parsed responses, and printf
 * into a heap string. Included once by each test file; the functions are
 * static inline so a file need not use them all. */
#ifndef DAGD_TESTS_API_HARNESS_H
#define DAGD_TESTS_API_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/objects.h"
#include "base/arena.h"
#include "base/buf.h"
#include "defs/workspace.h"
#include "graphql/exec.h"

static gql_schema *schema;
static api_workspace *workspace;

/* Builds the served schema and, when path is given, loads that workspace,
 * whose first location must load (the others may fail, as fixtures of
 * load errors do). 0, or -1 after printing why. */
static inline int harness_open(const char *path) {
  char err[256];
  schema = api_schema_new(NULL, err, sizeof err);
  if (!schema) {
    fprintf(stderr, "%s\n", err);
    return -1;
  }
  if (!path)
    return 0;
  buf e;
  buf_init(&e, NULL);
  defs_workspace *ws = defs_workspace_load(path, &e);
  if (!ws || !ws->n_locations || !ws->locations[0].defs) {
    fprintf(stderr, "fixture %s: %s%s\n", path, buf_cstr(&e),
            ws && ws->n_locations && ws->locations[0].error ? ws->locations[0].error : "");
    buf_free(&e);
    defs_workspace_free(ws);
    return -1;
  }
  buf_free(&e);
  workspace = api_workspace_new(ws);
  return 0;
}

/* Frees the workspace (if any) and the schema. */
static inline void harness_close(void) {
  api_workspace_free(workspace);
  workspace = NULL;
  gql_schema_free(schema);
  schema = NULL;
}

/* cmocka group setup of tests that need no code location (a server with
 * an empty workspace): the served schema and that workspace. */
static inline int harness_group_setup_empty(void **state) {
  (void)state;
  if (harness_open(NULL) != 0)
    return -1;
  workspace = api_workspace_new(NULL);
  return 0;
}

/* cmocka group teardown: harness_close. */
static inline int harness_group_teardown(void **state) {
  (void)state;
  harness_close();
  return 0;
}

/* Runs query (variables: JSON object text, or NULL) against the workspace,
 * with instance (NULL: a server without one) in the context, and returns
 * the response text (free it); *outcome receives what gql_run did when not
 * NULL. */
static inline char *harness_query_on(const char *query, const char *variables, bool read_only,
                                     run_instance *instance, gql_outcome *outcome) {
  json_t *vars = variables ? json_loads(variables, JSON_ALLOW_NUL, NULL) : NULL;
  if (variables && !vars)
    fail_msg("bad variables: %s", variables);
  api_context ctx = {.read_only = read_only, .workspace = workspace, .instance = instance};
  arena *a = arena_new(0);
  gql_request req = {.schema = schema, .context = &ctx, .arena = a, .variables = vars};
  buf out;
  buf_init(&out, a);
  gql_outcome o = gql_run(&req, query, strlen(query), NULL, &out);
  if (outcome)
    *outcome = o;
  char *text = strdup(buf_cstr(&out));
  arena_free(a);
  json_decref(vars);
  return text;
}

/* harness_query_on without an instance. */
static inline char *harness_query(const char *query, const char *variables, bool read_only,
                                  gql_outcome *outcome) {
  return harness_query_on(query, variables, read_only, NULL, outcome);
}

/* Runs the query as harness_query_on does and returns the whole response
 * parsed; a GraphQL error (as opposed to a domain error, which is a union
 * member) fails the test. json_decref it. */
static inline json_t *harness_response_on(const char *query, const char *variables, bool read_only,
                                          run_instance *instance) {
  gql_outcome outcome;
  char *text = harness_query_on(query, variables, read_only, instance, &outcome);
  json_t *response = json_loads(text, 0, NULL);
  if (outcome != GQL_OUTCOME_EXECUTED || !response || json_object_get(response, "errors"))
    fail_msg("%s", text);
  free(text);
  return response;
}

/* harness_response_on without an instance. */
static inline json_t *harness_response(const char *query, const char *variables, bool read_only) {
  return harness_response_on(query, variables, read_only, NULL);
}

/* printf into a heap string (free it). */
static inline char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline char *fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = vsnprintf(NULL, 0, f, ap);
  va_end(ap);
  assert_true(n >= 0);
  char *s = malloc((size_t)n + 1);
  va_start(ap, f);
  vsnprintf(s, (size_t)n + 1, f, ap);
  va_end(ap);
  return s;
}

/* The value at a dotted path of keys and list indexes ("data.x.0.name");
 * fails the test when there is nothing there. */
static inline json_t *at(json_t *v, const char *path) {
  char key[128];
  for (const char *p = path; *p;) {
    size_t n = strcspn(p, ".");
    assert_true(n < sizeof key);
    memcpy(key, p, n);
    key[n] = '\0';
    v = json_is_array(v) ? json_array_get(v, strtoul(key, NULL, 10)) : json_object_get(v, key);
    if (!v)
      fail_msg("nothing at '%s' (path %s)", key, path);
    p += n + (p[n] == '.');
  }
  return v;
}

#endif
