import type { RetentionPolicy } from '../../config/types.js';
import { compareFiles, effectiveTolerance } from '../compare.js';
import type { Filter } from '../filter.js';
import { comparePaths, joinRel } from '../paths.js';
import { applyRetention } from '../retention/index.js';
import { selectEntries } from '../select.js';
import { summarize } from '../summary.js';
import type { Action, Capabilities, FileEntry, Listing, Plan, RelPath, Warning } from '../types.js';
import { MANIFEST_NAME, type ManifestEntry } from './manifest.js';

export interface SnapshotRef {
  id: string;
  time: Date;
}

export interface SnapshotPlanInput {
  job: string;
  source: { display: string; listing: Listing; capabilities: Capabilities };
  destination: { display: string; capabilities: Capabilities };
  filter: Filter;
  compare: 'size-mtime' | 'size';
  mtimeToleranceMs: number;
  /** The new snapshot: its id and the run's start time. */
  next: SnapshotRef;
  /** The latest complete snapshot and its manifest entries, when there is one. */
  previous: (SnapshotRef & { entries: ReadonlyMap<RelPath, ManifestEntry> }) | null;
  /** Snapshot folders without a manifest (killed runs), each with a listing relative to its folder. */
  incomplete: ReadonlyArray<SnapshotRef & { listing: Listing }>;
  /** Every complete snapshot, for retention. */
  complete: readonly SnapshotRef[];
  retention: RetentionPolicy | null;
  timezone: string;
}

/** The retention verdict for one snapshot, for `prune` and the plan output. */
export interface RetentionVerdict {
  id: string;
  keep: boolean;
  reasons: string[];
}

export interface SnapshotPlan extends Plan {
  snapshot: string;
  retention: RetentionVerdict[];
}

/**
 * The snapshot decision: a complete new copy under `<next.id>/`, reusing (linking) every file that
 * is unchanged since the previous complete snapshot or already whole in an incomplete one, copying
 * the rest; then the manifest; then removal of incomplete snapshots and of what retention lets go.
 */
export function planSnapshot(input: SnapshotPlanInput): SnapshotPlan {
  const id = input.next.id;
  const toleranceMs = effectiveTolerance(input.mtimeToleranceMs, input.source.capabilities.mtimePrecisionMs, input.destination.capabilities.mtimePrecisionMs);
  const cmp = { mode: input.compare, toleranceMs };
  const incomplete = input.incomplete.map((s) => ({ id: s.id, files: filesOf(s.listing), reused: 0 }));
  const warnings: Warning[] = [...input.source.listing.warnings];
  const mkdirs: Action[] = [{ op: 'mkdir', phase: 'mkdir', path: id, reason: 'missing' }];
  const transfers: Action[] = [];
  let unchanged = 0;
  let unchangedBytes = 0;

  const skipped = [...input.source.listing.skipped];
  for (const e of selectEntries(input.source.listing, input.filter)) {
    if (e.path === MANIFEST_NAME) {
      skipped.push({ path: e.path, reason: 'unsafe-name', detail: 'the snapshot manifest has this name' });
      continue;
    }
    const path = joinRel(id, e.path);
    if (e.kind === 'dir') {
      mkdirs.push({ op: 'mkdir', phase: 'mkdir', path, reason: 'missing' });
      continue;
    }
    const prev = input.previous?.entries.get(e.path);
    const prevCmp = prev?.kind === 'file' ? compareFiles(e, { ...prev, path: e.path }, cmp) : null;
    if (input.previous && prevCmp && !prevCmp.changed) {
      transfers.push(link(e, path, joinRel(input.previous.id, e.path)));
      unchanged++;
      unchangedBytes += e.size;
      if (prevCmp.sizeOnly) warnings.push({ code: 'no-mtime', path: e.path, message: 'reused by size only: one side has no modification time' });
      continue;
    }
    const whole = incomplete.find((s) => {
      const f = s.files.get(e.path);
      return f !== undefined && !compareFiles(e, f, cmp).changed;
    });
    if (whole) {
      whole.reused++;
      transfers.push(link(e, path, joinRel(whole.id, e.path)));
      continue;
    }
    const reason = prevCmp === null ? 'missing' : prevCmp.changed ? prevCmp.reason : 'missing';
    transfers.push({ op: 'copy', phase: 'transfer', path, sourcePath: e.path, reason, size: e.size, mtimeMs: e.mtimeMs });
  }

  const commit: Action = { op: 'manifest', phase: 'commit', path: joinRel(id, MANIFEST_NAME), reason: 'complete', snapshot: id };
  const prunes: Action[] = incomplete.map((s) => ({
    op: 'prune', phase: 'delete', path: s.id, reason: 'incomplete', snapshot: s.id,
    detail: s.reused > 0 ? `incomplete; ${s.reused} of its files reused, then removed` : 'incomplete; removed',
  }));
  const retention = decideRetention(input);
  for (const v of retention) {
    if (!v.keep) prunes.push({ op: 'prune', phase: 'delete', path: v.id, reason: 'retention', snapshot: v.id, detail: 'no retention rule keeps it' });
  }

  const byPath = (a: Action, b: Action) => comparePaths(a.path, b.path);
  const actions = [...mkdirs.sort(byPath), ...transfers.sort(byPath), commit, ...prunes.sort(byPath)];
  return {
    job: input.job,
    kind: 'snapshot',
    source: input.source.display,
    destination: input.destination.display,
    snapshot: id,
    actions,
    unchanged,
    skipped,
    warnings,
    summary: summarize(actions, skipped.length, { files: unchanged, bytes: unchangedBytes }),
    retention,
  };
}

/** Retention over the complete snapshots plus the one this run adds (which, being newest, stays). */
export function decideRetention(input: Pick<SnapshotPlanInput, 'complete' | 'next' | 'retention' | 'timezone'>): RetentionVerdict[] {
  return retentionVerdicts([...input.complete, input.next], input.retention, input.timezone);
}

/** Keep or remove, with reasons, for each snapshot; newest first. No policy keeps everything. */
export function retentionVerdicts(all: readonly SnapshotRef[], policy: RetentionPolicy | null, timezone: string): RetentionVerdict[] {
  const reasons = policy === null ? null : applyRetention([...all], policy, { timezone }).reasons;
  return all
    .map((s) => (reasons === null ? { id: s.id, keep: true, reasons: ['no retention rules'] } : { id: s.id, keep: s.id in reasons, reasons: reasons[s.id] ?? [] }))
    .sort((a, b) => (a.id < b.id ? 1 : -1));
}

function link(e: FileEntry, path: RelPath, from: RelPath): Action {
  return { op: 'link', phase: 'transfer', path, from, reason: 'unchanged', size: e.size, mtimeMs: e.mtimeMs };
}

function filesOf(listing: Listing): Map<RelPath, FileEntry> {
  const m = new Map<RelPath, FileEntry>();
  for (const e of listing.entries) if (e.kind === 'file') m.set(e.path, e);
  return m;
}

export function isSnapshotPlan(plan: Plan): plan is SnapshotPlan {
  return plan.kind === 'snapshot' && 'snapshot' in plan;
}
