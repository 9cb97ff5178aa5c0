/* values.h — input coercion (spec §6.1.2 variables, §6.4.1 arguments, and
 * the input-coercion rules of each type in §3).
 *
 * Turns JSON variable values and literal values of a document into coerced
 * values (gql_value trees without variables, allocated in the request
 * arena), with graphql-js's error messages, e.g.
 *   Variable "$x" got invalid value "a"; Int cannot represent non-integer value: "a"
 *   Variable "$x" of required type "Int!" was not provided.
 *   Argument "id" of required type "ID!" was not provided. */
#ifndef DAGD_GRAPHQL_VALUES_H
#define DAGD_GRAPHQL_VALUES_H

#include <jansson.h>
#include <stdbool.h>

#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

typedef struct arena arena;

/* A JSON value as a gql_value tree (numbers: INT when integral in JSON text,
 * FLOAT otherwise; strings: STRING). Never NULL. */
gql_value *gql_value_from_json(arena *a, const json_t *j);

/* Coerces the operation's variables (vars may be NULL for none). Returns the
 * coerced variables as an OBJECT value, or NULL after adding errors. */
gql_value *gql_coerce_variables(const gql_schema *s, const gql_operation *op, const json_t *vars,
                                arena *a, gql_errors *errs);

/* Coerces a value against an input type. `from_variable` selects the rules
 * for values that came from JSON. Literal values may refer to variables
 * (looked up in `variables`, an OBJECT value or NULL). On failure returns
 * NULL and, when msg is non-NULL, sets *msg to the reason (in the arena).
 * A NULL-kind result is a coerced null. */
const gql_value *gql_coerce_value(const gql_schema *s, const gql_value *v, const gql_type *type,
                                  bool from_variable, const gql_value *variables, arena *a,
                                  const char **msg);

/* Coerces the arguments of a field or directive: returns an array aligned
 * with defs (NULL entries for absent arguments without defaults), or NULL
 * after adding an error located at loc. */
const gql_value **gql_coerce_arguments(const gql_schema *s, const gql_input_value *defs,
                                       size_t n_defs, const gql_argument *args, size_t n_args,
                                       const gql_value *variables, gql_loc loc, arena *a,
                                       gql_errors *errs);

/* A coerced value (no variables) as a new jansson value: INT as an integer
 * (a real when it overflows int64), FLOAT as a real, ENUM as its name.
 * NULL when it holds a number beyond a double's range (1e400), which JSON
 * values cannot carry. json_decref it. */
json_t *gql_value_to_json(const gql_value *v);

/* Looks up name in an OBJECT value; NULL when absent. */
const gql_value *gql_value_field(const gql_value *obj, const char *name);

#endif
