/**
 * Upload side: plaintext in, ciphertext out, MAC computed on the way.
 *
 * Contract:
 * - Input: Buffers or Uint8Arrays of any size, from the first byte of the file. Output: one
 *   ciphertext Buffer per input piece, same length, AES-128-CTR from offset 0 (see `ctr.ts`).
 *   Input Buffers are never modified (megajs's own encrypt works in place).
 * - Memory: nothing is buffered beyond the piece being processed (no chunk buffering at all), so
 *   memory is flat whatever the file size.
 * - `result` is available once the stream has flushed (after the readable side's 'end', or in a
 *   `pipeline()` once it resolves); reading it earlier throws MegamirrorError('internal').
 * - Output pieces follow input pieces, not MAC chunks: cutting upload requests on chunk boundaries
 *   (`chunks.ts`) is the uploader's job (megajs's defaults do).
 */

import { Transform, type TransformCallback } from 'node:stream';
import { MegamirrorError } from '../../../errors.js';
import { CtrCipher } from './ctr.js';
import { FileMac } from './mac.js';
import { packNodeKey, type FileSecrets } from './nodekey.js';

export interface EncryptResult {
  /** Bytes encrypted (plaintext and ciphertext sizes are equal). */
  size: number;
  /** M, 8 bytes. */
  macCondensed: Buffer;
  /** The 32-byte node key `(K xor (N || M)) || N || M`, to wrap and store with the node. */
  nodeKey: Buffer;
}

export class EncryptStream extends Transform {
  readonly #secrets: FileSecrets;
  readonly #ctr: CtrCipher;
  readonly #mac: FileMac;
  #result: EncryptResult | null = null;

  /** Throws RangeError when the key is not 16 bytes or the nonce not 8. */
  constructor(secrets: FileSecrets) {
    super();
    this.#ctr = new CtrCipher(secrets.aesKey, secrets.nonce);
    this.#mac = new FileMac(secrets.aesKey, secrets.nonce);
    this.#secrets = { aesKey: Buffer.from(secrets.aesKey), nonce: Buffer.from(secrets.nonce) };
  }

  /** Size, MAC and node key of everything encrypted; only after the stream has flushed. */
  get result(): EncryptResult {
    if (!this.#result) throw new MegamirrorError('internal', 'encrypt stream result read before the stream ended');
    return this.#result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#mac.update(chunk);
      callback(null, this.#ctr.update(chunk));
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const macCondensed = this.#mac.digest();
      const nodeKey = packNodeKey({ ...this.#secrets, macCondensed });
      this.#result = { size: this.#mac.position, macCondensed, nodeKey };
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

/** A new EncryptStream for `secrets` (see `randomFileSecrets()` for new uploads). */
export function createEncryptStream(secrets: FileSecrets): EncryptStream {
  return new EncryptStream(secrets);
}
