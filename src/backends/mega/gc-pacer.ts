/**
 * Young-generation collections paced by the bytes a transfer moves, to keep resident memory flat
 * and low (the MEGA backend's transfers).
 *
 * Why: every HTTP body piece a download receives (node:http copies each one), every plaintext
 * piece it hands on, and, without the native helper, every node:crypto output slice (node:crypto
 * has no in-place cipher) is a fresh Buffer that is garbage a moment later. V8 frees those only when
 * it collects, and it forces a young collection only once 32 MiB of young ArrayBuffer memory piled
 * up (a fixed threshold, whatever --max-semi-space-size says), so each transfer carried about
 * 32 MiB of dead buffers in its resident set. A young collection every PACE bytes keeps that
 * garbage at a few MiB, and malloc then hands the same warm memory back for the next slices (no
 * fresh pages to fault in). Measured with 512 MiB of 64 KiB CTR slices in one process (a young
 * collection every 4 MiB of output): peak ArrayBuffer memory 32 -> 4 MiB, RSS 81 -> 53 MiB, time
 * 244-364 -> 179 ms.
 *
 * How: V8's `gc` extension, turned on at the first use and fetched from a fresh context (the
 * flag applies to contexts created after it). Where that is not possible, pacing does nothing and
 * V8's own schedule applies. It changes a V8 flag for the whole process, so only the CLI turns it
 * on (allowGcPacing, in src/cli/main.ts): a program using megamirror as a library keeps V8's own
 * schedule unless it asks for this too. Long-lived transfer data must live in reused buffers (buffer-pool.ts):
 * young collections promote what survives them, and only a full collection frees that.
 */

import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (options?: { type?: 'minor' | 'major' }) => void;

/**
 * Transfer bytes between two young collections. Each byte counted allocates about two fresh bytes
 * (downloads: the socket's copy and the plaintext handed on; node:crypto's path: the CTR and
 * CBC-MAC outputs), so about 8 MiB of garbage at most. Native CTR in place allocates nothing and
 * counts nothing (uploads then move their bytes without garbage). Measured on 512 MiB transfers through
 * the CLI: every 4 MiB beat every 2.7 MiB (more plaintext waiting for the file writer survived two
 * collections and went to the old generation: dozens of full collections) and every 8 MiB (more
 * garbage, more CPU).
 */
export const PACE = 4 * 1024 * 1024;

let gc: GcFunction | null | undefined;
let pending = 0;
let allowed = false;

/** Lets transfers in this process pace young collections (the CLI's choice; see above). */
export function allowGcPacing(): void {
  allowed = true;
}

function load(): GcFunction | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const f: unknown = vm.runInNewContext('gc');
    return typeof f === 'function' ? (f as GcFunction) : null;
  } catch {
    return null;
  }
}

/** Count `bytes` moved by a transfer (once per byte, whichever the direction); collects the young generation every PACE bytes. */
export function moved(bytes: number): void {
  if (!allowed) return;
  pending += bytes;
  if (pending < PACE) return;
  pending = 0;
  if (gc === undefined) gc = load();
  gc?.({ type: 'minor' });
}
