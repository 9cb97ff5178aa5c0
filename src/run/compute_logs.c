/* compute_logs.c — where a step's captured stdout/stderr live and reading
 * them by byte offset (compute_logs.h).
 *
 * Log keys come from API clients, so every part is checked before it
 * becomes a path component: nothing a client sends can name a file outside
 * the compute logs folder. Reads stop before a UTF-8 sequence cut by the
 * chunk limit, so each chunk a client receives is valid text on its own and
 * the cut sequence arrives whole with the next one. */
#include "run/compute_logs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A part may be a path component: not empty, ".", "..", no '/'. */
static bool part_ok(const char *p) {
  return p && p[0] && strcmp(p, ".") != 0 && strcmp(p, "..") != 0 && !strchr(p, '/');
}

/* Appends compute_logs_dir and the first n parts joined by '/'. */
static bool join(const run_instance *inst, const char *const *key, size_t n, buf *out) {
  for (size_t i = 0; i < n; i++)
    if (!part_ok(key[i]))
      return false;
  buf_puts(out, inst->compute_logs_dir);
  for (size_t i = 0; i < n; i++) {
    buf_putc(out, '/');
    buf_puts(out, key[i]);
  }
  return true;
}

bool run_compute_log_path(const run_instance *inst, const char *const *log_key, size_t n,
                          run_log_stream stream, buf *out) {
  if (n == 0 || !part_ok(log_key[n - 1]))
    return false;
  if (!join(inst, log_key, n - 1, out))
    return false;
  buf_putc(out, '/');
  buf_puts(out, log_key[n - 1]);
  buf_puts(out, stream == RUN_LOG_STDERR ? ".err" : ".out");
  return true;
}

/* How many bytes at the end of data[0..n) start a UTF-8 sequence that is
 * not complete within it (0-3): the bytes to leave for the next chunk. */
static size_t cut_sequence(const unsigned char *data, size_t n) {
  for (size_t back = 1; back <= 3 && back <= n; back++) {
    unsigned char c = data[n - back];
    if ((c & 0xC0) == 0x80)
      continue; /* a continuation byte: look further back for the lead */
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

int run_compute_log_read(const char *path, int64_t offset, size_t max, buf *out, int64_t *next) {
  *next = offset;
  /* O_NONBLOCK: a FIFO planted where a log should be must not hang the
   * reader; only regular files are read. */
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
  struct stat st;
  if (offset < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return -1;
  }
  if (offset >= st.st_size) {
    close(fd);
    return 1;
  }
  /* Read what the file holds now; a log that grows meanwhile is read on
   * the next call. */
  size_t want = (size_t)(st.st_size - offset);
  if (max && want > max)
    want = max;
  size_t start = out->len;
  buf_reserve(out, want);
  size_t got = 0;
  while (got < want) {
    ssize_t r = pread(fd, out->data + start + got, want - got, (off_t)(offset + (int64_t)got));
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      close(fd);
      out->data[start] = '\0';
      return -1;
    }
    if (r == 0)
      break;
    got += (size_t)r;
  }
  close(fd);
  /* Only a limited chunk can end mid-sequence by our doing; at the end of
   * the file a partial sequence is what the op wrote so far. A chunk too
   * small for the sequence keeps it, or a reader could never move on. */
  if (max && got == max) {
    size_t cut = cut_sequence((const unsigned char *)out->data + start, got);
    if (cut < got)
      got -= cut;
  }
  out->len = start + got;
  out->data[out->len] = '\0';
  *next = offset + (int64_t)got;
  return 1;
}
