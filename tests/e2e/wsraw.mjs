// wsraw.mjs — a WebSocket client on node:net for the end-to-end tests, where
// a library would hide (or refuse to send) what is tested: the handshake
// bytes, unmasked or oversized frames, reserved bits, broken UTF-8,
// fragments with control frames in between, 64-bit lengths.
import crypto from 'node:crypto';
import net from 'node:net';

export const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 };

/** Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
export function acceptFor(key) {
  return crypto
    .createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
}

/**
 * Encodes one client frame. Options: fin (true), mask (true), rsv (0..7,
 * the three reserved bits), maskKey (4 bytes).
 */
export function encodeFrame(opcode, payload = Buffer.alloc(0), opts = {}) {
  const { fin = true, mask = true, rsv = 0 } = opts;
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const len = data.length;
  const head = [((fin ? 0x80 : 0) | (rsv << 4) | opcode) & 0xff];
  let ext = Buffer.alloc(0);
  if (len < 126) {
    head.push((mask ? 0x80 : 0) | len);
  } else if (len < 65536) {
    head.push((mask ? 0x80 : 0) | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  } else {
    head.push((mask ? 0x80 : 0) | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, data]);
  const key = opts.maskKey ?? crypto.randomBytes(4);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i] ^ key[i % 4];
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

/** A close frame's payload: the code, then the reason. */
export function closePayload(code, reason = '') {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

/**
 * One connection. RawWebSocket.open() performs the handshake and resolves
 * to { status, headers, ws } (ws null unless the status is 101).
 */
export class RawWebSocket {
  constructor(socket, rest) {
    this.socket = socket;
    this.data = rest;
    this.waiters = [];
    this.ended = false;
    socket.on('data', (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  /**
   * Opens a connection and sends the upgrade request. Options: path
   * ('/graphql'), protocols (an array: one Sec-WebSocket-Protocol header
   * with the names joined by ', '; or an array of arrays: one header each),
   * key, version ('13'), method ('GET'), extraHeaders ({}), omit (header
   * names to leave out), after (bytes sent right behind the request).
   */
  static async open(port, opts = {}) {
    const key = opts.key ?? crypto.randomBytes(16).toString('base64');
    const headers = [
      ['Host', `127.0.0.1:${port}`],
      ['Upgrade', 'websocket'],
      ['Connection', 'Upgrade'],
      ['Sec-WebSocket-Key', key],
      ['Sec-WebSocket-Version', opts.version ?? '13'],
    ];
    const protos = opts.protocols ?? [];
    if (protos.length && Array.isArray(protos[0])) {
      for (const group of protos) headers.push(['Sec-WebSocket-Protocol', group.join(', ')]);
    } else if (protos.length) {
      headers.push(['Sec-WebSocket-Protocol', protos.join(', ')]);
    }
    for (const [k, v] of Object.entries(opts.extraHeaders ?? {})) headers.push([k, v]);
    const omit = new Set((opts.omit ?? []).map((h) => h.toLowerCase()));
    const lines = headers.filter(([k]) => !omit.has(k.toLowerCase())).map(([k, v]) => `${k}: ${v}`);
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const request = `${opts.method ?? 'GET'} ${opts.path ?? '/graphql'} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
    socket.write(opts.after ? Buffer.concat([Buffer.from(request), opts.after]) : request);

    let buf = Buffer.alloc(0);
    let closed = false;
    const onData = (c) => (buf = Buffer.concat([buf, c]));
    socket.on('data', onData);
    socket.once('close', () => (closed = true));
    for (;;) {
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        const lines2 = buf.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(lines2[0].split(' ')[1]);
        const hs = {};
        for (const line of lines2.slice(1)) {
          const i = line.indexOf(':');
          hs[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
        }
        socket.off('data', onData);
        const rest = buf.subarray(end + 4);
        if (status !== 101) {
          const len = Number(hs['content-length'] ?? 0);
          while (buf.length < end + 4 + len && !closed) await new Promise((r) => setTimeout(r, 5));
          socket.destroy();
          return { status, headers: hs, body: buf.subarray(end + 4, end + 4 + len).toString(), key };
        }
        return { status, headers: hs, key, ws: new RawWebSocket(socket, rest) };
      }
      if (closed) throw new Error(`connection closed during the handshake: ${buf}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  wake() {
    const ws = this.waiters;
    this.waiters = [];
    ws.forEach((w) => w());
  }

  send(bytes) {
    this.socket.write(bytes);
  }

  sendFrame(opcode, payload, opts) {
    this.send(encodeFrame(opcode, payload, opts));
  }

  sendText(text) {
    this.sendFrame(OP.TEXT, Buffer.from(text));
  }

  sendJson(obj) {
    this.sendText(JSON.stringify(obj));
  }

  /** The next frame from the server: { fin, rsv, opcode, masked, payload }; null at end of stream. */
  async frame(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.parse();
      if (f) return f;
      if (this.ended) return null;
      if (Date.now() > deadline) throw new Error('timed out waiting for a frame');
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  parse() {
    const d = this.data;
    if (d.length < 2) return null;
    let len = d[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (d.length < 4) return null;
      len = d.readUInt16BE(2);
      off = 4;
    } else if (len === 127) {
      if (d.length < 10) return null;
      len = Number(d.readBigUInt64BE(2));
      off = 10;
    }
    const masked = (d[1] & 0x80) !== 0;
    if (masked) off += 4;
    if (d.length < off + len) return null;
    const f = {
      fin: (d[0] & 0x80) !== 0,
      rsv: (d[0] >> 4) & 7,
      opcode: d[0] & 0x0f,
      masked,
      payload: Buffer.from(d.subarray(off, off + len)),
    };
    this.data = d.subarray(off + len);
    return f;
  }

  /** The next text message as parsed JSON (pings and pongs are skipped). */
  async json(timeoutMs) {
    for (;;) {
      const f = await this.frame(timeoutMs);
      if (!f) throw new Error('the server closed the connection');
      if (f.opcode === OP.PING || f.opcode === OP.PONG) continue;
      if (f.opcode === OP.CLOSE) throw new Error(`closed: ${JSON.stringify(decodeClose(f))}`);
      return JSON.parse(f.payload.toString('utf8'));
    }
  }

  /** Waits for the server's close frame (skipping other frames): { code, reason }. */
  async closeFrame(timeoutMs) {
    for (;;) {
      const f = await this.frame(timeoutMs);
      if (!f) throw new Error('end of stream without a close frame');
      if (f.opcode === OP.CLOSE) return decodeClose(f);
    }
  }

  /** Resolves once the server closed the TCP connection. */
  async waitEnd(timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the server kept the connection open');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close() {
    this.socket.destroy();
  }
}

export function decodeClose(f) {
  if (f.payload.length < 2) return { code: 1005, reason: '' };
  return { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString('utf8') };
}
