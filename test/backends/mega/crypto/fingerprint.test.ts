import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crc32,
  crcOfWindows,
  encodeFingerprint,
  fingerprintBuffer,
  fingerprintCrc,
  fingerprintFile,
  fingerprintWindowOffsets,
  parseFingerprint,
  toBase64Url,
} from '../../../../src/backends/mega/crypto/index.js';
import { tableCrc32 } from '../../../../src/backends/mega/crypto/crc32.js';
import { randomData } from './helpers.js';

describe('CRC window offsets (files above 8192 bytes)', () => {
  it('8193 bytes: 128 windows from 0 to size - 64, non-decreasing', () => {
    const offsets = fingerprintWindowOffsets(8193);
    expect(offsets).toHaveLength(128);
    expect(offsets[0]).toBe(0);
    expect(offsets[127]).toBe(8193 - 64);
    for (let k = 1; k < 128; k++) expect(offsets[k]!).toBeGreaterThanOrEqual(offsets[k - 1]!);
  });

  it('is exact in 64-bit arithmetic where doubles round wrongly (size 10^15 + 7)', () => {
    const size = 10 ** 15 + 7;
    const offsets = fingerprintWindowOffsets(size);
    expect(offsets[1]).toBe(7874015748031);
    expect(offsets[21]).toBe(165354330708651); // Math.floor((size - 64) * 21 / 127) gives ...652
    expect(Math.floor(((size - 64) * 21) / 127)).toBe(165354330708652);
    expect(offsets[64]).toBe(503937007873987);
    expect(offsets[127]).toBe(999999999999943);
  });

  it('5 GiB: lane i window j at floor((size - 64) * (32i + j) / 127)', () => {
    const size = 5 * 2 ** 30;
    const offsets = fingerprintWindowOffsets(size);
    expect(offsets[32]).toBe(Number((BigInt(size - 64) * 32n) / 127n));
    expect(offsets[127]).toBe(size - 64);
  });

  it.each([8192, 0, -1, 1.5])('refuses size %s', (size) => {
    expect(() => fingerprintWindowOffsets(size)).toThrow(RangeError);
  });
});

describe('fingerprint CRC from a buffer', () => {
  it('up to 16 bytes: the bytes, zero-padded', () => {
    expect(fingerprintCrc(Buffer.from('0102', 'hex')).toString('hex')).toBe('01020000000000000000000000000000');
    const sixteen = randomData(16, 1);
    expect(fingerprintCrc(sixteen).equals(sixteen)).toBe(true);
  });

  it('17..8192 bytes: four zlib CRC-32 lanes, big-endian', () => {
    const data = randomData(1001, 2);
    const lanes = [0, 250, 500, 750, 1001];
    const expected = Buffer.alloc(16);
    for (let i = 0; i < 4; i++) expected.writeUInt32BE(zlib.crc32(data.subarray(lanes[i], lanes[i + 1])), 4 * i);
    expect(fingerprintCrc(data).equals(expected)).toBe(true);
  });

  it('above 8192 bytes: only the windows matter', () => {
    const data = randomData(100_000, 3);
    const offsets = fingerprintWindowOffsets(data.length);
    const crc = fingerprintCrc(data);
    const changed = Buffer.from(data);
    changed[offsets[5]! + 64 + 1]! ^= 0xff; // between windows 5 and 6 (they are ~787 bytes apart)
    expect(fingerprintCrc(changed).equals(crc)).toBe(true);
    changed[offsets[5]!]! ^= 0xff;
    expect(fingerprintCrc(changed).equals(crc)).toBe(false);
  });

  it('the table CRC-32 fallback agrees with zlib', () => {
    for (const size of [0, 1, 63, 64, 1000, 70_000]) {
      const data = randomBytes(size);
      expect(tableCrc32(data)).toBe(zlib.crc32(data));
      expect(tableCrc32(data.subarray(7), tableCrc32(data.subarray(0, 7)))).toBe(crc32(data));
    }
  });
});

describe('the c attribute', () => {
  const crc = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

  it.each([
    [0, 0],
    [1, 1],
    [255, 1],
    [256, 2],
    [1_700_000_000, 4],
    [2 ** 32, 5],
    [Number.MAX_SAFE_INTEGER, 7],
    [-1, 8],
    [-86_400, 8],
  ])('mtime %i: n = %i little-endian bytes, and it parses back', (mtime, n) => {
    const c = encodeFingerprint(crc, mtime);
    const bytes = Buffer.from(c, 'base64url');
    expect(bytes.length).toBe(17 + n);
    expect(bytes[16]).toBe(n);
    expect(c).not.toMatch(/[=+/]/);
    expect(parseFingerprint(c)).toEqual({ crc, mtimeSeconds: mtime });
  });

  it('refuses a non-integer mtime or a CRC that is not 16 bytes', () => {
    expect(() => encodeFingerprint(crc, 1.5)).toThrow(RangeError);
    expect(() => encodeFingerprint(crc.subarray(1), 1)).toThrow(RangeError);
  });

  const raw = (...parts: (Buffer | number[])[]) => toBase64Url(Buffer.concat(parts.map((p) => Buffer.from(p))));
  it.each([
    ['not a string', 12345],
    ['null', null],
    ['an object', { c: 'x' }],
    ['empty', ''],
    ['only a CRC', raw(crc)],
    ['3 bytes', 'AAAA'],
    ['a length byte above 8', raw(crc, [9, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
    ['fewer mtime bytes than announced', raw(crc, [4, 1, 2])],
    ['standard base64 characters', raw(crc, [1, 0xfb]).replace(/-/g, '+').replace(/_/g, '/') + '+'],
    ['padding', `${raw(crc, [1, 1])}==`],
    ['whitespace', ` ${raw(crc, [1, 1])}`],
    ['an impossible length', `${raw(crc, [1, 1])}A`.slice(0, 21)],
    ['an mtime beyond safe integers', raw(crc, [8, 0, 0, 0, 0, 0, 0, 0, 0x7f])],
  ])('returns null for %s', (_name, c) => {
    expect(parseFingerprint(c)).toBeNull();
  });

  it('accepts trailing bytes and leading-zero mtimes, as the SDK does', () => {
    expect(parseFingerprint(raw(crc, [1, 5, 0xaa, 0xbb]))).toEqual({ crc, mtimeSeconds: 5 });
    expect(parseFingerprint(raw(crc, [4, 5, 0, 0, 0]))).toEqual({ crc, mtimeSeconds: 5 });
  });
});

describe('fingerprintFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'megamirror-fp-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([0, 5, 16, 17, 8192, 8193, 100_000, 3 * 1024 * 1024 + 1])(
    'size %i: same as fingerprintBuffer, mtime from the file',
    async (size) => {
      const data = randomData(size, size);
      const path = join(dir, `f${size}`);
      await writeFile(path, data);
      await utimes(path, 1_700_000_000.9, 1_700_000_000.9);
      expect(await fingerprintFile(path)).toEqual(fingerprintBuffer(data, 1_700_000_000));
    },
  );

  it('mtime before 1970 rounds down, like st_mtime', async () => {
    const path = join(dir, 'old');
    await writeFile(path, 'x');
    await utimes(path, new Date(-1500), new Date(-1500)); // numbers < 0 would mean 'now' to Node
    expect((await fingerprintFile(path)).mtimeSeconds).toBe(-2);
  });

  it('takes an mtime override', async () => {
    const path = join(dir, 'override');
    await writeFile(path, 'hello');
    expect((await fingerprintFile(path, { mtimeSeconds: 1_700_000_000 })).c).toBe('aGVsbG8AAAAAAAAAAAAAAAQA8VNl');
  });

  it('a sparse 6 GiB file costs only window reads and gives the window CRC', async () => {
    const size = 6 * 2 ** 30;
    const path = join(dir, 'sparse');
    const offsets = fingerprintWindowOffsets(size);
    const marker = randomData(64, 9);
    const handle = await open(path, 'w');
    await handle.truncate(size);
    await handle.write(marker, 0, 64, offsets[77]!);
    await handle.close();
    const windows = offsets.map((_, k) => (k === 77 ? marker : Buffer.alloc(64)));
    const fp = await fingerprintFile(path, { mtimeSeconds: 1 });
    expect(fp.size).toBe(size);
    expect(fp.crc.equals(crcOfWindows(windows))).toBe(true);
  });

  it('a missing file is a not-found MegamirrorError with the path', async () => {
    const path = join(dir, 'nope');
    await expect(fingerprintFile(path)).rejects.toMatchObject({ code: 'not-found', where: path });
  });
});
