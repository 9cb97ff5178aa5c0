/* vutil.h — small helpers shared by the validation rules (private to
 * src/graphql/validation/).
 *
 * A string-keyed hash map living in the validation arena (rules keep the
 * names they have seen in one), and graphql-js's "Did you mean" machinery:
 * suggestionList (options within a lexical distance of the input, closest
 * first) and didYouMean (the sentence appended to a message). */
#ifndef DAGD_GRAPHQL_VALIDATION_VUTIL_H
#define DAGD_GRAPHQL_VALIDATION_VUTIL_H

#include <stddef.h>

typedef struct arena arena;

/* name → pointer. A zeroed map is empty and ready; keys are not copied. */
typedef struct gql_namemap {
  const char **keys;
  const void **vals;
  size_t cap; /* 0 or a power of two */
  size_t n;
} gql_namemap;

/* The value stored under key, NULL when absent. */
const void *gql_namemap_get(const gql_namemap *m, const char *key);
/* Stores val under key (replacing an earlier value); val must not be NULL. */
void gql_namemap_put(gql_namemap *m, arena *a, const char *key, const void *val);

/* graphql-js's naturalCompare: like strcmp, but runs of digits compare as numbers. */
int gql_natural_compare(const char *a, const char *b);

/* graphql-js's suggestionList: the options (duplicates allowed) whose lexical
 * distance to input is small enough, closest first, then in natural order,
 * each once. Returns how many; *out is an arena array. */
size_t gql_suggestion_list(arena *a, const char *input, const char *const *options, size_t n,
                           const char ***out);

/* graphql-js's didYouMean: "" for no suggestion, else " Did you mean \"a\", \"b\", or \"c\"?"
 * (at most 5; with `sub`: " Did you mean <sub> \"a\"?"). sub may be NULL. */
const char *gql_vdid_you_mean(arena *a, const char *sub, const char *const *suggestions, size_t n);

#endif
