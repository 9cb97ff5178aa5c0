/* test_schema_check.c — tests of graphql/schema_check.c: every SDL rule of
 * graphql-js's buildASTSchema and every type-system rule of validateSchema,
 * each with a failing schema and graphql-js 16's exact messages and
 * locations (checked against graphql-js; the root-type errors point at the
 * operation keyword where graphql-js points at the type name, which the
 * AST does not locate). The "Did you mean" machinery itself is tested in
 * test_suggest.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/schema.h"
#include "graphql/schema_internal.h"

/* Each case: SDL, then the errors as "message @line:col,line:col" lines
 * ("" when the schema is valid). */
static const struct {
  const char *sdl;
  const char *expected;
} cases[] = {
    {"type Query{a:Int} query { a }", ""},
    {"type Query{a:Int @deprecated(reason: 123)}",
     "Argument \"reason\" has invalid value 123. @1:38"},
    {"scalar X @specifiedBy(url: null) type Query{a:X}",
     "Argument \"url\" of non-null type \"String!\" must not be null. @1:28"},
    {"type Query{a:Int @deprecated(reason: [\"a\", 1])}",
     "Argument \"reason\" has invalid value [\"a\", 1]. @1:38"},
    {"type Query{a:Int @deprecated(reason: ENUM)}",
     "Argument \"reason\" has invalid value ENUM. @1:38"},
    {"scalar Query", "Query root type must be Object type, it cannot be Query. @1:1"},
    {"type Foo {a:Int}", "Query root type must be provided. @"},
    {"type Query{a:Strin}", "Unknown type \"Strin\". Did you mean \"String\"? @1:14"},
    {"type Query{a:Int} extend type Quer {b:Int}",
     "Cannot extend type \"Quer\" because it is not defined. Did you mean \"Query\"? @1:31"},
    {"type Query{a:Int} extend union Query = A",
     "Cannot extend non-union type \"Query\". @1:1,1:19\nUnknown type \"A\". @1:40"},
    {"type Query{a:Int @foo}", "Unknown directive \"@foo\". @1:18"},
    {"type Query{a:Int @deprecated @deprecated}",
     "The directive \"@deprecated\" can only be used once at this location. @1:18,1:30"},
    {"type Query{a:Int @deprecated(foo: 1)}",
     "Unknown argument \"foo\" on directive \"@deprecated\". @1:30"},
    {"scalar X @specifiedBy type Query{a:X}",
     "Directive \"@specifiedBy\" argument \"url\" of type \"String!\" is required, but it was not "
     "provided. @1:10"},
    {"type Query{a:Int} type Query{b:Int}",
     "There can be only one type named \"Query\". @1:6,1:24"},
    {"type Query{a:Int a:String}", "Field \"Query.a\" can only be defined once. @1:12,1:18"},
    {"type Query{a(x:Int, x:Int):Int}",
     "Argument \"Query.a(x:)\" can only be defined once. @1:14,1:21"},
    {"directive @d(x:Int, x:Int) on FIELD type Query{a:Int}",
     "Argument \"@d(x:)\" can only be defined once. @1:14,1:21"},
    {"directive @d on FIELD directive @d on FIELD type Query{a:Int}",
     "There can be only one directive named \"@d\". @1:12,1:34"},
    {"enum E {A A} type Query{a:E}", "Enum value \"E.A\" can only be defined once. @1:9,1:11"},
    {"type Query{a:Int} schema {query:Query} schema {query:Query}",
     "Must provide only one schema definition. @1:40\nThere can be only one query type in schema. "
     "@1:27,1:48"},
    {"type Query{a:Int} schema {query:Query query: Query}",
     "There can be only one query type in schema. @1:27,1:39"},
    {"schema {query:Query} type Query{a:Int} extend schema {query:Query}",
     "There can be only one query type in schema. @1:9,1:55"},
    {"type Query{a:Int} extend type Query {a: Int}",
     "Field \"Query.a\" can only be defined once. @1:12,1:38"},
    {"type Query{a(x: Int, x: Int): Int @deprecated(reason: \"a\", reason: \"b\")}",
     "Argument \"Query.a(x:)\" can only be defined once. @1:14,1:22\nThere can be only one "
     "argument named \"reason\". @1:47,1:60"},
    {"input I {a: Int, a: Int} type Query{a:Int}",
     "Field \"I.a\" can only be defined once. @1:10,1:18"},
    {"type Query{a:Int @skip(if: true)}",
     "Directive \"@skip\" may not be used on FIELD_DEFINITION. @1:18"},
    {"type Query{a:Int} directive @d(x: Int!) on FIELD_DEFINITION type X { a: Int @d }",
     "Directive \"@d\" argument \"x\" of type \"Int!\" is required, but it was not provided. "
     "@1:77"},
    {"type Query{a:Int} enum E {A} extend enum E {A}",
     "Enum value \"E.A\" can only be defined once. @1:27,1:45"},
    {"type Query{a(x: I = {a: 1, a: 2}): Int} input I {a: Int}",
     "There can be only one input field named \"a\". @1:22,1:28"},
    {"type Query{__a:Int}",
     "Name \"__a\" must not begin with \"__\", which is reserved by GraphQL introspection. @1:12"},
    {"type __Foo {a:Int} type Query{a:__Foo}",
     "Name \"__Foo\" must not begin with \"__\", which is reserved by GraphQL introspection. @1:1"},
    {"type Query {a: Int} type Mutation {a: Int} type Subscription {a: Int}", ""},
    {"schema {query: Q mutation: M} type Q {a: Int} input M {a: Int}",
     "Mutation root type must be Object type if provided, it cannot be M. @1:18"},
    {"schema {query: Q subscription: S} type Q {a: Int} enum S {A}",
     "Subscription root type must be Object type if provided, it cannot be S. @1:18"},
    {"type Query", "Type Query must define one or more fields. @1:1"},
    {"type Query {a: Int} interface I", "Type I must define one or more fields. @1:21"},
    {"type Query {a: I} interface I { a: Int } type A implements I { b: Int }",
     "Interface field I.a expected but A does not provide it. @1:33,1:42"},
    {"type Query {a: I} interface I { a: Int } type A implements I { a: String }",
     "Interface field I.a expects type Int but A.a is type String. @1:36,1:67"},
    {"type Query {a: I} interface I { a(x: Int): Int } type A implements I { a: Int }",
     "Interface field argument I.a(x:) expected but A.a does not provide it. @1:35,1:72"},
    {"type Query {a: I} interface I { a(x: Int): Int } type A implements I { a(x: String): Int }",
     "Interface field argument I.a(x:) expects type Int but A.a(x:) is type String. @1:38,1:77"},
    {"type Query {a: I} interface I { a: Int } type A implements I { a(y: Int!): Int }",
     "Object field A.a includes required argument y that is missing from the Interface field I.a. "
     "@1:66,1:33"},
    {"type Query {a: I} interface I { a: Int } type A implements I & I { a: Int }",
     "Type A can only implement I once. @1:60,1:64"},
    {"type Query {a: I} interface I implements I { a: Int }",
     "Type I cannot implement itself because it would create a circular reference. @1:42"},
    {"type Query {a: I} interface I implements J { a: Int } interface J implements I { a: Int }",
     "Type I cannot implement J because it would create a circular reference. @1:78,1:42\nType J "
     "cannot implement I because it would create a circular reference. @1:42,1:78"},
    {"type Query {a: I} interface J { a: Int } interface I implements J { a: Int } type A "
     "implements I { a: Int }",
     "Type A must implement J because it is implemented by I. @1:65,1:96"},
    {"type Query {a: Int} type A implements String { a: Int }",
     "Type A must only implement Interface types, it cannot implement String. @1:39"},
    {"type Query {a: U} union U", "Union type U must define one or more member types. @1:19"},
    {"type Query {a: U} union U = A | A type A {a: Int}",
     "Union type U can only include type A once. @1:29,1:33"},
    {"type Query {a: U} union U = String | I interface I {a: Int}",
     "Union type U can only include Object types, it cannot include String. @1:29\nUnion type U "
     "can only include Object types, it cannot include I. @1:38"},
    {"type Query {a: E} enum E", "Enum type E must define one or more values. @1:19"},
    {"type Query {a(x: I): Int} input I",
     "Input Object type I must define one or more fields. @1:27"},
    {"type Query {a(x: I): Int} input I { b: I! }",
     "Cannot reference Input Object \"I\" within itself through a series of non-null fields: "
     "\"b\". @1:37"},
    {"type Query {a(x: I): Int} input I { b: J! } input J { c: I! c2: I }",
     "Cannot reference Input Object \"I\" within itself through a series of non-null fields: "
     "\"b.c\". @1:37,1:55"},
    {"type Query {a(x: I): Int} input I { a: Int! b: String @deprecated }", ""},
    {"type Query {a(x: I): Int} input I { a: Int! @deprecated }",
     "Required input field I.a cannot be deprecated. @1:45,1:40"},
    {"type Query {a(x: Int! @deprecated): Int}",
     "Required argument Query.a(x:) cannot be deprecated. @1:23,1:18"},
    {"type Query {a(x: I): Int} input I @oneOf { a: Int! b: String = \"x\" }",
     "OneOf input field I.a must be nullable. @1:47\nOneOf input field I.b cannot have a default "
     "value. @1:52"},
    {"type Query {a(x: Query): Int}",
     "The type of Query.a(x:) must be Input Type but got: Query. @1:18"},
    {"type Query {a: I} input I {a: Int}",
     "The type of Query.a must be Output Type but got: I. @1:16"},
    {"type Query {a(x: I): Int} input I {a: Query}",
     "The type of I.a must be Input Type but got: Query. @1:39"},
    {"directive @d(x: Query) on FIELD type Query {a: Int}",
     "The type of @d(x:) must be Input Type but got: Query. @1:14"},
    {"directive @__d on FIELD type Query {a: Int}",
     "Name \"__d\" must not begin with \"__\", which is reserved by GraphQL introspection. @1:1"},
    {"directive @d(x: Int! @deprecated) on FIELD type Query {a: Int}",
     "Required argument @d(x:) cannot be deprecated. @1:22,1:17"},
    {"type Query {a: Int} scalar S extend type S {a: Int}",
     "Cannot extend non-object type \"S\". @1:21,1:30"},
    {"type Query {a: Int} type A {a: Int} extend type A @deprecated",
     "Directive \"@deprecated\" may not be used on OBJECT. @1:51"},
    {"type Query {a: Int} type A @oneOf {a: Int}",
     "Directive \"@oneOf\" may not be used on OBJECT. @1:28"},
    {"type Query {a: Int} extend schema @foo", "Unknown directive \"@foo\". @1:35"},
    {"type Query {a: Int @deprecated(reason: null)}", ""},
    {"type Query {a: Int} input I {a: Int} extend input I {b: Int @deprecated}", ""},
    {"type Query {a: Int} directive @r repeatable on FIELD_DEFINITION type T { a: Int @r @r }", ""},
    {"type Query {a: Nope, b: [Qery!]!}",
     "Unknown type \"Nope\". @1:16\nUnknown type \"Qery\". Did you mean \"Query\"? @1:26"},
    {"type Query {a: Int} extend type Query implements Nope", "Unknown type \"Nope\". @1:50"},
    {"type Query {a: I} interface I {a: Int} type A implements I {a: Int} extend type A implements "
     "I",
     "Type A can only implement I once. @1:58,1:94"},
    {"type Query {a: I, b: U, c(x: In): E} interface I {a: Int} union U = A type A implements I "
     "{a: Int} input In {a: Int} enum E {X}",
     ""},
    {"type Query {a: Int} extend type Query {b: String} extend type Query @deprecated",
     "Directive \"@deprecated\" may not be used on OBJECT. @1:69"},
    {"type Query {a: I} interface I {a: Int} type A implements I {b: Int} union U = I type __Bad "
     "{__x: Int} enum E input In",
     "Interface field I.a expected but A does not provide it. @1:32,1:40\nUnion type U can only "
     "include Object types, it cannot include I. @1:79\nName \"__Bad\" must not begin with \"__\", "
     "which is reserved by GraphQL introspection. @1:81\nName \"__x\" must not begin with \"__\", "
     "which is reserved by GraphQL introspection. @1:93\nEnum type E must define one or more "
     "values. @1:103\nInput Object type In must define one or more fields. @1:110"},
    {"type Query {a: I} interface I {a: [Int]} type A implements I {a: [Int!]!} type B implements "
     "I {a: Int}",
     "Interface field I.a expects type [Int] but B.a is type Int. @1:35,1:99"},
    {"type Query {a: I} interface I {a: I} type A implements I {a: A} type B implements I {a: "
     "Query}",
     "Interface field I.a expects type I but B.a is type Query. @1:35,1:89"},
};

/* Builds sdl and renders its errors as the table writes them. */
static const char *build_errors(arena *a, const char *sdl, bool *built) {
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(sdl, strlen(sdl), &errs);
  *built = s != NULL;
  gql_schema_free(s);
  buf b;
  buf_init(&b, a);
  for (size_t i = 0; i < errs.n; i++) {
    if (i)
      buf_putc(&b, '\n');
    buf_printf(&b, "%s @", errs.items[i]->message);
    for (size_t j = 0; j < errs.items[i]->n_locations; j++)
      buf_printf(&b, "%s%u:%u", j ? "," : "", errs.items[i]->locations[j].line,
                 errs.items[i]->locations[j].column);
  }
  return buf_cstr(&b);
}

static void test_rules_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    arena *a = arena_new(0);
    bool built;
    const char *got = build_errors(a, cases[i].sdl, &built);
    if (strcmp(got, cases[i].expected) != 0)
      print_error("SDL: %s\nexpected:\n%s\ngot:\n%s\n", cases[i].sdl, cases[i].expected, got);
    assert_string_equal(got, cases[i].expected);
    /* A schema comes back exactly when there is no error. */
    assert_int_equal(built, cases[i].expected[0] == '\0');
    arena_free(a);
  }
}

static void test_syntax_error_is_reported(void **state) {
  (void)state;
  arena *a = arena_new(0);
  bool built;
  const char *got = build_errors(a, "type Query {", &built);
  assert_false(built);
  assert_string_equal(got, "Syntax Error: Expected Name, found <EOF>. @1:13");
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rules_table),
      cmocka_unit_test(test_syntax_error_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
