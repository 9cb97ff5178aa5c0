/* client.h — how `dagd run …` and `dagd job …` talk to an instance: they
 * send Dagster's GraphQL documents, the ones a remote client would send,
 * either in this process against the local instance and workspace or over
 * HTTP to a running `dagd webserver`/`dagd dev` (--url). The commands
 * never touch storage themselves, so what they show is what the API says.
 *
 * Also here: what both command files share for people at a terminal —
 * the common options, exit statuses, aligned tables, times and durations. */
#ifndef DAGD_CLI_CLIENT_H
#define DAGD_CLI_CLIENT_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

/* Exit statuses of the run and job commands (docs/cli.md). */
enum {
  CLI_EXIT_OK = 0,     /* done; a waited-for run ended SUCCESS */
  CLI_EXIT_FAILED = 1, /* the API refused (unknown run or job, invalid config,
                          …) or a waited-for run ended FAILURE/CANCELED */
  CLI_EXIT_USAGE = 2,  /* bad options or arguments */
  CLI_EXIT_SERVER = 3, /* no answer: connection, HTTP, instance or GraphQL errors */
};

/* Where requests go: --url, else in-process with -w/--home. */
typedef struct cli_client_options {
  const char *url;       /* http[s]://host[:port][/prefix]; NULL: in-process */
  const char *workspace; /* -w; in-process only */
  const char *home;      /* --home; in-process only */
  double timeout;        /* seconds a request may take over HTTP (0: 30) */
  bool json;             /* --json: print the GraphQL data for scripts */
  /* The command needs the workspace's definitions (launching, jobs): in
   * process without -w and ./workspace.yaml, a note says the workspace is
   * empty. Other commands use an empty one silently then. */
  bool needs_workspace;
} cli_client_options;

/* The long options every run/job subcommand takes, for its option table
 * (followed by its own and the terminating zero entry). */
enum {
  CLI_OPT_URL = 1000,
  CLI_OPT_HOME,
  CLI_OPT_JSON,
  CLI_OPT_TIMEOUT,
  CLI_OPT_HELP,
};
/* clang-format off */
#define CLI_CLIENT_LONG_OPTIONS                                                \
  {"url", required_argument, NULL, CLI_OPT_URL},                               \
  {"home", required_argument, NULL, CLI_OPT_HOME},                             \
  {"workspace", required_argument, NULL, 'w'},                                 \
  {"json", no_argument, NULL, CLI_OPT_JSON},                                   \
  {"timeout", required_argument, NULL, CLI_OPT_TIMEOUT},                       \
  {"help", no_argument, NULL, CLI_OPT_HELP}
/* clang-format on */

/* The --help lines of those options. */
#define CLI_CLIENT_HELP                                                                            \
  "      --url URL          a running dagd: http[s]://host:port[/prefix] (default: this\n"         \
  "                         process, on the local instance)\n"                                     \
  "  -w, --workspace FILE   the workspace, in process (default ./workspace.yaml)\n"                \
  "      --home DIR         the instance, in process (default $DAGD_HOME, else ./.dagd)\n"         \
  "      --timeout SEC      how long one request over --url may take (default 30)\n"               \
  "      --json             print the GraphQL data as JSON instead of a table\n"                   \
  "  -h, --help             show this help\n"

/* Parses a subcommand's argv (argv[0] is its name) with getopt_long:
 * the common options (CLI_CLIENT_LONG_OPTIONS, -w and -h) fill o, the others
 * go to own(c, optarg, ctx), which returns -1 to go on or an exit status.
 * shortopts lists the subcommand's short options ("w:" is added). Returns
 * -1 with optind at the first operand when the command goes on; else the
 * status to exit with: 0 after --help (usage on stdout), CLI_EXIT_USAGE
 * after explaining a bad option on stderr. */
int cli_parse_options(const char *cmd, const char *usage, int argc, char **argv,
                      const char *shortopts, const struct option *longopts, cli_client_options *o,
                      int (*own)(int c, const char *arg, void *ctx), void *ctx);

typedef struct cli_client cli_client;

/* Sets up the HTTP library (libcurl) for the process: called once when a
 * command starts, before any thread exists; false after explaining on
 * stderr. cli_client_global_cleanup undoes it when the command ends. */
bool cli_client_global_init(const char *cmd);
void cli_client_global_cleanup(void);

/* Checks o and opens the client: parses --url (http:// or https://, with
 * the server's certificate checked), or opens the instance and loads the
 * workspace. Returns NULL
 * after printing "<cmd>: <why>" on stderr, with *exit_status the status to
 * exit with (CLI_EXIT_USAGE for a malformed URL, else CLI_EXIT_SERVER). */
cli_client *cli_client_open(const char *cmd, const cli_client_options *o, int *exit_status);

/* Closes the client (NULL allowed). */
void cli_client_close(cli_client *c);

/* Sends one GraphQL document with its variables (a JSON object, or NULL)
 * and returns the response's "data" object (a new reference). Returns NULL
 * after printing on stderr why there is none: the connection, the HTTP
 * status, a body that is not JSON, or the response's GraphQL errors (each
 * message); the caller then exits CLI_EXIT_SERVER. */
json_t *cli_client_request(cli_client *c, const char *document, const json_t *variables);

/* Prints data as one line of JSON on stdout (--json). */
void cli_print_json(const json_t *data);

/* ---- text from runs and servers --------------------------------------- */

/* A new string (free it): s made safe for a terminal. Control characters
 * (C0, DEL, C1) and bytes that are not UTF-8 are written as \t or \xNN, so
 * run data cannot move the cursor, recolour or retitle the terminal; other
 * text is unchanged. With indent NULL the result is one line (a newline is
 * written \n); else each line break becomes a newline followed by indent
 * and trailing line breaks are dropped, for a multi-line message. */
char *cli_clean(const char *s, const char *indent);

/* Prints one message on f: printf's fmt with its arguments, through
 * cli_clean with continuation lines indented by four spaces, then a
 * newline. */
void cli_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The length in bytes of the longest start of s[0..n) that holds at most
 * max_chars characters without splitting a UTF-8 sequence. */
size_t cli_cut(const char *s, size_t n, size_t max_chars);

/* Appends an ExecutionTag array as "key=value, …" to out; returns out's
 * text, or NULL when there are no tags. */
const char *cli_join_tags(const json_t *tags, buf *out);

/* Prints "<cmd>: <message>" on stderr for an error union member
 * ({__typename, message, …}): RunConfigValidationInvalid lists each of
 * its errors, PythonError adds its class. Returns CLI_EXIT_FAILED. */
int cli_report_error(const char *cmd, const char *what, const json_t *member);

/* The "message" of an API error member, or its __typename. */
const char *cli_error_message(const json_t *member);

/* ---- output ---------------------------------------------------------- */

/* An aligned table: rows of cells (copied through cli_clean, so each
 * stays one line), printed with each column as
 * wide as its widest cell (counted in characters, UTF-8 aware), two spaces
 * apart, the last column unpadded. */
typedef struct cli_table cli_table;

/* A table with n_cols columns whose first row is the header (NULL: no
 * header row). */
cli_table *cli_table_new(size_t n_cols, const char *const *header);
/* Adds a row of n_cols cells (NULL cells print as "-"). */
void cli_table_add(cli_table *t, const char *const *cells);
/* Prints it to f and frees it. */
void cli_table_print(cli_table *t, FILE *f);

/* Formats a Unix time (seconds) as local "YYYY-MM-DD HH:MM:SS" (with
 * ".mmm" when millis) into out (at least 32 bytes); "-" when t is not
 * positive. Returns out. */
const char *cli_format_time(double t, bool millis, char *out, size_t size);

/* Formats a duration in seconds as "0.42s", "12.3s", "4m05s", "2h03m"
 * into out (at least 16 bytes); "-" when negative. Returns out. */
const char *cli_format_duration(double seconds, char *out, size_t size);

/* A number member of a JSON object (integer or real), or -1 when absent
 * or null. */
double cli_json_number(const json_t *obj, const char *key);
/* Whether a GraphQL object's __typename is `type`. */
bool cli_json_is(const json_t *obj, const char *type);
/* A string member of a JSON object, or NULL. */
const char *cli_json_str(const json_t *obj, const char *key);

/* Splits "key=value" into a new {"key","value"} ExecutionTag object;
 * NULL after explaining on stderr when there is no '=' or the key is empty. */
json_t *cli_parse_tag(const char *cmd, const char *arg);

#endif
