import { parentPort, workerData } from 'node:worker_threads';
import { compileFilter } from '../../core/filter.js';
import { MegamirrorError } from '../../errors.js';
import { holdYoungGeneration } from '../../heap.js';
import { setNativeEnabled } from '../../native.js';
import { walkFolders } from './walk.js';
import { encodeEnd, encodeSlice, type EncodedError, type WalkerData, type WalkRequest } from './walk-codec.js';

/**
 * The worker side of `walkAnywhere`: one walk per request, answered slice by slice as folders are
 * read, then one end message (or an error). Runs the synchronous walk on its own thread, so both
 * sides of a job are scanned at once.
 */
// This thread's start set V8's flags back: hold the young generation again when the process
// asked for it (see heap.ts).
if ((workerData as WalkerData | undefined)?.holdYoungGeneration === true) holdYoungGeneration();

parentPort?.on('message', (req: WalkRequest) => {
  setNativeEnabled(req.native);
  const filter = req.selection ? compileFilter(req.selection.include, req.selection.exclude) : null;
  const options = { root: req.root, followSymlinks: req.followSymlinks, ...(filter ? { prune: (d: string) => filter.dirVerdict(d) !== 'descend' } : {}) };
  walkFolders(options, (slice) => {
    const { message, transfer } = encodeSlice(slice);
    parentPort!.postMessage(message, transfer);
  }).then(
    (rest) => parentPort!.postMessage(encodeEnd(rest)),
    (err: unknown) => {
      const e = err instanceof MegamirrorError ? err : new MegamirrorError('io', String((err as Error)?.message ?? err));
      const message: EncodedError = { kind: 'error', error: { code: e.code, message: e.message, where: e.where ?? req.root, ...(e.hint ? { hint: e.hint } : {}) } };
      parentPort!.postMessage(message);
    },
  );
});
