/**
 * `megamirror sync SOURCE DESTINATION`: an ad-hoc mirror through the same engine as `run`, through
 * the real CLI against the emulator: --dry-run prints the plan and changes nothing, runs upload,
 * delete and download, the deletion guards apply (exit 3), nested endpoints are refused (exit 2).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree, writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, type MegaCliEnv } from './mega-env.js';

describe('sync (real CLI, emulator)', () => {
  let m: MegaCliEnv;
  beforeAll(async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), { 'a.txt': 'alpha', 'sub dir/b ✓.txt': 'beta', 'sub dir/c.txt': 'gamma' });
    await m.writeJobs('  unrelated:\n    type: mirror\n    source: ./x\n    destination: ./y\n');
  });
  afterAll(() => m.cleanup());

  it('--dry-run prints the plan and uploads nothing; a run uploads; a second run has nothing to do', async () => {
    const dry = await m.cli(['sync', './src', 'mega:/Synced', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+ sub dir/b ✓.txt');
    expect(m.emu.stats.uploads).toBe(0);
    const run = await m.cli(['sync', './src', 'mega:/Synced']);
    expect(run.stdout).toContain('sync: ok: copied 3 files');
    expect(run.code).toBe(0);
    expect(m.emu.stats.uploads).toBe(3);
    expect((await m.cli(['sync', './src', 'mega:/Synced'])).stdout).toContain('copied 0 files (0 B), deleted 0, 3 unchanged');
  });

  it('deletes what the source lost, downloads back identically, and keeps the guards', async () => {
    await rm(join(m.root, 'src', 'a.txt'));
    expect((await m.cli(['sync', './src', 'mega:/Synced'])).stdout).toContain('deleted 1');
    const down = await m.cli(['sync', 'mega:/Synced', './back']);
    expect(down.code).toBe(0);
    expect(await readTree(join(m.root, 'back'))).toEqual(await readTree(join(m.root, 'src')));

    await rm(join(m.root, 'src'), { recursive: true });
    await writeTree(join(m.root, 'src'), { 'empty/': null });
    const refused = await m.cli(['sync', './src', 'mega:/Synced']);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('refused');

    const nested = await m.cli(['sync', './back', './back/inner']);
    expect(nested.code).toBe(2);
    expect(nested.stderr).toContain('one of the folders lies inside the other');
  });
});
