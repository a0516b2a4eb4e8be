import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createEncryptStream, FileMac, randomFileSecrets } from '../../../src/backends/mega/crypto/index.js';
import { FileDecryptor, FileEncryptor, SlicedFileMac } from '../../../src/backends/mega/sliced-crypto.js';

const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, 4718592 - 1, 4718592, 4718592 + 1, 5242880, 5242880 + 65537, 9 * 1048576 + 3];

function pieces(data: Buffer, seed: number): Buffer[] {
  const out: Buffer[] = [];
  let x = seed;
  for (let p = 0; p < data.length; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    const n = 1 + (x % 300_000);
    out.push(data.subarray(p, p + n));
    p += n;
  }
  return out;
}

async function run(stream: NodeJS.ReadWriteStream, input: Buffer[]): Promise<Buffer> {
  const got: Buffer[] = [];
  await pipeline(Readable.from(input), stream, new Writable({ write: (c: Buffer, _e, cb) => (got.push(c), cb()) }));
  return Buffer.concat(got);
}

describe.each([
  ['native CTR where built', {}],
  ['node:crypto CTR', { native: false }],
])('sliced transfer crypto equals crypto/ (%s)', (_name, options: { native?: boolean }) => {
  for (const size of SIZES) {
    it(`size ${size}: same MAC as FileMac, same ciphertext and node key as EncryptStream, decrypt verifies`, async () => {
      const data = randomBytes(size);
      const s = randomFileSecrets();
      const ref = new FileMac(s.aesKey, s.nonce);
      const mine = new SlicedFileMac(s.aesKey, s.nonce);
      for (const p of pieces(data, size)) {
        ref.update(p);
        mine.update(p);
      }
      expect(mine.digest()).toEqual(ref.digest());

      const refEnc = createEncryptStream(s);
      const refCipher = await run(refEnc, pieces(data, 7));
      const enc = new FileEncryptor(s, options);
      const cipher = Buffer.from(data);
      for (const p of pieces(cipher, 11)) enc.encryptInPlace(p);
      expect(cipher.equals(refCipher)).toBe(true);
      const result = enc.finish();
      expect(result.nodeKey).toEqual(refEnc.result.nodeKey);
      expect(result.size).toBe(size);

      const dec = new FileDecryptor(result.nodeKey, 'f', options);
      const parts = pieces(cipher, 13);
      const plain = Buffer.concat(parts.map((p) => dec.decrypt(p)));
      expect(plain.equals(data)).toBe(true);
      // decrypt() leaves its input as it was.
      expect(Buffer.concat(parts).equals(cipher)).toBe(true);
      expect(() => dec.verify()).not.toThrow();
      if (size > 0) {
        const bad = Buffer.from(cipher);
        bad[size >> 1]! ^= 1;
        const badDec = new FileDecryptor(result.nodeKey, 'f', options);
        badDec.decrypt(bad);
        expect(() => badDec.verify()).toThrow(/MAC verification failed/);
      }
    });
  }
});

describe('sliced transfer crypto over whole requests (chunks MAC\'ed side by side where the native helper is built)', () => {
  for (const size of [393216, 4718592, 5242880 + 65537, 13 * 1048576 + 5]) {
    it(`size ${size}: the same MAC, ciphertext and plaintext request by request`, async () => {
      const { requestRanges } = await import('../../../src/backends/mega/transfer-plan.js');
      const data = randomBytes(size);
      const s = randomFileSecrets();
      const ref = new FileMac(s.aesKey, s.nonce);
      ref.update(data);
      const refEnc = createEncryptStream(s);
      const refCipher = await run(refEnc, [data]);
      for (const requestBytes of [4 * 1048576, 8 * 1048576]) {
        const ranges = requestRanges(size, requestBytes);
        const mine = new SlicedFileMac(s.aesKey, s.nonce);
        const enc = new FileEncryptor(s);
        const cipher = Buffer.from(data);
        for (const [a, b] of ranges) {
          mine.update(data.subarray(a, b));
          enc.encryptInPlace(cipher.subarray(a, b));
        }
        expect(mine.digest()).toEqual(ref.digest());
        expect(cipher.equals(refCipher)).toBe(true);
        const { nodeKey } = enc.finish();
        expect(nodeKey).toEqual(refEnc.result.nodeKey);
        // As download.ts does: the range decrypted in place, then the MAC over the whole range.
        for (const flip of [false, true]) {
          const dec = new FileDecryptor(nodeKey, 'f');
          const got: Buffer[] = [];
          for (const [a, b] of ranges) {
            const range = Buffer.from(cipher.subarray(a, b));
            if (flip && a === ranges.at(-1)![0]) range[range.length >> 1]! ^= 1;
            dec.decryptInPlace(range);
            dec.mac(range);
            got.push(range);
          }
          if (flip) expect(() => dec.verify()).toThrow(/MAC verification failed/);
          else {
            expect(Buffer.concat(got).equals(data)).toBe(true);
            expect(() => dec.verify()).not.toThrow();
          }
        }
      }
    });
  }
});

describe('sliced MAC over large pieces that do not line up with chunks', () => {
  it('gives FileMac\'s MAC whatever the piece boundaries (whole chunks inside a piece go side by side)', () => {
    const data = randomBytes(23 * 1048576 + 12345);
    const s = randomFileSecrets();
    const ref = new FileMac(s.aesKey, s.nonce);
    ref.update(data);
    const want = ref.digest();
    let x = 99;
    for (let trial = 0; trial < 4; trial++) {
      const mine = new SlicedFileMac(s.aesKey, s.nonce);
      for (let p = 0; p < data.length; ) {
        x = (x * 1103515245 + 12345) >>> 0;
        const n = 1 + (x % (6 * 1048576));
        mine.update(data.subarray(p, p + n));
        p += n;
      }
      expect(mine.digest()).toEqual(want);
    }
  });
});

describe('transfer requests', () => {
  it('start and end on MAC chunk boundaries (the last at EOF) and tile the file', async () => {
    const { requestRanges } = await import('../../../src/backends/mega/transfer-plan.js');
    const { isChunkBoundary } = await import('../../../src/backends/mega/crypto/index.js');
    for (const size of [1, 4718591, 4718592, 4718593, 13107200, 536870912 + 5]) {
      const r = requestRanges(size);
      expect(r[0]![0]).toBe(0);
      expect(r.at(-1)![1]).toBe(size);
      for (let k = 0; k < r.length; k++) {
        const [a, b] = r[k]!;
        expect(isChunkBoundary(a)).toBe(true);
        expect(b === size || isChunkBoundary(b)).toBe(true);
        if (k > 0) expect(a).toBe(r[k - 1]![1]);
      }
    }
    expect(requestRanges(0)).toEqual([]);
  });
});
