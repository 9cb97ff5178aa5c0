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
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  alive,
  FIXTURE_WORKSPACE,
  freshSubDir,
  gql,
  groupMembers,
  launch,
  readPidFile,
  removeDir,
  runStatus,
  tempDir,
  waitFor,
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

/** Launches `sleeper` and resolves once its op runs: { runId, opPid, childPid, worker }. */
async function startSleeper(url, dir) {
  const pids = freshSubDir(dir);
  const runId = await launch(url, 'sleeper', { runConfigData: { ops: { sleepy: { config: { dir: pids } } } } });
  const opPid = await readPidFile(path.join(pids, 'op.pid'), `run ${runId}'s op to write its pid`);
  const childPid = await readPidFile(path.join(pids, 'child.pid'), `run ${runId}'s op's child pid`);
  assert.equal(await waitForStatus(url, runId, ['STARTED']), 'STARTED');
  const workers = workerPids(runId);
  assert.equal(workers.length, 1, `one worker for run ${runId}`);
  return { runId, opPid, childPid, worker: workers[0] };
}

/** Kills a run's worker with SIGKILL and waits until it is dead. */
async function killWorker(worker) {
  process.kill(worker, 'SIGKILL');
  await waitFor(() => !alive(worker), { what: `worker ${worker} to die` });
}

/** Checks the run ended FAILURE as the monitor ends a run whose worker died, its ops gone. */
async function assertFailedByMonitor(url, { runId, opPid, childPid, worker }) {
  assert.equal(await waitForStatus(url, runId, ['FAILURE'], NOTICED), 'FAILURE');
  await waitFor(() => !alive(opPid) && !alive(childPid) && groupMembers(opPid).length === 0, {
    timeout: 5000,
    what: `run ${runId}'s op ${opPid} and its child ${childPid} to be gone`,
  });
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

const TERMINATE = `
mutation($id: String!) {
  terminateRun(runId: $id, terminatePolicy: MARK_AS_CANCELED_IMMEDIATELY) { __typename }
}`;

describe('run monitoring in dagd dev', () => {
  let home;
  let dir;
  let s;
  const runIds = [];

  before(() => {
    home = monitoredHome();
    dir = tempDir();
  });

  after(async () => {
    try {
      // A test that failed half-way may leave a run going: cancel it.
      s ??= await startDev(home);
      for (const runId of runIds) {
        const status = await runStatus(s.url, runId);
        if (!['SUCCESS', 'FAILURE', 'CANCELED'].includes(status)) await gql(s.url, TERMINATE, { id: runId });
      }
      await waitFor(() => runIds.every((id) => workerPids(id).length === 0), {
        timeout: 10000,
        what: 'every run worker to exit',
      });
      assert.equal(await s.stop(), 0, s.stderr());
    } finally {
      removeDir(dir);
      removeDir(home);
    }
  });

  /** startSleeper, remembering the run for the cleanup. */
  async function sleeper() {
    const run = await startSleeper(s.url, dir);
    runIds.push(run.runId);
    return run;
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

  test('across a restart of dagd dev a run goes on and finishes, a dead one is failed', async () => {
    const file = path.join(dir, 'go-on');
    const runId = await launch(s.url, 'waiter', { runConfigData: { ops: { wait_for_file: { config: { path: file } } } } });
    runIds.push(runId);
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
