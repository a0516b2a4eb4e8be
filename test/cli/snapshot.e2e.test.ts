import { existsSync } from 'node:fs';
import { readFile, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../helpers/cli.js';
import { readTree, tempDir, writeTree } from '../helpers/fs-tree.js';
import { schemaValidator } from '../helpers/schemas.js';

let root: string;
let cleanup: () => Promise<void>;
let jobs: string;
const MANIFEST = '.megamirror-manifest.json';

async function jobFile(extra = ''): Promise<string> {
  const path = join(root, 'jobs.yaml');
  await writeFile(path, `version: 1\njobs:\n  snap:\n    type: snapshot\n    source: ./src\n    destination: ./snaps\n${extra}`);
  return path;
}

/** Snapshot ids are whole seconds: let the clock move on between runs. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));
const snapshotIds = async () => (await readdir(join(root, 'snaps'))).sort();

async function snapshotTree(id: string) {
  const t = await readTree(join(root, 'snaps', id));
  delete t[MANIFEST];
  return t;
}

beforeEach(async () => {
  ({ path: root, cleanup } = await tempDir('mm-snap-'));
  await writeTree(join(root, 'src'), { 'same.txt': 'unchanged', 'dir/changed.txt': 'v1', 'gone.txt': 'bye', 'empty/': null });
  jobs = await jobFile();
});
afterEach(() => cleanup());

describe('snapshot jobs through the real CLI', () => {
  it('each snapshot is a complete copy; unchanged files are hard links, changed ones copies', async () => {
    expect((await runCli(['run', '-c', jobs])).code).toBe(0);
    const first = await readTree(join(root, 'src'));
    await nextSecond();
    await writeTree(join(root, 'src'), { 'dir/changed.txt': { content: 'v2!', mtime: '2025-01-01T00:00:00Z' } });
    const { rm } = await import('node:fs/promises');
    await rm(join(root, 'src', 'gone.txt'));
    const r = await runCli(['run', '-c', jobs, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(schemaValidator().report(report)).toEqual([]);
    expect(report.jobs[0].snapshot).toMatchObject({ complete: true, bytes_transferred: 3, bytes_reused: 9 });
    const [a, b] = await snapshotIds();
    expect(await snapshotTree(a!)).toEqual(first);
    expect(await snapshotTree(b!)).toEqual(await readTree(join(root, 'src')));
    const ino = async (id: string, p: string) => (await stat(join(root, 'snaps', id, p))).ino;
    expect(await ino(b!, 'same.txt')).toBe(await ino(a!, 'same.txt'));
    expect(await ino(b!, 'dir/changed.txt')).not.toBe(await ino(a!, 'dir/changed.txt'));
  });

  it('lists snapshots, prunes by retention, and never counts the newest out', async () => {
    for (let i = 0; i < 3; i++) {
      await runCli(['run', '-c', jobs]);
      await nextSecond();
    }
    const keep2 = await jobFile('    retention: { keep_last: 2 }\n');
    const list = JSON.parse((await runCli(['snapshots', 'snap', '--json', '-c', keep2])).stdout);
    expect(list.snapshots.map((s: { complete: boolean; files: number }) => [s.complete, s.files])).toEqual([[true, 3], [true, 3], [true, 3]]);
    const dry = await runCli(['prune', '--dry-run', '-c', keep2]);
    expect(dry.stdout.match(/^ {2}remove /gm)).toHaveLength(1);
    expect(await snapshotIds()).toHaveLength(3);
    const ids = await snapshotIds();
    expect((await runCli(['prune', '-c', keep2])).code).toBe(0);
    expect(await snapshotIds()).toEqual(ids.slice(1));
  });

  it('a snapshot killed mid-run is incomplete, ignored by retention, and handled by the next run', async () => {
    await writeFile(join(root, 'src', 'big.bin'), '');
    await truncate(join(root, 'src', 'big.bin'), 1536 * 1024 * 1024);
    const child = spawnCli(['run', '-c', jobs]);
    const closed = new Promise((res) => child.on('close', res));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !(await hasPartial(join(root, 'snaps')))) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await closed;
    const [killed] = await snapshotIds();
    expect(existsSync(join(root, 'snaps', killed!, MANIFEST))).toBe(false);
    const list = JSON.parse((await runCli(['snapshots', 'snap', '--json', '-c', jobs])).stdout);
    expect(list.snapshots).toEqual([expect.objectContaining({ id: killed, complete: false })]);
    const prune = await runCli(['prune', '--dry-run', '-c', await jobFile('    retention: { keep_last: 1 }\n')]);
    expect(prune.stdout).toContain(`skip    ${killed}  (incomplete`);

    await truncate(join(root, 'src', 'big.bin'), 1024);
    await nextSecond();
    const r = await runCli(['run', '-c', jobs, '--json']);
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.stdout).jobs[0].snapshot;
    expect(snap.incomplete).toEqual([expect.objectContaining({ id: killed, outcome: 'removed' })]);
    const ids = await snapshotIds();
    expect(ids).toHaveLength(1);
    expect(await snapshotTree(ids[0]!)).toEqual(await readTree(join(root, 'src')));
    expect(await hasPartial(join(root, 'snaps'))).toBe(false);
  });

  it('restores byte-identically with mtimes; --dry-run changes nothing; differing files are not overwritten', async () => {
    await runCli(['run', '-c', jobs]);
    const target = join(root, 'restored');
    const dry = await runCli(['restore', 'snap', '--to', target, '--dry-run', '-c', jobs]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ same.txt');
    expect(existsSync(target)).toBe(false);
    expect((await runCli(['restore', 'snap', '--to', target, '-c', jobs])).code).toBe(0);
    expect(await readTree(target)).toEqual(await readTree(join(root, 'src')));

    await writeFile(join(target, 'same.txt'), 'my newer work');
    const r = await runCli(['restore', 'snap', '--snapshot', 'latest', '--to', target, '-c', jobs]);
    expect(r.stdout).toContain('same.txt: differs in the target');
    expect(await readFile(join(target, 'same.txt'), 'utf8')).toBe('my newer work');
    await runCli(['restore', 'snap', '--to', target, '--overwrite', '-c', jobs]);
    expect(await readFile(join(target, 'same.txt'), 'utf8')).toBe('unchanged');
  });

  it('restores only what --include selects, from a named snapshot', async () => {
    await runCli(['run', '-c', jobs]);
    const [id] = await snapshotIds();
    const target = join(root, 'partial');
    expect((await runCli(['restore', 'snap', '--snapshot', id!, '--include', 'dir/**', '--to', target, '-c', jobs])).code).toBe(0);
    expect(Object.keys(await readTree(target)).sort()).toEqual(['dir', 'dir/changed.txt']);
    const bad = await runCli(['restore', 'snap', '--snapshot', 'nope', '--to', target, '-c', jobs]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('no snapshot "nope"');
  });

  it('an empty source cannot push complete snapshots out of retention', async () => {
    const keep1 = await jobFile('    retention: { keep_last: 1 }\n');
    await runCli(['run', '-c', keep1]);
    const { rm, mkdir } = await import('node:fs/promises');
    await rm(join(root, 'src'), { recursive: true });
    await mkdir(join(root, 'src'));
    await nextSecond();
    const r = await runCli(['run', '-c', keep1]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('the source is empty');
    expect(await snapshotIds()).toHaveLength(1);
  });
});

async function hasPartial(dir: string): Promise<boolean> {
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return names.some((n) => n.endsWith('.mmpartial'));
}
