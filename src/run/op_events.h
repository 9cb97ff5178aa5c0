/* op_events.h — private to the run worker: the lines an op appends to the
 * file named by DAGD_EVENTS (the op protocol's structured events), read
 * while the op runs and turned into what the worker records.
 *
 * Each line is one JSON object:
 *
 *   {"type": "log", "level": "INFO", "message": "…"}
 *       level: DEBUG, INFO, WARNING (WARN), ERROR, CRITICAL (FATAL), any
 *       case, or a number from 0 to 50; INFO when absent
 *   {"type": "asset_materialization", "asset_key": "a/b" | ["a", "b"],
 *    "description"?: "…", "partition"?: "…", "metadata"?: {label: value}}
 *   {"type": "output_metadata", "output": "x", "metadata": {label: value}}
 *
 * A line that is not one of these (bad JSON, an unknown type or key, a
 * value of the wrong kind, longer than RUN_OP_EVENT_MAX_LINE bytes) is
 * reported as invalid with the reason, so the worker can warn about it;
 * it never fails the op. Blank lines are skipped. */
#ifndef DAGD_RUN_OP_EVENTS_H
#define DAGD_RUN_OP_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Lines longer than this (newline excluded) are refused unread. */
#define RUN_OP_EVENT_MAX_LINE (64 * 1024)

typedef enum run_op_event_kind {
  RUN_OP_EVENT_LOG,
  RUN_OP_EVENT_MATERIALIZATION,
  RUN_OP_EVENT_OUTPUT_METADATA,
  RUN_OP_EVENT_INVALID,
} run_op_event_kind;

/* One parsed line. Owned fields are released by run_op_event_free. */
typedef struct run_op_event {
  run_op_event_kind kind;
  size_t line;     /* its line number in the file, from 1 */
  int level;       /* LOG: the Python logging level */
  buf message;     /* LOG: the message; MATERIALIZATION: the event's message
                    * (Dagster's); INVALID: what is wrong with the line */
  json_t *body;    /* MATERIALIZATION: the ASSET_MATERIALIZATION body (events.h) */
  char *output;    /* OUTPUT_METADATA: the output named */
  json_t *entries; /* OUTPUT_METADATA: its metadata entries (a JSON array) */
} run_op_event;

/* Parses the n bytes of one line (no newline) into ev (initialised here). */
void run_op_event_parse(const char *line, size_t n, run_op_event *ev);

/* Releases what ev owns. */
void run_op_event_free(run_op_event *ev);

/* Called for each line read; ev is freed after the call returns. */
typedef void run_op_event_fn(void *ctx, run_op_event *ev);

/* Follows one events file as the op appends to it. */
typedef struct run_op_events_tail {
  char *path;     /* heap copy */
  int64_t offset; /* bytes consumed so far */
  buf pending;    /* the start of a line whose newline has not come yet */
  bool skipping;  /* inside an over-long line, discarded up to its newline */
  size_t lines;   /* lines seen so far */
} run_op_events_tail;

void run_op_events_tail_init(run_op_events_tail *t, const char *path);
void run_op_events_tail_free(run_op_events_tail *t);

/* Reads what was appended since the last call and hands every complete
 * line to fn; with final (the op has ended) an unterminated last line is
 * handed over too. A missing file is no error (the op wrote no events).
 * A file that shrank (the op rewrote it) is read again from its start.
 * Each call reads at most the size the file had when the call began.
 * Returns false when the file could not be read (errno says why; EINVAL:
 * it is not a regular file, e.g. a FIFO or a device, and is not read). */
bool run_op_events_tail_read(run_op_events_tail *t, bool final, run_op_event_fn *fn, void *ctx);

#endif
