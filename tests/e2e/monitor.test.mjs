// monitor.test.mjs — run monitoring in a real `dagd dev` (its daemon checks
// unfinished runs every run_monitoring.poll_interval_seconds, 1 s here,
// set in the instance's dagd.yaml). A run whose `execute-run` worker is
// killed with SIGKILL ends FAILURE with Dagster's message, an engine event
// saying its op was stopped, and the failure reason tag, and its op
// processes are gone; a run keeps going across a restart of `dagd dev`
// (the worker is detached from it) and finishes SUCCESS, listed by the new
// server; a worker killed while no server ran is noticed by the next one.
// That the monitor looked at a live run and left it alone is shown by a run
// launched after it whose worker was killed: a pass checks runs oldest
// first, so once the newer one is FAILURE the older one was checked.
// A run launched from another host or PID namespace (its hidden worker host
// tag, rewritten here with the sqlite3 shell, names another identity) is
// left STARTED with its ops running when its worker dies, until the tag
// names this host again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  alive,
  assertOpsGone,
  FIXTURE_WORKSPACE,
  gql,
  killWorker,
  launch,
  removeDir,
  runStatus,
  runWorker,
  settleRuns,
  startSleeper,
  tempDir,
  waitForStatus,
  workerPids,
} from './fixtures/runs/harness.mjs';
import { startServer } from './server.mjs';

// Generous against a loaded machine; the monitor looks every second.
const NOTICED = 15000;

const RUN = `
query($id: ID!) {
  runOrError(runId: $id) { ... on Run { status tags { key value } } }
  logsForRun(runId: $id) {
    ... on EventConnection { events { ... on MessageEvent { eventType message } } }
  }
}`;

const RUNS = `{ runsOrError { ... on Runs { results { runId status } } } }`;

/** `dagd dev` on the fixture workspace with the instance at home (kept when it stops). */
function startDev(home) {
  return startServer(['-w', FIXTURE_WORKSPACE], { command: 'dev', home });
}

/** A fresh instance folder whose dagd.yaml makes the monitor look every second. */
function monitoredHome() {
  const home = tempDir('dagd-monitor-home-');
  writeFileSync(path.join(home, 'dagd.yaml'), 'run_monitoring:\n  poll_interval_seconds: 1\n');
  return home;
}

/** The run's status, tags ({key: value}) and [eventType, message] pairs. */
async function runDetails(url, runId) {
  const { runOrError: run, logsForRun: logs } = await gql(url, RUN, { id: runId });
  return {
    status: run.status,
    tags: Object.fromEntries(run.tags.map((t) => [t.key, t.value])),
    events: logs.events.filter((e) => e.eventType).map((e) => [e.eventType, e.message]),
  };
}

const HOST_TAG = '.dagster/run_worker_host';

/** This host's identity as dagd records it: "<boot id>:<PID namespace inode>". */
function hostIdentity() {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return `${boot}:${statSync('/proc/self/ns/pid').ino}`;
}

/** Runs SQL on the instance's database with the sqlite3 shell (waiting out dagd's locks). */
function sql(home, statement) {
  const db = path.join(home, 'history', 'runs.db');
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db, statement], { encoding: 'utf8' }).trim();
}

/** The run's worker host tag as stored ('' when none); sets it first when value is given. */
function hostTag(home, runId, value) {
  const where = `key = '${HOST_TAG}' AND run_pk = (SELECT id FROM runs WHERE run_id = '${runId}')`;
  if (value !== undefined) sql(home, `UPDATE run_tags SET value = '${value}' WHERE ${where}`);
  return sql(home, `SELECT value FROM run_tags WHERE ${where}`);
}

/** Checks the run ended FAILURE as the monitor ends a run whose worker died, its ops gone. */
async function assertFailedByMonitor(url, { runId, opPid, childPid, worker }) {
  assert.equal(await waitForStatus(url, runId, ['FAILURE'], NOTICED), 'FAILURE');
  await assertOpsGone(opPid, childPid, `run ${runId}'s op ${opPid} and its child ${childPid} to be gone`);
  const { tags, events } = await runDetails(url, runId);
  assert.equal(tags['dagster/failure_reason'], 'UNEXPECTED_TERMINATION');
  const failures = events.filter(([type]) => type === 'RUN_FAILURE');
  assert.deepEqual(failures, [
    [
      'RUN_FAILURE',
      `Detected run worker status NOT_FOUND: 'The run worker (pid ${worker}) is not running'. ` +
        `Marking run ${runId} as failed.`,
    ],
  ]);
  const engine = events.filter(
    ([type, message]) => type === 'ENGINE_EVENT' && message.startsWith(`The run worker (pid ${worker}) is not running;`),
  );
  assert.equal(engine.length, 1, JSON.stringify(events));
  assert.ok(
    engine[0][1].endsWith("1 process group of the run's ops left running was stopped: the run is marked as failed."),
    engine[0][1],
  );
}

describe('run monitoring in dagd dev', () => {
  let home;
  let dir;
  let s;

  before(() => {
    home = monitoredHome();
    dir = tempDir();
  });

  after(async () => {
    try {
      // A test that failed half-way may leave a run going: cancel it.
      s ??= await startDev(home);
      await settleRuns(s.url);
      assert.equal(await s.stop(), 0, s.stderr());
    } finally {
      removeDir(dir);
      removeDir(home);
    }
  });

  /** startSleeper, with the pid of the run's worker: { runId, opPid, childPid, worker }. */
  async function sleeper() {
    const run = await startSleeper(s.url, dir);
    return { ...run, worker: runWorker(run.runId) };
  }

  test('a run whose worker is killed -9 ends FAILURE with the reason, its ops stopped', async () => {
    s = await startDev(home);
    const live = await sleeper();
    const killed = await sleeper();
    await killWorker(killed.worker);
    await assertFailedByMonitor(s.url, killed);
    // The pass that failed it looked at the older run first and left it be.
    assert.equal(await runStatus(s.url, live.runId), 'STARTED');
    assert.ok(alive(live.opPid) && alive(live.worker));
    await killWorker(live.worker);
    await assertFailedByMonitor(s.url, live);
  });

  test('a run launched from another host is left alone until its tag names this host', async () => {
    const foreign = await sleeper();
    const here = hostIdentity();
    assert.equal(hostTag(home, foreign.runId), here);
    const { tags } = await runDetails(s.url, foreign.runId);
    assert.ok(!(HOST_TAG in tags), 'the tag is hidden from Run.tags');
    const elsewhere = '00000000-0000-4000-8000-000000000000:1';
    try {
      assert.equal(hostTag(home, foreign.runId, elsewhere), elsewhere);
      await killWorker(foreign.worker);
      // A newer run failed by the monitor means a pass looked at the foreign one first.
      const witness = await sleeper();
      await killWorker(witness.worker);
      await assertFailedByMonitor(s.url, witness);
      assert.equal(await runStatus(s.url, foreign.runId), 'STARTED');
      // The op itself dies with its worker (PR_SET_PDEATHSIG); the op's child lives on.
      assert.ok(alive(foreign.childPid), 'the ops it left are not stopped from here');
      const { events } = await runDetails(s.url, foreign.runId);
      const judged = events.filter(
        ([type, message]) =>
          type === 'RUN_FAILURE' || (type === 'ENGINE_EVENT' && message.startsWith('The run worker')),
      );
      assert.deepEqual(judged, []);
    } finally {
      // This host's again, even after a failure: only then are its ops stopped (here or by after()).
      assert.equal(hostTag(home, foreign.runId, here), here);
    }
    await assertFailedByMonitor(s.url, foreign);
  });

  test('across a restart of dagd dev a run goes on and finishes, a dead one is failed', async () => {
    const file = path.join(dir, 'go-on');
    const runId = await launch(s.url, 'waiter', { runConfigData: { ops: { wait_for_file: { config: { path: file } } } } });
    assert.equal(await waitForStatus(s.url, runId, ['STARTED']), 'STARTED');
    const killed = await sleeper();
    assert.equal(await s.stop(), 0, s.stderr());
    s = null;
    assert.equal(workerPids(runId).length, 1, 'the worker outlives the server');
    await killWorker(killed.worker); // while no server runs

    s = await startDev(home);
    await assertFailedByMonitor(s.url, killed);
    // That pass looked at the waiting run first: its worker is alive.
    assert.equal(await runStatus(s.url, runId), 'STARTED');
    writeFileSync(file, '');
    assert.equal(await waitForStatus(s.url, runId), 'SUCCESS');
    const runs = (await gql(s.url, RUNS)).runsOrError.results;
    assert.ok(runs.some((r) => r.runId === runId && r.status === 'SUCCESS'), JSON.stringify(runs));
    const { events } = await runDetails(s.url, runId);
    assert.ok(!events.some(([type]) => type === 'RUN_FAILURE'), JSON.stringify(events));
  });
});
