/* events.h — writing a run's events, as Dagster writes them.
 *
 * An event is a store_event: Dagster's event type name (NULL for a plain
 * log message), a Python logging level, the step key (NULL: run level), the
 * message, and a body: a JSON object holding the event's own fields, keyed
 * by the names of the GraphQL fields of the event's type in Dagster's
 * schema, with GraphQL-shaped values, so the API answers them as they are:
 *
 *   RUN_FAILURE, RUN_CANCELED, ENGINE_EVENT   {"error": PythonError}?
 *   ENGINE_EVENT             {"metadataEntries": [...], "markerStart"?, "markerEnd"?}
 *   STEP_FAILURE             {"error": PythonError, "errorSource": "USER_CODE_ERROR"|…,
 *                             "failureMetadata"?: {"metadataEntries": [...]}}
 *   STEP_UP_FOR_RETRY        {"error": PythonError, "secondsToWait": N}
 *   STEP_INPUT               {"inputName", "typeCheck": TypeCheck}
 *   STEP_OUTPUT              {"outputName", "typeCheck": TypeCheck, "metadataEntries"}
 *   LOADED_INPUT             {"inputName", "managerKey", "upstreamOutputName",
 *                             "upstreamStepKey", "metadataEntries"}
 *   HANDLED_OUTPUT           {"outputName", "managerKey", "metadataEntries"}
 *   LOGS_CAPTURED            {"fileKey", "stepKeys": [...], "logKey", "pid"}
 *   ASSET_MATERIALIZATION    {"assetKey": {"path": [...]}, "description"?, "partition"?,
 *                             "metadataEntries": [...]}
 *
 * where PythonError is {"message", "className", "stack": [...], "cause": null}
 * (dagd's errors are not Python's: className names what failed, e.g.
 * "dagd.OpProcessError"; stack holds context lines), TypeCheck is
 * {"label", "description", "success", "metadataEntries"} and a metadata
 * entry is {"__typename": "TextMetadataEntry", "label", "description": null,
 * "text"} (likewise Int (intValue, intRepr), Float (floatValue), Bool
 * (boolValue), Json (jsonString), Path (path), Url (url), Markdown (mdStr),
 * Null). A missing "metadataEntries" means none. */
#ifndef DAGD_RUN_EVENTS_H
#define DAGD_RUN_EVENTS_H

#include <jansson.h>
#include <stdint.h>

#include "storage/storage.h"

/* Python logging levels, as events store them. */
enum {
  RUN_LEVEL_DEBUG = 10,
  RUN_LEVEL_INFO = 20,
  RUN_LEVEL_WARNING = 30,
  RUN_LEVEL_ERROR = 40,
  RUN_LEVEL_CRITICAL = 50,
};

/* Appends one event of run_id (timestamp now); body is stolen (NULL: none).
 * Returns the event id (>0), or -1 with err set. */
int64_t run_event(store *s, const char *run_id, const char *event_type, int level,
                  const char *step_key, const char *message, json_t *body, store_error *err);

/* The level Dagster gives an event type: ERROR for RUN_FAILURE,
 * STEP_FAILURE and RUN_CANCELED, DEBUG for everything else (Dagster logs
 * its structured events at DEBUG). */
int run_event_level(const char *event_type);

/* A PythonError-shaped error object: {"message", "className", "stack":
 * [the n lines], "cause": null}. A new reference. */
json_t *run_error_json(const char *class_name, const char *message, const char *const *stack,
                       size_t n);

/* A metadata entry for label from a JSON value as ops report it (op
 * protocol): a string is Text, an integer Int (intRepr its digits), a real
 * Float, a boolean Bool, null Null, an object or array Json; an object
 * {"type": "path"|"url"|"md"|"json"|"text", "value": …} picks the kind
 * explicitly. A new reference. */
json_t *run_metadata_entry(const char *label, const json_t *value);

/* A TypeCheck object that passed, for an input or output of Dagster type
 * type_name: {"label": name, "description": null, "success": true,
 * "metadataEntries": []}. A new reference. */
json_t *run_type_check_json(const char *name);

#endif
