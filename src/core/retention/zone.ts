import { MegamirrorError } from '../../errors.js';

/**
 * Wall-clock time in one IANA zone, written as "wall ms": the zone's local date and time encoded as
 * if it were UTC. UTC getters on a wall ms read the local fields, and calendar arithmetic on it
 * ignores DST; `fromWall` converts back to a real instant.
 */
export interface ZoneClock {
  readonly timeZone: string;
  /** Instant (ms since the epoch) → wall ms in the zone. */
  toWall(ms: number): number;
  /**
   * Wall ms → instant. A wall time that occurs twice (DST ends) gives the earlier instant; one that
   * does not occur (DST starts) gives the earlier of the two offsets' readings. Earlier means a
   * retention window reaches further back, so the ambiguity can only keep more, never less.
   */
  fromWall(wallMs: number): number;
}

const DAY_MS = 86_400_000;

/** The machine's zone; reading Intl's resolved zone is not environment access in our sense. */
export function defaultTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** @throws MegamirrorError('config') for a zone name Intl does not know. */
export function zoneClock(timeZone: string): ZoneClock {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch (err) {
    throw new MegamirrorError('config', `unknown time zone ${JSON.stringify(timeZone)}`, {
      hint: 'use an IANA zone name such as Europe/Berlin or UTC',
      cause: err,
    });
  }
  const toWall = (ms: number): number => wallFromParts(format.formatToParts(ms), ms);
  return { timeZone, toWall, fromWall: (wallMs) => instantOf(wallMs, toWall) };
}

function wallFromParts(parts: Intl.DateTimeFormatPart[], ms: number): number {
  const field: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of parts) field[part.type] = part.value;
  const year = Number(field.year);
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(field.era === 'BC' ? 1 - year : year, Number(field.month) - 1, Number(field.day));
  date.setUTCHours(Number(field.hour), Number(field.minute), Number(field.second), ((ms % 1000) + 1000) % 1000);
  return date.getTime();
}

// The zone's offsets a day before and a day after cover both sides of any one DST change.
function instantOf(wallMs: number, toWall: (ms: number) => number): number {
  const offsets = [wallMs - DAY_MS, wallMs + DAY_MS].map((t) => toWall(t) - t);
  const candidates = offsets.map((offset) => wallMs - offset).sort((a, b) => a - b);
  return candidates.find((t) => toWall(t) === wallMs) ?? (candidates[0] as number);
}
