/* terminate.c — terminating and deleting runs (terminate.h).
 *
 * The stored worker pid may be stale: the worker may have died and the
 * pid gone to another process. So a signal goes only to a process whose
 * command line is `… execute-run <run_id>`, and it is sent through a pidfd
 * opened before the command line is read, so the check and the signal are
 * about the same process even if the pid is recycled in between.
 *
 * Events are reported in Dagster's order and words: a QUEUED run is
 * canceled from the queue at once; a STARTED one gets RUN_CANCELING and
 * its worker reports RUN_CANCELED when its ops are stopped. With
 * MARK_AS_CANCELED_IMMEDIATELY the run is marked CANCELED before the worker
 * is signalled, so the worker finds it finished and adds no second
 * RUN_CANCELED.
 *
 * A worker that died without stopping its ops (kill -9, a crash) leaves
 * them running: nothing else would ever stop them. The worker led its own
 * session (launch.c) and its ops only moved to process groups of their
 * own, so they are still in the session named by the worker's pid; each
 * op also carries DAGD_RUN_ID=<run id> in its environment, which tells the
 * run's orphans apart from an unrelated session that reuses the id once
 * the pid is recycled. Their whole process groups get SIGKILL: with the
 * worker gone there is no grace period to honour, and an op's children
 * share its group. A `dagd worker` starting on a host where an earlier one
 * was killed looks for such ops without knowing their runs: any process
 * of its instance (DAGD_HOME) with a DAGD_RUN_ID whose session leader is
 * gone was left by a dead run worker (run_kill_ops_of_dead_workers).
 *
 * All of that holds only on the host and in the PID namespace the run was
 * launched from (run_worker_is_local): elsewhere the stored pid names
 * some other process, or none. A run launched elsewhere is never
 * signalled nor declared dead from here; a SAFE_TERMINATE leaves it
 * CANCELING, which its worker sees when it next polls the run's status. */
#define _GNU_SOURCE /* pidfd_open, pidfd_send_signal */
#include "run/terminate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/fs.h"
#include "run/run_internal.h"

#define FORCIBLY_CANCELED                                                                          \
  "This pipeline was forcibly marked as canceled from outside the execution context. The "         \
  "computational resources created by the run may not have been fully cleaned up."

bool run_can_terminate(store_run_status status) {
  return status == STORE_RUN_STARTED || status == STORE_RUN_QUEUED;
}

/* Whether the NUL-separated command line holds "execute-run" followed by
 * run_id. */
static bool is_worker_cmdline(const char *cmd, size_t n, const char *run_id) {
  const char *prev = NULL;
  for (const char *p = cmd; p < cmd + n; p += strlen(p) + 1) {
    if (prev && strcmp(prev, "execute-run") == 0 && strcmp(p, run_id) == 0)
      return true;
    prev = p;
  }
  return false;
}

/* Reads /proc/<pid>/cmdline into out (NUL-terminated); false when it
 * cannot be read (no such process, a zombie reads as empty). */
static bool read_cmdline(pid_t pid, char *out, size_t size, size_t *n) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  size_t got = 0;
  ssize_t r;
  while (got < size - 1 && (r = read(fd, out + got, size - 1 - got)) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  out[got] = '\0';
  *n = got;
  return got > 0;
}

bool run_signal_worker(int64_t pid, const char *run_id, int sig) {
  if (pid <= 0 || pid > INT_MAX || !run_id || !run_id[0])
    return false;
  if (kill((pid_t)pid, 0) != 0 && errno != EPERM)
    return false;
  /* Pin the process first; a kernel without pidfds gets the plain kill. */
  int pidfd = (int)pidfd_open((pid_t)pid, 0);
  if (pidfd < 0 && errno != ENOSYS)
    return false;
  char cmd[4096];
  size_t n;
  bool ok = read_cmdline((pid_t)pid, cmd, sizeof cmd, &n) && is_worker_cmdline(cmd, n, run_id);
  if (ok)
    ok = (pidfd >= 0 ? pidfd_send_signal(pidfd, sig, NULL, 0) : kill((pid_t)pid, sig)) == 0;
  if (pidfd >= 0)
    close(pidfd);
  return ok;
}

/* ---- orphaned ops ---- */

/* Reads /proc/<pid>/<name> whole into b (emptied first); false when it
 * cannot be read (the process is gone, or not ours to inspect). */
static bool read_proc_file(const char *pid, const char *name, buf *b) {
  char path[320]; /* d_name is at most 255 bytes */
  snprintf(path, sizeof path, "/proc/%s/%s", pid, name);
  b->len = 0;
  return fs_read_file(path, b);
}

/* The process group and session of a process, from /proc/<pid>/stat:
 * fields 5 and 6, counted after the last ')' since the command name in
 * field 2 may itself hold spaces and parentheses. */
static bool proc_group_and_session(const char *pid, buf *b, pid_t *pgrp, pid_t *sid) {
  if (!read_proc_file(pid, "stat", b))
    return false;
  const char *close = NULL;
  for (size_t i = 0; i < b->len; i++)
    if (b->data[i] == ')')
      close = b->data + i;
  long g, s;
  if (!close || sscanf(close + 1, " %*c %*d %ld %ld", &g, &s) != 2)
    return false;
  *pgrp = (pid_t)g;
  *sid = (pid_t)s;
  return true;
}

/* Whether the NUL-separated environment holds exactly `entry`. */
static bool env_has(const buf *env, const char *entry) {
  size_t n = strlen(entry);
  for (size_t i = 0; i < env->len;) {
    const char *e = env->data + i;
    size_t len = strnlen(e, env->len - i);
    if (len == n && memcmp(e, entry, n) == 0)
      return true;
    i += len + 1;
  }
  return false;
}

/* Which processes an orphan scan kills: members of session sid (0: of any
 * session but ours whose leader is gone) whose environment holds `entry`
 * whole and, when set, an entry starting with `prefix`. */
typedef struct orphan_filter {
  pid_t sid;
  const char *entry;
  const char *prefix;
} orphan_filter;

/* Whether the NUL-separated environment holds an entry starting with
 * prefix. */
static bool env_has_prefix(const buf *env, const char *prefix) {
  size_t n = strlen(prefix);
  for (size_t i = 0; i < env->len;) {
    const char *e = env->data + i;
    size_t len = strnlen(e, env->len - i);
    if (len >= n && memcmp(e, prefix, n) == 0)
      return true;
    i += len + 1;
  }
  return false;
}

/* Whether a process of session s is one the filter picks by its session:
 * the one named, or (sid 0) one whose leader is no longer running. A
 * session id that went to a new process since counts as alive: such ops
 * are left alone rather than risk another session's. */
static bool session_matches(const orphan_filter *f, pid_t s) {
  if (f->sid)
    return s == f->sid;
  return s > 1 && s != getsid(0) && kill(s, 0) != 0 && errno == ESRCH;
}

/* One pass over /proc: SIGKILL to the group of every process the filter
 * picks, remembering the groups already killed in *killed (n of them) so
 * none is counted twice. */
static void kill_orphans_pass(const orphan_filter *f, arena *a, pid_t **killed, size_t *n,
                              size_t *cap) {
  DIR *proc = opendir("/proc");
  if (!proc)
    return;
  buf b;
  buf_init(&b, a);
  pid_t own = getpgrp();
  struct dirent *e;
  while ((e = readdir(proc))) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9')
      continue;
    pid_t pgrp, s;
    if (!proc_group_and_session(e->d_name, &b, &pgrp, &s) || pgrp <= 1 || pgrp == own ||
        !session_matches(f, s))
      continue;
    if (!read_proc_file(e->d_name, "environ", &b) || !env_has(&b, f->entry) ||
        (f->prefix && !env_has_prefix(&b, f->prefix)))
      continue;
    bool seen = false;
    for (size_t i = 0; i < *n && !seen; i++)
      seen = (*killed)[i] == pgrp;
    if (seen || kill(-pgrp, SIGKILL) != 0)
      continue;
    *killed = arena_grow(a, *killed, cap, *n, sizeof **killed);
    (*killed)[(*n)++] = pgrp;
  }
  closedir(proc);
}

/* Passes over /proc: another follows one that killed something, to catch
 * a group an op made while the scan ran; groups killed already are
 * skipped, so the passes end once one finds nothing new (or after a few,
 * against an op that keeps making groups). */
static size_t kill_orphans(const orphan_filter *f) {
  arena *a = arena_new(0);
  pid_t *killed = NULL;
  size_t n = 0, cap = 0, before;
  int passes = 0;
  do {
    before = n;
    kill_orphans_pass(f, a, &killed, &n, &cap);
  } while (n > before && ++passes < 5);
  arena_free(a);
  return n;
}

size_t run_kill_orphaned_ops(int64_t worker_pid, const char *run_id) {
  if (worker_pid <= 1 || worker_pid > INT_MAX || !run_id)
    return 0;
  char entry[64];
  snprintf(entry, sizeof entry, "DAGD_RUN_ID=%s", run_id);
  orphan_filter f = {.sid = (pid_t)worker_pid, .entry = entry};
  return kill_orphans(&f);
}

size_t run_kill_ops_of_dead_workers(const char *home) {
  if (!home || !home[0])
    return 0;
  buf entry;
  buf_init(&entry, NULL);
  buf_printf(&entry, "DAGD_HOME=%s", home);
  orphan_filter f = {.sid = 0, .entry = buf_cstr(&entry), .prefix = "DAGD_RUN_ID="};
  size_t n = kill_orphans(&f);
  buf_free(&entry);
  return n;
}

/* Signals the run's worker; when it is not alive but the run had one,
 * kills the ops it left behind. True when the worker was signalled;
 * *orphans receives how many process groups were killed otherwise. A
 * worker launched elsewhere is left alone (false, no orphans). */
static bool stop_worker(const store_run *run, int sig, size_t *orphans) {
  *orphans = 0;
  if (!run_worker_is_local(run))
    return false;
  if (run_signal_worker(run->worker_pid, run->run_id, sig))
    return true;
  *orphans = run_kill_orphaned_ops(run->worker_pid, run->run_id);
  return false;
}

/* The engine event's text for a run whose worker (worker_pid > 0) is not
 * running: what became of its ops, then `then`. */
static void dead_worker_message(const store_run *run, size_t orphans, const char *then, char *out,
                                size_t size) {
  char ops[128];
  if (orphans == 0)
    snprintf(ops, sizeof ops, "no process of the run's ops was left running");
  else
    snprintf(ops, sizeof ops, "%zu process group%s of the run's ops left running %s stopped",
             orphans, orphans == 1 ? "" : "s", orphans == 1 ? "was" : "were");
  snprintf(out, size, "The run worker (pid %lld) is not running; %s%s", (long long)run->worker_pid,
           ops, then);
}

/* Dagster's QueuedRunCoordinator.cancel_run for a QUEUED run. */
static bool cancel_queued(run_instance *inst, const char *run_id, run_error *err) {
  return run_report(inst->store, run_id, "RUN_CANCELING", "Canceling run from the queue.", NULL,
                    err) &&
         run_report(inst->store, run_id, "RUN_CANCELED", RUN_CANCELED_OUTSIDE, NULL, err);
}

/* Whether the run is still unfinished, read again now: the caller's copy
 * may predate the worker finishing it normally (a deleted run counts as
 * finished: there is nothing left to end). False with err set when the
 * storage failed. */
static bool still_unfinished(run_instance *inst, const char *run_id, bool *unfinished,
                             run_error *err) {
  arena *a = arena_new(0);
  store_error serr = {{0}};
  store_run *now = store_run_get(inst->store, run_id, a, &serr);
  *unfinished = now && !store_run_status_finished(now->status);
  arena_free(a);
  if (!now && serr.message[0]) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    return false;
  }
  return true;
}

int run_end_abandoned(run_instance *inst, const store_run *run, const char *end_type,
                      const char *message, run_error *err) {
  bool unfinished;
  if (!still_unfinished(inst, run->run_id, &unfinished, err))
    return -1;
  if (!unfinished)
    return 0;
  const char *then = strcmp(end_type, "RUN_FAILURE") == 0 ? ": the run is marked as failed."
                                                          : ": the run is marked as canceled.";
  char engine[256];
  if (!run_worker_is_local(run))
    snprintf(engine, sizeof engine,
             "The run worker was launched on another host or in another PID namespace, so its "
             "ops cannot be stopped from here%s",
             then);
  else if (run->worker_pid > 0)
    dead_worker_message(run, run_kill_orphaned_ops(run->worker_pid, run->run_id), then, engine,
                        sizeof engine);
  else
    snprintf(engine, sizeof engine,
             "The run has no run worker, so nothing can stop the run's ops%s", then);
  bool ok = run_report(inst->store, run->run_id, "ENGINE_EVENT", engine, NULL, err) &&
            run_report(inst->store, run->run_id, end_type, message, NULL, err);
  return ok ? 0 : -1;
}

/* SAFE_TERMINATE of a STARTED run: the worker stops its ops and reports
 * RUN_CANCELED; without a live worker nobody would, so it is done here,
 * after stopping the ops a dead worker left behind. A worker launched
 * elsewhere learns of RUN_CANCELING from the store. */
static bool cancel_started(run_instance *inst, const store_run *run, run_error *err) {
  if (!run_report(inst->store, run->run_id, "RUN_CANCELING", RUN_TERMINATION_REQUEST, NULL, err))
    return false;
  return !run_worker_is_local(run) || run_signal_worker(run->worker_pid, run->run_id, SIGTERM) ||
         run_end_abandoned(inst, run, "RUN_CANCELED", RUN_CANCELED_OUTSIDE, err) == 0;
}

/* MARK_AS_CANCELED_IMMEDIATELY: a queued run leaves the queue as with
 * SAFE_TERMINATE; any other unfinished run is marked CANCELED with
 * Dagster's message, and then its worker, if alive, is told to stop; if it
 * had one that died, the ops it left are stopped and an engine event
 * says so. */
static bool force_cancel(run_instance *inst, const store_run *run, run_error *err) {
  if (run->status == STORE_RUN_QUEUED)
    return cancel_queued(inst, run->run_id, err);
  if (run->status == STORE_RUN_STARTED &&
      !run_report(inst->store, run->run_id, "RUN_CANCELING", RUN_TERMINATION_REQUEST, NULL, err))
    return false;
  if (!run_report(inst->store, run->run_id, "RUN_CANCELED", FORCIBLY_CANCELED, NULL, err))
    return false;
  size_t orphans;
  if (stop_worker(run, SIGTERM, &orphans) || run->worker_pid <= 0 || !run_worker_is_local(run))
    return true;
  char message[256];
  dead_worker_message(run, orphans, ".", message, sizeof message);
  return run_report(inst->store, run->run_id, "ENGINE_EVENT", message, NULL, err);
}

int run_terminate(run_instance *inst, const char *run_id, run_terminate_policy policy,
                  run_error *err) {
  arena *a = arena_new(0);
  int rc = -1;
  store_run *run = run_load(inst, run_id, a, err);
  if (!run)
    goto out;
  bool force = policy == RUN_MARK_AS_CANCELED_IMMEDIATELY;
  if (store_run_status_finished(run->status) || (!force && !run_can_terminate(run->status))) {
    run_fail(err, RUN_ERR_CANNOT_TERMINATE,
             "Run %s could not be terminated due to having status %s.", run_id,
             store_run_status_name(run->status));
    goto out;
  }
  bool ok = force                             ? force_cancel(inst, run, err)
            : run->status == STORE_RUN_QUEUED ? cancel_queued(inst, run_id, err)
                                              : cancel_started(inst, run, err);
  rc = ok ? 0 : -1;
out:
  arena_free(a);
  return rc;
}

/* ---- deleting ---- */

/* Removes <dir>/<run_id> (run_remove_run_dir); false with err set. */
static bool remove_run_dir(const char *dir, const char *run_id, bool racing, run_error *err) {
  char failed[PATH_MAX];
  int e = run_remove_run_dir(dir, run_id, racing, failed, sizeof failed);
  if (e)
    run_fail(err, RUN_ERR_INTERNAL,
             "Run %s was deleted, but its files could not all be removed: %s: %s", run_id, failed,
             strerror(e));
  return e == 0;
}

/* An unfinished run's worker is told to stop first (a finished run's is
 * only checked for: signal 0), and a dead worker's ops are killed, so
 * nothing of the run runs on once it is gone. A live worker stops its ops
 * and, finding its run deleted, removes the run's folders itself, racing
 * the removal here: for an unfinished run a folder that vanishes or fills
 * up meanwhile is not an error. */
int run_delete(run_instance *inst, const char *run_id, run_error *err) {
  arena *a = arena_new(0);
  int rc = -1;
  store_run *run = run_load(inst, run_id, a, err);
  if (!run)
    goto out;
  bool unfinished = !store_run_status_finished(run->status);
  size_t orphans;
  stop_worker(run, unfinished ? SIGTERM : 0, &orphans);
  bool found;
  store_error serr;
  if (store_run_delete(inst->store, run_id, &found, &serr) != 0) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    goto out;
  }
  if (!found) { /* deleted by someone else meanwhile */
    run_fail(err, RUN_ERR_NOT_FOUND, RUN_NOT_FOUND_FMT, run_id);
    goto out;
  }
  bool ok = remove_run_dir(inst->artifacts_dir, run_id, unfinished, err);
  /* The two folders are the same by default: don't report it twice. */
  if (ok && strcmp(inst->artifacts_dir, inst->compute_logs_dir) != 0)
    ok = remove_run_dir(inst->compute_logs_dir, run_id, unfinished, err);
  rc = ok ? 0 : -1;
out:
  arena_free(a);
  return rc;
}
