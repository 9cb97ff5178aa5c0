/* testing.h (private to src/api) — schema parts that exist only to test the
 * transports: the testCounter subscription (testing.c). */
#ifndef DAGD_API_TESTING_H
#define DAGD_API_TESTING_H

#include "graphql/schema.h"

/* The SDL of the test subscription field, the body of an `extend type
 * Subscription` (api.c). */
extern const char api_testing_fields[];

/* Attaches the hooks of the fields in api_testing_fields; 0 on success, -1
 * when a field is missing. */
int api_testing_attach(gql_schema *s);

#endif
