/* yaml.h — YAML in (libyaml) and out (PyYAML's emitter, byte for byte).
 *
 * Reading: yaml_parse turns YAML text into a tree of yaml_value in an arena.
 * Every node keeps the line and column (1-based, counted in characters) where
 * it starts, so loaders can say "workspace.yaml:3:5: …". Plain scalars get
 * the YAML 1.1 types PyYAML's SafeLoader gives them, minus timestamps (as
 * Dagster's DagsterRunConfigYamlLoader: `2024-01-01` stays a string): null
 * (`~`, `null`, empty), bool (`yes`/`no`/`on`/`off`/`true`/`false` in lower,
 * Capitalised and UPPER case), int (`0b`, `0x`, leading-`0` octal, `_`
 * separators, sexagesimal `1:30`), float (`1.5`, `1.0e+3` — `1e3` is a
 * string —, `.inf`, `-.Inf`, `.nan`). Quoted scalars are strings. Aliases
 * are resolved (the tree shares the anchored node) and merge keys (`<<`)
 * are applied as PyYAML applies them. Unlike PyYAML, duplicate keys in one
 * mapping are an error, and so are recursive aliases, integers outside
 * int64 and the tags PyYAML's SafeLoader knows but JSON-like data has no
 * use for (`!!binary`, `!!timestamp`, `!!set`, `!!omap`, `!!pairs`).
 * A stream must hold at most one document (PyYAML's yaml.load rule);
 * an empty stream is a null. yaml_limits bound the nodes after expanding
 * aliases (billion laughs) and the nesting depth.
 *
 * Emitting: yaml_emit_json writes a JSON value as PyYAML's
 * yaml.dump(data, default_flow_style=False, ...) writes the same Python data
 * (block style, `- ` not indented under a key, `{}`/`[]` for empty
 * collections, quoting of strings that would read back as another type,
 * single- or double-quoted multi-line strings folded at width 80, floats as
 * repr() with `.0` before an exponent, `...` after a top-level plain
 * scalar). YAML_EMIT_RUN_CONFIG is Dagster's dump_run_config_yaml, the text
 * of `runConfigYaml`. */
#ifndef DAGD_BASE_YAML_H
#define DAGD_BASE_YAML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

typedef struct arena arena;

typedef enum yaml_kind {
  YAML_KIND_NULL,
  YAML_KIND_BOOL,
  YAML_KIND_INT,
  YAML_KIND_FLOAT,
  YAML_KIND_STR,
  YAML_KIND_SEQ,
  YAML_KIND_MAP,
} yaml_kind;

typedef struct yaml_value yaml_value;

typedef struct yaml_pair {
  yaml_value *key; /* a scalar: string, int, float, bool or null */
  yaml_value *value;
} yaml_pair;

struct yaml_value {
  yaml_kind kind;
  int line;        /* 1-based; where the node starts (an alias: where the alias is) */
  int column;      /* 1-based, in characters */
  bool boolean;    /* YAML_KIND_BOOL */
  int64_t integer; /* YAML_KIND_INT */
  double number;   /* YAML_KIND_FLOAT */
  /* Scalars: the text, NUL-terminated (a string may also hold NULs: len
   * counts them). For YAML_KIND_STR the string itself; for the other
   * scalars the text as written (`0x1F`, `~`). NULL for collections. */
  const char *str;
  size_t len;
  size_t count;       /* items of a sequence, pairs of a mapping */
  yaml_value **items; /* YAML_KIND_SEQ */
  yaml_pair *pairs;   /* YAML_KIND_MAP: document order, merge keys applied */
  size_t nodes;       /* nodes in this subtree, aliases expanded (>= 1) */
  int height;         /* nesting of this subtree, aliases expanded (scalar: 0) */
};

typedef struct yaml_limits {
  size_t max_nodes; /* nodes of the document after expanding aliases; 0: 1,000,000 */
  int max_depth;    /* nesting of sequences and mappings; 0: 256 */
} yaml_limits;

typedef struct yaml_error {
  int line;          /* 1-based; 0 when the error has no place */
  int column;        /* 1-based, in characters */
  char message[320]; /* without the place, e.g. "found undefined alias 'x'" */
} yaml_error;

/* Parses n bytes of UTF-8 YAML text (NULs inside are an error) into a tree
 * allocated in `a`. limits may be NULL (defaults). On failure returns NULL
 * and fills err: libyaml's problem text for syntax errors (with its context
 * and where that context starts, e.g. "could not find expected ':' (while
 * scanning a simple key at line 1, column 1)"), or one of this module's
 * (duplicate key, undefined or recursive alias, limits, tags, …). */
yaml_value *yaml_parse(arena *a, const char *text, size_t n, const yaml_limits *limits,
                       yaml_error *err);

/* The value of the string key `key` in a mapping; NULL when absent or when
 * map is not a mapping. */
const yaml_value *yaml_map_get(const yaml_value *map, const char *key);

/* "null", "bool", "int", "float", "string", "sequence", "mapping". */
const char *yaml_kind_name(yaml_kind kind);

/* The tree as a new jansson value (the caller owns the reference): ints as
 * integers, floats as reals, mapping keys in document order. Returns NULL
 * and fills err (with the node's place) for a mapping key that is not a
 * string and for .inf/.nan, which JSON cannot hold. */
json_t *yaml_to_json(const yaml_value *v, yaml_error *err);

/* yaml_emit_json flags. */
enum {
  /* Mapping keys in code point order (PyYAML's sort_keys=True, the default
   * of yaml.dump); without it, the object's own order. */
  YAML_EMIT_SORT_KEYS = 1,
  /* Printable non-ASCII characters written as they are (allow_unicode=True);
   * without it they force double quotes and \x/\u/\U escapes. */
  YAML_EMIT_ALLOW_UNICODE = 2,
  /* Dagster's DagsterRunConfigYamlDumper rather than PyYAML's Dumper: strings
   * that start with "0" are single-quoted, and timestamp-like strings
   * (2024-01-01) are not quoted, since its resolver has no timestamps. */
  YAML_EMIT_DAGSTER = 4,
};
/* Dagster's dump_run_config_yaml(run_config): runConfigYaml. */
#define YAML_EMIT_RUN_CONFIG (YAML_EMIT_SORT_KEYS | YAML_EMIT_ALLOW_UNICODE | YAML_EMIT_DAGSTER)

/* Appends v written as PyYAML's yaml.dump(v, default_flow_style=False)
 * writes it, with the options in flags: yaml.dump(v) is
 * YAML_EMIT_SORT_KEYS. Strings are UTF-8 (a malformed byte is written as U+FFFD). */
void yaml_emit_json(buf *out, const json_t *v, unsigned flags);

#endif
