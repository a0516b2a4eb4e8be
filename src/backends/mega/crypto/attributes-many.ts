/**
 * Many nodes' attributes decrypted in one native call (native/attributes.c): a decipher object and
 * its Buffers per node was most of the time spent decoding a 100,000-node tree. Same results as
 * decryptAttributes for each item, invalid input included (null); null for the whole batch when
 * the native helper is not there, and the caller then decrypts one by one.
 */

import { nativeHelpers } from '../../../native.js';
import { parseAttributeBytes, type NodeAttributes } from './attributes.js';
import { BASE64URL } from './base64url.js';

export interface AttributeItem {
  a: unknown;
  /** The node key: 16 bytes (folder) or 32 (file). */
  key: Uint8Array;
}

export function decryptAttributesMany(items: readonly AttributeItem[]): Array<NodeAttributes | null> | null {
  const decrypt = nativeHelpers()?.cbcDecryptMany;
  if (decrypt === undefined) return null;
  const n = items.length;
  // Every ciphertext is decoded straight into one buffer and every attribute key written into
  // another: no Buffer per node (100,000 nodes made 300,000 short-lived ones).
  const sizes = new Int32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const size = base64UrlSize(items[i]!.a);
    const keyLength = items[i]!.key instanceof Uint8Array ? items[i]!.key.byteLength : 0;
    if (size > 0 && size % 16 === 0 && (keyLength === 16 || keyLength === 32)) {
      sizes[i] = size;
      total += size;
    }
  }
  const keys = Buffer.alloc(16 * n);
  const data = Buffer.allocUnsafe(total);
  const ends = new Uint32Array(n);
  let at = 0;
  for (let i = 0; i < n; i++) {
    if (sizes[i] !== 0) {
      const { a, key } = items[i]!;
      writeAttributeKey(key, keys, 16 * i);
      data.write(a as string, at, 'base64url');
      at += sizes[i]!;
    }
    ends[i] = at;
  }
  const out = decrypt(keys, data, ends);
  const plain = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  const result = new Array<NodeAttributes | null>(n);
  for (let i = 0; i < n; i++) {
    result[i] = sizes[i] !== 0 ? parseAttributeBytes(plain, i === 0 ? 0 : ends[i - 1]!, ends[i]!) : null;
  }
  return result;
}

/** The decoded size of a base64url text (as fromBase64Url would decode it), or 0 for anything else. */
function base64UrlSize(text: unknown): number {
  if (typeof text !== 'string' || text.length % 4 === 1 || !BASE64URL.test(text)) return 0;
  return Math.floor((text.length * 3) / 4);
}

/** attributeKey(key), written at `keys[at..at+16]`: a folder key as it is, a file key's halves XORed. */
function writeAttributeKey(key: Uint8Array, keys: Buffer, at: number): void {
  if (key.byteLength === 16) {
    keys.set(key, at);
    return;
  }
  for (let j = 0; j < 16; j++) keys[at + j] = key[j]! ^ key[j + 16]!;
}
