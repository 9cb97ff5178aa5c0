/* events.c — writing run events and building their bodies (events.h).
 *
 * Bodies are jansson objects serialized compactly in insertion order, so
 * the API can hand their fields back in the order Dagster's types list
 * them. Strings that come from outside (op output, error texts) may hold
 * broken UTF-8, which jansson refuses: they are repaired with U+FFFD
 * rather than dropped, so an event is never lost over a bad byte. */
#include "run/events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/utf8.h"
#include "defs/config.h"

/* A JSON string of s (NULL: ""), invalid UTF-8 replaced by U+FFFD. */
static json_t *text(const char *s) {
  if (!s)
    s = "";
  json_t *v = json_string(s);
  if (v)
    return v;
  buf fixed;
  buf_init(&fixed, NULL);
  const char *end = s + strlen(s);
  for (const char *p = s; p < end;) {
    uint32_t cp;
    int n = utf8_decode(p, end, &cp);
    if (n > 0) {
      buf_append(&fixed, p, (size_t)n);
      p += n;
    } else {
      buf_puts(&fixed, "\xEF\xBF\xBD");
      p++;
    }
  }
  v = json_string(buf_cstr(&fixed));
  buf_free(&fixed);
  return v;
}

int64_t run_event(store *s, const char *run_id, const char *event_type, int level,
                  const char *step_key, const char *message, json_t *body, store_error *err) {
  store_event ev = {
      .timestamp = clock_now(),
      .event_type = event_type,
      .level = level,
      .step_key = step_key,
      .message = message ? message : "",
  };
  char *body_text = NULL;
  int64_t id = -1;
  if (!run_id || strlen(run_id) >= sizeof ev.run_id) {
    snprintf(err->message, sizeof err->message, "Invalid run id.");
    goto out;
  }
  memcpy(ev.run_id, run_id, strlen(run_id) + 1);
  if (body) {
    body_text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!body_text) {
      snprintf(err->message, sizeof err->message, "The body of a %s event could not be encoded.",
               event_type ? event_type : "log");
      goto out;
    }
    ev.body = body_text;
  }
  id = store_event_append(s, &ev, err);
out:
  free(body_text);
  json_decref(body);
  return id;
}

int run_event_level(const char *event_type) {
  static const char *const failures[] = {"RUN_FAILURE", "STEP_FAILURE", "RUN_CANCELED"};
  for (size_t i = 0; event_type && i < sizeof failures / sizeof *failures; i++)
    if (strcmp(event_type, failures[i]) == 0)
      return RUN_LEVEL_ERROR;
  return RUN_LEVEL_DEBUG;
}

json_t *run_error_json(const char *class_name, const char *message, const char *const *stack,
                       size_t n) {
  json_t *lines = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(lines, text(stack[i]));
  json_t *e = json_object();
  json_object_set_new(e, "message", text(message));
  json_object_set_new(e, "className", class_name ? text(class_name) : json_null());
  json_object_set_new(e, "stack", lines);
  json_object_set_new(e, "cause", json_null());
  return e;
}

/* ---- metadata entries ---- */

/* An entry of type `typename` for label, with value (stolen) under `field`
 * (NULL: none). */
static json_t *entry(const char *type_name, const char *label, const char *field, json_t *value) {
  json_t *e = json_object();
  json_object_set_new(e, "__typename", json_string(type_name));
  json_object_set_new(e, "label", text(label));
  json_object_set_new(e, "description", json_null());
  if (field)
    json_object_set_new(e, field, value);
  return e;
}

static json_t *json_entry(const char *label, const json_t *value) {
  buf dumped;
  buf_init(&dumped, NULL);
  defs_config_json_dumps(value, &dumped);
  json_t *e = entry("JsonMetadataEntry", label, "jsonString", text(buf_cstr(&dumped)));
  buf_free(&dumped);
  return e;
}

/* The kinds an op may name explicitly that take a string. */
static const struct {
  const char *kind, *type_name, *field;
} string_kinds[] = {
    {"text", "TextMetadataEntry", "text"},
    {"path", "PathMetadataEntry", "path"},
    {"url", "UrlMetadataEntry", "url"},
    {"md", "MarkdownMetadataEntry", "mdStr"},
};

/* The entry an explicit {"type": …, "value": …} asks for; NULL when v is
 * not one (then it is plain JSON). */
static json_t *explicit_entry(const char *label, const json_t *v) {
  if (!json_is_object(v) || json_object_size(v) != 2)
    return NULL;
  const char *kind = json_string_value(json_object_get(v, "type"));
  const json_t *value = json_object_get(v, "value");
  if (!kind || !value)
    return NULL;
  if (strcmp(kind, "json") == 0)
    return json_entry(label, value);
  for (size_t i = 0; i < sizeof string_kinds / sizeof *string_kinds; i++)
    if (strcmp(kind, string_kinds[i].kind) == 0 && json_is_string(value))
      return entry(string_kinds[i].type_name, label, string_kinds[i].field,
                   text(json_string_value(value)));
  return NULL;
}

json_t *run_metadata_entry(const char *label, const json_t *value) {
  json_t *e;
  switch (value ? json_typeof(value) : JSON_NULL) {
  case JSON_STRING:
    return entry("TextMetadataEntry", label, "text", text(json_string_value(value)));
  case JSON_INTEGER: {
    json_int_t n = json_integer_value(value);
    char repr[32];
    snprintf(repr, sizeof repr, "%lld", (long long)n);
    /* GraphQL's Int is 32 bits: Dagster gives intValue only when it fits. */
    bool fits = n >= -2147483648LL && n <= 2147483647LL;
    e = entry("IntMetadataEntry", label, "intValue", fits ? json_integer(n) : json_null());
    json_object_set_new(e, "intRepr", json_string(repr));
    return e;
  }
  case JSON_REAL:
    return entry("FloatMetadataEntry", label, "floatValue", json_real(json_real_value(value)));
  case JSON_TRUE:
  case JSON_FALSE:
    return entry("BoolMetadataEntry", label, "boolValue", json_boolean(json_is_true(value)));
  case JSON_NULL:
    return entry("NullMetadataEntry", label, NULL, NULL);
  case JSON_OBJECT:
  case JSON_ARRAY:
    if ((e = explicit_entry(label, value)))
      return e;
    return json_entry(label, value);
  }
  return entry("NullMetadataEntry", label, NULL, NULL);
}

json_t *run_type_check_json(const char *name) {
  json_t *t = json_object();
  json_object_set_new(t, "label", text(name));
  json_object_set_new(t, "description", json_null());
  json_object_set_new(t, "success", json_true());
  json_object_set_new(t, "metadataEntries", json_array());
  return t;
}
