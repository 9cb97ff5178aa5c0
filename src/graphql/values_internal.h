/* values_internal.h — private to values.c and exec.c: the value printing
 * that error messages share.
 *
 * Not part of the engine's contract; other modules use values.h. */
#ifndef DAGD_GRAPHQL_VALUES_INTERNAL_H
#define DAGD_GRAPHQL_VALUES_INTERNAL_H

#include "graphql/ast.h"

typedef struct arena arena;

/* v printed as graphql-js's inspect() prints the equivalent JavaScript
 * value: strings quoted, `{ a: 1 }`, `[1, 2]`, nesting beyond two levels
 * as [Object] / [Array], at most ten list items. In the arena. */
const char *gql_inspect_value(arena *a, const gql_value *v);

#endif
