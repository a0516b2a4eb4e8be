/**
 * Download one file: `g` through our API for the download URL, then ranged GETs of large pieces
 * (transfer-plan.ts), up to TRANSFER_CONNECTIONS in flight, each received into a pooled range
 * buffer (buffer-pool.ts), decrypted and MAC'ed in place, in order, once it is complete
 * (FileDecryptor: CTR and the SDK's MAC, natively), and handed on in copies of 64 KiB as the
 * consumer takes them. At most TRANSFER_CONNECTIONS ranges are held, in buffers reused from one
 * range and one file to the next.
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
import { giveBuffer, takeBuffer } from './buffer-pool.js';
import { moved } from './gc-pacer.js';
import { classify } from './errors.js';
import { FileDecryptor, SLICE } from './sliced-crypto.js';
import { readRange } from './range-reader.js';
import { getRange } from './storage-http.js';
import { DOWNLOAD_REQUEST_BYTES, requestRanges, TRANSFER_CONNECTIONS, withRetries } from './transfer-plan.js';
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
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const fail = (e: MegamirrorError) => {
    i.onError?.(e);
    if (!out.destroyed) out.destroy(e);
  };
  const dog = watchdog(i.idleTimeoutMs, () =>
    fail(new MegamirrorError('timeout', `the download made no progress for ${Math.round(i.idleTimeoutMs / 1000)} s`, { where: i.where, transient: true })),
  );
  out.on('close', () => {
    dog.stop();
    controller.abort();
  });
  const onAbort = () => fail(new MegamirrorError('interrupted', 'interrupted', { where: i.where }));
  if (i.signal?.aborted) onAbort();
  else i.signal?.addEventListener('abort', onAbort, { once: true });
  out.on('close', () => i.signal?.removeEventListener('abort', onAbort));
  transfer(i, signal, out, () => dog.kick()).then(
    () => out.end(),
    (e: unknown) => {
      if (out.destroyed) return;
      const m = e instanceof MegamirrorError && e.code === 'integrity'
        ? new MegamirrorError('integrity', 'MAC verification failed: the downloaded content does not match its MAC', { where: i.where, transient: true })
        : e instanceof MegamirrorError ? e : classify(e, { op: 'download', where: i.where });
      fail(m);
    },
  );
  return out;
}

/** `g`, then the ranges, decrypted in order into `out` (respecting its backpressure), then the MAC check. */
async function transfer(i: DownloadInput, signal: AbortSignal, out: PassThrough, kick: () => void): Promise<void> {
  const cmd = i.publicHandle !== undefined ? { a: 'g', g: 1, ssl: 0, p: i.publicHandle } : { a: 'g', g: 1, ssl: 0, n: i.handle };
  // Safe to repeat: retried in place like a range, so one failed request does not cost the download.
  const r = await withRetries(() => i.api.request<{ g?: unknown; s?: unknown }>(cmd, { signal, where: i.where }), signal);
  if (typeof r.g !== 'string' || !/^https?:/.test(r.g)) {
    throw new MegamirrorError('transient', 'MEGA returned no download URL', { where: i.where, transient: true });
  }
  const url = r.g;
  const size = typeof r.s === 'number' ? r.s : i.size;
  const ranges = requestRanges(size, DOWNLOAD_REQUEST_BYTES);
  const req = { op: 'download' as const, where: i.where, signal, timeoutMs: i.requestTimeoutMs };
  const decrypt = new FileDecryptor(i.nodeKey, i.where);
  // Each range's bytes land in its buffer: read there straight from the socket (range-reader.ts),
  // or, where that cannot serve the reply, copied there from node:http's pieces as they arrive.
  const fetchRange = ([start, end]: [number, number]): Promise<Buffer> => {
    const buffer = takeBuffer();
    return withRetries(async () => {
      if ((await readRange(url, start, end, buffer, req, kick)) === 'done') return buffer;
      let at = 0;
      await getRange(url, start, end, req, (d) => {
        if (at + d.length <= end - start) buffer.set(d, at);
        at += d.length;
        kick();
      });
      return buffer;
    }, signal);
  };
  const pending: Array<{ range: [number, number]; body: Promise<Buffer> }> = [];
  let next = 0;
  const fill = () => {
    while (next < ranges.length && pending.length < TRANSFER_CONNECTIONS) {
      const range = ranges[next++]!;
      const body = fetchRange(range);
      body.catch(() => undefined);
      pending.push({ range, body });
    }
  };
  fill();
  while (pending.length > 0) {
    const head = pending[0]!;
    const buffer = await head.body;
    if (signal.aborted) throw signal.reason;
    const length = head.range[1] - head.range[0];
    // Decrypted where it is, then MAC'ed whole: its chunks side by side (ranges start and end on
    // chunk boundaries).
    const range = buffer.subarray(0, length);
    decrypt.decryptInPlace(range);
    decrypt.mac(range);
    for (let p = 0; p < length; p += SLICE) {
      // Handed on as copies (not zeroed first: every byte is overwritten), so the range buffer is
      // free for the next range at once; the socket's pieces and these are the transfer's garbage.
      const piece = range.subarray(p, p + SLICE);
      const plain = Buffer.allocUnsafe(piece.length);
      plain.set(piece);
      moved(plain.length);
      if (!out.write(plain)) await drained(out, signal);
    }
    pending.shift();
    giveBuffer(buffer);
    fill();
  }
  decrypt.verify();
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
