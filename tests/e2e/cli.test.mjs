// cli.test.mjs — `dagd graphql`: one query against a workspace, in-process.
// The query from -t, -f FILE or -f - (stdin); variables from -v; the
// operation from --operation (-p, dagster-graphql's --predefined, is refused);
// the workspace from -w or ./workspace.yaml;
// exit statuses 0 (no errors), 1 (errors, or an unloadable workspace file)
// and 2 (usage errors); a location that fails to load.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { DAGD } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = path.join(root, 'examples', 'workspace.yaml');

/** Runs `dagd graphql …args`; resolves { code, stdout, stderr, json }. */
function graphql(args, { input, cwd } = {}) {
  const r = spawnSync(DAGD, ['graphql', ...args], { input, cwd, encoding: 'utf8' });
  if (r.error) throw r.error;
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    /* not JSON: left null for the test to assert on */
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

const TINY = `repository: tiny
ops:
  say:
    command: [sh, -c, "echo hi"]
    config:
      greeting: {type: String, default: hi}
jobs:
  greet:
    ops:
      say:
  greet_twice:
    ops:
      first: {op: say}
      second: {op: say}
`;

const BROKEN = `repository: broken
jobs:
  j:
    ops:
      ghost:
`;

const TWO_OPERATIONS = `query Repos { repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }
query Jobs($r: String!) {
  repositoryOrError(repositorySelector: {repositoryLocationName: $r, repositoryName: $r}) {
    ... on Repository { jobs { name } }
  }
}`;

describe('dagd graphql', () => {
  let dir;
  let workspace; // tiny + broken
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-cli-'));
    writeFileSync(path.join(dir, 'tiny.yaml'), TINY);
    writeFileSync(path.join(dir, 'broken.yaml'), BROKEN);
    workspace = path.join(dir, 'workspace.yaml');
    writeFileSync(
      workspace,
      'load_from:\n  - definitions: tiny.yaml\n  - definitions: broken.yaml\n',
    );
    writeFileSync(path.join(dir, 'query.graphql'), TWO_OPERATIONS);
    mkdirSync(path.join(dir, 'empty'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('-t: the response JSON on stdout, a newline after it, exit 0', () => {
    const r = graphql(['-w', workspace, '-t', '{ version }']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.endsWith('}\n'));
    assert.equal(r.stdout.split('\n').length, 2);
    assert.match(r.json.data.version, /^\d+\.\d+\.\d+/);
  });

  test('the examples workspace loads every location without an error', () => {
    const r = graphql([
      '--workspace',
      EXAMPLES,
      '--text',
      `{ workspaceOrError { ... on Workspace { locationEntries { name
           locationOrLoadError { __typename ... on PythonError { message }
             ... on RepositoryLocation { repositories { name jobs { name } } } } } } } }`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /failed to load/);
    assert.deepEqual(r.json.data.workspaceOrError.locationEntries, [
      {
        name: 'hello',
        locationOrLoadError: {
          __typename: 'RepositoryLocation',
          repositories: [{ name: 'hello', jobs: [{ name: 'hello_etl' }] }],
        },
      },
      {
        name: 'sales',
        locationOrLoadError: {
          __typename: 'RepositoryLocation',
          repositories: [{ name: 'sales', jobs: [{ name: 'sales_report' }] }],
        },
      },
      {
        name: 'stats',
        locationOrLoadError: {
          __typename: 'RepositoryLocation',
          repositories: [{ name: 'stats', jobs: [{ name: 'stats' }] }],
        },
      },
    ]);
  });

  test('a location that fails to load: reported on stderr, served as a load error', () => {
    const r = graphql([
      '-w',
      workspace,
      '-t',
      `{ workspaceOrError { ... on Workspace { locationEntries { name
           locationOrLoadError { __typename ... on PythonError { message } } } } } }`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /dagd graphql: location 'broken' failed to load:\n.*broken\.yaml:5:7: /);
    const [tiny, broken] = r.json.data.workspaceOrError.locationEntries;
    assert.deepEqual(tiny, { name: 'tiny', locationOrLoadError: { __typename: 'RepositoryLocation' } });
    assert.equal(broken.name, 'broken');
    assert.equal(broken.locationOrLoadError.__typename, 'PythonError');
    assert.match(broken.locationOrLoadError.message, /broken\.yaml:5:7: .*ghost/);
  });

  test('-f FILE, -f - (stdin), -v and --operation', () => {
    const file = path.join(dir, 'query.graphql');
    const repos = graphql(['-w', workspace, '-f', file, '--operation', 'Repos']);
    assert.equal(repos.code, 0, repos.stderr);
    assert.deepEqual(repos.json, {
      data: { repositoriesOrError: { nodes: [{ name: 'tiny' }] } },
    });
    const jobs = graphql(['-w', workspace, '-f', '-', '--operation', 'Jobs', '-v', '{"r": "tiny"}'], {
      input: TWO_OPERATIONS,
    });
    assert.equal(jobs.code, 0, jobs.stderr);
    assert.deepEqual(jobs.json, {
      data: { repositoryOrError: { jobs: [{ name: 'greet' }, { name: 'greet_twice' }] } },
    });
    const long = graphql(['-w', workspace, '--file', file, '--operation=Jobs', '--variables={"r":"nope"}']);
    assert.equal(long.code, 0, long.stderr);
    assert.deepEqual(long.json, { data: { repositoryOrError: {} } });
  });

  test('mutations run (reloadRepositoryLocation)', () => {
    const r = graphql([
      '-w',
      workspace,
      '-t',
      'mutation { reloadRepositoryLocation(repositoryLocationName: "tiny") { __typename } }',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json, {
      data: { reloadRepositoryLocation: { __typename: 'WorkspaceLocationEntry' } },
    });
  });

  test('exit 1 when the response has errors', () => {
    const cases = [
      [['-t', '{ version'], /Syntax Error/],
      [['-t', '{ nope }'], /Cannot query field "nope" on type "Query"/],
      [['-f', path.join(dir, 'query.graphql')], /Must provide operation name/],
      [['-f', path.join(dir, 'query.graphql'), '--operation', 'Other'], /Unknown operation named "Other"/],
      [['-f', path.join(dir, 'query.graphql'), '--operation', 'Jobs', '-v', '{"r": 3}'], /\$r/],
      [['-f', path.join(dir, 'query.graphql'), '--operation', 'Jobs'], /\$r/],
    ];
    for (const [args, message] of cases) {
      const r = graphql(['-w', workspace, ...args]);
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.ok(r.json.errors.length > 0, r.stdout);
      assert.match(r.json.errors[0].message, message);
    }
  });

  test('exit 1 when the workspace file cannot be loaded', () => {
    const missing = graphql(['-w', path.join(dir, 'nope.yaml'), '-t', '{ version }']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /dagd graphql: cannot load the workspace .*nope\.yaml:\n.*nope\.yaml/);
    const bad = path.join(dir, 'bad-workspace.yaml');
    writeFileSync(bad, 'load_from: 3\n');
    const malformed = graphql(['-w', bad, '-t', '{ version }']);
    assert.equal(malformed.code, 1);
    assert.equal(malformed.stdout, '');
    assert.match(malformed.stderr, /bad-workspace\.yaml:1:\d+: /);
  });

  test('exit 2 for usage errors, with nothing on stdout', () => {
    const cases = [
      [[], /exactly one of -t QUERY and -f FILE/],
      [['-t', '{ version }', '-f', 'x.graphql'], /exactly one of -t QUERY and -f FILE/],
      [['-f', path.join(dir, 'missing.graphql')], /cannot read .*missing\.graphql: No such file/],
      [['-f', dir], /cannot read .*: Is a directory/],
      [['-t', '{ version }', '-v', '{"a":'], /-v is not JSON: line 1, column \d+: /],
      [['-t', '{ version }', '-v', '[1, 2]'], /-v must be a JSON object/],
      [['-t', '{ version }', '--bogus'], /usage: dagd graphql/],
      [['-t', '{ version }', 'extra'], /unexpected argument 'extra'/],
      [['-t'], /usage: dagd graphql/],
      // dagster-graphql's -p is --predefined (its built-in queries), not the operation.
      [['-f', path.join(dir, 'query.graphql'), '-p', 'Repos'], /predefined queries\) is not supported; use --operation NAME/],
      [['-t', '{ version }', '--predefined', 'launchPipelineExecution'], /is not supported; use --operation NAME/],
    ];
    for (const [args, message] of cases) {
      const r = graphql(['-w', workspace, ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, message);
    }
  });

  test('without -w: ./workspace.yaml, else an empty workspace with a note', () => {
    const here = graphql(['-t', '{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }'], {
      cwd: dir,
    });
    assert.equal(here.code, 0, here.stderr);
    assert.deepEqual(here.json.data.repositoriesOrError.nodes, [{ name: 'tiny' }]);
    assert.doesNotMatch(here.stderr, /empty workspace/);

    const empty = graphql(['-t', '{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }'], {
      cwd: path.join(dir, 'empty'),
    });
    assert.equal(empty.code, 0, empty.stderr);
    assert.deepEqual(empty.json.data.repositoriesOrError.nodes, []);
    assert.match(empty.stderr, /^dagd graphql: no -w FILE and no \.\/workspace\.yaml: serving an empty workspace\n$/);
  });

  test('--help, and the command in dagd --help', () => {
    const help = graphql(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /usage: dagd graphql/);
    assert.match(help.stdout, /\n {6}--operation NAME /);
    assert.doesNotMatch(help.stdout, /-p,/);
    const top = spawnSync(DAGD, ['--help'], { encoding: 'utf8' });
    assert.equal(top.status, 0);
    const [commands, planned] = top.stdout.split('Planned');
    assert.match(commands, /\n {2}graphql /);
    assert.doesNotMatch(planned, /graphql/);
    const ws = spawnSync(DAGD, ['webserver', '--help'], { encoding: 'utf8' });
    assert.match(ws.stdout, /-w, --workspace FILE/);
  });
});
