/* api.c — builds dagd's GraphQL schema from its SDL (src/api/schema.graphql,
 * embedded at build time) and attaches every area's resolvers (plus, when
 * asked, the test subscription of testing.c, added by an `extend type
 * Subscription` after the SDL). The schema is immutable once built and
 * shared by every request thread. */
#include "api/api.h"

#include <stdio.h>

#include "api/objects.h"
#include "api/testing.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/version.h"

/* Generated from src/api/schema.graphql (cmake/embed_text.cmake). */
extern const char *const api_sdl;
extern const size_t api_sdl_len;

static gql_rv resolve_version(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  (void)parent;
  (void)data;
  return gql_rv_string(DAGD_VERSION);
}

static const api_resolver root_resolvers[] = {
    {"Query.version", resolve_version},
};

/* The scalars that carry any JSON value. */
static const char *const json_scalars[] = {"RunConfigData", "GenericScalar"};

/* The embedded SDL, and when testing the test subscription's fields as
 * an extension of its Subscription type. */
static void put_sdl(buf *sdl, bool testing) {
  buf_append(sdl, api_sdl, api_sdl_len);
  if (testing)
    buf_printf(sdl, "\nextend type Subscription {\n%s}\n", api_testing_fields);
}

static gql_schema *build(bool testing, char *err, size_t err_size) {
  arena *scratch = arena_new(0);
  buf sdl;
  buf_init(&sdl, scratch);
  put_sdl(&sdl, testing);
  gql_errors errs;
  gql_errors_init(&errs, scratch);
  gql_schema *s = gql_schema_build(sdl.data, sdl.len, &errs);
  if (!s)
    snprintf(err, err_size, "the API schema does not build: %s",
             errs.n ? errs.items[0]->message : "unknown error");
  arena_free(scratch);
  return s;
}

gql_schema *api_schema_new(const api_options *opts, char *err, size_t err_size) {
  bool testing = opts && opts->test_subscriptions;
  gql_schema *s = build(testing, err, err_size);
  if (!s)
    return NULL;
  for (size_t i = 0; i < sizeof json_scalars / sizeof json_scalars[0]; i++) {
    if (gql_schema_set_scalar(s, json_scalars[i], &gql_json_scalar_hooks) != 0) {
      snprintf(err, err_size, "the API schema has no scalar %s", json_scalars[i]);
      goto fail;
    }
  }
  if (api_attach(s, root_resolvers, sizeof root_resolvers / sizeof root_resolvers[0], err,
                 err_size) != 0 ||
      api_workspace_attach(s, err, err_size) != 0 || api_jobs_attach(s, err, err_size) != 0 ||
      api_config_types_attach(s, err, err_size) != 0 || api_runs_attach(s, err, err_size) != 0 ||
      api_events_attach(s, err, err_size) != 0 || api_launch_attach(s, err, err_size) != 0 ||
      api_terminate_attach(s, err, err_size) != 0 ||
      api_subscriptions_attach(s, err, err_size) != 0)
    goto fail;
  if (testing && api_testing_attach(s) != 0) {
    snprintf(err, err_size, "the API schema has no field Subscription.testCounter");
    goto fail;
  }
  return s;
fail:
  gql_schema_free(s);
  return NULL;
}
