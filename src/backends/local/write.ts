import { createWriteStream, readFileSync, renameSync, statSync, utimesSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, rm, utimes } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MegamirrorError, fromSystemError } from '../../errors.js';
import type { LocalFileWrite, WriteMeta, WriteSource } from '../backend.js';
import type { CopyQueue } from './copy-queue.js';
import { copyByChunks } from './fd-copy.js';
import { nativeCopy, type NativeTarget } from './native-copy.js';
import { nativeCopyError, nativeHelpers, type NativeCopyItem, type NativeHelpers } from '../../native.js';
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
 * `writeLocalFiles` through the native helper: the items as one job (copy-queue.ts), each copied
 * to its partial name, given its mtime, checked against the source's planned size and mtime, and
 * renamed into place by the helper, which removes the partial file of any item that failed or
 * came out another length. `finals` holds each item's absolute final path, or the error that
 * refused its path. One outcome per item: null (stored) or its MegamirrorError.
 */
export async function writeGroup(
  queue: CopyQueue, items: readonly LocalFileWrite[], finals: ReadonlyArray<string | MegamirrorError>, signal?: AbortSignal,
): Promise<Array<MegamirrorError | null>> {
  const out = new Array<MegamirrorError | null>(items.length).fill(null);
  const job: NativeCopyItem[] = [];
  const at: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const final = finals[i]!;
    if (typeof final !== 'string') {
      out[i] = final;
      continue;
    }
    const it = items[i]!;
    const slash = final.lastIndexOf('/');
    job.push({ src: it.localPath, dst: final.slice(0, slash + 1) + partialName(final.slice(slash + 1)), limit: it.size, mtimeMs: it.mtimeMs, final, checkSource: true });
    at.push(i);
  }
  if (job.length === 0) return out;
  let results: Awaited<ReturnType<CopyQueue['copyGroup']>>;
  try {
    results = await queue.copyGroup(job, signal);
  } catch (err) {
    for (const i of at) out[i] = signal?.aborted ? new MegamirrorError('interrupted', 'interrupted', { where: items[i]!.path }) : fromSystemError(err, items[i]!.path);
    return out;
  }
  for (let k = 0; k < job.length; k++) {
    const r = results[k];
    const it = items[at[k]!]!;
    if (typeof r !== 'number') out[at[k]!] = fromSystemError(nativeCopyError(r, it.localPath, job[k]!.dst, it.path), it.path);
    else if (r !== it.size) out[at[k]!] = new MegamirrorError('size-mismatch', `expected ${it.size} bytes, read ${r}`, { where: it.path, transient: true });
  }
  return out;
}

/**
 * The check `beforeCommitChecksSource` promises, for writes that make it themselves: the local
 * file (links followed) still has `size` and `mtimeMs`.
 */
export function checkLocalSource(localPath: string, size: number, mtimeMs: number | null, where: string): Promise<void> {
  try {
    const s = statSync(localPath);
    if (!s.isFile() || s.size !== size || (mtimeMs !== null && Math.floor(s.mtimeMs) !== mtimeMs)) {
      throw new MegamirrorError('source-changed', 'the source file changed while it was copied', { where });
    }
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err instanceof MegamirrorError ? err : fromSystemError(err, where));
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
