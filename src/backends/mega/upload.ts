/**
 * Upload the content of one file, in one pass over the source, request by request: plaintext read
 * straight into a pooled request buffer (plain-source.ts) -> size check and fingerprint windows
 * (FingerprintTap) -> the SDK's chunk MACs and AES-128-CTR, encrypted in place (FileEncryptor) ->
 * ChunkUploader, which POSTs each buffer to the upload URL from `u` (requests cut on MAC chunk
 * boundaries, several in flight, transfer-plan.ts). Nothing becomes visible: the caller creates
 * the node with the returned completion token, node key and `c` (after `beforeCommit`). A source
 * that changes while being read is caught by the caller's `beforeCommit` (stat before/after), as
 * for local writes.
 *
 * Contract: resolves once the storage server returned the completion token AND the plaintext
 * ended with exactly `size` bytes (checked before the last request goes out). Rejects with a
 * MegamirrorError: `size-mismatch`, classified transfer errors, `timeout` when nothing moves for
 * `idleTimeoutMs`, `interrupted` on abort. Every wait is bounded; on failure in-flight chunk
 * requests are cancelled and the source is closed. Memory stays flat whatever the size: at most
 * TRANSFER_CONNECTIONS request buffers, reused from one request and one file to the next.
 */

import type { Readable } from 'node:stream';
import { MegamirrorError } from '../../errors.js';
import type { MegaApi } from './api.js';
import { giveBuffer, takeBuffer } from './buffer-pool.js';
import { ChunkUploader } from './chunk-uploader.js';
import { randomFileSecrets } from './crypto/index.js';
import { classify } from './errors.js';
import { fileSource, streamSource, type PlainSource } from './plain-source.js';
import { FingerprintTap } from './plain-tap.js';
import { FileEncryptor } from './sliced-crypto.js';
import { requestRanges, withRetries } from './transfer-plan.js';
import { watchdog } from './watchdog.js';

export interface UploadInput {
  api: MegaApi;
  size: number;
  /** Plaintext from the first byte: a local file (read in place) or a stream. */
  input: Readable | { localPath: string };
  /** Unix seconds for `c`; null writes no fingerprint (the source had no mtime). */
  mtimeSeconds: number | null;
  where: string;
  signal?: AbortSignal;
  idleTimeoutMs: number;
  requestTimeoutMs: number;
  /** Bytes confirmed stored by the storage server, as they are. */
  onProgress?: (bytes: number) => void;
}

export interface UploadResult {
  /** Completion token (base64url) for the `p` that creates the node. */
  token: string;
  /** The final 32-byte node key, MAC included. */
  nodeKey: Buffer;
  /** The fingerprint attribute, or null. */
  c: string | null;
}

export async function uploadContent(i: UploadInput): Promise<UploadResult> {
  const controller = new AbortController();
  const signal = i.signal ? AbortSignal.any([i.signal, controller.signal]) : controller.signal;
  const fail = (e: MegamirrorError) => {
    if (!controller.signal.aborted) controller.abort(e);
  };
  const tap = new FingerprintTap(i.size, i.where);
  const enc = new FileEncryptor(randomFileSecrets());
  const dog = watchdog(i.idleTimeoutMs, () =>
    fail(new MegamirrorError('timeout', `the upload made no progress for ${Math.round(i.idleTimeoutMs / 1000)} s`, { where: i.where, transient: true })),
  );
  const reason = (e: unknown) => (signal.reason instanceof MegamirrorError ? signal.reason : classify(e, { op: 'upload', where: i.where }));
  let source: PlainSource | null = 'localPath' in i.input ? null : streamSource(i.input);
  // A stalled source (a stream that never ends) must not outlive a failure or the watchdog.
  const onAbort = () => void source?.close();
  signal.addEventListener('abort', onAbort, { once: true });

  try {
    const from = source ?? (source = await fileSource((i.input as { localPath: string }).localPath, i.where));
    // Asking for an upload URL is safe to repeat: retried in place like a chunk, so one failed
    // request does not cost the whole upload.
    const { p: url } = await withRetries(() => i.api.request<{ p?: unknown }>({ a: 'u', s: i.size, ssl: 0 }, { signal, where: i.where }), signal);
    if (typeof url !== 'string' || !/^https?:/.test(url)) throw new MegamirrorError('remote', 'MEGA returned no upload URL', { where: i.where });
    let stored = 0;
    const sink = new ChunkUploader({
      url, where: i.where, op: 'upload', signal, requestTimeoutMs: i.requestTimeoutMs,
      onActivity: () => dog.kick(),
      onStored: (n) => {
        stored += n;
        if (n > 0) i.onProgress?.(n);
      },
    });
    // An empty file is one empty request, which gets the token.
    const ranges: Array<[number, number]> = i.size === 0 ? [[0, 0]] : requestRanges(i.size);
    for (let k = 0; k < ranges.length; k++) {
      const [start, end] = ranges[k]!;
      if (signal.aborted) throw reason(signal.reason);
      const buffer = takeBuffer();
      const body = buffer.subarray(0, end - start);
      const got = await from.fill(body);
      if (signal.aborted) throw reason(signal.reason);
      dog.kick();
      tap.see(body.subarray(0, got));
      if (got < body.length) tap.end();
      // Nothing past the declared size may go out: checked before the last request.
      if (k === ranges.length - 1 && !(await from.atEnd())) tap.see(Buffer.alloc(1));
      enc.encryptInPlace(body);
      await sink.send(start, body, () => giveBuffer(buffer));
    }
    tap.end();
    const token = await sink.finish();
    if (i.size === 0 && stored === 0) i.onProgress?.(0);
    return { token: token.toString('base64url'), nodeKey: enc.finish().nodeKey, c: i.mtimeSeconds === null ? null : tap.fingerprint(i.mtimeSeconds) };
  } catch (err) {
    const own = controller.signal.aborted && controller.signal.reason instanceof MegamirrorError ? controller.signal.reason : null;
    const e = own ?? (err instanceof MegamirrorError ? err : reason(err));
    fail(e);
    throw i.signal?.aborted ? new MegamirrorError('interrupted', 'interrupted', { where: i.where }) : e;
  } finally {
    dog.stop();
    signal.removeEventListener('abort', onAbort);
    await source?.close();
  }
}
