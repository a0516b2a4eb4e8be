/**
 * Calendar buckets: two snapshots are in the same bucket of a unit when this key is equal.
 * Keys are computed from wall ms (see zone.ts), so they follow the configured time zone.
 */

/** `snapshot` makes every snapshot its own bucket (keep_last, keep_within). */
export type Unit = 'snapshot' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

const DAY_MS = 86_400_000;

/** `index` is the snapshot's position, newest first; only the `snapshot` unit reads it. */
export function bucketKey(unit: Unit, wallMs: number, index: number): number {
  const d = new Date(wallMs);
  const month = d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
  switch (unit) {
    case 'snapshot':
      return index;
    case 'hourly':
      return (month * 100 + d.getUTCDate()) * 100 + d.getUTCHours();
    case 'daily':
      return month * 100 + d.getUTCDate();
    case 'weekly': {
      const { year, week } = isoWeek(wallMs);
      return year * 100 + week;
    }
    case 'monthly':
      return month;
    case 'yearly':
      return d.getUTCFullYear();
  }
}

/** ISO 8601 week: weeks start on Monday, and week 1 is the one holding the year's first Thursday. */
export function isoWeek(wallMs: number): { year: number; week: number } {
  const mondayBased = (new Date(wallMs).getUTCDay() + 6) % 7;
  const thursday = new Date(wallMs + (3 - mondayBased) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  return { year, week: Math.floor((thursday.getTime() - jan1.getTime()) / (7 * DAY_MS)) + 1 };
}
