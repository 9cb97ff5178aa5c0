/* test_strmap.c — unit tests for src/base/strmap.c: a zeroed map is ready,
 * put/get/replace, add (first one wins), keys compared by content not
 * address, growth across many rehashes, reserve, NULL keys and values, and
 * colliding keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/strmap.h"

static void test_zeroed_map_is_empty(void **state) {
  (void)state;
  strmap m = {0};
  assert_null(strmap_get(&m, "a"));
  assert_null(strmap_get(&m, ""));
  assert_null(strmap_get(&m, NULL));
  assert_int_equal(m.n, 0);
}

static void test_put_get_replace(void **state) {
  (void)state;
  arena *a = arena_new(0);
  strmap m = {0};
  int one = 1, two = 2, three = 3;
  strmap_put(&m, a, "one", &one);
  strmap_put(&m, a, "two", &two);
  strmap_put(&m, a, "", &three); /* the empty name is a key like any other */
  assert_ptr_equal(strmap_get(&m, "one"), &one);
  assert_ptr_equal(strmap_get(&m, "two"), &two);
  assert_ptr_equal(strmap_get(&m, ""), &three);
  assert_null(strmap_get(&m, "three"));
  assert_null(strmap_get(&m, "on"));
  assert_null(strmap_get(&m, "one "));
  assert_int_equal(m.n, 3);
  /* Replacing keeps one key. */
  strmap_put(&m, a, "one", &three);
  assert_ptr_equal(strmap_get(&m, "one"), &three);
  assert_int_equal(m.n, 3);
  /* Keys compare by content: another copy of the text finds the value. */
  char copy[] = "two";
  assert_ptr_equal(strmap_get(&m, copy), &two);
  /* Const values come back as they went in. */
  static const char text[] = "value";
  strmap_put(&m, a, "const", text);
  assert_ptr_equal(strmap_get(&m, "const"), text);
  /* A NULL value reads as absent, but the key is stored. */
  strmap_put(&m, a, "nothing", NULL);
  assert_null(strmap_get(&m, "nothing"));
  assert_int_equal(m.n, 5);
  arena_free(a);
}

static void test_add_keeps_the_first(void **state) {
  (void)state;
  arena *a = arena_new(0);
  strmap m = {0};
  int first = 1, second = 2;
  assert_null(strmap_add(&m, a, "x", &first));
  assert_ptr_equal(strmap_add(&m, a, "x", &second), &first);
  assert_ptr_equal(strmap_get(&m, "x"), &first);
  assert_int_equal(m.n, 1);
  /* A key holding NULL takes the new value. */
  strmap_put(&m, a, "y", NULL);
  assert_null(strmap_add(&m, a, "y", &second));
  assert_ptr_equal(strmap_get(&m, "y"), &second);
  /* Across growth: each key keeps its first value. */
  char name[16];
  for (int i = 0; i < 200; i++) {
    snprintf(name, sizeof name, "k%d", i % 100);
    void *old = strmap_add(&m, a, arena_strdup(a, name), (void *)(uintptr_t)(i + 1));
    if (i < 100)
      assert_null(old);
    else
      assert_int_equal((uintptr_t)old, (uintptr_t)(i - 100 + 1));
  }
  assert_int_equal(m.n, 102);
  arena_free(a);
}

static void test_growth_keeps_every_key(void **state) {
  (void)state;
  arena *a = arena_new(0);
  strmap m = {0};
  enum { COUNT = 5000 };
  char **keys = ARENA_ARRAY(a, char *, COUNT);
  for (size_t i = 0; i < COUNT; i++) {
    keys[i] = arena_printf(a, "k%zu", i);
    strmap_put(&m, a, keys[i], (void *)(uintptr_t)(i + 1));
    /* Half full at most, a power of two. */
    assert_true(m.n * 2 <= m.cap);
    assert_int_equal(m.cap & (m.cap - 1), 0);
  }
  assert_int_equal(m.n, COUNT);
  for (size_t i = 0; i < COUNT; i++) {
    char probe[32];
    snprintf(probe, sizeof probe, "k%zu", i);
    assert_int_equal((uintptr_t)strmap_get(&m, probe), i + 1);
  }
  assert_null(strmap_get(&m, "k5000"));
  assert_null(strmap_get(&m, "k"));
  arena_free(a);
}

static void test_reserve(void **state) {
  (void)state;
  arena *a = arena_new(0);
  strmap m = {0};
  strmap_reserve(&m, a, 0);
  assert_int_equal(m.cap, 8);
  strmap_reserve(&m, a, 100);
  assert_int_equal(m.cap, 256);
  size_t cap = m.cap;
  char name[16];
  for (int i = 0; i < 100; i++) {
    snprintf(name, sizeof name, "n%d", i);
    strmap_put(&m, a, arena_strdup(a, name), (void *)(uintptr_t)(i + 1));
  }
  assert_int_equal(m.cap, cap); /* no growth for what was reserved */
  /* Reserving less than there is keeps everything. */
  strmap_reserve(&m, a, 1);
  assert_int_equal(m.cap, cap);
  strmap_reserve(&m, a, 1000);
  assert_int_equal(m.cap, 2048);
  for (int i = 0; i < 100; i++) {
    snprintf(name, sizeof name, "n%d", i);
    assert_int_equal((uintptr_t)strmap_get(&m, name), (uintptr_t)(i + 1));
  }
  arena_free(a);
}

static void test_keys_that_share_a_slot(void **state) {
  (void)state;
  arena *a = arena_new(0);
  strmap m = {0};
  /* With 8 slots, some of these 3 keys may well land together; with many
   * short keys in a small table, probing past a taken slot is certain. */
  const char *names[] = {"a", "b", "c", "ab", "ba", "abc"};
  for (size_t i = 0; i < 3; i++)
    strmap_put(&m, a, names[i], names[i]);
  assert_int_equal(m.cap, 8);
  for (size_t i = 3; i < 6; i++)
    strmap_put(&m, a, names[i], names[i]);
  for (size_t i = 0; i < 6; i++)
    assert_ptr_equal(strmap_get(&m, names[i]), names[i]);
  assert_null(strmap_get(&m, "cba"));
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_zeroed_map_is_empty),
      cmocka_unit_test(test_put_get_replace),
      cmocka_unit_test(test_add_keeps_the_first),
      cmocka_unit_test(test_growth_keeps_every_key),
      cmocka_unit_test(test_reserve),
      cmocka_unit_test(test_keys_that_share_a_slot),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
