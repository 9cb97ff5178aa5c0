// introspection.test.js — the introspection round trip: graphql-js's full
// introspection query (every optional part switched on) runs through
// gql-exec, graphql-js rebuilds a schema from the result, and that schema
// must print exactly as the SDL it came from.
'use strict';

const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const graphql = require('graphql');
const { sdl, runGqlExec, GQL_EXEC, KnownFailures } = require('./lib');

const known = new KnownFailures('introspection.test.js');

const OPTIONS = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
};

function printSorted(s) {
  return graphql.printSchema(graphql.lexicographicSortSchema(s));
}

known.checkedTest('introspection round trip rebuilds the same schema', () => {
  const query = graphql.getIntrospectionQuery(OPTIONS);
  const { results, problems } = runGqlExec([{ query }]);
  assert.deepEqual(problems, []);
  const result = results[0];
  assert.equal(result.crash, undefined, result.crash);
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  const rebuilt = graphql.buildClientSchema(result.data);
  assert.equal(printSorted(rebuilt), printSorted(graphql.buildSchema(sdl)));
});

// graphql-js's own answer to the introspection query, as JSON.
function introspect(s, query) {
  const result = graphql.graphqlSync({ schema: s, source: query });
  assert.equal(result.errors, undefined, 'graphql-js failed the introspection query');
  return JSON.parse(JSON.stringify(result.data));
}

// The built-in directives are left out of the comparison: the corpus entry
// introspection/directives covers them (and the full introspection result
// of the main schema is the corpus entry introspection/full-everything).
function withoutBuiltinDirectives(result) {
  const builtin = new Set(graphql.specifiedDirectives.map((d) => d.name));
  const copy = structuredClone(result);
  copy.__schema.directives = copy.__schema.directives.filter((d) => !builtin.has(d.name));
  return copy;
}

// Schemas built from the type-system features one by one, so that a
// failure names the feature.
const SMALL_SCHEMAS = {
  'descriptions and deprecations': `
    """Root"""
    type Query {
      "a field"
      a(x: Int = 1 @deprecated(reason: "old")): String @deprecated
      b: E
    }
    enum E { ONE TWO @deprecated(reason: "two") }`,
  'interfaces implementing interfaces': `
    interface A { id: ID! }
    interface B implements A { id: ID! name: String }
    type C implements B & A { id: ID! name: String extra: [Int!]! }
    type Query { b: B c: C }`,
  'unions and input objects': `
    type X { x: Int } type Y { y: Int }
    union U = X | Y
    input I { a: Int = 3, b: [String!]! = ["s"], nested: J }
    input J @oneOf { p: Int, q: String }
    type Query { u(i: I, j: J): U }`,
  'mutation and subscription roots': `
    schema { query: Q mutation: M subscription: S }
    type Q { a: Int }
    type M { b(x: Float = 1.5): Boolean }
    type S { c: String }`,
  'custom scalars and directives': `
    scalar Url @specifiedBy(url: "https://url.spec.whatwg.org/")
    directive @cached(ttl: Int = 60) repeatable on FIELD_DEFINITION | OBJECT
    directive @tag(name: String!) on QUERY | FIELD
    type Query { home: Url }`,
};

for (const [name, source] of Object.entries(SMALL_SCHEMAS)) {
  known.checkedTest(`round trip: ${name}`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'difftest-'));
    try {
      const file = path.join(dir, 'schema.graphql');
      fs.writeFileSync(file, source);
      const query = graphql.getIntrospectionQuery(OPTIONS);
      const r = spawnSync(GQL_EXEC, ['--schema', file], { input: query, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      assert.deepEqual(
        withoutBuiltinDirectives(result.data),
        withoutBuiltinDirectives(introspect(graphql.buildSchema(source), query)),
      );
      assert.equal(
        printSorted(graphql.buildClientSchema(result.data)),
        printSorted(graphql.buildSchema(source)),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

known.finish();
