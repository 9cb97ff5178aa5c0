/* objects.c — the helpers every resolver file shares (objects.h): returning
 * objects, lists and JSON-backed error objects, constant resolvers,
 * attaching resolver tables, JSON-backed types and resolve-type hooks,
 * reading arguments and selectors, and the request-scoped config type
 * registry. */
#include "api/objects.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/yaml.h"
#include "defs/sha1.h"
#include "graphql/values.h"

gql_rv api_object(const gql_resolve_info *info, const void *ptr, const char *type_name) {
  return gql_rv_object(ptr, gql_schema_type(info->schema, type_name));
}

static void decref(void *p) { json_decref(p); }

json_t *api_json_defer(arena *a, json_t *v) {
  arena_defer(a, decref, v);
  return v;
}

gql_rv api_json(const gql_resolve_info *info, json_t *obj) {
  return gql_rv_json(api_json_defer(info->arena, obj));
}

gql_rv api_string_list(const gql_resolve_info *info, const char *const *items, size_t n) {
  if (!items)
    return gql_rv_null();
  gql_rv list = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    list.u.list.items[i] = gql_rv_string(items[i]);
  return list;
}

gql_rv api_resolve_true(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_bool(true);
}

gql_rv api_resolve_false(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_bool(false);
}

gql_rv api_resolve_null(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_null();
}

gql_rv api_resolve_empty_list(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  return gql_rv_list(info->arena, 0);
}

gql_rv api_error(const gql_resolve_info *info, const char *type_name, const char *message, ...) {
  json_t *o = json_pack("{s:s, s:s}", "__typename", type_name, "message", message);
  va_list ap;
  va_start(ap, message);
  for (const char *key; (key = va_arg(ap, const char *)) != NULL;) {
    const char *value = va_arg(ap, const char *);
    json_object_set_new(o, key, value ? json_string(value) : json_null());
  }
  va_end(ap);
  return api_json(info, o);
}

gql_rv api_unauthorized(const gql_resolve_info *info) {
  return api_error(info, "UnauthorizedError", "Authorization failed", (const char *)NULL);
}

__attribute__((format(printf, 3, 0))) static gql_rv
python_error(const gql_resolve_info *info, const char *class_name, const char *fmt, va_list ap) {
  const char *message = arena_vprintf(info->arena, fmt, ap);
  json_t *o =
      json_pack("{s:s, s:s, s:s, s:[], s:n, s:[], s:[]}", "__typename", "PythonError", "message",
                message, "className", class_name, "stack", "cause", "causes", "errorChain");
  return api_json(info, o);
}

gql_rv api_python_error_class(const gql_resolve_info *info, const char *class_name, const char *fmt,
                              ...) {
  va_list ap;
  va_start(ap, fmt);
  gql_rv rv = python_error(info, class_name, fmt, ap);
  va_end(ap);
  return rv;
}

gql_rv api_python_error(const gql_resolve_info *info, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  gql_rv rv = python_error(info, "dagd", fmt, ap);
  va_end(ap);
  return rv;
}

/* The resolver of every field of a JSON-backed type: the parent's key of
 * the field's name (absent: null). */
static gql_rv json_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *o = parent;
  return gql_rv_json(json_is_object(o) ? json_object_get(o, info->field->name) : NULL);
}

int api_json_types(gql_schema *s, const char *const *types, size_t n, char *err, size_t err_size) {
  for (size_t k = 0; k < n; k++) {
    gql_type *t = gql_schema_type(s, types[k]);
    if (!t || t->kind != GQL_KIND_OBJECT) {
      snprintf(err, err_size, "the API schema has no object type %s", types[k]);
      return -1;
    }
    for (size_t i = 0; i < t->n_fields; i++) {
      t->fields[i].resolve = json_field;
      t->fields[i].resolve_data = NULL;
    }
  }
  return 0;
}

int api_resolve_types(gql_schema *s, const char *const *types, size_t n, gql_resolve_type_fn fn,
                      char *err, size_t err_size) {
  for (size_t i = 0; i < n; i++) {
    if (gql_schema_set_resolve_type(s, types[i], fn, NULL) != 0) {
      snprintf(err, err_size, "the API schema has no abstract type %s", types[i]);
      return -1;
    }
  }
  return 0;
}

int api_attach(gql_schema *s, const api_resolver *table, size_t n, char *err, size_t err_size) {
  for (size_t i = 0; i < n; i++) {
    if (gql_schema_set_resolver(s, table[i].field, table[i].fn, NULL) != 0) {
      snprintf(err, err_size, "the API schema has no field %s", table[i].field);
      return -1;
    }
  }
  return 0;
}

int api_attach_common(gql_schema *s, const char *const *types, size_t n_types,
                      const api_resolver *fields, size_t n_fields, char *err, size_t err_size) {
  char name[128];
  for (size_t i = 0; i < n_types; i++) {
    for (size_t f = 0; f < n_fields; f++) {
      snprintf(name, sizeof name, "%s.%s", types[i], fields[f].field);
      api_resolver r = {name, fields[f].fn};
      if (api_attach(s, &r, 1, err, err_size) != 0)
        return -1;
    }
  }
  return 0;
}

/* The text of a string value, or NULL (absent, null, not a string). */
static const char *string_of(const gql_value *v) {
  return v && v->kind == GQL_VALUE_STRING ? v->str : NULL;
}

const char *api_arg_string(const gql_resolve_info *info, const char *name) {
  return string_of(gql_arg(info, name));
}

const char *api_value_string(const gql_value *obj, const char *name) {
  return string_of(gql_value_field(obj, name));
}

const api_location *api_repository_find(const gql_resolve_info *info, const char *location_name,
                                        const char *repository_name) {
  const api_location *loc = location_name ? api_location_find(info, location_name) : NULL;
  if (!loc || !loc->defs || !repository_name ||
      strcmp(loc->defs->repository_name, repository_name) != 0)
    return NULL;
  return loc;
}

bool api_value_truthy(const gql_value *v) {
  if (!v)
    return false;
  switch (v->kind) {
  case GQL_VALUE_NULL:
    return false;
  case GQL_VALUE_BOOLEAN:
    return v->boolean;
  case GQL_VALUE_INT:
  case GQL_VALUE_FLOAT:
    return v->fval != 0;
  case GQL_VALUE_STRING:
    return v->str_len > 0;
  case GQL_VALUE_LIST:
    return v->n_items > 0;
  case GQL_VALUE_OBJECT:
    return v->n_fields > 0;
  default:
    return true;
  }
}

const json_t *api_run_config_arg(const gql_resolve_info *info, const char *name,
                                 const char **error) {
  return api_run_config_value(info, gql_arg(info, name), error);
}

const json_t *api_run_config_value(const gql_resolve_info *info, const gql_value *v,
                                   const char **error) {
  *error = NULL;
  if (!v || v->kind == GQL_VALUE_NULL)
    return NULL;
  json_t *j;
  if (v->kind == GQL_VALUE_STRING) {
    /* Dagster reads a string as YAML (yaml.safe_load), as the playground
     * of its UI sends the editor's text. */
    yaml_error ye;
    yaml_value *y = yaml_parse(info->arena, v->str, v->str_len, NULL, &ye);
    j = y ? yaml_to_json(y, &ye) : NULL;
    if (!j) {
      *error = ye.line
                   ? arena_printf(info->arena,
                                  "the run config is not valid YAML: line %d, "
                                  "column %d: %s",
                                  ye.line, ye.column, ye.message)
                   : arena_printf(info->arena, "the run config is not valid YAML: %s", ye.message);
      return NULL;
    }
  } else if (!(j = gql_value_to_json(v))) {
    *error = "the run config holds a number too large to represent";
    return NULL;
  }
  return api_json_defer(info->arena, j);
}

static void free_registry(void *r) { defs_config_registry_free(r); }

defs_config_registry *api_request_registry(const gql_resolve_info *info) {
  defs_config_registry *r = arena_find_deferred(info->arena, free_registry);
  if (!r) {
    r = defs_config_registry_new();
    arena_defer_keyed(info->arena, free_registry, r);
  }
  return r;
}

const char *api_sha1_hex(arena *a, const char *text) {
  char *hex = arena_alloc(a, DEFS_SHA1_HEX_LEN + 1);
  defs_sha1_hex(text, strlen(text), hex);
  return hex;
}
