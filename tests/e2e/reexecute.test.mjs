// reexecute.test.mjs — re-execution end to end: a real `dagd dev` with real
// op processes (tests/e2e/fixtures/reexecute). A job fails at one step;
// once the test "fixes" it, FROM_FAILURE re-executes only that step and
// its downstream, reading the upstream value the parent run produced
// (the output values are checked), ALL_STEPS runs everything again,
// runGroupOrError lists the family, and the strategies' refusals come back
// as Dagster's (a parent that did not fail, a deleted ancestor). The mutation is Dagster UI's LaunchPipelineReexecution
// document (RunUtils.tsx) with its PythonError fragment.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { gql, launch, useDev, waitForStatus } from './fixtures/runs/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKSPACE = path.join(here, 'fixtures', 'reexecute', 'workspace.yaml');

const LAUNCH_PIPELINE_REEXECUTION_MUTATION = `
  mutation LaunchPipelineReexecution(
    $executionParams: ExecutionParams
    $reexecutionParams: ReexecutionParams
  ) {
    launchPipelineReexecution(
      executionParams: $executionParams
      reexecutionParams: $reexecutionParams
    ) {
      __typename
      ... on LaunchRunSuccess {
        run {
          id
          runId
          pipelineName
          rootRunId
          parentRunId
        }
      }
      ... on PipelineNotFoundError {
        message
      }
      ... on InvalidSubsetError {
        message
      }
      ... on RunConfigValidationInvalid {
        errors {
          message
        }
      }
      ...PythonErrorFragment
    }
  }

  fragment PythonErrorFragment on PythonError {
    __typename
    message
    stack
  }
`;

const RUN_EVENTS = `
query($id: ID!) {
  runOrError(runId: $id) {
    ... on Run {
      status parentRunId rootRunId stepKeysToExecute
      tags { key value }
      eventConnection {
        events {
          __typename
          ... on MessageEvent { stepKey }
          ... on LoadedInputEvent { inputName metadataEntries { ... on PathMetadataEntry { path } } }
          ... on HandledOutputEvent { outputName metadataEntries { ... on PathMetadataEntry { path } } }
        }
      }
    }
  }
}`;

/** The run with its events. */
async function runWithEvents(url, runId) {
  return (await gql(url, RUN_EVENTS, { id: runId })).runOrError;
}

/** The steps that started in a run (STEP_START), in order. */
function startedSteps(run) {
  return run.eventConnection.events.filter((e) => e.__typename === 'ExecutionStepStartEvent').map((e) => e.stepKey);
}

/** The value a step of the run wrote (read from its HANDLED_OUTPUT's path). */
function outputValue(run, step) {
  const handled = run.eventConnection.events.find((e) => e.__typename === 'HandledOutputEvent' && e.stepKey === step);
  assert.ok(handled, `step ${step} handled an output`);
  return readFileSync(handled.metadataEntries[0].path, 'utf8').trim();
}

/** The path a step's LOADED_INPUT read its value from. */
function loadedFrom(run, step) {
  const loaded = run.eventConnection.events.find((e) => e.__typename === 'LoadedInputEvent' && e.stepKey === step);
  assert.ok(loaded, `step ${step} loaded an input`);
  return loaded.metadataEntries[0].path;
}

async function reexecute(url, parentRunId, strategy) {
  const data = await gql(url, LAUNCH_PIPELINE_REEXECUTION_MUTATION, {
    reexecutionParams: { parentRunId, strategy },
  });
  return data.launchPipelineReexecution;
}

describe('re-execution', () => {
  let s;
  let dir;
  useDev((started) => ({ s, dir } = started), WORKSPACE);

  test('FROM_FAILURE re-executes the failed step and its downstream with the parent outputs; ALL_STEPS all', async () => {
    const fixed = path.join(dir, 'fixed');
    const runConfigData = { ops: { emit: { config: { number: 5 } }, flaky: { config: { path: fixed } } } };
    const parentId = await launch(s.url, 'recovering', { runConfigData, location: 'reexecute' });
    assert.equal(await waitForStatus(s.url, parentId), 'FAILURE');
    const parent = await runWithEvents(s.url, parentId);
    assert.deepEqual(startedSteps(parent).sort(), ['emit', 'flaky', 'side']);
    assert.equal(outputValue(parent, 'emit'), '5');
    assert.equal(outputValue(parent, 'side'), '10');

    // Not fixed yet: the child fails at the same step, without re-running emit.
    let result = await reexecute(s.url, parentId, 'FROM_FAILURE');
    assert.equal(result.__typename, 'LaunchRunSuccess', JSON.stringify(result));
    assert.equal(result.run.pipelineName, 'recovering');
    assert.equal(result.run.parentRunId, parentId);
    assert.equal(result.run.rootRunId, parentId);
    const childId = result.run.runId;
    assert.equal(await waitForStatus(s.url, childId), 'FAILURE');
    const child = await runWithEvents(s.url, childId);
    assert.deepEqual(child.stepKeysToExecute, ['flaky', 'describe']);
    assert.deepEqual(startedSteps(child), ['flaky']);
    assert.ok(child.tags.some((t) => t.key === 'dagster/is_resume_retry' && t.value === 'true'));

    // Fixed: the grandchild re-executes the child's failure, reading emit's
    // value from the first run, two runs up.
    writeFileSync(fixed, 'yes');
    result = await reexecute(s.url, childId, 'FROM_FAILURE');
    assert.equal(result.__typename, 'LaunchRunSuccess', JSON.stringify(result));
    const grandchildId = result.run.runId;
    assert.equal(result.run.rootRunId, parentId);
    assert.equal(await waitForStatus(s.url, grandchildId), 'SUCCESS');
    const grandchild = await runWithEvents(s.url, grandchildId);
    assert.deepEqual(startedSteps(grandchild), ['flaky', 'describe']);
    assert.ok(loadedFrom(grandchild, 'flaky').includes(parentId), loadedFrom(grandchild, 'flaky'));
    assert.ok(loadedFrom(grandchild, 'describe').includes(grandchildId));
    assert.equal(outputValue(grandchild, 'flaky'), '10');
    assert.equal(outputValue(grandchild, 'describe'), 'n=10');

    // Nothing failed any more: FROM_FAILURE is refused, ALL_STEPS runs everything.
    result = await reexecute(s.url, grandchildId, 'FROM_FAILURE');
    assert.equal(result.__typename, 'PythonError');
    assert.equal(result.message, 'Cannot reexecute from failure a run that is not failed or canceled');
    result = await reexecute(s.url, grandchildId, 'ALL_STEPS');
    assert.equal(result.__typename, 'LaunchRunSuccess', JSON.stringify(result));
    const allId = result.run.runId;
    assert.equal(await waitForStatus(s.url, allId), 'SUCCESS');
    const all = await runWithEvents(s.url, allId);
    assert.equal(all.stepKeysToExecute, null);
    assert.deepEqual(startedSteps(all).sort(), ['describe', 'emit', 'flaky', 'side']);
    assert.ok(loadedFrom(all, 'flaky').includes(allId));
    assert.equal(outputValue(all, 'describe'), 'n=10');
    assert.ok(!all.tags.some((t) => t.key === 'dagster/is_resume_retry'));

    // The family, root first.
    const { runGroupOrError } = await gql(
      s.url,
      `query($id: ID!) { runGroupOrError(runId: $id) { __typename
         ... on RunGroup { rootRunId runs { runId parentRunId } } } }`,
      { id: childId },
    );
    assert.equal(runGroupOrError.__typename, 'RunGroup');
    assert.equal(runGroupOrError.rootRunId, parentId);
    const family = Object.fromEntries(runGroupOrError.runs.map((r) => [r.runId, r.parentRunId]));
    assert.deepEqual(family, {
      [parentId]: null,
      [childId]: parentId,
      [grandchildId]: childId,
      [allId]: grandchildId,
    });
  });

  test('a deleted ancestor refuses FROM_FAILURE (the outputs left out come from it); ALL_STEPS still runs', async () => {
    const runConfigData = {
      ops: { emit: { config: { number: 2 } }, flaky: { config: { path: path.join(dir, 'never-fixed') } } },
    };
    const rootId = await launch(s.url, 'recovering', { runConfigData, location: 'reexecute' });
    assert.equal(await waitForStatus(s.url, rootId), 'FAILURE');
    let result = await reexecute(s.url, rootId, 'FROM_FAILURE');
    assert.equal(result.__typename, 'LaunchRunSuccess', JSON.stringify(result));
    const childId = result.run.runId;
    assert.equal(await waitForStatus(s.url, childId), 'FAILURE');

    const { deleteRun } = await gql(
      s.url,
      'mutation($id: String!) { deleteRun(runId: $id) { __typename } }',
      { id: rootId },
    );
    assert.equal(deleteRun.__typename, 'DeletePipelineRunSuccess');
    result = await reexecute(s.url, childId, 'FROM_FAILURE');
    assert.equal(result.__typename, 'PythonError');
    assert.equal(result.message, `Could not load ancestor run ${rootId} for re-execution`);
    result = await reexecute(s.url, childId, 'ALL_STEPS');
    assert.equal(result.__typename, 'LaunchRunSuccess', JSON.stringify(result));
    assert.equal(result.run.rootRunId, rootId);
    assert.equal(await waitForStatus(s.url, result.run.runId), 'FAILURE'); // flaky is still broken
  });

  test('unknown parents and mixed arguments are refused', async () => {
    let result = await reexecute(s.url, '00000000-0000-0000-0000-000000000000', 'ALL_STEPS');
    assert.equal(result.__typename, 'PythonError');
    assert.equal(
      result.message,
      'Expected non-None value: Could not find parent run with id: 00000000-0000-0000-0000-000000000000',
    );
    const data = await gql(s.url, LAUNCH_PIPELINE_REEXECUTION_MUTATION, {});
    result = data.launchPipelineReexecution;
    assert.equal(result.__typename, 'PythonError');
    assert.equal(result.message, 'Must only provide one of either executionParams or reexecutionParams');
  });
});
