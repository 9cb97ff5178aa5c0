/* utf8.h — decoding UTF-8 strictly.
 *
 * One definition of well-formed UTF-8 for the tree (RFC 3629): the lexer
 * rejects documents that break it and the JSON writer replaces what breaks
 * it, so no response ever carries broken UTF-8. */
#ifndef DAGD_BASE_UTF8_H
#define DAGD_BASE_UTF8_H

#include <stdint.h>

/* Decodes one character at p (p < end); returns its length (1-4) and stores
 * the code point, or returns 0 and stores U+FFFD when the bytes are not
 * well-formed (overlong forms, surrogates, values past U+10FFFF, stray
 * continuation bytes, sequences cut short by end). */
int utf8_decode(const char *p, const char *end, uint32_t *cp);

#endif
