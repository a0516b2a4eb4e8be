import v8 from 'node:v8';

/**
 * Keeps V8's young generation at its starting size (1 MiB semi-spaces) instead of letting it grow
 * to 16 MiB: for the CLI and its walker thread, never for a program using megamirror as a library.
 *
 * Why: a scan builds about 100 bytes of objects per entry that all live to the end (the listing),
 * so every young collection copies them, at first within the young generation and then out of
 * it; with 1 MiB semi-spaces that copying presumably stays in the CPU's caches. Measured on an
 * unchanged 100,000-file plan, alternating 6 runs each (`/usr/bin/time node dist/megamirror.mjs
 * plan`): 1.15-1.20 s, user CPU 0.93-1.01 s and 127 MB peak RSS -> 1.03-1.10 s, 0.85-0.89 s and
 * 104 MB; on a 20,000-file first copy into tmpfs 1.15-1.78 s, 98 MB -> 1.09-1.26 s, 75 MB; MEGA
 * plans unchanged. Larger semi-spaces were measured slower in the earlier rounds
 * (docs/performance.md).
 *
 * How: `--max-semi-space-size` is fixed when the process starts, but the growth factor is read each
 * time V8 would grow, so setting it to 1 holds the size from here on. A worker thread's start sets
 * V8's flags back (measured on Node 20), so a worker that wants this calls it itself, on its own
 * thread, once started (the flag is process-wide: only when the process asked, youngGenerationHeld).
 * If the runtime ignores the flag, V8's own sizing applies: nothing else depends on it.
 */
export function holdYoungGeneration(): void {
  held = true;
  try {
    v8.setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // V8's own sizing applies.
  }
}

let held = false;

/**
 * Whether this process asked for it (the CLI did): the walker thread then asks again once started
 * (walk-thread.ts passes this on). A program using megamirror as a library never did, and its walks
 * leave V8's flags alone; any worker it starts itself sets them back anyway.
 */
export function youngGenerationHeld(): boolean {
  return held;
}
