/**
 * `megamirror adopt JOB`: gather the facts (both listings; for each pair of files the MEGA node's
 * key, MAC and whether it has `c`; the local file's MAC under that key where `needsMacCheck` says),
 * let `core/adopt` decide, then write `c` on the adopted nodes (`Backend.adoptMtime`). Nothing is
 * transferred: only the local files are read.
 *
 * Contract: the job must join a local folder (either side) and a MEGA folder, else `usage`. Reads
 * and MAC failures of single files are reported (refused `not-checked`, or `failed`), never thrown;
 * listing failures throw. A local file that changed since it was listed is not adopted (`failed`,
 * source-changed). With `dryRun` nothing is written.
 */

import pLimit from 'p-limit';
import type { Job } from '../config/types.js';
import { needsMacCheck, planAdoption, type AdoptFact, type AdoptPlan } from '../core/adopt.js';
import { selectEntries } from '../core/select.js';
import type { FileEntry, RelPath } from '../core/types.js';
import { MegamirrorError, isAbort } from '../errors.js';
import type { Backend } from '../backends/backend.js';
import { macOfFile } from '../backends/mega/crypto/index.js';
import { displayEndpoint } from './endpoints.js';
import { scanBoth } from './scan.js';

export interface AdoptOptions {
  dryRun: boolean;
  concurrency: number;
  signal?: AbortSignal;
}

export interface AdoptReport extends AdoptPlan {
  job: string;
  source: string;
  destination: string;
  dryRun: boolean;
  /** Adopted files whose `c` could not be written, or whose local file changed meanwhile. */
  failed: Array<{ path: RelPath; code: string; message: string }>;
}

export async function adoptJob(job: Job, source: Backend, destination: Backend, o: AdoptOptions): Promise<AdoptReport> {
  const sides = pickSides(job, source, destination);
  const scan = await scanBoth(job, source, destination, o.signal);
  const other = new Map((sides.localIsSource ? scan.destination : scan.source).entries.map((e) => [e.path, e]));
  const selected = selectEntries(scan.source, scan.filter).filter((e): e is FileEntry => e.kind === 'file');
  const pairs: Array<{ local: FileEntry; mega: FileEntry }> = [];
  for (const s of selected) {
    const d = other.get(s.path);
    if (d?.kind !== 'file') continue;
    pairs.push(sides.localIsSource ? { local: s, mega: d } : { local: d, mega: s });
  }

  const limit = pLimit(Math.max(1, o.concurrency));
  const facts = await Promise.all(pairs.map((p) => limit(() => factFor(p, sides, o.signal))));
  const plan = planAdoption(facts.filter((f): f is AdoptFact => f !== null));
  const report: AdoptReport = {
    job: job.name, source: displayEndpoint(job.source), destination: displayEndpoint(job.destination), dryRun: o.dryRun, ...plan, failed: [],
  };
  if (o.dryRun) return report;

  const local = new Map(pairs.map((p) => [p.local.path, p.local]));
  const done: AdoptPlan['adopt'] = [];
  await Promise.all(
    plan.adopt.map((a) =>
      limit(async () => {
        try {
          await unchanged(sides.local, local.get(a.path)!, o.signal);
          await sides.mega.adoptMtime!(a.path, { localPath: sides.local.localPath!(a.path)!, mtimeMs: a.mtimeMs }, o.signal ? { signal: o.signal } : {});
          done.push(a);
        } catch (err) {
          if (isAbort(err) || o.signal?.aborted) throw err;
          const e = err instanceof MegamirrorError ? err : new MegamirrorError('internal', String((err as Error)?.message ?? err));
          report.failed.push({ path: a.path, code: e.code, message: e.message });
        }
      }),
    ),
  );
  report.adopt = plan.adopt.filter((a) => done.includes(a));
  report.failed.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return report;
}

interface Sides {
  local: Backend;
  mega: Backend;
  localIsSource: boolean;
}

function pickSides(job: Job, source: Backend, destination: Backend): Sides {
  const canAdopt = (b: Backend) => typeof b.adoptMtime === 'function' && typeof b.macProof === 'function';
  const isLocal = (b: Backend) => typeof b.localPath === 'function';
  if (isLocal(source) && canAdopt(destination)) return { local: source, mega: destination, localIsSource: true };
  if (canAdopt(source) && isLocal(destination)) return { local: destination, mega: source, localIsSource: false };
  throw new MegamirrorError('usage', 'adopt needs a job between a local folder and a MEGA folder of an account', {
    where: `${job.name}: ${displayEndpoint(job.source)} -> ${displayEndpoint(job.destination)}`,
  });
}

async function factFor(p: { local: FileEntry; mega: FileEntry }, s: Sides, signal?: AbortSignal): Promise<AdoptFact | null> {
  const proof = await s.mega.macProof!(p.mega.path, signal ? { signal } : {});
  if (!proof || p.local.mtimeMs === null) return null;
  const fact: AdoptFact = {
    path: p.local.path,
    local: { size: p.local.size, mtimeMs: p.local.mtimeMs },
    mega: { size: p.mega.size, fingerprinted: proof.fingerprinted ?? true },
  };
  if (!needsMacCheck(fact)) return fact;
  const path = s.local.localPath!(p.local.path);
  if (!path) return fact;
  try {
    fact.macEqual = (await macOfFile(path, proof.aesKey, proof.nonce, signal ? { signal } : {})).equals(proof.mac);
  } catch (err) {
    if (isAbort(err) || signal?.aborted) throw err;
  }
  return fact;
}

async function unchanged(local: Backend, before: FileEntry, signal?: AbortSignal): Promise<void> {
  const now = await local.stat(before.path, signal ? { signal } : {});
  if (now?.kind !== 'file' || now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
    throw new MegamirrorError('source-changed', 'the local file changed since it was listed', { where: before.path });
  }
}
