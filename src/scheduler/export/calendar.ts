/**
 * A schedule as a systemd calendar event (`OnCalendar=`, systemd.time(7)):
 * `[WEEKDAYS] *-MONTHS-DAYS HH:MM:SS [ZONE]`. systemd, like node-cron, needs the weekday and the
 * date to both match, so the two read a schedule alike. Supported: numbers in every field, `L` and
 * `L-n` (systemd's `~`), and a weekday's `d#n` (the nth week's days) or `dL` (the last seven days)
 * alone in its field with every day of the month. Not supported: `W` (nearest weekday).
 */

import type { CronSpec } from '../../core/schedule/cron.js';
import { SYSTEMD_STYLE, fieldText } from './fields.js';

export type Calendar = { ok: true; onCalendar: string } | { ok: false; problems: string[] };

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `zone` is appended (systemd 235 and later); null leaves the machine's zone. */
export function onCalendar(spec: CronSpec, zone: string | null): Calendar {
  const problems: string[] = [];
  const week = weekdayPart(spec);
  const day = dayPart(spec, week.days);
  if (week.problem) problems.push(week.problem);
  if (day.problem) problems.push(day.problem);
  if (problems.length > 0) return { ok: false, problems };
  const time = [fieldText(spec.hour, 0, 23, SYSTEMD_STYLE), fieldText(spec.minute, 0, 59, SYSTEMD_STYLE), fieldText(spec.second, 0, 59, SYSTEMD_STYLE)].join(':');
  const date = `*-${fieldText(spec.month, 1, 12, SYSTEMD_STYLE)}${day.text}`;
  return { ok: true, onCalendar: [week.text, date, time, zone].filter((x) => x).join(' ') };
}

interface Part {
  text: string;
  problem?: string;
  /** A weekday token that fixes the days of the month (`1#2` → 08..14). */
  days?: string;
}

function weekdayPart(spec: CronSpec): Part {
  if (!spec.restricted.dayOfWeek) return { text: '' };
  const plain = spec.dayOfWeek.flatMap((t) => (t.kind === 'weekday' ? [t.weekday] : []));
  if (plain.length === spec.dayOfWeek.length) {
    const text = fieldText(plain, 0, 6, { range: '..', step: null, pad: 0 }, (v) => WEEKDAY_NAMES[v] as string);
    return { text };
  }
  const only = spec.dayOfWeek.length === 1 ? spec.dayOfWeek[0] : undefined;
  if (only && only.kind === 'nth' && !spec.restricted.dayOfMonth) {
    const first = (only.nth - 1) * 7 + 1;
    return { text: WEEKDAY_NAMES[only.weekday] as string, days: `-${pad(first)}..${pad(Math.min(first + 6, 31))}` };
  }
  if (only && only.kind === 'last' && !spec.restricted.dayOfMonth) return { text: WEEKDAY_NAMES[only.weekday] as string, days: '~07/1' };
  return { text: '', problem: 'its weekday mixes L or # with other values, or with a day of month, which systemd cannot express' };
}

function dayPart(spec: CronSpec, fromWeekday: string | undefined): Part {
  if (fromWeekday) return { text: fromWeekday };
  const plain = spec.dayOfMonth.flatMap((t) => (t.kind === 'day' ? [t.day] : []));
  if (plain.length === spec.dayOfMonth.length) return { text: `-${fieldText(plain, 1, 31, SYSTEMD_STYLE)}` };
  const last = spec.dayOfMonth.flatMap((t) => (t.kind === 'last' ? [t.offset + 1] : []));
  if (last.length === spec.dayOfMonth.length) return { text: `~${last.sort((a, b) => a - b).map(pad).join(',')}` };
  return { text: '', problem: 'its day of month uses W, or mixes L with day numbers, which systemd cannot express' };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
