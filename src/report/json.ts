import type { Action, Plan } from '../core/types.js';
import { REPORT_FORMAT_VERSION, type JobReport, type JobStatus, type RunReport } from './types.js';

/** `plan --json`: versioned like the report (see `schemas/plan.schema.json`). */
export const PLAN_FORMAT_VERSION = 1;

/** `fingerprints` (job name -> hash) makes the JSON a saved plan that `apply` accepts. */
export function planToJson(plans: readonly Plan[], fingerprints?: ReadonlyMap<string, string>): object {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    jobs: plans.map((p) => ({
      ...(fingerprints?.has(p.job) ? { job_fingerprint: fingerprints.get(p.job) } : {}),
      job: p.job,
      kind: p.kind,
      source: p.source,
      destination: p.destination,
      actions: p.actions.map(actionToJson),
      unchanged: p.unchanged,
      summary: p.summary,
      warnings: p.warnings,
      skipped: p.skipped,
    })),
  };
}

function actionToJson(a: Action): object {
  const out: Record<string, unknown> = { op: a.op, phase: a.phase, path: a.path, reason: a.reason };
  if ('size' in a) out.size = a.size;
  if ('mtimeMs' in a && a.mtimeMs !== undefined) out.mtime = isoOrNull(a.mtimeMs);
  if (a.op === 'link') out.from = a.from;
  if (a.op === 'copy' && a.sourcePath !== undefined) out.source_path = a.sourcePath;
  if (a.op === 'manifest' || a.op === 'prune') out.snapshot = a.snapshot;
  if (a.op === 'prune') out.detail = a.detail;
  if (a.op === 'copy' && a.previous) out.previous = { size: a.previous.size, mtime: isoOrNull(a.previous.mtimeMs) };
  return out;
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

export function runReport(jobs: JobReport[], o: { version: string; startedAt: Date; finishedAt: Date; dryRun: boolean }): RunReport {
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    tool: { name: 'megamirror', version: o.version },
    started_at: o.startedAt.toISOString(),
    finished_at: o.finishedAt.toISOString(),
    dry_run: o.dryRun,
    status: overallStatus(jobs.map((j) => j.status)),
    jobs,
  };
}

/** The worst job status wins, in this order. */
const SEVERITY: JobStatus[] = ['ok', 'skipped', 'partial', 'refused', 'failed', 'interrupted'];

export function overallStatus(statuses: readonly JobStatus[]): JobStatus {
  let worst: JobStatus = 'ok';
  for (const s of statuses) if (SEVERITY.indexOf(s) > SEVERITY.indexOf(worst)) worst = s;
  return worst;
}
