/**
 * Download one file: megajs fetches the ciphertext (`returnCiphertext`: `g` through our API, then
 * ranged GETs over up to 4 connections, reassembled in order); we decrypt and verify the MAC
 * natively (DecryptStream).
 *
 * Contract: returns the plaintext stream at once. Plaintext flows before the MAC can be checked,
 * so the consumer must write it somewhere temporary: at the end the stream either ends (MAC good)
 * or fails with MegamirrorError('integrity', 'MAC verification failed: ...', { where }), marked
 * transient since a byte damaged in transit is cured by downloading again. Transfer failures arrive as classified
 * MegamirrorErrors (over quota with the time left, transient network errors), a stall of
 * `idleTimeoutMs` as `timeout`, an abort as `interrupted`. Destroying the stream cancels megajs's
 * in-flight requests.
 */

import { PassThrough, Readable } from 'node:stream';
import { File as MegaFile } from 'megajs';
import { MegamirrorError } from '../../errors.js';
import type { MegaApi } from './api.js';
import { createDecryptStream, unpackNodeKey } from './crypto/index.js';
import { classify } from './errors.js';
import { chunkRetries, transferApi } from './transfer-host.js';
import { watchdog } from './watchdog.js';

export interface DownloadInput {
  api: MegaApi;
  handle: string;
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
  const decrypt = createDecryptStream(i.nodeKey, { where: i.where });
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const fail = (e: MegamirrorError) => {
    i.onError?.(e);
    if (!out.destroyed) out.destroy(e);
  };
  const dog = watchdog(i.idleTimeoutMs, () =>
    fail(new MegamirrorError('timeout', `the download made no progress for ${Math.round(i.idleTimeoutMs / 1000)} s`, { where: i.where, transient: true })),
  );

  const file = new MegaFile({});
  file.api = transferApi({ api: i.api, op: 'download', where: i.where, signal, requestTimeoutMs: i.requestTimeoutMs });
  file.nodeId = i.handle;
  file.key = null;
  file.directory = false;
  const cipher = file.download({ returnCiphertext: true, handleRetries: chunkRetries({ op: 'download', where: i.where, signal }) });
  cipher.on('progress', () => dog.kick());
  cipher.on('error', (e: unknown) => fail(classify(e, { op: 'download', where: i.where })));
  decrypt.on('error', (e: unknown) => {
    const m = e instanceof MegamirrorError && e.code === 'integrity'
      ? new MegamirrorError('integrity', 'MAC verification failed: the downloaded content does not match its MAC', { where: i.where, transient: true })
      : classify(e, { op: 'download', where: i.where });
    fail(m);
  });
  out.on('close', () => {
    dog.stop();
    controller.abort();
    cipher.destroy();
    decrypt.destroy();
  });
  const onAbort = () => fail(new MegamirrorError('interrupted', 'interrupted', { where: i.where }));
  if (i.signal?.aborted) onAbort();
  else i.signal?.addEventListener('abort', onAbort, { once: true });
  out.on('close', () => i.signal?.removeEventListener('abort', onAbort));
  cipher.pipe(decrypt).pipe(out);
  return out;
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
