import { parentPort } from 'node:worker_threads';
import { compileFilter } from '../../core/filter.js';
import { MegamirrorError } from '../../errors.js';
import { setNativeEnabled } from '../../native.js';
import { walk } from './walk.js';
import { encodeWalk, type WalkRequest } from './walk-codec.js';

/**
 * The worker side of `walkInWorker`: one walk per message, answered with the compact encoding.
 * Runs the synchronous walk on its own thread, so both sides of a job are scanned at once.
 */
parentPort?.on('message', (req: WalkRequest) => {
  setNativeEnabled(req.native);
  const filter = req.selection ? compileFilter(req.selection.include, req.selection.exclude) : null;
  walk({ root: req.root, followSymlinks: req.followSymlinks, ...(filter ? { prune: (d: string) => filter.dirVerdict(d) !== 'descend' } : {}) }).then(
    (result) => {
      const { message, transfer } = encodeWalk(result);
      parentPort!.postMessage(message, transfer);
    },
    (err: unknown) => {
      const e = err instanceof MegamirrorError ? err : new MegamirrorError('io', String((err as Error)?.message ?? err));
      parentPort!.postMessage({ error: { code: e.code, message: e.message, where: e.where ?? req.root, hint: e.hint } });
    },
  );
});
