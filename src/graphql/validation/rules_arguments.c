/* rules_arguments.c — the argument rules of spec §5.4: Argument Names
 * (KnownArgumentNames, with graphql-js's "Did you mean" suggestions),
 * Argument Uniqueness (UniqueArgumentNames) and Required Arguments
 * (ProvidedRequiredArguments), for fields and directives alike.
 *
 * Directive arguments are checked against the document's own directive
 * definitions when it has one of that name, else against the schema's.
 * Missing required arguments are reported when leaving the field or
 * directive, after any errors inside it, as graphql-js does. */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/printer.h"
#include "graphql/suggest.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

/* The argument names a directive accepts: from the document's definition of
 * it, else the schema's. Returns false for an unknown directive. */
static bool directive_arg_names(gql_vctx *c, strmap *doc_defs, const char *name,
                                const char ***names, size_t *n) {
  arena *a = gql_vctx_arena(c);
  const gql_directive_def *def = strmap_get(doc_defs, name);
  if (def) {
    *names = ARENA_ARRAY(a, const char *, def->n_args ? def->n_args : 1);
    for (size_t i = 0; i < def->n_args; i++)
      (*names)[i] = def->args[i].name;
    *n = def->n_args;
    return true;
  }
  const gql_schema_directive *sd = gql_schema_directive_named(gql_vctx_schema(c), name);
  if (!sd)
    return false;
  *names = gql_vinput_value_names(a, sd->args, sd->n_args);
  *n = sd->n_args;
  return true;
}

static bool contains(const char *const *names, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(names[i], name) == 0)
      return true;
  return false;
}

/* owner: `field "T.f"` or `directive "@d"`. */
static void report_unknown(gql_vctx *c, const gql_argument *arg, const char *const *known,
                           size_t n_known, const char *owner) {
  arena *a = gql_vctx_arena(c);
  gql_vctx_report(c, arg->loc, "Unknown argument \"%s\" on %s.%s", arg->name, owner,
                  gql_suggest(a, NULL, arg->name, known, n_known));
}

/* ---- KnownArgumentNames ---- */

typedef struct known_state {
  strmap doc_defs;
  bool ready;
  unsigned in_directive; /* directive arguments are handled on the directive */
} known_state;

static void known_enter_directive(gql_vctx *c, void *st_, const gql_directive *d,
                                  unsigned location) {
  known_state *st = st_;
  (void)location;
  st->in_directive++;
  if (!st->ready) {
    gql_vdoc_directives(&st->doc_defs, gql_vctx_arena(c), gql_vctx_document(c));
    st->ready = true;
  }
  const char **known;
  size_t n_known;
  if (!directive_arg_names(c, &st->doc_defs, d->name, &known, &n_known))
    return;
  const char *owner = NULL;
  for (size_t i = 0; i < d->n_args; i++) {
    if (contains(known, n_known, d->args[i].name))
      continue;
    if (!owner)
      owner = arena_printf(gql_vctx_arena(c), "directive \"@%s\"", d->name);
    report_unknown(c, &d->args[i], known, n_known, owner);
  }
}

static void known_leave_directive(gql_vctx *c, void *st_, const gql_directive *d,
                                  unsigned location) {
  known_state *st = st_;
  (void)c;
  (void)d;
  (void)location;
  st->in_directive--;
}

static void known_enter_argument(gql_vctx *c, void *st_, const gql_argument *arg) {
  known_state *st = st_;
  if (st->in_directive)
    return;
  const gql_field *field = gql_vctx_field_def(c);
  const gql_type *parent = gql_vctx_parent_type(c);
  if (gql_vctx_argument(c) || !field || !parent)
    return;
  const char **known = gql_vinput_value_names(gql_vctx_arena(c), field->args, field->n_args);
  const char *owner = arena_printf(gql_vctx_arena(c), "field \"%s.%s\"", parent->name, field->name);
  report_unknown(c, arg, known, field->n_args, owner);
}

const gql_rule gql_rule_known_argument_names = {
    .name = "KnownArgumentNames",
    .state_size = sizeof(known_state),
    .enter_directive = known_enter_directive,
    .leave_directive = known_leave_directive,
    .enter_argument = known_enter_argument,
};

/* ---- UniqueArgumentNames ---- */

/* Reports each name given more than once, at every occurrence, names in the
 * order of their first occurrence. */
static void check_arg_uniqueness(gql_vctx *c, const gql_argument *args, size_t n) {
  if (n < 2)
    return;
  arena *a = gql_vctx_arena(c);
  const char **names = ARENA_ARRAY(a, const char *, n);
  for (size_t i = 0; i < n; i++)
    names[i] = args[i].name;
  gql_vdups dups = gql_vduplicates(a, names, n);
  for (size_t i = 0; i < dups.n; i++) {
    const gql_vdup *d = &dups.items[i];
    gql_error *e =
        gql_vctx_report(c, args[d->idx[0]].name_loc, "There can be only one argument named \"%s\".",
                        args[d->idx[0]].name);
    for (size_t j = 1; j < d->n; j++)
      gql_vctx_add_loc(c, e, args[d->idx[j]].name_loc);
  }
}

static void unique_enter_field(gql_vctx *c, void *st, const gql_selection *field) {
  (void)st;
  check_arg_uniqueness(c, field->args, field->n_args);
}

static void unique_enter_directive(gql_vctx *c, void *st, const gql_directive *d,
                                   unsigned location) {
  (void)st;
  (void)location;
  check_arg_uniqueness(c, d->args, d->n_args);
}

const gql_rule gql_rule_unique_argument_names = {
    .name = "UniqueArgumentNames",
    .enter_field = unique_enter_field,
    .enter_directive = unique_enter_directive,
};

/* ---- ProvidedRequiredArguments ---- */

static bool provided(const gql_argument *args, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(args[i].name, name) == 0)
      return true;
  return false;
}

static void required_leave_field(gql_vctx *c, void *st, const gql_selection *field) {
  (void)st;
  const gql_field *def = gql_vctx_field_def(c);
  if (!def)
    return;
  for (size_t i = 0; i < def->n_args; i++) {
    const gql_input_value *arg = &def->args[i];
    if (arg->type->kind != GQL_KIND_NON_NULL || arg->default_value)
      continue;
    if (provided(field->args, field->n_args, arg->name))
      continue;
    gql_vctx_report(c, field->loc,
                    "Field \"%s\" argument \"%s\" of type \"%s\" is required, but it was not "
                    "provided.",
                    def->name, arg->name, gql_type_str(gql_vctx_arena(c), arg->type));
  }
}

typedef struct required_state {
  strmap doc_defs;
  bool ready;
} required_state;

static void report_missing_directive_arg(gql_vctx *c, const gql_directive *d, const char *arg,
                                         const char *type) {
  gql_vctx_report(c, d->loc,
                  "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not "
                  "provided.",
                  d->name, arg, type);
}

static void required_leave_directive(gql_vctx *c, void *st_, const gql_directive *d,
                                     unsigned location) {
  required_state *st = st_;
  (void)location;
  arena *a = gql_vctx_arena(c);
  if (!st->ready) {
    gql_vdoc_directives(&st->doc_defs, a, gql_vctx_document(c));
    st->ready = true;
  }
  const gql_directive_def *def = strmap_get(&st->doc_defs, d->name);
  if (def) {
    for (size_t i = 0; i < def->n_args; i++) {
      const gql_input_value_def *arg = &def->args[i];
      if (arg->type->kind != GQL_TYPE_REF_NON_NULL || arg->default_value)
        continue;
      if (provided(d->args, d->n_args, arg->name))
        continue;
      buf type;
      buf_init(&type, a);
      gql_print_type_ref(&type, arg->type);
      report_missing_directive_arg(c, d, arg->name, buf_cstr(&type));
    }
    return;
  }
  const gql_schema_directive *sd = gql_schema_directive_named(gql_vctx_schema(c), d->name);
  if (!sd)
    return;
  for (size_t i = 0; i < sd->n_args; i++) {
    const gql_input_value *arg = &sd->args[i];
    if (arg->type->kind != GQL_KIND_NON_NULL || arg->default_value)
      continue;
    if (provided(d->args, d->n_args, arg->name))
      continue;
    report_missing_directive_arg(c, d, arg->name, gql_type_str(a, arg->type));
  }
}

const gql_rule gql_rule_provided_required_arguments = {
    .name = "ProvidedRequiredArguments",
    .state_size = sizeof(required_state),
    .leave_field = required_leave_field,
    .leave_directive = required_leave_directive,
};
