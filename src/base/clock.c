/* clock.c — the wall clock (clock.h). */
#include "base/clock.h"

#include <time.h>

double clock_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
