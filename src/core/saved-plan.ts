import { MegamirrorError } from '../errors.js';
import { summarize } from './summary.js';
import type { Action, Entry, Plan } from './types.js';

/**
 * Saved plans (`plan --out FILE`, `apply FILE`): the plan JSON plus a fingerprint of each job's
 * definition. Applying re-checks every action's preconditions against the world as it is then.
 */
export interface SavedJobPlan {
  plan: Plan;
  /** Hash of the job's definition when planned: a changed job invalidates its plan. */
  fingerprint: string;
}

/** What an action's precondition check needs to know, as stat'ed just before applying. */
export interface ActionWorld {
  source: Entry | null;
  destination: Entry | null;
  /** For links: the file reused. */
  from?: Entry | null;
}

/**
 * Null when the action may run as planned; otherwise why it is skipped. A copy needs the source
 * exactly as planned and the destination as the plan saw it; a deletion needs the file unchanged.
 */
export function preconditionFailure(a: Action, w: ActionWorld, toleranceMs: number): string | null {
  const sameTime = (actual: number | null, planned: number | null | undefined) => {
    if (planned === undefined) return true;
    if (planned === null || actual === null) return actual === planned;
    return Math.abs(actual - planned) <= toleranceMs;
  };
  switch (a.op) {
    case 'copy': {
      const s = w.source;
      if (s === null || s.kind !== 'file') return 'the source file is gone';
      if (s.size !== a.size || !sameTime(s.mtimeMs, a.mtimeMs)) return 'the source file changed since the plan';
      const d = w.destination;
      if (a.previous === undefined) {
        if (d !== null && a.reason === 'missing') return 'the destination now holds something at this path';
        return null;
      }
      if (d === null || d.kind !== 'file' || d.size !== a.previous.size || !sameTime(d.mtimeMs, a.previous.mtimeMs)) {
        return 'the destination file changed since the plan';
      }
      return null;
    }
    case 'delete': {
      const d = w.destination;
      if (d === null) return 'already gone';
      if (d.kind !== 'file' || d.size !== a.size || !sameTime(d.mtimeMs, a.mtimeMs)) return 'the destination file changed since the plan';
      return null;
    }
    case 'mkdir':
      return w.destination?.kind === 'file' && a.reason !== 'type-conflict' ? 'a file is now in the way' : null;
    case 'rmdir':
      return w.destination?.kind === 'dir' ? null : 'the folder is gone';
    case 'link':
      return w.from?.kind === 'file' && w.from.size === a.size ? null : 'the file to reuse is gone or changed';
    case 'manifest':
    case 'prune':
      return 'snapshot plans are not applied from a file';
  }
}

/** Read a saved plan file's JSON back into Plans, or say what is wrong with it. */
export function parseSavedPlan(json: unknown, where: string): SavedJobPlan[] {
  const doc = json as { formatVersion?: unknown; jobs?: unknown };
  if (doc?.formatVersion !== 1 || !Array.isArray(doc.jobs)) {
    throw new MegamirrorError('usage', 'not a megamirror plan file (formatVersion 1)', { where });
  }
  return doc.jobs.map((j: Record<string, unknown>, i: number) => {
    if (typeof j.job !== 'string' || typeof j.job_fingerprint !== 'string' || !Array.isArray(j.actions)) {
      throw new MegamirrorError('usage', `job #${i + 1} has no job name, fingerprint or actions: save plans with plan --out`, { where });
    }
    if (j.kind !== 'mirror') throw new MegamirrorError('usage', `job "${j.job}": only mirror plans can be applied from a file`, { where });
    const actions = (j.actions as Array<Record<string, unknown>>).map(actionFromJson);
    const plan: Plan = {
      job: j.job,
      kind: 'mirror',
      source: String(j.source),
      destination: String(j.destination),
      actions,
      unchanged: Number(j.unchanged ?? 0),
      skipped: [],
      warnings: [],
      summary: summarize(actions, 0, { files: Number(j.unchanged ?? 0), bytes: 0 }),
    };
    return { plan, fingerprint: j.job_fingerprint };
  });
}

function actionFromJson(a: Record<string, unknown>): Action {
  const ms = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : null);
  const base = { path: String(a.path), reason: a.reason } as Record<string, unknown>;
  switch (a.op) {
    case 'copy': {
      const prev = a.previous as { size: number; mtime: string | null } | undefined;
      return { ...base, op: 'copy', phase: 'transfer', size: Number(a.size), mtimeMs: ms(a.mtime), ...(prev ? { previous: { size: prev.size, mtimeMs: ms(prev.mtime) } } : {}) } as Action;
    }
    case 'delete':
      return { ...base, op: 'delete', phase: a.phase === 'clear' ? 'clear' : 'delete', size: Number(a.size), ...('mtime' in a ? { mtimeMs: ms(a.mtime) } : {}) } as Action;
    case 'mkdir':
      return { ...base, op: 'mkdir', phase: 'mkdir' } as Action;
    case 'rmdir':
      return { ...base, op: 'rmdir', phase: a.phase === 'clear' ? 'clear' : 'rmdir' } as Action;
    default:
      throw new MegamirrorError('usage', `unknown action "${String(a.op)}" in a saved plan`);
  }
}
