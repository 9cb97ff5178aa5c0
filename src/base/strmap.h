/* strmap.h — a hash map from NUL-terminated strings to pointers, grown in an
 * arena.
 *
 * The one name map of the tree: the schema's lookups, the SDL checks and the
 * validation rules all keep names in one. Open addressing with linear
 * probing, kept at most half full; the storage comes from the arena passed
 * to each insertion and goes away with it. Keys are borrowed, not copied, so
 * they must live as long as the map (usually in the same arena). A zeroed
 * strmap is empty and ready. Lookups never write, so a map built once may be
 * read by many threads. */
#ifndef DAGD_BASE_STRMAP_H
#define DAGD_BASE_STRMAP_H

#include <stddef.h>

typedef struct arena arena;

typedef struct strmap {
  const char **keys; /* NULL: an empty slot */
  void **vals;
  size_t cap; /* 0 or a power of two */
  size_t n;   /* keys stored */
} strmap;

/* Makes room for `expected` keys in all, so that inserting them does not grow
 * the map again (a hint; the map grows anyway when needed). */
void strmap_reserve(strmap *m, arena *a, size_t expected);
/* Stores val under key, replacing an earlier value of the same key. val may be
 * NULL, which strmap_get cannot tell from an absent key. The map hands val
 * back as it got it; whether it may be written through is the caller's
 * business, as with strchr. */
void strmap_put(strmap *m, arena *a, const char *key, const void *val);
/* Stores val under key unless key holds a value already, and returns that
 * value (NULL when val was stored): "the first one wins", as uniqueness
 * checks want it, in one probe. */
void *strmap_add(strmap *m, arena *a, const char *key, const void *val);
/* The value stored under key; NULL when absent or when key is NULL. */
void *strmap_get(const strmap *m, const char *key);

#endif
