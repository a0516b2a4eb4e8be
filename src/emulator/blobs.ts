/**
 * Ciphertext storage: bytes exactly as uploaded, written at the offsets the client chose, never
 * inspected. Implementations: memory (below) and files (blobs-disk.ts, also used for the default
 * scratch folder: in VMs like this one, fresh anonymous memory costs about 4 ms/MiB in page faults
 * while the page cache does not, so files are the fast store even for throw-away state).
 */
import type { Readable } from 'node:stream';
import { randomToken } from './b64.js';

export interface BlobWriter {
  readonly id: string;
  readonly size: number;
  /**
   * Stores one request body of `length` bytes at `offset`. Resolves with the bytes stored once
   * the body ended; rejects if it ended early (aborted client, dropped connection) or ran long.
   */
  receive(body: Readable, offset: number, length: number): Promise<number>;
  /** Makes the blob readable under `id`. Call once, after every byte was received. */
  commit(): Promise<void>;
  /** Discards a blob that will never be committed. */
  abort(): Promise<void>;
}

/** Receives bytes of a read in order; a piece is only valid until the returned promise settles. */
export type PieceSink = (piece: Buffer) => Promise<void> | void;

export interface BlobStore {
  begin(size: number): Promise<BlobWriter>;
  /** Feeds bytes [start, end) of a committed blob to `sink`, piece by piece. Do not mutate pieces. */
  read(id: string, start: number, end: number, sink: PieceSink): Promise<void>;
  has(id: string): boolean;
  delete(id: string): Promise<void>;
  /** Ids of all committed blobs (for garbage collection after a restart). */
  ids(): Promise<string[]>;
  /** Releases resources (a scratch store removes its folder). */
  close(): Promise<void>;
}

export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<string, Buffer>();

  async begin(size: number): Promise<BlobWriter> {
    const id = randomToken(9);
    const data = Buffer.allocUnsafe(size);
    const blobs = this.blobs;
    return {
      id,
      size,
      receive: (body, offset, length) =>
        receiveBody(body, length, (piece, pos) => {
          piece.copy(data, offset + pos);
        }),
      async commit() {
        blobs.set(id, data);
      },
      async abort() {},
    };
  }

  async read(id: string, start: number, end: number, sink: PieceSink): Promise<void> {
    const data = this.blobs.get(id);
    if (!data) throw new Error(`no blob ${id}`);
    if (end > start) await sink(data.subarray(start, end));
  }

  has(id: string): boolean {
    return this.blobs.has(id);
  }

  async delete(id: string): Promise<void> {
    this.blobs.delete(id);
  }

  async ids(): Promise<string[]> {
    return [...this.blobs.keys()];
  }

  async close(): Promise<void> {
    this.blobs.clear();
  }
}

/**
 * Feeds a request body's pieces to `sink` with their position in the body; resolves with the
 * byte count when the body ends with exactly `length` bytes, rejects when it is cut short or is
 * longer. A sink may return a promise (a pending write); all are awaited before resolving.
 */
export function receiveBody(
  body: Readable,
  length: number,
  sink: (piece: Buffer, pos: number) => Promise<unknown> | void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    if (body.readableEnded || body.destroyed) return reject(new Error('request body already consumed'));
    let pos = 0;
    let settled = false;
    const pending: Array<Promise<unknown>> = [];
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      Promise.allSettled(pending).then(() => reject(error));
    };
    body.on('data', (piece: Buffer) => {
      if (settled) return;
      if (pos + piece.length > length) return fail(new Error('request body longer than content-length'));
      const written = sink(piece, pos);
      if (written) pending.push(written);
      pos += piece.length;
    });
    body.on('end', () => {
      if (settled) return;
      settled = true;
      if (pos !== length) {
        Promise.allSettled(pending).then(() => reject(new Error(`request body ended after ${pos} of ${length} bytes`)));
        return;
      }
      Promise.all(pending).then(() => resolve(pos), reject);
    });
    body.on('error', fail);
    body.on('close', () => fail(new Error('connection closed during request body')));
  });
}
