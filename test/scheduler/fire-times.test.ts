import fc from 'fast-check';
import { createTask } from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCron } from '../../src/core/schedule/cron.js';
import { nextFire, previousFire } from '../../src/core/schedule/fire-times.js';
import { zoneClock } from '../../src/core/retention/zone.js';

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('nextFire and previousFire: table', () => {
  const cases: Array<{ name: string; expr: string; zone: string; from: string; next: string | null; prev: string | null }> = [
    { name: 'daily at 03:00 UTC, before it', expr: '0 3 * * *', zone: 'UTC', from: '2024-05-01T02:59:59Z', next: '2024-05-01T03:00:00.000Z', prev: '2024-04-30T03:00:00.000Z' },
    { name: 'exactly at a fire time: next is strictly after, previous includes it', expr: '0 3 * * *', zone: 'UTC', from: '2024-05-01T03:00:00Z', next: '2024-05-02T03:00:00.000Z', prev: '2024-05-01T03:00:00.000Z' },
    { name: 'every 15 minutes', expr: '*/15 * * * *', zone: 'UTC', from: '2024-05-01T10:07:30Z', next: '2024-05-01T10:15:00.000Z', prev: '2024-05-01T10:00:00.000Z' },
    { name: 'six fields: every second', expr: '* * * * * *', zone: 'UTC', from: '2024-05-01T10:07:30.400Z', next: '2024-05-01T10:07:31.000Z', prev: '2024-05-01T10:07:30.000Z' },
    { name: 'across a year end', expr: '0 0 1 1 *', zone: 'UTC', from: '2024-06-01T00:00:00Z', next: '2025-01-01T00:00:00.000Z', prev: '2024-01-01T00:00:00.000Z' },
    { name: 'in a zone east of UTC', expr: '30 2 * * *', zone: 'Europe/Berlin', from: '2024-07-01T12:00:00Z', next: '2024-07-02T00:30:00.000Z', prev: '2024-07-01T00:30:00.000Z' },
    { name: 'the hour skipped by DST start does not fire that day', expr: '30 2 * * *', zone: 'Europe/Berlin', from: '2024-03-30T12:00:00Z', next: '2024-04-01T00:30:00.000Z', prev: '2024-03-30T01:30:00.000Z' },
    // node-cron's timer takes the later 02:30 east of UTC and the earlier 01:30 west of it.
    { name: 'the hour repeated by DST end fires once, as node-cron fires it (east: the later)', expr: '30 2 * * *', zone: 'Europe/Berlin', from: '2024-10-26T12:00:00Z', next: '2024-10-27T01:30:00.000Z', prev: '2024-10-26T00:30:00.000Z' },
    { name: 'after the repeated hour, previous is the occurrence that fired', expr: '30 2 * * *', zone: 'Europe/Berlin', from: '2024-10-27T01:45:00Z', next: '2024-10-28T01:30:00.000Z', prev: '2024-10-27T01:30:00.000Z' },
    { name: 'the hour repeated by DST end fires once, as node-cron fires it (west: the earlier)', expr: '30 1 * * *', zone: 'America/New_York', from: '2024-11-02T12:00:00Z', next: '2024-11-03T05:30:00.000Z', prev: '2024-11-02T05:30:00.000Z' },
    { name: 'weekdays only', expr: '0 9 * * MON-FRI', zone: 'UTC', from: '2024-05-03T10:00:00Z', next: '2024-05-06T09:00:00.000Z', prev: '2024-05-03T09:00:00.000Z' },
    { name: 'day of month AND weekday (node-cron rule)', expr: '0 0 13 * 5', zone: 'UTC', from: '2024-01-01T00:00:00Z', next: '2024-09-13T00:00:00.000Z', prev: '2023-10-13T00:00:00.000Z' },
    { name: 'last day of the month', expr: '0 0 L * *', zone: 'UTC', from: '2024-02-10T00:00:00Z', next: '2024-02-29T00:00:00.000Z', prev: '2024-01-31T00:00:00.000Z' },
    { name: 'second Monday', expr: '0 0 * * 1#2', zone: 'UTC', from: '2024-05-01T00:00:00Z', next: '2024-05-13T00:00:00.000Z', prev: '2024-04-08T00:00:00.000Z' },
    { name: 'last Friday', expr: '0 0 * * 5L', zone: 'UTC', from: '2024-05-01T00:00:00Z', next: '2024-05-31T00:00:00.000Z', prev: '2024-04-26T00:00:00.000Z' },
    { name: 'nearest weekday to the 15th (a Saturday)', expr: '0 0 15W * *', zone: 'UTC', from: '2024-06-01T00:00:00Z', next: '2024-06-14T00:00:00.000Z', prev: '2024-05-15T00:00:00.000Z' },
    { name: 'nickname', expr: '@weekly', zone: 'UTC', from: '2024-05-01T00:00:00Z', next: '2024-05-05T00:00:00.000Z', prev: '2024-04-28T00:00:00.000Z' },
    { name: '29 February on a Monday: rare but found', expr: '0 0 29 2 1', zone: 'UTC', from: '2024-03-01T00:00:00Z', next: '2044-02-29T00:00:00.000Z', prev: '2016-02-29T00:00:00.000Z' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const spec = parseCron(c.expr);
      const zone = zoneClock(c.zone);
      expect(iso(nextFire(spec, at(c.from), zone))).toBe(c.next);
      expect(iso(previousFire(spec, at(c.from), zone))).toBe(c.prev);
    });
  }

  it('refuses what node-cron refuses, with the reason', () => {
    expect(() => parseCron('0 0 31 2 *')).toThrow(/impossible/);
    expect(() => parseCron('61 * * * *')).toThrow(/invalid cron expression/);
  });

  it('says which day fields are restricted', () => {
    expect(parseCron('0 0 * * *').restricted).toEqual({ dayOfMonth: false, dayOfWeek: false });
    expect(parseCron('0 0 1-31 * 0-6').restricted).toEqual({ dayOfMonth: false, dayOfWeek: false });
    expect(parseCron('0 0 1 * MON').restricted).toEqual({ dayOfMonth: true, dayOfWeek: true });
  });
});

/** Random expressions from node-cron's grammar, numbers and tokens. */
const field = (min: number, max: number) =>
  fc.oneof(
    fc.constant('*'),
    fc.integer({ min, max }).map(String),
    fc.integer({ min: 2, max: Math.max(2, Math.floor((max - min) / 2)) }).map((n) => `*/${n}`),
    fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
    fc.uniqueArray(fc.integer({ min, max }), { minLength: 2, maxLength: 4 }).map((xs) => xs.join(',')),
  );
const dom = fc.oneof(field(1, 28), fc.constantFrom('L', 'L-2', '10W', 'LW'));
const dow = fc.oneof(field(0, 6), fc.constantFrom('1#2', '5L', 'MON-FRI', 'SUN'));
const expression = fc
  .tuple(fc.oneof(fc.constant(null), field(0, 59)), field(0, 59), field(0, 23), dom, field(1, 12), dow)
  .map(([s, ...rest]) => (s === null ? rest.join(' ') : [s, ...rest].join(' ')));
const zones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata');
// Half of the instants fall in the 40 hours before a DST change of one of the zones (or 8 after),
// where a repeated or skipped hour is likely the next fire time.
const dstChanges = ['2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z', '2024-03-10T07:00:00Z', '2024-11-03T06:00:00Z', '2024-04-06T15:00:00Z', '2024-10-05T15:30:00Z', '2027-10-31T01:00:00Z'].map(at);
const instant = fc.oneof(
  fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2030-01-01T00:00:00Z') }),
  fc.tuple(fc.constantFrom(...dstChanges), fc.integer({ min: -40 * 3600, max: 8 * 3600 })).map(([t, s]) => t + s * 1000),
);

describe('nextFire and previousFire agree with node-cron', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('next fire time equals node-cron getNextRuns (system time faked)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    fc.assert(
      fc.property(expression, zones, instant, (expr, tz, now) => {
        const task = createTask(expr, () => {}, { timezone: tz });
        try {
          vi.setSystemTime(now);
          let theirs: number | null;
          try {
            theirs = task.getNextRuns(1)[0]!.getTime();
          } catch {
            theirs = null; // never fires (e.g. 10W and the last Friday); node-cron throws, we say null
          }
          expect(iso(nextFire(parseCron(expr), now, zoneClock(tz)))).toBe(iso(theirs));
        } finally {
          task.destroy();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the previous fire time matches and nothing fires between it and now', () => {
    fc.assert(
      fc.property(expression, zones, instant, (expr, tz, now) => {
        const task = createTask(expr, () => {}, { timezone: tz });
        try {
          const spec = parseCron(expr);
          const zone = zoneClock(tz);
          const prev = previousFire(spec, now, zone);
          if (prev === null) return;
          expect(prev).toBeLessThanOrEqual(now);
          expect(task.match(new Date(prev))).toBe(true);
          expect(nextFire(spec, prev, zone)! > now).toBe(true);
        } finally {
          task.destroy();
        }
      }),
      { numRuns: 150 },
    );
  });
});
