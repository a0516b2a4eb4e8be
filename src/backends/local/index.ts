import { createReadStream, lstatSync, statSync } from 'node:fs';
import { link, mkdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { MegamirrorError, fromSystemError } from '../../errors.js';
import type { Capabilities, Entry, Listing, RelPath } from '../../core/types.js';
import type { Backend, ListOptions, LocalFileWrite, OpOptions, WriteMeta, WriteSource } from '../backend.js';
import { nativeHelpers } from '../../native.js';
import { CopyQueue, GROUP_BELOW, GROUP_BYTES, GROUP_FILES } from './copy-queue.js';
import { partialName } from './partial.js';
import { walkAnywhere } from './walk-thread.js';
import { atomicWrite, checkLocalSource, writeGroup } from './write.js';

export interface LocalBackendOptions {
  followSymlinks?: boolean;
  /** Copies running at once on the thread pool (the job's `concurrency`); 4 unless given. */
  concurrency?: number;
}

const UNSAFE_REL = /(?:^|\/)\.{0,2}(?:\/|$)|\0/;

/** A folder on a local (or mounted) filesystem. */
export class LocalBackend implements Backend {
  readonly kind = 'local';
  readonly display: string;
  readonly capabilities: Capabilities;
  /** Copies through the native helpers, grouped (copy-queue.ts); made on the first write. */
  private copies: CopyQueue | undefined;
  private diskNames = new Map<RelPath, string>();

  /** The root, normalized, with one trailing slash: abs() appends checked relative paths. */
  private readonly prefix: string;

  constructor(readonly root: string, private readonly options: LocalBackendOptions = {}) {
    this.display = root;
    this.prefix = join(root, '/');
    this.capabilities = {
      mtimePrecisionMs: 1,
      caseInsensitive: false,
      allowsDuplicateNames: false,
      deleteGoesToTrash: false,
      serverSideCopy: true,
      // Small files copied in groups only by the native helpers; node:fs copies one by one.
      ...(nativeHelpers() !== null ? { writeGroup: { files: GROUP_FILES, bytes: GROUP_BYTES, fileBelow: GROUP_BELOW } } : {}),
    };
  }

  async probeRoot(): Promise<'ok' | 'missing' | 'not-a-folder'> {
    try {
      const s = await stat(this.root);
      return s.isDirectory() ? 'ok' : 'not-a-folder';
    } catch (err) {
      const e = fromSystemError(err, this.root);
      if (e.code === 'not-found') return 'missing';
      throw e;
    }
  }

  async list(options: ListOptions = {}): Promise<Listing> {
    if ((await this.probeRoot()) === 'missing') return { entries: [], skipped: [], warnings: [] };
    const r = await walkAnywhere({ root: this.root, followSymlinks: this.options.followSymlinks ?? false, ...options });
    this.diskNames = r.diskNames;
    return { entries: r.entries, skipped: r.skipped, warnings: r.warnings };
  }

  /** Synchronous underneath: one lstat is cheaper than a thread-pool round trip (it runs per copied file). */
  async stat(path: RelPath): Promise<Entry | null> {
    try {
      const follow = this.options.followSymlinks ?? false;
      const s = follow ? statSync(this.abs(path)) : lstatSync(this.abs(path));
      if (s.isFile()) return { kind: 'file', path, size: s.size, mtimeMs: Math.floor(s.mtimeMs) };
      if (s.isDirectory()) return { kind: 'dir', path };
      return null;
    } catch (err) {
      const e = fromSystemError(err, path);
      if (e.code === 'not-found' || e.code === 'not-a-folder') return null;
      throw e;
    }
  }

  async openRead(path: RelPath): Promise<Readable> {
    const s = createReadStream(this.abs(path), { highWaterMark: 1024 * 1024 });
    // Surface open errors (permission denied) here rather than mid-pipeline.
    await new Promise<void>((resolve, reject) => {
      s.once('open', () => resolve());
      s.once('error', (e) => reject(fromSystemError(e, path)));
    });
    return s;
  }

  /** Not an async function of its own: it runs once per copied file (atomicWrite's promise is the answer). */
  write(path: RelPath, content: WriteSource, meta: WriteMeta, options: OpOptions = {}): Promise<void> {
    try {
      const native = content.localPath !== undefined ? nativeHelpers() : null;
      if (native !== null) this.copies ??= new CopyQueue(native, Math.max(1, this.options.concurrency ?? 4));
      return atomicWrite(this.abs(path), path, content, meta, options.signal, native !== null ? this.copies : undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** One native job for the whole group (write.ts); node:fs, file by file, where the helpers are off. */
  async writeLocalFiles(items: readonly LocalFileWrite[], options: OpOptions = {}): Promise<Array<MegamirrorError | null>> {
    const native = nativeHelpers();
    if (native === null) {
      return Promise.all(items.map((it) => {
        const content = { open: async (): Promise<Readable> => createReadStream(it.localPath), localPath: it.localPath };
        const meta = { size: it.size, mtimeMs: it.mtimeMs, beforeCommit: () => checkLocalSource(it.localPath, it.size, it.mtimeMs, it.path), beforeCommitChecksSource: true };
        return this.write(it.path, content, meta, options).then(() => null, (e: unknown) => fromSystemError(e, it.path));
      }));
    }
    this.copies ??= new CopyQueue(native, Math.max(1, this.options.concurrency ?? 4));
    const finals: Array<string | MegamirrorError> = items.map((it) => {
      try {
        return this.abs(it.path);
      } catch (err) {
        return fromSystemError(err, it.path);
      }
    });
    return writeGroup(this.copies, items, finals, options.signal);
  }

  async mkdir(path: RelPath): Promise<void> {
    if (path === '') {
      // Only the last level: a missing parent is more often an unmounted disk than a wish.
      await mkdir(this.root).catch((e) => {
        const err = fromSystemError(e, this.root);
        if (err.code === 'exists') return;
        if (err.code === 'not-found') {
          throw new MegamirrorError('not-found', "the destination's parent folder does not exist", {
            where: this.root,
            hint: 'if it lives on a removable or network disk, check that the disk is mounted; otherwise create the parent folder',
          });
        }
        throw err;
      });
      return;
    }
    try {
      await mkdir(this.abs(path));
    } catch (err) {
      const e = fromSystemError(err, path);
      if (e.code === 'exists' && (await this.stat(path))?.kind === 'dir') return;
      throw e;
    }
  }

  async deleteFile(path: RelPath): Promise<void> {
    await unlink(this.abs(path)).catch((e) => {
      throw fromSystemError(e, path);
    });
  }

  async rmdir(path: RelPath): Promise<void> {
    await rmdir(this.abs(path)).catch((e) => {
      throw fromSystemError(e, path);
    });
  }

  async removeTree(path: RelPath): Promise<void> {
    if (path === '') throw new MegamirrorError('internal', 'refusing to remove the endpoint root', { where: this.root });
    await rm(this.abs(path), { recursive: true, force: true }).catch((e) => {
      throw fromSystemError(e, path);
    });
  }

  /** A hard link under a partial name, renamed into place: `to` appears whole or not at all. */
  async copyWithin(from: RelPath, to: RelPath): Promise<void> {
    const final = this.abs(to);
    const tmp = join(dirname(final), partialName(basename(final)));
    try {
      await link(this.abs(from), tmp);
      await rename(tmp, final);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw fromSystemError(err, to);
    }
  }

  localPath(path: RelPath): string {
    return this.abs(path);
  }

  async close(): Promise<void> {}

  /**
   * The on-disk path of a RelPath; refuses anything that would leave the root (a `.` or `..` or
   * empty segment, a leading or trailing `/`, a NUL). Runs twice per copied file: one regular
   * expression and a concatenation instead of a split and path.join.
   */
  private abs(path: RelPath): string {
    if (path === '') return this.root;
    const disk = this.diskNames.get(path) ?? path;
    if (UNSAFE_REL.test(disk)) throw new MegamirrorError('internal', 'path escapes the endpoint root', { where: path });
    return this.prefix + disk;
  }
}
