/* test_rules_directives.c — KnownDirectives and UniqueDirectivesPerLocation
 * (src/graphql/validation/rules_directives.c). Every expected message and
 * location is graphql-js 16's for the same document and schema. */

#include "validation_harness.h"

static void known_no_directives(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_directives, "query Foo {\n"
                                                "  name\n"
                                                "  ...Frag\n"
                                                "}\n"
                                                "fragment Frag on Dog {\n"
                                                "  name\n"
                                                "}");
}

static void known_standard_directives(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_directives, "{\n"
                                                "  dog {\n"
                                                "    name @include(if: true)\n"
                                                "  }\n"
                                                "  human @skip(if: false) {\n"
                                                "    name\n"
                                                "  }\n"
                                                "}");
}

static void known_unknown_directive(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_directives,
                     "{\n"
                     "  dog @unknown(directive: \"value\") {\n"
                     "    name\n"
                     "  }\n"
                     "}",
                     "Unknown directive \"@unknown\".@2:7");
}

static void known_many_unknown(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_directives,
                     "{\n"
                     "  __typename @unknown\n"
                     "  human @unknown {\n"
                     "    name\n"
                     "    pets @unknown {\n"
                     "      name\n"
                     "    }\n"
                     "  }\n"
                     "}",
                     "Unknown directive \"@unknown\".@2:14", "Unknown directive \"@unknown\".@3:9",
                     "Unknown directive \"@unknown\".@5:10");
}

static void known_well_placed(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_directives,
                    "query ($var: Boolean @onVariableDefinition) @onQuery {\n"
                    "  human @onField {\n"
                    "    ...Frag @onFragmentSpread\n"
                    "    ... @onInlineFragment {\n"
                    "      name @onField\n"
                    "    }\n"
                    "  }\n"
                    "}\n"
                    "mutation @onMutation {\n"
                    "  someField @onField\n"
                    "}\n"
                    "subscription @onSubscription {\n"
                    "  someField @onField\n"
                    "}\n"
                    "fragment Frag on Human @onFragmentDefinition {\n"
                    "  name @onField\n"
                    "}");
}

static void known_misplaced(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_directives,
                     "query ($var: Boolean @onQuery) @onMutation {\n"
                     "  human @onQuery {\n"
                     "    ...Frag @onQuery\n"
                     "    ... @onQuery {\n"
                     "      name @onQuery\n"
                     "    }\n"
                     "  }\n"
                     "}\n"
                     "mutation @onQuery {\n"
                     "  someField @onQuery\n"
                     "}\n"
                     "subscription @onQuery {\n"
                     "  someField @onQuery\n"
                     "}\n"
                     "fragment Frag on Human @onQuery {\n"
                     "  name @onQuery\n"
                     "}",
                     "Directive \"@onQuery\" may not be used on VARIABLE_DEFINITION.@1:22",
                     "Directive \"@onMutation\" may not be used on QUERY.@1:32",
                     "Directive \"@onQuery\" may not be used on FIELD.@2:9",
                     "Directive \"@onQuery\" may not be used on FRAGMENT_SPREAD.@3:13",
                     "Directive \"@onQuery\" may not be used on INLINE_FRAGMENT.@4:9",
                     "Directive \"@onQuery\" may not be used on FIELD.@5:12",
                     "Directive \"@onQuery\" may not be used on MUTATION.@9:10",
                     "Directive \"@onQuery\" may not be used on FIELD.@10:13",
                     "Directive \"@onQuery\" may not be used on SUBSCRIPTION.@12:14",
                     "Directive \"@onQuery\" may not be used on FIELD.@13:13",
                     "Directive \"@onQuery\" may not be used on FRAGMENT_DEFINITION.@15:24",
                     "Directive \"@onQuery\" may not be used on FIELD.@16:8");
}

static void known_skip_on_query(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_directives,
                     "query Q @skip(if: true) {\n"
                     "  dog { name }\n"
                     "}",
                     "Directive \"@skip\" may not be used on QUERY.@1:9");
}

static void known_document_defined_directive(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_directives,
                     "directive @local on FIELD\n"
                     "{\n"
                     "  dog @local { name @local }\n"
                     "  cat @local @onQuery { name }\n"
                     "}",
                     "Directive \"@onQuery\" may not be used on FIELD.@4:14");
}

/* DIRECTIVE_DEFINITION is a location name like the others (graphql-js
 * 16.15 parses no directives on directive definitions, so it is never the
 * location of a use in a document). */
static void known_directive_definition_location(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_directives,
                     "directive @onDef on DIRECTIVE_DEFINITION\n"
                     "directive @both on DIRECTIVE_DEFINITION | FIELD\n"
                     "{ dog @onDef { name @both } }",
                     "Directive \"@onDef\" may not be used on FIELD.@3:7");
}

static void unique_no_directives(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_directives_per_location, "fragment Test on Type {\n"
                                                              "  field\n"
                                                              "}");
}

static void unique_distinct_directives(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_directives_per_location,
                    "fragment Test on Type @directiveA @directiveB {\n"
                    "  field @directiveA @directiveB\n"
                    "}");
}

static void unique_same_directive_in_different_locations(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_directives_per_location,
                    "fragment Test on Type @onFragmentDefinition {\n"
                    "  field @onField\n"
                    "  other @onField\n"
                    "}");
}

static void unique_repeatable_allowed(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_directives_per_location,
                    "{\n"
                    "  dog @repeatable @repeatable @repeatable { name }\n"
                    "}");
}

static void unique_unknown_directives_not_counted(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_directives_per_location, "{\n"
                                                              "  dog @unknown @unknown { name }\n"
                                                              "}");
}

static void unique_duplicate_on_field(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_directives_per_location,
                     "fragment Test on Type {\n"
                     "  field @onField @onField\n"
                     "}",
                     "The directive \"@onField\" can only be used once at this location.@2:9@2:18");
}

static void unique_many_duplicates(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_directives_per_location,
                     "fragment Test on Type {\n"
                     "  field @skip(if: true) @skip(if: false) @skip(if: true)\n"
                     "}",
                     "The directive \"@skip\" can only be used once at this location.@2:9@2:25",
                     "The directive \"@skip\" can only be used once at this location.@2:9@2:42");
}

static void unique_different_duplicates(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_unique_directives_per_location,
      "fragment Test on Type {\n"
      "  field @include(if: true) @skip(if: true) @include(if: false) @skip(if: false)\n"
      "}",
      "The directive \"@include\" can only be used once at this location.@2:9@2:44",
      "The directive \"@skip\" can only be used once at this location.@2:28@2:64");
}

static void unique_every_location(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_unique_directives_per_location,
      "query ($v: Int @onVariableDefinition @onVariableDefinition) @onQuery @onQuery {\n"
      "  ...F @onFragmentSpread @onFragmentSpread\n"
      "  ... @onInlineFragment @onInlineFragment { a }\n"
      "}\n"
      "fragment F on Q @onFragmentDefinition @onFragmentDefinition { a }",
      "The directive \"@onQuery\" can only be used once at this location.@1:61@1:70",
      "The directive \"@onVariableDefinition\" can only be used once at this location.@1:16@1:38",
      "The directive \"@onFragmentSpread\" can only be used once at this location.@2:8@2:26",
      "The directive \"@onInlineFragment\" can only be used once at this location.@3:7@3:25",
      "The directive \"@onFragmentDefinition\" can only be used once at this location.@5:17@5:39");
}

static void unique_document_defined_repeatable(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_directives_per_location,
                     "directive @rep repeatable on FIELD\n"
                     "directive @once on FIELD\n"
                     "{\n"
                     "  dog @rep @rep @once @once\n"
                     "}",
                     "The directive \"@once\" can only be used once at this location.@4:17@4:23");
}

static void unique_type_system_definitions(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_directives_per_location,
                     "type T @onField @onField {\n"
                     "  f(a: Int @onField @onField): Int @onField @onField\n"
                     "}\n"
                     "extend type T @onField\n"
                     "schema @onField { query: T }\n"
                     "extend schema @onField",
                     "The directive \"@onField\" can only be used once at this location.@1:8@1:17",
                     "The directive \"@onField\" can only be used once at this location.@2:36@2:45",
                     "The directive \"@onField\" can only be used once at this location.@2:12@2:21",
                     "The directive \"@onField\" can only be used once at this location.@1:8@4:15",
                     "The directive \"@onField\" can only be used once at this location.@5:8@6:15");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_no_directives),
      cmocka_unit_test(known_standard_directives),
      cmocka_unit_test(known_unknown_directive),
      cmocka_unit_test(known_many_unknown),
      cmocka_unit_test(known_well_placed),
      cmocka_unit_test(known_misplaced),
      cmocka_unit_test(known_skip_on_query),
      cmocka_unit_test(known_document_defined_directive),
      cmocka_unit_test(known_directive_definition_location),
      cmocka_unit_test(unique_no_directives),
      cmocka_unit_test(unique_distinct_directives),
      cmocka_unit_test(unique_same_directive_in_different_locations),
      cmocka_unit_test(unique_repeatable_allowed),
      cmocka_unit_test(unique_unknown_directives_not_counted),
      cmocka_unit_test(unique_duplicate_on_field),
      cmocka_unit_test(unique_many_duplicates),
      cmocka_unit_test(unique_different_duplicates),
      cmocka_unit_test(unique_every_location),
      cmocka_unit_test(unique_document_defined_repeatable),
      cmocka_unit_test(unique_type_system_definitions),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
