/**
 * The plaintext side of an upload, in one pass: sees every piece in order, fails as soon as the
 * content is longer than declared (before the extra bytes go anywhere) and at the end when it is
 * shorter, and collects what the fingerprint `c` needs (the whole content up to 8 KiB, else the
 * 128 windows of 64 bytes), so no second read of the source is needed.
 *
 * Memory: at most 8 KiB of plaintext (small files) or 128 x 64 bytes, whatever the file size.
 */

import { MegamirrorError } from '../../errors.js';
import {
  crcOfWindows,
  encodeFingerprint,
  fingerprintCrc,
  fingerprintWindowOffsets,
  FULL_COVERAGE_MAX,
  WINDOW_BYTES,
} from './crypto/index.js';

/** `see` each piece in order, then `end`, then `fingerprint`. */
export class FingerprintTap {
  readonly #size: number;
  readonly #where: string;
  #seen = 0;
  readonly #small: Buffer | null;
  readonly #offsets: number[];
  readonly #windows: Buffer[];
  #next = 0;

  constructor(size: number, where: string) {
    this.#size = size;
    this.#where = where;
    this.#small = size <= FULL_COVERAGE_MAX ? Buffer.alloc(size) : null;
    this.#offsets = size > FULL_COVERAGE_MAX ? fingerprintWindowOffsets(size) : [];
    this.#windows = this.#offsets.map(() => Buffer.alloc(WINDOW_BYTES));
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#seen;
  }

  /** Takes the next piece; throws size-mismatch (before keeping anything) when it runs past the size. */
  see(chunk: Uint8Array): void {
    const start = this.#seen;
    const end = start + chunk.length;
    if (end > this.#size) throw new MegamirrorError('size-mismatch', `expected ${this.#size} bytes, read more`, { where: this.#where, transient: true });
    this.#seen = end;
    if (this.#small) this.#small.set(chunk, start);
    else this.#collect(chunk, start, end);
  }

  /** Throws size-mismatch unless exactly the declared size was seen. */
  end(): void {
    if (this.#seen !== this.#size) {
      throw new MegamirrorError('size-mismatch', `expected ${this.#size} bytes, read ${this.#seen}`, { where: this.#where, transient: true });
    }
  }

  /** The `c` attribute for the content seen, with this mtime; only after the content ended. */
  fingerprint(mtimeSeconds: number): string {
    if (this.#seen !== this.#size) throw new MegamirrorError('internal', 'fingerprint read before the content ended');
    const crc = this.#small ? fingerprintCrc(this.#small) : crcOfWindows(this.#windows);
    return encodeFingerprint(crc, mtimeSeconds);
  }

  /** Copy the parts of the windows that fall in [start, end); windows are in ascending order. */
  #collect(chunk: Uint8Array, start: number, end: number): void {
    for (let k = this.#next; k < this.#offsets.length; k++) {
      const w = this.#offsets[k]!;
      if (w >= end) break;
      const from = Math.max(w, start);
      const to = Math.min(w + WINDOW_BYTES, end);
      if (to > from) this.#windows[k]!.set(chunk.subarray(from - start, to - start), from - w);
      if (w + WINDOW_BYTES <= end && k === this.#next) this.#next++;
    }
  }
}
