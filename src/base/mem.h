/* mem.h — the one place where out-of-memory is handled.
 *
 * Every allocation in dagd goes through these wrappers (directly or through an
 * arena). On failure they print one line and abort, so callers never check for
 * NULL (the h2o / redis convention). */
#ifndef DAGD_BASE_MEM_H
#define DAGD_BASE_MEM_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup that abort with a message instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
