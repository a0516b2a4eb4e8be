/**
 * Minimal client-side crypto for tests that build trees directly (hostile names, odd keys),
 * bypassing megajs. SDK conventions (see MEGA.md "Encryption"):
 * - folder key 16 bytes; file node key 32 bytes = (K xor (N||M)) || N || M;
 * - keys stored AES-ECB-wrapped with the master key, base64url;
 * - attributes "MEGA" + JSON, zero-padded to 16, AES-CBC (IV 0) under K (files) or the folder key;
 * - content AES-CTR (IV N || 0), MAC per chunk via one CBC call (IV N||N), condensed meta-MAC.
 * Not the production crypto (that is src/backends/mega/crypto/); no dependency either way.
 * Note: megajs computes a different MAC than the SDK for empty files and for sizes whose padded
 * length ends exactly on a chunk boundary; files built here follow the SDK.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { d64, e64 } from './b64.js';
import { aesEcbDecrypt, aesEcbEncrypt } from './keys.js';

export function wrapKey(masterKey: Buffer, key: Buffer): string {
  return e64(aesEcbEncrypt(masterKey, key));
}

export function unwrapKey(masterKey: Buffer, wrapped: string): Buffer {
  return aesEcbDecrypt(masterKey, d64(wrapped));
}

/** The AES key that encrypts a node's attributes (and, for files, its content). */
export function attributeKey(nodeKey: Buffer): Buffer {
  if (nodeKey.length === 16) return nodeKey;
  const k = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) k[i] = nodeKey[i]! ^ nodeKey[i + 16]!;
  return k;
}

/**
 * Encrypts attributes. An object becomes "MEGA" + JSON; a string or Buffer is used verbatim as
 * the plaintext (to build undecodable or oddly formed attributes).
 */
export function encryptAttributes(nodeKey: Buffer, attributes: Record<string, unknown> | string | Buffer): string {
  const plain =
    typeof attributes === 'string' || Buffer.isBuffer(attributes)
      ? Buffer.from(attributes)
      : Buffer.from('MEGA' + JSON.stringify(attributes), 'utf8');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(plain.length / 16) * 16));
  plain.copy(padded);
  return e64(cbc(attributeKey(nodeKey), Buffer.alloc(16), padded));
}

/** Decrypts attributes; undefined if they are not "MEGA{...}" JSON. */
export function decryptAttributes(nodeKey: Buffer, a: string): Record<string, unknown> | undefined {
  const decipher = createDecipheriv('aes-128-cbc', attributeKey(nodeKey), Buffer.alloc(16)).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(d64(a)), decipher.final()]);
  const end = plain.indexOf(0);
  const text = plain.subarray(0, end < 0 ? plain.length : end).toString('utf8');
  if (!text.startsWith('MEGA{')) return undefined;
  try {
    return JSON.parse(text.slice(4)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface BuiltNode {
  /** Encrypted attributes (the node's `a`). */
  a: string;
  /** Wrapped key (the node's `k`, without the owner prefix). */
  k: string;
  /** The plain node key (16 bytes for folders, 32 for files). */
  key: Buffer;
}

export function buildFolder(masterKey: Buffer, attributes: Record<string, unknown> | string | Buffer): BuiltNode {
  const key = randomBytes(16);
  return { a: encryptAttributes(key, attributes), k: wrapKey(masterKey, key), key };
}

export function buildFile(
  masterKey: Buffer,
  attributes: Record<string, unknown> | string | Buffer,
  plaintext: Buffer,
): BuiltNode & { data: Buffer } {
  const { key, ciphertext } = encryptFile(plaintext);
  return { a: encryptAttributes(key, attributes), k: wrapKey(masterKey, key), key, data: ciphertext };
}

/**
 * Encrypts content; returns the 32-byte node key (with the SDK MAC) and the ciphertext.
 * `k` (16 bytes) and `nonce` (8 bytes) default to random values.
 */
export function encryptFile(
  plaintext: Buffer,
  k: Buffer = randomBytes(16),
  nonce: Buffer = randomBytes(8),
): { key: Buffer; ciphertext: Buffer } {
  const iv = Buffer.concat([nonce, Buffer.alloc(8)]);
  const ciphertext = createCipheriv('aes-128-ctr', k, iv).update(plaintext);
  const mac = condensedMac(k, nonce, plaintext);
  const nm = Buffer.concat([nonce, mac]);
  const key = Buffer.alloc(32);
  for (let i = 0; i < 16; i++) key[i] = k[i]! ^ nm[i]!;
  nm.copy(key, 16);
  return { key, ciphertext };
}

function condensedMac(k: Buffer, nonce: Buffer, plaintext: Buffer): Buffer {
  const chunkMacs: Buffer[] = [];
  const iv = Buffer.concat([nonce, nonce]);
  let start = 0;
  for (let i = 1; start < plaintext.length; i = Math.min(i + 1, 8)) {
    const size = start >= 4608 * 1024 ? 1024 * 1024 : i * 128 * 1024;
    const chunk = plaintext.subarray(start, Math.min(start + size, plaintext.length));
    const padded = Buffer.alloc(Math.ceil(chunk.length / 16) * 16);
    chunk.copy(padded);
    chunkMacs.push(cbc(k, iv, padded).subarray(-16));
    start += size;
  }
  const out = Buffer.alloc(8);
  if (chunkMacs.length === 0) return out;
  const meta = cbc(k, Buffer.alloc(16), Buffer.concat(chunkMacs)).subarray(-16);
  out.writeUInt32BE((meta.readUInt32BE(0) ^ meta.readUInt32BE(4)) >>> 0, 0);
  out.writeUInt32BE((meta.readUInt32BE(8) ^ meta.readUInt32BE(12)) >>> 0, 4);
  return out;
}

function cbc(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}
