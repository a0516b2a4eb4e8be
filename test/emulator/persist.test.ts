import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from 'megajs';
import { afterAll, describe, expect, it } from 'vitest';
import { download, Harness, pattern, upload, withTimeout } from './helpers.js';

const EMAIL = 'persist@example.com';
const PASSWORD = 'persist password';

describe('emulator: state in a folder survives a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mega-emu-state-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps accounts, tree, file bytes and sessions', async () => {
    const data = pattern(400_000, 21);
    let h = await Harness.start({ stateDir: dir, accounts: [{ email: EMAIL, password: PASSWORD, version: 1 }] });
    let storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
    const dir1 = await storage.mkdir('kept');
    await upload(dir1, 'data.bin', data);
    const doomed = await upload(storage.root, 'doomed.bin', pattern(5000));
    await withTimeout(doomed.delete(true), 10_000);
    const session = JSON.parse(JSON.stringify(storage.toJSON()));
    h.sessions.length = 0; // keep the session alive across the restart (no sml)
    storage.api.close();
    await h.close();

    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(1); // the deleted file's bytes are gone

    h = await Harness.start({ stateDir: dir, accounts: [{ email: EMAIL, password: PASSWORD }] });
    session.options.gateway = h.emu.gateway; // a new port (fixed ports could race other test files)
    try {
      expect(h.emu.account(EMAIL)?.version).toBe(1); // existing account kept, not recreated
      storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
      const file = storage.navigate('kept/data.bin');
      expect(file?.size).toBe(data.length);
      expect((await download(file)).equals(data)).toBe(true);
      expect(storage.navigate('doomed.bin')).toBeFalsy();

      const reused = h.track(Storage.fromJSON(session));
      await withTimeout(reused.reload(), 10_000);
      expect(reused.root.navigate('kept/data.bin')?.size).toBe(data.length);
    } finally {
      await h.close();
    }
  });

  it('removes blobs no node refers to at start (uploads never completed by p)', async () => {
    const h = await Harness.start({ stateDir: dir });
    const storage = await h.login(EMAIL, PASSWORD, { keepalive: false });
    const { p: url } = (await storage.api.request({ a: 'u', s: 10 })) as { p: string };
    const reply = await fetch(`${url}/0`, { method: 'POST', body: Buffer.alloc(10) });
    expect((await reply.arrayBuffer()).byteLength).toBe(36);
    await h.close();
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(2);
    const again = await Harness.start({ stateDir: dir });
    await again.close();
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(1);
  });
});
