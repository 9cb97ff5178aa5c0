/* daemon_internal.h — private to the daemon module: what the daemon's loop
 * (daemon.c) and a `dagd worker`'s (worker_host.c) share. Both run
 * periodic jobs against a store that may fail for an hour, both claim a
 * row of the heartbeat table that others read, and both need an id no
 * other process of the instance has. */
#ifndef DAGD_DAEMON_DAEMON_INTERNAL_H
#define DAGD_DAEMON_DAEMON_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* One of a loop's periodic jobs that can fail on the store, and its last
 * failure. */
typedef struct daemon_turn {
  const char *name;     /* "the heartbeat" */
  char last_error[512]; /* "" after a success */
} daemon_turn;

/* Records how a turn went (error NULL: it worked) and, when that differs
 * from the last time, appends the line to log to *line ("<name> failed
 * (retrying at its next turn): <error>", "<name> works again") and
 * returns true: a failure that repeats itself is said once, and its end
 * noted, so a database down for an hour does not fill the log. */
bool daemon_turn_done(daemon_turn *t, const char *error, buf *line);

/* The monotonic time until which a heartbeat written successfully at
 * monotonic time `written` still stands for its writer, should the next
 * writes fail: one beat (`interval`) short of the moment others stop
 * believing it (`lasts` seconds after it was written). A daemon keeps
 * running its passes until then; a worker host keeps claiming runs. */
double daemon_heartbeat_lasts(double written, double lasts, double interval);

/* A random 32-bit number (getrandom; the monotonic clock's nanoseconds
 * when the system has no random source yet), for ids two processes must
 * not share even when the host and pid repeat. */
unsigned int daemon_random32(void);

#endif
