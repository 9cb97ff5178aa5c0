/* fuzz_schema.c — libFuzzer target for schema building from arbitrary SDL
 * (gql_schema_build), the printer, and introspection of whatever schema
 * results.
 *
 * For each input: the text is parsed as a document and printed; the printed
 * text must parse again and print identically (the printer's round trip).
 * Then it is built as a schema: a failure must come with at least one error,
 * and a schema that builds is introspected in full (every type, field,
 * argument, input field, enum value and directive) and freed, so leaks in
 * the builder or introspection show up under LeakSanitizer. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/error.h"
#include "graphql/exec.h"
#include "graphql/parser.h"
#include "graphql/printer.h"
#include "graphql/schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char introspection_query[] =
    "query IntrospectionQuery {\n"
    "  __schema {\n"
    "    description\n"
    "    queryType { name } mutationType { name } subscriptionType { name }\n"
    "    types { ...FullType }\n"
    "    directives {\n"
    "      name description isRepeatable locations\n"
    "      args(includeDeprecated: true) { ...InputValue }\n"
    "    }\n"
    "  }\n"
    "}\n"
    "fragment FullType on __Type {\n"
    "  kind name description specifiedByURL isOneOf\n"
    "  fields(includeDeprecated: true) {\n"
    "    name description\n"
    "    args(includeDeprecated: true) { ...InputValue }\n"
    "    type { ...TypeRef }\n"
    "    isDeprecated deprecationReason\n"
    "  }\n"
    "  inputFields(includeDeprecated: true) { ...InputValue }\n"
    "  interfaces { ...TypeRef }\n"
    "  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }\n"
    "  possibleTypes { ...TypeRef }\n"
    "}\n"
    "fragment InputValue on __InputValue {\n"
    "  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason\n"
    "}\n"
    "fragment TypeRef on __Type {\n"
    "  kind name\n"
    "  ofType { kind name ofType { kind name ofType { kind name ofType { kind name\n"
    "    ofType { kind name ofType { kind name ofType { kind name } } } } } } }\n"
    "}\n";

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz_schema: %s\n%s\n", what, detail ? detail : "");
  abort();
}

/* parse → print → parse → print must reach a fixed point at once. */
static void check_print_round_trip(arena *a, const char *text, size_t len) {
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_document *doc = gql_parse(a, text, len, NULL, &errs);
  if (!doc) {
    if (errs.n != 1)
      fail("a failed parse must report exactly one error", NULL);
    return;
  }
  buf first, second;
  buf_init(&first, a);
  buf_init(&second, a);
  gql_print_document(&first, doc);
  gql_document *again = gql_parse(a, buf_cstr(&first), first.len, NULL, &errs);
  if (!again)
    fail("printed document does not parse again:", buf_cstr(&first));
  gql_print_document(&second, again);
  if (first.len != second.len || memcmp(buf_cstr(&first), buf_cstr(&second), first.len) != 0)
    fail("printing is not stable; first print:", buf_cstr(&first));
}

static void introspect(gql_schema *s, arena *a) {
  gql_request req = {.schema = s, .arena = a};
  buf out;
  buf_init(&out, a);
  gql_outcome outcome =
      gql_run(&req, introspection_query, sizeof introspection_query - 1, NULL, &out);
  if (outcome != GQL_OUTCOME_EXECUTED)
    fail("introspection of a built schema did not execute:", buf_cstr(&out));
  json_t *resp =
      json_loadb(buf_cstr(&out), out.len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
  if (!json_is_object(resp) || !json_is_object(json_object_get(resp, "data")))
    fail("introspection response has no data object:", buf_cstr(&out));
  json_decref(resp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  arena *a = arena_new(0);
  check_print_round_trip(a, text, size);

  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(text, size, &errs);
  if (!s) {
    if (errs.n == 0)
      fail("gql_schema_build failed without an error", NULL);
  } else {
    if (s->query)
      introspect(s, a);
    gql_schema_free(s);
  }
  arena_free(a);
  return 0;
}
