// gql_exec.test.js — the gql-exec command line: options, exit statuses, the
// schema error format, and its JSON resolvers (compared with graphql-js).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { GQL_EXEC, SCHEMA_FILE, DATA_FILE, runGraphqlJs } = require('./lib');

function gqlExec(args, input) {
  return spawnSync(GQL_EXEC, args, { input: input ?? '', encoding: 'utf8' });
}

function withFile(name, text, fn) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gql-exec-'));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return fn(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('one query from stdin, one response line', () => {
  const r = gqlExec(['--schema', SCHEMA_FILE, '--data', DATA_FILE], '{ version book { title } }');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '{"data":{"version":"1.0.0","book":{"title":"Ancillary Justice"}}}\n');
});

test('--variables and --operation', () => {
  const query = 'query A { version } query B($n: Int!) { echo(int: $n) }';
  const r = gqlExec(
    ['--schema', SCHEMA_FILE, '--data', DATA_FILE, '--variables', '{"n": 5}', '--operation', 'B'],
    query,
  );
  assert.equal(r.status, 0, r.stderr);
  const expected = runGraphqlJs({ query, variables: { n: 5 }, operationName: 'B' });
  assert.deepEqual(JSON.parse(r.stdout), expected);
});

test('without --data the root value is an empty object', () => {
  const r = gqlExec(['--schema', SCHEMA_FILE], '{ serverTime echo(int: 1) }');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    data: { serverTime: null, echo: { int: 1, currency: 'USD' } },
  });
});

test('a response with errors still exits 0', () => {
  const r = gqlExec(['--schema', SCHEMA_FILE], '{ nope }');
  assert.equal(r.status, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).errors[0].message, /Cannot query field "nope"/);
});

test('--batch answers one line per request, bad lines included', () => {
  const input = [
    JSON.stringify({ query: '{ version }' }),
    'not json',
    JSON.stringify({ query: 'query ($i: Int) { echo(int: $i) }', variables: { i: 3 } }),
    JSON.stringify({ query: 'query A { version } query B { hello }', operationName: 'B' }),
  ].join('\n');
  const r = gqlExec(['--schema', SCHEMA_FILE, '--data', DATA_FILE, '--batch'], input + '\n');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 4);
  assert.deepEqual(lines[0], { data: { version: '1.0.0' } });
  assert.ok(lines[1].errors && !('data' in lines[1]));
  assert.deepEqual(lines[2], { data: { echo: { int: 3, currency: 'USD' } } });
  assert.deepEqual(lines[3], { data: { hello: 'Hello, world!' } });
});

test('usage errors exit 2', () => {
  for (const args of [
    [],
    ['--schema'],
    ['--schema', SCHEMA_FILE, '--bogus', 'x'],
    ['--schema', SCHEMA_FILE, '--variables', '[1]'],
    ['--schema', SCHEMA_FILE, '--variables', '{not json'],
    ['--schema', SCHEMA_FILE, '--batch', '--operation', 'A'],
  ]) {
    const r = gqlExec(args, '{ version }');
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /usage: gql-exec/);
  }
});

test('a schema that fails to build exits 1 with file:line:column messages', () => {
  withFile('bad.graphql', 'type Query {\n  a: Nope\n}\n', (file) => {
    const r = gqlExec(['--schema', file], '{ a }');
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:6: Unknown type "Nope"\\.`, 'm'));
  });
  withFile('syntax.graphql', 'type Query {\n  a: Int\n', (file) => {
    const r = gqlExec(['--schema', file], '{ a }');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /syntax\.graphql:3:1: Syntax Error: Expected Name, found <EOF>\./);
  });
  const r = gqlExec(['--schema', '/nonexistent/schema.graphql'], '{ a }');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot read/);
});

test('bad data files exit 1', () => {
  withFile('data.json', '[1, 2]', (file) => {
    const r = gqlExec(['--schema', SCHEMA_FILE, '--data', file], '{ version }');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /must be a JSON object/);
  });
  withFile('data.json', '{"a": ', (file) => {
    const r = gqlExec(['--schema', SCHEMA_FILE, '--data', file], '{ version }');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /data\.json:\d+:\d+: /);
  });
});
