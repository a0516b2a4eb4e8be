/**
 * Tree mutations as the service performs them: change the tree, keep blob reference counts,
 * publish the sc packets every session of the account will read, mark state dirty.
 * Callers validate first (handles exist, targets are folders); these functions only act.
 *
 * sc packets per operation:
 * - new nodes:  t {f: [nodes, parents first]}
 * - move:       d {n, m:1} then t {f: [moved subtree, parents first]}, one batch
 * - attributes: u {n, u, at, ts}
 * - delete:     d {n} for the top node only (clients drop the subtree)
 * - ov replace: t {f:[new]} then d {n: old}; the old node becomes a child (version) of the new
 *   one when versioning is on, or is deleted with its versions when off.
 * Packets about nodes the client cannot see (old versions) are not sent: megajs fails on a `d`
 * for a node it does not know.
 */
import type { Account, EmulatorState } from './state.js';
import type { NodeRecord, ScPacket } from './types.js';

/** Adds nodes (parents first); `then` runs after the add and returns packets for the same batch. */
export function addNodes(
  state: EmulatorState,
  account: Account,
  nodes: NodeRecord[],
  then: () => ScPacket[] = () => [],
): void {
  for (const node of nodes) {
    account.tree.add(node);
    if (node.blob) state.retainBlob(node.blob, node.s ?? 0);
  }
  const extra = then();
  const visible = nodes.filter((n) => !account.tree.isVersion(n.h)).map((n) => account.tree.wire(n));
  const packets: ScPacket[] = visible.length ? [{ a: 't', t: { f: visible } }] : [];
  account.sc.publish([...packets, ...extra]);
  state.changed();
}

export function moveNode(state: EmulatorState, account: Account, h: string, target: string): void {
  const wasVisible = !account.tree.isVersion(h);
  account.tree.move(h, target);
  const subtree = account.tree.subtree(h).map((n) => account.tree.wire(n));
  account.sc.publish(wasVisible ? [{ a: 'd', n: h, m: 1 }, { a: 't', t: { f: subtree } }] : [{ a: 't', t: { f: subtree } }]);
  state.changed();
}

export function setAttributes(state: EmulatorState, account: Account, h: string, at: string): void {
  const node = account.tree.get(h)!;
  node.a = at;
  if (!account.tree.isVersion(h)) {
    account.sc.publish([{ a: 'u', n: h, u: account.record.handle, at, ts: Math.floor(Date.now() / 1000) }]);
  }
  state.changed();
}

/** Permanent, recursive delete (children and versions go too). */
export function deleteNode(state: EmulatorState, account: Account, h: string): NodeRecord[] {
  const visible = !account.tree.isVersion(h);
  const removed = account.tree.remove(h);
  for (const node of removed) if (node.blob) state.releaseBlob(node.blob);
  if (visible && removed.length) account.sc.publish([{ a: 'd', n: h }]);
  state.changed();
  return removed;
}

/**
 * `p` with `ov`: `fresh` replaces `old`. Versioning on: `old` (with its own versions) moves under
 * `fresh`. Off: `old` and its versions are deleted. `fresh` must already be in the tree.
 */
export function replaceNode(state: EmulatorState, account: Account, old: string, fresh: string): ScPacket[] {
  if (account.record.settings.versioning) {
    account.tree.move(old, fresh);
  } else {
    for (const node of account.tree.remove(old)) if (node.blob) state.releaseBlob(node.blob);
  }
  state.changed();
  return [{ a: 'd', n: old }];
}
