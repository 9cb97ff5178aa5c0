/* plan.h — a job's execution plan, as Dagster builds it.
 *
 * One step per op instance: graphs are flattened, so a step's key is the
 * handle of its op node ("extract", "outer.inner.op"). Each step input is
 * resolved through the graph mappings to the step outputs that feed it, or,
 * when nothing feeds it, to the place in the run config that provides it.
 * Steps are ordered as Dagster orders them: by topological level (a step
 * comes after every step it depends on), each level sorted by key.
 *
 * A plan lives in the caller's arena and points into the job (and its
 * definitions), which must outlive it. */
#ifndef DAGD_DEFS_PLAN_H
#define DAGD_DEFS_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "defs/definitions.h"

typedef struct arena arena;
typedef struct defs_step defs_step;

/* An upstream step output. */
typedef struct defs_step_source {
  const defs_step *step;
  const defs_io *output; /* an output of step->node->op */
} defs_step_source;

typedef struct defs_step_input {
  const defs_io *input; /* the op's input */
  /* The upstream outputs in the order written (several for a fan-in). */
  const defs_step_source *sources;
  size_t n_sources;
  bool fan_in;
  /* No sources: the run config keys that lead to the value, e.g.
   * {"ops", "outer", "inputs", "x"} when the graph node `outer` has an
   * unconnected input `x` mapped onto this one; NULL (length 0) for a
   * Nothing input, which needs no value. */
  const char *const *config_path;
  size_t config_path_len;
} defs_step_input;

struct defs_step {
  const char *key;       /* the op node's handle */
  const defs_node *node; /* the op node (node->op is set) */
  /* The nodes from the top-level one down to node (path[depth - 1] == node). */
  const defs_node *const *path;
  size_t depth;
  const defs_step_input *inputs; /* one per op input, in the op's order */
  size_t n_inputs;
  size_t index; /* position in the plan */
  int level;    /* 0 for steps with no upstream steps */
};

typedef struct defs_plan {
  const defs_step *steps; /* Dagster's order */
  size_t n_steps;
} defs_plan;

/* Builds the plan of the job in arena a. Never fails for a loaded job. */
const defs_plan *defs_plan_build(const defs_job *job, arena *a);

/* The step with that key, or NULL. */
const defs_step *defs_plan_step(const defs_plan *p, const char *key);

/* The steps that depend on step (directly), in plan order, into arena a;
 * *n receives the count. */
const defs_step *const *defs_plan_downstream(const defs_plan *p, const defs_step *step, arena *a,
                                             size_t *n);

#endif
