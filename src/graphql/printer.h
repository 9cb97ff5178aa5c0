/* printer.h — prints syntax back to GraphQL text, as graphql-js's print() does.
 *
 * Used for introspection's defaultValue, for error messages that quote a
 * value or a type ("Expected value of type \"Int!\", found \"x\".") and by
 * tests. */
#ifndef DAGD_GRAPHQL_PRINTER_H
#define DAGD_GRAPHQL_PRINTER_H

#include "base/buf.h"
#include "graphql/ast.h"

/* {a: 1, b: [X, "s"]} style, strings escaped as graphql-js prints them;
 * a STRING with block set prints as a block string ("""x"""), as in
 * graphql-js's print() and printForError. */
void gql_print_value(buf *out, const gql_value *v);
/* [Int!]! style. */
void gql_print_type_ref(buf *out, const gql_type_ref *t);
/* The whole document, formatted as graphql-js's print() formats it. */
void gql_print_document(buf *out, const gql_document *doc);

#endif
