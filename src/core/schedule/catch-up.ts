/**
 * `catch_up: true`: run a job once when the daemon starts if a scheduled time passed since its last
 * successful run (the laptop was asleep at 03:00). "Since" compares the start of the last success
 * with the schedule's most recent fire time at or before now: a run that started at or after that
 * time covers it. A job that never succeeded is due as soon as its schedule has ever fired.
 */

export interface CatchUpInput {
  catchUp: boolean;
  /** Start of the last run with status ok (ms since the epoch); null when there is none. */
  lastSuccessMs: number | null;
  /** The schedule's last fire time at or before now; null when it never fired. */
  previousFireMs: number | null;
}

export function catchUpDue(i: CatchUpInput): boolean {
  if (!i.catchUp || i.previousFireMs === null) return false;
  return i.lastSuccessMs === null || i.lastSuccessMs < i.previousFireMs;
}
