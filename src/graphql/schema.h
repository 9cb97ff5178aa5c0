/* schema.h — GraphQL schemas: types, fields, directives, and the hooks that
 * make a schema executable (resolvers, scalar coercion, abstract type
 * resolution).
 *
 * A schema is built from SDL text (gql_schema_build), checked against the
 * type-system rules of spec §3, and completed with the built-in scalars and
 * directives (@skip, @include, @deprecated, @specifiedBy, @oneOf) and the
 * introspection types. Hooks are attached after building, before serving;
 * from then on the schema is immutable and safe to share between threads.
 * Everything lives in the schema's own arena; gql_schema_free releases it. */
#ifndef DAGD_GRAPHQL_SCHEMA_H
#define DAGD_GRAPHQL_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/ast.h"
#include "graphql/error.h"

typedef struct arena arena;
typedef struct json_writer json_writer;
typedef struct gql_schema gql_schema;
typedef struct gql_type gql_type;
typedef struct gql_field gql_field;

typedef enum gql_kind {
  GQL_KIND_SCALAR,
  GQL_KIND_OBJECT,
  GQL_KIND_INTERFACE,
  GQL_KIND_UNION,
  GQL_KIND_ENUM,
  GQL_KIND_INPUT_OBJECT,
  GQL_KIND_LIST,     /* wrapper: `of` is the item type */
  GQL_KIND_NON_NULL, /* wrapper: `of` is the nullable type */
} gql_kind;

/* Directive locations, as bits. */
typedef enum gql_directive_location {
  GQL_DL_QUERY = 1u << 0,
  GQL_DL_MUTATION = 1u << 1,
  GQL_DL_SUBSCRIPTION = 1u << 2,
  GQL_DL_FIELD = 1u << 3,
  GQL_DL_FRAGMENT_DEFINITION = 1u << 4,
  GQL_DL_FRAGMENT_SPREAD = 1u << 5,
  GQL_DL_INLINE_FRAGMENT = 1u << 6,
  GQL_DL_VARIABLE_DEFINITION = 1u << 7,
  GQL_DL_SCHEMA = 1u << 8,
  GQL_DL_SCALAR = 1u << 9,
  GQL_DL_OBJECT = 1u << 10,
  GQL_DL_FIELD_DEFINITION = 1u << 11,
  GQL_DL_ARGUMENT_DEFINITION = 1u << 12,
  GQL_DL_INTERFACE = 1u << 13,
  GQL_DL_UNION = 1u << 14,
  GQL_DL_ENUM = 1u << 15,
  GQL_DL_ENUM_VALUE = 1u << 16,
  GQL_DL_INPUT_OBJECT = 1u << 17,
  GQL_DL_INPUT_FIELD_DEFINITION = 1u << 18,
  GQL_DL_DIRECTIVE_DEFINITION = 1u << 19,
} gql_directive_location;
#define GQL_DL_COUNT 20
/* "QUERY", "MUTATION", … for bit i (0..GQL_DL_COUNT-1). */
extern const char *const gql_directive_location_names[GQL_DL_COUNT];
/* The bit index of a location name in gql_directive_location_names;
 * GQL_DL_COUNT for a name that is none. */
unsigned gql_directive_location_index(const char *name);

/* ---- values produced by resolvers ---- */

typedef enum gql_rv_kind {
  GQL_RV_NULL,
  GQL_RV_BOOL,
  GQL_RV_INT,
  GQL_RV_FLOAT,
  GQL_RV_STRING, /* also the name of an enum value */
  GQL_RV_JSON,   /* a jansson value, completed against the field's type */
  GQL_RV_VALUE,  /* a coerced input value (e.g. an argument echoed back) */
  GQL_RV_LIST,
  GQL_RV_OBJECT, /* an opaque pointer plus its type */
  GQL_RV_ERROR,  /* the field failed: the message becomes a field error */
} gql_rv_kind;

typedef struct gql_rv {
  gql_rv_kind kind;
  union {
    bool b;
    int64_t i;
    double f;
    struct {
      const char *s;
      size_t len;
    } str;
    const json_t *json; /* borrowed: must outlive the request */
    const gql_value *value;
    struct {
      struct gql_rv *items; /* in the request arena */
      size_t n;
    } list;
    struct {
      const void *ptr;
      /* The concrete object type, or NULL/an abstract type to let the
       * type's resolve_type hook (or the schema default) decide. */
      const gql_type *type;
    } obj;
    const char *error;
  } u;
} gql_rv;

/* Constructors, for resolvers. */
static inline gql_rv gql_rv_null(void) {
  gql_rv r = {.kind = GQL_RV_NULL};
  return r;
}
static inline gql_rv gql_rv_bool(bool b) {
  gql_rv r = {.kind = GQL_RV_BOOL, .u.b = b};
  return r;
}
static inline gql_rv gql_rv_int(int64_t i) {
  gql_rv r = {.kind = GQL_RV_INT, .u.i = i};
  return r;
}
static inline gql_rv gql_rv_float(double f) {
  gql_rv r = {.kind = GQL_RV_FLOAT, .u.f = f};
  return r;
}
gql_rv gql_rv_string(const char *s); /* NULL gives null */
gql_rv gql_rv_object(const void *ptr, const gql_type *type);
gql_rv gql_rv_json(const json_t *j); /* NULL gives null */
/* A list of n items allocated in the request arena, to be filled by the caller. */
gql_rv gql_rv_list(arena *a, size_t n);
/* An error with a printf-style message formatted into the arena. */
gql_rv gql_rv_errorf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- resolvers ---- */

typedef struct gql_resolve_info {
  const gql_schema *schema;
  const gql_field *field;
  const gql_type *parent_type;    /* the object type owning the field */
  const gql_selection *selection; /* the first field node of the merged set */
  arena *arena;                   /* the request's: allocate results here */
  void *context;                  /* the caller's request context */
  /* Coerced arguments, aligned with field->args: args[i] is NULL when the
   * argument was neither given nor defaulted. */
  const gql_value *const *args;
  /* The response path of this field (the last segment is its key). */
  const gql_path_seg *path;
  size_t path_len;
  /* The variables of the operation, coerced (an OBJECT value). */
  const gql_value *variables;
} gql_resolve_info;

/* A field resolver: computes the field of `parent` (the opaque pointer of
 * the parent object; NULL for root types unless a root value was given). */
typedef gql_rv (*gql_resolve_fn)(const gql_resolve_info *info, const void *parent, void *data);

/* Picks the concrete object type of a value of an interface or union.
 * Returns NULL when it cannot tell (a field error follows). */
typedef const gql_type *(*gql_resolve_type_fn)(const gql_schema *schema, const gql_type *abstract,
                                               const gql_rv *value, void *data);

/* Subscription source streams. The hook returns the opaque source stream
 * handle (owned by the transport that asked for it) or an error rv. */
typedef gql_rv (*gql_subscribe_fn)(const gql_resolve_info *info, void *data);

/* The argument of that name, or NULL when absent (neither given nor defaulted). */
const gql_value *gql_arg(const gql_resolve_info *info, const char *name);

/* ---- scalars ---- */

typedef struct gql_scalar_hooks {
  /* Writes the result value for the response. Returns false and fills err
   * ("Int cannot represent non-integer value: 1.5") when it cannot. */
  bool (*serialize)(const gql_rv *in, json_writer *w, char *err, size_t err_size);
  /* Coerces an input (a literal, or a variable value converted from JSON
   * when from_variable) containing no variables into the value handed to
   * resolvers. NULL and err on failure ("Int cannot represent non-integer
   * value: 1.5"). */
  const gql_value *(*parse)(const gql_value *in, bool from_variable, arena *a, char *err,
                            size_t err_size);
} gql_scalar_hooks;

/* Hooks for a scalar that accepts and returns any JSON (Dagster's
 * GenericScalar, RunConfigData). */
extern const gql_scalar_hooks gql_json_scalar_hooks;

/* ---- the type system ---- */

typedef struct gql_input_value {
  const char *name;
  const char *description;
  gql_type *type;
  const gql_value *default_value; /* NULL when none */
  bool deprecated;
  const char *deprecation_reason;
  gql_loc loc;
} gql_input_value;

struct gql_field {
  const char *name;
  const char *description;
  gql_type *type;
  gql_input_value *args;
  size_t n_args;
  bool deprecated;
  const char *deprecation_reason;
  gql_type *owner;
  gql_loc loc;
  gql_resolve_fn resolve; /* NULL: the schema's default resolver */
  void *resolve_data;
  gql_subscribe_fn subscribe;
  void *subscribe_data;
};

typedef struct gql_enum_value {
  const char *name;
  const char *description;
  bool deprecated;
  const char *deprecation_reason;
} gql_enum_value;

struct gql_type {
  gql_kind kind;
  const char *name; /* NULL for wrappers */
  const char *description;
  gql_type *of;      /* LIST, NON_NULL */
  gql_field *fields; /* OBJECT, INTERFACE, in definition order */
  size_t n_fields;
  gql_type **interfaces; /* OBJECT, INTERFACE */
  size_t n_interfaces;
  /* UNION: its members; INTERFACE: the object types implementing it. */
  gql_type **possible;
  size_t n_possible;
  gql_enum_value *values; /* ENUM */
  size_t n_values;
  gql_input_value *input_fields; /* INPUT_OBJECT */
  size_t n_input_fields;
  const char *specified_by_url;     /* SCALAR */
  bool one_of;                      /* INPUT_OBJECT with @oneOf */
  bool builtin;                     /* a built-in scalar or an introspection type */
  const gql_scalar_hooks *scalar;   /* SCALAR; custom scalars default to pass-through */
  gql_resolve_type_fn resolve_type; /* INTERFACE, UNION; NULL: the schema default */
  void *resolve_type_data;
  gql_type *list_of;     /* cached [this] wrapper, NULL until needed */
  gql_type *non_null_of; /* cached this! wrapper */
  void *lookup;          /* private: name → field/value index */
};

typedef struct gql_schema_directive {
  const char *name;
  const char *description;
  gql_input_value *args;
  size_t n_args;
  uint32_t locations; /* gql_directive_location bits, for fast checks */
  /* The locations as declared, in that order and with any repeats, as bit
   * indexes (0..GQL_DL_COUNT-1): what introspection reports. */
  const uint8_t *location_order;
  size_t n_locations;
  bool repeatable;
  bool builtin;
} gql_schema_directive;

struct gql_schema {
  arena *arena;
  const char *description;
  gql_type *query;
  gql_type *mutation;     /* NULL when none */
  gql_type *subscription; /* NULL when none */
  gql_type **types;       /* every named type, user types in definition order, then built-ins */
  size_t n_types;
  gql_schema_directive *directives;
  size_t n_directives;
  gql_resolve_fn default_resolve; /* for fields without a resolver; NULL: field error */
  void *default_resolve_data;
  gql_resolve_type_fn default_resolve_type;
  void *default_resolve_type_data;
  /* The meta-fields, resolved by introspection.c. */
  gql_field *meta_schema;   /* __schema: __Schema! */
  gql_field *meta_type;     /* __type(name: String!): __Type */
  gql_field *meta_typename; /* __typename: String! */
  void *lookup;             /* private: name → type, name → directive */
};

/* Builds a schema from SDL. On failure returns NULL and adds every error
 * found (syntax, or the spec §3 rules with graphql-js's messages) to errs. */
gql_schema *gql_schema_build(const char *sdl, size_t len, gql_errors *errs);
void gql_schema_free(gql_schema *s);

/* Lookups; NULL when absent. */
gql_type *gql_schema_type(const gql_schema *s, const char *name);
const gql_schema_directive *gql_schema_directive_named(const gql_schema *s, const char *name);
/* A field of an object or interface type, by name, not counting meta-fields. */
gql_field *gql_type_field(const gql_type *t, const char *name);
/* As gql_type_field, plus __typename on every composite type and __schema
 * and __type on the query type. */
gql_field *gql_schema_field(const gql_schema *s, const gql_type *t, const char *name);
const gql_input_value *gql_field_arg(const gql_field *f, const char *name);
const gql_input_value *gql_type_input_field(const gql_type *t, const char *name);
const gql_enum_value *gql_type_enum_value(const gql_type *t, const char *name);

/* Wrappers, created once per type in the schema arena. */
gql_type *gql_list_of(gql_schema *s, gql_type *t);
gql_type *gql_non_null_of(gql_schema *s, gql_type *t);
/* The type a written type reference names in s, or NULL when a name is unknown. */
gql_type *gql_schema_resolve_type_ref(gql_schema *s, const gql_type_ref *ref);

/* Type predicates and relations, as the spec defines them. */
gql_type *gql_named_type(const gql_type *t);    /* strips wrappers */
gql_type *gql_nullable_type(const gql_type *t); /* strips one NON_NULL */
bool gql_is_input_type(const gql_type *t);
bool gql_is_output_type(const gql_type *t);
bool gql_is_leaf_type(const gql_type *t);
bool gql_is_composite_type(const gql_type *t);
bool gql_is_abstract_type(const gql_type *t);
bool gql_type_equal(const gql_type *a, const gql_type *b);
/* Is maybe_sub a subtype of super (covariant: non-null, lists, interfaces, unions)? */
bool gql_type_is_subtype(const gql_schema *s, const gql_type *maybe_sub, const gql_type *super);
/* Is object type obj a possible type of abstract type abs? */
bool gql_is_possible_type(const gql_type *abs, const gql_type *obj);
/* Do composite types a and b share a possible object type? */
bool gql_types_overlap(const gql_type *a, const gql_type *b);
/* "[Int!]!" style name into the arena. */
const char *gql_type_str(arena *a, const gql_type *t);

/* ---- hooks (attach before serving; the schema is read-only afterwards) ---- */

/* "Type.field"; returns -1 when no such field exists. */
int gql_schema_set_resolver(gql_schema *s, const char *type_dot_field, gql_resolve_fn fn,
                            void *data);
int gql_schema_set_subscribe(gql_schema *s, const char *type_dot_field, gql_subscribe_fn fn,
                             void *data);
/* For an interface or union; -1 when the type is not one. */
int gql_schema_set_resolve_type(gql_schema *s, const char *type_name, gql_resolve_type_fn fn,
                                void *data);
/* For a custom scalar; -1 for an unknown name or a built-in scalar. */
int gql_schema_set_scalar(gql_schema *s, const char *type_name, const gql_scalar_hooks *hooks);
void gql_schema_set_default_resolver(gql_schema *s, gql_resolve_fn fn, void *data);
void gql_schema_set_default_resolve_type(gql_schema *s, gql_resolve_type_fn fn, void *data);

#endif
