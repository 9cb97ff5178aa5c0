/* lexer.c — GraphQL tokens from source text (spec §2, October 2021 + draft).
 *
 * One pass over the bytes; no allocation except the decoded value of string
 * tokens, which goes into the arena. Messages and error positions follow
 * graphql-js 16 so that clients see the same errors. The lexer never reads
 * past `end`: the source need not be NUL-terminated. */
#include "graphql/lexer.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/utf8.h"

/* ---- character classes ---- */

static inline bool is_digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }
static inline bool is_letter(unsigned char c) { return (unsigned)((c | 0x20) - 'a') < 26u; }
static inline bool is_name_start(unsigned char c) { return is_letter(c) || c == '_'; }
static inline bool is_name_continue(unsigned char c) { return is_name_start(c) || is_digit(c); }
static inline bool is_space(unsigned char c) { return c == ' ' || c == '\t'; }

static inline bool is_scalar_value(int64_t cp) {
  return (cp >= 0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0x10FFFF);
}

static size_t utf8_encode(uint32_t cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* UTF-16 units of a character that takes n bytes in UTF-8. */
static inline size_t utf16_units(int n) { return n == 4 ? 2 : 1; }

/* ---- positions and errors ---- */

void gql_lexer_init(gql_lexer *lx, arena *a, const char *src, size_t len, gql_errors *errs) {
  lx->arena = a;
  lx->errs = errs;
  lx->src = src;
  lx->end = src + len;
  lx->pos = src;
  lx->line_start = src;
  lx->line = 1;
  lx->adj = 0;
}

gql_loc gql_lexer_loc_at(const gql_lexer *lx, const char *p) {
  uint32_t line = 1;
  size_t col = 0;
  for (const char *q = lx->src; q < p; q++) {
    unsigned char c = (unsigned char)*q;
    if (c == '\n' || (c == '\r' && !(q + 1 < lx->end && q[1] == '\n'))) {
      line++;
      col = 0;
    } else if (c == '\r') {
      /* the \r of \r\n: the \n ends the line */
    } else if ((c & 0xC0) != 0x80) {
      col += c >= 0xF0 ? 2 : 1;
    }
  }
  return (gql_loc){line, (uint32_t)(col + 1)};
}

static inline gql_loc loc_here(const gql_lexer *lx, const char *p) {
  return (gql_loc){lx->line, (uint32_t)((size_t)(p - lx->line_start) - lx->adj + 1)};
}

static inline void new_line(gql_lexer *lx, const char *next) {
  lx->line++;
  lx->line_start = next;
  lx->adj = 0;
}

static bool fail(gql_lexer *lx, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds "Syntax Error: <message>" located at `at`; always returns false. */
static bool fail(gql_lexer *lx, const char *at, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  gql_errors_add(lx->errs, gql_lexer_loc_at(lx, at), "Syntax Error: %s", msg);
  return false;
}

/* The character at p as graphql-js prints it in messages: <EOF>, "x", '"' or a code point such as
 * U+00E9. */
static const char *char_desc(const gql_lexer *lx, const char *p, char out[16]) {
  if (p >= lx->end)
    return "<EOF>";
  unsigned char c = (unsigned char)*p;
  if (c == '"')
    return "'\"'";
  if (c >= 0x20 && c <= 0x7E) {
    snprintf(out, 16, "\"%c\"", c);
    return out;
  }
  uint32_t cp;
  if (!utf8_decode(p, lx->end, &cp))
    cp = 0xFFFD;
  snprintf(out, 16, "U+%04X", (unsigned)cp);
  return out;
}

/* Byte length of the first n UTF-16 units at p (fewer at the end of input),
 * never splitting a character. When the span holds a byte that is not
 * well-formed UTF-8, *bad points at it (else NULL), so a message never
 * quotes broken UTF-8 into a response. */
static size_t units_len(const gql_lexer *lx, const char *p, size_t n, const char **bad) {
  const char *q = p;
  size_t units = 0;
  *bad = NULL;
  while (units < n && q < lx->end) {
    uint32_t cp;
    int k = utf8_decode(q, lx->end, &cp);
    if (!k && !*bad)
      *bad = q;
    units += k ? utf16_units(k) : 1;
    q += k ? k : 1;
  }
  return (size_t)(q - p);
}

static bool fail_utf8(gql_lexer *lx, const char *at) {
  return fail(lx, at, "Invalid UTF-8 sequence.");
}

/* The length of the non-ASCII character at p (before end), its UTF-16
 * columns counted for locations; 0, with the error added, when it is not
 * well-formed UTF-8. */
static int step_non_ascii(gql_lexer *lx, const char *p, const char *end) {
  uint32_t cp;
  int k = utf8_decode(p, end, &cp);
  if (!k) {
    fail_utf8(lx, p);
    return 0;
  }
  lx->adj += (size_t)k - utf16_units(k);
  return k;
}

/* ---- tokens ---- */

static inline bool token(gql_lexer *lx, gql_token *tok, gql_token_kind kind, const char *start,
                         size_t len) {
  tok->kind = kind;
  tok->loc = loc_here(lx, start);
  tok->start = start;
  tok->len = len;
  tok->str = NULL;
  tok->str_len = 0;
  lx->pos = start + len;
  return true;
}

/* A string token from start to end, its decoded value the n bytes of out
 * (NUL-terminated here); loc was taken at the opening quote, before the
 * string's own characters moved the column bookkeeping. */
static bool string_token(gql_lexer *lx, gql_token *tok, gql_token_kind kind, gql_loc loc,
                         const char *start, const char *end, char *out, size_t n) {
  out[n] = '\0';
  tok->kind = kind;
  tok->loc = loc;
  tok->start = start;
  tok->len = (size_t)(end - start);
  tok->str = out;
  tok->str_len = n;
  lx->pos = end;
  return true;
}

/* Digit+ at *pp; on success advances *pp past the digits. */
static bool read_digits(gql_lexer *lx, const char **pp) {
  const char *p = *pp;
  char d[16];
  if (p >= lx->end || !is_digit((unsigned char)*p))
    return fail(lx, p, "Invalid number, expected digit but got: %s.", char_desc(lx, p, d));
  while (p < lx->end && is_digit((unsigned char)*p))
    p++;
  *pp = p;
  return true;
}

/* IntValue and FloatValue, with the spec's lookahead restrictions. */
static bool read_number(gql_lexer *lx, const char *start, gql_token *tok) {
  const char *p = start, *end = lx->end;
  char d[16];
  bool is_float = false;
  if (*p == '-')
    p++;
  if (p < end && *p == '0') {
    p++;
    if (p < end && is_digit((unsigned char)*p))
      return fail(lx, p, "Invalid number, unexpected digit after 0: %s.", char_desc(lx, p, d));
  } else if (!read_digits(lx, &p)) {
    return false;
  }
  if (p < end && *p == '.') {
    is_float = true;
    p++;
    if (!read_digits(lx, &p))
      return false;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    is_float = true;
    p++;
    if (p < end && (*p == '+' || *p == '-'))
      p++;
    if (!read_digits(lx, &p))
      return false;
  }
  if (p < end && (*p == '.' || is_name_start((unsigned char)*p)))
    return fail(lx, p, "Invalid number, expected digit but got: %s.", char_desc(lx, p, d));
  return token(lx, tok, is_float ? GQL_TOK_FLOAT : GQL_TOK_INT, start, (size_t)(p - start));
}

/* The hex digit at p[off] as a number, or -1 (also past the end). Offsets
 * rather than pointers keep the arithmetic inside the source. */
static int hex_at(const gql_lexer *lx, const char *p, size_t off) {
  if (off >= (size_t)(lx->end - p))
    return -1;
  unsigned char c = (unsigned char)p[off];
  if (is_digit(c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits at p[off] as a number, or -1. */
static int32_t hex4(const gql_lexer *lx, const char *p, size_t off) {
  int32_t v = 0;
  for (size_t i = 0; i < 4; i++) {
    int h = hex_at(lx, p, off + i);
    if (h < 0)
      return -1;
    v = (v << 4) | h;
  }
  return v;
}

static bool bad_unicode_escape(gql_lexer *lx, const char *at, size_t n_chars) {
  const char *bad;
  size_t n = units_len(lx, at, n_chars, &bad);
  if (bad)
    return fail_utf8(lx, bad);
  return fail(lx, at, "Invalid Unicode escape sequence: \"%.*s\".", (int)n, at);
}

/* An escape sequence at p (p[0] == '\\'): stores the code point and the
 * number of source bytes it takes. */
static bool read_escape(gql_lexer *lx, const char *p, uint32_t *cp, size_t *size) {
  size_t avail = (size_t)(lx->end - p);
  unsigned char c = avail > 1 ? (unsigned char)p[1] : 0;
  if (c == 'u' && avail > 2 && p[2] == '{') {
    /* \u{X...}: at most 8 hex digits (12 source characters); the value is
     * accumulated as a signed 32-bit number, as graphql-js does, which
     * decides how much of the bad sequence the message quotes. */
    uint32_t point = 0;
    size_t n = 3;
    while (n < 12) {
      size_t off = n++;
      if (off < avail && p[off] == '}') {
        if (n < 5 || !is_scalar_value(point))
          break;
        *cp = point;
        *size = n;
        return true;
      }
      int h = hex_at(lx, p, off);
      if (h < 0)
        break;
      point = (point << 4) | (uint32_t)h;
      if (point & 0x80000000u)
        break;
    }
    return bad_unicode_escape(lx, p, n);
  }
  if (c == 'u') {
    int32_t v = hex4(lx, p, 2);
    if (is_scalar_value(v)) {
      *cp = (uint32_t)v;
      *size = 6;
      return true;
    }
    /* JSON-style surrogate pairs: \uD83D\uDE00 */
    if (v >= 0xD800 && v <= 0xDBFF && avail > 7 && p[6] == '\\' && p[7] == 'u') {
      int32_t lo = hex4(lx, p, 8);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        *cp = 0x10000 + (((uint32_t)v - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
        *size = 12;
        return true;
      }
    }
    return bad_unicode_escape(lx, p, 6);
  }
  *size = 2;
  switch (c) {
  case '"':
    *cp = '"';
    return true;
  case '\\':
    *cp = '\\';
    return true;
  case '/':
    *cp = '/';
    return true;
  case 'b':
    *cp = '\b';
    return true;
  case 'f':
    *cp = '\f';
    return true;
  case 'n':
    *cp = '\n';
    return true;
  case 'r':
    *cp = '\r';
    return true;
  case 't':
    *cp = '\t';
    return true;
  default:
    break;
  }
  const char *bad;
  size_t n = units_len(lx, p, 2, &bad);
  if (bad)
    return fail_utf8(lx, bad);
  return fail(lx, p, "Invalid character escape sequence: \"%.*s\".", (int)n, p);
}

/* "..." strings. The decoded value is never longer than the source text, so
 * it is written straight into an arena block of that size. */
static bool read_string(gql_lexer *lx, const char *start, gql_token *tok) {
  const char *end = lx->end;
  /* Find where the string ends so the output can be sized; escapes are
   * checked in order by the decoding loop below. */
  const char *close = start + 1;
  while (close < end && *close != '"' && *close != '\n' && *close != '\r')
    close += *close == '\\' && close + 1 < end ? 2 : 1;

  char *out = arena_alloc(lx->arena, (size_t)(close - start));
  size_t n = 0;
  const char *p = start + 1;
  gql_loc loc = loc_here(lx, start);
  while (p < close) {
    unsigned char c = (unsigned char)*p;
    if (c == '\\') {
      uint32_t cp = 0;
      size_t size = 0;
      if (!read_escape(lx, p, &cp, &size))
        return false;
      n += utf8_encode(cp, out + n);
      p += size;
    } else if (c < 0x80) {
      out[n++] = (char)c;
      p++;
    } else {
      int k = step_non_ascii(lx, p, end);
      if (!k)
        return false;
      memcpy(out + n, p, (size_t)k);
      n += (size_t)k;
      p += k;
    }
  }
  if (p >= end || *p != '"')
    return fail(lx, p, "Unterminated string.");
  return string_token(lx, tok, GQL_TOK_STRING, loc, start, p + 1, out, n);
}

static inline bool at_triple_quote(const char *p, const char *end) {
  return end - p >= 3 && p[0] == '"' && p[1] == '"' && p[2] == '"';
}

/* Length of the line terminator at p (0 when none). */
static inline size_t line_break(const char *p, const char *end) {
  if (*p == '\n')
    return 1;
  if (*p == '\r')
    return p + 1 < end && p[1] == '\n' ? 2 : 1;
  return 0;
}

/* Appends one raw block-string line (from, to) to out, dropping `indent`
 * leading white-space characters and turning \""" into """. */
static size_t emit_block_line(char *out, const char *from, const char *to, size_t indent) {
  for (size_t i = 0; i < indent && from < to && is_space((unsigned char)*from); i++)
    from++;
  size_t n = 0;
  while (from < to) {
    if (*from == '\\' && to - from >= 4 && from[1] == '"' && from[2] == '"' && from[3] == '"') {
      memcpy(out + n, "\"\"\"", 3);
      n += 3;
      from += 4;
    } else {
      out[n++] = *from++;
    }
  }
  return n;
}

/* """...""" strings: raw lines with the spec's BlockStringValue() applied
 * (common indentation removed from all lines but the first, blank leading and
 * trailing lines dropped, lines joined with \n). */
static bool read_block_string(gql_lexer *lx, const char *start, gql_token *tok) {
  const char *end = lx->end;
  gql_loc loc = loc_here(lx, start);
  const char *body = start + 3;
  const char *p = body;
  /* First pass: find the closing quotes, validate UTF-8, keep the line
   * count of the lexer current and gather what the dedent needs. */
  size_t common = SIZE_MAX, line_no = 0, indent = 0;
  size_t first_nonblank = SIZE_MAX, last_nonblank = 0;
  bool blank = true;
  for (;;) {
    if (p >= end)
      return fail(lx, p, "Unterminated string.");
    unsigned char c = (unsigned char)*p;
    size_t brk;
    bool closing = c == '"' && at_triple_quote(p, end);
    if (closing || (brk = line_break(p, end)) != 0) {
      if (!blank) {
        if (first_nonblank == SIZE_MAX)
          first_nonblank = line_no;
        last_nonblank = line_no;
        if (line_no > 0 && indent < common)
          common = indent;
      }
      if (closing)
        break;
      p += brk;
      new_line(lx, p);
      line_no++;
      indent = 0;
      blank = true;
      continue;
    }
    if (is_space(c)) {
      if (blank)
        indent++;
      p++;
      continue;
    }
    blank = false;
    if (c == '\\' && end - p >= 4 && p[1] == '"' && p[2] == '"' && p[3] == '"') {
      p += 4;
    } else if (c < 0x80) {
      p++;
    } else {
      int k = step_non_ascii(lx, p, end);
      if (!k)
        return false;
      p += k;
    }
  }
  const char *close = p;

  /* Second pass: emit the kept lines. */
  char *out = arena_alloc(lx->arena, (size_t)(close - body) + 1);
  size_t n = 0;
  if (first_nonblank != SIZE_MAX) {
    const char *q = body;
    for (size_t i = 0; i <= last_nonblank; i++) {
      const char *line_end = q;
      while (line_end < close && *line_end != '\n' && *line_end != '\r')
        line_end++;
      if (i >= first_nonblank) {
        if (i > first_nonblank)
          out[n++] = '\n';
        n += emit_block_line(out + n, q, line_end, i == 0 ? 0 : common);
      }
      q = line_end < close ? line_end + line_break(line_end, close) : close;
    }
  }
  return string_token(lx, tok, GQL_TOK_BLOCK_STRING, loc, start, close + 3, out, n);
}

static bool unexpected_char(gql_lexer *lx, const char *p) {
  char d[16];
  if (*p == '\'')
    return fail(lx, p,
                "Unexpected single quote character ('), did you mean to use a double quote (\")?");
  uint32_t cp;
  if ((unsigned char)*p >= 0x80 && !utf8_decode(p, lx->end, &cp))
    return fail_utf8(lx, p);
  return fail(lx, p, "Unexpected character: %s.", char_desc(lx, p, d));
}

bool gql_lexer_next(gql_lexer *lx, gql_token *tok) {
  const char *p = lx->pos, *end = lx->end;
  while (p < end) {
    unsigned char c = (unsigned char)*p;
    switch (c) {
    case ' ':
    case '\t':
    case ',':
      p++;
      continue;
    case '\n':
    case '\r':
      p += line_break(p, end);
      new_line(lx, p);
      continue;
    case 0xEF: /* U+FEFF, the byte order mark, is ignored like white space */
      if (end - p >= 3 && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF) {
        p += 3;
        lx->adj += 2;
        continue;
      }
      return unexpected_char(lx, p);
    case '#':
      for (p++; p < end && *p != '\n' && *p != '\r';) {
        if ((unsigned char)*p < 0x80) {
          p++;
          continue;
        }
        int k = step_non_ascii(lx, p, end);
        if (!k)
          return false;
        p += k;
      }
      continue;
    case '!':
      return token(lx, tok, GQL_TOK_BANG, p, 1);
    case '$':
      return token(lx, tok, GQL_TOK_DOLLAR, p, 1);
    case '&':
      return token(lx, tok, GQL_TOK_AMP, p, 1);
    case '(':
      return token(lx, tok, GQL_TOK_PAREN_L, p, 1);
    case ')':
      return token(lx, tok, GQL_TOK_PAREN_R, p, 1);
    case ':':
      return token(lx, tok, GQL_TOK_COLON, p, 1);
    case '=':
      return token(lx, tok, GQL_TOK_EQUALS, p, 1);
    case '@':
      return token(lx, tok, GQL_TOK_AT, p, 1);
    case '[':
      return token(lx, tok, GQL_TOK_BRACKET_L, p, 1);
    case ']':
      return token(lx, tok, GQL_TOK_BRACKET_R, p, 1);
    case '{':
      return token(lx, tok, GQL_TOK_BRACE_L, p, 1);
    case '|':
      return token(lx, tok, GQL_TOK_PIPE, p, 1);
    case '}':
      return token(lx, tok, GQL_TOK_BRACE_R, p, 1);
    case '.':
      if (end - p >= 3 && p[1] == '.' && p[2] == '.')
        return token(lx, tok, GQL_TOK_SPREAD, p, 3);
      return unexpected_char(lx, p);
    case '"':
      lx->pos = p;
      return at_triple_quote(p, end) ? read_block_string(lx, p, tok) : read_string(lx, p, tok);
    default:
      break;
    }
    lx->pos = p;
    if (is_digit(c) || c == '-')
      return read_number(lx, p, tok);
    if (is_name_start(c)) {
      const char *q = p + 1;
      while (q < end && is_name_continue((unsigned char)*q))
        q++;
      return token(lx, tok, GQL_TOK_NAME, p, (size_t)(q - p));
    }
    return unexpected_char(lx, p);
  }
  return token(lx, tok, GQL_TOK_EOF, end, 0);
}

const char *gql_token_kind_desc(gql_token_kind kind) {
  static const char *const names[] = {
      [GQL_TOK_EOF] = "<EOF>",       [GQL_TOK_BANG] = "\"!\"",
      [GQL_TOK_DOLLAR] = "\"$\"",    [GQL_TOK_AMP] = "\"&\"",
      [GQL_TOK_PAREN_L] = "\"(\"",   [GQL_TOK_PAREN_R] = "\")\"",
      [GQL_TOK_SPREAD] = "\"...\"",  [GQL_TOK_COLON] = "\":\"",
      [GQL_TOK_EQUALS] = "\"=\"",    [GQL_TOK_AT] = "\"@\"",
      [GQL_TOK_BRACKET_L] = "\"[\"", [GQL_TOK_BRACKET_R] = "\"]\"",
      [GQL_TOK_BRACE_L] = "\"{\"",   [GQL_TOK_PIPE] = "\"|\"",
      [GQL_TOK_BRACE_R] = "\"}\"",   [GQL_TOK_NAME] = "Name",
      [GQL_TOK_INT] = "Int",         [GQL_TOK_FLOAT] = "Float",
      [GQL_TOK_STRING] = "String",   [GQL_TOK_BLOCK_STRING] = "BlockString",
  };
  return names[kind];
}
