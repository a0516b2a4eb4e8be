/**
 * How a transfer is cut into storage-server requests, and the retry policy per request.
 *
 * Requests are large (REQUEST_BYTES) because each one costs a round trip and per-request work on
 * both sides, and a few are in flight at once (TRANSFER_CONNECTIONS). Upload requests must start
 * and end on MAC chunk boundaries (MEGA.md): the first request covers the 8 ramp chunks
 * [0, 4608 KiB), then every request is REQUEST_BYTES, a whole number of 1 MiB chunks, the last one
 * ending at EOF. Downloads use the same cut with DOWNLOAD_REQUEST_BYTES (any cut would do for
 * ranged GETs).
 */

import { MegamirrorError } from '../../errors.js';
import { MAX_CHUNK_SIZE, RAMP_END } from './crypto/index.js';

export const REQUEST_BYTES = 8 * MAX_CHUNK_SIZE;
export const TRANSFER_CONNECTIONS = 4;
/**
 * Downloads hold every range until its turn comes (buffer-pool.ts), uploads every request until
 * it is stored: half-size ranges halve a download's held bytes (4 x 4 MiB) at no measured cost
 * in throughput (512 MiB through the CLI, same runs: 138-227 MB/s and peak RSS 128-140 MiB with
 * 4 MiB ranges, 110-141 MB/s and 141-152 MiB with 8 MiB).
 */
export const DOWNLOAD_REQUEST_BYTES = 4 * MAX_CHUNK_SIZE;

/** `[start, end)` of every request for a file of `size` bytes (none for an empty file). */
export function requestRanges(size: number, requestBytes = REQUEST_BYTES): Array<[number, number]> {
  if (requestBytes % MAX_CHUNK_SIZE !== 0) throw new RangeError('requests must be whole 1 MiB chunks');
  const out: Array<[number, number]> = [];
  let start = 0;
  while (start < size) {
    const end = Math.min(size, start < RAMP_END ? RAMP_END : start + requestBytes);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/**
 * Run `attempt` until it succeeds, retrying transient failures (up to `retries` times, backoff
 * with jitter); anything else, or an aborted signal, rejects at once.
 */
export async function withRetries<T>(attempt: () => Promise<T>, signal: AbortSignal, retries = 3): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      const e = err as MegamirrorError;
      if (signal.aborted || !(e instanceof MegamirrorError) || !e.transient || tries > retries) throw err;
      const delay = Math.min(4000, 150 * 2 ** (tries - 1)) * (0.5 + Math.random());
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, delay);
        function done() {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
      if (signal.aborted) throw err;
    }
  }
}
