/**
 * range-reader.ts against a scripted HTTP server on loopback (raw sockets, so replies can be cut
 * and framed any way a real server or a proxy might): the body lands in the caller's buffer
 * whatever the read boundaries, sockets are kept and reused, a kept socket the server closed is
 * replaced without a failure, and every failure is the classified error the download retries or
 * reports. The emulator-backed suites (faults.test.ts) run the same code through whole downloads.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readRange } from '../../../src/backends/mega/range-reader.js';
import { MegamirrorError } from '../../../src/errors.js';

type Script = (socket: net.Socket, request: string, n: number) => void;

interface Server {
  url: string;
  connections: () => number;
  requests: string[];
  close: () => Promise<void>;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A server that hands every complete request (up to the blank line) to `script`. */
async function serve(script: Script): Promise<Server> {
  let connections = 0;
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        const request = pending.slice(0, end);
        pending = pending.slice(end + 4);
        requests.push(request);
        script(socket, request, requests.length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const s: Server = {
    url: `http://127.0.0.1:${port}/dl/token`,
    connections: () => connections,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const k of sockets) k.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

/** The bytes a request's range asks for, out of `file`. */
function rangeOf(file: Buffer, request: string): Buffer {
  const m = /^GET \/dl\/token\/(\d+)-(\d+) HTTP\/1\.1/.exec(request)!;
  return file.subarray(Number(m[1]), Number(m[2]) + 1);
}

const head = (length: number, extra = '') => Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${length}\r\n${extra}\r\n`, 'latin1');
const signal = () => new AbortController().signal;
const request = (o: { timeoutMs?: number; signal?: AbortSignal } = {}) => ({ op: 'download' as const, where: 'big.bin', signal: o.signal ?? signal(), timeoutMs: o.timeoutMs ?? 5000 });

/** Writes `data` in pieces of `size` bytes, one per turn of the event loop. */
async function dribble(socket: net.Socket, data: Buffer, size: number): Promise<void> {
  for (let p = 0; p < data.length; p += size) {
    socket.write(data.subarray(p, p + size));
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('readRange', () => {
  const file = randomBytes(3 * 1048576 + 17);

  it('puts the body in the buffer, headers and body split anywhere, body bytes in the headers\' packet', async () => {
    const s = await serve((socket, req, n) => {
      const body = rangeOf(file, req);
      const whole = Buffer.concat([head(body.length), body]);
      // 1: all at once; 2: byte by byte through the headers, then odd pieces; 3: headers and
      // the first 1000 body bytes in one write.
      if (n === 1) socket.write(whole);
      else if (n === 2) void dribble(socket, whole.subarray(0, head(body.length).length + 3), 1).then(() => dribble(socket, whole.subarray(head(body.length).length + 3), 7777));
      else void dribble(socket, whole, head(body.length).length + 1000);
    });
    for (const [start, end] of [[0, 1048576], [1048576, 3 * 1048576], [3 * 1048576, file.length]] as const) {
      const into = Buffer.alloc(2 * 1048576 + 5);
      let progress = 0;
      expect(await readRange(s.url, start, end, into, request(), () => progress++)).toBe('done');
      expect(into.subarray(0, end - start).equals(file.subarray(start, end))).toBe(true);
      expect(progress).toBeGreaterThan(0);
    }
    // One connection, kept alive and reused for all three.
    expect(s.connections()).toBe(1);
    expect(s.requests[0]).toMatch(/^GET \/dl\/token\/0-1048575 HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
  });

  it('replaces a kept socket the server closed, without a failure, whether it saw the close or not', async () => {
    // Request 2 meets a kept socket that the server drops as the request arrives (the client
    // could not know); request 4 one the server had closed after its reply (the client saw it).
    const s = await serve((socket, req, n) => {
      if (n === 2) return void socket.destroy();
      const body = rangeOf(file, req);
      const reply = Buffer.concat([head(body.length), body]);
      if (n === 3) socket.end(reply);
      else socket.write(reply);
    });
    const into = Buffer.alloc(1048576);
    expect(await readRange(s.url, 0, 4096, into, request(), () => undefined)).toBe('done');
    expect(await readRange(s.url, 4096, 8192, into, request(), () => undefined)).toBe('done');
    expect(into.subarray(0, 4096).equals(file.subarray(4096, 8192))).toBe(true);
    expect(s.connections()).toBe(2);
    expect(await readRange(s.url, 0, 4096, into, request(), () => undefined)).toBe('done');
    await new Promise((r) => setTimeout(r, 50));
    expect(await readRange(s.url, 8192, 9000, into, request(), () => undefined)).toBe('done');
    expect(into.subarray(0, 808).equals(file.subarray(8192, 9000))).toBe(true);
    expect(s.connections()).toBe(3);
  });

  it('does not retry a fresh socket that fails: the caller\'s retries decide', async () => {
    const s = await serve((socket) => socket.destroy());
    const into = Buffer.alloc(8192);
    const e = await readRange(s.url, 0, 8192, into, request(), () => undefined).catch((err: unknown) => err);
    expect((e as MegamirrorError).code).toBe('transient');
    expect(s.connections()).toBe(1);
  });

  it('does not keep a socket whose reply said Connection: close', async () => {
    const s = await serve((socket, req) => {
      const body = rangeOf(file, req);
      socket.write(Buffer.concat([head(body.length, 'Connection: close\r\n'), body]));
    });
    const into = Buffer.alloc(8192);
    for (let i = 0; i < 3; i++) expect(await readRange(s.url, 0, 8192, into, request(), () => undefined)).toBe('done');
    expect(s.connections()).toBe(3);
  });

  it('reports 509 with the time left as over quota, and other statuses as the HTTP path does', async () => {
    const s = await serve((socket, _req, n) => {
      if (n === 1) socket.write('HTTP/1.1 509 Bandwidth Limit Exceeded\r\nX-MEGA-Time-Left: 5400\r\nContent-Length: 0\r\n\r\n');
      else socket.write('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 5\r\n\r\nbusy!');
    });
    const into = Buffer.alloc(8192);
    const quota = await readRange(s.url, 0, 8192, into, request(), () => undefined).catch((e: unknown) => e);
    expect(quota).toBeInstanceOf(MegamirrorError);
    expect((quota as MegamirrorError).code).toBe('over-quota');
    expect((quota as MegamirrorError).message).toMatch(/90 min/);
    expect((quota as MegamirrorError).where).toBe('big.bin');
    const busy = await readRange(s.url, 0, 8192, into, request(), () => undefined).catch((e: unknown) => e);
    expect((busy as MegamirrorError).code).toBe('transient');
    expect((busy as MegamirrorError).message).toMatch(/HTTP 503/);
  });

  it('fails as transient when the body is cut short or its length is not the range\'s', async () => {
    const s = await serve((socket, req, n) => {
      const body = rangeOf(file, req);
      if (n === 1) socket.end(Buffer.concat([head(body.length), body.subarray(0, 1000)]));
      else socket.write(Buffer.concat([head(body.length - 1), body.subarray(1)]));
    });
    const into = Buffer.alloc(8192);
    const cut = await readRange(s.url, 0, 8192, into, request(), () => undefined).catch((e: unknown) => e);
    expect((cut as MegamirrorError).code).toBe('transient');
    expect((cut as MegamirrorError).message).toMatch(/sent 1000 of 8192 bytes/);
    const wrong = await readRange(s.url, 0, 8192, into, request(), () => undefined).catch((e: unknown) => e);
    expect((wrong as MegamirrorError).code).toBe('transient');
    expect((wrong as MegamirrorError).message).toMatch(/announced 8191 bytes for a range of 8192/);
  });

  it('leaves a chunked reply to the node:http path, having written nothing', async () => {
    const s = await serve((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n');
    });
    const into = Buffer.alloc(16, 7);
    expect(await readRange(s.url, 0, 4, into, request(), () => undefined)).toBe('unsupported');
    expect(into.equals(Buffer.alloc(16, 7))).toBe(true);
    expect(await readRange(s.url.replace('http:', 'https:'), 0, 4, into, request(), () => undefined)).toBe('unsupported');
  });

  it('times out when nothing arrives, and stops at once on an abort', async () => {
    const s = await serve(() => undefined);
    const into = Buffer.alloc(8192);
    const slow = await readRange(s.url, 0, 8192, into, request({ timeoutMs: 200 }), () => undefined).catch((e: unknown) => e);
    expect((slow as MegamirrorError).code).toBe('timeout');
    const ac = new AbortController();
    const started = Date.now();
    const pending = readRange(s.url, 0, 8192, into, request({ signal: ac.signal }), () => undefined).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    expect(((await pending) as MegamirrorError).code).toBe('interrupted');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('keeps at most 16 exchanges in flight per host; the others wait their turn', async () => {
    const held: Array<() => void> = [];
    const s = await serve((socket, req) => {
      const body = rangeOf(file, req);
      held.push(() => socket.write(Buffer.concat([head(body.length), body])));
    });
    const into = Array.from({ length: 20 }, () => Buffer.alloc(4096));
    const all = Promise.all(into.map((b, i) => readRange(s.url, i * 4096, (i + 1) * 4096, b, request(), () => undefined)));
    await new Promise((r) => setTimeout(r, 200));
    expect(s.requests.length).toBe(16);
    while (held.length > 0) {
      held.shift()!();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await all).toEqual(Array(20).fill('done'));
    into.forEach((b, i) => expect(b.equals(file.subarray(i * 4096, (i + 1) * 4096))).toBe(true));
    expect(s.connections()).toBe(16);
  });

  it('does not keep an HTTP/1.0 socket unless the reply asks for it', async () => {
    const s = await serve((socket, req) => {
      const body = rangeOf(file, req);
      socket.write(Buffer.concat([Buffer.from(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    });
    const into = Buffer.alloc(4096);
    for (let i = 0; i < 3; i++) expect(await readRange(s.url, 0, 4096, into, request(), () => undefined)).toBe('done');
    // A new connection each time, and no request sent on a socket the server would close.
    expect(s.connections()).toBe(3);
    expect(s.requests.length).toBe(3);
  });

  it('leaves an interim 1xx reply to node:http, and that host for good', async () => {
    const s = await serve((socket) => socket.write('HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n'));
    const into = Buffer.alloc(16);
    expect(await readRange(s.url, 0, 4, into, request(), () => undefined)).toBe('unsupported');
    expect(await readRange(s.url, 4, 8, into, request(), () => undefined)).toBe('unsupported');
    expect(s.requests.length).toBe(1);
  });

  it('connects to an IPv6 literal host', async (ctx) => {
    const probe = net.createServer();
    const v6 = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => probe.close(() => resolve(true)));
    });
    if (!v6) ctx.skip(); // no IPv6 loopback on this machine: nothing to connect to
    const server = net.createServer((socket) => {
      socket.once('data', () => socket.write(Buffer.concat([head(4), file.subarray(0, 4)])));
    });
    await new Promise<void>((resolve) => server.listen(0, '::1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const into = Buffer.alloc(4);
      expect(await readRange(`http://[::1]:${port}/dl/token`, 0, 4, into, request(), () => undefined)).toBe('done');
      expect(into.equals(file.subarray(0, 4))).toBe(true);
    } finally {
      server.close();
    }
  });

  it('refuses a buffer smaller than the range', async () => {
    await expect(readRange('http://127.0.0.1:9/dl/x', 0, 100, Buffer.alloc(99), request(), () => undefined)).rejects.toThrow(RangeError);
  });
});
