/* buf.c — growable byte buffer on the heap or in an arena.
 *
 * Capacity doubles on growth. In an arena, growth goes through arena_realloc,
 * which extends the block in place while the buffer is the arena's latest
 * allocation (the usual case while a response is being written). */
#include "base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"

#define BUF_MIN_CAP ((size_t)64)

void buf_init(buf *b, arena *a) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->arena = a;
}

void buf_free(buf *b) {
  if (!b->arena)
    free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void buf_grow(buf *b, size_t n) {
  if (n > SIZE_MAX - b->len - 1)
    xmalloc(SIZE_MAX); /* aborts: cannot be satisfied */
  size_t need = b->len + n + 1;
  if (need <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : BUF_MIN_CAP;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (b->arena)
    b->data = arena_realloc(b->arena, b->data, b->cap, cap);
  else
    b->data = xrealloc(b->data, cap);
  if (b->cap == 0)
    b->data[0] = '\0';
  b->cap = cap;
}

bool buf_read_file(buf *b, FILE *f) {
  /* Read straight into the buffer's spare room, growing it as needed. */
  for (;;) {
    buf_reserve(b, 4096);
    size_t room = b->cap - b->len - 1;
    size_t got = fread(b->data + b->len, 1, room, f);
    b->len += got;
    b->data[b->len] = '\0';
    if (got < room)
      return !ferror(f);
  }
}

void buf_printf(buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  buf_reserve(b, 0);
  size_t room = b->cap - b->len;
  int n = vsnprintf(b->data + b->len, room, fmt, ap);
  if (n >= 0 && (size_t)n >= room) {
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
  }
  va_end(ap2);
  if (n < 0) {
    b->data[b->len] = '\0'; /* an encoding error: write nothing */
    return;
  }
  b->len += (size_t)n;
}

void buf_truncate(buf *b, size_t len) {
  if (len >= b->len)
    return;
  b->len = len;
  b->data[len] = '\0';
}

const char *buf_cstr(buf *b) { return b->data ? b->data : ""; }
