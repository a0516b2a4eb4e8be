/**
 * Blobs as files: `<dir>/<id>.part` while uploading (positional writes of each received piece as
 * it arrives: no buffering of whole chunks), renamed to `<dir>/<id>` on commit. Reads go through
 * a small pool of reused 1 MiB buffers, so serving a download touches no fresh memory.
 * `scratch()` makes a store in a new temporary folder that close() removes.
 */
import { closeSync, openSync, promises as fsp, readSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomToken } from './b64.js';
import { receiveBody, type BlobStore, type BlobWriter, type PieceSink } from './blobs.js';

const PIECE = 1024 * 1024;
const POOL_MAX = 32;
const pool: Buffer[] = [];

/** Bytes of an upload gathered before they are written. */
const WRITE_BATCH = 1024 * 1024;

export class DiskBlobStore implements BlobStore {
  private readonly known = new Set<string>();

  private constructor(
    private readonly dir: string,
    private readonly removeOnClose: boolean,
  ) {}

  /** A store in `dir` (created if missing); leftover `.part` files are removed. */
  static async open(dir: string): Promise<DiskBlobStore> {
    await fsp.mkdir(dir, { recursive: true });
    const store = new DiskBlobStore(dir, false);
    for (const name of await fsp.readdir(dir)) {
      if (name.endsWith('.part')) await fsp.rm(join(dir, name), { force: true });
      else store.known.add(name);
    }
    return store;
  }

  /** A throw-away store in a fresh temporary folder, removed by close(). */
  static async scratch(): Promise<DiskBlobStore> {
    return new DiskBlobStore(await fsp.mkdtemp(join(tmpdir(), 'megamirror-emulator-')), true);
  }

  async begin(size: number): Promise<BlobWriter> {
    const id = randomToken(9);
    const partPath = join(this.dir, `${id}.part`);
    const finalPath = join(this.dir, id);
    // Created now, open only while a request body is arriving: abandoned uploads hold no file
    // descriptor. Synchronous calls: a 1 MiB writev to the page cache takes well under a
    // millisecond, less than the thread-pool round trip and promise work of the async ones (which,
    // with an open and a close per request, were two thirds of the emulator's CPU for uploads).
    await fsp.writeFile(partPath, '');
    const known = this.known;
    let fd = -1;
    let receiving = 0;
    return {
      id,
      size,
      receive(body, offset, length) {
        if (receiving++ === 0) fd = openSync(partPath, 'r+');
        // Socket reads arrive in 64 KiB pieces: gathered into one writev per WRITE_BATCH.
        let batch: Buffer[] = [];
        let batchAt = 0;
        let batchBytes = 0;
        const received = receiveBody(body, length, (piece, pos) => {
          if (batchBytes === 0) batchAt = pos;
          batch.push(piece);
          batchBytes += piece.length;
          if (batchBytes < WRITE_BATCH && pos + piece.length < length) return;
          const pieces = batch;
          batch = [];
          batchBytes = 0;
          try {
            writevSync(fd, pieces, offset + batchAt);
          } catch (error) {
            // Settled through receiveBody's pending list, which rejects the request.
            const failed = Promise.reject(error as Error);
            failed.catch(() => undefined);
            return failed;
          }
        });
        return received.finally(() => {
          if (--receiving === 0) closeSync(fd);
        });
      },
      async commit() {
        await fsp.rename(partPath, finalPath);
        known.add(id);
      },
      async abort() {
        await fsp.rm(partPath, { force: true });
      },
    };
  }

  /**
   * Synchronous positional reads (page cache, well under a millisecond per piece) into two pooled
   * buffers in turn: the next piece is read while the socket still sends the one before.
   */
  async read(id: string, start: number, end: number, sink: PieceSink): Promise<void> {
    const fd = openSync(join(this.dir, id), 'r');
    const buffers = [pool.pop() ?? Buffer.allocUnsafe(PIECE), pool.pop() ?? Buffer.allocUnsafe(PIECE)];
    let sending: Promise<void> | void = undefined;
    try {
      for (let pos = start, turn = 0; pos < end; turn ^= 1) {
        const buffer = buffers[turn]!;
        const bytesRead = readSync(fd, buffer, 0, Math.min(PIECE, end - pos), pos);
        if (bytesRead === 0) throw new Error(`blob ${id} is shorter than expected`);
        await sending;
        sending = sink(buffer.subarray(0, bytesRead));
        pos += bytesRead;
      }
      await sending;
    } finally {
      // Not before the last piece was handed over (or failed): the sink may still hold it.
      await Promise.resolve(sending).catch(() => undefined);
      for (const b of buffers) if (pool.length < POOL_MAX) pool.push(b);
      closeSync(fd);
    }
  }

  has(id: string): boolean {
    return this.known.has(id);
  }

  async delete(id: string): Promise<void> {
    this.known.delete(id);
    await fsp.rm(join(this.dir, id), { force: true });
  }

  async ids(): Promise<string[]> {
    return [...this.known];
  }

  async close(): Promise<void> {
    if (this.removeOnClose) await fsp.rm(this.dir, { recursive: true, force: true });
  }
}
