/* test_exec.c — tests of graphql/exec.c: field collection (aliases,
 * fragments, @skip/@include), value completion (lists, enums, custom
 * scalars, abstract types), non-null propagation, field errors with paths
 * and locations, serial mutations, request errors and gql_run. Expected
 * responses of the JSON-backed cases were produced by graphql-js 16 with
 * the same schema, data and queries. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/exec.h"
#include "graphql/parser.h"
#include "graphql/printer.h"
#include "graphql/schema.h"
#include "graphql/values.h"

static const char sdl[] = "schema { query: Query mutation: Mutation }\n"
                          "type Query {\n"
                          "  hello: String\n"
                          "  int: Int\n"
                          "  nn: Int\n"
                          "  nnNull: Int!\n"
                          "  list: [Int]\n"
                          "  nnList: [Int!]\n"
                          "  listNN: [Int]!\n"
                          "  notList: [Int]\n"
                          "  obj: Obj\n"
                          "  objs: [Obj]\n"
                          "  strObj: Obj\n"
                          "  numObjs: [Obj]\n"
                          "  pets: [Pet]\n"
                          "  badPets: [Pet]\n"
                          "  search: [Result]\n"
                          "  color: Color\n"
                          "  colors: [Color]\n"
                          "  badColor: Color\n"
                          "  deep: Deep\n"
                          "  fail: String\n"
                          "  failNN: Int!\n"
                          "  upper(v: Upper): Upper\n"
                          "  echo(i: Int, s: String = \"d\", e: Color, in: Inp): String\n"
                          "  req(n: Int!): Int\n"
                          "}\n"
                          "type Obj { id: ID! name: String nn: String! child: Obj }\n"
                          "type Deep { a: DeepA! }\n"
                          "type DeepA { b: [DeepB!] }\n"
                          "type DeepB { c: Int! }\n"
                          "interface Pet { name: String! }\n"
                          "type Dog implements Pet { name: String! barks: Boolean }\n"
                          "type Cat implements Pet { name: String! lives: Int }\n"
                          "type Fish { fins: Int }\n"
                          "union Result = Dog | Obj\n"
                          "enum Color { RED GREEN }\n"
                          "scalar Upper\n"
                          "input Inp { a: Int b: [String!] }\n"
                          "type Mutation { add(n: Int!): Int }\n";

static const char data_json[] =
    "{\"hello\":\"world\",\"int\":1,\"nn\":2,\"nnNull\":null,\"list\":[1,null,3],"
    "\"nnList\":[1,null,3],\"listNN\":[null,2],\"notList\":5,"
    "\"obj\":{\"id\":\"o1\",\"name\":\"first\",\"nn\":\"x\","
    "\"child\":{\"id\":2,\"name\":null,\"nn\":null}},"
    "\"objs\":[{\"id\":\"a\",\"nn\":\"ok\"},{\"id\":\"b\",\"nn\":null},null],"
    "\"strObj\":\"ann\",\"numObjs\":[1,{\"id\":\"i\",\"name\":\"x\"}],"
    "\"pets\":[{\"__typename\":\"Dog\",\"name\":\"rex\",\"barks\":true},"
    "{\"__typename\":\"Cat\",\"name\":\"tom\",\"lives\":9}],"
    "\"badPets\":[{\"__typename\":\"Bird\"},{\"__typename\":\"Fish\"},{\"name\":\"x\"},"
    "{\"__typename\":\"Color\"},{\"__typename\":\"Dog\",\"name\":null}],"
    "\"search\":[{\"__typename\":\"Dog\",\"name\":\"rex\",\"barks\":false},"
    "{\"__typename\":\"Obj\",\"id\":\"o9\",\"name\":\"n\",\"nn\":\"z\"}],"
    "\"color\":\"RED\",\"colors\":[\"GREEN\",\"RED\"],\"badColor\":\"BLUE\","
    "\"deep\":{\"a\":{\"b\":[{\"c\":1},{\"c\":null}]}}}";

/* What resolvers share during one request. */
typedef struct test_ctx {
  int total; /* Mutation.add */
  int calls; /* resolver calls counted by some resolvers */
  buf log;   /* order of mutation calls */
} test_ctx;

typedef struct fixture {
  arena *a;
  gql_schema *s;
  json_t *data;
  test_ctx ctx;
} fixture;

/* ---- resolvers ---- */

static gql_rv json_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *obj = parent;
  return gql_rv_json(json_is_object(obj) ? json_object_get(obj, info->field->name) : NULL);
}

static gql_rv fail_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  return gql_rv_errorf(info->arena, "boom in %s", info->field->name);
}

/* Prints the coerced arguments: name=value, "-" when absent. */
static gql_rv echo_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  buf b;
  buf_init(&b, info->arena);
  for (size_t i = 0; i < info->field->n_args; i++) {
    buf_printf(&b, "%s%s=", i ? " " : "", info->field->args[i].name);
    if (info->args[i])
      gql_print_value(&b, info->args[i]);
    else
      buf_putc(&b, '-');
  }
  return gql_rv_string(buf_cstr(&b));
}

static gql_rv add_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  test_ctx *ctx = info->context;
  const gql_value *n = gql_arg(info, "n");
  ctx->total += (int)n->ival;
  buf_printf(&ctx->log, "add(%lld)=%d;", (long long)n->ival, ctx->total);
  return gql_rv_int(ctx->total);
}

static gql_rv upper_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  const gql_value *v = gql_arg(info, "v");
  if (v && v->kind == GQL_VALUE_INT)
    return gql_rv_int(v->ival);
  return v ? (gql_rv){.kind = GQL_RV_VALUE, .u.value = v} : gql_rv_string("shout");
}

/* ---- the Upper scalar: strings, upper-cased on the way in and out ---- */

static bool upper_serialize(const gql_rv *in, json_writer *w, char *err, size_t err_size) {
  const char *s = NULL;
  if (in->kind == GQL_RV_STRING)
    s = in->u.str.s;
  else if (in->kind == GQL_RV_VALUE && in->u.value->kind == GQL_VALUE_STRING)
    s = in->u.value->str;
  if (!s) {
    snprintf(err, err_size, "Upper cannot represent a non-string value");
    return false;
  }
  char tmp[64];
  size_t n = 0;
  for (; s[n] && n < sizeof tmp - 1; n++)
    tmp[n] = (char)toupper((unsigned char)s[n]);
  json_str_n(w, tmp, n);
  return true;
}

static const gql_value *upper_parse(const gql_value *in, bool from_variable, arena *a, char *err,
                                    size_t err_size) {
  (void)from_variable;
  if (in->kind != GQL_VALUE_STRING) {
    snprintf(err, err_size, "Upper wants a string");
    return NULL;
  }
  gql_value *out = arena_calloc(a, sizeof *out);
  *out = *in;
  char *s = arena_strdup(a, in->str);
  for (char *p = s; *p; p++)
    *p = (char)toupper((unsigned char)*p);
  out->str = s;
  return out;
}

static const gql_scalar_hooks upper_hooks = {upper_serialize, upper_parse};

/* ---- fixture ---- */

static gql_schema *build_schema(const char *text) {
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(text, strlen(text), &errs);
  for (size_t i = 0; !s && i < errs.n; i++)
    print_error("schema: %s\n", errs.items[i]->message);
  arena_free(a);
  return s;
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->a = arena_new(0);
  f->s = build_schema(sdl);
  if (!f->s)
    return -1;
  f->data = json_loads(data_json, 0, NULL);
  if (!f->data)
    return -1;
  gql_schema_set_default_resolver(f->s, json_field, NULL);
  assert_int_equal(gql_schema_set_resolver(f->s, "Query.fail", fail_resolver, NULL), 0);
  assert_int_equal(gql_schema_set_resolver(f->s, "Query.failNN", fail_resolver, NULL), 0);
  assert_int_equal(gql_schema_set_resolver(f->s, "Query.echo", echo_resolver, NULL), 0);
  assert_int_equal(gql_schema_set_resolver(f->s, "Query.req", echo_resolver, NULL), 0);
  assert_int_equal(gql_schema_set_resolver(f->s, "Query.upper", upper_resolver, NULL), 0);
  assert_int_equal(gql_schema_set_resolver(f->s, "Mutation.add", add_resolver, NULL), 0);
  assert_int_equal(gql_schema_set_scalar(f->s, "Upper", &upper_hooks), 0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  gql_schema_free(f->s);
  json_decref(f->data);
  arena_free(f->a);
  free(f);
  return 0;
}

/* Executes query (not validated) with variables given as JSON text (or
 * NULL) and returns the response text. *executed gets gql_execute's result. */
static const char *exec_full(fixture *f, const gql_schema *s, const void *root, const char *query,
                             const char *vars_json, const char *op_name, bool *executed) {
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  gql_document *doc = gql_parse(f->a, query, strlen(query), NULL, &errs);
  assert_non_null(doc);
  json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
  buf_init(&f->ctx.log, f->a);
  f->ctx.total = 0;
  f->ctx.calls = 0;
  gql_request req = {
      .schema = s,
      .document = doc,
      .operation_name = op_name,
      .variables = vars,
      .root_value = root,
      .context = &f->ctx,
      .arena = f->a,
  };
  buf out;
  buf_init(&out, f->a);
  bool ok = gql_execute(&req, &out);
  if (executed)
    *executed = ok;
  json_decref(vars);
  return buf_cstr(&out);
}

static const char *exec_vars(fixture *f, const char *query, const char *vars_json) {
  return exec_full(f, f->s, f->data, query, vars_json, NULL, NULL);
}

static const char *exec(fixture *f, const char *query) { return exec_vars(f, query, NULL); }

/* ---- collection ---- */

static void test_aliases_and_merging(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "{ a: hello hello int, a: hello }"),
                      "{\"data\":{\"a\":\"world\",\"hello\":\"world\",\"int\":1}}");
  assert_string_equal(exec(f, "{ obj { nn x: nn } obj { nn } }"),
                      "{\"data\":{\"obj\":{\"nn\":\"x\",\"x\":\"x\"}}}");
  /* Sub-selections of merged fields are merged, in order. */
  assert_string_equal(exec(f, "{ obj { id } hello obj { name id child { id } } }"),
                      "{\"data\":{\"obj\":{\"id\":\"o1\",\"name\":\"first\",\"child\":{\"id\":"
                      "\"2\"}},\"hello\":\"world\"}}");
}

static void test_fragments_on_interfaces_and_unions(void **state) {
  fixture *f = *state;
  assert_string_equal(
      exec(f, "{ pets { __typename name ... on Dog { barks } ...CatF } } "
              "fragment CatF on Cat { lives name }"),
      "{\"data\":{\"pets\":[{\"__typename\":\"Dog\",\"name\":\"rex\",\"barks\":true},"
      "{\"__typename\":\"Cat\",\"name\":\"tom\",\"lives\":9}]}}");
  assert_string_equal(
      exec(f, "{ search { __typename ... on Pet { name } ... on Obj { id } ... on Dog { barks } "
              "} }"),
      "{\"data\":{\"search\":[{\"__typename\":\"Dog\",\"name\":\"rex\",\"barks\":false},"
      "{\"__typename\":\"Obj\",\"id\":\"o9\"}]}}");
  /* Inline fragments without a type condition, and a fragment spread twice. */
  assert_string_equal(exec(f, "{ obj { ... on Obj { id } ... { name } ...F ...F } } "
                              "fragment F on Obj { id }"),
                      "{\"data\":{\"obj\":{\"id\":\"o1\",\"name\":\"first\"}}}");
}

static void test_skip_and_include(void **state) {
  fixture *f = *state;
  const char *q = "query($yes: Boolean!, $no: Boolean = false) { hello @skip(if: $yes) "
                  "int @include(if: $yes) nn @include(if: $no) ...F @skip(if: $no) "
                  "... on Query @include(if: false) { list } obj { id @skip(if: true) name } } "
                  "fragment F on Query { color }";
  assert_string_equal(exec_vars(f, q, "{\"yes\":true}"),
                      "{\"data\":{\"int\":1,\"color\":\"RED\",\"obj\":{\"name\":\"first\"}}}");
  assert_string_equal(exec_vars(f, q, "{\"yes\":false,\"no\":true}"),
                      "{\"data\":{\"hello\":\"world\",\"nn\":2,\"obj\":{\"name\":\"first\"}}}");
  /* Both directives: included only when @include is true and @skip false. */
  assert_string_equal(exec(f, "{ hello @skip(if: false) @include(if: true) "
                              "int @skip(if: true) @include(if: true) }"),
                      "{\"data\":{\"hello\":\"world\"}}");
}

/* ---- completion ---- */

static void test_non_null_propagation(void **state) {
  fixture *f = *state;
  assert_string_equal(
      exec(f, "{ obj { id nn child { id name nn } } hello }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Obj.nn.\","
      "\"locations\":[{\"line\":1,\"column\":31}],\"path\":[\"obj\",\"child\",\"nn\"]}],"
      "\"data\":{\"obj\":{\"id\":\"o1\",\"nn\":\"x\",\"child\":null},\"hello\":\"world\"}}");
  assert_string_equal(
      exec(f, "{ objs { id nn } }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Obj.nn.\","
      "\"locations\":[{\"line\":1,\"column\":13}],\"path\":[\"objs\",1,\"nn\"]}],"
      "\"data\":{\"objs\":[{\"id\":\"a\",\"nn\":\"ok\"},null,null]}}");
  /* Through a non-null field and a list of non-null items. */
  assert_string_equal(
      exec(f, "{ deep { a { b { c } } } }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field DeepB.c.\","
      "\"locations\":[{\"line\":1,\"column\":18}],\"path\":[\"deep\",\"a\",\"b\",1,\"c\"]}],"
      "\"data\":{\"deep\":{\"a\":{\"b\":null}}}}");
  assert_string_equal(
      exec(f, "{ nnList listNN list }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Query.nnList.\","
      "\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"nnList\",1]}],"
      "\"data\":{\"nnList\":null,\"listNN\":[null,2],\"list\":[1,null,3]}}");
  /* To the root: data is null and later fields are not run. */
  assert_string_equal(
      exec(f, "{ hello nnNull fail }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Query.nnNull.\","
      "\"locations\":[{\"line\":1,\"column\":9}],\"path\":[\"nnNull\"]}],\"data\":null}");
  /* Merged field nodes all give their location. */
  assert_string_equal(
      exec(f, "{ obj { child { nn } } obj { child { nn } } }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Obj.nn.\","
      "\"locations\":[{\"line\":1,\"column\":17},{\"line\":1,\"column\":38}],"
      "\"path\":[\"obj\",\"child\",\"nn\"]}],\"data\":{\"obj\":{\"child\":null}}}");
}

/* A JSON value that is not an object, where an object type is expected,
 * is still the parent of the object's fields (as graphql-js hands any value
 * to the resolvers): the JSON resolver finds no members, so the fields are
 * null and non-null ones fail below the object. */
static void test_non_object_json_as_object(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "{ strObj { __typename name } }"),
                      "{\"data\":{\"strObj\":{\"__typename\":\"Obj\",\"name\":null}}}");
  assert_string_equal(
      exec(f, "{ strObj { id name } numObjs { name } }"),
      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Obj.id.\","
      "\"locations\":[{\"line\":1,\"column\":12}],\"path\":[\"strObj\",\"id\"]}],"
      "\"data\":{\"strObj\":null,\"numObjs\":[{\"name\":null},{\"name\":\"x\"}]}}");
}

static gql_rv five_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_int(5);
}

/* A plain C value has no pointer the object's resolvers could take: the
 * field fails. */
static void test_plain_value_as_object(void **state) {
  fixture *f = *state;
  gql_schema *s = build_schema("type Query { o: O } type O { a: Int }");
  assert_non_null(s);
  gql_schema_set_resolver(s, "Query.o", five_resolver, NULL);
  assert_string_equal(exec_full(f, s, NULL, "{ o { a } }", NULL, NULL, NULL),
                      "{\"errors\":[{\"message\":\"Expected value of type \\\"O\\\" but got: 5.\","
                      "\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"o\"]}],"
                      "\"data\":{\"o\":null}}");
  gql_schema_free(s);
}

static void test_resolver_errors(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "{ hello fail x: fail }"),
                      "{\"errors\":[{\"message\":\"boom in fail\",\"locations\":[{\"line\":1,"
                      "\"column\":9}],\"path\":[\"fail\"]},{\"message\":\"boom in fail\","
                      "\"locations\":[{\"line\":1,\"column\":14}],\"path\":[\"x\"]}],"
                      "\"data\":{\"hello\":\"world\",\"fail\":null,\"x\":null}}");
  /* A failing non-null field reports only its own error. */
  assert_string_equal(exec(f, "{ failNN }"),
                      "{\"errors\":[{\"message\":\"boom in failNN\",\"locations\":[{\"line\":1,"
                      "\"column\":3}],\"path\":[\"failNN\"]}],\"data\":null}");
  /* Argument errors are field errors at the argument. */
  assert_string_equal(exec(f, "{ hello req }"),
                      "{\"errors\":[{\"message\":\"Argument \\\"n\\\" of required type "
                      "\\\"Int!\\\" was not provided.\",\"locations\":[{\"line\":1,\"column\":9}],"
                      "\"path\":[\"req\"]}],\"data\":{\"hello\":\"world\",\"req\":null}}");
}

static void test_lists_and_enums(void **state) {
  fixture *f = *state;
  assert_string_equal(
      exec(f, "{ color colors badColor }"),
      "{\"errors\":[{\"message\":\"Enum \\\"Color\\\" cannot represent value: \\\"BLUE\\\"\","
      "\"locations\":[{\"line\":1,\"column\":16}],\"path\":[\"badColor\"]}],"
      "\"data\":{\"color\":\"RED\",\"colors\":[\"GREEN\",\"RED\"],\"badColor\":null}}");
  assert_string_equal(
      exec(f, "{ notList }"),
      "{\"errors\":[{\"message\":\"Expected Iterable, but did not find one for field "
      "\\\"Query.notList\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"notList\"]}],"
      "\"data\":{\"notList\":null}}");
}

static void test_abstract_type_errors(void **state) {
  fixture *f = *state;
  assert_string_equal(
      exec(f, "{ badPets { name } }"),
      "{\"errors\":[{\"message\":\"Abstract type \\\"Pet\\\" was resolved to a type \\\"Bird\\\" "
      "that does not exist inside the schema.\",\"locations\":[{\"line\":1,\"column\":3}],"
      "\"path\":[\"badPets\",0]},{\"message\":\"Runtime Object type \\\"Fish\\\" is not a possible "
      "type for \\\"Pet\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"badPets\",1]},"
      "{\"message\":\"Abstract type \\\"Pet\\\" must resolve to an Object type at runtime for "
      "field \\\"Query.badPets\\\". Either the \\\"Pet\\\" type should provide a "
      "\\\"resolveType\\\" function or each possible type should provide an \\\"isTypeOf\\\" "
      "function.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"badPets\",2]},"
      "{\"message\":\"Abstract type \\\"Pet\\\" was resolved to a non-object type "
      "\\\"Color\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"badPets\",3]},"
      "{\"message\":\"Cannot return null for non-nullable field Dog.name.\",\"locations\":"
      "[{\"line\":1,\"column\":13}],\"path\":[\"badPets\",4,\"name\"]}],"
      "\"data\":{\"badPets\":[null,null,null,null,null]}}");
}

static const gql_type *decline_type(const gql_schema *s, const gql_type *abstract,
                                    const gql_rv *value, void *data) {
  (void)s, (void)abstract, (void)value;
  (*(int *)data)++;
  return NULL;
}

static void test_declining_type_hook_falls_back_to_typename(void **state) {
  fixture *f = *state;
  int asked = 0;
  gql_schema_set_default_resolve_type(f->s, decline_type, &asked);
  const char *out = exec(f, "{ pets { name } }");
  gql_schema_set_default_resolve_type(f->s, NULL, NULL);
  assert_string_equal(out, "{\"data\":{\"pets\":[{\"name\":\"rex\"},{\"name\":\"tom\"}]}}");
  assert_int_equal(asked, 2);
}

static void test_arguments_reach_resolvers(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "{ echo }"), "{\"data\":{\"echo\":\"i=- s=\\\"d\\\" e=- in=-\"}}");
  assert_string_equal(exec(f, "{ echo(i: 3, s: null, e: GREEN, in: {a: 1, b: \"x\"}) }"),
                      "{\"data\":{\"echo\":\"i=3 s=null e=GREEN in={a: 1, b: [\\\"x\\\"]}\"}}");
  assert_string_equal(
      exec_vars(f, "query($i: Int, $s: String, $b: String!) { echo(i: $i, s: $s, in: {b: [$b]}) }",
                "{\"s\":null,\"b\":\"q\"}"),
      "{\"data\":{\"echo\":\"i=- s=null e=- in={b: [\\\"q\\\"]}\"}}");
}

static void test_custom_scalar_hooks(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "{ upper }"), "{\"data\":{\"upper\":\"SHOUT\"}}");
  /* parse on the way in, serialize on the way out. */
  assert_string_equal(exec_vars(f, "query($v: Upper) { upper(v: $v) }", "{\"v\":\"abc\"}"),
                      "{\"data\":{\"upper\":\"ABC\"}}");
  assert_string_equal(exec_vars(f, "query($v: Upper) { upper(v: $v) }", "{\"v\":1}"),
                      "{\"errors\":[{\"message\":\"Variable \\\"$v\\\" got invalid value 1; "
                      "Upper wants a string\",\"locations\":[{\"line\":1,\"column\":7}]}]}");
  assert_string_equal(exec(f, "{ upper(v: 5) }"),
                      "{\"errors\":[{\"message\":\"Argument \\\"v\\\" has invalid value 5.\","
                      "\"locations\":[{\"line\":1,\"column\":12}],\"path\":[\"upper\"]}],"
                      "\"data\":{\"upper\":null}}");
}

static void test_mutations_run_in_order(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "mutation { a: add(n: 1) b: add(n: 2) c: add(n: 3) a: add(n: 1) }"),
                      "{\"data\":{\"a\":1,\"b\":3,\"c\":6}}");
  assert_string_equal(buf_cstr(&f->ctx.log), "add(1)=1;add(2)=3;add(3)=6;");
}

static void test_typename_and_introspection(void **state) {
  fixture *f = *state;
  assert_string_equal(exec(f, "{ __typename obj { __typename t: __typename } }"),
                      "{\"data\":{\"__typename\":\"Query\",\"obj\":{\"__typename\":\"Obj\","
                      "\"t\":\"Obj\"}}}");
  assert_string_equal(exec(f, "mutation { __typename }"),
                      "{\"data\":{\"__typename\":\"Mutation\"}}");
  assert_string_equal(
      exec(f, "{ __type(name: \"Color\") { name kind enumValues { name } } "
              "__schema { queryType { name } } }"),
      "{\"data\":{\"__type\":{\"name\":\"Color\",\"kind\":\"ENUM\",\"enumValues\":[{\"name\":"
      "\"RED\"},{\"name\":\"GREEN\"}]},\"__schema\":{\"queryType\":{\"name\":\"Query\"}}}}");
}

/* ---- request errors ---- */

static void test_request_errors(void **state) {
  fixture *f = *state;
  bool ok = true;
  assert_string_equal(
      exec_full(f, f->s, f->data, "query($n: Int!) { int }", "{}", NULL, &ok),
      "{\"errors\":[{\"message\":\"Variable \\\"$n\\\" of required type "
      "\\\"Int!\\\" was not provided.\",\"locations\":[{\"line\":1,\"column\":7}]}]}");
  assert_false(ok);
  assert_string_equal(
      exec_full(f, f->s, f->data, "query A { int } query B { hello }", NULL, NULL, &ok),
      "{\"errors\":[{\"message\":\"Must provide operation name if query "
      "contains multiple operations.\"}]}");
  assert_false(ok);
  assert_string_equal(exec_full(f, f->s, f->data, "query A { int }", NULL, "B", &ok),
                      "{\"errors\":[{\"message\":\"Unknown operation named \\\"B\\\".\"}]}");
  assert_false(ok);
  assert_string_equal(exec_full(f, f->s, f->data, "fragment F on Query { int }", NULL, NULL, &ok),
                      "{\"errors\":[{\"message\":\"Must provide an operation.\"}]}");
  assert_false(ok);
  assert_string_equal(
      exec_full(f, f->s, f->data, "query A { int } query B { hello }", NULL, "B", &ok),
      "{\"data\":{\"hello\":\"world\"}}");
  assert_true(ok);
  assert_string_equal(exec_full(f, f->s, f->data, "subscription { int }", NULL, NULL, &ok),
                      "{\"errors\":[{\"message\":\"Schema is not configured to execute "
                      "subscription operation.\",\"locations\":[{\"line\":1,\"column\":1}]}],"
                      "\"data\":null}");
  assert_true(ok);
}

/* ---- resolvers over C structs: objects, lists, resolve_type hooks ---- */

static const char native_sdl[] =
    "type Query { things: [Thing!]! first: Thing node(id: ID!): Node nodes: [Node]\n"
    "  mixed: [Int] vals(l: [Int]): [Int] }\n"
    "interface Node { id: ID! }\n"
    "type Thing implements Node { id: ID! n(times: Int = 1): Int tags: [String] }\n"
    "type Other implements Node { id: ID! }\n"
    "type Stray { id: ID! }\n";

typedef struct thing {
  const char *id;
  int n;
  int kind; /* 0 Thing, 1 Other, 2 Stray, 3 unknown */
} thing;

static const thing things[] = {{"t1", 1, 0}, {"t2", 2, 0}, {"o1", 0, 1}, {"s1", 0, 2}, {"u", 0, 3}};

static gql_rv things_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent;
  gql_rv r = gql_rv_list(info->arena, 2);
  for (size_t i = 0; i < 2; i++)
    r.u.list.items[i] = gql_rv_object(&things[i], (const gql_type *)data);
  return r;
}

static gql_rv first_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_object(&things[0], NULL);
}

static gql_rv node_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  const gql_value *id = gql_arg(info, "id");
  for (size_t i = 0; i < sizeof things / sizeof things[0]; i++)
    if (strcmp(things[i].id, id->str) == 0)
      return gql_rv_object(&things[i], NULL);
  return gql_rv_null();
}

static gql_rv nodes_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  size_t n = sizeof things / sizeof things[0];
  gql_rv r = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    r.u.list.items[i] = gql_rv_object(&things[i], NULL);
  return r;
}

static gql_rv id_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_string(((const thing *)parent)->id);
}

static gql_rv n_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  test_ctx *ctx = info->context;
  ctx->calls++;
  /* The path ends with this field's key, below the item's index. */
  assert_true(info->path_len >= 2);
  assert_string_equal(info->path[info->path_len - 1].key,
                      info->selection->alias ? info->selection->alias : info->selection->name);
  return gql_rv_int(((const thing *)parent)->n * gql_arg(info, "times")->ival);
}

static gql_rv tags_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const thing *t = parent;
  gql_rv r = gql_rv_list(info->arena, 2);
  r.u.list.items[0] = gql_rv_string(t->id);
  r.u.list.items[1] = gql_rv_null();
  return r;
}

/* A list whose second item failed. */
static gql_rv mixed_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  gql_rv r = gql_rv_list(info->arena, 3);
  r.u.list.items[0] = gql_rv_int(1);
  r.u.list.items[1] = gql_rv_errorf(info->arena, "item %d failed", 1);
  r.u.list.items[2] = gql_rv_int(3);
  return r;
}

/* Returns its coerced argument as it is. */
static gql_rv vals_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)parent, (void)data;
  const gql_value *l = gql_arg(info, "l");
  return l ? (gql_rv){.kind = GQL_RV_VALUE, .u.value = l} : gql_rv_null();
}

static const gql_type *node_type(const gql_schema *s, const gql_type *abstract, const gql_rv *value,
                                 void *data) {
  (void)abstract, (void)data;
  static const char *const names[] = {"Thing", "Other", "Stray"};
  int kind = ((const thing *)value->u.obj.ptr)->kind;
  return kind < 3 ? gql_schema_type(s, names[kind]) : NULL;
}

static void test_native_objects(void **state) {
  fixture *f = *state;
  gql_schema *s = build_schema(native_sdl);
  assert_non_null(s);
  gql_schema_set_resolver(s, "Query.things", things_resolver, gql_schema_type(s, "Thing"));
  gql_schema_set_resolver(s, "Query.first", first_resolver, NULL);
  gql_schema_set_resolver(s, "Query.node", node_resolver, NULL);
  gql_schema_set_resolver(s, "Query.nodes", nodes_resolver, NULL);
  gql_schema_set_resolver(s, "Thing.id", id_resolver, NULL);
  gql_schema_set_resolver(s, "Other.id", id_resolver, NULL);
  gql_schema_set_resolver(s, "Stray.id", id_resolver, NULL);
  gql_schema_set_resolver(s, "Thing.n", n_resolver, NULL);
  gql_schema_set_resolver(s, "Thing.tags", tags_resolver, NULL);
  assert_int_equal(gql_schema_set_resolve_type(s, "Node", node_type, NULL), 0);
  gql_schema_set_resolver(s, "Query.mixed", mixed_resolver, NULL);
  gql_schema_set_resolver(s, "Query.vals", vals_resolver, NULL);

  assert_string_equal(
      exec_full(f, s, NULL, "{ things { id n twice: n(times: 2) tags } first { id } }", NULL, NULL,
                NULL),
      "{\"data\":{\"things\":[{\"id\":\"t1\",\"n\":1,\"twice\":2,\"tags\":[\"t1\",null]},"
      "{\"id\":\"t2\",\"n\":2,\"twice\":4,\"tags\":[\"t2\",null]}],\"first\":{\"id\":\"t1\"}}}");
  assert_int_equal(f->ctx.calls, 4);
  assert_string_equal(exec_full(f, s, NULL,
                                "{ a: node(id: \"t2\") { __typename id ... on Thing { n } } "
                                "b: node(id: \"o1\") { __typename id ... on Thing { n } } "
                                "c: node(id: \"none\") { id } }",
                                NULL, NULL, NULL),
                      "{\"data\":{\"a\":{\"__typename\":\"Thing\",\"id\":\"t2\",\"n\":2},"
                      "\"b\":{\"__typename\":\"Other\",\"id\":\"o1\"},\"c\":null}}");
  assert_string_equal(
      exec_full(f, s, NULL, "{ nodes { id } }", NULL, NULL, NULL),
      "{\"errors\":[{\"message\":\"Runtime Object type \\\"Stray\\\" is not a possible type for "
      "\\\"Node\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"nodes\",3]},"
      "{\"message\":\"Abstract type \\\"Node\\\" must resolve to an Object type at runtime for "
      "field \\\"Query.nodes\\\". Either the \\\"Node\\\" type should provide a "
      "\\\"resolveType\\\" function or each possible type should provide an \\\"isTypeOf\\\" "
      "function.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"nodes\",4]}],"
      "\"data\":{\"nodes\":[{\"id\":\"t1\"},{\"id\":\"t2\"},{\"id\":\"o1\"},null,null]}}");
  /* Failed list items are errors at their index; coerced values complete. */
  assert_string_equal(
      exec_full(f, s, NULL, "{ mixed vals(l: [4, null]) one: vals(l: 5) }", NULL, NULL, NULL),
      "{\"errors\":[{\"message\":\"item 1 failed\",\"locations\":[{\"line\":1,"
      "\"column\":3}],\"path\":[\"mixed\",1]}],\"data\":{\"mixed\":[1,null,3],"
      "\"vals\":[4,null],\"one\":[5]}}");
  gql_schema_free(s);
}

static void test_no_resolver(void **state) {
  fixture *f = *state;
  gql_schema *s = build_schema("type Query { a: Int b: Int! }");
  assert_non_null(s);
  assert_string_equal(exec_full(f, s, NULL, "{ a }", NULL, NULL, NULL),
                      "{\"errors\":[{\"message\":\"Field \\\"Query.a\\\" has no resolver.\","
                      "\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"a\"]}],"
                      "\"data\":{\"a\":null}}");
  gql_schema_free(s);
}

/* ---- gql_run ---- */

static const char *run(fixture *f, const char *query, const gql_run_options *opts,
                       gql_outcome *outcome) {
  gql_request req = {.schema = f->s, .root_value = f->data, .context = &f->ctx, .arena = f->a};
  buf_init(&f->ctx.log, f->a);
  buf out;
  buf_init(&out, f->a);
  *outcome = gql_run(&req, query, strlen(query), opts, &out);
  return buf_cstr(&out);
}

static void test_run_pipeline(void **state) {
  fixture *f = *state;
  gql_outcome o;
  gql_operation_type t = GQL_OP_SUBSCRIPTION;
  gql_run_options opts = {.forbid_mutations = true, .selected_type = &t};
  assert_string_equal(run(f, "{ hello }", &opts, &o), "{\"data\":{\"hello\":\"world\"}}");
  assert_int_equal(o, GQL_OUTCOME_EXECUTED);
  assert_int_equal(t, GQL_OP_QUERY);
  assert_string_equal(run(f, "{ hello", NULL, &o),
                      "{\"errors\":[{\"message\":\"Syntax Error: Expected Name, found <EOF>.\","
                      "\"locations\":[{\"line\":1,\"column\":8}]}]}");
  assert_int_equal(o, GQL_OUTCOME_SYNTAX_ERROR);
  assert_string_equal(run(f, "mutation { add(n: 1) }", &opts, &o),
                      "{\"errors\":[{\"message\":\"Can only perform a mutation operation from a "
                      "POST request.\"}]}");
  assert_int_equal(o, GQL_OUTCOME_FORBIDDEN);
  assert_int_equal(t, GQL_OP_MUTATION);
  assert_string_equal(buf_cstr(&f->ctx.log), "");
  assert_string_equal(run(f, "mutation { add(n: 1) }", NULL, &o), "{\"data\":{\"add\":1}}");
  assert_int_equal(o, GQL_OUTCOME_EXECUTED);
  gql_run_options http = {.forbid_subscriptions = true};
  assert_string_equal(run(f, "subscription { int }", &http, &o),
                      "{\"errors\":[{\"message\":\"Subscriptions are served over WebSocket "
                      "only (graphql-transport-ws or graphql-ws) at this endpoint.\"}]}");
  assert_int_equal(o, GQL_OUTCOME_REQUEST_ERROR);
  assert_string_equal(run(f, "query A { hello } query B { int }", NULL, &o),
                      "{\"errors\":[{\"message\":\"Must provide operation name if query "
                      "contains multiple operations.\"}]}");
  assert_int_equal(o, GQL_OUTCOME_REQUEST_ERROR);
}

static void test_run_validation_errors(void **state) {
  fixture *f = *state;
  gql_outcome o;
  assert_string_equal(run(f, "{ nope }", NULL, &o),
                      "{\"errors\":[{\"message\":\"Cannot query field \\\"nope\\\" on type "
                      "\\\"Query\\\".\",\"locations\":[{\"line\":1,\"column\":3}]}]}");
  assert_int_equal(o, GQL_OUTCOME_INVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aliases_and_merging),
      cmocka_unit_test(test_fragments_on_interfaces_and_unions),
      cmocka_unit_test(test_skip_and_include),
      cmocka_unit_test(test_non_null_propagation),
      cmocka_unit_test(test_non_object_json_as_object),
      cmocka_unit_test(test_plain_value_as_object),
      cmocka_unit_test(test_resolver_errors),
      cmocka_unit_test(test_lists_and_enums),
      cmocka_unit_test(test_abstract_type_errors),
      cmocka_unit_test(test_declining_type_hook_falls_back_to_typename),
      cmocka_unit_test(test_arguments_reach_resolvers),
      cmocka_unit_test(test_custom_scalar_hooks),
      cmocka_unit_test(test_mutations_run_in_order),
      cmocka_unit_test(test_typename_and_introspection),
      cmocka_unit_test(test_request_errors),
      cmocka_unit_test(test_native_objects),
      cmocka_unit_test(test_no_resolver),
      cmocka_unit_test(test_run_pipeline),
      cmocka_unit_test(test_run_validation_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
