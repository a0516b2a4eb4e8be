import type { PlanSummary, SkippedEntry, Warning } from '../core/types.js';
import type { ErrorCode } from '../errors.js';

/**
 * The machine-readable run report (`run --report FILE`, `run --json`), described by
 * `schemas/report.schema.json`. Versioned: readers must ignore keys they do not know; a change that
 * removes or retypes a key bumps `formatVersion`. Keys are snake_case; times are ISO 8601 strings.
 */
export const REPORT_FORMAT_VERSION = 1;

export type JobStatus = 'ok' | 'partial' | 'failed' | 'refused' | 'interrupted' | 'skipped';

export interface RunReport {
  formatVersion: number;
  tool: { name: 'megamirror'; version: string };
  started_at: string;
  finished_at: string;
  dry_run: boolean;
  status: JobStatus;
  jobs: JobReport[];
}

export interface Counts {
  files: number;
  bytes: number;
}

export interface JobReport {
  name: string;
  type: 'mirror' | 'snapshot';
  source: string;
  destination: string;
  dry_run: boolean;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  status: JobStatus;
  /** What the plan intended. */
  planned: PlanSummary;
  /** What was done: copied and reused files and bytes, deletions, folders. */
  done: { copy: Counts; link: Counts; delete: Counts; mkdir: number; rmdir: number; prune: number };
  failed_actions: FailedAction[];
  /** Actions not attempted, by why (e.g. `interrupted`: 12). */
  skipped_actions: Record<string, number>;
  warnings: Warning[];
  skipped: SkippedEntry[];
  /** Set when the job could not start or stopped as a whole (missing source, login, lock). */
  error?: { code: ErrorCode; message: string; hint?: string; where?: string };
  /** Set when a safety guard refused the plan; nothing was changed. */
  refusal?: { code: string; message: string; hint: string };
  /** Extension points filled by later capabilities (snapshots, hooks); readers may ignore them. */
  snapshot?: Record<string, unknown>;
  hooks?: HookReport[];
}

export interface FailedAction {
  op: string;
  path: string;
  reason: string;
  code: ErrorCode;
  message: string;
  attempts: number;
}

export interface HookReport {
  stage: 'before' | 'after' | 'on_success' | 'on_error';
  command: string;
  exit_code: number | null;
  duration_ms: number;
  timed_out: boolean;
  output_tail: string;
}
