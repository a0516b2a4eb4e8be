/**
 * Upload the content of one file, in one pass over the source: plaintext -> size check and
 * fingerprint windows (PlainTap) -> AES-128-CTR and the SDK's chunk MACs (EncryptStream) ->
 * ChunkUploader, which POSTs the ciphertext to the upload URL from `u` in large requests cut on
 * MAC chunk boundaries, several in flight (transfer-plan.ts). Nothing becomes visible: the caller
 * creates the node with the returned completion token, node key and `c` (after `beforeCommit`).
 * The node key (with the MAC of exactly the bytes that were encrypted) is known when the stream
 * ends. A source that changes while being read is caught by the caller's `beforeCommit`
 * (stat before/after), as for local writes.
 *
 * Contract: resolves once the storage server returned the completion token AND the plaintext
 * stream ended with exactly `size` bytes. Rejects with a MegamirrorError: `size-mismatch`,
 * classified transfer errors, `timeout` when nothing moves for `idleTimeoutMs`, `interrupted` on
 * abort. Every wait is bounded; on failure in-flight chunk requests are cancelled. Memory stays
 * flat (connections x request size) whatever the size.
 */

import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegamirrorError } from '../../errors.js';
import type { MegaApi } from './api.js';
import { ChunkUploader } from './chunk-uploader.js';
import { randomFileSecrets } from './crypto/index.js';
import { classify } from './errors.js';
import { PlainTap } from './plain-tap.js';
import { SlicedEncryptStream } from './sliced-crypto.js';
import { withRetries } from './transfer-plan.js';
import { watchdog } from './watchdog.js';

export interface UploadInput {
  api: MegaApi;
  size: number;
  /** Plaintext from the first byte. */
  input: Readable;
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
  const secrets = randomFileSecrets();
  const tap = new PlainTap(i.size, i.where);
  const enc = new SlicedEncryptStream(secrets);
  const dog = watchdog(i.idleTimeoutMs, () =>
    fail(new MegamirrorError('timeout', `the upload made no progress for ${Math.round(i.idleTimeoutMs / 1000)} s`, { where: i.where, transient: true })),
  );
  tap.onBytes = () => dog.kick();
  const reason = (e: unknown) => (signal.reason instanceof MegamirrorError ? signal.reason : classify(e, { op: 'upload', where: i.where }));

  try {
    // Asking for an upload URL is safe to repeat: retried in place like a chunk, so one failed
    // request does not cost the whole upload.
    const { p: url } = await withRetries(() => i.api.request<{ p?: unknown }>({ a: 'u', s: i.size, ssl: 0 }, { signal, where: i.where }), signal);
    if (typeof url !== 'string' || !/^https?:/.test(url)) throw new MegamirrorError('remote', 'MEGA returned no upload URL', { where: i.where });
    let stored = 0;
    const sink = new ChunkUploader({
      url, size: i.size, where: i.where, op: 'upload', signal, requestTimeoutMs: i.requestTimeoutMs,
      onActivity: () => dog.kick(),
      onStored: (n) => {
        stored += n;
        if (n > 0) i.onProgress?.(n);
      },
    });
    await pipeline(i.input, tap, enc, sink, { signal }).catch((e: unknown) => {
      throw reason(e);
    });
    if (i.size === 0 && stored === 0) i.onProgress?.(0);
    return { token: sink.token!.toString('base64url'), nodeKey: enc.result.nodeKey, c: i.mtimeSeconds === null ? null : tap.fingerprint(i.mtimeSeconds) };
  } catch (err) {
    const own = controller.signal.aborted && controller.signal.reason instanceof MegamirrorError ? controller.signal.reason : null;
    const e = own ?? (err instanceof MegamirrorError ? err : reason(err));
    fail(e);
    i.input.destroy();
    throw i.signal?.aborted ? new MegamirrorError('interrupted', 'interrupted', { where: i.where }) : e;
  } finally {
    dog.stop();
  }
}
