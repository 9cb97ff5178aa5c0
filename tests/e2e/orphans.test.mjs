// orphans.test.mjs — a run whose worker died without stopping its ops
// (kill -9): the op processes (at least the ops' children) live on in the
// dead worker's session, and terminating or deleting the run must stop
// them, since nothing else ever would. A real `dagd dev` on the fixture
// workspace runs the `sleeper` job (its op and the op's child sleep until
// killed); the test kills the run's `execute-run <id>` worker with
// SIGKILL, then terminates (either policy) or deletes the run and waits
// for the op and its child to be gone. The engine event says how many
// process groups were stopped; a run whose worker is alive gets no such
// event.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import {
  alive,
  assertOpsGone,
  deleteRun,
  gql,
  killWorker,
  runStatus,
  runWorker,
  startSleeper,
  useDev,
  waitForStatus,
} from './fixtures/runs/harness.mjs';

const TERMINATE = `
mutation($id: String!, $policy: TerminateRunPolicy) {
  terminateRun(runId: $id, terminatePolicy: $policy) {
    __typename
    ... on TerminateRunSuccess { run { runId status } }
    ... on Error { message }
  }
}`;

const EVENTS = `
query($id: ID!) {
  logsForRun(runId: $id) {
    ... on EventConnection { events { ... on MessageEvent { eventType message } } }
  }
}`;

const ONE_GROUP_STOPPED = "1 process group of the run's ops left running was stopped";

/**
 * startSleeper, then SIGKILL to the run's worker, waiting until it is
 * dead. The op's child is checked to be still running, orphaned (the op
 * itself may die with the worker, which cannot reach the op's children).
 * Resolves to { runId, opPid, childPid, worker }.
 */
async function sleeperWithDeadWorker(url, dir) {
  const { runId, opPid, childPid } = await startSleeper(url, dir);
  const worker = runWorker(runId);
  await killWorker(worker);
  assert.ok(alive(childPid), "the op's child outlives a killed worker");
  assert.equal(await runStatus(url, runId), 'STARTED', 'nobody noticed the worker died');
  return { runId, opPid, childPid, worker };
}

/** The run's events as [eventType, message] pairs. */
async function eventPairs(url, runId) {
  const conn = (await gql(url, EVENTS, { id: runId })).logsForRun;
  return conn.events.map((e) => [e.eventType, e.message]);
}

describe('ops left running by a killed run worker', () => {
  let s;
  let dir;
  // The run monitor would fail the run on its own once the worker is
  // killed (monitor.test.mjs tests that): here terminate and delete must
  // meet the dead worker first.
  useDev((dev) => ({ s, dir } = dev), undefined, { dagdYaml: 'run_monitoring:\n  enabled: false\n' });

  for (const policy of ['SAFE_TERMINATE', 'MARK_AS_CANCELED_IMMEDIATELY']) {
    test(`terminateRun ${policy} stops them and the run is CANCELED`, async () => {
      const { runId, opPid, childPid, worker } = await sleeperWithDeadWorker(s.url, dir);
      const r = (await gql(s.url, TERMINATE, { id: runId, policy })).terminateRun;
      assert.deepEqual(r, { __typename: 'TerminateRunSuccess', run: { runId, status: 'CANCELED' } });
      await assertOpsGone(opPid, childPid, `run ${runId}'s op ${opPid} and child ${childPid} to be gone`);
      assert.equal(await runStatus(s.url, runId), 'CANCELED');

      const events = await eventPairs(s.url, runId);
      const engine = events.filter(
        ([type, message]) => type === 'ENGINE_EVENT' && message.startsWith(`The run worker (pid ${worker})`),
      );
      assert.equal(engine.length, 1, JSON.stringify(events));
      assert.ok(engine[0][1].includes(ONE_GROUP_STOPPED), engine[0][1]);
      assert.equal(events.filter(([type]) => type === 'RUN_CANCELED').length, 1, JSON.stringify(events));
    });
  }

  test('deleteRun stops them, and the run and its files are gone', async () => {
    const { runId, opPid, childPid } = await sleeperWithDeadWorker(s.url, dir);
    assert.deepEqual(await deleteRun(s.url, runId), {
      __typename: 'DeletePipelineRunSuccess',
      runId,
    });
    await assertOpsGone(opPid, childPid, `deleted run ${runId}'s op and child to be gone`);
    assert.equal(await runStatus(s.url, runId), null);
    assert.ok(!existsSync(path.join(s.home, 'storage', runId)), 'its outputs and logs are removed');
  });

  test('a terminated run with a live worker is not mistaken for one with orphans', async () => {
    // The worker is alive: it stops its own ops and reports RUN_CANCELED;
    // no engine event about a dead worker appears.
    const { runId, opPid, childPid } = await startSleeper(s.url, dir);
    const r = (await gql(s.url, TERMINATE, { id: runId, policy: 'SAFE_TERMINATE' })).terminateRun;
    assert.equal(r.__typename, 'TerminateRunSuccess', JSON.stringify(r));
    assert.equal(await waitForStatus(s.url, runId, ['CANCELED'], 10000), 'CANCELED');
    await assertOpsGone(opPid, childPid, `run ${runId}'s processes to be gone`);
    const events = await eventPairs(s.url, runId);
    assert.ok(!events.some(([, message]) => message?.startsWith('The run worker (pid')), JSON.stringify(events));
  });
});
