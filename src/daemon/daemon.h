/* daemon.h — the dagd daemon (Dagster's dagster-daemon): one background
 * thread per process that writes a heartbeat into the store every
 * DAEMON_HEARTBEAT_INTERVAL seconds, dequeues runs when the instance's
 * coordinator is queued (queue.h) and checks unfinished runs when run
 * monitoring is enabled (monitor.h).
 *
 * One daemon per instance: a daemon refuses to start while another one's
 * heartbeat is fresher than DAEMON_HEARTBEAT_STALE seconds. A daemon that
 * stops clears its heartbeat, so a restart is not refused; one that was
 * killed is replaced once its heartbeat went stale. */
#ifndef DAGD_DAEMON_DAEMON_H
#define DAGD_DAEMON_DAEMON_H

#include "base/buf.h"
#include "run/instance.h"

/* Seconds between heartbeats, and the age past which a heartbeat no
 * longer means a running daemon (three missed beats). */
#define DAEMON_HEARTBEAT_INTERVAL 1.0
#define DAEMON_HEARTBEAT_STALE (3 * DAEMON_HEARTBEAT_INTERVAL)

/* The daemon's row in the store's heartbeat table. */
#define DAEMON_TYPE "dagd daemon"

typedef struct daemon_loop daemon_loop;

/* Writes the first heartbeat and starts the daemon's thread on inst
 * (which must outlive the daemon). NULL with the reason appended to err
 * when another daemon is running ("another dagd daemon (ID) is running:
 * its heartbeat is N s old") or the store or the thread fails. */
daemon_loop *daemon_start(run_instance *inst, buf *err);

/* The daemon's heartbeat id: host:pid:random. */
const char *daemon_id(const daemon_loop *d);

/* Makes the next queue pass happen now rather than at the next dequeue
 * interval (after a run was submitted). Safe from any thread, and from
 * a signal-free context only (it takes a mutex). */
void daemon_wake(daemon_loop *d);

/* Stops the thread (a pass under way finishes first), clears the
 * heartbeat and frees the daemon. NULL is allowed. */
void daemon_stop(daemon_loop *d);

#endif
