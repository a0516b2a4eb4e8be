import type { Job } from '../../config/types.js';
import { retentionVerdicts, type RetentionVerdict } from '../../core/snapshot/plan.js';
import { summarize } from '../../core/summary.js';
import type { Action, Plan } from '../../core/types.js';
import type { Backend } from '../../backends/backend.js';
import { displayEndpoint } from '../endpoints.js';
import { readCatalog, type SnapshotFolder } from './catalog.js';

export interface PrunePlan {
  plan: Plan;
  verdicts: RetentionVerdict[];
  /** Incomplete snapshots: never pruned on demand (a run may still be writing them). */
  incomplete: SnapshotFolder[];
}

/**
 * On-demand prune: retention over the complete snapshots as they are now. Incomplete ones are
 * listed but left to the next snapshot run, which knows whether it can reuse them.
 */
export async function planPrune(job: Job, destination: Backend, signal?: AbortSignal): Promise<PrunePlan> {
  const catalog = await readCatalog(destination, signal);
  const complete = catalog.snapshots.filter((s) => s.complete);
  const timezone = job.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const verdicts = retentionVerdicts(complete.map((s) => ({ id: s.id, time: s.time })), job.retention, timezone);
  const actions: Action[] = verdicts
    .filter((v) => !v.keep)
    .map((v) => ({ op: 'prune', phase: 'delete', path: v.id, reason: 'retention', snapshot: v.id, detail: 'no retention rule keeps it' }));
  const plan: Plan = {
    job: job.name,
    kind: 'snapshot',
    source: displayEndpoint(job.source),
    destination: displayEndpoint(job.destination),
    actions,
    unchanged: 0,
    skipped: [],
    warnings: catalog.warnings,
    summary: summarize(actions, 0, { files: 0, bytes: 0 }),
  };
  return { plan, verdicts, incomplete: catalog.snapshots.filter((s) => !s.complete) };
}
