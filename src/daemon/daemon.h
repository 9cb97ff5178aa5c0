/* daemon.h — the dagd daemon (Dagster's dagster-daemon): one background
 * thread per process that claims a heartbeat in the store every
 * DAEMON_HEARTBEAT_INTERVAL seconds and, while it owns the heartbeat,
 * dequeues runs when the instance's coordinator is queued (queue.h) and
 * checks unfinished runs when run monitoring is enabled (monitor.h).
 *
 * One daemon per instance: the heartbeat row is claimed by a conditional
 * write (store_daemon_heartbeat), which succeeds for the daemon that owns
 * it and for anyone once it is older than DAEMON_HEARTBEAT_STALE seconds,
 * so of several daemons on one instance, whatever their processes, one
 * owns it and only that one runs passes. A daemon that stops clears its
 * heartbeat (when still its own), so a restart is not refused; one that
 * was killed, or stalled, is replaced once its heartbeat went stale, and
 * a stalled one that wakes up finds it lost the claim and stops passing.
 *
 * `dagd daemon` starts exclusive: refused while another daemon's
 * heartbeat is fresh. `dagd dev` starts on standby: it keeps claiming
 * every beat and begins its passes once it wins (after the other daemon
 * stopped or went stale). */
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

/* Claims the heartbeat once and starts the daemon's thread on inst
 * (which must outlive the daemon). When another daemon's heartbeat is
 * fresh, the reason ("another dagd daemon (ID) is running: its heartbeat
 * is N s old") is appended to err and: without standby, NULL is returned;
 * with standby, the daemon starts without owning the heartbeat (no
 * passes) and tries to claim it at every beat. NULL with err set when the
 * store or the thread fails. */
daemon_loop *daemon_start(run_instance *inst, bool standby, buf *err);

/* The daemon's heartbeat id: host:pid:random. */
const char *daemon_id(const daemon_loop *d);

/* Whether the daemon owned the heartbeat at its last beat (and so runs
 * its passes). Safe from any thread. */
bool daemon_owned(const daemon_loop *d);

/* Makes the next queue pass happen now rather than at the next dequeue
 * interval (after a run was submitted). Safe from any thread, and from
 * a signal-free context only (it takes a mutex). */
void daemon_wake(daemon_loop *d);

/* Stops the thread (a pass under way finishes first), clears the
 * heartbeat when it is still this daemon's, and frees the daemon. NULL
 * is allowed. */
void daemon_stop(daemon_loop *d);

#endif
