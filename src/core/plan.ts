import { compareFiles, effectiveTolerance } from './compare.js';
import type { Filter } from './filter.js';
import { comparePaths, isWithin } from './paths.js';
import { selectEntries } from './select.js';
import { summarize } from './summary.js';
import type { Action, Capabilities, Entry, FileEntry, Listing, Plan, RelPath, Warning } from './types.js';

export interface MirrorPlanInput {
  job: string;
  source: { display: string; listing: Listing; capabilities: Capabilities };
  destination: { display: string; listing: Listing; capabilities: Capabilities };
  filter: Filter;
  compare: 'size-mtime' | 'size';
  mtimeToleranceMs: number;
  /** Remove destination entries that are not (or no longer) selected in the source. */
  deleteExtraneous: boolean;
}

/**
 * The mirror decision: what to do so that the destination equals the selected part of the source.
 * Pure: reads two listings, returns a Plan whose actions carry reasons and run in the given order.
 */
export function planMirror(input: MirrorPlanInput): Plan {
  const { source, destination, filter } = input;
  const toleranceMs = effectiveTolerance(
    input.mtimeToleranceMs,
    source.capabilities.mtimePrecisionMs,
    destination.capabilities.mtimePrecisionMs,
  );
  const keyOf = destination.capabilities.caseInsensitive
    ? (p: RelPath) => p.toLowerCase()
    : (p: RelPath) => p;
  const dstEntries = destination.listing.entries;
  const selected = selectEntries(source.listing, filter);
  // One cursor over both listings when both come in path order (every backend lists that way)
  // and names compare exactly; otherwise an index by key. Never a merge over a misordered
  // listing: its unmatched destination entries would be planned as deletions.
  const inOrder = !destination.capabilities.caseInsensitive && isSortedByPath(selected) && isSortedByPath(dstEntries);
  const partnerOf = inOrder ? partnerByMerge(dstEntries) : partnerByKey(dstEntries, keyOf);
  /** Destination entries some source entry answers for (by index in dstEntries). */
  const claimed = new Uint8Array(dstEntries.length);

  const warnings: Warning[] = [...source.listing.warnings, ...destination.listing.warnings];
  const skipped = [...source.listing.skipped, ...destination.listing.skipped];
  const b = new ActionBuckets();
  /**
   * Whether a source key was taken already (a second entry with it collides). Keys of a listing
   * in path order repeat next to each other; case-folded or misordered keys need a set.
   */
  const taken = takenKeys(!inOrder);
  /** Destination folders removed to make room for a file: everything below goes with them. */
  const cleared: RelPath[] = [];
  let unchanged = 0;
  let unchangedBytes = 0;

  /** Source folders skipped as name collisions: what lies below them would land in their twin. */
  const collided: RelPath[] = [];
  for (const s of selected) {
    const inside = collided.length === 0 ? undefined : collided.find((c) => isWithin(s.path, c));
    if (inside !== undefined) {
      skipped.push({ path: s.path, reason: 'name-collision', detail: `inside ${inside}, which the destination sees as the same name as another folder` });
      continue;
    }
    const key = keyOf(s.path);
    if (taken.take(key)) {
      skipped.push({ path: s.path, reason: 'name-collision', detail: 'the destination sees it as the same name as another entry' });
      if (s.kind === 'dir') collided.push(s.path);
      continue;
    }
    const at = partnerOf(s.path);
    if (at >= 0) claimed[at] = 1;
    const d = at >= 0 ? dstEntries[at]! : undefined;
    if (d === undefined) {
      b.create(s, 'missing');
    } else if (s.kind === 'dir' && d.kind === 'dir') {
      // nothing to do for a folder present on both sides
    } else if (s.kind === 'file' && d.kind === 'file') {
      const c = compareFiles(s, d, { mode: input.compare, toleranceMs });
      if (c.changed) {
        b.transfer.push(copyOf(s, c.reason, d));
      } else {
        unchanged++;
        unchangedBytes += s.size;
        if (c.sizeOnly) {
          warnings.push({
            code: 'no-mtime',
            path: s.path,
            message: 'compared by size only: one side has no modification time',
          });
        }
      }
    } else {
      warnings.push({
        code: 'type-conflict',
        path: s.path,
        message: `a ${s.kind === 'file' ? 'file' : 'folder'} in the source replaces a ${d.kind === 'file' ? 'file' : 'folder'} at the destination`,
      });
      if (d.kind === 'dir') cleared.push(d.path);
      else b.clear.push({ op: 'delete', phase: 'clear', path: d.path, reason: 'type-conflict', size: d.size, mtimeMs: d.mtimeMs });
      b.create(s, 'type-conflict');
    }
  }

  // What the source could not read (a folder without permission) is unknown, not gone: its copy at
  // the destination is kept, never deleted as "not in source".
  const unreadable = source.listing.skipped.filter((k) => k.reason === 'unreadable').map((k) => keyOf(k.path));
  for (let j = 0; j < dstEntries.length; j++) {
    const d = dstEntries[j]!;
    if (claimed[j] === 1 && (cleared.length === 0 || !cleared.includes(d.path))) continue;
    const underCleared = cleared.length === 0 ? undefined : cleared.find((c) => isWithin(d.path, c));
    if (underCleared !== undefined) {
      b.removal(d, 'type-conflict', 'clear');
    } else if (unreadable.length > 0 && unreadable.some((u) => isWithin(keyOf(d.path), u))) {
      // kept: see above
    } else if (input.deleteExtraneous) {
      b.removal(d, wouldSelect(d, filter) ? 'not-in-source' : 'excluded', 'delete');
    }
  }

  for (const k of destination.listing.skipped) {
    // Leftovers of an interrupted run are ours to remove, whatever the job's delete setting.
    if (k.reason === 'partial') b.clear.push({ op: 'delete', phase: 'clear', path: k.path, reason: 'partial', size: 0 });
    // Shadowed same-named copies of a file (MEGA allows them): removed where the mirror manages
    // the name (the source selects it: the copies are stale extras of a file we keep equal), or
    // where the job deletes anyway (the name itself goes). By id: the path names the winner.
    if (k.reason === 'duplicate' && k.id !== undefined && (input.deleteExtraneous || taken.has(keyOf(k.path)))) {
      b.clear.push({ op: 'delete', phase: 'clear', path: k.path, reason: 'duplicate', size: k.size ?? 0, id: k.id });
    }
  }

  const actions = b.ordered();
  return {
    job: input.job,
    kind: 'mirror',
    source: source.display,
    destination: destination.display,
    actions,
    unchanged,
    skipped,
    warnings,
    summary: summarize(actions, skipped.length, { files: unchanged, bytes: unchangedBytes }),
  };
}

function copyOf(s: FileEntry, reason: 'missing' | 'size-differs' | 'mtime-differs' | 'type-conflict', d?: FileEntry): Action {
  const a: Action = { op: 'copy', phase: 'transfer', path: s.path, reason, size: s.size, mtimeMs: s.mtimeMs };
  if (d) a.previous = { size: d.size, mtimeMs: d.mtimeMs };
  return a;
}

/**
 * The index of the destination entry with a source path, for source paths asked in `comparePaths`
 * order: one cursor walks the sorted destination listing alongside the source (no map of 100,000
 * paths to build; an unchanged tree finds each partner at the cursor).
 */
function partnerByMerge(dst: readonly Entry[]): (path: RelPath) => number {
  let j = 0;
  return (path) => {
    while (j < dst.length) {
      const here = dst[j]!.path;
      if (here === path) return j;
      if (comparePaths(here, path) > 0) return -1;
      j++;
    }
    return -1;
  };
}

/** The same, by key (case-folded on case-insensitive destinations, whose order differs). */
function partnerByKey(dst: readonly Entry[], keyOf: (p: RelPath) => string): (path: RelPath) => number {
  const index = new Map<string, number>();
  dst.forEach((e, i) => index.set(keyOf(e.path), i));
  return (path) => index.get(keyOf(path)) ?? -1;
}

interface TakenKeys {
  /** Records `key`; true when it was recorded before. Keys come in source order. */
  take(key: string): boolean;
  has(key: string): boolean;
}

function takenKeys(needsSet: boolean): TakenKeys {
  const all = new Set<string>();
  if (needsSet) {
    return {
      take: (key) => all.size === all.add(key).size,
      has: (key) => all.has(key),
    };
  }
  let last: string | undefined;
  const kept: string[] = [];
  return {
    take(key) {
      if (key === last) return true;
      last = key;
      kept.push(key);
      return false;
    },
    // Rare (a destination with duplicate names): a set built on first use.
    has(key) {
      if (all.size !== kept.length) for (const k of kept) all.add(k);
      return all.has(key);
    },
  };
}

function isSortedByPath(entries: readonly Entry[]): boolean {
  for (let i = 1; i < entries.length; i++) if (comparePaths(entries[i - 1]!.path, entries[i]!.path) >= 0) return false;
  return true;
}

function wouldSelect(e: Entry, filter: Filter): boolean {
  return e.kind === 'file' ? filter.selectsFile(e.path) : filter.dirVerdict(e.path) !== 'excluded';
}

/** Collects actions per phase and returns them in execution order. */
class ActionBuckets {
  clear: Action[] = [];
  mkdir: Action[] = [];
  transfer: Action[] = [];
  delete: Action[] = [];
  rmdir: Action[] = [];

  create(s: Entry, reason: 'missing' | 'type-conflict'): void {
    if (s.kind === 'dir') this.mkdir.push({ op: 'mkdir', phase: 'mkdir', path: s.path, reason });
    else this.transfer.push(copyOf(s, reason));
  }

  removal(d: Entry, reason: 'not-in-source' | 'excluded' | 'type-conflict', phase: 'clear' | 'delete'): void {
    if (d.kind === 'file') {
      const a: Action = { op: 'delete', phase, path: d.path, reason, size: d.size, mtimeMs: d.mtimeMs };
      (phase === 'clear' ? this.clear : this.delete).push(a);
    } else {
      const a: Action = { op: 'rmdir', phase: phase === 'clear' ? 'clear' : 'rmdir', path: d.path, reason };
      (phase === 'clear' ? this.clear : this.rmdir).push(a);
    }
  }

  /** Parents before children for creation; children before parents for removal. */
  ordered(): Action[] {
    const up = (x: Action, y: Action) => comparePaths(x.path, y.path);
    const down = (x: Action, y: Action) => comparePaths(y.path, x.path);
    return [
      ...this.clear.sort(down),
      ...this.mkdir.sort(up),
      ...this.transfer.sort(up),
      ...this.delete.sort(up),
      ...this.rmdir.sort(down),
    ];
  }
}
