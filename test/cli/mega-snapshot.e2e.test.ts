/**
 * Snapshot jobs local -> MEGA through the real CLI: the second snapshot of an unchanged tree moves
 * no file content (server-side copies; only the new manifest is uploaded, counted with the
 * emulator's stats), every file of every snapshot downloads intact, and restore from a MEGA
 * snapshot round-trips with mtimes. Pruning removes a whole snapshot in one step.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTree, writeTree } from '../helpers/fs-tree.js';
import { megaCliEnv, type MegaCliEnv } from './mega-env.js';

const nextSecond = () => new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));

function bytes(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
}

describe('snapshot jobs to MEGA through the real CLI', () => {
  let m: MegaCliEnv;
  beforeEach(async () => {
    m = await megaCliEnv();
    await writeTree(join(m.root, 'src'), {
      'doc.txt': 'a document',
      'big.bin': { content: bytes(2 * 1024 * 1024 + 5, 1), mtime: '2022-05-05T05:05:05Z' },
      'dir/boundary.bin': bytes(131072, 2),
      'dir/zero.bin': '',
      'empty/': null,
    });
    await m.writeJobs(`  snap:
    type: snapshot
    source: ./src
    destination: mega:/Snapshots/src
`);
  });
  afterEach(() => m.cleanup());

  it('the second snapshot of an unchanged tree uploads only its manifest; restore round-trips', async () => {
    const first = await m.cli(['run', 'snap']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    await nextSecond();
    const before = m.emu.stats.snapshot();
    const second = await m.cli(['run', 'snap', '--json']);
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout).jobs[0];
    expect(report.snapshot).toMatchObject({ complete: true, bytes_transferred: 0 });
    // One upload: the manifest. No file content moved (the copies are server-side `p` commands).
    const uploads = m.emu.stats.uploads - before.uploads;
    const uploaded = m.emu.stats.bytesUploaded - before.bytesUploaded;
    expect(uploads).toBe(1);
    expect(uploaded).toBeLessThan(2048);
    expect(m.emu.stats.bytesDownloaded - before.bytesDownloaded).toBeLessThan(4096);

    const list = JSON.parse((await m.cli(['snapshots', 'snap', '--json'])).stdout);
    const ids: string[] = list.snapshots.map((s: { id: string }) => s.id);
    expect(list.snapshots.map((s: { complete: boolean; files: number }) => [s.complete, s.files])).toEqual([[true, 4], [true, 4]]);
    const src = await readTree(join(m.root, 'src'));
    for (const id of ids) {
      const to = join(m.root, `restored-${id}`);
      const r = await m.cli(['restore', 'snap', '--snapshot', id, '--to', to]);
      expect(r.code).toBe(0);
      expect(await readTree(to)).toEqual(src);
    }
  });

  it('a changed file is uploaded, the rest reused; prune removes a snapshot in one step', async () => {
    await m.cli(['run', 'snap']);
    await nextSecond();
    await writeTree(join(m.root, 'src'), { 'doc.txt': { content: 'a document, edited', mtime: '2025-01-01T00:00:00Z' } });
    const before = m.emu.stats.snapshot();
    expect((await m.cli(['run', 'snap'])).code).toBe(0);
    expect(m.emu.stats.uploads - before.uploads).toBe(2);
    const restored = join(m.root, 'latest');
    expect((await m.cli(['restore', 'snap', '--to', restored])).code).toBe(0);
    expect(await readTree(restored)).toEqual(await readTree(join(m.root, 'src')));
    const d = m.emu.stats.commands.d ?? 0;
    const mv = m.emu.stats.commands.m ?? 0;
    await m.writeJobs(`  snap:
    type: snapshot
    source: ./src
    destination: mega:/Snapshots/src
    retention: { keep_last: 1 }
`);
    expect((await m.cli(['prune'])).code).toBe(0);
    expect((m.emu.stats.commands.m ?? 0) - mv + (m.emu.stats.commands.d ?? 0) - d).toBe(1);
    const list = JSON.parse((await m.cli(['snapshots', 'snap', '--json'])).stdout);
    expect(list.snapshots).toHaveLength(1);
  });
});
