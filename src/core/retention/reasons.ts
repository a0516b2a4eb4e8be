import type { Unit } from './buckets.js';
import { formatCalendarSpan, type CalendarSpan } from './span.js';

/**
 * Why a snapshot is kept, as shown in plans and reports (`keep: daily snapshot`). The wording is
 * stable: reports and tests read these strings. A kept snapshot lists one reason per rule that keeps
 * it, in policy key order (keep_last … keep_yearly, keep_within … keep_within_yearly):
 *
 *   last snapshot                      keep_last
 *   hourly|daily|weekly|monthly|yearly snapshot      keep_hourly … keep_yearly
 *   within <span>                      keep_within, e.g. `within 7d`
 *   within <span> <unit> snapshot      keep_within_<unit>, e.g. `within 1y2m daily snapshot`
 *   newest snapshot                    no rule keeps it, but the newest snapshot is never removed
 *   no retention rules                 the policy is empty, so every snapshot is kept
 *
 * `<span>` is the canonical form of the duration (formatCalendarSpan: `1y1d1m` reads `1y1m1d`).
 */
export const NEWEST_REASON = 'newest snapshot';
export const EMPTY_POLICY_REASON = 'no retention rules';

export function countReason(unit: Unit): string {
  return unit === 'snapshot' ? 'last snapshot' : `${unit} snapshot`;
}

export function windowReason(unit: Unit, span: CalendarSpan): string {
  const within = `within ${formatCalendarSpan(span)}`;
  return unit === 'snapshot' ? within : `${within} ${unit} snapshot`;
}
