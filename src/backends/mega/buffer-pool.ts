/**
 * Request-sized Buffers reused across transfers: the bytes a transfer holds for a while (an upload
 * request kept until the server stored it, a download range waiting for its turn) live here instead
 * of in fresh Buffers. Fresh ones that live that long survive young collections and then stay
 * resident until a full one (see gc-pacer.ts); these are allocated once and stay warm.
 *
 * Contract: `take()` never waits (a new Buffer when none is free), so no transfer can block another;
 * `give()` keeps at most KEEP of them. A Buffer given back must no longer be referenced by anything
 * (a request body still being written, a piece still being decrypted).
 */

import { REQUEST_BYTES, TRANSFER_CONNECTIONS } from './transfer-plan.js';

const KEEP = TRANSFER_CONNECTIONS;
const free: Buffer[] = [];

export function takeBuffer(): Buffer {
  return free.pop() ?? Buffer.allocUnsafe(REQUEST_BYTES);
}

export function giveBuffer(b: Buffer): void {
  if (free.length < KEEP && b.length === REQUEST_BYTES) free.push(b);
}
