/* run_internal.c — what the files of src/run/ share that is not inline
 * (run_internal.h): loading a run by id, removing a run's folders
 * (run_delete, and the run worker that finds its run deleted), and the
 * host identity that tells whether a run's worker pid is ours to judge.
 *
 * The boot id changes with every boot and differs between machines; the
 * PID namespace's inode tells containers of one machine apart, since pids
 * are only meaningful within one namespace. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "run/run_internal.h"

/* The first failure of the removal running on this thread (nftw's
 * callback has no context argument), and whether a folder that fills up
 * while being emptied is expected. */
static _Thread_local int remove_errno;
static _Thread_local char *remove_failed;
static _Thread_local size_t remove_failed_size;
static _Thread_local bool remove_racing;

static bool removal_failed(int e) {
  return e != ENOENT && !(remove_racing && (e == ENOTEMPTY || e == EEXIST));
}

static void note_failure(const char *path, int e) {
  if (remove_errno)
    return;
  remove_errno = e;
  snprintf(remove_failed, remove_failed_size, "%s", path);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  if (remove(path) != 0 && removal_failed(errno))
    note_failure(path, errno);
  return 0; /* carry on: remove what can be removed */
}

int run_remove_run_dir(const char *dir, const char *run_id, bool racing, char *failed,
                       size_t size) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/%s", dir, run_id) >= (int)sizeof path) {
    snprintf(failed, size, "%s/%s", dir, run_id);
    return ENAMETOOLONG;
  }
  remove_errno = 0;
  remove_failed = failed;
  remove_failed_size = size;
  remove_racing = racing;
  if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && removal_failed(errno))
    note_failure(path, errno);
  return remove_errno;
}

store_run *run_load(run_instance *inst, const char *run_id, arena *a, run_error *err) {
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

bool run_host_identity(char *out, size_t size) {
  out[0] = '\0';
  char boot[64] = "";
  FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
  if (!f)
    return false;
  bool read = fgets(boot, sizeof boot, f) != NULL;
  fclose(f);
  boot[strcspn(boot, "\n")] = '\0';
  struct stat ns;
  if (!read || !boot[0] || stat("/proc/self/ns/pid", &ns) != 0)
    return false;
  int n = snprintf(out, size, "%s:%llu", boot, (unsigned long long)ns.st_ino);
  if (n < 0 || (size_t)n >= size) {
    out[0] = '\0';
    return false;
  }
  return true;
}

bool run_worker_is_local(const store_run *run) {
  const char *launched = store_run_tag(run, RUN_TAG_WORKER_HOST);
  if (!launched)
    return true; /* launched before the tag was recorded: judged as ever */
  char here[128];
  return run_host_identity(here, sizeof here) && strcmp(launched, here) == 0;
}
