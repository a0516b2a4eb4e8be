import type { SnapshotPlan } from '../../core/snapshot/plan.js';
import type { ActionResult } from '../results.js';

/** The `snapshot` section of a job report: which snapshot, whether it completed, bytes moved and reused, what was pruned. */
export function snapshotReport(plan: SnapshotPlan, results: readonly ActionResult[], dryRun: boolean): Record<string, unknown> {
  let transferred = 0;
  let reused = 0;
  for (const r of results) {
    if (r.outcome !== 'done') continue;
    if (r.action.op === 'copy') transferred += r.bytes;
    if (r.action.op === 'link') {
      if (r.bytes > 0) transferred += r.bytes;
      else reused += r.action.size;
    }
  }
  const doneOf = (path: string) => results.find((r) => r.action.path === path && r.action.op === 'prune')?.outcome === 'done';
  return {
    id: plan.snapshot,
    complete: results.some((r) => r.action.op === 'manifest' && r.outcome === 'done'),
    bytes_transferred: transferred,
    bytes_reused: reused,
    incomplete: plan.actions
      .filter((a) => a.op === 'prune' && a.reason === 'incomplete')
      .map((a) => ({ id: a.path, outcome: dryRun ? 'would be removed' : doneOf(a.path) ? 'removed' : 'kept', detail: a.op === 'prune' ? a.detail : '' })),
    retention: plan.retention.map((v) => ({ id: v.id, keep: v.keep, reasons: v.reasons, removed: !v.keep && !dryRun && doneOf(v.id) })),
  };
}
