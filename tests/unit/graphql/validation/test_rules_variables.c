/* test_rules_variables.c — NoUndefinedVariables, NoUnusedVariables and
 * VariablesInAllowedPosition (src/graphql/validation/rules_variables.c).
 * Every expected message and location is graphql-js 16's for the same
 * document and schema. */

#include "validation_harness.h"

static void undefined_all_defined(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_no_undefined_variables,
                    "query Foo($a: String, $b: String, $c: String) {\n"
                    "  field(a: $a, b: $b, c: $c)\n"
                    "}");
}

static void undefined_through_fragments(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_no_undefined_variables, "query Foo($a: String, $b: String) {\n"
                                                      "  ...FragA\n"
                                                      "}\n"
                                                      "fragment FragA on Type {\n"
                                                      "  field(a: $a) { ...FragB }\n"
                                                      "}\n"
                                                      "fragment FragB on Type {\n"
                                                      "  field(b: $b) { ...FragA }\n"
                                                      "}");
}

static void undefined_in_named_operation(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_undefined_variables,
                     "query Foo($a: String, $b: String) {\n"
                     "  field(a: $a, b: $b, c: $c, d: $d)\n"
                     "}",
                     "Variable \"$c\" is not defined by operation \"Foo\".@2:26@1:1",
                     "Variable \"$d\" is not defined by operation \"Foo\".@2:33@1:1");
}

static void undefined_in_anonymous_operation(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_undefined_variables,
                     "{\n"
                     "  field(a: $a) @dir(b: $a)\n"
                     "}",
                     "Variable \"$a\" is not defined.@2:12@1:1",
                     "Variable \"$a\" is not defined.@2:24@1:1");
}

static void undefined_in_fragment_per_operation(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_undefined_variables,
                     "query Foo($a: String) {\n"
                     "  ...FragAB\n"
                     "}\n"
                     "query Bar($b: String) {\n"
                     "  ...FragAB\n"
                     "}\n"
                     "fragment FragAB on Type {\n"
                     "  field(a: $a, b: $b)\n"
                     "}",
                     "Variable \"$b\" is not defined by operation \"Foo\".@8:19@1:1",
                     "Variable \"$a\" is not defined by operation \"Bar\".@8:12@4:1");
}

static void undefined_in_nested_values(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_undefined_variables,
                     "query Foo {\n"
                     "  field(list: [$x, 1], obj: {a: {b: $y}})\n"
                     "}",
                     "Variable \"$x\" is not defined by operation \"Foo\".@2:16@1:1",
                     "Variable \"$y\" is not defined by operation \"Foo\".@2:37@1:1");
}

static void undefined_in_operation_directive(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_undefined_variables,
                     "query Foo($a: Boolean) @dir(if: $a, b: $b) {\n"
                     "  field\n"
                     "}",
                     "Variable \"$b\" is not defined by operation \"Foo\".@1:40@1:1");
}

static void unused_all_used(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_no_unused_variables, "query ($a: String, $b: String, $c: String) {\n"
                                                   "  field(a: $a, b: $b, c: $c)\n"
                                                   "}");
}

static void unused_all_used_through_fragment_cycle(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_no_unused_variables, "query Foo($a: String, $b: String) {\n"
                                                   "  ...FragA\n"
                                                   "}\n"
                                                   "fragment FragA on Type {\n"
                                                   "  field(a: $a) { ...FragB }\n"
                                                   "}\n"
                                                   "fragment FragB on Type {\n"
                                                   "  field(b: $b) { ...FragA }\n"
                                                   "}");
}

static void unused_anonymous(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_unused_variables,
                     "query ($a: String, $b: String, $c: String) {\n"
                     "  field(a: $a, b: $b)\n"
                     "}",
                     "Variable \"$c\" is never used.@1:32");
}

static void unused_named_many(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_unused_variables,
                     "query Foo($a: String, $b: String, $c: String) {\n"
                     "  field(b: $b)\n"
                     "}",
                     "Variable \"$a\" is never used in operation \"Foo\".@1:11",
                     "Variable \"$c\" is never used in operation \"Foo\".@1:35");
}

static void unused_per_operation(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_unused_variables,
                     "query Foo($b: String) {\n"
                     "  ...FragA\n"
                     "}\n"
                     "query Bar($a: String) {\n"
                     "  ...FragB\n"
                     "}\n"
                     "fragment FragA on Type {\n"
                     "  field(a: $a)\n"
                     "}\n"
                     "fragment FragB on Type {\n"
                     "  field(b: $b)\n"
                     "}",
                     "Variable \"$b\" is never used in operation \"Foo\".@1:11",
                     "Variable \"$a\" is never used in operation \"Bar\".@4:11");
}

static void unused_used_in_directive(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_unused_variables,
                     "query Foo($a: Boolean, $b: Int) @dir(if: $a) {\n"
                     "  field\n"
                     "}",
                     "Variable \"$b\" is never used in operation \"Foo\".@1:24");
}

static void allowed_same_types(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($booleanArg: Boolean, $intArg: Int!, $stringListVar: [String]) {\n"
                    "  complicatedArgs {\n"
                    "    booleanArgField(booleanArg: $booleanArg)\n"
                    "    nonNullIntArgField(nonNullIntArg: $intArg)\n"
                    "    stringListArgField(stringListArg: $stringListVar)\n"
                    "  }\n"
                    "}");
}

static void allowed_non_null_into_nullable(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($nonNullBooleanArg: Boolean!, $s: [String!]!) {\n"
                    "  complicatedArgs {\n"
                    "    booleanArgField(booleanArg: $nonNullBooleanArg)\n"
                    "    stringListArgField(stringListArg: $s)\n"
                    "  }\n"
                    "}");
}

static void allowed_item_in_list(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($stringVar: String) {\n"
                    "  complicatedArgs {\n"
                    "    stringListArgField(stringListArg: [$stringVar])\n"
                    "  }\n"
                    "}");
}

static void allowed_in_input_object_field(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($boolVar: Boolean = false) {\n"
                    "  complicatedArgs {\n"
                    "    complexArgField(complexArg: {requiredField: $boolVar})\n"
                    "  }\n"
                    "}");
}

static void allowed_with_nonnull_default(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($intVar: Int = 1) {\n"
                    "  complicatedArgs {\n"
                    "    nonNullIntArgField(nonNullIntArg: $intVar)\n"
                    "  }\n"
                    "}");
}

static void allowed_position_with_default(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($intVar: Int) {\n"
                    "  complicatedArgs {\n"
                    "    nonNullFieldWithDefault(arg: $intVar)\n"
                    "  }\n"
                    "}");
}

static void allowed_directive_non_null(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position, "query Query($boolVar: Boolean!) {\n"
                                                             "  dog @include(if: $boolVar)\n"
                                                             "}");
}

static void disallowed_nullable_into_non_null(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_variables_in_allowed_position,
      "query Query($intArg: Int) {\n"
      "  complicatedArgs {\n"
      "    nonNullIntArgField(nonNullIntArg: $intArg)\n"
      "  }\n"
      "}",
      "Variable \"$intArg\" of type \"Int\" used in position expecting type \"Int!\".@1:13@3:39");
}

static void disallowed_null_default_does_not_help(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_variables_in_allowed_position,
      "query Query($intVar: Int = null) {\n"
      "  complicatedArgs {\n"
      "    nonNullIntArgField(nonNullIntArg: $intVar)\n"
      "  }\n"
      "}",
      "Variable \"$intVar\" of type \"Int\" used in position expecting type \"Int!\".@1:13@3:39");
}

static void disallowed_through_fragments(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_variables_in_allowed_position,
      "fragment outerFrag on ComplicatedArgs {\n"
      "  ...nonNullIntArgFieldFrag\n"
      "}\n"
      "fragment nonNullIntArgFieldFrag on ComplicatedArgs {\n"
      "  nonNullIntArgField(nonNullIntArg: $intArg)\n"
      "}\n"
      "query Query($intArg: Int) {\n"
      "  complicatedArgs {\n"
      "    ...outerFrag\n"
      "  }\n"
      "}",
      "Variable \"$intArg\" of type \"Int\" used in position expecting type \"Int!\".@7:13@5:37");
}

static void disallowed_wrong_type(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_variables_in_allowed_position,
                     "query Query($stringVar: String) {\n"
                     "  complicatedArgs {\n"
                     "    stringListArgField(stringListArg: $stringVar)\n"
                     "  }\n"
                     "}",
                     "Variable \"$stringVar\" of type \"String\" used in position expecting type "
                     "\"[String]\".@1:13@3:39");
}

static void disallowed_list_item_nullable(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_variables_in_allowed_position,
                     "query Query($stringListVar: [String]) {\n"
                     "  complicatedArgs {\n"
                     "    stringListNonNullArgField(stringListNonNullArg: $stringListVar)\n"
                     "  }\n"
                     "}",
                     "Variable \"$stringListVar\" of type \"[String]\" used in position expecting "
                     "type \"[String!]\".@1:13@3:53");
}

static void disallowed_in_directive(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_variables_in_allowed_position,
                     "query Query($boolVar: Boolean) {\n"
                     "  dog @include(if: $boolVar)\n"
                     "}",
                     "Variable \"$boolVar\" of type \"Boolean\" used in position expecting type "
                     "\"Boolean!\".@1:13@2:20");
}

static void disallowed_list_of_list(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_variables_in_allowed_position,
                     "query Query($x: [[String]]) {\n"
                     "  complicatedArgs {\n"
                     "    stringListArgField(stringListArg: $x)\n"
                     "  }\n"
                     "}",
                     "Variable \"$x\" of type \"[[String]]\" used in position expecting type "
                     "\"[String]\".@1:13@3:39");
}

static void unknown_variable_type_ignored(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($x: Unknown) {\n"
                    "  complicatedArgs {\n"
                    "    stringListArgField(stringListArg: $x)\n"
                    "  }\n"
                    "}");
}

static void oneof_nullable_variable(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_variables_in_allowed_position,
                     "query Query($s: String) {\n"
                     "  complicatedArgs {\n"
                     "    oneOfArgField(oneOfArg: {stringField: $s})\n"
                     "  }\n"
                     "}",
                     "Variable \"$s\" is of type \"String\" but must be non-nullable to be used "
                     "for OneOf Input Object \"OneOfInput\".@1:13@3:43");
}

static void oneof_non_null_variable(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_in_allowed_position,
                    "query Query($s: String!) {\n"
                    "  complicatedArgs {\n"
                    "    oneOfArgField(oneOfArg: {stringField: $s})\n"
                    "  }\n"
                    "}");
}

static void variables_all_rules(void **state) {
  (void)state;
  expect_errors(
      "query Q($unused: Int, $i: Int) {\n"
      "  complicatedArgs {\n"
      "    nonNullIntArgField(nonNullIntArg: $i)\n"
      "    intArgField(intArg: $nope)\n"
      "  }\n"
      "}",
      "Variable \"$nope\" is not defined by operation \"Q\".@4:25@1:1",
      "Variable \"$unused\" is never used in operation \"Q\".@1:9",
      "Variable \"$i\" of type \"Int\" used in position expecting type \"Int!\".@1:23@3:39");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(undefined_all_defined),
      cmocka_unit_test(undefined_through_fragments),
      cmocka_unit_test(undefined_in_named_operation),
      cmocka_unit_test(undefined_in_anonymous_operation),
      cmocka_unit_test(undefined_in_fragment_per_operation),
      cmocka_unit_test(undefined_in_nested_values),
      cmocka_unit_test(undefined_in_operation_directive),
      cmocka_unit_test(unused_all_used),
      cmocka_unit_test(unused_all_used_through_fragment_cycle),
      cmocka_unit_test(unused_anonymous),
      cmocka_unit_test(unused_named_many),
      cmocka_unit_test(unused_per_operation),
      cmocka_unit_test(unused_used_in_directive),
      cmocka_unit_test(allowed_same_types),
      cmocka_unit_test(allowed_non_null_into_nullable),
      cmocka_unit_test(allowed_item_in_list),
      cmocka_unit_test(allowed_in_input_object_field),
      cmocka_unit_test(allowed_with_nonnull_default),
      cmocka_unit_test(allowed_position_with_default),
      cmocka_unit_test(allowed_directive_non_null),
      cmocka_unit_test(disallowed_nullable_into_non_null),
      cmocka_unit_test(disallowed_null_default_does_not_help),
      cmocka_unit_test(disallowed_through_fragments),
      cmocka_unit_test(disallowed_wrong_type),
      cmocka_unit_test(disallowed_list_item_nullable),
      cmocka_unit_test(disallowed_in_directive),
      cmocka_unit_test(disallowed_list_of_list),
      cmocka_unit_test(unknown_variable_type_ignored),
      cmocka_unit_test(oneof_nullable_variable),
      cmocka_unit_test(oneof_non_null_variable),
      cmocka_unit_test(variables_all_rules),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
