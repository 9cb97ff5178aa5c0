// runs_server.mjs — the Node peer of `dagd webserver` for the runs-page
// benchmark (scripts/bench-runs.sh): graphql-js 16 behind graphql-http's
// reference handler on node:http, as bench/http/node_server.mjs, answering
// `runsOrError(filter, cursor, limit)` from an in-memory array of the same
// runs dagd serves from SQLite (the JSON lines `seed_runs --dump` wrote).
// The comparison favours the peer: no database, no persistence, and every
// run's runConfigYaml is computed once at load instead of per request.
//
// The schema is the part of dagd's (src/api/schema.graphql) the benchmark's
// query reaches, with the same names and types, so both servers validate
// and answer the query alike; the script checks that their responses are
// the same bytes before timing. Filtering follows Dagster's RunsFilter as
// dagd does: every given field ANDed, runIds and statuses match any listed
// value, every tag must match; newest first; cursor is an exclusive run id.
//
// Usage: node runs_server.mjs --runs FILE [--host H] [--port P]
//   --port 0 (the default) picks a free port; once listening it prints
//   "node graphql-http listening on http://HOST:PORT/graphql" on stderr, as
//   dagd does. SIGTERM/SIGINT close it.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
const { buildSchema } = require('graphql');
const { createHandler } = require('graphql-http/lib/use/http');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const host = opt('--host', '127.0.0.1');
const port = Number(opt('--port', '0'));
const runsFile = opt('--runs', null);
if (!runsFile) {
  process.stderr.write('usage: node runs_server.mjs --runs FILE [--host H] [--port P]\n');
  process.exit(2);
}

const sdl = `
enum RunStatus { QUEUED NOT_STARTED MANAGED STARTING STARTED SUCCESS FAILURE CANCELING CANCELED }
input ExecutionTag { key: String! value: String! }
input RunsFilter {
  runIds: [String]
  pipelineName: String
  tags: [ExecutionTag!]
  statuses: [RunStatus!]
  snapshotId: String
  updatedAfter: Float
  updatedBefore: Float
  createdBefore: Float
  createdAfter: Float
  mode: String
}
interface Error { message: String! }
type PythonError implements Error { message: String! }
type InvalidPipelineRunsFilterError implements Error { message: String! }
type Run {
  runId: String!
  jobName: String!
  status: RunStatus!
  runConfigYaml: String!
  creationTime: Float!
  startTime: Float
  endTime: Float
  updateTime: Float
}
type Runs { results: [Run!]! count: Int }
union RunsOrError = Runs | InvalidPipelineRunsFilterError | PythonError
type Query { runsOrError(filter: RunsFilter, cursor: String, limit: Int): RunsOrError! }
`;

// PyYAML's block style (yaml.dump, default_flow_style=False), as Dagster's
// runConfigYaml is written, for the nested mappings of plain keys and
// numbers the seeded run configs hold.
function yamlDump(value, indent = '') {
  if (Object.keys(value).length === 0) return '{}\n';
  let out = '';
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object') out += `${indent}${k}:\n${yamlDump(v, `${indent}  `)}`;
    else out += `${indent}${k}: ${v}\n`;
  }
  return out;
}

function loadRuns(path) {
  const runs = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line);
    runs.push({
      runId: r.runId,
      jobName: r.jobName,
      status: r.status,
      runConfigYaml: yamlDump(r.runConfig),
      creationTime: r.creationTime,
      startTime: r.startTime,
      endTime: r.endTime,
      updateTime: r.endTime,
      mode: 'default',
      tags: r.tags,
    });
  }
  return runs.reverse(); // newest first, as runs are listed
}

function matches(run, f) {
  if (f.runIds && f.runIds.length && !f.runIds.includes(run.runId)) return false;
  if (f.pipelineName != null && run.jobName !== f.pipelineName) return false;
  if (f.statuses && f.statuses.length && !f.statuses.includes(run.status)) return false;
  if (f.tags && !f.tags.every((t) => run.tags[t.key] === t.value)) return false;
  if (f.mode != null && run.mode !== f.mode) return false;
  if (f.createdBefore != null && !(run.creationTime < f.createdBefore)) return false;
  if (f.createdAfter != null && !(run.creationTime > f.createdAfter)) return false;
  if (f.updatedBefore != null && !(run.updateTime < f.updatedBefore)) return false;
  if (f.updatedAfter != null && !(run.updateTime > f.updatedAfter)) return false;
  return f.snapshotId == null; // no run of the data set has a snapshot
}

function serve(runs) {
  const schema = buildSchema(sdl);
  const byId = new Map(runs.map((r, i) => [r.runId, i]));
  const select = (filter, cursor, limit) => {
    const f = filter || {};
    const from = cursor == null ? 0 : (byId.get(cursor) ?? runs.length) + 1;
    const max = limit == null || limit < 0 ? Infinity : limit;
    const out = [];
    for (let i = from; i < runs.length && out.length < max; i++) {
      if (matches(runs[i], f)) out.push(runs[i]);
    }
    return out;
  };
  const rootValue = {
    runsOrError: ({ filter, cursor, limit }) => ({
      __typename: 'Runs',
      results: () => select(filter, cursor, limit),
      count: () => select(filter, null, -1).length,
    }),
  };
  const graphql = createHandler({ schema, rootValue });
  const server = http.createServer((req, res) => {
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    if (path === '/graphql') {
      graphql(req, res).catch((err) => {
        res.writeHead(500).end(String(err));
      });
      return;
    }
    res.writeHead(404).end();
  });
  // Closing with keep-alive connections open must not hang the bench.
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

const server = serve(loadRuns(runsFile));
server.listen(port, host, () => {
  process.stderr.write(
    `node graphql-http listening on http://${host}:${server.address().port}/graphql\n`,
  );
});
