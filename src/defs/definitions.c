/* definitions.c — the definitions file loader (docs/definitions.md).
 *
 * The YAML tree is parsed into the definitions' own arena, so names and
 * strings point into it without copies. Loading goes top-down: resources,
 * ops (with their config schemas and Dagster types), then jobs, whose nodes
 * are wired once every node of the job is known; a depth-first walk then
 * orders the nodes and reports the first cycle it meets. Every problem is
 * reported at the YAML node at fault and loading carries on, so one run
 * shows several errors. */
#include "defs/definitions.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/mem.h"
#include "base/strmap.h"
#include "base/yaml.h"

struct defs_definitions_private {
  arena *a;
  defs_config_registry *reg;
  json_t **owned; /* JSON values to decref on free */
  size_t n_owned, cap_owned;
  atomic_int refs;
  strmap ops, jobs, resources;
};

typedef struct loader {
  arena *a;
  const char *file;
  buf *err;
  int n_errors;
  defs_definitions *d;
} loader;

/* ---- Errors and small helpers -------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void fail(loader *L, const yaml_value *at,
                                                       const char *fmt, ...) {
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

static json_t *own(loader *L, json_t *v) {
  struct defs_definitions_private *p = L->d->priv;
  if (p->n_owned == p->cap_owned) {
    p->cap_owned = p->cap_owned ? p->cap_owned * 2 : 8;
    p->owned = xrealloc(p->owned, p->cap_owned * sizeof *p->owned);
  }
  p->owned[p->n_owned++] = v;
  return v;
}

/* Whether the node has the kind; otherwise reports "<what> must be a <kind>". */
static bool expect(loader *L, const yaml_value *v, yaml_kind kind, const char *what) {
  if (v->kind == kind)
    return true;
  fail(L, v, "%s must be a %s, not a %s", what, yaml_kind_name(kind), yaml_kind_name(v->kind));
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
static void check_keys(loader *L, const yaml_value *map, const char *what,
                       const char *const *allowed) {
  for (size_t i = 0; i < map->count; i++) {
    const yaml_value *k = map->pairs[i].key;
    if (k->kind == YAML_KIND_STR && in_list(k->str, allowed))
      continue;
    buf list;
    buf_init(&list, L->a);
    for (const char *const *a = allowed; *a; a++)
      buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
    fail(L, k, "unknown key '%s' in %s (expected one of: %s)", k->str, what, buf_cstr(&list));
  }
}

/* The string of an optional key; NULL when absent or not a string (reported). */
static const char *opt_str(loader *L, const yaml_value *map, const char *key, const char *what) {
  const yaml_value *v = yaml_map_get(map, key);
  if (!v || v->kind == YAML_KIND_NULL)
    return NULL;
  if (v->kind != YAML_KIND_STR) {
    fail(L, v, "'%s' of %s must be a string, not a %s", key, what, yaml_kind_name(v->kind));
    return NULL;
  }
  return v->str;
}

/* Dagster's name rule: ^[A-Za-z0-9_]+$. */
static bool check_name(loader *L, const yaml_value *k, const char *what) {
  if (k->kind != YAML_KIND_STR || !*k->str) {
    fail(L, k, "%s name must be a non-empty string", what);
    return false;
  }
  for (const char *s = k->str; *s; s++) {
    char c = *s;
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      fail(L, k, "invalid %s name '%s': use letters, digits and underscores", what, k->str);
      return false;
    }
  }
  return true;
}

/* A mapping of string to scalar (tags, env); scalars keep their text. */
static const defs_pair *string_pairs(loader *L, const yaml_value *v, const char *what, size_t *n) {
  *n = 0;
  if (!v || v->kind == YAML_KIND_NULL || !expect(L, v, YAML_KIND_MAP, what))
    return NULL;
  defs_pair *out = ARENA_ARRAY(L->a, defs_pair, v->count);
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *val = v->pairs[i].value;
    if (k->kind != YAML_KIND_STR || !val->str) {
      fail(L, k->kind != YAML_KIND_STR ? k : val, "%s must map strings to strings", what);
      continue;
    }
    out[(*n)++] = (defs_pair){k->str, val->kind == YAML_KIND_NULL ? "" : val->str};
  }
  return out;
}

/* A non-negative number (int or float), or -1 after reporting. */
static double number(loader *L, const yaml_value *v, const char *what) {
  double x = v->kind == YAML_KIND_INT     ? (double)v->integer
             : v->kind == YAML_KIND_FLOAT ? v->number
                                          : -1;
  if (x < 0 || x != x)
    fail(L, v, "%s must be a non-negative number", what);
  return x;
}

/* ---- Dagster types -------------------------------------------------------- */

static const defs_type builtin_types[] = {
    {DEFS_TYPE_ANY, "Any", "Any", NULL},       {DEFS_TYPE_INT, "Int", "Int", NULL},
    {DEFS_TYPE_FLOAT, "Float", "Float", NULL}, {DEFS_TYPE_STRING, "String", "String", NULL},
    {DEFS_TYPE_BOOL, "Bool", "Bool", NULL},    {DEFS_TYPE_NOTHING, "Nothing", "Nothing", NULL},
};

static const defs_type *wrap_type(loader *L, defs_type_kind kind, const defs_type *inner) {
  defs_type *t = ARENA_NEW(L->a, defs_type);
  const char *what = kind == DEFS_TYPE_LIST ? "List" : "Optional";
  t->kind = kind;
  t->inner = inner;
  t->name = arena_printf(L->a, "%s[%s]", what, inner->name);
  t->key = arena_printf(L->a, "%s.%s", what, inner->key);
  return t;
}

/* A type written as text: Int, Int?, List[Int], Optional[Int], nested. */
static const defs_type *type_from_text(loader *L, const char *s, size_t n) {
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

static const defs_type *dagster_type(loader *L, const yaml_value *v) {
  const defs_type *t = NULL;
  if (v->kind == YAML_KIND_STR)
    t = type_from_text(L, v->str, v->len);
  else if (v->kind == YAML_KIND_SEQ && v->count == 1) {
    const defs_type *in = dagster_type(L, v->items[0]);
    return in ? wrap_type(L, DEFS_TYPE_LIST, in) : NULL;
  }
  if (!t)
    fail(L, v,
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

static const defs_config_type *config_type(loader *L, const yaml_value *v, const char *hint);
static bool config_field(loader *L, const yaml_value *v, const char *name,
                         defs_config_field_spec *out);

/* Reports a constructor's complaint (config.h appends it to a buf). */
static const defs_config_type *built(loader *L, const yaml_value *at, const defs_config_type *t,
                                     buf *why) {
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
    fail(L, at, "bad config schema: %s", buf_cstr(&flat));
  }
  return t;
}

typedef enum fields_kind { FIELDS_SHAPE, FIELDS_PERMISSIVE, FIELDS_SELECTOR } fields_kind;

static const defs_config_type *fields_type(loader *L, const yaml_value *v, fields_kind kind) {
  if (v->kind == YAML_KIND_NULL && kind == FIELDS_PERMISSIVE)
    return defs_config_permissive(L->d->priv->reg, NULL, 0, NULL, NULL);
  if (!expect(L, v, YAML_KIND_MAP, "the fields of a config shape"))
    return NULL;
  defs_config_field_spec *specs = ARENA_ARRAY(L->a, defs_config_field_spec, v->count + 1);
  bool ok = true;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (k->kind != YAML_KIND_STR) {
      fail(L, k, "config field names must be strings");
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

static const defs_config_type *scalar_type(loader *L, const yaml_value *v, const char *what) {
  const defs_config_type *t = config_type(L, v, NULL);
  if (t && t->kind != DEFS_CONFIG_SCALAR) {
    fail(L, v, "%s must be Int, Float, String or Bool", what);
    return NULL;
  }
  return t;
}

/* The type of a descriptor, given its constructor pair. */
static const defs_config_type *descriptor_type(loader *L, const yaml_value *map,
                                               const yaml_pair *ctor, const char *hint) {
  const char *c = ctor->key->str;
  const yaml_value *v = ctor->value;
  defs_config_registry *r = L->d->priv->reg;
  buf why;
  buf_init(&why, L->a);
  const char *name = opt_str(L, map, "name", "an enum");
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
    return built(L, v, defs_config_map(r, key, in, opt_str(L, map, "key_label", "a map"), &why),
                 &why);
  }
  if (strcmp(c, "scalar_union") == 0) {
    if (v->kind != YAML_KIND_SEQ || v->count != 2) {
      fail(L, v, "scalar_union must be a list of two types: [scalar, non-scalar]");
      return NULL;
    }
    const defs_config_type *s = scalar_type(L, v->items[0], "the first type of a scalar_union");
    const defs_config_type *ns = config_type(L, v->items[1], hint);
    if (!s || !ns)
      return NULL;
    return built(L, v, defs_config_scalar_union(r, s, ns, &why), &why);
  }
  /* enum */
  if (!expect(L, v, YAML_KIND_SEQ, "enum"))
    return NULL;
  defs_config_enum_value *vals = ARENA_ARRAY(L->a, defs_config_enum_value, v->count + 1);
  for (size_t i = 0; i < v->count; i++) {
    if (v->items[i]->kind != YAML_KIND_STR) {
      fail(L, v->items[i], "enum values must be strings");
      return NULL;
    }
    vals[i].value = v->items[i]->str;
  }
  if (!name && !hint) {
    fail(L, map, "an enum here needs a 'name'");
    return NULL;
  }
  return built(L, v, defs_config_enum(r, name ? name : hint, vals, v->count, &why), &why);
}

/* A config type: a type name, [T], T?, a descriptor, or a mapping of fields. */
static const defs_config_type *config_type(loader *L, const yaml_value *v, const char *hint) {
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
    fail(L, v,
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
    fail(L, v, "bad config schema: a list type holds exactly one item type, as in [Int]");
    return NULL;
  case YAML_KIND_MAP: {
    const yaml_pair *ctor = descriptor(v);
    if (!ctor)
      return fields_type(L, v, FIELDS_SHAPE);
    for (size_t i = 0; i < v->count; i++) {
      const char *k = v->pairs[i].key->str;
      if (strcmp(k, "default") == 0 || strcmp(k, "description") == 0 ||
          strcmp(k, "required") == 0) {
        fail(L, v->pairs[i].key, "bad config schema: '%s' belongs to a field, not a type here", k);
        return NULL;
      }
    }
    return descriptor_type(L, v, ctor, hint);
  }
  default:
    fail(L, v, "bad config schema: expected a type, not a %s", yaml_kind_name(v->kind));
    return NULL;
  }
}

/* A field: a type, or a descriptor with default/description/required. */
static bool config_field(loader *L, const yaml_value *v, const char *name,
                         defs_config_field_spec *out) {
  *out = (defs_config_field_spec){.name = name};
  const yaml_pair *ctor = descriptor(v);
  if (!ctor) {
    out->type = config_type(L, v, name);
    return out->type != NULL;
  }
  out->type = descriptor_type(L, v, ctor, name);
  out->description = opt_str(L, v, "description", "a config field");
  const yaml_value *req = yaml_map_get(v, "required");
  if (req) {
    if (expect(L, req, YAML_KIND_BOOL, "'required'"))
      out->required = req->boolean ? DEFS_CONFIG_REQUIRED_YES : DEFS_CONFIG_REQUIRED_NO;
  }
  const yaml_value *def = yaml_map_get(v, "default");
  if (def) {
    yaml_error ye;
    json_t *j = yaml_to_json(def, &ye);
    if (!j) {
      fail(L, def, "bad default: %s", ye.message);
      return false;
    }
    out->default_value = own(L, j);
  }
  return out->type != NULL;
}

/* The `config:` of an op or resource, as a field of its own. */
static const defs_config_schema *config_schema(loader *L, const yaml_value *v) {
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
      fail(L, yaml_map_get(v, "default"), "bad default: %s", errs.items[0].message);
      return NULL;
    }
  }
  defs_config_schema *s = ARENA_NEW(L->a, defs_config_schema);
  *s = (defs_config_schema){spec.type, spec.required, spec.default_value};
  return s;
}

/* ---- Resources and ops ------------------------------------------------------ */

static void load_resources(loader *L, const yaml_value *v) {
  static const char *const keys[] = {"description", "config", NULL};
  if (!v || !expect(L, v, YAML_KIND_MAP, "'resources'"))
    return;
  defs_resource *out = ARENA_ARRAY(L->a, defs_resource, v->count);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *r = v->pairs[i].value;
    if (!check_name(L, k, "resource"))
      continue;
    defs_resource *res = &out[n];
    *res = (defs_resource){.name = k->str, .line = k->line, .column = k->column};
    if (r->kind != YAML_KIND_NULL) {
      if (!expect(L, r, YAML_KIND_MAP, "a resource"))
        continue;
      check_keys(L, r, "a resource", keys);
      res->description = opt_str(L, r, "description", "a resource");
      res->config = config_schema(L, yaml_map_get(r, "config"));
    }
    strmap_put(&L->d->priv->resources, L->a, res->name, res);
    n++;
  }
  L->d->resources = out;
  L->d->n_resources = n;
}

/* Inputs or outputs: name → type, or name → {type, description}. */
static const defs_io *ios(loader *L, const yaml_value *v, const char *what, size_t *n) {
  static const char *const keys[] = {"type", "description", NULL};
  *n = 0;
  if (!v || v->kind == YAML_KIND_NULL || !expect(L, v, YAML_KIND_MAP, what))
    return NULL;
  defs_io *out = ARENA_ARRAY(L->a, defs_io, v->count);
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *t = v->pairs[i].value;
    if (!check_name(L, k, what))
      continue;
    defs_io *io = &out[*n];
    *io = (defs_io){.name = k->str, .line = k->line, .column = k->column};
    if (t->kind == YAML_KIND_MAP) {
      check_keys(L, t, what, keys);
      io->description = opt_str(L, t, "description", what);
      t = yaml_map_get(t, "type");
    }
    io->type = t ? dagster_type(L, t) : &builtin_types[DEFS_TYPE_ANY];
    if (io->type)
      (*n)++;
  }
  return out;
}

static void op_command(loader *L, defs_op *op, const yaml_value *v) {
  const yaml_value *cmd = yaml_map_get(v, "command"), *sh = yaml_map_get(v, "shell");
  if (cmd && sh) {
    fail(L, sh, "op '%s' has both 'command' and 'shell'; give one", op->name);
    return;
  }
  if (sh) {
    if (expect(L, sh, YAML_KIND_STR, "'shell'"))
      op->shell = sh->str;
    return;
  }
  if (!cmd) {
    fail(L, v, "op '%s' has no 'command'", op->name);
    return;
  }
  if (cmd->kind == YAML_KIND_STR) {
    fail(L, cmd,
         "'command' must be a list of arguments, such as [sh, run.sh]; use 'shell' for a "
         "shell command line");
    return;
  }
  if (!expect(L, cmd, YAML_KIND_SEQ, "'command'"))
    return;
  if (cmd->count == 0) {
    fail(L, cmd, "'command' must not be empty");
    return;
  }
  const char **argv = ARENA_ARRAY(L->a, const char *, cmd->count + 1);
  for (size_t i = 0; i < cmd->count; i++) {
    const yaml_value *a = cmd->items[i];
    if (!a->str || a->kind == YAML_KIND_NULL) {
      fail(L, a, "arguments of 'command' must be strings");
      return;
    }
    argv[i] = a->str;
  }
  op->argv = argv;
  op->n_argv = cmd->count;
}

static void op_retry(loader *L, defs_op *op, const yaml_value *v) {
  static const char *const keys[] = {"max_retries", "delay", NULL};
  if (!v || !expect(L, v, YAML_KIND_MAP, "'retry_policy'"))
    return;
  check_keys(L, v, "a retry policy", keys);
  const yaml_value *m = yaml_map_get(v, "max_retries"), *d = yaml_map_get(v, "delay");
  if (m) {
    if (m->kind != YAML_KIND_INT || m->integer < 0 || m->integer > 1000)
      fail(L, m, "'max_retries' must be an integer from 0 to 1000");
    else
      op->max_retries = (int)m->integer;
  } else
    op->max_retries = 1; /* Dagster's RetryPolicy default */
  if (d)
    op->retry_delay = number(L, d, "'delay'");
}

static void load_op(loader *L, defs_op *op, const yaml_value *v) {
  static const char *const keys[] = {"command",      "shell",   "description", "tags",
                                     "config",       "inputs",  "outputs",     "resources",
                                     "retry_policy", "timeout", "env",         NULL};
  if (!expect(L, v, YAML_KIND_MAP, "an op"))
    return;
  check_keys(L, v, "an op", keys);
  op->description = opt_str(L, v, "description", "an op");
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
  if (res && expect(L, res, YAML_KIND_SEQ, "'resources'")) {
    const char **names = ARENA_ARRAY(L->a, const char *, res->count);
    for (size_t i = 0; i < res->count; i++) {
      const yaml_value *r = res->items[i];
      if (r->kind != YAML_KIND_STR)
        fail(L, r, "resource names must be strings");
      else if (!strmap_get(&L->d->priv->resources, r->str))
        fail(L, r, "op '%s' requires resource '%s', which is not defined", op->name, r->str);
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

static void load_ops(loader *L, const yaml_value *v) {
  if (!v || !expect(L, v, YAML_KIND_MAP, "'ops'"))
    return;
  defs_op *out = ARENA_ARRAY(L->a, defs_op, v->count);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (!check_name(L, k, "op"))
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

/* One upstream reference, "node.output" or "node" (its only output). */
static bool resolve_source(loader *L, const defs_job *job, const strmap *nodes,
                           const yaml_value *ref, defs_source *out) {
  if (ref->kind != YAML_KIND_STR) {
    fail(L, ref, "an input's source must be a string 'op.output'");
    return false;
  }
  const char *dot = strchr(ref->str, '.');
  const char *node_name = dot ? arena_strndup(L->a, ref->str, (size_t)(dot - ref->str)) : ref->str;
  const defs_node *up = strmap_get(nodes, node_name);
  if (!up) {
    fail(L, ref, "unknown upstream op '%s' in job '%s'", node_name, job->name);
    return false;
  }
  if (!up->op)
    return false; /* its own error was reported */
  const defs_io *o = NULL;
  if (dot) {
    o = defs_op_output(up->op, dot + 1);
    if (!o) {
      fail(L, ref, "op '%s' has no output '%s'", node_name, dot + 1);
      return false;
    }
  } else if (up->op->n_outputs == 1)
    o = &up->op->outputs[0];
  else {
    fail(L, ref, "op '%s' has %zu outputs; name one, as in '%s.<output>'", node_name,
         up->op->n_outputs, node_name);
    return false;
  }
  *out = (defs_source){up, o};
  return true;
}

/* Whether an input of type in accepts a value of type out (Dagster's rule
 * for one source): Nothing accepts anything (only the ordering counts) and
 * is accepted by Nothing only (no value would arrive, as Dagster refuses);
 * otherwise the same type, Any on either side, Nullable[T] accepting T, and
 * lists whose items accept. */
static bool type_accepts(const defs_type *in, const defs_type *out) {
  if (in->kind == DEFS_TYPE_NOTHING)
    return true;
  if (out->kind == DEFS_TYPE_NOTHING)
    return false;
  if (in->kind == DEFS_TYPE_ANY || out->kind == DEFS_TYPE_ANY)
    return true;
  if (in->kind == out->kind && (in->kind == DEFS_TYPE_LIST || in->kind == DEFS_TYPE_NULLABLE))
    return type_accepts(in->inner, out->inner);
  if (in->kind == DEFS_TYPE_NULLABLE)
    return type_accepts(in->inner, out);
  return in->kind == out->kind && out->kind != DEFS_TYPE_LIST && out->kind != DEFS_TYPE_NULLABLE;
}

/* The type each source of a fan-in into type t must have (Dagster's
 * get_inner_type_for_fan_in: List[T] → T, Nullable[List[T]] → T, Any → Any),
 * NULL when t does not fan in; Nothing fans in from anything. */
static const defs_type *fan_in_item_type(const defs_type *t) {
  switch (t->kind) {
  case DEFS_TYPE_ANY:
  case DEFS_TYPE_NOTHING:
    return t;
  case DEFS_TYPE_LIST:
    return t->inner;
  case DEFS_TYPE_NULLABLE:
    return fan_in_item_type(t->inner);
  default:
    return NULL;
  }
}

/* Reports a source whose output type the input does not accept; item is
 * the type each source must have (the input's type when not a fan-in). */
static void check_source_type(loader *L, const defs_node *node, const defs_io *in, bool fan_in,
                              const defs_type *item, const yaml_value *ref,
                              const defs_source *src) {
  const defs_type *out = src->output->type;
  if (type_accepts(item, out))
    return;
  if (fan_in)
    fail(L, ref,
         "input '%s' of node '%s' fans in from '%s.%s' of type %s, but the input is %s: each "
         "source must be %s",
         in->name, node->name, src->node->name, src->output->name, out->name, in->type->name,
         item->name);
  else
    fail(L, ref, "input '%s' of node '%s' has type %s, but its source '%s.%s' has type %s",
         in->name, node->name, in->type->name, src->node->name, src->output->name, out->name);
}

/* Wires the inputs of one node from its `inputs:` mapping. */
static void wire_node(loader *L, const defs_job *job, const strmap *nodes, defs_node *node,
                      const yaml_value *v) {
  const defs_op *op = node->op;
  defs_binding *b = ARENA_ARRAY(L->a, defs_binding, op->n_inputs);
  for (size_t i = 0; i < op->n_inputs; i++)
    b[i].input = &op->inputs[i];
  node->inputs = b;
  if (!v || v->kind == YAML_KIND_NULL || !expect(L, v, YAML_KIND_MAP, "'inputs' of a job's op"))
    return;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key, *src = v->pairs[i].value;
    const defs_io *in = k->kind == YAML_KIND_STR ? defs_op_input(op, k->str) : NULL;
    if (!in) {
      fail(L, k, "op '%s' has no input '%s'", op->name, k->str ? k->str : "");
      continue;
    }
    defs_binding *bi = &b[in - op->inputs];
    bool list = src->kind == YAML_KIND_SEQ;
    const defs_type *item = list ? fan_in_item_type(in->type) : in->type;
    if (!item) {
      /* Dagster's rule: fan-in collects a list. */
      fail(L, src, "input '%s' of op '%s' has type %s: only List, Any or Nothing inputs fan in",
           in->name, op->name, in->type->name);
      continue;
    }
    size_t n = list ? src->count : 1;
    defs_source *s = ARENA_ARRAY(L->a, defs_source, n);
    size_t got = 0;
    for (size_t j = 0; j < n; j++) {
      const yaml_value *ref = list ? src->items[j] : src;
      if (!resolve_source(L, job, nodes, ref, &s[got]))
        continue;
      check_source_type(L, node, in, list, item, ref, &s[got]);
      got++;
    }
    bi->sources = s;
    bi->n_sources = got;
    bi->fan_in = list;
  }
}

/* Depth-first ordering; on a cycle reports "cycle: a → b → a" once. */
typedef struct order_state {
  const defs_job *job;
  unsigned char *mark; /* 0 new, 1 on the stack, 2 done */
  const defs_node **stack;
  size_t depth;
  const defs_node **order;
  size_t n_order;
  bool cycle;
} order_state;

static void visit(loader *L, order_state *st, const defs_node *n) {
  size_t i = (size_t)(n - st->job->nodes);
  if (st->mark[i] == 2 || st->cycle)
    return;
  if (st->mark[i] == 1) {
    buf msg;
    buf_init(&msg, L->a);
    size_t from = 0;
    while (st->stack[from] != n)
      from++;
    for (size_t j = from; j < st->depth; j++)
      buf_printf(&msg, "%s → ", st->stack[j]->name);
    buf_puts(&msg, n->name);
    fail(L, &(yaml_value){.line = n->line, .column = n->column}, "cycle in job '%s': %s",
         st->job->name, buf_cstr(&msg));
    st->cycle = true;
    return;
  }
  st->mark[i] = 1;
  st->stack[st->depth++] = n;
  if (n->inputs)
    for (size_t j = 0; j < n->op->n_inputs; j++)
      for (size_t s = 0; s < n->inputs[j].n_sources; s++)
        visit(L, st, n->inputs[j].sources[s].node);
  st->depth--;
  st->mark[i] = 2;
  st->order[st->n_order++] = n;
}

static void job_execution(loader *L, defs_job *job, const yaml_value *v) {
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
    if (cfg && cfg->kind != YAML_KIND_NULL && expect(L, cfg, YAML_KIND_MAP, "'multiprocess'")) {
      check_keys(L, cfg, "'multiprocess'", keys);
      const yaml_value *m = yaml_map_get(cfg, "max_concurrent");
      if (m && (m->kind != YAML_KIND_INT || m->integer < 0 || m->integer > 100000))
        fail(L, m, "'max_concurrent' must be a non-negative integer");
      else if (m)
        job->max_concurrent = (int)m->integer;
    }
  } else
    fail(L, v,
         "'execution' must be in_process, multiprocess or {multiprocess: {max_concurrent: "
         "N}}");
}

static void load_job(loader *L, defs_job *job, const yaml_value *v) {
  static const char *const keys[] = {"description", "tags", "ops", "config", "execution", NULL};
  static const char *const node_keys[] = {"op", "inputs", NULL};
  if (!expect(L, v, YAML_KIND_MAP, "a job"))
    return;
  check_keys(L, v, "a job", keys);
  job->description = opt_str(L, v, "description", "a job");
  job->tags = string_pairs(L, yaml_map_get(v, "tags"), "'tags'", &job->n_tags);
  job_execution(L, job, yaml_map_get(v, "execution"));
  const yaml_value *cfg = yaml_map_get(v, "config");
  if (cfg) {
    yaml_error ye;
    json_t *j = yaml_to_json(cfg, &ye);
    if (!j)
      fail(L, cfg, "bad run config: %s", ye.message);
    else
      job->run_config = own(L, j);
  }
  const yaml_value *ops = yaml_map_get(v, "ops");
  if (!ops) {
    fail(L, v, "job '%s' has no 'ops'", job->name);
    return;
  }
  if (!expect(L, ops, YAML_KIND_MAP, "'ops' of a job"))
    return;
  defs_node *nodes = ARENA_ARRAY(L->a, defs_node, ops->count);
  const yaml_value **wiring = ARENA_ARRAY(L->a, const yaml_value *, ops->count);
  strmap by_name = {0};
  size_t n = 0;
  for (size_t i = 0; i < ops->count; i++) {
    const yaml_value *k = ops->pairs[i].key, *nv = ops->pairs[i].value;
    if (!check_name(L, k, "op"))
      continue;
    defs_node *node = &nodes[n];
    *node = (defs_node){.name = k->str, .line = k->line, .column = k->column};
    const yaml_value *op_ref = k;
    if (nv->kind != YAML_KIND_NULL && expect(L, nv, YAML_KIND_MAP, "an op of a job")) {
      check_keys(L, nv, "an op of a job", node_keys);
      if (yaml_map_get(nv, "op"))
        op_ref = yaml_map_get(nv, "op");
      wiring[n] = yaml_map_get(nv, "inputs");
    }
    if (op_ref->kind == YAML_KIND_STR)
      node->op = defs_find_op(L->d, op_ref->str);
    if (!node->op)
      fail(L, op_ref, "job '%s' uses op '%s', which is not defined", job->name,
           op_ref->str ? op_ref->str : "");
    strmap_put(&by_name, L->a, node->name, node);
    n++;
  }
  job->nodes = nodes;
  job->n_nodes = n;
  for (size_t i = 0; i < n; i++)
    if (nodes[i].op)
      wire_node(L, job, &by_name, &nodes[i], wiring[i]);
  order_state st = {.job = job,
                    .mark = ARENA_ARRAY(L->a, unsigned char, n + 1),
                    .stack = ARENA_ARRAY(L->a, const defs_node *, n + 1),
                    .order = ARENA_ARRAY(L->a, const defs_node *, n + 1)};
  for (size_t i = 0; i < n; i++)
    visit(L, &st, &nodes[i]);
  job->order = st.order;
}

static void load_jobs(loader *L, const yaml_value *v) {
  if (!v || !expect(L, v, YAML_KIND_MAP, "'jobs'"))
    return;
  defs_job *out = ARENA_ARRAY(L->a, defs_job, v->count);
  size_t n = 0;
  for (size_t i = 0; i < v->count; i++) {
    const yaml_value *k = v->pairs[i].key;
    if (!check_name(L, k, "job"))
      continue;
    out[n] = (defs_job){.name = k->str, .line = k->line, .column = k->column};
    load_job(L, &out[n], v->pairs[i].value);
    strmap_put(&L->d->priv->jobs, L->a, out[n].name, &out[n]);
    n++;
  }
  L->d->jobs = out;
  L->d->n_jobs = n;
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
  for (size_t i = 0; i < p->n_owned; i++)
    json_decref(p->owned[i]);
  free(p->owned);
  defs_config_registry_free(p->reg);
  arena_free(p->a);
}

defs_definitions *defs_load_text(const char *path, const char *text, size_t n, buf *err) {
  static const char *const keys[] = {"repository", "resources", "ops", "jobs", NULL};
  defs_definitions *d = definitions_new(path);
  loader L = {.a = d->priv->a, .file = d->path, .err = err, .d = d};
  yaml_error ye;
  const yaml_value *root = yaml_parse(L.a, text, n, NULL, &ye);
  if (!root)
    fail(&L, &(yaml_value){.line = ye.line ? ye.line : 1, .column = ye.column ? ye.column : 1},
         "%s", ye.message);
  else if (root->kind == YAML_KIND_NULL)
    fail(&L, root, "the definitions file is empty");
  else if (expect(&L, root, YAML_KIND_MAP, "a definitions file")) {
    check_keys(&L, root, "a definitions file", keys);
    const yaml_value *name = yaml_map_get(root, "repository");
    if (name && check_name(&L, name, "repository"))
      d->repository_name = name->str;
    load_resources(&L, yaml_map_get(root, "resources"));
    load_ops(&L, yaml_map_get(root, "ops"));
    load_jobs(&L, yaml_map_get(root, "jobs"));
  }
  if (L.n_errors > DEFS_MAX_ERRORS)
    buf_printf(err, "%s: %d more errors\n", d->path, L.n_errors - DEFS_MAX_ERRORS);
  if (L.n_errors) {
    definitions_free(d);
    return NULL;
  }
  return d;
}

defs_definitions *defs_load_file(const char *path, buf *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    buf_printf(err, "%s: cannot open: %s\n", path, strerror(errno));
    return NULL;
  }
  buf text;
  buf_init(&text, NULL);
  char chunk[8192];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    buf_append(&text, chunk, got);
  bool bad = ferror(f);
  fclose(f);
  defs_definitions *d = NULL;
  if (bad)
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

const defs_node *defs_job_find_node(const defs_job *job, const char *name) {
  for (size_t i = 0; i < job->n_nodes; i++)
    if (strcmp(job->nodes[i].name, name) == 0)
      return &job->nodes[i];
  return NULL;
}

static const defs_io *find_io(const defs_io *ios_, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(ios_[i].name, name) == 0)
      return &ios_[i];
  return NULL;
}

const defs_io *defs_op_input(const defs_op *op, const char *name) {
  return find_io(op->inputs, op->n_inputs, name);
}

const defs_io *defs_op_output(const defs_op *op, const char *name) {
  return find_io(op->outputs, op->n_outputs, name);
}
