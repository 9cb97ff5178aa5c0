/* config_validate.c — checks a JSON value against a config type, as
 * Dagster's dagster/_config/validate.py does, and words each error as
 * dagster/_config/errors.py does.
 *
 * The walk follows the type: None passes a Noneable and Any passes
 * everything; otherwise None is an error; a Selector takes one field
 * (an empty dict picks its only optional field); a Shape reports unknown
 * keys first, then missing required fields, then each field's own errors in
 * field-name order; a Map checks every key, then every value; an Array each
 * item. Paths are Dagster's evaluation stacks ("root:ops:a:config[0]"). */
#include <string.h>

#include "base/arena.h"
#include "base/ptrmap.h"
#include "defs/config_internal.h"

typedef struct vctx {
  defs_config_errors *errs;
  defs_config_path_entry path[DEFS_CONFIG_MAX_DEPTH + 1];
  size_t depth;
  ptrmap printed; /* type → its print, made once per validation */
} vctx;

void defs_config_errors_init(defs_config_errors *errs, arena *a) {
  *errs = (defs_config_errors){.arena = a};
}

const char *defs_config_error_reason_name(defs_config_error_reason reason) {
  static const char *const names[] = {
      [DEFS_CONFIG_RUNTIME_TYPE_MISMATCH] = "RUNTIME_TYPE_MISMATCH",
      [DEFS_CONFIG_MISSING_REQUIRED_FIELD] = "MISSING_REQUIRED_FIELD",
      [DEFS_CONFIG_MISSING_REQUIRED_FIELDS] = "MISSING_REQUIRED_FIELDS",
      [DEFS_CONFIG_FIELD_NOT_DEFINED] = "FIELD_NOT_DEFINED",
      [DEFS_CONFIG_FIELDS_NOT_DEFINED] = "FIELDS_NOT_DEFINED",
      [DEFS_CONFIG_SELECTOR_FIELD_ERROR] = "SELECTOR_FIELD_ERROR",
      [DEFS_CONFIG_FAILED_POST_PROCESSING] = "FAILED_POST_PROCESSING",
      [DEFS_CONFIG_FIELD_ALIAS_COLLISION] = "FIELD_ALIAS_COLLISION",
  };
  return names[reason];
}

/* ---- Building errors ---------------------------------------------------- */

static bool full(const vctx *c) { return c->errs->count >= DEFS_CONFIG_MAX_ERRORS; }

static void path_text(const vctx *c, buf *out) {
  buf_puts(out, "root");
  for (size_t i = 0; i < c->depth; i++) {
    const defs_config_path_entry *e = &c->path[i];
    switch (e->kind) {
    case DEFS_CONFIG_PATH_FIELD:
      buf_printf(out, ":%s", e->name);
      break;
    case DEFS_CONFIG_PATH_INDEX:
      buf_printf(out, "[%zu]", e->index);
      break;
    case DEFS_CONFIG_PATH_MAP_KEY:
    case DEFS_CONFIG_PATH_MAP_VALUE:
      buf_putc(out, ':');
      defs_config_py_repr_str(e->name, strlen(e->name), out);
      buf_puts(out, e->kind == DEFS_CONFIG_PATH_MAP_KEY ? ":key" : ":value");
      break;
    }
  }
}

/* Dagster's get_friendly_path_msg. */
static void path_msg(const vctx *c, buf *out) {
  if (c->depth == 0) {
    buf_puts(out, "at the root");
    return;
  }
  buf_puts(out, "at path ");
  path_text(c, out);
}

/* The type as messages print it, made once per type and validation. */
static const char *printed(vctx *c, const defs_config_type *t) {
  arena *a = c->errs->arena;
  void **slot = ptrmap_slot(&c->printed, a, t, NULL, true);
  if (!*slot) {
    buf b;
    buf_init(&b, a);
    defs_config_print_type(t, &b);
    *slot = b.data;
  }
  return *slot;
}

/* Appends an error of type t at the current path; message is arena text. */
static defs_config_error *add_error(vctx *c, const defs_config_type *t,
                                    defs_config_error_reason reason, const char *message) {
  defs_config_errors *e = c->errs;
  if (e->count == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 8;
    e->items = arena_realloc(e->arena, e->items, e->cap * sizeof *e->items, cap * sizeof *e->items);
    e->cap = cap;
  }
  defs_config_error *err = &e->items[e->count++];
  *err = (defs_config_error){.reason = reason, .message = message, .type = t};
  defs_config_path_entry *path = ARENA_ARRAY(e->arena, defs_config_path_entry, c->depth + 1);
  for (size_t i = 0; i < c->depth; i++) {
    path[i] = c->path[i];
    if (path[i].name)
      path[i].name = arena_strdup(e->arena, path[i].name);
  }
  err->path = path;
  err->path_len = c->depth;
  buf pt;
  buf_init(&pt, e->arena);
  buf_puts(&pt, "");
  if (c->depth)
    path_text(c, &pt);
  err->path_text = pt.data;
  return err;
}

/* A message buffer in the errors' arena. */
static buf message(vctx *c) {
  buf b;
  buf_init(&b, c->errs->arena);
  buf_puts(&b, "");
  return b;
}

static const char *repr_of(vctx *c, const json_t *v) {
  buf b = message(c);
  defs_config_py_repr(v, &b);
  return b.data;
}

/* A runtime mismatch: value may be NULL when it is not part of the input
 * (a map key), rep is its repr. */
static void mismatch(vctx *c, const defs_config_type *t, const json_t *value, const char *rep,
                     buf *msg) {
  defs_config_error *err = add_error(c, t, DEFS_CONFIG_RUNTIME_TYPE_MISMATCH, msg->data);
  err->value = value;
  err->value_rep = rep;
}

/* Python's repr of a list of strings: ['a', 'b']. */
static void py_list(buf *out, const char *const *names, size_t n) {
  buf_putc(out, '[');
  for (size_t i = 0; i < n; i++) {
    if (i)
      buf_puts(out, ", ");
    defs_config_py_repr_str(names[i], strlen(names[i]), out);
  }
  buf_putc(out, ']');
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The field names of t sorted, in the arena. */
static const char **field_names(vctx *c, const defs_config_type *t) {
  const char **names = ARENA_ARRAY(c->errs->arena, const char *, t->n_fields + 1);
  for (size_t i = 0; i < t->n_fields; i++)
    names[i] = t->sorted_fields[i]->name;
  return names;
}

/* Copies n names into the arena, sorted. */
static const char **sorted_copy(vctx *c, const char *const *names, size_t n) {
  const char **out = ARENA_ARRAY(c->errs->arena, const char *, n + 1);
  for (size_t i = 0; i < n; i++)
    out[i] = arena_strdup(c->errs->arena, names[i]);
  qsort(out, n, sizeof *out, cmp_str);
  return out;
}

/* ---- Sample config (Dagster's minimal_config_for_type_snap) ------------- */

/* Nodes a sample may have: the types it walks may share parts, and then the
 * walk grows exponentially with depth. */
#define MINIMAL_BUDGET 10000

static json_t *minimal(const defs_config_type *t, int *budget) {
  if (--*budget < 0)
    return json_string("...");
  switch (t->kind) {
  case DEFS_CONFIG_SELECTOR:
    return json_string("<selector>");
  case DEFS_CONFIG_STRICT_SHAPE:
  case DEFS_CONFIG_PERMISSIVE_SHAPE: {
    json_t *obj = json_object();
    for (size_t i = 0; i < t->n_fields; i++)
      if (t->sorted_fields[i]->is_required)
        json_object_set_new(obj, t->sorted_fields[i]->name,
                            minimal(t->sorted_fields[i]->type, budget));
    return obj;
  }
  case DEFS_CONFIG_ANY:
    return json_string("AnyType");
  case DEFS_CONFIG_SCALAR:
    switch (t->scalar_kind) {
    case DEFS_CONFIG_STRING:
      return json_string("...");
    case DEFS_CONFIG_INT:
      return json_integer(0);
    case DEFS_CONFIG_FLOAT:
      return json_real(0.0);
    case DEFS_CONFIG_BOOL:
      return json_true();
    }
    return json_string("<unknown>");
  case DEFS_CONFIG_ARRAY:
    return json_array();
  case DEFS_CONFIG_MAP:
    return json_object();
  case DEFS_CONFIG_ENUM:
    return json_string(t->n_enum_values ? t->enum_values[0].value : "<unknown>");
  case DEFS_CONFIG_SCALAR_UNION:
    return minimal(t->scalar_type, budget);
  case DEFS_CONFIG_NONEABLE:
    break;
  }
  return json_string("<unknown>");
}

/* ---- The error kinds ---------------------------------------------------- */

static void none_not_allowed(vctx *c, const defs_config_type *t, const json_t *v) {
  buf m = message(c);
  buf_puts(&m, "Value ");
  path_msg(c, &m);
  buf_printf(&m, " must not be None. Expected \"%s\"", printed(c, t));
  mismatch(c, t, v ? v : json_null(), "None", &m);
}

const char *defs_config_py_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "dict";
  case JSON_ARRAY:
    return "list";
  case JSON_STRING:
    return "str";
  case JSON_INTEGER:
    return "int";
  case JSON_REAL:
    return "float";
  case JSON_TRUE:
  case JSON_FALSE:
    return "bool";
  case JSON_NULL:
    break;
  }
  return "NoneType";
}

/* value is NULL when v is not part of the input (a map key). */
static void scalar_error(vctx *c, const defs_config_type *t, const json_t *v, const json_t *value) {
  buf m = message(c);
  buf_puts(&m, "Invalid scalar ");
  path_msg(c, &m);
  buf_puts(&m, ". Value \"");
  defs_config_py_str(v, &m);
  buf_printf(&m, "\" of type \"<class '%s'>\" is not valid for expected type \"%s\".",
             defs_config_py_type_name(v), t->given_name);
  mismatch(c, t, value, repr_of(c, v), &m);
}

/* "Value {p} must be dict. Expected: "{T}"" with the period or without. */
static void container_error(vctx *c, const defs_config_type *t, const json_t *v, const char *what,
                            bool period) {
  buf m = message(c);
  buf_puts(&m, "Value ");
  path_msg(c, &m);
  buf_printf(&m, " must be %s. Expected: \"%s\"%s", what, printed(c, t), period ? "." : "");
  mismatch(c, t, v, repr_of(c, v), &m);
}

static void field_not_defined(vctx *c, const defs_config_type *t, const char *name) {
  buf m = message(c);
  buf_printf(&m, "Received unexpected config entry \"%s\" ", name);
  path_msg(c, &m);
  buf_printf(&m, ". Expected: \"%s\".", printed(c, t));
  defs_config_error *err = add_error(c, t, DEFS_CONFIG_FIELD_NOT_DEFINED, m.data);
  err->names = sorted_copy(c, &name, 1);
  err->n_names = 1;
}

static void fields_not_defined(vctx *c, const defs_config_type *t, const char *const *names,
                               size_t n) {
  const char **sorted = sorted_copy(c, names, n);
  buf m = message(c);
  buf_puts(&m, "Received unexpected config entries \"");
  py_list(&m, sorted, n);
  buf_puts(&m, "\" ");
  path_msg(c, &m);
  buf_puts(&m, ". Expected: \"");
  py_list(&m, field_names(c, t), t->n_fields);
  buf_puts(&m, ".\"");
  defs_config_error *err = add_error(c, t, DEFS_CONFIG_FIELDS_NOT_DEFINED, m.data);
  err->names = sorted;
  err->n_names = n;
}

/* missing: fields sorted by name. */
static void missing_fields(vctx *c, const defs_config_type *t, const defs_config_field **missing,
                           size_t n) {
  const char **names = ARENA_ARRAY(c->errs->arena, const char *, n + 1);
  json_t *sample = json_object();
  int budget = MINIMAL_BUDGET;
  for (size_t i = 0; i < n; i++) {
    names[i] = missing[i]->name;
    json_object_set_new(sample, missing[i]->name, minimal(missing[i]->type, &budget));
  }
  buf m = message(c);
  if (n == 1) {
    buf_printf(&m, "Missing required config entry \"%s\" ", names[0]);
    path_msg(c, &m);
    buf_puts(&m, ". Sample config for missing entry: ");
  } else {
    buf_puts(&m, "Missing required config entries ");
    py_list(&m, names, n);
    buf_putc(&m, ' ');
    path_msg(c, &m);
    buf_puts(&m, ". Sample config for missing entries: ");
  }
  defs_config_py_repr(sample, &m);
  json_decref(sample);
  defs_config_error *err = add_error(
      c, t, n == 1 ? DEFS_CONFIG_MISSING_REQUIRED_FIELD : DEFS_CONFIG_MISSING_REQUIRED_FIELDS,
      m.data);
  err->names = names;
  err->n_names = n;
  err->fields = missing;
}

/* ---- The walk ----------------------------------------------------------- */

static void validate(vctx *c, const defs_config_type *t, const json_t *v);

/* Validates v as the value at a new path entry. */
static void validate_at(vctx *c, defs_config_path_entry entry, const defs_config_type *t,
                        const json_t *v) {
  if (c->depth > DEFS_CONFIG_MAX_DEPTH) /* cannot happen: types nest at most that deep */
    return;
  c->path[c->depth++] = entry;
  validate(c, t, v);
  c->depth--;
}

static defs_config_path_entry field_entry(const char *name) {
  return (defs_config_path_entry){.kind = DEFS_CONFIG_PATH_FIELD, .name = name};
}

static bool scalar_ok(const defs_config_type *t, const json_t *v) {
  switch (t->scalar_kind) {
  case DEFS_CONFIG_INT:
    return json_is_integer(v);
  case DEFS_CONFIG_STRING:
    return json_is_string(v);
  case DEFS_CONFIG_BOOL:
    return json_is_boolean(v);
  case DEFS_CONFIG_FLOAT:
    /* isinstance(v, (int, float)), and Python's bool is an int. */
    return json_is_number(v) || json_is_boolean(v);
  }
  return false;
}

static void validate_selector(vctx *c, const defs_config_type *t, const json_t *v) {
  if (json_is_object(v) && json_object_size(v) == 0) {
    if (t->n_fields > 1 || t->fields[0].is_required) {
      buf m = message(c);
      buf_puts(&m, t->n_fields > 1 ? "Must specify a field " : "Must specify the required field ");
      path_msg(c, &m);
      buf_puts(&m, t->n_fields > 1 ? " if more than one field is defined. Defined fields: "
                                   : ". Defined fields: ");
      py_list(&m, field_names(c, t), t->n_fields);
      add_error(c, t, DEFS_CONFIG_SELECTOR_FIELD_ERROR, m.data);
    }
    return;
  }
  if (!json_is_object(v)) {
    buf m = message(c);
    buf_puts(&m, "Value for selector type ");
    path_msg(c, &m);
    buf_puts(&m, " must be a dict");
    mismatch(c, t, v, repr_of(c, v), &m);
    return;
  }
  const char *key;
  json_t *item;
  if (json_object_size(v) > 1) {
    size_t n = 0;
    const char **given = ARENA_ARRAY(c->errs->arena, const char *, json_object_size(v));
    json_object_foreach((json_t *)v, key, item) { given[n++] = key; }
    const char **sorted = sorted_copy(c, given, n);
    buf m = message(c);
    buf_puts(&m, "You can only specify a single field ");
    path_msg(c, &m);
    buf_puts(&m, ". You specified ");
    py_list(&m, sorted, n);
    buf_puts(&m, ". The available fields are ");
    py_list(&m, field_names(c, t), t->n_fields);
    defs_config_error *err = add_error(c, t, DEFS_CONFIG_SELECTOR_FIELD_ERROR, m.data);
    err->names = sorted;
    err->n_names = n;
    return;
  }
  json_object_foreach((json_t *)v, key, item) {
    const defs_config_field *f = defs_config_field_get(t, key);
    if (!f) {
      field_not_defined(c, t, key);
      return;
    }
    /* A selected field without a value ("filesystem:" in YAML) takes its
     * type's defaults when that type has fields. */
    if (defs_config_is_none(item) && defs_config_kind_has_fields(f->type->kind)) {
      json_t *empty = json_object();
      validate_at(c, field_entry(f->name), f->type, empty);
      json_decref(empty);
    } else {
      validate_at(c, field_entry(f->name), f->type, item);
    }
  }
}

static void validate_shape(vctx *c, const defs_config_type *t, const json_t *v) {
  if (!json_is_object(v)) {
    container_error(c, t, v, "dict", true);
    return;
  }
  const char *key;
  json_t *item;
  if (t->kind == DEFS_CONFIG_STRICT_SHAPE) {
    const char **extra = ARENA_ARRAY(c->errs->arena, const char *, json_object_size(v) + 1);
    size_t n_extra = 0;
    json_object_foreach((json_t *)v, key, item) {
      bool known = defs_config_field_get(t, key) != NULL;
      for (size_t i = 0; !known && i < t->n_aliases; i++)
        known = strcmp(t->aliases[i].alias, key) == 0;
      if (!known)
        extra[n_extra++] = key;
    }
    if (n_extra == 1)
      field_not_defined(c, t, extra[0]);
    else if (n_extra > 1)
      fields_not_defined(c, t, extra, n_extra);
  }

  const defs_config_field **missing =
      ARENA_ARRAY(c->errs->arena, const defs_config_field *, t->n_fields + 1);
  size_t n_missing = 0;
  for (size_t i = 0; i < t->n_fields; i++) {
    const defs_config_field *f = t->sorted_fields[i];
    const char *alias = defs_config_alias_of(t, f->name);
    if (f->is_required && !json_object_get(v, f->name) && !(alias && json_object_get(v, alias)))
      missing[n_missing++] = f;
  }
  if (n_missing)
    missing_fields(c, t, missing, n_missing);

  for (size_t i = 0; i < t->n_fields && !full(c); i++) {
    const defs_config_field *f = t->sorted_fields[i];
    const char *alias = defs_config_alias_of(t, f->name);
    const json_t *given = json_object_get(v, f->name);
    const json_t *aliased = alias ? json_object_get(v, alias) : NULL;
    if (given && aliased) {
      c->path[c->depth++] = field_entry(f->name);
      buf m = message(c);
      buf_printf(&m,
                 "Received both field '%s' and field '%s' in config. Please use one or the other.",
                 f->name, alias);
      defs_config_error *err = add_error(c, f->type, DEFS_CONFIG_FIELD_ALIAS_COLLISION, m.data);
      const char **names = ARENA_ARRAY(c->errs->arena, const char *, 2);
      names[0] = arena_strdup(c->errs->arena, f->name);
      names[1] = arena_strdup(c->errs->arena, alias);
      err->names = names;
      err->n_names = 2;
      c->depth--;
    } else if (given || aliased) {
      validate_at(c, field_entry(f->name), f->type, given ? given : aliased);
    }
  }
}

static void validate_map(vctx *c, const defs_config_type *t, const json_t *v) {
  if (!json_is_object(v)) {
    container_error(c, t, v, "dict", false);
    return;
  }
  const char *key;
  json_t *item;
  /* JSON keys are strings; the key type decides whether that will do. */
  json_object_foreach((json_t *)v, key, item) {
    if (full(c))
      return;
    if (t->key_type->kind == DEFS_CONFIG_SCALAR && t->key_type->scalar_kind != DEFS_CONFIG_STRING) {
      json_t *k = json_string(key);
      c->path[c->depth++] = (defs_config_path_entry){.kind = DEFS_CONFIG_PATH_MAP_KEY, .name = key};
      scalar_error(c, t->key_type, k, NULL);
      c->depth--;
      json_decref(k);
    }
  }
  json_object_foreach((json_t *)v, key, item) {
    if (full(c))
      return;
    validate_at(c, (defs_config_path_entry){.kind = DEFS_CONFIG_PATH_MAP_VALUE, .name = key},
                t->inner, item);
  }
}

static void validate_array(vctx *c, const defs_config_type *t, const json_t *v) {
  if (!json_is_array(v)) {
    container_error(c, t, v, "list", false);
    return;
  }
  size_t i;
  json_t *item;
  json_array_foreach(v, i, item) {
    if (full(c))
      return;
    validate_at(c, (defs_config_path_entry){.kind = DEFS_CONFIG_PATH_INDEX, .index = i}, t->inner,
                item);
  }
}

static void validate_enum(vctx *c, const defs_config_type *t, const json_t *v) {
  buf m = message(c);
  if (!json_is_string(v)) {
    buf_puts(&m, "Value ");
    path_msg(c, &m);
    buf_printf(&m, " for enum type %s must be a string", t->given_name);
    mismatch(c, t, v, repr_of(c, v), &m);
    return;
  }
  for (size_t i = 0; i < t->n_enum_values; i++)
    if (strcmp(t->enum_values[i].value, json_string_value(v)) == 0)
      return;
  buf_puts(&m, "Value ");
  path_msg(c, &m);
  buf_printf(&m, " not in enum type %s got ", t->given_name);
  defs_config_py_str(v, &m);
  mismatch(c, t, v, repr_of(c, v), &m);
}

static void validate(vctx *c, const defs_config_type *t, const json_t *v) {
  if (full(c))
    return;
  if (t->kind == DEFS_CONFIG_NONEABLE) {
    if (!defs_config_is_none(v))
      validate(c, t->inner, v);
    return;
  }
  if (t->kind == DEFS_CONFIG_ANY)
    return;
  if (defs_config_is_none(v)) {
    none_not_allowed(c, t, v);
    return;
  }
  switch (t->kind) {
  case DEFS_CONFIG_SCALAR:
    if (!scalar_ok(t, v))
      scalar_error(c, t, v, v);
    break;
  case DEFS_CONFIG_SELECTOR:
    validate_selector(c, t, v);
    break;
  case DEFS_CONFIG_STRICT_SHAPE:
  case DEFS_CONFIG_PERMISSIVE_SHAPE:
    validate_shape(c, t, v);
    break;
  case DEFS_CONFIG_MAP:
    validate_map(c, t, v);
    break;
  case DEFS_CONFIG_ARRAY:
    validate_array(c, t, v);
    break;
  case DEFS_CONFIG_ENUM:
    validate_enum(c, t, v);
    break;
  case DEFS_CONFIG_SCALAR_UNION:
    validate(c, json_is_object(v) || json_is_array(v) ? t->non_scalar_type : t->scalar_type, v);
    break;
  case DEFS_CONFIG_ANY:
  case DEFS_CONFIG_NONEABLE:
    break;
  }
}

size_t defs_config_validate(const defs_config_type *t, const json_t *value,
                            defs_config_errors *errs) {
  size_t before = errs->count;
  vctx *c = ARENA_NEW(errs->arena, vctx);
  c->errs = errs;
  validate(c, t, value);
  return errs->count - before;
}
