// workers.test.mjs — `dagd worker` end to end. Several hosts on one
// PostgreSQL instance: a webserver, a daemon (QueuedRunCoordinator, so the
// queue hands the runs out as in a deployment) and two workers, each a
// "host" of its own: its own instance folder, a process group of its own
// and, where this machine allows (root), its own PID namespace (`unshare
// --pid`: its pids mean nothing to the others, so only the worker
// heartbeat tells the daemon a worker died) and its own network namespace
// joined to this one by a veth pair; elsewhere the hosts share the
// loopback, and the test runs all the same. Each host reaches PostgreSQL
// through a TCP relay in this process (on the host side of its pair; the
// test server listens on 127.0.0.1 only), with its name as the
// connections' application_name. 100 runs of a job whose op marks its
// start and end in a file shared by every host; one worker host is killed
// (SIGKILL to its process group: its namespace, or its run workers with
// it through their parent-death signal) while it runs some; every run
// then ends SUCCESS or FAILURE, the failures being exactly runs that host
// had claimed, failed by the monitor, and no run executes twice (one
// RUN_START each, each mark once). Every host runs under `setpriv
// --pdeathsig KILL`, so a test killed outright takes its hosts along; the
// namespaces and links such a test left are removed by the next one. A
// smaller case on SQLite: one machine, a webserver with
// run_launcher.workers and one worker; a worker refused by an instance
// without workers.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { dropPostgresDatabase, newPostgresDatabase, queryPostgres } from './fixtures/postgres.mjs';
import {
  FINISHED,
  gql,
  launch,
  literal,
  runStatus,
  sanitizerReports,
  waitFor,
  waitForStatus,
  workerPids,
} from './fixtures/runs/harness.mjs';
import { DAGD, followStderr, runDagd, startServer } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const WORKSPACE = path.join(here, 'fixtures', 'workers', 'workspace.yaml');
const LOCATION = 'workers';

/**
 * Seconds without a heartbeat after which the daemon fails a worker's
 * runs: ample for hosts starved by a sanitizer build on a busy machine
 * (a worker beats every third of it), short enough for the test.
 */
const HEARTBEAT_TIMEOUT = 10;

/** The hidden tag a worker's claim writes (storage.h STORE_TAG_WORKER). */
const WORKER_TAG = '.dagster/worker';

/** A `dagd worker`'s first line; its name in group 1 (its incarnation id, when said, in group 2). */
const WORKER_READY = /dagd worker (\S+): instance at \S+, up to \d+ runs? at once(?:, id (\S+))?\n/;

/** What the monitor says of worker's silence (ENGINE_EVENT, then RUN_FAILURE with Dagster's wording). */
function silence(worker) {
  return `The dagd worker ${literal(worker)}#[0-9a-f]{8} has sent no heartbeat for \\d+ seconds`;
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

/**
 * Why the hosts get no namespaces here ('' when they do): unshare --pid
 * (and ip netns) need root. DAGD_E2E_WORKERS_NAMESPACES=0 asks for none,
 * to try the loopback form as root.
 */
function namespaceProblem() {
  if (process.env.DAGD_E2E_WORKERS_NAMESPACES === '0') return 'DAGD_E2E_WORKERS_NAMESPACES=0';
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

/** The environment variable marking every process of a host (inherited by its run workers and ops). */
const HOST_TAG = 'DAGD_E2E_HOST_TAG';

/** The pids of the live processes whose environment holds HOST_TAG=tag (of this test's host). */
function processesOf(tag) {
  const mark = `\0${HOST_TAG}=${tag}\0`;
  return readdirSync('/proc').filter((name) => {
    if (!/^\d+$/.test(name)) return false;
    try {
      return `\0${readFileSync(`/proc/${name}/environ`, 'latin1')}`.includes(mark);
    } catch {
      return false; // gone meanwhile, or not ours to read
    }
  });
}

/** Whether process pid exists (perhaps someone else's). */
function pidExists(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Removes the network namespaces (dagd-workers-<pid>-<i>) and veth ends
 * (dw<pid>h<i>) that a run of this test left when it was killed outright:
 * those whose pid is gone.
 */
function removeStaleNetworks() {
  const stale = (name, pattern) => {
    const m = pattern.exec(name);
    return m !== null && !pidExists(Number(m[1]));
  };
  for (const line of runSync(['ip', 'netns', 'list']).stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (stale(name, /^dagd-workers-(\d+)-\d+$/)) runSync(['ip', 'netns', 'del', name]);
  }
  for (const line of runSync(['ip', '-o', 'link', 'show']).stdout.split('\n')) {
    const name = /^\d+: ([^:@\s]+)/.exec(line)?.[1] ?? '';
    if (stale(name, /^dw(\d+)h\d+$/)) runSync(['ip', 'link', 'del', name]);
  }
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
  let closed = null;
  return {
    port: server.address().port,
    // Once closed, nothing more reaches the target (what was buffered here is dropped).
    close: () => {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
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
    removeStaleNetworks();
    const used = must(['ip', '-4', '-o', 'addr', 'show']);
    const free = [];
    for (let n = 1; n < 255; n++) if (!used.includes(` 10.77.${n}.`)) free.push(n);
    if (!free.length) throw new Error('no free 10.77.N.0/24 for the hosts');
    this.subnet = free[process.pid % free.length];
  }

  host(i) {
    const netns = `dagd-workers-${process.pid}-${i}`;
    const outside = `dw${process.pid}h${i}`;
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
 * `yaml` plus the storage at dbUrl, reached through a relay of its own
 * (on the loopback, or with networks, on its side of the veth pair of a
 * network namespace of its own) as application_name `name`. Returns {
 * name, home, address (where it may listen), prefix (argv that gives a
 * command the parent-death signal and puts it in the host's namespaces),
 * pidNamespace (whether it has one), relay, tag (its HOST_TAG) }.
 */
async function makeHost(name, i, { yaml, dbUrl, networks, pidNamespaces, teardown }) {
  const home = tempDir(teardown, `dagd-host-${name}-`);
  let address = '127.0.0.1';
  let gateway = '127.0.0.1';
  // The host dies with this process, however that ends.
  const prefix = ['setpriv', '--pdeathsig', 'KILL', '--'];
  if (networks) {
    const n = networks.host(i);
    ({ address, gateway } = n);
    prefix.push('ip', 'netns', 'exec', n.netns);
  }
  const db = new URL(dbUrl);
  const relay = await startRelay(gateway, { host: db.hostname, port: Number(db.port) });
  teardown.add(relay.close);
  db.hostname = gateway;
  db.port = String(relay.port);
  db.searchParams.set('application_name', name);
  if (pidNamespaces) prefix.push('unshare', '--pid', '--fork', '--mount-proc', '--kill-child', '--');
  writeFileSync(
    path.join(home, 'dagd.yaml'),
    `${yaml}storage:\n  postgres:\n    postgres_url: ${JSON.stringify(db.toString())}\n`,
  );
  return { name, home, address, prefix, pidNamespace: pidNamespaces, relay, tag: `${process.pid}-${name}` };
}

/**
 * makeHost for each name, each in PID and network namespaces of its own
 * when this machine allows (else all on the loopback, said through
 * diagnostic). Options: yaml, dbUrl, teardown, diagnostic.
 */
async function makeHosts(names, { diagnostic, ...options }) {
  const problem = namespaceProblem();
  let networks = null;
  if (problem) diagnostic(`no namespaces (${problem}): the hosts are process groups sharing the loopback`);
  else {
    try {
      networks = new Networks(options.teardown);
      const probe = networks.host(names.length); // namespace, pair and addresses all work here
      must(['ip', 'netns', 'exec', probe.netns, 'true']);
    } catch (err) {
      networks = null;
      diagnostic(`no network namespaces (${err.message.split('\n')[0]}): the hosts share the loopback`);
    }
  }
  const hosts = [];
  for (const [i, name] of names.entries())
    hosts.push(await makeHost(name, i, { ...options, networks, pidNamespaces: !problem }));
  return hosts;
}

/**
 * Starts `dagd ...args` on host (in its namespaces, if any, and a process
 * group of its own; DAGD_HOME its folder, DAGD_E2E_HOST its name, HOST_TAG
 * its tag) and resolves once its stderr matches ready, to { match,
 * stderr(), exited (resolves to the exit code or signal), stop(), kill()
 * }. stop() sends SIGTERM to dagd itself (in a PID namespace, the
 * namespace's first process: unshare would die of the signal and take
 * dagd down with SIGKILL) and resolves to the exit code (unshare's is
 * dagd's); kill() sends SIGKILL to the process group (unshare and dagd, so
 * the whole namespace dies at once; without one, dagd, whose run workers
 * die with it by their parent-death signal) and resolves once no process
 * of the host is left. Teardown kills it.
 */
async function startOnHost(host, args, ready, teardown) {
  const argv = [...host.prefix, DAGD, ...args];
  const proc = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, DAGD_HOME: host.home, DAGD_E2E_HOST: host.name, [HOST_TAG]: host.tag },
  });
  const follow = followStderr(proc, ready, { timeout: 15000, what: `dagd ${args[0]} on ${host.name}` });
  let dagd = proc.pid;
  const p = {
    stderr: follow.stderr,
    exited: follow.exited,
    stop() {
      process.kill(dagd, 'SIGTERM');
      return follow.exited;
    },
    async kill() {
      if (proc.pid === undefined) return; // never started
      // Until it is reaped, its pid (the group's id) is still ours.
      if (proc.exitCode === null && proc.signalCode === null) process.kill(-proc.pid, 'SIGKILL');
      await follow.exited;
      await waitFor(() => processesOf(host.tag).length === 0, { what: `every process of ${host.name} to die` });
    },
  };
  teardown.add(() => p.kill());
  p.match = await follow.ready;
  if (host.pidNamespace) {
    // dagd is the namespace's first process, unshare's only child.
    dagd = Number(readFileSync(`/proc/${proc.pid}/task/${proc.pid}/children`, 'utf8').trim());
    const ns = pidNamespace(dagd);
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

/**
 * The worker name in a claim tag's value: the tag holds the worker's
 * incarnation, "<name>#<8 hex digits>" (a bare name is taken as is).
 */
function workerName(tag) {
  const m = /^([^#]*)(#[0-9a-f]{8})?$/.exec(tag);
  assert.ok(m, `a claim tag: ${JSON.stringify(tag)}`);
  return m[1];
}

/**
 * Each run's claiming worker as the database holds it (the tag is hidden
 * from the API): Map runId → worker name, or '' when unclaimed.
 */
function claims(dbUrl) {
  const rows = queryPostgres(
    dbUrl,
    `SELECT r.run_id, coalesce(t.value, '') FROM runs r
       LEFT JOIN run_tags t ON t.run_pk = r.id AND t.key = '${WORKER_TAG}'`,
  );
  return new Map(rows.map(([runId, tag]) => [runId, workerName(tag)]));
}

/** How many connections application `name` holds to the database at dbUrl. */
function connectionsOf(dbUrl, name) {
  const rows = queryPostgres(
    dbUrl,
    `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = '${name}'`,
  );
  return Number(rows[0][0]);
}

/**
 * Kills worker host `host` (its dagd running as `proc`, startOnHost's) and
 * resolves once nothing it sent can still land: its relay closed (what
 * was buffered there is dropped) and no PostgreSQL backend serving it left
 * (each finished what it had received, a COMMIT included).
 */
async function killHost(host, proc, dbUrl) {
  await proc.kill();
  await host.relay.close();
  await waitFor(() => connectionsOf(dbUrl, host.name) === 0, {
    what: `PostgreSQL's backends serving ${host.name} to end`,
  });
}

/** Launches a run of the `marked` job whose op marks in marker after sleeping seconds; returns its id. */
function launchMarked(url, marker, seconds) {
  return launch(url, 'marked', {
    location: LOCATION,
    runConfigData: { ops: { mark: { config: { marker, seconds } } } },
  });
}

/** The runs a worker's log says it started ("dagd worker W: run ID started (pid N)"), as [runId, pid] pairs. */
function startLines(stderr) {
  return [...stderr.matchAll(/^dagd worker \S+: run ([0-9a-f-]{36}) started \(pid (\d+)\)$/gm)].map((m) => [
    m[1],
    Number(m[2]),
  ]);
}

/** The runs worker processes' logs say they started, as a Map runId → how many times. */
function startsLogged(...stderrs) {
  const counts = new Map();
  for (const text of stderrs) for (const [id] of startLines(text)) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
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
  return { dbUrl, url: web.match[1], hosts, web, daemon, w1, w2, w2Host };
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
 * Checks a run w2 lost: claimed by w2 and failed by the monitor (Dagster's
 * message and failure reason) because w2's heartbeat stopped (the engine
 * event naming the silence first), never signalled from here. When w2
 * shared this machine's PID namespace (oneMachine), the daemon may
 * instead have seen the run's worker gone: w2's child of that pid, as
 * w2's log says (w2Pids: Map runId → pid).
 */
function assertFailedWithW2(run, events, claimer, { oneMachine, w2Pids }) {
  const id = run.runId;
  assert.equal(claimer, 'w2', `${id} failed`);
  const tags = Object.fromEntries(run.tags.map((tag) => [tag.key, tag.value]));
  assert.equal(tags['dagster/failure_reason'], 'UNEXPECTED_TERMINATION', id);
  const failures = events.filter(([type]) => type === 'RUN_FAILURE').map(([, message]) => message);
  assert.equal(failures.length, 1, id);
  const failed = (health) => new RegExp(`^Detected run worker status NOT_FOUND: '${health}'\\. Marking run ${id} as failed\\.$`);
  if (oneMachine && w2Pids.has(id) && failed(`The run worker \\(pid ${w2Pids.get(id)}\\) is not running`).test(failures[0]))
    return;
  assert.match(failures[0], failed(silence('w2')));
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

// Never skipped: without PostgreSQL (outside ctest, no
// DAGD_TEST_POSTGRES_URL) it fails saying so; without root its hosts
// share the loopback.
describe('dagd worker hosts on PostgreSQL', () => {
  test('100 runs, a worker host killed mid-way: each run ends once', { timeout: 300000 }, async (t) => {
    const TOTAL = 100;
    const teardown = new Teardown();
    t.after(() => teardown.run());
    const marker = path.join(tempDir(teardown, 'dagd-workers-'), 'marks');
    const { dbUrl, url, hosts, web, daemon, w1, w2, w2Host } = await deploy(teardown, (text) => t.diagnostic(text));
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
    await killHost(w2Host, w2, dbUrl);
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
    const w2Pids = new Map(startLines(w2.stderr()));
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
        assertFailedWithW2(r, events, claimed.get(id), { oneMachine: !w2Host.pidNamespace, w2Pids });
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

    const host = { name: 'solo', home, prefix: ['setpriv', '--pdeathsig', 'KILL', '--'], tag: `${process.pid}-solo` };
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
    assert.equal(workerName(sqlite(home, `SELECT value FROM run_tags WHERE key = '${WORKER_TAG}'`)), 'solo');
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
