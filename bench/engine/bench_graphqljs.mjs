// bench_graphqljs.mjs — the peer of bench_engine.c: graphql-js 16 (from
// bench/node_modules) parses, validates and executes the same query against
// the same schema, data and variables, and serialises the response with
// JSON.stringify (the C engine writes response text, so both sides end with
// the bytes a server would send). Resolvers are graphql-js's defaults, which
// do what the C bench's do: a field reads the parent object's property of
// the same name, an abstract type reads "__typename".
//
// Usage: node bench_graphqljs.mjs [--seconds S] [--compare FILE] [--print]
//   --compare FILE  check that FILE (bench_engine's response) holds the same
//                   JSON as ours, same keys in the same order; exit 1 if not
//   --print         print our response and exit
// Otherwise it warms up, then prints ops_per_sec=N (parse + validate +
// execute + stringify) and ops_per_sec_no_stringify=N.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const { buildSchema, parse, validate, execute } = require('graphql');

const read = (name) => readFileSync(join(here, name), 'utf8');
const schema = buildSchema(read('schema.graphql'));
const query = read('query.graphql');
const data = JSON.parse(read('data.json'));
const variables = JSON.parse(read('variables.json'));

function runOnce() {
  const document = parse(query);
  const errors = validate(schema, document);
  if (errors.length > 0) throw new Error(`invalid query: ${errors[0].message}`);
  return execute({ schema, document, rootValue: data, variableValues: variables });
}

function timeLoop(seconds, body) {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const start = process.hrtime.bigint();
  let n = 0;
  let now = start;
  do {
    for (let i = 0; i < 50; i++) body();
    n += 50;
    now = process.hrtime.bigint();
  } while (now < deadline);
  return n / (Number(now - start) / 1e9);
}

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const result = runOnce();
if (result.errors) {
  console.error('graphql-js returned errors:', JSON.stringify(result.errors));
  process.exit(1);
}
const ours = JSON.stringify(result);

if (args.includes('--print')) {
  console.log(ours);
  process.exit(0);
}
if (opt('--compare') !== undefined) {
  // JSON.parse then stringify normalises number spelling (C writes 1.0 as
  // Python does, JS writes 1) while keeping key order.
  const theirs = JSON.stringify(JSON.parse(readFileSync(opt('--compare'), 'utf8')));
  if (theirs !== ours) {
    let i = 0;
    while (i < ours.length && ours[i] === theirs[i]) i++;
    console.error(`responses differ at byte ${i}:\n  graphql-js: …${ours.slice(i - 60, i + 60)}\n  dagd:       …${theirs.slice(i - 60, i + 60)}`);
    process.exit(1);
  }
  console.log(`responses match (${ours.length} bytes)`);
  process.exit(0);
}

const seconds = Number(opt('--seconds') ?? 2);
let sink = 0;
timeLoop(Math.min(1, seconds / 2), () => { sink += JSON.stringify(runOnce()).length; });
const full = timeLoop(seconds, () => { sink += JSON.stringify(runOnce()).length; });
const noStringify = timeLoop(seconds / 2, () => { sink += runOnce().data ? 1 : 0; });
if (sink === 0) console.error('unreachable');
console.log(`ops_per_sec=${full.toFixed(1)}`);
console.log(`ops_per_sec_no_stringify=${noStringify.toFixed(1)}`);
