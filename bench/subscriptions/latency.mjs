// latency.mjs — delivery latency of pipelineRunLogs (scripts/bench-subscriptions.sh).
//
// Each round launches a run of `emitter` (bench/subscriptions/defs.yaml:
// an op that waits, then logs `--events` events, one every `--pause-ms`)
// and watches it with `--subscribers` subscriptions, each on a socket of
// its own, through the graphql-ws client (graphql-transport-ws). For every
// event an op logged, latency = the time the subscriber received it −
// the event's timestamp (written by the run worker when it stored the
// event; same machine, same clock; the timestamp is whole milliseconds,
// truncated, so figures read up to 1 ms high). Events a subscriber got as
// past events (before its first message) are not counted. Each subscriber
// must get every event exactly once, in order, or the benchmark fails.
//
// With --slow, a run is watched by one socket that subscribes and then
// stops reading (its TCP buffers fill, dagd's queue for it grows): the
// run's own duration (RUN_START → RUN_SUCCESS) is compared with that of a
// run nobody watches, to show that a slow subscriber does not slow a run.
// With --pid, dagd's CPU time (/proc/<pid>/stat) over a round is reported
// per delivered event (clock ticks of 10 ms: meaningful for many
// subscribers only).
//
// Prints key=value lines: for each subscriber count S, sS_p50_ms sS_p90_ms
// sS_p99_ms sS_max_ms sS_samples sS_cpu_us_per_event, and run_alone_ms,
// run_watched_ms.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    events: { type: 'string', default: '200' },
    'pause-ms': { type: 'string', default: '10' },
    subscribers: { type: 'string', default: '1,100' },
    rounds: { type: 'string', default: '3' },
    slow: { type: 'boolean', default: false },
    pid: { type: 'string' },
  },
});
const url = opt.url;
const wsUrl = url.replace('http:', 'ws:');
const nEvents = Number(opt.events);
const pauseMs = Number(opt['pause-ms']);
const counts = opt.subscribers.split(',').map(Number);
const rounds = Number(opt.rounds);

const RUN_LOGS = `subscription($runId: ID!) { pipelineRunLogs(runId: $runId) {
  __typename ... on PipelineRunLogsSubscriptionSuccess { messages { ... on MessageEvent { message timestamp eventType } } }
} }`;
const ENDINGS = ['RUN_SUCCESS', 'RUN_FAILURE', 'RUN_CANCELED'];

async function gql(query, variables) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const json = await res.json();
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return json.data;
}

async function launch() {
  const data = await gql(
    `mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
       __typename ... on LaunchRunSuccess { run { runId } } ... on Error { message } } }`,
    {
      p: {
        selector: { repositoryLocationName: 'bench_subscriptions', repositoryName: 'bench_subscriptions', jobName: 'emitter' },
        runConfigData: { ops: { emit_events: { config: { count: nEvents, pause_ms: pauseMs, delay_ms: 1000 } } } },
      },
    },
  );
  if (data.launchRun.__typename !== 'LaunchRunSuccess') throw new Error(JSON.stringify(data.launchRun));
  return data.launchRun.run.runId;
}

/** RUN_START → run end of a finished run, in ms, from its stored events. */
async function runDuration(runId) {
  for (;;) {
    const data = await gql(
      `query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection { events { ... on MessageEvent { timestamp eventType } } } } }`,
      { id: runId },
    );
    const evs = data.logsForRun.events;
    const end = evs.find((e) => ENDINGS.includes(e.eventType));
    if (end) {
      if (end.eventType !== 'RUN_SUCCESS') throw new Error(`run ${runId} ended ${end.eventType}`);
      return Number(end.timestamp) - Number(evs.find((e) => e.eventType === 'RUN_START').timestamp);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One subscriber: resolves to its latencies once the run ended. */
function subscriber(runId) {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  const latencies = [];
  let readyAt = null;
  let next = 0;
  return new Promise((resolve, reject) => {
    const stop = client.subscribe(
      { query: RUN_LOGS, variables: { runId } },
      {
        next: (r) => {
          const now = Date.now();
          readyAt ??= now;
          const p = r.data?.pipelineRunLogs;
          if (p?.__typename !== 'PipelineRunLogsSubscriptionSuccess') return reject(new Error(JSON.stringify(r)));
          for (const m of p.messages) {
            if (/^e\d+$/.test(m.message)) {
              if (m.message !== `e${next}`) return reject(new Error(`got ${m.message} where e${next} was due`));
              next++;
              const t = Number(m.timestamp);
              if (t >= readyAt) latencies.push(now - t);
            }
            if (ENDINGS.includes(m.eventType)) {
              stop();
              client.dispose();
              if (next !== nEvents) return reject(new Error(`${next} of ${nEvents} events`));
              return resolve(latencies);
            }
          }
        },
        error: reject,
        complete: () => reject(new Error('completed before the run ended')),
      },
    );
  });
}

/** A socket that subscribes, then stops reading. */
async function slowSubscriber(runId) {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise((resolve) => ws.once('message', resolve));
  ws.send(JSON.stringify({ id: 'slow', type: 'subscribe', payload: { query: RUN_LOGS, variables: { runId } } }));
  await new Promise((resolve) => ws.once('message', resolve));
  ws._socket.pause();
  return ws;
}

function cpuTicks() {
  if (!opt.pid) return 0;
  const stat = readFileSync(`/proc/${opt.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in clock ticks (100 a second)
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const out = {};
const alone = [];
const watched = [];
for (let round = 1; round <= rounds; round++) {
  // A run nobody watches, for its own duration.
  alone.push(await runDuration(await launch()));
  // A run watched only by a subscriber that stopped reading.
  if (opt.slow) {
    const runId = await launch();
    const slow = await slowSubscriber(runId);
    watched.push(await runDuration(runId));
    slow.terminate();
  }
  for (const n of counts) {
    const runId = await launch();
    const ticks = cpuTicks();
    const lists = await Promise.all(Array.from({ length: n }, () => subscriber(runId)));
    const cpuMs = (cpuTicks() - ticks) * 10;
    const all = lists.flat();
    (out[n] ??= { samples: [], cpu: [] }).samples.push(...all);
    // Every subscriber received the run's events plus the run's own (about 10).
    out[n].cpu.push((cpuMs * 1000) / (n * (nEvents + 10)));
    const sorted = [...all].sort((a, b) => a - b);
    process.stderr.write(
      `bench-subscriptions: round ${round}/${rounds}, ${n} subscriber(s): p50 ${pct(sorted, 50)} ms, ` +
        `p99 ${pct(sorted, 99)} ms, max ${sorted.at(-1)} ms over ${all.length} deliveries\n`,
    );
  }
}
for (const n of counts) {
  const sorted = out[n].samples.sort((a, b) => a - b);
  console.log(`s${n}_p50_ms=${pct(sorted, 50)}`);
  console.log(`s${n}_p90_ms=${pct(sorted, 90)}`);
  console.log(`s${n}_p99_ms=${pct(sorted, 99)}`);
  console.log(`s${n}_max_ms=${sorted.at(-1)}`);
  console.log(`s${n}_samples=${sorted.length}`);
  console.log(`s${n}_cpu_us_per_event=${median(out[n].cpu).toFixed(1)}`);
}
console.log(`run_alone_ms=${median(alone)}`);
if (watched.length) console.log(`run_watched_ms=${median(watched)}`);
