/* test_rules_values.c — ValuesOfCorrectType and UniqueInputFieldNames
 * (src/graphql/validation/rules_values.c). Every expected message and
 * location is graphql-js 16's for the same document and schema. */

#include "validation_harness.h"

static void good_scalar_literals(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    intArgField(intArg: -2147483648)\n"
                    "    floatArgField(floatArg: 1)\n"
                    "    floatArgField2: floatArgField(floatArg: 1.5e3)\n"
                    "    stringArgField(stringArg: \"s\")\n"
                    "    booleanArgField(booleanArg: false)\n"
                    "    idArgField(idArg: 1)\n"
                    "    idArgField2: idArgField(idArg: \"someIdString\")\n"
                    "    enumArgField(enumArg: NO_FUR)\n"
                    "    intArgField3: intArgField(intArg: null)\n"
                    "  }\n"
                    "}");
}

static void int_from_string(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    intArgField(intArg: \"3\")\n"
                     "  }\n"
                     "}",
                     "Int cannot represent non-integer value: \"3\"@3:25");
}

/* Messages quote a block-string literal as written, as graphql-js's
 * printForError prints it: on one line when short, else with line breaks. */
static void block_string_literals(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_values_of_correct_type,
      "{\n"
      "  complicatedArgs {\n"
      "    intArgField(intArg: \"\"\"3\"\"\")\n"
      "    enumArgField(enumArg: \"\"\"BROWN\"\"\")\n"
      "    stringListArgField(stringListArg: [\"\"\"ok\"\"\", 1])\n"
      "    booleanArgField(booleanArg: \"\"\"multi\n"
      "  line\"\"\")\n"
      "    complexArgField(complexArg: \"\"\"x\"\"\")\n"
      "  }\n"
      "}",
      "Int cannot represent non-integer value: \"\"\"3\"\"\"@3:25",
      "Enum \"FurColor\" cannot represent non-enum value: \"\"\"BROWN\"\"\".@4:27",
      "String cannot represent a non string value: 1@5:50",
      "Boolean cannot represent a non boolean value: \"\"\"\nmulti\nline\n\"\"\"@6:33",
      "Expected value of type \"ComplexInput\", found \"\"\"x\"\"\".@8:33");
}

static void int_from_float(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    intArgField(intArg: 1.5)\n"
                     "  }\n"
                     "}",
                     "Int cannot represent non-integer value: 1.5@3:25");
}

static void int_out_of_range(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    intArgField(intArg: 2147483648)\n"
                     "  }\n"
                     "}",
                     "Int cannot represent non 32-bit signed integer value: 2147483648@3:25");
}

static void int_from_enum(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    intArgField(intArg: FOUR)\n"
                     "  }\n"
                     "}",
                     "Int cannot represent non-integer value: FOUR@3:25");
}

static void float_from_string(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    floatArgField(floatArg: \"3.333\")\n"
                     "  }\n"
                     "}",
                     "Float cannot represent non numeric value: \"3.333\"@3:29");
}

static void float_from_boolean(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    floatArgField(floatArg: true)\n"
                     "  }\n"
                     "}",
                     "Float cannot represent non numeric value: true@3:29");
}

static void string_from_int(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    stringArgField(stringArg: 1)\n"
                     "  }\n"
                     "}",
                     "String cannot represent a non string value: 1@3:31");
}

static void string_from_enum(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    stringArgField(stringArg: BAR)\n"
                     "  }\n"
                     "}",
                     "String cannot represent a non string value: BAR@3:31");
}

static void boolean_from_string(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    booleanArgField(booleanArg: \"true\")\n"
                     "  }\n"
                     "}",
                     "Boolean cannot represent a non boolean value: \"true\"@3:33");
}

static void id_from_float(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    idArgField(idArg: 1.0)\n"
                     "  }\n"
                     "}",
                     "ID cannot represent a non-string and non-integer value: 1.0@3:23");
}

static void id_from_boolean(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    idArgField(idArg: true)\n"
                     "  }\n"
                     "}",
                     "ID cannot represent a non-string and non-integer value: true@3:23");
}

static void enum_from_int(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  dog {\n"
                     "    doesKnowCommand(dogCommand: 2)\n"
                     "  }\n"
                     "}",
                     "Enum \"DogCommand\" cannot represent non-enum value: 2.@3:33");
}

static void enum_from_string_with_suggestion(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  dog {\n"
                     "    doesKnowCommand(dogCommand: \"SIT\")\n"
                     "  }\n"
                     "}",
                     "Enum \"DogCommand\" cannot represent non-enum value: \"SIT\". Did you mean "
                     "the enum value \"SIT\"?@3:33");
}

static void enum_unknown_value_with_suggestion(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  dog {\n"
                     "    doesKnowCommand(dogCommand: sit)\n"
                     "  }\n"
                     "}",
                     "Value \"sit\" does not exist in \"DogCommand\" enum. Did you mean the enum "
                     "value \"SIT\"?@3:33");
}

static void enum_unknown_value_other_suggestion(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  dog {\n"
                     "    doesKnowCommand(dogCommand: HEELS)\n"
                     "  }\n"
                     "}",
                     "Value \"HEELS\" does not exist in \"DogCommand\" enum. Did you mean the enum "
                     "value \"HEEL\"?@3:33");
}

static void enum_unknown_value_no_suggestion(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  dog {\n"
                     "    doesKnowCommand(dogCommand: JUGGLE)\n"
                     "  }\n"
                     "}",
                     "Value \"JUGGLE\" does not exist in \"DogCommand\" enum.@3:33");
}

static void enum_several_suggestions(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    enumArgField(enumArg: NO_FURR)\n"
                     "  }\n"
                     "}\n"
                     "{\n"
                     "  complicatedArgs {\n"
                     "    enumArgField(enumArg: BLACKK)\n"
                     "  }\n"
                     "}",
                     "Value \"NO_FURR\" does not exist in \"FurColor\" enum. Did you mean the enum "
                     "value \"NO_FUR\"?@3:27",
                     "Value \"BLACKK\" does not exist in \"FurColor\" enum. Did you mean the enum "
                     "value \"BLACK\"?@8:27");
}

static void good_lists(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    stringListArgField(stringListArg: [\"one\", null, \"two\"])\n"
                    "    a: stringListArgField(stringListArg: [])\n"
                    "    b: stringListArgField(stringListArg: null)\n"
                    "    c: stringListArgField(stringListArg: \"one\")\n"
                    "  }\n"
                    "}");
}

static void bad_list_items(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    stringListArgField(stringListArg: [\"one\", 2, ENUM])\n"
                     "  }\n"
                     "}",
                     "String cannot represent a non string value: 2@3:47",
                     "String cannot represent a non string value: ENUM@3:50");
}

static void non_null_list_item_null(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    stringListNonNullArgField(stringListNonNullArg: [\"one\", null])\n"
                     "  }\n"
                     "}",
                     "Expected value of type \"String!\", found null.@3:61");
}

static void list_where_scalar_expected(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    stringArgField(stringArg: [\"one\", 2])\n"
                     "  }\n"
                     "}",
                     "String cannot represent a non string value: [\"one\", 2]@3:31");
}

static void null_into_non_null(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    multipleReqs(req1: null, req2: 1)\n"
                     "  }\n"
                     "}",
                     "Expected value of type \"Int!\", found null.@3:24");
}

static void good_input_objects(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    complexArgField(complexArg: {requiredField: true})\n"
                    "    a: complexArgField(complexArg: {requiredField: false, intField: 4, "
                    "stringListField: [\"a\", \"b\"]})\n"
                    "  }\n"
                    "}");
}

static void input_object_missing_required(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_values_of_correct_type,
      "{\n"
      "  complicatedArgs {\n"
      "    complexArgField(complexArg: {intField: 4})\n"
      "  }\n"
      "}",
      "Field \"ComplexInput.requiredField\" of required type \"Boolean!\" was not provided.@3:33");
}

static void input_object_bad_field_value(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_values_of_correct_type,
      "{\n"
      "  complicatedArgs {\n"
      "    complexArgField(complexArg: {stringListField: [\"one\", 2], requiredField: true})\n"
      "  }\n"
      "}",
      "String cannot represent a non string value: 2@3:59");
}

static void input_object_unknown_field(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    complexArgField(complexArg: {requiredField: true, invalidField: "
                     "\"value\", booleanFeld: true})\n"
                     "  }\n"
                     "}",
                     "Field \"invalidField\" is not defined by type \"ComplexInput\". Did you mean "
                     "\"intField\"?@3:55",
                     "Field \"booleanFeld\" is not defined by type \"ComplexInput\". Did you mean "
                     "\"booleanField\"?@3:78");
}

static void input_object_null_for_required(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    complexArgField(complexArg: {requiredField: null, nonNullField: null})\n"
                     "  }\n"
                     "}",
                     "Expected value of type \"Boolean!\", found null.@3:49",
                     "Expected value of type \"Boolean!\", found null.@3:69");
}

static void object_where_scalar_expected(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    intArgField(intArg: {a: 1, b: \"x\"})\n"
                     "  }\n"
                     "}",
                     "Int cannot represent non-integer value: {a: 1, b: \"x\"}@3:25");
}

static void scalar_where_object_expected(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    complexArgField(complexArg: \"x\")\n"
                     "  }\n"
                     "}",
                     "Expected value of type \"ComplexInput\", found \"x\".@3:33");
}

static void oneof_good(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    oneOfArgField(oneOfArg: {stringField: \"abc\"})\n"
                    "  }\n"
                    "}");
}

static void oneof_two_keys(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    oneOfArgField(oneOfArg: {stringField: \"abc\", intField: 123})\n"
                     "  }\n"
                     "}",
                     "OneOf Input Object \"OneOfInput\" must specify exactly one key.@3:29");
}

static void oneof_no_keys(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    oneOfArgField(oneOfArg: {})\n"
                     "  }\n"
                     "}",
                     "OneOf Input Object \"OneOfInput\" must specify exactly one key.@3:29");
}

static void oneof_null_value(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    oneOfArgField(oneOfArg: {stringField: null})\n"
                     "  }\n"
                     "}",
                     "Field \"OneOfInput.stringField\" must be non-null.@3:29");
}

static void oneof_same_key_twice(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  complicatedArgs {\n"
                     "    oneOfArgField(oneOfArg: {intField: 1, intField: null})\n"
                     "  }\n"
                     "}",
                     "Field \"OneOfInput.intField\" must be non-null.@3:29");
}

static void directive_arguments(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_values_of_correct_type,
                     "{\n"
                     "  dog @include(if: \"yes\") {\n"
                     "    name @skip(if: ENUM)\n"
                     "  }\n"
                     "}",
                     "Boolean cannot represent a non boolean value: \"yes\"@2:20",
                     "Boolean cannot represent a non boolean value: ENUM@3:20");
}

static void variable_defaults(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "query WithDefaultValues(\n"
                    "  $a: Int = 1,\n"
                    "  $b: String = \"ok\",\n"
                    "  $c: ComplexInput = { requiredField: true, intField: 3 }\n"
                    "  $d: Int! = 123\n"
                    ") {\n"
                    "  dog { name }\n"
                    "}");
}

static void variable_bad_defaults(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_values_of_correct_type,
      "query InvalidDefaultValues(\n"
      "  $a: Int = \"one\",\n"
      "  $b: String = 4,\n"
      "  $c: ComplexInput = \"NotVeryComplex\"\n"
      "  $d: [Int] = [\"x\", 1]\n"
      "  $e: ComplexInput = {intField: \"x\"}\n"
      ") {\n"
      "  dog { name }\n"
      "}",
      "Int cannot represent non-integer value: \"one\"@2:13",
      "String cannot represent a non string value: 4@3:16",
      "Expected value of type \"ComplexInput\", found \"NotVeryComplex\".@4:22",
      "Int cannot represent non-integer value: \"x\"@5:16",
      "Field \"ComplexInput.requiredField\" of required type \"Boolean!\" was not provided.@6:22",
      "Int cannot represent non-integer value: \"x\"@6:33");
}

static void variables_are_not_checked(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "query ($a: String) {\n"
                    "  complicatedArgs {\n"
                    "    intArgField(intArg: $a)\n"
                    "    complexArgField(complexArg: {requiredField: $a, intField: $a})\n"
                    "  }\n"
                    "}");
}

static void unknown_argument_not_checked(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_values_of_correct_type,
                    "{\n"
                    "  complicatedArgs {\n"
                    "    intArgField(unknown: {a: [1, \"x\"]}, intArg: 1)\n"
                    "  }\n"
                    "}");
}

static void string_with_escapes(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_values_of_correct_type,
      "{\n"
      "  complicatedArgs {\n"
      "    intArgField(intArg: \"tab\\tquote\\\"\")\n"
      "    enumArgField(enumArg: \"tab\\tquote\\\"\")\n"
      "  }\n"
      "}",
      "Int cannot represent non-integer value: \"tab\\tquote\\\"\"@3:25",
      "Enum \"FurColor\" cannot represent non-enum value: \"tab\\tquote\\\"\".@4:27");
}

static void long_literal_in_message(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_values_of_correct_type,
      "{\n"
      "  complicatedArgs {\n"
      "    intArgField(intArg: "
      "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\")\n"
      "  }\n"
      "}",
      "Int cannot represent non-integer value: "
      "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"@3:25");
}

static void unique_input_fields_ok(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_input_field_names,
                    "{\n"
                    "  field(arg: { f1: \"value\", f2: \"value\", f3: { f1: \"a\", f2: \"b\" } }, "
                    "other: {f1: 1})\n"
                    "}");
}

static void unique_input_fields_duplicate(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_input_field_names,
                     "{\n"
                     "  field(arg: { f1: \"value\", f1: \"value\" })\n"
                     "}",
                     "There can be only one input field named \"f1\".@2:16@2:29");
}

static void unique_input_fields_many_duplicates(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_input_field_names,
                     "{\n"
                     "  field(arg: { f1: \"value\", f1: \"value\", f1: \"value\" })\n"
                     "}",
                     "There can be only one input field named \"f1\".@2:16@2:29",
                     "There can be only one input field named \"f1\".@2:16@2:42");
}

static void unique_input_fields_nested_duplicate_first(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_input_field_names,
                     "{\n"
                     "  field(arg: { f1: {f2: \"value\", f2: \"value\" }, f1: 1 })\n"
                     "}",
                     "There can be only one input field named \"f2\".@2:21@2:34",
                     "There can be only one input field named \"f1\".@2:16@2:49");
}

static void unique_input_fields_in_list(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_unique_input_field_names,
                     "{\n"
                     "  field(arg: [{ a: 1 }, { a: 2, a: 3 }])\n"
                     "}",
                     "There can be only one input field named \"a\".@2:27@2:33");
}

static void values_all_rules(void **state) {
  (void)state;
  expect_errors(
      "{\n"
      "  complicatedArgs {\n"
      "    complexArgField(complexArg: {requiredField: 1, requiredField: true, intField: 1.5})\n"
      "  }\n"
      "}",
      "Boolean cannot represent a non boolean value: 1@3:49",
      "There can be only one input field named \"requiredField\".@3:34@3:52",
      "Int cannot represent non-integer value: 1.5@3:83");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(good_scalar_literals),
      cmocka_unit_test(int_from_string),
      cmocka_unit_test(block_string_literals),
      cmocka_unit_test(int_from_float),
      cmocka_unit_test(int_out_of_range),
      cmocka_unit_test(int_from_enum),
      cmocka_unit_test(float_from_string),
      cmocka_unit_test(float_from_boolean),
      cmocka_unit_test(string_from_int),
      cmocka_unit_test(string_from_enum),
      cmocka_unit_test(boolean_from_string),
      cmocka_unit_test(id_from_float),
      cmocka_unit_test(id_from_boolean),
      cmocka_unit_test(enum_from_int),
      cmocka_unit_test(enum_from_string_with_suggestion),
      cmocka_unit_test(enum_unknown_value_with_suggestion),
      cmocka_unit_test(enum_unknown_value_other_suggestion),
      cmocka_unit_test(enum_unknown_value_no_suggestion),
      cmocka_unit_test(enum_several_suggestions),
      cmocka_unit_test(good_lists),
      cmocka_unit_test(bad_list_items),
      cmocka_unit_test(non_null_list_item_null),
      cmocka_unit_test(list_where_scalar_expected),
      cmocka_unit_test(null_into_non_null),
      cmocka_unit_test(good_input_objects),
      cmocka_unit_test(input_object_missing_required),
      cmocka_unit_test(input_object_bad_field_value),
      cmocka_unit_test(input_object_unknown_field),
      cmocka_unit_test(input_object_null_for_required),
      cmocka_unit_test(object_where_scalar_expected),
      cmocka_unit_test(scalar_where_object_expected),
      cmocka_unit_test(oneof_good),
      cmocka_unit_test(oneof_two_keys),
      cmocka_unit_test(oneof_no_keys),
      cmocka_unit_test(oneof_null_value),
      cmocka_unit_test(oneof_same_key_twice),
      cmocka_unit_test(directive_arguments),
      cmocka_unit_test(variable_defaults),
      cmocka_unit_test(variable_bad_defaults),
      cmocka_unit_test(variables_are_not_checked),
      cmocka_unit_test(unknown_argument_not_checked),
      cmocka_unit_test(string_with_escapes),
      cmocka_unit_test(long_literal_in_message),
      cmocka_unit_test(unique_input_fields_ok),
      cmocka_unit_test(unique_input_fields_duplicate),
      cmocka_unit_test(unique_input_fields_many_duplicates),
      cmocka_unit_test(unique_input_fields_nested_duplicate_first),
      cmocka_unit_test(unique_input_fields_in_list),
      cmocka_unit_test(values_all_rules),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
