/* rules_fragments.c — the rules about fragments (spec §5.5): Fragment Name
 * Uniqueness, Fragment Spread Target Defined, Fragments Must Be Used,
 * Fragment Spread Is Possible and Fragment Spreads Must Not Form Cycles,
 * with graphql-js's messages. */
#include <stdbool.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

/* ---- UniqueFragmentNames ---- */

typedef struct unique_frags_state {
  strmap seen; /* name → where the first fragment of that name is named */
} unique_frags_state;

static void unique_frags_enter_fragment(gql_vctx *c, void *st, const gql_fragment *frag,
                                        gql_loc loc) {
  (void)loc;
  unique_frags_state *s = st;
  const gql_loc *first = strmap_add(&s->seen, gql_vctx_arena(c), frag->name, &frag->name_loc);
  if (first) {
    gql_error *e =
        gql_vctx_report(c, *first, "There can be only one fragment named \"%s\".", frag->name);
    gql_vctx_add_loc(c, e, frag->name_loc);
  }
}

const gql_rule gql_rule_unique_fragment_names = {
    .name = "UniqueFragmentNames",
    .state_size = sizeof(unique_frags_state),
    .enter_fragment = unique_frags_enter_fragment,
};

/* ---- KnownFragmentNames ---- */

static void known_frags_enter_fragment_spread(gql_vctx *c, void *st, const gql_selection *spread) {
  (void)st;
  if (gql_vctx_fragment(c, spread->name))
    return;
  /* Without the name's own location, "...Name" (no space) is the usual form. */
  gql_loc loc = spread->name_loc;
  if (loc.line == 0)
    loc = (gql_loc){spread->loc.line, spread->loc.column + 3};
  gql_vctx_report(c, loc, "Unknown fragment \"%s\".", spread->name);
}

const gql_rule gql_rule_known_fragment_names = {
    .name = "KnownFragmentNames",
    .enter_fragment_spread = known_frags_enter_fragment_spread,
};

/* ---- NoUnusedFragments ---- */

typedef struct unused_frags_state {
  const gql_operation **ops;
  size_t n_ops, cap_ops;
  const gql_definition **frags; /* fragment definitions, for their locations */
  size_t n_frags, cap_frags;
} unused_frags_state;

static void push_ptr(arena *a, const void ***items, size_t *n, size_t *cap, const void *p) {
  *items = arena_grow(a, (void *)*items, cap, *n, sizeof **items);
  (*items)[(*n)++] = p;
}

static void unused_frags_enter_definition(gql_vctx *c, void *st, const gql_definition *def) {
  unused_frags_state *s = st;
  arena *a = gql_vctx_arena(c);
  if (def->kind == GQL_DEF_OPERATION)
    push_ptr(a, (const void ***)&s->ops, &s->n_ops, &s->cap_ops, &def->u.operation);
  else if (def->kind == GQL_DEF_FRAGMENT)
    push_ptr(a, (const void ***)&s->frags, &s->n_frags, &s->cap_frags, def);
}

static void unused_frags_leave_document(gql_vctx *c, void *st, const gql_document *doc) {
  (void)doc;
  unused_frags_state *s = st;
  gql_fragment_list used =
      gql_vctx_recursively_referenced_fragments_for_operations(c, s->ops, s->n_ops);
  strmap names = {0};
  for (size_t i = 0; i < used.n; i++)
    strmap_put(&names, gql_vctx_arena(c), used.items[i]->name, used.items[i]);
  for (size_t i = 0; i < s->n_frags; i++) {
    const char *name = s->frags[i]->u.fragment.name;
    if (!strmap_get(&names, name))
      gql_vctx_report(c, s->frags[i]->loc, "Fragment \"%s\" is never used.", name);
  }
}

const gql_rule gql_rule_no_unused_fragments = {
    .name = "NoUnusedFragments",
    .state_size = sizeof(unused_frags_state),
    .enter_definition = unused_frags_enter_definition,
    .leave_document = unused_frags_leave_document,
};

/* ---- PossibleFragmentSpreads ---- */

static bool composite(const gql_type *t) { return t && gql_is_composite_type(t); }

static void possible_enter_inline_fragment(gql_vctx *c, void *st, const gql_selection *sel) {
  (void)st;
  const gql_type *frag_type = gql_vctx_type(c), *parent = gql_vctx_parent_type(c);
  if (composite(frag_type) && composite(parent) && !gql_types_overlap(frag_type, parent))
    gql_vctx_report(c, sel->loc,
                    "Fragment cannot be spread here as objects of type \"%s\" can never be of "
                    "type \"%s\".",
                    parent->name, frag_type->name);
}

static void possible_enter_fragment_spread(gql_vctx *c, void *st, const gql_selection *spread) {
  (void)st;
  const gql_fragment *frag = gql_vctx_fragment(c, spread->name);
  if (!frag)
    return;
  const gql_type *frag_type = gql_schema_type(gql_vctx_schema(c), frag->type_condition);
  const gql_type *parent = gql_vctx_parent_type(c);
  if (composite(frag_type) && parent && !gql_types_overlap(frag_type, parent))
    gql_vctx_report(c, spread->loc,
                    "Fragment \"%s\" cannot be spread here as objects of type \"%s\" can never be "
                    "of type \"%s\".",
                    spread->name, parent->name, frag_type->name);
}

const gql_rule gql_rule_possible_fragment_spreads = {
    .name = "PossibleFragmentSpreads",
    .enter_inline_fragment = possible_enter_inline_fragment,
    .enter_fragment_spread = possible_enter_fragment_spread,
};

/* ---- NoFragmentCycles ----
 *
 * A depth-first search from each fragment through the spreads it contains,
 * keeping the path of spreads; a spread of a fragment already on the path
 * closes a cycle. Each fragment is searched from once. The search keeps its
 * own stack, so a long chain of fragments cannot exhaust the C stack. */

typedef struct cycle_entry { /* per fragment name */
  bool visited;
  bool on_path;
  size_t path_index; /* where its spreads start on the path, while on_path */
} cycle_entry;

typedef struct cycle_frame {
  cycle_entry *entry;
  gql_spread_list spreads;
  size_t next;
} cycle_frame;

typedef struct cycles_state {
  strmap entries; /* name → cycle_entry */
  const gql_selection **path;
  size_t path_len, path_cap;
  cycle_frame *frames;
  size_t n_frames, frames_cap;
} cycles_state;

static cycle_entry *entry_of(gql_vctx *c, cycles_state *s, const char *name) {
  cycle_entry *e = (cycle_entry *)strmap_get(&s->entries, name);
  if (!e) {
    e = ARENA_NEW(gql_vctx_arena(c), cycle_entry);
    strmap_put(&s->entries, gql_vctx_arena(c), name, e);
  }
  return e;
}

static void report_cycle(gql_vctx *c, cycles_state *s, const char *name, size_t from) {
  buf via;
  buf_init(&via, gql_vctx_arena(c));
  for (size_t i = from; i + 1 < s->path_len; i++)
    buf_printf(&via, "%s\"%s\"", i > from ? ", " : " via ", s->path[i]->name);
  gql_error *e =
      gql_vctx_report(c, s->path[from]->loc, "Cannot spread fragment \"%s\" within itself%s.", name,
                      buf_cstr(&via));
  for (size_t i = from + 1; i < s->path_len; i++)
    gql_vctx_add_loc(c, e, s->path[i]->loc);
}

/* Starts searching from frag unless it was searched already; false when
 * there is nothing to search (visited, or no spreads). */
static bool push_fragment(gql_vctx *c, cycles_state *s, const gql_fragment *frag) {
  arena *a = gql_vctx_arena(c);
  cycle_entry *e = entry_of(c, s, frag->name);
  if (e->visited)
    return false;
  e->visited = true;
  if (!frag->selection_set)
    return false;
  gql_spread_list spreads = gql_vctx_fragment_spreads(c, frag->selection_set);
  if (spreads.n == 0)
    return false;
  e->on_path = true;
  e->path_index = s->path_len;
  s->frames = arena_grow(a, s->frames, &s->frames_cap, s->n_frames, sizeof *s->frames);
  s->frames[s->n_frames++] = (cycle_frame){e, spreads, 0};
  return true;
}

static void cycles_enter_fragment(gql_vctx *c, void *st, const gql_fragment *frag, gql_loc loc) {
  (void)loc;
  cycles_state *s = st;
  arena *a = gql_vctx_arena(c);
  if (!push_fragment(c, s, frag))
    return;
  while (s->n_frames > 0) {
    cycle_frame *f = &s->frames[s->n_frames - 1];
    if (f->next == f->spreads.n) {
      f->entry->on_path = false;
      s->n_frames--;
      if (s->n_frames > 0)
        s->path_len--; /* the spread that led into it */
      continue;
    }
    const gql_selection *spread = f->spreads.items[f->next++];
    push_ptr(a, (const void ***)&s->path, &s->path_len, &s->path_cap, spread);
    cycle_entry *e = (cycle_entry *)strmap_get(&s->entries, spread->name);
    if (e && e->on_path) {
      report_cycle(c, s, spread->name, e->path_index);
      s->path_len--;
      continue;
    }
    const gql_fragment *target = gql_vctx_fragment(c, spread->name);
    if (!target || !push_fragment(c, s, target))
      s->path_len--;
  }
}

const gql_rule gql_rule_no_fragment_cycles = {
    .name = "NoFragmentCycles",
    .state_size = sizeof(cycles_state),
    .enter_fragment = cycles_enter_fragment,
};
