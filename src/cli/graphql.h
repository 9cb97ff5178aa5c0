/* graphql.h — the `dagd graphql` subcommand. */
#ifndef DAGD_CLI_GRAPHQL_H
#define DAGD_CLI_GRAPHQL_H

/* Runs `dagd graphql` with its own arguments (argv[0] is "graphql"): one
 * query against the local workspace, the response JSON on stdout. Returns
 * the exit status: 0 when the response has no errors, 1 when it has (or
 * the workspace file cannot be loaded or the instance opened), 2 for a
 * usage error. */
int cli_graphql(int argc, char **argv);

#endif
