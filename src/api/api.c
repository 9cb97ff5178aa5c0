/* api.c — builds dagd's GraphQL schema from its SDL and attaches the
 * resolvers (plus, when asked, the test subscription of testing.c). The
 * schema is immutable once built and shared by every request thread. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "api/testing.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/version.h"

static const char api_sdl[] = "type Query {\n"
                              "  \"The version of the dagd server answering.\"\n"
                              "  version: String!\n"
                              "}\n";

static gql_rv resolve_version(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)parent;
  (void)data;
  return gql_rv_string(DAGD_VERSION);
}

gql_schema *api_schema_new(const api_options *opts, char *err, size_t err_size) {
  bool testing = opts && opts->test_subscriptions;
  arena *scratch = arena_new(0);
  buf sdl;
  buf_init(&sdl, scratch);
  buf_puts(&sdl, api_sdl);
  if (testing)
    buf_puts(&sdl, api_testing_sdl);
  gql_errors errs;
  gql_errors_init(&errs, scratch);
  gql_schema *s = gql_schema_build(sdl.data, sdl.len, &errs);
  if (!s) {
    snprintf(err, err_size, "the API schema does not build: %s",
             errs.n ? errs.items[0]->message : "unknown error");
    arena_free(scratch);
    return NULL;
  }
  arena_free(scratch);
  if (gql_schema_set_resolver(s, "Query.version", resolve_version, NULL) != 0) {
    snprintf(err, err_size, "the API schema has no field Query.version");
    gql_schema_free(s);
    return NULL;
  }
  if (testing && api_testing_attach(s) != 0) {
    snprintf(err, err_size, "the API schema has no field Subscription.testCounter");
    gql_schema_free(s);
    return NULL;
  }
  return s;
}
