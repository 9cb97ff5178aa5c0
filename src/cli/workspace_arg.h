/* workspace_arg.h — what a command serves or queries, set up the same way
 * by `dagd webserver`, `dagd dev`, `dagd graphql` and `dagd execute-run`:
 * the workspace (`-w FILE`) and the instance (`--home DIR`, else
 * $DAGD_HOME, else ./.dagd). */
#ifndef DAGD_CLI_WORKSPACE_ARG_H
#define DAGD_CLI_WORKSPACE_ARG_H

#include "api/api.h"
#include "run/instance.h"

/* The workspace file used when no -w is given, when it exists. */
#define CLI_DEFAULT_WORKSPACE "workspace.yaml"

/* The --help line of --home, shared by the commands that take it. */
#define CLI_HOME_HELP                                                                              \
  "      --home DIR                the instance folder: runs, their events, logs and\n"            \
  "                                outputs (default $DAGD_HOME, else ./.dagd)\n"

/* Loads the workspace for command `cmd` (used in messages, e.g.
 * "dagd webserver"): the file at path, or, when path is NULL,
 * ./workspace.yaml when it exists, else an empty workspace (with a one-line
 * note on stderr). Each location that fails to load is reported on stderr
 * ("<cmd>: location 'x' failed to load:" then its errors) and is served as
 * a load error. Returns the API workspace, or NULL after printing the
 * errors when the workspace file itself is unreadable or malformed. */
api_workspace *cli_workspace_load(const char *cmd, const char *path);

/* Opens the instance for command `cmd` at home (NULL: $DAGD_HOME, else
 * ./.dagd), creating it when missing. Returns NULL after printing
 * "<cmd>: cannot open the instance: <reason>" on stderr. */
run_instance *cli_instance_open(const char *cmd, const char *home);

#endif
