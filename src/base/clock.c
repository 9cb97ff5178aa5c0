/* clock.c — the wall and monotonic clocks (clock.h). */
#include "base/clock.h"

#include <time.h>

static double read_clock(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double clock_now(void) { return read_clock(CLOCK_REALTIME); }

double clock_mono(void) { return read_clock(CLOCK_MONOTONIC); }

long long clock_mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
