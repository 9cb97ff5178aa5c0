/* api.c — builds dagd's GraphQL schema from its SDL and attaches the
 * resolvers. The schema is immutable once built and shared by every request
 * thread. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
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

gql_schema *api_schema_new(char *err, size_t err_size) {
  arena *scratch = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, scratch);
  gql_schema *s = gql_schema_build(api_sdl, strlen(api_sdl), &errs);
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
  return s;
}
