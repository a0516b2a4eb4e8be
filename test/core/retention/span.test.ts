import { describe, expect, it } from 'vitest';
import { MegamirrorError } from '../../../src/errors.js';
import { formatCalendarSpan, parseCalendarSpan } from '../../../src/core/retention/index.js';

const span = (years: number, months: number, days: number, hours: number) => ({ years, months, days, hours });

describe('parseCalendarSpan', () => {
  it.each([
    ['1y2m3d4h', span(1, 2, 3, 4)],
    ['7d', span(0, 0, 7, 0)],
    ['1y1d1m', span(1, 1, 1, 0)], // any order
    ['4h3d2m1y', span(1, 2, 3, 4)],
    ['13d23h', span(0, 0, 13, 23)],
    ['2m2h', span(0, 2, 0, 2)],
    ['48h', span(0, 0, 0, 48)], // no carrying: 48 hours stay hours
    ['0d', span(0, 0, 0, 0)],
    ['007d', span(0, 0, 7, 0)],
  ])('%s', (text, expected) => {
    expect(parseCalendarSpan(text)).toEqual(expected);
  });

  it.each([
    '',
    '1',
    'd',
    '1w', // weeks: write 7d
    '1M', // capital M could be read as minutes
    '1Y',
    '30s',
    '-1d',
    '+1d',
    '1.5d',
    '1 d',
    ' 1d',
    '1d ',
    '1d1d',
    '1y2y',
    '99999999999999999999d',
  ])('rejects %j', (text) => {
    expect(() => parseCalendarSpan(text)).toThrow(MegamirrorError);
    try {
      parseCalendarSpan(text);
    } catch (err) {
      expect((err as MegamirrorError).code).toBe('config');
    }
  });

  it('rejects values that are not strings', () => {
    for (const value of [7, null, undefined, {}]) {
      expect(() => parseCalendarSpan(value as unknown as string)).toThrow(/is not a duration/);
    }
  });
});

describe('formatCalendarSpan', () => {
  it.each([
    [span(1, 2, 3, 4), '1y2m3d4h'],
    [span(1, 1, 1, 0), '1y1m1d'],
    [span(0, 0, 7, 0), '7d'],
    [span(0, 0, 0, 0), '0h'],
  ])('%j → %s', (value, text) => {
    expect(formatCalendarSpan(value)).toBe(text);
  });
});
