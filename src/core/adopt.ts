/**
 * `megamirror adopt`: which MEGA files get a fingerprint `c` from their local twin, decided from
 * facts the engine gathered (pure; no I/O).
 *
 * A MEGA file that another tool uploaded has no `c`: this tool compares it by size alone and MEGA's
 * own clients never take it for the local file. When its content is proven equal to the local file
 * (the local bytes' MAC under the node's key equals the node's MAC), writing `c` with the local
 * mtime fixes both, with no upload. Per file present on both sides:
 * - MEGA file already has `c`: nothing to do (counted);
 * - sizes differ: refused `size-differs` (the next run copies it anyway);
 * - MAC not equal: refused `content-differs`;
 * - MAC not known (the engine could not compute it): refused `not-checked`;
 * - otherwise adopted, with the local mtime.
 */

import { comparePaths } from './paths.js';
import type { RelPath } from './types.js';

export interface AdoptFact {
  path: RelPath;
  local: { size: number; mtimeMs: number };
  mega: { size: number; fingerprinted: boolean };
  /** Whether the local MAC equals the node's; undefined when not computed (see `needsMacCheck`). */
  macEqual?: boolean;
}

export type AdoptRefusalReason = 'size-differs' | 'content-differs' | 'not-checked';

export interface AdoptPlan {
  /** In path order; `mtimeMs` is the local file's, to write into `c`. */
  adopt: Array<{ path: RelPath; mtimeMs: number }>;
  refused: Array<{ path: RelPath; reason: AdoptRefusalReason; detail: string }>;
  /** Files whose MEGA node already carries `c`. */
  alreadyFingerprinted: number;
}

/** Whether the engine should compute the local MAC for this pair (the only costly step). */
export function needsMacCheck(f: Pick<AdoptFact, 'local' | 'mega'>): boolean {
  return !f.mega.fingerprinted && f.local.size === f.mega.size;
}

export function planAdoption(facts: readonly AdoptFact[]): AdoptPlan {
  const plan: AdoptPlan = { adopt: [], refused: [], alreadyFingerprinted: 0 };
  for (const f of [...facts].sort((a, b) => comparePaths(a.path, b.path))) {
    if (f.mega.fingerprinted) {
      plan.alreadyFingerprinted++;
    } else if (f.local.size !== f.mega.size) {
      plan.refused.push({ path: f.path, reason: 'size-differs', detail: `${f.local.size} bytes here, ${f.mega.size} on MEGA` });
    } else if (f.macEqual === undefined) {
      plan.refused.push({ path: f.path, reason: 'not-checked', detail: 'the MAC could not be computed' });
    } else if (!f.macEqual) {
      plan.refused.push({ path: f.path, reason: 'content-differs', detail: 'same size, different content (MAC)' });
    } else {
      plan.adopt.push({ path: f.path, mtimeMs: f.local.mtimeMs });
    }
  }
  return plan;
}
