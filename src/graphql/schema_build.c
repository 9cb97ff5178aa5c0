/* schema_build.c — builds a gql_schema from SDL, as graphql-js's
 * buildSchema does.
 *
 * The SDL is parsed into the schema's own arena (names, descriptions and
 * default values stay pointers into that tree) and checked with
 * buildASTSchema's SDL rules; then the introspection types (introspection.h)
 * and the built-in directives are parsed the same way, every type is created
 * in definition order, extensions are merged into their types, type
 * references are resolved, @deprecated, @specifiedBy and @oneOf are applied,
 * the root types and the possible types of abstract types are filled in, and
 * the type-system rules run (schema_check.c). The specified scalars appear
 * in the schema only when something references them, as in graphql-js. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/introspection.h"
#include "graphql/parser.h"
#include "graphql/printer.h"
#include "graphql/schema.h"
#include "graphql/schema_internal.h"

/* The specified directives with graphql-js 16.15's descriptions and
 * locations, in its order (@deprecated also applies to directive
 * definitions there, as DIRECTIVE_DEFINITION, listed last). */
static const char builtin_directives_sdl[] =
    "\"Directs the executor to include this field or fragment only when the `if` argument is "
    "true.\"\n"
    "directive @include(\"Included when true.\" if: Boolean!) "
    "on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\"Directs the executor to skip this field or fragment when the `if` argument is true.\"\n"
    "directive @skip(\"Skipped when true.\" if: Boolean!) "
    "on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\"Marks an element of a GraphQL schema as no longer supported.\"\n"
    "directive @deprecated(\"Explains why this element was deprecated, usually also including a "
    "suggestion for how to access supported similar data. Formatted using the Markdown syntax, "
    "as specified by [CommonMark](https://commonmark.org/).\" "
    "reason: String = \"No longer supported\") "
    "on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE | "
    "DIRECTIVE_DEFINITION\n"
    "\"Exposes a URL that specifies the behavior of this scalar.\"\n"
    "directive @specifiedBy(\"The URL that specifies the behavior of this scalar.\" url: String!) "
    "on SCALAR\n"
    "\"Indicates exactly one field must be supplied and this field must not be `null`.\"\n"
    "directive @oneOf on INPUT_OBJECT\n";

static const struct {
  const char *name;
  const char *description;
  const gql_scalar_hooks *hooks;
} std_scalars[] = {
    {"String",
     "The `String` scalar type represents textual data, represented as UTF-8 character "
     "sequences. The String type is most often used by GraphQL to represent free-form "
     "human-readable text.",
     &gql_string_scalar_hooks},
    {"Int",
     "The `Int` scalar type represents non-fractional signed whole numeric values. Int can "
     "represent values between -(2^31) and 2^31 - 1.",
     &gql_int_scalar_hooks},
    {"Float",
     "The `Float` scalar type represents signed double-precision fractional values as "
     "specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point).",
     &gql_float_scalar_hooks},
    {"Boolean", "The `Boolean` scalar type represents `true` or `false`.",
     &gql_boolean_scalar_hooks},
    {"ID",
     "The `ID` scalar type represents a unique identifier, often used to refetch an object or "
     "as key for a cache. The ID type appears in a JSON response as a String; however, it is "
     "not intended to be human-readable. When expected as an input type, any string (such as "
     "`\"4\"`) or integer (such as `4`) input value will be accepted as an ID.",
     &gql_id_scalar_hooks},
};
#define N_STD_SCALARS (sizeof std_scalars / sizeof std_scalars[0])

/* A type being built and the syntax it comes from. */
typedef struct btype {
  gql_type *t;
  const gql_typedef **defs; /* definition, then extensions in document order */
  size_t n_defs, cap_defs;
} btype;

typedef struct builder {
  gql_schema *s;
  arena *a;
  gql_errors *errs;
  size_t n_errors;
  strmap by_name; /* name → btype * (every type, built-in or not) */
  btype *types;   /* introspection types first, then the user's */
  size_t n_types, cap_types;
  size_t first_user; /* index in types of the first user type */
  btype std[N_STD_SCALARS];
} builder;

/* Grows an arena array; the new slots are not zeroed. */
static void *grow(arena *a, void *old, size_t elem, size_t old_n, size_t new_n) {
  return arena_realloc(a, old, elem * old_n, elem * new_n);
}

static void berror(builder *b, gql_loc loc, const char *msg) {
  gql_errors_add(b->errs, loc, "%s", msg);
  b->n_errors++;
}

static gql_kind kind_of_def(gql_typedef_kind k) {
  switch (k) {
  case GQL_TYPEDEF_SCALAR:
    return GQL_KIND_SCALAR;
  case GQL_TYPEDEF_OBJECT:
    return GQL_KIND_OBJECT;
  case GQL_TYPEDEF_INTERFACE:
    return GQL_KIND_INTERFACE;
  case GQL_TYPEDEF_UNION:
    return GQL_KIND_UNION;
  case GQL_TYPEDEF_ENUM:
    return GQL_KIND_ENUM;
  case GQL_TYPEDEF_INPUT_OBJECT:
    return GQL_KIND_INPUT_OBJECT;
  }
  return GQL_KIND_SCALAR;
}

/* ---- creating types ---- */

static void add_def(builder *b, btype *bt, const gql_typedef *def) {
  if (bt->n_defs == bt->cap_defs) {
    size_t cap = bt->cap_defs ? bt->cap_defs * 2 : 2;
    bt->defs = grow(b->a, bt->defs, sizeof *bt->defs, bt->cap_defs, cap);
    bt->cap_defs = cap;
  }
  bt->defs[bt->n_defs++] = def;
}

/* Creates the types a document defines; the names taken already (the
 * specified scalars and the introspection types) keep their built-in type,
 * as graphql-js's standard type map does. */
static void create_types(builder *b, const gql_document *doc, bool builtin) {
  for (size_t i = 0; i < doc->n_defs; i++) {
    const gql_definition *d = &doc->defs[i];
    if (d->kind != GQL_DEF_TYPE || d->u.type.extension)
      continue;
    const gql_typedef *td = &d->u.type;
    if (strmap_get(&b->by_name, td->name))
      continue;
    if (b->n_types == b->cap_types) {
      size_t cap = b->cap_types ? b->cap_types * 2 : 64;
      b->types = grow(b->a, b->types, sizeof *b->types, b->cap_types, cap);
      b->cap_types = cap;
    }
    btype *bt = &b->types[b->n_types++];
    *bt = (btype){.t = ARENA_NEW(b->a, gql_type)};
    bt->t->kind = kind_of_def(td->kind);
    bt->t->name = td->name;
    bt->t->description = td->description;
    bt->t->builtin = builtin;
    if (bt->t->kind == GQL_KIND_SCALAR)
      bt->t->scalar = &gql_custom_scalar_hooks;
  }
  /* The array may have moved: index the map only now. */
  for (size_t i = 0; i < b->n_types; i++)
    strmap_put(&b->by_name, b->a, b->types[i].t->name, &b->types[i]);
}

static void attach_defs(builder *b, const gql_document *doc, bool builtin) {
  for (size_t i = 0; i < doc->n_defs; i++) {
    const gql_definition *d = &doc->defs[i];
    if (d->kind != GQL_DEF_TYPE)
      continue;
    btype *bt = strmap_get(&b->by_name, d->u.type.name);
    /* A user's definition of a built-in name never replaces the built-in. */
    if (!bt || bt->t->builtin != builtin)
      continue;
    add_def(b, bt, &d->u.type);
  }
}

static gql_type *named(builder *b, const char *name) {
  btype *bt = strmap_get(&b->by_name, name);
  return bt ? bt->t : NULL;
}

static gql_type *resolve_ref(builder *b, const gql_type_ref *ref) {
  switch (ref->kind) {
  case GQL_TYPE_REF_NAMED:
    return named(b, ref->name);
  case GQL_TYPE_REF_LIST: {
    gql_type *of = resolve_ref(b, ref->of);
    return of ? gql_list_of(b->s, of) : NULL;
  }
  case GQL_TYPE_REF_NON_NULL: {
    gql_type *of = resolve_ref(b, ref->of);
    return of ? gql_non_null_of(b->s, of) : NULL;
  }
  }
  return NULL;
}

/* ---- directives applied in the SDL ---- */

static const gql_directive *find_directive(const gql_directive *ds, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(ds[i].name, name) == 0)
      return &ds[i];
  return NULL;
}

static const gql_argument *find_argument(const gql_directive *d, const char *name) {
  for (size_t i = 0; i < d->n_args; i++)
    if (strcmp(d->args[i].name, name) == 0)
      return &d->args[i];
  return NULL;
}

/* A String argument of a directive, coerced as getDirectiveValues does.
 * Returns false after an error; *out is NULL for null or when absent and
 * without default. */
static bool string_argument(builder *b, const gql_directive *d, const char *name, bool non_null,
                            const char *dflt, const char **out) {
  const gql_argument *arg = find_argument(d, name);
  *out = dflt;
  if (!arg)
    return true; /* a missing required argument is an SDL error already */
  const gql_value *v = arg->value;
  if (v->kind == GQL_VALUE_STRING) {
    *out = v->str;
    return true;
  }
  if (v->kind == GQL_VALUE_NULL && !non_null) {
    *out = NULL;
    return true;
  }
  buf text;
  buf_init(&text, b->a);
  if (v->kind == GQL_VALUE_NULL) {
    buf_printf(&text, "Argument \"%s\" of non-null type \"String!\" must not be null.", name);
  } else {
    buf_printf(&text, "Argument \"%s\" has invalid value ", name);
    gql_print_value(&text, v);
    buf_putc(&text, '.');
  }
  const char *msg = buf_cstr(&text);
  berror(b, v->loc, msg);
  return false;
}

static void apply_deprecated(builder *b, const gql_directive *ds, size_t n, bool *deprecated,
                             const char **reason) {
  const gql_directive *d = find_directive(ds, n, "deprecated");
  if (!d)
    return;
  const char *r;
  if (string_argument(b, d, "reason", false, "No longer supported", &r) && r) {
    *deprecated = true;
    *reason = r;
  }
}

/* ---- filling types from their syntax ---- */

static void fill_input_values(builder *b, const gql_input_value_def *defs, size_t n,
                              gql_input_value *out) {
  for (size_t i = 0; i < n; i++) {
    const gql_input_value_def *d = &defs[i];
    gql_input_value *v = &out[i];
    v->name = d->name;
    v->description = d->description;
    v->type = resolve_ref(b, d->type);
    v->default_value = d->default_value;
    v->loc = d->loc;
    apply_deprecated(b, d->directives, d->n_directives, &v->deprecated, &v->deprecation_reason);
  }
}

static void fill_fields(builder *b, btype *bt) {
  gql_type *t = bt->t;
  size_t n = 0, n_ifaces = 0;
  for (size_t i = 0; i < bt->n_defs; i++) {
    n += bt->defs[i]->n_fields;
    n_ifaces += bt->defs[i]->n_interfaces;
  }
  t->fields = ARENA_ARRAY(b->a, gql_field, n ? n : 1);
  t->interfaces = ARENA_ARRAY(b->a, gql_type *, n_ifaces ? n_ifaces : 1);
  for (size_t i = 0; i < bt->n_defs; i++) {
    const gql_typedef *td = bt->defs[i];
    for (size_t j = 0; j < td->n_interfaces; j++) {
      gql_type *iface = named(b, td->interfaces[j].name);
      if (iface)
        t->interfaces[t->n_interfaces++] = iface;
    }
    for (size_t j = 0; j < td->n_fields; j++) {
      const gql_field_def *fd = &td->fields[j];
      gql_field *f = &t->fields[t->n_fields++];
      f->name = fd->name;
      f->description = fd->description;
      f->type = resolve_ref(b, fd->type);
      f->owner = t;
      f->loc = fd->loc;
      f->n_args = fd->n_args;
      f->args = ARENA_ARRAY(b->a, gql_input_value, fd->n_args ? fd->n_args : 1);
      fill_input_values(b, fd->args, fd->n_args, f->args);
      apply_deprecated(b, fd->directives, fd->n_directives, &f->deprecated, &f->deprecation_reason);
    }
  }
}

static void fill_union(builder *b, btype *bt) {
  gql_type *t = bt->t;
  size_t n = 0;
  for (size_t i = 0; i < bt->n_defs; i++)
    n += bt->defs[i]->n_members;
  t->possible = ARENA_ARRAY(b->a, gql_type *, n ? n : 1);
  for (size_t i = 0; i < bt->n_defs; i++)
    for (size_t j = 0; j < bt->defs[i]->n_members; j++) {
      gql_type *m = named(b, bt->defs[i]->members[j].name);
      if (m)
        t->possible[t->n_possible++] = m;
    }
}

static void fill_enum(builder *b, btype *bt) {
  gql_type *t = bt->t;
  size_t n = 0;
  for (size_t i = 0; i < bt->n_defs; i++)
    n += bt->defs[i]->n_values;
  t->values = ARENA_ARRAY(b->a, gql_enum_value, n ? n : 1);
  for (size_t i = 0; i < bt->n_defs; i++)
    for (size_t j = 0; j < bt->defs[i]->n_values; j++) {
      const gql_enum_value_def *vd = &bt->defs[i]->values[j];
      gql_enum_value *v = &t->values[t->n_values++];
      v->name = vd->name;
      v->description = vd->description;
      apply_deprecated(b, vd->directives, vd->n_directives, &v->deprecated, &v->deprecation_reason);
    }
}

static void fill_input_object(builder *b, btype *bt) {
  gql_type *t = bt->t;
  size_t n = 0;
  for (size_t i = 0; i < bt->n_defs; i++)
    n += bt->defs[i]->n_input_fields;
  t->input_fields = ARENA_ARRAY(b->a, gql_input_value, n ? n : 1);
  for (size_t i = 0; i < bt->n_defs; i++) {
    const gql_typedef *td = bt->defs[i];
    fill_input_values(b, td->input_fields, td->n_input_fields, t->input_fields + t->n_input_fields);
    t->n_input_fields += td->n_input_fields;
    if (find_directive(td->directives, td->n_directives, "oneOf"))
      t->one_of = true;
  }
}

static void fill_scalar(builder *b, btype *bt) {
  for (size_t i = 0; i < bt->n_defs; i++) {
    const gql_typedef *td = bt->defs[i];
    const gql_directive *d = find_directive(td->directives, td->n_directives, "specifiedBy");
    const char *url;
    if (d && string_argument(b, d, "url", true, NULL, &url) && url)
      bt->t->specified_by_url = url;
  }
}

static void fill_type(builder *b, btype *bt) {
  switch (bt->t->kind) {
  case GQL_KIND_OBJECT:
  case GQL_KIND_INTERFACE:
    fill_fields(b, bt);
    break;
  case GQL_KIND_UNION:
    fill_union(b, bt);
    break;
  case GQL_KIND_ENUM:
    fill_enum(b, bt);
    break;
  case GQL_KIND_INPUT_OBJECT:
    fill_input_object(b, bt);
    break;
  case GQL_KIND_SCALAR:
    fill_scalar(b, bt);
    break;
  default:
    break;
  }
}

/* ---- directives ---- */

static void fill_directive(builder *b, const gql_directive_def *dd, bool builtin,
                           gql_schema_directive *out) {
  out->name = dd->name;
  out->description = dd->description;
  out->repeatable = dd->repeatable;
  out->builtin = builtin;
  out->n_args = dd->n_args;
  out->args = ARENA_ARRAY(b->a, gql_input_value, dd->n_args ? dd->n_args : 1);
  fill_input_values(b, dd->args, dd->n_args, out->args);
  uint8_t *order = ARENA_ARRAY(b->a, uint8_t, dd->n_locations ? dd->n_locations : 1);
  out->location_order = order;
  for (size_t i = 0; i < dd->n_locations; i++) {
    unsigned k = gql_directive_location_index(dd->locations[i].name);
    if (k == GQL_DL_COUNT)
      continue;
    order[out->n_locations++] = (uint8_t)k;
    out->locations |= 1u << k;
  }
}

/* The user's directives in definition order, then the specified ones the
 * user did not redefine, as graphql-js's buildASTSchema orders them. */
static const gql_directive_def **build_directives(builder *b, const gql_document *user,
                                                  const gql_document *builtins) {
  size_t n = 0, cap = 8;
  for (size_t i = 0; i < user->n_defs; i++)
    if (user->defs[i].kind == GQL_DEF_DIRECTIVE)
      cap++;
  gql_schema_directive *ds = ARENA_ARRAY(b->a, gql_schema_directive, cap);
  const gql_directive_def **nodes = ARENA_ARRAY(b->a, const gql_directive_def *, cap);
  strmap *map = &((gql_schema_priv *)b->s->lookup)->directives;
  strmap_reserve(map, b->a, cap);
  for (size_t i = 0; i < user->n_defs; i++) {
    if (user->defs[i].kind != GQL_DEF_DIRECTIVE)
      continue;
    nodes[n] = &user->defs[i].u.directive;
    fill_directive(b, nodes[n], false, &ds[n]);
    n++;
  }
  for (size_t i = 0; i < builtins->n_defs; i++) {
    const gql_directive_def *dd = &builtins->defs[i].u.directive;
    bool redefined = false;
    for (size_t j = 0; j < n && !redefined; j++)
      redefined = strcmp(ds[j].name, dd->name) == 0;
    if (redefined)
      continue;
    nodes[n] = NULL;
    fill_directive(b, dd, true, &ds[n]);
    n++;
  }
  for (size_t i = 0; i < n; i++)
    strmap_put(map, b->a, ds[i].name, &ds[i]);
  b->s->directives = ds;
  b->s->n_directives = n;
  return nodes;
}

/* ---- roots, possible types, the type list ---- */

static void set_roots(builder *b, const gql_document *user, gql_schema_nodes *nodes) {
  gql_schema *s = b->s;
  size_t n = 0;
  for (size_t i = 0; i < user->n_defs; i++)
    if (user->defs[i].kind == GQL_DEF_SCHEMA)
      n++;
  nodes->schema_defs = ARENA_ARRAY(b->a, const gql_schema_def *, n ? n : 1);
  bool explicit_roots = false;
  for (size_t i = 0; i < user->n_defs; i++) {
    if (user->defs[i].kind != GQL_DEF_SCHEMA)
      continue;
    const gql_schema_def *sd = &user->defs[i].u.schema;
    nodes->schema_defs[nodes->n_schema_defs++] = sd;
    if (!sd->extension && sd->description)
      s->description = sd->description;
    for (size_t j = 0; j < sd->n_operation_types; j++) {
      const gql_operation_type_def *ot = &sd->operation_types[j];
      gql_type *t = named(b, ot->type_name);
      explicit_roots = true;
      if (ot->operation == GQL_OP_QUERY)
        s->query = t;
      else if (ot->operation == GQL_OP_MUTATION)
        s->mutation = t;
      else
        s->subscription = t;
    }
  }
  if (!explicit_roots) {
    btype *q = strmap_get(&b->by_name, "Query");
    btype *m = strmap_get(&b->by_name, "Mutation");
    btype *sub = strmap_get(&b->by_name, "Subscription");
    s->query = q && !q->t->builtin ? q->t : NULL;
    s->mutation = m && !m->t->builtin ? m->t : NULL;
    s->subscription = sub && !sub->t->builtin ? sub->t : NULL;
  }
}

/* Interfaces list the object types implementing them, in type order. */
static void set_possible_types(builder *b) {
  gql_schema *s = b->s;
  size_t *counts = arena_calloc(b->a, sizeof(size_t) * (s->n_types ? s->n_types : 1));
  strmap index = {0};
  strmap_reserve(&index, b->a, s->n_types);
  for (size_t i = 0; i < s->n_types; i++)
    strmap_put(&index, b->a, s->types[i]->name, (void *)(uintptr_t)(i + 1));
  /* Two passes: count, then fill. */
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < s->n_types; i++) {
      gql_type *t = s->types[i];
      if (t->kind != GQL_KIND_OBJECT)
        continue;
      for (size_t j = 0; j < t->n_interfaces; j++) {
        gql_type *iface = t->interfaces[j];
        if (iface->kind != GQL_KIND_INTERFACE)
          continue;
        size_t k = (size_t)(uintptr_t)strmap_get(&index, iface->name) - 1;
        if (pass == 0) {
          counts[k]++;
        } else if (!gql_is_possible_type(iface, t)) {
          iface->possible[iface->n_possible++] = t;
        }
      }
    }
    if (pass == 0)
      for (size_t i = 0; i < s->n_types; i++)
        if (s->types[i]->kind == GQL_KIND_INTERFACE)
          s->types[i]->possible = ARENA_ARRAY(b->a, gql_type *, counts[i] ? counts[i] : 1);
  }
}

/* Marks the specified scalars a type references, in first-reference order. */
static void note_scalar(builder *b, const gql_type *t, gql_type **order, size_t *n) {
  t = gql_named_type(t);
  if (!t || t->kind != GQL_KIND_SCALAR)
    return;
  for (size_t i = 0; i < N_STD_SCALARS; i++) {
    if (b->std[i].t != t)
      continue;
    for (size_t j = 0; j < *n; j++)
      if (order[j] == t)
        return;
    order[(*n)++] = (gql_type *)t;
  }
}

static void note_input_values(builder *b, const gql_input_value *v, size_t n, gql_type **order,
                              size_t *n_order) {
  for (size_t i = 0; i < n; i++)
    note_scalar(b, v[i].type, order, n_order);
}

static void note_type(builder *b, const gql_type *t, gql_type **order, size_t *n) {
  for (size_t i = 0; i < t->n_fields; i++) {
    note_scalar(b, t->fields[i].type, order, n);
    note_input_values(b, t->fields[i].args, t->fields[i].n_args, order, n);
  }
  note_input_values(b, t->input_fields, t->n_input_fields, order, n);
  if (t->kind == GQL_KIND_UNION || t->kind == GQL_KIND_OBJECT || t->kind == GQL_KIND_INTERFACE) {
    for (size_t i = 0; i < t->n_interfaces; i++)
      note_scalar(b, t->interfaces[i], order, n);
    if (t->kind == GQL_KIND_UNION)
      for (size_t i = 0; i < t->n_possible; i++)
        note_scalar(b, t->possible[i], order, n);
  }
  note_scalar(b, t, order, n);
}

/* User types in definition order, the specified scalars something
 * references, then the introspection types. */
static gql_schema_nodes *list_types(builder *b) {
  gql_schema *s = b->s;
  size_t n_user = b->n_types - b->first_user;
  size_t cap = b->n_types + N_STD_SCALARS;
  s->types = ARENA_ARRAY(b->a, gql_type *, cap);
  gql_schema_nodes *nodes = ARENA_NEW(b->a, gql_schema_nodes);
  gql_type_nodes *tn = ARENA_ARRAY(b->a, gql_type_nodes, cap);
  nodes->types = tn;
  for (size_t i = 0; i < n_user; i++) {
    btype *bt = &b->types[b->first_user + i];
    tn[s->n_types].defs = bt->defs;
    tn[s->n_types].n_defs = bt->n_defs;
    s->types[s->n_types++] = bt->t;
  }
  gql_type *order[N_STD_SCALARS];
  size_t n_order = 0;
  for (size_t i = 0; i < n_user; i++)
    note_type(b, b->types[b->first_user + i].t, order, &n_order);
  for (size_t i = 0; i < s->n_directives; i++)
    note_input_values(b, s->directives[i].args, s->directives[i].n_args, order, &n_order);
  for (size_t i = 0; i < b->first_user; i++)
    note_type(b, b->types[i].t, order, &n_order);
  for (size_t i = 0; i < n_order; i++)
    s->types[s->n_types++] = order[i];
  for (size_t i = 0; i < b->first_user; i++)
    s->types[s->n_types++] = b->types[i].t;
  gql_schema_priv *p = s->lookup;
  strmap_reserve(&p->types, b->a, s->n_types);
  for (size_t i = 0; i < s->n_types; i++) {
    strmap_put(&p->types, b->a, s->types[i]->name, s->types[i]);
    gql_type_build_lookup(b->a, s->types[i]);
  }
  return nodes;
}

/* ---- the whole build ---- */

static const gql_limits sdl_limits = {0, 0, 128};

static gql_document *parse_builtin(builder *b, const char *text) {
  gql_document *doc = gql_parse(b->a, text, strlen(text), &sdl_limits, b->errs);
  if (!doc)
    b->n_errors++;
  return doc;
}

static gql_schema *new_schema(void) {
  arena *a = arena_new(1 << 16);
  gql_schema *s = ARENA_NEW(a, gql_schema);
  s->arena = a;
  gql_schema_priv *p = ARENA_NEW(a, gql_schema_priv);
  pthread_mutex_init(&p->wrap_lock, NULL);
  s->lookup = p;
  return s;
}

gql_schema *gql_schema_build(const char *sdl, size_t len, gql_errors *errs) {
  gql_schema *s = new_schema();
  builder b = {.s = s, .a = s->arena, .errs = errs};
  gql_document *user = gql_parse(b.a, sdl, len, &sdl_limits, errs);
  if (!user || gql_schema_check_sdl(user, b.a, errs) > 0)
    goto fail;
  gql_document *intro = parse_builtin(&b, gql_introspection_sdl);
  gql_document *directives = parse_builtin(&b, builtin_directives_sdl);
  if (!intro || !directives)
    goto fail;

  strmap_reserve(&b.by_name, b.a, 64);
  for (size_t i = 0; i < N_STD_SCALARS; i++) {
    gql_type *t = ARENA_NEW(b.a, gql_type);
    t->kind = GQL_KIND_SCALAR;
    t->name = std_scalars[i].name;
    t->description = std_scalars[i].description;
    t->scalar = std_scalars[i].hooks;
    t->builtin = true;
    b.std[i].t = t;
    strmap_put(&b.by_name, b.a, t->name, &b.std[i]);
  }
  create_types(&b, intro, true);
  b.first_user = b.n_types;
  create_types(&b, user, false);
  attach_defs(&b, intro, true);
  attach_defs(&b, user, false);
  for (size_t i = 0; i < b.n_types; i++)
    fill_type(&b, &b.types[i]);
  const gql_directive_def **directive_nodes = build_directives(&b, user, directives);
  if (b.n_errors)
    goto fail;

  gql_schema_nodes *nodes = list_types(&b);
  nodes->directives = directive_nodes;
  set_roots(&b, user, nodes);
  set_possible_types(&b);
  if (gql_schema_check(s, nodes, errs) > 0)
    goto fail;
  gql_introspection_install(s);
  return s;

fail:
  gql_schema_free(s);
  return NULL;
}

void gql_schema_free(gql_schema *s) {
  if (!s)
    return;
  gql_schema_priv *p = s->lookup;
  pthread_mutex_destroy(&p->wrap_lock);
  arena_free(s->arena);
}
