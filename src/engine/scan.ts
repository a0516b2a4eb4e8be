import type { Job } from '../config/types.js';
import { compileFilter, type Filter } from '../core/filter.js';
import type { Listing } from '../core/types.js';
import { MegamirrorError } from '../errors.js';
import type { Backend } from '../backends/backend.js';

export interface Scan {
  filter: Filter;
  source: Listing;
  destination: Listing;
  destinationRoot: 'ok' | 'missing';
}

/**
 * List both sides at once. A source root that is missing or not a folder is an error, never an
 * empty listing: an unmounted disk must not look like "delete everything".
 */
export async function scanBoth(job: Job, src: Backend, dst: Backend, signal?: AbortSignal): Promise<Scan> {
  const filter = compileFilter(job.include, job.exclude);
  const [, dstRoot] = await Promise.all([requireSourceRoot(job, src), dst.probeRoot()]);
  if (dstRoot === 'not-a-folder') {
    throw new MegamirrorError('not-a-folder', 'the destination is not a folder', { where: `${job.name}: ${dst.display}` });
  }
  // Two local sides: the source walks on a worker thread, the destination on this one, which
  // would otherwise only wait (one thread start and one listing hand-over fewer). With MEGA on
  // either side this thread decrypts the MEGA listing, and the local walk stays on a worker.
  const bothLocal = src.localPath !== undefined && dst.localPath !== undefined;
  const [source, destination] = await Promise.all([
    src.list({ prune: (dir) => filter.dirVerdict(dir) !== 'descend', selection: { include: job.include, exclude: job.exclude }, signal }),
    dstRoot === 'missing' ? Promise.resolve<Listing>({ entries: [], skipped: [], warnings: [] }) : dst.list({ signal, ...(bothLocal ? { here: true } : {}) }),
  ]);
  return { filter, source, destination, destinationRoot: dstRoot };
}

/** A source root that is missing or not a folder is an error, never an empty listing. */
export async function requireSourceRoot(job: Job, src: Backend): Promise<void> {
  const srcRoot = await src.probeRoot();
  if (srcRoot === 'missing') {
    throw new MegamirrorError('not-found', 'the source folder does not exist', {
      where: `${job.name}: ${src.display}`,
      hint: 'if it lives on a removable or network disk, check that the disk is mounted',
    });
  }
  if (srcRoot === 'not-a-folder') {
    throw new MegamirrorError('not-a-folder', 'the source is not a folder', { where: `${job.name}: ${src.display}` });
  }
}
