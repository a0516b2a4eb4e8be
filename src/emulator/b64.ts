/**
 * MEGA's base64url (no padding) and the random identifiers the emulator hands out.
 * Node handles are 6 bytes (8 chars), user handles 8 bytes (11 chars), as on the real service.
 */
import { randomBytes } from 'node:crypto';

export function e64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64url');
}

/** Decodes base64 or base64url, with or without padding (as Node and MEGA clients accept). */
export function d64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

export function randomNodeHandle(): string {
  return e64(randomBytes(6));
}

export function randomUserHandle(): string {
  return e64(randomBytes(8));
}

/** An opaque URL-safe token for upload/download URLs and wait tickets. */
export function randomToken(bytes = 12): string {
  return e64(randomBytes(bytes));
}
