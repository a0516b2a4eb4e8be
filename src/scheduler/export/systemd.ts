/**
 * systemd units per scheduled job: `megamirror-JOB.service` (a oneshot `megamirror run`) and
 * `megamirror-JOB.timer` (the schedule as OnCalendar, `Persistent=true`, so a run missed while the
 * machine was off happens at the next boot, as `catch_up` does for the daemon).
 * Secrets for `${VAR}` come from the optional EnvironmentFile `%E/megamirror/environment`
 * (/etc/megamirror/environment for system units, ~/.config/megamirror/environment for user units).
 */

import type { Job } from '../../config/types.js';
import { onCalendar } from './calendar.js';
import { refuseProblems, scheduledJobs, type ExportedFile, type ExportInput } from './types.js';

export function systemdUnits(input: ExportInput): ExportedFile[] {
  const files: ExportedFile[] = [];
  const problems = new Map<Job, string[]>();
  for (const { job, spec } of scheduledJobs(input.file)) {
    const cal = onCalendar(spec, job.timezone);
    if (!cal.ok) {
      problems.set(job, cal.problems);
      continue;
    }
    const unit = `megamirror-${job.name}`;
    const exec = [...input.command, 'run', '-c', input.file.path, job.name].map(systemdArg).join(' ');
    files.push({
      name: `${unit}.service`,
      content: [
        '[Unit]',
        `Description=megamirror job ${job.name}`,
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        `ExecStart=${exec}`,
        'EnvironmentFile=-%E/megamirror/environment',
        'Nice=10',
        'IOSchedulingClass=idle',
        '',
      ].join('\n'),
    });
    files.push({
      name: `${unit}.timer`,
      content: [
        '[Unit]',
        `Description=megamirror job ${job.name}: ${job.schedule}${job.timezone ? ` (${job.timezone})` : ''}`,
        '',
        '[Timer]',
        `OnCalendar=${cal.onCalendar}`,
        'Persistent=true',
        ...(spec.second.length === 1 && spec.second[0] === 0 ? [] : ['AccuracySec=1s']),
        `Unit=${unit}.service`,
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    });
  }
  refuseProblems('systemd', problems);
  return files;
}

/** One ExecStart word: quoted when needed; `%` and `$` escaped (systemd expands both). */
function systemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (escaped !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
