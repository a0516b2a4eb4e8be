import type { Job, JobFile } from '../../config/types.js';
import { parseCron, type CronSpec } from '../../core/schedule/cron.js';
import { MegamirrorError } from '../../errors.js';

export interface ExportInput {
  file: JobFile;
  /** The job file's text (Kubernetes puts it in a ConfigMap). */
  text: string;
  /** The argv that runs megamirror on the target machine (systemd, cron). */
  command: string[];
  /** Kubernetes: the container image, and the argv that runs megamirror in it. */
  image: string;
  containerCommand: string[];
}

/** One file of the export: a unit, a crontab, a manifest stream. */
export interface ExportedFile {
  name: string;
  content: string;
}

export interface ScheduledJob {
  job: Job;
  spec: CronSpec;
}

/** The jobs that have a schedule, in file order. */
export function scheduledJobs(file: JobFile): ScheduledJob[] {
  return file.jobs.filter((j) => j.schedule !== null).map((job) => ({ job, spec: parseCron(job.schedule!) }));
}

/** @throws MegamirrorError('config') naming every job whose schedule the target cannot express. */
export function refuseProblems(target: string, problems: ReadonlyMap<Job, string[]>): void {
  if (problems.size === 0) return;
  const lines = [...problems].map(([job, why]) => `${job.location}: jobs.${job.name}.schedule: "${job.schedule}" cannot be written for ${target}: ${why.join('; ')}`);
  throw new MegamirrorError('config', lines.join('\n'), { hint: 'change the schedule, or export for another scheduler (systemd timers understand the most)' });
}
