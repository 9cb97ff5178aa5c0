/* clock.h — the two clocks dagd reads. The wall clock as dagd records it:
 * Unix time in seconds, as a double (Dagster's time.time()), for run and
 * event timestamps and anything other processes compare. The monotonic
 * clock, for scheduling and for how long something took inside one
 * process: a wall-clock step (NTP, an operator) neither stalls nor floods
 * a loop that waits on it. */
#ifndef DAGD_BASE_CLOCK_H
#define DAGD_BASE_CLOCK_H

/* The current time (CLOCK_REALTIME): seconds since the Unix epoch, with
 * the fraction down to what the clock gives. */
double clock_now(void);

/* Seconds on CLOCK_MONOTONIC: meaningful only as differences within one
 * boot of one machine, never stored. */
double clock_mono(void);
/* The same clock in whole milliseconds, for poll() timeouts and due times. */
long long clock_mono_ms(void);

#endif
