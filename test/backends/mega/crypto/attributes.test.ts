import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decryptAttributes,
  encryptAttributes,
  packNodeKey,
  randomFileSecrets,
  randomFolderKey,
  toBase64Url,
} from '../../../../src/backends/mega/crypto/index.js';

/** Independent construction of an `a` value from raw plaintext bytes. */
function rawAttributes(plain: Buffer, aesKey: Buffer): string {
  const padded = Buffer.alloc(Math.ceil(plain.length / 16) * 16);
  plain.copy(padded);
  const cipher = createCipheriv('aes-128-cbc', aesKey, Buffer.alloc(16)).setAutoPadding(false);
  return toBase64Url(cipher.update(padded));
}

describe('attributes', () => {
  const folderKey = randomFolderKey();
  const secrets = randomFileSecrets();
  const nodeKey = packNodeKey({ ...secrets, macCondensed: Buffer.from('0102030405060708', 'hex') });

  it('known answer: "MEGA" + JSON, zero-padded, CBC IV 0 under the folder key', () => {
    const a = encryptAttributes({ n: 'Café' }, folderKey);
    expect(a).toBe(rawAttributes(Buffer.from('MEGA{"n":"Café"}', 'utf8'), folderKey));
    expect(Buffer.from(a, 'base64url').length).toBe(32); // 17 bytes of text, padded to 32
  });

  it('a 16-byte plaintext is not padded further', () => {
    const a = encryptAttributes({ n: 'abcdefg' }, folderKey); // MEGA{"n":"abcdefg"} is 20 bytes
    expect(Buffer.from(a, 'base64url').length).toBe(32);
    const exact = encryptAttributes({ n: 'abc' }, folderKey); // MEGA{"n":"abc"} is 16 bytes
    expect(Buffer.from(exact, 'base64url').length).toBe(16);
  });

  it('a file node key encrypts under K = first half xor second half', () => {
    const a = encryptAttributes({ n: 'x.txt', c: 'AAAA' }, nodeKey);
    expect(a).toBe(rawAttributes(Buffer.from('MEGA{"n":"x.txt","c":"AAAA"}'), secrets.aesKey));
    expect(decryptAttributes(a, nodeKey)).toEqual({ n: 'x.txt', c: 'AAAA' });
    expect(decryptAttributes(a, secrets.aesKey)).toEqual({ n: 'x.txt', c: 'AAAA' });
  });

  it('round-trips any JSON object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (attrs) => {
        const back = decryptAttributes(encryptAttributes(attrs, folderKey), folderKey);
        expect(back).toEqual(JSON.parse(JSON.stringify(attrs)));
      }),
    );
  });

  it('does not normalize names (the caller NFC-normalizes)', () => {
    const nfd = 'Cafe\u0301';
    expect(decryptAttributes(encryptAttributes({ n: nfd }, folderKey), folderKey)).toEqual({ n: nfd });
  });

  it.each([
    ['a wrong key', () => encryptAttributes({ n: 'a' }, randomFolderKey())],
    ['not a string', () => 42],
    ['empty', () => ''],
    ['bad base64url', () => 'abc$'],
    ['a length not a multiple of 16', () => toBase64Url(Buffer.alloc(20))],
    ['no MEGA prefix', () => rawAttributes(Buffer.from('MEGB{"n":"a"}'), folderKey)],
    ['a JSON array', () => rawAttributes(Buffer.from('MEGA["n"]'), folderKey)],
    ['MEGA{ but broken JSON', () => rawAttributes(Buffer.from('MEGA{"n":'), folderKey)],
  ])('returns null for %s', (_name, make) => {
    expect(decryptAttributes(make(), folderKey)).toBeNull();
  });

  it('returns null, without throwing, for a bad key length or a non-buffer key', () => {
    const a = encryptAttributes({ n: 'a' }, folderKey);
    expect(decryptAttributes(a, Buffer.alloc(24))).toBeNull();
    expect(decryptAttributes(a, 'key' as unknown as Buffer)).toBeNull();
  });

  it('ignores garbage after the first NUL', () => {
    const plain = Buffer.concat([Buffer.from('MEGA{"n":"a"}'), Buffer.from([0, 1, 2, 3])]);
    expect(decryptAttributes(rawAttributes(plain, folderKey), folderKey)).toEqual({ n: 'a' });
  });

  it('refuses to encrypt under a key that is neither 16 nor 32 bytes', () => {
    expect(() => encryptAttributes({ n: 'a' }, Buffer.alloc(24))).toThrow(RangeError);
  });
});
