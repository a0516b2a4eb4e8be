/**
 * The transfer path's crypto, same results as crypto/'s FileMac, EncryptStream and DecryptStream,
 * tuned for throughput and memory on this kind of machine: whole MAC chunks of a request are MAC'ed
 * side by side natively (native/cbc_mac.c), and CTR runs natively over a whole request in place
 * (native/aes_ctr.c: no output Buffer to allocate, zero and copy back). Without the native helper
 * the ciphers are fed 64 KiB slices through node:crypto (about 2x the speed of 16 KiB ones here:
 * fewer native calls, outputs small enough to come from malloc's free lists), each slice's output
 * copied back over its input (a request buffer holds its own result and nothing else stays
 * allocated), and every slice counted for gc-pacer.ts.
 *
 * Contract: FileEncryptor takes the plaintext in order (any piece sizes) and yields the node key
 * after `finish()`; FileDecryptor takes the ciphertext in order and `verify()` throws the
 * integrity error on a MAC mismatch.
 */

import { createCipheriv, timingSafeEqual, type Cipher } from 'node:crypto';
import { MegamirrorError } from '../../errors.js';
import { chunkAt, condenseMac, ctrIv, packNodeKey, unpackNodeKey, type EncryptResult, type FileSecrets } from './crypto/index.js';
import { moved } from './gc-pacer.js';
import { nativeHelpers } from '../../native.js';

/** Bytes per native cipher call. */
export const SLICE = 64 * 1024;
const ZERO_IV = Buffer.alloc(16);

/**
 * The file MAC exactly as crypto/mac.ts's FileMac computes it (the SDK's rule: per-chunk
 * CBC-MAC with IV N || N over the zero-padded chunk, meta-MAC CBC with IV 0 over the chunk MACs,
 * condensed to 8 bytes; no chunks, M = 0), fed in 64 KiB slices. Tested against FileMac.
 */
export class SlicedFileMac {
  readonly #key: Buffer;
  readonly #iv: Buffer;
  readonly #meta: Cipher;
  #metaBlock: Buffer | null = null;
  #cbc: Cipher | null = null;
  #last: Buffer | null = null;
  #chunkStart = 0;
  #chunkEnd = 0;
  #position = 0;
  #digest: Buffer | null = null;

  constructor(aesKey: Uint8Array, nonce: Uint8Array) {
    if (aesKey.byteLength !== 16 || nonce.byteLength !== 8) throw new RangeError('aesKey must be 16 bytes and nonce 8');
    this.#key = Buffer.from(aesKey);
    this.#iv = Buffer.concat([nonce, nonce]);
    this.#meta = createCipheriv('aes-128-cbc', this.#key, ZERO_IV).setAutoPadding(false);
  }

  get position(): number {
    return this.#position;
  }

  update(data: Uint8Array): void {
    if (this.#digest) throw new Error('SlicedFileMac.update() after digest()');
    let p = 0;
    while (p < data.byteLength) {
      if (!this.#cbc) {
        const whole = this.#wholeChunks(data, p);
        if (whole > 0) {
          p += whole;
          continue;
        }
        this.#cbc = createCipheriv('aes-128-cbc', this.#key, this.#iv).setAutoPadding(false);
        this.#chunkStart = this.#position;
        this.#chunkEnd = chunkAt(this.#position).end;
      }
      const take = Math.min(data.byteLength - p, this.#chunkEnd - this.#position, SLICE);
      const out = this.#cbc.update(data.subarray(p, p + take));
      if (out.byteLength > 0) this.#last = out;
      p += take;
      this.#position += take;
      if (this.#position === this.#chunkEnd) this.#closeChunk();
    }
  }

  /**
   * At a chunk's start: the whole chunks `data` holds from `p`, MAC'ed side by side in one native
   * call (native/cbc_mac.c: about 7x OpenSSL's serial CBC here) and folded into the meta-MAC;
   * returns the bytes taken, 0 when fewer than two whole chunks are there or the helper is not.
   */
  #wholeChunks(data: Uint8Array, p: number): number {
    const macChunks = nativeHelpers()?.cbcMacChunks;
    if (macChunks === undefined) return 0;
    const limit = this.#position + (data.byteLength - p);
    const ends: number[] = [];
    for (let at = this.#position; ; ) {
      const end = chunkAt(at).end;
      if (end > limit) break;
      ends.push(end - this.#position);
      at = end;
    }
    if (ends.length < 2) return 0;
    const taken = ends[ends.length - 1]!;
    const macs = macChunks(this.#key, this.#iv, data.subarray(p, p + taken), Uint32Array.from(ends));
    const folded = this.#meta.update(macs);
    this.#metaBlock = folded.subarray(folded.byteLength - 16);
    this.#position += taken;
    return taken;
  }

  digest(): Buffer {
    if (!this.#digest) {
      if (this.#cbc) this.#closeChunk();
      this.#digest = this.#metaBlock ? condenseMac(this.#metaBlock) : Buffer.alloc(8);
    }
    return Buffer.from(this.#digest);
  }

  #closeChunk(): void {
    const pad = (16 - ((this.#position - this.#chunkStart) % 16)) % 16;
    if (pad !== 0) {
      const out = this.#cbc!.update(Buffer.alloc(pad));
      if (out.byteLength > 0) this.#last = out;
    }
    const mac = this.#last!.subarray(this.#last!.byteLength - 16);
    this.#metaBlock = this.#meta.update(mac);
    this.#cbc = null;
    this.#last = null;
  }
}

/**
 * A file's CTR keystream, applied to its bytes in order (en- and decryption are the same):
 * natively where the helper is, else through node:crypto by slices. Exported for its tests.
 */
export class FileCtr {
  readonly #key: Buffer;
  readonly #nonce: Buffer;
  readonly #native = nativeHelpers()?.aesCtr;
  #cipher: Cipher | null = null;
  #position = 0;

  constructor(aesKey: Uint8Array, nonce: Uint8Array, options: { native?: boolean } = {}) {
    if (aesKey.byteLength !== 16 || nonce.byteLength !== 8) throw new RangeError('aesKey must be 16 bytes and nonce 8');
    this.#key = Buffer.from(aesKey);
    this.#nonce = Buffer.from(nonce);
    if (options.native === false) this.#native = undefined;
  }

  /** Whether this one runs natively (no garbage: nothing to count for gc-pacer.ts). */
  get native(): boolean {
    return this.#native !== undefined;
  }

  /** The next bytes of the file, `data`, en- or decrypted where they are. */
  inPlace(data: Uint8Array): void {
    if (this.#native !== undefined) {
      this.#native(this.#key, this.#nonce, this.#position, data, data);
    } else {
      this.#cipher ??= createCipheriv('aes-128-ctr', this.#key, ctrIv(this.#nonce, 0));
      for (let p = 0; p < data.byteLength; p += SLICE) {
        const slice = data.subarray(p, p + SLICE);
        slice.set(this.#cipher.update(slice));
        moved(slice.byteLength);
      }
    }
    this.#position += data.byteLength;
  }
}

/** Encrypts a file's plaintext in place, in order, and computes its MAC on the way. */
export class FileEncryptor {
  readonly #secrets: FileSecrets;
  readonly #ctr: FileCtr;
  readonly #mac: SlicedFileMac;

  constructor(secrets: FileSecrets, options: { native?: boolean } = {}) {
    this.#ctr = new FileCtr(secrets.aesKey, secrets.nonce, options);
    this.#mac = new SlicedFileMac(secrets.aesKey, secrets.nonce);
    this.#secrets = { aesKey: Buffer.from(secrets.aesKey), nonce: Buffer.from(secrets.nonce) };
  }

  /** `data` (the next plaintext bytes) becomes their ciphertext. */
  encryptInPlace(data: Buffer): void {
    // The MAC first, over all of it: whole chunks go side by side (SlicedFileMac).
    this.#mac.update(data);
    this.#ctr.inPlace(data);
  }

  /** Size, MAC and node key of everything encrypted; no more input after this. */
  finish(): EncryptResult {
    const macCondensed = this.#mac.digest();
    return { size: this.#mac.position, macCondensed, nodeKey: packNodeKey({ ...this.#secrets, macCondensed }) };
  }
}

/** Decrypts a file's ciphertext in order and checks its MAC at the end. */
export class FileDecryptor {
  readonly #expected: Buffer;
  readonly #ctr: FileCtr;
  readonly #mac: SlicedFileMac;
  readonly #where: string;

  constructor(nodeKey: Uint8Array, where: string, options: { native?: boolean } = {}) {
    const { aesKey, nonce, macCondensed } = unpackNodeKey(nodeKey);
    this.#expected = macCondensed;
    this.#ctr = new FileCtr(aesKey, nonce, options);
    this.#mac = new SlicedFileMac(aesKey, nonce);
    this.#where = where;
  }

  /** The plaintext of the next ciphertext bytes, in a new Buffer (`data` is left as it is). */
  decrypt(data: Uint8Array): Buffer {
    const plain = Buffer.from(data);
    this.decryptInPlace(plain);
    this.#mac.update(plain);
    return plain;
  }

  /**
   * The next ciphertext bytes decrypted where they are, without the MAC: the caller then hands
   * the same plaintext to mac(), in order. A whole request's plaintext in one mac() call lets its
   * chunks be MAC'ed side by side.
   */
  decryptInPlace(data: Uint8Array): void {
    this.#ctr.inPlace(data);
  }

  /** Feeds the MAC the next plaintext bytes (see decryptOnly). */
  mac(plain: Uint8Array): void {
    this.#mac.update(plain);
  }

  /** Throws MegamirrorError('integrity') unless the MAC of everything decrypted is the node key's. */
  verify(): void {
    if (!timingSafeEqual(this.#mac.digest(), this.#expected)) throw new MegamirrorError('integrity', 'MAC verification failed', { where: this.#where });
  }
}
