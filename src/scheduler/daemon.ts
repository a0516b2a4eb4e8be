/**
 * `megamirror daemon`: a Scheduler fed from a job file. Each run starts with the job file current at
 * its start (its state folder, keep_reports, backends); a reload swaps the file for later runs.
 * Runs are real runs with hooks, through executeJob, the same path `run` takes.
 * Reading the file and OS signals are the CLI's part (src/cli/commands/daemon.ts).
 */

import type { JobFile } from '../config/types.js';
import type { OpenBackend } from '../engine/endpoints.js';
import { executeJob } from '../engine/execute.js';
import { readLastRun, stateFor, type JobState } from '../engine/state.js';
import type { DaemonEvent } from './events.js';
import { Scheduler, type ScheduleFn } from './scheduler.js';

export interface DaemonOptions {
  schedule: ScheduleFn;
  /** How backends are opened for a job file: the CLI's own, so the daemon runs jobs as `run` does. */
  openerFor: (file: JobFile) => OpenBackend;
  log: (e: DaemonEvent) => void;
  now?: () => Date;
  defaultZone?: string;
}

export class Daemon {
  private file: JobFile | null = null;
  private state: JobState | null = null;
  private readonly scheduler: Scheduler;

  constructor(private readonly o: DaemonOptions) {
    const now = o.now ?? (() => new Date());
    this.scheduler = new Scheduler({
      now,
      schedule: o.schedule,
      log: o.log,
      ...(o.defaultZone ? { defaultZone: o.defaultZone } : {}),
      execute: (job, signal) => {
        const file = this.file!;
        return executeJob(job, {
          file,
          state: this.state!,
          openBackend: o.openerFor(file),
          command: 'daemon',
          dryRun: false,
          allowDeletes: false,
          runHooks: true,
          signal,
          now,
          onWarning: (message) => o.log({ event: 'warning', job: job.name, message }),
        });
      },
      lastSuccess: async (job) => {
        const last = await readLastRun(this.state!, job.name);
        return last?.last_success ? new Date(last.last_success.started_at) : null;
      },
    });
  }

  /** Schedule the file's jobs and start the catch-up runs; `started` is logged last (ready). */
  async start(file: JobFile): Promise<void> {
    await this.use(file);
    await this.scheduler.start(file.jobs, file.settings.maxParallelJobs);
    this.o.log({ event: 'started', config: file.path, jobs: file.jobs.length, scheduled: scheduled(file), max_parallel_jobs: file.settings.maxParallelJobs, pid: process.pid });
  }

  /** Apply a new, valid job file. */
  async reload(file: JobFile): Promise<void> {
    await this.use(file);
    this.o.log({ event: 'reload', jobs: file.jobs.length, scheduled: scheduled(file), max_parallel_jobs: file.settings.maxParallelJobs });
    this.scheduler.load(file.jobs, file.settings.maxParallelJobs);
  }

  stop(signal: string, graceMs: number): Promise<void> {
    return this.scheduler.stop(signal, graceMs);
  }

  abortNow(): void {
    this.scheduler.abortAll();
  }

  private async use(file: JobFile): Promise<void> {
    this.state = await stateFor(file);
    this.file = file;
  }
}

function scheduled(file: JobFile): number {
  return file.jobs.filter((j) => j.schedule !== null).length;
}
