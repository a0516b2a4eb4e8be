/**
 * The condensed MAC of a local file, read in 1 MiB pieces (never loaded whole), for `verify` and for
 * computing the node key before an upload that needs it up front.
 */

import { open, type FileHandle } from 'node:fs/promises';
import { fromSystemError, MegamirrorError } from '../../../errors.js';
import { requireLength } from './bytes.js';
import { FileMac } from './mac.js';

const READ_BYTES = 1024 * 1024;

export interface MacOfFileOptions {
  signal?: AbortSignal;
}

/**
 * The 8-byte condensed MAC M of the file at `path` under K (16 bytes) and N (8 bytes).
 * Rejects with a MegamirrorError from `fromSystemError` (where = path) on I/O errors, with code
 * `interrupted` when `signal` fires, and with RangeError on bad key or nonce lengths.
 */
export async function macOfFile(
  path: string,
  aesKey: Uint8Array,
  nonce: Uint8Array,
  options: MacOfFileOptions = {},
): Promise<Buffer> {
  requireLength(aesKey, 16, 'aesKey');
  requireLength(nonce, 8, 'nonce');
  const mac = new FileMac(aesKey, nonce);
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    for (;;) {
      if (options.signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted', { where: path });
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      mac.update(buffer.subarray(0, bytesRead));
    }
    return mac.digest();
  } catch (err) {
    throw fromSystemError(err, path);
  } finally {
    await handle?.close();
  }
}
