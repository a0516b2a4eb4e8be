import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChunkBoundary } from '../../src/emulator/transfers.js';
import { parseRange } from '../../src/emulator/storage.js';
import { Harness, pattern, type MegaStorage } from './helpers.js';

const EMAIL = 'raw@example.com';
const PASSWORD = 'raw password';
const K = 1024;

describe.each(['scratch', 'memory'] as const)('emulator: storage server protocol (raw HTTP), %s blobs', (blobs) => {
  let h: Harness;
  let storage: MegaStorage;

  beforeAll(async () => {
    h = await Harness.start({ blobs });
    await h.emu.createAccount({ email: EMAIL, password: PASSWORD });
    storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
  });
  afterAll(() => h.close());

  const uploadUrl = async (size: number): Promise<string> => ((await storage.api.request({ a: 'u', s: size })) as { p: string }).p;
  const post = async (url: string, body: Buffer): Promise<Buffer> =>
    Buffer.from(await (await fetch(url, { method: 'POST', body })).arrayBuffer());

  it('knows the MAC chunk boundaries', () => {
    const starts = [0, 128, 384, 768, 1280, 1920, 2688, 3584, 4608, 5632, 6656].map((k) => k * K);
    for (const s of starts) expect(isChunkBoundary(s)).toBe(true);
    for (const s of [1, 16, 256 * K, 1024 * K, 4096 * K, 4608 * K + 16]) expect(isChunkBoundary(s)).toBe(false);
  });

  it('parses ranges (end inclusive)', () => {
    expect(parseRange(undefined, 10)).toEqual([0, 10]);
    expect(parseRange('0-9', 10)).toEqual([0, 10]);
    expect(parseRange('3-', 10)).toEqual([3, 10]);
    expect(parseRange('0-10', 10)).toBeNull();
    expect(parseRange('x', 10)).toBeNull();
  });

  it('accepts chunks out of order, answers the completing one with a 36-byte token', async () => {
    const data = pattern(600 * K, 2);
    const url = await uploadUrl(data.length);
    expect(url.startsWith(h.emu.url)).toBe(true);
    expect(await post(`${url}/${384 * K}`, data.subarray(384 * K))).toHaveLength(0);
    expect(await post(`${url}/0`, data.subarray(0, 128 * K))).toHaveLength(0);
    // a repeated chunk replaces the earlier copy
    expect(await post(`${url}/0`, data.subarray(0, 128 * K))).toHaveLength(0);
    const token = await post(`${url}/${128 * K}`, data.subarray(128 * K, 384 * K));
    expect(token).toHaveLength(36);
    // multi-boundary chunks are fine too
    const url2 = await uploadUrl(data.length);
    expect(await post(`${url2}/0`, data)).toHaveLength(36);

    const reply: any = await storage.api.request({
      a: 'p',
      t: storage.root.nodeId,
      n: [{ h: token.toString('base64url'), t: 0, a: 'AAAAAAAAAAAAAAAAAAAAAA', k: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    });
    const handle = reply.f[0].h;
    expect(reply.f[0]).toMatchObject({ s: data.length, t: 0, p: storage.root.nodeId, u: storage.user });
    // the token is spent
    await expect(
      storage.api.request({ a: 'p', t: storage.root.nodeId, n: [{ h: token.toString('base64url'), t: 0, a: 'AA', k: 'AA' }] }),
    ).rejects.toThrow(/ENOENT/);

    const g: any = await storage.api.request({ a: 'g', g: 1, n: handle });
    expect(g.s).toBe(data.length);
    const whole = Buffer.from(await (await fetch(g.g)).arrayBuffer());
    expect(whole.equals(data)).toBe(true);
    const part = Buffer.from(await (await fetch(`${g.g}/1000-1999`)).arrayBuffer());
    expect(part.equals(data.subarray(1000, 2000))).toBe(true);
    expect((await fetch(`${g.g}/0-${data.length}`)).status).toBe(416);
    expect((await fetch(`${h.emu.url}dl/unknown/0-1`)).status).toBe(404);
  });

  it('refuses chunks off the MAC boundaries (-7) and unknown upload URLs (-8)', async () => {
    const url = await uploadUrl(300 * K);
    expect((await post(`${url}/16`, Buffer.alloc(16))).toString()).toBe('-7');
    expect((await post(`${url}/0`, Buffer.alloc(100 * K))).toString()).toBe('-7');
    expect((await post(`${url}/${128 * K}`, Buffer.alloc(300 * K))).toString()).toBe('-7');
    expect((await post(`${h.emu.url}ul/nope/0`, Buffer.alloc(1))).toString()).toBe('-8');
  });

  it('counts bytes and uploads', async () => {
    h.emu.stats.reset();
    const url = await uploadUrl(5);
    await post(`${url}/0`, Buffer.from('12345'));
    expect(h.emu.stats.snapshot()).toMatchObject({ bytesUploaded: 5, uploads: 1, uploadsStarted: 1, uploadChunks: 1, commands: { u: 1 } });
  });

  it('answers p, g, m, d, a errors as the service does', async () => {
    const root = storage.root.nodeId;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ a: 'p', t: 'nosuchnd', n: [{ h: 'xxxxxxxx', t: 1, a: 'AA', k: 'AA' }] }, /ENOENT/],
      [{ a: 'p', t: root, n: [] }, /EARGS/],
      [{ a: 'g', g: 1, n: root }, /EACCESS/],
      [{ a: 'g', g: 1, n: 'nosuchnd' }, /ENOENT/],
      [{ a: 'd', n: root }, /EACCESS/],
      [{ a: 'm', n: root, t: root }, /EACCESS/],
      [{ a: 'a', n: 'nosuchnd', at: 'AA' }, /ENOENT/],
      [{ a: 'u', s: -1 }, /EARGS/],
      [{ a: 'zz' }, /EARGS/],
    ];
    for (const [cmd, message] of cases) await expect(storage.api.request(cmd)).rejects.toThrow(message);
    const parent = await storage.mkdir('parent');
    const child = await parent.mkdir('child');
    await expect(storage.api.request({ a: 'm', n: parent.nodeId, t: child.nodeId })).rejects.toThrow(/ECIRCULAR/);
  });
});

describe('emulator: download faults on every blob store', () => {
  it.each(['scratch', 'memory'] as const)('%s: corrupt flips one byte without touching the stored copy; drop cuts the body', async (blobs) => {
    const h = await Harness.start({ blobs });
    try {
      await h.emu.createAccount({ email: EMAIL, password: PASSWORD });
      const storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
      const data = pattern(3 * 1024 * K + 5, 8);
      const { p: url } = (await storage.api.request({ a: 'u', s: data.length })) as { p: string };
      const token = Buffer.from(await (await fetch(`${url}/0`, { method: 'POST', body: data })).arrayBuffer());
      const put: any = await storage.api.request({ a: 'p', t: storage.root.nodeId, n: [{ h: token.toString('base64url'), t: 0, a: 'AA', k: 'AA' }] });
      const g: any = await storage.api.request({ a: 'g', g: 1, n: put.f[0].h });

      h.emu.faults.add({ target: 'download', corrupt: true });
      const bad = Buffer.from(await (await fetch(g.g)).arrayBuffer());
      expect(bad.length).toBe(data.length);
      let diff = 0;
      for (let i = 0; i < data.length; i++) if (bad[i] !== data[i]) diff += 1;
      expect(diff).toBe(1);
      expect(Buffer.from(await (await fetch(g.g)).arrayBuffer()).equals(data)).toBe(true);

      h.emu.faults.add({ target: 'download', drop: true, dropAfterBytes: 1000 });
      const before = h.emu.stats.bytesDownloaded;
      await expect(fetch(g.g).then((r) => r.arrayBuffer())).rejects.toThrow();
      expect(h.emu.stats.bytesDownloaded - before).toBe(1000);
    } finally {
      await h.close();
    }
  });
});
