/* values_internal.h — private to values.c and exec.c: the value printing
 * that error messages share, which lives in inspect.h (gql_inspect_value);
 * this header stays for the files that include it.
 *
 * Not part of the engine's contract; other modules use values.h. */
#ifndef DAGD_GRAPHQL_VALUES_INTERNAL_H
#define DAGD_GRAPHQL_VALUES_INTERNAL_H

#include "graphql/inspect.h"

#endif
