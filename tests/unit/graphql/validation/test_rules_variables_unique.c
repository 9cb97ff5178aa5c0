/* test_rules_variables_unique.c — tests of rules_variables_unique.c
 * (UniqueVariableNames), checked alone against the harness schema. The
 * expected messages and locations are graphql-js 16's for the same
 * documents. */
#include "validation_harness.h"

static void unique_variable_names_valid(void **state) {
  (void)state;
  expect_rule_valid(
      &gql_rule_unique_variable_names,
      "query A($x: Int, $y: String) { __typename } query B($x: String, $y: Int) { __typename }");
  expect_rule_valid(&gql_rule_unique_variable_names, "{ __typename }");
  expect_rule_valid(&gql_rule_unique_variable_names, "query ($x: Int) { __typename }");
}

static void unique_variable_names_invalid(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_variable_names,
                     "query A($x: Int, $x: Int, $x: String) { __typename }\nquery B($x: String, "
                     "$x: Int) { __typename }\nquery C($x: Int, $x: Int) { __typename }",
                     "There can be only one variable named \"$x\".@1:10@1:19@1:28",
                     "There can be only one variable named \"$x\".@2:10@2:22",
                     "There can be only one variable named \"$x\".@3:10@3:19");
  expect_rule_errors(
      &gql_rule_unique_variable_names,
      "query ($a: Int, $b: Int, $a: String, $c: Int, $b: Boolean, $a: ID) { __typename }",
      "There can be only one variable named \"$a\".@1:9@1:27@1:61",
      "There can be only one variable named \"$b\".@1:18@1:48");
  expect_rule_errors(&gql_rule_unique_variable_names,
                     "query (\n  $a: Int\n  $a: Int\n) { __typename }",
                     "There can be only one variable named \"$a\".@2:4@3:4");
}

/* "$ name" (a space after '$') is located at the name. */
static void unique_variable_names_spaced(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_variable_names, "query ($ a: Int, $a: Int) { __typename }",
                     "There can be only one variable named \"$a\".@1:10@1:19");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unique_variable_names_valid),
      cmocka_unit_test(unique_variable_names_invalid),
      cmocka_unit_test(unique_variable_names_spaced),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
