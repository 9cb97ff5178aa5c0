/* test_graphql_http.c — tests of http/graphql_http.c without a network:
 * Accept negotiation, Content-Type checks, parameter errors and the status
 * chosen for each engine outcome, against the real API schema (api/api.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api.h"
#include "base/arena.h"
#include "base/version.h"
#include "http/graphql_http.h"

static void test_negotiate_media(void **state) {
  (void)state;
  const struct {
    const char *accept;
    http_media expected;
  } cases[] = {
      {NULL, HTTP_MEDIA_JSON},
      {"", HTTP_MEDIA_JSON},
      {"*/*", HTTP_MEDIA_JSON},
      {"application/*", HTTP_MEDIA_JSON},
      {"application/json", HTTP_MEDIA_JSON},
      {"Application/JSON; charset=utf-8", HTTP_MEDIA_JSON},
      {"application/graphql-response+json", HTTP_MEDIA_GRAPHQL_JSON},
      {"application/graphql-response+json, application/json;q=0.9", HTTP_MEDIA_GRAPHQL_JSON},
      {"application/json, application/graphql-response+json;q=0.5", HTTP_MEDIA_JSON},
      {"application/json, application/graphql-response+json", HTTP_MEDIA_GRAPHQL_JSON},
      {"application/graphql-response+json;q=0.9, */*;q=0.8", HTTP_MEDIA_GRAPHQL_JSON},
      {"text/html, */*;q=0.1", HTTP_MEDIA_JSON},
      {"text/html", HTTP_MEDIA_NONE},
      {"application/json;q=0", HTTP_MEDIA_NONE},
      /* application/json refused explicitly: the wildcard still covers the other */
      {"application/json;q=0, */*", HTTP_MEDIA_GRAPHQL_JSON},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    http_media got = http_negotiate_media(cases[i].accept);
    if (got != cases[i].expected)
      fail_msg("Accept '%s': got %d, expected %d", cases[i].accept ? cases[i].accept : "(none)",
               (int)got, (int)cases[i].expected);
  }
}

/* A request against the API schema; the response lives in the fixture arena. */
typedef struct fixture {
  gql_schema *schema;
  api_context ctx;
  http_graphql g;
  arena *a;
} fixture;

static int setup(void **state) {
  fixture *f = calloc(1, sizeof *f);
  char err[256];
  f->schema = api_schema_new(NULL, err, sizeof err);
  assert_non_null(f->schema);
  f->g.schema = f->schema;
  f->g.context = &f->ctx;
  f->a = arena_new(0);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  fixture *f = *state;
  gql_schema_free(f->schema);
  arena_free(f->a);
  free(f);
  return 0;
}

static http_response post(fixture *f, const char *content_type, const char *accept,
                          const char *body) {
  http_graphql_request req = {
      .method = "POST",
      .content_type = content_type,
      .accept = accept,
      .body = body,
      .body_len = strlen(body),
  };
  http_response res;
  http_graphql_handle(&f->g, &req, f->a, &res);
  return res;
}

static void assert_response(const http_response *res, int status, const char *content_type,
                            const char *body) {
  assert_int_equal(res->status, status);
  assert_string_equal(res->content_type, content_type);
  assert_string_equal(res->body.data, body);
}

#define CT_JSON "application/json; charset=utf-8"
#define CT_GQL "application/graphql-response+json; charset=utf-8"

static void test_post_json_executes(void **state) {
  fixture *f = *state;
  http_response res = post(f, "application/json", NULL, "{\"query\":\"{ version }\"}");
  assert_response(&res, 200, CT_JSON, "{\"data\":{\"version\":\"" DAGD_VERSION "\"}}");
  assert_null(res.allow);
}

static void test_post_graphql_body(void **state) {
  fixture *f = *state;
  http_response res = post(f, "application/graphql; charset=UTF-8",
                           "application/graphql-response+json", "{ __typename }");
  assert_response(&res, 200, CT_GQL, "{\"data\":{\"__typename\":\"Query\"}}");
}

static void test_variables_as_string(void **state) {
  fixture *f = *state;
  http_response res = post(f, "application/json", NULL,
                           "{\"query\":\"query($s: Boolean!) { version @skip(if: $s) }\","
                           "\"variables\":\"{\\\"s\\\": true}\"}");
  assert_response(&res, 200, CT_JSON, "{\"data\":{}}");
}

static void test_engine_errors_status_depends_on_media(void **state) {
  fixture *f = *state;
  const char *bodies[] = {
      "{\"query\":\"{\"}",                                           /* syntax */
      "{\"query\":\"{ nope }\"}",                                    /* validation */
      "{\"query\":\"query A { version }\",\"operationName\":\"B\"}", /* unknown operation */
      "{\"query\":\"query($x: Int!) { version }\"}",                 /* missing variable */
  };
  for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
    http_response js = post(f, "application/json", "application/json", bodies[i]);
    assert_int_equal(js.status, 200);
    assert_non_null(strstr(js.body.data, "{\"errors\":[{\"message\":"));
    assert_null(strstr(js.body.data, "\"data\""));
    http_response gr = post(f, "application/json", "application/graphql-response+json", bodies[i]);
    assert_int_equal(gr.status, 400);
    assert_string_equal(gr.content_type, CT_GQL);
    assert_string_equal(gr.body.data, js.body.data);
  }
}

static void test_request_errors(void **state) {
  fixture *f = *state;
  const struct {
    const char *content_type, *body;
    int status;
    const char *message;
  } cases[] = {
      {"application/json", "", 400,
       "The request body is empty: it must be a JSON object with a \\\"query\\\"."},
      {"application/json", "[]", 400, "The request body must be a JSON object."},
      {"application/json", "{}", 400, "The request has no \\\"query\\\" parameter."},
      {"application/json", "{\"query\":null}", 400, "The request has no \\\"query\\\" parameter."},
      {"application/json", "{\"query\":1}", 400, "The \\\"query\\\" parameter must be a string."},
      {"application/json", "{\"query\":\"{ version }\",\"operationName\":[]}", 400,
       "The \\\"operationName\\\" parameter must be a string."},
      {"application/json", "{\"query\":\"{ version }\",\"variables\":[]}", 400,
       "The \\\"variables\\\" parameter must be a JSON object."},
      {"application/json", "{\"query\":\"{ version }\",\"extensions\":1}", 400,
       "The \\\"extensions\\\" parameter must be a JSON object."},
      {"text/plain", "{ version }", 415,
       "Unsupported Content-Type: send application/json (a JSON object with a \\\"query\\\") or "
       "application/graphql, in UTF-8."},
      {"application/json; charset=iso-8859-1", "{\"query\":\"{ version }\"}", 415, NULL},
      {NULL, "{\"query\":\"{ version }\"}", 415, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    http_response res = post(f, cases[i].content_type, NULL, cases[i].body);
    if (res.status != cases[i].status)
      fail_msg("case %zu: status %d, expected %d (%s)", i, res.status, cases[i].status,
               res.body.data);
    assert_string_equal(res.content_type, CT_JSON);
    if (cases[i].message) {
      char expected[512];
      snprintf(expected, sizeof expected, "{\"errors\":[{\"message\":\"%s\"}]}", cases[i].message);
      assert_string_equal(res.body.data, expected);
    }
  }
  http_response bad = post(f, "application/json", NULL, "{\"query\": ");
  assert_int_equal(bad.status, 400);
  assert_non_null(strstr(bad.body.data, "The request body is not valid JSON: line 1, column"));
}

static void test_get(void **state) {
  fixture *f = *state;
  http_graphql_request req = {.method = "GET",
                              .query = "query A { __typename } query B { version }",
                              .operation_name = "B"};
  http_response res;
  http_graphql_handle(&f->g, &req, f->a, &res);
  assert_response(&res, 200, CT_JSON, "{\"data\":{\"version\":\"" DAGD_VERSION "\"}}");

  http_graphql_request mutation = {.method = "GET", .query = "mutation { __typename }"};
  http_graphql_handle(&f->g, &mutation, f->a, &res);
  assert_int_equal(res.status, 405);
  assert_string_equal(res.allow, "POST");

  http_graphql_request missing = {.method = "GET", .variables = "{}"};
  http_graphql_handle(&f->g, &missing, f->a, &res);
  assert_int_equal(res.status, 400);

  http_graphql_request bad_ext = {.method = "GET", .query = "{ version }", .extensions = "[1]"};
  http_graphql_handle(&f->g, &bad_ext, f->a, &res);
  assert_response(&res, 400, CT_JSON,
                  "{\"errors\":[{\"message\":\"The \\\"extensions\\\" parameter must be a JSON "
                  "object.\"}]}");
}

static void test_other_methods_and_not_acceptable(void **state) {
  fixture *f = *state;
  http_graphql_request put = {.method = "PUT"};
  http_response res;
  http_graphql_handle(&f->g, &put, f->a, &res);
  assert_int_equal(res.status, 405);
  assert_string_equal(res.allow, "GET, POST");
  res = post(f, "application/json", "text/html", "{\"query\":\"{ version }\"}");
  assert_int_equal(res.status, 406);
  assert_string_equal(res.content_type, CT_JSON);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_negotiate_media),
      cmocka_unit_test_setup_teardown(test_post_json_executes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_post_graphql_body, setup, teardown),
      cmocka_unit_test_setup_teardown(test_variables_as_string, setup, teardown),
      cmocka_unit_test_setup_teardown(test_engine_errors_status_depends_on_media, setup, teardown),
      cmocka_unit_test_setup_teardown(test_request_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_get, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_methods_and_not_acceptable, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
