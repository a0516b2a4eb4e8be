/**
 * A MEGA folder's subtree as a Listing: folders and files with NFC paths, sizes, and mtimes from
 * the fingerprint attribute `c` (null when a node has none: the planner then compares by size and
 * says so). What a plan cannot use is reported, never dropped silently:
 * - same-named nodes: the newest is listed; the others go to `skipped` as `duplicate` (files with
 *   their handle in `id` and their size, so a mirror can remove them) plus one `duplicate-name`
 *   warning per name. Shadowed folders are not descended into and never removed automatically.
 * - names that cannot be a path segment (`.`, `..`, containing `/` or NUL, over 255 bytes):
 *   `unsafe-name`, shown with `/` as `∕`, NUL as `␀`, `.`/`..` as `<.>`/`<..>`; nothing is ever written for them.
 * - nodes whose key or attributes do not decrypt (another owner's share, damage): `unreadable`.
 */

import { comparePaths, joinRel } from '../../core/paths.js';
import type { Entry, Listing, RelPath, SkippedEntry, Warning } from '../../core/types.js';
import { MegamirrorError } from '../../errors.js';
import { folderView, mtimeOf } from './children.js';
import { NODE_FILE, NODE_FOLDER, type NodeTree } from './tree.js';

export interface ListSubtreeOptions {
  prune?: (dir: RelPath) => boolean;
  signal?: AbortSignal;
}

export function listSubtree(tree: NodeTree, root: string, o: ListSubtreeOptions = {}): Listing {
  const entries: Entry[] = [];
  const skipped: SkippedEntry[] = [];
  const warnings: Warning[] = [];
  const stack: Array<[handle: string, rel: RelPath]> = [[root, '']];
  while (stack.length > 0) {
    if (o.signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted');
    const [handle, rel] = stack.pop()!;
    const view = folderView(tree, handle);
    for (const [name, { node, decoded }] of view.byName) {
      const path = joinRel(rel, name);
      if (node.t === NODE_FOLDER) {
        entries.push({ kind: 'dir', path, id: node.h });
        if (!o.prune?.(path)) stack.push([node.h, path]);
      } else if (node.t === NODE_FILE) {
        entries.push({ kind: 'file', path, size: node.s ?? 0, mtimeMs: mtimeOf(decoded), id: node.h });
      }
    }
    const counted = new Map<string, number>();
    for (const { node, decoded } of view.shadowed) {
      const path = joinRel(rel, decoded.name);
      counted.set(path, (counted.get(path) ?? 0) + 1);
      const file = node.t === NODE_FILE;
      skipped.push({
        path,
        reason: 'duplicate',
        detail: file ? 'another file with this name is newer; this copy is not used' : 'another node with this name is newer; this folder is not used',
        ...(file ? { id: node.h, size: node.s ?? 0 } : {}),
      });
    }
    for (const [path, n] of counted) {
      warnings.push({
        code: 'duplicate-name',
        path,
        message: `${n + 1} nodes share this name on MEGA; the newest is used and the other ${n === 1 ? 'copy is' : `${n} are`} skipped`,
      });
    }
    for (const { decoded, reason } of view.unsafe) {
      skipped.push({ path: joinRel(rel, displayName(decoded.name)), reason: 'unsafe-name', detail: reason });
    }
    for (const node of view.unreadable) {
      const path = joinRel(rel, `<node ${node.h}>`);
      skipped.push({ path, reason: 'unreadable', detail: 'its key or attributes cannot be decrypted with this account' });
    }
  }
  entries.sort((a, b) => comparePaths(a.path, b.path));
  skipped.sort((a, b) => comparePaths(a.path, b.path));
  warnings.sort((a, b) => comparePaths(a.path ?? '', b.path ?? ''));
  return { entries, skipped, warnings };
}

/** A name made printable as one path segment, for reports only. */
export function displayName(name: string): string {
  if (name === '.' || name === '..' || name === '') return `<${name || 'empty name'}>`;
  const shown = name.replaceAll('/', '\u2215').replaceAll('\0', '\u2400');
  return shown.length > 120 ? `${shown.slice(0, 100)}…(${Buffer.byteLength(name)} bytes)` : shown;
}
