import type { Action, PlanSummary } from './types.js';

/** Counts and bytes per action kind, for the summary line, the plan JSON and the report. */
export function summarize(
  actions: readonly Action[],
  skipped: number,
  unchanged: { files: number; bytes: number },
): PlanSummary {
  const s: PlanSummary = {
    copy: { files: 0, bytes: 0 },
    link: { files: 0, bytes: 0 },
    delete: { files: 0, bytes: 0 },
    mkdir: 0,
    rmdir: 0,
    prune: 0,
    unchanged: { ...unchanged },
    skipped,
  };
  for (const a of actions) {
    switch (a.op) {
      case 'copy':
      case 'link':
      case 'delete':
        s[a.op].files++;
        s[a.op].bytes += a.size;
        break;
      case 'mkdir':
      case 'rmdir':
      case 'prune':
        s[a.op]++;
        break;
      case 'manifest':
        break;
      default:
        assertNever(a);
    }
  }
  return s;
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}
