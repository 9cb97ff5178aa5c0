/* test_workspace.c — unit tests for src/api/workspace.c through the served
 * schema: repositories (all, by selector, unknown), the workspace's entries
 * with a location that fails to load, location statuses and permissions,
 * reloads after good and bad edits (a failed reload keeps the old
 * repository listed), the whole-workspace reload, read-only refusals,
 * unknown locations, shutdown, and the used ops of a repository. The
 * fixture workspace (tests/unit/api/fixtures/workspace/) is copied into a
 * fresh temporary folder for each test, so tests may edit it. */
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define FIXTURES "tests/unit/api/fixtures/workspace/"

static const char *const fixture_files[] = {"workspace.yaml", "alpha.yaml", "beta.yaml",
                                            "broken.yaml"};
#define N_FIXTURES (sizeof fixture_files / sizeof fixture_files[0])

static char dir[64];

static const char *in_dir(const char *name) {
  static char path[4][160];
  static int next;
  char *p = path[next++ % 4];
  snprintf(p, sizeof path[0], "%s/%s", dir, name);
  return p;
}

static void write_file(const char *name, const char *text) {
  FILE *f = fopen(in_dir(name), "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static char *read_fixture(const char *name) {
  char path[160];
  snprintf(path, sizeof path, FIXTURES "%s", name);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  static char text[4096];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  return text;
}

static int group_setup(void **state) {
  (void)state;
  if (harness_open(NULL) != 0)
    return -1;
  strcpy(dir, "/tmp/dagd-api-ws-XXXXXX");
  return mkdtemp(dir) ? 0 : -1;
}

static int group_teardown(void **state) {
  (void)state;
  harness_close();
  for (size_t i = 0; i < N_FIXTURES; i++)
    unlink(in_dir(fixture_files[i]));
  return rmdir(dir);
}

/* A fresh copy of the fixture workspace, loaded. */
static int setup(void **state) {
  (void)state;
  for (size_t i = 0; i < N_FIXTURES; i++)
    write_file(fixture_files[i], read_fixture(fixture_files[i]));
  buf err;
  buf_init(&err, NULL);
  defs_workspace *ws = defs_workspace_load(in_dir("workspace.yaml"), &err);
  buf_free(&err);
  if (!ws)
    return -1;
  workspace = api_workspace_new(ws);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  api_workspace_free(workspace);
  workspace = NULL;
  return 0;
}

/* Runs a request and returns the parsed response; any GraphQL error fails
 * the test (domain errors are union members, not GraphQL errors). */
static json_t *run(const char *query, bool read_only) {
  return harness_response(query, NULL, read_only);
}

static const char *str_at(json_t *j, const char *path) {
  json_t *v = at(j, path);
  if (!json_is_string(v))
    fail_msg("%s is not a string", path);
  return json_string_value(v);
}

static size_t len_at(json_t *j, const char *path) {
  json_t *v = at(j, path);
  assert_true(json_is_array(v));
  return json_array_size(v);
}

/* The location of the workspace as loaded (its error text, its folder). */
static const defs_location *location(const char *name) {
  const defs_location *loc = defs_workspace_find(api_workspace_defs(workspace), name);
  assert_non_null(loc);
  return loc;
}

static void expected_id(const char *location_name, const char *repository_name, char hex[41]) {
  char text[128];
  snprintf(text, sizeof text, "%s:%s", location_name, repository_name);
  unsigned char digest[20];
  gnutls_hash_fast(GNUTLS_DIG_SHA1, text, strlen(text), digest);
  for (int i = 0; i < 20; i++)
    snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

/* ---- repositories ------------------------------------------------------- */

static const char *const repositories_query =
    "{ repositoriesOrError { __typename ... on RepositoryConnection { nodes {"
    " id name jobs { name } pipelines { name }"
    " location { id name isReloadSupported environmentPath serverId repositories { name } }"
    " origin { id repositoryLocationName repositoryName repositoryLocationMetadata { key value } }"
    " displayMetadata { key value } } } } }";

static void test_repositories_of_loaded_locations(void **state) {
  (void)state;
  json_t *r = run(repositories_query, false);
  json_t *rs = at(r, "data.repositoriesOrError");
  assert_string_equal(str_at(rs, "__typename"), "RepositoryConnection");
  /* The broken location has no repository. */
  assert_int_equal(len_at(rs, "nodes"), 2);

  json_t *alpha = at(rs, "nodes.0");
  char id[41];
  expected_id("alpha", "alpha_repo", id);
  assert_string_equal(str_at(alpha, "id"), id);
  assert_string_equal(str_at(alpha, "name"), "alpha_repo");
  /* Jobs by name, whatever the file's order; pipelines are the same jobs. */
  assert_int_equal(len_at(alpha, "jobs"), 3);
  assert_string_equal(str_at(alpha, "jobs.0.name"), "etl");
  assert_string_equal(str_at(alpha, "jobs.1.name"), "nested");
  assert_string_equal(str_at(alpha, "jobs.2.name"), "zeta_job");
  assert_true(json_equal(at(alpha, "jobs"), at(alpha, "pipelines")));
  assert_string_equal(str_at(alpha, "location.id"), "alpha");
  assert_string_equal(str_at(alpha, "location.name"), "alpha");
  assert_true(json_is_true(at(alpha, "location.isReloadSupported")));
  assert_true(json_is_null(at(alpha, "location.environmentPath")));
  assert_true(json_is_null(at(alpha, "location.serverId")));
  assert_string_equal(str_at(alpha, "location.repositories.0.name"), "alpha_repo");
  assert_string_equal(str_at(alpha, "origin.id"), id);
  assert_string_equal(str_at(alpha, "origin.repositoryLocationName"), "alpha");
  assert_string_equal(str_at(alpha, "origin.repositoryName"), "alpha_repo");
  assert_int_equal(len_at(alpha, "displayMetadata"), 2);
  assert_string_equal(str_at(alpha, "displayMetadata.0.key"), "definitions_file");
  assert_string_equal(str_at(alpha, "displayMetadata.0.value"), location("alpha")->path);
  assert_string_equal(str_at(alpha, "displayMetadata.1.key"), "working_directory");
  assert_string_equal(str_at(alpha, "displayMetadata.1.value"),
                      location("alpha")->defs->working_directory);
  assert_true(
      json_equal(at(alpha, "displayMetadata"), at(alpha, "origin.repositoryLocationMetadata")));

  json_t *beta = at(rs, "nodes.1");
  expected_id("beta_loc", "__repository__", id);
  assert_string_equal(str_at(beta, "id"), id);
  assert_string_equal(str_at(beta, "name"), "__repository__");
  assert_string_equal(str_at(beta, "location.name"), "beta_loc");
  assert_string_equal(str_at(beta, "jobs.0.name"), "greet");
  json_decref(r);
}

static void test_repositories_by_selector(void **state) {
  (void)state;
  json_t *r = run("{ repositoriesOrError(repositorySelector: {repositoryLocationName: "
                  "\"beta_loc\", repositoryName: \"__repository__\"}) {"
                  " ... on RepositoryConnection { nodes { name location { name } } } } }",
                  false);
  assert_int_equal(len_at(r, "data.repositoriesOrError.nodes"), 1);
  assert_string_equal(str_at(r, "data.repositoriesOrError.nodes.0.location.name"), "beta_loc");
  json_decref(r);

  /* A wrong repository name, an unknown location, and a location that
   * failed to load all name no repository. */
  const char *const selectors[][3] = {
      {"alpha", "nope", "Could not find Repository alpha.nope"},
      {"nowhere", "alpha_repo", "Could not find Repository nowhere.alpha_repo"},
      {"broken", "__repository__", "Could not find Repository broken.__repository__"},
  };
  for (size_t i = 0; i < sizeof selectors / sizeof selectors[0]; i++) {
    char q[512];
    snprintf(q, sizeof q,
             "{ repositoriesOrError(repositorySelector: {repositoryLocationName: \"%s\","
             " repositoryName: \"%s\"}) { __typename ... on RepositoryNotFoundError {"
             " message repositoryName repositoryLocationName } } }",
             selectors[i][0], selectors[i][1]);
    r = run(q, false);
    json_t *e = at(r, "data.repositoriesOrError");
    assert_string_equal(str_at(e, "__typename"), "RepositoryNotFoundError");
    assert_string_equal(str_at(e, "message"), selectors[i][2]);
    assert_string_equal(str_at(e, "repositoryLocationName"), selectors[i][0]);
    assert_string_equal(str_at(e, "repositoryName"), selectors[i][1]);
    json_decref(r);
  }
}

static void test_repository_or_error(void **state) {
  (void)state;
  json_t *r = run("{ repositoryOrError(repositorySelector: {repositoryLocationName: \"alpha\","
                  " repositoryName: \"alpha_repo\"}) { __typename ... on Repository { name"
                  " location { name } } } }",
                  false);
  assert_string_equal(str_at(r, "data.repositoryOrError.__typename"), "Repository");
  assert_string_equal(str_at(r, "data.repositoryOrError.location.name"), "alpha");
  json_decref(r);

  r = run("{ repositoryOrError(repositorySelector: {repositoryLocationName: \"alpha\","
          " repositoryName: \"other\"}) { __typename ... on Error { message } } }",
          false);
  assert_string_equal(str_at(r, "data.repositoryOrError.__typename"), "RepositoryNotFoundError");
  assert_string_equal(str_at(r, "data.repositoryOrError.message"),
                      "Could not find Repository alpha.other");
  json_decref(r);
}

/* ---- the workspace and its locations ----------------------------------- */

static const char *const entry_fields =
    "__typename id name loadStatus updatedTimestamp displayMetadata { key value }"
    " permissions { permission value disabledReason }"
    " locationOrLoadError { __typename"
    "  ... on RepositoryLocation { name repositories { name jobs { name } } }"
    "  ... on PythonError { message className stack cause { message } causes { message }"
    "   errorChain { isExplicitLink } } }";

static json_t *workspace_query(bool read_only) {
  char q[1024];
  snprintf(q, sizeof q,
           "{ workspaceOrError { __typename ... on Workspace { id locationEntries { %s } } } }",
           entry_fields);
  return run(q, read_only);
}

static void assert_permissions(json_t *perms, bool granted) {
  /* Dagster's location-scoped permissions, in its order. */
  assert_int_equal(json_array_size(perms), 17);
  assert_string_equal(str_at(perms, "0.permission"), "launch_pipeline_execution");
  assert_string_equal(str_at(perms, "10.permission"), "reload_repository_location");
  assert_string_equal(str_at(perms, "16.permission"), "edit_app_managed_components");
  for (size_t i = 0; i < json_array_size(perms); i++) {
    json_t *p = json_array_get(perms, i);
    assert_true(json_is_boolean(at(p, "value")));
    assert_int_equal(json_is_true(at(p, "value")), granted);
    if (granted)
      assert_true(json_is_null(at(p, "disabledReason")));
    else
      assert_string_equal(str_at(p, "disabledReason"), "Disabled by your administrator");
  }
}

static void test_workspace_entries(void **state) {
  (void)state;
  double before = (double)time(NULL);
  json_t *r = workspace_query(false);
  json_t *w = at(r, "data.workspaceOrError");
  assert_string_equal(str_at(w, "__typename"), "Workspace");
  assert_string_equal(str_at(w, "id"), "Workspace");
  assert_int_equal(len_at(w, "locationEntries"), 3);
  const char *const names[] = {"alpha", "beta_loc", "broken"};
  for (size_t i = 0; i < 3; i++) {
    json_t *e = json_array_get(at(w, "locationEntries"), i);
    assert_string_equal(str_at(e, "__typename"), "WorkspaceLocationEntry");
    assert_string_equal(str_at(e, "id"), names[i]);
    assert_string_equal(str_at(e, "name"), names[i]);
    assert_string_equal(str_at(e, "loadStatus"), "LOADED");
    /* Set when the workspace was handed over, moments ago. */
    double t = json_number_value(at(e, "updatedTimestamp"));
    assert_true(t > before - 60 && t < before + 60);
    assert_permissions(at(e, "permissions"), true);
    assert_string_equal(str_at(e, "displayMetadata.0.value"), location(names[i])->path);
  }
  json_t *alpha = at(w, "locationEntries.0.locationOrLoadError");
  assert_string_equal(str_at(alpha, "__typename"), "RepositoryLocation");
  assert_string_equal(str_at(alpha, "repositories.0.name"), "alpha_repo");

  /* The failed location: its load error as a PythonError, and only its
   * definitions file as metadata (it never loaded). */
  json_t *broken = at(w, "locationEntries.2");
  json_t *err = at(broken, "locationOrLoadError");
  assert_string_equal(str_at(err, "__typename"), "PythonError");
  assert_non_null(location("broken")->error);
  assert_string_equal(str_at(err, "message"), location("broken")->error);
  assert_non_null(strstr(str_at(err, "message"), "broken.yaml:3:"));
  assert_string_equal(str_at(err, "className"), "dagd");
  assert_int_equal(len_at(err, "stack"), 0);
  assert_true(json_is_null(at(err, "cause")));
  assert_int_equal(len_at(err, "causes"), 0);
  assert_int_equal(len_at(err, "errorChain"), 0);
  assert_int_equal(len_at(broken, "displayMetadata"), 1);
  json_decref(r);
}

static void test_location_statuses(void **state) {
  (void)state;
  const char *q = "{ locationStatusesOrError { __typename ... on WorkspaceLocationStatusEntries {"
                  " entries { id name loadStatus updateTimestamp"
                  " permissions { permission value disabledReason } } } } }";
  json_t *r = run(q, false);
  json_t *s = at(r, "data.locationStatusesOrError");
  assert_string_equal(str_at(s, "__typename"), "WorkspaceLocationStatusEntries");
  assert_int_equal(len_at(s, "entries"), 3);
  assert_string_equal(str_at(s, "entries.0.id"), "location_status:alpha");
  assert_string_equal(str_at(s, "entries.0.name"), "alpha");
  assert_string_equal(str_at(s, "entries.2.id"), "location_status:broken");
  assert_string_equal(str_at(s, "entries.2.loadStatus"), "LOADED");
  assert_true(json_number_value(at(s, "entries.1.updateTimestamp")) > 0);
  assert_permissions(at(s, "entries.1.permissions"), true);
  json_decref(r);

  /* Read-only: every permission refused, with Dagster's reason. */
  r = run(q, true);
  assert_permissions(at(r, "data.locationStatusesOrError.entries.0.permissions"), false);
  json_decref(r);
}

static void test_location_entry_by_name(void **state) {
  (void)state;
  json_t *r = run("{ workspaceLocationEntryOrError(name: \"beta_loc\") { __typename"
                  " ... on WorkspaceLocationEntry { name locationOrLoadError {"
                  " ... on RepositoryLocation { repositories { name } } } } } }",
                  false);
  assert_string_equal(str_at(r, "data.workspaceLocationEntryOrError.__typename"),
                      "WorkspaceLocationEntry");
  assert_string_equal(str_at(r, "data.workspaceLocationEntryOrError.locationOrLoadError"
                                ".repositories.0.name"),
                      "__repository__");
  json_decref(r);

  /* An unknown name is null, as Dagster answers it. */
  r = run("{ workspaceLocationEntryOrError(name: \"nope\") { __typename } }", false);
  assert_true(json_is_null(at(r, "data.workspaceLocationEntryOrError")));
  json_decref(r);
}

/* ---- reloads ------------------------------------------------------------ */

static json_t *reload(const char *name, bool read_only) {
  char q[1024];
  snprintf(q, sizeof q,
           "mutation { reloadRepositoryLocation(repositoryLocationName: \"%s\") { __typename"
           " ... on Error { message } ... on WorkspaceLocationEntry { %s } } }",
           name, entry_fields);
  return run(q, read_only);
}

static size_t job_count(const char *location_name) {
  json_t *r = run(repositories_query, false);
  json_t *nodes = at(r, "data.repositoriesOrError.nodes");
  size_t n = 0;
  bool found = false;
  for (size_t i = 0; i < json_array_size(nodes); i++) {
    json_t *node = json_array_get(nodes, i);
    if (strcmp(str_at(node, "location.name"), location_name) == 0) {
      n = len_at(node, "jobs");
      found = true;
    }
  }
  json_decref(r);
  assert_true(found);
  return n;
}

static void test_reload_after_good_edit(void **state) {
  (void)state;
  json_t *r = workspace_query(false);
  double before =
      json_number_value(at(r, "data.workspaceOrError.locationEntries.0.updatedTimestamp"));
  json_decref(r);

  char text[4096];
  snprintf(text, sizeof text, "%s  added_job:\n    ops:\n      unused:\n",
           read_fixture("alpha.yaml"));
  write_file("alpha.yaml", text);
  r = reload("alpha", false);
  json_t *e = at(r, "data.reloadRepositoryLocation");
  assert_string_equal(str_at(e, "__typename"), "WorkspaceLocationEntry");
  assert_string_equal(str_at(e, "name"), "alpha");
  assert_string_equal(str_at(e, "locationOrLoadError.__typename"), "RepositoryLocation");
  json_t *jobs = at(e, "locationOrLoadError.repositories.0.jobs");
  assert_int_equal(json_array_size(jobs), 4);
  assert_string_equal(str_at(jobs, "0.name"), "added_job");
  assert_true(json_number_value(at(e, "updatedTimestamp")) >= before);
  json_decref(r);
  /* Later requests see the new job too. */
  assert_int_equal(job_count("alpha"), 4);
}

static void test_reload_after_bad_edit(void **state) {
  (void)state;
  write_file("alpha.yaml", "repository: alpha_repo\nops:\n  z: {command: true}\n");
  json_t *r = reload("alpha", false);
  json_t *e = at(r, "data.reloadRepositoryLocation");
  assert_string_equal(str_at(e, "__typename"), "WorkspaceLocationEntry");
  json_t *err = at(e, "locationOrLoadError");
  assert_string_equal(str_at(err, "__typename"), "PythonError");
  assert_string_equal(str_at(err, "message"), location("alpha")->error);
  assert_non_null(strstr(str_at(err, "message"), "alpha.yaml:3:"));
  json_decref(r);

  /* The definitions that loaded before keep serving. */
  assert_int_equal(job_count("alpha"), 3);
  r = run("{ repositoryOrError(repositorySelector: {repositoryLocationName: \"alpha\","
          " repositoryName: \"alpha_repo\"}) { __typename } }",
          false);
  assert_string_equal(str_at(r, "data.repositoryOrError.__typename"), "Repository");
  json_decref(r);

  /* Fixing the file clears the error. */
  write_file("alpha.yaml", read_fixture("alpha.yaml"));
  r = reload("alpha", false);
  assert_string_equal(str_at(r, "data.reloadRepositoryLocation.locationOrLoadError.__typename"),
                      "RepositoryLocation");
  json_decref(r);
}

static void test_reload_workspace(void **state) {
  (void)state;
  write_file("broken.yaml", "repository: mended\nops:\n  z: {command: [\"true\"]}\n");
  char q[1024];
  snprintf(
      q, sizeof q,
      "mutation { reloadWorkspace { __typename ... on Workspace { id locationEntries { %s } } } }",
      entry_fields);
  json_t *r = run(q, false);
  json_t *w = at(r, "data.reloadWorkspace");
  assert_string_equal(str_at(w, "__typename"), "Workspace");
  assert_int_equal(len_at(w, "locationEntries"), 3);
  for (size_t i = 0; i < 3; i++)
    assert_string_equal(
        str_at(json_array_get(at(w, "locationEntries"), i), "locationOrLoadError.__typename"),
        "RepositoryLocation");
  assert_string_equal(str_at(w, "locationEntries.2.locationOrLoadError.repositories.0.name"),
                      "mended");
  json_decref(r);

  r = run(repositories_query, false);
  assert_int_equal(len_at(r, "data.repositoriesOrError.nodes"), 3);
  json_decref(r);
}

static void test_read_only_refuses_mutations(void **state) {
  (void)state;
  char text[4096];
  snprintf(text, sizeof text, "%s  added_job:\n    ops:\n      unused:\n",
           read_fixture("alpha.yaml"));
  write_file("alpha.yaml", text);
  const char *const mutations[] = {
      "mutation { m: reloadRepositoryLocation(repositoryLocationName: \"alpha\") {"
      " __typename ... on Error { message } } }",
      /* Refused before the name is looked at, as Dagster's permission check. */
      "mutation { m: reloadRepositoryLocation(repositoryLocationName: \"nope\") {"
      " __typename ... on Error { message } } }",
      "mutation { m: reloadWorkspace { __typename ... on Error { message } } }",
      "mutation { m: shutdownRepositoryLocation(repositoryLocationName: \"alpha\") {"
      " __typename ... on Error { message } } }",
  };
  for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
    json_t *r = run(mutations[i], true);
    assert_string_equal(str_at(r, "data.m.__typename"), "UnauthorizedError");
    assert_string_equal(str_at(r, "data.m.message"), "Authorization failed");
    json_decref(r);
  }
  /* Nothing was reloaded. */
  assert_int_equal(job_count("alpha"), 3);
}

static void test_unknown_location(void **state) {
  (void)state;
  json_t *r = reload("nope", false);
  assert_string_equal(str_at(r, "data.reloadRepositoryLocation.__typename"),
                      "RepositoryLocationNotFound");
  assert_string_equal(str_at(r, "data.reloadRepositoryLocation.message"),
                      "Location nope does not exist.");
  json_decref(r);

  r = run("mutation { shutdownRepositoryLocation(repositoryLocationName: \"nope\") {"
          " __typename ... on Error { message } } }",
          false);
  assert_string_equal(str_at(r, "data.shutdownRepositoryLocation.__typename"),
                      "RepositoryLocationNotFound");
  assert_string_equal(str_at(r, "data.shutdownRepositoryLocation.message"),
                      "Location nope does not exist.");
  json_decref(r);
}

static void test_shutdown_is_not_supported(void **state) {
  (void)state;
  json_t *r = run("mutation { shutdownRepositoryLocation(repositoryLocationName: \"alpha\") {"
                  " __typename ... on PythonError { message } } }",
                  false);
  assert_string_equal(str_at(r, "data.shutdownRepositoryLocation.__typename"), "PythonError");
  assert_string_equal(str_at(r, "data.shutdownRepositoryLocation.message"),
                      "Location alpha does not support shutting down via GraphQL");
  json_decref(r);
  /* The location still serves. */
  assert_int_equal(job_count("alpha"), 3);
}

/* Requests keep the definitions they started with while reloads swap them
 * (under ASan, a definition freed too early would be caught here). */
static void *reload_repeatedly(void *arg) {
  (void)arg;
  for (int i = 0; i < 40; i++) {
    json_t *r = reload("alpha", false);
    json_decref(r);
  }
  return NULL;
}

static void test_reload_while_reading(void **state) {
  (void)state;
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, reload_repeatedly, NULL), 0);
  for (int i = 0; i < 40; i++)
    assert_int_equal(job_count("alpha"), 3);
  pthread_join(t, NULL);
}

/* ---- used ops ----------------------------------------------------------- */

static void test_used_solids(void **state) {
  (void)state;
  json_t *r = run("{ repositoryOrError(repositorySelector: {repositoryLocationName: \"alpha\","
                  " repositoryName: \"alpha_repo\"}) { ... on Repository {"
                  " usedSolids { definition { __typename name }"
                  "  invocations { pipeline { name } solidHandle { handleID } } }"
                  " load: usedSolid(name: \"load\") { definition { name } invocations {"
                  "  pipeline { name } } }"
                  " unused: usedSolid(name: \"unused\") { definition { name } }"
                  " nope: usedSolid(name: \"nope\") { definition { name } } } } }",
                  false);
  json_t *repo = at(r, "data.repositoryOrError");
  /* Ops and graphs by name; an op no job uses is not listed. */
  json_t *used = at(repo, "usedSolids");
  assert_int_equal(json_array_size(used), 3);
  assert_string_equal(str_at(used, "0.definition.__typename"), "SolidDefinition");
  assert_string_equal(str_at(used, "0.definition.name"), "extract");
  assert_string_equal(str_at(used, "1.definition.name"), "load");
  assert_string_equal(str_at(used, "2.definition.__typename"), "CompositeSolidDefinition");
  assert_string_equal(str_at(used, "2.definition.name"), "wrapped");
  /* Invocations at any depth, sorted by handle id: inside the graph node
   * of `nested`, then `zeta_job`'s, then the aliases of `etl`. */
  json_t *inv = at(used, "0.invocations");
  assert_int_equal(json_array_size(inv), 4);
  const char *const expected[][2] = {
      {"nested", "box.inner"}, {"zeta_job", "extract"}, {"etl", "first"}, {"etl", "second"}};
  for (size_t i = 0; i < 4; i++) {
    json_t *site = json_array_get(inv, i);
    assert_string_equal(str_at(site, "pipeline.name"), expected[i][0]);
    assert_string_equal(str_at(site, "solidHandle.handleID"), expected[i][1]);
  }
  /* The same handle id in two jobs: jobs by name. */
  assert_string_equal(str_at(used, "1.invocations.0.pipeline.name"), "etl");
  assert_string_equal(str_at(used, "1.invocations.1.pipeline.name"), "zeta_job");
  assert_int_equal(len_at(used, "2.invocations"), 1);
  assert_string_equal(str_at(used, "2.invocations.0.solidHandle.handleID"), "box");

  assert_string_equal(str_at(repo, "load.definition.name"), "load");
  assert_int_equal(len_at(repo, "load.invocations"), 2);
  assert_true(json_is_null(at(repo, "unused")));
  assert_true(json_is_null(at(repo, "nope")));
  json_decref(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_repositories_of_loaded_locations, setup, teardown),
      cmocka_unit_test_setup_teardown(test_repositories_by_selector, setup, teardown),
      cmocka_unit_test_setup_teardown(test_repository_or_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_workspace_entries, setup, teardown),
      cmocka_unit_test_setup_teardown(test_location_statuses, setup, teardown),
      cmocka_unit_test_setup_teardown(test_location_entry_by_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reload_after_good_edit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reload_after_bad_edit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reload_workspace, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reload_while_reading, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_only_refuses_mutations, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_location, setup, teardown),
      cmocka_unit_test_setup_teardown(test_shutdown_is_not_supported, setup, teardown),
      cmocka_unit_test_setup_teardown(test_used_solids, setup, teardown),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
