/* workspace_arg.c — loads the workspace and opens the instance of the
 * commands and reports what went wrong on stderr: only the CLI prints, so
 * the loaders (defs/workspace.c, run/instance.c) hand their errors back in
 * a buffer and this file decides how they are shown. */
#include "cli/workspace_arg.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "defs/workspace.h"

/* Prints text on stderr, ending it with a newline when it lacks one. */
static void print_block(const char *text) {
  size_t n = strlen(text);
  fputs(text, stderr);
  if (n == 0 || text[n - 1] != '\n')
    fputc('\n', stderr);
}

api_workspace *cli_workspace_load(const char *cmd, const char *path) {
  if (!path) {
    if (access(CLI_DEFAULT_WORKSPACE, F_OK) != 0) {
      fprintf(stderr, "%s: no -w FILE and no ./%s: serving an empty workspace\n", cmd,
              CLI_DEFAULT_WORKSPACE);
      return api_workspace_new(NULL);
    }
    path = CLI_DEFAULT_WORKSPACE;
  }
  buf err;
  buf_init(&err, NULL);
  defs_workspace *ws = defs_workspace_load(path, &err);
  if (!ws) {
    fprintf(stderr, "%s: cannot load the workspace %s:\n", cmd, path);
    print_block(err.len ? err.data : "unknown error");
    buf_free(&err);
    return NULL;
  }
  buf_free(&err);
  for (size_t i = 0; i < ws->n_locations; i++) {
    const defs_location *loc = &ws->locations[i];
    if (!loc->error)
      continue;
    fprintf(stderr, "%s: location '%s' failed to load:\n", cmd, loc->name);
    print_block(loc->error);
  }
  return api_workspace_new(ws);
}

run_instance *cli_instance_open(const char *cmd, const char *home) {
  buf err;
  buf_init(&err, NULL);
  run_instance *inst = run_instance_open(home, &err);
  if (!inst) {
    /* The reason names the folder or file at fault (instance.c). */
    fprintf(stderr, "%s: cannot open the instance: ", cmd);
    print_block(err.len ? err.data : "unknown error");
  }
  buf_free(&err);
  return inst;
}
