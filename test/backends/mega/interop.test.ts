/**
 * Interoperability with the clients that write MEGA's format: files megamirror uploads download and
 * verify with unmodified megajs (where megajs's MAC agrees with the SDK, see MEGA.md), and files
 * built exactly as the SDK builds them (its MAC, including 0 and 131072 bytes, where megajs
 * differs) download and verify with megamirror. A wrong MAC is an integrity error naming the file
 * and leaves nothing under the final name.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from 'megajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../../src/backends/local/index.js';
import { encryptAttributes as ourAttributes, fingerprintBuffer, macOfBuffer, packNodeKey, parseFingerprint, randomFileSecrets, toBase64Url, wrapKey as ourWrap, ctrCrypt } from '../../../src/backends/mega/crypto/index.js';
import { nodeCrypto } from '../../../src/emulator/index.js';
import { EMAIL, megaFixture, PASSWORD, pattern, put, read, type MegaFixture } from './helpers.js';

const T = Date.parse('2023-03-04T05:06:07Z');
const AGREE = [1, 15, 16, 17, 131073, 3 * 1024 * 1024 + 5];
const DISAGREE = [0, 131071, 131072, 393216];

function megajsLogin(fx: MegaFixture): Promise<any> {
  const s = new Storage({ email: EMAIL, password: PASSWORD, gateway: fx.emu.gateway, keepalive: false } as never) as any;
  s.api.on('error', () => undefined);
  return s.ready;
}

function megajsDownload(file: any): Promise<Buffer> {
  return Promise.race([
    file.downloadBuffer({}) as Promise<Buffer>,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('megajs download timed out')), 20_000)),
  ]);
}

describe('interop with megajs and the SDK format', () => {
  let fx: MegaFixture;
  beforeEach(async () => {
    fx = await megaFixture();
  });
  afterEach(() => fx.cleanup());

  it('files megamirror writes download and verify with unmodified megajs, with the mtime in c', async () => {
    const b = await fx.open('/interop');
    await b.mkdir('');
    for (const size of [...AGREE, ...DISAGREE]) await put(b, `f${size}.bin`, pattern(size, size + 1), T);
    await b.close();
    const storage = await megajsLogin(fx);
    for (const size of AGREE) {
      const file = storage.root.navigate(`interop/f${size}.bin`);
      expect(file.size).toBe(size);
      expect((await megajsDownload(file)).equals(pattern(size, size + 1))).toBe(true);
      expect(parseFingerprint(file.attributes.c)?.mtimeSeconds).toBe(T / 1000);
      // The fingerprint is the SDK's for this content (what MEGA's own clients compare).
      expect(file.attributes.c).toBe(fingerprintBuffer(pattern(size, size + 1), T / 1000).c);
    }
    // Where megajs's MAC differs from the SDK's, it rejects our (SDK-exact) files, as it rejects
    // the official clients' ones (MEGA.md); megamirror reads them back intact.
    for (const size of DISAGREE.filter((s) => s > 0)) {
      const file = storage.root.navigate(`interop/f${size}.bin`);
      await expect(megajsDownload(file)).rejects.toThrow(/MAC verification failed/);
    }
    const again = await fx.open('/interop');
    for (const size of DISAGREE) expect((await read(again, `f${size}.bin`)).equals(pattern(size, size + 1))).toBe(true);
  });

  it.each([0, 1, 16, 131071, 131072, 131073, 393216, 4718592])('an SDK-built file of %i bytes downloads and verifies', async (size) => {
    const data = pattern(size, 7);
    const folder = nodeCrypto.buildFolder(fx.masterKey, { n: 'sdk' });
    const parent = await fx.emu.insertNode(EMAIL, { t: 1, a: folder.a, k: folder.k });
    const fp = fingerprintBuffer(data, T / 1000);
    const file = nodeCrypto.buildFile(fx.masterKey, { n: 'file.bin', c: fp.c }, data);
    await fx.emu.insertNode(EMAIL, { parent, a: file.a, k: file.k, data: file.data });
    const b = await fx.open('/sdk');
    expect(await b.stat('file.bin')).toMatchObject({ kind: 'file', size, mtimeMs: T });
    expect((await read(b, 'file.bin')).equals(data)).toBe(true);
  });

  it('a file built with our crypto layer by hand (no megajs) reads back; its twin with a wrong MAC fails by name', async () => {
    const data = pattern(200_000, 3);
    const secrets = randomFileSecrets();
    const good = packNodeKey({ ...secrets, macCondensed: macOfBuffer(secrets.aesKey, secrets.nonce, data) });
    const bad = packNodeKey({ ...secrets, macCondensed: Buffer.alloc(8, 1) });
    const cipher = ctrCrypt(secrets.aesKey, secrets.nonce, data);
    const folder = nodeCrypto.buildFolder(fx.masterKey, { n: 'hand' });
    const parent = await fx.emu.insertNode(EMAIL, { t: 1, a: folder.a, k: folder.k });
    for (const [name, key] of [['good.bin', good], ['bad.bin', bad]] as const) {
      await fx.emu.insertNode(EMAIL, { parent, a: ourAttributes({ n: name }, key), k: toBase64Url(ourWrap(fx.masterKey, key)), data: cipher });
    }
    const b = await fx.open('/hand');
    expect((await read(b, 'good.bin')).equals(data)).toBe(true);
    expect(await b.stat('good.bin')).toMatchObject({ size: 200_000, mtimeMs: null });
    await expect(read(b, 'bad.bin')).rejects.toMatchObject({ code: 'integrity', where: 'bad.bin' });

    // End to end into a local folder: the failed download leaves no file and no partial behind.
    const dir = await mkdtemp(join(tmpdir(), 'mm-interop-'));
    try {
      const local = new LocalBackend(dir);
      await expect(
        local.write('bad.bin', { open: () => b.openRead('bad.bin') }, { size: 200_000, mtimeMs: null }),
      ).rejects.toMatchObject({ code: 'integrity' });
      expect(await readdir(dir)).toEqual([]);
      await local.write('good.bin', { open: () => b.openRead('good.bin') }, { size: 200_000, mtimeMs: T });
      expect(await readdir(dir)).toEqual(['good.bin']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
