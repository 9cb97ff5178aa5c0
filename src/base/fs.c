/* fs.c — mkdir -p and whole-file reads (fs.h). */
#include "base/fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/mem.h"

bool fs_mkdir_p(const char *path) {
  char *p = xstrdup(path);
  bool ok = true;
  /* Each prefix ending before a '/' (the leading one skipped), then the
   * whole path. */
  for (char *c = p + 1; ok; c++) {
    bool end = *c == '\0';
    if (*c != '/' && !end)
      continue;
    *c = '\0';
    struct stat st;
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
      ok = false;
    } else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
      errno = ENOTDIR;
      ok = false;
    }
    if (end)
      break;
    *c = '/';
  }
  free(p);
  return ok;
}

bool fs_read_file(const char *path, buf *out) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  bool ok = buf_read_file(out, f);
  int saved = errno;
  fclose(f);
  errno = saved;
  return ok;
}
