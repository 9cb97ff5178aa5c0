// queue.test.mjs — the run queue and the daemon end to end: a real `dagd dev`
// (the daemon in its process) on an instance of its own whose dagd.yaml sets
// Dagster's QueuedRunCoordinator, real op processes (fixtures/runs). 50
// simultaneous launches never have more than max_concurrent_runs runs in
// progress (sampled through runsOrError while they go, and checked again
// from every run's events afterwards) and all succeed; priorities order the
// dequeues; tag limits (key and value, per unique value) hold runs back
// without holding back the others; a QUEUED run terminated is CANCELED; a
// second daemon is refused; `dagd dev` next to a `dagd daemon` stands by
// while the standalone daemon launches its runs, and takes over once it
// stops; a `dagd dev` restarted right after one was killed takes over once
// the killed one's heartbeat went stale.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { eventTime, maxOverlap } from '../../bench/lib.mjs';
import {
  FINISHED,
  FIXTURE_WORKSPACE,
  gql,
  launch,
  literal,
  runStatus,
  startDev,
  waitFor,
  waitForStatus,
} from './fixtures/runs/harness.mjs';
import { makeInstanceHome } from './fixtures/postgres.mjs';
import { DAGD, followStderr, runDagd } from './server.mjs';

/** dagd.yaml for a queued coordinator with this config (YAML lines). */
function queuedYaml(configLines) {
  return [
    'run_coordinator:',
    '  class: QueuedRunCoordinator',
    '  config:',
    '    dequeue_interval_seconds: 0.2',
    ...configLines.map((l) => `    ${l}`),
    '',
  ].join('\n');
}

/**
 * `dagd dev` on the runs fixture with a home of its own whose dagd.yaml is
 * yaml (harness.mjs's startDev: stop() cancels unfinished runs, waits for
 * their workers, checks their logs for sanitizer reports, stops the server
 * and removes the home).
 */
const startQueuedDev = (yaml) => startDev(FIXTURE_WORKSPACE, [], { dagdYaml: yaml });

const EVENTS = `
query($id: ID!) {
  logsForRun(runId: $id) {
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { eventType message timestamp level }
        ... on RunEvent { pipelineName }
      }
    }
  }
}`;

/** A run's events (MessageEvent fields). */
async function events(url, id) {
  return (await gql(url, EVENTS, { id })).logsForRun.events;
}

/** How many runs are STARTING, STARTED or CANCELING now. */
async function inProgress(url) {
  const data = await gql(
    url,
    `{ runsOrError(filter: {statuses: [STARTING, STARTED, CANCELING]}) { ... on Runs { results { runId } } } }`,
  );
  return data.runsOrError.results.length;
}

const waiterConfig = (file) => ({ ops: { wait_for_file: { config: { path: file, timeout: 60 } } } });

describe('max_concurrent_runs under 50 simultaneous launches', () => {
  test('never more than 3 in progress, every run succeeds', { timeout: 180000 }, async () => {
    const s = await startQueuedDev(queuedYaml(['max_concurrent_runs: 3']));
    try {
      let done = false;
      let maxSeen = 0;
      let samples = 0;
      const sampler = (async () => {
        while (!done) {
          const n = await inProgress(s.url);
          maxSeen = Math.max(maxSeen, n);
          samples++;
          assert.ok(n <= 3, `${n} runs in progress at once`);
        }
      })();
      const launches = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          gql(
            s.url,
            `mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
              __typename ... on LaunchRunSuccess { run { runId status } } ... on Error { message } } }`,
            {
              p: {
                selector: { repositoryLocationName: 'runs', repositoryName: 'runs', jobName: 'quick' },
                runConfigData: { ops: { say: { config: { text: `run ${i}` } } } },
              },
            },
          ),
        ),
      );
      const ids = launches.map(({ launchRun }) => {
        assert.equal(launchRun.__typename, 'LaunchRunSuccess', JSON.stringify(launchRun));
        // Queued, or already taken by the daemon the launch woke.
        assert.ok(['QUEUED', 'STARTING', 'STARTED', 'SUCCESS'].includes(launchRun.run.status), launchRun.run.status);
        return launchRun.run.runId;
      });
      for (const id of ids) assert.equal(await waitForStatus(s.url, id, FINISHED, 120000), 'SUCCESS');
      done = true;
      await sampler;
      assert.ok(samples > 0);
      assert.ok(maxSeen >= 1 && maxSeen <= 3, `max seen ${maxSeen}`);

      // From the events: each run is in progress from RUN_DEQUEUED to RUN_SUCCESS.
      const intervals = [];
      for (const id of ids) {
        const evs = await events(s.url, id);
        const types = evs.map((e) => e.eventType);
        assert.deepEqual(types.slice(0, 3), ['RUN_ENQUEUED', 'RUN_DEQUEUED', 'RUN_STARTING'], id);
        assert.ok(types.indexOf('RUN_START') > 2, id);
        const [enq, deq] = evs;
        assert.equal(enq.__typename, 'RunEnqueuedEvent');
        assert.equal(deq.__typename, 'RunDequeuedEvent');
        assert.equal(enq.pipelineName, 'quick');
        assert.equal(enq.level, 'INFO');
        assert.equal(types.at(-1), 'RUN_SUCCESS');
        intervals.push([eventTime(evs, 'RUN_DEQUEUED'), eventTime(evs, 'RUN_SUCCESS')]);
      }
      const overlap = maxOverlap(intervals);
      assert.ok(overlap <= 3 && overlap >= 1, `at most 3 runs between RUN_DEQUEUED and RUN_SUCCESS, saw ${overlap}`);
    } finally {
      await s.stop();
    }
  });
});

describe('priorities and tag limits', () => {
  test('dagster/priority orders dequeues, then creation order', { timeout: 120000 }, async () => {
    const s = await startQueuedDev(queuedYaml(['max_concurrent_runs: 1']));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-queue-files-'));
    try {
      // A blocker takes the only slot until its file exists.
      const file = path.join(dir, 'go');
      const blocker = await launch(s.url, 'waiter', { runConfigData: waiterConfig(file) });
      await waitForStatus(s.url, blocker, ['STARTING', 'STARTED']);
      const priorities = { a: '0', b: '5', c: '-1', d: '5', e: '10', f: 'not a number' };
      const ids = {};
      for (const [name, priority] of Object.entries(priorities)) {
        ids[name] = await launch(s.url, 'quick', { tags: { 'dagster/priority': priority, name } });
        assert.equal(await runStatus(s.url, ids[name]), 'QUEUED');
      }
      writeFileSync(file, '');
      assert.equal(await waitForStatus(s.url, blocker), 'SUCCESS');
      const dequeued = [];
      for (const [name, id] of Object.entries(ids)) {
        assert.equal(await waitForStatus(s.url, id), 'SUCCESS');
        dequeued.push([eventTime(await events(s.url, id), 'RUN_DEQUEUED'), name]);
      }
      dequeued.sort((x, y) => x[0] - y[0]);
      // Higher first; equal priorities (b, d; a, f: a bad value is 0) by creation.
      assert.deepEqual(
        dequeued.map(([, name]) => name),
        ['e', 'b', 'd', 'a', 'f', 'c'],
      );
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('tag limits hold matching runs back, not the others', { timeout: 120000 }, async () => {
    const s = await startQueuedDev(
      queuedYaml([
        'max_concurrent_runs: -1',
        'tag_concurrency_limits:',
        '  - {key: db, value: {applyLimitPerUniqueValue: true}, limit: 1}',
        '  - {key: team, value: ml, limit: 1}',
      ]),
    );
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-queue-files-'));
    try {
      const fileA = path.join(dir, 'a');
      const fileMl = path.join(dir, 'ml');
      const holdA = await launch(s.url, 'waiter', { runConfigData: waiterConfig(fileA), tags: { db: 'a' } });
      const holdMl = await launch(s.url, 'waiter', { runConfigData: waiterConfig(fileMl), tags: { team: 'ml' } });
      await waitForStatus(s.url, holdA, ['STARTING', 'STARTED']);
      await waitForStatus(s.url, holdMl, ['STARTING', 'STARTED']);
      const dbA = await launch(s.url, 'quick', { tags: { db: 'a' } });
      const ml = await launch(s.url, 'quick', { tags: { team: 'ml' } });
      const dbB = await launch(s.url, 'quick', { tags: { db: 'b' } });
      const data = await launch(s.url, 'quick', { tags: { team: 'data' } });
      const plain = await launch(s.url, 'quick');
      // The runs no limit stops go (the blocked ones, older, do not block them).
      for (const id of [dbB, data, plain]) assert.equal(await waitForStatus(s.url, id), 'SUCCESS');
      assert.equal(await runStatus(s.url, dbA), 'QUEUED');
      assert.equal(await runStatus(s.url, ml), 'QUEUED');
      // db=a's holder ends: db=a's run goes; team=ml's still waits.
      writeFileSync(fileA, '');
      assert.equal(await waitForStatus(s.url, holdA), 'SUCCESS');
      assert.equal(await waitForStatus(s.url, dbA), 'SUCCESS');
      assert.equal(await runStatus(s.url, ml), 'QUEUED');
      writeFileSync(fileMl, '');
      assert.equal(await waitForStatus(s.url, ml), 'SUCCESS');
      assert.equal(await waitForStatus(s.url, holdMl), 'SUCCESS');
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('terminating queued runs, max_concurrent_runs 0', () => {
  test('a QUEUED run terminated is CANCELED, from the queue', { timeout: 60000 }, async () => {
    const s = await startQueuedDev(queuedYaml(['max_concurrent_runs: 0']));
    try {
      const id = await launch(s.url, 'quick');
      const other = await launch(s.url, 'quick');
      assert.equal(await runStatus(s.url, id), 'QUEUED');
      const data = await gql(
        s.url,
        `mutation($id: String!) { terminateRun(runId: $id) {
          __typename ... on TerminateRunSuccess { run { runId status canTerminate } } } }`,
        { id },
      );
      assert.deepEqual(data.terminateRun, {
        __typename: 'TerminateRunSuccess',
        run: { runId: id, status: 'CANCELED', canTerminate: false },
      });
      const evs = await events(s.url, id);
      assert.deepEqual(
        evs.map((e) => [e.eventType, e.message]),
        [
          ['RUN_ENQUEUED', ''],
          ['RUN_CANCELING', 'Canceling run from the queue.'],
          ['RUN_CANCELED', 'This run has been marked as canceled from outside the execution context.'],
        ],
      );
      // With a limit of 0 nothing is ever launched.
      assert.equal(await runStatus(s.url, other), 'QUEUED');
      assert.deepEqual(
        (await events(s.url, other)).map((e) => e.eventType),
        ['RUN_ENQUEUED'],
      );
    } finally {
      await s.stop();
    }
  });
});

/** Starts `dagd daemon --home home`; resolves once it prints its heartbeat id. */
async function startDaemon(home) {
  const proc = spawn(DAGD, ['daemon', '--home', home], { stdio: ['ignore', 'ignore', 'pipe'] });
  const follow = followStderr(proc, /dagd daemon running, heartbeat id (\S+)\n/, { what: 'dagd daemon' });
  const stop = async (signal = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return follow.exited;
  };
  try {
    const m = await follow.ready;
    return { id: m[1], stderr: follow.stderr, stop };
  } catch (err) {
    if (proc.pid !== undefined) await stop('SIGKILL');
    throw err;
  }
}

describe('one daemon per instance', () => {
  const ID = /[^\s:]+:\d+:[0-9a-f]{8}/;
  // dev's startup line when another daemon's heartbeat is fresh: that
  // daemon's id, then its own.
  const STANDING_BY =
    /dagd dev: another dagd daemon \((\S+)\) is running: its heartbeat is \d+\.\d s old; daemon standing by, heartbeat id (\S+): it takes over when that heartbeat stops\n/;

  test('dagd daemon next to dagd dev is refused', { timeout: 60000 }, async () => {
    const s = await startQueuedDev(queuedYaml(['max_concurrent_runs: 2']));
    try {
      const own = await waitFor(() => /dagd dev: daemon running, heartbeat id (\S+)\n/.exec(s.stderr()), {
        what: 'dev to start its daemon',
      });
      assert.match(own[1], ID);
      const r = await runDagd(['daemon', '--home', s.home]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(`^dagd daemon: another dagd daemon \\(${literal(own[1])}\\) is running: its heartbeat is \\d+\\.\\d s old\\n$`),
      );
      // dev's daemon still launches runs.
      const id = await launch(s.url, 'quick');
      assert.equal(await waitForStatus(s.url, id), 'SUCCESS');
    } finally {
      await s.stop();
    }
  });

  test('dagd dev next to dagd daemon stands by while the daemon launches, then takes over', { timeout: 60000 }, async () => {
    const { home, cleanup } = makeInstanceHome(queuedYaml(['max_concurrent_runs: 2']));
    let daemon;
    try {
      daemon = await startDaemon(home);
      assert.match(daemon.id, ID);
      assert.match(daemon.stderr(), /dagd daemon: queue: at most 2 run\(s\) at once, 0 tag limit\(s\), checked every 0\.2 s\n/);
      const s = await startDev(FIXTURE_WORKSPACE, [], { home });
      assert.equal(s.home, home);
      try {
        const standing = await waitFor(() => STANDING_BY.exec(s.stderr()), {
          what: 'dev to say its daemon stands by',
        });
        assert.equal(standing[1], daemon.id);
        assert.match(standing[2], ID);
        const id = await launch(s.url, 'quick');
        assert.equal(await waitForStatus(s.url, id), 'SUCCESS');
        // The standalone daemon stops (clearing its heartbeat): dev's takes
        // over at its next beat and launches the runs from then on.
        assert.equal(await daemon.stop(), 0, daemon.stderr());
        await waitFor(() => s.stderr().includes(`dagd daemon ${standing[2]}: owns the heartbeat now`), {
          what: "dev's daemon to take over",
        });
        const next = await launch(s.url, 'quick');
        assert.equal(await waitForStatus(s.url, next), 'SUCCESS');
      } finally {
        // The daemon first, so that it launches nothing while dev's stop() settles the runs.
        assert.equal(await daemon.stop(), 0, daemon.stderr());
        assert.match(daemon.stderr(), /dagd daemon: SIGTERM received, stopping\ndagd daemon: stopped\n$/);
        await s.stop();
      }
    } finally {
      await daemon?.stop();
      cleanup();
    }
  });

  test('dagd dev restarted right after a crash takes over from the killed daemon', { timeout: 60000 }, async () => {
    const { home, cleanup } = makeInstanceHome(queuedYaml(['max_concurrent_runs: 2']));
    try {
      const crashed = await startDev(FIXTURE_WORKSPACE, [], { home });
      const gone = await waitFor(() => /dagd dev: daemon running, heartbeat id (\S+)\n/.exec(crashed.stderr()), {
        what: 'dev to start its daemon',
      });
      crashed.proc.kill('SIGKILL'); // its heartbeat stays, fresh for a few seconds
      assert.equal(await crashed.exited, 'SIGKILL');
      const s = await startDev(FIXTURE_WORKSPACE, [], { home });
      try {
        const standing = await waitFor(() => STANDING_BY.exec(s.stderr()), {
          what: 'the new dev to say its daemon stands by',
        });
        assert.equal(standing[1], gone[1]);
        // Queued meanwhile, launched once the new daemon took over.
        const id = await launch(s.url, 'quick');
        assert.equal(await waitForStatus(s.url, id), 'SUCCESS');
        assert.match(s.stderr(), new RegExp(`dagd daemon ${literal(standing[2])}: owns the heartbeat now`));
        const r = await runDagd(['daemon', '--home', home]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`another dagd daemon \\(${literal(standing[2])}\\) is running`));
      } finally {
        await s.stop();
      }
    } finally {
      cleanup();
    }
  });

  test('dagd daemon usage', async () => {
    const help = await runDagd(['daemon', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: dagd daemon \[options\]/);
    const extra = await runDagd(['daemon', 'now']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /dagd daemon: unexpected argument 'now'/);
    const top = await runDagd(['--help']);
    assert.match(top.stdout, /\n {2}daemon {10}launch queued runs/);
    assert.doesNotMatch(top.stdout, /Planned/);
  });
});
