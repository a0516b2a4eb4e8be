import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { download, eventually, Harness, pattern, upload, withTimeout, type MegaStorage } from './helpers.js';

const EMAIL = 'faults@example.com';
const PASSWORD = 'faults password';

/** Retry quickly (megajs waits 2 s, 4 s, ...), remembering what failed. */
function quickRetries(errors: Error[], maxTries = 3) {
  return (tries: number, error: Error, cb: (e?: Error) => void) => {
    errors.push(error);
    if (tries >= maxTries) cb(error);
    else setTimeout(() => cb(), 20);
  };
}

describe('emulator: injected faults as megajs sees them', () => {
  let h: Harness;
  let storage: MegaStorage;

  beforeAll(async () => {
    h = await Harness.start();
    await h.emu.createAccount({ email: EMAIL, password: PASSWORD });
    storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
  });
  afterEach(() => h.emu.faults.clear());
  afterAll(() => h.close());

  it('-3 once: megajs retries by itself and succeeds', async () => {
    const dir = await storage.mkdir('retry-me');
    const before = h.emu.stats.commands.a ?? 0;
    h.emu.faults.add({ target: 'api', command: 'a', error: -3 });
    await withTimeout(dir.rename('retried'), 15_000);
    expect(h.emu.stats.commands.a).toBe(before + 2);
    expect(h.emu.stats.faultsInjected).toBeGreaterThan(0);
  });

  it.each([
    [-4, /ERATELIMIT \(-4\)/],
    [-18, /ETEMPUNAVAIL \(-18\)/],
    [-17, /EOVERQUOTA \(-17\)/],
    [-11, /EACCESS \(-11\)/],
  ])('per-command error %i on p reaches the caller', async (code, message) => {
    h.emu.faults.add({ target: 'api', command: 'p', error: code });
    await expect(withTimeout(storage.mkdir(`fail${code}`), 10_000)).rejects.toThrow(message);
    expect(storage.root.children.map((c: any) => c.name)).not.toContain(`fail${code}`);
  });

  it('a whole-batch error (bare number)', async () => {
    h.emu.faults.add({ target: 'api', command: 'f', error: -18, batch: true });
    await expect(withTimeout(storage.reload(), 10_000)).rejects.toThrow(/ETEMPUNAVAIL/);
  });

  it('over quota on u and on p fails the upload with EOVERQUOTA', async () => {
    h.emu.faults.add({ target: 'api', command: 'u', error: -17 });
    await expect(upload(storage.root, 'q1.bin', pattern(10))).rejects.toThrow(/EOVERQUOTA \(-17\)/);
    h.emu.faults.add({ target: 'api', command: 'p', error: -17 });
    await expect(upload(storage.root, 'q2.bin', pattern(10))).rejects.toThrow(/EOVERQUOTA \(-17\)/);
  });

  it('over quota on g: {e:-17, tl} instead of a URL', async () => {
    const file = await upload(storage.root, 'g.bin', pattern(100));
    h.emu.faults.add({ target: 'api', command: 'g', error: -17, timeLeft: 42 });
    const reply: any = await storage.api.request({ a: 'g', g: 1, n: file.nodeId });
    expect(reply).toEqual({ e: -17, tl: 42 });
    h.emu.faults.add({ target: 'api', command: 'g', error: -17 });
    await expect(download(file)).rejects.toThrow(/invalid response, maybe caused by rate limit/);
  });

  it('HTTP 500 and 509 on the API', async () => {
    h.emu.faults.add({ target: 'api', http: 500 });
    await expect(withTimeout(storage.mkdir('http500'), 10_000)).rejects.toThrow(/Server returned error: Internal Server Error/);
    h.emu.faults.add({ target: 'api', http: 509, timeLeft: 10 });
    await expect(withTimeout(storage.mkdir('http509'), 10_000)).rejects.toThrow(/Server returned error: Bandwidth Limit Exceeded/);
  });

  it('a dropped API connection', async () => {
    const nodes = h.emu.listNodes(EMAIL).f.length;
    h.emu.faults.add({ target: 'api', command: 'p', drop: true });
    await expect(withTimeout(storage.mkdir('dropped'), 10_000)).rejects.toThrow(/fetch failed/);
    expect(h.emu.listNodes(EMAIL).f.length).toBe(nodes); // faults act before the command runs
  });

  it('delays without failing', async () => {
    h.emu.faults.add({ target: 'api', command: 'p', delayMs: 300 });
    const started = Date.now();
    await withTimeout(storage.mkdir('slow'), 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('HTTP 500 and a negative code on an upload chunk', async () => {
    const errors: Error[] = [];
    h.emu.faults.add({ target: 'upload', http: 500 });
    await expect(upload(storage.root, 'u500.bin', pattern(1000), { handleRetries: quickRetries(errors, 1) })).rejects.toThrow(
      /MEGA returned a 500 status code/,
    );
    h.emu.faults.add({ target: 'upload', error: -3 });
    await expect(upload(storage.root, 'u-3.bin', pattern(1000))).rejects.toThrow(/Server returned error -3 while uploading/);
  });

  it('an upload connection dropped part-way is retried and the file arrives intact', async () => {
    const errors: Error[] = [];
    const data = pattern(600_000, 9);
    h.emu.faults.add({ target: 'upload', drop: true });
    const file = await upload(storage.root, 'udrop.bin', data, { handleRetries: quickRetries(errors) });
    expect(errors.length).toBe(1);
    expect((await download(file)).equals(data)).toBe(true);
  });

  it('HTTP 509 with X-MEGA-Time-Left on a download', async () => {
    const file = await upload(storage.root, 'd509.bin', pattern(1000));
    h.emu.faults.add({ target: 'download', http: 509, timeLeft: 120 });
    await expect(download(file)).rejects.toThrow('Bandwidth limit reached: 120 seconds until it resets');
  });

  it('a download connection dropped part-way is retried and the bytes arrive intact', async () => {
    const data = pattern(700_000, 5);
    const file = await upload(storage.root, 'ddrop.bin', data);
    const errors: Error[] = [];
    h.emu.faults.add({ target: 'download', drop: true });
    const got = await download(file, { handleRetries: quickRetries(errors) });
    expect(errors.length).toBe(1);
    expect(got.equals(data)).toBe(true);
  });

  it('a corrupted download byte fails megajs MAC verification', async () => {
    const data = pattern(300_000, 11);
    const file = await upload(storage.root, 'corrupt.bin', data);
    h.emu.faults.add({ target: 'download', corrupt: true });
    await expect(download(file)).rejects.toThrow('MAC verification failed');
    expect((await download(file)).equals(data)).toBe(true);
  });

  it('account quotas: storage (-17 on u) and transfer (g {e:-17}, storage 509)', async () => {
    const file = await upload(storage.root, 'quota.bin', pattern(2000));
    h.emu.setAccountSettings(EMAIL, { storageQuota: 1 });
    try {
      await expect(upload(storage.root, 'too-much.bin', pattern(10))).rejects.toThrow(/EOVERQUOTA/);
    } finally {
      h.emu.setAccountSettings(EMAIL, { storageQuota: 20 * 1024 ** 3 });
    }
    const used = h.emu.account(EMAIL)!.transferUsed;
    h.emu.setAccountSettings(EMAIL, { transferQuota: used + 1000, transferTimeLeft: 77 });
    try {
      await expect(download(file)).rejects.toThrow('Bandwidth limit reached: 77 seconds until it resets');
      h.emu.setAccountSettings(EMAIL, { transferQuota: used });
      await expect(download(file)).rejects.toThrow(/rate limit/);
    } finally {
      h.emu.setAccountSettings(EMAIL, { transferQuota: Number.MAX_SAFE_INTEGER });
    }
  });

  it('an sc error stops megajs sc loop with an error event', async () => {
    const live = await h.login(EMAIL, PASSWORD);
    const errorsBefore = h.apiErrors.length;
    h.emu.faults.add({ target: 'sc', error: -15 });
    await live.mkdir('wake-sc');
    await eventually(() => h.apiErrors.length > errorsBefore, 10_000, 'sc error');
    expect(String(h.apiErrors.at(-1))).toMatch(/ESID \(-15\)/);
  });

  it('probabilistic faults are deterministic for a seed', async () => {
    const run = (): boolean[] => {
      h.emu.faults.clear();
      h.emu.faults.seed(1234);
      h.emu.faults.add({ target: 'api', command: 'zz', error: -3, probability: 0.5 });
      return Array.from({ length: 32 }, () => !!h.emu.faults.take({ target: 'api', command: 'zz' }));
    };
    const first = run();
    expect(run()).toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(4);
    expect(first.filter(Boolean).length).toBeLessThan(28);
    h.emu.faults.clear();
    h.emu.faults.add({ target: 'api', command: 'zz', error: -3, times: 2 });
    expect([1, 2, 3].map(() => !!h.emu.faults.take({ target: 'api', command: 'zz' }))).toEqual([true, true, false]);
  });

  it('rejects malformed rules', () => {
    expect(() => h.emu.faults.add({ target: 'api', error: 3 })).toThrow();
    expect(() => h.emu.faults.add({ target: 'upload', corrupt: true })).toThrow();
    expect(() => h.emu.faults.add({ target: 'nope' as any, error: -3 })).toThrow();
    expect(() => h.emu.faults.add({ target: 'api', error: -3, http: 500 })).toThrow();
  });
});
