/**
 * Snapshot retention with restic `forget` semantics: which snapshots a policy keeps, and why.
 * Pure: the time zone is a parameter, and the windows are anchored at the newest snapshot, not now.
 */
import type { RetentionPolicy } from '../../config/types.js';
import { checkPolicy } from './policy.js';
import { EMPTY_POLICY_REASON, NEWEST_REASON } from './reasons.js';
import { sortNewestFirst } from './order.js';
import { toRules } from './rules.js';
import { walkRules } from './walk.js';
import { defaultTimeZone, zoneClock } from './zone.js';

export { isEmptyPolicy } from './policy.js';
export { parseCalendarSpan, formatCalendarSpan, type CalendarSpan } from './span.js';

export interface RetentionOptions {
  /** IANA zone the calendar buckets and windows follow; default the machine's zone. */
  timezone?: string;
}

export interface RetentionResult<T> {
  /** The very objects passed in, newest first (equal times: id descending). */
  keep: T[];
  /** The very objects passed in, newest first. */
  remove: T[];
  /**
   * Kept id → its reasons (see reasons.ts for the wording), never empty. Removed ids are absent,
   * so `id in reasons` says whether a snapshot is kept.
   */
  reasons: Record<string, string[]>;
}

/**
 * Decide which snapshots a retention policy keeps. Count rules (keep_last, keep_hourly …
 * keep_yearly; -1 = unlimited) keep the newest snapshot of each of their most recent N calendar
 * buckets; keep_within keeps everything inside a window that ends at the newest snapshot;
 * keep_within_<unit> keeps one snapshot per bucket inside its window. Rules combine by union; an
 * empty policy keeps everything; the newest snapshot is never removed.
 * @throws MegamirrorError('config') for a bad policy (naming the key) or an unknown time zone;
 *   MegamirrorError('internal') for an invalid time or a repeated id.
 */
export function applyRetention<T extends { id: string; time: Date }>(
  snapshots: T[],
  policy: RetentionPolicy,
  options: RetentionOptions = {},
): RetentionResult<T> {
  const specs = checkPolicy(policy);
  const clock = zoneClock(options.timezone ?? defaultTimeZone());
  const sorted = sortNewestFirst(snapshots);
  const newest = sorted[0];
  if (newest === undefined) return { keep: [], remove: [], reasons: {} };

  let perSnapshot: string[][];
  if (specs.length === 0) {
    perSnapshot = sorted.map(() => [EMPTY_POLICY_REASON]);
  } else {
    const rules = toRules(specs, newest.time.getTime(), clock);
    const times = sorted.map(({ time }) => ({ ms: time.getTime(), wallMs: clock.toWall(time.getTime()) }));
    perSnapshot = walkRules(times, rules);
  }
  // With restic's rules the newest is always kept by some rule already; this guard makes it a promise.
  if (perSnapshot[0]?.length === 0) perSnapshot[0].push(NEWEST_REASON);

  const keep: T[] = [];
  const remove: T[] = [];
  const kept: [string, string[]][] = [];
  sorted.forEach((snapshot, i) => {
    const why = perSnapshot[i] ?? [];
    if (why.length === 0) {
      remove.push(snapshot);
    } else {
      keep.push(snapshot);
      kept.push([snapshot.id, why]);
    }
  });
  // fromEntries defines own properties, so an id such as `__proto__` stays an ordinary key.
  const reasons = Object.fromEntries(kept);
  return { keep, remove, reasons };
}
