/** Shared test helpers for the MEGA crypto tests (not a test file). */

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';

/** The vectors' data: byte i = i & 0xff. */
export function pattern(size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = i & 0xff;
  return b;
}

/** K = 00..0f and N = 10..17, as in mega-vectors.json. */
export const VECTOR_KEY = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
export const VECTOR_NONCE = Buffer.from('1011121314151617', 'hex');

/** Deterministic PRNG (mulberry32) so that failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pseudo-random bytes from a seed. */
export function randomData(size: number, seed: number): Buffer {
  const next = rng(seed);
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (next() * 256) | 0;
  return b;
}

/** Cut `data` into pieces of random sizes: often tiny and odd, sometimes up to 300 KB. */
export function randomPieces(data: Buffer, seed: number): Buffer[] {
  const next = rng(seed);
  const pieces: Buffer[] = [];
  for (let p = 0; p < data.length; ) {
    const r = next();
    const len = r < 0.3 ? 1 + Math.floor(next() * 17) : r < 0.8 ? 1 + Math.floor(next() * 70_000) : 1 + Math.floor(next() * 300_000);
    pieces.push(data.subarray(p, p + len));
    p += len;
  }
  return pieces;
}

/** Cut `data` into pieces of exactly `size` bytes (the last one shorter). */
export function fixedPieces(data: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let p = 0; p < data.length; p += size) pieces.push(data.subarray(p, p + size));
  return pieces;
}

/** Push `pieces` through `transform` and collect its output (rejects when the stream fails). */
export async function through(transform: Transform, pieces: readonly Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(Readable.from(pieces), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) out.push(chunk);
  });
  return Buffer.concat(out);
}
