import { comparePaths, parentOf } from '../../src/core/paths.js';
import type { Entry, Listing } from '../../src/core/types.js';

/** A file literal for tree(): size and mtime (ISO or ms); content is irrelevant to the planner. */
export function file(size: number, mtime: string | number | null = '2024-01-01T00:00:00Z') {
  return { kind: 'file' as const, size, mtimeMs: typeof mtime === 'string' ? Date.parse(mtime) : mtime };
}

export const dir = { kind: 'dir' as const };

type Spec = Record<string, ReturnType<typeof file> | typeof dir>;

/** A sorted listing from literals; parent folders are added implicitly. */
export function tree(spec: Spec): Listing {
  const entries = new Map<string, Entry>();
  for (const [path, v] of Object.entries(spec)) {
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) if (!entries.has(p)) entries.set(p, { kind: 'dir', path: p });
    entries.set(path, v.kind === 'dir' ? { kind: 'dir', path } : { kind: 'file', path, size: v.size, mtimeMs: v.mtimeMs });
  }
  return { entries: [...entries.values()].sort((a, b) => comparePaths(a.path, b.path)), skipped: [], warnings: [] };
}
