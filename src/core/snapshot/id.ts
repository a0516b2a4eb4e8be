/**
 * Snapshot ids: the UTC start time as `YYYY-MM-DDTHHMMSSZ`. Sortable as text, and free of `:` so
 * they are valid folder names on every filesystem and on MEGA.
 */
const ID = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function snapshotId(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '');
}

/** The time an id stands for, or null when the name is not a snapshot id. */
export function parseSnapshotId(name: string): Date | null {
  const m = ID.exec(name);
  if (!m) return null;
  const t = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
  return Number.isNaN(t.getTime()) || snapshotId(t) !== name ? null : t;
}
