/* buf.h — growable byte buffer.
 *
 * A buf either owns heap memory (arena == NULL) or grows inside an arena (the
 * response of a request is built this way). The content is always followed by
 * a NUL byte so it can be used as a C string.
 *
 * The appends are inline: they run once or more per value of every
 * response, so the common case (room left) is a compare and a copy, and
 * only growth calls out of line (buf_grow). */
#ifndef DAGD_BASE_BUF_H
#define DAGD_BASE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct arena arena;

typedef struct buf {
  char *data;   /* content, NUL-terminated; NULL until the first write */
  size_t len;   /* bytes of content, not counting the NUL */
  size_t cap;   /* bytes allocated */
  arena *arena; /* where growth comes from; NULL: the heap */
} buf;

/* Starts an empty buffer growing in `a` (or on the heap when a is NULL). */
void buf_init(buf *b, arena *a);
/* Frees heap memory (no-op for an arena buffer) and empties the buffer. */
void buf_free(buf *b);
/* Grows the buffer so that n more bytes (and the NUL) fit; the slow path of
 * buf_reserve, which callers normally use instead. */
void buf_grow(buf *b, size_t n);

/* Ensures room for n more bytes. */
static inline void buf_reserve(buf *b, size_t n) {
  /* cap > len whenever data exists (the NUL), so this never wraps. */
  if (n >= b->cap - b->len)
    buf_grow(b, n);
}

static inline void buf_append(buf *b, const void *data, size_t n) {
  buf_reserve(b, n);
  if (n)
    memcpy(b->data + b->len, data, n);
  b->len += n;
  b->data[b->len] = '\0';
}

static inline void buf_puts(buf *b, const char *s) { buf_append(b, s, strlen(s)); }

static inline void buf_putc(buf *b, char c) {
  buf_reserve(b, 1);
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
}

/* Appends everything left to read from f (up to its end); false when a
 * read fails (errno then says why; what was read before stays appended).
 * f stays open. */
bool buf_read_file(buf *b, FILE *f);

void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
/* Cuts the content back to len bytes (len <= b->len). */
void buf_truncate(buf *b, size_t len);
/* The content as a C string ("" when empty); valid until the next write. */
const char *buf_cstr(buf *b);

#endif
