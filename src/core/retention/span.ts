import { MegamirrorError } from '../../errors.js';

/**
 * A calendar span such as `1y2m3d4h`: whole years, months, days and hours, subtracted field by field
 * from a wall-clock time (so `1m` before 31 March is "31 February", normalized to 2 or 3 March, the
 * way restic and Go's `AddDate` do). All parts are non-negative safe integers.
 */
export interface CalendarSpan {
  years: number;
  months: number;
  days: number;
  hours: number;
}

const UNITS = { y: 'years', m: 'months', d: 'days', h: 'hours' } as const;
const SHAPE = /^(?:\d+[ymdh])+$/;
const EXAMPLE = 'write whole numbers with units y (years), m (months), d (days), h (hours), e.g. 1y2m3d4h';

/**
 * Parse a span: one or more `<digits><unit>` groups, units `y m d h` (lowercase; `m` is months),
 * in any order, each unit at most once. No signs, spaces or fractions.
 * @throws MegamirrorError('config') when the text is not such a span.
 */
export function parseCalendarSpan(text: string): CalendarSpan {
  const result = readCalendarSpan(text);
  if ('problem' in result) throw new MegamirrorError('config', result.problem, { hint: EXAMPLE });
  return result.span;
}

/** The non-throwing form, so callers can put their own key name in front of the problem. */
export function readCalendarSpan(text: unknown): { span: CalendarSpan } | { problem: string } {
  if (typeof text !== 'string' || !SHAPE.test(text)) {
    return { problem: `${JSON.stringify(text) ?? String(text)} is not a duration; ${EXAMPLE}` };
  }
  const span: CalendarSpan = { years: 0, months: 0, days: 0, hours: 0 };
  const seen = new Set<string>();
  for (const [, digits = '', unit = ''] of text.matchAll(/(\d+)([ymdh])/g)) {
    if (seen.has(unit)) return { problem: `"${text}" gives the unit "${unit}" more than once` };
    seen.add(unit);
    const value = Number(digits);
    if (!Number.isSafeInteger(value)) return { problem: `"${text}": ${digits} is too large` };
    span[UNITS[unit as keyof typeof UNITS]] = value;
  }
  return { span };
}

/** Canonical text of a span: units in y m d h order, zero parts left out (`1y1d1m` → `1y1m1d`). */
export function formatCalendarSpan(span: CalendarSpan): string {
  const parts = [
    [span.years, 'y'],
    [span.months, 'm'],
    [span.days, 'd'],
    [span.hours, 'h'],
  ] as const;
  const text = parts
    .filter(([n]) => n !== 0)
    .map(([n, u]) => `${n}${u}`)
    .join('');
  return text === '' ? '0h' : text;
}

export function isZeroSpan(span: CalendarSpan): boolean {
  return span.years === 0 && span.months === 0 && span.days === 0 && span.hours === 0;
}
