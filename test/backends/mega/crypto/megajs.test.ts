/**
 * Cross-checks against megajs 1.3.10's own crypto streams. MEGA.md: megajs agrees with the SDK
 * except for empty files and sizes whose 16-byte-padded length ends exactly on a chunk boundary,
 * where it adds an extra chunk MAC. We follow the SDK (the vectors), so there we must differ.
 */

import { readFileSync } from 'node:fs';
import type { Transform } from 'node:stream';
import { decrypt as megaDecrypt, encrypt as megaEncrypt, verify as megaVerify } from 'megajs';
import { describe, expect, it } from 'vitest';
import {
  createEncryptStream,
  isChunkBoundary,
  macOfBuffer,
  randomFileSecrets,
} from '../../../../src/backends/mega/crypto/index.js';
import { fixedPieces, pattern, randomData, randomPieces, through, VECTOR_KEY, VECTOR_NONCE } from './helpers.js';

type MegaStream = Transform & { mac?: Buffer; key?: Buffer };

/**
 * What megajs gets: copies (it encrypts in place) in 64 KiB pieces, as fs streams give. Not random
 * pieces: its 16-byte re-chunker duplicates bytes when consecutive pieces stay under 16 bytes
 * (see the last test).
 */
function forMegajs(data: Buffer): Buffer[] {
  return fixedPieces(data, 65536).map((p) => Buffer.from(p));
}

/** Where MEGA.md says megajs computes the same MAC as the SDK. */
function megajsAgrees(size: number): boolean {
  return size > 0 && !isChunkBoundary(Math.ceil(size / 16) * 16);
}

const AGREE = [1, 15, 16, 17, 100, 131073, 393217, 5 * 1024 * 1024];
const DISAGREE = [0, 131071, 131072, 393216, 4718592];

describe('megajs cross-check', () => {
  it('the size lists match the rule in MEGA.md', () => {
    expect(AGREE.every(megajsAgrees)).toBe(true);
    expect(DISAGREE.some(megajsAgrees)).toBe(false);
  });

  it.each(AGREE)('size %i: same ciphertext and MAC as megajs encrypt; megajs decrypt verifies ours', async (size) => {
    const secrets = randomFileSecrets();
    const data = randomData(size, size + 3);
    const ours = createEncryptStream(secrets);
    const ourCipher = await through(ours, randomPieces(data, 1));

    const theirs = megaEncrypt(Buffer.concat([secrets.aesKey, secrets.nonce])) as MegaStream;
    const theirCipher = await through(theirs, forMegajs(data));
    expect(theirCipher.equals(ourCipher)).toBe(true);
    expect(theirs.mac?.toString('hex')).toBe(ours.result.macCondensed.toString('hex'));
    expect(theirs.key?.toString('hex')).toBe(ours.result.nodeKey.toString('hex'));

    const check = megaDecrypt(ours.result.nodeKey) as MegaStream;
    expect((await through(check, forMegajs(ourCipher))).equals(data)).toBe(true);
  });

  it.each(DISAGREE)('size %i: megajs computes a different MAC than the SDK rule', async (size) => {
    const secrets = randomFileSecrets();
    const data = randomData(size, size + 5);
    const theirs = megaEncrypt(Buffer.concat([secrets.aesKey, secrets.nonce])) as MegaStream;
    await through(theirs, forMegajs(data));
    expect(theirs.mac?.toString('hex')).not.toBe(macOfBuffer(secrets.aesKey, secrets.nonce, data).toString('hex'));
  });

  it('size 131072: we match the SDK vector, megajs does not and rejects the official node key', async () => {
    const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/mega-vectors.json', import.meta.url), 'utf8')) as {
      mac: { cases: { size: number; metaMac: string; nodeKey: string }[] };
    };
    const vector = vectors.mac.cases.find((c) => c.size === 131072)!;
    const data = pattern(131072);
    expect(macOfBuffer(VECTOR_KEY, VECTOR_NONCE, data).toString('hex')).toBe(vector.metaMac);

    const theirs = megaEncrypt(Buffer.concat([VECTOR_KEY, VECTOR_NONCE])) as MegaStream;
    await through(theirs, [Buffer.from(data)]);
    expect(theirs.mac?.toString('hex')).not.toBe(vector.metaMac);

    const verifier = megaVerify(Buffer.from(vector.nodeKey, 'hex')) as MegaStream;
    await expect(through(verifier, [Buffer.from(data)])).rejects.toThrow('MAC verification failed');
  });

  it('megajs encrypt duplicates bytes when fed pieces under 16 bytes (why we never use its crypto)', async () => {
    const theirs = megaEncrypt(Buffer.alloc(24, 1)) as MegaStream;
    const out = await through(theirs, [Buffer.alloc(10), Buffer.alloc(3), Buffer.alloc(17)]);
    expect(out.length).not.toBe(30);
  });
});
