/**
 * Where an upload's plaintext comes from, read straight into the caller's request buffer: a local
 * file by positional reads (no stream, no fresh Buffer per read), or any Readable (its pieces are
 * copied in).
 *
 * Contract: `fill(dst)` resolves with the bytes put at the start of `dst`: all of it unless the
 * content ended first. `atEnd()` tells whether nothing follows what was read. `close()` releases
 * the source (the file descriptor; a stream is destroyed) and may be called more than once.
 */

import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fromSystemError } from '../../errors.js';

export interface PlainSource {
  fill(dst: Buffer): Promise<number>;
  atEnd(): Promise<boolean>;
  close(): Promise<void>;
}

/** Positional reads of at most this many bytes each: the thread pool returns in between. */
const READ_BYTES = 4 * 1024 * 1024;

export async function fileSource(path: string, where: string): Promise<PlainSource> {
  const fh = await open(path, 'r').catch((e: unknown) => {
    throw fromSystemError(e, where);
  });
  let position = 0;
  let closed: Promise<void> | null = null;
  const read = async (dst: Buffer, at: number, length: number): Promise<number> => {
    try {
      return (await fh.read(dst, at, length, position)).bytesRead;
    } catch (e) {
      throw fromSystemError(e, where);
    }
  };
  return {
    async fill(dst) {
      let n = 0;
      while (n < dst.length) {
        const got = await read(dst, n, Math.min(READ_BYTES, dst.length - n));
        if (got === 0) break;
        n += got;
        position += got;
      }
      return n;
    },
    async atEnd() {
      return (await read(Buffer.alloc(1), 0, 1)) === 0;
    },
    close: () => (closed ??= fh.close().catch(() => undefined)),
  };
}

export function streamSource(input: Readable): PlainSource {
  const it = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let left: Buffer | null = null;
  const next = async (): Promise<Buffer | null> => {
    if (left !== null && left.length > 0) {
      const b = left;
      left = null;
      return b;
    }
    for (;;) {
      const r = await it.next();
      if (r.done) return null;
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (b.length > 0) return b;
    }
  };
  return {
    async fill(dst) {
      let n = 0;
      while (n < dst.length) {
        const b = await next();
        if (b === null) break;
        const take = Math.min(b.length, dst.length - n);
        b.copy(dst, n, 0, take);
        if (take < b.length) left = b.subarray(take);
        n += take;
      }
      return n;
    },
    async atEnd() {
      const b = await next();
      left = b;
      return b === null;
    },
    async close() {
      input.destroy();
    },
  };
}
