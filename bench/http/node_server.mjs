// node_server.mjs — the Node peer of `dagd webserver` for the HTTP benchmark
// (scripts/bench-http.sh): graphql-js 16 behind graphql-http's reference
// handler (`createHandler` from graphql-http/lib/use/http) on node:http,
// both pinned in bench/package.json. It serves the schema dagd answers the
// benchmark query from, `type Query { version: String! }`, at /graphql with
// the same version string, so both servers send the same response body.
//
// Usage: node node_server.mjs [--host H] [--port P] [--version V] [--workers N]
//   --port 0 (the default) picks a free port; once listening it prints
//   "node graphql-http listening on http://HOST:PORT/graphql" on stderr, as
//   dagd does. --workers N > 1 runs N processes with node:cluster sharing
//   the port (node's usual way to use more than one core); default 1, the
//   plain single-process deployment. SIGTERM/SIGINT close it.
import cluster from 'node:cluster';
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
const version = opt('--version', '0.1.0');
const workers = Math.max(1, Number(opt('--workers', '1')) | 0);

function announce(address) {
  process.stderr.write(
    `node graphql-http listening on http://${host}:${address.port}/graphql\n`,
  );
}

function serve() {
  const schema = buildSchema('type Query { version: String! }');
  const rootValue = { version };
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

if (workers > 1 && cluster.isPrimary) {
  let listening = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('listening', (_worker, address) => {
    if (++listening === workers) announce(address);
  });
  const stop = () => {
    for (const w of Object.values(cluster.workers)) w.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const server = serve();
  // In a cluster worker, port 0 gives every worker the same shared port.
  server.listen(port, host, () => {
    if (cluster.isPrimary) announce(server.address());
  });
}
