import { opendir } from 'node:fs/promises';
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
  // Each side lists as soon as its own root checks out, not after both do: probing a MEGA root
  // logs in and fetches the whole tree, and the local side's walk should not wait for that.
  const stop = new AbortController();
  const either = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  // Two local sides: the source walks on a worker thread, the destination on this one, which
  // would otherwise only wait (one thread start and one listing hand-over fewer). With MEGA on
  // either side this thread decrypts the MEGA listing, and the local walk stays on a worker.
  const bothLocal = src.localPath !== undefined && dst.localPath !== undefined;
  const source = (async () => {
    await requireSourceRoot(job, src);
    // Into an empty or missing local destination (a first copy), this thread has no side of its
    // own to walk: the source walks here, without waiting for the walker thread's start (about
    // 0.1-0.15 s here, more than a 20,000-file walk needs).
    const here = bothLocal && (await isEmptyOrMissing(dst.localPath!('')));
    return src.list({ prune: (dir) => filter.dirVerdict(dir) !== 'descend', selection: { include: job.include, exclude: job.exclude }, signal: either, ...(here ? { here } : {}) });
  })();
  const destination = (async () => {
    const root = await dst.probeRoot();
    if (root === 'not-a-folder') {
      throw new MegamirrorError('not-a-folder', 'the destination is not a folder', { where: `${job.name}: ${dst.display}` });
    }
    const listing: Listing = root === 'missing' ? { entries: [], skipped: [], warnings: [] } : await dst.list({ signal: either, ...(bothLocal ? { here: true } : {}) });
    return { root: root as 'ok' | 'missing', listing };
  })();
  try {
    const [s, d] = await Promise.all([source, destination]);
    return { filter, source: s, destination: d.listing, destinationRoot: d.root };
  } catch (err) {
    // The first failure is the answer: stop the other side and let it settle before returning.
    stop.abort();
    await Promise.allSettled([source, destination]);
    throw err;
  }
}

/** A local folder that holds nothing or does not exist; anything else (or unreadable) is false. */
async function isEmptyOrMissing(path: string | null): Promise<boolean> {
  if (path === null) return false;
  try {
    const dir = await opendir(path);
    try {
      return (await dir.read()) === null;
    } finally {
      await dir.close();
    }
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
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
