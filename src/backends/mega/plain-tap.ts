/**
 * The plaintext side of an upload, in one pass: passes bytes through unchanged, fails as soon as
 * the content is longer than declared (before the extra bytes go anywhere) and at the end when it
 * is shorter, and collects what the fingerprint `c` needs (the whole content up to 8 KiB, else the
 * 128 windows of 64 bytes), so no second read of the source is needed.
 *
 * Memory: at most 8 KiB of plaintext (small files) or 128 x 64 bytes, whatever the file size.
 */

import { Transform, type TransformCallback } from 'node:stream';
import { MegamirrorError } from '../../errors.js';
import {
  crcOfWindows,
  encodeFingerprint,
  fingerprintCrc,
  fingerprintWindowOffsets,
  FULL_COVERAGE_MAX,
  WINDOW_BYTES,
} from './crypto/index.js';

export class PlainTap extends Transform {
  readonly #size: number;
  readonly #where: string;
  #seen = 0;
  readonly #small: Buffer | null;
  readonly #offsets: number[];
  readonly #windows: Buffer[];
  #next = 0;
  /** Called with each piece's length as it passes (progress, watchdogs). */
  onBytes: ((n: number) => void) | null = null;

  constructor(size: number, where: string) {
    super({ highWaterMark: 1024 * 1024 });
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

  /** The `c` attribute for the content seen, with this mtime; only after the stream ended. */
  fingerprint(mtimeSeconds: number): string {
    if (this.#seen !== this.#size) throw new MegamirrorError('internal', 'fingerprint read before the content ended');
    const crc = this.#small ? fingerprintCrc(this.#small) : crcOfWindows(this.#windows);
    return encodeFingerprint(crc, mtimeSeconds);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    const start = this.#seen;
    const end = start + chunk.length;
    if (end > this.#size) {
      cb(new MegamirrorError('size-mismatch', `expected ${this.#size} bytes, read more`, { where: this.#where, transient: true }));
      return;
    }
    this.#seen = end;
    if (this.#small) chunk.copy(this.#small, start);
    else this.#collect(chunk, start, end);
    this.onBytes?.(chunk.length);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.#seen !== this.#size) {
      cb(new MegamirrorError('size-mismatch', `expected ${this.#size} bytes, read ${this.#seen}`, { where: this.#where, transient: true }));
      return;
    }
    cb();
  }

  /** Copy the parts of the windows that fall in [start, end); windows are in ascending order. */
  #collect(chunk: Buffer, start: number, end: number): void {
    for (let k = this.#next; k < this.#offsets.length; k++) {
      const w = this.#offsets[k]!;
      if (w >= end) break;
      const from = Math.max(w, start);
      const to = Math.min(w + WINDOW_BYTES, end);
      if (to > from) chunk.copy(this.#windows[k]!, from - w, from - start, to - start);
      if (w + WINDOW_BYTES <= end && k === this.#next) this.#next++;
    }
  }
}
