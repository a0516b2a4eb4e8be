/**
 * When a cron schedule fires, in an IANA zone: the next fire time after an instant (status, logs)
 * and the previous one at or before it (catch-up). node-cron can only tell the next run from the
 * real clock and never the previous one, so both are computed here, on node-cron's own field sets.
 *
 * Times are whole seconds. A local time that does not exist (the hour skipped when DST starts) is
 * not a fire time; one that occurs twice (DST ends) fires once, at the occurrence node-cron's
 * timer picks, since that timer is what fires in the daemon: it reads the local time as if it
 * were UTC and takes the zone's offset at that instant, which gives the later occurrence in zones
 * east of UTC (Europe/Berlin: 02:30 CET, not CEST) and the earlier one west of it
 * (America/New_York: 01:30 EDT).
 * Both searches give up after 100 years and return null ("never": `0 0 30 2 *` cannot be written,
 * node-cron refuses it, but `0 0 29 2 1` fires only when 29 February is a Monday).
 */

import type { ZoneClock } from '../retention/zone.js';
import { dayMatches, type CronSpec } from './cron.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 366 * 100;

/** The first fire time strictly after `afterMs` (ms since the epoch), or null. */
export function nextFire(spec: CronSpec, afterMs: number, zone: ZoneClock): number | null {
  const base = Math.floor(afterMs / 1000) * 1000 + 1000;
  const wall = zone.toWall(base);
  const firstDay = wall - mod(wall, DAY_MS);
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = new Date(firstDay + i * DAY_MS);
    if (!dayMatches(spec, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())) continue;
    const from = i === 0 ? Math.floor(mod(wall, DAY_MS) / 1000) : 0;
    for (const second of secondsOfDay(spec, 'up')) {
      if (second < from) continue;
      const t = instantOf(day.getTime() + second * 1000, zone);
      if (t !== null && t >= base) return t;
    }
  }
  return null;
}

/** The last fire time at or before `atMs`, or null. */
export function previousFire(spec: CronSpec, atMs: number, zone: ZoneClock): number | null {
  const base = Math.floor(atMs / 1000) * 1000;
  const wall = zone.toWall(base);
  const firstDay = wall - mod(wall, DAY_MS);
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = new Date(firstDay - i * DAY_MS);
    if (!dayMatches(spec, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate())) continue;
    const until = i === 0 ? Math.floor(mod(wall, DAY_MS) / 1000) : 86_399;
    for (const second of secondsOfDay(spec, 'down')) {
      if (second > until) continue;
      const t = instantOf(day.getTime() + second * 1000, zone);
      if (t !== null && t <= base) return t;
    }
  }
  return null;
}

/** The fire times of a matching day as seconds since local midnight, in order. */
function* secondsOfDay(spec: CronSpec, direction: 'up' | 'down'): Generator<number> {
  const order = (xs: readonly number[]) => (direction === 'up' ? xs : [...xs].reverse());
  const [hours, minutes, seconds] = [order(spec.hour), order(spec.minute), order(spec.second)];
  for (const h of hours) for (const m of minutes) for (const s of seconds) yield h * 3600 + m * 60 + s;
}

/**
 * The instant of a wall time as node-cron maps it (its localTimeToTimestamp: the offset at the
 * wall time read as UTC, checked once more at the result), or null when the zone skips it.
 */
function instantOf(wallMs: number, zone: ZoneClock): number | null {
  const offset = zone.toWall(wallMs) - wallMs;
  const first = wallMs - offset;
  let t = first;
  const second = wallMs - (zone.toWall(first) - first);
  if (second !== first && zone.toWall(first) !== wallMs) t = zone.toWall(second) === wallMs ? second : Math.max(first, second);
  return zone.toWall(t) === wallMs ? t : null;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}
