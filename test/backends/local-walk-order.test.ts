/**
 * The local walk emits entries already in `comparePaths` order (sorted per folder, joined folder
 * by folder) instead of sorting the whole listing: the planner and the snapshot manifest rely on
 * that order, so check it on names that sort differently as paths than as plain strings.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walk } from '../../src/backends/local/walk.js';
import { walkAnywhere } from '../../src/backends/local/walk-thread.js';
import { comparePaths } from '../../src/core/paths.js';
import { tempDir } from '../helpers/fs-tree.js';

const NAMES = ['a', 'a-b', 'a.txt', 'a!', 'A', 'B', 'b', 'ab', 'a b', '~', 'z', 'é', 'e\u0301x', '\u{1F600}', '\uFF21', '0', '_', 'a0'];

describe('local walk order', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ path: root, cleanup } = await tempDir()));
  afterEach(() => cleanup());

  it('is comparePaths order for folders and files with prefix, punctuation, case and non-ASCII names', async () => {
    // Every name as a folder holding every name as a file, and as a file next to those folders
    // under another suffix, two levels down.
    for (const d of NAMES) {
      for (const sub of ['', `/${NAMES[(d.length * 7) % NAMES.length]}`]) {
        await mkdir(join(root, 'top', d + sub), { recursive: true });
        for (const f of NAMES) await writeFile(join(root, 'top', d + sub, `${f}.f`), f);
      }
      await writeFile(join(root, 'top', `${d}-file`), d);
    }
    // Folders of ASCII names only (listed in the native helper's byte order, not sorted again).
    for (const d of NAMES.filter((n) => /^[\x00-\x7f]*$/.test(n))) {
      await mkdir(join(root, 'ascii', d), { recursive: true });
      for (const f of NAMES.filter((n) => /^[\x00-\x7f]*$/.test(n))) await writeFile(join(root, 'ascii', d, f), f);
    }
    for (const list of [await walk({ root, followSymlinks: false }), await walkAnywhere({ root, followSymlinks: false, selection: { include: [], exclude: [] } })]) {
      const paths = list.entries.map((e) => e.path);
      expect(paths.length).toBeGreaterThan(NAMES.length * NAMES.length);
      expect(paths).toEqual([...paths].sort(comparePaths));
      expect(new Set(paths).size).toBe(paths.length);
    }
  });

  it('is the same on the walker thread, handed over slice by slice, as on this thread: entries, skipped, warnings, disk names', async () => {
    // More folders than one slice holds (16), empty ones, an NFD name, a leftover partial file.
    for (let i = 0; i < 40; i++) {
      await mkdir(join(root, `d${i % 7}`, `s${i}`), { recursive: true });
      for (let f = 0; f < i % 5; f++) await writeFile(join(root, `d${i % 7}`, `s${i}`, `f${f}`), 'x'.repeat(f));
    }
    await mkdir(join(root, 'e\u0301t\u0301e\u0301'), { recursive: true });
    await writeFile(join(root, 'e\u0301t\u0301e\u0301', 'n'), 'nfd');
    await writeFile(join(root, 'd1', '.f.txt.0123abcd.mmpartial'), 'partial');
    const here = await walk({ root, followSymlinks: false });
    const there = await walkAnywhere({ root, followSymlinks: false, selection: { include: [], exclude: [] } });
    expect(here.entries.length).toBeGreaterThan(60);
    expect(there.entries).toEqual(here.entries);
    expect(there.skipped).toEqual(here.skipped);
    expect(there.skipped.map((k) => k.reason)).toContain('partial');
    expect(there.warnings).toEqual(here.warnings);
    expect([...there.diskNames]).toEqual([...here.diskNames]);
    expect(there.diskNames.size).toBeGreaterThan(0);

    const empty = join(root, 'd0', 's0');
    const none = await walkAnywhere({ root: empty, followSymlinks: false, selection: { include: [], exclude: [] } });
    expect(none.entries).toEqual([]);
  });
});
