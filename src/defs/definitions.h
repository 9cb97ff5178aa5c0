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
 * A node of a job (or of a graph) is an instance of an op or of a graph: a
 * graph is a reusable op graph used as an op (Dagster's graph-backed op,
 * the composite solid), whose inputs map onto inputs of its inner nodes and
 * whose outputs are outputs of inner nodes. Nested nodes are named by their
 * handle, the names from the job down joined by dots ("outer.inner.op"). */
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
typedef struct defs_graph defs_graph;

/* One upstream output feeding an input. */
typedef struct defs_source {
  const defs_node *node;
  const defs_io *output;
} defs_source;

/* How one input of a node is fed (one per op input, in the op's order). */
typedef struct defs_binding {
  const defs_io *input;
  /* No sources and no graph_input: the input is unconnected (run config
   * provides it). */
  const defs_source *sources;
  size_t n_sources;
  bool fan_in; /* written as a list: several (or a list of one) upstream outputs */
  /* Inside a graph: the graph's input mapped onto this input (the value
   * comes from whatever feeds the graph node's input); NULL otherwise. */
  const defs_io *graph_input;
} defs_binding;

/* An op or a graph used in a job or a graph (Dagster's Node/solid): its name
 * is the alias, or the definition's name when no alias was given. */
struct defs_node {
  const char *name;
  /* The definition: exactly one of op and graph is set. */
  const defs_op *op;
  const defs_graph *graph;
  /* One per input of the definition, in the definition's order. */
  const defs_binding *inputs;
  int line, column;
};

/* A graph input feeding one input of an inner node (Dagster's InputMapping;
 * a graph input that feeds several inner inputs has one mapping each). */
typedef struct defs_input_mapping {
  const defs_io *input;      /* the graph's input */
  const defs_node *node;     /* the inner node */
  const defs_io *node_input; /* that node's input */
} defs_input_mapping;

/* A graph output exposing an output of an inner node (Dagster's OutputMapping). */
typedef struct defs_output_mapping {
  const defs_io *output;      /* the graph's output */
  const defs_node *node;      /* the inner node */
  const defs_io *node_output; /* that node's output */
} defs_output_mapping;

/* A graph: nodes wired like a job's, with inputs and outputs of its own.
 * The types of its inputs and outputs are those of the inner inputs and
 * outputs they map to (all mapped inner inputs of one graph input must
 * accept its type). */
struct defs_graph {
  const char *name;
  const char *description; /* NULL: none */
  const defs_io *inputs;
  size_t n_inputs;
  const defs_io *outputs;
  size_t n_outputs;
  const defs_node *nodes; /* in definition order */
  size_t n_nodes;
  const defs_node *const *order;            /* dependency order, as defs_job's */
  const defs_input_mapping *input_mappings; /* in the order of the graph's inputs */
  size_t n_input_mappings;
  const defs_output_mapping *output_mappings; /* one per output, in order */
  size_t n_output_mappings;
  int line, column;
};

/* A named run configuration of a job (Dagster's PresetDefinition). */
typedef struct defs_preset {
  const char *name;
  const json_t *run_config; /* as written; NULL: none */
  /* Op selection queries (selection.h); NULL when the preset selects none. */
  const char *const *op_selection;
  size_t n_op_selection;
  const defs_pair *tags;
  size_t n_tags;
  int line, column;
} defs_preset;

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
  int max_concurrent;         /* multiprocess; 0: unlimited (Dagster: CPU count) */
  const defs_preset *presets; /* in definition order */
  size_t n_presets;
  /* For a subset of another job (selection.h): the queries that selected
   * it and the parent job; NULL for a job as defined. */
  const char *const *op_selection;
  size_t n_op_selection;
  const struct defs_job *parent;
  /* A loaded job's snapshot id (snapshot.h), computed once when it loads;
   * a subset's is derived on demand. */
  char snapshot_id[40 + 1];
  int line, column;
} defs_job;

typedef struct defs_definitions defs_definitions;
struct defs_definitions {
  const char *path;            /* the file as given to defs_load_file */
  const char *repository_name; /* DEFS_DEFAULT_REPOSITORY_NAME when unnamed */
  /* Where op commands run: the file's `working_directory` (resolved against
   * the file's folder), else the file's folder; absolute when the file's
   * path could be made absolute. */
  const char *working_directory;
  const defs_op *ops; /* each list in definition order */
  size_t n_ops;
  const defs_graph *graphs;
  size_t n_graphs;
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
const defs_graph *defs_find_graph(const defs_definitions *d, const char *name);
/* A top-level node of the job by name. */
const defs_node *defs_job_find_node(const defs_job *job, const char *name);
/* The node of a graph by name. */
const defs_node *defs_graph_find_node(const defs_graph *g, const char *name);
/* The node at a handle ("outer.inner"): a top-level node, or a node inside
 * the graph of the node named by the handle's prefix. NULL when absent. */
const defs_node *defs_job_node_at(const defs_job *job, const char *handle);

/* A node's definition, whether op or graph: its name, description (NULL:
 * none), inputs and outputs. */
const char *defs_node_def_name(const defs_node *node);
const char *defs_node_def_description(const defs_node *node);
const defs_io *defs_node_inputs(const defs_node *node, size_t *n);
const defs_io *defs_node_outputs(const defs_node *node, size_t *n);
/* The input or output definition of an op by name; NULL when absent. */
const defs_io *defs_op_input(const defs_op *op, const char *name);
const defs_io *defs_op_output(const defs_op *op, const char *name);

#endif
