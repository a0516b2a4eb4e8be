import { describe, expect, it } from 'vitest';
import { applyRetention } from '../../../src/core/retention/index.js';
import { snaps } from './helpers.js';

const UTC = { timezone: 'UTC' };

describe('retention reasons', () => {
  it('lists one reason per rule that keeps a snapshot, in policy key order', () => {
    const input = snaps(['2024-01-10T10:00:00Z', '2024-01-10T09:00:00Z', '2024-01-09T10:00:00Z', '2024-01-01T00:00:00Z']);
    const policy = { keep_last: 1, keep_daily: 2, keep_within: '1d', keep_within_daily: '1y2m' };
    expect(applyRetention(input, policy, UTC).reasons).toEqual({
      s000: ['last snapshot', 'daily snapshot', 'within 1d', 'within 1y2m daily snapshot'],
      s001: ['within 1d'], // 09:00 is inside the day before 10:00; s002 is exactly at the edge: out
      s002: ['daily snapshot', 'within 1y2m daily snapshot'],
      s003: ['within 1y2m daily snapshot'],
    });
  });

  it('names every bucket unit', () => {
    const input = snaps(['2024-01-10T10:00:00Z']);
    const counts = { keep_hourly: 1, keep_daily: 1, keep_weekly: 1, keep_monthly: 1, keep_yearly: 1 };
    expect(applyRetention(input, counts, UTC).reasons['s000']).toEqual([
      'hourly snapshot',
      'daily snapshot',
      'weekly snapshot',
      'monthly snapshot',
      'yearly snapshot',
    ]);
    const windows = {
      keep_within_hourly: '1h',
      keep_within_daily: '1d',
      keep_within_weekly: '1y1d1m',
      keep_within_monthly: '0y2m',
      keep_within_yearly: '3h2d',
    };
    expect(applyRetention(input, windows, UTC).reasons['s000']).toEqual([
      'within 1h hourly snapshot',
      'within 1d daily snapshot',
      'within 1y1m1d weekly snapshot', // spans are shown in canonical y m d h order
      'within 2m monthly snapshot',
      'within 2d3h yearly snapshot',
    ]);
  });

  it('says unlimited counts the same way as limited ones', () => {
    const input = snaps(['2024-01-10T10:00:00Z', '2024-01-09T10:00:00Z']);
    expect(applyRetention(input, { keep_daily: -1 }, UTC).reasons).toEqual({
      s000: ['daily snapshot'],
      s001: ['daily snapshot'],
    });
  });
});
