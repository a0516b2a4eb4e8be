/**
 * Ranged GETs from a MEGA storage server (plain http:, as `g` hands out with ssl: 0) read straight
 * into the caller's buffer: HTTP/1.1 on keep-alive sockets whose reads land in the range buffer
 * itself (net's `onread` with a buffer chosen per read), not in a fresh Buffer per read that
 * node:http's parser then copies into another and we into the range buffer. A 512 MiB download
 * through node:http spent about 9% of its CPU in those two copies and their allocations.
 *
 * Contract: `readRange` resolves `'done'` once exactly end - start body bytes are in `into`
 * (from offset 0), or `'unsupported'` when the reply is not a plain 200 with a Content-Length
 * (a chunked or otherwise framed body, a redirect): nothing was written then and the caller
 * uses node:http (storage-http.ts) for this range. Other failures reject as storage-http.ts's
 * do: HTTP statuses through `fromHttpStatus` (509 with X-MEGA-Time-Left as over-quota), a body
 * cut short or a dropped connection as transient, `timeoutMs` without a byte as `timeout`, an
 * abort as `interrupted`. A kept-alive socket that the server closed while idle is replaced once,
 * without counting as a failure. At most MAX_PER_HOST exchanges run per host (more wait, as with
 * node:http's agent), and a host that once answered in a way this cannot take (`'unsupported'`)
 * is left to node:http for the rest of the process.
 */

import net from 'node:net';
import { MegamirrorError } from '../../errors.js';
import { classify, fromHttpStatus } from './errors.js';
import type { StorageRequest } from './storage-http.js';

/** Room for a reply's status line and headers (the storage servers send a few hundred bytes). */
const HEAD_ROOM = 16 * 1024;
/** Exchanges in flight per storage host, as node:http's agent allowed sockets (storage-http.ts). */
const MAX_PER_HOST = 16;
/** An idle socket is closed after this (below the usual 5 s keep-alive of servers). */
const IDLE_MS = 4000;
const IDLE_PER_HOST = 16;

export type RangeOutcome = 'done' | 'unsupported';

/** What the socket's next read goes into, and what becomes of it. */
interface Exchange {
  into: Uint8Array;
  length: number;
  /** Body bytes in `into` so far. */
  got: number;
  onProgress: () => void;
  finish: (e: Error | null, outcome?: RangeOutcome) => void;
  /** Nothing of the reply has arrived yet (a reused socket's close then means: stale). */
  fresh: boolean;
  /** The path errors name. */
  where: string;
}

class Connection {
  readonly socket: net.Socket;
  readonly #head = Buffer.allocUnsafe(HEAD_ROOM);
  #headLength = 0;
  #exchange: Exchange | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  /** The server keeps the connection open after the current reply. */
  #keep = true;
  closed = false;

  constructor(readonly key: string, host: string, port: number) {
    this.socket = net.connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: () => this.#nextBuffer(), callback: (n) => this.#onRead(n) },
    });
    this.socket.on('error', (e) => this.#fail(e));
    this.socket.on('close', () => {
      this.closed = true;
      this.#fail(null);
    });
    this.socket.on('end', () => this.socket.destroy());
  }

  /** Where the next read lands: the head room until the headers are in, then the body's place. */
  #nextBuffer(): Uint8Array {
    const x = this.#exchange;
    if (x !== null && this.#headLength < 0) return x.into.subarray(x.got, x.length);
    return this.#head.subarray(Math.max(0, this.#headLength));
  }

  /** `n` bytes landed where #nextBuffer said. */
  #onRead(n: number): boolean {
    const x = this.#exchange;
    if (x === null) {
      // Bytes nobody asked for on an idle socket: it cannot be reused.
      this.socket.destroy();
      return false;
    }
    x.fresh = false;
    if (this.#headLength < 0) {
      x.got += n;
      x.onProgress();
      if (x.got === x.length) this.#complete(null, 'done');
      return true;
    }
    // Until the headers are complete, reads land in the head room.
    this.#headLength += n;
    const head = this.#head.subarray(0, this.#headLength);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.#headLength === HEAD_ROOM) this.#complete(new MegamirrorError('remote', 'the MEGA storage server sent headers too large to read', { where: x.where }), undefined, true);
      return true;
    }
    this.#onHeaders(head.subarray(0, end).toString('latin1'), head.subarray(end + 4));
    return true;
  }

  #onHeaders(text: string, extra: Buffer): void {
    const x = this.#exchange!;
    const lines = text.split('\r\n');
    const status = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i]!.indexOf(':');
      if (colon > 0) headers.set(lines[i]!.slice(0, colon).trim().toLowerCase(), lines[i]!.slice(colon + 1).trim());
    }
    const code = status ? Number(status[2]) : 0;
    // An interim reply (103 Early Hints, say) before the real one: node:http's parser skips those.
    if (code >= 100 && code < 200) {
      this.#complete(null, 'unsupported', true);
      return;
    }
    // Anything but a plain 200 ends the exchange without reading a body: the socket goes.
    if (code !== 200) {
      const tl = Number(headers.get('x-mega-time-left'));
      const e = status
        ? fromHttpStatus(code, { op: 'download', where: x.where, ...(Number.isFinite(tl) ? { timeLeft: tl } : {}) })
        : new MegamirrorError('transient', 'the MEGA storage server sent no HTTP reply', { where: x.where, transient: true });
      this.#complete(e, undefined, true);
      return;
    }
    const length = headers.get('content-length');
    if (headers.has('transfer-encoding') || length === undefined || !/^\d+$/.test(length)) {
      this.#complete(null, 'unsupported', true);
      return;
    }
    if (Number(length) !== x.length || extra.length > x.length) {
      const what = Number(length) !== x.length ? `announced ${length} bytes` : `sent more than the ${length} bytes it announced`;
      const e = new MegamirrorError('transient', `the MEGA storage server ${what} for a range of ${x.length}`, { where: x.where, transient: true });
      this.#complete(e, undefined, true);
      return;
    }
    // HTTP/1.1 keeps the connection unless it says close; HTTP/1.0 closes unless it says keep-alive.
    const connection = headers.get('connection')?.toLowerCase();
    this.#keep = status![1] === '1' ? connection !== 'close' : connection === 'keep-alive';
    x.into.set(extra, 0);
    x.got = extra.length;
    this.#headLength = -1;
    if (extra.length > 0) x.onProgress();
    if (x.got === x.length) this.#complete(null, 'done');
  }

  /** Start one exchange on this (idle) socket. */
  start(x: Exchange, path: string, host: string, timeoutMs: number): void {
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    this.socket.ref();
    this.#exchange = x;
    this.#headLength = 0;
    this.socket.setTimeout(timeoutMs);
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`);
  }

  #fail(e: Error | null): void {
    const x = this.#exchange;
    if (x === null) return;
    const why = e !== null
      ? classify(e, { op: 'download', where: x.where })
      : new MegamirrorError('transient', x.got > 0 ? `the MEGA storage server sent ${x.got} of ${x.length} bytes` : 'the MEGA storage server dropped the connection', { where: x.where, transient: true });
    this.#complete(why, undefined, true);
  }

  /** Ends the exchange; the socket goes back to the pool when it can carry another. */
  #complete(e: Error | null, outcome?: RangeOutcome, discard = false): void {
    const x = this.#exchange;
    if (x === null) return;
    this.#exchange = null;
    this.#headLength = 0;
    if (discard || e !== null || !this.#keep) this.socket.destroy();
    else release(this);
    x.finish(e, outcome);
  }

  /** Parked in the pool: unref'd, closed after IDLE_MS. */
  park(onExpire: () => void): void {
    this.socket.setTimeout(0);
    this.socket.unref();
    this.#idleTimer = setTimeout(onExpire, IDLE_MS);
    this.#idleTimer.unref();
  }

  /** The exchange in progress ends with `e` (a timeout or an abort); the socket is closed. */
  abort(e: Error): void {
    this.#complete(e, undefined, true);
  }

  get idle(): boolean {
    return this.#exchange === null && !this.closed && !this.socket.destroyed;
  }
}

const idle = new Map<string, Connection[]>();

function release(c: Connection): void {
  let list = idle.get(c.key);
  if (list === undefined) idle.set(c.key, (list = []));
  // Sockets the server closed while they were parked make no room count.
  for (let i = list.length - 1; i >= 0; i--) if (!list[i]!.idle) list.splice(i, 1);
  if (list.length >= IDLE_PER_HOST || c.closed) {
    c.socket.destroy();
    return;
  }
  list.push(c);
  const parked = list;
  c.park(() => {
    const at = parked.indexOf(c);
    if (at >= 0) parked.splice(at, 1);
    c.socket.destroy();
  });
}

function take(key: string): Connection | undefined {
  const list = idle.get(key);
  while (list !== undefined && list.length > 0) {
    const c = list.pop()!;
    if (c.idle) return c;
  }
  return undefined;
}

/**
 * GET bytes [start, end) of `url` (http: only) into `into` from its offset 0; `onProgress` is
 * called as bytes land. See the contract above.
 */
export async function readRange(url: string, start: number, end: number, into: Uint8Array, o: StorageRequest, onProgress: () => void): Promise<RangeOutcome> {
  // The range goes on the end of the URL, as storage-http.ts's getRange puts it.
  const u = new URL(`${url}/${start}-${end - 1}`);
  const port = Number(u.port || 80);
  const key = `${u.hostname}:${port}`;
  if (u.protocol !== 'http:' || unsupported.has(key)) return 'unsupported';
  const length = end - start;
  if (into.byteLength < length) throw new RangeError('readRange: the buffer is smaller than the range');
  const free = await slot(key, o.signal, o.where);
  try {
    const outcome = await exchange(u, key, port, length, into, o, onProgress);
    // A host that answers in a way this reader cannot take goes to node:http from now on.
    if (outcome === 'unsupported') unsupported.add(key);
    return outcome;
  } finally {
    free();
  }
}

/** Hosts whose replies this reader could not frame (see the contract above). */
const unsupported = new Set<string>();

/** Exchanges in flight and waiting, per host. */
const slots = new Map<string, { active: number; waiting: Array<() => void> }>();

/** Waits for one of the MAX_PER_HOST places of `key`; resolves with its release. */
function slot(key: string, signal: AbortSignal, where: string): Promise<() => void> {
  let s = slots.get(key);
  if (s === undefined) slots.set(key, (s = { active: 0, waiting: [] }));
  const host = s;
  const release = () => {
    host.active--;
    host.waiting.shift()?.();
    if (host.active === 0 && host.waiting.length === 0) slots.delete(key);
  };
  if (host.active < MAX_PER_HOST) {
    host.active++;
    return Promise.resolve(release);
  }
  return new Promise((resolve, reject) => {
    const go = () => {
      signal.removeEventListener('abort', onAbort);
      host.active++;
      resolve(release);
    };
    const onAbort = () => {
      const at = host.waiting.indexOf(go);
      if (at >= 0) host.waiting.splice(at, 1);
      reject(classify(signal.reason, { op: 'download', where }));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    host.waiting.push(go);
  });
}

/** One GET on a kept or new socket (see readRange). */
function exchange(u: URL, key: string, port: number, length: number, into: Uint8Array, o: StorageRequest, onProgress: () => void): Promise<RangeOutcome> {
  // net wants an IPv6 address without the URL's brackets.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const path = `${u.pathname}${u.search}`;
  const where = o.where;
  const attempt = (reused: boolean): Promise<RangeOutcome> =>
    new Promise<RangeOutcome>((resolve, reject) => {
      if (o.signal.aborted) {
        reject(classify(o.signal.reason, { op: o.op, where }));
        return;
      }
      const taken = reused ? take(key) : undefined;
      const c = taken ?? new Connection(key, host, port);
      let settled = false;
      const onAbort = () => c.abort(o.signal.reason instanceof MegamirrorError ? o.signal.reason : new MegamirrorError('interrupted', 'interrupted', { where }));
      const x: Exchange = {
        into,
        length,
        got: 0,
        fresh: true,
        where,
        onProgress,
        finish: (e, outcome) => {
          if (settled) return;
          settled = true;
          o.signal.removeEventListener('abort', onAbort);
          c.socket.off('timeout', onTimeout);
          if (e === null) return resolve(outcome!);
          // A kept-alive socket the server had closed while it was idle: once more on a new one.
          if (taken !== undefined && x.fresh && e instanceof MegamirrorError && e.code === 'transient') {
            attempt(false).then(resolve, reject);
            return;
          }
          reject(classify(e, { op: o.op, where }));
        },
      };
      const onTimeout = () =>
        c.abort(new MegamirrorError('timeout', `the MEGA storage server did not answer within ${Math.round(o.timeoutMs / 1000)} s`, { where, transient: true }));
      c.socket.on('timeout', onTimeout);
      o.signal.addEventListener('abort', onAbort, { once: true });
      c.start(x, path, u.host, o.timeoutMs);
    });
  return attempt(true);
}
