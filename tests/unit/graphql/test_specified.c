/* test_specified.c — unit tests for src/graphql/specified.c: the scalars
 * and introspection types the specification defines, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "graphql/specified.h"

static void test_specified_type_names(void **state) {
  (void)state;
  assert_int_equal(gql_n_specified_type_names, 13);
  assert_string_equal(gql_specified_type_names[0], "String");
  assert_string_equal(gql_specified_type_names[12], "__DirectiveLocation");
  static const char *const yes[] = {"String",  "Int",          "Float",       "Boolean",
                                    "ID",      "__Type",       "__Schema",    "__TypeKind",
                                    "__Field", "__InputValue", "__EnumValue", "__Directive"};
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    assert_true(gql_is_specified_type_name(yes[i]));
  static const char *const no[] = {"string", "Query", "__type", "JSON", "", "IDs", "__Foo"};
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    assert_false(gql_is_specified_type_name(no[i]));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_specified_type_names),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
