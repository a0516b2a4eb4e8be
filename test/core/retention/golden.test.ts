import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RetentionPolicy } from '../../../src/config/types.js';
import { applyRetention } from '../../../src/core/retention/index.js';
import { describePolicy, snaps, sortedMs } from './helpers.js';

// restic's policy tests as data (test/fixtures/README.md); every case must match exactly.
interface Golden {
  snapshots: string[];
  cases: { policy: RetentionPolicy; keep: string[] }[];
}
const golden = JSON.parse(
  readFileSync(new URL('../../fixtures/retention-golden.json', import.meta.url), 'utf8'),
) as Golden;
const cases = golden.cases.map((c, index) => ({ ...c, name: `#${index} ${describePolicy(c.policy)}` }));

describe('retention golden cases (restic, UTC)', () => {
  it('has the cases and snapshots it should', () => {
    expect(golden.cases).toHaveLength(27);
    expect(golden.snapshots).toHaveLength(103);
  });

  it.each(cases)('$name', ({ policy, keep }) => {
    const input = snaps(golden.snapshots);
    const result = applyRetention(input, policy, { timezone: 'UTC' });
    expect(sortedMs(result.keep.map((s) => s.time))).toEqual(sortedMs(keep));
    expect(result.keep.length + result.remove.length).toBe(input.length);
  });

  it.each(cases)('$name: same result whatever order the snapshots are listed in', ({ policy }) => {
    const input = snaps(golden.snapshots);
    const forward = applyRetention(input, policy, { timezone: 'UTC' });
    const backward = applyRetention([...input].reverse(), policy, { timezone: 'UTC' });
    expect(backward.keep.map((s) => s.id)).toEqual(forward.keep.map((s) => s.id));
    expect(backward.reasons).toEqual(forward.reasons);
  });
});
