/**
 * Blobs as files: `<dir>/<id>.part` while uploading (positional writes of each received piece as
 * it arrives: no buffering of whole chunks), renamed to `<dir>/<id>` on commit. Reads go through
 * a small pool of reused 1 MiB buffers, so serving a download touches no fresh memory.
 * `scratch()` makes a store in a new temporary folder that close() removes.
 */
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomToken } from './b64.js';
import { receiveBody, type BlobStore, type BlobWriter, type PieceSink } from './blobs.js';

const PIECE = 1024 * 1024;
const POOL_MAX = 32;
const pool: Buffer[] = [];

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
    // Created now, opened per chunk: abandoned uploads hold no file descriptor.
    await fsp.writeFile(partPath, '');
    const known = this.known;
    return {
      id,
      size,
      receive(body, offset, length) {
        // Listeners attach synchronously (no byte can flow past them); writes wait for the open.
        const opening = fsp.open(partPath, 'r+');
        const received = receiveBody(body, length, (piece, pos) =>
          opening.then((handle) => handle.write(piece, 0, piece.length, offset + pos)),
        );
        return received.finally(() => opening.then((handle) => handle.close()).catch(() => {}));
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

  async read(id: string, start: number, end: number, sink: PieceSink): Promise<void> {
    const handle = await fsp.open(join(this.dir, id), 'r');
    const buffer = pool.pop() ?? Buffer.allocUnsafe(PIECE);
    try {
      for (let pos = start; pos < end; ) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(PIECE, end - pos), pos);
        if (bytesRead === 0) throw new Error(`blob ${id} is shorter than expected`);
        await sink(buffer.subarray(0, bytesRead));
        pos += bytesRead;
      }
    } finally {
      if (pool.length < POOL_MAX) pool.push(buffer);
      await handle.close();
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
