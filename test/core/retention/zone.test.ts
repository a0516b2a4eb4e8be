import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../../src/core/retention/index.js';
import { isoWeek } from '../../../src/core/retention/buckets.js';
import { defaultTimeZone, zoneClock } from '../../../src/core/retention/zone.js';
import { snaps } from './helpers.js';

const keptIds = (times: string[], policy: object, timezone?: string): string[] =>
  applyRetention(snaps(times), policy, timezone === undefined ? {} : { timezone }).keep.map((s) => s.id);

describe('calendar buckets follow the time zone', () => {
  it('23:30 UTC is the next day in Europe/Berlin', () => {
    const times = ['2024-01-01T12:00:00Z', '2024-01-01T22:30:00Z', '2024-01-01T23:30:00Z'];
    // UTC: one day; keep its newest, and the oldest because count is left.
    expect(keptIds(times, { keep_daily: 2 }, 'UTC')).toEqual(['s002', 's000']);
    // Berlin: 23:30Z is 00:30 on 2 January, 22:30Z is 23:30 on 1 January: two days.
    expect(keptIds(times, { keep_daily: 2 }, 'Europe/Berlin')).toEqual(['s002', 's001']);
  });

  // Each case has an older snapshot at the start: the oldest is kept while count is left, and that
  // rule would otherwise hide the bucket boundaries under test.
  it('hours follow half-hour offsets (Asia/Kolkata, UTC+5:30)', () => {
    const times = ['2024-01-01T05:00:00Z', '2024-01-01T09:50:00Z', '2024-01-01T10:10:00Z', '2024-01-01T10:40:00Z'];
    expect(keptIds(times, { keep_hourly: 2 }, 'UTC')).toEqual(['s003', 's001']);
    // Kolkata: 15:20, 15:40, 16:10: the two newest are in different hours.
    expect(keptIds(times, { keep_hourly: 2 }, 'Asia/Kolkata')).toEqual(['s003', 's002']);
  });

  it('months and years follow the zone too', () => {
    const times = ['2022-06-01T00:00:00Z', '2023-12-31T20:00:00Z', '2024-01-01T02:00:00Z'];
    expect(keptIds(times, { keep_yearly: 2 }, 'UTC')).toEqual(['s002', 's001']);
    expect(keptIds(times, { keep_monthly: 2 }, 'UTC')).toEqual(['s002', 's001']);
    // New York: the two newest are both on 31 December 2023.
    expect(keptIds(times, { keep_yearly: 2 }, 'America/New_York')).toEqual(['s002', 's000']);
    expect(keptIds(times, { keep_monthly: 2 }, 'America/New_York')).toEqual(['s002', 's000']);
  });

  it('uses the machine zone when none is given', () => {
    const times = ['2024-01-01T12:00:00Z', '2024-01-01T22:30:00Z', '2024-01-01T23:30:00Z'];
    expect(keptIds(times, { keep_daily: 2 })).toEqual(keptIds(times, { keep_daily: 2 }, defaultTimeZone()));
  });
});

describe('weekly buckets are ISO weeks', () => {
  it.each([
    ['2020-12-31T12:00:00Z', 2020, 53], // Thursday
    ['2021-01-03T23:59:59Z', 2020, 53], // Sunday ends the week
    ['2021-01-04T00:00:00Z', 2021, 1], // Monday starts one
    ['2019-12-30T00:00:00Z', 2020, 1],
    ['2024-12-30T00:00:00Z', 2025, 1],
    ['2016-01-01T00:00:00Z', 2015, 53],
    ['2026-06-15T00:00:00Z', 2026, 25],
  ])('%s is %i-W%i', (iso, year, week) => {
    expect(isoWeek(Date.parse(iso))).toEqual({ year, week });
  });

  it('splits Sunday from Monday, not Saturday from Sunday', () => {
    const times = ['2020-12-01T12:00:00Z', '2021-01-02T12:00:00Z', '2021-01-03T12:00:00Z', '2021-01-04T12:00:00Z'];
    expect(keptIds(times, { keep_weekly: 2 }, 'UTC')).toEqual(['s003', 's002']);
  });
});

describe('keep_within windows are calendar spans on the zone wall clock', () => {
  it('1d across the start of summer time is 23 hours in Berlin, 24 in UTC', () => {
    // Newest 2024-03-31 12:00Z (14:00 CEST); a day earlier on the wall is 2024-03-30 14:00 CET = 13:00Z.
    const times = ['2024-03-31T12:00:00Z', '2024-03-30T12:30:00Z'];
    expect(keptIds(times, { keep_within: '1d' }, 'UTC')).toEqual(['s000', 's001']);
    expect(keptIds(times, { keep_within: '1d' }, 'Europe/Berlin')).toEqual(['s000']);
    // Hours are elapsed time in every zone.
    expect(keptIds(times, { keep_within: '24h' }, 'Europe/Berlin')).toEqual(['s000', 's001']);
  });

  it('normalizes month arithmetic like Go AddDate (31 March minus 1m is 2 March)', () => {
    const times = ['2016-03-31T00:00:00Z', '2016-03-02T00:00:01Z', '2016-03-01T23:59:59Z'];
    expect(keptIds(times, { keep_within: '1m' }, 'UTC')).toEqual(['s000', 's001']);
    const leap = ['2016-02-29T00:00:00Z', '2015-03-01T00:00:01Z', '2015-02-28T23:59:59Z'];
    expect(keptIds(leap, { keep_within: '1y' }, 'UTC')).toEqual(['s000', 's001']);
  });

  it('keeps everything when the span reaches past the range of Date', () => {
    const times = ['2024-01-01T00:00:00Z', '1970-01-01T00:00:00Z'];
    expect(keptIds(times, { keep_within: '300000y' }, 'UTC')).toEqual(['s000', 's001']);
    expect(keptIds(times, { keep_within: '273845y' }, 'UTC')).toEqual(['s000', 's001']);
  });
});

describe('zoneClock', () => {
  const berlin = zoneClock('Europe/Berlin');

  it('round-trips ordinary instants, including milliseconds and years before 100', () => {
    for (const iso of ['2024-06-01T12:34:56.789Z', '0050-01-01T00:00:00.001Z', '1969-12-31T23:59:59.999Z']) {
      const ms = Date.parse(iso);
      expect(berlin.fromWall(berlin.toWall(ms))).toBe(ms);
    }
  });

  it('resolves a repeated wall time to the earlier instant', () => {
    // 02:30 on 2024-10-27 happens at 00:30Z (CEST) and at 01:30Z (CET).
    expect(berlin.fromWall(Date.parse('2024-10-27T02:30:00Z'))).toBe(Date.parse('2024-10-27T00:30:00Z'));
  });

  it('resolves a missing wall time to the earlier reading', () => {
    // 02:30 on 2024-03-31 does not exist in Berlin.
    expect(berlin.fromWall(Date.parse('2024-03-31T02:30:00Z'))).toBe(Date.parse('2024-03-31T00:30:00Z'));
  });
});
