import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFile, buildFolder, encryptAttributes, wrapKey } from '../../src/emulator/nodecrypto.js';
import { download, Harness, pattern, type MegaStorage } from './helpers.js';

const EMAIL = 'hostile@example.com';
const PASSWORD = 'hostile password';

describe('emulator: hostile trees built directly (bypassing megajs)', () => {
  let h: Harness;
  let masterKey: Buffer;
  let storage: MegaStorage;

  beforeAll(async () => {
    h = await Harness.start();
    ({ masterKey } = await h.emu.createAccount({ email: EMAIL, password: PASSWORD }));
    const parent = buildFolder(masterKey, { n: 'hostile' });
    const top = await h.emu.insertNode(EMAIL, { a: parent.a, k: parent.k });
    for (const name of ['..', '.', 'a/b', 'nul\u0000byte', 'dup', 'dup', 'Cafe\u0301']) {
      const built = buildFolder(masterKey, { n: name });
      await h.emu.insertNode(EMAIL, { parent: top, a: built.a, k: built.k });
    }
    const file = buildFile(masterKey, { n: 'no-fingerprint.txt' }, pattern(1000, 4));
    await h.emu.insertNode(EMAIL, { parent: top, a: file.a, k: file.k, data: file.data, ts: 1_600_000_000 });
    const garbled = randomBytes(16);
    await h.emu.insertNode(EMAIL, { parent: top, a: encryptAttributes(garbled, 'not MEGA json'), k: wrapKey(masterKey, garbled) });
    const bare = buildFolder(masterKey, { n: 'key without owner prefix' });
    await h.emu.insertNode(EMAIL, { parent: top, a: bare.a, k: bare.k, kExact: true });
    storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
  });
  afterAll(() => h.close());

  it('megajs lists the hostile names exactly as stored', () => {
    const names = storage.root.navigate('hostile').children.map((c: any) => c.name);
    expect(names.sort()).toEqual(
      ['..', '.', 'a/b', 'nul\u0000byte', 'dup', 'dup', 'Cafe\u0301', 'no-fingerprint.txt', null, 'key without owner prefix'].sort(),
    );
  });

  it('a directly built file downloads and verifies (SDK MAC), with its server ts', async () => {
    const file = storage.root.navigate('hostile').children.find((c: any) => c.name === 'no-fingerprint.txt');
    expect(file.timestamp).toBe(1_600_000_000);
    expect(file.attributes).toEqual({ n: 'no-fingerprint.txt' });
    expect((await download(file)).equals(pattern(1000, 4))).toBe(true);
  });

  it('inserts over the HTTP control endpoint too', async () => {
    const built = buildFile(masterKey, { n: 'via-http.bin' }, Buffer.from('over http'));
    const root = h.emu.account(EMAIL)!.roots.drive;
    const res = await fetch(`${h.emu.url}__emulator/nodes`, {
      method: 'POST',
      body: JSON.stringify({ email: EMAIL, parent: root, a: built.a, k: built.k, data: built.data.toString('base64') }),
    });
    const { h: handle } = (await res.json()) as { h: string };
    const listed = (await (await fetch(`${h.emu.url}__emulator/nodes?email=${EMAIL}`)).json()) as { f: any[] };
    expect(listed.f.find((n) => n.h === handle)).toMatchObject({ p: root, t: 0, s: 9 });
    const fresh = await h.login(EMAIL, PASSWORD, { keepalive: false });
    expect((await download(fresh.root.navigate('via-http.bin'))).toString()).toBe('over http');
  });
});
