import { describe, expect, it } from 'vitest';
import type { RetentionPolicy } from '../../../src/config/types.js';
import { applyRetention, isEmptyPolicy } from '../../../src/core/retention/index.js';
import { MegamirrorError } from '../../../src/errors.js';
import { snaps } from './helpers.js';

const input = snaps(['2024-01-01T00:00:00Z']);

function errorOf(run: () => unknown): MegamirrorError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(MegamirrorError);
    return err as MegamirrorError;
  }
  throw new Error('expected an error');
}

describe('policy validation', () => {
  it.each([
    ['keep_last', -2],
    ['keep_hourly', 1.5],
    ['keep_daily', Number.NaN],
    ['keep_weekly', Number.POSITIVE_INFINITY],
    ['keep_monthly', '3'],
    ['keep_yearly', null],
    ['keep_within', '1x'],
    ['keep_within', ''],
    ['keep_within_hourly', '-1h'],
    ['keep_within_daily', 7],
    ['keep_within_weekly', '1w'],
    ['keep_within_monthly', '1d1d'],
    ['keep_within_yearly', '1 y'],
    ['keep_dayly', 3],
    ['toString', 3], // inherited names are unknown keys too
  ])('%s: %j is a config error naming the key', (key, value) => {
    const policy = { keep_last: 1, [key]: value } as unknown as RetentionPolicy;
    const err = errorOf(() => applyRetention(input, policy, { timezone: 'UTC' }));
    expect(err.code).toBe('config');
    expect(err.message).toMatch(new RegExp(`^${key}: `));
    expect(errorOf(() => isEmptyPolicy(policy)).code).toBe('config');
  });

  it('validates even when there is nothing to decide', () => {
    expect(errorOf(() => applyRetention([], { keep_last: -5 }, { timezone: 'UTC' })).code).toBe('config');
  });

  it('rejects a policy that is not an object', () => {
    expect(errorOf(() => isEmptyPolicy(null as unknown as RetentionPolicy)).code).toBe('config');
  });

  it('accepts -1 (unlimited) and 0 (no rule)', () => {
    expect(() => applyRetention(input, { keep_last: -1, keep_daily: 0 }, { timezone: 'UTC' })).not.toThrow();
  });

  it('rejects an unknown time zone as a config error', () => {
    for (const timezone of ['Mars/Olympus', '']) {
      const err = errorOf(() => applyRetention(input, { keep_last: 1 }, { timezone }));
      expect(err.code).toBe('config');
      expect(err.message).toContain('time zone');
    }
  });

  it('rejects invalid times and repeated ids as internal errors', () => {
    const bad = [{ id: 'a', time: new Date('nope') }];
    expect(errorOf(() => applyRetention(bad, {}, { timezone: 'UTC' })).code).toBe('internal');
    const twice = [...input, { ...input[0]!, time: new Date('2024-02-01T00:00:00Z') }];
    expect(errorOf(() => applyRetention(twice, {}, { timezone: 'UTC' })).code).toBe('internal');
  });
});

describe('isEmptyPolicy', () => {
  it.each<[RetentionPolicy, boolean]>([
    [{}, true],
    [{ keep_last: 0 }, true], // as in restic, 0 means "no rule", not "keep none"
    [{ keep_within: '0d' }, true],
    [{ keep_daily: 0, keep_within_daily: '0y0m0d0h' }, true],
    [{ keep_last: 1 }, false],
    [{ keep_yearly: -1 }, false],
    [{ keep_within: '1h' }, false],
    [{ keep_within_monthly: '1y' }, false],
  ])('%j → %s', (policy, empty) => {
    expect(isEmptyPolicy(policy)).toBe(empty);
  });
});
