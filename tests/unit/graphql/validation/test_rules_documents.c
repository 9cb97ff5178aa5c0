/* test_rules_documents.c — tests of rules_documents.c: ExecutableDefinitions,
 * UniqueOperationNames, LoneAnonymousOperation and SingleFieldSubscriptions,
 * each checked alone against the harness schema. The expected messages and
 * locations are graphql-js 16's for the same documents. */
#include "validation_harness.h"

static void executable_definitions_valid(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_executable_definitions, "query Foo { dog { name } }");
  expect_rule_valid(&gql_rule_executable_definitions,
                    "query Foo { dog { name ...Frag } } fragment Frag on Dog { name }");
}

static void executable_definitions_invalid(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_executable_definitions,
      "query Foo { dog { name } }\ntype Cow { name: String }\nextend type Dog { color: String }",
      "The \"Cow\" definition is not executable.@2:1",
      "The \"Dog\" definition is not executable.@3:1");
  expect_rule_errors(
      &gql_rule_executable_definitions,
      "schema { query: QueryRoot }\ntype QueryRoot { test: String }\nextend schema @directive",
      "The schema definition is not executable.@1:1",
      "The \"QueryRoot\" definition is not executable.@2:1",
      "The schema definition is not executable.@3:1");
  expect_rule_errors(
      &gql_rule_executable_definitions,
      "query Q { dog { name } }\n\"described\" scalar Date\ndirective @d on FIELD\nunion U = "
      "Dog\nenum E { A }\ninput I { a: Int }\ninterface J { a: Int }",
      "The \"Date\" definition is not executable.@2:1",
      "The \"d\" definition is not executable.@3:1", "The \"U\" definition is not executable.@4:1",
      "The \"E\" definition is not executable.@5:1", "The \"I\" definition is not executable.@6:1",
      "The \"J\" definition is not executable.@7:1");
}

static void unique_operation_names(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_operation_names, "{ dog { name } }");
  expect_rule_valid(&gql_rule_unique_operation_names, "query Foo { dog { name } }");
  expect_rule_valid(&gql_rule_unique_operation_names,
                    "query Foo { dog { name } } query Bar { dog { name } }");
  expect_rule_valid(&gql_rule_unique_operation_names,
                    "query Foo { dog { name } } mutation Bar { renameDog(name: \"x\") { name } }");
  expect_rule_valid(&gql_rule_unique_operation_names,
                    "query Foo { dog { name } } fragment Foo on Dog { name }");
  expect_rule_errors(&gql_rule_unique_operation_names,
                     "query Foo { dog { name } }\nquery Foo { cat { name } }",
                     "There can be only one operation named \"Foo\".@1:7@2:7");
  expect_rule_errors(&gql_rule_unique_operation_names,
                     "query Foo { dog { name } }\nmutation Foo { renameDog(name: \"x\") { name } "
                     "}\nsubscription Foo { newMessage { body } }",
                     "There can be only one operation named \"Foo\".@1:7@2:10",
                     "There can be only one operation named \"Foo\".@1:7@3:14");
}

static void lone_anonymous_operation(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_lone_anonymous_operation, "fragment F on Dog { name }");
  expect_rule_valid(&gql_rule_lone_anonymous_operation, "{ dog { name } }");
  expect_rule_valid(&gql_rule_lone_anonymous_operation,
                    "{ dog { ...F } } fragment F on Dog { name }");
  expect_rule_valid(&gql_rule_lone_anonymous_operation,
                    "query Foo { dog { name } } query Bar { cat { name } }");
  expect_rule_errors(&gql_rule_lone_anonymous_operation, "{ dog { name } }\n{ cat { name } }",
                     "This anonymous operation must be the only defined operation.@1:1",
                     "This anonymous operation must be the only defined operation.@2:1");
  expect_rule_errors(&gql_rule_lone_anonymous_operation,
                     "{ dog { name } }\nquery Foo { cat { name } }",
                     "This anonymous operation must be the only defined operation.@1:1");
  expect_rule_errors(&gql_rule_lone_anonymous_operation,
                     "{ dog { name } }\nmutation Foo { renameDog(name: \"x\") { name } }",
                     "This anonymous operation must be the only defined operation.@1:1");
  expect_rule_errors(&gql_rule_lone_anonymous_operation,
                     "query Foo { dog { name } }\n  {\n    cat { name }\n  }",
                     "This anonymous operation must be the only defined operation.@2:3");
}

static void single_field_subscriptions_valid(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription ImportantEmails { importantEmails }");
  expect_rule_valid(&gql_rule_single_field_subscriptions, "subscription { importantEmails }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { sub: importantEmails }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { importantEmails importantEmails }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { ...F } fragment F on SubscriptionRoot { importantEmails }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { ... on SubscriptionRoot { importantEmails } ... on "
                    "SubscriptionRoot { importantEmails } }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { importantEmails notImportantEmails @skip(if: true) spam: "
                    "spamEmails @include(if: false) }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { importantEmails ... on QueryRoot { dog { name } } }");
  expect_rule_valid(&gql_rule_single_field_subscriptions,
                    "subscription S { importantEmails ...F ...F } fragment F on SubscriptionRoot { "
                    "importantEmails }");
  expect_rule_valid(&gql_rule_single_field_subscriptions, "query Q { __typename dog { name } }");
}

static void single_field_subscriptions_invalid(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_single_field_subscriptions,
                     "subscription ImportantEmails { importantEmails notImportantEmails }",
                     "Subscription \"ImportantEmails\" must select only one top level field.@1:48");
  expect_rule_errors(&gql_rule_single_field_subscriptions,
                     "subscription { importantEmails notImportantEmails }",
                     "Anonymous Subscription must select only one top level field.@1:32");
  expect_rule_errors(&gql_rule_single_field_subscriptions,
                     "subscription S { importantEmails notImportantEmails spamEmails }",
                     "Subscription \"S\" must select only one top level field.@1:34@1:53");
  expect_rule_errors(&gql_rule_single_field_subscriptions,
                     "subscription S { importantEmails ...F } fragment F on SubscriptionRoot { "
                     "moreImportantEmails spamEmails }",
                     "Subscription \"S\" must select only one top level field.@1:74@1:94");
  expect_rule_errors(&gql_rule_single_field_subscriptions,
                     "subscription S { importantEmails ... on SubscriptionRoot { importantEmails "
                     "notImportantEmails } notImportantEmails }",
                     "Subscription \"S\" must select only one top level field.@1:76@1:97");
  expect_rule_errors(
      &gql_rule_single_field_subscriptions,
      "subscription S { importantEmails @include(if: true) notImportantEmails @skip(if: false) }",
      "Subscription \"S\" must select only one top level field.@1:53");
  expect_rule_errors(&gql_rule_single_field_subscriptions, "subscription S { __typename }",
                     "Subscription \"S\" must not select an introspection top level field.@1:18");
  expect_rule_errors(
      &gql_rule_single_field_subscriptions, "subscription { __typename }",
      "Anonymous Subscription must not select an introspection top level field.@1:16");
  expect_rule_errors(
      &gql_rule_single_field_subscriptions,
      "subscription S { importantEmails __typename __typename }",
      "Subscription \"S\" must select only one top level field.@1:34@1:45",
      "Subscription \"S\" must not select an introspection top level field.@1:34@1:45");
  expect_rule_errors(
      &gql_rule_single_field_subscriptions,
      "subscription S { ...F } fragment F on SubscriptionRoot { __schema { queryType { name } } }",
      "Subscription \"S\" must not select an introspection top level field.@1:58");
  expect_rule_errors(&gql_rule_single_field_subscriptions,
                     "subscription A { importantEmails notImportantEmails } subscription B { "
                     "spamEmails deletedEmails }",
                     "Subscription \"A\" must select only one top level field.@1:34",
                     "Subscription \"B\" must select only one top level field.@1:83");
}

/* graphql-js throws from validate() when @skip/@include on a root field of a
 * subscription cannot be evaluated without variable values; dagd reports
 * that error (same message and location) as a validation error instead. */
static void single_field_subscriptions_unevaluable_directives(void **state) {
  (void)state;
  const gql_rule *r = &gql_rule_single_field_subscriptions;
  expect_rule_errors(
      r, "subscription ($v: Boolean!) { importantEmails @skip(if: $v) notImportantEmails }",
      "Argument \"if\" of required type \"Boolean!\" was provided the variable \"$v\" "
      "which was not provided a runtime value.@1:57");
  expect_rule_errors(r, "subscription { importantEmails @include(if: \"x\") b: spamEmails }",
                     "Argument \"if\" has invalid value \"x\".@1:45");
  expect_rule_errors(r, "subscription { importantEmails @skip b: spamEmails }",
                     "Argument \"if\" of required type \"Boolean!\" was not provided.@1:32");
  expect_rule_errors(r, "subscription { importantEmails @skip(if: null) b: spamEmails }",
                     "Argument \"if\" of non-null type \"Boolean!\" must not be null.@1:42");
  /* A spread already collected is not evaluated again. */
  expect_rule_valid(
      r, "subscription { ...F ...F @skip(if: $v) } fragment F on SubscriptionRoot { spamEmails }");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(executable_definitions_valid),
      cmocka_unit_test(executable_definitions_invalid),
      cmocka_unit_test(unique_operation_names),
      cmocka_unit_test(lone_anonymous_operation),
      cmocka_unit_test(single_field_subscriptions_valid),
      cmocka_unit_test(single_field_subscriptions_invalid),
      cmocka_unit_test(single_field_subscriptions_unevaluable_directives),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
