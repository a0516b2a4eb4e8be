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
  const dst = new Map<string, Entry>();
  for (const e of destination.listing.entries) dst.set(keyOf(e.path), e);

  const warnings: Warning[] = [...source.listing.warnings, ...destination.listing.warnings];
  const skipped = [...source.listing.skipped, ...destination.listing.skipped];
  const b = new ActionBuckets();
  const matched = new Set<string>();
  /** Destination folders removed to make room for a file: everything below goes with them. */
  const cleared: RelPath[] = [];
  let unchanged = 0;
  let unchangedBytes = 0;

  /** Source folders skipped as name collisions: what lies below them would land in their twin. */
  const collided: RelPath[] = [];
  for (const s of selectEntries(source.listing, filter)) {
    const key = keyOf(s.path);
    const inside = collided.find((c) => isWithin(s.path, c));
    if (inside !== undefined) {
      skipped.push({ path: s.path, reason: 'name-collision', detail: `inside ${inside}, which the destination sees as the same name as another folder` });
      continue;
    }
    if (matched.has(key)) {
      skipped.push({ path: s.path, reason: 'name-collision', detail: 'the destination sees it as the same name as another entry' });
      if (s.kind === 'dir') collided.push(s.path);
      continue;
    }
    matched.add(key);
    const d = dst.get(key);
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
  for (const d of destination.listing.entries) {
    if (matched.has(keyOf(d.path)) && !cleared.includes(d.path)) continue;
    const underCleared = cleared.find((c) => isWithin(d.path, c));
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
    if (k.reason === 'duplicate' && k.id !== undefined && (input.deleteExtraneous || matched.has(keyOf(k.path)))) {
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
