import { randomBytes } from 'node:crypto';

/**
 * Temporary names for files being written. They are hidden, name the file they will become, and
 * end in a marker that scans recognize, so leftovers of a killed run are found and removed.
 */
const MARKER = /^\..*\.[0-9a-f]{8}\.mmpartial$/s;

/** One random prefix per process plus a counter: unique without a random draw per file. */
const PREFIX = randomBytes(2).toString('hex');
let counter = 0;

export function partialName(finalName: string): string {
  // Keep well under the 255-byte name limit whatever the final name's length.
  const stem = finalName.length <= 53 ? finalName : Buffer.from(finalName).subarray(0, 160).toString('utf8').replace(/\uFFFD+$/, '');
  counter = (counter + 1) & 0xffff;
  return `.${stem}.${PREFIX}${counter.toString(16).padStart(4, '0')}.mmpartial`;
}

export function isPartialName(name: string): boolean {
  // Asked for every name a scan meets: the cheap tests first.
  return name.charCodeAt(0) === 46 && name.endsWith('.mmpartial') && MARKER.test(name);
}
