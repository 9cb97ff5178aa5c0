/* worker.h — the `dagd worker` subcommand. */
#ifndef DAGD_CLI_WORKER_H
#define DAGD_CLI_WORKER_H

/* Runs `dagd worker` with its own arguments (argv[0] is "worker"): opens
 * the instance and executes the runs offered to its workers
 * (src/daemon/worker_host.h) until SIGTERM (claim nothing more, let the
 * going runs finish) or SIGINT / a second SIGTERM (cancel them). Returns
 * the exit status: 0 after a stop, 1 when the instance cannot be opened
 * or does not offer runs to workers, 2 for a usage error. */
int cli_worker(int argc, char **argv);

#endif
