/* rules_directives.c — the directive rules of spec §5.7: Directives Are
 * Defined and In Valid Locations (KnownDirectives) and Directives Are Unique
 * per Location (UniqueDirectivesPerLocation).
 *
 * As in graphql-js, the directives known are the schema's plus any directive
 * definitions in the document itself (those win over the schema's). For
 * type-system definitions in the document, directives of the schema
 * definitions (and extensions) are counted together, and so are those of
 * every definition and extension of one type. */
#include <string.h>

#include "base/arena.h"
#include "base/strmap.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

/* What a directive name means in this document. */
typedef struct known_directive {
  bool known;
  bool repeatable;
  uint32_t locations; /* GQL_DL_* bits */
} known_directive;

static uint32_t location_bit(const char *name) {
  unsigned i = gql_directive_location_index(name);
  return i < GQL_DL_COUNT ? 1u << i : 0;
}

/* Directive names looked up so far, and the document's own directive
 * definitions (the last of a name wins, as in graphql-js's map). */
typedef struct directives_state {
  strmap cache;    /* name → known_directive */
  strmap doc_defs; /* name → gql_directive_def */
  bool ready;
} directives_state;

static known_directive lookup_directive(gql_vctx *c, directives_state *st, const char *name) {
  known_directive k = {0};
  const gql_directive_def *def = strmap_get(&st->doc_defs, name);
  if (def) {
    k.known = true;
    k.repeatable = def->repeatable;
    for (size_t i = 0; i < def->n_locations; i++)
      k.locations |= location_bit(def->locations[i].name);
    return k;
  }
  const gql_schema_directive *sd = gql_schema_directive_named(gql_vctx_schema(c), name);
  if (sd) {
    k.known = true;
    k.repeatable = sd->repeatable;
    k.locations = sd->locations;
  }
  return k;
}

static known_directive cached_directive(gql_vctx *c, directives_state *st, const char *name) {
  arena *a = gql_vctx_arena(c);
  if (!st->ready) {
    gql_vdoc_directives(&st->doc_defs, a, gql_vctx_document(c));
    st->ready = true;
  }
  const known_directive *k = strmap_get(&st->cache, name);
  if (!k) {
    known_directive *found = ARENA_NEW(a, known_directive);
    *found = lookup_directive(c, st, name);
    strmap_put(&st->cache, a, name, found);
    k = found;
  }
  return *k;
}

/* ---- KnownDirectives ---- */

static unsigned bit_index(unsigned bit) {
  unsigned i = 0;
  while (i < GQL_DL_COUNT && !(bit & (1u << i)))
    i++;
  return i;
}

static void known_enter_directive(gql_vctx *c, void *st, const gql_directive *d,
                                  unsigned location) {
  known_directive k = cached_directive(c, st, d->name);
  if (!k.known) {
    gql_vctx_report(c, d->loc, "Unknown directive \"@%s\".", d->name);
    return;
  }
  unsigned i = bit_index(location);
  if (location && i < GQL_DL_COUNT && !(k.locations & location))
    gql_vctx_report(c, d->loc, "Directive \"@%s\" may not be used on %s.", d->name,
                    gql_directive_location_names[i]);
}

const gql_rule gql_rule_known_directives = {
    .name = "KnownDirectives",
    .state_size = sizeof(directives_state),
    .enter_directive = known_enter_directive,
};

/* ---- UniqueDirectivesPerLocation ---- */

typedef struct unique_state {
  directives_state known; /* what each directive name means */
  strmap schema_seen;     /* the schema definition and its extensions */
  strmap type_seen;       /* type name → strmap of that type's directives */
} unique_state;

/* Checks the directives of one node against `seen` (name → location of the
 * first use). */
static void check_unique(gql_vctx *c, unique_state *st, strmap *seen, const gql_directive *ds,
                         size_t n) {
  for (size_t i = 0; i < n; i++) {
    const gql_directive *d = &ds[i];
    known_directive k = cached_directive(c, &st->known, d->name);
    if (!k.known || k.repeatable)
      continue;
    const gql_loc *first = strmap_add(seen, gql_vctx_arena(c), d->name, &d->loc);
    if (!first)
      continue;
    gql_error *e = gql_vctx_report(
        c, *first, "The directive \"@%s\" can only be used once at this location.", d->name);
    gql_vctx_add_loc(c, e, d->loc);
  }
}

static void check_node(gql_vctx *c, void *st, const gql_directive *ds, size_t n) {
  if (n < 2)
    return;
  strmap seen = {0};
  check_unique(c, st, &seen, ds, n);
}

static void check_input_values(gql_vctx *c, void *st, const gql_input_value_def *defs, size_t n) {
  for (size_t i = 0; i < n; i++)
    check_node(c, st, defs[i].directives, defs[i].n_directives);
}

static void unique_enter_definition(gql_vctx *c, void *st_, const gql_definition *def) {
  unique_state *st = st_;
  arena *a = gql_vctx_arena(c);
  if (def->kind == GQL_DEF_SCHEMA) {
    check_unique(c, st, &st->schema_seen, def->u.schema.directives, def->u.schema.n_directives);
    return;
  }
  if (def->kind == GQL_DEF_DIRECTIVE) {
    check_input_values(c, st, def->u.directive.args, def->u.directive.n_args);
    return;
  }
  if (def->kind != GQL_DEF_TYPE)
    return; /* executable definitions: see below */
  const gql_typedef *t = &def->u.type;
  strmap *seen = (strmap *)strmap_get(&st->type_seen, t->name);
  if (!seen) {
    seen = ARENA_NEW(a, strmap);
    strmap_put(&st->type_seen, a, t->name, seen);
  }
  check_unique(c, st, seen, t->directives, t->n_directives);
  for (size_t i = 0; i < t->n_fields; i++) {
    check_node(c, st, t->fields[i].directives, t->fields[i].n_directives);
    check_input_values(c, st, t->fields[i].args, t->fields[i].n_args);
  }
  for (size_t i = 0; i < t->n_values; i++)
    check_node(c, st, t->values[i].directives, t->values[i].n_directives);
  check_input_values(c, st, t->input_fields, t->n_input_fields);
}

static void unique_enter_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)loc;
  check_node(c, st, op->directives, op->n_directives);
}

static void unique_enter_fragment(gql_vctx *c, void *st, const gql_fragment *f, gql_loc loc) {
  (void)loc;
  check_node(c, st, f->directives, f->n_directives);
}

static void unique_enter_variable_definition(gql_vctx *c, void *st,
                                             const gql_variable_definition *vd) {
  check_node(c, st, vd->directives, vd->n_directives);
}

static void unique_enter_selection(gql_vctx *c, void *st, const gql_selection *sel) {
  check_node(c, st, sel->directives, sel->n_directives);
}

const gql_rule gql_rule_unique_directives_per_location = {
    .name = "UniqueDirectivesPerLocation",
    .state_size = sizeof(unique_state),
    .enter_definition = unique_enter_definition,
    .enter_operation = unique_enter_operation,
    .enter_fragment = unique_enter_fragment,
    .enter_variable_definition = unique_enter_variable_definition,
    .enter_field = unique_enter_selection,
    .enter_fragment_spread = unique_enter_selection,
    .enter_inline_fragment = unique_enter_selection,
};
