/**
 * Maps data paths back to line:column in the YAML source, so every problem points at the key or
 * value a person would edit.
 */

import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { DataPath, Issue } from './issues.js';

export interface Position {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export type Locator = (issue: Pick<Issue, 'path' | 'at' | 'offset' | 'find'>) => Position;

/**
 * A locator for one parsed document. Paths that do not exist (a missing key) resolve to the deepest
 * existing node; the root resolves to the first node, or 1:1 for an empty document.
 */
export function createLocator(doc: Document, text: string, lineCounter: LineCounter): Locator {
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (issue) => {
    if (issue.offset !== undefined) return at(issue.offset);
    const found = walk(doc, issue.path);
    const keyStart = found.key?.range?.[0];
    const value = found.value;
    const hasValue = value?.range && !(isScalar(value) && value.value === null && value.source === '');
    const valueStart = hasValue ? value.range![0] : undefined;
    if (issue.find !== undefined && valueStart !== undefined) {
      const i = text.slice(valueStart, value!.range![1]).indexOf(issue.find);
      if (i >= 0) return at(valueStart + i);
    }
    const wantKey = issue.at === 'key' || !found.complete;
    const offset = wantKey ? (keyStart ?? valueStart) : (valueStart ?? keyStart);
    return offset === undefined ? { line: 1, column: 1 } : at(offset);
  };
}

interface Found {
  /** The node at the path (or the deepest existing one). */
  value: Node | undefined;
  /** The key node of the last mapping step taken, if any. */
  key: Node | undefined;
  complete: boolean;
}

function walk(doc: Document, path: DataPath): Found {
  let value = deref(doc, doc.contents ?? undefined);
  let key: Node | undefined;
  for (const seg of path) {
    if (isMap(value)) {
      // The last pair wins, as it does when the document is converted to data.
      const pair = value.items.findLast((p) => keyText(p) === String(seg));
      if (!pair) return { value, key, complete: false };
      key = pair.key as Node;
      if (!pair.value) return { value: undefined, key, complete: true };
      value = deref(doc, pair.value as Node);
    } else if (isSeq(value) && typeof seg === 'number' && value.items[seg]) {
      key = undefined;
      value = deref(doc, value.items[seg] as Node);
    } else {
      return { value, key, complete: false };
    }
  }
  return { value, key, complete: true };
}

/** The text of a mapping key as data conversion would stringify it. */
export function keyText(pair: Pair): string {
  const k = pair.key;
  if (isScalar(k)) return String(k.value);
  return String(k);
}

function deref(doc: Document, node: Node | undefined): Node | undefined {
  // Aliases point elsewhere in the file; report at the anchor's content (what the data holds).
  return isAlias(node) ? ((node.resolve(doc) as Node | undefined) ?? node) : node;
}
