/**
 * Key wrapping: node keys are stored on the server encrypted with the account master key (or a
 * share key), AES-128-ECB over 16-byte blocks, no padding. Folder keys (16 bytes) and file node keys
 * (32 bytes) wrap the same way. Raw bytes in and out (base64url decoding is the caller's).
 *
 * Throws RangeError when `masterKey` is not 16 bytes or the key is empty or not a multiple of
 * 16 bytes: a server-supplied wrapped key should be length-checked (or this call caught) first.
 */

import { createCipheriv, createDecipheriv } from 'node:crypto';
import { requireLength } from './bytes.js';

/** Encrypt a 16- or 32-byte key (any positive multiple of 16) under the master key. */
export function wrapKey(masterKey: Uint8Array, key: Uint8Array): Buffer {
  checkArgs(masterKey, key);
  const cipher = createCipheriv('aes-128-ecb', masterKey, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(key), cipher.final()]);
}

/** Decrypt a wrapped key; the inverse of `wrapKey`. A wrong master key gives garbage, not an error. */
export function unwrapKey(masterKey: Uint8Array, wrapped: Uint8Array): Buffer {
  checkArgs(masterKey, wrapped);
  const decipher = createDecipheriv('aes-128-ecb', masterKey, null).setAutoPadding(false);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}

function checkArgs(masterKey: Uint8Array, key: Uint8Array): void {
  requireLength(masterKey, 16, 'master key');
  if (!(key instanceof Uint8Array) || key.byteLength === 0 || key.byteLength % 16 !== 0) {
    const got = key instanceof Uint8Array ? `${key.byteLength} bytes` : typeof key;
    throw new RangeError(`a wrapped key must be a positive multiple of 16 bytes, got ${got}`);
  }
}

/**
 * `unwrapKey` for many keys under one master key, with one decipher: ECB without padding keeps no
 * state between blocks, so `update` alone returns each key. Listing 100,000 nodes created as many
 * deciphers as nodes (a quarter of a second, and their garbage).
 */
export function keyUnwrapper(masterKey: Uint8Array): (wrapped: Uint8Array) => Buffer {
  requireLength(masterKey, 16, 'master key');
  const decipher = createDecipheriv('aes-128-ecb', masterKey, null).setAutoPadding(false);
  return (wrapped) => {
    checkArgs(masterKey, wrapped);
    return decipher.update(wrapped);
  };
}
