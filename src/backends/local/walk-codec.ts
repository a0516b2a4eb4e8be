import type { Entry, RelPath, SkippedEntry, Warning } from '../../core/types.js';
import type { FolderSlice, WalkResult } from './walk.js';

/** What a walker thread is told when it starts (its workerData). */
export interface WalkerData {
  holdYoungGeneration: boolean;
}

export interface WalkRequest {
  root: string;
  followSymlinks: boolean;
  selection?: { include: string[]; exclude: string[] };
  /** Whether the walk may use the native helper (the caller's switch, see setNativeEnabled). */
  native: boolean;
}

/**
 * A slice of folders as a few flat buffers: a structured clone of thousands of small objects
 * costs more than the walk's own work, while strings joined by NUL (never in a name) and typed
 * arrays move at once. The walker posts one per slice as it goes, so the receiving thread builds
 * the entries while the walk goes on instead of all of them after it.
 */
export interface EncodedSlice {
  kind: 'slice';
  /** The folders' paths, joined by NUL. */
  folders: string;
  /** Entries per folder, in order. */
  counts: Uint32Array;
  paths: string;
  kinds: Uint8Array;
  sizes: Float64Array;
  mtimes: Float64Array;
}

/** The walk's end: what is not per folder. */
export interface EncodedEnd {
  kind: 'end';
  skipped: SkippedEntry[];
  warnings: Warning[];
  diskNames: Array<[string, string]>;
}

export interface EncodedError {
  kind: 'error';
  error: { code: string; message: string; where: string; hint?: string };
}

export type WalkMessage = EncodedSlice | EncodedEnd | EncodedError;

export function encodeSlice(slice: FolderSlice): { message: EncodedSlice; transfer: ArrayBuffer[] } {
  let n = 0;
  for (const [, list] of slice) n += list.length;
  const counts = new Uint32Array(slice.length);
  const kinds = new Uint8Array(n);
  const sizes = new Float64Array(n);
  const mtimes = new Float64Array(n);
  const paths = new Array<string>(n);
  let i = 0;
  slice.forEach(([, list], f) => {
    counts[f] = list.length;
    for (const e of list) {
      paths[i] = e.path;
      if (e.kind === 'file') {
        kinds[i] = 1;
        sizes[i] = e.size;
        mtimes[i] = e.mtimeMs ?? Number.NaN;
      }
      i++;
    }
  });
  return {
    message: { kind: 'slice', folders: slice.map(([rel]) => rel).join('\0'), counts, paths: paths.join('\0'), kinds, sizes, mtimes },
    transfer: [counts.buffer as ArrayBuffer, kinds.buffer as ArrayBuffer, sizes.buffer as ArrayBuffer, mtimes.buffer as ArrayBuffer],
  };
}

/** Adds a slice's folders and their entries to `into` (folder path -> entries). */
export function decodeSlice(m: EncodedSlice, into: Map<RelPath, Entry[]>): void {
  const folders = m.folders.split('\0');
  const paths = m.kinds.length === 0 ? [] : m.paths.split('\0');
  let i = 0;
  folders.forEach((rel, f) => {
    const list = new Array<Entry>(m.counts[f]!);
    for (let k = 0; k < list.length; k++, i++) {
      const mt = m.mtimes[i]!;
      list[k] = m.kinds[i] === 1
        ? { kind: 'file', path: paths[i]!, size: m.sizes[i]!, mtimeMs: Number.isNaN(mt) ? null : mt }
        : { kind: 'dir', path: paths[i]! };
    }
    into.set(rel, list);
  });
}

export function encodeEnd(r: Omit<WalkResult, 'entries'>): EncodedEnd {
  return { kind: 'end', skipped: r.skipped, warnings: r.warnings, diskNames: [...r.diskNames] };
}
