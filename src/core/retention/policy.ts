import type { RetentionPolicy } from '../../config/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Unit } from './buckets.js';
import { isZeroSpan, readCalendarSpan, type CalendarSpan } from './span.js';

/**
 * One active rule of a checked policy. `count` is the number of buckets to keep (Infinity for
 * -1, "unlimited"); `span` is null for count rules and the window for keep_within* rules, which
 * have no count (Infinity).
 */
export interface RuleSpec {
  unit: Unit;
  count: number;
  span: CalendarSpan | null;
}

type CountKey = {
  [K in keyof RetentionPolicy]-?: RetentionPolicy[K] extends number | undefined ? K : never;
}[keyof RetentionPolicy];
type SpanKey = Exclude<keyof RetentionPolicy, CountKey>;

// In policy key order, which is also the order of a snapshot's reasons.
const COUNT_UNITS: Record<CountKey, Unit> = {
  keep_last: 'snapshot',
  keep_hourly: 'hourly',
  keep_daily: 'daily',
  keep_weekly: 'weekly',
  keep_monthly: 'monthly',
  keep_yearly: 'yearly',
};
const SPAN_UNITS: Record<SpanKey, Unit> = {
  keep_within: 'snapshot',
  keep_within_hourly: 'hourly',
  keep_within_daily: 'daily',
  keep_within_weekly: 'weekly',
  keep_within_monthly: 'monthly',
  keep_within_yearly: 'yearly',
};

/**
 * Validate a policy and list its active rules. As in restic, a count of 0 and an all-zero span
 * (`0d`) are the same as leaving the key out: they add no rule.
 * @throws MegamirrorError('config') naming the key, for a count that is not an integer ≥ -1, a
 *   malformed duration, or an unknown key.
 */
export function checkPolicy(policy: RetentionPolicy): RuleSpec[] {
  if (typeof policy !== 'object' || policy === null) {
    throw configError('retention', 'must be a mapping of keep_* rules');
  }
  for (const key of Object.keys(policy)) {
    if (!Object.hasOwn(COUNT_UNITS, key) && !Object.hasOwn(SPAN_UNITS, key)) throw configError(key, 'is not a retention rule');
  }
  const rules: RuleSpec[] = [];
  for (const [key, unit] of Object.entries(COUNT_UNITS) as [CountKey, Unit][]) {
    const count: unknown = policy[key];
    if (count === undefined) continue;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < -1) {
      throw configError(key, `must be a whole number ≥ 0, or -1 for unlimited (got ${JSON.stringify(count)})`);
    }
    if (count !== 0) rules.push({ unit, count: count === -1 ? Number.POSITIVE_INFINITY : count, span: null });
  }
  for (const [key, unit] of Object.entries(SPAN_UNITS) as [SpanKey, Unit][]) {
    const text: unknown = policy[key];
    if (text === undefined) continue;
    const read = readCalendarSpan(text);
    if ('problem' in read) throw configError(key, read.problem);
    if (!isZeroSpan(read.span)) rules.push({ unit, count: Number.POSITIVE_INFINITY, span: read.span });
  }
  return rules;
}

/** True when the policy has no active rule (it would keep everything). Throws like checkPolicy. */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return checkPolicy(policy).length === 0;
}

function configError(key: string, message: string): MegamirrorError {
  return new MegamirrorError('config', `${key}: ${message}`);
}
