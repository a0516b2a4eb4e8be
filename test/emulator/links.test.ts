/**
 * Public links on the emulator, read by the unmodified megajs client: `l` on a file (megajs's own
 * `link()`), the `exportLink` hook for folders, `g` with `p`, `f`/`g` on `cs?n=`, and what a link
 * must not reach.
 */
import { API, File } from 'megajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download, Harness, pattern, upload, withTimeout, type MegaStorage } from './helpers.js';

const EMAIL = 'links@example.com';
const PASSWORD = 'links password';

describe('emulator: public links', () => {
  let h: Harness;
  let storage: MegaStorage;
  let masterKey: Buffer;
  let api: API;

  beforeAll(async () => {
    h = await Harness.start();
    ({ masterKey } = await h.emu.createAccount({ email: EMAIL, password: PASSWORD }));
    storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
    api = new API(false, { gateway: h.emu.gateway });
  });
  afterAll(() => h.close());

  /** A raw API call without a session, with an optional `?n=`. */
  const call = async (cmd: Record<string, unknown>, n?: string): Promise<unknown> => {
    const q = new URLSearchParams({ id: '1', ...(n ? { n } : {}) });
    const res = await fetch(`${h.emu.gateway}cs?${q}`, { method: 'POST', body: JSON.stringify([cmd]) });
    const body = (await res.json()) as unknown;
    return Array.isArray(body) ? body[0] : body;
  };

  it('a file link made with megajs link() opens and downloads without a session', async () => {
    const data = pattern(5000, 3);
    const file = await upload(storage.root, 'shared file.bin', data);
    const url = (await withTimeout(file.link(false) as Promise<string>)) as string;
    expect(url).toMatch(/^https:\/\/mega\.nz\/file\/[\w-]{8}#[\w-]{43}$/);
    expect(await withTimeout(file.link(false) as Promise<string>)).toBe(url); // the same link again

    const opened = File.fromURL(url, { api } as never) as any;
    await withTimeout(opened.loadAttributes());
    expect(opened.name).toBe('shared file.bin');
    expect(opened.size).toBe(5000);
    expect((await download(opened)).equals(data)).toBe(true);
  });

  it('a folder link lists the subtree with share keys and serves downloads inside it only', async () => {
    const top = await storage.mkdir('Shared Ünï');
    const sub = await top.mkdir('sub');
    await upload(top, 'a.txt', Buffer.from('alpha'));
    await upload(sub, 'b.txt', Buffer.from('beta'));
    const outside = await upload(storage.root, 'private.txt', Buffer.from('secret'));

    const link = h.emu.exportLink(EMAIL, { masterKey, path: '/Shared Ünï' });
    expect(link.url).toMatch(/^https:\/\/mega\.nz\/folder\/[\w-]{8}#[\w-]{22}$/);
    expect(h.emu.exportLink(EMAIL, { masterKey, handle: top.nodeId }).url).toBe(link.url);

    const folder = File.fromURL(link.url, { api } as never) as any;
    await withTimeout(folder.loadAttributes());
    expect(folder.name).toBe('Shared Ünï');
    expect(folder.children.map((c: any) => c.name).sort()).toEqual(['a.txt', 'sub']);
    const b = folder.navigate('sub/b.txt');
    b.api = api; // megajs gives the children of a folder link its global API (the real gateway)
    expect((await download(b)).toString()).toBe('beta');

    const listed = (await call({ a: 'f', c: 1, r: 1 }, link.ph)) as { f: Array<{ h: string; k: string }> };
    expect(listed.f).toHaveLength(4);
    expect(listed.f.every((n) => n.k.startsWith(`${top.nodeId}:`))).toBe(true);
    // A handle outside the folder is not reachable through its link, nor is anything without one.
    expect(await call({ a: 'g', g: 1, n: outside.nodeId }, link.ph)).toBe(-9);
    expect(await call({ a: 'g', g: 1, n: outside.nodeId })).toBe(-15);
    expect(await call({ a: 'f', c: 1 }, 'AAAAAAAA')).toBe(-9);
    expect(await call({ a: 'g', p: 'AAAAAAAA' })).toBe(-9);
  });

  it('nodes added later have no key in the link until the hook runs again; removed links die', async () => {
    const top = await storage.mkdir('Later');
    await upload(top, 'first.txt', Buffer.from('1'));
    const link = h.emu.exportLink(EMAIL, { masterKey, handle: top.nodeId });
    await upload(top, 'second.txt', Buffer.from('2'));
    const before = (await call({ a: 'f', c: 1, r: 1 }, link.ph)) as { f: Array<{ k: string }> };
    expect(before.f.filter((n) => n.k === '')).toHaveLength(1);
    expect(h.emu.exportLink(EMAIL, { masterKey, handle: top.nodeId }).url).toBe(link.url);
    const after = (await call({ a: 'f', c: 1, r: 1 }, link.ph)) as { f: Array<{ k: string }> };
    expect(after.f.filter((n) => n.k === '')).toHaveLength(0);

    expect(await storage.api.request({ a: 'l', n: top.nodeId, d: 1 })).toBe(0);
    expect(await call({ a: 'f', c: 1, r: 1 }, link.ph)).toBe(-9);
  });

  it('the HTTP control endpoint exports a link for tests in another process', async () => {
    await upload(storage.root, 'via control.txt', Buffer.from('ctl'));
    const res = await fetch(`${h.emu.gateway}__emulator/links`, { method: 'POST', body: JSON.stringify({ email: EMAIL, password: PASSWORD, path: '/via control.txt' }) });
    const { url } = (await res.json()) as { url: string };
    const opened = File.fromURL(url, { api } as never) as any;
    await withTimeout(opened.loadAttributes());
    expect((await download(opened)).toString()).toBe('ctl');
  });

  it('a link to a deleted file is gone', async () => {
    const file = await upload(storage.root, 'doomed.txt', Buffer.from('x'));
    const ph = (await storage.api.request({ a: 'l', n: file.nodeId })) as string;
    expect((await call({ a: 'g', p: ph })) as { s: number }).toMatchObject({ s: 1 });
    await storage.api.request({ a: 'd', n: file.nodeId });
    expect(await call({ a: 'g', p: ph })).toBe(-9);
  });
});
