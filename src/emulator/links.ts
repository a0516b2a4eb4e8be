/**
 * Public links, as far as a client that reads them needs.
 *
 * - `l` `{n}` exports a file or folder and returns its public handle (the same one while it stays
 *   exported); `{n, d: 1}` removes the link. A link dies with its node (deleted, or an old version).
 * - A file link is read with `g` `{p: <public handle>}`, without a session.
 * - A folder link: commands sent to `cs?n=<public handle>`, without a session, see only that folder:
 *   `f` lists its subtree (old versions excluded) with every key as
 *   `<folder handle>:<node key wrapped with the share key>`, and `g` `{n}` downloads a file inside it.
 *
 * Keys: a real client uploads the keys of an exported folder's nodes wrapped with the folder's share
 * key (`cr`, in `s2` and in later `p` commands) and the share key wrapped with its master key (`ok`).
 * The emulator's command handlers never see keys, so the test hook `exportLink` plays that client:
 * given the master key, it wraps every node of the subtree (kept in `NodeRecord.sk`) and returns the
 * URL with its key. Nodes added to the folder later get no `sk` (`cr` on `p` is not emulated): a
 * folder link lists them without a key, as MEGA does for keys a sharer never uploaded, until the
 * hook runs again (same URL: the share key is kept wrapped with the master key, as MEGA's `ok`).
 */
import { randomBytes } from 'node:crypto';
import { e64, randomNodeHandle } from './b64.js';
import { decryptAttributes, unwrapKey, wrapKey } from './nodecrypto.js';
import type { Account, EmulatorState } from './state.js';
import type { NodeRecord, WireNode } from './types.js';

export interface LinkTarget {
  account: Account;
  node: NodeRecord;
}

/** What the `exportLink` test hook returns. The URL carries the key: treat it as a secret. */
export interface ExportedLink {
  /** `https://mega.nz/file/PH#KEY` or `https://mega.nz/folder/PH#KEY`. */
  url: string;
  /** The public handle. */
  ph: string;
  /** The exported node's handle. */
  handle: string;
}

export interface ExportSpec {
  /** The account's master key (the hook unwraps node keys with it). */
  masterKey: Buffer;
  /** The node to export... */
  handle?: string;
  /** ...or its path below the Cloud Drive, e.g. `/Shared/Photos`. */
  path?: string;
}

/** The public handle of `h`, creating the link when there is none. */
export function exportNode(state: EmulatorState, account: Account, h: string): string {
  const links = (account.record.links ??= {});
  for (const [ph, target] of Object.entries(links)) if (target === h) return ph;
  let ph = randomNodeHandle();
  while (resolveLink(state, ph) || links[ph]) ph = randomNodeHandle();
  links[ph] = h;
  state.changed();
  return ph;
}

/** Removes the links to `h`; true when there was one. */
export function unexportNode(state: EmulatorState, account: Account, h: string): boolean {
  const links = account.record.links ?? {};
  const found = Object.entries(links).filter(([, target]) => target === h);
  for (const [ph] of found) delete links[ph];
  if (found.length) state.changed();
  return found.length > 0;
}

/** The live node a public handle names, in any account. */
export function resolveLink(state: EmulatorState, ph: string): LinkTarget | undefined {
  for (const account of state.accounts.values()) {
    const h = account.record.links?.[ph];
    if (h === undefined) continue;
    const node = account.tree.get(h);
    if (!node || account.tree.isVersion(h)) return undefined;
    return { account, node };
  }
  return undefined;
}

/** What `f` sends for a folder link: the subtree, parents first, keyed with the share key. */
export function folderLinkNodes(link: LinkTarget): WireNode[] {
  const { tree } = link.account;
  const root = link.node.h;
  return tree
    .subtree(root)
    .filter((n) => !tree.isVersion(n.h))
    .map((n) => {
      const sk = n.sk?.[root];
      return { ...tree.wire(n), k: sk ? `${root}:${sk}` : '' };
    });
}

/** True when `h` is a current node inside the linked folder. */
export function insideFolderLink(link: LinkTarget, h: string): boolean {
  const { tree } = link.account;
  return tree.has(h) && tree.isAncestor(link.node.h, h) && !tree.isVersion(h);
}

/** The test hook (see the header): export a node as a client would, and return its URL with the key. */
export function exportLink(state: EmulatorState, account: Account, spec: ExportSpec): ExportedLink {
  const node = spec.handle !== undefined ? account.tree.get(spec.handle) : spec.path !== undefined ? byPath(account, spec.masterKey, spec.path) : undefined;
  if (!node) throw new Error(`no node ${spec.handle ?? spec.path ?? '(neither handle nor path given)'}`);
  if (node.t !== 0 && node.t !== 1) throw new Error('only files and folders can be exported');
  const ph = exportNode(state, account, node.h);
  if (node.t === 0) {
    return { url: `https://mega.nz/file/${ph}#${e64(ownKey(node, spec.masterKey))}`, ph, handle: node.h };
  }
  const shares = (account.record.shares ??= {});
  const existing = shares[node.h];
  const shareKey = existing ? unwrapKey(spec.masterKey, existing) : randomBytes(16);
  shares[node.h] = wrapKey(spec.masterKey, shareKey);
  for (const n of account.tree.subtree(node.h)) {
    if (n.kExact || n.k === '') continue;
    let key: Buffer;
    try {
      key = ownKey(n, spec.masterKey);
    } catch {
      continue; // a hostile key that does not unwrap: the link lists the node without a key
    }
    n.sk = { ...n.sk, [node.h]: wrapKey(shareKey, key) };
  }
  state.changed();
  return { url: `https://mega.nz/folder/${ph}#${e64(shareKey)}`, ph, handle: node.h };
}

function ownKey(node: NodeRecord, masterKey: Buffer): Buffer {
  return unwrapKey(masterKey, node.k);
}

/** The node at an absolute path below the Cloud Drive, names decrypted with the master key. */
function byPath(account: Account, masterKey: Buffer, path: string): NodeRecord | undefined {
  let node = account.tree.get(account.record.roots.drive);
  for (const name of path.normalize('NFC').split('/').filter((s) => s !== '')) {
    if (!node) return undefined;
    node = account.tree.children(node.h).find((c) => {
      if (c.kExact || c.k === '' || (c.t !== 0 && c.t !== 1)) return false;
      try {
        const n = decryptAttributes(ownKey(c, masterKey), c.a)?.n;
        return typeof n === 'string' && n.normalize('NFC') === name;
      } catch {
        return false;
      }
    });
  }
  return node;
}
