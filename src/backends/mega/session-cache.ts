/**
 * The session cache: one file per account and gateway in `<stateDir>/sessions/`, named by
 * sha256(email + gateway) so that the file name reveals neither, written atomically with mode 0600
 * (the folder 0700). It holds what megajs's `Storage.toJSON()` holds minus the password and any 2FA
 * code: the session id and the master key, which together open the account, so the file is as
 * secret as a password and is never logged.
 *
 * Contract: `load` returns null for a missing, unreadable or malformed file (a fresh login follows);
 * `save` and `remove` throw MegamirrorErrors from `fromSystemError`.
 */

import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fromSystemError } from '../../errors.js';
import { fromBase64Url } from './crypto/index.js';

export interface CachedSession {
  /** base64url of the 16-byte master key. */
  key: string;
  sid: string;
  /** The account's user handle. */
  user: string;
  name?: string;
}

interface CacheFile {
  formatVersion: 1;
  email: string;
  gateway: string;
  savedAt: string;
  session: CachedSession & { options?: Record<string, unknown> };
}

export function sessionCachePath(stateDir: string, email: string, gateway: string): string {
  const id = createHash('sha256').update(`${email.toLowerCase()}\n${gateway}`).digest('hex');
  return join(stateDir, 'sessions', `${id}.json`);
}

export async function loadSession(path: string, email: string, gateway: string): Promise<CachedSession | null> {
  let parsed: Partial<CacheFile>;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheFile>;
  } catch {
    return null;
  }
  const s = parsed.session;
  if (parsed.formatVersion !== 1 || parsed.email !== email.toLowerCase() || parsed.gateway !== gateway) return null;
  if (!s || typeof s.key !== 'string' || typeof s.sid !== 'string' || typeof s.user !== 'string') return null;
  if (fromBase64Url(s.key)?.length !== 16) return null;
  return { key: s.key, sid: s.sid, user: s.user, ...(typeof s.name === 'string' ? { name: s.name } : {}) };
}

/** `storageJson` is megajs's `toJSON()`; the password and any 2FA code are stripped here. */
export async function saveSession(
  path: string, email: string, gateway: string, storageJson: CachedSession & { options?: Record<string, unknown> },
): Promise<void> {
  const { options, ...session } = storageJson;
  const safeOptions = options ? stripSecrets(options) : undefined;
  const body: CacheFile = {
    formatVersion: 1,
    email: email.toLowerCase(),
    gateway,
    savedAt: new Date().toISOString(),
    session: { ...session, ...(safeOptions ? { options: safeOptions } : {}) },
  };
  const dir = join(path, '..');
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw fromSystemError(err, path);
  }
}

export async function removeSession(path: string): Promise<void> {
  await rm(path, { force: true }).catch((err) => {
    throw fromSystemError(err, path);
  });
}

const SECRET_OPTIONS = new Set(['password', 'secondFactorCode']);

function stripSecrets(options: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    if (SECRET_OPTIONS.has(k) || typeof v === 'function' || (v !== null && typeof v === 'object')) continue;
    out[k] = v;
  }
  return out;
}
