/**
 * The native CTR (native/aes_ctr.c, eight counter blocks side by side with AES-NI) must be what
 * node:crypto's aes-128-ctr gives from MEGA's IV (nonce || BE64(offset / 16)) at any byte offset,
 * in place or into another buffer, and the transfer path's FileCtr must give the same bytes
 * whichever path it takes. Where the helper is not built (no AES-NI, no compiler) the native suite
 * is skipped and the transfer path uses node:crypto.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileCtr } from '../../../../src/backends/mega/sliced-crypto.js';
import { nativeHelpers } from '../../../../src/native.js';

function reference(key: Buffer, nonce: Buffer, offset: number, data: Buffer): Buffer {
  const iv = Buffer.alloc(16);
  nonce.copy(iv, 0);
  iv.writeBigUInt64BE(BigInt(Math.floor(offset / 16)), 8);
  const c = createCipheriv('aes-128-ctr', key, iv);
  c.update(Buffer.alloc(offset % 16));
  return c.update(data);
}

let x = 11;
const next = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) % n);

describe.skipIf(nativeHelpers()?.aesCtr === undefined)('native aesCtr', () => {
  it("gives node:crypto's AES-128-CTR keystream at any offset and length, in place and apart", () => {
    const aesCtr = nativeHelpers()!.aesCtr!;
    for (let t = 0; t < 400; t++) {
      const key = randomBytes(16);
      const nonce = randomBytes(8);
      // Offsets inside and across blocks, far into a file, and near the largest safe integer.
      const offset = [next(100), next(1 << 30), 2 ** 40 + next(1 << 20), Number.MAX_SAFE_INTEGER - next(4096)][t % 4]!;
      // Lengths below one block, around the 8-block group, and several groups with a tail.
      const data = randomBytes([next(16), 112 + next(40), next(5000)][t % 3]!);
      const want = reference(key, nonce, offset, data);
      const apart = Buffer.alloc(data.length);
      aesCtr(key, nonce, offset, data, apart);
      expect(apart.equals(want), `offset ${offset}, ${data.length} bytes`).toBe(true);
      const inPlace = Buffer.from(data);
      aesCtr(key, nonce, offset, inPlace, inPlace);
      expect(inPlace.equals(want), `in place: offset ${offset}, ${data.length} bytes`).toBe(true);
    }
  });

  it('refuses bad keys, nonces, offsets and overlapping buffers, and touches nothing then', () => {
    const aesCtr = nativeHelpers()!.aesCtr!;
    const key = randomBytes(16);
    const nonce = randomBytes(8);
    const buf = randomBytes(64);
    const before = Buffer.from(buf);
    expect(() => aesCtr(key.subarray(1), nonce, 0, buf, buf)).toThrow(RangeError);
    expect(() => aesCtr(key, randomBytes(16), 0, buf, buf)).toThrow(RangeError);
    for (const offset of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => aesCtr(key, nonce, offset, buf, buf)).toThrow(RangeError);
    expect(() => aesCtr(key, nonce, 0, buf, Buffer.alloc(63))).toThrow(RangeError);
    // Shifted by one block: the second half of src would be read after it was written.
    expect(() => aesCtr(key, nonce, 0, buf.subarray(0, 48), buf.subarray(16, 64))).toThrow(RangeError);
    expect(() => aesCtr(key, nonce, 0, 'text' as unknown as Uint8Array, buf)).toThrow(TypeError);
    expect(buf.equals(before)).toBe(true);
  });
});

describe('FileCtr', () => {
  it('gives the same bytes natively and through node:crypto, for pieces of any size in order', () => {
    const key = randomBytes(16);
    const nonce = randomBytes(8);
    const data = randomBytes(3 * 1048576 + 77);
    const want = reference(key, nonce, 0, data);
    for (const native of [true, false]) {
      const ctr = new FileCtr(key, nonce, native ? {} : { native: false });
      if (!native) expect(ctr.native).toBe(false);
      const got = Buffer.from(data);
      for (let p = 0; p < got.length; ) {
        const n = 1 + next(300_000);
        ctr.inPlace(got.subarray(p, p + n));
        p += n;
      }
      expect(got.equals(want), native ? 'native where built' : 'node:crypto').toBe(true);
    }
  });
});
