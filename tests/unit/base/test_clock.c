/* test_clock.c — unit tests for src/base/clock.c: clock_now is Unix time
 * in seconds, agrees with time(), has a fraction and moves forward;
 * clock_mono agrees with CLOCK_MONOTONIC, never goes back and measures a
 * pause. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <time.h>

#include "base/clock.h"

/* Sleeps 50 ms, however often a signal interrupts. */
static void pause_50ms(void) {
  struct timespec pause = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
  while (nanosleep(&pause, &pause) != 0) {
  }
}

static void test_agrees_with_time(void **state) {
  (void)state;
  time_t before = time(NULL);
  double now = clock_now();
  time_t after = time(NULL);
  /* time() may read a coarser clock, a tick behind: one second of slack. */
  assert_true(now >= (double)before - 1);
  assert_true(now < (double)after + 2);
  assert_true(now > 1577836800.0); /* after 2020-01-01: seconds, not ms or ns */
  assert_true(now < 4102444800.0); /* before 2100-01-01 */
}

static void test_has_a_fraction(void **state) {
  (void)state;
  /* Whole seconds every time would mean the nanoseconds were dropped. */
  int fractional = 0;
  for (int i = 0; i < 100; i++) {
    double t = clock_now();
    if (t != floor(t))
      fractional++;
  }
  assert_true(fractional > 0);
}

static void test_moves_with_a_pause(void **state) {
  (void)state;
  double start = clock_now();
  pause_50ms();
  double elapsed = clock_now() - start;
  assert_true(elapsed >= 0.04);
  assert_true(elapsed < 10.0);
}

static void test_mono_agrees_with_monotonic(void **state) {
  (void)state;
  struct timespec before, after;
  clock_gettime(CLOCK_MONOTONIC, &before);
  double mono = clock_mono();
  clock_gettime(CLOCK_MONOTONIC, &after);
  assert_true(mono >= (double)before.tv_sec);
  assert_true(mono <= (double)after.tv_sec + 1);
  /* Not the wall clock: seconds since boot, far from Unix time. */
  assert_true(clock_now() - mono > 1e6 || mono - clock_now() > 1e6);
}

static void test_mono_ms_is_mono_in_milliseconds(void **state) {
  (void)state;
  long long before = (long long)(clock_mono() * 1000);
  long long ms = clock_mono_ms();
  long long after = (long long)(clock_mono() * 1000) + 1;
  assert_true(ms >= before - 1 && ms <= after);
}

static void test_mono_never_goes_back(void **state) {
  (void)state;
  double last = clock_mono();
  for (int i = 0; i < 10000; i++) {
    double t = clock_mono();
    assert_true(t >= last);
    last = t;
  }
  double start = clock_mono();
  pause_50ms();
  double elapsed = clock_mono() - start;
  assert_true(elapsed >= 0.049);
  assert_true(elapsed < 10.0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_agrees_with_time),
      cmocka_unit_test(test_has_a_fraction),
      cmocka_unit_test(test_moves_with_a_pause),
      cmocka_unit_test(test_mono_agrees_with_monotonic),
      cmocka_unit_test(test_mono_ms_is_mono_in_milliseconds),
      cmocka_unit_test(test_mono_never_goes_back),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
