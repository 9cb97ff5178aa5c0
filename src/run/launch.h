/* launch.h — creating and launching runs (Dagster's create_run and the
 * DefaultRunLauncher).
 *
 * run_create stores the job's snapshot and the run, NOT_STARTED, with
 * Dagster's tags: the job's tags, then the caller's (which win), then the
 * system tags the request carries (run_new.system_tags), then those dagd
 * sets (`dagster/solid_selection` for a subset, the selection joined by
 * commas; dagster/parent_run_id and dagster/root_run_id), all stored with
 * the run at once. A caller's tag under the reserved prefixes
 * `dagster/` and `.dagster/` is refused unless Dagster lets users set it
 * (dagster/priority, dagster/max_retries, dagster/retry_strategy,
 * dagster/max_runtime, dagster/isolation,
 * dagster/retry_on_asset_or_op_failure).
 *
 * run_launch reports RUN_STARTING and starts the run worker
 * (`<dagd_path> execute-run RUN_ID`, DAGD_HOME set) as its own process
 * session, detached from the caller (double fork: no zombie, no shared
 * signals), its stdout and stderr appended to
 * <compute_logs_dir>/<run_id>/worker.log. When the worker cannot be
 * started, the run fails (RUN_FAILURE with the reason).
 *
 * With run_launcher.workers (instance.h), run_launch reports RUN_STARTING
 * and offers the run to the `dagd worker` processes instead
 * (store_worker_offer): the one that claims it starts its worker with
 * run_start_worker. A run that cannot be offered fails as above.
 *
 * Before the worker starts, run_launch (before RUN_STARTING) or
 * run_start_worker records where it runs in the hidden tag
 * RUN_TAG_WORKER_HOST: this machine's boot id and the
 * inode of the launcher's PID namespace ("<boot id>:<inode>"). A stored
 * worker pid means something only there; a run monitor or terminate
 * elsewhere leaves the worker's health alone (run_worker_is_local). */
#ifndef DAGD_RUN_LAUNCH_H
#define DAGD_RUN_LAUNCH_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "defs/definitions.h"
#include "run/instance.h"

/* Dagster's RUN_FAILURE_REASON_TAG: why a run failed (START_TIMEOUT,
 * UNEXPECTED_TERMINATION, JOB_INITIALIZATION_FAILURE, STEP_FAILURE). */
#define RUN_TAG_FAILURE_REASON "dagster/failure_reason"
/* Hidden (never shown by the API): the host and PID namespace the run's
 * worker was launched in, as above. */
#define RUN_TAG_WORKER_HOST ".dagster/run_worker_host"

typedef enum run_error_code {
  RUN_ERR_INTERNAL = 1,     /* storage or system failure */
  RUN_ERR_INVALID,          /* bad input: a reserved tag, an unknown step key */
  RUN_ERR_CONFLICT,         /* a run with that id exists */
  RUN_ERR_NOT_FOUND,        /* no such run */
  RUN_ERR_CANNOT_TERMINATE, /* the run's status does not allow it */
} run_error_code;

typedef struct run_error {
  run_error_code code;
  char message[1024];
} run_error;

typedef struct run_new {
  const defs_definitions *defs; /* the job's definitions */
  const defs_job *job;          /* the job; a subset (defs_job_subset) records its selection */
  const char *location_name;
  /* The run config as the caller gave it (validated by the caller); NULL: {}. */
  const json_t *run_config;
  const store_tag *tags; /* the caller's tags */
  size_t n_tags;
  /* Tags under the reserved prefixes that dagd sets on a caller's behalf
   * (dagster/is_resume_retry, dagster/step_selection, a re-executed
   * parent's system tags): not checked, they win over the caller's and
   * lose to the selection and lineage tags run_create writes. */
  const store_tag *system_tags;
  size_t n_system_tags;
  const char *run_id;        /* NULL: a new id */
  const char *parent_run_id; /* both or neither */
  const char *root_run_id;
  /* The steps to execute (Dagster's step_keys_to_execute, stored as the
   * run's JSON list; keys are the caller's to check against the plan);
   * NULL: all. The worker takes the outputs of the others from the run's
   * parent chain (run/reexecute.h). */
  const char *const *step_keys;
  size_t n_step_keys;
} run_new;

/* Stores the run as above and writes its id into run_id. */
int run_create(run_instance *inst, const run_new *req, char run_id[37], run_error *err);

/* Submits a NOT_STARTED run as the instance's coordinator says: queued,
 * it reports RUN_ENQUEUED (status QUEUED) and the daemon launches it
 * later; otherwise it is launched now (run_launch). */
int run_submit(run_instance *inst, const char *run_id, run_error *err);

/* How run_start_worker starts a run worker. */
typedef enum run_worker_mode {
  /* Detached (double fork): no zombie, no shared signals; run_launch. */
  RUN_WORKER_DETACHED,
  /* A child of the calling thread, in a session of its own, killed
   * (SIGKILL) when that thread ends: a `dagd worker`'s runs end with it.
   * Its ops' leaders die with it too; what they started lives on in the
   * dead worker's session until run_kill_ops_of_dead_workers or a run
   * monitor on this host (terminate.h) kills it. The caller reaps it
   * (waitpid). */
  RUN_WORKER_CHILD,
} run_worker_mode;

/* Starts the worker of a STARTING run (`<dagd_path> execute-run RUN_ID`,
 * DAGD_HOME set, output appended to its worker.log) as mode says, after
 * recording this host in RUN_TAG_WORKER_HOST, and records its pid as the
 * run's worker. *pid receives the worker's pid, or 0 when it could not be
 * started (no such binary, fork or file limits), and 0 is returned all
 * the same: RUN_WORKER_DETACHED, the run then failed with the reason (as
 * run_launch says); RUN_WORKER_CHILD, the run is left STARTING and the
 * reason is in err->message, for the caller to give the run to another
 * host or fail it (run_fail_launch). -1 with err when the storage failed
 * (the host could not be recorded: nothing was started; detached, the
 * run is failed if the store takes that; as a child, it is left as it
 * is). */
int run_start_worker(run_instance *inst, const char *run_id, run_worker_mode mode, int64_t *pid,
                     run_error *err);

/* Fails a run whose worker could not start, as Dagster's launch_run does
 * when its launcher raises: an ENGINE_EVENT with the error (reason), then
 * RUN_FAILURE "This run has been marked as failed from outside the
 * execution context." carrying it too, and the failure reason tag
 * JOB_INITIALIZATION_FAILURE. -1 with err when the storage failed. */
int run_fail_launch(run_instance *inst, const char *run_id, const char *reason, run_error *err);

/* Launches a NOT_STARTED run (or a QUEUED one the daemon dequeued) as above. -1 with err when the
 * run is unknown or not NOT_STARTED, or when the storage fails; a worker that cannot be started is
 * not an error of the call (the run fails, 0 is returned). */
int run_launch(run_instance *inst, const char *run_id, run_error *err);

#endif
