/**
 * The state folder of one job file. `settings.state_dir` may be shared by several job files (the
 * default one is), and two files may both name a job `photos`; so each file gets its own folder,
 * named after the file and a hash of its real path:
 *
 *   <state_dir>/<file-name>-<hash8>/
 *     locks/<job>.lock                 the per-job lock (engine/lock.ts)
 *     reports/<job>/<time>.json        one run report per run (a RunReport with one job, valid
 *                                      against schemas/report.schema.json); the newest keep_reports
 *     last-run/<job>.json              the last run and the last success, for `status` and catch-up
 *     dry-run/<job>.json               the last dry run's report, written only when its hooks ran
 *
 * Files are written whole (temporary name, then rename) with mode 0600 in 0700 folders: reports
 * hold hook commands and output. `last-run` is one file per job, written only under that job's
 * lock, so no two writers ever race on it.
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, realpath, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { JobFile } from '../config/types.js';
import { fromSystemError } from '../errors.js';
import type { JobReport, JobStatus, RunReport } from '../report/types.js';

export interface RunRecord {
  started_at: string;
  finished_at: string;
  duration_ms: number;
  status: JobStatus;
  /** Files and bytes transferred (copied). */
  files: number;
  bytes: number;
  deleted: number;
  /** The stored report, when kept. */
  report: string | null;
}

export interface LastRun {
  formatVersion: 1;
  job: string;
  last: RunRecord;
  last_success: RunRecord | null;
}

export interface JobState {
  /** This job file's folder inside the state folder. */
  root: string;
  locks: string;
  reportDir(job: string): string;
  /** Where the report of a run that started at `startedAt` is stored. */
  reportPath(job: string, startedAt: Date): string;
  dryRunReportPath(job: string): string;
}

export async function stateFor(file: Pick<JobFile, 'path' | 'settings'>): Promise<JobState> {
  const real = await realpath(file.path).catch(() => file.path);
  const name = basename(real, extname(real)).replace(/[^A-Za-z0-9._-]/g, '_') || 'jobs';
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 8);
  return stateAt(join(file.settings.stateDir, `${name}-${hash}`));
}

export function stateAt(root: string): JobState {
  return {
    root,
    locks: join(root, 'locks'),
    reportDir: (job) => join(root, 'reports', job),
    reportPath: (job, startedAt) => join(root, 'reports', job, `${startedAt.toISOString().replace(/:/g, '-')}.json`),
    dryRunReportPath: (job) => join(root, 'dry-run', `${job}.json`),
  };
}

/** Write a report (as a one-job RunReport) at `path`. @throws MegamirrorError */
export async function writeReport(path: string, report: RunReport): Promise<void> {
  await writeWhole(path, `${JSON.stringify(report, null, 2)}\n`);
}

/** Keep the newest `keep` reports of a job; returns the removed paths. */
export async function pruneReports(state: JobState, job: string, keep: number): Promise<string[]> {
  const dir = state.reportDir(job);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const old = names.slice(0, Math.max(0, names.length - keep)).map((n) => join(dir, n));
  for (const p of old) await unlink(p).catch(() => {});
  return old;
}

export async function readLastRun(state: JobState, job: string): Promise<LastRun | null> {
  try {
    const data = JSON.parse(await readFile(lastRunPath(state, job), 'utf8')) as LastRun;
    return data && typeof data === 'object' && data.last ? data : null;
  } catch {
    return null;
  }
}

/** Record a finished (not dry) run in the last-run index. Call under the job's lock. */
export async function recordRun(state: JobState, report: JobReport, reportPath: string | null): Promise<void> {
  const previous = await readLastRun(state, report.name);
  const record: RunRecord = {
    started_at: report.started_at,
    finished_at: report.finished_at,
    duration_ms: report.duration_ms,
    status: report.status,
    files: report.done.copy.files,
    bytes: report.done.copy.bytes,
    deleted: report.done.delete.files,
    report: reportPath,
  };
  const entry: LastRun = {
    formatVersion: 1,
    job: report.name,
    last: record,
    last_success: report.status === 'ok' ? record : (previous?.last_success ?? null),
  };
  await writeWhole(lastRunPath(state, report.name), `${JSON.stringify(entry, null, 2)}\n`);
}

function lastRunPath(state: JobState, job: string): string {
  return join(state.root, 'last-run', `${job}.json`);
}

async function writeWhole(path: string, text: string): Promise<void> {
  const dir = join(path, '..');
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw fromSystemError(err, path);
  }
}
