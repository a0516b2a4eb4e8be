/**
 * The account's quota for `megamirror quota`: one `uq` (storage and transfer), with the Rubbish
 * Bin's share found through the tree's roots (`cstrgn` is per root handle:
 * [bytes, files, folders, version bytes, versions]).
 */

import type { StorageUsage } from '../backend.js';
import type { RequestOptions } from './api.js';
import type { MegaSession } from './session.js';

interface QuotaReply {
  cstrg?: unknown;
  mstrg?: unknown;
  cstrgn?: Record<string, unknown>;
  caxfer?: unknown;
  mxfer?: unknown;
}

export async function accountUsage(s: MegaSession, o: RequestOptions): Promise<StorageUsage> {
  const [q, tree] = await Promise.all([s.api.request<QuotaReply>({ a: 'uq', strg: 1, xfer: 1 }, o), s.tree(o.signal)]);
  const roots = q?.cstrgn && typeof q.cstrgn === 'object' ? q.cstrgn : {};
  const row = (h: string): unknown[] | null => (Array.isArray(roots[h]) ? (roots[h] as unknown[]) : null);
  let versions: number | null = null;
  for (const h of Object.keys(roots)) {
    const v = num(row(h)?.[3]);
    if (v !== null) versions = (versions ?? 0) + v;
  }
  return {
    usedBytes: num(q?.cstrg) ?? 0,
    totalBytes: num(q?.mstrg),
    trashBytes: tree.rubbishRoot ? num(row(tree.rubbishRoot)?.[0]) : null,
    versionBytes: versions,
    transferUsedBytes: num(q?.caxfer),
    transferTotalBytes: num(q?.mxfer),
  };
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}
