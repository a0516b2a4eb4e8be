import { MegamirrorError } from '../../errors.js';

/**
 * The snapshots newest first. Equal times are ordered by id, descending in code-unit order, so the
 * decision depends on the set of snapshots and never on the order a backend listed them in.
 * @throws MegamirrorError('internal') for a time that is not a valid Date or an id given twice:
 *   both are caller bugs, and a duplicate id would make "remove this id" ambiguous.
 */
export function sortNewestFirst<T extends { id: string; time: Date }>(snapshots: readonly T[]): T[] {
  const ids = new Set<string>();
  for (const snapshot of snapshots) {
    if (!(snapshot.time instanceof Date) || Number.isNaN(snapshot.time.getTime())) {
      throw new MegamirrorError('internal', `snapshot ${JSON.stringify(snapshot.id)} has no valid time`);
    }
    if (ids.has(snapshot.id)) {
      throw new MegamirrorError('internal', `snapshot id ${JSON.stringify(snapshot.id)} appears more than once`);
    }
    ids.add(snapshot.id);
  }
  return [...snapshots].sort(newestFirst);
}

function newestFirst(a: { id: string; time: Date }, b: { id: string; time: Date }): number {
  const byTime = b.time.getTime() - a.time.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
