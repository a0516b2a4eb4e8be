import type { Endpoint, Job } from '../config/types.js';
import { compileFilter } from '../core/filter.js';
import { planRestore } from '../core/restore.js';
import { MANIFEST_NAME } from '../core/snapshot/manifest.js';
import type { Plan } from '../core/types.js';
import { MegamirrorError, isAbort } from '../errors.js';
import { didYouMean } from '../config/suggest.js';
import { buildJobReport, statusOf } from '../report/build.js';
import type { JobReport } from '../report/types.js';
import { applyPlan } from './apply.js';
import { childEndpoint, displayEndpoint, type OpenBackend } from './endpoints.js';
import type { ActionResult, ApplyEvent } from './results.js';
import { requireSourceRoot } from './scan.js';
import { readCatalog } from './snapshot/catalog.js';

export interface RestoreOptions {
  job: Job;
  /** A snapshot id or `latest` (snapshot jobs); ignored for mirror jobs, which restore their destination. */
  snapshot: string;
  /** Absolute path of the local folder to restore into. */
  to: string;
  include: string[];
  overwrite: boolean;
  dryRun: boolean;
  openBackend: OpenBackend;
  signal?: AbortSignal;
  onPlan?: (plan: Plan) => void;
  onEvent?: (e: ApplyEvent) => void;
}

/** Restore a snapshot (or a mirror's destination) into a local folder through plan and apply. */
export async function runRestore(o: RestoreOptions): Promise<{ report: JobReport; plan: Plan | null }> {
  const startedAt = new Date();
  const target: Endpoint = { type: 'local', path: o.to };
  let plan: Plan | null = null;
  let results: ActionResult[] = [];
  let source: Endpoint = o.job.destination;
  const finish = (status: JobReport['status'], error?: JobReport['error']) => ({
    report: buildJobReport({
      job: o.job, source: displayEndpoint(source), destination: o.to, dryRun: o.dryRun, startedAt, finishedAt: new Date(), status, plan, results,
      ...(error ? { error } : {}),
    }),
    plan,
  });
  try {
    if (o.job.type === 'snapshot') source = childEndpoint(o.job.destination, await resolveSnapshot(o));
    const src = await o.openBackend(source, o.job);
    const dst = await o.openBackend(target, o.job);
    try {
      await requireSourceRoot(o.job, src);
      const filter = compileFilter(o.include, [MANIFEST_NAME]);
      const [srcListing, dstListing] = await Promise.all([
        src.list({ prune: (d) => filter.dirVerdict(d) !== 'descend', ...(o.signal ? { signal: o.signal } : {}) }),
        dst.probeRoot().then((r) => (r === 'ok' ? dst.list(o.signal ? { signal: o.signal } : {}) : { entries: [], skipped: [], warnings: [] })),
      ]);
      plan = planRestore({
        job: o.job.name,
        source: { display: displayEndpoint(source), listing: srcListing, capabilities: src.capabilities },
        destination: { display: o.to, listing: dstListing, capabilities: dst.capabilities },
        filter,
        compare: o.job.compare,
        mtimeToleranceMs: o.job.mtimeToleranceMs,
        overwrite: o.overwrite,
      });
      o.onPlan?.(plan);
      if (o.dryRun) return finish('ok');
      await dst.mkdir('', o.signal ? { signal: o.signal } : {});
      results = await applyPlan(plan, {
        source: src, destination: dst, concurrency: o.job.concurrency, sourceChangeRetries: o.job.retries,
        ...(o.signal ? { signal: o.signal } : {}), ...(o.onEvent ? { onEvent: o.onEvent } : {}),
      });
      return finish(statusOf(results, o.signal?.aborted ?? false));
    } finally {
      await Promise.all([src.close(), dst.close()]);
    }
  } catch (err) {
    if (isAbort(err) || o.signal?.aborted) return finish('interrupted');
    if (err instanceof MegamirrorError && (err.code === 'usage' || err.code === 'config')) throw err;
    const e = err instanceof MegamirrorError ? err : new MegamirrorError('internal', String(err));
    return finish('failed', { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.where ? { where: e.where } : {}) });
  }
}

async function resolveSnapshot(o: RestoreOptions): Promise<string> {
  const dest = await o.openBackend(o.job.destination, o.job);
  try {
    const { snapshots } = await readCatalog(dest, o.signal);
    const complete = snapshots.filter((s) => s.complete);
    if (o.snapshot === 'latest') {
      const latest = complete.at(-1);
      if (!latest) throw new MegamirrorError('usage', 'the job has no complete snapshot to restore', { where: `${o.job.name}: ${dest.display}` });
      return latest.id;
    }
    const found = snapshots.find((s) => s.id === o.snapshot);
    if (!found) {
      throw new MegamirrorError('usage', `no snapshot "${o.snapshot}"${didYouMean(o.snapshot, snapshots.map((s) => s.id))}`, {
        where: `${o.job.name}: ${dest.display}`,
        hint: 'megamirror snapshots JOB lists them',
      });
    }
    return found.id;
  } finally {
    await dest.close();
  }
}
