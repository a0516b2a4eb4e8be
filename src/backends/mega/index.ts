import type { Readable } from 'node:stream';
import { baseName, isWithin, parentOf } from '../../core/paths.js';
import type { Capabilities, Entry, Listing, RelPath } from '../../core/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Backend, ListOptions, MacProof, OpOptions, StorageUsage, WriteMeta, WriteSource } from '../backend.js';
import { allNamed, childNamed, mtimeOf } from './children.js';
import { openDownload } from './download.js';
import { fingerprintFile, parseFingerprint, unpackNodeKey } from './crypto/index.js';
import { megaCodeOf } from './errors.js';
import { listSubtree } from './listing.js';
import { createFolder, discardNode, isAmbiguous, moveNode, setNodeAttributes, type NewFile } from './mutations.js';
import { accountUsage } from './quota.js';
import { putReplacing, type ReplaceContext } from './replace.js';
import { resolveRel, resolveRoot, rootSegments } from './resolve.js';
import type { MegaSession } from './session.js';
import { NODE_FILE, NODE_FOLDER, type NodeTree, type WireNode } from './tree.js';
import { uploadContent } from './upload.js';

export interface MegaBackendOptions {
  session: MegaSession;
  /** Absolute folder path below the Cloud Drive, e.g. `/Backups/Documents`. */
  root: string;
  /** How the endpoint is shown: `mega:/Backups/Documents`. */
  display: string;
  /** Deletions and replaced files are removed for good instead of going to the Rubbish Bin. */
  permanentDelete: boolean;
  /** In-place retries of the steps after an upload (its token is too costly to throw away). Default 4. */
  commitRetries?: number;
  commitBackoffMs?: number;
}

/**
 * A folder in a MEGA account. Listing comes from the account's node tree (one `f` per run, see
 * session.ts); uploads and downloads stream through our own crypto with megajs moving the
 * ciphertext (upload.ts, download.ts); a write becomes visible under its name only once its
 * content is stored and `beforeCommit` passed, replacing older same-named files (replace.ts).
 * Deletions go to the Rubbish Bin unless `permanentDelete`.
 */
export class MegaBackend implements Backend {
  readonly kind = 'mega';
  readonly display: string;
  readonly capabilities: Capabilities;
  readonly #s: MegaSession;
  readonly #segments: string[];
  readonly #permanent: boolean;
  readonly #replace: ReplaceContext;
  /** Paths whose last removal may or may not have happened (the connection dropped). */
  readonly #uncertain = new Set<RelPath>();
  #closed = false;

  constructor(o: MegaBackendOptions) {
    this.#s = o.session;
    this.#segments = rootSegments(o.root);
    this.#permanent = o.permanentDelete;
    this.#replace = { session: o.session, permanent: o.permanentDelete, retries: o.commitRetries ?? 4, backoffMs: o.commitBackoffMs ?? 250 };
    this.display = o.display;
    this.capabilities = {
      // Fingerprints store whole seconds; official clients treat 2 s apart as equal.
      mtimePrecisionMs: 2000,
      caseInsensitive: false,
      allowsDuplicateNames: true,
      deleteGoesToTrash: !o.permanentDelete,
      serverSideCopy: true,
    };
    this.#s.acquire();
    // Wrappers (retry) delegate unwrapped methods through the prototype chain: bind those.
    this.close = this.close.bind(this);
    this.macProof = this.macProof.bind(this);
    this.move = this.move.bind(this);
  }

  async probeRoot(): Promise<'ok' | 'missing' | 'not-a-folder'> {
    const r = resolveRoot(await this.#s.tree(), this.#segments);
    return r.kind;
  }

  async list(options: ListOptions = {}): Promise<Listing> {
    const tree = await this.#s.tree(options.signal);
    const r = resolveRoot(tree, this.#segments);
    if (r.kind === 'missing') return { entries: [], skipped: [], warnings: [] };
    if (r.kind === 'not-a-folder') throw new MegamirrorError('not-a-folder', 'the endpoint is not a folder', { where: this.display });
    return listSubtree(tree, r.handle, { ...(options.prune ? { prune: options.prune } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  }

  async stat(path: RelPath, options: OpOptions = {}): Promise<Entry | null> {
    const tree = await this.#s.tree(options.signal);
    const root = this.#rootOrNull(tree);
    if (root === null) return null;
    if (path === '') return { kind: 'dir', path, id: root };
    const found = resolveRel(tree, root, path);
    if (!found) return null;
    if (found.node.t === NODE_FOLDER) return { kind: 'dir', path, id: found.node.h };
    return { kind: 'file', path, size: found.node.s ?? 0, mtimeMs: mtimeOf(found.decoded), id: found.node.h };
  }

  async openRead(path: RelPath, options: OpOptions = {}): Promise<Readable> {
    const tree = await this.#s.tree(options.signal);
    const found = this.#file(tree, path);
    this.#s.checkQuota('transfer', path);
    return openDownload({
      api: this.#s.api,
      handle: found.node.h,
      size: found.node.s ?? 0,
      nodeKey: found.decoded.key,
      where: path,
      idleTimeoutMs: this.#s.timeouts.transferIdleMs,
      requestTimeoutMs: this.#s.timeouts.transferRequestMs,
      onError: (e) => this.#s.noteError(e),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async write(path: RelPath, content: WriteSource, meta: WriteMeta, options: OpOptions = {}): Promise<void> {
    const { signal } = options;
    this.#s.checkQuota('storage', path);
    const tree = await this.#s.tree(signal);
    const parent = this.#folder(tree, parentOf(path));
    const name = baseName(path);
    const before = allNamed(tree, parent, name);
    if (before.some((n) => n.node.t !== NODE_FILE)) throw new MegamirrorError('exists', 'a folder has this name', { where: path });
    const input = content.localPath !== undefined ? { localPath: content.localPath } : await content.open();
    const up = await uploadContent({
      api: this.#s.api,
      size: meta.size,
      input,
      mtimeSeconds: meta.mtimeMs === null ? null : Math.floor(meta.mtimeMs / 1000),
      where: path,
      idleTimeoutMs: this.#s.timeouts.transferIdleMs,
      requestTimeoutMs: this.#s.timeouts.transferRequestMs,
      ...(content.onProgress ? { onProgress: content.onProgress } : {}),
      ...(signal ? { signal } : {}),
    }).catch((e: unknown) => {
      if (e instanceof MegamirrorError) this.#s.noteError(e);
      throw e;
    });
    await meta.beforeCommit?.();
    interrupted(signal, path);
    const file: NewFile = { h: up.token, nodeKey: up.nodeKey, attrs: { n: name, ...(up.c !== null ? { c: up.c } : {}) } };
    await putReplacing(this.#replace, { parent, file, replaces: before.map((b) => b.node.h), where: path, ...(signal ? { signal } : {}) });
  }

  async mkdir(path: RelPath, options: OpOptions = {}): Promise<void> {
    const tree = await this.#s.tree(options.signal);
    const o = { where: path || this.display, ...(options.signal ? { signal: options.signal } : {}) };
    if (path === '') {
      const r = resolveRoot(tree, this.#segments);
      if (r.kind === 'not-a-folder') throw new MegamirrorError('not-a-folder', 'the endpoint is not a folder', { where: this.display });
      if (r.kind === 'missing') {
        let handle = r.handle;
        for (const name of r.missing) handle = (await createFolder(this.#s, tree, handle, name, o)).h;
      }
      return;
    }
    const parent = this.#folder(tree, parentOf(path));
    const existing = childNamed(tree, parent, baseName(path));
    if (existing?.node.t === NODE_FOLDER) return;
    if (existing) throw new MegamirrorError('exists', 'a file has this name', { where: path });
    await createFolder(this.#s, tree, parent, baseName(path), o);
  }

  async deleteFile(path: RelPath, options: OpOptions & { id?: string } = {}): Promise<void> {
    const tree = await this.#s.tree(options.signal);
    let node: WireNode | undefined;
    if (options.id !== undefined) {
      node = tree.get(options.id);
      const root = this.#rootOrNull(tree);
      const named = node ? tree.decode(node) : null;
      // Gone already (or moved away): what the action wanted.
      if (!node || root === null || !tree.isWithin(node.h, root) || tree.isWithin(node.h, tree.rubbishRoot)) return;
      if (node.t !== NODE_FILE || named?.name !== baseName(path)) {
        throw new MegamirrorError('internal', 'the node to delete is not the duplicate the plan saw', { where: path });
      }
    } else {
      const found = this.#resolve(tree, path);
      if (!found) {
        if (this.#uncertain.delete(path)) return;
        throw new MegamirrorError('not-found', 'no such file on MEGA', { where: path });
      }
      if (found.node.t !== NODE_FILE) throw new MegamirrorError('exists', 'a folder has this name', { where: path });
      node = found.node;
    }
    await this.#discard(tree, node.h, path, options.signal);
  }

  async rmdir(path: RelPath, options: OpOptions = {}): Promise<void> {
    const tree = await this.#s.tree(options.signal);
    const found = this.#resolve(tree, path);
    if (!found) {
      if (this.#uncertain.delete(path)) return;
      throw new MegamirrorError('not-found', 'no such folder on MEGA', { where: path });
    }
    if (found.node.t !== NODE_FOLDER) throw new MegamirrorError('not-a-folder', 'not a folder', { where: path });
    if (tree.children(found.node.h).length > 0) throw new MegamirrorError('io', 'the folder is not empty', { where: path });
    await this.#discard(tree, found.node.h, path, options.signal);
  }

  async removeTree(path: RelPath, options: OpOptions = {}): Promise<void> {
    if (path === '') throw new MegamirrorError('internal', 'refusing to remove the endpoint root', { where: this.display });
    const tree = await this.#s.tree(options.signal);
    const found = this.#resolve(tree, path);
    if (!found) return;
    await this.#discard(tree, found.node.h, path, options.signal);
  }

  /** A server-side copy (`p` with the existing handle): no bytes move, the key and `c` stay. */
  async copyWithin(from: RelPath, to: RelPath, options: OpOptions = {}): Promise<void> {
    const tree = await this.#s.tree(options.signal);
    const src = this.#file(tree, from);
    const parent = this.#folder(tree, parentOf(to));
    const name = baseName(to);
    const before = allNamed(tree, parent, name);
    if (before.some((n) => n.node.t !== NODE_FILE)) throw new MegamirrorError('exists', 'a folder has this name', { where: to });
    const file: NewFile = { h: src.node.h, nodeKey: src.decoded.key, attrs: { ...src.decoded.attrs, n: name } };
    await putReplacing(this.#replace, { parent, file, replaces: before.map((b) => b.node.h), where: to, ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** The node's condensed MAC with its key and nonce: `verify` proves content without a download. */
  async macProof(path: RelPath, options: OpOptions = {}): Promise<MacProof | null> {
    const tree = await this.#s.tree(options.signal);
    const found = this.#resolve(tree, path);
    if (!found || found.node.t !== NODE_FILE) return null;
    const { aesKey, nonce, macCondensed } = unpackNodeKey(found.decoded.key);
    return { aesKey, nonce, mac: macCondensed, fingerprinted: parseFingerprint(found.decoded.attrs.c) !== null };
  }

  /** `m` when the parent changes, then `a` when the name does (see Backend.move). */
  async move(from: RelPath, to: RelPath, options: OpOptions = {}): Promise<void> {
    if (from === '' || to === '') throw new MegamirrorError('usage', 'the endpoint root cannot be moved', { where: this.display });
    if (to === from) return;
    if (isWithin(to, from)) throw new MegamirrorError('usage', 'a folder cannot move into itself', { where: to });
    const tree = await this.#s.tree(options.signal);
    const src = this.#resolve(tree, from);
    if (!src) throw new MegamirrorError('not-found', 'no such file or folder on MEGA', { where: from });
    const parent = this.#folder(tree, parentOf(to));
    const name = baseName(to).normalize('NFC');
    if (allNamed(tree, parent, name).some((n) => n.node.h !== src.node.h)) throw new MegamirrorError('exists', 'something already has this name', { where: to });
    const o = { where: from, ...(options.signal ? { signal: options.signal } : {}) };
    if (src.node.p !== parent) await moveNode(this.#s, tree, src.node.h, parent, o);
    if (src.decoded.name !== name) await setNodeAttributes(this.#s, tree, src.node.h, { ...src.decoded.attrs, n: name }, src.decoded.key, o);
  }

  /** Writes `c` from the local file's CRCs and the given mtime; the other attributes stay (see Backend.adoptMtime). */
  async adoptMtime(path: RelPath, from: { localPath: string; mtimeMs: number }, options: OpOptions = {}): Promise<void> {
    const tree = await this.#s.tree(options.signal);
    const found = this.#file(tree, path);
    const fp = await fingerprintFile(from.localPath, { mtimeSeconds: Math.floor(from.mtimeMs / 1000) });
    if (fp.size !== (found.node.s ?? 0)) {
      throw new MegamirrorError('size-mismatch', `the local file has ${fp.size} bytes, the MEGA file ${found.node.s ?? 0}`, { where: path });
    }
    const attrs = { ...found.decoded.attrs, n: found.decoded.name, c: fp.c };
    await setNodeAttributes(this.#s, tree, found.node.h, attrs, found.decoded.key, { where: path, ...(options.signal ? { signal: options.signal } : {}) });
  }

  /** The account's quota (`uq`), see quota.ts. */
  async usage(options: OpOptions = {}): Promise<StorageUsage> {
    return accountUsage(this.#s, { where: this.display, ...(options.signal ? { signal: options.signal } : {}) });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#s.release();
  }

  async #discard(tree: NodeTree, h: string, where: RelPath, signal?: AbortSignal): Promise<void> {
    try {
      await discardNode(this.#s, tree, h, this.#permanent, { where, ...(signal ? { signal } : {}) });
      this.#uncertain.delete(where);
    } catch (err) {
      const e = asError(err, where);
      if (megaCodeOf(e) === -9) return;
      if (isAmbiguous(e)) this.#uncertain.add(where);
      throw e;
    }
  }

  #rootOrNull(tree: NodeTree): string | null {
    const r = resolveRoot(tree, this.#segments);
    return r.kind === 'ok' ? r.handle : null;
  }

  #resolve(tree: NodeTree, path: RelPath) {
    const root = this.#rootOrNull(tree);
    return root === null ? null : resolveRel(tree, root, path);
  }

  #folder(tree: NodeTree, path: RelPath): string {
    const root = this.#rootOrNull(tree);
    if (root === null) throw new MegamirrorError('not-found', 'the destination folder does not exist', { where: this.display });
    if (path === '') return root;
    const found = resolveRel(tree, root, path);
    if (!found) throw new MegamirrorError('not-found', 'the parent folder does not exist', { where: path });
    if (found.node.t !== NODE_FOLDER) throw new MegamirrorError('not-a-folder', 'a path component is not a folder', { where: path });
    return found.node.h;
  }

  #file(tree: NodeTree, path: RelPath) {
    const found = this.#resolve(tree, path);
    if (!found) throw new MegamirrorError('not-found', 'no such file on MEGA', { where: path });
    if (found.node.t !== NODE_FILE) throw new MegamirrorError('exists', 'a folder has this name', { where: path });
    return found;
  }
}

function asError(err: unknown, where: string): MegamirrorError {
  return err instanceof MegamirrorError ? err : new MegamirrorError('internal', String((err as Error)?.message ?? err), { where });
}

function interrupted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted', { where });
}
