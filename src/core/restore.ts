import { planMirror, type MirrorPlanInput } from './plan.js';
import { summarize } from './summary.js';
import type { Action, Plan } from './types.js';

export interface RestorePlanInput extends Omit<MirrorPlanInput, 'deleteExtraneous'> {
  /** Replace files in the target that differ from the snapshot. Off by default. */
  overwrite: boolean;
}

/**
 * Restore = a mirror into the target that never deletes, and that by default never overwrites a
 * differing file: such files are left alone and reported, so a restore cannot destroy newer work.
 */
export function planRestore(input: RestorePlanInput): Plan {
  const mirror = planMirror({ ...input, deleteExtraneous: false });
  if (input.overwrite) return { ...mirror, kind: 'restore' };
  const kept: Action[] = [];
  const warnings = [...mirror.warnings];
  const blocked = new Set<string>();
  for (const a of mirror.actions) {
    if (a.op === 'copy' && a.reason !== 'missing') {
      blocked.add(a.path);
      warnings.push({ code: 'would-overwrite', path: a.path, message: `differs in the target (${a.reason}); left alone (use --overwrite to replace it)` });
    } else if (a.reason === 'type-conflict') {
      blocked.add(a.path);
      if (a.op === 'mkdir' || a.op === 'copy') {
        warnings.push({ code: 'would-overwrite', path: a.path, message: 'is of another type in the target; left alone (use --overwrite to replace it)' });
      }
    } else {
      kept.push(a);
    }
  }
  // Nothing below a folder that could not be created can be restored either.
  const actions = kept.filter((a) => ![...blocked].some((b) => a.path.startsWith(`${b}/`)));
  return { ...mirror, kind: 'restore', actions, warnings, summary: summarize(actions, mirror.skipped.length, mirror.summary.unchanged) };
}
