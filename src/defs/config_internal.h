/* config_internal.h — what the config files share and nobody else needs.
 *
 * config.c builds types and writes Python texts; config_validate.c checks
 * values and words the errors; config_defaults.c fills defaults in. */
#ifndef DAGD_DEFS_CONFIG_INTERNAL_H
#define DAGD_DEFS_CONFIG_INTERNAL_H

#include "defs/config.h"

/* Past this depth of JSON nesting the Python texts print "..." instead of
 * recursing further (parsed JSON is far shallower: jansson stops at 2048). */
#define DEFS_CONFIG_TEXT_MAX_DEPTH 4096

/* Appends Python's repr() of the string s[0..n) (UTF-8): quotes chosen as
 * Python chooses them, escapes for backslashes, controls and characters
 * Python deems unprintable. */
void defs_config_py_repr_str(const char *s, size_t n, buf *out);

/* The alias of a Shape's field, or NULL. */
const char *defs_config_alias_of(const defs_config_type *t, const char *field);

/* Whether a JSON value stands for None (NULL or JSON null). */
static inline bool defs_config_is_none(const json_t *v) { return v == NULL || json_is_null(v); }

#endif
