/**
 * Suite 6: deletion guards through the real CLI. A missing, unmounted or empty source, or a filter
 * change that would exclude most of the destination, deletes nothing without --allow-deletes
 * (exit 3 or an error, the destination byte for byte as before); with the flag, the run does what
 * the plan said. Deletions never run after a failed copy (local and MEGA destinations). A snapshot
 * of an empty source never pushes older snapshots out of retention.
 */
import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { tempDir, writeTree } from '../helpers/fs-tree.js';
import { nodeCrypto } from '../../src/emulator/index.js';
import { EMAIL, megaCliEnv, type MegaCliEnv } from '../cli/mega-env.js';
import { hashes, record } from './harness.js';
import { megaFolder } from './mega-harness.js';

let root: string;
let cleanup: () => Promise<void>;
let mounted: string | null = null;
beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-guard-')));
afterEach(async () => {
  if (mounted) execFileSync('umount', [mounted]);
  mounted = null;
  await cleanup();
});

const FILES = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`docs/f${i}.${i < 16 ? 'bin' : 'txt'}`, `content ${i}`]));

async function setup(extra = '') {
  const jobs = join(root, 'jobs.yaml');
  await writeFile(jobs, `version: 1\njobs:\n  m:\n    type: mirror\n    source: ./src\n    destination: ./dst\n${extra}`);
  return jobs;
}

/** Run, then check the destination did not change; record the trial. */
async function guarded(scenario: string, injected: string, jobs: string, expectCode: number, expectText: RegExp): Promise<CliResult> {
  const before = await hashes(join(root, 'dst'));
  const r = await runCli(['run', '-c', jobs]);
  const after = await hashes(join(root, 'dst'));
  const lost = Object.keys(before).filter((k) => after[k] !== before[k]).length;
  await record({ suite: 'deletion-guards', scenario, injected, outcome: `exit ${r.code}: ${expectText.exec(r.stdout + r.stderr)?.[0] ?? 'no message'}`, lost });
  expect(r.stdout + r.stderr).toMatch(expectText);
  expect(r.code).toBe(expectCode);
  expect(after).toEqual(before);
  return r;
}

describe('deletion guards (local)', () => {
  it('a missing source is an error, never "delete everything"', async () => {
    await writeTree(join(root, 'src'), FILES);
    const jobs = await setup();
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    await rm(join(root, 'src'), { recursive: true });
    const r = await guarded('missing source', 'source folder removed', jobs, 1, /the source folder does not exist/);
    expect(r.stdout).toContain('check that the disk is mounted');
    // --allow-deletes does not turn a missing source into an empty one either.
    expect((await runCli(['run', '-c', jobs, '--allow-deletes'])).code).toBe(1);
    expect(Object.keys(await hashes(join(root, 'dst')))).toHaveLength(20);
  });

  it('an unmounted source (an empty mount point) is refused; --allow-deletes lifts it', async () => {
    const src = join(root, 'src');
    await mkdir(src);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', src]);
    mounted = src;
    await writeTree(src, FILES);
    const jobs = await setup();
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    execFileSync('umount', [src]);
    mounted = null;
    await guarded('unmounted source', 'tmpfs source unmounted (empty mount point)', jobs, 3, /the source is empty but the destination holds 20 files/);
    const forced = await runCli(['run', '-c', jobs, '--allow-deletes']);
    expect(forced.code).toBe(0);
    expect(await hashes(join(root, 'dst'))).toEqual({});
  });

  it('an empty source is refused', async () => {
    await writeTree(join(root, 'src'), FILES);
    const jobs = await setup();
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    await rm(join(root, 'src'), { recursive: true });
    await mkdir(join(root, 'src'));
    await guarded('empty source', 'every source file removed', jobs, 3, /refusing to delete them all/);
  });

  it('a filter change that excludes most of the destination is refused; --allow-deletes lifts it', async () => {
    await writeTree(join(root, 'src'), FILES);
    const jobs = await setup();
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    await setup('    exclude: ["**/*.bin"]\n');
    await guarded('filter change', 'exclude added: 16 of 20 files', jobs, 3, /deletes 16 of 20 files \(80\.0%\), more than max_delete_percent \(50%\)/);
    const forced = await runCli(['run', '-c', jobs, '--allow-deletes']);
    expect(forced.code).toBe(0);
    expect(Object.keys(await hashes(join(root, 'dst'))).sort()).toEqual(['docs/f16.txt', 'docs/f17.txt', 'docs/f18.txt', 'docs/f19.txt']);
  });

  it('more deletions than max_delete are refused', async () => {
    await writeTree(join(root, 'src'), FILES);
    const jobs = await setup('    safety: { max_delete: 3, max_delete_percent: null }\n');
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    for (let i = 0; i < 5; i++) await rm(join(root, 'src', `docs/f${i}.bin`));
    await guarded('max_delete', '5 source files removed, max_delete 3', jobs, 3, /the plan deletes 5 files, more than max_delete \(3\)/);
  });

  it('deletions never run after a failed copy (an unreadable file)', async () => {
    const nobody = 65534;
    await writeTree(join(root, 'src'), { 'ok.txt': 'ok', 'secret.txt': 'no' });
    await writeTree(join(root, 'dst'), { 'stale.txt': 'must stay' });
    execFileSync('chown', ['-R', `${nobody}:${nobody}`, root]);
    await chown(join(root, 'src', 'secret.txt'), 0, 0);
    await chmod(join(root, 'src', 'secret.txt'), 0o600);
    const jobs = await setup('    safety: { max_delete_percent: null }\n');
    await chown(jobs, nobody, nobody);
    const report = join(root, 'report.json');
    const r = await runCli(['run', '-c', jobs, '--report', report], { uid: nobody, gid: nobody, env: { HOME: root, XDG_STATE_HOME: join(root, 'state') } });
    const job = JSON.parse(await readFile(report, 'utf8')).jobs[0];
    const stale = await readFile(join(root, 'dst', 'stale.txt'), 'utf8').catch(() => null);
    await record({
      suite: 'deletion-guards', scenario: 'failed copy (local)', injected: 'one unreadable source file, one file to delete',
      outcome: `exit ${r.code}, ${job.status}, deletions skipped: ${job.skipped_actions['an earlier action failed: deletions are skipped'] ?? 0}`,
      lost: stale === 'must stay' ? 0 : 1,
    });
    expect(r.code).toBe(1);
    expect(job.status).toBe('partial');
    expect(job.failed_actions).toEqual([expect.objectContaining({ path: 'secret.txt', code: 'permission-denied' })]);
    expect(job.skipped_actions).toEqual({ 'an earlier action failed: deletions are skipped': 1 });
    expect(stale).toBe('must stay');
    expect(await readFile(join(root, 'dst', 'ok.txt'), 'utf8')).toBe('ok');
  });

  it('a snapshot of an empty source never pushes older snapshots out', async () => {
    await writeTree(join(root, 'src'), FILES);
    const jobs = join(root, 'jobs.yaml');
    await writeFile(jobs, 'version: 1\njobs:\n  s:\n    type: snapshot\n    source: ./src\n    destination: ./snaps\n    retention: { keep_last: 1 }\n');
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    await rm(join(root, 'src'), { recursive: true });
    await mkdir(join(root, 'src'));
    await new Promise((r) => setTimeout(r, 1100));
    const before = await hashes(join(root, 'snaps'));
    const r = await runCli(['run', '-c', jobs]);
    const after = await hashes(join(root, 'snaps'));
    await record({
      suite: 'deletion-guards', scenario: 'snapshot of an empty source', injected: 'source emptied, keep_last: 1',
      outcome: `exit ${r.code}: refused`, lost: Object.keys(before).filter((k) => after[k] !== before[k]).length,
    });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('refusing to let an empty snapshot push 1 older snapshots out of retention');
    expect(after).toEqual(before);
  });
});

describe('deletion guards (MEGA)', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await m.writeJobs(`  up:
    type: mirror
    source: ./src
    destination: mega:/G
  down:
    type: mirror
    source: mega:/G
    destination: ./back
  gone:
    type: mirror
    source: mega:/Nope
    destination: ./back
  empty:
    type: mirror
    source: mega:/Empty
    destination: ./back
`);
    await writeTree(join(m.root, 'src'), FILES);
    expect((await m.cli(['run', 'up'])).code).toBe(0);
    expect((await m.cli(['run', 'down'])).code).toBe(0);
  });
  afterEach(() => m.cleanup());

  const rubbish = () => m.emu.listNodes(EMAIL).f.filter((n) => n.p === m.emu.account(EMAIL)!.roots.rubbish).length;

  it('a MEGA source that does not exist deletes nothing locally', async () => {
    const before = await hashes(join(m.root, 'back'));
    const r = await m.cli(['run', 'gone']);
    const after = await hashes(join(m.root, 'back'));
    await record({ suite: 'deletion-guards', scenario: 'missing MEGA source', injected: 'mega:/Nope', outcome: `exit ${r.code}: the source folder does not exist`, lost: Object.keys(before).filter((k) => after[k] !== before[k]).length });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the source folder does not exist');
    expect(after).toEqual(before);
  });

  it('an empty MEGA source deletes nothing locally', async () => {
    const folder = nodeCrypto.buildFolder(m.masterKey, { n: 'Empty' });
    await m.emu.insertNode(EMAIL, { t: 1, a: folder.a, k: folder.k });
    const before = await hashes(join(m.root, 'back'));
    const r = await m.cli(['run', 'empty']);
    const after = await hashes(join(m.root, 'back'));
    await record({ suite: 'deletion-guards', scenario: 'empty MEGA source', injected: 'mega:/Empty, an empty folder', outcome: `exit ${r.code}: refused`, lost: Object.keys(before).filter((k) => after[k] !== before[k]).length });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('the source is empty but the destination holds 20 files');
    expect(after).toEqual(before);
  });

  it('an empty local source deletes nothing on MEGA; a filter change neither', async () => {
    const before = await megaFolder(m, '/G');
    await rm(join(m.root, 'src'), { recursive: true });
    await mkdir(join(m.root, 'src'));
    const r = await m.cli(['run', 'up']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('the source is empty but the destination holds 20 files');
    await writeTree(join(m.root, 'src'), FILES);
    await writeFile(m.jobs, (await readFile(m.jobs, 'utf8')).replace('destination: mega:/G\n', 'destination: mega:/G\n    exclude: ["**/*.bin"]\n'));
    const filtered = await m.cli(['run', 'up']);
    const after = await megaFolder(m, '/G');
    await record({
      suite: 'deletion-guards', scenario: 'empty source / filter change (MEGA destination)', injected: 'source emptied, then 16 of 20 files excluded',
      outcome: `exit ${r.code} and exit ${filtered.code}: refused`, lost: Object.keys(before.files).filter((k) => after.files[k] !== before.files[k]).length + rubbish(),
    });
    expect(filtered.code).toBe(3);
    expect(filtered.stdout).toContain('more than max_delete_percent');
    expect(after.files).toEqual(before.files);
    expect(rubbish()).toBe(0);
  });

  it('deletions never run after a failed upload', async () => {
    await writeTree(join(m.root, 'src'), { 'docs/new.bin': Buffer.alloc(50_000, 3) });
    await rm(join(m.root, 'src', 'docs/f19.txt'));
    m.emu.faults.add({ target: 'upload', http: 500, times: 1000 });
    const r = await m.cli(['run', 'up']);
    m.emu.faults.clear();
    const after = await megaFolder(m, '/G');
    await record({
      suite: 'deletion-guards', scenario: 'failed copy (MEGA destination)', injected: 'every upload request fails (HTTP 500)',
      outcome: `exit ${r.code}; ${/not done: \d+ \(an earlier action failed: deletions are skipped\)/.exec(r.stdout)?.[0] ?? 'deletions ran'}`,
      lost: (after.files['docs/f19.txt'] ? 0 : 1) + rubbish(),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('not done: 1 (an earlier action failed: deletions are skipped)');
    expect(after.files['docs/f19.txt']).toBeDefined();
    expect(rubbish()).toBe(0);
  });
});
