/**
 * A MEGA public link as a read-only Backend, with no account: a folder link is rooted at the linked
 * folder; a file link is a root folder that holds that one file under its name (so `get` of a file
 * link and of a file in a folder link take the same path).
 *
 * Reads behave as the account backend's: listings with NFC names, mtimes from `c`, duplicates and
 * unsafe or undecryptable names reported as skipped; downloads verified against the file's MAC
 * (download.ts), so damaged content never ends a read normally. Every method that would change
 * something rejects with `permission-denied`. The content is fetched once per backend, on first use.
 */

import type { Readable } from 'node:stream';
import type { MegaLink } from '../../../config/mega-link.js';
import { unsafeNameReason } from '../../../core/paths.js';
import type { Capabilities, Entry, Listing, RelPath } from '../../../core/types.js';
import { MegamirrorError } from '../../../errors.js';
import type { Backend, ListOptions, MacProof, OpOptions } from '../../backend.js';
import { MegaApi } from '../api.js';
import { mtimeOf } from '../children.js';
import { parseFingerprint, unpackNodeKey } from '../crypto/index.js';
import { openDownload } from '../download.js';
import { displayName, listSubtree } from '../listing.js';
import { RateLimiter } from '../rate-limiter.js';
import { resolveRel } from '../resolve.js';
import type { MegaTimeouts } from '../session.js';
import { NODE_FILE, NODE_FOLDER, type Decoded } from '../tree.js';
import { loadLink, type LinkContent } from './load.js';

export interface PublicLinkOptions {
  link: MegaLink;
  /** How the link is shown: without its key. */
  display: string;
  /** API gateway, ending in `/`. */
  gateway: string;
  timeouts: MegaTimeouts;
}

interface Found {
  handle: string;
  size: number;
  decoded: Decoded;
}

export class PublicLinkBackend implements Backend {
  readonly kind = 'mega-link';
  readonly display: string;
  readonly capabilities: Capabilities = {
    mtimePrecisionMs: 2000,
    caseInsensitive: false,
    allowsDuplicateNames: true,
    deleteGoesToTrash: false,
    serverSideCopy: false,
  };
  readonly #o: PublicLinkOptions;
  readonly #api: MegaApi;
  #content: Promise<LinkContent> | null = null;

  constructor(o: PublicLinkOptions) {
    this.#o = o;
    this.display = o.display;
    this.#api = new MegaApi({
      gateway: o.gateway,
      limiter: new RateLimiter(),
      timeoutMs: o.timeouts.apiMs,
      sid: () => undefined,
      ...(o.link.kind === 'folder' ? { query: { n: o.link.handle } } : {}),
    });
    // Wrappers (retry) delegate unwrapped methods through the prototype chain: bind those.
    this.close = this.close.bind(this);
    this.macProof = this.macProof.bind(this);
  }

  /** `ok`, or a rejection: a link that is gone is an error here, never an empty source. */
  async probeRoot(): Promise<'ok' | 'missing' | 'not-a-folder'> {
    await this.#load();
    return 'ok';
  }

  async list(options: ListOptions = {}): Promise<Listing> {
    const c = await this.#load(options.signal);
    if (c.kind === 'folder') {
      return listSubtree(c.tree, c.root, { ...(options.prune ? { prune: options.prune } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    }
    const reason = unsafeNameReason(c.decoded.name);
    if (reason !== null) return { entries: [], skipped: [{ path: displayName(c.decoded.name), reason: 'unsafe-name', detail: reason }], warnings: [] };
    return { entries: [{ kind: 'file', path: c.decoded.name, size: c.size, mtimeMs: mtimeOf(c.decoded), id: c.handle }], skipped: [], warnings: [] };
  }

  async stat(path: RelPath, options: OpOptions = {}): Promise<Entry | null> {
    if (path === '') return { kind: 'dir', path };
    const c = await this.#load(options.signal);
    if (c.kind === 'folder') {
      const found = resolveRel(c.tree, c.root, path);
      if (!found) return null;
      if (found.node.t === NODE_FOLDER) return { kind: 'dir', path, id: found.node.h };
      return { kind: 'file', path, size: found.node.s ?? 0, mtimeMs: mtimeOf(found.decoded), id: found.node.h };
    }
    const f = this.#fileOf(c, path);
    return f ? { kind: 'file', path, size: f.size, mtimeMs: mtimeOf(f.decoded), id: f.handle } : null;
  }

  async openRead(path: RelPath, options: OpOptions = {}): Promise<Readable> {
    const c = await this.#load(options.signal);
    const f = this.#file(c, path);
    return openDownload({
      api: this.#api,
      handle: f.handle,
      ...(c.kind === 'file' ? { publicHandle: c.handle } : {}),
      size: f.size,
      nodeKey: f.decoded.key,
      where: path,
      idleTimeoutMs: this.#o.timeouts.transferIdleMs,
      requestTimeoutMs: this.#o.timeouts.transferRequestMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async macProof(path: RelPath, options: OpOptions = {}): Promise<MacProof | null> {
    const c = await this.#load(options.signal);
    const f = c.kind === 'file' ? this.#fileOf(c, path) : this.#inFolder(c, path);
    if (!f) return null;
    const { aesKey, nonce, macCondensed } = unpackNodeKey(f.decoded.key);
    return { aesKey, nonce, mac: macCondensed, fingerprinted: parseFingerprint(f.decoded.attrs.c) !== null };
  }

  async write(path: RelPath): Promise<void> {
    throw this.#readOnly(path);
  }

  async mkdir(path: RelPath): Promise<void> {
    throw this.#readOnly(path);
  }

  async deleteFile(path: RelPath): Promise<void> {
    throw this.#readOnly(path);
  }

  async rmdir(path: RelPath): Promise<void> {
    throw this.#readOnly(path);
  }

  async removeTree(path: RelPath): Promise<void> {
    throw this.#readOnly(path);
  }

  async close(): Promise<void> {
    this.#content = null;
  }

  #load(signal?: AbortSignal): Promise<LinkContent> {
    this.#content ??= loadLink({ api: this.#api, link: this.#o.link, shown: this.display, ...(signal ? { signal } : {}) }).catch((e: unknown) => {
      this.#content = null; // a later attempt (the retry wrapper's) asks again
      throw e;
    });
    return this.#content;
  }

  #fileOf(c: Extract<LinkContent, { kind: 'file' }>, path: RelPath): Found | null {
    return path === c.decoded.name ? { handle: c.handle, size: c.size, decoded: c.decoded } : null;
  }

  #inFolder(c: Extract<LinkContent, { kind: 'folder' }>, path: RelPath): Found | null {
    const found = resolveRel(c.tree, c.root, path);
    if (!found || found.node.t !== NODE_FILE) return null;
    return { handle: found.node.h, size: found.node.s ?? 0, decoded: found.decoded };
  }

  #file(c: LinkContent, path: RelPath): Found {
    const f = c.kind === 'file' ? this.#fileOf(c, path) : this.#inFolder(c, path);
    if (f) return f;
    const what = c.kind === 'folder' ? resolveRel(c.tree, c.root, path) : null;
    if (what?.node.t === NODE_FOLDER) throw new MegamirrorError('exists', 'a folder has this name', { where: path });
    throw new MegamirrorError('not-found', `no such file in ${this.display}`, { where: path });
  }

  #readOnly(path: RelPath): MegamirrorError {
    return new MegamirrorError('permission-denied', `${this.display} is a public link: it is read-only`, { where: path || this.display });
  }
}
