/* objects.c — the helpers every resolver file shares (objects.h): returning
 * objects and JSON-backed error objects, attaching resolver tables,
 * reading arguments, and the request-scoped config type registry. */
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

gql_rv api_json(const gql_resolve_info *info, json_t *obj) {
  arena_defer(info->arena, decref, obj);
  return gql_rv_json(obj);
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

gql_rv api_python_error(const gql_resolve_info *info, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *message = arena_vprintf(info->arena, fmt, ap);
  va_end(ap);
  json_t *o =
      json_pack("{s:s, s:s, s:s, s:[], s:n, s:[], s:[]}", "__typename", "PythonError", "message",
                message, "className", "dagd", "stack", "cause", "causes", "errorChain");
  return api_json(info, o);
}

/* The resolver of every field of a JSON-backed type: the parent's key of
 * the field's name (absent: null). */
static gql_rv json_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *o = parent;
  return gql_rv_json(json_is_object(o) ? json_object_get(o, info->field->name) : NULL);
}

int api_json_type(gql_schema *s, const char *type_name) {
  gql_type *t = gql_schema_type(s, type_name);
  if (!t || t->kind != GQL_KIND_OBJECT)
    return -1;
  for (size_t i = 0; i < t->n_fields; i++) {
    t->fields[i].resolve = json_field;
    t->fields[i].resolve_data = NULL;
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

const char *api_arg_string(const gql_resolve_info *info, const char *name) {
  const gql_value *v = gql_arg(info, name);
  return v && v->kind == GQL_VALUE_STRING ? v->str : NULL;
}

const json_t *api_run_config_arg(const gql_resolve_info *info, const char *name,
                                 const char **error) {
  *error = NULL;
  const gql_value *v = gql_arg(info, name);
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
  } else {
    j = gql_value_to_json(v);
  }
  arena_defer(info->arena, decref, j);
  return j;
}

static void free_registry(void *r) { defs_config_registry_free(r); }

defs_config_registry *api_request_registry(const gql_resolve_info *info) {
  defs_config_registry *r = arena_find_deferred(info->arena, free_registry);
  if (!r) {
    r = defs_config_registry_new();
    arena_defer(info->arena, free_registry, r);
  }
  return r;
}

const char *api_sha1_hex(arena *a, const char *text) {
  char *hex = arena_alloc(a, DEFS_SHA1_HEX_LEN + 1);
  defs_sha1_hex(text, strlen(text), hex);
  return hex;
}
