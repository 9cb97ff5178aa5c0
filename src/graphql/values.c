/* values.c — input coercion: variables (spec §6.1.2 CoerceVariableValues),
 * arguments (§6.4.1 CoerceArgumentValues) and the input rules of each type.
 *
 * Two sets of rules exist, as in graphql-js. Values that came from JSON
 * (variables) follow coerceInputValue: every problem is reported, with the
 * offending value printed as graphql-js's inspect() prints it and a path
 * into the value ("input.list[0]"). Literal values of the document follow
 * valueFromAST: they were validated already, may contain variables (already
 * coerced, substituted as they are), and a failure simply means "no value".
 * Coerced values are gql_value trees in the request arena: input objects
 * list their fields in definition order, enums are ENUM values naming the
 * schema's enum value, scalars are whatever their parse hook returns. */
#include "graphql/values.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/inspect.h"
#include "graphql/printer.h"
#include "graphql/suggest.h"

/* graphql-js aborts variable coercion after this many errors. */
#define MAX_VARIABLE_ERRORS 50

/* ---- building values ---- */

static gql_value *new_value(arena *a, gql_value_kind kind) {
  gql_value *v = ARENA_NEW(a, gql_value);
  v->kind = kind;
  return v;
}

gql_value *gql_value_from_json(arena *a, const json_t *j) {
  if (!j)
    return new_value(a, GQL_VALUE_NULL);
  gql_value *v;
  switch (json_typeof(j)) {
  case JSON_OBJECT: {
    v = new_value(a, GQL_VALUE_OBJECT);
    v->fields = ARENA_ARRAY(a, gql_object_field, json_object_size(j));
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)j, key, item) {
      gql_object_field *f = &v->fields[v->n_fields++];
      f->name = arena_strdup(a, key);
      f->value = gql_value_from_json(a, item);
    }
    return v;
  }
  case JSON_ARRAY:
    v = new_value(a, GQL_VALUE_LIST);
    v->n_items = json_array_size(j);
    v->items = ARENA_ARRAY(a, gql_value *, v->n_items);
    for (size_t i = 0; i < v->n_items; i++)
      v->items[i] = gql_value_from_json(a, json_array_get(j, i));
    return v;
  case JSON_STRING:
    v = new_value(a, GQL_VALUE_STRING);
    v->str_len = json_string_length(j);
    v->str = arena_strndup(a, json_string_value(j), v->str_len);
    return v;
  case JSON_INTEGER:
    v = new_value(a, GQL_VALUE_INT);
    v->ival = (int64_t)json_integer_value(j);
    v->fval = (double)v->ival;
    v->str = arena_printf(a, "%lld", (long long)v->ival);
    return v;
  case JSON_REAL: {
    v = new_value(a, GQL_VALUE_FLOAT);
    v->fval = json_real_value(j);
    char tmp[40];
    json_format_double(v->fval, tmp);
    v->str = arena_strdup(a, tmp);
    return v;
  }
  case JSON_TRUE:
  case JSON_FALSE:
    v = new_value(a, GQL_VALUE_BOOLEAN);
    v->boolean = json_is_true(j);
    return v;
  case JSON_NULL:
  default:
    return new_value(a, GQL_VALUE_NULL);
  }
}

const gql_value *gql_value_field(const gql_value *obj, const char *name) {
  if (!obj || obj->kind != GQL_VALUE_OBJECT)
    return NULL;
  for (size_t i = 0; i < obj->n_fields; i++)
    if (strcmp(obj->fields[i].name, name) == 0)
      return obj->fields[i].value;
  return NULL;
}

/* A literal as graphql-js's printForError prints it. */
static const char *print_literal(arena *a, const gql_value *v) {
  buf b;
  buf_init(&b, a);
  gql_print_value(&b, v);
  return buf_cstr(&b);
}

/* ---- "Did you mean" ---- */

static void did_you_mean_enum(buf *b, arena *a, const gql_type *t, const char *input) {
  const char **names = ARENA_ARRAY(a, const char *, t->n_values + 1);
  for (size_t i = 0; i < t->n_values; i++)
    names[i] = t->values[i].name;
  buf_puts(b, gql_suggest(a, "the enum value", input, names, t->n_values));
}

/* ---- leaf types, shared by both rule sets ---- */

/* Coerces a value without variables to an enum or scalar; NULL and a
 * message in *msg (arena) on failure. */
static const gql_value *coerce_leaf(const gql_type *t, const gql_value *v, bool from_variable,
                                    arena *a, const char **msg) {
  if (t->kind == GQL_KIND_ENUM) {
    bool right_kind = from_variable ? v->kind == GQL_VALUE_STRING : v->kind == GQL_VALUE_ENUM;
    const gql_enum_value *ev = right_kind ? gql_type_enum_value(t, v->str) : NULL;
    if (ev) {
      gql_value *out = new_value(a, GQL_VALUE_ENUM);
      out->str = ev->name;
      out->str_len = strlen(ev->name);
      out->loc = v->loc;
      return out;
    }
    buf b;
    buf_init(&b, a);
    const char *shown = from_variable ? gql_inspect_value(a, v) : print_literal(a, v);
    if (!right_kind) {
      buf_printf(&b, "Enum \"%s\" cannot represent non-%s value: %s.", t->name,
                 from_variable ? "string" : "enum", shown);
      did_you_mean_enum(&b, a, t, shown);
    } else {
      buf_printf(&b, "Value \"%s\" does not exist in \"%s\" enum.", from_variable ? v->str : shown,
                 t->name);
      did_you_mean_enum(&b, a, t, v->str);
    }
    *msg = buf_cstr(&b);
    return NULL;
  }
  if (!t->scalar || !t->scalar->parse)
    return v;
  char err[512];
  err[0] = '\0';
  const gql_value *out = t->scalar->parse(v, from_variable, a, err, sizeof err);
  if (!out)
    *msg = arena_strdup(a, err[0] ? err : "Invalid value.");
  return out;
}

/* ---- coercing values that came from JSON (coerceInputValue) ---- */

/* A position inside a value being coerced: ".key" or "[index]" steps. */
typedef struct in_path {
  const struct in_path *prev;
  const char *key; /* NULL for a list index */
  size_t index;
} in_path;

static void print_path(buf *b, const in_path *p) {
  if (!p)
    return;
  print_path(b, p->prev);
  if (p->key)
    buf_printf(b, ".%s", p->key);
  else
    buf_printf(b, "[%zu]", p->index);
}

typedef struct coercer coercer;
struct coercer {
  const gql_schema *schema;
  arena *arena;
  /* Receives each problem: where, the offending value, the reason. */
  void (*report)(coercer *c, const in_path *path, const gql_value *invalid, const char *msg);
  bool failed;
  bool aborted; /* stop now (too many errors) */
  /* For variables. */
  gql_errors *errs;
  size_t errs_base; /* errs->n when coercion started */
  const gql_variable_definition *var;
  /* For gql_coerce_value: the first problem, formatted. */
  const char *first;
};

static void fail(coercer *c, const in_path *path, const gql_value *invalid, const char *msg) {
  c->failed = true;
  if (!c->aborted)
    c->report(c, path, invalid, msg);
}

static const gql_value *coerce_literal(const gql_schema *s, const gql_value *v,
                                       const gql_type *type, const gql_value *vars, arena *a,
                                       const char **msg);

static const gql_value *coerce_input(coercer *c, const gql_value *in, const gql_type *type,
                                     const in_path *path);

static const gql_value *coerce_input_object(coercer *c, const gql_value *in, const gql_type *t,
                                            const in_path *path) {
  arena *a = c->arena;
  if (in->kind != GQL_VALUE_OBJECT) {
    fail(c, path, in, arena_printf(a, "Expected type \"%s\" to be an object.", t->name));
    return NULL;
  }
  gql_value *out = new_value(a, GQL_VALUE_OBJECT);
  out->fields = ARENA_ARRAY(a, gql_object_field, t->n_input_fields + 1);
  for (size_t i = 0; i < t->n_input_fields && !c->aborted; i++) {
    const gql_input_value *def = &t->input_fields[i];
    const gql_value *given = gql_value_field(in, def->name);
    const gql_value *coerced;
    if (!given) {
      if (def->default_value) {
        coerced = coerce_literal(c->schema, def->default_value, def->type, NULL, a, NULL);
      } else {
        if (def->type->kind == GQL_KIND_NON_NULL)
          fail(c, path, in,
               arena_printf(a, "Field \"%s\" of required type \"%s\" was not provided.", def->name,
                            gql_type_str(a, def->type)));
        continue;
      }
    } else {
      in_path sub = {path, def->name, 0};
      coerced = coerce_input(c, given, def->type, &sub);
    }
    if (coerced) {
      gql_object_field *f = &out->fields[out->n_fields++];
      f->name = def->name;
      f->value = (gql_value *)coerced;
    }
  }
  for (size_t i = 0; i < in->n_fields && !c->aborted; i++) {
    const char *name = in->fields[i].name;
    if (gql_type_input_field(t, name))
      continue;
    const char **names = ARENA_ARRAY(a, const char *, t->n_input_fields + 1);
    for (size_t k = 0; k < t->n_input_fields; k++)
      names[k] = t->input_fields[k].name;
    buf b;
    buf_init(&b, a);
    buf_printf(&b, "Field \"%s\" is not defined by type \"%s\".", name, t->name);
    buf_puts(&b, gql_suggest(a, NULL, name, names, t->n_input_fields));
    fail(c, path, in, buf_cstr(&b));
  }
  if (t->one_of && !c->aborted) {
    /* Counted over the fields that coerced, as graphql-js counts its keys. */
    if (out->n_fields != 1)
      fail(c, path, in,
           arena_printf(a, "Exactly one key must be specified for OneOf type \"%s\".", t->name));
    if (out->n_fields > 0 && out->fields[0].value->kind == GQL_VALUE_NULL) {
      in_path sub = {path, out->fields[0].name, 0};
      fail(c, &sub, out->fields[0].value,
           arena_printf(a, "Field \"%s\" must be non-null.", out->fields[0].name));
    }
  }
  return out;
}

static const gql_value *coerce_input(coercer *c, const gql_value *in, const gql_type *type,
                                     const in_path *path) {
  arena *a = c->arena;
  if (type->kind == GQL_KIND_NON_NULL) {
    if (in->kind != GQL_VALUE_NULL)
      return coerce_input(c, in, type->of, path);
    fail(c, path, in,
         arena_printf(a, "Expected non-nullable type \"%s\" not to be null.",
                      gql_type_str(a, type)));
    return NULL;
  }
  if (in->kind == GQL_VALUE_NULL)
    return in;
  switch (type->kind) {
  case GQL_KIND_LIST: {
    gql_value *out = new_value(a, GQL_VALUE_LIST);
    if (in->kind != GQL_VALUE_LIST) {
      /* A single value stands for a list of one. */
      const gql_value *item = coerce_input(c, in, type->of, path);
      out->items = ARENA_ARRAY(a, gql_value *, 1);
      out->items[0] = (gql_value *)item;
      out->n_items = 1;
      return item ? out : NULL;
    }
    out->items = ARENA_ARRAY(a, gql_value *, in->n_items + 1);
    out->n_items = in->n_items;
    for (size_t i = 0; i < in->n_items && !c->aborted; i++) {
      in_path sub = {path, NULL, i};
      out->items[i] = (gql_value *)coerce_input(c, in->items[i], type->of, &sub);
    }
    return out;
  }
  case GQL_KIND_INPUT_OBJECT:
    return coerce_input_object(c, in, type, path);
  case GQL_KIND_ENUM:
  case GQL_KIND_SCALAR: {
    const char *msg = NULL;
    const gql_value *out = coerce_leaf(type, in, true, a, &msg);
    if (!out)
      fail(c, path, in, msg);
    return out;
  }
  default:
    fail(c, path, in, arena_printf(a, "Expected an input type, found \"%s\".", type->name));
    return NULL;
  }
}

/* ---- variables ---- */

/* Adds an error of variable coercion unless the limit was reached, in which
 * case graphql-js's abort error ends the coercion. */
static void variable_error(coercer *c, gql_loc loc, const char *msg) {
  if (c->errs->n - c->errs_base >= MAX_VARIABLE_ERRORS) {
    gql_errors_add(c->errs, (gql_loc){0, 0},
                   "Too many errors processing variables, error limit reached. Execution "
                   "aborted.");
    c->aborted = true;
    return;
  }
  gql_errors_add(c->errs, loc, "%s", msg);
}

static void report_variable(coercer *c, const in_path *path, const gql_value *invalid,
                            const char *msg) {
  buf b;
  buf_init(&b, c->arena);
  buf_printf(&b, "Variable \"$%s\" got invalid value %s", c->var->name,
             gql_inspect_value(c->arena, invalid));
  if (path) {
    buf_printf(&b, " at \"%s", c->var->name);
    print_path(&b, path);
    buf_putc(&b, '"');
  }
  buf_printf(&b, "; %s", msg);
  variable_error(c, c->var->loc, buf_cstr(&b));
}

gql_value *gql_coerce_variables(const gql_schema *s, const gql_operation *op, const json_t *vars,
                                arena *a, gql_errors *errs) {
  coercer c = {
      .schema = s, .arena = a, .report = report_variable, .errs = errs, .errs_base = errs->n};
  gql_value *out = new_value(a, GQL_VALUE_OBJECT);
  out->fields = ARENA_ARRAY(a, gql_object_field, op->n_vars + 1);
  if (vars && !json_is_object(vars))
    vars = NULL;
  for (size_t i = 0; i < op->n_vars && !c.aborted; i++) {
    const gql_variable_definition *vd = &op->vars[i];
    c.var = vd;
    gql_type *type = gql_schema_resolve_type_ref((gql_schema *)s, vd->type);
    if (!type || !gql_is_input_type(type)) {
      buf b;
      buf_init(&b, a);
      gql_print_type_ref(&b, vd->type);
      variable_error(&c, vd->type->loc,
                     arena_printf(a,
                                  "Variable \"$%s\" expected value of type \"%s\" which cannot "
                                  "be used as an input type.",
                                  vd->name, buf_cstr(&b)));
      continue;
    }
    const json_t *given = vars ? json_object_get(vars, vd->name) : NULL;
    const gql_value *coerced = NULL;
    if (!given) {
      if (vd->default_value)
        coerced = coerce_literal(s, vd->default_value, type, NULL, a, NULL);
      else if (type->kind == GQL_KIND_NON_NULL)
        variable_error(&c, vd->loc,
                       arena_printf(a, "Variable \"$%s\" of required type \"%s\" was not provided.",
                                    vd->name, gql_type_str(a, type)));
    } else if (json_is_null(given) && type->kind == GQL_KIND_NON_NULL) {
      variable_error(&c, vd->loc,
                     arena_printf(a, "Variable \"$%s\" of non-null type \"%s\" must not be null.",
                                  vd->name, gql_type_str(a, type)));
    } else {
      c.failed = false;
      coerced = coerce_input(&c, gql_value_from_json(a, given), type, NULL);
      if (c.failed)
        coerced = NULL;
    }
    if (coerced) {
      gql_object_field *f = &out->fields[out->n_fields++];
      f->name = vd->name;
      f->loc = vd->loc;
      f->value = (gql_value *)coerced;
    }
  }
  return errs->n > c.errs_base ? NULL : out;
}

/* ---- literals (valueFromAST) ---- */

static bool has_variables(const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_VARIABLE:
    return true;
  case GQL_VALUE_LIST:
    for (size_t i = 0; i < v->n_items; i++)
      if (has_variables(v->items[i]))
        return true;
    return false;
  case GQL_VALUE_OBJECT:
    for (size_t i = 0; i < v->n_fields; i++)
      if (has_variables(v->fields[i].value))
        return true;
    return false;
  default:
    return false;
  }
}

/* A copy of v with its variables replaced by their values, for scalars that
 * take structured literals (valueFromASTUntyped): a missing variable is null
 * in a list and leaves its object field out. */
static const gql_value *substitute(const gql_value *v, const gql_value *vars, arena *a) {
  if (!has_variables(v))
    return v;
  if (v->kind == GQL_VALUE_VARIABLE)
    return gql_value_field(vars, v->str);
  gql_value *out = new_value(a, v->kind);
  out->loc = v->loc;
  if (v->kind == GQL_VALUE_LIST) {
    out->items = ARENA_ARRAY(a, gql_value *, v->n_items);
    out->n_items = v->n_items;
    for (size_t i = 0; i < v->n_items; i++) {
      const gql_value *item = substitute(v->items[i], vars, a);
      out->items[i] = item ? (gql_value *)item : new_value(a, GQL_VALUE_NULL);
    }
  } else {
    out->fields = ARENA_ARRAY(a, gql_object_field, v->n_fields);
    for (size_t i = 0; i < v->n_fields; i++) {
      const gql_value *fv = substitute(v->fields[i].value, vars, a);
      if (!fv)
        continue;
      out->fields[out->n_fields] = v->fields[i];
      out->fields[out->n_fields++].value = (gql_value *)fv;
    }
  }
  return out;
}

static bool is_missing_variable(const gql_value *v, const gql_value *vars) {
  return v->kind == GQL_VALUE_VARIABLE && !gql_value_field(vars, v->str);
}

static const gql_value *literal_failure(arena *a, const char **msg, const gql_type *type,
                                        const gql_value *v) {
  if (msg && !*msg)
    *msg = arena_printf(a, "Expected value of type \"%s\", found %s.", gql_type_str(a, type),
                        print_literal(a, v));
  return NULL;
}

static const gql_value *coerce_literal_object(const gql_schema *s, const gql_value *v,
                                              const gql_type *t, const gql_value *vars, arena *a,
                                              const char **msg) {
  if (v->kind != GQL_VALUE_OBJECT)
    return literal_failure(a, msg, t, v);
  gql_value *out = new_value(a, GQL_VALUE_OBJECT);
  out->loc = v->loc;
  out->fields = ARENA_ARRAY(a, gql_object_field, t->n_input_fields + 1);
  for (size_t i = 0; i < t->n_input_fields; i++) {
    const gql_input_value *def = &t->input_fields[i];
    const gql_object_field *given = NULL;
    for (size_t k = 0; k < v->n_fields && !given; k++)
      if (strcmp(v->fields[k].name, def->name) == 0)
        given = &v->fields[k];
    const gql_value *coerced;
    if (!given || is_missing_variable(given->value, vars)) {
      if (def->default_value) {
        coerced = coerce_literal(s, def->default_value, def->type, NULL, a, msg);
      } else if (def->type->kind == GQL_KIND_NON_NULL) {
        if (msg && !*msg)
          *msg = arena_printf(a, "Field \"%s.%s\" of required type \"%s\" was not provided.",
                              t->name, def->name, gql_type_str(a, def->type));
        return NULL;
      } else {
        continue;
      }
    } else {
      coerced = coerce_literal(s, given->value, def->type, vars, a, msg);
    }
    if (!coerced)
      return NULL;
    gql_object_field *f = &out->fields[out->n_fields++];
    f->name = def->name;
    f->loc = given ? given->loc : v->loc;
    f->value = (gql_value *)coerced;
  }
  if (t->one_of && (out->n_fields != 1 || out->fields[0].value->kind == GQL_VALUE_NULL)) {
    if (msg && !*msg)
      *msg =
          out->n_fields != 1
              ? arena_printf(a, "OneOf Input Object \"%s\" must specify exactly one key.", t->name)
              : arena_printf(a, "Field \"%s.%s\" must be non-null.", t->name, out->fields[0].name);
    return NULL;
  }
  return out;
}

static const gql_value *coerce_literal(const gql_schema *s, const gql_value *v,
                                       const gql_type *type, const gql_value *vars, arena *a,
                                       const char **msg) {
  if (v->kind == GQL_VALUE_VARIABLE) {
    const gql_value *val = gql_value_field(vars, v->str);
    if (!val) {
      if (msg && !*msg)
        *msg = arena_printf(a, "Variable \"$%s\" was not provided.", v->str);
      return NULL;
    }
    if (val->kind == GQL_VALUE_NULL && type->kind == GQL_KIND_NON_NULL)
      return literal_failure(a, msg, type, val);
    return val;
  }
  if (type->kind == GQL_KIND_NON_NULL) {
    if (v->kind == GQL_VALUE_NULL)
      return literal_failure(a, msg, type, v);
    return coerce_literal(s, v, type->of, vars, a, msg);
  }
  if (v->kind == GQL_VALUE_NULL)
    return v;
  switch (type->kind) {
  case GQL_KIND_LIST: {
    const gql_type *item_type = type->of;
    gql_value *out = new_value(a, GQL_VALUE_LIST);
    out->loc = v->loc;
    if (v->kind != GQL_VALUE_LIST) {
      const gql_value *item = coerce_literal(s, v, item_type, vars, a, msg);
      if (!item)
        return NULL;
      out->items = ARENA_ARRAY(a, gql_value *, 1);
      out->items[0] = (gql_value *)item;
      out->n_items = 1;
      return out;
    }
    out->items = ARENA_ARRAY(a, gql_value *, v->n_items + 1);
    out->n_items = v->n_items;
    for (size_t i = 0; i < v->n_items; i++) {
      const gql_value *item;
      if (is_missing_variable(v->items[i], vars)) {
        if (item_type->kind == GQL_KIND_NON_NULL)
          return literal_failure(a, msg, item_type, v->items[i]);
        item = new_value(a, GQL_VALUE_NULL);
      } else {
        item = coerce_literal(s, v->items[i], item_type, vars, a, msg);
        if (!item)
          return NULL;
      }
      out->items[i] = (gql_value *)item;
    }
    return out;
  }
  case GQL_KIND_INPUT_OBJECT:
    return coerce_literal_object(s, v, type, vars, a, msg);
  case GQL_KIND_ENUM:
  case GQL_KIND_SCALAR: {
    const char *why = NULL;
    const gql_value *out = coerce_leaf(type, substitute(v, vars, a), false, a, &why);
    if (!out && msg && !*msg)
      *msg = why;
    return out;
  }
  default:
    return literal_failure(a, msg, type, v);
  }
}

/* ---- the public entry points ---- */

static void report_first(coercer *c, const in_path *path, const gql_value *invalid,
                         const char *msg) {
  if (c->first)
    return;
  if (!path) {
    c->first = msg;
    return;
  }
  buf b;
  buf_init(&b, c->arena);
  buf_printf(&b, "Invalid value %s at \"value", gql_inspect_value(c->arena, invalid));
  print_path(&b, path);
  buf_printf(&b, "\": %s", msg);
  c->first = buf_cstr(&b);
}

const gql_value *gql_coerce_value(const gql_schema *s, const gql_value *v, const gql_type *type,
                                  bool from_variable, const gql_value *variables, arena *a,
                                  const char **msg) {
  if (msg)
    *msg = NULL;
  if (!from_variable)
    return coerce_literal(s, v, type, variables, a, msg);
  coercer c = {.schema = s, .arena = a, .report = report_first};
  const gql_value *out = coerce_input(&c, v, type, NULL);
  if (c.failed) {
    if (msg)
      *msg = c.first;
    return NULL;
  }
  return out;
}

const gql_value **gql_coerce_arguments(const gql_schema *s, const gql_input_value *defs,
                                       size_t n_defs, const gql_argument *args, size_t n_args,
                                       const gql_value *variables, gql_loc loc, arena *a,
                                       gql_errors *errs) {
  const gql_value **out = ARENA_ARRAY(a, const gql_value *, n_defs + 1);
  for (size_t i = 0; i < n_defs; i++) {
    const gql_input_value *def = &defs[i];
    bool non_null = def->type->kind == GQL_KIND_NON_NULL;
    const gql_argument *given = NULL;
    for (size_t k = 0; k < n_args && !given; k++)
      if (strcmp(args[k].name, def->name) == 0)
        given = &args[k];
    const gql_value *v = given ? given->value : NULL;
    bool is_null = v && v->kind == GQL_VALUE_NULL;
    if (v && v->kind == GQL_VALUE_VARIABLE) {
      const gql_value *var = gql_value_field(variables, v->str);
      if (!var) {
        if (!def->default_value && non_null) {
          gql_errors_add(errs, v->loc,
                         "Argument \"%s\" of required type \"%s\" was provided the variable "
                         "\"$%s\" which was not provided a runtime value.",
                         def->name, gql_type_str(a, def->type), v->str);
          return NULL;
        }
        v = NULL; /* absent: the default applies */
      } else {
        is_null = var->kind == GQL_VALUE_NULL;
      }
    }
    if (!v) {
      if (def->default_value)
        out[i] = coerce_literal(s, def->default_value, def->type, NULL, a, NULL);
      else if (non_null && !given) {
        gql_errors_add(errs, loc, "Argument \"%s\" of required type \"%s\" was not provided.",
                       def->name, gql_type_str(a, def->type));
        return NULL;
      }
      continue;
    }
    if (is_null && non_null) {
      gql_errors_add(errs, v->loc, "Argument \"%s\" of non-null type \"%s\" must not be null.",
                     def->name, gql_type_str(a, def->type));
      return NULL;
    }
    out[i] = coerce_literal(s, v, def->type, variables, a, NULL);
    if (!out[i]) {
      gql_errors_add(errs, v->loc, "Argument \"%s\" has invalid value %s.", def->name,
                     print_literal(a, v));
      return NULL;
    }
  }
  return out;
}

json_t *gql_value_to_json(const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_INT:
    if (!v->int_overflow)
      return json_integer((json_int_t)v->ival);
    return json_real(v->fval); /* NULL beyond a double's range */
  case GQL_VALUE_FLOAT:
    return json_real(v->fval);
  case GQL_VALUE_STRING:
    return json_stringn_nocheck(v->str, v->str_len);
  case GQL_VALUE_ENUM:
    return json_string_nocheck(v->str);
  case GQL_VALUE_BOOLEAN:
    return json_boolean(v->boolean);
  case GQL_VALUE_LIST: {
    json_t *a = json_array();
    for (size_t i = 0; i < v->n_items; i++) {
      json_t *item = gql_value_to_json(v->items[i]);
      if (!item) {
        json_decref(a);
        return NULL;
      }
      json_array_append_new(a, item);
    }
    return a;
  }
  case GQL_VALUE_OBJECT: {
    json_t *o = json_object();
    for (size_t i = 0; i < v->n_fields; i++) {
      json_t *field = gql_value_to_json(v->fields[i].value);
      if (!field) {
        json_decref(o);
        return NULL;
      }
      json_object_set_new_nocheck(o, v->fields[i].name, field);
    }
    return o;
  }
  case GQL_VALUE_NULL:
  case GQL_VALUE_VARIABLE: /* never in a coerced value */
    break;
  }
  return json_null();
}
