/**
 * Sessions by account (email + gateway) for the whole process: one login per account per process.
 *
 * - Opening reuses the session cached in `<stateDir>/sessions/` (session-cache.ts); only without
 *   one does it log in (password from the job file or `password_command`), then caches the result.
 * - A login that fails for a reason retrying cannot cure (wrong password, 2FA needed, blocked) is
 *   remembered for ten minutes: opens fail at once with the same error (no login storm).
 *   Transient login failures are retried three times with backoff.
 */

import { MegamirrorError } from '../../errors.js';
import type { MegaRemoteConfig } from '../../config/types.js';
import { megajsLogin } from './login.js';
import { passwordSource, type PasswordSource } from './password.js';
import { loadSession, saveSession, sessionCachePath, type CachedSession } from './session-cache.js';
import { DEFAULT_TIMEOUTS, MegaSession, normalizeGateway, type MegaTimeouts } from './session.js';

/** How long a login failure that retrying cannot cure is remembered (the daemon lives long). */
const FAILED_LOGIN_MEMORY_MS = 10 * 60_000;

export interface SessionOptions {
  remote: MegaRemoteConfig;
  stateDir: string;
  /** The job file's folder (password commands run there). */
  cwd?: string;
  timeouts?: Partial<MegaTimeouts>;
  /** Backoff base for login retries, ms (tests shorten it). */
  loginBackoffMs?: number;
}

/** Sessions by account, for the whole process. */
export class SessionRegistry {
  #sessions = new Map<string, Promise<MegaSession>>();

  /** The session for this remote's account: the process's, the cached one, or a new login. */
  open(o: SessionOptions): Promise<MegaSession> {
    const gateway = normalizeGateway(o.remote.gateway);
    const key = `${o.remote.email.toLowerCase()}\n${gateway}`;
    let p = this.#sessions.get(key);
    if (!p) {
      p = createSession(o, gateway);
      this.#sessions.set(key, p);
      const entry = p;
      p.catch((e: unknown) => {
        // Remember what retrying cannot cure for a while (no login storm); let a later open try
        // again at once after a transient failure.
        const forget = () => {
          if (this.#sessions.get(key) === entry) this.#sessions.delete(key);
        };
        if (!(e instanceof MegamirrorError) || e.transient || e.code === 'timeout') forget();
        else setTimeout(forget, FAILED_LOGIN_MEMORY_MS).unref();
      });
    }
    return p;
  }

  /** Forget every session (tests). Never logs out: cached sessions stay valid. */
  clear(): void {
    this.#sessions.clear();
  }
}

export const sessions = new SessionRegistry();

async function createSession(o: SessionOptions, gateway: string): Promise<MegaSession> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
  const email = o.remote.email;
  const where = `remotes.${o.remote.name}`;
  const cachePath = sessionCachePath(o.stateDir, email, gateway);
  const password = passwordSource(o.remote, o.cwd ? { cwd: o.cwd } : {});
  const login = async (reason: 'fresh' | 'expired'): Promise<CachedSession> => {
    const session = await loginWithRetries({ email, gateway, password, timeouts, where, reason, backoffMs: o.loginBackoffMs ?? 1000 });
    await saveSession(cachePath, email, gateway, session);
    return session;
  };
  const cached = (await loadSession(cachePath, email, gateway)) ?? (await login('fresh'));
  return new MegaSession(email, gateway, cached, () => login('expired'), timeouts);
}

interface LoginContext {
  email: string;
  gateway: string;
  password: PasswordSource;
  timeouts: MegaTimeouts;
  where: string;
  reason: 'fresh' | 'expired';
  backoffMs: number;
}

async function loginWithRetries(c: LoginContext): Promise<CachedSession & { options?: Record<string, unknown> }> {
  const password = await c.password();
  if (password === null) {
    throw new MegamirrorError('auth', c.reason === 'expired' ? 'the MEGA session expired and no password is configured to log in again' : 'no MEGA session is cached and no password is configured', {
      where: c.where,
      hint: 'run `megamirror login REMOTE` to log in and cache a session, or set password or password_command',
    });
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await megajsLogin({ email: c.email, password, gateway: c.gateway, timeoutMs: c.timeouts.loginMs, where: c.where });
    } catch (err) {
      const e = err instanceof MegamirrorError ? err : new MegamirrorError('auth', 'MEGA login failed', { where: c.where });
      if (!e.transient || attempt >= 3) throw withWhere(e, c.where);
      await new Promise((r) => setTimeout(r, c.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random())));
    }
  }
}

function withWhere(e: MegamirrorError, where: string): MegamirrorError {
  if (e.where) return e;
  return new MegamirrorError(e.code, e.message, { where, ...(e.hint ? { hint: e.hint } : {}), transient: e.transient, cause: e });
}

