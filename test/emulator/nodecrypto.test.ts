import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { decrypt as megaDecrypt } from 'megajs';
import { describe, expect, it } from 'vitest';
import { prepareKeyV1, userHashV1 } from '../../src/emulator/keys.js';
import { decryptAttributes, encryptAttributes, encryptFile, unwrapKey, wrapKey } from '../../src/emulator/nodecrypto.js';
import { pattern } from './helpers.js';

const vectors = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/mega-vectors.json'), 'utf8'));

function megajsDecrypt(key: Buffer, ciphertext: Buffer): Promise<Buffer> {
  return new Promise((resolvePlain, reject) => {
    const chunks: Buffer[] = [];
    const stream = Readable.from([ciphertext]).pipe(megaDecrypt(key) as any);
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolvePlain(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

describe('emulator test crypto (nodecrypto.ts)', () => {
  const k = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  const nonce = Buffer.from('1011121314151617', 'hex');

  it.each(vectors.mac.cases as Array<{ size: number; nodeKey: string }>)('matches the SDK node key for $size bytes', ({ size, nodeKey }) => {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = i & 0xff;
    expect(encryptFile(data, k, nonce).key.toString('hex')).toBe(nodeKey);
  });

  it('produces files megajs decrypts and verifies (sizes off the chunk boundaries)', async () => {
    for (const size of [1, 100, 131073, 3 * 1024 * 1024 + 5]) {
      const plain = pattern(size, size);
      const { key, ciphertext } = encryptFile(plain);
      expect((await megajsDecrypt(key, ciphertext)).equals(plain)).toBe(true);
    }
  });

  it('round-trips attributes and wrapped keys', () => {
    const master = Buffer.alloc(16, 7);
    const { key } = encryptFile(Buffer.from('x'));
    expect(unwrapKey(master, wrapKey(master, key)).equals(key)).toBe(true);
    expect(decryptAttributes(key, encryptAttributes(key, { n: 'a\u0000b', c: 'x' }))).toEqual({ n: 'a\u0000b', c: 'x' });
    expect(decryptAttributes(key, encryptAttributes(key, 'garbage'))).toBeUndefined();
  });

  it('derives v1 login keys deterministically (password blocks beyond 16 bytes count)', () => {
    const a = prepareKeyV1('a'.repeat(16));
    const b = prepareKeyV1('a'.repeat(16) + 'b');
    expect(a).toHaveLength(16);
    expect(a.equals(b)).toBe(false);
    expect(userHashV1(a, 'X@Y.z').equals(userHashV1(a, 'x@y.z'))).toBe(true);
  });
});
