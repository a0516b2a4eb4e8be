import { createWriteStream } from 'node:fs';
import { copyFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegamirrorError, fromSystemError } from '../../errors.js';
import type { WriteMeta, WriteSource } from '../backend.js';
import { copyByChunks } from './fd-copy.js';
import { partialName } from './partial.js';

/** Files below this size are copied with one copyFile call (copy_file_range); larger ones in chunks so an abort stops them. */
const ONE_SHOT_LIMIT = 8 * 1024 * 1024;
const STREAM_CHUNK = 1024 * 1024;

/**
 * Write `final` atomically: content goes to a hidden partial name in the same folder, is checked
 * for size, gets its mtime, passes `beforeCommit`, and is renamed into place in one step. Any
 * failure or abort removes the partial file; the old content under `final` is never touched.
 */
export async function atomicWrite(
  final: string, where: string, content: WriteSource, meta: WriteMeta, signal?: AbortSignal,
): Promise<void> {
  const tmp = join(dirname(final), partialName(basename(final)));
  try {
    signal?.throwIfAborted();
    if (content.localPath !== undefined && meta.size <= ONE_SHOT_LIMIT) {
      await copyFile(content.localPath, tmp);
      content.onProgress?.(meta.size);
    } else if (content.localPath !== undefined) {
      await copyByChunks(content.localPath, tmp, signal, content.onProgress);
    } else {
      const out = createWriteStream(tmp, { flags: 'wx', highWaterMark: STREAM_CHUNK });
      const input = await content.open();
      if (content.onProgress) await pipeline(input, counter(content.onProgress), out, { signal });
      else await pipeline(input, out, { signal });
    }
    signal?.throwIfAborted();
    const written = (await stat(tmp)).size;
    if (written !== meta.size) {
      throw new MegamirrorError('size-mismatch', `expected ${meta.size} bytes, read ${written}`, { where, transient: true });
    }
    if (meta.mtimeMs !== null) await utimes(tmp, Date.now() / 1000, utimeSeconds(meta.mtimeMs));
    await meta.beforeCommit?.();
    signal?.throwIfAborted();
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw signal?.aborted ? new MegamirrorError('interrupted', 'interrupted', { where }) : fromSystemError(err, where);
  }
}

/**
 * Node passes times to the kernel as float seconds and truncates to nanoseconds, so 123 ms can land
 * as 122.9999 ms. Half a microsecond more makes the stored time read back as the same whole ms.
 */
export function utimeSeconds(mtimeMs: number): number {
  return (Math.floor(mtimeMs) + 0.0005) / 1000;
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}
