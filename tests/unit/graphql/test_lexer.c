/* test_lexer.c — tests of graphql/lexer.c: token kinds, texts and
 * locations, number and string syntax, escape decoding, the block-string
 * dedent, line tracking, and that the lexer never reads past the end of its
 * input. The expected string values were taken from graphql-js 16. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "graphql/lexer.h"

static arena *A;
static gql_errors ERRS;
static gql_lexer LX;

static int setup(void **state) {
  (void)state;
  A = arena_new(0);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  arena_free(A);
  return 0;
}

static void start(const char *src, size_t len) {
  gql_errors_init(&ERRS, A);
  gql_lexer_init(&LX, A, src, len, &ERRS);
}

static gql_token next(void) {
  gql_token t;
  if (!gql_lexer_next(&LX, &t))
    fail_msg("lexer error: %s", ERRS.items[0]->message);
  return t;
}

static void expect_token(gql_token_kind kind, const char *text, uint32_t line, uint32_t col) {
  gql_token t = next();
  assert_int_equal(t.kind, kind);
  if (text) {
    assert_int_equal(t.len, strlen(text));
    assert_memory_equal(t.start, text, t.len);
  }
  if (t.loc.line != line || t.loc.column != col)
    fail_msg("token %s at %u:%u, expected %u:%u", text ? text : "?", t.loc.line, t.loc.column, line,
             col);
}

static void test_punctuators_and_names(void **state) {
  (void)state;
  const char *src = "! $ & ( ) ... : = @ [ ] { | } name _x9 A_b";
  start(src, strlen(src));
  static const gql_token_kind kinds[] = {
      GQL_TOK_BANG,      GQL_TOK_DOLLAR,  GQL_TOK_AMP,    GQL_TOK_PAREN_L, GQL_TOK_PAREN_R,
      GQL_TOK_SPREAD,    GQL_TOK_COLON,   GQL_TOK_EQUALS, GQL_TOK_AT,      GQL_TOK_BRACKET_L,
      GQL_TOK_BRACKET_R, GQL_TOK_BRACE_L, GQL_TOK_PIPE,   GQL_TOK_BRACE_R,
  };
  uint32_t col = 1;
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
    gql_token t = next();
    assert_int_equal(t.kind, kinds[i]);
    assert_int_equal(t.loc.column, col);
    col += (uint32_t)t.len + 1;
  }
  expect_token(GQL_TOK_NAME, "name", 1, 31);
  expect_token(GQL_TOK_NAME, "_x9", 1, 36);
  expect_token(GQL_TOK_NAME, "A_b", 1, 40);
  expect_token(GQL_TOK_EOF, NULL, 1, 43);
  expect_token(GQL_TOK_EOF, NULL, 1, 43); /* EOF again and again */
}

static void test_numbers(void **state) {
  (void)state;
  const char *src = "0 -0 123 -45 1.5 -0.25 1e10 1E+5 2.5e-3 0.0 -1.0E-0";
  start(src, strlen(src));
  expect_token(GQL_TOK_INT, "0", 1, 1);
  expect_token(GQL_TOK_INT, "-0", 1, 3);
  expect_token(GQL_TOK_INT, "123", 1, 6);
  expect_token(GQL_TOK_INT, "-45", 1, 10);
  expect_token(GQL_TOK_FLOAT, "1.5", 1, 14);
  expect_token(GQL_TOK_FLOAT, "-0.25", 1, 18);
  expect_token(GQL_TOK_FLOAT, "1e10", 1, 24);
  expect_token(GQL_TOK_FLOAT, "1E+5", 1, 29);
  expect_token(GQL_TOK_FLOAT, "2.5e-3", 1, 34);
  expect_token(GQL_TOK_FLOAT, "0.0", 1, 41);
  expect_token(GQL_TOK_FLOAT, "-1.0E-0", 1, 45);
  expect_token(GQL_TOK_EOF, NULL, 1, 52);
  /* numbers end at punctuators and white space */
  start("1,2)3]", 6);
  expect_token(GQL_TOK_INT, "1", 1, 1);
  expect_token(GQL_TOK_INT, "2", 1, 3);
  expect_token(GQL_TOK_PAREN_R, ")", 1, 4);
  expect_token(GQL_TOK_INT, "3", 1, 5);
}

typedef struct string_case {
  const char *src;
  size_t src_len;
  const char *value;
  size_t value_len;
  bool block;
} string_case;

#define S(src, value, block)                                                                       \
  { src, sizeof(src) - 1, value, sizeof(value) - 1, block }

/* token text -> decoded value, as graphql-js decodes it */
static const string_case string_cases[] = {
    S("\"\"", "", false),
    S("\"simple\"", "simple", false),
    S("\" white space \"", " white space ", false),
    S("\"quote \\\"\"", "quote \"", false),
    S("\"escaped \\n\\r\\b\\t\\f\"", "escaped \n\r\010\t\014", false),
    S("\"slashes \\\\ \\/\"", "slashes \\ /", false),
    S("\"unicode \\u1234\\u5678\\u90AB\\uCDEF\"",
      "unicode \341\210\264\345\231\270\351\202\253\354\267\257", false),
    S("\"\\u{1234}\\u{0}\\u{10FFFF}\"", "\341\210\264\000\364\217\277\277", false),
    S("\"\\uD83D\\uDE00\"", "\360\237\230\200", false),
    S("\"\\u{1F600}\"", "\360\237\230\200", false),
    S("\"\\u0000nul\"", "\000nul", false),
    S("\"raw \303\251 \360\237\230\200\"", "raw \303\251 \360\237\230\200", false),
    S("\"\\u{00000041}\"", "A", false),
    S("\"\"\"simple\"\"\"", "simple", true),
    S("\"\"\" white space \"\"\"", " white space ", true),
    S("\"\"\"contains \" quote\"\"\"", "contains \" quote", true),
    S("\"\"\"contains \\\"\"\" triple quote\"\"\"", "contains \"\"\" triple quote", true),
    S("\"\"\"multi\nline\"\"\"", "multi\nline", true),
    S("\"\"\"multi\r\nline\rnormalized\"\"\"", "multi\nline\nnormalized", true),
    S("\"\"\"unescaped \\n\\r\\b\\t\\f\\u1234\"\"\"", "unescaped \\n\\r\\b\\t\\f\\u1234", true),
    S("\"\"\"slashes \\\\ \\/\"\"\"", "slashes \\\\ \\/", true),
    S("\"\"\"\n\n    spans\n      multiple\n        lines\n\n    \"\"\"",
      "spans\n  multiple\n    lines", true),
    S("\"\"\"\n  Hello,\n    World!\n\n  Yours,\n    GraphQL.\n  \"\"\"",
      "Hello,\n  World!\n\nYours,\n  GraphQL.", true),
    S("\"\"\"  first line keeps indent\n    second\n  third\"\"\"",
      "  first line keeps indent\n  second\nthird", true),
    S("\"\"\"\t\ttabs\n\t\t\tmore\n\t\tend\"\"\"", "\t\ttabs\n\tmore\nend", true),
    S("\"\"\"   \n   \n\"\"\"", "", true),
    S("\"\"\"\n   \n  x  \n   \n\"\"\"", "x  ", true),
    S("\"\"\"\"\"\"", "", true),
    S("\"\"\"\\\"\"\"\"\"\"", "\"\"\"", true),
    S("\"\"\"a\\ b\"\"\"", "a\\ b", true),
    S("\"\"\"\360\237\230\200\n  \303\251\"\"\"", "\360\237\230\200\n\303\251", true),
};

static void test_strings(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof string_cases / sizeof *string_cases; i++) {
    const string_case *c = &string_cases[i];
    start(c->src, c->src_len);
    gql_token t = next();
    assert_int_equal(t.kind, c->block ? GQL_TOK_BLOCK_STRING : GQL_TOK_STRING);
    assert_int_equal(t.len, c->src_len);
    if (t.str_len != c->value_len || memcmp(t.str, c->value, c->value_len) != 0)
      fail_msg("case %zu: decoded \"%s\", expected \"%s\"", i, t.str, c->value);
    assert_int_equal(t.str[t.str_len], '\0');
    assert_int_equal(next().kind, GQL_TOK_EOF);
  }
}

static void test_lines_and_columns(void **state) {
  (void)state;
  const char *src = "a\nb\r\nc\rd\n\n  \"\"\"x\r\n y\ry\"\"\" e # c\xc3\xa9\n\t\xc3\xa9";
  start(src, strlen(src));
  expect_token(GQL_TOK_NAME, "a", 1, 1);
  expect_token(GQL_TOK_NAME, "b", 2, 1);
  expect_token(GQL_TOK_NAME, "c", 3, 1);
  expect_token(GQL_TOK_NAME, "d", 4, 1);
  gql_token t = next();
  assert_int_equal(t.kind, GQL_TOK_BLOCK_STRING);
  assert_int_equal(t.loc.line, 6);
  assert_int_equal(t.loc.column, 3);
  assert_string_equal(t.str, "x\n y\ny"); /* the last line has no indent: none is common */
  expect_token(GQL_TOK_NAME, "e", 8, 6);
  /* the error after the comment is on the next line, column 2 (tab is one) */
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Unexpected character: U+00E9.");
  assert_int_equal(ERRS.items[0]->locations[0].line, 9);
  assert_int_equal(ERRS.items[0]->locations[0].column, 2);
}

static void test_loc_at(void **state) {
  (void)state;
  const char *src = "ab\r\ncd\xf0\x9f\x98\x80"
                    "e\rf\n";
  start(src, strlen(src));
  gql_loc l = gql_lexer_loc_at(&LX, src);
  assert_int_equal(l.line, 1);
  assert_int_equal(l.column, 1);
  l = gql_lexer_loc_at(&LX, src + 2);
  assert_int_equal(l.line, 1);
  assert_int_equal(l.column, 3);
  l = gql_lexer_loc_at(&LX, src + 4); /* \r\n is one line break */
  assert_int_equal(l.line, 2);
  assert_int_equal(l.column, 1);
  l = gql_lexer_loc_at(&LX, src + 10); /* 'e' after c, d and a two-unit emoji */
  assert_int_equal(l.line, 2);
  assert_int_equal(l.column, 5);
  l = gql_lexer_loc_at(&LX, src + 12);
  assert_int_equal(l.line, 3);
  assert_int_equal(l.column, 1);
  l = gql_lexer_loc_at(&LX, src + strlen(src));
  assert_int_equal(l.line, 4);
  assert_int_equal(l.column, 1);
}

static void test_errors_stop_the_lexer(void **state) {
  (void)state;
  static const struct {
    const char *src;
    size_t n_ok; /* tokens before the error */
    const char *msg;
    uint32_t col;
  } cases[] = {
      {"a b ?", 2, "Syntax Error: Unexpected character: \"?\".", 5},
      {"a 1.x", 1, "Syntax Error: Invalid number, expected digit but got: \"x\".", 5},
      {"a \"\\u{1F600\"", 1, "Syntax Error: Invalid Unicode escape sequence: \"\\u{1F600\"\".", 4},
      {"\"ok\" \"bad", 1, "Syntax Error: Unterminated string.", 10},
      {"\"\"\"ok\"\"\" \"\"\"bad\"\"", 1, "Syntax Error: Unterminated string.", 18},
      {"a .. b", 1, "Syntax Error: Unexpected character: \".\".", 3},
      {"a \"", 1, "Syntax Error: Unterminated string.", 4},
      {"a \"\\", 1, "Syntax Error: Invalid character escape sequence: \"\\\".", 4},
      {"a \"\\\"", 1, "Syntax Error: Unterminated string.", 6},
      {"0123", 0, "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 2},
      {"1.5e", 0, "Syntax Error: Invalid number, expected digit but got: <EOF>.", 5},
      {"1\"", 1, "Syntax Error: Unterminated string.", 3},
      {"1_", 0, "Syntax Error: Invalid number, expected digit but got: \"_\".", 2},
      {"1.\"", 0, "Syntax Error: Invalid number, expected digit but got: '\"'.", 3},
      {"\x7f", 0, "Syntax Error: Unexpected character: U+007F.", 1},
      {"\xe2\x80\xa8", 0, "Syntax Error: Unexpected character: U+2028.", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    start(cases[i].src, strlen(cases[i].src));
    gql_token t;
    for (size_t k = 0; k < cases[i].n_ok; k++)
      assert_true(gql_lexer_next(&LX, &t));
    assert_false(gql_lexer_next(&LX, &t));
    assert_int_equal(ERRS.n, 1);
    assert_string_equal(ERRS.items[0]->message, cases[i].msg);
    assert_int_equal(ERRS.items[0]->locations[0].line, 1);
    if (ERRS.items[0]->locations[0].column != cases[i].col)
      fail_msg("%s: column %u, expected %u", cases[i].src, ERRS.items[0]->locations[0].column,
               cases[i].col);
  }
}

static void test_stays_within_input(void **state) {
  (void)state;
  /* the bytes after len must never be looked at */
  start("abcdef", 3);
  expect_token(GQL_TOK_NAME, "abc", 1, 1);
  expect_token(GQL_TOK_EOF, NULL, 1, 4);
  start("12345", 2);
  expect_token(GQL_TOK_INT, "12", 1, 1);
  start("...", 2);
  gql_token t;
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Unexpected character: \".\".");
  start("\"abc\"", 4);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Unterminated string.");
  start("\"\"\"abc\"\"\"", 8);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Unterminated string.");
  start("\"\\u0041\"", 5);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message,
                      "Syntax Error: Invalid Unicode escape sequence: \"\\u00\".");
  start("\"\\uD83D\\uDE00\"", 10);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message,
                      "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".");
  start("\"\xc3\xa9\"", 2);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Invalid UTF-8 sequence.");
  start("1.", 1);
  expect_token(GQL_TOK_INT, "1", 1, 1);
  start("", 0);
  expect_token(GQL_TOK_EOF, NULL, 1, 1);
}

/* Found by fuzzing: an escape error used to quote the raw bytes after the
 * backslash, putting broken UTF-8 into the JSON response. */
static void test_escape_errors_never_quote_broken_utf8(void **state) {
  (void)state;
  gql_token t;
  start("\"\\\xff\"", 4);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Invalid UTF-8 sequence.");
  assert_int_equal(ERRS.items[0]->locations[0].column, 3);
  start("\"\\u12\xff\"", 6);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message, "Syntax Error: Invalid UTF-8 sequence.");
  /* a well-formed multi-byte character is still quoted whole */
  start("\"\\\xc3\xa9\"", 5);
  assert_false(gql_lexer_next(&LX, &t));
  assert_string_equal(ERRS.items[0]->message,
                      "Syntax Error: Invalid character escape sequence: \"\\\xc3\xa9\".");
}

static void test_kind_descriptions(void **state) {
  (void)state;
  assert_string_equal(gql_token_kind_desc(GQL_TOK_EOF), "<EOF>");
  assert_string_equal(gql_token_kind_desc(GQL_TOK_SPREAD), "\"...\"");
  assert_string_equal(gql_token_kind_desc(GQL_TOK_BRACE_L), "\"{\"");
  assert_string_equal(gql_token_kind_desc(GQL_TOK_NAME), "Name");
  assert_string_equal(gql_token_kind_desc(GQL_TOK_BLOCK_STRING), "BlockString");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_punctuators_and_names, setup, teardown),
      cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lines_and_columns, setup, teardown),
      cmocka_unit_test_setup_teardown(test_loc_at, setup, teardown),
      cmocka_unit_test_setup_teardown(test_errors_stop_the_lexer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stays_within_input, setup, teardown),
      cmocka_unit_test_setup_teardown(test_escape_errors_never_quote_broken_utf8, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kind_descriptions, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
