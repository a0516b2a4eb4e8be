/**
 * The file MAC, exactly as the MEGA SDK computes it:
 * - chunk MAC: the last 16 bytes of AES-128-CBC(K, IV = N || N) over the plaintext chunk,
 *   zero-padded to a multiple of 16 (only the last chunk of a file can need padding);
 * - meta-MAC: the last block of AES-128-CBC(K, IV = 0) over the chunk MACs in order;
 * - condensed MAC M (8 bytes): (m0 xor m1) || (m2 xor m3), m0..m3 the meta-MAC's 32-bit words.
 * An empty file has no chunks and M = 8 zero bytes. A file that ends exactly on a chunk boundary has
 * no extra empty chunk (megajs 1.3.10 adds one, see MEGA.md).
 *
 * Keys and MACs are raw bytes: K 16, N 8, chunk and meta MACs 16, condensed MAC 8.
 */

import { createCipheriv, type Cipher } from 'node:crypto';
import { requireLength } from './bytes.js';
import { chunkAt } from './chunks.js';
import { CIPHER_SLICE_BYTES } from './slicing.js';

const ZERO_IV = Buffer.alloc(16);

/**
 * The MAC of one non-empty chunk of plaintext (zero-padded here when its length is not a multiple
 * of 16). Throws RangeError for an empty chunk: files have no empty chunks.
 */
export function chunkMac(aesKey: Uint8Array, nonce: Uint8Array, chunk: Uint8Array): Buffer {
  if (chunk.byteLength === 0) throw new RangeError('a MAC chunk cannot be empty');
  const mac = new ChunkMacCipher(aesKey, nonce);
  mac.update(chunk);
  return mac.finish();
}

/** The 16-byte meta-MAC of a file's chunk MACs (16 zero bytes when there are none). */
export function metaMac(aesKey: Uint8Array, chunkMacs: readonly Uint8Array[]): Buffer {
  requireLength(aesKey, 16, 'aesKey');
  const cbc = createCipheriv('aes-128-cbc', aesKey, ZERO_IV).setAutoPadding(false);
  let last = Buffer.alloc(16);
  for (const mac of chunkMacs) {
    requireLength(mac, 16, 'chunk MAC');
    last = cbc.update(mac);
  }
  return last;
}

/** Fold a 16-byte meta-MAC to the 8-byte condensed MAC M (all-zero meta-MAC gives zero M). */
export function condenseMac(meta: Uint8Array): Buffer {
  requireLength(meta, 16, 'meta-MAC');
  const out = Buffer.allocUnsafe(8);
  // XOR of big-endian 32-bit words is byte-wise, so no word loads are needed.
  for (let i = 0; i < 4; i++) {
    out[i] = meta[i]! ^ meta[i + 4]!;
    out[i + 4] = meta[i + 8]! ^ meta[i + 12]!;
  }
  return out;
}

/**
 * Incremental file MAC over plaintext given in pieces of any size (1 byte to many chunks), cut on
 * the chunk boundaries of `chunks.ts`. Holds no plaintext: each chunk streams through its own
 * native CBC cipher, and the meta-MAC chains as chunk MACs complete. `digest()` ends it.
 */
export class FileMac {
  readonly #aesKey: Uint8Array;
  readonly #nonce: Uint8Array;
  readonly #meta: Cipher;
  #metaBlock: Buffer | null = null;
  #chunk: ChunkMacCipher | null = null;
  #chunkEnd = 0;
  #position = 0;
  #digest: Buffer | null = null;

  constructor(aesKey: Uint8Array, nonce: Uint8Array) {
    requireLength(aesKey, 16, 'aesKey');
    requireLength(nonce, 8, 'nonce');
    this.#aesKey = Buffer.from(aesKey);
    this.#nonce = Buffer.from(nonce);
    this.#meta = createCipheriv('aes-128-cbc', aesKey, ZERO_IV).setAutoPadding(false);
  }

  /** Bytes of plaintext seen so far. */
  get position(): number {
    return this.#position;
  }

  /** Add the next plaintext bytes. Throws Error after `digest()`. */
  update(data: Uint8Array): void {
    if (this.#digest) throw new Error('FileMac.update() after digest()');
    let p = 0;
    while (p < data.byteLength) {
      if (!this.#chunk) {
        this.#chunk = new ChunkMacCipher(this.#aesKey, this.#nonce);
        this.#chunkEnd = chunkAt(this.#position).end;
      }
      const take = Math.min(data.byteLength - p, this.#chunkEnd - this.#position);
      this.#chunk.update(data.subarray(p, p + take));
      p += take;
      this.#position += take;
      if (this.#position === this.#chunkEnd) this.#closeChunk();
    }
  }

  /** The condensed 8-byte MAC M of everything seen. Idempotent; ends the computation. */
  digest(): Buffer {
    if (!this.#digest) {
      if (this.#chunk) this.#closeChunk();
      this.#digest = this.#metaBlock ? condenseMac(this.#metaBlock) : Buffer.alloc(8);
    }
    return Buffer.from(this.#digest);
  }

  #closeChunk(): void {
    this.#metaBlock = this.#meta.update(this.#chunk!.finish());
    this.#chunk = null;
  }
}

/** The condensed MAC M of a whole plaintext held in memory. */
export function macOfBuffer(aesKey: Uint8Array, nonce: Uint8Array, data: Uint8Array): Buffer {
  const mac = new FileMac(aesKey, nonce);
  mac.update(data);
  return mac.digest();
}

/** CBC-MAC of one chunk fed in pieces; keeps only the last ciphertext block. */
class ChunkMacCipher {
  readonly #cbc: Cipher;
  #last: Buffer | null = null;
  #length = 0;

  constructor(aesKey: Uint8Array, nonce: Uint8Array) {
    requireLength(aesKey, 16, 'aesKey');
    requireLength(nonce, 8, 'nonce');
    const iv = Buffer.allocUnsafe(16);
    iv.set(nonce, 0);
    iv.set(nonce, 8);
    this.#cbc = createCipheriv('aes-128-cbc', aesKey, iv).setAutoPadding(false);
  }

  update(data: Uint8Array): void {
    for (let p = 0; p < data.byteLength; p += CIPHER_SLICE_BYTES) {
      const out = this.#cbc.update(data.subarray(p, p + CIPHER_SLICE_BYTES));
      if (out.byteLength > 0) this.#last = out;
    }
    this.#length += data.byteLength;
  }

  /** Zero-pad to a block and return the last ciphertext block (the chunk MAC). */
  finish(): Buffer {
    const pad = (16 - (this.#length % 16)) % 16;
    if (pad !== 0) this.update(Buffer.alloc(pad));
    const last = this.#last!;
    return Buffer.from(last.subarray(last.byteLength - 16));
  }
}
