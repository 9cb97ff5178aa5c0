/* test_api.c — the served schema as a whole: it builds from the embedded
 * SDL, every field of every object type has a resolver (no field is
 * served without one), and the root `version` field answers. */
#include "base/version.h"
#include "harness.h"

static void test_every_field_has_a_resolver(void **state) {
  (void)state;
  char err[256];
  gql_schema *s = api_schema_new(NULL, err, sizeof err);
  assert_non_null(s);
  size_t objects = 0;
  for (size_t i = 0; i < s->n_types; i++) {
    const gql_type *t = s->types[i];
    if (t->kind != GQL_KIND_OBJECT || t->builtin)
      continue;
    objects++;
    for (size_t f = 0; f < t->n_fields; f++) {
      if (!t->fields[f].resolve)
        fail_msg("%s.%s has no resolver", t->name, t->fields[f].name);
    }
  }
  /* Dagster's types, not a handful: the SDL really is the API's. */
  assert_true(objects > 70);
  gql_schema_free(s);
}

static void test_version_answers(void **state) {
  (void)state;
  assert_int_equal(harness_open(NULL), 0);
  workspace = api_workspace_new(NULL);
  char *text = harness_query("{ version __typename }", NULL, false, NULL);
  assert_string_equal(text,
                      "{\"data\":{\"version\":\"" DAGD_VERSION "\",\"__typename\":\"Query\"}}");
  free(text);
  harness_close();
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_field_has_a_resolver),
      cmocka_unit_test(test_version_answers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
