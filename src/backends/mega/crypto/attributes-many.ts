/**
 * Many nodes' attributes decrypted in one native call (native/attributes.c): a decipher object and
 * its Buffers per node was most of the time spent decoding a 100,000-node tree. Same results as
 * decryptAttributes for each item, invalid input included (null); null for the whole batch when
 * the native helper is not there, and the caller then decrypts one by one.
 */

import { nativeHelpers } from '../../../native.js';
import { attributeKey, parseAttributePlaintext, type NodeAttributes } from './attributes.js';
import { fromBase64Url } from './base64url.js';

export interface AttributeItem {
  a: unknown;
  /** The node key: 16 bytes (folder) or 32 (file). */
  key: Uint8Array;
}

export function decryptAttributesMany(items: readonly AttributeItem[]): Array<NodeAttributes | null> | null {
  const decrypt = nativeHelpers()?.cbcDecryptMany;
  if (decrypt === undefined) return null;
  const n = items.length;
  const keys = Buffer.alloc(16 * n);
  const ends = new Uint32Array(n);
  const valid = new Uint8Array(n);
  const pieces: Buffer[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const bytes = fromBase64Url(items[i]!.a);
    const key = items[i]!.key instanceof Uint8Array ? attributeKey(items[i]!.key) : null;
    if (bytes && key && bytes.length > 0 && bytes.length % 16 === 0) {
      key.copy(keys, 16 * i);
      pieces.push(bytes);
      at += bytes.length;
      valid[i] = 1;
    }
    ends[i] = at;
  }
  const out = decrypt(keys, Buffer.concat(pieces, at), ends);
  const plain = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  const result = new Array<NodeAttributes | null>(n);
  for (let i = 0; i < n; i++) {
    result[i] = valid[i] === 1 ? parseAttributePlaintext(plain.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!)) : null;
  }
  return result;
}
