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
// Rounds alternate dagd and its floor (--rounds of each kind); latency
// percentiles pool every round's samples, throughputs are the medians of
// the rounds. A run that does not end SUCCESS, or an error answer, fails
// the benchmark (exit 1). Results go to stdout as key=value lines, the
// progress to stderr.
//
// Usage: node launch.mjs --url URL [--location bench] [--repository bench]
//   [--job one_op] [--rounds 3] [--latency-runs 40] [--throughput-runs 200]
//   [--connections 8] [--poll-ms 1] [--timeout 60]
import { spawn, spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { cli, fail, graphqlClient, inParallel, launchRun, median, pct, sortNum, waitForBatch } from '../lib.mjs';

const { opt, num } = cli('launch.mjs');
const url = new URL(opt('--url', '') || fail('--url is required'));
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
async function waitRun(runId) {
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

async function latencyRound(n) {
  const client = [], server = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const runId = await launchRun(gql, url, selector, [{ key: 'bench', value: 'latency' }]);
    const run = await waitRun(runId);
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

async function throughputRound(n, round) {
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

if (latencyRuns > 0) {
  await latencyRound(2); // warm-up: the first runs load the binary and the job's snapshot
  spawnLatencyRound(10);
  const client = [], server = [], floor = [];
  for (let r = 1; r <= rounds; r++) {
    const d = await latencyRound(latencyRuns);
    const s = spawnLatencyRound(latencyRuns);
    client.push(...d.client);
    server.push(...d.server);
    floor.push(...s);
    say(`latency round ${r}/${rounds}: launch → SUCCESS p50 ${fmt(median(d.client))} ms` +
      ` (creation → end ${fmt(median(d.server))} ms); spawn ${fmt(median(s), 3)} ms`);
  }
  const [c, sv, f] = [sortNum(client), sortNum(server), sortNum(floor)];
  for (const [name, xs] of [['latency', c], ['server', sv], ['spawn', f]]) {
    for (const p of [50, 90, 99]) out[`${name}_p${p}_ms`] = fmt(pct(xs, p / 100), 3);
  }
  out.latency_samples = c.length;
  out.latency_ratio = fmt(pct(c, 0.5) / pct(f, 0.5), 1);
}

if (throughputRuns > 0) {
  const per = [], server = [], launches = [], floor = [];
  for (let r = 1; r <= rounds; r++) {
    const d = await throughputRound(throughputRuns, r);
    const s = await spawnThroughputRound(throughputRuns);
    per.push(d.perSec);
    server.push(d.serverPerSec);
    launches.push(d.launchPerSec);
    floor.push(s);
    say(`throughput round ${r}/${rounds}: ${fmt(d.perSec, 1)} runs/s` +
      ` (runs' own times ${fmt(d.serverPerSec, 1)}/s; launches ${fmt(d.launchPerSec, 1)}/s);` +
      ` spawn ${fmt(s, 0)}/s`);
  }
  out.throughput_runs_per_sec = fmt(median(per), 1);
  out.throughput_server_runs_per_sec = fmt(median(server), 1);
  out.throughput_launches_per_sec = fmt(median(launches), 1);
  out.spawn_per_sec = fmt(median(floor), 0);
  out.throughput_ratio = fmt(median(per) / median(floor), 3);
}

for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}=${v}\n`);
close();
