import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RetentionPolicy } from '../../../src/config/types.js';
import { applyRetention, isEmptyPolicy } from '../../../src/core/retention/index.js';

interface S {
  id: string;
  time: Date;
}

const BASE = Date.parse('2018-01-01T00:00:00Z');
// Small steps repeat times often; large ones spread snapshots over about eight years.
const timeArb = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((k) => BASE + k * 20 * 60_000),
  fc.integer({ min: 0, max: 20_000 }).map((k) => BASE + k * 13_020_000),
);
const snapshotsArb = fc
  .array(timeArb, { maxLength: 60 })
  .map((times) => times.map((ms, i): S => ({ id: `id${i}`, time: new Date(ms) })));

const countArb = fc.integer({ min: -1, max: 6 });
const spanArb = fc
  .tuple(fc.nat(2), fc.nat(14), fc.nat(40), fc.nat(50))
  .map(([y, m, d, h]) => `${y}y${m}m${d}d${h}h`);
const policyArb: fc.Arbitrary<RetentionPolicy> = fc.record(
  {
    keep_last: countArb,
    keep_hourly: countArb,
    keep_daily: countArb,
    keep_weekly: countArb,
    keep_monthly: countArb,
    keep_yearly: countArb,
    keep_within: spanArb,
    keep_within_hourly: spanArb,
    keep_within_daily: spanArb,
    keep_within_weekly: spanArb,
    keep_within_monthly: spanArb,
    keep_within_yearly: spanArb,
  },
  { requiredKeys: [] },
);
const zoneArb = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham');

const REASON =
  /^(?:(?:last|hourly|daily|weekly|monthly|yearly) snapshot|within (?:\d+[ymdh])+(?: (?:hourly|daily|weekly|monthly|yearly) snapshot)?|newest snapshot|no retention rules)$/;

const ids = (list: S[]) => list.map((s) => s.id);
const isNewestFirst = (list: S[]) => list.every((s, i) => i === 0 || list[i - 1]!.time >= s.time);

describe('retention properties', () => {
  it('keep and remove partition the input, newest first, and the newest is kept', () => {
    fc.assert(
      fc.property(snapshotsArb, policyArb, zoneArb, (input, policy, timezone) => {
        const { keep, remove, reasons } = applyRetention(input, policy, { timezone });
        expect(keep.length + remove.length).toBe(input.length);
        expect(new Set([...keep, ...remove])).toEqual(new Set(input));
        expect(keep.some((s) => remove.includes(s))).toBe(false);
        expect(isNewestFirst(keep) && isNewestFirst(remove)).toBe(true);
        if (input.length > 0) {
          const newest = Math.max(...input.map((s) => s.time.getTime()));
          expect(keep[0]?.time.getTime()).toBe(newest);
        }
        expect(Object.keys(reasons).sort()).toEqual(ids(keep).sort());
        for (const why of Object.values(reasons)) {
          expect(why.length).toBeGreaterThan(0);
          for (const reason of why) expect(reason).toMatch(REASON);
        }
      }),
    );
  });

  it('an empty policy keeps everything', () => {
    const zeroArb = fc.record(
      { keep_last: fc.constant(0), keep_daily: fc.constant(0), keep_within: fc.constant('0d'), keep_within_weekly: fc.constant('0y0h') },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(snapshotsArb, zeroArb, (input, policy) => {
        expect(isEmptyPolicy(policy)).toBe(true);
        const { keep, remove } = applyRetention(input, policy, { timezone: 'UTC' });
        expect(remove).toEqual([]);
        expect(keep).toHaveLength(input.length);
      }),
    );
  });

  it('does not depend on the order the snapshots are listed in', () => {
    fc.assert(
      fc.property(snapshotsArb, policyArb, zoneArb, fc.nat(), (input, policy, timezone, seed) => {
        const shuffled = [...input].sort((a, b) => hash(a.id, seed) - hash(b.id, seed));
        const one = applyRetention(input, policy, { timezone });
        const two = applyRetention(shuffled, policy, { timezone });
        expect(ids(two.keep)).toEqual(ids(one.keep));
        expect(two.reasons).toEqual(one.reasons);
      }),
    );
  });

  it('raising a count, or making it unlimited, never removes a kept snapshot', () => {
    const keyArb = fc.constantFrom('keep_last', 'keep_hourly', 'keep_daily', 'keep_weekly', 'keep_monthly', 'keep_yearly');
    fc.assert(
      fc.property(snapshotsArb, policyArb, keyArb, fc.integer({ min: 0, max: 6 }), fc.nat(4), (input, policy, key, n, more) => {
        const small = applyRetention(input, { ...policy, [key]: n }, { timezone: 'UTC' });
        for (const bigger of [n + more, -1]) {
          const big = applyRetention(input, { ...policy, [key]: bigger }, { timezone: 'UTC' });
          for (const id of ids(small.keep)) expect(ids(big.keep)).toContain(id);
        }
      }),
    );
  });

  it('keep_last N keeps exactly the N newest', () => {
    fc.assert(
      fc.property(snapshotsArb, fc.integer({ min: 1, max: 70 }), (input, n) => {
        const { keep } = applyRetention(input, { keep_last: n }, { timezone: 'UTC' });
        const expected = [...input].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
        expect(ids(keep)).toEqual(ids(expected.slice(0, n)));
      }),
    );
  });

  it('keep_within in hours keeps exactly the snapshots less than that many hours older than the newest', () => {
    fc.assert(
      fc.property(snapshotsArb.filter((s) => s.length > 0), fc.integer({ min: 1, max: 5000 }), zoneArb, (input, hours, timezone) => {
        const { keep } = applyRetention(input, { keep_within: `${hours}h` }, { timezone });
        const newest = Math.max(...input.map((s) => s.time.getTime()));
        const expected = input.filter((s) => s.time.getTime() > newest - hours * 3_600_000);
        expect(ids(keep).sort()).toEqual(ids(expected).sort());
      }),
    );
  });

  // An independent model of one UTC count rule, bucketing by ISO-string prefix instead of Intl.
  it.each([
    ['keep_hourly', 13],
    ['keep_daily', 10],
    ['keep_monthly', 7],
    ['keep_yearly', 4],
  ] as const)('%s matches a reference model in UTC', (key, prefix) => {
    fc.assert(
      fc.property(snapshotsArb, fc.integer({ min: -1, max: 8 }), (input, count) => {
        fc.pre(count !== 0);
        const sorted = [...input].sort((a, b) => b.time.getTime() - a.time.getTime() || (a.id < b.id ? 1 : -1));
        const expected: string[] = [];
        let last: string | undefined;
        let left = count === -1 ? Infinity : count;
        sorted.forEach((s, i) => {
          const bucket = s.time.toISOString().slice(0, prefix);
          if (left > 0 && (bucket !== last || i === sorted.length - 1)) {
            expected.push(s.id);
            last = bucket;
            left--;
          }
        });
        expect(ids(applyRetention(input, { [key]: count }, { timezone: 'UTC' }).keep)).toEqual(expected);
      }),
    );
  });
});

function hash(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x9e3779b1);
  return h;
}
