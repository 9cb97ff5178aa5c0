/* test_subscribe.c — tests of subscriptions in graphql/exec.c: creating the
 * source stream through the root field's subscribe hook (with coerced
 * arguments, request errors and hook errors) and executing the selection
 * set for each event. */
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
#include "graphql/schema.h"

static const char sdl[] = "type Query { x: Int }\n"
                          "type Subscription {\n"
                          "  tick(step: Int = 1): Tick\n"
                          "  count: Int!\n"
                          "  doubled: Int\n"
                          "  failing: Int\n"
                          "  plain: Tick\n"
                          "}\n"
                          "type Tick { n: Int label: String }\n";

/* A source stream as a transport would own it. */
typedef struct stream {
  int64_t step;
  int opened;
} stream;

typedef struct fixture {
  arena *a;
  gql_schema *s;
  stream st;
} fixture;

static gql_rv json_field(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const json_t *obj = parent;
  return gql_rv_json(json_is_object(obj) ? json_object_get(obj, info->field->name) : NULL);
}

static gql_rv open_stream(const gql_resolve_info *info, void *data) {
  stream *st = data;
  const gql_value *step = gql_arg(info, "step");
  st->step = step ? step->ival : -1;
  st->opened++;
  assert_int_equal(info->path_len, 1);
  return gql_rv_object(st, NULL);
}

static gql_rv failing_stream(const gql_resolve_info *info, void *data) {
  (void)data;
  return gql_rv_errorf(info->arena, "no stream for %s", info->path[0].key);
}

/* Subscription.doubled: the event is an int the resolver receives as parent. */
static gql_rv doubled_resolver(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)data;
  return gql_rv_int(*(const int *)parent * 2);
}

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  f->a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  f->s = gql_schema_build(sdl, strlen(sdl), &errs);
  if (!f->s)
    return -1;
  gql_schema_set_default_resolver(f->s, json_field, NULL);
  assert_int_equal(gql_schema_set_subscribe(f->s, "Subscription.tick", open_stream, &f->st), 0);
  assert_int_equal(gql_schema_set_subscribe(f->s, "Subscription.count", open_stream, &f->st), 0);
  assert_int_equal(gql_schema_set_subscribe(f->s, "Subscription.failing", failing_stream, NULL), 0);
  assert_int_equal(gql_schema_set_resolver(f->s, "Subscription.doubled", doubled_resolver, NULL),
                   0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  gql_schema_free(f->s);
  arena_free(f->a);
  free(f);
  return 0;
}

static gql_request request(fixture *f, const char *query, json_t *vars) {
  gql_errors errs;
  gql_errors_init(&errs, f->a);
  gql_document *doc = gql_parse(f->a, query, strlen(query), NULL, &errs);
  assert_non_null(doc);
  gql_request req = {.schema = f->s, .document = doc, .variables = vars, .arena = f->a};
  return req;
}

/* gql_subscribe's response text ("" on success, *source set). */
static const char *subscribe(fixture *f, const char *query, const char *vars_json, gql_rv *source,
                             bool *ok) {
  json_t *vars = vars_json ? json_loads(vars_json, 0, NULL) : NULL;
  gql_request req = request(f, query, vars);
  buf out;
  buf_init(&out, f->a);
  *ok = gql_subscribe(&req, source, &out);
  json_decref(vars);
  return buf_cstr(&out);
}

static const char *event(fixture *f, const char *query, const gql_rv *ev) {
  gql_request req = request(f, query, NULL);
  buf out;
  buf_init(&out, f->a);
  gql_execute_event(&req, ev, &out);
  return buf_cstr(&out);
}

static void test_subscribe_calls_hook_with_arguments(void **state) {
  fixture *f = *state;
  gql_rv source = {0};
  bool ok = false;
  f->st = (stream){0};
  assert_string_equal(subscribe(f, "subscription S($s: Int) { t: tick(step: $s) { n } }",
                                "{\"s\":3}", &source, &ok),
                      "");
  assert_true(ok);
  assert_int_equal(source.kind, GQL_RV_OBJECT);
  assert_ptr_equal(source.u.obj.ptr, &f->st);
  assert_int_equal(f->st.step, 3);
  /* The argument's default applies when the variable is absent. */
  assert_string_equal(
      subscribe(f, "subscription S($s: Int) { tick(step: $s) { n } }", NULL, &source, &ok), "");
  assert_true(ok);
  assert_int_equal(f->st.step, 1);
  assert_int_equal(f->st.opened, 2);
}

static void test_subscribe_errors(void **state) {
  fixture *f = *state;
  gql_rv source = {0};
  bool ok = true;
  f->st = (stream){0};
  assert_string_equal(subscribe(f, "subscription { failing }", NULL, &source, &ok),
                      "{\"errors\":[{\"message\":\"no stream for failing\",\"locations\":"
                      "[{\"line\":1,\"column\":16}],\"path\":[\"failing\"]}]}");
  assert_false(ok);
  assert_string_equal(
      subscribe(f, "subscription ($s: Int!) { tick(step: $s) { n } }", "{}", &source, &ok),
      "{\"errors\":[{\"message\":\"Variable \\\"$s\\\" of required type "
      "\\\"Int!\\\" was not provided.\",\"locations\":[{\"line\":1,\"column\":15}]}]}");
  assert_false(ok);
  assert_string_equal(subscribe(f, "{ x }", NULL, &source, &ok),
                      "{\"errors\":[{\"message\":\"Expected a subscription operation.\","
                      "\"locations\":[{\"line\":1,\"column\":1}]}]}");
  assert_false(ok);
  assert_string_equal(subscribe(f, "subscription { plain { n } }", NULL, &source, &ok),
                      "{\"errors\":[{\"message\":\"Subscription field \\\"plain\\\" has no "
                      "source stream.\",\"locations\":[{\"line\":1,\"column\":16}],"
                      "\"path\":[\"plain\"]}]}");
  assert_false(ok);
  assert_string_equal(
      subscribe(f, "subscription A { count } subscription B { count }", NULL, &source, &ok),
      "{\"errors\":[{\"message\":\"Must provide operation name if query "
      "contains multiple operations.\"}]}");
  assert_false(ok);
  assert_int_equal(f->st.opened, 0);
}

static void test_event_is_the_root_value(void **state) {
  fixture *f = *state;
  json_t *payload = json_loads("{\"n\":7,\"label\":\"seven\"}", 0, NULL);
  gql_rv ev = gql_rv_json(payload);
  /* No resolver: the event itself is the field's value. */
  assert_string_equal(event(f, "subscription { tick { n label } t: tick { n } }", &ev),
                      "{\"data\":{\"tick\":{\"n\":7,\"label\":\"seven\"},\"t\":{\"n\":7}}}");
  json_decref(payload);

  gql_rv num = gql_rv_int(5);
  assert_string_equal(event(f, "subscription { count }", &num), "{\"data\":{\"count\":5}}");

  /* With a resolver: the event is its parent. */
  int value = 21;
  gql_rv obj = gql_rv_object(&value, NULL);
  assert_string_equal(event(f, "subscription { doubled }", &obj), "{\"data\":{\"doubled\":42}}");
}

static void test_event_errors(void **state) {
  fixture *f = *state;
  gql_rv nothing = gql_rv_null();
  assert_string_equal(event(f, "subscription { count }", &nothing),
                      "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
                      "Subscription.count.\",\"locations\":[{\"line\":1,\"column\":16}],"
                      "\"path\":[\"count\"]}],\"data\":null}");
  gql_rv err = gql_rv_errorf(f->a, "event failed");
  assert_string_equal(event(f, "subscription { tick { n } }", &err),
                      "{\"errors\":[{\"message\":\"event failed\",\"locations\":[{\"line\":1,"
                      "\"column\":16}],\"path\":[\"tick\"]}],\"data\":{\"tick\":null}}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_subscribe_calls_hook_with_arguments),
      cmocka_unit_test(test_subscribe_errors),
      cmocka_unit_test(test_event_is_the_root_value),
      cmocka_unit_test(test_event_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
