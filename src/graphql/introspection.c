/* introspection.c — the introspection system (spec §4): the SDL of the
 * __Schema, __Type, __Field, __InputValue, __EnumValue, __Directive,
 * __TypeKind and __DirectiveLocation types (with graphql-js 16's
 * descriptions, which clients display), their resolvers, and the meta-fields
 * __schema, __type and __typename.
 *
 * Resolvers read the schema's own structures: a __Type is a gql_type (named
 * or wrapper), a __Field a gql_field, an __InputValue a gql_input_value, an
 * __EnumValue a gql_enum_value, a __Directive a gql_schema_directive and a
 * __Schema the gql_schema itself. The order of __schema.types and the text
 * of defaultValue follow graphql-js, so that introspection results compare
 * equal to its output. */
#include "graphql/introspection.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/inspect.h"
#include "graphql/printer.h"

/* One literal longer than C17's guaranteed 4095 bytes; GCC and Clang take it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
const char gql_introspection_sdl[] =
    "\"\"\"\n"
    "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available "
    "types and directives on the server, as well as the entry points for query, mutation, and "
    "subscription operations.\n"
    "\"\"\"\n"
    "type __Schema {\n"
    "  description: String\n"
    "  \"\"\"A list of all types supported by this server.\"\"\"\n"
    "  types: [__Type!]!\n"
    "  \"\"\"The type that query operations will be rooted at.\"\"\"\n"
    "  queryType: __Type!\n"
    "  \"\"\"\n"
    "  If this server supports mutation, the type that mutation operations will be rooted at.\n"
    "  \"\"\"\n"
    "  mutationType: __Type\n"
    "  \"\"\"\n"
    "  If this server support subscription, the type that subscription operations will be "
    "rooted at.\n"
    "  \"\"\"\n"
    "  subscriptionType: __Type\n"
    "  \"\"\"A list of all directives supported by this server.\"\"\"\n"
    "  directives(includeDeprecated: Boolean! = false): [__Directive!]!\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in "
    "GraphQL as represented by the `__TypeKind` enum.\n"
    "\n"
    "Depending on the kind of a type, certain fields describe information about that type. "
    "Scalar types provide no information beyond a name, description and optional "
    "`specifiedByURL`, while Enum types provide their values. Object and Interface types provide "
    "the fields they describe. Abstract types, Union and Interface, provide the Object types "
    "possible at runtime. List and NonNull types compose other types.\n"
    "\"\"\"\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  specifiedByURL: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields(includeDeprecated: Boolean = false): [__InputValue!]\n"
    "  ofType: __Type\n"
    "  isOneOf: Boolean\n"
    "}\n"
    "\n"
    "\"\"\"An enum describing what kind of type a given `__Type` is.\"\"\"\n"
    "enum __TypeKind {\n"
    "  \"\"\"Indicates this type is a scalar.\"\"\"\n"
    "  SCALAR\n"
    "  \"\"\"\n"
    "  Indicates this type is an object. `fields` and `interfaces` are valid fields.\n"
    "  \"\"\"\n"
    "  OBJECT\n"
    "  \"\"\"\n"
    "  Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are "
    "valid fields.\n"
    "  \"\"\"\n"
    "  INTERFACE\n"
    "  \"\"\"Indicates this type is a union. `possibleTypes` is a valid field.\"\"\"\n"
    "  UNION\n"
    "  \"\"\"Indicates this type is an enum. `enumValues` is a valid field.\"\"\"\n"
    "  ENUM\n"
    "  \"\"\"\n"
    "  Indicates this type is an input object. `inputFields` is a valid field.\n"
    "  \"\"\"\n"
    "  INPUT_OBJECT\n"
    "  \"\"\"Indicates this type is a list. `ofType` is a valid field.\"\"\"\n"
    "  LIST\n"
    "  \"\"\"Indicates this type is a non-null. `ofType` is a valid field.\"\"\"\n"
    "  NON_NULL\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Object and Interface types are described by a list of Fields, each of which has a name, "
    "potentially a list of arguments, and a return type.\n"
    "\"\"\"\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Arguments provided to Fields or Directives and the input fields of an InputObject are "
    "represented as Input Values which describe their type and optionally a default value.\n"
    "\"\"\"\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "  \"\"\"\n"
    "  A GraphQL-formatted string representing the default value for this input value.\n"
    "  \"\"\"\n"
    "  defaultValue: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "One possible value for a given Enum. Enum values are unique values, not a placeholder for a "
    "string or numeric value. However an Enum value is returned in a JSON response as a string.\n"
    "\"\"\"\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive provides a way to describe alternate runtime execution and type validation "
    "behavior in a GraphQL document.\n"
    "\n"
    "In some cases, you need to provide options to alter GraphQL's execution behavior in ways "
    "field arguments will not suffice, such as conditionally including or skipping a field. "
    "Directives provide this by describing additional information to the executor.\n"
    "\"\"\"\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isRepeatable: Boolean!\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation "
    "describes one such possible adjacencies.\n"
    "\"\"\"\n"
    "enum __DirectiveLocation {\n"
    "  \"\"\"Location adjacent to a query operation.\"\"\"\n"
    "  QUERY\n"
    "  \"\"\"Location adjacent to a mutation operation.\"\"\"\n"
    "  MUTATION\n"
    "  \"\"\"Location adjacent to a subscription operation.\"\"\"\n"
    "  SUBSCRIPTION\n"
    "  \"\"\"Location adjacent to a field.\"\"\"\n"
    "  FIELD\n"
    "  \"\"\"Location adjacent to a fragment definition.\"\"\"\n"
    "  FRAGMENT_DEFINITION\n"
    "  \"\"\"Location adjacent to a fragment spread.\"\"\"\n"
    "  FRAGMENT_SPREAD\n"
    "  \"\"\"Location adjacent to an inline fragment.\"\"\"\n"
    "  INLINE_FRAGMENT\n"
    "  \"\"\"Location adjacent to a variable definition.\"\"\"\n"
    "  VARIABLE_DEFINITION\n"
    "  \"\"\"Location adjacent to a schema definition.\"\"\"\n"
    "  SCHEMA\n"
    "  \"\"\"Location adjacent to a scalar definition.\"\"\"\n"
    "  SCALAR\n"
    "  \"\"\"Location adjacent to an object type definition.\"\"\"\n"
    "  OBJECT\n"
    "  \"\"\"Location adjacent to a field definition.\"\"\"\n"
    "  FIELD_DEFINITION\n"
    "  \"\"\"Location adjacent to an argument definition.\"\"\"\n"
    "  ARGUMENT_DEFINITION\n"
    "  \"\"\"Location adjacent to an interface definition.\"\"\"\n"
    "  INTERFACE\n"
    "  \"\"\"Location adjacent to a union definition.\"\"\"\n"
    "  UNION\n"
    "  \"\"\"Location adjacent to an enum definition.\"\"\"\n"
    "  ENUM\n"
    "  \"\"\"Location adjacent to an enum value definition.\"\"\"\n"
    "  ENUM_VALUE\n"
    "  \"\"\"Location adjacent to an input object type definition.\"\"\"\n"
    "  INPUT_OBJECT\n"
    "  \"\"\"Location adjacent to an input object field definition.\"\"\"\n"
    "  INPUT_FIELD_DEFINITION\n"
    "  \"\"\"Location adjacent to a directive definition.\"\"\"\n"
    "  DIRECTIVE_DEFINITION\n"
    "}\n";
#pragma GCC diagnostic pop

/* The introspection object types, looked up once at install time and handed
 * to every resolver as its data. */
typedef struct intro_types {
  const gql_type *schema;
  const gql_type *type;
  const gql_type *field;
  const gql_type *input_value;
  const gql_type *enum_value;
  const gql_type *directive;
} intro_types;

#define TYPES(data) ((const intro_types *)(data))

/* ---- helpers ---- */

/* The includeDeprecated argument: absent or null mean false. */
static bool include_deprecated(const gql_resolve_info *info) {
  const gql_value *v = gql_arg(info, "includeDeprecated");
  return v != NULL && v->kind == GQL_VALUE_BOOLEAN && v->boolean;
}

static gql_rv reason_rv(bool deprecated, const char *reason) {
  return deprecated ? gql_rv_string(reason) : gql_rv_null();
}

/* The list of n items (fields, enum values or input values: an array of
 * structs `stride` bytes apart, each with a bool at `deprecated_at`) as
 * objects of type t, leaving out deprecated ones unless includeDeprecated. */
static gql_rv shown_items(const gql_resolve_info *info, const void *items, size_t n, size_t stride,
                          size_t deprecated_at, const gql_type *t) {
  bool all = include_deprecated(info);
  const char *base = items;
  size_t shown = 0;
  for (size_t i = 0; i < n; i++)
    shown += all || !*(const bool *)(base + i * stride + deprecated_at);
  gql_rv r = gql_rv_list(info->arena, shown);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (all || !*(const bool *)(base + i * stride + deprecated_at))
      r.u.list.items[k++] = gql_rv_object(base + i * stride, t);
  return r;
}

#define SHOWN_ITEMS(info, arr, n, T, type)                                                         \
  shown_items((info), (arr), (n), sizeof(T), offsetof(T, deprecated), (type))

/* Arguments or input fields. */
static gql_rv input_values_rv(const gql_resolve_info *info, const intro_types *it,
                              const gql_input_value *vals, size_t n) {
  return SHOWN_ITEMS(info, vals, n, gql_input_value, it->input_value);
}

static gql_rv types_rv(const gql_resolve_info *info, const intro_types *it, gql_type *const *ts,
                       size_t n) {
  gql_rv r = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    r.u.list.items[i] = gql_rv_object(ts[i], it->type);
  return r;
}

static gql_rv type_rv(const intro_types *it, const gql_type *t) {
  return t ? gql_rv_object(t, it->type) : gql_rv_null();
}

/* ---- __schema.types in graphql-js's order ----
 *
 * graphql-js lists the types the SDL defines in definition order, each
 * followed by the built-in types it is the first to reference (depth
 * first), then the built-in types only directive arguments reference, then
 * __Schema and the introspection types it reaches. Unreferenced built-in
 * scalars are not listed. */

typedef struct type_order {
  const gql_type **items; /* the answer */
  size_t n;
  const gql_type **builtins; /* the built-in types listed so far (a few dozen) */
  size_t n_builtins;
} type_order;

static bool order_has(const type_order *o, const gql_type *t) {
  if (!t->builtin)
    return true; /* every user type is listed from the start */
  for (size_t i = 0; i < o->n_builtins; i++)
    if (o->builtins[i] == t)
      return true;
  return false;
}

static void order_collect(type_order *o, const gql_type *t);

static void order_collect_children(type_order *o, const gql_type *t) {
  switch (t->kind) {
  case GQL_KIND_UNION:
    for (size_t i = 0; i < t->n_possible; i++)
      order_collect(o, t->possible[i]);
    break;
  case GQL_KIND_OBJECT:
  case GQL_KIND_INTERFACE:
    for (size_t i = 0; i < t->n_interfaces; i++)
      order_collect(o, t->interfaces[i]);
    for (size_t i = 0; i < t->n_fields; i++) {
      order_collect(o, t->fields[i].type);
      for (size_t j = 0; j < t->fields[i].n_args; j++)
        order_collect(o, t->fields[i].args[j].type);
    }
    break;
  case GQL_KIND_INPUT_OBJECT:
    for (size_t i = 0; i < t->n_input_fields; i++)
      order_collect(o, t->input_fields[i].type);
    break;
  default:
    break;
  }
}

static void order_collect(type_order *o, const gql_type *t) {
  t = gql_named_type(t);
  if (order_has(o, t))
    return;
  o->items[o->n++] = t;
  o->builtins[o->n_builtins++] = t;
  order_collect_children(o, t);
}

static gql_rv schema_types(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_schema *s = parent;
  type_order o = {ARENA_ARRAY(info->arena, const gql_type *, s->n_types + 1), 0,
                  ARENA_ARRAY(info->arena, const gql_type *, s->n_types + 1), 0};
  for (size_t i = 0; i < s->n_types; i++) {
    if (s->types[i]->builtin)
      continue;
    o.items[o.n++] = s->types[i];
    order_collect_children(&o, s->types[i]);
  }
  for (size_t i = 0; i < s->n_directives; i++)
    for (size_t j = 0; j < s->directives[i].n_args; j++)
      order_collect(&o, s->directives[i].args[j].type);
  order_collect(&o, TYPES(data)->schema);
  gql_rv r = gql_rv_list(info->arena, o.n);
  for (size_t i = 0; i < o.n; i++)
    r.u.list.items[i] = gql_rv_object(o.items[i], TYPES(data)->type);
  return r;
}

/* ---- __Schema ---- */

static gql_rv schema_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_schema *)parent)->description);
}

static gql_rv schema_query_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  return type_rv(TYPES(data), ((const gql_schema *)parent)->query);
}

static gql_rv schema_mutation_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  return type_rv(TYPES(data), ((const gql_schema *)parent)->mutation);
}

static gql_rv schema_subscription_type(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)info;
  return type_rv(TYPES(data), ((const gql_schema *)parent)->subscription);
}

/* Directives cannot be deprecated in this engine, so includeDeprecated
 * changes nothing. */
static gql_rv schema_directives(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_schema *s = parent;
  gql_rv r = gql_rv_list(info->arena, s->n_directives);
  for (size_t i = 0; i < s->n_directives; i++)
    r.u.list.items[i] = gql_rv_object(&s->directives[i], TYPES(data)->directive);
  return r;
}

/* ---- __Type ---- */

static const char *const kind_names[] = {
    [GQL_KIND_SCALAR] = "SCALAR",       [GQL_KIND_OBJECT] = "OBJECT",
    [GQL_KIND_INTERFACE] = "INTERFACE", [GQL_KIND_UNION] = "UNION",
    [GQL_KIND_ENUM] = "ENUM",           [GQL_KIND_INPUT_OBJECT] = "INPUT_OBJECT",
    [GQL_KIND_LIST] = "LIST",           [GQL_KIND_NON_NULL] = "NON_NULL",
};

static gql_rv type_kind(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(kind_names[((const gql_type *)parent)->kind]);
}

static gql_rv type_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_type *)parent)->name);
}

static gql_rv type_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_type *)parent)->description);
}

static gql_rv type_specified_by_url(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  const gql_type *t = parent;
  return gql_rv_string(t->kind == GQL_KIND_SCALAR ? t->specified_by_url : NULL);
}

static gql_rv type_fields(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_type *t = parent;
  if (t->kind != GQL_KIND_OBJECT && t->kind != GQL_KIND_INTERFACE)
    return gql_rv_null();
  return SHOWN_ITEMS(info, t->fields, t->n_fields, gql_field, TYPES(data)->field);
}

static gql_rv type_interfaces(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_type *t = parent;
  if (t->kind != GQL_KIND_OBJECT && t->kind != GQL_KIND_INTERFACE)
    return gql_rv_null();
  return types_rv(info, TYPES(data), t->interfaces, t->n_interfaces);
}

static gql_rv type_possible_types(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_type *t = parent;
  if (t->kind != GQL_KIND_UNION && t->kind != GQL_KIND_INTERFACE)
    return gql_rv_null();
  return types_rv(info, TYPES(data), t->possible, t->n_possible);
}

static gql_rv type_enum_values(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_type *t = parent;
  if (t->kind != GQL_KIND_ENUM)
    return gql_rv_null();
  return SHOWN_ITEMS(info, t->values, t->n_values, gql_enum_value, TYPES(data)->enum_value);
}

static gql_rv type_input_fields(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_type *t = parent;
  if (t->kind != GQL_KIND_INPUT_OBJECT)
    return gql_rv_null();
  return input_values_rv(info, TYPES(data), t->input_fields, t->n_input_fields);
}

static gql_rv type_of_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  return type_rv(TYPES(data), ((const gql_type *)parent)->of);
}

static gql_rv type_is_one_of(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  const gql_type *t = parent;
  return t->kind == GQL_KIND_INPUT_OBJECT ? gql_rv_bool(t->one_of) : gql_rv_null();
}

/* ---- __Field ---- */

static gql_rv field_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_field *)parent)->name);
}

static gql_rv field_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_field *)parent)->description);
}

static gql_rv field_args(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_field *f = parent;
  return input_values_rv(info, TYPES(data), f->args, f->n_args);
}

static gql_rv field_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  return type_rv(TYPES(data), ((const gql_field *)parent)->type);
}

static gql_rv field_is_deprecated(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_bool(((const gql_field *)parent)->deprecated);
}

static gql_rv field_deprecation_reason(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)info, (void)data;
  const gql_field *f = parent;
  return reason_rv(f->deprecated, f->deprecation_reason);
}

/* ---- __InputValue ---- */

static gql_rv input_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_input_value *)parent)->name);
}

static gql_rv input_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_input_value *)parent)->description);
}

static gql_rv input_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info;
  return type_rv(TYPES(data), ((const gql_input_value *)parent)->type);
}

static gql_rv input_is_deprecated(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_bool(((const gql_input_value *)parent)->deprecated);
}

static gql_rv input_deprecation_reason(const gql_resolve_info *info, const void *parent,
                                       void *data) {
  (void)info, (void)data;
  const gql_input_value *v = parent;
  return reason_rv(v->deprecated, v->deprecation_reason);
}

/* ---- defaultValue ----
 *
 * graphql-js prints the *coerced* default value converted back to syntax
 * (astFromValue): input objects list their fields in definition order with
 * the defaults of omitted fields filled in, a single item given for a list
 * becomes a one-item list, Float values print like JavaScript numbers (1.0
 * as 1, 1e3 as 1000), ID strings that look like integers print as
 * integers, and strings never print as block strings (gql_print_value
 * would keep a literal's """). The value is rebuilt in that shape, then
 * printed. */

static bool is_integer_text(const char *s) {
  if (*s == '-')
    s++;
  if (*s == '0')
    return s[1] == '\0';
  if (*s < '1' || *s > '9')
    return false;
  while (*s >= '0' && *s <= '9')
    s++;
  return *s == '\0';
}

static gql_value *new_value(arena *a, gql_value_kind kind, const char *str) {
  gql_value *v = ARENA_NEW(a, gql_value);
  v->kind = kind;
  if (str) {
    v->str = arena_strdup(a, str);
    v->str_len = strlen(str);
  }
  return v;
}

/* A number as graphql-js would print it: INT when it looks like an integer. */
static gql_value *number_value(arena *a, double d) {
  char text[GQL_JS_NUMBER_SIZE];
  gql_js_number(d, text);
  gql_value *v = new_value(a, is_integer_text(text) ? GQL_VALUE_INT : GQL_VALUE_FLOAT, text);
  v->fval = d;
  return v;
}

static double value_number(const gql_value *v) {
  if (v->kind == GQL_VALUE_INT && !v->int_overflow)
    return (double)v->ival;
  if (v->kind == GQL_VALUE_INT || v->kind == GQL_VALUE_FLOAT)
    return v->fval != 0 || !v->str ? v->fval : strtod(v->str, NULL);
  return 0;
}

/* A custom scalar's value goes through graphql-js's untyped conversion:
 * numbers become JavaScript numbers, enum names strings. */
static gql_value *untyped_value(arena *a, const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_INT:
  case GQL_VALUE_FLOAT:
    return number_value(a, value_number(v));
  case GQL_VALUE_ENUM:
    return new_value(a, GQL_VALUE_STRING, v->str);
  case GQL_VALUE_LIST: {
    gql_value *l = new_value(a, GQL_VALUE_LIST, NULL);
    l->items = ARENA_ARRAY(a, gql_value *, v->n_items);
    for (size_t i = 0; i < v->n_items; i++)
      l->items[l->n_items++] = untyped_value(a, v->items[i]);
    return l;
  }
  case GQL_VALUE_OBJECT: {
    gql_value *o = new_value(a, GQL_VALUE_OBJECT, NULL);
    o->fields = ARENA_ARRAY(a, gql_object_field, v->n_fields);
    for (size_t i = 0; i < v->n_fields; i++) {
      o->fields[i] = v->fields[i];
      o->fields[i].value = untyped_value(a, v->fields[i].value);
    }
    o->n_fields = v->n_fields;
    return o;
  }
  case GQL_VALUE_STRING: {
    gql_value *s = new_value(a, GQL_VALUE_STRING, NULL);
    s->str = v->str;
    s->str_len = v->str_len; /* may contain NUL: keep the length */
    return s;
  }
  default:
    return (gql_value *)v;
  }
}

static gql_value *default_shape(arena *a, const gql_value *v, const gql_type *t);

static gql_value *input_object_shape(arena *a, const gql_value *v, const gql_type *t) {
  gql_value *o = new_value(a, GQL_VALUE_OBJECT, NULL);
  o->fields = ARENA_ARRAY(a, gql_object_field, t->n_input_fields);
  for (size_t i = 0; i < t->n_input_fields; i++) {
    const gql_input_value *def = &t->input_fields[i];
    const gql_value *given = NULL;
    for (size_t j = 0; j < v->n_fields; j++)
      if (strcmp(v->fields[j].name, def->name) == 0)
        given = v->fields[j].value;
    if (!given)
      given = def->default_value;
    if (!given)
      continue;
    gql_value *shaped = default_shape(a, given, def->type);
    if (shaped)
      o->fields[o->n_fields++] = (gql_object_field){.name = def->name, .value = shaped};
  }
  return o;
}

static gql_value *scalar_shape(arena *a, const gql_value *v, const gql_type *t) {
  if (!t->builtin)
    return untyped_value(a, v);
  if (strcmp(t->name, "Float") == 0 || strcmp(t->name, "Int") == 0)
    return number_value(a, value_number(v));
  if (strcmp(t->name, "ID") == 0) {
    const char *text = v->str ? v->str : "";
    gql_value *id = new_value(
        a, is_integer_text(text) && v->kind != GQL_VALUE_FLOAT ? GQL_VALUE_INT : GQL_VALUE_STRING,
        text);
    return id;
  }
  if (v->kind == GQL_VALUE_STRING && v->block) {
    gql_value *s = untyped_value(a, v);
    s->block = false;
    return s;
  }
  return (gql_value *)v;
}

/* The value graphql-js would print for default value v of type t, or NULL
 * when it prints none (a null for a non-null type). */
static gql_value *default_shape(arena *a, const gql_value *v, const gql_type *t) {
  if (t->kind == GQL_KIND_NON_NULL) {
    gql_value *inner = default_shape(a, v, t->of);
    return inner && inner->kind == GQL_VALUE_NULL ? NULL : inner;
  }
  if (v->kind == GQL_VALUE_NULL)
    return (gql_value *)v;
  switch (t->kind) {
  case GQL_KIND_LIST: {
    gql_value *l = new_value(a, GQL_VALUE_LIST, NULL);
    size_t n = v->kind == GQL_VALUE_LIST ? v->n_items : 1;
    l->items = ARENA_ARRAY(a, gql_value *, n);
    for (size_t i = 0; i < n; i++) {
      gql_value *item = default_shape(a, v->kind == GQL_VALUE_LIST ? v->items[i] : v, t->of);
      if (item)
        l->items[l->n_items++] = item;
    }
    return l;
  }
  case GQL_KIND_INPUT_OBJECT:
    return v->kind == GQL_VALUE_OBJECT ? input_object_shape(a, v, t) : NULL;
  case GQL_KIND_ENUM:
    return new_value(a, GQL_VALUE_ENUM, v->str);
  case GQL_KIND_SCALAR:
    return scalar_shape(a, v, t);
  default:
    return (gql_value *)v;
  }
}

static gql_rv input_default_value(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const gql_input_value *iv = parent;
  if (!iv->default_value)
    return gql_rv_null();
  gql_value *shaped = default_shape(info->arena, iv->default_value, iv->type);
  if (!shaped)
    return gql_rv_null();
  buf b;
  buf_init(&b, info->arena);
  gql_print_value(&b, shaped);
  return gql_rv_string(buf_cstr(&b));
}

/* ---- __EnumValue ---- */

static gql_rv enum_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_enum_value *)parent)->name);
}

static gql_rv enum_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_enum_value *)parent)->description);
}

static gql_rv enum_is_deprecated(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_bool(((const gql_enum_value *)parent)->deprecated);
}

static gql_rv enum_deprecation_reason(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  const gql_enum_value *v = parent;
  return reason_rv(v->deprecated, v->deprecation_reason);
}

/* ---- __Directive ---- */

static gql_rv directive_name(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_schema_directive *)parent)->name);
}

static gql_rv directive_description(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const gql_schema_directive *)parent)->description);
}

static gql_rv directive_is_repeatable(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)data;
  return gql_rv_bool(((const gql_schema_directive *)parent)->repeatable);
}

/* The locations as the directive declares them (graphql-js keeps that
 * order, and repeats). */
static gql_rv directive_locations(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const gql_schema_directive *d = parent;
  gql_rv r = gql_rv_list(info->arena, d->n_locations);
  for (size_t i = 0; i < d->n_locations; i++)
    r.u.list.items[i] = gql_rv_string(gql_directive_location_names[d->location_order[i]]);
  return r;
}

static gql_rv directive_args(const gql_resolve_info *info, const void *parent, void *data) {
  const gql_schema_directive *d = parent;
  return input_values_rv(info, TYPES(data), d->args, d->n_args);
}

static gql_rv directive_is_deprecated(const gql_resolve_info *info, const void *parent,
                                      void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_bool(false);
}

static gql_rv directive_deprecation_reason(const gql_resolve_info *info, const void *parent,
                                           void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_null();
}

/* ---- meta-fields ---- */

static gql_rv meta_schema(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  return gql_rv_object(info->schema, TYPES(data)->schema);
}

static gql_rv meta_type(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  const gql_value *name = gql_arg(info, "name");
  if (!name || name->kind != GQL_VALUE_STRING)
    return gql_rv_null();
  return type_rv(TYPES(data), gql_schema_type(info->schema, name->str));
}

static gql_rv meta_typename(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  return gql_rv_string(info->parent_type ? info->parent_type->name : NULL);
}

/* ---- installation ---- */

typedef struct resolver_entry {
  const char *type;
  const char *field;
  gql_resolve_fn fn;
} resolver_entry;

static const resolver_entry resolvers[] = {
    {"__Schema", "description", schema_description},
    {"__Schema", "types", schema_types},
    {"__Schema", "queryType", schema_query_type},
    {"__Schema", "mutationType", schema_mutation_type},
    {"__Schema", "subscriptionType", schema_subscription_type},
    {"__Schema", "directives", schema_directives},
    {"__Type", "kind", type_kind},
    {"__Type", "name", type_name},
    {"__Type", "description", type_description},
    {"__Type", "specifiedByURL", type_specified_by_url},
    {"__Type", "fields", type_fields},
    {"__Type", "interfaces", type_interfaces},
    {"__Type", "possibleTypes", type_possible_types},
    {"__Type", "enumValues", type_enum_values},
    {"__Type", "inputFields", type_input_fields},
    {"__Type", "ofType", type_of_type},
    {"__Type", "isOneOf", type_is_one_of},
    {"__Field", "name", field_name},
    {"__Field", "description", field_description},
    {"__Field", "args", field_args},
    {"__Field", "type", field_type},
    {"__Field", "isDeprecated", field_is_deprecated},
    {"__Field", "deprecationReason", field_deprecation_reason},
    {"__InputValue", "name", input_name},
    {"__InputValue", "description", input_description},
    {"__InputValue", "type", input_type},
    {"__InputValue", "defaultValue", input_default_value},
    {"__InputValue", "isDeprecated", input_is_deprecated},
    {"__InputValue", "deprecationReason", input_deprecation_reason},
    {"__EnumValue", "name", enum_name},
    {"__EnumValue", "description", enum_description},
    {"__EnumValue", "isDeprecated", enum_is_deprecated},
    {"__EnumValue", "deprecationReason", enum_deprecation_reason},
    {"__Directive", "name", directive_name},
    {"__Directive", "description", directive_description},
    {"__Directive", "isRepeatable", directive_is_repeatable},
    {"__Directive", "locations", directive_locations},
    {"__Directive", "args", directive_args},
    {"__Directive", "isDeprecated", directive_is_deprecated},
    {"__Directive", "deprecationReason", directive_deprecation_reason},
};

static gql_field *new_meta_field(gql_schema *s, const char *name, const char *description,
                                 gql_type *type, gql_type *owner, gql_resolve_fn fn,
                                 intro_types *it) {
  gql_field *f = ARENA_NEW(s->arena, gql_field);
  f->name = name;
  f->description = description;
  f->type = type;
  f->owner = owner;
  f->resolve = fn;
  f->resolve_data = it;
  return f;
}

void gql_introspection_install(gql_schema *s) {
  intro_types *it = ARENA_NEW(s->arena, intro_types);
  it->schema = gql_schema_type(s, "__Schema");
  it->type = gql_schema_type(s, "__Type");
  it->field = gql_schema_type(s, "__Field");
  it->input_value = gql_schema_type(s, "__InputValue");
  it->enum_value = gql_schema_type(s, "__EnumValue");
  it->directive = gql_schema_type(s, "__Directive");

  for (size_t i = 0; i < sizeof resolvers / sizeof resolvers[0]; i++) {
    gql_type *t = gql_schema_type(s, resolvers[i].type);
    gql_field *f = t ? gql_type_field(t, resolvers[i].field) : NULL;
    if (f) {
      f->resolve = resolvers[i].fn;
      f->resolve_data = it;
    }
  }

  gql_type *string = gql_schema_type(s, "String");
  s->meta_schema =
      new_meta_field(s, "__schema", "Access the current type schema of this server.",
                     gql_non_null_of(s, gql_schema_type(s, "__Schema")), s->query, meta_schema, it);
  s->meta_type = new_meta_field(s, "__type", "Request the type information of a single type.",
                                gql_schema_type(s, "__Type"), s->query, meta_type, it);
  gql_input_value *name_arg = ARENA_NEW(s->arena, gql_input_value);
  name_arg->name = "name";
  name_arg->type = gql_non_null_of(s, string);
  s->meta_type->args = name_arg;
  s->meta_type->n_args = 1;
  s->meta_typename =
      new_meta_field(s, "__typename", "The name of the current Object type at runtime.",
                     gql_non_null_of(s, string), NULL, meta_typename, it);
}
