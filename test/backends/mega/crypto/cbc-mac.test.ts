/**
 * The native chunk MACs (native/cbc_mac.c, several chunks side by side with AES-NI) must be what
 * OpenSSL's serial AES-128-CBC gives for each chunk, zero-padded, from the same IV: MEGA's
 * per-chunk MAC. Where the helper is not built (no AES-NI, no compiler) the suite is skipped and
 * the transfer path uses OpenSSL.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nativeHelpers } from '../../../../src/native.js';
describe.skipIf(nativeHelpers()?.cbcMacChunks === undefined)('native cbcMacChunks', () => {
  it("gives each chunk's zero-padded CBC-MAC as OpenSSL does, for any number and mix of chunk lengths", () => {
    const macChunks = nativeHelpers()!.cbcMacChunks!;
    const key = randomBytes(16);
    const iv = randomBytes(16);
    const openssl = (chunk: Buffer) => {
      const padded = Buffer.concat([chunk, Buffer.alloc((16 - (chunk.length % 16)) % 16)]);
      const out = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false).update(padded);
      return out.length === 0 ? iv : out.subarray(out.length - 16);
    };
    let x = 7;
    const next = (n: number) => ((x = (x * 1103515245 + 12345) >>> 0) % n);
    for (let t = 0; t < 200; t++) {
      const count = 1 + next(19); // 1 to 19 chunks: groups of 8, 4, 2 and 1 side by side
      const ends: number[] = [];
      for (let at = 0, i = 0; i < count; i++) ends.push((at += 1 + next(t % 2 === 0 ? 40 : 5000)));
      const data = randomBytes(ends.at(-1)! + next(5));
      const got = Buffer.from(macChunks(key, iv, data, Uint32Array.from(ends)));
      const want = Buffer.concat(ends.map((end, i) => openssl(data.subarray(i === 0 ? 0 : ends[i - 1], end))));
      expect(got.equals(want), `chunks ending at ${ends.join(',')}`).toBe(true);
    }
    expect(macChunks(key, iv, Buffer.alloc(0), new Uint32Array(0))).toHaveLength(0);
    expect(() => macChunks(key.subarray(1), iv, Buffer.alloc(16), Uint32Array.from([16]))).toThrow(RangeError);
    expect(() => macChunks(key, iv, Buffer.alloc(16), Uint32Array.from([32]))).toThrow(RangeError);
    expect(() => macChunks(key, iv, Buffer.alloc(32), Uint32Array.from([16, 8]))).toThrow(RangeError);
  });
});
