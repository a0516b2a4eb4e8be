import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MegamirrorError } from '../../../../src/errors.js';
import {
  createDecryptStream,
  createEncryptStream,
  ctrCrypt,
  ctrIv,
  CtrCipher,
  macOfBuffer,
  packNodeKey,
  randomFileSecrets,
  unpackNodeKey,
} from '../../../../src/backends/mega/crypto/index.js';
import { fixedPieces, randomData, randomPieces, rng, through } from './helpers.js';

const SIZES = [0, 1, 15, 16, 17, 131071, 131072, 131073, 393216, 4718592, 5 * 1024 * 1024];

/** The whole file through one node:crypto CTR call: what the streams must reproduce. */
function oneShotCtr(aesKey: Buffer, nonce: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ctr', aesKey, Buffer.concat([nonce, Buffer.alloc(8)]));
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

describe('encrypt and decrypt streams', () => {
  it.each(SIZES)('size %i: round trip with random input chunking', async (size) => {
    const secrets = randomFileSecrets();
    const data = randomData(size, size + 100);
    const copy = Buffer.from(data);

    const enc = createEncryptStream(secrets);
    const cipher = await through(enc, randomPieces(data, size + 1));
    expect(data.equals(copy)).toBe(true); // input untouched
    expect(cipher.equals(oneShotCtr(secrets.aesKey, secrets.nonce, data))).toBe(true);
    expect(enc.result.size).toBe(size);
    expect(enc.result.macCondensed.equals(macOfBuffer(secrets.aesKey, secrets.nonce, data))).toBe(true);
    expect(unpackNodeKey(enc.result.nodeKey)).toEqual({ ...secrets, macCondensed: enc.result.macCondensed });

    const dec = createDecryptStream(enc.result.nodeKey, { where: 'round-trip' });
    const plain = await through(dec, randomPieces(cipher, size + 2));
    expect(plain.equals(data)).toBe(true);
    expect(dec.bytesDecrypted).toBe(size);
  });

  it('one-byte pieces across the first chunk boundary', async () => {
    const secrets = randomFileSecrets();
    const data = randomData(131072 + 33, 5);
    const enc = createEncryptStream(secrets);
    const cipher = await through(enc, fixedPieces(data, 1));
    expect(cipher.equals(oneShotCtr(secrets.aesKey, secrets.nonce, data))).toBe(true);
    const dec = createDecryptStream(enc.result.nodeKey, { where: 'bytes' });
    expect((await through(dec, fixedPieces(cipher, 1))).equals(data)).toBe(true);
  });

  it('emits ciphertext per piece without waiting for a whole chunk', () => {
    const enc = createEncryptStream(randomFileSecrets());
    enc.write(Buffer.alloc(100));
    expect((enc.read() as Buffer).length).toBe(100);
    expect(() => enc.result).toThrow(MegamirrorError);
    enc.destroy();
  });

  describe('MAC verification on download', () => {
    const secrets = randomFileSecrets();
    const data = randomData(200_000, 9);
    const cipher = oneShotCtr(secrets.aesKey, secrets.nonce, data);
    const nodeKey = packNodeKey({ ...secrets, macCondensed: macOfBuffer(secrets.aesKey, secrets.nonce, data) });

    async function failure(key: Buffer, bytes: Buffer): Promise<MegamirrorError> {
      const err: unknown = await through(createDecryptStream(key, { where: 'docs/report.pdf' }), randomPieces(bytes, 3)).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MegamirrorError);
      return err as MegamirrorError;
    }

    it('fails a flipped byte with integrity / MAC verification failed / where', async () => {
      const bad = Buffer.from(cipher);
      bad[150_000]! ^= 1;
      const err = await failure(nodeKey, bad);
      expect(err.code).toBe('integrity');
      expect(err.message).toBe('MAC verification failed');
      expect(err.where).toBe('docs/report.pdf');
      expect(`${err.message} ${err.where}`).not.toContain(secrets.aesKey.toString('hex'));
    });

    it('fails a truncated or extended ciphertext', async () => {
      expect((await failure(nodeKey, cipher.subarray(0, 131072))).code).toBe('integrity');
      expect((await failure(nodeKey, Buffer.concat([cipher, Buffer.alloc(1)]))).code).toBe('integrity');
    });

    it('fails a wrong M in the node key', async () => {
      const wrong = Buffer.from(nodeKey);
      wrong[31]! ^= 0x80;
      expect((await failure(wrong, cipher)).code).toBe('integrity');
    });

    it('rejects a node key that is not 32 bytes', () => {
      expect(() => createDecryptStream(Buffer.alloc(16), { where: 'x' })).toThrow(RangeError);
    });
  });
});

describe('CTR at an offset', () => {
  const secrets = randomFileSecrets();
  const data = randomData(3 * 131072 + 9, 21);
  const whole = oneShotCtr(secrets.aesKey, secrets.nonce, data);

  it('any range, aligned or not, matches the whole-file ciphertext', () => {
    const next = rng(77);
    for (let k = 0; k < 200; k++) {
      const start = Math.floor(next() * data.length);
      const end = start + Math.floor(next() * Math.min(70_000, data.length - start));
      const part = ctrCrypt(secrets.aesKey, secrets.nonce, data.subarray(start, end), start);
      expect(part.equals(whole.subarray(start, end))).toBe(true);
    }
  });

  it('pieces through one CtrCipher keep the counter continuous', () => {
    const ctr = new CtrCipher(secrets.aesKey, secrets.nonce, 5);
    const out = Buffer.concat(randomPieces(data.subarray(5), 4).map((p) => ctr.update(p)));
    expect(out.equals(whole.subarray(5))).toBe(true);
  });

  it('ctrIv is N || big-endian block index', () => {
    const nonce = Buffer.from('0102030405060708', 'hex');
    expect(ctrIv(nonce).toString('hex')).toBe('01020304050607080000000000000000');
    expect(ctrIv(nonce, 47).toString('hex')).toBe('01020304050607080000000000000002');
    expect(ctrIv(nonce, 2 ** 40 + 16).toString('hex')).toBe('01020304050607080000001000000001');
    expect(() => ctrIv(nonce, -16)).toThrow(RangeError);
  });
});
