// server.mjs — starts a real `dagd webserver` on an ephemeral port for the
// end-to-end tests, and speaks raw HTTP/1.1 where fetch hides too much
// (keep-alive reuse, partial bodies, early answers).
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The dagd binary under test: $DAGD, else build/dagd. */
export const DAGD = process.env.DAGD || path.join(root, 'build', 'dagd');

/**
 * Runs `dagd webserver --port 0 …args` and resolves once it prints its URL.
 * Returns { url (…/graphql), base (http://host:port), port, proc, stderr(), stop(signal) };
 * stop() resolves to the exit code.
 */
export function startServer(args = []) {
  const proc = spawn(DAGD, ['webserver', '--port', '0', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dagd did not start:\n${stderr}`)), 10000);
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      stderr += chunk;
      const m = /listening on (http:\/\/([^/]+):(\d+)(\/\S*)?\/graphql)\n/.exec(stderr);
      if (m && timer) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          base: `http://${m[2]}:${m[3]}`,
          port: Number(m[3]),
          proc,
          stderr: () => stderr,
          exited,
          stop: async (signal = 'SIGTERM') => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            return exited;
          },
        });
      }
    });
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dagd exited (${code}) before listening:\n${stderr}`));
    });
  });
}

/** Runs dagd with args to completion; resolves to { code, stderr }. */
export function runDagd(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(DAGD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c) => (stderr += c));
    proc.on('error', reject);
    proc.on('exit', (code) => resolve({ code, stderr }));
  });
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
