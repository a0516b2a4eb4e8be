import { randomBytes } from 'node:crypto';

/**
 * Temporary names for files being written. They are hidden, name the file they will become, and
 * end in a marker that scans recognize, so leftovers of a killed run are found and removed.
 */
const MARKER = /^\..*\.[0-9a-f]{8}\.mmpartial$/s;

export function partialName(finalName: string): string {
  // Keep well under the 255-byte name limit whatever the final name's length.
  const stem = Buffer.from(finalName).subarray(0, 160).toString('utf8').replace(/\uFFFD+$/, '');
  return `.${stem}.${randomBytes(4).toString('hex')}.mmpartial`;
}

export function isPartialName(name: string): boolean {
  return MARKER.test(name);
}
