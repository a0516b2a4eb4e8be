import { createHash } from 'node:crypto';
import type { Job } from '../config/types.js';

/** A hash of what decides a job's plan: a saved plan is only applied to the job it was made for. */
export function jobFingerprint(job: Job): string {
  const decisive = {
    type: job.type, source: job.source, destination: job.destination, include: job.include, exclude: job.exclude,
    delete: job.delete, compare: job.compare, mtimeToleranceMs: job.mtimeToleranceMs, followSymlinks: job.followSymlinks,
  };
  return createHash('sha256').update(JSON.stringify(decisive)).digest('hex').slice(0, 32);
}
