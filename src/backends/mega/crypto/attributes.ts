/**
 * Node attributes (`a`): the bytes `"MEGA" + JSON` (UTF-8), zero-padded to a multiple of 16,
 * AES-128-CBC with IV 0 under the attribute key, then base64url. The key is a folder's 16-byte key,
 * or for a file K = bytes 0..15 xor 16..31 of its 32-byte node key; both functions take either
 * (by length) and derive K themselves.
 *
 * Keys used by official clients: `n` name, `c` fingerprint (see `fingerprint.ts`), `t` mtime (web
 * client only). Names must be NFC-normalized by the caller before encrypting (official clients store
 * NFC); nothing here normalizes.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { asBuffer, xorBytes } from './bytes.js';
import { fromBase64Url, toBase64Url } from './base64url.js';

const ZERO_IV = Buffer.alloc(16);
const MAGIC = Buffer.from('MEGA{', 'latin1');

export type NodeAttributes = Record<string, unknown>;

/**
 * Encrypt `attrs` to the `a` string. `key`: 16 bytes (folder) or 32 (file node key). Throws
 * RangeError on another key length and TypeError when `attrs` cannot be JSON-serialized.
 */
export function encryptAttributes(attrs: NodeAttributes, key: Uint8Array): string {
  const aesKey = attributeKey(key);
  if (!aesKey) throw new RangeError(`an attribute key must be 16 or 32 bytes, got ${key.byteLength}`);
  const json = Buffer.from(`MEGA${JSON.stringify(attrs)}`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 16) * 16);
  json.copy(padded);
  const cipher = createCipheriv('aes-128-cbc', aesKey, ZERO_IV).setAutoPadding(false);
  return toBase64Url(Buffer.concat([cipher.update(padded), cipher.final()]));
}

/**
 * Decrypt an `a` string to its attribute object. Returns null, never throws, when the input is not
 * valid attributes for this key: not a string, bad base64url, length not a positive multiple of 16,
 * a wrong key or key length, no `MEGA{` prefix, or JSON that is not an object. The text ends at
 * the first NUL (the padding; JSON itself never contains a raw NUL), as in megajs.
 */
export function decryptAttributes(a: unknown, key: Uint8Array): NodeAttributes | null {
  const bytes = fromBase64Url(a);
  const aesKey = key instanceof Uint8Array ? attributeKey(key) : null;
  if (!bytes || !aesKey || bytes.length === 0 || bytes.length % 16 !== 0) return null;
  const decipher = createDecipheriv('aes-128-cbc', aesKey, ZERO_IV).setAutoPadding(false);
  return parseAttributePlaintext(Buffer.concat([decipher.update(bytes), decipher.final()]));
}

/** Decrypted attribute bytes to the attribute object, or null (see decryptAttributes). */
export function parseAttributePlaintext(plain: Buffer): NodeAttributes | null {
  return parseAttributeBytes(plain, 0, plain.length);
}

/** parseAttributePlaintext of `buf[start..end]`, without a Buffer for the range. */
export function parseAttributeBytes(buf: Buffer, start: number, end: number): NodeAttributes | null {
  if (end - start < MAGIC.length || buf.compare(MAGIC, 0, MAGIC.length, start, start + MAGIC.length) !== 0) return null;
  // Searched only within the range: a plaintext without padding must not scan on into the
  // next node's bytes (a folder of them made a batch quadratic).
  let stop = start + MAGIC.length;
  while (stop < end && buf[stop] !== 0) stop++;
  try {
    const parsed: unknown = JSON.parse(buf.toString('utf8', start + 4, stop));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as NodeAttributes) : null;
  } catch {
    return null;
  }
}

/** Why both lengths: callers hold a file's node key or a folder's key, and should not care. */
export function attributeKey(key: Uint8Array): Buffer | null {
  if (key.byteLength === 16) return asBuffer(key);
  if (key.byteLength === 32) return xorBytes(key.subarray(0, 16), key.subarray(16, 32));
  return null;
}
