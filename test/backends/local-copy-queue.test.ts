/**
 * The local backend's copy queue on real files through the real native helpers: small files go
 * in groups, large ones alone, never more jobs at once than asked, every copy whole and in its
 * place, and copies still waiting when the run is interrupted never start.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CopyQueue, GROUP_BELOW, GROUP_FILES } from '../../src/backends/local/copy-queue.js';
import { nativeHelpers, type NativeHelpers } from '../../src/native.js';
import { tempDir } from '../helpers/fs-tree.js';
import { pattern } from '../helpers/pattern.js';

const native = nativeHelpers();

/** The real helpers, with the jobs they run counted (an observer: every call goes through). */
function observed(n: NativeHelpers) {
  const seen = { groups: [] as number[], singles: 0, running: 0, maxRunning: 0 };
  const track = <T>(p: Promise<T>) => {
    seen.running++;
    seen.maxRunning = Math.max(seen.maxRunning, seen.running);
    return p.finally(() => seen.running--);
  };
  const helpers: NativeHelpers = {
    ...n,
    listFolder: n.listFolder,
    copyFile: (...args) => {
      seen.singles++;
      return track(n.copyFile(...args));
    },
    copyFiles: (paths, numbers, checks) => {
      seen.groups.push(checks.length);
      return track(n.copyFiles(paths, numbers, checks));
    },
  };
  return { helpers, seen };
}

describe.skipIf(native === null)('local copy queue', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ path: root, cleanup } = await tempDir('mm-queue-')));
  afterEach(() => cleanup());

  const source = (name: string, size: number, seed: number) => {
    const path = join(root, name);
    writeFileSync(path, pattern(size, seed));
    return { path, size, mtimeMs: Math.floor(statSync(path).mtimeMs) };
  };

  it('groups small files, copies large ones alone, runs at most `parallel` jobs, and every copy lands whole', async () => {
    const { helpers, seen } = observed(native!);
    const q = new CopyQueue(helpers, 2);
    const files = [
      ...Array.from({ length: 150 }, (_, i) => source(`s${i}`, (i * 37) % 5000, i)),
      source('big1', GROUP_BELOW, 1),
      source('big2', 3 * GROUP_BELOW + 5, 2),
    ];
    const copied = await Promise.all(files.map((f, i) => q.copy(f.path, { partial: join(root, `.p${i}`), final: join(root, `d${i}`), checkSource: true, where: `d${i}` }, { size: f.size, mtimeMs: f.mtimeMs })));
    expect(copied).toEqual(files.map((f) => f.size));
    files.forEach((f, i) => {
      expect(readFileSync(join(root, `d${i}`)).equals(readFileSync(f.path))).toBe(true);
      expect(Math.floor(statSync(join(root, `d${i}`)).mtimeMs)).toBe(f.mtimeMs);
    });
    expect(readdirSync(root).filter((n) => n.startsWith('.p'))).toEqual([]);
    expect(seen.singles).toBe(2);
    expect(seen.groups.reduce((a, b) => a + b, 0)).toBe(150);
    expect(Math.max(...seen.groups)).toBeLessThanOrEqual(GROUP_FILES);
    expect(seen.groups.length).toBeLessThan(150 / 4); // grouped, not one job per file
    expect(seen.maxRunning).toBeLessThanOrEqual(2);
  });

  it('reports a failed copy as the fs error for that file only', async () => {
    const q = new CopyQueue(native!, 1);
    const ok = source('ok', 10, 1);
    const [good, missing] = await Promise.allSettled([
      q.copy(ok.path, { partial: join(root, '.p1'), final: join(root, 'd1'), checkSource: true, where: 'd1' }, { size: 10, mtimeMs: ok.mtimeMs }),
      q.copy(join(root, 'nope'), { partial: join(root, '.p2'), final: join(root, 'd2'), checkSource: true, where: 'd2' }, { size: 10, mtimeMs: ok.mtimeMs }),
    ]);
    expect(good).toEqual({ status: 'fulfilled', value: 10 });
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 'ENOENT', syscall: 'open' } });
    expect(existsSync(join(root, '.p2'))).toBe(false);
  });

  it('keeps going when a group is refused before it starts or a caller\'s progress callback throws', async () => {
    const q = new CopyQueue(native!, 1);
    const ok = source('ok', 10, 1);
    const target = (i: number) => ({ partial: join(root, `.p${i}`), final: join(root, `d${i}`), checkSource: true, where: `d${i}` });
    const meta = { size: 10, mtimeMs: ok.mtimeMs };
    // A NUL in a path: copyFilesArgs refuses the group synchronously.
    const refused = await q.copy(`${ok.path}\0x`, target(1), meta).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    const results = await Promise.allSettled([
      q.copy(ok.path, target(2), meta, undefined, () => {
        throw new Error('progress callback failed');
      }),
      q.copy(ok.path, target(3), meta),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: 'progress callback failed' } });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 10 });
    expect(await q.copy(ok.path, target(4), meta)).toBe(10); // nothing stalled
  });

  it('never starts copies still waiting when their signal aborts', async () => {
    const { helpers, seen } = observed(native!);
    const q = new CopyQueue(helpers, 1);
    const big = source('big', 16 * 1024 * 1024, 3);
    const small = source('small', 100, 4);
    const ac = new AbortController();
    const first = q.copy(big.path, { partial: join(root, '.big'), final: join(root, 'big-out'), checkSource: true, where: 'big-out' }, { size: big.size, mtimeMs: big.mtimeMs });
    const waiting = Array.from({ length: 5 }, (_, i) =>
      q.copy(small.path, { partial: join(root, `.w${i}`), final: join(root, `w${i}`), checkSource: true, where: `w${i}` }, { size: 100, mtimeMs: small.mtimeMs }, ac.signal),
    );
    // A large file waits too: it must not be copied whole after the interrupt.
    waiting.push(q.copy(big.path, { partial: join(root, '.w-big'), final: join(root, 'w-big'), checkSource: true, where: 'w-big' }, { size: big.size, mtimeMs: big.mtimeMs }, ac.signal));
    ac.abort();
    expect(await first).toBe(big.size);
    const settled = await Promise.allSettled(waiting);
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(seen.groups).toEqual([]);
    expect(seen.singles).toBe(1);
    expect(readdirSync(root).filter((n) => n.startsWith('w') || n.startsWith('.w'))).toEqual([]);
  });
});
