/* json.h — JSON in and out.
 *
 * Output: a streaming writer that appends to a buf, tracking commas itself,
 * escaping strings as RFC 8259 requires and printing floats exactly as
 * Python's repr() does (so Dagster's clients see the same text), e.g. 1.0,
 * 0.1, 1e+16, 1.5e-05. Non-finite floats are written as null.
 *
 * Input: parsing is jansson's (json_t); json_parse_text wraps it with an
 * error message that names line and column. */
#ifndef DAGD_BASE_JSON_H
#define DAGD_BASE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define JSON_WRITER_MAX_DEPTH 512

typedef struct json_writer {
  buf *out;
  int depth;
  /* need_comma[d]: a value has already been written at depth d */
  unsigned char need_comma[JSON_WRITER_MAX_DEPTH];
  bool after_key; /* a key was just written: the next value takes no comma */
} json_writer;

void json_writer_init(json_writer *w, buf *out);
void json_begin_object(json_writer *w);
void json_end_object(json_writer *w);
void json_begin_array(json_writer *w);
void json_end_array(json_writer *w);
/* Writes "key": inside an object; the value follows with the next call. */
void json_key(json_writer *w, const char *key);
void json_key_n(json_writer *w, const char *key, size_t n);
/* Writes a key given as its JSON text with the quotes and the colon
 * ("key":), exactly as json_key would write it; for callers that write the
 * same keys many times and encode them once (json_escape + ':'). */
void json_key_raw(json_writer *w, const char *text, size_t n);
/* String values. (Not json_string/json_null: jansson owns those names.) */
void json_str(json_writer *w, const char *s);
void json_str_n(json_writer *w, const char *s, size_t n);
void json_int(json_writer *w, int64_t v);
void json_double(json_writer *w, double v);
void json_bool(json_writer *w, bool v);
void json_nil(json_writer *w);
/* Writes already-encoded JSON text as one value. */
void json_raw(json_writer *w, const char *text, size_t n);
/* Writes a jansson value (objects keep their insertion order). */
void json_value(json_writer *w, const json_t *v);
/* Re-synchronises the writer after the caller truncated w->out back to an
 * earlier point at which the writer was at depth `depth` with `need_comma`
 * at that depth; used by the GraphQL executor to null out a partial object. */
void json_writer_rewind(json_writer *w, size_t len, int depth, bool need_comma);

/* Appends a JSON string literal (with quotes) for s[0..n) to b. */
void json_escape(buf *b, const char *s, size_t n);
/* Formats v as Python's repr(float) does into out (at least 32 bytes); returns the length. */
size_t json_format_double(double v, char *out);

/* Room for json_shortest_digits: at most 17 digits and the NUL. */
#define JSON_DIGITS_SIZE 18
/* The shortest decimal digits that read back as the finite double |v|, the
 * closest to |v| among equally short ones (an exact tie takes the even
 * digit): the digits of Python's repr() and of JavaScript's
 * Number#toString(), which differ only in layout. Writes them
 * NUL-terminated to digits (no trailing zeros; "0" for zero), sets *exp so
 * that |v| = d.ddd… × 10^exp and returns how many digits there are (none
 * for NaN and the infinities). */
size_t json_shortest_digits(double v, char digits[JSON_DIGITS_SIZE], int *exp);

/* Parses text (n bytes, need not be NUL-terminated). On failure returns NULL
 * and writes "line L, column C: reason" into err (err_size bytes). */
json_t *json_parse_text(const char *text, size_t n, char *err, size_t err_size);

#endif
