/**
 * MEGA's base64: the url-safe alphabet (`-` and `_`) without `=` padding, used for handles,
 * keys, attributes (`a`) and fingerprints (`c`).
 */

/** The alphabet, nothing else (no padding, no whitespace). */
export const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Encode bytes as url-safe base64 without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * Decode url-safe base64 without padding. Returns null (never throws) for anything else: a
 * non-string, characters outside the alphabet (including `=`, `+`, `/` and whitespace), or a
 * length that no byte string encodes to (length % 4 === 1). Unused trailing bits are ignored.
 */
export function fromBase64Url(text: unknown): Buffer | null {
  if (typeof text !== 'string' || text.length % 4 === 1 || !BASE64URL.test(text)) return null;
  return Buffer.from(text, 'base64url');
}
