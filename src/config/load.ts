/**
 * YAML text to plain data, keeping the document for positions. Reports syntax errors, warnings
 * (unknown tags), duplicate keys, and aliases that cannot be resolved, all at once.
 */

import { isAlias, isCollection, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type YAMLError } from 'yaml';
import type { Issue, Segment } from './issues.js';
import { createLocator, keyText, type Locator } from './positions.js';

export interface Loaded {
  doc: Document;
  locate: Locator;
  /** The data, or undefined when the YAML could not be read well enough to check further. */
  data: unknown;
  issues: Issue[];
}

export function loadYaml(text: string): Loaded {
  const lineCounter = new LineCounter();
  // uniqueKeys off: duplicates are found below, with the path and the first definition's position.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const locate = createLocator(doc, text, lineCounter);
  const issues: Issue[] = [...doc.errors, ...doc.warnings].map((e) => syntaxIssue(doc, text, e));
  const aliases = badAliases(doc);
  issues.push(...duplicateKeys(doc, locate), ...aliases);
  // Duplicate keys and unknown tags still leave usable data (the last key wins); the rest does not.
  if (doc.errors.length > 0 || aliases.length > 0) return { doc, locate, data: undefined, issues };
  try {
    return { doc, locate, data: doc.toJS({ maxAliasCount: 1000 }), issues };
  } catch (err) {
    // Only alias bombs get here ("excessive alias count").
    issues.push({ path: [], message: `YAML: ${(err as Error).message}` });
    return { doc, locate, data: undefined, issues };
  }
}

/**
 * A YAML error as a problem. An unclosed quote or bracket is reported by the parser where it gave
 * up (often the end of the file); the problem points at the opening quote or bracket instead.
 */
function syntaxIssue(doc: Document, text: string, e: YAMLError): Issue {
  const open = ['MISSING_CHAR', 'BAD_INDENT', 'UNEXPECTED_TOKEN'].includes(e.code) ? opener(doc, text, e.pos[0]) : undefined;
  if (open?.range) {
    const message = isScalar(open)
      ? 'YAML: this quoted string is never closed'
      : `YAML: this ${isSeq(open) ? '"[" is never closed with "]"' : '"{" is never closed with "}"'} (or a line inside it is not indented enough)`;
    return { path: [], offset: open.range[0], message };
  }
  let offset = e.pos[0];
  // Misaligned keys: point at the key, not at the spaces before it.
  if (e.code === 'BAD_INDENT') while (text[offset] === ' ') offset++;
  return { path: [], offset, message: yamlMessage(e.code, e.message) };
}

/** The innermost unclosed quoted scalar or flow collection that starts before `offset` and runs up to it. */
function opener(doc: Document, text: string, offset: number): Node | undefined {
  let best: Node | undefined;
  visit(doc, (_, node) => {
    const r = (node as Node).range;
    if (!r || r[0] >= offset || offset > r[1] || (best && r[0] <= best.range![0])) return;
    const closer = isScalar(node)
      ? { QUOTE_DOUBLE: '"', QUOTE_SINGLE: "'" }[node.type as string]
      : isCollection(node) && node.flow
        ? isSeq(node) ? ']' : '}'
        : undefined;
    const source = text.slice(r[0], r[1]).trimEnd();
    if (closer && (source.length < 2 || !source.endsWith(closer))) best = node as Node;
  });
  return best;
}

function yamlMessage(code: string, message: string): string {
  const text = message.charAt(0).toLowerCase() + message.slice(1);
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML: tabs are not allowed as indentation; indent with spaces';
    case 'TAG_RESOLVE_FAILED':
      return `YAML: unknown tag "${message.replace(/^.*: /, '')}" (for environment variables write \${VAR})`;
    case 'MULTIPLE_DOCS':
      return 'YAML: the file holds more than one document ("---"); a job file is one document';
    default:
      return `YAML: ${text}`;
  }
}

/** Every repeated key in every mapping, at the repeat, naming where the first one was. */
function duplicateKeys(doc: Document, locate: Locator): Issue[] {
  const issues: Issue[] = [];
  visit(doc, {
    Map(_, map, ancestors) {
      const first = new Map<string, number>();
      const path = dataPath(ancestors);
      for (const pair of map.items) {
        const name = keyText(pair);
        const offset = (pair.key as Node | null)?.range?.[0] ?? 0;
        const prev = first.get(name);
        if (prev === undefined) {
          first.set(name, offset);
          continue;
        }
        const { line, column } = locate({ path: [], offset: prev });
        const what = path.length === 1 && path[0] === 'jobs' ? 'job name' : 'key';
        issues.push({
          path: [...path, name],
          offset,
          message: `duplicate ${what} "${name}" (first defined at ${line}:${column})`,
        });
      }
    },
  });
  return issues;
}

/** Aliases to anchors defined later (or never), and aliases inside the node they refer to. */
function badAliases(doc: Document): Issue[] {
  const issues: Issue[] = [];
  visit(doc, {
    Alias(_, alias, ancestors) {
      const target = alias.resolve(doc);
      const offset = alias.range?.[0] ?? 0;
      if (!target) {
        issues.push({ path: [], offset, message: `YAML: unknown alias "*${alias.source}" (define "&${alias.source}" before using it)` });
      } else if (ancestors.includes(target as never)) {
        issues.push({ path: [], offset, message: `YAML: alias "*${alias.source}" refers to a node that contains it` });
      }
    },
  });
  return issues;
}

/** The data path of the node whose ancestors `visit` reports (Document, maps, pairs, seqs). */
function dataPath(ancestors: readonly unknown[]): Segment[] {
  const path: Segment[] = [];
  for (let i = 0; i < ancestors.length; i++) {
    const node = ancestors[i];
    const child = ancestors[i + 1];
    if (isMap(node) && child && !isAlias(child)) {
      path.push(keyText(child as never));
    } else if (node && typeof node === 'object' && 'items' in node && !isMap(node) && child !== undefined) {
      const index = (node as { items: unknown[] }).items.indexOf(child);
      if (index >= 0) path.push(index);
    }
  }
  return path;
}
