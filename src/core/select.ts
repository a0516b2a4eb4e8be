import type { Filter } from './filter.js';
import { isWithin, parentOf } from './paths.js';
import type { Entry, Listing } from './types.js';

/**
 * The source entries a job takes: selected files, and the folders that are kept (see `Filter`).
 * Input must be sorted with `comparePaths`; the output keeps that order (and may be the input's
 * own array, when the filter selects everything: do not modify it).
 */
export function selectEntries(listing: Listing, filter: Filter): readonly Entry[] {
  if (filter.selectsEverything) return listing.entries;
  const candidates: Entry[] = [];
  const keptDirs = new Set<string>();
  let excludedDir: string | null = null;
  for (const e of listing.entries) {
    if (excludedDir !== null && isWithin(e.path, excludedDir)) continue;
    excludedDir = null;
    if (e.kind === 'dir') {
      if (filter.dirVerdict(e.path) === 'excluded') {
        excludedDir = e.path;
        continue;
      }
      candidates.push(e);
      if (filter.includesDir(e.path)) keep(keptDirs, e.path);
    } else if (filter.selectsFile(e.path)) {
      candidates.push(e);
      keep(keptDirs, parentOf(e.path));
    }
  }
  return candidates.filter((e) => e.kind === 'file' || keptDirs.has(e.path));
}

/** Mark a folder and all its ancestors as kept (stops early at one already marked). */
function keep(kept: Set<string>, dir: string): void {
  for (let d = dir; d !== '' && !kept.has(d); d = parentOf(d)) kept.add(d);
}
