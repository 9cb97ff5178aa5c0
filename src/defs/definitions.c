/* definitions.c — the definitions file loader (docs/definitions.md).
 *
 * The YAML tree is parsed into the definitions' own arena, so names and
 * strings point into it without copies. Loading goes top-down: the working
 * directory, resources, ops (with their config schemas and Dagster types),
 * graphs, then jobs with their presets; the nodes of graphs and jobs are
 * loaded, wired and ordered by graphs.c. Every problem is reported at the
 * YAML node at fault and loading carries on, so one run shows several
 * errors. */
/* realpath (XSI) for the working directory. */
#define _XOPEN_SOURCE 700

#include "defs/definitions.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/fs.h"
#include "base/mem.h"
#include "base/strmap.h"
#include "base/yaml.h"
#include "defs/definitions_internal.h"
#include "defs/snapshot.h"

/* ---- Errors and small helpers -------------------------------------------- */

void defs_fail(defs_loader *L, const yaml_value *at, const char *fmt, ...) {
  L->n_errors++;
  if (L->n_errors > DEFS_MAX_ERRORS)
    return;
  buf_printf(L->err, "%s:%d:%d: ", L->file, at ? at->line : 1, at ? at->column : 1);
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(L->err, fmt, ap);
  va_end(ap);
  buf_putc(L->err, '\n');
}

static void decref(void *v) { json_decref(v); }

/* Keeps a JSON value as long as the definitions (released with their arena). */
static json_t *own(defs_loader *L, json_t *v) {
  arena_defer(L->a, decref, v);
  return v;
}

/* Whether the node has the kind; otherwise reports "<what> must be a <kind>". */
bool defs_expect(defs_loader *L, const yaml_value *v, yaml_kind kind, const char *what) {
  if (v->kind == kind)
    return true;
  const char *was = yaml_kind_name(v->kind);
  defs_fail(L, v, "%s must be a %s, not %s %s", what, yaml_kind_name(kind),
            strchr("aeiou", was[0]) ? "an" : "a", was);
  return false;
}

/* Whether s is in the NULL-terminated list. */
static bool in_list(const char *s, const char *const *list) {
  for (; *list; list++)
    if (strcmp(s, *list) == 0)
      return true;
  return false;
}

/* Reports every key of map not in the NULL-terminated list allowed. */
void defs_check_keys(defs_loader *L, const yaml_value *map, const char *what,
                     const char *const *allowed) {
  for (size_t i = 0; i < map->count; i++) {
    const yaml_value *k = map->pairs[i].key;
    if (k->kind == YAML_KIND_STR && in_list(k->str, allowed))
      continue;
    buf list;
    buf_init(&list, L->a);
    for (const char *const *a = allowed; *a; a++)
      buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
    defs_fail(L, k, "unknown key '%s' in %s (expected one of: %s)", k->str, what, buf_cstr(&list));
  }
}

/* The string of an optional key; NULL when absent or not a string (reported). */
const char *defs_opt_str(defs_loader *L, const yaml_value *map, const char *key, const char *what) {
  const yaml_value *v = yaml_map_get(map, key);
  if (!v || v->kind == YAML_KIND_NULL)
    return NULL;
  if (v->kind != YAML_KIND_STR) {
    defs_fail(L, v, "'%s' of %s must be a string, not a %s", key, what, yaml_kind_name(v->kind));
    return NULL;
  }
  return v->str;
}

/* Dagster's name rule: ^[A-Za-z0-9_]+$. */
bool defs_check_name(defs_loader *L, const yaml_value *k, const char *what) {
  if (k->kind != YAML_KIND_STR || !*k->str) {
    defs_fail(L, k, "%s name must be a non-empty string", what);
    return false;
  }
  for (const char *s = k->str; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      defs_fail(L, k, "invalid %s name '%s': use letters, digits and underscores", what, k->str);
      return false;
    }
  }
  return true;
}

/* A mapping of string to scalar (tags, env); scalars keep their text. */
static const defs_pair *string_pairs(defs_loader *L, const yaml_value *v, const char *what,
                                     size_t *n) {
  *n = 0;
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, what))
    return NULL;
  defs_pair *out = ARENA_ARRAY(L->a, defs_pair, v->count);
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *val = v->pairs[i].value;
    if (k->kind != YAML_KIND_STR || !val->str) {
      defs_fail(L, k->kind != YAML_KIND_STR ? k : val, "%s must map strings to strings", what);
      continue;
    }
    out[(*n)++] = (defs_pair){k->str, val->kind == YAML_KIND_NULL ? "" : val->str};
  }
  return out;
}

/* A non-negative number (int or float), or -1 after reporting. */
static double number(defs_loader *L, const yaml_value *v, const char *what) {
  double x = v->kind == YAML_KIND_INT     ? (double)v->integer
             : v->kind == YAML_KIND_FLOAT ? v->number
                                          : -1;
  /* .inf is refused too: a snapshot could not write it back as JSON. */
  if (!(x >= 0) || isinf(x))
    defs_fail(L, v, "%s must be a non-negative number", what);
  return x;
}

/* ---- Dagster types -------------------------------------------------------- */

static const defs_type builtin_types[] = {
    {DEFS_TYPE_ANY, "Any", "Any", NULL},       {DEFS_TYPE_INT, "Int", "Int", NULL},
    {DEFS_TYPE_FLOAT, "Float", "Float", NULL}, {DEFS_TYPE_STRING, "String", "String", NULL},
    {DEFS_TYPE_BOOL, "Bool", "Bool", NULL},    {DEFS_TYPE_NOTHING, "Nothing", "Nothing", NULL},
};

const defs_type *defs_type_any(void) { return &builtin_types[DEFS_TYPE_ANY]; }

static const defs_type *wrap_type(defs_loader *L, defs_type_kind kind, const defs_type *inner) {
  defs_type *t = ARENA_NEW(L->a, defs_type);
  const char *what = kind == DEFS_TYPE_LIST ? "List" : "Optional";
  t->kind = kind;
  t->inner = inner;
  t->name = arena_printf(L->a, "%s[%s]", what, inner->name);
  t->key = arena_printf(L->a, "%s.%s", what, inner->key);
  return t;
}

/* A type written as text: Int, Int?, List[Int], Optional[Int], nested. */
static const defs_type *type_from_text(defs_loader *L, const char *s, size_t n) {
  if (n > 0 && s[n - 1] == '?') {
    const defs_type *in = type_from_text(L, s, n - 1);
    return in ? wrap_type(L, DEFS_TYPE_NULLABLE, in) : NULL;
  }
  static const struct {
    const char *prefix;
    defs_type_kind kind;
  } wrappers[] = {
      {"[", DEFS_TYPE_LIST}, {"List[", DEFS_TYPE_LIST}, {"Optional[", DEFS_TYPE_NULLABLE}};
  for (size_t i = 0; i < 3; i++) {
    size_t p = strlen(wrappers[i].prefix);
    if (n > p && strncmp(s, wrappers[i].prefix, p) == 0 && s[n - 1] == ']') {
      const defs_type *in = type_from_text(L, s + p, n - p - 1);
      return in ? wrap_type(L, wrappers[i].kind, in) : NULL;
    }
  }
  for (size_t i = 0; i < sizeof builtin_types / sizeof builtin_types[0]; i++)
    if (strlen(builtin_types[i].name) == n && strncmp(s, builtin_types[i].name, n) == 0)
      return &builtin_types[i];
  return NULL;
}

static const defs_type *dagster_type(defs_loader *L, const yaml_value *v) {
  const defs_type *t = NULL;
  if (v->kind == YAML_KIND_STR)
    t = type_from_text(L, v->str, v->len);
  else if (v->kind == YAML_KIND_SEQ && v->count == 1) {
    const defs_type *in = dagster_type(L, v->items[0]);
    return in ? wrap_type(L, DEFS_TYPE_LIST, in) : NULL;
  }
  if (!t)
    defs_fail(L, v,
              "bad type %s%s%s: expected Any, Int, Float, String, Bool, Nothing, [T], List[T], T? "
              "or Optional[T]",
              v->str ? "'" : "a ", v->str ? v->str : yaml_kind_name(v->kind), v->str ? "'" : "");
  return t;
}

/* ---- Config schemas --------------------------------------------------------- */

/* The keys that make a mapping a type descriptor rather than a Shape: one
 * constructor, plus modifiers. */
static const char *const ctor_keys[] = {"type", "enum",  "shape",    "permissive",   "selector",
                                        "map",  "array", "noneable", "scalar_union", NULL};
static const char *const modifier_keys[] = {"default", "description", "required", "name",
                                            "key",     "key_label",   NULL};

/* The constructor pair of a descriptor mapping, or NULL when v is not one. */
static const yaml_pair *descriptor(const yaml_value *v) {
  if (v->kind != YAML_KIND_MAP)
    return NULL;
  const yaml_pair *ctor = NULL;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (k->kind != YAML_KIND_STR)
      return NULL;
    if (in_list(k->str, ctor_keys)) {
      if (ctor)
        return NULL;
      ctor = &v->pairs[i];
    } else if (!in_list(k->str, modifier_keys))
      return NULL;
  }
  return ctor;
}

static const defs_config_type *config_type(defs_loader *L, const yaml_value *v, const char *hint);
static bool config_field(defs_loader *L, const yaml_value *v, const char *name,
                         defs_config_field_spec *out);

/* Reports a constructor's complaint (config.h appends it to a buf). */
static const defs_config_type *built(defs_loader *L, const yaml_value *at,
                                     const defs_config_type *t, buf *why) {
  if (!t) {
    /* One error a line: fold config.h's indented detail lines into one. */
    buf flat;
    buf_init(&flat, L->a);
    for (const char *s = why->len ? buf_cstr(why) : "invalid type"; *s; s++) {
      if (*s == '\n') {
        while (s[1] == ' ')
          s++;
        buf_putc(&flat, ' ');
      } else
        buf_putc(&flat, *s);
    }
    defs_fail(L, at, "bad config schema: %s", buf_cstr(&flat));
  }
  return t;
}

typedef enum fields_kind { FIELDS_SHAPE, FIELDS_PERMISSIVE, FIELDS_SELECTOR } fields_kind;

static const defs_config_type *fields_type(defs_loader *L, const yaml_value *v, fields_kind kind) {
  if (v->kind == YAML_KIND_NULL && kind == FIELDS_PERMISSIVE)
    return defs_config_permissive(L->d->priv->reg, NULL, 0, NULL, NULL);
  if (!defs_expect(L, v, YAML_KIND_MAP, "the fields of a config shape"))
    return NULL;
  defs_config_field_spec *specs = ARENA_ARRAY(L->a, defs_config_field_spec, v->count + 1);
  bool ok = true;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (k->kind != YAML_KIND_STR) {
      defs_fail(L, k, "config field names must be strings");
      ok = false;
      continue;
    }
    ok &= config_field(L, v->pairs[i].value, k->str, &specs[i]);
  }
  if (!ok)
    return NULL;
  buf why;
  buf_init(&why, L->a);
  defs_config_registry *r = L->d->priv->reg;
  const defs_config_type *t =
      kind == FIELDS_SHAPE        ? defs_config_shape(r, specs, v->count, NULL, NULL, 0, &why)
      : kind == FIELDS_PERMISSIVE ? defs_config_permissive(r, specs, v->count, NULL, &why)
                                  : defs_config_selector(r, specs, v->count, NULL, &why);
  return built(L, v, t, &why);
}

static const defs_config_type *scalar_type(defs_loader *L, const yaml_value *v, const char *what) {
  const defs_config_type *t = config_type(L, v, NULL);
  if (t && t->kind != DEFS_CONFIG_SCALAR) {
    defs_fail(L, v, "%s must be Int, Float, String or Bool", what);
    return NULL;
  }
  return t;
}

/* The type of a descriptor, given its constructor pair. */
static const defs_config_type *descriptor_type(defs_loader *L, const yaml_value *map,
                                               const yaml_pair *ctor, const char *hint) {
  const char *c = ctor->key->str;
  const yaml_value *v = ctor->value;
  defs_config_registry *r = L->d->priv->reg;
  buf why;
  buf_init(&why, L->a);
  const char *name = defs_opt_str(L, map, "name", "an enum");
  if (strcmp(c, "type") == 0)
    return config_type(L, v, hint);
  if (strcmp(c, "shape") == 0)
    return fields_type(L, v, FIELDS_SHAPE);
  if (strcmp(c, "permissive") == 0)
    return fields_type(L, v, FIELDS_PERMISSIVE);
  if (strcmp(c, "selector") == 0)
    return fields_type(L, v, FIELDS_SELECTOR);
  if (strcmp(c, "array") == 0 || strcmp(c, "noneable") == 0) {
    const defs_config_type *in = config_type(L, v, hint);
    if (!in)
      return NULL;
    return built(L, v,
                 c[0] == 'a' ? defs_config_array(r, in, &why) : defs_config_noneable(r, in, &why),
                 &why);
  }
  if (strcmp(c, "map") == 0) {
    const yaml_value *kv = yaml_map_get(map, "key");
    const defs_config_type *key =
        kv ? scalar_type(L, kv, "the key type of a map") : defs_config_scalar(DEFS_CONFIG_STRING);
    const defs_config_type *in = config_type(L, v, hint);
    if (!key || !in)
      return NULL;
    return built(
        L, v, defs_config_map(r, key, in, defs_opt_str(L, map, "key_label", "a map"), &why), &why);
  }
  if (strcmp(c, "scalar_union") == 0) {
    if (v->kind != YAML_KIND_SEQ || v->count != 2) {
      defs_fail(L, v, "scalar_union must be a list of two types: [scalar, non-scalar]");
      return NULL;
    }
    const defs_config_type *s = scalar_type(L, v->items[0], "the first type of a scalar_union");
    const defs_config_type *ns = config_type(L, v->items[1], hint);
    if (!s || !ns)
      return NULL;
    return built(L, v, defs_config_scalar_union(r, s, ns, &why), &why);
  }
  /* enum */
  if (!defs_expect(L, v, YAML_KIND_SEQ, "enum"))
    return NULL;
  defs_config_enum_value *vals = ARENA_ARRAY(L->a, defs_config_enum_value, v->count + 1);
  for (size_t i = 0; i < v->count; i++) {
    if (v->items[i]->kind != YAML_KIND_STR) {
      defs_fail(L, v->items[i], "enum values must be strings");
      return NULL;
    }
    vals[i].value = v->items[i]->str;
  }
  if (!name && !hint) {
    defs_fail(L, map, "an enum here needs a 'name'");
    return NULL;
  }
  return built(L, v, defs_config_enum(r, name ? name : hint, vals, v->count, &why), &why);
}

/* A config type: a type name, [T], T?, a descriptor, or a mapping of fields. */
static const defs_config_type *config_type(defs_loader *L, const yaml_value *v, const char *hint) {
  buf why;
  buf_init(&why, L->a);
  switch (v->kind) {
  case YAML_KIND_STR: {
    /* Text forms "T?" and "[T]" (quoted, as "[Int]?" must be). */
    bool noneable = v->len > 1 && v->str[v->len - 1] == '?';
    bool array = !noneable && v->len > 2 && v->str[0] == '[' && v->str[v->len - 1] == ']';
    if (noneable || array) {
      yaml_value inner = *v;
      inner.str = arena_strndup(L->a, v->str + array, v->len - 1 - array);
      inner.len = v->len - 1 - array;
      const defs_config_type *in = config_type(L, &inner, hint);
      if (!in)
        return NULL;
      defs_config_registry *r = L->d->priv->reg;
      return built(L, v,
                   noneable ? defs_config_noneable(r, in, &why) : defs_config_array(r, in, &why),
                   &why);
    }
    static const char *const scalars[] = {"Int", "String", "Float", "Bool"};
    for (int i = 0; i < 4; i++)
      if (strcmp(v->str, scalars[i]) == 0)
        return defs_config_scalar((defs_config_scalar_kind)i);
    if (strcmp(v->str, "Any") == 0)
      return defs_config_any();
    if (strcmp(v->str, "Permissive") == 0)
      return defs_config_permissive(L->d->priv->reg, NULL, 0, NULL, NULL);
    defs_fail(L, v,
              "bad config schema: unknown config type '%s' (expected Any, Int, Float, String, "
              "Bool, Permissive, [T], T? or a mapping)",
              v->str);
    return NULL;
  }
  case YAML_KIND_SEQ:
    if (v->count == 1) {
      const defs_config_type *in = config_type(L, v->items[0], hint);
      return in ? built(L, v, defs_config_array(L->d->priv->reg, in, &why), &why) : NULL;
    }
    defs_fail(L, v, "bad config schema: a list type holds exactly one item type, as in [Int]");
    return NULL;
  case YAML_KIND_MAP: {
    const yaml_pair *ctor = descriptor(v);
    if (!ctor)
      return fields_type(L, v, FIELDS_SHAPE);
    for (size_t i = 0; i < v->count; i++) {
      const char *k = v->pairs[i].key->str;
      if (strcmp(k, "default") == 0 || strcmp(k, "description") == 0 ||
          strcmp(k, "required") == 0) {
        defs_fail(L, v->pairs[i].key, "bad config schema: '%s' belongs to a field, not a type here",
                  k);
        return NULL;
      }
    }
    return descriptor_type(L, v, ctor, hint);
  }
  default:
    defs_fail(L, v, "bad config schema: expected a type, not a %s", yaml_kind_name(v->kind));
    return NULL;
  }
}

/* A field: a type, or a descriptor with default/description/required. */
static bool config_field(defs_loader *L, const yaml_value *v, const char *name,
                         defs_config_field_spec *out) {
  *out = (defs_config_field_spec){.name = name};
  const yaml_pair *ctor = descriptor(v);
  if (!ctor) {
    out->type = config_type(L, v, name);
    return out->type != NULL;
  }
  out->type = descriptor_type(L, v, ctor, name);
  out->description = defs_opt_str(L, v, "description", "a config field");
  const yaml_value *req = yaml_map_get(v, "required");
  if (req) {
    if (defs_expect(L, req, YAML_KIND_BOOL, "'required'"))
      out->required = req->boolean ? DEFS_CONFIG_REQUIRED_YES : DEFS_CONFIG_REQUIRED_NO;
  }
  const yaml_value *def = yaml_map_get(v, "default");
  if (def) {
    yaml_error ye;
    json_t *j = yaml_to_json(def, &ye);
    if (!j) {
      defs_fail(L, def, "bad default: %s", ye.message);
      return false;
    }
    out->default_value = own(L, j);
  }
  return out->type != NULL;
}

/* The `config:` of an op or resource, as a field of its own. */
static const defs_config_schema *config_schema(defs_loader *L, const yaml_value *v) {
  if (!v)
    return NULL;
  defs_config_field_spec spec;
  if (!config_field(L, v, NULL, &spec))
    return NULL;
  if (spec.default_value) {
    /* Check the default now, as a Shape does for its fields. */
    defs_config_errors errs;
    defs_config_errors_init(&errs, L->a);
    if (defs_config_validate(spec.type, spec.default_value, &errs)) {
      defs_fail(L, yaml_map_get(v, "default"), "bad default: %s", errs.items[0].message);
      return NULL;
    }
  }
  defs_config_schema *s = ARENA_NEW(L->a, defs_config_schema);
  *s = (defs_config_schema){spec.type, spec.required, spec.default_value};
  return s;
}

/* ---- Resources and ops ------------------------------------------------------ */

static void load_resources(defs_loader *L, const yaml_value *v) {
  static const char *const keys[] = {"description", "config", NULL};
  if (!v || !defs_expect(L, v, YAML_KIND_MAP, "'resources'"))
    return;
  defs_resource *out = ARENA_ARRAY(L->a, defs_resource, v->count);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *r = v->pairs[i].value;
    if (!defs_check_name(L, k, "resource"))
      continue;
    defs_resource *res = &out[n];
    *res = (defs_resource){.name = k->str, .line = k->line, .column = k->column};
    if (r->kind != YAML_KIND_NULL) {
      if (!defs_expect(L, r, YAML_KIND_MAP, "a resource"))
        continue;
      defs_check_keys(L, r, "a resource", keys);
      res->description = defs_opt_str(L, r, "description", "a resource");
      res->config = config_schema(L, yaml_map_get(r, "config"));
    }
    strmap_put(&L->d->priv->resources, L->a, res->name, res);
    n++;
  }
  L->d->resources = out;
  L->d->n_resources = n;
}

/* Inputs or outputs: name → type, or name → {type, description}. */
static const defs_io *ios(defs_loader *L, const yaml_value *v, const char *what, size_t *n) {
  static const char *const keys[] = {"type", "description", NULL};
  *n = 0;
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, what))
    return NULL;
  defs_io *out = ARENA_ARRAY(L->a, defs_io, v->count);
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *t = v->pairs[i].value;
    if (!defs_check_name(L, k, what))
      continue;
    defs_io *io = &out[*n];
    *io = (defs_io){.name = k->str, .line = k->line, .column = k->column};
    if (t->kind == YAML_KIND_MAP) {
      defs_check_keys(L, t, what, keys);
      io->description = defs_opt_str(L, t, "description", what);
      t = yaml_map_get(t, "type");
    }
    io->type = t ? dagster_type(L, t) : &builtin_types[DEFS_TYPE_ANY];
    if (io->type)
      (*n)++;
  }
  return out;
}

static void op_command(defs_loader *L, defs_op *op, const yaml_value *v) {
  const yaml_value *cmd = yaml_map_get(v, "command"), *sh = yaml_map_get(v, "shell");
  if (cmd && sh) {
    defs_fail(L, sh, "op '%s' has both 'command' and 'shell'; give one", op->name);
    return;
  }
  if (sh) {
    if (defs_expect(L, sh, YAML_KIND_STR, "'shell'"))
      op->shell = sh->str;
    return;
  }
  if (!cmd) {
    defs_fail(L, v, "op '%s' has no 'command'", op->name);
    return;
  }
  if (cmd->kind == YAML_KIND_STR) {
    defs_fail(L, cmd,
              "'command' must be a list of arguments, such as [sh, run.sh]; use 'shell' for a "
              "shell command line");
    return;
  }
  if (!defs_expect(L, cmd, YAML_KIND_SEQ, "'command'"))
    return;
  if (cmd->count == 0) {
    defs_fail(L, cmd, "'command' must not be empty");
    return;
  }
  const char **argv = ARENA_ARRAY(L->a, const char *, cmd->count + 1);
  for (size_t i = 0; i < cmd->count; i++) {
    const yaml_value *a = cmd->items[i];
    if (!a->str || a->kind == YAML_KIND_NULL) {
      defs_fail(L, a, "arguments of 'command' must be strings");
      return;
    }
    argv[i] = a->str;
  }
  op->argv = argv;
  op->n_argv = cmd->count;
}

static void op_retry(defs_loader *L, defs_op *op, const yaml_value *v) {
  static const char *const keys[] = {"max_retries", "delay", NULL};
  if (!v || !defs_expect(L, v, YAML_KIND_MAP, "'retry_policy'"))
    return;
  defs_check_keys(L, v, "a retry policy", keys);
  const yaml_value *m = yaml_map_get(v, "max_retries"), *d = yaml_map_get(v, "delay");
  if (m) {
    if (m->kind != YAML_KIND_INT || m->integer < 0 || m->integer > 1000)
      defs_fail(L, m, "'max_retries' must be an integer from 0 to 1000");
    else
      op->max_retries = (int)m->integer;
  } else
    op->max_retries = 1; /* Dagster's RetryPolicy default */
  if (d)
    op->retry_delay = number(L, d, "'delay'");
}

static void load_op(defs_loader *L, defs_op *op, const yaml_value *v) {
  static const char *const keys[] = {"command",      "shell",   "description", "tags",
                                     "config",       "inputs",  "outputs",     "resources",
                                     "retry_policy", "timeout", "env",         NULL};
  if (!defs_expect(L, v, YAML_KIND_MAP, "an op"))
    return;
  defs_check_keys(L, v, "an op", keys);
  op->description = defs_opt_str(L, v, "description", "an op");
  op_command(L, op, v);
  op->tags = string_pairs(L, yaml_map_get(v, "tags"), "'tags'", &op->n_tags);
  op->env = string_pairs(L, yaml_map_get(v, "env"), "'env'", &op->n_env);
  op->config = config_schema(L, yaml_map_get(v, "config"));
  op->inputs = ios(L, yaml_map_get(v, "inputs"), "input", &op->n_inputs);
  const yaml_value *outs = yaml_map_get(v, "outputs");
  if (outs)
    op->outputs = ios(L, outs, "output", &op->n_outputs);
  else {
    defs_io *result = ARENA_NEW(L->a, defs_io);
    *result = (defs_io){.name = "result",
                        .type = &builtin_types[DEFS_TYPE_ANY],
                        .line = v->line,
                        .column = v->column};
    op->outputs = result;
    op->n_outputs = 1;
  }
  const yaml_value *res = yaml_map_get(v, "resources");
  if (res && defs_expect(L, res, YAML_KIND_SEQ, "'resources'")) {
    const char **names = ARENA_ARRAY(L->a, const char *, res->count);
    for (size_t i = 0; i < res->count; i++) {
      const yaml_value *r = res->items[i];
      if (r->kind != YAML_KIND_STR)
        defs_fail(L, r, "resource names must be strings");
      else if (!strmap_get(&L->d->priv->resources, r->str))
        defs_fail(L, r, "op '%s' requires resource '%s', which is not defined", op->name, r->str);
      else
        names[op->n_required_resources++] = r->str;
    }
    op->required_resources = names;
  }
  op_retry(L, op, yaml_map_get(v, "retry_policy"));
  const yaml_value *t = yaml_map_get(v, "timeout");
  if (t)
    op->timeout = number(L, t, "'timeout'");
}

static void load_ops(defs_loader *L, const yaml_value *v) {
  if (!v || !defs_expect(L, v, YAML_KIND_MAP, "'ops'"))
    return;
  defs_op *out = ARENA_ARRAY(L->a, defs_op, v->count);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (!defs_check_name(L, k, "op"))
      continue;
    out[n] = (defs_op){.name = k->str, .line = k->line, .column = k->column};
    load_op(L, &out[n], v->pairs[i].value);
    strmap_put(&L->d->priv->ops, L->a, out[n].name, &out[n]);
    n++;
  }
  L->d->ops = out;
  L->d->n_ops = n;
}

/* ---- Jobs ------------------------------------------------------------------- */

/* A run config as written (job config, preset config); NULL after reporting. */
/* The `config:` of a job or preset (what: "'config' of a job"): a mapping,
 * kept as JSON; NULL when absent, null or wrong (reported). */
static const json_t *run_config_json(defs_loader *L, const yaml_value *v, const char *what) {
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, what))
    return NULL;
  yaml_error ye;
  json_t *j = yaml_to_json(v, &ye);
  if (!j) {
    defs_fail(L, v, "bad run config: %s", ye.message);
    return NULL;
  }
  return own(L, j);
}

static void job_execution(defs_loader *L, defs_job *job, const yaml_value *v) {
  static const char *const keys[] = {"max_concurrent", NULL};
  if (!v)
    return;
  const yaml_value *cfg = NULL;
  const char *kind = v->str;
  if (v->kind == YAML_KIND_MAP && v->count == 1 && v->pairs[0].key->kind == YAML_KIND_STR) {
    kind = v->pairs[0].key->str;
    cfg = v->pairs[0].value;
  }
  if (kind && strcmp(kind, "in_process") == 0 && (!cfg || cfg->kind == YAML_KIND_NULL))
    job->executor = DEFS_EXECUTOR_IN_PROCESS;
  else if (kind && strcmp(kind, "multiprocess") == 0) {
    job->executor = DEFS_EXECUTOR_MULTIPROCESS;
    if (cfg && cfg->kind != YAML_KIND_NULL &&
        defs_expect(L, cfg, YAML_KIND_MAP, "'multiprocess'")) {
      defs_check_keys(L, cfg, "'multiprocess'", keys);
      const yaml_value *m = yaml_map_get(cfg, "max_concurrent");
      if (m && (m->kind != YAML_KIND_INT || m->integer < 0 || m->integer > 100000))
        defs_fail(L, m, "'max_concurrent' must be a non-negative integer");
      else if (m)
        job->max_concurrent = (int)m->integer;
    }
  } else
    defs_fail(L, v,
              "'execution' must be in_process, multiprocess or {multiprocess: {max_concurrent: "
              "N}}");
}

/* A preset's op selection: a list of query strings, kept as written. */
static void preset_selection(defs_loader *L, defs_preset *p, const yaml_value *v) {
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_SEQ, "'op_selection'"))
    return;
  const char **queries = ARENA_ARRAY(L->a, const char *, v->count + 1);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    if (v->items[i]->kind != YAML_KIND_STR || !*v->items[i]->str)
      defs_fail(L, v->items[i], "op selection queries must be non-empty strings");
    else
      queries[n++] = v->items[i]->str;
  }
  if (n) {
    p->op_selection = queries;
    p->n_op_selection = n;
  }
}

static const defs_preset *load_presets(defs_loader *L, const yaml_value *v, size_t *n) {
  static const char *const keys[] = {"config", "op_selection", "tags", NULL};
  *n = 0;
  if (!v || v->kind == YAML_KIND_NULL || !defs_expect(L, v, YAML_KIND_MAP, "'presets'"))
    return NULL;
  defs_preset *out = ARENA_ARRAY(L->a, defs_preset, v->count + 1);
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *pv = v->pairs[i].value;
    if (!defs_check_name(L, k, "preset"))
      continue;
    defs_preset *p = &out[*n];
    *p = (defs_preset){.name = k->str, .line = k->line, .column = k->column};
    (*n)++;
    if (pv->kind == YAML_KIND_NULL || !defs_expect(L, pv, YAML_KIND_MAP, "a preset"))
      continue;
    defs_check_keys(L, pv, "a preset", keys);
    p->run_config = run_config_json(L, yaml_map_get(pv, "config"), "'config' of a preset");
    preset_selection(L, p, yaml_map_get(pv, "op_selection"));
    p->tags = string_pairs(L, yaml_map_get(pv, "tags"), "'tags'", &p->n_tags);
  }
  return out;
}

static void load_job(defs_loader *L, defs_job *job, const yaml_value *v) {
  static const char *const keys[] = {"description", "tags",    "ops", "config",
                                     "execution",   "presets", NULL};
  if (!defs_expect(L, v, YAML_KIND_MAP, "a job"))
    return;
  defs_check_keys(L, v, "a job", keys);
  job->description = defs_opt_str(L, v, "description", "a job");
  job->tags = string_pairs(L, yaml_map_get(v, "tags"), "'tags'", &job->n_tags);
  job_execution(L, job, yaml_map_get(v, "execution"));
  job->run_config = run_config_json(L, yaml_map_get(v, "config"), "'config' of a job");
  job->presets = load_presets(L, yaml_map_get(v, "presets"), &job->n_presets);
  defs_container c = {.kind = "job", .name = job->name};
  defs_load_nodes(L, &c, v, yaml_map_get(v, "ops"));
  job->nodes = c.nodes;
  job->n_nodes = c.n_nodes;
  job->order = c.order;
}

static void load_jobs(defs_loader *L, const yaml_value *v) {
  if (!v || !defs_expect(L, v, YAML_KIND_MAP, "'jobs'"))
    return;
  defs_job *out = ARENA_ARRAY(L->a, defs_job, v->count);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (!defs_check_name(L, k, "job"))
      continue;
    out[n] = (defs_job){.name = k->str, .line = k->line, .column = k->column};
    load_job(L, &out[n], v->pairs[i].value);
    strmap_put(&L->d->priv->jobs, L->a, out[n].name, &out[n]);
    n++;
  }
  L->d->jobs = out;
  L->d->n_jobs = n;
}

/* ---- Working directory ---------------------------------------------------------- */

/* dir resolved against the folder of file: made absolute with realpath when
 * it exists, else joined as text (and onto the current directory when still
 * relative). */
static const char *resolve_dir(arena *a, const char *file, const char *dir) {
  const char *slash = strrchr(file, '/');
  const char *joined =
      dir[0] == '/' || !slash ? dir : arena_printf(a, "%.*s/%s", (int)(slash - file), file, dir);
  char *real = realpath(joined, NULL);
  if (real) {
    const char *r = arena_strdup(a, real);
    free(real);
    return r;
  }
  char cwd[4096];
  if (joined[0] == '/' || !getcwd(cwd, sizeof cwd))
    return joined;
  return arena_printf(a, "%s/%s", cwd, joined);
}

static void load_working_directory(defs_loader *L, const yaml_value *v) {
  const char *dir = ".";
  if (v) {
    if (v->kind != YAML_KIND_STR || !*v->str) {
      defs_fail(L, v, "'working_directory' must be a non-empty string");
      return;
    }
    dir = v->str;
  }
  L->d->working_directory = resolve_dir(L->a, L->file, dir);
}

/* ---- Entry points ----------------------------------------------------------- */

static defs_definitions *definitions_new(const char *path) {
  arena *a = arena_new(0);
  defs_definitions *d = ARENA_NEW(a, defs_definitions);
  d->priv = ARENA_NEW(a, struct defs_definitions_private);
  d->priv->a = a;
  d->priv->reg = defs_config_registry_new();
  atomic_init(&d->priv->refs, 1);
  d->path = arena_strdup(a, path);
  d->config_types = d->priv->reg;
  d->repository_name = DEFS_DEFAULT_REPOSITORY_NAME;
  return d;
}

static void definitions_free(defs_definitions *d) {
  struct defs_definitions_private *p = d->priv;
  defs_config_registry_free(p->reg);
  arena_free(p->a);
}

defs_definitions *defs_load_text(const char *path, const char *text, size_t n, buf *err) {
  static const char *const keys[] = {
      "repository", "working_directory", "resources", "ops", "graphs", "jobs", NULL};
  defs_definitions *d = definitions_new(path);
  defs_loader L = {.a = d->priv->a, .file = d->path, .err = err, .d = d};
  yaml_error ye;
  const yaml_value *root = yaml_parse(L.a, text, n, NULL, &ye);
  if (!root)
    defs_fail(&L, &(yaml_value){.line = ye.line ? ye.line : 1, .column = ye.column ? ye.column : 1},
              "%s", ye.message);
  else if (root->kind == YAML_KIND_NULL)
    defs_fail(&L, root, "the definitions file is empty");
  else if (defs_expect(&L, root, YAML_KIND_MAP, "a definitions file")) {
    defs_check_keys(&L, root, "a definitions file", keys);
    const yaml_value *name = yaml_map_get(root, "repository");
    if (name && defs_check_name(&L, name, "repository"))
      d->repository_name = name->str;
    load_resources(&L, yaml_map_get(root, "resources"));
    load_working_directory(&L, yaml_map_get(root, "working_directory"));
    load_ops(&L, yaml_map_get(root, "ops"));
    defs_load_graphs(&L, yaml_map_get(root, "graphs"));
    load_jobs(&L, yaml_map_get(root, "jobs"));
  }
  if (L.n_errors > DEFS_MAX_ERRORS)
    buf_printf(err, "%s: %d more errors\n", d->path, L.n_errors - DEFS_MAX_ERRORS);
  if (L.n_errors) {
    definitions_free(d);
    return NULL;
  }
  /* Snapshot ids are asked for often (every pipelineSnapshotId, mode id,
   * run launch) and the definitions never change: computed once here. */
  for (size_t i = 0; i < d->n_jobs; i++) {
    defs_job *job = (defs_job *)&d->jobs[i];
    defs_job_snapshot_id(d, job, job->snapshot_id);
  }
  return d;
}

defs_definitions *defs_load_file(const char *path, buf *err) {
  buf text;
  buf_init(&text, NULL);
  defs_definitions *d = NULL;
  if (!fs_read_file(path, &text))
    buf_printf(err, "%s: cannot read: %s\n", path, strerror(errno));
  else
    d = defs_load_text(path, text.data ? text.data : "", text.len, err);
  buf_free(&text);
  return d;
}

defs_definitions *defs_definitions_retain(defs_definitions *d) {
  atomic_fetch_add(&d->priv->refs, 1);
  return d;
}

void defs_definitions_release(defs_definitions *d) {
  if (d && atomic_fetch_sub(&d->priv->refs, 1) == 1)
    definitions_free(d);
}

const defs_op *defs_find_op(const defs_definitions *d, const char *name) {
  return strmap_get(&d->priv->ops, name);
}

const defs_job *defs_find_job(const defs_definitions *d, const char *name) {
  return strmap_get(&d->priv->jobs, name);
}

const defs_resource *defs_find_resource(const defs_definitions *d, const char *name) {
  return strmap_get(&d->priv->resources, name);
}
