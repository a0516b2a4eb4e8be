/**
 * The daemon's scheduler: fires jobs on their schedules, never overlapping a job with itself and
 * never running more than `max_parallel_jobs` at once (decisions in core/schedule/slots.ts), runs
 * missed jobs once at start-up (`catch_up`), and stops cleanly.
 *
 * Everything outside is injected: the clock, the timer (`schedule`: node-cron in the daemon, a fake
 * in tests), how a job is executed, where the last success is read, and the log. Each running job
 * has its own AbortController; a reload never aborts a running job (it finishes with the definition
 * it started with).
 *
 * A rejected `execute` (the state folder is unusable) is logged as an `error` event: the daemon
 * outlives a failure of one run.
 */

import type { Job } from '../config/types.js';
import { catchUpDue } from '../core/schedule/catch-up.js';
import { parseCron } from '../core/schedule/cron.js';
import { nextFire, previousFire } from '../core/schedule/fire-times.js';
import { drain, EMPTY_SLOTS, finish, retain, tick, type Slots } from '../core/schedule/slots.js';
import { defaultTimeZone, zoneClock } from '../core/retention/zone.js';
import type { ExecuteOutcome } from '../engine/execute.js';
import { hookFailed } from '../engine/hooks.js';
import { describeHolder } from '../engine/lock.js';
import type { DaemonEvent, StartReason } from './events.js';

export interface ScheduleEntry {
  job: string;
  expression: string;
  /** IANA zone, resolved (never null). */
  timezone: string;
}

export interface Timer {
  stop(): void;
}

/** Call `fire` at every fire time of the entry until stopped. */
export type ScheduleFn = (entry: ScheduleEntry, fire: () => void) => Timer;

export interface SchedulerDeps {
  now: () => Date;
  schedule: ScheduleFn;
  execute: (job: Job, signal: AbortSignal) => Promise<ExecuteOutcome>;
  /** Start of the job's last successful run, if any. */
  lastSuccess: (job: Job) => Promise<Date | null>;
  log: (e: DaemonEvent) => void;
  /** The zone of jobs without `timezone`; default the machine's. */
  defaultZone?: string;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

export class Scheduler {
  private jobs = new Map<string, Job>();
  private timers: Timer[] = [];
  private slots: Slots = EMPTY_SLOTS;
  private limit = 1;
  private readonly reasons = new Map<string, StartReason>();
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(private readonly deps: SchedulerDeps) {}

  /** Schedule the jobs that have a schedule, then start the catch-up runs that are due. */
  async start(jobs: readonly Job[], maxParallelJobs: number): Promise<void> {
    this.load(jobs, maxParallelJobs);
    const now = this.deps.now().getTime();
    for (const job of this.jobs.values()) {
      if (!job.catchUp || this.stopping) continue;
      const previous = previousFire(parseCron(job.schedule!), now, zoneClock(this.zoneOf(job)));
      const last = await this.deps.lastSuccess(job);
      if (catchUpDue({ catchUp: true, lastSuccessMs: last?.getTime() ?? null, previousFireMs: previous })) this.fire(job.name, 'catch-up');
    }
  }

  /** Replace the schedules (a reload): running jobs go on; waiting jobs that are gone are dropped. */
  load(jobs: readonly Job[], maxParallelJobs: number): void {
    for (const t of this.timers) t.stop();
    this.timers = [];
    this.jobs = new Map(jobs.filter((j) => j.schedule !== null).map((j) => [j.name, j]));
    this.limit = maxParallelJobs;
    if (this.stopping) return;
    const now = this.deps.now().getTime();
    for (const job of this.jobs.values()) {
      const entry = { job: job.name, expression: job.schedule!, timezone: this.zoneOf(job) };
      this.timers.push(this.deps.schedule(entry, () => this.fire(job.name, 'schedule')));
      this.deps.log({ event: 'scheduled', job: job.name, schedule: entry.expression, timezone: entry.timezone, next: this.nextRun(job, now) });
    }
    const t = retain(this.slots, [...this.jobs.keys()], this.limit);
    for (const name of t.dropped) this.deps.log({ event: 'skip', job: name, reason: 'removed' });
    this.apply(t.slots, t.start);
  }

  /** Stop scheduling; let running jobs finish within `graceMs`, then abort them; resolves when all ended. */
  async stop(signal: string, graceMs: number): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) t.stop();
    this.timers = [];
    const d = drain(this.slots);
    this.slots = d.slots;
    for (const name of d.dropped) this.deps.log({ event: 'skip', job: name, reason: 'shutdown' });
    this.deps.log({ event: 'stopping', signal, running: [...this.running.keys()], grace_ms: graceMs });
    if (this.running.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([this.whenIdle(), graceOver]);
      clearTimeout(timer);
      this.abortAll();
      await this.whenIdle();
    }
    this.deps.log({ event: 'stopped' });
  }

  /** Abort every running job now (the grace period is over, or a second signal came). */
  abortAll(): void {
    for (const [name, r] of this.running) {
      if (r.controller.signal.aborted) continue;
      this.deps.log({ event: 'abort', job: name });
      r.controller.abort(new Error('the daemon is stopping'));
    }
  }

  /** Resolves when no job runs (the jobs started meanwhile included). */
  async whenIdle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Names of the running jobs. */
  runningJobs(): string[] {
    return [...this.running.keys()];
  }

  /** A schedule fired, or catch-up asked: start the job, queue it, or skip it. */
  fire(name: string, reason: StartReason): void {
    if (this.stopping || !this.jobs.has(name)) return;
    const t = tick(this.slots, name, this.limit);
    switch (t.outcome) {
      case 'skip-running':
        this.deps.log({ event: 'skip', job: name, reason: 'running' });
        return;
      case 'skip-waiting':
        this.deps.log({ event: 'skip', job: name, reason: 'waiting' });
        return;
      case 'wait':
        this.reasons.set(name, reason);
        this.deps.log({ event: 'wait', job: name, reason, running: [...t.slots.running] });
        break;
      case 'start':
        this.reasons.set(name, reason);
        break;
    }
    this.apply(t.slots, t.start);
  }

  private apply(slots: Slots, start: readonly string[]): void {
    this.slots = slots;
    for (const name of start) this.launch(name);
  }

  private launch(name: string): void {
    const job = this.jobs.get(name)!;
    const reason = this.reasons.get(name) ?? 'schedule';
    this.reasons.delete(name);
    const controller = new AbortController();
    this.deps.log({ event: 'start', job: name, reason });
    const done = this.deps
      .execute(job, controller.signal)
      .then(
        (outcome) => this.logOutcome(job, outcome),
        (err: unknown) => this.deps.log({ event: 'error', job: name, message: err instanceof Error ? err.message : String(err) }),
      )
      .finally(() => {
        this.running.delete(name);
        const t = finish(this.slots, name, this.limit);
        if (this.stopping) this.slots = drain(t.slots).slots;
        else this.apply(t.slots, t.start);
      });
    this.running.set(name, { controller, done });
  }

  private logOutcome(job: Job, o: ExecuteOutcome): void {
    if (o.locked) {
      this.deps.log({ event: 'skip', job: job.name, reason: 'locked', detail: describeHolder(o.locked.holder) });
      return;
    }
    const r = o.report;
    const index = new Map<string, number>();
    for (const h of r.hooks ?? []) {
      const n = (index.get(h.stage) ?? 0) + 1;
      index.set(h.stage, n);
      if (hookFailed(h)) this.deps.log({ event: 'hook-failed', job: job.name, stage: h.stage, index: n, exit_code: h.exit_code, timed_out: h.timed_out });
    }
    this.deps.log({
      event: 'finish',
      job: job.name,
      status: r.status,
      duration_ms: r.duration_ms,
      copied_files: r.done.copy.files,
      copied_bytes: r.done.copy.bytes,
      deleted_files: r.done.delete.files,
      failed_actions: r.failed_actions.length,
      report: o.reportPath,
      ...(r.error ? { error: `${r.error.where ? `${r.error.where}: ` : ''}${r.error.message}` } : r.refusal ? { error: r.refusal.message } : {}),
    });
  }

  private zoneOf(job: Job): string {
    return job.timezone ?? this.deps.defaultZone ?? defaultTimeZone();
  }

  private nextRun(job: Job, now: number): string | null {
    const next = nextFire(parseCron(job.schedule!), now, zoneClock(this.zoneOf(job)));
    return next === null ? null : new Date(next).toISOString();
  }
}
