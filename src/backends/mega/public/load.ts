/**
 * Reading what a public link points at, without an account:
 * - a folder link: one `f` sent to `cs?n=<public handle>`; every node's key comes as
 *   `<root handle>:<key wrapped with the link's share key>`, so the account NodeTree decodes the
 *   whole subtree with (share key, root handle) in place of (master key, user);
 * - a file link: one `g` with `p: <public handle>`, giving the size and the attributes, decrypted
 *   with the node key from the link.
 *
 * Contract: resolves with the content or rejects with a MegamirrorError naming the redacted link:
 * `not-found` (no such link, or taken down), `auth` (the key does not open it), or the API's
 * classified errors (transient ones marked so).
 */

import type { MegaLink } from '../../../config/mega-link.js';
import { MegamirrorError } from '../../../errors.js';
import type { MegaApi } from '../api.js';
import { decryptAttributes } from '../crypto/index.js';
import { megaCodeOf } from '../errors.js';
import { NODE_FOLDER, NodeTree, type Decoded, type WireNode } from '../tree.js';

export type LinkContent =
  | { kind: 'folder'; tree: NodeTree; root: string; name: string }
  | { kind: 'file'; handle: string; size: number; decoded: Decoded };

export interface LoadInput {
  /** A transport whose requests carry no sid (and, for folder links, `n`). */
  api: MegaApi;
  link: MegaLink;
  /** The link as shown in messages (without its key). */
  shown: string;
  signal?: AbortSignal;
}

export async function loadLink(i: LoadInput): Promise<LinkContent> {
  try {
    return i.link.kind === 'folder' ? await loadFolder(i) : await loadFile(i);
  } catch (err) {
    if (megaCodeOf(err) === -9 || megaCodeOf(err) === -11) {
      throw new MegamirrorError('not-found', 'the public link does not exist or was taken down', { where: i.shown });
    }
    throw err;
  }
}

async function loadFolder(i: LoadInput): Promise<LinkContent> {
  const reply = await i.api.request<{ f?: WireNode[] }>({ a: 'f', c: 1, ca: 1, r: 1 }, { where: i.shown, ...(i.signal ? { signal: i.signal } : {}) });
  const nodes = Array.isArray(reply?.f) ? reply.f : [];
  // The link's own folder is the node whose key is addressed to itself.
  const rootNode = nodes.find((n) => n.t === NODE_FOLDER && typeof n.k === 'string' && n.k.split('/').some((part) => part.split(':')[0] === n.h));
  if (!rootNode) throw new MegamirrorError('remote', 'MEGA sent a folder link without its folder', { where: i.shown });
  const tree = new NodeTree(i.link.key, rootNode.h);
  tree.load(nodes);
  const decoded = tree.decode(rootNode);
  if (!decoded) throw badKey(i.shown);
  return { kind: 'folder', tree, root: rootNode.h, name: decoded.name };
}

async function loadFile(i: LoadInput): Promise<LinkContent> {
  const reply = await i.api.request<{ s?: unknown; at?: unknown }>({ a: 'g', p: i.link.handle }, { where: i.shown, ...(i.signal ? { signal: i.signal } : {}) });
  const attrs = decryptAttributes(reply?.at, i.link.key);
  if (!attrs || typeof attrs.n !== 'string') throw badKey(i.shown);
  const size = typeof reply.s === 'number' && Number.isSafeInteger(reply.s) && reply.s >= 0 ? reply.s : 0;
  return { kind: 'file', handle: i.link.handle, size, decoded: { key: i.link.key, attrs, name: attrs.n.normalize('NFC') } };
}

function badKey(shown: string): MegamirrorError {
  return new MegamirrorError('auth', 'the key in the link does not open it', {
    where: shown,
    hint: 'check that the whole link was copied, including everything after #',
  });
}
