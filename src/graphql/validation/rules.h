/* rules.h — the framework the validation rules are written against.
 *
 * validate.c walks the document once, keeping graphql-js's TypeInfo (the
 * parent composite type, the current field and output type, the expected
 * input type of the current value, the current argument and directive) and
 * calls each rule's callbacks on entering and leaving nodes. A rule is a
 * table of callbacks plus private state created per validation. Rules report
 * errors through gql_vctx_report. Each rule family lives in its own file
 * (rules_*.c) and exports its gql_rule constants; validate.c lists them in
 * graphql-js's order. */
#ifndef DAGD_GRAPHQL_VALIDATION_RULES_H
#define DAGD_GRAPHQL_VALIDATION_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "graphql/ast.h"
#include "graphql/error.h"
#include "graphql/schema.h"

typedef struct arena arena;
typedef struct gql_vctx gql_vctx;

typedef struct gql_rule {
  const char *name; /* "KnownTypeNames" */
  /* Per-validation state (zeroed, in the arena): its size, 0 for none. */
  size_t state_size;
  void (*enter_document)(gql_vctx *c, void *st, const gql_document *doc);
  void (*leave_document)(gql_vctx *c, void *st, const gql_document *doc);
  /* Every definition, executable or not (ExecutableDefinitions needs the others). */
  void (*enter_definition)(gql_vctx *c, void *st, const gql_definition *def);
  void (*enter_operation)(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc);
  void (*leave_operation)(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc);
  void (*enter_fragment)(gql_vctx *c, void *st, const gql_fragment *frag, gql_loc loc);
  void (*leave_fragment)(gql_vctx *c, void *st, const gql_fragment *frag, gql_loc loc);
  void (*enter_variable_definition)(gql_vctx *c, void *st, const gql_variable_definition *vd);
  void (*leave_variable_definition)(gql_vctx *c, void *st, const gql_variable_definition *vd);
  void (*enter_selection_set)(gql_vctx *c, void *st, const gql_selection_set *ss);
  void (*leave_selection_set)(gql_vctx *c, void *st, const gql_selection_set *ss);
  void (*enter_field)(gql_vctx *c, void *st, const gql_selection *field);
  void (*leave_field)(gql_vctx *c, void *st, const gql_selection *field);
  void (*enter_fragment_spread)(gql_vctx *c, void *st, const gql_selection *spread);
  void (*enter_inline_fragment)(gql_vctx *c, void *st, const gql_selection *frag);
  void (*leave_inline_fragment)(gql_vctx *c, void *st, const gql_selection *frag);
  /* `location` is the single GQL_DL_* bit of where the directive stands. */
  void (*enter_directive)(gql_vctx *c, void *st, const gql_directive *d, unsigned location);
  void (*leave_directive)(gql_vctx *c, void *st, const gql_directive *d, unsigned location);
  /* Arguments of fields and directives. */
  void (*enter_argument)(gql_vctx *c, void *st, const gql_argument *arg);
  void (*leave_argument)(gql_vctx *c, void *st, const gql_argument *arg);
  /* Every value node (argument values, default values, list items, object
   * field values), outermost first. */
  void (*enter_value)(gql_vctx *c, void *st, const gql_value *v);
  void (*leave_value)(gql_vctx *c, void *st, const gql_value *v);
  void (*enter_object_field)(gql_vctx *c, void *st, const gql_object_field *f);
  void (*leave_object_field)(gql_vctx *c, void *st, const gql_object_field *f);
  /* Every named type as written (in variable types, type conditions, and in
   * type-system definitions of the document), at its place in graphql-js's
   * visiting order: after entering the node that contains it and before that
   * node's directives. */
  void (*enter_named_type)(gql_vctx *c, void *st, const char *name, gql_loc loc);
} gql_rule;

/* ---- the context rules see ---- */

const gql_schema *gql_vctx_schema(const gql_vctx *c);
const gql_document *gql_vctx_document(const gql_vctx *c);
arena *gql_vctx_arena(const gql_vctx *c);

/* Reports an error at one location; returns it so more locations can be added. */
gql_error *gql_vctx_report(gql_vctx *c, gql_loc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gql_vctx_add_loc(gql_vctx *c, gql_error *e, gql_loc loc);

/* TypeInfo, valid inside callbacks. Each is NULL when unknown (e.g. under a
 * field that does not exist). */
/* The composite type whose selection set we are in. */
const gql_type *gql_vctx_parent_type(const gql_vctx *c);
/* In a field: its definition and its output type. */
const gql_field *gql_vctx_field_def(const gql_vctx *c);
const gql_type *gql_vctx_type(const gql_vctx *c);
/* In a directive: its definition. */
const gql_schema_directive *gql_vctx_directive(const gql_vctx *c);
/* In an argument: its definition (of the current field or directive). */
const gql_input_value *gql_vctx_argument(const gql_vctx *c);
/* In a value: the input type expected there, and the one around it (the
 * list or input object type containing this position). */
const gql_type *gql_vctx_input_type(const gql_vctx *c);
const gql_type *gql_vctx_parent_input_type(const gql_vctx *c);
/* The default value of the current position (argument, input field), if any. */
const gql_value *gql_vctx_default_value(const gql_vctx *c);

/* Fragments by name (the last of that name, as graphql-js's getFragment),
 * NULL when unknown. */
const gql_fragment *gql_vctx_fragment(const gql_vctx *c, const char *name);
/* Fragment spreads directly in a selection set (not through other fragments). */
typedef struct gql_spread_list {
  const gql_selection **items;
  size_t n;
} gql_spread_list;
gql_spread_list gql_vctx_fragment_spreads(gql_vctx *c, const gql_selection_set *ss);
/* Every fragment an operation uses, transitively, each once. */
typedef struct gql_fragment_list {
  const gql_fragment **items;
  size_t n;
} gql_fragment_list;
gql_fragment_list gql_vctx_recursively_referenced_fragments(gql_vctx *c, const gql_operation *op);
/* The same for several operations at once (NoUnusedFragments): every
 * fragment any of them uses, each once. */
gql_fragment_list gql_vctx_recursively_referenced_fragments_for_operations(
    gql_vctx *c, const gql_operation *const *ops, size_t n_ops);

/* graphql-js bounds the work spent following fragments (50,000 units per
 * validation, counted as it counts them); when it runs out, validation stops
 * with the error "Validation aborted.". The helpers above spend it; a rule
 * that walks fragments itself spends it too. Returns false once validation
 * is aborted (for any reason): the rule should stop. */
bool gql_vctx_spend_fragment_work(gql_vctx *c, size_t cost);
/* Ends the validation now with the error "Validation aborted." (once; a
 * no-op when it has already ended), as graphql-js does when a rule's own
 * work budget runs out. No rule is called afterwards. */
void gql_vctx_abort(gql_vctx *c);

/* Variable usages with the input type at the place of use and its default. */
typedef struct gql_variable_usage {
  const gql_value *node;          /* a GQL_VALUE_VARIABLE */
  const gql_type *type;           /* expected input type there; NULL when unknown */
  const gql_value *default_value; /* default of that position, if any */
  /* The input type around that position (graphql-js's parentType: the list
   * or input object type containing it), NULL when none or unknown. */
  const gql_type *parent_type;
} gql_variable_usage;
typedef struct gql_usage_list {
  gql_variable_usage *items;
  size_t n;
} gql_usage_list;
/* In the operation itself and in every fragment it uses, transitively. */
gql_usage_list gql_vctx_recursive_variable_usages(gql_vctx *c, const gql_operation *op);

/* Validates doc with the given rules only, in that order (tests use it to
 * check one rule in isolation); otherwise as gql_validate. */
size_t gql_validate_rules(const gql_schema *s, const gql_document *doc,
                          const gql_rule *const *rules, size_t n_rules, arena *a, gql_errors *errs);

/* ---- the rules, in graphql-js's specifiedRules order ---- */

extern const gql_rule gql_rule_executable_definitions;
extern const gql_rule gql_rule_unique_operation_names;
extern const gql_rule gql_rule_lone_anonymous_operation;
extern const gql_rule gql_rule_single_field_subscriptions;
extern const gql_rule gql_rule_known_type_names;
extern const gql_rule gql_rule_fragments_on_composite_types;
extern const gql_rule gql_rule_variables_are_input_types;
extern const gql_rule gql_rule_scalar_leafs;
extern const gql_rule gql_rule_fields_on_correct_type;
extern const gql_rule gql_rule_unique_fragment_names;
extern const gql_rule gql_rule_known_fragment_names;
extern const gql_rule gql_rule_no_unused_fragments;
extern const gql_rule gql_rule_possible_fragment_spreads;
extern const gql_rule gql_rule_no_fragment_cycles;
extern const gql_rule gql_rule_unique_variable_names;
extern const gql_rule gql_rule_no_undefined_variables;
extern const gql_rule gql_rule_no_unused_variables;
extern const gql_rule gql_rule_known_directives;
extern const gql_rule gql_rule_unique_directives_per_location;
extern const gql_rule gql_rule_known_argument_names;
extern const gql_rule gql_rule_unique_argument_names;
extern const gql_rule gql_rule_values_of_correct_type;
extern const gql_rule gql_rule_provided_required_arguments;
extern const gql_rule gql_rule_variables_in_allowed_position;
extern const gql_rule gql_rule_overlapping_fields_can_be_merged;
extern const gql_rule gql_rule_unique_input_field_names;

#endif
