import { existsSync } from 'node:fs';
import { chmod, chown, readFile, rename, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';
import { schemaValidator } from '../helpers/schemas.js';

let root: string;
let cleanup: () => Promise<void>;
let jobs: string;

async function jobFile(extra = '', name = 'docs'): Promise<string> {
  const path = join(root, 'jobs.yaml');
  await writeFile(path, `version: 1\njobs:\n  ${name}:\n    type: mirror\n    source: ./src\n    destination: ./dst\n${extra}`);
  return path;
}

const sample = {
  'plain.txt': 'hello',
  'with space.md': 'spaced',
  '-leading-dash': 'dash',
  'ünïcode ✓.txt': 'unicode',
  'zero.bin': '',
  'a/b/c/d/e/f/g/deep.txt': 'deep',
  'empty-folder/': null,
  '.dotfile': 'dot',
};

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-e2e-'));
  await writeTree(join(root, 'src'), sample);
  jobs = await jobFile();
});
afterEach(() => cleanup());

describe('mirror through the real CLI', () => {
  it('first run mirrors byte-identically with mtimes, second plan has nothing to do', async () => {
    const r = await runCli(['run', '-c', jobs]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await readTree(join(root, 'dst'))).toEqual(await readTree(join(root, 'src')));
    const p = await runCli(['plan', '-c', jobs]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('0 files to copy (0 B), 0 to delete (0 B), 7 unchanged');
    expect(p.stdout).not.toMatch(/^\s+[+~-] /m);
  });

  it('edits, deletions and renames converge', async () => {
    await runCli(['run', '-c', jobs]);
    const src = join(root, 'src');
    await writeFile(join(src, 'plain.txt'), 'hello, changed');
    await rm(join(src, 'zero.bin'));
    await rename(join(src, 'a'), join(src, 'renamed'));
    await writeFile(join(root, 'dst', 'stray.txt'), 'not in source');
    const plan = await runCli(['plan', '-c', jobs]);
    expect(plan.stdout).toContain('~ plain.txt (size-differs');
    expect(plan.stdout).toContain('- zero.bin (not-in-source)');
    expect(plan.stdout).toContain('+ renamed/b/c/d/e/f/g/deep.txt');
    expect(plan.stdout).toContain('- a/b/c/d/e/f/g/deep.txt (not-in-source)');
    const r = await runCli(['run', '-c', jobs, '--allow-deletes']);
    expect(r.code).toBe(0);
    expect(await readTree(join(root, 'dst'))).toEqual(await readTree(src));
  });

  it('detects a change by mtime alone', async () => {
    await runCli(['run', '-c', jobs]);
    await writeTree(join(root, 'src'), { 'plain.txt': { content: 'hello', mtime: '2025-06-01T00:00:00Z' } });
    const plan = await runCli(['plan', '-c', jobs]);
    expect(plan.stdout).toContain('~ plain.txt (mtime-differs');
  });

  it('--dry-run prints the same plan as plan and changes nothing', async () => {
    const plan = await runCli(['plan', '-c', jobs]);
    const dry = await runCli(['run', '--dry-run', '-c', jobs]);
    expect(dry.code).toBe(0);
    expect(dry.stdout.startsWith(plan.stdout)).toBe(true);
    expect(existsSync(join(root, 'dst'))).toBe(false);
  });

  it('plan --json and run --report/--json validate against the published schemas', async () => {
    const v = schemaValidator();
    const plan = await runCli(['plan', '--json', '-c', jobs]);
    const planJson = JSON.parse(plan.stdout);
    expect(v.plan(planJson)).toEqual([]);
    expect(planJson.jobs[0].summary.copy.files).toBe(7);
    const reportPath = join(root, 'report.json');
    const run = await runCli(['run', '--json', '--report', reportPath, '-c', jobs]);
    const printed = JSON.parse(run.stdout);
    const written = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(written).toEqual(printed);
    expect(v.report(written)).toEqual([]);
    expect(written.jobs[0]).toMatchObject({ name: 'docs', status: 'ok', dry_run: false, done: { copy: { files: 7 } } });
  });

  it('the safety guard refuses a plan that deletes too much, with exit 3, and changes nothing', async () => {
    await writeTree(join(root, 'src'), Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`many/f${i}`, `${i}`])));
    await runCli(['run', '-c', jobs]);
    await rm(join(root, 'src', 'many'), { recursive: true });
    const before = await readTree(join(root, 'dst'));
    const r = await runCli(['run', '-c', jobs]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('max_delete_percent');
    expect(r.stdout).toContain('--allow-deletes');
    expect(await readTree(join(root, 'dst'))).toEqual(before);
    const allowed = await runCli(['run', '-c', jobs, '--allow-deletes']);
    expect(allowed.code).toBe(0);
    expect(existsSync(join(root, 'dst', 'many'))).toBe(false);
  });

  it('an empty source never empties the destination without --allow-deletes', async () => {
    await runCli(['run', '-c', jobs]);
    await rm(join(root, 'src'), { recursive: true });
    await writeTree(join(root, 'src'), { 'x/': null });
    await rm(join(root, 'src', 'x'), { recursive: true });
    const before = await readTree(join(root, 'dst'));
    const r = await runCli(['run', '-c', await jobFile('    safety: { max_delete: null, max_delete_percent: null }\n')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('the source is empty');
    expect(await readTree(join(root, 'dst'))).toEqual(before);
  });

  it('a missing source (an unmounted disk) is an error that deletes nothing', async () => {
    await runCli(['run', '-c', jobs]);
    await rm(join(root, 'src'), { recursive: true });
    const before = await readTree(join(root, 'dst'));
    const r = await runCli(['run', '-c', jobs, '--allow-deletes']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the source folder does not exist');
    expect(r.stdout).toContain('mounted');
    expect(await readTree(join(root, 'dst'))).toEqual(before);
  });

  it('a destination whose parent is missing (an unmounted disk) is not created', async () => {
    const path = join(root, 'jobs.yaml');
    await writeFile(path, 'version: 1\njobs:\n  docs:\n    type: mirror\n    source: ./src\n    destination: ./media/backup/docs\n');
    const r = await runCli(['run', '-c', path]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("the destination's parent folder does not exist");
    expect(existsSync(join(root, 'media'))).toBe(false);
  });

  it('symbolic links are skipped and reported unless follow_symlinks is set; loops are detected', async () => {
    const src = join(root, 'src');
    await symlink('plain.txt', join(src, 'link.txt'));
    await symlink('.', join(src, 'a', 'loop'));
    const plan = await runCli(['plan', '-c', jobs]);
    expect(plan.stdout).toContain('skipped: link.txt (symlink)');
    await runCli(['run', '-c', jobs]);
    expect(existsSync(join(root, 'dst', 'link.txt'))).toBe(false);
    const follow = await jobFile('    follow_symlinks: true\n');
    const p2 = await runCli(['plan', '-c', follow]);
    expect(p2.stdout).toContain('+ link.txt');
    expect(p2.stdout).toContain('a/loop (symlink-loop)');
  });

  it('the same name in NFD at the source and NFC at the destination is one file', async () => {
    const nfd = 'cafe\u0301.txt';
    await writeTree(join(root, 'src'), { [nfd]: 'accent' });
    await writeTree(join(root, 'dst'), { [nfd.normalize('NFC')]: 'accent' });
    const p = await runCli(['plan', '--json', '-c', jobs]);
    const actions = JSON.parse(p.stdout).jobs[0].actions.map((a: { path: string }) => a.path);
    expect(actions).not.toContain('café.txt');
    expect(actions).not.toContain(nfd);
  });

  it('an unreadable source file fails only its own action, deletes are skipped, exit 1', async () => {
    // Root reads everything, so the run itself is made as an unprivileged user.
    const nobody = 65534;
    await runCli(['run', '-c', jobs]);
    await writeFile(join(root, 'dst', 'extra.txt'), 'would be deleted');
    await writeFile(join(root, 'src', 'secret.txt'), 'no access');
    await chmod(join(root, 'src', 'secret.txt'), 0o000);
    await writeFile(join(root, 'src', 'new.txt'), 'new');
    await chown(root, nobody, nobody);
    for (const rel of ['dst', 'src']) await chownTree(join(root, rel), nobody);
    await chown(join(root, 'src', 'secret.txt'), 0, 0);
    await chown(jobs, nobody, nobody);
    const reportPath = join(root, 'report.json');
    const r = await runCli(['run', '-c', jobs, '--report', reportPath], { uid: nobody, gid: nobody, env: { HOME: root, XDG_STATE_HOME: join(root, 'state') } });
    expect(r.code).toBe(1);
    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(report.jobs[0].status).toBe('partial');
    expect(report.jobs[0].failed_actions).toEqual([expect.objectContaining({ path: 'secret.txt', code: 'permission-denied' })]);
    expect(existsSync(join(root, 'dst', 'new.txt'))).toBe(true);
    expect(existsSync(join(root, 'dst', 'extra.txt'))).toBe(true);
    expect(report.jobs[0].skipped_actions).toEqual({ 'an earlier action failed: deletions are skipped': 1 });
  });

  it('SIGINT mid-copy stops, removes temporary files, reports interrupted, exits 130', async () => {
    await truncate(join(root, 'src', 'plain.txt'), 0);
    await writeFile(join(root, 'src', 'big.bin'), '');
    await truncate(join(root, 'src', 'big.bin'), 1536 * 1024 * 1024);
    const reportPath = join(root, 'report.json');
    const child = spawnCli(['run', '-c', jobs, '--report', reportPath]);
    const done = new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    const dst = join(root, 'dst');
    const deadline = Date.now() + 20_000;
    // The big file's partial, not another's: small files' partials exist for microseconds while
    // copies run in parallel, and catching one of those would freeze the child after it.
    while (Date.now() < deadline && !(await hasPartial(dst, 'big.bin'))) await new Promise((r) => setTimeout(r, 5));
    // A sparse source copies at page-cache speed (1.5 GiB in under half a second when the machine
    // is warm): freeze the child where it is, so the interrupt lands mid-copy and not after it.
    child.kill('SIGSTOP');
    expect(await hasPartial(dst, 'big.bin')).toBe(true);
    child.kill('SIGINT');
    child.kill('SIGCONT');
    expect(await done).toBe(130);
    expect(await hasPartial(dst)).toBe(false);
    expect(existsSync(join(dst, 'big.bin'))).toBe(false);
    const report = JSON.parse(await readFile(reportPath, 'utf8'));
    expect(report.status).toBe('interrupted');
    expect(report.jobs[0].status).toBe('interrupted');
  });
});

/** Names only (no hashing): fast enough to poll while a copy runs. `of`: only that file's partial. */
async function hasPartial(dir: string, of?: string): Promise<boolean> {
  const { readdir } = await import('node:fs/promises');
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.some((n) => n.endsWith('.mmpartial') && (of === undefined || n.startsWith(`.${of}.`)));
}

async function chownTree(dir: string, uid: number): Promise<void> {
  await chown(dir, uid, uid);
  const { readdir } = await import('node:fs/promises');
  for (const d of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, d.name);
    if (d.isDirectory()) await chownTree(p, uid);
    else await chown(p, uid, uid);
  }
}
