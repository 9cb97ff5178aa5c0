/* fs.h — the file-system chores several modules share: creating a folder
 * with its parents, reading a whole file. */
#ifndef DAGD_BASE_FS_H
#define DAGD_BASE_FS_H

#include <stdbool.h>

#include "base/buf.h"

/* Creates the folder path and every missing parent (mkdir -p, mode 0777
 * before the umask). False with errno set when one cannot be created, or
 * ENOTDIR when something in the way is not a folder. */
bool fs_mkdir_p(const char *path);

/* Appends the whole file at path to out. False with errno set when it
 * cannot be opened or read (out may then hold part of it). */
bool fs_read_file(const char *path, buf *out);

#endif
