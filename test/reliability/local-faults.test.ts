/**
 * Suite 4: local faults through the real CLI. Unreadable files and folders (permission denied, the
 * CLI running as nobody) fail only themselves, are listed in the report, make the job `partial`
 * (exit 1), and never cost their backup its copy. A full destination disk (a real 1 MiB tmpfs;
 * root may mount here) stops the run cleanly: whole files only, no partial file, no deletion, for
 * local copies and MEGA downloads alike.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { record } from './harness.js';

const NOBODY = 65534;
let root: string;
let cleanup: () => Promise<void>;
let mounted: string[] = [];

/** A real full disk: a 1 MiB tmpfs (root may mount here; where it may not, the test says so and fails). */
function mountTmpfs(dir: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
  mounted.push(dir);
}

beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-fault-')));
afterEach(async () => {
  for (const d of mounted) execFileSync('umount', [d]);
  mounted = [];
  await cleanup();
});

const asNobody = (args: string[]) =>
  runCli(args, { uid: NOBODY, gid: NOBODY, env: { HOME: root, XDG_STATE_HOME: join(root, 'state') } });

async function nobodyJobs(extra = ''): Promise<string> {
  const jobs = join(root, 'jobs.yaml');
  await writeFile(jobs, `version: 1\njobs:\n  m:\n    type: mirror\n    source: ./src\n    destination: ./dst\n${extra}`);
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, root]);
  return jobs;
}

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
    const job = JSON.parse(await readFile(report, 'utf8')).jobs[0];
    const names = await readdir(join(root, 'dst'));
    const dst = await readTree(join(root, 'dst'));
    const src = await readTree(join(root, 'src'));
    const damaged = names.filter((n) => n.startsWith('f') && JSON.stringify(dst[n]) !== JSON.stringify(src[n]));
    await record({
      suite: 'local-faults', scenario: 'full disk (local -> 1 MiB tmpfs)', injected: '8 x 300 KiB into 1 MiB',
      outcome: `exit ${r.code}, ${job.status}, stopped after no-space`, lost: damaged.length + names.filter((n) => n.endsWith('.mmpartial')).length + (existsSync(join(root, 'dst', 'stale.txt')) ? 0 : 1),
    });
    expect(r.code).toBe(1);
    expect(job.status).toBe('partial');
    expect(job.failed_actions.map((f: { code: string }) => f.code)).toContain('no-space');
    expect(Object.keys(job.skipped_actions).some((k) => k.startsWith('stopped after no-space'))).toBe(true);
    expect(names.filter((n) => n.endsWith('.mmpartial'))).toEqual([]);
    expect(existsSync(join(root, 'dst', 'stale.txt'))).toBe(true);
    expect(damaged).toEqual([]);
    expect(r.stdout).toContain('no space left');
  });

  it('an unreadable source file fails only its own copy, is listed, and makes the job partial', async () => {
    await writeTree(join(root, 'src'), { 'a.txt': 'a', 'secret.txt': 'no', 'sub/b.txt': 'b' });
    const jobs = await nobodyJobs();
    await chown(join(root, 'src', 'secret.txt'), 0, 0);
    await chmod(join(root, 'src', 'secret.txt'), 0o600);
    const report = join(root, 'report.json');
    const r = await asNobody(['run', '-c', jobs, '--report', report]);
    const job = JSON.parse(await readFile(report, 'utf8')).jobs[0];
    await record({
      suite: 'local-faults', scenario: 'unreadable source file', injected: 'one file mode 0600 owned by root, run as nobody',
      outcome: `exit ${r.code}, ${job.status}, ${job.failed_actions.length} failed: ${job.failed_actions[0]?.code}`,
      lost: (existsSync(join(root, 'dst', 'a.txt')) ? 0 : 1) + (existsSync(join(root, 'dst', 'sub', 'b.txt')) ? 0 : 1),
    });
    expect(r.code).toBe(1);
    expect(job.status).toBe('partial');
    expect(job.failed_actions).toEqual([expect.objectContaining({ path: 'secret.txt', code: 'permission-denied' })]);
    expect(r.stdout).toContain('failed: copy secret.txt: permission denied');
    expect(existsSync(join(root, 'dst', 'a.txt'))).toBe(true);
    expect(existsSync(join(root, 'dst', 'sub', 'b.txt'))).toBe(true);
  });

  it('an unreadable source folder fails only itself, is listed, makes the job partial, and its backup is kept', async () => {
    // Enough other files that the deletion guards (50%) would not stop a wrong plan.
    const others = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`open/f${i}.txt`, `${i}`]));
    await writeTree(join(root, 'src'), { ...others, 'closed/b.txt': 'b', 'closed/deep/c.txt': 'c' });
    const jobs = await nobodyJobs();
    // Backed up while readable; then its permissions change (a restore as another user, a typo).
    expect((await asNobody(['run', '-c', jobs])).code).toBe(0);
    await writeTree(join(root, 'src'), { 'open/new.txt': 'new' });
    await chown(join(root, 'src', 'open', 'new.txt'), NOBODY, NOBODY);
    await chown(join(root, 'src', 'closed'), 0, 0);
    await chmod(join(root, 'src', 'closed'), 0o700);
    const report = join(root, 'report.json');
    const r = await asNobody(['run', '-c', jobs, '--report', report]);
    const job = JSON.parse(await readFile(report, 'utf8')).jobs[0];
    const kept = ['closed/b.txt', 'closed/deep/c.txt'].filter((p) => existsSync(join(root, 'dst', p)));
    await record({
      suite: 'local-faults', scenario: 'unreadable source folder', injected: 'a backed-up folder turned 0700 root, run as nobody',
      outcome: `exit ${r.code}, ${job.status}, listed as unreadable; ${kept.length} of 2 backed-up files kept`,
      lost: 2 - kept.length + (existsSync(join(root, 'dst', 'open', 'new.txt')) ? 0 : 1),
    });
    expect(job.skipped).toEqual([expect.objectContaining({ path: 'closed', reason: 'unreadable' })]);
    expect(r.stdout).toContain('skipped: closed (unreadable');
    expect(existsSync(join(root, 'dst', 'open', 'new.txt'))).toBe(true);
    expect(kept).toHaveLength(2);
    expect(job.status).toBe('partial');
    expect(r.code).toBe(1);
  });
});

describe('local faults, MEGA -> local', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await m.writeJobs('  up:\n    type: mirror\n    source: ./src\n    destination: mega:/D\n  down:\n    type: mirror\n    source: mega:/D\n    destination: ./back\n    safety: { max_delete_percent: null }\n');
  });
  afterEach(async () => {
    for (const d of mounted) execFileSync('umount', [d]);
    mounted = [];
    await m.cleanup();
  });

  it('a full disk during downloads stops cleanly: whole files only, no partial file, no deletion', async () => {
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 8; i++) files[`f${i}.bin`] = Buffer.alloc(300 * 1024, i + 1);
    await writeTree(join(m.root, 'src'), files);
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    await mkdir(join(m.root, 'back'));
    mountTmpfs(join(m.root, 'back'));
    await writeFile(join(m.root, 'back', 'stale.txt'), 'would be deleted');
    const r = await m.cli(['run', 'down']);
    const names = await readdir(join(m.root, 'back'));
    const dst = await readTree(join(m.root, 'back'));
    const src = await readTree(join(m.root, 'src'));
    const damaged = names.filter((n) => n.startsWith('f') && (dst[n] as { sha256: string }).sha256 !== (src[n] as { sha256: string }).sha256);
    await record({
      suite: 'local-faults', scenario: 'full disk (MEGA -> 1 MiB tmpfs)', injected: '8 x 300 KiB downloads into 1 MiB',
      outcome: `exit ${r.code}, stopped after no-space`, lost: damaged.length + names.filter((n) => n.endsWith('.mmpartial')).length + (names.includes('stale.txt') ? 0 : 1),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no space left');
    expect(r.stdout).toMatch(/not done: \d+ \(stopped after no-space/);
    expect(names.filter((n) => n.endsWith('.mmpartial'))).toEqual([]);
    expect(names).toContain('stale.txt');
    expect(damaged).toEqual([]);
  });
});
