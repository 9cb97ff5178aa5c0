/* daemon_internal.c — what the daemon and `dagd worker` loops share
 * (daemon_internal.h). */
#define _GNU_SOURCE /* getrandom's header */
#include "daemon/daemon_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "base/clock.h"

bool daemon_turn_done(daemon_turn *t, const char *error, buf *line) {
  const char *message = error ? error : "";
  bool changed = strncmp(t->last_error, message, sizeof t->last_error - 1) != 0;
  if (changed) {
    if (error)
      buf_printf(line, "%s failed (retrying at its next turn): %s", t->name, error);
    else
      buf_printf(line, "%s works again", t->name);
  }
  snprintf(t->last_error, sizeof t->last_error, "%s", message);
  return changed;
}

double daemon_heartbeat_lasts(double written, double lasts, double interval) {
  return written + lasts - interval;
}

unsigned int daemon_random32(void) {
  unsigned int r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
    r = (unsigned int)(clock_mono() * 1e9);
  return r;
}
