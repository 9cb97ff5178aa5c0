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
 * RUN_CANCELED. */
#define _GNU_SOURCE /* pidfd_open, pidfd_send_signal */
#include "run/terminate.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "run/run_internal.h"

#define CANCELED_OUTSIDE "This run has been marked as canceled from outside the execution context."
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

/* The run, or NULL with err set (RUN_ERR_NOT_FOUND or RUN_ERR_INTERNAL). */
static store_run *load_run(run_instance *inst, const char *run_id, arena *a, run_error *err) {
  if (!run_id_is_uuid(run_id)) {
    run_fail(err, RUN_ERR_NOT_FOUND, RUN_NOT_FOUND_FMT, run_id ? run_id : "(none)");
    return NULL;
  }
  store_error serr;
  store_run *run = store_run_get(inst->store, run_id, a, &serr);
  if (!run) {
    if (serr.message[0])
      run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    else
      run_fail(err, RUN_ERR_NOT_FOUND, RUN_NOT_FOUND_FMT, run_id);
  }
  return run;
}

/* Dagster's QueuedRunCoordinator.cancel_run for a QUEUED run. */
static bool cancel_queued(run_instance *inst, const char *run_id, run_error *err) {
  return run_report(inst->store, run_id, "RUN_CANCELING", "Canceling run from the queue.", NULL,
                    err) &&
         run_report(inst->store, run_id, "RUN_CANCELED", CANCELED_OUTSIDE, NULL, err);
}

/* SAFE_TERMINATE of a STARTED run: the worker stops its ops and reports
 * RUN_CANCELED; without a live worker nobody would, so it is done here. */
static bool cancel_started(run_instance *inst, const store_run *run, run_error *err) {
  if (!run_report(inst->store, run->run_id, "RUN_CANCELING", "Sending run termination request.",
                  NULL, err))
    return false;
  if (run_signal_worker(run->worker_pid, run->run_id, SIGTERM))
    return true;
  char message[160];
  if (run->worker_pid > 0)
    snprintf(message, sizeof message,
             "The run worker (pid %lld) is not running, so nothing can stop the run's ops: "
             "the run is marked as canceled.",
             (long long)run->worker_pid);
  else
    snprintf(message, sizeof message,
             "The run has no run worker, so nothing can stop the run's ops: the run is marked as "
             "canceled.");
  return run_report(inst->store, run->run_id, "ENGINE_EVENT", message, NULL, err) &&
         run_report(inst->store, run->run_id, "RUN_CANCELED", CANCELED_OUTSIDE, NULL, err);
}

/* MARK_AS_CANCELED_IMMEDIATELY: a queued run leaves the queue as with
 * SAFE_TERMINATE; any other unfinished run is marked CANCELED with
 * Dagster's message, and then its worker, if alive, is told to stop. */
static bool force_cancel(run_instance *inst, const store_run *run, run_error *err) {
  if (run->status == STORE_RUN_QUEUED)
    return cancel_queued(inst, run->run_id, err);
  if (run->status == STORE_RUN_STARTED &&
      !run_report(inst->store, run->run_id, "RUN_CANCELING", "Sending run termination request.",
                  NULL, err))
    return false;
  if (!run_report(inst->store, run->run_id, "RUN_CANCELED", FORCIBLY_CANCELED, NULL, err))
    return false;
  run_signal_worker(run->worker_pid, run->run_id, SIGTERM);
  return true;
}

int run_terminate(run_instance *inst, const char *run_id, run_terminate_policy policy,
                  run_error *err) {
  arena *a = arena_new(0);
  int rc = -1;
  store_run *run = load_run(inst, run_id, a, err);
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

/* The first failure of the removal running on this thread (nftw's
 * callback has no context argument). */
static _Thread_local int remove_errno;
static _Thread_local char remove_failed[PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  if (remove(path) != 0 && errno != ENOENT && !remove_errno) {
    remove_errno = errno;
    snprintf(remove_failed, sizeof remove_failed, "%s", path);
  }
  return 0; /* carry on: remove what can be removed */
}

/* rm -r of <dir>/<run_id>, symlinks removed, never followed. */
static bool remove_run_dir(const char *dir, const char *run_id, run_error *err) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/%s", dir, run_id) >= (int)sizeof path)
    return run_fail(err, RUN_ERR_INTERNAL, "Path too long: %s/%s", dir, run_id), false;
  remove_errno = 0;
  if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT && !remove_errno) {
    remove_errno = errno;
    snprintf(remove_failed, sizeof remove_failed, "%s", path);
  }
  if (remove_errno) {
    run_fail(err, RUN_ERR_INTERNAL,
             "Run %s was deleted, but its files could not all be removed: %s: %s", run_id,
             remove_failed, strerror(remove_errno));
    return false;
  }
  return true;
}

int run_delete(run_instance *inst, const char *run_id, run_error *err) {
  arena *a = arena_new(0);
  int rc = -1;
  store_run *run = load_run(inst, run_id, a, err);
  if (!run)
    goto out;
  if (!store_run_status_finished(run->status))
    run_signal_worker(run->worker_pid, run_id, SIGTERM);
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
  bool ok = remove_run_dir(inst->artifacts_dir, run_id, err);
  /* The two folders are the same by default: don't report it twice. */
  if (ok && strcmp(inst->artifacts_dir, inst->compute_logs_dir) != 0)
    ok = remove_run_dir(inst->compute_logs_dir, run_id, err);
  rc = ok ? 0 : -1;
out:
  arena_free(a);
  return rc;
}
