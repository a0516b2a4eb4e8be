import { parentOf } from '../core/paths.js';
import type { Action, WriteGroupShape } from '../core/types.js';

/** Indices into a phase's actions: copies to hand over in groups, and the rest, one by one. */
export interface TransferSplit {
  groups: number[][];
  alone: number[];
}

/**
 * Which transfers go to the destination in groups (`Backend.writeLocalFiles`): copies of files
 * under `shape.fileBelow` bytes, in plan order (so mostly folder by folder), cut into groups of at
 * most `shape.files` files and `shape.bytes` bytes. Links, large files and copies whose source
 * has no local path (`hasLocalPath`) go alone.
 *
 * Why: a first copy of many small files spent most of its main thread on each file's own chain
 * of promises and the garbage it left (about 6 KiB per file); one call per group leaves one
 * promise per group and one result per file.
 */
export function splitTransfers(actions: readonly Action[], shape: WriteGroupShape, hasLocalPath: (a: Action) => boolean): TransferSplit {
  const groups: number[][] = [];
  const alone: number[] = [];
  let group: number[] = [];
  let bytes = 0;
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i]!;
    if (a.op !== 'copy' || a.size >= shape.fileBelow || !hasLocalPath(a)) {
      alone.push(i);
      continue;
    }
    if (group.length > 0 && (group.length >= shape.files || bytes + a.size > shape.bytes)) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(i);
    bytes += a.size;
  }
  if (group.length > 0) groups.push(group);
  return { groups, alone };
}

/** The folder a group's copies start in: groups in flight at once keep to different folders (see pool). */
export function groupLane(actions: readonly Action[]): (group: number[]) => string {
  return (group) => parentOf(actions[group[0]!]!.path);
}
