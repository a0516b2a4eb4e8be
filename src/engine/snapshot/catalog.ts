import { buffer } from 'node:stream/consumers';
import { parseManifest, parseHeaderLine, MANIFEST_NAME, type Manifest, type ManifestHeader } from '../../core/snapshot/manifest.js';
import { parseSnapshotId } from '../../core/snapshot/id.js';
import { isWithin, joinRel } from '../../core/paths.js';
import type { Listing, Warning } from '../../core/types.js';
import { MegamirrorError } from '../../errors.js';
import type { Backend } from '../../backends/backend.js';

export interface SnapshotFolder {
  id: string;
  time: Date;
  /** Has a readable manifest: the snapshot finished. */
  complete: boolean;
  header: ManifestHeader | null;
}

export interface Catalog {
  snapshots: SnapshotFolder[];
  /** Entries at the top of the destination that are not snapshots (left alone, reported). */
  warnings: Warning[];
}

/**
 * The snapshots under a destination, oldest first, read without listing their contents: one
 * shallow listing, then each manifest's first line. A folder without a readable manifest is
 * incomplete (a killed run).
 */
export async function readCatalog(dest: Backend, signal?: AbortSignal): Promise<Catalog> {
  if ((await dest.probeRoot()) !== 'ok') return { snapshots: [], warnings: [] };
  const top = await dest.list({ prune: () => true, signal });
  const snapshots: SnapshotFolder[] = [];
  const warnings: Warning[] = [];
  for (const e of top.entries) {
    if (e.path.includes('/')) continue;
    const time = e.kind === 'dir' ? parseSnapshotId(e.path) : null;
    if (time === null) {
      warnings.push({ code: 'foreign-entry', path: e.path, message: 'not a snapshot folder; left alone' });
      continue;
    }
    const header = await readHeader(dest, e.path, signal);
    snapshots.push({ id: e.path, time, complete: header !== null, header });
  }
  snapshots.sort((a, b) => a.time.getTime() - b.time.getTime());
  return { snapshots, warnings };
}

async function readHeader(dest: Backend, id: string, signal?: AbortSignal): Promise<ManifestHeader | null> {
  const path = joinRel(id, MANIFEST_NAME);
  const st = await dest.stat(path, { signal });
  if (st === null || st.kind !== 'file') return null;
  const stream = await dest.openRead(path, { signal });
  let text = '';
  for await (const chunk of stream) {
    text += (chunk as Buffer).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl >= 0) {
      stream.destroy();
      return checkedHeader(parseHeaderLine(text.slice(0, nl)), id);
    }
  }
  return checkedHeader(parseHeaderLine(text), id);
}

function checkedHeader(h: ManifestHeader | null, id: string): ManifestHeader | null {
  return h !== null && h.id === id ? h : null;
}

/** A complete snapshot's full manifest. */
export async function loadManifest(dest: Backend, id: string, signal?: AbortSignal): Promise<Manifest> {
  const text = (await buffer(await dest.openRead(joinRel(id, MANIFEST_NAME), { signal }))).toString('utf8');
  const m = parseManifest(text);
  if (m === null) throw new MegamirrorError('integrity', 'the snapshot manifest is damaged', { where: `${dest.display}/${id}` });
  return m;
}

/** The files and folders of one snapshot folder, with paths relative to it. */
export async function listSnapshot(dest: Backend, id: string, signal?: AbortSignal): Promise<Listing> {
  const l = await dest.list({ prune: (d) => !isWithin(d, id), signal });
  const strip = (p: string) => p.slice(id.length + 1);
  return {
    entries: l.entries.filter((e) => e.path.startsWith(`${id}/`)).map((e) => ({ ...e, path: strip(e.path) })),
    skipped: l.skipped.filter((s) => s.path.startsWith(`${id}/`)).map((s) => ({ ...s, path: strip(s.path) })),
    warnings: [],
  };
}
