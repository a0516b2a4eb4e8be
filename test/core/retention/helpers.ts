import type { RetentionPolicy } from '../../../src/config/types.js';

/** A snapshot as the engine would pass it, with one extra field to show objects pass through. */
export interface Snap {
  id: string;
  time: Date;
  label: string;
}

/** Snapshots from ISO times, ids `s000`, `s001` … in the order given. */
export function snaps(times: readonly string[]): Snap[] {
  return times.map((iso, i) => ({ id: `s${String(i).padStart(3, '0')}`, time: new Date(iso), label: iso }));
}

/** Times as sorted ms, to compare multisets of times that print differently (`.1Z` vs `.100Z`). */
export function sortedMs(times: readonly (string | Date)[]): number[] {
  return times.map((t) => (typeof t === 'string' ? Date.parse(t) : t.getTime())).sort((a, b) => a - b);
}

export function describePolicy(policy: RetentionPolicy): string {
  return Object.entries(policy)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
