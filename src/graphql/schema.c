/* schema.c — the parts of a schema used while serving: lookups by name,
 * list and non-null wrappers, type predicates and relations (spec §3 and
 * graphql-js's typeComparators), the hook setters, the resolver-value
 * constructors and gql_arg.
 *
 * Lookups go through arena hash maps built once by gql_schema_build, so a
 * schema with hundreds of types and a Query type with a hundred fields
 * answers in constant time. Building lives in schema_build.c, the
 * type-system rules in schema_check.c, scalar coercion in scalars.c. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/schema.h"
#include "graphql/schema_internal.h"

const char *const gql_directive_location_names[GQL_DL_COUNT] = {
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
    "DIRECTIVE_DEFINITION",
};

unsigned gql_directive_location_index(const char *name) {
  unsigned i = 0;
  while (i < GQL_DL_COUNT && strcmp(gql_directive_location_names[i], name) != 0)
    i++;
  return i;
}

/* ---- name maps ---- */

void gql_type_build_lookup(arena *a, gql_type *t) {
  strmap *m = ARENA_NEW(a, strmap);
  switch (t->kind) {
  case GQL_KIND_OBJECT:
  case GQL_KIND_INTERFACE:
    strmap_reserve(m, a, t->n_fields);
    for (size_t i = 0; i < t->n_fields; i++)
      strmap_put(m, a, t->fields[i].name, (void *)(uintptr_t)(i + 1));
    break;
  case GQL_KIND_ENUM:
    strmap_reserve(m, a, t->n_values);
    for (size_t i = 0; i < t->n_values; i++)
      strmap_put(m, a, t->values[i].name, (void *)(uintptr_t)(i + 1));
    break;
  case GQL_KIND_INPUT_OBJECT:
    strmap_reserve(m, a, t->n_input_fields);
    for (size_t i = 0; i < t->n_input_fields; i++)
      strmap_put(m, a, t->input_fields[i].name, (void *)(uintptr_t)(i + 1));
    break;
  default:
    return;
  }
  t->lookup = m;
}

/* Index + 1 of name in t's lookup, 0 when absent (or t has none). */
static size_t type_index(const gql_type *t, const char *name) {
  return t->lookup ? (size_t)(uintptr_t)strmap_get(t->lookup, name) : 0;
}

/* ---- lookups ---- */

static gql_schema_priv *priv(const gql_schema *s) { return s->lookup; }

gql_type *gql_schema_type(const gql_schema *s, const char *name) {
  return strmap_get(&priv(s)->types, name);
}

const gql_schema_directive *gql_schema_directive_named(const gql_schema *s, const char *name) {
  return strmap_get(&priv(s)->directives, name);
}

gql_field *gql_type_field(const gql_type *t, const char *name) {
  if (!t || (t->kind != GQL_KIND_OBJECT && t->kind != GQL_KIND_INTERFACE))
    return NULL;
  size_t i = type_index(t, name);
  return i ? &t->fields[i - 1] : NULL;
}

gql_field *gql_schema_field(const gql_schema *s, const gql_type *t, const char *name) {
  if (!t || !name)
    return NULL;
  if (name[0] == '_' && name[1] == '_') {
    if (strcmp(name, "__typename") == 0 && gql_is_composite_type(t))
      return s->meta_typename;
    if (t == s->query) {
      if (strcmp(name, "__schema") == 0)
        return s->meta_schema;
      if (strcmp(name, "__type") == 0)
        return s->meta_type;
    }
  }
  return gql_type_field(t, name);
}

const gql_input_value *gql_field_arg(const gql_field *f, const char *name) {
  if (!f || !name)
    return NULL;
  for (size_t i = 0; i < f->n_args; i++)
    if (strcmp(f->args[i].name, name) == 0)
      return &f->args[i];
  return NULL;
}

const gql_input_value *gql_type_input_field(const gql_type *t, const char *name) {
  if (!t || t->kind != GQL_KIND_INPUT_OBJECT)
    return NULL;
  size_t i = type_index(t, name);
  return i ? &t->input_fields[i - 1] : NULL;
}

const gql_enum_value *gql_type_enum_value(const gql_type *t, const char *name) {
  if (!t || t->kind != GQL_KIND_ENUM)
    return NULL;
  size_t i = type_index(t, name);
  return i ? &t->values[i - 1] : NULL;
}

/* ---- wrappers ---- */

static gql_type *wrap(gql_schema *s, gql_type *t, gql_kind kind) {
  if (!t)
    return NULL;
  gql_schema_priv *p = priv(s);
  pthread_mutex_lock(&p->wrap_lock);
  gql_type **cache = kind == GQL_KIND_LIST ? &t->list_of : &t->non_null_of;
  gql_type *w = *cache;
  if (!w) {
    w = ARENA_NEW(s->arena, gql_type);
    w->kind = kind;
    w->of = t;
    *cache = w;
  }
  pthread_mutex_unlock(&p->wrap_lock);
  return w;
}

gql_type *gql_list_of(gql_schema *s, gql_type *t) { return wrap(s, t, GQL_KIND_LIST); }

gql_type *gql_non_null_of(gql_schema *s, gql_type *t) {
  if (t && t->kind == GQL_KIND_NON_NULL)
    return t;
  return wrap(s, t, GQL_KIND_NON_NULL);
}

gql_type *gql_schema_resolve_type_ref(gql_schema *s, const gql_type_ref *ref) {
  if (!ref)
    return NULL;
  switch (ref->kind) {
  case GQL_TYPE_REF_NAMED:
    return gql_schema_type(s, ref->name);
  case GQL_TYPE_REF_LIST:
    return gql_list_of(s, gql_schema_resolve_type_ref(s, ref->of));
  case GQL_TYPE_REF_NON_NULL:
    return gql_non_null_of(s, gql_schema_resolve_type_ref(s, ref->of));
  }
  return NULL;
}

/* ---- predicates ---- */

gql_type *gql_named_type(const gql_type *t) {
  while (t && (t->kind == GQL_KIND_LIST || t->kind == GQL_KIND_NON_NULL))
    t = t->of;
  return (gql_type *)t;
}

gql_type *gql_nullable_type(const gql_type *t) {
  if (t && t->kind == GQL_KIND_NON_NULL)
    return t->of;
  return (gql_type *)t;
}

bool gql_is_input_type(const gql_type *t) {
  t = gql_named_type(t);
  return t && (t->kind == GQL_KIND_SCALAR || t->kind == GQL_KIND_ENUM ||
               t->kind == GQL_KIND_INPUT_OBJECT);
}

bool gql_is_output_type(const gql_type *t) {
  t = gql_named_type(t);
  return t && t->kind != GQL_KIND_INPUT_OBJECT;
}

bool gql_is_leaf_type(const gql_type *t) {
  return t && (t->kind == GQL_KIND_SCALAR || t->kind == GQL_KIND_ENUM);
}

bool gql_is_composite_type(const gql_type *t) {
  return t &&
         (t->kind == GQL_KIND_OBJECT || t->kind == GQL_KIND_INTERFACE || t->kind == GQL_KIND_UNION);
}

bool gql_is_abstract_type(const gql_type *t) {
  return t && (t->kind == GQL_KIND_INTERFACE || t->kind == GQL_KIND_UNION);
}

bool gql_type_equal(const gql_type *a, const gql_type *b) {
  if (a == b)
    return true;
  if (!a || !b || a->kind != b->kind)
    return false;
  if (a->kind == GQL_KIND_LIST || a->kind == GQL_KIND_NON_NULL)
    return gql_type_equal(a->of, b->of);
  return false;
}

static bool has_type(gql_type *const *list, size_t n, const gql_type *t) {
  for (size_t i = 0; i < n; i++)
    if (list[i] == t)
      return true;
  return false;
}

bool gql_is_possible_type(const gql_type *abs, const gql_type *obj) {
  if (!gql_is_abstract_type(abs) || !obj)
    return false;
  return has_type(abs->possible, abs->n_possible, obj);
}

/* graphql-js's schema.isSubType: obj-or-interface `sub` belongs to `abs`. */
static bool is_sub_type(const gql_type *abs, const gql_type *sub) {
  if (sub->kind == GQL_KIND_INTERFACE)
    return abs->kind == GQL_KIND_INTERFACE && has_type(sub->interfaces, sub->n_interfaces, abs);
  return gql_is_possible_type(abs, sub);
}

bool gql_type_is_subtype(const gql_schema *s, const gql_type *maybe_sub, const gql_type *super) {
  (void)s;
  if (!maybe_sub || !super)
    return false;
  if (maybe_sub == super)
    return true;
  if (super->kind == GQL_KIND_NON_NULL) {
    if (maybe_sub->kind == GQL_KIND_NON_NULL)
      return gql_type_is_subtype(s, maybe_sub->of, super->of);
    return false;
  }
  if (maybe_sub->kind == GQL_KIND_NON_NULL)
    return gql_type_is_subtype(s, maybe_sub->of, super);
  if (super->kind == GQL_KIND_LIST) {
    if (maybe_sub->kind == GQL_KIND_LIST)
      return gql_type_is_subtype(s, maybe_sub->of, super->of);
    return false;
  }
  if (maybe_sub->kind == GQL_KIND_LIST)
    return false;
  return gql_is_abstract_type(super) &&
         (maybe_sub->kind == GQL_KIND_INTERFACE || maybe_sub->kind == GQL_KIND_OBJECT) &&
         is_sub_type(super, maybe_sub);
}

bool gql_types_overlap(const gql_type *a, const gql_type *b) {
  if (!a || !b)
    return false;
  if (a == b)
    return true;
  if (gql_is_abstract_type(a)) {
    if (gql_is_abstract_type(b)) {
      for (size_t i = 0; i < b->n_possible; i++)
        if (gql_is_possible_type(a, b->possible[i]))
          return true;
      return false;
    }
    return gql_is_possible_type(a, b);
  }
  if (gql_is_abstract_type(b))
    return gql_is_possible_type(b, a);
  return false;
}

static void type_str(buf *b, const gql_type *t) {
  if (!t) {
    buf_puts(b, "?");
    return;
  }
  switch (t->kind) {
  case GQL_KIND_LIST:
    buf_putc(b, '[');
    type_str(b, t->of);
    buf_putc(b, ']');
    break;
  case GQL_KIND_NON_NULL:
    type_str(b, t->of);
    buf_putc(b, '!');
    break;
  default:
    buf_puts(b, t->name);
  }
}

const char *gql_type_str(arena *a, const gql_type *t) {
  if (t && t->name)
    return t->name;
  buf b;
  buf_init(&b, a);
  type_str(&b, t);
  return buf_cstr(&b);
}

/* ---- hooks ---- */

/* The field named by "Type.field", or NULL. */
static gql_field *dotted_field(gql_schema *s, const char *type_dot_field) {
  const char *dot = type_dot_field ? strchr(type_dot_field, '.') : NULL;
  if (!dot)
    return NULL;
  char name[256];
  size_t n = (size_t)(dot - type_dot_field);
  if (n >= sizeof name)
    return NULL;
  memcpy(name, type_dot_field, n);
  name[n] = '\0';
  return gql_type_field(gql_schema_type(s, name), dot + 1);
}

int gql_schema_set_resolver(gql_schema *s, const char *type_dot_field, gql_resolve_fn fn,
                            void *data) {
  gql_field *f = dotted_field(s, type_dot_field);
  if (!f)
    return -1;
  f->resolve = fn;
  f->resolve_data = data;
  return 0;
}

int gql_schema_set_subscribe(gql_schema *s, const char *type_dot_field, gql_subscribe_fn fn,
                             void *data) {
  gql_field *f = dotted_field(s, type_dot_field);
  if (!f)
    return -1;
  f->subscribe = fn;
  f->subscribe_data = data;
  return 0;
}

int gql_schema_set_resolve_type(gql_schema *s, const char *type_name, gql_resolve_type_fn fn,
                                void *data) {
  gql_type *t = gql_schema_type(s, type_name);
  if (!gql_is_abstract_type(t))
    return -1;
  t->resolve_type = fn;
  t->resolve_type_data = data;
  return 0;
}

int gql_schema_set_scalar(gql_schema *s, const char *type_name, const gql_scalar_hooks *hooks) {
  gql_type *t = gql_schema_type(s, type_name);
  if (!t || t->kind != GQL_KIND_SCALAR || t->builtin || !hooks)
    return -1;
  t->scalar = hooks;
  return 0;
}

void gql_schema_set_default_resolver(gql_schema *s, gql_resolve_fn fn, void *data) {
  s->default_resolve = fn;
  s->default_resolve_data = data;
}

void gql_schema_set_default_resolve_type(gql_schema *s, gql_resolve_type_fn fn, void *data) {
  s->default_resolve_type = fn;
  s->default_resolve_type_data = data;
}

/* ---- resolver values ---- */

gql_rv gql_rv_string(const char *s) {
  if (!s)
    return gql_rv_null();
  gql_rv r = {.kind = GQL_RV_STRING};
  r.u.str.s = s;
  r.u.str.len = strlen(s);
  return r;
}

gql_rv gql_rv_object(const void *ptr, const gql_type *type) {
  gql_rv r = {.kind = GQL_RV_OBJECT};
  r.u.obj.ptr = ptr;
  r.u.obj.type = type;
  return r;
}

gql_rv gql_rv_json(const json_t *j) {
  if (!j)
    return gql_rv_null();
  gql_rv r = {.kind = GQL_RV_JSON, .u.json = j};
  return r;
}

gql_rv gql_rv_list(arena *a, size_t n) {
  gql_rv r = {.kind = GQL_RV_LIST};
  r.u.list.items = n ? ARENA_ARRAY(a, gql_rv, n) : NULL;
  r.u.list.n = n;
  return r;
}

gql_rv gql_rv_errorf(arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = arena_vprintf(a, fmt, ap);
  va_end(ap);
  gql_rv r = {.kind = GQL_RV_ERROR, .u.error = msg};
  return r;
}

const gql_value *gql_arg(const gql_resolve_info *info, const char *name) {
  if (!info || !info->field || !info->args || !name)
    return NULL;
  for (size_t i = 0; i < info->field->n_args; i++)
    if (strcmp(info->field->args[i].name, name) == 0)
      return info->args[i];
  return NULL;
}
