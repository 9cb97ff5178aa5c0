/* test_validate.c — tests of the validation framework (validate.c):
 * TypeInfo as rules see it, the order of callbacks, fragment spreads,
 * recursively referenced fragments and variable usages (compared with what
 * graphql-js 16's TypeInfo and ValidationContext give for the same
 * documents), the error limit and the fragment-work budget. */
#include "validation_harness.h"

/* ---- a rule that writes what it sees into `trace` ---- */

static buf trace;

static const char *ty(const gql_type *t) { return t ? gql_type_str(trace.arena, t) : "-"; }

static void trace_io(gql_vctx *c) {
  const gql_value *d = gql_vctx_default_value(c);
  buf_printf(&trace, "in=%s pin=%s def=", ty(gql_vctx_input_type(c)),
             ty(gql_vctx_parent_input_type(c)));
  if (d)
    gql_print_value(&trace, d);
  else
    buf_putc(&trace, '-');
  buf_putc(&trace, '\n');
}

static void t_enter_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)st, (void)op, (void)loc;
  buf_printf(&trace, "op type=%s\n", ty(gql_vctx_type(c)));
}
static void t_leave_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)c, (void)st, (void)op, (void)loc;
  buf_puts(&trace, "/op\n");
}
static void t_enter_fragment(gql_vctx *c, void *st, const gql_fragment *f, gql_loc loc) {
  (void)st, (void)loc;
  buf_printf(&trace, "frag %s type=%s parent=%s\n", f->name, ty(gql_vctx_type(c)),
             ty(gql_vctx_parent_type(c)));
}
static void t_enter_variable_definition(gql_vctx *c, void *st, const gql_variable_definition *vd) {
  (void)st;
  buf_printf(&trace, "var $%s ", vd->name);
  trace_io(c);
}
static void t_enter_selection_set(gql_vctx *c, void *st, const gql_selection_set *ss) {
  (void)st, (void)ss;
  buf_printf(&trace, "ss parent=%s\n", ty(gql_vctx_parent_type(c)));
}
static void t_enter_field(gql_vctx *c, void *st, const gql_selection *f) {
  (void)st;
  const gql_field *def = gql_vctx_field_def(c);
  buf_printf(&trace, "field %s parent=%s def=%s type=%s\n", f->name, ty(gql_vctx_parent_type(c)),
             def ? def->name : "-", ty(gql_vctx_type(c)));
}
static void t_leave_field(gql_vctx *c, void *st, const gql_selection *f) {
  (void)c, (void)st;
  buf_printf(&trace, "/field %s\n", f->name);
}
static void t_enter_inline_fragment(gql_vctx *c, void *st, const gql_selection *f) {
  (void)st, (void)f;
  buf_printf(&trace, "inline type=%s parent=%s\n", ty(gql_vctx_type(c)),
             ty(gql_vctx_parent_type(c)));
}
static void t_enter_fragment_spread(gql_vctx *c, void *st, const gql_selection *s) {
  (void)st;
  buf_printf(&trace, "spread %s parent=%s\n", s->name, ty(gql_vctx_parent_type(c)));
}
static void t_enter_directive(gql_vctx *c, void *st, const gql_directive *d, unsigned location) {
  (void)st, (void)location;
  const gql_field *f = gql_vctx_field_def(c);
  buf_printf(&trace, "directive @%s def=%s field=%s\n", d->name,
             gql_vctx_directive(c) ? "yes" : "-", f ? f->name : "-");
}
static void t_enter_argument(gql_vctx *c, void *st, const gql_argument *a) {
  (void)st;
  const gql_input_value *def = gql_vctx_argument(c);
  buf_printf(&trace, "arg %s def=%s ", a->name, def ? def->name : "-");
  trace_io(c);
}
static void t_enter_value(gql_vctx *c, void *st, const gql_value *v) {
  (void)st;
  static const char *const kinds[] = {"Variable",    "IntValue",     "FloatValue",
                                      "StringValue", "BooleanValue", "NullValue",
                                      "EnumValue",   "ListValue",    "ObjectValue"};
  buf_printf(&trace, "value %s ", kinds[v->kind]);
  trace_io(c);
}
static void t_enter_object_field(gql_vctx *c, void *st, const gql_object_field *f) {
  (void)st;
  buf_printf(&trace, "objfield %s ", f->name);
  trace_io(c);
}
static void t_enter_named_type(gql_vctx *c, void *st, const char *name, gql_loc loc) {
  (void)c, (void)st, (void)loc;
  buf_printf(&trace, "named %s\n", name);
}

static const gql_rule trace_rule = {
    .name = "Trace",
    .enter_operation = t_enter_operation,
    .leave_operation = t_leave_operation,
    .enter_fragment = t_enter_fragment,
    .enter_variable_definition = t_enter_variable_definition,
    .enter_selection_set = t_enter_selection_set,
    .enter_field = t_enter_field,
    .leave_field = t_leave_field,
    .enter_inline_fragment = t_enter_inline_fragment,
    .enter_fragment_spread = t_enter_fragment_spread,
    .enter_directive = t_enter_directive,
    .enter_argument = t_enter_argument,
    .enter_value = t_enter_value,
    .enter_object_field = t_enter_object_field,
    .enter_named_type = t_enter_named_type,
};

/* Runs `rules` over query (parsed without limits) and returns the errors. */
static gql_errors run(arena *a, const char *query, const gql_rule *const *rules, size_t n) {
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_limits unlimited = {.max_depth = 128};
  gql_document *doc = gql_parse(a, query, strlen(query), &unlimited, &errs);
  assert_non_null(doc);
  if (rules)
    gql_validate_rules(vh_schema(), doc, rules, n, a, &errs);
  else
    gql_validate(vh_schema(), doc, a, &errs);
  return errs;
}

static void assert_trace(const char *expected) {
  if (strcmp(buf_cstr(&trace), expected) != 0) {
    print_error("expected:\n%s\ngot:\n%s\n", expected, buf_cstr(&trace));
    fail();
  }
}

/* The TypeInfo of every node, in graphql-js's visiting order. */
static void type_info(void **state) {
  (void)state;
  arena *a = arena_new(0);
  buf_init(&trace, a);
  const gql_rule *rules[] = {&trace_rule};
  run(a,
      "query Q($a: [Int] = [1], $b: ComplexInput @withArgs(reqArg: \"r\")) "
      "@withArgs(reqArg: $a, listArg: [[2]]) { dog { name(surname: $x) @include(if: "
      "true) ...F ... on Pet { name } ... { barks } } complicatedArgs { "
      "complexArgField(complexArg: {requiredField: true, nonNullField: $n, "
      "stringListField: [\"a\", $s], nope: 1}) multipleOpts(opt1: 1) } nope { "
      "name(surname: 1) } } fragment F on Dog @onFragmentDefinition { "
      "isHouseTrained(atOtherHomes: false) name @unknown(surname: true) }",
      rules, 1);
  assert_trace("op type=QueryRoot\n"
               "var $a in=[Int] pin=- def=-\n"
               "named Int\n"
               "value ListValue in=Int pin=[Int] def=-\n"
               "value IntValue in=Int pin=[Int] def=-\n"
               "var $b in=ComplexInput pin=- def=-\n"
               "named ComplexInput\n"
               "directive @withArgs def=yes field=-\n"
               "arg reqArg def=reqArg in=String! pin=ComplexInput def=-\n"
               "value StringValue in=String! pin=ComplexInput def=-\n"
               "directive @withArgs def=yes field=-\n"
               "arg reqArg def=reqArg in=String! pin=- def=-\n"
               "value Variable in=String! pin=- def=-\n"
               "arg listArg def=listArg in=[Int] pin=- def=[1]\n"
               "value ListValue in=Int pin=[Int] def=-\n"
               "value ListValue in=Int pin=Int def=-\n"
               "value IntValue in=Int pin=Int def=-\n"
               "ss parent=QueryRoot\n"
               "field dog parent=QueryRoot def=dog type=Dog\n"
               "ss parent=Dog\n"
               "field name parent=Dog def=name type=String\n"
               "arg surname def=surname in=Boolean pin=- def=-\n"
               "value Variable in=Boolean pin=- def=-\n"
               "directive @include def=yes field=name\n"
               "arg if def=if in=Boolean! pin=- def=-\n"
               "value BooleanValue in=Boolean! pin=- def=-\n"
               "/field name\n"
               "spread F parent=Dog\n"
               "inline type=Pet parent=Dog\n"
               "named Pet\n"
               "ss parent=Pet\n"
               "field name parent=Pet def=name type=String\n"
               "/field name\n"
               "inline type=Dog parent=Dog\n"
               "ss parent=Dog\n"
               "field barks parent=Dog def=barks type=Boolean\n"
               "/field barks\n"
               "/field dog\n"
               "field complicatedArgs parent=QueryRoot def=complicatedArgs type=ComplicatedArgs\n"
               "ss parent=ComplicatedArgs\n"
               "field complexArgField parent=ComplicatedArgs def=complexArgField type=String\n"
               "arg complexArg def=complexArg in=ComplexInput pin=- def=-\n"
               "value ObjectValue in=ComplexInput pin=- def=-\n"
               "objfield requiredField in=Boolean! pin=ComplexInput def=-\n"
               "value BooleanValue in=Boolean! pin=ComplexInput def=-\n"
               "objfield nonNullField in=Boolean! pin=ComplexInput def=false\n"
               "value Variable in=Boolean! pin=ComplexInput def=false\n"
               "objfield stringListField in=[String] pin=ComplexInput def=-\n"
               "value ListValue in=String pin=[String] def=-\n"
               "value StringValue in=String pin=[String] def=-\n"
               "value Variable in=String pin=[String] def=-\n"
               "objfield nope in=- pin=ComplexInput def=-\n"
               "value IntValue in=- pin=ComplexInput def=-\n"
               "/field complexArgField\n"
               "field multipleOpts parent=ComplicatedArgs def=multipleOpts type=String\n"
               "arg opt1 def=opt1 in=Int pin=- def=0\n"
               "value IntValue in=Int pin=- def=0\n"
               "/field multipleOpts\n"
               "/field complicatedArgs\n"
               "field nope parent=QueryRoot def=- type=-\n"
               "ss parent=-\n"
               "field name parent=- def=- type=-\n"
               "arg surname def=- in=- pin=- def=-\n"
               "value IntValue in=- pin=- def=-\n"
               "/field name\n"
               "/field nope\n"
               "/op\n"
               "frag F type=Dog parent=-\n"
               "named Dog\n"
               "directive @onFragmentDefinition def=yes field=-\n"
               "ss parent=Dog\n"
               "field isHouseTrained parent=Dog def=isHouseTrained type=Boolean\n"
               "arg atOtherHomes def=atOtherHomes in=Boolean pin=- def=true\n"
               "value BooleanValue in=Boolean pin=- def=true\n"
               "/field isHouseTrained\n"
               "field name parent=Dog def=name type=String\n"
               "directive @unknown def=- field=name\n"
               "arg surname def=surname in=Boolean pin=- def=-\n"
               "value BooleanValue in=Boolean pin=- def=-\n"
               "/field name\n");
  arena_free(a);
}

/* ---- spreads, referenced fragments and variable usages ---- */

static void u_leave_operation(gql_vctx *c, void *st, const gql_operation *op, gql_loc loc) {
  (void)st, (void)loc;
  gql_spread_list spreads = gql_vctx_fragment_spreads(c, op->selection_set);
  buf_printf(&trace, "op %s spreads=", op->name ? op->name : "-");
  for (size_t i = 0; i < spreads.n; i++)
    buf_printf(&trace, "%s%s", i ? "," : "", spreads.items[i]->name);
  gql_fragment_list frags = gql_vctx_recursively_referenced_fragments(c, op);
  buf_puts(&trace, "\n  fragments=");
  for (size_t i = 0; i < frags.n; i++)
    buf_printf(&trace, "%s%s", i ? "," : "", frags.items[i]->name);
  buf_putc(&trace, '\n');
  gql_usage_list usages = gql_vctx_recursive_variable_usages(c, op);
  for (size_t i = 0; i < usages.n; i++) {
    const gql_variable_usage *u = &usages.items[i];
    buf_printf(&trace, "  $%s type=%s def=", u->node->str, ty(u->type));
    if (u->default_value)
      gql_print_value(&trace, u->default_value);
    else
      buf_putc(&trace, '-');
    buf_printf(&trace, " parent=%s @%u:%u\n", ty(u->parent_type), (unsigned)u->node->loc.line,
               (unsigned)u->node->loc.column);
  }
  /* Asking again gives the same (cached) answer. */
  assert_ptr_equal(gql_vctx_recursive_variable_usages(c, op).items, usages.items);
}

static const gql_rule usage_rule = {.name = "Usages", .leave_operation = u_leave_operation};

static void variable_usages(void **state) {
  (void)state;
  arena *a = arena_new(0);
  buf_init(&trace, a);
  const gql_rule *rules[] = {&usage_rule};
  run(a,
      "query A($v: Int) @withArgs(reqArg: $r) { dog { ...F1 mother { ...F2 } ... on Dog "
      "{ ...F3 father { ...F1 } } } } query B { ...Q } fragment Q on QueryRoot { "
      "complicatedArgs { complexArgField(complexArg: {requiredField: $req, "
      "stringListField: [$s]}) multipleOpts(opt1: $o) } dog { ...F3 } } fragment F1 on "
      "Dog { isAtLocation(x: $x, y: $y) ...F2 } fragment F2 on Dog { ...F1 ...F4 "
      "isHouseTrained(atOtherHomes: $h) } fragment F3 on Dog { name @include(if: $i) "
      "...Missing } fragment F4 on Dog { ...F3 }",
      rules, 1);
  assert_trace("op A spreads=F1,F3,F1,F2\n"
               "  fragments=F1,F3,F2,F4\n"
               "  $r type=String! def=- parent=- @1:36\n"
               "  $x type=Int def=- parent=- @1:326\n"
               "  $y type=Int def=- parent=- @1:333\n"
               "  $i type=Boolean! def=- parent=- @1:452\n"
               "  $h type=Boolean def=true parent=- @1:407\n"
               "op B spreads=Q\n"
               "  fragments=Q,F3\n"
               "  $req type=Boolean! def=- parent=ComplexInput @1:218\n"
               "  $s type=String def=- parent=[String] @1:242\n"
               "  $o type=Int def=0 parent=- @1:267\n"
               "  $i type=Boolean! def=- parent=- @1:452\n");
  arena_free(a);
}

/* graphql-js's getFragment: the last definition of a name wins. */
static void f_enter_document(gql_vctx *c, void *st, const gql_document *doc) {
  (void)st, (void)doc;
  const gql_fragment *f = gql_vctx_fragment(c, "F");
  buf_printf(&trace, "F on %s; G %s\n", f ? f->type_condition : "-",
             gql_vctx_fragment(c, "G") ? "found" : "unknown");
}

static void fragment_lookup(void **state) {
  (void)state;
  arena *a = arena_new(0);
  buf_init(&trace, a);
  const gql_rule *rules[] = {&(const gql_rule){.name = "F", .enter_document = f_enter_document}};
  run(a, "fragment F on Dog { name } fragment F on Cat { name }", rules, 1);
  assert_trace("F on Cat; G unknown\n");
  arena_free(a);
}

/* ---- limits ---- */

static size_t fields_seen;
static bool document_left;
static void count_field(gql_vctx *c, void *st, const gql_selection *f) {
  (void)c, (void)st, (void)f;
  fields_seen++;
}
static void note_leave_document(gql_vctx *c, void *st, const gql_document *doc) {
  (void)c, (void)st, (void)doc;
  document_left = true;
}

/* After 100 errors the next one stops validation with graphql-js's message;
 * no rule is called afterwards. */
static void error_limit(void **state) {
  (void)state;
  arena *a = arena_new(0);
  buf q;
  buf_init(&q, a);
  buf_puts(&q, "{ dog {");
  for (int i = 0; i < 150; i++)
    buf_printf(&q, " f%d", i);
  buf_puts(&q, " } }");
  const gql_rule counter = {
      .name = "Counter", .enter_field = count_field, .leave_document = note_leave_document};
  const gql_rule *rules[] = {&gql_rule_fields_on_correct_type, &counter};
  fields_seen = 0;
  document_left = false;
  gql_errors errs = run(a, q.data, rules, 2);
  assert_int_equal(errs.n, GQL_VALIDATE_MAX_ERRORS + 1);
  assert_string_equal(errs.items[99]->message, "Cannot query field \"f99\" on type \"Dog\".");
  assert_string_equal(errs.items[100]->message,
                      "Too many validation errors, error limit reached. Validation aborted.");
  assert_int_equal(errs.items[100]->n_locations, 0);
  assert_int_equal(fields_seen, 101); /* dog, f0..f99: f100's error stopped the walk */
  assert_false(document_left);
  arena_free(a);
}

/* gql_validate counts only the errors it adds. */
static void returns_added_count(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_errors_add(&errs, (gql_loc){0, 0}, "earlier");
  const char *q = "{ dog { nope } cat { nope } }";
  gql_document *doc = gql_parse(a, q, strlen(q), NULL, &errs);
  assert_int_equal(gql_validate(vh_schema(), doc, a, &errs), 2);
  assert_int_equal(errs.n, 3);
  arena_free(a);
}

/* Following fragments costs graphql-js's budget (50,000): 100 operations
 * each using a different tail of a chain of 500 fragments exceed it, and
 * validation stops with "Validation aborted." after the errors so far. */
static void fragment_work_budget(void **state) {
  (void)state;
  arena *a = arena_new(0);
  buf q;
  buf_init(&q, a);
  buf_puts(&q, "query Q0 { nope dog { ...F0 } }\n");
  for (int i = 1; i < 100; i++)
    buf_printf(&q, "query Q%d { dog { ...F%d } }\n", i, i);
  for (int i = 0; i < 500; i++)
    buf_printf(&q, "fragment F%d on Dog { name ...F%d }\n", i, i + 1);
  buf_puts(&q, "fragment F500 on Dog { name }\n");
  gql_errors errs = run(a, q.data, NULL, 0);
  assert_int_equal(errs.n, 2);
  assert_string_equal(errs.items[0]->message, "Cannot query field \"nope\" on type \"QueryRoot\".");
  assert_string_equal(errs.items[1]->message, "Validation aborted.");
  assert_int_equal(errs.items[1]->n_locations, 0);
  arena_free(a);
}

/* SingleFieldSubscriptions spends the budget on the selections it collects. */
static void fragment_work_budget_subscriptions(void **state) {
  (void)state;
  arena *a = arena_new(0);
  buf q;
  buf_init(&q, a);
  buf_puts(&q, "subscription { ...S0 }\n");
  for (int i = 0; i < 2000; i++) {
    buf_printf(&q, "fragment S%d on SubscriptionRoot {", i);
    for (int j = 0; j < 30; j++)
      buf_puts(&q, " importantEmails");
    buf_printf(&q, " ...S%d }\n", i + 1);
  }
  buf_puts(&q, "fragment S2000 on SubscriptionRoot { importantEmails }\n");
  const gql_rule *rules[] = {&gql_rule_single_field_subscriptions};
  gql_errors errs = run(a, q.data, rules, 1);
  assert_int_equal(errs.n, 1);
  assert_string_equal(errs.items[0]->message, "Validation aborted.");
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(type_info),
      cmocka_unit_test(variable_usages),
      cmocka_unit_test(fragment_lookup),
      cmocka_unit_test(error_limit),
      cmocka_unit_test(returns_added_count),
      cmocka_unit_test(fragment_work_budget),
      cmocka_unit_test(fragment_work_budget_subscriptions),
  };
  return cmocka_run_group_tests(tests, NULL, vh_teardown);
}
