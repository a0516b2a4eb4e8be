import type { ErrorCode } from '../errors.js';
import type { JobStatus } from '../report/types.js';

/**
 * The exit-code table, the one place it lives (the README repeats it):
 *
 * | code | meaning                                                     |
 * |------|-------------------------------------------------------------|
 * | 0    | success                                                     |
 * | 1    | a job failed, was partial, or was skipped by its before hook |
 * | 2    | usage or configuration error                                |
 * | 3    | a safety guard refused a plan (nothing was changed)         |
 * | 4    | the job is locked by another run                            |
 * | 130  | interrupted (SIGINT or SIGTERM)                             |
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  refused: 3,
  locked: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitForStatus(status: JobStatus): ExitCode {
  switch (status) {
    case 'ok':
      return EXIT.ok;
    case 'refused':
      return EXIT.refused;
    case 'interrupted':
      return EXIT.interrupted;
    case 'partial':
    case 'failed':
    case 'skipped':
      return EXIT.failed;
  }
}

/**
 * A run of several jobs: `others` is the worst status of the jobs that were not locked (ok when
 * there are none). Locked jobs make it 4 only when everything else went well.
 */
export function exitForRun(others: JobStatus, locked: number): ExitCode {
  if (locked > 0 && others === 'ok') return EXIT.locked;
  return exitForStatus(others);
}

export function exitForError(code: ErrorCode): ExitCode {
  switch (code) {
    case 'usage':
    case 'config':
      return EXIT.usage;
    case 'refused':
      return EXIT.refused;
    case 'locked':
      return EXIT.locked;
    case 'interrupted':
      return EXIT.interrupted;
    default:
      return EXIT.failed;
  }
}
