/* test_utf8.c — strict UTF-8 decoding: every length, and each way bytes
 * can fail to be UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"

static int decode(const char *s, size_t n, uint32_t *cp) { return utf8_decode(s, s + n, cp); }

static void test_well_formed(void **state) {
  (void)state;
  uint32_t cp;
  assert_int_equal(decode("A", 1, &cp), 1);
  assert_int_equal(cp, 'A');
  assert_int_equal(decode("\xc3\xa9", 2, &cp), 2);
  assert_int_equal(cp, 0xE9);
  assert_int_equal(decode("\xe2\x80\xa8", 3, &cp), 3);
  assert_int_equal(cp, 0x2028);
  assert_int_equal(decode("\xf0\x9f\x98\x80", 4, &cp), 4);
  assert_int_equal(cp, 0x1F600);
  assert_int_equal(decode("\xf4\x8f\xbf\xbf", 4, &cp), 4);
  assert_int_equal(cp, 0x10FFFF);
}

static void test_ill_formed(void **state) {
  (void)state;
  static const char *const bad[] = {
      "\x80",             /* stray continuation */
      "\xc0\xaf",         /* overlong '/' */
      "\xe0\x80\xaf",     /* overlong, three bytes */
      "\xed\xa0\x80",     /* surrogate U+D800 */
      "\xf4\x90\x80\x80", /* past U+10FFFF */
      "\xf5\x80\x80\x80", /* lead byte never used */
      "\xc3(",            /* continuation missing */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    uint32_t cp = 0;
    assert_int_equal(decode(bad[i], strlen(bad[i]), &cp), 0);
    assert_int_equal(cp, 0xFFFD);
  }
  uint32_t cp;
  /* cut short by the end of input, though the bytes after it would fit */
  assert_int_equal(decode("\xf0\x9f\x98\x80", 3, &cp), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_well_formed),
      cmocka_unit_test(test_ill_formed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
