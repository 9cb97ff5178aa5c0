/* inspect.h — JavaScript values as graphql-js's messages print them, for
 * scalar coercion (scalars.c), input coercion (values.c), execution
 * (exec.c) and the printing of numbers (printer.c, introspection.c).
 *
 * Numbers as Number#toString prints them (1e+21, 1.5, 100, 1e-7); values as
 * inspect() does: strings JSON-quoted, `{ a: 1 }`, `[1, 2]`, empty `[]` and
 * `{}`, nesting past two levels as [Array] / [Object], at most ten list
 * items then ", ... N more items". An enum value inside a coerced value is
 * printed as the string it is in JavaScript. Private to src/graphql/. */
#ifndef DAGD_GRAPHQL_INSPECT_H
#define DAGD_GRAPHQL_INSPECT_H

#include "graphql/ast.h"
#include "graphql/schema.h"

typedef struct buf buf;

/* Room gql_js_number needs, NUL included. */
#define GQL_JS_NUMBER_SIZE 48

/* Number#toString of v into out: the shortest digits that read back,
 * positional from 1e-7 up to 1e21, exponential outside; NaN, Infinity. */
void gql_js_number(double v, char out[GQL_JS_NUMBER_SIZE]);
/* The same, appended to b. */
void gql_put_js_number(buf *b, double v);

/* inspect() of an input value (from JSON or coerced) and of a resolver's
 * value (JSON data included), appended to b. */
void gql_inspect_value_into(buf *b, const gql_value *v);
void gql_inspect_rv_into(buf *b, const gql_rv *r);

/* inspect() of v as an arena string. */
const char *gql_inspect_value(arena *a, const gql_value *v);

#endif
