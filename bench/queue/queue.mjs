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
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const num = (name, fallback) => {
  const v = Number(opt(name, String(fallback)));
  if (!Number.isFinite(v) || v < 1) fail(`${name} must be a number >= 1`);
  return v;
};
function fail(message) {
  process.stderr.write(`queue.mjs: ${message}\n`);
  process.exit(1);
}

const servers = {
  queued: new URL(opt('--queued', '') || fail('--queued is required')),
  default: new URL(opt('--default', '') || fail('--default is required')),
};
const limit = num('--limit', 8);
const runs = num('--runs', 200);
const rounds = num('--rounds', 3);
const connections = num('--connections', 8);
const timeoutMs = num('--timeout', 120) * 1000;
const selector = { repositoryLocationName: 'bench', repositoryName: 'bench', jobName: 'one_op' };
const agent = new http.Agent({ keepAlive: true, maxSockets: connections + 2 });

function gql(url, query, variables) {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          const answer = JSON.parse(text);
          if (answer.errors) return reject(new Error(`errors: ${JSON.stringify(answer.errors)}`));
          resolve(answer.data);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const LAUNCH = `
mutation($p: ExecutionParams!) {
  launchRun(executionParams: $p) { __typename ... on LaunchRunSuccess { run { runId } } ... on Error { message } }
}`;
const COUNTS = `
query($ok: RunsFilter, $bad: RunsFilter) {
  ok: runsOrError(filter: $ok) { ... on Runs { count } }
  bad: runsOrError(filter: $bad) { ... on Runs { count } }
}`;
const EVENTS = `
query($id: ID!) {
  logsForRun(runId: $id) { ... on EventConnection { events { ... on MessageEvent { eventType timestamp } } } }
}`;

async function launchBatch(url, tag) {
  const ids = [];
  let next = 0;
  const launcher = async () => {
    while (next < runs) {
      next++;
      const r = (await gql(url, LAUNCH, { p: { selector, executionMetadata: { tags: [tag] } } })).launchRun;
      if (r.__typename !== 'LaunchRunSuccess') fail(`launchRun answered ${JSON.stringify(r)}`);
      ids.push(r.run.runId);
    }
  };
  await Promise.all(Array.from({ length: connections }, launcher));
  return ids;
}

async function waitBatch(url, tag) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await gql(url, COUNTS, {
      ok: { tags: [tag], statuses: ['SUCCESS'] },
      bad: { tags: [tag], statuses: ['FAILURE', 'CANCELED'] },
    });
    if (d.bad.count) fail(`${d.bad.count} run(s) of ${tag.value} did not succeed`);
    if (d.ok.count === runs) return;
    if (Date.now() > deadline) fail(`only ${d.ok.count}/${runs} runs of ${tag.value} succeeded in time`);
    await sleep(20);
  }
}

// The times (ms) of each run's events of interest.
async function runTimes(url, ids) {
  const out = [];
  for (const id of ids) {
    const evs = (await gql(url, EVENTS, { id })).logsForRun.events;
    const at = (type) => {
      const e = evs.find((x) => x.eventType === type);
      return e ? Number(e.timestamp) : undefined;
    };
    out.push({
      enqueued: at('RUN_ENQUEUED'),
      dequeued: at('RUN_DEQUEUED'),
      starting: at('RUN_STARTING'),
      success: at('RUN_SUCCESS'),
    });
  }
  return out;
}

function maxOverlap(intervals) {
  const points = intervals.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) max = Math.max(max, (open += d));
  return max;
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

const pct = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
const sortNum = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => pct(sortNum(xs), 0.5);

async function round(kind, r) {
  const url = servers[kind];
  const tag = { key: 'bench_queue', value: `${process.pid}-${kind}-${r}` };
  const ids = await launchBatch(url, tag);
  await waitBatch(url, tag);
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
agent.destroy();
