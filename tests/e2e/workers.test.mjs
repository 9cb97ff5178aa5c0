// workers.test.mjs — `dagd worker` end to end. Several hosts on one
// PostgreSQL instance: a webserver, a daemon (QueuedRunCoordinator, so the
// queue hands the runs out as in a deployment) and two workers, each a
// "host" of its own: its own instance folder, its own PID namespace
// (`unshare --pid`: its pids mean nothing to the others, so only the
// worker heartbeat tells the daemon a worker died) and, when `ip netns`
// works here, its own network namespace joined to this one by a veth pair,
// reaching PostgreSQL through a TCP relay on the host side of its pair (the
// test server listens on 127.0.0.1 only). 100 runs of a job whose op
// marks its start and end in a file shared by every host; one worker host
// is killed (SIGKILL to its namespace) while it runs some; every run then
// ends SUCCESS or FAILURE, the failures being exactly runs that host had
// claimed, failed by the monitor, and no run executes twice (one RUN_START
// each, each mark once). A smaller case on SQLite: one machine, a
// webserver with run_launcher.workers and one worker; a worker refused by
// an instance without workers.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { dropPostgresDatabase, newPostgresDatabase } from './fixtures/postgres.mjs';
import { FINISHED, gql, launch, runStatus, waitFor, waitForStatus, workerPids } from './fixtures/runs/harness.mjs';
import { DAGD, runDagd, startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKSPACE = path.join(here, 'fixtures', 'workers', 'workspace.yaml');
const LOCATION = 'workers';

/** Seconds without a heartbeat after which the daemon fails a worker's runs. */
const HEARTBEAT_TIMEOUT = 3;

/** The hidden tag a worker's claim writes (storage.h STORE_TAG_WORKER). */
const WORKER_TAG = '.dagster/worker';

/** A `dagd worker`'s first line; its id in group 1. */
const WORKER_READY = /dagd worker (\S+): instance at \S+, up to \d+ runs? at once\n/;

/** A regular expression source matching text literally. */
const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the monitor says of worker's silence (ENGINE_EVENT, then RUN_FAILURE with Dagster's wording). */
function silence(worker) {
  return `The dagd worker ${literal(worker)} stopped heartbeating \\d+ seconds ago`;
}

/** Runs argv synchronously; returns { code, stdout, stderr }. */
function runSync(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  return { code: r.error ? -1 : r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? r.error?.message ?? '' };
}

/** Runs argv synchronously, throwing with its stderr unless it exits 0. */
function must(argv) {
  const r = runSync(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * What to undo, run last first by run(), each step even when an earlier
 * one throws (the first error is rethrown at the end): processes, relays,
 * namespaces, databases and folders go whatever the test did.
 */
class Teardown {
  constructor() {
    this.steps = [];
  }

  add(step) {
    this.steps.push(step);
  }

  async run() {
    let first;
    while (this.steps.length) {
      try {
        await this.steps.pop()();
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw first;
  }
}

/** A temporary folder removed by teardown. */
function tempDir(teardown, prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  teardown.add(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5 }));
  return dir;
}

/** Why PID namespaces cannot be made here ('' when they can): unshare needs root. */
function pidNamespaceProblem() {
  const r = runSync(['unshare', '--pid', '--fork', '--mount-proc', '--kill-child', 'true']);
  return r.code === 0 ? '' : `unshare --pid fails here (${r.stderr.trim() || r.code}); it needs root`;
}

/** The PID namespace of a process ("pid:[inode]"), or null once it is gone. */
function pidNamespace(pid) {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return null;
  }
}

/** How many processes live in PID namespace ns. */
function processesIn(ns) {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name) && pidNamespace(name) === ns).length;
}

/**
 * A TCP relay listening on host:0 that forwards each connection to
 * target ({ host, port }). Resolves to { port, close() }.
 */
async function startRelay(host, target) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      // A peer that vanishes (a killed host) resets its side: end both.
      s.on('error', () => {});
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  return {
    port: server.address().port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Network namespaces for the hosts, each joined to this one by a veth pair
 * of its own in a /30 of 10.77.N.0/24 (N picked so that no address of this
 * machine is in it). Its `host(i)` makes namespace i and returns
 * { netns, address (inside), gateway (this side) }.
 */
class Networks {
  constructor(teardown) {
    this.teardown = teardown;
    const used = must(['ip', '-4', '-o', 'addr', 'show']);
    const free = [];
    for (let n = 1; n < 255; n++) if (!used.includes(` 10.77.${n}.`)) free.push(n);
    if (!free.length) throw new Error('no free 10.77.N.0/24 for the hosts');
    this.subnet = free[process.pid % free.length];
  }

  host(i) {
    const netns = `dagd-workers-${process.pid}-${i}`;
    const outside = `dw${process.pid % 1000000}h${i}`;
    const inside = `${outside}n`;
    const gateway = `10.77.${this.subnet}.${4 * i + 1}`;
    const address = `10.77.${this.subnet}.${4 * i + 2}`;
    must(['ip', 'netns', 'add', netns]);
    this.teardown.add(() => {
      // The pair's outer end goes with it; deleted both ways in case
      // the namespace lingers.
      runSync(['ip', 'link', 'del', outside]);
      runSync(['ip', 'netns', 'del', netns]);
    });
    must(['ip', 'link', 'add', outside, 'type', 'veth', 'peer', 'name', inside, 'netns', netns]);
    must(['ip', 'addr', 'add', `${gateway}/30`, 'dev', outside]);
    must(['ip', 'link', 'set', outside, 'up']);
    must(['ip', '-n', netns, 'addr', 'add', `${address}/30`, 'dev', inside]);
    must(['ip', '-n', netns, 'link', 'set', inside, 'up']);
    must(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
    return { netns, address, gateway };
  }
}

/**
 * Makes host `name` (index i): an instance folder whose dagd.yaml is
 * `yaml` plus the storage at dbUrl, reached directly, or, with networks,
 * from a network namespace of its own through a relay. Returns { name,
 * home, address (where it may listen), prefix (argv that puts a command
 * in its namespaces) }.
 */
async function makeHost(name, i, { yaml, dbUrl, networks, teardown }) {
  const home = tempDir(teardown, `dagd-host-${name}-`);
  let url = dbUrl;
  let address = '127.0.0.1';
  const prefix = [];
  if (networks) {
    const n = networks.host(i);
    const db = new URL(dbUrl);
    const relay = await startRelay(n.gateway, { host: db.hostname, port: Number(db.port) });
    teardown.add(relay.close);
    db.hostname = n.gateway;
    db.port = String(relay.port);
    url = db.toString();
    address = n.address;
    prefix.push('ip', 'netns', 'exec', n.netns);
  }
  prefix.push('unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--');
  writeFileSync(
    path.join(home, 'dagd.yaml'),
    `${yaml}storage:\n  postgres:\n    postgres_url: ${JSON.stringify(url)}\n`,
  );
  return { name, home, address, prefix };
}

/**
 * makeHost for each name, each in a network namespace of its own when
 * this machine allows (else all on the loopback, said through
 * diagnostic). Options: yaml, dbUrl, teardown, diagnostic.
 */
async function makeHosts(names, { diagnostic, ...options }) {
  let networks = null;
  try {
    networks = new Networks(options.teardown);
    const probe = networks.host(names.length); // namespace, pair and addresses all work here
    must(['ip', 'netns', 'exec', probe.netns, 'true']);
  } catch (err) {
    networks = null;
    diagnostic(`no network namespaces (${err.message.split('\n')[0]}): the hosts share the loopback`);
  }
  const hosts = [];
  for (const [i, name] of names.entries()) hosts.push(await makeHost(name, i, { ...options, networks }));
  return hosts;
}

/**
 * Starts `dagd ...args` on host (in its namespaces, if any; DAGD_HOME its
 * folder, DAGD_E2E_HOST its name) and resolves once its stderr matches
 * ready, to { match, stderr(), exited (resolves to the exit code or
 * signal), stop(), kill() }. stop() sends SIGTERM to dagd itself (in a PID
 * namespace, the namespace's first process: unshare would die of the
 * signal and take dagd down with SIGKILL) and resolves to the exit code
 * (unshare's is dagd's); kill() sends SIGKILL to the process started (in
 * a namespace, unshare, so the whole namespace dies at once) and resolves
 * once no process of the namespace is left. Teardown kills it.
 */
async function startOnHost(host, args, ready, teardown) {
  const argv = [...host.prefix, DAGD, ...args];
  const proc = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, DAGD_HOME: host.home, DAGD_E2E_HOST: host.name },
  });
  let stderr = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig)));
  let dagd = proc.pid;
  let ns = null;
  const p = {
    stderr: () => stderr,
    exited,
    stop() {
      process.kill(dagd, 'SIGTERM');
      return exited;
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
      if (ns) await waitFor(() => processesIn(ns) === 0, { what: `every process of ${host.name}'s namespace to die` });
    },
  };
  teardown.add(() => p.kill());
  proc.stderr.setEncoding('utf8');
  proc.stderr.on('data', (chunk) => (stderr += chunk));
  proc.on('error', (err) => (stderr += `spawn failed: ${err.message}\n`));
  p.match = await waitFor(
    async () => {
      if (proc.exitCode !== null || proc.signalCode !== null)
        assert.fail(`${args[0]} on ${host.name} exited (${await exited}) before it was ready:\n${stderr}`);
      return ready.exec(stderr);
    },
    { timeout: 15000, what: `${args[0]} on ${host.name} to start (stderr: ${JSON.stringify(stderr)})` },
  );
  if (host.prefix.includes('unshare')) {
    // dagd is the namespace's first process, unshare's only child.
    dagd = Number(readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim());
    ns = pidNamespace(dagd);
    assert.ok(ns && ns !== pidNamespace(process.pid), `${host.name} runs in a PID namespace of its own`);
  }
  return p;
}

/** The marker file's lines as { kind: 'start' | 'done', runId, host }. */
function readMarks(marker) {
  if (!existsSync(marker)) return [];
  return readFileSync(marker, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const m = /^(start|done) ([0-9a-f-]{36}) (\S+)$/.exec(line);
      assert.ok(m, `a whole mark line: ${JSON.stringify(line)}`);
      return { kind: m[1], runId: m[2], host: m[3] };
    });
}

/** The runs whose op started on host and has not marked its end. */
function inFlight(marks, host) {
  const done = new Set(marks.filter((m) => m.kind === 'done').map((m) => m.runId));
  return marks.filter((m) => m.kind === 'start' && m.host === host && !done.has(m.runId)).map((m) => m.runId);
}

const RUNS_QUERY = `
query($statuses: [RunStatus!]) {
  runsOrError(filter: {statuses: $statuses}) {
    ... on Runs { results { runId status tags { key value } } }
  }
}`;

/** The instance's runs ({ runId, status, tags }), of the given statuses when named. */
async function runs(url, statuses) {
  return (await gql(url, RUNS_QUERY, { statuses })).runsOrError.results;
}

const LOGS_QUERY = `
query($id: ID!) {
  logsForRun(runId: $id) {
    __typename
    ... on EventConnection { events { ... on MessageEvent { eventType message } } }
  }
}`;

/** A run's events as [eventType, message] pairs. */
async function runEvents(url, runId) {
  const logs = (await gql(url, LOGS_QUERY, { id: runId })).logsForRun;
  assert.equal(logs.__typename, 'EventConnection', runId);
  return logs.events.filter((e) => e.eventType).map((e) => [e.eventType, e.message]);
}

/** Each run's claiming worker as the database holds it (the tag is hidden from the API): Map runId → worker id or ''. */
function claims(dbUrl) {
  const out = must([
    'psql',
    '-X',
    '-A',
    '-t',
    '-F',
    '\t',
    '-d',
    dbUrl,
    '-c',
    `SELECT r.run_id, coalesce(t.value, '') FROM runs r
       LEFT JOIN run_tags t ON t.run_pk = r.id AND t.key = '${WORKER_TAG}'`,
  ]);
  return new Map(
    out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')),
  );
}

/** Launches a run of the `marked` job whose op marks in marker after sleeping seconds; returns its id. */
function launchMarked(url, marker, seconds) {
  return launch(url, 'marked', {
    location: LOCATION,
    runConfigData: { ops: { mark: { config: { marker, seconds } } } },
  });
}

/**
 * The runs of worker processes' logs ("dagd worker W: run ID started
 * (pid N)" lines), as a Map runId → how many times.
 */
function startsLogged(...stderrs) {
  const counts = new Map();
  for (const text of stderrs)
    for (const m of text.matchAll(/^dagd worker \S+: run ([0-9a-f-]{36}) started \(pid \d+\)$/gm))
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return counts;
}

/**
 * The run workers' logs (<home>/storage/<run_id>/worker.log) of the hosts'
 * instances that hold a sanitizer's report or a runtime error, as "run_id:
 * first such line" (a sanitizer build reports there).
 */
function sanitizerReports(homes) {
  const reports = [];
  for (const home of homes) {
    const storage = path.join(home, 'storage');
    if (!existsSync(storage)) continue;
    for (const runId of readdirSync(storage)) {
      const log = path.join(storage, runId, 'worker.log');
      if (!existsSync(log)) continue;
      const line = readFileSync(log, 'utf8')
        .split('\n')
        .find((l) => /Sanitizer|runtime error:/.test(l));
      if (line) reports.push(`${runId}: ${line}`);
    }
  }
  return reports;
}

/** The instances' dagd.yaml (less the storage): workers, the queue, quick monitoring. */
const HOSTS_YAML = [
  'run_launcher:',
  '  workers: true',
  `  worker_heartbeat_timeout: ${HEARTBEAT_TIMEOUT}`,
  'run_coordinator:',
  '  class: QueuedRunCoordinator',
  '  config:',
  '    max_concurrent_runs: 8',
  '    dequeue_interval_seconds: 0.2',
  'run_monitoring:',
  '  poll_interval_seconds: 0.5',
  '',
].join('\n');

/**
 * The deployment on a fresh database: hosts web, daemon, w1 and w2, each
 * running its dagd (workers: 4 runs at once each, --name their host's).
 * Resolves to { dbUrl, url (the webserver's GraphQL), hosts, web, daemon,
 * w1, w2 }; teardown undoes it all.
 */
async function deploy(teardown, diagnostic) {
  const dbUrl = await newPostgresDatabase();
  teardown.add(() => dropPostgresDatabase(dbUrl));
  const hosts = await makeHosts(['web', 'daemon', 'w1', 'w2'], { yaml: HOSTS_YAML, dbUrl, teardown, diagnostic });
  const [webHost, daemonHost, w1Host, w2Host] = hosts;
  const web = await startOnHost(
    webHost,
    ['webserver', '-w', WORKSPACE, '--host', webHost.address, '--port', '0'],
    /listening on (http:\/\/\S+\/graphql)\n/,
    teardown,
  );
  const daemon = await startOnHost(daemonHost, ['daemon'], /dagd daemon running, heartbeat id (\S+)\n/, teardown);
  const worker = (h) =>
    startOnHost(h, ['worker', '--name', h.name, '--max-runs', '4', '--poll-interval', '0.2'], WORKER_READY, teardown);
  const w1 = await worker(w1Host);
  const w2 = await worker(w2Host);
  assert.deepEqual([w1.match[1], w2.match[1]], ['w1', 'w2'], 'a worker is known by its --name');
  return { dbUrl, url: web.match[1], hosts, web, daemon, w1, w2 };
}

/** Launches total runs of `marked`, ten at a time, each op sleeping 0.2 to 1 s; returns their ids. */
async function launchMany(url, marker, total) {
  const ids = [];
  for (let batch = 0; batch < total; batch += 10) {
    const launched = await Promise.all(
      Array.from({ length: Math.min(10, total - batch) }, (_, k) =>
        launchMarked(url, marker, 0.2 + ((batch + k) % 9) / 10),
      ),
    );
    ids.push(...launched);
  }
  assert.equal(new Set(ids).size, total);
  return ids;
}

/**
 * Checks a run w2 lost: claimed by w2, failed by the monitor because w2's
 * heartbeat stopped (Dagster's message and failure reason, the engine
 * event naming the silence), never signalled from here.
 */
function assertFailedForSilence(run, events, claimer) {
  const id = run.runId;
  assert.equal(claimer, 'w2', `${id} failed`);
  const tags = Object.fromEntries(run.tags.map((tag) => [tag.key, tag.value]));
  assert.equal(tags['dagster/failure_reason'], 'UNEXPECTED_TERMINATION', id);
  const failures = events.filter(([type]) => type === 'RUN_FAILURE').map(([, message]) => message);
  assert.equal(failures.length, 1, id);
  assert.match(
    failures[0],
    new RegExp(`^Detected run worker status NOT_FOUND: '${silence('w2')}'\\. Marking run ${id} as failed\\.$`),
  );
  const noticed = new RegExp(
    `^${silence('w2')} \\(run_launcher\\.worker_heartbeat_timeout: ${HEARTBEAT_TIMEOUT} seconds\\)\\.$`,
  );
  assert.equal(events.filter(([type, message]) => type === 'ENGINE_EVENT' && noticed.test(message)).length, 1, id);
}

/**
 * Checks the marks: no op of a run ran twice (each line once), each ran on
 * the host that claimed its run, and every success marked its start and
 * its end.
 */
function assertMarkedOnce(marks, byId, claimed) {
  const seen = new Set();
  for (const m of marks) {
    const key = `${m.kind} ${m.runId}`;
    assert.ok(!seen.has(key), `"${key}" marked once`);
    seen.add(key);
    assert.ok(byId.has(m.runId), `${m.runId} is one of the runs`);
    assert.equal(m.host, claimed.get(m.runId), `${m.runId} ran on its claimer's host`);
  }
  for (const [id, run] of byId)
    if (run.status === 'SUCCESS') assert.ok(seen.has(`start ${id}`) && seen.has(`done ${id}`), `${id} marked`);
}

describe('dagd worker hosts on PostgreSQL', () => {
  // A reason to skip, or false.
  const skip =
    (!process.env.DAGD_TEST_POSTGRES_URL && !process.env.DAGD_TEST_POSTGRES_URL_FILE
      ? 'no PostgreSQL server for the tests (DAGD_TEST_POSTGRES_URL_FILE: run through ctest)'
      : pidNamespaceProblem()) || false;

  test('100 runs, a worker host killed mid-way: each run ends once', { skip, timeout: 300000 }, async (t) => {
    const TOTAL = 100;
    const teardown = new Teardown();
    t.after(() => teardown.run());
    const marker = path.join(tempDir(teardown, 'dagd-workers-'), 'marks');
    const { dbUrl, url, hosts, web, daemon, w1, w2 } = await deploy(teardown, (text) => t.diagnostic(text));
    const ids = await launchMany(url, marker, TOTAL);

    // Once 30 are over and w2 has ops going, w2's host disappears.
    await waitFor(
      async () => {
        const over = (await runs(url, FINISHED)).length;
        assert.ok(over < TOTAL, 'runs were left when w2 was to be killed');
        return over >= 30 && inFlight(readMarks(marker), 'w2').length > 0;
      },
      { timeout: 120000, interval: 50, what: '30 runs to finish while w2 runs some' },
    );
    await w2.kill();
    // Nothing of w2 is left to write: these are what it had done and cut short.
    const doneBefore = new Set((await runs(url, FINISHED)).map((r) => r.runId));
    const cut = inFlight(readMarks(marker), 'w2');
    assert.ok(cut.length > 0, 'w2 was killed with ops going');

    const all = await waitFor(
      async () => {
        const rs = await runs(url);
        return rs.length === TOTAL && rs.every((r) => FINISHED.includes(r.status)) && rs;
      },
      { timeout: 180000, interval: 250, what: 'every run to finish' },
    );
    const byId = new Map(all.map((r) => [r.runId, r]));
    assert.deepEqual([...byId.keys()].sort(), [...ids].sort());
    const claimed = claims(dbUrl);
    const logged = startsLogged(w1.stderr(), w2.stderr());
    for (const r of all) {
      const id = r.runId;
      const events = await runEvents(url, id);
      const types = events.map(([type]) => type);
      // Queued, dequeued by the daemon, claimed by one worker, started at most once.
      assert.deepEqual(types.slice(0, 3), ['RUN_ENQUEUED', 'RUN_DEQUEUED', 'RUN_STARTING'], id);
      assert.ok(['w1', 'w2'].includes(claimed.get(id)), `${id} claimed by ${JSON.stringify(claimed.get(id))}`);
      assert.ok(!r.tags.some((tag) => tag.key === WORKER_TAG), 'the claim tag is hidden from Run.tags');
      const starts = types.filter((type) => type === 'RUN_START').length;
      assert.ok(starts <= 1 && (logged.get(id) ?? 0) <= 1, `${id} started ${starts} times`);
      if (r.status === 'SUCCESS') {
        assert.equal(starts, 1, id);
        assert.equal(logged.get(id), 1, `${id} started by its worker`);
        // What was left when w2 died, w1 did.
        if (!doneBefore.has(id)) assert.equal(claimed.get(id), 'w1', id);
      } else {
        assert.equal(r.status, 'FAILURE', id);
        assertFailedForSilence(r, events, claimed.get(id));
      }
    }
    for (const id of cut) assert.equal(byId.get(id).status, 'FAILURE', `${id}, cut short on w2`);
    assertMarkedOnce(readMarks(marker), byId, claimed);
    const onW1 = ids.filter((id) => claimed.get(id) === 'w1').length;
    const failed = all.filter((r) => r.status === 'FAILURE').length;
    t.diagnostic(`w1 ran ${onW1} runs, w2 ${TOTAL - onW1} (${failed} failed when it died)`);

    // The survivors stop cleanly, and ran clean.
    assert.equal(await w1.stop(), 0, w1.stderr());
    assert.equal(await daemon.stop(), 0, daemon.stderr());
    assert.equal(await web.stop(), 0, web.stderr());
    assert.deepEqual(sanitizerReports(hosts.map((h) => h.home)), []);
  });
});

/** Runs SQL on a SQLite instance's database with the sqlite3 shell (waiting out dagd's locks). */
function sqlite(home, statement) {
  const db = path.join(home, 'history', 'runs.db');
  return must(['sqlite3', '-cmd', '.timeout 10000', db, statement]).trim();
}

describe('dagd worker on one machine (SQLite)', () => {
  test('a launched run waits for a worker, which claims and executes it once', { timeout: 60000 }, async (t) => {
    const teardown = new Teardown();
    t.after(() => teardown.run());
    const home = tempDir(teardown, 'dagd-worker-sqlite-');
    writeFileSync(path.join(home, 'dagd.yaml'), 'run_launcher:\n  workers: true\n');
    const marker = path.join(home, 'marks');
    const web = await startServer(['-w', WORKSPACE], { home });
    teardown.add(() => web.stop());

    // Offered, not started: no run worker on this side until a worker claims it.
    const runId = await launchMarked(web.url, marker, 0.2);
    assert.equal(await runStatus(web.url, runId), 'STARTING');
    assert.deepEqual(workerPids(runId), []);

    const host = { name: 'solo', home, prefix: [] };
    const worker = await startOnHost(
      host,
      ['worker', '--name', 'solo', '--max-runs', '1', '--poll-interval', '0.2'],
      WORKER_READY,
      teardown,
    );
    assert.equal(await waitForStatus(web.url, runId), 'SUCCESS');
    assert.deepEqual(readMarks(marker), [
      { kind: 'start', runId, host: 'solo' },
      { kind: 'done', runId, host: 'solo' },
    ]);
    const events = await runEvents(web.url, runId);
    assert.equal(events.filter(([type]) => type === 'RUN_START').length, 1);
    assert.equal(sqlite(home, `SELECT value FROM run_tags WHERE key = '${WORKER_TAG}'`), 'solo');
    const tags = (await runs(web.url)).find((r) => r.runId === runId).tags;
    assert.ok(!tags.some((tag) => tag.key === WORKER_TAG), 'the claim tag is hidden from Run.tags');

    // SIGTERM: it drains (nothing going) and exits 0.
    assert.equal(await worker.stop(), 0, worker.stderr());
    const said = worker.stderr();
    assert.match(said, new RegExp(`^dagd worker solo: run ${runId} started \\(pid \\d+\\)$`, 'm'));
    assert.match(said, new RegExp(`^dagd worker solo: run ${runId} ended: SUCCESS$`, 'm'));
    assert.match(said, /dagd worker solo: stopped\n$/);
    assert.equal(await web.stop(), 0, web.stderr());
    assert.deepEqual(sanitizerReports([home]), []);
  });

  test('an instance whose runs are not offered to workers refuses one', async (t) => {
    const teardown = new Teardown();
    t.after(() => teardown.run());
    const home = tempDir(teardown, 'dagd-worker-refused-');
    writeFileSync(path.join(home, 'dagd.yaml'), 'run_launcher:\n  workers: false\n');
    const r = await runDagd(['worker', '--home', home]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr,
      `dagd worker: the instance at ${home} does not offer its runs to workers: set\n` +
        '  run_launcher:\n    workers: true\n' +
        `in ${home}/dagd.yaml (for every process of the instance)\n`,
    );
  });

  test('usage errors exit 2', async () => {
    for (const [args, message] of [
      [['--max-runs', '0'], "--max-runs '0': expected an integer of at least 1"],
      [['--poll-interval', '0'], "--poll-interval '0': expected seconds above 0, at most 3600"],
      [['--name', 'a b'], "--name 'a b': a worker name is 1 to 128 letters, digits and . _ - : @"],
      [['now'], "unexpected argument 'now'"],
    ]) {
      const r = await runDagd(['worker', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`dagd worker: ${message}\nusage: dagd worker [options]`), r.stderr);
    }
  });
});
