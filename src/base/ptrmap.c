/* ptrmap.c — the pointer-pair map of ptrmap.h: a multiplicative hash of both
 * pointers, linear probing in a power-of-two table at most three quarters
 * full, doubled (from 16 slots) in the arena when an insertion would pass
 * that. */
#include "base/ptrmap.h"

#include <stdint.h>

#include "base/arena.h"

#define MIN_CAP 16

static size_t pair_hash(const void *a, const void *b) {
  uint64_t h = (uint64_t)(uintptr_t)a * 0x9E3779B97F4A7C15u;
  h ^= (uint64_t)(uintptr_t)b * 0xC2B2AE3D27D4EB4Fu;
  return (size_t)(h ^ (h >> 29));
}

static bool slot_empty(const ptrmap_entry *e) { return !e->a && !e->b; }

/* The slot holding (a, b), or the empty slot where it would go. */
static size_t probe(const ptrmap_entry *slots, size_t cap, const void *a, const void *b) {
  size_t i = pair_hash(a, b) & (cap - 1);
  while (!slot_empty(&slots[i]) && !(slots[i].a == a && slots[i].b == b))
    i = (i + 1) & (cap - 1);
  return i;
}

static void grow(ptrmap *m, arena *ar) {
  size_t cap = m->cap ? m->cap * 2 : MIN_CAP;
  ptrmap_entry *slots = ARENA_ARRAY(ar, ptrmap_entry, cap);
  for (size_t i = 0; i < m->cap; i++) {
    const ptrmap_entry *e = &m->slots[i];
    if (!slot_empty(e))
      slots[probe(slots, cap, e->a, e->b)] = *e;
  }
  m->slots = slots;
  m->cap = cap;
}

void **ptrmap_slot(ptrmap *m, arena *ar, const void *a, const void *b, bool create) {
  if (m->cap) {
    ptrmap_entry *e = &m->slots[probe(m->slots, m->cap, a, b)];
    if (!slot_empty(e))
      return &e->value;
  }
  if (!create)
    return NULL;
  if ((m->n + 1) * 4 > m->cap * 3)
    grow(m, ar);
  ptrmap_entry *e = &m->slots[probe(m->slots, m->cap, a, b)];
  e->a = a;
  e->b = b;
  e->value = NULL;
  m->n++;
  return &e->value;
}

void *ptrmap_get(const ptrmap *m, const void *a, const void *b) {
  if (!m->cap)
    return NULL;
  const ptrmap_entry *e = &m->slots[probe(m->slots, m->cap, a, b)];
  return slot_empty(e) ? NULL : e->value;
}
