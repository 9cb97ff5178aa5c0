/* step.h — private to the run worker: op processes. Starting an op's
 * command as the leader of its own process group (so the op and whatever
 * it starts can be signalled and reaped together), its environment,
 * signalling and reaping the group, and the tail of its stderr for error
 * messages.
 *
 * The worker makes itself a child subreaper while it runs ops
 * (run_step_subreaper), so an op's orphaned descendants become its
 * children and can be reaped here by process group: a system whose init
 * does not reap (containers) would otherwise keep them as zombies, still
 * members of the group. */
#ifndef DAGD_RUN_STEP_H
#define DAGD_RUN_STEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"

typedef struct arena arena;

/* How to start an op's process. */
typedef struct run_step_command {
  const char *const *argv; /* the command (argv[0] searched in PATH), NULL-terminated; or */
  const char *shell;       /* a command line for /bin/sh -c */
  const char *cwd;         /* the folder it runs in */
  char *const *envp;       /* its whole environment, NULL-terminated */
  const char *stdout_path; /* appended to (created when missing) */
  const char *stderr_path;
} run_step_command;

/* The environment base (NULL-terminated, e.g. environ) with the n entries
 * of set ("NAME=VALUE") added, each replacing an entry of the same name;
 * a NULL-terminated array in arena a. */
char **run_step_environ(char *const *base, const char *const *set, size_t n, arena *a);

/* Starts the command in a new process group it leads, stdin from
 * /dev/null, stdout and stderr appended to the log files, with an empty
 * signal mask and default dispositions. On Linux the process is SIGKILLed
 * when the thread that started it ends (PR_SET_PDEATHSIG), so start ops
 * from a thread that lives as long as the worker (the main thread).
 * Returns the pid (= the process
 * group id), or -1 with the reason in err when it could not be started
 * (no such program or folder, a log file that cannot be opened, exec
 * failing): the child reports such failures before exec, so nothing is
 * left running then. */
pid_t run_step_start(const run_step_command *c, buf *err);

/* Sends sig to every process of the group (ignoring an empty group). */
void run_step_signal(pid_t pgid, int sig);

/* Reaps the leader pid without blocking: true once it has ended, with its
 * wait status in *status. */
bool run_step_reap(pid_t pid, int *status);

/* Reaps every ended process of the group that is this process's child
 * (without blocking) and tells whether the group is now empty. */
bool run_step_group_gone(pid_t pgid);

/* Makes this process a child subreaper (on) or restores the setting saved
 * in *saved by a previous call with on (off). Linux only; elsewhere a
 * no-op. */
void run_step_subreaper(bool on, int *saved);

/* The pids of this process's children (of every thread), in arena a;
 * *n receives the count (0 when /proc cannot tell). */
pid_t *run_step_children(arena *a, size_t *n);

/* SIGKILLs and reaps every child of this process but the n_keep pids of
 * keep, again and again as the killed processes' orphans arrive (while a
 * subreaper), up to 100 rounds. For the worker's end: whatever left its
 * op's process group (setsid) is still its child then. Returns how many
 * processes were killed. */
size_t run_step_kill_children(const pid_t *keep, size_t n_keep);

/* Appends how a process ended, as a wait status: "exited with status 3",
 * "was killed by signal 9 (SIGKILL)". Also `dagd worker`'s words for how
 * its run workers exited (daemon/worker_host.c), the one place outside the
 * run worker that includes this header. */
void run_step_describe_status(int status, buf *out);

/* The last at most max lines of the file from byte offset `from` (the
 * stderr of one attempt), each without its newline, into arena a (the
 * file's last 64 KiB at most are read); *n receives the count, 0 when the
 * file is missing or empty. */
const char **run_step_tail_lines(const char *path, int64_t from, size_t max, arena *a, size_t *n);

#endif
