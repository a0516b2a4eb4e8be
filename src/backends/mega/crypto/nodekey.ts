/**
 * File node keys. A file's 32-byte node key is `(K xor (N || M)) || N || M`: K the 16-byte AES key
 * of the content and attributes, N the 8-byte CTR/MAC nonce, M the 8-byte condensed MAC of the
 * plaintext. Folder keys are plain 16-byte AES keys. All are raw bytes (not base64); every function
 * here returns fresh Buffers and throws RangeError (without key bytes in the message) on wrong lengths.
 */

import { randomBytes } from 'node:crypto';
import { requireLength, xorBytes } from './bytes.js';

export const AES_KEY_BYTES = 16;
export const NONCE_BYTES = 8;
export const MAC_BYTES = 8;
export const FILE_KEY_BYTES = 32;
export const FOLDER_KEY_BYTES = 16;

/** What a file's content is encrypted with, chosen at random once per upload. */
export interface FileSecrets {
  /** K: AES-128 key, 16 bytes. */
  aesKey: Buffer;
  /** N: 8 bytes; the CTR IV is N || 0x00 * 8 and the chunk-MAC IV is N || N. */
  nonce: Buffer;
}

/** The three parts of a file node key. */
export interface NodeKeyParts extends FileSecrets {
  /** M: the condensed 8-byte MAC of the plaintext (see `mac.ts`). */
  macCondensed: Buffer;
}

/** Fresh random K and N for a new upload (node:crypto randomBytes). */
export function randomFileSecrets(): FileSecrets {
  return { aesKey: randomBytes(AES_KEY_BYTES), nonce: randomBytes(NONCE_BYTES) };
}

/** A random 16-byte folder key. */
export function randomFolderKey(): Buffer {
  return randomBytes(FOLDER_KEY_BYTES);
}

/** Pack K, N, M into the 32-byte node key `(K xor (N || M)) || N || M`. */
export function packNodeKey(parts: NodeKeyParts): Buffer {
  requireLength(parts.aesKey, AES_KEY_BYTES, 'aesKey');
  requireLength(parts.nonce, NONCE_BYTES, 'nonce');
  requireLength(parts.macCondensed, MAC_BYTES, 'macCondensed');
  const tail = Buffer.concat([parts.nonce, parts.macCondensed]);
  return Buffer.concat([xorBytes(parts.aesKey, tail), tail]);
}

/** Split a 32-byte node key into K (bytes 0..15 xor 16..31), N (16..23) and M (24..31). */
export function unpackNodeKey(nodeKey: Uint8Array): NodeKeyParts {
  requireLength(nodeKey, FILE_KEY_BYTES, 'file node key');
  const key = Buffer.from(nodeKey);
  return {
    aesKey: xorBytes(key.subarray(0, 16), key.subarray(16, 32)),
    nonce: key.subarray(16, 24),
    macCondensed: key.subarray(24, 32),
  };
}
