/**
 * Tree mutations, each one API command, applied to our tree only after the server accepted it:
 * create a folder, create a file node (from an upload's completion token or, for a server-side
 * copy, from an existing file's handle), move (to a folder or the Rubbish Bin), permanent delete,
 * new attributes (a rename, a fingerprint).
 *
 * Contract: every function rejects with classified MegamirrorErrors. When the outcome is unknown
 * (the connection dropped or timed out after the request was sent) the session's tree is marked
 * stale, so the next step reads the server's state instead of trusting ours.
 */

import { MegamirrorError } from '../../errors.js';
import type { RequestOptions } from './api.js';
import { encryptAttributes, randomFolderKey, toBase64Url, wrapKey, type NodeAttributes } from './crypto/index.js';
import type { MegaSession } from './session.js';
import { NODE_FILE, NODE_FOLDER, type NodeTree, type WireNode } from './tree.js';

export interface NewFile {
  /** A completion token (upload) or an existing file's handle (server-side copy). */
  h: string;
  /** The 32-byte node key. */
  nodeKey: Buffer;
  attrs: NodeAttributes;
}

export async function createFolder(s: MegaSession, tree: NodeTree, parent: string, name: string, o: RequestOptions = {}): Promise<WireNode> {
  const key = randomFolderKey();
  const element = { h: 'xxxxxxxx', t: NODE_FOLDER, a: encryptAttributes({ n: name }, key), k: toBase64Url(wrapKey(s.masterKey, key)) };
  return put(s, tree, parent, element, o);
}

export async function createFile(s: MegaSession, tree: NodeTree, parent: string, f: NewFile, o: RequestOptions = {}): Promise<WireNode> {
  const element = { h: f.h, t: NODE_FILE, a: encryptAttributes(f.attrs, f.nodeKey), k: toBase64Url(wrapKey(s.masterKey, f.nodeKey)) };
  return put(s, tree, parent, element, o);
}

/** Move `h` into folder `target` (the Rubbish Bin for a recoverable delete). */
export async function moveNode(s: MegaSession, tree: NodeTree, h: string, target: string, o: RequestOptions = {}): Promise<void> {
  await guarded(s, () => s.api.request({ a: 'm', n: h, t: target }, o));
  tree.move(h, target);
}

/** Permanent, recursive delete (versions and children go too). */
export async function deleteNode(s: MegaSession, tree: NodeTree, h: string, o: RequestOptions = {}): Promise<void> {
  await guarded(s, () => s.api.request({ a: 'd', n: h }, o));
  tree.remove(h);
}

/**
 * Replace a node's attributes (`a`). MEGA keeps none of the old ones: pass the full set, the name
 * NFC. `key` is the node's key (32 bytes for files, 16 for folders).
 */
export async function setNodeAttributes(s: MegaSession, tree: NodeTree, h: string, attrs: NodeAttributes, key: Buffer, o: RequestOptions = {}): Promise<void> {
  const at = encryptAttributes(attrs, key);
  await guarded(s, () => s.api.request({ a: 'a', n: h, at }, o));
  tree.setAttributes(h, at);
}

/** Move to the Rubbish Bin, or delete for good when `permanent`. */
export async function discardNode(s: MegaSession, tree: NodeTree, h: string, permanent: boolean, o: RequestOptions = {}): Promise<void> {
  if (permanent || !tree.rubbishRoot) await deleteNode(s, tree, h, o);
  else await moveNode(s, tree, h, tree.rubbishRoot, o);
}

async function put(s: MegaSession, tree: NodeTree, parent: string, element: { h: string; t: number; a: string; k: string }, o: RequestOptions): Promise<WireNode> {
  const reply = await guarded(s, () => s.api.request<{ f?: WireNode[] }>({ a: 'p', t: parent, n: [element] }, o));
  const created = reply?.f?.[0];
  if (!created || typeof created.h !== 'string') throw new MegamirrorError('remote', 'MEGA did not return the node it created', o.where ? { where: o.where } : {});
  const node: WireNode = { ...created, p: created.p || parent, t: element.t, a: created.a ?? element.a, k: created.k ?? `${s.user}:${element.k}` };
  tree.add(node);
  return node;
}

async function guarded<T>(s: MegaSession, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isAmbiguous(err)) s.markStale();
    throw err;
  }
}

/** The request may have been carried out: a dropped connection or a timeout, not a server answer. */
export function isAmbiguous(err: unknown): boolean {
  if (!(err instanceof MegamirrorError)) return true;
  const tags = err as { megaCode?: number; httpStatus?: number };
  return (err.code === 'transient' || err.code === 'timeout') && tags.megaCode === undefined && tags.httpStatus === undefined;
}
