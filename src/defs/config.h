/* config.h — Dagster's config type system: types, keys, validation, defaults.
 *
 * The config schema of an op, a resource or a whole job is a tree of config
 * types: the scalars (Int, Float, String, Bool), Any, Array, Noneable, Shape
 * (a dict of named fields), Permissive (a Shape that lets unknown keys
 * through), Selector (exactly one of its fields), Enum, ScalarUnion and Map.
 * Everything observable follows Dagster's `dagster._config` package:
 *
 * - type keys (`Int`, `Array.Int`, `Noneable.String`, `Map.String.Int`,
 *   `ScalarUnion.Int-Selector.<sha1>`, `Shape.<sha1>`, …), the sha1 being
 *   taken over exactly the text Dagster hashes (field names, JSON defaults,
 *   requiredness, child keys, descriptions, aliases), so keys are stable and
 *   equal to Dagster's for the same schema;
 * - whether a field is required (Dagster's Field: required unless it has a
 *   default, or its type is Noneable or needs nothing, in which case the
 *   default is implied);
 * - validation of a JSON value collecting every error, with Dagster's
 *   reasons, messages (Python reprs included) and evaluation paths;
 * - post-processing: defaults filled in, Floats made floats.
 *
 * Types live in a registry (one arena) that memoizes them by key, as Dagster
 * memoizes its Shapes: building the same schema twice yields the same
 * pointers. A registry is built by one thread and then only read, by any
 * number of threads. Validation and post-processing never write to types. */
#ifndef DAGD_DEFS_CONFIG_H
#define DAGD_DEFS_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

typedef struct arena arena;

/* How deeply types may nest (an Array of an Array of … counts one level per
 * type). Building a deeper type fails, so validation and post-processing,
 * which recurse along the type, never recurse deeper than this. */
#define DEFS_CONFIG_MAX_DEPTH 100

/* Dagster's ConfigTypeKind. */
typedef enum defs_config_kind {
  DEFS_CONFIG_ANY,
  DEFS_CONFIG_SCALAR,
  DEFS_CONFIG_ENUM,
  DEFS_CONFIG_SELECTOR,
  DEFS_CONFIG_STRICT_SHAPE,
  DEFS_CONFIG_PERMISSIVE_SHAPE,
  DEFS_CONFIG_SCALAR_UNION,
  DEFS_CONFIG_MAP,
  DEFS_CONFIG_ARRAY,
  DEFS_CONFIG_NONEABLE,
} defs_config_kind;

/* Dagster's ConfigScalarKind. */
typedef enum defs_config_scalar_kind {
  DEFS_CONFIG_INT,
  DEFS_CONFIG_STRING,
  DEFS_CONFIG_FLOAT,
  DEFS_CONFIG_BOOL,
} defs_config_scalar_kind;

typedef struct defs_config_type defs_config_type;

/* One field of a Shape, Permissive or Selector, as Dagster's Field resolved it. */
typedef struct defs_config_field {
  const char *name;
  const defs_config_type *type;
  bool is_required;
  /* A default exists: given, or implied for a Noneable or all-optional type. */
  bool default_provided;
  const json_t *default_value; /* when default_provided (JSON null is None) */
  const char *default_json;    /* json.dumps(default_value) as Python writes it, or NULL */
  const char *description;     /* NULL when none */
} defs_config_field;

/* A Shape's alias: `alias` may be given in config instead of `field`. */
typedef struct defs_config_alias {
  const char *field;
  const char *alias;
} defs_config_alias;

typedef struct defs_config_enum_value {
  const char *value; /* the config value, a string */
  const char *description;
} defs_config_enum_value;

/* An immutable config type. Read it; never build one by hand. */
struct defs_config_type {
  defs_config_kind kind;
  const char *key;
  /* Dagster's given_name: "Int", "Any", … for the built-ins, the name of an
   * Enum, the key label of a Map; NULL otherwise. */
  const char *given_name;
  /* "" for the scalars (as Dagster has it), "List of <key>" for an Array, the
   * description given to a Shape/Permissive/Selector; NULL otherwise. */
  const char *description;
  defs_config_scalar_kind scalar_kind;                   /* SCALAR */
  const defs_config_type *inner;                         /* ARRAY, NONEABLE, MAP (the value type) */
  const defs_config_type *key_type;                      /* MAP */
  const defs_config_type *scalar_type, *non_scalar_type; /* SCALAR_UNION */
  /* SELECTOR, STRICT_SHAPE, PERMISSIVE_SHAPE: the fields in definition order,
   * and the same fields sorted by name (Dagster's snapshot order, used by
   * validation and error messages). */
  const defs_config_field *fields;
  const defs_config_field *const *sorted_fields;
  size_t n_fields;
  const defs_config_alias *aliases; /* STRICT_SHAPE, sorted by field name */
  size_t n_aliases;
  const defs_config_enum_value *enum_values; /* ENUM, in definition order */
  size_t n_enum_values;
  int depth; /* 1 for a type without children */
};

/* ---- Building types ---------------------------------------------------- */

typedef struct defs_config_registry defs_config_registry;

/* A new registry holding the five built-ins (Any, Bool, Float, Int, String). */
defs_config_registry *defs_config_registry_new(void);
/* Frees the registry and every type built in it. NULL is allowed. */
void defs_config_registry_free(defs_config_registry *r);
/* The type with this key, or NULL. */
const defs_config_type *defs_config_lookup(const defs_config_registry *r, const char *key);
/* Every type of the registry in creation order (children before parents);
 * *n receives the count. Valid until the next type is built. */
const defs_config_type *const *defs_config_registry_types(const defs_config_registry *r, size_t *n);

/* The built-ins (shared by every registry). */
const defs_config_type *defs_config_any(void);
const defs_config_type *defs_config_scalar(defs_config_scalar_kind kind);

/* Field requiredness as written in a definition: unsaid (Dagster's
 * is_required=None, the default: inferred), or said. */
typedef enum defs_config_required {
  DEFS_CONFIG_REQUIRED_INFER = 0,
  DEFS_CONFIG_REQUIRED_YES,
  DEFS_CONFIG_REQUIRED_NO,
} defs_config_required;

/* A field as written in a definition (Dagster's Field(...) arguments). */
typedef struct defs_config_field_spec {
  const char *name;
  const defs_config_type *type;
  defs_config_required required;
  const json_t *default_value; /* NULL: no default; json_null(): None. Copied. */
  const char *description;     /* NULL: none. Copied. */
} defs_config_field_spec;

/* The constructors below return the registry's type for the resulting key
 * (an existing one when the same type was built before). They return NULL
 * when the definition is invalid or nests deeper than DEFS_CONFIG_MAX_DEPTH,
 * after appending a message to err (may be NULL). Strings and JSON values are
 * copied into the registry. */

const defs_config_type *defs_config_array(defs_config_registry *r, const defs_config_type *inner,
                                          buf *err);
const defs_config_type *defs_config_noneable(defs_config_registry *r, const defs_config_type *inner,
                                             buf *err);
/* key_type must be a scalar; key_label (NULL: none) names the keys' role. */
const defs_config_type *defs_config_map(defs_config_registry *r, const defs_config_type *key_type,
                                        const defs_config_type *inner, const char *key_label,
                                        buf *err);
/* scalar must be a scalar; non_scalar a Shape, Selector or Array. */
const defs_config_type *defs_config_scalar_union(defs_config_registry *r,
                                                 const defs_config_type *scalar,
                                                 const defs_config_type *non_scalar, buf *err);
/* values: distinct config values. The key is the name; building another
 * enum of the same name but other values fails. */
const defs_config_type *defs_config_enum(defs_config_registry *r, const char *name,
                                         const defs_config_enum_value *values, size_t n, buf *err);
/* A Shape (unknown keys are errors). aliases (NULL when n_aliases is 0) name
 * each field's alternative key. A default is validated against its field's
 * type ("Invalid default_value for Field." with the errors). */
const defs_config_type *defs_config_shape(defs_config_registry *r,
                                          const defs_config_field_spec *fields, size_t n,
                                          const char *description, const defs_config_alias *aliases,
                                          size_t n_aliases, buf *err);
/* A Permissive: a Shape that keeps unknown keys; with no fields its key is
 * the bare "Permissive". */
const defs_config_type *defs_config_permissive(defs_config_registry *r,
                                               const defs_config_field_spec *fields, size_t n,
                                               const char *description, buf *err);
/* A Selector: config picks exactly one of the fields (at least one field). */
const defs_config_type *defs_config_selector(defs_config_registry *r,
                                             const defs_config_field_spec *fields, size_t n,
                                             const char *description, buf *err);

/* The field of a fields type by name, or NULL. */
const defs_config_field *defs_config_field_get(const defs_config_type *t, const char *name);
/* Whether the kind has fields (Selector, Shape, Permissive). */
bool defs_config_kind_has_fields(defs_config_kind kind);
/* Dagster's ConfigTypeKind / ConfigScalarKind names ("STRICT_SHAPE", "INT"). */
const char *defs_config_kind_name(defs_config_kind kind);
const char *defs_config_scalar_kind_name(defs_config_scalar_kind kind);

/* Every type reachable from root (root included), each once, children
 * before their parents, in an array from arena a; *n receives the count. */
const defs_config_type **defs_config_reachable(const defs_config_type *root, arena *a, size_t *n);

/* Appends the type as Dagster's error messages print it
 * (print_config_type_key_to_string without lines): `Int`, `[String]`,
 * `Int?`, `(Int | { json: … })`, `{ a: Int b?: String }`, `{ [String]: Int }`.
 * Very large prints are cut short with "...". */
void defs_config_print_type(const defs_config_type *t, buf *out);

/* ---- Validation -------------------------------------------------------- */

/* Dagster's DagsterEvaluationErrorReason. */
typedef enum defs_config_error_reason {
  DEFS_CONFIG_RUNTIME_TYPE_MISMATCH,
  DEFS_CONFIG_MISSING_REQUIRED_FIELD,
  DEFS_CONFIG_MISSING_REQUIRED_FIELDS,
  DEFS_CONFIG_FIELD_NOT_DEFINED,
  DEFS_CONFIG_FIELDS_NOT_DEFINED,
  DEFS_CONFIG_SELECTOR_FIELD_ERROR,
  DEFS_CONFIG_FAILED_POST_PROCESSING,
  DEFS_CONFIG_FIELD_ALIAS_COLLISION,
} defs_config_error_reason;

/* "RUNTIME_TYPE_MISMATCH", … */
const char *defs_config_error_reason_name(defs_config_error_reason reason);

/* One entry of an evaluation stack (Dagster's EvaluationStack*Entry). */
typedef enum defs_config_path_kind {
  DEFS_CONFIG_PATH_FIELD,     /* name: the field */
  DEFS_CONFIG_PATH_INDEX,     /* index: the list index */
  DEFS_CONFIG_PATH_MAP_KEY,   /* name: the map key (its key is being checked) */
  DEFS_CONFIG_PATH_MAP_VALUE, /* name: the map key (its value is being checked) */
} defs_config_path_kind;

typedef struct defs_config_path_entry {
  defs_config_path_kind kind;
  const char *name;
  size_t index;
} defs_config_path_entry;

typedef struct defs_config_error {
  defs_config_error_reason reason;
  const char *message; /* Dagster's wording */
  const defs_config_path_entry *path;
  size_t path_len;
  /* Dagster's path text: "" at the root, else "root:ops:a:config[0]". */
  const char *path_text;
  /* The type being checked where the error arose (Dagster's config_type_snap). */
  const defs_config_type *type;
  /* RUNTIME_TYPE_MISMATCH: the offending value, borrowed from the input (JSON
   * null for None; NULL when it is a map key, which is not a JSON value: the
   * key is in the last path entry), and its Python repr
   * (RuntimeMismatchErrorData.value_rep). */
  const json_t *value;
  const char *value_rep;
  /* The names the error data carries: FIELD_NOT_DEFINED the one unexpected
   * key; FIELDS_NOT_DEFINED the unexpected keys, sorted; MISSING_REQUIRED_*
   * the missing fields, sorted; SELECTOR_FIELD_ERROR the keys given (sorted;
   * none when none was given); FIELD_ALIAS_COLLISION the field and its alias. */
  const char *const *names;
  size_t n_names;
  /* MISSING_REQUIRED_*: the missing fields, in the order of names. */
  const defs_config_field *const *fields;
} defs_config_error;

/* The errors of one validation, allocated in an arena. */
typedef struct defs_config_errors {
  arena *arena;
  defs_config_error *items;
  size_t count;
  size_t cap;
} defs_config_errors;

/* Validation stops looking for more errors once a list holds this many (a
 * hostile value, say a huge array of wrong items, must not turn into
 * gigabytes of messages); a few more may still be added on the way out. */
#define DEFS_CONFIG_MAX_ERRORS 1000

/* Starts an empty error list whose errors (and their strings) live in a. */
void defs_config_errors_init(defs_config_errors *errs, arena *a);

/* Validates value (NULL means None) against t as Dagster's validate_config
 * does, appending every error to errs in Dagster's order. Returns the number
 * of errors appended (0: valid). The errors borrow from value and t. */
size_t defs_config_validate(const defs_config_type *t, const json_t *value,
                            defs_config_errors *errs);

/* ---- Post-processing ---------------------------------------------------- */

/* Post-processes a value that validates against t (NULL means None), as
 * Dagster's post_process_config does: missing fields with a default get it
 * (recursively resolved), absent optional fields without one stay absent, a
 * Selector given no field takes its only field's default, Permissive extras
 * are kept, aliases are replaced by their field's name, and Floats become
 * floats. With post_process false only defaults are resolved (Dagster's
 * resolve_defaults). Returns a new reference (json_decref it); the result of
 * a value that does not validate is unspecified but never crashes. */
json_t *defs_config_resolve(const defs_config_type *t, const json_t *value, bool post_process);

/* Dagster's process_config: validates, and on success returns the
 * post-processed value (a new reference); NULL when errors were appended. */
json_t *defs_config_process(const defs_config_type *t, const json_t *value,
                            defs_config_errors *errs);

/* ---- Python texts ------------------------------------------------------- */

/* Appends repr() of the Python value that Dagster would hold for this JSON
 * (dict, list, str, int, float, bool, None; NULL is None). */
void defs_config_py_repr(const json_t *v, buf *out);
/* The name of the Python type a JSON value loads as: dict, list, str, int,
 * float, bool, NoneType. */
const char *defs_config_py_type_name(const json_t *v);
/* Appends str() of it (a string as it is, anything else as repr). */
void defs_config_py_str(const json_t *v, buf *out);
/* Appends json.dumps() of it with Python's defaults (", " and ": "
 * separators, ensure_ascii), the text Dagster hashes and shows as
 * default_value_as_json_str. */
void defs_config_json_dumps(const json_t *v, buf *out);

#endif
