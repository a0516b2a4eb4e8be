import { Storage } from 'megajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFile, decryptAttributes, encryptAttributes, wrapKey } from '../../src/emulator/nodecrypto.js';
import { download, Harness, pattern, rawUpload, upload, withTimeout, type MegaStorage } from './helpers.js';

const EMAIL = 'tree@example.com';
const PASSWORD = 'tree password';

describe('emulator: node tree and transfers with megajs', () => {
  let h: Harness;
  let storage: MegaStorage;
  let masterKey: Buffer;

  beforeAll(async () => {
    h = await Harness.start();
    ({ masterKey } = await h.emu.createAccount({ email: EMAIL, password: PASSWORD }));
    storage = await h.login(EMAIL, PASSWORD);
  });
  afterAll(() => h.close());

  const fresh = async (): Promise<MegaStorage> => h.login(EMAIL, PASSWORD, { keepalive: false });

  it.each([0, 1, 131072, 131073, 2 * 1024 * 1024])('uploads and downloads %i bytes intact (megajs crypto)', async (size) => {
    const data = pattern(size, size + 7);
    const before = h.emu.stats.snapshot();
    const file = await upload(storage.root, `file-${size}.bin`, data);
    expect(file.size).toBe(size);
    expect(h.emu.stats.bytesUploaded - before.bytesUploaded).toBe(size);
    expect(h.emu.stats.uploads - before.uploads).toBe(1);
    expect((await download(file)).equals(data)).toBe(true);
    const other = await fresh();
    const listed = other.root.children.find((c: any) => c.name === `file-${size}.bin`);
    expect(listed.size).toBe(size);
    expect((await download(listed)).equals(data)).toBe(true);
  });

  it('creates nested folders and lists them after a reload', async () => {
    const a = await storage.mkdir('a');
    const b = await a.mkdir('b');
    await upload(b, 'deep.txt', Buffer.from('deep'));
    const other = await fresh();
    const deep = other.navigate('a/b/deep.txt');
    expect(deep?.size).toBe(4);
    expect((await download(deep)).toString()).toBe('deep');
    const { f } = h.emu.listNodes(EMAIL);
    expect(f.every((n) => n.t >= 2 || n.k.startsWith(`${storage.user}:`))).toBe(true);
  });

  it('moves, renames and moves to the Rubbish Bin', async () => {
    const src = await storage.mkdir('move-src');
    const dst = await storage.mkdir('move-dst');
    const file = await upload(src, 'moving.txt', Buffer.from('m'));
    await withTimeout(file.moveTo(dst), 10_000);
    await withTimeout(file.rename('renamed.txt'), 10_000);
    let other = await fresh();
    expect(other.navigate('move-dst/renamed.txt')?.size).toBe(1);
    expect(other.navigate('move-src').children).toEqual([]);
    await withTimeout(src.delete(), 10_000); // not permanent: to the Rubbish Bin (m to the t=4 root)
    other = await fresh();
    expect(other.root.children.map((c: any) => c.name)).not.toContain('move-src');
    expect(other.trash.children.map((c: any) => c.name)).toContain('move-src');
  });

  it('deletes a folder recursively (children and their bytes go too)', async () => {
    const top = await storage.mkdir('doomed');
    const sub = await top.mkdir('sub');
    const file = await upload(sub, 'x.bin', pattern(1000));
    const handles = [top.nodeId, sub.nodeId, file.nodeId];
    await withTimeout(top.delete(true), 10_000);
    const { f, f2 } = h.emu.listNodes(EMAIL);
    for (const handle of handles) expect([...f, ...f2].some((n) => n.h === handle)).toBe(false);
    const other = await fresh();
    expect(other.root.children.map((c: any) => c.name)).not.toContain('doomed');
    expect(Object.keys(other.files)).not.toContain(file.nodeId);
  });

  it('copies an existing file server-side with p (no upload)', async () => {
    const original = await upload(storage.root, 'orig.bin', pattern(5000, 3));
    const target = await storage.mkdir('copies');
    const before = h.emu.stats.snapshot();
    const reply: any = await withTimeout(original.copyTo(target), 10_000);
    expect(reply.f[0].h).not.toBe(original.nodeId);
    expect(h.emu.stats.bytesUploaded).toBe(before.bytesUploaded);
    expect(h.emu.stats.commands.u ?? 0).toBe(before.commands.u ?? 0);
    const other = await fresh();
    const copy = other.navigate('copies/orig.bin');
    expect(copy.nodeId).toBe(reply.f[0].h);
    expect((await download(copy)).equals(pattern(5000, 3))).toBe(true);
    // the bytes stay while any node refers to them
    await withTimeout(other.navigate('orig.bin').delete(true), 10_000);
    expect((await download(copy)).equals(pattern(5000, 3))).toBe(true);
  });

  it('replaces a file with ov: the old node becomes a version (f2), or is deleted without versioning', async () => {
    const folder = await storage.mkdir('versions');
    const old = await upload(folder, 'doc.txt', Buffer.from('version one'));
    const putReplacement = async (text: string, ov: string): Promise<string> => {
      const built = buildFile(masterKey, { n: 'doc.txt' }, Buffer.from(text));
      const token = await rawUpload(storage, built.data);
      const reply: any = await storage.api.request({ a: 'p', t: folder.nodeId, n: [{ h: token, t: 0, a: built.a, k: built.k, ov }] });
      return reply.f[0].h;
    };
    const second = await putReplacement('version two', old.nodeId);
    let { f, f2 } = h.emu.listNodes(EMAIL);
    expect(f.some((n) => n.h === old.nodeId)).toBe(false);
    expect(f2.find((n) => n.h === old.nodeId)?.p).toBe(second);
    let other = await fresh();
    expect(other.navigate('versions').children.map((c: any) => c.name)).toEqual(['doc.txt']);
    expect((await download(other.navigate('versions/doc.txt'))).toString()).toBe('version two');

    h.emu.setAccountSettings(EMAIL, { versioning: false });
    try {
      const third = await putReplacement('version three', second);
      ({ f, f2 } = h.emu.listNodes(EMAIL));
      expect(f.some((n) => n.h === second)).toBe(false);
      // the old node went with its own version
      expect(f2.some((n) => n.h === second || n.h === old.nodeId)).toBe(false);
      other = await fresh();
      const listed = other.navigate('versions').children;
      expect(listed.map((c: any) => c.nodeId)).toEqual([third]);
    } finally {
      h.emu.setAccountSettings(EMAIL, { versioning: true });
    }
  });

  it('reports the storage used through uq', async () => {
    const info = await storage.getAccountInfo();
    const { f, f2 } = h.emu.listNodes(EMAIL);
    const total = [...f, ...f2].reduce((sum, n) => sum + (n.s ?? 0), 0);
    expect(info.spaceUsed).toBe(total);
  });

  it('stores attributes and keys exactly as sent (the emulator never decrypts)', async () => {
    const folder = await storage.mkdir('plain-check');
    const node = h.emu.listNodes(EMAIL).f.find((n) => n.h === folder.nodeId)!;
    expect(node.k).toBe(`${storage.user}:${wrapKey(masterKey, folder.key)}`);
    expect(decryptAttributes(folder.key, node.a)).toEqual({ n: 'plain-check' });
    expect(node.a).toBe(encryptAttributes(folder.key, { n: 'plain-check' }));
  });

  it('fromJSON sessions see the same tree', async () => {
    const again = h.track(Storage.fromJSON(JSON.parse(JSON.stringify(storage.toJSON()))));
    await withTimeout(again.reload(), 10_000);
    expect(again.root.navigate('a/b/deep.txt')?.size).toBe(4); // (fromJSON leaves status 'closed')
  });
});
