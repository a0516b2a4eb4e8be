import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import type { Job } from '../config/types.js';
import { planMirror } from '../core/plan.js';
import { selectEntries } from '../core/select.js';
import type { FileEntry, RelPath } from '../core/types.js';
import { MegamirrorError } from '../errors.js';
import type { Backend, MacProof } from '../backends/backend.js';
import { FileMac } from '../backends/mega/crypto/index.js';
import { displayEndpoint } from './endpoints.js';
import { scanBoth } from './scan.js';

export type VerifyProblem = 'missing' | 'extra' | 'size-differs' | 'mtime-differs' | 'content-differs' | 'unreadable';

export interface VerifyReport {
  job: string;
  source: string;
  destination: string;
  /** Files whose content was proven equal, by method. */
  proven: { mac: number; sha256: number };
  problems: Array<{ path: RelPath; problem: VerifyProblem; detail: string }>;
}

/**
 * Prove that a destination equals its source. Differences a listing shows (missing, extra, size,
 * mtime) come from the mirror planner; files it calls unchanged are then proven byte-equal: by
 * MEGA's MAC where one side is MEGA (the local bytes are hashed with the node's key, nothing is
 * downloaded), by SHA-256 of both sides otherwise.
 */
export async function verifyJob(job: Job, source: Backend, destination: Backend, o: { concurrency: number; signal?: AbortSignal }): Promise<VerifyReport> {
  const scan = await scanBoth(job, source, destination, o.signal);
  const plan = planMirror({
    job: job.name,
    source: { display: source.display, listing: scan.source, capabilities: source.capabilities },
    destination: { display: destination.display, listing: scan.destination, capabilities: destination.capabilities },
    filter: scan.filter,
    compare: job.compare,
    mtimeToleranceMs: job.mtimeToleranceMs,
    deleteExtraneous: job.delete,
  });
  const report: VerifyReport = {
    job: job.name, source: displayEndpoint(job.source), destination: displayEndpoint(job.destination), proven: { mac: 0, sha256: 0 }, problems: [],
  };
  const differing = new Set<RelPath>();
  for (const a of plan.actions) {
    if (a.op === 'copy') {
      differing.add(a.path);
      report.problems.push({ path: a.path, problem: a.reason === 'missing' ? 'missing' : a.reason === 'mtime-differs' ? 'mtime-differs' : 'size-differs', detail: a.reason });
    } else if (a.op === 'delete' && a.reason !== 'partial') {
      report.problems.push({ path: a.path, problem: 'extra', detail: a.reason });
    }
  }
  const dst = new Map(scan.destination.entries.map((e) => [e.path, e]));
  const pairs = selectEntries(scan.source, scan.filter).filter((e): e is FileEntry => e.kind === 'file' && !differing.has(e.path) && dst.get(e.path)?.kind === 'file');
  const limit = pLimit(Math.max(1, o.concurrency));
  await Promise.all(
    pairs.map((f) =>
      limit(async () => {
        try {
          const method = await proveEqual(f.path, source, destination, o.signal);
          if (method === null) report.problems.push({ path: f.path, problem: 'content-differs', detail: 'content differs' });
          else report.proven[method]++;
        } catch (err) {
          report.problems.push({ path: f.path, problem: 'unreadable', detail: err instanceof Error ? err.message : String(err) });
        }
      }),
    ),
  );
  report.problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return report;
}

/** Which method proved equality, or null when the contents differ. */
async function proveEqual(path: RelPath, source: Backend, destination: Backend, signal?: AbortSignal): Promise<'mac' | 'sha256' | null> {
  const opts = signal ? { signal } : {};
  const dstProof = (await destination.macProof?.(path, opts)) ?? null;
  if (dstProof) return (await macOf(source, path, dstProof, signal)).equals(dstProof.mac) ? 'mac' : null;
  const srcProof = (await source.macProof?.(path, opts)) ?? null;
  if (srcProof) return (await macOf(destination, path, srcProof, signal)).equals(srcProof.mac) ? 'mac' : null;
  const [a, b] = await Promise.all([sha256Of(source, path, signal), sha256Of(destination, path, signal)]);
  return a === b ? 'sha256' : null;
}

async function macOf(b: Backend, path: RelPath, proof: MacProof, signal?: AbortSignal): Promise<Buffer> {
  const mac = new FileMac(proof.aesKey, proof.nonce);
  for await (const chunk of await b.openRead(path, signal ? { signal } : {})) mac.update(chunk as Buffer);
  return mac.digest();
}

async function sha256Of(b: Backend, path: RelPath, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of await b.openRead(path, signal ? { signal } : {})) h.update(chunk as Buffer);
  if (signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted', { where: path });
  return h.digest('hex');
}
