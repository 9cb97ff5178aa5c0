/* step.c — op processes (step.h): fork and exec into a new process group,
 * signalling and reaping by group, reading the end of a stderr log.
 *
 * Everything the child needs (the program's path, argv, environment, the
 * opened log files) is prepared before fork, so the child only makes
 * async-signal-safe calls: the worker may run inside a process with other
 * threads (tests, a future in-process launcher). A close-on-exec pipe
 * carries an exec failure back to the parent, which is how "no such
 * program" becomes an error of run_step_start rather than an exit status. */
#define _GNU_SOURCE /* close_range, sigabbrev_np, prctl's subreaper */
#include "run/step.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "base/arena.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* Where the child failed, sent through the error pipe with errno. */
enum { STAGE_CHDIR = 1, STAGE_EXEC };

typedef struct child_failure {
  int stage;
  int err;
} child_failure;

static size_t name_len(const char *entry) {
  const char *eq = strchr(entry, '=');
  return eq ? (size_t)(eq - entry) : strlen(entry);
}

char **run_step_environ(char *const *base, const char *const *set, size_t n, arena *a) {
  size_t n_base = 0;
  while (base && base[n_base])
    n_base++;
  char **env = arena_alloc(a, (n_base + n + 1) * sizeof *env);
  size_t k = 0;
  for (size_t i = 0; i < n_base; i++) {
    size_t len = name_len(base[i]);
    bool replaced = false;
    for (size_t j = 0; j < n && !replaced; j++)
      replaced = name_len(set[j]) == len && strncmp(set[j], base[i], len) == 0;
    if (!replaced)
      env[k++] = base[i];
  }
  for (size_t j = 0; j < n; j++) {
    /* A later entry of the same name wins over an earlier one. */
    bool again = false;
    for (size_t l = j + 1; l < n && !again; l++)
      again =
          name_len(set[l]) == name_len(set[j]) && strncmp(set[l], set[j], name_len(set[j])) == 0;
    if (!again)
      env[k++] = (char *)set[j];
  }
  env[k] = NULL;
  return env;
}

static const char *env_get(char *const *envp, const char *name) {
  size_t len = strlen(name);
  for (size_t i = 0; envp && envp[i]; i++)
    if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
      return envp[i] + len + 1;
  return NULL;
}

/* The file to exec for program: itself when it holds a slash (relative to
 * the op's folder, which the child enters first), else the first
 * executable file named so in the op's PATH (relative PATH entries taken
 * from the op's folder too). NULL when there is none. */
static const char *find_program(const char *program, const char *cwd, char *const *envp, arena *a) {
  if (strchr(program, '/'))
    return program;
  const char *path = env_get(envp, "PATH");
  if (!path)
    path = DEFAULT_PATH;
  for (const char *p = path;;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    char *dir = n ? arena_strndup(a, p, n) : arena_strdup(a, ".");
    char *file = dir[0] == '/' ? arena_printf(a, "%s/%s", dir, program)
                               : arena_printf(a, "%s/%s/%s", cwd, dir, program);
    struct stat st;
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
      return file;
    if (!colon)
      return NULL;
    p = colon + 1;
  }
}

static int open_log(const char *path, buf *err) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    buf_printf(err, "could not open the log file %s: %s", path, strerror(errno));
  return fd;
}

/* The child, between fork and exec: only async-signal-safe calls. */
__attribute__((noreturn)) static void child(const run_step_command *c, const char *file,
                                            char *const *argv, int in, int out, int errfd,
                                            int report, pid_t parent) {
  setpgid(0, 0);
#ifdef __linux__
  /* The op leader dies with the worker, even one SIGKILLed (which cannot
   * stop its ops itself). Set after fork, so a worker that died in
   * between is noticed by its pid no longer being the parent's. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  if (getppid() != parent)
    _exit(127);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  static const int reset[] = {SIGCHLD, SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT};
  for (size_t i = 0; i < sizeof reset / sizeof *reset; i++)
    sigaction(reset[i], &dfl, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  child_failure f = {STAGE_CHDIR, 0};
  if (chdir(c->cwd) == 0) {
    f.stage = STAGE_EXEC;
    if (dup2(in, 0) >= 0 && dup2(out, 1) >= 0 && dup2(errfd, 2) >= 0) {
      /* Nothing else of the worker's (database, sockets) reaches the op. */
      close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
      execve(file, argv, c->envp);
    }
  }
  f.err = errno;
  ssize_t w = write(report, &f, sizeof f);
  (void)w;
  _exit(127);
}

pid_t run_step_start(const run_step_command *c, buf *err) {
  arena *a = arena_new(0);
  const char *file;
  char *const *argv;
  if (c->shell) {
    char **v = arena_alloc(a, 4 * sizeof *v);
    v[0] = (char *)"sh";
    v[1] = (char *)"-c";
    v[2] = (char *)c->shell;
    v[3] = NULL;
    argv = v;
    file = "/bin/sh";
  } else {
    argv = (char *const *)c->argv;
    file = find_program(c->argv[0], c->cwd, c->envp, a);
    if (!file) {
      buf_printf(err, "could not run %s: no such program in PATH", c->argv[0]);
      arena_free(a);
      return -1;
    }
  }
  pid_t pid = -1;
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out = open_log(c->stdout_path, err);
  int errfd = out >= 0 ? open_log(c->stderr_path, err) : -1;
  int report[2] = {-1, -1};
  if (in < 0)
    buf_printf(err, "could not open /dev/null: %s", strerror(errno));
  else if (out >= 0 && errfd >= 0 && pipe2(report, O_CLOEXEC) != 0)
    buf_printf(err, "could not create a pipe: %s", strerror(errno));
  if (in >= 0 && out >= 0 && errfd >= 0 && report[0] >= 0) {
    pid_t self = getpid();
    pid = fork();
    if (pid == 0)
      child(c, file, argv, in, out, errfd, report[1], self);
    if (pid < 0) {
      buf_printf(err, "could not start a process: %s", strerror(errno));
    } else {
      /* Also here, so the group exists before the parent signals it. */
      setpgid(pid, pid);
      close(report[1]);
      report[1] = -1;
      child_failure f;
      ssize_t got;
      do
        got = read(report[0], &f, sizeof f);
      while (got < 0 && errno == EINTR);
      if (got == (ssize_t)sizeof f) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
          ;
        if (f.stage == STAGE_CHDIR)
          buf_printf(err, "could not enter the working directory %s: %s", c->cwd, strerror(f.err));
        else
          buf_printf(err, "could not run %s: %s", c->shell ? "/bin/sh" : c->argv[0],
                     strerror(f.err));
        pid = -1;
      }
    }
  }
  int fds[] = {in, out, errfd, report[0], report[1]};
  for (size_t i = 0; i < sizeof fds / sizeof *fds; i++)
    if (fds[i] >= 0)
      close(fds[i]);
  arena_free(a);
  return pid;
}

void run_step_signal(pid_t pgid, int sig) {
  if (pgid > 0)
    kill(-pgid, sig);
}

bool run_step_reap(pid_t pid, int *status) {
  pid_t got;
  do
    got = waitpid(pid, status, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    /* Not our child any more (reaped elsewhere): count it as ended, with a
     * status no op gives on success. */
    *status = 255 << 8;
    return true;
  }
  return got == pid;
}

bool run_step_group_gone(pid_t pgid) {
  int status;
  while (waitpid(-pgid, &status, WNOHANG) > 0)
    ;
  return kill(-pgid, 0) != 0 && errno == ESRCH;
}

void run_step_subreaper(bool on, int *saved) {
#ifdef __linux__
  if (on) {
    *saved = 0;
    prctl(PR_GET_CHILD_SUBREAPER, saved);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
  } else {
    prctl(PR_SET_CHILD_SUBREAPER, *saved);
  }
#else
  (void)on;
  (void)saved;
#endif
}

/* Appends the pids listed in one /proc/self/task/<tid>/children file. */
static void read_children(const char *path, pid_t **pids, size_t *n, size_t *cap, arena *a) {
  FILE *f = fopen(path, "re");
  if (!f)
    return;
  long pid;
  while (fscanf(f, "%ld", &pid) == 1) {
    *pids = arena_grow(a, *pids, cap, *n, sizeof **pids);
    (*pids)[(*n)++] = (pid_t)pid;
  }
  fclose(f);
}

pid_t *run_step_children(arena *a, size_t *n) {
  pid_t *pids = NULL;
  size_t cap = 0;
  *n = 0;
  DIR *d = opendir("/proc/self/task");
  if (!d)
    return NULL;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%.20s/children", e->d_name);
    read_children(path, &pids, n, &cap, a);
  }
  closedir(d);
  return pids;
}

static bool listed(pid_t pid, const pid_t *pids, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

size_t run_step_kill_children(const pid_t *keep, size_t n_keep) {
  enum { ROUNDS = 100 };
  size_t killed = 0;
  for (int round = 0; round < ROUNDS; round++) {
    arena *a = arena_new(0);
    size_t n;
    pid_t *pids = run_step_children(a, &n);
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
      if (listed(pids[i], keep, n_keep))
        continue;
      found++;
      kill(pids[i], SIGKILL);
      /* SIGKILL cannot be caught, so this returns promptly; what the
       * process leaves behind becomes our child for the next round. */
      while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
        ;
    }
    arena_free(a);
    killed += found;
    if (!found)
      break;
  }
  return killed;
}

void run_step_describe_status(int status, buf *out) {
  if (WIFEXITED(status)) {
    buf_printf(out, "exited with status %d", WEXITSTATUS(status));
  } else if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char *name = sigabbrev_np(sig);
    if (name)
      buf_printf(out, "was killed by signal %d (SIG%s)", sig, name);
    else
      buf_printf(out, "was killed by signal %d", sig);
  } else {
    buf_printf(out, "ended with wait status %d", status);
  }
}

const char **run_step_tail_lines(const char *path, int64_t from, size_t max, arena *a, size_t *n) {
  enum { WINDOW = 64 * 1024 };
  *n = 0;
  const char **lines = arena_alloc(a, (max + 1) * sizeof *lines);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return lines;
  struct stat st;
  int64_t start = from;
  if (fstat(fd, &st) == 0 && st.st_size - start > WINDOW)
    start = st.st_size - WINDOW;
  buf text;
  buf_init(&text, a);
  if (lseek(fd, (off_t)start, SEEK_SET) >= 0) {
    char chunk[8192];
    ssize_t got;
    while ((got = read(fd, chunk, sizeof chunk)) > 0 || (got < 0 && errno == EINTR))
      if (got > 0)
        buf_append(&text, chunk, (size_t)got);
  }
  close(fd);
  const char *p = text.data ? text.data : "";
  const char *end = p + text.len;
  if (start > from) { /* began inside a line: drop its end */
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    p = nl ? nl + 1 : end;
  }
  if (end > p && end[-1] == '\n')
    end--;
  if (end <= p)
    return lines;
  /* Every line start, then the last `max` of them. */
  const char **starts = NULL;
  size_t cap = 0, count = 0;
  for (const char *q = p;;) {
    starts = arena_grow(a, starts, &cap, count, sizeof *starts);
    starts[count++] = q;
    const char *nl = memchr(q, '\n', (size_t)(end - q));
    if (!nl)
      break;
    q = nl + 1;
  }
  for (size_t i = count > max ? count - max : 0; i < count; i++) {
    const char *stop = i + 1 < count ? starts[i + 1] - 1 : end;
    lines[(*n)++] = arena_strndup(a, starts[i], (size_t)(stop - starts[i]));
  }
  return lines;
}
