/**
 * Account creation and login checks. The emulator generates the master key and RSA pair at
 * creation (as a client would at signup) and keeps only what the service keeps: the master key
 * wrapped with the password key, the RSA private key wrapped with the master key, the `uh`
 * verifier and (v2) the salt. The master key is returned once, to the caller of createAccount.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { d64, e64, randomUserHandle } from './b64.js';
import { aesEcbDecrypt, aesEcbEncrypt, deriveLoginV1, deriveLoginV2, type DerivedLogin } from './keys.js';
import { encryptSessionId, generateRsaKeyPair } from './rsa.js';
import { DEFAULT_SETTINGS, type AccountRecord, type AccountSettings } from './types.js';

export interface AccountSpec {
  email: string;
  password: string;
  /** 1: legacy key derivation; 2 (default, as every recent account): PBKDF2 with a salt. */
  version?: 1 | 2;
  /** When set, `us` requires `mfa` equal to this code (-26 without, -5 when wrong). */
  mfaCode?: string;
  name?: string;
  settings?: Partial<AccountSettings>;
}

export interface CreatedAccount {
  email: string;
  userHandle: string;
  /** The 16-byte master key: what tests need to build nodes directly (see nodecrypto.ts). */
  masterKey: Buffer;
}

/** Builds the stored record; the caller adds the root nodes (their handles are given here). */
export async function buildAccountRecord(
  spec: AccountSpec,
  roots: AccountRecord['roots'],
  rsaBits: number,
): Promise<{ record: AccountRecord; masterKey: Buffer }> {
  const email = normalizeEmail(spec.email);
  if (!email.includes('@')) throw new Error('account email must contain @');
  const version = spec.version ?? 2;
  const salt = version === 2 ? randomBytes(32) : undefined;
  const login = await derive(email, spec.password, version, salt);
  const masterKey = randomBytes(16);
  const rsa = await generateRsaKeyPair(rsaBits);
  const record: AccountRecord = {
    email,
    handle: randomUserHandle(),
    name: spec.name ?? email.split('@')[0]!,
    version,
    uh: e64(login.uh),
    k: e64(aesEcbEncrypt(login.passwordKey, masterKey)),
    privk: e64(aesEcbEncrypt(masterKey, padTo16(rsa.privk))),
    pubk: e64(rsa.pubk),
    rsaN: rsa.n,
    rsaE: rsa.e,
    createdAt: Math.floor(Date.now() / 1000),
    roots,
    settings: { ...DEFAULT_SETTINGS, ...spec.settings },
    transferUsed: 0,
  };
  if (salt) record.salt = e64(salt);
  if (spec.mfaCode !== undefined) record.mfa = String(spec.mfaCode);
  return { record, masterKey };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** `us0` reply. Unknown emails get `{v:1}` so that login fails at `us` with -9, as for a wrong password. */
export function preloginReply(record: AccountRecord | undefined): { v: 1 } | { v: 2; s: string } {
  if (record?.version === 2 && record.salt) return { v: 2, s: record.salt };
  return { v: 1 };
}

export function uhMatches(record: AccountRecord, uh: unknown): boolean {
  if (typeof uh !== 'string') return false;
  const want = d64(record.uh);
  const got = d64(uh);
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A fresh session id: 43 random bytes, first non-zero (clients strip leading zero bytes). */
export function newSessionId(): Buffer {
  const sid = randomBytes(43);
  if (sid[0] === 0) sid[0] = 1;
  return sid;
}

/** `us` success reply for a new session. */
export function loginReply(record: AccountRecord, sid: Buffer): Record<string, unknown> {
  return {
    k: record.k,
    csid: e64(encryptSessionId(sid, { n: record.rsaN, e: record.rsaE })),
    privk: record.privk,
    u: record.handle,
    ach: 1,
  };
}

/** Unwraps the master key with a password (for test helpers after a restart). Throws if wrong. */
export async function masterKeyFromPassword(record: AccountRecord, password: string): Promise<Buffer> {
  const login = await derive(record.email, password, record.version, record.salt ? d64(record.salt) : undefined);
  if (!uhMatches(record, e64(login.uh))) throw new Error('wrong password');
  return aesEcbDecrypt(login.passwordKey, d64(record.k));
}

function derive(email: string, password: string, version: 1 | 2, salt: Buffer | undefined): Promise<DerivedLogin> {
  if (version === 2) return deriveLoginV2(password, salt!);
  return deriveLoginV1(email, password);
}

function padTo16(data: Buffer): Buffer {
  const rest = data.length % 16;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(16 - rest)]);
}
