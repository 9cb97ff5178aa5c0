// cli_runs.test.mjs — `dagd run …` and `dagd job …` from the outside, every
// subcommand twice: in process (a temporary --home and -w on the runs
// fixture) and over HTTP against a real `dagd dev` (--url). Tables for
// people, --json parsed, exit statuses (0 done, 1 refused or a waited-for
// run failed, 2 usage, 3 no answer), bad input. Then the HTTP client on its
// own: bad URLs, a server that is down, and fake servers answering chunked,
// not JSON, an error status, GraphQL errors, too slowly or half, without
// end, too much, a 100 Continue first, broken chunk framing, https with a
// certificate nobody signed. Last, what from runs and definitions reaches the
// terminal: control characters escaped, multi-line text indented.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
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
import { makeInstanceHome } from './fixtures/postgres.mjs';
import { DAGD, runDagd } from './server.mjs';

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

/** Control characters (C0 but newline, DEL, C1): none may reach a terminal. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

// The same tests against both targets: in process on a temporary instance,
// and a `dagd dev` reached with --url.
for (const mode of ['in-process', 'url']) {
  describe(`dagd run / dagd job (${mode})`, () => {
    let server; // url mode
    let home; // in-process mode
    let instance; // in-process mode: { home, cleanup() }
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
        instance = makeInstanceHome(undefined, { prefix: 'dagd-cli-home-' });
        home = instance.home;
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
        instance?.cleanup();
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
      assert.match(first.stderr, new RegExp(`1 of 2 runs shown; the next ones: --cursor ${failed.runId}`));
      const whole = await cli('run', 'list', '--tag', 'list=yes', '--limit', '2');
      assert.equal(whole.code, 0, whole.stderr);
      assert.equal(lines(whole.stdout).length, 3);
      assert.doesNotMatch(whole.stderr, /next ones/, 'a full page with nothing after it has no hint');
      const second = JSON.parse((await cli('run', 'list', '--json', '--tag', 'list=yes', '--limit', '1', '--cursor', failed.runId)).stdout);
      assert.deepEqual(second.runsOrError.results.map((run) => run.runId), [ok.runId]);

      const none = await cli('run', 'list', '--tag', 'list=never');
      assert.equal(none.code, 0);
      assert.equal(none.stdout, '');
      assert.match(none.stderr, /no runs match/);

      const managed = await cli('run', 'list', '--json', '--status', 'managed', '--tag', 'list=yes');
      assert.equal(managed.code, 0, managed.stderr);
      assert.deepEqual(JSON.parse(managed.stdout).runsOrError.results, []);
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

    test('run show, run logs: control characters from run data are escaped', async () => {
      const osc = '\u001b]0;pwned\u0007';
      const r = await launchAndWait('quick', '--tag', 'evil=a\nb\u001b[31mred', '-c', JSON.stringify({ ops: { say: { config: { text: `hi ${osc}` } } } }));
      assert.equal(r.code, 0, r.stderr);
      assert.doesNotMatch(r.stderr, CONTROL);

      const shown = await cli('run', 'show', r.runId);
      assert.equal(shown.code, 0, shown.stderr);
      assert.doesNotMatch(shown.stdout, CONTROL);
      assert.match(shown.stdout, /^Tags: +.*evil=a\\nb\\x1b\[31mred.*$\n^Steps: /m, 'one line, escaped');

      const logs = await cli('run', 'logs', r.runId);
      assert.equal(logs.code, 0, logs.stderr);
      assert.doesNotMatch(logs.stdout, CONTROL);
      assert.match(logs.stdout, /^\S+ \S+ INFO +say +said hi \\x1b\]0;pwned\\x07$/m);
      // --json keeps the data as it is, for scripts.
      const json = await cli('run', 'logs', r.runId, '--json');
      const messages = jsonLines(json.stdout).flatMap((page) => page.logsForRun.events.map((e) => e.message));
      assert.ok(messages.includes(`said hi ${osc}`), messages.join('\n'));
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
        [['run', 'list', '--status', 'DONE'], /unknown status 'DONE' \(one of QUEUED, NOT_STARTED, MANAGED, STARTING/],
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
    const helps = [['run', '--help'], ['job', '--help'], ['run', 'launch', '--help'], ['job', 'show', '--help']];
    const subcommands = ['list', 'show', 'logs', 'launch', 'terminate', 'delete', 'reexecute'];
    helps.push(['run', '-h'], ['job', '-h'], ['job', 'list', '-h'], ['job', 'show', '-h']);
    for (const sub of subcommands) helps.push(['run', sub, '-h']);
    for (const args of helps) {
      const r = await runDagd(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, /^usage: dagd (run|job)/);
      if (args.length === 3) assert.match(r.stdout, new RegExp(`^usage: dagd ${args[0]} ${args[1]}`), args.join(' '));
    }
    const list = await runDagd(['run', 'list', '--help']);
    assert.match(list.stdout, /QUEUED, NOT_STARTED, MANAGED, STARTING/);
    assert.match(list.stdout, /^ {2}-h, --help/m);
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

/**
 * Starts a TCP server that answers the first bytes of each connection with
 * respond(socket) (raw HTTP, for answers node's http module cannot make);
 * returns { base, close() }.
 */
async function rawServer(respond) {
  const sockets = new Set();
  const srv = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    sock.once('data', () => respond(sock));
  });
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${srv.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const sock of sockets) sock.destroy();
        srv.close(resolve);
      }),
  };
}

/** Writes res's body as fast as the client reads, chunk after chunk, until it goes or limit bytes. */
function flood(res, chunk, limit) {
  let sent = 0;
  let closed = false;
  res.on('close', () => (closed = true));
  const more = () => {
    while (!closed && sent < limit) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!closed) res.end();
  };
  more();
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
  test('a URL that is not http:// or https:// exits 2 and says why; -w/--home with --url too', async () => {
    const cases = [
      ['ftp://x', /not an http:\/\/ or https:\/\/ URL/],
      ['https://', /no host|expected http/],
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
      assert.equal(lines(r.stderr).length, 1, r.stderr);
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
      assert.equal(req.headers.accept, 'application/json');
      assert.equal(req.headers.expect, undefined, 'no 100-continue dance');
      const body = JSON.parse(req.body);
      assert.match(body.query, /runsOrError\(filter: \$filter/);
      assert.deepEqual(body.variables.filter, { statuses: ['SUCCESS'] });

      // Straight to the server: a proxy from the environment (here one that is down) is not used.
      const proxy = `http://127.0.0.1:${await closedPort()}`;
      const j = await runDagd(['run', 'list', '--url', `${s.base}/graphql`, '--json'], {
        env: { http_proxy: proxy, HTTP_PROXY: proxy, https_proxy: proxy, all_proxy: proxy },
      });
      assert.deepEqual(JSON.parse(j.stdout), RUNS_DATA.data);
      assert.equal(s.requests[1].url, '/graphql', 'a URL ending in /graphql is the endpoint');

      const spaced = await runDagd(['run', 'list', '--url', `${s.base}/my prefix/a%2Fb`]);
      assert.equal(spaced.code, 0, spaced.stderr);
      assert.equal(s.requests[2].url, '/my%20prefix/a%2Fb/graphql', 'spaces escaped, escapes kept');
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

  test('a server that keeps sending: the timeout holds, the answer is capped at 64 MiB', async () => {
    const cases = [
      // A byte now and then, never the end: only the deadline stops it.
      [
        (req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"data":');
          const timer = setInterval(() => res.write(' '), 20);
          res.on('close', () => clearInterval(timer));
        },
        ['--timeout', '0.5'],
        /no complete answer within the timeout \(0\.5 s/,
      ],
      // As fast as it can, chunked (no length to refuse up front).
      [
        (req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          flood(res, Buffer.alloc(1 << 20, 0x20), 100 << 20);
        },
        ['--timeout', '60'],
        /the answer is larger than 64 MiB/,
      ],
      // A length over the cap: refused before reading it.
      [
        (req, res) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(100 << 20) });
          res.write('{');
        },
        ['--timeout', '60'],
        /the answer is larger than 64 MiB/,
      ],
      // An error page whose text would drive the terminal: escaped.
      [
        (req, res) => res.writeHead(502).end('\u001b]0;pwned\u0007 bad gateway'),
        ['--timeout', '5'],
        /HTTP 502 Bad Gateway for POST \/graphql\n {2}\\x1b\]0;pwned\\x07 bad gateway\n/,
      ],
    ];
    for (const [handler, args, message] of cases) {
      const s = await fakeServer(handler);
      try {
        const r = await runDagd(['run', 'list', '--url', s.base, ...args]);
        assert.equal(r.code, 3, `${message}: ${r.stderr}`);
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr, CONTROL);
      } finally {
        await s.close();
      }
    }
  });

  test('raw HTTP: a 100 Continue before the answer is not the answer; broken chunk framing is refused', async () => {
    const body = JSON.stringify(RUNS_DATA);
    const continued = await rawServer((sock) =>
      sock.end(
        'HTTP/1.1 100 Continue\r\n\r\n' +
          `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      ),
    );
    try {
      const r = await runDagd(['run', 'list', '--url', continued.base, '--timeout', '5']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(cells(lines(r.stdout)[1]).slice(0, 3), ['r1', 'j', 'SUCCESS']);
    } finally {
      await continued.close();
    }
    // A chunk of 5 bytes followed by 6 bytes and no CRLF.
    const cases = [
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":1}0\r\n\r\n', /not valid HTTP or was cut off/],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', /not valid HTTP or was cut off/],
      ['SMTP ready\r\n\r\n', /not valid HTTP/],
      ['', /closed the connection without answering/],
    ];
    for (const [answer, message] of cases) {
      const s = await rawServer((sock) => sock.end(answer));
      try {
        const r = await runDagd(['run', 'list', '--url', s.base, '--timeout', '5']);
        assert.equal(r.code, 3, `${JSON.stringify(answer)}: ${r.stderr}`);
        assert.match(r.stderr, message, JSON.stringify(answer));
      } finally {
        await s.close();
      }
    }
  });

  test('https: the server certificate is checked (a self-signed one is refused, nothing is sent)', async (t) => {
    const dir = tempDir('dagd-cli-tls-');
    try {
      const key = path.join(dir, 'key.pem');
      const cert = path.join(dir, 'cert.pem');
      const made = spawnSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
          '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        { encoding: 'utf8' },
      );
      if (made.error || made.status !== 0) return t.skip('openssl cannot make a test certificate here');
      const requests = [];
      const srv = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
        requests.push(req.url);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(RUNS_DATA));
      });
      srv.on('tlsClientError', () => {});
      await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
      try {
        const r = await runDagd(['run', 'list', '--url', `https://127.0.0.1:${srv.address().port}`, '--timeout', '10']);
        assert.equal(r.code, 3, r.stderr);
        assert.match(r.stderr, /certificate/);
        assert.deepEqual(requests, [], 'no request over an unchecked connection');
      } finally {
        srv.closeAllConnections();
        await new Promise((resolve) => srv.close(resolve));
      }
    } finally {
      removeDir(dir);
    }
  });
});

describe('run launch --wait on a run that stays QUEUED (in process, no daemon)', () => {
  test('after a while it says once that the daemon must dequeue it', async () => {
    const { home, cleanup } = makeInstanceHome('run_coordinator:\n  class: QueuedRunCoordinator\n', {
      prefix: 'dagd-cli-queued-',
    });
    const target = ['-w', FIXTURE_WORKSPACE, '--home', home];
    try {
      const proc = spawn(DAGD, ['run', 'launch', 'quick', '--wait', ...target], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      proc.stdout.on('data', (c) => (stdout += c));
      proc.stderr.on('data', (c) => (stderr += c));
      const exited = new Promise((resolve) => proc.on('close', resolve));
      try {
        await waitFor(() => /still QUEUED/.test(stderr), { timeout: 30000, what: 'the note on a queued run' });
        // Some more polls: the note is not repeated.
        await new Promise((resolve) => setTimeout(resolve, 1000));
      } finally {
        proc.kill('SIGTERM');
        await exited;
      }
      const runId = stdout.trim();
      assert.match(runId, UUID, stderr);
      assert.match(stderr, /QUEUED \(the daemon launches it when there is room\)/);
      assert.match(
        stderr,
        new RegExp(`run ${runId}: still QUEUED: it waits for the daemon to dequeue it \\(\`dagd daemon\` or \`dagd dev\` must be running`),
      );
      assert.equal(stderr.match(/still QUEUED/g).length, 1, stderr);
      const shown = await runDagd(['run', 'show', runId, '--json', ...target]);
      assert.equal(JSON.parse(shown.stdout).runOrError.status, 'QUEUED');
      assert.equal((await runDagd(['run', 'delete', runId, ...target])).code, 0);
    } finally {
      cleanup();
    }
  });
});

// A workspace of the test's own: an op that logs a message of two lines with
// an OSC sequence (as DAGD_EVENTS JSON), a job whose description has two
// lines and an escape sequence, one with a long description of two-byte
// characters.
const ODD_SCRIPT =
  'printf \'%s\\n\' \'{"type": "log", "level": "INFO", "message": "first line\\nsecond \\u001b]0;pwned\\u0007 line\\n"}\' >>"$DAGD_EVENTS"';
const ODD_DEFS = [
  'repository: odd',
  'ops:',
  '  shout:',
  `    command: ${JSON.stringify(['sh', '-c', ODD_SCRIPT])}`,
  '    outputs: {}',
  'jobs:',
  '  odd:',
  `    description: ${JSON.stringify('Line one\nline two \u001b[31mred')}`,
  '    ops:',
  '      shout:',
  '  wordy:',
  `    description: ${JSON.stringify('é'.repeat(150))}`,
  '    ops:',
  '      shout:',
  '',
].join('\n');

describe('text from runs and definitions at the terminal (in process)', () => {
  let instance;
  let dir;
  let target;
  const cli = (...args) => runDagd([...args, ...target]);

  before(() => {
    instance = makeInstanceHome(undefined, { prefix: 'dagd-cli-home-' });
    dir = tempDir('dagd-cli-odd-');
    writeFileSync(path.join(dir, 'defs.yaml'), ODD_DEFS);
    writeFileSync(path.join(dir, 'workspace.yaml'), 'load_from:\n  - definitions: defs.yaml\n    location_name: odd\n');
    target = ['-w', path.join(dir, 'workspace.yaml'), '--home', instance.home];
  });

  after(() => {
    instance?.cleanup();
    if (dir) removeDir(dir);
  });

  test('run logs: a multi-line message goes on indented lines, its controls escaped', async () => {
    const r = await cli('run', 'launch', 'odd', '--wait');
    assert.equal(r.code, 0, r.stderr);
    const runId = lines(r.stdout)[0];
    await waitFor(() => workerPids(runId).length === 0, { what: 'the run worker to exit' });
    const logs = await cli('run', 'logs', runId);
    assert.equal(logs.code, 0, logs.stderr);
    assert.doesNotMatch(logs.stdout, CONTROL);
    assert.match(logs.stdout, /^\S+ \S+ INFO +shout +first line\n {4}second \\x1b\]0;pwned\\x07 line\n\d{4}-/m);
  });

  test('job show: a multi-line description stays on its row; job list cuts at a character', async () => {
    const r = await cli('job', 'show', 'odd');
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, CONTROL);
    assert.match(r.stdout, /^Description: +Line one\\nline two \\x1b\[31mred\nTags: +-$/m);

    const list = await cli('job', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.doesNotMatch(list.stdout, CONTROL);
    const rows = lines(list.stdout).map(cells);
    assert.equal(rows.find((row) => row[2] === 'odd')[3], 'Line one…');
    assert.equal(rows.find((row) => row[2] === 'wordy')[3], `${'é'.repeat(100)}…`);
  });
});
