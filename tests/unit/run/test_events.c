/* test_events.c — unit tests for src/run/events.c: events appended with
 * their type, level, step, message and body (key order kept), the run
 * status they imply, Dagster's levels, PythonError bodies, every kind of
 * metadata entry (and jsonString as Python's json.dumps writes it), type
 * checks, and broken UTF-8 repaired instead of losing the event. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixtures/core/home.h"
#include "run/events.h"

/* The compact JSON text of v (v is stolen), compared with expected. */
static void assert_json(json_t *v, const char *expected) {
  assert_non_null(v);
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  assert_string_equal(text, expected);
  free(text);
  json_decref(v);
}

static void test_event_appended(void **state) {
  home_fixture *f = *state;
  char id[37];
  home_add_run(f, STORE_RUN_NOT_STARTED, id);
  store_error err;
  const char *stack[] = {"at step a", "at op b"};
  json_t *body = json_object();
  json_object_set_new(body, "error", run_error_json("dagd.OpProcessError", "boom", stack, 2));
  json_object_set_new(body, "errorSource", json_string("USER_CODE_ERROR"));
  int64_t e1 = run_event(f->inst->store, id, "STEP_FAILURE", run_event_level("STEP_FAILURE"), "a",
                         "Execution of step \"a\" failed.", body, &err);
  assert_true(e1 > 0);
  int64_t e2 = run_event(f->inst->store, id, NULL, RUN_LEVEL_INFO, NULL, NULL, NULL, &err);
  assert_true(e2 > e1);

  size_t n;
  store_event *ev = home_events(f, id, &n);
  assert_int_equal(n, 2);
  assert_int_equal(ev[0].id, e1);
  assert_string_equal(ev[0].run_id, id);
  assert_string_equal(ev[0].event_type, "STEP_FAILURE");
  assert_int_equal(ev[0].level, RUN_LEVEL_ERROR);
  assert_string_equal(ev[0].step_key, "a");
  assert_string_equal(ev[0].message, "Execution of step \"a\" failed.");
  /* Keys stay in the order they were set. */
  assert_string_equal(ev[0].body, "{\"error\":{\"message\":\"boom\",\"className\":"
                                  "\"dagd.OpProcessError\",\"stack\":[\"at step a\",\"at op b\"],"
                                  "\"cause\":null},\"errorSource\":\"USER_CODE_ERROR\"}");
  assert_true(ev[0].timestamp > 1e9);
  /* A plain log message: no type, no step, empty message, no body. */
  assert_null(ev[1].event_type);
  assert_null(ev[1].step_key);
  assert_string_equal(ev[1].message, "");
  assert_null(ev[1].body);
  assert_int_equal(ev[1].level, RUN_LEVEL_INFO);
  assert_true(ev[1].timestamp >= ev[0].timestamp);
}

static void test_status_events(void **state) {
  home_fixture *f = *state;
  char id[37];
  home_add_run(f, STORE_RUN_NOT_STARTED, id);
  store_error err;
  static const struct {
    const char *type;
    store_run_status status;
  } steps[] = {
      {"RUN_STARTING", STORE_RUN_STARTING},
      {"RUN_START", STORE_RUN_STARTED},
      {"ENGINE_EVENT", STORE_RUN_STARTED}, /* changes nothing */
      {"RUN_SUCCESS", STORE_RUN_SUCCESS},
  };
  for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
    assert_true(run_event(f->inst->store, id, steps[i].type, run_event_level(steps[i].type), NULL,
                          "", NULL, &err) > 0);
    store_run *r = home_get_run(f, id);
    assert_int_equal(r->status, steps[i].status);
  }
  store_run *r = home_get_run(f, id);
  assert_true(r->start_time > 0);
  assert_true(r->end_time >= r->start_time);

  char other[37];
  home_add_run(f, STORE_RUN_STARTED, other);
  assert_true(run_event(f->inst->store, other, "RUN_FAILURE", run_event_level("RUN_FAILURE"), NULL,
                        "failed", NULL, &err) > 0);
  assert_int_equal(home_get_run(f, other)->status, STORE_RUN_FAILURE);
}

static void test_event_errors(void **state) {
  home_fixture *f = *state;
  store_error err;
  char unknown[37];
  store_new_run_id(unknown);
  /* The body is released even when the event cannot be written (ASan). */
  json_t *body = json_pack("{s:s}", "k", "v");
  assert_int_equal(
      run_event(f->inst->store, unknown, "ENGINE_EVENT", RUN_LEVEL_DEBUG, NULL, "x", body, &err),
      -1);
  assert_true(err.message[0] != '\0');
  assert_int_equal(run_event(f->inst->store, "not-a-run-id-because-it-is-far-too-long", NULL,
                             RUN_LEVEL_INFO, NULL, "x", json_object(), &err),
                   -1);
  assert_string_equal(err.message, "Invalid run id.");
}

static void test_levels(void **state) {
  (void)state;
  assert_int_equal(run_event_level("RUN_FAILURE"), RUN_LEVEL_ERROR);
  assert_int_equal(run_event_level("STEP_FAILURE"), RUN_LEVEL_ERROR);
  assert_int_equal(run_event_level("RUN_CANCELED"), RUN_LEVEL_ERROR);
  assert_int_equal(run_event_level("RUN_START"), RUN_LEVEL_DEBUG);
  assert_int_equal(run_event_level("STEP_SUCCESS"), RUN_LEVEL_DEBUG);
  assert_int_equal(run_event_level("RUN_CANCELING"), RUN_LEVEL_DEBUG);
  assert_int_equal(run_event_level(NULL), RUN_LEVEL_DEBUG);
}

static void test_error_json(void **state) {
  (void)state;
  assert_json(run_error_json("dagd.X", "m", NULL, 0),
              "{\"message\":\"m\",\"className\":\"dagd.X\",\"stack\":[],\"cause\":null}");
  assert_json(run_error_json(NULL, NULL, NULL, 0),
              "{\"message\":\"\",\"className\":null,\"stack\":[],\"cause\":null}");
  /* Broken UTF-8 (an op's stderr): each bad byte becomes U+FFFD, as the
   * JSON writer repairs strings. */
  const char *stack[] = {"ok \xC3\xA9", "bad \xFF!"};
  assert_json(run_error_json("c", "cut \xE2\x82", stack, 2),
              "{\"message\":\"cut \xEF\xBF\xBD\xEF\xBF\xBD\",\"className\":\"c\","
              "\"stack\":[\"ok \xC3\xA9\",\"bad \xEF\xBF\xBD!\"],\"cause\":null}");
}

/* run_metadata_entry(label, JSON text of the value) as compact text. */
static void check_entry(const char *value_json, const char *expected) {
  json_error_t jerr;
  json_t *v = json_loads(value_json, JSON_DECODE_ANY, &jerr);
  if (!v)
    fail_msg("bad test JSON %s: %s", value_json, jerr.text);
  assert_json(run_metadata_entry("L", v), expected);
  json_decref(v);
}

#define HEAD(T) "{\"__typename\":\"" T "\",\"label\":\"L\",\"description\":null"

static void test_metadata_implicit_kinds(void **state) {
  (void)state;
  check_entry("\"hi\"", HEAD("TextMetadataEntry") ",\"text\":\"hi\"}");
  check_entry("42", HEAD("IntMetadataEntry") ",\"intValue\":42,\"intRepr\":\"42\"}");
  check_entry("-2147483648",
              HEAD("IntMetadataEntry") ",\"intValue\":-2147483648,\"intRepr\":\"-2147483648\"}");
  /* Past GraphQL's 32-bit Int: only the text. */
  check_entry("2147483648",
              HEAD("IntMetadataEntry") ",\"intValue\":null,\"intRepr\":\"2147483648\"}");
  check_entry("2.5", HEAD("FloatMetadataEntry") ",\"floatValue\":2.5}");
  check_entry("true", HEAD("BoolMetadataEntry") ",\"boolValue\":true}");
  check_entry("false", HEAD("BoolMetadataEntry") ",\"boolValue\":false}");
  check_entry("null", HEAD("NullMetadataEntry") "}");
  assert_json(run_metadata_entry("L", NULL), HEAD("NullMetadataEntry") "}");
  /* Objects and arrays are Json, written as Python's json.dumps. */
  check_entry("{\"a\": [1, 2.5, 0.1, 1e16, \"\\u00e9\\n\\u007f\\ud83d\\ude00\"], \"b\": null, "
              "\"c\": {}, \"d\": true}",
              HEAD("JsonMetadataEntry") ",\"jsonString\":\"{\\\"a\\\": [1, 2.5, 0.1, 1e+16, "
                                        "\\\"\\\\u00e9\\\\n\\\\u007f\\\\ud83d\\\\ude00\\\"], "
                                        "\\\"b\\\": null, \\\"c\\\": {}, \\\"d\\\": true}\"}");
  check_entry("[]", HEAD("JsonMetadataEntry") ",\"jsonString\":\"[]\"}");
}

static void test_metadata_explicit_kinds(void **state) {
  (void)state;
  check_entry("{\"type\": \"url\", \"value\": \"https://x.io/a\"}",
              HEAD("UrlMetadataEntry") ",\"url\":\"https://x.io/a\"}");
  check_entry("{\"value\": \"/data/out.csv\", \"type\": \"path\"}",
              HEAD("PathMetadataEntry") ",\"path\":\"/data/out.csv\"}");
  check_entry("{\"type\": \"md\", \"value\": \"# Title\"}",
              HEAD("MarkdownMetadataEntry") ",\"mdStr\":\"# Title\"}");
  check_entry("{\"type\": \"text\", \"value\": \"t\"}",
              HEAD("TextMetadataEntry") ",\"text\":\"t\"}");
  check_entry("{\"type\": \"json\", \"value\": {\"k\": [1]}}",
              HEAD("JsonMetadataEntry") ",\"jsonString\":\"{\\\"k\\\": [1]}\"}");
  check_entry("{\"type\": \"json\", \"value\": \"s\"}",
              HEAD("JsonMetadataEntry") ",\"jsonString\":\"\\\"s\\\"\"}");
  /* Not an explicit kind: plain JSON objects. */
  check_entry("{\"type\": \"url\", \"value\": 5}",
              HEAD("JsonMetadataEntry") ",\"jsonString\":\"{\\\"type\\\": \\\"url\\\", "
                                        "\\\"value\\\": 5}\"}");
  check_entry("{\"type\": \"blob\", \"value\": \"x\"}",
              HEAD("JsonMetadataEntry") ",\"jsonString\":\"{\\\"type\\\": \\\"blob\\\", "
                                        "\\\"value\\\": \\\"x\\\"}\"}");
  check_entry("{\"type\": \"url\", \"value\": \"u\", \"extra\": 1}",
              HEAD("JsonMetadataEntry") ",\"jsonString\":\"{\\\"type\\\": \\\"url\\\", "
                                        "\\\"value\\\": \\\"u\\\", \\\"extra\\\": 1}\"}");
}

static void test_type_check(void **state) {
  (void)state;
  assert_json(run_type_check_json("Int"),
              "{\"label\":\"Int\",\"description\":null,\"success\":true,\"metadataEntries\":[]}");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_event_appended, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_status_events, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_event_errors, home_setup, home_teardown),
      cmocka_unit_test(test_levels),
      cmocka_unit_test(test_error_json),
      cmocka_unit_test(test_metadata_implicit_kinds),
      cmocka_unit_test(test_metadata_explicit_kinds),
      cmocka_unit_test(test_type_check),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
