/**
 * The account's node tree as `f` returns it, indexed by handle and by parent, with keys and
 * attributes decrypted lazily (only the nodes a run looks at pay for AES) and kept up to date by
 * our own mutations, so one `f` serves a whole run.
 *
 * Contract:
 * - Nodes are stored as the server sent them (`a`, `k` untouched). `decode(node)` returns the
 *   plain node key and attributes with the name NFC-normalized, or null when the key is not ours
 *   (another owner's share), is not 16 (folder) or 32 (file) bytes, or the attributes do not
 *   decrypt: such nodes are reported by the listing, never guessed at.
 * - Old versions (`f2`) are not part of the tree: they follow their file on the server.
 * - `load()` replaces the content in place, so every holder of the tree sees a refresh.
 */

import { decryptAttributes, fromBase64Url, keyUnwrapper, type NodeAttributes } from './crypto/index.js';
import { decryptAttributesMany } from './crypto/attributes-many.js';
import { BASE64URL } from './crypto/base64url.js';

/** A node as the API sends it (`f`, and `p` replies). */
export interface WireNode {
  h: string;
  p: string;
  t: number;
  a?: string;
  k?: string;
  s?: number;
  ts?: number;
  u?: string;
}

export const NODE_FILE = 0;
export const NODE_FOLDER = 1;
export const NODE_DRIVE = 2;
export const NODE_RUBBISH = 4;

/** A file's node key is 32 bytes, a folder's 16. */
function keyLength(node: WireNode): 16 | 32 {
  return node.t === NODE_FILE ? 32 : 16;
}

/** Whether fromBase64Url(text) gives exactly `bytes` bytes (43 characters for 32, 22 for 16). */
function isWrappedKeyText(text: string, bytes: number): boolean {
  return text.length === Math.ceil((bytes * 4) / 3) && BASE64URL.test(text);
}

export interface Decoded {
  /** 32 bytes for files, 16 for folders. */
  key: Buffer;
  attrs: NodeAttributes;
  /** `attrs.n`, NFC-normalized. */
  name: string;
}

export class NodeTree {
  #nodes = new Map<string, WireNode>();
  #children = new Map<string, Set<string>>();
  #decoded = new Map<string, Decoded | null>();
  /** Per-folder derived data (children.ts's views), dropped when that folder's children change. */
  #views = new Map<string, unknown>();
  #drive = '';
  #rubbish = '';

  /** One decipher for every node key (see keyUnwrapper). */
  #unwrap: (wrapped: Uint8Array) => Buffer;
  #user: string;

  constructor(masterKey: Buffer, user: string) {
    this.#unwrap = keyUnwrapper(masterKey);
    this.#user = user;
  }

  /** Replace everything with the nodes of an `f` reply. */
  load(nodes: readonly WireNode[]): void {
    this.#nodes = new Map();
    this.#children = new Map();
    this.#decoded = new Map();
    this.#views = new Map();
    for (const n of nodes) this.add(n);
  }

  /**
   * Replace everything with `other`'s content (a tree filled while an `f` reply arrived), in place,
   * keys included: a login since this tree was made may have brought other ones.
   */
  takeOver(other: NodeTree): void {
    this.#unwrap = other.#unwrap;
    this.#user = other.#user;
    this.#nodes = other.#nodes;
    this.#children = other.#children;
    this.#decoded = other.#decoded;
    this.#views = other.#views;
    this.#drive = other.#drive;
    this.#rubbish = other.#rubbish;
  }

  get driveRoot(): string {
    return this.#drive;
  }

  get rubbishRoot(): string {
    return this.#rubbish;
  }

  get size(): number {
    return this.#nodes.size;
  }

  get(h: string): WireNode | undefined {
    return this.#nodes.get(h);
  }

  children(h: string): WireNode[] {
    const set = this.#children.get(h);
    if (!set) return [];
    const out: WireNode[] = [];
    for (const c of set) {
      const n = this.#nodes.get(c);
      if (n) out.push(n);
    }
    return out;
  }

  /** True when `h` is `ancestor` or lies below it. */
  isWithin(h: string, ancestor: string): boolean {
    for (let n = this.#nodes.get(h), depth = 0; n && depth < 10_000; n = this.#nodes.get(n.p), depth++) {
      if (n.h === ancestor) return true;
    }
    return false;
  }

  /** Derived data about folder `h`, built once until its children change. */
  folderCache<T>(h: string, build: () => T): T {
    if (this.#views.has(h)) return this.#views.get(h) as T;
    const v = build();
    this.#views.set(h, v);
    return v;
  }

  add(node: WireNode): void {
    const old = this.#nodes.get(node.h);
    if (old) {
      this.#children.get(old.p)?.delete(node.h);
      this.#views.delete(old.p);
    }
    this.#views.delete(node.p);
    this.#nodes.set(node.h, node);
    this.#decoded.delete(node.h);
    if (node.p) {
      let set = this.#children.get(node.p);
      if (!set) this.#children.set(node.p, (set = new Set()));
      set.add(node.h);
    }
    if (node.t === NODE_DRIVE) this.#drive = node.h;
    if (node.t === NODE_RUBBISH) this.#rubbish = node.h;
  }

  /** Remove a node and everything below it (as the server's recursive `d` does). */
  remove(h: string): void {
    const node = this.#nodes.get(h);
    if (!node) return;
    for (const c of [...(this.#children.get(h) ?? [])]) this.remove(c);
    this.#children.get(node.p)?.delete(h);
    this.#views.delete(node.p);
    this.#views.delete(h);
    this.#children.delete(h);
    this.#nodes.delete(h);
    this.#decoded.delete(h);
  }

  move(h: string, parent: string): void {
    const node = this.#nodes.get(h);
    if (!node) return;
    this.add({ ...node, p: parent });
  }

  setAttributes(h: string, a: string): void {
    const node = this.#nodes.get(h);
    if (node) this.add({ ...node, a });
  }

  /** The node's key and attributes, or null when they cannot be read (see the contract above). */
  decode(node: WireNode): Decoded | null {
    if (this.#decoded.has(node.h)) return this.#decoded.get(node.h)!;
    const d = this.#decode(node);
    this.#decoded.set(node.h, d);
    return d;
  }

  /**
   * decode() for many nodes at once (a folder's children): the attributes of those not decoded
   * yet are decrypted in one native call where the helper is built; else decode() does them one by
   * one when asked. The results are the same either way.
   */
  decodeMany(nodes: readonly WireNode[]): void {
    const todo: WireNode[] = [];
    const wrapped: string[] = [];
    let keyBytes = 0;
    for (const node of nodes) {
      if (this.#decoded.has(node.h) || (node.t !== NODE_FILE && node.t !== NODE_FOLDER)) continue;
      const text = this.#ownKey(node.k);
      if (text === null || !isWrappedKeyText(text, keyLength(node))) this.#decoded.set(node.h, null);
      else {
        todo.push(node);
        wrapped.push(text);
        keyBytes += keyLength(node);
      }
    }
    if (todo.length < 2) return;
    // All keys unwrapped in one call (ECB keeps no state between blocks), each node's key a view
    // into the result: no decipher call and no Buffer of its own per node.
    const packed = Buffer.allocUnsafe(keyBytes);
    let at = 0;
    for (let i = 0; i < todo.length; i++) at += packed.write(wrapped[i]!, at, 'base64url');
    const plain = this.#unwrap(packed);
    const keys = new Array<Buffer>(todo.length);
    at = 0;
    for (let i = 0; i < todo.length; i++) {
      const length = keyLength(todo[i]!);
      keys[i] = plain.subarray(at, at + length);
      at += length;
    }
    const attrs = decryptAttributesMany(todo.map((node, i) => ({ a: node.a, key: keys[i]! })));
    if (attrs === null) return;
    todo.forEach((node, i) => this.#decoded.set(node.h, this.#named(keys[i]!, attrs[i]!)));
  }

  #decode(node: WireNode): Decoded | null {
    const key = this.#nodeKey(node);
    return key === null ? null : this.#named(key, decryptAttributes(node.a, key));
  }

  /** The node's own key, unwrapped; null when it has none for us or a wrong length. */
  #nodeKey(node: WireNode): Buffer | null {
    if (node.t !== NODE_FILE && node.t !== NODE_FOLDER) return null;
    const wrapped = this.#ownKey(node.k);
    const raw = wrapped === null ? null : fromBase64Url(wrapped);
    if (!raw || raw.length !== keyLength(node)) return null;
    return this.#unwrap(raw);
  }

  #named(key: Buffer, attrs: NodeAttributes | null): Decoded | null {
    if (!attrs || typeof attrs.n !== 'string') return null;
    return { key, attrs, name: attrs.n.normalize('NFC') };
  }

  /** The wrapped key meant for us in `owner:key[/owner:key...]` (a bare key is taken as ours). */
  #ownKey(k: string | undefined): string | null {
    if (typeof k !== 'string' || k === '') return null;
    const parts = k.split('/');
    for (const part of parts) {
      const colon = part.indexOf(':');
      if (colon < 0) return part;
      if (part.slice(0, colon) === this.#user) return part.slice(colon + 1);
    }
    return null;
  }
}
