import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fromBase64Url,
  packNodeKey,
  randomFileSecrets,
  randomFolderKey,
  toBase64Url,
  keyUnwrapper,
  unpackNodeKey,
  unwrapKey,
  wrapKey,
} from '../../../../src/backends/mega/crypto/index.js';

describe('node keys', () => {
  it('pack is (K xor (N || M)) || N || M and unpack inverts it', () => {
    const aesKey = Buffer.from('ffffffffffffffff0000000000000000', 'hex');
    const nonce = Buffer.from('0102030405060708', 'hex');
    const macCondensed = Buffer.from('a0a1a2a3a4a5a6a7', 'hex');
    const key = packNodeKey({ aesKey, nonce, macCondensed });
    expect(key.toString('hex')).toBe('fefdfcfbfaf9f8f7a0a1a2a3a4a5a6a7' + '0102030405060708a0a1a2a3a4a5a6a7');
    expect(unpackNodeKey(key)).toEqual({ aesKey, nonce, macCondensed });
  });

  it('unpack returns copies, not views of the caller buffer', () => {
    const key = packNodeKey({ ...randomFileSecrets(), macCondensed: Buffer.alloc(8) });
    const parts = unpackNodeKey(key);
    key.fill(0);
    expect(parts.nonce.equals(Buffer.alloc(8))).toBe(false);
  });

  it('refuses wrong lengths with RangeError and no key bytes in the message', () => {
    const secret = Buffer.alloc(15, 0xcd);
    expect(() => packNodeKey({ aesKey: secret, nonce: Buffer.alloc(8), macCondensed: Buffer.alloc(8) })).toThrow(
      /^aesKey must be 16 bytes, got 15 bytes$/,
    );
    expect(() => unpackNodeKey(Buffer.alloc(24))).toThrow(RangeError);
  });
});

describe('key wrapping', () => {
  const master = randomFolderKey();

  it('is AES-128-ECB per 16-byte block, for folder and file keys', () => {
    for (const key of [randomFolderKey(), packNodeKey({ ...randomFileSecrets(), macCondensed: Buffer.alloc(8) })]) {
      const wrapped = wrapKey(master, key);
      const ecb = createCipheriv('aes-128-ecb', master, null).setAutoPadding(false);
      expect(wrapped.equals(ecb.update(key))).toBe(true);
      expect(wrapped.length).toBe(key.length);
      expect(unwrapKey(master, wrapped).equals(key)).toBe(true);
    }
  });

  it('one unwrapper gives what unwrapKey gives, key after key, 16 and 32 bytes mixed', () => {
    const unwrap = keyUnwrapper(master);
    for (let i = 0; i < 200; i++) {
      const key = i % 3 === 0 ? randomFolderKey() : packNodeKey({ ...randomFileSecrets(), macCondensed: Buffer.alloc(8, i) });
      const wrapped = wrapKey(master, key);
      expect(unwrap(wrapped).equals(key)).toBe(true);
      expect(unwrap(wrapped).equals(unwrapKey(master, wrapped))).toBe(true);
    }
  });

  it.each([0, 8, 24, 33])('refuses a %i-byte key with RangeError', (len) => {
    expect(() => wrapKey(master, Buffer.alloc(len))).toThrow(RangeError);
    expect(() => unwrapKey(master, Buffer.alloc(len))).toThrow(RangeError);
    expect(() => keyUnwrapper(master)(Buffer.alloc(len))).toThrow(RangeError);
  });

  it('refuses a master key that is not 16 bytes', () => {
    expect(() => wrapKey(Buffer.alloc(32), Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('base64url', () => {
  it('is url-safe without padding', () => {
    expect(toBase64Url(Buffer.from([0xfb, 0xff, 0xfe, 0x01]))).toBe('-__-AQ');
    expect(fromBase64Url('-__-AQ')?.toString('hex')).toBe('fbfffe01');
    expect(toBase64Url(new Uint8Array([1, 2, 3]).subarray(1))).toBe('AgM');
  });

  it.each([['a+b/'], ['AQ=='], ['A'], ['AQ\n'], [' AQ'], [42], [null]])('returns null for %j', (bad) => {
    expect(fromBase64Url(bad)).toBeNull();
  });

  it('decodes the empty string to no bytes', () => {
    expect(fromBase64Url('')?.length).toBe(0);
  });
});
