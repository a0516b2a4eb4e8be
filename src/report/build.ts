import type { Job } from '../config/types.js';
import { summarize } from '../core/summary.js';
import type { Plan, SkippedEntry } from '../core/types.js';
import type { ActionResult } from '../engine/results.js';
import type { FailedAction, JobReport, JobStatus } from './types.js';

export interface JobReportInput {
  job: Job;
  source: string;
  destination: string;
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  status: JobStatus;
  plan: Plan | null;
  results: readonly ActionResult[];
  error?: JobReport['error'];
  refusal?: JobReport['refusal'];
}

/** Fold a plan and its action results into the versioned report shape. */
export function buildJobReport(i: JobReportInput): JobReport {
  const done = summarize(
    i.results.filter((r) => r.outcome === 'done').map((r) => r.action),
    0,
    { files: 0, bytes: 0 },
  );
  // A link that fell back to copying moved bytes: count them as copied.
  for (const r of i.results) {
    if (r.outcome === 'done' && r.action.op === 'link' && r.bytes > 0) {
      done.link.files--;
      done.link.bytes -= r.action.size;
      done.copy.files++;
      done.copy.bytes += r.bytes;
    }
  }
  const failed: FailedAction[] = [];
  const skippedActions: Record<string, number> = {};
  for (const r of i.results) {
    if (r.outcome === 'failed') {
      failed.push({ op: r.action.op, path: r.action.path, reason: r.action.reason, code: r.error.code, message: r.error.message, attempts: r.attempts });
    } else if (r.outcome === 'skipped') {
      skippedActions[r.why] = (skippedActions[r.why] ?? 0) + 1;
    }
  }
  const empty = summarize([], 0, { files: 0, bytes: 0 });
  const report: JobReport = {
    name: i.job.name,
    type: i.job.type,
    source: i.source,
    destination: i.destination,
    dry_run: i.dryRun,
    started_at: i.startedAt.toISOString(),
    finished_at: i.finishedAt.toISOString(),
    duration_ms: i.finishedAt.getTime() - i.startedAt.getTime(),
    status: i.status,
    planned: i.plan?.summary ?? empty,
    done: { copy: done.copy, link: done.link, delete: done.delete, mkdir: done.mkdir, rmdir: done.rmdir, prune: done.prune },
    failed_actions: failed,
    skipped_actions: skippedActions,
    warnings: [...(i.plan?.warnings ?? []), ...fallbackWarnings(i.results)],
    skipped: i.plan?.skipped ?? [],
  };
  if (i.error) report.error = i.error;
  if (i.refusal) report.refusal = i.refusal;
  return report;
}

/**
 * The status of an applied plan: any failure or skip makes it partial, and so does anything the
 * scan could not read (`skipped`: a folder without permission was not backed up); an abort makes
 * it interrupted.
 */
export function statusOf(results: readonly ActionResult[], interrupted: boolean, skipped: readonly SkippedEntry[] = []): JobStatus {
  if (interrupted) return 'interrupted';
  return results.some((r) => r.outcome !== 'done') || skipped.some((k) => k.reason === 'unreadable') ? 'partial' : 'ok';
}

/** Reuse that had to copy bytes (another device, no hard links) is worth a warning, once per run. */
function fallbackWarnings(results: readonly ActionResult[]): JobReport['warnings'] {
  const copied = results.filter((r) => r.outcome === 'done' && r.action.op === 'link' && r.bytes > 0);
  if (copied.length === 0) return [];
  return [{
    code: 'link-fallback',
    message: `${copied.length} unchanged file${copied.length === 1 ? ' was' : 's were'} copied instead of linked: the destination cannot hard-link here (another device, or no link support)`,
  }];
}
