// difftest.test.js — runs every request of corpus.js through graphql-js (the
// expectation) and gql-exec, and asserts the responses agree: the same
// outcome (data or not), the same errors in the same order (message,
// locations, path) and the same data, keys in the same order.
//
// Entries listed in known_failures.json (engine bugs being fixed) run as
// "todo" tests; an entry listed there that passes, or that names no corpus
// entry, fails the suite so the list stays accurate (see KnownFailures).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { isDeepStrictEqual } = require('node:util');
const corpus = require('./corpus');
const { runGraphqlJs, runGqlExec, GQL_EXEC, KnownFailures } = require('./lib');

function requestOf(entry) {
  const r = { query: entry.query };
  if (entry.variables !== undefined) r.variables = entry.variables;
  if (entry.operationName !== undefined) r.operationName = entry.operationName;
  return r;
}

// Why got differs from expected, or null when they agree. Numbers compare
// by value, except that -0 and 0 are the same (gql-exec writes -0.0 as
// Python does, graphql-js writes 0).
function difference(expected, got) {
  got = JSON.parse(JSON.stringify(got), (_k, v) => (Object.is(v, -0) ? 0 : v));
  if (got.crash) return got.crash;
  if ('data' in expected !== 'data' in got)
    return `"data" ${'data' in expected ? 'expected but absent' : 'present but not expected'}`;
  const errorsWanted = expected.errors || [];
  const errorsGot = got.errors || [];
  if (!isDeepStrictEqual(errorsGot, errorsWanted)) return 'errors differ';
  if (!isDeepStrictEqual(got.data, expected.data)) return 'data differs';
  // Object key order is part of a response (fields in selection order).
  if (JSON.stringify(got.data) !== JSON.stringify(expected.data)) return 'data key order differs';
  const extra = Object.keys(got).filter((k) => k !== 'data' && k !== 'errors');
  if (extra.length > 0) return `unexpected response keys: ${extra.join(', ')}`;
  return null;
}

const names = new Set();
const duplicates = corpus.filter((e) => names.has(e.name) || !names.add(e.name)).map((e) => e.name);

const expected = corpus.map((entry) => runGraphqlJs(requestOf(entry)));
let run;
let runError = null;
try {
  run = runGqlExec(corpus.map(requestOf));
} catch (e) {
  runError = e;
}

test('corpus is well-formed', () => {
  assert.ok(corpus.length >= 300, `only ${corpus.length} entries`);
  assert.deepEqual(duplicates, [], 'duplicate entry names');
});

test(`gql-exec runs (${GQL_EXEC})`, () => {
  if (runError) throw runError;
  assert.deepEqual(run.problems, []);
});

const known = new KnownFailures('difftest.test.js');
if (run) {
  corpus.forEach((entry, i) => {
    known.checkedTest(entry.name, () => {
      const diff = difference(expected[i], run.results[i]);
      if (diff === null) return;
      assert.fail(
        `${diff}\nquery: ${entry.query}\n` +
          (entry.variables ? `variables: ${JSON.stringify(entry.variables)}\n` : '') +
          `expected: ${JSON.stringify(expected[i])}\n` +
          `got:      ${JSON.stringify(run.results[i])}`,
      );
    });
  });
  known.finish();
}
