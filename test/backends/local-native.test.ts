/**
 * The native helpers (native/*.c) against node:fs on the same real files: a folder listing must
 * say what readdir + lstat say, a copy must give the bytes and mtime fs would, refuse what fs
 * refuses and leave nothing behind when it fails. CI builds them (MEGAMIRROR_REQUIRE_NATIVE=1);
 * elsewhere, without a compiler, the suite is skipped and the fs paths serve.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NATIVE_KIND, copyFilesArgs, nativeCopyError, nativeHelpers, setNativeEnabled, type NativeCopyItem } from '../../src/native.js';
import { walk } from '../../src/backends/local/walk.js';
import { fromSystemError } from '../../src/errors.js';
import { tempDir } from '../helpers/fs-tree.js';
import { pattern as patternBytes } from '../helpers/pattern.js';

const native = nativeHelpers();

describe('native helpers', () => {
  // Only where the install had to build them (CI): elsewhere their absence is allowed.
  it.runIf(process.env.MEGAMIRROR_REQUIRE_NATIVE === '1')('are built and loaded where the install required them', () => {
    expect(native).not.toBeNull();
    expect(typeof native!.cbcDecryptMany).toBe('function');
  });
});

describe.skipIf(native === null)('native listFolder and copyFile', () => {
  const n = native!;
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-native-')));
  afterEach(() => cleanup());

  it('lists what readdir and lstat see: files with size and floored mtime, folders, links, others', async () => {
    const names = ['plain.txt', 'empty', 'e\u0301-nfd', 'new\nline', ' lead', '\u{1F600}.bin'];
    names.forEach((name, i) => {
      writeFileSync(join(root, name), patternBytes(i * 1000, i));
      utimesSync(join(root, name), 1_700_000_000.1239, 1_600_000_000 + i + 0.9876);
    });
    utimesSync(join(root, 'empty'), 0, new Date(-12_345)); // before 1970
    await mkdir(join(root, 'sub'));
    symlinkSync('plain.txt', join(root, 'link'));
    symlinkSync('nowhere', join(root, 'dangling'));
    execFileSync('mkfifo', [join(root, 'fifo')]);

    const l = n.listFolder(root);
    if (typeof l === 'number') throw new Error(`errno ${l}`);
    const listed = l.names.split('\0');
    expect([...listed].sort()).toEqual(readdirSync(root).sort());
    listed.forEach((name, i) => {
      const s = lstatSync(join(root, name));
      const kind = s.isFile() ? NATIVE_KIND.file : s.isDirectory() ? NATIVE_KIND.dir : s.isSymbolicLink() ? NATIVE_KIND.link : NATIVE_KIND.other;
      expect([name, l.kinds[i]]).toEqual([name, kind]);
      if (kind === NATIVE_KIND.file) {
        expect([name, l.sizes[i], l.mtimes[i]]).toEqual([name, s.size, Math.floor(s.mtimeMs)]);
      }
    });
    expect(l.mtimes[listed.indexOf('empty')]).toBe(-12_345);
    // In readdir's order as Node gives it (sorted by bytes): skipped entries list alike either way.
    expect(listed).toEqual(readdirSync(root));
    expect(l.ascii).toBe(false);
    await mkdir(join(root, 'sub', 'plain'));
    const plain = n.listFolder(join(root, 'sub'));
    expect(typeof plain !== 'number' && plain.ascii).toBe(true);
  });

  it('an empty folder lists nothing; a missing folder or a file gives its errno', async () => {
    await mkdir(join(root, 'none'));
    expect(n.listFolder(join(root, 'none'))).toEqual({ names: '', kinds: new Uint8Array(0), sizes: new Float64Array(0), mtimes: new Float64Array(0), ascii: true });
    writeFileSync(join(root, 'f'), 'x');
    expect(n.listFolder(join(root, 'missing'))).toBe(2); // ENOENT
    expect(n.listFolder(join(root, 'f'))).toBe(20); // ENOTDIR
  });

  it('walks a tree to the same listing with and without the helpers', async () => {
    for (let d = 0; d < 5; d++) {
      await mkdir(join(root, `d${d}`, 'x'), { recursive: true });
      for (let f = 0; f < 7; f++) writeFileSync(join(root, `d${d}`, f % 2 ? `f${f}` : `x/f${f}`), patternBytes(f * 97 + d, f));
    }
    writeFileSync(join(root, '.keep.0a1b2c3d.mmpartial'), 'leftover');
    writeFileSync(join(root, 'e\u0301'), 'nfd name');
    // ASCII names below an NFD-named folder: their paths on disk differ from their NFC paths.
    await mkdir(join(root, 'cafe\u0301', 'in'), { recursive: true });
    writeFileSync(join(root, 'cafe\u0301', 'in', 'a.txt'), 'a');
    symlinkSync('d0', join(root, 'to-d0'));
    execFileSync('mkfifo', [join(root, 'fifo')]);
    for (const followSymlinks of [false, true]) {
      const withNative = await walk({ root, followSymlinks });
      setNativeEnabled(false);
      try {
        expect(nativeHelpers()).toBeNull();
        const withFs = await walk({ root, followSymlinks });
        expect(withNative).toEqual(withFs);
        expect(withFs.diskNames.get('caf\u00e9/in/a.txt')).toBe('cafe\u0301/in/a.txt');
        expect(withFs.entries.length).toBeGreaterThan(40);
      } finally {
        setNativeEnabled(true);
      }
    }
  });

  it('copies bytes and the exact mtime into a new file, small and large', async () => {
    for (const [size, mtimeMs] of [[0, 1_600_000_000_123], [5000, -1501], [3 * 1024 * 1024 + 17, 1_234_567]] as const) {
      const src = join(root, `src-${size}`);
      const dst = join(root, `dst-${size}`);
      writeFileSync(src, patternBytes(size, 7));
      const state = new Float64Array(2);
      expect(await n.copyFile(src, dst, size, mtimeMs, state)).toBe(size);
      expect(readFileSync(dst).equals(readFileSync(src))).toBe(true);
      expect(Math.floor(statSync(dst).mtimeMs)).toBe(mtimeMs);
      expect(state[1]).toBe(size);
    }
    // null leaves the mtime alone (now).
    await n.copyFile(join(root, 'src-0'), join(root, 'now'), 0, null);
    expect(Math.abs(statSync(join(root, 'now')).mtimeMs - Date.now())).toBeLessThan(60_000);
  });

  it('reads at most the planned size + 1 and stops at the end of a file that shrank', async () => {
    const src = join(root, 'src');
    writeFileSync(src, patternBytes(2 * 1024 * 1024, 3));
    expect(await n.copyFile(src, join(root, 'grown-small'), 10, null)).toBe(11);
    expect(await n.copyFile(src, join(root, 'grown-big'), 1024 * 1024 + 5, null)).toBe(1024 * 1024 + 6);
    truncateSync(src, 1000);
    expect(await n.copyFile(src, join(root, 'shrunk'), 2 * 1024 * 1024, null)).toBe(1000);
    expect(statSync(join(root, 'shrunk')).size).toBe(1000);
  });

  it('never overwrites, and a failure leaves no new file; errors read like fs errors', async () => {
    writeFileSync(join(root, 'src'), 'new');
    writeFileSync(join(root, 'dst'), 'old');
    const exists = await n.copyFile(join(root, 'src'), join(root, 'dst'), 3, null).catch((f: unknown) => nativeCopyError(f, join(root, 'src'), join(root, 'dst')));
    expect(fromSystemError(exists, 'dst')).toMatchObject({ code: 'exists' });
    expect(exists).toMatchObject({ code: 'EEXIST', syscall: 'open', path: join(root, 'dst') });
    expect(readFileSync(join(root, 'dst'), 'utf8')).toBe('old');

    const missing = await n.copyFile(join(root, 'nope'), join(root, 'out'), 3, null).catch((f: unknown) => nativeCopyError(f, join(root, 'nope'), join(root, 'out')));
    expect(fromSystemError(missing, 'nope')).toMatchObject({ code: 'not-found' });
    expect(existsSync(join(root, 'out'))).toBe(false);

    const noFolder = await n.copyFile(join(root, 'src'), join(root, 'no', 'out'), 3, null).catch((f: unknown) => f);
    expect(noFolder).toMatchObject({ errno: 2, target: true });
  });

  it('commits a whole copy to its final name in the same job, after checking the source', async () => {
    const src = join(root, 'src');
    writeFileSync(src, patternBytes(3000, 5));
    utimesSync(src, 1_600_000_000, new Date(1_600_000_000_123));
    const mtime = Math.floor(statSync(src).mtimeMs);
    writeFileSync(join(root, 'final'), 'old content');
    expect(await n.copyFile(src, join(root, 'partial'), 3000, mtime, undefined, join(root, 'final'), true)).toBe(3000);
    expect(readFileSync(join(root, 'final')).equals(readFileSync(src))).toBe(true);
    expect(existsSync(join(root, 'partial'))).toBe(false);

    // The plan saw another mtime: nothing is committed, nothing is left.
    const changed = await n.copyFile(src, join(root, 'p2'), 3000, mtime - 1000, undefined, join(root, 'f2'), true).then(() => null, (f: unknown) => nativeCopyError(f, src, join(root, 'p2'), 'f2'));
    expect(changed).toMatchObject({ code: 'source-changed', where: 'f2' });
    expect([existsSync(join(root, 'p2')), existsSync(join(root, 'f2'))]).toEqual([false, false]);

    // Another length than planned: not committed, removed, the count tells the caller.
    expect(await n.copyFile(src, join(root, 'p3'), 2000, mtime, undefined, join(root, 'f3'), true)).toBe(2001);
    expect([existsSync(join(root, 'p3')), existsSync(join(root, 'f3'))]).toEqual([false, false]);

    // A final name that is a folder: the rename fails on the target, the partial file goes.
    await mkdir(join(root, 'dir'));
    const onDir = await n.copyFile(src, join(root, 'p4'), 3000, mtime, undefined, join(root, 'dir'), false).catch((f: unknown) => f);
    expect(onDir).toMatchObject({ syscall: 'rename', target: true });
    expect(existsSync(join(root, 'p4'))).toBe(false);
  });

  it('stops when cancelled and removes the new file', async () => {
    const src = join(root, 'big');
    writeFileSync(src, patternBytes(20 * 1024 * 1024, 1));
    const state = new Float64Array([1, 0]);
    const err = await n.copyFile(src, join(root, 'out'), 20 * 1024 * 1024, 0, state).then(() => null, (f: unknown) => nativeCopyError(f, src, join(root, 'out')));
    expect(err).toMatchObject({ code: 'ECANCELED' });
    expect(existsSync(join(root, 'out'))).toBe(false);
  });

  it('copies a group in one job, each item with its own result, and leaves nothing of the failed ones', async () => {
    const src = (i: number) => join(root, `s${i}`);
    for (let i = 0; i < 4; i++) {
      writeFileSync(src(i), patternBytes(i * 700, i));
      utimesSync(src(i), 1_600_000_000, new Date(1_600_000_000_000 + i * 1001));
    }
    writeFileSync(join(root, 'taken'), 'x');
    const mtime = (i: number) => Math.floor(statSync(src(i)).mtimeMs);
    const item = (i: number, over: Partial<NativeCopyItem> = {}): NativeCopyItem => ({
      src: src(i), dst: join(root, `p${i}`), limit: i * 700, mtimeMs: mtime(i), final: join(root, `f${i}`), checkSource: true, ...over,
    });
    const items = [
      item(0), // empty file
      item(1),
      item(2, { mtimeMs: 1 }), // the plan saw another mtime
      item(3, { dst: join(root, 'taken') }), // the partial name exists
      item(1, { src: join(root, 'nope'), dst: join(root, 'p5'), final: join(root, 'f5') }),
      item(3, { dst: join(root, 'p6'), final: null, mtimeMs: null, checkSource: false }), // copy only
      item(2, { dst: join(root, 'p7'), final: join(root, 'f7'), limit: 1000 }), // grew since the plan
    ];
    const results = await n.copyFiles(...copyFilesArgs(items));
    expect(results.slice(0, 2)).toEqual([0, 700]);
    expect(nativeCopyError(results[2], src(2), join(root, 'p2'), 'f2')).toMatchObject({ code: 'source-changed', where: 'f2' });
    expect(results[3]).toMatchObject({ errno: 17, syscall: 'open', target: true });
    expect(results[4]).toMatchObject({ errno: 2, syscall: 'open', target: false });
    expect(results.slice(5)).toEqual([2100, 1001]);
    for (const i of [0, 1]) {
      expect(readFileSync(join(root, `f${i}`)).equals(readFileSync(src(i)))).toBe(true);
      expect(Math.floor(statSync(join(root, `f${i}`)).mtimeMs)).toBe(mtime(i));
    }
    expect(readFileSync(join(root, 'p6')).equals(readFileSync(src(3)))).toBe(true);
    expect(readFileSync(join(root, 'taken'), 'utf8')).toBe('x');
    expect(readdirSync(root).sort()).toEqual(['f0', 'f1', 'p6', 's0', 's1', 's2', 's3', 'taken']);
  });

  it('copies a group of none, and refuses malformed group arguments with a TypeError or RangeError', async () => {
    expect(await n.copyFiles('', new Float64Array(0), new Uint8Array(0))).toEqual([]);
    expect(() => n.copyFiles('a\0b\0', new Float64Array(2), new Uint8Array(1))).toThrow(TypeError); // no final slot
    expect(() => n.copyFiles('a\0b\0\0', new Float64Array(1), new Uint8Array(1))).toThrow(TypeError);
    expect(() => n.copyFiles('a\0b\0\0', new Float64Array([-1, 0]), new Uint8Array(1))).toThrow(RangeError);
    expect(() => n.copyFiles('a\0b\0\0', new Float64Array([1, Infinity]), new Uint8Array(1))).toThrow(RangeError);
    expect(() => (n.copyFiles as unknown as (a: string) => unknown)('')).toThrow(TypeError);
    expect(() => n.copyFiles('a\0b\0\0extra\0', new Float64Array(2), new Uint8Array(1))).toThrow(TypeError);
    const item: NativeCopyItem = { src: 'a', dst: 'b', limit: 1, mtimeMs: Number.NaN, final: null, checkSource: false };
    expect(() => copyFilesArgs([item])).toThrow(RangeError); // NaN would mean "leave the mtime"
    expect(() => copyFilesArgs([{ ...item, mtimeMs: null, src: 'a\0b' }])).toThrow(TypeError);
  });

  it('rejects bad arguments with a TypeError or RangeError, not a crash', () => {
    expect(() => n.copyFile(join(root, 'a'), join(root, 'b'), -1, null)).toThrow(RangeError);
    expect(() => n.copyFile(join(root, 'a'), join(root, 'b'), 1, Number.NaN)).toThrow(RangeError);
    expect(() => n.copyFile(join(root, 'a'), join(root, 'b'), 1, null, new Float64Array(1))).toThrow(TypeError);
    expect(() => (n.listFolder as unknown as () => unknown)()).toThrow(TypeError);
  });
});
