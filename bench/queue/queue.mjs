// queue.mjs — the queue benchmark of scripts/bench-queue.sh: batches of runs
// launched at once against two `dagd dev` serving bench/runs/workspace.yaml
// (the one-op job whose op is /bin/true), one with the QueuedRunCoordinator
// (max_concurrent_runs 8) and one with the default coordinator, in
// alternating rounds.
//
// Each round launches --runs runs at once over --connections keep-alive
// connections (a tag marks the batch), polls until all are SUCCESS, then
// reads every run's events:
// - throughput: runs per second from the batch's first RUN_ENQUEUED (the
//   default coordinator: first RUN_STARTING) to its last RUN_SUCCESS, the
//   servers' own times;
// - concurrency: the most runs between RUN_DEQUEUED (RUN_STARTING) and
//   RUN_SUCCESS at once, which must stay within the limit when queued;
// - handover: for each run dequeued once the first slots were taken, the
//   time from the RUN_SUCCESS that freed its slot (the latest before it)
//   to its RUN_DEQUEUED, how long a free slot stays empty.
// Throughputs are medians of the rounds, handover percentiles pool every
// round. A run that does not end SUCCESS, a limit exceeded or an error
// answer fails the benchmark (exit 1). Results go to stdout as key=value
// lines, the progress to stderr.
//
// Usage: node queue.mjs --queued URL --default URL [--limit 8] [--runs 200]
//   [--rounds 3] [--connections 8] [--timeout 120]
import {
  cli,
  eventTime,
  fail,
  graphqlClient,
  inParallel,
  launchRun,
  maxOverlap,
  median,
  pct,
  sortNum,
  waitForBatch,
} from '../lib.mjs';

const { opt, num } = cli('queue.mjs');
const servers = {
  queued: new URL(opt('--queued', '') || fail('--queued is required')),
  default: new URL(opt('--default', '') || fail('--default is required')),
};
const limit = num('--limit', 8, 1);
const runs = num('--runs', 200, 1);
const rounds = num('--rounds', 3, 1);
const connections = num('--connections', 8, 1);
const timeoutMs = num('--timeout', 120, 1) * 1000;
const selector = { repositoryLocationName: 'bench', repositoryName: 'bench', jobName: 'one_op' };
const { gql, close } = graphqlClient(connections + 2);

const EVENTS = `
query($id: ID!) {
  logsForRun(runId: $id) { ... on EventConnection { events { ... on MessageEvent { eventType timestamp } } } }
}`;

async function launchBatch(url, tag) {
  const ids = [];
  await inParallel(runs, connections, async () => ids.push(await launchRun(gql, url, selector, [tag])));
  return ids;
}

// The times (ms) of each run's events of interest.
async function runTimes(url, ids) {
  const out = [];
  for (const id of ids) {
    const evs = (await gql(url, EVENTS, { id })).logsForRun.events;
    const at = (type) => eventTime(evs, type);
    out.push({
      enqueued: at('RUN_ENQUEUED'),
      dequeued: at('RUN_DEQUEUED'),
      starting: at('RUN_STARTING'),
      success: at('RUN_SUCCESS'),
    });
  }
  return out;
}

// How long each freed slot stayed empty: for the runs dequeued after the
// first `limit`, their RUN_DEQUEUED minus the latest RUN_SUCCESS before it.
function handovers(times) {
  const successes = times.map((t) => t.success).sort((a, b) => a - b);
  const dequeues = times.map((t) => t.dequeued).sort((a, b) => a - b);
  const gaps = [];
  for (const d of dequeues.slice(limit)) {
    let latest;
    for (const s of successes) if (s <= d) latest = s;
    if (latest !== undefined) gaps.push(d - latest);
  }
  return gaps;
}

async function round(kind, r) {
  const url = servers[kind];
  const tag = { key: 'bench_queue', value: `${process.pid}-${kind}-${r}` };
  const ids = await launchBatch(url, tag);
  await waitForBatch(gql, url, tag, runs, { timeoutMs, pollMs: 20 });
  const times = await runTimes(url, ids);
  const start = (t) => (kind === 'queued' ? t.enqueued : t.starting);
  const inProgressFrom = (t) => (kind === 'queued' ? t.dequeued : t.starting);
  for (const t of times) if ([start(t), inProgressFrom(t), t.success].includes(undefined)) fail(`a run lacks events: ${JSON.stringify(t)}`);
  const first = Math.min(...times.map(start));
  const last = Math.max(...times.map((t) => t.success));
  const perSec = runs / ((last - first) / 1000);
  const overlap = maxOverlap(times.map((t) => [inProgressFrom(t), t.success]));
  if (kind === 'queued' && overlap > limit) fail(`${overlap} runs in progress at once, over the limit ${limit}`);
  const lastStart = Math.max(...times.map(start));
  const runMs = median(times.map((t) => t.success - inProgressFrom(t)));
  process.stderr.write(
    `queue.mjs: ${kind} round ${r}: ${perSec.toFixed(1)} runs/s, at most ${overlap} at once;` +
      ` submissions over ${lastStart - first} ms, a run takes ${runMs} ms (median)\n`,
  );
  return { perSec, overlap, gaps: kind === 'queued' ? handovers(times) : [] };
}

const results = { queued: [], default: [] };
// One warm-up batch each, not counted.
for (const kind of ['queued', 'default']) await round(kind, 'warmup');
for (let r = 1; r <= rounds; r++)
  for (const kind of ['queued', 'default']) results[kind].push(await round(kind, r));

const q = median(results.queued.map((x) => x.perSec));
const d = median(results.default.map((x) => x.perSec));
const gaps = sortNum(results.queued.flatMap((x) => x.gaps));
const out = {
  queued_runs_per_sec: q.toFixed(1),
  default_runs_per_sec: d.toFixed(1),
  ratio: (q / d).toFixed(2),
  queued_max_in_progress: Math.max(...results.queued.map((x) => x.overlap)),
  default_max_in_progress: Math.max(...results.default.map((x) => x.overlap)),
  handover_p50_ms: pct(gaps, 0.5).toFixed(1),
  handover_p90_ms: pct(gaps, 0.9).toFixed(1),
  handover_p99_ms: pct(gaps, 0.99).toFixed(1),
};
for (const [k, v] of Object.entries(out)) process.stdout.write(`${k}=${v}\n`);
close();
