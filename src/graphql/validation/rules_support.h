/* rules_support.h — private helpers of the validation rules (validate.c
 * and the rules_*.c files), next to vutil.h's string map and suggestions.
 *
 * A hash map keyed by pairs of pointers (compared by identity) living in the
 * validation arena, for memos keyed by AST nodes and types; and small lookups
 * several rules share. Not part of the framework contract in rules.h. */
#ifndef DAGD_GRAPHQL_VALIDATION_RULES_SUPPORT_H
#define DAGD_GRAPHQL_VALIDATION_RULES_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/ast.h"
#include "graphql/schema.h"
#include "graphql/validation/vutil.h"

typedef struct arena arena;

typedef struct gql_pairmap_entry {
  const void *a, *b; /* both NULL: an empty slot */
  void *value;
} gql_pairmap_entry;

/* (a, b) → pointer. A zeroed map is empty and ready. */
typedef struct gql_pairmap {
  gql_pairmap_entry *slots;
  size_t cap; /* 0 or a power of two */
  size_t n;
} gql_pairmap;

/* The value slot of (a, b), which must not both be NULL. With create, a
 * missing key is added with a NULL value; without, NULL is returned for it
 * (ar may then be NULL). */
void **gql_pairmap_slot(gql_pairmap *m, arena *ar, const void *a, const void *b, bool create);
/* The value stored for (a, b), NULL when absent. */
void *gql_pairmap_get(const gql_pairmap *m, const void *a, const void *b);

/* Adds the document's directive definitions to m, name → gql_directive_def
 * (the last of a name wins, as in graphql-js's maps). */
void gql_vdoc_directives(gql_namemap *m, arena *a, const gql_document *doc);

/* msg (an arena string) followed by graphql-js's suggestion sentence for
 * input among options (" Did you mean <sub> \"a\" or \"b\"?", or nothing). */
const char *gql_vsuggest(arena *a, const char *msg, const char *input, const char *const *options,
                         size_t n, const char *sub);

/* The names of argument or input field definitions, or of an enum's values,
 * as an array in a. */
const char **gql_vinput_value_names(arena *a, const gql_input_value *defs, size_t n);
const char **gql_venum_value_names(arena *a, const gql_type *t);

#endif
