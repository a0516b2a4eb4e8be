/**
 * Tree commands: f (fetch), p (put nodes), a (attributes), m (move), d (delete).
 *
 * f: the account's tree; on `cs?n=<public handle>` (no session) the folder link's subtree instead,
 *    keyed with its share key (links.ts); an unknown or dead folder link -9.
 * p: `{t: target, n: [{h, t, a, k, p?, ov?, fa?}]}` -> `{f: [created nodes]}`. Per element:
 *    t=1: new folder, `h` a temporary handle that later elements may name as `p`.
 *    t=0, `h` an existing file handle: server-side copy (new handle, same bytes, `a`/`k` as sent).
 *    t=0, `h` a completion token of this account's upload: the uploaded file.
 *    `ov`: the file this one replaces (kept as a version, or deleted: account `versioning`).
 *    All elements are checked before anything changes. Errors: target missing -9, target a file
 *    -11, unknown token/handle/ov -9, bad fields -2, storage quota exceeded -17.
 * a: `{n, at}` -> 0.  m: `{n, t}` -> 0 (into its own subtree -10).  d: `{n}` -> 0, recursive.
 * Roots cannot be changed, moved or deleted (-11).
 */
import { ApiError, EACCESS, EARGS, ECIRCULAR, ENOENT, EOVERQUOTA } from '../errors.js';
import { JsonArrayText } from '../http-util.js';
import { folderLinkNodes } from '../links.js';
import { addNodes, deleteNode, moveNode, replaceNode, setAttributes } from '../ops.js';
import type { NodeRecord, ScPacket } from '../types.js';
import { account, nowSeconds, optStr, str, type Command, type CommandHandler } from './context.js';

export const f: CommandHandler = (_cmd, ctx) => {
  if (ctx.linkHandle !== undefined) {
    if (!ctx.folderLink || ctx.folderLink.node.t !== 1) throw new ApiError(ENOENT);
    return { f: folderLinkNodes(ctx.folderLink), ok: [], s: [], noc: 1, sn: ctx.folderLink.account.sc.currentSn() };
  }
  const { record, tree, sc } = account(ctx);
  const { f: nodes, f2 } = tree.listingText();
  return { f: new JsonArrayText(nodes), f2, ok: [], s: [], u: [{ u: record.handle, c: 2, m: record.email }], sn: sc.currentSn() };
};

export const p: CommandHandler = (cmd, ctx) => {
  const acc = account(ctx);
  const { tree } = acc;
  const target = tree.get(str(cmd, 't'));
  if (!target) throw new ApiError(ENOENT);
  if (target.t === 0) throw new ApiError(EACCESS);
  const elements = cmd.n;
  if (!Array.isArray(elements) || elements.length === 0) throw new ApiError(EARGS);

  const temp = new Map<string, string>();
  const planned: NodeRecord[] = [];
  const replaced: Array<[old: string, fresh: string]> = [];
  const tokens: string[] = [];
  const taken = new Set<string>();
  let addedBytes = 0;
  for (const raw of elements) {
    if (!raw || typeof raw !== 'object') throw new ApiError(EARGS);
    const el = raw as Command;
    const parentRef = optStr(el, 'p');
    const parent = (parentRef !== undefined && temp.get(parentRef)) || target.h;
    let h = tree.newHandle();
    while (taken.has(h)) h = tree.newHandle();
    taken.add(h);
    const node: NodeRecord = { h, p: parent, t: 1, a: str(el, 'a'), k: str(el, 'k'), ts: nowSeconds() };
    const fa = optStr(el, 'fa');
    if (fa) node.fa = fa;
    if (el.t === 1) {
      temp.set(str(el, 'h'), h);
    } else if (el.t === 0) {
      const source = str(el, 'h');
      const existing = tree.get(source);
      node.t = 0;
      if (existing) {
        if (existing.t !== 0 || !existing.blob) throw new ApiError(EARGS);
        node.s = existing.s ?? 0;
        node.blob = existing.blob;
        if (existing.fa && !node.fa) node.fa = existing.fa;
      } else {
        const done = ctx.transfers.completion(source, acc.record.email);
        if (!done || tokens.includes(source)) throw new ApiError(ENOENT);
        tokens.push(source);
        node.s = done.size;
        node.blob = done.blobId;
      }
      addedBytes += node.s;
      const ov = optStr(el, 'ov');
      if (ov !== undefined) {
        const old = tree.get(ov);
        if (!old || old.t !== 0 || tree.isVersion(ov) || replaced.some(([o]) => o === ov)) throw new ApiError(ENOENT);
        replaced.push([ov, h]);
      }
    } else {
      throw new ApiError(EARGS);
    }
    planned.push(node);
  }
  if (tree.bytesUsed() + addedBytes > acc.record.settings.storageQuota) throw new ApiError(EOVERQUOTA);

  addNodes(ctx.state, acc, planned, () => {
    const packets: ScPacket[] = [];
    for (const [old, fresh] of replaced) packets.push(...replaceNode(ctx.state, acc, old, fresh));
    return packets;
  });
  for (const token of tokens) ctx.transfers.consumeCompletion(token);
  return { f: planned.map((n) => tree.wire(n)) };
};

export const a: CommandHandler = (cmd, ctx) => {
  const acc = account(ctx);
  const node = changeable(acc.tree.get(str(cmd, 'n')));
  setAttributes(ctx.state, acc, node.h, str(cmd, 'at'));
  return 0;
};

export const m: CommandHandler = (cmd, ctx) => {
  const acc = account(ctx);
  const node = changeable(acc.tree.get(str(cmd, 'n')));
  const target = acc.tree.get(str(cmd, 't'));
  if (!target) throw new ApiError(ENOENT);
  if (target.t === 0 || acc.tree.isVersion(target.h)) throw new ApiError(EACCESS);
  if (acc.tree.isAncestor(node.h, target.h)) throw new ApiError(ECIRCULAR);
  moveNode(ctx.state, acc, node.h, target.h);
  return 0;
};

export const d: CommandHandler = (cmd, ctx) => {
  const acc = account(ctx);
  const node = changeable(acc.tree.get(str(cmd, 'n')));
  deleteNode(ctx.state, acc, node.h);
  return 0;
};

function changeable(node: NodeRecord | undefined): NodeRecord {
  if (!node) throw new ApiError(ENOENT);
  if (node.t >= 2) throw new ApiError(EACCESS);
  return node;
}
