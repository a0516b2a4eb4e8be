/**
 * The batch decryption (one native call for a folder's nodes) must give what decryptAttributes
 * gives for each node, valid or not: the listing of a MEGA tree must not depend on whether the
 * native helper is built.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptAttributesMany, type AttributeItem } from '../../../../src/backends/mega/crypto/attributes-many.js';
import {
  decryptAttributes,
  encryptAttributes,
  packNodeKey,
  randomFileSecrets,
  randomFolderKey,
  toBase64Url,
} from '../../../../src/backends/mega/crypto/index.js';
import { nativeHelpers } from '../../../../src/native.js';

function rawCbc(plain: Buffer, key: Buffer): string {
  const cipher = createCipheriv('aes-128-cbc', key, Buffer.alloc(16)).setAutoPadding(false);
  return toBase64Url(cipher.update(plain));
}

function items(): AttributeItem[] {
  const out: AttributeItem[] = [];
  for (let i = 0; i < 60; i++) {
    const folder = randomFolderKey();
    const file = packNodeKey({ ...randomFileSecrets(), macCondensed: randomBytes(8) });
    out.push({ a: encryptAttributes({ n: `folder ${i} é`, x: i }, folder), key: folder });
    out.push({ a: encryptAttributes({ n: `file-${i}.bin`, c: 'fingerprint' }, file), key: file });
  }
  const k = randomFolderKey();
  out.push(
    { a: encryptAttributes({ n: 'wrong key' }, randomFolderKey()), key: k }, // garbage after decryption
    { a: rawCbc(Buffer.from('NOPE{"n":"x"}\0\0\0', 'latin1'), k), key: k }, // no MEGA prefix
    { a: rawCbc(Buffer.from('MEGA[1,2,3]\0\0\0\0\0', 'latin1'), k), key: k }, // JSON, not an object
    { a: rawCbc(Buffer.from('MEGA{"n":\0\0\0\0\0\0\0', 'latin1'), k), key: k }, // broken JSON
    { a: toBase64Url(randomBytes(15)), key: k }, // not a multiple of 16
    { a: '', key: k }, // empty
    { a: '***', key: k }, // not base64url
    { a: 42, key: k }, // not a string
    { a: encryptAttributes({ n: 'short key' }, k), key: randomBytes(8) }, // a key of another length
    { a: encryptAttributes({ n: 'last' }, k), key: k },
  );
  return out;
}

describe.skipIf(nativeHelpers()?.cbcDecryptMany === undefined)('decryptAttributesMany', () => {
  it('gives what decryptAttributes gives, item by item, valid and invalid alike', () => {
    const list = items();
    const many = decryptAttributesMany(list);
    expect(many).toEqual(list.map((it) => decryptAttributes(it.a, it.key)));
    expect(many!.filter((a) => a !== null)).toHaveLength(121);
  });

  it('handles an empty batch and a batch of invalid items only', () => {
    expect(decryptAttributesMany([])).toEqual([]);
    expect(decryptAttributesMany([{ a: '', key: randomFolderKey() }, { a: 7, key: randomFolderKey() }])).toEqual([null, null]);
  });
});

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
