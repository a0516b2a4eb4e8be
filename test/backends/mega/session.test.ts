/**
 * Sessions: one login per account per process, a cache file reused across processes (mode 0600,
 * without the password), one new login after -15, no retry storm on wrong credentials, 2FA
 * accounts through a cached session, and secrets kept out of every message.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { megajsLogin } from '../../../src/backends/mega/login.js';
import { overQuota } from '../../../src/backends/mega/errors.js';
import { saveSession, sessionCachePath } from '../../../src/backends/mega/session-cache.js';
import { SessionRegistry } from '../../../src/backends/mega/registry.js';
import { normalizeGateway } from '../../../src/backends/mega/session.js';
import { EMAIL, FAST, megaFixture, PASSWORD, put, read, type MegaFixture } from './helpers.js';

describe('MEGA sessions', () => {
  let fx: MegaFixture;
  afterEach(() => fx.cleanup());

  describe('plain account', () => {
    beforeEach(async () => {
      fx = await megaFixture();
    });

    it('logs in once, caches the session 0600 without the password, and the next process reuses it', async () => {
      const [a, b] = await Promise.all([fx.session(), fx.session()]);
      expect(a).toBe(b);
      expect(fx.emu.stats.commands.us).toBe(1);
      const dir = join(fx.stateDir, 'sessions');
      const [name] = await readdir(dir);
      expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
      expect((await stat(join(dir, name!))).mode & 0o777).toBe(0o600);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      const text = await readFile(join(dir, name!), 'utf8');
      expect(text).not.toContain(PASSWORD);
      expect(JSON.parse(text).session.options?.password).toBeUndefined();

      const backend = await fx.open('/s');
      await backend.mkdir('');
      await put(backend, 'f.txt', 'x');
      // A new process: a fresh registry reads the cache and does not log in.
      const next = new SessionRegistry();
      const s2 = await next.open({ remote: fx.remote, stateDir: fx.stateDir, timeouts: FAST });
      expect((await s2.tree()).size).toBeGreaterThan(3);
      expect(fx.emu.stats.commands.us).toBe(1);
    });

    it('an expired session logs in again once, and the cache gets the new session', async () => {
      const b = await fx.open('/exp');
      await b.mkdir('');
      const before = await readFile(sessionCachePath(fx.stateDir, EMAIL, normalizeGateway(fx.emu.gateway)), 'utf8');
      expect(fx.emu.expireSessions({ email: EMAIL })).toBeGreaterThan(0);
      await put(b, 'after-expiry.txt', 'still works');
      expect((await read(b, 'after-expiry.txt')).toString()).toBe('still works');
      expect(fx.emu.stats.commands.us).toBe(2);
      const after = await readFile(sessionCachePath(fx.stateDir, EMAIL, normalizeGateway(fx.emu.gateway)), 'utf8');
      expect(JSON.parse(after).session.sid).not.toBe(JSON.parse(before).session.sid);
    });

    it('a cached session from another life of the account (dead sid, other master key): the tree is read with the new login\'s keys', async () => {
      const b = await fx.open('/again');
      await b.mkdir('');
      await put(b, 'kept.txt', 'readable');
      // As after the account was made again under the same email: nothing in the cache is valid.
      const path = sessionCachePath(fx.stateDir, EMAIL, normalizeGateway(fx.emu.gateway));
      const cached = JSON.parse(await readFile(path, 'utf8')).session;
      await saveSession(path, EMAIL, normalizeGateway(fx.emu.gateway), { ...cached, sid: 'x'.repeat(43), key: 'A'.repeat(22) });
      const next = new SessionRegistry();
      const s = await next.open({ remote: fx.remote, stateDir: fx.stateDir, timeouts: FAST });
      const tree = await s.tree();
      const names = tree.children(tree.driveRoot).map((n) => tree.decode(n)?.name);
      expect(names).toContain('again');
      expect(fx.emu.stats.commands.us).toBe(2);
    });

    it('an over-quota answer is remembered: later transfers fail at once, worded as the first with the time left brought up to date', async () => {
      const s = await fx.session();
      s.noteError(overQuota('transfer', 5400, 'a.bin'));
      const err = (() => {
        try {
          s.checkQuota('transfer', 'b.bin');
        } catch (e) {
          return e as Error & { code?: string; where?: string; retryAfterSeconds?: number };
        }
        return null;
      })();
      expect(err).toMatchObject({ code: 'over-quota', where: 'b.bin' });
      expect(err!.message).toBe('the MEGA account is over its transfer quota; it resets in 90 min');
      expect(err!.retryAfterSeconds).toBeGreaterThan(5390);
      expect(() => s.checkQuota('storage', 'c.bin')).not.toThrow();
    });

    it('wrong credentials: a clear auth error, one attempt, and later opens fail without trying again', async () => {
      const registry = new SessionRegistry();
      const remote = { ...fx.remote, password: 'wrong password' };
      const open = () => registry.open({ remote, stateDir: fx.stateDir, timeouts: FAST });
      const err = await open().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'auth', where: 'remotes.mega', message: 'MEGA did not accept the email and password' });
      await expect(open()).rejects.toBe(err);
      expect(fx.emu.stats.commands.us).toBe(1);
      expect(String((err as Error).message) + String((err as { hint?: string }).hint)).not.toContain('wrong password');
    });

    it('password_command: the first line of its output is the password; a failing command says so without its output', async () => {
      const registry = new SessionRegistry();
      const good = { ...fx.remote, password: undefined, passwordCommand: `printf '%s\\nsecond line\\n' '${PASSWORD}'` };
      const s = await registry.open({ remote: good, stateDir: `${fx.stateDir}/a`, timeouts: FAST });
      expect(s.user).toBe(fx.emu.account(EMAIL)!.userHandle);
      const bad = { ...fx.remote, email: 'other@example.com', password: undefined, passwordCommand: 'echo s3cret-output; exit 3' };
      const err = await registry.open({ remote: bad, stateDir: `${fx.stateDir}/b`, timeouts: FAST }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'auth' });
      expect((err as Error).message).toMatch(/exited with 3/);
      expect((err as Error).message).not.toContain('s3cret');
    });

    it('no password and no cached session: an auth error pointing at `megamirror login`', async () => {
      const registry = new SessionRegistry();
      const remote = { ...fx.remote, password: undefined };
      await expect(registry.open({ remote, stateDir: `${fx.stateDir}/none`, timeouts: FAST })).rejects.toMatchObject({
        code: 'auth',
        hint: expect.stringContaining('megamirror login'),
      });
    });

    it('API errors never carry the session id', async () => {
      const s = await fx.session();
      fx.emu.faults.add({ target: 'api', command: 'f', http: 500 });
      const err = await s.api.request({ a: 'f', c: 1 }).catch((e: unknown) => e as Error);
      const sid = JSON.parse(await readFile(sessionCachePath(fx.stateDir, EMAIL, normalizeGateway(fx.emu.gateway)), 'utf8')).session.sid;
      expect(err).toMatchObject({ code: 'transient', transient: true });
      expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain(sid);
    });
  });

  describe('2FA account', () => {
    beforeEach(async () => {
      fx = await megaFixture({ mfaCode: '123456' });
    });

    it('without a cached session: mfa-required, with a hint to log in once', async () => {
      await expect(fx.session()).rejects.toMatchObject({ code: 'mfa-required', hint: expect.stringContaining('megamirror login') });
    });

    it('with a session cached by an interactive login, runs unattended', async () => {
      const gateway = normalizeGateway(fx.emu.gateway);
      await expect(megajsLogin({ email: EMAIL, password: PASSWORD, gateway, timeoutMs: 20_000, secondFactorCode: '000000' })).rejects.toMatchObject({ code: 'auth' });
      const json = await megajsLogin({ email: EMAIL, password: PASSWORD, gateway, timeoutMs: 20_000, secondFactorCode: '123456' });
      await saveSession(sessionCachePath(fx.stateDir, EMAIL, gateway), EMAIL, gateway, json);
      const text = await readFile(sessionCachePath(fx.stateDir, EMAIL, gateway), 'utf8');
      expect(text).not.toContain('123456');
      const b = await fx.open('/2fa');
      await b.mkdir('');
      await put(b, 'ok.txt', 'ok');
      expect((await read(b, 'ok.txt')).toString()).toBe('ok');
    });
  });
});
