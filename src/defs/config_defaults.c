/* config_defaults.c — post-processing of valid config, as Dagster's
 * dagster/_config/post_process.py does it: defaults filled in and values
 * coerced, producing the "resolved" config an op receives.
 *
 * A Shape keeps the fields given (an alias is stored under its field's
 * name), takes the default of each missing field that has one (the default
 * itself processed, so nested defaults appear) and leaves out missing fields
 * without one; a Permissive also keeps its unknown keys as they are. A
 * Selector given nothing takes its only field with that field's default
 * (or, for a type with fields, the defaults of {}). A Float becomes a float
 * (Python's float(), so 3 and True become 3.0 and 1.0). Results are new JSON
 * trees; the input is never modified. */
#include "defs/config_internal.h"

static json_t *resolve(const defs_config_type *t, const json_t *v, bool pp);

static json_t *copy_value(const json_t *v) {
  return defs_config_is_none(v) ? json_null() : json_deep_copy(v);
}

/* None for a type with fields stands for {} (a selected field left empty). */
static json_t *resolve_field_value(const defs_config_field *f, const json_t *v, bool pp) {
  if (defs_config_is_none(v) && defs_config_kind_has_fields(f->type->kind)) {
    json_t *empty = json_object();
    json_t *out = resolve(f->type, empty, pp);
    json_decref(empty);
    return out;
  }
  return resolve(f->type, v, pp);
}

static json_t *resolve_selector(const defs_config_type *t, const json_t *v, bool pp) {
  const defs_config_field *f;
  const json_t *given;
  if (json_is_object(v) && json_object_size(v) > 0) {
    void *it = json_object_iter((json_t *)v);
    f = defs_config_field_get(t, json_object_iter_key(it));
    given = json_object_iter_value(it);
  } else {
    f = t->n_fields == 1 ? &t->fields[0] : NULL;
    given = f && f->default_provided ? f->default_value : NULL;
  }
  if (!f) /* not valid config: nothing sensible to fill in */
    return copy_value(v);
  json_t *out = json_object();
  json_object_set_new(out, f->name, resolve_field_value(f, given, pp));
  return out;
}

static json_t *resolve_shape(const defs_config_type *t, const json_t *v, bool pp) {
  const json_t *in = json_is_object(v) ? v : NULL;
  json_t *out = json_object();
  for (size_t i = 0; i < t->n_fields; i++) {
    const defs_config_field *f = &t->fields[i];
    const char *alias = defs_config_alias_of(t, f->name);
    const json_t *given = in ? json_object_get(in, f->name) : NULL;
    if (!given && alias && in)
      given = json_object_get(in, alias);
    if (given)
      json_object_set_new(out, f->name, resolve(f->type, given, pp));
    else if (f->default_provided)
      json_object_set_new(out, f->name, resolve(f->type, f->default_value, pp));
  }
  if (t->kind == DEFS_CONFIG_PERMISSIVE_SHAPE && in) {
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)in, key, item) {
      if (!defs_config_field_get(t, key))
        json_object_set_new(out, key, json_deep_copy(item));
    }
  }
  return out;
}

static json_t *resolve_array(const defs_config_type *t, const json_t *v, bool pp) {
  json_t *out = json_array();
  if (json_is_array(v)) {
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item) { json_array_append_new(out, resolve(t->inner, item, pp)); }
  }
  return out;
}

static json_t *resolve_map(const defs_config_type *t, const json_t *v, bool pp) {
  json_t *out = json_object();
  if (json_is_object(v)) {
    const char *key;
    json_t *item;
    json_object_foreach((json_t *)v, key, item) {
      json_object_set_new(out, key, resolve(t->inner, item, pp));
    }
  }
  return out;
}

/* Float's post_process: float(value). */
static json_t *to_float(const json_t *v) {
  if (json_is_integer(v))
    return json_real((double)json_integer_value(v));
  if (json_is_boolean(v))
    return json_real(json_is_true(v) ? 1.0 : 0.0);
  return copy_value(v);
}

static json_t *resolve(const defs_config_type *t, const json_t *v, bool pp) {
  switch (t->kind) {
  case DEFS_CONFIG_SCALAR:
    return pp && t->scalar_kind == DEFS_CONFIG_FLOAT ? to_float(v) : copy_value(v);
  case DEFS_CONFIG_ENUM: /* the Python value of a config enum value is itself */
  case DEFS_CONFIG_ANY:
    return copy_value(v);
  case DEFS_CONFIG_SELECTOR:
    return resolve_selector(t, v, pp);
  case DEFS_CONFIG_STRICT_SHAPE:
  case DEFS_CONFIG_PERMISSIVE_SHAPE:
    return resolve_shape(t, v, pp);
  case DEFS_CONFIG_ARRAY:
    return resolve_array(t, v, pp);
  case DEFS_CONFIG_MAP:
    return resolve_map(t, v, pp);
  case DEFS_CONFIG_NONEABLE:
    return defs_config_is_none(v) ? json_null() : resolve(t->inner, v, pp);
  case DEFS_CONFIG_SCALAR_UNION:
    return resolve(json_is_object(v) || json_is_array(v) ? t->non_scalar_type : t->scalar_type, v,
                   pp);
  }
  return copy_value(v);
}

json_t *defs_config_resolve(const defs_config_type *t, const json_t *value, bool post_process) {
  return resolve(t, value, post_process);
}

json_t *defs_config_process(const defs_config_type *t, const json_t *value,
                            defs_config_errors *errs) {
  if (defs_config_validate(t, value, errs))
    return NULL;
  return resolve(t, value, true);
}
