import type { Job } from '../config/types.js';
import { planMirror } from '../core/plan.js';
import { checkSafety, type Refusal } from '../core/safety.js';
import { isSnapshotPlan } from '../core/snapshot/plan.js';
import type { Plan } from '../core/types.js';
import { MegamirrorError, isAbort } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import { buildJobReport, statusOf } from '../report/build.js';
import type { JobReport, JobStatus } from '../report/types.js';
import { applyPlan, type ApplyOptions } from './apply.js';
import { displayEndpoint, type OpenBackend } from './endpoints.js';
import type { ActionResult, ApplyEvent } from './results.js';
import { scanBoth } from './scan.js';
import { manifestWriter } from './snapshot/commit.js';
import { planSnapshotJob } from './snapshot/plan-job.js';
import { snapshotReport } from './snapshot/report.js';

export interface RunJobOptions {
  openBackend: OpenBackend;
  /** Plan and report only; nothing is changed. */
  dryRun: boolean;
  /** Lift the deletion guards for this run (`--allow-deletes`). */
  allowDeletes: boolean;
  signal?: AbortSignal;
  now?: () => Date;
  /** Called with the plan before anything is applied (to print it). */
  onPlan?: (plan: Plan) => void;
  onEvent?: (e: ApplyEvent) => void;
}

export interface JobOutcome {
  report: JobReport;
  plan: Plan | null;
}

export interface PlannedJob {
  plan: Plan;
  source: Backend;
  destination: Backend;
  refusal: Refusal | null;
  destinationRoot: 'ok' | 'missing';
  /** For snapshots: writes the manifest when the `manifest` action runs. */
  commit?: ApplyOptions['commit'];
}

type PlanOptions = Pick<RunJobOptions, 'openBackend' | 'allowDeletes' | 'signal' | 'now'>;

/** Scan both sides and decide; changes nothing. The caller closes the backends. */
export async function planJob(job: Job, o: PlanOptions): Promise<PlannedJob> {
  const source = await o.openBackend(job.source, job);
  const destination = await o.openBackend(job.destination, job).catch(async (e) => {
    await source.close();
    throw e;
  });
  try {
    return job.type === 'mirror' ? await planMirrorJob(job, source, destination, o) : await planSnapshot(job, source, destination, o);
  } catch (e) {
    await Promise.all([source.close(), destination.close()]);
    throw e;
  }
}

async function planMirrorJob(job: Job, source: Backend, destination: Backend, o: PlanOptions): Promise<PlannedJob> {
  const scan = await scanBoth(job, source, destination, o.signal);
  const plan = planMirror({
    job: job.name,
    source: { display: displayEndpoint(job.source), listing: scan.source, capabilities: source.capabilities },
    destination: { display: displayEndpoint(job.destination), listing: scan.destination, capabilities: destination.capabilities },
    filter: scan.filter,
    compare: job.compare,
    mtimeToleranceMs: job.mtimeToleranceMs,
    deleteExtraneous: job.delete,
  });
  const refusal = checkSafety({
    plan,
    destinationFiles: scan.destination.entries.filter((e) => e.kind === 'file').length,
    sourceFiles: plan.unchanged + plan.actions.filter((a) => a.op === 'copy').length,
    maxDelete: job.safety.maxDelete,
    maxDeletePercent: job.safety.maxDeletePercent,
    allowDeletes: o.allowDeletes,
  });
  return { plan, source, destination, refusal, destinationRoot: scan.destinationRoot };
}

async function planSnapshot(job: Job, source: Backend, destination: Backend, o: PlanOptions): Promise<PlannedJob> {
  const now = (o.now ?? (() => new Date()))();
  const s = await planSnapshotJob({
    job, source, destination, now,
    timezone: job.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const refusal = checkSafety({
    plan: s.plan,
    destinationFiles: s.previousFiles,
    sourceFiles: s.sourceFiles,
    maxDelete: null,
    maxDeletePercent: null,
    allowDeletes: o.allowDeletes,
  });
  const commit = manifestWriter(s.plan, destination, now, o.now ?? (() => new Date()));
  return { plan: s.plan, source, destination, refusal, destinationRoot: s.destinationRoot, commit };
}

/** Scan, plan, guard, apply and report one job. Never throws: failures become the report's status. */
export async function runJob(job: Job, o: RunJobOptions): Promise<JobOutcome> {
  const now = o.now ?? (() => new Date());
  const startedAt = now();
  const base = { job, source: displayEndpoint(job.source), destination: displayEndpoint(job.destination), dryRun: o.dryRun, startedAt };
  let planned: PlannedJob | null = null;
  let results: ActionResult[] = [];
  const finish = (status: JobStatus, extra: Partial<Parameters<typeof buildJobReport>[0]> = {}): JobOutcome => {
    const report = buildJobReport({ ...base, finishedAt: now(), status, plan: planned?.plan ?? null, results, ...extra });
    if (planned && isSnapshotPlan(planned.plan)) report.snapshot = snapshotReport(planned.plan, results, o.dryRun);
    return { report, plan: planned?.plan ?? null };
  };
  try {
    planned = await planJob(job, o);
    o.onPlan?.(planned.plan);
    if (planned.refusal) return finish('refused', { refusal: planned.refusal });
    if (o.dryRun) return finish('ok');
    if (planned.destinationRoot === 'missing' && planned.plan.actions.length > 0) {
      await planned.destination.mkdir('', { signal: o.signal });
    }
    results = await applyPlan(planned.plan, {
      source: planned.source,
      destination: planned.destination,
      concurrency: job.concurrency,
      sourceChangeRetries: job.retries,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      ...(planned.commit ? { commit: planned.commit } : {}),
    });
    return finish(statusOf(results, o.signal?.aborted ?? false, planned.plan.skipped));
  } catch (err) {
    if (isAbort(err) || o.signal?.aborted) return finish('interrupted');
    const e = err instanceof MegamirrorError ? err : new MegamirrorError('internal', String((err as Error)?.message ?? err));
    return finish('failed', { error: errorInfo(e) });
  } finally {
    if (planned) await Promise.all([planned.source.close(), planned.destination.close()]);
  }
}

function errorInfo(e: MegamirrorError): NonNullable<JobReport['error']> {
  return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.where ? { where: e.where } : {}) };
}

