/* strmap.c — the string map of strmap.h: FNV-1a hashes, linear probing in a
 * power-of-two table at most half full, doubled (from 8 slots) in the arena
 * when an insertion would pass that; the old table stays in the arena until
 * it is freed, as everything there does. */
#include "base/strmap.h"

#include <stdint.h>
#include <string.h>

#include "base/arena.h"

#define MIN_CAP 8

static uint64_t hash_key(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_of(const char *const *keys, size_t cap, const char *key) {
  size_t mask = cap - 1;
  size_t i = (size_t)hash_key(key) & mask;
  while (keys[i] && strcmp(keys[i], key) != 0)
    i = (i + 1) & mask;
  return i;
}

static void rehash(strmap *m, arena *a, size_t cap) {
  const char **keys = ARENA_ARRAY(a, const char *, cap);
  void **vals = ARENA_ARRAY(a, void *, cap);
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->keys[i])
      continue;
    size_t j = slot_of(keys, cap, m->keys[i]);
    keys[j] = m->keys[i];
    vals[j] = m->vals[i];
  }
  m->keys = keys;
  m->vals = vals;
  m->cap = cap;
}

void strmap_reserve(strmap *m, arena *a, size_t expected) {
  size_t cap = m->cap ? m->cap : MIN_CAP;
  while (cap < expected * 2)
    cap *= 2;
  if (cap != m->cap)
    rehash(m, a, cap);
}

/* The slot of key, claimed for it when it was free. */
static size_t claim(strmap *m, arena *a, const char *key) {
  if ((m->n + 1) * 2 > m->cap)
    rehash(m, a, m->cap ? m->cap * 2 : MIN_CAP);
  size_t i = slot_of(m->keys, m->cap, key);
  if (!m->keys[i]) {
    m->keys[i] = key;
    m->vals[i] = NULL;
    m->n++;
  }
  return i;
}

void strmap_put(strmap *m, arena *a, const char *key, const void *val) {
  size_t i = claim(m, a, key); /* may move m->vals */
  m->vals[i] = (void *)(uintptr_t)val;
}

void *strmap_add(strmap *m, arena *a, const char *key, const void *val) {
  size_t i = claim(m, a, key);
  void *old = m->vals[i];
  if (!old)
    m->vals[i] = (void *)(uintptr_t)val;
  return old;
}

void *strmap_get(const strmap *m, const char *key) {
  if (m->cap == 0 || !key)
    return NULL;
  size_t i = slot_of(m->keys, m->cap, key);
  return m->keys[i] ? m->vals[i] : NULL;
}
