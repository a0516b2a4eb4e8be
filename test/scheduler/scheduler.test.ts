import { describe, expect, it } from 'vitest';
import { parseJobFileText } from '../../src/config/index.js';
import type { Job } from '../../src/config/types.js';
import type { ExecuteOutcome } from '../../src/engine/execute.js';
import type { JobReport, JobStatus } from '../../src/report/types.js';
import type { DaemonEvent } from '../../src/scheduler/events.js';
import { Scheduler, type ScheduleEntry } from '../../src/scheduler/scheduler.js';

/** Jobs from YAML: `name: [schedule, extra yaml]`. */
function jobs(spec: Record<string, { schedule?: string; timezone?: string; catchUp?: boolean }>): Job[] {
  const lines = ['version: 1', 'jobs:'];
  for (const [name, s] of Object.entries(spec)) {
    lines.push(`  ${name}:`, '    type: mirror', `    source: /src/${name}`, `    destination: /dst/${name}`);
    if (s.schedule) lines.push(`    schedule: "${s.schedule}"`);
    if (s.timezone) lines.push(`    timezone: ${s.timezone}`);
    if (s.catchUp) lines.push('    catch_up: true');
  }
  return parseJobFileText(lines.join('\n'), '/etc/mm/jobs.yaml', { env: {}, home: '/home/u' }).jobs;
}

function report(name: string, status: JobStatus): JobReport {
  const c = { files: 0, bytes: 0 };
  return {
    name, type: 'mirror', source: 's', destination: 'd', dry_run: false,
    started_at: '2024-05-01T00:00:00.000Z', finished_at: '2024-05-01T00:00:01.000Z', duration_ms: 1000, status,
    planned: { copy: c, link: c, delete: c, mkdir: 0, rmdir: 0, prune: 0, unchanged: c, skipped: 0 },
    done: { copy: { files: 2, bytes: 10 }, link: c, delete: c, mkdir: 0, rmdir: 0, prune: 0 },
    failed_actions: [], skipped_actions: {}, warnings: [], skipped: [],
  };
}

/** A scheduler whose timer, clock, executor and log are all in the test's hands. */
function harness(o: { now?: string; lastSuccess?: Record<string, string> } = {}) {
  const entries: ScheduleEntry[] = [];
  const fires = new Map<string, () => void>();
  const stopped: string[] = [];
  const events: DaemonEvent[] = [];
  const runs: Array<{ job: string; signal: AbortSignal; finish: (s?: JobStatus) => void; fail: (e: Error) => void }> = [];
  const scheduler = new Scheduler({
    now: () => new Date(o.now ?? '2024-05-01T09:00:00Z'),
    defaultZone: 'UTC',
    schedule: (entry, fire) => {
      entries.push(entry);
      fires.set(entry.job, fire);
      return { stop: () => stopped.push(entry.job) };
    },
    execute: (job, signal) =>
      new Promise<ExecuteOutcome>((resolve, reject) => {
        runs.push({ job: job.name, signal, finish: (s = 'ok') => resolve({ report: report(job.name, s), reportPath: `/state/${job.name}.json`, locked: null }), fail: reject });
      }),
    lastSuccess: async (job) => (o.lastSuccess?.[job.name] ? new Date(o.lastSuccess[job.name]!) : null),
    log: (e) => events.push(e),
  });
  const of = (kind: DaemonEvent['event']) => events.filter((e) => e.event === kind);
  const tick = (job: string) => fires.get(job)!();
  const settle = () => new Promise((r) => setTimeout(r, 5));
  return { scheduler, entries, stopped, events, runs, of, tick, settle };
}

describe('Scheduler: which jobs fire', () => {
  it('schedules exactly the jobs that have a schedule, in their zone, and logs the next time', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' }, b: {}, c: { schedule: '*/5 * * * *', timezone: 'Europe/Berlin' } }), 1);
    expect(h.entries).toEqual([
      { job: 'a', expression: '0 3 * * *', timezone: 'UTC' },
      { job: 'c', expression: '*/5 * * * *', timezone: 'Europe/Berlin' },
    ]);
    expect(h.of('scheduled')).toEqual([
      { event: 'scheduled', job: 'a', schedule: '0 3 * * *', timezone: 'UTC', next: '2024-05-02T03:00:00.000Z' },
      { event: 'scheduled', job: 'c', schedule: '*/5 * * * *', timezone: 'Europe/Berlin', next: '2024-05-01T09:05:00.000Z' },
    ]);
    expect(h.runs).toEqual([]);
  });

  it('a tick starts the job and its finish is logged with status and counts', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '* * * * *' } }), 1);
    h.tick('a');
    expect(h.runs.map((r) => r.job)).toEqual(['a']);
    h.runs[0]!.finish('partial');
    await h.scheduler.whenIdle();
    expect(h.of('start')).toEqual([{ event: 'start', job: 'a', reason: 'schedule' }]);
    expect(h.of('finish')).toEqual([expect.objectContaining({ job: 'a', status: 'partial', copied_files: 2, copied_bytes: 10, report: '/state/a.json' })]);
  });
});

describe('Scheduler: overlap and parallel limit', () => {
  it('a tick while the job still runs is skipped and logged; the next one after it ends runs', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '* * * * * *' } }), 4);
    h.tick('a');
    h.tick('a');
    h.tick('a');
    expect(h.runs).toHaveLength(1);
    expect(h.of('skip')).toEqual([
      { event: 'skip', job: 'a', reason: 'running' },
      { event: 'skip', job: 'a', reason: 'running' },
    ]);
    h.runs[0]!.finish();
    await h.scheduler.whenIdle();
    h.tick('a');
    expect(h.runs).toHaveLength(2);
  });

  it('max_parallel_jobs 1: a second job waits for the slot, then starts', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' }, b: { schedule: '0 3 * * *' } }), 1);
    h.tick('a');
    h.tick('b');
    h.tick('b');
    expect(h.runs.map((r) => r.job)).toEqual(['a']);
    expect(h.of('wait')).toEqual([{ event: 'wait', job: 'b', reason: 'schedule', running: ['a'] }]);
    expect(h.of('skip')).toEqual([{ event: 'skip', job: 'b', reason: 'waiting' }]);
    h.runs[0]!.finish();
    await h.settle();
    expect(h.runs.map((r) => r.job)).toEqual(['a', 'b']);
    h.runs[1]!.finish();
    await h.scheduler.whenIdle();
  });

  it('max_parallel_jobs 2: two different jobs run at once', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' }, b: { schedule: '0 3 * * *' } }), 2);
    h.tick('a');
    h.tick('b');
    expect(h.scheduler.runningJobs()).toEqual(['a', 'b']);
    for (const r of h.runs) r.finish();
    await h.scheduler.whenIdle();
  });

  it('a run that throws is logged as an error and frees its slot', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' }, b: { schedule: '0 3 * * *' } }), 1);
    h.tick('a');
    h.tick('b');
    h.runs[0]!.fail(new Error('state folder not writable'));
    await h.settle();
    expect(h.of('error')).toEqual([{ event: 'error', job: 'a', message: 'state folder not writable' }]);
    expect(h.runs.map((r) => r.job)).toEqual(['a', 'b']);
    h.runs[1]!.finish();
    await h.scheduler.whenIdle();
  });
});

describe('Scheduler: catch-up at start', () => {
  it('runs once, at start, the catch_up jobs whose last success is older than the last fire time', async () => {
    const h = harness({
      now: '2024-05-01T09:00:00Z',
      lastSuccess: { missed: '2024-04-30T03:00:05Z', fresh: '2024-05-01T03:00:01Z', off: '2024-04-01T03:00:00Z' },
    });
    await h.scheduler.start(
      jobs({
        missed: { schedule: '0 3 * * *', catchUp: true },
        fresh: { schedule: '0 3 * * *', catchUp: true },
        never: { schedule: '0 3 * * *', catchUp: true },
        off: { schedule: '0 3 * * *' },
      }),
      4,
    );
    expect(h.of('start')).toEqual([
      { event: 'start', job: 'missed', reason: 'catch-up' },
      { event: 'start', job: 'never', reason: 'catch-up' },
    ]);
    for (const r of h.runs) r.finish();
    await h.scheduler.whenIdle();
  });

  it('reads the schedule in the job zone: 03:00 in Sydney already passed at 09:00 UTC', async () => {
    const h = harness({ now: '2024-05-01T09:00:00Z', lastSuccess: { syd: '2024-04-30T18:00:00Z' } });
    await h.scheduler.start(jobs({ syd: { schedule: '0 3 * * *', timezone: 'Australia/Sydney', catchUp: true } }), 1);
    // 03:00 AEST on 1 May is 17:00 UTC on 30 April: the last success (18:00 UTC) covers it.
    expect(h.of('start')).toEqual([]);
  });
});

describe('Scheduler: reload and stop', () => {
  it('a reload replaces the timers, drops waiting jobs that are gone, and lets running jobs finish', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' }, b: { schedule: '0 3 * * *' } }), 1);
    h.tick('a');
    h.tick('b');
    h.scheduler.load(jobs({ c: { schedule: '0 4 * * *' } }), 1);
    expect(h.stopped).toEqual(['a', 'b']);
    expect(h.entries.map((e) => e.job)).toEqual(['a', 'b', 'c']);
    expect(h.of('skip')).toEqual([{ event: 'skip', job: 'b', reason: 'removed' }]);
    expect(h.runs[0]!.signal.aborted).toBe(false);
    h.runs[0]!.finish();
    await h.scheduler.whenIdle();
    expect(h.of('finish')).toHaveLength(1);
  });

  it('stop: no more ticks, waiting jobs dropped, a job that ends within the grace period is not aborted', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' }, b: { schedule: '0 3 * * *' } }), 1);
    h.tick('a');
    h.tick('b');
    const stopping = h.scheduler.stop('SIGTERM', 5_000);
    setTimeout(() => h.runs[0]!.finish(), 20);
    await stopping;
    expect(h.runs).toHaveLength(1);
    expect(h.runs[0]!.signal.aborted).toBe(false);
    expect(h.of('skip')).toEqual([{ event: 'skip', job: 'b', reason: 'shutdown' }]);
    expect(h.stopped).toEqual(['a', 'b']);
    expect(h.events.at(-1)).toEqual({ event: 'stopped' });
    h.tick('a');
    expect(h.runs).toHaveLength(1);
  });

  it('stop: a job still running when the grace period ends is aborted, and stop waits for it', async () => {
    const h = harness();
    await h.scheduler.start(jobs({ a: { schedule: '0 3 * * *' } }), 1);
    h.tick('a');
    h.runs[0]!.signal.addEventListener('abort', () => setTimeout(() => h.runs[0]!.finish('interrupted'), 10));
    const started = Date.now();
    await h.scheduler.stop('SIGTERM', 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(h.runs[0]!.signal.aborted).toBe(true);
    expect(h.of('abort')).toEqual([{ event: 'abort', job: 'a' }]);
    expect(h.of('finish')).toEqual([expect.objectContaining({ job: 'a', status: 'interrupted' })]);
    expect(h.events.at(-1)).toEqual({ event: 'stopped' });
  });
});
