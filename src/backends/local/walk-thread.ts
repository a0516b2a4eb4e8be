import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MegamirrorError, type ErrorCode } from '../../errors.js';
import { PACKAGE_ROOT } from '../../package-root.js';
import { inPathOrder, walk, type WalkOptions, type WalkResult } from './walk.js';
import { decodeSlice, type WalkerData, type WalkMessage, type WalkRequest } from './walk-codec.js';
import { youngGenerationHeld } from '../../heap.js';
import type { Entry, RelPath } from '../../core/types.js';
import { nativeEnabled } from '../../native.js';

/** The bundled worker script (scripts/bundle.mjs); absent, walks run on the calling thread. */
const WORKER_SCRIPT = join(PACKAGE_ROOT, 'dist', 'walk-worker.mjs');
const haveWorker = existsSync(WORKER_SCRIPT);

/**
 * The walker's young generation, in MiB. V8 lets it grow to 48 MiB by default, which the walk's
 * stream of short-lived Stats objects fills; held small, the walk's garbage is collected as often
 * but the thread's resident memory stays about 25 MiB lower (peak RSS of an unchanged
 * 100,000-file plan: 170 -> 145 MiB).
 */
const WALKER_YOUNG_MIB = 6;

function newWalker(): Worker {
  // The walker holds V8's young generation again after its start only when this process asked
  // for it (the CLI; see heap.ts): the flag is process-wide.
  const workerData: WalkerData = { holdYoungGeneration: youngGenerationHeld() };
  return new Worker(WORKER_SCRIPT, { resourceLimits: { maxYoungGenerationSizeMb: WALKER_YOUNG_MIB }, workerData });
}

/**
 * Walk on a worker thread when the worker script is built and the walk needs no callback (a
 * `prune` function cannot cross threads; a `selection`, which then stands for it, can), so two
 * local sides scan in parallel on two cores. Otherwise, or when asked to (`here`: the calling
 * thread is free while the other side walks on a worker), the same walk runs here.
 */
export function walkAnywhere(o: WalkOptions & { selection?: { include: string[]; exclude: string[] }; here?: boolean }): Promise<WalkResult> {
  if (o.here === true || !haveWorker || (o.prune !== undefined && o.selection === undefined)) return walk(o);
  return new Promise((resolve, reject) => {
    const worker = takeSpare() ?? newWalker();
    const onAbort = () => {
      void worker.terminate();
      reject(new MegamirrorError('interrupted', 'interrupted while scanning', { where: o.root }));
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      o.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      void worker.terminate();
    };
    // Folder slices arrive while the walker walks on: each becomes entries here at once (between
    // this thread's own slices when it walks the other side), so only the ordering is left at the end.
    const children = new Map<RelPath, Entry[]>();
    const onMessage = (m: WalkMessage) => {
      if (m.kind === 'slice') {
        decodeSlice(m, children);
        return;
      }
      done();
      if (m.kind === 'error') {
        reject(new MegamirrorError(m.error.code as ErrorCode, m.error.message, { where: m.error.where, ...(m.error.hint ? { hint: m.error.hint } : {}) }));
      } else {
        resolve({ entries: inPathOrder(children), skipped: m.skipped, warnings: m.warnings, diskNames: new Map(m.diskNames) });
      }
    };
    worker.on('message', onMessage);
    worker.once('error', (e) => {
      done();
      reject(new MegamirrorError('internal', `scan worker failed: ${e.message}`, { where: o.root }));
    });
    const request: WalkRequest = { root: o.root, followSymlinks: o.followSymlinks, native: nativeEnabled(), ...(o.selection ? { selection: o.selection } : {}) };
    worker.postMessage(request);
  });
}

/** A worker started ahead of need (see prewarmWalker), kept from holding the process open. */
let spare: Worker | undefined;

/**
 * Start a walk worker now, while the caller still loads and checks its job file: a thread takes
 * 50-60 ms to boot, which otherwise lies on the critical path of every local scan. Unused, it
 * keeps nothing alive (unref'd) and is stopped after SPARE_LIFETIME_MS.
 */
export function prewarmWalker(): void {
  if (!haveWorker || spare !== undefined) return;
  const w = newWalker();
  spare = w;
  w.unref();
  // A failure to boot surfaces on first use instead: that walk then starts its own worker.
  w.once('error', () => {
    if (spare === w) spare = undefined;
  });
  // Unused by then (a download into a folder that does not exist yet lists nothing locally), it
  // goes: a thread holds about 10 MiB, which a long transfer would carry to the end.
  setTimeout(() => {
    if (spare !== w) return;
    spare = undefined;
    void w.terminate();
  }, SPARE_LIFETIME_MS).unref();
}

/** A scan starts within a second of the process here; a spare walker lives a little longer. */
const SPARE_LIFETIME_MS = 3000;

function takeSpare(): Worker | undefined {
  const w = spare;
  spare = undefined;
  w?.ref();
  return w;
}
