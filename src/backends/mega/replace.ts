/**
 * Putting a file node under its name and retiring what it replaces: the commit step of a write or
 * a server-side copy. MEGA has no atomic rename-into-place, so:
 *
 * 1. The new node is created (`p`) only after its content is stored and checked, in place: an
 *    upload's completion token is too costly to throw away over a transient error, so the `p` is
 *    retried here with backoff. If a reply is lost (connection dropped, timeout), the tree is read
 *    again and the node is recognised by its key before anything is retried: no duplicate.
 * 2. Every older node of that name goes to the Rubbish Bin (or is deleted for good). For that one
 *    request the folder holds both. If it fails, the new node is deleted again, so a failed write
 *    leaves the old content and never two same-named files.
 *
 * MEGA's own `ov` would replace in one step, but turns the old file into a version that never
 * expires and counts against the quota, where a Rubbish Bin entry expires; the job file's
 * `permanent_delete` promises the Rubbish Bin.
 */

import { MegamirrorError } from '../../errors.js';
import { allNamed } from './children.js';
import { megaCodeOf } from './errors.js';
import { createFile, deleteNode, discardNode, isAmbiguous, type NewFile } from './mutations.js';
import type { MegaSession } from './session.js';
import type { WireNode } from './tree.js';

export interface ReplaceContext {
  session: MegaSession;
  /** Retire old nodes with a permanent delete instead of the Rubbish Bin. */
  permanent: boolean;
  /** In-place retries of each step. */
  retries: number;
  backoffMs: number;
}

export interface PutRequest {
  parent: string;
  file: NewFile;
  /** Handles of the same-named files the new node replaces. */
  replaces: string[];
  where: string;
  signal?: AbortSignal;
}

export async function putReplacing(c: ReplaceContext, r: PutRequest): Promise<WireNode> {
  const node = await commit(c, r);
  await retire(c, r, node);
  return node;
}

async function commit(c: ReplaceContext, r: PutRequest): Promise<WireNode> {
  const s = c.session;
  let unsure = false;
  for (let attempt = 1; ; attempt++) {
    try {
      return await createFile(s, await s.tree(r.signal), r.parent, r.file, { where: r.where, ...(r.signal ? { signal: r.signal } : {}) });
    } catch (err) {
      const e = asError(err, r.where);
      if (isAmbiguous(e)) unsure = true;
      if (unsure && (isAmbiguous(e) || megaCodeOf(e) === -9)) {
        const mine = await findCreated(c, r).catch(() => undefined);
        if (mine) return mine;
      }
      if (!e.transient || attempt > c.retries || r.signal?.aborted) {
        s.noteError(e);
        throw e;
      }
      await sleep(c.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}

/** After a lost reply: the node we created, recognised by its key, if the server has it. */
async function findCreated(c: ReplaceContext, r: PutRequest): Promise<WireNode | undefined> {
  c.session.markStale();
  const tree = await c.session.tree(r.signal);
  return allNamed(tree, r.parent, String(r.file.attrs.n)).find((n) => n.decoded.key.equals(r.file.nodeKey))?.node;
}

async function retire(c: ReplaceContext, r: PutRequest, fresh: WireNode): Promise<void> {
  const s = c.session;
  for (const h of r.replaces) {
    try {
      await inPlace(c, r.where, async () => discardNode(s, await s.tree(), h, c.permanent, { where: r.where }));
    } catch (err) {
      const e = asError(err, r.where);
      if (megaCodeOf(e) === -9) continue; // already gone
      await inPlace(c, r.where, async () => deleteNode(s, await s.tree(), fresh.h, { where: r.where })).catch(() => undefined);
      throw e;
    }
  }
}

async function inPlace<T>(c: ReplaceContext, where: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const e = asError(err, where);
      if (!e.transient || attempt > c.retries) throw e;
      await sleep(c.backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}

function asError(err: unknown, where: string): MegamirrorError {
  return err instanceof MegamirrorError ? err : new MegamirrorError('internal', String((err as Error)?.message ?? err), { where });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
