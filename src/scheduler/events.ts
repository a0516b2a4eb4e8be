/**
 * The daemon's log: one line per event, human (default) or JSON lines (`--log-format json`).
 *
 * JSON lines are `{"time": ISO, "event": NAME, ...fields}`, fields snake_case; readers ignore
 * fields they do not know. Nothing secret is logged: no hook commands (`${VAR}` expansion may have
 * put a secret in them), no hook output; those are in the stored report.
 */

import { formatBytes, plural } from '../report/format.js';
import type { JobStatus } from '../report/types.js';

export type StartReason = 'schedule' | 'catch-up';

export type DaemonEvent =
  | { event: 'started'; config: string; jobs: number; scheduled: number; max_parallel_jobs: number; pid: number }
  | { event: 'scheduled'; job: string; schedule: string; timezone: string; next: string | null }
  | { event: 'start'; job: string; reason: StartReason }
  /** No free slot (max_parallel_jobs): the job starts when one frees up. */
  | { event: 'wait'; job: string; reason: StartReason; running: string[] }
  | { event: 'skip'; job: string; reason: 'running' | 'waiting' | 'locked' | 'shutdown' | 'removed'; detail?: string }
  | {
      event: 'finish';
      job: string;
      status: JobStatus;
      duration_ms: number;
      copied_files: number;
      copied_bytes: number;
      deleted_files: number;
      failed_actions: number;
      report: string | null;
      error?: string;
    }
  | { event: 'hook-failed'; job: string; stage: string; index: number; exit_code: number | null; timed_out: boolean }
  | { event: 'warning'; job?: string; message: string }
  | { event: 'error'; job?: string; message: string }
  | { event: 'reload'; jobs: number; scheduled: number; max_parallel_jobs: number }
  | { event: 'reload-failed'; problems: string[] }
  | { event: 'stopping'; signal: string; running: string[]; grace_ms: number }
  | { event: 'abort'; job: string }
  | { event: 'stopped' };

export type LogFormat = 'human' | 'json';

export function formatEvent(e: DaemonEvent, at: Date, format: LogFormat): string {
  if (format === 'json') return JSON.stringify({ time: at.toISOString(), ...e });
  return `${at.toISOString()} ${humanEvent(e)}`;
}

function humanEvent(e: DaemonEvent): string {
  switch (e.event) {
    case 'started':
      return `started: ${e.config}, ${plural(e.scheduled, 'scheduled job')} of ${e.jobs}, max_parallel_jobs ${e.max_parallel_jobs}, pid ${e.pid}`;
    case 'scheduled':
      return `scheduled ${e.job}: "${e.schedule}" (${e.timezone}), next ${e.next ?? 'never'}`;
    case 'start':
      return `start ${e.job}${e.reason === 'catch-up' ? ' (catch-up: a scheduled run was missed)' : ''}`;
    case 'wait':
      return `wait ${e.job}: max_parallel_jobs reached (running: ${e.running.join(', ')})`;
    case 'skip':
      return `skip ${e.job}: ${SKIP_WHY[e.reason]}${e.detail ? ` (${e.detail})` : ''}`;
    case 'finish':
      return (
        `finish ${e.job}: ${e.status} in ${(e.duration_ms / 1000).toFixed(1)}s, ` +
        `copied ${plural(e.copied_files, 'file')} (${formatBytes(e.copied_bytes)}), deleted ${e.deleted_files}` +
        (e.failed_actions > 0 ? `, ${e.failed_actions} failed` : '') +
        (e.error ? `: ${e.error}` : '') +
        (e.report ? `; report ${e.report}` : '')
      );
    case 'hook-failed':
      return `hook-failed ${e.job}: ${e.stage} hook ${e.index} ${e.timed_out ? 'timed out' : e.exit_code === null ? 'was killed' : `exited with ${e.exit_code}`}`;
    case 'warning':
      return `warning${e.job ? ` ${e.job}` : ''}: ${e.message}`;
    case 'error':
      return `error${e.job ? ` ${e.job}` : ''}: ${e.message}`;
    case 'reload':
      return `reload: ${plural(e.scheduled, 'scheduled job')} of ${e.jobs}, max_parallel_jobs ${e.max_parallel_jobs}`;
    case 'reload-failed':
      return `reload-failed: keeping the jobs already loaded: ${e.problems.join('; ')}`;
    case 'stopping':
      return `stopping (${e.signal}): ${e.running.length > 0 ? `waiting up to ${(e.grace_ms / 1000).toFixed(1)}s for ${e.running.join(', ')}` : 'no job running'}`;
    case 'abort':
      return `abort ${e.job}: the grace period is over`;
    case 'stopped':
      return 'stopped';
  }
}

const SKIP_WHY = {
  running: 'still running from an earlier start',
  waiting: 'already waiting for a free slot',
  locked: 'locked by another run',
  shutdown: 'the daemon is stopping',
  removed: 'no longer in the job file',
} as const;
