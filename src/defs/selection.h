/* selection.h — Dagster's op selection: choosing a subset of a job's ops.
 *
 * A query names a top-level node, optionally with Dagster's graph operators:
 * a leading `*` adds every ancestor and `+` the parents (`++` two levels, and
 * so on); a trailing `*` or `+`s add descendants the same way ("*load",
 * "extract+", "++transform*"). The selection is the union of what every
 * query selects. The subset job keeps the selected nodes, in the job's
 * order; an input fed only by nodes left out becomes unconnected (provided
 * by run config, as in Dagster). */
#ifndef DAGD_DEFS_SELECTION_H
#define DAGD_DEFS_SELECTION_H

#include <stddef.h>

#include "base/buf.h"
#include "defs/definitions.h"

typedef struct arena arena;

/* The subset of job selected by the n queries, built in arena a (pointing
 * into job, which must outlive it): same name, op_selection set to the
 * queries and parent to job. Returns NULL and appends Dagster's message to
 * err when a query is malformed or selects nothing. */
const defs_job *defs_job_subset(const defs_job *job, const char *const *queries, size_t n, arena *a,
                                buf *err);

/* The names of the subset's top-level nodes, sorted (Dagster's
 * resolvedOpSelection), into arena a; *n receives the count. */
const char *const *defs_job_resolved_selection(const defs_job *subset, arena *a, size_t *n);

#endif
