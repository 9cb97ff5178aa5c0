/* test_static.c — tests of http/static.c without a network: when a request
 * to /graphql gets the playground, the page rendered for a path prefix
 * (links, escaping, no placeholder left), and the embedded assets (types,
 * ETag and 304, immutable caching only for the content-tagged URL, 404s).
 * Also http_accept_q (graphql_http.c), which the choice rests on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/version.h"
#include "http/static.h"
#include "http/web_assets.h"

static const char BROWSER[] = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

static void test_accept_q(void **state) {
  (void)state;
  assert_true(http_accept_q(NULL, "text/html") == 0.0);
  assert_true(http_accept_q("", "text/html") == 0.0);
  assert_true(http_accept_q("*/*", "text/html") == 0.0);
  assert_true(http_accept_q("text/*", "text/html") == 0.0);
  assert_true(http_accept_q("Text/HTML", "text/html") == 1.0);
  assert_true(http_accept_q("text/html;q=0.5", "text/html") == 0.5);
  assert_true(http_accept_q("text/html ; level=1 ; q=0.3, text/plain", "text/html") == 0.3);
  assert_true(http_accept_q("text/html;q=0.2, text/html;q=0.7", "text/html") == 0.7);
  assert_true(http_accept_q(BROWSER, "application/xml") == 0.9);
  assert_true(http_accept_q("text/htmlx, xtext/html", "text/html") == 0.0);
}

static void test_wants_playground(void **state) {
  (void)state;
  const struct {
    const char *method, *accept;
    bool expected;
  } cases[] = {
      {"GET", BROWSER, true},
      {"HEAD", BROWSER, true},
      {"GET", "text/html", true},
      {"GET", "text/html;q=0.9, application/json;q=0.8", true},
      {"POST", BROWSER, false},
      {"PUT", "text/html", false},
      {"GET", NULL, false},
      {"GET", "", false},
      {"GET", "*/*", false},
      {"GET", "application/json", false},
      {"GET", "text/html, application/json", false}, /* a tie keeps the API */
      {"GET", "application/graphql-response+json, text/html;q=0.9", false},
      {"GET", "text/html;q=0", false},
      {"GET", "text/plain", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    bool got = http_static_wants_playground(cases[i].method, cases[i].accept);
    if (got != cases[i].expected)
      fail_msg("%s with Accept '%s': got %d", cases[i].method,
               cases[i].accept ? cases[i].accept : "(none)", got);
  }
}

static const char *header_value(const http_response *res, const char *name) {
  for (size_t i = 0; i < HTTP_RESPONSE_MAX_HEADERS && res->headers[i].name; i++)
    if (strcmp(res->headers[i].name, name) == 0)
      return res->headers[i].value;
  return NULL;
}

static const http_web_asset *asset(const char *name) {
  for (size_t i = 0; i < http_web_asset_count; i++)
    if (strcmp(http_web_assets[i].name, name) == 0)
      return &http_web_assets[i];
  fail_msg("no embedded asset %s", name);
  return NULL;
}

static void test_playground_page(void **state) {
  (void)state;
  arena *a = arena_new(0);
  http_response res = {0};
  http_static_playground("", a, &res);
  assert_int_equal(res.status, 200);
  assert_string_equal(res.content_type, "text/html; charset=utf-8");
  assert_null(res.static_data);
  assert_string_equal(header_value(&res, "Vary"), "Accept");
  assert_string_equal(header_value(&res, "Cache-Control"), "no-cache");
  assert_non_null(strstr(header_value(&res, "Content-Security-Policy"), "connect-src 'self'"));
  const char *html = buf_cstr(&res.body);
  assert_non_null(strstr(html, "<!doctype html>"));
  assert_null(strstr(html, "{{"));
  assert_non_null(strstr(html, "data-endpoint=\"/graphql\""));
  assert_non_null(strstr(html, "data-version=\"" DAGD_VERSION "\""));
  const char *linked[] = {"graphiql.min.css", "react.production.min.js",
                          "react-dom.production.min.js", "graphiql.min.js", "playground.js"};
  for (size_t i = 0; i < sizeof linked / sizeof linked[0]; i++) {
    const char *url =
        arena_printf(a, "\"/graphql/static/%s?v=%s\"", linked[i], asset(linked[i])->tag);
    if (!strstr(html, url))
      fail_msg("the page does not link %s", url);
  }
  /* React before react-dom before graphiql before the script that starts it. */
  const char *r = strstr(html, "react.production.min.js"),
             *rd = strstr(html, "react-dom.production"), *g = strstr(html, "graphiql.min.js"),
             *p = strstr(html, "playground.js?");
  assert_true(r < rd && rd < g && g < p);
  arena_free(a);
}

static void test_playground_below_prefix_is_escaped(void **state) {
  (void)state;
  arena *a = arena_new(0);
  http_response res = {0};
  http_static_playground("/a\"<b>&'c", a, &res);
  const char *html = buf_cstr(&res.body);
  assert_non_null(strstr(html, "data-endpoint=\"/a&quot;&lt;b&gt;&amp;&#39;c/graphql\""));
  assert_non_null(
      strstr(html, "src=\"/a&quot;&lt;b&gt;&amp;&#39;c/graphql/static/graphiql.min.js?v="));
  assert_null(strstr(html, "/a\""));
  arena_free(a);
}

static void test_assets_embedded(void **state) {
  (void)state;
  const struct {
    const char *name, *type, *contains;
  } cases[] = {
      {"react.production.min.js", "text/javascript; charset=utf-8", "18.3.1"},
      {"react-dom.production.min.js", "text/javascript; charset=utf-8", "createRoot"},
      {"graphiql.min.js", "text/javascript; charset=utf-8", "window.GraphiQL ="},
      {"graphiql.min.css", "text/css; charset=utf-8", ".graphiql-container"},
      {"playground.js", "text/javascript; charset=utf-8", "createFetcher"},
      {"playground.html", "text/html; charset=utf-8", "{{ENDPOINT}}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const http_web_asset *w = asset(cases[i].name);
    assert_string_equal(w->content_type, cases[i].type);
    assert_int_equal(strlen(w->tag), 20);
    assert_true(w->len > 0);
    assert_int_equal(w->data[w->len], 0); /* the NUL after the data */
    if (!strstr((const char *)w->data, cases[i].contains))
      fail_msg("%s does not contain %s", cases[i].name, cases[i].contains);
  }
}

static void test_asset_responses(void **state) {
  (void)state;
  arena *a = arena_new(0);
  const http_web_asset *w = asset("graphiql.min.css");
  const char *etag = arena_printf(a, "\"%s\"", w->tag);

  http_response res = {0};
  http_static_request req = {.name = "graphiql.min.css", .version = w->tag};
  assert_true(http_static_asset(&req, a, &res));
  assert_int_equal(res.status, 200);
  assert_string_equal(res.content_type, "text/css; charset=utf-8");
  assert_ptr_equal(res.static_data, w->data); /* served in place */
  assert_int_equal(res.static_len, w->len);
  assert_string_equal(header_value(&res, "ETag"), etag);
  assert_string_equal(header_value(&res, "Cache-Control"), "public, max-age=31536000, immutable");

  /* Any other URL for it revalidates. */
  const char *versions[] = {NULL, "", "stale", DAGD_VERSION};
  for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
    res = (http_response){0};
    req.version = versions[i];
    assert_true(http_static_asset(&req, a, &res));
    assert_int_equal(res.status, 200);
    assert_string_equal(header_value(&res, "Cache-Control"), "no-cache");
  }

  const char *fresh[] = {etag, arena_printf(a, "W/%s", etag), arena_printf(a, "\"x\", %s", etag),
                         arena_printf(a, " \"x\" ,W/%s,\"y\"", etag), "*"};
  for (size_t i = 0; i < sizeof fresh / sizeof fresh[0]; i++) {
    res = (http_response){0};
    req.if_none_match = fresh[i];
    assert_true(http_static_asset(&req, a, &res));
    if (res.status != 304)
      fail_msg("If-None-Match: %s gave %d", fresh[i], res.status);
    assert_string_equal(header_value(&res, "ETag"), etag);
  }
  const char *stale[] = {"\"x\"", "", arena_printf(a, "\"%.19s\"", w->tag),
                         arena_printf(a, "%sx", etag)};
  for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) {
    res = (http_response){0};
    req.if_none_match = stale[i];
    assert_true(http_static_asset(&req, a, &res));
    if (res.status != 200)
      fail_msg("If-None-Match: %s gave %d", stale[i], res.status);
  }

  /* Unknown names, and the raw template, are not assets. */
  const char *missing[] = {"",
                           "nope.js",
                           "playground.html",
                           "graphiql.min.cs",
                           "graphiql.min.css/",
                           "../graphiql.min.css"};
  for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
    res = (http_response){0};
    http_static_request bad = {.name = missing[i]};
    if (http_static_asset(&bad, a, &res))
      fail_msg("'%s' was served", missing[i]);
    assert_int_equal(res.status, 0);
  }
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept_q),
      cmocka_unit_test(test_wants_playground),
      cmocka_unit_test(test_playground_page),
      cmocka_unit_test(test_playground_below_prefix_is_escaped),
      cmocka_unit_test(test_assets_embedded),
      cmocka_unit_test(test_asset_responses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
