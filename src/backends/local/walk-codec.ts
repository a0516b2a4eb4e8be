import type { Entry, SkippedEntry, Warning } from '../../core/types.js';
import type { WalkResult } from './walk.js';

export interface WalkRequest {
  root: string;
  followSymlinks: boolean;
  selection?: { include: string[]; exclude: string[] };
  /** Whether the walk may use the native helper (the caller's switch, see setNativeEnabled). */
  native: boolean;
}

/**
 * A listing as a few flat buffers: a structured clone of 100,000 small objects costs more than
 * the walk's own work, while strings joined by NUL (never in a name) and typed arrays move at once.
 */
export interface EncodedWalk {
  paths: string;
  kinds: Uint8Array;
  sizes: Float64Array;
  mtimes: Float64Array;
  skipped: SkippedEntry[];
  warnings: Warning[];
  diskNames: Array<[string, string]>;
}

export function encodeWalk(r: WalkResult): { message: EncodedWalk; transfer: ArrayBuffer[] } {
  const n = r.entries.length;
  const kinds = new Uint8Array(n);
  const sizes = new Float64Array(n);
  const mtimes = new Float64Array(n);
  const paths: string[] = new Array<string>(n);
  r.entries.forEach((e, i) => {
    paths[i] = e.path;
    if (e.kind === 'file') {
      kinds[i] = 1;
      sizes[i] = e.size;
      mtimes[i] = e.mtimeMs ?? Number.NaN;
    }
  });
  return {
    message: { paths: paths.join('\0'), kinds, sizes, mtimes, skipped: r.skipped, warnings: r.warnings, diskNames: [...r.diskNames] },
    transfer: [kinds.buffer as ArrayBuffer, sizes.buffer as ArrayBuffer, mtimes.buffer as ArrayBuffer],
  };
}

export function decodeWalk(m: EncodedWalk): WalkResult {
  const paths = m.paths === '' ? [] : m.paths.split('\0');
  const entries: Entry[] = new Array<Entry>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    const mt = m.mtimes[i]!;
    entries[i] = m.kinds[i] === 1
      ? { kind: 'file', path: paths[i]!, size: m.sizes[i]!, mtimeMs: Number.isNaN(mt) ? null : mt }
      : { kind: 'dir', path: paths[i]! };
  }
  return { entries, skipped: m.skipped, warnings: m.warnings, diskNames: new Map(m.diskNames) };
}
