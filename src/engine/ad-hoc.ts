import { DEFAULTS } from '../config/normalize.js';
import { parseDuration } from '../config/durations.js';
import type { Endpoint, Job } from '../config/types.js';

export interface AdHocJobSpec {
  /** Shown in reports: the command that made it (`sync`, `get`, `put`). */
  name: string;
  source: Endpoint;
  destination: Endpoint;
  /** Remove what the source lacks (`sync`); false to only add and update (`get`, `put`). */
  delete: boolean;
}

/**
 * A mirror job made on the command line, with the job file's defaults for every other option, so
 * the quick commands plan and apply through exactly the engine a job uses.
 */
export function adHocJob(s: AdHocJobSpec): Job {
  return {
    name: s.name,
    type: 'mirror',
    source: s.source,
    destination: s.destination,
    include: [...DEFAULTS.include],
    exclude: [],
    delete: s.delete,
    mtimeToleranceMs: parseDuration(DEFAULTS.mtimeTolerance),
    compare: DEFAULTS.compare,
    safety: { maxDelete: DEFAULTS.maxDelete, maxDeletePercent: DEFAULTS.maxDeletePercent },
    followSymlinks: DEFAULTS.followSymlinks,
    concurrency: DEFAULTS.concurrency,
    retries: DEFAULTS.retries,
    retention: null,
    schedule: null,
    timezone: null,
    catchUp: false,
    hooks: { before: [], after: [], onSuccess: [], onError: [], timeoutMs: parseDuration(DEFAULTS.hookTimeout) },
    location: `megamirror ${s.name}`,
  };
}
