import { createWriteStream, readFileSync, renameSync, utimesSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, utimes } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegamirrorError, fromSystemError } from '../../errors.js';
import type { WriteMeta, WriteSource } from '../backend.js';
import type { CopyQueue } from './copy-queue.js';
import { copyByChunks } from './fd-copy.js';
import { nativeCopy, type NativeTarget } from './native-copy.js';
import { nativeHelpers, type NativeHelpers } from '../../native.js';
import { partialName } from './partial.js';

/**
 * No fs.copyFile here, whatever its speed: libuv's copyfile loops for ever, unkillable but by
 * SIGKILL, when the source shrinks while it copies (a log truncated by logrotate's copytruncate;
 * test/reliability/changing-sources.test.ts). Positional reads stop at the end of the file as it is.
 */
const STREAM_CHUNK = 1024 * 1024;
/** Below this, the whole write is synchronous: measured 2-3x faster for trees of small files. */
const SYNC_LIMIT = 256 * 1024;

/**
 * Write `final` atomically: content goes to a hidden partial name in the same folder, is checked
 * for size, gets its mtime, passes `beforeCommit`, and is renamed into place in one step. Any
 * failure or abort removes the partial file; the old content under `final` is never touched.
 */
export function atomicWrite(
  final: string, where: string, content: WriteSource, meta: WriteMeta, signal?: AbortSignal, queue?: CopyQueue,
): Promise<void> {
  const slash = final.lastIndexOf('/');
  const tmp = final.slice(0, slash + 1) + partialName(final.slice(slash + 1));
  const native = content.localPath !== undefined ? nativeHelpers() : null;
  return native !== null
    ? nativeWrite(native, final, tmp, where, content.localPath!, content.onProgress, meta, signal, queue)
    : fsWrite(final, tmp, where, content, meta, signal);
}

/** atomicWrite through node:fs (no native helper, or a source that is not a local file). */
async function fsWrite(final: string, tmp: string, where: string, content: WriteSource, meta: WriteMeta, signal?: AbortSignal): Promise<void> {
  let out: WriteStream | undefined;
  try {
    signal?.throwIfAborted();
    let written: number;
    if (content.localPath !== undefined && meta.size <= SYNC_LIMIT) {
      // Small files: a handful of synchronous calls beats four thread-pool round trips.
      const data = readFileSync(content.localPath);
      writeFileSync(tmp, data, { flag: 'wx' });
      written = data.length;
      if (meta.mtimeMs !== null) utimesSync(tmp, Date.now() / 1000, utimeSeconds(meta.mtimeMs));
      content.onProgress?.(meta.size);
      if (written !== meta.size) throw new MegamirrorError('size-mismatch', `expected ${meta.size} bytes, read ${written}`, { where, transient: true });
      await meta.beforeCommit?.();
      signal?.throwIfAborted();
      renameSync(tmp, final);
      return;
    } else if (content.localPath !== undefined) {
      written = await copyByChunks(content.localPath, tmp, meta.size, signal, content.onProgress);
    } else {
      // The source first: a stream that fails to open (over quota) must not race the creation
      // of the partial file with its removal below.
      const input = await content.open();
      let n = 0;
      out = createWriteStream(tmp, { flags: 'wx', highWaterMark: STREAM_CHUNK });
      await pipeline(input, counter((b) => { n += b; content.onProgress?.(b); }), out, { signal });
      written = n;
    }
    signal?.throwIfAborted();
    if (written !== meta.size) {
      throw new MegamirrorError('size-mismatch', `expected ${meta.size} bytes, read ${written}`, { where, transient: true });
    }
    if (meta.mtimeMs !== null) await utimes(tmp, Date.now() / 1000, utimeSeconds(meta.mtimeMs));
    await meta.beforeCommit?.();
    signal?.throwIfAborted();
    await rename(tmp, final);
  } catch (err) {
    // A write stream still opening would create the file after the rm: let it close first.
    if (out !== undefined && !out.closed) {
      const closed = once(out, 'close').catch(() => undefined);
      out.destroy();
      await closed;
    }
    await rm(tmp, { force: true }).catch(() => undefined);
    throw signal?.aborted ? new MegamirrorError('interrupted', 'interrupted', { where }) : fromSystemError(err, where);
  }
}

/**
 * atomicWrite through the native helper: one thread-pool job per file or group of small files
 * (native/copy_file.c, copy-queue.ts), mtime included, and the commit too when the only check
 * before it is the source's size and mtime: several copies run at once on the pool, and this
 * thread only collects them.
 */
async function nativeWrite(
  native: NativeHelpers, final: string, tmp: string, where: string, from: string, onProgress: ((bytes: number) => void) | undefined,
  meta: WriteMeta, signal: AbortSignal | undefined, queue: CopyQueue | undefined,
): Promise<void> {
  const inJob = meta.beforeCommit === undefined || meta.beforeCommitChecksSource === true;
  const target: NativeTarget = inJob ? { partial: tmp, where, final, checkSource: meta.beforeCommit !== undefined } : { partial: tmp, where };
  try {
    signal?.throwIfAborted();
    const written = queue !== undefined
      ? await queue.copy(from, target, meta, signal, onProgress)
      : await nativeCopy(native, from, target, meta, signal, onProgress);
    if (written !== meta.size) throw new MegamirrorError('size-mismatch', `expected ${meta.size} bytes, read ${written}`, { where, transient: true });
    if (inJob) return;
    signal?.throwIfAborted();
    await meta.beforeCommit?.();
    signal?.throwIfAborted();
    renameSync(tmp, final);
  } catch (err) {
    // The helper removed its own file on failure; what it left (a copy of another length, or
    // one a later check refused) goes here. Never the final name.
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
