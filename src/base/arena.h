/* arena.h — region allocator: many small allocations, one free.
 *
 * One arena per request (parse, validate, execute and the response all live
 * in it) and one per long-lived object such as a schema. Memory comes in
 * chunks that grow geometrically; arena_free releases everything at once.
 * Not thread-safe: an arena belongs to one thread at a time. */
#ifndef DAGD_BASE_ARENA_H
#define DAGD_BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

/* A new arena whose first chunk holds at least first_chunk bytes (0: a default). */
arena *arena_new(size_t first_chunk);
/* Releases every allocation of the arena and the arena itself. NULL is allowed. */
void arena_free(arena *a);
/* Forgets every allocation but keeps the first chunk, for reuse across requests. */
void arena_reset(arena *a);

/* n bytes aligned for any type; never NULL. The memory is not zeroed. */
void *arena_alloc(arena *a, size_t n);
/* n zeroed bytes. */
void *arena_calloc(arena *a, size_t n);
/* Grows an allocation made from this arena (copies when it cannot grow in
 * place); old NULL allocates. The added bytes are not zeroed. */
void *arena_realloc(arena *a, void *old, size_t old_n, size_t new_n);
/* A growable array in the arena: `items` holds n elements of `size` bytes
 * in *cap allocated (NULL with *cap 0 to start). Returns the array with
 * room for at least one more element, the same one while n < *cap, else
 * grown (arena_realloc: in place when it can) to twice *cap (8 at first),
 * which *cap then receives. Typical use:
 *   v = arena_grow(a, v, &cap, n, sizeof *v); v[n++] = x; */
void *arena_grow(arena *a, void *items, size_t *cap, size_t n, size_t size);
/* Copies of strings, NUL-terminated. */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
/* printf into the arena. */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same with a va_list, which it consumes (for functions that take a format). */
char *arena_vprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Registers fn(ptr) to run when the arena is freed or reset, the latest
 * registered first: for what a request holds beyond its memory, such as a
 * reference to shared definitions or a jansson value it hands out. */
void arena_defer(arena *a, void (*fn)(void *), void *ptr);

/* arena_defer, and the cleanup can be found again by fn with
 * arena_find_deferred: lets a request keep one object of a kind (found by
 * its cleanup) for all its users without a context of its own. */
void arena_defer_keyed(arena *a, void (*fn)(void *), void *ptr);

/* The ptr of the latest cleanup registered with fn by arena_defer_keyed,
 * or NULL (cleanups registered with arena_defer are not searched). */
void *arena_find_deferred(const arena *a, void (*fn)(void *));

/* Total bytes handed out so far (for limits and tests). */
size_t arena_used(const arena *a);

/* Typed helpers. */
#define ARENA_NEW(a, T) ((T *)arena_calloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_calloc((a), sizeof(T) * (size_t)(n)))

#endif
