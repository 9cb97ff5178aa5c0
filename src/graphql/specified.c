/* specified.c — the list of specified type names (see specified.h). */
#include "graphql/specified.h"

#include <string.h>

const char *const gql_specified_type_names[] = {
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "__Schema",
    "__Type",
    "__TypeKind",
    "__Field",
    "__InputValue",
    "__EnumValue",
    "__Directive",
    "__DirectiveLocation",
};

const size_t gql_n_specified_type_names =
    sizeof gql_specified_type_names / sizeof gql_specified_type_names[0];

bool gql_is_specified_type_name(const char *name) {
  for (size_t i = 0; i < gql_n_specified_type_names; i++)
    if (strcmp(gql_specified_type_names[i], name) == 0)
      return true;
  return false;
}
