/**
 * Who runs now, and who waits: the daemon's admission decisions, pure.
 *
 * - A job never overlaps itself: a tick while it runs is skipped (`skip-running`), and a tick while
 *   it already waits for a slot is skipped too (`skip-waiting`), so a backlog never builds up.
 * - At most `limit` jobs run at once (`max_parallel_jobs`); others wait in tick order (FIFO) and
 *   start as slots free up.
 */

export interface Slots {
  readonly running: readonly string[];
  readonly waiting: readonly string[];
}

export type TickOutcome = 'start' | 'wait' | 'skip-running' | 'skip-waiting';

export interface Transition {
  slots: Slots;
  /** Jobs to start now, in order. */
  start: string[];
}

export const EMPTY_SLOTS: Slots = { running: [], waiting: [] };

/** A job's schedule fired (or catch-up asked for it). */
export function tick(s: Slots, job: string, limit: number): Transition & { outcome: TickOutcome } {
  if (s.running.includes(job)) return { slots: s, start: [], outcome: 'skip-running' };
  if (s.waiting.includes(job)) return { slots: s, start: [], outcome: 'skip-waiting' };
  const t = admit({ running: s.running, waiting: [...s.waiting, job] }, limit);
  return { ...t, outcome: t.start.includes(job) ? 'start' : 'wait' };
}

/** A running job ended (whatever its status). */
export function finish(s: Slots, job: string, limit: number): Transition {
  return admit({ running: s.running.filter((j) => j !== job), waiting: s.waiting }, limit);
}

/** The job file was reloaded: waiting jobs that no longer exist are dropped; the limit may change. */
export function retain(s: Slots, jobs: readonly string[], limit: number): Transition & { dropped: string[] } {
  const dropped = s.waiting.filter((j) => !jobs.includes(j));
  return { ...admit({ running: s.running, waiting: s.waiting.filter((j) => jobs.includes(j)) }, limit), dropped };
}

/** Shutting down: nothing more starts. */
export function drain(s: Slots): { slots: Slots; dropped: string[] } {
  return { slots: { running: s.running, waiting: [] }, dropped: [...s.waiting] };
}

function admit(s: Slots, limit: number): Transition {
  const free = Math.max(0, limit - s.running.length);
  const start = s.waiting.slice(0, free);
  return { slots: { running: [...s.running, ...start], waiting: s.waiting.slice(start.length) }, start };
}
