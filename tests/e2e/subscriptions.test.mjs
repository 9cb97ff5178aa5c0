// subscriptions.test.mjs — live subscriptions end to end: a real `dagd dev`
// running real op processes (tests/e2e/fixtures/runs), watched over both
// WebSocket subprotocols (graphql-transport-ws through the npm graphql-ws
// client, the legacy graphql-ws that Dagster's UI speaks through raw
// messages on the `ws` package). pipelineRunLogs: every event of a run
// exactly once and in order, compared with logsForRun afterwards; resumed
// from a cursor in the middle, while the run goes and after it; an unknown
// run; a run deleted while subscribed to (the stream completes). capturedLogs: a step that prints, waits for a file, prints again,
// streamed as it grows and complete once the run is over.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { FINISHED, gql, launch, useDev, waitFor, waitForStatus } from './fixtures/runs/harness.mjs';

const EVENT_FIELDS = `__typename ... on MessageEvent { runId message timestamp level stepKey eventType }`;

const RUN_LOGS = `
subscription PipelineRunLogsSubscription($runId: ID!, $cursor: String) {
  pipelineRunLogs(runId: $runId, cursor: $cursor) {
    __typename
    ... on PipelineRunLogsSubscriptionSuccess {
      run { runId }
      messages { ${EVENT_FIELDS} }
      hasMorePastEvents
      cursor
    }
    ... on PipelineRunLogsSubscriptionFailure { missingRunId message }
  }
}`;

const LOGS_FOR_RUN = `
query($runId: ID!, $after: String) {
  logsForRun(runId: $runId, afterCursor: $after) {
    __typename
    ... on EventConnection { events { ${EVENT_FIELDS} } cursor hasMore }
  }
}`;

const CAPTURED_LOGS = `
subscription($key: [String!]!, $cursor: String) {
  capturedLogs(logKey: $key, cursor: $cursor) { stdout stderr cursor }
}`;

const CAPTURED_LOGS_QUERY = `query($key: [String!]!) { capturedLogs(logKey: $key) { stdout stderr cursor } }`;

const DEADLINE_MS = 20000;
const RUN_ENDINGS = ['RUN_SUCCESS', 'RUN_FAILURE', 'RUN_CANCELED'];

/** Every event of the run as logsForRun answers it, following hasMore. */
async function logsForRun(url, runId) {
  const all = [];
  let after;
  for (;;) {
    const conn = (await gql(url, LOGS_FOR_RUN, { runId, after })).logsForRun;
    assert.equal(conn.__typename, 'EventConnection', JSON.stringify(conn));
    all.push(...conn.events);
    after = conn.cursor;
    if (!conn.hasMore) return all;
  }
}

/** Rejects after ms with a message naming what did not happen. */
function deadline(ms, what) {
  let timer;
  const p = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  p.cancel = () => clearTimeout(timer);
  return p;
}

/**
 * A subscription over graphql-transport-ws (the graphql-ws client). Results
 * queue up for next(); close() unsubscribes; done tells when it completed.
 */
function modern(url, query, variables) {
  const client = createClient({ url: url.replace('http:', 'ws:'), webSocketImpl: WebSocket, retryAttempts: 0 });
  const results = [];
  let wake = () => {};
  let completed = false;
  let failure;
  const unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (r) => {
        results.push(r);
        wake();
      },
      error: (e) => {
        failure = e;
        wake();
      },
      complete: () => {
        completed = true;
        wake();
      },
    },
  );
  return {
    results,
    get completed() {
      return completed;
    },
    async next() {
      const d = deadline(DEADLINE_MS, 'a graphql-transport-ws result');
      try {
        while (!results.length) {
          if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
          if (completed) throw new Error('the subscription completed');
          await Promise.race([new Promise((r) => (wake = r)), d]);
        }
      } finally {
        d.cancel();
      }
      return results.shift();
    },
    async untilComplete() {
      await waitFor(() => completed || failure, { timeout: DEADLINE_MS, what: 'the subscription to complete' });
      if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
    },
    async close() {
      unsubscribe();
      await client.dispose();
    },
  };
}

/**
 * A subscription over the legacy graphql-ws protocol (subscriptions-transport-ws,
 * as Dagster's UI speaks it): connection_init, start, data…, stop.
 */
async function legacy(url, query, variables) {
  const ws = new WebSocket(url.replace('http:', 'ws:'), 'graphql-ws');
  const queue = [];
  let wake = () => {};
  let closed = false;
  ws.on('message', (m) => {
    queue.push(JSON.parse(m.toString()));
    wake();
  });
  ws.on('close', () => {
    closed = true;
    wake();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const message = async () => {
    const d = deadline(DEADLINE_MS, 'a graphql-ws message');
    try {
      for (;;) {
        const m = queue.shift();
        if (m && m.type !== 'ka') return m;
        if (!m && closed) throw new Error('the socket closed');
        if (!m) await Promise.race([new Promise((r) => (wake = r)), d]);
      }
    } finally {
      d.cancel();
    }
  };
  ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  assert.deepEqual(await message(), { type: 'connection_ack' });
  ws.send(JSON.stringify({ id: 'logs', type: 'start', payload: { query, variables } }));
  let completed = false;
  return {
    get completed() {
      return completed;
    },
    /** The next result ({data} or {errors}); throws once the operation completed. */
    async next() {
      const m = await message();
      if (m.type === 'complete') {
        completed = true;
        throw new Error('the subscription completed');
      }
      assert.equal(m.type, 'data', JSON.stringify(m));
      assert.equal(m.id, 'logs');
      return m.payload;
    },
    async untilComplete() {
      const m = await message();
      assert.deepEqual(m, { type: 'complete', id: 'logs' });
      completed = true;
    },
    async close() {
      if (!completed) ws.send(JSON.stringify({ id: 'logs', type: 'stop' }));
      ws.close();
      await waitFor(() => closed, { what: 'the socket to close' });
    },
  };
}

const PROTOCOLS = { 'graphql-transport-ws': modern, 'graphql-ws': legacy };

/**
 * Reads pipelineRunLogs results from a subscription until `until(event)`
 * holds for an event (default: the run's end); returns { events, payloads }.
 */
async function readLogs(sub, until = (e) => RUN_ENDINGS.includes(e.eventType)) {
  const events = [];
  const payloads = [];
  for (;;) {
    const r = await sub.next();
    assert.equal(r.errors, undefined, JSON.stringify(r));
    const p = r.data.pipelineRunLogs;
    assert.equal(p.__typename, 'PipelineRunLogsSubscriptionSuccess', JSON.stringify(p));
    payloads.push(p);
    events.push(...p.messages);
    if (p.messages.some(until)) return { events, payloads };
  }
}

/** The events up to and including the run's end (what a watcher waits for). */
function throughEnd(events) {
  const i = events.findIndex((e) => RUN_ENDINGS.includes(e.eventType));
  assert.ok(i >= 0, 'the run ended');
  return events.slice(0, i + 1);
}

describe('pipelineRunLogs', () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev));

  const waiterConfig = (flag) => ({ runConfigData: { ops: { wait_for_file: { config: { path: flag } } } } });

  test('every event of a run arrives exactly once and in order, over both subprotocols', async () => {
    const flag = path.join(dir, 'go-every');
    const runId = await launch(s.url, 'waiter', waiterConfig(flag));
    const subs = [
      modern(s.url, RUN_LOGS, { runId }),
      await legacy(s.url, RUN_LOGS, { runId }),
      modern(s.url, RUN_LOGS, { runId, cursor: null }),
    ];
    try {
      // Each sees the op's own log event while the op still waits…
      const waiting = `waiting for ${flag}`;
      const early = await Promise.all(subs.map((sub) => readLogs(sub, (e) => e.message === waiting)));
      // …then the rest, once the op may go on.
      writeFileSync(flag, '');
      const late = await Promise.all(subs.map((sub) => readLogs(sub)));
      const expected = throughEnd(await logsForRun(s.url, runId));
      for (const type of ['RUN_STARTING', 'RUN_START', 'STEP_START', 'STEP_SUCCESS', 'RUN_SUCCESS'])
        assert.ok(
          expected.some((e) => e.eventType === type),
          `a real run's log has ${type}`,
        );
      subs.forEach((sub, i) => {
        const got = [...early[i].events, ...late[i].events];
        assert.deepEqual(got, expected, `subscriber ${i}`);
        const payloads = [...early[i].payloads, ...late[i].payloads];
        assert.ok(payloads.every((p) => p.run.runId === runId));
        // Past chunks first (the last says no more), then one message an event.
        assert.equal(payloads[0].hasMorePastEvents, false);
        assert.ok(payloads.slice(1).every((p) => p.messages.length === 1 && !p.hasMorePastEvents));
      });
    } finally {
      await Promise.all(subs.map((sub) => sub.close()));
    }
    assert.equal(await waitForStatus(s.url, runId), 'SUCCESS');
  });

  for (const [name, open] of Object.entries(PROTOCOLS)) {
    test(`resumed from a cursor in the middle (${name}): no gaps, no duplicates`, async () => {
      const flag = path.join(dir, `go-resume-${name}`);
      const runId = await launch(s.url, 'waiter', waiterConfig(flag));
      // The first half, up to the op's log event, then unsubscribe.
      const first = await open(s.url, RUN_LOGS, { runId });
      const head = await readLogs(first, (e) => e.message === `waiting for ${flag}`);
      await first.close();
      const cursor = head.payloads.at(-1).cursor;
      // The rest from that cursor, subscribed while the run still waits.
      const second = await open(s.url, RUN_LOGS, { runId, cursor });
      writeFileSync(flag, '');
      const tail = await readLogs(second);
      await second.close();
      const all = throughEnd(await logsForRun(s.url, runId));
      assert.deepEqual([...head.events, ...tail.events], all);
      // After the run: the same cursor gives the same tail, in the first message.
      const third = await open(s.url, RUN_LOGS, { runId, cursor });
      const again = await readLogs(third);
      await third.close();
      assert.deepEqual(again.events, tail.events);
      assert.equal(again.payloads.length, 1);
    });

    test(`an unknown run gets the failure, then the subscription completes (${name})`, async () => {
      const sub = await open(s.url, RUN_LOGS, { runId: 'no-such-run' });
      try {
        assert.deepEqual(await sub.next(), {
          data: {
            pipelineRunLogs: {
              __typename: 'PipelineRunLogsSubscriptionFailure',
              missingRunId: 'no-such-run',
              message: 'Could not load run with id no-such-run',
            },
          },
        });
        await sub.untilComplete();
      } finally {
        await sub.close();
      }
    });

    test(`a run deleted while subscribed: the subscription completes (${name})`, async () => {
      const runId = await launch(s.url, 'quick');
      await waitForStatus(s.url, runId, FINISHED);
      const sub = await open(s.url, RUN_LOGS, { runId });
      try {
        await readLogs(sub);
        const { deleteRun } = await gql(
          s.url,
          'mutation($id: String!) { deleteRun(runId: $id) { __typename } }',
          { id: runId },
        );
        assert.equal(deleteRun.__typename, 'DeletePipelineRunSuccess');
        await sub.untilComplete();
      } finally {
        await sub.close();
      }
    });
  }

  test('a cursor that is none of Dagster\'s forms is an error', async () => {
    const sub = modern(s.url, RUN_LOGS, { runId: 'x', cursor: 'not a cursor' });
    try {
      // Unknown runs are reported before cursors are read (Dagster's order).
      assert.equal((await sub.next()).data.pipelineRunLogs.__typename, 'PipelineRunLogsSubscriptionFailure');
    } finally {
      await sub.close();
    }
    const runId = await launch(s.url, 'quick');
    await waitForStatus(s.url, runId, FINISHED);
    const bad = modern(s.url, RUN_LOGS, { runId, cursor: 'not a cursor' });
    try {
      assert.deepEqual(await bad.next(), {
        errors: [
          {
            message: 'Invalid cursor for fetching run events: not a cursor',
            locations: [{ line: 3, column: 3 }],
            path: ['pipelineRunLogs'],
          },
        ],
      });
      await bad.untilComplete();
    } finally {
      await bad.close();
    }
  });
});

describe('capturedLogs', () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev));

  for (const [name, open] of Object.entries(PROTOCOLS)) {
    test(`a step's output streams as it grows, and completes with the run (${name})`, async () => {
      const flag = path.join(dir, `go-${name}`);
      const runId = await launch(s.url, 'waiter', {
        runConfigData: { ops: { wait_for_file: { config: { path: flag } } } },
      });
      const key = [runId, 'compute_logs', 'wait_for_file'];
      const sub = await open(s.url, CAPTURED_LOGS, { key });
      const chunks = [];
      const text = (stream) => chunks.map((c) => c[stream] ?? '').join('');
      try {
        // The op's first line arrives while it waits for the file…
        while (text('stdout') !== 'before the file\n') {
          const r = await sub.next();
          assert.equal(r.errors, undefined, JSON.stringify(r));
          chunks.push(r.data.capturedLogs);
        }
        assert.equal(await waitForStatus(s.url, runId, ['STARTED']), 'STARTED');
        // …the rest once it may go on, and the subscription completes with the run.
        writeFileSync(flag, '');
        for (;;) {
          let r;
          try {
            r = await sub.next();
          } catch (e) {
            if (sub.completed || /completed/.test(e.message)) break;
            throw e;
          }
          assert.equal(r.errors, undefined, JSON.stringify(r));
          chunks.push(r.data.capturedLogs);
        }
        if (!sub.completed) await sub.untilComplete();
      } finally {
        await sub.close();
      }
      assert.equal(await waitForStatus(s.url, runId), 'SUCCESS');
      assert.equal(text('stdout'), 'before the file\nafter the file\n');
      assert.equal(text('stderr'), 'done waiting\n');
      // Each chunk carries only what is new: the whole is what the query reads.
      const whole = (await gql(s.url, CAPTURED_LOGS_QUERY, { key })).capturedLogs;
      assert.equal(whole.stdout, text('stdout'));
      assert.equal(whole.stderr, text('stderr'));
      assert.equal(chunks.at(-1).cursor, whole.cursor);
    });
  }
});
