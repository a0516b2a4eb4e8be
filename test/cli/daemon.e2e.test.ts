import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';
import { schemaValidator } from '../helpers/schemas.js';
import { DaemonProcess } from './daemon-process.js';

let root: string;
let cleanup: () => Promise<void>;
let daemons: DaemonProcess[] = [];

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-daemon-'));
  await writeTree(join(root, 'src'), { 'a.txt': 'alpha', 'b/c.txt': 'gamma', 'empty/': null });
});
afterEach(async () => {
  await Promise.all(daemons.map((d) => d.kill()));
  daemons = [];
  await cleanup();
});

async function jobFile(job: string): Promise<string> {
  const path = join(root, 'jobs.yaml');
  await writeFile(path, `version: 1\nsettings:\n  state_dir: ./state\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./dst\n${job}`);
  return path;
}

function daemon(args: string[]): DaemonProcess {
  const d = new DaemonProcess(args, { cwd: root });
  daemons.push(d);
  return d;
}

async function partials(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.mmpartial'));
}

describe('megamirror daemon (a real process)', () => {
  it('runs a job every second, keeps going after SIGHUP with a broken file, stops cleanly mid-transfer on SIGTERM', async () => {
    const jobs = await jobFile('    schedule: "* * * * * *"\n');
    const d = daemon(['-c', jobs, '--grace-period', '200ms']);
    await d.waitFor((e) => e.event === 'started');
    // Two runs, one second apart.
    await d.waitFor((e) => e.event === 'finish' && e.status === 'ok');
    await d.waitFor((e) => e.event === 'finish' && e.status === 'ok', 5000, d.events.indexOf(d.of('finish')[0]!) + 1);
    expect(await readTree(join(root, 'dst'))).toEqual(await readTree(join(root, 'src')));
    const starts = d.of('start').map((e) => Date.parse(e.time));
    expect(starts[1]! - starts[0]!).toBeGreaterThan(500);

    // A broken file on SIGHUP: logged, and the old job goes on.
    await writeFile(jobs, 'version: 1\njobs: [\n');
    d.signal('SIGHUP');
    const failed = await d.waitFor((e) => e.event === 'reload-failed');
    expect(String((failed.problems as string[])[0])).toMatch(/jobs\.yaml:2:\d+/);
    const after = d.events.length;
    await d.waitFor((e) => e.event === 'finish' && e.status === 'ok', 5000, after);
    await d.waitFor((e) => e.event === 'start', 5000, d.events.length);

    // A big file: SIGTERM while it is being written; the grace period (200 ms) ends; the copy is aborted.
    await writeFile(join(root, 'src', 'big.bin'), '');
    await truncate(join(root, 'src', 'big.bin'), 1536 * 1024 * 1024);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await partials(join(root, 'dst'))).length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(await partials(join(root, 'dst'))).not.toEqual([]);
    d.signal('SIGTERM');
    const exit = await d.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(d.of('stopping')).toHaveLength(1);
    expect(d.of('abort', 'docs')).toHaveLength(1);
    const last = d.of('finish').at(-1)!;
    expect(last.status).toBe('interrupted');
    expect(d.events.at(-1)!.event).toBe('stopped');
    expect(await partials(join(root, 'dst'))).toEqual([]);
    expect(existsSync(join(root, 'dst', 'big.bin'))).toBe(false);

    // Every run left a report in the state folder, valid against the published schema.
    const stored = JSON.parse(await readFile(String(last.report), 'utf8'));
    expect(schemaValidator().report(stored)).toEqual([]);
    expect(stored.jobs[0].status).toBe('interrupted');
    expect(d.stderr).toBe('');
  });

  it('skips a tick while the job still runs; a manual run meanwhile is refused (exit 4) naming the daemon; SIGTERM lets the job finish', async () => {
    const jobs = await jobFile('    schedule: "* * * * * *"\n    hooks:\n      before: ["sleep 4"]\n');
    const d = daemon(['-c', jobs]);
    const start = await d.waitFor((e) => e.event === 'start');
    await d.waitFor((e) => e.event === 'skip' && e.reason === 'running');
    const manual = await runCli(['run', '-c', jobs]);
    expect(manual.code).toBe(4);
    expect(manual.stderr).toContain('job "docs" is locked by another run');
    expect(manual.stderr).toContain(`pid ${d.child.pid}`);
    expect(manual.stderr).toContain('megamirror daemon');
    d.signal('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    expect(d.of('abort')).toEqual([]);
    expect(d.of('finish')).toEqual([expect.objectContaining({ job: 'docs', status: 'ok' })]);
    expect(d.of('start')).toEqual([start]);
  });

  it('catch_up runs a missed job once at start-up; status shows it and the next time; a restart does not run it again', async () => {
    const jobs = await jobFile('    schedule: "0 0 1 1 *"\n    timezone: UTC\n    catch_up: true\n');
    const first = daemon(['-c', jobs]);
    await first.waitFor((e) => e.event === 'finish');
    expect(first.of('start')).toEqual([expect.objectContaining({ reason: 'catch-up' })]);
    first.signal('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const status = await runCli(['status', '--json', '-c', jobs]);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(statusSchema()(s)).toBe(true);
    const year = new Date().getUTCFullYear() + 1;
    expect(s.jobs[0]).toMatchObject({
      name: 'docs',
      next_run: `${year}-01-01T00:00:00.000Z`,
      last_run: { status: 'ok', files: 2, bytes: 10 },
      last_success: { status: 'ok' },
      running: null,
    });
    const human = await runCli(['status', '-c', jobs]);
    expect(human.stdout).toMatch(/last run: +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00 +ok +[\d.]+s +2 files \(10 B\), 0 deleted/);
    expect(human.stdout).toContain(`next run:     ${year}-01-01 00:00:00 +00:00`);

    const second = daemon(['-c', jobs]);
    await second.waitFor((e) => e.event === 'started');
    second.signal('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(second.of('start')).toEqual([]);
  });
});

function statusSchema() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const load = (name: string) => JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'));
  ajv.addSchema(load('plan.schema.json'), 'plan.schema.json');
  ajv.addSchema(load('report.schema.json'), 'report.schema.json');
  return ajv.compile(load('status.schema.json'));
}
