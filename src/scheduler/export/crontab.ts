/**
 * Crontab lines per scheduled job: `MIN HOUR DAY MONTH WEEKDAY COMMAND`. Jobs with a `timezone`
 * come after a `CRON_TZ=` line (cronie and other modern crons honour it; older ones run them in the
 * machine's zone); jobs without come first, before any CRON_TZ line.
 */

import type { Job } from '../../config/types.js';
import { cronLine } from './cron-line.js';
import { refuseProblems, scheduledJobs, type ExportedFile, type ExportInput } from './types.js';

export function crontab(input: ExportInput): ExportedFile[] {
  const problems = new Map<Job, string[]>();
  const groups = new Map<string, string[]>();
  for (const { job, spec } of scheduledJobs(input.file)) {
    const line = cronLine(spec);
    if (!line.ok) {
      problems.set(job, line.problems);
      continue;
    }
    const command = [...input.command, 'run', '-c', input.file.path, job.name].map(shellArg).join(' ');
    const zone = job.timezone ?? '';
    groups.set(zone, [...(groups.get(zone) ?? []), `# ${job.name}: ${job.schedule}`, `${line.fields} ${command.replace(/%/g, '\\%')}`]);
  }
  refuseProblems('cron', problems);
  const lines = [`# megamirror jobs of ${input.file.path}`, '# (megamirror schedule export --format cron; install with crontab -e)'];
  for (const zone of [...groups.keys()].sort()) {
    if (zone !== '') lines.push(`CRON_TZ=${zone}`);
    lines.push(...(groups.get(zone) ?? []));
  }
  return [{ name: 'crontab', content: `${lines.join('\n')}\n` }];
}

/** A POSIX shell word: bare when safe, else single-quoted. */
export function shellArg(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
