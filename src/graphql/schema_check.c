/* schema_check.c — the checks a schema passes before it is served.
 *
 * Two stages, as in graphql-js. First the SDL rules buildASTSchema applies
 * to the document (unique type, field, argument, enum value, directive and
 * operation type names; known types and directives; directives in allowed
 * locations, once unless repeatable, with known and required arguments;
 * extensions of defined types of the same kind), walked in graphql-js's
 * visiting order so errors come out in its order. Then validateSchema's
 * type-system rules (spec §3) over the built schema: root types, names
 * reserved for introspection, fields and their argument and output types,
 * interface implementations, union members, enum values, input objects,
 * non-null input cycles, @oneOf fields and required deprecated arguments.
 * Every error is collected; messages and locations are graphql-js's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/printer.h"
#include "graphql/schema.h"
#include "graphql/schema_internal.h"
#include "graphql/specified.h"
#include "graphql/suggest.h"

/* ======================================================================
 * SDL rules
 * ====================================================================== */

/* A directive as the SDL rules see it: a specified one or one the
 * document defines. */
typedef struct sdl_directive {
  const char *name;
  uint32_t locations;
  bool repeatable;
  const char **args; /* every argument name */
  size_t n_args;
  const char **required;      /* required argument names… */
  const char **required_type; /* …and their types as written */
  size_t n_required;
} sdl_directive;

typedef struct sdl_ctx {
  arena *a;
  gql_errors *errs;
  size_t n_errors;
  const gql_document *doc;
  strmap directives;      /* name → sdl_directive * */
  strmap defined_types;   /* name → const gql_typedef * (definitions) */
  strmap type_names;      /* UniqueTypeNames: name → const gql_typedef * */
  strmap field_names;     /* type name → strmap * (field name → gql_loc *) */
  strmap value_names;     /* type name → strmap * (value name → gql_loc *) */
  strmap directive_names; /* UniqueDirectiveNames: name → const gql_directive_def * */
  strmap type_directives; /* type name → strmap * (directive name → gql_directive *) */
  strmap schema_directives;
  const gql_operation_type_def *operations[3];
  size_t schema_definitions;
  const char **known_names; /* standard type names, then the defined ones */
  size_t n_known_names;
  const char **defined_names; /* the defined ones alone */
  size_t n_defined_names;
} sdl_ctx;

static gql_error *sdl_error(sdl_ctx *c, gql_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Both stages: formats the message, counts it and adds it to errs. */
static gql_error *add_error(gql_errors *errs, size_t *n_errors, gql_loc loc, const char *fmt,
                            va_list ap) __attribute__((format(printf, 4, 0)));

static gql_error *add_error(gql_errors *errs, size_t *n_errors, gql_loc loc, const char *fmt,
                            va_list ap) {
  (*n_errors)++;
  return gql_errors_add(errs, loc, "%s", arena_vprintf(errs->arena, fmt, ap));
}

static gql_error *sdl_error(sdl_ctx *c, gql_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  gql_error *e = add_error(c->errs, &c->n_errors, loc, fmt, ap);
  va_end(ap);
  return e;
}

static void add_specified(sdl_ctx *c, const char *name, uint32_t locations, const char *arg,
                          const char *required_type) {
  sdl_directive *d = ARENA_NEW(c->a, sdl_directive);
  d->name = name;
  d->locations = locations;
  if (arg) {
    d->args = ARENA_ARRAY(c->a, const char *, 1);
    d->args[0] = arg;
    d->n_args = 1;
    if (required_type) {
      d->required = ARENA_ARRAY(c->a, const char *, 1);
      d->required_type = ARENA_ARRAY(c->a, const char *, 1);
      d->required[0] = arg;
      d->required_type[0] = required_type;
      d->n_required = 1;
    }
  }
  strmap_put(&c->directives, c->a, name, d);
}

static uint32_t location_bits(const gql_directive_def *dd) {
  uint32_t bits = 0;
  for (size_t i = 0; i < dd->n_locations; i++) {
    unsigned j = gql_directive_location_index(dd->locations[i].name);
    if (j < GQL_DL_COUNT)
      bits |= 1u << j;
  }
  return bits;
}

static void add_defined_directive(sdl_ctx *c, const gql_directive_def *dd) {
  sdl_directive *d = ARENA_NEW(c->a, sdl_directive);
  d->name = dd->name;
  d->locations = location_bits(dd);
  d->repeatable = dd->repeatable;
  d->args = ARENA_ARRAY(c->a, const char *, dd->n_args + 1);
  d->required = ARENA_ARRAY(c->a, const char *, dd->n_args + 1);
  d->required_type = ARENA_ARRAY(c->a, const char *, dd->n_args + 1);
  for (size_t i = 0; i < dd->n_args; i++) {
    const gql_input_value_def *arg = &dd->args[i];
    d->args[d->n_args++] = arg->name;
    if (arg->type->kind == GQL_TYPE_REF_NON_NULL &&
        (!arg->default_value || arg->default_value->kind == GQL_VALUE_NULL)) {
      buf b;
      buf_init(&b, c->a);
      gql_print_type_ref(&b, arg->type);
      d->required[d->n_required] = arg->name;
      d->required_type[d->n_required++] = buf_cstr(&b);
    }
  }
  strmap_put(&c->directives, c->a, dd->name, d);
}

static void sdl_init(sdl_ctx *c, const gql_document *doc, arena *a, gql_errors *errs) {
  memset(c, 0, sizeof *c);
  c->a = a;
  c->errs = errs;
  c->doc = doc;
  strmap_reserve(&c->directives, a, 16);
  strmap_reserve(&c->defined_types, a, doc->n_defs);
  strmap_reserve(&c->type_names, a, doc->n_defs);
  strmap_reserve(&c->field_names, a, doc->n_defs);
  strmap_reserve(&c->value_names, a, 16);
  strmap_reserve(&c->directive_names, a, 16);
  strmap_reserve(&c->type_directives, a, 16);
  strmap_reserve(&c->schema_directives, a, 4);
  uint32_t executable = GQL_DL_FIELD | GQL_DL_FRAGMENT_SPREAD | GQL_DL_INLINE_FRAGMENT;
  add_specified(c, "include", executable, "if", "Boolean!");
  add_specified(c, "skip", executable, "if", "Boolean!");
  add_specified(c, "deprecated",
                GQL_DL_FIELD_DEFINITION | GQL_DL_ARGUMENT_DEFINITION |
                    GQL_DL_INPUT_FIELD_DEFINITION | GQL_DL_ENUM_VALUE,
                "reason", NULL);
  add_specified(c, "specifiedBy", GQL_DL_SCALAR, "url", "String!");
  add_specified(c, "oneOf", GQL_DL_INPUT_OBJECT, NULL, NULL);
  c->known_names = ARENA_ARRAY(a, const char *, gql_n_specified_type_names + doc->n_defs);
  for (size_t i = 0; i < gql_n_specified_type_names; i++)
    c->known_names[c->n_known_names++] = gql_specified_type_names[i];
  c->defined_names = c->known_names + c->n_known_names;
  for (size_t i = 0; i < doc->n_defs; i++) {
    const gql_definition *d = &doc->defs[i];
    if (d->kind == GQL_DEF_DIRECTIVE)
      add_defined_directive(c, &d->u.directive);
    if (d->kind == GQL_DEF_TYPE && !d->u.type.extension) {
      if (!strmap_get(&c->defined_types, d->u.type.name)) {
        c->known_names[c->n_known_names++] = d->u.type.name;
        c->n_defined_names++;
      }
      strmap_put(&c->defined_types, c->a, d->u.type.name, &d->u.type);
    }
  }
}

/* A map kept per type name inside `outer`. */
static strmap *per_type_map(sdl_ctx *c, strmap *outer, const char *type_name) {
  strmap *m = strmap_get(outer, type_name);
  if (!m) {
    m = ARENA_NEW(c->a, strmap);
    strmap_put(outer, c->a, type_name, m);
  }
  return m;
}

static void check_named_type(sdl_ctx *c, const char *name, gql_loc loc) {
  if (strmap_get(&c->defined_types, name))
    return;
  if (gql_is_specified_type_name(name))
    return;
  const char *hint = gql_suggest(c->a, NULL, name, c->known_names, c->n_known_names);
  sdl_error(c, loc, "Unknown type \"%s\".%s", name, hint);
}

static void walk_type_ref(sdl_ctx *c, const gql_type_ref *t) {
  while (t->kind != GQL_TYPE_REF_NAMED)
    t = t->of;
  check_named_type(c, t->name, t->loc);
}

/* UniqueInputFieldNames, over a value and what it contains. */
static void walk_value(sdl_ctx *c, const gql_value *v) {
  if (v->kind == GQL_VALUE_LIST) {
    for (size_t i = 0; i < v->n_items; i++)
      walk_value(c, v->items[i]);
  } else if (v->kind == GQL_VALUE_OBJECT) {
    for (size_t i = 0; i < v->n_fields; i++) {
      for (size_t j = 0; j < i; j++) {
        if (strcmp(v->fields[j].name, v->fields[i].name) == 0) {
          gql_error *e =
              sdl_error(c, v->fields[j].loc, "There can be only one input field named \"%s\".",
                        v->fields[i].name);
          gql_error_add_loc(c->errs, e, v->fields[i].loc);
          break;
        }
      }
      walk_value(c, v->fields[i].value);
    }
  }
}

/* UniqueDirectivesPerLocation, when entering the node that carries ds. */
static void check_directives_once(sdl_ctx *c, const gql_directive *ds, size_t n, strmap *seen) {
  strmap fresh = {0};
  if (!seen) {
    strmap_reserve(&fresh, c->a, n);
    seen = &fresh;
  }
  for (size_t i = 0; i < n; i++) {
    const sdl_directive *known = strmap_get(&c->directives, ds[i].name);
    if (!known || known->repeatable)
      continue;
    const gql_directive *first = strmap_add(seen, c->a, ds[i].name, &ds[i]);
    if (first) {
      gql_error *e =
          sdl_error(c, first->loc, "The directive \"@%s\" can only be used once at this location.",
                    ds[i].name);
      gql_error_add_loc(c->errs, e, ds[i].loc);
    }
  }
}

static const char *location_name(uint32_t bit) {
  for (unsigned i = 0; i < GQL_DL_COUNT; i++)
    if (bit == 1u << i)
      return gql_directive_location_names[i];
  return "?";
}

static void walk_directive(sdl_ctx *c, const gql_directive *d, uint32_t location) {
  const sdl_directive *known = strmap_get(&c->directives, d->name);
  /* KnownDirectives */
  if (!known)
    sdl_error(c, d->loc, "Unknown directive \"@%s\".", d->name);
  else if (!(known->locations & location))
    sdl_error(c, d->loc, "Directive \"@%s\" may not be used on %s.", d->name,
              location_name(location));
  /* KnownArgumentNamesOnDirectives */
  if (known) {
    for (size_t i = 0; i < d->n_args; i++) {
      bool found = false;
      for (size_t j = 0; j < known->n_args && !found; j++)
        found = strcmp(known->args[j], d->args[i].name) == 0;
      if (!found) {
        const char *hint = gql_suggest(c->a, NULL, d->args[i].name, known->args, known->n_args);
        sdl_error(c, d->args[i].loc, "Unknown argument \"%s\" on directive \"@%s\".%s",
                  d->args[i].name, d->name, hint);
      }
    }
  }
  /* UniqueArgumentNames: one error per repeated name, at every use. */
  for (size_t i = 0; i < d->n_args; i++) {
    bool earlier = false;
    for (size_t j = 0; j < i && !earlier; j++)
      earlier = strcmp(d->args[j].name, d->args[i].name) == 0;
    if (earlier)
      continue;
    gql_error *e = NULL;
    for (size_t j = i + 1; j < d->n_args; j++) {
      if (strcmp(d->args[j].name, d->args[i].name) != 0)
        continue;
      if (!e)
        e = sdl_error(c, d->args[i].name_loc, "There can be only one argument named \"%s\".",
                      d->args[i].name);
      gql_error_add_loc(c->errs, e, d->args[j].name_loc);
    }
  }
  for (size_t i = 0; i < d->n_args; i++)
    walk_value(c, d->args[i].value);
  /* ProvidedRequiredArgumentsOnDirectives, on leaving the directive. */
  if (known) {
    for (size_t i = 0; i < known->n_required; i++) {
      bool given = false;
      for (size_t j = 0; j < d->n_args && !given; j++)
        given = strcmp(d->args[j].name, known->required[i]) == 0;
      if (!given)
        sdl_error(c, d->loc,
                  "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not "
                  "provided.",
                  d->name, known->required[i], known->required_type[i]);
    }
  }
}

static void walk_directives(sdl_ctx *c, const gql_directive *ds, size_t n, uint32_t location) {
  for (size_t i = 0; i < n; i++)
    walk_directive(c, &ds[i], location);
}

static void walk_input_value_def(sdl_ctx *c, const gql_input_value_def *iv, uint32_t location) {
  check_directives_once(c, iv->directives, iv->n_directives, NULL);
  walk_type_ref(c, iv->type);
  if (iv->default_value)
    walk_value(c, iv->default_value);
  walk_directives(c, iv->directives, iv->n_directives, location);
}

/* UniqueArgumentDefinitionNames for one argument list. */
static void check_argument_names(sdl_ctx *c, const char *parent, const gql_input_value_def *args,
                                 size_t n) {
  for (size_t i = 0; i < n; i++) {
    bool earlier = false;
    for (size_t j = 0; j < i && !earlier; j++)
      earlier = strcmp(args[j].name, args[i].name) == 0;
    if (earlier)
      continue;
    gql_error *e = NULL;
    for (size_t j = i + 1; j < n; j++) {
      if (strcmp(args[j].name, args[i].name) != 0)
        continue;
      if (!e)
        e = sdl_error(c, args[i].loc, "Argument \"%s(%s:)\" can only be defined once.", parent,
                      args[i].name);
      gql_error_add_loc(c->errs, e, args[j].loc);
    }
  }
}

/* UniqueFieldDefinitionNames / UniqueEnumValueNames: `what` names the
 * message's subject ("Field", "Enum value"). */
static void check_member_name(sdl_ctx *c, strmap *known, const char *what, const char *type_name,
                              const char *name, const gql_loc *loc) {
  const gql_loc *first = strmap_add(known, c->a, name, loc);
  if (first) {
    gql_error *e =
        sdl_error(c, *first, "%s \"%s.%s\" can only be defined once.", what, type_name, name);
    gql_error_add_loc(c->errs, e, *loc);
  }
}

static const char *const extension_kind_names[] = {
    [GQL_TYPEDEF_SCALAR] = "scalar",       [GQL_TYPEDEF_OBJECT] = "object",
    [GQL_TYPEDEF_INTERFACE] = "interface", [GQL_TYPEDEF_UNION] = "union",
    [GQL_TYPEDEF_ENUM] = "enum",           [GQL_TYPEDEF_INPUT_OBJECT] = "input object",
};

static gql_loc definition_loc(const gql_typedef *td) {
  const gql_definition *d =
      (const gql_definition *)(const void *)((const char *)td - offsetof(gql_definition, u));
  return d->loc;
}

static void check_extension(sdl_ctx *c, const gql_typedef *td) {
  const gql_typedef *def = strmap_get(&c->defined_types, td->name);
  if (def) {
    if (def->kind != td->kind) {
      gql_error *e = sdl_error(c, definition_loc(def), "Cannot extend non-%s type \"%s\".",
                               extension_kind_names[td->kind], td->name);
      gql_error_add_loc(c->errs, e, definition_loc(td));
    }
    return;
  }
  const char *hint = gql_suggest(c->a, NULL, td->name, c->defined_names, c->n_defined_names);
  sdl_error(c, td->name_loc, "Cannot extend type \"%s\" because it is not defined.%s", td->name,
            hint);
}

static void walk_typedef(sdl_ctx *c, const gql_typedef *td) {
  /* Rules entering the type node, in graphql-js's rule order. */
  if (!td->extension) {
    const gql_typedef *first = strmap_add(&c->type_names, c->a, td->name, td);
    if (first) {
      gql_error *e =
          sdl_error(c, first->name_loc, "There can be only one type named \"%s\".", td->name);
      gql_error_add_loc(c->errs, e, td->name_loc);
    }
  }
  if (td->kind == GQL_TYPEDEF_ENUM) {
    strmap *known = per_type_map(c, &c->value_names, td->name);
    for (size_t i = 0; i < td->n_values; i++)
      check_member_name(c, known, "Enum value", td->name, td->values[i].name, &td->values[i].loc);
  }
  if (td->kind == GQL_TYPEDEF_OBJECT || td->kind == GQL_TYPEDEF_INTERFACE) {
    strmap *known = per_type_map(c, &c->field_names, td->name);
    for (size_t i = 0; i < td->n_fields; i++)
      check_member_name(c, known, "Field", td->name, td->fields[i].name, &td->fields[i].loc);
  } else if (td->kind == GQL_TYPEDEF_INPUT_OBJECT) {
    strmap *known = per_type_map(c, &c->field_names, td->name);
    for (size_t i = 0; i < td->n_input_fields; i++)
      check_member_name(c, known, "Field", td->name, td->input_fields[i].name,
                        &td->input_fields[i].loc);
  }
  if (td->kind == GQL_TYPEDEF_OBJECT || td->kind == GQL_TYPEDEF_INTERFACE) {
    for (size_t i = 0; i < td->n_fields; i++) {
      char parent[512];
      snprintf(parent, sizeof parent, "%s.%s", td->name, td->fields[i].name);
      check_argument_names(c, parent, td->fields[i].args, td->fields[i].n_args);
    }
  }
  check_directives_once(c, td->directives, td->n_directives,
                        per_type_map(c, &c->type_directives, td->name));
  if (td->extension)
    check_extension(c, td);

  /* Children, in graphql-js's key order. */
  static const uint32_t type_location[] = {
      [GQL_TYPEDEF_SCALAR] = GQL_DL_SCALAR,       [GQL_TYPEDEF_OBJECT] = GQL_DL_OBJECT,
      [GQL_TYPEDEF_INTERFACE] = GQL_DL_INTERFACE, [GQL_TYPEDEF_UNION] = GQL_DL_UNION,
      [GQL_TYPEDEF_ENUM] = GQL_DL_ENUM,           [GQL_TYPEDEF_INPUT_OBJECT] = GQL_DL_INPUT_OBJECT,
  };
  for (size_t i = 0; i < td->n_interfaces; i++)
    check_named_type(c, td->interfaces[i].name, td->interfaces[i].loc);
  walk_directives(c, td->directives, td->n_directives, type_location[td->kind]);
  for (size_t i = 0; i < td->n_members; i++)
    check_named_type(c, td->members[i].name, td->members[i].loc);
  for (size_t i = 0; i < td->n_fields; i++) {
    const gql_field_def *f = &td->fields[i];
    check_directives_once(c, f->directives, f->n_directives, NULL);
    for (size_t j = 0; j < f->n_args; j++)
      walk_input_value_def(c, &f->args[j], GQL_DL_ARGUMENT_DEFINITION);
    walk_type_ref(c, f->type);
    walk_directives(c, f->directives, f->n_directives, GQL_DL_FIELD_DEFINITION);
  }
  for (size_t i = 0; i < td->n_values; i++) {
    const gql_enum_value_def *v = &td->values[i];
    check_directives_once(c, v->directives, v->n_directives, NULL);
    walk_directives(c, v->directives, v->n_directives, GQL_DL_ENUM_VALUE);
  }
  /* graphql-js places fields of input extensions at ARGUMENT_DEFINITION. */
  uint32_t input_location =
      td->extension ? GQL_DL_ARGUMENT_DEFINITION : GQL_DL_INPUT_FIELD_DEFINITION;
  for (size_t i = 0; i < td->n_input_fields; i++)
    walk_input_value_def(c, &td->input_fields[i], input_location);
}

static const char *const operation_names[] = {"query", "mutation", "subscription"};

static void walk_schema_def(sdl_ctx *c, const gql_schema_def *sd, gql_loc loc) {
  if (!sd->extension) {
    if (c->schema_definitions > 0)
      sdl_error(c, loc, "Must provide only one schema definition.");
    c->schema_definitions++;
  }
  for (size_t i = 0; i < sd->n_operation_types; i++) {
    const gql_operation_type_def *ot = &sd->operation_types[i];
    const gql_operation_type_def **slot = &c->operations[ot->operation];
    if (*slot) {
      gql_error *e = sdl_error(c, (*slot)->loc, "There can be only one %s type in schema.",
                               operation_names[ot->operation]);
      gql_error_add_loc(c->errs, e, ot->loc);
    } else {
      *slot = ot;
    }
  }
  check_directives_once(c, sd->directives, sd->n_directives, &c->schema_directives);
  walk_directives(c, sd->directives, sd->n_directives, GQL_DL_SCHEMA);
  for (size_t i = 0; i < sd->n_operation_types; i++)
    check_named_type(c, sd->operation_types[i].type_name, sd->operation_types[i].loc);
}

static void walk_directive_def(sdl_ctx *c, const gql_directive_def *dd) {
  char parent[300];
  snprintf(parent, sizeof parent, "@%s", dd->name);
  check_argument_names(c, parent, dd->args, dd->n_args);
  const gql_directive_def *first = strmap_add(&c->directive_names, c->a, dd->name, dd);
  if (first) {
    gql_error *e =
        sdl_error(c, first->name_loc, "There can be only one directive named \"@%s\".", dd->name);
    gql_error_add_loc(c->errs, e, dd->name_loc);
  }
  for (size_t i = 0; i < dd->n_args; i++)
    walk_input_value_def(c, &dd->args[i], GQL_DL_ARGUMENT_DEFINITION);
}

size_t gql_schema_check_sdl(const gql_document *doc, arena *a, gql_errors *errs) {
  sdl_ctx c;
  sdl_init(&c, doc, a, errs);
  for (size_t i = 0; i < doc->n_defs; i++) {
    const gql_definition *d = &doc->defs[i];
    switch (d->kind) {
    case GQL_DEF_TYPE:
      walk_typedef(&c, &d->u.type);
      break;
    case GQL_DEF_SCHEMA:
      walk_schema_def(&c, &d->u.schema, d->loc);
      break;
    case GQL_DEF_DIRECTIVE:
      walk_directive_def(&c, &d->u.directive);
      break;
    default:
      break; /* executable definitions are ignored when building */
    }
  }
  return c.n_errors;
}

/* ======================================================================
 * validateSchema
 * ====================================================================== */

typedef struct check_ctx {
  const gql_schema *s;
  const gql_schema_nodes *nodes;
  gql_errors *errs;
  size_t n_errors;
  arena *a;     /* scratch for type strings */
  strmap index; /* type name → index + 1 in s->types */
} check_ctx;

static gql_error *report(check_ctx *c, gql_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static gql_error *report(check_ctx *c, gql_loc loc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  gql_error *e = add_error(c->errs, &c->n_errors, loc, fmt, ap);
  va_end(ap);
  return e;
}

static void add_loc(check_ctx *c, gql_error *e, gql_loc loc) {
  if (e && loc.line)
    gql_error_add_loc(c->errs, e, loc);
}

static const char *tstr(check_ctx *c, const gql_type *t) { return gql_type_str(c->a, t); }

static const gql_type_nodes *nodes_of(check_ctx *c, const gql_type *t) {
  size_t i = (size_t)(uintptr_t)strmap_get(&c->index, t->name);
  return i && c->s->types[i - 1] == t ? &c->nodes->types[i - 1] : NULL;
}

/* Adds the locations of every definition and extension of t. */
static void add_type_locs(check_ctx *c, gql_error *e, const gql_type *t) {
  const gql_type_nodes *n = nodes_of(c, t);
  for (size_t i = 0; n && i < n->n_defs; i++)
    add_loc(c, e, definition_loc(n->defs[i]));
}

static gql_loc type_loc(check_ctx *c, const gql_type *t) {
  const gql_type_nodes *n = nodes_of(c, t);
  if (n && n->n_defs && !n->defs[0]->extension)
    return definition_loc(n->defs[0]);
  return (gql_loc){0, 0};
}

/* The syntax of field `name` of t, or NULL. */
static const gql_field_def *field_node(check_ctx *c, const gql_type *t, const char *name) {
  const gql_type_nodes *n = nodes_of(c, t);
  for (size_t i = 0; n && i < n->n_defs; i++)
    for (size_t j = 0; j < n->defs[i]->n_fields; j++)
      if (strcmp(n->defs[i]->fields[j].name, name) == 0)
        return &n->defs[i]->fields[j];
  return NULL;
}

static const gql_input_value_def *input_field_node(check_ctx *c, const gql_type *t,
                                                   const char *name) {
  const gql_type_nodes *n = nodes_of(c, t);
  for (size_t i = 0; n && i < n->n_defs; i++)
    for (size_t j = 0; j < n->defs[i]->n_input_fields; j++)
      if (strcmp(n->defs[i]->input_fields[j].name, name) == 0)
        return &n->defs[i]->input_fields[j];
  return NULL;
}

static const gql_input_value_def *arg_node(const gql_input_value_def *args, size_t n,
                                           const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(args[i].name, name) == 0)
      return &args[i];
  return NULL;
}

static gql_loc ref_loc(const gql_input_value_def *iv) {
  return iv ? iv->type->loc : (gql_loc){0, 0};
}

static gql_loc deprecated_loc(const gql_input_value_def *iv) {
  if (iv)
    for (size_t i = 0; i < iv->n_directives; i++)
      if (strcmp(iv->directives[i].name, "deprecated") == 0)
        return iv->directives[i].loc;
  return (gql_loc){0, 0};
}

static void check_name(check_ctx *c, const char *name, gql_loc loc) {
  if (name[0] == '_' && name[1] == '_')
    report(c, loc,
           "Name \"%s\" must not begin with \"__\", which is reserved by GraphQL introspection.",
           name);
}

static bool is_required(const gql_input_value *v) {
  return v->type && v->type->kind == GQL_KIND_NON_NULL && !v->default_value;
}

static void check_roots(check_ctx *c) {
  const gql_schema *s = c->s;
  static const char *const labels[] = {"Query", "Mutation", "Subscription"};
  const gql_type *roots[] = {s->query, s->mutation, s->subscription};
  if (!s->query) {
    gql_loc loc = {0, 0}; /* graphql-js points at the schema definition, if any */
    for (size_t i = 0; i < c->nodes->n_schema_defs; i++) {
      const gql_schema_def *sd = c->nodes->schema_defs[i];
      if (!sd->extension)
        loc =
            ((const gql_definition *)(const void *)((const char *)sd - offsetof(gql_definition, u)))
                ->loc;
    }
    report(c, loc, "Query root type must be provided.");
  }
  for (int op = 0; op < 3; op++) {
    const gql_type *t = roots[op];
    if (!t || t->kind == GQL_KIND_OBJECT)
      continue;
    gql_loc loc = type_loc(c, t);
    for (size_t i = 0; i < c->nodes->n_schema_defs; i++) {
      const gql_schema_def *sd = c->nodes->schema_defs[i];
      for (size_t j = 0; j < sd->n_operation_types; j++)
        if ((int)sd->operation_types[j].operation == op)
          loc = sd->operation_types[j].loc;
    }
    report(c, loc, "%s root type must be Object type%s, it cannot be %s.", labels[op],
           op == 0 ? "" : " if provided", t->name);
  }
}

static void check_directive_defs(check_ctx *c) {
  for (size_t i = 0; i < c->s->n_directives; i++) {
    const gql_schema_directive *d = &c->s->directives[i];
    const gql_directive_def *node = c->nodes->directives[i];
    if (!node)
      continue; /* the specified directives are valid */
    gql_loc def_loc =
        ((const gql_definition *)(const void *)((const char *)node - offsetof(gql_definition, u)))
            ->loc;
    check_name(c, d->name, def_loc);
    if (d->locations == 0 && node->n_locations == 0)
      report(c, def_loc, "Directive @%s must include 1 or more locations.", d->name);
    for (size_t j = 0; j < d->n_args; j++) {
      const gql_input_value *arg = &d->args[j];
      const gql_input_value_def *an = &node->args[j];
      check_name(c, arg->name, an->loc);
      if (!gql_is_input_type(arg->type))
        report(c, an->loc, "The type of @%s(%s:) must be Input Type but got: %s.", d->name,
               arg->name, tstr(c, arg->type));
      if (is_required(arg) && arg->deprecated) {
        gql_error *e =
            report(c, deprecated_loc(an), "Required argument @%s(%s:) cannot be deprecated.",
                   d->name, arg->name);
        add_loc(c, e, an->type->loc);
      }
    }
  }
}

static void check_fields(check_ctx *c, const gql_type *t) {
  if (t->n_fields == 0) {
    gql_error *e = report(c, (gql_loc){0, 0}, "Type %s must define one or more fields.", t->name);
    add_type_locs(c, e, t);
  }
  for (size_t i = 0; i < t->n_fields; i++) {
    const gql_field *f = &t->fields[i];
    const gql_field_def *fn = field_node(c, t, f->name);
    check_name(c, f->name, f->loc);
    if (!gql_is_output_type(f->type))
      report(c, fn ? fn->type->loc : f->loc, "The type of %s.%s must be Output Type but got: %s.",
             t->name, f->name, tstr(c, f->type));
    for (size_t j = 0; j < f->n_args; j++) {
      const gql_input_value *arg = &f->args[j];
      const gql_input_value_def *an = fn ? arg_node(fn->args, fn->n_args, arg->name) : NULL;
      check_name(c, arg->name, arg->loc);
      if (!gql_is_input_type(arg->type))
        report(c, ref_loc(an), "The type of %s.%s(%s:) must be Input Type but got: %s.", t->name,
               f->name, arg->name, tstr(c, arg->type));
      if (is_required(arg) && arg->deprecated) {
        gql_error *e =
            report(c, deprecated_loc(an), "Required argument %s.%s(%s:) cannot be deprecated.",
                   t->name, f->name, arg->name);
        add_loc(c, e, ref_loc(an));
      }
    }
  }
}

/* The places where type t says it implements iface. */
static void add_implements_locs(check_ctx *c, gql_error *e, const gql_type *t,
                                const gql_type *iface) {
  const gql_type_nodes *n = nodes_of(c, t);
  for (size_t i = 0; n && i < n->n_defs; i++)
    for (size_t j = 0; j < n->defs[i]->n_interfaces; j++)
      if (strcmp(n->defs[i]->interfaces[j].name, iface->name) == 0)
        add_loc(c, e, n->defs[i]->interfaces[j].loc);
}

static gql_error *report_implements(check_ctx *c, const gql_type *t, const gql_type *iface,
                                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static gql_error *report_implements(check_ctx *c, const gql_type *t, const gql_type *iface,
                                    const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  gql_error *e = add_error(c->errs, &c->n_errors, (gql_loc){0, 0}, fmt, ap);
  va_end(ap);
  add_implements_locs(c, e, t, iface);
  return e;
}

static void check_implements_ancestors(check_ctx *c, const gql_type *t, const gql_type *iface) {
  for (size_t i = 0; i < iface->n_interfaces; i++) {
    const gql_type *transitive = iface->interfaces[i];
    bool listed = false;
    for (size_t j = 0; j < t->n_interfaces && !listed; j++)
      listed = t->interfaces[j] == transitive;
    if (listed)
      continue;
    gql_error *e;
    if (transitive == t)
      e = report_implements(c, iface, transitive,
                            "Type %s cannot implement %s because it would create a circular "
                            "reference.",
                            t->name, iface->name);
    else
      e = report_implements(c, iface, transitive,
                            "Type %s must implement %s because it is implemented by %s.", t->name,
                            transitive->name, iface->name);
    add_implements_locs(c, e, t, iface);
  }
}

static void check_implements(check_ctx *c, const gql_type *t, const gql_type *iface) {
  for (size_t i = 0; i < iface->n_fields; i++) {
    const gql_field *ifield = &iface->fields[i];
    const gql_field *tfield = gql_type_field(t, ifield->name);
    const gql_field_def *ifn = field_node(c, iface, ifield->name);
    if (!tfield) {
      gql_error *e =
          report(c, ifield->loc, "Interface field %s.%s expected but %s does not provide it.",
                 iface->name, ifield->name, t->name);
      add_type_locs(c, e, t);
      continue;
    }
    const gql_field_def *tfn = field_node(c, t, tfield->name);
    if (!gql_type_is_subtype(c->s, tfield->type, ifield->type)) {
      gql_error *e =
          report(c, ifn ? ifn->type->loc : ifield->loc,
                 "Interface field %s.%s expects type %s but %s.%s is type %s.", iface->name,
                 ifield->name, tstr(c, ifield->type), t->name, tfield->name, tstr(c, tfield->type));
      add_loc(c, e, tfn ? tfn->type->loc : tfield->loc);
    }
    for (size_t j = 0; j < ifield->n_args; j++) {
      const gql_input_value *iarg = &ifield->args[j];
      const gql_input_value *targ = gql_field_arg(tfield, iarg->name);
      if (!targ) {
        gql_error *e = report(c, iarg->loc,
                              "Interface field argument %s.%s(%s:) expected but %s.%s does not "
                              "provide it.",
                              iface->name, ifield->name, iarg->name, t->name, tfield->name);
        add_loc(c, e, tfield->loc);
        continue;
      }
      if (!gql_type_equal(iarg->type, targ->type)) {
        gql_error *e =
            report(c, ifn ? ref_loc(arg_node(ifn->args, ifn->n_args, iarg->name)) : iarg->loc,
                   "Interface field argument %s.%s(%s:) expects type %s but %s.%s(%s:) is type %s.",
                   iface->name, ifield->name, iarg->name, tstr(c, iarg->type), t->name,
                   tfield->name, targ->name, tstr(c, targ->type));
        add_loc(c, e, tfn ? ref_loc(arg_node(tfn->args, tfn->n_args, targ->name)) : targ->loc);
      }
    }
    for (size_t j = 0; j < tfield->n_args; j++) {
      const gql_input_value *targ = &tfield->args[j];
      if (!gql_field_arg(ifield, targ->name) && is_required(targ)) {
        gql_error *e = report(c, targ->loc,
                              "Object field %s.%s includes required argument %s that is missing "
                              "from the Interface field %s.%s.",
                              t->name, tfield->name, targ->name, iface->name, ifield->name);
        add_loc(c, e, ifield->loc);
      }
    }
  }
}

static void check_interfaces(check_ctx *c, const gql_type *t) {
  for (size_t i = 0; i < t->n_interfaces; i++) {
    const gql_type *iface = t->interfaces[i];
    if (iface->kind != GQL_KIND_INTERFACE) {
      report_implements(c, t, iface,
                        "Type %s must only implement Interface types, it cannot implement %s.",
                        t->name, iface->name);
      continue;
    }
    if (iface == t) {
      report_implements(c, t, iface,
                        "Type %s cannot implement itself because it would create a circular "
                        "reference.",
                        t->name);
      continue;
    }
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = t->interfaces[j] == iface;
    if (seen) {
      report_implements(c, t, iface, "Type %s can only implement %s once.", t->name, iface->name);
      continue;
    }
    check_implements_ancestors(c, t, iface);
    check_implements(c, t, iface);
  }
}

static void add_member_locs(check_ctx *c, gql_error *e, const gql_type *u, const char *name) {
  const gql_type_nodes *n = nodes_of(c, u);
  for (size_t i = 0; n && i < n->n_defs; i++)
    for (size_t j = 0; j < n->defs[i]->n_members; j++)
      if (strcmp(n->defs[i]->members[j].name, name) == 0)
        add_loc(c, e, n->defs[i]->members[j].loc);
}

static void check_union(check_ctx *c, const gql_type *u) {
  if (u->n_possible == 0) {
    gql_error *e =
        report(c, (gql_loc){0, 0}, "Union type %s must define one or more member types.", u->name);
    add_type_locs(c, e, u);
  }
  for (size_t i = 0; i < u->n_possible; i++) {
    const gql_type *m = u->possible[i];
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = u->possible[j] == m;
    gql_error *e = NULL;
    if (seen)
      e = report(c, (gql_loc){0, 0}, "Union type %s can only include type %s once.", u->name,
                 m->name);
    else if (m->kind != GQL_KIND_OBJECT)
      e = report(c, (gql_loc){0, 0},
                 "Union type %s can only include Object types, it cannot include %s.", u->name,
                 m->name);
    if (e)
      add_member_locs(c, e, u, m->name);
  }
}

static void check_enum(check_ctx *c, const gql_type *t) {
  if (t->n_values == 0) {
    gql_error *e =
        report(c, (gql_loc){0, 0}, "Enum type %s must define one or more values.", t->name);
    add_type_locs(c, e, t);
  }
  const gql_type_nodes *n = nodes_of(c, t);
  size_t k = 0;
  for (size_t i = 0; n && i < n->n_defs; i++)
    for (size_t j = 0; j < n->defs[i]->n_values; j++, k++)
      check_name(c, t->values[k].name, n->defs[i]->values[j].loc);
}

static void check_input_object(check_ctx *c, const gql_type *t) {
  if (t->n_input_fields == 0) {
    gql_error *e =
        report(c, (gql_loc){0, 0}, "Input Object type %s must define one or more fields.", t->name);
    add_type_locs(c, e, t);
  }
  for (size_t i = 0; i < t->n_input_fields; i++) {
    const gql_input_value *f = &t->input_fields[i];
    const gql_input_value_def *fn = input_field_node(c, t, f->name);
    check_name(c, f->name, f->loc);
    if (!gql_is_input_type(f->type))
      report(c, ref_loc(fn), "The type of %s.%s must be Input Type but got: %s.", t->name, f->name,
             tstr(c, f->type));
    if (is_required(f) && f->deprecated) {
      gql_error *e = report(c, deprecated_loc(fn),
                            "Required input field %s.%s cannot be deprecated.", t->name, f->name);
      add_loc(c, e, ref_loc(fn));
    }
    if (t->one_of) {
      if (f->type && f->type->kind == GQL_KIND_NON_NULL)
        report(c, ref_loc(fn), "OneOf input field %s.%s must be nullable.", t->name, f->name);
      if (f->default_value)
        report(c, f->loc, "OneOf input field %s.%s cannot have a default value.", t->name, f->name);
    }
  }
}

/* Non-null input object cycles: a depth-first walk over non-null input
 * object fields, remembering where each type entered the current path. */
typedef struct cycle_ctx {
  check_ctx *c;
  strmap visited;    /* name → non-NULL once walked */
  strmap path_index; /* name → index + 1 in path while on it */
  const gql_input_value **path;
  size_t n_path;
} cycle_ctx;

static void detect_cycles(cycle_ctx *cc, const gql_type *t) {
  if (strmap_get(&cc->visited, t->name))
    return;
  strmap_put(&cc->visited, cc->c->a, t->name, t);
  strmap_put(&cc->path_index, cc->c->a, t->name, (void *)(uintptr_t)(cc->n_path + 1));
  for (size_t i = 0; i < t->n_input_fields; i++) {
    const gql_input_value *f = &t->input_fields[i];
    if (!f->type || f->type->kind != GQL_KIND_NON_NULL ||
        f->type->of->kind != GQL_KIND_INPUT_OBJECT)
      continue;
    const gql_type *ft = f->type->of;
    size_t at = (size_t)(uintptr_t)strmap_get(&cc->path_index, ft->name);
    cc->path[cc->n_path++] = f;
    if (!at) {
      detect_cycles(cc, ft);
    } else {
      buf b;
      buf_init(&b, NULL);
      for (size_t k = at - 1; k < cc->n_path; k++) {
        if (k > at - 1)
          buf_putc(&b, '.');
        buf_puts(&b, cc->path[k]->name);
      }
      gql_error *e = report(cc->c, cc->path[at - 1]->loc,
                            "Cannot reference Input Object \"%s\" within itself through a series "
                            "of non-null fields: \"%s\".",
                            ft->name, buf_cstr(&b));
      buf_free(&b);
      for (size_t k = at; k < cc->n_path; k++)
        add_loc(cc->c, e, cc->path[k]->loc);
    }
    cc->n_path--;
  }
  strmap_put(&cc->path_index, cc->c->a, t->name, NULL);
}

size_t gql_schema_check(const gql_schema *s, const gql_schema_nodes *nodes, gql_errors *errs) {
  arena *scratch = arena_new(0);
  check_ctx c = {.s = s, .nodes = nodes, .errs = errs, .a = scratch};
  strmap_reserve(&c.index, scratch, s->n_types);
  for (size_t i = 0; i < s->n_types; i++)
    strmap_put(&c.index, scratch, s->types[i]->name, (void *)(uintptr_t)(i + 1));
  cycle_ctx cc = {.c = &c};
  strmap_reserve(&cc.visited, scratch, s->n_types);
  strmap_reserve(&cc.path_index, scratch, s->n_types);
  size_t max_path = 0;
  for (size_t i = 0; i < s->n_types; i++)
    max_path += s->types[i]->n_input_fields;
  cc.path = ARENA_ARRAY(scratch, const gql_input_value *, max_path + 1);

  check_roots(&c);
  check_directive_defs(&c);
  for (size_t i = 0; i < s->n_types; i++) {
    const gql_type *t = s->types[i];
    if (t->builtin)
      continue; /* the specified scalars and the introspection types are valid */
    check_name(&c, t->name, type_loc(&c, t));
    switch (t->kind) {
    case GQL_KIND_OBJECT:
    case GQL_KIND_INTERFACE:
      check_fields(&c, t);
      check_interfaces(&c, t);
      break;
    case GQL_KIND_UNION:
      check_union(&c, t);
      break;
    case GQL_KIND_ENUM:
      check_enum(&c, t);
      break;
    case GQL_KIND_INPUT_OBJECT:
      check_input_object(&c, t);
      detect_cycles(&cc, t);
      break;
    default:
      break;
    }
  }
  arena_free(scratch);
  return c.n_errors;
}
