import { Readable } from 'node:stream';
import { MANIFEST_FORMAT_VERSION, serializeManifest, type ManifestEntry } from '../../core/snapshot/manifest.js';
import type { SnapshotPlan } from '../../core/snapshot/plan.js';
import type { Action } from '../../core/types.js';
import type { Backend } from '../../backends/backend.js';
import type { ActionResult } from '../results.js';

/**
 * Write the manifest of a finished snapshot, from what was actually stored (a source that changed
 * during the run is recorded as copied, not as planned). Atomic like every write: a manifest is
 * either whole or absent.
 */
export function manifestWriter(plan: SnapshotPlan, destination: Backend, startedAt: Date, now: () => Date) {
  return async (action: Extract<Action, { op: 'manifest' }>, results: readonly ActionResult[]): Promise<void> => {
    const prefix = `${action.snapshot}/`;
    const entries: ManifestEntry[] = [];
    let bytes = 0;
    for (const r of results) {
      if (r.outcome !== 'done' || !r.action.path.startsWith(prefix)) continue;
      const path = r.action.path.slice(prefix.length);
      if (r.action.op === 'mkdir') entries.push({ kind: 'dir', path });
      else if ((r.action.op === 'copy' || r.action.op === 'link') && r.stored) {
        entries.push({ kind: 'file', path, size: r.stored.size, mtimeMs: r.stored.mtimeMs });
        bytes += r.stored.size;
      }
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const files = entries.filter((e) => e.kind === 'file').length;
    const text = serializeManifest({
      header: {
        formatVersion: MANIFEST_FORMAT_VERSION,
        job: plan.job,
        source: plan.source,
        id: action.snapshot,
        started_at: startedAt.toISOString(),
        finished_at: now().toISOString(),
        files,
        dirs: entries.length - files,
        bytes,
      },
      entries,
    });
    const data = Buffer.from(text, 'utf8');
    await destination.write(action.path, { open: async () => Readable.from([data]) }, { size: data.length, mtimeMs: now().getTime() });
  };
}
