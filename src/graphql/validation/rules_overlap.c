/* rules_overlap.c — Field Selection Merging (spec §5.3.2,
 * OverlappingFieldsCanBeMerged): fields that share a response name must
 * either be the same field with the same arguments (unless their parents are
 * distinct object types and so can never apply together) and return
 * compatible shapes, recursively through their sub-selections.
 *
 * The algorithm is graphql-js 16's. For each selection set (inline fragments
 * are flattened into the set that holds them) the fields are collected by
 * response name along with the names of the fragments spread directly. Then
 * fields are compared within the set, with each spread fragment, and spread
 * fragments pairwise; fragments spreading other fragments are followed.
 * Comparisons are memoised: collected fields per (parent type, selection
 * set), fragments already compared with a collection, fragment pairs (noting
 * whether the comparison assumed mutually exclusive parents), overlapping
 * response names per pair of collections, and the verdict per pair of
 * fields. Those memos are also what makes fragment cycles terminate. A work
 * budget bounds pathological documents: once spent, validation stops with
 * "Validation aborted.", as in graphql-js.
 *
 * Conflict reasons nest ("subfields \"a\" conflict because ..."), are cut at
 * 1000 characters, and carry at most 20 locations per side, as in graphql-js. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/ptrmap.h"
#include "base/strmap.h"
#include "graphql/validation/rules.h"
#include "graphql/validation/rules_support.h"

#define MAX_DETAIL_LENGTH 1000
#define MAX_CONFLICT_NODES 20
#define COMPLEXITY_BUDGET 500000

/* One field of a collected selection set. */
typedef struct fdetail {
  const gql_type *parent_type; /* NULL when unknown */
  const gql_selection *node;
  const gql_field *def; /* NULL when unknown */
  bool simple_leaf;     /* no arguments, no selection set */
  /* Argument values by name (the last of a name), prepared when first
   * compared; `args_ready` says whether they are. */
  bool args_ready;
  strmap args;
} fdetail;

/* The fields of one response name. */
typedef struct fgroup {
  const char *name;
  fdetail **items;
  size_t n, cap;
} fgroup;

typedef struct overlap {
  const char *name;
  const fgroup *g1, *g2;
} overlap;

typedef struct overlap_list {
  overlap *items;
  size_t n;
} overlap_list;

/* A collected selection set ("collect fields result"). */
typedef struct collected {
  fgroup **groups; /* by first appearance of the response name */
  size_t n_groups, cap_groups;
  strmap by_name;     /* response name → fgroup */
  const char **frags; /* interned names of the fragments spread, each once */
  size_t n_frags, cap_frags;
  strmap frag_seen; /* fragment name → marker */
  ptrmap compared;  /* (interned fragment name, NULL) → 1 + mutually exclusive */
  ptrmap overlaps;  /* (other collected, NULL) → overlap_list */
} collected;

typedef struct conflict {
  const char *name;
  const char *reason;
  const gql_selection **f1, **f2;
  size_t n1, n2;
} conflict;

typedef struct conflicts {
  conflict **items;
  size_t n, cap;
} conflicts;

typedef struct canon {
  const char *s;
  size_t len;
} canon;

typedef struct overlap_state {
  gql_vctx *c;
  arena *a;
  const gql_schema *s;
  ptrmap collect_cache; /* (parent type, selection set) → collected */
  strmap names;         /* fragment name → interned copy */
  ptrmap frag_pairs;    /* (name1, name2) → 1 + mutually exclusive */
  ptrmap canon_values;  /* (value, NULL) → canon */
  ptrmap verdicts;      /* (fdetail1, fdetail2) → reason, or no_reason */
  long budget;
  bool aborted;
  const gql_selection_set *inline_set; /* of the inline fragment just entered */
} overlap_state;

static const char no_reason[] = "";

/* Charges work; true once the budget is spent (the caller then unwinds). */
static bool spend(overlap_state *st, long cost) {
  st->budget -= cost;
  if (st->budget < 0)
    st->aborted = true;
  return st->aborted;
}

#define GROW(a, arr, n, cap) ((arr) = arena_grow((a), (arr), &(cap), (n), sizeof *(arr)))

static void push_conflict(overlap_state *st, conflicts *out, conflict *cf) {
  GROW(st->a, out->items, out->n, out->cap);
  out->items[out->n++] = cf;
}

/* graphql-js's maybeAbbreviate. */
static const char *abbreviate(overlap_state *st, const char *text) {
  if (strlen(text) <= MAX_DETAIL_LENGTH)
    return text;
  return arena_printf(st->a, "%.*s...", MAX_DETAIL_LENGTH, text);
}

/* ---- collecting fields ---- */

static const char *intern_name(overlap_state *st, const char *name) {
  const char *interned = strmap_get(&st->names, name);
  if (!interned)
    strmap_put(&st->names, st->a, name, interned = name);
  return interned;
}

static void collect_into(overlap_state *st, collected *r, const gql_type *parent,
                         const gql_selection_set *ss) {
  for (size_t i = 0; i < ss->n_items; i++) {
    const gql_selection *sel = &ss->items[i];
    switch (sel->kind) {
    case GQL_SELECTION_FIELD: {
      const char *key = sel->alias ? sel->alias : sel->name;
      fgroup *g = (fgroup *)strmap_get(&r->by_name, key);
      if (!g) {
        g = ARENA_NEW(st->a, fgroup);
        g->name = key;
        strmap_put(&r->by_name, st->a, key, g);
        GROW(st->a, r->groups, r->n_groups, r->cap_groups);
        r->groups[r->n_groups++] = g;
      }
      fdetail *d = ARENA_NEW(st->a, fdetail);
      d->parent_type = parent;
      d->node = sel;
      if (parent && (parent->kind == GQL_KIND_OBJECT || parent->kind == GQL_KIND_INTERFACE))
        d->def = gql_type_field(parent, sel->name);
      d->simple_leaf = sel->n_args == 0 && !sel->selection_set;
      GROW(st->a, g->items, g->n, g->cap);
      g->items[g->n++] = d;
      break;
    }
    case GQL_SELECTION_FRAGMENT_SPREAD: {
      const char *name = intern_name(st, sel->name);
      if (strmap_get(&r->frag_seen, name))
        break;
      strmap_put(&r->frag_seen, st->a, name, r);
      GROW(st->a, r->frags, r->n_frags, r->cap_frags);
      r->frags[r->n_frags++] = name;
      break;
    }
    case GQL_SELECTION_INLINE_FRAGMENT: {
      const gql_type *t =
          sel->type_condition ? gql_schema_type(st->s, sel->type_condition) : parent;
      collect_into(st, r, t, sel->selection_set);
      break;
    }
    }
  }
}

static collected *collect_fields(overlap_state *st, const gql_type *parent,
                                 const gql_selection_set *ss) {
  collected *r = ptrmap_get(&st->collect_cache, parent, ss);
  if (r)
    return r;
  r = ARENA_NEW(st->a, collected);
  collect_into(st, r, parent, ss);
  *ptrmap_slot(&st->collect_cache, st->a, parent, ss, true) = r;
  return r;
}

static collected *collect_fragment(overlap_state *st, const gql_fragment *f) {
  return collect_fields(st, gql_schema_type(st->s, f->type_condition), f->selection_set);
}

/* ---- comparing two fields ---- */

static void canon_write(buf *b, const gql_value *v);

static int field_order(const void *pa, const void *pb) {
  const gql_object_field *a = *(const gql_object_field *const *)pa;
  const gql_object_field *b = *(const gql_object_field *const *)pb;
  int c = strcmp(a->name, b->name);
  if (c)
    return c;
  return a < b ? -1 : a > b; /* stable: fields lie in source order */
}

static void canon_str(buf *b, char tag, const char *s, size_t len) {
  buf_printf(b, "%c%zu:", tag, len);
  buf_append(b, s, len);
}

/* An injective encoding of a value that ignores the order of object fields,
 * as graphql-js's stringifyValue does. */
static void canon_write(buf *b, const gql_value *v) {
  switch (v->kind) {
  case GQL_VALUE_VARIABLE:
    canon_str(b, 'V', v->str, strlen(v->str));
    break;
  case GQL_VALUE_INT:
    canon_str(b, 'I', v->str, strlen(v->str));
    break;
  case GQL_VALUE_FLOAT:
    canon_str(b, 'F', v->str, strlen(v->str));
    break;
  case GQL_VALUE_ENUM:
    canon_str(b, 'E', v->str, strlen(v->str));
    break;
  case GQL_VALUE_STRING:
    canon_str(b, v->block ? 'B' : 'S', v->str, v->str_len);
    break;
  case GQL_VALUE_BOOLEAN:
    buf_puts(b, v->boolean ? "T" : "f");
    break;
  case GQL_VALUE_NULL:
    buf_putc(b, 'N');
    break;
  case GQL_VALUE_LIST:
    buf_printf(b, "L%zu[", v->n_items);
    for (size_t i = 0; i < v->n_items; i++)
      canon_write(b, v->items[i]);
    buf_putc(b, ']');
    break;
  case GQL_VALUE_OBJECT: {
    const gql_object_field **sorted =
        ARENA_ARRAY(b->arena, const gql_object_field *, v->n_fields ? v->n_fields : 1);
    for (size_t i = 0; i < v->n_fields; i++)
      sorted[i] = &v->fields[i];
    qsort(sorted, v->n_fields, sizeof *sorted, field_order);
    buf_printf(b, "O%zu{", v->n_fields);
    for (size_t i = 0; i < v->n_fields; i++) {
      canon_str(b, 'K', sorted[i]->name, strlen(sorted[i]->name));
      canon_write(b, sorted[i]->value);
    }
    buf_putc(b, '}');
    break;
  }
  }
}

static canon *canonical(overlap_state *st, const gql_value *v) {
  canon *cv = ptrmap_get(&st->canon_values, v, NULL);
  if (cv)
    return cv;
  buf b;
  buf_init(&b, st->a);
  canon_write(&b, v);
  cv = ARENA_NEW(st->a, canon);
  cv->s = buf_cstr(&b);
  cv->len = b.len;
  *ptrmap_slot(&st->canon_values, st->a, v, NULL, true) = cv;
  return cv;
}

static strmap *field_args(overlap_state *st, fdetail *d) {
  if (!d->args_ready) {
    for (size_t i = 0; i < d->node->n_args; i++)
      strmap_put(&d->args, st->a, d->node->args[i].name, d->node->args[i].value);
    d->args_ready = true;
  }
  return &d->args;
}

static bool same_arguments(overlap_state *st, fdetail *d1, fdetail *d2) {
  const gql_selection *n1 = d1->node, *n2 = d2->node;
  if (n1->n_args != n2->n_args)
    return false;
  if (n1->n_args == 0)
    return true;
  strmap *values2 = field_args(st, d2);
  for (size_t i = 0; i < n1->n_args; i++) {
    if (spend(st, 1))
      return false;
    const gql_value *v2 = strmap_get(values2, n1->args[i].name);
    if (!v2)
      return false;
    canon *a = canonical(st, n1->args[i].value), *b = canonical(st, v2);
    if (a->len != b->len || memcmp(a->s, b->s, a->len) != 0)
      return false;
  }
  return true;
}

/* Can the two types not apply to one value? Composite types are compared
 * later through their fields; lists, non-null and leaf types must match. */
static bool types_conflict(overlap_state *st, const gql_type *t1, const gql_type *t2) {
  if (t1 == t2)
    return false;
  if (spend(st, 1))
    return false;
  if (t1->kind == GQL_KIND_LIST)
    return t2->kind == GQL_KIND_LIST ? types_conflict(st, t1->of, t2->of) : true;
  if (t2->kind == GQL_KIND_LIST)
    return true;
  if (t1->kind == GQL_KIND_NON_NULL)
    return t2->kind == GQL_KIND_NON_NULL ? types_conflict(st, t1->of, t2->of) : true;
  if (t2->kind == GQL_KIND_NON_NULL)
    return true;
  if (gql_is_leaf_type(t1) || gql_is_leaf_type(t2))
    return t1 != t2;
  return false;
}

static conflict *new_conflict(overlap_state *st, const char *name, const char *reason,
                              const gql_selection *n1, const gql_selection *n2) {
  conflict *cf = ARENA_NEW(st->a, conflict);
  cf->name = name;
  cf->reason = reason;
  cf->f1 = ARENA_NEW(st->a, const gql_selection *);
  cf->f2 = ARENA_NEW(st->a, const gql_selection *);
  cf->f1[0] = n1;
  cf->f2[0] = n2;
  cf->n1 = cf->n2 = 1;
  return cf;
}

/* The field itself, then the fields of the sub-conflicts, keeping the
 * deepest ones when there are more than MAX_CONFLICT_NODES. */
static const gql_selection **conflict_nodes(overlap_state *st, const gql_selection *node,
                                            const conflicts *subs, bool first_side, size_t *n_out) {
  const gql_selection **nodes = ARENA_ARRAY(st->a, const gql_selection *, MAX_CONFLICT_NODES);
  size_t n = 0;
  nodes[n++] = node;
  for (size_t i = 0; i < subs->n; i++) {
    const conflict *cf = subs->items[i];
    const gql_selection **side = first_side ? cf->f1 : cf->f2;
    size_t len = first_side ? cf->n1 : cf->n2;
    size_t keep = MAX_CONFLICT_NODES - n;
    size_t from = len > keep ? len - keep : 0;
    for (size_t j = from; j < len; j++)
      nodes[n++] = side[j];
    if (n == MAX_CONFLICT_NODES)
      break;
  }
  *n_out = n;
  return nodes;
}

static conflict *subfield_conflicts(overlap_state *st, const conflicts *subs, const char *name,
                                    const gql_selection *n1, const gql_selection *n2) {
  if (subs->n == 0)
    return NULL;
  buf msg;
  buf_init(&msg, st->a);
  for (size_t i = 0; i < subs->n; i++) {
    if (i > 0)
      buf_puts(&msg, " and ");
    buf_printf(&msg, "subfields \"%s\" conflict because %s", abbreviate(st, subs->items[i]->name),
               subs->items[i]->reason);
    if (msg.len > MAX_DETAIL_LENGTH)
      break;
  }
  conflict *cf = ARENA_NEW(st->a, conflict);
  cf->name = name;
  cf->reason = abbreviate(st, buf_cstr(&msg));
  cf->f1 = conflict_nodes(st, n1, subs, true, &cf->n1);
  cf->f2 = conflict_nodes(st, n2, subs, false, &cf->n2);
  return cf;
}

static void between_subselections(overlap_state *st, conflicts *out, bool exclusive,
                                  const gql_type *t1, const gql_selection_set *ss1,
                                  const gql_type *t2, const gql_selection_set *ss2);

/* Why fields that are not mutually exclusive cannot merge, or no_reason. */
static const char *alias_reason(overlap_state *st, fdetail *d1, fdetail *d2) {
  const char *known = ptrmap_get(&st->verdicts, d1, d2);
  if (known)
    return known;
  const char *n1 = d1->node->name, *n2 = d2->node->name;
  const char *reason;
  if (strcmp(n1, n2) != 0)
    reason = arena_printf(st->a, "\"%s\" and \"%s\" are different fields", abbreviate(st, n1),
                          abbreviate(st, n2));
  else
    reason = same_arguments(st, d1, d2) ? no_reason : "they have differing arguments";
  if (st->aborted)
    return no_reason;
  *ptrmap_slot(&st->verdicts, st->a, d1, d2, true) = (void *)reason;
  return reason;
}

static conflict *find_conflict(overlap_state *st, bool parents_exclusive, const char *name,
                               fdetail *d1, fdetail *d2) {
  const gql_type *p1 = d1->parent_type, *p2 = d2->parent_type;
  /* Distinct object types never apply together, so their fields may differ
   * in name and arguments (an interface or union might overlap someday). */
  bool exclusive = parents_exclusive || (p1 != p2 && p1 && p2 && p1->kind == GQL_KIND_OBJECT &&
                                         p2->kind == GQL_KIND_OBJECT);
  if (spend(st, 2))
    return NULL;
  const gql_type *t1 = d1->def ? d1->def->type : NULL;
  const gql_type *t2 = d2->def ? d2->def->type : NULL;
  const gql_selection *n1 = d1->node, *n2 = d2->node;
  if (d1->simple_leaf && d2->simple_leaf && t1 == t2 && strcmp(n1->name, n2->name) == 0)
    return NULL;
  if (!exclusive) {
    const char *reason = alias_reason(st, d1, d2);
    if (st->aborted)
      return NULL;
    if (reason != no_reason)
      return new_conflict(st, name, reason, n1, n2);
  }
  if (t1 && t2) {
    bool clash = types_conflict(st, t1, t2);
    if (st->aborted)
      return NULL;
    if (clash) {
      const char *reason = arena_printf(st->a, "they return conflicting types \"%s\" and \"%s\"",
                                        gql_type_str(st->a, t1), gql_type_str(st->a, t2));
      return new_conflict(st, name, reason, n1, n2);
    }
  }
  if (n1->selection_set && n2->selection_set) {
    conflicts subs = {0};
    between_subselections(st, &subs, exclusive, t1 ? gql_named_type(t1) : NULL, n1->selection_set,
                          t2 ? gql_named_type(t2) : NULL, n2->selection_set);
    if (st->aborted)
      return NULL;
    return subfield_conflicts(st, &subs, name, n1, n2);
  }
  return NULL;
}

/* ---- comparing collections ---- */

static const overlap_list *overlapping(overlap_state *st, collected *r1, collected *r2) {
  overlap_list *list = ptrmap_get(&r1->overlaps, r2, NULL);
  if (list)
    return list;
  list = ARENA_NEW(st->a, overlap_list);
  list->items = ARENA_ARRAY(st->a, overlap, r1->n_groups ? r1->n_groups : 1);
  for (size_t i = 0; i < r1->n_groups; i++) {
    if (spend(st, 1))
      return list;
    const fgroup *g2 = strmap_get(&r2->by_name, r1->groups[i]->name);
    if (!g2)
      continue;
    overlap *o = &list->items[list->n++];
    o->name = r1->groups[i]->name;
    o->g1 = r1->groups[i];
    o->g2 = g2;
  }
  *ptrmap_slot(&r1->overlaps, st->a, r2, NULL, true) = list;
  return list;
}

/* Fields of r1 against fields of r2 (each compared within itself already). */
static void conflicts_between(overlap_state *st, conflicts *out, bool exclusive, collected *r1,
                              collected *r2) {
  if (r1->n_groups == 0 || r2->n_groups == 0)
    return;
  const overlap_list *list = overlapping(st, r1, r2);
  for (size_t i = 0; i < list->n && !st->aborted; i++) {
    const overlap *o = &list->items[i];
    for (size_t x = 0; x < o->g1->n; x++)
      for (size_t y = 0; y < o->g2->n; y++) {
        conflict *cf = find_conflict(st, exclusive, o->name, o->g1->items[x], o->g2->items[y]);
        if (st->aborted)
          return;
        if (cf)
          push_conflict(st, out, cf);
      }
  }
}

static void conflicts_within(overlap_state *st, conflicts *out, const collected *r) {
  for (size_t i = 0; i < r->n_groups; i++) {
    const fgroup *g = r->groups[i];
    for (size_t x = 0; x < g->n; x++)
      for (size_t y = x + 1; y < g->n; y++) {
        conflict *cf = find_conflict(st, false, g->name, g->items[x], g->items[y]);
        if (st->aborted)
          return;
        if (cf)
          push_conflict(st, out, cf);
      }
  }
}

/* Fields of r1 against those of fragment `name` and of the fragments it
 * spreads, each fragment once per collection (per exclusivity). */
static void fields_and_fragment(overlap_state *st, conflicts *out, bool exclusive, collected *r1,
                                const char *name) {
  if (spend(st, 1) || r1->n_groups == 0)
    return;
  void **slot = ptrmap_slot(&r1->compared, st->a, name, NULL, true);
  /* A comparison made without assuming exclusive parents covers both kinds. */
  if (*slot == (void *)1 || (exclusive && *slot == (void *)2))
    return;
  *slot = (void *)(uintptr_t)(exclusive ? 2 : 1);
  const gql_fragment *f = gql_vctx_fragment(st->c, name);
  if (!f)
    return;
  collected *r2 = collect_fragment(st, f);
  if (r1 == r2)
    return;
  conflicts_between(st, out, exclusive, r1, r2);
  for (size_t i = 0; i < r2->n_frags && !st->aborted; i++)
    fields_and_fragment(st, out, exclusive, r1, r2->frags[i]);
}

static bool pair_done(overlap_state *st, const char *a, const char *b, bool exclusive) {
  for (int order = 0; order < 2; order++) {
    void *v = order ? ptrmap_get(&st->frag_pairs, b, a) : ptrmap_get(&st->frag_pairs, a, b);
    if (v && (exclusive || v == (void *)1))
      return true;
  }
  return false;
}

/* Fragment n1 against fragment n2, and against the fragments they spread. */
static void between_fragments(overlap_state *st, conflicts *out, bool exclusive, const char *n1,
                              const char *n2) {
  if (spend(st, 2) || n1 == n2 || pair_done(st, n1, n2, exclusive))
    return;
  *ptrmap_slot(&st->frag_pairs, st->a, n1, n2, true) = (void *)(uintptr_t)(exclusive ? 2 : 1);
  const gql_fragment *f1 = gql_vctx_fragment(st->c, n1), *f2 = gql_vctx_fragment(st->c, n2);
  if (!f1 || !f2)
    return;
  collected *r1 = collect_fragment(st, f1), *r2 = collect_fragment(st, f2);
  conflicts_between(st, out, exclusive, r1, r2);
  for (size_t i = 0; i < r2->n_frags && !st->aborted; i++)
    between_fragments(st, out, exclusive, n1, r2->frags[i]);
  for (size_t i = 0; i < r1->n_frags && !st->aborted; i++)
    between_fragments(st, out, exclusive, r1->frags[i], n2);
}

static void between_subselections(overlap_state *st, conflicts *out, bool exclusive,
                                  const gql_type *t1, const gql_selection_set *ss1,
                                  const gql_type *t2, const gql_selection_set *ss2) {
  collected *r1 = collect_fields(st, t1, ss1), *r2 = collect_fields(st, t2, ss2);
  conflicts_between(st, out, exclusive, r1, r2);
  for (size_t i = 0; i < r2->n_frags && !st->aborted; i++)
    fields_and_fragment(st, out, exclusive, r1, r2->frags[i]);
  for (size_t i = 0; i < r1->n_frags && !st->aborted; i++)
    fields_and_fragment(st, out, exclusive, r2, r1->frags[i]);
  for (size_t i = 0; i < r1->n_frags && !st->aborted; i++)
    for (size_t j = 0; j < r2->n_frags && !st->aborted; j++)
      between_fragments(st, out, exclusive, r1->frags[i], r2->frags[j]);
}

static void conflicts_in_set(overlap_state *st, conflicts *out, const gql_type *parent,
                             const gql_selection_set *ss) {
  collected *r = collect_fields(st, parent, ss);
  conflicts_within(st, out, r);
  if (r->n_frags == 0 || (r->n_groups == 0 && r->n_frags == 1))
    return;
  for (size_t i = 0; i < r->n_frags && !st->aborted; i++) {
    fields_and_fragment(st, out, false, r, r->frags[i]);
    for (size_t j = i + 1; j < r->n_frags && !st->aborted; j++)
      between_fragments(st, out, false, r->frags[i], r->frags[j]);
  }
}

/* ---- the rule ---- */

static void overlap_enter_document(gql_vctx *c, void *st_, const gql_document *doc) {
  overlap_state *st = st_;
  (void)doc;
  st->c = c;
  st->a = gql_vctx_arena(c);
  st->s = gql_vctx_schema(c);
  st->budget = COMPLEXITY_BUDGET;
}

static void overlap_enter_inline_fragment(gql_vctx *c, void *st_, const gql_selection *frag) {
  overlap_state *st = st_;
  (void)c;
  st->inline_set = frag->selection_set;
}

static void overlap_enter_selection_set(gql_vctx *c, void *st_, const gql_selection_set *ss) {
  overlap_state *st = st_;
  /* An inline fragment's fields belong to the enclosing set, compared there. */
  if (ss == st->inline_set || st->aborted)
    return;
  if (ss->n_items == 0 || (ss->n_items == 1 && ss->items[0].kind != GQL_SELECTION_INLINE_FRAGMENT))
    return;
  conflicts found = {0};
  conflicts_in_set(st, &found, gql_vctx_parent_type(c), ss);
  if (st->aborted) {
    /* graphql-js ends the whole validation when this rule's budget runs out. */
    gql_vctx_abort(c);
    return;
  }
  for (size_t i = 0; i < found.n; i++) {
    const conflict *cf = found.items[i];
    gql_error *e = gql_vctx_report(c, cf->f1[0]->loc,
                                   "Fields \"%s\" conflict because %s. Use different aliases on "
                                   "the fields to fetch both if this was intentional.",
                                   abbreviate(st, cf->name), cf->reason);
    for (size_t j = 1; j < cf->n1; j++)
      gql_vctx_add_loc(c, e, cf->f1[j]->loc);
    for (size_t j = 0; j < cf->n2; j++)
      gql_vctx_add_loc(c, e, cf->f2[j]->loc);
  }
}

const gql_rule gql_rule_overlapping_fields_can_be_merged = {
    .name = "OverlappingFieldsCanBeMerged",
    .state_size = sizeof(overlap_state),
    .enter_document = overlap_enter_document,
    .enter_selection_set = overlap_enter_selection_set,
    .enter_inline_fragment = overlap_enter_inline_fragment,
};
