/**
 * Cron expressions exactly as node-cron reads them (the daemon fires on node-cron): 5 fields
 * (minute hour day month weekday) or 6 (seconds first), names (JAN, MON), ranges, steps, lists,
 * nicknames (@daily), and the day tokens `L`, `L-n`, `nW`, `LW` (day of month), `dL` and `d#n`
 * (weekday). node-cron parses; this module keeps the fields as sorted sets and decides whether one
 * calendar day matches.
 *
 * Day of month and weekday must BOTH match (node-cron's rule, and systemd's), unlike classic cron,
 * where a job runs when either matches. `restricted` says which of the two were narrowed, so
 * exporters can refuse what classic cron would read differently.
 */

import { validateDetailed } from 'node-cron';
import { MegamirrorError } from '../../errors.js';

export type DayOfMonth =
  | { kind: 'day'; day: number }
  /** The last day of the month minus `offset` (`L` is offset 0, `L-3` offset 3). */
  | { kind: 'last'; offset: number }
  /** The weekday (Mon-Fri) nearest to `day` within the month; 'last' for `LW`. */
  | { kind: 'nearest-weekday'; day: number | 'last' };

export type DayOfWeek =
  /** 0 = Sunday ... 6 = Saturday. */
  | { kind: 'weekday'; weekday: number }
  /** The last such weekday of the month (`5L`). */
  | { kind: 'last'; weekday: number }
  /** The nth such weekday of the month, 1-5 (`1#2`: the second Monday). */
  | { kind: 'nth'; weekday: number; nth: number };

export interface CronSpec {
  expression: string;
  /** Sorted ascending, without repeats. */
  second: number[];
  minute: number[];
  hour: number[];
  month: number[];
  dayOfMonth: DayOfMonth[];
  dayOfWeek: DayOfWeek[];
  /** A field narrower than "every day" (a full 1-31 or 0-6 list counts as `*`). */
  restricted: { dayOfMonth: boolean; dayOfWeek: boolean };
}

/** @throws MegamirrorError('config') when node-cron does not accept the expression. */
export function parseCron(expression: string): CronSpec {
  const r = validateDetailed(expression);
  if (!r.valid || !r.fields) {
    const why = r.errors[0]?.message ?? 'not understood';
    throw new MegamirrorError('config', `invalid cron expression "${expression}": ${why}`);
  }
  const f = r.fields;
  const dayOfMonth = f.dayOfMonth.map(dayOfMonthToken);
  const dayOfWeek = f.dayOfWeek.map(dayOfWeekToken);
  return {
    expression,
    second: sortedSet(f.second),
    minute: sortedSet(f.minute),
    hour: sortedSet(f.hour),
    month: sortedSet(f.month),
    dayOfMonth,
    dayOfWeek,
    restricted: {
      dayOfMonth: !coversAll(dayOfMonth.map((t) => (t.kind === 'day' ? t.day : -1)), 1, 31),
      dayOfWeek: !coversAll(dayOfWeek.map((t) => (t.kind === 'weekday' ? t.weekday : -1)), 0, 6),
    },
  };
}

/** Whether the calendar day (month 1-12) matches the month, day-of-month and weekday fields. */
export function dayMatches(spec: CronSpec, year: number, month: number, day: number): boolean {
  if (!spec.month.includes(month)) return false;
  return spec.dayOfMonth.some((t) => dayOfMonthMatches(t, year, month, day)) && spec.dayOfWeek.some((t) => dayOfWeekMatches(t, year, month, day));
}

function dayOfMonthMatches(t: DayOfMonth, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  switch (t.kind) {
    case 'day':
      return t.day === day;
    case 'last':
      return last - t.offset === day;
    case 'nearest-weekday':
      return nearestWeekday(year, month, t.day === 'last' ? last : t.day) === day;
  }
}

function dayOfWeekMatches(t: DayOfWeek, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  if (weekday !== t.weekday) return false;
  switch (t.kind) {
    case 'weekday':
      return true;
    case 'last':
      return day + 7 > daysInMonth(year, month);
    case 'nth':
      return Math.floor((day - 1) / 7) + 1 === t.nth;
  }
}

/** Mon-Fri nearest to `target`, never leaving the month; -1 when the month has no such day. */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = daysInMonth(year, month);
  if (target < 1 || target > last) return -1;
  const weekday = weekdayOf(year, month, target);
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay();
}

function dayOfMonthToken(v: number | string): DayOfMonth {
  if (typeof v === 'number') return { kind: 'day', day: v };
  if (v === 'L') return { kind: 'last', offset: 0 };
  const offset = /^L-(\d+)$/.exec(v);
  if (offset) return { kind: 'last', offset: Number(offset[1]) };
  const near = /^(\d+|L)W$/.exec(v);
  if (near) return { kind: 'nearest-weekday', day: near[1] === 'L' ? 'last' : Number(near[1]) };
  if (/^\d+$/.test(v)) return { kind: 'day', day: Number(v) };
  throw new MegamirrorError('internal', `unexpected day-of-month token "${v}" from node-cron`);
}

function dayOfWeekToken(v: number | string): DayOfWeek {
  if (typeof v === 'number') return { kind: 'weekday', weekday: v % 7 };
  const last = /^([0-7])L$/.exec(v);
  if (last) return { kind: 'last', weekday: Number(last[1]) % 7 };
  const nth = /^([0-7])#([1-5])$/.exec(v);
  if (nth) return { kind: 'nth', weekday: Number(nth[1]) % 7, nth: Number(nth[2]) };
  if (/^\d+$/.test(v)) return { kind: 'weekday', weekday: Number(v) % 7 };
  throw new MegamirrorError('internal', `unexpected weekday token "${v}" from node-cron`);
}

function sortedSet(values: readonly (number | string)[]): number[] {
  return [...new Set(values.map(Number))].sort((a, b) => a - b);
}

function coversAll(values: readonly number[], min: number, max: number): boolean {
  for (let v = min; v <= max; v++) if (!values.includes(v)) return false;
  return true;
}
