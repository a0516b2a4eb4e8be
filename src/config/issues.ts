/**
 * The internal problem record every stage produces before positions are known. Stages speak in
 * data paths; `finalize` turns them into sorted, de-duplicated `ConfigProblem`s with line:column.
 */

import type { ConfigProblem } from '../errors.js';
import type { Locator } from './positions.js';

/** A step into the parsed data: a mapping key or a list index. */
export type Segment = string | number;
export type DataPath = readonly Segment[];

export interface Issue {
  path: DataPath;
  message: string;
  /** Point at the key of the last segment (unknown keys, missing keys) rather than its value. */
  at?: 'key' | 'value';
  /** An exact source offset (YAML syntax errors, duplicate keys); overrides `path` for position. */
  offset?: number;
  /** Point at the first occurrence of this text inside the value's source (e.g. `${VAR`). */
  find?: string;
}

/** `jobs.documents.exclude[2]`; '' for the root. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

/** A key for set membership that cannot confuse `a.b` with `['a', 'b']`. */
export function pathKey(path: DataPath): string {
  return path.map((s) => (typeof s === 'number' ? `#${s}` : `.${s}`)).join('\u0000');
}

/** True when `path` equals `prefix` or lies below it. */
export function isUnder(path: DataPath, prefix: DataPath): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => seg === path[i]);
}

/**
 * Positions, then one problem per (path, position): stages run most-specific first (YAML, schema,
 * rules), so a rule that re-discovers what the schema already said is dropped. Sorted by position.
 */
export function finalize(issues: readonly Issue[], file: string, locate: Locator): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const { line, column } = locate(issue);
    const path = formatPath(issue.path);
    const key = `${path}\u0000${line}:${column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ file, line, column, path, message: issue.message });
  }
  // Array.prototype.sort is stable: equal positions keep stage order.
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
