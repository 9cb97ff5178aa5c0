/* test_buf.c — unit tests for src/base/buf.c on the heap and in an arena,
 * and buf_read_file on files, a partly read stream and a read error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

static void test_empty(void **state) {
  (void)state;
  buf b;
  buf_init(&b, NULL);
  assert_string_equal(buf_cstr(&b), "");
  assert_int_equal(b.len, 0);
  assert_null(b.data);
  buf_free(&b);
  buf_free(&b); /* twice is harmless */
}

/* Exercises every writer on a buffer; the same for heap and arena. */
static void write_and_check(buf *b) {
  buf_puts(b, "hello");
  buf_putc(b, ' ');
  buf_append(b, "world!!", 5);
  buf_printf(b, " %d/%s", 42, "x");
  assert_string_equal(buf_cstr(b), "hello world 42/x");
  assert_int_equal(b->len, strlen("hello world 42/x"));
  buf_truncate(b, 5);
  assert_string_equal(buf_cstr(b), "hello");
  buf_truncate(b, 10); /* longer than the content: no change */
  assert_string_equal(buf_cstr(b), "hello");
  /* Growth far past the first capacity, keeping the content. */
  for (int i = 0; i < 10000; i++)
    buf_putc(b, (char)('a' + i % 26));
  assert_int_equal(b->len, 10005);
  assert_int_equal(b->data[b->len], '\0');
  assert_memory_equal(b->data, "helloabc", 8);
  assert_true(b->cap > b->len);
  buf_printf(b, "%0300d", 1); /* longer than the room left */
  assert_int_equal(b->len, 10305);
  assert_int_equal(b->data[b->len - 1], '1');
  assert_int_equal(b->data[b->len], '\0');
}

static void test_heap(void **state) {
  (void)state;
  buf b;
  buf_init(&b, NULL);
  write_and_check(&b);
  buf_free(&b);
  assert_int_equal(b.len, 0);
  assert_string_equal(buf_cstr(&b), "");
}

static void test_arena(void **state) {
  (void)state;
  arena *a = arena_new(256);
  buf b;
  buf_init(&b, a);
  write_and_check(&b);
  buf_free(&b); /* forgets the content; the arena owns the memory */
  assert_int_equal(b.len, 0);
  arena_free(a);
}

static void test_arena_growth_in_place(void **state) {
  (void)state;
  arena *a = arena_new(1 << 16);
  buf b;
  buf_init(&b, a);
  buf_putc(&b, 'x');
  char *first = b.data;
  /* While the buffer is the arena's latest block it grows without moving. */
  for (int i = 0; i < 1000; i++)
    buf_putc(&b, 'x');
  assert_ptr_equal(b.data, first);
  arena_free(a);
}

static void test_reserve(void **state) {
  (void)state;
  buf b;
  buf_init(&b, NULL);
  buf_reserve(&b, 1000);
  assert_true(b.cap >= 1001);
  assert_string_equal(buf_cstr(&b), "");
  char *data = b.data;
  for (int i = 0; i < 1000; i++)
    buf_putc(&b, 'y');
  assert_ptr_equal(b.data, data); /* no reallocation needed */
  buf_append(&b, "", 0);
  assert_int_equal(b.len, 1000);
  buf_free(&b);
}

static void test_embedded_nul(void **state) {
  (void)state;
  buf b;
  buf_init(&b, NULL);
  buf_append(&b, "a\0b", 3);
  assert_int_equal(b.len, 3);
  assert_memory_equal(b.data, "a\0b\0", 4);
  buf_free(&b);
}

/* A temporary file holding n bytes (every byte value, NULs included),
 * rewound; their pattern into want when given. */
static FILE *file_with(size_t n, char *want) {
  FILE *f = tmpfile();
  assert_non_null(f);
  for (size_t i = 0; i < n; i++) {
    char c = (char)(i * 7 % 256);
    assert_int_equal(fputc((unsigned char)c, f), (unsigned char)c);
    if (want)
      want[i] = c;
  }
  rewind(f);
  return f;
}

static void test_read_file_appends_everything(void **state) {
  (void)state;
  enum { N = 20000 }; /* several reads, past the first capacities */
  static char want[N];
  arena *a = arena_new(256);
  buf bufs[2];
  buf_init(&bufs[0], NULL);
  buf_init(&bufs[1], a);
  for (int k = 0; k < 2; k++) {
    buf *b = &bufs[k];
    buf_puts(b, "head:");
    FILE *f = file_with(N, want);
    assert_true(buf_read_file(b, f));
    assert_int_equal(b->len, 5 + N);
    assert_memory_equal(b->data, "head:", 5);
    assert_memory_equal(b->data + 5, want, N);
    assert_int_equal(b->data[b->len], '\0');
    /* At the end already: nothing more, still true. */
    assert_true(buf_read_file(b, f));
    assert_int_equal(b->len, 5 + N);
    fclose(f);
  }
  buf_free(&bufs[0]);
  arena_free(a);
}

static void test_read_file_rest_and_empty(void **state) {
  (void)state;
  char want[100];
  FILE *f = file_with(sizeof want, want);
  assert_int_equal(fseek(f, 60, SEEK_SET), 0);
  buf b;
  buf_init(&b, NULL);
  assert_true(buf_read_file(&b, f)); /* from where the stream is */
  assert_int_equal(b.len, 40);
  assert_memory_equal(b.data, want + 60, 40);
  fclose(f);
  buf_free(&b);

  FILE *empty = file_with(0, NULL);
  assert_true(buf_read_file(&b, empty));
  assert_int_equal(b.len, 0);
  assert_string_equal(buf_cstr(&b), "");
  fclose(empty);
  buf_free(&b);
}

static void test_read_file_error(void **state) {
  (void)state;
  /* A directory opens as a stream but cannot be read. */
  FILE *dir = fopen(".", "rb");
  assert_non_null(dir);
  buf b;
  buf_init(&b, NULL);
  buf_puts(&b, "kept");
  errno = 0;
  assert_false(buf_read_file(&b, dir));
  assert_int_equal(errno, EISDIR);
  assert_string_equal(buf_cstr(&b), "kept");
  fclose(dir);
  buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty),
      cmocka_unit_test(test_heap),
      cmocka_unit_test(test_arena),
      cmocka_unit_test(test_arena_growth_in_place),
      cmocka_unit_test(test_reserve),
      cmocka_unit_test(test_embedded_nul),
      cmocka_unit_test(test_read_file_appends_everything),
      cmocka_unit_test(test_read_file_rest_and_empty),
      cmocka_unit_test(test_read_file_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
