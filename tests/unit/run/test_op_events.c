/* test_op_events.c — unit tests for src/run/op_events.c: parsing each kind
 * of DAGD_EVENTS line (and the reasons given for lines that are not one),
 * and following a file that grows a piece at a time: partial lines, blank
 * lines, over-long lines, the last unterminated line, a rewritten file. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/events.h"
#include "run/op_events.h"

static run_op_event parse(const char *line) {
  run_op_event ev;
  run_op_event_parse(line, strlen(line), &ev);
  return ev;
}

/* Parses line, expects it invalid with exactly this reason. */
static void expect_invalid(const char *line, const char *reason) {
  run_op_event ev = parse(line);
  assert_int_equal(ev.kind, RUN_OP_EVENT_INVALID);
  assert_string_equal(buf_cstr(&ev.message), reason);
  run_op_event_free(&ev);
}

static void expect_log(const char *line, int level, const char *message) {
  run_op_event ev = parse(line);
  assert_int_equal(ev.kind, RUN_OP_EVENT_LOG);
  assert_int_equal(ev.level, level);
  assert_string_equal(buf_cstr(&ev.message), message);
  run_op_event_free(&ev);
}

static void test_log(void **state) {
  (void)state;
  expect_log("{\"type\": \"log\", \"level\": \"DEBUG\", \"message\": \"d\"}", RUN_LEVEL_DEBUG, "d");
  expect_log("{\"type\": \"log\", \"level\": \"info\", \"message\": \"i\"}", RUN_LEVEL_INFO, "i");
  expect_log("{\"type\": \"log\", \"level\": \"Warn\", \"message\": \"w\"}", RUN_LEVEL_WARNING,
             "w");
  expect_log("{\"type\": \"log\", \"level\": \"CRITICAL\", \"message\": \"c\"}", RUN_LEVEL_CRITICAL,
             "c");
  expect_log("{\"type\": \"log\", \"level\": \"fatal\", \"message\": \"f\"}", RUN_LEVEL_CRITICAL,
             "f");
  expect_log("{\"type\": \"log\", \"level\": 35, \"message\": \"n\"}", 35, "n");
  expect_log("{\"type\": \"log\", \"message\": \"no level\"}", RUN_LEVEL_INFO, "no level");
  expect_log("{\"message\": \"ü \\u00e9\", \"type\": \"log\"}", RUN_LEVEL_INFO, "ü é");

  const char *bad_level = "\"level\" of a \"log\" event must be DEBUG, INFO, WARNING, ERROR, "
                          "CRITICAL or a number from 0 to 50";
  expect_invalid("{\"type\": \"log\", \"level\": \"LOUD\", \"message\": \"x\"}", bad_level);
  expect_invalid("{\"type\": \"log\", \"level\": 51, \"message\": \"x\"}", bad_level);
  expect_invalid("{\"type\": \"log\", \"level\": -1, \"message\": \"x\"}", bad_level);
  expect_invalid("{\"type\": \"log\", \"level\": 2.5, \"message\": \"x\"}", bad_level);
  expect_invalid("{\"type\": \"log\", \"level\": \"INFO\"}",
                 "a \"log\" event needs a \"message\" string");
  expect_invalid("{\"type\": \"log\", \"message\": 5}",
                 "a \"log\" event needs a \"message\" string");
  expect_invalid("{\"type\": \"log\", \"message\": \"x\", \"lvl\": \"INFO\"}",
                 "unknown key \"lvl\" in a \"log\" event (expected: type, level, message)");
}

static void test_materialization(void **state) {
  (void)state;
  run_op_event ev = parse("{\"type\": \"asset_materialization\", \"asset_key\": \"a/b\", "
                          "\"metadata\": {\"rows\": 3, \"note\": \"x\"}}");
  assert_int_equal(ev.kind, RUN_OP_EVENT_MATERIALIZATION);
  assert_string_equal(buf_cstr(&ev.message), "Materialized value a b.");
  char *text = json_dumps(ev.body, JSON_COMPACT);
  assert_string_equal(text,
                      "{\"assetKey\":{\"path\":[\"a\",\"b\"]},\"metadataEntries\":["
                      "{\"__typename\":\"IntMetadataEntry\",\"label\":\"rows\",\"description\":"
                      "null,\"intValue\":3,\"intRepr\":\"3\"},"
                      "{\"__typename\":\"TextMetadataEntry\",\"label\":\"note\",\"description\":"
                      "null,\"text\":\"x\"}]}");
  free(text);
  run_op_event_free(&ev);

  ev = parse("{\"type\": \"asset_materialization\", \"asset_key\": [\"x\", \"y/z\"], "
             "\"description\": \"Wrote it.\", \"partition\": \"p1\"}");
  assert_int_equal(ev.kind, RUN_OP_EVENT_MATERIALIZATION);
  assert_string_equal(buf_cstr(&ev.message), "Wrote it.");
  text = json_dumps(ev.body, JSON_COMPACT);
  assert_string_equal(text, "{\"assetKey\":{\"path\":[\"x\",\"y/z\"]},\"description\":\"Wrote "
                            "it.\",\"partition\":\"p1\",\"metadataEntries\":[]}");
  free(text);
  run_op_event_free(&ev);

  /* An empty description is no description. */
  ev = parse("{\"type\": \"asset_materialization\", \"asset_key\": \"k\", \"description\": \"\"}");
  assert_string_equal(buf_cstr(&ev.message), "Materialized value k.");
  run_op_event_free(&ev);

  const char *bad_key = "\"asset_key\" of an \"asset_materialization\" event must be a string "
                        "\"a/b\" or a list of strings, with no empty part";
  expect_invalid("{\"type\": \"asset_materialization\"}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": \"\"}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": \"a//b\"}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": \"a/\"}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": []}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": [\"a\", 1]}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": [\"a\", \"\"]}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": 7}", bad_key);
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": \"a\", \"metadata\": [1]}",
                 "\"metadata\" of a \"asset_materialization\" event must be an object (label: "
                 "value)");
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": \"a\", \"partition\": 1}",
                 "\"partition\" of an \"asset_materialization\" event must be a string");
  expect_invalid("{\"type\": \"asset_materialization\", \"asset_key\": \"a\", \"label\": \"l\"}",
                 "unknown key \"label\" in a \"asset_materialization\" event (expected: type, "
                 "asset_key, description, partition, metadata)");
}

static void test_output_metadata(void **state) {
  (void)state;
  run_op_event ev =
      parse("{\"type\": \"output_metadata\", \"output\": \"result\", "
            "\"metadata\": {\"where\": {\"type\": \"url\", \"value\": \"http://x\"}}}");
  assert_int_equal(ev.kind, RUN_OP_EVENT_OUTPUT_METADATA);
  assert_string_equal(ev.output, "result");
  assert_int_equal(json_array_size(ev.entries), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(ev.entries, 0), "__typename")),
      "UrlMetadataEntry");
  run_op_event_free(&ev);

  expect_invalid("{\"type\": \"output_metadata\", \"metadata\": {}}",
                 "an \"output_metadata\" event needs an \"output\" name");
  expect_invalid("{\"type\": \"output_metadata\", \"output\": \"\", \"metadata\": {}}",
                 "an \"output_metadata\" event needs an \"output\" name");
  expect_invalid("{\"type\": \"output_metadata\", \"output\": \"x\"}",
                 "an \"output_metadata\" event needs \"metadata\"");
  expect_invalid("{\"type\": \"output_metadata\", \"output\": \"x\", \"metadata\": 3}",
                 "\"metadata\" of a \"output_metadata\" event must be an object (label: value)");
}

static void test_not_events(void **state) {
  (void)state;
  expect_invalid("{\"type\": \"log\"", "not valid JSON (line 1, column 14: '}' expected near end "
                                       "of file)");
  expect_invalid("[1, 2]", "an event must be a JSON object");
  expect_invalid("\"log\"", "an event must be a JSON object");
  expect_invalid("{\"level\": \"INFO\"}", "an event needs a \"type\" string (log, "
                                          "asset_materialization or output_metadata)");
  expect_invalid("{\"type\": \"metric\"}", "unknown event type \"metric\" (expected log, "
                                           "asset_materialization or output_metadata)");
  /* Invalid UTF-8 is not JSON. */
  expect_invalid("{\"type\": \"log\", \"message\": \"\xff\"}",
                 "not valid JSON (line 1, column 28: unable to decode byte 0xff near '\"')");
}

/* ---- following a file ---- */

typedef struct seen {
  char lines[16][160];
  size_t numbers[16];
  size_t n;
} seen;

/* Records "KIND message" for each event. */
static void collect(void *ctx, run_op_event *ev) {
  seen *s = ctx;
  assert_true(s->n < 16);
  static const char *kinds[] = {"LOG", "MAT", "META", "BAD"};
  snprintf(s->lines[s->n], sizeof s->lines[s->n], "%s %s", kinds[ev->kind], buf_cstr(&ev->message));
  s->numbers[s->n++] = ev->line;
}

static void append(const char *path, const char *text, const char *mode) {
  FILE *f = fopen(path, mode);
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* Writes text to the followed file (mode "a" appends, "w" rewrites), reads
 * what is new while the op still runs and returns how many events were
 * seen so far. */
static size_t write_and_read(run_op_events_tail *t, seen *s, const char *path, const char *text,
                             const char *mode) {
  append(path, text, mode);
  assert_true(run_op_events_tail_read(t, false, collect, s));
  return s->n;
}

static void test_tail(void **state) {
  (void)state;
  char dir[] = "/tmp/dagd-op-events-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/events.jsonl", dir);
  run_op_events_tail t;
  run_op_events_tail_init(&t, path);
  seen s = {0};

  /* No file yet: nothing, no error. */
  assert_true(run_op_events_tail_read(&t, false, collect, &s));
  assert_int_equal(s.n, 0);

  assert_int_equal(
      write_and_read(&t, &s, path,
                     "{\"type\": \"log\", \"message\": \"one\"}\n{\"type\": \"log\", \"mess", "w"),
      1);
  assert_string_equal(s.lines[0], "LOG one");
  assert_int_equal(write_and_read(&t, &s, path, "age\": \"two\"}\n\n  \nnope\n", "a"), 3);
  assert_string_equal(s.lines[1], "LOG two");
  assert_int_equal(s.numbers[1], 2);
  /* Blank lines are skipped but counted. */
  assert_int_equal(s.numbers[2], 5);
  assert_string_equal(s.lines[2],
                      "BAD not valid JSON (line 1, column 4: invalid token near 'nope')");

  /* An over-long line, written in pieces, is reported once. */
  char *chunk = malloc(40000);
  memset(chunk, 'x', 39999);
  chunk[39999] = '\0';
  write_and_read(&t, &s, path, chunk, "a");
  write_and_read(&t, &s, path, chunk, "a");
  append(path, chunk, "a");
  size_t n = write_and_read(&t, &s, path, "\n{\"type\": \"log\", \"message\": \"after\"}\n", "a");
  free(chunk);
  assert_int_equal(n, 5);
  assert_string_equal(s.lines[3], "BAD the line is longer than 65536 bytes");
  assert_int_equal(s.numbers[3], 6);
  assert_string_equal(s.lines[4], "LOG after");
  assert_int_equal(s.numbers[4], 7);

  /* The last line without its newline waits, unless the op has ended. */
  assert_int_equal(write_and_read(&t, &s, path, "{\"type\": \"log\", \"message\": \"last\"}", "a"),
                   5);
  assert_true(run_op_events_tail_read(&t, true, collect, &s));
  assert_int_equal(s.n, 6);
  assert_string_equal(s.lines[5], "LOG last");
  assert_int_equal(s.numbers[5], 8);
  assert_true(run_op_events_tail_read(&t, true, collect, &s));
  assert_int_equal(s.n, 6);

  /* A rewritten (shorter) file is read from its start. */
  assert_int_equal(
      write_and_read(&t, &s, path, "{\"type\": \"log\", \"message\": \"anew\"}\n", "w"), 7);
  assert_string_equal(s.lines[6], "LOG anew");

  run_op_events_tail_free(&t);
  unlink(path);
  rmdir(dir);
}

/* A FIFO or a link to a device at DAGD_EVENTS is refused (EINVAL), unread:
 * neither waits for a writer nor reads forever. */
static void test_tail_refuses_what_is_not_a_file(void **state) {
  (void)state;
  char dir[] = "/tmp/dagd-op-events-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char fifo[64], zero[64];
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  snprintf(zero, sizeof zero, "%s/zero", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  assert_int_equal(symlink("/dev/zero", zero), 0);
  const char *paths[] = {fifo, zero};
  for (size_t i = 0; i < 2; i++) {
    run_op_events_tail t;
    run_op_events_tail_init(&t, paths[i]);
    seen s = {0};
    errno = 0;
    assert_false(run_op_events_tail_read(&t, false, collect, &s));
    assert_int_equal(errno, EINVAL);
    assert_false(run_op_events_tail_read(&t, true, collect, &s));
    assert_int_equal(s.n, 0);
    assert_int_equal(t.offset, 0);
    run_op_events_tail_free(&t);
    unlink(paths[i]);
  }
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_log),
      cmocka_unit_test(test_materialization),
      cmocka_unit_test(test_output_metadata),
      cmocka_unit_test(test_not_events),
      cmocka_unit_test(test_tail),
      cmocka_unit_test(test_tail_refuses_what_is_not_a_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
