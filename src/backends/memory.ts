import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { MegamirrorError } from '../errors.js';
import { comparePaths, isWithin, parentOf } from '../core/paths.js';
import type { Capabilities, Entry, Listing, RelPath } from '../core/types.js';
import type { Backend, ListOptions, OpOptions, WriteMeta, WriteSource } from './backend.js';

type Node = { kind: 'dir' } | { kind: 'file'; data: Buffer; mtimeMs: number | null };

/**
 * An in-memory tree: the fastest backend for engine tests, and the reference for the contract
 * suite. Capabilities are configurable so planner behaviour can be exercised per capability.
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory';
  readonly capabilities: Capabilities;
  private readonly nodes = new Map<RelPath, Node>();
  private rootExists = true;

  constructor(readonly display = 'memory:/', capabilities: Partial<Capabilities> = {}) {
    this.capabilities = {
      mtimePrecisionMs: 1,
      caseInsensitive: false,
      allowsDuplicateNames: false,
      deleteGoesToTrash: false,
      serverSideCopy: true,
      ...capabilities,
    };
  }

  /** Test helper: put a file (and its parent folders) directly. */
  seed(path: RelPath, content: string | Buffer, mtimeMs: number | null = 0): void {
    for (let p = parentOf(path); p !== ''; p = parentOf(p)) this.nodes.set(p, { kind: 'dir' });
    this.nodes.set(path, { kind: 'file', data: Buffer.from(content), mtimeMs });
  }

  /** Test helper: make the root vanish (an unmounted disk). */
  removeRoot(): void {
    this.nodes.clear();
    this.rootExists = false;
  }

  async probeRoot(): Promise<'ok' | 'missing'> {
    return this.rootExists ? 'ok' : 'missing';
  }

  async list(options: ListOptions = {}): Promise<Listing> {
    const entries: Entry[] = [];
    const pruned: RelPath[] = [];
    for (const path of [...this.nodes.keys()].sort(comparePaths)) {
      if (pruned.some((p) => isWithin(path, p) && path !== p)) continue;
      const e = this.entry(path);
      if (!e) continue;
      entries.push(e);
      if (e.kind === 'dir' && options.prune?.(path)) pruned.push(path);
    }
    return { entries, skipped: [], warnings: [] };
  }

  async stat(path: RelPath): Promise<Entry | null> {
    return this.entry(path);
  }

  async openRead(path: RelPath): Promise<Readable> {
    const n = this.nodes.get(path);
    if (!n || n.kind !== 'file') throw new MegamirrorError('not-found', 'no such file', { where: path });
    return Readable.from([n.data]);
  }

  async write(path: RelPath, content: WriteSource, meta: WriteMeta, options: OpOptions = {}): Promise<void> {
    this.requireParent(path);
    const data = await readAll(await content.open());
    options.signal?.throwIfAborted();
    if (data.length !== meta.size) {
      throw new MegamirrorError('size-mismatch', `expected ${meta.size} bytes, read ${data.length}`, { where: path, transient: true });
    }
    content.onProgress?.(data.length);
    await meta.beforeCommit?.();
    this.nodes.set(path, { kind: 'file', data, mtimeMs: meta.mtimeMs });
  }

  async mkdir(path: RelPath): Promise<void> {
    if (path === '') {
      this.rootExists = true;
      return;
    }
    this.requireParent(path);
    const n = this.nodes.get(path);
    if (n?.kind === 'file') throw new MegamirrorError('exists', 'a file is in the way', { where: path });
    this.nodes.set(path, { kind: 'dir' });
  }

  async deleteFile(path: RelPath): Promise<void> {
    if (this.nodes.get(path)?.kind !== 'file') throw new MegamirrorError('not-found', 'no such file', { where: path });
    this.nodes.delete(path);
  }

  async rmdir(path: RelPath): Promise<void> {
    if ([...this.nodes.keys()].some((p) => p !== path && isWithin(p, path))) {
      throw new MegamirrorError('io', 'folder is not empty', { where: path });
    }
    this.nodes.delete(path);
  }

  async removeTree(path: RelPath): Promise<void> {
    for (const p of [...this.nodes.keys()]) if (isWithin(p, path)) this.nodes.delete(p);
  }

  async copyWithin(from: RelPath, to: RelPath): Promise<void> {
    const n = this.nodes.get(from);
    if (!n || n.kind !== 'file') throw new MegamirrorError('not-found', 'no such file', { where: from });
    this.requireParent(to);
    this.nodes.set(to, { ...n });
  }

  /** Test helper: the content of a file, or undefined. */
  read(path: RelPath): Buffer | undefined {
    const n = this.nodes.get(path);
    return n?.kind === 'file' ? n.data : undefined;
  }

  async close(): Promise<void> {}

  private entry(path: RelPath): Entry | null {
    const n = this.nodes.get(path);
    if (!n) return null;
    return n.kind === 'dir' ? { kind: 'dir', path } : { kind: 'file', path, size: n.data.length, mtimeMs: n.mtimeMs };
  }

  private requireParent(path: RelPath): void {
    const p = parentOf(path);
    if (p !== '' && this.nodes.get(p)?.kind !== 'dir') {
      throw new MegamirrorError('not-found', 'parent folder does not exist', { where: path });
    }
    if (!this.rootExists) throw new MegamirrorError('not-found', 'root does not exist', { where: path });
  }
}
