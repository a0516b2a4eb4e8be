import { Storage } from 'megajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Harness, withTimeout } from './helpers.js';

describe('emulator: login and sessions with megajs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.start();
    await h.emu.createAccount({ email: 'V1@Example.com', password: 'old password', version: 1 });
    await h.emu.createAccount({ email: 'v2@example.com', password: 'pässwörd-v2' });
    await h.emu.createAccount({ email: 'mfa@example.com', password: 'secret', mfaCode: '123456' });
  });
  afterAll(() => h.close());

  it('logs in a v1 account (legacy key derivation), email case-insensitive', async () => {
    const storage = await h.login('v1@example.com', 'old password');
    expect(storage.user).toBe(h.emu.account('v1@example.com')!.userHandle);
    expect(storage.root.name).toBe('Cloud Drive');
    expect(storage.trash.name).toBe('Rubbish Bin');
    expect(storage.inbox.name).toBe('Inbox');
    expect(storage.root.children).toEqual([]);
  });

  it('logs in a v2 account (PBKDF2 with salt)', async () => {
    const storage = await h.login('v2@example.com', 'pässwörd-v2');
    expect(storage.sid).toMatch(/^[\w-]{58}$/);
    const info = await storage.getAccountInfo();
    expect(info.spaceUsed).toBe(0);
    expect(info.spaceTotal).toBeGreaterThan(0);
  });

  it('rejects a wrong password and an unknown user with ENOENT (-9)', async () => {
    await expect(h.login('v2@example.com', 'wrong')).rejects.toThrow(/ENOENT \(-9\)/);
    await expect(h.login('v1@example.com', 'wrong')).rejects.toThrow(/ENOENT \(-9\)/);
    await expect(h.login('nobody@example.com', 'x')).rejects.toThrow(/ENOENT \(-9\)/);
  });

  it('requires the 2FA code (-26) and rejects a wrong one (-5)', async () => {
    await expect(h.login('mfa@example.com', 'secret')).rejects.toThrow(/EMFAREQUIRED \(-26\)/);
    await expect(h.login('mfa@example.com', 'secret', { secondFactorCode: '000000' })).rejects.toThrow(/EFAILED \(-5\)/);
    const storage = await h.login('mfa@example.com', 'secret', { secondFactorCode: '123456' });
    expect(storage.status).toBe('ready');
  });

  it('reuses a session with toJSON/fromJSON without logging in again', async () => {
    const first = await h.login('v2@example.com', 'pässwörd-v2');
    await first.mkdir('kept');
    const json = JSON.parse(JSON.stringify(first.toJSON()));
    const logins = h.emu.stats.commands.us ?? 0;
    const again = h.track(Storage.fromJSON(json));
    await withTimeout(again.reload(), 10_000, 'reload');
    expect(again.root.children.map((c: any) => c.name)).toContain('kept');
    expect(h.emu.stats.commands.us ?? 0).toBe(logins);
  });

  it('sml (close) invalidates the sid: later requests get ESID (-15)', async () => {
    const storage = await h.login('v2@example.com', 'pässwörd-v2');
    const json = JSON.parse(JSON.stringify(storage.toJSON()));
    await withTimeout(storage.close(), 10_000, 'close');
    const stale = h.track(Storage.fromJSON(json));
    await expect(withTimeout(stale.reload(), 10_000, 'reload')).rejects.toThrow(/ESID \(-15\)/);
  });

  it('expires sessions on demand (-15)', async () => {
    const storage = await h.login('v1@example.com', 'old password');
    expect(h.emu.expireSessions({ sid: storage.sid })).toBe(1);
    // (not getAccountInfo: megajs 1.3.10 crashes on its error path instead of rejecting)
    await expect(withTimeout(storage.mkdir('after-expiry'), 10_000)).rejects.toThrow(/ESID \(-15\)/);
  });
});

describe('emulator: logging in again on the same Storage after expiry', () => {
  it('us0/us ignore the stale sid megajs still sends', async () => {
    const h = await Harness.start();
    try {
      await h.emu.createAccount({ email: 'again@example.com', password: 'pw' });
      const storage = await h.login('again@example.com', 'pw', { keepalive: false });
      h.emu.expireSessions({ email: 'again@example.com' });
      await expect(withTimeout(storage.mkdir('x'), 10_000)).rejects.toThrow(/ESID/);
      storage.options.password = 'pw'; // megajs deletes it after login
      await withTimeout(storage.login(), 30_000, 're-login');
      await withTimeout(storage.mkdir('after-relogin'), 10_000);
    } finally {
      await h.close();
    }
  });
});
