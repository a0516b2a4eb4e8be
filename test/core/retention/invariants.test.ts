import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../../src/core/retention/index.js';
import { snaps } from './helpers.js';

const UTC = { timezone: 'UTC' };
const times = [
  '2024-03-01T10:00:00Z',
  '2024-03-05T10:00:00Z',
  '2024-03-05T08:00:00Z',
  '2024-02-10T10:00:00Z',
  '2024-03-05T10:00:00Z', // same time as s001
  '2023-12-31T23:00:00Z',
];

describe('retention invariants (examples)', () => {
  it('keep and remove partition the input: the same objects, each exactly once', () => {
    const input = snaps(times);
    const { keep, remove } = applyRetention(input, { keep_last: 2 }, UTC);
    expect([...keep, ...remove].sort((a, b) => a.id.localeCompare(b.id))).toEqual(input);
    for (const s of [...keep, ...remove]) expect(input).toContain(s); // identity, not a copy
    expect(keep.filter((s) => remove.includes(s))).toEqual([]);
  });

  it('returns both lists newest first, equal times by id descending', () => {
    const { keep, remove } = applyRetention(snaps(times), { keep_last: 3 }, UTC);
    expect(keep.map((s) => s.id)).toEqual(['s004', 's001', 's002']);
    expect(remove.map((s) => s.id)).toEqual(['s000', 's003', 's005']);
  });

  it('an empty policy keeps everything, each with the empty-policy reason', () => {
    for (const policy of [{}, { keep_last: 0 }, { keep_daily: 0, keep_within: '0d' }]) {
      const { keep, remove, reasons } = applyRetention(snaps(times), policy, UTC);
      expect(keep).toHaveLength(times.length);
      expect(remove).toEqual([]);
      expect(Object.values(reasons)).toEqual(times.map(() => ['no retention rules']));
    }
  });

  it('the newest snapshot is kept by every non-empty policy', () => {
    for (const policy of [{ keep_last: 1 }, { keep_yearly: 1 }, { keep_within: '1h' }, { keep_within_yearly: '1h' }]) {
      const { keep } = applyRetention(snaps(times), policy, UTC);
      expect(keep[0]?.id).toBe('s004');
    }
  });

  it('handles no snapshots, and one', () => {
    expect(applyRetention([], { keep_last: 1 }, UTC)).toEqual({ keep: [], remove: [], reasons: {} });
    const [only] = snaps(['2024-01-01T00:00:00Z']);
    expect(applyRetention([only!], { keep_daily: 3 }, UTC).keep).toEqual([only]);
  });

  it('reasons list kept ids only; removed ids are absent', () => {
    const { remove, reasons } = applyRetention(snaps(times), { keep_last: 2 }, UTC);
    expect(Object.keys(reasons).sort()).toEqual(['s001', 's004']);
    for (const s of remove) expect(s.id in reasons).toBe(false);
  });

  it('keeps the oldest snapshot when a rule still has count left there', () => {
    // Days newest first: 03-05, 03-01, 02-10, 12-31 — four buckets; keep_daily 5 has count left.
    const { keep } = applyRetention(snaps(times), { keep_daily: 5 }, UTC);
    expect(keep.map((s) => s.id)).toEqual(['s004', 's000', 's003', 's005']);
    // Two snapshots in the oldest day: the newer one is that day's pick, the oldest is kept too.
    const sameDay = snaps(['2024-01-02T10:00:00Z', '2024-01-01T10:00:00Z', '2024-01-01T09:00:00Z']);
    expect(applyRetention(sameDay, { keep_daily: 3 }, UTC).keep.map((s) => s.id)).toEqual(['s000', 's001', 's002']);
    expect(applyRetention(sameDay, { keep_daily: 2 }, UTC).keep.map((s) => s.id)).toEqual(['s000', 's001']);
  });

  it('window rules have no count, so they keep the oldest snapshot too, when it is inside the window', () => {
    const sameDay = snaps(['2024-01-02T10:00:00Z', '2024-01-02T09:00:00Z', '2024-01-02T08:00:00Z']);
    expect(applyRetention(sameDay, { keep_within_daily: '1d' }, UTC).keep.map((s) => s.id)).toEqual(['s000', 's002']);
    expect(applyRetention(sameDay, { keep_within_daily: '1h' }, UTC).keep.map((s) => s.id)).toEqual(['s000']);
  });

  it('accepts ids that are Object.prototype names', () => {
    const input = [
      { id: '__proto__', time: new Date('2024-01-02T00:00:00Z') },
      { id: 'constructor', time: new Date('2024-01-01T00:00:00Z') },
    ];
    const { reasons } = applyRetention(input, { keep_last: 2 }, UTC);
    expect(Object.keys(reasons)).toEqual(['__proto__', 'constructor']);
    expect(reasons['__proto__']).toEqual(['last snapshot']);
  });

  it('does not modify its input', () => {
    const input = snaps(times);
    const before = [...input];
    applyRetention(input, { keep_last: 1 }, UTC);
    expect(input).toEqual(before);
  });
});
