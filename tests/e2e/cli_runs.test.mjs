// cli_runs.test.mjs — `dagd run …` and `dagd job …` from the outside, every
// subcommand twice: in process (a temporary --home and -w on the runs
// fixture) and over HTTP against a real `dagd dev` (--url). Tables for
// people, --json parsed, exit statuses (0 done, 1 refused or a waited-for
// run failed, 2 usage, 3 no answer), bad input. Then the HTTP client on its
// own: bad URLs, a server that is down, and fake servers answering chunked,
// not JSON, an error status, GraphQL errors, too slowly or half.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  FIXTURE_WORKSPACE,
  freshSubDir,
  removeDir,
  startDev,
  tempDir,
  waitFor,
  workerPids,
} from './fixtures/runs/harness.mjs';
import { runDagd } from './server.mjs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CHAIN_CONFIG = JSON.stringify({ ops: { emit: { config: { number: 4 } } } });

/** The lines of text, without the empty last one. */
function lines(text) {
  return text.split('\n').filter((l) => l !== '');
}

/** Every line of text parsed as JSON. */
function jsonLines(text) {
  return lines(text).map((l) => JSON.parse(l));
}

/** The cells of a table row printed by the CLI (columns are 2+ spaces apart). */
function cells(line) {
  return line.split(/ {2,}/);
}

// The same tests against both targets: in process on a temporary instance,
// and a `dagd dev` reached with --url.
for (const mode of ['in-process', 'url']) {
  describe(`dagd run / dagd job (${mode})`, () => {
    let server; // url mode
    let home; // in-process mode
    let dir; // op folders, config files
    let target; // the arguments that choose where requests go

    /** Runs dagd with the target's arguments after args. */
    const cli = (...args) => runDagd([...args, ...target], { home });

    /** A run's data (runOrError) through `dagd run show --json`. */
    async function show(runId) {
      const r = await cli('run', 'show', runId, '--json');
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout).runOrError;
    }

    /** Launches job with --wait; returns { runId, code, stdout, stderr }. */
    async function launchAndWait(job, ...args) {
      const r = await cli('run', 'launch', job, '--wait', ...args);
      const runId = lines(r.stdout)[0];
      assert.match(runId ?? '', UUID, `${r.stdout}\n${r.stderr}`);
      return { ...r, runId };
    }

    /** Waits until the run's status is one of statuses. */
    async function waitForStatus(runId, statuses) {
      return waitFor(
        async () => {
          const run = await show(runId);
          return statuses.includes(run.status) ? run.status : false;
        },
        { what: `run ${runId} to reach ${statuses}` },
      );
    }

    /** Launches `sleeper` (runs until terminated) and waits until its op started. */
    async function launchSleeper() {
      const ops = freshSubDir(dir);
      const r = await cli('run', 'launch', 'sleeper', '-c', JSON.stringify({ ops: { sleepy: { config: { dir: ops } } } }));
      assert.equal(r.code, 0, r.stderr);
      const runId = r.stdout.trim();
      await waitForStatus(runId, ['STARTED']);
      return runId;
    }

    before(async () => {
      dir = tempDir('dagd-cli-runs-');
      if (mode === 'url') {
        server = await startDev();
        target = ['--url', server.base];
      } else {
        home = tempDir('dagd-cli-home-');
        target = ['-w', FIXTURE_WORKSPACE, '--home', home];
      }
    });

    after(async () => {
      try {
        if (server) await server.stop();
        else if (home) {
          // In process, run workers are detached: every run must be over
          // and its worker gone before the instance is removed.
          const r = await cli('run', 'list', '--json', '--limit', '1000');
          const runs = JSON.parse(r.stdout).runsOrError.results;
          const open = runs.filter((run) => !['SUCCESS', 'FAILURE', 'CANCELED'].includes(run.status));
          if (open.length) await cli('run', 'terminate', '--force', ...open.map((run) => run.runId));
          await waitFor(() => runs.every((run) => workerPids(run.runId).length === 0), {
            what: 'every run worker to exit',
          });
        }
      } finally {
        if (home) removeDir(home);
        if (dir) removeDir(dir);
      }
    });

    test('job list: a table of location, repository, job; --json is workspaceOrError', async () => {
      const r = await cli('job', 'list');
      assert.equal(r.code, 0, r.stderr);
      const rows = lines(r.stdout).map(cells);
      assert.deepEqual(rows[0], ['LOCATION', 'REPOSITORY', 'JOB', 'DESCRIPTION']);
      assert.deepEqual(
        rows.slice(1).map((row) => row.slice(0, 3).join('/')),
        ['chain', 'failing', 'quick', 'sleeper', 'two_says', 'waiter'].map((j) => `runs/runs/${j}`),
      );
      assert.equal(rows.find((row) => row[2] === 'quick')[3], 'One op that says hello.');

      const j = await cli('job', 'list', '--json');
      assert.equal(j.code, 0, j.stderr);
      const entries = JSON.parse(j.stdout).workspaceOrError.locationEntries;
      assert.deepEqual(
        entries[0].locationOrLoadError.repositories[0].jobs.map((job) => job.name),
        ['chain', 'failing', 'quick', 'sleeper', 'two_says', 'waiter'],
      );
      const other = await cli('job', 'list', '-l', 'elsewhere');
      assert.equal(other.code, 0, other.stderr);
      assert.deepEqual(lines(other.stdout).length, 1, 'only the header for an unknown location');
    });

    test('job show: ops with their upstream outputs and the config schema', async () => {
      const r = await cli('job', 'show', 'chain');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^Job: +chain$/m);
      assert.match(r.stdout, /^Location: +runs$/m);
      assert.match(r.stdout, /^Description: +A number, doubled, then described/m);
      const table = lines(r.stdout.split('\n\n')[1]).map(cells);
      assert.deepEqual(table, [
        ['OP', 'DEFINITION', 'INPUTS', 'OUTPUTS'],
        ['describe', 'describe_number', 'number <- double.number', 'text'],
        ['double', 'double', 'number <- emit.number', 'number'],
        ['emit', 'emit', '-', 'number'],
      ]);
      assert.match(r.stdout, /^ {2}ops: {2}\(required\)$/m);
      assert.match(r.stdout, /^ {8}number: Int {2}\(required\)$/m);
      assert.match(r.stdout, /^ {8}prefix: String {2}\(default "n="\)$/m);

      const j = await cli('job', 'show', 'chain', '--json');
      assert.equal(j.code, 0, j.stderr);
      const data = JSON.parse(j.stdout);
      assert.deepEqual(data.pipelineOrError.solids.map((s) => s.name), ['describe', 'double', 'emit']);
      assert.equal(data.runConfigSchemaOrError.__typename, 'RunConfigSchema');
    });

    test('job show of an unknown job: exit 1 with a message; -l/-r ask the API', async () => {
      const r = await cli('job', 'show', 'nope');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no job named 'nope' in the workspace/);
      const direct = await cli('job', 'show', 'nope', '-l', 'runs', '-r', 'runs');
      assert.equal(direct.code, 1);
      assert.match(direct.stderr, /Could not find Pipeline runs\.runs\.nope/);
      assert.equal(direct.stdout, '');
    });

    test('run launch --wait: the run id on stdout, progress on stderr, exit 0 on SUCCESS', async () => {
      const r = await launchAndWait('chain', '-c', CHAIN_CONFIG, '--tag', 'team=data');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`run ${r.runId}: STARTED`));
      for (const step of ['emit', 'double', 'describe']) assert.match(r.stderr, new RegExp(`step ${step} succeeded`));
      assert.match(r.stderr, new RegExp(`run ${r.runId} finished: SUCCESS`));
      const run = await show(r.runId);
      assert.equal(run.status, 'SUCCESS');
      assert.equal(run.jobName, 'chain');
      assert.deepEqual(run.stepStats.map((s) => [s.stepKey, s.status]), [
        ['emit', 'SUCCESS'],
        ['double', 'SUCCESS'],
        ['describe', 'SUCCESS'],
      ]);
      assert.ok(run.tags.some((t) => t.key === 'team' && t.value === 'data'), JSON.stringify(run.tags));
    });

    test('run launch --wait of a failing job: exit 1, the failed step and its error on stderr', async () => {
      const r = await launchAndWait('failing');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /step boom failed: Op "boom" \(step "boom"\) exited with status 3/);
      assert.match(r.stderr, /finished: FAILURE/);
      assert.equal((await show(r.runId)).status, 'FAILURE');
    });

    test('run launch with --config FILE (YAML), --op-selection and --json', async () => {
      const file = path.join(dir, 'config.yaml');
      writeFileSync(file, 'ops:\n  hello:\n    config:\n      text: from yaml\n');
      const r = await cli('run', 'launch', 'two_says', '--config', file, '--op-selection', 'hello', '--json');
      assert.equal(r.code, 0, r.stderr);
      const launched = JSON.parse(r.stdout).launchRun;
      assert.equal(launched.__typename, 'LaunchRunSuccess');
      const runId = launched.run.runId;
      assert.equal(await waitForStatus(runId, ['SUCCESS', 'FAILURE']), 'SUCCESS');
      const run = await show(runId);
      assert.deepEqual(run.resolvedOpSelection, ['hello']);
      assert.deepEqual(run.stepStats.map((s) => s.stepKey), ['hello']);
      assert.match(run.runConfigYaml, /text: from yaml/);
    });

    test('run launch --wait --json: the launch, then the finished run, one JSON document a line', async () => {
      const r = await cli('run', 'launch', 'quick', '--wait', '--json');
      assert.equal(r.code, 0, r.stderr);
      const [launch, done] = jsonLines(r.stdout);
      assert.equal(launch.launchRun.__typename, 'LaunchRunSuccess');
      assert.equal(done.runOrError.runId, launch.launchRun.run.runId);
      assert.equal(done.runOrError.status, 'SUCCESS');
    });

    test('run launch refused: invalid config lists each error, unknown job, bad selection: exit 1', async () => {
      const bad = await cli('run', 'launch', 'chain', '-c', '{"ops": {"emit": {"config": {"number": "x"}, "extra": 1}}}');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /the run config is invalid for job 'chain' \(2 errors\):/);
      assert.match(bad.stderr, /^ {2}- .*Value "x" .* is not valid for expected type "Int"/m);
      assert.match(bad.stderr, /^ {2}- .*extra/m);
      assert.equal(bad.stdout, '');

      const missing = await cli('run', 'launch', 'chain');
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Missing required config entry "ops"/);

      const unknown = await cli('run', 'launch', 'nope');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no job named 'nope'/);
      const unknownDirect = await cli('run', 'launch', 'nope', '-l', 'runs', '-r', 'runs');
      assert.equal(unknownDirect.code, 1);
      assert.match(unknownDirect.stderr, /cannot launch job 'nope': Could not find Pipeline runs\.runs\.nope/);

      const selection = await cli('run', 'launch', 'two_says', '--op-selection', 'ghost');
      assert.equal(selection.code, 1);
      assert.match(selection.stderr, /cannot launch job 'two_says': .*ghost/);
    });

    test('run list: a table newest first; --json; filters by status, job and tag; pages', async () => {
      const ok = await launchAndWait('quick', '--tag', 'list=yes');
      const failed = await launchAndWait('failing', '--tag', 'list=yes');

      const r = await cli('run', 'list');
      assert.equal(r.code, 0, r.stderr);
      const rows = lines(r.stdout).map(cells);
      assert.deepEqual(rows[0], ['RUN ID', 'JOB', 'STATUS', 'CREATED', 'DURATION']);
      assert.deepEqual(rows[1].slice(0, 3), [failed.runId, 'failing', 'FAILURE']);
      assert.deepEqual(rows[2].slice(0, 3), [ok.runId, 'quick', 'SUCCESS']);
      assert.match(rows[1][3], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.match(rows[1][4], /^\d+\.\d+s$|^\d+m\d\ds$/);

      const tagged = JSON.parse((await cli('run', 'list', '--json', '--tag', 'list=yes')).stdout).runsOrError;
      assert.deepEqual(tagged.results.map((run) => run.runId), [failed.runId, ok.runId]);
      assert.equal(tagged.count, 2);

      const failures = JSON.parse((await cli('run', 'list', '--json', '--status', 'failure', '--tag', 'list=yes')).stdout);
      assert.deepEqual(failures.runsOrError.results.map((run) => run.runId), [failed.runId]);
      const byJob = JSON.parse((await cli('run', 'list', '--json', '--job', 'quick', '--tag', 'list=yes')).stdout);
      assert.deepEqual(byJob.runsOrError.results.map((run) => run.runId), [ok.runId]);
      const both = JSON.parse((await cli('run', 'list', '--json', '--status', 'SUCCESS,FAILURE', '--tag', 'list=yes')).stdout);
      assert.equal(both.runsOrError.results.length, 2);

      const first = await cli('run', 'list', '--tag', 'list=yes', '--limit', '1');
      assert.equal(first.code, 0, first.stderr);
      assert.equal(lines(first.stdout).length, 2);
      assert.match(first.stderr, new RegExp(`next ones: --cursor ${failed.runId}`));
      const second = JSON.parse((await cli('run', 'list', '--json', '--tag', 'list=yes', '--limit', '1', '--cursor', failed.runId)).stdout);
      assert.deepEqual(second.runsOrError.results.map((run) => run.runId), [ok.runId]);

      const none = await cli('run', 'list', '--tag', 'list=never');
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.match(none.stderr, /no runs match/);
    });

    test('run show: fields and step stats; an unknown run exits 1', async () => {
      const { runId } = await launchAndWait('chain', '-c', CHAIN_CONFIG);
      const r = await cli('run', 'show', runId);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Run: +${runId}$`, 'm'));
      assert.match(r.stdout, /^Status: +SUCCESS$/m);
      assert.match(r.stdout, /^Location: +runs \(repository runs\)$/m);
      assert.match(r.stdout, /^Steps: +3 succeeded, 0 failed/m);
      assert.match(r.stdout, /^ {8}number: 4$/m, 'the run config');
      const steps = lines(r.stdout.slice(r.stdout.indexOf('STEP'))).map(cells);
      assert.deepEqual(steps[0], ['STEP', 'STATUS', 'STARTED', 'DURATION', 'ATTEMPTS']);
      assert.deepEqual(steps.slice(1).map((s) => [s[0], s[1], s[4]]), [
        ['emit', 'SUCCESS', '1'],
        ['double', 'SUCCESS', '1'],
        ['describe', 'SUCCESS', '1'],
      ]);

      const unknown = await cli('run', 'show', 'no-such-run');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no-such-run: Pipeline run no-such-run could not be found/);
    });

    test('run logs: one line per event (time level step message); --json pages', async () => {
      const { runId } = await launchAndWait('chain', '-c', CHAIN_CONFIG);
      const r = await cli('run', 'logs', runId);
      assert.equal(r.code, 0, r.stderr);
      const logLines = lines(r.stdout).filter((l) => /^\d{4}-/.test(l));
      for (const l of logLines) assert.match(l, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) +\S+ +\S/);
      assert.ok(logLines.some((l) => /DEBUG +emit +Started execution of step "emit"\./.test(l)), r.stdout);

      const j = await cli('run', 'logs', runId, '--json');
      assert.equal(j.code, 0, j.stderr);
      const events = jsonLines(j.stdout).flatMap((page) => page.logsForRun.events);
      assert.equal(events.length, logLines.length);
      assert.equal(events.at(-1).eventType, 'RUN_SUCCESS');

      const unknown = await cli('run', 'logs', 'no-such-run');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /could not be found/);
    });

    test('run logs --follow: every event once, in order, until the run finishes', async () => {
      const file = path.join(freshSubDir(dir), 'go');
      const launched = await cli('run', 'launch', 'waiter', '-c', JSON.stringify({ ops: { wait_for_file: { config: { path: file } } } }));
      assert.equal(launched.code, 0, launched.stderr);
      const runId = launched.stdout.trim();
      const follow = cli('run', 'logs', runId, '--follow', '--json');
      await waitForStatus(runId, ['STARTED']);
      writeFileSync(file, '');
      const r = await follow;
      assert.equal(r.code, 0, r.stderr);
      const pages = jsonLines(r.stdout);
      assert.equal(pages.at(-1).runOrError.status, 'SUCCESS');
      const followed = pages.flatMap((p) => p.logsForRun.events);
      const all = jsonLines((await cli('run', 'logs', runId, '--json')).stdout).flatMap((p) => p.logsForRun.events);
      assert.deepEqual(followed, all);
      assert.equal(all.at(-1).eventType, 'RUN_SUCCESS');
    });

    test('run terminate: CANCELING then CANCELED; a finished or unknown run exits 1; --force', async () => {
      const runId = await launchSleeper();
      const r = await cli('run', 'terminate', runId);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^${runId} +(CANCELING|CANCELED)$`, 'm'));
      assert.equal(await waitForStatus(runId, ['CANCELED']), 'CANCELED');

      const again = await cli('run', 'terminate', runId, 'no-such-run');
      assert.equal(again.code, 1);
      assert.match(again.stderr, new RegExp(`${runId}: .*could not be terminated`, 'i'));
      assert.match(again.stderr, /no-such-run: Pipeline run no-such-run could not be found/);

      const forced = await launchSleeper();
      const f = await cli('run', 'terminate', '--force', forced, '--json');
      assert.equal(f.code, 0, f.stderr);
      const result = JSON.parse(f.stdout).terminateRuns.terminateRunResults[0];
      assert.equal(result.__typename, 'TerminateRunSuccess');
      assert.equal(result.run.status, 'CANCELED', 'MARK_AS_CANCELED_IMMEDIATELY');
      await waitFor(() => workerPids(forced).length === 0, { what: 'the forced run to stop' });
    });

    test('run delete: gone afterwards; an unknown run exits 1 and the others are still deleted', async () => {
      const { runId } = await launchAndWait('quick');
      const r = await cli('run', 'delete', 'no-such-run', runId);
      assert.equal(r.code, 1);
      assert.match(r.stdout, new RegExp(`^${runId} +deleted$`, 'm'));
      assert.match(r.stderr, /no-such-run: Pipeline run no-such-run could not be found/);
      const shown = await cli('run', 'show', runId);
      assert.equal(shown.code, 1);
    });

    test('run reexecute: ALL_STEPS and --from-failure, with the parent recorded; unknown parent exits 1', async () => {
      const parent = await launchAndWait('chain', '-c', CHAIN_CONFIG);
      const all = await cli('run', 'reexecute', parent.runId, '--wait');
      assert.equal(all.code, 0, all.stderr);
      const child = await show(lines(all.stdout)[0]);
      assert.equal(child.status, 'SUCCESS');
      assert.equal(child.parentRunId, parent.runId);
      assert.equal(child.rootRunId, parent.runId);
      assert.equal(child.stepStats.length, 3);

      const failed = await launchAndWait('failing');
      const again = await cli('run', 'reexecute', failed.runId, '--from-failure', '--wait');
      assert.equal(again.code, 1, 'the re-executed step fails again');
      const retry = await show(lines(again.stdout)[0]);
      assert.equal(retry.parentRunId, failed.runId);
      assert.equal(retry.status, 'FAILURE');
      assert.deepEqual(retry.stepKeysToExecute, ['boom', 'double']);

      const unknown = await cli('run', 'reexecute', 'no-such-run');
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /cannot re-execute run no-such-run/);
    });

    test('usage errors exit 2 and explain', async () => {
      const cases = [
        [['run', 'list', '--bogus'], /unknown option '--bogus'/],
        [['run', 'list', '--status', 'DONE'], /unknown status 'DONE'/],
        [['run', 'list', '--limit', '0'], /--limit wants a number/],
        [['run', 'list', '--tag', 'novalue'], /--tag wants KEY=VALUE/],
        [['run', 'list', 'extra'], /give no arguments/],
        [['run', 'show'], /give one run id/],
        [['run', 'launch'], /give one job name/],
        [['run', 'launch', 'chain', '-c', 'not json'], /-c wants a JSON object/],
        [['run', 'launch', 'chain', '-c', '[1]'], /-c wants a JSON object/],
        [['run', 'launch', 'chain', '--config', path.join(dir, 'missing.yaml')], /cannot read .*missing\.yaml/],
        [['run', 'launch', 'chain', '--config', 'x', '-c', '{}'], /not both/],
        [['run', 'terminate'], /one or more run ids/],
        [['run', 'frob'], /unknown command 'frob'/],
        [['job', 'show'], /exactly one job name/],
        [['job', 'frob'], /unknown command 'frob'/],
        [['run', 'list', '--timeout', 'soon'], /--timeout wants seconds/],
      ];
      for (const [args, message] of cases) {
        const r = await cli(...args);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, message, args.join(' '));
      }
    });
  });
}

describe('dagd run/job --help and the command list', () => {
  test('dagd --help lists run and job; each subcommand has --help', async () => {
    const top = await runDagd(['--help']);
    assert.match(top.stdout, /^ {2}run +list, show, follow/m);
    assert.match(top.stdout, /^ {2}job +list and show/m);
    for (const args of [['run', '--help'], ['job', '--help'], ['run', 'launch', '--help'], ['job', 'show', '--help']]) {
      const r = await runDagd(args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.stdout, /^usage: dagd (run|job)/);
    }
    const bare = await runDagd(['run']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /Exit statuses: 0 done/);
  });
});

/** A port nothing listens on (bound, then closed). */
async function closedPort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** Starts an HTTP server answering every request with handler; returns { base, close() }. */
async function fakeServer(handler) {
  const requests = [];
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${srv.address().port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        srv.closeAllConnections();
        srv.close(resolve);
      }),
  };
}

const RUNS_DATA = {
  data: {
    runsOrError: {
      __typename: 'Runs',
      count: 1,
      results: [{ runId: 'r1', jobName: 'j', status: 'SUCCESS', creationTime: 1700000000.5, startTime: 1700000001, endTime: 1700000003.25 }],
    },
  },
};

describe('the HTTP client: bad URLs, a server that is down, odd answers', () => {
  test('a URL that is not http:// exits 2 and says why; -w/--home with --url too', async () => {
    const cases = [
      ['https://127.0.0.1:3000', /https is not supported/],
      ['ftp://x', /not an http:\/\/ URL/],
      ['http://', /no host|expected http/],
      ['http://127.0.0.1:70000', /port must be a number/],
      ['http://127.0.0.1:3000/?x=1', /no user, query or fragment/],
    ];
    for (const [url, message] of cases) {
      const r = await runDagd(['run', 'list', '--url', url]);
      assert.equal(r.code, 2, url);
      assert.match(r.stderr, message, url);
    }
    const mixed = await runDagd(['run', 'list', '--url', 'http://127.0.0.1:1', '--home', '/tmp']);
    assert.equal(mixed.code, 2);
    assert.match(mixed.stderr, /with --url the server has its own/);
  });

  test('a server that is down: exit 3, connection refused', async () => {
    const port = await closedPort();
    for (const args of [['run', 'list'], ['job', 'list'], ['run', 'launch', 'quick']]) {
      const r = await runDagd([...args, '--url', `http://127.0.0.1:${port}`]);
      assert.equal(r.code, 3, args.join(' '));
      assert.match(r.stderr, /cannot connect to 127\.0\.0\.1:\d+: Connection refused/);
    }
  });

  test('a chunked answer is read whole; the request is a JSON POST to <prefix>/graphql', async () => {
    const s = await fakeServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }); // no length: chunked
      const text = JSON.stringify(RUNS_DATA);
      res.write(text.slice(0, 10));
      setTimeout(() => res.end(text.slice(10)), 50);
    });
    try {
      const r = await runDagd(['run', 'list', '--url', `${s.base}/some/prefix/`, '--status', 'SUCCESS']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(cells(lines(r.stdout)[1]).slice(0, 3), ['r1', 'j', 'SUCCESS']);
      assert.equal(cells(lines(r.stdout)[1])[4], '2.25s');
      const [req] = s.requests;
      assert.equal(req.method, 'POST');
      assert.equal(req.url, '/some/prefix/graphql');
      assert.equal(req.headers['content-type'], 'application/json');
      const body = JSON.parse(req.body);
      assert.match(body.query, /runsOrError\(filter: \$filter/);
      assert.deepEqual(body.variables.filter, { statuses: ['SUCCESS'] });

      const j = await runDagd(['run', 'list', '--url', `${s.base}/graphql`, '--json']);
      assert.deepEqual(JSON.parse(j.stdout), RUNS_DATA.data);
      assert.equal(s.requests[1].url, '/graphql', 'a URL ending in /graphql is the endpoint');
    } finally {
      await s.close();
    }
  });

  test('not JSON, an error status, GraphQL errors, too slow, cut short: exit 3 with the reason', async () => {
    const cases = [
      [(req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>'), /is not a JSON object/],
      [
        (req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"errors":[{"message":"boom inside"}]}'),
        /answered HTTP 500 Internal Server Error[\s\S]*GraphQL error: boom inside/,
      ],
      [(req, res) => res.writeHead(404).end('nothing here'), /HTTP 404 Not Found .*path prefix/],
      [
        (req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"errors":[{"message":"Cannot query field"}],"data":null}'),
        /GraphQL error: Cannot query field/,
      ],
      [() => {}, /no complete answer within the timeout/], // never answers
      [
        (req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"data":');
          setTimeout(() => res.socket.destroy(), 20);
        },
        /closed the connection in the middle of its answer/,
      ],
    ];
    for (const [handler, message] of cases) {
      const s = await fakeServer(handler);
      try {
        const r = await runDagd(['run', 'list', '--url', s.base, '--timeout', '0.5']);
        assert.equal(r.code, 3, `${message}: ${r.stderr}`);
        assert.match(r.stderr, message);
      } finally {
        await s.close();
      }
    }
  });
});
