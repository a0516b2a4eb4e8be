/**
 * Fingerprint (`c`) of a local file from positional reads: files up to 8 KiB are read whole; larger
 * ones read only their 128 windows of 64 bytes (nearby windows merged into one read), so a 100 GB
 * file costs about 8 KiB of I/O.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { fromSystemError, MegamirrorError } from '../../../errors.js';
import {
  crcOfWindows,
  encodeFingerprint,
  fingerprintCrc,
  fingerprintWindowOffsets,
  FULL_COVERAGE_MAX,
  WINDOW_BYTES,
  type Fingerprint,
} from './fingerprint.js';

/** Windows closer than this are read together: one syscall beats two for a few KiB. */
const MERGE_GAP_BYTES = 4096;

export interface FingerprintFileOptions {
  /** Use this mtime (Unix seconds) instead of the file's own (floor of its mtime). */
  mtimeSeconds?: number;
}

/**
 * The fingerprint of the file at `path` (size from fstat of the opened file). Rejects with a
 * MegamirrorError: from `fromSystemError` (where = path) for I/O errors, or `source-changed` when
 * the file shrinks while being read.
 */
export async function fingerprintFile(path: string, options: FingerprintFileOptions = {}): Promise<Fingerprint> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const stat = await handle.stat({ bigint: true });
    const size = Number(stat.size);
    const mtimeSeconds = options.mtimeSeconds ?? floorSeconds(stat.mtimeNs);
    const crc =
      size <= FULL_COVERAGE_MAX
        ? fingerprintCrc(await readExactly(handle, 0, size, path))
        : crcOfWindows(await readWindows(handle, fingerprintWindowOffsets(size), path));
    return { size, crc, mtimeSeconds, c: encodeFingerprint(crc, mtimeSeconds) };
  } catch (err) {
    throw fromSystemError(err, path);
  } finally {
    await handle?.close();
  }
}

/** The 64-byte windows at `offsets` (sorted), reading merged spans concurrently. */
async function readWindows(handle: FileHandle, offsets: number[], path: string): Promise<Buffer[]> {
  const spans: { start: number; end: number; first: number; count: number }[] = [];
  offsets.forEach((offset, k) => {
    const span = spans.at(-1);
    if (span && offset - span.end <= MERGE_GAP_BYTES) {
      span.end = Math.max(span.end, offset + WINDOW_BYTES);
      span.count++;
    } else {
      spans.push({ start: offset, end: offset + WINDOW_BYTES, first: k, count: 1 });
    }
  });
  const settled = await Promise.allSettled(spans.map((s) => readExactly(handle, s.start, s.end - s.start, path)));
  const windows: Buffer[] = [];
  settled.forEach((r, i) => {
    if (r.status === 'rejected') throw r.reason;
    const span = spans[i]!;
    for (let k = span.first; k < span.first + span.count; k++) {
      const at = offsets[k]! - span.start;
      windows.push(r.value.subarray(at, at + WINDOW_BYTES));
    }
  });
  return windows;
}

async function readExactly(handle: FileHandle, position: number, length: number, path: string): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new MegamirrorError('source-changed', 'file shrank while being read', { where: path });
    done += bytesRead;
  }
  return buffer;
}

/** Whole seconds of a nanosecond time, rounded down as st_mtime is (also before 1970). */
function floorSeconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  return Number(ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s);
}
