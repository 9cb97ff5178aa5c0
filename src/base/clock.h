/* clock.h — the wall clock as dagd records it: Unix time in seconds, as a
 * double (Dagster's time.time()), for run and event timestamps. */
#ifndef DAGD_BASE_CLOCK_H
#define DAGD_BASE_CLOCK_H

/* The current time (CLOCK_REALTIME): seconds since the Unix epoch, with
 * the fraction down to what the clock gives. */
double clock_now(void);

#endif
