/**
 * The API transport on node:http (api-http.ts) through MegaApi, against a scripted HTTP server on
 * loopback: replies in pieces and with a BOM read as fetch read them, a reply cut mid-body and a
 * refused connection classified as transient, an abort as interrupted, keep-alive connections
 * reused. The emulator-backed suites run the same transport for every MEGA operation.
 */
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MegaApi } from '../../../src/backends/mega/api.js';
import { RateLimiter } from '../../../src/backends/mega/rate-limiter.js';
import { MegamirrorError } from '../../../src/errors.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function serve(handler: Handler): Promise<{ gateway: string; connections: () => number; port: number }> {
  let connections = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => handler(req, res, Buffer.concat(parts).toString()));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  closers.push(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { gateway: `http://127.0.0.1:${port}/`, connections: () => connections, port };
}

const api = (gateway: string) => new MegaApi({ gateway, limiter: new RateLimiter({ minIntervalMs: 0 }), timeoutMs: 5000, sid: () => 'SESSIONID' });

describe('MegaApi over node:http', () => {
  it('sends the command as JSON and reads the reply in pieces, a BOM dropped, on one kept connection', async () => {
    const seen: string[] = [];
    const s = await serve((req, res, body) => {
      seen.push(`${req.method} ${req.url} ${req.headers['content-type']} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('\uFEFF[{"a":');
      setTimeout(() => res.end(`${seen.length}}]`), 5);
    });
    const a = api(s.gateway);
    expect(await a.request({ a: 'ug' })).toEqual({ a: 1 });
    expect(await a.request({ a: 'uq', strg: 1 })).toEqual({ a: 2 });
    expect(seen[0]).toMatch(/^POST \/cs\?id=\d+&sid=SESSIONID application\/json \[\{"a":"ug"\}\]$/);
    expect(seen[1]).toMatch(/\[\{"a":"uq","strg":1\}\]$/);
    expect(s.connections()).toBe(1);
  });

  it('classifies a reply cut mid-body and a refused connection as transient, a bad status by its code', async () => {
    const s = await serve((req, res) => {
      if (req.url?.includes('id=')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('[{"a":');
        setTimeout(() => res.socket?.destroy(), 5);
      }
    });
    const cut = await api(s.gateway).request({ a: 'ug' }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(MegamirrorError);
    expect((cut as MegamirrorError).code).toBe('transient');
    const s500 = await serve((_req, res) => {
      res.writeHead(500);
      res.end('oops');
    });
    const busy = await api(s500.gateway).request({ a: 'ug' }).catch((e: unknown) => e);
    expect((busy as MegamirrorError).code).toBe('transient');
    expect((busy as MegamirrorError).message).toMatch(/HTTP 500/);
    // A port nothing listens on any more.
    const gone = await serve(() => undefined);
    await closers.pop()!();
    const refused = await api(gone.gateway).request({ a: 'ug' }).catch((e: unknown) => e);
    expect((refused as MegamirrorError).code).toBe('transient');
    expect((refused as MegamirrorError).message).not.toMatch(/SESSIONID/);
  });

  it('stops at once on an abort, mid-reply too', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
    });
    const ac = new AbortController();
    const started = Date.now();
    const pending = api(s.gateway).request({ a: 'ug' }, { signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    expect(((await pending) as MegamirrorError).code).toBe('interrupted');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
