/* launch.c — creating runs and starting their workers (launch.h).
 *
 * run_create freezes what a run needs to execute later, whatever happens
 * to the definitions meanwhile: the job's snapshot, the run config as
 * text, the selection. A subset's snapshot text is its parent's (the
 * selection is stored on the run), but its snapshot id is derived from
 * the parent's id and the selection (snapshot.h), so the text is stored
 * under both ids: the run worker loads it by the run's snapshot_id alone,
 * and runs of the whole job share the parent's entry.
 *
 * run_launch may be called from any thread of the webserver, so the
 * worker is started with fork and exec only, doing nothing between them
 * but async-signal-safe calls: its argv, environment and log path are
 * built before forking. The worker is the grandchild (the intermediate
 * child exits at once and is reaped here, so no zombie is left) and leads
 * a session of its own, detached from the webserver's terminal and
 * signals. Whether exec worked comes back through a close-on-exec pipe:
 * the intermediate child writes the worker's pid into it, the worker
 * writes errno only if exec fails, and end-of-file means it ran.
 *
 * A `dagd worker` (daemon/worker_host.h) starts the workers of the runs it
 * claimed the same way, but as its own children (RUN_WORKER_CHILD): one
 * fork, the worker in a session of its own with PR_SET_PDEATHSIG(SIGKILL),
 * so its runs die with it (as they would on a machine that disappears,
 * and the monitor then fails them) rather than run on unwatched. Each op
 * leader gets the same signal from its run worker (step.c), but what an op
 * started itself does not: it is left in the dead worker's session, where
 * a run monitor on this host (run_end_abandoned) or the next `dagd worker`
 * started here (run_kill_ops_of_dead_workers) kills it. A child worker
 * that cannot start leaves its run to the caller, who may hand it to
 * another host rather than fail it.
 *
 * With run_launcher.workers, run_launch starts nothing: after RUN_STARTING
 * it offers the run (store_worker_offer), and a worker host claims it. */
#define _GNU_SOURCE /* close_range, _Fork, environ, NSIG */
#include "run/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/mem.h"
#include "defs/selection.h"
#include "defs/snapshot.h"
#include "run/run_internal.h"

/* ---- run_create ---- */

/* The tags under `dagster/` a caller may set (Dagster's
 * USER_EDITABLE_SYSTEM_TAGS). */
static const char *const user_editable[] = {
    "dagster/priority",    "dagster/max_retries", "dagster/retry_strategy",
    "dagster/max_runtime", "dagster/isolation",   "dagster/retry_on_asset_or_op_failure",
};

static bool reserved_tag(const char *key) {
  if (strncmp(key, "dagster/", 8) != 0 && strncmp(key, ".dagster/", 9) != 0)
    return false;
  for (size_t i = 0; i < sizeof user_editable / sizeof *user_editable; i++)
    if (strcmp(key, user_editable[i]) == 0)
      return false;
  return true;
}

/* A set of tags being merged: a later value for a key replaces it. */
typedef struct tag_set {
  arena *a;
  store_tag *tags;
  size_t n, cap;
} tag_set;

static void tag_put(tag_set *t, const char *key, const char *value) {
  for (size_t i = 0; i < t->n; i++)
    if (strcmp(t->tags[i].key, key) == 0) {
      t->tags[i].value = value;
      return;
    }
  t->tags = arena_grow(t->a, t->tags, &t->cap, t->n, sizeof *t->tags);
  t->tags[t->n++] = (store_tag){key, value};
}

static int cmp_tag(const void *x, const void *y) {
  return strcmp(((const store_tag *)x)->key, ((const store_tag *)y)->key);
}

/* Compact JSON text of the n strings as an array, in the arena. */
static const char *json_list(arena *a, const char *const *items, size_t n) {
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(list, json_string(items[i]));
  char *text = json_dumps(list, JSON_COMPACT);
  json_decref(list);
  const char *copy = text ? arena_strdup(a, text) : NULL;
  free(text);
  return copy;
}

/* False with err when a tag lacks its key or value. */
static bool complete_tags(const store_tag *tags, size_t n, run_error *err) {
  for (size_t i = 0; i < n; i++) {
    if (!tags[i].key || !tags[i].value) {
      run_fail(err, RUN_ERR_INVALID, "A tag needs a key and a value.");
      return false;
    }
  }
  return true;
}

/* The merged tags, sorted by key (what the store expects). The system
 * tags go in with the rest, so a run never exists without them. */
static bool merge_tags(const run_new *req, tag_set *t, run_error *err) {
  if (!complete_tags(req->tags, req->n_tags, err) ||
      !complete_tags(req->system_tags, req->n_system_tags, err))
    return false;
  for (size_t i = 0; i < req->n_tags; i++) {
    if (reserved_tag(req->tags[i].key)) {
      run_fail(err, RUN_ERR_INVALID, "Attempted to set tag with reserved system prefix: %s",
               req->tags[i].key);
      return false;
    }
  }
  for (size_t i = 0; i < req->job->n_tags; i++)
    tag_put(t, req->job->tags[i].key, req->job->tags[i].value);
  for (size_t i = 0; i < req->n_tags; i++)
    tag_put(t, req->tags[i].key, req->tags[i].value);
  for (size_t i = 0; i < req->n_system_tags; i++)
    tag_put(t, req->system_tags[i].key, req->system_tags[i].value);
  if (req->job->parent) {
    buf joined;
    buf_init(&joined, t->a);
    for (size_t i = 0; i < req->job->n_op_selection; i++)
      buf_printf(&joined, "%s%s", i ? "," : "", req->job->op_selection[i]);
    tag_put(t, "dagster/solid_selection", buf_cstr(&joined));
  }
  if (req->parent_run_id) {
    tag_put(t, "dagster/parent_run_id", req->parent_run_id);
    tag_put(t, "dagster/root_run_id", req->root_run_id);
  }
  if (t->n)
    qsort(t->tags, t->n, sizeof *t->tags, cmp_tag);
  return true;
}

/* Whether the store already holds the snapshot id (false with err set
 * when it cannot tell). */
static bool snapshot_stored(run_instance *inst, const char *id, arena *a, bool *stored,
                            run_error *err) {
  store_error serr;
  size_t len;
  *stored = store_snapshot_get(inst->store, id, a, &len, &serr) != NULL;
  if (!*stored && serr.message[0]) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    return false;
  }
  return true;
}

/* Stores the job's snapshot text under the run's snapshot id (and, for a
 * subset, its parent's); the run's id goes into run->snapshot_id. Most
 * runs are of a job launched before, whose snapshot is stored already: the
 * text, the costly part, is then not built at all. The parent's entry is
 * written before the run's own, so the run's id being present means both
 * are. */
static bool put_snapshot(run_instance *inst, const run_new *req, store_run *run, arena *a,
                         run_error *err) {
  const defs_job *root = req->job;
  while (root->parent)
    root = root->parent;
  char id[DEFS_SNAPSHOT_ID_LEN + 1], root_id[DEFS_SNAPSHOT_ID_LEN + 1];
  defs_job_snapshot_id(req->defs, req->job, id);
  defs_job_snapshot_id(req->defs, root, root_id);
  run->snapshot_id = arena_strdup(a, id);
  bool stored;
  if (!snapshot_stored(inst, id, a, &stored, err))
    return false;
  if (stored)
    return true;
  buf text;
  buf_init(&text, a);
  defs_job_snapshot(req->defs, req->job, &text);
  store_error serr;
  if (store_snapshot_put(inst->store, root_id, text.data, text.len, &serr) != 0 ||
      (strcmp(id, root_id) != 0 &&
       store_snapshot_put(inst->store, id, text.data, text.len, &serr) != 0)) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    return false;
  }
  return true;
}

/* The run's id: the caller's (a UUID not yet used) or a new one. */
static bool choose_run_id(run_instance *inst, const char *wanted, store_run *run, arena *a,
                          run_error *err) {
  if (!wanted) {
    store_new_run_id(run->run_id);
    return true;
  }
  if (!run_id_is_uuid(wanted)) {
    run_fail(err, RUN_ERR_INVALID, "Invalid run id \"%.64s\": a run id is a UUID.", wanted);
    return false;
  }
  memcpy(run->run_id, wanted, 37);
  store_error serr;
  if (store_run_get(inst->store, wanted, a, &serr)) {
    run_fail(err, RUN_ERR_CONFLICT, "Found conflicting existing run with same id %s.", wanted);
    return false;
  }
  if (serr.message[0]) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    return false;
  }
  return true;
}

/* Checks what the tags and ids do not: the lineage ids. */
static bool check_request(const run_new *req, run_error *err) {
  if (!req || !req->defs || !req->job) {
    run_fail(err, RUN_ERR_INVALID, "A run needs a job.");
    return false;
  }
  if (!req->parent_run_id != !req->root_run_id) {
    run_fail(err, RUN_ERR_INVALID, "A run has both a parent run id and a root run id, or neither.");
    return false;
  }
  if (req->parent_run_id &&
      (!run_id_is_uuid(req->parent_run_id) || !run_id_is_uuid(req->root_run_id))) {
    run_fail(err, RUN_ERR_INVALID, "Invalid parent or root run id: a run id is a UUID.");
    return false;
  }
  return true;
}

int run_create(run_instance *inst, const run_new *req, char run_id[37], run_error *err) {
  if (!check_request(req, err))
    return -1;
  arena *a = arena_new(0);
  int rc = -1;
  store_run run = {
      .job_name = req->job->name,
      .repository_name = req->defs->repository_name,
      .location_name = req->location_name,
      .status = STORE_RUN_NOT_STARTED,
      .mode = "default",
      .parent_run_id = req->parent_run_id,
      .root_run_id = req->root_run_id,
  };
  tag_set tags = {.a = a};
  if (!merge_tags(req, &tags, err) || !choose_run_id(inst, req->run_id, &run, a, err))
    goto out;
  run.tags = tags.tags;
  run.n_tags = tags.n;
  if (req->run_config) {
    char *text = json_dumps(req->run_config, JSON_COMPACT | JSON_ENCODE_ANY);
    run.run_config = arena_strdup(a, text ? text : "{}");
    free(text);
  } else {
    run.run_config = "{}";
  }
  if (req->job->parent) {
    size_t n;
    const char *const *names = defs_job_resolved_selection(req->job, a, &n);
    run.op_selection = json_list(a, req->job->op_selection, req->job->n_op_selection);
    run.resolved_op_selection = json_list(a, names, n);
  }
  if (req->step_keys)
    run.step_keys_to_execute = json_list(a, req->step_keys, req->n_step_keys);
  if (!put_snapshot(inst, req, &run, a, err))
    goto out;
  store_error serr;
  if (store_run_add(inst->store, &run, &serr) != 0) {
    /* Another caller may have taken the id since it was checked. */
    bool taken = req->run_id && store_run_get(inst->store, req->run_id, a, &(store_error){0});
    if (taken)
      run_fail(err, RUN_ERR_CONFLICT, "Found conflicting existing run with same id %s.",
               req->run_id);
    else
      run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    goto out;
  }
  memcpy(run_id, run.run_id, 37);
  rc = 0;
out:
  arena_free(a);
  return rc;
}

/* ---- run_submit ---- */

int run_submit(run_instance *inst, const char *run_id, run_error *err) {
  if (!inst->coordinator.queued)
    return run_launch(inst, run_id, err);
  arena *a = arena_new(0);
  int rc = -1;
  store_run *run = run_load(inst, run_id, a, err);
  if (!run)
    goto out;
  if (run->status != STORE_RUN_NOT_STARTED) {
    run_fail(err, RUN_ERR_INVALID,
             "Run %s cannot be submitted: its status is %s, and only a NOT_STARTED run can be.",
             run_id, store_run_status_name(run->status));
    goto out;
  }
  /* Dagster's QueuedRunCoordinator.submit_run: RUN_ENQUEUED with no
   * message of its own; the daemon picks the run up from the store. */
  if (!run_report(inst->store, run_id, "RUN_ENQUEUED", "", NULL, err))
    goto out;
  rc = 0;
  if (inst->on_submit)
    inst->on_submit(inst->on_submit_data);
out:
  arena_free(a);
  return rc;
}

/* ---- run_launch ---- */

/* What the processes of a launch report through the pipe. */
enum { MSG_PID = 1, MSG_FORK_FAILED, MSG_SETUP_FAILED, MSG_EXEC_FAILED };
typedef struct spawn_msg {
  int32_t kind;
  int32_t value; /* a pid or an errno */
} spawn_msg;

/* Everything the children need, prepared before forking. */
typedef struct spawn_plan {
  const char *path;
  char *argv[4];
  char **envp;
  const char *log_path;
} spawn_plan;

static void child_report(int fd, int kind, int value) {
  spawn_msg m = {kind, value};
  ssize_t n = write(fd, &m, sizeof m);
  (void)n; /* nothing more a child could do about it */
}

/* The worker process, between fork and exec: async-signal-safe calls only. */
__attribute__((noreturn)) static void exec_worker(const spawn_plan *p, int fd) {
  if (setsid() < 0) {
    child_report(fd, MSG_SETUP_FAILED, errno);
    _exit(127);
  }
  int in = open("/dev/null", O_RDONLY);
  int log = in < 0 ? -1 : open(p->log_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) {
    child_report(fd, MSG_SETUP_FAILED, errno);
    _exit(127);
  }
  if (in > 2)
    close(in);
  if (log > 2)
    close(log);
  /* Descriptors the server opened without O_CLOEXEC (sockets, the
   * database) must not live on in the worker. Best effort: older kernels
   * lack close_range. */
  close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
  /* exec keeps the signal mask and ignored signals: reset both, so the
   * worker can be stopped whatever the server blocked or ignored. */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++)
    sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP and glibc's own refuse: fine */
  execve(p->path, p->argv, p->envp);
  child_report(fd, MSG_EXEC_FAILED, errno);
  _exit(127);
}

/* The intermediate child: forks the worker, reports its pid and exits.
 * _Fork, unlike fork, is async-signal-safe (no atfork handlers). */
__attribute__((noreturn)) static void fork_worker(const spawn_plan *p, int fd) {
  pid_t pid = _Fork();
  if (pid < 0) {
    child_report(fd, MSG_FORK_FAILED, errno);
    _exit(1);
  }
  if (pid == 0)
    exec_worker(p, fd);
  child_report(fd, MSG_PID, (int32_t)pid);
  _exit(0);
}

/* The worker as a direct child (RUN_WORKER_CHILD): killed when the thread
 * that forked it ends. The parent may have ended before prctl took
 * effect; then nothing would ever kill this worker, so it does not run. */
__attribute__((noreturn)) static void child_worker(const spawn_plan *p, int fd, pid_t parent) {
  int e = prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ? errno : getppid() != parent ? ESRCH : 0;
  if (e) {
    child_report(fd, MSG_SETUP_FAILED, e);
    _exit(127);
  }
  exec_worker(p, fd);
}

/* The environment with DAGD_HOME set to home, that entry first (heap:
 * free env[0] and env). */
static char **worker_env(const char *home) {
  extern char **environ;
  size_t n = 0;
  while (environ && environ[n])
    n++;
  char **env = xcalloc(n + 2, sizeof *env);
  size_t len = strlen(home) + sizeof "DAGD_HOME=";
  env[0] = xmalloc(len);
  snprintf(env[0], len, "DAGD_HOME=%s", home);
  size_t k = 1;
  for (size_t i = 0; i < n; i++)
    if (strncmp(environ[i], "DAGD_HOME=", 10) != 0)
      env[k++] = environ[i];
  return env;
}

/* Reads what the children report until end-of-file (the worker's end of
 * the pipe closes when exec succeeds): the worker's pid when one came
 * (detached), and the first failure. */
static void read_reports(int fd, pid_t *worker, spawn_msg *failure) {
  spawn_msg m;
  ssize_t n;
  while ((n = read(fd, &m, sizeof m)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n != (ssize_t)sizeof m)
      break;
    if (m.kind == MSG_PID)
      *worker = (pid_t)m.value;
    else if (!failure->kind)
      *failure = m;
  }
}

static void reap(pid_t pid) {
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

/* Starts the worker as mode says; its pid, or 0 with the reason in
 * `reason`. */
static pid_t spawn_worker(run_instance *inst, const char *run_id, run_worker_mode mode,
                          buf *reason) {
  buf dir, log;
  buf_init(&dir, NULL);
  buf_init(&log, NULL);
  buf_printf(&dir, "%s/%s", inst->compute_logs_dir, run_id);
  buf_printf(&log, "%s/worker.log", dir.data);
  pid_t worker = 0;
  int fds[2] = {-1, -1};
  if (mkdir(dir.data, 0777) != 0 && errno != EEXIST) {
    buf_printf(reason, "Could not create %s: %s", dir.data, strerror(errno));
    goto out;
  }
  if (pipe2(fds, O_CLOEXEC) != 0) {
    buf_printf(reason, "Could not start the run worker: pipe: %s", strerror(errno));
    goto out;
  }
  spawn_plan plan = {
      .path = inst->dagd_path,
      .argv = {inst->dagd_path, "execute-run", (char *)run_id, NULL},
      .envp = worker_env(inst->home),
      .log_path = log.data,
  };
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    if (mode == RUN_WORKER_CHILD)
      child_worker(&plan, fds[1], parent);
    fork_worker(&plan, fds[1]);
  }
  int fork_errno = errno;
  close(fds[1]);
  if (child < 0) {
    buf_printf(reason, "Could not start the run worker: fork: %s", strerror(fork_errno));
  } else {
    spawn_msg failure = {0};
    if (mode == RUN_WORKER_DETACHED)
      reap(child); /* the intermediate child exits at once */
    else
      worker = child;
    read_reports(fds[0], &worker, &failure);
    if (failure.kind || !worker) {
      const char *what = failure.kind == MSG_EXEC_FAILED    ? inst->dagd_path
                         : failure.kind == MSG_SETUP_FAILED ? log.data
                                                            : "fork";
      buf_printf(reason, "Could not start the run worker: %s: %s", what,
                 failure.kind ? strerror(failure.value) : "it exited before starting");
      if (mode == RUN_WORKER_CHILD)
        reap(child); /* it exited after reporting */
      worker = 0;
    }
  }
  close(fds[0]);
  free(plan.envp[0]);
  free(plan.envp);
out:
  buf_free(&dir);
  buf_free(&log);
  return worker;
}

int run_fail_launch(run_instance *inst, const char *run_id, const char *reason, run_error *err) {
  json_t *error = run_error_json("dagd.RunLaunchError", reason, NULL, 0);
  json_t *engine = json_object(), *failure = json_object();
  json_object_set(engine, "error", error);
  json_object_set_new(failure, "error", error);
  if (!run_report(inst->store, run_id, "ENGINE_EVENT", reason, engine, err)) {
    json_decref(failure);
    return -1;
  }
  if (!run_report(inst->store, run_id, "RUN_FAILURE",
                  "This run has been marked as failed from outside the execution context.", failure,
                  err))
    return -1;
  store_tag tag = {RUN_TAG_FAILURE_REASON, "JOB_INITIALIZATION_FAILURE"};
  store_error serr;
  if (store_run_add_tags(inst->store, run_id, &tag, 1, &serr) != 0)
    return run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
  return 0;
}

/* RUN_STARTING could not be reported, so no worker is started; rather than
 * leave the run NOT_STARTED with nothing saying why, it is failed with the
 * reason, if the store takes that at all. err keeps the first failure. */
static void abandon_launch(run_instance *inst, const char *run_id, const run_error *err) {
  char reason[sizeof err->message + 64];
  snprintf(reason, sizeof reason, "The run could not be started: %s", err->message);
  json_t *failure = json_object();
  json_object_set_new(failure, "error", run_error_json("dagd.RunLaunchError", reason, NULL, 0));
  run_error ignored;
  run_report(inst->store, run_id, "RUN_FAILURE", reason, failure, &ignored);
}

/* Tags the run with the host and PID namespace its worker is launched in
 * (launch.h). A host that cannot tell records nothing: its runs are then
 * judged everywhere, as runs launched before the tag existed. */
static bool record_host(run_instance *inst, const char *run_id, run_error *err) {
  char identity[128];
  if (!run_host_identity(identity, sizeof identity))
    return true;
  store_tag tag = {RUN_TAG_WORKER_HOST, identity};
  store_error serr;
  if (store_run_add_tags(inst->store, run_id, &tag, 1, &serr) != 0) {
    run_fail(err, RUN_ERR_INTERNAL, "%s", serr.message);
    return false;
  }
  return true;
}

/* Starts the worker of a run whose host is recorded (run_start_worker):
 * one that cannot start fails the run, or, as a child, leaves it to the
 * caller with the reason in err. */
static int start_worker(run_instance *inst, const char *run_id, run_worker_mode mode, int64_t *pid,
                        run_error *err) {
  *pid = 0;
  buf reason;
  buf_init(&reason, NULL);
  pid_t worker = spawn_worker(inst, run_id, mode, &reason);
  int rc = 0;
  if (!worker && mode == RUN_WORKER_CHILD)
    run_fail(err, RUN_ERR_INTERNAL, "%s", buf_cstr(&reason));
  else if (!worker)
    rc = run_fail_launch(inst, run_id, buf_cstr(&reason), err);
  buf_free(&reason);
  if (!worker)
    return rc;
  /* The worker claims the run itself as its first step, so recording its
   * pid here only covers the moment before that (a terminate then finds
   * the worker to signal). Neither a store failure here nor the run being
   * claimed already makes the start fail: the worker is running. */
  bool claimed;
  store_error serr;
  store_run_set_worker(inst->store, run_id, worker, &claimed, &serr);
  *pid = worker;
  return 0;
}

int run_start_worker(run_instance *inst, const char *run_id, run_worker_mode mode, int64_t *pid,
                     run_error *err) {
  *pid = 0;
  /* The host goes first, so no worker pid is ever judged without it. */
  if (!record_host(inst, run_id, err)) {
    if (mode == RUN_WORKER_DETACHED)
      abandon_launch(inst, run_id, err);
    return -1;
  }
  return start_worker(inst, run_id, mode, pid, err);
}

/* Offers the run to the `dagd worker` processes; a run that cannot be
 * offered fails as one whose worker cannot start. */
static int offer(run_instance *inst, const char *run_id, run_error *err) {
  store_error serr;
  if (store_worker_offer(inst->store, run_id, clock_now(), &serr) == 0)
    return 0;
  char reason[sizeof serr.message + 64];
  snprintf(reason, sizeof reason, "Could not offer the run to the dagd workers: %s", serr.message);
  return run_fail_launch(inst, run_id, reason, err);
}

int run_launch(run_instance *inst, const char *run_id, run_error *err) {
  arena *a = arena_new(0);
  int rc = -1;
  store_run *run = run_load(inst, run_id, a, err);
  if (!run)
    goto out;
  if (run->status != STORE_RUN_NOT_STARTED && run->status != STORE_RUN_QUEUED) {
    run_fail(err, RUN_ERR_INVALID,
             "Run %s cannot be launched: its status is %s, and only a NOT_STARTED or QUEUED run "
             "can be.",
             run_id, store_run_status_name(run->status));
    goto out;
  }
  /* Dagster's launch_run: RUN_STARTING with no message of its own. The
   * host goes first, so no worker pid is ever judged without it; an
   * offered run gets its host from the worker that claims it. */
  if ((!inst->use_workers && !record_host(inst, run_id, err)) ||
      !run_report(inst->store, run_id, "RUN_STARTING", "", NULL, err)) {
    abandon_launch(inst, run_id, err);
    goto out;
  }
  int64_t pid;
  rc = inst->use_workers ? offer(inst, run_id, err)
                         : start_worker(inst, run_id, RUN_WORKER_DETACHED, &pid, err);
out:
  arena_free(a);
  return rc;
}
