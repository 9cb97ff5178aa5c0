/* sha1.c — SHA-1 in hex through GnuTLS's one-shot digest. */
#include "defs/sha1.h"

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

void defs_sha1_hex(const void *data, size_t n, char hex[DEFS_SHA1_HEX_LEN + 1]) {
  static const char digits[] = "0123456789abcdef";
  unsigned char digest[20];
  gnutls_hash_fast(GNUTLS_DIG_SHA1, data, n, digest);
  for (size_t i = 0; i < sizeof digest; i++) {
    hex[2 * i] = digits[digest[i] >> 4];
    hex[2 * i + 1] = digits[digest[i] & 15];
  }
  hex[DEFS_SHA1_HEX_LEN] = '\0';
}
