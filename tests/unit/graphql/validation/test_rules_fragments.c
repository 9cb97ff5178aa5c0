/* test_rules_fragments.c — tests of rules_fragments.c: UniqueFragmentNames,
 * KnownFragmentNames, NoUnusedFragments, PossibleFragmentSpreads and
 * NoFragmentCycles, each checked alone against the harness schema. The
 * expected messages and locations are graphql-js 16's for the same
 * documents. */
#include "validation_harness.h"

static void unique_fragment_names(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_unique_fragment_names, "{ dog { name } }");
  expect_rule_valid(&gql_rule_unique_fragment_names,
                    "{ dog { ...fragA } } fragment fragA on Dog { name }");
  expect_rule_valid(&gql_rule_unique_fragment_names,
                    "{ dog { ...fragA ...fragB ... on Dog { name } } } fragment fragA on Dog { "
                    "name } fragment fragB on Dog { nickname }");
  expect_rule_valid(&gql_rule_unique_fragment_names,
                    "query Foo { dog { ...Foo } } fragment Foo on Dog { name }");
  expect_rule_errors(
      &gql_rule_unique_fragment_names,
      "{ dog { ...fragA } }\nfragment fragA on Dog { name }\nfragment fragA on Dog { nickname }",
      "There can be only one fragment named \"fragA\".@2:10@3:10");
  expect_rule_errors(&gql_rule_unique_fragment_names,
                     "fragment fragA on Dog { name }\nfragment fragA on Dog { nickname }\nfragment "
                     "fragA on Cat { name }",
                     "There can be only one fragment named \"fragA\".@1:10@2:10",
                     "There can be only one fragment named \"fragA\".@1:10@3:10");
}

static void known_fragment_names(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_known_fragment_names,
                    "{ human(id: 4) { ...HumanFields1 ... on Human { ...HumanFields2 } ... { name "
                    "} } } fragment HumanFields1 on Human { name ...HumanFields3 } fragment "
                    "HumanFields2 on Human { name } fragment HumanFields3 on Human { name }");
  expect_rule_errors(&gql_rule_known_fragment_names,
                     "{ human(id: 4) { ...UnknownFragment1 ... on Human { ...UnknownFragment2 } } "
                     "} fragment HumanFields on Human { name ...UnknownFragment3 }",
                     "Unknown fragment \"UnknownFragment1\".@1:21",
                     "Unknown fragment \"UnknownFragment2\".@1:56",
                     "Unknown fragment \"UnknownFragment3\".@1:119");
}

static void no_unused_fragments(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_no_unused_fragments,
                    "{ human(id: 4) { ...HumanFields1 ... on Human { ...HumanFields2 } } } "
                    "fragment HumanFields1 on Human { name ...HumanFields3 } fragment HumanFields2 "
                    "on Human { name } fragment HumanFields3 on Human { name }");
  expect_rule_valid(
      &gql_rule_no_unused_fragments,
      "query Foo { human(id: 4) { ...HumanFields1 } } query Bar { human(id: 4) { ...HumanFields2 } "
      "} fragment HumanFields1 on Human { name ...HumanFields3 } fragment HumanFields2 on Human { "
      "name } fragment HumanFields3 on Human { name }");
  expect_rule_errors(
      &gql_rule_no_unused_fragments,
      "query Foo { human(id: 4) { ...HumanFields1 } }\nquery Bar { human(id: 4) { ...HumanFields2 "
      "} }\nfragment HumanFields1 on Human { name ...HumanFields3 }\nfragment HumanFields2 on "
      "Human { name }\nfragment HumanFields3 on Human { name }\nfragment Unused1 on Human { name "
      "}\nfragment Unused2 on Human { name }",
      "Fragment \"Unused1\" is never used.@6:1", "Fragment \"Unused2\" is never used.@7:1");
  expect_rule_errors(
      &gql_rule_no_unused_fragments,
      "query Foo { human(id: 4) { ...HumanFields1 } }\nfragment HumanFields1 on Human { name "
      "...HumanFields3 }\nfragment HumanFields3 on Human { name }\nfragment Unused1 on Human { "
      "name ...Unused2 }\nfragment Unused2 on Human { name ...Unused1 }",
      "Fragment \"Unused1\" is never used.@4:1", "Fragment \"Unused2\" is never used.@5:1");
  expect_rule_errors(&gql_rule_no_unused_fragments,
                     "query Foo { human(id: 4) { ...bar } }\nfragment foo on Human { name }",
                     "Fragment \"foo\" is never used.@2:1");
  expect_rule_errors(&gql_rule_no_unused_fragments, "fragment Lonely on Dog { name }",
                     "Fragment \"Lonely\" is never used.@1:1");
  expect_rule_valid(&gql_rule_no_unused_fragments,
                    "{ dog { ...F } }\nfragment F on Dog { name }\nfragment F on Dog { nickname }");
}

static void possible_fragment_spreads_valid(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment objectWithinObject on Dog { ...dogFragment } fragment dogFragment on "
                    "Dog { barkVolume }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment objectWithinObjectAnon on Dog { ... on Dog { barkVolume } }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment objectWithinInterface on Pet { ...dogFragment } fragment dogFragment "
                    "on Dog { barkVolume }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment objectWithinUnion on CatOrDog { ...dogFragment } fragment "
                    "dogFragment on Dog { barkVolume }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment unionWithinObject on Dog { ...catOrDogFragment } fragment "
                    "catOrDogFragment on CatOrDog { __typename }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment unionWithinInterface on Pet { ...catOrDogFragment } fragment "
                    "catOrDogFragment on CatOrDog { __typename }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment unionWithinUnion on DogOrHuman { ...catOrDogFragment } fragment "
                    "catOrDogFragment on CatOrDog { __typename }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment interfaceWithinObject on Dog { ...petFragment } fragment petFragment "
                    "on Pet { name }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment interfaceWithinInterface on Pet { ...beingFragment } fragment "
                    "beingFragment on Pet { name }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment interfaceWithinUnion on CatOrDog { ...petFragment } fragment "
                    "petFragment on Pet { name }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment unknown on Dog { ...unknownFragment ...badType } fragment badType on "
                    "Unknown { name }");
  expect_rule_valid(
      &gql_rule_possible_fragment_spreads,
      "fragment scalar on Dog { ...scalarF ... on String { x } } fragment scalarF on Int { x }");
  expect_rule_valid(&gql_rule_possible_fragment_spreads,
                    "fragment interfaceWithinInterface on Mammal { ...canineFragment } fragment "
                    "canineFragment on Canine { name }");
}

static void possible_fragment_spreads_invalid(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidObjectWithinObject on Cat { ...dogFragment } fragment "
                     "dogFragment on Dog { barkVolume }",
                     "Fragment \"dogFragment\" cannot be spread here as objects of type \"Cat\" "
                     "can never be of type \"Dog\".@1:45");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidObjectWithinObjectAnon on Cat { ... on Dog { barkVolume } }",
                     "Fragment cannot be spread here as objects of type \"Cat\" can never be of "
                     "type \"Dog\".@1:49");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidObjectWithinInterface on Pet { ...humanFragment } fragment "
                     "humanFragment on Human { pets { name } }",
                     "Fragment \"humanFragment\" cannot be spread here as objects of type \"Pet\" "
                     "can never be of type \"Human\".@1:48");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidObjectWithinUnion on CatOrDog { ...humanFragment } fragment "
                     "humanFragment on Human { pets { name } }",
                     "Fragment \"humanFragment\" cannot be spread here as objects of type "
                     "\"CatOrDog\" can never be of type \"Human\".@1:49");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidUnionWithinObject on Human { ...catOrDogFragment } fragment "
                     "catOrDogFragment on CatOrDog { __typename }",
                     "Fragment \"catOrDogFragment\" cannot be spread here as objects of type "
                     "\"Human\" can never be of type \"CatOrDog\".@1:46");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidUnionWithinInterface on Pet { ...humanOrAlienFragment } "
                     "fragment humanOrAlienFragment on HumanOrAlien { __typename }",
                     "Fragment \"humanOrAlienFragment\" cannot be spread here as objects of type "
                     "\"Pet\" can never be of type \"HumanOrAlien\".@1:47");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidUnionWithinUnion on CatOrDog { ...humanOrAlienFragment } "
                     "fragment humanOrAlienFragment on HumanOrAlien { __typename }",
                     "Fragment \"humanOrAlienFragment\" cannot be spread here as objects of type "
                     "\"CatOrDog\" can never be of type \"HumanOrAlien\".@1:48");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidInterfaceWithinObject on Cat { ...canineFragment } fragment "
                     "canineFragment on Canine { name }",
                     "Fragment \"canineFragment\" cannot be spread here as objects of type \"Cat\" "
                     "can never be of type \"Canine\".@1:48");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "fragment invalidInterfaceWithinUnion on HumanOrAlien { ...petFragment } "
                     "fragment petFragment on Pet { name }",
                     "Fragment \"petFragment\" cannot be spread here as objects of type "
                     "\"HumanOrAlien\" can never be of type \"Pet\".@1:56");
  expect_rule_errors(
      &gql_rule_possible_fragment_spreads,
      "fragment invalidInterfaceWithinUnionAnon on HumanOrAlien { ... on Pet { name } }",
      "Fragment cannot be spread here as objects of type \"HumanOrAlien\" can never be of type "
      "\"Pet\".@1:60");
  expect_rule_errors(&gql_rule_possible_fragment_spreads,
                     "{ dog { ...F } } fragment F on Dog { name } fragment F on Cat { meows }",
                     "Fragment \"F\" cannot be spread here as objects of type \"Dog\" can never be "
                     "of type \"Cat\".@1:9");
}

static void no_fragment_cycles_valid(void **state) {
  (void)state;
  expect_rule_valid(&gql_rule_no_fragment_cycles,
                    "fragment fragA on Dog { ...fragB } fragment fragB on Dog { name }");
  expect_rule_valid(&gql_rule_no_fragment_cycles,
                    "fragment fragA on Dog { ...fragB ...fragB } fragment fragB on Dog { name }");
  expect_rule_valid(&gql_rule_no_fragment_cycles,
                    "fragment fragA on Dog { ...fragB ...fragC } fragment fragB on Dog { ...fragC "
                    "} fragment fragC on Dog { name }");
  expect_rule_valid(
      &gql_rule_no_fragment_cycles,
      "fragment nameFragment on Pet { ... on Dog { name } ... on Cat { name } } fragment "
      "spreadsInAnon on Pet { ... on Dog { ...nameFragment } ... on Cat { ...nameFragment } }");
  expect_rule_valid(&gql_rule_no_fragment_cycles,
                    "query Q { ...fragA } fragment fragA on QueryRoot { ...nonExistentFragment }");
}

static void no_fragment_cycles_invalid(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragA on Human { relatives { ...fragA } }",
                     "Cannot spread fragment \"fragA\" within itself.@1:39");
  expect_rule_errors(&gql_rule_no_fragment_cycles, "fragment fragA on Dog { ...fragA }",
                     "Cannot spread fragment \"fragA\" within itself.@1:25");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragA on Pet { ... on Dog { ...fragA } }",
                     "Cannot spread fragment \"fragA\" within itself.@1:38");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragA on Dog { ...fragB }\nfragment fragB on Dog { ...fragA }",
                     "Cannot spread fragment \"fragA\" within itself via \"fragB\".@1:25@2:25");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragB on Dog { ...fragA }\nfragment fragA on Dog { ...fragB }",
                     "Cannot spread fragment \"fragB\" within itself via \"fragA\".@1:25@2:25");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragA on Pet { ... on Dog { ...fragB } }\nfragment fragB on Pet { "
                     "... on Dog { ...fragA } }",
                     "Cannot spread fragment \"fragA\" within itself via \"fragB\".@1:38@2:38");
  expect_rule_errors(
      &gql_rule_no_fragment_cycles,
      "fragment fragA on Dog { ...fragB }\nfragment fragB on Dog { ...fragC }\nfragment fragC on "
      "Dog { ...fragO }\nfragment fragX on Dog { ...fragY }\nfragment fragY on Dog { ...fragZ "
      "}\nfragment fragZ on Dog { ...fragO }\nfragment fragO on Dog { ...fragP }\nfragment fragP "
      "on Dog { ...fragA ...fragX }",
      "Cannot spread fragment \"fragA\" within itself via \"fragB\", \"fragC\", \"fragO\", "
      "\"fragP\".@1:25@2:25@3:25@7:25@8:25",
      "Cannot spread fragment \"fragO\" within itself via \"fragP\", \"fragX\", \"fragY\", "
      "\"fragZ\".@7:25@8:34@4:25@5:25@6:25");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragA on Dog { ...fragB ...fragC }\nfragment fragB on Dog { "
                     "...fragA }\nfragment fragC on Dog { ...fragA }",
                     "Cannot spread fragment \"fragA\" within itself via \"fragB\".@1:25@2:25",
                     "Cannot spread fragment \"fragA\" within itself via \"fragC\".@1:34@3:25");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment fragA on Dog { ...fragC }\nfragment fragB on Dog { ...fragC "
                     "}\nfragment fragC on Dog { ...fragA ...fragB }",
                     "Cannot spread fragment \"fragA\" within itself via \"fragC\".@1:25@3:25",
                     "Cannot spread fragment \"fragC\" within itself via \"fragB\".@3:34@2:25");
  expect_rule_errors(
      &gql_rule_no_fragment_cycles,
      "fragment fragA on Dog { ...fragB }\nfragment fragB on Dog { ...fragB ...fragC }\nfragment "
      "fragC on Dog { ...fragA ...fragB }",
      "Cannot spread fragment \"fragB\" within itself.@2:25",
      "Cannot spread fragment \"fragA\" within itself via \"fragB\", \"fragC\".@1:25@2:34@3:25",
      "Cannot spread fragment \"fragB\" within itself via \"fragC\".@2:34@3:34");
  expect_rule_errors(&gql_rule_no_fragment_cycles,
                     "fragment A on Dog { mother { ...B } ... on Dog { ...C } }\nfragment B on Dog "
                     "{ father { ...A } }\nfragment C on Dog { ...A ...B }",
                     "Cannot spread fragment \"A\" within itself via \"C\".@1:50@3:21",
                     "Cannot spread fragment \"A\" within itself via \"C\", \"B\".@1:50@3:26@2:30");
}

/* A spread written "... Name" is located at the name (graphql-js locates
 * "Unknown fragment" there). */
static void known_fragment_names_spaced_spread(void **state) {
  (void)state;
  expect_rule_errors(&gql_rule_known_fragment_names, "{ dog { ...A ...   B } }",
                     "Unknown fragment \"A\".@1:12", "Unknown fragment \"B\".@1:20");
}

/* A chain of fragments far longer than any C stack would allow recursing
 * through, closed into one cycle at its end. */
static void no_fragment_cycles_long_chain(void **state) {
  (void)state;
  enum { N = 20000 };
  buf b;
  buf_init(&b, NULL);
  for (int i = 0; i < N; i++)
    buf_printf(&b, "fragment F%d on Dog { ...F%d }\n", i, i + 1);
  buf_printf(&b, "fragment F%d on Dog { ...F0 }\n", N);
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_limits lim = {.max_depth = 128};
  gql_document *doc = gql_parse(a, b.data, b.len, &lim, &errs);
  assert_non_null(doc);
  const gql_rule *rule = &gql_rule_no_fragment_cycles;
  assert_int_equal(gql_validate_rules(vh_schema(), doc, &rule, 1, a, &errs), 1);
  assert_int_equal(errs.items[0]->n_locations, N + 1);
  assert_int_equal(strncmp(errs.items[0]->message,
                           "Cannot spread fragment \"F0\" within itself via \"F1\", \"F2\", ", 57),
                   0);
  arena_free(a);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unique_fragment_names),
      cmocka_unit_test(known_fragment_names),
      cmocka_unit_test(no_unused_fragments),
      cmocka_unit_test(possible_fragment_spreads_valid),
      cmocka_unit_test(possible_fragment_spreads_invalid),
      cmocka_unit_test(no_fragment_cycles_valid),
      cmocka_unit_test(no_fragment_cycles_invalid),
      cmocka_unit_test(known_fragment_names_spaced_spread),
      cmocka_unit_test(no_fragment_cycles_long_chain),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
