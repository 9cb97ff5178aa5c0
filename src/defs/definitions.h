/* definitions.h — a definitions file (docs/definitions.md) loaded into
 * immutable structures: the repository, its ops, resources and jobs (each
 * job an op graph whose inputs are wired to upstream outputs), with config
 * schemas built as Dagster config types (config.h).
 *
 * Loading resolves every reference (the op of a job's node, the upstream
 * node and output of an input, the resources an op requires) and checks the
 * graph for cycles. Errors are collected (up to DEFS_MAX_ERRORS), one per
 * line, each as "file:line:column: what is wrong", the place being the YAML
 * node at fault. A loaded definitions object is read-only and may be shared
 * by threads; it is reference counted so a reloaded code location can be
 * swapped in while readers keep the old one until they release it.
 *
 * Not yet: graphs (graph-backed ops), presets. */
#ifndef DAGD_DEFS_DEFINITIONS_H
#define DAGD_DEFS_DEFINITIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "defs/config.h"

/* Dagster's name for the repository of a code location that names none. */
#define DEFS_DEFAULT_REPOSITORY_NAME "__repository__"

/* Loading stops reporting after this many errors. */
#define DEFS_MAX_ERRORS 20

/* The Dagster types of op inputs and outputs. */
typedef enum defs_type_kind {
  DEFS_TYPE_ANY,
  DEFS_TYPE_INT,
  DEFS_TYPE_FLOAT,
  DEFS_TYPE_STRING,
  DEFS_TYPE_BOOL,
  DEFS_TYPE_NOTHING,
  DEFS_TYPE_LIST,     /* inner: the item type */
  DEFS_TYPE_NULLABLE, /* inner: the type when not None */
} defs_type_kind;

typedef struct defs_type defs_type;
struct defs_type {
  defs_type_kind kind;
  const char *name; /* Dagster's display name: "Int", "List[Int]", "Optional[String]" */
  const char *key;  /* Dagster's key: "Int", "List.Int", "Optional.String" */
  const defs_type *inner;
};

/* A key/value string pair: tags, environment variables. */
typedef struct defs_pair {
  const char *key;
  const char *value;
} defs_pair;

/* A config schema as written for an op or a resource: Dagster's Field. */
typedef struct defs_config_schema {
  const defs_config_type *type;
  defs_config_required required;
  const json_t *default_value; /* NULL: none */
} defs_config_schema;

/* An input or output definition of an op. */
typedef struct defs_io {
  const char *name;
  const defs_type *type;
  const char *description; /* NULL: none */
  int line, column;
} defs_io;

typedef struct defs_op {
  const char *name;
  const char *description; /* NULL: none */
  /* The command: argv (n_argv >= 1, argv[n_argv] == NULL), or a shell string
   * (shell != NULL, argv NULL) run by /bin/sh -c. */
  const char *const *argv;
  size_t n_argv;
  const char *shell;
  const defs_pair *tags;
  size_t n_tags;
  const defs_config_schema *config; /* NULL: the op takes no config */
  const defs_io *inputs;
  size_t n_inputs;
  const defs_io *outputs; /* no `outputs` key: one output "result" of type Any */
  size_t n_outputs;
  const char *const *required_resources;
  size_t n_required_resources;
  int max_retries;      /* retry policy; 0: none */
  double retry_delay;   /* seconds between attempts */
  double timeout;       /* seconds; 0: none */
  const defs_pair *env; /* extra environment variables */
  size_t n_env;
  int line, column;
} defs_op;

typedef struct defs_resource {
  const char *name;
  const char *description;
  const defs_config_schema *config; /* NULL: no config */
  int line, column;
} defs_resource;

typedef struct defs_node defs_node;

/* One upstream output feeding an input. */
typedef struct defs_source {
  const defs_node *node;
  const defs_io *output;
} defs_source;

/* How one input of a node is fed (one per op input, in the op's order). */
typedef struct defs_binding {
  const defs_io *input;
  const defs_source *sources; /* none: the input is unconnected (config provides it) */
  size_t n_sources;
  bool fan_in; /* written as a list: several (or a list of one) upstream outputs */
} defs_binding;

/* An op used in a job (Dagster's Node/solid): its name is the alias, or the
 * op's name when no alias was given. */
struct defs_node {
  const char *name;
  const defs_op *op;
  const defs_binding *inputs; /* op->n_inputs of them */
  int line, column;
};

typedef enum defs_executor {
  DEFS_EXECUTOR_MULTIPROCESS = 0, /* Dagster's default */
  DEFS_EXECUTOR_IN_PROCESS,
} defs_executor;

typedef struct defs_job {
  const char *name;
  const char *description;
  const defs_pair *tags;
  size_t n_tags;
  const defs_node *nodes; /* in definition order */
  size_t n_nodes;
  /* The nodes in dependency order (each after its upstream nodes; ties in
   * definition order). */
  const defs_node *const *order;
  const json_t *run_config; /* default run config; NULL: none */
  defs_executor executor;
  int max_concurrent; /* multiprocess; 0: unlimited (Dagster: CPU count) */
  int line, column;
} defs_job;

typedef struct defs_definitions defs_definitions;
struct defs_definitions {
  const char *path;            /* the file as given to defs_load_file */
  const char *repository_name; /* DEFS_DEFAULT_REPOSITORY_NAME when unnamed */
  const defs_op *ops;          /* each list in definition order */
  size_t n_ops;
  const defs_resource *resources;
  size_t n_resources;
  const defs_job *jobs;
  size_t n_jobs;
  /* The registry holding every config type of these definitions. */
  const defs_config_registry *config_types;
  struct defs_definitions_private *priv;
};

/* Loads the definitions file at path. On failure returns NULL and appends
 * the errors to err, one "path:line:column: message" per line. */
defs_definitions *defs_load_file(const char *path, buf *err);

/* Loads definitions from n bytes of YAML text; `path` names the file in
 * error messages. */
defs_definitions *defs_load_text(const char *path, const char *text, size_t n, buf *err);

/* Takes one more reference; returns d. */
defs_definitions *defs_definitions_retain(defs_definitions *d);
/* Drops a reference (the loader's counts as one); the last frees it all.
 * NULL is allowed. */
void defs_definitions_release(defs_definitions *d);

/* Lookups by name; NULL when absent. */
const defs_op *defs_find_op(const defs_definitions *d, const char *name);
const defs_job *defs_find_job(const defs_definitions *d, const char *name);
const defs_resource *defs_find_resource(const defs_definitions *d, const char *name);
const defs_node *defs_job_find_node(const defs_job *job, const char *name);
/* The input or output definition of an op by name; NULL when absent. */
const defs_io *defs_op_input(const defs_op *op, const char *name);
const defs_io *defs_op_output(const defs_op *op, const char *name);

#endif
