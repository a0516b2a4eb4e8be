import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';

let root: string;
let cleanup: () => Promise<void>;
let mounted = false;

/** A real full disk: a 1 MiB tmpfs (root may mount here; where it may not, the test says so and fails). */
function mountTmpfs(dir: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  mounted = true;
}

beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-fault-')));
afterEach(async () => {
  if (mounted) execFileSync('umount', [join(root, 'dst')]);
  mounted = false;
  await cleanup();
});

describe('local faults', () => {
  it('a full destination disk stops cleanly: whole files only, no partial file, no deletion', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 8; i++) files[`f${i}.bin`] = Buffer.alloc(300 * 1024, i);
    await writeTree(join(root, 'src'), files);
    await mkdir(join(root, 'dst'));
    mountTmpfs(join(root, 'dst'));
    await writeFile(join(root, 'dst', 'stale.txt'), 'would be deleted');
    const jobs = join(root, 'jobs.yaml');
    await writeFile(jobs, 'version: 1\njobs:\n  m:\n    type: mirror\n    source: ./src\n    destination: ./dst\n    safety: { max_delete_percent: null }\n');
    const report = join(root, 'report.json');
    const r = await runCli(['run', '-c', jobs, '--report', report]);
    expect(r.code).toBe(1);
    const job = JSON.parse(await readFile(report, 'utf8')).jobs[0];
    expect(job.status).toBe('partial');
    expect(job.failed_actions.map((f: { code: string }) => f.code)).toContain('no-space');
    expect(Object.keys(job.skipped_actions).some((k) => k.startsWith('stopped after no-space'))).toBe(true);
    const names = await readdir(join(root, 'dst'));
    expect(names.filter((n) => n.endsWith('.mmpartial'))).toEqual([]);
    expect(existsSync(join(root, 'dst', 'stale.txt'))).toBe(true);
    const dst = await readTree(join(root, 'dst'));
    const src = await readTree(join(root, 'src'));
    for (const n of names.filter((x) => x.startsWith('f'))) expect(dst[n]).toEqual(src[n]);
    expect(r.stdout).toContain('no space left');
  });

  it('an unreadable source folder fails only itself and is listed in the report', async () => {
    const nobody = 65534;
    await writeTree(join(root, 'src'), { 'open/a.txt': 'a', 'closed/b.txt': 'b' });
    const { chmod, chown } = await import('node:fs/promises');
    execFileSync('chown', ['-R', `${nobody}:${nobody}`, root]);
    await chown(join(root, 'src', 'closed'), 0, 0);
    await chmod(join(root, 'src', 'closed'), 0o700);
    const jobs = join(root, 'jobs.yaml');
    await writeFile(jobs, 'version: 1\njobs:\n  m:\n    type: mirror\n    source: ./src\n    destination: ./dst\n');
    await chown(jobs, nobody, nobody);
    const report = join(root, 'report.json');
    const r = await runCli(['run', '-c', jobs, '--report', report], { uid: nobody, gid: nobody, env: { HOME: root, XDG_STATE_HOME: join(root, 'state') } });
    const job = JSON.parse(await readFile(report, 'utf8')).jobs[0];
    expect(job.skipped).toEqual([expect.objectContaining({ path: 'closed', reason: 'unreadable' })]);
    expect(existsSync(join(root, 'dst', 'open', 'a.txt'))).toBe(true);
    expect(r.stdout).toContain('skipped: closed (unreadable');
  });
});
