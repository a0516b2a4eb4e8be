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
    // Plaintexts without NUL padding (a multiple of 16 bytes): each one ends at its own end.
    { a: rawCbc(Buffer.from('MEGA{"n":"abcdefghijklmnopqrst"}', 'latin1'), k), key: k },
    { a: rawCbc(Buffer.from('MEGA{"n":"0123456789abcdefghij"}', 'latin1'), k), key: k },
    { a: encryptAttributes({ n: 'last' }, k), key: k },
  );
  return out;
}

describe.skipIf(nativeHelpers()?.cbcDecryptMany === undefined)('decryptAttributesMany', () => {
  it('gives what decryptAttributes gives, item by item, valid and invalid alike', () => {
    const list = items();
    const many = decryptAttributesMany(list);
    expect(many).toEqual(list.map((it) => decryptAttributes(it.a, it.key)));
    expect(many!.filter((a) => a !== null)).toHaveLength(123);
  });

  it('handles an empty batch and a batch of invalid items only', () => {
    expect(decryptAttributesMany([])).toEqual([]);
    expect(decryptAttributesMany([{ a: '', key: randomFolderKey() }, { a: 7, key: randomFolderKey() }])).toEqual([null, null]);
  });
});
