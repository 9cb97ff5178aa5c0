/* test_rules_types.c — tests of rules_types.c: KnownTypeNames,
 * FragmentsOnCompositeTypes, VariablesAreInputTypes, ScalarLeafs and
 * FieldsOnCorrectType (with its "Did you mean" suggestions), each checked
 * alone against the harness schema. The expected messages and locations are
 * graphql-js 16's for the same documents. */
#include "validation_harness.h"

static void known_type_names_valid(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_type_names,
                    "query Foo($var: String, $required: [Int!]!, $introspectionType: __EnumValue) "
                    "{ dog { ... on Dog { name } ...F } } fragment F on Pet { name }");
  expect_rule_valid(&gql_rule_known_type_names,
                    "query ($c: ComplexInput, $f: FurColor) { __typename }");
  expect_rule_valid(&gql_rule_known_type_names,
                    "fragment F on Cow { name } type Cow { name: String }");
}

static void known_type_names_invalid(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_type_names,
                     "query Foo($var: [JumbledUpLetters!]!) { user(id: 4) { name pets { ... on "
                     "Badger { name } ...PetFields } } } fragment PetFields on Peat { name }",
                     "Unknown type \"JumbledUpLetters\".@1:18", "Unknown type \"Badger\".@1:74",
                     "Unknown type \"Peat\". Did you mean \"Pet\" or \"Cat\"?@1:131");
  expect_rule_errors(
      &gql_rule_known_type_names,
      "query ($a: complexinput, $b: Strin, $c: Dgo) { dog { ... on Humna { name } } }",
      "Unknown type \"complexinput\". Did you mean \"ComplexInput\"?@1:12",
      "Unknown type \"Strin\". Did you mean \"String\"?@1:30",
      "Unknown type \"Dgo\". Did you mean \"Dog\"?@1:41",
      "Unknown type \"Humna\". Did you mean \"Human\"?@1:61");
  expect_rule_errors(&gql_rule_known_type_names, "query ($a: Int2, $b: Cat1) { __typename }",
                     "Unknown type \"Int2\". Did you mean \"Int\"?@1:12",
                     "Unknown type \"Cat1\". Did you mean \"Cat\"?@1:22");
  expect_rule_errors(&gql_rule_known_type_names, "fragment F on Boolean1 { name }",
                     "Unknown type \"Boolean1\". Did you mean \"Boolean\"?@1:15");
}

static void known_type_names_in_type_definitions(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_known_type_names,
      "type Q { a: String b: Bool c(x: Integer): [Float!] } interface I implements Unk { a: Strng "
      "} union U = Dogg | Cat input In { f: Intt = 1 } directive @d(a: Inp) on FIELD",
      "Unknown type \"Bool\".@1:23", "Unknown type \"Integer\".@1:33",
      "Unknown type \"Unk\". Did you mean \"In\", \"Int\", or \"U\"?@1:77",
      "Unknown type \"Strng\". Did you mean \"String\"?@1:86",
      "Unknown type \"Dogg\". Did you mean \"Dog\"?@1:104",
      "Unknown type \"Intt\". Did you mean \"Int\" or \"In\"?@1:129",
      "Unknown type \"Inp\". Did you mean \"In\", \"Int\", \"I\", or \"ID\"?@1:156");
  expect_rule_valid(&gql_rule_known_type_names, "type Q { a: Int b: __Type }");
}

static void fragments_on_composite_types(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_fragments_on_composite_types,
                    "fragment validFragment on Dog { barks }");
  expect_rule_valid(&gql_rule_fragments_on_composite_types,
                    "fragment validFragment on Pet { name }");
  expect_rule_valid(&gql_rule_fragments_on_composite_types,
                    "fragment validFragment on CatOrDog { __typename }");
  expect_rule_valid(&gql_rule_fragments_on_composite_types,
                    "fragment validFragment on Pet { ... on Dog { barks } ... { name } }");
  expect_rule_valid(&gql_rule_fragments_on_composite_types, "fragment F on Unknown { a }");
  expect_rule_errors(
      &gql_rule_fragments_on_composite_types, "fragment scalarFragment on Boolean { bad }",
      "Fragment \"scalarFragment\" cannot condition on non composite type \"Boolean\".@1:28");
  expect_rule_errors(
      &gql_rule_fragments_on_composite_types, "fragment scalarFragment on FurColor { bad }",
      "Fragment \"scalarFragment\" cannot condition on non composite type \"FurColor\".@1:28");
  expect_rule_errors(
      &gql_rule_fragments_on_composite_types,
      "fragment inputFragment on ComplexInput { stringField }",
      "Fragment \"inputFragment\" cannot condition on non composite type \"ComplexInput\".@1:27");
  expect_rule_errors(&gql_rule_fragments_on_composite_types,
                     "fragment invalidFragment on Pet { ... on String { barks } }",
                     "Fragment cannot condition on non composite type \"String\".@1:42");
  expect_rule_errors(&gql_rule_fragments_on_composite_types,
                     "{ dog { ... on Int { x } ... on DogCommand { y } ... on Dog { name } } }",
                     "Fragment cannot condition on non composite type \"Int\".@1:16",
                     "Fragment cannot condition on non composite type \"DogCommand\".@1:33");
}

static void variables_are_input_types(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_variables_are_input_types,
                    "query Foo($a: Unknown, $b: [[CustomType!]!], $c: ComplexInput, $d: FurColor, "
                    "$e: [String!]!) { field(a: $a, b: $b, c: $c) }");
  expect_rule_errors(
      &gql_rule_variables_are_input_types,
      "query Foo($a: Dog, $b: [[CatOrDog!]!], $c: Pet) { field(a: $a, b: $b, c: $c) }",
      "Variable \"$a\" cannot be non-input type \"Dog\".@1:15",
      "Variable \"$b\" cannot be non-input type \"[[CatOrDog!]!]\".@1:24",
      "Variable \"$c\" cannot be non-input type \"Pet\".@1:44");
  expect_rule_errors(&gql_rule_variables_are_input_types,
                     "query Foo($a: [Dog!]!, $b: Human!) { __typename }",
                     "Variable \"$a\" cannot be non-input type \"[Dog!]!\".@1:15",
                     "Variable \"$b\" cannot be non-input type \"Human!\".@1:28");
}

static void scalar_leafs(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_scalar_leafs, "fragment scalarSelection on Dog { barks }");
  expect_rule_valid(&gql_rule_scalar_leafs,
                    "fragment objectFieldSelection on Dog { __typename name }");
  expect_rule_errors(&gql_rule_scalar_leafs, "query directQueryOnObjectWithoutSubFields { human }",
                     "Field \"human\" of type \"Human\" must have a selection of subfields. Did "
                     "you mean \"human { ... }\"?@1:45");
  expect_rule_errors(&gql_rule_scalar_leafs, "query directQueryOnInterfaceWithoutSubFields { pet }",
                     "Field \"pet\" of type \"Pet\" must have a selection of subfields. Did you "
                     "mean \"pet { ... }\"?@1:48");
  expect_rule_errors(&gql_rule_scalar_leafs,
                     "query directQueryOnUnionWithoutSubFields { catOrDog }",
                     "Field \"catOrDog\" of type \"CatOrDog\" must have a selection of subfields. "
                     "Did you mean \"catOrDog { ... }\"?@1:44");
  expect_rule_errors(
      &gql_rule_scalar_leafs,
      "fragment scalarSelectionsNotAllowedOnBoolean on Dog { barks { sinceWhen } }",
      "Field \"barks\" must not have a selection since type \"Boolean\" has no subfields.@1:61");
  expect_rule_errors(&gql_rule_scalar_leafs,
                     "fragment scalarSelectionsNotAllowedOnEnum on Cat { furColor { inHexDec } }",
                     "Field \"furColor\" must not have a selection since type \"FurColor\" has no "
                     "subfields.@1:61");
  expect_rule_errors(&gql_rule_scalar_leafs,
                     "fragment scalarSelectionsNotAllowedWithArgs on Dog { "
                     "doesKnowCommand(dogCommand: SIT) { sinceWhen } }",
                     "Field \"doesKnowCommand\" must not have a selection since type \"Boolean\" "
                     "has no subfields.@1:87");
  expect_rule_errors(
      &gql_rule_scalar_leafs,
      "fragment scalarSelectionsNotAllowedWithDirectives on Dog { name @include(if: true) { "
      "isAlsoHumanName } }",
      "Field \"name\" must not have a selection since type \"String\" has no subfields.@1:84");
  expect_rule_errors(&gql_rule_scalar_leafs, "{ human { relatives pets } }",
                     "Field \"relatives\" of type \"[Human]!\" must have a selection of subfields. "
                     "Did you mean \"relatives { ... }\"?@1:11",
                     "Field \"pets\" of type \"[Pet]\" must have a selection of subfields. Did you "
                     "mean \"pets { ... }\"?@1:21");
  expect_rule_errors(&gql_rule_scalar_leafs, "{ human { relatives { relatives { pets } } } }",
                     "Field \"pets\" of type \"[Pet]\" must have a selection of subfields. Did you "
                     "mean \"pets { ... }\"?@1:35");
  expect_rule_valid(&gql_rule_scalar_leafs, "{ dog { unknown { x } } }");
  expect_rule_errors(&gql_rule_scalar_leafs,
                     "{ __typename { x } __schema __type(name: \"Dog\") { fields } }",
                     "Field \"__typename\" must not have a selection since type \"String!\" has no "
                     "subfields.@1:14",
                     "Field \"__schema\" of type \"__Schema!\" must have a selection of subfields. "
                     "Did you mean \"__schema { ... }\"?@1:20",
                     "Field \"fields\" of type \"[__Field!]\" must have a selection of subfields. "
                     "Did you mean \"fields { ... }\"?@1:51");
}

static void fields_on_correct_type_valid(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_fields_on_correct_type,
                    "fragment objectFieldSelection on Dog { __typename name }");
  expect_rule_valid(
      &gql_rule_fields_on_correct_type,
      "fragment aliasedObjectFieldSelection on Dog { tn : __typename otherName : name }");
  expect_rule_valid(&gql_rule_fields_on_correct_type,
                    "fragment interfaceFieldSelection on Pet { __typename name }");
  expect_rule_valid(&gql_rule_fields_on_correct_type,
                    "fragment lyingAliasSelection on Dog { name : nickname }");
  expect_rule_valid(&gql_rule_fields_on_correct_type,
                    "fragment unknownSelection on UnknownType { unknownField }");
  expect_rule_valid(&gql_rule_fields_on_correct_type,
                    "fragment objectFieldSelection on Dog { ... on Cat { meows } }");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment typeKnownAgain on Pet { unknown_pet_field { ... on Cat { unknown_cat_field } } }",
      "Cannot query field \"unknown_pet_field\" on type \"Pet\".@1:34",
      "Cannot query field \"unknown_cat_field\" on type \"Cat\".@1:67");
  expect_rule_valid(
      &gql_rule_fields_on_correct_type,
      "fragment validFieldInInlineFragment on Pet { ... on Dog { name } ... { name } }");
  expect_rule_valid(&gql_rule_fields_on_correct_type,
                    "fragment onUnion on CatOrDog { __typename }");
  expect_rule_valid(
      &gql_rule_fields_on_correct_type,
      "{ __schema { queryType { name } } __type(name: \"Dog\") { name } __typename }");
}

static void fields_on_correct_type_invalid(void **state) {
  (void)state;
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment typeKnownAgain on Pet { unknown_pet_field { ... on Cat { unknown_cat_field } } }",
      "Cannot query field \"unknown_pet_field\" on type \"Pet\".@1:34",
      "Cannot query field \"unknown_cat_field\" on type \"Cat\".@1:67");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type, "fragment fieldNotDefined on Dog { meowVolume }",
      "Cannot query field \"meowVolume\" on type \"Dog\". Did you mean \"barkVolume\"?@1:35");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment deepFieldNotDefined on Dog { unknown_field { deeper_unknown_field } }",
      "Cannot query field \"unknown_field\" on type \"Dog\".@1:39");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "fragment subFieldNotDefined on Human { pets { unknown_field } }",
                     "Cannot query field \"unknown_field\" on type \"Pet\".@1:47");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment fieldNotDefined on Pet { ... on Dog { meowVolume } }",
      "Cannot query field \"meowVolume\" on type \"Dog\". Did you mean \"barkVolume\"?@1:48");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment aliasedFieldTargetNotDefined on Dog { volume : mooVolume }",
      "Cannot query field \"mooVolume\" on type \"Dog\". Did you mean \"barkVolume\"?@1:48");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment aliasedLyingFieldTargetNotDefined on Dog { barkVolume : kawVolume }",
      "Cannot query field \"kawVolume\" on type \"Dog\". Did you mean \"barkVolume\"?@1:53");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "fragment notDefinedOnInterface on Pet { tailLength }",
                     "Cannot query field \"tailLength\" on type \"Pet\".@1:41");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "fragment definedOnImplementorsButNotInterface on Pet { nickname }",
                     "Cannot query field \"nickname\" on type \"Pet\". Did you mean to use an "
                     "inline fragment on \"Cat\" or \"Dog\"?@1:56");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "fragment definedOnImplementorsQueriedOnUnion on CatOrDog { name }",
                     "Cannot query field \"name\" on type \"CatOrDog\". Did you mean to use an "
                     "inline fragment on \"Pet\", \"Canine\", \"Cat\", or \"Dog\"?@1:60");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "fragment directFieldSelectionOnUnion on CatOrDog { directField }",
                     "Cannot query field \"directField\" on type \"CatOrDog\".@1:52");
  expect_rule_errors(&gql_rule_fields_on_correct_type, "fragment f on DogOrHuman { name }",
                     "Cannot query field \"name\" on type \"DogOrHuman\". Did you mean to use an "
                     "inline fragment on \"Canine\", \"Human\", \"Pet\", or \"Dog\"?@1:28");
  expect_rule_errors(&gql_rule_fields_on_correct_type, "fragment f on Mammal { name }",
                     "Cannot query field \"name\" on type \"Mammal\". Did you mean to use an "
                     "inline fragment on \"Canine\", \"Pet\", or \"Dog\"?@1:24");
  expect_rule_errors(&gql_rule_fields_on_correct_type, "fragment f on Canine { barks }",
                     "Cannot query field \"barks\" on type \"Canine\". Did you mean to use an "
                     "inline fragment on \"Dog\"?@1:24");
  expect_rule_errors(&gql_rule_fields_on_correct_type, "fragment f on HumanOrAlien { name }",
                     "Cannot query field \"name\" on type \"HumanOrAlien\". Did you mean to use an "
                     "inline fragment on \"Alien\" or \"Human\"?@1:30");
  expect_rule_errors(
      &gql_rule_fields_on_correct_type,
      "fragment f on Dog { NAME nicknam BarkVolume isAtLocatoin __typenam }",
      "Cannot query field \"NAME\" on type \"Dog\". Did you mean \"name\"?@1:21",
      "Cannot query field \"nicknam\" on type \"Dog\". Did you mean \"nickname\"?@1:26",
      "Cannot query field \"BarkVolume\" on type \"Dog\". Did you mean \"barkVolume\"?@1:34",
      "Cannot query field \"isAtLocatoin\" on type \"Dog\". Did you mean \"isAtLocation\"?@1:45",
      "Cannot query field \"__typenam\" on type \"Dog\".@1:58");
  expect_rule_errors(&gql_rule_fields_on_correct_type, "fragment f on ComplicatedArgs { ArgField }",
                     "Cannot query field \"ArgField\" on type \"ComplicatedArgs\". Did you mean "
                     "\"idArgField\", \"intArgField\", or \"enumArgField\"?@1:33");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "{ dog { __schema { queryType { name } } __type(name: \"Dog\") { name } } }",
                     "Cannot query field \"__schema\" on type \"Dog\".@1:9",
                     "Cannot query field \"__type\" on type \"Dog\".@1:41");
  expect_rule_errors(&gql_rule_fields_on_correct_type,
                     "mutation { __schema { queryType { name } } }",
                     "Cannot query field \"__schema\" on type \"MutationRoot\".@1:12");
}

/* Suggested types order by how many of the possible types have the field,
 * super types before their subtypes, then natural order (digits as numbers). */
static void fields_on_correct_type_suggestion_order(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(
      "interface T { x: Int } interface Animal implements T { x: Int name: String }\n"
      "type Item10 implements T { x: Int name: String }\n"
      "type Item2 implements Animal & T { x: Int name: String }\n"
      "type Item1 implements T { x: Int name: String }\n"
      "union U = Item10 | Item2 | Item1\n"
      "type Query { t: T u: U item1: Item1 }");
  vh_expect(s, &gql_rule_fields_on_correct_type, "{ t { name } u { name } }",
            VH_LIST("Cannot query field \"name\" on type \"T\". Did you mean to use an inline "
                    "fragment on \"Animal\", \"Item1\", \"Item2\", or \"Item10\"?@1:7",
                    "Cannot query field \"name\" on type \"U\". Did you mean to use an inline "
                    "fragment on \"Animal\", \"Item1\", \"Item2\", or \"Item10\"?@1:18"));
  vh_expect(
      s, &gql_rule_fields_on_correct_type, "{ item1 { nam1 } item2 }",
      VH_LIST("Cannot query field \"nam1\" on type \"Item1\". Did you mean \"name\"?@1:11",
              "Cannot query field \"item2\" on type \"Query\". Did you mean \"item1\"?@1:18"));
  gql_schema_free(s);
}

/* At most five suggestions, closest first. */
static void fields_on_correct_type_many_suggestions(void **state) {
  (void)state;
  gql_schema *s = vh_build_schema(
      "type Query { f: T }\n"
      "type T { aaa: Int aab: Int aac: Int aad: Int aae: Int aaf: Int abb: Int zzz: Int }");
  vh_expect(s, &gql_rule_fields_on_correct_type, "{ f { aa } }",
            VH_LIST("Cannot query field \"aa\" on type \"T\". Did you mean \"aaa\", \"aab\", "
                    "\"aac\", \"aad\", or \"aae\"?@1:7"));
  gql_schema_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_type_names_valid),
      cmocka_unit_test(known_type_names_invalid),
      cmocka_unit_test(known_type_names_in_type_definitions),
      cmocka_unit_test(fragments_on_composite_types),
      cmocka_unit_test(variables_are_input_types),
      cmocka_unit_test(scalar_leafs),
      cmocka_unit_test(fields_on_correct_type_valid),
      cmocka_unit_test(fields_on_correct_type_invalid),
      cmocka_unit_test(fields_on_correct_type_suggestion_order),
      cmocka_unit_test(fields_on_correct_type_many_suggestions),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
