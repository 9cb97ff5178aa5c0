/* sha1.h — SHA-1 in hex (GnuTLS), the one copy: config type keys, job
 * snapshot ids and the API's repository and job ids all hash with it. */
#ifndef DAGD_DEFS_SHA1_H
#define DAGD_DEFS_SHA1_H

#include <stddef.h>

#define DEFS_SHA1_HEX_LEN 40

/* Writes the SHA-1 of the n bytes at data as 40 lowercase hex digits and a NUL. */
void defs_sha1_hex(const void *data, size_t n, char hex[DEFS_SHA1_HEX_LEN + 1]);

#endif
