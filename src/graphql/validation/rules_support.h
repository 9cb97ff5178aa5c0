/* rules_support.h — private helpers of the validation rules (validate.c
 * and the rules_*.c files): small lookups several rules share. The maps the
 * rules keep are base/strmap.h (names) and base/ptrmap.h (pointer pairs);
 * their "Did you mean" sentences come from graphql/suggest.h. Not part of
 * the framework contract in rules.h. */
#ifndef DAGD_GRAPHQL_VALIDATION_RULES_SUPPORT_H
#define DAGD_GRAPHQL_VALIDATION_RULES_SUPPORT_H

#include <stddef.h>

#include "base/strmap.h"
#include "graphql/ast.h"
#include "graphql/schema.h"

typedef struct arena arena;

/* Adds the document's directive definitions to m, name → gql_directive_def
 * (the last of a name wins, as in graphql-js's maps). */
void gql_vdoc_directives(strmap *m, arena *a, const gql_document *doc);

/* The names of argument or input field definitions, or of an enum's values,
 * as an array in a. */
const char **gql_vinput_value_names(arena *a, const gql_input_value *defs, size_t n);
const char **gql_venum_value_names(arena *a, const gql_type *t);

/* The names given more than once among names[0..n) (UniqueArgumentNames,
 * UniqueVariableNames): one group per such name, in the order of its first
 * occurrence, holding the indexes of all its occurrences in order. */
typedef struct gql_vdup {
  size_t *idx;
  size_t n;
} gql_vdup;
typedef struct gql_vdups {
  gql_vdup *items;
  size_t n;
} gql_vdups;
gql_vdups gql_vduplicates(arena *a, const char *const *names, size_t n);

#endif
