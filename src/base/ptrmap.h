/* ptrmap.h — a hash map keyed by pairs of pointers (compared by identity),
 * grown in an arena.
 *
 * For memos keyed by nodes and types, such as the validation rules'
 * "have these two fields been compared" caches. A key is a pair (a, b); b is
 * NULL for a map keyed by one pointer. Open addressing with linear probing,
 * kept at most three quarters full; the storage comes from the arena passed
 * to each insertion and goes away with it. A zeroed ptrmap is empty and
 * ready. Names are keyed by strmap.h, not here. */
#ifndef DAGD_BASE_PTRMAP_H
#define DAGD_BASE_PTRMAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct arena arena;

typedef struct ptrmap_entry {
  const void *a, *b; /* both NULL: an empty slot */
  void *value;
} ptrmap_entry;

typedef struct ptrmap {
  ptrmap_entry *slots;
  size_t cap; /* 0 or a power of two */
  size_t n;   /* keys stored */
} ptrmap;

/* The value slot of (a, b), which must not both be NULL. With create, a
 * missing key is added with a NULL value (growing the map in ar); without,
 * NULL is returned for it (ar may then be NULL). */
void **ptrmap_slot(ptrmap *m, arena *ar, const void *a, const void *b, bool create);
/* The value stored for (a, b); NULL when absent. */
void *ptrmap_get(const ptrmap *m, const void *a, const void *b);

#endif
