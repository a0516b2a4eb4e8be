/**
 * CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), the
 * checksum in MEGA fingerprints. Uses `zlib.crc32` (Node >= 20.15) and falls back to a table
 * implementation on older Node 20 releases (package.json allows >= 20.5).
 */

import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, value?: number) => number;

/** CRC-32 of `data`, continuing from `value` (0 to start); an unsigned 32-bit number. */
export const crc32: Crc32 =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib.crc32 as Crc32) : tableCrc32;

let table: Uint32Array | undefined;

/** The portable implementation (exported for tests that compare it with zlib's). */
export function tableCrc32(data: Uint8Array, value = 0): number {
  table ??= makeTable();
  let crc = ~value >>> 0;
  for (let i = 0; i < data.byteLength; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
