/**
 * One account's node tree: nodes by handle plus a child index. Pure data structure: no sc
 * packets, no blob bookkeeping, no persistence (see ops.ts for the operations that do those).
 *
 * Versions are modelled as the MEGA service does: an old version is a child of the file node
 * that replaced it (chains: v3 -> v2 -> v1). `visible()` excludes them; `versions()` lists them.
 */
import { randomNodeHandle } from './b64.js';
import type { NodeRecord, WireNode } from './types.js';

export class NodeTree {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly childIndex = new Map<string, Set<string>>();
  /** Running sum of file sizes (sizes never change after creation). */
  private fileBytes = 0;

  constructor(private readonly owner: string) {}

  get size(): number {
    return this.nodes.size;
  }

  get(h: string): NodeRecord | undefined {
    return this.nodes.get(h);
  }

  has(h: string): boolean {
    return this.nodes.has(h);
  }

  /** A handle not used in this tree. */
  newHandle(): string {
    for (;;) {
      const h = randomNodeHandle();
      if (!this.nodes.has(h)) return h;
    }
  }

  add(node: NodeRecord): void {
    if (this.nodes.has(node.h)) throw new Error(`duplicate node handle ${node.h}`);
    this.nodes.set(node.h, node);
    if (node.t === 0) this.fileBytes += node.s ?? 0;
    if (node.p) this.link(node.h, node.p);
  }

  children(h: string): NodeRecord[] {
    const set = this.childIndex.get(h);
    if (!set) return [];
    return [...set].map((c) => this.nodes.get(c)!);
  }

  /** The node and everything below it, parents before children. */
  subtree(h: string): NodeRecord[] {
    const root = this.nodes.get(h);
    if (!root) return [];
    const out: NodeRecord[] = [];
    const stack = [root];
    while (stack.length) {
      const node = stack.pop()!;
      out.push(node);
      const kids = this.childIndex.get(node.h);
      if (kids) for (const c of kids) stack.push(this.nodes.get(c)!);
    }
    return out;
  }

  isAncestor(ancestor: string, h: string): boolean {
    for (let cur = this.nodes.get(h); cur; cur = cur.p ? this.nodes.get(cur.p) : undefined) {
      if (cur.h === ancestor) return true;
    }
    return false;
  }

  /** True for old versions: some ancestor is a file. */
  isVersion(h: string): boolean {
    for (let cur = this.nodes.get(h); cur && cur.p; ) {
      const parent = this.nodes.get(cur.p);
      if (!parent) return false;
      if (parent.t === 0) return true;
      cur = parent;
    }
    return false;
  }

  move(h: string, newParent: string): void {
    const node = this.nodes.get(h)!;
    if (node.p) this.childIndex.get(node.p)?.delete(h);
    node.p = newParent;
    this.link(h, newParent);
  }

  /** Removes the subtree at h; returns the removed nodes, parents first. */
  remove(h: string): NodeRecord[] {
    const removed = this.subtree(h);
    const node = removed[0];
    if (!node) return [];
    if (node.p) this.childIndex.get(node.p)?.delete(h);
    for (const n of removed) {
      this.nodes.delete(n.h);
      this.childIndex.delete(n.h);
      if (n.t === 0) this.fileBytes -= n.s ?? 0;
    }
    return removed;
  }

  /** All nodes, parents first (roots, then a depth-first walk). Orphans come last. */
  all(): NodeRecord[] {
    const out: NodeRecord[] = [];
    for (const node of this.nodes.values()) {
      if (node.p && this.nodes.has(node.p)) continue;
      // One push per node: spreading a subtree of ~120,000 or more nodes overflows the stack.
      for (const n of this.subtree(node.h)) out.push(n);
    }
    return out;
  }

  /** `f` listing: current nodes in `f`, old versions in `f2`, parents first in both. */
  listing(): { f: WireNode[]; f2: WireNode[] } {
    const f: WireNode[] = [];
    const f2: WireNode[] = [];
    for (const node of this.all()) (this.isVersion(node.h) ? f2 : f).push(this.wire(node));
    return { f, f2 };
  }

  /** listing() with `f` serialized node by node, for the `f` reply (see JsonArrayText). */
  listingText(): { f: string[]; f2: WireNode[] } {
    const f: string[] = [];
    const f2: WireNode[] = [];
    for (const node of this.all()) {
      if (this.isVersion(node.h)) f2.push(this.wire(node));
      else f.push(JSON.stringify(this.wire(node)));
    }
    return { f, f2 };
  }

  /** Sum of file sizes, versions and Rubbish Bin included (what counts against the quota). */
  bytesUsed(): number {
    return this.fileBytes;
  }

  wire(node: NodeRecord): WireNode {
    const out: WireNode = {
      h: node.h,
      p: node.p,
      u: this.owner,
      t: node.t,
      a: node.a,
      k: node.kExact || node.k === '' ? node.k : `${this.owner}:${node.k}`,
      ts: node.ts,
    };
    if (node.t === 0) out.s = node.s ?? 0;
    if (node.fa) out.fa = node.fa;
    return out;
  }

  private link(h: string, parent: string): void {
    let set = this.childIndex.get(parent);
    if (!set) this.childIndex.set(parent, (set = new Set()));
    set.add(h);
  }
}
