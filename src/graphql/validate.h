/* validate.h — validation of executable documents (spec §5).
 *
 * Runs every rule of the specification (graphql-js's specifiedRules) in one
 * walk over the document, with graphql-js's messages and locations. */
#ifndef DAGD_GRAPHQL_VALIDATE_H
#define DAGD_GRAPHQL_VALIDATE_H

#include <stddef.h>

#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

typedef struct arena arena;

/* Stops after this many errors, adding graphql-js's "Too many validation
 * errors, error limit reached. Validation aborted." */
#define GQL_VALIDATE_MAX_ERRORS 100

/* Validates doc against s; adds errors to errs and returns how many. */
size_t gql_validate(const gql_schema *s, const gql_document *doc, arena *a, gql_errors *errs);

#endif
