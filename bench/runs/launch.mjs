// launch.mjs — the launch benchmarks of scripts/bench-runs.sh, against a
// running dagd that serves bench/runs/workspace.yaml (the one-op job whose
// op is /bin/true), each next to its floor measured in the same run from
// this same process: raw process spawns of /bin/true.
//
// - latency: runs launched one after another (launchRun over HTTP), each
//   polled with runOrError every --poll-ms until it is finished; the time
//   from sending launchRun to seeing SUCCESS, and the run's own
//   creationTime → endTime. Floor: as many sequential
//   child_process.spawnSync('/bin/true').
// - throughput: --throughput-runs runs launched at once over --connections
//   keep-alive connections (each connection launching one run after the
//   other), then polled (a tag marks the batch; runsOrError counts) until
//   all are finished; runs per second from the first launch to the last
//   SUCCESS seen, and from the runs' own first creationTime to last
//   endTime. Floor: as many spawns of /bin/true, --connections at a time.
//
// --compare NAME=URL adds a second dagd serving the same workspace (e.g.
// one on PostgreSQL beside one on SQLite): each round then measures both,
// the one that goes first alternating from round to round so neither
// always runs right after the floor, and its figures come out again with
// the prefix NAME_ (postgres_latency_p50_ms, …).
//
// Rounds alternate dagd and its floor (--rounds of each kind); latency
// percentiles pool every round's samples, throughputs are the medians of
// the rounds. A run that does not end SUCCESS, or an error answer, fails
// the benchmark (exit 1). Results go to stdout as key=value lines, the
// progress to stderr.
//
// Usage: node launch.mjs --url URL [--compare NAME=URL] [--location bench]
//   [--repository bench] [--job one_op] [--rounds 3] [--latency-runs 40]
//   [--throughput-runs 200] [--connections 8] [--poll-ms 1] [--timeout 60]
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { cli, fail, graphqlClient, inParallel, launchRun, median, pct, sortNum, waitForBatch } from '../lib.mjs';

const { opt, num } = cli('launch.mjs');
// The servers measured: the main one (its keys unprefixed), then --compare's.
const targets = [{ name: '', label: 'dagd', url: new URL(opt('--url', '') || fail('--url is required')) }];
const compare = opt('--compare', '');
if (compare) {
  const m = /^([a-z][a-z0-9]*)=(.+)$/.exec(compare);
  if (!m) fail('--compare takes NAME=URL (NAME in lower-case letters and digits)');
  targets.push({ name: `${m[1]}_`, label: m[1], url: new URL(m[2]) });
}
const selector = {
  repositoryLocationName: opt('--location', 'bench'),
  repositoryName: opt('--repository', 'bench'),
  jobName: opt('--job', 'one_op'),
};
const rounds = num('--rounds', 3);
const latencyRuns = num('--latency-runs', 40);
const throughputRuns = num('--throughput-runs', 200);
const connections = Math.max(1, num('--connections', 8));
const pollMs = num('--poll-ms', 1);
const timeoutMs = num('--timeout', 60) * 1000;
const floorCommand = '/bin/true';

const { gql, close } = graphqlClient(connections);

const runQuery = `
query RunStatus($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status creationTime startTime endTime }
    ... on Error { message }
  }
}`;
const batchRunsQuery = `
query BatchRuns($filter: RunsFilter, $limit: Int) {
  runsOrError(filter: $filter, limit: $limit) {
    __typename
    ... on Runs { results { runId status creationTime startTime endTime } }
    ... on Error { message }
  }
}`;

const finished = new Set(['SUCCESS', 'FAILURE', 'CANCELED']);

// Polls the run until it is finished; returns the Run's fields.
async function waitRun(url, runId) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = (await gql(url, runQuery, { runId })).runOrError;
    if (r.__typename !== 'Run') fail(`runOrError(${runId}) answered ${JSON.stringify(r)}`);
    if (finished.has(r.status)) {
      if (r.status !== 'SUCCESS') fail(`run ${runId} ended ${r.status}`);
      return r;
    }
    if (performance.now() > deadline) fail(`run ${runId} still ${r.status} after ${timeoutMs} ms`);
    if (pollMs > 0) await sleep(pollMs);
  }
}

const fmt = (x, digits = 2) => x.toFixed(digits);

async function latencyRound(url, n) {
  const client = [], server = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const runId = await launchRun(gql, url, selector, [{ key: 'bench', value: 'latency' }]);
    const run = await waitRun(url, runId);
    client.push(performance.now() - t0);
    server.push((run.endTime - run.creationTime) * 1000);
  }
  return { client, server };
}

function spawnLatencyRound(n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = spawnSync(floorCommand);
    times.push(performance.now() - t0);
    if (r.status !== 0) fail(`${floorCommand} exited with ${r.status}`);
  }
  return times;
}

async function throughputRound(url, n, round) {
  const tag = { key: 'bench_batch', value: `${process.pid}-${round}-${Date.now()}` };
  const t0 = performance.now();
  await inParallel(n, connections, () => launchRun(gql, url, selector, [tag]));
  const launched = performance.now() - t0;
  await waitForBatch(gql, url, tag, n, { timeoutMs, pollMs: Math.max(pollMs, 5) });
  const seconds = (performance.now() - t0) / 1000;
  const runs = (await gql(url, batchRunsQuery, { filter: { tags: [tag] }, limit: n })).runsOrError;
  if (runs.__typename !== 'Runs' || runs.results.length !== n) {
    fail(`batch ${tag.value}: ${JSON.stringify(runs).slice(0, 300)}`);
  }
  const first = Math.min(...runs.results.map((r) => r.creationTime));
  const last = Math.max(...runs.results.map((r) => r.endTime));
  return {
    perSec: n / seconds,
    serverPerSec: n / (last - first),
    launchPerSec: n / (launched / 1000),
  };
}

function spawnThroughputRound(n) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let started = 0, done = 0;
    const startOne = () => {
      started++;
      const child = spawn(floorCommand, { stdio: 'ignore' });
      child.on('exit', (code) => {
        if (code !== 0) fail(`${floorCommand} exited with ${code}`);
        if (++done === n) resolve(n / ((performance.now() - t0) / 1000));
        else if (started < n) startOne();
      });
    };
    for (let i = 0; i < Math.min(connections, n); i++) startOne();
  });
}

const say = (line) => process.stderr.write(`bench-runs: ${line}\n`);
const out = {};
// The targets in round r's order: the first one goes first in odd rounds.
const inOrder = (r) => (r % 2 ? targets : [...targets].reverse());
// Per target name: its samples (latency) or per-round figures (throughput).
const perTarget = (make) => Object.fromEntries(targets.map((t) => [t.name, make()]));

if (latencyRuns > 0) {
  // warm-up: the first runs load the binary and the job's snapshot
  for (const t of targets) await latencyRound(t.url, 2);
  spawnLatencyRound(10);
  const samples = perTarget(() => ({ client: [], server: [] }));
  const floor = [];
  for (let r = 1; r <= rounds; r++) {
    let line = `latency round ${r}/${rounds}:`;
    for (const t of inOrder(r)) {
      const d = await latencyRound(t.url, latencyRuns);
      samples[t.name].client.push(...d.client);
      samples[t.name].server.push(...d.server);
      line += ` ${t.label} launch → SUCCESS p50 ${fmt(median(d.client))} ms` +
        ` (creation → end ${fmt(median(d.server))} ms);`;
    }
    const s = spawnLatencyRound(latencyRuns);
    floor.push(...s);
    say(`${line} spawn ${fmt(median(s), 3)} ms`);
  }
  const f = sortNum(floor);
  for (const p of [50, 90, 99]) out[`spawn_p${p}_ms`] = fmt(pct(f, p / 100), 3);
  for (const t of targets) {
    const [c, sv] = [sortNum(samples[t.name].client), sortNum(samples[t.name].server)];
    for (const [name, xs] of [['latency', c], ['server', sv]]) {
      for (const p of [50, 90, 99]) out[`${t.name}${name}_p${p}_ms`] = fmt(pct(xs, p / 100), 3);
    }
    out[`${t.name}latency_samples`] = c.length;
    out[`${t.name}latency_ratio`] = fmt(pct(c, 0.5) / pct(f, 0.5), 1);
  }
}

if (throughputRuns > 0) {
  const figures = perTarget(() => ({ per: [], server: [], launches: [] }));
  const floor = [];
  for (let r = 1; r <= rounds; r++) {
    let line = `throughput round ${r}/${rounds}:`;
    for (const t of inOrder(r)) {
      const d = await throughputRound(t.url, throughputRuns, r);
      figures[t.name].per.push(d.perSec);
      figures[t.name].server.push(d.serverPerSec);
      figures[t.name].launches.push(d.launchPerSec);
      line += ` ${t.label} ${fmt(d.perSec, 1)} runs/s` +
        ` (runs' own times ${fmt(d.serverPerSec, 1)}/s; launches ${fmt(d.launchPerSec, 1)}/s);`;
    }
    const s = await spawnThroughputRound(throughputRuns);
    floor.push(s);
    say(`${line} spawn ${fmt(s, 0)}/s`);
  }
  out.spawn_per_sec = fmt(median(floor), 0);
  for (const t of targets) {
    const fig = figures[t.name];
    out[`${t.name}throughput_runs_per_sec`] = fmt(median(fig.per), 1);
    out[`${t.name}throughput_server_runs_per_sec`] = fmt(median(fig.server), 1);
    out[`${t.name}throughput_launches_per_sec`] = fmt(median(fig.launches), 1);
    out[`${t.name}throughput_ratio`] = fmt(median(fig.per) / median(floor), 3);
  }
}

for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}=${v}\n`);
close();
