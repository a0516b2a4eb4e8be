import { createCipheriv } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MegamirrorError } from '../../../../src/errors.js';
import {
  chunkBoundaries,
  chunkMac,
  condenseMac,
  FileMac,
  macOfBuffer,
  macOfFile,
  metaMac,
} from '../../../../src/backends/mega/crypto/index.js';
import { randomData, randomPieces, VECTOR_KEY, VECTOR_NONCE } from './helpers.js';

const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, 4718592, 5 * 1024 * 1024];

/** Textbook CBC-MAC, one ECB call per block: slow, but shares no code with the implementation. */
function referenceMac(key: Buffer, nonce: Buffer, data: Buffer): Buffer {
  const ecb = (block: Buffer) => createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(block);
  let meta = Buffer.alloc(16);
  for (const [start, end] of chunkBoundaries(data.length)) {
    let mac = Buffer.concat([nonce, nonce]);
    for (let p = start; p < end; p += 16) {
      const block = Buffer.alloc(16);
      data.copy(block, 0, p, Math.min(p + 16, end));
      for (let i = 0; i < 16; i++) block[i]! ^= mac[i]!;
      mac = ecb(block);
    }
    for (let i = 0; i < 16; i++) meta[i]! ^= mac[i]!;
    meta = ecb(meta);
  }
  if (data.length === 0) return Buffer.alloc(8);
  const m = (i: number) => meta.readUInt32BE(4 * i);
  const out = Buffer.alloc(8);
  out.writeUInt32BE((m(0) ^ m(1)) >>> 0, 0);
  out.writeUInt32BE((m(2) ^ m(3)) >>> 0, 4);
  return out;
}

describe('file MAC', () => {
  const key = randomData(16, 1);
  const nonce = randomData(8, 2);

  it.each(SIZES)('size %i: FileMac over random pieces = per-chunk composition = textbook CBC-MAC', (size) => {
    const data = randomData(size, size);
    const incremental = new FileMac(key, nonce);
    for (const piece of randomPieces(data, size + 7)) incremental.update(piece);
    const macs = [...chunkBoundaries(size)].map(([s, e]) => chunkMac(key, nonce, data.subarray(s, e)));
    const composed = size === 0 ? Buffer.alloc(8) : condenseMac(metaMac(key, macs));
    const digest = incremental.digest();
    expect(digest.toString('hex')).toBe(composed.toString('hex'));
    if (size <= 393216) expect(digest.toString('hex')).toBe(referenceMac(key, nonce, data).toString('hex'));
    expect(incremental.position).toBe(size);
  });

  it('one-byte updates across a chunk boundary give the same MAC', () => {
    const data = randomData(131072 + 40, 3);
    const mac = new FileMac(key, nonce);
    for (let i = 0; i < data.length; i++) mac.update(data.subarray(i, i + 1));
    expect(mac.digest().equals(macOfBuffer(key, nonce, data))).toBe(true);
  });

  it('an empty file has M = 0 and a meta-MAC over no chunks is zero', () => {
    expect(new FileMac(key, nonce).digest().equals(Buffer.alloc(8))).toBe(true);
    expect(metaMac(key, []).equals(Buffer.alloc(16))).toBe(true);
  });

  it('digest is idempotent and ends the computation', () => {
    const mac = new FileMac(key, nonce);
    mac.update(Buffer.from('abc'));
    const first = mac.digest();
    expect(mac.digest().equals(first)).toBe(true);
    expect(() => mac.update(Buffer.from('d'))).toThrow(Error);
  });

  it('condenseMac xors the 32-bit words', () => {
    const meta = Buffer.from('00000001000000020000000400000008', 'hex');
    expect(condenseMac(meta).toString('hex')).toBe('000000030000000c');
  });

  it('rejects bad lengths with RangeError, without key bytes in the message', () => {
    expect(() => new FileMac(Buffer.alloc(15, 0xab), nonce)).toThrow(/aesKey must be 16 bytes, got 15 bytes/);
    expect(() => new FileMac(key, Buffer.alloc(16))).toThrow(RangeError);
    expect(() => chunkMac(key, nonce, Buffer.alloc(0))).toThrow(RangeError);
    expect(() => metaMac(key, [Buffer.alloc(8)])).toThrow(RangeError);
    expect(() => condenseMac(Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('macOfFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megamirror-mac-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([0, 17, 131072, 3 * 1024 * 1024 + 3])('size %i matches macOfBuffer', async (size) => {
    const data = randomData(size, size + 11);
    const path = join(dir, `f${size}`);
    await writeFile(path, data);
    const mac = await macOfFile(path, VECTOR_KEY, VECTOR_NONCE);
    expect(mac.equals(macOfBuffer(VECTOR_KEY, VECTOR_NONCE, data))).toBe(true);
  });

  it('a missing file is not-found, with the path as where', async () => {
    const path = join(dir, 'missing');
    await expect(macOfFile(path, VECTOR_KEY, VECTOR_NONCE)).rejects.toMatchObject({ code: 'not-found', where: path });
  });

  it('an aborted signal is interrupted', async () => {
    const path = join(dir, 'abort');
    await writeFile(path, 'x');
    const err = await macOfFile(path, VECTOR_KEY, VECTOR_NONCE, { signal: AbortSignal.abort() }).catch((e) => e);
    expect(err).toBeInstanceOf(MegamirrorError);
    expect(err.code).toBe('interrupted');
  });

  it('bad key lengths reject with RangeError', async () => {
    await expect(macOfFile(join(dir, 'x'), Buffer.alloc(8), VECTOR_NONCE)).rejects.toThrow(RangeError);
  });
});
