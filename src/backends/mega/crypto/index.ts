/**
 * MEGA crypto, exact to the official SDK: chunk layout, file MAC, node keys, key wrapping,
 * streaming en/decryption, fingerprints (`c`) and attributes (`a`).
 *
 * Conventions for everything exported here:
 * - Bytes are Buffers/Uint8Arrays of raw key material (never base64 unless a name says `a`/`c`/
 *   base64url). Lengths: AES key K 16, nonce N 8, condensed MAC M 8, file node key 32, folder key 16.
 * - Offsets and sizes are bytes as non-negative safe integers; times are Unix seconds.
 * - Programming errors (wrong lengths, bad offsets) throw RangeError; data problems the caller must
 *   handle are MegamirrorErrors (`integrity`, `source-changed`, I/O codes); parsers of server data
 *   (`parseFingerprint`, `decryptAttributes`, `fromBase64Url`) return null instead of throwing.
 * - No message ever contains key bytes.
 */

export { toBase64Url, fromBase64Url } from './base64url.js';
export { CHUNK_UNIT, MAX_CHUNK_SIZE, RAMP_END, chunkAt, chunkBoundaries, chunkCount, isChunkBoundary } from './chunks.js';
export type { ChunkSpan } from './chunks.js';
export { ctrIv, CtrCipher, ctrCrypt } from './ctr.js';
export { chunkMac, metaMac, condenseMac, FileMac, macOfBuffer } from './mac.js';
export { macOfFile } from './mac-file.js';
export type { MacOfFileOptions } from './mac-file.js';
export {
  AES_KEY_BYTES,
  NONCE_BYTES,
  MAC_BYTES,
  FILE_KEY_BYTES,
  FOLDER_KEY_BYTES,
  randomFileSecrets,
  randomFolderKey,
  packNodeKey,
  unpackNodeKey,
} from './nodekey.js';
export type { FileSecrets, NodeKeyParts } from './nodekey.js';
export { keyUnwrapper, wrapKey, unwrapKey } from './keywrap.js';
export { EncryptStream, createEncryptStream } from './encrypt-stream.js';
export type { EncryptResult } from './encrypt-stream.js';
export { DecryptStream, createDecryptStream } from './decrypt-stream.js';
export type { DecryptOptions } from './decrypt-stream.js';
export { crc32 } from './crc32.js';
export {
  FINGERPRINT_CRC_BYTES,
  FULL_COVERAGE_MAX,
  WINDOW_BYTES,
  WINDOWS_PER_LANE,
  fingerprintWindowOffsets,
  fingerprintCrc,
  crcOfWindows,
  encodeFingerprint,
  fingerprintBuffer,
  parseFingerprint,
} from './fingerprint.js';
export type { Fingerprint, ParsedFingerprint } from './fingerprint.js';
export { fingerprintFile } from './fingerprint-file.js';
export type { FingerprintFileOptions } from './fingerprint-file.js';
export { encryptAttributes, decryptAttributes } from './attributes.js';
export type { NodeAttributes } from './attributes.js';
