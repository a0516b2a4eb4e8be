import type { FileEntry } from './types.js';

export interface CompareOptions {
  mode: 'size-mtime' | 'size';
  /** Largest mtime difference still counted as equal, in ms (already raised to backend precision). */
  toleranceMs: number;
}

/** The verdict for one file present on both sides. `sizeOnly` says the mtime could not be used. */
export type Comparison =
  | { changed: false; sizeOnly: boolean }
  | { changed: true; reason: 'size-differs' | 'mtime-differs' };

// Shared verdicts: a plan compares every file, and most are unchanged.
const SAME: Comparison = Object.freeze({ changed: false, sizeOnly: false });
const SAME_SIZE_ONLY: Comparison = Object.freeze({ changed: false, sizeOnly: true });
const SIZE_DIFFERS: Comparison = Object.freeze({ changed: true, reason: 'size-differs' });
const MTIME_DIFFERS: Comparison = Object.freeze({ changed: true, reason: 'mtime-differs' });

/** Different size means changed; otherwise mtimes further apart than the tolerance mean changed. */
export function compareFiles(src: FileEntry, dst: FileEntry, options: CompareOptions): Comparison {
  if (src.size !== dst.size) return SIZE_DIFFERS;
  if (options.mode === 'size') return SAME;
  if (src.mtimeMs === null || dst.mtimeMs === null) return SAME_SIZE_ONLY;
  if (Math.abs(src.mtimeMs - dst.mtimeMs) > options.toleranceMs) return MTIME_DIFFERS;
  return SAME;
}

/** The tolerance a pair of backends can honour: never finer than what either side stores. */
export function effectiveTolerance(jobToleranceMs: number, ...precisionsMs: (number | null)[]): number {
  let t = jobToleranceMs;
  for (const p of precisionsMs) if (p !== null && p > t) t = p;
  return t;
}
