/* config.c — config types: the registry, the constructors, type keys, the
 * type printer of Dagster's messages, and the Python texts (repr, str,
 * json.dumps) that keys and messages are made of.
 *
 * Keys follow dagster/_config/config_type.py and field_utils.py: the
 * built-ins are named, the closed generics compose their children's keys
 * (Array.K, Noneable.K, Map.K.V[:name: L], ScalarUnion.S-N), and the types
 * with fields hash them: sha1 over ":description: D" (when given), then per
 * field sorted by name ":fieldname:N", ":default_value: J" (when a default
 * exists), ":is_required: True|False", ":type_key: K", ":description: D"
 * (when given), then per alias sorted by field ":fieldname: F"
 * ":fieldalias: A". Field requiredness is Dagster's Field.__init__. */
#include "defs/config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/mem.h"
#include "base/ptrmap.h"
#include "base/strmap.h"
#include "base/utf8.h"
#include "defs/config_internal.h"
#include "defs/sha1.h"

/* ---- Built-ins ---------------------------------------------------------- */

static const defs_config_type builtin_any = {
    .kind = DEFS_CONFIG_ANY, .key = "Any", .given_name = "Any", .depth = 1};
static const defs_config_type builtin_scalars[] = {
    [DEFS_CONFIG_INT] = {.kind = DEFS_CONFIG_SCALAR,
                         .key = "Int",
                         .given_name = "Int",
                         .description = "",
                         .scalar_kind = DEFS_CONFIG_INT,
                         .depth = 1},
    [DEFS_CONFIG_STRING] = {.kind = DEFS_CONFIG_SCALAR,
                            .key = "String",
                            .given_name = "String",
                            .description = "",
                            .scalar_kind = DEFS_CONFIG_STRING,
                            .depth = 1},
    [DEFS_CONFIG_FLOAT] = {.kind = DEFS_CONFIG_SCALAR,
                           .key = "Float",
                           .given_name = "Float",
                           .description = "",
                           .scalar_kind = DEFS_CONFIG_FLOAT,
                           .depth = 1},
    [DEFS_CONFIG_BOOL] = {.kind = DEFS_CONFIG_SCALAR,
                          .key = "Bool",
                          .given_name = "Bool",
                          .description = "",
                          .scalar_kind = DEFS_CONFIG_BOOL,
                          .depth = 1},
};

const defs_config_type *defs_config_any(void) { return &builtin_any; }

const defs_config_type *defs_config_scalar(defs_config_scalar_kind kind) {
  return &builtin_scalars[kind];
}

/* ---- Registry ----------------------------------------------------------- */

struct defs_config_registry {
  arena *arena;
  strmap by_key;
  const defs_config_type **types; /* creation order */
  size_t n_types, cap_types;
  json_t **owned; /* default values, released with the registry */
  size_t n_owned, cap_owned;
};

static void remember(defs_config_registry *r, const defs_config_type *t) {
  if (r->n_types == r->cap_types) {
    size_t cap = r->cap_types ? r->cap_types * 2 : 32;
    r->types =
        arena_realloc(r->arena, r->types, r->cap_types * sizeof *r->types, cap * sizeof *r->types);
    r->cap_types = cap;
  }
  r->types[r->n_types++] = t;
  strmap_put(&r->by_key, r->arena, t->key, t);
}

static void own_json(defs_config_registry *r, json_t *v) {
  if (r->n_owned == r->cap_owned) {
    r->cap_owned = r->cap_owned ? r->cap_owned * 2 : 16;
    r->owned = xrealloc(r->owned, r->cap_owned * sizeof *r->owned);
  }
  r->owned[r->n_owned++] = v;
}

defs_config_registry *defs_config_registry_new(void) {
  defs_config_registry *r = xcalloc(1, sizeof *r);
  r->arena = arena_new(0);
  /* Dagster's snapshots list the built-ins in this (alphabetical) order. */
  remember(r, &builtin_any);
  remember(r, &builtin_scalars[DEFS_CONFIG_BOOL]);
  remember(r, &builtin_scalars[DEFS_CONFIG_FLOAT]);
  remember(r, &builtin_scalars[DEFS_CONFIG_INT]);
  remember(r, &builtin_scalars[DEFS_CONFIG_STRING]);
  return r;
}

void defs_config_registry_free(defs_config_registry *r) {
  if (!r)
    return;
  for (size_t i = 0; i < r->n_owned; i++)
    json_decref(r->owned[i]);
  free(r->owned);
  arena_free(r->arena);
  free(r);
}

const defs_config_type *defs_config_lookup(const defs_config_registry *r, const char *key) {
  return strmap_get(&r->by_key, key);
}

const defs_config_type *const *defs_config_registry_types(const defs_config_registry *r,
                                                          size_t *n) {
  *n = r->n_types;
  return r->types;
}

/* ---- Small helpers ------------------------------------------------------ */

static void fail(buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(buf *err, const char *fmt, ...) {
  if (!err)
    return;
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(err, fmt, ap);
  va_end(ap);
}

static bool depth_ok(int depth, buf *err) {
  if (depth <= DEFS_CONFIG_MAX_DEPTH)
    return true;
  fail(err, "config type nests deeper than %d levels", DEFS_CONFIG_MAX_DEPTH);
  return false;
}

/* The registry's type for key when it has the wanted kind; *clash is set when
 * the key is taken by a type of another kind. */
static const defs_config_type *existing(defs_config_registry *r, const char *key,
                                        defs_config_kind kind, bool *clash) {
  const defs_config_type *t = strmap_get(&r->by_key, key);
  *clash = t && t->kind != kind;
  return t && !*clash ? t : NULL;
}

static const defs_config_type *key_clash(const char *key, buf *err) {
  fail(err, "config type key \"%s\" is already taken by another type", key);
  return NULL;
}

static int max_depth(int a, int b) { return a > b ? a : b; }

bool defs_config_kind_has_fields(defs_config_kind kind) {
  return kind == DEFS_CONFIG_SELECTOR || kind == DEFS_CONFIG_STRICT_SHAPE ||
         kind == DEFS_CONFIG_PERMISSIVE_SHAPE;
}

const char *defs_config_kind_name(defs_config_kind kind) {
  static const char *const names[] = {
      [DEFS_CONFIG_ANY] = "ANY",
      [DEFS_CONFIG_SCALAR] = "SCALAR",
      [DEFS_CONFIG_ENUM] = "ENUM",
      [DEFS_CONFIG_SELECTOR] = "SELECTOR",
      [DEFS_CONFIG_STRICT_SHAPE] = "STRICT_SHAPE",
      [DEFS_CONFIG_PERMISSIVE_SHAPE] = "PERMISSIVE_SHAPE",
      [DEFS_CONFIG_SCALAR_UNION] = "SCALAR_UNION",
      [DEFS_CONFIG_MAP] = "MAP",
      [DEFS_CONFIG_ARRAY] = "ARRAY",
      [DEFS_CONFIG_NONEABLE] = "NONEABLE",
  };
  return names[kind];
}

const char *defs_config_scalar_kind_name(defs_config_scalar_kind kind) {
  static const char *const names[] = {[DEFS_CONFIG_INT] = "INT",
                                      [DEFS_CONFIG_STRING] = "STRING",
                                      [DEFS_CONFIG_FLOAT] = "FLOAT",
                                      [DEFS_CONFIG_BOOL] = "BOOL"};
  return names[kind];
}

/* ---- Closed generics ---------------------------------------------------- */

/* A type with children whose key is already composed: returns the existing
 * one or registers a copy of *proto. */
static const defs_config_type *intern(defs_config_registry *r, const defs_config_type *proto,
                                      char *key, buf *err) {
  bool clash;
  const defs_config_type *t = existing(r, key, proto->kind, &clash);
  if (clash)
    t = key_clash(key, err);
  else if (!t && depth_ok(proto->depth, err)) {
    defs_config_type *nt = ARENA_NEW(r->arena, defs_config_type);
    *nt = *proto;
    nt->key = key;
    remember(r, nt);
    t = nt;
  }
  return t;
}

const defs_config_type *defs_config_array(defs_config_registry *r, const defs_config_type *inner,
                                          buf *err) {
  char *key = arena_printf(r->arena, "Array.%s", inner->key);
  defs_config_type proto = {.kind = DEFS_CONFIG_ARRAY,
                            .inner = inner,
                            .description = arena_printf(r->arena, "List of %s", key),
                            .depth = inner->depth + 1};
  return intern(r, &proto, key, err);
}

const defs_config_type *defs_config_noneable(defs_config_registry *r, const defs_config_type *inner,
                                             buf *err) {
  char *key = arena_printf(r->arena, "Noneable.%s", inner->key);
  defs_config_type proto = {
      .kind = DEFS_CONFIG_NONEABLE, .inner = inner, .depth = inner->depth + 1};
  return intern(r, &proto, key, err);
}

const defs_config_type *defs_config_map(defs_config_registry *r, const defs_config_type *key_type,
                                        const defs_config_type *inner, const char *key_label,
                                        buf *err) {
  if (key_type->kind != DEFS_CONFIG_SCALAR) {
    fail(err, "the key type of a Map must be a scalar (Int, Float, String or Bool), not %s",
         key_type->key);
    return NULL;
  }
  if (key_label && !*key_label)
    key_label = NULL;
  char *key =
      key_label ? arena_printf(r->arena, "Map.%s.%s:name: %s", key_type->key, inner->key, key_label)
                : arena_printf(r->arena, "Map.%s.%s", key_type->key, inner->key);
  defs_config_type proto = {.kind = DEFS_CONFIG_MAP,
                            .key_type = key_type,
                            .inner = inner,
                            .given_name = key_label ? arena_strdup(r->arena, key_label) : NULL,
                            .depth = max_depth(key_type->depth, inner->depth) + 1};
  return intern(r, &proto, key, err);
}

const defs_config_type *defs_config_scalar_union(defs_config_registry *r,
                                                 const defs_config_type *scalar,
                                                 const defs_config_type *non_scalar, buf *err) {
  if (scalar->kind != DEFS_CONFIG_SCALAR) {
    fail(err, "the scalar side of a ScalarUnion must be a scalar, not %s", scalar->key);
    return NULL;
  }
  if (non_scalar->kind != DEFS_CONFIG_STRICT_SHAPE && non_scalar->kind != DEFS_CONFIG_SELECTOR &&
      non_scalar->kind != DEFS_CONFIG_ARRAY) {
    fail(err, "the non-scalar side of a ScalarUnion must be a Shape, Selector or Array, not %s",
         non_scalar->key);
    return NULL;
  }
  char *key = arena_printf(r->arena, "ScalarUnion.%s-%s", scalar->key, non_scalar->key);
  defs_config_type proto = {.kind = DEFS_CONFIG_SCALAR_UNION,
                            .scalar_type = scalar,
                            .non_scalar_type = non_scalar,
                            .depth = max_depth(scalar->depth, non_scalar->depth) + 1};
  return intern(r, &proto, key, err);
}

/* ---- Enum --------------------------------------------------------------- */

static bool same_text(const char *a, const char *b) {
  return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_enum(const defs_config_type *t, const defs_config_enum_value *values, size_t n) {
  if (t->n_enum_values != n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!same_text(t->enum_values[i].value, values[i].value) ||
        !same_text(t->enum_values[i].description, values[i].description))
      return false;
  return true;
}

const defs_config_type *defs_config_enum(defs_config_registry *r, const char *name,
                                         const defs_config_enum_value *values, size_t n, buf *err) {
  if (!name || !*name) {
    fail(err, "an Enum needs a name");
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    if (!values[i].value) {
      fail(err, "Enum \"%s\": value %zu has no config value", name, i + 1);
      return NULL;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(values[i].value, values[j].value) == 0) {
        fail(err, "Enum \"%s\": the value \"%s\" appears twice", name, values[i].value);
        return NULL;
      }
  }
  bool clash;
  const defs_config_type *t = existing(r, name, DEFS_CONFIG_ENUM, &clash);
  if (clash || (t && !same_enum(t, values, n))) {
    fail(err, "Enum \"%s\" clashes with another config type of the same name", name);
    return NULL;
  }
  if (t)
    return t;
  defs_config_enum_value *vals = ARENA_ARRAY(r->arena, defs_config_enum_value, n ? n : 1);
  for (size_t i = 0; i < n; i++) {
    vals[i].value = arena_strdup(r->arena, values[i].value);
    vals[i].description =
        values[i].description ? arena_strdup(r->arena, values[i].description) : NULL;
  }
  defs_config_type *nt = ARENA_NEW(r->arena, defs_config_type);
  nt->kind = DEFS_CONFIG_ENUM;
  nt->key = nt->given_name = arena_strdup(r->arena, name);
  nt->enum_values = vals;
  nt->n_enum_values = n;
  nt->depth = 1;
  remember(r, nt);
  return nt;
}

/* ---- Types with fields -------------------------------------------------- */

/* Whether the type needs no config at all (Dagster's all_optional_type): a
 * Shape whose fields are all optional, or a Selector with one optional field. */
static bool all_optional(const defs_config_type *t) {
  if (t->kind == DEFS_CONFIG_STRICT_SHAPE || t->kind == DEFS_CONFIG_PERMISSIVE_SHAPE) {
    for (size_t i = 0; i < t->n_fields; i++)
      if (t->fields[i].is_required)
        return false;
    return true;
  }
  if (t->kind == DEFS_CONFIG_SELECTOR)
    return t->n_fields == 1 && !t->fields[0].is_required;
  return false;
}

static int cmp_field_ptr(const void *a, const void *b) {
  const defs_config_field *fa = *(const defs_config_field *const *)a;
  const defs_config_field *fb = *(const defs_config_field *const *)b;
  return strcmp(fa->name, fb->name);
}

static int cmp_alias(const void *a, const void *b) {
  return strcmp(((const defs_config_alias *)a)->field, ((const defs_config_alias *)b)->field);
}

/* Resolves one field as Dagster's Field.__init__ does, into f (strings
 * borrowed from spec, default_value a new reference). */
static bool resolve_field(const defs_config_field_spec *spec, defs_config_field *f, buf *err) {
  if (!spec->name || !spec->type) {
    fail(err, "a config field needs a name and a type");
    return false;
  }
  if (spec->required == DEFS_CONFIG_REQUIRED_YES && spec->default_value) {
    fail(err, "field \"%s\": a required field cannot have a default value", spec->name);
    return false;
  }
  *f =
      (defs_config_field){.name = spec->name, .type = spec->type, .description = spec->description};
  if (spec->default_value) {
    arena *scratch = arena_new(0);
    defs_config_errors errs;
    defs_config_errors_init(&errs, scratch);
    if (defs_config_validate(spec->type, spec->default_value, &errs)) {
      fail(err, "Invalid default_value for Field \"%s\".", spec->name);
      for (size_t i = 0; i < errs.count; i++)
        fail(err, "\n    Error %zu: %s", i + 1, errs.items[i].message);
      arena_free(scratch);
      return false;
    }
    arena_free(scratch);
    f->default_provided = true;
    f->default_value = json_deep_copy(spec->default_value);
  }
  if (spec->required == DEFS_CONFIG_REQUIRED_INFER) {
    bool optional =
        spec->type->kind == DEFS_CONFIG_NONEABLE || all_optional(spec->type) || f->default_provided;
    f->is_required = !optional;
    if (optional && !f->default_provided) {
      /* The implied default: the type's own defaults, not post-processed. */
      f->default_provided = true;
      f->default_value = defs_config_resolve(spec->type, NULL, false);
    }
  } else {
    f->is_required = spec->required == DEFS_CONFIG_REQUIRED_YES;
  }
  return true;
}

static void hash_add(buf *h, const char *label, const char *text) {
  buf_puts(h, label);
  buf_puts(h, text);
}

/* sha1 hex of Dagster's compute_fields_hash text. */
static void fields_hash(defs_config_field *const *sorted, size_t n, const char *description,
                        const defs_config_alias *aliases, size_t n_aliases, char hex[41]) {
  buf h;
  buf_init(&h, NULL);
  buf_puts(&h, ""); /* so that h.data exists even for an empty text */
  if (description && *description)
    hash_add(&h, ":description: ", description);
  for (size_t i = 0; i < n; i++) {
    const defs_config_field *f = sorted[i];
    hash_add(&h, ":fieldname:", f->name);
    if (f->default_provided)
      hash_add(&h, ":default_value: ", f->default_json);
    hash_add(&h, ":is_required: ", f->is_required ? "True" : "False");
    hash_add(&h, ":type_key: ", f->type->key);
    if (f->description && *f->description)
      hash_add(&h, ":description: ", f->description);
  }
  for (size_t i = 0; i < n_aliases; i++) {
    hash_add(&h, ":fieldname: ", aliases[i].field);
    hash_add(&h, ":fieldalias: ", aliases[i].alias);
  }
  defs_sha1_hex(h.data, h.len, hex);
  buf_free(&h);
}

/* A type with fields on its way in: the resolved fields (strings borrowed
 * from the caller, defaults and their JSON text owned here), the same sorted
 * by name, and the aliases sorted by field. */
typedef struct draft {
  defs_config_field *fields;
  defs_config_field **sorted;
  size_t n; /* fields resolved so far */
  defs_config_alias *aliases;
  size_t n_aliases;
  int depth;
} draft;

static void draft_free(draft *d) {
  for (size_t i = 0; i < d->n; i++) {
    json_decref((json_t *)d->fields[i].default_value);
    free((char *)d->fields[i].default_json);
  }
  free(d->fields);
  free(d->sorted);
  free(d->aliases);
}

static bool draft_fields(draft *d, const defs_config_field_spec *specs, size_t n, buf *err) {
  d->fields = xcalloc(n ? n : 1, sizeof *d->fields);
  d->sorted = xcalloc(n ? n : 1, sizeof *d->sorted);
  d->depth = 1;
  for (; d->n < n; d->n++) {
    defs_config_field *f = &d->fields[d->n];
    for (size_t j = 0; j < d->n; j++)
      if (strcmp(specs[d->n].name ? specs[d->n].name : "", d->fields[j].name) == 0) {
        fail(err, "field \"%s\" is defined twice", d->fields[j].name);
        return false;
      }
    if (!resolve_field(&specs[d->n], f, err))
      return false;
    if (f->default_provided) {
      buf text;
      buf_init(&text, NULL);
      defs_config_json_dumps(f->default_value, &text);
      f->default_json = text.data;
    }
    d->sorted[d->n] = f;
    d->depth = max_depth(d->depth, f->type->depth + 1);
  }
  qsort(d->sorted, n, sizeof *d->sorted, cmp_field_ptr);
  return depth_ok(d->depth, err);
}

static bool draft_aliases(draft *d, const defs_config_alias *aliases, size_t n, buf *err) {
  d->aliases = xcalloc(n ? n : 1, sizeof *d->aliases);
  for (size_t i = 0; i < n; i++) {
    if (!aliases[i].field || !aliases[i].alias) {
      fail(err, "a field alias needs a field and an alias");
      return false;
    }
    d->aliases[i] = aliases[i];
  }
  d->n_aliases = n;
  qsort(d->aliases, n, sizeof *d->aliases, cmp_alias);
  for (size_t i = 1; i < n; i++)
    if (strcmp(d->aliases[i].field, d->aliases[i - 1].field) == 0) {
      fail(err, "field \"%s\" has two aliases", d->aliases[i].field);
      return false;
    }
  return true;
}

/* Moves a draft into the registry as a new type under key. */
static const defs_config_type *draft_register(defs_config_registry *r, draft *d,
                                              defs_config_kind kind, char *key,
                                              const char *description) {
  arena *a = r->arena;
  size_t n = d->n;
  defs_config_field *fields = ARENA_ARRAY(a, defs_config_field, n ? n : 1);
  const defs_config_field **by_name = ARENA_ARRAY(a, const defs_config_field *, n ? n : 1);
  for (size_t i = 0; i < n; i++) {
    const defs_config_field *f = &d->fields[i];
    fields[i] = *f;
    fields[i].name = arena_strdup(a, f->name);
    fields[i].description = f->description ? arena_strdup(a, f->description) : NULL;
    fields[i].default_json = f->default_json ? arena_strdup(a, f->default_json) : NULL;
    if (f->default_value) {
      own_json(r, (json_t *)f->default_value);
      d->fields[i].default_value = NULL; /* the registry owns it now */
    }
  }
  for (size_t i = 0; i < n; i++)
    by_name[i] = &fields[d->sorted[i] - d->fields];
  defs_config_alias *aliases = ARENA_ARRAY(a, defs_config_alias, d->n_aliases ? d->n_aliases : 1);
  for (size_t i = 0; i < d->n_aliases; i++) {
    aliases[i].field = arena_strdup(a, d->aliases[i].field);
    aliases[i].alias = arena_strdup(a, d->aliases[i].alias);
  }
  defs_config_type *t = ARENA_NEW(a, defs_config_type);
  t->kind = kind;
  t->key = key;
  t->description = description ? arena_strdup(a, description) : NULL;
  t->fields = fields;
  t->sorted_fields = by_name;
  t->n_fields = n;
  t->aliases = aliases;
  t->n_aliases = d->n_aliases;
  t->depth = d->depth;
  remember(r, t);
  return t;
}

/* Builds (or finds) a Shape, Permissive or Selector. */
static const defs_config_type *fields_type(defs_config_registry *r, defs_config_kind kind,
                                           const defs_config_field_spec *specs, size_t n,
                                           const char *description,
                                           const defs_config_alias *aliases, size_t n_aliases,
                                           buf *err) {
  draft d = {0};
  const defs_config_type *result = NULL;
  if (draft_fields(&d, specs, n, err) && draft_aliases(&d, aliases, n_aliases, err)) {
    char hex[41];
    fields_hash(d.sorted, n, description, d.aliases, n_aliases, hex);
    const char *prefix = kind == DEFS_CONFIG_SELECTOR       ? "Selector"
                         : kind == DEFS_CONFIG_STRICT_SHAPE ? "Shape"
                                                            : "Permissive";
    char *key = kind == DEFS_CONFIG_PERMISSIVE_SHAPE && n == 0
                    ? arena_strdup(r->arena, "Permissive")
                    : arena_printf(r->arena, "%s.%s", prefix, hex);
    bool clash;
    result = existing(r, key, kind, &clash);
    if (clash)
      key_clash(key, err);
    else if (!result)
      result = draft_register(r, &d, kind, key, description);
  }
  draft_free(&d);
  return result;
}

const defs_config_type *defs_config_shape(defs_config_registry *r,
                                          const defs_config_field_spec *fields, size_t n,
                                          const char *description, const defs_config_alias *aliases,
                                          size_t n_aliases, buf *err) {
  return fields_type(r, DEFS_CONFIG_STRICT_SHAPE, fields, n, description, aliases, n_aliases, err);
}

const defs_config_type *defs_config_permissive(defs_config_registry *r,
                                               const defs_config_field_spec *fields, size_t n,
                                               const char *description, buf *err) {
  return fields_type(r, DEFS_CONFIG_PERMISSIVE_SHAPE, fields, n, description, NULL, 0, err);
}

const defs_config_type *defs_config_selector(defs_config_registry *r,
                                             const defs_config_field_spec *fields, size_t n,
                                             const char *description, buf *err) {
  /* Dagster builds an empty Selector but fails on validating anything
   * against it; refusing it here says so where the schema is written. */
  if (n == 0) {
    fail(err, "a Selector needs at least one field");
    return NULL;
  }
  return fields_type(r, DEFS_CONFIG_SELECTOR, fields, n, description, NULL, 0, err);
}

const defs_config_field *defs_config_field_get(const defs_config_type *t, const char *name) {
  size_t lo = 0, hi = t->n_fields;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(t->sorted_fields[mid]->name, name);
    if (c == 0)
      return t->sorted_fields[mid];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

const char *defs_config_alias_of(const defs_config_type *t, const char *field) {
  for (size_t i = 0; i < t->n_aliases; i++)
    if (strcmp(t->aliases[i].field, field) == 0)
      return t->aliases[i].alias;
  return NULL;
}

/* ---- Reachable types ---------------------------------------------------- */

typedef struct reach {
  arena *a;
  ptrmap seen;
  const defs_config_type **out;
  size_t n, cap;
} reach;

static void reach_visit(reach *rc, const defs_config_type *t) {
  void **slot = ptrmap_slot(&rc->seen, rc->a, t, NULL, true);
  if (*slot)
    return;
  *slot = (void *)t;
  const defs_config_type *children[2] = {NULL, NULL};
  switch (t->kind) {
  case DEFS_CONFIG_ARRAY:
  case DEFS_CONFIG_NONEABLE:
    children[0] = t->inner;
    break;
  case DEFS_CONFIG_MAP:
    children[0] = t->key_type;
    children[1] = t->inner;
    break;
  case DEFS_CONFIG_SCALAR_UNION:
    children[0] = t->scalar_type;
    children[1] = t->non_scalar_type;
    break;
  default:
    break;
  }
  for (int i = 0; i < 2; i++)
    if (children[i])
      reach_visit(rc, children[i]);
  for (size_t i = 0; i < t->n_fields; i++)
    reach_visit(rc, t->fields[i].type);
  if (rc->n == rc->cap) {
    size_t cap = rc->cap ? rc->cap * 2 : 16;
    rc->out = arena_realloc(rc->a, rc->out, rc->cap * sizeof *rc->out, cap * sizeof *rc->out);
    rc->cap = cap;
  }
  rc->out[rc->n++] = t;
}

const defs_config_type **defs_config_reachable(const defs_config_type *root, arena *a, size_t *n) {
  reach rc = {.a = a};
  reach_visit(&rc, root);
  *n = rc.n;
  return rc.out;
}

/* ---- The type printer --------------------------------------------------- */

/* Past this many bytes a printed type is cut short: printing a type whose
 * parts are shared can take time exponential in its depth. */
#define PRINT_LIMIT 16384

typedef struct printer {
  buf *out;
  size_t stop; /* out->len at which printing stops */
  bool cut;    /* it stopped, and said so with "..." */
} printer;

static bool print_room(printer *p) {
  if (!p->cut && p->out->len >= p->stop) {
    buf_puts(p->out, "...");
    p->cut = true;
  }
  return !p->cut;
}

/* Dagster's _do_print with an indent of 0: every line break is one space. */
static void print_type(printer *p, const defs_config_type *t) {
  if (!print_room(p))
    return;
  switch (t->kind) {
  case DEFS_CONFIG_ARRAY:
    buf_putc(p->out, '[');
    print_type(p, t->inner);
    buf_putc(p->out, ']');
    break;
  case DEFS_CONFIG_NONEABLE:
    print_type(p, t->inner);
    buf_putc(p->out, '?');
    break;
  case DEFS_CONFIG_SCALAR_UNION:
    buf_putc(p->out, '(');
    print_type(p, t->scalar_type);
    buf_puts(p->out, " | ");
    print_type(p, t->non_scalar_type);
    buf_putc(p->out, ')');
    break;
  case DEFS_CONFIG_MAP:
    buf_puts(p->out, "{ [");
    if (t->given_name)
      buf_printf(p->out, "%s: ", t->given_name);
    print_type(p, t->key_type);
    buf_puts(p->out, "]: ");
    print_type(p, t->inner);
    buf_puts(p->out, " }");
    break;
  case DEFS_CONFIG_SELECTOR:
  case DEFS_CONFIG_STRICT_SHAPE:
  case DEFS_CONFIG_PERMISSIVE_SHAPE:
    buf_puts(p->out, "{ ");
    for (size_t i = 0; i < t->n_fields && print_room(p); i++) {
      const defs_config_field *f = t->sorted_fields[i];
      buf_printf(p->out, "%s%s: ", f->name, f->is_required ? "" : "?");
      print_type(p, f->type);
      buf_putc(p->out, ' ');
    }
    buf_putc(p->out, '}');
    break;
  default:
    buf_puts(p->out, t->given_name);
    break;
  }
}

void defs_config_print_type(const defs_config_type *t, buf *out) {
  printer p = {.out = out, .stop = out->len + PRINT_LIMIT};
  buf_puts(out, "");
  print_type(&p, t);
}

/* ---- Python texts ------------------------------------------------------- */

/* Python's str.isprintable() for one non-ASCII code point: false for the
 * controls, separators, format characters, surrogates, private use and
 * non-characters below; unassigned code points are not known here. */
static bool py_printable(uint32_t c) {
  static const uint32_t ranges[][2] = {
      {0x80, 0xA0},       {0xAD, 0xAD},       {0x600, 0x605},      {0x61C, 0x61C},
      {0x6DD, 0x6DD},     {0x70F, 0x70F},     {0x890, 0x891},      {0x8E2, 0x8E2},
      {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},    {0x2028, 0x202F},
      {0x205F, 0x206F},   {0x3000, 0x3000},   {0xD800, 0xF8FF},    {0xFDD0, 0xFDEF},
      {0xFEFF, 0xFEFF},   {0xFFF0, 0xFFFB},   {0xFFFE, 0xFFFF},    {0x110BD, 0x110BD},
      {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3},  {0x1D173, 0x1D17A},
      {0xE0000, 0xE00FF}, {0xE01F0, 0xE0FFF}, {0xF0000, 0x10FFFF},
  };
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
    if (c >= ranges[i][0] && c <= ranges[i][1])
      return false;
  return (c & 0xFFFE) != 0xFFFE; /* U+nFFFE and U+nFFFF are non-characters */
}

void defs_config_py_repr_str(const char *s, size_t n, buf *out) {
  bool has_single = memchr(s, '\'', n) != NULL, has_double = memchr(s, '"', n) != NULL;
  char quote = has_single && !has_double ? '"' : '\'';
  buf_putc(out, quote);
  const char *p = s, *end = s + n;
  while (p < end) {
    unsigned char ch = (unsigned char)*p;
    if (ch < 0x80) {
      p++;
      if (ch == (unsigned char)quote || ch == '\\') {
        buf_putc(out, '\\');
        buf_putc(out, (char)ch);
      } else if (ch == '\t') {
        buf_puts(out, "\\t");
      } else if (ch == '\n') {
        buf_puts(out, "\\n");
      } else if (ch == '\r') {
        buf_puts(out, "\\r");
      } else if (ch < 0x20 || ch == 0x7f) {
        buf_printf(out, "\\x%02x", ch);
      } else {
        buf_putc(out, (char)ch);
      }
      continue;
    }
    uint32_t cp;
    int len = utf8_decode(p, end, &cp);
    if (len == 0)
      len = 1; /* broken UTF-8 cannot come from JSON; show U+FFFD */
    if (py_printable(cp))
      buf_append(out, p, (size_t)len);
    else if (cp <= 0xFF)
      buf_printf(out, "\\x%02x", (unsigned)cp);
    else if (cp <= 0xFFFF)
      buf_printf(out, "\\u%04x", (unsigned)cp);
    else
      buf_printf(out, "\\U%08x", (unsigned)cp);
    p += len;
  }
  buf_putc(out, quote);
}

static void py_float(double v, buf *out) {
  char tmp[40];
  size_t n = json_format_double(v, tmp);
  buf_append(out, tmp, n);
}

void defs_config_py_str(const json_t *v, buf *out) {
  if (v && json_is_string(v))
    buf_append(out, json_string_value(v), json_string_length(v));
  else
    defs_config_py_repr(v, out);
}

/* A JSON string literal as Python's json.dumps writes it with ensure_ascii. */
static void dumps_str(const char *s, size_t n, buf *out) {
  buf_putc(out, '"');
  const char *p = s, *end = s + n;
  while (p < end) {
    unsigned char ch = (unsigned char)*p;
    uint32_t cp = ch;
    int len = 1;
    if (ch >= 0x80) {
      len = utf8_decode(p, end, &cp);
      if (len == 0)
        len = 1;
    }
    p += len;
    switch (cp) {
    case '"':
      buf_puts(out, "\\\"");
      break;
    case '\\':
      buf_puts(out, "\\\\");
      break;
    case '\n':
      buf_puts(out, "\\n");
      break;
    case '\r':
      buf_puts(out, "\\r");
      break;
    case '\t':
      buf_puts(out, "\\t");
      break;
    case '\b':
      buf_puts(out, "\\b");
      break;
    case '\f':
      buf_puts(out, "\\f");
      break;
    default:
      if (cp >= 0x20 && cp < 0x7f)
        buf_putc(out, (char)cp);
      else if (cp < 0x10000)
        buf_printf(out, "\\u%04x", (unsigned)cp);
      else {
        uint32_t c = cp - 0x10000;
        buf_printf(out, "\\u%04x\\u%04x", (unsigned)(0xD800 + (c >> 10)),
                   (unsigned)(0xDC00 + (c & 0x3FF)));
      }
    }
  }
  buf_putc(out, '"');
}

/* How a value is spelled: Python's repr() or json.dumps() (defaults). */
struct py_style {
  void (*str)(const char *s, size_t n, buf *out);
  const char *true_text, *false_text, *none_text, *nan_text, *inf_text;
};

static const struct py_style repr_style = {
    defs_config_py_repr_str, "True", "False", "None", "nan", "inf"};
static const struct py_style dumps_style = {dumps_str, "true", "false", "null", "NaN", "Infinity"};

static void py_write(const json_t *v, buf *out, int depth, const struct py_style *st) {
  if (depth > DEFS_CONFIG_TEXT_MAX_DEPTH) {
    buf_puts(out, "...");
    return;
  }
  const char *key;
  json_t *item;
  size_t i;
  switch (v ? json_typeof(v) : JSON_NULL) {
  case JSON_OBJECT: {
    buf_putc(out, '{');
    bool first = true;
    json_object_foreach((json_t *)v, key, item) {
      if (!first)
        buf_puts(out, ", ");
      first = false;
      st->str(key, strlen(key), out);
      buf_puts(out, ": ");
      py_write(item, out, depth + 1, st);
    }
    buf_putc(out, '}');
    break;
  }
  case JSON_ARRAY:
    buf_putc(out, '[');
    json_array_foreach(v, i, item) {
      if (i)
        buf_puts(out, ", ");
      py_write(item, out, depth + 1, st);
    }
    buf_putc(out, ']');
    break;
  case JSON_STRING:
    st->str(json_string_value(v), json_string_length(v), out);
    break;
  case JSON_INTEGER:
    buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    break;
  case JSON_REAL: {
    double d = json_real_value(v);
    if (isnan(d))
      buf_puts(out, st->nan_text);
    else if (isinf(d)) {
      if (d < 0)
        buf_putc(out, '-');
      buf_puts(out, st->inf_text);
    } else
      py_float(d, out);
    break;
  }
  case JSON_TRUE:
    buf_puts(out, st->true_text);
    break;
  case JSON_FALSE:
    buf_puts(out, st->false_text);
    break;
  case JSON_NULL:
    buf_puts(out, st->none_text);
    break;
  }
}

/* Python's repr() of the value json.loads would give. */
void defs_config_py_repr(const json_t *v, buf *out) { py_write(v, out, 0, &repr_style); }

void defs_config_json_dumps(const json_t *v, buf *out) { py_write(v, out, 0, &dumps_style); }
