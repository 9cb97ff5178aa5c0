// http.test.mjs — GraphQL over HTTP against a real `dagd webserver`:
// methods, media types, parameters, status codes (docs/http.md), limits,
// keep-alive, concurrency, the graphql-http audit, and process behaviour
// (port in use, SIGTERM drain, access log).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { auditServer } from 'graphql-http';

import { DAGD, RawConnection, rawPost, runDagd, startServer } from './server.mjs';

const version = execFileSync(DAGD, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
const JSON_CT = 'application/json';
const GQL_CT = 'application/graphql-response+json';

async function post(url, body, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': JSON_CT, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseOrNull(text) };
}

async function get(url, params = {}, headers = {}) {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  const res = await fetch(u, { headers, redirect: 'manual' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parseOrNull(text) };
}

function parseOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function assertRequestError(r, status, pattern) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.data, undefined);
  assert.equal(r.json.errors.length, 1);
  assert.match(r.json.errors[0].message, pattern);
}

describe('dagd webserver: GraphQL over HTTP', () => {
  let s;
  before(async () => {
    s = await startServer();
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  test('POST application/json runs the query', async () => {
    const r = await post(s.url, { query: '{ version __typename }' });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(r.json, { data: { version, __typename: 'Query' } });
  });

  test('POST application/graphql takes the body as the query', async () => {
    const r = await post(s.url, '{ version }', { 'content-type': 'application/graphql' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { data: { version } });
  });

  test('GET with query, variables and operationName in the URL', async () => {
    const r = await get(s.url, {
      query: 'query A { __typename } query B($skip: Boolean!) { version @skip(if: $skip) }',
      operationName: 'B',
      variables: '{"skip": false}',
    });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { data: { version } });
  });

  test('variables as an object and as a JSON string (as Dagster accepts them)', async () => {
    const query = 'query ($skip: Boolean!) { version @skip(if: $skip) __typename }';
    const asObject = await post(s.url, { query, variables: { skip: true } });
    assert.deepEqual(asObject.json, { data: { __typename: 'Query' } });
    const asString = await post(s.url, { query, variables: '{"skip": false}' });
    assert.deepEqual(asString.json, { data: { version, __typename: 'Query' } });
    const nullString = await post(s.url, { query: '{ version }', variables: 'null' });
    assert.deepEqual(nullString.json, { data: { version } });
  });

  test('variables that are not an object are a request error (400)', async () => {
    assertRequestError(await post(s.url, { query: '{ version }', variables: '[1]' }), 400,
      /"variables" parameter must be a JSON object/);
    assertRequestError(await post(s.url, { query: '{ version }', variables: '{oops' }), 400,
      /"variables" parameter is not valid JSON/);
    assertRequestError(await post(s.url, { query: '{ version }', variables: 3 }), 400,
      /"variables" parameter must be a JSON object/);
    assertRequestError(await get(s.url, { query: '{ version }', variables: '"x"' }), 400,
      /"variables" parameter must be a JSON object/);
  });

  test('operationName selects the operation; null and extensions are allowed', async () => {
    const query = 'query A { version } query B { __typename }';
    const b = await post(s.url, { query, operationName: 'B', variables: null, extensions: { a: 1 } });
    assert.deepEqual(b.json, { data: { __typename: 'Query' } });
    const none = await post(s.url, { query, operationName: null });
    assert.equal(none.status, 200);
    assert.deepEqual(none.json, {
      errors: [{ message: 'Must provide operation name if query contains multiple operations.' }],
    });
    const unknown = await post(s.url, { query, operationName: 'C' }, { accept: GQL_CT });
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.json, { errors: [{ message: 'Unknown operation named "C".' }] });
    assertRequestError(await post(s.url, { query, operationName: 7 }), 400,
      /"operationName" parameter must be a string/);
    assertRequestError(await post(s.url, { query, extensions: 'x' }), 400,
      /"extensions" parameter must be a JSON object/);
  });

  test('application/json: parse and validation errors answer 200 with errors', async () => {
    const parse = await post(s.url, { query: '{' });
    assert.equal(parse.status, 200);
    assert.match(parse.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(parse.json, {
      errors: [{ message: 'Syntax Error: Expected Name, found <EOF>.', locations: [{ line: 1, column: 2 }] }],
    });
    const invalid = await post(s.url, { query: '{ nope }' });
    assert.equal(invalid.status, 200);
    assert.deepEqual(invalid.json, {
      errors: [{ message: 'Cannot query field "nope" on type "Query".', locations: [{ line: 1, column: 3 }] }],
    });
  });

  test('application/graphql-response+json: 400 without data for those errors', async () => {
    const ok = await post(s.url, { query: '{ version }' }, { accept: GQL_CT });
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('content-type'), /^application\/graphql-response\+json/);
    for (const query of ['{', '{ nope }', 'query ($x: Int!) { version }']) {
      const r = await post(s.url, { query }, { accept: `${GQL_CT}, ${JSON_CT};q=0.9` });
      assert.equal(r.status, 400, query);
      assert.match(r.headers.get('content-type'), /^application\/graphql-response\+json/);
      assert.equal(r.json.data, undefined);
      assert.ok(r.json.errors.length >= 1);
    }
  });

  test('Accept negotiation', async () => {
    const cases = [
      [undefined, JSON_CT],
      ['*/*', JSON_CT],
      ['application/*', JSON_CT],
      [`${JSON_CT}, ${GQL_CT};q=0.5`, JSON_CT],
      [`${GQL_CT};q=0.9, */*;q=0.8`, GQL_CT],
      [`${JSON_CT}, ${GQL_CT}`, GQL_CT],
    ];
    for (const [accept, expected] of cases) {
      const r = await post(s.url, { query: '{ version }' }, accept ? { accept } : {});
      assert.equal(r.status, 200, accept);
      assert.ok(r.headers.get('content-type').startsWith(expected), `${accept}: ${r.headers.get('content-type')}`);
    }
    const none = await post(s.url, { query: '{ version }' }, { accept: 'text/plain' });
    assertRequestError(none, 406, /Not acceptable/);
  });

  test('bad JSON, a missing query and wrong shapes answer 400 with GraphQL errors', async () => {
    assertRequestError(await post(s.url, '{"query": '), 400, /request body is not valid JSON: line 1/);
    assertRequestError(await post(s.url, ''), 400, /request body is empty/);
    assertRequestError(await post(s.url, '[{"query":"{ version }"}]'), 400, /must be a JSON object/);
    assertRequestError(await post(s.url, { qeury: '{ version }' }), 400, /no "query" parameter/);
    assertRequestError(await post(s.url, { query: 12 }), 400, /"query" parameter must be a string/);
    assertRequestError(await get(s.url), 400, /no "query" parameter/);
    const bad = await post(s.url, { query: '{ version }' }, { accept: GQL_CT, 'content-type': JSON_CT });
    assert.equal(bad.status, 200);
  });

  test('large bodies: 600 KB is read in chunks and runs, 1.5 MB answers 413', async () => {
    const padded = (n) => JSON.stringify({ query: `{ version }${' '.repeat(n)}` });
    const ok = await post(s.url, padded(600 * 1024));
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.json, { data: { version } });
    const big = await post(s.url, padded(1536 * 1024));
    assertRequestError(big, 413, /larger than the limit of 1048576 bytes/);
  });

  test('unsupported media types answer 415', async () => {
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      assertRequestError(await post(s.url, '{"query":"{ version }"}', { 'content-type': ct }), 415,
        /Unsupported Content-Type/);
    }
    const utf8 = await post(s.url, { query: '{ version }' }, { 'content-type': 'application/json; charset=UTF-8' });
    assert.equal(utf8.status, 200);
  });

  test('other methods answer 405 with Allow', async () => {
    const put = await fetch(s.url, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    const del = await fetch(`${s.base}/server_info`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET, HEAD');
  });

  test('a mutation over GET answers 405 with Allow: POST', async () => {
    const r = await get(s.url, { query: 'mutation { __typename }' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
    assert.deepEqual(r.json, {
      errors: [{ message: 'Can only perform a mutation operation from a POST request.' }],
    });
  });

  test('/server_info, /dagit_info, /health, / and unknown paths', async () => {
    const expected = {
      dagster_webserver_version: version,
      dagster_version: version,
      dagster_graphql_version: version,
      dagd_version: version,
    };
    assert.deepEqual((await get(`${s.base}/server_info`)).json, expected);
    assert.deepEqual((await get(`${s.base}/dagit_info`)).json, expected);
    const health = await get(`${s.base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(health.json, { status: 'ok' });
    const root = await get(`${s.base}/`);
    assert.equal(root.status, 307);
    assert.equal(root.headers.get('location'), '/graphql');
    assert.equal((await get(`${s.base}/nope`)).status, 404);
    assert.equal((await get(`${s.base}/graphql/extra`)).status, 404);
  });

  test('keep-alive: several requests on one connection, pipelined too', async () => {
    const c = new RawConnection(s.port);
    await c.ready();
    for (let i = 0; i < 3; i++) {
      c.send(rawPost('/graphql', '{"query":"{ version }"}'));
      const r = await c.response();
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.body), { data: { version } });
      assert.notEqual(r.headers.connection, 'close');
    }
    c.send(`GET /health HTTP/1.1\r\nHost: x\r\n\r\n${rawPost('/graphql', '{"query":"{ __typename }"}')}`);
    assert.equal((await c.response()).body, '{"status":"ok"}');
    assert.equal((await c.response()).body, '{"data":{"__typename":"Query"}}');
    assert.equal(c.isClosed, false);
    c.close();
  });

  test('200 concurrent clients, 5 requests each, no error', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 200 });
    const one = (i) =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify({ query: `query Q${i} { version }` });
        const req = http.request(
          `${s.url}`,
          { method: 'POST', agent, headers: { 'content-type': JSON_CT, 'content-length': body.length } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode, text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const client = async (i) => {
      for (let k = 0; k < 5; k++) {
        const r = await one(i);
        assert.equal(r.status, 200);
        assert.equal(r.text, `{"data":{"version":"${version}"}}`);
      }
    };
    await Promise.all(Array.from({ length: 200 }, (_, i) => client(i)));
    agent.destroy();
  });

  test('graphql-http audit: every audit passes (MUST, SHOULD and MAY)', async () => {
    const results = await auditServer({ url: s.url });
    const failing = results.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}: ${r.reason}`);
    assert.deepEqual(failing, []);
    assert.ok(results.length >= 60);
  });
});

describe('dagd webserver: limits', () => {
  let s;
  before(async () => {
    s = await startServer(['--max-body', '100', '--max-query-depth', '3']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  test('a body over --max-body answers 413 and the connection stays usable', async () => {
    const c = new RawConnection(s.port);
    await c.ready();
    const big = JSON.stringify({ query: `{ version }${' '.repeat(200)}` });
    c.send(rawPost('/graphql', big));
    const r = await c.response();
    assert.equal(r.status, 413);
    assert.deepEqual(JSON.parse(r.body), {
      errors: [{ message: 'The request body is larger than the limit of 100 bytes.' }],
    });
    c.send(rawPost('/graphql', '{"query":"{ version }"}'));
    assert.equal((await c.response()).status, 200);
    c.close();
  });

  test('a body far over the limit is refused before it is sent', async () => {
    const c = new RawConnection(s.port);
    await c.ready();
    c.send('POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n');
    const r = await c.response();
    assert.equal(r.status, 413);
    await c.closed();
  });

  test('a chunked body over the limit answers 413', async () => {
    const r = await fetch(s.url, {
      method: 'POST',
      headers: { 'content-type': JSON_CT },
      body: new Blob([JSON.stringify({ query: `{ version }${' '.repeat(300)}` })]).stream(),
      duplex: 'half',
    });
    assert.equal(r.status, 413);
  });

  test('--max-query-depth bounds the query nesting', async () => {
    const ok = await post(s.url, { query: '{ __schema { queryType { name } } }' });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.data.__schema.queryType.name, 'Query');
    const deep = await post(s.url, { query: '{ __schema { types { fields { name } } } }' });
    assert.equal(deep.status, 200);
    assert.equal(deep.json.data, undefined);
    assert.equal(deep.json.errors.length, 1);
  });
});

describe('dagd webserver: process', () => {
  test('--max-connections refuses connections beyond the limit, across threads', async () => {
    const s = await startServer(['--max-connections', '5', '--threads', '4']);
    try {
      const open = [];
      for (let i = 0; i < 5; i++) {
        const c = new RawConnection(s.port);
        await c.ready();
        c.send('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.equal((await c.response()).status, 200);
        open.push(c);
      }
      const refused = new RawConnection(s.port);
      await refused.closed();
      open.pop().close();
      await new Promise((r) => setTimeout(r, 100));
      const c = new RawConnection(s.port);
      await c.ready();
      c.send('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal((await c.response()).status, 200);
      [c, ...open].forEach((x) => x.close());
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('--path-prefix serves everything below the prefix', async () => {
    const s = await startServer(['--path-prefix', '/dagster/']);
    try {
      assert.equal(s.url, `${s.base}/dagster/graphql`);
      assert.deepEqual((await post(s.url, { query: '{ version }' })).json, { data: { version } });
      assert.equal((await get(`${s.base}/dagster/server_info`)).status, 200);
      assert.equal((await post(`${s.base}/graphql`, { query: '{ version }' })).status, 404);
      for (const p of ['/', '/dagster', '/dagster/']) {
        const r = await get(`${s.base}${p}`);
        assert.equal(r.status, 307, p);
        assert.equal(r.headers.get('location'), '/dagster/graphql');
      }
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('a port in use: a clear message and exit code 1', async () => {
    const s = await startServer();
    try {
      const r = await runDagd(['webserver', '--port', String(s.port)]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${s.port}: Address already in use`));
    } finally {
      await s.stop();
    }
  });

  test('bad options: usage error, exit code 2', async () => {
    const r = await runDagd(['webserver', '--port', '70000']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port expects a number from 0 to 65535, got '70000'/);
    assert.equal((await runDagd(['webserver', '--bogus'])).code, 2);
  });

  test('SIGTERM lets a request in flight finish, then exits 0', async () => {
    const s = await startServer();
    const c = new RawConnection(s.port);
    await c.ready();
    const body = '{"query":"{ version }"}';
    c.send(rawPost('/graphql', '').replace(/Content-Length: 0/, `Content-Length: ${body.length}`) + body.slice(0, 5));
    await new Promise((r) => setTimeout(r, 200));
    s.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // The server refuses new connections but still answers the request it started.
    await assert.rejects(fetch(`${s.base}/health`));
    c.send(body.slice(5));
    const r = await c.response();
    assert.equal(r.status, 200);
    assert.equal(r.headers.connection, 'close');
    assert.deepEqual(JSON.parse(r.body), { data: { version } });
    assert.equal(await s.exited, 0);
    assert.match(s.stderr(), /SIGTERM received/);
  });

  test('SIGINT stops an idle server with exit code 0', async () => {
    const s = await startServer();
    assert.equal(await s.stop('SIGINT'), 0);
  });

  test('--access-log writes one line per request on stderr', async () => {
    const s = await startServer(['--access-log']);
    await post(s.url, { query: '{ version }' });
    await get(`${s.base}/nope`);
    assert.equal(await s.stop(), 0);
    const body = `{"data":{"version":"${version}"}}`;
    assert.match(s.stderr(), new RegExp(`POST /graphql 200 ${body.length} \\d+\\.\\d{3}ms`));
    assert.match(s.stderr(), /GET \/nope 404 10 \d+\.\d{3}ms/);
  });

  test('no access log by default', async () => {
    const s = await startServer();
    await post(s.url, { query: '{ version }' });
    assert.equal(await s.stop(), 0);
    assert.doesNotMatch(s.stderr(), /POST \/graphql/);
  });
});
