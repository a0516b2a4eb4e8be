import type { Unit } from './buckets.js';
import type { RuleSpec } from './policy.js';
import { countReason, windowReason } from './reasons.js';
import { windowStart } from './window.js';
import type { ZoneClock } from './zone.js';

/**
 * A rule ready to walk: keep the newest snapshot of each new `unit` bucket, at most `count` of them
 * (Infinity for no limit), among snapshots whose time is strictly after `afterMs` (-Infinity when
 * the rule has no window).
 */
export interface Rule {
  unit: Unit;
  count: number;
  afterMs: number;
  reason: string;
}

/** Windows are anchored at the newest snapshot's time, not at "now", so a pause in backups loses nothing. */
export function toRules(specs: readonly RuleSpec[], newestMs: number, clock: ZoneClock): Rule[] {
  return specs.map(({ unit, count, span }) =>
    span === null
      ? { unit, count, afterMs: Number.NEGATIVE_INFINITY, reason: countReason(unit) }
      : { unit, count, afterMs: windowStart(newestMs, span, clock), reason: windowReason(unit, span) },
  );
}
