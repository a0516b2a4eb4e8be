/**
 * MEGA's MAC chunk layout. A file is cut into chunks of 128 KiB x i for i = 1..8 (starts 0, 128K,
 * 384K, 768K, 1280K, 1920K, 2688K, 3584K), then 1 MiB each from 4608 KiB on; the last chunk ends at
 * EOF. Each chunk has its own MAC (see `mac.ts`), and upload requests must start and end on these
 * boundaries (the last one at EOF).
 *
 * Units: byte offsets from the start of the file, as non-negative safe integers. Ranges are
 * half-open `[start, end)`. Invalid offsets or sizes (negative, fractional, unsafe) throw RangeError.
 */

export const CHUNK_UNIT = 128 * 1024;
export const MAX_CHUNK_SIZE = 1024 * 1024;
/** Offset of the first 1 MiB chunk (index 8): 128 KiB x (1 + 2 + ... + 8). */
export const RAMP_END = CHUNK_UNIT * 36;
const RAMP_CHUNKS = 8;

/** One chunk: `index` counts from 0; `[start, end)` is its nominal extent (not clipped to a size). */
export interface ChunkSpan {
  index: number;
  start: number;
  end: number;
}

/** The chunk that contains byte `offset` (nominal extent: the file may end before `end`). */
export function chunkAt(offset: number): ChunkSpan {
  checkNonNegative(offset, 'offset');
  if (offset >= RAMP_END) {
    const k = Math.floor((offset - RAMP_END) / MAX_CHUNK_SIZE);
    const start = RAMP_END + k * MAX_CHUNK_SIZE;
    return { index: RAMP_CHUNKS + k, start, end: start + MAX_CHUNK_SIZE };
  }
  let start = 0;
  for (let i = 1; ; i++) {
    const end = start + CHUNK_UNIT * i;
    if (offset < end) return { index: i - 1, start, end };
    start = end;
  }
}

/** `[start, end)` of every chunk of a file of `size` bytes, in order; none for an empty file. */
export function* chunkBoundaries(size: number): Generator<[start: number, end: number]> {
  checkNonNegative(size, 'size');
  let start = 0;
  while (start < size) {
    const { end } = chunkAt(start);
    yield [start, Math.min(end, size)];
    start = end;
  }
}

/** How many chunks (and chunk MACs) a file of `size` bytes has: 0 for an empty file. */
export function chunkCount(size: number): number {
  checkNonNegative(size, 'size');
  return size === 0 ? 0 : chunkAt(size - 1).index + 1;
}

/** True when `offset` is where a chunk starts (0 included), i.e. where an upload request may cut. */
export function isChunkBoundary(offset: number): boolean {
  return chunkAt(offset).start === offset;
}

function checkNonNegative(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer, got ${value}`);
  }
}
