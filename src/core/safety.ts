import type { Plan } from './types.js';

export interface SafetyInput {
  plan: Plan;
  /** Files the destination held before the plan (the denominator of the percentage); for a snapshot, the latest snapshot's files. */
  destinationFiles: number;
  /** Files selected in the source. */
  sourceFiles: number;
  maxDelete: number | null;
  maxDeletePercent: number | null;
  /** `--allow-deletes`: the user has seen the numbers and wants them. */
  allowDeletes: boolean;
}

export interface Refusal {
  code: 'empty-source' | 'max-delete' | 'max-delete-percent';
  message: string;
  hint: string;
}

/**
 * The guard between a plan and its apply: a plan that would delete too much is refused before
 * anything is touched. Leftover partial files do not count; they were never part of the mirror.
 */
export function checkSafety(input: SafetyInput): Refusal | null {
  if (input.allowDeletes) return null;
  const deletes = input.plan.actions.filter((a) => a.op === 'delete' && a.reason !== 'partial').length;
  const prunes = input.plan.actions.filter((a) => a.op === 'prune' && a.reason === 'retention').length;
  if (deletes === 0 && prunes === 0) return null;
  const hint = 'check that the source is complete (a disk that is not mounted looks empty), then run again with --allow-deletes';
  if (input.sourceFiles === 0 && input.destinationFiles > 0) {
    return {
      code: 'empty-source',
      message:
        input.plan.kind === 'snapshot'
          ? `the source is empty but the last snapshot holds ${input.destinationFiles} files: refusing to let an empty snapshot push ${prunes} older snapshots out of retention`
          : `the source is empty but the destination holds ${input.destinationFiles} files: refusing to delete them all`,
      hint,
    };
  }
  if (input.maxDelete !== null && deletes > input.maxDelete) {
    return {
      code: 'max-delete',
      message: `the plan deletes ${deletes} files, more than max_delete (${input.maxDelete})`,
      hint: `${hint}, or raise safety.max_delete`,
    };
  }
  if (input.maxDeletePercent !== null && input.destinationFiles > 0) {
    const pct = (deletes / input.destinationFiles) * 100;
    if (pct > input.maxDeletePercent) {
      return {
        code: 'max-delete-percent',
        message: `the plan deletes ${deletes} of ${input.destinationFiles} files (${pct.toFixed(1)}%), more than max_delete_percent (${input.maxDeletePercent}%)`,
        hint: `${hint}, or raise safety.max_delete_percent`,
      };
    }
  }
  return null;
}
