/**
 * Paths to nodes. An endpoint's root is an absolute path below the Cloud Drive (`/Backups/Docs`);
 * RelPaths below it resolve segment by segment through `folderView`, so a path always names the
 * same node the listing showed (the newest of same-named nodes).
 */

import type { RelPath } from '../../core/types.js';
import { childNamed, type NamedNode } from './children.js';
import { NODE_FOLDER, type NodeTree } from './tree.js';

export type RootResolution =
  | { kind: 'ok'; handle: string }
  /** `handle` is the deepest existing folder on the way; `missing` the names still to create. */
  | { kind: 'missing'; handle: string; missing: string[] }
  | { kind: 'not-a-folder' };

/** Segments of an absolute endpoint path, NFC (`/` is the Cloud Drive itself: no segments). */
export function rootSegments(absPath: string): string[] {
  return absPath.normalize('NFC').split('/').filter((s) => s !== '' && s !== '.');
}

export function resolveRoot(tree: NodeTree, segments: readonly string[]): RootResolution {
  let handle = tree.driveRoot;
  for (let i = 0; i < segments.length; i++) {
    const child = childNamed(tree, handle, segments[i]!);
    if (!child) return { kind: 'missing', handle, missing: segments.slice(i) };
    if (child.node.t !== NODE_FOLDER) return { kind: 'not-a-folder' };
    handle = child.node.h;
  }
  return { kind: 'ok', handle };
}

/** The node a RelPath names below `root`, or null (missing, or a file on the way). */
export function resolveRel(tree: NodeTree, root: string, path: RelPath): NamedNode | null {
  if (path === '') return null;
  let handle = root;
  const segments = path.split('/');
  let found: NamedNode | undefined;
  for (let i = 0; i < segments.length; i++) {
    found = childNamed(tree, handle, segments[i]!);
    if (!found) return null;
    if (i < segments.length - 1 && found.node.t !== NODE_FOLDER) return null;
    handle = found.node.h;
  }
  return found ?? null;
}
