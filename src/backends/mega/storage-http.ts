/**
 * Requests to MEGA's storage servers (the URLs `u` and `g` hand out), on node:http / node:https
 * with keep-alive agents: bodies go out as the Buffers we already hold (no copy into a fresh
 * request buffer), replies come in as the socket's Buffers (no web-stream / ArrayBuffer detour).
 * Downloads read their ranges through range-reader.ts first (straight into the range buffer);
 * getRange here serves what that one cannot frame (https, a chunked reply).
 *
 * Contract: every request is bounded by `timeoutMs` of inactivity on the socket and by `signal`.
 * Failures reject with a classified MegamirrorError (errors.ts): HTTP statuses through
 * `fromHttpStatus` (509 with X-MEGA-Time-Left as over-quota), a storage server's negative number
 * reply through `fromApiCode`, a body shorter than announced or a dropped connection as transient.
 */

import http from 'node:http';
import https from 'node:https';
import { MegamirrorError } from '../../errors.js';
import { classify, fromApiCode, fromHttpStatus, type Operation } from './errors.js';

/** Connections per storage host: transfers use up to `TRANSFER_CONNECTIONS` each. */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 16, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, maxSockets: 16, scheduling: 'lifo' }),
};

export interface StorageRequest {
  op: Operation;
  where: string;
  signal: AbortSignal;
  /** Socket inactivity, ms. */
  timeoutMs: number;
}

interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
}

function send(
  url: string,
  method: 'GET' | 'POST',
  body: readonly Buffer[] | null,
  o: StorageRequest,
  onData: (piece: Buffer) => void,
  onHead?: (s: Sent) => void,
): Promise<Sent> {
  return new Promise<Sent>((resolve, reject) => {
    const ctx = { op: o.op, where: o.where };
    if (o.signal.aborted) {
      reject(classify(o.signal.reason, ctx));
      return;
    }
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const length = body ? body.reduce((a, b) => a + b.length, 0) : 0;
    let settled = false;
    const done = (e: MegamirrorError | null, v?: Sent) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      if (e) {
        req.destroy();
        reject(e);
      } else resolve(v!);
    };
    const onAbort = () => done(o.signal.reason instanceof MegamirrorError ? o.signal.reason : new MegamirrorError('interrupted', 'interrupted', { where: o.where }));
    const req = mod.request(u, {
      method,
      agent: u.protocol === 'https:' ? agents.https : agents.http,
      headers: method === 'POST' ? { 'content-length': String(length), 'content-type': 'application/octet-stream' } : {},
    });
    req.setTimeout(o.timeoutMs, () =>
      done(new MegamirrorError('timeout', `the MEGA storage server did not answer within ${Math.round(o.timeoutMs / 1000)} s`, { where: o.where, transient: true })),
    );
    req.on('error', (e) => done(classify(e, ctx)));
    req.on('response', (res) => {
      const head = { status: res.statusCode ?? 0, headers: res.headers };
      if (head.status !== 200) {
        res.resume();
        const tl = Number(res.headers['x-mega-time-left']);
        done(fromHttpStatus(head.status, { ...ctx, ...(Number.isFinite(tl) ? { timeLeft: tl } : {}) }));
        return;
      }
      onHead?.(head);
      const expected = Number(res.headers['content-length']);
      let got = 0;
      res.on('data', (d: Buffer) => {
        if (settled) return;
        got += d.length;
        onData(d);
      });
      res.on('error', (e) => done(classify(e, ctx)));
      res.on('aborted', () => done(new MegamirrorError('transient', 'the MEGA storage server dropped the connection', { where: o.where, transient: true })));
      res.on('end', () => {
        if (Number.isFinite(expected) && got !== expected) {
          done(new MegamirrorError('transient', `the MEGA storage server sent ${got} of ${expected} bytes`, { where: o.where, transient: true }));
        } else done(null, head);
      });
      res.on('close', () => {
        if (!res.complete) done(new MegamirrorError('transient', 'the MEGA storage server dropped the connection', { where: o.where, transient: true }));
      });
    });
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (body) {
      for (const b of body) req.write(b);
    }
    req.end();
  });
}

/**
 * POST one upload chunk (the concatenation of `body`) to `url`. Resolves with the reply: empty
 * (stored) or the 36-byte completion token; a negative number reply rejects.
 */
export async function postChunk(url: string, body: readonly Buffer[], o: StorageRequest): Promise<Buffer> {
  const parts: Buffer[] = [];
  await send(url, 'POST', body, o, (d) => parts.push(d));
  const reply = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (reply.length > 0 && reply.length < 36) {
    const code = Number(reply.toString('latin1'));
    if (Number.isInteger(code) && code < 0) throw fromApiCode(code, { op: o.op, where: o.where });
    throw new MegamirrorError('remote', 'the MEGA storage server sent an unexpected reply to an upload chunk', { where: o.where });
  }
  return reply;
}

/** GET bytes [start, end) of `url`; each piece of the reply goes to `onData` as it arrives. */
export async function getRange(url: string, start: number, end: number, o: StorageRequest, onData: (piece: Buffer) => void): Promise<void> {
  let got = 0;
  await send(url + `/${start}-${end - 1}`, 'GET', null, o, (d) => {
    got += d.length;
    onData(d);
  });
  if (got !== end - start) {
    throw new MegamirrorError('transient', `the MEGA storage server sent ${got} of ${end - start} bytes`, { where: o.where, transient: true });
  }
}
