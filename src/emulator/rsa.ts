/**
 * The account RSA key pair in MEGA's serialization, and the `csid` login challenge.
 *
 * privk (before AES-ECB wrapping with the master key) = MPI(p) || MPI(q) || MPI(d) || MPI(u),
 * with u = p^-1 mod q (clients decrypt with CRT in that form); pubk = MPI(n) || MPI(e).
 * MPI = 2-byte big-endian bit count, then the big-endian magnitude without leading zeros.
 * csid = MPI(RSA(sid43 || padding)): the client decrypts it and keeps the first 43 bytes as its sid.
 */
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface RsaKeyPair {
  /** Unwrapped private key blob (MPIs p, q, d, u), length not yet padded. */
  privk: Buffer;
  /** Public key blob (MPIs n, e). */
  pubk: Buffer;
  /** Modulus and public exponent, hex, kept to encrypt session ids. */
  n: string;
  e: string;
}

export async function generateRsaKeyPair(bits: number): Promise<RsaKeyPair> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 65537 });
  const jwk = privateKey.export({ format: 'jwk' });
  const int = (field: string | undefined): bigint => {
    if (!field) throw new Error('RSA key export is missing a field');
    return BigInt('0x' + Buffer.from(field, 'base64url').toString('hex'));
  };
  // JWK's qi is q^-1 mod p; MEGA wants p^-1 mod q, so the primes swap roles.
  const p = int(jwk.q);
  const q = int(jwk.p);
  const u = int(jwk.qi);
  const n = int(jwk.n);
  const e = int(jwk.e);
  return {
    privk: Buffer.concat([mpi(p), mpi(q), mpi(int(jwk.d)), mpi(u)]),
    pubk: Buffer.concat([mpi(n), mpi(e)]),
    n: n.toString(16),
    e: e.toString(16),
  };
}

/** Encrypts a 43-byte session id (first byte non-zero) for the `csid` field. */
export function encryptSessionId(sid: Buffer, key: { n: string; e: string }): Buffer {
  const n = BigInt('0x' + key.n);
  const e = BigInt('0x' + key.e);
  const modulusBytes = Math.ceil(n.toString(16).length / 2);
  // One byte shorter than the modulus keeps the plaintext below n.
  const plain = Buffer.concat([sid, randomBytes(Math.max(0, modulusBytes - 1 - sid.length))]);
  return mpi(modPow(toBigInt(plain), e, n));
}

export function mpi(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const magnitude = Buffer.from(hex, 'hex');
  const header = Buffer.alloc(2);
  header.writeUInt16BE(value === 0n ? 0 : value.toString(2).length);
  return Buffer.concat([header, magnitude]);
}

function toBigInt(bytes: Buffer): bigint {
  return BigInt('0x' + (bytes.toString('hex') || '0'));
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}
