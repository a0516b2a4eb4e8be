import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, WriteSource } from '../../src/backends/backend.js';
import { MegamirrorError } from '../../src/errors.js';

/** A fresh, empty backend rooted at a folder that exists, and how to dispose of it. */
export interface ContractFixture {
  backend: Backend;
  cleanup(): Promise<void>;
}

const source = (data: Buffer): WriteSource => ({ open: async () => Readable.from([data]) });
const T = Date.parse('2024-05-06T07:08:09Z');

async function put(b: Backend, path: string, text: string, mtimeMs: number | null = T): Promise<void> {
  const data = Buffer.from(text);
  await b.write(path, source(data), { size: data.length, mtimeMs });
}

async function read(b: Backend, path: string): Promise<string> {
  return (await buffer(await b.openRead(path))).toString();
}

/**
 * The behaviour every backend promises (see `src/backends/backend.ts`). Each backend's test file
 * calls this with a factory; a backend that cannot pass it does not ship.
 */
export function backendContract(name: string, make: () => Promise<ContractFixture>, has: { writeLocalFiles?: boolean } = {}): void {
  describe(`backend contract: ${name}`, () => {
    let fx: ContractFixture;
    let b: Backend;
    beforeEach(async () => {
      fx = await make();
      b = fx.backend;
    });
    afterEach(async () => {
      await b.close();
      await fx.cleanup();
    });

    it('starts with an empty root that probes ok', async () => {
      expect(await b.probeRoot()).toBe('ok');
      expect((await b.list()).entries).toEqual([]);
    });

    it('writes, stats, reads and lists files and folders, sorted', async () => {
      await b.mkdir('dir');
      await b.mkdir('dir/sub');
      await put(b, 'dir/sub/z.txt', 'zz');
      await put(b, 'dir-b.txt', 'b');
      await put(b, 'a.txt', 'hello');
      const l = await b.list();
      expect(l.entries.map((e) => `${e.kind} ${e.path}`)).toEqual(['file a.txt', 'dir dir', 'dir dir/sub', 'file dir/sub/z.txt', 'file dir-b.txt']);
      const s = await b.stat('a.txt');
      expect(s).toMatchObject({ kind: 'file', size: 5 });
      expect(Math.abs(((s as { mtimeMs: number }).mtimeMs ?? 0) - T)).toBeLessThanOrEqual(b.capabilities.mtimePrecisionMs ?? 0);
      expect(await read(b, 'a.txt')).toBe('hello');
      expect(await b.stat('missing')).toBeNull();
    });

    it('replaces a file in one step and keeps a single entry', async () => {
      await put(b, 'f', 'old content');
      await put(b, 'f', 'new');
      expect(await read(b, 'f')).toBe('new');
      expect((await b.list()).entries.filter((e) => e.path === 'f')).toHaveLength(1);
    });

    it('stores zero-byte files and names with spaces, unicode and leading dashes', async () => {
      for (const n of ['', ' spaced name.txt', '-dash', 'ünï cødé ✓', 'abc', 'abc.zip']) {
        if (n) await put(b, n, n);
      }
      await put(b, 'zero', '');
      const paths = (await b.list()).entries.map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining([' spaced name.txt', '-dash', 'ünï cødé ✓', 'abc', 'abc.zip', 'zero']));
      expect(await read(b, 'zero')).toBe('');
      expect(await read(b, 'abc')).toBe('abc');
    });

    it('a failing write leaves the old content and no extra entry', async () => {
      await put(b, 'f', 'keep me');
      const bad: WriteSource = {
        open: async () =>
          new Readable({
            read() {
              this.destroy(new Error('read failed'));
            },
          }),
      };
      await expect(b.write('f', bad, { size: 100, mtimeMs: T })).rejects.toBeInstanceOf(Error);
      expect(await read(b, 'f')).toBe('keep me');
      expect((await b.list()).entries.map((e) => e.path)).toEqual(['f']);
    });

    it('a write whose byte count differs from the declared size fails', async () => {
      const data = Buffer.from('four');
      await expect(b.write('g', source(data), { size: 5, mtimeMs: T })).rejects.toBeInstanceOf(MegamirrorError);
      expect(await b.stat('g')).toBeNull();
    });

    it('beforeCommit rejecting aborts the write', async () => {
      const data = Buffer.from('x');
      const veto = async () => {
        throw new MegamirrorError('source-changed', 'changed');
      };
      await expect(b.write('h', source(data), { size: 1, mtimeMs: T, beforeCommit: veto })).rejects.toMatchObject({ code: 'source-changed' });
      expect(await b.stat('h')).toBeNull();
    });

    it('an aborted write leaves nothing behind', async () => {
      const ac = new AbortController();
      const slow: WriteSource = {
        open: async () =>
          Readable.from(
            (async function* () {
              yield Buffer.alloc(1000);
              ac.abort();
              await new Promise((r) => setTimeout(r, 20));
              yield Buffer.alloc(1000);
            })(),
          ),
      };
      await expect(b.write('aborted', slow, { size: 2000, mtimeMs: T }, { signal: ac.signal })).rejects.toBeInstanceOf(Error);
      const l = await b.list();
      expect(l.entries).toEqual([]);
      expect(l.skipped.filter((s) => s.reason === 'partial')).toEqual([]);
    });

    it('a source that fails at once leaves nothing behind, not even later', async () => {
      const overQuota = () => new MegamirrorError('over-quota', 'over quota');
      for (let i = 0; i < 20; i++) {
        // Refused when opened, or opened and failing on its first read (a remote's first request).
        const refused: WriteSource = { open: () => Promise.reject(overQuota()) };
        const failing: WriteSource = { open: async () => new Readable({ read() { this.destroy(overQuota()); } }) };
        await expect(b.write(`q${i}`, refused, { size: 10, mtimeMs: T })).rejects.toMatchObject({ code: 'over-quota' });
        await expect(b.write(`r${i}`, failing, { size: 10, mtimeMs: T })).rejects.toMatchObject({ code: 'over-quota' });
      }
      // A temporary file still being created when the write gave up would show up only now.
      await new Promise((r) => setTimeout(r, 50));
      const l = await b.list();
      expect(l.entries).toEqual([]);
      expect(l.skipped.filter((s) => s.reason === 'partial')).toEqual([]);
    });

    it('deletes files and removes empty folders', async () => {
      await b.mkdir('d');
      await put(b, 'd/f', 'x');
      await b.deleteFile('d/f');
      await b.rmdir('d');
      expect((await b.list()).entries).toEqual([]);
    });

    it('mkdir of an existing folder succeeds', async () => {
      await b.mkdir('d');
      await b.mkdir('d');
      expect((await b.list()).entries.map((e) => e.path)).toEqual(['d']);
    });

    it('copyWithin makes an identical file where supported', async () => {
      if (!b.capabilities.serverSideCopy || !b.copyWithin) return;
      await put(b, 'orig', 'same bytes');
      await b.mkdir('snap');
      await b.copyWithin('orig', 'snap/copy');
      expect(await read(b, 'snap/copy')).toBe('same bytes');
      expect(await b.stat('snap/copy')).toMatchObject({ size: 10 });
    });

    it('removeTree removes a folder and everything below it', async () => {
      await b.mkdir('t');
      await b.mkdir('t/sub');
      await put(b, 't/sub/f', 'x');
      await put(b, 'keep', 'y');
      await b.removeTree('t');
      expect((await b.list()).entries.map((e) => e.path)).toEqual(['keep']);
    });

    it('list honours prune', async () => {
      await b.mkdir('skip');
      await put(b, 'skip/inner', 'x');
      await put(b, 'top', 'y');
      const l = await b.list({ prune: (d) => d === 'skip' });
      expect(l.entries.map((e) => e.path)).toEqual(['skip', 'top']);
    });

    // Only for backends that declare it (`has`): they must then have it, with capabilities.writeGroup.
    if (has.writeLocalFiles === true) describe('writeLocalFiles', () => {
      let here: string;
      beforeEach(async () => {
        here = await mkdtemp(join(tmpdir(), 'mm-group-src-'));
      });
      afterEach(() => rm(here, { recursive: true, force: true }));

      /** A local file with `text`, its mtime T + `sec` seconds; what writeLocalFiles takes for it. */
      const local = (name: string, text: string, sec = 0) => {
        const localPath = join(here, name);
        writeFileSync(localPath, text);
        utimesSync(localPath, (T + sec * 1000) / 1000, (T + sec * 1000) / 1000);
        return { localPath, size: Buffer.byteLength(text), mtimeMs: Math.floor(statSync(localPath).mtimeMs) };
      };

      it('stores each file whole with its mtime, replaces what was there, and reports one outcome per file', async () => {
        expect(b.capabilities.writeGroup).toBeDefined();
        if (!b.writeLocalFiles) throw new Error(`${name} declares writeLocalFiles but has none`);
        await b.mkdir('d');
        await put(b, 'd/old', 'previous content');
        const items = [
          { path: 'd/a', ...local('a', 'alpha') },
          { path: 'd/old', ...local('b', 'replaced', 5) },
          { path: 'd/empty', ...local('c', '') },
        ];
        expect(await b.writeLocalFiles(items)).toEqual([null, null, null]);
        expect(await read(b, 'd/a')).toBe('alpha');
        expect(await read(b, 'd/old')).toBe('replaced');
        expect(await read(b, 'd/empty')).toBe('');
        expect(await b.stat('d/old')).toMatchObject({ kind: 'file', size: 8, mtimeMs: T + 5000 });
        expect((await b.list()).entries.map((e) => e.path)).toEqual(['d', 'd/a', 'd/empty', 'd/old']);
      });

      it('a changed, vanished or unplaceable file fails alone and leaves nothing behind', async () => {
        if (!b.writeLocalFiles) throw new Error(`${name} declares writeLocalFiles but has none`);
        await b.mkdir('d');
        await put(b, 'd/kept', 'keep me');
        const grown = local('grown', 'was this');
        writeFileSync(grown.localPath, 'is now this, longer');
        const touched = local('touched', 'same size');
        utimesSync(touched.localPath, (T + 60_000) / 1000, (T + 60_000) / 1000);
        const outcomes = await b.writeLocalFiles([
          { path: 'd/ok', ...local('ok', 'fine') },
          { path: 'd/kept', ...grown },
          { path: 'd/touched', ...touched },
          { path: 'd/gone', localPath: join(here, 'no-such-file'), size: 3, mtimeMs: T },
          { path: 'no-such-folder/f', ...local('f', 'x') },
        ]);
        expect(outcomes[0]).toBeNull();
        expect(outcomes.slice(1).map((e) => e?.code)).toEqual(['size-mismatch', 'source-changed', 'not-found', 'not-found']);
        for (const e of outcomes.slice(1)) expect(e).toBeInstanceOf(MegamirrorError);
        expect(await read(b, 'd/kept')).toBe('keep me');
        const l = await b.list();
        expect(l.entries.map((e) => e.path)).toEqual(['d', 'd/kept', 'd/ok']);
        expect(l.skipped.filter((s) => s.reason === 'partial')).toEqual([]);
      });

      it('an aborted signal stores nothing', async () => {
        if (!b.writeLocalFiles) throw new Error(`${name} declares writeLocalFiles but has none`);
        const ac = new AbortController();
        ac.abort();
        const outcomes = await b.writeLocalFiles([{ path: 'a', ...local('a', 'alpha') }], { signal: ac.signal });
        expect(outcomes.map((e) => e?.code)).toEqual(['interrupted']);
        expect((await b.list()).entries).toEqual([]);
      });
    });
  });
}
