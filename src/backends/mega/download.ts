/**
 * Download one file: `g` through our API for the download URL, then ranged GETs of large pieces
 * (transfer-plan.ts), up to TRANSFER_CONNECTIONS in flight, handed on in order as each completes
 * (so at most connections x request size is held); we decrypt and verify the MAC natively
 * (DecryptStream).
 *
 * Contract: returns the plaintext stream at once. Plaintext flows before the MAC can be checked,
 * so the consumer must write it somewhere temporary: at the end the stream either ends (MAC good)
 * or fails with MegamirrorError('integrity', 'MAC verification failed: ...', { where }), marked
 * transient since a byte damaged in transit is cured by downloading again. Transfer failures arrive
 * as classified MegamirrorErrors (over quota with the time left, transient network errors, each
 * range retried a few times first), a stall of `idleTimeoutMs` as `timeout`, an abort as
 * `interrupted`. Destroying the stream cancels the in-flight requests.
 */

import { PassThrough, Readable } from 'node:stream';
import { MegamirrorError } from '../../errors.js';
import type { MegaApi } from './api.js';
import { unpackNodeKey } from './crypto/index.js';
import { classify } from './errors.js';
import { SlicedDecryptStream } from './sliced-crypto.js';
import { getRange } from './storage-http.js';
import { requestRanges, TRANSFER_CONNECTIONS, withRetries } from './transfer-plan.js';
import { watchdog } from './watchdog.js';

export interface DownloadInput {
  api: MegaApi;
  /** The node handle (`g` with `n`; inside a folder link, `api` carries the link's `n` query). */
  handle: string;
  /** A file link's public handle: `g` with `p` instead of `n` (then `handle` is not sent). */
  publicHandle?: string;
  size: number;
  /** The file's 32-byte node key. */
  nodeKey: Buffer;
  where: string;
  signal?: AbortSignal;
  idleTimeoutMs: number;
  requestTimeoutMs: number;
  /** Told of every error before the consumer sees it (quota bookkeeping). */
  onError?: (e: MegamirrorError) => void;
}

export function openDownload(i: DownloadInput): Readable {
  if (i.size === 0) return emptyFile(i);
  const controller = new AbortController();
  const signal = i.signal ? AbortSignal.any([i.signal, controller.signal]) : controller.signal;
  const decrypt = new SlicedDecryptStream(i.nodeKey, i.where);
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const fail = (e: MegamirrorError) => {
    i.onError?.(e);
    if (!out.destroyed) out.destroy(e);
  };
  const dog = watchdog(i.idleTimeoutMs, () =>
    fail(new MegamirrorError('timeout', `the download made no progress for ${Math.round(i.idleTimeoutMs / 1000)} s`, { where: i.where, transient: true })),
  );
  decrypt.on('error', (e: unknown) => {
    const m = e instanceof MegamirrorError && e.code === 'integrity'
      ? new MegamirrorError('integrity', 'MAC verification failed: the downloaded content does not match its MAC', { where: i.where, transient: true })
      : classify(e, { op: 'download', where: i.where });
    fail(m);
  });
  out.on('close', () => {
    dog.stop();
    controller.abort();
    decrypt.destroy();
  });
  const onAbort = () => fail(new MegamirrorError('interrupted', 'interrupted', { where: i.where }));
  if (i.signal?.aborted) onAbort();
  else i.signal?.addEventListener('abort', onAbort, { once: true });
  out.on('close', () => i.signal?.removeEventListener('abort', onAbort));
  decrypt.pipe(out);
  fetchCiphertext(i, signal, decrypt, () => dog.kick()).then(
    () => decrypt.end(),
    (e: unknown) => {
      if (!out.destroyed) fail(e instanceof MegamirrorError ? e : classify(e, { op: 'download', where: i.where }));
    },
  );
  return out;
}

/** `g`, then the ranges in order into `sink` (respecting its backpressure). */
async function fetchCiphertext(i: DownloadInput, signal: AbortSignal, sink: NodeJS.WritableStream, kick: () => void): Promise<void> {
  const cmd = i.publicHandle !== undefined ? { a: 'g', g: 1, ssl: 0, p: i.publicHandle } : { a: 'g', g: 1, ssl: 0, n: i.handle };
  // Safe to repeat: retried in place like a range, so one failed request does not cost the download.
  const r = await withRetries(() => i.api.request<{ g?: unknown; s?: unknown }>(cmd, { signal, where: i.where }), signal);
  if (typeof r.g !== 'string' || !/^https?:/.test(r.g)) {
    throw new MegamirrorError('transient', 'MEGA returned no download URL', { where: i.where, transient: true });
  }
  const url = r.g;
  const size = typeof r.s === 'number' ? r.s : i.size;
  const ranges = requestRanges(size);
  const req = { op: 'download' as const, where: i.where, signal, timeoutMs: i.requestTimeoutMs };
  const fetchRange = ([start, end]: [number, number]) =>
    withRetries(async () => {
      const pieces: Buffer[] = [];
      await getRange(url, start, end, req, (d) => {
        pieces.push(d);
        kick();
      });
      return pieces;
    }, signal);
  const pending: Array<Promise<Buffer[]>> = [];
  let next = 0;
  const fill = () => {
    while (next < ranges.length && pending.length < TRANSFER_CONNECTIONS) {
      const p = fetchRange(ranges[next++]!);
      p.catch(() => undefined);
      pending.push(p);
    }
  };
  fill();
  while (pending.length > 0) {
    const pieces = await pending.shift()!;
    if (signal.aborted) throw signal.reason;
    fill();
    let ok = true;
    for (const piece of pieces) ok = sink.write(piece) && ok;
    if (!ok) await drained(sink, signal);
  }
}

function drained(s: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const done = () => {
      s.removeListener('drain', done);
      s.removeListener('close', done);
      signal.removeEventListener('abort', done);
      if (signal.aborted) reject(signal.reason);
      else resolve();
    };
    s.once('drain', done);
    s.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** An empty file needs no transfer; its MAC (M) must still be the SDK's for no content: zero. */
function emptyFile(i: DownloadInput): Readable {
  const { macCondensed } = unpackNodeKey(i.nodeKey);
  if (macCondensed.every((b) => b === 0)) return Readable.from([]);
  const e = new MegamirrorError('integrity', 'MAC verification failed', { where: i.where });
  i.onError?.(e);
  return new Readable({
    read() {
      this.destroy(e);
    },
  });
}
