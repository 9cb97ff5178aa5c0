/* validation_harness.h — shared helpers for the validation tests.
 *
 * Header-only (static functions), included by every
 * tests/unit/graphql/validation/test_*.c. It provides:
 *
 *   vh_schema()          the harness schema (SDL below: Dog, Cat, Pet, Human,
 *                        ComplicatedArgs, ...), built once per test binary;
 *                        register vh_teardown as the cmocka group teardown
 *                        so sanitizer runs see it freed.
 *   vh_build_schema(sdl) any other schema (the caller frees it).
 *
 *   expect_valid(query)                    all rules (gql_validate): no error
 *   expect_errors(query, "msg@1:2", ...)   all rules: exactly these errors,
 *                                          in this order
 *   expect_rule_valid(&gql_rule_x, query)  one rule (gql_validate_rules)
 *   expect_rule_errors(&gql_rule_x, query, "msg@1:2@3:4", ...)
 *   vh_expect(schema, rule_or_NULL, query, expected_NULL_terminated_array)
 *                                          the general form (another schema)
 *
 * An expected error is its message followed by "@line:column" for each of
 * its locations, in order ("There can be only one fragment named \"F\".@1:10@2:10");
 * an error without locations is just its message. A mismatch prints both
 * lists and fails the test. */
#ifndef DAGD_TESTS_VALIDATION_HARNESS_H
#define DAGD_TESTS_VALIDATION_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/error.h"
#include "graphql/parser.h"
#include "graphql/printer.h"
#include "graphql/schema.h"
#include "graphql/validate.h"
#include "graphql/validation/rules.h"

static const char vh_sdl[] =
    "schema { query: QueryRoot mutation: MutationRoot subscription: SubscriptionRoot }\n"
    "directive @onQuery on QUERY\n"
    "directive @onMutation on MUTATION\n"
    "directive @onSubscription on SUBSCRIPTION\n"
    "directive @onField on FIELD\n"
    "directive @onFragmentDefinition on FRAGMENT_DEFINITION\n"
    "directive @onFragmentSpread on FRAGMENT_SPREAD\n"
    "directive @onInlineFragment on INLINE_FRAGMENT\n"
    "directive @onVariableDefinition on VARIABLE_DEFINITION\n"
    "directive @repeatable repeatable on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @withArgs(intArg: Int, reqArg: String!, listArg: [Int] = [1], "
    "inputArg: ComplexInput) on FIELD | QUERY | VARIABLE_DEFINITION\n"
    "interface Mammal { mother: Mammal father: Mammal }\n"
    "interface Pet { name(surname: Boolean): String }\n"
    "interface Canine implements Mammal { name(surname: Boolean): String "
    "mother: Canine father: Canine }\n"
    "enum DogCommand { SIT HEEL DOWN }\n"
    "type Dog implements Pet & Mammal & Canine {\n"
    "  name(surname: Boolean): String\n"
    "  nickname: String\n"
    "  barkVolume: Int\n"
    "  barks: Boolean\n"
    "  doesKnowCommand(dogCommand: DogCommand): Boolean\n"
    "  isHouseTrained(atOtherHomes: Boolean = true): Boolean\n"
    "  isAtLocation(x: Int, y: Int): Boolean\n"
    "  mother: Dog\n"
    "  father: Dog\n"
    "}\n"
    "type Cat implements Pet {\n"
    "  name(surname: Boolean): String\n"
    "  nickname: String\n"
    "  meows: Boolean\n"
    "  meowsVolume: Int\n"
    "  furColor: FurColor\n"
    "}\n"
    "union CatOrDog = Cat | Dog\n"
    "type Human {\n"
    "  name(surname: Boolean): String\n"
    "  pets: [Pet]\n"
    "  relatives: [Human]!\n"
    "  iq: Int\n"
    "}\n"
    "union DogOrHuman = Dog | Human\n"
    "union HumanOrAlien = Human | Alien\n"
    "type Alien { name: String numEyes: Int }\n"
    "enum FurColor { BROWN BLACK TAN SPOTTED NO_FUR UNKNOWN }\n"
    "input ComplexInput {\n"
    "  requiredField: Boolean!\n"
    "  nonNullField: Boolean! = false\n"
    "  intField: Int\n"
    "  stringField: String\n"
    "  booleanField: Boolean\n"
    "  stringListField: [String]\n"
    "}\n"
    "input OneOfInput @oneOf { stringField: String intField: Int }\n"
    "type ComplicatedArgs {\n"
    "  intArgField(intArg: Int): String\n"
    "  nonNullIntArgField(nonNullIntArg: Int!): String\n"
    "  stringArgField(stringArg: String): String\n"
    "  booleanArgField(booleanArg: Boolean): String\n"
    "  enumArgField(enumArg: FurColor): String\n"
    "  floatArgField(floatArg: Float): String\n"
    "  idArgField(idArg: ID): String\n"
    "  stringListArgField(stringListArg: [String]): String\n"
    "  stringListNonNullArgField(stringListNonNullArg: [String!]): String\n"
    "  complexArgField(complexArg: ComplexInput): String\n"
    "  oneOfArgField(oneOfArg: OneOfInput): String\n"
    "  multipleReqs(req1: Int!, req2: Int!): String\n"
    "  nonNullFieldWithDefault(arg: Int! = 0): String\n"
    "  multipleOpts(opt1: Int = 0, opt2: Int = 0): String\n"
    "  multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String\n"
    "}\n"
    "type QueryRoot {\n"
    "  human(id: ID): Human\n"
    "  alien: Alien\n"
    "  dog: Dog\n"
    "  cat: Cat\n"
    "  pet: Pet\n"
    "  catOrDog: CatOrDog\n"
    "  dogOrHuman: DogOrHuman\n"
    "  humanOrAlien: HumanOrAlien\n"
    "  complicatedArgs: ComplicatedArgs\n"
    "}\n"
    "type MutationRoot { renameDog(name: String!): Dog }\n"
    "type Message { body: String sender: String }\n"
    "type SubscriptionRoot {\n"
    "  importantEmails: [String]\n"
    "  notImportantEmails: [String]\n"
    "  moreImportantEmails: [String]\n"
    "  spamEmails: [String]\n"
    "  deletedEmails: [String]\n"
    "  newMessage: Message\n"
    "}\n";

static gql_schema *vh_schema_ptr;

/* Builds a schema from SDL, failing the test (with the errors) when it does not build. */
static inline gql_schema *vh_build_schema(const char *sdl) {
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(sdl, strlen(sdl), &errs);
  for (size_t i = 0; i < errs.n; i++)
    print_error("schema: %s\n", errs.items[i]->message);
  arena_free(a);
  assert_non_null(s);
  return s;
}

static inline const gql_schema *vh_schema(void) {
  if (!vh_schema_ptr)
    vh_schema_ptr = vh_build_schema(vh_sdl);
  return vh_schema_ptr;
}

/* cmocka group teardown: frees the harness schema. */
static inline int vh_teardown(void **state) {
  (void)state;
  gql_schema_free(vh_schema_ptr);
  vh_schema_ptr = NULL;
  return 0;
}

/* Runs one rule (or all when rule is NULL) and compares the errors with
 * `expected` (NULL-terminated "message@line:col..." strings). */
static inline void vh_expect(const gql_schema *s, const gql_rule *rule, const char *query,
                             const char *const *expected) {
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_document *doc = gql_parse(a, query, strlen(query), NULL, &errs);
  if (!doc) {
    print_error("syntax error in test query: %s\n", errs.n ? errs.items[0]->message : "?");
    arena_free(a);
    fail();
  }
  if (rule)
    gql_validate_rules(s, doc, &rule, 1, a, &errs);
  else
    gql_validate(s, doc, a, &errs);
  size_t n_expected = 0;
  while (expected[n_expected])
    n_expected++;
  bool ok = errs.n == n_expected;
  buf got;
  buf_init(&got, a);
  for (size_t i = 0; i < errs.n; i++) {
    const gql_error *e = errs.items[i];
    size_t start = got.len;
    buf_puts(&got, e->message);
    for (size_t j = 0; j < e->n_locations; j++)
      buf_printf(&got, "@%u:%u", (unsigned)e->locations[j].line, (unsigned)e->locations[j].column);
    if (ok && strcmp(got.data + start, expected[i]) != 0)
      ok = false;
    buf_putc(&got, '\n');
  }
  if (!ok) {
    print_error("query:\n%s\nexpected %zu error(s):\n", query, n_expected);
    for (size_t i = 0; i < n_expected; i++)
      print_error("  %s\n", expected[i]);
    print_error("got %zu error(s):\n%s", errs.n, buf_cstr(&got));
  }
  arena_free(a);
  assert_true(ok);
}

#define VH_LIST(...) ((const char *const[]){__VA_ARGS__, NULL})
#define expect_valid(query) vh_expect(vh_schema(), NULL, (query), VH_LIST(NULL))
#define expect_errors(query, ...) vh_expect(vh_schema(), NULL, (query), VH_LIST(__VA_ARGS__))
#define expect_rule_valid(rule, query) vh_expect(vh_schema(), (rule), (query), VH_LIST(NULL))
#define expect_rule_errors(rule, query, ...)                                                       \
  vh_expect(vh_schema(), (rule), (query), VH_LIST(__VA_ARGS__))

#endif
