/* test_error.c — tests of graphql/error.c: building error lists and writing
 * them as the "errors" entry of a response. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "graphql/error.h"

static const char *write_errors(arena *a, const gql_errors *e) {
  buf *b = arena_alloc(a, sizeof *b);
  buf_init(b, a);
  json_writer w;
  json_writer_init(&w, b);
  gql_errors_write(&w, e);
  return buf_cstr(b);
}

static void test_add_formats_message(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  gql_error *err = gql_errors_add(&e, (gql_loc){3, 7}, "Cannot query field \"%s\" on type \"%s\".",
                                  "foo", "Query");
  assert_int_equal(e.n, 1);
  assert_ptr_equal(e.items[0], err);
  assert_string_equal(err->message, "Cannot query field \"foo\" on type \"Query\".");
  assert_int_equal(err->n_locations, 1);
  assert_int_equal(err->locations[0].line, 3);
  assert_int_equal(err->locations[0].column, 7);
  assert_null(err->path);
  arena_free(a);
}

static void test_no_location_when_line_zero(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  gql_error *err = gql_errors_add(&e, (gql_loc){0, 0}, "plain");
  assert_int_equal(err->n_locations, 0);
  assert_string_equal(write_errors(a, &e), "[{\"message\":\"plain\"}]");
  arena_free(a);
}

static void test_long_message(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  gql_error *err = gql_errors_add(&e, (gql_loc){1, 1}, "<%s>", big);
  assert_int_equal(strlen(err->message), sizeof big + 1);
  assert_int_equal(err->message[0], '<');
  assert_int_equal(err->message[sizeof big], '>');
  arena_free(a);
}

static void test_many_errors_grow(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  for (int i = 0; i < 100; i++)
    gql_errors_add(&e, (gql_loc){(uint32_t)i + 1, 1}, "error %d", i);
  assert_int_equal(e.n, 100);
  for (int i = 0; i < 100; i++) {
    char want[32];
    snprintf(want, sizeof want, "error %d", i);
    assert_string_equal(e.items[i]->message, want);
    assert_int_equal(e.items[i]->locations[0].line, (uint32_t)i + 1);
  }
  arena_free(a);
}

static void test_write_full(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  gql_error *err = gql_errors_add(&e, (gql_loc){1, 3}, "Fragment \"%s\" is never used.", "F");
  gql_error_add_loc(&e, err, (gql_loc){4, 10});
  gql_path_seg path[] = {{"runs", 0}, {NULL, 2}, {"status", 0}};
  gql_error_set_path(&e, err, path, 3);
  gql_errors_add(&e, (gql_loc){2, 1}, "second\n\"quoted\"");
  assert_string_equal(write_errors(a, &e),
                      "[{\"message\":\"Fragment \\\"F\\\" is never used.\","
                      "\"locations\":[{\"line\":1,\"column\":3},{\"line\":4,\"column\":10}],"
                      "\"path\":[\"runs\",2,\"status\"]},"
                      "{\"message\":\"second\\n\\\"quoted\\\"\","
                      "\"locations\":[{\"line\":2,\"column\":1}]}]");
  arena_free(a);
}

static void test_path_is_copied(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  gql_error *err = gql_errors_add(&e, (gql_loc){0, 0}, "boom");
  char key[] = "field";
  gql_path_seg path[] = {{key, 0}};
  gql_error_set_path(&e, err, path, 1);
  key[0] = 'X';
  path[0].key = "other";
  assert_string_equal(err->path[0].key, "field");
  assert_string_equal(write_errors(a, &e), "[{\"message\":\"boom\",\"path\":[\"field\"]}]");
  gql_error_set_path(&e, err, NULL, 0);
  assert_null(err->path);
  assert_string_equal(write_errors(a, &e), "[{\"message\":\"boom\"}]");
  arena_free(a);
}

static void test_write_empty(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors e;
  gql_errors_init(&e, a);
  assert_string_equal(write_errors(a, &e), "[]");
  arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add_formats_message), cmocka_unit_test(test_no_location_when_line_zero),
      cmocka_unit_test(test_long_message),        cmocka_unit_test(test_many_errors_grow),
      cmocka_unit_test(test_write_full),          cmocka_unit_test(test_path_is_copied),
      cmocka_unit_test(test_write_empty),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
