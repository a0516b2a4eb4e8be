import type { RelPath } from '../types.js';

/**
 * A snapshot's manifest, written last into the snapshot folder: its presence marks the snapshot
 * complete. JSON Lines: the first line is the header (so listings read one line), then one line
 * per folder and file. Versioned; readers ignore keys they do not know.
 */
export const MANIFEST_NAME = '.megamirror-manifest.json';
export const MANIFEST_FORMAT_VERSION = 1;

export interface ManifestHeader {
  formatVersion: number;
  job: string;
  source: string;
  id: string;
  started_at: string;
  finished_at: string;
  files: number;
  dirs: number;
  bytes: number;
}

export type ManifestEntry =
  | { kind: 'file'; path: RelPath; size: number; mtimeMs: number | null }
  | { kind: 'dir'; path: RelPath };

export interface Manifest {
  header: ManifestHeader;
  entries: ManifestEntry[];
}

export function serializeManifest(m: Manifest): string {
  const lines = [JSON.stringify(m.header)];
  for (const e of m.entries) {
    lines.push(JSON.stringify(e.kind === 'dir' ? { d: e.path } : { f: e.path, s: e.size, m: e.mtimeMs }));
  }
  return `${lines.join('\n')}\n`;
}

/** Parse a manifest; null when the text is not one (truncated, foreign, newer major format). */
export function parseManifest(text: string): Manifest | null {
  const lines = text.split('\n').filter((l) => l !== '');
  const header = parseHeaderLine(lines[0] ?? '');
  if (!header) return null;
  const entries: ManifestEntry[] = [];
  for (const line of lines.slice(1)) {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return null;
    }
    const o = v as { d?: unknown; f?: unknown; s?: unknown; m?: unknown };
    if (typeof o.d === 'string') entries.push({ kind: 'dir', path: o.d });
    else if (typeof o.f === 'string' && typeof o.s === 'number' && (typeof o.m === 'number' || o.m === null)) {
      entries.push({ kind: 'file', path: o.f, size: o.s, mtimeMs: o.m });
    } else return null;
  }
  return header.files === entries.filter((e) => e.kind === 'file').length ? { header, entries } : null;
}

export function parseHeaderLine(line: string): ManifestHeader | null {
  try {
    const h = JSON.parse(line) as Partial<ManifestHeader>;
    if (h.formatVersion !== MANIFEST_FORMAT_VERSION || typeof h.id !== 'string' || typeof h.files !== 'number') return null;
    return h as ManifestHeader;
  } catch {
    return null;
  }
}
