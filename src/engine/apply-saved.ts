import pLimit from 'p-limit';
import type { Job } from '../config/types.js';
import { effectiveTolerance } from '../core/compare.js';
import { checkSafety } from '../core/safety.js';
import { preconditionFailure, type SavedJobPlan } from '../core/saved-plan.js';
import { summarize } from '../core/summary.js';
import type { Action, Plan } from '../core/types.js';
import { MegamirrorError, isAbort } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import { buildJobReport, statusOf } from '../report/build.js';
import type { JobReport } from '../report/types.js';
import { applyPlan } from './apply.js';
import { displayEndpoint, type OpenBackend } from './endpoints.js';
import { jobFingerprint } from './fingerprint.js';
import type { ActionResult, ApplyEvent } from './results.js';

export interface ApplySavedOptions {
  job: Job;
  saved: SavedJobPlan;
  openBackend: OpenBackend;
  allowDeletes: boolean;
  signal?: AbortSignal;
  onPlan?: (plan: Plan) => void;
  onEvent?: (e: ApplyEvent) => void;
}

/**
 * Apply exactly a saved plan: each action runs only if the world still looks as the plan saw it,
 * others are skipped with the reason; the deletion guards are checked again on what remains.
 */
export async function applySaved(o: ApplySavedOptions): Promise<JobReport> {
  const startedAt = new Date();
  const { job } = o;
  let plan: Plan | null = null;
  let results: ActionResult[] = [];
  const finish = (status: JobReport['status'], extra: Partial<Parameters<typeof buildJobReport>[0]> = {}) =>
    buildJobReport({ job, source: displayEndpoint(job.source), destination: displayEndpoint(job.destination), dryRun: false, startedAt, finishedAt: new Date(), status, plan, results, ...extra });
  if (o.saved.fingerprint !== jobFingerprint(job)) {
    throw new MegamirrorError('usage', `job "${job.name}" changed since the plan was made`, {
      where: job.location,
      hint: 'make a new plan with megamirror plan --out',
    });
  }
  const source = await o.openBackend(job.source, job);
  const destination = await o.openBackend(job.destination, job);
  try {
    const tolerance = effectiveTolerance(job.mtimeToleranceMs, source.capabilities.mtimePrecisionMs, destination.capabilities.mtimePrecisionMs);
    const { runnable, skipped } = await recheck(o.saved.plan.actions, source, destination, tolerance, o.signal);
    plan = { ...o.saved.plan, actions: runnable, summary: summarize(runnable, 0, o.saved.plan.summary.unchanged) };
    o.onPlan?.(plan);
    const dstFiles = (await destination.probeRoot()) === 'ok' ? (await destination.list(o.signal ? { signal: o.signal } : {})).entries.filter((e) => e.kind === 'file').length : 0;
    const refusal = checkSafety({
      plan, destinationFiles: dstFiles, sourceFiles: plan.unchanged + runnable.filter((a) => a.op === 'copy').length,
      maxDelete: job.safety.maxDelete, maxDeletePercent: job.safety.maxDeletePercent, allowDeletes: o.allowDeletes,
    });
    results = skipped;
    if (refusal) return finish('refused', { refusal });
    if (runnable.length > 0 && (await destination.probeRoot()) === 'missing') await destination.mkdir('', o.signal ? { signal: o.signal } : {});
    results = [...skipped, ...(await applyPlan(plan, {
      source, destination, concurrency: job.concurrency, sourceChangeRetries: 0,
      ...(o.signal ? { signal: o.signal } : {}), ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    }))];
    return finish(statusOf(results, o.signal?.aborted ?? false));
  } catch (err) {
    if (isAbort(err) || o.signal?.aborted) return finish('interrupted');
    throw err;
  } finally {
    await Promise.all([source.close(), destination.close()]);
  }
}

/** Stat what each action depends on and split the plan into what may run and what may not. */
async function recheck(actions: Action[], source: Backend, destination: Backend, toleranceMs: number, signal?: AbortSignal) {
  const limit = pLimit(16);
  const opts = signal ? { signal } : {};
  const verdicts = await Promise.all(
    actions.map((a) =>
      limit(async () => {
        const world = {
          source: a.op === 'copy' ? await source.stat(a.sourcePath ?? a.path, opts) : null,
          destination: await destination.stat(a.path, opts),
          ...(a.op === 'link' ? { from: await destination.stat(a.from, opts) } : {}),
        };
        return preconditionFailure(a, world, toleranceMs);
      }),
    ),
  );
  const runnable: Action[] = [];
  const skipped: ActionResult[] = [];
  actions.forEach((a, i) => {
    const why = verdicts[i];
    if (why) skipped.push({ action: a, outcome: 'skipped', why: `world changed: ${why}` });
    else runnable.push(a);
  });
  return { runnable, skipped };
}
