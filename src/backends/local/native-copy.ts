import type { WriteMeta } from '../backend.js';
import { nativeCopyError, type NativeHelpers } from '../../native.js';

/** Copies at least this big can be cancelled midway and report progress while they run. */
const PROGRESS_FROM = 8 * 1024 * 1024;
const PROGRESS_EVERY_MS = 200;

/** Where a copy goes: the partial name, and the final one when the helper commits it too. */
export interface NativeTarget {
  partial: string;
  /** Set: renamed here once whole (and the source checked unchanged when `checkSource`). */
  final?: string;
  checkSource?: boolean;
  /** The path errors name. */
  where: string;
}

/**
 * One file through the native helper: the copy runs on the thread pool; an abort asks it to stop
 * at the next chunk (it then removes the new file itself) and progress is read from the shared
 * state while it runs. Resolves with the bytes copied (the planned size + 1 means it grew).
 */
export async function nativeCopy(
  native: NativeHelpers, from: string, to: NativeTarget, meta: WriteMeta, signal?: AbortSignal, onProgress?: (bytes: number) => void,
): Promise<number> {
  // Small copies end within a millisecond or so: no shared state, no abort listener (the caller
  // checks the signal right after and removes the file). Large ones stop at the next chunk.
  signal?.throwIfAborted();
  const large = meta.size >= PROGRESS_FROM;
  const state = large ? new Float64Array(2) : undefined;
  const cancel = () => {
    state![0] = 1;
  };
  if (large) signal?.addEventListener('abort', cancel, { once: true });
  let reported = 0;
  const report = (upTo: number) => {
    if (onProgress !== undefined && upTo > reported) {
      onProgress(upTo - reported);
      reported = upTo;
    }
  };
  const timer = onProgress !== undefined && large ? setInterval(() => report(state![1]!), PROGRESS_EVERY_MS) : undefined;
  try {
    const bytes = await native.copyFile(from, to.partial, meta.size, meta.mtimeMs, state, to.final, to.checkSource === true).catch((f: unknown) => {
      throw nativeCopyError(f, from, to.partial, to.where);
    });
    report(Math.min(bytes, meta.size));
    return bytes;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    if (large) signal?.removeEventListener('abort', cancel);
  }
}
