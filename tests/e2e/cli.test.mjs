// cli.test.mjs — the dagd commands from the outside.
// `dagd graphql`: one query against a workspace, in-process. The query from
// -t, -f FILE or -f - (stdin); variables from -v; the operation from
// --operation (-p, dagster-graphql's --predefined, is refused); the
// workspace from -w or ./workspace.yaml; exit statuses 0 (no errors), 1
// (errors, or an unloadable workspace file) and 2 (usage errors); a
// location that fails to load.
// The instance: --home, $DAGD_HOME, ./.dagd, and a home that cannot be
// created. `dagd execute-run`: usage and unknown runs. `dagd dev`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { DAGD, runDagd, runDagdSync, startServer } from './server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const EXAMPLES = path.join(root, 'examples', 'workspace.yaml');

/**
 * Runs `dagd graphql …args` (in a temporary instance unless options name
 * one: see runDagdSync); returns { code, stdout, stderr, json }.
 */
function graphql(args, options = {}) {
  const r = runDagdSync(['graphql', ...args], options);
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    /* not JSON: left null for the test to assert on */
  }
  return { ...r, json };
}

/** The paths of the files under dir, relative to it, sorted. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)))
    .sort();
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
    assert.match(top.stdout, /\n {2}graphql /);
    const ws = spawnSync(DAGD, ['webserver', '--help'], { encoding: 'utf8' });
    assert.match(ws.stdout, /-w, --workspace FILE/);
  });
});

describe('the instance (--home, DAGD_HOME, ./.dagd)', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-instance-'));
    writeFileSync(path.join(dir, 'a-file'), 'not a folder\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--home creates the instance folder and its database, and wins over DAGD_HOME', () => {
    const home = path.join(dir, 'made', 'by', 'home');
    const env = path.join(dir, 'from-env');
    const r = graphql(['--home', home, '-t', '{ version }'], { env: { DAGD_HOME: env } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(filesUnder(home).some((f) => path.basename(f) === 'runs.db'), filesUnder(home).join());
    assert.equal(existsSync(env), false);
    // The same instance opens again (the database is reused, not refused).
    assert.equal(graphql(['--home', home, '-t', '{ version }']).code, 0);
  });

  test('DAGD_HOME, else ./.dagd', () => {
    const env = path.join(dir, 'env-home');
    const fromEnv = graphql(['-t', '{ version }'], { env: { DAGD_HOME: env } });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.ok(filesUnder(env).some((f) => path.basename(f) === 'runs.db'));

    const cwd = path.join(dir, 'cwd');
    mkdirSync(cwd);
    // An empty DAGD_HOME counts as unset.
    const fallback = graphql(['-t', '{ version }'], { env: { DAGD_HOME: '' }, cwd });
    assert.equal(fallback.code, 0, fallback.stderr);
    assert.ok(filesUnder(path.join(cwd, '.dagd')).some((f) => path.basename(f) === 'runs.db'));
  });

  test('a home that cannot be created: exit 1 with the reason, before serving', async () => {
    const bad = path.join(dir, 'a-file', 'home');
    const reason = /cannot open the instance: could not create .*a-file.*: it or a folder above it exists and is not a folder\n/;
    for (const [command, args] of [
      ['webserver', ['--port', '0']],
      ['dev', ['--port', '0']],
      ['execute-run', ['0123']],
    ]) {
      const viaFlag = await runDagd([command, ...args, '--home', bad]);
      assert.equal(viaFlag.code, 1, `${command}: ${viaFlag.stderr}`);
      assert.match(viaFlag.stderr, new RegExp(`^dagd ${command}: ${reason.source}`));
      assert.doesNotMatch(viaFlag.stderr, /listening on/);
      const viaEnv = await runDagd([command, ...args], { home: bad });
      assert.equal(viaEnv.code, 1, `${command}: ${viaEnv.stderr}`);
      assert.match(viaEnv.stderr, reason);
    }
    const q = graphql(['-t', '{ version }'], { home: bad });
    assert.equal(q.code, 1);
    assert.equal(q.stdout, '');
    assert.match(q.stderr, new RegExp(`^dagd graphql: ${reason.source}`));
  });

  test('a malformed dagd.yaml: exit 1, the file and line named', () => {
    const home = path.join(dir, 'bad-config');
    mkdirSync(home);
    writeFileSync(path.join(home, 'dagd.yaml'), 'storage:\n  sqlit: {}\n');
    const r = graphql(['--home', home, '-t', '{ version }']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dagd graphql: cannot open the instance: .*dagd\.yaml:2:3: .*sqlit/);
  });

  test('the webserver names its instance at startup and serves from it', async () => {
    const s = await startServer();
    try {
      assert.ok(s.home.startsWith(os.tmpdir()), s.home);
      assert.match(s.stderr(), new RegExp(`^dagd webserver: instance at ${s.home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`, 'm'));
      assert.ok(filesUnder(s.home).some((f) => path.basename(f) === 'runs.db'));
    } finally {
      assert.equal(await s.stop(), 0);
    }
    // The helper's temporary home goes with the server.
    assert.equal(existsSync(s.home), false);
  });
});

describe('dagd execute-run', () => {
  let dir;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dagd-execute-run-'));
    writeFileSync(path.join(dir, 'tiny.yaml'), TINY);
    writeFileSync(path.join(dir, 'workspace.yaml'), 'load_from:\n  - definitions: tiny.yaml\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('exit 2 with the usage without exactly one RUN_ID, or with an unknown option', async () => {
    const cases = [
      [[], /expects the RUN_ID/],
      [['a', 'b'], /expects one RUN_ID, no other argument/],
      [['--bogus', 'a'], /unrecognized option/],
      [['--home'], /requires an argument/],
    ];
    for (const [args, message] of cases) {
      const r = await runDagd(['execute-run', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /usage: dagd execute-run \[options\] RUN_ID/);
      assert.equal(r.stdout, '');
    }
  });

  test('an unknown run: exit 1 and the reason on stderr', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const r = await runDagd(['execute-run', id]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `dagd execute-run: Run ${id} not found.\n`);
    assert.equal(r.stdout, '');
  });

  test('dagd graphql launches a run with no server; the worker finishes it; a second worker refuses it', async () => {
    const home = path.join(dir, 'home');
    const q = (text) => graphql(['-w', path.join(dir, 'workspace.yaml'), '--home', home, '-t', text]);
    const launched = q(`mutation { launchRun(executionParams: {
        selector: {repositoryLocationName: "tiny", repositoryName: "tiny", jobName: "greet"}}) {
      __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }`);
    assert.equal(launched.code, 0, launched.stderr);
    assert.equal(launched.json.data.launchRun.__typename, 'LaunchRunSuccess', launched.stdout);
    const id = launched.json.data.launchRun.run.runId;
    // The worker is detached from `dagd graphql`, which has exited: wait for the run to end.
    const deadline = Date.now() + 30000;
    let status;
    for (;;) {
      const r = q(`{ runOrError(runId: "${id}") { ... on Run { status } } }`);
      assert.equal(r.code, 0, r.stderr);
      status = r.json.data.runOrError.status;
      if (['SUCCESS', 'FAILURE', 'CANCELED'].includes(status) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 'SUCCESS');
    const out = filesUnder(home).find((f) => f.endsWith(path.join(id, 'compute_logs', 'say.out')));
    assert.ok(out, filesUnder(home).join('\n'));
    assert.equal(readFileSync(path.join(home, out), 'utf8'), 'hi\n');
    const again = await runDagd(['execute-run', id], { home });
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`^dagd execute-run: Run ${id} has status SUCCESS: only a NOT_STARTED or STARTING run`));
  });

  test('--help', async () => {
    const r = await runDagd(['execute-run', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: dagd execute-run \[options\] RUN_ID\n/);
    assert.match(r.stdout, /--home DIR/);
  });
});

describe('dagd dev', () => {
  test('--help: the webserver options and the daemon; listed in dagd --help', async () => {
    const r = await runDagd(['dev', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: dagd dev \[options\]\n/);
    assert.match(r.stdout, /daemon/);
    assert.match(r.stdout, /-w, --workspace FILE/);
    assert.match(r.stdout, /--home DIR/);
    const top = spawnSync(DAGD, ['--help'], { encoding: 'utf8' });
    assert.match(top.stdout, /\n {2}dev /);
    assert.match(top.stdout, /\n {2}execute-run /);
    assert.match(top.stdout, /\n {2}daemon /);
    assert.doesNotMatch(top.stdout, /Planned/);
  });

  test('serves the workspace like the webserver, under its own name', async () => {
    const s = await startServer(['-w', EXAMPLES], { command: 'dev' });
    try {
      assert.match(s.stderr(), /^dagd dev: instance at /m);
      assert.match(s.stderr(), /^dagd dev listening on http:/m);
      const res = await fetch(s.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: '{ repositoriesOrError { ... on RepositoryConnection { nodes { name } } } }' }),
      });
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).data.repositoriesOrError.nodes.map((n) => n.name), [
        'hello',
        'sales',
        'stats',
      ]);
    } finally {
      assert.equal(await s.stop(), 0);
    }
  });

  test('a usage error names the command', async () => {
    const r = await runDagd(['dev', '--port', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^dagd dev: --port expects a number/);
  });
});
