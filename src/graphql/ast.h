/* ast.h — the syntax tree of GraphQL documents.
 *
 * One tree type serves executable documents (operations, fragments) and the
 * type-system language (SDL). Every node lives in the arena of the parse, so a
 * tree is freed with its arena. Sequences are arrays with a count; absent
 * optional parts are NULL (or a count of 0). Names and string values are
 * NUL-terminated copies. Locations are 1-based line and column, counted in
 * Unicode code points as graphql-js does.
 *
 * gql_value doubles as the representation of coerced input values (the
 * arguments and variables handed to resolvers): those trees contain no
 * GQL_VALUE_VARIABLE and their numbers are parsed (ival / fval). */
#ifndef DAGD_GRAPHQL_AST_H
#define DAGD_GRAPHQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gql_loc {
  uint32_t line;   /* 1-based; 0 when unknown */
  uint32_t column; /* 1-based */
} gql_loc;

/* ---- values ---- */

typedef enum gql_value_kind {
  GQL_VALUE_VARIABLE,
  GQL_VALUE_INT,
  GQL_VALUE_FLOAT,
  GQL_VALUE_STRING,
  GQL_VALUE_BOOLEAN,
  GQL_VALUE_NULL,
  GQL_VALUE_ENUM,
  GQL_VALUE_LIST,
  GQL_VALUE_OBJECT,
} gql_value_kind;

typedef struct gql_value gql_value;

typedef struct gql_object_field {
  const char *name;
  gql_loc loc;
  gql_value *value;
} gql_object_field;

struct gql_value {
  gql_value_kind kind;
  gql_loc loc;
  /* VARIABLE: the name without '$'. INT, FLOAT: the literal text. STRING: the
   * decoded string (block strings already dedented). ENUM: the name. */
  const char *str;
  size_t str_len;    /* STRING: byte length (the string may contain NUL) */
  bool block;        /* STRING: written as a block string """...""" */
  bool boolean;      /* BOOLEAN */
  int64_t ival;      /* INT: the parsed value, when int_overflow is false */
  bool int_overflow; /* INT: the literal does not fit in int64 */
  double fval;       /* FLOAT and INT: the value as a double */
  gql_value **items; /* LIST */
  size_t n_items;
  gql_object_field *fields; /* OBJECT, in source order */
  size_t n_fields;
};

/* ---- types as written: Name, [T], T! ---- */

typedef enum gql_type_ref_kind {
  GQL_TYPE_REF_NAMED,
  GQL_TYPE_REF_LIST,
  GQL_TYPE_REF_NON_NULL,
} gql_type_ref_kind;

typedef struct gql_type_ref {
  gql_type_ref_kind kind;
  gql_loc loc;
  const char *name;        /* NAMED */
  struct gql_type_ref *of; /* LIST, NON_NULL */
} gql_type_ref;

/* ---- directives and arguments ---- */

typedef struct gql_argument {
  const char *name;
  gql_loc loc;
  gql_loc name_loc;
  gql_value *value;
} gql_argument;

typedef struct gql_directive {
  const char *name;
  gql_loc loc; /* of the '@' */
  gql_argument *args;
  size_t n_args;
} gql_directive;

/* ---- selections ---- */

typedef enum gql_selection_kind {
  GQL_SELECTION_FIELD,
  GQL_SELECTION_FRAGMENT_SPREAD,
  GQL_SELECTION_INLINE_FRAGMENT,
} gql_selection_kind;

typedef struct gql_selection_set gql_selection_set;

typedef struct gql_selection {
  gql_selection_kind kind;
  gql_loc loc; /* FIELD: of the alias or name; fragments: of the "..." */
  /* FIELD */
  const char *alias; /* NULL when none */
  const char *name;  /* FIELD: the field name; FRAGMENT_SPREAD: the fragment name */
  gql_argument *args;
  size_t n_args;
  /* INLINE_FRAGMENT: the type condition, NULL when none */
  const char *type_condition;
  gql_loc type_condition_loc;
  gql_directive *directives;
  size_t n_directives;
  gql_selection_set *selection_set; /* FIELD (NULL for a leaf), INLINE_FRAGMENT */
  /* FRAGMENT_SPREAD: of the fragment name (graphql-js locates "Unknown
   * fragment" there); 0 when the parser did not record it. */
  gql_loc name_loc;
  /* Free for the executor/validator to cache per-node facts (e.g. the
   * response key); the parser leaves it NULL. */
  void *cache;
} gql_selection;

struct gql_selection_set {
  gql_loc loc; /* of the '{' */
  gql_selection *items;
  size_t n_items;
};

/* ---- executable definitions ---- */

typedef enum gql_operation_type {
  GQL_OP_QUERY,
  GQL_OP_MUTATION,
  GQL_OP_SUBSCRIPTION,
} gql_operation_type;

typedef struct gql_variable_definition {
  const char *name; /* without '$' */
  gql_loc loc;      /* of the '$' */
  gql_loc name_loc; /* of the name after '$'; 0 when the parser did not record it */
  gql_type_ref *type;
  gql_value *default_value; /* NULL when none */
  gql_directive *directives;
  size_t n_directives;
} gql_variable_definition;

typedef struct gql_operation {
  gql_operation_type type;
  const char *name; /* NULL for an anonymous operation */
  gql_loc name_loc;
  gql_variable_definition *vars;
  size_t n_vars;
  gql_directive *directives;
  size_t n_directives;
  gql_selection_set *selection_set;
} gql_operation;

typedef struct gql_fragment {
  const char *name;
  gql_loc name_loc;
  const char *type_condition;
  gql_loc type_condition_loc;
  gql_directive *directives;
  size_t n_directives;
  gql_selection_set *selection_set;
} gql_fragment;

/* ---- type-system definitions (SDL) ---- */

typedef struct gql_input_value_def { /* an argument or an input field */
  const char *description;           /* NULL when none */
  const char *name;
  gql_loc loc;
  gql_type_ref *type;
  gql_value *default_value; /* NULL when none */
  gql_directive *directives;
  size_t n_directives;
} gql_input_value_def;

typedef struct gql_field_def {
  const char *description;
  const char *name;
  gql_loc loc;
  gql_input_value_def *args;
  size_t n_args;
  gql_type_ref *type;
  gql_directive *directives;
  size_t n_directives;
} gql_field_def;

typedef struct gql_enum_value_def {
  const char *description;
  const char *name;
  gql_loc loc;
  gql_directive *directives;
  size_t n_directives;
} gql_enum_value_def;

typedef struct gql_name_ref {
  const char *name;
  gql_loc loc;
} gql_name_ref;

typedef enum gql_typedef_kind {
  GQL_TYPEDEF_SCALAR,
  GQL_TYPEDEF_OBJECT,
  GQL_TYPEDEF_INTERFACE,
  GQL_TYPEDEF_UNION,
  GQL_TYPEDEF_ENUM,
  GQL_TYPEDEF_INPUT_OBJECT,
} gql_typedef_kind;

/* A type definition or, when `extension` is set, a type extension. */
typedef struct gql_typedef {
  gql_typedef_kind kind;
  bool extension;
  const char *description;
  const char *name;
  gql_loc name_loc;
  gql_directive *directives;
  size_t n_directives;
  gql_name_ref *interfaces; /* OBJECT, INTERFACE: implements A & B */
  size_t n_interfaces;
  gql_field_def *fields; /* OBJECT, INTERFACE */
  size_t n_fields;
  gql_name_ref *members; /* UNION */
  size_t n_members;
  gql_enum_value_def *values; /* ENUM */
  size_t n_values;
  gql_input_value_def *input_fields; /* INPUT_OBJECT */
  size_t n_input_fields;
} gql_typedef;

typedef struct gql_operation_type_def {
  gql_operation_type operation;
  const char *type_name;
  gql_loc loc;
} gql_operation_type_def;

/* `schema { ... }` or, when `extension` is set, `extend schema ...`. */
typedef struct gql_schema_def {
  bool extension;
  const char *description;
  gql_directive *directives;
  size_t n_directives;
  gql_operation_type_def *operation_types;
  size_t n_operation_types;
} gql_schema_def;

typedef struct gql_directive_def {
  const char *description;
  const char *name;
  gql_loc name_loc;
  gql_input_value_def *args;
  size_t n_args;
  bool repeatable;
  gql_name_ref *locations; /* QUERY, FIELD_DEFINITION, ... as written */
  size_t n_locations;
} gql_directive_def;

/* ---- documents ---- */

typedef enum gql_definition_kind {
  GQL_DEF_OPERATION,
  GQL_DEF_FRAGMENT,
  GQL_DEF_SCHEMA,    /* schema definition or extension */
  GQL_DEF_TYPE,      /* type definition or extension */
  GQL_DEF_DIRECTIVE, /* directive definition */
} gql_definition_kind;

typedef struct gql_definition {
  gql_definition_kind kind;
  gql_loc loc; /* of the definition's first token */
  union {
    gql_operation operation;
    gql_fragment fragment;
    gql_schema_def schema;
    gql_typedef type;
    gql_directive_def directive;
  } u;
} gql_definition;

typedef struct gql_document {
  gql_definition *defs;
  size_t n_defs;
} gql_document;

#endif
