/* suggest.h — graphql-js's "Did you mean" machinery, the one copy shared by
 * the SDL checks (schema_check.c), the validation rules and input coercion
 * (values.c).
 *
 * suggestionList picks the options within a lexical distance of the input
 * (optimal-string-alignment Damerau–Levenshtein over lower-cased text, a
 * change of case alone counting as one edit, at most floor(0.4 × length) + 1
 * edits), closest first, ties in natural order; didYouMean turns at most five
 * of them into the sentence appended to a message. Names are ASCII, so
 * lengths and lower-casing are per byte. Results live in the arena given. */
#ifndef DAGD_GRAPHQL_SUGGEST_H
#define DAGD_GRAPHQL_SUGGEST_H

#include <stddef.h>

typedef struct arena arena;

/* graphql-js's naturalCompare: like strcmp, but runs of digits compare as
 * numbers (a leading zero ends its run). */
int gql_natural_compare(const char *a, const char *b);

/* graphql-js's suggestionList: the options (duplicates allowed) close enough
 * to input, closest first, then in natural order, each once. Returns how
 * many; *out is an arena array of borrowed option pointers. */
size_t gql_suggestion_list(arena *a, const char *input, const char *const *options, size_t n,
                           const char ***out);

/* The items quoted and joined with "or": "\"a\"", "\"a\" or \"b\"",
 * "\"a\", \"b\", or \"c\"" ("" for none). */
const char *gql_quoted_or_list(arena *a, const char *const *items, size_t n);

/* graphql-js's didYouMean over suggestions already chosen: "" when n is 0,
 * else " Did you mean \"a\", \"b\", or \"c\"?" over the first five, with
 * " Did you mean <sub> \"a\"?" when sub is not NULL. */
const char *gql_did_you_mean(arena *a, const char *sub, const char *const *suggestions, size_t n);

/* Both at once: gql_did_you_mean(sub, gql_suggestion_list(input, options)). */
const char *gql_suggest(arena *a, const char *sub, const char *input, const char *const *options,
                        size_t n);

#endif
