/* test_compute_logs.c — unit tests for src/run/compute_logs.c: the folder
 * and files of a log key, keys that would leave the folder refused, reads
 * by offset and limit, chunks never ending inside a UTF-8 sequence,
 * offsets past the end, missing files and read errors (a folder, a FIFO). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "fixtures/core/home.h"
#include "run/compute_logs.h"

static void test_paths(void **state) {
  home_fixture *f = *state;
  const char *key[] = {"0b7c1f0e-0000-4000-8000-000000000000", "compute_logs", "load.out_2"};
  buf out;
  buf_init(&out, NULL);
  char want[512];

  assert_true(run_compute_log_path(f->inst, key, 3, RUN_LOG_STDOUT, &out));
  snprintf(want, sizeof want, "%s/%s/compute_logs/load.out_2.out", f->inst->compute_logs_dir,
           key[0]);
  assert_string_equal(buf_cstr(&out), want);

  buf_truncate(&out, 0);
  assert_true(run_compute_log_path(f->inst, key, 3, RUN_LOG_STDERR, &out));
  snprintf(want, sizeof want, "%s/%s/compute_logs/load.out_2.err", f->inst->compute_logs_dir,
           key[0]);
  assert_string_equal(buf_cstr(&out), want);

  /* A one-part key names a file right in the folder. */
  buf_truncate(&out, 0);
  assert_true(run_compute_log_path(f->inst, key + 2, 1, RUN_LOG_STDERR, &out));
  snprintf(want, sizeof want, "%s/load.out_2.err", f->inst->compute_logs_dir);
  assert_string_equal(buf_cstr(&out), want);
  buf_free(&out);
}

static void test_bad_keys(void **state) {
  home_fixture *f = *state;
  const char *bad[] = {"", ".", "..", "a/b", "/", NULL};
  buf out;
  buf_init(&out, NULL);
  buf_puts(&out, "kept");
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    for (size_t at = 0; at < 3; at++) {
      const char *key[] = {"run", "compute_logs", "step"};
      key[at] = bad[i];
      assert_false(run_compute_log_path(f->inst, key, 3, RUN_LOG_STDOUT, &out));
      assert_false(run_compute_log_path(f->inst, key, 3, RUN_LOG_STDERR, &out));
    }
  }
  /* No parts at all. */
  assert_false(run_compute_log_path(f->inst, NULL, 0, RUN_LOG_STDOUT, &out));
  assert_string_equal(buf_cstr(&out), "kept"); /* untouched */
  buf_free(&out);
}

/* Reads path from offset with max and checks the text and next offset. */
static void check_read(const char *path, int64_t offset, size_t max, const char *text,
                       int64_t next) {
  buf out;
  buf_init(&out, NULL);
  buf_puts(&out, ">"); /* reads append */
  int64_t got_next = -7;
  assert_int_equal(run_compute_log_read(path, offset, max, &out, &got_next), 1);
  assert_string_equal(buf_cstr(&out) + 1, text);
  assert_int_equal(out.len, 1 + strlen(text));
  assert_int_equal(got_next, next);
  buf_free(&out);
}

/* One read of a log: from offset with max (0: no limit), the text it
 * gives and the next offset. */
typedef struct log_read {
  int64_t offset;
  size_t max;
  const char *text;
  int64_t next;
} log_read;

/* Writes text to the file name in the fixture's folder (its path into
 * path) and checks each read of it. */
static void check_reads(home_fixture *f, const char *name, const char *text, char path[128],
                        const log_read *reads, size_t n) {
  snprintf(path, 128, "%s/%s", f->dir, name);
  home_write_file(path, text);
  for (size_t i = 0; i < n; i++)
    check_read(path, reads[i].offset, reads[i].max, reads[i].text, reads[i].next);
}

static void test_read_offsets(void **state) {
  static const log_read reads[] = {
      {0, 0, "hello world\n", 12},
      {6, 0, "world\n", 12},
      {6, 3, "wor", 9},
      {9, 100, "ld\n", 12},
      /* At or past the end: nothing read, the offset stays. */
      {12, 0, "", 12},
      {500, 10, "", 500},
  };
  char path[128];
  check_reads(*state, "log.out", "hello world\n", path, reads, sizeof reads / sizeof *reads);
  /* Following a growing log. */
  FILE *fp = fopen(path, "ab");
  fputs("more", fp);
  fclose(fp);
  check_read(path, 12, 0, "more", 16);
}

static void test_read_utf8_boundary(void **state) {
  static const log_read reads[] = {
      {0, 1, "a", 1},
      {0, 2, "a", 1},
      {0, 3, "a\xC3\xA9", 3},
      {0, 4, "a\xC3\xA9", 3},
      {0, 5, "a\xC3\xA9", 3},
      {0, 6, "a\xC3\xA9\xE2\x82\xAC", 6},
      {3, 6, "\xE2\x82\xAC", 6},
      {3, 7, "\xE2\x82\xAC\xF0\x9F\x98\x80", 10},
      {6, 4, "\xF0\x9F\x98\x80", 10},
      /* A chunk smaller than the sequence still moves on. */
      {6, 2, "\xF0\x9F", 8},
  };
  char path[128];
  /* a (1 byte) é (2) € (3) 😀 (4): offsets 0, 1, 3, 6, 10. */
  check_reads(*state, "utf8.err", "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", path, reads,
              sizeof reads / sizeof *reads);
  /* Without a limit the file is read to its end as it is. */
  home_write_file(path, "ab\xE2\x82");
  check_read(path, 0, 0, "ab\xE2\x82", 4);
}

static void test_read_missing_and_errors(void **state) {
  home_fixture *f = *state;
  char path[128];
  snprintf(path, sizeof path, "%s/none/step.out", f->dir);
  buf out;
  buf_init(&out, NULL);
  buf_puts(&out, "kept");
  int64_t next = -1;
  assert_int_equal(run_compute_log_read(path, 42, 0, &out, &next), 0);
  assert_int_equal(next, 42);
  assert_string_equal(buf_cstr(&out), "kept");
  /* A folder is not a readable log. */
  assert_int_equal(run_compute_log_read(f->dir, 0, 0, &out, &next), -1);
  assert_int_equal(next, 0);
  assert_string_equal(buf_cstr(&out), "kept");
  /* A FIFO where a log should be is refused, not waited on. */
  snprintf(path, sizeof path, "%s/fifo.out", f->dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_int_equal(run_compute_log_read(path, 0, 0, &out, &next), -1);
  assert_string_equal(buf_cstr(&out), "kept");
  /* A negative offset is refused. */
  snprintf(path, sizeof path, "%s/x.out", f->dir);
  home_write_file(path, "x");
  assert_int_equal(run_compute_log_read(path, -1, 0, &out, &next), -1);
  assert_string_equal(buf_cstr(&out), "kept");
  buf_free(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_paths, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_bad_keys, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_read_offsets, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_read_utf8_boundary, home_setup, home_teardown),
      cmocka_unit_test_setup_teardown(test_read_missing_and_errors, home_setup, home_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
