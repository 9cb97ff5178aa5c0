// ws.test.mjs — GraphQL subscriptions over WebSocket against a real
// `dagd webserver --test-subscriptions`: the opening handshake (subprotocol
// choice, refusals), graphql-transport-ws through the npm `graphql-ws` client
// and through raw messages (close codes), the legacy graphql-ws protocol,
// RFC 6455 at the frame level through a client on node:net (masking,
// reserved bits, UTF-8, sizes, fragmentation with pings, the closing
// handshake, 64-bit lengths), the socket limit, and SIGTERM closing open
// sockets with 1001.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { DAGD, startServer } from './server.mjs';
import { OP, RawWebSocket, acceptFor, closePayload, encodeFrame } from './wsraw.mjs';

const version = execFileSync(DAGD, ['--version'], { encoding: 'utf8' }).trim().split(' ')[1];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const counter = (to, intervalMs = 1) => `subscription { testCounter(to: ${to}, intervalMs: ${intervalMs}) }`;

/** A `ws` socket whose messages (JSON) queue up for next(). */
class Conn {
  static open(url, protocol) {
    const c = new Conn(new WebSocket(url, protocol));
    return new Promise((resolve, reject) => {
      c.ws.once('open', () => resolve(c));
      c.ws.once('error', reject);
    });
  }

  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiters = [];
    this.pings = 0;
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.wake();
      }),
    );
    ws.on('ping', () => this.pings++);
    ws.on('message', (m) => {
      this.queue.push(JSON.parse(m.toString()));
      this.wake();
    });
  }

  wake() {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  /** The next message; fails after timeoutMs or when the socket closed. */
  async next(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.queue.length) {
      if (this.closeInfo) throw new Error(`closed ${JSON.stringify(this.closeInfo)} while waiting for a message`);
      if (Date.now() > deadline) throw new Error('timed out waiting for a message');
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.queue.shift();
  }

  /** Messages that arrive within ms. */
  async quiet(ms) {
    await sleep(ms);
    const q = this.queue;
    this.queue = [];
    return q;
  }

  async closedWith(timeoutMs = 5000) {
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve({ code: 'still open' }), timeoutMs)));
    const r = await Promise.race([this.closed, timeout]);
    clearTimeout(timer);
    return r;
  }
}

function gqlClient(url, extra = {}) {
  return createClient({ url, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, ...extra });
}

/** Every result of one operation through the graphql-ws client. */
async function collect(client, payload) {
  const out = [];
  for await (const r of client.iterate(payload)) out.push(r);
  return out;
}

const wsUrl = (s) => s.url.replace('http:', 'ws:');

describe('the WebSocket handshake', () => {
  let s;
  before(async () => {
    s = await startServer(['--test-subscriptions']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  test('101 with the accept key and the first supported protocol in the client\'s order', async () => {
    const cases = [
      [['graphql-transport-ws'], 'graphql-transport-ws'],
      [['graphql-ws'], 'graphql-ws'],
      [['graphql-transport-ws', 'graphql-ws'], 'graphql-transport-ws'],
      [['graphql-ws', 'graphql-transport-ws'], 'graphql-ws'],
      [['mqtt', 'graphql-transport-ws'], 'graphql-transport-ws'],
      [[['mqtt'], ['graphql-ws', 'graphql-transport-ws']], 'graphql-ws'], // two headers
    ];
    for (const [protocols, chosen] of cases) {
      const r = await RawWebSocket.open(s.port, { protocols });
      const what = JSON.stringify(protocols);
      assert.equal(r.status, 101, what);
      assert.equal(r.headers.upgrade.toLowerCase(), 'websocket', what);
      assert.match(r.headers.connection, /upgrade/i, what);
      assert.equal(r.headers['sec-websocket-accept'], acceptFor(r.key), what);
      assert.equal(r.headers['sec-websocket-protocol'], chosen, what);
      r.ws.close();
    }
  });

  test('no protocol offered: legacy graphql-ws, and the response names none', async () => {
    const r = await RawWebSocket.open(s.port);
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-protocol'], undefined);
    r.ws.sendJson({ type: 'connection_init' });
    assert.deepEqual(await r.ws.json(), { type: 'connection_ack' });
    assert.deepEqual(await r.ws.json(), { type: 'ka' });
    r.ws.close();
  });

  test('only unknown protocols: 101 without a protocol, then close 4406', async () => {
    const r = await RawWebSocket.open(s.port, { protocols: ['mqtt', 'GraphQL-WS'] });
    assert.equal(r.status, 101);
    assert.equal(r.headers['sec-websocket-protocol'], undefined);
    assert.deepEqual(await r.ws.closeFrame(), { code: 4406, reason: 'Subprotocol not acceptable' });
    r.ws.sendFrame(OP.CLOSE, closePayload(4406));
    await r.ws.waitEnd();
  });

  test('refusals: 426 for another version, 400 for a bad key, 405 for POST', async () => {
    const v8 = await RawWebSocket.open(s.port, { version: '8', protocols: ['graphql-ws'] });
    assert.equal(v8.status, 426);
    assert.equal(v8.headers['sec-websocket-version'], '13');
    assert.deepEqual(JSON.parse(v8.body), {
      errors: [{ message: 'Unsupported Sec-WebSocket-Version (dagd speaks 13).' }],
    });
    for (const opts of [{ omit: ['Sec-WebSocket-Key'] }, { key: 'c2hvcnQ=' }]) {
      const r = await RawWebSocket.open(s.port, opts);
      assert.equal(r.status, 400, JSON.stringify(opts));
      assert.deepEqual(JSON.parse(r.body), { errors: [{ message: 'Missing or malformed Sec-WebSocket-Key.' }] });
    }
    const post = await RawWebSocket.open(s.port, { method: 'POST', extraHeaders: { 'Content-Length': '0' } });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET');
  });

  test('bytes sent right behind the upgrade request are not lost', async () => {
    const init = Buffer.from(JSON.stringify({ type: 'connection_init' }));
    const r = await RawWebSocket.open(s.port, { protocols: ['graphql-transport-ws'], after: encodeFrame(OP.TEXT, init) });
    assert.equal(r.status, 101);
    assert.deepEqual(await r.ws.json(), { type: 'connection_ack' });
    r.ws.close();
  });

  test('Upgrade elsewhere is plain HTTP; below --path-prefix the endpoint moves', async () => {
    const h = await RawWebSocket.open(s.port, { path: '/health' });
    assert.equal(h.status, 200);
    assert.deepEqual(JSON.parse(h.body), { status: 'ok' });
    const p = await startServer(['--path-prefix', '/dagster', '--test-subscriptions']);
    try {
      const root = await RawWebSocket.open(p.port, { path: '/graphql' });
      assert.equal(root.status, 404);
      const c = await Conn.open(`${wsUrl(p)}`, 'graphql-transport-ws');
      c.send({ type: 'connection_init' });
      assert.deepEqual(await c.next(), { type: 'connection_ack' });
      c.ws.close();
    } finally {
      assert.equal(await p.stop(), 0);
    }
  });
});

describe('graphql-transport-ws', () => {
  let s;
  before(async () => {
    s = await startServer(['--test-subscriptions']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  test('the graphql-ws client: a query, a subscription counting 1..N, several on one socket', async () => {
    let connections = 0;
    // Not lazy: one socket from creation to dispose.
    const client = gqlClient(wsUrl(s), {
      lazy: false,
      onNonLazyError: (e) => assert.fail(`connection error: ${e}`),
      on: { connected: () => connections++ },
    });
    try {
      assert.deepEqual(await collect(client, { query: '{ version }' }), [{ data: { version } }]);
      assert.deepEqual(
        await collect(client, { query: counter(5) }),
        [1, 2, 3, 4, 5].map((n) => ({ data: { testCounter: n } })),
      );
      const runs = await Promise.all(
        [3, 7, 5, 1].map((to, i) =>
          collect(client, {
            query: 'subscription Count($to: Int!, $ms: Int) { testCounter(to: $to, intervalMs: $ms) }',
            variables: { to, ms: i + 1 },
          }),
        ),
      );
      assert.deepEqual(
        runs.map((r) => r.map((x) => x.data.testCounter)),
        [[1, 2, 3], [1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5], [1]],
      );
      assert.equal(connections, 1, 'every operation went over one socket');
    } finally {
      await client.dispose();
    }
  });

  test('the graphql-ws client: errors for invalid documents and refused subscriptions', async () => {
    const client = gqlClient(wsUrl(s));
    try {
      await assert.rejects(collect(client, { query: 'subscription { nope }' }), (errors) => {
        assert.deepEqual(errors, [
          { message: 'Cannot query field "nope" on type "Subscription".', locations: [{ line: 1, column: 16 }] },
        ]);
        return true;
      });
      await assert.rejects(collect(client, { query: 'subscription {' }), (errors) => {
        assert.match(errors[0].message, /^Syntax Error: Expected Name, found <EOF>\./);
        return true;
      });
      // The subscribe hook refuses: an execution result with the error, then complete.
      const refused = await collect(client, { query: counter(-1) });
      assert.deepEqual(refused, [
        {
          errors: [
            { message: 'testCounter: "to" must be from 0 to 1000000.', locations: [{ line: 1, column: 16 }], path: ['testCounter'] },
          ],
        },
      ]);
      assert.deepEqual(await collect(client, { query: counter(0) }), [], 'an empty stream just completes');
    } finally {
      await client.dispose();
    }
  });

  test('complete from the client stops the stream mid-way', async () => {
    const c = await Conn.open(wsUrl(s), 'graphql-transport-ws');
    c.send({ type: 'connection_init' });
    assert.deepEqual(await c.next(), { type: 'connection_ack' });
    c.send({ id: 'a', type: 'subscribe', payload: { query: counter(1000, 20) } });
    c.send({ id: 'b', type: 'subscribe', payload: { query: counter(4, 60) } });
    const seen = { a: [], b: [] };
    while (seen.a.length < 3) {
      const m = await c.next();
      seen[m.id].push(m.payload.data.testCounter);
    }
    c.send({ id: 'a', type: 'complete' });
    // "b" runs on to its end; nothing more arrives for "a" beyond what was in flight.
    let done = false;
    while (!done) {
      const m = await c.next();
      if (m.type === 'complete') {
        assert.equal(m.id, 'b');
        done = true;
      } else {
        seen[m.id].push(m.payload.data.testCounter);
      }
    }
    assert.deepEqual(seen.b, [1, 2, 3, 4]);
    assert.ok(seen.a.length <= 5, `a stopped: ${seen.a}`);
    assert.deepEqual(await c.quiet(150), []);
    c.ws.close();
  });

  test('ping → pong; the subscription limit per socket', async () => {
    const l = await startServer(['--test-subscriptions', '--max-subscriptions', '2']);
    try {
      const c = await Conn.open(wsUrl(l), 'graphql-transport-ws');
      c.send({ type: 'connection_init', payload: {} });
      assert.deepEqual(await c.next(), { type: 'connection_ack' });
      c.send({ type: 'ping', payload: { n: 1 } });
      assert.deepEqual(await c.next(), { type: 'pong', payload: { n: 1 } });
      c.send({ id: '1', type: 'subscribe', payload: { query: counter(100, 1000) } });
      c.send({ id: '2', type: 'subscribe', payload: { query: counter(100, 1000) } });
      c.send({ id: '3', type: 'subscribe', payload: { query: counter(100, 1000) } });
      assert.deepEqual(await c.next(), {
        id: '3',
        type: 'error',
        payload: [{ message: 'Too many subscriptions on this socket (the limit is 2).' }],
      });
      c.ws.close();
    } finally {
      assert.equal(await l.stop(), 0);
    }
  });

  for (const [code, reason, script] of [
    [4401, 'Unauthorized', [{ id: '1', type: 'subscribe', payload: { query: '{ version }' } }]],
    [
      4409,
      'Subscriber for 1 already exists',
      [
        { type: 'connection_init' },
        { id: '1', type: 'subscribe', payload: { query: counter(100, 1000) } },
        { id: '1', type: 'subscribe', payload: { query: counter(100, 1000) } },
      ],
    ],
    [4429, 'Too many initialisation requests', [{ type: 'connection_init' }, { type: 'connection_init' }]],
    [4400, 'Invalid message received', [{ type: 'connection_init' }, { type: 'unknown' }]],
    [4400, 'Invalid message received', ['not json']],
  ]) {
    test(`close ${code}: ${JSON.stringify(script.at(-1))}`, async () => {
      const c = await Conn.open(wsUrl(s), 'graphql-transport-ws');
      for (const m of script) c.send(m);
      assert.deepEqual(await c.closedWith(), { code, reason });
    });
  }
});

describe('graphql-ws (legacy subscriptions-transport-ws)', () => {
  let s;
  before(async () => {
    s = await startServer(['--test-subscriptions', '--ws-keepalive', '1']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  async function init() {
    const c = await Conn.open(wsUrl(s), 'graphql-ws');
    c.send({ type: 'connection_init', payload: {} });
    assert.deepEqual(await c.next(), { type: 'connection_ack' });
    assert.deepEqual(await c.next(), { type: 'ka' });
    return c;
  }

  test('start → data… complete; a query; errors', async () => {
    const c = await init();
    c.send({ type: 'start', id: 's1', payload: { query: counter(3) } });
    for (const n of [1, 2, 3]) assert.deepEqual(await c.next(), { type: 'data', id: 's1', payload: { data: { testCounter: n } } });
    assert.deepEqual(await c.next(), { type: 'complete', id: 's1' });
    c.send({ type: 'start', id: 'q', payload: { query: '{ version }' } });
    assert.deepEqual(await c.next(), { type: 'data', id: 'q', payload: { data: { version } } });
    assert.deepEqual(await c.next(), { type: 'complete', id: 'q' });
    c.send({ type: 'start', id: 'bad', payload: { query: 'subscription { nope }' } });
    assert.deepEqual(await c.next(), {
      type: 'error',
      id: 'bad',
      payload: { message: 'Cannot query field "nope" on type "Subscription".', locations: [{ line: 1, column: 16 }] },
    });
    c.ws.close();
  });

  test('stop ends a running subscription; ka and pings keep the socket alive', async () => {
    const c = await init();
    c.send({ type: 'start', id: 'long', payload: { query: counter(100000, 300) } });
    assert.deepEqual(await c.next(), { type: 'data', id: 'long', payload: { data: { testCounter: 1 } } });
    // Within --ws-keepalive 1: a "ka" message and a WebSocket ping.
    const t0 = Date.now();
    let sawKa = false;
    while (!sawKa) {
      const m = await c.next(3000);
      sawKa = m.type === 'ka';
    }
    assert.ok(Date.now() - t0 < 2500);
    assert.ok(c.pings >= 1, 'a WebSocket ping came with the ka');
    c.send({ type: 'stop', id: 'long' });
    await sleep(50);
    c.queue = [];
    const after = (await c.quiet(700)).filter((m) => m.type !== 'ka');
    assert.deepEqual(after, [], 'nothing after stop');
    c.ws.close();
  });

  test('connection_error for bad JSON; connection_terminate closes with 1000', async () => {
    const c = await init();
    c.send('{"type": ');
    const m = await c.next();
    assert.equal(m.type, 'connection_error');
    assert.equal(typeof m.payload.message, 'string');
    c.send({ type: 'connection_terminate' });
    assert.deepEqual(await c.closedWith(), { code: 1000, reason: '' });
  });
});

describe('RFC 6455 frames', () => {
  let s;
  before(async () => {
    s = await startServer(['--test-subscriptions', '--max-body', '100000']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
  });

  async function open() {
    const r = await RawWebSocket.open(s.port, { protocols: ['graphql-transport-ws'] });
    assert.equal(r.status, 101);
    return r.ws;
  }

  async function expectFailure(ws, code) {
    const f = await ws.closeFrame();
    assert.equal(f.code, code);
    await ws.waitEnd(); // the server drops the TCP connection after failing it
  }

  test('an unmasked client frame fails the connection with 1002', async () => {
    const ws = await open();
    ws.sendFrame(OP.TEXT, '{"type":"connection_init"}', { mask: false });
    await expectFailure(ws, 1002);
  });

  test('reserved bits fail with 1002', async () => {
    const ws = await open();
    ws.sendFrame(OP.TEXT, '{"type":"connection_init"}', { rsv: 4 });
    await expectFailure(ws, 1002);
  });

  test('a text message that is not UTF-8 fails with 1007', async () => {
    const ws = await open();
    ws.sendFrame(OP.TEXT, Buffer.from([0x7b, 0xc3, 0x28, 0x7d]));
    await expectFailure(ws, 1007);
  });

  test('a message over the limit (--max-body) fails with 1009', async () => {
    const ws = await open();
    ws.sendFrame(OP.TEXT, JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(100000) } }));
    await expectFailure(ws, 1009);
  });

  test('a fragmented message with a ping in between: pong first, then the message', async () => {
    const ws = await open();
    const msg = Buffer.from(JSON.stringify({ type: 'connection_init' }));
    ws.sendFrame(OP.TEXT, msg.subarray(0, 5), { fin: false });
    ws.sendFrame(OP.PING, 'are you there');
    ws.sendFrame(OP.CONT, msg.subarray(5, 12), { fin: false });
    ws.sendFrame(OP.CONT, msg.subarray(12));
    const pong = await ws.frame();
    assert.equal(pong.opcode, OP.PONG);
    assert.equal(pong.payload.toString(), 'are you there');
    assert.equal(pong.masked, false);
    assert.deepEqual(await ws.json(), { type: 'connection_ack' });
    ws.close();
  });

  test('a 64-bit length message is read whole', async () => {
    const ws = await open();
    ws.sendJson({ type: 'connection_init' });
    assert.deepEqual(await ws.json(), { type: 'connection_ack' });
    const query = `${' '.repeat(70000)}{ version }`;
    const frame = { id: 'big', type: 'subscribe', payload: { query } };
    assert.ok(JSON.stringify(frame).length > 65535);
    ws.sendJson(frame);
    assert.deepEqual(await ws.json(), { id: 'big', type: 'next', payload: { data: { version } } });
    assert.deepEqual(await ws.json(), { id: 'big', type: 'complete' });
    ws.close();
  });

  test('the closing handshake: the close frame is echoed, then the server closes TCP', async () => {
    const ws = await open();
    ws.sendFrame(OP.CLOSE, closePayload(1000, 'bye'));
    const f = await ws.frame();
    assert.equal(f.opcode, OP.CLOSE);
    assert.equal(f.payload.readUInt16BE(0), 1000);
    await ws.waitEnd();
  });
});

describe('limits and shutdown', () => {
  test('--max-websockets: one more socket is refused with 503', async () => {
    const s = await startServer(['--max-websockets', '2']);
    try {
      const a = await Conn.open(wsUrl(s), 'graphql-transport-ws');
      const b = await Conn.open(wsUrl(s), 'graphql-transport-ws');
      const r = await RawWebSocket.open(s.port, { protocols: ['graphql-transport-ws'] });
      assert.equal(r.status, 503);
      assert.match(JSON.parse(r.body).errors[0].message, /Too many WebSocket connections/);
      a.ws.close();
      await a.closed;
      // The place is free again once a socket is gone.
      let ok = null;
      for (let i = 0; i < 50 && ok?.status !== 101; i++) {
        ok?.ws?.close();
        ok = await RawWebSocket.open(s.port, { protocols: ['graphql-transport-ws'] });
        if (ok.status !== 101) await sleep(20);
      }
      assert.equal(ok.status, 101);
      ok.ws.close();
      b.ws.close();
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('without --test-subscriptions the Subscription type has no testCounter', async () => {
    const s = await startServer();
    try {
      const c = await Conn.open(wsUrl(s), 'graphql-transport-ws');
      c.send({ type: 'connection_init' });
      assert.deepEqual(await c.next(), { type: 'connection_ack' });
      c.send({ id: '1', type: 'subscribe', payload: { query: counter(1) } });
      // A document that does not validate: graphql-transport-ws's error
      // message, and no complete after it.
      assert.deepEqual(await c.next(), {
        id: '1',
        type: 'error',
        payload: [
          { message: 'Cannot query field "testCounter" on type "Subscription".', locations: [{ line: 1, column: 16 }] },
        ],
      });
      c.ws.close();
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('a subscription sent over HTTP is refused with a request error', async () => {
    const s = await startServer(['--test-subscriptions', '--read-only']);
    try {
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: counter(1) }),
      });
      const body = await res.json();
      assert.equal('data' in body, false);
      assert.match(body.errors[0].message, /^Subscriptions are served over WebSocket only/);
      const strict = await fetch(s.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query: counter(1) }),
      });
      assert.equal(strict.status, 400);
      // --read-only leaves queries and subscriptions over WebSocket alone.
      const client = gqlClient(wsUrl(s));
      assert.deepEqual(await collect(client, { query: counter(2) }), [
        { data: { testCounter: 1 } },
        { data: { testCounter: 2 } },
      ]);
      await client.dispose();
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('SIGTERM closes open sockets with 1001 and exits 0', async () => {
    const s = await startServer(['--test-subscriptions']);
    const modern = await Conn.open(wsUrl(s), 'graphql-transport-ws');
    modern.send({ type: 'connection_init' });
    assert.deepEqual(await modern.next(), { type: 'connection_ack' });
    modern.send({ id: 'x', type: 'subscribe', payload: { query: counter(100000, 50) } });
    assert.equal((await modern.next()).type, 'next');
    const legacy = await Conn.open(wsUrl(s), 'graphql-ws');
    const raw = (await RawWebSocket.open(s.port, { protocols: ['graphql-ws'] })).ws;
    const t0 = Date.now();
    const exited = s.stop('SIGTERM');
    assert.deepEqual(await modern.closedWith(), { code: 1001, reason: 'Going away' });
    assert.deepEqual(await legacy.closedWith(), { code: 1001, reason: 'Going away' });
    assert.deepEqual(await raw.closeFrame(), { code: 1001, reason: 'Going away' });
    raw.sendFrame(OP.CLOSE, closePayload(1001));
    assert.equal(await exited, 0);
    assert.ok(Date.now() - t0 < 4000, 'the shutdown did not wait for a timeout');
    assert.match(s.stderr(), /dagd webserver: stopped/);
  });
});
