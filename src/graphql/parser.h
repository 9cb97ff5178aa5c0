/* parser.h — lexer and recursive-descent parser for GraphQL documents.
 *
 * Parses executable documents and the type-system language (SDL) per the
 * GraphQL specification (October 2021 and the current draft: descriptions,
 * block strings, repeatable directives, interfaces implementing interfaces,
 * schema and type extensions). Errors read as graphql-js's do ("Syntax Error:
 * Expected Name, found <EOF>.") and carry line and column. Limits bound the
 * document size, the token count and the nesting depth, so no input can
 * exhaust the stack or memory. */
#ifndef DAGD_GRAPHQL_PARSER_H
#define DAGD_GRAPHQL_PARSER_H

#include <stddef.h>

#include "graphql/ast.h"
#include "graphql/error.h"

typedef struct gql_limits {
  size_t max_document_bytes; /* 0: no limit */
  size_t max_tokens;         /* 0: no limit */
  unsigned max_depth;        /* nesting of selection sets, lists, objects and types; never 0 */
} gql_limits;

/* 1 MiB documents, 100,000 tokens, depth 128. */
extern const gql_limits gql_default_limits;

/* Parses src[0..len) into a document allocated in `a`. On a syntax error or a
 * broken limit returns NULL and adds exactly one error to errs. lim may be
 * NULL for the defaults. */
gql_document *gql_parse(arena *a, const char *src, size_t len, const gql_limits *lim,
                        gql_errors *errs);

/* Parses a single constant value (no variables), as in a default value;
 * used for SDL default values given as text. NULL and one error on failure. */
gql_value *gql_parse_value(arena *a, const char *src, size_t len, gql_errors *errs);

#endif
