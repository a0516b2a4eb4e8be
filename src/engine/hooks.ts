/**
 * Job hooks: the shell commands of one stage (`before`, `after`, `on_success`, `on_error`), run in
 * order with the job's hook timeout, each recorded as a `HookReport` (exit code, duration, tail of
 * the output).
 *
 * Environment of every hook: MEGAMIRROR_JOB (job name), MEGAMIRROR_STAGE (the stage),
 * MEGAMIRROR_STATUS (the job's status; empty for `before`), MEGAMIRROR_REPORT (path of the job's
 * JSON report; empty for `before` and for `plan`), MEGAMIRROR_DRY_RUN (`1` or `0`). Hooks run in the
 * job file's folder. Inherited variables that hold a remote's password (`password: ${MEGA_PASSWORD}`)
 * are removed: a hook has no use for it, and a hook that prints its environment would put it in
 * the report. The passwords are also masked in the command and output the report keeps.
 *
 * `before` stops at the first failing command (the job is then skipped); the later stages run every
 * command whatever the earlier ones did, since they clean up and notify.
 */

import type { Job } from '../config/types.js';
import type { HookReport, JobStatus } from '../report/types.js';
import { runCommand } from './command.js';

export type HookStage = HookReport['stage'];

export interface HookContext {
  job: Job;
  /** The job file's folder: hooks run there. */
  cwd: string;
  dryRun: boolean;
  /** Known after the job ran; null for `before`. */
  status: JobStatus | null;
  /** The report's path once written; null before that (and for plan). */
  reportPath: string | null;
  signal?: AbortSignal;
  /** Values a hook must never see or have recorded: the job file's remote passwords. */
  secrets?: readonly string[];
}

export interface StageResult {
  hooks: HookReport[];
  /** Every command exited 0 in time. */
  ok: boolean;
}

export async function runHookStage(stage: HookStage, ctx: HookContext): Promise<StageResult> {
  const commands = commandsOf(ctx.job, stage);
  const hooks: HookReport[] = [];
  let ok = true;
  const secrets = (ctx.secrets ?? []).filter((v) => v !== '');
  const unsetEnv = secretVariables(process.env, secrets);
  for (const command of commands) {
    const r = await runCommand(command, {
      timeoutMs: ctx.job.hooks.timeoutMs,
      cwd: ctx.cwd,
      env: hookEnv(stage, ctx),
      unsetEnv,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    hooks.push({
      stage,
      command: mask(command, secrets),
      exit_code: r.exitCode,
      duration_ms: r.durationMs,
      timed_out: r.timedOut,
      output_tail: mask(r.startError ? `${r.outputTail}${r.startError}\n` : r.outputTail, secrets),
    });
    if (!r.ok) {
      ok = false;
      if (stage === 'before') break;
    }
  }
  return { hooks, ok };
}

/** Whether a recorded hook failed (not 0, timed out, or killed). */
export function hookFailed(h: HookReport): boolean {
  return h.exit_code !== 0 || h.timed_out;
}

export function commandsOf(job: Job, stage: HookStage): string[] {
  switch (stage) {
    case 'before':
      return job.hooks.before;
    case 'after':
      return job.hooks.after;
    case 'on_success':
      return job.hooks.onSuccess;
    case 'on_error':
      return job.hooks.onError;
  }
}

export function hookEnv(stage: HookStage, ctx: HookContext): Record<string, string> {
  return {
    MEGAMIRROR_JOB: ctx.job.name,
    MEGAMIRROR_STAGE: stage,
    MEGAMIRROR_STATUS: ctx.status ?? '',
    MEGAMIRROR_REPORT: ctx.reportPath ?? '',
    MEGAMIRROR_DRY_RUN: ctx.dryRun ? '1' : '0',
  };
}

/** Variables whose value is a secret, or holds one (when it is long enough not to be a common word). */
export function secretVariables(env: NodeJS.ProcessEnv, secrets: readonly string[]): string[] {
  return Object.entries(env)
    .filter(([, v]) => v !== undefined && secrets.some((s) => v === s || (s.length >= 8 && v.includes(s))))
    .map(([k]) => k);
}

function mask(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => t.replaceAll(s, '***'), text);
}

/** The stages after a job, in order: the outcome's own stage first, `after` (cleanup) last. */
export function stagesAfter(status: JobStatus): HookStage[] {
  return [status === 'ok' ? 'on_success' : 'on_error', 'after'];
}
