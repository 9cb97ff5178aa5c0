// client.test.mjs — what Dagster's Python DagsterGraphQLClient does, against
// a real `dagd dev` running the fixture workspace (tests/e2e/fixtures/runs):
// its operations sent verbatim (dagster_graphql/client/client_queries.py,
// kept in dagster-documents.mjs), with the variables the client builds,
// and its answers read the way the client reads them. A small JavaScript
// stand-in for the client (`client` below) follows client.py step by step,
// so each test reads like a use of the Python client.
import assert from 'node:assert/strict';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  alive,
  freshSubDir,
  gql,
  readPidFile,
  useDev,
  waitFor,
  waitForStatus,
  workerPids,
} from './fixtures/runs/harness.mjs';
import {
  CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY,
  CLIENT_SUBMIT_PIPELINE_RUN_MUTATION,
  GET_PIPELINE_RUN_STATUS_QUERY,
  RELOAD_REPOSITORY_LOCATION_MUTATION,
  SHUTDOWN_REPOSITORY_LOCATION_MUTATION,
  TERMINATE_RUNS_JOB_MUTATION,
  TERMINATE_RUN_JOB_MUTATION,
} from './dagster-documents.mjs';

/** The Python client's DagsterGraphQLClientError: a result type and its message or body. */
class ClientError extends Error {
  constructor(type, body) {
    super(`${type}: ${JSON.stringify(body)}`);
    this.type = type;
    this.body = body;
  }
}

/**
 * DagsterGraphQLClient's methods over fetch, each doing what client.py does
 * with the answer; `sent` records every request's variables, so a test can
 * check what the client sent.
 */
function client(url) {
  const sent = [];
  const execute = (query, variables) => {
    sent.push(variables);
    return gql(url, query, variables);
  };
  return {
    sent,

    /** _get_repo_locations_and_names_with_pipeline: [{location, repository}] of the jobs named so. */
    async jobLocations(jobName) {
      const res = (await execute(CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY)).repositoriesOrError;
      if (res.__typename !== 'RepositoryConnection') throw new ClientError(res.__typename, res.message);
      return res.nodes
        .filter((node) => node.pipelines.some((p) => p.name === jobName))
        .map((node) => ({ location: node.location.name, repository: node.name }));
    },

    /** submit_job_execution: the run id, or a ClientError named after the result type. */
    async submitJobExecution(jobName, { location, repository, runConfig, tags, opSelection } = {}) {
      if (!location || !repository) {
        const found = await this.jobLocations(jobName);
        if (found.length === 0)
          throw new ClientError('JobNotFoundError', `No jobs with the name \`${jobName}\` exist`);
        if (found.length > 1)
          throw new ClientError('Must specify repository_location_name and repository_name', found);
        ({ location, repository } = found[0]);
      }
      const executionParams = {
        selector: {
          repositoryLocationName: location,
          repositoryName: repository,
          pipelineName: jobName,
          solidSelection: opSelection ?? null,
        },
        runConfigData: runConfig ?? {},
        mode: 'default',
        executionMetadata:
          tags && Object.keys(tags).length > 0
            ? { tags: Object.entries(tags).map(([key, value]) => ({ key, value })) }
            : {},
      };
      const result = (await execute(CLIENT_SUBMIT_PIPELINE_RUN_MUTATION, { executionParams }))
        .launchPipelineExecution;
      const type = result.__typename;
      if (type === 'LaunchRunSuccess' || type === 'LaunchPipelineRunSuccess') return result.run.runId;
      if (type === 'InvalidStepError') throw new ClientError(type, result.invalidStepKey);
      if (type === 'InvalidOutputError')
        throw new ClientError(type, { stepKey: result.stepKey, invalidOutputName: result.invalidOutputName });
      if (type === 'RunConfigValidationInvalid' || type === 'PipelineConfigValidationInvalid')
        throw new ClientError(type, result.errors);
      throw new ClientError(type, result.message);
    },

    /** get_run_status: the status, or a ClientError. */
    async getRunStatus(runId) {
      const result = (await execute(GET_PIPELINE_RUN_STATUS_QUERY, { runId })).pipelineRunOrError;
      if (result.__typename === 'PipelineRun' || result.__typename === 'Run') return result.status;
      throw new ClientError(result.__typename, result.message);
    },

    /** terminate_run: nothing, or a ClientError. */
    async terminateRun(runId) {
      const result = (await execute(TERMINATE_RUN_JOB_MUTATION, { runId })).terminateRun;
      if (result.__typename === 'TerminateRunSuccess') return;
      if (result.__typename === 'RunNotFoundError')
        throw new ClientError('RunNotFoundError', `Run Id ${runId} not found`);
      throw new ClientError(result.__typename, result.message);
    },

    /** terminate_runs: the raw results (the client raises when any is not a success). */
    async terminateRuns(runIds) {
      return (await execute(TERMINATE_RUNS_JOB_MUTATION, { runIds })).terminateRuns;
    },

    /** reload_repository_location: the raw result. */
    async reloadRepositoryLocation(name) {
      return (await execute(RELOAD_REPOSITORY_LOCATION_MUTATION, { repositoryLocationName: name }))
        .reloadRepositoryLocation;
    },

    /** shutdown_repository_location: the raw result. */
    async shutdownRepositoryLocation(name) {
      return (await execute(SHUTDOWN_REPOSITORY_LOCATION_MUTATION, { repositoryLocationName: name }))
        .shutdownRepositoryLocation;
    },
  };
}

/** Rejects with a ClientError of that type; returns the error. */
async function rejectsWith(promise, type) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ClientError, String(err));
    assert.equal(err.type, type, err.message);
    return err;
  }
  assert.fail(`expected a ${type}`);
}

// DagsterRunStatus, every value get_run_status can return.
const RUN_STATUSES = [
  'QUEUED',
  'NOT_STARTED',
  'MANAGED',
  'STARTING',
  'STARTED',
  'SUCCESS',
  'FAILURE',
  'CANCELING',
  'CANCELED',
];

/** Polls get_run_status, as a client script does, until the run is over; each status is a DagsterRunStatus. */
async function pollUntilFinished(c, runId, timeout = 20000) {
  return waitFor(
    async () => {
      const status = await c.getRunStatus(runId);
      assert.ok(RUN_STATUSES.includes(status), status);
      return ['SUCCESS', 'FAILURE', 'CANCELED'].includes(status) && status;
    },
    { timeout, what: `run ${runId} to finish` },
  );
}

describe("Dagster's Python GraphQL client against dagd dev", () => {
  let s;
  let dir;
  useDev((dev) => ({ s, dir } = dev));

  /** Submits a `sleeper` run and waits for its op to run; { runId, opPid }. */
  async function sleeper(c) {
    const pidDir = freshSubDir(dir);
    const runId = await c.submitJobExecution('sleeper', {
      runConfig: { ops: { sleepy: { config: { dir: pidDir } } } },
    });
    const opPid = await readPidFile(path.join(pidDir, 'op.pid'), `run ${runId}'s op`);
    await waitForStatus(s.url, runId, ['STARTED']);
    return { runId, opPid };
  }

  test('submit_job_execution finds the location, launches, and the status polls to SUCCESS', async () => {
    const c = client(s.url);
    const runId = await c.submitJobExecution('quick', {
      runConfig: { ops: { say: { config: { text: 'from the client' } } } },
      tags: { team: 'e2e', purpose: 'client test' },
    });
    assert.deepEqual(c.sent[1], {
      executionParams: {
        selector: {
          repositoryLocationName: 'runs',
          repositoryName: 'runs',
          pipelineName: 'quick',
          solidSelection: null,
        },
        runConfigData: { ops: { say: { config: { text: 'from the client' } } } },
        mode: 'default',
        executionMetadata: {
          tags: [
            { key: 'team', value: 'e2e' },
            { key: 'purpose', value: 'client test' },
          ],
        },
      },
    });
    assert.equal(await pollUntilFinished(c, runId), 'SUCCESS');
    const data = await gql(
      s.url,
      `query($id: ID!) { runOrError(runId: $id) { ... on Run { jobName mode tags { key value } } } }`,
      { id: runId },
    );
    const { jobName, mode, tags } = data.runOrError;
    assert.deepEqual([jobName, mode], ['quick', 'default']);
    const tagMap = Object.fromEntries(tags.map((t) => [t.key, t.value]));
    // The job's own tag and the client's.
    assert.equal(tagMap.kind, 'quick');
    assert.equal(tagMap.team, 'e2e');
    assert.equal(tagMap.purpose, 'client test');
  });

  test('submit_job_execution without tags or config sends an empty executionMetadata', async () => {
    const c = client(s.url);
    const runId = await c.submitJobExecution('quick', { location: 'runs', repository: 'runs' });
    assert.deepEqual(c.sent[0].executionParams.executionMetadata, {});
    assert.equal(await pollUntilFinished(c, runId), 'SUCCESS');
  });

  test('op_selection becomes solidSelection: only the selected op runs', async () => {
    const c = client(s.url);
    const runId = await c.submitJobExecution('two_says', { opSelection: ['hello'] });
    assert.equal(await pollUntilFinished(c, runId), 'SUCCESS');
    const data = await gql(
      s.url,
      `query($id: ID!) { runOrError(runId: $id) { ... on Run { solidSelection stepStats { stepKey status } } } }`,
      { id: runId },
    );
    assert.deepEqual(data.runOrError, {
      solidSelection: ['hello'],
      stepStats: [{ stepKey: 'hello', status: 'SUCCESS' }],
    });
  });

  test('an unknown job: PipelineNotFoundError with its message', async () => {
    const c = client(s.url);
    const err = await rejectsWith(
      c.submitJobExecution('nope', { location: 'runs', repository: 'runs' }),
      'PipelineNotFoundError',
    );
    assert.equal(err.body, 'Could not find Pipeline runs.runs.nope');
    // Without a location the client looks the job up first, and finds none.
    await rejectsWith(client(s.url).submitJobExecution('nope'), 'JobNotFoundError');
  });

  test('invalid config: RunConfigValidationInvalid with the errors the client reads', async () => {
    const c = client(s.url);
    const err = await rejectsWith(
      c.submitJobExecution('quick', { runConfig: { ops: { say: { config: { text: 5 } } } } }),
      'RunConfigValidationInvalid',
    );
    assert.deepEqual(err.body, [
      {
        __typename: 'RuntimeMismatchConfigError',
        message:
          'Invalid scalar at path root:ops:say:config:text. Value "5" of type "<class \'int\'>" ' +
          'is not valid for expected type "String".',
        path: [],
        reason: 'RUNTIME_TYPE_MISMATCH',
      },
    ]);
    const missing = await rejectsWith(c.submitJobExecution('chain', {}), 'RunConfigValidationInvalid');
    assert.deepEqual(
      missing.body.map((e) => [e.__typename, e.reason]),
      [['MissingFieldConfigError', 'MISSING_REQUIRED_FIELD']],
    );
  });

  test('get_run_status of an unknown run: RunNotFoundError', async () => {
    const id = '33333333-3333-4333-8333-333333333333';
    const err = await rejectsWith(client(s.url).getRunStatus(id), 'RunNotFoundError');
    assert.equal(err.body, `Pipeline run ${id} could not be found.`);
  });

  test('terminate_run: the run is canceled and its processes gone; again, and unknown ids, fail', async () => {
    const c = client(s.url);
    const { runId, opPid } = await sleeper(c);
    await c.terminateRun(runId);
    assert.equal(await pollUntilFinished(c, runId, 5000), 'CANCELED');
    await waitFor(() => !alive(opPid) && workerPids(runId).length === 0, {
      timeout: 5000,
      what: `run ${runId}'s processes to be gone`,
    });
    const again = await rejectsWith(c.terminateRun(runId), 'TerminateRunFailure');
    assert.equal(again.body, `Run ${runId} could not be terminated due to having status CANCELED.`);
    const id = '44444444-4444-4444-8444-444444444444';
    const unknown = await rejectsWith(c.terminateRun(id), 'RunNotFoundError');
    assert.equal(unknown.body, `Run Id ${id} not found`);
  });

  test('terminate_runs: every run in progress canceled; one result per id, in order', async () => {
    const c = client(s.url);
    const a = await sleeper(c);
    const b = await sleeper(c);
    const done = await c.submitJobExecution('quick');
    assert.equal(await pollUntilFinished(c, done), 'SUCCESS');
    const unknown = '55555555-5555-4555-8555-555555555555';
    assert.deepEqual(await c.terminateRuns([a.runId, b.runId, done, unknown]), {
      __typename: 'TerminateRunsResult',
      terminateRunResults: [
        { __typename: 'TerminateRunSuccess', run: { runId: a.runId } },
        { __typename: 'TerminateRunSuccess', run: { runId: b.runId } },
        {
          __typename: 'TerminateRunFailure',
          message: `Run ${done} could not be terminated due to having status SUCCESS.`,
        },
        { __typename: 'RunNotFoundError', runId: unknown, message: `Pipeline run ${unknown} could not be found.` },
      ],
    });
    for (const r of [a, b]) {
      assert.equal(await pollUntilFinished(c, r.runId, 5000), 'CANCELED');
      await waitFor(() => !alive(r.opPid) && workerPids(r.runId).length === 0, {
        timeout: 5000,
        what: `run ${r.runId}'s processes to be gone`,
      });
    }
    assert.deepEqual(await c.terminateRuns([]), { __typename: 'TerminateRunsResult', terminateRunResults: [] });
  });

  test('reload_repository_location while a run goes: the run is not disturbed', async () => {
    const c = client(s.url);
    const flag = path.join(dir, 'reload-go');
    const runId = await c.submitJobExecution('waiter', {
      runConfig: { ops: { wait_for_file: { config: { path: flag } } } },
    });
    await waitForStatus(s.url, runId, ['STARTED']);
    assert.deepEqual(await c.reloadRepositoryLocation('runs'), {
      __typename: 'WorkspaceLocationEntry',
      name: 'runs',
      locationOrLoadError: {
        __typename: 'RepositoryLocation',
        isReloadSupported: true,
        repositories: [{ name: 'runs' }],
      },
    });
    writeFileSync(flag, '');
    assert.equal(await pollUntilFinished(c, runId), 'SUCCESS');
    assert.deepEqual(await c.reloadRepositoryLocation('nope'), {
      __typename: 'RepositoryLocationNotFound',
      message: 'Location nope does not exist.',
    });
  });

  test('shutdown_repository_location: not supported for an in-process location; unknown location', async () => {
    const c = client(s.url);
    assert.deepEqual(await c.shutdownRepositoryLocation('runs'), {
      __typename: 'PythonError',
      message: 'Location runs does not support shutting down via GraphQL',
    });
    assert.deepEqual(await c.shutdownRepositoryLocation('nope'), {
      __typename: 'RepositoryLocationNotFound',
      message: 'Location nope does not exist.',
    });
    // The location still serves launches.
    const runId = await c.submitJobExecution('quick');
    assert.equal(await pollUntilFinished(c, runId), 'SUCCESS');
  });
});
