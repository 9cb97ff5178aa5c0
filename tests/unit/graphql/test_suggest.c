/* test_suggest.c — unit tests for src/graphql/suggest.c: graphql-js's
 * suggestionList (distance threshold, case changes, transpositions, order by
 * distance then natural order, duplicates once), naturalCompare and the
 * didYouMean sentence with and without a sub-message. Every expected value
 * was taken from graphql-js 16's jsutils on the same input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/arena.h"
#include "graphql/suggest.h"

#define N(array) (sizeof(array) / sizeof((array)[0]))

/* The suggestion list of input among options, joined with "|". */
static const char *list(arena *a, const char *input, const char *const *options, size_t n) {
  const char **out;
  size_t k = gql_suggestion_list(a, input, options, n, &out);
  char *joined = arena_strdup(a, "");
  for (size_t i = 0; i < k; i++)
    joined = arena_printf(a, "%s%s%s", joined, i ? "|" : "", out[i]);
  return joined;
}

static void test_suggestion_list_threshold_and_order(void **state) {
  (void)state;
  arena *a = arena_new(0);
  const char *const names[] = {"Query", "Quarry", "query", "Mutation", "Queries"};
  /* A change of case costs one; then by distance, then naturally. */
  assert_string_equal(list(a, "Query", names + 1, 4), "query|Quarry|Queries");
  assert_string_equal(list(a, "Quer", names, 1), "Query");
  assert_string_equal(list(a, "Zzz", names, N(names)), "");
  /* The exact name first (distance 0), duplicates once, too-long options out. */
  const char *const abc[] = {"abc", "ABC", "abd", "abd", "xyz", "a", "abcde", "abcdef"};
  assert_string_equal(list(a, "abc", abc, N(abc)), "abc|ABC|abd|a|abcde");
  const char *const colors[] = {"RED", "GREEN", "BLUE", "GREENISH", "green"};
  assert_string_equal(list(a, "GREEN", colors, N(colors)), "GREEN|green|GREENISH|RED");
  /* Digit runs sort as numbers among equally distant options. */
  const char *const items[] = {"item10", "item9", "item010", "item9a", "items"};
  assert_string_equal(list(a, "item", items, N(items)), "item9|items|item9a|item10");
  const char *const many[] = {"a1", "a10", "a2", "a3", "a4", "a5", "a6"};
  assert_string_equal(list(a, "a", many, N(many)), "a1|a2|a3|a4|a5|a6");
  /* Transpositions cost one. */
  const char *const near[] = {"name", "nmae", "me", "nam", "names"};
  assert_string_equal(list(a, "nme", near, N(near)), "me|name|nmae|nam|names");
  const char *const swapped[] = {"Mutaiton"};
  assert_string_equal(list(a, "Mutation", swapped, 1), "Mutaiton");
  const char *const longer[] = {"verylongfieldnames", "veryLongFieldName", "shortname",
                                "verylongfield"};
  assert_string_equal(list(a, "verylongfieldname", longer, N(longer)),
                      "veryLongFieldName|verylongfieldnames|verylongfield");
  /* An empty input allows one edit. */
  const char *const short_names[] = {"a", "ab", ""};
  assert_string_equal(list(a, "", short_names, N(short_names)), "|a");
  assert_string_equal(list(a, "x", NULL, 0), "");
  arena_free(a);
}

static void test_natural_compare(void **state) {
  (void)state;
  assert_true(gql_natural_compare("a1", "a10") < 0);
  assert_true(gql_natural_compare("a10", "a9") > 0);
  assert_true(gql_natural_compare("x2y", "x10y") < 0);
  /* A leading zero ends its run: "01" reads as 0, then 1. */
  assert_true(gql_natural_compare("a01", "a1") < 0);
  assert_true(gql_natural_compare("a1", "a01") > 0);
  assert_true(gql_natural_compare("a0", "a00") < 0);
  assert_true(gql_natural_compare("a9b", "a9a") > 0);
  assert_true(gql_natural_compare("abc", "abd") < 0);
  assert_true(gql_natural_compare("a", "ab") < 0);
  assert_true(gql_natural_compare("ab", "a") > 0);
  assert_true(gql_natural_compare("B", "a") < 0);
  assert_int_equal(gql_natural_compare("same", "same"), 0);
  /* Long runs compare as JavaScript numbers do, without wrapping around. */
  assert_int_equal(gql_natural_compare("a99999999999999999999", "a99999999999999999998"), 0);
  assert_true(gql_natural_compare("a99999999999999999999", "a1") > 0);
}

static void test_quoted_or_list(void **state) {
  (void)state;
  arena *a = arena_new(0);
  const char *const xs[] = {"a", "b", "c", "d", "e", "f"};
  assert_string_equal(gql_quoted_or_list(a, xs, 0), "");
  assert_string_equal(gql_quoted_or_list(a, xs, 1), "\"a\"");
  assert_string_equal(gql_quoted_or_list(a, xs, 2), "\"a\" or \"b\"");
  assert_string_equal(gql_quoted_or_list(a, xs, 3), "\"a\", \"b\", or \"c\"");
  assert_string_equal(gql_quoted_or_list(a, xs, 6), "\"a\", \"b\", \"c\", \"d\", \"e\", or \"f\"");
  arena_free(a);
}

static void test_did_you_mean(void **state) {
  (void)state;
  arena *a = arena_new(0);
  const char *const xs[] = {"a1", "a2", "a3", "a4", "a5", "a6"};
  assert_string_equal(gql_did_you_mean(a, NULL, xs, 0), "");
  assert_string_equal(gql_did_you_mean(a, "the enum value", xs, 0), "");
  assert_string_equal(gql_did_you_mean(a, NULL, xs, 1), " Did you mean \"a1\"?");
  assert_string_equal(gql_did_you_mean(a, NULL, xs, 2), " Did you mean \"a1\" or \"a2\"?");
  /* At most five. */
  assert_string_equal(gql_did_you_mean(a, NULL, xs, 6),
                      " Did you mean \"a1\", \"a2\", \"a3\", \"a4\", or \"a5\"?");
  assert_string_equal(gql_did_you_mean(a, "the enum value", xs, 1),
                      " Did you mean the enum value \"a1\"?");
  assert_string_equal(gql_did_you_mean(a, "to use an inline fragment on", xs, 3),
                      " Did you mean to use an inline fragment on \"a1\", \"a2\", or \"a3\"?");
  arena_free(a);
}

static void test_suggest(void **state) {
  (void)state;
  arena *a = arena_new(0);
  const char *const names[] = {"Query", "Quarry", "query", "Mutation", "Queries"};
  assert_string_equal(gql_suggest(a, NULL, "Query", names + 1, 4),
                      " Did you mean \"query\", \"Quarry\", or \"Queries\"?");
  assert_string_equal(gql_suggest(a, "the enum value", "Quer", names, 1),
                      " Did you mean the enum value \"Query\"?");
  assert_string_equal(gql_suggest(a, NULL, "Zzz", names, N(names)), "");
  const char *const two[] = {"ab", "ac"};
  assert_string_equal(gql_suggest(a, NULL, "aa", two, 2), " Did you mean \"ab\" or \"ac\"?");
  const char *const many[] = {"a1", "a10", "a2", "a3", "a4", "a5", "a6"};
  assert_string_equal(gql_suggest(a, NULL, "a", many, N(many)),
                      " Did you mean \"a1\", \"a2\", \"a3\", \"a4\", or \"a5\"?");
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_suggestion_list_threshold_and_order),
      cmocka_unit_test(test_natural_compare),
      cmocka_unit_test(test_quoted_or_list),
      cmocka_unit_test(test_did_you_mean),
      cmocka_unit_test(test_suggest),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
