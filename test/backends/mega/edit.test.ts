/**
 * The account backend's optional methods for the quick commands and adopt, against the emulator:
 * `move` (into another folder, rename, both; refusals), `adoptMtime` (writes `c`, keeps the other
 * attributes, checks the size) and `usage` (the `uq` figures).
 */
import { writeFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintBuffer } from '../../../src/backends/mega/crypto/index.js';
import type { MegaBackend } from '../../../src/backends/mega/index.js';
import { nodeCrypto } from '../../../src/emulator/index.js';
import { tempDir } from '../../helpers/fs-tree.js';
import { EMAIL, megaFixture, put, read, type MegaFixture } from './helpers.js';

describe('mega backend: move, adoptMtime, usage', () => {
  let fx: MegaFixture;
  let b: MegaBackend;
  beforeEach(async () => {
    fx = await megaFixture();
    b = await fx.open('/edit');
    await b.mkdir('');
  });
  afterEach(() => fx.cleanup());

  it('moves into another folder, renames, and does both in one call; nothing is transferred', async () => {
    await b.mkdir('x');
    await b.mkdir('y');
    await put(b, 'x/f.txt', 'content');
    const before = fx.emu.stats.snapshot();
    await b.move('x/f.txt', 'y/f.txt');
    await b.move('y/f.txt', 'y/g ✓.txt');
    await b.move('y/g ✓.txt', 'x/h.txt');
    await b.move('y', 'x/y-moved');
    expect((await b.list()).entries.map((e) => e.path)).toEqual(['x', 'x/h.txt', 'x/y-moved']);
    expect((await read(b, 'x/h.txt')).toString()).toBe('content');
    expect(fx.emu.stats.bytesUploaded).toBe(before.bytesUploaded);
    // A fresh session sees the same tree: the server did it, not only our copy.
    const again = await (await megaFixtureFrom(fx)).list();
    expect(again.entries.map((e) => e.path)).toEqual(['x', 'x/h.txt', 'x/y-moved']);
  });

  it('refuses to overwrite, to move a folder into itself, and to move what is not there', async () => {
    await b.mkdir('d');
    await put(b, 'a', 'a');
    await put(b, 'b', 'b');
    await expect(b.move('a', 'b')).rejects.toMatchObject({ code: 'exists', where: 'b' });
    await expect(b.move('d', 'd/inner')).rejects.toMatchObject({ code: 'usage' });
    await expect(b.move('nope', 'z')).rejects.toMatchObject({ code: 'not-found', where: 'nope' });
    await expect(b.move('a', 'missing/a')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('adoptMtime writes c from the local file with its mtime and keeps the other attributes', async () => {
    const data = Buffer.from('adopt me please');
    const root = (await fx.emu.listNodes(EMAIL)).f.find((n) => n.t === 1)!.h;
    const built = nodeCrypto.buildFile(fx.masterKey, { n: 'other tool.txt', lbl: 2 }, data);
    await fx.emu.insertNode(EMAIL, { parent: root, a: built.a, k: built.k, data: built.data });
    const fresh = await megaFixtureFrom(fx);
    expect(await fresh.stat('other tool.txt')).toMatchObject({ mtimeMs: null });
    expect((await fresh.macProof('other tool.txt'))?.fingerprinted).toBe(false);

    const { path: dir, cleanup } = await tempDir('mm-adopt-');
    try {
      const local = join(dir, 'f');
      await writeFile(local, data);
      const t = new Date('2021-02-03T04:05:06.700Z');
      await utimes(local, t, t);
      await fresh.adoptMtime('other tool.txt', { localPath: local, mtimeMs: t.getTime() });
      expect(await fresh.stat('other tool.txt')).toMatchObject({ mtimeMs: Date.parse('2021-02-03T04:05:06Z') });
      const node = fx.emu.listNodes(EMAIL).f.find((n) => n.s === data.length)!;
      const attrs = nodeCrypto.decryptAttributes(nodeCrypto.unwrapKey(fx.masterKey, node.k.split(':')[1]!), node.a)!;
      expect(attrs).toEqual({ n: 'other tool.txt', lbl: 2, c: fingerprintBuffer(data, Date.parse('2021-02-03T04:05:06Z') / 1000).c });

      await writeFile(local, 'another size');
      await expect(fresh.adoptMtime('other tool.txt', { localPath: local, mtimeMs: t.getTime() })).rejects.toMatchObject({ code: 'size-mismatch' });
    } finally {
      await cleanup();
    }
  });

  it('usage reports the quota, the Rubbish Bin and versions', async () => {
    await put(b, 'f', 'twelve bytes');
    await put(b, 'f', 'now sixteen byte');
    const u = await b.usage();
    expect(u).toMatchObject({ usedBytes: 28, totalBytes: 20 * 1024 ** 3, trashBytes: 12, versionBytes: 0 });
    expect(u.transferUsedBytes).toBe(0);
  });
});

/** A backend on a fresh session of the same account (its own `f`), rooted where `b` is. */
async function megaFixtureFrom(fx: MegaFixture): Promise<MegaBackend> {
  fx.registry.clear();
  return fx.open('/edit');
}
