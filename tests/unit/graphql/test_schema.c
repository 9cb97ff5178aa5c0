/* test_schema.c — tests of graphql/schema.c and schema_build.c: building
 * schemas from SDL (definitions, extensions, descriptions, defaults,
 * @deprecated, @specifiedBy, @oneOf, root types, possible types, the set
 * and order of types and directives), the lookups, wrappers, type
 * predicates and relations, hook setters, resolver values and gql_arg, and
 * loading Dagster's real schema when /tmp/dagster-schema.graphql exists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>
#include <pthread.h>

#include "base/arena.h"
#include "base/buf.h"
#include "graphql/parser.h"
#include "graphql/schema.h"

static const char sdl[] =
    "\"\"\"The schema.\"\"\"\n"
    "schema { query: Root mutation: Mut }\n"
    "\"The root.\"\n"
    "type Root implements Node {\n"
    "  id: ID!\n"
    "  \"Finds pets.\"\n"
    "  pets(kind: Kind = DOG, first: Int! = 10 @deprecated(reason: \"use last\"), where: Where):"
    " [Pet!]!\n"
    "  old: String @deprecated\n"
    "  gone: String @deprecated(reason: \"Gone.\")\n"
    "  when: Date\n"
    "}\n"
    "type Mut { ping: Boolean }\n"
    "interface Node { id: ID! }\n"
    "interface Pet implements Node { id: ID! name: String }\n"
    "type Dog implements Pet & Node { id: ID! name: String barks: Boolean }\n"
    "type Cat implements Node & Pet { id: ID! name: String }\n"
    "union Animal = Dog | Cat\n"
    "enum Kind { DOG CAT @deprecated(reason: \"no cats\") }\n"
    "input Where @oneOf { name: String id: ID }\n"
    "scalar Date @specifiedBy(url: \"https://example.com/date\")\n"
    "extend type Cat { meows: Boolean }\n"
    "extend union Animal = Bird\n"
    "type Bird implements Node { id: ID! }\n"
    "extend enum Kind { BIRD }\n"
    "extend input Where { age: Float }\n"
    "extend interface Pet { age: Int }\n"
    "extend type Dog { age: Int }\n"
    "extend type Cat { age: Int }\n"
    "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT\n";

static gql_schema *build(const char *text) {
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(text, strlen(text), &errs);
  for (size_t i = 0; i < errs.n; i++)
    print_error("%s\n", errs.items[i]->message);
  assert_non_null(s);
  arena_free(a);
  return s;
}

static void test_types_and_fields(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  assert_string_equal(s->description, "The schema.");
  gql_type *root = gql_schema_type(s, "Root");
  assert_non_null(root);
  assert_ptr_equal(s->query, root);
  assert_ptr_equal(s->mutation, gql_schema_type(s, "Mut"));
  assert_null(s->subscription);
  assert_int_equal(root->kind, GQL_KIND_OBJECT);
  assert_string_equal(root->description, "The root.");
  assert_false(root->builtin);
  assert_int_equal(root->n_fields, 5);
  assert_int_equal(root->n_interfaces, 1);
  assert_ptr_equal(root->interfaces[0], gql_schema_type(s, "Node"));

  gql_field *pets = gql_type_field(root, "pets");
  assert_ptr_equal(pets, &root->fields[1]);
  assert_string_equal(pets->description, "Finds pets.");
  assert_ptr_equal(pets->owner, root);
  assert_string_equal(gql_type_str(s->arena, pets->type), "[Pet!]!");
  assert_int_equal(pets->n_args, 3);
  const gql_input_value *kind = gql_field_arg(pets, "kind");
  assert_ptr_equal(kind->type, gql_schema_type(s, "Kind"));
  assert_int_equal(kind->default_value->kind, GQL_VALUE_ENUM);
  assert_string_equal(kind->default_value->str, "DOG");
  const gql_input_value *first = gql_field_arg(pets, "first");
  assert_true(first->deprecated);
  assert_string_equal(first->deprecation_reason, "use last");
  assert_int_equal(first->default_value->ival, 10);
  assert_null(gql_field_arg(pets, "nope"));
  assert_null(gql_field_arg(pets, "where")->default_value);
  assert_int_equal(pets->loc.line, 7);
  assert_int_equal(pets->loc.column, 3);

  gql_field *old = gql_type_field(root, "old");
  assert_true(old->deprecated);
  assert_string_equal(old->deprecation_reason, "No longer supported");
  assert_string_equal(gql_type_field(root, "gone")->deprecation_reason, "Gone.");
  assert_false(gql_type_field(root, "id")->deprecated);
  assert_null(gql_type_field(root, "nope"));
  assert_null(gql_type_field(gql_schema_type(s, "Kind"), "DOG"));

  gql_type *date = gql_schema_type(s, "Date");
  assert_int_equal(date->kind, GQL_KIND_SCALAR);
  assert_string_equal(date->specified_by_url, "https://example.com/date");
  assert_non_null(date->scalar);
  assert_null(gql_schema_type(s, "Nope"));
  gql_schema_free(s);
}

static void test_extensions(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  gql_type *cat = gql_schema_type(s, "Cat");
  assert_int_equal(cat->n_fields, 4);
  assert_string_equal(cat->fields[2].name, "meows");
  assert_string_equal(cat->fields[3].name, "age");
  assert_non_null(gql_type_field(cat, "age"));
  gql_type *pet = gql_schema_type(s, "Pet");
  assert_int_equal(pet->n_fields, 3);

  gql_type *animal = gql_schema_type(s, "Animal");
  assert_int_equal(animal->n_possible, 3);
  assert_string_equal(animal->possible[2]->name, "Bird");

  gql_type *kind = gql_schema_type(s, "Kind");
  assert_int_equal(kind->n_values, 3);
  const gql_enum_value *cat_value = gql_type_enum_value(kind, "CAT");
  assert_true(cat_value->deprecated);
  assert_string_equal(cat_value->deprecation_reason, "no cats");
  assert_string_equal(gql_type_enum_value(kind, "BIRD")->name, "BIRD");
  assert_null(gql_type_enum_value(kind, "COW"));

  gql_type *where = gql_schema_type(s, "Where");
  assert_true(where->one_of);
  assert_int_equal(where->n_input_fields, 3);
  assert_string_equal(gql_type_input_field(where, "age")->type->name, "Float");
  assert_null(gql_type_input_field(where, "nope"));
  assert_null(gql_type_input_field(kind, "DOG"));
  gql_schema_free(s);
}

static void test_possible_types(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  gql_type *node = gql_schema_type(s, "Node");
  /* Objects implementing it, in definition order; interfaces are not listed. */
  assert_int_equal(node->n_possible, 4);
  assert_string_equal(node->possible[0]->name, "Root");
  assert_string_equal(node->possible[1]->name, "Dog");
  assert_string_equal(node->possible[2]->name, "Cat");
  assert_string_equal(node->possible[3]->name, "Bird");
  gql_type *pet = gql_schema_type(s, "Pet");
  assert_int_equal(pet->n_possible, 2);
  assert_true(gql_is_possible_type(pet, gql_schema_type(s, "Dog")));
  assert_false(gql_is_possible_type(pet, gql_schema_type(s, "Bird")));
  assert_false(gql_is_possible_type(gql_schema_type(s, "Dog"), gql_schema_type(s, "Dog")));
  gql_schema_free(s);
}

static void test_type_list_and_builtins(void **state) {
  (void)state;
  gql_schema *s = build("type Query { a: Foo } type Foo { b: Int } type Bar { c: Float }");
  /* graphql-js lists the same set: unreferenced ID is absent. */
  const char *expected[] = {
      "Query",   "Foo",          "Bar",         "Int",         "Float",
      "Boolean", "String",       "__Schema",    "__Type",      "__TypeKind",
      "__Field", "__InputValue", "__EnumValue", "__Directive", "__DirectiveLocation"};
  assert_int_equal(s->n_types, sizeof expected / sizeof expected[0]);
  for (size_t i = 0; i < s->n_types; i++) {
    assert_string_equal(s->types[i]->name, expected[i]);
    assert_int_equal(s->types[i]->builtin, i >= 3);
  }
  assert_null(gql_schema_type(s, "ID"));
  assert_non_null(gql_schema_type(s, "__Type"));
  assert_string_equal(gql_schema_type(s, "Int")->description,
                      "The `Int` scalar type represents non-fractional signed whole numeric "
                      "values. Int can represent values between -(2^31) and 2^31 - 1.");
  /* Default root names. */
  assert_ptr_equal(s->query, gql_schema_type(s, "Query"));
  assert_null(s->mutation);

  /* Directives: the user's first, then the specified ones. */
  gql_schema_free(s);
  s = build(sdl);
  const char *dirs[] = {"tag", "include", "skip", "deprecated", "specifiedBy", "oneOf"};
  assert_int_equal(s->n_directives, 6);
  for (size_t i = 0; i < 6; i++) {
    assert_string_equal(s->directives[i].name, dirs[i]);
    assert_int_equal(s->directives[i].builtin, i > 0);
  }
  const gql_schema_directive *tag = gql_schema_directive_named(s, "tag");
  assert_true(tag->repeatable);
  assert_int_equal(tag->locations, GQL_DL_FIELD_DEFINITION | GQL_DL_OBJECT);
  /* the declared order is kept beside the bit set */
  assert_int_equal(tag->n_locations, 2);
  assert_int_equal(1u << tag->location_order[0], GQL_DL_FIELD_DEFINITION);
  assert_int_equal(1u << tag->location_order[1], GQL_DL_OBJECT);
  const gql_schema_directive *dep = gql_schema_directive_named(s, "deprecated");
  assert_int_equal(dep->locations, GQL_DL_FIELD_DEFINITION | GQL_DL_ARGUMENT_DEFINITION |
                                       GQL_DL_INPUT_FIELD_DEFINITION | GQL_DL_ENUM_VALUE |
                                       GQL_DL_DIRECTIVE_DEFINITION);
  /* graphql-js 16.15's GraphQLDeprecatedDirective.locations, in its order */
  const char *dep_order[] = {"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION",
                             "ENUM_VALUE", "DIRECTIVE_DEFINITION"};
  assert_int_equal(dep->n_locations, 5);
  for (size_t i = 0; i < 5; i++)
    assert_string_equal(gql_directive_location_names[dep->location_order[i]], dep_order[i]);
  assert_int_equal(dep->n_args, 1);
  assert_string_equal(dep->args[0].default_value->str, "No longer supported");
  assert_string_equal(dep->description,
                      "Marks an element of a GraphQL schema as no longer supported.");
  const gql_schema_directive *skip = gql_schema_directive_named(s, "skip");
  assert_int_equal(skip->locations, GQL_DL_FIELD | GQL_DL_FRAGMENT_SPREAD | GQL_DL_INLINE_FRAGMENT);
  assert_string_equal(gql_type_str(s->arena, skip->args[0].type), "Boolean!");
  assert_null(gql_schema_directive_named(s, "nope"));
  assert_string_equal(gql_directive_location_names[12], "ARGUMENT_DEFINITION");
  assert_int_equal(GQL_DL_DIRECTIVE_DEFINITION, 1u << (GQL_DL_COUNT - 1));
  assert_string_equal(gql_directive_location_names[GQL_DL_COUNT - 1], "DIRECTIVE_DEFINITION");
  gql_schema_free(s);
}

static void test_meta_fields(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  gql_type *root = s->query;
  gql_type *dog = gql_schema_type(s, "Dog");
  assert_non_null(s->meta_typename);
  assert_ptr_equal(gql_schema_field(s, root, "__typename"), s->meta_typename);
  assert_ptr_equal(gql_schema_field(s, gql_schema_type(s, "Animal"), "__typename"),
                   s->meta_typename);
  assert_ptr_equal(gql_schema_field(s, root, "__schema"), s->meta_schema);
  assert_ptr_equal(gql_schema_field(s, root, "__type"), s->meta_type);
  assert_null(gql_schema_field(s, dog, "__schema"));
  assert_null(gql_schema_field(s, gql_schema_type(s, "Kind"), "__typename"));
  assert_ptr_equal(gql_schema_field(s, dog, "barks"), gql_type_field(dog, "barks"));
  gql_schema_free(s);
}

static void test_wrappers(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  gql_type *i = gql_schema_type(s, "Int");
  gql_type *li = gql_list_of(s, i);
  assert_int_equal(li->kind, GQL_KIND_LIST);
  assert_ptr_equal(li->of, i);
  assert_null(li->name);
  assert_ptr_equal(gql_list_of(s, i), li);
  gql_type *nn = gql_non_null_of(s, li);
  assert_ptr_equal(gql_non_null_of(s, li), nn);
  assert_ptr_equal(gql_non_null_of(s, nn), nn);
  assert_string_equal(gql_type_str(s->arena, nn), "[Int]!");
  assert_ptr_equal(gql_named_type(nn), i);
  assert_ptr_equal(gql_nullable_type(nn), li);
  assert_ptr_equal(gql_nullable_type(li), li);

  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  const char *q = "query($x: [[Kind!]]!, $y: Nope) { a }";
  gql_document *doc = gql_parse(a, q, strlen(q), NULL, &errs);
  assert_non_null(doc);
  const gql_operation *op = &doc->defs[0].u.operation;
  gql_type *t = gql_schema_resolve_type_ref(s, op->vars[0].type);
  assert_string_equal(gql_type_str(a, t), "[[Kind!]]!");
  assert_ptr_equal(gql_schema_resolve_type_ref(s, op->vars[0].type), t);
  assert_null(gql_schema_resolve_type_ref(s, op->vars[1].type));
  arena_free(a);
  gql_schema_free(s);
}

typedef struct wrap_job {
  gql_schema *s;
  gql_type *t;
  gql_type *got[200];
} wrap_job;

static void *wrap_many(void *p) {
  wrap_job *j = p;
  for (int i = 0; i < 200; i++)
    j->got[i] = gql_non_null_of(j->s, gql_list_of(j->s, gql_list_of(j->s, j->t)));
  return NULL;
}

static void test_wrappers_from_threads(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  wrap_job jobs[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    jobs[i].s = s;
    jobs[i].t = gql_schema_type(s, "Date");
    pthread_create(&th[i], NULL, wrap_many, &jobs[i]);
  }
  for (int i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 200; k++)
      assert_ptr_equal(jobs[i].got[k], jobs[0].got[0]);
  gql_schema_free(s);
}

static void test_predicates(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  gql_type *str = gql_schema_type(s, "String"), *kind = gql_schema_type(s, "Kind"),
           *where = gql_schema_type(s, "Where"), *dog = gql_schema_type(s, "Dog"),
           *pet = gql_schema_type(s, "Pet"), *animal = gql_schema_type(s, "Animal");
  gql_type *lw = gql_non_null_of(s, gql_list_of(s, where));
  assert_true(gql_is_input_type(str) && gql_is_input_type(kind) && gql_is_input_type(lw));
  assert_false(gql_is_input_type(dog) || gql_is_input_type(gql_list_of(s, animal)));
  assert_true(gql_is_output_type(str) && gql_is_output_type(kind) && gql_is_output_type(dog));
  assert_false(gql_is_output_type(lw));
  assert_true(gql_is_leaf_type(str) && gql_is_leaf_type(kind));
  assert_false(gql_is_leaf_type(dog) || gql_is_leaf_type(gql_list_of(s, str)));
  assert_true(gql_is_composite_type(dog) && gql_is_composite_type(pet) &&
              gql_is_composite_type(animal));
  assert_false(gql_is_composite_type(where) || gql_is_composite_type(str));
  assert_true(gql_is_abstract_type(pet) && gql_is_abstract_type(animal));
  assert_false(gql_is_abstract_type(dog));

  assert_true(gql_type_equal(gql_list_of(s, str), gql_list_of(s, str)));
  assert_false(gql_type_equal(gql_list_of(s, str), gql_non_null_of(s, str)));
  assert_false(gql_type_equal(str, kind));
  gql_schema_free(s);
}

static void test_subtypes_and_overlap(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  gql_type *node = gql_schema_type(s, "Node"), *dog = gql_schema_type(s, "Dog"),
           *pet = gql_schema_type(s, "Pet"), *animal = gql_schema_type(s, "Animal"),
           *bird = gql_schema_type(s, "Bird"), *root = gql_schema_type(s, "Root"),
           *str = gql_schema_type(s, "String");
  gql_type *nn_dog = gql_non_null_of(s, dog);
  assert_true(gql_type_is_subtype(s, dog, dog));
  assert_true(gql_type_is_subtype(s, nn_dog, dog));
  assert_false(gql_type_is_subtype(s, dog, nn_dog));
  assert_true(gql_type_is_subtype(s, dog, pet));
  assert_true(gql_type_is_subtype(s, pet, node)); /* interface implementing interface */
  assert_false(gql_type_is_subtype(s, node, pet));
  assert_true(gql_type_is_subtype(s, bird, animal));
  assert_false(gql_type_is_subtype(s, root, animal));
  assert_true(gql_type_is_subtype(s, gql_list_of(s, nn_dog), gql_list_of(s, pet)));
  assert_false(gql_type_is_subtype(s, gql_list_of(s, dog), dog));
  assert_false(gql_type_is_subtype(s, dog, gql_list_of(s, dog)));
  assert_false(gql_type_is_subtype(s, str, pet));

  assert_true(gql_types_overlap(dog, dog));
  assert_true(gql_types_overlap(pet, dog));
  assert_true(gql_types_overlap(dog, animal));
  assert_true(gql_types_overlap(pet, animal));
  assert_true(gql_types_overlap(node, animal));
  assert_false(gql_types_overlap(root, animal));
  assert_false(gql_types_overlap(dog, bird));
  assert_false(gql_types_overlap(pet, bird));
  gql_schema_free(s);
}

static gql_rv resolve_answer(const gql_resolve_info *info, const void *parent, void *data) {
  (void)info, (void)parent, (void)data;
  return gql_rv_int(42);
}

static gql_rv subscribe_answer(const gql_resolve_info *info, void *data) {
  (void)info, (void)data;
  return gql_rv_null();
}

static const gql_type *pick_type(const gql_schema *schema, const gql_type *abstract,
                                 const gql_rv *value, void *data) {
  (void)abstract, (void)value, (void)data;
  return gql_schema_type(schema, "Dog");
}

static void test_hooks(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  int data = 0;
  assert_int_equal(gql_schema_set_resolver(s, "Root.pets", resolve_answer, &data), 0);
  gql_field *pets = gql_type_field(s->query, "pets");
  assert_ptr_equal(pets->resolve, resolve_answer);
  assert_ptr_equal(pets->resolve_data, &data);
  assert_int_equal(gql_schema_set_resolver(s, "Root.nope", resolve_answer, NULL), -1);
  assert_int_equal(gql_schema_set_resolver(s, "Nope.pets", resolve_answer, NULL), -1);
  assert_int_equal(gql_schema_set_resolver(s, "Rootpets", resolve_answer, NULL), -1);
  assert_int_equal(gql_schema_set_resolver(s, "Pet.name", resolve_answer, NULL), 0);

  assert_int_equal(gql_schema_set_subscribe(s, "Mut.ping", subscribe_answer, &data), 0);
  assert_ptr_equal(gql_type_field(s->mutation, "ping")->subscribe, subscribe_answer);
  assert_int_equal(gql_schema_set_subscribe(s, "Mut.pong", subscribe_answer, NULL), -1);

  assert_int_equal(gql_schema_set_resolve_type(s, "Animal", pick_type, &data), 0);
  assert_ptr_equal(gql_schema_type(s, "Animal")->resolve_type, pick_type);
  assert_int_equal(gql_schema_set_resolve_type(s, "Pet", pick_type, NULL), 0);
  assert_int_equal(gql_schema_set_resolve_type(s, "Dog", pick_type, NULL), -1);
  assert_int_equal(gql_schema_set_resolve_type(s, "Nope", pick_type, NULL), -1);

  assert_ptr_equal(gql_schema_type(s, "Date")->scalar, gql_schema_type(s, "Date")->scalar);
  assert_int_equal(gql_schema_set_scalar(s, "Date", &gql_json_scalar_hooks), 0);
  assert_ptr_equal(gql_schema_type(s, "Date")->scalar, &gql_json_scalar_hooks);
  assert_int_equal(gql_schema_set_scalar(s, "String", &gql_json_scalar_hooks), -1);
  assert_int_equal(gql_schema_set_scalar(s, "Dog", &gql_json_scalar_hooks), -1);
  assert_int_equal(gql_schema_set_scalar(s, "Nope", &gql_json_scalar_hooks), -1);

  gql_schema_set_default_resolver(s, resolve_answer, &data);
  assert_ptr_equal(s->default_resolve, resolve_answer);
  assert_ptr_equal(s->default_resolve_data, &data);
  gql_schema_set_default_resolve_type(s, pick_type, &data);
  assert_ptr_equal(s->default_resolve_type, pick_type);
  gql_schema_free(s);
}

static void test_resolver_values(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_rv r = gql_rv_string("héllo");
  assert_int_equal(r.kind, GQL_RV_STRING);
  assert_int_equal(r.u.str.len, strlen("héllo"));
  assert_int_equal(gql_rv_string(NULL).kind, GQL_RV_NULL);
  assert_int_equal(gql_rv_json(NULL).kind, GQL_RV_NULL);
  json_t *j = json_integer(3);
  assert_ptr_equal(gql_rv_json(j).u.json, j);
  json_decref(j);
  int x;
  gql_rv o = gql_rv_object(&x, NULL);
  assert_int_equal(o.kind, GQL_RV_OBJECT);
  assert_ptr_equal(o.u.obj.ptr, &x);
  gql_rv l = gql_rv_list(a, 3);
  assert_int_equal(l.u.list.n, 3);
  assert_int_equal(l.u.list.items[2].kind, GQL_RV_NULL);
  assert_int_equal(gql_rv_list(a, 0).u.list.n, 0);
  gql_rv e = gql_rv_errorf(a, "Run %s not found (%d)", "abc", 404);
  assert_int_equal(e.kind, GQL_RV_ERROR);
  assert_string_equal(e.u.error, "Run abc not found (404)");
  arena_free(a);
}

static void test_gql_arg(void **state) {
  (void)state;
  gql_schema *s = build(sdl);
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_field *pets = gql_type_field(s->query, "pets");
  const gql_value *args[3] = {gql_parse_value(a, "CAT", 3, &errs), NULL,
                              gql_parse_value(a, "{id: 1}", 7, &errs)};
  gql_resolve_info info = {
      .schema = s, .field = pets, .parent_type = s->query, .arena = a, .args = args};
  assert_string_equal(gql_arg(&info, "kind")->str, "CAT");
  assert_null(gql_arg(&info, "first"));
  assert_int_equal(gql_arg(&info, "where")->kind, GQL_VALUE_OBJECT);
  assert_null(gql_arg(&info, "nope"));
  arena_free(a);
  gql_schema_free(s);
}

static void test_failure_returns_null(void **state) {
  (void)state;
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  const char *bad = "type Query { a: Nope b: Int b: Int }";
  assert_null(gql_schema_build(bad, strlen(bad), &errs));
  assert_int_equal(errs.n, 2); /* every error, not just the first */
  assert_string_equal(errs.items[0]->message, "Field \"Query.b\" can only be defined once.");
  assert_string_equal(errs.items[1]->message, "Unknown type \"Nope\".");
  arena_free(a);
}

static char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  *len = fread(text, 1, (size_t)n, f);
  text[*len] = '\0';
  fclose(f);
  return text;
}

static void test_dagster_schema(void **state) {
  (void)state;
  size_t len = 0;
  char *text = read_file("/tmp/dagster-schema.graphql", &len);
  if (!text)
    skip();
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(text, len, &errs);
  for (size_t i = 0; i < errs.n && i < 5; i++)
    print_error("%s\n", errs.items[i]->message);
  assert_non_null(s);
  print_message("Dagster schema: %zu types, Query has %zu fields\n", s->n_types,
                s->query->n_fields);
  assert_true(s->n_types > 400);
  assert_non_null(s->mutation);
  assert_non_null(s->subscription);
  /* Every field of every type is found through the lookup. */
  for (size_t i = 0; i < s->n_types; i++) {
    gql_type *t = s->types[i];
    assert_ptr_equal(gql_schema_type(s, t->name), t);
    for (size_t k = 0; k < t->n_fields; k++)
      assert_ptr_equal(gql_type_field(t, t->fields[k].name), &t->fields[k]);
  }
  gql_type *run = gql_schema_type(s, "Run");
  assert_true(gql_is_possible_type(gql_schema_type(s, "PipelineRun"), run));
  assert_true(gql_is_possible_type(gql_schema_type(s, "RunOrError"), run));
  assert_true(gql_schema_type(s, "GenericScalar")->kind == GQL_KIND_SCALAR);
  gql_schema_free(s);
  arena_free(a);
  free(text);
}

/* Regression: the builder's type table grows past 64 entries with
 * arena_realloc, which does not zero; entries after the 64th once kept
 * garbage field lists. Fresh memory is filled with a non-zero byte (glibc's
 * M_PERTURB; ASan fills it itself) so the bug cannot hide behind zeroes. */
static void test_many_types(void **state) {
  (void)state;
#ifdef M_PERTURB
  mallopt(M_PERTURB, 165);
#endif
  buf b;
  buf_init(&b, NULL);
  buf_puts(&b, "type Query { t0: T0 }\n");
  for (int i = 0; i < 200; i++)
    buf_printf(&b, "type T%d { f%d: Int next: T%d }\n", i, i, (i + 1) % 200);
  arena *a = arena_new(0);
  gql_errors errs;
  gql_errors_init(&errs, a);
  gql_schema *s = gql_schema_build(b.data, b.len, &errs);
  assert_non_null(s);
  assert_int_equal(errs.n, 0);
  for (int i = 0; i < 200; i++) {
    char name[16], field[16];
    snprintf(name, sizeof name, "T%d", i);
    snprintf(field, sizeof field, "f%d", i);
    gql_type *t = gql_schema_type(s, name);
    assert_non_null(t);
    assert_int_equal(t->n_fields, 2);
    assert_string_equal(t->fields[0].name, field);
    assert_non_null(gql_type_field(t, "next"));
  }
  gql_schema_free(s);
  arena_free(a);
  buf_free(&b);
#ifdef M_PERTURB
  mallopt(M_PERTURB, 0);
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_types_and_fields),      cmocka_unit_test(test_extensions),
      cmocka_unit_test(test_possible_types),        cmocka_unit_test(test_type_list_and_builtins),
      cmocka_unit_test(test_meta_fields),           cmocka_unit_test(test_wrappers),
      cmocka_unit_test(test_wrappers_from_threads), cmocka_unit_test(test_predicates),
      cmocka_unit_test(test_subtypes_and_overlap),  cmocka_unit_test(test_hooks),
      cmocka_unit_test(test_resolver_values),       cmocka_unit_test(test_gql_arg),
      cmocka_unit_test(test_failure_returns_null),  cmocka_unit_test(test_many_types),
      cmocka_unit_test(test_dagster_schema),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
