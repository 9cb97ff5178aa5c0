/* fuzz_engine.c — libFuzzer target for the whole GraphQL pipeline (gql_run:
 * parse, validate, coerce variables, execute, introspect, write JSON).
 *
 * A fixed schema is built once from the SDL below (interfaces implementing
 * interfaces, unions, enums, input objects, @oneOf, a custom JSON scalar and
 * a pass-through scalar, mutation and subscription roots). Every field is
 * served by one default resolver that synthesises deterministic data of the
 * field's declared type — objects, lists (short, and empty past a depth so
 * fan-out stays bounded), enums, scalars, the occasional null or field error
 * — so that any query that validates also executes deeply. Fields named
 * echo* return their first argument, which sends coerced input values
 * (including variables) back through result completion.
 *
 * Input layout: QUERY [\0 VARIABLES-JSON [\0 OPERATION-NAME]]. Each run uses
 * a fresh request arena, freed at the end, so LeakSanitizer sees anything the
 * engine leaks outside it. Besides crashes, hangs and leaks, a response that
 * is not one well-formed JSON object (valid UTF-8 included, whatever bytes
 * the query held) aborts the run. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/error.h"
#include "graphql/exec.h"
#include "graphql/schema.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_sdl[] =
    "\"\"\"The fuzzing schema: one of every kind of type.\"\"\"\n"
    "schema { query: Query mutation: Mutation subscription: Subscription }\n"
    "\"Any JSON value.\"\n"
    "scalar JSON\n"
    "scalar DateTime @specifiedBy(url: \"https://example.com/datetime\")\n"
    "enum Status { QUEUED STARTED SUCCESS FAILURE CANCELED @deprecated(reason: \"gone\") }\n"
    "interface Node { id: ID! }\n"
    "interface Named { name: String }\n"
    "interface Entity implements Node & Named {\n"
    "  id: ID!\n"
    "  name: String\n"
    "  children(first: Int = 2): [Entity!]\n"
    "}\n"
    "type User implements Entity & Node & Named {\n"
    "  id: ID!\n"
    "  name: String\n"
    "  email: String @deprecated(reason: \"Use contact.\")\n"
    "  age: Int\n"
    "  score: Float\n"
    "  active: Boolean!\n"
    "  status: Status\n"
    "  tags: [String!]!\n"
    "  children(first: Int = 2): [Entity!]\n"
    "  friends(status: [Status!], after: String): [User]\n"
    "  metadata: JSON\n"
    "  created: DateTime\n"
    "  best: SearchResult\n"
    "  failField: String\n"
    "  failRequired: Int!\n"
    "}\n"
    "type Group implements Entity & Node & Named {\n"
    "  id: ID!\n"
    "  name: String\n"
    "  children(first: Int = 2): [Entity!]\n"
    "  members: [User!]!\n"
    "  owner: User!\n"
    "  matrix: [[Int]]\n"
    "}\n"
    "type Problem { message: String! path: [String!] }\n"
    "union SearchResult = User | Group | Problem\n"
    "input Range { min: Int max: Int = 10 }\n"
    "input Filter {\n"
    "  status: [Status!]\n"
    "  name: String\n"
    "  range: Range\n"
    "  tags: [String!] = [\"a\", \"b\"]\n"
    "  nested: Filter\n"
    "  data: JSON\n"
    "  since: DateTime\n"
    "}\n"
    "input UserBy @oneOf { id: ID name: String }\n"
    "type Query {\n"
    "  node(id: ID!): Node\n"
    "  nodes(ids: [ID!]!): [Node]!\n"
    "  search(text: String!, filter: Filter, limit: Int = 10): [SearchResult!]!\n"
    "  entity: Entity!\n"
    "  user(by: UserBy): User\n"
    "  echoString(value: String): String\n"
    "  echoInt(value: Int): Int\n"
    "  echoFloat(value: Float): Float\n"
    "  echoBoolean(value: Boolean): Boolean\n"
    "  echoID(value: ID): ID\n"
    "  echoStatus(value: Status): Status\n"
    "  echoList(value: [[Int!]]): [[Int!]]\n"
    "  echoJSON(value: JSON): JSON\n"
    "  echoFilter(value: Filter): JSON\n"
    "  echoDate(value: DateTime): DateTime\n"
    "  failField: String\n"
    "  failRequired: String!\n"
    "  deep: Query!\n"
    "}\n"
    "type Mutation {\n"
    "  setStatus(id: ID!, status: Status!): User\n"
    "  echoString(value: String): String\n"
    "}\n"
    "type Subscription { events(filter: Filter): User }\n"
    "directive @cost(weight: Int = 1) repeatable on FIELD_DEFINITION | FIELD\n";

/* Lists are empty at or past this depth, bounding the response size. */
#define FUZZ_LIST_DEPTH 4

/* What the synthesised objects point at: their depth and a seed that makes
 * the data vary from field to field while staying deterministic. */
typedef struct fuzz_node {
  unsigned depth;
  uint32_t seed;
} fuzz_node;

static gql_schema *fuzz_schema;
static json_t *fuzz_json_value; /* served for JSON fields; lives for the process */

static const char *const fuzz_strings[] = {
    "",
    "plain",
    "quote\" backslash\\ slash/",
    "tab\t newline\n nul-free \x01\x1f",
    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
    "\xe2\x80\xa8 line separator",
};

static uint32_t mix(uint32_t seed, const char *s, size_t n) {
  uint32_t h = seed ^ 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h ^ (h >> 15);
}

static gql_rv synth(const gql_resolve_info *info, const gql_type *t, unsigned depth, uint32_t seed);

static gql_rv synth_list(const gql_resolve_info *info, const gql_type *item, unsigned depth,
                         uint32_t seed) {
  size_t n = depth < FUZZ_LIST_DEPTH ? seed % 3 : 0;
  gql_rv rv = gql_rv_list(info->arena, n);
  for (size_t i = 0; i < n; i++)
    rv.u.list.items[i] = synth(info, item, depth + 1, mix(seed, "item", 4) + (uint32_t)i);
  return rv;
}

static gql_rv synth_composite(const gql_resolve_info *info, const gql_type *t, unsigned depth,
                              uint32_t seed) {
  fuzz_node *node = ARENA_NEW(info->arena, fuzz_node);
  node->depth = depth + 1;
  node->seed = seed;
  if (t->kind == GQL_KIND_OBJECT)
    return gql_rv_object(node, t);
  if (t->n_possible == 0)
    return gql_rv_null();
  /* Half the time name the concrete type, half the time leave it to the
   * resolve_type hooks, so both paths of the executor run. */
  if (seed & 8)
    return gql_rv_object(node, t->possible[(seed >> 4) % t->n_possible]);
  return gql_rv_object(node, NULL);
}

static gql_rv synth_scalar(const gql_type *t, uint32_t seed) {
  const char *name = t->name;
  if (strcmp(name, "Int") == 0)
    return gql_rv_int((int64_t)(seed % 2001) - 1000);
  if (strcmp(name, "Float") == 0)
    return gql_rv_float((double)(int32_t)seed / 64.0);
  if (strcmp(name, "Boolean") == 0)
    return gql_rv_bool(seed & 1);
  if (strcmp(name, "JSON") == 0)
    return gql_rv_json(fuzz_json_value);
  return gql_rv_string(fuzz_strings[seed % (sizeof fuzz_strings / sizeof *fuzz_strings)]);
}

static gql_rv synth(const gql_resolve_info *info, const gql_type *t, unsigned depth,
                    uint32_t seed) {
  if (t->kind == GQL_KIND_NON_NULL)
    t = t->of;
  else if (seed % 11 == 5)
    return gql_rv_null();
  switch (t->kind) {
  case GQL_KIND_LIST:
    return synth_list(info, t->of, depth, seed);
  case GQL_KIND_OBJECT:
  case GQL_KIND_INTERFACE:
  case GQL_KIND_UNION:
    return synth_composite(info, t, depth, seed);
  case GQL_KIND_ENUM:
    return t->n_values ? gql_rv_string(t->values[seed % t->n_values].name) : gql_rv_null();
  case GQL_KIND_SCALAR:
    return synth_scalar(t, seed);
  default:
    return gql_rv_null();
  }
}

static gql_rv fuzz_resolve(const gql_resolve_info *info, const void *parent, void *data) {
  (void)data;
  const fuzz_node *node = parent;
  /* Introspection types have their own resolvers; never read their
   * parents as ours. */
  if (info->parent_type->builtin)
    return gql_rv_null();
  unsigned depth = node ? node->depth : 0;
  uint32_t seed = mix(node ? node->seed : 1, info->field->name, strlen(info->field->name));
  const char *name = info->field->name;
  if (strncmp(name, "fail", 4) == 0)
    return gql_rv_errorf(info->arena, "%s failed at depth %u", name, depth);
  if (strncmp(name, "echo", 4) == 0 && info->field->n_args > 0) {
    if (!info->args[0])
      return gql_rv_null();
    gql_rv rv = {.kind = GQL_RV_VALUE, .u.value = info->args[0]};
    return rv;
  }
  return synth(info, info->field->type, depth, seed);
}

static const gql_type *fuzz_resolve_type(const gql_schema *schema, const gql_type *abstract,
                                         const gql_rv *value, void *data) {
  (void)schema;
  (void)data;
  if (value->kind != GQL_RV_OBJECT || !value->u.obj.ptr || abstract->n_possible == 0)
    return NULL;
  const fuzz_node *node = value->u.obj.ptr;
  /* Seeds divisible by 13 answer "don't know", exercising that error. */
  if (node->seed % 13 == 0)
    return NULL;
  return abstract->possible[node->seed % abstract->n_possible];
}

static void fuzz_die(const char *what, const gql_errors *errs) {
  fprintf(stderr, "fuzz_engine: %s\n", what);
  for (size_t i = 0; errs && i < errs->n; i++)
    fprintf(stderr, "  %u:%u: %s\n",
            errs->items[i]->n_locations ? errs->items[i]->locations[0].line : 0,
            errs->items[i]->n_locations ? errs->items[i]->locations[0].column : 0,
            errs->items[i]->message);
  abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  fuzz_schema = gql_schema_build(fuzz_sdl, sizeof fuzz_sdl - 1, &errs);
  if (!fuzz_schema)
    fuzz_die("the fuzzing schema does not build", &errs);
  arena_free(a);
  gql_schema_set_default_resolver(fuzz_schema, fuzz_resolve, NULL);
  gql_schema_set_default_resolve_type(fuzz_schema, fuzz_resolve_type, NULL);
  if (gql_schema_set_resolve_type(fuzz_schema, "SearchResult", fuzz_resolve_type, NULL) != 0 ||
      gql_schema_set_scalar(fuzz_schema, "JSON", &gql_json_scalar_hooks) != 0)
    fuzz_die("cannot attach hooks", NULL);
  fuzz_json_value =
      json_pack("{s:i, s:f, s:s, s:b, s:n, s:[i,s,{s:[]}]}", "int", 42, "float", 1.5, "str",
                "caf\xc3\xa9", "yes", 1, "none", "list", 1, "two", "nested", "empty");
  if (!fuzz_json_value)
    fuzz_die("cannot build the JSON value", NULL);
  return 0;
}

/* Splits the next NUL-terminated part off data[*pos..size); NULL when the
 * input has no such part. */
static const char *next_part(const uint8_t *data, size_t size, size_t *pos, size_t *len) {
  if (*pos > size)
    return NULL;
  const char *start = (const char *)data + *pos;
  const char *nul = memchr(start, '\0', size - *pos);
  *len = nul ? (size_t)(nul - start) : size - *pos;
  *pos += *len + 1;
  return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t pos = 0, query_len = 0, vars_len = 0, name_len = 0;
  const char *query = next_part(data, size, &pos, &query_len);
  const char *vars_text = next_part(data, size, &pos, &vars_len);
  const char *name_text = next_part(data, size, &pos, &name_len);

  arena *a = arena_new(0);
  json_t *vars = NULL;
  if (vars_text && vars_len > 0) {
    vars = json_loadb(vars_text, vars_len, JSON_DECODE_ANY, NULL);
    if (vars && !json_is_object(vars)) {
      /* Transports reject non-object variables before gql_run. */
      json_decref(vars);
      vars = NULL;
    }
  }
  gql_request req = {
      .schema = fuzz_schema,
      .operation_name = name_text ? arena_strndup(a, name_text, name_len) : NULL,
      .variables = vars,
      .arena = a,
  };
  gql_operation_type selected = GQL_OP_QUERY;
  gql_run_options opts = {
      .limits = NULL,
      /* Vary the GET-request rule with the input so both settings run. */
      .forbid_mutations = (size & 1) != 0,
      .selected_type = &selected,
  };
  buf out;
  buf_init(&out, a);
  gql_run(&req, query, query_len, &opts, &out);
  /* The response must always be one JSON object. */
  json_t *resp =
      json_loadb(out.data ? out.data : "", out.len, JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, NULL);
  if (!resp || !json_is_object(resp)) {
    fprintf(stderr, "fuzz_engine: response is not a JSON object: %.*s\n", (int)out.len,
            out.data ? out.data : "");
    abort();
  }
  json_decref(resp);
  json_decref(vars);
  arena_free(a);
  return 0;
}
