import type { Job } from '../../config/types.js';
import { compileFilter } from '../../core/filter.js';
import type { ManifestEntry } from '../../core/snapshot/manifest.js';
import { planSnapshot, type SnapshotPlan } from '../../core/snapshot/plan.js';
import { snapshotId } from '../../core/snapshot/id.js';
import type { RelPath } from '../../core/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Backend } from '../../backends/backend.js';
import { displayEndpoint } from '../endpoints.js';
import { requireSourceRoot } from '../scan.js';
import { listSnapshot, loadManifest, readCatalog } from './catalog.js';

export interface SnapshotPlanContext {
  job: Job;
  source: Backend;
  destination: Backend;
  /** The run's start time: the new snapshot's id. */
  now: Date;
  /** IANA zone for retention buckets. */
  timezone: string;
  signal?: AbortSignal;
}

export interface PlannedSnapshot {
  plan: SnapshotPlan;
  destinationRoot: 'ok' | 'missing';
  /** Files in the latest complete snapshot (the empty-source guard's denominator). */
  previousFiles: number;
  sourceFiles: number;
}

/** Read the source and the destination's snapshot catalog, then decide (pure, in core). */
export async function planSnapshotJob(c: SnapshotPlanContext): Promise<PlannedSnapshot> {
  const { job, source, destination, signal } = c;
  const filter = compileFilter(job.include, job.exclude);
  await requireSourceRoot(job, source);
  const destinationRoot = await destination.probeRoot();
  if (destinationRoot === 'not-a-folder') {
    throw new MegamirrorError('not-a-folder', 'the destination is not a folder', { where: `${job.name}: ${destination.display}` });
  }
  const [listing, catalog] = await Promise.all([
    source.list({ prune: (dir) => filter.dirVerdict(dir) !== 'descend', selection: { include: job.include, exclude: job.exclude }, signal }),
    readCatalog(destination, signal),
  ]);
  const id = snapshotId(c.now);
  if (catalog.snapshots.some((s) => s.id === id)) {
    throw new MegamirrorError('exists', `a snapshot named ${id} already exists`, {
      where: `${job.name}: ${destination.display}`,
      hint: 'snapshots are named by their start second; wait a second and run again',
    });
  }
  const complete = catalog.snapshots.filter((s) => s.complete);
  const latest = complete.at(-1);
  let previous: { id: string; time: Date; entries: Map<RelPath, ManifestEntry> } | null = null;
  if (latest) {
    const m = await loadManifest(destination, latest.id, signal);
    previous = { id: latest.id, time: latest.time, entries: new Map(m.entries.map((e) => [e.path, e])) };
  }
  const incomplete = [];
  for (const s of catalog.snapshots.filter((x) => !x.complete)) {
    incomplete.push({ id: s.id, time: s.time, listing: await listSnapshot(destination, s.id, signal) });
  }
  const plan = planSnapshot({
    job: job.name,
    source: { display: displayEndpoint(job.source), listing, capabilities: source.capabilities },
    destination: { display: displayEndpoint(job.destination), capabilities: destination.capabilities },
    filter,
    compare: job.compare,
    mtimeToleranceMs: job.mtimeToleranceMs,
    next: { id, time: c.now },
    previous,
    incomplete,
    complete: complete.map((s) => ({ id: s.id, time: s.time })),
    retention: job.retention,
    timezone: c.timezone,
  });
  plan.warnings.push(...catalog.warnings);
  const sourceFiles = plan.actions.filter((a) => a.op === 'copy' || a.op === 'link').length;
  return { plan, destinationRoot, previousFiles: latest?.header?.files ?? 0, sourceFiles };
}
