import { hostname } from 'node:os';
import type { Command } from 'commander';
import type { Job } from '../../config/types.js';
import { defaultTimeZone, zoneClock } from '../../core/retention/zone.js';
import { parseCron } from '../../core/schedule/cron.js';
import { nextFire } from '../../core/schedule/fire-times.js';
import { lockHolder, pidExists, type LockHolder } from '../../engine/lock.js';
import { readLastRun, stateFor, type RunRecord } from '../../engine/state.js';
import { formatBytes, plural, type Painter } from '../../report/format.js';
import { loadConfig, selectJobs, type ConfigOption } from '../context.js';
import { EXIT } from '../exit-codes.js';
import type { Output } from '../output.js';

interface StatusOptions extends ConfigOption {
  json?: boolean;
}

/** `status --json`, versioned like the reports (schemas/status.schema.json). */
export const STATUS_FORMAT_VERSION = 1;

interface JobStatusRow {
  name: string;
  schedule: string | null;
  timezone: string;
  next_run: string | null;
  last_run: RunRecord | null;
  last_success: RunRecord | null;
  running: LockHolder | null;
}

export function registerStatus(program: Command, io: Output, setExit: (c: number) => void): void {
  program
    .command('status')
    .description('per job: the last run, the last success and the next scheduled time')
    .argument('[jobs...]', 'job names (default: all)')
    .option('-c, --config <file>', 'job file (default: $MEGAMIRROR_CONFIG or ./jobs.yaml)')
    .option('--json', 'print JSON (schemas/status.schema.json)')
    .action(async (names: string[], o: StatusOptions) => {
      const file = await loadConfig(o);
      const state = await stateFor(file);
      const now = Date.now();
      const rows: JobStatusRow[] = [];
      for (const job of selectJobs(file, names)) {
        const last = await readLastRun(state, job.name);
        rows.push({
          name: job.name,
          schedule: job.schedule,
          timezone: zoneOf(job),
          next_run: nextRun(job, now),
          last_run: last?.last ?? null,
          last_success: last?.last_success ?? null,
          running: await runningHolder(state.locks, job.name),
        });
      }
      if (o.json) io.out(JSON.stringify({ formatVersion: STATUS_FORMAT_VERSION, config: file.path, state: state.root, jobs: rows }, null, 2));
      else io.out(rows.map((r) => renderRow(r, io.paint)).join('\n'));
      setExit(EXIT.ok);
    });
}

/** The holder of the job's lock, unless it is a stale lock left on this host. */
async function runningHolder(locks: string, job: string): Promise<LockHolder | null> {
  const h = await lockHolder(locks, job).catch(() => null);
  return h && (h.host !== hostname() || pidExists(h.pid)) ? h : null;
}

function zoneOf(job: Job): string {
  return job.timezone ?? defaultTimeZone();
}

function nextRun(job: Job, now: number): string | null {
  if (job.schedule === null) return null;
  const t = nextFire(parseCron(job.schedule), now, zoneClock(zoneOf(job)));
  return t === null ? null : new Date(t).toISOString();
}

function renderRow(r: JobStatusRow, p: Painter): string {
  const zone = zoneClock(r.timezone);
  const when = (iso: string) => localTime(iso, zone);
  const run = (x: RunRecord) => {
    const color = x.status === 'ok' ? p.green : x.status === 'partial' || x.status === 'refused' || x.status === 'skipped' ? p.yellow : p.red;
    return `${when(x.started_at)}  ${color(x.status)}  ${(x.duration_ms / 1000).toFixed(1)}s  ${plural(x.files, 'file')} (${formatBytes(x.bytes)}), ${x.deleted} deleted`;
  };
  const lines = [p.bold(`${r.name}${r.schedule ? ` (${r.schedule}, ${r.timezone})` : ' (not scheduled)'}`)];
  lines.push(`  last run:     ${r.last_run ? run(r.last_run) : p.dim('never')}`);
  lines.push(`  last success: ${r.last_success ? when(r.last_success.started_at) : p.dim('never')}`);
  lines.push(`  next run:     ${r.next_run ? when(r.next_run) : p.dim(r.schedule ? 'never' : 'by hand only')}`);
  if (r.running) lines.push(`  running now:  pid ${r.running.pid} on ${r.running.host} (megamirror ${r.running.command}, since ${when(r.running.started_at)})`);
  return lines.join('\n');
}

/** `2024-05-01 03:00:00 +02:00`, in the job's zone. */
function localTime(iso: string, zone: ReturnType<typeof zoneClock>): string {
  const t = new Date(iso).getTime();
  const wall = zone.toWall(t);
  const offsetMin = Math.round((wall - t) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${new Date(wall).toISOString().slice(0, 19).replace('T', ' ')} ${offset}`;
}
