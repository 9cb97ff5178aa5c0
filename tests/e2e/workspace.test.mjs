// workspace.test.mjs — the Dagster API over a real workspace: a
// `dagd webserver -w` serving a copy of examples/ (hello, sales, stats) plus
// a location whose definitions are broken and one whose file the tests edit.
// Dagster's documented queries and the queries of its Python client
// (DagsterGraphQLClient) are sent verbatim (dagster-documents.mjs); then
// the dependency structure of the nested-graph job, run config schemas and
// validation, execution plans, reloads after good and bad edits, and
// --read-only.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import {
  CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY,
  JOBS_QUERY,
  RELOAD_REPOSITORY_LOCATION_MUTATION,
  REPOSITORIES_QUERY,
  SHUTDOWN_REPOSITORY_LOCATION_MUTATION,
} from './dagster-documents.mjs';
import { startServer } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// A location whose definitions have two errors.
const BROKEN_DEFS = `repository: broken
ops:
  say:
    command: [sh, -c, "echo hi"]
    timout: 3
jobs:
  j:
    ops:
      say:
      other: {op: missing}
`;

// The location the reload tests edit.
const EDITED_DEFS = `repository: edited
ops:
  say:
    command: [sh, -c, "echo hi"]
jobs:
  first:
    ops:
      say:
`;

/**
 * A temporary copy of examples/ with a workspace file listing its three
 * locations plus `broken` and `edited`; returns { dir, workspace }.
 */
function workspaceFixture() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-workspace-'));
  cpSync(path.join(root, 'examples'), dir, { recursive: true });
  for (const [name, text] of [
    ['broken', BROKEN_DEFS],
    ['edited', EDITED_DEFS],
  ]) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, 'defs.yaml'), text);
  }
  const workspace = path.join(dir, 'test-workspace.yaml');
  const locations = ['hello', 'sales', 'stats', 'broken', 'edited'];
  writeFileSync(
    workspace,
    'load_from:\n' +
      locations.map((l) => `  - definitions: ${l}/defs.yaml\n    location_name: ${l}\n`).join(''),
  );
  return { dir, workspace };
}

async function gql(url, query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const json = JSON.parse(text);
  assert.equal(json.errors, undefined, text);
  return json.data;
}

const selector = (location, job) => ({
  repositoryLocationName: location,
  repositoryName: location,
  pipelineName: job,
});

const jobNames = async (url, location) =>
  (await gql(url, JOBS_QUERY, { repositoryLocationName: location, repositoryName: location }))
    .repositoryOrError.jobs;

describe('dagd webserver -w: the examples workspace', () => {
  let s;
  let fixture;
  before(async () => {
    fixture = workspaceFixture();
    s = await startServer(['-w', fixture.workspace]);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
    rmSync(fixture.dir, { recursive: true, force: true });
  });

  test('the broken location is reported on stderr with its errors', () => {
    const err = s.stderr();
    assert.match(err, /dagd webserver: location 'broken' failed to load:\n/);
    assert.match(err, /broken[/]defs\.yaml:5:5: unknown key 'timout'/);
    assert.match(err, /broken[/]defs\.yaml:10:19: job 'j' uses 'missing'/);
    for (const good of ['hello', 'sales', 'stats', 'edited'])
      assert.doesNotMatch(err, new RegExp(`location '${good}' failed`));
  });

  test('"Get a list of repositories" lists every loaded location in workspace order', async () => {
    const data = await gql(s.url, REPOSITORIES_QUERY);
    assert.deepEqual(data.repositoriesOrError.nodes, [
      { name: 'hello', location: { name: 'hello' } },
      { name: 'sales', location: { name: 'sales' } },
      { name: 'stats', location: { name: 'stats' } },
      { name: 'edited', location: { name: 'edited' } },
    ]);
  });

  test('"Get a list of jobs within a repository"', async () => {
    assert.deepEqual(await jobNames(s.url, 'hello'), [{ name: 'hello_etl' }]);
    assert.deepEqual(await jobNames(s.url, 'sales'), [{ name: 'sales_report' }]);
    assert.deepEqual(await jobNames(s.url, 'stats'), [{ name: 'stats' }]);
    // An unknown repository is not a Repository: the inline fragment selects nothing.
    const data = await gql(s.url, JOBS_QUERY, {
      repositoryLocationName: 'hello',
      repositoryName: 'nope',
    });
    assert.deepEqual(data.repositoryOrError, {});
  });

  test("the Python client's repository lookup", async () => {
    const data = await gql(s.url, CLIENT_GET_REPO_LOCATIONS_NAMES_AND_PIPELINES_QUERY);
    assert.deepEqual(data.repositoriesOrError, {
      __typename: 'RepositoryConnection',
      nodes: [
        { name: 'hello', location: { name: 'hello' }, pipelines: [{ name: 'hello_etl' }] },
        { name: 'sales', location: { name: 'sales' }, pipelines: [{ name: 'sales_report' }] },
        { name: 'stats', location: { name: 'stats' }, pipelines: [{ name: 'stats' }] },
        { name: 'edited', location: { name: 'edited' }, pipelines: [{ name: 'first' }] },
      ],
    });
  });

  test("the Python client's reload and shutdown mutations", async () => {
    const reload = (name) =>
      gql(s.url, RELOAD_REPOSITORY_LOCATION_MUTATION, { repositoryLocationName: name });
    assert.deepEqual((await reload('hello')).reloadRepositoryLocation, {
      __typename: 'WorkspaceLocationEntry',
      name: 'hello',
      locationOrLoadError: {
        __typename: 'RepositoryLocation',
        isReloadSupported: true,
        repositories: [{ name: 'hello' }],
      },
    });
    const broken = (await reload('broken')).reloadRepositoryLocation;
    assert.equal(broken.__typename, 'WorkspaceLocationEntry');
    assert.equal(broken.locationOrLoadError.__typename, 'PythonError');
    assert.match(broken.locationOrLoadError.message, /unknown key 'timout'/);
    const missing = (await reload('nope')).reloadRepositoryLocation;
    assert.equal(missing.__typename, 'RepositoryLocationNotFound');
    assert.match(missing.message, /nope/);

    const shutdown = (name) =>
      gql(s.url, SHUTDOWN_REPOSITORY_LOCATION_MUTATION, { repositoryLocationName: name });
    // As Dagster for a location that is not a gRPC server of its own: dagd's
    // locations load in-process, so there is nothing to shut down.
    assert.deepEqual((await shutdown('hello')).shutdownRepositoryLocation, {
      __typename: 'PythonError',
      message: 'Location hello does not support shutting down via GraphQL',
    });
    assert.deepEqual(await jobNames(s.url, 'hello'), [{ name: 'hello_etl' }]);
    const gone = (await shutdown('nope')).shutdownRepositoryLocation;
    assert.equal(gone.__typename, 'RepositoryLocationNotFound');
    assert.match(gone.message, /nope/);
  });

  test('a broken location beside good ones: its entry carries the load error', async () => {
    const data = await gql(
      s.url,
      `{ workspaceOrError { __typename ... on Workspace { locationEntries {
          name loadStatus
          locationOrLoadError { __typename
            ... on RepositoryLocation { name repositories { name } }
            ... on PythonError { message } } } } } }`,
    );
    const entries = data.workspaceOrError.locationEntries;
    assert.deepEqual(
      entries.map((e) => [e.name, e.loadStatus, e.locationOrLoadError.__typename]),
      [
        ['hello', 'LOADED', 'RepositoryLocation'],
        ['sales', 'LOADED', 'RepositoryLocation'],
        ['stats', 'LOADED', 'RepositoryLocation'],
        ['broken', 'LOADED', 'PythonError'],
        ['edited', 'LOADED', 'RepositoryLocation'],
      ],
    );
    const broken = entries[3].locationOrLoadError.message;
    assert.match(broken, /defs\.yaml:5:5: unknown key 'timout'/);
    assert.match(broken, /defs\.yaml:10:19: job 'j' uses 'missing'/);
    // Its jobs are not found; the good locations still answer.
    const job = await gql(
      s.url,
      `query($s: PipelineSelector!) { pipelineOrError(params: $s) { __typename
          ... on PipelineNotFoundError { repositoryLocationName } } }`,
      { s: selector('broken', 'j') },
    );
    assert.deepEqual(job.pipelineOrError, {
      __typename: 'PipelineNotFoundError',
      repositoryLocationName: 'broken',
    });
  });

  test('the nested-graph job: solid handles at every depth and their dependencies', async () => {
    const data = await gql(
      s.url,
      `query($s: PipelineSelector!) { pipelineOrError(params: $s) { __typename
        ... on Pipeline { solidHandles { handleID parent { handleID } solid {
          name
          definition { __typename name }
          inputs { definition { name } dependsOn { solid { name } definition { name } } }
          outputs { definition { name } dependedBy { solid { name } definition { name } } }
        } } } } }`,
      { s: selector('stats', 'stats') },
    );
    assert.equal(data.pipelineOrError.__typename, 'Pipeline');
    const handles = new Map(data.pipelineOrError.solidHandles.map((h) => [h.handleID, h]));
    assert.deepEqual(
      [...handles.keys()].sort(),
      [
        'numbers',
        'publish',
        'summary',
        'summary.clean',
        'summary.clean.dedupe',
        'summary.clean.drop',
        'summary.count',
        'summary.mean',
        'summary.seen',
        'summary.total',
      ],
    );
    const parentOf = (id) => handles.get(id).parent?.handleID ?? null;
    assert.equal(parentOf('summary'), null);
    assert.equal(parentOf('summary.clean'), 'summary');
    assert.equal(parentOf('summary.clean.drop'), 'summary.clean');
    const def = (id) => handles.get(id).solid.definition;
    assert.deepEqual(def('summary'), { __typename: 'CompositeSolidDefinition', name: 'summarize' });
    assert.deepEqual(def('summary.clean'), { __typename: 'CompositeSolidDefinition', name: 'clean' });
    assert.deepEqual(def('summary.clean.drop'), { __typename: 'SolidDefinition', name: 'drop_outliers' });
    assert.equal(handles.get('summary.clean.drop').solid.name, 'drop');

    /** input name → ["solid.output", …] it depends on, for one handle. */
    const dependsOn = (id) =>
      Object.fromEntries(
        handles
          .get(id)
          .solid.inputs.map((i) => [
            i.definition.name,
            i.dependsOn.map((o) => `${o.solid.name}.${o.definition.name}`),
          ]),
      );
    assert.deepEqual(dependsOn('summary'), { numbers: ['numbers.numbers'] });
    assert.deepEqual(dependsOn('publish'), {
      mean: ['summary.mean'],
      total: ['summary.total'],
      seen: ['summary.seen'],
    });
    // Inside a graph, dependencies name sibling nodes; an input fed by the
    // graph's input mapping depends on nothing.
    assert.deepEqual(dependsOn('summary.clean'), { numbers: [] });
    assert.deepEqual(dependsOn('summary.seen'), { numbers: [] });
    assert.deepEqual(dependsOn('summary.clean.dedupe'), { numbers: ['drop.kept'] });
    assert.deepEqual(dependsOn('summary.total'), { numbers: ['clean.numbers'] });
    assert.deepEqual(dependsOn('summary.mean'), { total: ['total.total'], count: ['count.count'] });
    const dependedBy = handles
      .get('summary')
      .solid.outputs.map((o) => [o.definition.name, o.dependedBy.map((i) => `${i.solid.name}.${i.definition.name}`)]);
    assert.deepEqual(dependedBy, [
      ['mean', ['publish.mean']],
      ['total', ['publish.total']],
      ['seen', ['publish.seen']],
    ]);
  });

  test("the nested graphs' input and output mappings", async () => {
    const data = await gql(
      s.url,
      `query($s: PipelineSelector!) { pipelineOrError(params: $s) {
        ... on Pipeline { solidHandle(handleID: "summary") { solid { definition {
          ... on CompositeSolidDefinition {
            inputMappings { definition { name } mappedInput { solid { name } definition { name } } }
            outputMappings { definition { name } mappedOutput { solid { name } definition { name } } }
          } } } } } } }`,
      { s: selector('stats', 'stats') },
    );
    const d = data.pipelineOrError.solidHandle.solid.definition;
    const fmt = (m, io) => `${m.definition.name} ↔ ${m[io].solid.name}.${m[io].definition.name}`;
    assert.deepEqual(
      d.inputMappings.map((m) => fmt(m, 'mappedInput')),
      ['numbers ↔ clean.numbers', 'numbers ↔ seen.numbers'],
    );
    assert.deepEqual(
      d.outputMappings.map((m) => fmt(m, 'mappedOutput')),
      ['mean ↔ mean.mean', 'total ↔ total.total', 'seen ↔ seen.count'],
    );
  });

  test('runConfigSchemaOrError reaches an op nested two graphs deep', async () => {
    const data = await gql(
      s.url,
      `query($s: PipelineSelector!) { runConfigSchemaOrError(selector: $s) { __typename
        ... on RunConfigSchema {
          rootConfigType { key }
          allConfigTypes { key ... on CompositeConfigType { fields { name configTypeKey isRequired } } }
        } } }`,
      { s: selector('stats', 'stats') },
    );
    const schema = data.runConfigSchemaOrError;
    assert.equal(schema.__typename, 'RunConfigSchema');
    const types = new Map(schema.allConfigTypes.map((t) => [t.key, t]));
    const field = (typeKey, name) => {
      const f = types.get(typeKey).fields.find((x) => x.name === name);
      assert.ok(f, `${typeKey} has a field ${name}`);
      return f;
    };
    let key = schema.rootConfigType.key;
    for (const name of ['ops', 'summary', 'ops', 'clean', 'ops', 'drop', 'config'])
      key = field(key, name).configTypeKey;
    const drop = types.get(key).fields.map((f) => [f.name, f.configTypeKey, f.isRequired]);
    assert.deepEqual(drop.sort(), [
      ['high', 'Int', false],
      ['low', 'Int', false],
    ]);
    // A required op config (sales' region) makes its path required.
    const sales = await gql(
      s.url,
      `query($s: PipelineSelector!) { runConfigSchemaOrError(selector: $s) {
        ... on RunConfigSchema { rootConfigType { key }
          allConfigTypes { key ... on CompositeConfigType { fields { name configTypeKey isRequired } } } } } }`,
      { s: selector('sales', 'sales_report') },
    );
    const salesTypes = new Map(
      sales.runConfigSchemaOrError.allConfigTypes.map((t) => [t.key, t]),
    );
    const ops = salesTypes
      .get(sales.runConfigSchemaOrError.rootConfigType.key)
      .fields.find((f) => f.name === 'ops');
    const north = salesTypes.get(ops.configTypeKey).fields.find((f) => f.name === 'north');
    const config = salesTypes.get(north.configTypeKey).fields.find((f) => f.name === 'config');
    const region = salesTypes.get(config.configTypeKey).fields.find((f) => f.name === 'region');
    assert.deepEqual(region, { name: 'region', configTypeKey: 'String', isRequired: true });
  });

  describe('isPipelineConfigValid', () => {
    const VALIDATE = `query($s: PipelineSelector!, $c: RunConfigData) {
      isPipelineConfigValid(pipeline: $s, mode: "default", runConfigData: $c) { __typename
        ... on PipelineConfigValidationValid { pipelineName }
        ... on RunConfigValidationInvalid { pipelineName errors { __typename message reason
            stack { entries { ... on EvaluationStackPathEntry { fieldName }
                              ... on EvaluationStackListItemEntry { listIndex } } } } }
        ... on PipelineNotFoundError { message } } }`;
    const regions = {
      north: { config: { region: 'north' } },
      south: { config: { region: 'south' } },
      west: { config: { region: 'west' } },
    };
    // Where an error is, from its stack (Dagster answers `path` with [] always).
    const stackPath = (error) => error.stack.entries.map((e) => e.fieldName ?? e.listIndex);
    const validate = async (location, job, config) =>
      (await gql(s.url, VALIDATE, { s: selector(location, job), c: config })).isPipelineConfigValid;

    test('valid run config, fan-out aliases each configured', async () => {
      assert.deepEqual(
        await validate('sales', 'sales_report', {
          ops: { ...regions, sales: { config: { days: 3 } }, report: { config: { top: 2 } } },
          resources: { report_store: { config: { root: '/tmp/x', keep: 1 } } },
        }),
        { __typename: 'PipelineConfigValidationValid', pipelineName: 'sales_report' },
      );
      assert.deepEqual(
        await validate('stats', 'stats', {
          ops: { summary: { ops: { clean: { ops: { drop: { config: { low: 5, high: 50 } } } } } } },
        }),
        { __typename: 'PipelineConfigValidationValid', pipelineName: 'stats' },
      );
    });

    test('a value of the wrong type', async () => {
      const r = await validate('sales', 'sales_report', {
        ops: { ...regions, sales: { config: { days: 'seven' } } },
      });
      assert.equal(r.__typename, 'RunConfigValidationInvalid');
      assert.equal(r.pipelineName, 'sales_report');
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0].reason, 'RUNTIME_TYPE_MISMATCH');
      assert.deepEqual(stackPath(r.errors[0]), ['ops', 'sales', 'config', 'days']);
      assert.match(r.errors[0].message, /seven/);
    });

    test('an enum value that does not exist, and a field that does not exist, deep in a graph', async () => {
      const r = await validate('sales', 'sales_report', {
        ops: { ...regions, report: { config: { currency: 'YEN' } } },
      });
      assert.equal(r.__typename, 'RunConfigValidationInvalid');
      assert.equal(r.errors[0].reason, 'RUNTIME_TYPE_MISMATCH');
      assert.match(r.errors[0].message, /YEN/);
      const nested = await validate('stats', 'stats', {
        ops: { summary: { ops: { clean: { ops: { drop: { config: { hihg: 50 } } } } } } },
      });
      assert.equal(nested.__typename, 'RunConfigValidationInvalid');
      assert.equal(nested.errors[0].reason, 'FIELD_NOT_DEFINED');
      assert.deepEqual(stackPath(nested.errors[0]), ['ops', 'summary', 'ops', 'clean', 'ops', 'drop', 'config']);
      assert.match(nested.errors[0].message, /hihg/);
    });

    test('an unknown job', async () => {
      const r = await validate('sales', 'nope', {});
      assert.equal(r.__typename, 'PipelineNotFoundError');
      assert.match(r.message, /nope/);
    });
  });

  test('executionPlanOrError: one step per op at any depth, with their dependencies', async () => {
    const PLAN = `query($s: PipelineSelector!, $c: RunConfigData) {
      executionPlanOrError(pipeline: $s, mode: "default", runConfigData: $c) { __typename
        ... on ExecutionPlan { steps { key solidHandleID kind inputs { name dependsOn { key } } outputs { name } } }
        ... on RunConfigValidationInvalid { errors { reason } } } }`;
    const plan = async (location, job, config) =>
      (await gql(s.url, PLAN, { s: selector(location, job), c: config })).executionPlanOrError;

    const stats = await plan('stats', 'stats', {});
    assert.equal(stats.__typename, 'ExecutionPlan');
    const keys = stats.steps.map((st) => st.key);
    assert.deepEqual([...keys].sort(), [
      'numbers',
      'publish',
      'summary.clean.dedupe',
      'summary.clean.drop',
      'summary.count',
      'summary.mean',
      'summary.seen',
      'summary.total',
    ]);
    const deps = {};
    for (const st of stats.steps) {
      assert.equal(st.kind, 'COMPUTE');
      assert.equal(st.solidHandleID, st.key);
      deps[st.key] = Object.fromEntries(st.inputs.map((i) => [i.name, i.dependsOn.map((d) => d.key)]));
      // Steps come in an order that runs every step after what it depends on.
      for (const i of st.inputs)
        for (const d of i.dependsOn)
          assert.ok(keys.indexOf(d.key) < keys.indexOf(st.key), `${d.key} before ${st.key}`);
    }
    assert.deepEqual(deps['summary.clean.drop'], { numbers: ['numbers'] });
    assert.deepEqual(deps['summary.seen'], { numbers: ['numbers'] });
    assert.deepEqual(deps['summary.total'], { numbers: ['summary.clean.dedupe'] });
    assert.deepEqual(deps['summary.mean'], { total: ['summary.total'], count: ['summary.count'] });
    assert.deepEqual(deps.publish, {
      mean: ['summary.mean'],
      total: ['summary.total'],
      seen: ['summary.seen'],
    });

    // Fan-in: the report step depends on the three aggregates.
    const sales = await plan('sales', 'sales_report', {
      ops: {
        north: { config: { region: 'north' } },
        south: { config: { region: 'south' } },
        west: { config: { region: 'west' } },
      },
    });
    assert.equal(sales.__typename, 'ExecutionPlan');
    const report = sales.steps.find((st) => st.key === 'report');
    assert.deepEqual(report.inputs, [
      { name: 'summaries', dependsOn: [{ key: 'north' }, { key: 'south' }, { key: 'west' }] },
    ]);
    assert.deepEqual(report.outputs, [{ name: 'report' }]);

    const invalid = await plan('sales', 'sales_report', { ops: { sales: { config: { days: 'x' } } } });
    assert.equal(invalid.__typename, 'RunConfigValidationInvalid');
    assert.ok(invalid.errors.some((e) => e.reason === 'RUNTIME_TYPE_MISMATCH'));
  });

  test('reload after a good edit, then after a bad edit', async () => {
    const file = path.join(fixture.dir, 'edited', 'defs.yaml');
    const reload = async () =>
      (await gql(s.url, RELOAD_REPOSITORY_LOCATION_MUTATION, { repositoryLocationName: 'edited' }))
        .reloadRepositoryLocation;
    assert.deepEqual(await jobNames(s.url, 'edited'), [{ name: 'first' }]);

    writeFileSync(file, `${EDITED_DEFS}  second:\n    ops:\n      say:\n`);
    const good = await reload();
    assert.equal(good.locationOrLoadError.__typename, 'RepositoryLocation');
    assert.deepEqual(await jobNames(s.url, 'edited'), [{ name: 'first' }, { name: 'second' }]);

    writeFileSync(file, `${EDITED_DEFS}  third:\n    ops:\n      nothing_like_this:\n`);
    const bad = await reload();
    assert.equal(bad.__typename, 'WorkspaceLocationEntry');
    assert.equal(bad.locationOrLoadError.__typename, 'PythonError');
    assert.match(bad.locationOrLoadError.message, /defs\.yaml:\d+:\d+: .*nothing_like_this/);
    // What loaded before is still served.
    assert.deepEqual(await jobNames(s.url, 'edited'), [{ name: 'first' }, { name: 'second' }]);

    writeFileSync(file, EDITED_DEFS);
    assert.equal((await reload()).locationOrLoadError.__typename, 'RepositoryLocation');
    assert.deepEqual(await jobNames(s.url, 'edited'), [{ name: 'first' }]);
  });
});

describe('dagd webserver -w --read-only', () => {
  let s;
  let fixture;
  before(async () => {
    fixture = workspaceFixture();
    s = await startServer(['-w', fixture.workspace, '--read-only']);
  });
  after(async () => {
    assert.equal(await s.stop(), 0);
    rmSync(fixture.dir, { recursive: true, force: true });
  });

  test('queries answer; reloadRepositoryLocation is refused', async () => {
    assert.deepEqual(await jobNames(s.url, 'hello'), [{ name: 'hello_etl' }]);
    const data = await gql(
      s.url,
      `mutation { reloadRepositoryLocation(repositoryLocationName: "hello") { __typename
          ... on UnauthorizedError { message } } }`,
    );
    assert.equal(data.reloadRepositoryLocation.__typename, 'UnauthorizedError');
    assert.ok(data.reloadRepositoryLocation.message.length > 0);
  });
});

describe('dagd webserver -w with a bad workspace file', () => {
  test('a missing workspace file: exit 1 naming it', async () => {
    const missing = path.join(os.tmpdir(), 'dagd-no-such-dir', 'workspace.yaml');
    await assert.rejects(startServer(['-w', missing]), (err) => {
      assert.match(err.message, /exited \(1\)/);
      assert.match(err.message, /dagd webserver: cannot load the workspace .*dagd-no-such-dir/);
      return true;
    });
  });

  test('a malformed workspace file: exit 1 with its errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-badws-'));
    const file = path.join(dir, 'workspace.yaml');
    writeFileSync(file, 'load_from:\n  - definitoins: x.yaml\n');
    try {
      await assert.rejects(startServer(['-w', file]), (err) => {
        assert.match(err.message, /exited \(1\)/);
        assert.match(err.message, /workspace\.yaml:2:\d+: /);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
