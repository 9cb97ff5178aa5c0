// server.mjs — starts a real `dagd webserver` (or `dagd dev`) on an
// ephemeral port for the end-to-end tests, runs other dagd commands, and
// speaks raw HTTP/1.1 where fetch hides too much (keep-alive reuse, partial
// bodies, early answers). Every dagd started here gets a temporary instance
// (DAGD_HOME) of its own, removed when it exits, unless the caller names
// one: no test writes ./.dagd and no two tests share runs. Under
// DAGD_E2E_STORAGE=postgres such an instance stores in a PostgreSQL
// database of its own (fixtures/postgres.mjs), dropped with the folder, and
// an instance the caller names must choose its storage.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { checkInstanceStorage, makeInstanceHome } from './fixtures/postgres.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The dagd binary under test: $DAGD, else build/dagd. */
export const DAGD = process.env.DAGD || path.join(root, 'build', 'dagd');

/**
 * The environment of a dagd process: this one's plus `env`, with DAGD_HOME
 * set to `home` when given, else kept as `env` sets it (even to ''), else a
 * new temporary folder (with DAGD_E2E_STORAGE=postgres, one storing in a
 * new database, unless `storage` is false: nothing will open its store).
 * Returns { env, home, cleanup() }; cleanup removes the temporary folder and
 * its database (nothing when the caller chose the home).
 */
function instanceEnv({ env = {}, home, storage = true } = {}) {
  const merged = { ...process.env, ...env };
  let own = null;
  if (home !== undefined) {
    if (storage) checkInstanceStorage(home);
    merged.DAGD_HOME = home;
  } else if (!('DAGD_HOME' in env)) {
    own = makeInstanceHome(undefined, { prefix: 'dagd-home-', database: storage });
    merged.DAGD_HOME = own.home;
  }
  const cleanup = () => {
    try {
      own?.cleanup();
    } catch (err) {
      process.stderr.write(`server.mjs: could not remove ${own.home} or its database: ${err.message}\n`);
    }
  };
  return { env: merged, home: merged.DAGD_HOME, cleanup };
}

/**
 * Follows a started process's stderr until it matches `ready` (a regular
 * expression without the g flag). Returns { stderr() (all of it so far),
 * exited (resolves to the exit code or signal once its output is read), ready (resolves to the
 * match; rejects, naming `what`, when the process cannot start, exits
 * first or takes more than timeout ms) }.
 */
export function followStderr(proc, ready, { timeout = 10000, what = 'dagd' } = {}) {
  let stderr = '';
  let settled = false;
  // 'close', not 'exit': the process is gone AND its stderr fully read, so
  // stderr() after `exited` holds its last lines.
  const exited = new Promise((resolve) => proc.on('close', (code, sig) => resolve(code ?? sig)));
  const readyPromise = new Promise((resolve, reject) => {
    const settle = (fn, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn(value);
    };
    const timer = setTimeout(
      () => settle(reject, new Error(`${what} was not ready after ${timeout} ms:\n${stderr}`)),
      timeout,
    );
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = settled ? null : ready.exec(stderr);
      if (m) settle(resolve, m);
    });
    proc.on('error', (err) => settle(reject, new Error(`${what} could not start: ${err.message}`)));
    exited.then((code) => settle(reject, new Error(`${what} exited (${code}) before it was ready:\n${stderr}`)));
  });
  return { stderr: () => stderr, exited, ready: readyPromise };
}

/**
 * Runs `dagd <command> --port 0 …args` (command: 'webserver', the default,
 * or 'dev') and resolves once it prints its URL. Options: env (extra
 * environment variables), home (the DAGD_HOME to use; by default a
 * temporary one, removed when the server exits).
 * Returns { url (…/graphql), base (http://host:port), port, home, proc, stderr(), exited,
 * stop(signal) }; stop() resolves to the exit code once the process is gone
 * and its temporary home removed.
 */
export async function startServer(args = [], { command = 'webserver', env, home } = {}) {
  const instance = instanceEnv({ env, home });
  const proc = spawn(DAGD, [command, '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: instance.env,
  });
  const follow = followStderr(proc, /listening on (http:\/\/([^/]+):(\d+)(\/\S*)?\/graphql)\n/, {
    what: `dagd ${command}`,
  });
  proc.on('error', () => instance.cleanup());
  const exited = follow.exited.then((code) => {
    instance.cleanup();
    return code;
  });
  const stop = async (signal = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    return exited;
  };
  let m;
  try {
    m = await follow.ready;
  } catch (err) {
    if (proc.pid !== undefined) await stop('SIGKILL');
    throw err;
  }
  return {
    url: m[1],
    base: `http://${m[2]}:${m[3]}`,
    port: Number(m[3]),
    home: instance.home,
    proc,
    stderr: follow.stderr,
    exited,
    stop,
  };
}

/**
 * The instance folder dagd's arguments name (--home DIR, --home=DIR), or
 * undefined.
 */
function homeArgument(args) {
  for (const [i, a] of args.entries()) {
    if (a === '--home') return args[i + 1];
    if (a.startsWith('--home=')) return a.slice('--home='.length);
  }
  return undefined;
}

/**
 * Whether dagd's arguments make it a client of a server (--url) or ask for
 * help (-h, --help): then it never opens the instance's store.
 */
function storeless(args) {
  return args.some((a) => a === '--url' || a.startsWith('--url=') || a === '-h' || a === '--help');
}

/**
 * instanceEnv for a dagd with args. No database is made for a storeless
 * one, nor for one whose instance --home names (the caller's; it is
 * checked as a given home is): cli_runs.test.mjs runs hundreds of such
 * commands, and a database costs a tenth of a second or more.
 */
function instanceFor(args, { env, home }) {
  const named = homeArgument(args);
  if (storeless(args)) return instanceEnv({ env, home, storage: false });
  if (named !== undefined) {
    checkInstanceStorage(named);
    return instanceEnv({ env, home, storage: false });
  }
  return instanceEnv({ env, home });
}

/**
 * Runs dagd with args to completion; resolves to { code, stdout, stderr }.
 * Options: env, home (as for startServer), cwd.
 */
export function runDagd(args, { env, home, cwd } = {}) {
  const instance = instanceFor(args, { env, home });
  return new Promise((resolve, reject) => {
    const proc = spawn(DAGD, args, { stdio: ['ignore', 'pipe', 'pipe'], env: instance.env, cwd });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (c) => (stdout += c));
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c) => (stderr += c));
    proc.on('error', (err) => {
      instance.cleanup();
      reject(err);
    });
    // 'close': the process is gone and its output fully read.
    proc.on('close', (code) => {
      instance.cleanup();
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * runDagd, synchronously, with optional standard input: returns
 * { code, stdout, stderr }. Options: env, home, cwd, input.
 */
export function runDagdSync(args, { env, home, cwd, input } = {}) {
  const instance = instanceFor(args, { env, home });
  try {
    const r = spawnSync(DAGD, args, { env: instance.env, cwd, input, encoding: 'utf8' });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    instance.cleanup();
  }
}

/**
 * A raw HTTP/1.1 connection: send() writes bytes, response() reads one
 * response (status, headers, body) using Content-Length, closed() resolves
 * when the server closes the socket.
 */
export class RawConnection {
  constructor(port) {
    this.socket = net.connect(port, '127.0.0.1');
    this.data = Buffer.alloc(0);
    this.waiters = [];
    this.isClosed = false;
    this.closedPromise = new Promise((resolve) => {
      this.socket.on('close', () => {
        this.isClosed = true;
        resolve();
        this.wake();
      });
    });
    this.socket.on('error', () => {});
    this.socket.on('data', (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake();
    });
  }

  wake() {
    const ws = this.waiters;
    this.waiters = [];
    ws.forEach((w) => w());
  }

  ready() {
    return new Promise((resolve) => this.socket.once('connect', resolve));
  }

  send(text) {
    this.socket.write(text);
  }

  closed() {
    return this.closedPromise;
  }

  async response() {
    for (;;) {
      const head = this.data.indexOf('\r\n\r\n');
      if (head >= 0) {
        const lines = this.data.subarray(0, head).toString('latin1').split('\r\n');
        const status = Number(lines[0].split(' ')[1]);
        const headers = {};
        for (const line of lines.slice(1)) {
          const i = line.indexOf(':');
          headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        const len = Number(headers['content-length'] ?? 0);
        if (this.data.length >= head + 4 + len) {
          const body = this.data.subarray(head + 4, head + 4 + len).toString('utf8');
          this.data = this.data.subarray(head + 4 + len);
          return { status, headers, body };
        }
      }
      if (this.isClosed) throw new Error(`connection closed; received: ${this.data}`);
      await new Promise((resolve) => this.waiters.push(resolve));
    }
  }

  close() {
    this.socket.destroy();
  }
}

/** A POST request for RawConnection.send. */
export function rawPost(path, body, headers = {}) {
  const h = { Host: 'localhost', 'Content-Type': 'application/json', ...headers };
  if (!('Content-Length' in h)) h['Content-Length'] = Buffer.byteLength(body);
  const lines = Object.entries(h).map(([k, v]) => `${k}: ${v}`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
