/* definitions_internal.h — what the definitions loader's files share and
 * nobody else needs.
 *
 * definitions.c reads the file top-down (resources, ops, jobs, presets, the
 * working directory) and owns the error helpers; graphs.c loads the nodes
 * of jobs and graphs (their definitions, wiring, order), the graphs with
 * their input and output mappings, and the node lookups of definitions.h. */
#ifndef DAGD_DEFS_DEFINITIONS_INTERNAL_H
#define DAGD_DEFS_DEFINITIONS_INTERNAL_H

#include <stdatomic.h>

#include "base/arena.h"
#include "base/strmap.h"
#include "base/yaml.h"
#include "defs/definitions.h"

struct defs_definitions_private {
  arena *a;
  defs_config_registry *reg;
  atomic_int refs;
  strmap ops, graphs, jobs, resources;
};

/* One loading of a definitions file. */
typedef struct defs_loader {
  arena *a; /* the definitions' arena */
  const char *file;
  buf *err;
  int n_errors;
  defs_definitions *d;
  /* Graphs load on demand, when a node first uses one (it may be defined
   * further down); the stack of graphs being loaded shows a graph that
   * contains itself. */
  defs_graph *graphs;            /* d->graphs, writable */
  const yaml_value **graph_yaml; /* each graph's definition */
  unsigned char *graph_state;    /* 0 not loaded, 1 loading, 2 loaded */
  const char **graph_stack;      /* names of the graphs being loaded */
  size_t graph_depth;
} defs_loader;

/* Reports "file:line:col: message" at the YAML node (NULL: 1:1). */
__attribute__((format(printf, 3, 4))) void defs_fail(defs_loader *L, const yaml_value *at,
                                                     const char *fmt, ...);
/* Whether the node has the kind; otherwise reports "<what> must be a <kind>". */
bool defs_expect(defs_loader *L, const yaml_value *v, yaml_kind kind, const char *what);
/* Reports every key of map not in the NULL-terminated list allowed. */
void defs_check_keys(defs_loader *L, const yaml_value *map, const char *what,
                     const char *const *allowed);
/* The string of an optional key; NULL when absent or not a string (reported). */
const char *defs_opt_str(defs_loader *L, const yaml_value *map, const char *key, const char *what);
/* Whether k is a name by Dagster's rule (^[A-Za-z0-9_]+$); reports otherwise. */
bool defs_check_name(defs_loader *L, const yaml_value *k, const char *what);
/* The Dagster type Any. */
const defs_type *defs_type_any(void);

/* A job or a graph while its nodes load: what messages call it, its nodes
 * and their names. */
typedef struct defs_container {
  const char *kind; /* "job" or "graph" */
  const char *name;
  defs_node *nodes;
  size_t n_nodes;
  strmap by_name;
  const defs_node **order;
} defs_container;

/* Loads the `ops:` of a job or a graph (owner, for the error when ops is
 * NULL) into c: each node's definition, then the wiring of every node (once
 * all are known), then the dependency order. */
void defs_load_nodes(defs_loader *L, defs_container *c, const yaml_value *owner,
                     const yaml_value *ops);

/* Loads the `graphs:` section (v may be NULL) into L->d; ops must be loaded. */
void defs_load_graphs(defs_loader *L, const yaml_value *v);

#endif
