// lib.js — what the differential tests share: the schema and data, graphql-js
// run the way gql-exec runs a request, and gql-exec itself.
//
// Both sides resolve every field from the JSON data in the same way: a
// field's value is its parent object's entry under the field's name; a field
// with arguments and no entry returns its coerced arguments; abstract types
// take the concrete type from "__typename". gql-exec runs in --batch mode
// (one request a line) so the whole corpus costs one process.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const test = require('node:test');
const assert = require('node:assert/strict');
const graphql = require('graphql');
const knownFailures = require('./known_failures.json');

const ROOT = path.resolve(__dirname, '..', '..');
const SCHEMA_FILE = path.join(__dirname, 'schema.graphql');
const DATA_FILE = path.join(__dirname, 'data.json');
const GQL_EXEC = process.env.GQL_EXEC || path.join(ROOT, 'build', 'gql-exec');

const sdl = fs.readFileSync(SCHEMA_FILE, 'utf8');
const data = JSON.parse(fs.readFileSync(DATA_FILE, 'utf8'));
const schema = graphql.buildSchema(sdl);

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// The JSON resolver gql-exec uses, in JavaScript.
function fieldResolver(source, args, _context, info) {
  const has = isObject(source) && Object.prototype.hasOwnProperty.call(source, info.fieldName);
  if (has) return source[info.fieldName];
  const def = info.parentType.getFields()[info.fieldName];
  return def && def.args.length > 0 ? args : null;
}

// A response as graphql-js's GraphQL-over-HTTP servers write it: errors
// first, then data; only message, locations and path of each error.
function response(errors, data, hasData) {
  const out = {};
  if (errors && errors.length > 0) out.errors = errors.map((e) => e.toJSON());
  if (hasData) out.data = data;
  return JSON.parse(JSON.stringify(out));
}

// Parses, validates and executes a request with graphql-js.
function runGraphqlJs({ query, variables, operationName }) {
  let document;
  try {
    document = graphql.parse(query);
  } catch (e) {
    if (e instanceof graphql.GraphQLError) return response([e], null, false);
    throw e;
  }
  const validationErrors = graphql.validate(schema, document);
  if (validationErrors.length > 0) return response(validationErrors, null, false);
  const result = graphql.execute({
    schema,
    document,
    rootValue: data,
    variableValues: variables,
    operationName,
    fieldResolver,
  });
  return response(result.errors, result.data, 'data' in result);
}

function execRequests(requests, timeout) {
  const input = requests.map((r) => JSON.stringify(r) + '\n').join('');
  return spawnSync(GQL_EXEC, ['--schema', SCHEMA_FILE, '--data', DATA_FILE, '--batch'], {
    input,
    encoding: 'utf8',
    timeout,
    maxBuffer: 256 * 1024 * 1024,
  });
}

function parseLine(line) {
  try {
    return JSON.parse(line);
  } catch (e) {
    return { crash: `gql-exec printed invalid JSON (${e.message}): ${line.slice(0, 300)}` };
  }
}

// Runs every request through gql-exec --batch. Returns {results, problems}:
// one result per request (the parsed response, or {crash: reason} when
// gql-exec died on it or printed garbage), and the problems seen at exit
// (a non-zero status after every response was printed, sanitizer reports).
// After a crash the remaining requests run in a new process, so one bad
// query does not hide the others' results.
function runGqlExec(requests) {
  const results = new Array(requests.length);
  const problems = [];
  let start = 0;
  while (start < requests.length) {
    const rest = requests.slice(start);
    const r = execRequests(rest, 120000);
    if (r.error) throw new Error(`cannot run ${GQL_EXEC}: ${r.error.message}`);
    const lines = r.stdout.split('\n');
    lines.pop(); // '' after the last newline, or a line cut short by a crash
    const usable = Math.min(lines.length, rest.length);
    for (let i = 0; i < usable; i++) results[start + i] = parseLine(lines[i]);
    start += usable;
    if (start === requests.length) {
      if (r.status !== 0 || r.stderr.trim() !== '') {
        const how = r.signal ? `signal ${r.signal}` : `exit status ${r.status}`;
        problems.push(`gql-exec --batch ended with ${how}: ${r.stderr.trim().slice(0, 2000)}`);
      }
      break;
    }
    // The request at `start` ended the process: record why, go on after it.
    const alone = execRequests([requests[start]], 20000);
    const how = alone.signal ? `signal ${alone.signal}` : `exit status ${alone.status}`;
    results[start] = {
      crash: `gql-exec died (${how}): ${(alone.stderr || '').trim().slice(0, 1000)}`,
    };
    start++;
  }
  return { results, problems };
}

// Tests whose failure is known (known_failures.json: {name, reason, file?};
// file defaults to difftest.test.js, where names are corpus entry names).
// checkedTest runs a synchronous check right away and declares the test:
// a known failure becomes a "todo" test, a known failure that passes fails
// (so the list gets emptied as bugs are fixed). finishKnownFailures adds a
// test that every entry for the file named a test that exists.
class KnownFailures {
  constructor(file) {
    this.file = file;
    this.reasons = new Map(
      knownFailures
        .filter((k) => (k.file || 'difftest.test.js') === file)
        .map((k) => [k.name, k.reason]),
    );
    this.seen = new Set();
  }

  checkedTest(name, check) {
    this.seen.add(name);
    let error = null;
    try {
      check();
    } catch (e) {
      error = e;
    }
    const reason = this.reasons.get(name);
    if (reason === undefined) {
      test(name, () => {
        if (error) throw error;
      });
    } else if (error) {
      test(name, { todo: reason }, () => {
        throw error;
      });
    } else {
      test(name, () => {
        assert.fail(`passes now: remove it from known_failures.json (${reason})`);
      });
    }
  }

  finish() {
    test(`known_failures.json entries for ${this.file} name existing tests`, () => {
      const unknown = [...this.reasons.keys()].filter((n) => !this.seen.has(n));
      assert.deepEqual(unknown, []);
      const unexplained = [...this.reasons].filter(([, r]) => !r).map(([n]) => n);
      assert.deepEqual(unexplained, [], 'entries without a reason');
    });
  }
}

module.exports = {
  KnownFailures,
  ROOT,
  GQL_EXEC,
  SCHEMA_FILE,
  DATA_FILE,
  sdl,
  data,
  schema,
  runGraphqlJs,
  runGqlExec,
};
