/**
 * `plan --run-hooks`: the hooks of a dry run around `planJob`, for jobs whose before hook makes the
 * source or destination reachable (mounting a disk). Takes the job's lock like any run with hooks.
 *
 * Post-hook status: `ok` when the plan could be made and would be applied, `refused` when a safety
 * guard would refuse it, `failed` when planning threw (the error is re-thrown after the hooks ran),
 * `skipped` when a before hook failed. MEGAMIRROR_REPORT is empty: plan writes no report.
 */

import { dirname } from 'node:path';
import type { Job, JobFile } from '../config/types.js';
import type { HookReport, JobStatus } from '../report/types.js';
import type { OpenBackend } from './endpoints.js';
import { runHookStage, stagesAfter } from './hooks.js';
import { describeHolder, tryLockJob } from './lock.js';
import { remotePasswords, type LockRefusal } from './execute.js';
import { planJob, type PlannedJob } from './run-job.js';
import type { JobState } from './state.js';

export interface PlanWithHooksOptions {
  file: Pick<JobFile, 'path'> & Partial<Pick<JobFile, 'remotes'>>;
  state: JobState;
  openBackend: OpenBackend;
  onWarning?: (message: string) => void;
}

export type HookedPlan =
  | { kind: 'planned'; planned: Omit<PlannedJob, 'source' | 'destination'>; hooks: HookReport[] }
  | { kind: 'skipped'; hooks: HookReport[] }
  | { kind: 'locked'; refusal: LockRefusal };

export async function planWithHooks(job: Job, o: PlanWithHooksOptions): Promise<HookedPlan> {
  const attempt = await tryLockJob(o.state.locks, job.name, { command: 'plan', config: o.file.path });
  if (!attempt.acquired) return { kind: 'locked', refusal: attempt };
  if (attempt.tookOverFrom) o.onWarning?.(`job "${job.name}": took over a stale lock from ${describeHolder(attempt.tookOverFrom)}, which is no longer running`);
  const ctx = { job, cwd: dirname(o.file.path), dryRun: true, status: null, reportPath: null, secrets: remotePasswords(o.file) };
  const hooks: HookReport[] = [];
  let status: JobStatus = 'failed';
  try {
    const before = await runHookStage('before', ctx);
    hooks.push(...before.hooks);
    if (!before.ok) {
      status = 'skipped';
      return { kind: 'skipped', hooks };
    }
    const p = await planJob(job, { openBackend: o.openBackend, allowDeletes: false });
    await Promise.all([p.source.close(), p.destination.close()]);
    status = p.refusal ? 'refused' : 'ok';
    const { source: _s, destination: _d, ...planned } = p;
    return { kind: 'planned', planned, hooks };
  } finally {
    // The returned `hooks` is this same array: the later stages land in it before the caller sees it.
    for (const stage of stagesAfter(status)) hooks.push(...(await runHookStage(stage, { ...ctx, status })).hooks);
    await attempt.lock.release();
  }
}
