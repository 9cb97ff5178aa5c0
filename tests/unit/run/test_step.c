/* test_step.c — unit tests for src/run/step.c: the op's environment,
 * starting commands (argv through PATH, shell, relative paths, the
 * folder, logs appended, nothing of the parent leaking: fds, the signal
 * mask), the errors of commands that cannot start, signalling and reaping
 * a whole process group, how an ending is described, and the tail of a
 * stderr log. */
#define _GNU_SOURCE /* setenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "run/step.h"

typedef struct fx {
  char dir[64];
  char out[128], err[128];
  arena *a;
  int subreaper;
} fx;

static int setup(void **state) {
  fx *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/dagd-step-XXXXXX");
  if (!mkdtemp(f->dir))
    return -1;
  snprintf(f->out, sizeof f->out, "%s/out.log", f->dir);
  snprintf(f->err, sizeof f->err, "%s/err.log", f->dir);
  f->a = arena_new(0);
  run_step_subreaper(true, &f->subreaper);
  *state = f;
  return 0;
}

static int unlink_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static int teardown(void **state) {
  fx *f = *state;
  run_step_subreaper(false, &f->subreaper);
  nftw(f->dir, unlink_entry, 8, FTW_DEPTH | FTW_PHYS);
  arena_free(f->a);
  free(f);
  return 0;
}

static char *slurp(fx *f, const char *path) {
  FILE *in = fopen(path, "rb");
  if (!in)
    return arena_strdup(f->a, "");
  buf b;
  buf_init(&b, f->a);
  buf_read_file(&b, in);
  fclose(in);
  return (char *)buf_cstr(&b);
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Waits for pid to end (10 s at most) and returns its wait status. */
static int wait_end(pid_t pid) {
  int status = -1;
  for (int i = 0; i < 1000; i++) {
    if (run_step_reap(pid, &status))
      return status;
    sleep_ms(10);
  }
  fail_msg("process %d did not end", (int)pid);
  return -1;
}

static char *const *env_of(fx *f, const char *extra) {
  const char *set[] = {"PATH=/usr/bin:/bin", extra};
  return run_step_environ(NULL, set, extra ? 2 : 1, f->a);
}

/* A command (argv, or else the shell line) run in the fixture's folder with
 * PATH and extra_env (NULL: none) as its environment, logging to the
 * fixture's files. */
static run_step_command command_of(fx *f, const char *const *argv, const char *line,
                                   const char *extra_env) {
  return (run_step_command){.argv = argv,
                            .shell = line,
                            .cwd = f->dir,
                            .envp = env_of(f, extra_env),
                            .stdout_path = f->out,
                            .stderr_path = f->err};
}

/* Starts c; fails the test when it cannot. */
static pid_t start_ok(const run_step_command *c) {
  buf err;
  buf_init(&err, NULL);
  pid_t pid = run_step_start(c, &err);
  if (pid <= 0)
    fail_msg("run_step_start: %s", buf_cstr(&err));
  buf_free(&err);
  return pid;
}

/* Runs a shell command line to its end; returns its wait status. */
static int run_shell(fx *f, const char *line, const char *extra_env) {
  run_step_command c = command_of(f, NULL, line, extra_env);
  return wait_end(start_ok(&c));
}

static void test_environ(void **state) {
  fx *f = *state;
  char *base[] = {"A=1", "B=2", "PATH=/bin", "NOEQUALS", NULL};
  const char *set[] = {"B=3", "C=4", "C=5", "D="};
  char **env = run_step_environ(base, set, 4, f->a);
  const char *want[] = {"A=1", "PATH=/bin", "NOEQUALS", "B=3", "C=5", "D=", NULL};
  for (size_t i = 0; want[i]; i++)
    assert_string_equal(env[i], want[i]);
  assert_null(env[6]);
}

static void test_runs_commands(void **state) {
  fx *f = *state;
  /* argv, the program found in PATH, in the given folder. */
  const char *argv[] = {"sh", "-c", "pwd; echo \"$GREETING\" >&2", NULL};
  run_step_command c = command_of(f, argv, NULL, "GREETING=hi");
  int status = wait_end(start_ok(&c));
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  char want[128];
  snprintf(want, sizeof want, "%s\n", f->dir);
  assert_string_equal(slurp(f, f->out), want);
  assert_string_equal(slurp(f, f->err), "hi\n");

  /* Logs are appended to; stdin is empty. */
  status = run_shell(f, "cat; echo again", NULL);
  snprintf(want, sizeof want, "%s\nagain\n", f->dir);
  assert_string_equal(slurp(f, f->out), want);

  /* A path with a slash is taken from the folder. */
  char script[128];
  snprintf(script, sizeof script, "%s/run.sh", f->dir);
  FILE *s = fopen(script, "w");
  fputs("#!/bin/sh\necho script \"$1\"\n", s);
  fclose(s);
  chmod(script, 0755);
  const char *argv2[] = {"./run.sh", "arg", NULL};
  c.argv = argv2;
  wait_end(start_ok(&c));
  assert_non_null(strstr(slurp(f, f->out), "script arg\n"));
}

static void test_leaks_nothing(void **state) {
  fx *f = *state;
  /* An fd the parent has open (without close-on-exec) and a blocked
   * signal do not reach the op. */
  int fd = open("/dev/null", O_RDONLY);
  assert_true(fd >= 3);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, &old);
  char line[256];
  snprintf(line, sizeof line,
           "if [ -e /proc/self/fd/%d ]; then echo open; else echo closed; fi; "
           "grep SigBlk /proc/self/status",
           fd);
  run_shell(f, line, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
  close(fd);
  assert_string_equal(slurp(f, f->out), "closed\nSigBlk:\t0000000000000000\n");
}

static void test_cannot_start(void **state) {
  fx *f = *state;
  buf err;
  buf_init(&err, NULL);
  const char *missing[] = {"dagd-surely-missing", NULL};
  run_step_command c = command_of(f, missing, NULL, NULL);
  assert_int_equal(run_step_start(&c, &err), -1);
  assert_string_equal(buf_cstr(&err), "could not run dagd-surely-missing: no such program in PATH");

  buf_truncate(&err, 0);
  const char *sh[] = {"sh", "-c", "true", NULL};
  c.argv = sh;
  c.cwd = "/nonexistent-dagd-folder";
  assert_int_equal(run_step_start(&c, &err), -1);
  assert_string_equal(buf_cstr(&err), "could not enter the working directory "
                                      "/nonexistent-dagd-folder: No such file or directory");

  buf_truncate(&err, 0);
  char data[128];
  snprintf(data, sizeof data, "%s/data.txt", f->dir);
  FILE *d = fopen(data, "w");
  fclose(d);
  const char *notexec[] = {"./data.txt", NULL};
  c.argv = notexec;
  c.cwd = f->dir;
  assert_int_equal(run_step_start(&c, &err), -1);
  assert_string_equal(buf_cstr(&err), "could not run ./data.txt: Permission denied");

  buf_truncate(&err, 0);
  c.argv = sh;
  c.stdout_path = "/nonexistent-dagd-folder/out.log";
  assert_int_equal(run_step_start(&c, &err), -1);
  assert_string_equal(buf_cstr(&err), "could not open the log file "
                                      "/nonexistent-dagd-folder/out.log: No such file or "
                                      "directory");
  buf_free(&err);
}

static void test_process_group(void **state) {
  fx *f = *state;
  run_step_command c = command_of(f, NULL, "sleep 30 & sleep 30 & echo started; wait", NULL);
  pid_t pid = start_ok(&c);
  /* The op leads its own group. */
  for (int i = 0; i < 1000 && strcmp(slurp(f, f->out), "started\n") != 0; i++)
    sleep_ms(10);
  assert_int_equal(getpgid(pid), pid);
  int status;
  assert_false(run_step_reap(pid, &status));
  assert_false(run_step_group_gone(pid));
  run_step_signal(pid, SIGKILL);
  status = wait_end(pid);
  assert_true(WIFSIGNALED(status));
  bool gone = false;
  for (int i = 0; i < 1000 && !gone; i++) {
    gone = run_step_group_gone(pid);
    if (!gone)
      sleep_ms(10);
  }
  assert_true(gone);
  assert_true(kill(-pid, 0) != 0 && errno == ESRCH);
}

/* Whether pid is a child of this process, as /proc lists them. */
static bool is_child(fx *f, pid_t pid) {
  size_t n;
  pid_t *pids = run_step_children(f->a, &n);
  for (size_t i = 0; i < n; i++)
    if (pids[i] == pid)
      return true;
  return false;
}

static void test_kill_children(void **state) {
  fx *f = *state;
  /* A process that left the op's group (setsid) is ours once the op ends
   * (we are a subreaper); one started before is kept. */
  run_step_command c = command_of(f, NULL, "exec sleep 30", NULL);
  pid_t kept = start_ok(&c);
  assert_int_equal(run_shell(f, "setsid sleep 77 >/dev/null 2>&1 & echo $!", NULL), 0);
  pid_t escaped = (pid_t)atol(slurp(f, f->out));
  assert_true(escaped > 0);
  for (int i = 0; i < 1000 && !is_child(f, escaped); i++)
    sleep_ms(10);
  assert_true(is_child(f, escaped));
  assert_true(is_child(f, kept));

  assert_int_equal(run_step_kill_children(&kept, 1), 1);
  assert_true(kill(escaped, 0) != 0 && errno == ESRCH); /* killed and reaped */
  assert_int_equal(kill(kept, 0), 0);
  assert_false(is_child(f, escaped));
  /* Nothing left but the kept one. */
  assert_int_equal(run_step_kill_children(&kept, 1), 0);
  run_step_signal(kept, SIGKILL);
  assert_true(WIFSIGNALED(wait_end(kept)));
}

static void test_dies_with_its_starter(void **state) {
  fx *f = *state;
  int p[2];
  assert_int_equal(pipe(p), 0);
  pid_t starter = fork();
  assert_true(starter >= 0);
  if (starter == 0) {
    /* A worker of its own that starts an op, says its pid, and waits. */
    run_step_command c = command_of(f, NULL, "sleep 30; echo survived", NULL);
    buf err;
    buf_init(&err, NULL);
    pid_t op = run_step_start(&c, &err);
    ssize_t w = write(p[1], &op, sizeof op);
    (void)w;
    pause();
    _exit(0);
  }
  close(p[1]);
  pid_t op = 0;
  assert_int_equal(read(p[0], &op, sizeof op), (ssize_t)sizeof op);
  close(p[0]);
  assert_true(op > 0);
  /* The worker is SIGKILLed: it cannot stop its op, the kernel does. The
   * op's leader comes to us (a subreaper) as it dies. */
  kill(starter, SIGKILL);
  int status;
  assert_int_equal(waitpid(starter, &status, 0), starter);
  status = wait_end(op);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  run_step_signal(op, SIGKILL); /* the leader's sleep */
  for (int i = 0; i < 1000 && !run_step_group_gone(op); i++)
    sleep_ms(10);
  assert_true(run_step_group_gone(op));
  assert_null(strstr(slurp(f, f->out), "survived"));
}

static void test_describe_status(void **state) {
  fx *f = *state;
  buf b;
  buf_init(&b, f->a);
  run_step_describe_status(run_shell(f, "exit 3", NULL), &b);
  assert_string_equal(buf_cstr(&b), "exited with status 3");
  buf_truncate(&b, 0);
  run_step_describe_status(run_shell(f, "kill -9 $$", NULL), &b);
  assert_string_equal(buf_cstr(&b), "was killed by signal 9 (SIGKILL)");
  buf_truncate(&b, 0);
  run_step_describe_status(run_shell(f, "kill -TERM $$", NULL), &b);
  assert_string_equal(buf_cstr(&b), "was killed by signal 15 (SIGTERM)");
}

static void test_tail_lines(void **state) {
  fx *f = *state;
  char path[128];
  snprintf(path, sizeof path, "%s/stderr", f->dir);
  size_t n;
  assert_non_null(run_step_tail_lines(path, 0, 20, f->a, &n));
  assert_int_equal(n, 0);

  FILE *out = fopen(path, "w");
  for (int i = 1; i <= 25; i++)
    fprintf(out, "line %d\n", i);
  fclose(out);
  const char **lines = run_step_tail_lines(path, 0, 20, f->a, &n);
  assert_int_equal(n, 20);
  assert_string_equal(lines[0], "line 6");
  assert_string_equal(lines[19], "line 25");
  /* From an offset: only what came after (one attempt's stderr). */
  lines = run_step_tail_lines(path, (int64_t)strlen("line 1\nline 2\n"), 30, f->a, &n);
  assert_int_equal(n, 23);
  assert_string_equal(lines[0], "line 3");
  assert_string_equal(lines[22], "line 25");
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  int64_t size = st.st_size;
  out = fopen(path, "a");
  fputs("new attempt\nno newline", out);
  fclose(out);
  lines = run_step_tail_lines(path, size, 20, f->a, &n);
  assert_int_equal(n, 2);
  assert_string_equal(lines[0], "new attempt");
  assert_string_equal(lines[1], "no newline");

  /* A huge log: only its end is read, and the cut line is dropped. */
  out = fopen(path, "w");
  for (int i = 0; i < 5000; i++)
    fprintf(out, "%0100d\n", i);
  fclose(out);
  lines = run_step_tail_lines(path, 0, 3, f->a, &n);
  assert_int_equal(n, 3);
  char want[128];
  snprintf(want, sizeof want, "%0100d", 4999);
  assert_string_equal(lines[2], want);
  lines = run_step_tail_lines(path, 0, 10000, f->a, &n);
  assert_true(n < 700 && n > 600);
  assert_int_equal(strlen(lines[0]), 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_environ, setup, teardown),
      cmocka_unit_test_setup_teardown(test_runs_commands, setup, teardown),
      cmocka_unit_test_setup_teardown(test_leaks_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cannot_start, setup, teardown),
      cmocka_unit_test_setup_teardown(test_process_group, setup, teardown),
      cmocka_unit_test_setup_teardown(test_kill_children, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dies_with_its_starter, setup, teardown),
      cmocka_unit_test_setup_teardown(test_describe_status, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tail_lines, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
