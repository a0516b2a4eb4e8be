/**
 * Every kind of fault the emulator injects, against the backend as the engine composes it (retry
 * wrapper around MEGA, downloads written through the local backend's atomic write): the operation
 * succeeds when retries can cure the fault, fails with a clear, classified error when they cannot,
 * and never leaves a partial, duplicate or corrupt file on either side.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../../src/backends/backend.js';
import { LocalBackend } from '../../../src/backends/local/index.js';
import { withRetry } from '../../../src/backends/wrappers/retry.js';
import type { FaultRule } from '../../../src/emulator/index.js';
import { EMAIL, fromBuffer, megaFixture, pattern, read, type MegaFixture } from './helpers.js';

const SIZE = 3 * 1024 * 1024 + 17;
const DATA = pattern(SIZE, 42);
const T = Date.parse('2024-02-03T04:05:06Z');

describe('MEGA backend under injected faults', () => {
  let fx: MegaFixture;
  let mega: Backend;
  let dir: string;
  let local: Backend;

  beforeEach(async () => {
    fx = await megaFixture();
    mega = await fx.openRetrying('/faults');
    await mega.mkdir('');
    dir = await mkdtemp(join(tmpdir(), 'mm-faults-'));
    local = withRetry(new LocalBackend(dir), { retries: 3, minTimeoutMs: 20, maxTimeoutMs: 200 });
  });
  afterEach(async () => {
    fx.emu.faults.clear();
    await fx.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const upload = (path = 'f.bin', data = DATA) => mega.write(path, fromBuffer(data), { size: data.length, mtimeMs: T });
  const download = (path = 'f.bin') => local.write(path, { open: () => mega.openRead(path) }, { size: SIZE, mtimeMs: T });
  const names = async () => (await mega.list()).entries.map((e) => e.path);
  const localFiles = () => readdir(dir);

  describe('cured by retries', () => {
    it.each<[string, FaultRule]>([
      ['-3 on p', { target: 'api', command: 'p', error: -3 }],
      ['-4 on p (rate limit)', { target: 'api', command: 'p', error: -4 }],
      ['-18 on u', { target: 'api', command: 'u', error: -18 }],
      ['HTTP 500 on u', { target: 'api', command: 'u', http: 500 }],
      ['HTTP 429 on p', { target: 'api', command: 'p', http: 429 }],
      ['a dropped API connection on p', { target: 'api', command: 'p', drop: true }],
      ['HTTP 503 on an upload chunk', { target: 'upload', http: 503, times: 2 }],
      ['a dropped upload chunk', { target: 'upload', drop: true }],
      ['-3 as an upload chunk reply', { target: 'upload', error: -3 }],
    ])('upload: %s', async (_name, rule) => {
      fx.emu.faults.add(rule);
      await upload();
      expect(fx.emu.faults.list()).toEqual([]);
      expect(await names()).toEqual(['f.bin']);
      expect((await read(mega, 'f.bin')).equals(DATA)).toBe(true);
    });

    it.each<[string, FaultRule]>([
      ['-3 on g', { target: 'api', command: 'g', error: -3 }],
      ['HTTP 500 on a download range', { target: 'download', http: 500 }],
      ['a dropped download', { target: 'download', drop: true }],
      ['a corrupted byte (MAC mismatch, downloaded again)', { target: 'download', corrupt: true }],
      ['HTTP 403 (expired URL) on a download range', { target: 'download', http: 403 }],
    ])('download: %s', async (_name, rule) => {
      await upload();
      fx.emu.faults.add(rule);
      await download();
      expect(fx.emu.faults.list()).toEqual([]);
      expect((await readFile(join(dir, 'f.bin'))).equals(DATA)).toBe(true);
      expect(await localFiles()).toEqual(['f.bin']);
    });

    it('listing: -3 and a whole-batch -18 on f', async () => {
      await upload();
      const b = await fx.openRetrying('/faults');
      (await fx.session()).markStale();
      fx.emu.faults.add([{ target: 'api', command: 'f', error: -3 }, { target: 'api', command: 'f', error: -18, batch: true }]);
      expect((await b.list()).entries.map((e) => e.path)).toEqual(['f.bin']);
    });

    it('delete and mkdir: a dropped connection is retried without duplicates', async () => {
      await upload();
      fx.emu.faults.add({ target: 'api', command: 'm', drop: true });
      await mega.deleteFile('f.bin');
      fx.emu.faults.add({ target: 'api', command: 'p', drop: true });
      await mega.mkdir('dir');
      expect(await names()).toEqual(['dir']);
    });

    it('a commit whose reply is lost (the server did create the node) is recognised, not duplicated', async () => {
      // The first `p` runs after the client stopped waiting (3 s): the node exists, the reply is
      // lost. The retries meet -3 until then, and the next one finds the token spent (-9).
      fx.emu.faults.add([{ target: 'api', command: 'p', delayMs: 3500 }, { target: 'api', command: 'p', error: -3, delayMs: 250, times: 3 }]);
      const before = fx.emu.stats.commands.p ?? 0;
      await upload();
      expect(fx.emu.stats.commands.p! - before).toBe(5);
      (await fx.session()).markStale();
      expect(await names()).toEqual(['f.bin']);
      expect((await mega.list()).skipped).toEqual([]);
      expect((await read(mega, 'f.bin')).equals(DATA)).toBe(true);
    });
  });

  describe('not curable: a clear error and nothing left behind', () => {
    it('persistent -3 on p: fails as transient after the retries; the old content stays, no extra node', async () => {
      await upload('f.bin', Buffer.from('old content'));
      fx.emu.faults.add({ target: 'api', command: 'p', error: -3, times: 1000 });
      await expect(upload()).rejects.toMatchObject({ code: 'transient', message: expect.stringContaining('EAGAIN (-3)') });
      fx.emu.faults.clear();
      expect(await names()).toEqual(['f.bin']);
      expect((await read(mega, 'f.bin')).toString()).toBe('old content');
    });

    it('persistent corruption: an integrity error naming the file, and no local file at all', async () => {
      await upload();
      fx.emu.faults.add({ target: 'download', corrupt: true, times: 1000 });
      await expect(download()).rejects.toMatchObject({ code: 'integrity', where: 'f.bin', message: expect.stringContaining('MAC verification failed') });
      expect(await localFiles()).toEqual([]);
    });

    it('transfer quota (HTTP 509): over-quota with the time left, not retried, later downloads fail at once', async () => {
      await upload();
      fx.emu.faults.add({ target: 'download', http: 509, timeLeft: 1800 });
      await expect(download()).rejects.toMatchObject({
        code: 'over-quota',
        transient: false,
        retryAfterSeconds: 1800,
        message: 'the MEGA account is over its transfer quota; it resets in 30 min',
      });
      const requests = fx.emu.stats.downloadRequests;
      await expect(download()).rejects.toMatchObject({ code: 'over-quota' });
      expect(fx.emu.stats.downloadRequests).toBe(requests);
      expect(await localFiles()).toEqual([]);
    });

    it('transfer quota on g ({e:-17, tl})', async () => {
      await upload();
      fx.emu.faults.add({ target: 'api', command: 'g', error: -17, timeLeft: 90 });
      await expect(download()).rejects.toMatchObject({ code: 'over-quota', message: expect.stringMatching(/transfer quota; it resets in 90 s/) });
    });

    it('storage quota (-17 on u, and a real full account on p)', async () => {
      fx.emu.faults.add({ target: 'api', command: 'u', error: -17 });
      await expect(upload()).rejects.toMatchObject({ code: 'over-quota', message: 'the MEGA account is over its storage quota' });
      const fresh = await megaFixture();
      try {
        fresh.emu.setAccountSettings(EMAIL, { storageQuota: 1000 });
        const b = await fresh.openRetrying('/full');
        await b.mkdir('');
        await expect(b.write('big', fromBuffer(pattern(5000)), { size: 5000, mtimeMs: T })).rejects.toMatchObject({ code: 'over-quota' });
        expect((await b.list()).entries).toEqual([]);
      } finally {
        await fresh.cleanup();
      }
    });

    it('a stalled upload fails within the idle timeout instead of hanging', async () => {
      const bare = await fx.open('/faults');
      fx.emu.faults.add({ target: 'upload', delayMs: 30_000, times: 100 });
      const started = Date.now();
      await expect(bare.write('stall.bin', fromBuffer(DATA), { size: SIZE, mtimeMs: T })).rejects.toMatchObject({ transient: true });
      expect(Date.now() - started).toBeLessThan(10_000);
      fx.emu.faults.clear();
      expect(await names()).toEqual([]);
    });

    it('a source that yields fewer bytes than declared never completes an upload', async () => {
      const short = fromBuffer(DATA.subarray(0, SIZE - 1));
      await expect(mega.write('short.bin', short, { size: SIZE, mtimeMs: T })).rejects.toMatchObject({ code: 'size-mismatch' });
      expect(fx.emu.stats.uploads).toBe(0);
      expect(await names()).toEqual([]);
    });
  });
});
