import { open } from 'node:fs/promises';
import { MegamirrorError } from '../../errors.js';

const CHUNK = 4 * 1024 * 1024;
/** Buffers reused across copies: fresh memory costs page faults that dominate large copies. */
const pool: Buffer[] = [];

/**
 * Copy a local file into a new file with positional reads and writes through one reused 4 MiB
 * buffer, checking `signal` between chunks so an interrupt stops a large copy promptly. Reads at
 * most `expected` + 1 bytes and returns the count, so a grown file shows as a size mismatch. Measured
 * here at about cp's speed, where a stream pipeline allocated fresh buffers and ran at a third.
 */
export async function copyByChunks(from: string, to: string, expected: number, signal?: AbortSignal, onBytes?: (n: number) => void): Promise<number> {
  const buf = pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
  const input = await open(from, 'r');
  let pos = 0;
  try {
    const output = await open(to, 'wx');
    try {
      for (;;) {
        if (signal?.aborted) throw new MegamirrorError('interrupted', 'interrupted', { where: to });
        // Never past the expected size plus one byte: a file that keeps growing would never end.
        const { bytesRead } = await input.read(buf, 0, Math.min(CHUNK, expected + 1 - pos), pos);
        if (bytesRead === 0 || pos > expected) break;
        for (let off = 0; off < bytesRead; ) off += (await output.write(buf, off, bytesRead - off, pos + off)).bytesWritten;
        pos += bytesRead;
        onBytes?.(bytesRead);
      }
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
    pool.push(buf);
  }
  return pos;
}
