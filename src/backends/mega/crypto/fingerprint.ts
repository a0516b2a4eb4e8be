/**
 * The MEGA fingerprint (node attribute `c`), which is how official clients know a file's mtime and
 * recognise unchanged files (same size, same CRC, mtime within 2 s).
 *
 * 16 CRC bytes:
 * - size <= 16: the content itself, zero-padded;
 * - size <= 8192: four CRC-32s, lane i over bytes [floor(i*size/4), floor((i+1)*size/4));
 * - larger: four CRC-32s, lane i over 32 windows of 64 bytes at offsets
 *   floor((size - 64) * (32i + j) / 127), j = 0..31 (see `fingerprintWindowOffsets`).
 * Each CRC-32 (zlib's) is stored big-endian.
 *
 * `c` = base64url without padding of (16 CRC bytes || n || mtime as n little-endian bytes without
 * leading zeros), mtime in Unix seconds; n = 0 for mtime 0, 4 for current times, and 8 for a
 * negative mtime (the SDK serializes it as an unsigned 64-bit two's complement).
 */

import { asBuffer, requireLength } from './bytes.js';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { crc32 } from './crc32.js';

export const FINGERPRINT_CRC_BYTES = 16;
/** Up to this size every byte is covered; above it the CRCs sample windows. */
export const FULL_COVERAGE_MAX = 8192;
export const WINDOW_BYTES = 64;
export const WINDOWS_PER_LANE = 32;
const LANES = 4;

/** A parsed `c` attribute. */
export interface ParsedFingerprint {
  crc: Buffer;
  /** Unix seconds (integer, may be negative). */
  mtimeSeconds: number;
}

/** Everything about a file's fingerprint. */
export interface Fingerprint extends ParsedFingerprint {
  size: number;
  /** The `c` attribute value. */
  c: string;
}

/**
 * Start offsets of the 128 sampling windows of a file of `size` > 8192 bytes, lane-major (lane i
 * owns entries 32i..32i+31). Exact for any safe-integer size (64-bit products done in BigInt).
 */
export function fingerprintWindowOffsets(size: number): number[] {
  if (!Number.isSafeInteger(size) || size <= FULL_COVERAGE_MAX) {
    throw new RangeError(`window offsets exist only for sizes above ${FULL_COVERAGE_MAX}, got ${size}`);
  }
  const span = BigInt(size - WINDOW_BYTES);
  const last = BigInt(LANES * WINDOWS_PER_LANE - 1);
  const offsets: number[] = [];
  for (let k = 0; k < LANES * WINDOWS_PER_LANE; k++) offsets.push(Number((span * BigInt(k)) / last));
  return offsets;
}

/** The 16 CRC bytes of content held in memory. */
export function fingerprintCrc(data: Uint8Array): Buffer {
  const size = data.byteLength;
  if (size <= FINGERPRINT_CRC_BYTES) {
    const crc = Buffer.alloc(FINGERPRINT_CRC_BYTES);
    crc.set(data, 0);
    return crc;
  }
  if (size <= FULL_COVERAGE_MAX) {
    const crc = Buffer.allocUnsafe(FINGERPRINT_CRC_BYTES);
    for (let i = 0; i < LANES; i++) {
      const lane = data.subarray(Math.floor((i * size) / LANES), Math.floor(((i + 1) * size) / LANES));
      crc.writeUInt32BE(crc32(lane), 4 * i);
    }
    return crc;
  }
  const offsets = fingerprintWindowOffsets(size);
  return crcOfWindows(offsets.map((o) => data.subarray(o, o + WINDOW_BYTES)));
}

/** The 16 CRC bytes from the 128 windows of a large file, in `fingerprintWindowOffsets` order. */
export function crcOfWindows(windows: readonly Uint8Array[]): Buffer {
  if (windows.length !== LANES * WINDOWS_PER_LANE) throw new RangeError('expected 128 windows');
  const crc = Buffer.allocUnsafe(FINGERPRINT_CRC_BYTES);
  for (let i = 0; i < LANES; i++) {
    let value = 0;
    for (let j = 0; j < WINDOWS_PER_LANE; j++) value = crc32(windows[i * WINDOWS_PER_LANE + j]!, value);
    crc.writeUInt32BE(value, 4 * i);
  }
  return crc;
}

/** The `c` attribute for 16 CRC bytes and an mtime in Unix seconds (a safe integer). */
export function encodeFingerprint(crc: Uint8Array, mtimeSeconds: number): string {
  requireLength(crc, FINGERPRINT_CRC_BYTES, 'fingerprint CRC');
  if (!Number.isSafeInteger(mtimeSeconds)) {
    throw new RangeError(`mtimeSeconds must be a safe integer, got ${mtimeSeconds}`);
  }
  const bytes: number[] = [];
  for (let v = BigInt.asUintN(64, BigInt(mtimeSeconds)); v > 0n; v >>= 8n) bytes.push(Number(v & 0xffn));
  return toBase64Url(Buffer.concat([asBuffer(crc), Buffer.from([bytes.length, ...bytes])]));
}

/** Fingerprint of content held in memory, with the given mtime (Unix seconds). */
export function fingerprintBuffer(data: Uint8Array, mtimeSeconds: number): Fingerprint {
  const crc = fingerprintCrc(data);
  return { size: data.byteLength, crc, mtimeSeconds, c: encodeFingerprint(crc, mtimeSeconds) };
}

/**
 * Parse a `c` attribute. Returns null, never throws, for anything malformed: a non-string, bad
 * base64url, fewer than 17 bytes, a length byte above 8, or fewer mtime bytes than it announces.
 * Like the SDK, it accepts (and ignores) bytes after the mtime and leading-zero mtime bytes.
 */
export function parseFingerprint(c: unknown): ParsedFingerprint | null {
  const bytes = fromBase64Url(c);
  if (!bytes || bytes.length < FINGERPRINT_CRC_BYTES + 1) return null;
  const n = bytes[FINGERPRINT_CRC_BYTES]!;
  if (n > 8 || FINGERPRINT_CRC_BYTES + 1 + n > bytes.length) return null;
  let raw = 0n;
  for (let i = n - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(bytes[FINGERPRINT_CRC_BYTES + 1 + i]!);
  const mtime = BigInt.asIntN(64, raw);
  if (mtime > BigInt(Number.MAX_SAFE_INTEGER) || mtime < BigInt(Number.MIN_SAFE_INTEGER)) return null;
  return { crc: Buffer.from(bytes.subarray(0, FINGERPRINT_CRC_BYTES)), mtimeSeconds: Number(mtime) };
}
