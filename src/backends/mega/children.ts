/**
 * One folder's children as paths can see them. MEGA allows several nodes with one name in a
 * folder; a path names exactly one of them, chosen deterministically: the newest (largest server
 * time `ts`, then the later mtime, then the larger handle). The others are `shadowed`: reported as
 * duplicates (with their handle, so a mirror can clean them up), never merged with the winner.
 * Names are compared after NFC normalization, so an NFC and an NFD spelling of a name are the same
 * name here (official clients store NFC).
 */

import { unsafeNameReason } from '../../core/paths.js';
import { parseFingerprint } from './crypto/index.js';
import { NODE_FILE, NODE_FOLDER, type Decoded, type NodeTree, type WireNode } from './tree.js';

export interface NamedNode {
  node: WireNode;
  decoded: Decoded;
}

export interface FolderView {
  /** NFC name -> the node that name resolves to. */
  byName: Map<string, NamedNode>;
  /** Same-named nodes that lost to the winner, newest first per name. */
  shadowed: NamedNode[];
  /** Nodes whose name cannot be a path segment: `.`, `..`, `/` or NUL inside, too long. */
  unsafe: Array<NamedNode & { reason: string }>;
  /** Files and folders whose key or attributes could not be read. */
  unreadable: WireNode[];
}

export function folderView(tree: NodeTree, folder: string): FolderView {
  return tree.folderCache(folder, () => buildView(tree, folder));
}

function buildView(tree: NodeTree, folder: string): FolderView {
  const view: FolderView = { byName: new Map(), shadowed: [], unsafe: [], unreadable: [] };
  const groups = new Map<string, NamedNode[]>();
  const children = tree.children(folder);
  tree.decodeMany(children);
  for (const node of children) {
    if (node.t !== NODE_FILE && node.t !== NODE_FOLDER) continue;
    const decoded = tree.decode(node);
    if (!decoded) {
      view.unreadable.push(node);
      continue;
    }
    const reason = unsafeNameReason(decoded.name);
    if (reason !== null) {
      view.unsafe.push({ node, decoded, reason });
      continue;
    }
    const group = groups.get(decoded.name);
    if (group) group.push({ node, decoded });
    else groups.set(decoded.name, [{ node, decoded }]);
  }
  for (const [name, group] of groups) {
    group.sort(newestFirst);
    view.byName.set(name, group[0]!);
    view.shadowed.push(...group.slice(1));
  }
  return view;
}

/** The winner for `name` among a folder's children, or undefined. */
export function childNamed(tree: NodeTree, folder: string, name: string): NamedNode | undefined {
  return folderView(tree, folder).byName.get(name.normalize('NFC'));
}

/** Every child (winner or not) with this NFC name, newest first. */
export function allNamed(tree: NodeTree, folder: string, name: string): NamedNode[] {
  const view = folderView(tree, folder);
  const nfc = name.normalize('NFC');
  const winner = view.byName.get(nfc);
  return winner ? [winner, ...view.shadowed.filter((s) => s.decoded.name === nfc)] : [];
}

/** Modification time in ms from the fingerprint `c`, else the web client's `t`, else null. */
export function mtimeOf(d: Decoded): number | null {
  const fp = parseFingerprint(d.attrs.c);
  if (fp) return fp.mtimeSeconds * 1000;
  const t = d.attrs.t;
  return typeof t === 'number' && Number.isSafeInteger(t) ? t * 1000 : null;
}

function newestFirst(x: NamedNode, y: NamedNode): number {
  const ts = (y.node.ts ?? 0) - (x.node.ts ?? 0);
  if (ts !== 0) return ts;
  const m = (mtimeOf(y.decoded) ?? -Infinity) - (mtimeOf(x.decoded) ?? -Infinity);
  if (m !== 0 && !Number.isNaN(m)) return m;
  return x.node.h < y.node.h ? 1 : x.node.h > y.node.h ? -1 : 0;
}
