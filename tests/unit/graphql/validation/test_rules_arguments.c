/* test_rules_arguments.c — KnownArgumentNames, UniqueArgumentNames and
 * ProvidedRequiredArguments (src/graphql/validation/rules_arguments.c).
 * Every expected message and location is graphql-js 16's for the same
 * document and schema. */

#include "validation_harness.h"

static void known_single_arg(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_argument_names, "fragment argOnRequiredArg on Dog {\n"
                                                    "  doesKnowCommand(dogCommand: SIT)\n"
                                                    "}");
}

static void known_multiple_args_any_order(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_argument_names,
                    "fragment multipleArgsReverseOrder on ComplicatedArgs {\n"
                    "  multipleReqs(req2: 2, req1: 1)\n"
                    "}");
}

static void known_args_on_unknown_field_ignored(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_argument_names, "fragment argOnUnknownField on Dog {\n"
                                                    "  unknownField(unknownArg: SIT)\n"
                                                    "}");
}

static void known_directive_args(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_argument_names, "{\n"
                                                    "  dog @skip(if: true)\n"
                                                    "}");
}

static void known_field_arg_in_directive_not_confused(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_argument_names,
                     "{\n"
                     "  dog @onField(if: true)\n"
                     "  human(id: 1) @skip(id: 2, if: true) { name }\n"
                     "}",
                     "Unknown argument \"if\" on directive \"@onField\".@2:16",
                     "Unknown argument \"id\" on directive \"@skip\". Did you mean \"if\"?@3:22");
}

static void unknown_directive_arg_with_suggestion(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_argument_names,
                     "{\n"
                     "  dog @skip(iff: true)\n"
                     "}",
                     "Unknown argument \"iff\" on directive \"@skip\". Did you mean \"if\"?@2:13");
}

static void unknown_directive_unknown_args_ignored(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_argument_names, "{\n"
                                                    "  dog @unknown(a: 1)\n"
                                                    "}");
}

static void unknown_field_arg(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_argument_names,
                     "fragment invalidArgName on Dog {\n"
                     "  doesKnowCommand(unknown: true)\n"
                     "}",
                     "Unknown argument \"unknown\" on field \"Dog.doesKnowCommand\".@2:19");
}

static void unknown_field_arg_with_suggestion(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_argument_names,
                     "fragment invalidArgName on Dog {\n"
                     "  doesKnowCommand(DogCommand: true)\n"
                     "}",
                     "Unknown argument \"DogCommand\" on field \"Dog.doesKnowCommand\". Did you "
                     "mean \"dogCommand\"?@2:19");
}

static void unknown_field_arg_many_suggestions(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_argument_names,
                     "fragment oneGoodArgOneInvalidArg on ComplicatedArgs {\n"
                     "  multipleOptAndReq(opt: 1, req: 2, req1: 3)\n"
                     "}",
                     "Unknown argument \"opt\" on field \"ComplicatedArgs.multipleOptAndReq\". Did "
                     "you mean \"opt1\" or \"opt2\"?@2:21",
                     "Unknown argument \"req\" on field \"ComplicatedArgs.multipleOptAndReq\". Did "
                     "you mean \"req1\" or \"req2\"?@2:29");
}

static void unknown_args_deeply(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_known_argument_names,
      "{\n"
      "  dog {\n"
      "    doesKnowCommand(unknown: true)\n"
      "  }\n"
      "  human {\n"
      "    pets {\n"
      "      name(surnam: true)\n"
      "    }\n"
      "  }\n"
      "}",
      "Unknown argument \"unknown\" on field \"Dog.doesKnowCommand\".@3:21",
      "Unknown argument \"surnam\" on field \"Pet.name\". Did you mean \"surname\"?@7:12");
}

static void unknown_document_defined_directive_args(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_known_argument_names,
      "directive @local(flag: Boolean) on FIELD\n"
      "{\n"
      "  dog @local(flag: true, flags: false)\n"
      "}",
      "Unknown argument \"flags\" on directive \"@local\". Did you mean \"flag\"?@3:26");
}

static void unique_no_arguments(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_argument_names, "{\n"
                                                     "  field @directive\n"
                                                     "}");
}

static void unique_same_arg_on_different_nodes(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_argument_names,
                    "{\n"
                    "  one: field(arg: \"value\")\n"
                    "  two: field(arg: \"value\") @directive(arg: \"value\")\n"
                    "}");
}

static void unique_duplicate_field_args(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_argument_names,
                     "{\n"
                     "  field(arg1: \"value\", arg1: \"value\")\n"
                     "}",
                     "There can be only one argument named \"arg1\".@2:9@2:24");
}

static void unique_many_duplicates(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_unique_argument_names,
      "{\n"
      "  field(arg1: \"value\", arg2: 1, arg1: \"value\", arg2: 2, arg1: \"value\")\n"
      "}",
      "There can be only one argument named \"arg1\".@2:9@2:33@2:57",
      "There can be only one argument named \"arg2\".@2:24@2:48");
}

static void unique_duplicate_directive_args(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_argument_names,
                     "{\n"
                     "  field @directive(arg1: \"value\", arg1: \"value\", arg1: \"value\")\n"
                     "}",
                     "There can be only one argument named \"arg1\".@2:20@2:35@2:50");
}

static void required_ignores_unknown(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_provided_required_arguments,
                    "{\n"
                    "  dog {\n"
                    "    isHouseTrained(unknownArgument: true)\n"
                    "  }\n"
                    "}");
}

static void required_all_given(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_provided_required_arguments,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    multipleReqs(req1: 1, req2: 2)\n"
                    "    multipleOptAndReq(req2: 2, req1: 1, opt1: 3)\n"
                    "    nonNullFieldWithDefault\n"
                    "    multipleOpts\n"
                    "  }\n"
                    "}");
}

static void required_missing_one(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_provided_required_arguments,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    multipleReqs(req2: 2)\n"
                     "  }\n"
                     "}",
                     "Field \"multipleReqs\" argument \"req1\" of type \"Int!\" is required, but "
                     "it was not provided.@3:5");
}

static void required_missing_several(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_provided_required_arguments,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    multipleReqs\n"
                     "  }\n"
                     "}",
                     "Field \"multipleReqs\" argument \"req1\" of type \"Int!\" is required, but "
                     "it was not provided.@3:5",
                     "Field \"multipleReqs\" argument \"req2\" of type \"Int!\" is required, but "
                     "it was not provided.@3:5");
}

static void required_reported_after_inner_errors(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_provided_required_arguments,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    multipleReqs(req1: 1)\n"
                     "  }\n"
                     "  dog @include {\n"
                     "    name\n"
                     "  }\n"
                     "}",
                     "Field \"multipleReqs\" argument \"req2\" of type \"Int!\" is required, but "
                     "it was not provided.@3:5",
                     "Directive \"@include\" argument \"if\" of type \"Boolean!\" is required, but "
                     "it was not provided.@5:7");
}

static void required_directive_args(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_provided_required_arguments,
                     "{\n"
                     "  dog @skip(if: true) @include {\n"
                     "    name @withArgs(intArg: 1)\n"
                     "  }\n"
                     "}",
                     "Directive \"@include\" argument \"if\" of type \"Boolean!\" is required, but "
                     "it was not provided.@2:23",
                     "Directive \"@withArgs\" argument \"reqArg\" of type \"String!\" is required, "
                     "but it was not provided.@3:10");
}

static void required_document_defined_directive(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_provided_required_arguments,
                     "directive @local(a: Int!, b: [String!]!, c: Int! = 1) on FIELD\n"
                     "{\n"
                     "  dog @local(b: []) @local\n"
                     "}",
                     "Directive \"@local\" argument \"a\" of type \"Int!\" is required, but it was "
                     "not provided.@3:7",
                     "Directive \"@local\" argument \"a\" of type \"Int!\" is required, but it was "
                     "not provided.@3:21",
                     "Directive \"@local\" argument \"b\" of type \"[String!]!\" is required, but "
                     "it was not provided.@3:21");
}

static void arguments_all_rules(void **state) {
  (void)state;
  expect_errors("{\n"
                "  complicatedArgs {\n"
                "    multipleReqs(req1: 1, req1: 2, reqq: 3)\n"
                "  }\n"
                "}",
                "There can be only one argument named \"req1\".@3:18@3:27",
                "Unknown argument \"reqq\" on field \"ComplicatedArgs.multipleReqs\". Did you mean "
                "\"req1\" or \"req2\"?@3:36",
                "Field \"multipleReqs\" argument \"req2\" of type \"Int!\" is required, but it was "
                "not provided.@3:5");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_single_arg),
      cmocka_unit_test(known_multiple_args_any_order),
      cmocka_unit_test(known_args_on_unknown_field_ignored),
      cmocka_unit_test(known_directive_args),
      cmocka_unit_test(known_field_arg_in_directive_not_confused),
      cmocka_unit_test(unknown_directive_arg_with_suggestion),
      cmocka_unit_test(unknown_directive_unknown_args_ignored),
      cmocka_unit_test(unknown_field_arg),
      cmocka_unit_test(unknown_field_arg_with_suggestion),
      cmocka_unit_test(unknown_field_arg_many_suggestions),
      cmocka_unit_test(unknown_args_deeply),
      cmocka_unit_test(unknown_document_defined_directive_args),
      cmocka_unit_test(unique_no_arguments),
      cmocka_unit_test(unique_same_arg_on_different_nodes),
      cmocka_unit_test(unique_duplicate_field_args),
      cmocka_unit_test(unique_many_duplicates),
      cmocka_unit_test(unique_duplicate_directive_args),
      cmocka_unit_test(required_ignores_unknown),
      cmocka_unit_test(required_all_given),
      cmocka_unit_test(required_missing_one),
      cmocka_unit_test(required_missing_several),
      cmocka_unit_test(required_reported_after_inner_errors),
      cmocka_unit_test(required_directive_args),
      cmocka_unit_test(required_document_defined_directive),
      cmocka_unit_test(arguments_all_rules),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
