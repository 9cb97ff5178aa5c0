/* test_arena.c — unit tests for src/base/arena.c: alignment, growth across
 * chunks, big blocks, in-place realloc, growable arrays, reset, cleanups
 * and the string helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"

static void assert_aligned(const void *p) {
  assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
}

static void test_alloc_is_aligned_and_distinct(void **state) {
  (void)state;
  arena *a = arena_new(0);
  char *prev = NULL;
  for (size_t n = 0; n < 100; n++) {
    char *p = arena_alloc(a, n);
    assert_non_null(p);
    assert_aligned(p);
    assert_ptr_not_equal(p, prev);
    memset(p, 0xab, n);
    prev = p;
  }
  arena_free(a);
}

static void test_zero_size_allocations_differ(void **state) {
  (void)state;
  arena *a = arena_new(64);
  char *p = arena_alloc(a, 0);
  char *q = arena_alloc(a, 0);
  assert_ptr_not_equal(p, q);
  arena_free(a);
}

static void test_many_chunks_keep_data(void **state) {
  (void)state;
  arena *a = arena_new(64);
  int *blocks[2000];
  for (int i = 0; i < 2000; i++) {
    blocks[i] = arena_alloc(a, sizeof(int) * 10);
    for (int j = 0; j < 10; j++)
      blocks[i][j] = i * 10 + j;
  }
  for (int i = 0; i < 2000; i++)
    for (int j = 0; j < 10; j++)
      assert_int_equal(blocks[i][j], i * 10 + j);
  assert_int_equal(arena_used(a), 2000 * sizeof(int) * 10);
  arena_free(a);
}

static void test_big_block_keeps_current_chunk(void **state) {
  (void)state;
  arena *a = arena_new(1024);
  char *small1 = arena_alloc(a, 16);
  char *big = arena_alloc(a, 1 << 20);
  assert_aligned(big);
  memset(big, 1, 1 << 20);
  char *small2 = arena_alloc(a, 16);
  /* The small allocations still come from the first chunk, back to back. */
  assert_ptr_equal(small2, small1 + 16);
  arena_free(a);
}

static void test_calloc_zeroes(void **state) {
  (void)state;
  arena *a = arena_new(128);
  /* Dirty the memory first, then reset so calloc reuses it. */
  memset(arena_alloc(a, 100), 0xff, 100);
  arena_reset(a);
  unsigned char *p = arena_calloc(a, 100);
  for (int i = 0; i < 100; i++)
    assert_int_equal(p[i], 0);
  struct pair {
    int x;
    double y;
  } *s = ARENA_NEW(a, struct pair);
  assert_int_equal(s->x, 0);
  int *arr = ARENA_ARRAY(a, int, 7);
  for (int i = 0; i < 7; i++)
    assert_int_equal(arr[i], 0);
  arena_free(a);
}

static void test_realloc_grows_in_place_when_last(void **state) {
  (void)state;
  arena *a = arena_new(4096);
  char *p = arena_alloc(a, 10);
  memcpy(p, "abcdefghij", 10);
  char *q = arena_realloc(a, p, 10, 100);
  assert_ptr_equal(p, q);
  assert_memory_equal(q, "abcdefghij", 10);
  assert_int_equal(arena_used(a), 100);
  /* The next allocation comes after the grown block. */
  char *next = arena_alloc(a, 8);
  assert_true(next >= q + 100);
  arena_free(a);
}

static void test_realloc_copies_when_not_last(void **state) {
  (void)state;
  arena *a = arena_new(4096);
  char *p = arena_alloc(a, 10);
  memcpy(p, "abcdefghij", 10);
  (void)arena_alloc(a, 10);
  char *q = arena_realloc(a, p, 10, 20);
  assert_ptr_not_equal(p, q);
  assert_memory_equal(q, "abcdefghij", 10);
  /* Shrinking keeps the block. */
  assert_ptr_equal(arena_realloc(a, q, 20, 5), q);
  /* NULL behaves like arena_alloc. */
  assert_non_null(arena_realloc(a, NULL, 0, 8));
  arena_free(a);
}

static void test_realloc_copies_when_chunk_full(void **state) {
  (void)state;
  arena *a = arena_new(64);
  char *p = arena_alloc(a, 32);
  memset(p, 'x', 32);
  char *q = arena_realloc(a, p, 32, 4096);
  assert_ptr_not_equal(p, q);
  for (int i = 0; i < 32; i++)
    assert_int_equal(q[i], 'x');
  memset(q, 'y', 4096);
  arena_free(a);
}

static void test_reset_reuses_first_chunk(void **state) {
  (void)state;
  arena *a = arena_new(256);
  char *first = arena_alloc(a, 16);
  for (int i = 0; i < 100; i++)
    (void)arena_alloc(a, 200);
  (void)arena_alloc(a, 1 << 16);
  assert_true(arena_used(a) > 20000);
  arena_reset(a);
  assert_int_equal(arena_used(a), 0);
  assert_ptr_equal(arena_alloc(a, 16), first);
  /* Growth works again after a reset. */
  for (int i = 0; i < 100; i++)
    memset(arena_alloc(a, 200), 0, 200);
  arena_free(a);
}

static void test_strings(void **state) {
  (void)state;
  arena *a = arena_new(32);
  assert_string_equal(arena_strdup(a, "hello"), "hello");
  assert_string_equal(arena_strdup(a, ""), "");
  assert_string_equal(arena_strndup(a, "hello world", 5), "hello");
  /* strndup copies exactly n bytes, NUL bytes included. */
  char *nul = arena_strndup(a, "a\0b", 3);
  assert_memory_equal(nul, "a\0b\0", 4);
  assert_string_equal(arena_printf(a, "%d-%s", 42, "x"), "42-x");
  /* Longer than anything left in the current chunk. */
  char *long_text = arena_printf(a, "%0500d", 7);
  assert_int_equal(strlen(long_text), 500);
  assert_int_equal(long_text[499], '7');
  arena_free(a);
}

static void test_printf_claims_what_it_wrote(void **state) {
  (void)state;
  arena *a = arena_new(1024);
  /* Formatted in place: the next allocation follows right after it. */
  char *s = arena_printf(a, "%s", "abc");
  char *after = arena_alloc(a, 64);
  assert_ptr_equal(after, s + alignof(max_align_t));
  memset(after, 'z', 64);
  assert_string_equal(s, "abc");
  /* Too long for the chunk: formatted again into a fresh block. */
  char *big = arena_printf(a, "%02000d", 5);
  memset(arena_alloc(a, 64), 'z', 64);
  assert_int_equal(strlen(big), 2000);
  assert_int_equal(big[1999], '5');
  arena_free(a);
}

static void test_free_null(void **state) {
  (void)state;
  arena_free(NULL);
}

static void record(void *p) {
  int *slot = p;
  /* Each cleanup writes its order of running into its slot. */
  static int counter;
  if (!slot) {
    counter = 0;
    return;
  }
  *slot = ++counter;
}

/* A cleanup never registered. */
static void never_registered(void *p) { (void)p; }

static void test_defer_runs_newest_first_on_free_and_reset(void **state) {
  (void)state;
  int order[3] = {0, 0, 0};
  record(NULL);
  arena *a = arena_new(64);
  arena_defer(a, record, &order[0]);
  arena_defer(a, record, &order[1]);
  /* Enough allocation to need more chunks: cleanups survive growth. */
  for (int i = 0; i < 100; i++)
    arena_alloc(a, 100);
  arena_reset(a);
  assert_int_equal(order[1], 1);
  assert_int_equal(order[0], 2);
  /* Reset ran them once; a new one runs on free, the old ones not again.
   * Only keyed cleanups are found, the latest first, and a reset forgets
   * them. */
  arena_defer_keyed(a, record, &order[2]);
  arena_defer(a, record, &order[0]);
  assert_ptr_equal(arena_find_deferred(a, record), &order[2]);
  assert_null(arena_find_deferred(a, never_registered));
  arena_free(a);
  assert_int_equal(order[2], 4);
  assert_int_equal(order[0], 3);

  /* After a reset nothing keyed is left to find. */
  a = arena_new(64);
  arena_defer_keyed(a, never_registered, a);
  arena_reset(a);
  assert_null(arena_find_deferred(a, never_registered));
  arena_free(a);
}

static void test_grow_doubles_and_keeps_items(void **state) {
  (void)state;
  arena *a = arena_new(4096);
  int *v = NULL;
  size_t cap = 0, n = 0;
  v = arena_grow(a, v, &cap, n, sizeof *v);
  assert_non_null(v);
  assert_int_equal(cap, 8);
  for (; n < 8; n++) {
    /* Room left: the same array, the same capacity. */
    int *same = arena_grow(a, v, &cap, n, sizeof *v);
    assert_ptr_equal(same, v);
    assert_int_equal(cap, 8);
    v[n] = (int)n;
  }
  /* Full while it is the arena's latest block: it grows in place. */
  int *grown = arena_grow(a, v, &cap, n, sizeof *v);
  assert_ptr_equal(grown, v);
  assert_int_equal(cap, 16);
  /* Full after something else was allocated: copied, items kept. */
  for (; n < 16; n++)
    v[n] = (int)n;
  char *other = arena_alloc(a, 1);
  *other = 'x';
  v = arena_grow(a, v, &cap, n, sizeof *v);
  assert_ptr_not_equal(v, grown);
  assert_int_equal(cap, 32);
  for (; n < 1000; n++) {
    v = arena_grow(a, v, &cap, n, sizeof *v);
    v[n] = (int)n;
  }
  assert_int_equal(cap, 1024);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(v[i], (int)i);
  assert_int_equal(*other, 'x');
  arena_free(a);
}

/* Elements of any size keep their alignment and content. */
static void test_grow_wide_elements(void **state) {
  (void)state;
  typedef struct wide {
    double d;
    char name[40];
  } wide;
  arena *a = arena_new(64);
  wide *v = NULL;
  size_t cap = 0;
  for (size_t n = 0; n < 100; n++) {
    v = arena_grow(a, v, &cap, n, sizeof *v);
    assert_aligned(v);
    v[n].d = (double)n / 2;
    snprintf(v[n].name, sizeof v[n].name, "item %zu", n);
  }
  assert_int_equal(cap, 128);
  for (size_t i = 0; i < 100; i++) {
    char want[40];
    snprintf(want, sizeof want, "item %zu", i);
    assert_string_equal(v[i].name, want);
    assert_true(v[i].d == (double)i / 2);
  }
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_alloc_is_aligned_and_distinct),
      cmocka_unit_test(test_zero_size_allocations_differ),
      cmocka_unit_test(test_many_chunks_keep_data),
      cmocka_unit_test(test_big_block_keeps_current_chunk),
      cmocka_unit_test(test_calloc_zeroes),
      cmocka_unit_test(test_realloc_grows_in_place_when_last),
      cmocka_unit_test(test_realloc_copies_when_not_last),
      cmocka_unit_test(test_realloc_copies_when_chunk_full),
      cmocka_unit_test(test_reset_reuses_first_chunk),
      cmocka_unit_test(test_strings),
      cmocka_unit_test(test_printf_claims_what_it_wrote),
      cmocka_unit_test(test_free_null),
      cmocka_unit_test(test_defer_runs_newest_first_on_free_and_reset),
      cmocka_unit_test(test_grow_doubles_and_keeps_items),
      cmocka_unit_test(test_grow_wide_elements),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
