// lib.mjs — what the benchmark clients (bench/runs/launch.mjs,
// bench/queue/queue.mjs) share: their command line, GraphQL over keep-alive
// HTTP connections, launching a tagged batch of runs and waiting until all
// of them succeeded, and the statistics of their figures. The pure helpers
// (maxOverlap, eventTime) also serve tests/e2e/queue.test.mjs. A failure
// ends the process (exit 1) with a message on stderr, named after the
// script that called cli().
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

let scriptName = 'bench';

/** Says `message` on stderr, after the script's name, and exits 1. */
export function fail(message) {
  process.stderr.write(`${scriptName}: ${message}\n`);
  process.exit(1);
}

/**
 * The command line of `script` (the name its failures carry): opt(name,
 * fallback) is the value after the option `name`, num(name, fallback, min)
 * the same as a number, failing unless it is at least `min` (default 0).
 */
export function cli(script, args = process.argv.slice(2)) {
  scriptName = script;
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
  };
  const num = (name, fallback, min = 0) => {
    const v = Number(opt(name, String(fallback)));
    if (!Number.isFinite(v) || v < min) fail(`${name} must be a number >= ${min}`);
    return v;
  };
  return { opt, num };
}

/**
 * A GraphQL client over at most `sockets` keep-alive connections:
 * gql(url, query, variables) resolves to the answer's `data` and rejects on
 * a transport error, a status other than 200 or GraphQL errors; close()
 * ends its connections (the process does not exit while they are open).
 */
export function graphqlClient(sockets) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const gql = (url, query, variables) => {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
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
  };
  return { gql, close: () => agent.destroy() };
}

const LAUNCH = `
mutation LaunchRun($executionParams: ExecutionParams!) {
  launchRun(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on Error { message }
  }
}`;
const BATCH = `
query Batch($succeeded: RunsFilter, $failed: RunsFilter) {
  succeeded: runsOrError(filter: $succeeded) { __typename ... on Runs { count } ... on Error { message } }
  failed: runsOrError(filter: $failed) { __typename ... on Runs { count } ... on Error { message } }
}`;

/** Launches a run of the job `selector` names, with `tags`; returns its id, failing unless launched. */
export async function launchRun(gql, url, selector, tags) {
  const data = await gql(url, LAUNCH, { executionParams: { selector, executionMetadata: { tags } } });
  const r = data.launchRun;
  if (r.__typename !== 'LaunchRunSuccess') fail(`launchRun answered ${JSON.stringify(r)}`);
  return r.run.runId;
}

/**
 * Calls task() n times over `width` callers, each awaiting its call before
 * making the next (as clients on `width` connections would); resolves when
 * all are done.
 */
export async function inParallel(n, width, task) {
  let next = 0;
  const caller = async () => {
    while (next < n) {
      next++;
      await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, n) }, caller));
}

/**
 * Polls every `pollMs` until the n runs tagged `tag` ({key, value}) are
 * SUCCESS; fails when one ended FAILURE or CANCELED, or after `timeoutMs`.
 */
export async function waitForBatch(gql, url, tag, n, { timeoutMs, pollMs }) {
  const statuses = (list) => ({ tags: [tag], statuses: list });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const d = await gql(url, BATCH, {
      succeeded: statuses(['SUCCESS']),
      failed: statuses(['FAILURE', 'CANCELED']),
    });
    for (const k of ['succeeded', 'failed']) {
      if (d[k].__typename !== 'Runs') fail(`runsOrError answered ${JSON.stringify(d[k])}`);
    }
    if (d.failed.count > 0) fail(`${d.failed.count} run(s) of batch ${tag.value} did not succeed`);
    if (d.succeeded.count >= n) return;
    if (Date.now() > deadline) {
      fail(`only ${d.succeeded.count} of ${n} runs of batch ${tag.value} succeeded after ${timeoutMs} ms`);
    }
    await sleep(pollMs);
  }
}

/** Nearest-rank percentile `p` (0 to 1) of sorted numbers. */
export const pct = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
/** The numbers in ascending order (a copy). */
export const sortNum = (xs) => [...xs].sort((a, b) => a - b);
/** The median (nearest rank) of numbers in any order. */
export const median = (xs) => pct(sortNum(xs), 0.5);

/** The timestamp (ms) of the first of the events (eventType, timestamp) of type `type`, or undefined. */
export function eventTime(events, type) {
  const e = events.find((x) => x.eventType === type);
  return e ? Number(e.timestamp) : undefined;
}

/** The largest number of [start, end] intervals open at once (an end before a start at a tie). */
export function maxOverlap(intervals) {
  const points = intervals.flatMap(([s, e]) => [
    [s, 1],
    [e, -1],
  ]);
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let max = 0;
  for (const [, d] of points) {
    open += d;
    max = Math.max(max, open);
  }
  return max;
}
