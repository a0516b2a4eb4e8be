/**
 * Upload the content of one file, in one pass over the source: plaintext -> size check and
 * fingerprint windows (PlainTap) -> AES-128-CTR and the SDK's chunk MACs (EncryptStream) -> megajs,
 * which cuts the ciphertext on MAC chunk boundaries (its defaults: 128 KiB steps up to 1 MiB) and
 * sends it over up to 4 connections. Nothing becomes visible: megajs's closing `p` is intercepted
 * (transfer-host.ts) and the caller creates the node with the returned token, node key and `c`.
 *
 * Why one pass although megajs wants the node key before it starts: megajs only uses that key to
 * build the `p` we throw away, so it gets a placeholder (the real K and N, M = 0); the real key,
 * with the MAC of exactly the bytes that were encrypted, is known when the stream ends. A source
 * that changes while being read is caught by the caller's `beforeCommit` (stat before/after), as
 * for local writes.
 *
 * Contract: resolves once the storage server returned the completion token AND the plaintext
 * stream ended with exactly `size` bytes. Rejects with a MegamirrorError: `size-mismatch`,
 * classified transfer errors, `timeout` when nothing moves for `idleTimeoutMs`, `interrupted` on
 * abort. Every wait is bounded; on failure in-flight chunk requests are cancelled. Memory stays
 * flat (a few MiB) whatever the size.
 */

import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MutableFile } from 'megajs';
import { MegamirrorError } from '../../errors.js';
import type { MegaApi } from './api.js';
import { createEncryptStream, packNodeKey, randomFileSecrets } from './crypto/index.js';
import { classify } from './errors.js';
import { PlainTap } from './plain-tap.js';
import { chunkRetries, hostStorage, transferApi } from './transfer-host.js';
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
  const enc = createEncryptStream(secrets);
  const dog = watchdog(i.idleTimeoutMs, () =>
    fail(new MegamirrorError('timeout', `the upload made no progress for ${Math.round(i.idleTimeoutMs / 1000)} s`, { where: i.where, transient: true })),
  );

  let resolveToken!: (t: string) => void;
  const token = new Promise<string>((resolve) => (resolveToken = resolve));
  const api = transferApi({
    api: i.api, op: 'upload', where: i.where, signal, requestTimeoutMs: i.requestTimeoutMs,
    onCompletionToken: (t) => resolveToken(t),
  });
  const host = new MutableFile({ h: 'xxxxxxxx', t: 1 }, hostStorage(api));
  const placeholder = packNodeKey({ ...secrets, macCondensed: Buffer.alloc(8) });
  const stream = host.upload(
    {
      name: 'upload',
      attributes: { n: 'upload' },
      size: i.size,
      key: placeholder,
      uploadCiphertext: true,
      handleRetries: chunkRetries({ op: 'upload', where: i.where, signal }),
    },
    null,
  );
  let uploaded = 0;
  stream.on('progress', (p: { bytesUploaded?: number }) => {
    dog.kick();
    const now = p.bytesUploaded ?? uploaded;
    if (now > uploaded) i.onProgress?.(now - uploaded);
    uploaded = now;
  });
  stream.on('error', (e: unknown) => fail(classify(e, { op: 'upload', where: i.where })));
  stream.complete.catch(() => undefined);
  tap.onBytes = () => dog.kick();

  const failed = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal.reason instanceof MegamirrorError ? signal.reason : classify(signal.reason, { op: 'upload', where: i.where }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  failed.catch(() => undefined);

  try {
    // An empty file: megajs ends its own stream and sends one empty chunk.
    const sink = i.size === 0 ? new Writable({ write: (_c, _e, cb) => cb() }) : stream;
    const content = pipeline(i.input, tap, enc, sink, { signal }).catch((e: unknown) => {
      const err = signal.reason instanceof MegamirrorError ? signal.reason : classify(e, { op: 'upload', where: i.where });
      fail(err);
      throw err;
    });
    content.catch(() => undefined);
    const [t] = await Promise.race([Promise.all([token, content]), failed]);
    if (i.size === 0 && uploaded === 0) i.onProgress?.(0);
    return { token: t, nodeKey: enc.result.nodeKey, c: i.mtimeSeconds === null ? null : tap.fingerprint(i.mtimeSeconds) };
  } catch (err) {
    const e = err instanceof MegamirrorError ? err : classify(err, { op: 'upload', where: i.where });
    fail(e);
    i.input.destroy();
    throw i.signal?.aborted ? new MegamirrorError('interrupted', 'interrupted', { where: i.where }) : e;
  } finally {
    dog.stop();
  }
}
