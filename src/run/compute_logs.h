/* compute_logs.h — a step's captured stdout and stderr (Dagster's
 * LocalComputeLogManager): the files
 * <compute_logs_dir>/<run_id>/compute_logs/<file_key>.out and .err, where
 * the file key is the step key. Their log key, as the API names it, is
 * [run_id, "compute_logs", file_key]. Reading is by byte offset, so a
 * client follows a log that is still growing. */
#ifndef DAGD_RUN_COMPUTE_LOGS_H
#define DAGD_RUN_COMPUTE_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "run/instance.h"

typedef enum run_log_stream { RUN_LOG_STDOUT, RUN_LOG_STDERR } run_log_stream;

/* The file of one stream of a log key, into out: the key's parts but the
 * last joined under compute_logs_dir, then <last>.out or <last>.err. For
 * [run_id, "compute_logs", step]: <dir>/<run_id>/compute_logs/<step>.out.
 * False when a part is empty, ".", "..", or holds a '/' (a log key never
 * leaves the folder). */
bool run_compute_log_path(const run_instance *inst, const char *const *log_key, size_t n,
                          run_log_stream stream, buf *out);

/* Appends to out at most max bytes (0: no limit) of the file at path from
 * byte offset `offset`, never splitting a UTF-8 sequence at the end of the
 * chunk; *next receives the offset after what was read. Returns 1 when the
 * file exists, 0 when it does not (out untouched, *next = offset), -1 on a
 * read error. */
int run_compute_log_read(const char *path, int64_t offset, size_t max, buf *out, int64_t *next);

#endif
