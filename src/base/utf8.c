/* utf8.c — strict UTF-8 decoding (see utf8.h). */
#include "base/utf8.h"

#include <stddef.h>

int utf8_decode(const char *p, const char *end, uint32_t *out) {
  const unsigned char *s = (const unsigned char *)p;
  size_t avail = (size_t)(end - p);
  unsigned char c = s[0];
  *out = 0xFFFD;
  if (c < 0x80) {
    *out = c;
    return 1;
  }
  int n;
  uint32_t cp, min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1Fu, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0Fu, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (avail < (size_t)n)
    return 0;
  for (int i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  *out = cp;
  return n;
}
