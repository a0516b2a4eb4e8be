/**
 * The public-link backend against the emulator: the read contract for folder links, a file link
 * as a folder holding its file, MAC-verified downloads, `macProof`, and links that are gone or
 * carry a wrong key. Content is written with the account backend, then exported by the emulator's
 * test hook.
 */
import { buffer } from 'node:stream/consumers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicLinkBackend } from '../../../src/backends/mega/public/index.js';
import { DEFAULT_TIMEOUTS } from '../../../src/backends/mega/session.js';
import { withRetry } from '../../../src/backends/wrappers/retry.js';
import { parseMegaLink, redactLink } from '../../../src/config/mega-link.js';
import { macOfBuffer } from '../../../src/backends/mega/crypto/index.js';
import { readContract } from '../read-contract.js';
import { EMAIL, FAST, megaFixture, put, type MegaFixture } from './helpers.js';

let fx: MegaFixture | undefined;
let fixture: Promise<MegaFixture> | undefined;
let n = 0;
const shared = () => (fixture ??= megaFixture().then((f) => (fx = f)));
afterAll(async () => fx?.cleanup());

function open(f: MegaFixture, url: string): PublicLinkBackend {
  const link = parseMegaLink(url).link!;
  return new PublicLinkBackend({ link, display: redactLink(url), gateway: f.emu.gateway, timeouts: { ...DEFAULT_TIMEOUTS, ...FAST } });
}

readContract(
  'mega folder link (emulator)',
  async (seed) => {
    const f = await shared();
    const root = `/links/seed-${++n}`;
    const b = await f.open(root);
    await b.mkdir('');
    for (const [path, content] of Object.entries(seed)) {
      if (content === null) await b.mkdir(path.replace(/\/$/, ''));
      else await put(b, path, content);
    }
    await b.close();
    const { url } = f.emu.exportLink(EMAIL, { masterKey: f.masterKey, path: root });
    return { backend: open(f, url), cleanup: async () => undefined };
  },
  { readOnly: true },
);

describe('public-link backend', () => {
  let f: MegaFixture;
  let fileUrl: string;
  let folderUrl: string;
  beforeAll(async () => {
    f = await shared();
    const b = await f.open('/links/other');
    await b.mkdir('');
    await put(b, 'photo.jpg', 'jpeg bytes');
    await b.close();
    fileUrl = f.emu.exportLink(EMAIL, { masterKey: f.masterKey, path: '/links/other/photo.jpg' }).url;
    folderUrl = f.emu.exportLink(EMAIL, { masterKey: f.masterKey, path: '/links/other' }).url;
  });

  it('a file link is a folder holding that one file', async () => {
    const b = open(f, fileUrl);
    expect(b.display).toMatch(/^https:\/\/mega\.nz\/file\/[\w-]{8}#…$/);
    expect((await b.list()).entries).toMatchObject([{ kind: 'file', path: 'photo.jpg', size: 10, mtimeMs: Date.parse('2024-05-06T07:08:09Z') }]);
    expect((await buffer(await b.openRead('photo.jpg'))).toString()).toBe('jpeg bytes');
    expect(await b.stat('other.jpg')).toBeNull();
  });

  it('macProof gives the node key parts; the MAC proves content without a download', async () => {
    const b = open(f, folderUrl);
    const before = f.emu.stats.bytesDownloaded;
    const proof = (await b.macProof('photo.jpg'))!;
    expect(proof.fingerprinted).toBe(true);
    expect(macOfBuffer(proof.aesKey, proof.nonce, Buffer.from('jpeg bytes')).equals(proof.mac)).toBe(true);
    expect(f.emu.stats.bytesDownloaded).toBe(before);
  });

  it('corrupted bytes fail the read with an integrity error; the retry wrapper reads again', async () => {
    f.emu.faults.add({ target: 'download', corrupt: true, times: 1 });
    const b = withRetry(open(f, fileUrl), { retries: 2, minTimeoutMs: 10, maxTimeoutMs: 20 });
    await expect(buffer(await b.openRead('photo.jpg'))).rejects.toMatchObject({ code: 'integrity', where: 'photo.jpg' });
    expect((await buffer(await b.openRead('photo.jpg'))).toString()).toBe('jpeg bytes');
  });

  it('a dead link and a wrong key are errors, not empty folders', async () => {
    const dead = open(f, 'https://mega.nz/folder/AAAAAAAA#AAAAAAAAAAAAAAAAAAAAAA');
    await expect(dead.probeRoot()).rejects.toMatchObject({ code: 'not-found', where: 'https://mega.nz/folder/AAAAAAAA#…' });
    const wrong = open(f, `${folderUrl.slice(0, folderUrl.indexOf('#') + 1)}AAAAAAAAAAAAAAAAAAAAAA`);
    await expect(wrong.list()).rejects.toMatchObject({ code: 'auth' });
  });
});
