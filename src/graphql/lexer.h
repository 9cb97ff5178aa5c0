/* lexer.h — private to the parser: GraphQL source text to tokens.
 *
 * The lexer is pull-based: the parser asks for one token at a time, so a
 * syntax error stops the work where graphql-js would stop it and the first
 * error reported is the same. Ignored tokens (white space, line terminators,
 * commas, comments, the BOM) are skipped. Names and numbers point into the
 * source; string values are decoded (escapes resolved, block strings
 * dedented) into the arena. Broken UTF-8 is a syntax error. Locations count
 * columns in UTF-16 code units, as graphql-js does (equal to code points for
 * everything outside the astral planes). */
#ifndef DAGD_GRAPHQL_LEXER_H
#define DAGD_GRAPHQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/ast.h"
#include "graphql/error.h"

typedef struct arena arena;

typedef enum gql_token_kind {
  GQL_TOK_EOF,
  GQL_TOK_BANG,      /* ! */
  GQL_TOK_DOLLAR,    /* $ */
  GQL_TOK_AMP,       /* & */
  GQL_TOK_PAREN_L,   /* ( */
  GQL_TOK_PAREN_R,   /* ) */
  GQL_TOK_SPREAD,    /* ... */
  GQL_TOK_COLON,     /* : */
  GQL_TOK_EQUALS,    /* = */
  GQL_TOK_AT,        /* @ */
  GQL_TOK_BRACKET_L, /* [ */
  GQL_TOK_BRACKET_R, /* ] */
  GQL_TOK_BRACE_L,   /* { */
  GQL_TOK_PIPE,      /* | */
  GQL_TOK_BRACE_R,   /* } */
  GQL_TOK_NAME,
  GQL_TOK_INT,
  GQL_TOK_FLOAT,
  GQL_TOK_STRING,
  GQL_TOK_BLOCK_STRING,
} gql_token_kind;

typedef struct gql_token {
  gql_token_kind kind;
  gql_loc loc;       /* of the first character */
  const char *start; /* the token's text in the source */
  size_t len;
  const char *str; /* STRING, BLOCK_STRING: the decoded value, NUL-terminated, in the arena */
  size_t str_len;
} gql_token;

typedef struct gql_lexer {
  arena *arena;
  gql_errors *errs;
  const char *src;
  const char *end;
  const char *pos;        /* where the next token is looked for */
  const char *line_start; /* first byte of the current line */
  uint32_t line;
  /* Bytes on the current line before pos that are not UTF-16 units of their
   * own (the tail bytes of multi-byte characters); column = bytes - adj. */
  size_t adj;
} gql_lexer;

/* Starts lexing src[0..len); errors go to errs, decoded strings into a. */
void gql_lexer_init(gql_lexer *lx, arena *a, const char *src, size_t len, gql_errors *errs);

/* Reads the next token (GQL_TOK_EOF at the end, again and again). On a
 * lexical error adds one error ("Syntax Error: ...") to errs and returns false. */
bool gql_lexer_next(gql_lexer *lx, gql_token *tok);

/* The line and column of the byte at p (src <= p <= end); scans from the
 * start, so meant for error reports only. */
gql_loc gql_lexer_loc_at(const gql_lexer *lx, const char *p);

/* How graphql-js names a kind in messages: "Name", "<EOF>", "\"{\"", ... */
const char *gql_token_kind_desc(gql_token_kind kind);

#endif
