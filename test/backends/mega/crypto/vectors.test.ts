import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createEncryptStream,
  encodeFingerprint,
  fingerprintBuffer,
  fingerprintCrc,
  macOfBuffer,
  packNodeKey,
  parseFingerprint,
  unpackNodeKey,
} from '../../../../src/backends/mega/crypto/index.js';
import { pattern, randomPieces, through, VECTOR_KEY, VECTOR_NONCE } from './helpers.js';

interface Vectors {
  source: string;
  mac: { cases: { size: number; metaMac: string; nodeKey: string }[] };
  fingerprint: { cases: { data: string; mtime: number | null; crc: string; c: string | null }[] };
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../fixtures/mega-vectors.json', import.meta.url), 'utf8'),
) as Vectors;

/** Decode the vectors' `data` descriptions. */
function vectorData(spec: string): Buffer {
  if (spec === 'empty') return Buffer.alloc(0);
  if (spec.startsWith('ascii:')) return Buffer.from(spec.slice(6), 'latin1');
  const length = /^bytes i&0xff, length (\d+)$/.exec(spec);
  if (length) return pattern(Number(length[1]));
  const hex = /^bytes ((?:[0-9a-f]{2} ?)+)$/.exec(spec);
  if (hex) return Buffer.from(hex[1]!.replace(/ /g, ''), 'hex');
  throw new Error(`unknown vector data: ${spec}`);
}

describe('mega-vectors.json: MAC and node key', () => {
  it('has cases', () => expect(vectors.mac.cases.length).toBeGreaterThan(0));

  for (const v of vectors.mac.cases) {
    describe(`size ${v.size}`, () => {
      const data = pattern(v.size);

      it('macOfBuffer gives the condensed MAC', () => {
        expect(macOfBuffer(VECTOR_KEY, VECTOR_NONCE, data).toString('hex')).toBe(v.metaMac);
      });

      it("the transfer path gives it too, fed whole requests (chunks MAC'ed side by side where the native helper is built)", async () => {
        const { requestRanges } = await import('../../../../src/backends/mega/transfer-plan.js');
        const { SlicedFileMac } = await import('../../../../src/backends/mega/sliced-crypto.js');
        for (const requestBytes of [4 * 1048576, 8 * 1048576]) {
          const mac = new SlicedFileMac(VECTOR_KEY, VECTOR_NONCE);
          for (const [a, b] of requestRanges(v.size, requestBytes)) mac.update(data.subarray(a, b));
          expect(mac.digest().toString('hex')).toBe(v.metaMac);
        }
      });

      it('packNodeKey gives the node key and unpackNodeKey inverts it', () => {
        const macCondensed = Buffer.from(v.metaMac, 'hex');
        const nodeKey = packNodeKey({ aesKey: VECTOR_KEY, nonce: VECTOR_NONCE, macCondensed });
        expect(nodeKey.toString('hex')).toBe(v.nodeKey);
        const parts = unpackNodeKey(Buffer.from(v.nodeKey, 'hex'));
        expect(parts.aesKey.equals(VECTOR_KEY)).toBe(true);
        expect(parts.nonce.equals(VECTOR_NONCE)).toBe(true);
        expect(parts.macCondensed.toString('hex')).toBe(v.metaMac);
      });

      it('the encrypt stream reports them and the decrypt stream accepts the ciphertext', async () => {
        const enc = createEncryptStream({ aesKey: VECTOR_KEY, nonce: VECTOR_NONCE });
        const cipher = await through(enc, randomPieces(data, v.size + 1));
        expect(enc.result.macCondensed.toString('hex')).toBe(v.metaMac);
        expect(enc.result.nodeKey.toString('hex')).toBe(v.nodeKey);
        expect(enc.result.size).toBe(v.size);
        const dec = createDecryptStream(Buffer.from(v.nodeKey, 'hex'), { where: 'vector' });
        expect((await through(dec, randomPieces(cipher, v.size + 2))).equals(data)).toBe(true);
      });
    });
  }
});

describe('mega-vectors.json: fingerprints', () => {
  for (const v of vectors.fingerprint.cases) {
    describe(`${v.data}, mtime ${v.mtime}`, () => {
      const data = vectorData(v.data);

      it('fingerprintCrc gives the CRC bytes', () => {
        expect(fingerprintCrc(data).toString('hex')).toBe(v.crc);
      });

      if (v.c !== null && v.mtime !== null) {
        const { c, mtime } = v;
        it('encodes c', () => {
          expect(encodeFingerprint(Buffer.from(v.crc, 'hex'), mtime)).toBe(c);
          expect(fingerprintBuffer(data, mtime)).toEqual({ size: data.length, crc: Buffer.from(v.crc, 'hex'), mtimeSeconds: mtime, c });
        });
        it('parses c back', () => {
          expect(parseFingerprint(c)).toEqual({ crc: Buffer.from(v.crc, 'hex'), mtimeSeconds: mtime });
        });
      }
    });
  }
});
