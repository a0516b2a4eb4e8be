/**
 * One job, run the way `run` and the daemon run it:
 *
 *   lock → before hooks → runJob → store the report → on_success | on_error hooks → after hooks
 *   → store the report again (with the hooks) → last-run index, prune old reports → unlock
 *
 * Contract:
 * - The lock is taken for every real run, and for dry runs that run hooks (a dry run's `after` hook
 *   must not unmount a disk under a real run). A held lock returns `locked` with a `skipped` report
 *   (error code `locked`, naming the holder) and runs nothing. A stale lock is taken over with a
 *   warning through `onWarning`.
 * - A failing `before` hook skips the job (status `skipped`); the later stages still run: on_error
 *   gets MEGAMIRROR_STATUS=skipped and `after` cleans up.
 * - Hooks run only with `runHooks` (the CLI sets it for real runs, and for dry runs with
 *   `--run-hooks`). Hook results are in `report.hooks` (absent when no hook ran). A failing
 *   after/on_success/on_error hook does not change the job's status.
 * - `signal` aborts the before hooks and the job (status `interrupted`); the later hooks still run,
 *   each within its timeout, since they clean up.
 * - Real runs are stored in the state folder (engine/state.ts); dry runs only when hooks ran (so
 *   MEGAMIRROR_REPORT names a file), at `dry-run/<job>.json`, and never in the last-run index.
 * - Never throws for what the job does; throws MegamirrorError when the state folder is unusable.
 */

import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { Job, JobFile } from '../config/types.js';
import type { Plan } from '../core/types.js';
import { buildJobReport } from '../report/build.js';
import { runReport } from '../report/json.js';
import type { HookReport, JobReport, JobStatus } from '../report/types.js';
import { VERSION } from '../version.js';
import { displayEndpoint, type OpenBackend } from './endpoints.js';
import { runHookStage, stagesAfter } from './hooks.js';
import { describeHolder, tryLockJob, type HeldLock, type LockHolder, type LockOptions } from './lock.js';
import type { ApplyEvent } from './results.js';
import { runJob } from './run-job.js';
import { pruneReports, recordRun, writeReport, type JobState } from './state.js';

export interface ExecuteOptions {
  /** `remotes`, when given, names the passwords hooks must not see (hooks.ts). */
  file: Pick<JobFile, 'path' | 'settings'> & Partial<Pick<JobFile, 'remotes'>>;
  state: JobState;
  openBackend: OpenBackend;
  /** Recorded in the lock: `run` or `daemon`. */
  command: string;
  dryRun: boolean;
  allowDeletes: boolean;
  runHooks: boolean;
  signal?: AbortSignal;
  now?: () => Date;
  onPlan?: (plan: Plan) => void;
  onEvent?: (e: ApplyEvent) => void;
  onWarning?: (message: string) => void;
  /** Test seam for the lock (isAlive, host). */
  lock?: Partial<LockOptions>;
}

export interface LockRefusal {
  path: string;
  holder: LockHolder | null;
}

export interface ExecuteOutcome {
  report: JobReport;
  /** The stored report; null when nothing was stored (a dry run without hooks, a locked job). */
  reportPath: string | null;
  /** Set when another run held the job's lock: nothing ran. */
  locked: LockRefusal | null;
}

export async function executeJob(job: Job, o: ExecuteOptions): Promise<ExecuteOutcome> {
  const now = o.now ?? (() => new Date());
  let lock: HeldLock | null = null;
  if (!o.dryRun || o.runHooks) {
    const attempt = await tryLockJob(o.state.locks, job.name, { command: o.command, config: o.file.path, now, ...o.lock });
    if (!attempt.acquired) return { report: lockedReport(job, attempt, o.dryRun, now()), reportPath: null, locked: attempt };
    lock = attempt.lock;
    if (attempt.tookOverFrom) {
      o.onWarning?.(`job "${job.name}": took over a stale lock from ${describeHolder(attempt.tookOverFrom)}, which is no longer running`);
    }
  }
  try {
    return await underLock(job, o, now);
  } finally {
    await lock?.release();
  }
}

async function underLock(job: Job, o: ExecuteOptions, now: () => Date): Promise<ExecuteOutcome> {
  const hookCtx = { job, cwd: dirname(o.file.path), dryRun: o.dryRun, status: null, reportPath: null, secrets: remotePasswords(o.file) };
  const hooks: HookReport[] = [];
  const startedAt = now();
  const before = o.runHooks ? await runHookStage('before', { ...hookCtx, ...(o.signal ? { signal: o.signal } : {}) }) : { hooks: [], ok: true };
  hooks.push(...before.hooks);
  let report: JobReport;
  if (!before.ok || o.signal?.aborted) {
    report = emptyReport(job, o.dryRun, startedAt, now(), o.signal?.aborted ? 'interrupted' : 'skipped');
  } else {
    ({ report } = await runJob(job, {
      openBackend: o.openBackend,
      dryRun: o.dryRun,
      allowDeletes: o.allowDeletes,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.now ? { now: o.now } : {}),
      ...(o.onPlan ? { onPlan: o.onPlan } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    }));
  }
  if (hooks.length > 0) report.hooks = [...hooks];

  const reportPath = o.dryRun ? (o.runHooks ? o.state.dryRunReportPath(job.name) : null) : o.state.reportPath(job.name, new Date(report.started_at));
  if (reportPath) await writeReport(reportPath, wrap(report));
  if (o.runHooks) {
    for (const stage of stagesAfter(report.status)) {
      hooks.push(...(await runHookStage(stage, { ...hookCtx, status: report.status, reportPath })).hooks);
    }
    if (hooks.length > 0) {
      report.hooks = hooks;
      if (reportPath) await writeReport(reportPath, wrap(report));
    }
  }
  if (!o.dryRun && reportPath) {
    const removed = await pruneReports(o.state, job.name, o.file.settings.keepReports);
    await recordRun(o.state, report, removed.includes(reportPath) ? null : reportPath);
  }
  return { report, reportPath, locked: null };
}

/** The passwords written in (or expanded into) the job file: hooks must never see them. */
export function remotePasswords(file: Partial<Pick<JobFile, 'remotes'>>): string[] {
  return Object.values(file.remotes ?? {}).flatMap((r) => (r.password ? [r.password] : []));
}

function wrap(report: JobReport) {
  return runReport([report], {
    version: VERSION,
    startedAt: new Date(report.started_at),
    finishedAt: new Date(report.finished_at),
    dryRun: report.dry_run,
  });
}

function emptyReport(job: Job, dryRun: boolean, startedAt: Date, finishedAt: Date, status: JobStatus, error?: JobReport['error']): JobReport {
  return buildJobReport({
    job,
    source: displayEndpoint(job.source),
    destination: displayEndpoint(job.destination),
    dryRun,
    startedAt,
    finishedAt,
    status,
    plan: null,
    results: [],
    ...(error ? { error } : {}),
  });
}

function lockedReport(job: Job, refusal: LockRefusal, dryRun: boolean, at: Date): JobReport {
  const h = refusal.holder;
  const hint = !h
    ? `if no megamirror is running this job, remove ${refusal.path}`
    : h.host === hostname()
      ? `wait for it to finish, or stop process ${h.pid}; a lock whose process is gone is taken over by the next run`
      : `it runs on another host; if it is no longer running there, remove ${refusal.path}`;
  return emptyReport(job, dryRun, at, at, 'skipped', {
    code: 'locked',
    message: `job "${job.name}" is locked by another run: ${describeHolder(h)}`,
    hint,
    where: refusal.path,
  });
}
