/**
 * A schedule as the five fields of classic cron (crontab, Kubernetes CronJob), or why it cannot be:
 * cron counts minutes (no seconds field), knows no L, W or # day tokens, and runs a job when EITHER
 * a restricted day of month or a restricted weekday matches, where megamirror's daemon needs both.
 */

import type { CronSpec } from '../../core/schedule/cron.js';
import { CRON_STYLE, fieldText } from './fields.js';

export type CronLine = { ok: true; fields: string } | { ok: false; problems: string[] };

export function cronLine(spec: CronSpec): CronLine {
  const problems: string[] = [];
  if (spec.second.length !== 1 || spec.second[0] !== 0) problems.push('it fires on seconds other than :00, and cron counts minutes');
  const days = spec.dayOfMonth.flatMap((t) => (t.kind === 'day' ? [t.day] : []));
  const weekdays = spec.dayOfWeek.flatMap((t) => (t.kind === 'weekday' ? [t.weekday] : []));
  if (days.length !== spec.dayOfMonth.length) problems.push('its day of month uses L or W, which cron does not know');
  if (weekdays.length !== spec.dayOfWeek.length) problems.push('its weekday uses L or #, which cron does not know');
  if (spec.restricted.dayOfMonth && spec.restricted.dayOfWeek) {
    problems.push('it restricts both the day of month and the weekday: cron would run on either, megamirror runs on both');
  }
  if (problems.length > 0) return { ok: false, problems };
  const fields = [
    fieldText(spec.minute, 0, 59, CRON_STYLE),
    fieldText(spec.hour, 0, 23, CRON_STYLE),
    fieldText(days, 1, 31, CRON_STYLE),
    fieldText(spec.month, 1, 12, CRON_STYLE),
    fieldText(weekdays, 0, 6, CRON_STYLE),
  ];
  return { ok: true, fields: fields.join(' ') };
}
