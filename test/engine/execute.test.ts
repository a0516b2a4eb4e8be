import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadJobFile } from '../../src/config/index.js';
import type { JobFile } from '../../src/config/types.js';
import { backendFactory } from '../../src/engine/endpoints.js';
import { executeJob, type ExecuteOptions } from '../../src/engine/execute.js';
import { tryLockJob } from '../../src/engine/lock.js';
import { readLastRun, stateFor, type JobState } from '../../src/engine/state.js';
import { tempDir, writeTree } from '../helpers/fs-tree.js';
import { schemaValidator } from '../helpers/schemas.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-exec-'));
  await writeTree(join(root, 'src'), { 'a.txt': 'alpha', 'b/c.txt': 'gamma' });
});
afterEach(() => cleanup());

/** A job file in the temp root whose hooks append "STAGE STATUS DRY REPORT-EXISTS" to hooks.log. */
async function setup(o: { hooks?: string; keep?: number; source?: string } = {}): Promise<{ file: JobFile; state: JobState; opts: (x?: Partial<ExecuteOptions>) => ExecuteOptions }> {
  const record = `echo "$MEGAMIRROR_STAGE $MEGAMIRROR_STATUS $MEGAMIRROR_DRY_RUN $([ -f "$MEGAMIRROR_REPORT" ] && echo report || echo none)" >> hooks.log`;
  const hooks = o.hooks ?? [`      before: ['${record}']`, `      after: ['${record}']`, `      on_success: ['${record}']`, `      on_error: ['${record}']`].join('\n');
  const text = [
    'version: 1',
    'settings:',
    '  state_dir: ./state',
    `  keep_reports: ${o.keep ?? 20}`,
    'jobs:',
    '  docs:',
    '    type: mirror',
    `    source: ${o.source ?? './src'}`,
    '    destination: ./dst',
    '    hooks:',
    hooks,
    '',
  ].join('\n');
  await writeFile(join(root, 'jobs.yaml'), text);
  const file = await loadJobFile(join(root, 'jobs.yaml'));
  const state = await stateFor(file);
  const opts = (x: Partial<ExecuteOptions> = {}): ExecuteOptions => ({
    file, state, openBackend: backendFactory(file), command: 'run', dryRun: false, allowDeletes: false, runHooks: true, ...x,
  });
  return { file, state, opts };
}

const hookLog = async () => (await readFile(join(root, 'hooks.log'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

describe('executeJob', () => {
  it('runs the hooks around the job, stores a schema-valid report and the last-run index', async () => {
    const { file, state, opts } = await setup();
    const out = await executeJob(file.jobs[0]!, opts());
    expect(out.locked).toBeNull();
    expect(out.report.status).toBe('ok');
    expect(existsSync(join(root, 'dst', 'b', 'c.txt'))).toBe(true);
    expect(await hookLog()).toEqual(['before  0 none', 'on_success ok 0 report', 'after ok 0 report']);
    const stored = JSON.parse(await readFile(out.reportPath!, 'utf8'));
    expect(schemaValidator().report(stored)).toEqual([]);
    expect(stored.jobs[0].hooks.map((h: { stage: string }) => h.stage)).toEqual(['before', 'on_success', 'after']);
    const last = await readLastRun(state, 'docs');
    expect(last).toMatchObject({ last: { status: 'ok', files: 2, bytes: 10, report: out.reportPath }, last_success: { status: 'ok' } });
    expect(existsSync(join(state.locks, 'docs.lock'))).toBe(false);
  });

  it('a failing before hook skips the job; on_error and after still run; its output is in the report', async () => {
    const { file, state, opts } = await setup({ hooks: ["      before: ['echo disk not mounted; exit 3']", "      on_error: ['echo $MEGAMIRROR_STATUS > status.txt']", "      after: ['touch after.txt']"].join('\n') });
    const out = await executeJob(file.jobs[0]!, opts());
    expect(out.report.status).toBe('skipped');
    expect(existsSync(join(root, 'dst'))).toBe(false);
    expect(out.report.hooks![0]).toMatchObject({ stage: 'before', exit_code: 3, output_tail: 'disk not mounted\n' });
    expect(await readFile(join(root, 'status.txt'), 'utf8')).toBe('skipped\n');
    expect(existsSync(join(root, 'after.txt'))).toBe(true);
    expect((await readLastRun(state, 'docs'))?.last_success).toBeNull();
  });

  it('a failed job runs on_error with its status', async () => {
    const { file, opts } = await setup({ source: './missing' });
    const out = await executeJob(file.jobs[0]!, opts());
    expect(out.report.status).toBe('failed');
    expect(await hookLog()).toEqual(['before  0 none', 'on_error failed 0 report', 'after failed 0 report']);
  });

  it('a dry run runs no hook, takes no lock and stores nothing', async () => {
    const { file, state, opts } = await setup();
    const held = await tryLockJob(state.locks, 'docs', { command: 'daemon', config: file.path });
    const out = await executeJob(file.jobs[0]!, opts({ dryRun: true, runHooks: false }));
    expect(out).toMatchObject({ reportPath: null, locked: null, report: { status: 'ok', dry_run: true } });
    expect(await hookLog()).toEqual([]);
    expect(existsSync(join(root, 'dst'))).toBe(false);
    expect(existsSync(join(state.root, 'reports'))).toBe(false);
    if (held.acquired) await held.lock.release();
  });

  it('a dry run with hooks runs them with MEGAMIRROR_DRY_RUN=1 and keeps its report apart', async () => {
    const { file, state, opts } = await setup();
    const out = await executeJob(file.jobs[0]!, opts({ dryRun: true, runHooks: true }));
    expect(await hookLog()).toEqual(['before  1 none', 'on_success ok 1 report', 'after ok 1 report']);
    expect(out.reportPath).toBe(state.dryRunReportPath('docs'));
    expect(await readLastRun(state, 'docs')).toBeNull();
  });

  it('a locked job runs nothing and says who holds it', async () => {
    const { file, state, opts } = await setup();
    const held = await tryLockJob(state.locks, 'docs', { command: 'daemon', config: file.path });
    const out = await executeJob(file.jobs[0]!, opts());
    expect(out.locked?.holder).toMatchObject({ pid: process.pid, command: 'daemon' });
    expect(out.report).toMatchObject({ status: 'skipped', error: { code: 'locked' } });
    expect(out.report.error?.message).toContain(`pid ${process.pid}`);
    expect(await hookLog()).toEqual([]);
    if (held.acquired) await held.lock.release();
  });

  it('keeps the newest keep_reports reports', async () => {
    const { file, state, opts } = await setup({ hooks: '      before: []', keep: 2 });
    const paths: string[] = [];
    for (let i = 0; i < 4; i++) paths.push((await executeJob(file.jobs[0]!, opts())).reportPath!);
    const kept = (await readdir(state.reportDir('docs'))).map((n) => join(state.reportDir('docs'), n)).sort();
    expect(kept).toEqual(paths.slice(2).sort());
  });

  it('an abort during the before hooks makes the job interrupted', async () => {
    const { file, opts } = await setup({ hooks: "      before: ['sleep 20']" });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const out = await executeJob(file.jobs[0]!, opts({ signal: controller.signal }));
    expect(out.report.status).toBe('interrupted');
  });
});
