/* snapshot.h — job snapshots: a job frozen as a definitions document.
 *
 * A snapshot is the text of a definitions file (JSON, which the YAML loader
 * reads) declaring just the job and what it uses: the ops and graphs of its
 * nodes, every resource of the repository (the run config schema has a
 * field for each, so leaving one out would change its type key), the
 * repository name and the absolute
 * working directory, every config schema written in the definitions'
 * syntax. Loading the snapshot with defs_load_text gives back an equivalent
 * job, so a run can be inspected and executed after its definition changed
 * or disappeared. The text is canonical (keys in a fixed order, no
 * insignificant spaces), so equal jobs give equal snapshots, and the
 * snapshot id is the SHA-1 of the text, in hex (Dagster's
 * pipelineSnapshotId plays the same role).
 *
 * A subset job (selection.h) is stored as its parent's snapshot plus its op
 * selection; its own id is derived from both (the SHA-1 of the parent's id,
 * a newline, and the sorted selected node names joined by commas), so it
 * differs from the parent's, as Dagster's subset snapshots do. */
#ifndef DAGD_DEFS_SNAPSHOT_H
#define DAGD_DEFS_SNAPSHOT_H

#include "base/buf.h"
#include "defs/definitions.h"

#define DEFS_SNAPSHOT_ID_LEN 40

/* Appends the job's snapshot text to out (a subset: its parent's). */
void defs_job_snapshot(const defs_definitions *d, const defs_job *job, buf *out);

/* Writes the job's snapshot id (40 hex digits and a NUL) into id. */
void defs_job_snapshot_id(const defs_definitions *d, const defs_job *job,
                          char id[DEFS_SNAPSHOT_ID_LEN + 1]);

#endif
