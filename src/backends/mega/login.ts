/**
 * A fresh login with megajs (prelogin, v1/v2 key derivation, hashcash, RSA session id), bounded in
 * time, without the node tree (`autoload: false`) and without the `sc` channel (`keepalive: false`).
 * The Storage object is dropped afterwards and never closed: `close()` would end the session.
 *
 * Contract: resolves with megajs's `toJSON()` (it holds the sid and the master key, never the
 * password: megajs deletes it once used; the 2FA code is stripped by the session cache). Rejects
 * with a MegamirrorError classified for a login: `auth` (wrong email or password, -9; wrong 2FA
 * code, -5), `mfa-required` (-26), `blocked` (-16), transient network or server errors, `timeout`.
 * No message contains the password.
 */

import { Storage } from 'megajs';
import { MegamirrorError } from '../../errors.js';
import { VERSION } from '../../version.js';
import { classify } from './errors.js';
import type { CachedSession } from './session-cache.js';

export interface LoginInput {
  email: string;
  password: string;
  gateway?: string;
  secondFactorCode?: string;
  timeoutMs: number;
  where?: string;
}

export async function megajsLogin(i: LoginInput): Promise<CachedSession & { options?: Record<string, unknown> }> {
  const storage = new Storage({
    email: i.email,
    password: i.password,
    keepalive: false,
    autoload: false,
    userAgent: `megamirror/${VERSION}`,
    ...(i.gateway ? { gateway: i.gateway } : {}),
    ...(i.secondFactorCode ? { secondFactorCode: i.secondFactorCode } : {}),
  });
  storage.api.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MegamirrorError('timeout', `MEGA login did not finish within ${Math.round(i.timeoutMs / 1000)} s`, { transient: true, ...(i.where ? { where: i.where } : {}) })),
      i.timeoutMs,
    );
  });
  try {
    await Promise.race([storage.ready, timeout]);
    return storage.toJSON() as CachedSession & { options?: Record<string, unknown> };
  } catch (err) {
    throw classify(err, { op: 'login', ...(i.where ? { where: i.where } : {}) });
  } finally {
    clearTimeout(timer);
    // Stop anything megajs may still have pending without sending `sml`.
    storage.api.close();
  }
}
