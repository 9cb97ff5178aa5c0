/* workspace_arg.h — the workspace a command serves or queries (`-w FILE`),
 * loaded the same way by `dagd webserver` and `dagd graphql`. */
#ifndef DAGD_CLI_WORKSPACE_ARG_H
#define DAGD_CLI_WORKSPACE_ARG_H

#include "api/api.h"

/* The workspace file used when no -w is given, when it exists. */
#define CLI_DEFAULT_WORKSPACE "workspace.yaml"

/* Loads the workspace for command `cmd` (used in messages, e.g.
 * "dagd webserver"): the file at path, or, when path is NULL,
 * ./workspace.yaml when it exists, else an empty workspace (with a one-line
 * note on stderr). Each location that fails to load is reported on stderr
 * ("<cmd>: location 'x' failed to load:" then its errors) and is served as
 * a load error. Returns the API workspace, or NULL after printing the
 * errors when the workspace file itself is unreadable or malformed. */
api_workspace *cli_workspace_load(const char *cmd, const char *path);

#endif
