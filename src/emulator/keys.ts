/**
 * Login key derivation, as the clients do it, so the emulator can create accounts whose `us0`/`us`
 * replies a real client accepts. The emulator keeps only derived values (`uh`, wrapped keys),
 * never a password.
 *
 * v1: password key = 65536 rounds of AES-128-ECB over a fixed seed, keyed by each 16-byte block of
 *     the UTF-8 password; `uh` = an AES hash of the lowercased email under that key.
 * v2: PBKDF2-HMAC-SHA512(password, salt, 100000) -> 32 bytes: [0,16) password key, [16,32) `uh`.
 */
import { createCipheriv, createDecipheriv, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

const V1_SEED = Buffer.from('93c467e37db0c7a4d1be3f810152cb56', 'hex');
const V1_ROUNDS = 65536;
const V2_ROUNDS = 100_000;

export function aesEcbEncrypt(key: Buffer, data: Buffer): Buffer {
  return createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(data);
}

export function aesEcbDecrypt(key: Buffer, data: Buffer): Buffer {
  return createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(data);
}

export function prepareKeyV1(password: string): Buffer {
  const bytes = Buffer.from(password, 'utf8');
  const ciphers = [];
  for (let j = 0; j < bytes.length; j += 16) {
    const blockKey = Buffer.alloc(16);
    bytes.copy(blockKey, 0, j, Math.min(j + 16, bytes.length));
    // ECB keeps no state between update() calls, so one cipher per block key serves every round.
    ciphers.push(createCipheriv('aes-128-ecb', blockKey, null).setAutoPadding(false));
  }
  let pkey = Buffer.from(V1_SEED);
  for (let r = 0; r < V1_ROUNDS; r++) {
    for (const cipher of ciphers) pkey = cipher.update(pkey);
  }
  return pkey;
}

/** The v1 `uh`: XOR-fold the email into 16 bytes, 16384 ECB rounds, keep words 0 and 2. */
export function userHashV1(passwordKey: Buffer, email: string): Buffer {
  const bytes = Buffer.from(email.toLowerCase(), 'utf8');
  let hash = Buffer.alloc(16);
  for (let i = 0; i < bytes.length; i++) {
    const word = Math.floor(i / 4) & 3;
    hash[word * 4 + (i % 4)]! ^= bytes[i]!;
  }
  const cipher = createCipheriv('aes-128-ecb', passwordKey, null).setAutoPadding(false);
  for (let r = 0; r < 16384; r++) hash = cipher.update(hash);
  return Buffer.concat([hash.subarray(0, 4), hash.subarray(8, 12)]);
}

export interface DerivedLogin {
  /** Wraps the master key (AES-ECB). */
  passwordKey: Buffer;
  /** The user hash the client sends as `uh`, base64url on the wire. */
  uh: Buffer;
}

export async function deriveLoginV1(email: string, password: string): Promise<DerivedLogin> {
  const passwordKey = prepareKeyV1(password);
  return { passwordKey, uh: userHashV1(passwordKey, email) };
}

export async function deriveLoginV2(password: string, salt: Buffer): Promise<DerivedLogin> {
  const out = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, V2_ROUNDS, 32, 'sha512');
  return { passwordKey: out.subarray(0, 16), uh: out.subarray(16, 32) };
}
