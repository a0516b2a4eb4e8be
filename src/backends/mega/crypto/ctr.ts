/**
 * Content encryption: AES-128-CTR with key K and IV `N || counter`, the counter a 64-bit big-endian
 * block index from the start of the file. Encryption and decryption are the same operation.
 */

import { createCipheriv, type Cipher } from 'node:crypto';
import { requireLength } from './bytes.js';
import { CIPHER_SLICE_BYTES } from './slicing.js';

/** The 16-byte CTR IV for the block that contains byte `offset`: `N || BE64(floor(offset / 16))`. */
export function ctrIv(nonce: Uint8Array, offset = 0): Buffer {
  requireLength(nonce, 8, 'nonce');
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative safe integer, got ${offset}`);
  }
  const iv = Buffer.alloc(16);
  iv.set(nonce, 0);
  iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8);
  return iv;
}

/**
 * A CTR keystream positioned at byte `offset` of a file (any offset, not only block-aligned), for
 * whole files (offset 0) and for ranged downloads. `update` takes pieces of any size and keeps the
 * counter continuous across them. Throws RangeError on a bad key, nonce or offset.
 */
export class CtrCipher {
  readonly #cipher: Cipher;

  constructor(aesKey: Uint8Array, nonce: Uint8Array, offset = 0) {
    requireLength(aesKey, 16, 'aesKey');
    this.#cipher = createCipheriv('aes-128-ctr', aesKey, ctrIv(nonce, offset));
    const skip = offset % 16;
    if (skip !== 0) this.#cipher.update(Buffer.alloc(skip));
  }

  /** The next `data.length` bytes en- or decrypted, in a new Buffer; `data` is left untouched. */
  update(data: Uint8Array): Buffer {
    if (data.byteLength <= CIPHER_SLICE_BYTES) return this.#cipher.update(data);
    const parts: Buffer[] = [];
    for (let p = 0; p < data.byteLength; p += CIPHER_SLICE_BYTES) {
      parts.push(this.#cipher.update(data.subarray(p, p + CIPHER_SLICE_BYTES)));
    }
    return Buffer.concat(parts, data.byteLength);
  }
}

/** One-shot: en- or decrypt `data` that starts at byte `offset` of the file. */
export function ctrCrypt(aesKey: Uint8Array, nonce: Uint8Array, data: Uint8Array, offset = 0): Buffer {
  return new CtrCipher(aesKey, nonce, offset).update(data);
}
