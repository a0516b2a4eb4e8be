import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/fs-tree.js';
import { schemaValidator } from '../helpers/schemas.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-hooks-e2e-'));
  await writeTree(join(root, 'src'), { 'a.txt': 'alpha' });
});
afterEach(() => cleanup());

async function jobFile(hooks: string, defaults = ''): Promise<string> {
  const path = join(root, 'jobs.yaml');
  await writeFile(path, `version: 1\nsettings:\n  state_dir: ./state\n${defaults}jobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./dst\n    hooks:\n${hooks}`);
  return path;
}

/** Each hook appends "STAGE JOB STATUS DRY REPORT?" to calls.log (in the job file's folder). */
const record = `echo "$MEGAMIRROR_STAGE $MEGAMIRROR_JOB $MEGAMIRROR_STATUS $MEGAMIRROR_DRY_RUN $([ -f "$MEGAMIRROR_REPORT" ] && echo report || echo -)" >> calls.log`;
const allStages = ['before', 'after', 'on_success', 'on_error'].map((s) => `      ${s}: ['${record}']`).join('\n') + '\n';
const calls = async () => (await readFile(join(root, 'calls.log'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);

describe('hooks through the real CLI', () => {
  it('run: hooks from defaults and the job run in order with the environment, and go into the report', async () => {
    const jobs = await jobFile(allStages, `defaults:\n  hooks:\n    before: ['echo from-defaults >> calls.log']\n`);
    const reportPath = join(root, 'report.json');
    const r = await runCli(['run', '-c', jobs, '--report', reportPath]);
    expect(r.code).toBe(0);
    expect(await calls()).toEqual(['from-defaults', 'before docs  0 -', 'on_success docs ok 0 report', 'after docs ok 0 report']);
    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(schemaValidator().report(report)).toEqual([]);
    expect(report.jobs[0].hooks.map((h: { stage: string; exit_code: number }) => [h.stage, h.exit_code])).toEqual([
      ['before', 0],
      ['before', 0],
      ['on_success', 0],
      ['after', 0],
    ]);
  });

  it('MEGAMIRROR_REPORT names the stored report, already holding the status', async () => {
    const jobs = await jobFile(`      after: ['cp "$MEGAMIRROR_REPORT" seen.json']\n`);
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    const seen = JSON.parse(await readFile(join(root, 'seen.json'), 'utf8'));
    expect(seen.jobs[0]).toMatchObject({ name: 'docs', status: 'ok' });
  });

  it('a failing before hook skips the job: exit 1, status skipped, its output shown and in the report', async () => {
    const jobs = await jobFile(`      before: ['echo "backup disk not mounted" >&2; exit 3']\n      on_error: ['echo $MEGAMIRROR_STATUS > on_error.txt']\n`);
    const r = await runCli(['run', '--report', join(root, 'r.json'), '-c', jobs]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('docs: skipped');
    expect(r.stdout).toContain('before hook 1 exited with 3');
    expect(r.stdout).toContain('| backup disk not mounted');
    expect(existsSync(join(root, 'dst'))).toBe(false);
    expect(await readFile(join(root, 'on_error.txt'), 'utf8')).toBe('skipped\n');
    const report = JSON.parse(await readFile(join(root, 'r.json'), 'utf8'));
    expect(report.jobs[0].status).toBe('skipped');
    expect(report.jobs[0].hooks[0]).toMatchObject({ stage: 'before', exit_code: 3, timed_out: false, output_tail: 'backup disk not mounted\n' });
  });

  it('the hook timeout is enforced', async () => {
    const jobs = await jobFile(`      before: ['echo waiting; sleep 30']\n      timeout: 500ms\n`);
    const started = Date.now();
    const r = await runCli(['run', '--json', '-c', jobs]);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).jobs[0].hooks[0]).toMatchObject({ timed_out: true, exit_code: null, output_tail: 'waiting\n' });
  });

  it('--dry-run and plan run no hook; with --run-hooks they do, with MEGAMIRROR_DRY_RUN=1', async () => {
    const jobs = await jobFile(allStages);
    expect((await runCli(['run', '--dry-run', '-c', jobs])).code).toBe(0);
    expect((await runCli(['plan', '-c', jobs])).code).toBe(0);
    expect(await calls()).toEqual([]);
    expect(existsSync(join(root, 'dst'))).toBe(false);

    expect((await runCli(['run', '--dry-run', '--run-hooks', '-c', jobs])).code).toBe(0);
    expect(await calls()).toEqual(['before docs  1 -', 'on_success docs ok 1 report', 'after docs ok 1 report']);
    const plan = await runCli(['plan', '--run-hooks', '-c', jobs]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('+ a.txt');
    expect((await calls()).slice(3)).toEqual(['before docs  1 -', 'on_success docs ok 1 -', 'after docs ok 1 -']);
    expect(existsSync(join(root, 'dst'))).toBe(false);
  });

  it('plan --run-hooks with a failing before hook skips the job with exit 1', async () => {
    const jobs = await jobFile(`      before: ['exit 2']\n`);
    const r = await runCli(['plan', '--run-hooks', '-c', jobs]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('docs: skipped: a before hook failed');
  });
});
