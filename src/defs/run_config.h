/* run_config.h — a job's run config schema, composed as Dagster composes it
 * (dagster/_core/definitions/run_config.py), validation of a run config
 * against it, and the job's default run config.
 *
 * The root is a Shape of four fields:
 * - `execution`: `{config: Selector(in_process | multiprocess)}`, the config
 *   of Dagster's default executor (multi_or_in_process_executor), defaulting
 *   to `{multiprocess: {}}`. A job's own `execution` setting does not change
 *   the schema (an equivalent Dagster job keeps the default executor); it
 *   goes into the job's base run config (defs_job_base_run_config).
 * - `loggers`: `{console?: {config: {log_level, name}}}`.
 * - `ops`: one field per node. An op node's is a Shape of `config` (the
 *   op's schema; `Any`, optional, for an op without one) and `inputs`; a
 *   graph node's is a Shape of `ops` (its inner nodes', recursively, with
 *   the `solids` alias) and `inputs` (Dagster's shape for a graph without a
 *   config mapping). `inputs` has one field per unconnected
 *   input whose Dagster type can be loaded from config, typed as Dagster's
 *   type loaders: a scalar as `ScalarUnion(T, Selector(value | json | pickle))`,
 *   Any as that Selector, a list as an Array and a nullable as a Noneable of
 *   the inner type's loader schema; Nothing has none).
 * - `resources`: `io_manager` (Dagster's default, config Any) and every
 *   resource of the repository, `{config: …}` each, required only when an op
 *   of the job requires it and its config needs a value.
 * Requiredness and implied defaults follow Dagster's Field (a field whose
 * type needs nothing is optional, with the resolved default), and the `ops`
 * Shapes carry Dagster's `solids` alias, so the keys are Dagster's.
 *
 * The new types are built in the caller's registry; their children may be
 * the op and resource config types held by the definitions' registry, so the
 * definitions must outlive the types. */
#ifndef DAGD_DEFS_RUN_CONFIG_H
#define DAGD_DEFS_RUN_CONFIG_H

#include <jansson.h>

#include "base/buf.h"
#include "defs/config.h"
#include "defs/definitions.h"

/* The root config type of the job's run config schema, built in r (which
 * memoizes it: the same job gives the same pointer). On failure (a type the
 * registry refuses, e.g. too deep) returns NULL and appends a message to err
 * (may be NULL). */
const defs_config_type *defs_job_run_config_schema(defs_config_registry *r,
                                                   const defs_definitions *d, const defs_job *job,
                                                   buf *err);

/* The config schema of Dagster's loader for input values of type t (what
 * run config gives an unconnected input of that type; the DagsterType's
 * inputSchemaType), built in r. NULL for Nothing (no loader), or on failure
 * with a message in err (may be NULL). */
const defs_config_type *defs_type_loader_schema(defs_config_registry *r, const defs_type *t,
                                                buf *err);

/* The job's base run config: its `config` as written, with its `execution`
 * setting added as `execution: {config: {<executor>: {…}}}` unless the
 * config says `execution` itself. A new reference (json_decref it). */
json_t *defs_job_base_run_config(const defs_job *job);

/* Validates run_config (NULL: an empty config, as Dagster treats a missing
 * run config), each top-level key it leaves out taken from the job's base
 * run config (Dagster's job config mapping makes the job's config the
 * default of each top-level field), against the job's schema, appending every error to errs with
 * Dagster's reasons, messages and paths. Returns the resolved config (every
 * default filled in; a new reference) or NULL when there were errors or the
 * schema could not be built (message in err, may be NULL). */
json_t *defs_job_validate_run_config(defs_config_registry *r, const defs_definitions *d,
                                     const defs_job *job, const json_t *run_config,
                                     defs_config_errors *errs, buf *err);

/* Appends the job's default run config as runConfigYaml writes it (sorted
 * keys, block style): the base run config with every default filled in.
 * Returns false (message in err) when the schema cannot be built. */
bool defs_job_default_run_config_yaml(defs_config_registry *r, const defs_definitions *d,
                                      const defs_job *job, buf *out, buf *err);

#endif
