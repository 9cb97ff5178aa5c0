// runs.test.mjs — runs end to end: a real `dagd dev` on an ephemeral port,
// its own temporary instance, real op processes (tests/e2e/fixtures/runs and
// examples/). Every query of Dagster's GraphQL API docs page is sent
// verbatim (dagster-documents.mjs) and its answers checked; then paging
// and filtering 25 runs, termination (no process of a run left behind),
// deletion, the union members of bad launches, inputs and config flowing
// through ops, failing ops, compute logs and events while a run goes and
// after, Dagster's event order, the examples' jobs, and bad requests that
// must not create runs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { buildSchema, execute, parse, validate } from 'graphql';

import {
  EXAMPLES_WORKSPACE,
  alive,
  deleteRun,
  freshSubDir,
  gql,
  gqlResponse,
  groupMembers,
  launch,
  launchAndWait,
  launchResult,
  post,
  readPidFile,
  root,
  runStatus,
  selector,
  startDev,
  useDev,
  waitFor,
  waitForStatus,
  workerPids,
} from './fixtures/runs/harness.mjs';
// Dagster's GraphQL API docs page, every document verbatim.
import {
  FILTERED_RUNS_QUERY,
  JOBS_QUERY,
  LAUNCH_RUN_MUTATION,
  PAGINATED_RUNS_QUERY,
  REPOSITORIES_QUERY,
  TERMINATE_RUN_MUTATION,
} from './dagster-documents.mjs';

// ---- the tests' own documents

const RUN_QUERY = `
query($id: ID!) {
  runOrError(runId: $id) {
    __typename
    ... on Run {
      runId jobName status solidSelection canTerminate runConfigYaml
      tags { key value }
      stepStats { stepKey status }
      stats { ... on RunStatsSnapshot { stepsSucceeded stepsFailed materializations } }
    }
    ... on RunNotFoundError { runId message }
  }
}`;

const EVENTS_QUERY = `
query($id: ID!, $after: String) {
  logsForRun(runId: $id, afterCursor: $after) {
    __typename
    ... on EventConnection {
      cursor
      hasMore
      events {
        __typename
        ... on MessageEvent { eventType message stepKey level }
        ... on ErrorEvent { error { message className } }
        ... on ExecutionStepFailureEvent { errorSource }
        ... on ExecutionStepInputEvent { inputName }
        ... on ExecutionStepOutputEvent { outputName }
        ... on LogsCapturedEvent { fileKey stepKeys }
        ... on MaterializationEvent { assetKey { path } }
      }
    }
    ... on RunNotFoundError { runId message }
  }
}`;

const CAPTURED_LOGS_QUERY = `
query($key: [String!]!, $cursor: String) {
  capturedLogs(logKey: $key, cursor: $cursor) { stdout stderr cursor }
}`;

const TERMINATE = `
mutation($id: String!, $policy: TerminateRunPolicy) {
  terminateRun(runId: $id, terminatePolicy: $policy) {
    __typename
    ... on TerminateRunSuccess { run { runId status canTerminate } }
    ... on TerminateRunFailure { run { runId status } message }
    ... on RunNotFoundError { runId message }
    ... on PythonError { message }
  }
}`;

const RUN_IDS = `
query($filter: RunsFilter) { runIdsOrError(filter: $filter) { ... on RunIds { results } } }`;

/** The run object (runOrError) of a run id. */
async function run(url, runId) {
  return (await gql(url, RUN_QUERY, { id: runId })).runOrError;
}

/** Every event of a run after `after` (all when undefined), following hasMore; { events, cursor }. */
async function events(url, runId, after) {
  const all = [];
  let cursor = after;
  for (;;) {
    const conn = (await gql(url, EVENTS_QUERY, { id: runId, after: cursor })).logsForRun;
    assert.equal(conn.__typename, 'EventConnection', JSON.stringify(conn));
    all.push(...conn.events);
    cursor = conn.cursor;
    if (!conn.hasMore) return { events: all, cursor };
  }
}

/** A step's captured logs ({stdout, stderr, cursor}), from `cursor` on. */
async function stepLogs(url, runId, stepKey, cursor) {
  const key = [runId, 'compute_logs', stepKey];
  return (await gql(url, CAPTURED_LOGS_QUERY, { key, cursor })).capturedLogs;
}

/** The ids of every run of the instance, newest first. */
async function runIds(url, filter) {
  return (await gql(url, RUN_IDS, { filter })).runIdsOrError.results;
}

/** Waits until no process of a run is left: its worker, the op's process and its process group. */
async function assertNothingLeft(runId, opPids, what) {
  await waitFor(
    () =>
      workerPids(runId).length === 0 &&
      opPids.every((pid) => !alive(pid)) &&
      opPids.every((pid) => groupMembers(pid).length === 0),
    { timeout: 5000, what },
  );
}

/** The config of a `sleeper` run: where its op writes its pid files. */
const sleeperConfig = (dir) => ({ ops: { sleepy: { config: { dir } } } });

/**
 * Launches `sleeper` with its pid files in dir; resolves once the op is
 * running (its pid files written) to { runId, opPid, childPid }.
 */
async function startSleeper(url, dir) {
  const runId = await launch(url, 'sleeper', { runConfigData: sleeperConfig(dir) });
  const opPid = await readPidFile(path.join(dir, 'op.pid'), `run ${runId}'s op to write its pid`);
  const childPid = await readPidFile(path.join(dir, 'child.pid'), `run ${runId}'s op's child pid`);
  assert.ok(alive(opPid) && alive(childPid));
  // The op leads a process group of its own, its child in it (the `mv`
  // that wrote op.pid may still be exiting: wait for it to go).
  const expected = [opPid, childPid].sort((a, b) => a - b);
  await waitFor(
    () => JSON.stringify(groupMembers(opPid).sort((a, b) => a - b)) === JSON.stringify(expected),
    { timeout: 5000, what: `run ${runId}'s op group to be the op and its child` },
  );
  return { runId, opPid, childPid };
}

// Dagster's events for a run of one op (that logs one message and yields
// one output) launched without a queue, with the multiprocess executor, as
// [eventType, stepKey] (dagster-semantics.md, "A normal queued run, in
// order", without RUN_ENQUEUED/RUN_DEQUEUED; Dagster's own logs show the
// same).
const DAGSTER_ORDER = [
  ['RUN_STARTING', null],
  ['ENGINE_EVENT', null], // Started process for run (pid: N).
  ['RUN_START', null],
  ['ENGINE_EVENT', null], // Executing steps using multiprocess executor …
  ['STEP_WORKER_STARTING', 'say'],
  ['STEP_WORKER_STARTED', 'say'],
  ['RESOURCE_INIT_STARTED', 'say'],
  ['RESOURCE_INIT_SUCCESS', 'say'],
  ['LOGS_CAPTURED', null],
  ['STEP_START', 'say'],
  [null, 'say'], // the op's log message
  ['STEP_OUTPUT', 'say'],
  ['HANDLED_OUTPUT', 'say'],
  ['STEP_SUCCESS', 'say'],
  ['ENGINE_EVENT', null], // Multiprocess executor: parent process exiting …
  ['RUN_SUCCESS', null],
];

// What dagd writes for `quick`: Dagster's order without the step worker
// and resource initialization events (dagd's ops are processes of their
// own and have no IO manager resource to initialize).
const QUICK_EVENTS = DAGSTER_ORDER.filter(
  ([type]) => !/^(STEP_WORKER_|RESOURCE_INIT_)/.test(type ?? ''),
);

/** Whether every item of sub appears in seq, in the same order. */
function inOrder(sub, seq) {
  let i = 0;
  for (const item of seq) if (i < sub.length && JSON.stringify(item) === JSON.stringify(sub[i])) i++;
  return i === sub.length;
}

/** The artifact file of a step's output in the instance at home. */
const outputFile = (home, runId, step, output) => path.join(home, 'storage', runId, step, output);

// ---------------------------------------------------------------------------

describe("Dagster's docs: repositories, jobs, launching and terminating", () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev));

  test('"Get a list of repositories"', async () => {
    assert.deepEqual(await gql(s.url, REPOSITORIES_QUERY), {
      repositoriesOrError: { nodes: [{ name: 'runs', location: { name: 'runs' } }] },
    });
  });

  test('"Get a list of jobs within a repository": every job, by name', async () => {
    const data = await gql(s.url, JOBS_QUERY, { repositoryLocationName: 'runs', repositoryName: 'runs' });
    assert.deepEqual(
      data.repositoryOrError.jobs.map((j) => j.name),
      ['chain', 'failing', 'quick', 'sleeper', 'two_says', 'waiter'],
    );
  });

  test('"Launch a run": the run executes with the config given', async () => {
    const data = await gql(s.url, LAUNCH_RUN_MUTATION, {
      repositoryLocationName: 'runs',
      repositoryName: 'runs',
      jobName: 'quick',
      runConfigData: { ops: { say: { config: { text: 'from the docs' } } } },
    });
    assert.equal(data.launchRun.__typename, 'LaunchRunSuccess', JSON.stringify(data));
    assert.deepEqual(Object.keys(data.launchRun.run), ['runId']);
    const { runId } = data.launchRun.run;
    assert.match(runId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(await waitForStatus(s.url, runId), 'SUCCESS');
    assert.equal((await stepLogs(s.url, runId, 'say')).stdout, 'from the docs\n');
    assert.equal(readFileSync(outputFile(s.home, runId, 'say', 'text'), 'utf8'), 'from the docs\n');
  });

  test('"Launch a run" with config the job refuses: RunConfigValidationInvalid, and no run', async () => {
    const before_ = await runIds(s.url);
    const data = await gql(s.url, LAUNCH_RUN_MUTATION, {
      repositoryLocationName: 'runs',
      repositoryName: 'runs',
      jobName: 'quick',
      runConfigData: { ops: { say: { config: { text: 5 } } } },
    });
    assert.deepEqual(data.launchRun, {
      __typename: 'RunConfigValidationInvalid',
      errors: [
        {
          message:
            'Invalid scalar at path root:ops:say:config:text. Value "5" of type "<class \'int\'>" ' +
            'is not valid for expected type "String".',
          reason: 'RUNTIME_TYPE_MISMATCH',
        },
      ],
    });
    assert.deepEqual(await runIds(s.url), before_);
  });

  test('"Launch a run" of a job that does not exist: only its __typename is selected', async () => {
    const data = await gql(s.url, LAUNCH_RUN_MUTATION, {
      repositoryLocationName: 'runs',
      repositoryName: 'runs',
      jobName: 'nope',
      runConfigData: {},
    });
    assert.deepEqual(data.launchRun, { __typename: 'PipelineNotFoundError' });
  });

  test('"Terminate an in-progress run": success, then failure once finished, and an unknown id', async () => {
    const { runId } = await startSleeper(s.url, dir);
    assert.equal(await waitForStatus(s.url, runId, ['STARTED']), 'STARTED');
    assert.deepEqual(await gql(s.url, TERMINATE_RUN_MUTATION, { runId }), {
      terminateRun: { __typename: 'TerminateRunSuccess', run: { runId } },
    });
    assert.equal(await waitForStatus(s.url, runId, ['CANCELED'], 5000), 'CANCELED');
    assert.deepEqual(await gql(s.url, TERMINATE_RUN_MUTATION, { runId }), {
      terminateRun: {
        __typename: 'TerminateRunFailure',
        message: `Run ${runId} could not be terminated due to having status CANCELED.`,
      },
    });
    const unknown = '00000000-0000-4000-8000-000000000000';
    assert.deepEqual(await gql(s.url, TERMINATE_RUN_MUTATION, { runId: unknown }), {
      terminateRun: { __typename: 'RunNotFoundError', runId: unknown },
    });
  });
});

describe("Dagster's docs: \"Get a list of Dagster runs\", paginated and filtered", () => {
  let s;
  // Launched in this order, so listed the other way round.
  const launched = [];
  before(async () => {
    s = await startDev();
    for (const [job, text] of [
      ['quick', 'one'],
      ['failing', null],
      ['quick', 'three'],
    ]) {
      const runConfigData = text ? { ops: { say: { config: { text } } } } : {};
      const r = await launchAndWait(s.url, job, { runConfigData });
      launched.push({ ...r, job, text });
    }
  });
  after(() => s.stop());

  /** Checks one docs result against what was launched. */
  function checkResult(result, expected) {
    assert.equal(result.runId, expected.runId);
    assert.equal(result.jobName, expected.job);
    assert.equal(result.status, expected.status);
    assert.equal(
      result.runConfigYaml,
      expected.text ? `ops:\n  say:\n    config:\n      text: ${expected.text}\n` : '{}\n',
    );
    assert.equal(typeof result.startTime, 'number');
    assert.equal(typeof result.endTime, 'number');
    assert.ok(result.startTime <= result.endTime, JSON.stringify(result));
  }

  test('the runs, newest first, with their job, status, config and times', async () => {
    assert.deepEqual(
      launched.map((r) => r.status),
      ['SUCCESS', 'FAILURE', 'SUCCESS'],
    );
    const data = await gql(s.url, PAGINATED_RUNS_QUERY, {});
    assert.equal(data.runsOrError.__typename, 'Runs');
    const results = data.runsOrError.results;
    assert.equal(results.length, 3);
    [...launched].reverse().forEach((expected, i) => checkResult(results[i], expected));
    // Runs started one after the other: each ended before the next started.
    assert.ok(results[1].endTime <= results[0].startTime);
  });

  test('the cursor is a run id and exclusive', async () => {
    const data = await gql(s.url, PAGINATED_RUNS_QUERY, { cursor: launched[1].runId });
    assert.deepEqual(
      data.runsOrError.results.map((r) => r.runId),
      [launched[0].runId],
    );
    const last = await gql(s.url, PAGINATED_RUNS_QUERY, { cursor: launched[0].runId });
    assert.deepEqual(last.runsOrError, { __typename: 'Runs', results: [] });
  });

  test('filtered by FAILURE: only the failed run', async () => {
    const data = await gql(s.url, FILTERED_RUNS_QUERY, {});
    assert.equal(data.runsOrError.__typename, 'Runs');
    assert.equal(data.runsOrError.results.length, 1);
    checkResult(data.runsOrError.results[0], launched[1]);
  });
});

describe('25 runs: pages of 10 with the cursor, and filters', () => {
  let s;
  const ids = []; // in launch order
  const PAGE = `
    query($cursor: String, $filter: RunsFilter, $limit: Int) {
      runsOrError(cursor: $cursor, filter: $filter, limit: $limit) {
        __typename
        ... on Runs { results { runId jobName status tags { key value } } count }
      }
    }`;
  const page = async (variables) => (await gql(s.url, PAGE, variables)).runsOrError;
  const newestFirst = (indexes) => indexes.map((i) => ids[i]).reverse();
  const range = (n, keep = () => true) => [...Array(n).keys()].filter(keep);

  before(async () => {
    s = await startDev();
    // Every fifth run fails; the first ten carry batch=first, the rest batch=rest.
    for (const i of range(25)) {
      const job = i % 5 === 4 ? 'failing' : 'quick';
      const tags = { batch: i < 10 ? 'first' : 'rest', index: String(i) };
      ids.push(await launch(s.url, job, { tags }));
    }
    for (const id of ids) await waitForStatus(s.url, id);
  });
  after(() => s.stop());

  test('10, 10, 5: newest first, no duplicates, count 25 on every page', async () => {
    const seen = [];
    const sizes = [];
    let cursor;
    for (;;) {
      const p = await page({ cursor, limit: 10 });
      assert.equal(p.__typename, 'Runs');
      assert.equal(p.count, 25);
      if (p.results.length === 0) break;
      sizes.push(p.results.length);
      seen.push(...p.results.map((r) => r.runId));
      cursor = p.results.at(-1).runId;
    }
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.equal(new Set(seen).size, 25);
    assert.deepEqual(seen, [...ids].reverse());
  });

  test('by status: FAILURE', async () => {
    const p = await page({ filter: { statuses: ['FAILURE'] } });
    assert.deepEqual(
      p.results.map((r) => r.runId),
      newestFirst(range(25, (i) => i % 5 === 4)),
    );
    assert.equal(p.count, 5);
    assert.ok(p.results.every((r) => r.status === 'FAILURE' && r.jobName === 'failing'));
    // statuses match any listed value.
    const both = await page({ filter: { statuses: ['FAILURE', 'SUCCESS'] } });
    assert.equal(both.count, 25);
  });

  test('by tag: all given tags must match, and filters are ANDed', async () => {
    const first = await page({ filter: { tags: [{ key: 'batch', value: 'first' }] } });
    assert.deepEqual(
      first.results.map((r) => r.runId),
      newestFirst(range(10)),
    );
    assert.equal(first.count, 10);
    for (const r of first.results) assert.ok(r.tags.some((t) => t.key === 'batch' && t.value === 'first'));

    const one = await page({
      filter: {
        tags: [
          { key: 'batch', value: 'first' },
          { key: 'index', value: '7' },
        ],
      },
    });
    assert.deepEqual(
      one.results.map((r) => r.runId),
      [ids[7]],
    );
    const none = await page({
      filter: {
        tags: [
          { key: 'batch', value: 'rest' },
          { key: 'index', value: '7' },
        ],
      },
    });
    assert.deepEqual(none.results, []);
    assert.equal(none.count, 0);

    const failedFirst = await page({
      filter: { tags: [{ key: 'batch', value: 'first' }], statuses: ['FAILURE'] },
    });
    assert.deepEqual(
      failedFirst.results.map((r) => r.runId),
      [ids[9], ids[4]],
    );
  });

  test('by pipelineName, paged with the filter kept', async () => {
    const quick = range(25, (i) => i % 5 !== 4);
    const p1 = await page({ filter: { pipelineName: 'quick' }, limit: 10 });
    assert.equal(p1.count, 20);
    const p2 = await page({ filter: { pipelineName: 'quick' }, limit: 10, cursor: p1.results.at(-1).runId });
    assert.deepEqual(
      [...p1.results, ...p2.results].map((r) => r.runId),
      newestFirst(quick),
    );
    const failing = await page({ filter: { pipelineName: 'failing' } });
    assert.deepEqual(
      failing.results.map((r) => r.runId),
      newestFirst(range(25, (i) => i % 5 === 4)),
    );
    assert.deepEqual((await page({ filter: { pipelineName: 'nope' } })).results, []);
  });

  test('by runIds: any listed id', async () => {
    const p = await page({ filter: { runIds: [ids[3], ids[20]] } });
    assert.deepEqual(
      p.results.map((r) => r.runId),
      [ids[20], ids[3]],
    );
  });
});

describe('termination and deletion', () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev));
  /** A fresh folder for one sleeper's pid files. */
  const sleeperDir = () => freshSubDir(dir);

  test('SAFE_TERMINATE: CANCELED within 5 s, and no process of the run left', async () => {
    const { runId, opPid, childPid } = await startSleeper(s.url, sleeperDir());
    assert.equal(await waitForStatus(s.url, runId, ['STARTED']), 'STARTED');
    assert.ok(workerPids(runId).length > 0, 'the run has a worker while it runs');
    assert.equal((await run(s.url, runId)).canTerminate, true);

    const r = (await gql(s.url, TERMINATE, { id: runId, policy: 'SAFE_TERMINATE' })).terminateRun;
    assert.equal(r.__typename, 'TerminateRunSuccess', JSON.stringify(r));
    assert.equal(r.run.runId, runId);
    assert.equal(await waitForStatus(s.url, runId, ['CANCELED'], 5000), 'CANCELED');
    await assertNothingLeft(runId, [opPid, childPid], `run ${runId}'s processes to be gone`);

    const types = (await events(s.url, runId)).events.map((e) => e.eventType);
    const canceling = types.indexOf('RUN_CANCELING');
    assert.ok(canceling > 0, types.join(' '));
    assert.ok(canceling < types.indexOf('RUN_CANCELED'), types.join(' '));
    assert.equal(types.at(-1), 'RUN_CANCELED');
    assert.equal((await run(s.url, runId)).canTerminate, false);
  });

  test("MARK_AS_CANCELED_IMMEDIATELY: CANCELED at once with Dagster's message; processes go too", async () => {
    const { runId, opPid, childPid } = await startSleeper(s.url, sleeperDir());
    const r = (await gql(s.url, TERMINATE, { id: runId, policy: 'MARK_AS_CANCELED_IMMEDIATELY' }))
      .terminateRun;
    assert.equal(r.__typename, 'TerminateRunSuccess', JSON.stringify(r));
    assert.deepEqual(r.run, { runId, status: 'CANCELED', canTerminate: false });
    const canceled = (await events(s.url, runId)).events.filter((e) => e.eventType === 'RUN_CANCELED');
    assert.equal(canceled.length, 1);
    assert.equal(
      canceled[0].message,
      'This pipeline was forcibly marked as canceled from outside the execution context. The ' +
        'computational resources created by the run may not have been fully cleaned up.',
    );
    await assertNothingLeft(runId, [opPid, childPid], `run ${runId}'s processes to be gone`);
    assert.equal(await runStatus(s.url, runId), 'CANCELED');
  });

  test('terminating a finished run: TerminateRunFailure with Dagster\'s message', async () => {
    const { runId, status } = await launchAndWait(s.url, 'quick');
    assert.equal(status, 'SUCCESS');
    for (const policy of ['SAFE_TERMINATE', 'MARK_AS_CANCELED_IMMEDIATELY']) {
      assert.deepEqual((await gql(s.url, TERMINATE, { id: runId, policy })).terminateRun, {
        __typename: 'TerminateRunFailure',
        run: { runId, status: 'SUCCESS' },
        message: `Run ${runId} could not be terminated due to having status SUCCESS.`,
      });
    }
    assert.equal(await runStatus(s.url, runId), 'SUCCESS');
  });

  test('terminating an unknown run: RunNotFoundError', async () => {
    const id = '11111111-1111-4111-8111-111111111111';
    assert.deepEqual((await gql(s.url, TERMINATE, { id })).terminateRun, {
      __typename: 'RunNotFoundError',
      runId: id,
      message: `Pipeline run ${id} could not be found.`,
    });
  });

  test('deleteRun: the run, its events and its files are gone; runOrError says RunNotFoundError', async () => {
    const { runId } = await launchAndWait(s.url, 'quick');
    assert.ok(existsSync(outputFile(s.home, runId, 'say', 'text')));
    assert.deepEqual(await deleteRun(s.url, runId), {
      __typename: 'DeletePipelineRunSuccess',
      runId,
    });
    assert.deepEqual(await run(s.url, runId), {
      __typename: 'RunNotFoundError',
      runId,
      message: `Pipeline run ${runId} could not be found.`,
    });
    const logs = (await gql(s.url, EVENTS_QUERY, { id: runId })).logsForRun;
    assert.equal(logs.__typename, 'RunNotFoundError');
    assert.ok(!(await runIds(s.url)).includes(runId));
    assert.ok(!existsSync(path.join(s.home, 'storage', runId)), 'its outputs and logs are removed');
    assert.deepEqual(await deleteRun(s.url, runId), {
      __typename: 'RunNotFoundError',
      runId,
      message: `Pipeline run ${runId} could not be found.`,
    });
  });

  test('deleteRun of a run in progress stops its processes', async () => {
    const { runId, opPid, childPid } = await startSleeper(s.url, sleeperDir());
    assert.equal((await deleteRun(s.url, runId)).__typename, 'DeletePipelineRunSuccess');
    assert.equal((await run(s.url, runId)).__typename, 'RunNotFoundError');
    await assertNothingLeft(runId, [opPid, childPid], `deleted run ${runId}'s processes to be gone`);
  });

  test('terminateRuns: one result per id, in order', async () => {
    const a = await startSleeper(s.url, sleeperDir());
    const done = await launchAndWait(s.url, 'quick');
    const unknown = '22222222-2222-4222-8222-222222222222';
    await waitForStatus(s.url, a.runId, ['STARTED']);
    const data = await gql(
      s.url,
      `mutation($ids: [String!]!) { terminateRuns(runIds: $ids) { __typename
        ... on TerminateRunsResult { terminateRunResults { __typename
          ... on TerminateRunSuccess { run { runId } }
          ... on TerminateRunFailure { message }
          ... on RunNotFoundError { runId } } } } }`,
      { ids: [a.runId, done.runId, unknown] },
    );
    assert.deepEqual(data.terminateRuns, {
      __typename: 'TerminateRunsResult',
      terminateRunResults: [
        { __typename: 'TerminateRunSuccess', run: { runId: a.runId } },
        {
          __typename: 'TerminateRunFailure',
          message: `Run ${done.runId} could not be terminated due to having status SUCCESS.`,
        },
        { __typename: 'RunNotFoundError', runId: unknown },
      ],
    });
    assert.equal(await waitForStatus(s.url, a.runId, ['CANCELED'], 5000), 'CANCELED');
    await assertNothingLeft(a.runId, [a.opPid, a.childPid], `run ${a.runId}'s processes to be gone`);
  });
});


describe('launches that cannot run: their union members, and no run created', () => {
  let s;
  before(async () => {
    s = await startDev();
  });
  after(() => s.stop());

  const CONFIG_VALID = `
    query($s: PipelineSelector!, $c: RunConfigData) {
      isPipelineConfigValid(pipeline: $s, mode: "default", runConfigData: $c) {
        __typename ... on RunConfigValidationInvalid { errors { message reason } }
      }
    }`;

  /** Launches with params, asserts no run appeared, returns the result. */
  async function refused(params) {
    const before_ = await runIds(s.url);
    const result = await launchResult(s.url, params);
    assert.deepEqual(await runIds(s.url), before_, 'no run is created');
    return result;
  }

  test('invalid config: RunConfigValidationInvalid, the errors isPipelineConfigValid gives', async () => {
    for (const [job, runConfigData, reason] of [
      ['quick', { ops: { say: { config: { text: 5 } } } }, 'RUNTIME_TYPE_MISMATCH'],
      ['quick', { ops: { say: { config: { txt: 'x' } } } }, 'FIELD_NOT_DEFINED'],
      ['chain', {}, 'MISSING_REQUIRED_FIELD'],
    ]) {
      const result = await refused({ selector: selector(job), runConfigData });
      assert.equal(result.__typename, 'RunConfigValidationInvalid', JSON.stringify(result));
      assert.deepEqual(
        result.errors.map((e) => e.reason),
        [reason],
      );
      const check = await gql(s.url, CONFIG_VALID, {
        s: { repositoryLocationName: 'runs', repositoryName: 'runs', pipelineName: job },
        c: runConfigData,
      });
      assert.deepEqual(result.errors, check.isPipelineConfigValid.errors);
    }
  });

  test('an unknown job, repository or location: PipelineNotFoundError', async () => {
    const NOT_FOUND = `
      mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename
        ... on PipelineNotFoundError { message pipelineName repositoryName repositoryLocationName } } }`;
    for (const [location, repository, job] of [
      ['runs', 'runs', 'nope'],
      ['runs', 'elsewhere', 'quick'],
      ['nowhere', 'runs', 'quick'],
    ]) {
      const before_ = await runIds(s.url);
      const data = await gql(s.url, NOT_FOUND, { p: { selector: selector(job, location, repository) } });
      assert.deepEqual(data.launchRun, {
        __typename: 'PipelineNotFoundError',
        message: `Could not find Pipeline ${location}.${repository}.${job}`,
        pipelineName: job,
        repositoryName: repository,
        repositoryLocationName: location,
      });
      assert.deepEqual(await runIds(s.url), before_);
    }
  });

  test('a solidSelection that selects nothing: InvalidSubsetError', async () => {
    const result = await refused({ selector: { ...selector('quick'), solidSelection: ['nope'] } });
    assert.deepEqual(result, {
      __typename: 'InvalidSubsetError',
      message: "No qualified ops to execute found for op_selection=['nope']",
    });
  });

  test('a tag under a reserved prefix: PythonError with Dagster\'s message', async () => {
    const result = await refused({
      selector: selector('quick'),
      executionMetadata: { tags: [{ key: 'dagster/foo', value: 'x' }] },
    });
    assert.equal(result.__typename, 'PythonError', JSON.stringify(result));
    assert.match(result.message, /Attempted to set tag with reserved system prefix: dagster\/foo/);
  });
});

describe('bad requests never create or lose a run', () => {
  let s;
  let kept;
  const schema = buildSchema(readFileSync(path.join(root, 'src', 'api', 'schema.graphql'), 'utf8'));
  const LAUNCH_VARS = `mutation($p: ExecutionParams!) { launchRun(executionParams: $p) { __typename } }`;

  before(async () => {
    s = await startDev();
    kept = await launchAndWait(s.url, 'quick');
  });
  after(() => s.stop());

  /** Asserts the instance still holds exactly the one good run, finished. */
  async function onlyTheGoodRun() {
    assert.deepEqual(await runIds(s.url), [kept.runId]);
    assert.equal(await runStatus(s.url, kept.runId), 'SUCCESS');
  }

  test('malformed JSON bodies: HTTP 400 with errors', async () => {
    for (const body of [
      '{"query": "mutation { launchRun(executionParams: {selector: {',
      `{"query": ${JSON.stringify(LAUNCH_VARS)}, "variables": {"p": `,
      'not json at all',
    ]) {
      const res = await post(s.url, body);
      assert.equal(res.status, 400, res.text);
      assert.ok(Array.isArray(res.json?.errors) && res.json.errors.length > 0, res.text);
      assert.equal(res.json.data, undefined);
    }
    await onlyTheGoodRun();
  });

  test('variables of the wrong types: the errors graphql-js gives, and no data', async () => {
    const good = selector('quick');
    for (const variables of [
      {},
      { p: null },
      { p: { selector: 'quick' } },
      { p: { selector: { repositoryLocationName: 'runs', jobName: 'quick' } } },
      { p: { selector: { ...good, bogus: 1 } } },
      { p: { selector: good, mode: 5 } },
      { p: { selector: good, executionMetadata: { tags: [{ key: 'a', value: 1 }] } } },
      { p: { selector: good, executionMetadata: { tags: { key: 'a' } } } },
      { p: { selector: { ...good, solidSelection: [1, 'say'] } } },
    ]) {
      const expected = await execute({ schema, document: parse(LAUNCH_VARS), variableValues: variables });
      assert.ok(expected.errors?.length > 0, JSON.stringify(variables));
      const res = await post(s.url, JSON.stringify({ query: LAUNCH_VARS, variables }));
      assert.ok(res.json, res.text);
      assert.equal(res.json.data, undefined, res.text);
      assert.deepEqual(
        res.json.errors.map((e) => e.message),
        expected.errors.map((e) => e.message),
        JSON.stringify(variables),
      );
    }
    await onlyTheGoodRun();
  });

  test('literal arguments of the wrong types: validation errors as graphql-js gives them', async () => {
    for (const query of [
      'mutation { launchRun(executionParams: {selector: "quick"}) { __typename } }',
      'mutation { launchRun(executionParams: {selector: {repositoryLocationName: "runs", jobName: "quick"}}) ' +
        '{ __typename } }',
      'mutation { launchRun(executionParams: {selector: {repositoryLocationName: "runs", repositoryName: "runs", ' +
        'jobName: 7}}) { __typename } }',
      'mutation { launchRun { __typename } }',
    ]) {
      const expected = validate(schema, parse(query)).map((e) => e.message);
      assert.ok(expected.length > 0, query);
      const json = await gqlResponse(s.url, query);
      assert.equal(json.data, undefined, JSON.stringify(json));
      assert.deepEqual(
        json.errors.map((e) => e.message),
        expected,
        query,
      );
    }
    await onlyTheGoodRun();
  });
});

describe('executing ops: inputs, config, failures, logs and events', () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev));

  test('values flow from op to op through inputs, and op config reaches the ops', async () => {
    const { runId, status } = await launchAndWait(s.url, 'chain', {
      runConfigData: { ops: { emit: { config: { number: 21 } }, describe: { config: { prefix: 'answer=' } } } },
    });
    assert.equal(status, 'SUCCESS');
    const r = await run(s.url, runId);
    assert.deepEqual(
      r.stepStats.map((st) => [st.stepKey, st.status]),
      [
        ['emit', 'SUCCESS'],
        ['double', 'SUCCESS'],
        ['describe', 'SUCCESS'],
      ],
    );
    assert.deepEqual(r.stats, { stepsSucceeded: 3, stepsFailed: 0, materializations: 0 });
    assert.equal(readFileSync(outputFile(s.home, runId, 'emit', 'number'), 'utf8'), '21\n');
    assert.equal(readFileSync(outputFile(s.home, runId, 'double', 'number'), 'utf8'), '42\n');
    assert.equal(readFileSync(outputFile(s.home, runId, 'describe', 'text'), 'utf8'), 'answer=42\n');
    assert.equal((await stepLogs(s.url, runId, 'double')).stdout, 'doubled 21\n');
    assert.equal((await stepLogs(s.url, runId, 'describe')).stdout, 'described 42\n');

    const evs = (await events(s.url, runId)).events;
    const inputs = evs.filter((e) => e.eventType === 'STEP_INPUT').map((e) => [e.stepKey, e.inputName]);
    assert.deepEqual(inputs, [
      ['double', 'number'],
      ['describe', 'number'],
    ]);
    const outputs = evs.filter((e) => e.eventType === 'STEP_OUTPUT').map((e) => [e.stepKey, e.outputName]);
    assert.deepEqual(outputs, [
      ['emit', 'number'],
      ['double', 'number'],
      ['describe', 'text'],
    ]);
  });

  test('a failing op fails the run; its downstream step never runs', async () => {
    const { runId, status } = await launchAndWait(s.url, 'failing');
    assert.equal(status, 'FAILURE');
    const r = await run(s.url, runId);
    const stats = Object.fromEntries(r.stepStats.map((st) => [st.stepKey, st.status]));
    assert.equal(stats.boom, 'FAILURE');
    assert.notEqual(stats.double, 'SUCCESS');
    assert.notEqual(stats.double, 'IN_PROGRESS');
    assert.equal(r.stats.stepsFailed, 1);
    assert.equal(r.stats.stepsSucceeded, 0);

    const evs = (await events(s.url, runId)).events;
    const failures = evs.filter((e) => e.eventType === 'STEP_FAILURE');
    assert.equal(failures.length, 1);
    const [failure] = failures;
    assert.equal(failure.__typename, 'ExecutionStepFailureEvent');
    assert.equal(failure.stepKey, 'boom');
    assert.equal(failure.level, 'ERROR');
    assert.equal(failure.errorSource, 'USER_CODE_ERROR');
    assert.ok(failure.error && failure.error.message.length > 0, JSON.stringify(failure));
    assert.match(failure.error.message, /\b3\b/, 'the error names the exit status');
    assert.ok(
      !evs.some((e) => e.stepKey === 'double' && ['STEP_START', 'STEP_SUCCESS'].includes(e.eventType)),
      'double never starts',
    );
    assert.ok(!existsSync(path.join(s.home, 'storage', runId, 'double')), 'double wrote nothing');
    const skipped = evs.filter((e) => e.stepKey === 'double');
    assert.deepEqual(
      skipped.map((e) => [e.eventType, e.level, e.message]),
      [[null, 'ERROR', "Dependencies for step double failed: ['boom']. Not executing."]],
    );
    const last = evs.at(-1);
    assert.equal(last.eventType, 'RUN_FAILURE');
    assert.equal(last.__typename, 'RunFailureEvent');
    assert.equal(last.level, 'ERROR');

    const logs = await stepLogs(s.url, runId, 'boom');
    assert.equal(logs.stdout, 'about to fail\n');
    assert.equal(logs.stderr, 'boom: failing on purpose\n');
  });

  test('compute logs and events are readable while the run goes, and after', async () => {
    const flag = path.join(dir, 'go');
    const runId = await launch(s.url, 'waiter', {
      runConfigData: { ops: { wait_for_file: { config: { path: flag } } } },
    });
    const during = await waitFor(
      async () => {
        const logs = await stepLogs(s.url, runId, 'wait_for_file');
        return logs.stdout === 'before the file\n' && logs;
      },
      { what: 'the first line of the op to be readable' },
    );
    assert.equal(during.stderr ?? '', '');
    // The op's log event comes through while it still waits.
    const early = await waitFor(
      async () => {
        const got = await events(s.url, runId);
        return got.events.some((e) => e.message === `waiting for ${flag}`) && got;
      },
      { what: "the op's log event" },
    );
    assert.equal(await runStatus(s.url, runId), 'STARTED');
    const earlyTypes = early.events.map((e) => e.eventType);
    assert.ok(earlyTypes.includes('STEP_START'), earlyTypes.join(' '));
    assert.ok(!earlyTypes.includes('STEP_SUCCESS') && !earlyTypes.includes('RUN_SUCCESS'));
    const log = early.events.find((e) => e.message === `waiting for ${flag}`);
    assert.deepEqual(
      { t: log.__typename, type: log.eventType, step: log.stepKey, level: log.level },
      { t: 'LogMessageEvent', type: null, step: 'wait_for_file', level: 'INFO' },
    );

    writeFileSync(flag, '');
    assert.equal(await waitForStatus(s.url, runId), 'SUCCESS');

    const whole = await stepLogs(s.url, runId, 'wait_for_file');
    assert.equal(whole.stdout, 'before the file\nafter the file\n');
    assert.equal(whole.stderr, 'done waiting\n');
    const rest = await stepLogs(s.url, runId, 'wait_for_file', during.cursor);
    assert.equal(rest.stdout, 'after the file\n');
    assert.equal(rest.stderr, 'done waiting\n');
    const byRun = await gql(
      s.url,
      `query($id: ID!) { runOrError(runId: $id) { ... on Run {
        capturedLogs(fileKey: "wait_for_file") { stdout stderr } } } }`,
      { id: runId },
    );
    assert.deepEqual(byRun.runOrError.capturedLogs, { stdout: whole.stdout, stderr: whole.stderr });

    const later = await events(s.url, runId, early.cursor);
    const laterTypes = later.events.map((e) => e.eventType);
    assert.ok(laterTypes.includes('STEP_SUCCESS'), laterTypes.join(' '));
    assert.equal(laterTypes.at(-1), 'RUN_SUCCESS');
    assert.ok(!laterTypes.includes('RUN_START') && !laterTypes.includes('STEP_START'), laterTypes.join(' '));
    const all = (await events(s.url, runId)).events;
    assert.equal(all.length, early.events.length + later.events.length);
  });

  test("a simple successful run's events, in Dagster's order", async () => {
    const { runId, status } = await launchAndWait(s.url, 'quick');
    assert.equal(status, 'SUCCESS');
    const evs = (await events(s.url, runId)).events;
    const got = evs.map((e) => [e.eventType, e.stepKey]);
    assert.deepEqual(got, QUICK_EVENTS);
    assert.ok(inOrder(got, DAGSTER_ORDER), 'in the order Dagster writes them');
    assert.deepEqual(
      [evs[0].message, evs[0].level],
      ['', 'INFO'],
      'RUN_STARTING as DagsterInstance.launch_run reports it',
    );
    assert.match(evs[1].message, /^Started process for run \(pid: \d+\)\.$/);
    const byType = (t) => evs.find((e) => e.eventType === t);
    assert.equal(byType('RUN_START').message, 'Started execution of run for "quick".');
    assert.equal(byType('RUN_SUCCESS').message, 'Finished execution of run for "quick".');
    assert.equal(byType('STEP_START').message, 'Started execution of step "say".');
    const captured = byType('LOGS_CAPTURED');
    assert.equal(captured.fileKey, 'say');
    assert.deepEqual(captured.stepKeys, ['say']);
    const log = evs.find((e) => e.eventType === null);
    assert.deepEqual([log.message, log.level, log.stepKey], ['said hello', 'INFO', 'say']);
  });

  test('an op selection runs only the selected ops and is recorded on the run', async () => {
    const { runId, status } = await launchAndWait(s.url, 'two_says', { solidSelection: ['bye'] });
    assert.equal(status, 'SUCCESS');
    const r = await run(s.url, runId);
    assert.deepEqual(r.solidSelection, ['bye']);
    assert.deepEqual(
      r.stepStats.map((st) => st.stepKey),
      ['bye'],
    );
    const selectionTag = r.tags.find((t) => t.key === 'dagster/solid_selection');
    assert.equal(selectionTag?.value, 'bye', JSON.stringify(r.tags));
    assert.ok(!existsSync(path.join(s.home, 'storage', runId, 'hello')));
  });
});


describe('the examples workspace under `dagd dev`', () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev), EXAMPLES_WORKSPACE);

  test('hello_etl: the total of both extracts lands in the warehouse', async () => {
    const warehouse = path.join(dir, 'warehouse');
    const { runId, status } = await launchAndWait(s.url, 'hello_etl', {
      location: 'hello',
      runConfigData: { resources: { warehouse: { config: { path: warehouse } } } },
    });
    assert.equal(status, 'SUCCESS');
    // The job's default config extracts 1..3 and 1..100: 6 + 5050.
    assert.equal(readFileSync(path.join(warehouse, 'totals.txt'), 'utf8'), '5056\n');
    const r = await run(s.url, runId);
    assert.deepEqual(
      r.stepStats.map((st) => st.status),
      ['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS'],
    );
    assert.deepEqual(
      r.stepStats.map((st) => st.stepKey).sort(),
      ['large', 'load', 'small', 'transform'],
    );
  });

  test('sales_report: the report is written where the resource says, and materialized', async () => {
    const reports = path.join(dir, 'reports');
    const { runId, status } = await launchAndWait(s.url, 'sales_report', {
      location: 'sales',
      runConfigData: { resources: { report_store: { config: { root: reports } } } },
    });
    assert.equal(status, 'SUCCESS');
    assert.deepEqual(readdirSync(reports), [`report-${runId}.txt`]);
    assert.match(readFileSync(path.join(reports, `report-${runId}.txt`), 'utf8'), /north/);
    const mats = (await events(s.url, runId)).events.filter((e) => e.eventType === 'ASSET_MATERIALIZATION');
    assert.deepEqual(
      mats.map((m) => [m.stepKey, m.assetKey.path]),
      [['report', ['sales', 'report']]],
    );
    assert.equal((await run(s.url, runId)).stats.materializations, 1);
  });

  test('stats: nested graphs run to SUCCESS and publish their summary', async () => {
    const { runId, status } = await launchAndWait(s.url, 'stats', { location: 'stats', runConfigData: {} });
    assert.equal(status, 'SUCCESS');
    const r = await run(s.url, runId);
    assert.deepEqual(
      r.stepStats.map((st) => st.stepKey).sort(),
      [
        'numbers',
        'publish',
        'summary.clean.dedupe',
        'summary.clean.drop',
        'summary.count',
        'summary.mean',
        'summary.seen',
        'summary.total',
      ],
    );
    assert.ok(r.stepStats.every((st) => st.status === 'SUCCESS'));
    const published = (await events(s.url, runId)).events.filter(
      (e) => e.stepKey === 'publish' && e.eventType === null,
    );
    assert.equal(published.length, 1);
    // The job's default config generates 50 numbers.
    assert.match(published[0].message, /^numbers: mean [0-9.]+, total \d+, 50 seen$/);
  });
});
