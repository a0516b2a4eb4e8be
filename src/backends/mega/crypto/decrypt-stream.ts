/**
 * Download side: ciphertext in (from offset 0, the whole file), plaintext out, MAC verified at the
 * end against M in the node key.
 *
 * Contract:
 * - Input: Buffers of any size. Output: one plaintext Buffer per input piece, same length.
 * - Plaintext is emitted before the MAC can be checked: write it somewhere temporary and commit
 *   only when the stream ended without error.
 * - On a MAC mismatch the stream fails with MegamirrorError('integrity', 'MAC verification failed',
 *   { where }) instead of ending. A truncated or extended ciphertext fails the same way.
 * - The constructor throws RangeError when `nodeKey` is not 32 bytes.
 * - For ranged reads (no MAC possible), use `CtrCipher` from `ctr.ts` at the range's offset.
 */

import { timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { MegamirrorError } from '../../../errors.js';
import { CtrCipher } from './ctr.js';
import { FileMac } from './mac.js';
import { unpackNodeKey } from './nodekey.js';

export interface DecryptOptions {
  /** Names the file in the integrity error (a path or handle); never key material. */
  where: string;
}

export class DecryptStream extends Transform {
  readonly #expected: Buffer;
  readonly #ctr: CtrCipher;
  readonly #mac: FileMac;
  readonly #where: string;

  constructor(nodeKey: Uint8Array, options: DecryptOptions) {
    super();
    const { aesKey, nonce, macCondensed } = unpackNodeKey(nodeKey);
    this.#expected = macCondensed;
    this.#ctr = new CtrCipher(aesKey, nonce);
    this.#mac = new FileMac(aesKey, nonce);
    this.#where = options.where;
  }

  /** Bytes decrypted so far. */
  get bytesDecrypted(): number {
    return this.#mac.position;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const plain = this.#ctr.update(chunk);
      this.#mac.update(plain);
      callback(null, plain);
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (timingSafeEqual(this.#mac.digest(), this.#expected)) {
      callback();
      return;
    }
    callback(new MegamirrorError('integrity', 'MAC verification failed', { where: this.#where }));
  }
}

/** A new DecryptStream for a 32-byte file node key. */
export function createDecryptStream(nodeKey: Uint8Array, options: DecryptOptions): DecryptStream {
  return new DecryptStream(nodeKey, options);
}
