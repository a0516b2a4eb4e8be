import { bucketKey } from './buckets.js';
import type { Rule } from './rules.js';

/** A snapshot's time as the walk needs it: the instant and its wall ms in the policy's zone. */
export interface WalkTime {
  ms: number;
  wallMs: number;
}

/**
 * restic's forget walk over snapshots sorted newest first. Each rule keeps a snapshot when it is
 * inside the rule's window, the rule has count left, and its bucket differs from the bucket of the
 * rule's previous keep. The oldest snapshot is kept by every rule that still has count left there
 * (even in an already-kept bucket), which stretches the history as far back as the counts allow.
 * Returns, per snapshot in the same order, the reasons of the rules that keep it (empty: none).
 */
export function walkRules(times: readonly WalkTime[], rules: readonly Rule[]): string[][] {
  const left = rules.map((rule) => rule.count);
  const lastBucket: (number | undefined)[] = rules.map(() => undefined);
  const oldest = times.length - 1;
  return times.map(({ ms, wallMs }, index) => {
    const reasons: string[] = [];
    rules.forEach((rule, r) => {
      if ((left[r] as number) <= 0 || ms <= rule.afterMs) return;
      const bucket = bucketKey(rule.unit, wallMs, index);
      if (bucket === lastBucket[r] && index !== oldest) return;
      lastBucket[r] = bucket;
      left[r] = (left[r] as number) - 1;
      reasons.push(rule.reason);
    });
    return reasons;
  });
}
