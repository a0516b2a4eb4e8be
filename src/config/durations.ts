/**
 * Duration syntax of the job file: one integer and a unit, `500ms`, `2s`, `5m`, `1h`, `1d` (fixed
 * lengths, a day is 24 h). Used for `mtime_tolerance` and `hooks.timeout`.
 * Calendar spans (`keep_within: 1y2m`) belong to core/retention, which parses them.
 */

import { MegamirrorError } from '../errors.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

export const DURATION_HINT = 'a duration like 500ms, 2s, 5m, 1h or 1d';

/** Milliseconds in `text`. Throws MegamirrorError('config') when it is not a duration. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : NaN;
  if (!Number.isSafeInteger(ms)) {
    throw new MegamirrorError('config', `invalid duration "${text}": expected ${DURATION_HINT}`);
  }
  return ms;
}
