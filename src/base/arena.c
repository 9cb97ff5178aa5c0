/* arena.c — chunked bump allocator.
 *
 * The arena header lives in the same malloc block as the first chunk, so a
 * request that fits its first chunk costs one malloc and one free. Further
 * chunks double in size; an allocation too big for a regular chunk gets a
 * chunk of its own, linked in without disturbing the current chunk. Every
 * allocation is aligned for max_align_t. */
#include "base/arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"

#define ARENA_ALIGN alignof(max_align_t)
#define ROUND_UP(n) (((n) + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1))
#define DEFAULT_FIRST_CHUNK ((size_t)8192)
/* Chunks stop doubling here; bigger requests get dedicated chunks anyway. */
#define MAX_CHUNK ((size_t)16 << 20)

typedef struct chunk {
  struct chunk *next; /* the chunk allocated before this one */
  size_t size;        /* usable bytes after the header */
} chunk;

#define CHUNK_HDR ROUND_UP(sizeof(chunk))
#define CHUNK_DATA(c) ((char *)(c) + CHUNK_HDR)

struct arena {
  char *ptr;                 /* next free byte of the current chunk */
  char *end;                 /* end of the current chunk */
  char *last;                /* start of the latest allocation (for in-place realloc) */
  chunk *chunks;             /* every chunk, newest first; `first` is the last one */
  chunk *first;              /* the chunk that shares the arena's malloc block */
  size_t next_size;          /* size of the next regular chunk */
  size_t used;               /* bytes handed out */
  struct deferred *deferred; /* newest first */
  struct deferred *keyed;    /* those registered with arena_defer_keyed, newest first */
};

/* A cleanup registered with arena_defer; it lives in the arena itself. */
typedef struct deferred {
  struct deferred *next;
  struct deferred *next_keyed; /* the next keyed one (arena_defer_keyed) */
  void (*fn)(void *);
  void *ptr;
} deferred;

#define ARENA_HDR ROUND_UP(sizeof(arena))

arena *arena_new(size_t first_chunk) {
  if (first_chunk > SIZE_MAX / 4)
    xmalloc(SIZE_MAX); /* aborts: no such chunk can exist */
  size_t size = ROUND_UP(first_chunk ? first_chunk : DEFAULT_FIRST_CHUNK);
  char *block = xmalloc(ARENA_HDR + CHUNK_HDR + size);
  arena *a = (arena *)block;
  chunk *c = (chunk *)(block + ARENA_HDR);
  c->next = NULL;
  c->size = size;
  a->first = a->chunks = c;
  a->ptr = CHUNK_DATA(c);
  a->end = a->ptr + size;
  a->last = NULL;
  a->next_size = size < MAX_CHUNK ? size * 2 : MAX_CHUNK;
  a->used = 0;
  a->deferred = NULL;
  a->keyed = NULL;
  return a;
}

/* Runs the deferred cleanups, newest first. A cleanup may defer again (or
 * allocate); the loop picks that up too. */
static void run_deferred(arena *a) {
  a->keyed = NULL;
  while (a->deferred) {
    deferred *d = a->deferred;
    a->deferred = d->next;
    d->fn(d->ptr);
  }
}

/* Only the keyed cleanups are searched: a request defers one cleanup per
 * JSON object or reference it hands out, and walking all of them on every
 * lookup would make a long response quadratic. */
void *arena_find_deferred(const arena *a, void (*fn)(void *)) {
  for (const deferred *d = a->keyed; d; d = d->next_keyed)
    if (d->fn == fn)
      return d->ptr;
  return NULL;
}

static deferred *add_deferred(arena *a, void (*fn)(void *), void *ptr) {
  deferred *d = arena_alloc(a, sizeof *d);
  d->fn = fn;
  d->ptr = ptr;
  d->next = a->deferred;
  d->next_keyed = NULL;
  a->deferred = d;
  return d;
}

void arena_defer(arena *a, void (*fn)(void *), void *ptr) { add_deferred(a, fn, ptr); }

void arena_defer_keyed(arena *a, void (*fn)(void *), void *ptr) {
  deferred *d = add_deferred(a, fn, ptr);
  d->next_keyed = a->keyed;
  a->keyed = d;
}

/* Frees every chunk newer than the first one. */
static void free_extra_chunks(arena *a) {
  chunk *c = a->chunks;
  while (c != a->first) {
    chunk *next = c->next;
    free(c);
    c = next;
  }
  a->chunks = a->first;
}

void arena_free(arena *a) {
  if (!a)
    return;
  run_deferred(a);
  free_extra_chunks(a);
  free(a); /* the first chunk lives in this block too */
}

void arena_reset(arena *a) {
  run_deferred(a);
  free_extra_chunks(a);
  a->ptr = CHUNK_DATA(a->first);
  a->end = a->ptr + a->first->size;
  a->last = NULL;
  a->next_size = a->first->size < MAX_CHUNK ? a->first->size * 2 : MAX_CHUNK;
  a->used = 0;
}

static chunk *new_chunk(size_t size) {
  if (size > SIZE_MAX - CHUNK_HDR) {
    /* Unsatisfiable: let xmalloc report it as out of memory. */
    xmalloc(SIZE_MAX);
  }
  chunk *c = xmalloc(CHUNK_HDR + size);
  c->size = size;
  return c;
}

/* The slow path of arena_alloc: the current chunk is too small for sz bytes. */
static void *alloc_slow(arena *a, size_t sz) {
  if (sz > a->next_size / 4) {
    /* A big block gets its own chunk; the current chunk stays current so its
     * free space remains usable (and `last` can still grow in place). */
    chunk *c = new_chunk(sz);
    c->next = a->chunks;
    a->chunks = c;
    return CHUNK_DATA(c);
  }
  chunk *c = new_chunk(a->next_size);
  if (a->next_size < MAX_CHUNK)
    a->next_size *= 2;
  c->next = a->chunks;
  a->chunks = c;
  a->ptr = CHUNK_DATA(c) + sz;
  a->end = CHUNK_DATA(c) + c->size;
  a->last = CHUNK_DATA(c);
  return a->last;
}

void *arena_alloc(arena *a, size_t n) {
  if (n > SIZE_MAX - ARENA_ALIGN)
    xmalloc(SIZE_MAX); /* aborts: no arena can hold this */
  /* Zero-byte requests still get distinct memory, so in-place growth of one
   * cannot overwrite another. */
  size_t sz = n ? ROUND_UP(n) : ARENA_ALIGN;
  a->used += n;
  if ((size_t)(a->end - a->ptr) >= sz) {
    char *p = a->ptr;
    a->ptr += sz;
    a->last = p;
    return p;
  }
  return alloc_slow(a, sz);
}

void *arena_calloc(arena *a, size_t n) {
  void *p = arena_alloc(a, n);
  memset(p, 0, n);
  return p;
}

void *arena_realloc(arena *a, void *old, size_t old_n, size_t new_n) {
  if (!old)
    return arena_alloc(a, new_n);
  if (new_n <= old_n)
    return old;
  if (old == a->last) {
    size_t sz = ROUND_UP(new_n);
    if (sz >= new_n && (size_t)(a->end - (char *)old) >= sz) {
      a->ptr = (char *)old + sz;
      a->used += new_n - old_n;
      return old;
    }
  }
  void *p = arena_alloc(a, new_n);
  memcpy(p, old, old_n);
  return p;
}

void *arena_grow(arena *a, void *items, size_t *cap, size_t n, size_t size) {
  if (n < *cap)
    return items;
  size_t new_cap = *cap ? *cap * 2 : 8;
  if (new_cap < *cap || (size && new_cap > SIZE_MAX / size))
    xmalloc(SIZE_MAX); /* aborts: cannot be satisfied */
  items = arena_realloc(a, items, *cap * size, new_cap * size);
  *cap = new_cap;
  return items;
}

char *arena_strdup(arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

/* Copies exactly n bytes (they may contain NUL, as GraphQL strings can) and
 * adds a terminating NUL. */
char *arena_strndup(arena *a, const char *s, size_t n) {
  char *p = arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *arena_printf(arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = arena_vprintf(a, fmt, ap);
  va_end(ap);
  return p;
}

char *arena_vprintf(arena *a, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  /* Format straight into the free space of the current chunk when it fits. */
  size_t room = (size_t)(a->end - a->ptr);
  int n = vsnprintf(a->ptr, room, fmt, ap);
  char *p;
  if (n < 0) {
    p = arena_strdup(a, "");
  } else if ((size_t)n < room) {
    /* Chunk ends are aligned, so the rounded size fits as well: this claims
     * exactly the bytes just written. */
    p = arena_alloc(a, (size_t)n + 1);
  } else {
    p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
  }
  va_end(ap2);
  return p;
}

size_t arena_used(const arena *a) { return a->used; }
