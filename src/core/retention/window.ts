import type { CalendarSpan } from './span.js';
import type { ZoneClock } from './zone.js';

const HOUR_MS = 3_600_000;
// Date's range is ±8.64e15 ms; fromWall looks a day either side, so stay two days inside it.
const WALL_LIMIT_MS = 8.64e15 - 2 * 86_400_000;

/**
 * The start of a keep_within window: `newestMs` minus the span, years, months and days on the wall
 * clock of the zone (normalized like Go's AddDate), then hours as elapsed time. A snapshot is inside
 * the window when its time is strictly after this. Returns -Infinity when the span reaches beyond
 * the range of Date, so that everything is inside.
 */
export function windowStart(newestMs: number, span: CalendarSpan, clock: ZoneClock): number {
  const wall = new Date(clock.toWall(newestMs));
  wall.setUTCFullYear(
    wall.getUTCFullYear() - span.years,
    wall.getUTCMonth() - span.months,
    wall.getUTCDate() - span.days,
  );
  const wallMs = wall.getTime();
  if (!(Math.abs(wallMs) <= WALL_LIMIT_MS)) return Number.NEGATIVE_INFINITY;
  return clock.fromWall(wallMs) - span.hours * HOUR_MS;
}
