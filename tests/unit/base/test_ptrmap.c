/* test_ptrmap.c — unit tests for src/base/ptrmap.c: pairs keyed by
 * identity and order, single-pointer keys (b NULL), slots created on
 * demand and written through, lookups without creating, and growth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/ptrmap.h"

static void test_zeroed_map_is_empty(void **state) {
  (void)state;
  ptrmap m = {0};
  int x = 0;
  assert_null(ptrmap_get(&m, &x, NULL));
  assert_null(ptrmap_slot(&m, NULL, &x, &x, false));
}

static void test_pairs_by_identity_and_order(void **state) {
  (void)state;
  arena *a = arena_new(0);
  ptrmap m = {0};
  int x = 0, y = 0, v1 = 1, v2 = 2, v3 = 3;
  *ptrmap_slot(&m, a, &x, &y, true) = &v1;
  *ptrmap_slot(&m, a, &y, &x, true) = &v2; /* (y, x) is another key */
  *ptrmap_slot(&m, a, &x, NULL, true) = &v3;
  assert_ptr_equal(ptrmap_get(&m, &x, &y), &v1);
  assert_ptr_equal(ptrmap_get(&m, &y, &x), &v2);
  assert_ptr_equal(ptrmap_get(&m, &x, NULL), &v3);
  assert_null(ptrmap_get(&m, &y, NULL));
  assert_null(ptrmap_get(&m, NULL, &x));
  assert_int_equal(m.n, 3);
  /* An existing key gives back its slot, value kept, nothing added. */
  void **slot = ptrmap_slot(&m, a, &x, &y, true);
  assert_ptr_equal(*slot, &v1);
  assert_ptr_equal(ptrmap_slot(&m, NULL, &x, &y, false), slot);
  assert_int_equal(m.n, 3);
  /* A new key starts with a NULL value; without create nothing is added. */
  assert_null(ptrmap_slot(&m, NULL, &y, &y, false));
  void **fresh = ptrmap_slot(&m, a, &y, &y, true);
  assert_null(*fresh);
  assert_int_equal(m.n, 4);
  arena_free(a);
}

static void test_growth_keeps_every_key(void **state) {
  (void)state;
  arena *a = arena_new(0);
  ptrmap m = {0};
  enum { COUNT = 3000 };
  char *nodes = arena_alloc(a, COUNT);
  for (size_t i = 0; i < COUNT; i++) {
    *ptrmap_slot(&m, a, &nodes[i], &nodes[COUNT - 1 - i], true) = (void *)(uintptr_t)(i + 1);
    assert_true(m.n * 4 <= m.cap * 3);
  }
  assert_int_equal(m.n, COUNT);
  for (size_t i = 0; i < COUNT; i++) {
    assert_int_equal((uintptr_t)ptrmap_get(&m, &nodes[i], &nodes[COUNT - 1 - i]), i + 1);
    if (i != COUNT - 1 - i)
      assert_null(ptrmap_get(&m, &nodes[i], &nodes[i]));
  }
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_zeroed_map_is_empty),
      cmocka_unit_test(test_pairs_by_identity_and_order),
      cmocka_unit_test(test_growth_keeps_every_key),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
