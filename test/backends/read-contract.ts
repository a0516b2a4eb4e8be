import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.js';

/** A tree to serve: paths ending in `/` are folders; file values are their content. */
export type Seed = Record<string, string | null>;

export interface ReadFixture {
  backend: Backend;
  cleanup(): Promise<void>;
}

/** Files of the seeds below get this mtime where the backend stores one. */
export const SEED_MTIME = Date.parse('2024-05-06T07:08:09Z');

const TREE: Seed = {
  'a.txt': 'hello',
  'dir/': null,
  'dir/sub/': null,
  'dir/sub/z.txt': 'zz',
  'dir-b.txt': 'b',
  ' spaced name.txt': ' spaced',
  '-dash': 'dash',
  'ünï cødé ✓': 'unicode',
  zero: '',
  'empty/': null,
};

/**
 * The reading half of the backend contract (`contract.ts`), for backends that cannot write (a
 * public link) and, as a check of this suite, for one that can. `make(seed)` serves exactly that
 * tree; mutating methods, where a backend is read-only, must reject and change nothing.
 */
export function readContract(name: string, make: (seed: Seed) => Promise<ReadFixture>, o: { readOnly: boolean }): void {
  describe(`read contract: ${name}`, () => {
    let fx: ReadFixture | undefined;
    afterEach(async () => {
      await fx?.backend.close();
      await fx?.cleanup();
      fx = undefined;
    });
    const serve = async (seed: Seed) => (fx = await make(seed)).backend;

    it('an empty root probes ok and lists nothing', async () => {
      const b = await serve({});
      expect(await b.probeRoot()).toBe('ok');
      expect((await b.list()).entries).toEqual([]);
    });

    it('lists files and folders sorted, stats and reads them', async () => {
      const b = await serve(TREE);
      const l = await b.list();
      expect(l.entries.map((e) => `${e.kind} ${e.path}`)).toEqual([
        'file  spaced name.txt', 'file -dash', 'file a.txt', 'dir dir', 'dir dir/sub', 'file dir/sub/z.txt', 'file dir-b.txt', 'dir empty', 'file zero', 'file ünï cødé ✓',
      ]);
      expect(await b.stat('a.txt')).toMatchObject({ kind: 'file', size: 5 });
      const s = (await b.stat('dir/sub/z.txt')) as { mtimeMs: number | null };
      if (s.mtimeMs !== null) expect(Math.abs(s.mtimeMs - SEED_MTIME)).toBeLessThanOrEqual(b.capabilities.mtimePrecisionMs ?? 0);
      expect(await b.stat('dir')).toMatchObject({ kind: 'dir' });
      expect(await b.stat('missing')).toBeNull();
      expect(await b.stat('a.txt/below')).toBeNull();
      for (const [path, content] of Object.entries(TREE)) {
        if (content !== null) expect((await buffer(await b.openRead(path))).toString()).toBe(content);
      }
    });

    it('reading a folder or a missing file fails (at open or while reading)', async () => {
      const b = await serve(TREE);
      const readAll = async (path: string) => buffer(await b.openRead(path));
      await expect(readAll('missing.txt')).rejects.toBeInstanceOf(Error);
      await expect(readAll('dir')).rejects.toBeInstanceOf(Error);
      if (o.readOnly) await expect(b.openRead('missing.txt')).rejects.toMatchObject({ code: 'not-found', where: 'missing.txt' });
    });

    it('list honours prune', async () => {
      const b = await serve(TREE);
      const l = await b.list({ prune: (d) => d === 'dir' });
      expect(l.entries.map((e) => e.path)).toEqual([' spaced name.txt', '-dash', 'a.txt', 'dir', 'dir-b.txt', 'empty', 'zero', 'ünï cødé ✓']);
    });

    if (o.readOnly) {
      it('every mutation rejects with permission-denied and changes nothing', async () => {
        const b = await serve(TREE);
        const before = (await b.list()).entries;
        const data = { open: async () => Readable.from([Buffer.from('x')]) };
        const attempts = [
          b.write('new.txt', data, { size: 1, mtimeMs: SEED_MTIME }),
          b.write('a.txt', data, { size: 1, mtimeMs: SEED_MTIME }),
          b.mkdir('newdir'),
          b.deleteFile('a.txt'),
          b.rmdir('empty'),
          b.removeTree('dir'),
        ];
        for (const p of attempts) await expect(p).rejects.toMatchObject({ code: 'permission-denied' });
        expect((await b.list()).entries).toEqual(before);
      });
    }
  });
}
