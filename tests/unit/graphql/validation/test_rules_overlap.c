/* test_rules_overlap.c — OverlappingFieldsCanBeMerged
 * (src/graphql/validation/rules_overlap.c). Every expected message and
 * location is graphql-js 16's for the same document and schema, including
 * the nesting of conflict reasons and the order of locations. */

#include <stdlib.h>

#include "validation_harness.h"

/* A document with `n` fields "name" in one selection set, after an unknown
 * field: comparing every pair costs more than graphql-js's budget of
 * 500,000 when n is large enough. */
static char *same_fields_query(size_t n) {
  buf b;
  buf_init(&b, NULL);
  buf_puts(&b, "{\n  nope\n  dog {\n");
  for (size_t i = 0; i < n; i++)
    buf_puts(&b, "    name\n");
  buf_puts(&b, "  }\n  cat { x }\n}");
  return b.data;
}

/* Under budget: many identical fields are fine. */
static void many_identical_fields_within_budget(void **state) {
  (void)state;
  char *q = same_fields_query(700);
  vh_expect(vh_schema(), NULL, q,
            VH_LIST("Cannot query field \"nope\" on type \"QueryRoot\".@2:3",
                    "Cannot query field \"x\" on type \"Cat\".@705:9"));
  free(q);
}

/* Over budget: validation stops with graphql-js's error, after the errors
 * found so far (none of the rules reports "x" on Cat any more). */
static void budget_exhausted_aborts_validation(void **state) {
  (void)state;
  char *q = same_fields_query(1100);
  vh_expect(
      vh_schema(), NULL, q,
      VH_LIST("Cannot query field \"nope\" on type \"QueryRoot\".@2:3", "Validation aborted."));
  free(q);
}

static const char boxes_sdl[] =
    "interface SomeBox {\n"
    "  deepBox: SomeBox\n"
    "  unrelatedField: String\n"
    "}\n"
    "type StringBox implements SomeBox {\n"
    "  scalar: String\n"
    "  deepBox: StringBox\n"
    "  unrelatedField: String\n"
    "  listStringBox: [StringBox]\n"
    "  stringBox: StringBox\n"
    "  intBox: IntBox\n"
    "}\n"
    "type IntBox implements SomeBox {\n"
    "  scalar: Int\n"
    "  deepBox: IntBox\n"
    "  unrelatedField: String\n"
    "  listStringBox: [StringBox]\n"
    "  stringBox: StringBox\n"
    "  intBox: IntBox\n"
    "}\n"
    "interface NonNullStringBox1 { scalar: String! }\n"
    "type NonNullStringBox1Impl implements SomeBox & NonNullStringBox1 {\n"
    "  scalar: String!\n"
    "  unrelatedField: String\n"
    "  deepBox: SomeBox\n"
    "}\n"
    "interface NonNullStringBox2 { scalar: String! }\n"
    "type NonNullStringBox2Impl implements SomeBox & NonNullStringBox2 {\n"
    "  scalar: String!\n"
    "  unrelatedField: String\n"
    "  deepBox: SomeBox\n"
    "}\n"
    "type Connection {\n"
    "  edges: [Edge]\n"
    "}\n"
    "type Edge {\n"
    "  node: Node\n"
    "}\n"
    "type Node {\n"
    "  id: ID\n"
    "  name: String\n"
    "}\n"
    "type Query {\n"
    "  someBox: SomeBox\n"
    "  connection: Connection\n"
    "}";

static void unique_fields(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "fragment uniqueFields on Dog {\n"
                                                                "  name\n"
                                                                "  nickname\n"
                                                                "}");
}

static void identical_fields(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged,
                    "fragment mergeIdenticalFields on Dog {\n"
                    "  name\n"
                    "  name\n"
                    "}");
}

static void identical_fields_with_identical_args(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged,
                    "fragment f on Dog {\n"
                    "  doesKnowCommand(dogCommand: SIT)\n"
                    "  doesKnowCommand(dogCommand: SIT)\n"
                    "}");
}

static void identical_fields_with_identical_directives(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "fragment f on Dog {\n"
                                                                "  name @include(if: true)\n"
                                                                "  name @include(if: true)\n"
                                                                "}");
}

static void different_args_with_different_aliases(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged,
                    "fragment f on Dog {\n"
                    "  knowsSit: doesKnowCommand(dogCommand: SIT)\n"
                    "  knowsDown: doesKnowCommand(dogCommand: DOWN)\n"
                    "}");
}

static void different_directives_same_alias(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "fragment f on Dog {\n"
                                                                "  name @include(if: true)\n"
                                                                "  name @include(if: false)\n"
                                                                "}");
}

static void same_alias_different_fields(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "fragment sameAliasesWithDifferentFieldTargets on Dog {\n"
      "  fido: name\n"
      "  fido: nickname\n"
      "}",
      "Fields \"fido\" conflict because \"name\" and \"nickname\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@2:3@3:3");
}

static void same_alias_different_fields_exclusive_parents(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "fragment f on Pet {\n"
                                                                "  ... on Dog {\n"
                                                                "    name\n"
                                                                "  }\n"
                                                                "  ... on Cat {\n"
                                                                "    name: nickname\n"
                                                                "  }\n"
                                                                "}");
}

static void alias_masking_direct_field(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "fragment aliasMaskingDirectFieldAccess on Dog {\n"
      "  name: nickname\n"
      "  name\n"
      "}",
      "Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@2:3@3:3");
}

static void different_args_second_adds(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "fragment conflictingArgs on Dog {\n"
      "  doesKnowCommand\n"
      "  doesKnowCommand(dogCommand: HEEL)\n"
      "}",
      "Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@2:3@3:3");
}

static void different_args_second_missing(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "fragment conflictingArgs on Dog {\n"
      "  doesKnowCommand(dogCommand: SIT)\n"
      "  doesKnowCommand\n"
      "}",
      "Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@2:3@3:3");
}

static void conflicting_arg_values(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "fragment conflictingArgs on Dog {\n"
      "  doesKnowCommand(dogCommand: SIT)\n"
      "  doesKnowCommand(dogCommand: HEEL)\n"
      "}",
      "Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@2:3@3:3");
}

static void conflicting_arg_names(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "fragment conflictingArgs on Dog {\n"
      "  isAtLocation(x: 0)\n"
      "  isAtLocation(y: 0)\n"
      "}",
      "Fields \"isAtLocation\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@2:3@3:3");
}

static void value_and_variable(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "query ($dogCommand: DogCommand) {\n"
      "  dog {\n"
      "    doesKnowCommand(dogCommand: SIT)\n"
      "    doesKnowCommand(dogCommand: $dogCommand)\n"
      "  }\n"
      "}",
      "Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

static void different_variables(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "query ($a: DogCommand, $b: DogCommand) {\n"
      "  dog {\n"
      "    doesKnowCommand(dogCommand: $a)\n"
      "    doesKnowCommand(dogCommand: $b)\n"
      "  }\n"
      "}",
      "Fields \"doesKnowCommand\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

static void args_in_any_order(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "{\n"
                                                                "  dog {\n"
                                                                "    isAtLocation(x: 0, y: 1)\n"
                                                                "    isAtLocation(y: 1, x: 0)\n"
                                                                "  }\n"
                                                                "}");
}

static void object_args_in_any_field_order(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    complexArgField(complexArg: {requiredField: true, intField: 1})\n"
                    "    complexArgField(complexArg: {intField: 1, requiredField: true})\n"
                    "  }\n"
                    "}");
}

static void object_args_differing(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  complicatedArgs {\n"
      "    complexArgField(complexArg: {requiredField: true, intField: 1})\n"
      "    complexArgField(complexArg: {requiredField: true, intField: 2})\n"
      "  }\n"
      "}",
      "Fields \"complexArgField\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

static void int_and_float_literals_differ(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  complicatedArgs {\n"
      "    floatArgField(floatArg: 1)\n"
      "    floatArgField(floatArg: 1.0)\n"
      "  }\n"
      "}",
      "Fields \"floatArgField\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

static void block_and_plain_strings_differ(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  complicatedArgs {\n"
      "    stringArgField(stringArg: \"a\")\n"
      "    stringArgField(stringArg: \"\"\"a\"\"\")\n"
      "  }\n"
      "}",
      "Fields \"stringArgField\" conflict because they have differing arguments. Use different "
      "aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

static void list_args_equal_and_differing(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    stringListArgField(stringListArg: [\"a\", \"b\"])\n"
                     "    stringListArgField(stringListArg: [\"a\", \"b\"])\n"
                     "    x: stringListArgField(stringListArg: [\"a\"])\n"
                     "    x: stringListArgField(stringListArg: [\"a\", null])\n"
                     "  }\n"
                     "}",
                     "Fields \"x\" conflict because they have differing arguments. Use different "
                     "aliases on the fields to fetch both if this was intentional.@5:5@6:5");
}

static void different_args_exclusive_parents(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "{\n"
                                                                "  catOrDog {\n"
                                                                "    ... on Dog {\n"
                                                                "      name(surname: true)\n"
                                                                "    }\n"
                                                                "    ... on Cat {\n"
                                                                "      name\n"
                                                                "    }\n"
                                                                "  }\n"
                                                                "}");
}

static void conflict_in_fragments(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  ...A\n"
      "  ...B\n"
      "}\n"
      "fragment A on Type {\n"
      "  x: a\n"
      "}\n"
      "fragment B on Type {\n"
      "  x: b\n"
      "}",
      "Fields \"x\" conflict because \"a\" and \"b\" are different fields. Use different aliases "
      "on the fields to fetch both if this was intentional.@6:3@9:3");
}

static void each_conflict_reported_once(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  f1 {\n"
      "    ...A\n"
      "    ...B\n"
      "  }\n"
      "  f2 {\n"
      "    ...B\n"
      "    ...A\n"
      "  }\n"
      "  f3 {\n"
      "    ...A\n"
      "    ...B\n"
      "    x: c\n"
      "  }\n"
      "}\n"
      "fragment A on Type {\n"
      "  x: a\n"
      "}\n"
      "fragment B on Type {\n"
      "  x: b\n"
      "}",
      "Fields \"x\" conflict because \"a\" and \"b\" are different fields. Use different aliases "
      "on the fields to fetch both if this was intentional.@17:3@20:3",
      "Fields \"x\" conflict because \"c\" and \"a\" are different fields. Use different aliases "
      "on the fields to fetch both if this was intentional.@13:5@17:3",
      "Fields \"x\" conflict because \"c\" and \"b\" are different fields. Use different aliases "
      "on the fields to fetch both if this was intentional.@13:5@20:3");
}

static void deep_conflict(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  field {\n"
                     "    x: a\n"
                     "  },\n"
                     "  field {\n"
                     "    x: b\n"
                     "  }\n"
                     "}",
                     "Fields \"field\" conflict because subfields \"x\" conflict because \"a\" and "
                     "\"b\" are different fields. Use different aliases on the fields to fetch "
                     "both if this was intentional.@2:3@3:5@5:3@6:5");
}

static void deep_conflict_multiple_issues(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  field {\n"
                     "    x: a\n"
                     "    y: c\n"
                     "  },\n"
                     "  field {\n"
                     "    x: b\n"
                     "    y: d\n"
                     "  }\n"
                     "}",
                     "Fields \"field\" conflict because subfields \"x\" conflict because \"a\" and "
                     "\"b\" are different fields and subfields \"y\" conflict because \"c\" and "
                     "\"d\" are different fields. Use different aliases on the fields to fetch "
                     "both if this was intentional.@2:3@3:5@4:5@6:3@7:5@8:5");
}

static void very_deep_conflict(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  field {\n"
      "    deepField {\n"
      "      x: a\n"
      "    }\n"
      "  },\n"
      "  field {\n"
      "    deepField {\n"
      "      x: b\n"
      "    }\n"
      "  }\n"
      "}",
      "Fields \"field\" conflict because subfields \"deepField\" conflict because subfields \"x\" "
      "conflict because \"a\" and \"b\" are different fields. Use different aliases on the fields "
      "to fetch both if this was intentional.@2:3@3:5@4:7@7:3@8:5@9:7");
}

static void deep_conflict_to_nearest_common_ancestor(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  field {\n"
                     "    deepField {\n"
                     "      x: a\n"
                     "    }\n"
                     "    deepField {\n"
                     "      x: b\n"
                     "    }\n"
                     "  },\n"
                     "  field {\n"
                     "    deepField {\n"
                     "      y\n"
                     "    }\n"
                     "  }\n"
                     "}",
                     "Fields \"deepField\" conflict because subfields \"x\" conflict because \"a\" "
                     "and \"b\" are different fields. Use different aliases on the fields to fetch "
                     "both if this was intentional.@3:5@4:7@6:5@7:7");
}

static void deep_conflict_in_fragments(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  field {\n"
                     "    ...F\n"
                     "  }\n"
                     "  field {\n"
                     "    ...F\n"
                     "  }\n"
                     "}\n"
                     "fragment F on T {\n"
                     "  deepField {\n"
                     "    deeperField {\n"
                     "      x: a\n"
                     "    }\n"
                     "    deeperField {\n"
                     "      x: b\n"
                     "    }\n"
                     "  },\n"
                     "  deepField {\n"
                     "    deeperField {\n"
                     "      y\n"
                     "    }\n"
                     "  }\n"
                     "}",
                     "Fields \"deeperField\" conflict because subfields \"x\" conflict because "
                     "\"a\" and \"b\" are different fields. Use different aliases on the fields to "
                     "fetch both if this was intentional.@11:5@12:7@14:5@15:7");
}

static void conflicts_between_nested_fragments(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  field {\n"
                     "    ...F\n"
                     "  },\n"
                     "  field {\n"
                     "    ...I\n"
                     "  }\n"
                     "}\n"
                     "fragment F on T {\n"
                     "  x: a\n"
                     "  ...G\n"
                     "}\n"
                     "fragment G on T {\n"
                     "  y: c\n"
                     "}\n"
                     "fragment I on T {\n"
                     "  y: d\n"
                     "  ...J\n"
                     "}\n"
                     "fragment J on T {\n"
                     "  x: b\n"
                     "}",
                     "Fields \"field\" conflict because subfields \"x\" conflict because \"a\" and "
                     "\"b\" are different fields and subfields \"y\" conflict because \"c\" and "
                     "\"d\" are different fields. Use different aliases on the fields to fetch "
                     "both if this was intentional.@2:3@10:3@14:3@5:3@21:3@17:3");
}

static void unknown_fragments_ignored(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged, "{\n"
                                                                "  field\n"
                                                                "  ...Unknown\n"
                                                                "  ...Known\n"
                                                                "}\n"
                                                                "fragment Known on T {\n"
                                                                "  field\n"
                                                                "  ...OtherUnknown\n"
                                                                "}");
}

static void inline_fragment_conflict(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  dog {\n"
      "    ... on Dog {\n"
      "      name: nickname\n"
      "    }\n"
      "    name\n"
      "  }\n"
      "}",
      "Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@4:7@6:5");
}

static void single_inline_fragment_checked(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  dog {\n"
      "    ... {\n"
      "      name\n"
      "      name: nickname\n"
      "    }\n"
      "  }\n"
      "}",
      "Fields \"name\" conflict because \"name\" and \"nickname\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@4:7@5:7");
}

static void interface_parents_not_exclusive(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  pet {\n"
      "    ... on Pet {\n"
      "      name\n"
      "    }\n"
      "    ... on Dog {\n"
      "      name: nickname\n"
      "    }\n"
      "  }\n"
      "}",
      "Fields \"name\" conflict because \"name\" and \"nickname\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@4:7@7:7");
}

static void typename_alias_conflict(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  dog {\n"
      "    __typename\n"
      "    __typename: name\n"
      "    name: __typename\n"
      "  }\n"
      "}",
      "Fields \"__typename\" conflict because \"__typename\" and \"name\" are different fields. "
      "Use different aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

static void fragment_cycle_terminates(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  dog {\n"
      "    ...A\n"
      "  }\n"
      "}\n"
      "fragment A on Dog {\n"
      "  name\n"
      "  ...B\n"
      "}\n"
      "fragment B on Dog {\n"
      "  name: nickname\n"
      "  ...A\n"
      "}",
      "Fields \"name\" conflict because \"name\" and \"nickname\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@7:3@11:3",
      "Fields \"name\" conflict because \"nickname\" and \"name\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@11:3@7:3");
}

static void self_spread_fragment_terminates(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  dog {\n"
                     "    ...A\n"
                     "    name\n"
                     "  }\n"
                     "}\n"
                     "fragment A on Dog {\n"
                     "  name\n"
                     "  mother {\n"
                     "    ...A\n"
                     "  }\n"
                     "  mother {\n"
                     "    ...A\n"
                     "    name: barkVolume\n"
                     "  }\n"
                     "}",
                     "Fields \"mother\" conflict because subfields \"name\" conflict because "
                     "\"barkVolume\" and \"name\" are different fields. Use different aliases on "
                     "the fields to fetch both if this was intentional.@9:3@14:5@12:3@8:3");
}

static void cycle_within_nested_fields_terminates(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_overlapping_fields_can_be_merged,
                     "{\n"
                     "  dog {\n"
                     "    ...A\n"
                     "  }\n"
                     "  dog {\n"
                     "    ...B\n"
                     "  }\n"
                     "}\n"
                     "fragment A on Dog {\n"
                     "  mother {\n"
                     "    ...B\n"
                     "  }\n"
                     "  x: name\n"
                     "}\n"
                     "fragment B on Dog {\n"
                     "  mother {\n"
                     "    ...A\n"
                     "  }\n"
                     "  x: nickname\n"
                     "}",
                     "Fields \"dog\" conflict because subfields \"x\" conflict because \"name\" "
                     "and \"nickname\" are different fields. Use different aliases on the fields "
                     "to fetch both if this was intentional.@2:3@13:3@5:3@19:3");
}

static void many_repeated_fragments(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_overlapping_fields_can_be_merged,
                    "{\n"
                    "  dog {\n"
                    "    ...F0\n"
                    "    ...F1\n"
                    "    ...F2\n"
                    "    ...F3\n"
                    "    ...F4\n"
                    "    ...F5\n"
                    "    ...F6\n"
                    "    ...F7\n"
                    "    ...F8\n"
                    "    ...F9\n"
                    "    ...F10\n"
                    "    ...F11\n"
                    "    ...F12\n"
                    "    ...F13\n"
                    "    ...F14\n"
                    "    ...F15\n"
                    "    ...F16\n"
                    "    ...F17\n"
                    "    ...F18\n"
                    "    ...F19\n"
                    "    ...F20\n"
                    "    ...F21\n"
                    "    ...F22\n"
                    "    ...F23\n"
                    "    ...F24\n"
                    "    ...F25\n"
                    "    ...F26\n"
                    "    ...F27\n"
                    "    ...F28\n"
                    "    ...F29\n"
                    "    ...F30\n"
                    "    ...F31\n"
                    "    ...F32\n"
                    "    ...F33\n"
                    "    ...F34\n"
                    "    ...F35\n"
                    "    ...F36\n"
                    "    ...F37\n"
                    "    ...F38\n"
                    "    ...F39\n"
                    "  }\n"
                    "}\n"
                    "fragment F0 on Dog { name barkVolume ...F1 ...F2 }\n"
                    "fragment F1 on Dog { name barkVolume ...F2 ...F3 }\n"
                    "fragment F2 on Dog { name barkVolume ...F3 ...F4 }\n"
                    "fragment F3 on Dog { name barkVolume ...F4 ...F5 }\n"
                    "fragment F4 on Dog { name barkVolume ...F5 ...F6 }\n"
                    "fragment F5 on Dog { name barkVolume ...F6 ...F7 }\n"
                    "fragment F6 on Dog { name barkVolume ...F7 ...F8 }\n"
                    "fragment F7 on Dog { name barkVolume ...F8 ...F9 }\n"
                    "fragment F8 on Dog { name barkVolume ...F9 ...F10 }\n"
                    "fragment F9 on Dog { name barkVolume ...F10 ...F11 }\n"
                    "fragment F10 on Dog { name barkVolume ...F11 ...F12 }\n"
                    "fragment F11 on Dog { name barkVolume ...F12 ...F13 }\n"
                    "fragment F12 on Dog { name barkVolume ...F13 ...F14 }\n"
                    "fragment F13 on Dog { name barkVolume ...F14 ...F15 }\n"
                    "fragment F14 on Dog { name barkVolume ...F15 ...F16 }\n"
                    "fragment F15 on Dog { name barkVolume ...F16 ...F17 }\n"
                    "fragment F16 on Dog { name barkVolume ...F17 ...F18 }\n"
                    "fragment F17 on Dog { name barkVolume ...F18 ...F19 }\n"
                    "fragment F18 on Dog { name barkVolume ...F19 ...F20 }\n"
                    "fragment F19 on Dog { name barkVolume ...F20 ...F21 }\n"
                    "fragment F20 on Dog { name barkVolume ...F21 ...F22 }\n"
                    "fragment F21 on Dog { name barkVolume ...F22 ...F23 }\n"
                    "fragment F22 on Dog { name barkVolume ...F23 ...F24 }\n"
                    "fragment F23 on Dog { name barkVolume ...F24 ...F25 }\n"
                    "fragment F24 on Dog { name barkVolume ...F25 ...F26 }\n"
                    "fragment F25 on Dog { name barkVolume ...F26 ...F27 }\n"
                    "fragment F26 on Dog { name barkVolume ...F27 ...F28 }\n"
                    "fragment F27 on Dog { name barkVolume ...F28 ...F29 }\n"
                    "fragment F28 on Dog { name barkVolume ...F29 ...F30 }\n"
                    "fragment F29 on Dog { name barkVolume ...F30 ...F31 }\n"
                    "fragment F30 on Dog { name barkVolume ...F31 ...F32 }\n"
                    "fragment F31 on Dog { name barkVolume ...F32 ...F33 }\n"
                    "fragment F32 on Dog { name barkVolume ...F33 ...F34 }\n"
                    "fragment F33 on Dog { name barkVolume ...F34 ...F35 }\n"
                    "fragment F34 on Dog { name barkVolume ...F35 ...F36 }\n"
                    "fragment F35 on Dog { name barkVolume ...F36 ...F37 }\n"
                    "fragment F36 on Dog { name barkVolume ...F37 ...F38 }\n"
                    "fragment F37 on Dog { name barkVolume ...F38 ...F39 }\n"
                    "fragment F38 on Dog { name barkVolume ...F39 }\n"
                    "fragment F39 on Dog { name barkVolume }");
}

static void long_names_abbreviated(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  dog {\n"
      "    "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: "
      "name\n"
      "    "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: "
      "nickname\n"
      "  }\n"
      "}",
      "Fields "
      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" "
      "conflict because \"name\" and \"nickname\" are different fields. Use different aliases on "
      "the fields to fetch both if this was intentional.@3:5@4:5");
}

static void at_most_20_locations(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  dog {\n"
      "    f0: name\n"
      "    f1: name\n"
      "    f2: name\n"
      "    f3: name\n"
      "    f4: name\n"
      "    f5: name\n"
      "    f6: name\n"
      "    f7: name\n"
      "    f8: name\n"
      "    f9: name\n"
      "    f10: name\n"
      "    f11: name\n"
      "  }\n"
      "  dog {\n"
      "    f0: nickname\n"
      "    f1: nickname\n"
      "    f2: nickname\n"
      "    f3: nickname\n"
      "    f4: nickname\n"
      "    f5: nickname\n"
      "    f6: nickname\n"
      "    f7: nickname\n"
      "    f8: nickname\n"
      "    f9: nickname\n"
      "    f10: nickname\n"
      "    f11: nickname\n"
      "  }\n"
      "}",
      "Fields \"dog\" conflict because subfields \"f0\" conflict because \"name\" and \"nickname\" "
      "are different fields and subfields \"f1\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f2\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f3\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f4\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f5\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f6\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f7\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f8\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f9\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f10\" conflict because \"name\" and \"nickname\" are "
      "different fields and subfields \"f11\" conflict because \"name\" and \"nickname\" are "
      "different fields. Use different aliases on the fields to fetch both if this was "
      "intentional.@2:3@3:5@4:5@5:5@6:5@7:5@8:5@9:5@10:5@11:5@12:5@13:5@14:5@16:3@17:5@18:5@19:5@"
      "20:5@21:5@22:5@23:5@24:5@25:5@26:5@27:5@28:5");
}

static void conflicting_return_types_exclusive_parents(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on IntBox {\n"
            "      scalar\n"
            "    }\n"
            "    ... on StringBox {\n"
            "      scalar\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST("Fields \"scalar\" conflict because they return conflicting types \"Int\" and "
                    "\"String\". Use different aliases on the fields to fetch both if this was "
                    "intentional.@4:7@7:7"));
  gql_schema_free(s);
}

static void same_return_types_exclusive_parents(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on IntBox {\n"
            "      scalar: unrelatedField\n"
            "    }\n"
            "    ... on StringBox {\n"
            "      scalar\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST(NULL));
  gql_schema_free(s);
}

static void deep_return_type_conflict(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on IntBox {\n"
            "      deepBox {\n"
            "        scalar\n"
            "      }\n"
            "    }\n"
            "    ... on StringBox {\n"
            "      deepBox {\n"
            "        scalar\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST("Fields \"deepBox\" conflict because subfields \"scalar\" conflict because "
                    "they return conflicting types \"Int\" and \"String\". Use different aliases "
                    "on the fields to fetch both if this was intentional.@4:7@5:9@9:7@10:9"));
  gql_schema_free(s);
}

static void non_null_difference(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on NonNullStringBox1 {\n"
            "      scalar\n"
            "    }\n"
            "    ... on StringBox {\n"
            "      scalar\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST("Fields \"scalar\" conflict because they return conflicting types \"String!\" "
                    "and \"String\". Use different aliases on the fields to fetch both if this was "
                    "intentional.@4:7@7:7"));
  gql_schema_free(s);
}

static void list_difference(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on IntBox {\n"
            "      box: listStringBox {\n"
            "        scalar\n"
            "      }\n"
            "    }\n"
            "    ... on StringBox {\n"
            "      box: stringBox {\n"
            "        scalar\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST("Fields \"box\" conflict because they return conflicting types \"[StringBox]\" "
                    "and \"StringBox\". Use different aliases on the fields to fetch both if this "
                    "was intentional.@4:7@9:7"));
  gql_schema_free(s);
}

static void same_wrapped_scalar_types(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on NonNullStringBox1 {\n"
            "      scalar\n"
            "    }\n"
            "    ... on NonNullStringBox2 {\n"
            "      scalar\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST(NULL));
  gql_schema_free(s);
}

static void compares_deep_types_including_list(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(
      s, &gql_rule_overlapping_fields_can_be_merged,
      "{\n"
      "  connection {\n"
      "    ...edgeID\n"
      "    edges {\n"
      "      node {\n"
      "        id: name\n"
      "      }\n"
      "    }\n"
      "  }\n"
      "}\n"
      "fragment edgeID on Connection {\n"
      "  edges {\n"
      "    node {\n"
      "      id\n"
      "    }\n"
      "  }\n"
      "}",
      VH_LIST(
          "Fields \"edges\" conflict because subfields \"node\" conflict because subfields \"id\" "
          "conflict because \"name\" and \"id\" are different fields. Use different aliases on the "
          "fields to fetch both if this was intentional.@4:5@5:7@6:9@12:3@13:5@14:7"));
  gql_schema_free(s);
}

static void disallows_differing_deep_return_types(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(boxes_sdl);
  vh_expect(s, &gql_rule_overlapping_fields_can_be_merged,
            "{\n"
            "  someBox {\n"
            "    ... on IntBox {\n"
            "      deepBox {\n"
            "        unrelatedField\n"
            "      }\n"
            "    }\n"
            "    ... on StringBox {\n"
            "      deepBox {\n"
            "        unrelatedField: scalar\n"
            "      }\n"
            "    }\n"
            "  }\n"
            "}",
            VH_LIST(NULL));
  gql_schema_free(s);
}

static void overlap_all_rules(void **state) {
  (void)state;
  expect_errors(
      "{\n"
      "  dog {\n"
      "    name\n"
      "    name: nickname\n"
      "  }\n"
      "}",
      "Fields \"name\" conflict because \"name\" and \"nickname\" are different fields. Use "
      "different aliases on the fields to fetch both if this was intentional.@3:5@4:5");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unique_fields),
      cmocka_unit_test(identical_fields),
      cmocka_unit_test(identical_fields_with_identical_args),
      cmocka_unit_test(identical_fields_with_identical_directives),
      cmocka_unit_test(different_args_with_different_aliases),
      cmocka_unit_test(different_directives_same_alias),
      cmocka_unit_test(same_alias_different_fields),
      cmocka_unit_test(same_alias_different_fields_exclusive_parents),
      cmocka_unit_test(alias_masking_direct_field),
      cmocka_unit_test(different_args_second_adds),
      cmocka_unit_test(different_args_second_missing),
      cmocka_unit_test(conflicting_arg_values),
      cmocka_unit_test(conflicting_arg_names),
      cmocka_unit_test(value_and_variable),
      cmocka_unit_test(different_variables),
      cmocka_unit_test(args_in_any_order),
      cmocka_unit_test(object_args_in_any_field_order),
      cmocka_unit_test(object_args_differing),
      cmocka_unit_test(int_and_float_literals_differ),
      cmocka_unit_test(block_and_plain_strings_differ),
      cmocka_unit_test(list_args_equal_and_differing),
      cmocka_unit_test(different_args_exclusive_parents),
      cmocka_unit_test(conflict_in_fragments),
      cmocka_unit_test(each_conflict_reported_once),
      cmocka_unit_test(deep_conflict),
      cmocka_unit_test(deep_conflict_multiple_issues),
      cmocka_unit_test(very_deep_conflict),
      cmocka_unit_test(deep_conflict_to_nearest_common_ancestor),
      cmocka_unit_test(deep_conflict_in_fragments),
      cmocka_unit_test(conflicts_between_nested_fragments),
      cmocka_unit_test(unknown_fragments_ignored),
      cmocka_unit_test(inline_fragment_conflict),
      cmocka_unit_test(single_inline_fragment_checked),
      cmocka_unit_test(interface_parents_not_exclusive),
      cmocka_unit_test(typename_alias_conflict),
      cmocka_unit_test(fragment_cycle_terminates),
      cmocka_unit_test(self_spread_fragment_terminates),
      cmocka_unit_test(cycle_within_nested_fields_terminates),
      cmocka_unit_test(many_repeated_fragments),
      cmocka_unit_test(long_names_abbreviated),
      cmocka_unit_test(at_most_20_locations),
      cmocka_unit_test(conflicting_return_types_exclusive_parents),
      cmocka_unit_test(same_return_types_exclusive_parents),
      cmocka_unit_test(deep_return_type_conflict),
      cmocka_unit_test(non_null_difference),
      cmocka_unit_test(list_difference),
      cmocka_unit_test(same_wrapped_scalar_types),
      cmocka_unit_test(compares_deep_types_including_list),
      cmocka_unit_test(disallows_differing_deep_return_types),
      cmocka_unit_test(overlap_all_rules),
      cmocka_unit_test(many_identical_fields_within_budget),
      cmocka_unit_test(budget_exhausted_aborts_validation),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
